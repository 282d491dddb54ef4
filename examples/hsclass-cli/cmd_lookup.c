/* cmd_lookup.c - hsclass lookup: a code of the model's nomenclature, the
 * codes under it, and the national tariff lines under its subheadings. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_MODEL = 1, OPT_LANG, OPT_NATIONAL, OPT_FORMAT, OPT_DEPTH };

static const cli_opt opts[] = {
    {"model", 'm', 1, OPT_MODEL},
    {"lang", 'l', 1, OPT_LANG},
    {"national", 'n', 0, OPT_NATIONAL},
    {"depth", 0, 1, OPT_DEPTH},
    {"format", 'f', 1, OPT_FORMAT},
    {"help", 'h', 0, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

static void help(void)
{
    puts("Usage: hsclass lookup [-m MODEL] [--lang L] [--national] [--depth N]\n"
         "                      [--format text|jsonl] CODE...\n"
         "\n"
         "Print each CODE (\"0201\", \"0201.30\", \"100640\") as the model's nomenclature\n"
         "describes it, then the codes under it, indented by level: a chapter and its\n"
         "headings and subheadings, a heading and its subheadings. Codes the model\n"
         "cannot suggest (not among its labels) are marked [not suggested]. Under\n"
         "each code of 6 or more digits come the national tariff lines the model\n"
         "carries (e.g. TEC-CEDEAO 10-digit lines), always for a CODE of 6 or more\n"
         "digits, with --national for shorter ones.\n"
         "\n"
         "Options:\n"
         "  -m, --model MODEL    model file (see below)\n"
         "  -l, --lang L         language of the descriptions (default: the model's first)\n"
         "  -n, --national       national lines under every subheading listed\n"
         "      --depth N        list codes at most N digits longer than CODE (0: CODE\n"
         "                       only; default: all)\n"
         "  -f, --format FMT     text (default) or jsonl: one object per CODE,\n"
         "                       {\"query\",\"entries\":[{\"code\",\"description\",\"suggested\",\n"
         "                       \"national\":[{\"scheme\",\"code\",\"description\"}]}]}\n"
         "  -h, --help           show this help\n"
         "\n"
         "Exit code 1 when a CODE is neither in the nomenclature nor a national line.");
    cli_print_model_lookup(stdout);
}

typedef struct ctx {
    const hsc_model *m;
    const char *lang;
    int national, json;
    uint32_t depth;     /* UINT32_MAX: all */
} ctx;

/* National lines of every scheme under code; returns how many. */
static size_t national(const ctx *c, const char *code, int indent, int *first_json)
{
    size_t n_schemes = 0, total = 0;
    hsc_model_national_scheme_count(c->m, &n_schemes);
    for (size_t k = 0; k < n_schemes; k++) {
        const char *scheme, *line, *desc;
        size_t first, count;
        if (hsc_model_national_scheme(c->m, k, &scheme, NULL) != HSC_OK ||
            hsc_model_national_find(c->m, k, code, strlen(code), &first, &count) != HSC_OK)
            continue;
        for (size_t i = first; i < first + count; i++) {
            if (hsc_model_national_line(c->m, k, i, &line, &desc) != HSC_OK)
                continue;
            total++;
            if (c->json) {
                fputs(*first_json ? "{\"scheme\":" : ",{\"scheme\":", stdout);
                *first_json = 0;
                cli_json_string(stdout, scheme, strlen(scheme));
                fputs(",\"code\":", stdout);
                cli_json_string(stdout, line, strlen(line));
                fputs(",\"description\":", stdout);
                cli_json_string(stdout, desc, strlen(desc));
                putchar('}');
            } else {
                printf("%*s%s %s  ", indent, "", scheme, line);
                cli_term_str(stdout, desc);
                putchar('\n');
            }
        }
    }
    return total;
}

static void entry(const ctx *c, const char *code, const char *desc, size_t qlen, int with_natl,
                  int *first)
{
    size_t len = strlen(code);
    int indent = (int)(len > qlen ? len - qlen : 0);
    int covered = cli_model_covers(c->m, code);
    if (c->json) {
        fputs(*first ? "{\"code\":" : ",{\"code\":", stdout);
        *first = 0;
        cli_json_string(stdout, code, len);
        fputs(",\"description\":", stdout);
        cli_json_string(stdout, desc, strlen(desc));
        printf(",\"suggested\":%s", covered ? "true" : "false");
        if (with_natl && len >= 6) {
            int f = 1;
            fputs(",\"national\":[", stdout);
            national(c, code, 0, &f);
            putchar(']');
        }
        putchar('}');
        return;
    }
    printf("%*s%-*s  ", indent, "", (int)(12 - indent > 0 ? 12 - indent : 0), code);
    cli_term_str(stdout, desc);
    puts(covered ? "" : "  [not suggested]");
    if (with_natl && len >= 6) {
        int f = 1;
        national(c, code, indent + 2, &f);
    }
}

/* Returns 1 when nothing is known under query. */
static int lookup_one(const ctx *c, const char *query)
{
    size_t first, count, n_desc = 0;
    char digits[HSC_CODE_MAX_DIGITS + 1];
    size_t qlen = 0;
    hsc_status st = hsc_code_parse(query, strlen(query), digits, sizeof digits, &qlen);
    if (st == HSC_OK)
        st = hsc_model_nomenclature_find(c->m, digits, qlen, &first, &count);
    if (st == HSC_E_BAD_CODE || strlen(query) == 0) {
        cli_error("lookup: '%s' is not a code (digits, '.' and spaces)", query);
        return 1;
    }
    int with_natl = c->national || qlen >= 6, first_json = 1, listed = 0;
    if (c->json) {
        fputs("{\"query\":", stdout);
        cli_json_string(stdout, digits, qlen);
        fputs(",\"entries\":[", stdout);
    }
    for (size_t i = first; i < first + count; i++) {
        const char *code, *desc;
        if (hsc_model_nomenclature_entry(c->m, i, c->lang, &code, &desc) != HSC_OK)
            continue;
        if (c->depth != UINT32_MAX && strlen(code) > qlen + c->depth)
            continue;
        if (!desc[0] && (desc = cli_describe(c->m, code, NULL)) == NULL)
            desc = "";
        entry(c, code, desc, qlen, with_natl, &first_json);
        n_desc++;
        listed = 1;
    }
    /* A code below the descriptions (a national line, or a subheading the
     * descriptions lack): its national lines alone. */
    if (!listed) {
        if (c->json) {
            fputs("],\"national\":[", stdout);
            int f = 1;
            listed = national(c, digits, 0, &f) > 0;
        } else {
            listed = national(c, digits, 0, &first_json) > 0;
        }
    }
    if (c->json)
        puts(listed ? "]}" : "],\"error\":\"not found\"}");
    if (!listed) {
        size_t n = 0;
        hsc_model_nomenclature_count(c->m, &n);
        cli_error("lookup: %s: not in the model's nomenclature%s", digits,
                  n ? "" : " (the model carries none: train it with --describe)");
        return 1;
    }
    return 0;
}

int cli_cmd_lookup(int argc, char **argv)
{
    cli_parser p;
    cli_parser_init(&p, "lookup", argc, argv);
    const char *model_path = NULL, *v;
    ctx c = {NULL, NULL, 0, 0, UINT32_MAX};
    int id, n_codes = 0, rc = CLI_EXIT_OK;
    char **codes = calloc((size_t)argc + 1, sizeof *codes);
    if (codes == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    while ((id = cli_next(&p, opts, &v)) != CLI_ARG_END) {
        switch (id) {
        case CLI_ARG_ERROR: rc = CLI_EXIT_USAGE; goto done;
        case CLI_ARG_POSITIONAL: codes[n_codes++] = (char *)v; break;
        case CLI_OPT_HELP: help(); goto done;
        case OPT_MODEL: model_path = v; break;
        case OPT_LANG: c.lang = v; break;
        case OPT_NATIONAL: c.national = 1; break;
        case OPT_DEPTH:
            if (!cli_opt_u32("lookup", "depth", v, &c.depth)) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            break;
        case OPT_FORMAT:
            if (strcmp(v, "jsonl") == 0 || strcmp(v, "json") == 0) {
                c.json = 1;
            } else if (strcmp(v, "text") != 0) {
                rc = cli_usage_error("lookup", "unknown format '%s' (text or jsonl)", v);
                goto done;
            }
            break;
        default: break;
        }
    }
    if (n_codes == 0) {
        rc = cli_usage_error("lookup", "missing CODE");
        goto done;
    }
    hsc_model *m = NULL;
    rc = cli_load_model("lookup", model_path, NULL, &m, NULL);
    if (rc == CLI_EXIT_OK && (rc = cli_check_lang("lookup", m, c.lang)) != CLI_EXIT_OK)
        hsc_model_free(m);
    if (rc != CLI_EXIT_OK)
        goto done;
    c.m = m;
    int failed = 0;
    for (int i = 0; i < n_codes; i++) {
        if (i > 0 && !c.json)
            putchar('\n');
        failed |= lookup_one(&c, codes[i]);
    }
    hsc_model_free(m);
    rc = failed ? CLI_EXIT_PARTIAL : CLI_EXIT_OK;
done:
    free(codes);
    return rc;
}

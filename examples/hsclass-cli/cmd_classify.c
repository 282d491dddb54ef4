/* cmd_classify.c - hsclass classify: one output line per description. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

enum { FMT_TEXT, FMT_TSV, FMT_JSONL };

enum { OPT_MODEL = 1, OPT_K, OPT_FORMAT, OPT_DIGITS, OPT_REPLACE, OPT_MAX_BYTES };

static const cli_opt opts[] = {
    {"model", 'm', 1, OPT_MODEL},
    {"top", 'k', 1, OPT_K},
    {"format", 'f', 1, OPT_FORMAT},
    {"digits", 'd', 1, OPT_DIGITS},
    {"utf8-replace", 0, 0, OPT_REPLACE},
    {"max-bytes", 0, 1, OPT_MAX_BYTES},
    {"help", 'h', 0, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

static void help(void)
{
    puts("Usage: hsclass classify [-m MODEL] [-k N] [--format text|tsv|jsonl] [--digits D]\n"
         "                        [--utf8-replace] [--max-bytes N] [TEXT...]\n"
         "\n"
         "Suggest HS codes for each TEXT, or for each line of standard input when no\n"
         "TEXT is given. Exactly one output line is written per input, in order, also\n"
         "for empty lines and for inputs that fail (the run goes on; exit code 1).\n"
         "Lines may have any length and end in LF or CRLF.\n"
         "\n"
         "Options:\n"
         "  -m, --model MODEL    model file (see below)\n"
         "  -k, --top N          suggestions per level (default 5)\n"
         "  -f, --format FMT     text (default), tsv or jsonl\n"
         "  -d, --digits D       code length of the main suggestions: 2, 4, 6, 8 or 10\n"
         "                       (default: the model's own labels)\n"
         "      --utf8-replace   replace invalid UTF-8 by U+FFFD instead of failing\n"
         "      --max-bytes N    longest description accepted (default 65536); longer\n"
         "                       ones fail with HSC_E_TEXT_TOO_LONG\n"
         "  -h, --help           show this help\n"
         "\n"
         "Formats (scores are calibrated probabilities):\n"
         "  text   CODE SCORE, CODE SCORE ... | chapters: CC SCORE, ... | headings: HHHH SCORE, ...\n"
         "         '(no suggestion)' when the text has no usable word, 'error: STATUS: message'\n"
         "  tsv    STATUS<TAB>CODE<TAB>SCORE<TAB>CODE<TAB>SCORE...  (STATUS is HSC_OK or an\n"
         "         error name followed by its message)\n"
         "  jsonl  {\"text\":...,\"suggestions\":[{\"code\":\"020130\",\"score\":0.91},...],\n"
         "          \"chapters\":[...],\"headings\":[...]}  or  {\"text\":...,\"error\":\"...\",\n"
         "          \"status\":20}; the text is echoed, invalid UTF-8 bytes as U+FFFD\n");
    cli_print_model_lookup(stdout);
}

typedef struct ctx {
    hsc_session *s;
    uint32_t k, digits;
    int format;
} ctx;

/* Results of one level; HSC_E_INVALID_ARG when the model lacks it. */
static hsc_status level_count(const ctx *c, uint32_t digits, size_t *n)
{
    hsc_status st = hsc_session_result_count(c->s, digits, n);
    if (st == HSC_OK && *n > c->k)
        *n = c->k;
    return st;
}

static void text_level(const ctx *c, uint32_t digits, const char *title)
{
    size_t n = 0;
    if (level_count(c, digits, &n) != HSC_OK || n == 0)
        return;
    printf(" | %s:", title);
    for (size_t i = 0; i < n; i++) {
        const char *code;
        double p;
        if (hsc_session_result(c->s, digits, i, &code, &p) == HSC_OK)
            printf("%s %s %.4f", i ? "," : "", code, p);
    }
}

static void json_level(const ctx *c, uint32_t digits, const char *key)
{
    size_t n = 0;
    if (level_count(c, digits, &n) != HSC_OK)
        return;
    printf(",\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        const char *code;
        double p;
        if (hsc_session_result(c->s, digits, i, &code, &p) != HSC_OK)
            continue;
        printf("%s{\"code\":", i ? "," : "");
        cli_json_string(stdout, code, strlen(code));
        fputs(",\"score\":", stdout);
        cli_json_number(stdout, p);
        putchar('}');
    }
    putchar(']');
}

static void print_error(const ctx *c, const char *text, size_t len, hsc_status st)
{
    const char *detail = hsc_session_last_error_detail(c->s);
    int has_detail = detail && *detail;
    char name[64];
    switch (c->format) {
    case FMT_JSONL:
        fputs("{\"text\":", stdout);
        cli_json_string(stdout, text, len);
        fputs(",\"error\":", stdout);
        {
            const char *msg = hsc_status_string(st);
            size_t mlen = strlen(msg), dlen = has_detail ? strlen(detail) : 0;
            char *full = malloc(mlen + dlen + 4);
            if (full) {
                memcpy(full, msg, mlen);
                if (has_detail) {
                    memcpy(full + mlen, " (", 2);
                    memcpy(full + mlen + 2, detail, dlen);
                    full[mlen + 2 + dlen] = ')';
                    mlen += dlen + 3;
                }
                cli_json_string(stdout, full, mlen);
                free(full);
            } else {
                cli_json_string(stdout, msg, mlen);
            }
        }
        printf(",\"status\":%d}\n", st);
        break;
    case FMT_TSV:
        printf("%s\t%s%s%s%s\n", cli_status_name(st, name, sizeof name), hsc_status_string(st),
               has_detail ? " (" : "", has_detail ? detail : "", has_detail ? ")" : "");
        break;
    default:
        printf("error: %s%s%s%s\n", hsc_status_string(st), has_detail ? " (" : "",
               has_detail ? detail : "", has_detail ? ")" : "");
    }
}

/* Classify and print one line; returns 1 if this input failed. */
static int classify_one(const ctx *c, const char *text, size_t len)
{
    hsc_status st = hsc_session_classify(c->s, text, len, c->k);
    size_t n = 0;
    if (st == HSC_OK)
        st = level_count(c, c->digits, &n);
    if (st != HSC_OK) {
        print_error(c, text, len, st);
        return 1;
    }
    if (c->format == FMT_JSONL) {
        fputs("{\"text\":", stdout);
        cli_json_string(stdout, text, len);
        json_level(c, c->digits, "suggestions");
        json_level(c, 2, "chapters");
        json_level(c, 4, "headings");
        fputs("}\n", stdout);
        return 0;
    }
    if (c->format == FMT_TSV) {
        fputs("HSC_OK", stdout);
        for (size_t i = 0; i < n; i++) {
            const char *code;
            double p;
            if (hsc_session_result(c->s, c->digits, i, &code, &p) == HSC_OK)
                printf("\t%s\t%.4f", code, p);
        }
        putchar('\n');
        return 0;
    }
    if (n == 0) {
        puts("(no suggestion)");
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const char *code;
        double p;
        if (hsc_session_result(c->s, c->digits, i, &code, &p) == HSC_OK)
            printf("%s%s %.4f", i ? ", " : "", code, p);
    }
    text_level(c, 2, "chapters");
    text_level(c, 4, "headings");
    putchar('\n');
    return 0;
}

/* Interactive use (a pipe or a terminal) needs each answer at once; a
 * regular file can be buffered. */
static int stdin_is_file(void)
{
    struct stat sb;
    return fstat(0, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int run(ctx *c, char **texts, int n_texts)
{
    int failed = 0;
    if (n_texts > 0) {
        for (int i = 0; i < n_texts; i++)
            failed |= classify_one(c, texts[i], strlen(texts[i]));
    } else {
        int flush = !stdin_is_file();
        char *line = NULL;
        size_t cap = 0;
        long long len;
        while ((len = cli_read_line(stdin, &line, &cap)) >= 0) {
            failed |= classify_one(c, line, (size_t)len);
            if (flush)
                fflush(stdout);
        }
        int rerr = ferror(stdin);
        free(line);
        if (rerr) {
            cli_error("classify: error reading standard input");
            return CLI_EXIT_MODEL;
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("classify: error writing standard output");
        return CLI_EXIT_MODEL;
    }
    return failed ? CLI_EXIT_PARTIAL : CLI_EXIT_OK;
}

/* Map --digits to a result level the model has; 0 = its labels. */
static int check_digits(ctx *c, const hsc_model *m, uint32_t digits, int given)
{
    c->digits = 0;
    if (!given)
        return CLI_EXIT_OK;
    if (digits != 2 && digits != 4 && digits != 6 && digits != 8 && digits != 10)
        return cli_usage_error("classify", "--digits must be 2, 4, 6, 8 or 10");
    size_t min_len = 0, uni = 0;
    hsc_status st = cli_label_lengths(m, &min_len, &uni);
    if (st != HSC_OK) {
        cli_error("classify: %s", hsc_status_string(st));
        return cli_exit_for(st);
    }
    if (digits == uni)
        return CLI_EXIT_OK;
    if (digits > min_len)
        return cli_usage_error("classify", "--digits %u: the model's codes have %zu digits",
                               (unsigned)digits, min_len);
    /* Ask the session whether it aggregates at this level. */
    size_t n;
    st = hsc_session_classify(c->s, "x", 1, 1);
    if (st == HSC_OK)
        st = hsc_session_result_count(c->s, digits, &n);
    if (st == HSC_E_INVALID_ARG)
        return cli_usage_error("classify", "--digits %u: the model has no such level",
                               (unsigned)digits);
    c->digits = digits;
    return CLI_EXIT_OK;
}

int cli_cmd_classify(int argc, char **argv)
{
    cli_parser p;
    cli_parser_init(&p, "classify", argc, argv);
    const char *model_path = NULL, *v;
    ctx c = {NULL, 5, 0, FMT_TEXT};
    uint32_t digits = 0, max_bytes = 0;
    int digits_given = 0, replace = 0, max_given = 0, id;
    char **texts = calloc((size_t)argc + 1, sizeof *texts);
    int n_texts = 0;
    if (!texts) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    int rc = CLI_EXIT_OK;
    while ((id = cli_next(&p, opts, &v)) != CLI_ARG_END) {
        switch (id) {
        case CLI_ARG_ERROR: rc = CLI_EXIT_USAGE; goto done;
        case CLI_ARG_POSITIONAL: texts[n_texts++] = (char *)v; break;
        case CLI_OPT_HELP: help(); goto done;
        case OPT_MODEL: model_path = v; break;
        case OPT_K:
            if (!cli_opt_u32("classify", "top", v, &c.k) || c.k == 0) {
                if (c.k == 0)
                    cli_usage_error("classify", "--top must be at least 1");
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            break;
        case OPT_FORMAT:
            if (strcmp(v, "text") == 0) {
                c.format = FMT_TEXT;
            } else if (strcmp(v, "tsv") == 0) {
                c.format = FMT_TSV;
            } else if (strcmp(v, "jsonl") == 0 || strcmp(v, "json") == 0) {
                c.format = FMT_JSONL;
            } else {
                rc = cli_usage_error("classify", "unknown format '%s' (text, tsv or jsonl)", v);
                goto done;
            }
            break;
        case OPT_DIGITS:
            if (!cli_opt_u32("classify", "digits", v, &digits)) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            digits_given = 1;
            break;
        case OPT_REPLACE: replace = 1; break;
        case OPT_MAX_BYTES:
            if (!cli_opt_u32("classify", "max-bytes", v, &max_bytes)) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            max_given = 1;
            break;
        default: break;
        }
    }

    hsc_config *cfg = NULL;
    hsc_model *m = NULL;
    hsc_status st = hsc_config_new(&cfg);
    if (st == HSC_OK && replace)
        st = hsc_config_set_u32(cfg, HSC_CFG_UTF8_REPLACE, 1);
    if (st == HSC_OK && max_given) {
        st = hsc_config_set_u32(cfg, HSC_CFG_MAX_TEXT_BYTES, max_bytes);
        if (st == HSC_E_INVALID_ARG) {
            rc = cli_usage_error("classify", "--max-bytes %u: out of range", (unsigned)max_bytes);
            goto cleanup;
        }
    }
    if (st != HSC_OK) {
        cli_error("classify: %s", hsc_status_string(st));
        rc = cli_exit_for(st);
        goto cleanup;
    }
    rc = cli_load_model("classify", model_path, cfg, &m, NULL);
    if (rc != CLI_EXIT_OK)
        goto cleanup;
    st = hsc_session_new(m, cfg, &c.s);
    if (st != HSC_OK) {
        cli_error("classify: cannot create a session: %s", hsc_status_string(st));
        rc = cli_exit_for(st);
        goto cleanup;
    }
    rc = check_digits(&c, m, digits, digits_given);
    if (rc == CLI_EXIT_OK)
        rc = run(&c, texts, n_texts);
cleanup:
    hsc_session_free(c.s);
    hsc_model_free(m);
    hsc_config_free(cfg);
done:
    free(texts);
    return rc;
}

/* cmd_classify.c - hsclass classify: one output line per description. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"

enum { FMT_TEXT, FMT_TSV, FMT_JSONL, FMT_LONG, FMT_CSV };

enum {
    OPT_MODEL = 1, OPT_K, OPT_FORMAT, OPT_DIGITS, OPT_REPLACE, OPT_MAX_BYTES, OPT_ONLY,
    OPT_NATIONAL, OPT_LANG, OPT_THRESHOLD, OPT_PRECEDENTS, OPT_COLUMN
};

static const cli_opt opts[] = {
    {"model", 'm', 1, OPT_MODEL},
    {"top", 'k', 1, OPT_K},
    {"format", 'f', 1, OPT_FORMAT},
    {"digits", 'd', 1, OPT_DIGITS},
    {"utf8-replace", 0, 0, OPT_REPLACE},
    {"max-bytes", 0, 1, OPT_MAX_BYTES},
    {"only", 0, 1, OPT_ONLY},
    {"national", 'n', 0, OPT_NATIONAL},
    {"lang", 'l', 1, OPT_LANG},
    {"threshold", 't', 1, OPT_THRESHOLD},
    {"precedents", 'p', 1, OPT_PRECEDENTS},
    {"column", 'c', 1, OPT_COLUMN},
    {"help", 'h', 0, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

static void help(void)
{
    puts("Usage: hsclass classify [-m MODEL] [-k N] [--format text|tsv|jsonl|long|csv]\n"
         "                        [--digits D] [--only CODES] [--national] [--lang L]\n"
         "                        [--threshold P] [--precedents N] [--column NAME]\n"
         "                        [--utf8-replace] [--max-bytes N] [TEXT...]\n"
         "\n"
         "Suggest HS codes for each TEXT, or for each line of standard input when no\n"
         "TEXT is given. Exactly one output line (a block in the long format) is written\n"
         "per input, in order, also for empty lines and for inputs that fail (the run\n"
         "goes on; exit code 1).\n"
         "Lines may have any length and end in LF or CRLF.\n"
         "\n"
         "Options:\n"
         "  -m, --model MODEL    model file (see below)\n"
         "  -k, --top N          suggestions per level (default 5)\n"
         "  -f, --format FMT     text (default), tsv, jsonl, long or csv\n"
         "  -c, --column NAME    csv: the column holding the descriptions, by header name\n"
         "                       or number from 1 (default: description)\n"
         "  -d, --digits D       code length of the main suggestions: 2, 4, 6, 8 or 10\n"
         "                       (default: the model's own labels)\n"
         "      --only CODES     suggest only codes under these chapters, headings or\n"
         "                       other prefixes, e.g. 84,8517 (commas or semicolons\n"
         "                       between codes; '.' and spaces inside one are ignored,\n"
         "                       so \"84 85\" is heading 8485); scores are then\n"
         "                       probabilities given that the code is among them\n"
         "  -n, --national       list the national tariff lines the model carries under\n"
         "                       each suggestion of 6 or more digits (jsonl and long)\n"
         "  -l, --lang L         language of the descriptions (default: the model's first)\n"
         "  -t, --threshold P    accept a suggestion at probability P or more (default:\n"
         "                       the model's threshold)\n"
         "  -p, --precedents N   also list the N training rows nearest to the text (the\n"
         "                       model's precedent memory): code, similarity, text when\n"
         "                       the model keeps texts, and the training file\n"
         "      --utf8-replace   replace invalid UTF-8 by U+FFFD instead of failing\n"
         CLI_MAX_BYTES_HELP
         "  -h, --help           show this help\n");
    puts("Formats (scores are calibrated probabilities):\n"
         "  text   CODE SCORE, CODE SCORE ... | chapters: CC SCORE, ... | headings: HHHH SCORE, ...\n"
         "         | accept  (or | review (REASON)); '(no suggestion)' when the text has no\n"
         "         usable word, 'error: STATUS: message'\n"
         "  tsv    HSC_OK<TAB>CODE<TAB>SCORE... (k pairs, empty when fewer suggestions)\n"
         "         <TAB>DECISION<TAB>REASON (accept/review and the reason's name, as jsonl);\n"
         "         a failed input: ERROR_NAME<TAB>message\n"
         "  csv    standard input is an RFC 4180 CSV file with a header row; every input\n"
         "         column is written through, followed by code_1,score_1...code_K,score_K,\n"
         "         decision,reason (the header says so). A missing or empty description\n"
         "         is reviewed (no_content); a failed one gets decision 'error' and the\n"
         "         status name as its reason. Records end in CRLF; fields are quoted as\n"
         "         needed, so a spreadsheet reads the result back unchanged\n"
         "  jsonl  {\"text\":...,\"decision\":\"review\",\"reason\":\"low_confidence\",\n"
         "          \"threshold\":0.9,\"suggestions\":[{\"code\":\"020130\",\"score\":0.91,\n"
         "          \"description\":\"...\",\"national\":[{\"scheme\":...,\"code\":...,\n"
         "          \"description\":...}]},...],\"chapters\":[...],\"headings\":[...]}  or\n"
         "          {\"text\":...,\"error\":\"...\",\"status\":20}; the text is echoed, invalid\n"
         "          UTF-8 bytes as U+FFFD; description only when the model has one\n"
         "  long   a block per text: the decision, then each suggestion with its\n"
         "         description (and national lines), then an empty line\n"
         "\n"
         "Decisions: accept when the text has a content word the model knows and the\n"
         "best code's probability reaches the threshold; else review, with the reason:\n"
         "low_confidence, no_content (only numbers, units, function words), vague\n"
         "(only generic words: goods, parts, samples...), unknown_words, constraint\n"
         "(nothing under --only, or the text points elsewhere: under --only the decision\n"
         "uses the best allowed code's probability without the constraint).\n");
    cli_print_model_lookup(stdout);
}

typedef struct ctx {
    hsc_session *s;
    uint32_t k, digits;
    int format;
    const hsc_model *m;
    const char *lang;
    int national;
    uint32_t precedents;       /* nearest training rows to print */
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

static void json_national(const ctx *c, const char *code)
{
    size_t n_schemes = 0, first, count;
    fputs(",\"national\":[", stdout);
    hsc_model_national_scheme_count(c->m, &n_schemes);
    int any = 0;
    for (size_t k = 0; k < n_schemes && strlen(code) >= 6; k++) {
        const char *scheme, *line, *desc;
        if (hsc_model_national_scheme(c->m, k, &scheme, NULL) != HSC_OK ||
            hsc_model_national_find(c->m, k, code, strlen(code), &first, &count) != HSC_OK)
            continue;
        for (size_t i = first; i < first + count; i++) {
            if (hsc_model_national_line(c->m, k, i, &line, &desc) != HSC_OK)
                continue;
            fputs(any++ ? ",{\"scheme\":" : "{\"scheme\":", stdout);
            cli_json_string(stdout, scheme, strlen(scheme));
            fputs(",\"code\":", stdout);
            cli_json_string(stdout, line, strlen(line));
            fputs(",\"description\":", stdout);
            cli_json_string(stdout, desc, strlen(desc));
            putchar('}');
        }
    }
    putchar(']');
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
        const char *desc = cli_describe(c->m, code, c->lang);
        if (desc != NULL) {
            fputs(",\"description\":", stdout);
            cli_json_string(stdout, desc, strlen(desc));
        }
        if (c->national && digits == c->digits)
            json_national(c, code);
        putchar('}');
    }
    putchar(']');
}

/* " | accept", " | review (low confidence)". */
static void text_decision(const ctx *c)
{
    uint32_t d = 0, r = 0;
    if (hsc_session_decision(c->s, &d, &r) != HSC_OK)
        return;
    if (d == HSC_DECISION_ACCEPT) {
        fputs(" | accept", stdout);
        return;
    }
    const char *name = cli_reason_name(r);
    fputs(" | review (", stdout);
    for (; *name; name++)
        putchar(*name == '_' ? ' ' : *name);
    putchar(')');
}

static void json_decision(const ctx *c)
{
    uint32_t d = 0, r = 0;
    double thr = 0;
    hsc_session_decision(c->s, &d, &r);
    hsc_session_accept_threshold(c->s, &thr);
    printf(",\"decision\":\"%s\",\"reason\":\"%s\",\"threshold\":", cli_decision_name(d),
           cli_reason_name(r));
    cli_json_number(stdout, thr);
}

/* The long format: the decision, then a numbered suggestion per line with
 * its description and national lines. */
static void long_block(const ctx *c, const char *text, size_t len, size_t n)
{
    uint32_t d = 0, r = 0;
    double thr = 0, p;
    const char *code;
    hsc_session_decision(c->s, &d, &r);
    hsc_session_accept_threshold(c->s, &thr);
    cli_term_text(stdout, text, len);
    printf("\n  %s (%s; threshold %.4f)\n", cli_decision_name(d), hsc_decision_reason_string(r),
           thr);
    for (size_t i = 0; i < n; i++) {
        if (hsc_session_result(c->s, c->digits, i, &code, &p) != HSC_OK)
            continue;
        const char *desc = cli_describe(c->m, code, c->lang);
        printf("  %zu. %-10s %.4f  ", i + 1, code, p);
        cli_term_str(stdout, desc);
        putchar('\n');
        size_t n_schemes = 0, first, count;
        if (!c->national || strlen(code) < 6)
            continue;
        hsc_model_national_scheme_count(c->m, &n_schemes);
        for (size_t k = 0; k < n_schemes; k++) {
            const char *scheme, *line, *ldesc;
            if (hsc_model_national_scheme(c->m, k, &scheme, NULL) != HSC_OK ||
                hsc_model_national_find(c->m, k, code, strlen(code), &first, &count) != HSC_OK)
                continue;
            for (size_t j = first; j < first + count; j++) {
                if (hsc_model_national_line(c->m, k, j, &line, &ldesc) != HSC_OK)
                    continue;
                printf("       %s %s  ", scheme, line);
                cli_term_str(stdout, ldesc);
                putchar('\n');
            }
        }
    }
    if (n == 0)
        puts("  (no suggestion)");
    cli_print_precedents(stdout, c->s, c->precedents, CLI_PREC_BLOCK);
    putchar('\n');
}

static void print_error(const ctx *c, const char *text, size_t len, hsc_status st)
{
    const char *detail = hsc_session_last_error_detail(c->s);
    int has_detail = detail != NULL && *detail;
    char name[64];
    switch (c->format) {
    case FMT_JSONL:
        fputs("{\"text\":", stdout);
        cli_json_string(stdout, text, cli_echo_len(text, len));
        fputs(",\"error\":", stdout);
        {
            const char *msg = hsc_status_string(st);
            size_t mlen = strlen(msg), dlen = has_detail ? strlen(detail) : 0;
            char *full = malloc(mlen + dlen + 4);
            if (full != NULL) {
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

/* The k suggestion pairs (empty past the last one), the decision and its
 * reason, each after a separator: the tsv and csv columns. */
static void table_columns(const ctx *c, size_t n, char sep)
{
    for (size_t i = 0; i < c->k; i++) {
        const char *code = "";
        double p = 0;
        char num[32] = "";
        if (i < n && hsc_session_result(c->s, c->digits, i, &code, &p) == HSC_OK)
            snprintf(num, sizeof num, "%.4f", p);
        else
            code = "";
        csv_write_field(stdout, code, strlen(code), sep, 0);
        csv_write_field(stdout, num, strlen(num), sep, 0);
    }
    uint32_t d = 0, r = 0;
    hsc_session_decision(c->s, &d, &r);
    printf("%c%s%c%s", sep, cli_decision_name(d), sep, cli_reason_name(r));
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
    if (c->format == FMT_LONG) {
        long_block(c, text, len, n);
        return 0;
    }
    if (c->format == FMT_JSONL) {
        fputs("{\"text\":", stdout);
        cli_json_string(stdout, text, len);
        json_decision(c);
        json_level(c, c->digits, "suggestions");
        json_level(c, 2, "chapters");
        json_level(c, 4, "headings");
        if (c->precedents > 0)
            cli_print_precedents(stdout, c->s, c->precedents, CLI_PREC_JSON);
        fputs("}\n", stdout);
        return 0;
    }
    if (c->format == FMT_TSV) {
        fputs("HSC_OK", stdout);
        table_columns(c, n, '\t');
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
    text_decision(c);
    cli_print_precedents(stdout, c->s, c->precedents, CLI_PREC_TEXT);
    putchar('\n');
    return 0;
}

static int one_line(void *c, const char *text, size_t len)
{
    return classify_one(c, text, len);
}

static int run(ctx *c, char **texts, int n_texts)
{
    return cli_for_each_text("classify", texts, n_texts, one_line, c);
}

/* --format csv: standard input's records with the columns added. */
static int run_csv(ctx *c, const char *column)
{
    csv_reader r;
    csv_reader_init(&r, stdin, ',');
    int got = csv_read(&r), rc = CLI_EXIT_OK;
    long col = got == 1 ? csv_column(&r, column) : -1;
    if (got != 1 || col < 0) {
        if (got == 1)
            cli_error("classify: no column '%s' in the CSV header", column);
        else
            cli_error("classify: %s", got == 0 ? "the CSV input is empty (a header row is needed)"
                                               : "cannot read the CSV input");
        csv_reader_free(&r);
        return CLI_EXIT_USAGE;
    }
    size_t width = r.n, len;
    for (size_t i = 0; i < width; i++) {
        const char *f = csv_field(&r, i, &len);
        csv_write_field(stdout, f, len, ',', i == 0);
    }
    for (uint32_t i = 1; i <= c->k; i++)
        printf(",code_%u,score_%u", (unsigned)i, (unsigned)i);
    fputs(",decision,reason", stdout);
    csv_end_record(stdout, ',');
    while ((got = csv_read(&r)) == 1) {
        for (size_t i = 0; i < width; i++) {
            const char *f = csv_field(&r, i, &len);
            csv_write_field(stdout, f, len, ',', i == 0);
        }
        const char *text = csv_field(&r, (size_t)col, &len);
        hsc_status st = hsc_session_classify(c->s, text, len, c->k);
        size_t n = 0;
        if (st == HSC_OK)
            st = level_count(c, c->digits, &n);
        if (st == HSC_OK) {
            table_columns(c, n, ',');
        } else {
            char name[64];
            for (uint32_t i = 0; i < c->k; i++)
                fputs(",,", stdout);
            printf(",error,%s", cli_status_name(st, name, sizeof name));
            fprintf(stderr, "classify: line %llu: %s\n", (unsigned long long)r.line,
                    hsc_status_string(st));
            rc = CLI_EXIT_PARTIAL;
        }
        csv_end_record(stdout, ',');
    }
    if (got < 0) {
        cli_error("classify: line %llu: unterminated quoted field or read error",
                  (unsigned long long)r.line);
        rc = CLI_EXIT_PARTIAL;
    }
    csv_reader_free(&r);
    return rc;
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
    hsc_status st = cli_label_lengths(m, &min_len, &uni, NULL);
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
    const char *model_path = NULL, *v, *only = NULL, *column = NULL;
    ctx c = {NULL, 5, 0, FMT_TEXT, NULL, NULL, 0, 0};
    uint32_t digits = 0, max_bytes = 0;
    double threshold = -1.0;
    int digits_given = 0, replace = 0, max_given = 0, id;
    char **texts = calloc((size_t)argc + 1, sizeof *texts);
    int n_texts = 0;
    if (texts == NULL) {
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
            } else if (strcmp(v, "long") == 0) {
                c.format = FMT_LONG;
            } else if (strcmp(v, "csv") == 0) {
                c.format = FMT_CSV;
            } else {
                rc = cli_usage_error("classify",
                                     "unknown format '%s' (text, tsv, jsonl, long or csv)", v);
                goto done;
            }
            break;
        case OPT_ONLY: only = v; break;
        case OPT_COLUMN: column = v; break;
        case OPT_NATIONAL: c.national = 1; break;
        case OPT_LANG: c.lang = v; break;
        case OPT_PRECEDENTS:
            if (!cli_opt_u32("classify", "precedents", v, &c.precedents)) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            break;
        case OPT_THRESHOLD:
            if (!cli_opt_probability("classify", "threshold", v, &threshold)) {
                rc = CLI_EXIT_USAGE;
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
    if (c.national && (c.format == FMT_TEXT || c.format == FMT_TSV || c.format == FMT_CSV)) {
        rc = cli_usage_error("classify", "--national needs --format jsonl or long");
        goto done;
    }
    if (c.format == FMT_CSV && n_texts > 0) {
        rc = cli_usage_error("classify", "--format csv reads the CSV from standard input, "
                                         "not TEXT arguments");
        goto done;
    }
    if (column != NULL && c.format != FMT_CSV) {
        rc = cli_usage_error("classify", "--column needs --format csv");
        goto done;
    }
    hsc_status st = hsc_config_new(&cfg);
    if (st == HSC_OK && replace)
        st = hsc_config_set_u32(cfg, HSC_CFG_UTF8_REPLACE, 1);
    if (st == HSC_OK && threshold >= 0)
        st = hsc_config_set_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, threshold);
    if (st == HSC_OK && max_given &&
        (st = cli_set_max_bytes("classify", cfg, max_bytes)) == HSC_E_INVALID_ARG) {
        rc = CLI_EXIT_USAGE;
        goto cleanup;
    }
    if (st != HSC_OK) {
        cli_error("classify: %s", hsc_status_string(st));
        rc = cli_exit_for(st);
        goto cleanup;
    }
    rc = cli_load_model("classify", model_path, cfg, &m, NULL);
    if (rc == CLI_EXIT_OK)
        rc = cli_check_lang("classify", m, c.lang);
    if (rc != CLI_EXIT_OK)
        goto cleanup;
    st = hsc_session_new(m, cfg, &c.s);
    if (st != HSC_OK) {
        cli_error("classify: cannot create a session: %s", hsc_status_string(st));
        rc = cli_exit_for(st);
        goto cleanup;
    }
    c.m = m;
    rc = check_digits(&c, m, digits, digits_given);
    if (rc == CLI_EXIT_OK && only != NULL) {
        st = hsc_session_set_constraint(c.s, only, strlen(only));
        if (st == HSC_E_BAD_CODE)
            rc = cli_usage_error("classify", "--only '%s': expected codes of 2 to 12 digits "
                                             "separated by commas or semicolons", only);
        else if (st != HSC_OK)
            rc = cli_exit_for(st);
    }
    if (rc == CLI_EXIT_OK)
        rc = c.format == FMT_CSV ? run_csv(&c, column != NULL ? column : "description")
                                 : run(&c, texts, n_texts);
cleanup:
    hsc_session_free(c.s);
    hsc_model_free(m);
    hsc_config_free(cfg);
done:
    free(texts);
    return rc;
}

/* cmd_audit.c - hsclass audit: declared codes checked against their
 * descriptions, most suspicious lines first (the library's audit rule,
 * hsc_session_audit), as TSV and optionally an HTML page. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "csv.h"

enum {
    OPT_MODEL = 1, OPT_CODE_COL, OPT_TEXT_COL, OPT_ID_COL, OPT_INPUT_FORMAT, OPT_THRESHOLD,
    OPT_ALL, OPT_HTML, OPT_LIMIT
};

static const cli_opt opts[] = {
    {"model", 'm', 1, OPT_MODEL},
    {"code-col", 0, 1, OPT_CODE_COL},
    {"text-col", 0, 1, OPT_TEXT_COL},
    {"id-col", 0, 1, OPT_ID_COL},
    {"input-format", 0, 1, OPT_INPUT_FORMAT},
    {"threshold", 't', 1, OPT_THRESHOLD},
    {"all", 'a', 0, OPT_ALL},
    {"html", 0, 1, OPT_HTML},
    {"limit", 0, 1, OPT_LIMIT},
    {"help", 'h', 0, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

static void help(void)
{
    puts("Usage: hsclass audit [-m MODEL] [--code-col NAME] [--text-col NAME] [--id-col NAME]\n"
         "                     [--input-format csv|tsv] [--threshold P] [--all] [--html FILE]\n"
         "                     [--limit N] FILE\n"
         "\n"
         "Check the HS code declared on each line of FILE (\"-\" for stdin) against the\n"
         "line's goods description, and list the lines whose description points\n"
         "elsewhere, most suspicious first. FILE is a CSV (RFC 4180) or TSV table with\n"
         "a header row; .tsv and .tab files, or a header with a tab and no comma, are\n"
         "read as TSV.\n"
         "\n"
         "The rule (hsc_session_audit, the same in the library, the bindings and the\n"
         "service): the declared code is scored at the deepest level the model has\n"
         "within both its length and 6 digits; it is SUSPECT when its probability is\n"
         "below the threshold, CONSISTENT otherwise, and UNCHECKED when the description\n"
         "gives nothing to check against (no content, only vague or unknown words).\n"
         "The default threshold is fitted so that about 10% of correctly declared\n"
         "lines fall below it (bench/audit.py measures recall on swapped codes).\n"
         "\n"
         "Options:\n"
         "  -m, --model MODEL     model file (see below)\n"
         "      --code-col NAME   column of the declared code (default: code); by header\n"
         "                        name or number from 1\n"
         "      --text-col NAME   column of the description (default: description)\n"
         "      --id-col NAME     column identifying the line (e.g. a declaration and\n"
         "                        item number; default: none, the line number is shown)\n"
         "      --input-format F  csv or tsv (default: from the name or the header)\n"
         "  -t, --threshold P     audit threshold (default: the library's, see above)\n"
         "  -a, --all             list every line (suspect, consistent, unchecked), not\n"
         "                        only the suspect ones\n"
         "      --html FILE       also write a self-contained HTML page of the findings\n"
         "      --limit N         lines on the HTML page (default 1000; 0: all)\n"
         "  -h, --help            show this help\n"
         "\n"
         "Output (TSV, one header row): line, id, declared, verdict, probability (of\n"
         "the declared code at the audited level), p2, rank2, p4, rank4, p6, rank6 (the\n"
         "declared code's probability and rank among the model's codes of that level;\n"
         "rank empty when the model has no such code), best, best_probability (the\n"
         "model's own code), reason (of the decision on the description), description.\n"
         "A summary goes to stderr. Lines whose declared code is malformed are reported\n"
         "as FILE:LINE on stderr and skipped; a description the library rejects (bad\n"
         "UTF-8, too long) is reported so and listed as unchecked (exit code 1 for both).\n");
    cli_print_model_lookup(stdout);
}

static const uint32_t levels[AUDIT_LEVELS] = {2, 4, 6};

static char *dup_field(const char *s, size_t len)
{
    char *d = malloc(len + 1);
    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

/* Audit the current record into a new line of run; 0 on no memory. */
static int audit_record(audit_run *run, hsc_session *s, const csv_reader *r, long code_col,
                        long text_col, long id_col, const char *path)
{
    size_t clen, tlen, ilen;
    const char *code = csv_field(r, (size_t)code_col, &clen);
    const char *text = csv_field(r, (size_t)text_col, &tlen);
    char digits[HSC_CODE_MAX_DIGITS + 1];
    size_t nd = 0;
    if (hsc_code_parse(code, clen, digits, sizeof digits, &nd) != HSC_OK || nd < 2) {
        fprintf(stderr, "%s:%llu: malformed declared code '%.*s'\n", path,
                (unsigned long long)r->line, (int)(clen > 40 ? 40 : clen), code);
        run->bad_codes++;
        return 1;
    }
    if (run->n == run->cap) {
        size_t cap = run->cap ? run->cap * 2 : 1024;
        audit_line *l = realloc(run->lines, cap * sizeof *l);
        if (l == NULL)
            return 0;
        run->lines = l;
        run->cap = cap;
    }
    audit_line *a = &run->lines[run->n];
    memset(a, 0, sizeof *a);
    a->line = r->line;
    memcpy(a->declared, digits, nd + 1);
    a->text = dup_field(text, tlen);
    const char *id = id_col >= 0 ? csv_field(r, (size_t)id_col, &ilen) : NULL;
    a->id = id != NULL ? dup_field(id, ilen) : NULL;
    if (a->text == NULL || (id != NULL && a->id == NULL)) {
        free(a->text);
        free(a->id);
        return 0;
    }
    run->n++;
    hsc_status st = hsc_session_classify(s, text, tlen, 1);
    if (st != HSC_OK) {   /* a text the library rejects: nothing to check against */
        a->verdict = HSC_AUDIT_UNCHECKED;
        run->rejected++;
        fprintf(stderr, "%s:%llu: %s\n", path, (unsigned long long)r->line,
                hsc_status_string(st));
        run->by_verdict[a->verdict]++;
        return 1;
    }
    uint32_t decision;
    hsc_session_decision(s, &decision, &a->reason);
    hsc_session_audit(s, digits, nd, &a->verdict, &a->p, &a->digits);
    for (int l = 0; l < AUDIT_LEVELS; l++)
        if (nd >= levels[l])
            hsc_session_code_score(s, digits, nd, levels[l], &a->level_p[l], &a->level_rank[l]);
    const char *best;
    if (hsc_session_result(s, 0, 0, &best, &a->best_p) == HSC_OK)
        snprintf(a->best, sizeof a->best, "%s", best);
    run->by_verdict[a->verdict < 4 ? a->verdict : 0]++;
    return 1;
}

/* Suspect first, then consistent, then unchecked; within each, the lowest
 * probability of the declared code first; then input order. */
static int by_suspicion(const void *x, const void *y)
{
    static const int order[4] = {3, 1, 0, 2};
    const audit_line *a = x, *b = y;
    int oa = order[a->verdict < 4 ? a->verdict : 0], ob = order[b->verdict < 4 ? b->verdict : 0];
    if (oa != ob)
        return oa - ob;
    if (a->p != b->p)
        return a->p < b->p ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static void print_number(double v, int sig)
{
    printf("\t%.*g", sig, v);
}

static void print_lines(const audit_run *run, int all)
{
    fputs("line\tid\tdeclared\tverdict\tprobability\tp2\trank2\tp4\trank4\tp6\trank6\tbest\t"
          "best_probability\treason\tdescription\n", stdout);
    for (size_t i = 0; i < run->n; i++) {
        const audit_line *a = &run->lines[i];
        if (!all && a->verdict != HSC_AUDIT_SUSPECT)
            break;
        printf("%llu\t", (unsigned long long)a->line);
        if (a->id != NULL)
            csv_write_field(stdout, a->id, strlen(a->id), '\t', 1);
        printf("\t%s\t%s", a->declared, cli_verdict_name(a->verdict));
        print_number(a->p, 4);
        for (int l = 0; l < AUDIT_LEVELS; l++) {
            if (strlen(a->declared) < levels[l]) {
                fputs("\t\t", stdout);
                continue;
            }
            print_number(a->level_p[l], 4);
            if (a->level_rank[l] > 0)
                printf("\t%llu", (unsigned long long)a->level_rank[l]);
            else
                putchar('\t');
        }
        printf("\t%s\t", a->best);
        if (a->best[0] != '\0')
            printf("%.4f", a->best_p);
        printf("\t%s", cli_reason_name(a->reason));
        csv_write_field(stdout, a->text, strlen(a->text), '\t', 0);
        putchar('\n');
    }
}

static char input_sep(const char *path, const char *format)
{
    if (format != NULL)
        return strcmp(format, "tsv") == 0 ? '\t' : ',';
    size_t n = strlen(path);
    if ((n > 4 && strcmp(path + n - 4, ".tsv") == 0) || (n > 4 && strcmp(path + n - 4, ".tab") == 0))
        return '\t';
    return 0;   /* decided by the header */
}

static int audit_file(audit_run *run, hsc_session *s, const char *path, const char *format,
                      const char *code_name, const char *text_name, const char *id_name)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        cli_error("audit: cannot open '%s'", path);
        return CLI_EXIT_MODEL;
    }
    /* The header line decides the separator when the name does not: a tab
     * and no comma is TSV. It is parsed on its own, the rest from f. */
    char *head = NULL;
    size_t cap = 0;
    long long hlen = cli_read_line(f, &head, &cap);
    char sep = input_sep(path, format);
    if (sep == 0)
        sep = hlen > 0 && memchr(head, '\t', (size_t)hlen) && !memchr(head, ',', (size_t)hlen)
            ? '\t' : ',';
    FILE *hf = hlen > 0 ? fmemopen(head, (size_t)hlen, "rb") : NULL;
    csv_reader h, r;
    csv_reader_init(&h, hf, sep);
    csv_reader_init(&r, f, sep);
    r.next_line = 2;
    r.bom_checked = 1;
    int got = hf != NULL ? csv_read(&h) : 0, rc = CLI_EXIT_OK;
    long code_col = got == 1 ? csv_column(&h, code_name) : -1;
    long text_col = got == 1 ? csv_column(&h, text_name) : -1;
    long id_col = got == 1 && id_name != NULL ? csv_column(&h, id_name) : -1;
    if (got != 1) {
        cli_error("audit: '%s': %s", path, hlen < 0 && ferror(f) ? "cannot read it"
                                           : "no header row (the first line names the columns)");
        rc = CLI_EXIT_USAGE;
    } else if (code_col < 0 || text_col < 0 || (id_name != NULL && id_col < 0)) {
        cli_error("audit: '%s' has no column '%s'", path,
                  code_col < 0 ? code_name : text_col < 0 ? text_name : id_name);
        rc = CLI_EXIT_USAGE;
    }
    csv_reader_free(&h);
    if (hf != NULL)
        fclose(hf);
    free(head);
    while (rc == CLI_EXIT_OK && (got = csv_read(&r)) == 1)
        if (!audit_record(run, s, &r, code_col, text_col, id_col, path)) {
            cli_error("out of memory");
            rc = CLI_EXIT_INTERNAL;
        }
    if (rc == CLI_EXIT_OK && got < 0) {
        cli_error("audit: %s:%llu: unterminated quoted field or read error", path,
                  (unsigned long long)r.line);
        rc = CLI_EXIT_PARTIAL;
    }
    csv_reader_free(&r);
    if (f != stdin)
        fclose(f);
    return rc;
}

int cli_cmd_audit(int argc, char **argv)
{
    cli_parser p;
    cli_parser_init(&p, "audit", argc, argv);
    const char *model_path = NULL, *input = NULL, *v, *used = NULL, *html = NULL;
    const char *code_col = "code", *text_col = "description", *id_col = NULL, *format = NULL;
    double threshold = -1;
    uint32_t limit = 1000;
    int all = 0, id;
    while ((id = cli_next(&p, opts, &v)) != CLI_ARG_END) {
        switch (id) {
        case CLI_ARG_ERROR: return CLI_EXIT_USAGE;
        case CLI_OPT_HELP: help(); return CLI_EXIT_OK;
        case OPT_MODEL: model_path = v; break;
        case OPT_CODE_COL: code_col = v; break;
        case OPT_TEXT_COL: text_col = v; break;
        case OPT_ID_COL: id_col = v; break;
        case OPT_ALL: all = 1; break;
        case OPT_HTML: html = v; break;
        case OPT_INPUT_FORMAT:
            if (strcmp(v, "csv") != 0 && strcmp(v, "tsv") != 0)
                return cli_usage_error("audit", "--input-format must be csv or tsv");
            format = v;
            break;
        case OPT_LIMIT:
            if (!cli_opt_u32("audit", "limit", v, &limit))
                return CLI_EXIT_USAGE;
            break;
        case OPT_THRESHOLD:
            if (!cli_opt_probability("audit", "threshold", v, &threshold))
                return CLI_EXIT_USAGE;
            break;
        case CLI_ARG_POSITIONAL:
            if (input != NULL)
                return cli_usage_error("audit", "only one input file can be given");
            input = v;
            break;
        default: break;
        }
    }
    if (input == NULL)
        return cli_usage_error("audit", "missing FILE (CSV or TSV of declarations)");

    hsc_config *cfg = NULL;
    hsc_model *m = NULL;
    hsc_session *s = NULL;
    audit_run run;
    memset(&run, 0, sizeof run);
    hsc_status hs = hsc_config_new(&cfg);
    if (hs == HSC_OK && threshold >= 0)
        hs = hsc_config_set_f64(cfg, HSC_CFG_AUDIT_THRESHOLD, threshold);
    int rc = hs == HSC_OK ? cli_load_model("audit", model_path, cfg, &m, &used) : cli_exit_for(hs);
    if (rc == CLI_EXIT_OK) {
        hs = hsc_session_new(m, cfg, &s);
        if (hs == HSC_OK)
            hs = hsc_session_audit_threshold(s, &run.threshold);
        if (hs != HSC_OK) {
            cli_error("audit: %s", hsc_status_string(hs));
            rc = cli_exit_for(hs);
        }
    }
    if (rc == CLI_EXIT_OK)
        rc = audit_file(&run, s, input, format, code_col, text_col, id_col);
    if (rc == CLI_EXIT_OK || rc == CLI_EXIT_PARTIAL) {
        if (run.n > 0)
            qsort(run.lines, run.n, sizeof *run.lines, by_suspicion);
        print_lines(&run, all);
        fprintf(stderr, "audit: %zu lines: %llu suspect, %llu consistent, %llu unchecked; "
                        "%llu malformed codes; threshold %g\n",
                run.n, (unsigned long long)run.by_verdict[HSC_AUDIT_SUSPECT],
                (unsigned long long)run.by_verdict[HSC_AUDIT_CONSISTENT],
                (unsigned long long)run.by_verdict[HSC_AUDIT_UNCHECKED],
                (unsigned long long)run.bad_codes, run.threshold);
        if (html != NULL) {
            int hrc = audit_write_html(html, &run, m, used, input, limit);
            if (hrc != CLI_EXIT_OK)
                rc = hrc;
        }
        if (rc == CLI_EXIT_OK && (run.bad_codes > 0 || run.rejected > 0))
            rc = CLI_EXIT_PARTIAL;
    }
    for (size_t i = 0; i < run.n; i++) {
        free(run.lines[i].id);
        free(run.lines[i].text);
    }
    free(run.lines);
    hsc_session_free(s);
    hsc_model_free(m);
    hsc_config_free(cfg);
    return rc;
}

/* cmd_eval.c - hsclass eval: accuracy of a model on a labeled TSV file.
 * Gold and predicted codes are truncated to 2, 4 and 6 digits. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_MODEL = 1, OPT_BY_CHAPTER, OPT_FORMAT, OPT_QUIET };

static const cli_opt opts[] = {
    {"model", 'm', 1, OPT_MODEL},
    {"by-chapter", 'c', 0, OPT_BY_CHAPTER},
    {"format", 'f', 1, OPT_FORMAT},
    {"quiet", 'q', 0, OPT_QUIET},
    {"help", 'h', 0, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

static void help(void)
{
    puts("Usage: hsclass eval [-m MODEL] [--by-chapter] [--format text|json] TEST.tsv\n"
         "\n"
         "Classify every \"code<TAB>description\" row of TEST.tsv (\"-\" for stdin) and\n"
         "report top-1 and top-5 accuracy at 2, 4 and 6 digits: gold and suggested\n"
         "codes are both truncated to the level (a level longer than the model's codes\n"
         "or a row's gold code is not counted). Malformed rows and rows that fail are\n"
         "reported as FILE:LINE on stderr, skipped, and make the exit code 1.\n"
         "\n"
         "Options:\n"
         "  -m, --model MODEL    model file (see below)\n"
         "  -c, --by-chapter     add a per-chapter table (rows, top-1/top-5 at 6 digits)\n"
         "  -f, --format FMT     text (default) or json (one object)\n"
         "  -q, --quiet          do not report malformed rows one by one\n"
         "  -h, --help           show this help");
    cli_print_model_lookup(stdout);
}

#define TOPK 5
static const uint32_t levels[3] = {2, 4, 6};

typedef struct tally {
    uint64_t rows, top1, top5;
} tally;

typedef struct stats {
    uint64_t rows, malformed, failed;
    tally level[3];
    tally chapter[100]; /* at 6 digits, by the gold chapter */
    double seconds;
} stats;

/* "0201.30" -> "020130": digits, with '.' and ' ' ignored. */
static int parse_code(const char *s, size_t len, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (n + 1 >= size)
                return 0;
            out[n++] = s[i];
        } else if (s[i] != '.' && s[i] != ' ') {
            return 0;
        }
    }
    out[n] = '\0';
    return n >= 2;
}

static void score_row(stats *st, const hsc_session *s, const char *gold, size_t label_min)
{
    size_t n = 0;
    hsc_session_result_count(s, 0, &n);
    if (n > TOPK)
        n = TOPK;
    const char *pred[TOPK];
    for (size_t i = 0; i < n; i++) {
        double p;
        if (hsc_session_result(s, 0, i, &pred[i], &p) != HSC_OK)
            pred[i] = "";
    }
    size_t glen = strlen(gold);
    int chapter = (gold[0] - '0') * 10 + (gold[1] - '0');
    for (int l = 0; l < 3; l++) {
        size_t d = levels[l];
        if (glen < d || label_min < d)
            continue;
        tally *t = &st->level[l];
        t->rows++;
        int hit1 = 0, hit5 = 0;
        for (size_t i = 0; i < n; i++) {
            if (strlen(pred[i]) >= d && memcmp(pred[i], gold, d) == 0) {
                hit5 = 1;
                if (i == 0)
                    hit1 = 1;
                break;
            }
        }
        t->top1 += (uint64_t)hit1;
        t->top5 += (uint64_t)hit5;
        if (d == 6) {
            st->chapter[chapter].rows++;
            st->chapter[chapter].top1 += (uint64_t)hit1;
            st->chapter[chapter].top5 += (uint64_t)hit5;
        }
    }
}

static int eval_file(stats *st, hsc_session *s, const char *path, size_t label_min, int quiet)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        cli_error("eval: cannot open '%s'", path);
        return CLI_EXIT_MODEL;
    }
    char *line = NULL;
    size_t cap = 0;
    long long len;
    uint64_t lineno = 0;
    double t0 = cli_now();
    while ((len = cli_read_line(f, &line, &cap)) >= 0) {
        lineno++;
        char *text = line;
        if (lineno == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
            text += 3;
            len -= 3;
        }
        if (len == 0)
            continue;
        char *tab = memchr(text, '\t', (size_t)len);
        char gold[32];
        if (!tab || !parse_code(text, (size_t)(tab - text), gold, sizeof gold) ||
            tab + 1 == text + len) {
            st->malformed++;
            if (!quiet)
                fprintf(stderr, "%s:%" PRIu64 ": malformed row (expected code<TAB>description)\n",
                        path, lineno);
            continue;
        }
        size_t tlen = (size_t)(text + len - (tab + 1));
        hsc_status rs = hsc_session_classify(s, tab + 1, tlen, TOPK);
        if (rs != HSC_OK) {
            st->failed++;
            if (!quiet)
                fprintf(stderr, "%s:%" PRIu64 ": %s\n", path, lineno, hsc_status_string(rs));
            continue;
        }
        st->rows++;
        score_row(st, s, gold, label_min);
    }
    st->seconds = cli_now() - t0;
    int rerr = ferror(f);
    free(line);
    if (f != stdin)
        fclose(f);
    if (rerr) {
        cli_error("eval: error reading '%s'", path);
        return CLI_EXIT_MODEL;
    }
    return CLI_EXIT_OK;
}

static double pct(uint64_t a, uint64_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void print_text(const stats *st, const char *model, const char *path, int by_chapter)
{
    printf("model     %s\n", model);
    printf("test      %s: %" PRIu64 " rows (%" PRIu64 " malformed, %" PRIu64 " failed)\n", path,
           st->rows, st->malformed, st->failed);
    printf("time      %.3f s (%.0f rows/s)\n\n", st->seconds,
           st->seconds > 0 ? (double)st->rows / st->seconds : 0.0);
    printf("level  %8s  %7s  %7s\n", "rows", "top-1", "top-5");
    for (int l = 0; l < 3; l++) {
        const tally *t = &st->level[l];
        if (t->rows == 0)
            printf("HS%u    %8s  %7s  %7s\n", (unsigned)levels[l], "-", "-", "-");
        else
            printf("HS%u    %8" PRIu64 "  %6.2f%%  %6.2f%%\n", (unsigned)levels[l], t->rows,
                   pct(t->top1, t->rows), pct(t->top5, t->rows));
    }
    if (!by_chapter)
        return;
    printf("\nchapter  %6s  %9s  %9s\n", "rows", "top-1 HS6", "top-5 HS6");
    for (int c = 0; c < 100; c++) {
        const tally *t = &st->chapter[c];
        if (t->rows)
            printf("%02d       %6" PRIu64 "  %8.2f%%  %8.2f%%\n", c, t->rows,
                   pct(t->top1, t->rows), pct(t->top5, t->rows));
    }
}

static void print_json(const stats *st, const char *model, const char *path, int by_chapter)
{
    fputs("{\"model\":", stdout);
    cli_json_string(stdout, model, strlen(model));
    fputs(",\"test\":", stdout);
    cli_json_string(stdout, path, strlen(path));
    printf(",\"rows\":%" PRIu64 ",\"malformed\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"seconds\":",
           st->rows, st->malformed, st->failed);
    cli_json_number(stdout, st->seconds);
    fputs(",\"levels\":{", stdout);
    int first = 1;
    for (int l = 0; l < 3; l++) {
        const tally *t = &st->level[l];
        if (!t->rows)
            continue;
        printf("%s\"%u\":{\"rows\":%" PRIu64 ",\"top1\":", first ? "" : ",", (unsigned)levels[l],
               t->rows);
        cli_json_number(stdout, (double)t->top1 / (double)t->rows);
        fputs(",\"top5\":", stdout);
        cli_json_number(stdout, (double)t->top5 / (double)t->rows);
        putchar('}');
        first = 0;
    }
    putchar('}');
    if (by_chapter) {
        fputs(",\"chapters\":{", stdout);
        first = 1;
        for (int c = 0; c < 100; c++) {
            const tally *t = &st->chapter[c];
            if (!t->rows)
                continue;
            printf("%s\"%02d\":{\"rows\":%" PRIu64 ",\"top1\":", first ? "" : ",", c, t->rows);
            cli_json_number(stdout, (double)t->top1 / (double)t->rows);
            fputs(",\"top5\":", stdout);
            cli_json_number(stdout, (double)t->top5 / (double)t->rows);
            putchar('}');
            first = 0;
        }
        putchar('}');
    }
    fputs("}\n", stdout);
}

int cli_cmd_eval(int argc, char **argv)
{
    cli_parser p;
    cli_parser_init(&p, "eval", argc, argv);
    const char *model_path = NULL, *test = NULL, *v, *used = NULL;
    int by_chapter = 0, json = 0, quiet = 0, id;
    while ((id = cli_next(&p, opts, &v)) != CLI_ARG_END) {
        switch (id) {
        case CLI_ARG_ERROR: return CLI_EXIT_USAGE;
        case CLI_OPT_HELP: help(); return CLI_EXIT_OK;
        case OPT_MODEL: model_path = v; break;
        case OPT_BY_CHAPTER: by_chapter = 1; break;
        case OPT_QUIET: quiet = 1; break;
        case OPT_FORMAT:
            if (strcmp(v, "json") == 0)
                json = 1;
            else if (strcmp(v, "text") == 0)
                json = 0;
            else
                return cli_usage_error("eval", "unknown format '%s' (text or json)", v);
            break;
        case CLI_ARG_POSITIONAL:
            if (test)
                return cli_usage_error("eval", "only one test file can be given");
            test = v;
            break;
        default: break;
        }
    }
    if (!test)
        return cli_usage_error("eval", "missing TEST.tsv");

    hsc_model *m = NULL;
    hsc_session *s = NULL;
    stats *st = calloc(1, sizeof *st);
    if (!st) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    int rc = cli_load_model("eval", model_path, NULL, &m, &used);
    size_t label_min = 0, uni = 0;
    hsc_status hs = HSC_OK;
    if (rc == CLI_EXIT_OK) {
        hs = hsc_session_new(m, NULL, &s);
        if (hs == HSC_OK)
            hs = cli_label_lengths(m, &label_min, &uni);
        if (hs != HSC_OK) {
            cli_error("eval: %s", hsc_status_string(hs));
            rc = cli_exit_for(hs);
        }
    }
    if (rc == CLI_EXIT_OK)
        rc = eval_file(st, s, test, label_min, quiet);
    if (rc == CLI_EXIT_OK) {
        if (json)
            print_json(st, used, test, by_chapter);
        else
            print_text(st, used, test, by_chapter);
        if (st->malformed || st->failed)
            rc = CLI_EXIT_PARTIAL;
    }
    hsc_session_free(s);
    hsc_model_free(m);
    free(st);
    return rc;
}

/* cmd_eval.c - hsclass eval: accuracy of a model on a labeled TSV file
 * (gold and predicted codes truncated to 2, 4, 6 digits and every longer
 * level down to the model's deepest codes), calibration
 * error, auto-accept thresholds and the review decisions, optionally as an
 * HTML report. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

enum {
    OPT_MODEL = 1, OPT_BY_CHAPTER, OPT_FORMAT, OPT_QUIET, OPT_REPORT, OPT_THRESHOLD,
    OPT_GROUP_COL, OPT_PREDICTIONS
};

static const cli_opt opts[] = {
    {"model", 'm', 1, OPT_MODEL},
    {"by-chapter", 'c', 0, OPT_BY_CHAPTER},
    {"format", 'f', 1, OPT_FORMAT},
    {"quiet", 'q', 0, OPT_QUIET},
    {"report", 'r', 1, OPT_REPORT},
    {"threshold", 't', 1, OPT_THRESHOLD},
    {"group-col", 'g', 1, OPT_GROUP_COL},
    {"predictions", 'p', 1, OPT_PREDICTIONS},
    {"help", 'h', 0, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

static void help(void)
{
    puts("Usage: hsclass eval [-m MODEL] [--by-chapter] [--format text|json] [--report FILE]\n"
         "                    [--threshold P] [--group-col N] [--predictions FILE] TEST.tsv\n"
         "\n"
         "Classify every \"code<TAB>description\" row of TEST.tsv (\"-\" for stdin; any\n"
         "further tab-separated columns, such as a source tag, are ignored) and\n"
         "report top-1 and top-5 accuracy at 2, 4 and 6 digits, and at 8, 10 and 12\n"
         "when the model has codes that long (national lines): gold and suggested codes\n"
         "are both truncated to the level; a suggestion shorter than the level misses,\n"
         "a level longer than the model's longest codes or a row's gold code is not\n"
         "counted. Malformed rows and rows that fail are\n"
         "reported as FILE:LINE on stderr, skipped, and make the exit code 1.\n"
         "\n"
         "Then, at the model's own codes (the best suggestion against the gold code cut\n"
         "to its length; a text with no suggestion counts as wrong with probability 0):\n"
         "  calibration  expected calibration error (ECE, 15 equal-width bins of the\n"
         "               best code's probability: the mean |accuracy - confidence|\n"
         "               weighted by the bins' rows)\n"
         "  auto-accept  for 95% and 98% precision, the lowest threshold whose accepted\n"
         "               rows (at least 10) are right that often, and the share of rows\n"
         "               it accepts (\"-\" when no threshold gets there)\n"
         "  decisions    at the session's threshold (the model's, or --threshold): the\n"
         "               share accepted and their precision, and the review reasons\n"
         "\n"
         "Options:\n"
         "  -m, --model MODEL    model file (see below)\n"
         "  -c, --by-chapter     add a per-chapter table (rows, top-1/top-5 at 6 digits)\n"
         "  -f, --format FMT     text (default) or json (one object)\n"
         "  -r, --report FILE    also write an HTML report (self-contained, inline SVG\n"
         "                       charts: reliability diagram, accuracy against coverage,\n"
         "                       accuracy per chapter, most confused code pairs)\n"
         "  -t, --threshold P    decision threshold (default: the model's)\n"
         "  -g, --group-col N    the tab-separated column N (3 or more) names each row's\n"
         "                       group (language, source, office...): a table of rows\n"
         "                       and top-1/top-5 per group and level (json: \"groups\")\n"
         "  -p, --predictions FILE  write one TSV row per classified row: line, gold,\n"
         "                       group, best code, its probability, correct (1/0 at the\n"
         "                       model's codes; empty when the gold code is shorter),\n"
         "                       decision, reason, the top-5 codes (comma-separated),\n"
         "                       description\n"
         "  -q, --quiet          do not report malformed rows one by one\n"
         "  -h, --help           show this help");
    cli_print_model_lookup(stdout);
}

#define TOPK EVAL_TOPK
static const uint32_t levels[EVAL_LEVELS] = {2, 4, 6, 8, 10, 12};

/* The tally of a group, added at its first row; NULL on no memory. */
static eval_group *group_of(eval_stats *st, const char *name, size_t len)
{
    for (size_t i = st->n_groups; i > 0; i--) {   /* recent groups are likelier */
        eval_group *g = &st->groups[i - 1];
        if (strlen(g->name) == len && memcmp(g->name, name, len) == 0)
            return g;
    }
    if (st->n_groups == st->cap_groups) {
        size_t cap = st->cap_groups ? st->cap_groups * 2 : 16;
        eval_group *g = realloc(st->groups, cap * sizeof *g);
        if (g == NULL)
            return NULL;
        st->groups = g;
        st->cap_groups = cap;
    }
    eval_group *g = &st->groups[st->n_groups];
    memset(g, 0, sizeof *g);
    g->name = malloc(len + 1);
    if (g->name == NULL)
        return NULL;
    memcpy(g->name, name, len);
    g->name[len] = '\0';
    st->n_groups++;
    return g;
}

/* Field col (0-based) of a tab-separated line; NULL when it has fewer. */
static const char *tsv_field(const char *line, size_t len, uint32_t col, size_t *flen)
{
    const char *p = line, *end = line + len;
    for (uint32_t c = 0; c < col; c++) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        if (tab == NULL)
            return NULL;
        p = tab + 1;
    }
    const char *tab = memchr(p, '\t', (size_t)(end - p));
    *flen = (size_t)((tab != NULL ? tab : end) - p);
    return p;
}

typedef eval_tally tally;
typedef eval_stats stats;

/* The gold code of a row (the library's code rule): at least 2 digits. */
static int parse_code(const char *s, size_t len, char *out, size_t size)
{
    size_t n = 0;
    return hsc_code_parse(s, len, out, size, &n) == HSC_OK && n >= 2;
}

/* The row at the label level: its calibration pair, decision and codes. */
static int record_row(stats *st, const hsc_session *s, const char *gold, const char *best,
                      double p)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 1024;
        eval_row *r = realloc(st->r, cap * sizeof *r);
        if (r == NULL)
            return 0;
        st->r = r;
        st->cap = cap;
    }
    eval_row *row = &st->r[st->n++];
    memset(row, 0, sizeof *row);
    uint32_t d = 0, reason = 0;
    hsc_session_decision(s, &d, &reason);
    row->decision = (uint8_t)d;
    row->reason = (uint8_t)(reason < 8 ? reason : 0);
    row->chapter = (uint8_t)((gold[0] - '0') * 10 + (gold[1] - '0'));
    size_t blen = best != NULL ? strlen(best) : 0, glen = strlen(gold);
    size_t cut = blen && blen < glen ? blen : glen;
    memcpy(row->gold, gold, cut < 15 ? cut : 15);
    if (best != NULL) {
        memcpy(row->pred, best, blen < 15 ? blen : 15);
        row->right = glen >= blen && memcmp(best, gold, blen) == 0;
    }
    return hsc_eval_add(st->cal, best != NULL ? p : HSC_EVAL_NO_SUGGESTION, row->right) == HSC_OK;
}

static void score_row(stats *st, const hsc_session *s, const char *gold, size_t label_max,
                      eval_group *group)
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
    if (group != NULL)
        group->rows++;
    for (int l = 0; l < EVAL_LEVELS; l++) {
        size_t d = levels[l];
        if (glen < d || label_max < d)
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
        if (group != NULL) {
            group->level[l].rows++;
            group->level[l].top1 += (uint64_t)hit1;
            group->level[l].top5 += (uint64_t)hit5;
        }
        if (d == 6) {
            st->chapter[chapter].rows++;
            st->chapter[chapter].top1 += (uint64_t)hit1;
            st->chapter[chapter].top5 += (uint64_t)hit5;
        }
    }
}

/* One row of --predictions. */
static void write_prediction(FILE *pf, const hsc_session *s, uint64_t lineno, const char *gold,
                             const char *group, size_t glen_group, const char *text, size_t tlen,
                             size_t label_min)
{
    const char *best = NULL, *code;
    double p = 0, q;
    uint32_t d = 0, r = 0;
    hsc_session_decision(s, &d, &r);
    fprintf(pf, "%" PRIu64 "\t%s\t", lineno, gold);
    if (group != NULL)
        fwrite(group, 1, glen_group, pf);
    if (hsc_session_result(s, 0, 0, &best, &p) == HSC_OK)
        fprintf(pf, "\t%s\t%.6g\t", best, p);
    else
        fputs("\t\t\t", pf);
    if (strlen(gold) >= label_min)
        fputs(best != NULL && strncmp(best, gold, strlen(best)) == 0 ? "1" : "0", pf);
    fprintf(pf, "\t%s\t%s\t", cli_decision_name(d), cli_reason_name(r));
    for (size_t i = 0; i < TOPK && hsc_session_result(s, 0, i, &code, &q) == HSC_OK; i++)
        fprintf(pf, "%s%s", i ? "," : "", code);
    putc('\t', pf);
    fwrite(text, 1, tlen, pf);
    putc('\n', pf);
}

static int eval_file(stats *st, hsc_session *s, const char *path, size_t label_min,
                     size_t label_max, int quiet, uint32_t group_col, FILE *pf)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
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
        if (tab == NULL || !parse_code(text, (size_t)(tab - text), gold, sizeof gold) ||
            tab + 1 == text + len) {
            st->malformed++;
            if (!quiet)
                fprintf(stderr, "%s:%" PRIu64 ": malformed row (expected code<TAB>description)\n",
                        path, lineno);
            continue;
        }
        size_t tlen = (size_t)(text + len - (tab + 1));
        const char *more = memchr(tab + 1, '\t', tlen);
        if (more != NULL) /* further columns (a source or language tag) are not text */
            tlen = (size_t)(more - (tab + 1));
        hsc_status rs = hsc_session_classify(s, tab + 1, tlen, TOPK);
        if (rs != HSC_OK) {
            st->failed++;
            if (!quiet)
                fprintf(stderr, "%s:%" PRIu64 ": %s\n", path, lineno, hsc_status_string(rs));
            continue;
        }
        st->rows++;
        size_t glen = 0;
        const char *gname = group_col ? tsv_field(text, (size_t)len, group_col - 1, &glen) : NULL;
        if (group_col && gname == NULL)
            gname = "", glen = 0;   /* a row without the column: the group "" */
        eval_group *group = gname != NULL ? group_of(st, gname, glen) : NULL;
        if (gname != NULL && group == NULL) {
            cli_error("out of memory");
            free(line);
            if (f != stdin)
                fclose(f);
            return CLI_EXIT_INTERNAL;
        }
        score_row(st, s, gold, label_max, group);
        if (pf != NULL)
            write_prediction(pf, s, lineno, gold, gname, glen, tab + 1, tlen, label_min);
        const char *best = NULL;
        double p = 0;
        if (hsc_session_result(s, 0, 0, &best, &p) != HSC_OK)
            best = NULL;
        if (strlen(gold) >= label_min && !record_row(st, s, gold, best, p)) {
            cli_error("out of memory");
            free(line);
            if (f != stdin)
                fclose(f);
            return CLI_EXIT_INTERNAL;
        }
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

void eval_at(const eval_stats *st, double t, double *share, double *precision)
{
    uint64_t taken = 0, hits = 0;
    hsc_eval_accepted(st->cal, t, &taken, &hits);
    *share = st->n ? (double)taken / (double)st->n : 0.0;
    *precision = taken ? (double)hits / (double)taken : NAN;
}

/* Calibration and auto-accept figures (hsc_eval), then the decisions. */
static int calibrate(stats *st, hsc_session *s)
{
    uint64_t rows = 0, right = 0;
    hsc_eval_count(st->cal, &rows, NULL, &right);
    st->accuracy = rows ? (double)right / (double)rows : 0;
    st->calibrated = hsc_eval_calibration(st->cal, EVAL_BINS, &st->ece, &st->mean_conf) == HSC_OK;
    static const double targets[EVAL_TARGETS] = {0.95, 0.98};
    for (int k = 0; k < EVAL_TARGETS; k++) {
        eval_target *t = &st->targets[k];
        t->target = targets[k];
        hsc_status hs = hsc_eval_threshold(st->cal, t->target, EVAL_MIN_ACCEPT, &t->threshold);
        if (hs == HSC_E_NOMEM)
            return 0;
        if (hs == HSC_OK) {
            eval_at(st, t->threshold, &t->share, &t->precision);
        } else {
            t->threshold = -1;
            t->share = 0;
            t->precision = NAN;
        }
    }
    for (size_t i = 0; i < st->n; i++) {
        if (st->r[i].decision == HSC_DECISION_ACCEPT) {
            st->accepted++;
            st->accepted_right += st->r[i].right;
        }
        st->reasons[st->r[i].reason]++;
    }
    hsc_session_accept_threshold(s, &st->threshold);
    return 1;
}

static void print_calibration_text(const stats *st)
{
    if (st->calibrated)
        printf("\ncalibration  %zu rows at the model's codes: ECE %.4f (%d bins), mean "
               "confidence %.4f, accuracy %.4f\n",
               st->n, st->ece, EVAL_BINS, st->mean_conf, st->accuracy);
    else
        printf("\ncalibration  %zu rows at the model's codes: ECE - (%d bins; not available: "
               "no row has a suggestion)\n",
               st->n, EVAL_BINS);
    printf("auto-accept  %9s  %9s  %9s\n", "threshold", "accepted", "precision");
    for (int k = 0; k < EVAL_TARGETS; k++) {
        const eval_target *t = &st->targets[k];
        if (t->threshold < 0)
            printf("  %2.0f%%       %9s  %8.2f%%  %9s\n", t->target * 100, "-", 0.0, "-");
        else
            printf("  %2.0f%%       %9.4f  %8.2f%%  %8.2f%%\n", t->target * 100, t->threshold,
                   t->share * 100, t->precision * 100);
    }
    printf("decisions    threshold %.4f: %.2f%% accepted", st->threshold,
           pct(st->accepted, st->n));
    if (st->accepted)
        printf(" (precision %.2f%%)", pct(st->accepted_right, st->accepted));
    printf(", %.2f%% to review", pct(st->n - st->accepted, st->n));
    const char *sep = ": ";
    for (uint32_t r = HSC_REASON_LOW_CONFIDENCE; r <= HSC_REASON_CONSTRAINT; r++) {
        if (!st->reasons[r])
            continue;
        printf("%s%s %.2f%%", sep, cli_reason_name(r), pct(st->reasons[r], st->n));
        sep = ", ";
    }
    putchar('\n');
}

static void print_calibration_json(const stats *st)
{
    printf(",\"calibration\":{\"rows\":%zu,\"bins\":%d,\"ece\":", st->n, EVAL_BINS);
    cli_json_number(stdout, st->calibrated ? st->ece : NAN);   /* null: not available */
    fputs(",\"mean_confidence\":", stdout);
    cli_json_number(stdout, st->calibrated ? st->mean_conf : NAN);
    fputs(",\"accuracy\":", stdout);
    cli_json_number(stdout, st->accuracy);
    fputs("},\"auto_accept\":{", stdout);
    for (int k = 0; k < EVAL_TARGETS; k++) {
        const eval_target *t = &st->targets[k];
        printf("%s\"%.2f\":{\"threshold\":", k ? "," : "", t->target);
        cli_json_number(stdout, t->threshold < 0 ? NAN : t->threshold);
        fputs(",\"share\":", stdout);
        cli_json_number(stdout, t->share);
        fputs(",\"precision\":", stdout);
        cli_json_number(stdout, t->precision);
        putchar('}');
    }
    fputs("},\"decisions\":{\"threshold\":", stdout);
    cli_json_number(stdout, st->threshold);
    fputs(",\"accepted\":", stdout);
    cli_json_number(stdout, st->n ? (double)st->accepted / (double)st->n : 0);
    fputs(",\"precision\":", stdout);
    cli_json_number(stdout, st->accepted ? (double)st->accepted_right / (double)st->accepted : NAN);
    fputs(",\"review\":{", stdout);
    int first = 1;
    for (uint32_t r = HSC_REASON_LOW_CONFIDENCE; r <= HSC_REASON_CONSTRAINT; r++) {
        printf("%s\"%s\":", first ? "" : ",", cli_reason_name(r));
        cli_json_number(stdout, st->n ? (double)st->reasons[r] / (double)st->n : 0);
        first = 0;
    }
    fputs("}}", stdout);
}

static void print_text(const stats *st, const char *model, const char *path, int by_chapter)
{
    printf("model     %s\n", model);
    printf("test      %s: %" PRIu64 " rows (%" PRIu64 " malformed, %" PRIu64 " failed)\n", path,
           st->rows, st->malformed, st->failed);
    printf("time      %.3f s (%.0f rows/s)\n\n", st->seconds,
           st->seconds > 0 ? (double)st->rows / st->seconds : 0.0);
    printf("level  %8s  %7s  %7s\n", "rows", "top-1", "top-5");
    for (int l = 0; l < EVAL_LEVELS; l++) {
        const tally *t = &st->level[l];
        if (t->rows == 0 && levels[l] > st->label_max && levels[l] > 6)
            continue;   /* deeper than the model's codes */
        if (t->rows == 0)
            printf("HS%-4u %8s  %7s  %7s\n", (unsigned)levels[l], "-", "-", "-");
        else
            printf("HS%-4u %8" PRIu64 "  %6.2f%%  %6.2f%%\n", (unsigned)levels[l], t->rows,
                   pct(t->top1, t->rows), pct(t->top5, t->rows));
    }
    print_calibration_text(st);
    if (st->n_groups > 0) {
        printf("\ngroup                 rows");
        for (int l = 0; l < EVAL_LEVELS; l++)
            if (st->level[l].rows)
                printf("  HS%-2u top-1/top-5", (unsigned)levels[l]);
        putchar('\n');
        for (size_t i = 0; i < st->n_groups; i++) {
            const eval_group *g = &st->groups[i];
            printf("%-16.32s %9" PRIu64, g->name[0] ? g->name : "(none)", g->rows);
            for (int l = 0; l < EVAL_LEVELS; l++)
                if (st->level[l].rows)
                    printf("  %7.2f%%/%6.2f%%", pct(g->level[l].top1, g->level[l].rows),
                           pct(g->level[l].top5, g->level[l].rows));
            putchar('\n');
        }
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

/* {"2":{"rows":..,"top1":..,"top5":..},...} over the levels with rows. */
static void json_levels(const tally *level)
{
    putchar('{');
    int first = 1;
    for (int l = 0; l < EVAL_LEVELS; l++) {
        const tally *t = &level[l];
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
    fputs(",\"levels\":", stdout);
    json_levels(st->level);
    print_calibration_json(st);
    if (st->n_groups > 0) {
        fputs(",\"groups\":{", stdout);
        for (size_t i = 0; i < st->n_groups; i++) {
            const eval_group *g = &st->groups[i];
            if (i)
                putchar(',');
            cli_json_string(stdout, g->name, strlen(g->name));
            printf(":{\"rows\":%" PRIu64 ",\"levels\":", g->rows);
            json_levels(g->level);
            putchar('}');
        }
        putchar('}');
    }
    int first;
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
    const char *model_path = NULL, *test = NULL, *v, *used = NULL, *report = NULL;
    const char *predictions = NULL;
    uint32_t group_col = 0;
    int by_chapter = 0, json = 0, quiet = 0, id;
    double threshold = -1;
    while ((id = cli_next(&p, opts, &v)) != CLI_ARG_END) {
        switch (id) {
        case CLI_ARG_ERROR: return CLI_EXIT_USAGE;
        case CLI_OPT_HELP: help(); return CLI_EXIT_OK;
        case OPT_MODEL: model_path = v; break;
        case OPT_BY_CHAPTER: by_chapter = 1; break;
        case OPT_QUIET: quiet = 1; break;
        case OPT_REPORT: report = v; break;
        case OPT_PREDICTIONS: predictions = v; break;
        case OPT_GROUP_COL:
            if (!cli_opt_u32("eval", "group-col", v, &group_col))
                return CLI_EXIT_USAGE;
            if (group_col < 3)
                return cli_usage_error("eval", "--group-col must be 3 or more (columns 1 and 2 "
                                               "are the code and the description)");
            break;
        case OPT_THRESHOLD:
            if (!cli_opt_probability("eval", "threshold", v, &threshold))
                return CLI_EXIT_USAGE;
            break;
        case OPT_FORMAT:
            if (strcmp(v, "json") == 0)
                json = 1;
            else if (strcmp(v, "text") == 0)
                json = 0;
            else
                return cli_usage_error("eval", "unknown format '%s' (text or json)", v);
            break;
        case CLI_ARG_POSITIONAL:
            if (test != NULL)
                return cli_usage_error("eval", "only one test file can be given");
            test = v;
            break;
        default: break;
        }
    }
    if (test == NULL)
        return cli_usage_error("eval", "missing TEST.tsv");

    hsc_model *m = NULL;
    hsc_session *s = NULL;
    stats *st = calloc(1, sizeof *st);
    if (st == NULL || hsc_eval_new(NULL, &st->cal) != HSC_OK) {
        cli_error("out of memory");
        free(st);
        return CLI_EXIT_INTERNAL;
    }
    hsc_config *cfg = NULL;
    hsc_status hs = hsc_config_new(&cfg);
    if (hs == HSC_OK && threshold >= 0)
        hs = hsc_config_set_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, threshold);
    if (hs != HSC_OK) {
        cli_error("eval: %s", hsc_status_string(hs));
        hsc_eval_free(st->cal);
        free(st);
        hsc_config_free(cfg);
        return cli_exit_for(hs);
    }
    int rc = cli_load_model("eval", model_path, cfg, &m, &used);
    size_t label_min = 0, uni = 0, label_max = 0;
    if (rc == CLI_EXIT_OK) {
        hs = hsc_session_new(m, cfg, &s);
        if (hs == HSC_OK)
            hs = cli_label_lengths(m, &label_min, &uni, &label_max);
        st->label_max = label_max;
        if (hs != HSC_OK) {
            cli_error("eval: %s", hsc_status_string(hs));
            rc = cli_exit_for(hs);
        }
    }
    FILE *pf = NULL;
    if (rc == CLI_EXIT_OK && predictions != NULL) {
        pf = fopen(predictions, "wb");
        if (pf == NULL) {
            cli_error("eval: cannot write '%s'", predictions);
            rc = CLI_EXIT_MODEL;
        } else {
            fputs("line\tgold\tgroup\tbest\tprobability\tcorrect\tdecision\treason\ttop5\t"
                  "description\n", pf);
        }
    }
    if (rc == CLI_EXIT_OK)
        rc = eval_file(st, s, test, label_min, label_max, quiet, group_col, pf);
    if (pf != NULL && (ferror(pf) | fclose(pf)) != 0 && rc == CLI_EXIT_OK) {
        cli_error("eval: error writing '%s'", predictions);
        rc = CLI_EXIT_MODEL;
    }
    if (rc == CLI_EXIT_OK && !calibrate(st, s)) {
        cli_error("out of memory");
        rc = CLI_EXIT_INTERNAL;
    }
    if (rc == CLI_EXIT_OK) {
        if (json)
            print_json(st, used, test, by_chapter);
        else
            print_text(st, used, test, by_chapter);
        if (report != NULL)
            rc = eval_write_report(report, st, m, used, test);
        if (rc == CLI_EXIT_OK && (st->malformed || st->failed))
            rc = CLI_EXIT_PARTIAL;
    }
    hsc_session_free(s);
    hsc_model_free(m);
    hsc_config_free(cfg);
    hsc_eval_free(st->cal);
    for (size_t i = 0; i < st->n_groups; i++)
        free(st->groups[i].name);
    free(st->groups);
    free(st->r);
    free(st);
    return rc;
}

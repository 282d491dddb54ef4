/* report.c - `hsclass eval --report FILE`: one self-contained HTML page
 * (no script, no external resource) with inline SVG charts: reliability
 * diagram, accuracy against coverage, accuracy per chapter, and the most
 * confused code pairs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "html.h"

#define W 720          /* chart width, px */
#define BLUE "#2563eb"
#define LIGHT "#bfdbfe"
#define RED "#dc2626"
#define GREEN "#16a34a"
#define GRID "#e5e7eb"
#define INK "#374151"

/* A C string as HTML text (NULL: nothing). */
static void esc(FILE *f, const char *s)
{
    if (s != NULL)
        html_text(f, s, strlen(s));
}

/* At most max bytes of s, cut on a UTF-8 boundary, with an ellipsis. */
static void esc_short(FILE *f, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) {
        html_text(f, s, n);
        return;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    html_text(f, s, max);
    fputs("\xe2\x80\xa6", f);
}

static double pct(uint64_t a, uint64_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

/* Axes of a plot area [x0, x0+w] x [y0, y0+h] with 0..100% on y. */
static void y_grid(FILE *f, int x0, int y0, int w, int h, const char *label)
{
    for (int k = 0; k <= 4; k++) {
        double y = y0 + h - h * k / 4.0;
        fprintf(f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='" GRID "'/>", x0, y, x0 + w,
                y);
        fprintf(f, "<text x='%d' y='%.1f' text-anchor='end' class='tick'>%d%%</text>", x0 - 6,
                y + 4, k * 25);
    }
    fprintf(f,
            "<text transform='translate(14 %d) rotate(-90)' text-anchor='middle' "
            "class='axis'>%s</text>",
            y0 + h / 2, label);
}

static void reliability(FILE *f, const eval_stats *st)
{
    const int x0 = 60, y0 = 20, w = W - 90, h = 300;
    fprintf(f, "<svg width='%d' height='%d' viewBox='0 0 %d %d' role='img' "
               "aria-label='reliability diagram'>",
            W, y0 + h + 50, W, y0 + h + 50);
    y_grid(f, x0, y0, w, h, "accuracy");
    double bw = (double)w / EVAL_BINS;
    for (uint32_t b = 0; b < EVAL_BINS; b++) {
        double lo = (double)b / EVAL_BINS, hi = (double)(b + 1) / EVAL_BINS, acc, conf;
        uint64_t n = 0;
        if (hsc_eval_reliability(st->cal, EVAL_BINS, b, &n, &conf, &acc) != HSC_OK || n == 0)
            continue;   /* not available, or an empty bin */
        double x = x0 + b * bw;
        double top = y0 + h - h * acc, ctop = y0 + h - h * conf;
        fprintf(f,
                "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='" BLUE "'>"
                "<title>confidence %.2f-%.2f: %llu rows, accuracy %.1f%%, mean confidence "
                "%.1f%%</title></rect>",
                x + 1, top, bw - 2, y0 + h - top, lo, hi, (unsigned long long)n, acc * 100,
                conf * 100);
        /* the gap to the bin's mean confidence */
        fprintf(f,
                "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='" RED
                "' fill-opacity='0.25' stroke='" RED "' stroke-opacity='0.6'/>",
                x + 1, fmin(top, ctop), bw - 2, fabs(top - ctop));
        fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='middle' class='small'>%llu</text>",
                x + bw / 2, fmin(top, ctop) - 4, (unsigned long long)n);
    }
    fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='" INK
               "' stroke-dasharray='5 4'/>",
            x0, y0 + h, x0 + w, y0);
    for (int k = 0; k <= 5; k++)
        fprintf(f, "<text x='%.1f' y='%d' text-anchor='middle' class='tick'>%.1f</text>",
                x0 + w * k / 5.0, y0 + h + 18, k / 5.0);
    fprintf(f, "<text x='%d' y='%d' text-anchor='middle' class='axis'>confidence of the best "
               "code (calibrated probability)</text>",
            x0 + w / 2, y0 + h + 40);
    fputs("</svg>", f);
}

static void coverage(FILE *f, eval_stats *st)
{
    const int x0 = 60, y0 = 20, w = W - 90, h = 300;
    fprintf(f, "<svg width='%d' height='%d' viewBox='0 0 %d %d' role='img' "
               "aria-label='accuracy against coverage'>",
            W, y0 + h + 50, W, y0 + h + 50);
    y_grid(f, x0, y0, w, h, "accuracy of the accepted rows");
    for (int k = 0; k < EVAL_TARGETS; k++) {
        double y = y0 + h - h * st->targets[k].target;
        fprintf(f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='" GREEN
                   "' stroke-dasharray='3 3'/><text x='%d' y='%.1f' class='small' fill='" GREEN
                   "'>%.0f%% precision</text>",
                x0, y, x0 + w, y, x0 + w - 90, y - 4, st->targets[k].target * 100);
    }
    fputs("<polyline fill='none' stroke='" BLUE "' stroke-width='2' points='", f);
    /* most confident first, as hsc_eval ranks the rows */
    size_t hits = 0, step = st->n > 400 ? st->n / 400 : 1;
    for (size_t i = 0; i < st->n; i++) {
        uint32_t right = 0;
        hsc_eval_ranked(st->cal, i, NULL, &right);
        hits += right;
        if ((i + 1) % step && i + 1 != st->n)
            continue;
        double cov = (double)(i + 1) / (double)st->n, acc = (double)hits / (double)(i + 1);
        fprintf(f, "%.1f,%.1f ", x0 + w * cov, y0 + h - h * acc);
    }
    fputs("'/>", f);
    /* where the session's threshold puts the cut */
    double share, prec;
    eval_at(st, st->threshold, &share, &prec);
    if (share > 0) {
        double cx = x0 + w * share, cy = y0 + h - h * prec;
        fprintf(f, "<circle cx='%.1f' cy='%.1f' r='5' fill='" RED "'><title>threshold %.4f: "
                   "%.1f%% accepted, precision %.1f%%</title></circle>"
                   "<text x='%.1f' y='%.1f' class='small' fill='" RED "'>threshold %.2f</text>",
                cx, cy, st->threshold, share * 100, prec * 100, cx + 8, cy + 14, st->threshold);
    }
    for (int k = 0; k <= 4; k++)
        fprintf(f, "<text x='%.1f' y='%d' text-anchor='middle' class='tick'>%d%%</text>",
                x0 + w * k / 4.0, y0 + h + 18, k * 25);
    fprintf(f, "<text x='%d' y='%d' text-anchor='middle' class='axis'>coverage: share of rows "
               "accepted, most confident first</text></svg>",
            x0 + w / 2, y0 + h + 40);
}

static void chapters(FILE *f, const eval_stats *st, const hsc_model *m)
{
    int n = 0;
    for (int c = 0; c < 100; c++)
        n += st->chapter[c].rows > 0;
    if (n == 0) {
        fputs("<p>No row has a 6-digit gold code.</p>", f);
        return;
    }
    const int label_w = 300, x0 = label_w + 10, bar_h = 18, w = W - x0 - 60;
    int h = n * (bar_h + 6) + 40;
    fprintf(f, "<svg width='%d' height='%d' viewBox='0 0 %d %d' role='img' "
               "aria-label='accuracy per chapter'>",
            W, h, W, h);
    int y = 10;
    for (int k = 0; k <= 4; k++)
        fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='" GRID "'/>",
                x0 + w * k / 4.0, y, x0 + w * k / 4.0, h - 28);
    for (int c = 0; c < 100; c++) {
        const eval_tally *t = &st->chapter[c];
        if (!t->rows)
            continue;
        char code[3] = {(char)('0' + c / 10), (char)('0' + c % 10), 0};
        const char *d = cli_describe(m, code, NULL);
        fprintf(f, "<text x='%d' y='%d' text-anchor='end' class='label'>%s ", label_w,
                y + 13, code);
        if (d != NULL)
            esc_short(f, d, 34);
        fprintf(f, " (%llu)</text>", (unsigned long long)t->rows);
        double w5 = w * pct(t->top5, t->rows) / 100, w1 = w * pct(t->top1, t->rows) / 100;
        fprintf(f,
                "<rect x='%d' y='%d' width='%.1f' height='%d' fill='" LIGHT "'/>"
                "<rect x='%d' y='%d' width='%.1f' height='%d' fill='" BLUE "'>"
                "<title>chapter %s: top-1 %.1f%%, top-5 %.1f%% of %llu rows</title></rect>"
                "<text x='%.1f' y='%d' class='small'>%.0f%%</text>",
                x0, y, w5, bar_h, x0, y, w1, bar_h, code, pct(t->top1, t->rows),
                pct(t->top5, t->rows), (unsigned long long)t->rows, x0 + w5 + 4, y + 13,
                pct(t->top1, t->rows));
        y += bar_h + 6;
    }
    for (int k = 0; k <= 4; k++)
        fprintf(f, "<text x='%.1f' y='%d' text-anchor='middle' class='tick'>%d%%</text>",
                x0 + w * k / 4.0, h - 12, k * 25);
    fputs("</svg><p class='legend'><span class='key' style='background:" BLUE
          "'></span>top-1 <span class='key' style='background:" LIGHT
          "'></span>top-5, at 6 digits, by gold chapter (rows in brackets)</p>",
          f);
}

typedef struct pair {
    char gold[16], pred[16];
    size_t count;
} pair;

static int cmp_pair(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    int c = strcmp(a->gold, b->gold);
    return c ? c : strcmp(a->pred, b->pred);
}

static int by_count(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return cmp_pair(x, y);
}

static void confusions(FILE *f, const eval_stats *st, const hsc_model *m)
{
    pair *p = malloc((st->n ? st->n : 1) * sizeof *p);
    if (p == NULL)
        return;
    size_t n = 0;
    for (size_t i = 0; i < st->n; i++) {
        if (st->r[i].right || !st->r[i].pred[0])
            continue;
        memcpy(p[n].gold, st->r[i].gold, 16);
        memcpy(p[n].pred, st->r[i].pred, 16);
        p[n++].count = 1;
    }
    qsort(p, n, sizeof *p, cmp_pair);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (u && cmp_pair(&p[u - 1], &p[i]) == 0)
            p[u - 1].count++;
        else
            p[u++] = p[i];
    }
    qsort(p, u, sizeof *p, by_count);
    size_t show = u < 15 ? u : 15;
    if (show == 0) {
        fputs("<p>No wrong best code.</p>", f);
        free(p);
        return;
    }
    const int label_w = 190, x0 = label_w + 10, bar_h = 16, w = W - x0 - 40;
    int h = (int)show * (bar_h + 6) + 12;
    size_t max = p[0].count;
    fprintf(f, "<svg width='%d' height='%d' viewBox='0 0 %d %d' role='img' "
               "aria-label='most confused code pairs'>",
            W, h, W, h);
    for (size_t i = 0; i < show; i++) {
        int y = 6 + (int)i * (bar_h + 6);
        double bw = (double)w * (double)p[i].count / (double)max;
        fprintf(f, "<text x='%d' y='%d' text-anchor='end' class='label mono'>", label_w, y + 12);
        esc(f, p[i].gold);
        fputs(" \xe2\x86\x92 ", f);
        esc(f, p[i].pred);
        fprintf(f,
                "</text><rect x='%d' y='%d' width='%.1f' height='%d' fill='" RED
                "' fill-opacity='0.75'/><text x='%.1f' y='%d' class='small'>%zu</text>",
                x0, y, bw, bar_h, x0 + bw + 4, y + 12, p[i].count);
    }
    fputs("</svg><table><tr><th>rows</th><th>gold code</th><th>suggested instead</th></tr>", f);
    for (size_t i = 0; i < show; i++) {
        const char *dg = cli_describe(m, p[i].gold, NULL), *dp = cli_describe(m, p[i].pred, NULL);
        fprintf(f, "<tr><td class='num'>%zu</td><td><span class='mono'>", p[i].count);
        esc(f, p[i].gold);
        fputs("</span> ", f);
        if (dg != NULL)
            esc_short(f, dg, 90);
        fputs("</td><td><span class='mono'>", f);
        esc(f, p[i].pred);
        fputs("</span> ", f);
        if (dp != NULL)
            esc_short(f, dp, 90);
        fputs("</td></tr>", f);
    }
    fputs("</table>", f);
    free(p);
}

static void card(FILE *f, const char *title, const char *value, const char *note)
{
    fputs("<div class='card'><div class='t'>", f);
    esc(f, title);
    fputs("</div><div class='v'>", f);
    esc(f, value);
    fputs("</div><div class='n'>", f);
    esc(f, note);
    fputs("</div></div>", f);
}

static void summary(FILE *f, const eval_stats *st)
{
    static const char *const names[EVAL_LEVELS] = {"HS2", "HS4", "HS6", "HS8", "HS10", "HS12"};
    char v[64], note[160];
    fputs("<div class='cards'>", f);
    for (int l = EVAL_LEVELS - 1; l >= 0; l--) {
        const eval_tally *t = &st->level[l];
        if (!t->rows)
            continue;
        snprintf(v, sizeof v, "%.1f%%", pct(t->top1, t->rows));
        snprintf(note, sizeof note, "top-5 %.1f%% of %llu rows", pct(t->top5, t->rows),
                 (unsigned long long)t->rows);
        char title[32];
        snprintf(title, sizeof title, "%s top-1", names[l]);
        card(f, title, v, note);
    }
    if (st->calibrated) {
        snprintf(v, sizeof v, "%.4f", st->ece);
        snprintf(note, sizeof note, "mean confidence %.1f%%, accuracy %.1f%%",
                 st->mean_conf * 100, st->accuracy * 100);
    } else {
        snprintf(v, sizeof v, "-");
        snprintf(note, sizeof note, "not available: no row has a suggestion");
    }
    card(f, "calibration error (ECE)", v, note);
    for (int k = 0; k < EVAL_TARGETS; k++) {
        const eval_target *t = &st->targets[k];
        char title[48];
        snprintf(title, sizeof title, "auto-accept at %.0f%% precision", t->target * 100);
        if (t->threshold < 0) {
            snprintf(v, sizeof v, "0%%");
            snprintf(note, sizeof note, "no threshold reaches it (with %d rows or more)",
                     EVAL_MIN_ACCEPT);
        } else {
            snprintf(v, sizeof v, "%.1f%%", t->share * 100);
            snprintf(note, sizeof note, "threshold %.4f, precision %.1f%%", t->threshold,
                     t->precision * 100);
        }
        card(f, title, v, note);
    }
    snprintf(v, sizeof v, "%.1f%%", pct(st->accepted, st->n));
    if (st->accepted)
        snprintf(note, sizeof note, "threshold %.4f, precision %.1f%%", st->threshold,
                 pct(st->accepted_right, st->accepted));
    else
        snprintf(note, sizeof note, "threshold %.4f", st->threshold);
    card(f, "accepted by the decision rule", v, note);
    fputs("</div>", f);
}

static void decisions(FILE *f, const eval_stats *st)
{
    fputs("<table><tr><th>decision</th><th>reason</th><th>rows</th><th>share</th></tr>", f);
    for (uint32_t r = HSC_REASON_CONFIDENT; r <= HSC_REASON_CONSTRAINT; r++) {
        fprintf(f, "<tr><td>%s</td><td>", r == HSC_REASON_CONFIDENT ? "accept" : "review");
        esc(f, hsc_decision_reason_string(r));
        fprintf(f, "</td><td class='num'>%llu</td><td class='num'>%.1f%%</td></tr>",
                (unsigned long long)st->reasons[r], pct(st->reasons[r], st->n));
    }
    fputs("</table>", f);
}

static const char style[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:" INK ";"
    "max-width:780px;margin:24px auto;padding:0 16px}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px}"
    ".meta{color:#6b7280;margin:0 0 12px;word-break:break-all}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px}"
    ".card{border:1px solid " GRID ";border-radius:8px;padding:10px 12px;width:220px}"
    ".card .t{font-size:12px;color:#6b7280}.card .v{font-size:22px;font-weight:600}"
    ".card .n{font-size:12px;color:#6b7280}"
    "svg{display:block;margin:6px 0}svg text{fill:" INK "}"
    ".tick{font-size:11px}.axis{font-size:12px}.small{font-size:10px}.label{font-size:11px}"
    ".mono{font-family:ui-monospace,Menlo,Consolas,monospace}"
    "table{border-collapse:collapse;margin:8px 0;font-size:12px}"
    "td,th{border-bottom:1px solid " GRID ";padding:3px 8px;text-align:left;vertical-align:top}"
    "td.num{text-align:right}.legend{font-size:12px;color:#6b7280}"
    ".key{display:inline-block;width:10px;height:10px;margin:0 4px 0 8px}"
    "p.note{font-size:12px;color:#6b7280}";

int eval_write_report(const char *path, eval_stats *st, const hsc_model *m,
                      const char *model_path, const char *test_path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        cli_error("eval: cannot write '%s'", path);
        return CLI_EXIT_MODEL;
    }
    const char *fp = "", *edition = "";
    hsc_model_info_str(m, HSC_INFO_FINGERPRINT, &fp);
    hsc_model_info_str(m, HSC_INFO_HS_EDITION, &edition);
    fprintf(f, "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
               "<meta name='viewport' content='width=device-width,initial-scale=1'>"
               "<title>hsclass evaluation</title><style>%s</style></head><body>\n",
            style);
    fputs("<h1>hsclass evaluation</h1><p class='meta'>model <b>", f);
    esc(f, model_path);
    fputs("</b> (fingerprint ", f);
    esc(f, fp);
    fputs(", HS edition ", f);
    esc(f, edition);
    fputs(") &middot; test <b>", f);
    esc(f, test_path);
    fprintf(f, "</b> &middot; %llu rows classified (%llu malformed, %llu failed) &middot; "
               "libhsclass ",
            (unsigned long long)st->rows, (unsigned long long)st->malformed,
            (unsigned long long)st->failed);
    esc(f, hsc_version_string());
    fputs("</p>\n", f);
    summary(f, st);
    fputs("\n<h2>Reliability diagram</h2><p class='note'>Rows binned by the calibrated "
          "probability of their best code (15 bins). Blue: the share of the bin's rows whose "
          "best code is right; red: the gap to the bin's mean probability. A calibrated model "
          "follows the dashed diagonal. Numbers: rows per bin.</p>",
          f);
    reliability(f, st);
    fputs("\n<h2>Accuracy against coverage</h2><p class='note'>Accepting the most confident "
          "rows first: the precision of what is accepted (y) against the share accepted (x). "
          "The red dot is the decision threshold in use.</p>",
          f);
    coverage(f, st);
    fputs("\n<h2>Accuracy per chapter</h2>", f);
    chapters(f, st, m);
    fputs("\n<h2>Most confused code pairs</h2><p class='note'>Gold code (cut to the "
          "suggestion's length) and the best suggestion, when they differ.</p>",
          f);
    confusions(f, st, m);
    fputs("\n<h2>Decisions</h2>", f);
    decisions(f, st);
    fputs("\n</body></html>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        cli_error("eval: error writing '%s'", path);
        return CLI_EXIT_MODEL;
    }
    return CLI_EXIT_OK;
}

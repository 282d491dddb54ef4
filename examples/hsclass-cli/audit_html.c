/* audit_html.c - `hsclass audit --html FILE`: one self-contained page (no
 * script, no external resource) listing the audited lines, most suspicious
 * first. Every string from the input or the model goes through html_text. */
#include <string.h>

#include "audit.h"
#include "html.h"

static void text(FILE *f, const char *s)
{
    if (s != NULL)
        html_text(f, s, strlen(s));
}

static const char style[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#374151;"
    "max-width:1100px;margin:24px auto;padding:0 16px}"
    "h1{font-size:22px;margin:0 0 4px}.meta{color:#6b7280;margin:0 0 12px;word-break:break-all}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:0 0 16px}"
    ".card{border:1px solid #e5e7eb;border-radius:8px;padding:10px 12px;min-width:150px}"
    ".card .t{font-size:12px;color:#6b7280}.card .v{font-size:22px;font-weight:600}"
    "table{border-collapse:collapse;font-size:12px;width:100%}"
    "td,th{border-bottom:1px solid #e5e7eb;padding:4px 6px;text-align:left;vertical-align:top}"
    "td.num{text-align:right;white-space:nowrap}.mono{font-family:ui-monospace,Menlo,monospace}"
    ".suspect{color:#b91c1c;font-weight:600}.consistent{color:#15803d}.unchecked{color:#6b7280}"
    ".d{color:#6b7280}p.note{font-size:12px;color:#6b7280}";

static void card(FILE *f, const char *title, unsigned long long count, size_t total)
{
    fputs("<div class='card'><div class='t'>", f);
    text(f, title);
    fprintf(f, "</div><div class='v'>%llu</div><div class='t'>%.1f%% of the lines</div></div>",
            count, total ? 100.0 * (double)count / (double)total : 0.0);
}

/* A code, and its description from the model's nomenclature if it has one. */
static void code_cell(FILE *f, const hsc_model *m, const char *code)
{
    fputs("<td><span class='mono'>", f);
    text(f, code);
    fputs("</span>", f);
    const char *desc = code[0] != '\0' ? cli_describe(m, code, NULL) : NULL;
    if (desc != NULL) {
        fputs("<br><span class='d'>", f);
        text(f, desc);
        fputs("</span>", f);
    }
    fputs("</td>", f);
}

static void line_row(FILE *f, const audit_line *a, const hsc_model *m)
{
    const char *v = cli_verdict_name(a->verdict);
    fprintf(f, "<tr><td class='num'>%llu", (unsigned long long)a->line);
    if (a->id != NULL) {
        fputs("<br><span class='mono'>", f);
        text(f, a->id);
        fputs("</span>", f);
    }
    fputs("</td><td>", f);
    text(f, a->text);
    fputs("</td>", f);
    code_cell(f, m, a->declared);
    fprintf(f, "<td class='%s'>%s</td><td class='num'>%.2e</td><td class='num'>", v, v, a->p);
    static const char *const names[AUDIT_LEVELS] = {"HS2", "HS4", "HS6"};
    for (int l = 0; l < AUDIT_LEVELS; l++)
        if (a->level_rank[l] > 0)
            fprintf(f, "%s #%llu<br>", names[l], (unsigned long long)a->level_rank[l]);
    fputs("</td>", f);
    code_cell(f, m, a->best);
    fprintf(f, "<td class='num'>%.3f</td></tr>\n", a->best[0] != '\0' ? a->best_p : 0.0);
}

int audit_write_html(const char *path, const audit_run *run, const hsc_model *m,
                     const char *model_path, const char *input, size_t limit)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        cli_error("audit: cannot write '%s'", path);
        return CLI_EXIT_MODEL;
    }
    const char *fp = "";
    hsc_model_info_str(m, HSC_INFO_FINGERPRINT, &fp);
    fprintf(f, "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
               "<meta name='viewport' content='width=device-width,initial-scale=1'>"
               "<title>hsclass audit</title><style>%s</style></head><body>\n",
            style);
    fputs("<h1>hsclass audit of declared codes</h1><p class='meta'>input <span class='mono'>", f);
    text(f, input);
    fputs("</span> &middot; model <span class='mono'>", f);
    text(f, model_path);
    fputs("</span> (fingerprint ", f);
    text(f, fp);
    fprintf(f, ") &middot; threshold %.3g &middot; libhsclass ", run->threshold);
    text(f, hsc_version_string());
    fputs("</p>\n<div class='cards'>", f);
    card(f, "suspect", (unsigned long long)run->by_verdict[HSC_AUDIT_SUSPECT], run->n);
    card(f, "consistent", (unsigned long long)run->by_verdict[HSC_AUDIT_CONSISTENT], run->n);
    card(f, "unchecked", (unsigned long long)run->by_verdict[HSC_AUDIT_UNCHECKED], run->n);
    fprintf(f, "<div class='card'><div class='t'>lines audited</div><div class='v'>%zu</div>"
               "<div class='t'>%llu malformed codes skipped</div></div></div>\n",
            run->n, (unsigned long long)run->bad_codes);
    fputs("<p class='note'>A line is suspect when the probability the model gives its "
          "declared code (at the deepest level within the code and 6 digits) is below the "
          "threshold: its description points elsewhere. Ranks place the declared code among "
          "all the model's codes of a level. Unchecked lines have nothing the model can read "
          "(only numbers, generic or unknown words).</p>\n",
          f);
    size_t shown = limit == 0 || limit > run->n ? run->n : limit;
    fprintf(f, "<table><thead><tr><th>line</th><th>description</th><th>declared</th>"
               "<th>verdict</th><th>probability</th><th>rank</th><th>model's code</th>"
               "<th>its probability</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < shown; i++)
        line_row(f, &run->lines[i], m);
    fputs("</tbody></table>\n", f);
    if (shown < run->n)
        fprintf(f, "<p class='note'>%zu more lines not shown (--limit).</p>\n", run->n - shown);
    fputs("</body></html>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        cli_error("audit: error writing '%s'", path);
        return CLI_EXIT_MODEL;
    }
    return CLI_EXIT_OK;
}

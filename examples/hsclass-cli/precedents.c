/* precedents.c - the nearest training rows of the last classify, as
 * classify --precedents and explain print them: a text line, a JSON array,
 * or an indented block. */
#include <string.h>

#include "cli.h"

void cli_print_precedents(FILE *f, hsc_session *s, size_t max, int style)
{
    size_t n = 0;
    if (hsc_session_precedent_count(s, &n) != HSC_OK)
        n = 0;
    if (n > max)
        n = max;
    if (style == CLI_PREC_JSON)
        fputs(",\"precedents\":[", f);
    else if (style == CLI_PREC_TEXT && n > 0)
        fputs(" | precedents:", f);
    else if (style == CLI_PREC_BLOCK && n > 0)
        fputs("  precedents (nearest training rows):\n", f);
    for (size_t i = 0; i < n; i++) {
        const char *code, *text, *source;
        double sim;
        if (hsc_session_precedent(s, i, &code, &sim, &text, &source) != HSC_OK)
            continue;
        switch (style) {
        case CLI_PREC_JSON:
            fprintf(f, "%s{\"code\":\"%s\",\"similarity\":", i ? "," : "", code);
            cli_json_number(f, sim);
            fputs(",\"source\":", f);
            cli_json_string(f, source, strlen(source));
            if (text != NULL) {
                fputs(",\"text\":", f);
                cli_json_string(f, text, strlen(text));
            }
            fputc('}', f);
            break;
        case CLI_PREC_TEXT:
            fprintf(f, "%s %s %.2f", i ? "," : "", code, sim);
            break;
        default:
            fprintf(f, "    %-10s %.2f  ", code, sim);
            if (text != NULL) {
                cli_term_str(f, text);
                fputs("  ", f);
            }
            cli_term_str(f, source);
            fputc('\n', f);
        }
    }
    if (style == CLI_PREC_JSON)
        fputc(']', f);
}

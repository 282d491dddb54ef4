/* html.c - the one HTML escaping function (see html.h). */
#include "html.h"

#include "cli.h"

void html_text(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (p != NULL && i < len) {
        unsigned c = p[i];
        size_t n = c < 0x80 ? 1 : cli_utf8_seq(p + i, len - i);
        const char *ref = NULL;
        switch (c) {
        case '&': ref = "&amp;"; break;
        case '<': ref = "&lt;"; break;
        case '>': ref = "&gt;"; break;
        case '"': ref = "&quot;"; break;
        case '\'': ref = "&#39;"; break;
        default:
            /* C0 controls and DEL are not allowed in HTML text; C1 controls
             * (U+0080-U+009F, two bytes C2 80..C2 9F) neither. */
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F || n == 0 ||
                (c == 0xC2 && n == 2 && p[i + 1] < 0xA0))
                ref = "\xef\xbf\xbd";
        }
        if (ref != NULL)
            fputs(ref, f);
        else
            fwrite(p + i, 1, n, f);
        i += n ? n : 1;
    }
}

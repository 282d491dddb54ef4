/* output.c - untrusted strings written out: as JSON (always valid UTF-8
 * JSON, whatever the input bytes were) and as terminal text (no control
 * character reaches the terminal). */
#include <math.h>
#include <string.h>

#include "cli.h"

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid
 * (overlong, surrogate, above U+10FFFF, truncated). */
size_t cli_utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, min = 0x80, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, min = 0x800, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void cli_json_string(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        if (c >= 0x80) {
            size_t n = cli_utf8_seq(p + i, len - i);
            if (n == 0) {
                fputs("\\ufffd", f);
                i++;
            } else {
                fwrite(p + i, 1, n, f);
                i += n;
            }
            continue;
        }
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (c < 0x20 || c == 0x7F)
                fprintf(f, "\\u%04x", c);
            else
                fputc((int)c, f);
        }
        i++;
    }
    fputc('"', f);
}

void cli_json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

void cli_term_text(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (p != NULL && i < len) {
        unsigned c = p[i];
        size_t n = c < 0x80 ? 1 : cli_utf8_seq(p + i, len - i);
        if (n == 0 || c < 0x20 || c == 0x7F) {   /* bad UTF-8, C0 controls, DEL */
            fprintf(f, "\\x%02x", c);
            i++;
        } else if (c == 0xC2 && p[i + 1] < 0xA0) {   /* C1 controls: U+0080..U+009F */
            fprintf(f, "\\u%04x", (unsigned)p[i + 1]);
            i += 2;
        } else {
            fwrite(p + i, 1, n, f);
            i += n;
        }
    }
}

size_t cli_echo_len(const char *text, size_t len)
{
    size_t max = 256;
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)text[max] & 0xC0) == 0x80)
        max--;
    return max;
}

void cli_term_str(FILE *f, const char *s)
{
    if (s != NULL)
        cli_term_text(f, s, strlen(s));
}

/* utf8.c - UTF-8 validation, repair (U+FFFD) and iteration. */
#include <string.h>

#include "text.h"

/* Length of the valid sequence at s[i] (1-4), or 0 when invalid. On 0,
 * *sub is the length of the maximal invalid subpart (>= 1), so repair
 * follows Unicode's "substitution of maximal subparts" practice. */
static size_t seq_len(const unsigned char *s, size_t len, size_t i, size_t *sub)
{
    unsigned char c = s[i];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;          /* overlong */
        else if (c == 0xED)
            hi = 0x9F;          /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;          /* overlong */
        else if (c == 0xF4)
            hi = 0x8F;          /* > U+10FFFF */
    } else {
        *sub = 1;
        return 0;
    }
    for (size_t k = 1; k <= need; k++) {
        unsigned char b;
        if (i + k >= len) {
            *sub = k;
            return 0;
        }
        b = s[i + k];
        if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) {
            *sub = k;
            return 0;
        }
    }
    return need + 1;
}

int hsc__utf8_validate(const char *s, size_t len, size_t *bad_offset)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    if (s == NULL && len > 0)
        return HSC_E_INVALID_ARG;
    while (i < len) {
        size_t n, sub;
        /* ASCII runs, 8 bytes at a time. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, u + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        n = seq_len(u, len, i, &sub);
        if (n == 0) {
            if (bad_offset != NULL)
                *bad_offset = i;
            return HSC_E_BAD_UTF8;
        }
        i += n;
    }
    return HSC_OK;
}

int hsc__utf8_repair(const hsc__alloc *a, const char *s, size_t len, hsc__buf *out)
{
    static const char fffd[3] = {(char)0xEF, (char)0xBF, (char)0xBD};
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    int st;

    out->len = 0;
    st = hsc__buf_reserve(a, out, len);
    if (st != HSC_OK)
        return st;
    out->data[0] = '\0';
    if (len == 0)
        return HSC_OK;
    while (i < len) {
        size_t sub = 0, n = seq_len(u, len, i, &sub);
        if (n > 0) {
            i += n;
            continue;
        }
        /* Flush the valid run before the bad bytes, then U+FFFD. */
        st = hsc__buf_append(a, out, s + run, i - run);
        if (st == HSC_OK)
            st = hsc__buf_append(a, out, fffd, sizeof fffd);
        if (st != HSC_OK)
            return st;
        i += sub;
        run = i;
    }
    return hsc__buf_append(a, out, s + run, len - run);
}

uint32_t hsc__utf8_next(const char *s, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    uint32_t c = u[0];
    if (c < 0x80) {
        *i += 1;
        return c;
    }
    if (c < 0xE0) {
        *i += 2;
        return ((c & 0x1Fu) << 6) | (u[1] & 0x3Fu);
    }
    if (c < 0xF0) {
        *i += 3;
        return ((c & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
    }
    *i += 4;
    return ((c & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
}

uint32_t hsc__utf8_decode_repair(const char *s, size_t len, size_t *i)
{
    size_t sub = 0, n = seq_len((const unsigned char *)s, len, *i, &sub);
    if (n == 0) {
        *i += sub;
        return 0xFFFD;
    }
    return hsc__utf8_next(s, i);
}

size_t hsc__utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t hsc__utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

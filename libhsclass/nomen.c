/* nomen.c - the nomenclature tables of a model (code descriptions and
 * national tariff lines): their checks, lookups by prefix (codes are
 * sorted, so a code's descendants follow it). Built by nomen_builder.c,
 * stored by nomen_codec.c, offered by nomen_api.c. */
#include <string.h>

#include "hscode.h"
#include "model.h"
#include "model_format.h"

/* ---- small checks ------------------------------------------------------- */

int hsc__nomen_lang_valid(const char *s, size_t len)
{
    if (len < 2 || len > 8)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return 0;
    return 1;
}

int hsc__nomen_name_valid(const char *s, size_t len)
{
    if (len < 1 || len >= HSC__NAME_CAP)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Descriptions: UTF-8, no control characters, at most HSC__NOMEN_MAX_TEXT. */
int hsc__nomen_text_valid(const char *s, size_t len)
{
    size_t bad;
    if (len > HSC__NOMEN_MAX_TEXT || hsc__utf8_validate(s, len, &bad) != HSC_OK)
        return 0;
    /* Every model load checks MBs of text: 8 bytes at a time. (w - 0x20..) & ~w & 0x80..
     * is non-zero exactly when some byte of w is below 0x20; w ^ 0x7f.. turns DEL into 0. */
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    uint64_t ctl = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w, d;
        memcpy(&w, s + i, 8);
        d = w ^ (0x7f * ones);
        ctl |= ((w - 0x20 * ones) & ~w & highs) | ((d - ones) & ~d & highs);
    }
    for (; i < len; i++)
        ctl |= ((unsigned char)s[i] < 0x20) | ((unsigned char)s[i] == 0x7f);
    return !ctl;
}

int hsc__nomen_digits_valid(const char *s, size_t len, size_t lo)
{
    if (len < lo || len > HSCM_MAX_CODE_DIGITS)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

void hsc__nomen_free(const hsc__alloc *a, hsc__nomen *n)
{
    hsc__free(a, n->code);
    hsc__free(a, n->text);
    hsc__free(a, n->pool);
    memset(n, 0, sizeof *n);
}

void hsc__natl_free(const hsc__alloc *a, hsc__natl *n)
{
    for (uint32_t i = 0; i < n->n_schemes; i++) {
        hsc__free(a, n->schemes[i].code);
        hsc__free(a, n->schemes[i].text);
    }
    hsc__free(a, n->pool);
    memset(n, 0, sizeof *n);
}

void hsc__tables_free(const hsc__alloc *a, hsc__tables *t)
{
    if (t == NULL)
        return;
    hsc__nomen_free(a, &t->nomen);
    hsc__natl_free(a, &t->natl);
    hsc__free(a, t);
}

void hsc__nomen_join_langs(hsc__nomen *n)
{
    size_t len = 0;
    n->langs_str[0] = '\0';
    for (uint32_t i = 0; i < n->n_langs; i++) {
        size_t l = strlen(n->langs[i]);
        if (i > 0)
            n->langs_str[len++] = ',';
        memcpy(n->langs_str + len, n->langs[i], l + 1);
        len += l;
    }
}

/* ---- lookups ------------------------------------------------------------------ */

/* First index in sorted codes[0..n) (offsets into pool) not below key. */
static size_t lower_bound(const char *pool, const size_t *codes, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(pool + codes[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void prefix_range(const char *pool, const size_t *codes, size_t n, const char *prefix,
                         size_t len, size_t *first, size_t *count)
{
    size_t lo = lower_bound(pool, codes, n, prefix), hi = lo;
    while (hi < n && strncmp(pool + codes[hi], prefix, len) == 0)
        hi++;
    *first = lo;
    *count = hi - lo;
}

void hsc__nomen_range(const hsc__nomen *n, const char *prefix, size_t len, size_t *first,
                      size_t *count)
{
    prefix_range(n->pool, n->code, n->n_codes, prefix, len, first, count);
}

void hsc__natl_range(const hsc__natl *n, uint32_t scheme, const char *prefix, size_t len,
                     size_t *first, size_t *count)
{
    const hsc__natl_scheme *sc = &n->schemes[scheme];
    prefix_range(n->pool, sc->code, sc->n_lines, prefix, len, first, count);
}

int hsc__nomen_lang(const hsc__nomen *n, const char *lang)
{
    for (uint32_t l = 0; l < n->n_langs; l++)
        if (strcmp(n->langs[l], lang) == 0)
            return (int)l;
    return -1;
}

/* Text of entry i in lang (NULL: the first language that has one); NULL if
 * none. */
const char *hsc__nomen_entry_text(const hsc__nomen *n, size_t i, const char *lang)
{
    const size_t *t = n->text + i * n->n_langs;
    if (lang == NULL) {
        for (uint32_t l = 0; l < n->n_langs; l++)
            if (n->pool[t[l]] != '\0')
                return n->pool + t[l];
        return NULL;
    }
    int l = hsc__nomen_lang(n, lang);
    return l >= 0 && n->pool[t[l]] != '\0' ? n->pool + t[l] : NULL;
}

const char *hsc__describe(const hsc__nomen *n, const hsc__natl *natl, const char *code,
                          size_t len, const char *lang)
{
    size_t first, count;
    if (n->n_codes) {
        hsc__nomen_range(n, code, len, &first, &count);
        if (count && strlen(n->pool + n->code[first]) == len) {
            const char *t = hsc__nomen_entry_text(n, first, lang);
            if (t != NULL)
                return t;
        }
    }
    for (uint32_t s = 0; s < natl->n_schemes; s++) {
        const hsc__natl_scheme *sc = &natl->schemes[s];
        if (lang != NULL && strcmp(lang, sc->lang) != 0)
            continue;
        hsc__natl_range(natl, s, code, len, &first, &count);
        if (count && strlen(natl->pool + sc->code[first]) == len)
            return natl->pool + sc->text[first];
    }
    return NULL;
}

/* nomen.c - the nomenclature tables of a model (code descriptions and
 * national tariff lines): their checks, lookups by prefix (codes are
 * sorted, so a code's descendants follow it), and the public
 * hsc_model_nomenclature_*, hsc_model_describe and hsc_model_national_*
 * calls. Built by nomen_builder.c, stored by nomen_codec.c. */
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
static const char *entry_text(const hsc__nomen *n, size_t i, const char *lang)
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
            const char *t = entry_text(n, first, lang);
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

/* ---- public model API -------------------------------------------------------------------- */

hsc_status hsc_model_nomenclature_languages(const hsc_model *model, const char **out)
{
    if (model == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = model->nomen.langs_str;
    return HSC_OK;
}

hsc_status hsc_model_nomenclature_count(const hsc_model *model, size_t *out)
{
    if (model == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = model->nomen.n_codes;
    return HSC_OK;
}

hsc_status hsc_model_nomenclature_entry(const hsc_model *model, size_t index, const char *lang,
                                        const char **code, const char **description)
{
    if (model == NULL)
        return HSC_E_INVALID_ARG;
    const hsc__nomen *n = &model->nomen;
    if (index >= n->n_codes)
        return HSC_E_NO_RESULT;
    const char *t = entry_text(n, index, lang);
    if (code != NULL)
        *code = n->pool + n->code[index];
    if (description != NULL)
        *description = t != NULL ? t : "";
    return HSC_OK;
}

/* A prefix argument (hscode.h); "" matches all. */
static int prefix_arg(const char *prefix, size_t len, char digits[HSC__CODE_CAP], size_t *nd)
{
    if (prefix == NULL && len > 0)
        return HSC_E_INVALID_ARG;
    if (hsc__code_parse(prefix != NULL ? prefix : "", len, digits, nd) != HSC__CODE_OK)
        return HSC_E_BAD_CODE;
    return HSC_OK;
}

hsc_status hsc_model_nomenclature_find(const hsc_model *model, const char *prefix, size_t len,
                                       size_t *first, size_t *count)
{
    char d[HSC__CODE_CAP];
    size_t nd;
    size_t f, c;
    if (model == NULL)
        return HSC_E_INVALID_ARG;
    int st = prefix_arg(prefix, len, d, &nd);
    if (st != HSC_OK)
        return st;
    hsc__nomen_range(&model->nomen, d, nd, first != NULL ? first : &f, count != NULL ? count : &c);
    return HSC_OK;
}

hsc_status hsc_model_describe(const hsc_model *model, const char *code, size_t len,
                              const char *lang, const char **out)
{
    char d[HSC__CODE_CAP];
    size_t nd;
    if (model == NULL || (code == NULL && len > 0) || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    if (hsc__code_parse(code != NULL ? code : "", len, d, &nd) != HSC__CODE_OK || nd < HSCM_MIN_CODE_DIGITS)
        return HSC_E_BAD_CODE;
    *out = hsc__describe(&model->nomen, &model->natl, d, nd, lang != NULL && *lang ? lang : NULL);
    return *out != NULL ? HSC_OK : HSC_E_NO_RESULT;
}

hsc_status hsc_model_national_scheme_count(const hsc_model *model, size_t *out)
{
    if (model == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = model->natl.n_schemes;
    return HSC_OK;
}

hsc_status hsc_model_national_scheme(const hsc_model *model, size_t scheme, const char **name,
                                     const char **lang)
{
    if (model == NULL)
        return HSC_E_INVALID_ARG;
    const hsc__natl *n = &model->natl;
    if (scheme >= n->n_schemes)
        return HSC_E_NO_RESULT;
    if (name != NULL)
        *name = n->schemes[scheme].name;
    if (lang != NULL)
        *lang = n->schemes[scheme].lang;
    return HSC_OK;
}

hsc_status hsc_model_national_find(const hsc_model *model, size_t scheme, const char *prefix,
                                   size_t len, size_t *first, size_t *count)
{
    char d[HSC__CODE_CAP];
    size_t nd;
    size_t f, c;
    if (model == NULL)
        return HSC_E_INVALID_ARG;
    const hsc__natl *n = &model->natl;
    if (scheme >= n->n_schemes)
        return HSC_E_NO_RESULT;
    int st = prefix_arg(prefix, len, d, &nd);
    if (st != HSC_OK)
        return st;
    hsc__natl_range(n, (uint32_t)scheme, d, nd, first != NULL ? first : &f,
                    count != NULL ? count : &c);
    return HSC_OK;
}

hsc_status hsc_model_national_line(const hsc_model *model, size_t scheme, size_t index,
                                   const char **code, const char **description)
{
    if (model == NULL)
        return HSC_E_INVALID_ARG;
    const hsc__natl *n = &model->natl;
    if (scheme >= n->n_schemes || index >= n->schemes[scheme].n_lines)
        return HSC_E_NO_RESULT;
    if (code != NULL)
        *code = n->pool + n->schemes[scheme].code[index];
    if (description != NULL)
        *description = n->pool + n->schemes[scheme].text[index];
    return HSC_OK;
}

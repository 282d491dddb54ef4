/* nomen_builder.c - the nomenclature as the trainer assembles it: rows of
 * description and national-line files (checked, duplicates reported), the
 * sorted tables a model stores, and the check that training rows carry
 * codes of that nomenclature. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hscode.h"
#include "model_format.h"
#include "nomen_builder.h"

/* ---- building from files ---------------------------------------------------------- */

void hsc__nomen_builder_init(hsc__nomen_builder *b, const hsc__alloc *a)
{
    memset(b, 0, sizeof *b);
    b->alloc = *a;
}

void hsc__nomen_builder_free(hsc__nomen_builder *b)
{
    hsc__buf_free(&b->alloc, &b->pool);
    hsc__free(&b->alloc, b->desc);
    hsc__free(&b->alloc, b->lines);
    b->desc = b->lines = NULL;
    b->n_desc = b->n_lines = 0;
}

int hsc__nomen_builder_empty(const hsc__nomen_builder *b)
{
    return b->n_desc == 0 && b->n_lines == 0;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t' || **s == '\r'))
        (*s)++, (*len)--;
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'))
        (*len)--;
}

typedef struct adding {
    hsc__nomen_builder *b;
    const hsc__row_sink *sink;
    const char *path;
    int kind;
    uint32_t set;
    hsc__nomen_entry **arr;
    size_t *n, *cap;
    uint64_t *lines;        /* line of each entry added by this file */
    size_t n_lines_cap;
    size_t first;           /* first entry of this file */
} adding;

static int report(const adding *ad, uint64_t line, hsc_status why, const char *msg)
{
    return hsc__row_reject(ad->sink, &ad->b->rejected, ad->path, line, why, msg);
}

static int add_row(adding *ad, uint64_t line, const char *s, size_t len)
{
    const char *tab = memchr(s, '\t', len);
    if (tab == NULL)
        return report(ad, line, HSC_E_BAD_ROW, "no tab between code and description");
    char digits[HSC__CODE_CAP];
    size_t nd;
    const char *text = tab + 1;
    size_t tlen = len - (size_t)(text - s);
    trim(&text, &tlen);
    size_t min = ad->kind ? HSC__NATL_MIN_DIGITS : HSCM_MIN_CODE_DIGITS;
    if (hsc__code_parse(s, (size_t)(tab - s), digits, &nd) != HSC__CODE_OK || nd < min)
        return report(ad, line, HSC_E_BAD_CODE,
                      ad->kind ? "national code must have 4 to 12 digits"
                               : "code must have 2 to 12 digits");
    if (tlen == 0)
        return report(ad, line, HSC_E_NO_DATA, "empty description");
    if (tlen > HSC__NOMEN_MAX_TEXT)
        return report(ad, line, HSC_E_TEXT_TOO_LONG,
                      "description longer than 4096 bytes");
    if (!hsc__nomen_text_valid(text, tlen))
        return report(ad, line, HSC_E_BAD_UTF8,
                      "description is not valid UTF-8 or has control characters");
    hsc__nomen_builder *b = ad->b;
    if (*ad->n == *ad->cap) {
        hsc__nomen_entry *e = hsc__grow_array(&b->alloc, *ad->arr, ad->cap,
                                              *ad->n + 1, sizeof *e, 1024);
        if (e == NULL)
            return HSC_E_NOMEM;
        *ad->arr = e;
    }
    size_t k = *ad->n - ad->first;
    if (k == ad->n_lines_cap) {
        uint64_t *l = hsc__grow_array(&b->alloc, ad->lines, &ad->n_lines_cap,
                                      k + 1, sizeof *l, 1024);
        if (l == NULL)
            return HSC_E_NOMEM;
        ad->lines = l;
    }
    hsc__nomen_entry *e = &(*ad->arr)[*ad->n];
    e->code = b->pool.len;
    int st = hsc__buf_append(&b->alloc, &b->pool, digits, nd + 1);
    e->text = b->pool.len;
    if (st == HSC_OK)
        st = hsc__buf_append(&b->alloc, &b->pool, text, tlen);
    if (st == HSC_OK)
        st = hsc__buf_append(&b->alloc, &b->pool, "", 1);
    if (st != HSC_OK)
        return st;
    e->set = ad->set;
    e->seq = b->seq;
    ad->lines[k] = line;
    (*ad->n)++;
    return HSC_OK;
}

typedef struct dup_key {
    const char *code;
    uint64_t line;
    size_t idx;
} dup_key;

static int cmp_dup(const void *x, const void *y)
{
    const dup_key *a = x, *b = y;
    int c = strcmp(a->code, b->code);
    if (c)
        return c;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* A code given twice in one file: keep the first, report the others. */
static int drop_duplicates(adding *ad)
{
    hsc__nomen_builder *b = ad->b;
    size_t n = *ad->n - ad->first;
    if (n < 2)
        return HSC_OK;
    dup_key *k = hsc__calloc(&b->alloc, n, sizeof *k);
    if (k == NULL)
        return HSC_E_NOMEM;
    hsc__nomen_entry *e = *ad->arr + ad->first;
    for (size_t i = 0; i < n; i++)
        k[i] = (dup_key){b->pool.data + e[i].code, ad->lines[i], i};
    qsort(k, n, sizeof *k, cmp_dup);
    int st = HSC_OK;
    for (size_t i = 1; i < n && st == HSC_OK; i++) {
        if (strcmp(k[i - 1].code, k[i].code) != 0)
            continue;
        e[k[i].idx].set = UINT32_MAX;
        st = report(ad, k[i].line, HSC_E_BAD_ROW,
                    "code already described earlier in the file");
    }
    hsc__free(&b->alloc, k);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (e[i].set != UINT32_MAX)
            e[w++] = e[i];
    *ad->n = ad->first + w;
    return st;
}

/* Index of tag in names (adding it when there is room); -1 when full. */
static int tag_index(char (*names)[HSC__NAME_CAP], uint32_t *n, uint32_t max, const char *tag)
{
    for (uint32_t i = 0; i < *n; i++)
        if (strcmp(names[i], tag) == 0)
            return (int)i;
    if (*n == max)
        return -1;
    snprintf(names[*n], HSC__NAME_CAP, "%s", tag);
    return (int)(*n)++;
}

int hsc__nomen_builder_add_file(hsc__nomen_builder *b, const hsc__row_sink *sink,
                                const char *path, int kind, const char *tag, const char *lang)
{
    if (b == NULL || sink == NULL || path == NULL || tag == NULL || (kind && lang == NULL))
        return HSC_E_INVALID_ARG;
    adding ad = {b, sink, path, kind, 0, kind ? &b->lines : &b->desc,
                 kind ? &b->n_lines : &b->n_desc, kind ? &b->cap_lines : &b->cap_desc, NULL, 0, 0};
    ad.first = *ad.n;
    if (kind) {
        if (!hsc__nomen_name_valid(tag, strlen(tag)) || !hsc__nomen_lang_valid(lang, strlen(lang)))
            return HSC_E_INVALID_ARG;
        uint32_t n = b->n_schemes;
        int i = tag_index(b->scheme_name, &n, HSC__NATL_MAX_SCHEMES, tag);
        if (i < 0)
            return HSC_E_INVALID_ARG;
        if ((uint32_t)i < b->n_schemes && strcmp(b->scheme_lang[i], lang) != 0)
            return HSC_E_INVALID_ARG;   /* one language per scheme */
        ad.set = (uint32_t)i;
    } else {
        if (!hsc__nomen_lang_valid(tag, strlen(tag)))
            return HSC_E_INVALID_ARG;
        uint32_t n = b->n_langs;
        char names[HSC__NOMEN_MAX_LANGS][HSC__NAME_CAP];
        for (uint32_t i = 0; i < n; i++)
            snprintf(names[i], HSC__NAME_CAP, "%s", b->langs[i]);
        int i = tag_index(names, &n, HSC__NOMEN_MAX_LANGS, tag);
        if (i < 0)
            return HSC_E_INVALID_ARG;
        ad.set = (uint32_t)i;
    }
    hsc__buf data = {0};
    int st = hsc__read_file(&b->alloc, path, SIZE_MAX, &data);
    const char *p = data.data, *end = data.data + data.len;
    if (st == HSC_OK && data.len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    uint64_t line = 0;
    while (st == HSC_OK && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl != NULL ? nl : end;
        const char *q = p;
        size_t len = (size_t)(eol - p);
        line++;
        trim(&q, &len);
        if (len)
            st = add_row(&ad, line, p, (size_t)(eol - p));
        p = nl != NULL ? nl + 1 : end;
    }
    hsc__buf_free(&b->alloc, &data);
    if (st == HSC_OK)
        st = drop_duplicates(&ad);
    hsc__free(&b->alloc, ad.lines);
    if (st != HSC_OK) {
        *ad.n = ad.first;   /* all or nothing */
        return st;
    }
    /* The file counts (its language or scheme exists) once it is read. */
    if (kind && ad.set == b->n_schemes) {
        snprintf(b->scheme_name[ad.set], HSC__NAME_CAP, "%s", tag);
        snprintf(b->scheme_lang[ad.set], HSC__LANG_CAP, "%s", lang);
        b->n_schemes++;
    } else if (!kind && ad.set == b->n_langs) {
        snprintf(b->langs[ad.set], HSC__LANG_CAP, "%s", tag);
        b->n_langs++;
    }
    b->seq++;
    return HSC_OK;
}

/* ---- final tables ------------------------------------------------------------------ */

typedef struct sorted_entry {
    const char *code, *text;
    uint32_t set, seq;
} sorted_entry;

static int cmp_entry(const void *x, const void *y)
{
    const sorted_entry *a = x, *b = y;
    int c = strcmp(a->code, b->code);
    if (c)
        return c;
    if (a->set != b->set)
        return a->set < b->set ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static sorted_entry *sort_entries(const hsc__nomen_builder *b, const hsc__nomen_entry *e, size_t n)
{
    sorted_entry *s = hsc__calloc(&b->alloc, n ? n : 1, sizeof *s);
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        s[i] = (sorted_entry){b->pool.data + e[i].code, b->pool.data + e[i].text, e[i].set,
                              e[i].seq};
    qsort(s, n, sizeof *s, cmp_entry);
    return s;
}

static size_t copy_str(char *pool, size_t *len, const char *s)
{
    size_t off = *len, n = strlen(s);
    memcpy(pool + off, s, n + 1);
    *len += n + 1;
    return off;
}

static int build_nomen(const hsc__nomen_builder *b, hsc__nomen *out)
{
    const hsc__alloc *a = &b->alloc;
    hsc__nomen n;
    memset(&n, 0, sizeof n);
    if (b->n_desc == 0)
        goto done;
    sorted_entry *s = sort_entries(b, b->desc, b->n_desc);
    if (s == NULL)
        return HSC_E_NOMEM;
    size_t codes = 0;
    for (size_t i = 0; i < b->n_desc; i++)
        codes += i == 0 || strcmp(s[i - 1].code, s[i].code) != 0;
    n.n_langs = b->n_langs;
    memcpy(n.langs, b->langs, sizeof n.langs);
    n.n_codes = (uint32_t)codes;
    n.code = hsc__calloc(a, codes, sizeof *n.code);
    n.text = hsc__calloc(a, codes * n.n_langs, sizeof *n.text);
    n.pool = hsc__calloc(a, b->pool.len + 1, 1);   /* pool[0] = "" for missing texts */
    if (n.code == NULL || n.text == NULL || n.pool == NULL || codes > HSC__NOMEN_MAX_CODES) {
        hsc__free(a, s);
        hsc__nomen_free(a, &n);
        return codes > HSC__NOMEN_MAX_CODES ? HSC_E_INVALID_ARG : HSC_E_NOMEM;
    }
    size_t len = 1, k = 0;
    for (size_t i = 0; i < b->n_desc; i++) {
        if (i > 0 && strcmp(s[i - 1].code, s[i].code) == 0) {
            n.text[(k - 1) * n.n_langs + s[i].set] = copy_str(n.pool, &len, s[i].text);
            continue;   /* later entries (higher seq) replace earlier ones */
        }
        n.code[k] = copy_str(n.pool, &len, s[i].code);
        n.text[k * n.n_langs + s[i].set] = copy_str(n.pool, &len, s[i].text);
        k++;
    }
    hsc__free(a, s);
done:
    hsc__nomen_join_langs(&n);
    *out = n;
    return HSC_OK;
}

static int build_natl(const hsc__nomen_builder *b, hsc__natl *out)
{
    const hsc__alloc *a = &b->alloc;
    hsc__natl n;
    memset(&n, 0, sizeof n);
    if (b->n_lines == 0) {
        *out = n;
        return HSC_OK;
    }
    sorted_entry *s = sort_entries(b, b->lines, b->n_lines);
    n.pool = hsc__calloc(a, b->pool.len + 1, 1);
    int st = s != NULL && n.pool != NULL ? HSC_OK : HSC_E_NOMEM;
    size_t len = 0;
    n.n_schemes = b->n_schemes;
    for (uint32_t k = 0; k < b->n_schemes && st == HSC_OK; k++) {
        hsc__natl_scheme *sc = &n.schemes[k];
        memcpy(sc->name, b->scheme_name[k], HSC__NAME_CAP);
        memcpy(sc->lang, b->scheme_lang[k], HSC__LANG_CAP);
        size_t count = 0;
        for (size_t i = 0; i < b->n_lines; i++)
            count += s[i].set == k;
        sc->code = hsc__calloc(a, count ? count : 1, sizeof *sc->code);
        sc->text = hsc__calloc(a, count ? count : 1, sizeof *sc->text);
        if (sc->code == NULL || sc->text == NULL) {
            st = HSC_E_NOMEM;
            break;
        }
        const sorted_entry *prev = NULL;
        for (size_t i = 0; i < b->n_lines; i++) {
            if (s[i].set != k)
                continue;
            if (prev != NULL && strcmp(prev->code, s[i].code) == 0) {
                sc->text[sc->n_lines - 1] = copy_str(n.pool, &len, s[i].text);
            } else {
                sc->code[sc->n_lines] = copy_str(n.pool, &len, s[i].code);
                sc->text[sc->n_lines] = copy_str(n.pool, &len, s[i].text);
                sc->n_lines++;
            }
            prev = &s[i];
        }
        if (sc->n_lines > HSC__NOMEN_MAX_CODES)
            st = HSC_E_INVALID_ARG;
    }
    hsc__free(a, s);
    if (st != HSC_OK) {
        hsc__natl_free(a, &n);
        return st;
    }
    *out = n;
    return HSC_OK;
}

int hsc__nomen_builder_build(const hsc__nomen_builder *b, hsc__nomen *nomen, hsc__natl *natl)
{
    int st = build_nomen(b, nomen);
    if (st != HSC_OK)
        return st;
    st = build_natl(b, natl);
    if (st != HSC_OK)
        hsc__nomen_free(&b->alloc, nomen);
    return st;
}

/* ---- checking training rows ----------------------------------------------------------- */

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int hsc__nomen_filter_rows(const hsc__nomen_builder *b, hsc__rowset *rs)
{
    if (hsc__nomen_builder_empty(b) || rs->n_rows == 0)
        return HSC_OK;
    const hsc__alloc *a = &b->alloc;
    /* Known codes: described ones, national lines and their even prefixes
     * (as pointers into a private pool of prefixes). */
    size_t n_known = b->n_desc + b->n_lines * 6;
    char **known = hsc__calloc(a, n_known, sizeof *known);
    char *prefixes = hsc__calloc(a, b->n_lines * 6 * 16 + 1, 1);
    if (known == NULL || prefixes == NULL) {
        hsc__free(a, known);
        hsc__free(a, prefixes);
        return HSC_E_NOMEM;
    }
    size_t n = 0, plen = 0;
    for (size_t i = 0; i < b->n_desc; i++)
        known[n++] = b->pool.data + b->desc[i].code;
    for (size_t i = 0; i < b->n_lines; i++) {
        const char *code = b->pool.data + b->lines[i].code;
        size_t len = strlen(code);
        known[n++] = (char *)(uintptr_t)code;
        for (size_t d = 2; d < len && d <= 10; d += 2) {
            char *p = prefixes + plen;
            memcpy(p, code, d);
            p[d] = '\0';
            plen += 16;
            known[n++] = p;
        }
    }
    qsort(known, n, sizeof *known, cmp_str);
    int st = HSC_OK;
    size_t w = 0;
    for (size_t i = 0; i < rs->n_rows; i++) {
        hsc__row row = rs->rows[i];
        const char *code = rs->codes.data + row.code_off;
        if (st != HSC_OK || bsearch(&code, known, n, sizeof *known, cmp_str) != NULL) {
            rs->rows[w++] = row;
            continue;
        }
        /* Name the row by its code and the start of its text. */
        char msg[160];
        const char *text = rs->texts.data + row.text_off;
        size_t tl = row.text_len < 48 ? row.text_len : 48;
        while (tl > 0 && tl < row.text_len && ((unsigned char)text[tl] & 0xC0) == 0x80)
            tl--;   /* cut on a character boundary */
        snprintf(msg, sizeof msg, "code %s is not in the nomenclature (\"%.*s%s\")", code, (int)tl,
                 text, tl < row.text_len ? "..." : "");
        st = hsc__row_reject(rs->sink, &rs->rejected, "", 0, HSC_E_BAD_CODE, msg);
        if (st != HSC_OK)
            rs->rows[w++] = row;   /* strict: keep the rows, stop */
    }
    rs->n_rows = w;
    hsc__free(a, known);
    hsc__free(a, prefixes);
    int ist = hsc__rowset_reindex(rs);
    return st != HSC_OK ? st : ist;
}


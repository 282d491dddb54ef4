/* nomen_codec.c - the NOMN and NATL section payloads (layout in
 * model_format.h): a deterministic encoder, and a decoder that checks every
 * length against what is left before copying, and every value. */
#include <string.h>

#include "bytes.h"
#include "model_format.h"
#include "nomen.h"

/* ---- encoding -------------------------------------------------------------- */

static int put_str(const hsc__alloc *a, hsc__buf *b, const char *s)
{
    uint8_t t[4];
    size_t len = strlen(s);
    hsc__wr32(t, (uint32_t)len);
    int st = hsc__buf_append(a, b, t, 4);
    return st != HSC_OK ? st : hsc__buf_append(a, b, s, len);
}

static int put_u32(const hsc__alloc *a, hsc__buf *b, uint32_t v)
{
    uint8_t t[4];
    hsc__wr32(t, v);
    return hsc__buf_append(a, b, t, 4);
}

int hsc__nomen_encode(const hsc__alloc *a, const hsc__nomen *n, hsc__buf *out)
{
    int st = put_u32(a, out, n->n_langs);
    for (uint32_t l = 0; l < n->n_langs && st == HSC_OK; l++)
        st = put_str(a, out, n->langs[l]);
    if (st == HSC_OK)
        st = put_u32(a, out, n->n_codes);
    for (uint32_t i = 0; i < n->n_codes && st == HSC_OK; i++) {
        st = put_str(a, out, n->pool + n->code[i]);
        for (uint32_t l = 0; l < n->n_langs && st == HSC_OK; l++)
            st = put_str(a, out, n->pool + n->text[(size_t)i * n->n_langs + l]);
    }
    return st;
}

int hsc__natl_encode(const hsc__alloc *a, const hsc__natl *n, hsc__buf *out)
{
    int st = put_u32(a, out, n->n_schemes);
    for (uint32_t s = 0; s < n->n_schemes && st == HSC_OK; s++) {
        const hsc__natl_scheme *sc = &n->schemes[s];
        st = put_str(a, out, sc->name);
        if (st == HSC_OK)
            st = put_str(a, out, sc->lang);
        if (st == HSC_OK)
            st = put_u32(a, out, sc->n_lines);
        for (uint32_t i = 0; i < sc->n_lines && st == HSC_OK; i++) {
            st = put_str(a, out, n->pool + sc->code[i]);
            if (st == HSC_OK)
                st = put_str(a, out, n->pool + sc->text[i]);
        }
    }
    return st;
}

/* ---- decoding --------------------------------------------------------------- */

typedef struct cursor {
    const uint8_t *p;
    size_t len, pos;
    char *pool;              /* strings are copied here with a NUL */
    size_t pool_len;
} cursor;

/* A u32 or a length-prefixed string; HSC_E_MODEL_SECTION when truncated. */
static int get_u32(cursor *c, uint32_t *v)
{
    if (c->len - c->pos < 4)
        return HSC_E_MODEL_SECTION;
    *v = hsc__rd32(c->p + c->pos);
    c->pos += 4;
    return HSC_OK;
}

static int get_str(cursor *c, uint32_t max, const char **s, uint32_t *len)
{
    int st = get_u32(c, len);
    if (st != HSC_OK)
        return st;
    if (*len > max) {
        c->pos -= 4;
        return HSC_E_MODEL_LIMIT;
    }
    if (c->len - c->pos < *len)
        return HSC_E_MODEL_SECTION;
    *s = (const char *)c->p + c->pos;
    c->pos += *len;
    return HSC_OK;
}

/* Copy the string just read into the pool; returns its offset. */
static size_t keep(cursor *c, const char *s, uint32_t len)
{
    size_t off = c->pool_len;
    memcpy(c->pool + off, s, len);
    c->pool[off + len] = '\0';
    c->pool_len += (size_t)len + 1;
    return off;
}

/* Entries of min_size bytes each must fit in what is left. */
static int room_for(const cursor *c, uint32_t n, size_t min_size)
{
    return (size_t)n <= (c->len - c->pos) / min_size;
}

int hsc__nomen_decode(const hsc__alloc *a, const uint8_t *data, size_t len, hsc__nomen *out,
                      size_t *bad_pos)
{
    cursor c = {data, len, 0, NULL, 0};
    hsc__nomen n;
    memset(&n, 0, sizeof n);
    uint32_t slen;
    const char *s;
    size_t at = 0;
    int st = get_u32(&c, &n.n_langs);
    if (st == HSC_OK && (n.n_langs == 0 || n.n_langs > HSC__NOMEN_MAX_LANGS))
        st = n.n_langs ? HSC_E_MODEL_LIMIT : HSC_E_MODEL_VALUE;
    for (uint32_t l = 0; l < n.n_langs && st == HSC_OK; l++) {
        at = c.pos;
        st = get_str(&c, 8, &s, &slen);
        if (st == HSC_OK && !hsc__nomen_lang_valid(s, slen))
            st = HSC_E_MODEL_VALUE;
        if (st != HSC_OK)
            break;
        memcpy(n.langs[l], s, slen);
        n.langs[l][slen] = '\0';
        for (uint32_t k = 0; k < l; k++)
            if (strcmp(n.langs[k], n.langs[l]) == 0)
                st = HSC_E_MODEL_VALUE;
    }
    if (st == HSC_OK) {
        at = c.pos;
        st = get_u32(&c, &n.n_codes);
    }
    if (st == HSC_OK && (n.n_codes == 0 || n.n_codes > HSC__NOMEN_MAX_CODES))
        st = n.n_codes ? HSC_E_MODEL_LIMIT : HSC_E_MODEL_VALUE;
    if (st == HSC_OK && !room_for(&c, n.n_codes, 6 + 4 * (size_t)n.n_langs))
        st = HSC_E_MODEL_SECTION;
    if (st == HSC_OK) {
        n.code = hsc__calloc(a, n.n_codes, sizeof *n.code);
        n.text = hsc__calloc(a, (size_t)n.n_codes * n.n_langs, sizeof *n.text);
        /* every string's bytes are in data, plus one NUL each */
        c.pool = n.pool = hsc__calloc(a, len + (size_t)n.n_codes * (1 + n.n_langs) + 1, 1);
        if (n.code == NULL || n.text == NULL || n.pool == NULL)
            st = HSC_E_NOMEM;
    }
    for (uint32_t i = 0; i < n.n_codes && st == HSC_OK; i++) {
        at = c.pos;
        st = get_str(&c, HSCM_MAX_CODE_DIGITS, &s, &slen);
        if (st == HSC_OK && !hsc__nomen_digits_valid(s, slen, HSCM_MIN_CODE_DIGITS))
            st = HSC_E_MODEL_VALUE;
        if (st != HSC_OK)
            break;
        n.code[i] = keep(&c, s, slen);
        if (i > 0 && strcmp(n.pool + n.code[i - 1], n.pool + n.code[i]) >= 0) {
            st = HSC_E_MODEL_VALUE;
            break;
        }
        uint32_t texts = 0;
        for (uint32_t l = 0; l < n.n_langs && st == HSC_OK; l++) {
            at = c.pos;
            st = get_str(&c, HSC__NOMEN_MAX_TEXT, &s, &slen);
            if (st == HSC_OK && !hsc__nomen_text_valid(s, slen))
                st = HSC_E_MODEL_VALUE;
            if (st == HSC_OK)
                n.text[(size_t)i * n.n_langs + l] = keep(&c, s, slen);
            texts += slen > 0;
        }
        if (st == HSC_OK && texts == 0)
            st = HSC_E_MODEL_VALUE;   /* an entry describes its code */
    }
    if (st == HSC_OK && c.pos != len) {
        at = c.pos;
        st = HSC_E_MODEL_SECTION;
    }
    if (st != HSC_OK) {
        *bad_pos = at;
        hsc__nomen_free(a, &n);
        return st;
    }
    hsc__nomen_join_langs(&n);
    *out = n;
    return HSC_OK;
}

int hsc__natl_decode(const hsc__alloc *a, const uint8_t *data, size_t len, hsc__natl *out,
                     size_t *bad_pos)
{
    cursor c = {data, len, 0, NULL, 0};
    hsc__natl n;
    memset(&n, 0, sizeof n);
    uint32_t count = 0, slen;
    const char *s;
    size_t at = 0;
    int st = get_u32(&c, &count);
    if (st == HSC_OK && (count == 0 || count > HSC__NATL_MAX_SCHEMES))
        st = count ? HSC_E_MODEL_LIMIT : HSC_E_MODEL_VALUE;
    if (st == HSC_OK) {
        c.pool = n.pool = hsc__calloc(a, 2 * len + 1, 1);   /* >= 1 NUL per >= 4 bytes */
        if (n.pool == NULL)
            st = HSC_E_NOMEM;
    }
    for (uint32_t k = 0; k < count && st == HSC_OK; k++) {
        hsc__natl_scheme *sc = &n.schemes[k];
        n.n_schemes = k + 1;   /* freed even when half-built */
        at = c.pos;
        st = get_str(&c, HSC__NAME_CAP - 1, &s, &slen);
        if (st == HSC_OK && !hsc__nomen_name_valid(s, slen))
            st = HSC_E_MODEL_VALUE;
        if (st != HSC_OK)
            break;
        memcpy(sc->name, s, slen);
        for (uint32_t j = 0; j < k; j++)
            if (strcmp(n.schemes[j].name, sc->name) == 0)
                st = HSC_E_MODEL_VALUE;
        if (st == HSC_OK) {
            at = c.pos;
            st = get_str(&c, 8, &s, &slen);
            if (st == HSC_OK && !hsc__nomen_lang_valid(s, slen))
                st = HSC_E_MODEL_VALUE;
            if (st == HSC_OK)
                memcpy(sc->lang, s, slen);
        }
        if (st == HSC_OK) {
            at = c.pos;
            st = get_u32(&c, &sc->n_lines);
        }
        if (st == HSC_OK && (sc->n_lines == 0 || sc->n_lines > HSC__NOMEN_MAX_CODES))
            st = sc->n_lines ? HSC_E_MODEL_LIMIT : HSC_E_MODEL_VALUE;
        if (st == HSC_OK && !room_for(&c, sc->n_lines, 4 + HSC__NATL_MIN_DIGITS + 5))
            st = HSC_E_MODEL_SECTION;
        if (st == HSC_OK) {
            sc->code = hsc__calloc(a, sc->n_lines, sizeof *sc->code);
            sc->text = hsc__calloc(a, sc->n_lines, sizeof *sc->text);
            if (sc->code == NULL || sc->text == NULL)
                st = HSC_E_NOMEM;
        }
        for (uint32_t i = 0; i < sc->n_lines && st == HSC_OK; i++) {
            at = c.pos;
            st = get_str(&c, HSCM_MAX_CODE_DIGITS, &s, &slen);
            if (st == HSC_OK && !hsc__nomen_digits_valid(s, slen, HSC__NATL_MIN_DIGITS))
                st = HSC_E_MODEL_VALUE;
            if (st != HSC_OK)
                break;
            sc->code[i] = keep(&c, s, slen);
            if (i > 0 && strcmp(n.pool + sc->code[i - 1], n.pool + sc->code[i]) >= 0) {
                st = HSC_E_MODEL_VALUE;
                break;
            }
            at = c.pos;
            st = get_str(&c, HSC__NOMEN_MAX_TEXT, &s, &slen);
            if (st == HSC_OK && (slen == 0 || !hsc__nomen_text_valid(s, slen)))
                st = HSC_E_MODEL_VALUE;
            if (st == HSC_OK)
                sc->text[i] = keep(&c, s, slen);
        }
    }
    if (st == HSC_OK && c.pos != len) {
        at = c.pos;
        st = HSC_E_MODEL_SECTION;
    }
    if (st != HSC_OK) {
        *bad_pos = at;
        hsc__natl_free(a, &n);
        return st;
    }
    *out = n;
    return HSC_OK;
}

/* precedent.c - the precedent memory of a model: its PREC and PTXT section
 * payloads, and the search for the rows nearest to a text.
 *
 * Similarity is the cosine of idf-weighted key sets (a key is a stem or a
 * pair of consecutive stems): sum of idf^2 over shared keys / (|q| |r|).
 * Keys found in more than max_df rows ("other", "autres") are left out of
 * the search, where they would cost most and tell least, and of the norms
 * on both sides, so a row's own text is similar 1 to it. The neighbours' codes vote
 * with similarity ^ vote_power. Posting lists stay varint-coded in memory
 * and are decoded with bounds checks at search time, so a model loads
 * without walking millions of postings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "model_format.h"
#include "precedent.h"

void *hsc__prec_alloc(const hsc__alloc *a, hsc__prec *p, size_t n, size_t size)
{
    size_t slot = 0;
    while (slot < sizeof p->own / sizeof *p->own && p->own[slot] != NULL)
        slot++;
    if (slot == sizeof p->own / sizeof *p->own)
        return NULL;
    p->own[slot] = hsc__calloc(a, n + 1, size);
    return p->own[slot];
}

void hsc__prec_free(const hsc__alloc *a, hsc__prec *p)
{
    for (size_t i = 0; i < sizeof p->own / sizeof *p->own; i++)
        hsc__free(a, p->own[i]);
    for (uint32_t i = 0; i < p->n_sources && p->sources != NULL; i++)
        hsc__free(a, p->sources[i]);
    hsc__free(a, p->sources);
    hsc__free(a, p->text_off);
    hsc__free(a, p->text_pool);
    memset(p, 0, sizeof *p);
}

float hsc__prec_idf2(double log_rows, uint32_t df)
{
    double idf = log_rows - log((double)df);
    return (float)(idf * idf);
}

/* ---- encoding ------------------------------------------------------------ */

static int put_u32(const hsc__alloc *a, hsc__buf *b, uint32_t v)
{
    uint8_t t[4];
    hsc__wr32(t, v);
    return hsc__buf_append(a, b, t, 4);
}

static int put_str(const hsc__alloc *a, hsc__buf *b, const char *s, size_t len)
{
    int st = put_u32(a, b, (uint32_t)len);
    return st != HSC_OK ? st : hsc__buf_append(a, b, s, len);
}

static int put_varint(const hsc__alloc *a, hsc__buf *b, uint32_t v)
{
    uint8_t t[5];
    return hsc__buf_append(a, b, t, hsc__varint_put(t, v));
}

int hsc__prec_encode(const hsc__alloc *a, const hsc__prec *p, hsc__buf *out)
{
    uint8_t t[8];
    size_t start = out->len;
    int st = put_u32(a, out, HSC__PREC_VERSION);
    const uint32_t head[] = {p->n_rows, p->n_keys, p->neighbours, p->max_df};
    for (size_t i = 0; i < 4 && st == HSC_OK; i++)
        st = put_u32(a, out, head[i]);
    hsc__wrf64(t, p->vote_power);
    if (st == HSC_OK)
        st = hsc__buf_append(a, out, t, 8);
    if (st == HSC_OK)
        st = put_u32(a, out, p->n_sources);
    for (uint32_t i = 0; i < p->n_sources && st == HSC_OK; i++)
        st = put_str(a, out, p->sources[i], strlen(p->sources[i]));
    static const uint8_t zero[4];
    if (st == HSC_OK)   /* the arrays start 4-aligned: used in place */
        st = hsc__buf_append(a, out, zero, (4 - (out->len - start) % 4) % 4);
    for (uint32_t r = 0; r < p->n_rows && st == HSC_OK; r++)
        st = put_u32(a, out, p->row_label[r]);
    for (uint32_t r = 0; r < p->n_rows && st == HSC_OK; r++) {
        hsc__wrf32(t, p->row_norm[r]);
        st = hsc__buf_append(a, out, t, 4);
    }
    if (st == HSC_OK)
        st = hsc__buf_append(a, out, p->blocks, (size_t)p->n_blocks * 12);
    if (st == HSC_OK)
        st = hsc__buf_append(a, out, p->row_source, p->n_rows);
    if (st == HSC_OK)
        st = put_str(a, out, (const char *)p->table, p->table_len);
    if (st == HSC_OK)
        st = put_str(a, out, (const char *)p->post, p->post_len);
    return st;
}

int hsc__prec_pack(const hsc__alloc *a, const uint32_t *keys, const uint32_t *df,
                   const uint32_t *post_off, hsc__prec *p)
{
    hsc__buf tab = {0};
    p->n_blocks = (p->n_keys + HSC__PREC_BLOCK - 1) / HSC__PREC_BLOCK;
    uint8_t *blocks = hsc__prec_alloc(a, p, (size_t)p->n_blocks, 12);
    int st = blocks != NULL ? HSC_OK : HSC_E_NOMEM;
    for (uint32_t k = 0; k < p->n_keys && st == HSC_OK; k++) {
        if (k % HSC__PREC_BLOCK == 0) {
            uint8_t *e = blocks + (size_t)(k / HSC__PREC_BLOCK) * 12;
            hsc__wr32(e, keys[k]);
            hsc__wr32(e + 4, (uint32_t)tab.len);
            hsc__wr32(e + 8, post_off[k]);
        }
        st = put_varint(a, &tab, keys[k] - (k > 0 ? keys[k - 1] : 0));
        if (st == HSC_OK)
            st = put_varint(a, &tab, df[k]);
        if (st == HSC_OK)
            st = put_varint(a, &tab, post_off[k + 1] - post_off[k]);
    }
    if (st == HSC_OK && tab.len > UINT32_MAX)
        st = HSC_E_NOMEM;
    uint8_t *table = st == HSC_OK ? hsc__prec_alloc(a, p, tab.len, 1) : NULL;
    if (table != NULL) {
        if (tab.len > 0)
            memcpy(table, tab.data, tab.len);
        p->table = table;
        p->table_len = tab.len;
        p->blocks = blocks;
        p->log_rows = log((double)p->n_rows);
    } else if (st == HSC_OK) {
        st = HSC_E_NOMEM;
    }
    hsc__buf_free(a, &tab);
    return st;
}

int hsc__prec_texts_encode(const hsc__alloc *a, const hsc__prec *p, hsc__buf *out)
{
    int st = put_u32(a, out, p->n_rows);
    for (uint32_t r = 0; r < p->n_rows && st == HSC_OK; r++)
        st = put_str(a, out, p->text_pool + p->text_off[r], strlen(p->text_pool + p->text_off[r]));
    return st;
}

/* ---- decoding -------------------------------------------------------------- */

typedef struct cursor {
    const uint8_t *p;
    size_t len, pos;
    size_t *bad;
} cursor;

static int bad_at(cursor *c, size_t at)
{
    *c->bad = at;
    return HSC_E_MODEL_VALUE;
}

static int get_u32(cursor *c, uint32_t *v)
{
    if (c->len - c->pos < 4) {
        *c->bad = c->pos;
        return HSC_E_MODEL_SECTION;
    }
    *v = hsc__rd32(c->p + c->pos);
    c->pos += 4;
    return HSC_OK;
}

/* A u32-length-prefixed byte run: where it starts and how long it is. */
static int get_run(cursor *c, size_t *start, uint32_t *len)
{
    int st = get_u32(c, len);
    if (st == HSC_OK && c->len - c->pos < *len) {
        *c->bad = c->pos - 4;
        return HSC_E_MODEL_SECTION;
    }
    *start = c->pos;
    c->pos += st == HSC_OK ? *len : 0;
    return st;
}

static int is_clean_text(const uint8_t *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < 0x20 || s[i] == 0x7F)
            return 0;
    return hsc__utf8_validate((const char *)s, len, &(size_t){0}) == HSC_OK;
}

static int decode_sources(const hsc__alloc *a, cursor *c, hsc__prec *p)
{
    int st = get_u32(c, &p->n_sources);
    if (st != HSC_OK)
        return st;
    if (p->n_sources == 0 || p->n_sources > HSC__PREC_MAX_SOURCES)
        return bad_at(c, c->pos - 4);
    p->sources = hsc__calloc(a, p->n_sources, sizeof *p->sources);
    if (p->sources == NULL)
        return HSC_E_NOMEM;
    for (uint32_t i = 0; i < p->n_sources; i++) {
        size_t at;
        uint32_t len;
        if ((st = get_run(c, &at, &len)) != HSC_OK)
            return st;
        if (len > HSC__PREC_MAX_SOURCE_LEN || !is_clean_text(c->p + at, len))
            return bad_at(c, at);
        p->sources[i] = hsc__strndup(a, (const char *)c->p + at, len);
        if (p->sources[i] == NULL)
            return HSC_E_NOMEM;
    }
    return HSC_OK;
}

/* Version 1's key table (in front of its postings): ascending keys, df in
 * 1..n_rows, posting runs that add up to the postings' length and can hold
 * df varints; checked whole, and indexed by blocks as version 2 stores. */
static int decode_keys_v1(const hsc__alloc *a, cursor *c, hsc__prec *p)
{
    size_t at, pat;
    uint32_t len, plen;
    int st = get_run(c, &at, &len);
    if (st == HSC_OK)
        st = get_run(c, &pat, &plen);
    if (st != HSC_OK)
        return st;
    p->n_blocks = (p->n_keys + HSC__PREC_BLOCK - 1) / HSC__PREC_BLOCK;
    uint8_t *blocks = hsc__prec_alloc(a, p, (size_t)p->n_blocks, 12);
    if (blocks == NULL)
        return HSC_E_NOMEM;
    size_t pos = at, end = at + len;
    uint64_t off = 0, key = 0;
    for (uint32_t k = 0; k < p->n_keys; k++) {
        uint32_t gap, df, bytes;
        size_t here = pos;
        if (!hsc__varint_get(c->p, end, &pos, &gap) || !hsc__varint_get(c->p, end, &pos, &df) ||
            !hsc__varint_get(c->p, end, &pos, &bytes))
            return bad_at(c, here);
        key += gap;
        if ((k > 0 && gap == 0) || key > UINT32_MAX || df == 0 || df > p->n_rows ||
            bytes < df || (uint64_t)bytes > (uint64_t)df * 5 || off + bytes > plen)
            return bad_at(c, here);
        if (k % HSC__PREC_BLOCK == 0) {
            uint8_t *e = blocks + (size_t)(k / HSC__PREC_BLOCK) * 12;
            hsc__wr32(e, (uint32_t)key);
            hsc__wr32(e + 4, (uint32_t)(here - at));
            hsc__wr32(e + 8, (uint32_t)off);
        }
        off += bytes;
    }
    if (pos != end || off != plen)
        return bad_at(c, pos);
    p->table = c->p + at;
    p->table_len = len;
    p->blocks = blocks;
    p->post = c->p + pat;
    p->post_len = plen;
    return HSC_OK;
}

/* Version 1's rows: varint labels, then f32 norms and u8 sources. */
static int decode_rows_v1(const hsc__alloc *a, cursor *c, hsc__prec *p, uint32_t n_labels)
{
    size_t at;
    uint32_t len;
    int st = get_run(c, &at, &len);
    if (st != HSC_OK)
        return st;
    uint32_t *label = hsc__prec_alloc(a, p, p->n_rows, sizeof *label);
    float *norm = hsc__prec_alloc(a, p, p->n_rows, sizeof *norm);
    if (label == NULL || norm == NULL)
        return HSC_E_NOMEM;
    p->row_label = label;
    p->row_norm = norm;
    size_t pos = at, end = at + len;
    for (uint32_t r = 0; r < p->n_rows; r++) {
        size_t here = pos;
        if (!hsc__varint_get(c->p, end, &pos, &label[r]) || label[r] >= n_labels)
            return bad_at(c, here);
    }
    if (pos != end)
        return bad_at(c, pos);
    if ((c->len - c->pos) / 5 < p->n_rows || c->len - c->pos != (size_t)p->n_rows * 5) {
        *c->bad = c->pos;
        return HSC_E_MODEL_SECTION;
    }
    for (uint32_t r = 0; r < p->n_rows; r++)
        norm[r] = hsc__rdf32(c->p + c->pos + 4 * (size_t)r);
    p->row_source = c->p + c->pos + 4 * (size_t)p->n_rows;
    return HSC_OK;
}

/* Labels below n_labels, norms in (0, 1e6), sources below n_sources: at
 * is where the labels start, norms and sources follow at their strides. */
static int check_rows(cursor *c, const hsc__prec *p, uint32_t n_labels, size_t at_label,
                      size_t at_norm, size_t at_source)
{
    for (uint32_t r = 0; r < p->n_rows; r++) {
        if (p->row_label[r] >= n_labels)
            return bad_at(c, at_label + 4 * (size_t)r);
        float v = p->row_norm[r];
        if (!(v > 0.0f && v < 1e6f))
            return bad_at(c, at_norm + 4 * (size_t)r);
        if (p->row_source[r] >= p->n_sources)
            return bad_at(c, at_source + r);
    }
    return HSC_OK;
}

/* The host reads little-endian u32 and f32 in place. */
static int host_is_le(void)
{
    const uint32_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1 && sizeof(float) == 4;
}

/* A fixed array of n 4-byte values at c->pos: in place when the host
 * reads it so (and it is 4-aligned), else converted into an owned copy. */
static const void *array32(const hsc__alloc *a, cursor *c, hsc__prec *p, size_t n, int *nomem)
{
    const uint8_t *src = c->p + c->pos;
    c->pos += 4 * n;
    if (host_is_le() && (uintptr_t)src % 4 == 0)
        return src;
    uint32_t *dst = hsc__prec_alloc(a, p, n, 4);
    if (dst == NULL) {
        *nomem = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        dst[i] = hsc__rd32(src + 4 * i);
    return dst;
}

/* Version 2 (model_format.h): the arrays are checked, the key table and
 * postings only delimited (their entries are checked when searched). */
static int decode_v2(const hsc__alloc *a, cursor *c, hsc__prec *p, uint32_t n_labels)
{
    size_t pad = (4 - c->pos % 4) % 4;
    if (c->len - c->pos < pad) {
        *c->bad = c->pos;
        return HSC_E_MODEL_SECTION;
    }
    for (size_t i = 0; i < pad; i++)
        if (c->p[c->pos + i] != 0)
            return bad_at(c, c->pos + i);
    c->pos += pad;
    p->n_blocks = (p->n_keys + HSC__PREC_BLOCK - 1) / HSC__PREC_BLOCK;
    /* n_rows, n_keys <= 2^26: no overflow */
    size_t fixed = (size_t)p->n_rows * 9 + (size_t)p->n_blocks * 12;
    if (c->len - c->pos < fixed) {
        *c->bad = c->pos;
        return HSC_E_MODEL_SECTION;
    }
    size_t at_label = c->pos, at_norm = at_label + 4 * (size_t)p->n_rows;
    size_t at_blocks = at_norm + 4 * (size_t)p->n_rows;
    int nomem = 0;
    p->row_label = array32(a, c, p, p->n_rows, &nomem);
    p->row_norm = array32(a, c, p, p->n_rows, &nomem);
    if (nomem)
        return HSC_E_NOMEM;
    p->blocks = c->p + c->pos;
    c->pos += (size_t)p->n_blocks * 12;
    p->row_source = c->p + c->pos;
    c->pos += p->n_rows;
    int st = check_rows(c, p, n_labels, at_label, at_norm, c->pos - p->n_rows);
    size_t at, pat;
    uint32_t len, plen;
    if (st == HSC_OK)
        st = get_run(c, &at, &len);
    if (st == HSC_OK)
        st = get_run(c, &pat, &plen);
    if (st != HSC_OK)
        return st;
    if (c->pos != c->len)
        return bad_at(c, c->pos);
    /* blocks: keys strictly ascending, table and posting positions
     * strictly ascending inside their runs, the first at 0 */
    for (uint32_t b = 0; b < p->n_blocks; b++) {
        const uint8_t *e = p->blocks + (size_t)b * 12;
        uint32_t key = hsc__rd32(e), tpos = hsc__rd32(e + 4), ppos = hsc__rd32(e + 8);
        int ok = tpos < len && ppos < plen;
        if (b == 0)
            ok = ok && tpos == 0 && ppos == 0;
        else
            ok = ok && key > hsc__rd32(e - 12) && tpos > hsc__rd32(e - 8) &&
                 ppos > hsc__rd32(e - 4);
        if (!ok)
            return bad_at(c, at_blocks + (size_t)b * 12);
    }
    p->table = c->p + at;
    p->table_len = len;
    p->post = c->p + pat;
    p->post_len = plen;
    return HSC_OK;
}

int hsc__prec_decode(const hsc__alloc *a, const uint8_t *data, size_t len, uint32_t n_labels,
                     int in_place, hsc__prec *p, size_t *bad)
{
    memset(p, 0, sizeof *p);
    if (!in_place) {   /* the memory points into its payload: keep a copy */
        uint8_t *copy = hsc__prec_alloc(a, p, len, 1);
        if (copy == NULL)
            return HSC_E_NOMEM;
        if (len > 0)
            memcpy(copy, data, len);
        data = copy;
    }
    cursor c = {data, len, 0, bad};
    uint32_t version;
    uint32_t head[4];
    int st = get_u32(&c, &version);
    if (st == HSC_OK && version != 1 && version != HSC__PREC_VERSION)
        st = bad_at(&c, 0);
    for (size_t i = 0; i < 4 && st == HSC_OK; i++)
        st = get_u32(&c, &head[i]);
    if (st == HSC_OK && len - c.pos < 8) {
        *bad = c.pos;
        st = HSC_E_MODEL_SECTION;
    }
    if (st != HSC_OK) {
        hsc__prec_free(a, p);
        return st;
    }
    p->n_rows = head[0];
    p->n_keys = head[1];
    p->neighbours = head[2];
    p->max_df = head[3];
    p->vote_power = hsc__rdf64(data + c.pos);
    if (p->n_rows == 0 || p->n_rows > HSCM_MAX_ROWS)
        st = bad_at(&c, 4);
    else if (p->n_keys == 0 || p->n_keys > HSCM_MAX_ROWS)
        st = bad_at(&c, 8);
    else if (p->neighbours == 0 || p->neighbours > HSC__PREC_MAX_NEIGHBOURS)
        st = bad_at(&c, 12);
    else if (p->max_df == 0)
        st = bad_at(&c, 16);
    else if (!(p->vote_power >= 0.25 && p->vote_power <= 16.0))
        st = bad_at(&c, 20);
    c.pos += 8;
    if (st == HSC_OK)
        st = decode_sources(a, &c, p);
    if (st == HSC_OK && version == 1) {
        st = decode_keys_v1(a, &c, p);
        if (st == HSC_OK)
            st = decode_rows_v1(a, &c, p, n_labels);
        if (st == HSC_OK)
            st = check_rows(&c, p, n_labels, 0, c.pos, c.pos + 4 * (size_t)p->n_rows);
    } else if (st == HSC_OK) {
        st = decode_v2(a, &c, p, n_labels);
    }
    p->log_rows = log((double)p->n_rows);
    if (st != HSC_OK)
        hsc__prec_free(a, p);
    return st;
}

int hsc__prec_texts_decode(const hsc__alloc *a, const uint8_t *data, size_t len, hsc__prec *p,
                           size_t *bad)
{
    cursor c = {data, len, 0, bad};
    uint32_t n;
    int st = get_u32(&c, &n);
    if (st != HSC_OK)
        return st;
    if (n != p->n_rows)
        return bad_at(&c, 0);
    p->text_off = hsc__calloc(a, (size_t)n + 1, sizeof *p->text_off);
    p->text_pool = len <= SIZE_MAX - n - 1 ? hsc__calloc(a, len + n + 1, 1) : NULL;
    if (p->text_off == NULL || p->text_pool == NULL)
        return HSC_E_NOMEM;
    size_t used = 0;
    for (uint32_t r = 0; r < n && st == HSC_OK; r++) {
        size_t at;
        uint32_t tl;
        st = get_run(&c, &at, &tl);
        if (st == HSC_OK && (tl > HSC__PREC_MAX_TEXT || !is_clean_text(data + at, tl)))
            st = bad_at(&c, at);
        if (st == HSC_OK) {
            p->text_off[r] = (uint32_t)used;
            memcpy(p->text_pool + used, data + at, tl);
            used += tl + 1;   /* the NUL is the calloc's */
        }
    }
    if (st == HSC_OK && c.pos != len)
        st = bad_at(&c, c.pos);
    if (st == HSC_OK && used > UINT32_MAX)
        st = HSC_E_MODEL_LIMIT;
    if (st != HSC_OK) {
        hsc__free(a, p->text_off);
        hsc__free(a, p->text_pool);
        p->text_off = NULL;
        p->text_pool = NULL;
    }
    return st;
}

/* ---- searching ---------------------------------------------------------------- */

/* A key's entry: its df and the byte range of its postings. */
typedef struct key_entry {
    uint32_t key, df;
    size_t pos, end;
} key_entry;

/* A text's key as the search walks it: its entry and weight (idf2 in
 * ACC_UNIT). */
typedef struct query_key {
    key_entry e;
    uint64_t w;
} query_key;

#define ACC_UNIT (1.0 / 4294967296.0)

static int by_rarity(const void *x, const void *y)
{
    const query_key *a = x, *b = y;
    if (a->e.df != b->e.df)
        return a->e.df < b->e.df ? -1 : 1;
    return a->e.key < b->e.key ? -1 : a->e.key > b->e.key;
}

/* Rarest first (ties: key order): by insertion for a text's few dozen
 * keys, by qsort for a long text's. */
static void sort_by_rarity(query_key *q, uint32_t m)
{
    if (m > 64) {
        qsort(q, m, sizeof *q, by_rarity);
        return;
    }
    for (uint32_t i = 1; i < m; i++) {
        query_key x = q[i];
        uint32_t j = i;
        for (; j > 0 && by_rarity(&q[j - 1], &x) > 0; j--)
            q[j] = q[j - 1];
        q[j] = x;
    }
}

/* A memo entry of a key's entry (find_key_known). */
#define KNOWN_SLOTS 4096u   /* power of two; 16 bytes each */

typedef struct known_key {
    uint32_t key;          /* 0: free (memory keys are never 0) */
    uint32_t df;           /* 0: not in the memory */
    uint32_t pos, len;     /* its postings */
} known_key;

int hsc__prec_search_init(hsc__prec_search *s, const hsc__alloc *a, const hsc__prec *p)
{
    memset(s, 0, sizeof *s);
    s->alloc = *a;
    if (p->n_rows == 0)
        return HSC_OK;
    s->acc = hsc__calloc(a, p->n_rows, sizeof *s->acc);
    s->touched = hsc__calloc(a, (size_t)p->n_rows + 1, sizeof *s->touched);
    s->known = hsc__calloc(a, KNOWN_SLOTS, sizeof(known_key));
    if (s->acc == NULL || s->touched == NULL || s->known == NULL) {
        hsc__prec_search_free(s);
        return HSC_E_NOMEM;
    }
    return HSC_OK;
}

void hsc__prec_search_free(hsc__prec_search *s)
{
    hsc__free(&s->alloc, s->acc);
    hsc__free(&s->alloc, s->touched);
    hsc__free(&s->alloc, s->query);
    hsc__free(&s->alloc, s->known);
    hsc__free(&s->alloc, s->skip_lists);
    hsc__free(&s->alloc, s->skip_points);
    memset(s, 0, sizeof *s);
}

static void insertion_u32(uint32_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static void sift_u32(uint32_t *v, size_t n, size_t i)
{
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && v[c + 1] > v[c])
            c++;
        if (v[i] >= v[c])
            return;
        uint32_t t = v[i];
        v[i] = v[c];
        v[c] = t;
    }
}

/* Ascending, in place: quicksort (median of three) down to runs of 16
 * for insertion, heapsort where the partitions go badly (depth bound), so
 * no input costs more than n log n; no comparison calls as qsort's. */
static void sort_u32(uint32_t *v, size_t n)
{
    unsigned depth = 0;
    for (size_t m = n; m > 1; m /= 2)
        depth += 2;
    while (n > 16) {
        if (depth-- == 0) {
            for (size_t i = n / 2; i-- > 0;)
                sift_u32(v, n, i);
            for (size_t e = n; e-- > 1;) {
                uint32_t t = v[0];
                v[0] = v[e];
                v[e] = t;
                sift_u32(v, e, 0);
            }
            return;
        }
        uint32_t a = v[0], b = v[n / 2], c = v[n - 1];
        uint32_t pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = 0, j = n - 1;
        for (;;) {   /* Hoare: v[0..j] <= pivot <= v[j+1..n) */
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i >= j)
                break;
            uint32_t t = v[i];
            v[i++] = v[j];
            v[j--] = t;
        }
        /* the smaller side by recursion, the larger by the loop */
        if (j + 1 < n - j - 1) {
            sort_u32(v, j + 1);
            v += j + 1;
            n -= j + 1;
        } else {
            sort_u32(v + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    insertion_u32(v, n);
}

static size_t sort_unique(uint32_t *keys, size_t k)
{
    size_t u = 0;
    if (k > 1)   /* keys may be NULL when k is 0 */
        sort_u32(keys, k);
    for (size_t i = 0; i < k; i++)
        if (u == 0 || keys[u - 1] != keys[i])
            keys[u++] = keys[i];
    return u;
}

size_t hsc__prec_keys(const hsc__feature *f, size_t n, uint32_t *keys)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (f[i].key != 0)
            keys[k++] = f[i].key;
    return sort_unique(keys, k);
}

int hsc__keyset_add(const hsc__alloc *a, hsc__keyset *ks, uint32_t key)
{
    if (ks->n == ks->cap) {
        ks->n = sort_unique(ks->keys, ks->n);   /* merge the repeats before growing */
        if (ks->n >= ks->cap / 2) {
            uint32_t *k = hsc__grow_array(a, ks->keys, &ks->cap, ks->cap + 1, sizeof *k, 256);
            if (k == NULL)
                return HSC_E_NOMEM;
            ks->keys = k;
        }
    }
    ks->keys[ks->n++] = key;
    return HSC_OK;
}

void hsc__keyset_finish(hsc__keyset *ks)
{
    ks->n = sort_unique(ks->keys, ks->n);
}

void hsc__keyset_free(const hsc__alloc *a, hsc__keyset *ks)
{
    hsc__free(a, ks->keys);
    memset(ks, 0, sizeof *ks);
}

/* The entries of one block, decoded in turn. Version 2 files are checked
 * here: an entry that breaks a rule (key order, df, a run outside its
 * block's postings) ends the block, so a damaged file gives fewer hits,
 * never a bad access. */
typedef struct block_walk {
    uint32_t i, n;
    uint64_t key;
    size_t tpos, tend, ppos, pend;
} block_walk;

static block_walk block_open(const hsc__prec *p, uint32_t b)
{
    const uint8_t *e = p->blocks + (size_t)b * 12;
    int last = b + 1 == p->n_blocks;
    block_walk w = {0, p->n_keys - b * HSC__PREC_BLOCK, hsc__rd32(e), hsc__rd32(e + 4),
                    last ? p->table_len : hsc__rd32(e + 16), hsc__rd32(e + 8),
                    last ? p->post_len : hsc__rd32(e + 20)};
    if (w.n > HSC__PREC_BLOCK)
        w.n = HSC__PREC_BLOCK;
    return w;
}

static int block_next(const hsc__prec *p, block_walk *w, key_entry *out)
{
    uint32_t gap, df, bytes;
    if (w->i >= w->n || !hsc__varint_get(p->table, w->tend, &w->tpos, &gap) ||
        !hsc__varint_get(p->table, w->tend, &w->tpos, &df) ||
        !hsc__varint_get(p->table, w->tend, &w->tpos, &bytes))
        return 0;
    if (w->i > 0)   /* the first key is the block's (its gap is from the block before) */
        w->key += gap;
    if ((w->i > 0 && gap == 0) || w->key > UINT32_MAX || df == 0 || bytes < df ||
        (uint64_t)bytes > (uint64_t)df * 5 || bytes > w->pend - w->ppos)
        return 0;
    *out = (key_entry){(uint32_t)w->key, df, w->ppos, w->ppos + bytes};
    w->ppos += bytes;
    w->i++;
    return 1;
}

static int find_key(const hsc__prec *p, uint32_t key, key_entry *out)
{
    size_t lo = 0, hi = p->n_blocks;   /* the last block whose first key <= key */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (hsc__rd32(p->blocks + mid * 12) <= key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 0;
    block_walk w = block_open(p, (uint32_t)(lo - 1));
    while (block_next(p, &w, out))
        if (out->key >= key)
            return out->key == key;
    return 0;
}

/* ---- a memo of key entries (per search) ------------------------------------
 * A text's keys are found through the block index and a walk of up to 16
 * varint entries; words repeat from text to text, so a search remembers the
 * entries it found (and the keys it did not) in a direct-mapped table. The
 * entry is a pure function of the key: results are unchanged. */

static int find_key_known(known_key *memo, const hsc__prec *p, uint32_t key, key_entry *out)
{
    known_key *k = memo != NULL ? &memo[(key * 2654435761u) >> 20 & (KNOWN_SLOTS - 1)] : NULL;
    if (k != NULL && k->key == key && key != 0) {
        *out = (key_entry){key, k->df, k->pos, (size_t)k->pos + k->len};
        return k->df != 0;
    }
    int found = find_key(p, key, out);
    if (k != NULL && key != 0)
        *k = found ? (known_key){key, out->df, (uint32_t)out->pos, (uint32_t)(out->end - out->pos)}
                   : (known_key){key, 0, 0, 0};
    return found;
}

/* The rows of a key's postings, ascending, one per call; a posting past
 * the row count or the run ends the list. */
typedef struct postings {
    size_t pos, end;
    uint64_t row;
    uint32_t i, n;
} postings;

static postings postings_of(const key_entry *e)
{
    return (postings){e->pos, e->end, 0, 0, e->df};
}

static inline int postings_next(const hsc__prec *p, postings *it, uint32_t *row)
{
    uint32_t gap;
    if (it->i >= it->n || !hsc__varint_get(p->post, it->end, &it->pos, &gap))
        return 0;
    it->row += gap + (it->i > 0 ? 1u : 0u);   /* rows are distinct: gaps count from 1 */
    it->i++;
    if (it->row >= p->n_rows)
        return 0;
    *row = (uint32_t)it->row;
    return 1;
}

int hsc__prec_each_key(const hsc__alloc *a, const hsc__prec *p,
                       int (*fn)(void *user, uint32_t key, const uint32_t *rows, uint32_t n),
                       void *user)
{
    uint32_t *rows = NULL, row;
    size_t cap = 0;
    key_entry e;
    int st = HSC_OK;
    for (uint32_t b = 0; st == HSC_OK && b < p->n_blocks; b++)   /* keys ascending */
        for (block_walk w = block_open(p, b); st == HSC_OK && block_next(p, &w, &e);) {
            if (e.df > cap) {
                uint32_t *more = hsc__grow_array(a, rows, &cap, e.df, sizeof *rows, 1024);
                if (more == NULL) {
                    st = HSC_E_NOMEM;
                    break;
                }
                rows = more;
            }
            uint32_t n = 0;
            for (postings it = postings_of(&e); postings_next(p, &it, &row);)
                rows[n++] = row;
            if (n > 0)
                st = fn(user, e.key, rows, n);
        }
    hsc__free(a, rows);
    return st;
}

/* Better hit first: higher similarity, then lower row. */
static int hit_before(const hsc__prec_hit *a, const hsc__prec_hit *b)
{
    return a->sim > b->sim || (a->sim == b->sim && a->row < b->row);
}

static void sift_down(hsc__prec_hit *h, uint32_t n, uint32_t i)
{
    for (;;) {   /* min-heap on "worst first" */
        uint32_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && hit_before(&h[c], &h[c + 1]))
            c++;
        if (!hit_before(&h[i], &h[c]))
            return;
        hsc__prec_hit t = h[i];
        h[i] = h[c];
        h[c] = t;
        i = c;
    }
}

/* The k most similar rows met that keep allows (clearing acc as it goes). */
static void select_hits(hsc__prec_search *s, const hsc__prec *p, uint32_t n_met, double q_norm,
                        int (*keep)(const void *, uint32_t), const void *user)
{
    uint32_t k = p->neighbours, n = 0;
    for (uint32_t i = 0; i < n_met; i++) {
        uint32_t r = s->touched[i];
        hsc__prec_hit h = {r, (double)s->acc[r] * ACC_UNIT / (q_norm * (double)p->row_norm[r])};
        s->acc[r] = 0;
        if (keep != NULL && !keep(user, p->row_label[r]))
            continue;
        if (h.sim > 1.0)
            h.sim = 1.0;   /* rounding of an identical text */
        if (n < k) {
            s->hits[n++] = h;
            if (n == k)
                for (uint32_t j = k / 2 + 1; j-- > 0;)
                    sift_down(s->hits, n, j);
        } else if (hit_before(&h, &s->hits[0])) {
            s->hits[0] = h;
            sift_down(s->hits, n, 0);
        }
    }
    for (uint32_t i = 1; i < n; i++) {   /* best first: insertion of <= 64 */
        hsc__prec_hit h = s->hits[i];
        uint32_t j = i;
        for (; j > 0 && hit_before(&h, &s->hits[j - 1]); j--)
            s->hits[j] = s->hits[j - 1];
        s->hits[j] = h;
    }
    s->n_hits = n;
}

static void vote(hsc__prec_search *s, const hsc__prec *p)
{
    double total = 0.0;
    s->n_votes = 0;
    for (uint32_t i = 0; i < s->n_hits; i++) {
        uint32_t label = p->row_label[s->hits[i].row], j = 0;
        double v = pow(s->hits[i].sim, p->vote_power);
        while (j < s->n_votes && s->vote_label[j] != label)
            j++;
        if (j == s->n_votes) {
            s->vote_label[j] = label;
            s->vote[j] = 0.0;
            s->n_votes++;
        }
        s->vote[j] += v;
        total += v;
    }
    if (!(total > 0.0)) {
        s->n_votes = 0;
        return;
    }
    for (uint32_t j = 0; j < s->n_votes; j++)
        s->vote[j] /= total;
    /* largest share first, then lower label: insertion sort of <= 64 */
    for (uint32_t i = 1; i < s->n_votes; i++)
        for (uint32_t j = i; j > 0 && (s->vote[j] > s->vote[j - 1] ||
                                       (s->vote[j] == s->vote[j - 1] &&
                                        s->vote_label[j] < s->vote_label[j - 1]));
             j--) {
            double v = s->vote[j];
            uint32_t l = s->vote_label[j];
            s->vote[j] = s->vote[j - 1];
            s->vote_label[j] = s->vote_label[j - 1];
            s->vote[j - 1] = v;
            s->vote_label[j - 1] = l;
        }
}


/* ---- the search --------------------------------------------------------------
 *
 * Most postings of a long text belong to its common keys, and most rows
 * they reach cannot come near the nearest k. So the keys are walked rarest
 * first (MaxScore): a row not met yet can share only the keys still to
 * walk, and its norm is at least theirs, so its similarity is at most
 * sqrt(their idf2 sum) / |q|. Once that bound is below the k-th best
 * similarity of the rows met, no new row can enter the k: the lists left
 * only complete the rows met. A row's sum is kept in fixed point (the
 * idf2 in units of 2^-32, added as integers), so it is the same whatever
 * order the keys are walked in: the k found are the k of the walk of
 * every row. */

#define BOUND_MARGIN 1e-6   /* far above the rounding of the bounds */
#define FLOOR_ROWS 128u    /* a floor is taken over the first rows met at most */

/* The k-th largest acc/norm among (the first FLOOR_ROWS of) the rows met
 * that keep allows, 0 when fewer: a lower bound of the k-th best
 * similarity times |q| / ACC_UNIT, since a row's acc only grows. */
static double similarity_floor(const hsc__prec_search *s, const hsc__prec *p, uint32_t n_met,
                               int (*keep)(const void *, uint32_t), const void *user)
{
    double h[HSC__PREC_MAX_NEIGHBOURS];   /* min-heap of the best k */
    uint32_t k = p->neighbours, n = 0;
    if (n_met > FLOOR_ROWS)
        n_met = FLOOR_ROWS;
    for (uint32_t i = 0; i < n_met; i++) {
        uint32_t r = s->touched[i];
        if (n == k && (double)s->acc[r] <= h[0] * (double)p->row_norm[r])
            continue;
        if (keep != NULL && !keep(user, p->row_label[r]))
            continue;
        double v = (double)s->acc[r] / (double)p->row_norm[r];
        uint32_t j = n < k ? n++ : 0;
        if (j == 0 && n == k) {   /* full: the new value replaces the root */
            for (uint32_t c; (c = 2 * j + 1) < n; j = c) {
                if (c + 1 < n && h[c + 1] < h[c])
                    c++;
                if (!(h[c] < v))
                    break;
                h[j] = h[c];
            }
        } else {   /* appended */
            for (; j > 0 && h[(j - 1) / 2] > v; j = (j - 1) / 2)
                h[j] = h[(j - 1) / 2];
        }
        h[j] = v;
    }
    return n == k ? h[0] : 0.0;
}

/* The next row of a list being walked whole (what postings_next gives,
 * with the list's state in the caller's registers): *row starts at
 * UINT64_MAX, so that every gap counts from one past the row before. */
static inline int next_row(const hsc__prec *p, const uint8_t **b, const uint8_t *end,
                           uint64_t *row)
{
    uint32_t gap;
    if (*b < end && **b < 0x80) {   /* most gaps are one byte */
        gap = *(*b)++;
    } else {
        size_t pos = (size_t)(*b - p->post);
        if (!hsc__varint_get(p->post, (size_t)(end - p->post), &pos, &gap))
            return 0;
        *b = p->post + pos;
    }
    *row += (uint64_t)gap + 1u;
    return *row < p->n_rows;
}

/* Add a key's weight to its rows, recording the rows met for the first
 * time. */
static uint32_t walk_key(hsc__prec_search *s, const hsc__prec *p, const query_key *k,
                         uint32_t n_met)
{
    const uint8_t *b = p->post + k->e.pos, *end = p->post + k->e.end;
    uint64_t *acc = s->acc, w = k->w, row = UINT64_MAX;
    uint32_t *touched = s->touched;
    for (uint32_t i = 0; i < k->e.df && next_row(p, &b, end, &row); i++) {
        uint64_t a = acc[row];   /* no branch on "met before": it is a coin toss */
        touched[n_met] = (uint32_t)row;   /* room: n_rows + 1 */
        n_met += a == 0;
        acc[row] = a + w;
    }
    return n_met;
}

/* ---- skip points over long lists ------------------------------------------
 * Once no new row can enter, a long list only has to answer for the few
 * rows still in the running, but a varint list cannot be entered in the
 * middle. So the first walk of a long list in a search's life records the
 * walk's state after every SKIP-th posting (its row and byte position);
 * later texts jump to the last point before each row asked for. The points
 * are the walk's own states: a row is found exactly when the walk finds
 * it, in any file. At most one point per SKIP postings of the memory:
 * 8 bytes per 16 postings. */

#define SKIP 16u
#define SKIP_MIN_DF 128u   /* shorter lists are walked */

typedef struct skip_point {
    uint32_t row, off;     /* the last row decoded, the bytes read from the list's start */
} skip_point;

typedef struct skip_list {
    uint32_t start1;       /* the list's start in the postings + 1; 0: a free slot */
    uint32_t first, n;     /* its points in skip_points */
} skip_list;

/* The slot of the list starting at start1 - 1, or the free slot where it
 * goes (the table is at most half full). */
static skip_list *skip_slot(const hsc__prec_search *s, uint32_t start1)
{
    skip_list *t = s->skip_lists;
    size_t mask = s->skip_cap - 1, h = (start1 * 2654435761u) & mask;
    while (t[h].start1 != 0 && t[h].start1 != start1)
        h = (h + 1) & mask;
    return &t[h];
}

static const skip_list *skip_find(const hsc__prec_search *s, const key_entry *e)
{
    if (s->skip_cap == 0)
        return NULL;
    const skip_list *l = skip_slot(s, (uint32_t)e->pos + 1);
    return l->start1 != 0 ? l : NULL;
}

/* Room for a new list of up to n points: its slot (start1 still 0) and
 * its points, or NULL when out of memory (the list is then walked each
 * time, as without points). */
static skip_list *skip_room(hsc__prec_search *s, const key_entry *e, size_t n)
{
    if ((s->skip_used + 1) * 2 > s->skip_cap) {   /* rehash into twice the slots */
        size_t cap = s->skip_cap ? s->skip_cap * 2 : 256;
        skip_list *old = s->skip_lists, *t = hsc__calloc(&s->alloc, cap, sizeof *t);
        if (t == NULL)
            return NULL;
        size_t old_cap = s->skip_cap;
        s->skip_lists = t;
        s->skip_cap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].start1 != 0)
                *skip_slot(s, old[i].start1) = old[i];
        hsc__free(&s->alloc, old);
    }
    void *pts = hsc__grow_array(&s->alloc, s->skip_points, &s->points_cap, s->points_used + n,
                                sizeof(skip_point), 4096);
    if (pts == NULL)
        return NULL;
    s->skip_points = pts;
    return skip_slot(s, (uint32_t)e->pos + 1);
}

/* Add a key's weight to the rows met, walking its whole list (recording
 * its points when new is a slot for them). */
static void complete_walk(hsc__prec_search *s, const hsc__prec *p, const query_key *k,
                          skip_list *new)
{
    skip_point *pt = new != NULL ? (skip_point *)s->skip_points + s->points_used : NULL;
    const uint8_t *b = p->post + k->e.pos, *end = p->post + k->e.end;
    uint64_t *acc = s->acc, w = k->w, row = UINT64_MAX;
    uint32_t n = 0;
    for (uint32_t i = 1; i <= k->e.df && next_row(p, &b, end, &row); i++) {
        acc[row] += w & (0u - (uint64_t)(acc[row] != 0));   /* rows met only; no branch */
        if (pt != NULL && i % SKIP == 0)
            pt[n++] = (skip_point){(uint32_t)row, (uint32_t)(b - (p->post + k->e.pos))};
    }
    if (new != NULL) {
        *new = (skip_list){(uint32_t)k->e.pos + 1, (uint32_t)s->points_used, n};
        s->points_used += n;
        s->skip_used++;
    }
}

/* The same through its points, for the rows met touched[0..n_alive),
 * ascending. */
static void complete_probe(hsc__prec_search *s, const hsc__prec *p, const query_key *k,
                           const skip_list *l, uint32_t n_alive)
{
    const skip_point *pt = (const skip_point *)s->skip_points + l->first;
    postings it = postings_of(&k->e);
    uint32_t j = 0, row = 0;
    for (uint32_t i = 0; i < n_alive; i++) {
        uint32_t want = s->touched[i];
        while (j < l->n && pt[j].row < want)
            j++;
        if (j > 0 && (uint64_t)j * SKIP > it.i) {   /* jump to the last point before it */
            it.pos = k->e.pos + pt[j - 1].off;
            it.row = row = pt[j - 1].row;
            it.i = j * SKIP;
        }
        while (it.i == 0 || row < want)
            if (!postings_next(p, &it, &row))
                return;
        if (row == want)
            s->acc[row] += k->w;
    }
}

/* Add a key's weight to the rows met touched[0..n_alive), sorted first
 * when they are probed for (and *sorted not yet set). */
static void complete_rows(hsc__prec_search *s, const hsc__prec *p, const query_key *k,
                          uint32_t n_alive, int *sorted)
{
    const skip_list *l = skip_find(s, &k->e);
    if (l != NULL && (uint64_t)n_alive * (SKIP / 2 + 2) < k->e.df) {
        if (!*sorted && n_alive > 1)
            sort_u32(s->touched, n_alive);
        *sorted = 1;
        complete_probe(s, p, k, l, n_alive);
    } else {
        complete_walk(s, p, k, l == NULL && k->e.df >= SKIP_MIN_DF ?
                               skip_room(s, &k->e, k->e.df / SKIP) : NULL);
    }
}

/* Keep (first in touched) the rows met that can still reach floor: a
 * row gains at most the weight of the keys left, and at most the part of
 * its own norm^2 its sum does not hold yet. The others' acc is cleared. */
static uint32_t drop_hopeless(hsc__prec_search *s, const hsc__prec *p, uint32_t n_met,
                              uint64_t rest, double floor)
{
    uint32_t n = 0;
    double bar = floor * (1.0 - BOUND_MARGIN);
    for (uint32_t i = 0; i < n_met; i++) {
        uint32_t r = s->touched[i];
        double norm = (double)p->row_norm[r], acc = (double)s->acc[r], need = bar * norm;
        if (acc + (double)rest < need ||
            norm * norm / ACC_UNIT * (1.0 + BOUND_MARGIN) < need)   /* acc + the norm^2 left */
            s->acc[r] = 0;
        else
            s->touched[n++] = r;
    }
    return n;
}

int hsc__prec_find_keys(hsc__prec_search *s, const hsc__prec *p, const uint32_t *keys,
                        size_t n_keys, int (*keep)(const void *user, uint32_t label),
                        const void *user)
{
    s->n_hits = 0;
    s->n_votes = 0;
    if (p->n_rows == 0)
        return HSC_OK;
    if (n_keys > s->query_cap) {
        void *q = hsc__grow_array(&s->alloc, s->query, &s->query_cap, n_keys, sizeof(query_key), 64);
        if (q == NULL)
            return HSC_E_NOMEM;
        s->query = q;
    }
    query_key *q = s->query;
    uint32_t m = 0;
    double q2 = 0.0;
    for (size_t i = 0; i < n_keys; i++) {
        key_entry e;
        if (!find_key_known(s->known, p, keys[i], &e) || e.df > p->max_df || e.df > p->n_rows)
            continue;
        float idf2 = hsc__prec_idf2(p->log_rows, e.df);
        uint64_t w = (uint64_t)((double)idf2 / ACC_UNIT + 0.5);   /* idf2 < 2^9 */
        if (!(idf2 > 0.0f) || w == 0)
            continue;
        q[m++] = (query_key){e, w};
        q2 += (double)idf2;
    }
    /* rarest first (ties: key order); q is NULL when the text has no key */
    if (m > 1)
        sort_by_rarity(q, m);
    uint64_t rest = 0;   /* weight of the keys not walked yet */
    for (uint32_t i = 0; i < m; i++)
        rest += q[i].w;
    uint32_t n_met = 0, t = 0, floor_at = 0;
    double floor = 0.0;   /* a lower bound of the k-th best acc/norm */
    while (t < m) {   /* the keys that may bring new rows */
        n_met = walk_key(s, p, &q[t], n_met);
        rest -= q[t].w;
        if (++t == m)
            break;
        double bound = sqrt((double)rest / ACC_UNIT) * (1.0 + BOUND_MARGIN);
        /* a new floor costs a pass over the rows met: taken when they
         * doubled, or once the bound comes near it (measured: cheapest) */
        if (n_met >= p->neighbours && (n_met >= 2 * floor_at || bound < 1.25 * floor)) {
            floor_at = n_met;
            floor = similarity_floor(s, p, n_met, keep, user);
        }
        if (bound < floor)
            break;
    }
    uint32_t n_alive = n_met;
    if (t < m)   /* the rows that cannot reach the floor with every key left are dropped */
        n_alive = drop_hopeless(s, p, n_met, rest, floor);
    int sorted = 0;
    for (; t < m; t++) {   /* the rest only complete the rows met */
        complete_rows(s, p, &q[t], n_alive, &sorted);
        rest -= q[t].w;
        if (t + 1 < m && n_alive > p->neighbours) {   /* else every row left is a hit */
            double f = n_alive <= FLOOR_ROWS ? similarity_floor(s, p, n_alive, keep, user) : 0.0;
            floor = f > floor ? f : floor;   /* the rows left hold the k best */
            n_alive = drop_hopeless(s, p, n_alive, rest, floor);
        }
    }
    if (n_alive > 0)
        select_hits(s, p, n_alive, sqrt(q2), keep, user);
    vote(s, p);
    return HSC_OK;
}

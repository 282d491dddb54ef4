/* precedent_build.c - the trainer's side of the precedent memory: rows
 * collected with their keys, duplicates merged, then the inverted index
 * (one ascending posting list of rows per key) and the rows' norms. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "precedent.h"

void hsc__prec_builder_init(hsc__prec_builder *b, const hsc__alloc *a, int keep_texts)
{
    memset(b, 0, sizeof *b);
    b->alloc = *a;
    b->keep_texts = keep_texts;
}

void hsc__prec_builder_free(hsc__prec_builder *b)
{
    const hsc__alloc *a = &b->alloc;
    hsc__free(a, b->label);
    hsc__free(a, b->source);
    hsc__free(a, b->key_off);
    hsc__free(a, b->keys);
    hsc__free(a, b->text_off);
    hsc__buf_free(a, &b->texts);
    for (uint32_t i = 0; i < b->n_sources; i++)
        hsc__free(a, b->sources[i]);
    memset(b, 0, sizeof *b);
}

/* A source (file) name as the reader accepts it, whatever the file was
 * called: bad UTF-8 as U+FFFD, control characters as '?', at most
 * HSC__PREC_MAX_SOURCE_LEN bytes cut on a character boundary. */
static int clean_source(const hsc__alloc *a, const char *name, hsc__buf *out)
{
    int st = hsc__utf8_repair(a, name, strlen(name), out);
    if (st != HSC_OK)
        return st;
    for (size_t i = 0; i < out->len; i++)
        if ((uint8_t)out->data[i] < 0x20 || out->data[i] == 0x7F)
            out->data[i] = '?';
    if (out->len > HSC__PREC_MAX_SOURCE_LEN) {
        size_t len = HSC__PREC_MAX_SOURCE_LEN;
        while (len > 0 && ((uint8_t)out->data[len] & 0xC0) == 0x80)
            len--;
        out->len = len;
        out->data[len] = '\0';
    }
    return HSC_OK;
}

static int source_index(hsc__prec_builder *b, const char *name, uint8_t *out)
{
    hsc__buf clean = {0};
    int st = clean_source(&b->alloc, name, &clean);
    for (uint32_t i = 0; st == HSC_OK && i < b->n_sources; i++)
        if (strcmp(b->sources[i], clean.data) == 0) {
            *out = (uint8_t)i;
            hsc__buf_free(&b->alloc, &clean);
            return HSC_OK;
        }
    if (st == HSC_OK && b->n_sources == HSC__PREC_MAX_SOURCES) {
        *out = (uint8_t)(b->n_sources - 1);
    } else if (st == HSC_OK) {
        b->sources[b->n_sources] = clean.data;   /* the builder owns it now */
        clean.data = NULL;
        *out = (uint8_t)b->n_sources++;
    }
    hsc__buf_free(&b->alloc, &clean);
    return st;
}

static int grow(hsc__prec_builder *b)
{
    const hsc__alloc *a = &b->alloc;
    uint32_t cap = b->cap > 0 ? b->cap * 2 : 4096;
    uint32_t *l = hsc__realloc_array(a, b->label, cap, sizeof *l);
    if (l != NULL)
        b->label = l;
    uint8_t *s = hsc__realloc_array(a, b->source, cap, 1);
    if (s != NULL)
        b->source = s;
    size_t *k = hsc__realloc_array(a, b->key_off, (size_t)cap + 1, sizeof *k);
    if (k != NULL)
        b->key_off = k;
    size_t *t = b->keep_texts ? hsc__realloc_array(a, b->text_off, (size_t)cap + 1, sizeof *t)
                              : NULL;
    if (t != NULL)
        b->text_off = t;
    if (l == NULL || s == NULL || k == NULL || (b->keep_texts && t == NULL))
        return HSC_E_NOMEM;
    b->cap = cap;
    return HSC_OK;
}

int hsc__prec_builder_add(hsc__prec_builder *b, uint32_t label, const char *source,
                          const uint32_t *keys, size_t n_keys, const char *text, size_t len)
{
    if (n_keys == 0)
        return HSC_OK;
    if (b->n_rows == UINT32_MAX - 1)
        return HSC_E_NOMEM;
    int st = b->n_rows == b->cap ? grow(b) : HSC_OK;
    if (st == HSC_OK && b->n_keys + n_keys > b->cap_keys) {
        uint32_t *k = hsc__grow_array(&b->alloc, b->keys, &b->cap_keys, b->n_keys + n_keys,
                                      sizeof *k, 65536);
        if (k == NULL)
            return HSC_E_NOMEM;
        b->keys = k;
    }
    uint32_t r = b->n_rows;
    if (st == HSC_OK)
        st = source_index(b, source, &b->source[r]);
    if (st == HSC_OK && b->keep_texts) {
        if (len > HSC__PREC_MAX_TEXT)   /* cut at a UTF-8 boundary */
            for (len = HSC__PREC_MAX_TEXT; len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80;)
                len--;
        b->text_off[r] = b->texts.len;
        st = hsc__buf_append(&b->alloc, &b->texts, text, len);
    }
    if (st != HSC_OK)
        return st;
    b->label[r] = label;
    b->key_off[r] = b->n_keys;
    memcpy(b->keys + b->n_keys, keys, n_keys * sizeof *keys);
    b->n_keys += n_keys;
    b->key_off[r + 1] = b->n_keys;
    if (b->keep_texts)
        b->text_off[r + 1] = b->texts.len;
    b->n_rows++;
    return HSC_OK;
}

/* ---- joining a built memory ------------------------------------------------ */

#define HASH_START 0xcbf29ce484222325ull
#define HASH_MUL 0x100000001b3ull

static uint64_t hash_step(uint64_t h, uint32_t v)
{
    return (h ^ v) * HASH_MUL;
}

static int count_key(void *user, uint32_t key, const uint32_t *rows, uint32_t n)
{
    hsc__prec_join *j = user;
    for (uint32_t i = 0; i < n; i++) {   /* keys come ascending: each row's hash in key order */
        j->n_keys[rows[i]]++;
        j->hash[rows[i]] = hash_step(j->hash[rows[i]], key);
    }
    return HSC_OK;
}

int hsc__prec_join_init(const hsc__alloc *a, const hsc__prec *p, hsc__prec_join *j)
{
    j->p = p;
    j->n_rows = 0;
    j->n_keys = hsc__calloc(a, (size_t)p->n_rows + 1, sizeof *j->n_keys);
    j->hash = hsc__calloc(a, (size_t)p->n_rows + 1, sizeof *j->hash);
    if (j->n_keys == NULL || j->hash == NULL)
        return HSC_E_NOMEM;
    for (uint32_t r = 0; r < p->n_rows; r++)
        j->hash[r] = HASH_START;
    int st = hsc__prec_each_key(a, p, count_key, j);
    for (uint32_t r = 0; st == HSC_OK && r < p->n_rows; r++)
        j->n_rows += j->label[r] != UINT32_MAX && j->n_keys[r] > 0;
    return st;
}

void hsc__prec_join_free(const hsc__alloc *a, hsc__prec_join *j)
{
    hsc__free(a, j->label);
    hsc__free(a, j->n_keys);
    hsc__free(a, j->hash);
    memset(j, 0, sizeof *j);
}

/* ---- building ------------------------------------------------------------- */

/* The rows of a build: the builder's (0..n_b), then the joining rows of
 * j, each with its label, source and keys. */
typedef struct rows_view {
    hsc__prec_builder *b;
    const hsc__prec_join *j;
    uint32_t n_b, n;
    uint32_t *jrow;            /* row n_b + i: row jrow[i] of j->p */
    uint32_t *label;           /* per row */
    uint8_t *jsource;          /* per source of j->p (and one for a source out of range) */
    size_t *jkey_off;          /* per row of j->p, when its keys were needed: into jkeys */
    uint32_t *jkeys;
} rows_view;

static void view_free(const hsc__alloc *a, rows_view *v)
{
    hsc__free(a, v->jrow);
    hsc__free(a, v->label);
    hsc__free(a, v->jsource);
    hsc__free(a, v->jkey_off);
    hsc__free(a, v->jkeys);
}

static int view_open(hsc__prec_builder *b, const hsc__prec_join *j, rows_view *v)
{
    const hsc__alloc *a = &b->alloc;
    memset(v, 0, sizeof *v);
    v->b = b;
    v->j = j;
    v->n_b = b->n_rows;
    uint32_t n_j = j != NULL ? j->n_rows : 0;
    if (n_j > UINT32_MAX - 1 - v->n_b)
        return HSC_E_NOMEM;
    v->n = v->n_b + n_j;
    v->label = hsc__calloc(a, (size_t)v->n + 1, sizeof *v->label);
    v->jrow = hsc__calloc(a, (size_t)n_j + 1, sizeof *v->jrow);
    if (v->label == NULL || v->jrow == NULL)
        return HSC_E_NOMEM;
    memcpy(v->label, b->label, (size_t)v->n_b * sizeof *v->label);
    if (n_j == 0)
        return HSC_OK;
    const hsc__prec *p = j->p;
    /* the sources' names join the builder's as each is first met */
    v->jsource = hsc__calloc(a, (size_t)p->n_sources + 1, 1);
    uint8_t *met = hsc__calloc(a, (size_t)p->n_sources + 1, 1);
    int st = v->jsource != NULL && met != NULL ? HSC_OK : HSC_E_NOMEM;
    for (uint32_t r = 0, i = 0; st == HSC_OK && r < p->n_rows; r++) {
        if (j->label[r] == UINT32_MAX || j->n_keys[r] == 0)
            continue;
        uint32_t s = p->row_source[r] < p->n_sources ? p->row_source[r] : p->n_sources;
        if (!met[s]) {
            met[s] = 1;
            st = source_index(b, s < p->n_sources ? p->sources[s] : "", &v->jsource[s]);
        }
        v->jrow[i] = r;
        v->label[v->n_b + i] = j->label[r];
        i++;
    }
    hsc__free(a, met);
    return st;
}

static const uint32_t *row_keys(const rows_view *v, uint32_t r, size_t *n)
{
    if (r < v->n_b) {
        *n = v->b->key_off[r + 1] - v->b->key_off[r];
        return v->b->keys + v->b->key_off[r];
    }
    uint32_t jr = v->jrow[r - v->n_b];
    *n = v->j->n_keys[jr];
    return v->jkeys + v->jkey_off[jr];
}

static uint64_t row_hash(const rows_view *v, uint32_t r)
{
    uint64_t h = HASH_START;
    if (r < v->n_b)
        for (size_t i = v->b->key_off[r]; i < v->b->key_off[r + 1]; i++)
            h = hash_step(h, v->b->keys[i]);
    else
        h = v->j->hash[v->jrow[r - v->n_b]];
    return hash_step(h, v->label[r]);
}

/* The keys of the joining rows marked in want, from j->p's index. */
typedef struct key_fill {
    const uint8_t *want;
    size_t *fill;
    uint32_t *keys;
} key_fill;

static int fill_key(void *user, uint32_t key, const uint32_t *rows, uint32_t n)
{
    key_fill *f = user;
    for (uint32_t i = 0; i < n; i++)
        if (f->want[rows[i]])
            f->keys[f->fill[rows[i]]++] = key;
    return HSC_OK;
}

static int join_keys(const hsc__alloc *a, rows_view *v, const uint8_t *want)
{
    const hsc__prec *p = v->j->p;
    v->jkey_off = hsc__calloc(a, (size_t)p->n_rows + 1, sizeof *v->jkey_off);
    size_t total = 0;
    for (uint32_t r = 0; v->jkey_off != NULL && r < p->n_rows; r++) {
        v->jkey_off[r] = total;
        total += want[r] ? v->j->n_keys[r] : 0;
    }
    v->jkeys = v->jkey_off != NULL ? hsc__calloc(a, total + 1, sizeof *v->jkeys) : NULL;
    key_fill f = {want, hsc__calloc(a, (size_t)p->n_rows + 1, sizeof *f.fill), v->jkeys};
    int st = v->jkeys != NULL && f.fill != NULL ? HSC_OK : HSC_E_NOMEM;
    if (st == HSC_OK) {
        memcpy(f.fill, v->jkey_off, (size_t)p->n_rows * sizeof *f.fill);
        st = hsc__prec_each_key(a, p, fill_key, &f);
    }
    hsc__free(a, f.fill);
    return st;
}

static int same_content(const rows_view *v, uint32_t r, uint32_t s)
{
    size_t nr, ns;
    const uint32_t *kr = row_keys(v, r, &nr), *ks = row_keys(v, s, &ns);
    return v->label[r] == v->label[s] && nr == ns && memcmp(kr, ks, nr * sizeof *kr) == 0;
}

typedef struct hashed_row {
    uint64_t hash;
    uint32_t row;
} hashed_row;

static int by_hash(const void *x, const void *y)
{
    const hashed_row *a = x, *b = y;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

#define RADIX_BITS 16u
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_MIN 4096u   /* fewer values: qsort, no scratch */

/* v[0..n) ascending: (key, row) pairs, millions for a large memory, where
 * qsort's comparisons were a fifth of an adapted model's finish. LSD radix
 * sort, 16 bits a pass from bit from_bit up (v already ascending in its
 * bits below from_bit: the pairs come row by row, so only the key's two
 * passes are needed), skipping the passes whose digit every value shares;
 * qsort for a few values or when the scratch cannot be had (the same
 * order: values are distinct). */
static void sort_u64(const hsc__alloc *a, uint64_t *v, size_t n, unsigned from_bit)
{
    uint64_t *tmp = n >= RADIX_MIN ? hsc__calloc(a, n, sizeof *tmp) : NULL;
    size_t *count = tmp != NULL ? hsc__calloc(a, RADIX_SIZE, sizeof *count) : NULL;
    if (count == NULL) {
        hsc__free(a, tmp);
        qsort(v, n, sizeof *v, cmp_u64);
        return;
    }
    uint64_t *src = v, *dst = tmp;
    for (unsigned shift = from_bit; shift < 64; shift += RADIX_BITS) {
        memset(count, 0, RADIX_SIZE * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & (RADIX_SIZE - 1)]++;
        if (count[(src[0] >> shift) & (RADIX_SIZE - 1)] == n)
            continue;   /* one digit for all: the order stands */
        for (size_t d = 0, at = 0; d < RADIX_SIZE; d++) {
            size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & (RADIX_SIZE - 1)]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    hsc__free(a, count);
    hsc__free(a, tmp);
}

/* The rows kept: the first of each group of identical (label, keys) rows,
 * in input order. Rows are grouped by a hash of their label and keys, and
 * rows of the same hash compared in full (the joining rows' keys are read
 * from the index only for those). */
static int unique_rows(const hsc__alloc *a, rows_view *v, uint32_t **kept, uint32_t *n_kept)
{
    uint32_t n = v->n;
    hashed_row *h = hsc__calloc(a, (size_t)n + 1, sizeof *h);
    uint8_t *dup = hsc__calloc(a, (size_t)n + 1, 1);
    uint32_t *idx = hsc__calloc(a, (size_t)n + 1, sizeof *idx);
    uint8_t *want = v->j != NULL ? hsc__calloc(a, (size_t)v->j->p->n_rows + 1, 1) : NULL;
    int st = h != NULL && dup != NULL && idx != NULL && (v->j == NULL || want != NULL)
                 ? HSC_OK : HSC_E_NOMEM;
    for (uint32_t r = 0; st == HSC_OK && r < n; r++)
        h[r] = (hashed_row){row_hash(v, r), r};
    if (st == HSC_OK)
        qsort(h, n, sizeof *h, by_hash);
    size_t n_want = 0;
    for (uint32_t i = 1; st == HSC_OK && i < n; i++)
        if (h[i].hash == h[i - 1].hash)
            for (uint32_t k = i - 1; k <= i; k++)
                if (h[k].row >= v->n_b && !want[v->jrow[h[k].row - v->n_b]]) {
                    want[v->jrow[h[k].row - v->n_b]] = 1;
                    n_want++;
                }
    if (st == HSC_OK && n_want > 0)
        st = join_keys(a, v, want);
    for (uint32_t i = 0; st == HSC_OK && i < n;) {
        uint32_t end = i + 1;
        while (end < n && h[end].hash == h[i].hash)
            end++;
        /* a row is a duplicate when an earlier row of its hash has its content */
        for (uint32_t k = i + 1; k < end; k++)
            for (uint32_t e = i; e < k && !dup[h[k].row]; e++)
                if (!dup[h[e].row] && same_content(v, h[e].row, h[k].row))
                    dup[h[k].row] = 1;
        i = end;
    }
    uint32_t m = 0;
    for (uint32_t r = 0; st == HSC_OK && r < n; r++)
        if (!dup[r])
            idx[m++] = r;
    hsc__free(a, h);
    hsc__free(a, dup);
    hsc__free(a, want);
    if (st != HSC_OK) {
        hsc__free(a, idx);
        return st;
    }
    *kept = idx;
    *n_kept = m;
    return HSC_OK;
}

/* At most max rows per label: a label with m > max rows keeps max of them
 * spread evenly over the input order (old and recent declarations alike). */
static int cap_per_label(const hsc__alloc *a, const uint32_t *label, uint32_t *kept,
                         uint32_t *n_kept, uint32_t max)
{
    uint32_t n_labels = 0;
    for (uint32_t r = 0; r < *n_kept; r++)
        if (label[kept[r]] + 1 > n_labels)
            n_labels = label[kept[r]] + 1;
    uint32_t *total = hsc__calloc(a, (size_t)n_labels + 1, sizeof *total);
    uint32_t *seen = hsc__calloc(a, (size_t)n_labels + 1, sizeof *seen);
    if (total == NULL || seen == NULL) {
        hsc__free(a, total);
        hsc__free(a, seen);
        return HSC_E_NOMEM;
    }
    for (uint32_t r = 0; r < *n_kept; r++)
        total[label[kept[r]]]++;
    uint32_t n = 0;
    for (uint32_t r = 0; r < *n_kept; r++) {
        uint32_t l = label[kept[r]];
        uint64_t i = seen[l]++, m = total[l];
        /* row i of m is kept when it starts a new share i * max / m */
        if (m <= max || i == 0 || (i * max) / m != ((i - 1) * max) / m)
            kept[n++] = kept[r];
    }
    *n_kept = n;
    hsc__free(a, total);
    hsc__free(a, seen);
    return HSC_OK;
}

/* The index while it is built: per key, ascending, its df and posting
 * offset (hsc__prec_pack turns it into the searched form), the postings,
 * and each row's sum of idf^2 over its keys (the keys come ascending, so
 * each row adds its keys in ascending order, as a walk of its own would). */
typedef struct index_build {
    uint32_t *keys, *df, *post_off;
    uint32_t n_keys, cap_keys;
    uint8_t *post;
    size_t len;
    double *norm2;
    double log_rows;
    uint32_t max_df;
    uint32_t *rows;            /* one key's rows (new numbering), scratch */
    /* the builder's kept rows' (key, row) pairs, sorted, and the next one */
    const uint64_t *pair;
    size_t n_pairs, next;
    const uint32_t *new_row;   /* per row of the joining memory: its row, UINT32_MAX: none */
} index_build;

/* One key with its rows (ascending): left out when in more than max_df. */
static void index_key(index_build *x, uint32_t key, uint32_t n)
{
    if (n == 0 || n > x->max_df)
        return;
    uint32_t k = x->n_keys++;
    x->keys[k] = key;
    x->df[k] = n;
    x->post_off[k] = (uint32_t)x->len;
    float idf2 = hsc__prec_idf2(x->log_rows, n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t gap = i == 0 ? x->rows[0] : x->rows[i] - x->rows[i - 1] - 1;
        x->len += hsc__varint_put(x->post + x->len, gap);
        x->norm2[x->rows[i]] += (double)idf2;
    }
}

/* The builder's rows of key into x->rows (its pairs are at the next one
 * when it has any); how many. */
static uint32_t builder_rows_of(index_build *x, uint64_t key)
{
    uint32_t n = 0;
    while (x->next < x->n_pairs && (x->pair[x->next] >> 32) == key)
        x->rows[n++] = (uint32_t)x->pair[x->next++];
    return n;
}

/* The builder's keys below limit (all: UINT64_MAX), each with its rows. */
static void builder_keys_below(index_build *x, uint64_t limit)
{
    while (x->next < x->n_pairs && (x->pair[x->next] >> 32) < limit) {
        uint32_t key = (uint32_t)(x->pair[x->next] >> 32);
        index_key(x, key, builder_rows_of(x, key));
    }
}

static int join_key(void *user, uint32_t key, const uint32_t *rows, uint32_t n)
{
    index_build *x = user;
    builder_keys_below(x, key);
    uint32_t m = builder_rows_of(x, key);   /* the builder's rows come first */
    for (uint32_t i = 0; i < n; i++)
        if (x->new_row[rows[i]] != UINT32_MAX)
            x->rows[m++] = x->new_row[rows[i]];
    index_key(x, key, m);
    return HSC_OK;
}

static void index_build_free(const hsc__alloc *a, index_build *x)
{
    hsc__free(a, x->keys);
    hsc__free(a, x->df);
    hsc__free(a, x->post_off);
    hsc__free(a, x->norm2);
    hsc__free(a, x->rows);
}

/* The inverted index of the kept rows (renumbered 0..n_kept): the
 * builder's rows through their sorted (key, row) pairs, the joining rows
 * through their memory's own index, merged key by key. */
static int build_index(const hsc__alloc *a, const rows_view *v, const uint32_t *kept,
                       uint32_t n_kept, hsc__prec *p, index_build *x)
{
    uint32_t n_kb = 0;   /* the builder's rows come first */
    while (n_kb < n_kept && kept[n_kb] < v->n_b)
        n_kb++;
    size_t n_pairs = 0, n_post = 0, key_bound = 0;
    for (uint32_t r = 0; r < n_kb; r++)
        n_pairs += v->b->key_off[kept[r] + 1] - v->b->key_off[kept[r]];
    uint64_t *pair = hsc__calloc(a, n_pairs + 1, sizeof *pair);
    uint32_t *new_row = NULL;
    if (v->j != NULL) {
        new_row = hsc__calloc(a, (size_t)v->j->p->n_rows + 1, sizeof *new_row);
        for (uint32_t r = 0; new_row != NULL && r < v->j->p->n_rows; r++)
            new_row[r] = UINT32_MAX;
        for (uint32_t r = n_kb; new_row != NULL && r < n_kept; r++) {
            uint32_t jr = v->jrow[kept[r] - v->n_b];
            new_row[jr] = r;
            n_post += v->j->n_keys[jr];
        }
        key_bound = v->j->p->n_keys;
    }
    int st = pair != NULL && (v->j == NULL || new_row != NULL) ? HSC_OK : HSC_E_NOMEM;
    for (uint32_t r = 0, i = 0; st == HSC_OK && r < n_kb; r++)
        for (size_t k = v->b->key_off[kept[r]]; k < v->b->key_off[kept[r] + 1]; k++)
            pair[i++] = ((uint64_t)v->b->keys[k] << 32) | r;
    if (st == HSC_OK)
        sort_u64(a, pair, n_pairs, 32);
    for (size_t i = 0; st == HSC_OK && i < n_pairs; i++)
        key_bound += i == 0 || (pair[i] >> 32) != (pair[i - 1] >> 32);
    n_post += n_pairs;
    if (st == HSC_OK && (key_bound > UINT32_MAX - 1 || n_post > SIZE_MAX / 5))
        st = HSC_E_NOMEM;
    if (st == HSC_OK) {
        x->keys = hsc__calloc(a, key_bound + 1, sizeof *x->keys);
        x->df = hsc__calloc(a, key_bound + 1, sizeof *x->df);
        x->post_off = hsc__calloc(a, key_bound + 1, sizeof *x->post_off);
        x->norm2 = hsc__calloc(a, (size_t)n_kept + 1, sizeof *x->norm2);
        x->rows = hsc__calloc(a, (size_t)n_kept + 1, sizeof *x->rows);
        x->post = hsc__prec_alloc(a, p, n_post * 5 + 1, 1);
        if (x->keys == NULL || x->df == NULL || x->post_off == NULL || x->norm2 == NULL ||
            x->rows == NULL || x->post == NULL)
            st = HSC_E_NOMEM;
    }
    x->log_rows = log((double)n_kept);
    x->max_df = p->max_df;
    x->pair = pair;
    x->n_pairs = n_pairs;
    x->new_row = new_row;
    if (st == HSC_OK && v->j != NULL)
        st = hsc__prec_each_key(a, v->j->p, join_key, x);
    if (st == HSC_OK)
        builder_keys_below(x, UINT64_MAX);
    hsc__free(a, pair);
    hsc__free(a, new_row);
    x->pair = NULL;
    x->new_row = NULL;
    if (st != HSC_OK)
        return st;
    if (x->len > UINT32_MAX)
        return HSC_E_NOMEM;
    x->post_off[x->n_keys] = (uint32_t)x->len;
    p->n_keys = x->n_keys;
    p->post = x->post;
    p->post_len = x->len;
    return x->n_keys > 0 ? HSC_OK : HSC_E_NO_DATA;   /* every key too common: no memory */
}

/* A text as a row keeps it: at most HSC__PREC_MAX_TEXT bytes, cut at a
 * UTF-8 boundary. */
static size_t text_len(const char *text, size_t len)
{
    if (len > HSC__PREC_MAX_TEXT)
        for (len = HSC__PREC_MAX_TEXT; len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80;)
            len--;
    return len;
}

static const char *row_text(const rows_view *v, uint32_t r, size_t *len)
{
    if (r < v->n_b) {
        *len = v->b->text_off[r + 1] - v->b->text_off[r];
        return v->b->texts.data + v->b->text_off[r];
    }
    const hsc__prec *p = v->j->p;
    uint32_t jr = v->jrow[r - v->n_b];
    const char *text = p->text_off != NULL ? p->text_pool + p->text_off[jr] : "";
    *len = text_len(text, strlen(text));
    return text;
}

static int copy_rows(rows_view *v, const uint32_t *kept, hsc__prec *p)
{
    hsc__prec_builder *b = v->b;
    const hsc__alloc *a = &b->alloc;
    uint32_t n = p->n_rows;
    uint32_t *label = hsc__prec_alloc(a, p, n, sizeof *label);
    uint8_t *source = hsc__prec_alloc(a, p, n, 1);
    p->sources = hsc__calloc(a, b->n_sources + 1, sizeof *p->sources);
    if (label == NULL || source == NULL || p->sources == NULL)
        return HSC_E_NOMEM;
    for (uint32_t i = 0; i < b->n_sources; i++) {
        p->sources[i] = b->sources[i];   /* moved */
        b->sources[i] = NULL;
    }
    p->n_sources = b->n_sources;
    b->n_sources = 0;
    for (uint32_t r = 0; r < n; r++) {
        uint32_t k = kept[r];
        label[r] = v->label[k];
        if (k < v->n_b) {
            source[r] = b->source[k];
        } else {
            const hsc__prec *jp = v->j->p;
            uint32_t jr = v->jrow[k - v->n_b];
            source[r] = v->jsource[jp->row_source[jr] < jp->n_sources ? jp->row_source[jr]
                                                                       : jp->n_sources];
        }
    }
    p->row_label = label;
    p->row_source = source;
    if (!b->keep_texts)
        return HSC_OK;
    size_t total = 0, len;
    for (uint32_t r = 0; r < n; r++) {
        row_text(v, kept[r], &len);
        total += len + 1;
    }
    p->text_off = hsc__calloc(a, (size_t)n + 1, sizeof *p->text_off);
    p->text_pool = hsc__calloc(a, total + 1, 1);
    if (p->text_off == NULL || p->text_pool == NULL || total > UINT32_MAX)
        return HSC_E_NOMEM;
    size_t used = 0;
    for (uint32_t r = 0; r < n; r++) {
        const char *text = row_text(v, kept[r], &len);
        p->text_off[r] = (uint32_t)used;
        memcpy(p->text_pool + used, text, len);
        used += len + 1;   /* NUL-terminated by the calloc */
    }
    return HSC_OK;
}

int hsc__prec_build(hsc__prec_builder *b, const hsc__prec_join *j, uint32_t neighbours,
                    double vote_power, double max_df_share, uint32_t max_per_label,
                    hsc__prec *out)
{
    const hsc__alloc *a = &b->alloc;
    memset(out, 0, sizeof *out);
    if (b->n_rows == 0 && (j == NULL || j->n_rows == 0))
        return HSC_E_NO_DATA;
    rows_view v;
    uint32_t *kept = NULL, n = 0;
    int st = view_open(b, j, &v);
    if (st == HSC_OK)
        st = unique_rows(a, &v, &kept, &n);
    if (st == HSC_OK && max_per_label > 0)
        st = cap_per_label(a, v.label, kept, &n, max_per_label);
    out->n_rows = n;
    out->neighbours = neighbours;
    out->vote_power = vote_power;
    /* small sets: a share of a few rows would drop words that still tell */
    double cap = ceil(max_df_share * (double)n);
    if (cap < HSC__PREC_MIN_MAX_DF)
        cap = HSC__PREC_MIN_MAX_DF;
    out->max_df = cap > (double)n ? n : (uint32_t)cap;
    index_build x;
    memset(&x, 0, sizeof x);
    if (st == HSC_OK)
        st = build_index(a, &v, kept, n, out, &x);
    if (st == HSC_OK)
        st = copy_rows(&v, kept, out);
    float *norm = st == HSC_OK ? hsc__prec_alloc(a, out, n, sizeof *norm) : NULL;
    if (st == HSC_OK && norm == NULL)
        st = HSC_E_NOMEM;
    for (uint32_t r = 0; st == HSC_OK && r < n; r++)
        norm[r] = x.norm2[r] > 0.0 ? (float)sqrt(x.norm2[r]) : 1e-3f;
    out->row_norm = norm;
    if (st == HSC_OK)
        st = hsc__prec_pack(a, x.keys, x.df, x.post_off, out);
    index_build_free(a, &x);
    view_free(a, &v);
    hsc__free(a, kept);
    if (st != HSC_OK)
        hsc__prec_free(a, out);
    return st;
}

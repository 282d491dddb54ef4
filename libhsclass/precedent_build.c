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

/* ---- building ------------------------------------------------------------- */

/* qsort has no user pointer: each element carries its builder. */
typedef struct row_ref {
    const hsc__prec_builder *b;
    uint32_t row;
} row_ref;

static int by_row_content(const void *x, const void *y)
{
    const hsc__prec_builder *b = ((const row_ref *)x)->b;
    uint32_t i = ((const row_ref *)x)->row, j = ((const row_ref *)y)->row;
    if (b->label[i] != b->label[j])
        return b->label[i] < b->label[j] ? -1 : 1;
    size_t ni = b->key_off[i + 1] - b->key_off[i], nj = b->key_off[j + 1] - b->key_off[j];
    if (ni != nj)
        return ni < nj ? -1 : 1;
    int c = memcmp(b->keys + b->key_off[i], b->keys + b->key_off[j], ni * sizeof *b->keys);
    if (c != 0)
        return c;
    return i < j ? -1 : i > j;
}

static int same_content(const hsc__prec_builder *b, uint32_t i, uint32_t j)
{
    size_t ni = b->key_off[i + 1] - b->key_off[i], nj = b->key_off[j + 1] - b->key_off[j];
    return b->label[i] == b->label[j] && ni == nj &&
           memcmp(b->keys + b->key_off[i], b->keys + b->key_off[j], ni * sizeof *b->keys) == 0;
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

/* The rows kept (first of each identical group, in input order). */
static int unique_rows(hsc__prec_builder *b, uint32_t **kept, uint32_t *n_kept)
{
    uint32_t *idx = hsc__calloc(&b->alloc, b->n_rows, sizeof *idx);
    uint8_t *dup = hsc__calloc(&b->alloc, b->n_rows, 1);
    row_ref *ref = hsc__calloc(&b->alloc, b->n_rows, sizeof *ref);
    if (idx == NULL || dup == NULL || ref == NULL) {
        hsc__free(&b->alloc, idx);
        hsc__free(&b->alloc, dup);
        hsc__free(&b->alloc, ref);
        return HSC_E_NOMEM;
    }
    for (uint32_t i = 0; i < b->n_rows; i++)
        ref[i] = (row_ref){b, i};
    qsort(ref, b->n_rows, sizeof *ref, by_row_content);
    for (uint32_t i = 1; i < b->n_rows; i++)
        if (same_content(b, ref[i - 1].row, ref[i].row))
            dup[ref[i].row] = 1;
    hsc__free(&b->alloc, ref);
    uint32_t n = 0;
    for (uint32_t i = 0; i < b->n_rows; i++)
        if (!dup[i])
            idx[n++] = i;
    hsc__free(&b->alloc, dup);
    *kept = idx;
    *n_kept = n;
    return HSC_OK;
}

/* At most max rows per label: a label with m > max rows keeps max of them
 * spread evenly over the input order (old and recent declarations alike). */
static int cap_per_label(hsc__prec_builder *b, uint32_t *kept, uint32_t *n_kept, uint32_t max)
{
    uint32_t n_labels = 0;
    for (uint32_t r = 0; r < *n_kept; r++)
        if (b->label[kept[r]] + 1 > n_labels)
            n_labels = b->label[kept[r]] + 1;
    uint32_t *total = hsc__calloc(&b->alloc, (size_t)n_labels + 1, sizeof *total);
    uint32_t *seen = hsc__calloc(&b->alloc, (size_t)n_labels + 1, sizeof *seen);
    if (total == NULL || seen == NULL) {
        hsc__free(&b->alloc, total);
        hsc__free(&b->alloc, seen);
        return HSC_E_NOMEM;
    }
    for (uint32_t r = 0; r < *n_kept; r++)
        total[b->label[kept[r]]]++;
    uint32_t n = 0;
    for (uint32_t r = 0; r < *n_kept; r++) {
        uint32_t l = b->label[kept[r]];
        uint64_t i = seen[l]++, m = total[l];
        /* row i of m is kept when it starts a new share i * max / m */
        if (m <= max || i == 0 || (i * max) / m != ((i - 1) * max) / m)
            kept[n++] = kept[r];
    }
    *n_kept = n;
    hsc__free(&b->alloc, total);
    hsc__free(&b->alloc, seen);
    return HSC_OK;
}

/* Keep only the pairs of keys in at most max_df rows: a commoner key is
 * never searched (precedent.c), so its postings would only weigh. */
static size_t drop_common(uint64_t *pair, size_t n_pairs, uint32_t max_df)
{
    size_t w = 0;
    for (size_t i = 0; i < n_pairs;) {
        size_t j = i;
        while (j < n_pairs && (pair[j] >> 32) == (pair[i] >> 32))
            j++;
        if (j - i <= max_df)
            for (size_t k = i; k < j; k++)
                pair[w++] = pair[k];
        i = j;
    }
    return w;
}

/* The index while it is built: per key, ascending, its df, posting offset
 * and idf^2 (hsc__prec_pack turns it into the searched form). */
typedef struct key_index {
    uint32_t *keys, *df, *post_off;
    float *idf2;
} key_index;

static void key_index_free(const hsc__alloc *a, key_index *x)
{
    hsc__free(a, x->keys);
    hsc__free(a, x->df);
    hsc__free(a, x->post_off);
    hsc__free(a, x->idf2);
}

/* Postings from (key << 32 | row) pairs sorted ascending. */
static int index_pairs(const hsc__alloc *a, const uint64_t *pair, size_t n_pairs, hsc__prec *p,
                       key_index *x)
{
    uint32_t n_keys = 0;
    for (size_t i = 0; i < n_pairs; i++)
        n_keys += i == 0 || (pair[i] >> 32) != (pair[i - 1] >> 32);
    p->n_keys = n_keys;
    x->keys = hsc__calloc(a, (size_t)n_keys + 1, sizeof *x->keys);
    x->df = hsc__calloc(a, (size_t)n_keys + 1, sizeof *x->df);
    x->post_off = hsc__calloc(a, (size_t)n_keys + 1, sizeof *x->post_off);
    x->idf2 = hsc__calloc(a, (size_t)n_keys + 1, sizeof *x->idf2);
    uint8_t *post = hsc__prec_alloc(a, p, n_pairs * 5, 1);
    if (x->keys == NULL || x->df == NULL || x->post_off == NULL || x->idf2 == NULL || post == NULL)
        return HSC_E_NOMEM;
    uint32_t k = 0;
    size_t len = 0;
    for (size_t i = 0; i < n_pairs; i++) {
        uint32_t key = (uint32_t)(pair[i] >> 32), row = (uint32_t)pair[i];
        int first = i == 0 || key != (uint32_t)(pair[i - 1] >> 32);
        if (first) {
            if (i > 0)
                k++;
            x->keys[k] = key;
            x->post_off[k] = (uint32_t)len;
        }
        uint32_t gap = first ? row : row - (uint32_t)pair[i - 1] - 1;
        len += hsc__varint_put(post + len, gap);
        x->df[k]++;
    }
    if (len > UINT32_MAX)
        return HSC_E_NOMEM;
    x->post_off[n_keys] = (uint32_t)len;
    p->post = post;
    p->post_len = len;
    double log_rows = log((double)p->n_rows);
    for (k = 0; k < n_keys; k++)
        x->idf2[k] = hsc__prec_idf2(log_rows, x->df[k]);
    return HSC_OK;
}

static int copy_rows(hsc__prec_builder *b, const uint32_t *kept, hsc__prec *p)
{
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
        label[r] = b->label[kept[r]];
        source[r] = b->source[kept[r]];
    }
    p->row_label = label;
    p->row_source = source;
    if (!b->keep_texts)
        return HSC_OK;
    p->text_off = hsc__calloc(a, (size_t)n + 1, sizeof *p->text_off);
    p->text_pool = hsc__calloc(a, b->texts.len + n + 1, 1);
    if (p->text_off == NULL || p->text_pool == NULL || b->texts.len + n > UINT32_MAX)
        return HSC_E_NOMEM;
    size_t used = 0;
    for (uint32_t r = 0; r < n; r++) {
        size_t from = b->text_off[kept[r]], len = b->text_off[kept[r] + 1] - from;
        p->text_off[r] = (uint32_t)used;
        memcpy(p->text_pool + used, b->texts.data + from, len);
        used += len + 1;   /* NUL-terminated by the calloc */
    }
    return HSC_OK;
}

/* Each row's norm: sqrt of its keys' idf2 over the keys the index keeps
 * (those in more than max_df rows are left out of both sides of the
 * cosine), summed from the pairs (key ascending, so each row's sum adds
 * its keys in ascending order, as a walk of the row's own keys would). */
static int row_norms(const hsc__alloc *a, const uint64_t *pair, size_t n_pairs, const key_index *x,
                     hsc__prec *p)
{
    float *norm = hsc__prec_alloc(a, p, p->n_rows, sizeof *norm);
    double *sum = hsc__calloc(a, (size_t)p->n_rows + 1, sizeof *sum);
    if (norm == NULL || sum == NULL) {
        hsc__free(a, sum);
        return HSC_E_NOMEM;
    }
    for (size_t i = 0, k = 0; i < n_pairs; i++) {
        if (i > 0 && (pair[i] >> 32) != (pair[i - 1] >> 32))
            k++;
        sum[(uint32_t)pair[i]] += (double)x->idf2[k];
    }
    for (uint32_t r = 0; r < p->n_rows; r++)
        norm[r] = sum[r] > 0.0 ? (float)sqrt(sum[r]) : 1e-3f;
    hsc__free(a, sum);
    p->row_norm = norm;
    return HSC_OK;
}

int hsc__prec_build(hsc__prec_builder *b, uint32_t neighbours, double vote_power,
                    double max_df_share, uint32_t max_per_label, hsc__prec *out)
{
    const hsc__alloc *a = &b->alloc;
    memset(out, 0, sizeof *out);
    if (b->n_rows == 0)
        return HSC_E_NO_DATA;
    uint32_t *kept = NULL, n = 0;
    int st = unique_rows(b, &kept, &n);
    if (st == HSC_OK && max_per_label > 0)
        st = cap_per_label(b, kept, &n, max_per_label);
    if (st != HSC_OK) {
        hsc__free(a, kept);
        return st;
    }
    size_t n_pairs = 0;
    for (uint32_t r = 0; r < n; r++)
        n_pairs += b->key_off[kept[r] + 1] - b->key_off[kept[r]];
    uint64_t *pair = hsc__calloc(a, n_pairs + 1, sizeof *pair);
    if (pair == NULL)
        st = HSC_E_NOMEM;
    for (uint32_t r = 0, i = 0; r < n && st == HSC_OK; r++)
        for (size_t j = b->key_off[kept[r]]; j < b->key_off[kept[r] + 1]; j++)
            pair[i++] = ((uint64_t)b->keys[j] << 32) | r;
    if (st == HSC_OK)
        sort_u64(a, pair, n_pairs, 32);
    out->n_rows = n;
    out->neighbours = neighbours;
    out->vote_power = vote_power;
    /* small sets: a share of a few rows would drop words that still tell */
    double cap = ceil(max_df_share * (double)n);
    if (cap < HSC__PREC_MIN_MAX_DF)
        cap = HSC__PREC_MIN_MAX_DF;
    out->max_df = cap > (double)n ? n : (uint32_t)cap;
    if (st == HSC_OK)
        n_pairs = drop_common(pair, n_pairs, out->max_df);
    if (st == HSC_OK && n_pairs == 0)
        st = HSC_E_NO_DATA;   /* every key too common: no memory */
    key_index x = {0};
    if (st == HSC_OK)
        st = index_pairs(a, pair, n_pairs, out, &x);
    if (st == HSC_OK)
        st = row_norms(a, pair, n_pairs, &x, out);
    hsc__free(a, pair);
    if (st == HSC_OK)
        st = copy_rows(b, kept, out);
    if (st == HSC_OK)
        st = hsc__prec_pack(a, x.keys, x.df, x.post_off, out);
    key_index_free(a, &x);
    hsc__free(a, kept);
    if (st != HSC_OK)
        hsc__prec_free(a, out);
    return st;
}

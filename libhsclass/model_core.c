/* model_core.c - struct hsc_model's life cycle (reference count, freeing)
 * and the lookups scoring needs: feature rows by bucket, the mean
 * embedding of a text, META values. */
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define HSC_HAVE_MMAP 1
#endif

#include "model.h"
#include "score.h"

int hsc__model_new(const hsc__alloc *a, hsc_model **out)
{
    hsc_model *m = hsc__calloc(a, 1, sizeof *m);
    *out = m;
    if (m == NULL)
        return HSC_E_NOMEM;
    m->alloc = *a;
    atomic_init(&m->refs, 1u);
    atomic_init(&m->tables, NULL);
    m->owns_q = 1;
    return HSC_OK;
}

void hsc__model_retain(hsc_model *m)
{
    atomic_fetch_add_explicit(&m->refs, 1u, memory_order_relaxed);
}

static void destroy(hsc_model *m)
{
    hsc__alloc a = m->alloc;   /* m itself is freed last */
    for (size_t i = 0; i < m->n_meta; i++) {
        hsc__free(&a, m->meta[i].key);
        hsc__free(&a, m->meta[i].value);
    }
    hsc__free(&a, m->meta);
    for (unsigned i = 0; i < HSC__N_INFO; i++)
        hsc__free(&a, m->info[i]);
    hsc__free(&a, m->labels);
    hsc__free(&a, m->label_pool);
    hsc__tree_free(&a, &m->tree);
    hsc__free(&a, m->row_bucket);
    hsc__free(&a, m->row_dir);
    hsc__free(&a, m->row_scale);
    hsc__free(&a, m->out_scale);
    hsc__tables_free(&a, atomic_load_explicit(&m->tables, memory_order_acquire));
    hsc__prec_free(&a, &m->prec);
    if (m->owns_q) {
        hsc__free(&a, m->row_q);
        hsc__free(&a, m->out_q);
    }
    if (m->image_big > 0)
        hsc__free_big(&a, m->image, m->image_big);
    else
        hsc__free(&a, m->image);
#ifdef HSC_HAVE_MMAP
    if (m->map != NULL)
        munmap(m->map, m->map_len);
#endif
    hsc__free(&a, m);
}

void hsc__model_release(hsc_model *m)
{
    if (atomic_fetch_sub_explicit(&m->refs, 1u, memory_order_acq_rel) == 1u)
        destroy(m);
}

/* Row lookup. Buckets are hash values, close to uniform, so the bucket
 * space is cut into about n_rows / 4 equal slices and row_dir[s] holds the
 * first row of slice s: a lookup reads one directory entry, then bisects a
 * few neighbouring rows (all rows of a slice, whatever the distribution).
 * When most buckets have a row (buckets <= 4 n_rows: a directory of at
 * most 16 bytes a row, a quarter of a 64-dim row's weights), a slice is
 * one bucket: the entry is the row, or an empty range, with no bisection
 * (a text looks up hundreds of features; a bisection's rows were a cache
 * miss of their own). */
static uint32_t slice_of(const hsc_model *m, uint32_t bucket)
{
    return (uint32_t)(((uint64_t)bucket * m->dir_mul) >> 32);
}

int hsc__model_index_rows(hsc_model *m)
{
    uint32_t n_slices = m->n_rows / 4 > 0 ? m->n_rows / 4 : 1;
    if ((uint64_t)m->spec.buckets <= 4 * (uint64_t)m->n_rows)
        n_slices = m->spec.buckets;   /* one bucket a slice */
    hsc__free(&m->alloc, m->row_dir);
    m->row_dir = hsc__calloc(&m->alloc, (size_t)n_slices + 1, sizeof *m->row_dir);
    if (m->row_dir == NULL)
        return HSC_E_NOMEM;
    /* n_slices <= buckets, so dir_mul <= 2^32 (equal: a slice is a bucket) and
     * slices < n_slices */
    m->dir_mul = ((uint64_t)n_slices << 32) / m->spec.buckets;
    uint32_t s = 0;
    for (uint32_t i = 0; i < m->n_rows; i++)
        for (uint32_t si = slice_of(m, m->row_bucket[i]); s <= si; s++)
            m->row_dir[s] = i;
    for (; s <= n_slices; s++)
        m->row_dir[s] = m->n_rows;
    return HSC_OK;
}

int64_t hsc__model_find_row(const hsc_model *m, uint32_t bucket)
{
    if (m->n_rows == 0 || bucket >= m->spec.buckets)
        return -1;
    uint32_t s = slice_of(m, bucket);
    size_t lo = m->row_dir[s], hi = m->row_dir[s + 1];
    if (lo == hi)
        return -1;   /* no row in its slice */
    if (m->dir_mul == (uint64_t)1 << 32)
        return (int64_t)lo;   /* the slice is the bucket (rows' buckets ascend strictly) */
    const uint32_t *b = m->row_bucket;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b[mid] < bucket)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n_rows && b[lo] == bucket ? (int64_t)lo : -1;
}

uint32_t hsc__model_embed_add(const hsc_model *m, uint32_t bucket, float *h)
{
    int64_t r = hsc__model_find_row(m, bucket);
    if (r < 0)
        return 0;
    uint32_t dim = m->dim;
    hsc__add_q(h, m->row_q + (size_t)r * dim, m->row_scale[r], dim);
    return 1;
}

void hsc__model_embed_mean(const hsc_model *m, float *h, uint32_t found)
{
    if (found > 0) {
        float inv = 1.0f / (float)found;
        for (uint32_t j = 0; j < m->dim; j++)
            h[j] *= inv;
    }
}

hsc__outw hsc__model_outw(const hsc_model *m)
{
    return (hsc__outw){m->dim, NULL, m->out_q, m->out_scale, (float)(1.0 / m->temperature)};
}

const char *hsc__model_meta(const hsc_model *m, const char *key)
{
    for (size_t i = 0; i < m->n_meta; i++)
        if (strcmp(m->meta[i].key, key) == 0)
            return m->meta[i].value;
    return NULL;
}

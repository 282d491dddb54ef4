/* model.c - hsc_model: loading entry points, reference count, accessors,
 * saving, and the META helpers shared by the reader and the writer. */
#include <stdio.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define HSC_HAVE_MMAP 1
#endif

#include "hsc_internal.h"
#include "model_format.h"

uint32_t hsc_model_format_version_max(void)
{
    return HSCM_MAJOR;
}

/* ---- life cycle ----------------------------------------------------------- */

void hsc__model_retain(hsc_model *m)
{
    atomic_fetch_add_explicit(&m->refs, 1u, memory_order_relaxed);
}

void hsc__model_destroy(hsc_model *m)
{
    hsc__model_box *box = (hsc__model_box *)m;
    hsc__alloc a = m->alloc;   /* m itself is freed last */
    for (size_t i = 0; i < m->n_meta; i++) {
        hsc__free(&a, m->meta[i].key);
        hsc__free(&a, m->meta[i].value);
    }
    hsc__free(&a, m->meta);
    hsc__free(&a, m->labels);
    hsc__free(&a, m->label_pool);
    hsc__tree_free(&a, &m->tree);
    hsc__free(&a, m->row_bucket);
    hsc__free(&a, box->row_dir);
    hsc__free(&a, m->row_scale);
    hsc__free(&a, m->out_scale);
    hsc__nomen_free(&a, &box->nomen);
    hsc__natl_free(&a, &box->natl);
    if (box->owns_q) {
        hsc__free(&a, m->row_q);
        hsc__free(&a, m->out_q);
    }
#ifdef HSC_HAVE_MMAP
    if (box->map != NULL)
        munmap(box->map, box->map_len);
#endif
    hsc__free(&a, box);
}

void hsc_model_free(hsc_model *model)
{
    if (model == NULL)
        return;
    if (atomic_fetch_sub_explicit(&model->refs, 1u, memory_order_acq_rel) == 1u)
        hsc__model_destroy(model);
}

static hsc__alloc alloc_of(const hsc_config *cfg)
{
    hsc__alloc a = {0};   /* NULL functions: the C library's */
    if (cfg != NULL)
        a = cfg->alloc;
    return a;
}

hsc_status hsc_model_load_memory(const void *data, size_t len, const hsc_config *cfg,
                                 hsc_model **out, uint64_t *err_offset)
{
    hsc__alloc a = alloc_of(cfg);
    if (out != NULL)
        *out = NULL;
    if (data == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    return hsc__model_parse(&a, data, len, 0, out, err_offset);
}

#ifdef HSC_HAVE_MMAP
/* Map the file and let the int8 matrices stay in the mapping: loading
 * then costs one CRC pass instead of a copy into fresh pages. Returns
 * HSC_E_UNSUPPORTED when mapping is not possible, so the caller reads the
 * file instead. Files must be replaced by rename (as hsc_model_save_file
 * does), never truncated in place while a model uses them. */
static int load_mapped(const hsc__alloc *a, const char *path, hsc_model **out,
                       uint64_t *err_offset)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return HSC_E_IO;
    struct stat stbuf;
    if (fstat(fd, &stbuf) != 0 || !S_ISREG(stbuf.st_mode) || stbuf.st_size <= 0 ||
        (uint64_t)stbuf.st_size > SIZE_MAX) {
        close(fd);
        return HSC_E_UNSUPPORTED;
    }
    size_t len = (size_t)stbuf.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return HSC_E_UNSUPPORTED;
    int st = hsc__model_parse(a, map, len, 1, out, err_offset);
    hsc__model_box *box = st == HSC_OK ? (hsc__model_box *)*out : NULL;
    if (box != NULL && !box->owns_q) {
        box->map = map;
        box->map_len = len;
    } else {
        munmap(map, len);
    }
    return st;
}
#endif

hsc_status hsc_model_load_file(const char *path, const hsc_config *cfg, hsc_model **out,
                               uint64_t *err_offset)
{
    hsc__alloc a = alloc_of(cfg);
    if (out != NULL)
        *out = NULL;
    if (err_offset != NULL)
        *err_offset = 0;
    if (path == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
#ifdef HSC_HAVE_MMAP
    int st = load_mapped(&a, path, out, err_offset);
    if (st != HSC_E_UNSUPPORTED)
        return st;
#endif
    hsc__buf file = {0};
    int rst = hsc__read_file(&a, path, &file);
    if (rst == HSC_OK)
        rst = hsc__model_parse(&a, (const uint8_t *)file.data, file.len, 0, out, err_offset);
    hsc__buf_free(&a, &file);
    return rst;
}

/* ---- saving ----------------------------------------------------------------- */

hsc_status hsc_model_save_file(const hsc_model *model, const char *path)
{
    if (model == NULL || path == NULL)
        return HSC_E_INVALID_ARG;
    hsc__buf b = {0};
    int st = hsc__model_rewrite(model, &b);
    if (st == HSC_OK)
        st = hsc__write_file_atomic(path, b.data, b.len);
    hsc__buf_free(&model->alloc, &b);
    return st;
}

/* hsc_buffer_free gets no allocator, so a saved buffer starts with a copy of
 * the model's, in a prefix that keeps the data maximally aligned. */
#define BUF_PREFIX 64u
_Static_assert(sizeof(hsc__alloc) <= BUF_PREFIX, "allocator fits the buffer prefix");

hsc_status hsc_model_save_memory(const hsc_model *model, void **out, size_t *out_len)
{
    static const uint8_t zeros[BUF_PREFIX];
    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if (model == NULL || out == NULL || out_len == NULL)
        return HSC_E_INVALID_ARG;
    hsc__buf b = {0};
    int st = hsc__buf_append(&model->alloc, &b, zeros, BUF_PREFIX);
    if (st == HSC_OK)
        st = hsc__model_rewrite(model, &b);
    if (st != HSC_OK) {
        hsc__buf_free(&model->alloc, &b);
        return st;
    }
    memcpy(b.data, &model->alloc, sizeof model->alloc);
    *out = b.data + BUF_PREFIX;
    *out_len = b.len - BUF_PREFIX;
    return HSC_OK;
}

void hsc_buffer_free(void *buf)
{
    if (buf == NULL)
        return;
    char *base = (char *)buf - BUF_PREFIX;
    hsc__alloc a;
    memcpy(&a, base, sizeof a);
    hsc__free(&a, base);
}

/* ---- accessors -------------------------------------------------------------- */

hsc_status hsc_model_info_str(const hsc_model *model, int32_t key, const char **out)
{
    if (model == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    if (key < HSC_INFO_FORMAT_VERSION || key > HSC_INFO_CREATED_BY)
        return HSC_E_UNSUPPORTED;
    /* The reader appends one derived entry per key, in key order. */
    *out = model->meta[model->n_meta - HSCM_N_INFO + (size_t)(key - 1)].value;
    return HSC_OK;
}

hsc_status hsc_model_accept_threshold(const hsc_model *model, double *out)
{
    if (model == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = model->accept_threshold;
    return HSC_OK;
}

hsc_status hsc_model_meta_count(const hsc_model *model, size_t *out)
{
    if (model == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = model->n_meta;
    return HSC_OK;
}

hsc_status hsc_model_meta_get(const hsc_model *model, size_t index, const char **key,
                              const char **value)
{
    if (model == NULL || key == NULL || value == NULL || index >= model->n_meta)
        return HSC_E_INVALID_ARG;
    *key = model->meta[index].key;
    *value = model->meta[index].value;
    return HSC_OK;
}

hsc_status hsc_model_label_count(const hsc_model *model, size_t *out)
{
    if (model == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = model->n_labels;
    return HSC_OK;
}

hsc_status hsc_model_label(const hsc_model *model, size_t index, const char **code)
{
    if (model == NULL || code == NULL || index >= model->n_labels)
        return HSC_E_INVALID_ARG;
    *code = model->labels[index];
    return HSC_OK;
}

const char *hsc__model_meta(const hsc_model *m, const char *key)
{
    for (size_t i = 0; i < m->n_meta; i++)
        if (strcmp(m->meta[i].key, key) == 0)
            return m->meta[i].value;
    return NULL;
}

/* Row lookup. Buckets are hash values, close to uniform, so the bucket
 * space is cut into about n_rows / 4 equal slices and row_dir[s] holds the
 * first row of slice s: a lookup reads one directory entry, then bisects a
 * few neighbouring rows (all rows of a slice, whatever the distribution). */
static uint32_t slice_of(const hsc__model_box *box, uint32_t bucket)
{
    return (uint32_t)(((uint64_t)bucket * box->dir_mul) >> 32);
}

int hsc__model_index_rows(hsc_model *m)
{
    hsc__model_box *box = (hsc__model_box *)m;
    uint32_t n_slices = m->n_rows / 4 > 0 ? m->n_rows / 4 : 1;
    hsc__free(&m->alloc, box->row_dir);
    box->row_dir = hsc__calloc(&m->alloc, (size_t)n_slices + 1, sizeof *box->row_dir);
    if (box->row_dir == NULL)
        return HSC_E_NOMEM;
    /* n_slices <= n_rows <= buckets, so dir_mul <= 2^32 and slices < n_slices */
    box->dir_mul = ((uint64_t)n_slices << 32) / m->spec.buckets;
    uint32_t s = 0;
    for (uint32_t i = 0; i < m->n_rows; i++)
        for (uint32_t si = slice_of(box, m->row_bucket[i]); s <= si; s++)
            box->row_dir[s] = i;
    for (; s <= n_slices; s++)
        box->row_dir[s] = m->n_rows;
    return HSC_OK;
}

int64_t hsc__model_find_row(const hsc_model *m, uint32_t bucket)
{
    const hsc__model_box *box = (const hsc__model_box *)m;
    if (m->n_rows == 0 || bucket >= m->spec.buckets)
        return -1;
    uint32_t s = slice_of(box, bucket);
    size_t lo = box->row_dir[s], hi = box->row_dir[s + 1];
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

/* ---- META helpers ------------------------------------------------------------- */

/* Stored keys: 1..64 of [a-z0-9_.], outside the derived "info." space. */
int hsc__meta_key_valid(const char *key, size_t len)
{
    size_t pl = sizeof HSCM_INFO_PREFIX - 1;
    if (len == 0 || len > HSCM_MAX_META_KEY ||
        (len >= pl && memcmp(key, HSCM_INFO_PREFIX, pl) == 0))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

void hsc__code_digits_str(const char *const *labels, uint32_t n, char buf[16])
{
    size_t lo = SIZE_MAX, hi = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strlen(labels[i]);
        lo = len < lo ? len : lo;
        hi = len > hi ? len : hi;
    }
    if (n == 0)
        lo = 0;
    if (lo == hi)
        snprintf(buf, 16, "%u", (unsigned)lo);
    else
        snprintf(buf, 16, "%u-%u", (unsigned)lo, (unsigned)hi);
}

int hsc__stemmer_algos_str(const hsc__textspec *spec, char *buf, size_t cap)
{
    size_t len = 0;
    for (uint32_t i = 0; i < spec->n_langs; i++) {
        const char *algo = hsc__lang_snowball(spec->langs[i]);
        if (algo == NULL)
            algo = "none";
        size_t n = strlen(algo);
        if (len + n + 2 > cap)
            return HSC_E_INVALID_ARG;
        if (i > 0)
            buf[len++] = ',';
        memcpy(buf + len, algo, n);
        len += n;
    }
    if (cap == 0)
        return HSC_E_INVALID_ARG;
    buf[len] = '\0';
    return HSC_OK;
}

/* model.c - the public hsc_model calls: loading (from memory, or a file
 * mapped in place), saving, freeing, and the info, META and label
 * accessors. */
#include <errno.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define HSC_HAVE_MMAP 1
#endif

#include "model.h"
#include "model_format.h"

uint32_t hsc_model_format_version_max(void)
{
    return HSCM_MAJOR;
}

void hsc_model_free(hsc_model *model)
{
    if (model != NULL)
        hsc__model_release(model);
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
    /* the caller keeps its buffer: the model uses a copy in place */
    char *copy = len < SIZE_MAX ? hsc__calloc_big(&a, len + 1) : NULL;
    if (copy == NULL)
        return HSC_E_NOMEM;
    if (len > 0)
        memcpy(copy, data, len);
    int st = hsc__model_parse(&a, (const uint8_t *)copy, len, out, err_offset);
    if (st == HSC_OK) {
        (*out)->image = copy;
        (*out)->image_big = len + 1;
    } else {
        hsc__free_big(&a, copy, len + 1);
    }
    return st;
}

#ifdef HSC_HAVE_MMAP
/* A regular file opened for loading: HSC_E_UNSUPPORTED when it is not one
 * (the caller reads it as a stream instead), HSC_E_MODEL_LIMIT when larger
 * than max. */
static int open_regular(const char *path, size_t max, int *fd, size_t *len)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (*fd < 0)
        return HSC_E_IO;
    struct stat stbuf;
    int st = HSC_OK;
    if (fstat(*fd, &stbuf) != 0 || !S_ISREG(stbuf.st_mode) || stbuf.st_size <= 0)
        st = HSC_E_UNSUPPORTED;
    else if ((uint64_t)stbuf.st_size > max)
        st = HSC_E_MODEL_LIMIT;
    if (st != HSC_OK) {
        close(*fd);
        *fd = -1;
        return st;
    }
    *len = (size_t)stbuf.st_size;
    return HSC_OK;
}

/* Keep the mapping a parsed model points into (freed with the model). */
static int parse_mapped(const hsc__alloc *a, void *map, size_t map_len, size_t len,
                        hsc_model **out, uint64_t *err_offset)
{
    int st = hsc__model_parse(a, map, len, out, err_offset);
    if (st == HSC_OK) {
        (*out)->map = map;
        (*out)->map_len = map_len;
    } else {
        munmap(map, map_len);
    }
    return st;
}

/* HSC_CFG_MODEL_MMAP: map the file and let the model use it in place.
 * Rewriting or truncating the file in place then changes or removes pages
 * under the live model (SIGBUS): only for files that are replaced by
 * rename. */
static int load_mapped(const hsc__alloc *a, const char *path, size_t max, hsc_model **out,
                       uint64_t *err_offset)
{
    int fd;
    size_t len;
    int st = open_regular(path, max, &fd, &len);
    if (st != HSC_OK)
        return st;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return HSC_E_UNSUPPORTED;
    return parse_mapped(a, map, len, len, out, err_offset);
}

/* The default path for a regular file: read into one allocation of its
 * size (hsc__calloc_big: huge pages with the C library's allocator). */
static int load_copied(const hsc__alloc *a, const char *path, size_t max, hsc_model **out,
                       uint64_t *err_offset)
{
    int fd;
    size_t len;
    int st = open_regular(path, max, &fd, &len);
    if (st != HSC_OK)
        return st;
    char *img = hsc__calloc_big(a, len);
    if (img == NULL) {
        close(fd);
        return HSC_E_NOMEM;
    }
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, img + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {   /* shrunk since fstat: parsed as the truncated file it is */
            st = n < 0 ? HSC_E_IO : HSC_OK;
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    if (st == HSC_OK)
        st = hsc__model_parse(a, (const uint8_t *)img, got, out, err_offset);
    if (st == HSC_OK) {
        (*out)->image = img;
        (*out)->image_big = len;
    } else {
        hsc__free_big(a, img, len);
    }
    return st;
}
#endif

/* The default: the file is read into memory once and the model keeps that
 * copy (it is used in place), so nothing done to the file later can reach
 * a loaded model. */
hsc_status hsc_model_load_file(const char *path, const hsc_config *cfg, hsc_model **out,
                               uint64_t *err_offset)
{
    hsc__alloc a = alloc_of(cfg);
    hsc_config defaults;
    const hsc_config *c = hsc__config_or_defaults(cfg, &defaults);
    if (out != NULL)
        *out = NULL;
    if (err_offset != NULL)
        *err_offset = 0;
    if (path == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    size_t max = c->max_model_bytes;
#ifdef HSC_HAVE_MMAP
    {
        int st = c->model_mmap ? load_mapped(&a, path, max, out, err_offset)
                               : load_copied(&a, path, max, out, err_offset);
        if (st != HSC_E_UNSUPPORTED)
            return st;
    }
#endif
    hsc__buf file = {0};
    int st = hsc__read_file(&a, path, max, &file);
    if (st == HSC_OK)
        st = hsc__model_parse(&a, (const uint8_t *)file.data, file.len, out, err_offset);
    if (st == HSC_OK) {
        (*out)->image = file.data;   /* the model is used in place */
    } else {
        hsc__buf_free(&a, &file);
    }
    return st;
}

/* ---- saving ----------------------------------------------------------------- */

hsc_status hsc_model_save_check(const char *path)
{
    if (path == NULL)
        return HSC_E_INVALID_ARG;
    return hsc__write_check(path);
}

hsc_status hsc_model_save_file(const hsc_model *model, const char *path)
{
    if (model == NULL || path == NULL)
        return HSC_E_INVALID_ARG;
    if (model->canonical_len > 0)   /* a trained model: its image is its serialization */
        return hsc__write_file_atomic(path, model->image, model->canonical_len);
    hsc__buf b = {0};
    int st = hsc__model_serialize(model, &b);
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
    if (st == HSC_OK && model->canonical_len > 0)   /* as hsc_model_save_file */
        st = hsc__buf_append(&model->alloc, &b, model->image, model->canonical_len);
    else if (st == HSC_OK)
        st = hsc__model_serialize(model, &b);
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
    if (hsc__info_key_name(key) == NULL)
        return HSC_E_UNSUPPORTED;
    *out = model->info[key - 1];
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
    *out = model->n_meta + HSC__N_INFO;
    return HSC_OK;
}

hsc_status hsc_model_meta_get(const hsc_model *model, size_t index, const char **key,
                              const char **value)
{
    if (model == NULL)
        return HSC_E_INVALID_ARG;
    if (index >= model->n_meta + HSC__N_INFO)
        return HSC_E_NO_RESULT;
    const char *k, *v;
    if (index < model->n_meta) {
        k = model->meta[index].key;
        v = model->meta[index].value;
    } else { /* then the derived strings, in HSC_INFO_* order */
        int32_t info = (int32_t)(index - model->n_meta) + 1;
        k = hsc__info_key_name(info);
        v = model->info[info - 1];
    }
    if (key != NULL)
        *key = k;
    if (value != NULL)
        *value = v;
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
    if (model == NULL || code == NULL)
        return HSC_E_INVALID_ARG;
    if (index >= model->n_labels)
        return HSC_E_NO_RESULT;
    *code = model->labels[index];
    return HSC_OK;
}

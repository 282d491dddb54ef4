/* model.h - struct hsc_model, the one in-memory form of a classifier: its
 * life cycle and lookups (model_core.c), what its META says (model_meta.c),
 * and the file reader and writer that fill and serialize it. Private. */
#ifndef HSC_MODEL_H
#define HSC_MODEL_H

#include <stdatomic.h>

#include "hsc_internal.h"
#include "nomen.h"
#include "precedent.h"
#include "rank.h"

/* One derived info string per HSC_INFO_* key (1..HSC_INFO_CREATED_BY). */
#define HSC__N_INFO 11u

typedef struct hsc__kv {
    char *key;
    char *value;
} hsc__kv;

/* A section kept as stored in the file image, decoded when first needed. */
typedef struct hsc__lazy_sec {
    const uint8_t *p;          /* NULL: the file has no such section */
    size_t stored, raw;
    int zlib;
    uint64_t offset;           /* in the file */
} hsc__lazy_sec;

struct hsc_model {
    atomic_uint refs;
    hsc__alloc alloc;
    hsc__textspec spec;
    uint32_t dim;

    size_t n_meta;
    hsc__kv *meta;             /* stored META entries, sorted by key */
    char *info[HSC__N_INFO];   /* info[key - 1]: derived when the file is read */

    uint32_t n_labels;
    char **labels;             /* sorted unique codes (pointers into label_pool) */
    char *label_pool;
    hsc__tree tree;

    /* input embeddings: rows kept after training, sorted by bucket */
    uint32_t n_rows;
    uint32_t *row_bucket;
    int8_t *row_q;             /* n_rows * dim */
    float *row_scale;          /* dequantized value = q * scale */
    uint32_t *row_dir;         /* row_dir[s]: first row of bucket slice s (model_core.c) */
    uint64_t dir_mul;          /* slice(bucket) = bucket * dir_mul >> 32 */

    /* output vectors, one per tree node (root's unused) */
    int8_t *out_q;             /* tree.n_nodes * dim */
    float *out_scale;

    double temperature;        /* format 1.1 calibration: logits divided by it */
    hsc__scoring scoring;      /* SCOR: blend and calibration (on = 0: absent) */
    hsc__prec prec;            /* PREC (+ PTXT), n_rows 0 when absent */
    double accept_threshold;   /* default decision threshold */
    uint32_t fingerprint;      /* CRC32 of the file */

    /* NOMN and NATL: inflated and decoded on first use (hsc__model_tables),
     * since most processes classify without reading a description and
     * decoding them was a third of a load. */
    hsc__lazy_sec nomn_src, natl_src;
    _Atomic(hsc__tables *) tables;   /* NULL until first used */

    void *map;                 /* the file image the model uses in place: a mapping, */
    char *image;               /* or a copy (one of the two is set): */
    size_t image_big;          /* its hsc__calloc_big size, 0: hsc__alloc'ed */
    size_t map_len;
    size_t canonical_len;      /* > 0: image[0..canonical_len) is what hsc__model_serialize
                                * makes of this model (a trained one): saved as is */
    int owns_q;                /* row_q / out_q were inflated copies (not in the image) */
};

/* ---- life cycle and lookups (model_core.c) ------------------------------ */

/* An empty model with one reference that owns its matrices. */
int hsc__model_new(const hsc__alloc *a, hsc_model **out);
void hsc__model_retain(hsc_model *m);
/* Drop a reference; the last one frees the model (also a half-built one). */
void hsc__model_release(hsc_model *m);
/* Build the row directory behind hsc__model_find_row (after ROWS). */
int hsc__model_index_rows(hsc_model *m);
/* Look up a bucket's row; -1 when training never touched it. */
int64_t hsc__model_find_row(const hsc_model *m, uint32_t bucket);
/* A text's h is the mean of its features' rows (dequantized), summed in
 * feature order: h += bucket's row (1), or nothing when training never
 * touched it (0); then h /= the rows found (none: h stays 0). h has m->dim
 * floats. */
uint32_t hsc__model_embed_add(const hsc_model *m, uint32_t bucket, float *h);
void hsc__model_embed_mean(const hsc_model *m, float *h, uint32_t found);
/* The output layer as the search reads it (quantized, calibrated). */
hsc__outw hsc__model_outw(const hsc_model *m);
const char *hsc__model_meta(const hsc_model *m, const char *key); /* NULL if absent */

/* ---- reading and writing files (model_read.c, model_write.c) ------------ */

/* Parse and validate a whole file image (the only decoder). The model
 * uses data in place (its matrices, memory and nomenclature sections), so
 * data must outlive it: callers hand it over (model->image or map). */
int hsc__model_parse(const hsc__alloc *a, const uint8_t *data, size_t len, hsc_model **out,
                     uint64_t *err_offset);
/* The model's descriptions and national lines, decoded from the file the
 * first time any caller needs them (thread-safe: concurrent first callers
 * may each decode, one result is kept). HSC_E_MODEL_* when the sections
 * are found damaged (every call then fails alike), HSC_E_NOMEM. */
int hsc__model_tables(const hsc_model *m, const hsc__tables **out);
/* A kept section's raw content: in place (*tmp NULL) or inflated into
 * *tmp (the caller frees it). */
int hsc__lazy_sec_bytes(const hsc_model *m, const hsc__lazy_sec *s, const uint8_t **p,
                        uint8_t **tmp);

/* What the trainer hands to the writer: full-precision weights. The writer
 * quantizes deterministically. */
typedef struct hsc__model_draft {
    hsc__textspec spec;
    uint32_t dim;
    size_t n_meta;
    const hsc__kv *meta;       /* training info; the writer adds the format keys */
    uint32_t n_labels;
    const char *const *labels; /* sorted unique */
    uint32_t n_rows;
    const uint32_t *row_bucket;/* sorted ascending */
    const float *rows;         /* n_rows * dim */
    uint32_t n_nodes;          /* must equal the tree built from labels */
    const float *out;          /* n_nodes * dim */
    double temperature;
    double accept_threshold;
    const hsc__nomen *nomen;   /* NULL or empty: no NOMN section */
    const hsc__natl *natl;     /* NULL or empty: no NATL section */
    const hsc_model *tables_of;/* NULL, or the model whose tables nomen and natl are: its
                                * stored sections are written again as they are stored
                                * when they hold the same bytes (not compressed again) */
    hsc__scoring scoring;      /* on = 0: no SCOR section */
    const hsc__prec *prec;     /* NULL or empty: no PREC section */
} hsc__model_draft;

/* Quantize a draft and serialize it. */
int hsc__model_write(const hsc__alloc *a, const hsc__model_draft *d, hsc__buf *out);
/* Serialize a model's stored content (identical bytes for an unmodified
 * load); appends to out. */
int hsc__model_serialize(const hsc_model *m, hsc__buf *out);

/* ---- META (model_meta.c) -------------------------------------------------- */

/* Stored keys: 1..64 of [a-z0-9_.], outside the derived "info." space. */
int hsc__meta_key_valid(const char *key, size_t len);
/* Featurization options a model may record: HSC_OK or HSC_E_INVALID_ARG. */
int hsc__textspec_check(const hsc__textspec *spec);
/* The format keys of a draft's META, sorted with the draft's own entries
 * into kv (room for d->n_meta + HSCM_K_COUNT). Values are written into
 * vals (HSCM_K_COUNT strings of HSC__META_VALUE_CAP bytes); kv points into
 * vals and the draft. HSC_E_INVALID_ARG for a draft entry the writer owns,
 * a bad key or value, or a duplicate. */
#define HSC__META_VALUE_CAP 96u
int hsc__meta_compose(const hsc__model_draft *d, char (*vals)[HSC__META_VALUE_CAP], hsc__kv *kv,
                      size_t *n_kv);
/* Read the spec and dim back from a parsed META (every format key present,
 * versions this library runs, values in range): HSC_E_MODEL_SECTION,
 * HSC_E_MODEL_MISMATCH or HSC_E_MODEL_VALUE. */
int hsc__meta_read_spec(hsc_model *m);
/* hs.code_digits agrees with the labels: HSC_OK or HSC_E_MODEL_VALUE. */
int hsc__meta_check_labels(const hsc_model *m);
/* Fill m->info from the META, labels and fingerprint of a parsed file. */
int hsc__meta_derive_info(hsc_model *m, uint32_t major, uint32_t minor);
/* "info.format_version"... for HSC_INFO_* key (1-based); NULL if unknown. */
const char *hsc__info_key_name(int32_t key);

#endif /* HSC_MODEL_H */

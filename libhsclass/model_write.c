/* model_write.c - deterministic serializer for the .hscm format (see
 * model_format.h): a model's stored content to bytes, and a trainer's
 * full-precision draft quantized into such a model first. The same input
 * always gives the same bytes with a given zlib: fixed section order,
 * sorted META keys, a fixed deflate level, no timestamps. */
#include <math.h>
#include <string.h>

#include <zlib.h>

#include "bytes.h"
#include "model.h"
#include "model_format.h"

#define ZLEVEL 6   /* level 9 is 20x slower on ROWS gaps for 7% less */

/* One section being written: raw bytes in body, plus an optional external
 * tail (the int8 matrix) that is appended as is. */
typedef struct wsec {
    uint32_t tag, flags;
    hsc__buf body;
    const int8_t *tail;
    size_t tail_len;
    hsc__buf z;            /* compressed body, when it pays */
    uint64_t offset, stored, raw;
    uint32_t crc;
} wsec;

static int put32(const hsc__alloc *a, hsc__buf *b, uint32_t v)
{
    uint8_t t[4];
    hsc__wr32(t, v);
    return hsc__buf_append(a, b, t, sizeof t);
}

static int deflate_buf(const hsc__alloc *a, const hsc__buf *in, hsc__buf *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = hsc__zalloc;
    zs.zfree = hsc__zfree;
    zs.opaque = (void *)(uintptr_t)a;
    if (deflateInit2(&zs, ZLEVEL, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return HSC_E_NOMEM;
    uLong bound = deflateBound(&zs, (uLong)in->len);
    int st = hsc__buf_reserve(a, out, (size_t)bound);
    if (st == HSC_OK) {
        zs.next_in = (Bytef *)(uintptr_t)in->data;
        zs.avail_in = (uInt)in->len;
        zs.next_out = (Bytef *)out->data;
        zs.avail_out = (uInt)bound;
        st = deflate(&zs, Z_FINISH) == Z_STREAM_END ? HSC_OK : HSC_E_INTERNAL;
        out->len = (size_t)zs.total_out;
    }
    deflateEnd(&zs);
    return st;
}

static int build_meta(const hsc__alloc *a, const hsc_model *m, hsc__buf *b)
{
    int st = put32(a, b, (uint32_t)m->n_meta);
    for (size_t i = 0; i < m->n_meta && st == HSC_OK; i++) {
        size_t kl = strlen(m->meta[i].key), vl = strlen(m->meta[i].value);
        st = put32(a, b, (uint32_t)kl);
        if (st == HSC_OK)
            st = hsc__buf_append(a, b, m->meta[i].key, kl);
        if (st == HSC_OK)
            st = put32(a, b, (uint32_t)vl);
        if (st == HSC_OK)
            st = hsc__buf_append(a, b, m->meta[i].value, vl);
    }
    return st;
}

static int build_labels(const hsc__alloc *a, const hsc_model *m, hsc__buf *b)
{
    int st = put32(a, b, m->n_labels);
    uint32_t off = 0;
    for (uint32_t i = 0; i <= m->n_labels && st == HSC_OK; i++) {
        st = put32(a, b, off);
        if (i < m->n_labels)
            off += (uint32_t)strlen(m->labels[i]);
    }
    for (uint32_t i = 0; i < m->n_labels && st == HSC_OK; i++)
        st = hsc__buf_append_str(a, b, m->labels[i]);
    return st;
}

static int build_rows(const hsc__alloc *a, const hsc_model *m, hsc__buf *b)
{
    int st = hsc__buf_reserve(a, b, 4 + (size_t)m->n_rows * 4);
    if (st == HSC_OK)
        st = put32(a, b, m->n_rows);
    /* gaps compress twice as well as the ids themselves */
    for (uint32_t i = 0; i < m->n_rows && st == HSC_OK; i++)
        st = put32(a, b, m->row_bucket[i] - (i > 0 ? m->row_bucket[i - 1] : 0));
    return st;
}

/* Matrix header and scales; the q bytes go in as the section's tail. */
static int build_matrix(const hsc__alloc *a, uint32_t n, uint32_t dim, const float *scale,
                        const int8_t *q, wsec *s)
{
    int st = hsc__buf_reserve(a, &s->body, 8 + (size_t)n * 4);
    if (st == HSC_OK)
        st = put32(a, &s->body, n);
    if (st == HSC_OK)
        st = put32(a, &s->body, dim);
    for (uint32_t i = 0; i < n && st == HSC_OK; i++) {
        uint8_t t[4];
        hsc__wrf32(t, scale[i]);
        st = hsc__buf_append(a, &s->body, t, sizeof t);
    }
    s->tail = q;
    s->tail_len = (size_t)n * dim;
    return st;
}

static int build_calib(const hsc__alloc *a, const hsc_model *m, hsc__buf *b)
{
    uint8_t t[16];
    hsc__wrf64(t, m->temperature);
    hsc__wrf64(t + 8, m->accept_threshold);
    return hsc__buf_append(a, b, t, sizeof t);
}

static int build_scoring(const hsc__alloc *a, const hsc_model *m, hsc__buf *b)
{
    uint8_t t[20];
    hsc__wr32(t, HSCM_SCOR_VERSION);
    hsc__wrf64(t + 4, m->scoring.mix);
    hsc__wrf64(t + 12, m->scoring.power);
    return hsc__buf_append(a, b, t, sizeof t);
}

static uint64_t align_up(uint64_t x)
{
    return (x + HSCM_ALIGN - 1) & ~(uint64_t)(HSCM_ALIGN - 1);
}

/* A compressed section of a model read from a file (kept as stored) whose
 * content is s's body, copied into s->z: deflating the same bytes again
 * would only cost time (a few megabytes of descriptions an adapted model
 * keeps from its base). 1: copied; 0: not the same, or not at hand. */
static int reuse_stored(const hsc_model *m, const hsc__lazy_sec *src, wsec *s)
{
    if (src == NULL || src->p == NULL || !src->zlib || src->raw != s->body.len)
        return 0;
    const uint8_t *raw;
    uint8_t *tmp;
    int same = hsc__lazy_sec_bytes(m, src, &raw, &tmp) == HSC_OK &&
               memcmp(raw, s->body.data, s->body.len) == 0;
    hsc__free(&m->alloc, tmp);
    return same && hsc__buf_append(&m->alloc, &s->z, src->p, src->stored) == HSC_OK;
}

/* Compress the small sections when that saves bytes (or take them as a
 * model read from a file stores them: stored_as), then checksum. */
static int finish_section(const hsc_model *m, wsec *s, int compressible, int critical,
                          const hsc__lazy_sec *stored_as)
{
    const hsc__alloc *a = &m->alloc;
    s->raw = (uint64_t)s->body.len + s->tail_len;
    if (s->raw > HSCM_MAX_SECTION_RAW)
        return HSC_E_INVALID_ARG;
    s->flags = critical ? HSCM_SEC_CRITICAL : 0u;
    if (compressible) {
        int st = reuse_stored(m, stored_as, s) ? HSC_OK : deflate_buf(a, &s->body, &s->z);
        if (st != HSC_OK)
            return st;
        if (s->z.len < s->body.len) {
            s->flags |= HSCM_SEC_ZLIB;
            s->stored = s->z.len;
            s->crc = (uint32_t)crc32_z(0, (const Bytef *)s->z.data, s->z.len);
            return HSC_OK;
        }
    }
    s->stored = s->raw;
    uLong crc = crc32_z(0, (const Bytef *)s->body.data, s->body.len);
    if (s->tail_len > 0)
        crc = crc32_z(crc, (const Bytef *)s->tail, s->tail_len);
    s->crc = (uint32_t)crc;
    return HSC_OK;
}

static int append_section(const hsc__alloc *a, hsc__buf *out, size_t base, const wsec *s)
{
    static const uint8_t zeros[HSCM_ALIGN];
    size_t pad = (size_t)s->offset - (out->len - base);
    int st = hsc__buf_append(a, out, zeros, pad);
    if (st != HSC_OK)
        return st;
    if (s->flags & HSCM_SEC_ZLIB)
        return hsc__buf_append(a, out, s->z.data, s->z.len);
    st = hsc__buf_append(a, out, s->body.data, s->body.len);
    if (st == HSC_OK && s->tail_len > 0)
        st = hsc__buf_append(a, out, s->tail, s->tail_len);
    return st;
}

#define MAX_SEC (HSCM_N_KNOWN + HSCM_N_OPTIONAL)

int hsc__model_serialize(const hsc_model *m, hsc__buf *out)
{
    const hsc__alloc *a = &m->alloc;
    wsec sec[MAX_SEC];
    memset(sec, 0, sizeof sec);
    unsigned n_sec = HSCM_N_KNOWN;
    const hsc__tables *tables;
    int st = hsc__model_tables(m, &tables);
    if (st != HSC_OK)
        return st;
    int has_nomen = tables->nomen.n_codes > 0;
    int has_natl = tables->natl.n_schemes > 0;
    int has_prec = m->prec.n_rows > 0, has_texts = has_prec && m->prec.text_off != NULL;
    unsigned i_scor = MAX_SEC, i_prec = MAX_SEC, i_nomn = MAX_SEC, i_natl = MAX_SEC;
    sec[0].tag = HSCM_TAG_META;
    sec[1].tag = HSCM_TAG_LABL;
    sec[2].tag = HSCM_TAG_ROWS;
    sec[3].tag = HSCM_TAG_EMBD;
    sec[4].tag = HSCM_TAG_OUTW;
    sec[5].tag = HSCM_TAG_CALB;

    st = build_meta(a, m, &sec[0].body);
    if (st == HSC_OK)
        st = build_labels(a, m, &sec[1].body);
    if (st == HSC_OK)
        st = build_rows(a, m, &sec[2].body);
    if (st == HSC_OK)
        st = build_matrix(a, m->n_rows, m->dim, m->row_scale, m->row_q, &sec[3]);
    if (st == HSC_OK)
        st = build_matrix(a, m->tree.n_nodes, m->dim, m->out_scale, m->out_q, &sec[4]);
    if (st == HSC_OK)
        st = build_calib(a, m, &sec[5].body);
    if (st == HSC_OK && has_nomen) {
        sec[i_nomn = n_sec].tag = HSCM_TAG_NOMN;
        st = hsc__nomen_encode(a, &tables->nomen, &sec[n_sec++].body);
    }
    if (st == HSC_OK && has_natl) {
        sec[i_natl = n_sec].tag = HSCM_TAG_NATL;
        st = hsc__natl_encode(a, &tables->natl, &sec[n_sec++].body);
    }
    if (st == HSC_OK && m->scoring.on) {
        sec[i_scor = n_sec].tag = HSCM_TAG_SCOR;
        st = build_scoring(a, m, &sec[n_sec++].body);
    }
    if (st == HSC_OK && has_prec) {
        sec[i_prec = n_sec].tag = HSCM_TAG_PREC;
        st = hsc__prec_encode(a, &m->prec, &sec[n_sec++].body);
    }
    if (st == HSC_OK && has_texts) {
        sec[n_sec].tag = HSCM_TAG_PTXT;
        st = hsc__prec_texts_encode(a, &m->prec, &sec[n_sec++].body);
    }

    uint64_t table_off = HSCM_HEADER_SIZE;
    uint64_t pos = table_off + (uint64_t)n_sec * HSCM_ENTRY_SIZE;
    for (unsigned i = 0; i < n_sec && st == HSC_OK; i++) {
        /* META LABL ROWS, the nomenclature and the texts compress well;
         * the postings are read in place */
        st = finish_section(m, &sec[i], (i < 3 || i >= HSCM_N_KNOWN) && i != i_prec && i != i_scor,
                            i < HSCM_N_KNOWN || i == i_scor,
                            i == i_nomn ? &m->nomn_src : i == i_natl ? &m->natl_src : NULL);
        sec[i].offset = align_up(pos);
        pos = sec[i].offset + sec[i].stored;
    }
    if (st == HSC_OK && pos > SIZE_MAX - out->len)
        st = HSC_E_NOMEM;
    if (st == HSC_OK)
        st = hsc__buf_reserve(a, out, (size_t)pos);

    if (st == HSC_OK) {
        uint8_t h[HSCM_HEADER_SIZE + MAX_SEC * HSCM_ENTRY_SIZE];
        size_t h_len = HSCM_HEADER_SIZE + (size_t)n_sec * HSCM_ENTRY_SIZE;
        memset(h, 0, sizeof h);
        memcpy(h, HSCM_SIGNATURE, HSCM_SIGNATURE_LEN);
        hsc__wr16(h + HSCM_H_MAJOR, HSCM_MAJOR);
        hsc__wr16(h + HSCM_H_MINOR,
                  (uint16_t)(has_prec ? HSCM_MINOR_PREC_IN_PLACE
                             : m->scoring.on ? HSCM_MINOR_SCORING
                             : has_nomen || has_natl ? HSCM_MINOR_NOMEN
                                                     : HSCM_MINOR));
        hsc__wr32(h + HSCM_H_HEADER_SIZE, HSCM_HEADER_SIZE);
        hsc__wr64(h + HSCM_H_FILE_SIZE, pos);
        hsc__wr64(h + HSCM_H_TABLE_OFFSET, table_off);
        hsc__wr32(h + HSCM_H_SECTION_COUNT, n_sec);
        hsc__wr32(h + HSCM_H_ENTRY_SIZE, HSCM_ENTRY_SIZE);
        hsc__wr32(h + HSCM_H_BYTE_ORDER, HSCM_BYTE_ORDER);
        hsc__wr32(h + HSCM_H_CRC, (uint32_t)crc32_z(0, h, HSCM_H_CRC));
        for (unsigned i = 0; i < n_sec; i++) {
            uint8_t *e = h + table_off + (size_t)i * HSCM_ENTRY_SIZE;
            hsc__wr32(e + HSCM_E_TAG, sec[i].tag);
            hsc__wr32(e + HSCM_E_FLAGS, sec[i].flags);
            hsc__wr64(e + HSCM_E_OFFSET, sec[i].offset);
            hsc__wr64(e + HSCM_E_STORED, sec[i].stored);
            hsc__wr64(e + HSCM_E_RAW, sec[i].raw);
            hsc__wr32(e + HSCM_E_CRC, sec[i].crc);
        }
        size_t base = out->len;   /* the appends fit in the reserved space */
        st = hsc__buf_append(a, out, h, h_len);
        for (unsigned i = 0; i < n_sec && st == HSC_OK; i++)
            st = append_section(a, out, base, &sec[i]);
    }
    for (unsigned i = 0; i < MAX_SEC; i++) {
        hsc__buf_free(a, &sec[i].body);
        hsc__buf_free(a, &sec[i].z);
    }
    return st;
}

/* ---- drafts: validation, quantization ----------------------------------- */

/* Per-row scale max|x| / 127 (0 for a zero row), q = round-half-away. */
static void quantize(const float *x, uint32_t n, uint32_t dim, int8_t *q, float *scale)
{
    for (uint32_t r = 0; r < n; r++) {
        const float *row = x + (size_t)r * dim;
        int8_t *qr = q + (size_t)r * dim;
        float maxabs = 0.0f;
        for (uint32_t j = 0; j < dim; j++)
            if (fabsf(row[j]) > maxabs)
                maxabs = fabsf(row[j]);
        float s = maxabs / (float)HSCM_QMAX;
        scale[r] = s;
        for (uint32_t j = 0; j < dim; j++) {
            double v = s > 0.0f ? round((double)row[j] / (double)s) : 0.0;
            if (v > HSCM_QMAX)
                v = HSCM_QMAX;
            if (v < -HSCM_QMAX)
                v = -HSCM_QMAX;
            qr[j] = (int8_t)v;
        }
    }
}

static int all_finite(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* Everything but the META entries; builds the tree into *t. */
static int draft_valid(const hsc__alloc *a, const hsc__model_draft *d, hsc__tree *t)
{
    if (hsc__textspec_check(&d->spec) != HSC_OK || d->dim == 0 || d->dim > HSCM_MAX_DIM ||
        d->n_labels == 0 || d->labels == NULL || d->n_rows > HSCM_MAX_ROWS ||
        d->n_rows > d->spec.buckets || d->out == NULL || (d->n_meta > 0 && d->meta == NULL) ||
        d->n_meta > HSCM_MAX_META - HSCM_K_COUNT ||
        (d->n_rows > 0 && (d->row_bucket == NULL || d->rows == NULL)))
        return HSC_E_INVALID_ARG;
    if (d->scoring.on && !(d->scoring.mix >= 0.0 && d->scoring.mix < 1.0 &&
                           d->scoring.power >= HSCM_MIN_POWER && d->scoring.power <= HSCM_MAX_POWER))
        return HSC_E_INVALID_ARG;
    if (!(isfinite(d->temperature) && d->temperature > 0.0) ||
        !(d->accept_threshold >= 0.0 && d->accept_threshold <= 1.0))
        return HSC_E_INVALID_ARG;
    for (uint32_t i = 0; i < d->n_rows; i++)
        if (d->row_bucket[i] >= d->spec.buckets ||
            (i > 0 && d->row_bucket[i] <= d->row_bucket[i - 1]))
            return HSC_E_INVALID_ARG;
    int st = hsc__tree_build(a, d->labels, d->n_labels, t);
    if (st != HSC_OK)
        return st;
    if (t->n_nodes != d->n_nodes || !all_finite(d->rows, (size_t)d->n_rows * d->dim) ||
        !all_finite(d->out, (size_t)d->n_nodes * d->dim))
        return HSC_E_INVALID_ARG;
    return HSC_OK;
}

int hsc__model_write(const hsc__alloc *a, const hsc__model_draft *d, hsc__buf *out)
{
    if (a == NULL || d == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    /* The draft as a model: the stored fields only, the nomenclature
     * borrowed from the draft (so m is freed field by field below). */
    hsc_model m;
    hsc__tables tables;
    memset(&m, 0, sizeof m);
    memset(&tables, 0, sizeof tables);
    m.alloc = *a;
    int st = draft_valid(a, d, &m.tree);
    char(*vals)[HSC__META_VALUE_CAP] = hsc__calloc(a, HSCM_K_COUNT, sizeof *vals);
    m.meta = hsc__calloc(a, d->n_meta + HSCM_K_COUNT, sizeof *m.meta);
    size_t n_rq = (size_t)d->n_rows * d->dim, n_oq = (size_t)d->n_nodes * d->dim;
    m.row_q = hsc__calloc(a, n_rq + 1, 1);
    m.out_q = hsc__calloc(a, n_oq + 1, 1);
    m.row_scale = hsc__calloc(a, (size_t)d->n_rows + 1, sizeof *m.row_scale);
    m.out_scale = hsc__calloc(a, d->n_nodes, sizeof *m.out_scale);
    if (st == HSC_OK && (vals == NULL || m.meta == NULL || m.row_q == NULL || m.out_q == NULL ||
                         m.row_scale == NULL || m.out_scale == NULL))
        st = HSC_E_NOMEM;
    if (st == HSC_OK)
        st = hsc__meta_compose(d, vals, m.meta, &m.n_meta);
    if (st == HSC_OK) {
        quantize(d->rows, d->n_rows, d->dim, m.row_q, m.row_scale);
        quantize(d->out, d->n_nodes, d->dim, m.out_q, m.out_scale);
        m.dim = d->dim;
        m.n_labels = d->n_labels;
        m.labels = (char **)(uintptr_t)d->labels;
        m.n_rows = d->n_rows;
        m.row_bucket = (uint32_t *)(uintptr_t)d->row_bucket;
        m.temperature = d->temperature;
        m.accept_threshold = d->accept_threshold;
        if (d->nomen != NULL)
            tables.nomen = *d->nomen;
        if (d->natl != NULL)
            tables.natl = *d->natl;
        if (d->tables_of != NULL) {   /* read only: the draft's model is freed field by field */
            m.nomn_src = d->tables_of->nomn_src;
            m.natl_src = d->tables_of->natl_src;
        }
        atomic_init(&m.tables, &tables);
        m.scoring = d->scoring;
        if (d->prec != NULL)
            m.prec = *d->prec;
        st = hsc__model_serialize(&m, out);
    }
    hsc__tree_free(a, &m.tree);
    hsc__free(a, vals);
    hsc__free(a, m.meta);
    hsc__free(a, m.row_q);
    hsc__free(a, m.out_q);
    hsc__free(a, m.row_scale);
    hsc__free(a, m.out_scale);
    return st;
}

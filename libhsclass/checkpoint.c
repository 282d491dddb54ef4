/* checkpoint.c - a training run's state after an epoch, in a file: the
 * weights, the SGD engine's order and random states and the run's random
 * sequence, so that an interrupted run continues where it stopped (with
 * one thread, to the same bytes as a run never interrupted), and the
 * fingerprint that ties a checkpoint to the rows and options it was
 * written for.
 *
 * Layout (native byte order, refused on a machine of the other order):
 *   header (64 bytes): "HSCCKPT1", byte-order word, version, fingerprint,
 *     epoch, epochs_total, threads, dim, feature rows, tree nodes, 0,
 *     order entries (u64), the run's random state (u64)
 *   worker random states (u64 x threads), row buckets (u32 x rows),
 *   embedding (f32 x rows x dim), output vectors (f32 x nodes x dim),
 *   example order (u32 x entries), CRC-32 of everything before (u32). */
#include <string.h>
#include <zlib.h>

#include "trainer.h"

#define CKPT_MAGIC "HSCCKPT1"
#define CKPT_ORDER 0x01020304u
#define CKPT_VERSION 1u
#define CKPT_HEADER 64u

/* ---- the fingerprint ------------------------------------------------------------ */

/* (zlib's crc32 of a NULL buffer is its initial value, not crc) */
static uint32_t crc_bytes(uint32_t crc, const void *p, size_t n)
{
    return n > 0 ? (uint32_t)crc32_z(crc, (const Bytef *)p, n) : crc;
}

static uint32_t crc_u64(uint32_t crc, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return crc_bytes(crc, b, sizeof b);
}

static uint32_t crc_f64(uint32_t crc, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return crc_u64(crc, u);
}

uint32_t hsc__ckpt_fingerprint(const hsc_trainer *t, const hsc__labels *labels)
{
    const hsc__trainopts *o = &t->opt;
    const hsc__textspec *sp = &t->spec;
    const uint64_t u[] = {o->dim, o->epochs, o->threads, o->seed, o->code_digits, o->min_count,
                          o->augment, o->max_rows, o->precedents, o->keep_texts,
                          o->precedents_per_code, sp->tokenizer_version, sp->feature_version,
                          sp->strip_accents, sp->n_langs, sp->hash_seed, sp->buckets,
                          sp->word_ngrams, sp->char_min, sp->char_max, sp->skeletons,
                          t->base != NULL ? t->base->fingerprint : 0, t->rows.n_rows,
                          labels->n, labels->n_prefix, t->nomen.n_desc, t->nomen.n_lines};
    const double f[] = {o->learning_rate, o->valid_fraction, o->trade_noise, o->rehearsal,
                        t->accept_threshold, o->precedent_mix};
    uint32_t crc = 0;
    for (size_t i = 0; i < sizeof u / sizeof *u; i++)
        crc = crc_u64(crc, u[i]);
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        crc = crc_f64(crc, f[i]);
    for (uint32_t i = 0; i < sp->n_langs; i++)
        crc = crc_u64(crc, sp->langs[i]);
    crc = crc_bytes(crc, t->hs_edition, strlen(t->hs_edition) + 1);
    for (size_t i = 0; i < t->rows.n_rows; i++) {
        const hsc__row *r = &t->rows.rows[i];
        crc = crc_bytes(crc, t->rows.codes.data + r->code_off, r->code_len);
        crc = crc_bytes(crc, t->rows.texts.data + r->text_off, (size_t)r->text_len + 1);
        crc = crc_f64(crc, r->weight);
        crc = crc_u64(crc, r->flags);
    }
    for (uint32_t i = 0; i < labels->n; i++)
        crc = crc_bytes(crc, labels->codes[i], strlen(labels->codes[i]) + 1);
    for (uint32_t i = 0; i < labels->n_prefix; i++)
        crc = crc_bytes(crc, labels->prefix[i], strlen(labels->prefix[i]) + 1);
    /* descriptions and national lines: they go into the model */
    return crc_bytes(crc, t->nomen.pool.data, t->nomen.pool.len);
}

/* ---- writing -------------------------------------------------------------------- */

typedef struct writer {
    hsc__atomic_file f;
    uint32_t crc;
} writer;

static void put(writer *w, const void *p, size_t n)
{
    w->crc = crc_bytes(w->crc, p, n);
    hsc__atomic_write(&w->f, p, n);
}

int hsc__ckpt_check(const char *path)
{
    return hsc__write_check_partial(path, CKPT_MAGIC, 8);
}

int hsc__ckpt_write(const char *path, uint32_t fingerprint, uint32_t epoch,
                    uint32_t epochs_total, uint64_t rng, const hsc__fit *fit,
                    const hsc__sgd *sgd)
{
    const uint32_t *order;
    size_t n_order = hsc__sgd_order(sgd, &order);
    uint64_t rngs[HSC__SGD_MAX_THREADS];
    uint32_t n_threads = hsc__sgd_rngs(sgd, rngs);
    uint8_t h[CKPT_HEADER] = {0};
    const uint32_t fields[] = {CKPT_ORDER, CKPT_VERSION, fingerprint, epoch, epochs_total,
                               n_threads, fit->dim, fit->n_rows, fit->tree.n_nodes, 0};
    const uint64_t n64 = n_order;
    memcpy(h, CKPT_MAGIC, 8);
    memcpy(h + 8, fields, sizeof fields);
    memcpy(h + 48, &n64, 8);
    memcpy(h + 56, &rng, 8);
    writer w = {.crc = 0};
    int st = hsc__atomic_open_partial(&w.f, path, CKPT_MAGIC, 8);
    if (st != HSC_OK)
        return st;
    put(&w, h, sizeof h);
    put(&w, rngs, n_threads * sizeof *rngs);
    put(&w, fit->row_bucket, (size_t)fit->n_rows * sizeof *fit->row_bucket);
    put(&w, fit->emb, (size_t)fit->n_rows * fit->dim * sizeof *fit->emb);
    put(&w, fit->out, (size_t)fit->tree.n_nodes * fit->dim * sizeof *fit->out);
    put(&w, order, n_order * sizeof *order);
    uint32_t crc = w.crc;
    hsc__atomic_write(&w.f, &crc, sizeof crc);
    return hsc__atomic_commit(&w.f);
}

/* ---- reading -------------------------------------------------------------------- */

void hsc__ckpt_free(const hsc__alloc *a, hsc__ckpt *c)
{
    hsc__buf_free(a, &c->file);
    memset(c, 0, sizeof *c);
}

/* off += n * size, failing on overflow. */
static int advance(size_t *off, uint64_t n, size_t size)
{
    if (n > SIZE_MAX / size || *off > SIZE_MAX - n * size)
        return 0;
    *off += (size_t)(n * size);
    return 1;
}

int hsc__ckpt_read(const hsc__alloc *a, const char *path, hsc__ckpt *c)
{
    memset(c, 0, sizeof *c);
    int st = hsc__read_file(a, path, SIZE_MAX / 2, &c->file);
    if (st == HSC_E_MODEL_LIMIT)
        st = HSC_E_CHECKPOINT_CORRUPT;
    if (st != HSC_OK)
        return st;
    const uint8_t *d = (const uint8_t *)c->file.data;
    size_t len = c->file.len;
    uint32_t fields[10];
    if (len < CKPT_HEADER + 4 || memcmp(d, CKPT_MAGIC, 8) != 0)
        return HSC_E_CHECKPOINT_CORRUPT;
    memcpy(fields, d + 8, sizeof fields);
    memcpy(&c->n_order, d + 48, 8);
    memcpy(&c->rng, d + 56, 8);
    if (fields[0] != CKPT_ORDER || fields[1] != CKPT_VERSION)
        return HSC_E_CHECKPOINT_CORRUPT;
    c->fingerprint = fields[2];
    c->epoch = fields[3];
    c->epochs_total = fields[4];
    c->n_threads = fields[5];
    c->dim = fields[6];
    c->n_rows = fields[7];
    c->n_nodes = fields[8];
    size_t off = CKPT_HEADER;
    int ok = c->n_threads >= 1 && c->n_threads <= HSC__SGD_MAX_THREADS && c->dim > 0;
    c->off_rng = off;
    ok = ok && advance(&off, c->n_threads, 8);
    c->off_bucket = off;
    ok = ok && advance(&off, c->n_rows, 4);
    c->off_emb = off;
    ok = ok && advance(&off, (uint64_t)c->n_rows * c->dim, 4);
    c->off_out = off;
    ok = ok && advance(&off, (uint64_t)c->n_nodes * c->dim, 4);
    c->off_order = off;
    ok = ok && advance(&off, c->n_order, 4);
    /* a truncated or extended file, then the checksum */
    if (!ok || off != len - 4)
        return HSC_E_CHECKPOINT_CORRUPT;
    uint32_t crc;
    memcpy(&crc, d + off, 4);
    if (crc != crc_bytes(0, d, off))
        return HSC_E_CHECKPOINT_CORRUPT;
    for (size_t i = 0; i < (size_t)c->n_rows * c->dim + (size_t)c->n_nodes * c->dim; i++) {
        float v;
        memcpy(&v, d + c->off_emb + 4 * i, 4);
        if (!(v == v) || v > 1e30f || v < -1e30f)   /* a valid CRC over nonsense */
            return HSC_E_CHECKPOINT_CORRUPT;
    }
    return HSC_OK;
}

int hsc__ckpt_restore(const hsc__alloc *a, const hsc__ckpt *c, uint32_t fingerprint,
                      uint32_t epochs, uint32_t epochs_total, hsc__fit *fit, hsc__sgd *sgd,
                      hsc__examples *train, hsc__examples *valid, uint64_t *rng)
{
    const char *d = c->file.data;
    if (c->fingerprint != fingerprint || c->epochs_total != epochs_total ||
        c->epoch > epochs_total || c->dim != fit->dim || c->n_nodes != fit->tree.n_nodes)
        return HSC_E_CHECKPOINT_MISMATCH;
    uint32_t *bucket = hsc__calloc(a, (size_t)c->n_rows + 1, sizeof *bucket);
    uint64_t *rngs = hsc__calloc(a, c->n_threads, sizeof *rngs);
    uint32_t *order = hsc__calloc(a, (size_t)c->n_order + 1, sizeof *order);
    int st = bucket != NULL && rngs != NULL && order != NULL ? HSC_OK : HSC_E_NOMEM;
    if (st == HSC_OK) {
        memcpy(bucket, d + c->off_bucket, (size_t)c->n_rows * sizeof *bucket);
        memcpy(rngs, d + c->off_rng, (size_t)c->n_threads * sizeof *rngs);
        memcpy(order, d + c->off_order, (size_t)c->n_order * sizeof *order);
    }
    if (st == HSC_OK && c->epoch > epochs) {   /* written after pruning: prune the same */
        for (uint32_t i = 1; i < c->n_rows && st == HSC_OK; i++)
            if (bucket[i] <= bucket[i - 1])
                st = HSC_E_CHECKPOINT_MISMATCH;
        if (st == HSC_OK)
            st = hsc__fit_restrict(a, fit, bucket, c->n_rows, train, valid);
    } else if (st == HSC_OK) {
        st = c->n_rows == fit->n_rows &&
                     memcmp(bucket, fit->row_bucket, (size_t)c->n_rows * sizeof *bucket) == 0
                 ? HSC_OK
                 : HSC_E_CHECKPOINT_MISMATCH;
    }
    if (st == HSC_OK)
        st = hsc__sgd_restore(sgd, order, (size_t)c->n_order, rngs, c->n_threads);
    if (st == HSC_E_INVALID_ARG)
        st = HSC_E_CHECKPOINT_MISMATCH;
    if (st == HSC_OK) {
        memcpy(fit->emb, d + c->off_emb, (size_t)c->n_rows * c->dim * sizeof *fit->emb);
        memcpy(fit->out, d + c->off_out, (size_t)c->n_nodes * c->dim * sizeof *fit->out);
        *rng = c->rng;
    }
    hsc__free(a, bucket);
    hsc__free(a, rngs);
    hsc__free(a, order);
    return st;
}

/* train.c - hsc_trainer: featurize labeled rows once, then fit the
 * low-rank model (hashed features -> mean embedding -> softmax choices along
 * the HS tree) by SGD, fit a calibration temperature on held-out rows, and
 * hand full-precision weights to the writer.
 *
 * Threads: with one thread and a fixed seed the result is bit-for-bit
 * reproducible. With more, workers update shared weights without locks
 * (Hogwild!, as fastText does): faster, but the interleaving, and so the
 * model, varies from run to run. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "nomen_builder.h"
#include "review.h"
#include "train_data.h"

#define MAX_THREADS 64
#define MAX_DEPTH 8
#define MAX_TOKENS 65536
#define MAX_COPIES 16
#define PHRASE_MAX 6 /* sampled phrases have 1..6 tokens, like declarations */

struct hsc_trainer {
    hsc__alloc alloc;
    hsc__textspec spec;
    hsc__runtime rt;
    hsc__trainopts opt;
    double accept_threshold;
    char hs_edition[32];
    hsc__rowset rows;
    hsc_progress_fn on_progress;
    void *on_progress_user;
    hsc__row_sink sink;        /* malformed rows of every file */
    hsc__nomen_builder nomen;  /* descriptions and national lines */
};

/* A training or validation example: features are row indices after the
 * bucket -> row remap. */
typedef struct example {
    uint32_t label;
    uint32_t n_feat;
    size_t feat_off;
    float weight;
    uint32_t n_tok;    /* tokens the features came from (for phrase sampling) */
} example;

typedef struct exset {
    example *ex;
    size_t n, cap;
    uint32_t *feat;
    uint16_t *tok;     /* source token of each feature (capped) */
    size_t n_feat, cap_feat;
} exset;

/* One step of a label's path: the parent whose softmax decides, and which
 * of its children is right. */
typedef struct step {
    uint32_t parent;
    uint32_t child_index;
} step;

typedef struct job {
    hsc_trainer *tr;
    const hsc__tree *tree;
    const step *paths;      /* n_labels * MAX_DEPTH */
    const uint8_t *depth;   /* steps per label */
    exset *train;
    const uint32_t *order;  /* this epoch's example order */
    uint32_t dim;
    float *emb;             /* n_rows * dim */
    float *out;             /* n_nodes * dim */
    double lr0;
    int phrases;            /* phrase sampling on (HSC_CFG_AUGMENT) */
    uint64_t total;         /* examples over all epochs */
    atomic_uint_fast64_t done;
    atomic_int cancel;
} job;

typedef struct worker {
    job *j;
    size_t begin, end;      /* slice of order */
    uint64_t base;          /* examples done before this epoch */
    double loss;
    uint64_t count;
    float *h, *grad, *logits;
    uint32_t *sel;          /* features kept by phrase sampling */
    uint8_t *keep;          /* per token */
    uint64_t rng;
    int st;
} worker;

/* ---- small helpers ------------------------------------------------------ */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void shuffle(uint32_t *a, size_t n, uint64_t *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(splitmix(rng) % i);
        uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- public trainer object ------------------------------------------- */

hsc_status hsc_trainer_new(const hsc_config *cfg, hsc_trainer **out)
{
    if (!out)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    hsc_config defaults;
    if (!cfg) {
        hsc__config_defaults(&defaults);
        cfg = &defaults;
    }
    hsc_trainer *t = hsc__calloc(&cfg->alloc, 1, sizeof *t);
    if (!t)
        return HSC_E_NOMEM;
    t->alloc = cfg->alloc;
    t->spec = cfg->spec;
    t->spec.tokenizer_version = HSC__TOKENIZER_VERSION;
    t->rt = cfg->rt;
    t->opt = cfg->train;
    t->accept_threshold = cfg->accept_threshold;
    memcpy(t->hs_edition, cfg->hs_edition, sizeof t->hs_edition);
    t->sink.strict = t->opt.strict;
    hsc__rowset_init(&t->rows, &t->alloc, t->opt.code_digits, &t->sink, t->rt.max_text_bytes);
    hsc__nomen_builder_init(&t->nomen, &t->alloc);
    *out = t;
    return HSC_OK;
}

void hsc_trainer_free(hsc_trainer *t)
{
    if (!t)
        return;
    hsc__alloc a = t->alloc;
    hsc__rowset_free(&t->rows);
    hsc__nomen_builder_free(&t->nomen);
    hsc__free(&a, t);
}

hsc_status hsc_trainer_set_row_error_callback(hsc_trainer *t, hsc_row_error_fn fn, void *user)
{
    if (!t)
        return HSC_E_INVALID_ARG;
    t->sink.fn = fn;
    t->sink.user = user;
    return HSC_OK;
}

hsc_status hsc_trainer_set_progress_callback(hsc_trainer *t, hsc_progress_fn fn, void *user)
{
    if (!t)
        return HSC_E_INVALID_ARG;
    t->on_progress = fn;
    t->on_progress_user = user;
    return HSC_OK;
}

hsc_status hsc_trainer_add_file(hsc_trainer *t, const char *path, double weight, uint32_t flags)
{
    if (!t || !path || !(weight > 0.0) || weight > 1e6 || (flags & ~HSC_ROWS_NOMENCLATURE))
        return HSC_E_INVALID_ARG;
    return hsc__rowset_add_file(&t->rows, path, weight, flags);
}

hsc_status hsc_trainer_add_row(hsc_trainer *t, const char *code, size_t code_len,
                               const char *text, size_t text_len, double weight, uint32_t flags)
{
    if (!t || !code || !text || !(weight > 0.0) || weight > 1e6 ||
        (flags & ~HSC_ROWS_NOMENCLATURE))
        return HSC_E_INVALID_ARG;
    return hsc__rowset_add(&t->rows, "", 0, code, code_len, text, text_len, weight, flags);
}

hsc_status hsc_trainer_row_counts(const hsc_trainer *t, uint64_t *accepted, uint64_t *rejected)
{
    if (!t || !accepted || !rejected)
        return HSC_E_INVALID_ARG;
    *accepted = t->rows.n_rows;
    *rejected = t->rows.rejected;
    return HSC_OK;
}

/* ---- nomenclature (stored in the model; see nomenclature.c) ------------- */

static int add_nomen_file(hsc_trainer *t, const char *path, int kind, const char *tag,
                          const char *lang)
{
    if (!t || !path || !tag || (kind && !lang))
        return HSC_E_INVALID_ARG;
    return hsc__nomen_builder_add_file(&t->nomen, &t->sink, path, kind, tag, lang);
}

hsc_status hsc_trainer_add_nomenclature_file(hsc_trainer *t, const char *path, const char *lang)
{
    return add_nomen_file(t, path, 0, lang, NULL);
}

hsc_status hsc_trainer_add_national_file(hsc_trainer *t, const char *path, const char *scheme,
                                         const char *lang)
{
    return add_nomen_file(t, path, 1, scheme, lang);
}

hsc_status hsc_trainer_nomenclature_counts(const hsc_trainer *t, uint64_t *descriptions,
                                           uint64_t *lines, uint64_t *rejected)
{
    if (!t || !descriptions || !lines || !rejected)
        return HSC_E_INVALID_ARG;
    *descriptions = t->nomen.n_desc;
    *lines = t->nomen.n_lines;
    *rejected = t->nomen.rejected;
    return HSC_OK;
}

/* ---- examples ------------------------------------------------------------ */

static void exset_free(const hsc__alloc *a, exset *e)
{
    hsc__free(a, e->ex);
    hsc__free(a, e->feat);
    hsc__free(a, e->tok);
    memset(e, 0, sizeof *e);
}

typedef struct featurizer {
    const hsc__alloc *a;
    hsc__analyzer *an;
    exset *set;
    uint32_t label;
    float weight;
} featurizer;

/* Featurize one text into the example set (buckets for now). */
static int add_example(void *user, const char *text, size_t len, float factor)
{
    featurizer *fz = user;
    exset *e = fz->set;
    int st = hsc__analyze(fz->an, text, len);
    if (st == HSC_E_NOMEM)
        return st;
    size_t nf = st ? 0 : hsc__analyzer_feature_count(fz->an);
    if (nf == 0)
        return HSC_OK; /* nothing to learn from (e.g. only stopwords) */
    if (nf > UINT32_MAX)
        return HSC_E_INTERNAL;
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 4096;
        example *x = hsc__realloc_array(fz->a, e->ex, cap, sizeof *x);
        if (!x)
            return HSC_E_NOMEM;
        e->ex = x;
        e->cap = cap;
    }
    if (e->n_feat + nf > e->cap_feat) {
        size_t cap = e->cap_feat ? e->cap_feat : 65536;
        while (cap < e->n_feat + nf)
            cap *= 2;
        uint32_t *f = hsc__realloc_array(fz->a, e->feat, cap, sizeof *f);
        if (f)
            e->feat = f;
        uint16_t *tk = hsc__realloc_array(fz->a, e->tok, cap, sizeof *tk);
        if (tk)
            e->tok = tk;
        if (!f || !tk)
            return HSC_E_NOMEM;
        e->cap_feat = cap;
    }
    const hsc__feature *f = hsc__analyzer_features(fz->an);
    uint32_t n_tok = 0;
    for (size_t i = 0; i < nf; i++) {
        uint16_t tk = (uint16_t)(f[i].token < MAX_TOKENS ? f[i].token : MAX_TOKENS - 1);
        e->feat[e->n_feat + i] = f[i].bucket;
        e->tok[e->n_feat + i] = tk;
        if ((uint32_t)tk + 1 > n_tok)
            n_tok = (uint32_t)tk + 1;
    }
    e->ex[e->n] = (example){fz->label, (uint32_t)nf, e->n_feat, fz->weight * factor, n_tok};
    e->n_feat += nf;
    e->n++;
    return HSC_OK;
}

/* Sorted unique labels, and each row's label index. */
static int collect_labels(hsc_trainer *t, char ***labels_out, uint32_t *n_out,
                          uint32_t **row_label)
{
    hsc__rowset *rs = &t->rows;
    char **codes = hsc__calloc(&t->alloc, rs->n_rows, sizeof *codes);
    uint32_t *rl = hsc__calloc(&t->alloc, rs->n_rows, sizeof *rl);
    if (!codes || !rl) {
        hsc__free(&t->alloc, codes);
        hsc__free(&t->alloc, rl);
        return HSC_E_NOMEM;
    }
    for (size_t i = 0; i < rs->n_rows; i++)
        codes[i] = rs->codes.data + rs->rows[i].code_off;
    qsort(codes, rs->n_rows, sizeof *codes, cmp_str);
    size_t n = 0;
    for (size_t i = 0; i < rs->n_rows; i++)
        if (n == 0 || strcmp(codes[n - 1], codes[i]) != 0)
            codes[n++] = codes[i];
    for (size_t i = 0; i < rs->n_rows; i++) {
        const char *c = rs->codes.data + rs->rows[i].code_off;
        char **hit = bsearch(&c, codes, n, sizeof *codes, cmp_str);
        rl[i] = (uint32_t)(hit - codes);
    }
    *labels_out = codes;
    *n_out = (uint32_t)n;
    *row_label = rl;
    return HSC_OK;
}

/* Held-out rows for validation and calibration: real descriptions when
 * there are enough of them, since that is what the model will be asked. */
static void choose_validation(hsc_trainer *t, uint8_t *is_valid, uint64_t *rng)
{
    hsc__rowset *rs = &t->rows;
    if (t->opt.valid_fraction <= 0.0 || rs->n_rows < 20)
        return;
    size_t n_real = 0;
    for (size_t i = 0; i < rs->n_rows; i++)
        n_real += !(rs->rows[i].flags & HSC_ROWS_NOMENCLATURE);
    int real_only = n_real >= 200;
    uint32_t *cand = hsc__calloc(&t->alloc, rs->n_rows, sizeof *cand);
    if (!cand)
        return; /* validation is optional: train without it */
    size_t n = 0;
    for (size_t i = 0; i < rs->n_rows; i++)
        if (!real_only || !(rs->rows[i].flags & HSC_ROWS_NOMENCLATURE))
            cand[n++] = (uint32_t)i;
    shuffle(cand, n, rng);
    size_t take = (size_t)((double)n * t->opt.valid_fraction + 0.5);
    for (size_t i = 0; i < take && i < n; i++)
        is_valid[cand[i]] = 1;
    hsc__free(&t->alloc, cand);
}

/* Rewrite every feature f as map[f] - 1, dropping those with map[f] == 0,
 * and examples left with no feature. */
static void compact_examples(exset *e, const uint32_t *map)
{
    size_t w = 0, kept = 0;
    for (size_t i = 0; i < e->n; i++) {
        example x = e->ex[i];
        size_t start = w;
        for (uint32_t k = 0; k < x.n_feat; k++) {
            uint32_t row = map[e->feat[x.feat_off + k]];
            if (row) {
                e->tok[w] = e->tok[x.feat_off + k];
                e->feat[w++] = row - 1;
            }
        }
        if (w > start) {
            x.feat_off = start;
            x.n_feat = (uint32_t)(w - start);
            e->ex[kept++] = x;
        }
    }
    e->n = kept;
    e->n_feat = w;
}

/* Keep buckets seen in at least min_count examples; rewrite features as
 * row indices (unknown ones dropped, as at inference). */
static int remap_features(hsc_trainer *t, exset *train, exset *valid, uint32_t **row_bucket,
                          uint32_t *n_rows)
{
    uint32_t buckets = t->spec.buckets;
    uint32_t *count = hsc__calloc(&t->alloc, buckets, sizeof *count);
    if (!count)
        return HSC_E_NOMEM;
    for (size_t i = 0; i < train->n_feat; i++)
        if (count[train->feat[i]] < UINT32_MAX)
            count[train->feat[i]]++;
    uint32_t min = t->opt.min_count ? t->opt.min_count : 1, n = 0;
    for (uint32_t b = 0; b < buckets; b++)
        n += count[b] >= min;
    uint32_t *rb = hsc__calloc(&t->alloc, n ? n : 1, sizeof *rb);
    if (!rb) {
        hsc__free(&t->alloc, count);
        return HSC_E_NOMEM;
    }
    /* count[] becomes bucket -> row + 1 (0: dropped). */
    uint32_t r = 0;
    for (uint32_t b = 0; b < buckets; b++) {
        if (count[b] >= min) {
            rb[r++] = b;
            count[b] = r;
        } else {
            count[b] = 0;
        }
    }
    compact_examples(train, count);
    compact_examples(valid, count);
    hsc__free(&t->alloc, count);
    *row_bucket = rb;
    *n_rows = n;
    return HSC_OK;
}

/* ---- SGD --------------------------------------------------------------- */

static void embed(const float *emb, uint32_t dim, const uint32_t *f, uint32_t n, float *h)
{
    memset(h, 0, dim * sizeof *h);
    for (uint32_t k = 0; k < n; k++) {
        const float *row = emb + (size_t)f[k] * dim;
        for (uint32_t d = 0; d < dim; d++)
            h[d] += row[d];
    }
    float inv = 1.0f / (float)n;
    for (uint32_t d = 0; d < dim; d++)
        h[d] *= inv;
}

/* Phrase sampling: declarations are 3-10 words, nomenclature paths many
 * more. Half of the time a long example is cut to a random short phrase
 * (each token kept with probability L / tokens, L in 1..PHRASE_MAX), so the
 * model learns what each few words mean on their own. */
static uint32_t sample_phrase(worker *w, const exset *e, const example *x, const uint32_t **f)
{
    *f = e->feat + x->feat_off;
    if (!w->j->phrases || x->n_tok <= 2 || (splitmix(&w->rng) & 1))
        return x->n_feat;
    uint32_t lim = x->n_tok < PHRASE_MAX ? x->n_tok : PHRASE_MAX;
    uint32_t len = 1 + (uint32_t)(splitmix(&w->rng) % lim);
    uint64_t thresh = (uint64_t)(((double)len / (double)x->n_tok) * 4294967296.0);
    uint32_t kept = 0;
    for (uint32_t t = 0; t < x->n_tok; t++) {
        w->keep[t] = (splitmix(&w->rng) >> 32) < thresh;
        kept += w->keep[t];
    }
    if (kept == 0)
        w->keep[splitmix(&w->rng) % x->n_tok] = 1;
    const uint16_t *tk = e->tok + x->feat_off;
    uint32_t n = 0;
    for (uint32_t k = 0; k < x->n_feat; k++)
        if (w->keep[tk[k]])
            w->sel[n++] = (*f)[k];
    if (n == 0)
        return x->n_feat;
    *f = w->sel;
    return n;
}

/* One example: softmax at each branching step of the label's path. */
static double update(worker *w, const example *x, float lr)
{
    const job *j = w->j;
    uint32_t dim = j->dim;
    const uint32_t *f;
    uint32_t nf = sample_phrase(w, j->train, x, &f);
    embed(j->emb, dim, f, nf, w->h);
    memset(w->grad, 0, dim * sizeof *w->grad);
    double loss = 0.0;
    const step *path = j->paths + (size_t)x->label * MAX_DEPTH;
    for (uint32_t s = 0; s < j->depth[x->label]; s++) {
        const hsc__node *p = &j->tree->nodes[path[s].parent];
        uint32_t c0 = p->first_child, nc = p->n_children;
        float mx = -INFINITY, sum = 0.0f;
        for (uint32_t i = 0; i < nc; i++) {
            float z = hsc__dot_f(j->out + (size_t)(c0 + i) * dim, w->h, dim);
            w->logits[i] = z;
            if (z > mx)
                mx = z;
        }
        for (uint32_t i = 0; i < nc; i++) {
            w->logits[i] = expf(w->logits[i] - mx);
            sum += w->logits[i];
        }
        for (uint32_t i = 0; i < nc; i++) {
            float p_i = w->logits[i] / sum;
            float g = lr * ((i == path[s].child_index ? 1.0f : 0.0f) - p_i);
            if (i == path[s].child_index)
                loss -= log(p_i > 1e-30f ? p_i : 1e-30f);
            float *o = j->out + (size_t)(c0 + i) * dim;
            for (uint32_t d = 0; d < dim; d++) {
                w->grad[d] += g * o[d];
                o[d] += g * w->h[d];
            }
        }
    }
    float scale = 1.0f / (float)nf;
    for (uint32_t k = 0; k < nf; k++) {
        float *row = j->emb + (size_t)f[k] * dim;
        for (uint32_t d = 0; d < dim; d++)
            row[d] += w->grad[d] * scale;
    }
    return loss;
}

/* How many times per epoch an example of this weight is visited: repeating
 * heavy rows keeps steps small, where scaling the learning rate by the
 * weight made training diverge. */
static uint32_t copies_of(float weight)
{
    if (weight <= 1.5f)
        return 1;
    return weight >= MAX_COPIES ? MAX_COPIES : (uint32_t)(weight + 0.5f);
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    job *j = w->j;
    uint64_t local = 0;
    for (size_t i = w->begin; i < w->end; i++) {
        if ((local & 255) == 0 && atomic_load(&j->cancel))
            break;
        const example *x = &j->train->ex[j->order[i]];
        uint64_t done = atomic_load(&j->done);
        double frac = (double)done / (double)j->total;
        float lr = (float)(j->lr0 * (1.0 - frac));
        if (lr < 1e-6f)
            lr = 1e-6f;
        /* Heavy rows come back several times per epoch (copies_of); the
         * rest of their weight scales the step, which stays near lr. */
        float share = x->weight / (float)copies_of(x->weight);
        w->loss += update(w, x, lr * share) * share;
        w->count++;
        local++;
        atomic_fetch_add(&j->done, 1);
    }
    return NULL;
}

/* ---- validation and calibration --------------------------------------- */

typedef struct evaluator {
    hsc__search search;
    float *h;
} evaluator;

static void embed_valid(const job *j, const exset *v, const example *x, float *h)
{
    embed(j->emb, j->dim, v->feat + x->feat_off, x->n_feat, h);
}

/* The best code for held-out example i at temperature temp: whether there
 * is one, its probability and whether it is the right label. */
static int valid_top1(job *j, evaluator *ev, const exset *v, size_t i, double temp, int *found,
                      double *p, int *right)
{
    hsc__outw w = {j->dim, j->out, NULL, NULL, (float)(1.0 / temp)};
    uint32_t node, n = 0;
    *p = 0.0;
    embed_valid(j, v, &v->ex[i], ev->h);
    hsc__search_begin(&ev->search);
    int st = hsc__search_topk(&ev->search, j->tree, &w, ev->h, 0, 1, &node, p, &n);
    *found = !st && n == 1;
    *right = *found && j->tree->nodes[node].label == v->ex[i].label;
    if (!*found)
        *p = 0.0;
    return st;
}

static double valid_accuracy(job *j, evaluator *ev, const exset *v)
{
    if (v->n == 0)
        return -1.0;
    size_t n_right = 0;
    for (size_t i = 0; i < v->n; i++) {
        int found, right;
        double p;
        valid_top1(j, ev, v, i, 1.0, &found, &p, &right);
        n_right += (size_t)right;
    }
    return (double)n_right / (double)v->n;
}

/* How well the top-1 probability at temperature T predicts that the top-1
 * code is right: mean binary cross-entropy. This is what review routing
 * reads ("0.9 means right 9 times in 10"); fitting the full likelihood
 * instead let a few hopeless rows flatten every score (under-confident). */
static double valid_top1_bce(job *j, evaluator *ev, const exset *v, double temp)
{
    double bce = 0.0;
    for (size_t i = 0; i < v->n; i++) {
        int found, right;
        double p;
        valid_top1(j, ev, v, i, temp, &found, &p, &right);
        if (!found)
            continue;
        p = p < 1e-6 ? 1e-6 : p > 1.0 - 1e-6 ? 1.0 - 1e-6 : p;
        bce -= right ? log(p) : log(1.0 - p);
    }
    return bce / (double)v->n;
}

/* Temperature scaling: the T minimizing the held-out top-1 cross-entropy
 * (golden section on log T over [0.25, 8]). */
static double fit_temperature(job *j, evaluator *ev, const exset *v)
{
    if (v->n < 20)
        return 1.0;
    double lo = log(0.25), hi = log(8.0);
    const double g = 0.6180339887498949;
    double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
    double fa = valid_top1_bce(j, ev, v, exp(a)), fb = valid_top1_bce(j, ev, v, exp(b));
    for (int it = 0; it < 24; it++) {
        if (fa < fb) {
            hi = b;
            b = a;
            fb = fa;
            a = hi - g * (hi - lo);
            fa = valid_top1_bce(j, ev, v, exp(a));
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + g * (hi - lo);
            fb = valid_top1_bce(j, ev, v, exp(b));
        }
    }
    return exp((lo + hi) / 2);
}

/* ---- the run ------------------------------------------------------------ */

static int build_paths(const hsc_trainer *t, const hsc__tree *tree, uint32_t n_labels, step **paths,
                       uint8_t **depth)
{
    step *p = hsc__calloc(&t->alloc, (size_t)n_labels * MAX_DEPTH, sizeof *p);
    uint8_t *d = hsc__calloc(&t->alloc, n_labels, 1);
    if (!p || !d) {
        hsc__free(&t->alloc, p);
        hsc__free(&t->alloc, d);
        return HSC_E_NOMEM;
    }
    for (uint32_t l = 0; l < n_labels; l++) {
        step rev[MAX_DEPTH + 2];
        uint32_t n = 0;
        for (uint32_t x = tree->label_leaf[l]; tree->nodes[x].parent != UINT32_MAX;
             x = tree->nodes[x].parent) {
            const hsc__node *par = &tree->nodes[tree->nodes[x].parent];
            if (par->n_children > 1 && n < MAX_DEPTH)
                rev[n++] = (step){tree->nodes[x].parent, x - par->first_child};
        }
        for (uint32_t k = 0; k < n; k++)
            p[(size_t)l * MAX_DEPTH + k] = rev[n - 1 - k];
        d[l] = (uint8_t)n;
    }
    *paths = p;
    *depth = d;
    return HSC_OK;
}

static int add_meta(const hsc__alloc *a, hsc__kv *kv, size_t *n, const char *key, int digits,
                    double v)
{
    char buf[64];
    hsc__format_number(buf, sizeof buf, v, digits);
    kv[*n].key = hsc__strndup(a, key, strlen(key));
    kv[*n].value = hsc__strndup(a, buf, strlen(buf));
    (*n)++; /* counted even when half-built, so run_free frees it */
    if (!kv[*n - 1].key || !kv[*n - 1].value)
        return HSC_E_NOMEM;
    return HSC_OK;
}

typedef struct run {
    hsc_trainer *tr;
    char **labels;
    uint32_t n_labels;
    uint32_t *row_label;
    uint8_t *is_valid;
    exset train, valid;
    uint32_t *row_bucket;
    uint32_t n_rows;
    hsc__tree tree;
    step *paths;
    uint8_t *depth;
    float *emb, *out;
    uint32_t *order;
    worker workers[MAX_THREADS];
    evaluator ev;
    hsc__kv meta[32];
    size_t n_meta;
} run;

static void run_free(run *r)
{
    const hsc__alloc *a = &r->tr->alloc;
    hsc__free(a, r->labels);
    hsc__free(a, r->row_label);
    hsc__free(a, r->is_valid);
    exset_free(a, &r->train);
    exset_free(a, &r->valid);
    hsc__free(a, r->row_bucket);
    hsc__tree_free(a, &r->tree);
    hsc__free(a, r->paths);
    hsc__free(a, r->depth);
    hsc__free(a, r->emb);
    hsc__free(a, r->out);
    hsc__free(a, r->order);
    for (int i = 0; i < MAX_THREADS; i++) {
        hsc__free(a, r->workers[i].h);
        hsc__free(a, r->workers[i].grad);
        hsc__free(a, r->workers[i].logits);
        hsc__free(a, r->workers[i].sel);
        hsc__free(a, r->workers[i].keep);
    }
    hsc__search_free(&r->ev.search);
    hsc__free(a, r->ev.h);
    for (size_t i = 0; i < r->n_meta; i++) {
        hsc__free(a, r->meta[i].key);
        hsc__free(a, r->meta[i].value);
    }
}

static int featurize_rows(run *r, uint64_t *rng)
{
    hsc_trainer *t = r->tr;
    hsc__rowset *rs = &t->rows;
    hsc__analyzer *an = NULL;
    hsc__runtime rt = t->rt;
    rt.max_text_bytes = UINT32_MAX; /* rows were checked when added */
    int st = hsc__analyzer_new(&t->alloc, &t->spec, &rt, &an);
    if (st)
        return st;
    r->is_valid = hsc__calloc(&t->alloc, rs->n_rows, 1);
    if (!r->is_valid) {
        hsc__analyzer_free(an);
        return HSC_E_NOMEM;
    }
    choose_validation(t, r->is_valid, rng);
    for (size_t i = 0; i < rs->n_rows && !st; i++) {
        const hsc__row *row = &rs->rows[i];
        const char *text = rs->texts.data + row->text_off;
        featurizer fz = {&t->alloc, an, r->is_valid[i] ? &r->valid : &r->train, r->row_label[i],
                         row->weight};
        st = add_example(&fz, text, row->text_len, 1.0f);
        if (!st && !r->is_valid[i] && t->opt.augment && (row->flags & HSC_ROWS_NOMENCLATURE))
            st = hsc__augment_path(&t->alloc, text, row->text_len, add_example, &fz);
    }
    hsc__analyzer_free(an);
    return st;
}

static int alloc_weights(run *r, uint64_t *rng)
{
    const hsc__alloc *a = &r->tr->alloc;
    uint32_t dim = r->tr->opt.dim;
    r->emb = hsc__calloc(a, (size_t)r->n_rows * dim, sizeof *r->emb);
    r->out = hsc__calloc(a, (size_t)r->tree.n_nodes * dim, sizeof *r->out);
    size_t n_order = 0;
    for (size_t i = 0; i < r->train.n; i++)
        n_order += copies_of(r->train.ex[i].weight);
    r->order = hsc__calloc(a, n_order, sizeof *r->order);
    if (!r->emb || !r->out || !r->order)
        return HSC_E_NOMEM;
    /* Uniform in [-1/dim, 1/dim] for inputs, zero outputs (as fastText). */
    float bound = 1.0f / (float)dim;
    for (size_t i = 0; i < (size_t)r->n_rows * dim; i++)
        r->emb[i] = bound * (2.0f * (float)(splitmix(rng) >> 40) / 16777216.0f - 1.0f);
    uint32_t fan = 1, max_feat = 1;
    for (uint32_t i = 0; i < r->tree.n_nodes; i++)
        if (r->tree.nodes[i].n_children > fan)
            fan = r->tree.nodes[i].n_children;
    for (size_t i = 0; i < r->train.n; i++)
        if (r->train.ex[i].n_feat > max_feat)
            max_feat = r->train.ex[i].n_feat;
    for (uint32_t i = 0; i < (r->tr->opt.threads ? r->tr->opt.threads : 1) && i < MAX_THREADS; i++) {
        worker *w = &r->workers[i];
        w->h = hsc__calloc(a, dim, sizeof *w->h);
        w->grad = hsc__calloc(a, dim, sizeof *w->grad);
        w->logits = hsc__calloc(a, fan, sizeof *w->logits);
        w->sel = hsc__calloc(a, max_feat, sizeof *w->sel);
        w->keep = hsc__calloc(a, MAX_TOKENS, sizeof *w->keep);
        w->rng = *rng ^ (0x9E3779B97F4A7C15ull * (i + 1));
        if (!w->h || !w->grad || !w->logits || !w->sel || !w->keep)
            return HSC_E_NOMEM;
    }
    r->ev.h = hsc__calloc(a, dim, sizeof *r->ev.h);
    if (!r->ev.h)
        return HSC_E_NOMEM;
    return hsc__search_init(&r->ev.search, a, &r->tree);
}

static int report(run *r, job *j, uint32_t epoch, uint32_t epochs, double t0, double *loss_acc, uint64_t *cnt_acc,
                  double vacc)
{
    hsc_trainer *t = r->tr;
    if (!t->on_progress)
        return HSC_OK;
    double loss = *cnt_acc ? *loss_acc / (double)*cnt_acc : 0.0;
    uint64_t done = atomic_load(&j->done);
    double el = now_sec() - t0;
    double rate = el > 0 ? (double)done / el : 0.0;
    *loss_acc = 0;
    *cnt_acc = 0;
    if (t->on_progress(t->on_progress_user, epoch, epochs, (double)done / (double)j->total,
                       loss, rate, vacc)) {
        atomic_store(&j->cancel, 1);
        return HSC_E_CANCELLED;
    }
    return HSC_OK;
}

/* Epochs first..last of epochs_total (for progress), over the current
 * examples with j's learning-rate schedule. */
static int sgd(run *r, job *j, uint64_t *rng, uint32_t first, uint32_t last, uint32_t epochs_total)
{
    hsc_trainer *t = r->tr;
    uint32_t nt = t->opt.threads ? t->opt.threads : 1;
    if (nt > MAX_THREADS)
        nt = MAX_THREADS;
    size_t n = 0;
    for (size_t i = 0; i < r->train.n; i++)
        for (uint32_t c = copies_of(r->train.ex[i].weight); c > 0; c--)
            r->order[n++] = (uint32_t)i;
    j->total = (uint64_t)n * (last - first + 1);
    atomic_store(&j->done, 0);
    double t0 = now_sec(), loss_acc = 0.0;
    uint64_t cnt_acc = 0;
    int st = HSC_OK;
    for (uint32_t e = first; e <= last && !st; e++) {
        shuffle(r->order, n, rng);
        pthread_t tid[MAX_THREADS];
        uint8_t started[MAX_THREADS] = {0};
        for (uint32_t i = 0; i < nt; i++) {
            worker *w = &r->workers[i];
            w->j = j;
            w->begin = n * i / nt;
            w->end = n * (i + 1) / nt;
            w->loss = 0;
            w->count = 0;
        }
        for (uint32_t i = 1; i < nt; i++)
            if (pthread_create(&tid[i], NULL, run_worker, &r->workers[i]) == 0)
                started[i] = 1;
            else
                run_worker(&r->workers[i]); /* no thread: do its share here */
        run_worker(&r->workers[0]);
        for (uint32_t i = 1; i < nt; i++)
            if (started[i])
                pthread_join(tid[i], NULL);
        for (uint32_t i = 0; i < nt; i++) {
            loss_acc += r->workers[i].loss;
            cnt_acc += r->workers[i].count;
        }
        if (atomic_load(&j->cancel))
            return HSC_E_CANCELLED;
        double vacc = t->on_progress ? valid_accuracy(j, &r->ev, &r->valid) : -1.0;
        st = report(r, j, e, epochs_total, t0, &loss_acc, &cnt_acc, vacc);
    }
    return st;
}

typedef struct ranked {
    float norm;
    uint32_t row;
} ranked;

static int by_norm_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->norm != y->norm)
        return x->norm > y->norm ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Compactness: keep the max_rows feature rows with the largest norms (the
 * ones that move scores most, as fastText's cutoff does), in bucket order. */
static int prune_rows(run *r)
{
    const hsc__alloc *a = &r->tr->alloc;
    uint32_t keep = r->tr->opt.max_rows, dim = r->tr->opt.dim;
    ranked *rk = hsc__calloc(a, r->n_rows, sizeof *rk);
    uint32_t *map = hsc__calloc(a, r->n_rows, sizeof *map);
    if (!rk || !map) {
        hsc__free(a, rk);
        hsc__free(a, map);
        return HSC_E_NOMEM;
    }
    for (uint32_t i = 0; i < r->n_rows; i++) {
        const float *v = r->emb + (size_t)i * dim;
        rk[i] = (ranked){sqrtf(hsc__dot_f(v, v, dim)), i};
    }
    qsort(rk, r->n_rows, sizeof *rk, by_norm_desc);
    for (uint32_t i = 0; i < keep; i++)
        map[rk[i].row] = 1;
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->n_rows; i++) {
        if (!map[i])
            continue;
        memmove(r->emb + (size_t)n * dim, r->emb + (size_t)i * dim, dim * sizeof *r->emb);
        r->row_bucket[n] = r->row_bucket[i];
        map[i] = ++n;
    }
    r->n_rows = n;
    compact_examples(&r->train, map);
    compact_examples(&r->valid, map);
    hsc__free(a, rk);
    hsc__free(a, map);
    return r->train.n ? HSC_OK : HSC_E_NO_DATA;
}

/* Calibrated top-1 probability and correctness of each held-out row. */
static int valid_confidences(run *r, job *j, double temp, double **conf, uint8_t **right)
{
    const hsc__alloc *a = &r->tr->alloc;
    const exset *v = &r->valid;
    *conf = hsc__calloc(a, v->n ? v->n : 1, sizeof **conf);
    *right = hsc__calloc(a, v->n ? v->n : 1, 1);
    if (!*conf || !*right)
        return HSC_E_NOMEM;
    for (size_t i = 0; i < v->n; i++) {
        int found, ok;
        int st = valid_top1(j, &r->ev, v, i, temp, &found, &(*conf)[i], &ok);
        if (st)
            return st;
        (*right)[i] = (uint8_t)ok;
    }
    return HSC_OK;
}

#define ACCEPT_TARGET 0.95      /* top-1 precision of what is auto-accepted */
#define ACCEPT_MIN_VALID 50     /* fewer held-out rows: the fallback */
#define ACCEPT_MIN_TAKEN 10
#define ACCEPT_FLOOR 0.5
#define ACCEPT_FALLBACK 0.9
#define ECE_BINS 15

static int finish(run *r, job *j, hsc_model **out)
{
    hsc_trainer *t = r->tr;
    const hsc__alloc *a = &t->alloc;
    double temp = fit_temperature(j, &r->ev, &r->valid);
    double vacc = valid_accuracy(j, &r->ev, &r->valid);
    const hsc__trainopts *o = &t->opt;
    /* Default decision threshold and calibration error on held-out rows. */
    double *conf = NULL, ece = -1.0, share = 0.0, prec = 0.0, thr;
    uint8_t *right = NULL;
    const char *thr_from;
    int st = valid_confidences(r, j, temp, &conf, &right);
    if (!st && r->valid.n > 0)
        ece = hsc__ece(conf, right, r->valid.n, ECE_BINS);
    if (st) {
        thr = 0.0, thr_from = "";
    } else if (t->accept_threshold >= 0) {
        thr = t->accept_threshold, thr_from = "config";
    } else if (r->valid.n < ACCEPT_MIN_VALID) {
        thr = ACCEPT_FALLBACK, thr_from = "fallback";
    } else {
        thr = hsc__fit_threshold(a, conf, right, r->valid.n, ACCEPT_TARGET, ACCEPT_MIN_TAKEN,
                                 NULL, NULL);
        thr_from = thr < 0 ? "unreached" : "validation";
        thr = thr < 0 ? 1.0 : thr < ACCEPT_FLOOR ? ACCEPT_FLOOR : thr;
    }
    if (!st) { /* the held-out share at the chosen threshold */
        size_t taken = 0, hits = 0;
        for (size_t i = 0; i < r->valid.n; i++)
            if (conf[i] >= thr)
                taken++, hits += right[i];
        share = r->valid.n ? (double)taken / (double)r->valid.n : 0.0;
        prec = taken ? (double)hits / (double)taken : 0.0;
    }
    hsc__free(a, conf);
    hsc__free(a, right);
    struct {
        const char *k;
        int digits; /* significant digits */
        double v;
    } items[] = {
        {"train.rows", 12, (double)t->rows.n_rows},
        {"train.rows_rejected", 12, (double)t->rows.rejected},
        {"train.examples", 12, (double)r->train.n},
        {"train.valid_rows", 12, (double)r->valid.n},
        {"train.valid_top1", 4, vacc},
        {"train.epochs", 12, (double)o->epochs},
        {"train.learning_rate", 6, o->learning_rate},
        {"train.seed", 12, (double)o->seed},
        {"train.threads", 12, (double)o->threads},
        {"train.valid_fraction", 6, o->valid_fraction},
        {"train.min_count", 12, (double)o->min_count},
        {"train.augment", 12, (double)o->augment},
        {"train.code_digits", 12, (double)o->code_digits},
        {"train.max_rows", 12, (double)o->max_rows},
        {"train.feature_rows", 12, (double)r->n_rows},
        {"train.accept_threshold", 4, thr},
        {"train.valid_accept_share", 4, share},
        {"train.valid_accept_precision", 4, prec},
        {"train.valid_ece", 4, ece},
    };
    for (size_t i = 0; i < sizeof items / sizeof *items && !st; i++)
        if (items[i].v >= 0 || strcmp(items[i].k, "train.valid_ece") != 0)
            st = add_meta(a, r->meta, &r->n_meta, items[i].k, items[i].digits, items[i].v);
    const char *strs[][2] = {{"hs.edition", t->hs_edition},
                             {"train.accept_threshold_from", thr_from}};
    for (size_t i = 0; i < 2 && !st; i++) {
        if (!strs[i][1][0])
            continue;
        hsc__kv *kv = &r->meta[r->n_meta++];
        kv->key = hsc__strndup(a, strs[i][0], strlen(strs[i][0]));
        kv->value = hsc__strndup(a, strs[i][1], strlen(strs[i][1]));
        if (!kv->key || !kv->value)
            st = HSC_E_NOMEM;
    }
    if (st)
        return st;
    hsc__model_draft d = {
        .spec = t->spec,
        .dim = o->dim,
        .n_meta = r->n_meta,
        .meta = r->meta,
        .n_labels = r->n_labels,
        .labels = (const char *const *)r->labels,
        .n_rows = r->n_rows,
        .row_bucket = r->row_bucket,
        .rows = r->emb,
        .n_nodes = r->tree.n_nodes,
        .out = r->out,
        .temperature = temp,
        .accept_threshold = thr,
    };
    hsc__nomen nomen;
    hsc__natl natl;
    st = hsc__nomen_builder_build(&t->nomen, &nomen, &natl);
    if (st)
        return st;
    d.nomen = &nomen;
    d.natl = &natl;
    hsc__buf file = {0};
    st = hsc__model_write(a, &d, &file);
    hsc__nomen_free(a, &nomen);
    hsc__natl_free(a, &natl);
    if (!st)
        st = hsc__model_parse(a, (const uint8_t *)file.data, file.len, 0, out, NULL);
    hsc__buf_free(a, &file);
    return st;
}

hsc_status hsc_trainer_train(hsc_trainer *t, hsc_model **out)
{
    if (!t || !out)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    int fst = hsc__nomen_filter_rows(&t->nomen, &t->rows); /* codes outside the nomenclature */
    if (fst)
        return fst;
    if (t->rows.n_rows == 0)
        return HSC_E_NO_DATA;
    if (t->opt.dim == 0 || t->opt.epochs == 0 || t->spec.buckets == 0)
        return HSC_E_INVALID_ARG;
    run r;
    memset(&r, 0, sizeof r);
    r.tr = t;
    uint64_t rng = 0x5DEECE66Dull ^ ((uint64_t)t->opt.seed << 17) ^ t->opt.seed;
    job *j = NULL;
    int st = collect_labels(t, &r.labels, &r.n_labels, &r.row_label);
    if (!st && r.n_labels < 2)
        st = HSC_E_ONE_CLASS;
    if (!st)
        st = featurize_rows(&r, &rng);
    if (!st)
        st = remap_features(t, &r.train, &r.valid, &r.row_bucket, &r.n_rows);
    if (!st && (r.train.n == 0 || r.n_rows == 0))
        st = HSC_E_NO_DATA;
    if (!st)
        st = hsc__tree_build(&t->alloc, (const char *const *)r.labels, r.n_labels, &r.tree);
    if (!st)
        st = build_paths(t, &r.tree, r.n_labels, &r.paths, &r.depth);
    if (!st)
        st = alloc_weights(&r, &rng);
    if (!st) {
        j = hsc__calloc(&t->alloc, 1, sizeof *j);
        if (!j)
            st = HSC_E_NOMEM;
    }
    if (!st) {
        j->tr = t;
        j->tree = &r.tree;
        j->paths = r.paths;
        j->depth = r.depth;
        j->train = &r.train;
        j->order = r.order;
        j->dim = t->opt.dim;
        j->emb = r.emb;
        j->out = r.out;
        j->lr0 = t->opt.learning_rate;
        j->phrases = t->opt.augment != 0;
        atomic_init(&j->done, 0);
        atomic_init(&j->cancel, 0);
        uint32_t prune = t->opt.max_rows && r.n_rows > t->opt.max_rows;
        uint32_t extra = prune ? (t->opt.epochs + 3) / 4 : 0;
        st = sgd(&r, j, &rng, 1, t->opt.epochs, t->opt.epochs + extra);
        /* After pruning, a few gentle epochs let the rest make up for it. */
        if (!st && prune && (st = prune_rows(&r)) == HSC_OK) {
            j->lr0 = t->opt.learning_rate * 0.25;
            st = sgd(&r, j, &rng, t->opt.epochs + 1, t->opt.epochs + extra, t->opt.epochs + extra);
        }
    }
    if (!st)
        st = finish(&r, j, out);
    hsc__free(&t->alloc, j);
    run_free(&r);
    return st;
}

/* sgd.c - the weights being fitted and the engine that fits them: the
 * low-rank model (hashed features -> mean embedding -> softmax choices
 * along the HS tree) trained by SGD, on one thread or lock-free on several
 * (Hogwild!), then pruned to the rows that matter most. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trainer.h"

#define MAX_THREADS HSC__SGD_MAX_THREADS
#define MAX_DEPTH 8
#define MAX_COPIES 16
#define PHRASE_MAX 6 /* sampled phrases have 1..6 tokens, like declarations */

/* ---- the weights --------------------------------------------------------- */

void hsc__fit_free(const hsc__alloc *a, hsc__fit *f)
{
    hsc__tree_free(a, &f->tree);
    hsc__free(a, f->row_bucket);
    hsc__free(a, f->emb);
    hsc__free(a, f->out);
    memset(f, 0, sizeof *f);
}

int hsc__fit_init(const hsc__alloc *a, hsc__fit *f, uint64_t *rng)
{
    uint32_t dim = f->dim;
    f->emb = hsc__calloc(a, (size_t)f->n_rows * dim, sizeof *f->emb);
    f->out = hsc__calloc(a, (size_t)f->tree.n_nodes * dim, sizeof *f->out);
    if (f->emb == NULL || f->out == NULL)
        return HSC_E_NOMEM;
    float bound = 1.0f / (float)dim;
    for (size_t i = 0; i < (size_t)f->n_rows * dim; i++)
        f->emb[i] = bound * (2.0f * (float)(hsc__splitmix(rng) >> 40) / 16777216.0f - 1.0f);
    return HSC_OK;
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

/* Keep the rows i with map[i] != 0, in bucket order, and rewrite both
 * example sets' features (map[] becomes each row's new index + 1). */
static int keep_rows(hsc__fit *f, uint32_t *map, hsc__examples *train, hsc__examples *valid)
{
    uint32_t dim = f->dim, n = 0;
    for (uint32_t i = 0; i < f->n_rows; i++) {
        if (map[i] == 0)
            continue;
        memmove(f->emb + (size_t)n * dim, f->emb + (size_t)i * dim, dim * sizeof *f->emb);
        f->row_bucket[n] = f->row_bucket[i];
        map[i] = ++n;
    }
    f->n_rows = n;
    hsc__examples_compact(train, map);
    hsc__examples_compact(valid, map);
    return train->n > 0 ? HSC_OK : HSC_E_NO_DATA;
}

int hsc__fit_prune(const hsc__alloc *a, hsc__fit *f, uint32_t keep, hsc__examples *train,
                   hsc__examples *valid)
{
    uint32_t dim = f->dim;
    ranked *rk = hsc__calloc(a, f->n_rows, sizeof *rk);
    uint32_t *map = hsc__calloc(a, f->n_rows, sizeof *map);
    if (rk == NULL || map == NULL) {
        hsc__free(a, rk);
        hsc__free(a, map);
        return HSC_E_NOMEM;
    }
    for (uint32_t i = 0; i < f->n_rows; i++) {
        const float *v = f->emb + (size_t)i * dim;
        rk[i] = (ranked){sqrtf(hsc__dot_f(v, v, dim)), i};
    }
    qsort(rk, f->n_rows, sizeof *rk, by_norm_desc);
    for (uint32_t i = 0; i < keep; i++)
        map[rk[i].row] = 1;
    int st = keep_rows(f, map, train, valid);
    hsc__free(a, rk);
    hsc__free(a, map);
    return st;
}

int hsc__fit_restrict(const hsc__alloc *a, hsc__fit *f, const uint32_t *buckets, uint32_t n,
                      hsc__examples *train, hsc__examples *valid)
{
    uint32_t *map = hsc__calloc(a, (size_t)f->n_rows + 1, sizeof *map);
    if (map == NULL)
        return HSC_E_NOMEM;
    uint32_t found = 0;
    for (uint32_t i = 0; i < f->n_rows && found < n; i++)   /* both ascending */
        if (f->row_bucket[i] == buckets[found]) {
            map[i] = 1;
            found++;
        }
    int st = found == n ? keep_rows(f, map, train, valid) : HSC_E_INVALID_ARG;
    hsc__free(a, map);
    return st;
}

void hsc__fit_split_untrained(hsc__fit *f, const uint8_t *trained)
{
    const hsc__tree *t = &f->tree;
    uint32_t dim = f->dim;
    /* Parents come before their children (breadth-first order), so a node
     * below an untrained one sees zero siblings and splits equally. */
    for (uint32_t p = 0; p < t->n_nodes; p++) {
        const hsc__node *par = &t->nodes[p];
        uint32_t c0 = par->first_child, nc = par->n_children, n_trained = 0;
        for (uint32_t i = 0; i < nc; i++)
            n_trained += trained[c0 + i] != 0;
        if (nc < 2 || n_trained == 0 || n_trained == nc)
            continue;
        for (uint32_t i = 0; i < nc; i++) {
            if (trained[c0 + i])
                continue;
            float *dst = f->out + (size_t)(c0 + i) * dim;
            memset(dst, 0, dim * sizeof *dst);
            for (uint32_t j = 0; j < nc; j++)
                if (trained[c0 + j])
                    for (uint32_t d = 0; d < dim; d++)
                        dst[d] += f->out[(size_t)(c0 + j) * dim + d];
            for (uint32_t d = 0; d < dim; d++)
                dst[d] /= (float)n_trained;
        }
    }
}

/* ---- the engine ------------------------------------------------------------- */

/* One step of a target's path: the parent whose softmax decides, and which
 * of its children is right. */
typedef struct step {
    uint32_t parent;
    uint32_t child_index;
} step;

typedef struct worker {
    hsc__sgd *s;
    size_t begin, end;      /* slice of order */
    double loss;
    uint64_t count;
    float *h, *grad, *logits;
    uint32_t *sel;          /* features kept by phrase sampling */
    uint8_t *keep;          /* per token */
    uint64_t rng;
} worker;

struct hsc__sgd {
    hsc__alloc alloc;
    hsc__fit *fit;
    const hsc__examples *train;
    step *paths;            /* n_targets * MAX_DEPTH */
    uint8_t *depth;         /* steps per label */
    uint32_t *order;        /* this epoch's example order (shuffled from the last one) */
    size_t n_order;         /* its entries in use */
    int phrases;            /* phrase sampling on (HSC_CFG_AUGMENT) */
    uint32_t n_threads;
    worker workers[MAX_THREADS];
    double lr0;
    uint64_t total;         /* examples over the epochs of this call */
    atomic_uint_fast64_t done;
    atomic_int cancel;
    /* progress within an epoch (hsc__sgd_epochs' callback) */
    hsc__epoch_fn on_epoch;
    void *user;
    uint32_t epoch, epochs_total;
    double t0;
    uint64_t done0;
    int status;             /* the callback's, when it stopped the run */
};

/* How many times per epoch an example of this weight is visited: repeating
 * heavy rows keeps steps small, where scaling the learning rate by the
 * weight made training diverge. */
static uint32_t copies_of(float weight)
{
    if (weight <= 1.5f)
        return 1;
    return weight >= MAX_COPIES ? MAX_COPIES : (uint32_t)(weight + 0.5f);
}

/* One entry per visit of each training example (copies_of). */
static size_t order_length(const hsc__sgd *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->train->n; i++)
        n += copies_of(s->train->ex[i].weight);
    return n;
}

static int build_paths(hsc__sgd *s, const uint32_t *target_node, uint32_t n_targets)
{
    const hsc__tree *tree = &s->fit->tree;
    s->paths = hsc__calloc(&s->alloc, (size_t)n_targets * MAX_DEPTH, sizeof *s->paths);
    s->depth = hsc__calloc(&s->alloc, n_targets, 1);
    if (s->paths == NULL || s->depth == NULL)
        return HSC_E_NOMEM;
    for (uint32_t l = 0; l < n_targets; l++) {
        step rev[MAX_DEPTH + 2];
        uint32_t n = 0;
        for (uint32_t x = target_node[l]; tree->nodes[x].parent != UINT32_MAX;
             x = tree->nodes[x].parent) {
            const hsc__node *par = &tree->nodes[tree->nodes[x].parent];
            if (par->n_children > 1 && n < MAX_DEPTH)
                rev[n++] = (step){tree->nodes[x].parent, x - par->first_child};
        }
        for (uint32_t k = 0; k < n; k++)
            s->paths[(size_t)l * MAX_DEPTH + k] = rev[n - 1 - k];
        s->depth[l] = (uint8_t)n;
    }
    return HSC_OK;
}

void hsc__sgd_free(hsc__sgd *s)
{
    if (s == NULL)
        return;
    hsc__alloc a = s->alloc;
    hsc__free(&a, s->paths);
    hsc__free(&a, s->depth);
    hsc__free(&a, s->order);
    for (int i = 0; i < MAX_THREADS; i++) {
        hsc__free(&a, s->workers[i].h);
        hsc__free(&a, s->workers[i].grad);
        hsc__free(&a, s->workers[i].logits);
        hsc__free(&a, s->workers[i].sel);
        hsc__free(&a, s->workers[i].keep);
    }
    hsc__free(&a, s);
}

int hsc__sgd_new(const hsc__alloc *a, hsc__fit *fit, const hsc__examples *train,
                 const uint32_t *target_node, uint32_t n_targets, uint32_t threads, int phrases,
                 uint64_t rng, hsc__sgd **out)
{
    hsc__sgd *s = hsc__calloc(a, 1, sizeof *s);
    *out = s;
    if (s == NULL)
        return HSC_E_NOMEM;
    s->alloc = *a;
    s->fit = fit;
    s->train = train;
    s->phrases = phrases;
    s->n_threads = threads == 0 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
    atomic_init(&s->done, 0);
    atomic_init(&s->cancel, 0);
    int st = build_paths(s, target_node, n_targets);
    if (st != HSC_OK)
        return st;
    s->order = hsc__calloc(a, order_length(s) + 1, sizeof *s->order);
    if (s->order == NULL)
        return HSC_E_NOMEM;
    uint32_t fan = 1, max_feat = 1, dim = fit->dim;
    for (uint32_t i = 0; i < fit->tree.n_nodes; i++)
        if (fit->tree.nodes[i].n_children > fan)
            fan = fit->tree.nodes[i].n_children;
    for (size_t i = 0; i < train->n; i++)
        if (train->ex[i].n_feat > max_feat)
            max_feat = train->ex[i].n_feat;
    for (uint32_t i = 0; i < s->n_threads; i++) {
        worker *w = &s->workers[i];
        w->h = hsc__calloc(a, dim, sizeof *w->h);
        w->grad = hsc__calloc(a, dim, sizeof *w->grad);
        w->logits = hsc__calloc(a, fan, sizeof *w->logits);
        w->sel = hsc__calloc(a, max_feat, sizeof *w->sel);
        w->keep = hsc__calloc(a, HSC__MAX_TOKENS, sizeof *w->keep);
        w->rng = rng ^ (0x9E3779B97F4A7C15ull * (i + 1));
        if (w->h == NULL || w->grad == NULL || w->logits == NULL || w->sel == NULL ||
            w->keep == NULL)
            return HSC_E_NOMEM;
    }
    return HSC_OK;
}

/* Phrase sampling: declarations are 3-10 words, nomenclature paths many
 * more. Half of the time a long example is cut to a random short phrase
 * (each token kept with probability L / tokens, L in 1..PHRASE_MAX), so the
 * model learns what each few words mean on their own. */
static uint32_t sample_phrase(worker *w, const hsc__examples *e, const hsc__example *x,
                              const uint32_t **f)
{
    *f = e->feat + x->feat_off;
    if (!w->s->phrases || x->n_tok <= 2 || (hsc__splitmix(&w->rng) & 1))
        return x->n_feat;
    uint32_t lim = x->n_tok < PHRASE_MAX ? x->n_tok : PHRASE_MAX;
    uint32_t len = 1 + (uint32_t)(hsc__splitmix(&w->rng) % lim);
    uint64_t thresh = (uint64_t)(((double)len / (double)x->n_tok) * 4294967296.0);
    uint32_t kept = 0;
    for (uint32_t t = 0; t < x->n_tok; t++) {
        w->keep[t] = (hsc__splitmix(&w->rng) >> 32) < thresh;
        kept += w->keep[t];
    }
    if (kept == 0)
        w->keep[hsc__splitmix(&w->rng) % x->n_tok] = 1;
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
static double update(worker *w, const hsc__example *x, float lr)
{
    const hsc__sgd *s = w->s;
    const hsc__fit *fit = s->fit;
    uint32_t dim = fit->dim;
    const uint32_t *f;
    uint32_t nf = sample_phrase(w, s->train, x, &f);
    hsc__embed_mean(fit->emb, dim, f, nf, w->h);
    memset(w->grad, 0, dim * sizeof *w->grad);
    double loss = 0.0;
    const step *path = s->paths + (size_t)x->label * MAX_DEPTH;
    for (uint32_t k = 0; k < s->depth[x->label]; k++) {
        const hsc__node *p = &fit->tree.nodes[path[k].parent];
        uint32_t c0 = p->first_child, nc = p->n_children;
        float mx = -INFINITY, sum = 0.0f;
        for (uint32_t i = 0; i < nc; i++) {
            float z = hsc__dot_f(fit->out + (size_t)(c0 + i) * dim, w->h, dim);
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
            float g = lr * ((i == path[k].child_index ? 1.0f : 0.0f) - p_i);
            if (i == path[k].child_index)
                loss -= log(p_i > 1e-30f ? p_i : 1e-30f);
            float *o = fit->out + (size_t)(c0 + i) * dim;
            for (uint32_t d = 0; d < dim; d++) {
                w->grad[d] += g * o[d];
                o[d] += g * w->h[d];
            }
        }
    }
    float scale = 1.0f / (float)nf;
    for (uint32_t k = 0; k < nf; k++) {
        float *row = fit->emb + (size_t)f[k] * dim;
        for (uint32_t d = 0; d < dim; d++)
            row[d] += w->grad[d] * scale;
    }
    return loss;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define TICK_EXAMPLES 65536u   /* the calling thread's examples between two reports */

/* Progress within an epoch, from the calling thread (the first worker):
 * an epoch of millions of rows takes minutes. */
static void tick(hsc__sgd *s, const worker *w)
{
    uint64_t done = atomic_load(&s->done);
    double elapsed = now_sec() - s->t0;
    int st = s->on_epoch(s->user, s->epoch, s->epochs_total, (double)done / (double)s->total,
                         w->count > 0 ? w->loss / (double)w->count : 0.0,
                         elapsed > 0 ? (double)(done - s->done0) / elapsed : 0.0, 0);
    if (st != HSC_OK) {
        s->status = st;
        atomic_store(&s->cancel, 1);
    }
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    hsc__sgd *s = w->s;
    uint64_t local = 0;
    for (size_t i = w->begin; i < w->end; i++) {
        if ((local & 255) == 0 && atomic_load(&s->cancel))
            break;
        const hsc__example *x = &s->train->ex[s->order[i]];
        uint64_t done = atomic_load(&s->done);
        double frac = (double)done / (double)s->total;
        float lr = (float)(s->lr0 * (1.0 - frac));
        if (lr < 1e-6f)
            lr = 1e-6f;
        /* Heavy rows come back several times per epoch (copies_of); the
         * rest of their weight scales the step, which stays near lr. */
        float share = x->weight / (float)copies_of(x->weight);
        w->loss += update(w, x, lr * share) * share;
        w->count++;
        local++;
        atomic_fetch_add(&s->done, 1);
        if (w == s->workers && local % TICK_EXAMPLES == 0 && s->on_epoch != NULL)
            tick(s, w);
    }
    return NULL;
}

/* One pass over order[0..n): the first worker runs on the calling thread. */
static void run_epoch(hsc__sgd *s, size_t n)
{
    uint32_t nt = s->n_threads;
    pthread_t tid[MAX_THREADS];
    uint8_t started[MAX_THREADS] = {0};
    for (uint32_t i = 0; i < nt; i++) {
        worker *w = &s->workers[i];
        w->s = s;
        w->begin = n * i / nt;
        w->end = n * (i + 1) / nt;
        w->loss = 0;
        w->count = 0;
    }
    for (uint32_t i = 1; i < nt; i++)
        if (pthread_create(&tid[i], NULL, run_worker, &s->workers[i]) == 0)
            started[i] = 1;
        else
            run_worker(&s->workers[i]); /* no thread: do its share here */
    run_worker(&s->workers[0]);
    for (uint32_t i = 1; i < nt; i++)
        if (started[i])
            pthread_join(tid[i], NULL);
}

size_t hsc__sgd_order(const hsc__sgd *s, const uint32_t **order)
{
    *order = s->order;
    return s->n_order;
}

uint32_t hsc__sgd_rngs(const hsc__sgd *s, uint64_t *rng)
{
    for (uint32_t i = 0; i < s->n_threads; i++)
        rng[i] = s->workers[i].rng;
    return s->n_threads;
}

int hsc__sgd_restore(hsc__sgd *s, const uint32_t *order, size_t n, const uint64_t *rng,
                     uint32_t n_rng)
{
    if (n != order_length(s) || n_rng != s->n_threads)
        return HSC_E_INVALID_ARG;
    for (size_t i = 0; i < n; i++)
        if (order[i] >= s->train->n)
            return HSC_E_INVALID_ARG;
    memcpy(s->order, order, n * sizeof *order);
    s->n_order = n;
    for (uint32_t i = 0; i < n_rng; i++)
        s->workers[i].rng = rng[i];
    return HSC_OK;
}

int hsc__sgd_epochs(hsc__sgd *s, uint64_t *rng, uint32_t first, uint32_t from, uint32_t last,
                    uint32_t epochs_total, double lr0, hsc__epoch_fn on_epoch, void *user)
{
    if (from == first) {   /* else the order of a checkpoint was restored */
        size_t n = 0;
        for (size_t i = 0; i < s->train->n; i++)
            for (uint32_t c = copies_of(s->train->ex[i].weight); c > 0; c--)
                s->order[n++] = (uint32_t)i;
        s->n_order = n;
    }
    size_t n = s->n_order;
    s->lr0 = lr0;
    s->total = (uint64_t)n * (last - first + 1);
    atomic_store(&s->done, (uint64_t)n * (from - first));
    uint64_t done0 = atomic_load(&s->done);
    double t0 = now_sec();
    s->on_epoch = on_epoch;
    s->user = user;
    s->epochs_total = epochs_total;
    s->t0 = t0;
    s->done0 = done0;
    int st = HSC_OK;
    for (uint32_t e = from; e <= last && st == HSC_OK; e++) {
        hsc__shuffle(s->order, n, rng);
        s->epoch = e;
        run_epoch(s, n);
        if (atomic_load(&s->cancel))
            return s->status != HSC_OK ? s->status : HSC_E_CANCELLED;
        double loss = 0.0;
        uint64_t count = 0;
        for (uint32_t i = 0; i < s->n_threads; i++) {
            loss += s->workers[i].loss;
            count += s->workers[i].count;
        }
        uint64_t done = atomic_load(&s->done);
        double elapsed = now_sec() - t0;
        st = on_epoch(user, e, epochs_total, (double)done / (double)s->total,
                      count > 0 ? loss / (double)count : 0.0,
                      elapsed > 0 ? (double)(done - done0) / elapsed : 0.0, 1);
        if (st != HSC_OK)
            atomic_store(&s->cancel, 1);
    }
    return st;
}

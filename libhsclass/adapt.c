/* adapt.c - training that starts from an existing model
 * (hsc_trainer_new_from_model): the base model's feature rows stay rows of
 * the new model beside the new rows' features, and its weights, dequantized,
 * are where the fit starts: embedding rows by bucket, output vectors by
 * code. Nodes the base did not have (national lines added under its
 * subheadings) start at zero, as in a fresh fit. The base's precedents join
 * the new rows' in the memory, and tell which held-out rows the base was
 * trained on. */
#include <stdlib.h>
#include <string.h>

#include "hscode.h"
#include "trainer.h"

/* A held-out text this similar to a row of the base's memory is that row's
 * text (similarity 1 but for float rounding). */
#define SEEN_SIMILARITY 0.9999

/* A node by its code: the digits, and whether it is the leaf child that
 * repeats its parent's code (a label that is also a prefix). */
typedef struct node_key {
    char code[HSC__CODE_CAP + 1];
    uint32_t node;
} node_key;

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const node_key *)a)->code, ((const node_key *)b)->code);
}

static void key_of(const hsc__tree *t, const char *pool, uint32_t n, node_key *k)
{
    const hsc__node *x = &t->nodes[n];
    uint32_t d = x->digits;
    memcpy(k->code, pool + x->code_off, d);
    k->code[d] = '\0';
    if (x->parent != UINT32_MAX && t->nodes[x->parent].digits == d) {
        k->code[d] = '=';
        k->code[d + 1] = '\0';
    }
    k->node = n;
}

/* The labels one after the other, each followed by a NUL: the pool a
 * tree's code_off points into (tree.c). */
static char *label_pool(const hsc__alloc *a, const char *const *labels, uint32_t n)
{
    size_t len = 0;
    for (uint32_t i = 0; i < n; i++)
        len += strlen(labels[i]) + 1;
    char *pool = hsc__calloc(a, len + 1, 1);
    if (pool == NULL)
        return NULL;
    for (size_t i = 0, off = 0; i < n; i++) {
        size_t l = strlen(labels[i]) + 1;
        memcpy(pool + off, labels[i], l);
        off += l;
    }
    return pool;
}

int hsc__adapt_outputs(const hsc__alloc *a, const hsc_model *base, const char *const *labels,
                       uint32_t n_labels, hsc__fit *fit, uint8_t *from_base)
{
    const hsc__tree *bt = &base->tree, *nt = &fit->tree;
    uint32_t dim = fit->dim;
    node_key *keys = hsc__calloc(a, bt->n_nodes, sizeof *keys);
    char *pool = label_pool(a, labels, n_labels);
    if (keys == NULL || pool == NULL) {
        hsc__free(a, keys);
        hsc__free(a, pool);
        return HSC_E_NOMEM;
    }
    for (uint32_t n = 1; n < bt->n_nodes; n++)
        key_of(bt, base->label_pool, n, &keys[n - 1]);
    qsort(keys, bt->n_nodes - 1, sizeof *keys, cmp_key);
    for (uint32_t n = 1; n < nt->n_nodes; n++) {
        node_key k;
        key_of(nt, pool, n, &k);
        const node_key *hit = bsearch(&k, keys, bt->n_nodes - 1, sizeof *keys, cmp_key);
        if (hit == NULL)
            continue;   /* new node: starts at zero */
        const int8_t *q = base->out_q + (size_t)hit->node * dim;
        float scale = base->out_scale[hit->node];
        float *dst = fit->out + (size_t)n * dim;
        for (uint32_t d = 0; d < dim; d++)
            dst[d] = (float)q[d] * scale;
        from_base[n] = 1;
    }
    hsc__free(a, keys);
    hsc__free(a, pool);
    return HSC_OK;
}

void hsc__adapt_rows(const hsc_model *base, hsc__fit *fit)
{
    uint32_t dim = fit->dim;
    for (uint32_t r = 0; r < fit->n_rows; r++) {
        int64_t b = hsc__model_find_row(base, fit->row_bucket[r]);
        if (b < 0)
            continue;   /* a feature only the new rows have: random start */
        const int8_t *q = base->row_q + (size_t)b * dim;
        float scale = base->row_scale[b];
        float *dst = fit->emb + (size_t)r * dim;
        for (uint32_t d = 0; d < dim; d++)
            dst[d] = (float)q[d] * scale;
    }
}

/* The label a base precedent of code votes for: code itself when it is
 * still a label, else (a subheading now split into national lines) the
 * line under it with the most training weight, the lowest code on a tie;
 * UINT32_MAX when no label starts with code. */
static uint32_t precedent_label(const char *code, const char *const *labels, uint32_t n_labels,
                                const double *weight)
{
    size_t len = strlen(code), lo = 0, hi = n_labels;
    while (lo < hi) {   /* the first label not below code */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(labels[mid], code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t best = UINT32_MAX;
    for (size_t l = lo; l < n_labels && strncmp(labels[l], code, len) == 0; l++) {
        if (labels[l][len] == '\0')
            return (uint32_t)l;
        if (best == UINT32_MAX || weight[l] > weight[best])
            best = (uint32_t)l;
    }
    return best;
}

int hsc__adapt_precedents(const hsc__alloc *a, const hsc_model *base,
                          const char *const *labels, uint32_t n_labels,
                          const hsc__examples *train, hsc__prec_join *join)
{
    const hsc__prec *p = &base->prec;
    memset(join, 0, sizeof *join);
    if (p->n_rows == 0)
        return HSC_OK;
    double *weight = hsc__calloc(a, (size_t)n_labels + 1, sizeof *weight);
    uint32_t *label_of = hsc__calloc(a, (size_t)base->n_labels + 1, sizeof *label_of);
    join->label = hsc__calloc(a, (size_t)p->n_rows + 1, sizeof *join->label);
    if (weight == NULL || label_of == NULL || join->label == NULL) {
        hsc__free(a, weight);
        hsc__free(a, label_of);
        hsc__prec_join_free(a, join);
        return HSC_E_NOMEM;
    }
    for (size_t i = 0; i < train->n; i++)
        if (train->ex[i].label < n_labels)   /* a label, not a prefix target */
            weight[train->ex[i].label] += train->ex[i].weight;
    for (uint32_t l = 0; l < base->n_labels; l++)
        label_of[l] = precedent_label(base->labels[l], labels, n_labels, weight);
    for (uint32_t r = 0; r < p->n_rows; r++)
        join->label[r] = p->row_label[r] < base->n_labels ? label_of[p->row_label[r]] : UINT32_MAX;
    hsc__free(a, weight);
    hsc__free(a, label_of);
    int st = hsc__prec_join_init(a, p, join);
    if (st != HSC_OK)
        hsc__prec_join_free(a, join);
    return st;
}

int hsc__adapt_drop_seen(const hsc__alloc *a, const hsc_model *base, hsc__examples *valid,
                         size_t *n_seen)
{
    *n_seen = 0;
    if (base->prec.n_rows == 0)
        return HSC_OK;
    hsc__prec_search ps;
    int st = hsc__prec_search_init(&ps, a, &base->prec);
    size_t kept = 0;
    for (size_t i = 0; st == HSC_OK && i < valid->n; i++) {
        const hsc__example *x = &valid->ex[i];
        st = hsc__prec_find_keys(&ps, &base->prec, valid->keys + x->key_off, x->n_keys, NULL,
                                 NULL);
        if (st == HSC_OK && ps.n_hits > 0 && ps.hits[0].sim >= SEEN_SIMILARITY)
            (*n_seen)++;
        else
            valid->ex[kept++] = *x;
    }
    if (st == HSC_OK)
        valid->n = kept;
    hsc__prec_search_free(&ps);
    return st;
}

/* explain.h - per-word contributions to a code's score (explain.c). Private. */
#ifndef HSC_EXPLAIN_H
#define HSC_EXPLAIN_H

#include "model.h"

/* The explained score of node for a text whose mean row is h: the sum over
 * its branching steps of (z_child - the mean logit of the other children
 * weighted by their probability), calibrated logits (see explain.c). It is
 * linear in h: u (dim floats) gets its direction. */
void hsc__explain_begin(const hsc_model *m, uint32_t node, const float *h, float *u);
/* The exact share in it of one feature of a text with found known features
 * (u . row / (found T)); the shares of the text's features add up to the
 * score (up to rounding). 0 and *c = 0 when the model has no row for bucket.
 * v: dim floats of scratch. */
int hsc__explain_feature(const hsc_model *m, const float *u, uint32_t bucket, uint32_t found,
                         float *v, double *c);

/* The tokens' shares of one explanation (their features' shares added in
 * the order they come) and the tokens that have one, heaviest first, then
 * in text order: a double per token for a short text, a few bytes per
 * token for a long one (explain_items.c). */
#define HSC__OPEN_SUMS 4
typedef struct hsc__explain_items {
    const hsc__alloc *alloc;
    size_t n_tok, n_items;
    int packed;
    /* a double per token */
    double *w;
    uint32_t *items;
    uint8_t *used;                 /* a bit per token */
    size_t cap_dense;
    /* distinct weights: a token's id (1 or 2 bytes, 0: no share), its weight vals[id - 1] */
    uint8_t *ids;
    uint32_t id_width;
    double *vals;
    size_t n_vals, cap_vals;
    uint32_t *slots;               /* id by the weight's bits, 0: free */
    size_t n_slots;
    struct hsc__open_sum {
        size_t tok;                /* SIZE_MAX: free */
        double w;
        uint64_t touched;
    } open[HSC__OPEN_SUMS];
    uint64_t clock;
    /* the items: classes of equal weight, heaviest first, and their tokens as index deltas */
    double *cls_val;
    uint32_t *first;               /* n_cls + 1: each class's first item */
    size_t n_cls;
    hsc__buf stream;
    struct hsc__item_mark {
        size_t pos;                /* item k * 32 in the stream */
        uint32_t base;             /* the index it is a delta from */
    } *marks;
} hsc__explain_items;

int hsc__explain_items_begin(hsc__explain_items *x, const hsc__alloc *a, size_t n_tok);
int hsc__explain_items_add_packed(hsc__explain_items *x, size_t token, double c);
/* Token's weight += c: it has a share. Inline for a short text: a feature
 * at a time. */
static inline int hsc__explain_items_add(hsc__explain_items *x, size_t token, double c)
{
    if (x->packed)
        return hsc__explain_items_add_packed(x, token, c);
    x->w[token] += c;
    x->used[token / 8] |= (uint8_t)(1u << (token % 8));
    return HSC_OK;
}
int hsc__explain_items_finish(hsc__explain_items *x);
size_t hsc__explain_items_count(const hsc__explain_items *x);
/* Item k (< the count): its token and weight. */
void hsc__explain_items_get(const hsc__explain_items *x, size_t k, size_t *token, double *w);
/* No items; what a long text took is given back (a short one's is kept). */
void hsc__explain_items_clear(hsc__explain_items *x);
void hsc__explain_items_free(hsc__explain_items *x);

#endif /* HSC_EXPLAIN_H */

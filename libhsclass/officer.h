/* officer.h - what a reviewer needs besides the scores: explanations,
 * review decisions, constraints and threshold fitting. Private. */
#ifndef HSC_OFFICER_H
#define HSC_OFFICER_H

#include "score.h"

/* ---- explanations (explain.c) ----------------------------------------------- */

/* Contribution of each feature of f[0..nf) to the explained score of node:
 * the sum over its branching steps of (z_child - the mean logit of the
 * other children weighted by their probability), calibrated logits (see
 * explain.c). The contributions add up to it exactly (up to rounding).
 * Folded onto tokens: tok_w[f.token] += c, and tok_used[f.token] = 1 for
 * tokens with at least one known feature. scratch: 3 * dim floats. */
void hsc__explain_node(const hsc_model *m, const hsc__feature *f, size_t nf, uint32_t node,
                       float *scratch, double *tok_w, uint8_t *tok_used, size_t n_tokens,
                       double *total);

/* ---- review routing (review.c) -------------------------------------------- */

typedef struct hsc__content {
    uint32_t content;   /* word, alnum and code tokens that are not vague or stopwords */
    uint32_t known;     /* of those, the ones the model has features for */
    uint32_t vague;     /* generic words: "goods", "parts", "samples"... */
} hsc__content;

/* Count what the analyzer's last text says that a model can classify. */
void hsc__review_content(const hsc_model *m, const hsc__analyzer *an, hsc__content *out);
/* 1 if the normalized token is a generic word in one of our languages. */
int hsc__vague_word(const char *norm, size_t len);

/* Rows ranked by confidence: the lowest threshold t such that the rows with
 * confidence >= t (at least min_accept of them) are right at least target of
 * the time; -1 if none. share and precision of that set go to the out-params
 * (may be NULL). */
double hsc__fit_threshold(const hsc__alloc *a, const double *conf, const uint8_t *right,
                          size_t n, double target, size_t min_accept, double *share,
                          double *precision);
/* Expected calibration error over equal-width confidence bins. */
double hsc__ece(const double *conf, const uint8_t *right, size_t n, uint32_t bins);

/* ---- constraints (constraint.c) -------------------------------------------- */

typedef struct hsc__constraint {
    uint32_t n_prefixes;
    char (*prefixes)[16];
    uint8_t *mask;      /* per tree node: 0 outside, 1 above an allowed region, 2 inside */
    uint32_t *roots;    /* nodes inside whose parent is not (the allowed regions) */
    uint32_t n_roots;
    uint32_t *inner;    /* mask 1 nodes */
    uint32_t n_inner;
} hsc__constraint;

/* Parse "84,8517" (commas, spaces or semicolons between codes; '.' inside a
 * code ignored) and mark the tree. Empty text clears. HSC_E_BAD_CODE for a
 * prefix that is not 2..12 digits, HSC_E_NOMEM. On error c is unchanged. */
int hsc__constraint_set(const hsc__alloc *a, hsc__constraint *c, const hsc_model *m,
                        const char *text, size_t len);
void hsc__constraint_free(const hsc__alloc *a, hsc__constraint *c);
/* Prepare a search for h under the constraint: afterwards the search's
 * probabilities of nodes above the allowed regions hold only the allowed
 * mass below them, and *z is the allowed mass of the whole tree (divide
 * results by it to get probabilities given the constraint). */
void hsc__constraint_begin(const hsc__constraint *c, hsc__search *s, const hsc__tree *t,
                           const hsc__outw *w, const float *h, double *z);

#endif /* HSC_OFFICER_H */

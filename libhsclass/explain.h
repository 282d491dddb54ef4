/* explain.h - per-word contributions to a code's score (explain.c). Private. */
#ifndef HSC_EXPLAIN_H
#define HSC_EXPLAIN_H

#include "model.h"

/* Contribution of each feature of f[0..nf) to the explained score of node:
 * the sum over its branching steps of (z_child - the mean logit of the
 * other children weighted by their probability), calibrated logits (see
 * explain.c). The contributions add up to it exactly (up to rounding).
 * Folded onto tokens: tok_w[f.token] += c, and tok_used[f.token] = 1 for
 * tokens with at least one known feature. scratch: 3 * dim floats. */
void hsc__explain_node(const hsc_model *m, const hsc__feature *f, size_t nf, uint32_t node,
                       float *scratch, double *tok_w, uint8_t *tok_used, size_t n_tokens,
                       double *total);

#endif /* HSC_EXPLAIN_H */

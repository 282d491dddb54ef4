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

#endif /* HSC_EXPLAIN_H */

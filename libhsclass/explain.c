/* explain.c - per-word contributions to a code's score.
 *
 * A code's path takes one softmax choice per branching step (chapter,
 * heading, ...) among the children of a node, with calibrated logits
 * z_c = o_c . h / T and h the mean of the text's known feature rows v_f.
 * At each step the chosen child x is compared with its alternatives,
 * weighted by how likely each is: q_c = P(c | parent, c != x). The
 * explained score is
 *     S = sum_steps (z_x - sum_{c != x} q_c z_c) = U . h / T,
 *     U = sum_steps (o_x - sum_{c != x} q_c o_c),
 * with q taken as computed for this text. S is linear in h, so feature f
 * contributes exactly U . v_f / (n T), and the contributions add up to S.
 * Per step, the log-odds of x against its alternatives is the step's share
 * of S minus the entropy of q, so a positive contribution is one that puts
 * the code ahead of its plausible competitors, a negative one that favours
 * them. */
#include <math.h>
#include <string.h>

#include "explain.h"

/* Dequantized output vector of a node added to acc with a factor. */
static void add_out(const hsc_model *m, uint32_t node, float factor, float *acc)
{
    const int8_t *q = m->out_q + (size_t)node * m->dim;
    float sc = m->out_scale[node] * factor;
    for (uint32_t d = 0; d < m->dim; d++)
        acc[d] += (float)q[d] * sc;
}

/* u += o_x - sum_{c != x} q_c o_c for the step from p to x. */
static void add_step(const hsc_model *m, const hsc__outw *w, const hsc__node *p, uint32_t x,
                     const float *h, float *u)
{
    double mx = -INFINITY, den = 0.0;
    for (uint32_t i = 0; i < p->n_children; i++) {
        uint32_t c = p->first_child + i;
        double z = c == x ? -INFINITY : hsc__node_logit(w, c, h);
        mx = z > mx ? z : mx;
    }
    for (uint32_t i = 0; i < p->n_children; i++) {
        uint32_t c = p->first_child + i;
        if (c != x)
            den += exp(hsc__node_logit(w, c, h) - mx);
    }
    add_out(m, x, 1.0f, u);
    for (uint32_t i = 0; i < p->n_children; i++) {
        uint32_t c = p->first_child + i;
        if (c != x)
            add_out(m, c, (float)(-exp(hsc__node_logit(w, c, h) - mx) / den), u);
    }
}

void hsc__explain_begin(const hsc_model *m, uint32_t node, const float *h, float *u)
{
    memset(u, 0, m->dim * sizeof *u);
    const hsc__tree *t = &m->tree;
    hsc__outw w = hsc__model_outw(m);
    for (uint32_t x = node; t->nodes[x].parent != UINT32_MAX; x = t->nodes[x].parent) {
        const hsc__node *p = &t->nodes[t->nodes[x].parent];
        if (p->n_children > 1)   /* no choice, no score */
            add_step(m, &w, p, x, h, u);
    }
}

int hsc__explain_feature(const hsc_model *m, const float *u, uint32_t bucket, uint32_t found,
                         float *v, double *c)
{
    *c = 0.0;
    memset(v, 0, m->dim * sizeof *v);
    if (found == 0 || hsc__model_embed_add(m, bucket, v) == 0)   /* v: the feature's own row */
        return 0;
    double k = 1.0 / ((double)found * m->temperature);
    *c = (double)hsc__dot_f(u, v, m->dim) * k;
    return 1;
}

/* score.h - probabilities over the HS tree: best-first top-k search. Shared by
 * sessions (quantized weights) and the trainer (float weights). */
#ifndef HSC_SCORE_H
#define HSC_SCORE_H

#include "hsc_internal.h"

/* Output layer: one vector per tree node, either float or int8 + scale. */
typedef struct hsc__outw {
    uint32_t dim;
    const float *f;       /* n_nodes * dim, or NULL */
    const int8_t *q;      /* used when f is NULL */
    const float *scale;
    float inv_temp;       /* 1 / calibration temperature */
} hsc__outw;

/* Per-query scratch, sized for one tree; owned by a session or a thread. */
typedef struct hsc__search {
    hsc__alloc alloc;
    uint32_t n_nodes;
    uint32_t epoch;       /* prob/expanded entries are valid when equal */
    double *prob;         /* path probability of each reached node */
    uint32_t *seen;       /* epoch when prob was set */
    uint32_t *expanded;   /* epoch when children were computed */
    uint32_t *heap;
    size_t heap_len, heap_cap;
    double *logits;       /* max fan-out */
    const uint8_t *mask;  /* NULL, or per node: 0 skip its subtree (constraints) */
} hsc__search;

int hsc__search_init(hsc__search *s, const hsc__alloc *a, const hsc__tree *t);
void hsc__search_free(hsc__search *s);
/* Start a new query for embedding h (children probabilities are computed
 * lazily and reused by every level's search of the same query). */
void hsc__search_begin(hsc__search *s);

/* Exact top-k nodes at a level (digits; 0 = labels), by path probability,
 * best first. Writes up to k nodes and probabilities; *n_out gets the count. */
int hsc__search_topk(hsc__search *s, const hsc__tree *t, const hsc__outw *w, const float *h,
                     uint32_t digits, uint32_t k, uint32_t *nodes, double *probs, uint32_t *n_out);

/* Whether node n is one of level digits' results (0: the labels): a label,
 * or a node of that many digits whose parent is shorter (a label equal to
 * its parent's code is a leaf of the parent's level, not a second node). */
int hsc__search_terminal(const hsc__tree *t, uint32_t n, uint32_t digits);

/* Path probability of one node for the current query: expands its
 * ancestors (cached like the search's own expansions). */
double hsc__search_path_prob(hsc__search *s, const hsc__tree *t, const hsc__outw *w,
                             const float *h, uint32_t node);

/* Calibrated logit of a node for embedding h: its output vector . h / T
 * (the one formula, for the search and for explanations). */
double hsc__node_logit(const hsc__outw *w, uint32_t node, const float *h);

float hsc__dot_f(const float *a, const float *b, uint32_t n);
float hsc__dot_q(const int8_t *q, const float *b, uint32_t n);
/* h[j] += q[j] * scale for j < n (a dequantized row added). */
void hsc__add_q(float *h, const int8_t *q, float scale, uint32_t n);
/* h += the rows rows[0..n) of q (dim each, row r scaled by scale[r]), added
 * in that order: the bits of hsc__add_q called row by row. */
void hsc__add_q_rows(float *h, const int8_t *q, const float *scale, const uint32_t *rows,
                     uint32_t n, uint32_t dim);
/* The same without the CPU's wider registers (tests: the results must be
 * the same bits). */
float hsc__dot_q_portable(const int8_t *q, const float *b, uint32_t n);
void hsc__add_q_portable(float *h, const int8_t *q, float scale, uint32_t n);

#endif

/* rank.h - a model's final scores: the linear model's path probabilities
 * over the HS tree, blended with the votes of its precedents, then
 * calibrated without changing their order (rank.c). Sessions rank with the
 * quantized model; the trainer fits the blend and the calibration with the
 * same formulas. Private. */
#ifndef HSC_RANK_H
#define HSC_RANK_H

#include "score.h"

/* How a model's final scores are made (its SCOR section). */
typedef struct hsc__scoring {
    uint32_t on;     /* 0: no SCOR section, scores as format 1.1 (temperature per level) */
    double mix;      /* share of the precedents' votes in [0, 1) */
    double power;    /* calibration exponent of the best code's probability */
} hsc__scoring;

/* The calibration of a final distribution whose best code has q1 and the
 * runner-up q2: the best code gets c1 = q1 ^ power (never below what keeps
 * it first), every other probability is multiplied by s = (1 - c1) / (1 -
 * q1), so the order is kept and the total stays 1. A node on the best
 * code's path gets s q + (c1 - s q1). */
typedef struct hsc__calib {
    double q1, c1, s;
} hsc__calib;

hsc__calib hsc__calib_make(double q1, double q2, double power);
double hsc__calib_apply(const hsc__calib *c, double q, int on_best_path);

/* The subheading rule (rank.c): in a model whose labels go below the
 * subheadings, the best label is the best one under the best subheading. */
#define HSC__SUBHEADING_DIGITS 6u
/* Whether tree has labels longer than a subheading. */
int hsc__tree_below_subheadings(const hsc__tree *t);
/* The subheading node a label leaf lies under (a label repeating its
 * parent's code: that parent), UINT32_MAX for a label shorter than 6 digits. */
uint32_t hsc__subheading_of(const hsc__tree *t, uint32_t leaf);

/* The blend's share of the votes for a text: the model's, or 0 when no
 * precedent voted (the linear model's probabilities then stand alone). */
static inline double hsc__mix_for(const hsc__scoring *sc, uint32_t n_votes)
{
    return n_votes > 0 ? sc->mix : 0.0;
}

#define HSC__RANK_MAX_VOTES 64u   /* = HSC__PREC_MAX_NEIGHBOURS */

/* The precedents' votes as ranking sees them: labels and shares. */
typedef struct hsc__votes {
    uint32_t n;
    const uint32_t *label;
    const double *share;
} hsc__votes;

/* One query: the linear model (tree, output layer, embedding, search
 * scratch with the constraint's mask if any, z its allowed mass), the
 * votes and the scoring rule. */
typedef struct hsc__rank_query {
    const hsc__tree *tree;
    const hsc__outw *w;
    hsc__search *search;
    const float *h;
    double z;                  /* 1 without a constraint */
    hsc__votes votes;
    const hsc__scoring *scoring;
    hsc__calib calib;          /* set by the label level */
    uint32_t best;             /* best label's leaf node, set by the label level */
} hsc__rank_query;

typedef struct hsc__scored {
    uint32_t node;
    double v;
} hsc__scored;

/* Scratch for candidates; one per session or thread. */
typedef struct hsc__ranker {
    hsc__alloc alloc;
    uint32_t cap;
    uint32_t *node;
    double *p;                 /* model probability, -1 until looked up */
    hsc__scored *sv;
} hsc__ranker;

void hsc__ranker_init(hsc__ranker *r, const hsc__alloc *a);
void hsc__ranker_free(hsc__ranker *r);
/* Exact top-k of level digits (0: labels, which must come first in a
 * query: they set the best label and the calibration) by final score,
 * best first, into nodes/probs (room for k). */
int hsc__rank_level(hsc__ranker *r, hsc__rank_query *q, uint32_t digits, uint32_t k,
                    uint32_t *nodes, double *probs, uint32_t *n_out);

/* Any node of level digits (0: labels; a terminal of that level, see
 * hsc__search_terminal), for a query whose levels were ranked (q->calib
 * and q->best set by the label level): its final probability, as
 * hsc__rank_level would give it, and (place not NULL) its place there,
 * 1 + the nodes that score higher (ties go to the lower node, as in the ranking). mask (a
 * constraint's, or NULL): nodes it marks 0 do not compete. A model
 * without SCOR passes a query with the identity calibration: its scores
 * are then the path probabilities over z. Visits only the subtrees that
 * could hold a better node (r: scratch). */
int hsc__rank_node(hsc__ranker *r, hsc__rank_query *q, uint32_t digits, uint32_t node,
                   const uint8_t *mask, double *prob, uint64_t *place);

#endif /* HSC_RANK_H */

/* rank.c - a model's final scores.
 *
 * q(node) = (1 - mix) P(node) / z + mix V(node): P is the linear model's
 * path probability, z its mass in the allowed region (1 without a
 * constraint), V the share of the precedents' votes for labels under the
 * node. Every node q never exceeds its parent's, as P and V do not.
 *
 * Top-k of q at a level is exact: the candidates are the linear model's
 * top m at that level (best-first search), the nodes with votes and the
 * best label's ancestor; any other node has q <= (1 - mix) P_m / z, so m
 * grows until the k-th candidate reaches that bound.
 *
 * The best label is the one with the highest q, except in a model whose
 * labels go below the subheadings (national lines): there it is the best
 * label under the best subheading (6 digits, q summed over its lines). A
 * line is a share of its subheading, so a subheading split into many lines
 * must not lose to one with a single label only for being split: the
 * ranking of the subheadings is the model's (an adapted model keeps its
 * base's there until its rows teach otherwise), and the best line is
 * chosen within the best of them.
 *
 * Calibration maps the best label's q1 to c1 = q1 ^ power and multiplies
 * every other probability by s = (1 - c1) / (1 - q1); nodes on the best
 * label's path get s q + (c1 - s q1). c1 is raised to q2 / (1 - q1 + q2)
 * (and a hair above) when needed, where the runner-up (q2, which may
 * exceed q1 under the subheading rule) would tie it, so the best code is
 * listed first. Order
 * within every level but the best label's ancestors', which the lift may
 * raise (not at 6 digits under the subheading rule: the best subheading
 * is already first there), is kept; a level's probabilities still sum to 1. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rank.h"

hsc__calib hsc__calib_make(double q1, double q2, double power)
{
    hsc__calib c = {q1, q1, 1.0};
    if (!(q1 > 0.0) || (power == 1.0 && q2 <= q1))
        return c;
    if (q1 >= 1.0) {
        c.c1 = 1.0, c.s = 0.0;
        return c;
    }
    c.c1 = pow(q1, power);
    double tie = q2 / (1.0 - q1 + q2);
    if (c.c1 <= tie)   /* just above: rounding must not put the runner-up first */
        c.c1 = tie + 1e-12 < 1.0 ? tie + 1e-12 : 1.0;
    c.s = (1.0 - c.c1) / (1.0 - q1);
    return c;
}

double hsc__calib_apply(const hsc__calib *c, double q, int on_best_path)
{
    double v = c->s * q + (on_best_path ? c->c1 - c->s * c->q1 : 0.0);
    return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

void hsc__ranker_init(hsc__ranker *r, const hsc__alloc *a)
{
    memset(r, 0, sizeof *r);
    r->alloc = *a;
}

void hsc__ranker_free(hsc__ranker *r)
{
    hsc__free(&r->alloc, r->node);
    hsc__free(&r->alloc, r->p);
    hsc__free(&r->alloc, r->sv);
    memset(r, 0, sizeof *r);
}

static int reserve(hsc__ranker *r, uint32_t n)
{
    if (n <= r->cap)
        return HSC_OK;
    uint32_t *nd = hsc__realloc_array(&r->alloc, r->node, n, sizeof *nd);
    if (nd != NULL)
        r->node = nd;
    double *p = hsc__realloc_array(&r->alloc, r->p, n, sizeof *p);
    if (p != NULL)
        r->p = p;
    hsc__scored *sv = hsc__realloc_array(&r->alloc, r->sv, n, sizeof *sv);
    if (sv != NULL)
        r->sv = sv;
    if (nd == NULL || p == NULL || sv == NULL)
        return HSC_E_NOMEM;
    r->cap = n;
    return HSC_OK;
}

/* The ancestor-or-self of node that is a result of a level (0: the node
 * itself, a label), UINT32_MAX when none: a label leaf repeating its
 * parent's code counts as that parent at the parent's level. */
static uint32_t at_level(const hsc__tree *t, uint32_t node, uint32_t digits)
{
    if (digits == 0)
        return node;
    while (node != 0 && t->nodes[node].digits >= digits && !hsc__search_terminal(t, node, digits))
        node = t->nodes[node].parent;
    return node != 0 && hsc__search_terminal(t, node, digits) ? node : UINT32_MAX;
}

int hsc__tree_below_subheadings(const hsc__tree *t)
{
    return t->n_levels > 0 && t->level_digits[t->n_levels - 1] > HSC__SUBHEADING_DIGITS;
}

uint32_t hsc__subheading_of(const hsc__tree *t, uint32_t leaf)
{
    return at_level(t, leaf, HSC__SUBHEADING_DIGITS);
}

/* The votes' nodes at the level being ranked (UINT32_MAX: none there). */
static void vote_nodes(const hsc__rank_query *q, uint32_t digits, uint32_t *out)
{
    for (uint32_t i = 0; i < q->votes.n; i++)
        out[i] = at_level(q->tree, q->tree->label_leaf[q->votes.label[i]], digits);
}

static double vote_of(const hsc__rank_query *q, const uint32_t *vnode, uint32_t node)
{
    double v = 0.0;
    for (uint32_t i = 0; i < q->votes.n; i++)
        if (vnode[i] == node)
            v += q->votes.share[i];
    return v;
}

static int by_score(const void *x, const void *y)
{
    const hsc__scored *a = x, *b = y;
    if (a->v != b->v)
        return a->v > b->v ? -1 : 1;
    return a->node < b->node ? -1 : a->node > b->node;
}

/* The chapter (child of the root) above node: its probability is known
 * once the search has started, and bounds every node below it. */
static uint32_t chapter_of(const hsc__tree *t, uint32_t node)
{
    while (t->nodes[node].parent != 0 && t->nodes[node].parent != UINT32_MAX)
        node = t->nodes[node].parent;
    return node;
}

static double blend(const hsc__rank_query *q, const uint32_t *vnode, double mix, double p,
                    uint32_t node)
{
    double v = (1.0 - mix) * (p / q->z) + mix * vote_of(q, vnode, node);
    return v > 1.0 ? 1.0 : v;
}

/* The want-th best score of sv[0..n) (sorted), 0 with fewer. */
static double nth(const hsc__scored *sv, uint32_t n, uint32_t want)
{
    return n >= want ? sv[want - 1].v : 0.0;
}

/* Insert x with score v into the sorted sv[0..n). */
static void insert_sorted(hsc__scored *sv, uint32_t *n, hsc__scored x)
{
    uint32_t i = (*n)++;
    while (i > 0 && by_score(&x, &sv[i - 1]) < 0) {
        sv[i] = sv[i - 1];
        i--;
    }
    sv[i] = x;
}

/* The candidates of a level with the model's top m there, scored by q and
 * sorted best first into r->sv; *bound: no other node's q exceeds it;
 * *complete: the model had fewer than m nodes, so none is left out. A
 * voted node is scored only when it could reach the want-th place: its
 * chapter's probability bounds its own, which spares expanding the tree
 * under every precedent's code. */
static int candidates(hsc__ranker *r, hsc__rank_query *q, uint32_t digits, uint32_t m,
                      uint32_t want, uint32_t *n_out, double *bound, int *complete)
{
    double mix = hsc__mix_for(q->scoring, q->votes.n);
    uint32_t n = 0, vnode[HSC__RANK_MAX_VOTES];
    if (q->votes.n > HSC__RANK_MAX_VOTES)
        return HSC_E_INTERNAL;
    vote_nodes(q, digits, vnode);
    int st = reserve(r, m + q->votes.n + 1);
    if (st == HSC_OK)
        st = hsc__search_topk(q->search, q->tree, q->w, q->h, digits, m, r->node, r->p, &n);
    if (st != HSC_OK)
        return st;
    *complete = n < m;
    *bound = n > 0 ? (1.0 - mix) * (r->p[n - 1] / q->z) : 0.0;
    for (uint32_t i = 0; i < n; i++)
        r->sv[i] = (hsc__scored){r->node[i], blend(q, vnode, mix, r->p[i], r->node[i])};
    qsort(r->sv, n, sizeof *r->sv, by_score);
    uint32_t best_here = digits > 0 ? at_level(q->tree, q->best, digits) : UINT32_MAX;
    for (uint32_t i = 0; i <= q->votes.n; i++) {   /* the votes, then the best label's node */
        uint32_t x = i < q->votes.n ? vnode[i] : best_here;
        int known = x == UINT32_MAX;
        for (uint32_t j = 0; j < n && !known; j++)
            known = r->sv[j].node == x;
        if (known)
            continue;
        double ub = blend(q, vnode, mix, q->search->prob[chapter_of(q->tree, x)], x);
        if (i < q->votes.n && ub < nth(r->sv, n, want))
            continue;   /* cannot reach the places asked for */
        double p = hsc__search_path_prob(q->search, q->tree, q->w, q->h, x);
        insert_sorted(r->sv, &n, (hsc__scored){x, blend(q, vnode, mix, p, x)});
    }
    *n_out = n;
    return HSC_OK;
}

/* The place of node in sv[0..n), n when absent. */
static uint32_t place_of(const hsc__scored *sv, uint32_t n, uint32_t node)
{
    uint32_t i = 0;
    while (i < n && sv[i].node != node)
        i++;
    return i;
}

/* The top of a level by q alone (no calibration): the exact best node
 * into *node (UINT32_MAX: the level is empty). */
static int best_uncalibrated(hsc__ranker *r, hsc__rank_query *q, uint32_t digits, uint32_t *node)
{
    q->best = 0;   /* no best label yet: candidates adds none */
    for (uint32_t m = 4;; m *= 4) {
        uint32_t n;
        double bound;
        int complete;
        int st = candidates(r, q, digits, m, 1, &n, &bound, &complete);
        if (st != HSC_OK)
            return st;
        if (complete || (n > 0 && r->sv[0].v >= bound)) {
            *node = n > 0 ? r->sv[0].node : UINT32_MAX;
            return HSC_OK;
        }
        if (m > q->tree->n_nodes)
            return HSC_E_INTERNAL;
    }
}

/* The subheading rule: the best label under the best subheading, and its
 * q (*node UINT32_MAX: the rule does not apply, the best label by q is the
 * best). Every label under a subheading is scored: a subheading has a few
 * dozen lines at most. */
static int best_under_subheading(hsc__ranker *r, hsc__rank_query *q, uint32_t *node, double *qv)
{
    *node = UINT32_MAX;
    if (!hsc__tree_below_subheadings(q->tree))
        return HSC_OK;
    uint32_t sub;
    int st = best_uncalibrated(r, q, HSC__SUBHEADING_DIGITS, &sub);
    if (st != HSC_OK || sub == UINT32_MAX)
        return st;
    const hsc__tree *t = q->tree;
    double mix = hsc__mix_for(q->scoring, q->votes.n);
    uint32_t vnode[HSC__RANK_MAX_VOTES], n = 0;
    st = reserve(r, t->n_nodes);
    if (st != HSC_OK)
        return st;
    vote_nodes(q, 0, vnode);
    uint32_t *stack = r->node;
    stack[n++] = sub;
    while (n > 0) {
        const hsc__node *a = &t->nodes[stack[--n]];
        for (uint32_t c = a->first_child; c < a->first_child + a->n_children; c++) {
            if (q->search->mask != NULL && q->search->mask[c] == 0)
                continue;   /* outside the constraint */
            if (t->nodes[c].label == UINT32_MAX) {
                stack[n++] = c;
                continue;
            }
            double v = blend(q, vnode, mix, hsc__search_path_prob(q->search, t, q->w, q->h, c), c);
            if (*node == UINT32_MAX || v > *qv)
                *node = c, *qv = v;
        }
    }
    return HSC_OK;
}

int hsc__rank_level(hsc__ranker *r, hsc__rank_query *q, uint32_t digits, uint32_t k,
                    uint32_t *nodes, double *probs, uint32_t *n_out)
{
    *n_out = 0;
    uint32_t want = digits == 0 && k < 2 ? 2 : k;   /* the runner-up calibrates */
    uint32_t anchor = UINT32_MAX;
    double q_anchor = 0.0;
    if (digits == 0) {
        int st = best_under_subheading(r, q, &anchor, &q_anchor);
        if (st != HSC_OK)
            return st;
    }
    for (uint32_t m = want + 2;; m *= 4) {
        uint32_t n;
        double bound;
        int complete;
        int st = candidates(r, q, digits, m, want, &n, &bound, &complete);
        if (st != HSC_OK)
            return st;
        hsc__scored *sv = r->sv;
        if (digits == 0) {
            uint32_t at = place_of(sv, n, anchor);
            if (anchor != UINT32_MAX && at == n) {
                insert_sorted(sv, &n, (hsc__scored){anchor, q_anchor});
                at = place_of(sv, n, anchor);
            }
            if (at == n)
                at = 0;   /* no subheading rule: the best by q */
            q->best = n > 0 ? sv[at].node : 0;
            double q2 = n > 1 ? sv[at == 0 ? 1 : 0].v : 0.0;
            q->calib = hsc__calib_make(n > 0 ? sv[at].v : 0.0, q2, q->scoring->power);
        }
        /* Calibration keeps the order but for the best label's path, which
         * it may lift: sort again (the best label first on a tie). */
        uint32_t best_here = at_level(q->tree, q->best, digits);
        for (uint32_t i = 0; i < n; i++)
            sv[i].v = hsc__calib_apply(&q->calib, sv[i].v, sv[i].node == best_here);
        qsort(sv, n, sizeof *sv, by_score);
        uint32_t take = n < k ? n : k;
        if (complete || (n >= want && sv[want - 1].v >= hsc__calib_apply(&q->calib, bound, 0))) {
            for (uint32_t i = 0; i < take; i++) {
                nodes[i] = sv[i].node;
                probs[i] = sv[i].v;
            }
            *n_out = take;
            return HSC_OK;
        }
        if (m > q->tree->n_nodes)
            return HSC_E_INTERNAL;
    }
}

/* The final score of any node of a level, as hsc__rank_level gives it to
 * the nodes it returns: blended, then calibrated. */
static double final_score(hsc__rank_query *q, const uint32_t *vnode, double mix, uint32_t digits,
                          uint32_t node)
{
    double p = hsc__search_path_prob(q->search, q->tree, q->w, q->h, node);
    return hsc__calib_apply(&q->calib, blend(q, vnode, mix, p, node),
                            at_level(q->tree, q->best, digits) == node);
}

/* The votes' share under node a (labels whose leaf lies below it). */
static double votes_under(const hsc__rank_query *q, uint32_t a)
{
    double v = 0.0;
    uint32_t d = q->tree->nodes[a].digits;
    for (uint32_t i = 0; i < q->votes.n; i++)
        if (at_level(q->tree, q->tree->label_leaf[q->votes.label[i]], d) == a)
            v += q->votes.share[i];
    return v;
}

int hsc__rank_node(hsc__ranker *r, hsc__rank_query *q, uint32_t digits, uint32_t node,
                   const uint8_t *mask, double *prob, uint64_t *place)
{
    uint32_t vnode[HSC__RANK_MAX_VOTES];
    const hsc__tree *t = q->tree;
    if (q->votes.n > HSC__RANK_MAX_VOTES)
        return HSC_E_INTERNAL;
    int st = place != NULL ? reserve(r, t->n_nodes) : HSC_OK;
    if (st != HSC_OK)
        return st;
    vote_nodes(q, digits, vnode);
    double mix = q->scoring->on ? hsc__mix_for(q->scoring, q->votes.n) : 0.0;
    hsc__scored me = {node, final_score(q, vnode, mix, digits, node)};
    *prob = me.v;
    if (place == NULL)
        return HSC_OK;
    uint64_t ahead = 0;
    /* Depth first from the root; a subtree is skipped when no node of it
     * can score above this one: its root's path probability and the votes
     * under it bound every descendant's blend, and the calibration (either
     * branch) is monotone. */
    uint32_t *stack = r->node, n = 0;
    stack[n++] = 0;
    while (n > 0) {
        const hsc__node *a = &t->nodes[stack[--n]];
        for (uint32_t c = a->first_child; c < a->first_child + a->n_children; c++) {
            if (mask != NULL && mask[c] == 0)
                continue;
            if (hsc__search_terminal(t, c, digits)) {
                if (c != node) {
                    hsc__scored other = {c, final_score(q, vnode, mix, digits, c)};
                    ahead += by_score(&other, &me) < 0;
                }
                continue;
            }
            const hsc__node *cn = &t->nodes[c];
            if (cn->n_children == 0 || (digits > 0 && cn->digits >= digits))
                continue;   /* a label above the level, or below it: not of the level */
            double p = hsc__search_path_prob(q->search, t, q->w, q->h, c);
            double ub = (1.0 - mix) * (p / q->z) + mix * votes_under(q, c);
            ub = ub > 1.0 ? 1.0 : ub;
            double c0 = hsc__calib_apply(&q->calib, ub, 0), c1 = hsc__calib_apply(&q->calib, ub, 1);
            if ((c0 > c1 ? c0 : c1) >= me.v)
                stack[n++] = c;
        }
    }
    *place = ahead + 1;
    return HSC_OK;
}

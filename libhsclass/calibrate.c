/* calibrate.c - what the held-out examples say about a fit: its top-1
 * accuracy, the share of the precedents' votes in the blend, the exponent
 * that calibrates the best code's probability without changing the order
 * (rank.h), and the model's default accept threshold with its calibration
 * error, measured with hsc_eval like every other evaluation. */
#include <math.h>

#include "trainer.h"

#define ACCEPT_TARGET 0.95      /* top-1 precision of what is auto-accepted */
#define ACCEPT_MIN_VALID 50     /* fewer held-out rows: the fallback */
#define ACCEPT_MIN_TAKEN 10     /* a threshold must accept this many rows */
#define ACCEPT_FLOOR 0.5
#define ACCEPT_FALLBACK 0.9
#define ECE_BINS 15
#define TEMP_MIN_VALID 20       /* fewer held-out rows: no calibration (power 1) */

int hsc__heldout_init(hsc__heldout *v, const hsc__alloc *a, const hsc__fit *fit,
                      const hsc__examples *valid)
{
    v->fit = fit;
    v->valid = valid;
    v->h = hsc__calloc(a, fit->dim, sizeof *v->h);
    if (v->h == NULL)
        return HSC_E_NOMEM;
    return hsc__search_init(&v->search, a, &fit->tree);
}

void hsc__heldout_free(const hsc__alloc *a, hsc__heldout *v)
{
    hsc__search_free(&v->search);
    hsc__free(a, v->h);
    v->h = NULL;
}

/* The best code for held-out example i with the fit alone: whether there
 * is one and whether it is the right label (progress reports). */
static int top1(hsc__heldout *v, size_t i, int *found, int *right)
{
    const hsc__fit *fit = v->fit;
    const hsc__example *x = &v->valid->ex[i];
    hsc__outw w = {fit->dim, fit->out, NULL, NULL, 1.0f};
    uint32_t node, n = 0;
    double p;
    hsc__embed_mean(fit->emb, fit->dim, v->valid->feat + x->feat_off, x->n_feat, v->h);
    hsc__search_begin(&v->search);
    int st = hsc__search_topk(&v->search, &fit->tree, &w, v->h, 0, 1, &node, &p, &n);
    *found = st == HSC_OK && n == 1;
    *right = *found && fit->tree.nodes[node].label == x->label;
    return st;
}

double hsc__heldout_accuracy(hsc__heldout *v, size_t max_rows)
{
    size_t n = v->valid->n;
    if (n == 0)
        return -1.0;
    size_t step = max_rows > 0 && n > max_rows ? n / max_rows : 1, n_right = 0, n_seen = 0;
    for (size_t i = 0; i < n; i += step) {
        int found, right;
        top1(v, i, &found, &right);
        n_right += (size_t)right;
        n_seen++;
    }
    return (double)n_right / (double)n_seen;
}

/* ---- the blend and its calibration ---------------------------------------- */

#define CAND_MODEL 16      /* the fit's best labels kept per held-out example */
#define MIX_STEPS 10       /* mix tried in 0, 0.1, ..., 0.9 */
#define MIX_TIE 0.005      /* accuracies this close count as equal */

/* Per held-out example: candidate labels with the fit's probability and
 * the precedents' share; the right label is always among them. In a model
 * with labels below the subheadings, also each one's subheading and the
 * fit's probability of it (the ranking's subheading rule, rank.h). */
typedef struct cand {
    uint32_t label;
    double p, v;
    uint32_t sub;          /* UINT32_MAX: none, or no subheading rule */
    double p_sub;
} cand;

typedef struct heldout_scores {
    size_t n;
    size_t *off;           /* n + 1 offsets into c */
    cand *c;
    uint32_t *gold;
} heldout_scores;

static void scores_free(const hsc__alloc *a, heldout_scores *hs)
{
    hsc__free(a, hs->off);
    hsc__free(a, hs->c);
    hsc__free(a, hs->gold);
}

static void add_cand(cand *c, size_t *n, uint32_t label, double p, double v)
{
    for (size_t i = 0; i < *n; i++)
        if (c[i].label == label) {
            c[i].v += v;
            return;
        }
    c[(*n)++] = (cand){label, p, v, UINT32_MAX, 0.0};
}

/* The fit's candidates and the memory's votes for every held-out example. */
static int score_heldout(hsc__heldout *v, const hsc__alloc *a, const hsc__prec *mem,
                         heldout_scores *hs)
{
    const hsc__fit *fit = v->fit;
    const hsc__examples *ex = v->valid;
    size_t per = CAND_MODEL + HSC__PREC_MAX_NEIGHBOURS + 1;
    hs->n = ex->n;
    hs->off = hsc__calloc(a, ex->n + 1, sizeof *hs->off);
    hs->c = hsc__calloc(a, ex->n * per + 1, sizeof *hs->c);
    hs->gold = hsc__calloc(a, ex->n + 1, sizeof *hs->gold);
    hsc__prec_search ps;
    int st = hsc__prec_search_init(&ps, a, mem);
    if (st == HSC_OK && (hs->off == NULL || hs->c == NULL || hs->gold == NULL))
        st = HSC_E_NOMEM;
    hsc__outw w = {fit->dim, fit->out, NULL, NULL, 1.0f};
    size_t at = 0;
    for (size_t i = 0; i < ex->n && st == HSC_OK; i++) {
        const hsc__example *x = &ex->ex[i];
        uint32_t node[CAND_MODEL], n = 0;
        double p[CAND_MODEL];
        hsc__embed_mean(fit->emb, fit->dim, ex->feat + x->feat_off, x->n_feat, v->h);
        hsc__search_begin(&v->search);
        st = hsc__search_topk(&v->search, &fit->tree, &w, v->h, 0, CAND_MODEL, node, p, &n);
        size_t nc = 0;
        cand *c = hs->c + at;
        for (uint32_t j = 0; j < n && st == HSC_OK; j++)
            add_cand(c, &nc, fit->tree.nodes[node[j]].label, p[j], 0.0);
        if (st == HSC_OK)
            st = hsc__prec_find_keys(&ps, mem, ex->keys + x->key_off, x->n_keys, NULL, NULL);
        for (uint32_t j = 0; j < ps.n_votes && st == HSC_OK; j++) {
            uint32_t l = ps.vote_label[j];
            size_t before = nc;
            add_cand(c, &nc, l, 0.0, ps.vote[j]);
            if (nc > before)
                c[nc - 1].p = hsc__search_path_prob(&v->search, &fit->tree, &w, v->h,
                                                    fit->tree.label_leaf[l]);
        }
        if (st == HSC_OK) {
            size_t before = nc;
            add_cand(c, &nc, x->label, 0.0, 0.0);
            if (nc > before)
                c[nc - 1].p = hsc__search_path_prob(&v->search, &fit->tree, &w, v->h,
                                                    fit->tree.label_leaf[x->label]);
        }
        for (size_t j = 0; st == HSC_OK && hsc__tree_below_subheadings(&fit->tree) && j < nc; j++) {
            c[j].sub = hsc__subheading_of(&fit->tree, fit->tree.label_leaf[c[j].label]);
            if (c[j].sub != UINT32_MAX)
                c[j].p_sub = hsc__search_path_prob(&v->search, &fit->tree, &w, v->h, c[j].sub);
        }
        hs->gold[i] = x->label;
        hs->off[i] = at;
        at += nc;
        ps.n_votes = 0;
    }
    if (hs->off != NULL)
        hs->off[st == HSC_OK ? ex->n : 0] = at;
    if (st != HSC_OK)
        hs->n = 0;
    hsc__prec_search_free(&ps);
    return st;
}

/* The best subheading among the candidates c[0..n) by blended score (the
 * fit's probability of it, the votes for labels under it), UINT32_MAX when
 * none has one. */
static uint32_t best_subheading(const cand *c, size_t n, double mix)
{
    uint32_t best = UINT32_MAX;
    double q_best = -1.0;
    for (size_t j = 0; j < n; j++) {
        if (c[j].sub == UINT32_MAX || c[j].sub == best)
            continue;
        double v = 0.0;
        for (size_t k = 0; k < n; k++)
            v += c[k].sub == c[j].sub ? c[k].v : 0.0;
        double q = (1.0 - mix) * c[j].p_sub + mix * v;
        if (q > q_best || (q == q_best && c[j].sub < best))
            q_best = q, best = c[j].sub;
    }
    return best;
}

/* Best and runner-up blended scores of example i, the best chosen as the
 * ranking does (under the best subheading when the rule applies), and
 * whether it is right; *q_gold: the right label's blended score. */
static void blend_top2(const heldout_scores *hs, size_t i, double mix, double *q1, double *q2,
                       int *right, double *q_gold)
{
    *q1 = *q2 = *q_gold = 0.0;
    const cand *c = hs->c + hs->off[i];
    size_t n = hs->off[i + 1] - hs->off[i], best = n;
    int voted = 0;
    for (size_t j = 0; j < n; j++)
        voted |= c[j].v > 0.0;
    if (!voted)
        mix = 0.0;   /* as hsc__mix_for at inference */
    uint32_t sub = best_subheading(c, n, mix);
    double q_best = -1.0;
    for (size_t j = 0; j < n; j++) {
        double q = (1.0 - mix) * c[j].p + mix * c[j].v;
        if (c[j].label == hs->gold[i])
            *q_gold = q;
        if ((sub == UINT32_MAX || c[j].sub == sub) &&
            (q > q_best || (q == q_best && c[j].label < c[best].label)))
            q_best = q, best = j;
    }
    for (size_t j = 0; j < n; j++) {
        double q = (1.0 - mix) * c[j].p + mix * c[j].v;
        if (j != best && q > *q2)
            *q2 = q;
    }
    *q1 = best < n ? q_best : 0.0;
    *right = best < n && c[best].label == hs->gold[i];
}

/* The mix with the best held-out accuracy; among mixes within MIX_TIE of
 * it, the best log-likelihood of the right labels. */
static double fit_mix(const heldout_scores *hs)
{
    double best_acc = -1.0, acc[MIX_STEPS], ll[MIX_STEPS];
    for (int m = 0; m < MIX_STEPS; m++) {
        size_t n_right = 0;
        ll[m] = 0.0;
        for (size_t i = 0; i < hs->n; i++) {
            double q1, q2, qg;
            int right;
            blend_top2(hs, i, m / (double)MIX_STEPS, &q1, &q2, &right, &qg);
            n_right += (size_t)right;
            ll[m] += log(qg > 1e-9 ? qg : 1e-9);
        }
        acc[m] = (double)n_right / (double)hs->n;
        if (acc[m] > best_acc)
            best_acc = acc[m];
    }
    int pick = 0;
    for (int m = 0; m < MIX_STEPS; m++)
        if (acc[m] >= best_acc - MIX_TIE && (acc[pick] < best_acc - MIX_TIE || ll[m] > ll[pick]))
            pick = m;
    return pick / (double)MIX_STEPS;
}

/* How well the calibrated top-1 probability predicts that the top-1 code
 * is right: mean binary cross-entropy. This is what review routing reads
 * ("0.9 means right 9 times in 10"). */
static double top1_bce(const heldout_scores *hs, double mix, double power)
{
    double bce = 0.0;
    for (size_t i = 0; i < hs->n; i++) {
        double q1, q2, qg;
        int right;
        blend_top2(hs, i, mix, &q1, &q2, &right, &qg);
        hsc__calib c = hsc__calib_make(q1, q2, power);
        double p = c.c1 < 1e-6 ? 1e-6 : c.c1 > 1.0 - 1e-6 ? 1.0 - 1e-6 : c.c1;
        bce -= right ? log(p) : log(1.0 - p);
    }
    return bce / (double)hs->n;
}

/* The calibration exponent minimizing the held-out top-1 cross-entropy
 * (golden section on log power over [0.1, 10]). */
static double fit_power(const heldout_scores *hs, double mix)
{
    if (hs->n < TEMP_MIN_VALID)
        return 1.0;
    double lo = log(0.1), hi = log(10.0);
    const double g = 0.6180339887498949;
    double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
    double fa = top1_bce(hs, mix, exp(a)), fb = top1_bce(hs, mix, exp(b));
    for (int it = 0; it < 30; it++) {
        if (fa < fb) {
            hi = b, b = a, fb = fa;
            a = hi - g * (hi - lo);
            fa = top1_bce(hs, mix, exp(a));
        } else {
            lo = a, a = b, fa = fb;
            b = lo + g * (hi - lo);
            fb = top1_bce(hs, mix, exp(b));
        }
    }
    return exp((lo + hi) / 2);
}

/* The held-out rows' calibrated top-1 confidences. */
static int confidences(const heldout_scores *hs, double mix, double power, hsc_eval *ev,
                       double *accuracy)
{
    int st = HSC_OK;
    size_t n_right = 0;
    for (size_t i = 0; i < hs->n && st == HSC_OK; i++) {
        double q1, q2, qg;
        int right;
        blend_top2(hs, i, mix, &q1, &q2, &right, &qg);
        hsc__calib c = hsc__calib_make(q1, q2, power);
        n_right += (size_t)right;
        st = hsc_eval_add(ev, q1 > 0.0 ? c.c1 : HSC_EVAL_NO_SUGGESTION, (uint32_t)right);
    }
    *accuracy = hs->n > 0 ? (double)n_right / (double)hs->n : -1.0;
    return st;
}

/* The default accept threshold: the config's; on too few rows, an adapted
 * model's base's (prior >= 0: fitted on rows like the base's, safer than a
 * guess) or a fixed fallback; else the lowest reaching the target precision,
 * at least the floor (1, review everything, when none does). */
static int choose_threshold(hsc_eval *ev, size_t n_valid, double config, double prior,
                            hsc__calibration *c)
{
    if (config >= 0) {
        c->threshold = config, c->threshold_from = "config";
        return HSC_OK;
    }
    if (n_valid < ACCEPT_MIN_VALID && prior >= 0) {
        c->threshold = prior, c->threshold_from = "base";
        return HSC_OK;
    }
    if (n_valid < ACCEPT_MIN_VALID) {
        c->threshold = ACCEPT_FALLBACK, c->threshold_from = "fallback";
        return HSC_OK;
    }
    double t;
    int st = hsc_eval_threshold(ev, ACCEPT_TARGET, ACCEPT_MIN_TAKEN, &t);
    if (st == HSC_E_NO_RESULT || st == HSC_E_NO_DATA) {
        c->threshold = 1.0, c->threshold_from = "unreached";
        return HSC_OK;
    }
    c->threshold = t < ACCEPT_FLOOR ? ACCEPT_FLOOR : t, c->threshold_from = "validation";
    return st;
}

int hsc__calibrate(hsc__heldout *v, const hsc__alloc *a, const hsc__prec *mem,
                   const hsc__scoring *prior, double prior_threshold, double config_threshold,
                   double config_mix, hsc__calibration *out)
{
    hsc__calibration c = {0};
    c.accuracy = c.fit_accuracy = hsc__heldout_accuracy(v, 0);
    c.ece = -1.0;
    c.power = 1.0;
    c.mix_from = "none";
    heldout_scores hs = {0};
    hsc_eval *ev = NULL;
    int st = score_heldout(v, a, mem, &hs);
    if (st == HSC_OK) {
        int use_prior = prior != NULL && hs.n < TEMP_MIN_VALID;   /* too few rows to fit */
        if (mem->n_rows == 0)
            c.mix = 0.0, c.mix_from = "none";
        else if (config_mix >= 0.0)
            c.mix = config_mix, c.mix_from = "config";
        else if (use_prior)
            c.mix = prior->mix, c.mix_from = "base";
        else
            c.mix = hs.n > 0 ? fit_mix(&hs) : 0.0, c.mix_from = hs.n > 0 ? "validation" : "none";
        if (use_prior)
            c.power = prior->power, c.from_prior = 1;
        else if (hs.n > 0)
            c.power = fit_power(&hs, c.mix);
    }
    if (st == HSC_OK)
        st = hsc__eval_new(a, &ev);
    if (st == HSC_OK)
        st = confidences(&hs, c.mix, c.power, ev, &c.accuracy);
    if (st == HSC_OK && hsc_eval_calibration(ev, ECE_BINS, &c.ece, NULL) != HSC_OK)
        c.ece = -1.0;   /* not available: no held-out row */
    if (st == HSC_OK)
        st = choose_threshold(ev, v->valid->n, config_threshold, prior_threshold, &c);
    uint64_t rows = 0, taken = 0, hits = 0;
    if (st == HSC_OK)
        st = hsc_eval_count(ev, &rows, NULL, NULL);
    if (st == HSC_OK)
        st = hsc_eval_accepted(ev, c.threshold, &taken, &hits);
    c.share = rows > 0 ? (double)taken / (double)rows : 0.0;
    c.precision = taken > 0 ? (double)hits / (double)taken : 0.0;
    hsc_eval_free(ev);
    scores_free(a, &hs);
    *out = c;
    return st;
}

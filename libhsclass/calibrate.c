/* calibrate.c - what the held-out examples say about a fit: its top-1
 * accuracy, the temperature that calibrates its probabilities, and the
 * model's default accept threshold with its calibration error, measured
 * with hsc_eval like every other evaluation. */
#include <math.h>

#include "trainer.h"

#define ACCEPT_TARGET 0.95      /* top-1 precision of what is auto-accepted */
#define ACCEPT_MIN_VALID 50     /* fewer held-out rows: the fallback */
#define ACCEPT_MIN_TAKEN 10     /* a threshold must accept this many rows */
#define ACCEPT_FLOOR 0.5
#define ACCEPT_FALLBACK 0.9
#define ECE_BINS 15
#define TEMP_MIN_VALID 20       /* fewer held-out rows: temperature 1 */

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

/* The best code for held-out example i at temperature temp: whether there
 * is one, its probability and whether it is the right label. */
static int top1(hsc__heldout *v, size_t i, double temp, int *found, double *p, int *right)
{
    const hsc__fit *fit = v->fit;
    const hsc__example *x = &v->valid->ex[i];
    hsc__outw w = {fit->dim, fit->out, NULL, NULL, (float)(1.0 / temp)};
    uint32_t node, n = 0;
    *p = 0.0;
    hsc__embed_mean(fit->emb, fit->dim, v->valid->feat + x->feat_off, x->n_feat, v->h);
    hsc__search_begin(&v->search);
    int st = hsc__search_topk(&v->search, &fit->tree, &w, v->h, 0, 1, &node, p, &n);
    *found = st == HSC_OK && n == 1;
    *right = *found && fit->tree.nodes[node].label == x->label;
    if (!*found)
        *p = 0.0;
    return st;
}

double hsc__heldout_accuracy(hsc__heldout *v)
{
    if (v->valid->n == 0)
        return -1.0;
    size_t n_right = 0;
    for (size_t i = 0; i < v->valid->n; i++) {
        int found, right;
        double p;
        top1(v, i, 1.0, &found, &p, &right);
        n_right += (size_t)right;
    }
    return (double)n_right / (double)v->valid->n;
}

/* How well the top-1 probability at temperature T predicts that the top-1
 * code is right: mean binary cross-entropy. This is what review routing
 * reads ("0.9 means right 9 times in 10"); fitting the full likelihood
 * instead let a few hopeless rows flatten every score (under-confident). */
static double top1_bce(hsc__heldout *v, double temp)
{
    double bce = 0.0;
    for (size_t i = 0; i < v->valid->n; i++) {
        int found, right;
        double p;
        top1(v, i, temp, &found, &p, &right);
        if (!found)
            continue;
        p = p < 1e-6 ? 1e-6 : p > 1.0 - 1e-6 ? 1.0 - 1e-6 : p;
        bce -= right ? log(p) : log(1.0 - p);
    }
    return bce / (double)v->valid->n;
}

/* Temperature scaling: the T minimizing the held-out top-1 cross-entropy
 * (golden section on log T over [0.25, 8]). */
static double fit_temperature(hsc__heldout *v)
{
    if (v->valid->n < TEMP_MIN_VALID)
        return 1.0;
    double lo = log(0.25), hi = log(8.0);
    const double g = 0.6180339887498949;
    double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
    double fa = top1_bce(v, exp(a)), fb = top1_bce(v, exp(b));
    for (int it = 0; it < 24; it++) {
        if (fa < fb) {
            hi = b;
            b = a;
            fb = fa;
            a = hi - g * (hi - lo);
            fa = top1_bce(v, exp(a));
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + g * (hi - lo);
            fb = top1_bce(v, exp(b));
        }
    }
    return exp((lo + hi) / 2);
}

/* The held-out rows' calibrated top-1 confidences. */
static int confidences(hsc__heldout *v, double temp, hsc_eval *ev)
{
    int st = HSC_OK;
    for (size_t i = 0; i < v->valid->n && st == HSC_OK; i++) {
        int found, right;
        double p;
        st = top1(v, i, temp, &found, &p, &right);
        if (st == HSC_OK)
            st = hsc_eval_add(ev, found ? p : HSC_EVAL_NO_SUGGESTION, (uint32_t)right);
    }
    return st;
}

/* The default accept threshold: the config's; a fixed fallback on too few
 * rows; else the lowest reaching the target precision, at least the floor
 * (1, review everything, when none does). */
static int choose_threshold(hsc_eval *ev, size_t n_valid, double config, hsc__calibration *c)
{
    if (config >= 0) {
        c->threshold = config, c->threshold_from = "config";
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

int hsc__calibrate(hsc__heldout *v, const hsc__alloc *a, double config_threshold,
                   hsc__calibration *out)
{
    hsc__calibration c = {0};
    c.temperature = fit_temperature(v);
    c.accuracy = hsc__heldout_accuracy(v);
    c.ece = -1.0;
    hsc_eval *ev = NULL;
    int st = hsc__eval_new(a, &ev);
    if (st == HSC_OK)
        st = confidences(v, c.temperature, ev);
    if (st == HSC_OK && hsc_eval_calibration(ev, ECE_BINS, &c.ece, NULL) != HSC_OK)
        c.ece = -1.0;   /* not available: no held-out row */
    if (st == HSC_OK)
        st = choose_threshold(ev, v->valid->n, config_threshold, &c);
    uint64_t rows = 0, taken = 0, hits = 0;
    if (st == HSC_OK)
        st = hsc_eval_count(ev, &rows, NULL, NULL);
    if (st == HSC_OK)
        st = hsc_eval_accepted(ev, c.threshold, &taken, &hits);
    c.share = rows > 0 ? (double)taken / (double)rows : 0.0;
    c.precision = taken > 0 ? (double)hits / (double)taken : 0.0;
    hsc_eval_free(ev);
    *out = c;
    return st;
}

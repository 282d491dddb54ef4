/* eval.c - hsc_eval: calibration measured once, for the trainer's
 * held-out rows, `hsclass eval` and the bindings alike. An accumulator of
 * (confidence of the best code, is it right) pairs, and what they say:
 * expected calibration error, reliability bins, the share accepted at a
 * threshold, and the threshold that reaches a precision. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hsc_internal.h"

#define MAX_BINS 10000u

typedef struct eval_row {
    double conf;        /* 0 for a row without suggestion */
    uint8_t correct;
    uint8_t suggested;
} eval_row;

struct hsc_eval {
    hsc__alloc alloc;
    eval_row *rows;
    size_t n, cap;
    uint64_t suggested, correct;
    struct ranked_row *rank;  /* the rows by decreasing confidence (built on demand) */
    size_t n_ranked;          /* rows covered by rank; stale when != n */
};

int hsc__eval_new(const hsc__alloc *a, hsc_eval **out)
{
    hsc_eval *ev = hsc__calloc(a, 1, sizeof *ev);
    *out = ev;
    if (ev == NULL)
        return HSC_E_NOMEM;
    ev->alloc = *a;
    return HSC_OK;
}

hsc_status hsc_eval_new(const hsc_config *cfg, hsc_eval **out)
{
    hsc__alloc a = {0};   /* NULL functions: the C library's */
    if (out == NULL)
        return HSC_E_INVALID_ARG;
    if (cfg != NULL)
        a = cfg->alloc;
    return hsc__eval_new(&a, out);
}

void hsc_eval_free(hsc_eval *ev)
{
    if (ev == NULL)
        return;
    hsc__alloc a = ev->alloc;
    hsc__free(&a, ev->rows);
    hsc__free(&a, ev->rank);
    hsc__free(&a, ev);
}

hsc_status hsc_eval_add(hsc_eval *ev, double confidence, uint32_t correct)
{
    int suggested = confidence >= 0.0;
    if (ev == NULL || isnan(confidence) || confidence > 1.0 || correct > 1 ||
        (!suggested && correct))
        return HSC_E_INVALID_ARG;
    if (ev->n == ev->cap) {
        eval_row *r = hsc__grow_array(&ev->alloc, ev->rows, &ev->cap, ev->n + 1, sizeof *r, 1024);
        if (r == NULL)
            return HSC_E_NOMEM;
        ev->rows = r;
    }
    ev->rows[ev->n++] = (eval_row){suggested ? confidence : 0.0, (uint8_t)correct,
                                   (uint8_t)suggested};
    ev->suggested += (uint64_t)suggested;
    ev->correct += correct;
    return HSC_OK;
}

hsc_status hsc_eval_count(const hsc_eval *ev, uint64_t *rows, uint64_t *suggested,
                          uint64_t *correct)
{
    if (ev == NULL)
        return HSC_E_INVALID_ARG;
    if (rows != NULL)
        *rows = ev->n;
    if (suggested != NULL)
        *suggested = ev->suggested;
    if (correct != NULL)
        *correct = ev->correct;
    return HSC_OK;
}

/* ---- calibration -------------------------------------------------------------- */

/* Equal-width bin of a confidence: [b / bins, (b + 1) / bins), the last one
 * closed. The edges are compared as computed, so a confidence equal to an
 * edge lands where the comparison puts it. */
static uint32_t bin_of(double conf, uint32_t bins)
{
    uint32_t b = (uint32_t)(conf * bins);
    if (b >= bins)
        b = bins - 1;
    while (b > 0 && conf < (double)b / bins)
        b--;
    while (b + 1 < bins && conf >= (double)(b + 1) / bins)
        b++;
    return b;
}

typedef struct bin_sum {
    double conf;
    uint64_t rows, correct;
} bin_sum;

/* Per-bin sums over every row, in row order. */
static int bin_sums(const hsc_eval *ev, uint32_t bins, bin_sum **out)
{
    bin_sum *s = hsc__calloc(&ev->alloc, bins, sizeof *s);
    *out = s;
    if (s == NULL)
        return HSC_E_NOMEM;
    for (size_t i = 0; i < ev->n; i++) {
        bin_sum *b = &s[bin_of(ev->rows[i].conf, bins)];
        b->conf += ev->rows[i].conf;
        b->rows++;
        b->correct += ev->rows[i].correct;
    }
    return HSC_OK;
}

static int calibration_args(const hsc_eval *ev, uint32_t bins)
{
    if (ev == NULL || bins == 0 || bins > MAX_BINS)
        return HSC_E_INVALID_ARG;
    return ev->suggested > 0 ? HSC_OK : HSC_E_NO_DATA;
}

hsc_status hsc_eval_calibration(const hsc_eval *ev, uint32_t bins, double *ece,
                                double *mean_confidence)
{
    int st = calibration_args(ev, bins);
    bin_sum *s = NULL;
    if (st == HSC_OK)
        st = bin_sums(ev, bins, &s);
    if (st != HSC_OK)
        return st;
    double err = 0.0;
    for (uint32_t b = 0; b < bins; b++)
        if (s[b].rows > 0)
            err += fabs(s[b].conf - (double)s[b].correct) / (double)ev->n;
    hsc__free(&ev->alloc, s);
    if (ece != NULL)
        *ece = err;
    if (mean_confidence != NULL) {
        double sum = 0.0;
        for (size_t i = 0; i < ev->n; i++)
            sum += ev->rows[i].conf;
        *mean_confidence = sum / (double)ev->n;
    }
    return HSC_OK;
}

hsc_status hsc_eval_reliability(const hsc_eval *ev, uint32_t bins, uint32_t bin, uint64_t *rows,
                                double *mean_confidence, double *accuracy)
{
    uint64_t unused;
    if (rows == NULL)
        rows = &unused;
    *rows = 0;
    int st = calibration_args(ev, bins);
    if (st != HSC_OK)
        return st;
    if (bin >= bins)
        return HSC_E_NO_RESULT;
    double conf = 0.0;
    uint64_t n = 0, correct = 0;
    for (size_t i = 0; i < ev->n; i++) {
        if (bin_of(ev->rows[i].conf, bins) != bin)
            continue;
        conf += ev->rows[i].conf;
        n++;
        correct += ev->rows[i].correct;
    }
    *rows = n;
    if (mean_confidence != NULL)
        *mean_confidence = n > 0 ? conf / (double)n : 0.0;
    if (accuracy != NULL)
        *accuracy = n > 0 ? (double)correct / (double)n : 0.0;
    return HSC_OK;
}

/* ---- accepting by threshold ------------------------------------------------------ */

hsc_status hsc_eval_accepted(const hsc_eval *ev, double threshold, uint64_t *accepted,
                             uint64_t *correct)
{
    if (ev == NULL || isnan(threshold))
        return HSC_E_INVALID_ARG;
    uint64_t taken = 0, hits = 0;
    for (size_t i = 0; i < ev->n; i++)
        if (ev->rows[i].suggested && ev->rows[i].conf >= threshold)
            taken++, hits += ev->rows[i].correct;
    if (accepted != NULL)
        *accepted = taken;
    if (correct != NULL)
        *correct = hits;
    return HSC_OK;
}

typedef struct ranked_row {
    eval_row row;
    size_t index;       /* order of arrival */
} ranked_row;

/* Rows without a suggestion last, then by decreasing confidence, then in
 * the order they were added: one order on every platform. */
static int by_rank(const void *x, const void *y)
{
    const ranked_row *a = x, *b = y;
    if (a->row.suggested != b->row.suggested)
        return a->row.suggested ? -1 : 1;
    if (a->row.conf != b->row.conf)
        return a->row.conf > b->row.conf ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int ensure_ranked(hsc_eval *ev)
{
    if (ev->rank != NULL && ev->n_ranked == ev->n)
        return HSC_OK;
    ranked_row *r = hsc__realloc_array(&ev->alloc, ev->rank, ev->n > 0 ? ev->n : 1, sizeof *r);
    if (r == NULL)
        return HSC_E_NOMEM;
    ev->rank = r;
    for (size_t i = 0; i < ev->n; i++)
        r[i] = (ranked_row){ev->rows[i], i};
    qsort(r, ev->n, sizeof *r, by_rank);
    ev->n_ranked = ev->n;
    return HSC_OK;
}

hsc_status hsc_eval_threshold(hsc_eval *ev, double precision, uint64_t min_accepted,
                              double *threshold)
{
    if (ev == NULL || threshold == NULL || !(precision >= 0.0 && precision <= 1.0))
        return HSC_E_INVALID_ARG;
    *threshold = -1.0;
    if (ev->suggested == 0)
        return HSC_E_NO_DATA;
    int st = ensure_ranked(ev);
    if (st != HSC_OK)
        return st;
    uint64_t hits = 0;
    for (size_t k = 0; k < ev->suggested; k++) {
        const eval_row *r = &ev->rank[k].row;
        hits += r->correct;
        /* cut only between distinct confidences: ties are taken together */
        if (k + 1 < ev->suggested && ev->rank[k + 1].row.conf == r->conf)
            continue;
        if (k + 1 >= min_accepted && (double)hits / (double)(k + 1) >= precision)
            *threshold = r->conf;
    }
    return *threshold >= 0.0 ? HSC_OK : HSC_E_NO_RESULT;
}

hsc_status hsc_eval_ranked(hsc_eval *ev, uint64_t rank, double *confidence, uint32_t *correct)
{
    if (ev == NULL)
        return HSC_E_INVALID_ARG;
    if (rank >= ev->n)
        return HSC_E_NO_RESULT;
    int st = ensure_ranked(ev);
    if (st != HSC_OK)
        return st;
    const eval_row *r = &ev->rank[rank].row;
    if (confidence != NULL)
        *confidence = r->suggested ? r->conf : HSC_EVAL_NO_SUGGESTION;
    if (correct != NULL)
        *correct = r->correct;
    return HSC_OK;
}

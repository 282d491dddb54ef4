/* test_eval.c - hsc_eval through the public header: thresholds at a
 * precision (ties taken together), what a threshold accepts, calibration
 * error and reliability bins, rows without a suggestion, "not available",
 * the rank order and argument checks. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hsclass.h"

static hsc_eval *with_rows(const double *conf, const uint32_t *right, size_t n)
{
    hsc_eval *ev = NULL;
    assert_int_equal(hsc_eval_new(NULL, &ev), HSC_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(hsc_eval_add(ev, conf[i], right[i]), HSC_OK);
    return ev;
}

static void test_threshold_at_precision(void **state)
{
    (void)state;
    /* 20 rows: the 10 most confident right, then alternating */
    double conf[20];
    uint32_t right[20];
    for (int i = 0; i < 20; i++) {
        conf[i] = 1.0 - 0.04 * i;
        right[i] = i < 10 || (i % 2 == 0);
    }
    hsc_eval *ev = with_rows(conf, right, 20);
    double t;
    uint64_t taken, hits;
    /* top 11 rows (10 right + row 10 right) = 100%, top 12: 11/12 = 0.917 */
    assert_int_equal(hsc_eval_threshold(ev, 0.95, 5, &t), HSC_OK);
    assert_true(fabs(t - conf[10]) < 1e-12);
    assert_int_equal(hsc_eval_accepted(ev, t, &taken, &hits), HSC_OK);
    assert_int_equal(taken, 11);
    assert_int_equal(hits, 11);
    assert_int_equal(hsc_eval_threshold(ev, 0.80, 5, &t), HSC_OK);
    assert_true(fabs(t - conf[16]) < 1e-12);   /* 15/17 = 0.882; 15/18 = 0.833; 16/19 = 0.842 */
    assert_int_equal(hsc_eval_threshold(ev, 0.95, 12, &t), HSC_E_NO_RESULT);
    assert_true(t < 0);
    hsc_eval_free(ev);

    /* ties are taken together */
    double tied[4] = {0.9, 0.9, 0.9, 0.5};
    uint32_t r4[4] = {1, 0, 1, 1};
    ev = with_rows(tied, r4, 4);
    assert_int_equal(hsc_eval_threshold(ev, 0.6, 1, &t), HSC_OK);
    assert_true(t == 0.5);
    assert_int_equal(hsc_eval_threshold(ev, 0.8, 1, &t), HSC_E_NO_RESULT);
    assert_int_equal(hsc_eval_accepted(ev, 0.9, &taken, &hits), HSC_OK);
    assert_int_equal(taken, 3);
    assert_int_equal(hits, 2);
    hsc_eval_free(ev);
}

static void test_calibration_error(void **state)
{
    (void)state;
    /* perfect calibration gives 0; all-confident coin flips 0.5 */
    double c2[10];
    uint32_t r2[10];
    for (int i = 0; i < 10; i++)
        c2[i] = 0.7, r2[i] = i < 7;
    hsc_eval *ev = with_rows(c2, r2, 10);
    double ece, mean;
    assert_int_equal(hsc_eval_calibration(ev, 15, &ece, &mean), HSC_OK);
    assert_true(ece < 1e-12);
    assert_true(fabs(mean - 0.7) < 1e-12);
    hsc_eval_free(ev);
    for (int i = 0; i < 10; i++)
        c2[i] = 1.0, r2[i] = (uint32_t)(i % 2);
    ev = with_rows(c2, r2, 10);
    assert_int_equal(hsc_eval_calibration(ev, 10, &ece, NULL), HSC_OK);
    assert_true(fabs(ece - 0.5) < 1e-12);
    /* confidence 1 falls in the last (closed) bin */
    uint64_t n;
    double bin_conf, acc;
    assert_int_equal(hsc_eval_reliability(ev, 10, 9, &n, &bin_conf, &acc), HSC_OK);
    assert_int_equal(n, 10);
    assert_true(bin_conf == 1.0 && acc == 0.5);
    assert_int_equal(hsc_eval_reliability(ev, 10, 0, &n, &bin_conf, &acc), HSC_OK);
    assert_int_equal(n, 0);
    assert_true(bin_conf == 0.0 && acc == 0.0);
    assert_int_equal(hsc_eval_reliability(ev, 10, 10, &n, NULL, NULL), HSC_E_NO_RESULT);
    hsc_eval_free(ev);
}

static void test_bins_and_ece_agree(void **state)
{
    (void)state;
    hsc_eval *ev = NULL;
    assert_int_equal(hsc_eval_new(NULL, &ev), HSC_OK);
    uint32_t x = 7;
    for (int i = 0; i < 500; i++) {
        x = x * 1664525u + 1013904223u;
        double c = (double)(x >> 8) / (double)(1u << 24);
        assert_int_equal(hsc_eval_add(ev, i % 50 == 0 ? 0.4 : c, (x >> 3) & 1), HSC_OK);
    }
    /* edges: 6/15 = 0.4 opens bin 6 */
    assert_int_equal(hsc_eval_add(ev, 0.4, 1), HSC_OK);
    double ece, sum = 0.0;
    uint64_t rows = 0, total = 0;
    assert_int_equal(hsc_eval_calibration(ev, 15, &ece, NULL), HSC_OK);
    assert_int_equal(hsc_eval_count(ev, &total, NULL, NULL), HSC_OK);
    for (uint32_t b = 0; b < 15; b++) {
        uint64_t n;
        double c, acc;
        assert_int_equal(hsc_eval_reliability(ev, 15, b, &n, &c, &acc), HSC_OK);
        if (b == 6)
            assert_true(n >= 11);
        rows += n;
        sum += fabs(c - acc) * (double)n / (double)total;
    }
    assert_int_equal(rows, total);
    assert_true(fabs(sum - ece) < 1e-9);
    hsc_eval_free(ev);
}

static void test_rows_without_suggestion(void **state)
{
    (void)state;
    hsc_eval *ev = NULL;
    assert_int_equal(hsc_eval_new(NULL, &ev), HSC_OK);
    double ece, t;
    uint64_t rows, suggested, correct, taken;
    /* nothing to calibrate: not available */
    assert_int_equal(hsc_eval_calibration(ev, 15, &ece, NULL), HSC_E_NO_DATA);
    assert_int_equal(hsc_eval_threshold(ev, 0.9, 1, &t), HSC_E_NO_DATA);
    assert_int_equal(hsc_eval_add(ev, HSC_EVAL_NO_SUGGESTION, 0), HSC_OK);
    assert_int_equal(hsc_eval_add(ev, -0.5, 0), HSC_OK);
    assert_int_equal(hsc_eval_calibration(ev, 15, &ece, NULL), HSC_E_NO_DATA);
    assert_int_equal(hsc_eval_reliability(ev, 15, 0, &rows, NULL, NULL), HSC_E_NO_DATA);
    assert_int_equal(hsc_eval_accepted(ev, 0.0, &taken, NULL), HSC_OK);
    assert_int_equal(taken, 0);   /* no suggestion is never accepted */
    /* with suggestions, the others count as wrong at confidence 0 */
    assert_int_equal(hsc_eval_add(ev, 0.8, 1), HSC_OK);
    assert_int_equal(hsc_eval_add(ev, 0.8, 1), HSC_OK);
    assert_int_equal(hsc_eval_count(ev, &rows, &suggested, &correct), HSC_OK);
    assert_true(rows == 4 && suggested == 2 && correct == 2);
    double mean;
    assert_int_equal(hsc_eval_calibration(ev, 15, &ece, &mean), HSC_OK);
    assert_true(fabs(ece - 0.1) < 1e-12);   /* (|1.6 - 2| + 0) / 4 */
    assert_true(fabs(mean - 0.4) < 1e-12);
    assert_int_equal(hsc_eval_threshold(ev, 1.0, 1, &t), HSC_OK);
    assert_true(t == 0.8);
    assert_int_equal(hsc_eval_accepted(ev, 0.0, &taken, NULL), HSC_OK);
    assert_int_equal(taken, 2);
    /* rank: by confidence, rows without a suggestion last, then as added */
    double c;
    uint32_t r;
    assert_int_equal(hsc_eval_ranked(ev, 0, &c, &r), HSC_OK);
    assert_true(c == 0.8 && r == 1);
    assert_int_equal(hsc_eval_ranked(ev, 3, &c, &r), HSC_OK);
    assert_true(c == HSC_EVAL_NO_SUGGESTION && r == 0);
    assert_int_equal(hsc_eval_ranked(ev, 4, &c, &r), HSC_E_NO_RESULT);
    /* rows added after a ranking are ranked too */
    assert_int_equal(hsc_eval_add(ev, 0.9, 0), HSC_OK);
    assert_int_equal(hsc_eval_ranked(ev, 0, &c, &r), HSC_OK);
    assert_true(c == 0.9 && r == 0);
    hsc_eval_free(ev);
}

static void test_arguments(void **state)
{
    (void)state;
    hsc_eval *ev = NULL;
    double d;
    uint64_t u;
    assert_int_equal(hsc_eval_new(NULL, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_new(NULL, &ev), HSC_OK);
    assert_int_equal(hsc_eval_add(NULL, 0.5, 1), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_add(ev, 1.5, 1), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_add(ev, NAN, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_add(ev, 0.5, 2), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_add(ev, HSC_EVAL_NO_SUGGESTION, 1), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_add(ev, 0.5, 1), HSC_OK);
    assert_int_equal(hsc_eval_count(ev, NULL, NULL, NULL), HSC_OK);   /* several outputs */
    assert_int_equal(hsc_eval_count(NULL, &u, NULL, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_calibration(ev, 0, &d, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_calibration(ev, 10001, &d, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_calibration(ev, 15, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_eval_reliability(ev, 15, 0, NULL, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_eval_accepted(ev, NAN, &u, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_accepted(ev, 0.5, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_eval_threshold(ev, 1.5, 1, &d), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_threshold(ev, 0.5, 1, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_eval_ranked(NULL, 0, &d, NULL), HSC_E_INVALID_ARG);
    hsc_eval_free(ev);
    hsc_eval_free(NULL);
}

/* The config's allocator serves the eval object, and nothing leaks. */
typedef struct counting {
    long live;
} counting;

static void *c_calloc(void *u, size_t n, size_t size)
{
    ((counting *)u)->live++;
    return calloc(n, size);
}

static void *c_realloc(void *u, void *p, size_t size)
{
    if (p == NULL)
        ((counting *)u)->live++;
    return realloc(p, size);
}

static void c_free(void *u, void *p)
{
    if (p != NULL)
        ((counting *)u)->live--;
    free(p);
}

static void test_allocator(void **state)
{
    (void)state;
    counting c = {0};
    hsc_config *cfg = NULL;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_allocator(cfg, c_calloc, c_realloc, c_free, &c), HSC_OK);
    hsc_eval *ev = NULL;
    assert_int_equal(hsc_eval_new(cfg, &ev), HSC_OK);
    hsc_config_free(cfg);
    for (int i = 0; i < 3000; i++)
        assert_int_equal(hsc_eval_add(ev, (i % 100) / 100.0, (uint32_t)(i % 3 == 0)), HSC_OK);
    double t, ece;
    assert_int_equal(hsc_eval_calibration(ev, 15, &ece, NULL), HSC_OK);
    assert_true(hsc_eval_threshold(ev, 0.3, 10, &t) == HSC_OK);
    assert_true(c.live > 0);
    hsc_eval_free(ev);
    assert_int_equal(c.live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threshold_at_precision),
        cmocka_unit_test(test_calibration_error),
        cmocka_unit_test(test_bins_and_ece_agree),
        cmocka_unit_test(test_rows_without_suggestion),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

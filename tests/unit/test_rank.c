/* test_rank.c - the final scores: the precedent memory (index, search,
 * votes, file round trip), the order-preserving calibration, the exact
 * top-k of the blend, any code's score and rank (hsc_session_code_score)
 * and the audit rule, and format 1.1 models scoring exactly as before. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model.h"
#include "test_util.h"

static hsc_model *model;   /* trained from tests/data, with a memory and its texts */

static int setup(void **state)
{
    (void)state;
    hsc_config *cfg = NULL;
    hsc_trainer *tr = NULL;
    hsc_status st = hsc_config_new(&cfg);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_DIM, 24);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 6);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 1u << 18);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_KEEP_PRECEDENT_TEXTS, 1);
    if (!st) st = hsc_config_set_f64(cfg, HSC_CFG_VALID_FRACTION, 0.2);
    if (!st) st = hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "en,fr");
    if (!st) st = hsc_trainer_new(cfg, &tr);
    if (!st) st = hsc_trainer_add_file(tr, test_data_path("train_nomenclature.tsv"), 1.0,
                                       HSC_ROWS_NOMENCLATURE);
    if (!st) st = hsc_trainer_add_file(tr, test_data_path("train_real.tsv"), 3.0, 0);
    if (!st) st = hsc_trainer_train(tr, &model);
    hsc_trainer_free(tr);
    hsc_config_free(cfg);
    return st == HSC_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hsc_model_free(model);
    return 0;
}

/* The descriptions of tests/data/test.tsv (code<TAB>text), at most max. */
static size_t test_texts(char (*out)[256], size_t max)
{
    FILE *f = fopen(test_data_path("test.tsv"), "r");
    assert_non_null(f);
    char line[1024];
    size_t n = 0;
    while (n < max && fgets(line, sizeof line, f) != NULL) {
        char *tab = strchr(line, '\t');
        if (tab == NULL)
            continue;
        snprintf(out[n], sizeof out[n], "%s", tab + 1);
        out[n][strcspn(out[n], "\t\r\n")] = '\0';
        n++;
    }
    fclose(f);
    return n;
}

/* ---- the calibration map ----------------------------------------------------- */

static void test_calibration_keeps_order_and_total(void **state)
{
    (void)state;
    const double powers[] = {0.1, 0.4, 0.8, 1.0, 1.3, 3.0, 10.0};
    for (size_t i = 0; i < sizeof powers / sizeof *powers; i++) {
        double prev_c1 = -1.0;
        for (int a = 1; a <= 99; a++) {
            double q1 = a / 100.0;
            for (int b = 0; b <= 10; b++) {
                double q2 = q1 * b / 10.0;
                if (q2 > 1.0 - q1)
                    q2 = 1.0 - q1;   /* a runner-up can have at most the rest */
                hsc__calib c = hsc__calib_make(q1, q2, powers[i]);
                assert_true(c.c1 >= c.s * q2 - 1e-12);                /* still first */
                assert_true(fabs(c.c1 + c.s * (1.0 - q1) - 1.0) < 1e-9); /* sums to 1 */
                assert_true(c.c1 >= 0.0 && c.c1 <= 1.0 && c.s >= 0.0);
            }
            hsc__calib c = hsc__calib_make(q1, 0.0, powers[i]);
            assert_true(c.c1 >= prev_c1);   /* monotone in q1 */
            prev_c1 = c.c1;
        }
    }
    hsc__calib id = hsc__calib_make(0.3, 0.2, 1.0);
    assert_true(id.c1 == 0.3 && id.s == 1.0);
}

/* The order of every label for many texts is the same with and without
 * the model's calibration. */
static void test_calibration_never_reorders(void **state)
{
    (void)state;
    static char texts[200][256];
    size_t n_texts = test_texts(texts, 200), n_labels;
    assert_true(n_texts > 100);
    assert_int_equal(hsc_model_label_count(model, &n_labels), HSC_OK);
    assert_true(model->scoring.on && model->scoring.power != 1.0);
    hsc_session *s;
    assert_int_equal(hsc_session_new(model, NULL, &s), HSC_OK);
    char(*order)[16] = calloc(n_labels, sizeof *order);
    assert_non_null(order);
    double power = model->scoring.power;
    size_t compared = 0;
    for (size_t t = 0; t < n_texts; t++) {
        size_t n = 0, m = 0;
        model->scoring.power = power;
        assert_int_equal(hsc_session_classify(s, texts[t], strlen(texts[t]), (uint32_t)n_labels),
                         HSC_OK);
        assert_int_equal(hsc_session_result_count(s, 0, &n), HSC_OK);
        for (size_t i = 0; i < n; i++) {
            const char *code;
            assert_int_equal(hsc_session_result(s, 0, i, &code, NULL), HSC_OK);
            snprintf(order[i], sizeof order[i], "%s", code);
        }
        model->scoring.power = 1.0;
        assert_int_equal(hsc_session_classify(s, texts[t], strlen(texts[t]), (uint32_t)n_labels),
                         HSC_OK);
        assert_int_equal(hsc_session_result_count(s, 0, &m), HSC_OK);
        assert_int_equal(m, n);
        for (size_t i = 0; i < n; i++) {
            const char *code;
            assert_int_equal(hsc_session_result(s, 0, i, &code, NULL), HSC_OK);
            if (strcmp(code, order[i]) != 0)
                print_error("\"%s\": rank %zu is %s calibrated, %s not\n", texts[t], i, order[i],
                            code);
            assert_string_equal(code, order[i]);
        }
        compared += n > 1;
    }
    model->scoring.power = power;
    assert_true(compared > 100);
    free(order);
    hsc_session_free(s);
}

/* ---- the blend's top-k -------------------------------------------------------- */

/* Asking for k codes gives the first k of the full ranking, at every level,
 * with the same probabilities; each level sums to 1 and a parent is never
 * below its child. */
static void test_topk_is_exact(void **state)
{
    (void)state;
    static char texts[60][256];
    size_t n_texts = test_texts(texts, 60), n_labels;
    assert_int_equal(hsc_model_label_count(model, &n_labels), HSC_OK);
    hsc_session *all, *few;
    assert_int_equal(hsc_session_new(model, NULL, &all), HSC_OK);
    assert_int_equal(hsc_session_new(model, NULL, &few), HSC_OK);
    const uint32_t levels[] = {0, 2, 4};
    for (size_t t = 0; t < n_texts; t++) {
        const char *text = texts[t];
        assert_int_equal(hsc_session_classify(all, text, strlen(text), (uint32_t)n_labels), HSC_OK);
        assert_int_equal(hsc_session_classify(few, text, strlen(text), 3), HSC_OK);
        for (size_t l = 0; l < 3; l++) {
            size_t n_all = 0, n_few = 0;
            hsc_session_result_count(all, levels[l], &n_all);
            hsc_session_result_count(few, levels[l], &n_few);
            assert_int_equal(n_few, n_all < 3 ? n_all : 3);
            double sum = 0.0, prev = 2.0;
            for (size_t i = 0; i < n_all; i++) {
                const char *a, *b;
                double pa, pb;
                assert_int_equal(hsc_session_result(all, levels[l], i, &a, &pa), HSC_OK);
                assert_true(pa <= prev + 1e-12);
                prev = pa;
                sum += pa;
                if (i < n_few) {
                    assert_int_equal(hsc_session_result(few, levels[l], i, &b, &pb), HSC_OK);
                    assert_string_equal(a, b);
                    assert_true(fabs(pa - pb) < 1e-12);
                }
            }
            if (n_all > 0)
                assert_true(fabs(sum - 1.0) < 1e-6);
        }
        /* the best code's chapter is at least as likely as the code */
        const char *code, *chap;
        double p, pc = 0.0;
        if (hsc_session_result(all, 0, 0, &code, &p) == HSC_OK) {
            for (size_t i = 0; hsc_session_result(all, 2, i, &chap, &pc) == HSC_OK; i++)
                if (strncmp(chap, code, 2) == 0)
                    break;
            assert_true(pc >= p - 1e-12);
        }
    }
    hsc_session_free(all);
    hsc_session_free(few);
}

/* ---- national lines: the subheading rule ------------------------------------------ */

/* The codes of level digits for text, best first, into out (room for
 * max), with the model's calibration exponent set to power. */
static size_t level_codes(hsc_session *s, hsc_model *m, double power, const char *text,
                          uint32_t digits, char (*out)[16], size_t max)
{
    m->scoring.power = power;
    assert_int_equal(hsc_session_classify(s, text, strlen(text), (uint32_t)max), HSC_OK);
    size_t n = 0;
    assert_int_equal(hsc_session_result_count(s, digits, &n), HSC_OK);
    for (size_t i = 0; i < n; i++) {
        const char *code;
        assert_int_equal(hsc_session_result(s, digits, i, &code, NULL), HSC_OK);
        snprintf(out[i], sizeof out[i], "%s", code);
    }
    return n;
}

static void check_code_scores(hsc_session *all, hsc_session *few, const char *text,
                              size_t n_labels);

/* A model with the TEC lines of the slice as labels at 10 digits (most
 * without rows: their subheading's probability is split among them): the
 * best line is the best one of the best subheading, the subheadings' order
 * does not depend on the calibration, and any code's score and place
 * (hsc_session_code_score) are the ranking's, with a constraint too. */
static void test_best_line_under_best_subheading(void **state)
{
    (void)state;
    hsc_config *cfg = NULL;
    hsc_trainer *tr = NULL;
    hsc_model *m = NULL;
    hsc_status st = hsc_config_new(&cfg);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_DIM, 24);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 6);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 1u << 18);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_CODE_DIGITS, 10);
    if (!st) st = hsc_config_set_f64(cfg, HSC_CFG_VALID_FRACTION, 0.2);
    if (!st) st = hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "en,fr");
    if (!st) st = hsc_trainer_new(cfg, &tr);
    if (!st) st = hsc_trainer_add_national_file(tr, test_data_path("tec_cedeao_slice.tsv"),
                                                "TEC-CEDEAO", "fr");
    if (!st) st = hsc_trainer_add_file(tr, test_data_path("train_nomenclature.tsv"), 1.0,
                                       HSC_ROWS_NOMENCLATURE);
    if (!st) st = hsc_trainer_add_file(tr, test_data_path("train_real.tsv"), 3.0, 0);
    if (!st) st = hsc_trainer_train(tr, &m);
    hsc_trainer_free(tr);
    hsc_config_free(cfg);
    assert_int_equal(st, HSC_OK);
    assert_true(m->scoring.on);
    size_t n_labels;
    assert_int_equal(hsc_model_label_count(m, &n_labels), HSC_OK);
    static char texts[200][256];
    size_t n_texts = test_texts(texts, 200), lines_first = 0, split = 0;
    hsc_session *s;
    assert_int_equal(hsc_session_new(m, NULL, &s), HSC_OK);
    static char subs[2][8000][16], best[16];
    assert_true(n_labels <= 8000);
    double power = m->scoring.power;
    for (size_t t = 0; t < n_texts; t++) {
        const char *text = texts[t];
        size_t n6[2];
        for (int c = 0; c < 2; c++) {
            double pw = c == 0 ? 0.3 : 1.0;   /* a sharpening calibration, and none */
            assert_true(level_codes(s, m, pw, text, 0, subs[c], 1) > 0);
            memcpy(best, subs[c][0], sizeof best);
            n6[c] = level_codes(s, m, pw, text, 6, subs[c], n_labels);
            if (strlen(best) >= 6) {
                if (strncmp(best, subs[c][0], 6) != 0)
                    print_error("\"%s\": best line %s, best subheading %s\n", text, best,
                                subs[c][0]);
                assert_memory_equal(best, subs[c][0], 6);
                lines_first += strlen(best) > 6;
            }
        }
        assert_int_equal(n6[0], n6[1]);
        for (size_t i = 0; i < n6[0]; i++)
            assert_string_equal(subs[0][i], subs[1][i]);
        /* uncalibrated, the best line ties a runner-up with more of its own
         * probability when the rule chose it (its subheading is split) */
        const char *a, *b;
        double pa, pb;
        m->scoring.power = 1.0;
        assert_int_equal(hsc_session_classify(s, text, strlen(text), 2), HSC_OK);
        if (hsc_session_result(s, 0, 1, &b, &pb) == HSC_OK &&
            hsc_session_result(s, 0, 0, &a, &pa) == HSC_OK)
            split += fabs(pa - pb) < 1e-9 && strncmp(a, b, 6) != 0;
    }
    assert_true(lines_first > 20);
    assert_true(split > 0);
    m->scoring.power = 0.3;
    hsc_session *few;
    assert_int_equal(hsc_session_new(m, NULL, &few), HSC_OK);
    for (size_t t = 0; t < n_texts; t += 10)
        check_code_scores(s, few, texts[t], n_labels);
    assert_int_equal(hsc_session_set_constraint(s, "04,0201", 7), HSC_OK);
    assert_int_equal(hsc_session_set_constraint(few, "04,0201", 7), HSC_OK);
    for (size_t t = 0; t < n_texts; t += 10)
        check_code_scores(s, few, texts[t], n_labels);
    m->scoring.power = power;
    hsc_session_free(few);
    hsc_session_free(s);
    hsc_model_free(m);
}

/* ---- any code's score, audits ---------------------------------------------------- */

/* Every code of the full ranking, scored from a session that listed only 3:
 * the same probability and the same place, under a constraint too. */
static void check_code_scores(hsc_session *all, hsc_session *few, const char *text,
                              size_t n_labels)
{
    const uint32_t levels[] = {0, 2, 4, 6};
    assert_int_equal(hsc_session_classify(all, text, strlen(text), (uint32_t)n_labels), HSC_OK);
    assert_int_equal(hsc_session_classify(few, text, strlen(text), 3), HSC_OK);
    for (size_t l = 0; l < 4; l++) {
        const char *code;
        double p, q;
        uint64_t rank;
        size_t n = 0;
        hsc_session_result_count(all, levels[l], &n);
        for (size_t i = 0; hsc_session_result(all, levels[l], i, &code, &p) == HSC_OK; i++) {
            if (i >= 24 && i + 1 != n && i % 50 != 0)
                continue;   /* the head, every 50th and the last: valgrind runs this too */
            assert_int_equal(hsc_session_code_score(few, code, strlen(code), levels[l], &q, &rank),
                             HSC_OK);
            assert_true(fabs(p - q) < 1e-12);
            double alone;   /* without the rank: the same probability */
            assert_int_equal(hsc_session_code_score(few, code, strlen(code), levels[l], &alone,
                                                    NULL), HSC_OK);
            assert_true(alone == q);
            /* equal probabilities may trade places; the code at that place scores the same */
            const char *there;
            double pt;
            assert_int_equal(hsc_session_result(all, levels[l], rank - 1, &there, &pt), HSC_OK);
            assert_true(fabs(pt - p) < 1e-12);
            assert_true(rank == i + 1 || pt == p);
        }
    }
}

static void test_code_score_matches_the_ranking(void **state)
{
    (void)state;
    static char texts[20][256];
    size_t n_texts = test_texts(texts, 20), n_labels;
    assert_int_equal(hsc_model_label_count(model, &n_labels), HSC_OK);
    hsc_session *all, *few;
    assert_int_equal(hsc_session_new(model, NULL, &all), HSC_OK);
    assert_int_equal(hsc_session_new(model, NULL, &few), HSC_OK);
    for (size_t t = 0; t < n_texts; t++)
        check_code_scores(all, few, texts[t], n_labels);
    /* under a constraint: codes outside it are not ranked */
    assert_int_equal(hsc_session_set_constraint(all, "02,22", 5), HSC_OK);
    assert_int_equal(hsc_session_set_constraint(few, "02,22", 5), HSC_OK);
    for (size_t t = 0; t < n_texts; t += 5)
        check_code_scores(all, few, texts[t], n_labels);
    const char *outside;
    for (size_t i = 0; hsc_model_label(model, i, &outside) == HSC_OK; i++)
        if (strncmp(outside, "02", 2) != 0 && strncmp(outside, "22", 2) != 0)
            break;
    double p = 1.0;
    uint64_t rank = 1;
    assert_int_equal(hsc_session_code_score(few, outside, strlen(outside), 0, &p, &rank), HSC_OK);
    assert_true(p == 0.0 && rank == 0);
    hsc_session_free(all);
    hsc_session_free(few);
}

static void test_code_score_errors(void **state)
{
    (void)state;
    hsc_session *s;
    double p;
    uint64_t rank;
    assert_int_equal(hsc_session_new(model, NULL, &s), HSC_OK);
    assert_int_equal(hsc_session_code_score(s, "0201", 4, 4, &p, &rank), HSC_E_STATE);
    assert_int_equal(hsc_session_classify(s, "frozen beef", 11, 1), HSC_OK);
    assert_int_equal(hsc_session_code_score(s, "02x1", 4, 4, &p, &rank), HSC_E_BAD_CODE);
    assert_int_equal(hsc_session_code_score(s, "02", 2, 4, &p, &rank), HSC_E_BAD_CODE);
    assert_int_equal(hsc_session_code_score(s, "020130", 6, 3, &p, &rank), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_code_score(s, "020130", 6, 8, &p, &rank), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_code_score(s, NULL, 0, 0, &p, &rank), HSC_E_BAD_CODE);
    /* written with separators, longer than the level: its prefix is scored */
    double p6, p4;
    uint64_t r6, r4;
    assert_int_equal(hsc_session_code_score(s, "0202.30.90.00", 13, 6, &p6, &r6), HSC_OK);
    assert_int_equal(hsc_session_code_score(s, "0202", 4, 4, &p4, &r4), HSC_OK);
    assert_true(r6 >= 1 && r4 >= 1 && p4 >= p6 - 1e-12);
    /* a code the model has not: probability 0, not ranked */
    assert_int_equal(hsc_session_code_score(s, "999999", 6, 0, &p, &rank), HSC_OK);
    assert_true(p == 0.0 && rank == 0);
    assert_int_equal(hsc_session_code_score(s, "0201", 4, 0, &p, &rank), HSC_OK);
    assert_true(p == 0.0 && rank == 0);   /* not a label: labels have 6 digits */
    /* no text: no suggestion, nothing ranked */
    assert_int_equal(hsc_session_classify(s, "", 0, 1), HSC_OK);
    assert_int_equal(hsc_session_code_score(s, "0202", 4, 4, &p, &rank), HSC_OK);
    assert_true(p == 0.0 && rank == 0);
    hsc_session_free(s);
}

static void test_audit_rule(void **state)
{
    (void)state;
    hsc_config *cfg;
    double t;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_get_f64(cfg, HSC_CFG_AUDIT_THRESHOLD, &t), HSC_OK);
    assert_true(t > 0.0 && t < 0.01);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_AUDIT_THRESHOLD, -0.1), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_AUDIT_THRESHOLD, NAN), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_AUDIT_THRESHOLD, 0.02), HSC_OK);
    hsc_session *s;
    assert_int_equal(hsc_session_new(model, cfg, &s), HSC_OK);
    hsc_config_free(cfg);
    assert_int_equal(hsc_session_audit_threshold(s, &t), HSC_OK);
    assert_true(t == 0.02);
    uint32_t verdict, digits;
    double p, q;
    uint64_t rank;
    assert_int_equal(hsc_session_audit(s, "0201", 4, &verdict, &p, &digits), HSC_E_STATE);
    assert_int_equal(verdict, HSC_AUDIT_NONE);

    static char texts[24][256];
    size_t n_texts = test_texts(texts, 24), n_labels, suspect = 0, consistent = 0;
    assert_int_equal(hsc_model_label_count(model, &n_labels), HSC_OK);
    for (size_t i = 0; i < n_texts; i++) {
        assert_int_equal(hsc_session_classify(s, texts[i], strlen(texts[i]), 1), HSC_OK);
        uint32_t decision, reason;
        assert_int_equal(hsc_session_decision(s, &decision, &reason), HSC_OK);
        const char *best, *label;
        if (hsc_session_result(s, 6, 0, &best, NULL) != HSC_OK)
            continue;
        /* the best code and a label of every few: the rule holds at HS6, whatever the length */
        assert_int_equal(hsc_model_label(model, (i * 7919) % n_labels, &label), HSC_OK);
        const char *declared[] = {best, label};
        for (size_t d = 0; d < 2; d++) {
            char longer[32];
            snprintf(longer, sizeof longer, "%.4s.%.2s.90.00", declared[d], declared[d] + 4);
            assert_int_equal(hsc_session_audit(s, longer, strlen(longer), &verdict, &p, &digits),
                             HSC_OK);
            assert_int_equal(digits, 6);
            assert_int_equal(hsc_session_code_score(s, declared[d], 6, 6, &q, &rank), HSC_OK);
            assert_true(p == q);
            if (reason != HSC_REASON_CONFIDENT && reason != HSC_REASON_LOW_CONFIDENCE)
                assert_int_equal(verdict, HSC_AUDIT_UNCHECKED);
            else
                assert_int_equal(verdict, p < 0.02 ? HSC_AUDIT_SUSPECT : HSC_AUDIT_CONSISTENT);
            suspect += verdict == HSC_AUDIT_SUSPECT;
            consistent += verdict == HSC_AUDIT_CONSISTENT;
        }
        /* a 4-digit declaration is audited at 4 digits */
        assert_int_equal(hsc_session_audit(s, best, 4, &verdict, &p, &digits), HSC_OK);
        assert_int_equal(digits, 4);
    }
    assert_true(suspect > 0 && consistent > 0);
    /* a line with nothing to read is never judged */
    assert_int_equal(hsc_session_classify(s, "123 kg", 6, 1), HSC_OK);
    assert_int_equal(hsc_session_audit(s, "870899", 6, &verdict, NULL, NULL), HSC_OK);
    assert_int_equal(verdict, HSC_AUDIT_UNCHECKED);
    assert_int_equal(hsc_session_audit(s, "8", 1, &verdict, NULL, NULL), HSC_E_BAD_CODE);
    hsc_session_free(s);
}

/* ---- the precedent memory ------------------------------------------------------ */

static void test_precedents_of_a_text(void **state)
{
    (void)state;
    assert_true(model->prec.n_rows > 1000 && model->prec.text_off != NULL);
    hsc_session *s;
    assert_int_equal(hsc_session_new(model, NULL, &s), HSC_OK);
    size_t n;
    assert_int_equal(hsc_session_precedent_count(s, &n), HSC_E_STATE);   /* nothing classified */
    const char *text = "frozen boneless beef";
    assert_int_equal(hsc_session_classify(s, text, strlen(text), 5), HSC_OK);
    assert_int_equal(hsc_session_precedent_count(s, &n), HSC_OK);
    assert_true(n > 0 && n <= model->prec.neighbours);
    double prev = 2.0;
    int beef = 0;
    for (size_t i = 0; i < n; i++) {
        const char *code, *row, *source;
        double sim;
        assert_int_equal(hsc_session_precedent(s, i, &code, &sim, &row, &source), HSC_OK);
        assert_true(sim > 0.0 && sim <= 1.0 && sim <= prev);
        prev = sim;
        assert_non_null(row);
        assert_true(strcmp(source, "train_real.tsv") == 0 ||
                    strcmp(source, "train_nomenclature.tsv") == 0);
        beef += strncmp(code, "02", 2) == 0;
    }
    assert_true(beef * 2 > (int)n);   /* mostly meat rows */
    assert_int_equal(hsc_session_precedent(s, n, NULL, NULL, NULL, NULL), HSC_E_NO_RESULT);
    assert_int_equal(hsc_session_precedent(s, 0, NULL, NULL, NULL, NULL), HSC_OK);
    /* under a constraint, only allowed codes */
    assert_int_equal(hsc_session_set_constraint(s, "03", 2), HSC_OK);
    assert_int_equal(hsc_session_classify(s, text, strlen(text), 5), HSC_OK);
    assert_int_equal(hsc_session_precedent_count(s, &n), HSC_OK);
    for (size_t i = 0; i < n; i++) {
        const char *code;
        assert_int_equal(hsc_session_precedent(s, i, &code, NULL, NULL, NULL), HSC_OK);
        assert_true(strncmp(code, "03", 2) == 0);
    }
    /* no shared word: no precedent */
    assert_int_equal(hsc_session_set_constraint(s, "", 0), HSC_OK);
    assert_int_equal(hsc_session_classify(s, "qxzvwk", 6, 5), HSC_OK);
    assert_int_equal(hsc_session_precedent_count(s, &n), HSC_OK);
    assert_int_equal(n, 0);
    hsc_session_free(s);
}

/* A row's own text finds a row with the same keys first (itself, or one
 * of the same keys under another code), and a row of its code among its
 * precedents. */
static void test_exact_row_is_its_own_precedent(void **state)
{
    (void)state;
    hsc_session *s;
    assert_int_equal(hsc_session_new(model, NULL, &s), HSC_OK);
    const hsc__prec *p = &model->prec;
    size_t checked = 0;
    for (uint32_t r = 0; r < p->n_rows && checked < 50; r += p->n_rows / 50 + 1) {
        const char *text = p->text_pool + p->text_off[r];
        assert_int_equal(hsc_session_classify(s, text, strlen(text), 1), HSC_OK);
        const char *code, *want = model->labels[p->row_label[r]];
        double sim;
        int found = 0;
        assert_int_equal(hsc_session_precedent(s, 0, NULL, &sim, NULL, NULL), HSC_OK);
        if (!(sim > 0.999))
            print_error("row %u \"%.60s\": best similarity %g\n", r, text, sim);
        assert_true(sim > 0.999);
        for (size_t i = 0; hsc_session_precedent(s, i, &code, NULL, NULL, NULL) == HSC_OK; i++)
            found |= strcmp(code, want) == 0;
        assert_true(found);
        checked++;
    }
    hsc_session_free(s);
}

/* Built by hand: the index, the search and the votes, and the PREC/PTXT
 * payloads decoded to the same memory. */
/* A text's keys gathered one by one: the same sorted unique set as from
 * its stored features, in room for its distinct keys, not its words. */
static void test_keyset_merges_repeats(void **state)
{
    (void)state;
    hsc__alloc a = {0};
    const size_t n = 20000;
    hsc__feature *f = calloc(n, sizeof *f);
    uint32_t *ref = calloc(n, sizeof *ref);
    assert_non_null(f);
    assert_non_null(ref);
    hsc__keyset ks = {0};
    for (size_t i = 0; i < n; i++) {
        /* 300 words over and over, and a new one every 7th */
        uint32_t key = i % 7 == 0 ? 1000000u + (uint32_t)i
                                  : 1u + (uint32_t)((i * 2654435761u) % 300u);
        f[i].key = key;
        assert_int_equal(hsc__keyset_add(&a, &ks, key), HSC_OK);
    }
    hsc__keyset_finish(&ks);
    size_t u = hsc__prec_keys(f, n, ref);
    assert_int_equal(ks.n, u);
    assert_memory_equal(ks.keys, ref, u * sizeof *ref);
    assert_true(ks.cap <= 4 * u);   /* 3,158 distinct keys of 20,000 */
    hsc__keyset_free(&a, &ks);
    free(f);
    free(ref);
}

static int cmp_key(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* A text's keys sorted and made unique, for every shape of input the
 * sort meets badly or well (sorted, reversed, equal, organ pipe, saw
 * teeth, few values, random) and sizes around its insertion cut: as
 * qsort and a unique pass give them. */
static void test_key_sort_every_shape(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 3, 15, 16, 17, 33, 48, 49, 64, 100, 257, 1000, 5000};
    const size_t max = 5000;
    hsc__feature *f = calloc(max, sizeof *f);
    uint32_t *got = calloc(max, sizeof *got), *want = calloc(max, sizeof *want);
    assert_non_null(f);
    assert_non_null(got);
    assert_non_null(want);
    uint64_t x = UINT64_C(88172645463325252);
    for (int shape = 0; shape < 8; shape++) {
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
            size_t n = sizes[si];
            for (size_t i = 0; i < n; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                uint32_t r = (uint32_t)(x >> 32) | 1u, v;
                switch (shape) {
                case 0: v = r; break;                                         /* random */
                case 1: v = 1u + (uint32_t)i; break;                          /* sorted */
                case 2: v = (uint32_t)(n - i); break;                         /* reversed */
                case 3: v = 7u; break;                                        /* all equal */
                case 4: v = 1u + (uint32_t)(i < n / 2 ? i : n - i); break;    /* organ pipe */
                case 5: v = 1u + (uint32_t)(i % 17); break;                   /* saw teeth */
                case 6: v = 1u + r % 5u; break;                               /* few values */
                default: v = i % 2 ? 0xFFFFFFFFu - (uint32_t)i : 1u + (uint32_t)i; break;
                }
                f[i].key = v;
                want[i] = v;
            }
            size_t u = hsc__prec_keys(f, n, got);
            if (n > 0)
                qsort(want, n, sizeof *want, cmp_key);
            size_t w = 0;
            for (size_t i = 0; i < n; i++)
                if (w == 0 || want[w - 1] != want[i])
                    want[w++] = want[i];
            assert_int_equal(u, w);
            if (w > 0)
                assert_memory_equal(got, want, w * sizeof *want);
        }
    }
    free(f);
    free(got);
    free(want);
}

static void test_memory_build_search_codec(void **state)
{
    (void)state;
    hsc__alloc a = {0};
    hsc_config defaults;
    hsc__config_defaults(&defaults);
    a = defaults.alloc;
    hsc__prec_builder b;
    hsc__prec_builder_init(&b, &a, 1);
    const uint32_t k0[] = {10, 20, 30}, k1[] = {10, 20}, k2[] = {40, 50}, k3[] = {10, 60};
    assert_int_equal(hsc__prec_builder_add(&b, 0, "a.tsv", k0, 3, "red apples", 10), HSC_OK);
    assert_int_equal(hsc__prec_builder_add(&b, 1, "a.tsv", k1, 2, "red", 3), HSC_OK);
    assert_int_equal(hsc__prec_builder_add(&b, 1, "b.tsv", k1, 2, "red again", 9), HSC_OK);   /* dup */
    assert_int_equal(hsc__prec_builder_add(&b, 2, "b.tsv", k2, 2, "blue pears", 10), HSC_OK);
    assert_int_equal(hsc__prec_builder_add(&b, 2, "b.tsv", k3, 2, "red plums", 9), HSC_OK);
    assert_int_equal(hsc__prec_builder_add(&b, 2, "b.tsv", k3, 0, "", 0), HSC_OK);   /* no key */
    hsc__prec p;
    assert_int_equal(hsc__prec_build(&b, NULL, 2, 2.0, 1.0, 0, &p), HSC_OK);
    hsc__prec_builder_free(&b);
    assert_int_equal(p.n_rows, 4);   /* the duplicate merged, the empty row left out */
    assert_int_equal(p.n_keys, 6);
    assert_int_equal(p.n_sources, 2);

    hsc__prec_search s;
    assert_int_equal(hsc__prec_search_init(&s, &a, &p), HSC_OK);
    const uint32_t q[] = {10, 20, 30};
    assert_int_equal(hsc__prec_find_keys(&s, &p, q, 3, NULL, NULL), HSC_OK);
    assert_int_equal(s.n_hits, 2);
    assert_int_equal(s.hits[0].row, 0);
    assert_true(fabs(s.hits[0].sim - 1.0) < 1e-6);
    assert_int_equal(p.row_label[s.hits[1].row], 1);
    assert_int_equal(s.n_votes, 2);
    assert_int_equal(s.vote_label[0], 0);
    assert_true(fabs(s.vote[0] + s.vote[1] - 1.0) < 1e-12 && s.vote[0] > s.vote[1]);
    const uint32_t none[] = {99};
    assert_int_equal(hsc__prec_find_keys(&s, &p, none, 1, NULL, NULL), HSC_OK);
    assert_int_equal(s.n_hits, 0);

    hsc__buf enc = {0}, txt = {0};
    assert_int_equal(hsc__prec_encode(&a, &p, &enc), HSC_OK);
    assert_int_equal(hsc__prec_texts_encode(&a, &p, &txt), HSC_OK);
    hsc__prec d;
    size_t bad = 0;
    assert_int_equal(hsc__prec_decode(&a, (const uint8_t *)enc.data, enc.len, 3, 0, &d, &bad), HSC_OK);
    assert_int_equal(hsc__prec_texts_decode(&a, (const uint8_t *)txt.data, txt.len, &d, &bad),
                     HSC_OK);
    assert_int_equal(d.n_rows, p.n_rows);
    assert_int_equal(d.post_len, p.post_len);
    assert_int_equal(d.table_len, p.table_len);
    assert_memory_equal(d.table, p.table, p.table_len);
    assert_int_equal(d.n_blocks, p.n_blocks);
    assert_memory_equal(d.blocks, p.blocks, (size_t)p.n_blocks * 12);
    assert_memory_equal(d.row_label, p.row_label, p.n_rows * sizeof *p.row_label);
    assert_memory_equal(d.post, p.post, p.post_len);
    assert_memory_equal(d.row_norm, p.row_norm, p.n_rows * sizeof *p.row_norm);
    for (uint32_t r = 0; r < p.n_rows; r++)
        assert_string_equal(d.text_pool + d.text_off[r], p.text_pool + p.text_off[r]);
    /* labels beyond the model's: refused where the first one is */
    hsc__prec_free(&a, &d);
    assert_int_equal(hsc__prec_decode(&a, (const uint8_t *)enc.data, enc.len, 2, 1, &d, &bad),
                     HSC_E_MODEL_VALUE);
    hsc__prec_free(&a, &d);
    hsc__buf_free(&a, &enc);
    hsc__buf_free(&a, &txt);
    hsc__prec_search_free(&s);
    hsc__prec_free(&a, &p);
}

/* The pruned search (rarest keys first, rows that cannot reach the k
 * dropped, long lists probed through the skip points a search records)
 * finds the k rows a brute-force cosine over every row finds, with the
 * same similarities; a search that has seen many texts (memo and skip
 * points filled) gives bit-identical hits to a fresh one. A memory of
 * 4,000 rows over a Zipf-like vocabulary: lists up to thousands of rows. */
static uint32_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*x >> 33);
}

static uint32_t zipf_key(uint64_t *x)
{
    uint32_t u = lcg(x) % 1000000u;   /* key ~ 1 / rank over 600 keys */
    return 1u + (uint32_t)(600.0 * pow((double)u / 1e6, 3.0));
}

static uint32_t draw_keys(uint64_t *x, uint32_t *keys, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        keys[i] = zipf_key(x);
    hsc__feature f[64];
    for (uint32_t i = 0; i < n; i++)
        f[i] = (hsc__feature){0, 0, keys[i]};
    return (uint32_t)hsc__prec_keys(f, n, keys);
}

/* The index turned back into rows: row r's keys, ascending, are
 * keys[off[r]..off[r+1]). */
typedef struct row_fill {
    size_t *fill;
    uint32_t *keys;
} row_fill;

static int count_rows(void *user, uint32_t key, const uint32_t *rows, uint32_t n)
{
    (void)key;
    row_fill *f = user;
    for (uint32_t i = 0; i < n; i++)
        f->fill[rows[i] + 1]++;
    return HSC_OK;
}

static int fill_rows(void *user, uint32_t key, const uint32_t *rows, uint32_t n)
{
    row_fill *f = user;
    for (uint32_t i = 0; i < n; i++)
        f->keys[f->fill[rows[i]]++] = key;
    return HSC_OK;
}

static void row_keys_of(const hsc__alloc *a, const hsc__prec *p, size_t **off, uint32_t **keys)
{
    row_fill f = {calloc((size_t)p->n_rows + 2, sizeof *f.fill), NULL};
    assert_non_null(f.fill);
    assert_int_equal(hsc__prec_each_key(a, p, count_rows, &f), HSC_OK);
    for (uint32_t r = 0; r < p->n_rows; r++)
        f.fill[r + 1] += f.fill[r];
    *off = calloc((size_t)p->n_rows + 1, sizeof **off);
    f.keys = calloc(f.fill[p->n_rows] + 1, sizeof *f.keys);
    assert_non_null(*off);
    assert_non_null(f.keys);
    memcpy(*off, f.fill, ((size_t)p->n_rows + 1) * sizeof **off);
    assert_int_equal(hsc__prec_each_key(a, p, fill_rows, &f), HSC_OK);
    *keys = f.keys;
    free(f.fill);
}

/* A memory's bytes as a model stores them (PREC, PTXT) and its sources. */
static void memory_bytes(const hsc__alloc *a, const hsc__prec *p, hsc__buf *out)
{
    assert_int_equal(hsc__prec_encode(a, p, out), HSC_OK);
    assert_int_equal(hsc__prec_texts_encode(a, p, out), HSC_OK);
    for (uint32_t i = 0; i < p->n_sources; i++)
        assert_int_equal(hsc__buf_append(a, out, p->sources[i], strlen(p->sources[i]) + 1), HSC_OK);
}

/* Rows of a built memory joining a builder's (an adapted model's base
 * precedents) give the memory the same rows added one by one would:
 * relabelled, some left out, duplicates of the new rows and of each
 * other merged, sources and texts kept, with and without a cap per code. */
static void test_joined_memory_is_the_rows_added(void **state)
{
    (void)state;
    hsc_config defaults;
    hsc__config_defaults(&defaults);
    hsc__alloc a = defaults.alloc;
    static const char *const src[] = {"base-a.tsv", "base-b.tsv", "base-c.tsv"};
    static const char *const words[] = {"red", "apples", "blue", "pears", "plums", "tea"};
    uint64_t x = 7;
    uint32_t keys[64];
    char text[64];
    hsc__prec_builder b0;
    hsc__prec_builder_init(&b0, &a, 1);
    for (uint32_t r = 0; r < 3000; r++) {
        uint32_t n = draw_keys(&x, keys, 1 + lcg(&x) % 8);
        snprintf(text, sizeof text, "%s %s %u", words[lcg(&x) % 6], words[lcg(&x) % 6], r % 700);
        assert_int_equal(hsc__prec_builder_add(&b0, lcg(&x) % 40, src[lcg(&x) % 3], keys, n,
                                               text, strlen(text)), HSC_OK);
    }
    hsc__prec base;
    assert_int_equal(hsc__prec_build(&b0, NULL, 30, 2.0, 0.05, 0, &base), HSC_OK);
    hsc__prec_builder_free(&b0);
    size_t *off;
    uint32_t *row_keys;
    row_keys_of(&a, &base, &off, &row_keys);
    for (uint32_t max_per_label = 0; max_per_label <= 7; max_per_label += 7) {
        hsc__prec_builder joined, added;
        hsc__prec_builder_init(&joined, &a, 1);
        hsc__prec_builder_init(&added, &a, 1);
        uint64_t y = 11;
        for (uint32_t r = 0; r < 800; r++) {   /* the new rows, some the base's own */
            uint32_t n, label;
            if (r % 4 == 0) {
                uint32_t br = lcg(&y) % base.n_rows;
                n = (uint32_t)(off[br + 1] - off[br]);
                memcpy(keys, row_keys + off[br], n * sizeof *keys);
                label = base.row_label[br] % 25;
            } else {
                n = draw_keys(&y, keys, 1 + lcg(&y) % 8);
                label = lcg(&y) % 25;
            }
            snprintf(text, sizeof text, "new %u", r);
            for (int k = 0; k < 2; k++)
                assert_int_equal(hsc__prec_builder_add(k ? &added : &joined, label, "new.tsv",
                                                       keys, n, text, strlen(text)), HSC_OK);
        }
        hsc__prec_join j = {0};
        j.label = calloc(base.n_rows + 1, sizeof *j.label);
        assert_non_null(j.label);
        for (uint32_t r = 0; r < base.n_rows; r++) {   /* 40 codes onto 25, a few left out */
            uint32_t l = base.row_label[r];
            j.label[r] = l % 13 == 12 ? UINT32_MAX : l % 25;
            if (j.label[r] != UINT32_MAX)
                assert_int_equal(hsc__prec_builder_add(&added, j.label[r],
                                                       base.sources[base.row_source[r]],
                                                       row_keys + off[r], off[r + 1] - off[r],
                                                       base.text_pool + base.text_off[r],
                                                       strlen(base.text_pool + base.text_off[r])),
                                 HSC_OK);
        }
        assert_int_equal(hsc__prec_join_init(&a, &base, &j), HSC_OK);
        uint32_t n_added = added.n_rows;
        assert_int_equal(joined.n_rows + j.n_rows, n_added);
        hsc__prec pj, pa;
        assert_int_equal(hsc__prec_build(&joined, &j, 30, 2.0, 0.05, max_per_label, &pj), HSC_OK);
        assert_int_equal(hsc__prec_build(&added, NULL, 30, 2.0, 0.05, max_per_label, &pa), HSC_OK);
        assert_true(pa.n_rows < n_added);   /* duplicates were merged */
        assert_int_equal(pj.n_rows, pa.n_rows);
        hsc__buf bj = {0}, ba = {0};
        memory_bytes(&a, &pj, &bj);
        memory_bytes(&a, &pa, &ba);
        assert_int_equal(bj.len, ba.len);
        assert_memory_equal(bj.data, ba.data, ba.len);
        assert_memory_equal(pj.row_norm, pa.row_norm, pa.n_rows * sizeof *pa.row_norm);
        hsc__buf_free(&a, &bj);
        hsc__buf_free(&a, &ba);
        hsc__prec_free(&a, &pj);
        hsc__prec_free(&a, &pa);
        free(j.label);
        j.label = NULL;
        hsc__prec_join_free(&a, &j);
        hsc__prec_builder_free(&joined);
        hsc__prec_builder_free(&added);
    }
    free(off);
    free(row_keys);
    hsc__prec_free(&a, &base);
}

static void test_pruned_search_is_exact(void **state)
{
    (void)state;
    hsc_config defaults;
    hsc__config_defaults(&defaults);
    hsc__alloc a = defaults.alloc;
    hsc__prec_builder b;
    hsc__prec_builder_init(&b, &a, 0);
    uint64_t x = 42;
    uint32_t keys[64];
    for (uint32_t r = 0; r < 4000; r++) {
        uint32_t n = draw_keys(&x, keys, 3 + lcg(&x) % 12);
        assert_int_equal(hsc__prec_builder_add(&b, lcg(&x) % 50, "z.tsv", keys, n, "", 0), HSC_OK);
    }
    hsc__prec p;
    assert_int_equal(hsc__prec_build(&b, NULL, 30, 2.0, 1.0, 0, &p), HSC_OK);
    hsc__prec_builder_free(&b);
    size_t *off;
    uint32_t *row_keys;
    row_keys_of(&a, &p, &off, &row_keys);
    uint32_t df[602] = {0}, longest = 0;
    for (size_t j = 0; j < off[p.n_rows]; j++)
        df[row_keys[j]]++;
    for (uint32_t k = 0; k < 602; k++)
        longest = df[k] > longest ? df[k] : longest;
    assert_true(longest > 1000);
    double *sim = calloc(p.n_rows, sizeof *sim), idf2[602];
    assert_non_null(sim);
    hsc__prec_search warm, cold;
    assert_int_equal(hsc__prec_search_init(&warm, &a, &p), HSC_OK);
    for (int t = 0; t < 300; t++) {
        uint32_t n = draw_keys(&x, keys, 2 + lcg(&x) % 60);
        assert_int_equal(hsc__prec_find_keys(&warm, &p, keys, n, NULL, NULL), HSC_OK);
        assert_int_equal(hsc__prec_search_init(&cold, &a, &p), HSC_OK);
        assert_int_equal(hsc__prec_find_keys(&cold, &p, keys, n, NULL, NULL), HSC_OK);
        assert_int_equal(warm.n_hits, cold.n_hits);
        assert_memory_equal(warm.hits, cold.hits, warm.n_hits * sizeof *warm.hits);
        hsc__prec_search_free(&cold);
        /* brute force: every row's cosine over the text's keys */
        double q2 = 0.0;
        memset(idf2, 0, sizeof idf2);
        for (uint32_t i = 0; i < n; i++)
            if (df[keys[i]] > 0 && df[keys[i]] <= p.max_df)
                q2 += idf2[keys[i]] = (double)hsc__prec_idf2(p.log_rows, df[keys[i]]);
        uint32_t found = 0;
        for (uint32_t r = 0; r < p.n_rows; r++) {
            sim[r] = 0.0;
            for (size_t j = off[r]; j < off[r + 1]; j++)
                sim[r] += idf2[row_keys[j]];
            sim[r] /= sqrt(q2) * (double)p.row_norm[r];
            found += sim[r] > 0.0;
        }
        assert_int_equal(warm.n_hits, found < p.neighbours ? found : p.neighbours);
        for (uint32_t h = 0; h < warm.n_hits; h++) {
            uint32_t row = warm.hits[h].row, above = 0;
            assert_true(fabs(warm.hits[h].sim - (sim[row] > 1.0 ? 1.0 : sim[row])) < 1e-9);
            for (uint32_t r = 0; r < p.n_rows; r++)
                above += sim[r] > sim[row] + 1e-9;
            assert_true(above <= h);   /* no row missed above it */
        }
    }
    assert_true(warm.skip_used > 0);   /* long lists were recorded, then probed */
    hsc__prec_search_free(&warm);
    free(sim);
    free(off);
    free(row_keys);
    hsc__prec_free(&a, &p);
}

/* Saved and loaded: the same bytes, the same scores and precedents. */
static void test_memory_round_trip(void **state)
{
    (void)state;
    void *buf, *buf2;
    size_t len, len2;
    assert_int_equal(hsc_model_save_memory(model, &buf, &len), HSC_OK);
    hsc_model *m2;
    assert_int_equal(hsc_model_load_memory(buf, len, NULL, &m2, NULL), HSC_OK);
    assert_int_equal(hsc_model_save_memory(m2, &buf2, &len2), HSC_OK);
    assert_true(len == len2 && memcmp(buf, buf2, len) == 0);
    hsc_session *s1, *s2;
    assert_int_equal(hsc_session_new(model, NULL, &s1), HSC_OK);
    assert_int_equal(hsc_session_new(m2, NULL, &s2), HSC_OK);
    const char *text = "viande bovine desossee congelee";
    assert_int_equal(hsc_session_classify(s1, text, strlen(text), 5), HSC_OK);
    assert_int_equal(hsc_session_classify(s2, text, strlen(text), 5), HSC_OK);
    const char *c1, *c2;
    double p1, p2;
    for (size_t i = 0; hsc_session_result(s1, 0, i, &c1, &p1) == HSC_OK; i++) {
        assert_int_equal(hsc_session_result(s2, 0, i, &c2, &p2), HSC_OK);
        assert_string_equal(c1, c2);
        assert_true(p1 == p2);
    }
    for (size_t i = 0; hsc_session_precedent(s1, i, &c1, &p1, NULL, NULL) == HSC_OK; i++) {
        assert_int_equal(hsc_session_precedent(s2, i, &c2, &p2, NULL, NULL), HSC_OK);
        assert_string_equal(c1, c2);
        assert_true(p1 == p2);
    }
    hsc_session_free(s1);
    hsc_session_free(s2);
    hsc_model_free(m2);
    hsc_buffer_free(buf);
    hsc_buffer_free(buf2);
}

/* ---- format 1.1 models --------------------------------------------------------- */

/* tests/data/corrupt/tiny.hscm was written by libhsclass 1.0: its scores,
 * recorded with that library, are reproduced exactly. */
static void test_format_1_1_scores_as_before(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        struct {
            const char *code;
            double p;
        } top[3];
    } golden[] = {
        {"fresh boneless beef",
         {{"020130", 0.98319795470648175}, {"020230", 0.016757504940817108},
          {"220421", 3.5938861034121207e-05}}},
        {"viande bovine congelee",
         {{"020230", 0.99262906557484076}, {"030617", 0.003668350677172551},
          {"020130", 0.0035826519528843188}}},
        {"cotton t-shirt",
         {{"220300", 0.96202252753665707}, {"220421", 0.037910094770419234},
          {"870899", 6.4013239923152484e-05}}},
        {"frozen chicken legs",
         {{"020230", 0.57838931871253774}, {"030617", 0.42152887454378624},
          {"870899", 7.3571722792352545e-05}}},
    };
    char path[4096];
    snprintf(path, sizeof path, "%s", test_data_path("corrupt/tiny.hscm"));
    hsc_model *m;
    assert_int_equal(hsc_model_load_file(path, NULL, &m, NULL), HSC_OK);
    assert_false(m->scoring.on);
    hsc_session *s;
    assert_int_equal(hsc_session_new(m, NULL, &s), HSC_OK);
    for (size_t t = 0; t < sizeof golden / sizeof *golden; t++) {
        const char *text = golden[t].text;
        assert_int_equal(hsc_session_classify(s, text, strlen(text), 3), HSC_OK);
        for (size_t i = 0; i < 3; i++) {
            const char *code;
            double p;
            assert_int_equal(hsc_session_result(s, 0, i, &code, &p), HSC_OK);
            assert_string_equal(code, golden[t].top[i].code);
            assert_true(p == golden[t].top[i].p);
        }
        size_t n;
        assert_int_equal(hsc_session_precedent_count(s, &n), HSC_OK);
        assert_int_equal(n, 0);
    }
    hsc_session_free(s);
    hsc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calibration_keeps_order_and_total),
        cmocka_unit_test(test_calibration_never_reorders),
        cmocka_unit_test(test_topk_is_exact),
        cmocka_unit_test(test_best_line_under_best_subheading),
        cmocka_unit_test(test_code_score_matches_the_ranking),
        cmocka_unit_test(test_code_score_errors),
        cmocka_unit_test(test_audit_rule),
        cmocka_unit_test(test_precedents_of_a_text),
        cmocka_unit_test(test_exact_row_is_its_own_precedent),
        cmocka_unit_test(test_keyset_merges_repeats),
        cmocka_unit_test(test_key_sort_every_shape),
        cmocka_unit_test(test_memory_build_search_codec),
        cmocka_unit_test(test_memory_round_trip),
        cmocka_unit_test(test_pruned_search_is_exact),
        cmocka_unit_test(test_joined_memory_is_the_rows_added),
        cmocka_unit_test(test_format_1_1_scores_as_before),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* test_classifier.c - train a real model on tests/data and check what it
 * learned: held-out accuracy, probabilities, levels, save/load, determinism. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_util.h"

static hsc_model *model;
static hsc_session *session;

static int setup(void **state)
{
    (void)state;
    if (test_train_model(1, 7, &model) != HSC_OK)
        return -1;
    return hsc_session_new(model, NULL, &session) == HSC_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hsc_session_free(session);
    hsc_model_free(model);
    return 0;
}

static void classify(hsc_session *s, const char *text, uint32_t k)
{
    assert_int_equal(hsc_session_classify(s, text, strlen(text), k), HSC_OK);
}

/* Top-1/top-5 at 6 and 2 digits on the held-out rows. A trainer that learns
 * nothing scores about 1/700 at HS6 and 1/12 at HS2. */
static void test_heldout_accuracy(void **state)
{
    (void)state;
    FILE *f = fopen(test_data_path("test.tsv"), "r");
    assert_non_null(f);
    char line[4096];
    int n = 0, top1 = 0, top5 = 0, ch1 = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = 0;
        const char *gold = line, *text = tab + 1;
        classify(session, text, 5);
        size_t cnt = 0;
        assert_int_equal(hsc_session_result_count(session, 0, &cnt), HSC_OK);
        for (size_t i = 0; i < cnt; i++) {
            const char *code;
            double p;
            assert_int_equal(hsc_session_result(session, 0, i, &code, &p), HSC_OK);
            if (strncmp(code, gold, 6) == 0) {
                top5++;
                top1 += i == 0;
            }
        }
        const char *chap;
        if (hsc_session_result(session, 2, 0, &chap, NULL) == HSC_OK && strncmp(chap, gold, 2) == 0)
            ch1++;
        n++;
    }
    fclose(f);
    print_message("held-out rows %d: HS6 top-1 %.3f top-5 %.3f, HS2 top-1 %.3f\n", n,
                  (double)top1 / n, (double)top5 / n, (double)ch1 / n);
    assert_true(n > 100);
    assert_true(top1 >= n * 22 / 100);
    assert_true(top5 >= n * 40 / 100);
    assert_true(ch1 >= n * 65 / 100);
}

static void test_known_descriptions(void **state)
{
    (void)state;
    const struct {
        const char *text, *chapter;
    } cases[] = {
        {"frozen boneless beef cuts", "02"},
        {"viande bovine desossee congelee", "02"},
        {"frozen shrimps", "03"},
        {"motor cars with diesel engine", "87"},
        {"chaussures de sport", "64"},
        {"whisky", "22"},
        {"riz", "10"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        classify(session, cases[i].text, 3);
        const char *code;
        assert_int_equal(hsc_session_result(session, 2, 0, &code, NULL), HSC_OK);
        if (strcmp(code, cases[i].chapter) != 0)
            print_message("%s -> %s (want %s)\n", cases[i].text, code, cases[i].chapter);
        assert_string_equal(code, cases[i].chapter);
    }
}

/* Probabilities: descending, in (0,1], summing to at most 1 per level, and
 * a heading's mass never exceeds its chapter's. */
static void test_probabilities(void **state)
{
    (void)state;
    classify(session, "fresh tomatoes", 20);
    const uint32_t levels[] = {0, 2, 4, 6};
    for (size_t l = 0; l < 4; l++) {
        size_t n;
        assert_int_equal(hsc_session_result_count(session, levels[l], &n), HSC_OK);
        assert_true(n >= 1);
        double sum = 0, prev = 2;
        for (size_t i = 0; i < n; i++) {
            double p;
            const char *code;
            assert_int_equal(hsc_session_result(session, levels[l], i, &code, &p), HSC_OK);
            assert_true(p > 0 && p <= 1 && p <= prev);
            if (levels[l])
                assert_int_equal(strlen(code), levels[l]);
            prev = p;
            sum += p;
        }
        assert_true(sum <= 1.0 + 1e-5);
    }
    const char *c6, *c2;
    double p6, p2;
    assert_int_equal(hsc_session_result(session, 0, 0, &c6, &p6), HSC_OK);
    assert_int_equal(hsc_session_result(session, 2, 0, &c2, &p2), HSC_OK);
    assert_true(p2 + 1e-6 >= p6);
    assert_int_equal(hsc_session_result(session, 0, 20, &c6, &p6), HSC_E_NO_RESULT);
    assert_int_equal(hsc_session_result(session, 3, 0, &c6, &p6), HSC_E_INVALID_ARG);
}

static void test_nothing_known(void **state)
{
    (void)state;
    const char *texts[] = {"", "   ", "the of and", ".,;"};
    for (size_t i = 0; i < 4; i++) {
        classify(session, texts[i], 5);
        size_t n = 1;
        assert_int_equal(hsc_session_result_count(session, 0, &n), HSC_OK);
        assert_int_equal(n, 0);
    }
    assert_int_equal(hsc_session_classify(session, "\xff\xfe", 2, 5), HSC_E_BAD_UTF8);
    assert_true(strlen(hsc_session_last_error_detail(session)) > 0);
    assert_int_equal(hsc_session_classify(session, "beef", 4, 0), HSC_E_INVALID_ARG);
}

/* Saving and loading gives the same bytes and the same scores. */
static void test_save_load_roundtrip(void **state)
{
    (void)state;
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(hsc_model_save_memory(model, &buf, &len), HSC_OK);
    hsc_model *m2 = NULL;
    assert_int_equal(hsc_model_load_memory(buf, len, NULL, &m2, NULL), HSC_OK);
    void *buf2 = NULL;
    size_t len2 = 0;
    assert_int_equal(hsc_model_save_memory(m2, &buf2, &len2), HSC_OK);
    assert_int_equal(len, len2);
    assert_memory_equal(buf, buf2, len);
    hsc_session *s2;
    assert_int_equal(hsc_session_new(m2, NULL, &s2), HSC_OK);
    hsc_model_free(m2); /* the session keeps it alive */
    const char *texts[] = {"frozen boneless beef", "tissu de coton", "car tyres", "lait entier"};
    for (size_t t = 0; t < 4; t++) {
        classify(session, texts[t], 5);
        classify(s2, texts[t], 5);
        for (size_t i = 0; i < 5; i++) {
            const char *a, *b;
            double pa, pb;
            assert_int_equal(hsc_session_result(session, 0, i, &a, &pa), HSC_OK);
            assert_int_equal(hsc_session_result(s2, 0, i, &b, &pb), HSC_OK);
            assert_string_equal(a, b);
            assert_true(pa == pb);
        }
    }
    hsc_session_free(s2);
    hsc_buffer_free(buf);
    hsc_buffer_free(buf2);
}

/* One thread and a fixed seed: bit-for-bit the same model. */
static void test_reproducible(void **state)
{
    (void)state;
    hsc_model *m2 = NULL;
    assert_int_equal(test_train_model(1, 7, &m2), HSC_OK);
    void *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    assert_int_equal(hsc_model_save_memory(model, &a, &la), HSC_OK);
    assert_int_equal(hsc_model_save_memory(m2, &b, &lb), HSC_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    hsc_buffer_free(a);
    hsc_buffer_free(b);
    hsc_model_free(m2);
}

static void test_labels_and_info(void **state)
{
    (void)state;
    size_t n = 0;
    assert_int_equal(hsc_model_label_count(model, &n), HSC_OK);
    assert_true(n > 500);
    const char *prev = "", *code;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hsc_model_label(model, i, &code), HSC_OK);
        assert_int_equal(strlen(code), 6);
        assert_true(strcmp(prev, code) < 0);
        prev = code;
    }
    const char *langs;
    assert_int_equal(hsc_model_info_str(model, HSC_INFO_LANGUAGES, &langs), HSC_OK);
    assert_string_equal(langs, "en,fr");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heldout_accuracy),
        cmocka_unit_test(test_known_descriptions),
        cmocka_unit_test(test_probabilities),
        cmocka_unit_test(test_nothing_known),
        cmocka_unit_test(test_save_load_roundtrip),
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_labels_and_info),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* test_threads.c - one model shared by 8 threads, each with its own session:
 * every thread gets exactly the single-threaded results; its descriptions,
 * decoded on first use, asked for by 8 threads at once. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_util.h"

#define N_THREADS 8
#define N_TEXTS 64
#define ROUNDS 40

static hsc_model *model;
static char texts[N_TEXTS][512];
static char expect_code[N_TEXTS][16];
static double expect_p[N_TEXTS];

static int setup(void **state)
{
    (void)state;
    if (test_train_model(2, 3, &model) != HSC_OK)
        return -1;
    FILE *f = fopen(test_data_path("test.tsv"), "r");
    if (!f)
        return -1;
    char line[4096];
    int n = 0;
    while (n < N_TEXTS && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *tab = strchr(line, '\t');
        if (tab)
            snprintf(texts[n++], sizeof texts[0], "%s", tab + 1);
    }
    fclose(f);
    return n == N_TEXTS ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hsc_model_free(model);
    return 0;
}

static int top1(hsc_session *s, int i, char *code, double *p)
{
    if (hsc_session_classify(s, texts[i], strlen(texts[i]), 5) != HSC_OK)
        return -1;
    const char *c = "";
    *p = -1;
    size_t n;
    hsc_session_result_count(s, 0, &n);
    if (n && hsc_session_result(s, 0, 0, &c, p) != HSC_OK)
        return -1;
    snprintf(code, 16, "%s", c);
    return 0;
}

static void *worker(void *arg)
{
    (void)arg;
    hsc_session *s;
    if (hsc_session_new(model, NULL, &s) != HSC_OK)
        return (void *)1;
    intptr_t bad = 0;
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < N_TEXTS; i++) {
            char code[16];
            double p;
            if (top1(s, i, code, &p) || strcmp(code, expect_code[i]) || p != expect_p[i])
                bad++;
        }
    hsc_session_free(s);
    return (void *)bad;
}

static void test_shared_model(void **state)
{
    (void)state;
    hsc_session *s;
    assert_int_equal(hsc_session_new(model, NULL, &s), HSC_OK);
    for (int i = 0; i < N_TEXTS; i++)
        assert_int_equal(top1(s, i, expect_code[i], &expect_p[i]), 0);
    hsc_session_free(s);
    pthread_t t[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
    for (int i = 0; i < N_THREADS; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        assert_int_equal((intptr_t)bad, 0);
    }
}

/* The model may be released while sessions still use it. */
static void test_free_order(void **state)
{
    (void)state;
    void *buf;
    size_t len;
    assert_int_equal(hsc_model_save_memory(model, &buf, &len), HSC_OK);
    hsc_model *m;
    assert_int_equal(hsc_model_load_memory(buf, len, NULL, &m, NULL), HSC_OK);
    hsc_buffer_free(buf);
    hsc_session *a, *b;
    assert_int_equal(hsc_session_new(m, NULL, &a), HSC_OK);
    assert_int_equal(hsc_session_new(m, NULL, &b), HSC_OK);
    hsc_model_free(m);
    assert_int_equal(hsc_session_classify(a, "beef", 4, 3), HSC_OK);
    hsc_session_free(a);
    assert_int_equal(hsc_session_classify(b, "beef", 4, 3), HSC_OK);
    hsc_session_free(b);
}

/* A model's descriptions are decoded on first use: threads that ask at
 * the same moment all get the one table that was kept. */
static pthread_barrier_t start;

static void *describer(void *arg)
{
    const hsc_model *m = arg;
    const char *d = NULL;
    size_t n = 0;
    pthread_barrier_wait(&start);
    if (hsc_model_describe(m, "0201", 4, "en", &d) != HSC_OK ||
        hsc_model_nomenclature_count(m, &n) != HSC_OK || n == 0)
        return NULL;
    return (void *)(uintptr_t)d;
}

static void test_tables_first_use(void **state)
{
    (void)state;
    hsc_config *cfg;
    hsc_trainer *t;
    hsc_model *m;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_DIM, 4), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 1), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 4096), HSC_OK);
    assert_int_equal(hsc_trainer_new(cfg, &t), HSC_OK);
    assert_int_equal(hsc_trainer_add_file(t, test_data_path("train_nomenclature.tsv"), 1.0,
                                          HSC_ROWS_NOMENCLATURE),
                     HSC_OK);
    assert_int_equal(hsc_trainer_add_nomenclature_file(t, test_data_path("nomenclature_en.tsv"), "en"),
                     HSC_OK);
    assert_int_equal(hsc_trainer_train(t, &m), HSC_OK);
    hsc_trainer_free(t);
    hsc_config_free(cfg);
    pthread_t th[N_THREADS];
    void *got[N_THREADS];
    assert_int_equal(pthread_barrier_init(&start, NULL, N_THREADS), 0);
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, describer, m), 0);
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(th[i], &got[i]);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < N_THREADS; i++) {
        assert_non_null(got[i]);
        assert_ptr_equal(got[i], got[0]);
    }
    hsc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_model),
        cmocka_unit_test(test_free_order),
        cmocka_unit_test(test_tables_first_use),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

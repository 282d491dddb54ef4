/* test_oom.c - allocation failure (the SQLite idea): a config allocator that
 * fails the Nth allocation, for N = 1, 2, ... until a run sees no failure,
 * through model loading, saving, sessions (tokenize, classify) and training.
 * Every failure must come back as HSC_E_NOMEM, every block the library
 * allocated must be freed again, and the run without failure must give the
 * normal result. Public API only. libstemmer and zlib's own inflate state
 * keep the C library's malloc (see hsclass.h); only our allocator's balance
 * is checked here, the rest is left to ASan and valgrind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

typedef struct failer {
    long fail_at;   /* 1-based index of the allocation to fail; 0: none */
    long calls;     /* allocations attempted (calloc, realloc) */
    long injected;  /* failures injected */
    long live;      /* blocks handed out and not yet freed */
} failer;

static int fail_now(failer *f)
{
    f->calls++;
    if (f->calls == f->fail_at) {
        f->injected++;
        return 1;
    }
    return 0;
}

static void *f_calloc(void *user, size_t n, size_t size)
{
    failer *f = user;
    if (fail_now(f))
        return NULL;
    void *p = calloc(n, size);
    if (p)
        f->live++;
    return p;
}

static void *f_realloc(void *user, void *ptr, size_t size)
{
    failer *f = user;
    if (fail_now(f))
        return NULL;   /* ptr stays valid and owned by the caller */
    void *p = realloc(ptr, size);
    if (p && !ptr)
        f->live++;
    return p;
}

static void f_free(void *user, void *ptr)
{
    failer *f = user;
    if (ptr)
        f->live--;
    free(ptr);
}

static failer F;
static hsc_config *cfg;          /* the failing allocator */
static unsigned char *tiny;      /* tests/data/corrupt/tiny.hscm */
static size_t tiny_len;
static char want_code[16];       /* tiny's top-1 for TEXT */
static double want_p;

#define TEXT "frozen boneless beef cuts 20kg, vin rouge 75 cl"
#define MAX_STEPS 200000L

static int setup(void **state)
{
    (void)state;
    FILE *f = fopen(test_data_path("corrupt/tiny.hscm"), "rb");
    if (!f)
        return -1;
    tiny = malloc(1 << 20);
    tiny_len = tiny ? fread(tiny, 1, 1 << 20, f) : 0;
    fclose(f);
    if (tiny_len == 0 || hsc_config_new(&cfg) != HSC_OK ||
        hsc_config_set_allocator(cfg, f_calloc, f_realloc, f_free, &F) != HSC_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hsc_config_free(cfg);
    free(tiny);
    return 0;
}

/* Top-1 at the label level, after a classify that returned HSC_OK. */
static int top1(hsc_session *s, char code[16], double *p)
{
    const char *c;
    int st = hsc_session_result(s, 0, 0, &c, p);
    if (st == HSC_OK)
        snprintf(code, 16, "%s", c);
    return st;
}

/* Run op with the Nth allocation failing, N = 1, 2, ...; stop after the
 * first run in which no allocation failed. Returns the number of runs. */
static long sweep(const char *what, int (*op)(int final))
{
    long n;
    for (n = 1; n < MAX_STEPS; n++) {
        F = (failer){n, 0, 0, 0};
        int st = op(0);
        if (st != HSC_OK && st != HSC_E_NOMEM)
            print_error("%s: allocation %ld failed: %s\n", what, n, hsc_status_string(st));
        assert_true(st == HSC_OK || st == HSC_E_NOMEM);
        /* A status without a failure, or a failure nobody saw, is a bug...
         * except where the library documents a fallback (it may carry on). */
        assert_true(st == HSC_OK || F.injected == 1);
        if (F.live != 0)
            print_error("%s: %ld blocks leaked when allocation %ld failed\n", what, F.live, n);
        assert_int_equal(F.live, 0);
        if (F.injected == 0)
            break;
    }
    assert_true(n < MAX_STEPS);
    /* The clean run, again, with the result checks on. */
    F = (failer){0, 0, 0, 0};
    assert_int_equal(op(1), HSC_OK);
    assert_int_equal(F.live, 0);
    print_message("%s: %ld allocation points, all survived\n", what, n - 1);
    return n;
}

/* ---- loading and saving ------------------------------------------------ */

static int op_load_memory(int final)
{
    hsc_model *m = NULL;
    int st = hsc_model_load_memory(tiny, tiny_len, cfg, &m, NULL);
    if (st == HSC_OK && final) {
        size_t n;
        assert_int_equal(hsc_model_label_count(m, &n), HSC_OK);
        assert_int_equal(n, 7);
    }
    if (st != HSC_OK)
        assert_null(m);
    hsc_model_free(m);
    return st;
}

static int op_load_file(int final)
{
    (void)final;
    hsc_model *m = NULL;
    int st = hsc_model_load_file(test_data_path("corrupt/tiny.hscm"), cfg, &m, NULL);
    if (st != HSC_OK)
        assert_null(m);
    hsc_model_free(m);
    return st;
}

/* Saving a model uses the model's allocator: load it cleanly first. */
static int op_save(int final)
{
    long fail_at = F.fail_at;
    F.fail_at = 0;
    hsc_model *m;
    assert_int_equal(hsc_model_load_memory(tiny, tiny_len, cfg, &m, NULL), HSC_OK);
    F.calls = 0;
    F.fail_at = fail_at;
    void *buf = NULL;
    size_t len = 0;
    int st = hsc_model_save_memory(m, &buf, &len);
    if (st == HSC_OK && final)
        assert_true(len == tiny_len && memcmp(buf, tiny, len) == 0);
    if (st != HSC_OK)
        assert_null(buf);
    hsc_buffer_free(buf);
    hsc_model_free(m);
    return st;
}

static void test_load(void **state)
{
    (void)state;
    sweep("load_memory", op_load_memory);
    sweep("load_file", op_load_file);
    sweep("save_memory", op_save);
}

/* ---- sessions --------------------------------------------------------------- */

static hsc_model *shared;   /* loaded with the C library's allocator */

static int op_classify(int final)
{
    hsc_session *s = NULL;
    int st = hsc_session_new(shared, cfg, &s);
    if (st != HSC_OK) {
        assert_null(s);
        return st;
    }
    /* Twice: the second call reuses buffers the first one grew. */
    for (int round = 0; round < 2 && st == HSC_OK; round++) {
        st = hsc_session_classify(s, TEXT, strlen(TEXT), 5);
        size_t n = 0;
        if (st == HSC_OK)
            st = hsc_session_result_count(s, 2, &n);
        if (st == HSC_OK && final) {
            char code[16];
            double p;
            assert_int_equal(top1(s, code, &p), HSC_OK);
            assert_string_equal(code, want_code);
            assert_true(p == want_p);
            assert_true(n > 0);
        }
    }
    hsc_session_free(s);
    return st;
}

static int op_tokenize(int final)
{
    hsc_session *s = NULL;
    int st = hsc_session_new(NULL, cfg, &s);
    if (st != HSC_OK)
        return st;
    static const char text[] = "Viande bovine désossée congelée, 20kg CTNS; HS 0201.30; "
                               "pneus 205/55R16, l'huile d'olive, t-shirts 100% coton";
    st = hsc_session_tokenize(s, text, sizeof text - 1);
    if (st == HSC_OK && final)
        assert_true(hsc_session_token_count(s) >= 10);
    hsc_session_free(s);
    return st;
}

static void test_sessions(void **state)
{
    (void)state;
    assert_int_equal(hsc_model_load_memory(tiny, tiny_len, NULL, &shared, NULL), HSC_OK);
    hsc_session *s;
    assert_int_equal(hsc_session_new(shared, NULL, &s), HSC_OK);
    assert_int_equal(hsc_session_classify(s, TEXT, strlen(TEXT), 5), HSC_OK);
    assert_int_equal(top1(s, want_code, &want_p), HSC_OK);
    hsc_session_free(s);
    sweep("session_new+classify", op_classify);
    sweep("session_new+tokenize", op_tokenize);
    hsc_model_free(shared);
}

/* ---- training ----------------------------------------------------------------- */

static int op_train(int final)
{
    hsc_trainer *t = NULL;
    hsc_model *m = NULL;
    int st = hsc_trainer_new(cfg, &t);
    if (st == HSC_OK)
        st = hsc_trainer_add_file(t, test_data_path("corrupt/tiny.tsv"), 1.0, 0);
    if (st == HSC_OK)
        st = hsc_trainer_add_row(t, "020130", 6, "Meat of bovine animals; fresh; boneless", 39, 1.0,
                                 HSC_ROWS_NOMENCLATURE);
    if (st == HSC_OK)
        st = hsc_trainer_train(t, &m);
    if (st == HSC_OK && final) {
        size_t n;
        assert_int_equal(hsc_model_label_count(m, &n), HSC_OK);
        assert_int_equal(n, 7);
    }
    if (st != HSC_OK)
        assert_null(m);
    hsc_model_free(m);
    hsc_trainer_free(t);
    return st;
}

static void test_training(void **state)
{
    (void)state;
    hsc_config *c = cfg;
    assert_int_equal(hsc_config_set_u32(c, HSC_CFG_DIM, 4), HSC_OK);
    assert_int_equal(hsc_config_set_u32(c, HSC_CFG_EPOCHS, 2), HSC_OK);
    assert_int_equal(hsc_config_set_u32(c, HSC_CFG_BUCKETS, 4096), HSC_OK);
    assert_int_equal(hsc_config_set_u32(c, HSC_CFG_THREADS, 1), HSC_OK);
    assert_int_equal(hsc_config_set_u32(c, HSC_CFG_CHAR_NGRAM_MIN, 4), HSC_OK);
    assert_int_equal(hsc_config_set_u32(c, HSC_CFG_CHAR_NGRAM_MAX, 4), HSC_OK);
    assert_int_equal(hsc_config_set_str(c, HSC_CFG_LANGUAGES, "en,fr"), HSC_OK);
    sweep("train", op_train);
}

/* Adapting a model with a precedent memory (with texts) and a
 * nomenclature: the base's memory joins the new one through its index
 * (hsc__prec_join), its descriptions are written as stored. The base is
 * trained with the C library's allocator; only the adapting run fails. */
static hsc_model *base;

static int op_adapt(int final)
{
    hsc_trainer *t = NULL;
    hsc_model *m = NULL;
    int st = hsc_trainer_new_from_model(cfg, base, &t);
    if (st == HSC_OK)
        st = hsc_trainer_add_file(t, test_data_path("corrupt/tiny.tsv"), 1.0, 0);
    if (st == HSC_OK)   /* a national line under a subheading of the base */
        st = hsc_trainer_add_row(t, "02013010", 8, "beef tenderloin chilled", 23, 1.0, 0);
    if (st == HSC_OK)
        st = hsc_trainer_train(t, &m);
    if (st == HSC_OK && final) {
        size_t n;
        assert_int_equal(hsc_model_label_count(m, &n), HSC_OK);
        assert_true(n >= 7);
        void *img = NULL;
        size_t len = 0;
        assert_int_equal(hsc_model_save_memory(m, &img, &len), HSC_OK);
        hsc_buffer_free(img);
    }
    if (st != HSC_OK)
        assert_null(m);
    hsc_model_free(m);
    hsc_trainer_free(t);
    return st;
}

static void test_adapting(void **state)
{
    (void)state;
    hsc_config *plain = NULL;
    hsc_trainer *t = NULL;
    assert_int_equal(hsc_config_new(&plain), HSC_OK);
    assert_int_equal(hsc_config_set_u32(plain, HSC_CFG_DIM, 4), HSC_OK);
    assert_int_equal(hsc_config_set_u32(plain, HSC_CFG_EPOCHS, 2), HSC_OK);
    assert_int_equal(hsc_config_set_u32(plain, HSC_CFG_BUCKETS, 4096), HSC_OK);
    assert_int_equal(hsc_config_set_u32(plain, HSC_CFG_THREADS, 1), HSC_OK);
    assert_int_equal(hsc_config_set_u32(plain, HSC_CFG_KEEP_PRECEDENT_TEXTS, 1), HSC_OK);
    assert_int_equal(hsc_config_set_str(plain, HSC_CFG_LANGUAGES, "en,fr"), HSC_OK);
    assert_int_equal(hsc_trainer_new(plain, &t), HSC_OK);
    assert_int_equal(hsc_trainer_add_file(t, test_data_path("corrupt/tiny.tsv"), 1.0, 0), HSC_OK);
    assert_int_equal(hsc_trainer_add_nomenclature_file(t, test_data_path("corrupt/tiny.tsv"), "en"),
                     HSC_OK);
    char lines[] = "/tmp/hsc-oom-natl-XXXXXX";
    int fd = mkstemp(lines);
    assert_true(fd >= 0);
    static const char natl[] = "02013010\tbeef tenderloin\n02013090\tother boneless beef\n";
    assert_int_equal(write(fd, natl, sizeof natl - 1), (ssize_t)(sizeof natl - 1));
    close(fd);
    assert_int_equal(hsc_trainer_add_national_file(t, lines, "TEST", "en"), HSC_OK);
    unlink(lines);
    assert_int_equal(hsc_trainer_train(t, &base), HSC_OK);
    hsc_trainer_free(t);
    hsc_config_free(plain);
    hsc_config *c = cfg;
    assert_int_equal(hsc_config_set_u32(c, HSC_CFG_CODE_DIGITS, 8), HSC_OK);
    assert_int_equal(hsc_config_set_u32(c, HSC_CFG_KEEP_PRECEDENT_TEXTS, 1), HSC_OK);
    sweep("adapt", op_adapt);
    assert_int_equal(hsc_config_set_u32(c, HSC_CFG_CODE_DIGITS, 6), HSC_OK);
    hsc_model_free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_training),
        cmocka_unit_test(test_adapting),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

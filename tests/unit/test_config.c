/* test_config.c - hsc_config setters/getters (ranges, types, unknown keys),
 * language parsing, copy and the allocator option. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hsc_internal.h"

/* ---- u32 options: accepted and rejected values ------------------------- */

static const struct {
    int32_t key;
    uint32_t lo, hi;        /* accepted range */
    uint32_t def;           /* default */
} u32_keys[] = {
    {HSC_CFG_MAX_TEXT_BYTES, 1, 1u << 30, 65536},
    {HSC_CFG_UTF8_REPLACE, 0, 1, 0},
    {HSC_CFG_STRIP_ACCENTS, 0, 1, 1},
    {HSC_CFG_MATCH_LIMIT, 1, UINT32_MAX, 100000},
    {HSC_CFG_BUCKETS, 1, 1u << 30, 2097152},
    {HSC_CFG_WORD_NGRAMS, 1, 2, 2},
    {HSC_CFG_CHAR_NGRAM_MIN, 0, 16, 3},
    {HSC_CFG_CHAR_NGRAM_MAX, 0, 16, 5},
    {HSC_CFG_HASH_SEED, 0, UINT32_MAX, 0},
    {HSC_CFG_SKELETONS, 0, 1, 1},
    {HSC_CFG_DIM, 1, 1024, 64},
    {HSC_CFG_EPOCHS, 1, 10000, 20},
    {HSC_CFG_THREADS, 0, 256, 1},   /* 0: one per core */
    {HSC_CFG_PRECEDENTS_PER_CODE, 0, UINT32_MAX, 0},
    {HSC_CFG_SEED, 0, UINT32_MAX, 1},
    {HSC_CFG_STRICT, 0, 1, 0},
    {HSC_CFG_MIN_COUNT, 1, UINT32_MAX, 1},
    {HSC_CFG_AUGMENT, 0, 1, 1},
};

static void test_u32_ranges(void **state)
{
    hsc_config *cfg = NULL;
    (void)state;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    for (size_t i = 0; i < sizeof u32_keys / sizeof u32_keys[0]; i++) {
        uint32_t v = 7;
        int32_t k = u32_keys[i].key;
        assert_int_equal(hsc_config_get_u32(cfg, k, &v), HSC_OK);
        assert_int_equal(v, u32_keys[i].def);
        assert_int_equal(hsc_config_set_u32(cfg, k, u32_keys[i].lo), HSC_OK);
        assert_int_equal(hsc_config_get_u32(cfg, k, &v), HSC_OK);
        assert_int_equal(v, u32_keys[i].lo);
        assert_int_equal(hsc_config_set_u32(cfg, k, u32_keys[i].hi), HSC_OK);
        assert_int_equal(hsc_config_get_u32(cfg, k, &v), HSC_OK);
        assert_int_equal(v, u32_keys[i].hi);
        if (u32_keys[i].lo > 0) {
            assert_int_equal(hsc_config_set_u32(cfg, k, u32_keys[i].lo - 1), HSC_E_INVALID_ARG);
        }
        if (u32_keys[i].hi < UINT32_MAX) {
            assert_int_equal(hsc_config_set_u32(cfg, k, u32_keys[i].hi + 1), HSC_E_INVALID_ARG);
            assert_int_equal(hsc_config_set_u32(cfg, k, UINT32_MAX), HSC_E_INVALID_ARG);
        }
        /* A rejected value keeps the previous one. */
        assert_int_equal(hsc_config_get_u32(cfg, k, &v), HSC_OK);
        assert_int_equal(v, u32_keys[i].hi);
    }
    hsc_config_free(cfg);
}

static void test_code_digits(void **state)
{
    hsc_config *cfg = NULL;
    uint32_t v;
    (void)state;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    for (uint32_t d = 0; d <= 12; d++) {
        int want = (d % 2 == 0 && d <= 10) ? HSC_OK : HSC_E_INVALID_ARG;
        assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_CODE_DIGITS, d), want);
    }
    assert_int_equal(hsc_config_get_u32(cfg, HSC_CFG_CODE_DIGITS, &v), HSC_OK);
    assert_int_equal(v, 10);
    hsc_config_free(cfg);
}

static void test_f64(void **state)
{
    static const struct {
        int32_t key;
        double value;
        int want;
        double stored;
    } cases[] = {
        {HSC_CFG_LEARNING_RATE, 0.1, HSC_OK, 0.1},
        {HSC_CFG_LEARNING_RATE, 100.0, HSC_OK, 100.0},
        {HSC_CFG_LEARNING_RATE, 0.0, HSC_E_INVALID_ARG, 100.0},
        {HSC_CFG_LEARNING_RATE, -0.5, HSC_E_INVALID_ARG, 100.0},
        {HSC_CFG_LEARNING_RATE, 100.5, HSC_E_INVALID_ARG, 100.0},
        {HSC_CFG_LEARNING_RATE, INFINITY, HSC_E_INVALID_ARG, 100.0},
        {HSC_CFG_LEARNING_RATE, NAN, HSC_E_INVALID_ARG, 100.0},
        {HSC_CFG_VALID_FRACTION, 0.0, HSC_OK, 0.0},
        {HSC_CFG_VALID_FRACTION, 0.5, HSC_OK, 0.5},
        {HSC_CFG_VALID_FRACTION, 0.51, HSC_E_INVALID_ARG, 0.5},
        {HSC_CFG_VALID_FRACTION, -0.01, HSC_E_INVALID_ARG, 0.5},
        {HSC_CFG_VALID_FRACTION, NAN, HSC_E_INVALID_ARG, 0.5},
        {HSC_CFG_ACCEPT_THRESHOLD, 0.0, HSC_OK, 0.0},
        {HSC_CFG_ACCEPT_THRESHOLD, 1.0, HSC_OK, 1.0},
        {HSC_CFG_ACCEPT_THRESHOLD, -3.0, HSC_OK, -1.0}, /* back to the model's */
        {HSC_CFG_ACCEPT_THRESHOLD, -INFINITY, HSC_OK, -1.0},
        {HSC_CFG_ACCEPT_THRESHOLD, 1.01, HSC_E_INVALID_ARG, -1.0},
        {HSC_CFG_ACCEPT_THRESHOLD, NAN, HSC_E_INVALID_ARG, -1.0},
        {HSC_CFG_REHEARSAL, 0.0, HSC_OK, 0.0},
        {HSC_CFG_REHEARSAL, 100.0, HSC_OK, 100.0},
        {HSC_CFG_REHEARSAL, -0.1, HSC_E_INVALID_ARG, 100.0},
        {HSC_CFG_REHEARSAL, NAN, HSC_E_INVALID_ARG, 100.0},
        {HSC_CFG_PRECEDENT_MIX, 0.0, HSC_OK, 0.0},
        {HSC_CFG_PRECEDENT_MIX, 0.4, HSC_OK, 0.4},
        {HSC_CFG_PRECEDENT_MIX, 1.0, HSC_E_INVALID_ARG, 0.4}, /* votes alone: no model */
        {HSC_CFG_PRECEDENT_MIX, NAN, HSC_E_INVALID_ARG, 0.4},
        {HSC_CFG_PRECEDENT_MIX, -2.0, HSC_OK, -1.0}, /* back to fitted */
    };
    hsc_config *cfg = NULL;
    double d;
    (void)state;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_get_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, &d), HSC_OK);
    assert_true(d < 0.0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(hsc_config_set_f64(cfg, cases[i].key, cases[i].value), cases[i].want);
        assert_int_equal(hsc_config_get_f64(cfg, cases[i].key, &d), HSC_OK);
        assert_true(d == cases[i].stored);
    }
    hsc_config_free(cfg);
}

static void test_wrong_types_and_unknown_keys(void **state)
{
    static const int32_t u32_only[] = {HSC_CFG_MAX_TEXT_BYTES, HSC_CFG_BUCKETS, HSC_CFG_DIM,
                                       HSC_CFG_CODE_DIGITS, HSC_CFG_AUGMENT};
    static const int32_t f64_only[] = {HSC_CFG_LEARNING_RATE, HSC_CFG_VALID_FRACTION,
                                       HSC_CFG_ACCEPT_THRESHOLD};
    static const int32_t unknown[] = {0, -1, 7, 17, 19, 35, 41, 99, INT32_MIN, INT32_MAX};
    hsc_config *cfg = NULL;
    uint32_t u;
    double d;
    const char *s;
    (void)state;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    for (size_t i = 0; i < sizeof u32_only / sizeof u32_only[0]; i++) {
        assert_int_equal(hsc_config_set_f64(cfg, u32_only[i], 1.0), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_set_str(cfg, u32_only[i], "1"), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_get_f64(cfg, u32_only[i], &d), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_get_str(cfg, u32_only[i], &s), HSC_E_UNSUPPORTED);
    }
    for (size_t i = 0; i < sizeof f64_only / sizeof f64_only[0]; i++) {
        assert_int_equal(hsc_config_set_u32(cfg, f64_only[i], 1), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_set_str(cfg, f64_only[i], "1"), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_get_u32(cfg, f64_only[i], &u), HSC_E_UNSUPPORTED);
    }
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_LANGUAGES, 1), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_LANGUAGES, 1.0), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_config_get_u32(cfg, HSC_CFG_LANGUAGES, &u), HSC_E_UNSUPPORTED);
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_int_equal(hsc_config_set_u32(cfg, unknown[i], 1), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_set_f64(cfg, unknown[i], 0.5), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_set_str(cfg, unknown[i], "en"), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_get_u32(cfg, unknown[i], &u), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_get_f64(cfg, unknown[i], &d), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_get_str(cfg, unknown[i], &s), HSC_E_UNSUPPORTED);
    }
    hsc_config_free(cfg);
}

/* ---- languages ---------------------------------------------------------- */

static void test_parse_languages(void **state)
{
    static const struct {
        const char *in;
        int want;
        uint32_t n;
        uint32_t ids[HSC__MAX_LANGS];
        const char *canon;   /* get_str after set_str */
    } cases[] = {
        {"en", HSC_OK, 1, {HSC__LANG_EN}, "en"},
        {"en,fr,pt,es", HSC_OK, 4, {1, 2, 3, 4}, "en,fr,pt,es"},
        {"es,en", HSC_OK, 2, {HSC__LANG_ES, HSC__LANG_EN}, "es,en"},
        {" FR , Portuguese ", HSC_OK, 2, {HSC__LANG_FR, HSC__LANG_PT}, "fr,pt"},
        {"english,\tspanish", HSC_OK, 2, {HSC__LANG_EN, HSC__LANG_ES}, "en,es"},
        {"none", HSC_OK, 1, {HSC__LANG_NONE}, "none"},
        {"NONE", HSC_OK, 1, {HSC__LANG_NONE}, "none"},
        {"", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {" ", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {",", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {"en,", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {",en", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {"en,,fr", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {"en,en", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {"en,english", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {"none,en", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {"en,none", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {"de", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {"e", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {"enx", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {"en fr", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
        {"en;fr", HSC_E_BAD_LANGUAGE, 0, {0}, NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t ids[HSC__MAX_LANGS] = {99, 99, 99, 99}, n = 99;
        hsc_config *cfg = NULL;
        const char *s = NULL;
        int rc = hsc__parse_languages(cases[i].in, ids, &n);
        assert_int_equal(rc, cases[i].want);
        assert_int_equal(hsc_config_new(&cfg), HSC_OK);
        assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, cases[i].in), cases[i].want);
        assert_int_equal(hsc_config_get_str(cfg, HSC_CFG_LANGUAGES, &s), HSC_OK);
        if (rc == HSC_OK) {
            assert_int_equal(n, cases[i].n);
            assert_memory_equal(ids, cases[i].ids, n * sizeof ids[0]);
            assert_string_equal(s, cases[i].canon);
            assert_int_equal(cfg->spec.n_langs, n);
            assert_memory_equal(cfg->spec.langs, ids, n * sizeof ids[0]);
        } else {
            assert_string_equal(s, "en,fr,pt,es"); /* unchanged */
            assert_int_equal(cfg->spec.n_langs, 4);
        }
        hsc_config_free(cfg);
    }
    assert_int_equal(hsc__parse_languages(NULL, NULL, NULL), HSC_E_INVALID_ARG);
}

static void test_lang_names(void **state)
{
    (void)state;
    assert_string_equal(hsc__lang_name(HSC__LANG_NONE), "none");
    assert_string_equal(hsc__lang_name(HSC__LANG_EN), "en");
    assert_string_equal(hsc__lang_name(HSC__LANG_FR), "fr");
    assert_string_equal(hsc__lang_name(HSC__LANG_PT), "pt");
    assert_string_equal(hsc__lang_name(HSC__LANG_ES), "es");
    assert_null(hsc__lang_name(HSC__LANG_COUNT));
    assert_null(hsc__lang_name(UINT32_MAX));
    assert_null(hsc__lang_snowball(HSC__LANG_NONE));
    assert_string_equal(hsc__lang_snowball(HSC__LANG_EN), "english");
    assert_string_equal(hsc__lang_snowball(HSC__LANG_FR), "french");
    assert_string_equal(hsc__lang_snowball(HSC__LANG_PT), "portuguese");
    assert_string_equal(hsc__lang_snowball(HSC__LANG_ES), "spanish");
    assert_null(hsc__lang_snowball(77));
}

/* ---- defaults, copy, allocator ------------------------------------------------ */

static void test_defaults_struct(void **state)
{
    hsc_config c;
    (void)state;
    memset(&c, 0xAB, sizeof c);
    hsc__config_defaults(&c);
    assert_int_equal(c.spec.tokenizer_version, HSC__TOKENIZER_VERSION);
    assert_int_equal(c.spec.n_langs, 4);
    assert_int_equal(c.spec.langs[0], HSC__LANG_EN);
    assert_int_equal(c.spec.langs[3], HSC__LANG_ES);
    assert_null(c.alloc.calloc_fn);
    assert_null(c.languages_str);
    assert_true(c.accept_threshold < 0.0);
    assert_int_equal(c.rt.max_text_bytes, 65536);
}

static void test_copy_is_deep(void **state)
{
    hsc_config *a = NULL, *b = NULL;
    const char *s;
    uint32_t u;
    (void)state;
    assert_int_equal(hsc_config_new(&a), HSC_OK);
    assert_int_equal(hsc_config_set_str(a, HSC_CFG_LANGUAGES, "pt,es"), HSC_OK);
    assert_int_equal(hsc_config_set_u32(a, HSC_CFG_BUCKETS, 4096), HSC_OK);
    assert_int_equal(hsc_config_copy(a, &b), HSC_OK);
    assert_ptr_not_equal(a->languages_str, b->languages_str);
    assert_int_equal(hsc_config_set_str(a, HSC_CFG_LANGUAGES, "en"), HSC_OK);
    assert_int_equal(hsc_config_set_u32(a, HSC_CFG_BUCKETS, 8), HSC_OK);
    hsc_config_free(a);
    assert_int_equal(hsc_config_get_str(b, HSC_CFG_LANGUAGES, &s), HSC_OK);
    assert_string_equal(s, "pt,es");
    assert_int_equal(b->spec.n_langs, 2);
    assert_int_equal(hsc_config_get_u32(b, HSC_CFG_BUCKETS, &u), HSC_OK);
    assert_int_equal(u, 4096);
    hsc_config_free(b);

    /* A default config (no language string yet) copies too. */
    assert_int_equal(hsc_config_new(&a), HSC_OK);
    assert_int_equal(hsc_config_copy(a, &b), HSC_OK);
    assert_int_equal(hsc_config_get_str(b, HSC_CFG_LANGUAGES, &s), HSC_OK);
    assert_string_equal(s, "en,fr,pt,es");
    hsc_config_free(a);
    hsc_config_free(b);
    assert_int_equal(hsc_config_copy(NULL, &b), HSC_E_INVALID_ARG);
    assert_null(b);
    hsc_config_free(NULL);
}

static int n_calls;
static void *my_calloc(void *u, size_t n, size_t s) { (void)u; n_calls++; return calloc(n, s); }
static void *my_realloc(void *u, void *p, size_t s) { (void)u; n_calls++; return realloc(p, s); }
static void my_free(void *u, void *p) { (void)u; n_calls++; free(p); }

static void test_allocator(void **state)
{
    hsc_config *cfg = NULL, *copy = NULL;
    int tag;
    (void)state;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    /* All three or none. */
    assert_int_equal(hsc_config_set_allocator(cfg, my_calloc, NULL, my_free, NULL),
                     HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_allocator(cfg, NULL, my_realloc, NULL, NULL),
                     HSC_E_INVALID_ARG);
    assert_null(cfg->alloc.calloc_fn);
    assert_int_equal(hsc_config_set_allocator(cfg, my_calloc, my_realloc, my_free, &tag), HSC_OK);
    assert_ptr_equal(cfg->alloc.user, &tag);
    /* The config itself keeps the C library's allocator: setting and
     * freeing it never calls the user's functions. */
    n_calls = 0;
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "fr"), HSC_OK);
    assert_int_equal(hsc_config_copy(cfg, &copy), HSC_OK);
    assert_ptr_equal(copy->alloc.calloc_fn, my_calloc);  /* copied along */
    hsc_config_free(copy);
    assert_int_equal(n_calls, 0);
    /* Objects made with it do use it. */
    {
        hsc__analyzer *an = NULL;
        assert_int_equal(hsc__analyzer_new(&cfg->alloc, &cfg->spec, &cfg->rt, &an), HSC_OK);
        assert_int_equal(hsc__analyze(an, "boeuf congelé", 14), HSC_OK);
        hsc__analyzer_free(an);
        assert_true(n_calls > 0);
    }
    assert_int_equal(hsc_config_set_allocator(cfg, NULL, NULL, NULL, NULL), HSC_OK);
    assert_null(cfg->alloc.calloc_fn);
    assert_null(cfg->alloc.user);
    hsc_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u32_ranges),
        cmocka_unit_test(test_code_digits),
        cmocka_unit_test(test_f64),
        cmocka_unit_test(test_wrong_types_and_unknown_keys),
        cmocka_unit_test(test_parse_languages),
        cmocka_unit_test(test_lang_names),
        cmocka_unit_test(test_defaults_struct),
        cmocka_unit_test(test_copy_is_deep),
        cmocka_unit_test(test_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

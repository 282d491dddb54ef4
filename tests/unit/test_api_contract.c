/* test_api_contract.c - the promises hsclass.h makes, checked through the
 * public header only: NULL handling, NULL-safe frees, status strings,
 * versions, config typing and ranges, states, result invariants. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hsclass.h"

/* ---- versions and statuses ---------------------------------------------- */

static void test_versions(void **state)
{
    (void)state;
    assert_int_equal(hsc_version_number(), HSC_VERSION_NUMBER);
    assert_int_equal(HSC_VERSION_NUMBER,
                     HSC_VERSION_MAJOR * 10000 + HSC_VERSION_MINOR * 100 + HSC_VERSION_PATCH);
    assert_non_null(hsc_version_string());
    assert_string_equal(hsc_version_string(), HSC_VERSION_STRING);
    char buf[64];
    snprintf(buf, sizeof buf, "%d.%d.%d", HSC_VERSION_MAJOR, HSC_VERSION_MINOR, HSC_VERSION_PATCH);
    assert_string_equal(buf, HSC_VERSION_STRING);
    assert_true(hsc_model_format_version_max() >= 1);
}

#define S(x) {x, #x}
static const struct {
    hsc_status code;
    const char *name;
} statuses[] = {
    S(HSC_OK),
    S(HSC_E_INVALID_ARG), S(HSC_E_UNSUPPORTED), S(HSC_E_STATE), S(HSC_E_NO_RESULT),
    S(HSC_E_CANCELLED),
    S(HSC_E_BAD_UTF8), S(HSC_E_TEXT_TOO_LONG), S(HSC_E_REGEX_LIMIT), S(HSC_E_BAD_LANGUAGE),
    S(HSC_E_BAD_CODE),
    S(HSC_E_IO), S(HSC_E_MODEL_TRUNCATED), S(HSC_E_MODEL_SIGNATURE), S(HSC_E_MODEL_VERSION),
    S(HSC_E_MODEL_CRC), S(HSC_E_MODEL_LAYOUT), S(HSC_E_MODEL_SECTION), S(HSC_E_MODEL_LIMIT),
    S(HSC_E_MODEL_INFLATE), S(HSC_E_MODEL_VALUE), S(HSC_E_MODEL_MISMATCH),
    S(HSC_E_BAD_ROW), S(HSC_E_NO_DATA), S(HSC_E_ONE_CLASS), S(HSC_E_CHECKPOINT_CORRUPT),
    S(HSC_E_CHECKPOINT_MISMATCH),
    S(HSC_E_NOMEM), S(HSC_E_INTERNAL),
};
#define N_STATUSES (sizeof statuses / sizeof statuses[0])

static void test_status_strings(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_STATUSES; i++) {
        const char *s = hsc_status_string(statuses[i].code);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown status");
        /* "NAME: explanation" */
        size_t n = strlen(statuses[i].name);
        assert_int_equal(strncmp(s, statuses[i].name, n), 0);
        assert_int_equal(s[n], ':');
        assert_true(strlen(s) > n + 2);
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(statuses[i].code, statuses[j].code);
            assert_string_not_equal(s, hsc_status_string(statuses[j].code));
        }
    }
    /* Values are fixed forever: bindings hard-code them. */
    assert_int_equal(HSC_OK, 0);
    assert_int_equal(HSC_E_INVALID_ARG, 1);
    assert_int_equal(HSC_E_BAD_UTF8, 20);
    assert_int_equal(HSC_E_IO, 40);
    assert_int_equal(HSC_E_BAD_ROW, 70);
    assert_int_equal(HSC_E_NOMEM, 90);
    const hsc_status unknown[] = {-1, 6, 19, 39, 69, 89, 92, 1000, INT32_MIN};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_string_equal(hsc_status_string(unknown[i]), "unknown status");
}

static void test_free_null(void **state)
{
    (void)state;
    hsc_config_free(NULL);
    hsc_model_free(NULL);
    hsc_session_free(NULL);
    hsc_trainer_free(NULL);
    hsc_eval_free(NULL);
    hsc_buffer_free(NULL);
}

/* ---- config --------------------------------------------------------------- */

/* One rule for every code: '.' and ' ' inside are ignored. */
static void test_code_parse(void **state)
{
    (void)state;
    char d[HSC_CODE_MAX_DIGITS + 1];
    size_t n = 99;
    assert_int_equal(hsc_code_parse("8703 23", 7, d, sizeof d, &n), HSC_OK);
    assert_string_equal(d, "870323");
    assert_int_equal(n, 6);
    assert_int_equal(hsc_code_parse("0201.30.00", 10, d, sizeof d, &n), HSC_OK);
    assert_string_equal(d, "02013000");
    assert_int_equal(hsc_code_parse("8703.23 xyz", 7, d, sizeof d, &n), HSC_OK);   /* len */
    assert_string_equal(d, "870323");
    assert_int_equal(hsc_code_parse(" . ", 3, d, sizeof d, &n), HSC_OK);
    assert_int_equal(n, 0);
    assert_string_equal(d, "");
    assert_int_equal(hsc_code_parse(NULL, 0, d, sizeof d, &n), HSC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hsc_code_parse("123456789012", 12, d, sizeof d, &n), HSC_OK);
    assert_int_equal(hsc_code_parse("1234567890123", 13, d, sizeof d, &n), HSC_E_BAD_CODE);
    assert_int_equal(n, 0);
    assert_int_equal(hsc_code_parse("84,85", 5, d, sizeof d, &n), HSC_E_BAD_CODE);
    assert_int_equal(hsc_code_parse("84\t85", 5, d, sizeof d, &n), HSC_E_BAD_CODE);
    assert_int_equal(hsc_code_parse("84", 2, d, HSC_CODE_MAX_DIGITS, &n), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_code_parse("84", 2, NULL, sizeof d, &n), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_code_parse("84", 2, d, sizeof d, NULL), HSC_OK);   /* d says it */
    assert_int_equal(hsc_code_parse(NULL, 2, d, sizeof d, &n), HSC_E_INVALID_ARG);
}

static void test_config_null_args(void **state)
{
    (void)state;
    hsc_config *cfg = NULL, *copy = NULL;
    uint32_t u;
    double d;
    const char *s;
    assert_int_equal(hsc_config_new(NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_non_null(cfg);
    assert_int_equal(hsc_config_copy(NULL, &copy), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_copy(cfg, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_u32(NULL, HSC_CFG_EPOCHS, 3), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(NULL, HSC_CFG_LEARNING_RATE, 0.1), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_str(NULL, HSC_CFG_LANGUAGES, "en"), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_get_u32(NULL, HSC_CFG_EPOCHS, &u), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_get_u32(cfg, HSC_CFG_EPOCHS, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_get_f64(NULL, HSC_CFG_LEARNING_RATE, &d), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_get_f64(cfg, HSC_CFG_LEARNING_RATE, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_get_str(NULL, HSC_CFG_LANGUAGES, &s), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_get_str(cfg, HSC_CFG_LANGUAGES, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_allocator(NULL, NULL, NULL, NULL, NULL), HSC_E_INVALID_ARG);
    hsc_config_free(cfg);
}

static void test_config_defaults(void **state)
{
    (void)state;
    static const struct {
        int32_t key;
        uint32_t value;
    } u32_defaults[] = {
        {HSC_CFG_MAX_TEXT_BYTES, 65536}, {HSC_CFG_UTF8_REPLACE, 0},  {HSC_CFG_STRIP_ACCENTS, 1},
        {HSC_CFG_MATCH_LIMIT, 100000},   {HSC_CFG_BUCKETS, 2097152}, {HSC_CFG_WORD_NGRAMS, 2},
        {HSC_CFG_CHAR_NGRAM_MIN, 3},     {HSC_CFG_CHAR_NGRAM_MAX, 5}, {HSC_CFG_HASH_SEED, 0},
        {HSC_CFG_SKELETONS, 1},          {HSC_CFG_DIM, 64},          {HSC_CFG_EPOCHS, 20},
        {HSC_CFG_THREADS, 1},            {HSC_CFG_SEED, 1},          {HSC_CFG_CODE_DIGITS, 6},
        {HSC_CFG_STRICT, 0},             {HSC_CFG_MIN_COUNT, 1},     {HSC_CFG_AUGMENT, 1},
    };
    hsc_config *cfg = NULL;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    for (size_t i = 0; i < sizeof u32_defaults / sizeof u32_defaults[0]; i++) {
        uint32_t v = 12345;
        assert_int_equal(hsc_config_get_u32(cfg, u32_defaults[i].key, &v), HSC_OK);
        assert_int_equal(v, u32_defaults[i].value);
    }
    double d = 0;
    assert_int_equal(hsc_config_get_f64(cfg, HSC_CFG_LEARNING_RATE, &d), HSC_OK);
    assert_true(d == 0.5);
    assert_int_equal(hsc_config_get_f64(cfg, HSC_CFG_VALID_FRACTION, &d), HSC_OK);
    assert_true(d == 0.05);
    const char *s = NULL;
    assert_int_equal(hsc_config_get_str(cfg, HSC_CFG_LANGUAGES, &s), HSC_OK);
    assert_string_equal(s, "en,fr,pt,es");
    hsc_config_free(cfg);
}

static void test_config_types(void **state)
{
    (void)state;
    hsc_config *cfg = NULL;
    uint32_t u;
    double d;
    const char *s;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    /* Each key has exactly one type. */
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_EPOCHS, 3.0), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_EPOCHS, "3"), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_config_get_f64(cfg, HSC_CFG_EPOCHS, &d), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_config_get_str(cfg, HSC_CFG_EPOCHS, &s), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_LEARNING_RATE, 1), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_VALID_FRACTION, "0.1"), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_config_get_u32(cfg, HSC_CFG_ACCEPT_THRESHOLD, &u), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_LANGUAGES, 1), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_config_get_u32(cfg, HSC_CFG_LANGUAGES, &u), HSC_E_UNSUPPORTED);
    /* Unknown keys. */
    const int32_t unknown[] = {0, -1, 6, 9, 17, 35, 39, 41, 1000, INT32_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_int_equal(hsc_config_set_u32(cfg, unknown[i], 1), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_set_f64(cfg, unknown[i], 1.0), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_set_str(cfg, unknown[i], "x"), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_get_u32(cfg, unknown[i], &u), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_get_f64(cfg, unknown[i], &d), HSC_E_UNSUPPORTED);
        assert_int_equal(hsc_config_get_str(cfg, unknown[i], &s), HSC_E_UNSUPPORTED);
    }
    /* Values round-trip. */
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 7), HSC_OK);
    assert_int_equal(hsc_config_get_u32(cfg, HSC_CFG_EPOCHS, &u), HSC_OK);
    assert_int_equal(u, 7);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_LEARNING_RATE, 0.25), HSC_OK);
    assert_int_equal(hsc_config_get_f64(cfg, HSC_CFG_LEARNING_RATE, &d), HSC_OK);
    assert_true(d == 0.25);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, 0.4), HSC_OK);
    assert_int_equal(hsc_config_get_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, &d), HSC_OK);
    assert_true(d == 0.4);
    char langs[] = "fr,pt";
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, langs), HSC_OK);
    langs[0] = 'x'; /* strings are copied */
    assert_int_equal(hsc_config_get_str(cfg, HSC_CFG_LANGUAGES, &s), HSC_OK);
    assert_string_equal(s, "fr,pt");
    hsc_config_free(cfg);
}

static void test_config_ranges(void **state)
{
    (void)state;
    hsc_config *cfg = NULL;
    uint32_t u;
    double d;
    const char *s;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_WORD_NGRAMS, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_WORD_NGRAMS, 3), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_UTF8_REPLACE, 2), HSC_E_INVALID_ARG);
    const uint32_t bad_digits[] = {1, 3, 5, 7, 9, 11, 12};
    for (size_t i = 0; i < sizeof bad_digits / sizeof bad_digits[0]; i++)
        assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_CODE_DIGITS, bad_digits[i]),
                         HSC_E_INVALID_ARG);
    const uint32_t good_digits[] = {0, 2, 4, 6, 8, 10};
    for (size_t i = 0; i < sizeof good_digits / sizeof good_digits[0]; i++)
        assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_CODE_DIGITS, good_digits[i]), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_DIM, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_THREADS, 257), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_LEARNING_RATE, 0.0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_LEARNING_RATE, -1.0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_LEARNING_RATE, NAN), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_LEARNING_RATE, INFINITY), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_VALID_FRACTION, -0.1), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_VALID_FRACTION, 1.5), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_VALID_FRACTION, NAN), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, 1.5), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, NAN), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "xx"), HSC_E_BAD_LANGUAGE);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "en,klingon"),
                     HSC_E_BAD_LANGUAGE);
    /* A rejected value leaves the old one in place. */
    assert_int_equal(hsc_config_get_u32(cfg, HSC_CFG_WORD_NGRAMS, &u), HSC_OK);
    assert_int_equal(u, 2);
    assert_int_equal(hsc_config_get_f64(cfg, HSC_CFG_LEARNING_RATE, &d), HSC_OK);
    assert_true(d == 0.5);
    assert_int_equal(hsc_config_get_str(cfg, HSC_CFG_LANGUAGES, &s), HSC_OK);
    assert_string_equal(s, "en,fr,pt,es");
    hsc_config_free(cfg);
}

static void test_config_copy(void **state)
{
    (void)state;
    hsc_config *cfg = NULL, *copy = NULL;
    uint32_t u;
    const char *s;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_DIM, 16), HSC_OK);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "pt"), HSC_OK);
    assert_int_equal(hsc_config_copy(cfg, &copy), HSC_OK);
    assert_non_null(copy);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_DIM, 32), HSC_OK);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "fr"), HSC_OK);
    hsc_config_free(cfg);
    assert_int_equal(hsc_config_get_u32(copy, HSC_CFG_DIM, &u), HSC_OK);
    assert_int_equal(u, 16);
    assert_int_equal(hsc_config_get_str(copy, HSC_CFG_LANGUAGES, &s), HSC_OK);
    assert_string_equal(s, "pt");
    hsc_config_free(copy);
}

/* ---- allocator ------------------------------------------------------------- */

typedef struct counter {
    long live, calls;
} counter;

/* Header before each block so realloc/free can be tracked. */
static void *count_calloc(void *user, size_t n, size_t size)
{
    counter *c = user;
    if (size && n > (SIZE_MAX - 16) / size)
        return NULL;
    unsigned char *p = calloc(1, n * size + 16);
    if (!p)
        return NULL;
    c->live++;
    c->calls++;
    return p + 16;
}

static void *count_realloc(void *user, void *ptr, size_t size)
{
    counter *c = user;
    if (size > SIZE_MAX - 16)
        return NULL;
    unsigned char *p = realloc(ptr ? (unsigned char *)ptr - 16 : NULL, size + 16);
    if (!p)
        return NULL;
    if (!ptr)
        c->live++;
    c->calls++;
    return p + 16;
}

static void count_free(void *user, void *ptr)
{
    counter *c = user;
    if (!ptr)
        return;
    c->live--;
    free((unsigned char *)ptr - 16);
}

static void test_allocator(void **state)
{
    (void)state;
    hsc_config *cfg = NULL;
    hsc_session *s = NULL;
    counter c = {0, 0};
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    /* All three or none. */
    assert_int_equal(hsc_config_set_allocator(cfg, count_calloc, NULL, NULL, &c),
                     HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_allocator(cfg, count_calloc, count_realloc, NULL, &c),
                     HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_allocator(cfg, NULL, count_realloc, count_free, &c),
                     HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_allocator(cfg, count_calloc, count_realloc, count_free, &c),
                     HSC_OK);
    assert_int_equal(hsc_session_new(NULL, cfg, &s), HSC_OK);
    hsc_config_free(cfg); /* the session copied what it needs */
    assert_int_equal(hsc_session_tokenize(s, "frozen boneless beef 20kg", 25), HSC_OK);
    assert_true(hsc_session_token_count(s) > 0);
    assert_true(c.calls > 0);
    hsc_session_free(s);
    assert_int_equal(c.live, 0);

    /* NULL restores the C library's. */
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_allocator(cfg, count_calloc, count_realloc, count_free, &c),
                     HSC_OK);
    assert_int_equal(hsc_config_set_allocator(cfg, NULL, NULL, NULL, NULL), HSC_OK);
    long before = c.calls;
    assert_int_equal(hsc_session_new(NULL, cfg, &s), HSC_OK);
    hsc_session_free(s);
    hsc_config_free(cfg);
    assert_int_equal(c.calls, before);
}

/* ---- sessions without a model ------------------------------------------------ */

static void test_session_without_model(void **state)
{
    (void)state;
    hsc_session *s = NULL;
    const char *norm, *stems, *code;
    uint32_t type, flags;
    size_t off, len, n;
    double p;
    assert_int_equal(hsc_session_new(NULL, NULL, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_new(NULL, NULL, &s), HSC_OK);
    assert_non_null(s);
    assert_non_null(hsc_session_last_error_detail(s));

    assert_int_equal(hsc_session_tokenize(NULL, "a", 1), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_tokenize(s, NULL, 1), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_token_count(NULL), 0);
    assert_int_equal(hsc_session_token(NULL, 0, &norm, &type, &flags), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_token_stems(NULL, 0, &stems), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_token_span(NULL, 0, &off, &len), HSC_E_INVALID_ARG);

    /* Classification needs a model. */
    assert_int_equal(hsc_session_classify(NULL, "beef", 4, 5), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_classify(s, "beef", 4, 5), HSC_E_STATE);
    assert_int_equal(hsc_session_result_count(NULL, 0, &n), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_result(NULL, 0, 0, &code, &p), HSC_E_INVALID_ARG);

    /* Empty or blank text: zero tokens, OK. */
    assert_int_equal(hsc_session_tokenize(s, "", 0), HSC_OK);
    assert_int_equal(hsc_session_token_count(s), 0);
    assert_int_equal(hsc_session_tokenize(s, " \t \r\n ", 6), HSC_OK);
    assert_int_equal(hsc_session_token_count(s), 0);

    /* Tokens: in range, spans inside the caller's text; text needs no NUL. */
    const char text[] = "FROZEN BONELESS BEEF CUTS 20KG CTNS";
    size_t tlen = sizeof text - 1;
    assert_int_equal(hsc_session_tokenize(s, text, tlen), HSC_OK);
    n = hsc_session_token_count(s);
    assert_true(n >= 5);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hsc_session_token(s, i, &norm, &type, &flags), HSC_OK);
        assert_non_null(norm);
        assert_true(type >= HSC_TOKEN_WORD && type <= HSC_TOKEN_ALNUM);
        assert_int_equal(hsc_session_token_stems(s, i, &stems), HSC_OK);
        assert_non_null(stems);
        assert_int_equal(hsc_session_token_span(s, i, &off, &len), HSC_OK);
        assert_true(len > 0 && off + len <= tlen);
    }
    assert_int_equal(hsc_session_token_stems(s, 0, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_token_span(s, 0, NULL, &len), HSC_OK);   /* two outputs */
    assert_int_equal(hsc_session_token(s, n, &norm, &type, &flags), HSC_E_NO_RESULT);
    assert_int_equal(hsc_session_token_stems(s, n, &stems), HSC_E_NO_RESULT);
    assert_int_equal(hsc_session_token_span(s, n, &off, &len), HSC_E_NO_RESULT);

    /* Bad UTF-8: status plus a detail. */
    assert_int_equal(hsc_session_tokenize(s, "beef \xC3\x28 cuts", 12), HSC_E_BAD_UTF8);
    assert_true(strlen(hsc_session_last_error_detail(s)) > 0);
    hsc_session_free(s);

    /* Length limit and replacement, from the config. */
    hsc_config *cfg = NULL;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_MAX_TEXT_BYTES, 16), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_UTF8_REPLACE, 1), HSC_OK);
    assert_int_equal(hsc_session_new(NULL, cfg, &s), HSC_OK);
    assert_int_equal(hsc_session_tokenize(s, "beef \xC3\x28 cuts", 12), HSC_OK);
    assert_int_equal(hsc_session_tokenize(s, "frozen boneless beef", 20), HSC_E_TEXT_TOO_LONG);
    hsc_session_free(s);
    hsc_config_free(cfg);
}

/* ---- models and trainers ---------------------------------------------------------- */

static const struct {
    const char *code, *text;
} rows[] = {
    {"020130", "fresh boneless beef"},        {"020130", "chilled boneless bovine meat"},
    {"020130", "fresh beef cuts boneless"},   {"020130", "boneless beef chilled vacuum"},
    {"020230", "frozen boneless beef"},       {"020230", "frozen bovine meat boneless"},
    {"020230", "frozen beef cuts boneless"},  {"020230", "boneless beef frozen cartons"},
    {"610910", "cotton t-shirt knitted"},     {"610910", "t-shirts of cotton for men"},
    {"610910", "knitted cotton tee shirt"},   {"610910", "cotton t shirt printed"},
    {"870323", "motor car petrol engine"},    {"870323", "passenger car spark ignition 1800cc"},
    {"870323", "used petrol car sedan"},      {"870323", "motor vehicle petrol 2000 cc"},
};
#define N_ROWS (sizeof rows / sizeof rows[0])

static hsc_config *small_config(void)
{
    hsc_config *cfg = NULL;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_DIM, 8), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 65536), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 5), HSC_OK);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "en"), HSC_OK);
    return cfg;
}

static hsc_model *train_small(void)
{
    hsc_config *cfg = small_config();
    hsc_trainer *t = NULL;
    hsc_model *m = NULL;
    assert_int_equal(hsc_trainer_new(cfg, &t), HSC_OK);
    hsc_config_free(cfg);
    for (size_t i = 0; i < N_ROWS; i++)
        assert_int_equal(hsc_trainer_add_row(t, rows[i].code, strlen(rows[i].code), rows[i].text,
                                             strlen(rows[i].text), 1.0, 0),
                         HSC_OK);
    assert_int_equal(hsc_trainer_train(t, &m), HSC_OK);
    assert_non_null(m);
    hsc_trainer_free(t);
    return m;
}

typedef struct row_log {
    int calls;
    uint64_t line;
    hsc_status status;
} row_log;

static void on_row_error(void *user, const char *file, uint64_t line, hsc_status status,
                         const char *message)
{
    row_log *log = user;
    assert_non_null(file);
    assert_non_null(message);
    log->calls++;
    log->line = line;
    log->status = status;
}

static void test_trainer_contract(void **state)
{
    (void)state;
    hsc_trainer *t = NULL;
    hsc_model *m = NULL;
    uint64_t acc = 99, rej = 99;
    assert_int_equal(hsc_trainer_new(NULL, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_new(NULL, &t), HSC_OK);
    assert_int_equal(hsc_trainer_set_row_error_callback(NULL, on_row_error, NULL),
                     HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_set_progress_callback(NULL, NULL, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_file(NULL, "x.tsv", 1.0, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_file(t, NULL, 1.0, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_file(t, "/nonexistent/hsclass/x.tsv", 1.0, 0), HSC_E_IO);
    assert_int_equal(hsc_trainer_add_row(NULL, "020130", 6, "beef", 4, 1.0, 0),
                     HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_row(t, NULL, 6, "beef", 4, 1.0, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_row(t, "020130", 6, NULL, 4, 1.0, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_row(t, "020130", 6, "beef", 4, 0.0, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_row(t, "020130", 6, "beef", 4, -1.0, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_row_counts(NULL, &acc, &rej), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_row_counts(t, &acc, &rej), HSC_OK);
    assert_int_equal(acc, 0);
    assert_int_equal(rej, 0);
    assert_int_equal(hsc_trainer_train(NULL, &m), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_train(t, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_train(t, &m), HSC_E_NO_DATA);
    assert_null(m);
    /* One code only. */
    assert_int_equal(hsc_trainer_add_row(t, "020130", 6, "fresh beef", 10, 1.0, 0), HSC_OK);
    assert_int_equal(hsc_trainer_add_row(t, "020130", 6, "chilled beef", 12, 1.0, 0), HSC_OK);
    assert_int_equal(hsc_trainer_train(t, &m), HSC_E_ONE_CLASS);
    assert_null(m);
    hsc_trainer_free(t);

    /* Malformed rows: callback, skipped (lenient) or HSC_E_BAD_ROW (strict). */
    row_log log = {0, 0, 0};
    assert_int_equal(hsc_trainer_new(NULL, &t), HSC_OK);
    assert_int_equal(hsc_trainer_set_row_error_callback(t, on_row_error, &log), HSC_OK);
    assert_int_equal(hsc_trainer_add_row(t, "02x130", 6, "beef", 4, 1.0, 0), HSC_OK);
    assert_int_equal(hsc_trainer_add_row(t, "020130", 6, "", 0, 1.0, 0), HSC_OK);
    assert_int_equal(log.calls, 2);
    assert_int_equal(hsc_trainer_add_row(t, "020130", 6, "fresh beef", 10, 1.0, 0), HSC_OK);
    assert_int_equal(hsc_trainer_row_counts(t, &acc, &rej), HSC_OK);
    assert_int_equal(acc, 1);
    assert_int_equal(rej, 2);
    hsc_trainer_free(t);

    hsc_config *cfg = NULL;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_STRICT, 1), HSC_OK);
    assert_int_equal(hsc_trainer_new(cfg, &t), HSC_OK);
    hsc_config_free(cfg);
    log.calls = 0;
    assert_int_equal(hsc_trainer_set_row_error_callback(t, on_row_error, &log), HSC_OK);
    assert_int_equal(hsc_trainer_add_row(t, "02x130", 6, "beef", 4, 1.0, 0), HSC_E_BAD_ROW);
    assert_int_equal(log.calls, 1);
    assert_int_not_equal(log.status, HSC_OK);
    hsc_trainer_free(t);
}

static int32_t cancel_at_once(void *user, uint32_t epoch, uint32_t epochs, double done,
                              double loss, double eps, double valid)
{
    int *calls = user;
    (void)epoch, (void)loss, (void)eps, (void)valid;
    assert_true(epoch >= 1 && epoch <= epochs);
    assert_true(done >= 0.0 && done <= 1.0);
    (*calls)++;
    return 1;
}

static void test_trainer_cancel(void **state)
{
    (void)state;
    hsc_config *cfg = small_config();
    hsc_trainer *t = NULL;
    hsc_model *m = NULL;
    int calls = 0;
    assert_int_equal(hsc_trainer_new(cfg, &t), HSC_OK);
    hsc_config_free(cfg);
    for (size_t i = 0; i < N_ROWS; i++)
        assert_int_equal(hsc_trainer_add_row(t, rows[i].code, strlen(rows[i].code), rows[i].text,
                                             strlen(rows[i].text), 1.0, 0),
                         HSC_OK);
    assert_int_equal(hsc_trainer_set_progress_callback(t, cancel_at_once, &calls), HSC_OK);
    assert_int_equal(hsc_trainer_train(t, &m), HSC_E_CANCELLED);
    assert_null(m);
    assert_true(calls >= 1);
    hsc_trainer_free(t);
}

static void check_results(const hsc_session *s, uint32_t digits, uint32_t k)
{
    size_t n = 0;
    const char *code, *prev_code = NULL;
    double p, prev = 2.0, sum = 0.0;
    assert_int_equal(hsc_session_result_count(s, digits, &n), HSC_OK);
    assert_true(n >= 1 && n <= k);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hsc_session_result(s, digits, i, &code, &p), HSC_OK);
        assert_non_null(code);
        if (digits)
            assert_int_equal(strlen(code), digits);
        assert_true(p >= 0.0 && p <= 1.0 && p <= prev);
        if (prev_code)
            assert_string_not_equal(code, prev_code);
        prev = p;
        prev_code = code;
        sum += p;
    }
    assert_true(sum <= 1.0 + 1e-6); /* float32 scores: rounding only */
    assert_int_equal(hsc_session_result(s, digits, n, &code, &p), HSC_E_NO_RESULT);
}

static void test_model_contract(void **state)
{
    (void)state;
    hsc_model *m = NULL, *m2 = NULL;
    hsc_session *s = NULL;
    const char *str, *key;
    size_t n = 0;
    uint64_t off = 0;
    void *buf = NULL, *buf2 = NULL;
    size_t buf_len = 0, buf2_len = 0;

    /* Loading. */
    assert_int_equal(hsc_model_load_file(NULL, NULL, &m, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_load_file("x.hscm", NULL, NULL, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_load_memory(NULL, 64, NULL, &m, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_load_memory("x", 1, NULL, NULL, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_load_file("/nonexistent/hsclass.hscm", NULL, &m, &off), HSC_E_IO);
    assert_null(m);
    static const char junk[128] = "this is not a model file";
    hsc_status st = hsc_model_load_memory(junk, sizeof junk, NULL, &m, &off);
    assert_true(st >= 40 && st < 70);
    assert_null(m);

    m = train_small();
    assert_int_equal(hsc_model_info_str(NULL, HSC_INFO_FINGERPRINT, &str), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_info_str(m, HSC_INFO_FINGERPRINT, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_info_str(m, 9999, &str), HSC_E_UNSUPPORTED);
    for (int32_t k = HSC_INFO_FORMAT_VERSION; k <= HSC_INFO_CREATED_BY; k++) {
        str = NULL;
        assert_int_equal(hsc_model_info_str(m, k, &str), HSC_OK);
        assert_non_null(str);
    }
    assert_int_equal(hsc_model_info_str(m, HSC_INFO_FINGERPRINT, &str), HSC_OK);
    assert_true(strlen(str) > 0 && strspn(str, "0123456789abcdefABCDEF") == strlen(str));
    assert_int_equal(hsc_model_meta_count(NULL, &n), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_meta_count(m, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_meta_count(m, &n), HSC_OK);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hsc_model_meta_get(m, i, &key, &str), HSC_OK);
        assert_non_null(key);
        assert_non_null(str);
    }
    assert_int_equal(hsc_model_meta_get(NULL, 0, &key, &str), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_meta_get(m, n, &key, &str), HSC_E_NO_RESULT);

    /* Labels: the four codes, sorted. */
    assert_int_equal(hsc_model_label_count(NULL, &n), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_label_count(m, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_label_count(m, &n), HSC_OK);
    assert_int_equal(n, 4);
    static const char *const codes[] = {"020130", "020230", "610910", "870323"};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hsc_model_label(m, i, &str), HSC_OK);
        assert_string_equal(str, codes[i]);
    }
    assert_int_equal(hsc_model_label(NULL, 0, &str), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_label(m, 0, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_label(m, n, &str), HSC_E_NO_RESULT);

    /* Saving: deterministic, and a load gives the same bytes back. */
    assert_int_equal(hsc_model_save_memory(NULL, &buf, &buf_len), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_save_memory(m, NULL, &buf_len), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_save_memory(m, &buf, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_save_file(NULL, "x.hscm"), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_save_file(m, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_save_file(m, "/nonexistent/dir/m.hscm"), HSC_E_IO);
    assert_int_equal(hsc_model_save_memory(m, &buf, &buf_len), HSC_OK);
    assert_true(buf_len >= 64);
    assert_int_equal(hsc_model_load_memory(buf, buf_len, NULL, &m2, &off), HSC_OK);
    assert_int_equal(hsc_model_save_memory(m2, &buf2, &buf2_len), HSC_OK);
    assert_int_equal(buf_len, buf2_len);
    assert_memory_equal(buf, buf2, buf_len);
    hsc_buffer_free(buf2);

    /* Classification. */
    assert_int_equal(hsc_session_new(m, NULL, &s), HSC_OK);
    hsc_model_free(m); /* the session keeps it alive */
    assert_int_equal(hsc_session_classify(s, "frozen beef", 11, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_classify(s, NULL, 11, 3), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_classify(s, "frozen boneless beef", 20, 3), HSC_OK);
    check_results(s, 0, 3);
    check_results(s, 2, 3);
    check_results(s, 4, 3);
    assert_int_equal(hsc_session_result_count(s, 3, &n), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_result_count(s, 8, &n), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_result_count(s, 0, NULL), HSC_E_INVALID_ARG);
    double p0;
    const char *c0;
    assert_int_equal(hsc_session_result(s, 2, 0, &c0, &p0), HSC_OK);
    assert_string_equal(c0, "02");

    /* The reloaded copy scores exactly the same. */
    hsc_session *s2 = NULL;
    assert_int_equal(hsc_session_new(m2, NULL, &s2), HSC_OK);
    assert_int_equal(hsc_session_classify(s2, "frozen boneless beef", 20, 3), HSC_OK);
    assert_int_equal(hsc_session_classify(s, "frozen boneless beef", 20, 3), HSC_OK);
    assert_int_equal(hsc_session_result_count(s, 0, &n), HSC_OK);
    for (size_t i = 0; i < n; i++) {
        const char *a, *b;
        double pa, pb;
        assert_int_equal(hsc_session_result(s, 0, i, &a, &pa), HSC_OK);
        assert_int_equal(hsc_session_result(s2, 0, i, &b, &pb), HSC_OK);
        assert_string_equal(a, b);
        assert_true(pa == pb);
    }
    hsc_session_free(s2);
    hsc_model_free(m2);

    /* No usable token: zero results at every level, HSC_OK. */
    assert_int_equal(hsc_session_classify(s, "", 0, 3), HSC_OK);
    assert_int_equal(hsc_session_result_count(s, 0, &n), HSC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hsc_session_result_count(s, 2, &n), HSC_OK);
    assert_int_equal(n, 0);
    /* Text errors as for tokenize. */
    assert_int_equal(hsc_session_classify(s, "beef \xFF", 6, 3), HSC_E_BAD_UTF8);
    hsc_session_free(s);
    hsc_buffer_free(buf);
}

/* The one rule of the header's Conventions, call by call: outputs of a
 * call that returns several values may each be NULL; an index past the end
 * is HSC_E_NO_RESULT; (NULL, 0) is the empty text or code and (NULL, n > 0)
 * HSC_E_INVALID_ARG. */
static void test_null_and_index_rule(void **state)
{
    (void)state;
    hsc_model *m = train_small();
    hsc_session *s = NULL;
    hsc_trainer *t = NULL;
    hsc_eval *ev = NULL;
    char digits[HSC_CODE_MAX_DIGITS + 1];
    size_t n = 0;
    assert_int_equal(hsc_session_new(m, NULL, &s), HSC_OK);
    assert_int_equal(hsc_trainer_new(NULL, &t), HSC_OK);
    assert_int_equal(hsc_eval_new(NULL, &ev), HSC_OK);

    /* several outputs: any may be NULL */
    assert_int_equal(hsc_model_meta_get(m, 0, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_model_nomenclature_find(m, "02", 2, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_session_tokenize(s, "frozen beef", 11), HSC_OK);
    assert_int_equal(hsc_session_token(s, 0, NULL, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_session_token_span(s, 0, NULL, NULL), HSC_OK);
    size_t off = 99;
    assert_int_equal(hsc_session_token_span(s, 1, &off, NULL), HSC_OK);
    assert_int_equal(off, 7);
    assert_int_equal(hsc_session_classify(s, "frozen beef", 11, 3), HSC_OK);
    assert_int_equal(hsc_session_result(s, 0, 0, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_session_decision(s, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_session_code_score(s, "0201", 4, 4, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_session_explain(s, 0, 0), HSC_OK);
    assert_int_equal(hsc_session_explain_item(s, 0, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_code_parse("0201.30", 7, digits, sizeof digits, NULL), HSC_OK);
    assert_string_equal(digits, "020130");
    assert_int_equal(hsc_eval_add(ev, 0.9, 1), HSC_OK);
    assert_int_equal(hsc_eval_count(ev, NULL, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_eval_calibration(ev, 10, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_eval_reliability(ev, 10, 9, NULL, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_eval_accepted(ev, 0.5, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_eval_ranked(ev, 0, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_trainer_row_counts(t, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_trainer_nomenclature_counts(t, NULL, NULL, NULL), HSC_OK);

    /* one output: required */
    assert_int_equal(hsc_model_label(m, 0, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_token_stems(s, 0, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_result_count(s, 0, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_explain_total(s, NULL), HSC_E_INVALID_ARG);

    /* an index past the end */
    const char *str;
    assert_int_equal(hsc_model_label_count(m, &n), HSC_OK);
    assert_int_equal(hsc_model_label(m, n, &str), HSC_E_NO_RESULT);
    assert_int_equal(hsc_model_meta_count(m, &n), HSC_OK);
    assert_int_equal(hsc_model_meta_get(m, n, &str, &str), HSC_E_NO_RESULT);
    assert_int_equal(hsc_model_meta_get(m, SIZE_MAX, NULL, NULL), HSC_E_NO_RESULT);
    assert_int_equal(hsc_model_nomenclature_entry(m, 0, NULL, &str, &str), HSC_E_NO_RESULT);
    assert_int_equal(hsc_model_national_scheme(m, 0, &str, NULL), HSC_E_NO_RESULT);
    assert_int_equal(hsc_model_national_line(m, 0, 0, NULL, NULL), HSC_E_NO_RESULT);
    assert_int_equal(hsc_session_result(s, 0, 1000, NULL, NULL), HSC_E_NO_RESULT);
    assert_int_equal(hsc_session_token(s, 1000, NULL, NULL, NULL), HSC_E_NO_RESULT);
    assert_int_equal(hsc_session_explain_item(s, 1000, NULL, NULL), HSC_E_NO_RESULT);
    assert_int_equal(hsc_session_precedent(s, 1000, NULL, NULL, NULL, NULL), HSC_E_NO_RESULT);
    assert_int_equal(hsc_eval_ranked(ev, 1, NULL, NULL), HSC_E_NO_RESULT);
    assert_int_equal(hsc_eval_reliability(ev, 10, 10, NULL, NULL, NULL), HSC_E_NO_RESULT);

    /* (NULL, 0) is empty; (NULL, n) is misuse */
    assert_int_equal(hsc_trainer_add_row(t, NULL, 0, NULL, 0, 1.0, 0), HSC_OK);  /* a bad row */
    uint64_t acc = 9, rej = 0;
    assert_int_equal(hsc_trainer_row_counts(t, &acc, &rej), HSC_OK);
    assert_true(acc == 0 && rej == 1);
    assert_int_equal(hsc_trainer_add_row(t, NULL, 4, "beef", 4, 1.0, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_row(t, "0201", 4, NULL, 4, 1.0, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_classify(s, NULL, 0, 3), HSC_OK);
    assert_int_equal(hsc_session_tokenize(s, NULL, 0), HSC_OK);
    assert_int_equal(hsc_session_set_constraint(s, NULL, 0), HSC_OK);
    assert_int_equal(hsc_code_parse(NULL, 0, digits, sizeof digits, &n), HSC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hsc_model_describe(m, NULL, 0, NULL, &str), HSC_E_BAD_CODE);
    assert_int_equal(hsc_model_describe(m, NULL, 4, NULL, &str), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_nomenclature_find(m, NULL, 0, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_model_nomenclature_find(m, NULL, 2, NULL, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_classify(s, "frozen beef", 11, 3), HSC_OK);
    assert_int_equal(hsc_session_code_score(s, NULL, 0, 0, NULL, NULL), HSC_E_BAD_CODE);
    assert_int_equal(hsc_session_code_score(s, NULL, 4, 0, NULL, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_audit(s, NULL, 0, NULL, NULL, NULL), HSC_E_BAD_CODE);
    assert_int_equal(hsc_session_audit(s, NULL, 4, NULL, NULL, NULL), HSC_E_INVALID_ARG);

    hsc_eval_free(ev);
    hsc_trainer_free(t);
    hsc_session_free(s);
    hsc_model_free(m);
}

static void test_training_reproducible(void **state)
{
    (void)state;
    hsc_model *a = train_small(), *b = train_small();
    void *ba = NULL, *bb = NULL;
    size_t la = 0, lb = 0;
    assert_int_equal(hsc_model_save_memory(a, &ba, &la), HSC_OK);
    assert_int_equal(hsc_model_save_memory(b, &bb, &lb), HSC_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(ba, bb, la);
    hsc_buffer_free(ba);
    hsc_buffer_free(bb);
    hsc_model_free(a);
    hsc_model_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_status_strings),
        cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_code_parse),
        cmocka_unit_test(test_config_null_args),
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_types),
        cmocka_unit_test(test_config_ranges),
        cmocka_unit_test(test_config_copy),
        cmocka_unit_test(test_allocator),
        cmocka_unit_test(test_session_without_model),
        cmocka_unit_test(test_trainer_contract),
        cmocka_unit_test(test_trainer_cancel),
        cmocka_unit_test(test_model_contract),
        cmocka_unit_test(test_null_and_index_rule),
        cmocka_unit_test(test_training_reproducible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

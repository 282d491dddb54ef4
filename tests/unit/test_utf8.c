/* test_utf8.c - UTF-8 validation (offsets of the first bad byte), repair by
 * U+FFFD per maximal invalid subpart, and the iteration helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

#define R "\xEF\xBF\xBD" /* U+FFFD */

static const struct {
    const char *in;
    size_t len;            /* 0: strlen */
    int ok;
    size_t bad;            /* first bad byte when !ok */
    const char *repaired;
} cases[] = {
    {"", 0, 1, 0, ""},
    {"plain ascii", 0, 1, 0, "plain ascii"},
    {"caf\xC3\xA9", 0, 1, 0, "caf\xC3\xA9"},
    {"\xE2\x82\xAC 20", 0, 1, 0, "\xE2\x82\xAC 20"},                 /* euro */
    {"\xF0\x9F\x8D\x8E", 0, 1, 0, "\xF0\x9F\x8D\x8E"},               /* U+1F34E */
    {"\xF4\x8F\xBF\xBF", 0, 1, 0, "\xF4\x8F\xBF\xBF"},               /* U+10FFFF */
    {"\xED\x9F\xBF", 0, 1, 0, "\xED\x9F\xBF"},                       /* U+D7FF */
    {"\xEE\x80\x80", 0, 1, 0, "\xEE\x80\x80"},                       /* U+E000 */
    {"nul\0inside", 10, 1, 0, NULL},                                  /* NUL is valid */
    {"ab\x80" "cd", 0, 0, 2, "ab" R "cd"},                            /* lone continuation */
    {"abcdefghij\xFF", 0, 0, 10, "abcdefghij" R},                    /* after the 8-byte path */
    {"\xC0\xAF", 0, 0, 0, R R},                                      /* overlong '/' */
    {"\xC1\xBF", 0, 0, 0, R R},
    {"\xE0\x80\xAF", 0, 0, 0, R R R},                                /* overlong 3-byte */
    {"\xF0\x80\x80\xAF", 0, 0, 0, R R R R},                          /* overlong 4-byte */
    {"x\xED\xA0\x80y", 0, 0, 1, "x" R R R "y"},                      /* surrogate U+D800 */
    {"\xF4\x90\x80\x80", 0, 0, 0, R R R R},                          /* U+110000 */
    {"\xF5\x80\x80\x80", 0, 0, 0, R R R R},
    {"\xE2\x82", 0, 0, 0, R},                                        /* truncated at end */
    {"\xE2\x82 x", 0, 0, 0, R " x"},                                  /* truncated, then ASCII */
    {"\xF0\x9F\x8D", 0, 0, 0, R},
    {"ok \xC3", 0, 0, 3, "ok " R},
    {"\xC3\xA9\xC3", 0, 0, 2, "\xC3\xA9" R},
    {"\xFE\xFF", 0, 0, 0, R R},
    {"a\xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41", 0, 0, 1, "a" R R R R "A"}, /* Unicode's example */
};

static void test_validate_and_repair(void **state)
{
    hsc__buf out = {0};
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
        size_t bad = 12345;
        int rc = hsc__utf8_validate(cases[i].in, len, &bad);
        assert_int_equal(rc, cases[i].ok ? HSC_OK : HSC_E_BAD_UTF8);
        if (!cases[i].ok)
            assert_int_equal(bad, cases[i].bad);
        else
            assert_int_equal(bad, 12345); /* untouched */
        assert_int_equal(hsc__utf8_repair(NULL, cases[i].in, len, &out), HSC_OK);
        if (cases[i].repaired != NULL) {
            assert_int_equal(out.len, strlen(cases[i].repaired));
            assert_memory_equal(out.data, cases[i].repaired, out.len);
        } else {
            assert_int_equal(out.len, len);
            assert_memory_equal(out.data, cases[i].in, len);
        }
        assert_int_equal(out.data[out.len], '\0');
        /* Repaired text is always valid. */
        assert_int_equal(hsc__utf8_validate(out.data, out.len, NULL), HSC_OK);
    }
    hsc__buf_free(NULL, &out);
    assert_int_equal(hsc__utf8_validate(NULL, 0, NULL), HSC_OK);
    assert_int_equal(hsc__utf8_validate(NULL, 3, NULL), HSC_E_INVALID_ARG);
}

/* The offset is exact wherever the bad byte sits relative to the ASCII
 * fast path (8-byte words). */
static void test_offsets_everywhere(void **state)
{
    char buf[40];
    (void)state;
    for (size_t pos = 0; pos < 32; pos++) {
        size_t bad = 0;
        memset(buf, 'a', sizeof buf);
        buf[pos] = (char)0xC3;
        buf[pos + 1] = 'x'; /* broken 2-byte sequence */
        assert_int_equal(hsc__utf8_validate(buf, sizeof buf, &bad), HSC_E_BAD_UTF8);
        assert_int_equal(bad, pos);
    }
}

static void test_encode_decode(void **state)
{
    static const uint32_t cps[] = {0, 0x41, 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0xD7FF, 0xE000,
                                   0xFFFD, 0xFFFF, 0x10000, 0x1F34E, 0x10FFFF};
    static const size_t lens[] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4};
    (void)state;
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        char b[4];
        size_t k = hsc__utf8_encode(cps[i], b), at = 0;
        assert_int_equal(k, lens[i]);
        assert_int_equal(hsc__utf8_validate(b, k, NULL), HSC_OK);
        assert_int_equal(hsc__utf8_next(b, &at), cps[i]);
        assert_int_equal(at, k);
        at = 0;
        assert_int_equal(hsc__utf8_decode_repair(b, k, &at), cps[i]);
        assert_int_equal(at, k);
        assert_int_equal(hsc__utf8_count(b, k), 1);
    }
    {
        size_t at = 0;
        const char *s = "\xE2\x82z";
        assert_int_equal(hsc__utf8_decode_repair(s, 3, &at), 0xFFFD);
        assert_int_equal(at, 2);
        assert_int_equal(hsc__utf8_decode_repair(s, 3, &at), 'z');
    }
    assert_int_equal(hsc__utf8_count("caf\xC3\xA9 \xE2\x82\xAC", 9), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_and_repair),
        cmocka_unit_test(test_offsets_everywhere),
        cmocka_unit_test(test_encode_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_numfmt.c - hsc__format_number is printf's "%.*g" of the C locale,
 * digit for digit (exact decimal expansion, ties to even), whatever the
 * process locale: what a model's META records must not depend on it. */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hsc_internal.h"

static void check(double v, int sig)
{
    char want[512], got[512];
    snprintf(want, sizeof want, "%.*g", sig, v);
    size_t n = hsc__format_number(got, sizeof got, v, sig);
    if (strcmp(want, got) != 0 || n != strlen(want))
        fail_msg("%%.%dg of %.17g: printf %s, hsc__format_number %s", sig, v, want, got);
}

static void test_like_printf(void **state)
{
    (void)state;
    static const double special[] = {
        0.0, -0.0, 1, 0.5, 0.05, 0.95, 1e-5, 1e-4, 9.9995e-5, 0.00099995, 123456789012.0,
        4294967295.0, 1e16, 1e17, 2.5, 0.125, 0.0625, 1e300, 5e-324, 1.7976931348623157e308,
        0.1, 0.2, 0.3, 99999.5, 999995, 9.5, 0.15, 0.25, 0.35, -0.063, 0.01395, 0.006342,
    };
    for (int sig = 1; sig <= 17; sig++)
        for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
            check(special[i], sig);
    uint64_t s = 88172645463325252ull;
    for (long k = 0; k < 200000; k++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double v;
        if (k % 3 == 0) {
            memcpy(&v, &s, sizeof v);   /* any bit pattern */
            if (!isfinite(v))
                continue;
        } else if (k % 3 == 1) {
            v = (double)(s >> 11) / (double)(1ull << 53);
        } else {
            v = (double)(s % 1000000) / 1000.0;
        }
        check(v, 1 + (int)(s % 17));
    }
}

static void test_truncation_and_special(void **state)
{
    (void)state;
    char buf[4];
    assert_int_equal(hsc__format_number(buf, sizeof buf, 123456.0, 10), 6);
    assert_string_equal(buf, "123");
    assert_int_equal(hsc__format_number(NULL, 0, 0.25, 4), 4);
    char big[16];
    hsc__format_number(big, sizeof big, NAN, 4);
    assert_string_equal(big, "nan");
    hsc__format_number(big, sizeof big, -INFINITY, 4);
    assert_string_equal(big, "-inf");
    hsc__format_number(big, sizeof big, 0.5, 0);   /* 0 digits means 1, as printf */
    assert_string_equal(big, "0.5");
}

static void test_any_locale(void **state)
{
    (void)state;
    static const char *const comma[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "pt_BR.UTF-8", "C.UTF-8"};
    const char *set = NULL;
    for (size_t i = 0; i < sizeof comma / sizeof comma[0] && set == NULL; i++)
        set = setlocale(LC_NUMERIC, comma[i]);
    char got[32];
    hsc__format_number(got, sizeof got, 0.0625, 4);
    assert_string_equal(got, "0.0625");
    hsc__format_number(got, sizeof got, 1234.5, 6);
    assert_string_equal(got, "1234.5");
    setlocale(LC_NUMERIC, "C");
    if (set == NULL)
        skip();   /* no other locale installed: the C locale case still ran */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_like_printf),
        cmocka_unit_test(test_truncation_and_special),
        cmocka_unit_test(test_any_locale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* numfmt.c - the library's one number formatter: printf's "%.*g" as the C
 * locale writes it, whatever locale the process has set (a decimal comma
 * in a model's META would make its bytes depend on the machine).
 *
 * The value's exact decimal expansion is computed with a small big integer
 * (a double is mant * 2^exp: mant * 2^exp or mant * 5^-exp / 10^-exp), then
 * rounded to the requested significant digits, half to even, as glibc does
 * in the default rounding mode. */
#include <math.h>
#include <string.h>

#include "hsc_internal.h"

#define LIMB 1000000000u     /* base 10^9 */
#define N_LIMBS 100          /* 900 digits: 5^1074 * 2^53 has 767 */
#define MAX_SIG 17           /* enough to round-trip any double */

typedef struct bignum {
    uint32_t limb[N_LIMBS];  /* least significant first */
    int n;
} bignum;

static void big_mul(bignum *b, uint32_t factor)
{
    uint64_t carry = 0;
    for (int i = 0; i < b->n; i++) {
        uint64_t x = (uint64_t)b->limb[i] * factor + carry;
        b->limb[i] = (uint32_t)(x % LIMB);
        carry = x / LIMB;
    }
    while (carry > 0 && b->n < N_LIMBS) {
        b->limb[b->n++] = (uint32_t)(carry % LIMB);
        carry /= LIMB;
    }
}

/* Decimal digits of b, most significant first, without leading zeros. */
static int big_digits(const bignum *b, char *out)
{
    int len = 0;
    for (int i = b->n - 1; i >= 0; i--) {
        char chunk[9];
        uint32_t x = b->limb[i];
        for (int k = 8; k >= 0; k--, x /= 10)
            chunk[k] = (char)('0' + x % 10);
        int k = 0;
        if (len == 0)
            while (k < 8 && chunk[k] == '0')
                k++;
        memcpy(out + len, chunk + k, (size_t)(9 - k));
        len += 9 - k;
    }
    if (len == 0)
        out[len++] = '0';
    return len;
}

/* Exact digits of a finite v > 0; v = 0.DIGITS * 10^*point. */
static int exact_digits(double v, char *out, int *point)
{
    int e;
    double f = frexp(v, &e);              /* v = f * 2^e, f in [0.5, 1) */
    uint64_t mant = (uint64_t)ldexp(f, 53);
    int exp2 = e - 53;
    bignum b = {{0}, 0};
    for (; mant > 0; mant /= LIMB)
        b.limb[b.n++] = (uint32_t)(mant % LIMB);
    for (int k = exp2; k > 0; k -= 29)
        big_mul(&b, 1u << (k < 29 ? k : 29));
    for (int k = -exp2; k > 0; k -= 13) {
        uint32_t p = 1;
        for (int j = 0; j < (k < 13 ? k : 13); j++)
            p *= 5;
        big_mul(&b, p);
    }
    int len = big_digits(&b, out);
    *point = len + (exp2 < 0 ? exp2 : 0);
    return len;
}

/* Round d[0..len) to sig digits, half to even; returns the new length
 * (trailing zeros dropped) and bumps *point when 9.99 becomes 10. */
static int round_digits(char *d, int len, int sig, int *point)
{
    if (len > sig) {
        int up = d[sig] > '5';
        if (d[sig] == '5') {
            int rest = 0;
            for (int i = sig + 1; i < len && !rest; i++)
                rest = d[i] != '0';
            up = rest || (d[sig - 1] - '0') % 2 == 1;
        }
        len = sig;
        for (int i = sig - 1; up && i >= 0; i--) {
            up = d[i] == '9';
            d[i] = up ? '0' : (char)(d[i] + 1);
        }
        if (up) {   /* all nines */
            d[0] = '1';
            len = 1;
            (*point)++;
        }
    }
    while (len > 1 && d[len - 1] == '0')
        len--;
    return len;
}

size_t hsc__format_number(char *buf, size_t cap, double v, int sig)
{
    char out[MAX_SIG + 400], d[1000];
    size_t n = 0;
    if (signbit(v))
        out[n++] = '-';
    v = fabs(v);
    if (isnan(v) || isinf(v)) {
        memcpy(out + n, isnan(v) ? "nan" : "inf", 3);
        n += 3;
    } else if (v == 0.0) {
        out[n++] = '0';
    } else {
        sig = sig < 1 ? 1 : sig > MAX_SIG ? MAX_SIG : sig;
        int point, len = exact_digits(v, d, &point);
        len = round_digits(d, len, sig, &point);
        int x = point - 1;                 /* exponent in style e */
        if (x < -4 || x >= sig) {          /* style e: d.ddde+xx */
            out[n++] = d[0];
            if (len > 1) {
                out[n++] = '.';
                memcpy(out + n, d + 1, (size_t)(len - 1));
                n += (size_t)(len - 1);
            }
            out[n++] = 'e';
            out[n++] = x < 0 ? '-' : '+';
            int ax = x < 0 ? -x : x;
            if (ax >= 100)
                out[n++] = (char)('0' + ax / 100);
            out[n++] = (char)('0' + ax / 10 % 10);
            out[n++] = (char)('0' + ax % 10);
        } else if (x < 0) {                /* style f below 1: 0.000ddd */
            out[n++] = '0';
            out[n++] = '.';
            for (int i = 0; i < -x - 1; i++)
                out[n++] = '0';
            memcpy(out + n, d, (size_t)len);
            n += (size_t)len;
        } else {                           /* style f: ddd[.ddd] */
            for (int i = 0; i <= x; i++)
                out[n++] = i < len ? d[i] : '0';
            if (len > x + 1) {
                out[n++] = '.';
                memcpy(out + n, d + x + 1, (size_t)(len - x - 1));
                n += (size_t)(len - x - 1);
            }
        }
    }
    if (cap == 0)
        return n;
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(buf, out, k);
    buf[k] = '\0';
    return n;
}

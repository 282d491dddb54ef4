/* test_score.c - the int8 kernels behind every logit and embedding
 * (score.c): whichever registers the CPU offers, a dot product and a row
 * addition (alone or a batch of rows) give the bits of the one defined
 * order (eight partial sums, lane j summing the terms i = j mod 8 in
 * order, then combined pairwise; each product rounded before its
 * addition; rows added in turn). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "score.h"

/* The order, written out term by term. */
static float dot_reference(const int8_t *q, const float *b, uint32_t n)
{
    float acc[8] = {0};
    for (uint32_t i = 0; i < n; i++) {
        float p = (float)q[i] * b[i];
        acc[i % 8] = acc[i % 8] + p;
    }
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

static uint64_t rng = UINT64_C(0x9E3779B97F4A7C15);

static uint32_t next_u32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* Floats over many magnitudes and both signs, with zeros: sums whose
 * rounding depends on the order of the additions. */
static float next_float(void)
{
    uint32_t r = next_u32();
    if (r % 17 == 0)
        return r % 2 ? 0.0f : -0.0f;
    float m = (float)(r % 100003) / 100003.0f;
    return (r & 1u ? -m : m) * ldexpf(1.0f, (int)(r >> 24 & 31u) - 12);
}

static int same_bits(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void test_dot_q_is_the_defined_order(void **state)
{
    enum { N = 301 };
    int8_t q[N + 1];
    float b[N + 1];
    (void)state;
    for (int round = 0; round < 200; round++) {
        for (uint32_t i = 0; i <= N; i++) {
            q[i] = (int8_t)(round == 0 ? (i % 2 ? -128 : 127) : (int)(next_u32() % 256) - 128);
            b[i] = next_float();
        }
        /* every length, every tail, from an unaligned start too */
        for (uint32_t n = 0; n <= 70; n++) {
            float want = dot_reference(q + 1, b + 1, n);
            assert_true(same_bits(hsc__dot_q(q + 1, b + 1, n), want));
            assert_true(same_bits(hsc__dot_q_portable(q + 1, b + 1, n), want));
        }
        assert_true(same_bits(hsc__dot_q(q, b, N), dot_reference(q, b, N)));
    }
}

static void test_add_q_is_elementwise(void **state)
{
    enum { N = 150 };
    int8_t q[N + 1];
    float h0[N + 1], h1[N + 1], h2[N + 1];
    (void)state;
    for (int round = 0; round < 200; round++) {
        float scale = next_float();
        for (uint32_t i = 0; i <= N; i++) {
            q[i] = (int8_t)((int)(next_u32() % 256) - 128);
            h0[i] = h1[i] = h2[i] = next_float();
        }
        uint32_t n = next_u32() % N;
        hsc__add_q(h1 + 1, q + 1, scale, n);
        hsc__add_q_portable(h2 + 1, q + 1, scale, n);
        for (uint32_t i = 0; i <= N; i++) {
            float want = i >= 1 && i <= n ? h0[i] + (float)q[i] * scale : h0[i];
            assert_true(same_bits(h1[i], want));   /* and nothing past n is written */
            assert_true(same_bits(h2[i], want));
        }
    }
}

/* Rows added together give the bits of the rows added one by one, in
 * their order, for dims below, at and past the 64 lanes a pass holds. */
static void test_add_q_rows_is_row_by_row(void **state)
{
    enum { ROWS = 40, MAXDIM = 200 };
    static const uint32_t dims[] = {1, 7, 8, 24, 63, 64, 65, 72, 100, 128, 129, 200};
    static int8_t q[ROWS * MAXDIM];
    float scale[ROWS], h1[MAXDIM + 1], h2[MAXDIM + 1];
    uint32_t rows[70];
    (void)state;
    for (size_t d = 0; d < sizeof dims / sizeof *dims; d++) {
        uint32_t dim = dims[d];
        for (uint32_t i = 0; i < ROWS * dim; i++)
            q[i] = (int8_t)((int)(next_u32() % 256) - 128);
        for (uint32_t r = 0; r < ROWS; r++)
            scale[r] = next_float();
        for (uint32_t n = 0; n <= 70; n += 1 + n / 4) {
            for (uint32_t i = 0; i < n; i++)
                rows[i] = next_u32() % ROWS;   /* repeats too */
            for (uint32_t j = 0; j <= MAXDIM; j++)
                h1[j] = h2[j] = next_float();
            hsc__add_q_rows(h1, q, scale, rows, n, dim);
            for (uint32_t i = 0; i < n; i++)
                hsc__add_q_portable(h2, q + (size_t)rows[i] * dim, scale[rows[i]], dim);
            for (uint32_t j = 0; j <= MAXDIM; j++)
                assert_true(same_bits(h1[j], h2[j]));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot_q_is_the_defined_order),
        cmocka_unit_test(test_add_q_is_elementwise),
        cmocka_unit_test(test_add_q_rows_is_row_by_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_tree.c - the HS code tree behind the output layer: exact shapes for
 * small label sets (node order is part of the model format), structural
 * invariants on a larger set, and rejection of bad label lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hsc_internal.h"

static const hsc__alloc A = {0};

/* Node i's code, rebuilt from code_off in the packed pool of labels. */
static const char *node_code(const char *const *labels, uint32_t n, const hsc__node *nd,
                             char *buf)
{
    uint32_t off = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strlen(labels[i]);
        if (off == nd->code_off) {
            assert_true(nd->digits <= len);
            memcpy(buf, labels[i], nd->digits);
            buf[nd->digits] = '\0';
            return buf;
        }
        off += (uint32_t)len + 1;
    }
    fail_msg("code_off %u is not the start of a label", nd->code_off);
    return NULL;
}

typedef struct want {
    uint32_t parent;
    const char *code;
    int leaf;    /* 1: a label leaf */
} want;

static void check_shape(const char *const *labels, uint32_t n, const want *w, uint32_t n_nodes,
                        const uint32_t *levels, uint32_t n_levels)
{
    hsc__tree t;
    char buf[16];
    assert_int_equal(hsc__tree_build(&A, labels, n, &t), HSC_OK);
    assert_int_equal(t.n_nodes, n_nodes);
    assert_int_equal(t.nodes[0].parent, UINT32_MAX);
    assert_int_equal(t.nodes[0].digits, 0);
    for (uint32_t i = 1; i < n_nodes; i++) {
        const hsc__node *nd = &t.nodes[i];
        assert_int_equal(nd->parent, w[i].parent);
        assert_string_equal(node_code(labels, n, nd, buf), w[i].code);
        assert_int_equal(nd->digits, strlen(w[i].code));
        if (w[i].leaf) {
            assert_int_not_equal(nd->label, UINT32_MAX);
            assert_string_equal(labels[nd->label], w[i].code);
            assert_int_equal(t.label_leaf[nd->label], i);
            assert_int_equal(nd->n_children, 0);
        } else {
            assert_int_equal(nd->label, UINT32_MAX);
            assert_true(nd->n_children > 0);
        }
    }
    assert_int_equal(t.n_levels, n_levels);
    for (uint32_t i = 0; i < n_levels; i++)
        assert_int_equal(t.level_digits[i], levels[i]);
    hsc__tree_free(&A, &t);
    assert_null(t.nodes);
}

static void test_single_chapter(void **state)
{
    (void)state;
    const char *labels[] = {"010121", "010129", "010130"};
    const want w[] = {
        {0, "", 0}, {0, "01", 0}, {1, "0101", 0},
        {2, "010121", 1}, {2, "010129", 1}, {2, "010130", 1},
    };
    const uint32_t levels[] = {2, 4, 6};
    check_shape(labels, 3, w, 6, levels, 3);

    hsc__tree t;
    assert_int_equal(hsc__tree_build(&A, labels, 3, &t), HSC_OK);
    assert_int_equal(t.nodes[0].first_child, 1);
    assert_int_equal(t.nodes[0].n_children, 1);
    assert_int_equal(t.nodes[2].first_child, 3);
    assert_int_equal(t.nodes[2].n_children, 3);
    hsc__tree_free(&A, &t);
}

/* One label alone still gets its full chain. */
static void test_single_label(void **state)
{
    (void)state;
    const char *labels[] = {"85"};
    const want w[] = {{0, "", 0}, {0, "85", 1}};
    const uint32_t levels[] = {2};
    check_shape(labels, 1, w, 2, levels, 1);
}

/* 0101 is a label and the prefix of 01012100: it becomes a leaf child of
 * node 0101, first among its siblings. Breadth-first order. */
static void test_mixed_lengths_and_prefix_label(void **state)
{
    (void)state;
    const char *labels[] = {"0101", "01012100", "0102", "020130"};
    const want w[] = {
        {0, "", 0},
        {0, "01", 0}, {0, "02", 0},                     /* depth 1 */
        {1, "0101", 0}, {1, "0102", 1}, {2, "0201", 0}, /* depth 2 */
        {3, "0101", 1}, {3, "010121", 0}, {5, "020130", 1},
        {7, "01012100", 1},
    };
    const uint32_t levels[] = {2, 4, 6, 8};
    check_shape(labels, 4, w, 10, levels, 4);
}

/* Odd lengths: an 11-digit code hangs below its 10-digit prefix; a 5-digit
 * code is a leaf next to the 6-digit subheadings of its heading. */
static void test_odd_lengths(void **state)
{
    (void)state;
    const char *labels[] = {"01011", "010121", "01012100001", "01012100002", "0101210001"};
    const want w[] = {
        {0, "", 0},
        {0, "01", 0},
        {1, "0101", 0},
        {2, "01011", 1}, {2, "010121", 0},
        {4, "010121", 1}, {4, "01012100", 0},
        {6, "0101210000", 0}, {6, "0101210001", 1},
        {7, "01012100001", 1}, {7, "01012100002", 1},
    };
    const uint32_t levels[] = {2, 4, 5, 6, 8, 10, 11};
    check_shape(labels, 5, w, 11, levels, 7);
}

/* Invariants on a few hundred generated codes of mixed lengths. */
static void test_invariants(void **state)
{
    (void)state;
    enum { N = 600 };
    static char store[N][16];
    const char *labels[N];
    uint32_t n = 0, x = 12345;
    /* increasing codes: walk chapters 01..97 with pseudo-random extensions */
    for (uint32_t ch = 1; ch < 98 && n < N; ch++) {
        for (uint32_t k = 0; k < 6 && n < N; k++) {
            x = x * 1103515245u + 12345u;
            uint32_t len = (x >> 16) % 3 == 0 ? 10 : ((x >> 16) % 3 == 1 ? 8 : 6);
            snprintf(store[n], sizeof store[n], "%02u%02u%06u", ch, k * 10 + (x >> 8) % 10,
                     (x >> 4) % 1000000);
            store[n][len] = '\0';
            if (n == 0 || strcmp(store[n - 1], store[n]) < 0)
                labels[n] = store[n], n++;
        }
    }
    hsc__tree t;
    assert_int_equal(hsc__tree_build(&A, labels, n, &t), HSC_OK);
    uint32_t leaves = 0;
    char buf[16], pbuf[16];
    for (uint32_t i = 0; i < t.n_nodes; i++) {
        const hsc__node *nd = &t.nodes[i];
        if (nd->n_children > 0) {
            assert_true(nd->first_child > i);
            assert_true(nd->first_child + nd->n_children <= t.n_nodes);
            for (uint32_t c = nd->first_child; c < nd->first_child + nd->n_children; c++) {
                assert_int_equal(t.nodes[c].parent, i);
                const char *cc = node_code(labels, n, &t.nodes[c], buf);
                assert_true(strncmp(cc, node_code(labels, n, nd, pbuf), nd->digits) == 0);
                if (c > nd->first_child) {
                    char prev[16];
                    strcpy(prev, node_code(labels, n, &t.nodes[c - 1], pbuf));
                    assert_true(strcmp(prev, cc) < 0 ||
                                (strcmp(prev, cc) == 0 && t.nodes[c - 1].label != UINT32_MAX));
                }
            }
        }
        if (i > 1)   /* children are numbered in parent order (breadth-first) */
            assert_true(nd->parent >= t.nodes[i - 1].parent);
        if (i > 0)
            assert_true(nd->digits >= t.nodes[nd->parent].digits);
        if (nd->label != UINT32_MAX) {
            leaves++;
            assert_int_equal(nd->n_children, 0);
            assert_int_equal(t.label_leaf[nd->label], i);
            assert_string_equal(node_code(labels, n, nd, buf), labels[nd->label]);
        }
    }
    assert_int_equal(leaves, n);
    hsc__tree_free(&A, &t);
}

static void test_rejects(void **state)
{
    (void)state;
    hsc__tree t;
    const char *unsorted[] = {"0102", "0101"};
    const char *dup[] = {"0101", "0101"};
    const char *nondigit[] = {"01a1"};
    const char *short1[] = {"1"};
    const char *long13[] = {"0101210000001"};
    const char *null1[] = {NULL};
    assert_int_equal(hsc__tree_build(&A, unsorted, 2, &t), HSC_E_INVALID_ARG);
    assert_int_equal(hsc__tree_build(&A, dup, 2, &t), HSC_E_INVALID_ARG);
    assert_int_equal(hsc__tree_build(&A, nondigit, 1, &t), HSC_E_INVALID_ARG);
    assert_int_equal(hsc__tree_build(&A, short1, 1, &t), HSC_E_INVALID_ARG);
    assert_int_equal(hsc__tree_build(&A, long13, 1, &t), HSC_E_INVALID_ARG);
    assert_int_equal(hsc__tree_build(&A, null1, 1, &t), HSC_E_INVALID_ARG);
    assert_int_equal(hsc__tree_build(&A, dup, 0, &t), HSC_E_INVALID_ARG);
    assert_int_equal(hsc__tree_build(&A, NULL, 1, &t), HSC_E_INVALID_ARG);
    /* ten distinct levels do not fit level_digits[8] */
    const char *many[] = {"10", "200", "3000", "40000", "500000", "6000000", "70000000",
                          "800000000", "9000000000", "91000000000"};
    assert_int_equal(hsc__tree_build(&A, many, 10, &t), HSC_E_INVALID_ARG);
    const char *twelve[] = {"010121000001", "010121000002"};
    assert_int_equal(hsc__tree_build(&A, twelve, 2, &t), HSC_OK);
    assert_int_equal(t.n_nodes, 8);   /* root, 01 .. 0101210000, two 12-digit leaves */
    assert_int_equal(t.n_levels, 6);
    assert_int_equal(t.level_digits[5], 12);
    hsc__tree_free(&A, &t);
    hsc__tree_free(&A, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_chapter),
        cmocka_unit_test(test_single_label),
        cmocka_unit_test(test_mixed_lengths_and_prefix_label),
        cmocka_unit_test(test_odd_lengths),
        cmocka_unit_test(test_invariants),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_train_data.c - training rows: TSV parsing, diagnostics with file and
 * line, strict mode, BOM/CRLF, label truncation, nomenclature augmentation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "code_map.h"
#include "train_data.h"

typedef struct diag {
    int n;
    uint64_t lines[16];
    hsc_status why[16];
    char file[256];
} diag;

static void on_error(void *user, const char *file, uint64_t line, hsc_status st, const char *msg)
{
    diag *d = user;
    assert_non_null(msg);
    assert_true(strlen(msg) > 0);
    if (d->n < 16) {
        d->lines[d->n] = line;
        d->why[d->n] = st;
    }
    snprintf(d->file, sizeof d->file, "%s", file);
    d->n++;
}

static const hsc__alloc plain = {0};

static char *write_temp(const char *content, size_t len)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/hsc_rows_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    close(fd);
    return path;
}

static const char *code_of(const hsc__rowset *rs, size_t i)
{
    return rs->codes.data + rs->rows[i].code_off;
}

static const char *text_of(const hsc__rowset *rs, size_t i)
{
    return rs->texts.data + rs->rows[i].text_off;
}

static void test_file_rows(void **state)
{
    (void)state;
    const char content[] = "\xEF\xBB\xBF" "020130\tBoneless beef, fresh\r\n"
                           "\n"
                           "no tab here\n"
                           "02X130\tbad code\n"
                           "0201.30.00\t  Viande bovine d\xC3\xA9soss\xC3\xA9""e  \n"
                           "0201\ttoo short for HS6\n"
                           "020130\t\xff\xfe broken\n"
                           "020130\t   \n"
                           "8703 23\tmotor cars";
    char *path = write_temp(content, sizeof content - 1);
    hsc__rowset rs;
    diag d = {0};
    hsc__row_sink sink = {on_error, &d, 0};
    hsc__rowset_init(&rs, &plain, 6, &sink, 65536);
    assert_int_equal(hsc__rowset_add_file(&rs, path, 2.0, 0), HSC_OK);
    assert_int_equal(rs.n_rows, 3);
    assert_string_equal(code_of(&rs, 0), "020130");
    assert_string_equal(text_of(&rs, 0), "Boneless beef, fresh");
    assert_string_equal(code_of(&rs, 1), "020130");
    assert_string_equal(text_of(&rs, 1), "Viande bovine d\xC3\xA9soss\xC3\xA9""e");
    assert_string_equal(code_of(&rs, 2), "870323");
    assert_true(rs.rows[0].weight == 2.0f);
    assert_int_equal(d.n, 5);
    const uint64_t want_lines[] = {3, 4, 6, 7, 8};
    const hsc_status want_why[] = {HSC_E_BAD_ROW, HSC_E_BAD_CODE, HSC_E_BAD_CODE, HSC_E_BAD_UTF8,
                                   HSC_E_NO_DATA};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(d.lines[i], want_lines[i]);
        assert_int_equal(d.why[i], want_why[i]);
    }
    assert_string_equal(d.file, path);
    assert_int_equal(rs.rejected, 5);
    hsc__rowset_free(&rs);

    /* Strict: the first bad row stops the file. */
    sink.strict = 1;
    hsc__rowset_init(&rs, &plain, 6, &sink, 65536);
    memset(&d, 0, sizeof d);
    assert_int_equal(hsc__rowset_add_file(&rs, path, 1.0, 0), HSC_E_BAD_ROW);
    assert_int_equal(rs.n_rows, 1);
    assert_int_equal(d.n, 1);
    hsc__rowset_free(&rs);
    unlink(path);
}

static void test_levels_and_missing_file(void **state)
{
    (void)state;
    hsc__rowset rs;
    hsc__row_sink sink = {NULL, NULL, 0};
    hsc__rowset_init(&rs, &plain, 0, &sink, 65536);
    assert_int_equal(hsc__rowset_add(&rs, "", 1, "0201300000", 10, "beef", 4, 1.0, 0), HSC_OK);
    assert_string_equal(code_of(&rs, 0), "0201300000");
    assert_int_equal(hsc__rowset_add_file(&rs, "/nonexistent/rows.tsv", 1.0, 0), HSC_E_IO);
    hsc__rowset_free(&rs);
    hsc__rowset_init(&rs, &plain, 4, &sink, 8);
    assert_int_equal(hsc__rowset_add(&rs, "", 1, "020130", 6, "beef", 4, 1.0, 0), HSC_OK);
    assert_string_equal(code_of(&rs, 0), "0201");
    /* longer than the text cap: rejected, not truncated */
    assert_int_equal(hsc__rowset_add(&rs, "", 2, "020130", 6, "bovine meat", 11, 1.0, 0), HSC_OK);
    assert_int_equal(rs.n_rows, 1);
    assert_int_equal(hsc__rowset_add(&rs, "", 3, "020130", 6, "beef", 4, 0.0, 0),
                     HSC_E_INVALID_ARG);
    hsc__rowset_free(&rs);
}

typedef struct emitted {
    int n;
    char text[8][256];
} emitted;

static int collect(void *user, const char *text, size_t len, float factor)
{
    emitted *e = user;
    assert_true(factor > 0 && factor <= 1);
    if (e->n < 8)
        snprintf(e->text[e->n], sizeof e->text[0], "%.*s", (int)len, text);
    e->n++;
    return HSC_OK;
}

static void test_augment(void **state)
{
    (void)state;
    emitted e = {0};
    const char *t1 = "Live horses, asses, mules and hinnies; Horses; Other; For slaughter";
    assert_int_equal(hsc__augment_path(&plain, t1, strlen(t1), collect, &e), HSC_OK);
    assert_int_equal(e.n, 3);
    assert_string_equal(e.text[0], "Live horses For slaughter");
    assert_string_equal(e.text[1], "Horses For slaughter");
    assert_string_equal(e.text[2], "Live horses, asses, mules and hinnies For slaughter");

    memset(&e, 0, sizeof e);
    const char *t2 = "Viandes des animaux de l'esp\xC3\xA8""ce bovine, congel\xC3\xA9""es; D\xC3\xA9soss\xC3\xA9""es";
    assert_int_equal(hsc__augment_path(&plain, t2, strlen(t2), collect, &e), HSC_OK);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.text[0], "Viandes des animaux de l'esp\xC3\xA8""ce bovine D\xC3\xA9soss\xC3\xA9""es");

    memset(&e, 0, sizeof e);
    const char *t3 = "Autres; autres";
    assert_int_equal(hsc__augment_path(&plain, t3, strlen(t3), collect, &e), HSC_OK);
    assert_int_equal(e.n, 0);

    memset(&e, 0, sizeof e);
    const char *t4 = "Horses; live, pure-bred breeding animals";
    assert_int_equal(hsc__augment_path(&plain, t4, strlen(t4), collect, &e), HSC_OK);
    assert_int_equal(e.n, 0); /* "Horses live, ..." would repeat the same words */
}

/* Identical rows (code after truncation, text, flags) are one row whose
 * weight is the sum; the index survives rows dropped and re-indexed. */
static void test_identical_rows_merge(void **state)
{
    (void)state;
    hsc__row_sink sink = {on_error, NULL, 0};
    diag d = {0};
    sink.user = &d;
    hsc__rowset rs;
    hsc__rowset_init(&rs, &plain, 6, &sink, 0);
    assert_int_equal(hsc__rowset_add(&rs, "a", 1, "020130", 6, "beef", 4, 1.0, 0), HSC_OK);
    assert_int_equal(hsc__rowset_add(&rs, "a", 2, "0201.30.99", 10, "beef", 4, 2.5, 0), HSC_OK);
    assert_int_equal(hsc__rowset_add(&rs, "a", 3, "020130", 6, "Beef", 4, 1.0, 0), HSC_OK);
    assert_int_equal(hsc__rowset_add(&rs, "a", 4, "020130", 6, "beef", 4, 1.0,
                                     HSC_ROWS_NOMENCLATURE), HSC_OK);
    assert_int_equal(rs.n_rows, 3);
    assert_int_equal(rs.merged, 1);
    assert_true(rs.rows[0].weight == 3.5f);
    for (int i = 0; i < 3000; i++) {   /* past several index growths */
        char text[32];
        int n = snprintf(text, sizeof text, "row %d", i % 1000);
        assert_int_equal(hsc__rowset_add(&rs, "b", 5, "080910", 6, text, (size_t)n, 1.0, 0),
                         HSC_OK);
    }
    assert_int_equal(rs.n_rows, 1003);
    assert_int_equal(rs.merged, 2001);
    assert_true(rs.rows[3].weight == 3.0f);
    rs.n_rows = 2;   /* as a filter drops rows */
    assert_int_equal(hsc__rowset_reindex(&rs), HSC_OK);
    assert_int_equal(hsc__rowset_add(&rs, "c", 1, "020130", 6, "Beef", 4, 1.0, 0), HSC_OK);
    assert_int_equal(rs.n_rows, 2);   /* still there: merged */
    assert_int_equal(hsc__rowset_add(&rs, "c", 2, "020130", 6, "beef", 4, 1.0,
                                     HSC_ROWS_NOMENCLATURE), HSC_OK);
    assert_int_equal(rs.n_rows, 3);   /* that one was dropped: a new row again */
    assert_int_equal(d.n, 0);
    hsc__rowset_free(&rs);
}

static void test_code_map(void **state)
{
    (void)state;
    hsc__row_sink sink = {on_error, NULL, 0};
    diag d = {0};
    sink.user = &d;
    const char table[] = "# old\tnew\tshare\n"
                         "851770\t851771\t0.3\r\n"
                         "851770\t851779\t0.7\n"
                         "4418\t441899\n"
                         "441810\t441811\n"
                         "441810\t441819\n"
                         "\n"
                         "0101\t01\n"
                         "9999\tx\n";
    hsc__code_map m;
    hsc__code_map_init(&m, &plain);
    assert_int_equal(hsc__code_map_add_file(&m, &sink, write_temp(table, sizeof table - 1)),
                     HSC_OK);
    assert_int_equal(m.n, 6);
    assert_int_equal(d.n, 1);   /* "x" is no code */
    assert_int_equal(d.lines[0], 9);
    hsc__rowset rs;
    hsc__rowset_init(&rs, &plain, 10, &sink, 0);
    assert_int_equal(hsc__rowset_add(&rs, "", 0, "8517700000", 10, "antenna", 7, 2.0, 0), HSC_OK);
    assert_int_equal(hsc__rowset_add(&rs, "", 0, "44181000", 8, "window", 6, 1.0, 0), HSC_OK);
    assert_int_equal(hsc__rowset_add(&rs, "", 0, "441820", 6, "door", 4, 1.0, 0), HSC_OK);
    assert_int_equal(hsc__rowset_add(&rs, "", 0, "0101210000", 10, "horse", 5, 1.0, 0), HSC_OK);
    assert_int_equal(hsc__rowset_add(&rs, "", 0, "020130", 6, "beef", 4, 1.0, 0), HSC_OK);
    uint64_t mapped = 0, split = 0;
    assert_int_equal(hsc__code_map_apply(&m, &rs, &mapped, &split), HSC_OK);
    assert_int_equal(mapped, 4);
    assert_int_equal(split, 2);
    assert_int_equal(d.n, 2);   /* 0101 -> 01: shorter than a subheading */
    /* antenna: 0.3 and 0.7 of 2; window: the longest old code 441810, halves;
     * door: 4418 -> 441899; horse dropped; beef as it was */
    assert_int_equal(rs.n_rows, 6);
    static const struct {
        const char *code, *text;
        float weight;
    } want[] = {{"851771", "antenna", 0.6f}, {"441811", "window", 0.5f},
                {"441899", "door", 1.0f},    {"020130", "beef", 1.0f},
                {"851779", "antenna", 1.4f}, {"441819", "window", 0.5f}};
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(code_of(&rs, i), want[i].code);
        assert_string_equal(text_of(&rs, i), want[i].text);
        assert_true(rs.rows[i].weight > want[i].weight - 1e-6f &&
                    rs.rows[i].weight < want[i].weight + 1e-6f);
    }
    hsc__rowset_free(&rs);
    hsc__code_map_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_rows),
        cmocka_unit_test(test_levels_and_missing_file),
        cmocka_unit_test(test_augment),
        cmocka_unit_test(test_identical_rows_merge),
        cmocka_unit_test(test_code_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

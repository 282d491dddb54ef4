/* test_train_input.c - hostile training files through the public API:
 * empty files, one class only, a 10 MB line, binary garbage, CRLF, a BOM
 * (at the start, in the middle, UTF-16), a missing file, a directory. Each
 * gives a clear status or is handled as documented (rows skipped and
 * reported), and never a crash. Files are written to a temporary
 * directory. The CLI side (no partial model file after a failed train) is
 * in tests/cli/test_train_input.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

static char dir[256];
static char *tiny_rows;        /* tests/data/corrupt/tiny.tsv: 21 rows, 7 codes, LF */
static size_t tiny_len;

typedef struct errs {
    uint64_t calls, last_line;
    hsc_status last_status;
} errs;

static void on_error(void *user, const char *file, uint64_t line, hsc_status status,
                     const char *message)
{
    errs *e = user;
    assert_non_null(file);
    assert_non_null(message);
    assert_true(message[0] != '\0');
    assert_true(line > e->last_line);   /* 1-based, increasing */
    e->last_line = line;
    e->last_status = status;
    e->calls++;
}

static const char *path_of(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static const char *write_file(const char *name, const void *data, size_t len)
{
    const char *p = path_of(name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return p;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/hsc-train-input-XXXXXX",
             getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 200 ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    FILE *f = fopen(test_data_path("corrupt/tiny.tsv"), "rb");
    if (!f)
        return -1;
    tiny_rows = malloc(1 << 16);
    tiny_len = tiny_rows ? fread(tiny_rows, 1, 1 << 16, f) : 0;
    fclose(f);
    return tiny_len > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    free(tiny_rows);
    return system(cmd) == 0 ? 0 : -1;
}

/* A quick, reproducible trainer. */
static hsc_trainer *trainer(uint32_t strict, errs *e)
{
    hsc_config *cfg;
    hsc_trainer *t;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_DIM, 4), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 3), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 4096), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_THREADS, 1), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_STRICT, strict), HSC_OK);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "en,fr"), HSC_OK);
    assert_int_equal(hsc_trainer_new(cfg, &t), HSC_OK);
    hsc_config_free(cfg);
    memset(e, 0, sizeof *e);
    assert_int_equal(hsc_trainer_set_row_error_callback(t, on_error, e), HSC_OK);
    return t;
}

static void counts(hsc_trainer *t, uint64_t acc, uint64_t rej)
{
    uint64_t a, r;
    assert_int_equal(hsc_trainer_row_counts(t, &a, &r), HSC_OK);
    assert_int_equal(a, acc);
    assert_int_equal(r, rej);
}

/* Train and return the saved bytes (caller frees with hsc_buffer_free). */
static void *train_bytes(hsc_trainer *t, size_t *len)
{
    hsc_model *m = NULL;
    void *buf = NULL;
    assert_int_equal(hsc_trainer_train(t, &m), HSC_OK);
    assert_int_equal(hsc_model_save_memory(m, &buf, len), HSC_OK);
    hsc_model_free(m);
    return buf;
}

static void expect_train_fails(hsc_trainer *t, hsc_status want)
{
    hsc_model *m = (hsc_model *)t;   /* must be reset */
    assert_int_equal(hsc_trainer_train(t, &m), want);
    assert_null(m);
}

static void test_empty_files(void **state)
{
    (void)state;
    errs e;
    hsc_trainer *t = trainer(0, &e);
    assert_int_equal(hsc_trainer_add_file(t, write_file("empty.tsv", "", 0), 1.0, 0), HSC_OK);
    assert_int_equal(hsc_trainer_add_file(t, write_file("blank.tsv", " \n\r\n\t\n\n", 7), 1.0, 0),
                     HSC_OK);
    assert_int_equal(hsc_trainer_add_file(t, write_file("bom-only.tsv", "\xEF\xBB\xBF", 3), 1.0, 0),
                     HSC_OK);
    counts(t, 0, 0);
    assert_int_equal(e.calls, 0);
    expect_train_fails(t, HSC_E_NO_DATA);
    hsc_trainer_free(t);
}

static void test_one_class(void **state)
{
    (void)state;
    errs e;
    hsc_trainer *t = trainer(0, &e);
    static const char rows[] = "020130\tfresh boneless beef\n0201.30\tviande bovine desossee\n"
                               "0201 30 99\tbeef striploin\n";
    assert_int_equal(hsc_trainer_add_file(t, write_file("one.tsv", rows, sizeof rows - 1), 1.0, 0),
                     HSC_OK);
    counts(t, 3, 0);   /* separators are allowed; 8 digits truncate to 6 */
    expect_train_fails(t, HSC_E_ONE_CLASS);
    /* Still usable: a second class makes it trainable. */
    assert_int_equal(hsc_trainer_add_row(t, "870323", 6, "passenger car", 13, 1.0, 0), HSC_OK);
    size_t len;
    void *b = train_bytes(t, &len);
    hsc_buffer_free(b);
    hsc_trainer_free(t);
}

static char *big_line(size_t text_len, int with_tab)
{
    char *s = malloc(text_len + 32);   /* code, tab, newline, a second row, NUL */
    assert_non_null(s);
    size_t n = 0;
    if (with_tab) {
        memcpy(s, "020130\t", 7);
        n = 7;
    }
    static const char words[] = "frozen boneless beef cuts ";
    for (size_t i = 0; i < text_len; i++)
        s[n++] = words[i % (sizeof words - 1)];
    s[n++] = '\n';
    memcpy(s + n, "870323\tcar\n", 11);
    n += 11;
    s[n] = '\0';
    return s;
}

static void test_10mb_line(void **state)
{
    (void)state;
    size_t big = 10u << 20;
    char *s = big_line(big, 1);
    const char *p = write_file("big.tsv", s, strlen(s));
    errs e;
    /* Default text limit (64 KiB): the row is reported and skipped. */
    hsc_trainer *t = trainer(0, &e);
    assert_int_equal(hsc_trainer_add_file(t, p, 1.0, 0), HSC_OK);
    counts(t, 1, 1);
    assert_int_equal(e.calls, 1);
    assert_int_equal(e.last_line, 1);
    assert_int_equal(e.last_status, HSC_E_TEXT_TOO_LONG);
    expect_train_fails(t, HSC_E_ONE_CLASS);
    hsc_trainer_free(t);
    /* Strict mode stops there. */
    t = trainer(1, &e);
    assert_int_equal(hsc_trainer_add_file(t, p, 1.0, 0), HSC_E_BAD_ROW);
    counts(t, 0, 1);
    hsc_trainer_free(t);
    free(s);
    /* A 10 MB line without a tab. */
    s = big_line(big, 0);
    t = trainer(0, &e);
    assert_int_equal(hsc_trainer_add_file(t, write_file("big-notab.tsv", s, strlen(s)), 1.0, 0),
                     HSC_OK);
    counts(t, 1, 1);
    assert_int_equal(e.last_line, 1);
    assert_int_equal(e.last_status, HSC_E_BAD_ROW);
    hsc_trainer_free(t);
    free(s);
}

/* With the limit raised, a 1 MB description is accepted and trains. */
static void test_long_text_accepted(void **state)
{
    (void)state;
    char *s = big_line(1u << 20, 1);
    hsc_config *cfg;
    hsc_trainer *t;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_MAX_TEXT_BYTES, 2u << 20), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_DIM, 4), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 2), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 4096), HSC_OK);
    assert_int_equal(hsc_trainer_new(cfg, &t), HSC_OK);
    hsc_config_free(cfg);
    assert_int_equal(hsc_trainer_add_file(t, write_file("long.tsv", s, strlen(s)), 1.0, 0), HSC_OK);
    counts(t, 2, 0);
    size_t len;
    void *b = train_bytes(t, &len);
    hsc_buffer_free(b);
    hsc_trainer_free(t);
    free(s);
}

/* Deterministic pseudo-random bytes, with NULs, tabs and newlines. */
static void garbage(unsigned char *b, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        b[i] = (unsigned char)(seed >> 56);
    }
}

static uint64_t non_blank_lines(const unsigned char *b, size_t n)
{
    uint64_t lines = 0;
    int blank = 1;
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '\n') {
            lines += !blank;
            blank = 1;
        } else if (!strchr(" \t\r\v\f", b[i]) || b[i] == 0) {
            blank = 0;
        }
    }
    return lines + !blank;
}

static void test_binary_garbage(void **state)
{
    (void)state;
    size_t n = 256u << 10;
    unsigned char *b = malloc(n);
    assert_non_null(b);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        garbage(b, n, seed);
        const char *p = write_file("garbage.bin", b, n);
        errs e;
        hsc_trainer *t = trainer(0, &e);
        assert_int_equal(hsc_trainer_add_file(t, p, 1.0, HSC_ROWS_NOMENCLATURE), HSC_OK);
        uint64_t acc, rej;
        assert_int_equal(hsc_trainer_row_counts(t, &acc, &rej), HSC_OK);
        assert_int_equal(acc + rej, non_blank_lines(b, n));
        assert_int_equal(rej, e.calls);
        hsc_model *m = NULL;
        hsc_status st = hsc_trainer_train(t, &m);
        assert_true(st == HSC_E_NO_DATA || st == HSC_E_ONE_CLASS || st == HSC_OK);
        hsc_model_free(m);
        hsc_trainer_free(t);
        /* Strict: the first bad row stops the file. */
        t = trainer(1, &e);
        assert_int_equal(hsc_trainer_add_file(t, p, 1.0, 0), HSC_E_BAD_ROW);
        assert_int_equal(e.calls, 1);
        hsc_trainer_free(t);
    }
    free(b);
}

/* CRLF, a BOM, or no final newline give exactly the model of the plain file. */
static void test_crlf_and_bom(void **state)
{
    (void)state;
    errs e;
    size_t ref_len;
    hsc_trainer *t = trainer(0, &e);
    /* one file name for every variant: a model records its sources' names */
    assert_int_equal(hsc_trainer_add_file(t, write_file("rows.tsv", tiny_rows, tiny_len), 1.0, 0),
                     HSC_OK);
    counts(t, 21, 0);
    void *ref = train_bytes(t, &ref_len);
    hsc_trainer_free(t);

    char *crlf = malloc(2 * tiny_len + 4), *v = malloc(2 * tiny_len + 4);
    assert_non_null(crlf);
    assert_non_null(v);
    size_t n = 0;
    for (size_t i = 0; i < tiny_len; i++) {
        if (tiny_rows[i] == '\n')
            crlf[n++] = '\r';
        crlf[n++] = tiny_rows[i];
    }
    struct {
        const char *name, *prefix;
        const char *body;
        size_t len;
    } variants[] = {
        {"crlf.tsv", "", crlf, n},
        {"crlf-noeol.tsv", "", crlf, n - 2},
        {"bom.tsv", "\xEF\xBB\xBF", tiny_rows, tiny_len},
        {"bom-crlf.tsv", "\xEF\xBB\xBF", crlf, n},
        {"noeol.tsv", "", tiny_rows, tiny_len - 1},
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        size_t pl = strlen(variants[i].prefix);
        memcpy(v, variants[i].prefix, pl);
        memcpy(v + pl, variants[i].body, variants[i].len);
        t = trainer(0, &e);
        assert_int_equal(hsc_trainer_add_file(t, write_file("rows.tsv", v, pl + variants[i].len),
                                              1.0, 0),
                         HSC_OK);
        counts(t, 21, 0);
        size_t len;
        void *got = train_bytes(t, &len);
        if (len != ref_len || memcmp(got, ref, len) != 0)
            print_error("%s: model differs from the LF file's\n", variants[i].name);
        assert_true(len == ref_len && memcmp(got, ref, len) == 0);
        hsc_buffer_free(got);
        hsc_trainer_free(t);
    }
    free(crlf);
    free(v);
    hsc_buffer_free(ref);
}

static void test_misplaced_bom_and_utf16(void **state)
{
    (void)state;
    errs e;
    /* A BOM after the start belongs to the code: that row is bad. */
    static const char mid[] = "020130\tbeef\n\xEF\xBB\xBF" "870323\tcar\n020230\tfrozen beef\n";
    hsc_trainer *t = trainer(0, &e);
    assert_int_equal(hsc_trainer_add_file(t, write_file("bom-mid.tsv", mid, sizeof mid - 1), 1.0, 0),
                     HSC_OK);
    counts(t, 2, 1);
    assert_int_equal(e.last_line, 2);
    assert_int_equal(e.last_status, HSC_E_BAD_CODE);
    hsc_trainer_free(t);
    /* UTF-16LE with its BOM: no row is readable. */
    unsigned char u16[256];
    size_t n = 0;
    static const char rows[] = "020130\tbeef\n870323\tcar\n";
    u16[n++] = 0xFF;
    u16[n++] = 0xFE;
    for (size_t i = 0; i < sizeof rows - 1; i++) {
        u16[n++] = (unsigned char)rows[i];
        u16[n++] = 0;
    }
    t = trainer(0, &e);
    assert_int_equal(hsc_trainer_add_file(t, write_file("utf16.tsv", u16, n), 1.0, 0), HSC_OK);
    uint64_t acc, rej;
    assert_int_equal(hsc_trainer_row_counts(t, &acc, &rej), HSC_OK);
    assert_int_equal(acc, 0);
    assert_true(rej >= 2);
    expect_train_fails(t, HSC_E_NO_DATA);
    hsc_trainer_free(t);
}

static void test_bad_paths(void **state)
{
    (void)state;
    errs e;
    hsc_trainer *t = trainer(0, &e);
    assert_int_equal(hsc_trainer_add_file(t, path_of("does-not-exist.tsv"), 1.0, 0), HSC_E_IO);
    assert_int_equal(hsc_trainer_add_file(t, dir, 1.0, 0), HSC_E_IO);
    assert_int_equal(hsc_trainer_add_file(t, "", 1.0, 0), HSC_E_IO);
    assert_int_equal(hsc_trainer_add_file(t, NULL, 1.0, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_file(t, write_file("w.tsv", tiny_rows, tiny_len), 0.0, 0),
                     HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_file(t, path_of("w.tsv"), 1.0, 0x80), HSC_E_INVALID_ARG);
    counts(t, 0, 0);
    assert_int_equal(e.calls, 0);
    /* The trainer is still usable after the failures. */
    assert_int_equal(hsc_trainer_add_file(t, path_of("w.tsv"), 1.0, 0), HSC_OK);
    counts(t, 21, 0);
    hsc_trainer_free(t);
}

/* The malformed-row kinds the header lists, each with its status. */
static void test_row_statuses(void **state)
{
    (void)state;
    static const struct {
        const char *row;
        hsc_status st;
    } bad[] = {
        {"no tab here", HSC_E_BAD_ROW},
        {"02a130\tletters in code", HSC_E_BAD_CODE},
        {"1\tone digit", HSC_E_BAD_CODE},
        {"0201\tshorter than 6 digits", HSC_E_BAD_CODE},
        {"0201301234567\tthirteen digits", HSC_E_BAD_CODE},
        {"\tno code", HSC_E_BAD_CODE},
        {"020130\t   ", HSC_E_NO_DATA},
        {"020130\tbad \xC3\x28 utf8", HSC_E_BAD_UTF8},
        {"020130\tlone \xFF byte", HSC_E_BAD_UTF8},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errs e;
        char file[128];
        int n = snprintf(file, sizeof file, "020130\tbeef\n%s\n870323\tcar\n", bad[i].row);
        hsc_trainer *t = trainer(0, &e);
        assert_int_equal(hsc_trainer_add_file(t, write_file("row.tsv", file, (size_t)n), 1.0, 0),
                         HSC_OK);
        if (e.calls != 1 || e.last_status != bad[i].st)
            print_error("row %zu '%s': %llu errors, last %s\n", i, bad[i].row,
                        (unsigned long long)e.calls, hsc_status_string(e.last_status));
        assert_int_equal(e.calls, 1);
        assert_int_equal(e.last_line, 2);
        assert_int_equal(e.last_status, bad[i].st);
        counts(t, 2, 1);
        hsc_trainer_free(t);
    }
    /* A NUL inside a line is bad UTF-8 for the row, and only that row. */
    errs e;
    static const char nul[] = "020130\tbeef\n870323\tca\0r\n020230\tfrozen\n";
    hsc_trainer *t = trainer(0, &e);
    assert_int_equal(hsc_trainer_add_file(t, write_file("nul.tsv", nul, sizeof nul - 1), 1.0, 0),
                     HSC_OK);
    counts(t, 2, 1);
    assert_int_equal(e.last_line, 2);
    hsc_trainer_free(t);
}

/* Progress while a file is read: every 16,384 lines and at the end, the
 * bytes read never past the file's size and all of it at the end; a
 * non-zero return stops the reading with the rows read so far kept. */
typedef struct reads {
    uint64_t calls, lines, bytes, size, stop_at;
} reads;

static int32_t on_read(void *user, const char *file, uint64_t lines, uint64_t bytes,
                       uint64_t size)
{
    reads *r = user;
    assert_non_null(strstr(file, "big.tsv"));
    assert_true(lines > r->lines && bytes >= r->bytes && bytes <= size);
    r->calls++;
    r->lines = lines;
    r->bytes = bytes;
    r->size = size;
    return r->stop_at != 0 && lines >= r->stop_at;
}

static void test_read_progress(void **state)
{
    (void)state;
    enum { ROWS = 40000 };
    char *data = malloc((size_t)ROWS * 40);
    assert_non_null(data);
    size_t len = 0;
    for (int i = 0; i < ROWS; i++)
        len += (size_t)sprintf(data + len, "%06d\tgoods of kind %d\n", 10100 + i % 97 * 100, i);
    const char *path = write_file("big.tsv", data, len);
    free(data);
    for (int stop = 0; stop < 2; stop++) {
        errs e;
        reads r = {.stop_at = stop ? 16384 : 0};
        hsc_trainer *t = trainer(0, &e);
        assert_int_equal(hsc_trainer_set_read_progress_callback(t, on_read, &r), HSC_OK);
        assert_int_equal(hsc_trainer_add_file(t, path, 1.0, 0), stop ? HSC_E_CANCELLED : HSC_OK);
        assert_int_equal(r.size, len);
        if (stop) {
            assert_int_equal(r.calls, 1);
            counts(t, 16384, 0);   /* what was read stays */
        } else {
            assert_int_equal(r.calls, ROWS / 16384 + 1);
            assert_int_equal(r.lines, ROWS);
            assert_int_equal(r.bytes, len);
            counts(t, ROWS, 0);
        }
        hsc_trainer_free(t);
    }
    assert_int_equal(hsc_trainer_set_read_progress_callback(NULL, on_read, NULL),
                     HSC_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_files),
        cmocka_unit_test(test_one_class),
        cmocka_unit_test(test_10mb_line),
        cmocka_unit_test(test_long_text_accepted),
        cmocka_unit_test(test_binary_garbage),
        cmocka_unit_test(test_crlf_and_bom),
        cmocka_unit_test(test_misplaced_bom_and_utf16),
        cmocka_unit_test(test_bad_paths),
        cmocka_unit_test(test_row_statuses),
        cmocka_unit_test(test_read_progress),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

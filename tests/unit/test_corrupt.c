/* test_corrupt.c - every file in tests/data/corrupt/ is loaded from memory
 * and from its path; each must give the status and error offset that
 * MANIFEST.tsv (written by make_corrupt.py) records, free everything it
 * allocated, and the "OK" controls must load and classify exactly like
 * tiny.hscm. Public API only. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_util.h"

#define MAX_CASES 1024

typedef struct kase {
    char file[128];
    char status[32];
    uint64_t offset;
} kase;

static kase cases[MAX_CASES];
static size_t n_cases;

/* The allocator counts live blocks, so failure paths are checked for
 * leaks in every build, not only under ASan or valgrind. */
typedef struct counter {
    long live;
} counter;

static void *count_calloc(void *user, size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p)
        ((counter *)user)->live++;
    return p;
}

static void *count_realloc(void *user, void *ptr, size_t size)
{
    void *p = realloc(ptr, size);
    if (p && !ptr)
        ((counter *)user)->live++;
    return p;
}

static void count_free(void *user, void *ptr)
{
    if (ptr)
        ((counter *)user)->live--;
    free(ptr);
}

static const char *corrupt_path(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/corrupt/%s", getenv("HSCLASS_TEST_DATA") ? getenv("HSCLASS_TEST_DATA")
                                                                            : "tests/data",
             name);
    return buf;
}

static unsigned char *read_all(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    unsigned char *b = malloc(cap);
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    *len = n;
    return b;   /* never NULL for an empty file: load_memory gets a real pointer */
}

/* "MODEL_CRC" -> HSC_E_MODEL_CRC, by the status strings; -1 if unknown. */
static int status_code(const char *name)
{
    char want[64];
    if (strcmp(name, "OK") == 0)
        snprintf(want, sizeof want, "HSC_OK:");
    else
        snprintf(want, sizeof want, "HSC_E_%s:", name);
    for (int st = 0; st < 128; st++)
        if (strncmp(hsc_status_string(st), want, strlen(want)) == 0)
            return st;
    return -1;
}

static int setup(void **state)
{
    (void)state;
    FILE *f = fopen(corrupt_path("MANIFEST.tsv"), "r");
    if (!f)
        return -1;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (n_cases == MAX_CASES)
            break;
        kase *k = &cases[n_cases];
        unsigned long long off;
        if (sscanf(line, "%127[^\t]\t%31[^\t]\t%llu", k->file, k->status, &off) != 3) {
            fclose(f);
            return -1;
        }
        k->offset = off;
        n_cases++;
    }
    fclose(f);
    return n_cases > 0 ? 0 : -1;
}

/* Top-1 code and probability for a fixed text; -1 on any error. */
static int top1(hsc_model *m, char code[16], double *p)
{
    hsc_session *s;
    const char *c;
    int rc = -1;
    if (hsc_session_new(m, NULL, &s) != HSC_OK)
        return -1;
    if (hsc_session_classify(s, "frozen boneless beef", 20, 3) == HSC_OK &&
        hsc_session_result(s, 0, 0, &c, p) == HSC_OK) {
        snprintf(code, 16, "%s", c);
        rc = 0;
    }
    hsc_session_free(s);
    return rc;
}

static void test_manifest_complete(void **state)
{
    (void)state;
    /* Names say the status too: they must agree with the manifest. */
    for (size_t i = 0; i < n_cases; i++) {
        char suffix[64];
        snprintf(suffix, sizeof suffix, ".%s.hscm", cases[i].status);
        size_t fl = strlen(cases[i].file), sl = strlen(suffix);
        assert_true(fl > sl && strcmp(cases[i].file + fl - sl, suffix) == 0);
        assert_true(status_code(cases[i].status) >= 0);
    }
    /* Every .hscm file in the directory is a case (or the base model). */
    DIR *d = opendir(corrupt_path(""));
    assert_non_null(d);
    struct dirent *e;
    size_t files = 0;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".hscm") != 0 || strcmp(e->d_name, "tiny.hscm") == 0 ||
            strcmp(e->d_name, "tiny-prec.hscm") == 0 || strcmp(e->d_name, "tiny-prec-v1.hscm") == 0)
            continue;
        files++;
        size_t i = 0;
        while (i < n_cases && strcmp(cases[i].file, e->d_name) != 0)
            i++;
        if (i == n_cases)
            print_error("%s is not in MANIFEST.tsv\n", e->d_name);
        assert_true(i < n_cases);
    }
    closedir(d);
    assert_int_equal(files, n_cases);
}

static void test_every_case(void **state)
{
    (void)state;
    /* Controls score as their base: tiny.hscm (format 1.1), or tiny-prec.hscm
     * (1.3) for the cases named after its sections, which scores exactly as
     * the same model in format 1.2 (tiny-prec-v1.hscm, its memory in version
     * 1) did; "noprec" drops the memory and "damaged" spoils part of it,
     * which changes the scores: those must only load and classify. */
    hsc_model *base;
    char want_code[3][16], code[16];
    double want_p[3], p;
    const char *bases[3] = {"tiny.hscm", "tiny-prec.hscm", "tiny-prec-v1.hscm"};
    for (int b = 0; b < 3; b++) {
        assert_int_equal(hsc_model_load_file(corrupt_path(bases[b]), NULL, &base, NULL), HSC_OK);
        assert_int_equal(top1(base, want_code[b], &want_p[b]), 0);
        hsc_model_free(base);
    }
    assert_string_equal(want_code[2], want_code[1]);
    assert_true(want_p[2] == want_p[1]);

    counter cnt = {0};
    hsc_config *cfg;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_allocator(cfg, count_calloc, count_realloc, count_free, &cnt),
                     HSC_OK);
    size_t bad = 0, n_ok = 0;
    for (size_t i = 0; i < n_cases; i++) {
        const kase *k = &cases[i];
        int want = status_code(k->status);
        size_t len;
        unsigned char *data = read_all(corrupt_path(k->file), &len);
        assert_non_null(data);
        for (int from_file = 0; from_file < 2; from_file++) {
            hsc_model *m = (hsc_model *)&cnt;   /* must be reset to NULL on failure */
            uint64_t off = UINT64_MAX;
            int st = from_file ? hsc_model_load_file(corrupt_path(k->file), cfg, &m, &off)
                               : hsc_model_load_memory(data, len, cfg, &m, &off);
            int ok = st == want && (st != HSC_OK ? m == NULL && off == k->offset : m != NULL);
            if (ok && st == HSC_OK) {
                int b = strstr(k->file, "prec") != NULL || strstr(k->file, "scor") != NULL;
                ok = top1(m, code, &p) == 0 &&
                     (strstr(k->file, "noprec") != NULL || strstr(k->file, "damaged") != NULL ||
                      (strcmp(code, want_code[b]) == 0 && p == want_p[b]));
                n_ok++;
            }
            if (st == HSC_OK)
                hsc_model_free(m);
            if (cnt.live != 0) {
                print_error("%s: %ld blocks leaked\n", k->file, cnt.live);
                ok = 0;
                cnt.live = 0;
            }
            if (!ok) {
                print_error("%s (%s): got %s at offset %llu, want %s at %llu\n", k->file,
                            from_file ? "file" : "memory", hsc_status_string(st),
                            (unsigned long long)off, k->status, (unsigned long long)k->offset);
                bad++;
            }
        }
        free(data);
    }
    hsc_config_free(cfg);
    assert_int_equal(bad, 0);
    assert_true(n_ok >= 2);   /* the controls ran, from memory and from the path */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_complete),
        cmocka_unit_test(test_every_case),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

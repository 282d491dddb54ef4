/* test_model_format.c - the .hscm writer and reader: round trips,
 * quantization, determinism, file I/O, and rejection of damaged or hostile
 * files with the right status (every truncation, every bit flip, and
 * crafted files that pass the CRCs to reach the semantic checks). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "bytes.h"
#include "model.h"
#include "model_format.h"

static const hsc__alloc A = {0};

/* ---- a small synthetic model ------------------------------------------------ */

enum { DIM = 8, NROWS = 40, NLABELS = 5, BUCKETS = 4096, ZERO_ROW = 5, EXACT_ROW = 7 };
static const char *const LABELS[NLABELS] = {"0101", "01012100", "0102", "020130", "850440"};
static const float EXACT[DIM] = {127.0f, 2.5f, -2.5f, 126.4f, -127.0f, 0.49f, -0.5f, 0.0f};
static const int8_t EXACT_Q[DIM] = {127, 3, -3, 126, -127, 0, -1, 0};

typedef struct fixture {
    hsc__model_draft d;
    uint32_t buckets[NROWS];
    float rows[NROWS * DIM];
    float *out;
    hsc__kv meta[3];
    uint8_t *file;   /* the draft written once */
    size_t len;
} fixture;

static fixture F;

static float noise(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return (float)((double)(*x >> 8) / (double)(1u << 24) * 4.0 - 2.0);
}

static void make_draft(hsc__model_draft *d)
{
    hsc_config cfg;
    hsc__config_defaults(&cfg);
    memset(d, 0, sizeof *d);
    d->spec = cfg.spec;
    d->spec.buckets = BUCKETS;
    d->spec.n_langs = 2;
    d->spec.langs[0] = HSC__LANG_EN;
    d->spec.langs[1] = HSC__LANG_FR;
    d->spec.langs[2] = d->spec.langs[3] = 0;
    d->dim = DIM;
    uint32_t x = 42;
    for (uint32_t i = 0; i < NROWS; i++) {
        F.buckets[i] = 3 + 97 * i;
        for (uint32_t j = 0; j < DIM; j++)
            F.rows[i * DIM + j] = i == ZERO_ROW ? 0.0f : i == EXACT_ROW ? EXACT[j] : noise(&x);
    }
    hsc__tree t;
    assert_int_equal(hsc__tree_build(&A, LABELS, NLABELS, &t), HSC_OK);
    d->n_nodes = t.n_nodes;
    hsc__tree_free(&A, &t);
    if (F.out == NULL)
        F.out = malloc(sizeof(float) * d->n_nodes * DIM);
    for (uint32_t i = 0; i < d->n_nodes * DIM; i++)
        F.out[i] = noise(&x) * 0.25f;
    F.meta[0] = (hsc__kv){"train.epochs", "5"};
    F.meta[1] = (hsc__kv){"hs.edition", "HS2022"};
    F.meta[2] = (hsc__kv){"train.note", "caf\xc3\xa9"};
    d->n_meta = 3;
    d->meta = F.meta;
    d->n_labels = NLABELS;
    d->labels = LABELS;
    d->n_rows = NROWS;
    d->row_bucket = F.buckets;
    d->rows = F.rows;
    d->out = F.out;
    d->temperature = 1.25;
    d->accept_threshold = 0.6;
}

static uint8_t *write_draft(const hsc__model_draft *d, size_t *len)
{
    hsc__buf b = {0};
    assert_int_equal(hsc__model_write(&A, d, &b), HSC_OK);
    *len = b.len;
    return (uint8_t *)b.data;
}

static int setup(void **state)
{
    (void)state;
    make_draft(&F.d);
    hsc__buf b = {0};
    if (hsc__model_write(&A, &F.d, &b) != HSC_OK)
        return -1;
    F.file = (uint8_t *)b.data;
    F.len = b.len;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(F.file);
    free(F.out);
    return 0;
}

static int load(const uint8_t *data, size_t len, uint64_t *off)
{
    hsc_model *m = NULL;
    uint64_t o = 0;
    int st = hsc_model_load_memory(data, len, NULL, &m, &o);
    if (st == HSC_OK)
        assert_non_null(m);
    else
        assert_null(m);
    hsc_model_free(m);
    if (off != NULL)
        *off = o;
    return st;
}

static hsc_model *load_ok(const uint8_t *data, size_t len)
{
    hsc_model *m = NULL;
    assert_int_equal(hsc_model_load_memory(data, len, NULL, &m, NULL), HSC_OK);
    return m;
}

/* ---- round trips ---------------------------------------------------------------- */

static void check_matrix(const float *x, uint32_t n, const int8_t *q, const float *scale)
{
    for (uint32_t r = 0; r < n; r++) {
        float maxabs = 0.0f;
        for (uint32_t j = 0; j < DIM; j++)
            maxabs = fmaxf(maxabs, fabsf(x[r * DIM + j]));
        assert_true(scale[r] == maxabs / 127.0f);
        for (uint32_t j = 0; j < DIM; j++) {
            double err = fabs((double)q[r * DIM + j] * scale[r] - x[r * DIM + j]);
            assert_true(err <= scale[r] / 2.0 * (1.0 + 1e-6));
            assert_true(q[r * DIM + j] >= -127 && q[r * DIM + j] <= 127);
        }
    }
}

static void test_roundtrip_fields(void **state)
{
    (void)state;
    hsc_model *m = load_ok(F.file, F.len);
    const hsc__textspec *a = &m->spec, *b = &F.d.spec;
    assert_int_equal(a->tokenizer_version, b->tokenizer_version);
    assert_int_equal(a->strip_accents, b->strip_accents);
    assert_int_equal(a->n_langs, 2);
    assert_memory_equal(a->langs, b->langs, sizeof a->langs);
    assert_int_equal(a->hash_seed, b->hash_seed);
    assert_int_equal(a->buckets, BUCKETS);
    assert_int_equal(a->word_ngrams, b->word_ngrams);
    assert_int_equal(a->char_min, b->char_min);
    assert_int_equal(a->char_max, b->char_max);
    assert_int_equal(a->skeletons, b->skeletons);
    assert_int_equal(m->dim, DIM);
    assert_int_equal(m->n_labels, NLABELS);
    for (uint32_t i = 0; i < NLABELS; i++) {
        assert_string_equal(m->labels[i], LABELS[i]);
        const char *code;
        assert_int_equal(hsc_model_label(m, i, &code), HSC_OK);
        assert_string_equal(code, LABELS[i]);
    }
    size_t n;
    assert_int_equal(hsc_model_label_count(m, &n), HSC_OK);
    assert_int_equal(n, NLABELS);
    assert_int_equal(m->tree.n_nodes, F.d.n_nodes);
    assert_int_equal(m->n_rows, NROWS);
    assert_memory_equal(m->row_bucket, F.buckets, sizeof F.buckets);
    check_matrix(F.rows, NROWS, m->row_q, m->row_scale);
    check_matrix(F.out, F.d.n_nodes, m->out_q, m->out_scale);
    assert_true(m->row_scale[ZERO_ROW] == 0.0f);
    assert_true(m->row_scale[EXACT_ROW] == 1.0f);
    assert_memory_equal(m->row_q + EXACT_ROW * DIM, EXACT_Q, DIM);
    assert_true(m->temperature == 1.25);
    assert_true(m->accept_threshold == 0.6);
    assert_int_equal(m->fingerprint, (uint32_t)crc32_z(0, F.file, F.len));
    assert_string_equal(hsc__model_meta(m, "train.epochs"), "5");
    assert_string_equal(hsc__model_meta(m, "train.note"), "caf\xc3\xa9");
    assert_string_equal(hsc__model_meta(m, "hs.edition"), "HS2022");
    assert_string_equal(hsc__model_meta(m, "hs.code_digits"), "4-8");
    assert_null(hsc__model_meta(m, "no.such.key"));
    for (uint32_t i = 0; i < NROWS; i++)
        assert_int_equal(hsc__model_find_row(m, F.buckets[i]), i);
    assert_int_equal(hsc__model_find_row(m, 4), -1);
    hsc_model_free(m);
}

/* Edge shapes: no rows at all, one label, one language without stemmer. */
static void test_small_shapes(void **state)
{
    (void)state;
    hsc__model_draft d;
    make_draft(&d);
    static const char *one[] = {"9999"};
    d.n_rows = 0;
    d.labels = one;
    d.n_labels = 1;
    d.n_nodes = 3;   /* root, 99, 9999 */
    d.spec.n_langs = 1;
    d.spec.langs[0] = HSC__LANG_NONE;
    d.spec.char_min = 0;
    size_t len;
    uint8_t *f = write_draft(&d, &len);
    hsc_model *m = load_ok(f, len);
    assert_int_equal(m->n_rows, 0);
    assert_int_equal(hsc__model_find_row(m, 0), -1);
    assert_int_equal(m->n_labels, 1);
    assert_int_equal(m->tree.n_nodes, 3);
    assert_int_equal(m->spec.n_langs, 1);
    assert_int_equal(m->spec.langs[0], HSC__LANG_NONE);
    assert_int_equal(m->spec.char_min, 0);
    const char *s;
    assert_int_equal(hsc_model_info_str(m, HSC_INFO_STEMMER, &s), HSC_OK);
    assert_string_equal(s, "snowball (none)");
    assert_int_equal(hsc_model_info_str(m, HSC_INFO_LABELS, &s), HSC_OK);
    assert_string_equal(s, "1 labels, 4 digits");
    hsc__buf b = {0};
    assert_int_equal(hsc__model_serialize(m, &b), HSC_OK);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.data, f, len);
    hsc__buf_free(&A, &b);
    hsc_model_free(m);
    free(f);
    make_draft(&d);
}

static void test_info_strings(void **state)
{
    (void)state;
    hsc_model *m = load_ok(F.file, F.len);
    const char *s;
    char want[256];
    struct {
        int32_t key;
        const char *value;
    } cases[] = {
        {HSC_INFO_FORMAT_VERSION, "1.0"},
        {HSC_INFO_HS_EDITION, "HS2022"},
        {HSC_INFO_LANGUAGES, "en,fr"},
        {HSC_INFO_STEMMER, "snowball (english,french)"},
        {HSC_INFO_TOKENIZER, "tokenizer 1, features 2"},
        {HSC_INFO_HASH, "fnv1a64 seed=0 buckets=4096"},
        {HSC_INFO_TRAINING, "epochs=5 note=caf\xc3\xa9"},
        {HSC_INFO_LABELS, "5 labels, 4-8 digits"},
        {HSC_INFO_CREATED_BY, "libhsclass " HSC_VERSION_STRING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(hsc_model_info_str(m, cases[i].key, &s), HSC_OK);
        assert_string_equal(s, cases[i].value);
    }
    assert_int_equal(hsc_model_info_str(m, HSC_INFO_NORMALIZATION, &s), HSC_OK);
    assert_true(strncmp(s, "NFKC+casefold+strip-accents (utf8proc ", 38) == 0);
    assert_int_equal(hsc_model_info_str(m, HSC_INFO_FINGERPRINT, &s), HSC_OK);
    snprintf(want, sizeof want, "%08x", (unsigned)crc32_z(0, F.file, F.len));
    assert_string_equal(s, want);
    assert_int_equal(hsc_model_info_str(m, 0, &s), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_model_info_str(m, 12, &s), HSC_E_UNSUPPORTED);
    assert_int_equal(hsc_model_info_str(m, 1, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_info_str(NULL, 1, &s), HSC_E_INVALID_ARG);

    /* META listing: stored keys sorted, then the derived info.* keys */
    size_t n;
    const char *k, *v, *prev = "";
    assert_int_equal(hsc_model_meta_count(m, &n), HSC_OK);
    assert_true(n > HSC__N_INFO + 18);
    for (size_t i = 0; i < n - HSC__N_INFO; i++) {
        assert_int_equal(hsc_model_meta_get(m, i, &k, &v), HSC_OK);
        assert_true(strcmp(prev, k) < 0);
        assert_true(strncmp(k, "info.", 5) != 0);
        prev = k;
    }
    assert_int_equal(hsc_model_meta_get(m, n - 1, &k, &v), HSC_OK);
    assert_string_equal(k, "info.created_by");
    assert_int_equal(hsc_model_meta_get(m, n, &k, &v), HSC_E_NO_RESULT);
    assert_int_equal(hsc_model_meta_get(m, 0, NULL, &v), HSC_OK);   /* value only */
    assert_int_equal(hsc_model_meta_count(NULL, &n), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_label(m, NLABELS, &k), HSC_E_NO_RESULT);
    assert_int_equal(hsc_model_label_count(NULL, &n), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_format_version_max(), 1);
    hsc_model_free(m);
    hsc_model_free(NULL);
}

static void test_rewrite_and_determinism(void **state)
{
    (void)state;
    size_t len2;
    uint8_t *again = write_draft(&F.d, &len2);
    assert_int_equal(len2, F.len);
    assert_memory_equal(again, F.file, F.len);
    free(again);

    hsc_model *m = load_ok(F.file, F.len);
    hsc__buf b = {0};
    assert_int_equal(hsc__model_serialize(m, &b), HSC_OK);
    assert_int_equal(b.len, F.len);
    assert_memory_equal(b.data, F.file, F.len);
    hsc__buf_free(&A, &b);

    void *mem = NULL;
    size_t mem_len = 0;
    assert_int_equal(hsc_model_save_memory(m, &mem, &mem_len), HSC_OK);
    assert_int_equal(mem_len, F.len);
    assert_memory_equal(mem, F.file, F.len);
    hsc_buffer_free(mem);
    hsc_buffer_free(NULL);
    assert_int_equal(hsc_model_save_memory(NULL, &mem, &mem_len), HSC_E_INVALID_ARG);
    assert_null(mem);
    hsc_model_free(m);

    /* the layout the format documents */
    assert_int_equal(hsc__rd64(F.file + HSCM_H_FILE_SIZE), F.len);
    assert_int_equal(hsc__rd64(F.file + HSCM_H_TABLE_OFFSET), 64);
    assert_int_equal(hsc__rd32(F.file + HSCM_H_SECTION_COUNT), 6);
    const char *order = "METALABLROWSEMBDOUTWCALB";
    for (unsigned i = 0; i < 6; i++) {
        const uint8_t *e = F.file + 64 + 40 * i;
        assert_memory_equal(e, order + 4 * i, 4);
        assert_int_equal(hsc__rd64(e + HSCM_E_OFFSET) % 64, 0);
        assert_true(hsc__rd32(e + HSCM_E_FLAGS) & HSCM_SEC_CRITICAL);
    }
    /* the int8 matrices are stored raw, so they can be used in place */
    assert_false(hsc__rd32(F.file + 64 + 40 * 3 + HSCM_E_FLAGS) & HSCM_SEC_ZLIB);
}

static void test_file_roundtrip(void **state)
{
    (void)state;
    char dir[] = "/tmp/hsc_model_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/m.hscm", dir);

    hsc_model *m = load_ok(F.file, F.len), *m2 = NULL;
    assert_int_equal(hsc_model_save_file(m, path), HSC_OK);
    assert_int_equal(hsc_model_save_file(NULL, path), HSC_E_INVALID_ARG);
    uint64_t off = 99;
    assert_int_equal(hsc_model_load_file(path, NULL, &m2, &off), HSC_OK);
    assert_int_equal(off, 0);
    /* from a file, the matrices stay in the read-only mapping */
    assert_int_equal(m2->owns_q, 0);
    assert_memory_equal(m2->row_q, m->row_q, NROWS * DIM);
    assert_memory_equal(m2->out_q, m->out_q, (size_t)m->tree.n_nodes * DIM);
    void *mem;
    size_t mem_len;
    assert_int_equal(hsc_model_save_memory(m2, &mem, &mem_len), HSC_OK);
    assert_int_equal(mem_len, F.len);
    assert_memory_equal(mem, F.file, F.len);
    hsc_buffer_free(mem);
    hsc_model_free(m2);

    char other[600];
    snprintf(other, sizeof other, "%s/missing.hscm", dir);
    assert_int_equal(hsc_model_load_file(other, NULL, &m2, NULL), HSC_E_IO);
    assert_null(m2);
    assert_int_equal(hsc_model_load_file(dir, NULL, &m2, NULL), HSC_E_IO);
    FILE *f = fopen(other, "wb");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(hsc_model_load_file(other, NULL, &m2, &off), HSC_E_MODEL_TRUNCATED);
    assert_int_equal(off, 0);
    f = fopen(other, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(F.file, 1, F.len - 1, f), F.len - 1);
    fclose(f);
    assert_int_equal(hsc_model_load_file(other, NULL, &m2, &off), HSC_E_MODEL_TRUNCATED);
    assert_int_equal(off, F.len - 1);
    assert_int_equal(hsc_model_load_file(NULL, NULL, &m2, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_load_file(path, NULL, NULL, NULL), HSC_E_INVALID_ARG);
    remove(other);
    remove(path);
    rmdir(dir);
    hsc_model_free(m);
}

/* Reference counting: sessions retain, the last free destroys. Observed
 * through a counting allocator. */
typedef struct counting {
    long live;
    long calls;
    long fail_at;   /* 0: never */
} counting;

static void *c_calloc(void *u, size_t n, size_t s)
{
    counting *c = u;
    if (c->fail_at != 0 && ++c->calls == c->fail_at)
        return NULL;
    void *p = calloc(n, s);
    if (p != NULL)
        c->live++;
    return p;
}

static void *c_realloc(void *u, void *p, size_t s)
{
    counting *c = u;
    if (c->fail_at != 0 && ++c->calls == c->fail_at)
        return NULL;
    void *q = realloc(p, s);
    if (q != NULL && p == NULL)
        c->live++;
    return q;
}

static void c_free(void *u, void *p)
{
    counting *c = u;
    if (p != NULL)
        c->live--;
    free(p);
}

static void test_refcount_and_allocator(void **state)
{
    (void)state;
    counting c = {0, 0, 0};
    hsc_config *cfg;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_allocator(cfg, c_calloc, c_realloc, c_free, &c), HSC_OK);
    hsc_model *m = NULL;
    assert_int_equal(hsc_model_load_memory(F.file, F.len, cfg, &m, NULL), HSC_OK);
    assert_true(c.live > 0);
    hsc__model_retain(m);
    hsc__model_retain(m);
    hsc_model_free(m);
    hsc_model_free(m);
    assert_true(c.live > 0);
    void *mem;
    size_t mem_len;
    assert_int_equal(hsc_model_save_memory(m, &mem, &mem_len), HSC_OK);
    long with_buffer = c.live;
    hsc_model_free(m);   /* the saved buffer outlives the model */
    assert_int_equal(c.live, 1);
    assert_int_equal(mem_len, F.len);
    assert_memory_equal(mem, F.file, F.len);
    hsc_buffer_free(mem);
    assert_int_equal(c.live, 0);
    assert_true(with_buffer > 1);

    /* every allocation failure is reported, and nothing leaks */
    int st;
    long n = 0;
    do {
        c = (counting){0, 0, ++n};
        m = NULL;
        st = hsc_model_load_memory(F.file, F.len, cfg, &m, NULL);
        if (st != HSC_OK) {
            assert_int_equal(st, HSC_E_NOMEM);
            assert_null(m);
        }
        hsc_model_free(m);
        assert_int_equal(c.live, 0);
    } while (st != HSC_OK);
    assert_true(n > 10);

    hsc__alloc ca = {c_calloc, c_realloc, c_free, &c};
    n = 0;
    do {
        c = (counting){0, 0, ++n};
        hsc__buf b = {0};
        st = hsc__model_write(&ca, &F.d, &b);
        if (st != HSC_OK)
            assert_int_equal(st, HSC_E_NOMEM);
        else
            assert_memory_equal(b.data, F.file, F.len);
        hsc__buf_free(&ca, &b);
        assert_int_equal(c.live, 0);
    } while (st != HSC_OK);
    hsc_config_free(cfg);
}

/* Row lookup against a presence map, on several bucket distributions. */
static void check_find(uint32_t buckets, uint32_t *rows, uint32_t n)
{
    hsc_model box;
    hsc_model *m = &box;
    memset(&box, 0, sizeof box);
    m->spec.buckets = buckets;
    m->row_bucket = rows;
    m->n_rows = n;
    assert_int_equal(hsc__model_index_rows(m), HSC_OK);
    int64_t *where = malloc(sizeof *where * buckets);
    for (uint32_t b = 0; b < buckets; b++)
        where[b] = -1;
    for (uint32_t i = 0; i < n; i++)
        where[rows[i]] = i;
    for (uint32_t b = 0; b < buckets; b++)
        if (hsc__model_find_row(m, b) != where[b])
            fail_msg("bucket %u: got %lld want %lld", b, (long long)hsc__model_find_row(m, b),
                     (long long)where[b]);
    assert_int_equal(hsc__model_find_row(m, buckets), -1);
    assert_int_equal(hsc__model_find_row(m, UINT32_MAX), -1);
    hsc__free(&A, box.row_dir);
    free(where);
}

static void test_find_row(void **state)
{
    (void)state;
    enum { B = 1u << 16 };
    static uint32_t rows[B];
    uint32_t n = 0, x = 7;
    check_find(B, rows, 0);
    for (uint32_t b = 0; b < B; b++) {   /* uniform, ~1/13 */
        x = x * 1103515245u + 12345u;
        if ((x >> 16) % 13 == 0)
            rows[n++] = b;
    }
    check_find(B, rows, n);
    for (n = 0; n < 1000; n++)           /* all at the low end */
        rows[n] = n;
    check_find(B, rows, n);
    for (n = 0; n < 1000; n++)           /* all at the high end */
        rows[n] = B - 1000 + n;
    check_find(B, rows, n);
    rows[0] = 12345;                     /* one row */
    check_find(B, rows, 1);
    for (n = 0; n < B; n++)              /* every bucket */
        rows[n] = n;
    check_find(B, rows, n);
    for (n = 0; n < 500; n++)            /* two far clusters */
        rows[n] = n < 250 ? n * 3 : B - 3 * (500 - n);
    check_find(B, rows, n);
    /* dense enough for a directory entry per bucket (buckets <= 4 rows):
     * random ~1/3 with runs of empty buckets, exactly every 4th bucket,
     * and one row fewer (slices of several buckets again) */
    n = 0;
    for (uint32_t b = 0; b < B; b++) {
        x = x * 1103515245u + 12345u;
        if ((x >> 16) % 3 == 0 || b == B - 1)
            rows[n++] = b;
    }
    check_find(B, rows, n);
    for (n = 0; n < B / 4; n++)
        rows[n] = 4 * n + 3;
    check_find(B, rows, n);
    check_find(B, rows + 1, n - 1);
}

/* ---- writer input checks -------------------------------------------------------- */

static void test_writer_rejects(void **state)
{
    (void)state;
    hsc__model_draft d;
    hsc__buf b = {0};
#define REJECT(mutation)                                                              \
    do {                                                                              \
        make_draft(&d);                                                               \
        mutation;                                                                     \
        assert_int_equal(hsc__model_write(&A, &d, &b), HSC_E_INVALID_ARG);            \
        assert_int_equal(b.len, 0);                                                   \
    } while (0)
    REJECT(F.rows[3] = NAN);
    REJECT(F.out[0] = INFINITY);
    REJECT(F.buckets[4] = F.buckets[3]);
    REJECT(F.buckets[NROWS - 1] = BUCKETS);
    REJECT(d.n_nodes++);
    REJECT(d.dim = 0);
    REJECT(d.dim = HSCM_MAX_DIM + 1);
    REJECT(d.temperature = 0.0);
    REJECT(d.temperature = NAN);
    REJECT(d.accept_threshold = 1.5);
    REJECT(d.n_labels = 0);
    REJECT(d.spec.buckets = 0);
    REJECT(d.spec.word_ngrams = 3);
    REJECT(d.spec.tokenizer_version = HSC__TOKENIZER_VERSION + 1);
    REJECT(d.spec.langs[1] = 77);
    REJECT(d.spec.langs[1] = d.spec.langs[0]);
    REJECT(F.meta[0].key = "dim");
    REJECT(F.meta[0].key = "info.x");
    REJECT(F.meta[0].key = "Upper");
    REJECT(F.meta[0].key = "train.note");
    REJECT(F.meta[0].value = "\xff");
    REJECT(F.meta[1].value = "");   /* hs.edition */
    static const char *bad_labels[] = {"0101", "0101"};
    REJECT(d.labels = bad_labels; d.n_labels = 2);
    make_draft(&d);   /* restore F */
}

/* ---- damaged files ----------------------------------------------------------------- */

static void fix_header_crc(uint8_t *f)
{
    hsc__wr32(f + HSCM_H_CRC, (uint32_t)crc32_z(0, f, HSCM_H_CRC));
}

static uint8_t *copy_file(void)
{
    uint8_t *c = malloc(F.len + 256);
    memcpy(c, F.file, F.len);
    return c;
}

static void test_truncation(void **state)
{
    (void)state;
    for (size_t len = 0; len < F.len; len++) {
        uint8_t *c = malloc(len + 1);   /* exact size: ASan sees overreads */
        memcpy(c, F.file, len);
        uint64_t off;
        assert_int_equal(load(c, len, &off), HSC_E_MODEL_TRUNCATED);
        assert_int_equal(off, len);
        free(c);
    }
    /* trailing bytes are not allowed either */
    uint8_t *c = copy_file();
    c[F.len] = 0;
    uint64_t off;
    assert_int_equal(load(c, F.len + 1, &off), HSC_E_MODEL_LAYOUT);
    assert_int_equal(off, F.len);
    free(c);
    assert_int_equal(hsc_model_load_memory(NULL, 0, NULL, &(hsc_model *){NULL}, NULL),
                     HSC_E_INVALID_ARG);
}

/* Which status a flipped bit in each header field must give. */
static int header_status(size_t i)
{
    if (i < 8)
        return HSC_E_MODEL_SIGNATURE;
    if (i < 10)
        return HSC_E_MODEL_VERSION;
    if (i >= 12 && i < 16)
        return HSC_E_MODEL_LAYOUT;
    if (i >= 48 && i < 60)
        return HSC_E_MODEL_LAYOUT;
    return HSC_E_MODEL_CRC;
}

static void test_every_bit_flip(void **state)
{
    (void)state;
    uint8_t *c = copy_file();
    for (size_t i = 0; i < F.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            c[i] ^= (uint8_t)(1u << bit);
            uint64_t off;
            int st = load(c, F.len, &off);
            if (st == HSC_OK)
                fail_msg("flip of bit %d at byte %zu was accepted", bit, i);
            if (i < HSCM_HEADER_SIZE) {
                assert_int_equal(st, header_status(i));
                if (i < 8)
                    assert_int_equal(off, i);
            }
            c[i] ^= (uint8_t)(1u << bit);
        }
    }
    free(c);
}

static void test_header_fields(void **state)
{
    (void)state;
    uint8_t *c = copy_file();
    uint64_t off;
#define HEADER_CASE(mutation, status, offset)                                         \
    do {                                                                              \
        memcpy(c, F.file, F.len);                                                     \
        mutation;                                                                     \
        fix_header_crc(c);                                                            \
        assert_int_equal(load(c, F.len, &off), status);                               \
        assert_int_equal(off, offset);                                                \
    } while (0)
    HEADER_CASE(c[0] = 'X', HSC_E_MODEL_SIGNATURE, 0);
    HEADER_CASE(c[7] = 0x0a, HSC_E_MODEL_SIGNATURE, 7);
    HEADER_CASE(hsc__wr16(c + 8, 2), HSC_E_MODEL_VERSION, 8);
    HEADER_CASE(hsc__wr16(c + 8, 0), HSC_E_MODEL_VERSION, 8);
    HEADER_CASE(hsc__wr32(c + 12, 128), HSC_E_MODEL_LAYOUT, 12);
    HEADER_CASE(hsc__wr32(c + 16, 1), HSC_E_MODEL_VERSION, 16);
    HEADER_CASE(c[55] = 1, HSC_E_MODEL_LAYOUT, 55);
    HEADER_CASE(hsc__wr32(c + 48, 0x0D0C0B0A), HSC_E_MODEL_LAYOUT, 48);
    HEADER_CASE(hsc__wr64(c + 24, F.len + 64), HSC_E_MODEL_TRUNCATED, F.len);
    HEADER_CASE(hsc__wr64(c + 24, F.len - 64), HSC_E_MODEL_LAYOUT, F.len - 64);
    HEADER_CASE(hsc__wr32(c + 44, 48), HSC_E_MODEL_LAYOUT, 44);
    HEADER_CASE(hsc__wr32(c + 40, 33), HSC_E_MODEL_LIMIT, 40);
    HEADER_CASE(hsc__wr32(c + 40, 0), HSC_E_MODEL_SECTION, 40);
    HEADER_CASE(hsc__wr32(c + 40, 5), HSC_E_MODEL_SECTION, 40);   /* CALB left out */
    HEADER_CASE(hsc__wr64(c + 32, 96), HSC_E_MODEL_LAYOUT, 32);
    HEADER_CASE(hsc__wr64(c + 32, 0), HSC_E_MODEL_LAYOUT, 32);
    HEADER_CASE(hsc__wr64(c + 32, UINT64_MAX - 63), HSC_E_MODEL_LAYOUT, 32);
    /* an unknown optional flag and a newer minor version are fine */
    memcpy(c, F.file, F.len);
    hsc__wr32(c + HSCM_H_OPTIONAL, 0x80);
    hsc__wr16(c + HSCM_H_MINOR, 7);
    fix_header_crc(c);
    hsc_model *m = load_ok(c, F.len);
    const char *s;
    assert_int_equal(hsc_model_info_str(m, HSC_INFO_FORMAT_VERSION, &s), HSC_OK);
    assert_string_equal(s, "1.7");
    hsc_model_free(m);
    /* header CRC itself */
    memcpy(c, F.file, F.len);
    c[HSCM_H_MINOR] ^= 1;
    assert_int_equal(load(c, F.len, &off), HSC_E_MODEL_CRC);
    assert_int_equal(off, HSCM_H_CRC);
    free(c);
}

/* The section table is checked field by field (it has no CRC of its own). */
static void test_table_fields(void **state)
{
    (void)state;
    uint8_t *c = copy_file();
    uint64_t off;
    uint8_t *rows = c + 64 + 2 * 40, *labl = c + 64 + 40;
#define TABLE_CASE(mutation, status)                                                  \
    do {                                                                              \
        memcpy(c, F.file, F.len);                                                     \
        mutation;                                                                     \
        assert_int_equal(load(c, F.len, &off), status);                               \
    } while (0)
    TABLE_CASE(hsc__wr64(rows + 8, hsc__rd64(labl + 8)), HSC_E_MODEL_LAYOUT);   /* overlap */
    TABLE_CASE(hsc__wr64(rows + 8, hsc__rd64(rows + 8) + 8), HSC_E_MODEL_LAYOUT); /* misaligned */
    assert_int_equal(off, 64 + 2 * 40 + 8);
    TABLE_CASE(hsc__wr64(rows + 16, UINT64_MAX), HSC_E_MODEL_LAYOUT);
    TABLE_CASE(hsc__wr64(rows + 8, UINT64_MAX - 63), HSC_E_MODEL_LAYOUT);
    TABLE_CASE(hsc__wr32(rows + 36, 1), HSC_E_MODEL_LAYOUT);
    TABLE_CASE(hsc__wr32(rows + 4, hsc__rd32(rows + 4) | 4), HSC_E_MODEL_LAYOUT);
    const uint32_t rowz = HSCM_TAG('R', 'O', 'W', 'Z'), optional = ~HSCM_SEC_CRITICAL;
    TABLE_CASE(hsc__wr32(rows + 4, hsc__rd32(rows + 4) & optional), HSC_E_MODEL_SECTION);
    TABLE_CASE(hsc__wr32(rows + 24, (uint32_t)HSCM_MAX_SECTION_RAW + 1), HSC_E_MODEL_LIMIT);
    TABLE_CASE(hsc__wr32(rows, HSCM_TAG_LABL), HSC_E_MODEL_SECTION);          /* duplicate */
    TABLE_CASE(hsc__wr32(rows, rowz), HSC_E_MODEL_SECTION);                   /* unknown critical */
    assert_int_equal(off, 64 + 2 * 40);
    TABLE_CASE(hsc__wr32(rows, rowz); hsc__wr32(rows + 4, hsc__rd32(rows + 4) & optional),
               HSC_E_MODEL_SECTION);                                          /* then missing */
    TABLE_CASE(hsc__wr32(rows + 32, hsc__rd32(rows + 32) ^ 1), HSC_E_MODEL_CRC);
    assert_int_equal(off, hsc__rd64(rows + 8));
    /* EMBD is stored raw: raw_size must equal stored_size */
    TABLE_CASE(hsc__wr64(c + 64 + 3 * 40 + 24, hsc__rd64(c + 64 + 3 * 40 + 24) + 1),
               HSC_E_MODEL_LAYOUT);
    /* non-zero padding, found at its exact offset */
    uint64_t end_rows = hsc__rd64(rows + 8) + hsc__rd64(rows + 16);
    if (end_rows % 64 != 0) {
        TABLE_CASE(c[end_rows] = 1, HSC_E_MODEL_LAYOUT);
        assert_int_equal(off, end_rows);
    }
    TABLE_CASE(c[64 + 6 * 40] = 1, HSC_E_MODEL_LAYOUT);   /* after the table */
    assert_int_equal(off, 64 + 6 * 40);
    free(c);
}

/* ---- crafted files: split into sections, edit, reassemble -------------------------- */

typedef struct tsec {
    uint32_t tag, flags;
    uint8_t *raw;
    size_t raw_len;
    size_t junk;            /* bytes of 0xAB appended to the stored data */
    int64_t raw_delta;      /* added to the raw_size field */
    long corrupt;           /* stored byte to invert, -1: none */
} tsec;

typedef struct tfile {
    tsec s[16];
    size_t n;
} tfile;

static void split(const uint8_t *f, size_t len, tfile *t)
{
    (void)len;
    memset(t, 0, sizeof *t);
    t->n = hsc__rd32(f + HSCM_H_SECTION_COUNT);
    for (size_t i = 0; i < t->n; i++) {
        const uint8_t *e = f + 64 + 40 * i;
        tsec *s = &t->s[i];
        s->tag = hsc__rd32(e);
        s->flags = hsc__rd32(e + 4);
        s->raw_len = (size_t)hsc__rd64(e + 24);
        s->raw = malloc(s->raw_len + 1);
        s->corrupt = -1;
        const uint8_t *p = f + hsc__rd64(e + 8);
        uLongf out = s->raw_len;
        if (s->flags & HSCM_SEC_ZLIB)
            assert_int_equal(uncompress(s->raw, &out, p, (uLong)hsc__rd64(e + 16)), Z_OK);
        else
            memcpy(s->raw, p, s->raw_len);
    }
}

static uint8_t *join(const tfile *t, size_t *len)
{
    size_t cap = 1 << 16, pos = 64 + 40 * t->n;
    for (size_t i = 0; i < t->n; i++)
        cap += compressBound(t->s[i].raw_len) + t->s[i].junk + 64;
    uint8_t *f = calloc(1, cap);
    for (size_t i = 0; i < t->n; i++) {
        const tsec *s = &t->s[i];
        pos = (pos + 63) & ~(size_t)63;
        uLongf stored = s->raw_len;
        if (s->flags & HSCM_SEC_ZLIB) {
            stored = compressBound(s->raw_len);
            assert_int_equal(compress2(f + pos, &stored, s->raw, s->raw_len, 6), Z_OK);
        } else {
            memcpy(f + pos, s->raw, s->raw_len);
        }
        memset(f + pos + stored, 0xAB, s->junk);
        stored += s->junk;
        if (s->corrupt >= 0)
            f[pos + (size_t)s->corrupt] ^= 0xFF;
        uint8_t *e = f + 64 + 40 * i;
        hsc__wr32(e, s->tag);
        hsc__wr32(e + 4, s->flags);
        hsc__wr64(e + 8, pos);
        hsc__wr64(e + 16, stored);
        hsc__wr64(e + 24, (uint64_t)((int64_t)s->raw_len + s->raw_delta));
        hsc__wr32(e + 32, (uint32_t)crc32_z(0, f + pos, stored));
        pos += stored;
    }
    memcpy(f, HSCM_SIGNATURE, 8);
    hsc__wr16(f + 8, 1);
    hsc__wr32(f + 12, 64);
    hsc__wr64(f + 24, pos);
    hsc__wr64(f + 32, 64);
    hsc__wr32(f + 40, (uint32_t)t->n);
    hsc__wr32(f + 44, 40);
    hsc__wr32(f + 48, HSCM_BYTE_ORDER);
    fix_header_crc(f);
    *len = pos;
    return f;
}

static void tfree(tfile *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->s[i].raw);
}

static tsec *sec(tfile *t, const char *tag)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->s[i].tag == HSCM_TAG(tag[0], tag[1], tag[2], tag[3]))
            return &t->s[i];
    fail_msg("no section %s", tag);
    return NULL;
}

static int load_t(const tfile *t, uint64_t *off)
{
    size_t len;
    uint8_t *f = join(t, &len);
    int st = load(f, len, off);
    free(f);
    return st;
}

/* META as editable entries. */
typedef struct tmeta {
    size_t n;
    char *k[64], *v[64];
    size_t kl[64], vl[64];
} tmeta;

static void meta_read(const tsec *s, tmeta *m)
{
    size_t pos = 4;
    m->n = hsc__rd32(s->raw);
    for (size_t i = 0; i < m->n; i++) {
        m->kl[i] = hsc__rd32(s->raw + pos);
        m->k[i] = (char *)s->raw + pos + 4;
        pos += 4 + m->kl[i];
        m->vl[i] = hsc__rd32(s->raw + pos);
        m->v[i] = (char *)s->raw + pos + 4;
        pos += 4 + m->vl[i];
    }
}

static void meta_write(tsec *s, const tmeta *m)
{
    size_t len = 4;
    for (size_t i = 0; i < m->n; i++)
        len += 8 + m->kl[i] + m->vl[i];
    uint8_t *raw = malloc(len), *p = raw + 4;
    hsc__wr32(raw, (uint32_t)m->n);
    for (size_t i = 0; i < m->n; i++) {
        hsc__wr32(p, (uint32_t)m->kl[i]);
        memcpy(p + 4, m->k[i], m->kl[i]);
        p += 4 + m->kl[i];
        hsc__wr32(p, (uint32_t)m->vl[i]);
        memcpy(p + 4, m->v[i], m->vl[i]);
        p += 4 + m->vl[i];
    }
    free(s->raw);
    s->raw = raw;
    s->raw_len = len;
}

static size_t meta_find(const tmeta *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->kl[i] == strlen(key) && memcmp(m->k[i], key, m->kl[i]) == 0)
            return i;
    fail_msg("no key %s", key);
    return 0;
}

/* Load the model with META key set to value (NULL: removed). */
static int with_meta(const char *key, const char *value, size_t vlen)
{
    tfile t;
    tmeta m;
    split(F.file, F.len, &t);
    meta_read(sec(&t, "META"), &m);
    size_t i = meta_find(&m, key);
    if (value == NULL) {
        memmove(&m.k[i], &m.k[i + 1], (m.n - i - 1) * sizeof m.k[0]);
        memmove(&m.kl[i], &m.kl[i + 1], (m.n - i - 1) * sizeof m.kl[0]);
        memmove(&m.v[i], &m.v[i + 1], (m.n - i - 1) * sizeof m.v[0]);
        memmove(&m.vl[i], &m.vl[i + 1], (m.n - i - 1) * sizeof m.vl[0]);
        m.n--;
    } else {
        m.v[i] = (char *)value;
        m.vl[i] = vlen;
    }
    tsec *s = sec(&t, "META");
    uint8_t *old = s->raw;
    s->raw = NULL;
    meta_write(s, &m);
    free(old);
    int st = load_t(&t, NULL);
    tfree(&t);
    return st;
}

static int META(const char *key, const char *value)
{
    return with_meta(key, value, strlen(value));
}

static void test_split_join_identity(void **state)
{
    (void)state;
    tfile t;
    split(F.file, F.len, &t);
    size_t len;
    uint8_t *f = join(&t, &len);
    assert_int_equal(len, F.len);
    assert_memory_equal(f, F.file, F.len);
    free(f);
    tfree(&t);
    assert_int_equal(META("hs.edition", "HS2017"), HSC_OK);
}

static void test_meta_semantics(void **state)
{
    (void)state;
    assert_int_equal(META("tokenizer.version", "2"), HSC_E_MODEL_MISMATCH);
    assert_int_equal(META("feature.version", "9"), HSC_E_MODEL_MISMATCH);
    assert_int_equal(META("hash", "murmur3"), HSC_E_MODEL_MISMATCH);
    assert_int_equal(META("stemmer", "porter"), HSC_E_MODEL_MISMATCH);
    assert_int_equal(META("normalization", "NFC"), HSC_E_MODEL_MISMATCH);
    assert_int_equal(META("languages", "en,xx"), HSC_E_MODEL_MISMATCH);
    assert_int_equal(META("stemmer.algorithms", "english,german"), HSC_E_MODEL_VALUE);
    assert_int_equal(META("dim", "0"), HSC_E_MODEL_VALUE);
    assert_int_equal(META("dim", "08"), HSC_E_MODEL_VALUE);
    assert_int_equal(META("dim", "16"), HSC_E_MODEL_VALUE);         /* != EMBD's 8 */
    assert_int_equal(META("dim", "5000"), HSC_E_MODEL_LIMIT);
    assert_int_equal(META("dim", "99999999999"), HSC_E_MODEL_VALUE);
    assert_int_equal(META("hash.buckets", "0"), HSC_E_MODEL_VALUE);
    assert_int_equal(META("hash.buckets", "2000"), HSC_E_MODEL_VALUE); /* rows beyond it */
    assert_int_equal(META("hash.buckets", "4294967295"), HSC_E_MODEL_LIMIT);
    assert_int_equal(META("ngrams.word", "3"), HSC_E_MODEL_VALUE);
    assert_int_equal(META("skeletons", "-1"), HSC_E_MODEL_VALUE);
    assert_int_equal(META("hs.code_digits", "6"), HSC_E_MODEL_VALUE);
    assert_int_equal(META("created_by", ""), HSC_E_MODEL_VALUE);
    assert_int_equal(META("train.note", "\xc3("), HSC_E_MODEL_VALUE);
    assert_int_equal(with_meta("train.note", "a\0b", 3), HSC_E_MODEL_VALUE);
    assert_int_equal(with_meta("dim", NULL, 0), HSC_E_MODEL_SECTION);
    assert_int_equal(with_meta("languages", NULL, 0), HSC_E_MODEL_SECTION);
    char big[HSCM_MAX_META_VALUE + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(META("train.note", big), HSC_E_MODEL_LIMIT);
    big[HSCM_MAX_META_VALUE] = '\0';
    assert_int_equal(META("train.note", big), HSC_OK);

    /* structure: key order, reserved keys, counts, trailing bytes */
    tfile t;
    tmeta m;
    split(F.file, F.len, &t);
    tsec *s = sec(&t, "META");
    uint8_t *orig = malloc(s->raw_len);
    size_t orig_len = s->raw_len;
    memcpy(orig, s->raw, orig_len);
#define META_RAW(edit, status)                                                        \
    do {                                                                              \
        free(s->raw);                                                                 \
        s->raw = malloc(orig_len + 64);                                               \
        memcpy(s->raw, orig, orig_len);                                               \
        s->raw_len = orig_len;                                                        \
        meta_read(s, &m);                                                             \
        edit;                                                                         \
        assert_int_equal(load_t(&t, NULL), status);                                   \
    } while (0)
    META_RAW(m.k[0][0] = 'z', HSC_E_MODEL_VALUE);                   /* out of order */
    META_RAW(m.k[0][0] = 'C', HSC_E_MODEL_VALUE);                   /* bad key char */
    META_RAW(memcpy(m.k[m.n - 1], "info.", 5), HSC_E_MODEL_VALUE);  /* reserved */
    META_RAW(hsc__wr32(s->raw, (uint32_t)m.n + 1), HSC_E_MODEL_SECTION);
    META_RAW(hsc__wr32(s->raw, HSCM_MAX_META + 1), HSC_E_MODEL_LIMIT);
    META_RAW(s->raw[s->raw_len++] = 0, HSC_E_MODEL_SECTION);        /* trailing byte */
    META_RAW(hsc__wr32((uint8_t *)m.k[0] - 4, 0), HSC_E_MODEL_VALUE); /* empty key */
    META_RAW(hsc__wr32((uint8_t *)m.k[0] - 4, HSCM_MAX_META_KEY + 1), HSC_E_MODEL_LIMIT);
    META_RAW(hsc__wr32((uint8_t *)m.v[0] - 4, 100000), HSC_E_MODEL_LIMIT);
    META_RAW(hsc__wr32((uint8_t *)m.v[0] - 4, 4000), HSC_E_MODEL_SECTION); /* past the end */
    META_RAW((void)0, HSC_OK);
    free(orig);
    tfree(&t);
}

static void test_label_semantics(void **state)
{
    (void)state;
    tfile t;
    split(F.file, F.len, &t);
    tsec *s = sec(&t, "LABL");
    uint8_t *orig = malloc(s->raw_len);
    size_t orig_len = s->raw_len, pool = 8 + 4 * NLABELS;
    memcpy(orig, s->raw, orig_len);
#define LABL(edit, status)                                                            \
    do {                                                                              \
        memcpy(s->raw, orig, orig_len);                                               \
        s->raw_len = orig_len;                                                        \
        edit;                                                                         \
        assert_int_equal(load_t(&t, NULL), status);                                   \
    } while (0)
    /* pool: 0101 01012100 0102 020130 850440 */
    LABL(s->raw[pool + 2] = 'x', HSC_E_MODEL_VALUE);
    LABL(memcpy(s->raw + pool + 12, "0100", 4), HSC_E_MODEL_VALUE);   /* unsorted */
    LABL(memcpy(s->raw + pool + 12, "0101", 4), HSC_E_MODEL_VALUE);   /* unsorted again */
    LABL(hsc__wr32(s->raw, NLABELS - 1), HSC_E_MODEL_SECTION);        /* count mismatch */
    LABL(hsc__wr32(s->raw, 0), HSC_E_MODEL_VALUE);
    LABL(hsc__wr32(s->raw, HSCM_MAX_LABELS + 1), HSC_E_MODEL_LIMIT);
    LABL(hsc__wr32(s->raw, 0x40000000), HSC_E_MODEL_LIMIT);
    LABL(hsc__wr32(s->raw + 4, 1), HSC_E_MODEL_SECTION);              /* offsets[0] != 0 */
    LABL(hsc__wr32(s->raw + 8, 1), HSC_E_MODEL_VALUE);                /* 1-digit code */
    LABL(hsc__wr32(s->raw + 8, 30), HSC_E_MODEL_VALUE);               /* beyond the pool */
    LABL(s->raw_len--, HSC_E_MODEL_SECTION);
    LABL((void)0, HSC_OK);
    free(orig);

    /* a different label set changes the tree: OUTW no longer matches */
    tfree(&t);
    static const char *fewer[] = {"0101", "01012100", "0102", "020130"};
    hsc__model_draft d;
    make_draft(&d);
    d.labels = fewer;
    d.n_labels = 4;
    hsc__tree tr;
    assert_int_equal(hsc__tree_build(&A, fewer, 4, &tr), HSC_OK);
    d.n_nodes = tr.n_nodes;
    hsc__tree_free(&A, &tr);
    size_t len;
    uint8_t *other = write_draft(&d, &len);
    tfile t2;
    split(other, len, &t2);
    split(F.file, F.len, &t);
    tsec tmp = *sec(&t, "LABL");
    *sec(&t, "LABL") = *sec(&t2, "LABL");
    *sec(&t2, "LABL") = tmp;
    uint64_t off;
    assert_int_equal(load_t(&t, &off), HSC_E_MODEL_VALUE);
    size_t flen;
    uint8_t *joined = join(&t, &flen);
    assert_int_equal(off, hsc__rd64(joined + 64 + 4 * 40 + HSCM_E_OFFSET));   /* OUTW */
    free(joined);
    tfree(&t);
    tfree(&t2);
    free(other);
    make_draft(&d);
}

static void test_rows_semantics(void **state)
{
    (void)state;
    tfile t;
    split(F.file, F.len, &t);
    tsec *s = sec(&t, "ROWS");
    uint8_t *orig = malloc(s->raw_len);
    size_t orig_len = s->raw_len;
    memcpy(orig, s->raw, orig_len);
#define ROWS(edit, status)                                                            \
    do {                                                                              \
        memcpy(s->raw, orig, orig_len);                                               \
        s->raw_len = orig_len;                                                        \
        edit;                                                                         \
        assert_int_equal(load_t(&t, NULL), status);                                   \
    } while (0)
    /* ids are stored as gaps: the first id, then differences >= 1 */
    assert_int_equal(hsc__rd32(orig + 4), F.buckets[0]);
    assert_int_equal(hsc__rd32(orig + 8), F.buckets[1] - F.buckets[0]);
    ROWS(hsc__wr32(s->raw + 4 + 4 * 10, 0), HSC_E_MODEL_VALUE);               /* duplicate */
    ROWS(hsc__wr32(s->raw + 4 + 4 * 10, UINT32_MAX), HSC_E_MODEL_VALUE);      /* wraps */
    ROWS(hsc__wr32(s->raw + 4, BUCKETS), HSC_E_MODEL_VALUE);                  /* beyond */
    ROWS(hsc__wr32(s->raw + 4 * NROWS, BUCKETS - F.buckets[NROWS - 2]), HSC_E_MODEL_VALUE);
    ROWS(hsc__wr32(s->raw + 4 * NROWS, BUCKETS - 1 - F.buckets[NROWS - 2]), HSC_OK);
    ROWS(hsc__wr32(s->raw, NROWS - 1), HSC_E_MODEL_SECTION);
    ROWS(hsc__wr32(s->raw, HSCM_MAX_ROWS + 1), HSC_E_MODEL_LIMIT);
    ROWS(hsc__wr32(s->raw, NROWS - 1); s->raw_len -= 4, HSC_E_MODEL_VALUE);  /* != EMBD */
    ROWS((void)0, HSC_OK);
    free(orig);
    tfree(&t);
}

static void test_matrix_semantics(void **state)
{
    (void)state;
    for (int which = 0; which < 2; which++) {
        tfile t;
        split(F.file, F.len, &t);
        tsec *s = sec(&t, which == 0 ? "EMBD" : "OUTW");
        uint8_t *orig = malloc(s->raw_len);
        size_t orig_len = s->raw_len;
        memcpy(orig, s->raw, orig_len);
        uint64_t off;
#define MATRIX(edit, status)                                                          \
    do {                                                                              \
        memcpy(s->raw, orig, orig_len);                                               \
        s->raw_len = orig_len;                                                        \
        edit;                                                                         \
        assert_int_equal(load_t(&t, &off), status);                                   \
    } while (0)
        MATRIX(hsc__wrf32(s->raw + 8 + 4 * 2, NAN), HSC_E_MODEL_VALUE);
        MATRIX(hsc__wrf32(s->raw + 8 + 4 * 2, INFINITY), HSC_E_MODEL_VALUE);
        MATRIX(hsc__wrf32(s->raw + 8 + 4 * 2, -1.0f), HSC_E_MODEL_VALUE);
        MATRIX(hsc__wr32(s->raw + 4, 1u << 20), HSC_E_MODEL_LIMIT);        /* huge dim */
        MATRIX(hsc__wr32(s->raw + 4, UINT32_MAX), HSC_E_MODEL_LIMIT);
        MATRIX(hsc__wr32(s->raw, UINT32_MAX), HSC_E_MODEL_LIMIT);          /* huge rows */
        MATRIX(hsc__wr32(s->raw + 4, DIM * 2), HSC_E_MODEL_SECTION);       /* size mismatch */
        MATRIX(s->raw_len--, HSC_E_MODEL_SECTION);
        MATRIX(s->raw_len = 4, HSC_E_MODEL_SECTION);
        MATRIX((void)0, HSC_OK);
        /* a consistent but different shape: the counts must agree */
        uint32_t rows = hsc__rd32(orig);
        MATRIX(hsc__wr32(s->raw, rows - 1); s->raw_len -= 4 + DIM;
               memmove(s->raw + 8 + 4 * (rows - 1), s->raw + 8 + 4 * rows, (rows - 1) * DIM),
               HSC_E_MODEL_VALUE);
        free(orig);
        tfree(&t);
    }
}

static void test_calib_semantics(void **state)
{
    (void)state;
    tfile t;
    split(F.file, F.len, &t);
    tsec *s = sec(&t, "CALB");
    uint8_t orig[16];
    memcpy(orig, s->raw, 16);
#define CALB(edit, status)                                                            \
    do {                                                                              \
        memcpy(s->raw, orig, 16);                                                     \
        s->raw_len = 16;                                                              \
        edit;                                                                         \
        assert_int_equal(load_t(&t, NULL), status);                                   \
    } while (0)
    CALB(hsc__wrf64(s->raw, 0.0), HSC_E_MODEL_VALUE);
    CALB(hsc__wrf64(s->raw, -1.0), HSC_E_MODEL_VALUE);
    CALB(hsc__wrf64(s->raw, NAN), HSC_E_MODEL_VALUE);
    CALB(hsc__wrf64(s->raw, INFINITY), HSC_E_MODEL_VALUE);
    CALB(hsc__wrf64(s->raw + 8, 1.5), HSC_E_MODEL_VALUE);
    CALB(hsc__wrf64(s->raw + 8, NAN), HSC_E_MODEL_VALUE);
    CALB(s->raw_len = 15, HSC_E_MODEL_SECTION);
    CALB((void)0, HSC_OK);
    tfree(&t);
}

static void test_inflate_errors(void **state)
{
    (void)state;
    tfile t;
    split(F.file, F.len, &t);
    tsec *s = sec(&t, "META");
    assert_true(s->flags & HSCM_SEC_ZLIB);
    uint64_t off;
    s->raw_delta = -10;          /* inflates to more than raw_size */
    assert_int_equal(load_t(&t, &off), HSC_E_MODEL_INFLATE);
    s->raw_delta = 10;           /* inflates to less */
    assert_int_equal(load_t(&t, &off), HSC_E_MODEL_INFLATE);
    s->raw_delta = (int64_t)HSCM_MAX_SECTION_RAW;   /* claims too much */
    assert_int_equal(load_t(&t, &off), HSC_E_MODEL_LIMIT);
    s->raw_delta = 1 << 24;      /* more than deflate can expand this stream */
    assert_int_equal(load_t(&t, &off), HSC_E_MODEL_INFLATE);
    assert_int_equal(off, 64 + HSCM_E_RAW);
    s->raw_delta = 0;
    s->junk = 3;                 /* bytes after the end of the stream */
    assert_int_equal(load_t(&t, &off), HSC_E_MODEL_INFLATE);
    s->junk = 0;
    s->corrupt = 5;              /* damaged stream, CRC recomputed */
    assert_int_equal(load_t(&t, &off), HSC_E_MODEL_INFLATE);
    s->corrupt = -1;
    assert_int_equal(load_t(&t, &off), HSC_OK);

    /* a bomb: 16 MB of zeros that claims to be 100 bytes */
    free(s->raw);
    s->raw_len = 16u << 20;
    s->raw = calloc(1, s->raw_len);
    s->raw_delta = 100 - (int64_t)s->raw_len;
    /* the section's own offset is reported */
    size_t len;
    uint8_t *f = join(&t, &len);
    assert_int_equal(load(f, len, &off), HSC_E_MODEL_INFLATE);
    assert_int_equal(off, hsc__rd64(f + 64 + HSCM_E_OFFSET));
    free(f);
    tfree(&t);

    /* an uncompressed section flagged as zlib */
    split(F.file, F.len, &t);
    f = join(&t, &len);
    uint8_t *e = f + 64 + 3 * 40;   /* EMBD */
    hsc__wr32(e + 4, hsc__rd32(e + 4) | HSCM_SEC_ZLIB);
    assert_int_equal(load(f, len, &off), HSC_E_MODEL_INFLATE);
    free(f);
    tfree(&t);
}

static void test_section_set(void **state)
{
    (void)state;
    tfile t;
    split(F.file, F.len, &t);
    uint64_t off;
    /* an unknown optional section is skipped; rewriting drops it */
    tsec extra = {HSCM_TAG('N', 'O', 'T', 'E'), 0, malloc(5), 5, 0, 0, -1};
    memcpy(extra.raw, "hello", 5);
    t.s[t.n++] = extra;
    size_t len;
    uint8_t *f = join(&t, &len);
    hsc_model *m = load_ok(f, len);
    assert_int_equal(m->fingerprint, (uint32_t)crc32_z(0, f, len));
    hsc__buf b = {0};
    assert_int_equal(hsc__model_serialize(m, &b), HSC_OK);
    assert_int_equal(b.len, F.len);
    assert_memory_equal(b.data, F.file, F.len);
    hsc__buf_free(&A, &b);
    hsc_model_free(m);
    free(f);
    /* ... and its CRC is still checked */
    t.s[t.n - 1].corrupt = 0;
    f = join(&t, &len);
    t.s[t.n - 1].corrupt = -1;
    hsc__wr32(f + 64 + 40 * 6 + 32, (uint32_t)crc32_z(0, (const uint8_t *)"hello", 5));
    assert_int_equal(load(f, len, &off), HSC_E_MODEL_CRC);
    free(f);
    /* the same section marked critical is rejected */
    t.s[t.n - 1].flags = HSCM_SEC_CRITICAL;
    assert_int_equal(load_t(&t, &off), HSC_E_MODEL_SECTION);
    assert_int_equal(off, 64 + 40 * 6);
    /* a known tag twice */
    t.s[t.n - 1] = t.s[5];
    assert_int_equal(load_t(&t, &off), HSC_E_MODEL_SECTION);
    t.n--;
    free(extra.raw);
    /* a missing section */
    t.n--;
    assert_int_equal(load_t(&t, &off), HSC_E_MODEL_SECTION);
    t.n++;
    /* sections in another order are fine */
    tsec swap = t.s[0];
    t.s[0] = t.s[5];
    t.s[5] = swap;
    assert_int_equal(load_t(&t, &off), HSC_OK);
    tfree(&t);
}

/* Random damage inside sections, CRCs recomputed so it reaches the semantic
 * checks: never a crash, only model statuses, and whatever is accepted
 * must serialize again into a file that loads to the same bytes. */
static void test_random_damage(void **state)
{
    (void)state;
    uint32_t x = 2024;
    int accepted = 0;
    for (int iter = 0; iter < 3000; iter++) {
        tfile t;
        split(F.file, F.len, &t);
        x = x * 1103515245u + 12345u;
        tsec *s = &t.s[(x >> 16) % t.n];
        int edits = 1 + (int)((x >> 8) % 4);
        for (int e = 0; e < edits; e++) {
            x = x * 1103515245u + 12345u;
            size_t pos = (x >> 8) % s->raw_len;
            x = x * 1103515245u + 12345u;
            s->raw[pos] = (x >> 24) % 3 == 0 ? 0 : (uint8_t)(x >> 16);
        }
        size_t len;
        uint8_t *f = join(&t, &len);
        hsc_model *m = NULL;
        int st = hsc_model_load_memory(f, len, NULL, &m, NULL);
        if (st == HSC_OK) {
            accepted++;
            void *a, *b;
            size_t alen, blen;
            hsc_model *m2 = NULL;
            assert_int_equal(hsc_model_save_memory(m, &a, &alen), HSC_OK);
            assert_int_equal(hsc_model_load_memory(a, alen, NULL, &m2, NULL), HSC_OK);
            assert_int_equal(hsc_model_save_memory(m2, &b, &blen), HSC_OK);
            assert_int_equal(alen, blen);
            assert_memory_equal(a, b, alen);
            hsc_buffer_free(a);
            hsc_buffer_free(b);
            hsc_model_free(m2);
        } else {
            assert_true(st >= HSC_E_MODEL_TRUNCATED && st <= HSC_E_MODEL_MISMATCH);
        }
        hsc_model_free(m);
        free(f);
        tfree(&t);
    }
    assert_true(accepted > 0);   /* e.g. changed weights are still a model */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_fields),
        cmocka_unit_test(test_small_shapes),
        cmocka_unit_test(test_info_strings),
        cmocka_unit_test(test_rewrite_and_determinism),
        cmocka_unit_test(test_file_roundtrip),
        cmocka_unit_test(test_refcount_and_allocator),
        cmocka_unit_test(test_find_row),
        cmocka_unit_test(test_writer_rejects),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_every_bit_flip),
        cmocka_unit_test(test_header_fields),
        cmocka_unit_test(test_table_fields),
        cmocka_unit_test(test_split_join_identity),
        cmocka_unit_test(test_meta_semantics),
        cmocka_unit_test(test_label_semantics),
        cmocka_unit_test(test_rows_semantics),
        cmocka_unit_test(test_matrix_semantics),
        cmocka_unit_test(test_calib_semantics),
        cmocka_unit_test(test_inflate_errors),
        cmocka_unit_test(test_section_set),
        cmocka_unit_test(test_random_damage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

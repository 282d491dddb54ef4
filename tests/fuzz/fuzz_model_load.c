/* fuzz_model_load.c - arbitrary bytes as a model file.
 *
 * Each input is loaded twice: as it is, and with the header CRC and the
 * CRC of every section in bounds recomputed, so that mutations also reach
 * the checks behind the checksums (layout, inflate, meaning).
 *
 * Invariants: a failed load returns a model-file status (or HSC_E_NOMEM),
 * leaves *out NULL and reports an offset within the input; the CRC-fixed
 * copy never fails with HSC_E_MODEL_CRC. A successful load gives a usable
 * model: every accessor works, a session classifies, and saving it gives a
 * file that loads again and saves to the same bytes (unless its
 * nomenclature, decoded on first use, is damaged: then the nomenclature
 * calls and saving fail alike). */
#include <string.h>

#include <zlib.h>

#include "hsclass.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void check_model(hsc_model *m)
{
    const char *s, *k, *v;
    size_t n;
    for (int32_t key = HSC_INFO_FORMAT_VERSION; key <= HSC_INFO_CREATED_BY; key++) {
        FUZZ_CHECK(hsc_model_info_str(m, key, &s) == HSC_OK && s != NULL);
        FUZZ_CHECK(fuzz_utf8_valid((const uint8_t *)s, strlen(s)));
    }
    FUZZ_CHECK(hsc_model_meta_count(m, &n) == HSC_OK);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(hsc_model_meta_get(m, i, &k, &v) == HSC_OK && k[0] != '\0');
    FUZZ_CHECK(hsc_model_meta_get(m, n, &k, &v) != HSC_OK);
    FUZZ_CHECK(hsc_model_label_count(m, &n) == HSC_OK && n > 0);
    const char *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(hsc_model_label(m, i, &s) == HSC_OK);
        FUZZ_CHECK(strlen(s) >= 2 && strspn(s, "0123456789") == strlen(s));
        FUZZ_CHECK(prev == NULL || strcmp(prev, s) < 0);
        prev = s;
    }

    hsc_session *ss;
    FUZZ_CHECK(hsc_session_new(m, NULL, &ss) == HSC_OK);
    static const char text[] = "frozen boneless beef cuts 20kg, vin rouge 75 cl";
    FUZZ_CHECK(hsc_session_classify(ss, text, sizeof text - 1, 5) == HSC_OK);
    size_t count;
    FUZZ_CHECK(hsc_session_result_count(ss, 0, &count) == HSC_OK && count <= 5);
    for (size_t i = 0; i < count; i++) {
        double p;
        FUZZ_CHECK(hsc_session_result(ss, 0, i, &s, &p) == HSC_OK);
        FUZZ_CHECK(p >= 0.0 && p <= 1.0);
    }
    /* the precedent memory, when the model has one: every row readable */
    FUZZ_CHECK(hsc_session_precedent_count(ss, &count) == HSC_OK && count <= 64);
    for (size_t i = 0; i < count; i++) {
        const char *code, *row, *source;
        double sim;
        FUZZ_CHECK(hsc_session_precedent(ss, i, &code, &sim, &row, &source) == HSC_OK);
        FUZZ_CHECK(code[0] != '\0' && sim > 0.0 && sim <= 1.0 && source != NULL);
        FUZZ_CHECK(row == NULL || fuzz_utf8_valid((const uint8_t *)row, strlen(row)));
    }
    hsc_session_free(ss);

    /* the nomenclature is decoded on first use: damaged, every call that
     * needs it (and saving) fails alike, with a model-file status */
    const char *d;
    hsc_status tables = hsc_model_nomenclature_count(m, &n);
    FUZZ_CHECK(tables == HSC_OK || tables == HSC_E_NOMEM ||
               (tables >= HSC_E_MODEL_TRUNCATED && tables <= HSC_E_MODEL_MISMATCH));
    hsc_status st = hsc_model_describe(m, "0201", 4, NULL, &d);
    FUZZ_CHECK(tables == HSC_OK ? st == HSC_OK || st == HSC_E_NO_RESULT : st == tables);
    void *buf, *buf2;
    size_t len, len2;
    st = hsc_model_save_memory(m, &buf, &len);
    FUZZ_CHECK(st == tables);
    if (st != HSC_OK)
        return;
    hsc_model *m2;
    uint64_t off;
    FUZZ_CHECK(hsc_model_load_memory(buf, len, NULL, &m2, &off) == HSC_OK);
    FUZZ_CHECK(hsc_model_save_memory(m2, &buf2, &len2) == HSC_OK);
    FUZZ_CHECK(len == len2 && memcmp(buf, buf2, len) == 0);
    hsc_buffer_free(buf);
    hsc_buffer_free(buf2);
    hsc_model_free(m2);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Recompute the CRCs the format has (layout in libhsclass/model_format.h).
 * Returns 0 when there is no header to fix. */
static int fix_crcs(uint8_t *d, size_t n)
{
    if (n < 64)
        return 0;
    uint64_t table = rd64(d + 32);
    uint32_t count = rd32(d + 40);
    for (uint32_t i = 0; i < count && i < 32; i++) {
        uint64_t e = table + (uint64_t)i * 40;
        if (table > n || e > n - 40 || n < 40)
            break;
        uint64_t off = rd64(d + e + 8), stored = rd64(d + e + 16);
        if (off <= n && stored <= n - off)
            wr32(d + e + 32, (uint32_t)crc32_z(0, d + off, (size_t)stored));
    }
    wr32(d + 60, (uint32_t)crc32_z(0, d, 60));
    return 1;
}

static void load(const uint8_t *data, size_t size, int fixed)
{
    hsc_model *m = (hsc_model *)&m;   /* must become NULL or a model */
    uint64_t off = UINT64_MAX;
    int st = hsc_model_load_memory(data, size, NULL, &m, &off);
    if (st != HSC_OK) {
        FUZZ_CHECK(m == NULL);
        FUZZ_CHECK(st == HSC_E_NOMEM || (st >= HSC_E_MODEL_TRUNCATED && st <= HSC_E_MODEL_MISMATCH));
        FUZZ_CHECK(off <= size);
        FUZZ_CHECK(!fixed || st != HSC_E_MODEL_CRC);
        return;
    }
    FUZZ_CHECK(m != NULL);
    check_model(m);
    hsc_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load(data, size, 0);
    uint8_t *copy = malloc(size ? size : 1);
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, data, size);
    if (fix_crcs(copy, size) && memcmp(copy, data, size) != 0)
        load(copy, size, 1);
    free(copy);
    return 0;
}

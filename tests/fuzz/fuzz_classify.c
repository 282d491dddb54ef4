/* fuzz_classify.c - classification with the tiny real model of
 * tests/data/corrupt/tiny.hscm (path compiled in; HSCLASS_FUZZ_MODEL
 * overrides it), loaded once.
 *
 *   byte 0  bits 0-3 k - 1 (k = 1..16), bit 4 UTF-8 replacement,
 *           bit 5 a 128-byte text limit, bit 6 a match limit of 300,
 *           bit 7 accept threshold 0.5
 *   rest    the text
 *
 * Invariants: only text statuses come back; on success each level has at
 * most k results, none or all levels have results, probabilities are in
 * [0, 1], sorted, and sum to at most 1 per level; codes are digit strings
 * of the level's length (labels at level 0) and each level's codes are
 * distinct; a second classification of the same text is identical. */
#include <string.h>

#include "hsclass.h"
#include "fuzz.h"

#ifndef HSC_FUZZ_MODEL
#define HSC_FUZZ_MODEL "tests/data/corrupt/tiny.hscm"
#endif

static hsc_model *model;
static const uint32_t levels[] = {0, 2, 4, 6};
#define N_LEVELS (sizeof levels / sizeof levels[0])
#define K_MAX 16

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *path = getenv("HSCLASS_FUZZ_MODEL");
    if (!path)
        path = HSC_FUZZ_MODEL;
    uint64_t off;
    int st = hsc_model_load_file(path, NULL, &model, &off);
    if (st != HSC_OK) {
        fprintf(stderr, "fuzz_classify: cannot load %s: %s\n", path, hsc_status_string(st));
        abort();
    }
    return 0;
}

typedef struct result {
    size_t n;
    char code[K_MAX][16];
    double p[K_MAX];
} result;

static void read_results(hsc_session *s, uint32_t k, result *r)
{
    for (size_t l = 0; l < N_LEVELS; l++) {
        FUZZ_CHECK(hsc_session_result_count(s, levels[l], &r[l].n) == HSC_OK);
        FUZZ_CHECK(r[l].n <= k);
        double sum = 0.0;
        for (size_t i = 0; i < r[l].n; i++) {
            const char *code;
            FUZZ_CHECK(hsc_session_result(s, levels[l], i, &code, &r[l].p[i]) == HSC_OK);
            size_t len = strlen(code);
            FUZZ_CHECK(len < 16 && strspn(code, "0123456789") == len);
            FUZZ_CHECK(levels[l] == 0 ? len == 6 : len == levels[l]);
            memcpy(r[l].code[i], code, len + 1);
            FUZZ_CHECK(r[l].p[i] >= 0.0 && r[l].p[i] <= 1.0);
            FUZZ_CHECK(i == 0 || r[l].p[i] <= r[l].p[i - 1]);
            for (size_t j = 0; j < i; j++)
                FUZZ_CHECK(strcmp(r[l].code[j], code) != 0);
            sum += r[l].p[i];
        }
        FUZZ_CHECK(sum <= 1.0 + 1e-6);
        FUZZ_CHECK(hsc_session_result(s, levels[l], r[l].n, NULL, NULL) == HSC_E_NO_RESULT);
        FUZZ_CHECK((r[l].n == 0) == (r[0].n == 0));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t opt = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    uint32_t k = 1u + (opt & 15u);
    /* One session per option set, reused across inputs as callers do. */
    static hsc_session *sessions[16];
    hsc_session *s = sessions[opt >> 4];
    if (!s) {
        hsc_config *cfg;
        FUZZ_CHECK(hsc_config_new(&cfg) == HSC_OK);
        FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_UTF8_REPLACE, (opt >> 4) & 1u) == HSC_OK);
        if (opt & 0x20)
            FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_MAX_TEXT_BYTES, 128) == HSC_OK);
        if (opt & 0x40)
            FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_MATCH_LIMIT, 300) == HSC_OK);
        if (opt & 0x80)
            FUZZ_CHECK(hsc_config_set_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, 0.5) == HSC_OK);
        FUZZ_CHECK(hsc_session_new(model, cfg, &s) == HSC_OK);
        hsc_config_free(cfg);
        sessions[opt >> 4] = s;
    }

    int st = hsc_session_classify(s, text, len, k);
    FUZZ_CHECK(st == HSC_OK || st == HSC_E_BAD_UTF8 || st == HSC_E_TEXT_TOO_LONG ||
               st == HSC_E_REGEX_LIMIT);
    if (st == HSC_OK) {
        static result a[N_LEVELS], b[N_LEVELS];
        memset(a, 0, sizeof a);
        memset(b, 0, sizeof b);
        read_results(s, k, a);
        FUZZ_CHECK(hsc_session_classify(s, text, len, k) == HSC_OK);
        read_results(s, k, b);
        FUZZ_CHECK(memcmp(a, b, sizeof a) == 0);
    } else {
        size_t n = 1;
        FUZZ_CHECK(hsc_session_result_count(s, 0, &n) == HSC_OK && n == 0);
    }
    return 0;
}

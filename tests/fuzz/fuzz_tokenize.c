/* fuzz_tokenize.c - the text pipeline without a model (normalize, tokenize,
 * stem, featurize). Leading bytes pick the options, as cmark's harness does:
 *
 *   byte 0  bits 0-2 languages (table below), bit 3 strip accents,
 *           bit 4 UTF-8 replacement, bit 5 skeletons, bit 6 word bigrams,
 *           bit 7 languages given as text: the bytes up to the first '\n'
 *   byte 1  bits 0-2 char n-gram min, bits 3-5 its span (max = min + span),
 *           bit 6 a match limit of 500, bit 7 a 256-byte text limit
 *   rest    the text
 *
 * Invariants: only text statuses come back, and only when they apply (bad
 * UTF-8 never with replacement on, too long exactly when it is); tokens have
 * a known type and flags, a span inside the text, a valid UTF-8 normalized
 * form and stems; tokenizing the same text again gives the same tokens. */
#include <string.h>

#include "hsclass.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static const char *const lang_sets[8] = {
    "none", "en", "fr", "pt", "es", "en,fr", "fr,pt,en", "es,pt,fr,en",
};

static hsc_config *make_config(const uint8_t **data, size_t *size, uint32_t *max_text,
                               uint32_t *replace)
{
    if (*size < 2)
        return NULL;
    uint8_t a = (*data)[0], b = (*data)[1];
    *data += 2;
    *size -= 2;
    hsc_config *cfg;
    FUZZ_CHECK(hsc_config_new(&cfg) == HSC_OK);
    char langs[40];
    snprintf(langs, sizeof langs, "%s", lang_sets[a & 7]);
    if (a & 0x80) {
        const uint8_t *nl = memchr(*data, '\n', *size < 39 ? *size : 39);
        size_t n = nl ? (size_t)(nl - *data) : 0;
        memcpy(langs, *data, n);
        langs[n] = '\0';
        if (nl) {
            *data += n + 1;
            *size -= n + 1;
        }
    }
    int st = hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, langs);
    if (st != HSC_OK) {
        FUZZ_CHECK(st == HSC_E_BAD_LANGUAGE && (a & 0x80));
        hsc_config_free(cfg);
        return NULL;
    }
    uint32_t cmin = b & 7u, cmax = cmin + ((b >> 3) & 7u);
    *replace = (a >> 4) & 1u;
    *max_text = (b & 0x80) ? 256u : 65536u;
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_STRIP_ACCENTS, (a >> 3) & 1u) == HSC_OK);
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_UTF8_REPLACE, *replace) == HSC_OK);
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_SKELETONS, (a >> 5) & 1u) == HSC_OK);
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_WORD_NGRAMS, 1u + ((a >> 6) & 1u)) == HSC_OK);
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_CHAR_NGRAM_MAX, cmax) == HSC_OK);
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_CHAR_NGRAM_MIN, cmin) == HSC_OK);
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_MAX_TEXT_BYTES, *max_text) == HSC_OK);
    if (b & 0x40)
        FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_MATCH_LIMIT, 500) == HSC_OK);
    return cfg;
}

typedef struct tok {
    const char *norm, *stems;
    uint32_t type, flags;
    size_t off, len;
} tok;

static void check_tokens(hsc_session *s, size_t size, tok *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tok *t = &out[i];
        FUZZ_CHECK(hsc_session_token(s, i, &t->norm, &t->type, &t->flags) == HSC_OK);
        FUZZ_CHECK(hsc_session_token_stems(s, i, &t->stems) == HSC_OK);
        FUZZ_CHECK(hsc_session_token_span(s, i, &t->off, &t->len) == HSC_OK);
        FUZZ_CHECK(t->type >= HSC_TOKEN_WORD && t->type <= HSC_TOKEN_ALNUM);
        FUZZ_CHECK((t->flags & ~HSC_TOKEN_FLAG_STOPWORD) == 0);
        FUZZ_CHECK(t->off <= size && t->len <= size - t->off);
        FUZZ_CHECK(t->norm != NULL && t->stems != NULL);
        FUZZ_CHECK(fuzz_utf8_valid((const uint8_t *)t->norm, strlen(t->norm)));
        FUZZ_CHECK(fuzz_utf8_valid((const uint8_t *)t->stems, strlen(t->stems)));
    }
    FUZZ_CHECK(hsc_session_token_count(s) == n);
    FUZZ_CHECK(hsc_session_token(s, n, NULL, NULL, NULL) == HSC_E_NO_RESULT);
}

/* Sessions are reused across inputs with the same options, as callers
 * reuse them (and creating one costs more than tokenizing). */
#define CACHE 64
static struct {
    uint8_t key[42];
    hsc_session *s;
} cache[CACHE];

static hsc_session *session_for(const uint8_t *data, size_t size, const hsc_config *cfg)
{
    uint8_t key[42] = {0};
    size_t used = size < 41 ? size : 41;
    const uint8_t *nl = (data[0] & 0x80) ? memchr(data + 2, '\n', used - 2) : NULL;
    size_t n = nl ? (size_t)(nl - data) : 2;   /* the option bytes, and the languages */
    key[0] = (uint8_t)n;
    memcpy(key + 1, data, n);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i <= n; i++)
        h = (h ^ key[i]) * 16777619u;
    size_t slot = h % CACHE;
    if (cache[slot].s && memcmp(cache[slot].key, key, sizeof key) == 0)
        return cache[slot].s;
    hsc_session_free(cache[slot].s);
    FUZZ_CHECK(hsc_session_new(NULL, cfg, &cache[slot].s) == HSC_OK);
    memcpy(cache[slot].key, key, sizeof key);
    return cache[slot].s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t max_text, replace;
    const uint8_t *all = data;
    size_t all_size = size;
    hsc_config *cfg = make_config(&data, &size, &max_text, &replace);
    if (!cfg)
        return 0;
    hsc_session *s = session_for(all, all_size, cfg);
    hsc_config_free(cfg);

    const char *text = (const char *)data;
    int st = hsc_session_tokenize(s, text, size);
    FUZZ_CHECK(st == HSC_OK || st == HSC_E_BAD_UTF8 || st == HSC_E_TEXT_TOO_LONG ||
               st == HSC_E_REGEX_LIMIT);
    FUZZ_CHECK((st == HSC_E_TEXT_TOO_LONG) == (size > max_text));
    if (st == HSC_E_BAD_UTF8)
        FUZZ_CHECK(!replace && !fuzz_utf8_valid(data, size));
    if (st == HSC_OK && !replace)
        FUZZ_CHECK(fuzz_utf8_valid(data, size));
    if (st != HSC_OK) {
        FUZZ_CHECK(hsc_session_last_error_detail(s)[0] != '\0');
        FUZZ_CHECK(hsc_session_token_count(s) == 0);
        return 0;
    }
    size_t n = hsc_session_token_count(s);
    tok *first = calloc(n ? n : 1, sizeof *first);
    tok *again = calloc(n ? n : 1, sizeof *again);
    FUZZ_CHECK(first && again);
    check_tokens(s, size, first, n);
    /* Copy what the next call invalidates, then compare a second run. */
    char **saved = calloc(n ? 2 * n : 1, sizeof *saved);
    FUZZ_CHECK(saved != NULL);
    for (size_t i = 0; i < n; i++) {
        saved[2 * i] = strdup(first[i].norm);
        saved[2 * i + 1] = strdup(first[i].stems);
        FUZZ_CHECK(saved[2 * i] && saved[2 * i + 1]);
    }
    FUZZ_CHECK(hsc_session_tokenize(s, text, size) == HSC_OK);
    FUZZ_CHECK(hsc_session_token_count(s) == n);
    check_tokens(s, size, again, n);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(strcmp(saved[2 * i], again[i].norm) == 0);
        FUZZ_CHECK(strcmp(saved[2 * i + 1], again[i].stems) == 0);
        FUZZ_CHECK(first[i].type == again[i].type && first[i].flags == again[i].flags);
        FUZZ_CHECK(first[i].off == again[i].off && first[i].len == again[i].len);
        free(saved[2 * i]);
        free(saved[2 * i + 1]);
    }
    free(saved);
    free(first);
    free(again);
    return 0;
}

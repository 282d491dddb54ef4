/* model_meta.c - what a model's META section says: the format keys (one
 * table for the writer that records them and the reader that requires
 * them), the featurization spec they encode, and the HSC_INFO_* strings
 * derived from them when a file is read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "model.h"
#include "model_format.h"

static const char *const key_names[] = {
    [HSCM_K_CREATED_BY] = "created_by",
    [HSCM_K_DIM] = "dim",
    [HSCM_K_FEATURE_VERSION] = "feature.version",
    [HSCM_K_HASH] = "hash",
    [HSCM_K_HASH_BUCKETS] = "hash.buckets",
    [HSCM_K_HASH_SEED] = "hash.seed",
    [HSCM_K_CODE_DIGITS] = "hs.code_digits",
    [HSCM_K_HS_EDITION] = "hs.edition",
    [HSCM_K_LANGUAGES] = "languages",
    [HSCM_K_CHAR_MAX] = "ngrams.char_max",
    [HSCM_K_CHAR_MIN] = "ngrams.char_min",
    [HSCM_K_WORD_NGRAMS] = "ngrams.word",
    [HSCM_K_NORMALIZATION] = "normalization",
    [HSCM_K_UTF8PROC] = "normalization.utf8proc",
    [HSCM_K_SKELETONS] = "skeletons",
    [HSCM_K_STEMMER] = "stemmer",
    [HSCM_K_STEMMER_ALGOS] = "stemmer.algorithms",
    [HSCM_K_TOKENIZER_VERSION] = "tokenizer.version",
};
_Static_assert(sizeof key_names / sizeof key_names[0] == HSCM_K_COUNT,
               "one name per format key");

/* In HSC_INFO_* order: info_names[key - 1]. */
static const char *const info_names[] = {
    [HSC_INFO_FORMAT_VERSION - 1] = "info.format_version",
    [HSC_INFO_HS_EDITION - 1] = "info.hs_edition",
    [HSC_INFO_LANGUAGES - 1] = "info.languages",
    [HSC_INFO_STEMMER - 1] = "info.stemmer",
    [HSC_INFO_TOKENIZER - 1] = "info.tokenizer",
    [HSC_INFO_NORMALIZATION - 1] = "info.normalization",
    [HSC_INFO_HASH - 1] = "info.hash",
    [HSC_INFO_TRAINING - 1] = "info.training",
    [HSC_INFO_LABELS - 1] = "info.labels",
    [HSC_INFO_FINGERPRINT - 1] = "info.fingerprint",
    [HSC_INFO_CREATED_BY - 1] = "info.created_by",
};
_Static_assert(sizeof info_names / sizeof info_names[0] == HSC__N_INFO &&
                   HSC_INFO_FORMAT_VERSION == 1 && HSC_INFO_CREATED_BY == HSC__N_INFO,
               "one derived string per HSC_INFO_* key, keys 1..HSC__N_INFO");

const char *hsc__info_key_name(int32_t key)
{
    return key >= 1 && key <= (int32_t)HSC__N_INFO ? info_names[key - 1] : NULL;
}

static const char *meta_of(const hsc_model *m, unsigned key)
{
    return hsc__model_meta(m, key_names[key]);
}

int hsc__meta_key_valid(const char *key, size_t len)
{
    size_t pl = sizeof HSCM_INFO_PREFIX - 1;
    if (len == 0 || len > HSCM_MAX_META_KEY ||
        (len >= pl && memcmp(key, HSCM_INFO_PREFIX, pl) == 0))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

int hsc__textspec_check(const hsc__textspec *sp)
{
    if (sp->tokenizer_version != HSC__TOKENIZER_VERSION || sp->feature_version < 1 ||
        sp->feature_version > HSC__FEATURE_VERSION || sp->strip_accents > 1 ||
        sp->skeletons > 1 || sp->n_langs == 0 || sp->n_langs > HSC__MAX_LANGS ||
        sp->buckets == 0 || sp->buckets > HSCM_MAX_BUCKETS || sp->word_ngrams < 1 ||
        sp->word_ngrams > 2 || sp->char_min > HSCM_MAX_CHAR_NGRAM ||
        sp->char_max > HSCM_MAX_CHAR_NGRAM)
        return HSC_E_INVALID_ARG;
    for (uint32_t i = 0; i < sp->n_langs; i++) {
        if (hsc__lang_name(sp->langs[i]) == NULL)
            return HSC_E_INVALID_ARG;
        for (uint32_t j = 0; j < i; j++)
            if (sp->langs[j] == sp->langs[i])
                return HSC_E_INVALID_ARG;
    }
    return HSC_OK;
}

/* ---- values ----------------------------------------------------------------- */

typedef char value[HSC__META_VALUE_CAP];

static void put_u32(char *v, size_t cap, uint32_t x)
{
    hsc__format_number(v, cap, (double)x, 10);
}

static void put_str(value v, const char *s)
{
    size_t n = strlen(s);
    if (n >= sizeof(value))
        n = sizeof(value) - 1;
    memcpy(v, s, n);
    v[n] = '\0';
}

/* The hs.code_digits value for sorted labels: "6", or "4-10" when their
 * lengths differ. */
static void label_digits_range(const char *const *labels, uint32_t n, value v)
{
    size_t lo = SIZE_MAX, hi = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strlen(labels[i]);
        lo = len < lo ? len : lo;
        hi = len > hi ? len : hi;
    }
    if (n == 0)
        lo = 0;
    put_u32(v, sizeof(value), (uint32_t)lo);
    if (lo != hi) {
        size_t k = strlen(v);
        v[k++] = '-';
        put_u32(v + k, sizeof(value) - k, (uint32_t)hi);
    }
}

/* "english,french" from language ids; HSC_E_INVALID_ARG if it won't fit. */
static int stemmer_algos(const hsc__textspec *spec, value v)
{
    size_t len = 0;
    for (uint32_t i = 0; i < spec->n_langs; i++) {
        const char *algo = hsc__lang_snowball(spec->langs[i]);
        if (algo == NULL)
            algo = "none";
        size_t n = strlen(algo);
        if (len + n + 2 > sizeof(value))
            return HSC_E_INVALID_ARG;
        if (i > 0)
            v[len++] = ',';
        memcpy(v + len, algo, n);
        len += n;
    }
    v[len] = '\0';
    return HSC_OK;
}

static void languages(const hsc__textspec *sp, value v)
{
    v[0] = '\0';
    for (uint32_t i = 0; i < sp->n_langs; i++) {
        if (i > 0)
            strcat(v, ",");
        strcat(v, hsc__lang_name(sp->langs[i]));
    }
}

/* ---- writing -------------------------------------------------------------------- */

static int kv_cmp(const void *x, const void *y)
{
    return strcmp(((const hsc__kv *)x)->key, ((const hsc__kv *)y)->key);
}

/* A draft entry: a valid key the writer does not own (but hs.edition), a
 * UTF-8 value. */
static int draft_entry_ok(const hsc__kv *kv)
{
    if (kv->key == NULL || kv->value == NULL ||
        !hsc__meta_key_valid(kv->key, strlen(kv->key)))
        return 0;
    size_t vl = strlen(kv->value), bad;
    if (vl > HSCM_MAX_META_VALUE || hsc__utf8_validate(kv->value, vl, &bad) != HSC_OK)
        return 0;
    for (unsigned k = 0; k < HSCM_K_COUNT; k++)
        if (k != HSCM_K_HS_EDITION && strcmp(kv->key, key_names[k]) == 0)
            return 0;
    if (strcmp(kv->key, key_names[HSCM_K_HS_EDITION]) == 0 && kv->value[0] == '\0')
        return 0;
    return 1;
}

int hsc__meta_compose(const hsc__model_draft *d, value *v, hsc__kv *kv, size_t *n_kv)
{
    const hsc__textspec *sp = &d->spec;
    put_str(v[HSCM_K_CREATED_BY], "libhsclass " HSC_VERSION_STRING);
    put_u32(v[HSCM_K_DIM], sizeof(value), d->dim);
    put_u32(v[HSCM_K_FEATURE_VERSION], sizeof(value), sp->feature_version);
    put_str(v[HSCM_K_HASH], HSCM_V_HASH);
    put_u32(v[HSCM_K_HASH_BUCKETS], sizeof(value), sp->buckets);
    put_u32(v[HSCM_K_HASH_SEED], sizeof(value), sp->hash_seed);
    label_digits_range(d->labels, d->n_labels, v[HSCM_K_CODE_DIGITS]);
    put_str(v[HSCM_K_HS_EDITION], HSCM_V_NO_EDITION);
    languages(sp, v[HSCM_K_LANGUAGES]);
    put_u32(v[HSCM_K_CHAR_MAX], sizeof(value), sp->char_max);
    put_u32(v[HSCM_K_CHAR_MIN], sizeof(value), sp->char_min);
    put_u32(v[HSCM_K_WORD_NGRAMS], sizeof(value), sp->word_ngrams);
    put_str(v[HSCM_K_NORMALIZATION], sp->strip_accents ? HSCM_V_NORM_STRIP : HSCM_V_NORM);
    put_str(v[HSCM_K_UTF8PROC], utf8proc_version());
    put_u32(v[HSCM_K_SKELETONS], sizeof(value), sp->skeletons);
    put_str(v[HSCM_K_STEMMER], HSCM_V_STEMMER);
    put_u32(v[HSCM_K_TOKENIZER_VERSION], sizeof(value), sp->tokenizer_version);
    int st = stemmer_algos(sp, v[HSCM_K_STEMMER_ALGOS]);
    if (st != HSC_OK)
        return st;

    size_t n = 0;
    int draft_edition = 0;
    for (size_t i = 0; i < d->n_meta; i++) {
        if (!draft_entry_ok(&d->meta[i]))
            return HSC_E_INVALID_ARG;
        draft_edition |= strcmp(d->meta[i].key, key_names[HSCM_K_HS_EDITION]) == 0;
        kv[n++] = d->meta[i];
    }
    for (unsigned k = 0; k < HSCM_K_COUNT; k++)
        if (k != HSCM_K_HS_EDITION || !draft_edition)
            kv[n++] = (hsc__kv){(char *)(uintptr_t)key_names[k], v[k]};
    qsort(kv, n, sizeof *kv, kv_cmp);
    for (size_t i = 1; i < n; i++)
        if (strcmp(kv[i - 1].key, kv[i].key) == 0)
            return HSC_E_INVALID_ARG;
    *n_kv = n;
    return HSC_OK;
}

/* ---- reading ------------------------------------------------------------------------ */

static int parse_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    if (s == NULL || s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
        return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            return 0;
    }
    *out = (uint32_t)v;
    return 1;
}

int hsc__meta_read_spec(hsc_model *m)
{
    for (unsigned k = 0; k < HSCM_K_COUNT; k++)
        if (meta_of(m, k) == NULL)
            return HSC_E_MODEL_SECTION;

    /* versions first: a newer featurization is a mismatch, not damage */
    hsc__textspec *sp = &m->spec;
    const char *norm = meta_of(m, HSCM_K_NORMALIZATION);
    if (!parse_u32(meta_of(m, HSCM_K_TOKENIZER_VERSION), &sp->tokenizer_version) ||
        !parse_u32(meta_of(m, HSCM_K_FEATURE_VERSION), &sp->feature_version))
        return HSC_E_MODEL_VALUE;
    if (sp->tokenizer_version != HSC__TOKENIZER_VERSION || sp->feature_version < 1 ||
        sp->feature_version > HSC__FEATURE_VERSION ||
        strcmp(meta_of(m, HSCM_K_HASH), HSCM_V_HASH) != 0 ||
        strcmp(meta_of(m, HSCM_K_STEMMER), HSCM_V_STEMMER) != 0 ||
        (strcmp(norm, HSCM_V_NORM) != 0 && strcmp(norm, HSCM_V_NORM_STRIP) != 0) ||
        hsc__parse_languages(meta_of(m, HSCM_K_LANGUAGES), sp->langs, &sp->n_langs) != HSC_OK)
        return HSC_E_MODEL_MISMATCH;
    sp->strip_accents = strcmp(norm, HSCM_V_NORM_STRIP) == 0;
    if (!parse_u32(meta_of(m, HSCM_K_HASH_SEED), &sp->hash_seed) ||
        !parse_u32(meta_of(m, HSCM_K_HASH_BUCKETS), &sp->buckets) ||
        !parse_u32(meta_of(m, HSCM_K_WORD_NGRAMS), &sp->word_ngrams) ||
        !parse_u32(meta_of(m, HSCM_K_CHAR_MIN), &sp->char_min) ||
        !parse_u32(meta_of(m, HSCM_K_CHAR_MAX), &sp->char_max) ||
        !parse_u32(meta_of(m, HSCM_K_SKELETONS), &sp->skeletons) ||
        !parse_u32(meta_of(m, HSCM_K_DIM), &m->dim))
        return HSC_E_MODEL_VALUE;
    if (m->dim > HSCM_MAX_DIM || sp->buckets > HSCM_MAX_BUCKETS)
        return HSC_E_MODEL_LIMIT;
    value algos;
    if (m->dim == 0 || hsc__textspec_check(sp) != HSC_OK || stemmer_algos(sp, algos) != HSC_OK ||
        strcmp(algos, meta_of(m, HSCM_K_STEMMER_ALGOS)) != 0 ||
        meta_of(m, HSCM_K_CREATED_BY)[0] == '\0' || meta_of(m, HSCM_K_HS_EDITION)[0] == '\0')
        return HSC_E_MODEL_VALUE;
    return HSC_OK;
}

int hsc__meta_check_labels(const hsc_model *m)
{
    value digits;
    label_digits_range((const char *const *)m->labels, m->n_labels, digits);
    return strcmp(digits, meta_of(m, HSCM_K_CODE_DIGITS)) == 0 ? HSC_OK : HSC_E_MODEL_VALUE;
}

/* The train.* entries as "key=value key=value" (without the prefix). */
static int training_summary(const hsc_model *m, hsc__buf *out)
{
    size_t pl = sizeof HSCM_TRAIN_PREFIX - 1;
    int st = HSC_OK;
    for (size_t i = 0; i < m->n_meta && st == HSC_OK; i++) {
        const hsc__kv *kv = &m->meta[i];
        if (strncmp(kv->key, HSCM_TRAIN_PREFIX, pl) != 0)
            continue;
        if (out->len > 0)
            st = hsc__buf_append_str(&m->alloc, out, " ");
        if (st == HSC_OK)
            st = hsc__buf_append_str(&m->alloc, out, kv->key + pl);
        if (st == HSC_OK)
            st = hsc__buf_append_str(&m->alloc, out, "=");
        if (st == HSC_OK)
            st = hsc__buf_append_str(&m->alloc, out, kv->value);
    }
    return st;
}

int hsc__meta_derive_info(hsc_model *m, uint32_t major, uint32_t minor)
{
    hsc__buf train = {0};
    int st = training_summary(m, &train);
    if (st != HSC_OK) {
        hsc__buf_free(&m->alloc, &train);
        return st;
    }
    /* integer conversions do not depend on the locale */
    char b[HSC__N_INFO][160];
    snprintf(b[HSC_INFO_FORMAT_VERSION - 1], sizeof b[0], "%u.%u", (unsigned)major,
             (unsigned)minor);
    snprintf(b[HSC_INFO_STEMMER - 1], sizeof b[0], "%s (%s)", HSCM_V_STEMMER,
             meta_of(m, HSCM_K_STEMMER_ALGOS));
    snprintf(b[HSC_INFO_TOKENIZER - 1], sizeof b[0], "tokenizer %u, features %u",
             m->spec.tokenizer_version, m->spec.feature_version);
    snprintf(b[HSC_INFO_NORMALIZATION - 1], sizeof b[0], "%s (utf8proc %.64s)",
             meta_of(m, HSCM_K_NORMALIZATION), meta_of(m, HSCM_K_UTF8PROC));
    snprintf(b[HSC_INFO_HASH - 1], sizeof b[0], "%s seed=%u buckets=%u", HSCM_V_HASH,
             m->spec.hash_seed, m->spec.buckets);
    snprintf(b[HSC_INFO_LABELS - 1], sizeof b[0], "%u labels, %s digits", m->n_labels,
             meta_of(m, HSCM_K_CODE_DIGITS));
    snprintf(b[HSC_INFO_FINGERPRINT - 1], sizeof b[0], "%08x", m->fingerprint);
    const char *val[HSC__N_INFO] = {
        [HSC_INFO_FORMAT_VERSION - 1] = b[HSC_INFO_FORMAT_VERSION - 1],
        [HSC_INFO_HS_EDITION - 1] = meta_of(m, HSCM_K_HS_EDITION),
        [HSC_INFO_LANGUAGES - 1] = meta_of(m, HSCM_K_LANGUAGES),
        [HSC_INFO_STEMMER - 1] = b[HSC_INFO_STEMMER - 1],
        [HSC_INFO_TOKENIZER - 1] = b[HSC_INFO_TOKENIZER - 1],
        [HSC_INFO_NORMALIZATION - 1] = b[HSC_INFO_NORMALIZATION - 1],
        [HSC_INFO_HASH - 1] = b[HSC_INFO_HASH - 1],
        [HSC_INFO_TRAINING - 1] = train.data != NULL ? train.data : "",
        [HSC_INFO_LABELS - 1] = b[HSC_INFO_LABELS - 1],
        [HSC_INFO_FINGERPRINT - 1] = b[HSC_INFO_FINGERPRINT - 1],
        [HSC_INFO_CREATED_BY - 1] = meta_of(m, HSCM_K_CREATED_BY),
    };
    for (unsigned i = 0; i < HSC__N_INFO && st == HSC_OK; i++) {
        m->info[i] = hsc__strndup(&m->alloc, val[i], strlen(val[i]));
        if (m->info[i] == NULL)
            st = HSC_E_NOMEM;
    }
    hsc__buf_free(&m->alloc, &train);
    return st;
}

/* config.c - hsc_config: typed option setters with bounds, defaults, copy,
 * and the language table. */
#include <math.h>
#include <string.h>

#include "hsc_internal.h"

/* Config objects themselves always use the C library's allocator: the user
 * allocator set on a config governs the objects created *with* it, and the
 * config must be freed by the allocator that made it. */
static const hsc__alloc libc_alloc = {0};

#define DEFAULT_LANGUAGES "en,fr,pt,es"

typedef struct lang_info {
    uint32_t id;
    const char *code;      /* as in HSC_CFG_LANGUAGES and model META */
    const char *name;      /* also accepted on input */
    const char *snowball;  /* libstemmer algorithm; NULL: no stemming */
} lang_info;

static const lang_info langs[] = {
    {HSC__LANG_NONE, "none", "none", NULL},
    {HSC__LANG_EN, "en", "english", "english"},
    {HSC__LANG_FR, "fr", "french", "french"},
    {HSC__LANG_PT, "pt", "portuguese", "portuguese"},
    {HSC__LANG_ES, "es", "spanish", "spanish"},
};

const char *hsc__lang_name(uint32_t lang)
{
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
        if (langs[i].id == lang)
            return langs[i].code;
    return NULL;
}

const char *hsc__lang_snowball(uint32_t lang)
{
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
        if (langs[i].id == lang)
            return langs[i].snowball;
    return NULL;
}

static int ascii_ieq(const char *a, size_t n, const char *b)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (b[i] == '\0' || c != b[i])
            return 0;
    }
    return b[i] == '\0';
}

static int lang_lookup(const char *s, size_t n, uint32_t *id)
{
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        if (ascii_ieq(s, n, langs[i].code) || ascii_ieq(s, n, langs[i].name)) {
            *id = langs[i].id;
            return 1;
        }
    }
    return 0;
}

/* Comma-separated names, blanks around them allowed. "none" stands alone:
 * it means one pass-through "language" with no stemmer and no stopwords. */
int hsc__parse_languages(const char *s, uint32_t *out_langs, uint32_t *n_langs)
{
    uint32_t ids[HSC__MAX_LANGS];
    uint32_t n = 0;
    int saw_none = 0;

    if (s == NULL || out_langs == NULL || n_langs == NULL)
        return HSC_E_INVALID_ARG;
    for (;;) {
        const char *b, *e;
        uint32_t id;
        while (*s == ' ' || *s == '\t')
            s++;
        b = s;
        while (*s != '\0' && *s != ',')
            s++;
        e = s;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e == b || !lang_lookup(b, (size_t)(e - b), &id))
            return HSC_E_BAD_LANGUAGE;
        for (uint32_t i = 0; i < n; i++)
            if (ids[i] == id)
                return HSC_E_BAD_LANGUAGE;
        if (id == HSC__LANG_NONE)
            saw_none = 1;
        if (n == HSC__MAX_LANGS || (saw_none && n > 0))
            return HSC_E_BAD_LANGUAGE;
        ids[n++] = id;
        if (*s == '\0')
            break;
        s++; /* the comma */
    }
    memcpy(out_langs, ids, n * sizeof ids[0]);
    *n_langs = n;
    return HSC_OK;
}

void hsc__config_defaults(hsc_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->spec.tokenizer_version = HSC__TOKENIZER_VERSION;
    cfg->spec.feature_version = HSC__FEATURE_VERSION;
    cfg->spec.strip_accents = 1;
    cfg->spec.n_langs = 4;
    cfg->spec.langs[0] = HSC__LANG_EN;
    cfg->spec.langs[1] = HSC__LANG_FR;
    cfg->spec.langs[2] = HSC__LANG_PT;
    cfg->spec.langs[3] = HSC__LANG_ES;
    cfg->spec.hash_seed = 0;
    cfg->spec.buckets = 2097152;
    cfg->spec.word_ngrams = 2;
    cfg->spec.char_min = 3;
    cfg->spec.char_max = 5;
    cfg->spec.skeletons = 1;
    cfg->rt.max_text_bytes = 65536;
    cfg->rt.utf8_replace = 0;
    cfg->rt.match_limit = 100000;
    cfg->max_model_bytes = 2147483648u; /* 2 GiB */
    cfg->model_mmap = 0;
    cfg->train.dim = 64;
    cfg->train.epochs = 20;
    cfg->train.learning_rate = 0.5;
    cfg->train.threads = 1;
    cfg->train.seed = 1;
    cfg->train.code_digits = 6;
    cfg->train.valid_fraction = 0.05;
    cfg->train.strict = 0;
    cfg->train.min_count = 1;
    cfg->train.augment = 1;
    cfg->train.precedents = 1;
    cfg->train.keep_texts = 0;
    cfg->train.trade_noise = 0.3;
    cfg->train.rehearsal = 0.3;
    cfg->train.precedent_mix = -1.0;
    cfg->accept_threshold = -1.0;
    cfg->audit_threshold = HSC__AUDIT_THRESHOLD_DEFAULT;
    cfg->languages_str = NULL; /* NULL: DEFAULT_LANGUAGES */
}

const hsc_config *hsc__config_or_defaults(const hsc_config *cfg, hsc_config *defaults)
{
    if (cfg != NULL)
        return cfg;
    hsc__config_defaults(defaults);
    return defaults;
}

hsc_status hsc_config_new(hsc_config **out)
{
    hsc_config *cfg;
    if (out == NULL)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    cfg = hsc__calloc(&libc_alloc, 1, sizeof *cfg);
    if (cfg == NULL)
        return HSC_E_NOMEM;
    hsc__config_defaults(cfg);
    *out = cfg;
    return HSC_OK;
}

hsc_status hsc_config_copy(const hsc_config *cfg, hsc_config **out)
{
    hsc_config *c;
    if (out == NULL)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    if (cfg == NULL)
        return HSC_E_INVALID_ARG;
    c = hsc__calloc(&libc_alloc, 1, sizeof *c);
    if (c == NULL)
        return HSC_E_NOMEM;
    *c = *cfg;
    c->languages_str = NULL;
    if (cfg->languages_str != NULL) {
        c->languages_str = hsc__strndup(&libc_alloc, cfg->languages_str,
                                        strlen(cfg->languages_str));
        if (c->languages_str == NULL) {
            hsc__free(&libc_alloc, c);
            return HSC_E_NOMEM;
        }
    }
    *out = c;
    return HSC_OK;
}

void hsc_config_free(hsc_config *cfg)
{
    if (cfg == NULL)
        return;
    hsc__free(&libc_alloc, cfg->languages_str);
    hsc__free(&libc_alloc, cfg);
}

/* Where a u32 option lives and its accepted range. */
typedef struct u32_opt {
    int32_t key;
    size_t offset;      /* into hsc_config */
    uint32_t min, max;
} u32_opt;

#define OPT(key, field, lo, hi) {key, offsetof(hsc_config, field), lo, hi}

static const u32_opt u32_opts[] = {
    OPT(HSC_CFG_MAX_TEXT_BYTES, rt.max_text_bytes, 1, 1u << 30),
    OPT(HSC_CFG_UTF8_REPLACE, rt.utf8_replace, 0, 1),
    OPT(HSC_CFG_STRIP_ACCENTS, spec.strip_accents, 0, 1),
    OPT(HSC_CFG_MATCH_LIMIT, rt.match_limit, 1, UINT32_MAX),
    OPT(HSC_CFG_MAX_MODEL_BYTES, max_model_bytes, 1, UINT32_MAX),
    OPT(HSC_CFG_MODEL_MMAP, model_mmap, 0, 1),
    OPT(HSC_CFG_BUCKETS, spec.buckets, 1, 1u << 30),
    OPT(HSC_CFG_WORD_NGRAMS, spec.word_ngrams, 1, 2),
    OPT(HSC_CFG_CHAR_NGRAM_MIN, spec.char_min, 0, 16),
    OPT(HSC_CFG_CHAR_NGRAM_MAX, spec.char_max, 0, 16),
    OPT(HSC_CFG_HASH_SEED, spec.hash_seed, 0, UINT32_MAX),
    OPT(HSC_CFG_SKELETONS, spec.skeletons, 0, 1),
    OPT(HSC_CFG_FEATURE_VERSION, spec.feature_version, 1, HSC__FEATURE_VERSION),
    OPT(HSC_CFG_DIM, train.dim, 1, 1024),
    OPT(HSC_CFG_EPOCHS, train.epochs, 1, 10000),
    OPT(HSC_CFG_THREADS, train.threads, 0, 256),
    OPT(HSC_CFG_SEED, train.seed, 0, UINT32_MAX),
    OPT(HSC_CFG_CODE_DIGITS, train.code_digits, 0, 10),
    OPT(HSC_CFG_STRICT, train.strict, 0, 1),
    OPT(HSC_CFG_MIN_COUNT, train.min_count, 1, UINT32_MAX),
    OPT(HSC_CFG_AUGMENT, train.augment, 0, 1),
    OPT(HSC_CFG_MAX_ROWS, train.max_rows, 0, UINT32_MAX),
    OPT(HSC_CFG_PRECEDENTS, train.precedents, 0, 1),
    OPT(HSC_CFG_KEEP_PRECEDENT_TEXTS, train.keep_texts, 0, 1),
    OPT(HSC_CFG_PRECEDENTS_PER_CODE, train.precedents_per_code, 0, UINT32_MAX),
};

static const u32_opt *find_u32(int32_t key)
{
    for (size_t i = 0; i < sizeof u32_opts / sizeof u32_opts[0]; i++)
        if (u32_opts[i].key == key)
            return &u32_opts[i];
    return NULL;
}

hsc_status hsc_config_set_u32(hsc_config *cfg, int32_t key, uint32_t value)
{
    const u32_opt *o;
    if (cfg == NULL)
        return HSC_E_INVALID_ARG;
    o = find_u32(key);
    if (o == NULL)
        return HSC_E_UNSUPPORTED;
    if (value < o->min || value > o->max)
        return HSC_E_INVALID_ARG;
    /* Labels are truncated to a level of the HS tree. */
    if (key == HSC_CFG_CODE_DIGITS && value % 2 != 0)
        return HSC_E_INVALID_ARG;
    memcpy((char *)cfg + o->offset, &value, sizeof value);
    return HSC_OK;
}

hsc_status hsc_config_get_u32(const hsc_config *cfg, int32_t key, uint32_t *out)
{
    const u32_opt *o;
    if (cfg == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    o = find_u32(key);
    if (o == NULL)
        return HSC_E_UNSUPPORTED;
    memcpy(out, (const char *)cfg + o->offset, sizeof *out);
    return HSC_OK;
}

hsc_status hsc_config_set_f64(hsc_config *cfg, int32_t key, double value)
{
    if (cfg == NULL)
        return HSC_E_INVALID_ARG;
    switch (key) {
    case HSC_CFG_LEARNING_RATE:
        if (!isfinite(value) || value <= 0.0 || value > 100.0)
            return HSC_E_INVALID_ARG;
        cfg->train.learning_rate = value;
        return HSC_OK;
    case HSC_CFG_VALID_FRACTION:
        if (!isfinite(value) || value < 0.0 || value > 0.5)
            return HSC_E_INVALID_ARG;
        cfg->train.valid_fraction = value;
        return HSC_OK;
    case HSC_CFG_TRADE_NOISE:
        if (!isfinite(value) || value < 0.0 || value > 1.0)
            return HSC_E_INVALID_ARG;
        cfg->train.trade_noise = value;
        return HSC_OK;
    case HSC_CFG_REHEARSAL:
        if (!(value >= 0.0 && value <= 100.0))
            return HSC_E_INVALID_ARG;
        cfg->train.rehearsal = value;
        return HSC_OK;
    case HSC_CFG_PRECEDENT_MIX:
        /* Any negative value restores "fitted". */
        if (isnan(value) || value >= 1.0)
            return HSC_E_INVALID_ARG;
        cfg->train.precedent_mix = value < 0.0 ? -1.0 : value;
        return HSC_OK;
    case HSC_CFG_ACCEPT_THRESHOLD:
        /* Any negative value restores "the model's threshold". */
        if (isnan(value) || value > 1.0)
            return HSC_E_INVALID_ARG;
        cfg->accept_threshold = value < 0.0 ? -1.0 : value;
        return HSC_OK;
    case HSC_CFG_AUDIT_THRESHOLD:
        if (!(value >= 0.0 && value <= 1.0))
            return HSC_E_INVALID_ARG;
        cfg->audit_threshold = value;
        return HSC_OK;
    default:
        return HSC_E_UNSUPPORTED;
    }
}

hsc_status hsc_config_get_f64(const hsc_config *cfg, int32_t key, double *out)
{
    if (cfg == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    switch (key) {
    case HSC_CFG_LEARNING_RATE:
        *out = cfg->train.learning_rate;
        return HSC_OK;
    case HSC_CFG_VALID_FRACTION:
        *out = cfg->train.valid_fraction;
        return HSC_OK;
    case HSC_CFG_TRADE_NOISE:
        *out = cfg->train.trade_noise;
        return HSC_OK;
    case HSC_CFG_REHEARSAL:
        *out = cfg->train.rehearsal;
        return HSC_OK;
    case HSC_CFG_PRECEDENT_MIX:
        *out = cfg->train.precedent_mix;
        return HSC_OK;
    case HSC_CFG_ACCEPT_THRESHOLD:
        *out = cfg->accept_threshold;
        return HSC_OK;
    case HSC_CFG_AUDIT_THRESHOLD:
        *out = cfg->audit_threshold;
        return HSC_OK;
    default:
        return HSC_E_UNSUPPORTED;
    }
}

/* A label such as "HS2022": printable ASCII keeps META readable anywhere. */
static hsc_status set_edition(hsc_config *cfg, const char *value)
{
    size_t n = strlen(value);
    if (n == 0 || n >= sizeof cfg->hs_edition)
        return HSC_E_INVALID_ARG;
    for (size_t i = 0; i < n; i++)
        if (value[i] < 0x20 || value[i] > 0x7e)
            return HSC_E_INVALID_ARG;
    memcpy(cfg->hs_edition, value, n + 1);
    return HSC_OK;
}

hsc_status hsc_config_set_str(hsc_config *cfg, int32_t key, const char *value)
{
    uint32_t ids[HSC__MAX_LANGS], n = 0;
    char canon[64];
    size_t len = 0;
    char *copy;
    int st;

    if (cfg == NULL || value == NULL)
        return HSC_E_INVALID_ARG;
    if (key == HSC_CFG_HS_EDITION)
        return set_edition(cfg, value);
    if (key != HSC_CFG_LANGUAGES)
        return HSC_E_UNSUPPORTED;
    st = hsc__parse_languages(value, ids, &n);
    if (st != HSC_OK)
        return st;
    /* Store the canonical spelling ("English, FR" -> "en,fr"). */
    for (uint32_t i = 0; i < n; i++) {
        const char *name = hsc__lang_name(ids[i]);
        size_t k = strlen(name);
        if (i > 0)
            canon[len++] = ',';
        memcpy(canon + len, name, k);
        len += k;
    }
    copy = hsc__strndup(&libc_alloc, canon, len);
    if (copy == NULL)
        return HSC_E_NOMEM;
    hsc__free(&libc_alloc, cfg->languages_str);
    cfg->languages_str = copy;
    memcpy(cfg->spec.langs, ids, sizeof ids);
    cfg->spec.n_langs = n;
    return HSC_OK;
}

hsc_status hsc_config_get_str(const hsc_config *cfg, int32_t key, const char **out)
{
    if (cfg == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    if (key == HSC_CFG_HS_EDITION) {
        *out = cfg->hs_edition[0] ? cfg->hs_edition : "unspecified";
        return HSC_OK;
    }
    if (key != HSC_CFG_LANGUAGES)
        return HSC_E_UNSUPPORTED;
    *out = cfg->languages_str != NULL ? cfg->languages_str : DEFAULT_LANGUAGES;
    return HSC_OK;
}

hsc_status hsc_config_set_allocator(hsc_config *cfg, hsc_calloc_fn calloc_fn,
                                    hsc_realloc_fn realloc_fn, hsc_free_fn free_fn, void *user)
{
    if (cfg == NULL)
        return HSC_E_INVALID_ARG;
    if (calloc_fn == NULL && realloc_fn == NULL && free_fn == NULL) {
        memset(&cfg->alloc, 0, sizeof cfg->alloc);
        return HSC_OK;
    }
    if (calloc_fn == NULL || realloc_fn == NULL || free_fn == NULL)
        return HSC_E_INVALID_ARG;
    cfg->alloc.calloc_fn = calloc_fn;
    cfg->alloc.realloc_fn = realloc_fn;
    cfg->alloc.free_fn = free_fn;
    cfg->alloc.user = user;
    return HSC_OK;
}

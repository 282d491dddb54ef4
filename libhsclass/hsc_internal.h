/* hsc_internal.h - private types and helpers shared by the library's modules.
 * Nothing here is exported: internal functions are hsc__* and hidden. */
#ifndef HSC_INTERNAL_H
#define HSC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "hsclass.h"

/* ---- allocation (alloc.c) --------------------------------------------- */

typedef struct hsc__alloc {
    hsc_calloc_fn calloc_fn;   /* NULL: the C library's */
    hsc_realloc_fn realloc_fn;
    hsc_free_fn free_fn;
    void *user;
} hsc__alloc;

void *hsc__calloc(const hsc__alloc *a, size_t n, size_t size);   /* NULL on overflow */
void *hsc__realloc(const hsc__alloc *a, void *p, size_t size);
void *hsc__realloc_array(const hsc__alloc *a, void *p, size_t n, size_t size);
/* Room for at least need elements of size bytes in array p of *cap elements,
 * the capacity doubling from first: returns the (maybe moved) array and sets
 * *cap, or NULL (p and *cap untouched) when out of memory. */
void *hsc__grow_array(const hsc__alloc *a, void *p, size_t *cap, size_t need, size_t size,
                      size_t first);
void hsc__free(const hsc__alloc *a, void *p);
char *hsc__strndup(const hsc__alloc *a, const char *s, size_t len);
/* size zeroed bytes for a large table (huge pages where possible); freed
 * by hsc__free_big with the same allocator and size. */
void *hsc__calloc_big(const hsc__alloc *a, size_t size);
void hsc__free_big(const hsc__alloc *a, void *p, size_t size);
/* zlib's memory hooks, opaque = the hsc__alloc (zlib wants a calloc). */
void *hsc__zalloc(void *opaque, unsigned items, unsigned size);
void hsc__zfree(void *opaque, void *p);

/* Growable byte buffer; always NUL-terminated when data != NULL. */
typedef struct hsc__buf {
    char *data;
    size_t len, cap;
} hsc__buf;

int hsc__buf_reserve(const hsc__alloc *a, hsc__buf *b, size_t extra);     /* HSC_E_NOMEM */
int hsc__buf_append(const hsc__alloc *a, hsc__buf *b, const void *p, size_t n);
int hsc__buf_append_str(const hsc__alloc *a, hsc__buf *b, const char *s);
void hsc__buf_free(const hsc__alloc *a, hsc__buf *b);

/* ---- configuration (config.c) ----------------------------------------- */

#define HSC__MAX_LANGS 4

/* Language ids, recorded in models: never renumber. */
enum {
    HSC__LANG_NONE = 0,
    HSC__LANG_EN = 1,
    HSC__LANG_FR = 2,
    HSC__LANG_PT = 3,
    HSC__LANG_ES = 4,
    HSC__LANG_COUNT
};

/* Everything that decides how text becomes features. Recorded in the model's
 * META section so classification reproduces training exactly. */
typedef struct hsc__textspec {
    uint32_t tokenizer_version; /* HSC__TOKENIZER_VERSION at training time */
    uint32_t feature_version;   /* 1, or 2: also HEAD features (analyzer.c) */
    uint32_t strip_accents;     /* 0/1 */
    uint32_t n_langs;
    uint32_t langs[HSC__MAX_LANGS];
    uint32_t hash_seed;
    uint32_t buckets;
    uint32_t word_ngrams;       /* 1 or 2 */
    uint32_t char_min, char_max;/* 0 disables character n-grams */
    uint32_t skeletons;         /* 0/1 */
} hsc__textspec;

/* Options that only govern one call, never recorded in a model. */
typedef struct hsc__runtime {
    uint32_t max_text_bytes;
    uint32_t utf8_replace;
    uint32_t match_limit;
} hsc__runtime;

typedef struct hsc__trainopts {
    uint32_t dim, epochs, threads, seed, code_digits, strict, min_count, augment, max_rows;
    uint32_t precedents, keep_texts, precedents_per_code;
    double learning_rate, valid_fraction, trade_noise;
    double rehearsal;          /* adapting: weight of the base's descriptions learnt again */
    double precedent_mix;      /* < 0: fitted on the held-out rows */
} hsc__trainopts;

struct hsc_config {
    hsc__alloc alloc;
    hsc__textspec spec;
    hsc__runtime rt;
    hsc__trainopts train;
    double accept_threshold;   /* < 0: the model's default */
    double audit_threshold;    /* hsc_session_audit's */
    uint32_t max_model_bytes;  /* largest model file read */
    uint32_t model_mmap;       /* 1: map model files instead of reading them */
    char *languages_str;       /* as set, for get_str */
    char hs_edition[32];       /* "" until set */
};

/* HSC_CFG_AUDIT_THRESHOLD's default: the probability under which the
 * shipped model's held-out correct lines fall 10% of the time (fitted by
 * bench/audit.py; refit it when the default model changes). */
#define HSC__AUDIT_THRESHOLD_DEFAULT 0.0085

/* Defaults without allocating (for NULL configs). */
void hsc__config_defaults(hsc_config *cfg);
/* cfg, or the defaults written into *defaults when cfg is NULL. */
const hsc_config *hsc__config_or_defaults(const hsc_config *cfg, hsc_config *defaults);
/* "en,fr" -> ids; HSC_E_BAD_LANGUAGE on unknown names or duplicates. */
int hsc__parse_languages(const char *s, uint32_t *langs, uint32_t *n_langs);
const char *hsc__lang_name(uint32_t lang);        /* "en", ...; NULL if unknown */
const char *hsc__lang_snowball(uint32_t lang);    /* "english", ...; NULL for none */

/* ---- UTF-8 (utf8.c) ---------------------------------------------------- */

/* Validate; on error *bad_offset = first bad byte. Returns HSC_OK or
 * HSC_E_BAD_UTF8. Rejects overlongs, surrogates, > U+10FFFF. */
int hsc__utf8_validate(const char *s, size_t len, size_t *bad_offset);
/* Copy s into out replacing invalid sequences by U+FFFD. */
int hsc__utf8_repair(const hsc__alloc *a, const char *s, size_t len, hsc__buf *out);

/* ---- the text pipeline (normalize.c, tokenize.c, stem.c, stopwords.c,
 *      features.c, analyzer.c) ---------------------------------------- */

#define HSC__TOKENIZER_VERSION 1u
#define HSC__FEATURE_VERSION 2u /* the newest: 2 adds the head features */

/* One token as the analyzer gives it back (the analyzer keeps its tokens
 * packed, a few bytes each: a text may have a token per two bytes). */
typedef struct hsc__token {
    uint32_t src_off, src_len;   /* span in the caller's text (bytes) */
    uint32_t norm_off, norm_len; /* normalized text in the analyzer's pool, NUL-terminated */
    uint32_t stems_off;          /* its '|'-joined distinct stems in the pool (hsc__token_stems) */
    uint8_t type;                /* HSC_TOKEN_* */
    uint8_t flags;               /* HSC_TOKEN_FLAG_* */
    uint8_t n_stems;             /* at most HSC__MAX_LANGS */
    uint8_t phrase_break;        /* punctuation (, ; : brackets) between it and the previous token */
    uint8_t unit_len;            /* QUANTITY: bytes of the canonical unit that ends its text */
} hsc__token;

/* The token's '|'-joined distinct stems, NUL-terminated ("" when none). */
static inline const char *hsc__token_stems(const char *pool, const hsc__token *t)
{
    return pool + t->stems_off;
}

/* Walks the tokens in order from any index (hsc__analyzer_seek/_next). */
typedef struct hsc__tok_iter {
    size_t i;                    /* index of the next token */
    size_t pos;                  /* its place in the packed stream */
    uint32_t prev_src;           /* src_off of the token before it */
} hsc__tok_iter;

typedef struct hsc__feature {
    uint32_t bucket;   /* hash % buckets */
    uint32_t token;    /* index of the first token it came from (explanations) */
    uint32_t key;      /* precedent-memory key of a stem or stem pair; 0: none */
} hsc__feature;

/* Receives one feature; a status other than HSC_OK stops the walk. */
typedef int (*hsc__feature_fn)(void *user, const hsc__feature *f);

typedef struct hsc__analyzer hsc__analyzer;  /* defined in analyzer.c */

/* Create an analyzer for a textspec; owns PCRE2 code and match data,
 * stemmers and buffers. Not thread-safe: one per session / thread. */
int hsc__analyzer_new(const hsc__alloc *a, const hsc__textspec *spec, const hsc__runtime *rt,
                      hsc__analyzer **out);
void hsc__analyzer_free(hsc__analyzer *an);
void hsc__analyzer_set_runtime(hsc__analyzer *an, const hsc__runtime *rt);

/* Normalize, tokenize, stem and featurize text. Results stay valid until
 * the next call. Errors: HSC_E_BAD_UTF8, HSC_E_TEXT_TOO_LONG,
 * HSC_E_REGEX_LIMIT, HSC_E_NOMEM. */
int hsc__analyze(hsc__analyzer *an, const char *text, size_t len);
size_t hsc__analyzer_token_count(const hsc__analyzer *an);
/* Token i (< the count): a few dozen steps; walk them with seek/next. */
hsc__token hsc__analyzer_token(const hsc__analyzer *an, size_t i);
void hsc__analyzer_seek(const hsc__analyzer *an, size_t i, hsc__tok_iter *it);
/* 1 and the next token into *t, 0 at the end. */
int hsc__analyzer_next(const hsc__analyzer *an, hsc__tok_iter *it, hsc__token *t);
const char *hsc__analyzer_pool(const hsc__analyzer *an);
/* The features of the last text, kept by hsc__analyze (the default: the
 * trainer's short rows); none are kept after hsc__analyzer_keep_features(an, 0). */
size_t hsc__analyzer_feature_count(const hsc__analyzer *an);
const hsc__feature *hsc__analyzer_features(const hsc__analyzer *an);
void hsc__analyzer_keep_features(hsc__analyzer *an, int keep);
/* Bytes of a long text normalized at a time (default 16 KiB; tests compare
 * other sizes with SIZE_MAX, a text in one piece). */
void hsc__analyzer_set_window(hsc__analyzer *an, size_t bytes);
/* The memo of short words' character n-grams (on by default; tests
 * compare it off: the features are the same). */
void hsc__analyzer_gram_memo(hsc__analyzer *an, int on);
/* The features of the last text made again from its tokens, one by one in
 * their fixed order (the order of hsc__analyzer_features): a session walks
 * them instead of keeping ~18 per token of a long text. */
int hsc__analyzer_each_feature(hsc__analyzer *an, hsc__feature_fn fn, void *user);
/* Detail for the last error, e.g. "invalid UTF-8 at byte 12". */
const char *hsc__analyzer_error_detail(const hsc__analyzer *an);

/* A word that names no goods on its own: generic ("goods", "pieces",
 * "spare") or packaging ("sacs", "ctns", "pallet"), en/fr/pt/es, given
 * normalized (stopwords.c). */
int hsc__generic_word(const char *norm, size_t len);

/* The frozen feature hash (part of the model format; golden-tested):
 * 64-bit FNV-1a over the seed's 4 little-endian bytes, then the kind byte,
 * then the feature bytes. */
uint64_t hsc__hash(uint32_t seed, uint8_t kind, const void *data, size_t len);

/* Feature kinds (hash domain separation): never renumber. */
enum {
    HSC__FK_WORD = 1,      /* stem */
    HSC__FK_BIGRAM = 2,    /* stem1 ' ' stem2 */
    HSC__FK_CHARGRAM = 3,  /* character n-gram of "<word>" */
    HSC__FK_SKELETON = 4,  /* consonant skeleton, full and 4-prefix */
    HSC__FK_CLASS = 5,     /* number / quantity / code classes */
    HSC__FK_HEAD = 6,      /* stem of a word of the head phrase (feature version 2) */
};

/* ---- HS tree (tree.c) --------------------------------------------------- */

/* The output layer follows the code tree built from the sorted label list:
 * root -> 2 digits -> 4 -> 6 -> 8 -> 10 (levels present in the labels). A
 * node whose code is also a label prefix of another label gets the label
 * as a separate leaf child. Deterministic from the labels alone. */
typedef struct hsc__node {
    uint32_t parent;       /* UINT32_MAX for the root */
    uint32_t first_child;  /* children are contiguous */
    uint32_t n_children;
    uint32_t digits;       /* code length of this node (0 for the root) */
    uint32_t label;        /* label index for leaves, UINT32_MAX otherwise */
    uint32_t code_off;     /* code string (prefix of a label) in the label pool */
} hsc__node;

typedef struct hsc__tree {
    uint32_t n_nodes;      /* node 0 is the root */
    hsc__node *nodes;
    uint32_t *label_leaf;  /* label index -> leaf node */
    uint32_t n_levels;     /* distinct digit counts below the root */
    uint32_t level_digits[8];
} hsc__tree;

/* labels: sorted unique digit strings. */
int hsc__tree_build(const hsc__alloc *a, const char *const *labels, uint32_t n_labels,
                    hsc__tree *out);
void hsc__tree_free(const hsc__alloc *a, hsc__tree *t);

/* ---- evaluation (eval.c) -------------------------------------------------- */

/* hsc_eval_new with an allocator (for the trainer's held-out rows). */
int hsc__eval_new(const hsc__alloc *a, hsc_eval **out);

/* ---- numbers (numfmt.c) -------------------------------------------------- */

/* printf's "%.*g" (sig 1..17 significant digits) as the C locale writes it,
 * in any process locale. Writes at most cap bytes with the NUL; returns
 * the full length, as snprintf. */
size_t hsc__format_number(char *buf, size_t cap, double v, int sig);

/* ---- file helpers (fileio.c) ------------------------------------------- */

/* The whole file (or device, or pipe) into out; HSC_E_IO, HSC_E_NOMEM, or
 * HSC_E_MODEL_LIMIT past max bytes. Never blocks on open (FIFOs). */
int hsc__read_file(const hsc__alloc *a, const char *path, size_t max, hsc__buf *out);
/* A file read line by line in chunks: memory holds one chunk and the
 * longest line, whatever the file's size (training files of millions of
 * rows). */
typedef struct hsc__line_reader {
    hsc__alloc alloc;
    int fd;
    int eof;
    hsc__buf buf;      /* data read, not yet returned from pos on */
    size_t pos;
    uint64_t bytes;    /* read from the file so far (progress) */
    uint64_t size;     /* a regular file's size when opened; 0 for a pipe or device */
} hsc__line_reader;
/* HSC_E_IO when the path cannot be opened for reading (never blocks). */
int hsc__lines_open(hsc__line_reader *r, const hsc__alloc *a, const char *path);
/* The next line, without its '\n' (a '\r' before it is kept), valid until
 * the next call: HSC_OK, HSC_E_NO_DATA at the end, HSC_E_IO, HSC_E_NOMEM. */
int hsc__lines_next(hsc__line_reader *r, const char **line, size_t *len);
void hsc__lines_close(hsc__line_reader *r);
/* Write through a temporary sibling and rename. Only a regular file (or
 * the regular target of a symbolic link) is replaced: any other existing
 * path gives HSC_E_IO. The file gets 0666 less the process umask. */
int hsc__write_file_atomic(const char *path, const void *data, size_t len);
/* The same written piece by piece (a file larger than one buffer):
 * open, write any number of times, then always commit: it syncs and
 * renames, or, after a failed write, fails and removes the temporary
 * file. */
typedef struct hsc__atomic_file {
    int fd;
    int st;            /* first failure */
    char *tmp, *target;
} hsc__atomic_file;
int hsc__atomic_open(hsc__atomic_file *f, const char *path);
int hsc__atomic_write(hsc__atomic_file *f, const void *data, size_t len);
int hsc__atomic_commit(hsc__atomic_file *f);
/* HSC_OK when hsc__write_file_atomic(path) could create its file now. */
int hsc__write_check(const char *path);
/* hsc__atomic_open with the one temporary name TARGET.partial (a
 * checkpoint's), so that what a killed write leaves is found again: a
 * file of that name is taken over (emptied and written) only when it is
 * what such a write leaves, a regular file with one link whose bytes
 * start with magic (or are a prefix of it: none yet), not being written
 * by another process; anything else there is never touched (HSC_E_IO).
 * The check: HSC_OK when it could be opened now (a file created for the
 * check is removed, a leftover stays). */
int hsc__atomic_open_partial(hsc__atomic_file *f, const char *path, const char *magic,
                             size_t magic_len);
int hsc__write_check_partial(const char *path, const char *magic, size_t magic_len);

#endif /* HSC_INTERNAL_H */

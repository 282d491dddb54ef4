/* text.h - private interfaces between the text pipeline modules
 * (utf8.c, normalize.c, tokenize.c, stem.c, stopwords.c, features.c,
 * analyzer.c). Only analyzer.c's hsc__analyzer is seen by the rest of the
 * library, through hsc_internal.h. */
#ifndef HSC_TEXT_H
#define HSC_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "hsc_internal.h"

/* ---- UTF-8 helpers (utf8.c) ---------------------------------------------- */

/* Decode one code point of *valid* UTF-8 at s[*i], advancing *i. */
uint32_t hsc__utf8_next(const char *s, size_t *i);
/* Decode one code point at s[*i] (*i < len), advancing *i; an invalid
 * sequence gives U+FFFD and skips its maximal invalid subpart. */
uint32_t hsc__utf8_decode_repair(const char *s, size_t len, size_t *i);
/* Encode cp (<= 0x10FFFF) into out (4 bytes room); returns the length. */
size_t hsc__utf8_encode(uint32_t cp, char *out);
/* Number of code points in valid UTF-8. */
size_t hsc__utf8_count(const char *s, size_t len);

/* ---- normalization (normalize.c) ----------------------------------------- */

/* NFKC + case folding (+ accent stripping) of UTF-8 (invalid sequences
 * become U+FFFD: validate first to reject them), with a map back to the
 * source: map[i] is the source offset of the segment that produced
 * normalized byte i; map[len] is the source length. The map takes about a
 * byte per byte: step[i] = map[i] - map[i - 1] (map[-1] = 0), or FAR for a
 * step of 255 or more, whose value is in far; and map[i] itself at every
 * 64th byte. Buffers are reused between calls. */
typedef struct hsc__norm {
    hsc__buf text;        /* normalized UTF-8, NUL-terminated */
    uint8_t *step;        /* text.len + 1 entries */
    uint32_t *mark;       /* map[64 k] */
    size_t map_cap;       /* entries of step (of mark: map_cap / 64 + 1) */
    uint32_t *far;        /* (i, map[i]) of the FAR steps, by i */
    size_t n_far, far_cap;   /* pairs */
    uint32_t last;        /* the last map entry written */
    uint32_t end_prev;    /* the one before the end entry (map[len]) */
    int byte_at_a_time;   /* tests: ASCII runs folded byte by byte, as before */
} hsc__norm;

int hsc__normalize(const hsc__alloc *a, const char *s, size_t len, uint32_t strip_accents,
                   hsc__norm *out);
/* A long text is normalized a window at a time. A window may end at a cut:
 * the first offset >= from (or len) where a segment starts (an ASCII byte,
 * or a code point whose decomposition starts with a starter), as what comes
 * before it never changes what comes after. hsc__norm_add appends the
 * normalized s[from, len) (from and len: cuts) to what out holds, so that
 * adding [a, b) then [b, c) is adding [a, c); map values stay offsets in s.
 * hsc__norm_reset empties out. */
size_t hsc__norm_cut(const char *s, size_t len, size_t from);
void hsc__norm_reset(hsc__norm *out);
int hsc__norm_add(const hsc__alloc *a, const char *s, size_t from, size_t len,
                  uint32_t strip_accents, hsc__norm *out);
/* map[i], and the first byte of the segment that holds normalized byte i:
 * normalizing again from that segment's source gives the same bytes from
 * there on. */
size_t hsc__norm_src(const hsc__norm *n, size_t i);
size_t hsc__norm_seg_start(const hsc__norm *n, size_t i);
void hsc__norm_free(const hsc__alloc *a, hsc__norm *n);
/* Source span [*off, *off + *len) of the normalized bytes [b, e). */
void hsc__norm_span(const hsc__norm *n, size_t b, size_t e, size_t *off, size_t *len);

/* ---- tokenizer (tokenize.c) ---------------------------------------------- */

/* Raw match kinds; chunks are split into WORD/ALNUM/NUMBER by the analyzer. */
enum { HSC__M_CODE = 1, HSC__M_QTY = 2, HSC__M_NUM = 3, HSC__M_CHUNK = 4 };

typedef struct hsc__match {
    uint32_t kind;         /* HSC__M_* */
    size_t begin, end;     /* bytes in the normalized text */
    size_t unit_begin, unit_end; /* HSC__M_QTY: the unit */
} hsc__match;

typedef struct hsc__tokenizer hsc__tokenizer;

int hsc__tokenizer_new(const hsc__alloc *a, uint32_t match_limit, hsc__tokenizer **out);
void hsc__tokenizer_free(hsc__tokenizer *tk);
void hsc__tokenizer_set_limit(hsc__tokenizer *tk, uint32_t match_limit);
/* Next match at or after start. Returns HSC_OK with *found = 0 at the end,
 * HSC_E_REGEX_LIMIT, HSC_E_NOMEM or HSC_E_INTERNAL. A plain ASCII word
 * (letters first, then letters and digits, not joined to more) is found
 * without the regex engine, so it never meets the match limit. */
int hsc__tokenizer_next(hsc__tokenizer *tk, const char *s, size_t len, size_t start,
                        hsc__match *m, int *found);
/* on: every match through the regex engine (tests compare the two paths). */
void hsc__tokenizer_regex_only(hsc__tokenizer *tk, int on);

/* Units known to the quantity pattern. */
typedef struct hsc__unit {
    const char *spelling;  /* normalized (lowercase, unaccented) */
    const char *canon;     /* "kg", "l", "m", "%", ... */
    const char *family;    /* "mass", "vol", "len", ... ; NULL: no magnitude */
    double to_base;        /* factor to the family's base unit */
    uint32_t spaced;       /* 1: may follow the number after a space */
} hsc__unit;

const hsc__unit *hsc__unit_find(const char *s, size_t len);

/* ---- stemming (stem.c) ----------------------------------------------------- */

typedef struct hsc__stemmers {
    uint32_t n;
    struct sb_stemmer *st[HSC__MAX_LANGS];
} hsc__stemmers;

int hsc__stemmers_init(const hsc__textspec *spec, hsc__stemmers *out);   /* HSC_E_NOMEM */
void hsc__stemmers_free(hsc__stemmers *s);
/* Stem word with stemmer i; *out borrowed until the next call on it.
 * Stemmer-less languages ("none") return the word itself. */
int hsc__stem(hsc__stemmers *s, uint32_t i, const char *word, size_t len, const char **out,
              size_t *out_len);

/* Per-analyzer memo of word -> '|'-joined distinct stems. */
#define HSC__STEM_CACHE_SLOTS 16384u  /* power of two; 1 MiB */
#define HSC__STEM_CACHE_BYTES 60      /* word + stems per slot */
typedef struct hsc__stem_cache {
    struct hsc__stem_slot *slots;
} hsc__stem_cache;

int hsc__stem_cache_init(const hsc__alloc *a, hsc__stem_cache *c);
void hsc__stem_cache_free(const hsc__alloc *a, hsc__stem_cache *c);
/* 1 and the cached stems (borrowed until the next put) on a hit. */
int hsc__stem_cache_get(const hsc__stem_cache *c, const char *w, size_t len, const char **stems,
                        size_t *slen, uint32_t *n_stems);
void hsc__stem_cache_put(hsc__stem_cache *c, const char *w, size_t len, const char *stems,
                         size_t slen, uint32_t n_stems);

/* ---- stopwords (stopwords.c) ------------------------------------------------ */

/* A small immutable string set (open addressing) built at analyzer creation. */
typedef struct hsc__wordset {
    uint32_t cap;          /* power of two, 0 when empty */
    uint32_t *slots;       /* offset + 1 into pool, 0 empty */
    hsc__buf pool;         /* NUL-separated words */
} hsc__wordset;

/* Stopwords of the languages in spec, normalized like text. */
int hsc__stopwords_build(const hsc__alloc *a, const hsc__textspec *spec, hsc__wordset *out);
int hsc__wordset_has(const hsc__wordset *ws, const char *s, size_t len);
void hsc__wordset_free(const hsc__alloc *a, hsc__wordset *ws);
/* The raw list for a language (NULL-terminated), for tests and docs. */
const char *const *hsc__stopword_list(uint32_t lang);

/* ---- features (features.c) ---------------------------------------------------- */

/* Each feature goes to emit(user, f) as it is made, in the order that is
 * part of the results (sums of rows in float); a status other than HSC_OK
 * stops the extraction and is returned. */
/* A memo of the character n-grams' buckets of short words (features.c):
 * words recur from text to text, and their n-grams are a pure function of
 * the word and the spec. Direct-mapped; an entry holds one word. */
#define HSC__GRAM_MEMO_SLOTS 4096u   /* power of two */
#define HSC__GRAM_MEMO_WORD 16u      /* bytes of the longest word kept */
#define HSC__GRAM_MEMO_GRAMS (3u * HSC__GRAM_MEMO_WORD)

typedef struct hsc__gram_entry {
    uint8_t len;           /* 0: free */
    uint8_t n;             /* buckets */
    char word[HSC__GRAM_MEMO_WORD];
    uint32_t bucket[HSC__GRAM_MEMO_GRAMS];
} hsc__gram_entry;

typedef struct hsc__featurizer {
    const hsc__alloc *alloc;
    const hsc__textspec *spec;
    hsc__feature_fn emit;
    void *user;
    hsc__buf *scratch;     /* reused for long words */
    hsc__gram_entry *grams;   /* HSC__GRAM_MEMO_SLOTS entries, or NULL: no memo */
    uint32_t mod_buckets;  /* the spec's buckets when mod_magic was made (0: not yet) */
    uint64_t mod_magic;    /* hsc__mod_magic(mod_buckets) */
} hsc__featurizer;

/* h % d without a division (a 64-bit divide costs tens of cycles, and a
 * text has hundreds of features): magic = hsc__mod_magic(d), d > 0. */
uint64_t hsc__mod_magic(uint32_t d);
uint32_t hsc__mod_fast(uint64_t h, uint32_t d, uint64_t magic);

int hsc__feat_add(hsc__featurizer *fz, uint8_t kind, const char *s, size_t len, uint32_t token);
/* WORD feature of a word's stem; stems and stem pairs (bigrams) also
 * carry a precedent-memory key. */
int hsc__feat_stem(hsc__featurizer *fz, const char *s, size_t len, uint32_t token);
/* BIGRAM feature of "a b". */
int hsc__feat_bigram(hsc__featurizer *fz, const char *a, size_t alen, const char *b,
                     size_t blen, uint32_t token);
/* Word: character n-grams of "<word>" and its skeleton (stems are added
 * with hsc__feat_add by the caller). */
int hsc__feat_chargrams(hsc__featurizer *fz, const char *w, size_t len, uint32_t token);
int hsc__feat_skeleton(hsc__featurizer *fz, const char *w, size_t len, uint32_t token);
/* Consonant skeleton of an ASCII a-z word into out (len + 1 bytes); 0 when
 * the word is not plain Latin. */
size_t hsc__skeleton(const char *w, size_t len, char *out);
/* Class features of non-word tokens. */
int hsc__feat_number(hsc__featurizer *fz, const char *norm, size_t len, uint32_t token);
int hsc__feat_quantity(hsc__featurizer *fz, const char *norm, size_t len, size_t unit_off,
                       uint32_t token);
int hsc__feat_code(hsc__featurizer *fz, const char *digits, size_t len, uint32_t token);
int hsc__feat_alnum(hsc__featurizer *fz, const char *norm, size_t len, uint32_t token);

/* Canonical number text into out (>= len bytes): thousands separators
 * dropped, decimal comma -> dot ("1.000,5" -> "1000.5"). Returns length. */
size_t hsc__number_canon(const char *s, size_t len, char *out);
/* Value of a normalized number ("3.5", "1000"); 0 when it does not parse. */
double hsc__number_value(const char *s, size_t len);

#endif /* HSC_TEXT_H */

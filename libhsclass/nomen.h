/* nomen.h - the nomenclature a model carries: code descriptions per language
 * (NOMN section) and national tariff lines (NATL section), their checks,
 * and the lookups inference needs (nomen.c); their section payloads
 * (nomen_codec.c). The trainer fills them with nomen_builder.h. Private. */
#ifndef HSC_NOMEN_H
#define HSC_NOMEN_H

#include "hsc_internal.h"

#define HSC__NOMEN_MAX_LANGS 8u
#define HSC__NOMEN_MAX_CODES (1u << 20)
#define HSC__NOMEN_MAX_TEXT 4096u      /* bytes per description */
#define HSC__NATL_MAX_SCHEMES 8u
#define HSC__NATL_MIN_DIGITS 4u
#define HSC__NAME_CAP 32u              /* scheme names: 1..31 of [A-Za-z0-9._-] */
#define HSC__LANG_CAP 12u              /* language tags: 2..8 of [a-z] */

/* Code descriptions. Codes sorted ascending (strcmp), so the codes below a
 * prefix form one contiguous range right after it. All strings live in pool,
 * NUL-terminated; text[i * n_langs + l] is "" when code i has no text in
 * language l. */
typedef struct hsc__nomen {
    uint32_t n_langs;
    char langs[HSC__NOMEN_MAX_LANGS][HSC__LANG_CAP];
    char langs_str[HSC__NOMEN_MAX_LANGS * HSC__LANG_CAP]; /* "en,fr" */
    uint32_t n_codes;
    size_t *code;              /* n_codes offsets into pool */
    size_t *text;              /* n_codes * n_langs offsets into pool */
    char *pool;
} hsc__nomen;

/* National tariff lines of one scheme (e.g. TEC-CEDEAO), codes ascending. */
typedef struct hsc__natl_scheme {
    char name[HSC__NAME_CAP];
    char lang[HSC__LANG_CAP];
    uint32_t n_lines;
    size_t *code;              /* offsets into the owner's pool */
    size_t *text;
} hsc__natl_scheme;

typedef struct hsc__natl {
    uint32_t n_schemes;
    hsc__natl_scheme schemes[HSC__NATL_MAX_SCHEMES];
    char *pool;
} hsc__natl;

/* Both tables of a model, decoded together on first use (model_core.c). */
typedef struct hsc__tables {
    hsc__nomen nomen;
    hsc__natl natl;
} hsc__tables;

/* Checks shared by the builder and the decoder. */
int hsc__nomen_lang_valid(const char *s, size_t len);    /* [a-z]{2,8} */
int hsc__nomen_name_valid(const char *s, size_t len);    /* [A-Za-z0-9._-]{1,31} */
int hsc__nomen_text_valid(const char *s, size_t len);    /* UTF-8, no control, <= 4096 */
int hsc__nomen_digits_valid(const char *s, size_t len, size_t lo); /* lo..12 digits */
void hsc__nomen_join_langs(hsc__nomen *n);               /* fills langs_str */

void hsc__nomen_free(const hsc__alloc *a, hsc__nomen *n);
void hsc__natl_free(const hsc__alloc *a, hsc__natl *n);
void hsc__tables_free(const hsc__alloc *a, hsc__tables *t);   /* both, and t itself */

/* Section payloads (see model_format.h for the layout). encode appends to
 * out; decode validates everything, returns HSC_E_MODEL_* with *bad_pos =
 * the offending byte within data, or HSC_E_NOMEM. */
int hsc__nomen_encode(const hsc__alloc *a, const hsc__nomen *n, hsc__buf *out);
int hsc__nomen_decode(const hsc__alloc *a, const uint8_t *data, size_t len, hsc__nomen *out,
                      size_t *bad_pos);
int hsc__natl_encode(const hsc__alloc *a, const hsc__natl *n, hsc__buf *out);
int hsc__natl_decode(const hsc__alloc *a, const uint8_t *data, size_t len, hsc__natl *out,
                     size_t *bad_pos);

/* Lookups, on codes given as digits (hscode.h parses what people write).
 * Index range of the entries whose code starts with prefix. */
void hsc__nomen_range(const hsc__nomen *n, const char *prefix, size_t len, size_t *first,
                      size_t *count);
void hsc__natl_range(const hsc__natl *n, uint32_t scheme, const char *prefix, size_t len,
                     size_t *first, size_t *count);
/* Text of entry i in lang (NULL: the first language that has one); NULL
 * if none. */
const char *hsc__nomen_entry_text(const hsc__nomen *n, size_t i, const char *lang);
/* Language index, or -1. */
int hsc__nomen_lang(const hsc__nomen *n, const char *lang);
/* Description of code (exact) in lang (NULL: the first language that has
 * one), looked up in the descriptions, then the national lines. NULL if
 * none. */
const char *hsc__describe(const hsc__nomen *n, const hsc__natl *natl, const char *code,
                          size_t len, const char *lang);

#endif /* HSC_NOMEN_H */

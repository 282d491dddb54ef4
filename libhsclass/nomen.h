/* nomen.h - the nomenclature a model carries: code descriptions per language
 * (NOMN section) and national tariff lines (NATL section). Private. */
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

/* Checks shared by the file reader and the decoder (nomenclature.c). */
int hsc__nomen_lang_valid(const char *s, size_t len);    /* [a-z]{2,8} */
int hsc__nomen_name_valid(const char *s, size_t len);    /* [A-Za-z0-9._-]{1,31} */
int hsc__nomen_text_valid(const char *s, size_t len);    /* UTF-8, no control, <= 4096 */
int hsc__nomen_digits_valid(const char *s, size_t len, size_t lo); /* lo..12 digits */
void hsc__nomen_join_langs(hsc__nomen *n);               /* fills langs_str */

void hsc__nomen_free(const hsc__alloc *a, hsc__nomen *n);
void hsc__natl_free(const hsc__alloc *a, hsc__natl *n);

/* Section payloads (see model_format.h for the layout). encode appends to
 * out; decode validates everything, returns HSC_E_MODEL_* with *bad_pos =
 * the offending byte within data, or HSC_E_NOMEM. */
int hsc__nomen_encode(const hsc__alloc *a, const hsc__nomen *n, hsc__buf *out);
int hsc__nomen_decode(const hsc__alloc *a, const uint8_t *data, size_t len, hsc__nomen *out,
                      size_t *bad_pos);
int hsc__natl_encode(const hsc__alloc *a, const hsc__natl *n, hsc__buf *out);
int hsc__natl_decode(const hsc__alloc *a, const uint8_t *data, size_t len, hsc__natl *out,
                     size_t *bad_pos);

/* Lookups. Codes are given as digits; '.' and ' ' are ignored ("0201.30").
 * Returns 0 and fills digits (NUL-terminated, cap 16) or -1 if malformed. */
int hsc__code_digits(const char *code, size_t len, char digits[16], size_t *n_digits);
/* Index range of the entries whose code starts with prefix. */
void hsc__nomen_range(const hsc__nomen *n, const char *prefix, size_t len, size_t *first,
                      size_t *count);
void hsc__natl_range(const hsc__natl *n, uint32_t scheme, const char *prefix, size_t len,
                     size_t *first, size_t *count);
/* Language index, or -1. */
int hsc__nomen_lang(const hsc__nomen *n, const char *lang);
/* Description of code (exact) in lang (NULL: the first language that has
 * one), looked up in the descriptions, then the national lines. NULL if
 * none. */
const char *hsc__describe(const hsc__nomen *n, const hsc__natl *natl, const char *code,
                          size_t len, const char *lang);

/* hsc__model_write plus the optional nomenclature (either may be NULL or
 * empty); model_write.c. */
int hsc__model_write_nomen(const hsc__alloc *a, const hsc__model_draft *d,
                           const hsc__nomen *nomen, const hsc__natl *natl, hsc__buf *out);

/* ---- building (trainer side) ---------------------------------------------- */

typedef struct hsc__nomen_entry {
    size_t code, text;         /* offsets into the builder's pool */
    uint32_t set;              /* language (descriptions) or scheme (lines) */
    uint32_t seq;              /* order of arrival: a later file wins */
} hsc__nomen_entry;

typedef struct hsc__nomen_builder {
    hsc__alloc alloc;
    hsc__buf pool;
    hsc__nomen_entry *desc;    /* descriptions */
    size_t n_desc, cap_desc;
    hsc__nomen_entry *lines;   /* national lines */
    size_t n_lines, cap_lines;
    uint32_t n_langs;
    char langs[HSC__NOMEN_MAX_LANGS][HSC__LANG_CAP];
    uint32_t n_schemes;
    char scheme_name[HSC__NATL_MAX_SCHEMES][HSC__NAME_CAP];
    char scheme_lang[HSC__NATL_MAX_SCHEMES][HSC__LANG_CAP];
    uint32_t seq;
} hsc__nomen_builder;

/* Where row problems go (the trainer's row-error callback and strict flag). */
typedef struct hsc__row_sink {
    hsc_row_error_fn fn;
    void *user;
    uint32_t strict;
    uint64_t *rejected;
} hsc__row_sink;

void hsc__nomen_builder_init(hsc__nomen_builder *b, const hsc__alloc *a);
void hsc__nomen_builder_free(hsc__nomen_builder *b);
/* Read code<TAB>text rows. kind 0: descriptions in language tag; kind 1:
 * national lines of scheme tag, descriptions in lang. Malformed rows go to
 * the sink. HSC_E_INVALID_ARG (bad tag, too many languages or schemes),
 * HSC_E_IO, HSC_E_BAD_ROW (strict), HSC_E_NOMEM. */
int hsc__nomen_builder_add_file(hsc__nomen_builder *b, const hsc__row_sink *sink,
                                const char *path, int kind, const char *tag, const char *lang);
int hsc__nomen_builder_empty(const hsc__nomen_builder *b);
/* The final tables (empty ones have n_langs / n_schemes 0). */
int hsc__nomen_builder_build(const hsc__nomen_builder *b, hsc__nomen *nomen, hsc__natl *natl);

/* Training rows must carry codes the nomenclature offers: described codes,
 * national lines, and the even-length prefixes of national lines. Drop the
 * others from rs, reporting each (line 0: rows do not keep their origin).
 * Nothing to do when the builder is empty. HSC_E_BAD_ROW (strict),
 * HSC_E_NOMEM. */
struct hsc__rowset;
int hsc__nomen_filter_rows(const hsc__nomen_builder *b, struct hsc__rowset *rs);

#endif /* HSC_NOMEN_H */

/* train.h - private interfaces of the trainer: labeled rows and their
 * expansion into training examples. */
#ifndef HSC_TRAIN_H
#define HSC_TRAIN_H

#include "hsc_internal.h"

/* One accepted labeled row, as read. */
typedef struct hsc__row {
    size_t code_off;   /* digits, truncated to the configured level, in codes pool */
    size_t text_off;   /* text (NUL-terminated) in texts pool */
    uint32_t code_len;
    uint32_t text_len;
    float weight;
    uint32_t flags;    /* HSC_ROWS_* */
} hsc__row;

typedef struct hsc__rowset {
    hsc__alloc alloc;
    hsc__buf codes;
    hsc__buf texts;
    hsc__row *rows;
    size_t n_rows, cap_rows;
    uint64_t rejected;
    uint32_t code_digits;  /* 0 keeps codes as they are */
    uint32_t strict;
    uint32_t max_text_bytes;
    hsc_row_error_fn on_error;
    void *on_error_user;
} hsc__rowset;

void hsc__rowset_init(hsc__rowset *rs, const hsc__alloc *a, uint32_t code_digits, uint32_t strict,
                      uint32_t max_text_bytes);
void hsc__rowset_free(hsc__rowset *rs);

/* Parse one "code<TAB>text" line (no newline). file/line are for the error
 * callback. Returns HSC_OK (row added or skipped), HSC_E_BAD_ROW (strict),
 * HSC_E_NOMEM. */
int hsc__rowset_add_line(hsc__rowset *rs, const char *file, uint64_t line, const char *s,
                         size_t len, double weight, uint32_t flags);
/* Add a row given as separate code and text. */
int hsc__rowset_add(hsc__rowset *rs, const char *file, uint64_t line, const char *code,
                    size_t code_len, const char *text, size_t text_len, double weight,
                    uint32_t flags);
/* Read a whole TSV file: optional UTF-8 BOM, LF or CRLF, blank lines ignored. */
int hsc__rowset_add_file(hsc__rowset *rs, const char *path, double weight, uint32_t flags);

/* Nomenclature augmentation: the short phrases a trader would write for a
 * path text "Meat of bovine animals, frozen; Boneless". Calls emit(user,
 * text, len, weight_factor) for each extra example (the full text is not
 * repeated). Deterministic. */
typedef int (*hsc__emit_fn)(void *user, const char *text, size_t len, float weight_factor);
int hsc__augment_path(const hsc__alloc *a, const char *text, size_t len, hsc__emit_fn emit,
                      void *user);

#endif

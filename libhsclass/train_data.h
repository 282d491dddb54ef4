/* train_data.h - the trainer's input: where malformed rows are reported,
 * labeled rows as read, and the expansion of nomenclature paths into short
 * phrases (train_data.c). Private. */
#ifndef HSC_TRAIN_DATA_H
#define HSC_TRAIN_DATA_H

#include "hsc_internal.h"

/* Where malformed training input goes: the trainer's row-error callback
 * and its strict flag. One per trainer, shared by every reader of rows
 * (training files, description files, the nomenclature check). */
typedef struct hsc__row_sink {
    hsc_row_error_fn fn;       /* may be NULL */
    void *user;
    uint32_t strict;
} hsc__row_sink;

/* Report a malformed row: count it in *rejected, pass it to the callback
 * (file "" when rows have no file). Returns HSC_E_BAD_ROW in strict mode,
 * where the caller stops, else HSC_OK: the row is skipped. */
int hsc__row_reject(const hsc__row_sink *sink, uint64_t *rejected, const char *file,
                    uint64_t line, hsc_status why, const char *msg);

/* One accepted labeled row, as read. */
typedef struct hsc__row {
    size_t code_off;   /* digits, truncated to the configured level, in codes pool */
    size_t text_off;   /* text (NUL-terminated) in texts pool */
    uint32_t code_len;
    uint32_t text_len;
    float weight;
    uint32_t flags;    /* HSC_ROWS_* */
    uint32_t source;   /* index in the rowset's sources */
} hsc__row;

#define HSC__MAX_SOURCES 255u   /* names kept; later files share the last */

typedef struct hsc__rowset {
    hsc__alloc alloc;
    hsc__buf codes;
    hsc__buf texts;
    hsc__row *rows;
    size_t n_rows, cap_rows;
    uint64_t rejected;
    uint32_t code_digits;  /* 0 keeps codes as they are */
    uint32_t max_text_bytes;
    const hsc__row_sink *sink;
    uint32_t n_sources;
    char *sources[HSC__MAX_SOURCES];   /* file names without directory; "" for API rows */
    /* Identical rows (same code, text and kind) are merged: the first one
     * keeps the sum of their weights. Open addressing: row index + 1. */
    uint32_t *index;
    size_t index_cap;          /* a power of two, or 0 */
    uint64_t merged;           /* rows merged into an earlier identical one */
    hsc_read_progress_fn on_read;   /* progress of hsc__rowset_add_file, or NULL */
    void *on_read_user;
} hsc__rowset;

/* National training (code_digits 8 or 10) keeps a row whose code is
 * shorter but still reaches the subheading (6 digits or more, even): it
 * teaches the levels its code has and stops there. Shallower training
 * keeps only rows that reach its level. */
static inline int hsc__short_row_kept(uint32_t code_digits, size_t n_digits)
{
    return code_digits > 6 && n_digits >= 6 && n_digits < code_digits && n_digits % 2 == 0;
}

/* sink must outlive the rowset. */
void hsc__rowset_init(hsc__rowset *rs, const hsc__alloc *a, uint32_t code_digits,
                      const hsc__row_sink *sink, uint32_t max_text_bytes);
void hsc__rowset_free(hsc__rowset *rs);

/* Append a row whose code and text are already in the pools (no check,
 * no merging: the index is rebuilt after). */
int hsc__rowset_push(hsc__rowset *rs, const hsc__row *row);
/* Rebuild the index of identical rows after rows were dropped. */
int hsc__rowset_reindex(hsc__rowset *rs);

/* Parse one "code<TAB>text" line (no newline). file/line are for the error
 * callback. Returns HSC_OK (row added or skipped), HSC_E_BAD_ROW (strict),
 * HSC_E_NOMEM. */
int hsc__rowset_add_line(hsc__rowset *rs, const char *file, uint64_t line, const char *s,
                         size_t len, double weight, uint32_t flags);
/* Add a row given as separate code and text. */
int hsc__rowset_add(hsc__rowset *rs, const char *file, uint64_t line, const char *code,
                    size_t code_len, const char *text, size_t text_len, double weight,
                    uint32_t flags);
/* Read a whole TSV file: optional UTF-8 BOM, LF or CRLF, blank lines
 * ignored. Progress goes to on_read every HSC__READ_PROGRESS_LINES lines
 * and at the end; its non-zero stops the reading (HSC_E_CANCELLED, the
 * rows read so far kept). */
#define HSC__READ_PROGRESS_LINES 16384u
int hsc__rowset_add_file(hsc__rowset *rs, const char *path, double weight, uint32_t flags);

/* Nomenclature augmentation: the short phrases a trader would write for a
 * path text "Meat of bovine animals, frozen; Boneless". Calls emit(user,
 * text, len, weight_factor) for each extra example (the full text is not
 * repeated). Deterministic. */
typedef int (*hsc__emit_fn)(void *user, const char *text, size_t len, float weight_factor);
int hsc__augment_path(const hsc__alloc *a, const char *text, size_t len, hsc__emit_fn emit,
                      void *user);

/* The text dressed as a declaration (trade_noise.c): packaging, counts,
 * quantities, marks or a dropped letter, chosen by the random bits r. */
int hsc__trade_noise(const hsc__alloc *a, uint64_t r, const char *text, size_t len,
                     hsc__buf *out);

#endif /* HSC_TRAIN_DATA_H */

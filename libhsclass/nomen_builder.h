/* nomen_builder.h - the trainer's side of the nomenclature: description and
 * national-line files read into a builder, the final tables built from it,
 * and the check of training rows against it (nomen_builder.c). Private. */
#ifndef HSC_NOMEN_BUILDER_H
#define HSC_NOMEN_BUILDER_H

#include "nomen.h"
#include "train_data.h"

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
    uint64_t rejected;         /* malformed rows of the files read */
} hsc__nomen_builder;

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
 * others from rs, reporting each to its sink (line 0: rows do not keep
 * their origin). Nothing to do when the builder is empty. HSC_E_BAD_ROW
 * (strict), HSC_E_NOMEM. */
int hsc__nomen_filter_rows(const hsc__nomen_builder *b, hsc__rowset *rs);

#endif /* HSC_NOMEN_BUILDER_H */

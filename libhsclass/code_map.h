/* code_map.h - correlation tables between nomenclature editions, applied
 * to training rows (code_map.c). Trainer only. Private. */
#ifndef HSC_CODE_MAP_H
#define HSC_CODE_MAP_H

#include "hscode.h"
#include "train_data.h"

typedef struct hsc__code_map_entry {
    char old_code[HSC__CODE_CAP];
    char new_code[HSC__CODE_CAP];
    double share;              /* of the old code's rows' weight; they sum to 1 */
    uint32_t seq;              /* order of arrival (ties) */
} hsc__code_map_entry;

typedef struct hsc__code_map {
    hsc__alloc alloc;
    hsc__code_map_entry *e;    /* sorted by old code once a file is read */
    size_t n, cap;
    uint32_t seq;
    uint64_t rejected;         /* malformed table rows */
} hsc__code_map;

void hsc__code_map_init(hsc__code_map *m, const hsc__alloc *a);
void hsc__code_map_free(hsc__code_map *m);
/* Read "old<TAB>new[<TAB>share]" rows ('#' comments and blank lines
 * ignored); malformed rows go to sink. HSC_E_IO, HSC_E_BAD_ROW (strict),
 * HSC_E_NOMEM. */
int hsc__code_map_add_file(hsc__code_map *m, const hsc__row_sink *sink, const char *path);
/* Map every row of rs: the longest old code that starts a row's code
 * replaces it with its new code(s), cut to the training level; with k new
 * codes the row becomes k rows whose weights are the row's times each
 * share. A new code shorter than the training level (and not kept as a
 * short row) is reported to the rowset's sink and its row dropped.
 * *mapped counts the rows mapped, *split those split among several codes. */
int hsc__code_map_apply(const hsc__code_map *m, hsc__rowset *rs, uint64_t *mapped,
                        uint64_t *split);

#endif /* HSC_CODE_MAP_H */

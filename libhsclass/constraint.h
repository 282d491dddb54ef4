/* constraint.h - a session's restriction of suggestions to code prefixes
 * (constraint.c). Private. */
#ifndef HSC_CONSTRAINT_H
#define HSC_CONSTRAINT_H

#include "hscode.h"
#include "model.h"

typedef struct hsc__constraint {
    uint32_t n_prefixes;
    char (*prefixes)[HSC__CODE_CAP];
    uint8_t *mask;      /* per tree node: 0 outside, 1 above an allowed region, 2 inside */
    uint32_t *roots;    /* nodes inside whose parent is not (the allowed regions) */
    uint32_t n_roots;
    uint32_t *inner;    /* mask 1 nodes */
    uint32_t n_inner;
} hsc__constraint;

/* Parse a list of prefixes ("84, 8517"; the list rule of hscode.h) and
 * mark the tree. Empty text clears. HSC_E_BAD_CODE for a prefix that is
 * not 2..12 digits, HSC_E_NOMEM. On error c is unchanged. */
int hsc__constraint_set(const hsc__alloc *a, hsc__constraint *c, const hsc_model *m,
                        const char *text, size_t len);
void hsc__constraint_free(const hsc__alloc *a, hsc__constraint *c);
/* Prepare a search for h under the constraint: afterwards the search's
 * probabilities of nodes above the allowed regions hold only the allowed
 * mass below them, and *z is the allowed mass of the whole tree (divide
 * results by it to get probabilities given the constraint). */
void hsc__constraint_begin(const hsc__constraint *c, hsc__search *s, const hsc__tree *t,
                           const hsc__outw *w, const float *h, double *z);

#endif /* HSC_CONSTRAINT_H */

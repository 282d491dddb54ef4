/* constraint.c - restrict suggestions to chapters, headings or any code
 * prefixes ("84,8517").
 *
 * Probabilities are renormalized: a result's probability is P(code | code is
 * in one of the allowed prefixes) = P(code) / Z, Z the model's total mass in
 * the allowed regions. To keep the best-first search exact, the nodes above
 * the regions (the root, chapter 85 for "8517") carry only the allowed mass
 * below them; a child's value still never exceeds its parent's. */
#include <string.h>

#include "constraint.h"
#include "model_format.h"

void hsc__constraint_free(const hsc__alloc *a, hsc__constraint *c)
{
    hsc__free(a, c->prefixes);
    hsc__free(a, c->mask);
    hsc__free(a, c->roots);
    hsc__free(a, c->inner);
    memset(c, 0, sizeof *c);
}

/* The prefixes of text (hscode.h's list rule); *n gets their count and
 * the first cap of them go to out (which may be NULL). */
static int parse(const char *text, size_t len, char (*out)[HSC__CODE_CAP], uint32_t cap,
                 uint32_t *n)
{
    char d[HSC__CODE_CAP];
    size_t pos = 0, nd;
    int found;
    *n = 0;
    while ((found = hsc__code_list_next(text, len, &pos, HSCM_MIN_CODE_DIGITS, d, &nd)) > 0) {
        if (out != NULL && *n < cap)
            memcpy(out[*n], d, nd + 1);
        (*n)++;
    }
    return found < 0 ? HSC_E_BAD_CODE : HSC_OK;
}

/* Node inside a prefix: its code is at least as long and starts with it. */
static int inside(const hsc_model *m, uint32_t node, const hsc__constraint *c)
{
    const hsc__node *x = &m->tree.nodes[node];
    const char *code = m->label_pool + x->code_off;
    for (uint32_t i = 0; i < c->n_prefixes; i++) {
        size_t pl = strlen(c->prefixes[i]);
        if (x->digits >= pl && memcmp(code, c->prefixes[i], pl) == 0)
            return 1;
    }
    return 0;
}

int hsc__constraint_set(const hsc__alloc *a, hsc__constraint *c, const hsc_model *m,
                        const char *text, size_t len)
{
    uint32_t n = 0;
    int st = parse(text, len, NULL, 0, &n);
    if (st != HSC_OK)
        return st;
    hsc__constraint nc;
    memset(&nc, 0, sizeof nc);
    if (n == 0 && !hsc__code_list_blank(text, len))
        return HSC_E_BAD_CODE;   /* separators and no code: not "no constraint" */
    if (n == 0) {
        hsc__constraint_free(a, c);
        return HSC_OK;
    }
    uint32_t nn = m->tree.n_nodes;
    nc.prefixes = hsc__calloc(a, n, sizeof *nc.prefixes);
    nc.mask = hsc__calloc(a, nn, 1);
    nc.roots = hsc__calloc(a, nn, sizeof *nc.roots);
    nc.inner = hsc__calloc(a, nn, sizeof *nc.inner);
    if (nc.prefixes == NULL || nc.mask == NULL || nc.roots == NULL || nc.inner == NULL) {
        hsc__constraint_free(a, &nc);
        return HSC_E_NOMEM;
    }
    parse(text, len, nc.prefixes, n, &nc.n_prefixes);
    /* Nodes come parent first (breadth-first), so one pass finds the
     * regions, a second marks everything inside them. */
    for (uint32_t i = 1; i < nn; i++) {
        uint32_t p = m->tree.nodes[i].parent;
        if (nc.mask[p] == 2) {
            nc.mask[i] = 2;
        } else if (inside(m, i, &nc)) {
            nc.mask[i] = 2;
            nc.roots[nc.n_roots++] = i;
        }
    }
    for (uint32_t r = 0; r < nc.n_roots; r++) {
        for (uint32_t x = m->tree.nodes[nc.roots[r]].parent; x != UINT32_MAX;
             x = m->tree.nodes[x].parent) {
            if (nc.mask[x] == 1)
                break;   /* this chain is marked already */
            nc.mask[x] = 1;
            nc.inner[nc.n_inner++] = x;
        }
    }
    hsc__constraint_free(a, c);
    *c = nc;
    return HSC_OK;
}

void hsc__constraint_begin(const hsc__constraint *c, hsc__search *s, const hsc__tree *t,
                           const hsc__outw *w, const float *h, double *z)
{
    double total = 0.0;
    /* First every region's true path probability (this expands all the
     * nodes above the regions), then those nodes get the allowed mass. */
    for (uint32_t r = 0; r < c->n_roots; r++)
        total += hsc__search_path_prob(s, t, w, h, c->roots[r]);
    for (uint32_t i = 0; i < c->n_inner; i++)
        s->prob[c->inner[i]] = 0.0;
    for (uint32_t r = 0; r < c->n_roots; r++) {
        double p = s->prob[c->roots[r]];
        for (uint32_t x = t->nodes[c->roots[r]].parent; x != UINT32_MAX; x = t->nodes[x].parent)
            s->prob[x] += p;
    }
    s->mask = c->mask;
    *z = total;
}

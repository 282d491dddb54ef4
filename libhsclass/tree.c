/* tree.c - the HS code tree that shapes the output layer.
 *
 * A label of L digits hangs below the prefixes of its even lengths shorter
 * than L (2, 4, 6, ...), then its own node of L digits: 01012100 gives
 * root -> 01 -> 0101 -> 010121 -> 01012100, and an 11-digit code gets
 * 2, 4, 6, 8, 10, 11. A label that is also such a prefix of another label
 * (0101 next to 01012100) becomes a leaf child of the prefix node, first
 * among its siblings.
 *
 * Node order (OUTW rows follow it, so it is part of the model format):
 * breadth-first, i.e. by depth, and within a depth by parent then code;
 * a parent's children are contiguous and sorted by code (a leaf child
 * equal to its parent's code first). Node 0 is the root.
 *
 * code_off: offset of a label carrying the node's code as its prefix, in
 * the pool made of all labels in order, each followed by a NUL (the
 * model's label_pool). */
#include <string.h>

#include "hsc_internal.h"
#include "model_format.h"

static int labels_valid(const char *const *labels, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        const char *s = labels[i];
        if (s == NULL)
            return 0;
        size_t len = 0;
        while (len <= HSCM_MAX_CODE_DIGITS && s[len] >= '0' && s[len] <= '9')
            len++;
        if (s[len] != '\0' || len < HSCM_MIN_CODE_DIGITS || len > HSCM_MAX_CODE_DIGITS)
            return 0;
        if (i > 0 && strcmp(labels[i - 1], s) >= 0)
            return 0;
    }
    return 1;
}

/* Record the distinct digit counts below the root, ascending. */
static int collect_levels(hsc__tree *t)
{
    uint32_t seen = 0;   /* bit d: some node has d digits */
    for (uint32_t i = 1; i < t->n_nodes; i++)
        seen |= 1u << t->nodes[i].digits;
    t->n_levels = 0;
    for (uint32_t d = 1; d <= HSCM_MAX_CODE_DIGITS; d++) {
        if (!(seen & (1u << d)))
            continue;
        if (t->n_levels == sizeof t->level_digits / sizeof t->level_digits[0])
            return HSC_E_INVALID_ARG;
        t->level_digits[t->n_levels++] = d;
    }
    return HSC_OK;
}

int hsc__tree_build(const hsc__alloc *a, const char *const *labels, uint32_t n_labels,
                    hsc__tree *out)
{
    if (a == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (labels == NULL || n_labels == 0 || n_labels > HSCM_MAX_LABELS ||
        !labels_valid(labels, n_labels))
        return HSC_E_INVALID_ARG;

    /* Each label accounts for at most 6 chain nodes and one leaf. */
    uint32_t cap = 1 + 7 * n_labels;
    hsc__tree t = {0};
    uint32_t *range = hsc__calloc(a, (size_t)cap * 2, sizeof *range); /* lo, hi per node */
    uint32_t *loff = hsc__calloc(a, n_labels, sizeof *loff);
    t.nodes = hsc__calloc(a, cap, sizeof *t.nodes);
    t.label_leaf = hsc__calloc(a, n_labels, sizeof *t.label_leaf);
    int st = HSC_E_NOMEM;
    if (range == NULL || loff == NULL || t.nodes == NULL || t.label_leaf == NULL)
        goto fail;

    uint32_t off = 0;
    for (uint32_t i = 0; i < n_labels; i++) {
        loff[i] = off;
        off += (uint32_t)strlen(labels[i]) + 1;
    }

    t.nodes[0] = (hsc__node){UINT32_MAX, 0, 0, 0, UINT32_MAX, 0};
    range[0] = 0;
    range[1] = n_labels;
    t.n_nodes = 1;
    st = HSC_E_INTERNAL;
    for (uint32_t cur = 0; cur < t.n_nodes; cur++) {
        hsc__node *node = &t.nodes[cur];
        if (node->label != UINT32_MAX)
            continue;
        uint32_t p = node->digits, i = range[2 * cur], hi = range[2 * cur + 1];
        uint32_t c = p + 2;   /* internal nodes have even lengths */
        node->first_child = t.n_nodes;
        while (i < hi) {
            size_t len = strlen(labels[i]);
            uint32_t j = i + 1, digits;
            int leaf;
            if (len < c) {   /* the prefix label itself (len == p) or an odd length */
                leaf = 1;
                digits = (uint32_t)len;
            } else {
                while (j < hi && strncmp(labels[j], labels[i], c) == 0)
                    j++;
                leaf = (j == i + 1 && len == c);
                digits = c;
            }
            if (t.n_nodes >= cap)
                goto fail;
            uint32_t id = t.n_nodes++;
            t.nodes[id] = (hsc__node){cur, 0, 0, digits, leaf ? i : UINT32_MAX, loff[i]};
            range[2 * id] = i;
            range[2 * id + 1] = j;
            if (leaf)
                t.label_leaf[i] = id;
            i = j;
        }
        t.nodes[cur].n_children = t.n_nodes - t.nodes[cur].first_child;
    }
    st = collect_levels(&t);
    if (st != HSC_OK)
        goto fail;

    hsc__node *shrunk = hsc__realloc_array(a, t.nodes, t.n_nodes, sizeof *t.nodes);
    if (shrunk != NULL)
        t.nodes = shrunk;
    hsc__free(a, range);
    hsc__free(a, loff);
    *out = t;
    return HSC_OK;

fail:
    hsc__free(a, range);
    hsc__free(a, loff);
    hsc__tree_free(a, &t);
    return st;
}

void hsc__tree_free(const hsc__alloc *a, hsc__tree *t)
{
    if (t == NULL)
        return;
    hsc__free(a, t->nodes);
    hsc__free(a, t->label_leaf);
    memset(t, 0, sizeof *t);
}

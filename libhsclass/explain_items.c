/* explain_items.c - the tokens' shares of one explanation, and the tokens
 * that have one in their order (heaviest first, then in text order), in a
 * few bytes per token for a long text.
 *
 * A short text keeps a double per token and heap-sorts the indices of the
 * used ones (qsort passes no context, and the order needs the weights).
 *
 * A long text (PACK_MIN tokens or more) may have a token per two bytes, or
 * four per three (U+FDFA): 12 bytes per token would be 16 times the text.
 * But its tokens repeat, and so do their weights. So each distinct weight
 * is kept once (vals, found again by its bits through a hash table) and a
 * token keeps the id of its weight in a byte (two past 255 weights). The
 * sums are made in a few open accumulators: a share goes to its token's
 * open sum, loaded from the token's stored weight (or 0) when it is not
 * open; the least recently used sum is stored when room is needed. A
 * token's shares add to one double in the order they come, as with a
 * double per token: the same weights, bit for bit (the features of a token
 * come together, its bigram's share one token later, its head share at the
 * end, so few sums are stored twice). The items are then sorted by
 * counting: the distinct weights in decreasing order are the classes, the
 * tokens of a class in text order are index deltas (varints), with a mark
 * every MARK_STRIDE items. When the weights are too many for this to pay
 * (more than one per DENSE_RATIO tokens, or 65535), the text goes back to
 * a double per token. */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "explain.h"

#define PACK_MIN 4096u
#define OPEN_SUMS HSC__OPEN_SUMS
#define MARK_STRIDE 32u
#define DENSE_RATIO 32u
#define NONE SIZE_MAX

/* ---- one double per token ------------------------------------------------------ */

static int dense_begin(hsc__explain_items *x)
{
    size_t n = x->n_tok;
    if (n > x->cap_dense) {
        double *w = hsc__realloc_array(x->alloc, x->w, n, sizeof *w);
        if (w != NULL)
            x->w = w;
        uint32_t *it = hsc__realloc_array(x->alloc, x->items, n, sizeof *it);
        if (it != NULL)
            x->items = it;
        uint8_t *u = hsc__realloc(x->alloc, x->used, n / 8 + 1);
        if (u != NULL)
            x->used = u;
        if (w == NULL || it == NULL || u == NULL)
            return HSC_E_NOMEM;
        x->cap_dense = n;
    }
    if (n > 0)
        memset(x->w, 0, n * sizeof *x->w);
    if (x->used != NULL)
        memset(x->used, 0, n / 8 + 1);
    x->packed = 0;
    return HSC_OK;
}

/* Heaviest first, then in text order. */
static int item_before(const hsc__explain_items *x, uint32_t a, uint32_t b)
{
    double wa = x->w[a], wb = x->w[b];
    return wa != wb ? wa > wb : a < b;
}

static void sift_down(const hsc__explain_items *x, uint32_t *it, size_t i, size_t n)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && item_before(x, it[c], it[c + 1]))
            c++;   /* the later of the two children */
        if (!item_before(x, it[i], it[c]))
            return;
        uint32_t t = it[i];
        it[i] = it[c];
        it[c] = t;
        i = c;
    }
}

static void dense_finish(hsc__explain_items *x)
{
    uint32_t *it = x->items;
    size_t n = 0;
    for (size_t i = 0; i < x->n_tok; i++)
        if ((x->used[i / 8] >> (i % 8)) & 1)
            it[n++] = (uint32_t)i;
    x->n_items = n;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(x, it, i, n);
    for (size_t end = n; end-- > 1;) {
        uint32_t t = it[0];
        it[0] = it[end];
        it[end] = t;
        sift_down(x, it, 0, end);
    }
}

/* ---- distinct weights ------------------------------------------------------------ */

static void free_packed(hsc__explain_items *x)
{
    hsc__free(x->alloc, x->ids);
    hsc__free(x->alloc, x->vals);
    hsc__free(x->alloc, x->slots);
    hsc__free(x->alloc, x->cls_val);
    hsc__free(x->alloc, x->first);
    hsc__free(x->alloc, x->marks);
    hsc__buf_free(x->alloc, &x->stream);
    x->ids = NULL;
    x->vals = NULL;
    x->slots = NULL;
    x->cls_val = NULL;
    x->first = NULL;
    x->marks = NULL;
    x->n_vals = x->cap_vals = x->n_slots = x->n_cls = 0;
}

static uint32_t id_of(const hsc__explain_items *x, size_t t)
{
    return x->id_width == 1 ? x->ids[t] : ((const uint16_t *)(const void *)x->ids)[t];
}

static void set_id(hsc__explain_items *x, size_t t, uint32_t id)
{
    if (x->id_width == 1)
        x->ids[t] = (uint8_t)id;
    else
        ((uint16_t *)(void *)x->ids)[t] = (uint16_t)id;
}

static uint32_t slot_of(double w, size_t n_slots)
{
    uint64_t bits;
    memcpy(&bits, &w, sizeof bits);
    bits *= 0x9E3779B97F4A7C15u;
    return (uint32_t)(bits >> 32) & (uint32_t)(n_slots - 1);
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int grow_slots(hsc__explain_items *x)
{
    size_t n = x->n_slots ? 2 * x->n_slots : 256;
    uint32_t *s = hsc__calloc(x->alloc, n, sizeof *s);
    if (s == NULL)
        return HSC_E_NOMEM;
    for (size_t v = 0; v < x->n_vals; v++) {
        uint32_t k = slot_of(x->vals[v], n);
        while (s[k] != 0)
            k = (k + 1) & (uint32_t)(n - 1);
        s[k] = (uint32_t)v + 1u;
    }
    hsc__free(x->alloc, x->slots);
    x->slots = s;
    x->n_slots = n;
    return HSC_OK;
}

/* Back to a double per token: the stored weights, then the open sums. */
static int to_dense(hsc__explain_items *x)
{
    int st = dense_begin(x);
    if (st != HSC_OK)
        return st;
    for (size_t t = 0; t < x->n_tok; t++) {
        uint32_t id = id_of(x, t);
        if (id != 0) {
            x->w[t] = x->vals[id - 1];
            x->used[t / 8] |= (uint8_t)(1u << (t % 8));
        }
    }
    for (int i = 0; i < OPEN_SUMS; i++)
        if (x->open[i].tok != NONE) {
            x->w[x->open[i].tok] = x->open[i].w;
            x->used[x->open[i].tok / 8] |= (uint8_t)(1u << (x->open[i].tok % 8));
        }
    free_packed(x);
    return HSC_OK;
}

/* The id of weight w, added if new: 0 when the weights are too many. */
static int intern(hsc__explain_items *x, double w, uint32_t *id)
{
    uint32_t k = 0;
    *id = 0;
    if (x->n_slots > 0)
        for (k = slot_of(w, x->n_slots); x->slots[k] != 0; k = (k + 1) & (uint32_t)(x->n_slots - 1))
            if (same_bits(x->vals[x->slots[k] - 1], w)) {
                *id = x->slots[k];
                return HSC_OK;
            }
    if (x->n_vals + 1 > 65535u || x->n_vals + 1 > x->n_tok / DENSE_RATIO)
        return HSC_OK;
    if (x->n_vals == 255 && x->id_width == 1) {   /* ids past a byte */
        uint8_t *p = hsc__realloc_array(x->alloc, x->ids, x->n_tok, 2);
        if (p == NULL)
            return HSC_E_NOMEM;
        x->ids = p;
        for (size_t t = x->n_tok; t-- > 0;)
            ((uint16_t *)(void *)p)[t] = p[t];
        x->id_width = 2;
    }
    if (x->n_vals == x->cap_vals) {
        size_t cap = x->cap_vals ? 2 * x->cap_vals : 64;
        double *v = hsc__realloc_array(x->alloc, x->vals, cap, sizeof *v);
        if (v == NULL)
            return HSC_E_NOMEM;
        x->vals = v;
        x->cap_vals = cap;
    }
    x->vals[x->n_vals++] = w;
    if (2 * x->n_vals > x->n_slots) {
        int st = grow_slots(x);
        if (st != HSC_OK)
            return st;
    } else {
        x->slots[k] = (uint32_t)x->n_vals;
    }
    *id = (uint32_t)x->n_vals;
    return HSC_OK;
}

/* Token t's open sum w is stored (or the text goes dense). */
static int store(hsc__explain_items *x, size_t t, double w)
{
    uint32_t id;
    int st = intern(x, w, &id);
    if (st != HSC_OK)
        return st;
    if (id == 0)
        return to_dense(x);   /* the open sums, t's among them, go with it */
    set_id(x, t, id);
    return HSC_OK;
}

int hsc__explain_items_add_packed(hsc__explain_items *x, size_t t, double c)
{
    struct hsc__open_sum *o = NULL, *lru = &x->open[0];
    for (int i = 0; i < OPEN_SUMS && o == NULL; i++) {
        if (x->open[i].tok == t)
            o = &x->open[i];
        else if (x->open[i].touched < lru->touched)
            lru = &x->open[i];
    }
    if (o == NULL) {
        if (lru->tok != NONE) {
            int st = store(x, lru->tok, lru->w);
            if (st != HSC_OK || !x->packed) {
                if (st == HSC_OK)
                    (void)hsc__explain_items_add(x, t, c);   /* dense now */
                return st;
            }
        }
        uint32_t id = id_of(x, t);
        o = lru;
        o->tok = t;
        o->w = id != 0 ? x->vals[id - 1] : 0.0;
    }
    o->w += c;
    o->touched = ++x->clock;
    return HSC_OK;
}

/* ---- the items of a long text, sorted by counting ---------------------------------- */

typedef struct ranked {
    double w;
    uint32_t id;
} ranked;

static int heavier(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int packed_finish(hsc__explain_items *x)
{
    for (int i = 0; i < OPEN_SUMS; i++)
        if (x->open[i].tok != NONE) {
            int st = store(x, x->open[i].tok, x->open[i].w);
            if (st != HSC_OK)
                return st;
            if (!x->packed) {   /* the open sums went with the stored weights */
                dense_finish(x);
                return HSC_OK;
            }
            x->open[i].tok = NONE;
        }
    size_t nc = x->n_vals;   /* the open sums stored */
    hsc__free(x->alloc, x->slots);
    x->slots = NULL;
    x->n_slots = 0;
    /* classes: the weights in decreasing order; rank[id - 1] */
    ranked *rk = hsc__calloc(x->alloc, nc + 1, sizeof *rk);
    uint32_t *rank = hsc__calloc(x->alloc, nc + 1, sizeof *rank);
    uint32_t *last = hsc__calloc(x->alloc, nc + 1, sizeof *last);
    uint32_t *fill = hsc__calloc(x->alloc, nc + 1, sizeof *fill);
    size_t *at = hsc__calloc(x->alloc, nc + 1, sizeof *at);
    x->cls_val = hsc__calloc(x->alloc, nc + 1, sizeof *x->cls_val);
    x->first = hsc__calloc(x->alloc, nc + 1, sizeof *x->first);
    int st = HSC_E_NOMEM;
    if (rk == NULL || rank == NULL || last == NULL || fill == NULL || at == NULL ||
        x->cls_val == NULL || x->first == NULL)
        goto out;
    for (size_t v = 0; v < nc; v++)
        rk[v] = (ranked){x->vals[v], (uint32_t)v};
    qsort(rk, nc, sizeof *rk, heavier);
    for (size_t r = 0; r < nc; r++) {
        rank[rk[r].id] = (uint32_t)r;
        x->cls_val[r] = rk[r].w;
    }
    x->n_cls = nc;
    /* each class's items and bytes, then where they start */
    for (size_t t = 0; t < x->n_tok; t++) {
        uint32_t id = id_of(x, t);
        if (id == 0)
            continue;
        uint32_t r = rank[id - 1];
        fill[r]++;
        uint8_t room[5];
        at[r] += hsc__varint_put(room, (uint32_t)t - last[r]);
        last[r] = (uint32_t)t;
    }
    size_t items = 0, bytes = 0;
    for (size_t r = 0; r < nc; r++) {
        size_t b = at[r];
        x->first[r] = (uint32_t)items;
        items += fill[r];
        at[r] = bytes;
        bytes += b;
        fill[r] = 0;
        last[r] = 0;
    }
    x->first[nc] = (uint32_t)items;
    x->n_items = items;
    x->marks = hsc__calloc(x->alloc, items / MARK_STRIDE + 1, sizeof *x->marks);
    if (x->marks == NULL || (st = hsc__buf_reserve(x->alloc, &x->stream, bytes)) != HSC_OK) {
        st = HSC_E_NOMEM;
        goto out;
    }
    for (size_t t = 0; t < x->n_tok; t++) {
        uint32_t id = id_of(x, t);
        if (id == 0)
            continue;
        uint32_t r = rank[id - 1];
        size_t k = x->first[r] + fill[r]++;
        if (k % MARK_STRIDE == 0)
            x->marks[k / MARK_STRIDE] = (struct hsc__item_mark){at[r], last[r]};
        at[r] += hsc__varint_put((uint8_t *)x->stream.data + at[r], (uint32_t)t - last[r]);
        last[r] = (uint32_t)t;
    }
    x->stream.len = bytes;
    st = HSC_OK;
out:
    hsc__free(x->alloc, rk);
    hsc__free(x->alloc, rank);
    hsc__free(x->alloc, last);
    hsc__free(x->alloc, fill);
    hsc__free(x->alloc, at);
    hsc__free(x->alloc, x->ids);
    hsc__free(x->alloc, x->vals);
    x->ids = NULL;
    x->vals = NULL;
    return st;
}

/* The class of item k: the last r with first[r] <= k < first[r + 1]. */
static size_t class_of(const hsc__explain_items *x, size_t k)
{
    size_t lo = 0, hi = x->n_cls;
    while (lo + 1 < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->first[mid] <= k)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* ---- the calls ------------------------------------------------------------------------ */

int hsc__explain_items_begin(hsc__explain_items *x, const hsc__alloc *a, size_t n_tok)
{
    x->alloc = a;
    free_packed(x);
    x->n_tok = n_tok;
    x->n_items = 0;
    if (n_tok < PACK_MIN)
        return dense_begin(x);
    x->packed = 1;
    x->id_width = 1;
    x->clock = 0;
    for (int i = 0; i < OPEN_SUMS; i++)
        x->open[i] = (struct hsc__open_sum){NONE, 0.0, 0};
    x->ids = hsc__calloc(a, n_tok, 1);
    return x->ids != NULL ? HSC_OK : HSC_E_NOMEM;
}

int hsc__explain_items_finish(hsc__explain_items *x)
{
    if (x->packed)
        return packed_finish(x);
    dense_finish(x);
    return HSC_OK;
}

size_t hsc__explain_items_count(const hsc__explain_items *x) { return x->n_items; }

void hsc__explain_items_get(const hsc__explain_items *x, size_t k, size_t *token, double *w)
{
    if (!x->packed) {
        *token = x->items[k];
        *w = x->w[x->items[k]];
        return;
    }
    size_t i = k / MARK_STRIDE * MARK_STRIDE, r = class_of(x, i);
    size_t pos = x->marks[k / MARK_STRIDE].pos;
    uint32_t base = x->marks[k / MARK_STRIDE].base;
    for (;;) {
        uint32_t d = 0;
        (void)hsc__varint_get((const uint8_t *)x->stream.data, x->stream.len, &pos, &d);
        base += d;
        if (i == k)
            break;
        i++;
        if (i >= x->first[r + 1]) {   /* the next class (skipping empty ones) starts again */
            while (i >= x->first[r + 1])
                r++;
            base = 0;
        }
    }
    *token = base;
    *w = x->cls_val[r];
}

void hsc__explain_items_clear(hsc__explain_items *x)
{
    x->n_items = 0;
    if (x->alloc == NULL)
        return;
    free_packed(x);
    x->packed = 0;
    if (x->cap_dense >= PACK_MIN) {
        hsc__free(x->alloc, x->w);
        hsc__free(x->alloc, x->items);
        hsc__free(x->alloc, x->used);
        x->w = NULL;
        x->items = NULL;
        x->used = NULL;
        x->cap_dense = 0;
    }
}

void hsc__explain_items_free(hsc__explain_items *x)
{
    if (x->alloc == NULL)
        return;
    free_packed(x);
    hsc__free(x->alloc, x->w);
    hsc__free(x->alloc, x->items);
    hsc__free(x->alloc, x->used);
    memset(x, 0, sizeof *x);
}

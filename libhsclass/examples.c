/* examples.c - what the trainer learns from: labeled rows featurized once
 * into examples (with phrases expanded from nomenclature paths), split
 * into training and held-out sets, and their features renumbered as the
 * rows of the embedding matrix. */
#include <stdlib.h>
#include <string.h>

#include "trainer.h"

void hsc__examples_free(const hsc__alloc *a, hsc__examples *e)
{
    hsc__free(a, e->ex);
    hsc__free(a, e->feat);
    hsc__free(a, e->tok);
    hsc__free(a, e->keys);
    memset(e, 0, sizeof *e);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void hsc__labels_free(const hsc__alloc *a, hsc__labels *l)
{
    hsc__free(a, l->codes);
    hsc__free(a, l->prefix);
    hsc__free(a, l->prefix_label);
    hsc__free(a, l->row_target);
    hsc__free(a, l->target_node);
    memset(l, 0, sizeof *l);
}

/* A code is a proper prefix of another: in sorted order, of the next one. */
static int prefix_of_next(char *const *codes, size_t n, size_t i)
{
    size_t len = strlen(codes[i]);
    return i + 1 < n && strlen(codes[i + 1]) > len && strncmp(codes[i + 1], codes[i], len) == 0;
}

int hsc__collect_labels(const hsc__alloc *a, const hsc__rowset *rs, const char *const *extra,
                        size_t n_extra, int prefixes, hsc__labels *out)
{
    memset(out, 0, sizeof *out);
    size_t total = rs->n_rows + n_extra;
    char **codes = hsc__calloc(a, total + 1, sizeof *codes);
    out->codes = hsc__calloc(a, total + 1, sizeof *out->codes);
    out->prefix = hsc__calloc(a, total + 1, sizeof *out->prefix);
    out->prefix_label = hsc__calloc(a, total + 1, sizeof *out->prefix_label);
    out->row_target = hsc__calloc(a, rs->n_rows + 1, sizeof *out->row_target);
    if (codes == NULL || out->codes == NULL || out->prefix == NULL || out->prefix_label == NULL ||
        out->row_target == NULL) {
        hsc__free(a, codes);
        hsc__labels_free(a, out);
        return HSC_E_NOMEM;
    }
    for (size_t i = 0; i < rs->n_rows; i++)
        codes[i] = rs->codes.data + rs->rows[i].code_off;
    for (size_t i = 0; i < n_extra; i++)
        codes[rs->n_rows + i] = (char *)extra[i];
    qsort(codes, total, sizeof *codes, cmp_str);
    size_t n = 0;
    for (size_t i = 0; i < total; i++)
        if (n == 0 || strcmp(codes[n - 1], codes[i]) != 0)
            codes[n++] = codes[i];
    for (size_t i = 0; i < n; i++) {
        if (prefixes && prefix_of_next(codes, n, i))
            out->prefix[out->n_prefix++] = codes[i];
        else
            out->codes[out->n++] = codes[i];
    }
    /* The label a prefix leads to: the first label after it in order. */
    for (uint32_t k = 0, j = 0; k < out->n_prefix; k++) {
        while (strcmp(out->codes[j], out->prefix[k]) < 0)
            j++;
        out->prefix_label[k] = j;
    }
    for (size_t i = 0; i < rs->n_rows; i++) {
        const char *c = rs->codes.data + rs->rows[i].code_off;
        char **hit = bsearch(&c, out->codes, out->n, sizeof *codes, cmp_str);
        if (hit != NULL) {
            out->row_target[i] = (uint32_t)(hit - out->codes);
        } else {
            hit = bsearch(&c, out->prefix, out->n_prefix, sizeof *codes, cmp_str);
            out->row_target[i] = out->n + (uint32_t)(hit - out->prefix);
        }
    }
    hsc__free(a, codes);
    return HSC_OK;
}

int hsc__labels_place(const hsc__alloc *a, hsc__labels *l, const hsc__tree *tree)
{
    l->target_node = hsc__calloc(a, (size_t)l->n + l->n_prefix, sizeof *l->target_node);
    if (l->target_node == NULL)
        return HSC_E_NOMEM;
    for (uint32_t i = 0; i < l->n; i++)
        l->target_node[i] = tree->label_leaf[i];
    for (uint32_t k = 0; k < l->n_prefix; k++) {
        uint32_t x = tree->label_leaf[l->prefix_label[k]];
        uint32_t digits = (uint32_t)strlen(l->prefix[k]);
        while (x != 0 && tree->nodes[x].digits > digits)
            x = tree->nodes[x].parent;
        if (tree->nodes[x].digits != digits)
            return HSC_E_INTERNAL;   /* prefixes have even lengths: always a node */
        l->target_node[l->n + k] = x;
    }
    return HSC_OK;
}

/* ---- featurizing ------------------------------------------------------------ */

typedef struct featurizer {
    const hsc__alloc *a;
    hsc__analyzer *an;
    hsc__examples *set;
    uint32_t label;
    float weight;
    double noise;          /* share of texts also learnt with trade noise */
    uint64_t *rng;
    hsc__buf noisy;
} featurizer;

/* Featurize one text into the example set; *analyzed: the analyzer
 * took the text (and still holds its analysis). */
static int add_analyzed(featurizer *fz, const char *text, size_t len, float factor,
                        int *analyzed)
{
    hsc__examples *e = fz->set;
    int st = hsc__analyze(fz->an, text, len);
    *analyzed = st == HSC_OK;
    if (st == HSC_E_NOMEM)
        return st;
    size_t nf = st == HSC_OK ? hsc__analyzer_feature_count(fz->an) : 0;
    if (nf == 0)
        return HSC_OK; /* nothing to learn from (e.g. only stopwords) */
    if (nf > UINT32_MAX)
        return HSC_E_INTERNAL;
    if (e->n == e->cap) {
        hsc__example *x = hsc__grow_array(fz->a, e->ex, &e->cap, e->n + 1, sizeof *x, 4096);
        if (x == NULL)
            return HSC_E_NOMEM;
        e->ex = x;
    }
    if (e->n_feat + nf > e->cap_feat) {
        size_t cap = e->cap_feat > 0 ? e->cap_feat : 65536;
        while (cap < e->n_feat + nf)
            cap *= 2;
        uint32_t *f = hsc__realloc_array(fz->a, e->feat, cap, sizeof *f);
        if (f != NULL)
            e->feat = f;
        uint16_t *tk = hsc__realloc_array(fz->a, e->tok, cap, sizeof *tk);
        if (tk != NULL)
            e->tok = tk;
        if (f == NULL || tk == NULL)
            return HSC_E_NOMEM;
        e->cap_feat = cap;
    }
    const hsc__feature *f = hsc__analyzer_features(fz->an);
    uint32_t n_tok = 0;
    for (size_t i = 0; i < nf; i++) {
        uint16_t tk = (uint16_t)(f[i].token < HSC__MAX_TOKENS ? f[i].token : HSC__MAX_TOKENS - 1);
        e->feat[e->n_feat + i] = f[i].bucket;
        e->tok[e->n_feat + i] = tk;
        if ((uint32_t)tk + 1 > n_tok)
            n_tok = (uint32_t)tk + 1;
    }
    e->ex[e->n] = (hsc__example){fz->label, (uint32_t)nf, e->n_feat, fz->weight * factor, n_tok,
                                 0, 0};
    e->n_feat += nf;
    e->n++;
    return HSC_OK;
}

/* Featurize one text into the example set (an hsc__emit_fn). */
static int add_example(void *user, const char *text, size_t len, float factor)
{
    int analyzed;
    return add_analyzed(user, text, len, factor, &analyzed);
}

/* With probability fz->noise, a training text also dressed in trade noise. */
static int add_noisy(featurizer *fz, const char *text, size_t len, float factor)
{
    if (!(fz->noise > 0.0))
        return HSC_OK;
    int st;
    uint64_t r = hsc__splitmix(fz->rng);
    if ((double)(r >> 11) * 0x1.0p-53 >= fz->noise)
        return HSC_OK;
    st = hsc__trade_noise(fz->a, hsc__splitmix(fz->rng), text, len, &fz->noisy);
    return st != HSC_OK ? st : add_example(fz, fz->noisy.data, fz->noisy.len, factor);
}

/* A training text, and with probability fz->noise the same text dressed
 * in trade noise (an hsc__emit_fn). */
static int add_training_text(void *user, const char *text, size_t len, float factor)
{
    featurizer *fz = user;
    int st = add_example(fz, text, len, factor);
    return st != HSC_OK ? st : add_noisy(fz, text, len, factor);
}

/* The memory keys of the analyzer's last text, sorted unique, in keys. */
static int last_keys(featurizer *fz, hsc__examples *keys_of, size_t *n_keys)
{
    size_t nf = hsc__analyzer_feature_count(fz->an);
    hsc__examples *e = keys_of;
    if (e->n_keys + nf > e->cap_keys) {
        uint32_t *k = hsc__grow_array(fz->a, e->keys, &e->cap_keys,
                                      e->n_keys + nf, sizeof *k, 65536);
        if (k == NULL)
            return HSC_E_NOMEM;
        e->keys = k;
    }
    *n_keys = hsc__prec_keys(hsc__analyzer_features(fz->an), nf, e->keys + e->n_keys);
    return HSC_OK;
}

/* One row: a held-out example with its memory keys, or training examples
 * and a precedent. */
static int featurize_row(featurizer *fz, const hsc_trainer *t, const hsc__row *row, int held_out,
                         hsc__prec_builder *mem)
{
    const hsc__rowset *rs = &t->rows;
    const char *text = rs->texts.data + row->text_off;
    size_t n_before = fz->set->n, n_keys = 0;
    int analyzed = 0;
    int st = add_analyzed(fz, text, row->text_len, 1.0f, &analyzed);
    if (st == HSC_OK && mem != NULL && held_out && fz->set->n > n_before) {
        /* the analyzer still holds this row's analysis */
        st = last_keys(fz, fz->set, &n_keys);
        hsc__example *x = &fz->set->ex[n_before];
        x->key_off = fz->set->n_keys;
        x->n_keys = (uint32_t)n_keys;
        fz->set->n_keys += n_keys;
    } else if (st == HSC_OK && mem != NULL && !held_out && analyzed) {
        /* the analyzer still holds the clean text's analysis (the noisy copy comes next) */
        hsc__examples *scratch = fz->set;   /* keys past n_keys: scratch only */
        st = last_keys(fz, scratch, &n_keys);
        if (st == HSC_OK)
            st = hsc__prec_builder_add(mem, fz->label, rs->sources[row->source],
                                       scratch->keys + scratch->n_keys, n_keys, text,
                                       row->text_len);
    }   /* a text the analyzer refuses: no precedent */
    if (st == HSC_OK && !held_out)
        st = add_noisy(fz, text, row->text_len, 1.0f);
    if (st == HSC_OK && !held_out && t->opt.augment && (row->flags & HSC_ROWS_NOMENCLATURE))
        st = hsc__augment_path(&t->alloc, text, row->text_len, add_training_text, fz);
    return st;
}

/* Held-out rows for validation and calibration: real descriptions when
 * there are enough of them, since that is what the model will be asked.
 * In national training, where most lines have one or two rows, a row is
 * held out only when its code is a label that keeps a training row: a
 * line's only row held out would leave the line untrained and measure
 * nothing but the split rule (a prefix row is never held out). */
static void choose_validation(const hsc_trainer *t, const hsc__labels *labels, uint8_t *is_valid,
                              uint64_t *rng)
{
    const hsc__rowset *rs = &t->rows;
    if (t->opt.valid_fraction <= 0.0 || rs->n_rows < 20)
        return;
    size_t n_real = 0;
    for (size_t i = 0; i < rs->n_rows; i++)
        n_real += !(rs->rows[i].flags & (HSC_ROWS_NOMENCLATURE | HSC_ROWS_SYNTHETIC));
    int real_only = n_real >= 200, national = t->opt.code_digits > 6;
    uint32_t *cand = hsc__calloc(&t->alloc, rs->n_rows, sizeof *cand);
    uint32_t *left = national ? hsc__calloc(&t->alloc, labels->n + 1, sizeof *left) : NULL;
    if (cand == NULL || (national && left == NULL)) {
        hsc__free(&t->alloc, cand);
        hsc__free(&t->alloc, left);
        return; /* validation is optional: train without it */
    }
    size_t n = 0;
    for (size_t i = 0; i < rs->n_rows; i++) {
        if (national && labels->row_target[i] < labels->n)
            left[labels->row_target[i]]++;
        if (!(rs->rows[i].flags & HSC_ROWS_SYNTHETIC) &&
            (!real_only || !(rs->rows[i].flags & HSC_ROWS_NOMENCLATURE)))
            cand[n++] = (uint32_t)i;
    }
    hsc__shuffle(cand, n, rng);
    size_t take = (size_t)((double)n * t->opt.valid_fraction + 0.5);
    for (size_t i = 0, taken = 0; i < n && taken < take; i++) {
        uint32_t target = labels->row_target[cand[i]];
        if (national && (target >= labels->n || left[target] < 2))
            continue;
        if (national)
            left[target]--;
        is_valid[cand[i]] = 1;
        taken++;
    }
    hsc__free(&t->alloc, cand);
    hsc__free(&t->alloc, left);
}

int hsc__featurize_rows(const hsc_trainer *t, const hsc__labels *labels, uint64_t *rng,
                        hsc__examples *train, hsc__examples *valid, hsc__prec_builder *mem)
{
    const hsc__rowset *rs = &t->rows;
    hsc__analyzer *an = NULL;
    hsc__runtime rt = t->rt;
    rt.max_text_bytes = UINT32_MAX; /* rows were checked when added */
    int st = hsc__analyzer_new(&t->alloc, &t->spec, &rt, &an);
    if (st != HSC_OK)
        return st;
    uint8_t *is_valid = hsc__calloc(&t->alloc, rs->n_rows, 1);
    if (is_valid == NULL) {
        hsc__analyzer_free(an);
        return HSC_E_NOMEM;
    }
    choose_validation(t, labels, is_valid, rng);
    featurizer fz = {&t->alloc, an, train, 0, 0.0f, t->opt.trade_noise, rng, {0}};
    for (size_t i = 0; i < rs->n_rows && st == HSC_OK; i++) {
        const hsc__row *row = &rs->rows[i];
        fz.set = is_valid[i] ? valid : train;
        fz.label = labels->row_target[i];
        fz.weight = row->weight;
        /* a prefix row has no label to vote for: not a precedent */
        st = featurize_row(&fz, t, row, is_valid[i], fz.label < labels->n ? mem : NULL);
    }
    hsc__buf_free(&t->alloc, &fz.noisy);
    hsc__free(&t->alloc, is_valid);
    hsc__analyzer_free(an);
    return st;
}

/* ---- features as embedding rows ----------------------------------------------- */

void hsc__examples_compact(hsc__examples *e, const uint32_t *map)
{
    size_t w = 0, kept = 0;
    for (size_t i = 0; i < e->n; i++) {
        hsc__example x = e->ex[i];
        size_t start = w;
        for (uint32_t k = 0; k < x.n_feat; k++) {
            uint32_t row = map[e->feat[x.feat_off + k]];
            if (row > 0) {
                e->tok[w] = e->tok[x.feat_off + k];
                e->feat[w++] = row - 1;
            }
        }
        if (w > start) {
            x.feat_off = start;
            x.n_feat = (uint32_t)(w - start);
            e->ex[kept++] = x;
        }
    }
    e->n = kept;
    e->n_feat = w;
}

int hsc__remap_features(const hsc__alloc *a, uint32_t buckets, uint32_t min_count,
                        const uint32_t *keep, uint32_t n_keep, hsc__examples *train,
                        hsc__examples *valid, uint32_t **row_bucket, uint32_t *n_rows)
{
    uint32_t *count = hsc__calloc(a, buckets, sizeof *count);
    if (count == NULL)
        return HSC_E_NOMEM;
    for (size_t i = 0; i < train->n_feat; i++)
        if (count[train->feat[i]] < UINT32_MAX)
            count[train->feat[i]]++;
    for (uint32_t i = 0; i < n_keep; i++)
        if (keep[i] < buckets)
            count[keep[i]] = UINT32_MAX;
    uint32_t min = min_count > 0 ? min_count : 1, n = 0;
    for (uint32_t b = 0; b < buckets; b++)
        n += count[b] >= min;
    uint32_t *rb = hsc__calloc(a, n > 0 ? n : 1, sizeof *rb);
    if (rb == NULL) {
        hsc__free(a, count);
        return HSC_E_NOMEM;
    }
    /* count[] becomes bucket -> row + 1 (0: dropped). */
    uint32_t r = 0;
    for (uint32_t b = 0; b < buckets; b++) {
        if (count[b] >= min) {
            rb[r++] = b;
            count[b] = r;
        } else {
            count[b] = 0;
        }
    }
    hsc__examples_compact(train, count);
    hsc__examples_compact(valid, count);
    hsc__free(a, count);
    *row_bucket = rb;
    *n_rows = n;
    return HSC_OK;
}

void hsc__embed_mean(const float *emb, uint32_t dim, const uint32_t *f, uint32_t n, float *h)
{
    memset(h, 0, dim * sizeof *h);
    for (uint32_t k = 0; k < n; k++) {
        const float *row = emb + (size_t)f[k] * dim;
        for (uint32_t d = 0; d < dim; d++)
            h[d] += row[d];
    }
    float inv = 1.0f / (float)n;
    for (uint32_t d = 0; d < dim; d++)
        h[d] *= inv;
}

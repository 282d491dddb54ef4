/* session.c - hsc_session: per-thread analyzer, search scratch and borrowed
 * results (tokens, top-k codes at every level of the HS tree, the review
 * decision and explanations), plus the session's constraint. */
#include <stdlib.h>
#include <string.h>

#include "constraint.h"
#include "explain.h"
#include "review.h"

#define MAX_LEVELS 9 /* label level + up to 8 tree levels */

typedef struct level_results {
    uint32_t digits;    /* 0: label level */
    uint32_t n;
    uint32_t *nodes;    /* k entries */
    double *probs;
    size_t *code_off;   /* NUL-terminated codes in codes pool */
} level_results;

#define PENDING_ROWS 64u   /* rows added to h together (hsc__add_q_rows) */

struct hsc_session {
    hsc__alloc alloc;
    hsc_model *model;          /* NULL for tokenizer-only sessions */
    hsc__runtime rt;
    double accept_threshold;
    hsc__analyzer *an;
    hsc__search search;
    hsc__ranker ranker;
    hsc__prec_search prec;     /* nearest precedents of the last classify */
    /* the last text's features, walked as the analyzer makes them again
     * from its tokens: nothing per feature is kept (a long text has ~18 per
     * word) */
    float *h;                  /* mean of their rows */
    uint32_t found;            /* features with a row */
    uint32_t n_pending;        /* rows found, not yet added to h */
    uint32_t pending[PENDING_ROWS];
    hsc__keyset keys;          /* their precedent-memory keys, sorted unique */
    uint8_t *known;            /* a bit per token: one of its features has a row */
    size_t known_cap;          /* bytes */
    uint32_t k_cap;
    uint32_t n_levels;
    level_results levels[MAX_LEVELS];
    uint32_t same_as_labels;   /* a level whose nodes are the labels (0: none) */
    hsc__buf codes;
    char detail[160];
    /* review decision of the last classify */
    int classified;            /* results are from a classify (maybe empty) */
    uint32_t decision, reason;
    /* the last classify's ranking, to score any code afterwards */
    hsc__calib calib;
    uint32_t best;
    double z;
    double audit_threshold;
    /* constraint (n_prefixes 0: none), and the scratch of the unconstrained
     * ranking that decides under it (set up with the first constraint) */
    hsc__constraint constraint;
    int free_ready;
    hsc__search free_search;
    hsc__prec_search free_prec;
    /* explanation of one result: the tokens with a known feature, by weight */
    int explained;
    hsc__explain_items ex;
    float *scratch;            /* 2 * dim: the score's direction, a feature's row */
    double explain_total;
};

static void free_levels(hsc_session *s)
{
    for (uint32_t i = 0; i < MAX_LEVELS; i++) {
        hsc__free(&s->alloc, s->levels[i].nodes);
        hsc__free(&s->alloc, s->levels[i].probs);
        hsc__free(&s->alloc, s->levels[i].code_off);
        s->levels[i].nodes = NULL;
        s->levels[i].probs = NULL;
        s->levels[i].code_off = NULL;
        s->levels[i].n = 0;
    }
    s->k_cap = 0;
}

void hsc_session_free(hsc_session *s)
{
    if (s == NULL)
        return;
    hsc__alloc a = s->alloc;
    free_levels(s);
    hsc__search_free(&s->search);
    hsc__ranker_free(&s->ranker);
    hsc__prec_search_free(&s->prec);
    hsc__search_free(&s->free_search);
    hsc__prec_search_free(&s->free_prec);
    hsc__analyzer_free(s->an);
    hsc__buf_free(&a, &s->codes);
    hsc__free(&a, s->h);
    hsc__keyset_free(&a, &s->keys);
    hsc__free(&a, s->known);
    hsc__constraint_free(&a, &s->constraint);
    hsc__explain_items_free(&s->ex);
    hsc__free(&a, s->scratch);
    if (s->model != NULL)
        hsc__model_release(s->model);
    hsc__free(&a, s);
}

/* The level of the tree whose nodes are exactly the labels (every label at
 * those digits, every node there a label), when no label is below a
 * subheading (where the label level ranks by the subheading rule): its
 * results are the label level's, so they are not ranked twice. 0: none. */
static uint32_t same_as_labels(const hsc_model *m, const level_results *levels, uint32_t n_levels)
{
    const hsc__tree *t = &m->tree;
    if (hsc__tree_below_subheadings(t) || t->label_leaf == NULL || m->n_labels == 0)
        return 0;
    uint32_t digits = t->nodes[t->label_leaf[0]].digits;
    for (uint32_t n = 1; n < t->n_nodes; n++)
        if ((t->nodes[n].label != UINT32_MAX) != (t->nodes[n].digits == digits))
            return 0;
    for (uint32_t i = 1; i < n_levels; i++)
        if (levels[i].digits == digits)
            return i;
    return 0;
}

hsc_status hsc_session_new(hsc_model *model, const hsc_config *cfg, hsc_session **out)
{
    if (out == NULL)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    hsc_config defaults;
    cfg = hsc__config_or_defaults(cfg, &defaults);
    const hsc__alloc *a = &cfg->alloc;
    hsc_session *s = hsc__calloc(a, 1, sizeof *s);
    if (s == NULL)
        return HSC_E_NOMEM;
    s->alloc = *a;
    s->rt = cfg->rt;
    s->accept_threshold = cfg->accept_threshold;
    s->audit_threshold = cfg->audit_threshold;
    const hsc__textspec *spec = &cfg->spec;
    if (model != NULL) {
        hsc__model_retain(model);
        s->model = model;
        spec = &model->spec;
        if (s->accept_threshold < 0)
            s->accept_threshold = model->accept_threshold;
    }
    int st = hsc__analyzer_new(a, spec, &s->rt, &s->an);
    if (st == HSC_OK)
        hsc__analyzer_keep_features(s->an, 0);
    if (st == HSC_OK && model != NULL) {
        st = hsc__search_init(&s->search, a, &model->tree);
        hsc__ranker_init(&s->ranker, a);
        if (st == HSC_OK)
            st = hsc__prec_search_init(&s->prec, a, &model->prec);
        s->h = hsc__calloc(a, model->dim, sizeof *s->h);
        s->scratch = hsc__calloc(a, 2 * (size_t)model->dim, sizeof *s->scratch);
        if (st == HSC_OK && (s->h == NULL || s->scratch == NULL))
            st = HSC_E_NOMEM;
        /* The levels a result can be asked for: labels, then each tree level. */
        s->levels[0].digits = 0;
        s->n_levels = 1;
        for (uint32_t i = 0; i < model->tree.n_levels && s->n_levels < MAX_LEVELS; i++)
            s->levels[s->n_levels++].digits = model->tree.level_digits[i];
        s->same_as_labels = same_as_labels(model, s->levels, s->n_levels);
    }
    if (st != HSC_OK) {
        hsc_session_free(s);
        return st;
    }
    *out = s;
    return HSC_OK;
}

const char *hsc_session_last_error_detail(const hsc_session *s)
{
    return s != NULL ? s->detail : "";
}

static void set_detail(hsc_session *s, int st)
{
    s->detail[0] = '\0';
    if (st != HSC_OK && s->an != NULL) {
        const char *d = hsc__analyzer_error_detail(s->an);
        if (d != NULL) {
            size_t n = strlen(d);
            if (n >= sizeof s->detail)
                n = sizeof s->detail - 1;
            memcpy(s->detail, d, n);
            s->detail[n] = '\0';
        }
    }
}

static void clear_results(hsc_session *s)
{
    for (uint32_t i = 0; i < s->n_levels; i++)
        s->levels[i].n = 0;
    s->classified = 0;
    s->decision = HSC_DECISION_NONE;
    s->reason = HSC_REASON_NONE;
    s->explained = 0;
    hsc__explain_items_clear(&s->ex);
    s->prec.n_hits = 0;
    s->prec.n_votes = 0;
}

hsc_status hsc_session_tokenize(hsc_session *s, const char *text, size_t len)
{
    if (s == NULL || (text == NULL && len))
        return HSC_E_INVALID_ARG;
    clear_results(s);
    int st = hsc__analyze(s->an, text != NULL ? text : "", len);
    set_detail(s, st);
    return st;
}

size_t hsc_session_token_count(const hsc_session *s)
{
    return s != NULL ? hsc__analyzer_token_count(s->an) : 0;
}

/* Token i into *t; 0 past the last. */
static int token_at(const hsc_session *s, size_t i, hsc__token *t)
{
    if (s == NULL || i >= hsc__analyzer_token_count(s->an))
        return 0;
    *t = hsc__analyzer_token(s->an, i);
    return 1;
}

hsc_status hsc_session_token(const hsc_session *s, size_t index, const char **norm, uint32_t *type,
                             uint32_t *flags)
{
    if (s == NULL)
        return HSC_E_INVALID_ARG;
    hsc__token tok;
    const hsc__token *t = &tok;
    if (!token_at(s, index, &tok))
        return HSC_E_NO_RESULT;
    if (norm != NULL)
        *norm = hsc__analyzer_pool(s->an) + t->norm_off;
    if (type != NULL)
        *type = t->type;
    if (flags != NULL)
        *flags = t->flags;
    return HSC_OK;
}

hsc_status hsc_session_token_stems(const hsc_session *s, size_t index, const char **stems)
{
    if (s == NULL || stems == NULL)
        return HSC_E_INVALID_ARG;
    hsc__token tok;
    const hsc__token *t = &tok;
    if (!token_at(s, index, &tok))
        return HSC_E_NO_RESULT;
    *stems = hsc__token_stems(hsc__analyzer_pool(s->an), t);
    return HSC_OK;
}

hsc_status hsc_session_token_span(const hsc_session *s, size_t index, size_t *offset,
                                  size_t *length)
{
    if (s == NULL)
        return HSC_E_INVALID_ARG;
    hsc__token tok;
    const hsc__token *t = &tok;
    if (!token_at(s, index, &tok))
        return HSC_E_NO_RESULT;
    if (offset != NULL)
        *offset = t->src_off;
    if (length != NULL)
        *length = t->src_len;
    return HSC_OK;
}

static int ensure_k(hsc_session *s, uint32_t k)
{
    if (k <= s->k_cap)
        return HSC_OK;
    for (uint32_t i = 0; i < s->n_levels; i++) {
        level_results *lv = &s->levels[i];
        uint32_t *n = hsc__realloc_array(&s->alloc, lv->nodes, k, sizeof *n);
        if (n != NULL)
            lv->nodes = n;
        double *p = hsc__realloc_array(&s->alloc, lv->probs, k, sizeof *p);
        if (p != NULL)
            lv->probs = p;
        size_t *c = hsc__realloc_array(&s->alloc, lv->code_off, k, sizeof *c);
        if (c != NULL)
            lv->code_off = c;
        if (n == NULL || p == NULL || c == NULL)
            return HSC_E_NOMEM;
    }
    s->k_cap = k;
    return HSC_OK;
}

/* Copy each result's code (a prefix of a label) as a NUL-terminated string. */
static int store_codes(hsc_session *s, level_results *lv)
{
    const hsc_model *m = s->model;
    for (uint32_t i = 0; i < lv->n; i++) {
        const hsc__node *node = &m->tree.nodes[lv->nodes[i]];
        lv->code_off[i] = s->codes.len;
        int st = hsc__buf_append(&s->alloc, &s->codes, m->label_pool + node->code_off,
                                 node->digits);
        if (st == HSC_OK)
            st = hsc__buf_append(&s->alloc, &s->codes, "", 1);
        if (st != HSC_OK)
            return st;
    }
    return HSC_OK;
}

/* Accept or review: the content words first, then the calibrated top-1
 * probability against the threshold. Under a constraint, free_p is the
 * best allowed code's probability without it (the threshold was fitted on
 * those: renormalized over one allowed code, any text would be certain)
 * and free_first says whether that code is also the model's own best; when
 * it is not, the constraint is the reason for a review. */
static void decide(hsc_session *s, const hsc__content *c, int constrained, double free_p,
                   int free_first)
{
    s->decision = HSC_DECISION_REVIEW;
    const level_results *labels = &s->levels[0];
    double p = labels->n > 0 ? (constrained ? free_p : labels->probs[0]) : 0.0;
    if (c->content == 0)
        s->reason = c->vague ? HSC_REASON_VAGUE : HSC_REASON_NO_CONTENT;
    else if (c->known == 0)
        s->reason = HSC_REASON_UNKNOWN_WORDS;
    else if (labels->n == 0)
        s->reason = constrained ? HSC_REASON_CONSTRAINT : HSC_REASON_UNKNOWN_WORDS;
    else if (p < s->accept_threshold)
        s->reason = constrained && !free_first ? HSC_REASON_CONSTRAINT : HSC_REASON_LOW_CONFIDENCE;
    else
        s->decision = HSC_DECISION_ACCEPT, s->reason = HSC_REASON_CONFIDENT;
}

/* The final probability of label leaf node for the current text without
 * the constraint: the same ranking (votes of every precedent, calibration
 * by the unconstrained best two) in the session's second scratch, so the
 * constrained results and their search stay as they are. */
static int unconstrained_prob(hsc_session *s, const hsc__outw *w, uint32_t node, double *p,
                              uint64_t *place)
{
    const hsc_model *m = s->model;
    hsc__search_begin(&s->free_search);
    s->free_search.mask = NULL;
    int st = HSC_OK;
    s->free_prec.n_votes = 0;
    if (m->prec.n_rows > 0)
        st = hsc__prec_find_keys(&s->free_prec, &m->prec, s->keys.keys, s->keys.n, NULL, NULL);
    hsc__rank_query rq = {&m->tree, w, &s->free_search, s->h, 1.0,
                          {s->free_prec.n_votes, s->free_prec.vote_label, s->free_prec.vote},
                          &m->scoring, {0, 0, 1}, 0};
    uint32_t top[2];
    double top_p[2];
    uint32_t n = 0;
    if (st == HSC_OK && m->scoring.on)   /* sets the calibration and the best label */
        st = hsc__rank_level(&s->ranker, &rq, 0, 1, top, top_p, &n);
    if (st == HSC_OK)
        st = hsc__rank_node(&s->ranker, &rq, 0, node, NULL, p, place);
    return st;
}

/* Precedents under a constraint: only rows whose code is allowed vote. */
static int allowed(const void *user, uint32_t label)
{
    const hsc_session *s = user;
    return s->constraint.mask[s->model->tree.label_leaf[label]] == 2;
}

static void add_pending(hsc_session *s)
{
    const hsc_model *m = s->model;
    hsc__add_q_rows(s->h, m->row_q, m->row_scale, s->pending, s->n_pending, m->dim);
    s->n_pending = 0;
}

/* One feature of the text: its row into h (in batches, in the features'
 * order), its key into the set. */
static int take_feature(void *user, const hsc__feature *f)
{
    hsc_session *s = user;
    const hsc_model *m = s->model;
    int64_t r = hsc__model_find_row(m, f->bucket);
    if (r >= 0) {
        s->pending[s->n_pending++] = (uint32_t)r;
        if (s->n_pending == PENDING_ROWS)
            add_pending(s);
        s->found++;
        if (f->token / 8 < s->known_cap)
            s->known[f->token / 8] |= (uint8_t)(1u << (f->token % 8));
    }
    if (f->key == 0 || m->prec.n_rows == 0)
        return HSC_OK;
    return hsc__keyset_add(&s->alloc, &s->keys, f->key);
}

/* h, the known tokens and the memory keys of the analyzed text. */
static int walk_features(hsc_session *s)
{
    size_t bytes = hsc__analyzer_token_count(s->an) / 8 + 1;
    if (bytes > s->known_cap) {
        uint8_t *k = hsc__realloc(&s->alloc, s->known, bytes);
        if (k == NULL)
            return HSC_E_NOMEM;
        s->known = k;
        s->known_cap = bytes;
    }
    memset(s->known, 0, bytes);
    memset(s->h, 0, s->model->dim * sizeof *s->h);
    s->found = 0;
    s->n_pending = 0;
    s->keys.n = 0;
    int st = hsc__analyzer_each_feature(s->an, take_feature, s);
    add_pending(s);
    hsc__model_embed_mean(s->model, s->h, s->found);
    hsc__keyset_finish(&s->keys);
    return st;
}

hsc_status hsc_session_classify(hsc_session *s, const char *text, size_t len, uint32_t k)
{
    if (s == NULL || (text == NULL && len) || k == 0)
        return HSC_E_INVALID_ARG;
    clear_results(s);
    if (s->model == NULL)
        return HSC_E_STATE;
    int st = hsc__analyze(s->an, text != NULL ? text : "", len);
    set_detail(s, st);
    if (st != HSC_OK)
        return st;
    const hsc_model *m = s->model;
    if (k > m->n_labels)
        k = m->n_labels;
    st = ensure_k(s, k);
    if (st == HSC_OK)
        st = walk_features(s);
    if (st != HSC_OK)
        return st;
    hsc__content content;
    hsc__review_content(m, s->an, s->known, &content);
    int constrained = s->constraint.n_prefixes > 0;
    s->classified = 1;
    if (s->found == 0) { /* nothing the model knows: no suggestion at all */
        decide(s, &content, constrained, 0.0, 0);
        return HSC_OK;
    }
    hsc__outw w = hsc__model_outw(m);
    hsc__search_begin(&s->search);
    s->search.mask = NULL;
    double z = 1.0;
    if (constrained)
        hsc__constraint_begin(&s->constraint, &s->search, &m->tree, &w, s->h, &z);
    if (m->prec.n_rows > 0)
        st = hsc__prec_find_keys(&s->prec, &m->prec, s->keys.keys, s->keys.n,
                                 constrained ? allowed : NULL, s);
    hsc__rank_query rq = {&m->tree, &w, &s->search, s->h, z,
                          {s->prec.n_votes, s->prec.vote_label, s->prec.vote}, &m->scoring,
                          {0, 0, 1}, 0};
    s->codes.len = 0;
    for (uint32_t i = 0; i < s->n_levels && st == HSC_OK; i++) {
        level_results *lv = &s->levels[i];
        if (!(z > 0.0))
            break;   /* the constraint leaves nothing (or less than a double can hold) */
        if (i > 0 && i == s->same_as_labels) {
            lv->n = s->levels[0].n;
            memcpy(lv->nodes, s->levels[0].nodes, lv->n * sizeof *lv->nodes);
            memcpy(lv->probs, s->levels[0].probs, lv->n * sizeof *lv->probs);
        } else {
            if (m->scoring.on)
                st = hsc__rank_level(&s->ranker, &rq, lv->digits, k, lv->nodes, lv->probs,
                                     &lv->n);
            else
                st = hsc__search_topk(&s->search, &m->tree, &w, s->h, lv->digits, k, lv->nodes,
                                      lv->probs, &lv->n);
            for (uint32_t r = 0; r < lv->n && constrained && !m->scoring.on; r++)
                lv->probs[r] = lv->probs[r] / z > 1.0 ? 1.0 : lv->probs[r] / z;
        }
        if (st == HSC_OK)
            st = store_codes(s, lv);
    }
    s->search.mask = NULL;
    if (st != HSC_OK) {
        clear_results(s);
        return st;
    }
    s->calib = rq.calib;
    s->best = rq.best;
    s->z = z;
    double free_p = 0.0;
    uint64_t free_place = 0;
    if (constrained && s->levels[0].n > 0)
        st = unconstrained_prob(s, &w, s->levels[0].nodes[0], &free_p, &free_place);
    if (st != HSC_OK) {
        clear_results(s);
        return st;
    }
    decide(s, &content, constrained, free_p, free_place == 1);
    return HSC_OK;
}

static const level_results *level_of(const hsc_session *s, uint32_t digits)
{
    for (uint32_t i = 0; i < s->n_levels; i++)
        if (s->levels[i].digits == digits)
            return &s->levels[i];
    return NULL;
}

hsc_status hsc_session_result_count(const hsc_session *s, uint32_t digits, size_t *out)
{
    if (s == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = 0;
    if (s->model == NULL)
        return HSC_E_STATE;
    const level_results *lv = level_of(s, digits);
    if (lv == NULL)
        return HSC_E_INVALID_ARG;
    *out = lv->n;
    return HSC_OK;
}

hsc_status hsc_session_result(const hsc_session *s, uint32_t digits, size_t index,
                              const char **code, double *probability)
{
    if (s == NULL)
        return HSC_E_INVALID_ARG;
    if (s->model == NULL)
        return HSC_E_STATE;
    const level_results *lv = level_of(s, digits);
    if (lv == NULL)
        return HSC_E_INVALID_ARG;
    if (index >= lv->n)
        return HSC_E_NO_RESULT;
    if (code != NULL)
        *code = s->codes.data + lv->code_off[index];
    if (probability != NULL)
        *probability = lv->probs[index];
    return HSC_OK;
}

/* ---- any code's score ------------------------------------------------------ */

/* The node of level digits (0: labels) for the code digits c[0..n): found
 * below the first label with that prefix (labels are sorted, a label
 * before its extensions); UINT32_MAX when the model has none. */
static uint32_t node_of_code(const hsc_model *m, const char *c, size_t n, uint32_t digits)
{
    uint32_t lo = 0, hi = m->n_labels;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strncmp(m->labels[mid], c, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == m->n_labels || strncmp(m->labels[lo], c, n) != 0)
        return UINT32_MAX;
    const hsc__tree *t = &m->tree;
    uint32_t x = t->label_leaf[lo];
    if (digits == 0)
        return m->labels[lo][n] == '\0' ? x : UINT32_MAX;
    while (x != 0 && t->nodes[x].digits > digits)
        x = t->nodes[x].parent;
    if (x != 0 && !hsc__search_terminal(t, x, digits))
        x = t->nodes[x].parent;   /* a label leaf under the node of its own code */
    return x != 0 && hsc__search_terminal(t, x, digits) ? x : UINT32_MAX;
}

hsc_status hsc_session_code_score(hsc_session *s, const char *code, size_t len, uint32_t digits,
                                  double *probability, uint64_t *rank)
{
    double p_unused;
    uint64_t rank_unused;
    if (s == NULL || (code == NULL && len))
        return HSC_E_INVALID_ARG;
    if (probability == NULL)
        probability = &p_unused;
    if (rank == NULL)
        rank = &rank_unused;
    *probability = 0.0;
    *rank = 0;
    if (s->model == NULL || !s->classified)
        return HSC_E_STATE;
    if (level_of(s, digits) == NULL)
        return HSC_E_INVALID_ARG;
    char c[HSC__CODE_CAP];
    size_t n;
    if (hsc__code_parse(code != NULL ? code : "", len, c, &n) != HSC__CODE_OK || n < 2 ||
        n < digits)
        return HSC_E_BAD_CODE;
    const hsc_model *m = s->model;
    uint32_t node = node_of_code(m, c, digits > 0 ? digits : n, digits);
    const uint8_t *mask = s->constraint.n_prefixes > 0 ? s->constraint.mask : NULL;
    if (s->levels[0].n == 0 || node == UINT32_MAX || (mask != NULL && mask[node] == 0))
        return HSC_OK;   /* no suggestion, no such code, or outside the constraint */
    hsc__outw w = hsc__model_outw(m);
    hsc__rank_query rq = {&m->tree, &w, &s->search, s->h, s->z,
                          {s->prec.n_votes, s->prec.vote_label, s->prec.vote}, &m->scoring,
                          s->calib, s->best};
    return hsc__rank_node(&s->ranker, &rq, digits, node, mask, probability, rank);
}

hsc_status hsc_session_audit(hsc_session *s, const char *code, size_t len, uint32_t *verdict,
                             double *probability, uint32_t *digits)
{
    uint32_t unused;
    if (s == NULL || (code == NULL && len))
        return HSC_E_INVALID_ARG;
    if (verdict == NULL)
        verdict = &unused;
    *verdict = HSC_AUDIT_NONE;
    if (s->model == NULL || !s->classified)
        return HSC_E_STATE;
    char c[HSC__CODE_CAP];
    size_t n;
    if (hsc__code_parse(code != NULL ? code : "", len, c, &n) != HSC__CODE_OK || n < 2)
        return HSC_E_BAD_CODE;
    /* The deepest level of the model within the declared code and HS6. */
    uint32_t level = 0;
    for (uint32_t i = 1; i < s->n_levels; i++)
        if (s->levels[i].digits <= n && s->levels[i].digits <= 6)
            level = s->levels[i].digits;
    if (level == 0)
        return HSC_E_BAD_CODE;
    double p;
    int st = hsc_session_code_score(s, c, n, level, &p, NULL);   /* no rank: the costly part */
    if (st != HSC_OK)
        return st;
    if (probability != NULL)
        *probability = p;
    if (digits != NULL)
        *digits = level;
    int checkable = s->reason == HSC_REASON_CONFIDENT || s->reason == HSC_REASON_LOW_CONFIDENCE;
    *verdict = !checkable ? HSC_AUDIT_UNCHECKED
             : p < s->audit_threshold ? HSC_AUDIT_SUSPECT : HSC_AUDIT_CONSISTENT;
    return HSC_OK;
}

hsc_status hsc_session_audit_threshold(const hsc_session *s, double *out)
{
    if (s == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = s->audit_threshold;
    return HSC_OK;
}

/* ---- precedents ----------------------------------------------------------------- */

hsc_status hsc_session_precedent_count(const hsc_session *s, size_t *out)
{
    if (s == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = 0;
    if (s->model == NULL || !s->classified)
        return HSC_E_STATE;
    *out = s->prec.n_hits;
    return HSC_OK;
}

hsc_status hsc_session_precedent(const hsc_session *s, size_t index, const char **code,
                                 double *similarity, const char **text, const char **source)
{
    if (s == NULL)
        return HSC_E_INVALID_ARG;
    if (s->model == NULL || !s->classified)
        return HSC_E_STATE;
    if (index >= s->prec.n_hits)
        return HSC_E_NO_RESULT;
    const hsc__prec *p = &s->model->prec;
    uint32_t row = s->prec.hits[index].row;
    if (code != NULL)
        *code = s->model->labels[p->row_label[row]];
    if (similarity != NULL)
        *similarity = s->prec.hits[index].sim;
    if (text != NULL)
        *text = p->text_off != NULL ? p->text_pool + p->text_off[row] : NULL;
    if (source != NULL)
        *source = p->sources[p->row_source[row]];
    return HSC_OK;
}

/* ---- review decisions ------------------------------------------------------ */

hsc_status hsc_session_decision(const hsc_session *s, uint32_t *decision, uint32_t *reason)
{
    uint32_t unused;
    if (s == NULL)
        return HSC_E_INVALID_ARG;
    if (decision == NULL)
        decision = &unused;
    *decision = HSC_DECISION_NONE;
    if (reason != NULL)
        *reason = HSC_REASON_NONE;
    if (s->model == NULL)
        return HSC_E_STATE;
    if (!s->classified)
        return HSC_E_STATE;
    *decision = s->decision;
    if (reason != NULL)
        *reason = s->reason;
    return HSC_OK;
}

hsc_status hsc_session_accept_threshold(const hsc_session *s, double *out)
{
    if (s == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    if (s->model == NULL)
        return HSC_E_STATE;
    *out = s->accept_threshold;
    return HSC_OK;
}

const char *hsc_decision_reason_string(uint32_t reason)
{
    static const char *const names[] = {
        "none",
        "confident: the best code reaches the threshold",
        "low confidence: the best code is below the threshold",
        "no content: nothing but numbers, units or function words",
        "vague: only generic words (goods, parts, samples...)",
        "unknown words: the model has never seen the content words",
        "constraint: no code within the allowed chapters or headings, or the text points "
        "elsewhere",
    };
    return reason < sizeof names / sizeof names[0] ? names[reason] : "unknown reason";
}

/* ---- constraints ------------------------------------------------------------ */

hsc_status hsc_session_set_constraint(hsc_session *s, const char *prefixes, size_t len)
{
    if (s == NULL || (prefixes == NULL && len))
        return HSC_E_INVALID_ARG;
    if (s->model == NULL)
        return HSC_E_STATE;
    int st = hsc__constraint_set(&s->alloc, &s->constraint, s->model,
                                 prefixes != NULL ? prefixes : "", len);
    if (st == HSC_OK && s->constraint.n_prefixes > 0 && !s->free_ready) {
        st = hsc__search_init(&s->free_search, &s->alloc, &s->model->tree);
        if (st == HSC_OK)
            st = hsc__prec_search_init(&s->free_prec, &s->alloc, &s->model->prec);
        if (st != HSC_OK) {   /* no half-usable constraint */
            hsc__search_free(&s->free_search);
            hsc__prec_search_free(&s->free_prec);
            hsc__constraint_set(&s->alloc, &s->constraint, s->model, "", 0);
        }
        s->free_ready = st == HSC_OK;
    }
    if (st == HSC_OK)
        clear_results(s);
    return st;
}

/* ---- explanations ------------------------------------------------------------ */

/* Shares of each feature of the text, folded onto the tokens. */
static int explain_feature(void *user, const hsc__feature *f)
{
    hsc_session *s = user;
    uint32_t dim = s->model->dim;
    double c;
    if (!hsc__explain_feature(s->model, s->scratch, f->bucket, s->found, s->scratch + dim, &c))
        return HSC_OK;
    s->explain_total += c;
    return hsc__explain_items_add(&s->ex, f->token, c);
}

hsc_status hsc_session_explain(hsc_session *s, uint32_t digits, size_t index)
{
    if (s == NULL)
        return HSC_E_INVALID_ARG;
    if (s->model == NULL || !s->classified)
        return HSC_E_STATE;
    const level_results *lv = level_of(s, digits);
    if (lv == NULL)
        return HSC_E_INVALID_ARG;
    if (index >= lv->n)
        return HSC_E_NO_RESULT;
    s->explained = 0;
    s->explain_total = 0.0;
    int st = hsc__explain_items_begin(&s->ex, &s->alloc, hsc__analyzer_token_count(s->an));
    if (st != HSC_OK)
        return st;
    hsc__explain_begin(s->model, lv->nodes[index], s->h, s->scratch);
    st = hsc__analyzer_each_feature(s->an, explain_feature, s);
    if (st == HSC_OK)
        st = hsc__explain_items_finish(&s->ex);
    if (st != HSC_OK)
        return st;
    s->explained = 1;
    return HSC_OK;
}

hsc_status hsc_session_explain_count(const hsc_session *s, size_t *out)
{
    if (s == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = 0;
    if (!s->explained)
        return HSC_E_STATE;
    *out = hsc__explain_items_count(&s->ex);
    return HSC_OK;
}

hsc_status hsc_session_explain_item(const hsc_session *s, size_t index, size_t *token_index,
                                    double *weight)
{
    if (s == NULL)
        return HSC_E_INVALID_ARG;
    if (!s->explained)
        return HSC_E_STATE;
    if (index >= hsc__explain_items_count(&s->ex))
        return HSC_E_NO_RESULT;
    size_t t;
    double w;
    hsc__explain_items_get(&s->ex, index, &t, &w);
    if (token_index != NULL)
        *token_index = t;
    if (weight != NULL)
        *weight = w;
    return HSC_OK;
}

hsc_status hsc_session_explain_total(const hsc_session *s, double *score)
{
    if (s == NULL || score == NULL)
        return HSC_E_INVALID_ARG;
    if (!s->explained)
        return HSC_E_STATE;
    *score = s->explain_total;
    return HSC_OK;
}

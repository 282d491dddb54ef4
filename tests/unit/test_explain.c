/* test_explain.c - what a reviewer sees besides the codes: word-by-word
 * explanations (checked against an independent computation from the
 * model's weights), review decisions, constraints, and the threshold and
 * calibration error fitted at training time (hsc_eval itself: test_eval.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "explain.h"
#include "review.h"
#include "test_util.h"

static hsc_model *model;

static hsc_config *small_config(void)
{
    hsc_config *cfg = NULL;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_DIM, 24), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 6), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 1u << 20), HSC_OK);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "en,fr"), HSC_OK);
    return cfg;
}

static hsc_status train(hsc_config *cfg, hsc_model **out)
{
    hsc_trainer *t = NULL;
    hsc_status st = hsc_trainer_new(cfg, &t);
    if (!st)
        st = hsc_trainer_add_file(t, test_data_path("train_nomenclature.tsv"), 1.0,
                                  HSC_ROWS_NOMENCLATURE);
    if (!st)
        st = hsc_trainer_add_file(t, test_data_path("train_real.tsv"), 3.0, 0);
    if (!st)
        st = hsc_trainer_train(t, out);
    hsc_trainer_free(t);
    return st;
}

static int setup(void **state)
{
    (void)state;
    hsc_config *cfg = small_config();
    hsc_status st = train(cfg, &model);
    hsc_config_free(cfg);
    return st == HSC_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hsc_model_free(model);
    return 0;
}

static hsc_session *session_with_threshold(double thr)
{
    hsc_config *cfg;
    hsc_session *s;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    if (thr >= 0)
        assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, thr), HSC_OK);
    assert_int_equal(hsc_session_new(model, cfg, &s), HSC_OK);
    hsc_config_free(cfg);
    return s;
}

static void classify(hsc_session *s, const char *text, uint32_t k)
{
    assert_int_equal(hsc_session_classify(s, text, strlen(text), k), HSC_OK);
}

/* ---- explanations ------------------------------------------------------------ */

/* The tree node of a result code at a level (0: the label's leaf). */
static uint32_t node_of(const char *code, uint32_t digits)
{
    const hsc__tree *t = &model->tree;
    if (digits == 0) {
        for (uint32_t i = 0; i < model->n_labels; i++)
            if (strcmp(model->labels[i], code) == 0)
                return t->label_leaf[i];
        fail();
    }
    for (uint32_t n = 1; n < t->n_nodes; n++) {
        const hsc__node *x = &t->nodes[n];
        if (x->digits == digits && t->nodes[x->parent].digits < digits &&
            memcmp(model->label_pool + x->code_off, code, digits) == 0)
            return n;
    }
    fail();
    return 0;
}

static double logit(uint32_t n, const float *h)
{
    float inv_t = (float)(1.0 / model->temperature);
    return (double)(hsc__dot_q(model->out_q + (size_t)n * model->dim, h, model->dim) *
                    model->out_scale[n] * inv_t);
}

/* Explained score of node, from the logits for the whole text's h (which
 * set the alternatives' weights) applied to the embedding part: the sum
 * over the steps of z_x(part) - sum_{c != x} q_c z_c(part). */
static double contrast(uint32_t node, const float *h_text, const float *part)
{
    const hsc__tree *t = &model->tree;
    double s = 0.0;
    for (uint32_t x = node; t->nodes[x].parent != UINT32_MAX; x = t->nodes[x].parent) {
        const hsc__node *p = &t->nodes[t->nodes[x].parent];
        if (p->n_children < 2)
            continue;
        double den = 0.0, alt = 0.0;
        for (uint32_t c = 0; c < p->n_children; c++) {
            uint32_t n = p->first_child + c;
            if (n != x)
                den += exp(logit(n, h_text));
        }
        for (uint32_t c = 0; c < p->n_children; c++) {
            uint32_t n = p->first_child + c;
            if (n != x)
                alt += exp(logit(n, h_text)) / den * logit(n, part);
        }
        s += logit(x, part) - alt;
    }
    return s;
}

/* h from the features of one token only (others 0), divided by the number
 * of known features of the whole text: that token's share of h. */
static void token_share(const hsc__analyzer *an, long token, float *h)
{
    const hsc__feature *f = hsc__analyzer_features(an);
    size_t nf = hsc__analyzer_feature_count(an), found = 0;
    memset(h, 0, model->dim * sizeof *h);
    for (size_t i = 0; i < nf; i++) {
        int64_t r = hsc__model_find_row(model, f[i].bucket);
        if (r < 0)
            continue;
        found++;
        if (token >= 0 && f[i].token != (uint32_t)token)
            continue;
        for (uint32_t d = 0; d < model->dim; d++)
            h[d] += (float)model->row_q[(size_t)r * model->dim + d] * model->row_scale[r];
    }
    for (uint32_t d = 0; d < model->dim && found; d++)
        h[d] /= (float)found;
}

static void check_exact(const char *text)
{
    hsc_session *s = session_with_threshold(-1);
    hsc__analyzer *an;
    hsc__runtime rt = {65536, 0, 100000};
    assert_int_equal(hsc__analyzer_new(&model->alloc, &model->spec, &rt, &an), HSC_OK);
    assert_int_equal(hsc__analyze(an, text, strlen(text)), HSC_OK);
    float *h = calloc(model->dim, sizeof *h), *h_text = calloc(model->dim, sizeof *h);
    token_share(an, -1, h_text);
    classify(s, text, 3);
    static const uint32_t levels[] = {0, 2, 4};
    for (size_t l = 0; l < 3; l++) {
        for (size_t i = 0; i < 3; i++) {
            const char *code;
            if (hsc_session_result(s, levels[l], i, &code, NULL) != HSC_OK)
                break;
            uint32_t node = node_of(code, levels[l]);
            assert_int_equal(hsc_session_explain(s, levels[l], i), HSC_OK);
            double total, sum = 0.0, prev = INFINITY;
            size_t n;
            assert_int_equal(hsc_session_explain_total(s, &total), HSC_OK);
            assert_int_equal(hsc_session_explain_count(s, &n), HSC_OK);
            double want = contrast(node, h_text, h_text);
            assert_true(fabs(total - want) <= 1e-4 + 1e-4 * fabs(want));
            for (size_t k = 0; k < n; k++) {
                size_t tok;
                double w;
                assert_int_equal(hsc_session_explain_item(s, k, &tok, &w), HSC_OK);
                assert_true(w <= prev);
                prev = w;
                sum += w;
                token_share(an, (long)tok, h);
                double tw = contrast(node, h_text, h);
                assert_true(fabs(w - tw) <= 1e-4 + 1e-4 * fabs(tw));
            }
            assert_true(fabs(sum - total) <= 1e-9 * (1 + fabs(total)));
        }
    }
    free(h);
    free(h_text);
    hsc__analyzer_free(an);
    hsc_session_free(s);
}

static void test_explanations_are_exact(void **state)
{
    (void)state;
    check_exact("FROZEN BONELESS BEEF CUTS 20KG CTNS");
    check_exact("viande bovine désossée congelée");
    check_exact("men's cotton t-shirts, knitted");
    check_exact("beef beef beef");   /* a repeated word counts each time */
}

/* Weight of the token whose normalized text is word, or NAN. */
static double weight_of(hsc_session *s, const char *word)
{
    size_t n;
    assert_int_equal(hsc_session_explain_count(s, &n), HSC_OK);
    for (size_t k = 0; k < n; k++) {
        size_t tok;
        double w;
        const char *norm;
        assert_int_equal(hsc_session_explain_item(s, k, &tok, &w), HSC_OK);
        assert_int_equal(hsc_session_token(s, tok, &norm, NULL, NULL), HSC_OK);
        if (strcmp(norm, word) == 0)
            return w;
    }
    return NAN;
}

static void test_explanation_signs(void **state)
{
    (void)state;
    hsc_session *s = session_with_threshold(-1);
    const char *code;
    classify(s, "bovine meat from the farm", 5);
    assert_int_equal(hsc_session_result(s, 2, 0, &code, NULL), HSC_OK);
    assert_string_equal(code, "02");
    assert_int_equal(hsc_session_explain(s, 2, 0), HSC_OK);
    double for_meat = weight_of(s, "bovine");
    assert_true(for_meat > 0.0);
    assert_true(isnan(weight_of(s, "the")));   /* stopword: no features */
    /* the same word against a garment chapter */
    assert_int_equal(hsc_session_set_constraint(s, "61", 2), HSC_OK);
    classify(s, "bovine meat from the farm", 5);
    assert_int_equal(hsc_session_result(s, 2, 0, &code, NULL), HSC_OK);
    assert_string_equal(code, "61");
    assert_int_equal(hsc_session_explain(s, 2, 0), HSC_OK);
    assert_true(weight_of(s, "bovine") < 0.0);
    hsc_session_free(s);
}

static void test_explain_states(void **state)
{
    (void)state;
    hsc_session *s = session_with_threshold(-1);
    size_t n, tok;
    double w;
    assert_int_equal(hsc_session_explain(s, 0, 0), HSC_E_STATE);
    assert_int_equal(hsc_session_explain_count(s, &n), HSC_E_STATE);
    assert_int_equal(hsc_session_explain_item(s, 0, &tok, &w), HSC_E_STATE);
    assert_int_equal(hsc_session_explain_total(s, &w), HSC_E_STATE);
    assert_int_equal(hsc_session_tokenize(s, "beef", 4), HSC_OK);
    assert_int_equal(hsc_session_explain(s, 0, 0), HSC_E_STATE);
    classify(s, "frozen beef", 3);
    const char *code_before, *code_after;
    double p_before, p_after;
    assert_int_equal(hsc_session_result(s, 0, 1, &code_before, &p_before), HSC_OK);
    assert_int_equal(hsc_session_explain(s, 0, 3), HSC_E_NO_RESULT);
    assert_int_equal(hsc_session_explain(s, 3, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_explain(NULL, 0, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_explain(s, 0, 1), HSC_OK);
    /* results and tokens survive an explanation */
    assert_int_equal(hsc_session_result(s, 0, 1, &code_after, &p_after), HSC_OK);
    assert_string_equal(code_before, code_after);
    assert_true(p_before == p_after);
    assert_int_equal(hsc_session_explain_count(s, &n), HSC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(hsc_session_explain_item(s, 2, &tok, &w), HSC_E_NO_RESULT);
    assert_int_equal(hsc_session_explain_item(s, 0, NULL, NULL), HSC_OK);
    assert_int_equal(hsc_session_explain_count(s, NULL), HSC_E_INVALID_ARG);
    /* nothing known: classify succeeds with no result, nothing to explain */
    classify(s, "", 3);
    assert_int_equal(hsc_session_explain(s, 0, 0), HSC_E_NO_RESULT);
    hsc_session_free(s);
    /* a tokenizer-only session */
    assert_int_equal(hsc_session_new(NULL, NULL, &s), HSC_OK);
    assert_int_equal(hsc_session_explain(s, 0, 0), HSC_E_STATE);
    hsc_session_free(s);
}

/* ---- review decisions ------------------------------------------------------------ */

static void expect(hsc_session *s, const char *text, uint32_t decision, uint32_t reason)
{
    uint32_t d = 99, r = 99;
    classify(s, text, 5);
    assert_int_equal(hsc_session_decision(s, &d, &r), HSC_OK);
    if (d != decision || r != reason)
        print_error("'%s': decision %u reason %u (%s)\n", text, d, r,
                    hsc_decision_reason_string(r));
    assert_int_equal(d, decision);
    assert_int_equal(r, reason);
}

static void test_vague_texts_go_to_review(void **state)
{
    (void)state;
    /* threshold 0 would accept anything the model suggests */
    hsc_session *s = session_with_threshold(0.0);
    const char *vague[] = {"goods", "GOODS", "spare parts", "samples", "various items",
                           "Marchandises diverses", "pièces détachées", "echantillons",
                           "general cargo", "said to contain: goods", "personal effects",
                           "misc. items (new)", "other", "1 pkg of goods 500 kg",
                           "pecas de reposicao", "mercancias varias"};
    for (size_t i = 0; i < sizeof vague / sizeof *vague; i++)
        expect(s, vague[i], HSC_DECISION_REVIEW, HSC_REASON_VAGUE);
    expect(s, "", HSC_DECISION_REVIEW, HSC_REASON_NO_CONTENT);
    expect(s, "   ", HSC_DECISION_REVIEW, HSC_REASON_NO_CONTENT);
    expect(s, "20 kg", HSC_DECISION_REVIEW, HSC_REASON_NO_CONTENT);
    expect(s, "of the and", HSC_DECISION_REVIEW, HSC_REASON_NO_CONTENT);
    expect(s, "qxzvwk jjqzpf vvkxq", HSC_DECISION_REVIEW, HSC_REASON_UNKNOWN_WORDS);
    uint32_t d;
    classify(s, "1 pallet of goods", 5);   /* content, but a review either way */
    assert_int_equal(hsc_session_decision(s, &d, NULL), HSC_OK);
    assert_int_equal(d, HSC_DECISION_REVIEW);
    expect(s, "frozen boneless beef", HSC_DECISION_ACCEPT, HSC_REASON_CONFIDENT);
    expect(s, "spare parts for motor cars", HSC_DECISION_ACCEPT, HSC_REASON_CONFIDENT);
    hsc_session_free(s);
}

static void test_threshold(void **state)
{
    (void)state;
    double thr, model_thr, p;
    uint32_t d, r;
    const char *code;
    assert_int_equal(hsc_model_accept_threshold(model, &model_thr), HSC_OK);
    assert_true(model_thr >= 0.5 && model_thr <= 1.0);
    hsc_session *s = session_with_threshold(-1);
    assert_int_equal(hsc_session_accept_threshold(s, &thr), HSC_OK);
    assert_true(thr == model_thr);
    assert_int_equal(hsc_session_decision(s, &d, &r), HSC_E_STATE);
    assert_int_equal(d, HSC_DECISION_NONE);
    classify(s, "frozen boneless beef", 1);
    assert_int_equal(hsc_session_result(s, 0, 0, &code, &p), HSC_OK);
    assert_int_equal(hsc_session_decision(s, &d, NULL), HSC_OK);
    assert_int_equal(d, p >= thr ? HSC_DECISION_ACCEPT : HSC_DECISION_REVIEW);
    assert_int_equal(hsc_session_tokenize(s, "beef", 4), HSC_OK);
    assert_int_equal(hsc_session_decision(s, &d, &r), HSC_E_STATE);
    hsc_session_free(s);
    /* the session's config wins over the model */
    s = session_with_threshold(1.0);
    assert_int_equal(hsc_session_accept_threshold(s, &thr), HSC_OK);
    assert_true(thr == 1.0);
    expect(s, "frozen boneless beef", HSC_DECISION_REVIEW, HSC_REASON_LOW_CONFIDENCE);
    hsc_session_free(s);
    assert_int_equal(hsc_session_new(NULL, NULL, &s), HSC_OK);
    assert_int_equal(hsc_session_accept_threshold(s, &thr), HSC_E_STATE);
    assert_int_equal(hsc_session_decision(s, &d, &r), HSC_E_STATE);
    hsc_session_free(s);
    assert_int_equal(hsc_session_decision(NULL, &d, &r), HSC_E_INVALID_ARG);
    for (uint32_t k = 0; k <= HSC_REASON_CONSTRAINT; k++)
        assert_true(strlen(hsc_decision_reason_string(k)) > 3);
    assert_string_equal(hsc_decision_reason_string(99), "unknown reason");
}

static void test_vague_words(void **state)
{
    (void)state;
    const char *yes[] = {"goods", "parts", "pieces", "pi\xc3\xa8" "ces", "d\xc3\xa9tach\xc3\xa9" "es",
                         "\xc3\xa9" "chantillons", "pe\xc3\xa7" "as", "various", "mercancias"};
    const char *no[] = {"beef", "shirts", "coton", "good", "", "gooods", "pieces-x"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_true(hsc__generic_word(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_false(hsc__generic_word(no[i], strlen(no[i])));
}

/* ---- constraints ------------------------------------------------------------------ */

static double level_sum(hsc_session *s, uint32_t digits, const char *prefixes)
{
    size_t n;
    double sum = 0.0;
    assert_int_equal(hsc_session_result_count(s, digits, &n), HSC_OK);
    for (size_t i = 0; i < n; i++) {
        const char *code;
        double p;
        assert_int_equal(hsc_session_result(s, digits, i, &code, &p), HSC_OK);
        if (prefixes)
            assert_true(strncmp(code, "61", 2) == 0 || strncmp(code, "62", 2) == 0);
        sum += p;
    }
    return sum;
}

static void test_constraints(void **state)
{
    (void)state;
    hsc_session *s = session_with_threshold(-1);
    const char *text = "knitted cotton pullover";
    size_t n_labels;
    assert_int_equal(hsc_model_label_count(model, &n_labels), HSC_OK);
    uint32_t all = (uint32_t)n_labels;
    /* unconstrained chapter probabilities of 61 and 62 */
    classify(s, text, all);
    double p61 = 0, p62 = 0, p;
    const char *code;
    for (size_t i = 0; hsc_session_result(s, 2, i, &code, &p) == HSC_OK; i++) {
        if (strcmp(code, "61") == 0)
            p61 = p;
        if (strcmp(code, "62") == 0)
            p62 = p;
    }
    char top_label[16];
    double top_p = 0;
    for (size_t i = 0; hsc_session_result(s, 0, i, &code, &p) == HSC_OK; i++)
        if (strncmp(code, "61", 2) == 0 || strncmp(code, "62", 2) == 0) {
            snprintf(top_label, sizeof top_label, "%s", code);
            top_p = p;
            break;
        }
    assert_true(top_p > 0);
    assert_true(p61 + p62 > 0 && p61 + p62 <= 1.0 + 1e-9);

    assert_int_equal(hsc_session_set_constraint(s, "61, 62", 6), HSC_OK);
    classify(s, text, all);
    /* renormalized: each level sums to 1 within the chapters */
    assert_true(fabs(level_sum(s, 0, "6162") - 1.0) < 1e-6);
    assert_true(fabs(level_sum(s, 2, "6162") - 1.0) < 1e-9);
    assert_true(fabs(level_sum(s, 4, "6162") - 1.0) < 1e-6);
    /* the best allowed code keeps its place; its probability is the
     * blend's given the chapters, calibrated again (rank.c) */
    assert_int_equal(hsc_session_result(s, 0, 0, &code, &p), HSC_OK);
    assert_string_equal(code, top_label);
    assert_true(p >= top_p - 1e-9 && p <= 1.0);

    /* a heading: its chapter gets the heading's whole mass */
    assert_int_equal(hsc_session_set_constraint(s, "6109", 4), HSC_OK);
    classify(s, text, 5);
    assert_int_equal(hsc_session_result(s, 2, 0, &code, &p), HSC_OK);
    assert_string_equal(code, "61");
    assert_true(fabs(p - 1.0) < 1e-9);
    assert_int_equal(hsc_session_result(s, 4, 0, &code, &p), HSC_OK);
    assert_string_equal(code, "6109");
    assert_int_equal(hsc_session_result(s, 2, 1, &code, &p), HSC_E_NO_RESULT);

    /* one subheading, written with a dot */
    assert_int_equal(hsc_session_set_constraint(s, "0201.30", 7), HSC_OK);
    classify(s, text, 5);
    assert_int_equal(hsc_session_result(s, 0, 0, &code, &p), HSC_OK);
    assert_string_equal(code, "020130");
    assert_true(fabs(p - 1.0) < 1e-9);

    /* a space is part of a code, commas and semicolons separate codes */
    assert_int_equal(hsc_session_set_constraint(s, " 0201 30 ,", 10), HSC_OK);
    classify(s, text, 5);
    assert_int_equal(hsc_session_result(s, 0, 0, &code, &p), HSC_OK);
    assert_string_equal(code, "020130");
    assert_int_equal(hsc_session_set_constraint(s, "61 62", 5), HSC_OK);   /* heading 6162 */
    expect(s, text, HSC_DECISION_REVIEW, HSC_REASON_CONSTRAINT);
    assert_int_equal(hsc_session_set_constraint(s, "0201.30", 7), HSC_OK);

    /* bad input keeps the previous constraint */
    assert_int_equal(hsc_session_set_constraint(s, "61\t62", 5), HSC_E_BAD_CODE);
    assert_int_equal(hsc_session_set_constraint(s, "61,.,62", 7), HSC_E_BAD_CODE);
    assert_int_equal(hsc_session_set_constraint(s, "8x", 2), HSC_E_BAD_CODE);
    assert_int_equal(hsc_session_set_constraint(s, "8", 1), HSC_E_BAD_CODE);
    assert_int_equal(hsc_session_set_constraint(s, "0201300000000", 13), HSC_E_BAD_CODE);
    assert_int_equal(hsc_session_set_constraint(NULL, "84", 2), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_session_set_constraint(s, NULL, 2), HSC_E_INVALID_ARG);
    classify(s, text, 5);
    assert_int_equal(hsc_session_result(s, 0, 0, &code, &p), HSC_OK);
    assert_string_equal(code, "020130");

    /* chapters the model lacks: nothing, and a review */
    assert_int_equal(hsc_session_set_constraint(s, "84;8517", 7), HSC_OK);
    expect(s, text, HSC_DECISION_REVIEW, HSC_REASON_CONSTRAINT);
    size_t n;
    assert_int_equal(hsc_session_result_count(s, 0, &n), HSC_OK);
    assert_int_equal(n, 0);

    /* cleared: as before */
    assert_int_equal(hsc_session_set_constraint(s, "", 0), HSC_OK);
    classify(s, text, all);
    double chap = 0;
    for (size_t i = 0; hsc_session_result(s, 2, i, &code, &p) == HSC_OK; i++)
        if (strcmp(code, "61") == 0)
            chap = p;
    assert_true(chap == p61);
    hsc_session_free(s);
    assert_int_equal(hsc_session_new(NULL, NULL, &s), HSC_OK);
    assert_int_equal(hsc_session_set_constraint(s, "84", 2), HSC_E_STATE);
    hsc_session_free(s);
}

/* ---- the trained threshold ------------------------------------------------------------ */

static const char *meta(const hsc_model *m, const char *key)
{
    size_t n;
    assert_int_equal(hsc_model_meta_count(m, &n), HSC_OK);
    for (size_t i = 0; i < n; i++) {
        const char *k, *v;
        assert_int_equal(hsc_model_meta_get(m, i, &k, &v), HSC_OK);
        if (strcmp(k, key) == 0)
            return v;
    }
    return NULL;
}

static void test_trained_threshold(void **state)
{
    (void)state;
    /* the setup model holds out 5% of 545 real rows: too few to fit */
    assert_string_equal(meta(model, "train.accept_threshold_from"), "fallback");
    double thr;
    assert_int_equal(hsc_model_accept_threshold(model, &thr), HSC_OK);
    assert_true(thr == 0.9);
    assert_non_null(meta(model, "train.valid_ece"));

    hsc_config *cfg = small_config();
    hsc_model *m;
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_VALID_FRACTION, 0.3), HSC_OK);
    assert_int_equal(train(cfg, &m), HSC_OK);
    const char *from = meta(m, "train.accept_threshold_from");
    assert_non_null(from);
    assert_int_equal(hsc_model_accept_threshold(m, &thr), HSC_OK);
    print_message("held-out fit: threshold %.4f (%s), accepts %s at precision %s, ECE %s\n", thr,
                  from, meta(m, "train.valid_accept_share"),
                  meta(m, "train.valid_accept_precision"), meta(m, "train.valid_ece"));
    if (strcmp(from, "validation") == 0) {
        assert_true(thr >= 0.5 && thr < 1.0);
        assert_true(atof(meta(m, "train.valid_accept_precision")) >= 0.95);
    } else {
        assert_string_equal(from, "unreached");
        assert_true(thr == 1.0);
    }
    double ece = atof(meta(m, "train.valid_ece"));
    assert_true(ece >= 0.0 && ece < 0.3);
    hsc_model_free(m);

    /* An easy task (one word per code): the fit reaches 95% precision. */
    static const char *const words[] = {"apple", "brick", "cable", "drill",
                                        "engine", "fabric", "glass", "honey"};
    static const char *const codes[] = {"080810", "690410", "854449", "846721",
                                        "840734", "520812", "700510", "040900"};
    static const char *const noise[] = {"red", "blue", "big", "small", "new lot", "box", "x", "y"};
    hsc_trainer *t;
    assert_int_equal(hsc_trainer_new(cfg, &t), HSC_OK);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 40; j++) {
            char text[64];
            snprintf(text, sizeof text, "%s %s %s", noise[j % 8], words[i], noise[(j / 8 + i) % 8]);
            assert_int_equal(hsc_trainer_add_row(t, codes[i], 6, text, strlen(text), 1.0, 0),
                             HSC_OK);
        }
    assert_int_equal(hsc_trainer_train(t, &m), HSC_OK);
    hsc_trainer_free(t);
    assert_string_equal(meta(m, "train.accept_threshold_from"), "validation");
    assert_int_equal(hsc_model_accept_threshold(m, &thr), HSC_OK);
    assert_true(thr >= 0.5 && thr < 1.0);
    assert_true(atof(meta(m, "train.valid_accept_precision")) >= 0.95);
    assert_true(atof(meta(m, "train.valid_accept_share")) > 0.5);
    hsc_model_free(m);

    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, 0.7), HSC_OK);
    assert_int_equal(hsc_config_set_f64(cfg, HSC_CFG_VALID_FRACTION, 0.05), HSC_OK);
    assert_int_equal(train(cfg, &m), HSC_OK);
    assert_string_equal(meta(m, "train.accept_threshold_from"), "config");
    assert_int_equal(hsc_model_accept_threshold(m, &thr), HSC_OK);
    assert_true(thr == 0.7);
    hsc_model_free(m);
    hsc_config_free(cfg);
}

/* The decision under a constraint uses the best allowed code's probability
 * without it: a single allowed code has probability 1 given the
 * constraint, yet it is accepted only when the text itself is confident of
 * it (issue 12: "--only 930320 'frozen beef'" accepted firearms). */
static void test_constrained_decisions(void **state)
{
    (void)state;
    hsc_session *free_s = session_with_threshold(-1), *s = session_with_threshold(-1);
    double thr;
    assert_int_equal(hsc_session_accept_threshold(s, &thr), HSC_OK);
    assert_true(thr > 0.5);   /* a runner-up (< 1/2) can then never pass it */
    FILE *f = fopen(test_data_path("test.tsv"), "r");
    assert_non_null(f);
    char line[512];
    int rows = 0, accepted_free = 0, lifted = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char *tab = strchr(line, '\t');
        if (tab == NULL)
            continue;
        const char *text = tab + 1;
        size_t len = strcspn(text, "\r\n");
        assert_int_equal(hsc_session_classify(free_s, text, len, 5), HSC_OK);
        uint32_t d0, r0, d, r;
        assert_int_equal(hsc_session_decision(free_s, &d0, &r0), HSC_OK);
        const char *best;
        double p_best;
        if (hsc_session_result(free_s, 0, 0, &best, &p_best) != HSC_OK)
            continue;
        char own[16], other[16];
        snprintf(own, sizeof own, "%s", best);
        /* the model's least likely label among its top 5 for this text */
        const char *code;
        double p;
        for (size_t i = 1; hsc_session_result(free_s, 0, i, &code, &p) == HSC_OK; i++)
            snprintf(other, sizeof other, "%s", code);
        rows++;
        accepted_free += d0 == HSC_DECISION_ACCEPT;
        /* constrained to the model's own best code: the same decision */
        assert_int_equal(hsc_session_set_constraint(s, own, strlen(own)), HSC_OK);
        assert_int_equal(hsc_session_classify(s, text, len, 5), HSC_OK);
        assert_int_equal(hsc_session_decision(s, &d, &r), HSC_OK);
        assert_int_equal(d, d0);
        assert_int_equal(r, r0);
        assert_int_equal(hsc_session_result(s, 0, 0, &code, &p), HSC_OK);
        assert_true(fabs(p - 1.0) < 1e-9);
        /* to another code, certain given the constraint: accepted only if
         * the text is that confident of it, else the constraint is why */
        assert_int_equal(hsc_session_set_constraint(s, other, strlen(other)), HSC_OK);
        assert_int_equal(hsc_session_classify(s, text, len, 5), HSC_OK);
        assert_int_equal(hsc_session_decision(s, &d, &r), HSC_OK);
        if (r0 == HSC_REASON_CONFIDENT || r0 == HSC_REASON_LOW_CONFIDENCE) {
            assert_int_equal(d, HSC_DECISION_REVIEW);   /* below the best: below 1/2 */
            assert_int_equal(r, HSC_REASON_CONSTRAINT);
            lifted++;
        } else {
            assert_int_equal(r, r0);   /* the words decide first */
        }
    }
    fclose(f);
    assert_true(rows > 100);
    assert_true(accepted_free > 0);
    assert_true(lifted > 100);
    hsc_session_free(s);
    hsc_session_free(free_s);
}

/* The packed items of a long text against a double per token: the same
 * weights bit for bit and the same order, whether its weights are few
 * (ids in a byte), hundreds (two bytes) or too many (back to a double per
 * token in the middle of the walk); shares come token by token, a bigram's
 * to the token before, head shares to earlier tokens at the end. */
static void test_packed_items_match_dense(void **state)
{
    static const uint32_t kinds[] = {7, 400, 1u << 30};   /* distinct token "words" */
    (void)state;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const size_t n = 20000;
        double *w = calloc(n, sizeof *w);
        uint8_t *used = calloc(n, 1);
        hsc__explain_items x;
        hsc__alloc a = {0};
        uint32_t r = 7;
        memset(&x, 0, sizeof x);
        assert_int_equal(hsc__explain_items_begin(&x, &a, n), HSC_OK);
        for (size_t t = 0; t < n; t++) {
            r = r * 1103515245u + 12345u;
            uint32_t word = (r >> 8) % kinds[k];
            if (word % 5 == 0)
                continue;   /* no known feature */
            for (uint32_t f = 0; f < 3; f++) {   /* its own features */
                double c = (double)((word * 31 + f) % (kinds[k] < 1000 ? 97 : 100003)) / 8.0 - 5.0;
                w[t] += c;
                used[t] = 1;
                assert_int_equal(hsc__explain_items_add(&x, t, c), HSC_OK);
            }
            if (t > 0 && used[t - 1]) {   /* the bigram, to the token before */
                double c = (double)(word % 13) / 16.0;
                w[t - 1] += c;
                assert_int_equal(hsc__explain_items_add(&x, t - 1, c), HSC_OK);
            }
        }
        for (size_t t = 0; t < n / 3; t += 2)   /* head shares */
            if (used[t]) {
                w[t] += 0.125;
                assert_int_equal(hsc__explain_items_add(&x, t, 0.125), HSC_OK);
            }
        for (size_t t = n - 8; t < n; t++)   /* weights of their own, still open at the end */
            if (used[t]) {
                w[t] += 1.0 / 1024 * (double)t;
                assert_int_equal(hsc__explain_items_add(&x, t, 1.0 / 1024 * (double)t), HSC_OK);
            }
        assert_int_equal(hsc__explain_items_finish(&x), HSC_OK);
        size_t n_used = 0;
        for (size_t t = 0; t < n; t++)
            n_used += used[t];
        assert_int_equal(hsc__explain_items_count(&x), n_used);
        size_t prev_t = 0;
        double prev_w = 0.0;
        uint8_t *seen = calloc(n, 1);
        for (size_t i = 0; i < n_used; i++) {
            size_t t;
            double wt;
            hsc__explain_items_get(&x, i, &t, &wt);
            assert_true(t < n && used[t] && !seen[t]);
            seen[t] = 1;
            assert_memory_equal(&wt, &w[t], sizeof wt);
            if (i > 0)
                assert_true(wt < prev_w || (wt == prev_w && t > prev_t));
            prev_t = t;
            prev_w = wt;
        }
        free(seen);
        hsc__explain_items_free(&x);
        free(w);
        free(used);
    }
}

/* ---- working memory per byte of text -------------------------------------------- */

/* An allocator that knows the bytes it has handed out and their peak. */
typedef struct counter {
    size_t live, peak;
} counter;

#define HDR 16   /* the block's size, before it (keeps malloc's alignment) */

static void *c_realloc(void *user, void *ptr, size_t size)
{
    counter *c = user;
    size_t old = 0;
    char *p = ptr != NULL ? (char *)ptr - HDR : NULL;
    if (p != NULL)
        memcpy(&old, p, sizeof old);
    p = realloc(p, size + HDR);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof size);
    c->live = c->live - old + size;
    if (c->live > c->peak)
        c->peak = c->live;
    return p + HDR;
}

static void *c_calloc(void *user, size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - HDR) / size)
        return NULL;
    char *p = c_realloc(user, NULL, n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

static void c_free(void *user, void *ptr)
{
    counter *c = user;
    size_t size;
    if (ptr == NULL)
        return;
    memcpy(&size, (char *)ptr - HDR, sizeof size);
    c->live -= size;
    free((char *)ptr - HDR);
}

/* Bytes a session allocates beyond what it keeps anyway, to classify text
 * and explain its best code. */
static size_t working_bytes(hsc_session *s, counter *c, const char *text, size_t len)
{
    c->peak = c->live;
    size_t before = c->live;
    assert_int_equal(hsc_session_classify(s, text, len, 5), HSC_OK);
    assert_int_equal(hsc_session_explain(s, 6, 0), HSC_OK);
    return c->peak - before;
}

/* A text of about n bytes: pieces drawn from list (space-separated) until
 * then; "" gives n / 3 copies of U+FDFA (3 bytes that NFKC swells to 33). */
static char *shape(const char *list, size_t n, size_t *len)
{
    char *t = malloc(n + 64);
    const char *words[32];
    size_t nw = 0, at = 0;
    uint32_t r = 1;
    char *copy = strdup(list);
    assert_non_null(t);
    for (char *w = strtok(copy, " "); w != NULL && nw < 32; w = strtok(NULL, " "))
        words[nw++] = w;
    while (at + 40 < n) {
        if (nw == 0) {
            memcpy(t + at, "\xEF\xB7\xBA", 3);
            at += 3;
            continue;
        }
        r = r * 1103515245u + 12345u;
        const char *w = words[(r >> 16) % nw];
        memcpy(t + at, w, strlen(w));
        at += strlen(w);
        t[at++] = ' ';
    }
    t[at] = '\0';
    *len = at;
    free(copy);
    return t;
}

/* A text of about n bytes: piece repeated with no space (one "word"). */
static char *run_of(const char *piece, size_t n, size_t *len)
{
    char *t = malloc(n + 64);
    size_t at = 0;
    assert_non_null(t);
    while (at + strlen(piece) < n) {
        memcpy(t + at, piece, strlen(piece));
        at += strlen(piece);
    }
    t[at] = '\0';
    *len = at;
    return t;
}

/* The working memory one text of n bytes takes, in a fresh session whose
 * allocator counts (capacity counts, used or not). */
static size_t working_memory(const char *t, size_t len, size_t n)
{
    counter c = {0, 0};
    hsc_config *cfg = NULL;
    hsc_session *s = NULL;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_allocator(cfg, c_calloc, c_realloc, c_free, &c), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_MAX_TEXT_BYTES, (uint32_t)n), HSC_OK);
    assert_int_equal(hsc_session_new(model, cfg, &s), HSC_OK);
    hsc_config_free(cfg);
    (void)working_bytes(s, &c, "frozen beef", 11);   /* what a session keeps */
    size_t w = working_bytes(s, &c, t, len);
    hsc_session_free(s);
    assert_int_equal(c.live, 0);
    return w;
}

/* Item 13 of the hardening issue: the peak working memory for one text is
 * at most 10 times its length, for hostile texts too: one-letter words and
 * single digits (a token per two bytes), U+FDFA (four words per three
 * bytes), a mix of codes, quantities, marks and expansions, and one "word"
 * of U+3316 (NFKC: six katakana) with no space, which is cut every 64 KiB.
 * Counted by the config's allocator, so deterministic. */
static void test_working_memory_per_byte(void **state)
{
    static const char *const shapes[] = {
        "frozen boneless beef cuts bovine meat cotton shirts knitted apparel steel bolts",
        "x y z q j k v w", "1 2 3 4 5 6 7", "",
        "8703 5kg 0201.30 e\xCC\x81 \xEF\xB7\xBA \xE3\x8C\x96 \xE7\x89\x9B\xE8\x82\x89 l'huile "
        "t-shirt ( ) , 3,5 \xC2\xAD 1.000,50 x200",
        NULL,   /* the word of U+3316 */
    };
    const size_t n = 256 * 1024;
    (void)state;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        size_t len;
        char *t = shapes[i] != NULL ? shape(shapes[i], n, &len) : run_of("\xE3\x8C\x96", n, &len);
        size_t w = working_memory(t, len, n);
        print_message("shape %zu: %zu bytes of working memory for %zu of text (%.1fx)\n", i, w,
                      len, (double)w / (double)len);
        assert_true(w <= 10 * len);
        free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explanations_are_exact),
        cmocka_unit_test(test_explanation_signs),
        cmocka_unit_test(test_explain_states),
        cmocka_unit_test(test_vague_texts_go_to_review),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_vague_words),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_constrained_decisions),
        cmocka_unit_test(test_trained_threshold),
        cmocka_unit_test(test_packed_items_match_dense),
        cmocka_unit_test(test_working_memory_per_byte),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

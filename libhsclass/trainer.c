/* trainer.c - hsc_trainer: the public object that collects rows and the
 * nomenclature, and its run: featurize the rows once (examples.c), fit the
 * weights (sgd.c), calibrate them on held-out rows (calibrate.c), then
 * record how it was trained in META and hand the weights to the writer. */
#include <string.h>

#include "trainer.h"

/* The precedent memory: 30 neighbours voting similarity^2, keys in more
 * than 2% of the rows left out of the search (measured on the default
 * model's held-out rows: a larger share costs time for no accuracy). */
#define PREC_NEIGHBOURS 30u
#define PREC_VOTE_POWER 2.0
#define PREC_MAX_DF_SHARE 0.02

hsc_status hsc_trainer_new(const hsc_config *cfg, hsc_trainer **out)
{
    if (out == NULL)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    hsc_config defaults;
    cfg = hsc__config_or_defaults(cfg, &defaults);
    hsc_trainer *t = hsc__calloc(&cfg->alloc, 1, sizeof *t);
    if (t == NULL)
        return HSC_E_NOMEM;
    t->alloc = cfg->alloc;
    t->spec = cfg->spec;
    t->spec.tokenizer_version = HSC__TOKENIZER_VERSION;
    t->rt = cfg->rt;
    t->opt = cfg->train;
    t->accept_threshold = cfg->accept_threshold;
    memcpy(t->hs_edition, cfg->hs_edition, sizeof t->hs_edition);
    t->sink.strict = t->opt.strict;
    hsc__rowset_init(&t->rows, &t->alloc, t->opt.code_digits, &t->sink, t->rt.max_text_bytes);
    hsc__nomen_builder_init(&t->nomen, &t->alloc);
    *out = t;
    return HSC_OK;
}

void hsc_trainer_free(hsc_trainer *t)
{
    if (t == NULL)
        return;
    hsc__alloc a = t->alloc;
    hsc__rowset_free(&t->rows);
    hsc__nomen_builder_free(&t->nomen);
    hsc__free(&a, t);
}

hsc_status hsc_trainer_set_row_error_callback(hsc_trainer *t, hsc_row_error_fn fn, void *user)
{
    if (t == NULL)
        return HSC_E_INVALID_ARG;
    t->sink.fn = fn;
    t->sink.user = user;
    return HSC_OK;
}

hsc_status hsc_trainer_set_progress_callback(hsc_trainer *t, hsc_progress_fn fn, void *user)
{
    if (t == NULL)
        return HSC_E_INVALID_ARG;
    t->on_progress = fn;
    t->on_progress_user = user;
    return HSC_OK;
}

static int rows_args_ok(double weight, uint32_t flags)
{
    return weight > 0.0 && weight <= 1e6 &&
           (flags & ~(HSC_ROWS_NOMENCLATURE | HSC_ROWS_SYNTHETIC)) == 0;
}

hsc_status hsc_trainer_add_file(hsc_trainer *t, const char *path, double weight, uint32_t flags)
{
    if (t == NULL || path == NULL || !rows_args_ok(weight, flags))
        return HSC_E_INVALID_ARG;
    return hsc__rowset_add_file(&t->rows, path, weight, flags);
}

hsc_status hsc_trainer_add_row(hsc_trainer *t, const char *code, size_t code_len,
                               const char *text, size_t text_len, double weight, uint32_t flags)
{
    if (t == NULL || code == NULL || text == NULL || !rows_args_ok(weight, flags))
        return HSC_E_INVALID_ARG;
    return hsc__rowset_add(&t->rows, "", 0, code, code_len, text, text_len, weight, flags);
}

hsc_status hsc_trainer_row_counts(const hsc_trainer *t, uint64_t *accepted, uint64_t *rejected)
{
    if (t == NULL || accepted == NULL || rejected == NULL)
        return HSC_E_INVALID_ARG;
    *accepted = t->rows.n_rows;
    *rejected = t->rows.rejected;
    return HSC_OK;
}

static int add_nomen_file(hsc_trainer *t, const char *path, int kind, const char *tag,
                          const char *lang)
{
    if (t == NULL || path == NULL || tag == NULL || (kind && lang == NULL))
        return HSC_E_INVALID_ARG;
    return hsc__nomen_builder_add_file(&t->nomen, &t->sink, path, kind, tag, lang);
}

hsc_status hsc_trainer_add_nomenclature_file(hsc_trainer *t, const char *path, const char *lang)
{
    return add_nomen_file(t, path, 0, lang, NULL);
}

hsc_status hsc_trainer_add_national_file(hsc_trainer *t, const char *path, const char *scheme,
                                         const char *lang)
{
    return add_nomen_file(t, path, 1, scheme, lang);
}

hsc_status hsc_trainer_nomenclature_counts(const hsc_trainer *t, uint64_t *descriptions,
                                           uint64_t *lines, uint64_t *rejected)
{
    if (t == NULL || descriptions == NULL || lines == NULL || rejected == NULL)
        return HSC_E_INVALID_ARG;
    *descriptions = t->nomen.n_desc;
    *lines = t->nomen.n_lines;
    *rejected = t->nomen.rejected;
    return HSC_OK;
}

/* ---- the run ----------------------------------------------------------------- */

typedef struct run {
    hsc_trainer *tr;
    char **labels;             /* sorted unique codes (pointers into the rows) */
    uint32_t n_labels;
    uint32_t *row_label;
    hsc__examples train, valid;
    hsc__fit fit;
    hsc__sgd *sgd;
    hsc__heldout heldout;
    hsc__prec_builder mem_rows;/* training rows for the precedent memory */
    hsc__prec mem;             /* the memory built from them */
    hsc__kv meta[40];          /* what the run records, owned */
    size_t n_meta;
} run;

static void run_free(run *r)
{
    const hsc__alloc *a = &r->tr->alloc;
    hsc__free(a, r->labels);
    hsc__free(a, r->row_label);
    hsc__examples_free(a, &r->train);
    hsc__examples_free(a, &r->valid);
    hsc__fit_free(a, &r->fit);
    hsc__sgd_free(r->sgd);
    hsc__heldout_free(a, &r->heldout);
    hsc__prec_builder_free(&r->mem_rows);
    hsc__prec_free(a, &r->mem);
    for (size_t i = 0; i < r->n_meta; i++) {
        hsc__free(a, r->meta[i].key);
        hsc__free(a, r->meta[i].value);
    }
}

/* The progress callback, with the held-out accuracy of the moment. */
static int on_epoch(void *user, uint32_t epoch, uint32_t epochs, double done, double loss,
                    double rate)
{
    run *r = user;
    hsc_trainer *t = r->tr;
    if (t->on_progress == NULL)
        return HSC_OK;
    double vacc = hsc__heldout_accuracy(&r->heldout);
    if (t->on_progress(t->on_progress_user, epoch, epochs, done, loss, rate, vacc) != 0)
        return HSC_E_CANCELLED;
    return HSC_OK;
}

/* The epochs asked for; after pruning, a few gentle epochs let the rows
 * kept make up for the others. */
static int fit_weights(run *r, uint64_t *rng)
{
    const hsc_trainer *t = r->tr;
    const hsc__trainopts *o = &t->opt;
    int prune = o->max_rows > 0 && r->fit.n_rows > o->max_rows;
    uint32_t extra = prune ? (o->epochs + 3) / 4 : 0;
    int st = hsc__sgd_epochs(r->sgd, rng, 1, o->epochs, o->epochs + extra, o->learning_rate,
                             on_epoch, r);
    if (st == HSC_OK && prune)
        st = hsc__fit_prune(&t->alloc, &r->fit, o->max_rows, &r->train, &r->valid);
    if (st == HSC_OK && prune)
        st = hsc__sgd_epochs(r->sgd, rng, o->epochs + 1, o->epochs + extra, o->epochs + extra,
                             o->learning_rate * 0.25, on_epoch, r);
    return st;
}

static int add_meta(run *r, const char *key, const char *value)
{
    const hsc__alloc *a = &r->tr->alloc;
    hsc__kv *kv = &r->meta[r->n_meta++];   /* counted even when half-built, for run_free */
    kv->key = hsc__strndup(a, key, strlen(key));
    kv->value = hsc__strndup(a, value, strlen(value));
    return kv->key != NULL && kv->value != NULL ? HSC_OK : HSC_E_NOMEM;
}

/* How the model was trained and calibrated, as train.* META entries. */
static int record_training(run *r, const hsc__calibration *c)
{
    const hsc_trainer *t = r->tr;
    const hsc__trainopts *o = &t->opt;
    const struct {
        const char *key;
        int digits;   /* significant digits */
        double value; /* < 0: not available, not recorded */
    } items[] = {
        {"train.rows", 12, (double)t->rows.n_rows},
        {"train.rows_rejected", 12, (double)t->rows.rejected},
        {"train.examples", 12, (double)r->train.n},
        {"train.valid_rows", 12, (double)r->valid.n},
        {"train.valid_top1", 4, c->accuracy},
        {"train.valid_top1_linear", 4, c->fit_accuracy},
        {"train.precedent_rows", 12, (double)r->mem.n_rows},
        {"train.precedent_mix", 4, c->mix},
        {"train.calibration_power", 4, c->power},
        {"train.trade_noise", 4, o->trade_noise},
        {"train.epochs", 12, (double)o->epochs},
        {"train.learning_rate", 6, o->learning_rate},
        {"train.seed", 12, (double)o->seed},
        {"train.threads", 12, (double)o->threads},
        {"train.valid_fraction", 6, o->valid_fraction},
        {"train.min_count", 12, (double)o->min_count},
        {"train.augment", 12, (double)o->augment},
        {"train.code_digits", 12, (double)o->code_digits},
        {"train.max_rows", 12, (double)o->max_rows},
        {"train.feature_rows", 12, (double)r->fit.n_rows},
        {"train.accept_threshold", 4, c->threshold},
        {"train.valid_accept_share", 4, c->share},
        {"train.valid_accept_precision", 4, c->precision},
        {"train.valid_ece", 4, c->ece},
    };
    int st = HSC_OK;
    for (size_t i = 0; i < sizeof items / sizeof *items && st == HSC_OK; i++) {
        if (items[i].value < 0)
            continue;   /* not available: no held-out rows, or no ECE */
        char buf[64];
        hsc__format_number(buf, sizeof buf, items[i].value, items[i].digits);
        st = add_meta(r, items[i].key, buf);
    }
    if (st == HSC_OK && t->hs_edition[0] != '\0')
        st = add_meta(r, "hs.edition", t->hs_edition);
    if (st == HSC_OK)
        st = add_meta(r, "train.accept_threshold_from", c->threshold_from);
    return st;
}

/* Write the weights, the calibration and the nomenclature, then read the
 * file back: the one decoder checks every trained model. */
static int write_model(run *r, const hsc__calibration *c, hsc_model **out)
{
    const hsc_trainer *t = r->tr;
    const hsc__alloc *a = &t->alloc;
    hsc__nomen nomen;
    hsc__natl natl;
    int st = hsc__nomen_builder_build(&t->nomen, &nomen, &natl);
    if (st != HSC_OK)
        return st;
    hsc__model_draft d = {
        .spec = t->spec,
        .dim = r->fit.dim,
        .n_meta = r->n_meta,
        .meta = r->meta,
        .n_labels = r->n_labels,
        .labels = (const char *const *)r->labels,
        .n_rows = r->fit.n_rows,
        .row_bucket = r->fit.row_bucket,
        .rows = r->fit.emb,
        .n_nodes = r->fit.tree.n_nodes,
        .out = r->fit.out,
        .temperature = 1.0,   /* SCOR calibrates the final scores instead */
        .accept_threshold = c->threshold,
        .nomen = &nomen,
        .natl = &natl,
        .scoring = {1, c->mix, c->power},
        .prec = &r->mem,
    };
    hsc__buf file = {0};
    st = hsc__model_write(a, &d, &file);
    hsc__nomen_free(a, &nomen);
    hsc__natl_free(a, &natl);
    if (st == HSC_OK)
        st = hsc__model_parse(a, (const uint8_t *)file.data, file.len, 0, out, NULL);
    hsc__buf_free(a, &file);
    return st;
}

/* The precedent memory of the training rows; none when no row has a key. */
static int build_memory(run *r)
{
    int st = hsc__prec_build(&r->mem_rows, PREC_NEIGHBOURS, PREC_VOTE_POWER, PREC_MAX_DF_SHARE,
                             &r->mem);
    hsc__prec_builder_free(&r->mem_rows);
    return st == HSC_E_NO_DATA ? HSC_OK : st;
}

/* Labels, examples, then the weights and what fits them. */
static int prepare(run *r, uint64_t *rng)
{
    hsc_trainer *t = r->tr;
    const hsc__alloc *a = &t->alloc;
    int st = hsc__collect_labels(a, &t->rows, &r->labels, &r->n_labels, &r->row_label);
    if (st == HSC_OK && r->n_labels < 2)
        st = HSC_E_ONE_CLASS;
    hsc__prec_builder_init(&r->mem_rows, a, t->opt.keep_texts != 0);
    if (st == HSC_OK)
        st = hsc__featurize_rows(t, r->row_label, rng, &r->train, &r->valid,
                                 t->opt.precedents ? &r->mem_rows : NULL);
    if (st == HSC_OK)
        st = hsc__remap_features(a, t->spec.buckets, t->opt.min_count, &r->train, &r->valid,
                                 &r->fit.row_bucket, &r->fit.n_rows);
    if (st == HSC_OK && (r->train.n == 0 || r->fit.n_rows == 0))
        st = HSC_E_NO_DATA;
    r->fit.dim = t->opt.dim;
    if (st == HSC_OK)
        st = hsc__tree_build(a, (const char *const *)r->labels, r->n_labels, &r->fit.tree);
    if (st == HSC_OK)
        st = hsc__fit_init(a, &r->fit, rng);
    if (st == HSC_OK)
        st = hsc__sgd_new(a, &r->fit, &r->train, r->n_labels, t->opt.threads,
                          t->opt.augment != 0, *rng, &r->sgd);
    if (st == HSC_OK)
        st = hsc__heldout_init(&r->heldout, a, &r->fit, &r->valid);
    return st;
}

hsc_status hsc_trainer_train(hsc_trainer *t, hsc_model **out)
{
    if (t == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    int st = hsc__nomen_filter_rows(&t->nomen, &t->rows); /* codes outside the nomenclature */
    if (st != HSC_OK)
        return st;
    if (t->rows.n_rows == 0)
        return HSC_E_NO_DATA;
    if (t->opt.dim == 0 || t->opt.epochs == 0 || t->spec.buckets == 0)
        return HSC_E_INVALID_ARG;
    run r;
    memset(&r, 0, sizeof r);
    r.tr = t;
    uint64_t rng = 0x5DEECE66Dull ^ ((uint64_t)t->opt.seed << 17) ^ t->opt.seed;
    hsc__calibration cal;
    st = prepare(&r, &rng);
    if (st == HSC_OK)
        st = fit_weights(&r, &rng);
    if (st == HSC_OK && t->opt.precedents)
        st = build_memory(&r);
    if (st == HSC_OK)
        st = hsc__calibrate(&r.heldout, &t->alloc, &r.mem, t->accept_threshold, &cal);
    if (st == HSC_OK)
        st = record_training(&r, &cal);
    if (st == HSC_OK)
        st = write_model(&r, &cal, out);
    run_free(&r);
    return st;
}

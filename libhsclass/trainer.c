/* trainer.c - hsc_trainer: the public object that collects rows and the
 * nomenclature, and its run: featurize the rows once (examples.c), fit the
 * weights (sgd.c), calibrate them on held-out rows (calibrate.c), then
 * record how it was trained in META and hand the weights to the writer. */
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "trainer.h"

/* The precedent memory: 30 neighbours voting similarity^2, keys in more
 * than 2% of the rows left out of the search (measured on the default
 * model's held-out rows: a larger share costs time for no accuracy). */
#define PREC_NEIGHBOURS 30u
#define PREC_VOTE_POWER 2.0
#define PREC_MAX_DF_SHARE 0.02
#define PREC_AUTO_ROWS 500000u   /* memory rows before the automatic cap per code */
#define TRAIN_ACCURACY_SAMPLE 2000u
#define REHEARSAL_MIN 1000u           /* descriptions rehearsed even for a few new rows */   /* training examples scored for train.train_top1_linear */

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
    hsc__code_map_init(&t->map, &t->alloc);
    *out = t;
    return HSC_OK;
}

hsc_status hsc_trainer_new_from_model(const hsc_config *cfg, const hsc_model *base,
                                      hsc_trainer **out)
{
    if (out == NULL)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    if (base == NULL)
        return HSC_E_INVALID_ARG;
    hsc_trainer *t = NULL;
    int st = hsc_trainer_new(cfg, &t);
    if (st != HSC_OK)
        return st;
    /* The base's featurization and dimension: its rows mean nothing under
     * any other. Its edition too, unless the config names one. */
    t->spec = base->spec;
    t->opt.dim = base->dim;
    const char *edition = hsc__model_meta(base, "hs.edition");
    if (t->hs_edition[0] == '\0' && edition != NULL && strcmp(edition, "unspecified") != 0 &&
        strlen(edition) < sizeof t->hs_edition)
        memcpy(t->hs_edition, edition, strlen(edition) + 1);
    hsc__model_retain((hsc_model *)base);   /* the reference count is the only change */
    t->base = (hsc_model *)base;
    *out = t;
    return HSC_OK;
}

void hsc_trainer_free(hsc_trainer *t)
{
    if (t == NULL)
        return;
    hsc__alloc a = t->alloc;
    if (t->base != NULL)
        hsc__model_release(t->base);
    hsc__rowset_free(&t->rows);
    hsc__nomen_builder_free(&t->nomen);
    hsc__code_map_free(&t->map);
    hsc__free(&a, t->checkpoint);
    hsc__free(&a, t->resume);
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

hsc_status hsc_trainer_set_read_progress_callback(hsc_trainer *t, hsc_read_progress_fn fn,
                                                  void *user)
{
    if (t == NULL)
        return HSC_E_INVALID_ARG;
    t->rows.on_read = fn;
    t->rows.on_read_user = user;
    return HSC_OK;
}

/* *slot = a copy of path, or NULL. */
static int set_path(hsc_trainer *t, char **slot, const char *path)
{
    char *copy = path != NULL ? hsc__strndup(&t->alloc, path, strlen(path)) : NULL;
    if (path != NULL && copy == NULL)
        return HSC_E_NOMEM;
    hsc__free(&t->alloc, *slot);
    *slot = copy;
    return HSC_OK;
}

hsc_status hsc_trainer_set_checkpoint(hsc_trainer *t, const char *path)
{
    if (t == NULL)
        return HSC_E_INVALID_ARG;
    if (path != NULL) {   /* before the hours of training, not after the first epoch */
        int st = hsc__ckpt_check(path);
        if (st != HSC_OK)
            return st;
    }
    return set_path(t, &t->checkpoint, path);
}

hsc_status hsc_trainer_set_resume(hsc_trainer *t, const char *path)
{
    if (t == NULL)
        return HSC_E_INVALID_ARG;
    if (path != NULL) {   /* unreadable or corrupt: said now, before the rows are read */
        hsc__ckpt c;
        int st = hsc__ckpt_read(&t->alloc, path, &c);
        hsc__ckpt_free(&t->alloc, &c);
        if (st != HSC_OK)
            return st;
    }
    return set_path(t, &t->resume, path);
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
    if (t == NULL || (code == NULL && code_len > 0) || (text == NULL && text_len > 0) ||
        !rows_args_ok(weight, flags))
        return HSC_E_INVALID_ARG;
    return hsc__rowset_add(&t->rows, "", 0, code != NULL ? code : "", code_len,
                           text != NULL ? text : "", text_len, weight, flags);
}

hsc_status hsc_trainer_row_counts(const hsc_trainer *t, uint64_t *accepted, uint64_t *rejected)
{
    if (t == NULL)
        return HSC_E_INVALID_ARG;
    if (accepted != NULL)
        *accepted = t->rows.n_rows + t->rows.merged;
    if (rejected != NULL)
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

hsc_status hsc_trainer_add_code_map(hsc_trainer *t, const char *path)
{
    if (t == NULL || path == NULL)
        return HSC_E_INVALID_ARG;
    return hsc__code_map_add_file(&t->map, &t->sink, path);
}

hsc_status hsc_trainer_nomenclature_counts(const hsc_trainer *t, uint64_t *descriptions,
                                           uint64_t *lines, uint64_t *rejected)
{
    if (t == NULL)
        return HSC_E_INVALID_ARG;
    if (descriptions != NULL)
        *descriptions = t->nomen.n_desc;
    if (lines != NULL)
        *lines = t->nomen.n_lines;
    if (rejected != NULL)
        *rejected = t->nomen.rejected;
    return HSC_OK;
}

/* ---- the run ----------------------------------------------------------------- */

typedef struct run {
    hsc_trainer *tr;
    hsc__labels labels;        /* codes (pointers into the rows or national) */
    hsc__buf national;         /* national lines as labels: codes, each NUL-ended */
    uint32_t n_untrained;      /* labels no training example reached */
    size_t valid_seen;         /* adapting: held-out rows the base was trained on */
    uint8_t *from_base;        /* per node: the vector came from the adapted model */
    uint32_t prec_cap;         /* precedent rows per code (0: no cap) */
    hsc__examples train, valid;
    hsc__fit fit;
    hsc__sgd *sgd;
    hsc__heldout heldout;
    hsc__prec_builder mem_rows;/* training rows for the precedent memory */
    hsc__prec mem;             /* the memory built from them */
    hsc__kv meta[48];          /* what the run records, owned */
    size_t n_meta;
    uint64_t *rng;             /* the run's random sequence */
    uint32_t fingerprint;      /* of the rows and options, for checkpoints */
    hsc__ckpt resume;          /* the checkpoint continued from (file empty: none) */
} run;

static void run_free(run *r)
{
    const hsc__alloc *a = &r->tr->alloc;
    hsc__labels_free(a, &r->labels);
    hsc__free(a, r->from_base);
    hsc__buf_free(a, &r->national);
    hsc__examples_free(a, &r->train);
    hsc__examples_free(a, &r->valid);
    hsc__fit_free(a, &r->fit);
    hsc__sgd_free(r->sgd);
    hsc__heldout_free(a, &r->heldout);
    hsc__prec_builder_free(&r->mem_rows);
    hsc__prec_free(a, &r->mem);
    hsc__ckpt_free(a, &r->resume);
    for (size_t i = 0; i < r->n_meta; i++) {
        hsc__free(a, r->meta[i].key);
        hsc__free(a, r->meta[i].value);
    }
}

/* The progress callback, at the end of an epoch with the held-out accuracy
 * of the moment (after the checkpoint), within one without. */
static int on_epoch(void *user, uint32_t epoch, uint32_t epochs, double done, double loss,
                    double rate, int end)
{
    run *r = user;
    hsc_trainer *t = r->tr;
    if (!end)
        return t->on_progress == NULL ||
                       t->on_progress(t->on_progress_user, epoch, epochs, done, loss, rate,
                                      -1.0) == 0
                   ? HSC_OK
                   : HSC_E_CANCELLED;
    if (t->checkpoint != NULL) {   /* before the callback: a cancelled run keeps this epoch */
        int st = hsc__ckpt_write(t->checkpoint, r->fingerprint, epoch, epochs, *r->rng, &r->fit,
                                 r->sgd);
        if (st != HSC_OK)
            return st;
    }
    if (t->on_progress == NULL)
        return HSC_OK;
    double vacc = hsc__heldout_accuracy(&r->heldout, 0);
    if (t->on_progress(t->on_progress_user, epoch, epochs, done, loss, rate, vacc) != 0)
        return HSC_E_CANCELLED;
    return HSC_OK;
}

/* The epochs asked for; after pruning, a few gentle epochs let the rows
 * kept make up for the others. A run resumed from a checkpoint starts
 * after its epoch (pruned already when that epoch came after pruning). */
static int fit_weights(run *r)
{
    const hsc_trainer *t = r->tr;
    const hsc__trainopts *o = &t->opt;
    int prune = o->max_rows > 0 && r->fit.n_rows > o->max_rows;
    uint32_t extra = prune ? (o->epochs + 3) / 4 : 0, done = 0;
    int st = HSC_OK;
    if (r->resume.file.data != NULL) {
        done = r->resume.epoch;
        st = hsc__ckpt_restore(&t->alloc, &r->resume, r->fingerprint, o->epochs,
                               o->epochs + extra, &r->fit, r->sgd, &r->train, &r->valid, r->rng);
        hsc__ckpt_free(&t->alloc, &r->resume);
    }
    if (st == HSC_OK && done < o->epochs)
        st = hsc__sgd_epochs(r->sgd, r->rng, 1, done + 1, o->epochs, o->epochs + extra,
                             o->learning_rate, on_epoch, r);
    if (st == HSC_OK && prune && done <= o->epochs)
        st = hsc__fit_prune(&t->alloc, &r->fit, o->max_rows, &r->train, &r->valid);
    if (st == HSC_OK && prune)
        st = hsc__sgd_epochs(r->sgd, r->rng, o->epochs + 1, done > o->epochs ? done + 1
                                                                          : o->epochs + 1,
                             o->epochs + extra, o->epochs + extra, o->learning_rate * 0.25,
                             on_epoch, r);
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

/* Top-1 of the fit on its own training examples (a sample of them): set
 * beside the held-out figure, it tells a model that learnt its rows by
 * heart but does not generalize. -1 without held-out rows to compare. */
static double training_accuracy(run *r)
{
    if (r->valid.n == 0)
        return -1.0;
    hsc__heldout v = {0};
    double acc = -1.0;
    if (hsc__heldout_init(&v, &r->tr->alloc, &r->fit, &r->train) == HSC_OK)
        acc = hsc__heldout_accuracy(&v, TRAIN_ACCURACY_SAMPLE);
    hsc__heldout_free(&r->tr->alloc, &v);
    return acc;
}

/* How the model was trained and calibrated, as train.* META entries. */
static int record_training(run *r, const hsc__calibration *c)
{
    const hsc_trainer *t = r->tr;
    const hsc__trainopts *o = &t->opt;
    double train_top1 = training_accuracy(r);
    const struct {
        const char *key;
        int digits;   /* significant digits */
        double value; /* < 0: not available, not recorded */
    } items[] = {
        {"train.rows", 12, (double)t->rows.n_rows},
        {"train.rows_rejected", 12, (double)t->rows.rejected},
        {"train.rows_merged", 12, (double)t->rows.merged},
        {"train.rows_mapped", 12, t->map.n > 0 ? (double)t->rows_mapped : -1.0},
        {"train.rows_mapped_split", 12, t->map.n > 0 ? (double)t->rows_split : -1.0},
        {"train.rehearsal_rows", 12, t->base != NULL ? (double)t->rehearsal_rows : -1.0},
        {"train.rehearsal", 4, t->base != NULL ? o->rehearsal : -1.0},
        {"train.examples", 12, (double)r->train.n},
        {"train.valid_rows", 12, (double)r->valid.n},
        {"train.valid_rows_seen_by_base", 12, t->base != NULL ? (double)r->valid_seen : -1.0},
        {"train.valid_top1", 4, c->accuracy},
        {"train.valid_top1_linear", 4, c->fit_accuracy},
        {"train.train_top1_linear", 4, train_top1},
        {"train.labels_untrained", 12,
         o->code_digits > 6 || t->base != NULL ? (double)r->n_untrained : -1.0},
        {"train.precedent_rows", 12, (double)r->mem.n_rows},
        {"train.precedents_per_code", 12, r->prec_cap > 0 ? (double)r->prec_cap : -1.0},
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
    if (st == HSC_OK)
        st = add_meta(r, "train.precedent_mix_from", c->mix_from);
    if (st == HSC_OK && c->from_prior)   /* too few held-out rows the base had not seen */
        st = add_meta(r, "train.calibration_from", "base");
    if (st == HSC_OK && t->base != NULL) {   /* the model adapted, as `hsclass info` shows it */
        char fp[16];
        snprintf(fp, sizeof fp, "%08x", (unsigned)t->base->fingerprint);
        st = add_meta(r, "train.from_fingerprint", fp);
    }
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
    /* An adapted model keeps the base's tables unless new ones were given. */
    int own = t->base == NULL || !hsc__nomen_builder_empty(&t->nomen);
    const hsc__tables *base = NULL;
    int st = own ? HSC_OK : hsc__model_tables(t->base, &base);
    if (st == HSC_OK)
        st = hsc__nomen_builder_build(&t->nomen, &nomen, &natl);
    if (st != HSC_OK)
        return st;
    hsc__model_draft d = {
        .spec = t->spec,
        .dim = r->fit.dim,
        .n_meta = r->n_meta,
        .meta = r->meta,
        .n_labels = r->labels.n,
        .labels = (const char *const *)r->labels.codes,
        .n_rows = r->fit.n_rows,
        .row_bucket = r->fit.row_bucket,
        .rows = r->fit.emb,
        .n_nodes = r->fit.tree.n_nodes,
        .out = r->fit.out,
        .temperature = 1.0,   /* SCOR calibrates the final scores instead */
        .accept_threshold = c->threshold,
        .nomen = own ? &nomen : &base->nomen,
        .natl = own ? &natl : &base->natl,
        .tables_of = own ? NULL : t->base,
        .scoring = {1, c->mix, c->power},
        .prec = &r->mem,
    };
    hsc__buf file = {0};
    st = hsc__model_write(a, &d, &file);
    hsc__nomen_free(a, &nomen);
    hsc__natl_free(a, &natl);
    if (st == HSC_OK)
        st = hsc__model_parse(a, (const uint8_t *)file.data, file.len, out, NULL);
    if (st == HSC_OK) {
        (*out)->image = file.data;   /* the model uses it in place */
        (*out)->canonical_len = file.len;   /* and saving writes it: the same bytes */
    } else {
        hsc__buf_free(a, &file);
    }
    return st;
}

/* HSC_CFG_PRECEDENTS_PER_CODE, or its automatic rule: no cap up to
 * PREC_AUTO_ROWS rows (the training rows' and the joining base's), beyond
 * it PREC_AUTO_ROWS shared among the codes. */
static uint32_t precedents_per_code(const run *r, const hsc__prec_join *j)
{
    const hsc__prec_builder *b = &r->mem_rows;
    if (r->tr->opt.precedents_per_code > 0)
        return r->tr->opt.precedents_per_code;
    if ((uint64_t)b->n_rows + (j != NULL ? j->n_rows : 0) <= PREC_AUTO_ROWS)
        return 0;
    uint8_t *has = hsc__calloc(&r->tr->alloc, (size_t)r->labels.n + 1, 1);
    if (has == NULL)
        return PREC_AUTO_ROWS / (r->labels.n > 0 ? r->labels.n : 1) + 1;
    uint64_t codes = 0;
    for (uint32_t i = 0; i < b->n_rows; i++)
        if (b->label[i] < r->labels.n && !has[b->label[i]]) {
            has[b->label[i]] = 1;
            codes++;
        }
    for (uint32_t i = 0; j != NULL && i < j->p->n_rows; i++)
        if (j->label[i] < r->labels.n && j->n_keys[i] > 0 && !has[j->label[i]]) {
            has[j->label[i]] = 1;
            codes++;
        }
    hsc__free(&r->tr->alloc, has);
    return (uint32_t)((PREC_AUTO_ROWS + codes - 1) / (codes > 0 ? codes : 1));
}

/* The precedent memory of the training rows (and of the base's, j, when
 * adapting); none when no row has a key. */
static int build_memory(run *r, const hsc__prec_join *j)
{
    r->prec_cap = precedents_per_code(r, j);
    int st = hsc__prec_build(&r->mem_rows, j, PREC_NEIGHBOURS, PREC_VOTE_POWER,
                             PREC_MAX_DF_SHARE, r->prec_cap, &r->mem);
    hsc__prec_builder_free(&r->mem_rows);
    return st == HSC_E_NO_DATA ? HSC_OK : st;
}

/* In national training, the national lines given (hsc_trainer_add_national_file)
 * are labels even without rows, cut to the training level: the model can
 * suggest every line it carries. Their codes, in *list (into r->national). */
static int national_labels(run *r, const char ***list, size_t *n)
{
    const hsc_trainer *t = r->tr;
    const hsc__alloc *a = &t->alloc;
    const hsc__nomen_builder *b = &t->nomen;
    *list = NULL;
    *n = 0;
    if (t->opt.code_digits <= 6 || b->n_lines == 0)
        return HSC_OK;
    int st = HSC_OK;
    size_t *off = hsc__calloc(a, b->n_lines, sizeof *off);
    if (off == NULL)
        return HSC_E_NOMEM;
    for (size_t i = 0; i < b->n_lines && st == HSC_OK; i++) {
        const char *code = b->pool.data + b->lines[i].code;
        size_t len = strlen(code);
        if (len > t->opt.code_digits)
            len = t->opt.code_digits;
        if (len < t->opt.code_digits && !hsc__short_row_kept(t->opt.code_digits, len))
            continue;
        off[*n] = r->national.len;
        (*n)++;
        st = hsc__buf_append(a, &r->national, code, len);
        if (st == HSC_OK)
            st = hsc__buf_append(a, &r->national, "", 1);
    }
    const char **p = st == HSC_OK ? hsc__calloc(a, *n + 1, sizeof *p) : NULL;
    if (p != NULL)
        for (size_t i = 0; i < *n; i++)
            p[i] = r->national.data + off[i];
    hsc__free(a, off);
    *list = p;
    return p != NULL ? HSC_OK : st != HSC_OK ? st : HSC_E_NOMEM;
}

/* The split rule (hsc__fit_split_untrained) for the nodes no training
 * example reaches. Applied in national training, where lines without rows
 * are expected; HS6 training keeps its codes as fitted. */
static int split_untrained(run *r)
{
    const hsc__alloc *a = &r->tr->alloc;
    const hsc__tree *tree = &r->fit.tree;
    uint8_t *trained = hsc__calloc(a, tree->n_nodes, 1);
    if (trained == NULL)
        return HSC_E_NOMEM;
    for (size_t i = 0; i < r->train.n; i++)
        for (uint32_t x = r->labels.target_node[r->train.ex[i].label];
             x != UINT32_MAX && !trained[x]; x = tree->nodes[x].parent)
            trained[x] = 1;
    for (uint32_t n = 0; r->from_base != NULL && n < tree->n_nodes; n++)
        trained[n] |= r->from_base[n];   /* what the adapted model learnt stands */
    hsc__fit_split_untrained(&r->fit, trained);
    for (uint32_t l = 0; l < r->labels.n; l++)
        r->n_untrained += !trained[r->labels.target_node[l]];
    hsc__free(a, trained);
    return HSC_OK;
}

/* Labels, examples, then the weights and what fits them. */
static int prepare(run *r, uint64_t *rng)
{
    hsc_trainer *t = r->tr;
    const hsc__alloc *a = &t->alloc;
    const char **extra = NULL;
    size_t n_extra = 0;
    int st = national_labels(r, &extra, &n_extra);
    if (st == HSC_OK && t->base != NULL) {   /* the base's codes stay (or lead to new lines) */
        const char **all = hsc__realloc_array(a, extra, n_extra + t->base->n_labels + 1,
                                              sizeof *all);
        if (all == NULL)
            st = HSC_E_NOMEM;
        else
            extra = all;
        for (uint32_t i = 0; st == HSC_OK && i < t->base->n_labels; i++)
            extra[n_extra++] = t->base->labels[i];
    }
    if (st == HSC_OK)
        st = hsc__collect_labels(a, &t->rows, extra, n_extra, t->opt.code_digits > 6,
                                 &r->labels);
    hsc__free(a, extra);
    if (st == HSC_OK && r->labels.n < 2)
        st = HSC_E_ONE_CLASS;
    if (st == HSC_OK && (t->checkpoint != NULL || t->resume != NULL))
        r->fingerprint = hsc__ckpt_fingerprint(t, &r->labels);
    if (st == HSC_OK && t->resume != NULL) {   /* other rows or options: said before the work */
        st = hsc__ckpt_read(a, t->resume, &r->resume);
        if (st == HSC_OK && r->resume.fingerprint != r->fingerprint)
            st = HSC_E_CHECKPOINT_MISMATCH;
    }
    hsc__prec_builder_init(&r->mem_rows, a, t->opt.keep_texts != 0);
    if (st == HSC_OK)
        st = hsc__featurize_rows(t, &r->labels, rng, &r->train, &r->valid,
                                 t->opt.precedents ? &r->mem_rows : NULL);
    if (st == HSC_OK)
        st = hsc__remap_features(a, t->spec.buckets, t->opt.min_count,
                                 t->base != NULL ? t->base->row_bucket : NULL,
                                 t->base != NULL ? t->base->n_rows : 0, &r->train, &r->valid,
                                 &r->fit.row_bucket, &r->fit.n_rows);
    if (st == HSC_OK && (r->train.n == 0 || r->fit.n_rows == 0))
        st = HSC_E_NO_DATA;
    r->fit.dim = t->opt.dim;
    if (st == HSC_OK)
        st = hsc__tree_build(a, (const char *const *)r->labels.codes, r->labels.n,
                             &r->fit.tree);
    if (st == HSC_OK)
        st = hsc__labels_place(a, &r->labels, &r->fit.tree);
    if (st == HSC_OK)
        st = hsc__fit_init(a, &r->fit, rng);
    if (st == HSC_OK && t->base != NULL) {
        hsc__adapt_rows(t->base, &r->fit);
        r->from_base = hsc__calloc(a, r->fit.tree.n_nodes, 1);
        st = r->from_base == NULL ? HSC_E_NOMEM
                                  : hsc__adapt_outputs(a, t->base,
                                                       (const char *const *)r->labels.codes,
                                                       r->labels.n, &r->fit, r->from_base);
    }
    if (st == HSC_OK)
        st = hsc__sgd_new(a, &r->fit, &r->train, r->labels.target_node,
                          r->labels.n + r->labels.n_prefix, t->opt.threads, t->opt.augment != 0,
                          *rng, &r->sgd);
    if (st == HSC_OK)
        st = hsc__heldout_init(&r->heldout, a, &r->fit, &r->valid);
    return st;
}

/* The description of nomenclature entry k in language l, or NULL. */
static const char *description(const hsc__nomen *n, uint32_t k, uint32_t l)
{
    size_t off = n->text[(size_t)k * n->n_langs + l];
    return off != 0 && n->pool[off] != '\0' ? n->pool + off : NULL;
}

/* Adapting: the base's descriptions join the rows (rehearsal, weight
 * HSC_CFG_REHEARSAL, never held out) so that the codes the new rows never
 * mention keep what the base knew; without them a few epochs on rows of a
 * few chapters pull every text toward those chapters. At most a quarter as
 * many as the new rows (REHEARSAL_MIN for small sets), spread evenly over
 * the codes and languages: with HSC_ADAPT_EPOCHS epochs, adapting costs
 * about 4 x 1.25 / 20 of the epochs of training on the rows from scratch
 * (plus the base's fixed costs: its precedent memory, a larger file). */
static int add_rehearsal(hsc_trainer *t)
{
    const hsc__tables *tables;
    if (t->rehearsed || !(t->opt.rehearsal > 0.0))
        return HSC_OK;
    int st = hsc__model_tables(t->base, &tables);
    if (st != HSC_OK)
        return st;
    const hsc__nomen *n = &tables->nomen;
    if (n->n_codes == 0)
        return HSC_OK;
    t->rehearsed = 1;
    uint32_t digits = t->opt.code_digits;
    size_t eligible = 0, budget = t->rows.n_rows / 4;
    if (budget < REHEARSAL_MIN)
        budget = REHEARSAL_MIN;
    for (int pass = 0; pass < 2; pass++) {
        size_t seen = 0;
        for (uint32_t k = 0; k < n->n_codes; k++) {
            const char *code = n->pool + n->code[k];
            size_t len = strlen(code);
            if (digits != 0 && len < digits && !hsc__short_row_kept(digits, len))
                continue;   /* shallower than the level: the rows would be rejected */
            for (uint32_t l = 0; l < n->n_langs; l++) {
                const char *text = description(n, k, l);
                if (text == NULL)
                    continue;
                if (pass == 0) {
                    eligible++;
                    continue;
                }
                /* take entry seen when it starts a new share of budget */
                size_t i = seen++;
                if (eligible > budget && (i * budget) / eligible == ((i + 1) * budget) / eligible)
                    continue;
                st = hsc__rowset_add(&t->rows, "(rehearsal)", 0, code, len, text,
                                     strlen(text), t->opt.rehearsal, HSC_ROWS_SYNTHETIC);
                if (st != HSC_OK)
                    return st;
                t->rehearsal_rows++;
            }
        }
    }
    return HSC_OK;
}

hsc_status hsc_trainer_train(hsc_trainer *t, hsc_model **out)
{
    if (t == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    if (t->opt.threads == 0) {   /* all cores; META records the count used */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        t->opt.threads = cores < 1 ? 1u : cores > 64 ? 64u : (uint32_t)cores;
    }
    /* older editions' codes first, then what is checked against the new one */
    int st = t->map_applied ? HSC_OK
                            : hsc__code_map_apply(&t->map, &t->rows, &t->rows_mapped,
                                                  &t->rows_split);
    t->map_applied = 1;
    if (st == HSC_OK && t->base != NULL && t->rows.n_rows > 0)
        st = add_rehearsal(t);
    if (st == HSC_OK)
        st = hsc__nomen_filter_rows(&t->nomen, &t->rows); /* codes outside the nomenclature */
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
    r.rng = &rng;
    hsc__calibration cal;
    st = prepare(&r, &rng);
    if (st == HSC_OK)
        st = fit_weights(&r);
    if (st == HSC_OK && (t->opt.code_digits > 6 || t->base != NULL))
        st = split_untrained(&r);   /* national lines without rows */
    hsc__prec_join join = {0};
    if (st == HSC_OK && t->opt.precedents && t->base != NULL)   /* the base's memory joins */
        st = hsc__adapt_precedents(&t->alloc, t->base, (const char *const *)r.labels.codes,
                                   r.labels.n, &r.train, &join);
    if (st == HSC_OK && t->opt.precedents)
        st = build_memory(&r, join.p != NULL ? &join : NULL);
    hsc__prec_join_free(&t->alloc, &join);
    if (st == HSC_OK && t->base != NULL)   /* what the base learnt says nothing of new texts */
        st = hsc__adapt_drop_seen(&t->alloc, t->base, &r.valid, &r.valid_seen);
    if (st == HSC_OK)
        st = hsc__calibrate(&r.heldout, &t->alloc, &r.mem,
                            t->base != NULL && t->base->scoring.on ? &t->base->scoring : NULL,
                            t->base != NULL ? t->base->accept_threshold : -1.0, t->accept_threshold,
                            t->opt.precedent_mix, &cal);
    if (st == HSC_OK)
        st = record_training(&r, &cal);
    if (st == HSC_OK)
        st = write_model(&r, &cal, out);
    run_free(&r);
    return st;
}

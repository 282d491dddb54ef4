/* trainer.h - the trainer's private parts, one file each: the public
 * hsc_trainer object and its run (trainer.c), the examples it learns from
 * (examples.c), the weights being fitted and the SGD engine that fits
 * them (sgd.c), the calibration on held-out examples (calibrate.c), and
 * the checkpoints that let an interrupted run resume (checkpoint.c).
 *
 * Threads: with one thread and a fixed seed the result is bit-for-bit
 * reproducible (every random number comes from one seeded sequence, drawn
 * in a fixed order). With more, workers update shared weights without
 * locks (Hogwild!, as fastText does): faster, but the interleaving, and so
 * the model, varies from run to run. Private. */
#ifndef HSC_TRAINER_H
#define HSC_TRAINER_H

#include "code_map.h"
#include "model.h"
#include "nomen_builder.h"
#include "train_data.h"

struct hsc_trainer {
    hsc__alloc alloc;
    hsc__textspec spec;
    hsc__runtime rt;
    hsc__trainopts opt;
    double accept_threshold;   /* < 0: fitted on the held-out rows */
    char hs_edition[32];
    hsc__row_sink sink;        /* malformed rows of every file */
    hsc__rowset rows;
    hsc__nomen_builder nomen;  /* descriptions and national lines */
    hsc_progress_fn on_progress;
    void *on_progress_user;
    hsc_model *base;           /* the model adapted (a reference), or NULL */
    uint64_t rehearsal_rows;   /* the base's descriptions added to the rows */
    hsc__code_map map;         /* correlation tables (hsc_trainer_add_code_map) */
    uint64_t rows_mapped, rows_split;
    int map_applied;           /* once: mapped codes are not mapped again */
    int rehearsed;             /* they were (once per trainer) */
    char *checkpoint;          /* written after every epoch (hsc_trainer_set_checkpoint) */
    char *resume;              /* the checkpoint a run continues from, or NULL */
};

/* ---- random numbers: one seeded sequence ------------------------------- */

static inline uint64_t hsc__splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline void hsc__shuffle(uint32_t *a, size_t n, uint64_t *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(hsc__splitmix(rng) % i);
        uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* ---- examples (examples.c) ------------------------------------------------- */

#define HSC__MAX_TOKENS 65536  /* source tokens an example tells apart */

/* A featurized text: features are buckets until hsc__remap_features, then
 * rows of the embedding matrix. */
typedef struct hsc__example {
    uint32_t label;
    uint32_t n_feat;
    size_t feat_off;
    float weight;
    uint32_t n_tok;    /* tokens the features came from (phrase sampling) */
    uint32_t n_keys;   /* held-out examples: the text's precedent-memory keys */
    size_t key_off;
} hsc__example;

typedef struct hsc__examples {
    hsc__example *ex;
    size_t n, cap;
    uint32_t *feat;
    uint16_t *tok;     /* source token of each feature (capped) */
    size_t n_feat, cap_feat;
    uint32_t *keys;    /* memory keys of held-out examples */
    size_t n_keys, cap_keys;
} hsc__examples;

void hsc__examples_free(const hsc__alloc *a, hsc__examples *e);

/* What rows teach. Labels are the codes the model suggests. In national
 * training (prefixes on), a code that is a proper prefix of other codes
 * (a 6-digit row among 10-digit lines) is not a label but a prefix
 * target: its rows train the tree down to that node and stop there.
 * Targets 0..n-1 are labels, n..n+n_prefix-1 prefixes. */
typedef struct hsc__labels {
    char **codes;              /* sorted labels (pointers into rows or extra codes) */
    uint32_t n;
    char **prefix;             /* sorted prefix codes */
    uint32_t n_prefix;
    uint32_t *prefix_label;    /* a label each prefix is a prefix of */
    uint32_t *row_target;      /* per row */
    uint32_t *target_node;     /* tree node of each target, once the tree is built */
} hsc__labels;

void hsc__labels_free(const hsc__alloc *a, hsc__labels *l);
/* The labels of the rows' codes and of extra codes (national lines the
 * model must be able to suggest without rows), and each row's target. */
int hsc__collect_labels(const hsc__alloc *a, const hsc__rowset *rs, const char *const *extra,
                        size_t n_extra, int prefixes, hsc__labels *out);
/* Each target's tree node (tree built from out->codes). */
int hsc__labels_place(const hsc__alloc *a, hsc__labels *l, const hsc__tree *tree);
/* Hold out rows (HSC_CFG_VALID_FRACTION, drawn from rng) and featurize
 * every row into train or valid; nomenclature rows kept for training are
 * also expanded into short phrases (HSC_CFG_AUGMENT), and a share of the
 * training texts is learnt again dressed in trade noise
 * (HSC_CFG_TRADE_NOISE). With mem, the training rows go to the precedent
 * memory and the held-out examples keep their memory keys. */
int hsc__featurize_rows(const hsc_trainer *t, const hsc__labels *labels, uint64_t *rng,
                        hsc__examples *train, hsc__examples *valid, hsc__prec_builder *mem);
/* Keep the buckets seen in at least min_count training features, and the
 * n_keep buckets keep (an adapted model's rows), as the embedding rows
 * (*row_bucket, ascending) and rewrite both sets' features as row indices
 * (unknown ones dropped, as at inference). */
int hsc__remap_features(const hsc__alloc *a, uint32_t buckets, uint32_t min_count,
                        const uint32_t *keep, uint32_t n_keep, hsc__examples *train,
                        hsc__examples *valid, uint32_t **row_bucket, uint32_t *n_rows);
/* Rewrite every feature f as map[f] - 1, dropping those with map[f] == 0,
 * and the examples left with no feature. */
void hsc__examples_compact(hsc__examples *e, const uint32_t *map);
/* h = mean of the float rows f[0..n) of emb (n > 0). */
void hsc__embed_mean(const float *emb, uint32_t dim, const uint32_t *f, uint32_t n, float *h);

/* ---- the weights and the SGD engine (sgd.c) -------------------------------------- */

/* The model being fitted, in full precision. */
typedef struct hsc__fit {
    uint32_t dim;
    hsc__tree tree;            /* built from the labels */
    uint32_t n_rows;
    uint32_t *row_bucket;      /* bucket of each embedding row, ascending */
    float *emb;                /* n_rows * dim */
    float *out;                /* tree.n_nodes * dim */
} hsc__fit;

void hsc__fit_free(const hsc__alloc *a, hsc__fit *f);
/* Allocate the weights: inputs uniform in [-1/dim, 1/dim] from rng,
 * outputs zero (as fastText). */
int hsc__fit_init(const hsc__alloc *a, hsc__fit *f, uint64_t *rng);
/* Keep the keep rows with the largest norms (the ones that move scores
 * most, as fastText's cutoff does), in bucket order, and drop the others
 * from both example sets. HSC_E_NO_DATA when no training example is left. */
int hsc__fit_prune(const hsc__alloc *a, hsc__fit *f, uint32_t keep, hsc__examples *train,
                   hsc__examples *valid);
/* The same with the rows kept given by their buckets (ascending, a
 * pruned checkpoint's): HSC_E_INVALID_ARG when one is not a row. */
int hsc__fit_restrict(const hsc__alloc *a, hsc__fit *f, const uint32_t *buckets, uint32_t n,
                      hsc__examples *train, hsc__examples *valid);

/* The split rule for codes no training row reached (national lines
 * given without rows, lines added under an adapted model's subheadings):
 * an untrained node gets the mean output vector of its trained siblings,
 * so it scores as an average sibling and shares its parent's probability
 * with them; under a parent none of whose children was trained, every
 * vector stays zero and the parent's probability is split equally.
 * trained: per node, 1 when some training example's path goes through it. */
void hsc__fit_split_untrained(hsc__fit *f, const uint8_t *trained);

/* After each epoch (end 1): its number (1-based) of epochs, the share of
 * the run done, the mean loss of the epoch and examples per second; and
 * within a long one (end 0), from the calling thread every 65,536 of its
 * examples, the same for the epoch running (loss: that thread's so far).
 * Non-zero stops the run with that status. */
typedef int (*hsc__epoch_fn)(void *user, uint32_t epoch, uint32_t epochs, double done,
                             double loss, double examples_per_sec, int end);

typedef struct hsc__sgd hsc__sgd;
#define HSC__SGD_MAX_THREADS 64

/* An engine for fit over train (both must outlive it): the paths of the
 * targets through the tree (an example's label indexes target_node), and
 * per-thread scratch for threads workers (seeded from rng, which it does
 * not advance). phrases: sample short phrases from long examples
 * (HSC_CFG_AUGMENT). */
int hsc__sgd_new(const hsc__alloc *a, hsc__fit *fit, const hsc__examples *train,
                 const uint32_t *target_node, uint32_t n_targets, uint32_t threads, int phrases,
                 uint64_t rng, hsc__sgd **out);
void hsc__sgd_free(hsc__sgd *s);
/* Epochs first..last of epochs_total (for progress), over the training
 * examples as they are now, the learning rate decaying linearly from lr0
 * over these epochs; the ones before from were run already (a checkpoint
 * restored the engine after epoch from - 1: from == first otherwise).
 * HSC_E_CANCELLED or on_epoch's status to stop. */
int hsc__sgd_epochs(hsc__sgd *s, uint64_t *rng, uint32_t first, uint32_t from, uint32_t last,
                    uint32_t epochs_total, double lr0, hsc__epoch_fn on_epoch, void *user);
/* The engine's state between two epochs, for a checkpoint: the example
 * order (each epoch shuffles the last one's) and each worker's random
 * state (rng: room for HSC__SGD_MAX_THREADS; returns the workers). */
size_t hsc__sgd_order(const hsc__sgd *s, const uint32_t **order);
uint32_t hsc__sgd_rngs(const hsc__sgd *s, uint64_t *rng);
/* Put it back: HSC_E_INVALID_ARG when it cannot be this engine's. */
int hsc__sgd_restore(hsc__sgd *s, const uint32_t *order, size_t n, const uint64_t *rng,
                     uint32_t n_rng);

/* ---- starting from an existing model (adapt.c) ------------------------------------ */

/* After hsc__fit_init: the rows whose bucket the base model has take its
 * dequantized row. */
void hsc__adapt_rows(const hsc_model *base, hsc__fit *fit);
/* The output vector of every node whose code the base tree has (a former
 * 6-digit leaf now parent of national lines keeps its vector: it plays the
 * same part among its siblings), marked in from_base (per node); the others
 * stay as initialized (zero). labels: those fit->tree was built from. */
int hsc__adapt_outputs(const hsc__alloc *a, const hsc_model *base, const char *const *labels,
                       uint32_t n_labels, hsc__fit *fit, uint8_t *from_base);
/* The base's precedents, to join the memory being built (join: freed by
 * hsc__prec_join_free; join->p NULL when the base has none), their codes
 * mapped to the new labels; a row of a code that is no label any more (a
 * subheading now split into national lines) votes for the line under it
 * with the most training weight in train (the lowest code on a tie): what
 * the base knew of the subheading keeps voting for it. */
int hsc__adapt_precedents(const hsc__alloc *a, const hsc_model *base,
                          const char *const *labels, uint32_t n_labels,
                          const hsc__examples *train, hsc__prec_join *join);

/* Drop from valid the held-out examples the base was trained on (a row of
 * its precedent memory has the same memory keys; a base without a memory,
 * or a run without keys, drops none), counted in *n_seen: the base learnt
 * them by heart, so they would make the fitted blend and calibration
 * believe the adapted model is right on new texts as often as on them. */
int hsc__adapt_drop_seen(const hsc__alloc *a, const hsc_model *base, hsc__examples *valid,
                         size_t *n_seen);

/* ---- calibration on held-out examples (calibrate.c) -------------------------------- */

/* Scoring of the held-out examples with the fit's float weights. */
typedef struct hsc__heldout {
    const hsc__fit *fit;
    const hsc__examples *valid;
    hsc__search search;
    float *h;
} hsc__heldout;

int hsc__heldout_init(hsc__heldout *v, const hsc__alloc *a, const hsc__fit *fit,
                      const hsc__examples *valid);
void hsc__heldout_free(const hsc__alloc *a, hsc__heldout *v);
/* Top-1 accuracy of the fit alone over the examples (every one, or about
 * max_rows evenly spaced when max_rows > 0); -1 without examples. Also
 * measures the training examples' accuracy, through a heldout over them. */
double hsc__heldout_accuracy(hsc__heldout *v, size_t max_rows);

/* What the held-out rows say about the finished fit. */
typedef struct hsc__calibration {
    double mix;                /* share of the precedents' votes in the blend */
    double power;              /* calibration exponent (rank.h) */
    int from_prior;            /* mix and power are the prior's (too few rows) */
    const char *mix_from;      /* "validation", "config", "base" or "none" (no memory) */
    double fit_accuracy;       /* top-1 of the fit alone; -1 without rows */
    double accuracy;           /* top-1 of the blend */
    double threshold;          /* the model's default accept threshold */
    const char *threshold_from;/* "config", "base", "fallback", "validation", "unreached" */
    double share, precision;   /* of the held-out rows at that threshold */
    double ece;                /* calibration error; -1: not available */
} hsc__calibration;

/* Fit the blend with the memory mem (empty: none) and the calibration,
 * then the accept threshold (config >= 0 replaces the fit), and measure
 * them on the held-out rows; config_mix >= 0 replaces the fitted mix (the
 * exponent is then fitted for it). prior (an adapted model's base, or
 * NULL): its mix and exponent are kept when the held-out rows are too few
 * to fit them, and its threshold prior_threshold (-1: none) when too few
 * to fit one. */
int hsc__calibrate(hsc__heldout *v, const hsc__alloc *a, const hsc__prec *mem,
                   const hsc__scoring *prior, double prior_threshold, double config_threshold,
                   double config_mix, hsc__calibration *out);

/* ---- checkpoints (checkpoint.c) ----------------------------------------------------- */

/* What a run's result depends on: the options, the rows as they will be
 * trained (after mapping, rehearsal and the nomenclature check), the
 * labels, the nomenclature files and the adapted model. */
uint32_t hsc__ckpt_fingerprint(const hsc_trainer *t, const hsc__labels *labels);
/* HSC_OK when a checkpoint could be written at path now (its temporary,
 * PATH.partial, free or a leftover of a killed write). */
int hsc__ckpt_check(const char *path);
/* The run's state after epoch (of epochs_total): rng is the run's random
 * sequence, fit and sgd the weights and the engine. Written atomically. */
int hsc__ckpt_write(const char *path, uint32_t fingerprint, uint32_t epoch,
                    uint32_t epochs_total, uint64_t rng, const hsc__fit *fit,
                    const hsc__sgd *sgd);

/* A checkpoint read back, checked (its checksum and layout) but not yet
 * matched against the run. */
typedef struct hsc__ckpt {
    hsc__buf file;
    uint32_t fingerprint, epoch, epochs_total, n_threads, dim, n_rows, n_nodes;
    uint64_t n_order, rng;
    size_t off_rng, off_bucket, off_emb, off_out, off_order;   /* into file */
} hsc__ckpt;

/* HSC_E_IO, HSC_E_CHECKPOINT_CORRUPT (not a checkpoint, truncated,
 * checksum or layout wrong), HSC_E_NOMEM. */
int hsc__ckpt_read(const hsc__alloc *a, const char *path, hsc__ckpt *out);
void hsc__ckpt_free(const hsc__alloc *a, hsc__ckpt *c);
/* Continue from it: the checkpoint must be of this run (fingerprint,
 * epochs, threads, sizes; else HSC_E_CHECKPOINT_MISMATCH). A checkpoint of
 * the epochs after pruning first prunes fit and the examples to its rows.
 * Then the weights, the engine's state and *rng are the checkpoint's. */
int hsc__ckpt_restore(const hsc__alloc *a, const hsc__ckpt *c, uint32_t fingerprint,
                      uint32_t epochs, uint32_t epochs_total, hsc__fit *fit, hsc__sgd *sgd,
                      hsc__examples *train, hsc__examples *valid, uint64_t *rng);

#endif /* HSC_TRAINER_H */

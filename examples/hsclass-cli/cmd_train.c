/* cmd_train.c - hsclass train: read labeled files, train, save. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Held-out top-1 below this share of the training rows' top-1: warn. */
#define HELDOUT_GAP 0.5

enum {
    OPT_OUT = 1, OPT_DIGITS, OPT_LANGS, OPT_EPOCHS, OPT_LR, OPT_DIM, OPT_BUCKETS, OPT_THREADS,
    OPT_SEED, OPT_VALID, OPT_MIN_COUNT, OPT_NO_AUGMENT, OPT_CHAR_NGRAMS, OPT_WORD_NGRAMS,
    OPT_STRICT, OPT_NOMENCLATURE, OPT_HASH_SEED, OPT_NO_SKELETONS, OPT_KEEP_ACCENTS, OPT_QUIET,
    OPT_MAX_ERRORS, OPT_MAX_ROWS, OPT_HS_EDITION, OPT_DESCRIBE, OPT_NATIONAL, OPT_THRESHOLD,
    OPT_NO_PRECEDENTS, OPT_KEEP_PRECEDENT_TEXTS, OPT_TRADE_NOISE,
    OPT_FEATURE_VERSION, OPT_FROM, OPT_REHEARSAL, OPT_PRECEDENTS_PER_CODE, OPT_MAP,
    OPT_CHECKPOINT, OPT_RESUME, OPT_PRECEDENT_MIX
};

static const cli_opt opts[] = {
    {"output", 'o', 1, OPT_OUT},
    {"digits", 'd', 1, OPT_DIGITS},
    {"languages", 'l', 1, OPT_LANGS},
    {"epochs", 'e', 1, OPT_EPOCHS},
    {"lr", 0, 1, OPT_LR},
    {"dim", 0, 1, OPT_DIM},
    {"buckets", 0, 1, OPT_BUCKETS},
    {"threads", 't', 1, OPT_THREADS},
    {"seed", 0, 1, OPT_SEED},
    {"valid", 0, 1, OPT_VALID},
    {"min-count", 0, 1, OPT_MIN_COUNT},
    {"max-rows", 0, 1, OPT_MAX_ROWS},
    {"hs-edition", 0, 1, OPT_HS_EDITION},
    {"no-augment", 0, 0, OPT_NO_AUGMENT},
    {"char-ngrams", 0, 1, OPT_CHAR_NGRAMS},
    {"word-ngrams", 0, 1, OPT_WORD_NGRAMS},
    {"hash-seed", 0, 1, OPT_HASH_SEED},
    {"no-skeletons", 0, 0, OPT_NO_SKELETONS},
    {"keep-accents", 0, 0, OPT_KEEP_ACCENTS},
    {"strict", 0, 0, OPT_STRICT},
    {"nomenclature", 'n', 1, OPT_NOMENCLATURE},
    {"describe", 0, 1, OPT_DESCRIBE},
    {"national", 0, 1, OPT_NATIONAL},
    {"threshold", 0, 1, OPT_THRESHOLD},
    {"no-precedents", 0, 0, OPT_NO_PRECEDENTS},
    {"keep-precedent-texts", 0, 0, OPT_KEEP_PRECEDENT_TEXTS},
    {"trade-noise", 0, 1, OPT_TRADE_NOISE},
    {"feature-version", 0, 1, OPT_FEATURE_VERSION},
    {"max-errors", 0, 1, OPT_MAX_ERRORS},
    {"from", 0, 1, OPT_FROM},
    {"map", 0, 1, OPT_MAP},
    {"rehearsal", 0, 1, OPT_REHEARSAL},
    {"precedent-mix", 0, 1, OPT_PRECEDENT_MIX},
    {"precedents-per-code", 0, 1, OPT_PRECEDENTS_PER_CODE},
    {"checkpoint", 0, 1, OPT_CHECKPOINT},
    {"resume", 0, 1, OPT_RESUME},
    {"quiet", 'q', 0, OPT_QUIET},
    {"help", 'h', 0, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

static void help(void)
{
    puts("Usage: hsclass train -o MODEL [OPTIONS] FILE[:WEIGHT][:nomenclature|:synthetic] ...\n"
         "\n"
         "Train a model from files of \"code<TAB>description\" rows (UTF-8, optional BOM,\n"
         "LF or CRLF) and write it to MODEL atomically.\n"
         "\n"
         "Each FILE may carry suffixes, in any order:\n"
         "  :WEIGHT         scale the file's rows by WEIGHT (> 0, default 1)\n"
         "  :nomenclature   the rows are nomenclature paths (\"Meat; Frozen; Other\"):\n"
         "                  expanded into short phrases unless --no-augment\n"
         "  :synthetic      the rows were written for training (e.g. a phrasebook), not\n"
         "                  real declarations: never held out for validation\n"
         "  e.g.  hsclass train -o m.hscm real.tsv:3 hs2022.tsv:nomenclature cn.tsv:0.5:nomenclature\n"
         "A path that itself ends in such a suffix can be given as FILE:1.\n"
         "\n"
         "Options (defaults are the library's):\n");
    puts(
         "  -o, --output MODEL      where to write the model (required)\n"
         "      --from BASE         adapt the model BASE (e.g. models/hs6-multi.hscm) to\n"
         "                          these rows: start from its features and weights, add\n"
         "                          the rows' national lines under its subheadings (with\n"
         "                          --digits 8 or 10), keep its featurization, edition and\n"
         "                          nomenclature; refit the calibration on these rows\n"
         "                          (held-out rows BASE was trained on left out).\n"
         "                          Epochs default to 4\n"
         "      --map TABLE         a correlation table (old<TAB>new[<TAB>share] rows, '#'\n"
         "                          comments) mapping codes of an older edition to the\n"
         "                          model's: each row takes the new code of the longest old\n"
         "                          code its code starts with; an old code listed with\n"
         "                          several new ones splits the row among them, its weight\n"
         "                          shared (equally unless shares are given). Repeatable\n"
         "      --rehearsal W       adapting: weight of BASE's descriptions learnt again\n"
         "                          beside the rows, so that codes the rows never mention\n"
         "                          are not forgotten (0.3; 0: none)\n"
         "      --checkpoint FILE   after every epoch, save the training state to FILE\n"
         "                          (about feature rows x dim x 4 bytes), removed once\n"
         "                          the model is written. Written to FILE.partial, then\n"
         "                          renamed: a run killed while writing leaves that file\n"
         "                          (FILE stays whole), and the next run with the same\n"
         "                          --checkpoint takes it over; any other file of that\n"
         "                          name is left alone and the run refused\n"
         "      --resume FILE       continue an interrupted run from its checkpoint: give\n"
         "                          the same files and options (else it is refused); with\n"
         "                          --threads 1 the model is the one an uninterrupted run\n"
         "                          writes, byte for byte. Add --checkpoint FILE to keep\n"
         "                          saving it\n"
         "  -n, --nomenclature FILE same as FILE:nomenclature (repeatable)");
    puts(
         "      --describe FILE[:LANG]  code descriptions (code<TAB>text, 2-12 digit codes)\n"
         "                          in LANG (default en), stored in the model for lookup\n"
         "                          and suggestions (repeatable, one per language).\n"
         "                          Training rows whose code is not described (nor a\n"
         "                          national line) are then reported and skipped\n"
         "      --national FILE:SCHEME:LANG  national tariff lines (4-12 digit codes), e.g.\n"
         "                          tec.tsv:TEC-CEDEAO:fr, stored in the model\n"
         "      --threshold P       the model's accept threshold (default: fitted on the\n"
         "                          held-out rows for 95% precision)\n"
         "  -d, --digits N          truncate codes to 2, 4, 6, 8 or 10 digits; 0 keeps them (6)\n"
         "  -l, --languages L       comma-separated languages, e.g. en,fr,pt (en,fr,pt,es)\n"
         "  -e, --epochs N          training epochs (20)\n"
         "      --lr X              learning rate (0.5)\n"
         "      --dim N             embedding dimension (64)\n"
         "      --buckets N         feature hash buckets (2097152)\n"
         "  -t, --threads N         training threads, 0 for all cores (1: the default and\n"
         "                          the only bit-for-bit reproducible setting; more are\n"
         "                          faster but the model's bytes vary from run to run)\n"
         "      --seed N            random seed (1)\n"
         "      --valid F           held-out share for validation and calibration (0.05)\n"
         "      --min-count N       drop features seen in fewer rows (1)\n"
         "      --max-rows N        keep the N feature rows with the largest norms, then\n"
         "                          fine-tune (0: keep all; sets the model's size)\n"
         "      --hs-edition NAME   nomenclature edition recorded in the model, e.g. HS2022\n"
         "      --no-augment        do not expand nomenclature rows\n"
         "      --trade-noise P     share of training texts also learnt dressed in trade\n"
         "                          noise: packaging, counts, quantities, marks (0.3)\n"
         "      --no-precedents     no precedent memory of the training rows in the model\n"
         "      --keep-precedent-texts  the memory keeps each row's text, shown with\n"
         "                          suggestions (larger file: about 25 bytes a row)\n"
         "      --precedents-per-code N  the memory keeps at most N rows per code, spread\n"
         "                          over the input (0: no cap up to 500,000 rows, then\n"
         "                          500,000 shared among the codes)\n"
         "      --precedent-mix X   share of the precedents' votes in the final scores,\n"
         "                          0 <= X < 1 (default: fitted on the held-out rows;\n"
         "                          give one fitted on more held-out rows, as\n"
         "                          models/build.sh does)\n"
         "      --char-ngrams MIN-MAX  character n-gram lengths, e.g. 3-5; 0 disables (3-5)\n"
         "      --word-ngrams N     1: words only, 2: also word pairs (2)\n"
         "      --feature-version N 1: no head-phrase features (models of 1.0); 2 (2)\n"
         "      --hash-seed N       feature hash seed (0)\n"
         "      --no-skeletons      no consonant-skeleton features\n"
         "      --keep-accents      do not fold accents\n"
         "      --strict            stop at the first malformed row (exit 4)\n"
         "      --max-errors N      print at most N malformed rows (100; 0: all)\n"
         "  -q, --quiet             no progress output\n"
         "  -h, --help              show this help\n"
         "\n"
         "Malformed rows are reported on stderr as FILE:LINE: message and skipped.\n"
         "Progress goes to stderr: a progress bar on a terminal, plain lines otherwise\n"
         "(every 10 s within a long epoch); while a large file is read, its rows, rows/s,\n"
         "bytes read of its size and an ETA.\n"
         "Ctrl-C, SIGTERM or SIGHUP stops training at its next progress report without\n"
         "writing the model (exit 130); the last --checkpoint stays, whole. A second one\n"
         "stops at once.");
}

typedef struct train_input {
    char *path;
    double weight;
    uint32_t flags;
    int kind;          /* 0 rows, 1 descriptions, 2 national lines, 3 correlation table */
    const char *tag;   /* language or scheme (points into path) */
    const char *lang;  /* national lines' language */
} train_input;

/* "FILE[:LANG]" (kind 1) or "FILE:SCHEME:LANG" (kind 2), split from the
 * right. in->path is allocated. */
static int parse_nomen_input(const char *arg, int kind, train_input *in)
{
    memset(in, 0, sizeof *in);
    in->path = strdup(arg);
    in->kind = kind;
    if (in->path == NULL) {
        cli_error("out of memory");
        return 0;
    }
    char *c1 = strrchr(in->path, ':');
    if (kind == 1) {
        in->tag = "en";
        if (c1 != NULL && c1 != in->path && strlen(c1 + 1) >= 2 && strlen(c1 + 1) <= 8 &&
            strspn(c1 + 1, "abcdefghijklmnopqrstuvwxyz") == strlen(c1 + 1)) {
            *c1 = '\0';
            in->tag = c1 + 1;
        }
        return 1;
    }
    if (c1 == NULL || c1 == in->path) {
        cli_usage_error("train", "--national %s: expected FILE:SCHEME:LANG", arg);
        return 0;
    }
    *c1 = '\0';
    char *c2 = strrchr(in->path, ':');
    if (c2 == NULL || c2 == in->path) {
        cli_usage_error("train", "--national %s: expected FILE:SCHEME:LANG", arg);
        return 0;
    }
    *c2 = '\0';
    in->tag = c2 + 1;
    in->lang = c1 + 1;
    return 1;
}

/* Split "FILE[:WEIGHT][:nomenclature|:synthetic]" (suffixes in any order). Returns 0 on
 * a usage error (message printed). in->path is allocated. */
static int parse_input(const char *arg, uint32_t flags, train_input *in)
{
    in->path = strdup(arg);
    in->weight = 1.0;
    in->flags = flags;
    if (in->path == NULL) {
        cli_error("out of memory");
        return 0;
    }
    int have_weight = 0, have_nom = 0;
    char *colon;
    while ((colon = strrchr(in->path, ':')) != NULL && colon != in->path) {
        const char *suffix = colon + 1;
        double w;
        if (!have_nom && (strcmp(suffix, "nomenclature") == 0 || strcmp(suffix, "nom") == 0)) {
            have_nom = 1;
            in->flags |= HSC_ROWS_NOMENCLATURE;
        } else if (!have_nom && strcmp(suffix, "synthetic") == 0) {
            have_nom = 1;
            in->flags |= HSC_ROWS_SYNTHETIC;
        } else if (!have_weight && cli_parse_f64(suffix, &w)) {
            if (!(w > 0)) {
                cli_usage_error("train", "weight of '%s' must be > 0", arg);
                return 0;
            }
            have_weight = 1;
            in->weight = w;
        } else {
            break;
        }
        *colon = '\0';
    }
    return 1;
}

/* ---- callbacks ------------------------------------------------------------- */

#define MAX_REASONS 16

typedef struct row_errors {
    uint64_t printed, max;
    uint64_t suppressed;
    /* rejected rows counted by reason: the message with its codes as '#'
     * and without its quoted row */
    struct {
        char key[96];
        uint64_t n;
    } reason[MAX_REASONS];
    size_t n_reasons;
    uint64_t other;
} row_errors;

static void count_reason(row_errors *re, const char *message)
{
    char key[96];
    size_t k = 0;
    for (const char *m = message; *m && k + 1 < sizeof key; m++) {
        if (m[0] == ' ' && m[1] == '(')
            break;   /* the quoted row or the codes of a mapping */
        if (*m >= '0' && *m <= '9') {
            while (m[1] >= '0' && m[1] <= '9')
                m++;
            key[k++] = '#';
        } else {
            key[k++] = *m;
        }
    }
    key[k] = '\0';
    for (size_t i = 0; i < re->n_reasons; i++)
        if (strcmp(re->reason[i].key, key) == 0) {
            re->reason[i].n++;
            return;
        }
    if (re->n_reasons == MAX_REASONS) {
        re->other++;
        return;
    }
    memcpy(re->reason[re->n_reasons].key, key, k + 1);
    re->reason[re->n_reasons++].n = 1;
}

/* The training report's rejected rows, by reason. */
static void print_reasons(const row_errors *re)
{
    if (re->n_reasons == 0)
        return;
    fputs("rejected rows by reason:\n", stderr);
    for (size_t i = 0; i < re->n_reasons; i++) {
        fprintf(stderr, "  %8" PRIu64 "  ", re->reason[i].n);
        cli_term_str(stderr, re->reason[i].key);
        fputc('\n', stderr);
    }
    if (re->other)
        fprintf(stderr, "  %8" PRIu64 "  other reasons\n", re->other);
}

static void on_row_error(void *user, const char *file, uint64_t line, hsc_status status,
                         const char *message)
{
    row_errors *re = user;
    count_reason(re, message != NULL && *message ? message : hsc_status_string(status));
    if (re->max && re->printed >= re->max) {
        re->suppressed++;
        return;
    }
    re->printed++;
    char name[64];
    if (line == 0) { /* checked when training starts: rows no longer know their line */
        fputs("training row: ", stderr);
    } else {
        cli_term_str(stderr, file != NULL && *file ? file : "(row)");
        fprintf(stderr, ":%" PRIu64 ": ", line);
    }
    /* the message quotes the row: escaped for the terminal */
    cli_term_str(stderr, message != NULL && *message ? message : hsc_status_string(status));
    fprintf(stderr, " [%s]\n", cli_status_name(status, name, sizeof name));
}

typedef struct progress {
    int tty, quiet, drawn;
    double start, last;
    uint32_t last_epoch;
    uint64_t read_lines;   /* of the file being read (fewer: a new file) */
} progress;

static volatile sig_atomic_t interrupted;

static void on_stop_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void format_eta(char *buf, size_t size, double secs)
{
    if (!(secs >= 0) || secs > 359999) {
        snprintf(buf, size, "--:--");
        return;
    }
    unsigned long s = (unsigned long)(secs + 0.5);
    if (s >= 3600)
        snprintf(buf, size, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%lu:%02lu", s / 60, s % 60);
}

static int32_t on_progress(void *user, uint32_t epoch, uint32_t epochs, double done, double loss,
                           double eps, double valid)
{
    progress *pr = user;
    if (interrupted)
        return 1;
    if (pr->quiet)
        return 0;
    double now = cli_now();
    int final = done >= 1.0;
    /* Terminal: redraw at most 10 times a second. Log: a line per epoch,
     * and every 10 seconds within long epochs. */
    if (pr->tty ? (now - pr->last < 0.1 && !final)
                : (epoch == pr->last_epoch && now - pr->last < 10.0 && !final))
        return 0;
    pr->last = now;
    pr->last_epoch = epoch;
    double elapsed = now - pr->start;
    char eta[32], val[32];
    format_eta(eta, sizeof eta, done > 0 ? elapsed * (1.0 - done) / done : -1.0);
    if (valid >= 0)
        snprintf(val, sizeof val, "%5.1f%%", valid * 100.0);
    else
        snprintf(val, sizeof val, "    -");
    if (pr->tty) {
        char bar[21];
        int fill = (int)(done * 20.0 + 0.5);
        for (int i = 0; i < 20; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[20] = '\0';
        fprintf(stderr, "\r\033[Kepoch %u/%u [%s] %5.1f%%  %8.0f ex/s  loss %.4f  valid %s  ETA %s",
                (unsigned)epoch, (unsigned)epochs, bar, done * 100.0, eps, loss, val, eta);
        pr->drawn = 1;
    } else {
        fprintf(stderr, "epoch %u/%u  %5.1f%%  %.0f ex/s  loss %.4f  valid %s  eta %s\n",
                (unsigned)epoch, (unsigned)epochs, done * 100.0, eps, loss, val, eta);
    }
    fflush(stderr);
    return 0;
}

/* While a training file is read: lines, lines per second and bytes of the
 * file's size with an ETA. Terminal: redrawn at most 10 times a second
 * once reading has taken half a second; log: a line every 10 seconds (a
 * small file prints nothing). */
static int32_t on_read(void *user, const char *file, uint64_t lines, uint64_t bytes,
                       uint64_t size)
{
    progress *pr = user;
    double now = cli_now();
    if (lines < pr->read_lines || pr->read_lines == 0)   /* a new file */
        pr->start = pr->last = now;
    pr->read_lines = lines;
    double elapsed = now - pr->start;
    if (pr->quiet || elapsed < (pr->tty ? 0.5 : 10.0) || now - pr->last < (pr->tty ? 0.1 : 10.0))
        return 0;
    pr->last = now;
    char eta[32], share[64] = "";
    double rate = elapsed > 0 ? (double)lines / elapsed : 0;
    format_eta(eta, sizeof eta,
               size > 0 && bytes > 0 ? elapsed * (double)(size - (bytes < size ? bytes : size)) /
                                           (double)bytes
                                     : -1.0);
    if (size > 0)
        snprintf(share, sizeof share, "%.1f of %.1f MB (%.1f%%)", (double)bytes / 1e6,
                 (double)size / 1e6, 100.0 * (double)bytes / (double)size);
    else
        snprintf(share, sizeof share, "%.1f MB", (double)bytes / 1e6);
    fputs(pr->tty ? "\r\033[Kreading " : "reading ", stderr);
    cli_term_str(stderr, file);
    fprintf(stderr, ": %" PRIu64 " rows, %.0f rows/s, %s, %s %s%s", lines, rate, share,
            pr->tty ? "ETA" : "eta", size > 0 ? eta : "--:--", pr->tty ? "" : "\n");
    pr->drawn = pr->tty;
    fflush(stderr);
    return 0;
}

/* ---- options -> config ------------------------------------------------------ */

static int set_u32(hsc_config *cfg, int32_t key, const char *opt, const char *v)
{
    uint32_t x;
    if (!cli_opt_u32("train", opt, v, &x))
        return 0;
    hsc_status st = hsc_config_set_u32(cfg, key, x);
    if (st != HSC_OK) {
        cli_usage_error("train", "--%s %s: %s", opt, v, hsc_status_string(st));
        return 0;
    }
    return 1;
}

static int set_f64(hsc_config *cfg, int32_t key, const char *opt, const char *v)
{
    double x;
    if (!cli_opt_f64("train", opt, v, &x))
        return 0;
    hsc_status st = hsc_config_set_f64(cfg, key, x);
    if (st != HSC_OK) {
        cli_usage_error("train", "--%s %s: %s", opt, v, hsc_status_string(st));
        return 0;
    }
    return 1;
}

static int set_flag(hsc_config *cfg, int32_t key, uint32_t value)
{
    hsc_status st = hsc_config_set_u32(cfg, key, value);
    if (st != HSC_OK)
        cli_error("train: %s", hsc_status_string(st));
    return st == HSC_OK;
}

static int set_char_ngrams(hsc_config *cfg, const char *v)
{
    uint32_t lo = 0, hi = 0;
    const char *dash = strchr(v, '-');
    char buf[32];
    int ok;
    if (strcmp(v, "0") == 0) {
        ok = 1;
    } else if (dash != NULL && (size_t)(dash - v) < sizeof buf) {
        memcpy(buf, v, (size_t)(dash - v));
        buf[dash - v] = '\0';
        ok = cli_parse_u32(buf, &lo) && cli_parse_u32(dash + 1, &hi) && lo > 0 && lo <= hi;
    } else {
        ok = cli_parse_u32(v, &lo) && lo > 0;
        hi = lo;
    }
    if (!ok) {
        cli_usage_error("train", "--char-ngrams: expected MIN-MAX or 0, got '%s'", v);
        return 0;
    }
    /* The library may check min <= max at each set: try both orders. */
    hsc_status st = hsc_config_set_u32(cfg, HSC_CFG_CHAR_NGRAM_MIN, lo);
    if (lo > 0) {
        if (st == HSC_OK)
            st = hsc_config_set_u32(cfg, HSC_CFG_CHAR_NGRAM_MAX, hi);
        if (st != HSC_OK) {
            st = hsc_config_set_u32(cfg, HSC_CFG_CHAR_NGRAM_MAX, hi);
            if (st == HSC_OK)
                st = hsc_config_set_u32(cfg, HSC_CFG_CHAR_NGRAM_MIN, lo);
        }
    }
    if (st != HSC_OK) {
        cli_usage_error("train", "--char-ngrams %s: %s", v, hsc_status_string(st));
        return 0;
    }
    return 1;
}

/* Apply one option to cfg; returns 0 after a usage error. */
static int apply_option(hsc_config *cfg, int id, const char *v)
{
    switch (id) {
    case OPT_DIGITS: return set_u32(cfg, HSC_CFG_CODE_DIGITS, "digits", v);
    case OPT_EPOCHS: return set_u32(cfg, HSC_CFG_EPOCHS, "epochs", v);
    case OPT_DIM: return set_u32(cfg, HSC_CFG_DIM, "dim", v);
    case OPT_BUCKETS: return set_u32(cfg, HSC_CFG_BUCKETS, "buckets", v);
    case OPT_THREADS: return set_u32(cfg, HSC_CFG_THREADS, "threads", v);
    case OPT_SEED: return set_u32(cfg, HSC_CFG_SEED, "seed", v);
    case OPT_MIN_COUNT: return set_u32(cfg, HSC_CFG_MIN_COUNT, "min-count", v);
    case OPT_MAX_ROWS: return set_u32(cfg, HSC_CFG_MAX_ROWS, "max-rows", v);
    case OPT_HS_EDITION: {
        hsc_status st = hsc_config_set_str(cfg, HSC_CFG_HS_EDITION, v);
        if (st != HSC_OK)
            cli_usage_error("train", "--hs-edition %s: %s", v, hsc_status_string(st));
        return st == HSC_OK;
    }
    case OPT_WORD_NGRAMS: return set_u32(cfg, HSC_CFG_WORD_NGRAMS, "word-ngrams", v);
    case OPT_HASH_SEED: return set_u32(cfg, HSC_CFG_HASH_SEED, "hash-seed", v);
    case OPT_LR: return set_f64(cfg, HSC_CFG_LEARNING_RATE, "lr", v);
    case OPT_VALID: return set_f64(cfg, HSC_CFG_VALID_FRACTION, "valid", v);
    case OPT_CHAR_NGRAMS: return set_char_ngrams(cfg, v);
    case OPT_NO_AUGMENT: return set_flag(cfg, HSC_CFG_AUGMENT, 0);
    case OPT_NO_PRECEDENTS: return set_flag(cfg, HSC_CFG_PRECEDENTS, 0);
    case OPT_KEEP_PRECEDENT_TEXTS: return set_flag(cfg, HSC_CFG_KEEP_PRECEDENT_TEXTS, 1);
    case OPT_TRADE_NOISE: return set_f64(cfg, HSC_CFG_TRADE_NOISE, "trade-noise", v);
    case OPT_REHEARSAL: return set_f64(cfg, HSC_CFG_REHEARSAL, "rehearsal", v);
    case OPT_PRECEDENT_MIX: return set_f64(cfg, HSC_CFG_PRECEDENT_MIX, "precedent-mix", v);
    case OPT_PRECEDENTS_PER_CODE:
        return set_u32(cfg, HSC_CFG_PRECEDENTS_PER_CODE, "precedents-per-code", v);
    case OPT_FEATURE_VERSION:
        return set_u32(cfg, HSC_CFG_FEATURE_VERSION, "feature-version", v);
    case OPT_NO_SKELETONS: return set_flag(cfg, HSC_CFG_SKELETONS, 0);
    case OPT_KEEP_ACCENTS: return set_flag(cfg, HSC_CFG_STRIP_ACCENTS, 0);
    case OPT_STRICT: return set_flag(cfg, HSC_CFG_STRICT, 1);
    case OPT_LANGS: {
        hsc_status st = hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, v);
        if (st != HSC_OK)
            cli_usage_error("train", "--languages %s: %s", v, hsc_status_string(st));
        return st == HSC_OK;
    }
    default: return 1;
    }
}

/* ---- the command --------------------------------------------------------------- */

/* Descriptions and national lines: counts per file. */
static int add_nomen_input(hsc_trainer *t, const train_input *in)
{
    uint64_t d0, l0, r0, d, l, r;
    hsc_trainer_nomenclature_counts(t, &d0, &l0, &r0);
    hsc_status st = in->kind == 1 ? hsc_trainer_add_nomenclature_file(t, in->path, in->tag)
                                  : hsc_trainer_add_national_file(t, in->path, in->tag, in->lang);
    hsc_trainer_nomenclature_counts(t, &d, &l, &r);
    if (st == HSC_E_INVALID_ARG) {
        cli_usage_error("train", "%s: bad %s '%s%s%s' (languages: 2-8 lowercase letters; "
                        "schemes: 1-31 of A-Z a-z 0-9 . _ -; at most 8 of each)",
                        in->path, in->kind == 1 ? "language" : "scheme or language", in->tag,
                        in->lang != NULL ? ":" : "", in->lang != NULL ? in->lang : "");
        return CLI_EXIT_USAGE;
    }
    if (st == HSC_E_BAD_ROW) {
        cli_error("train: %s: stopped at the first malformed row (--strict)", in->path);
        return CLI_EXIT_DATA;
    }
    if (st == HSC_E_IO) {
        cli_error("train: cannot read '%s'", in->path);
        return CLI_EXIT_MODEL;
    }
    if (st != HSC_OK) {
        cli_error("train: %s: %s", in->path, hsc_status_string(st));
        return cli_exit_for(st);
    }
    cli_term_str(stderr, in->path);
    if (in->kind == 1)
        fprintf(stderr, ": %" PRIu64 " descriptions (%s), %" PRIu64 " rejected\n", d - d0,
                in->tag, r - r0);
    else
        fprintf(stderr, ": %" PRIu64 " national lines (%s, %s), %" PRIu64 " rejected\n",
                l - l0, in->tag, in->lang, r - r0);
    return CLI_EXIT_OK;
}

static int add_inputs(hsc_trainer *t, const train_input *in, size_t n, const row_errors *re,
                      progress *pr)
{
    uint64_t acc0 = 0, rej0 = 0, acc = 0, rej = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i].kind == 3) {
            hsc_trainer_row_counts(t, &acc0, &rej0);
            hsc_status st = hsc_trainer_add_code_map(t, in[i].path);
            if (st == HSC_E_IO) {
                cli_error("train: cannot read '%s'", in[i].path);
                return CLI_EXIT_MODEL;
            }
            if (st != HSC_OK) {
                cli_error("train: %s: %s", in[i].path, hsc_status_string(st));
                return cli_exit_for(st);
            }
            fprintf(stderr, "%s: correlation table, applied when training starts\n", in[i].path);
            continue;
        }
        if (in[i].kind) {
            int rc = add_nomen_input(t, &in[i]);
            if (rc != CLI_EXIT_OK)
                return rc;
            continue;
        }
        hsc_trainer_row_counts(t, &acc0, &rej0);
        pr->read_lines = 0;
        hsc_status st = hsc_trainer_add_file(t, in[i].path, in[i].weight, in[i].flags);
        hsc_trainer_row_counts(t, &acc, &rej);
        if (pr->drawn)   /* the progress line gives way to the file's counts */
            fputs("\r\033[K", stderr);
        pr->drawn = 0;
        if (st == HSC_E_BAD_ROW) {
            cli_error("train: %s: stopped at the first malformed row (--strict)", in[i].path);
            return CLI_EXIT_DATA;
        }
        if (st == HSC_E_IO) {
            cli_error("train: cannot read '%s'", in[i].path);
            return CLI_EXIT_MODEL;
        }
        if (st != HSC_OK) {
            cli_error("train: %s: %s", in[i].path, hsc_status_string(st));
            return cli_exit_for(st);
        }
        cli_term_str(stderr, in[i].path);
        fprintf(stderr, ": %" PRIu64 " rows accepted, %" PRIu64 " rejected (weight %g%s)\n",
                acc - acc0, rej - rej0, in[i].weight,
                in[i].flags & HSC_ROWS_NOMENCLATURE ? ", nomenclature" : "");
    }
    if (re->suppressed)
        fprintf(stderr, "(%" PRIu64 " more malformed rows not shown)\n", re->suppressed);
    hsc_trainer_row_counts(t, &acc, &rej);
    fprintf(stderr, "total: %" PRIu64 " rows accepted, %" PRIu64 " rejected\n", acc, rej);
    return CLI_EXIT_OK;
}

/* Why the model cannot be written to path (st from hsc_model_save_check or
 * hsc_model_save_file; errno as the call left it). */
static int cannot_write(const char *path, hsc_status st, int err)
{
    struct stat sb;
    if (st == HSC_E_IO && lstat(path, &sb) == 0 && (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)))
        cli_error("train: '%s' exists and is not a regular file (a device, FIFO, directory or "
                  "dangling link): refusing to replace it",
                  path);
    else if (st == HSC_E_IO && err != 0)
        cli_error("train: cannot write '%s': %s", path, strerror(err));
    else
        cli_error("train: cannot write '%s': %s", path, hsc_status_string(st));
    return st == HSC_E_NOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_MODEL;
}

/* The signals that stop `train`. While training they stop it at the next
 * progress report, like a cancel: never in the middle of writing a
 * checkpoint, whose temporary file would stay behind (a second signal acts
 * at once). While the model is written they are held back. */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_STOP_SIGNALS (sizeof stop_signals / sizeof stop_signals[0])

/* hsc_model_save_file (m not NULL) or hsc_model_save_check with the stop
 * signals held back: the library's temporary file is then always renamed
 * or removed before a signal can end the process (a held signal acts once
 * the call is over). *err: errno as the call left it. */
static hsc_status save_held(const hsc_model *m, const char *path, int *err)
{
    sigset_t hold, old;
    sigemptyset(&hold);
    for (size_t i = 0; i < N_STOP_SIGNALS; i++)
        sigaddset(&hold, stop_signals[i]);
    sigprocmask(SIG_BLOCK, &hold, &old);
    errno = 0;
    hsc_status st = m != NULL ? hsc_model_save_file(m, path) : hsc_model_save_check(path);
    *err = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    return st;
}

/* --checkpoint and --resume, checked before the rows are read. */
static int set_checkpoints(hsc_trainer *t, const char *checkpoint, const char *resume)
{
    hsc_status st = checkpoint != NULL ? hsc_trainer_set_checkpoint(t, checkpoint) : HSC_OK;
    if (st != HSC_OK) {
        struct stat sb;
        char partial[4096];
        int in_way = st == HSC_E_IO &&
                     snprintf(partial, sizeof partial, "%s.partial", checkpoint) <
                         (int)sizeof partial &&
                     lstat(partial, &sb) == 0;
        if (in_way)
            cli_error("train: cannot write the checkpoint '%s': %s is in the way (the name of "
                      "its temporary file, but not a checkpoint's partial write left by a killed "
                      "run, which is the only thing ever replaced there): remove it or choose "
                      "another --checkpoint", checkpoint, partial);
        else
            cli_error("train: cannot write the checkpoint '%s': %s", checkpoint,
                      st == HSC_E_IO ? "not a writable regular file" : hsc_status_string(st));
        return cli_exit_for(st);
    }
    st = resume != NULL ? hsc_trainer_set_resume(t, resume) : HSC_OK;
    if (st == HSC_E_IO)
        cli_error("train: cannot read the checkpoint '%s'", resume);
    else if (st == HSC_E_CHECKPOINT_CORRUPT)
        cli_error("train: --resume %s: not a training checkpoint, or truncated or damaged "
                  "(checksum or layout wrong): cannot resume from it", resume);
    else if (st != HSC_OK)
        cli_error("train: --resume %s: %s", resume, hsc_status_string(st));
    return cli_exit_for(st);
}

static int train_and_save(hsc_trainer *t, const char *out_path, const char *checkpoint,
                          const char *resume, progress *pr)
{
    struct sigaction sa, old[N_STOP_SIGNALS];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_STOP_SIGNALS; i++)
        sigaction(stop_signals[i], &sa, &old[i]);

    hsc_model *m = NULL;
    pr->start = pr->last = cli_now();
    hsc_status st = hsc_trainer_train(t, &m);
    double secs = cli_now() - pr->start;
    for (size_t i = 0; i < N_STOP_SIGNALS; i++)
        sigaction(stop_signals[i], &old[i], NULL);
    if (pr->drawn)
        fputc('\n', stderr);
    if (st != HSC_OK) {
        if (st == HSC_E_CANCELLED && checkpoint != NULL)
            cli_error("train: interrupted; no model written; continue with --resume %s "
                      "(and the same files and options)", checkpoint);
        else if (st == HSC_E_CANCELLED)
            cli_error("train: interrupted; no model written");
        else if (st == HSC_E_CHECKPOINT_MISMATCH)
            cli_error("train: --resume %s: the checkpoint was written for other training rows "
                      "or options (files, weights, --digits, --epochs, --seed, --threads...): "
                      "resume with the command that wrote it, or train without --resume", resume);
        else if (st == HSC_E_IO && checkpoint != NULL)
            cli_error("train: cannot write the checkpoint '%s' (the last one written stays): %s",
                      checkpoint, hsc_status_string(st));
        else
            cli_error("train: %s", hsc_status_string(st));
        return cli_exit_for(st);
    }
    int err = 0;
    st = save_held(m, out_path, &err);
    if (st != HSC_OK) {
        hsc_model_free(m);
        return cannot_write(out_path, st, err);
    }
    size_t labels = 0;
    const char *fp = NULL;
    hsc_model_label_count(m, &labels);
    if (hsc_model_info_str(m, HSC_INFO_FINGERPRINT, &fp) != HSC_OK)
        fp = "?";
    fputs("wrote ", stderr);
    cli_term_str(stderr, out_path);
    fprintf(stderr, ": %zu labels, fingerprint %s, trained in %.1f s\n", labels, fp, secs);
    if (checkpoint != NULL)   /* its run is over: no use left for it */
        unlink(checkpoint);
    /* What the held-out rows said about calibration and the threshold. */
    const char *keys[] = {"train.accept_threshold", "train.accept_threshold_from",
                          "train.valid_accept_share", "train.valid_ece",
                          "train.valid_top1_linear", "train.train_top1_linear",
                          "train.labels_untrained", "train.rows_mapped",
                          "train.rows_mapped_split", "train.valid_rows_seen_by_base",
                          "train.calibration_from"};
    enum { N_KEYS = sizeof keys / sizeof *keys };
    const char *vals[N_KEYS] = {"?", "?", "?", "-", NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t n_meta = 0;
    hsc_model_meta_count(m, &n_meta);
    for (size_t i = 0; i < n_meta; i++) {
        const char *k, *v;
        if (hsc_model_meta_get(m, i, &k, &v) != HSC_OK)
            continue;
        for (size_t j = 0; j < N_KEYS; j++)
            if (strcmp(k, keys[j]) == 0)
                vals[j] = v;
    }
    fprintf(stderr, "accept threshold %s (%s; accepts %s of the held-out rows), held-out ECE %s\n",
            vals[0], vals[1], vals[2], vals[3]);
    if (vals[9] != NULL && strcmp(vals[9], "0") != 0)
        fprintf(stderr, "%s held-out rows were rows the base model was trained on: left out of "
                        "the calibration%s\n", vals[9],
                vals[10] != NULL ? " (too few left: the base's blend and calibration kept)" : "");
    if (vals[7] != NULL)
        fprintf(stderr, "%s rows mapped through the correlation tables (%s split among several "
                        "codes)\n", vals[7], vals[8] != NULL ? vals[8] : "0");
    if (vals[6] != NULL && strcmp(vals[6], "0") != 0)
        fprintf(stderr, "%s labels had no training row: they share their parent's probability "
                        "with their trained siblings (the split rule)\n", vals[6]);
    /* A model far better on its own rows than on held-out ones learnt them
     * by heart: say so, its confidence is low for a reason. */
    double valid = -1, train = -1;
    if (vals[4] != NULL && vals[5] != NULL && cli_parse_f64(vals[4], &valid) &&
        cli_parse_f64(vals[5], &train) && train > 0 && valid < HELDOUT_GAP * train)
        fprintf(stderr, "WARNING: held-out top-1 %.1f%% is far below the training rows' %.1f%%: "
                        "the model does not generalize from these rows (too few rows per code? "
                        "try fewer --digits or more data)\n", 100 * valid, 100 * train);
    else if (vals[4] == NULL)
        fprintf(stderr, "no held-out rows: accuracy not measured and calibration not fitted "
                        "(too few rows, --valid 0, or no code with a second row)\n");
    hsc_model_free(m);
    return CLI_EXIT_OK;
}

int cli_cmd_train(int argc, char **argv)
{
    cli_parser p;
    cli_parser_init(&p, "train", argc, argv);
    hsc_config *cfg = NULL;
    hsc_trainer *t = NULL;
    train_input *in = calloc((size_t)argc + 1, sizeof *in);
    size_t n_in = 0;
    const char *out_path = NULL, *from = NULL, *checkpoint = NULL, *resume = NULL, *v;
    hsc_model *base = NULL;
    int epochs_given = 0;
    row_errors re = {.max = 100};
    progress pr = {isatty(2), 0, 0, 0, 0, 0, 0};
    int rc = CLI_EXIT_OK, id;
    hsc_status st = in != NULL ? hsc_config_new(&cfg) : HSC_E_NOMEM;
    if (st != HSC_OK) {
        cli_error("out of memory");
        rc = CLI_EXIT_INTERNAL;
        goto done;
    }
    while ((id = cli_next(&p, opts, &v)) != CLI_ARG_END) {
        switch (id) {
        case CLI_ARG_ERROR: rc = CLI_EXIT_USAGE; goto done;
        case CLI_OPT_HELP: help(); goto done;
        case OPT_DESCRIBE:
        case OPT_NATIONAL:
            if (!parse_nomen_input(v, id == OPT_DESCRIBE ? 1 : 2, &in[n_in++])) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            break;
        case OPT_THRESHOLD: {
            double x;
            hsc_status hst;
            if (!cli_opt_probability("train", "threshold", v, &x)) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            if ((hst = hsc_config_set_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, x)) != HSC_OK) {
                cli_usage_error("train", "--threshold %s: %s", v, hsc_status_string(hst));
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            break;
        }
        case CLI_ARG_POSITIONAL:
        case OPT_NOMENCLATURE:
            if (!parse_input(v, id == OPT_NOMENCLATURE ? HSC_ROWS_NOMENCLATURE : 0, &in[n_in++])) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            break;
        case OPT_OUT: out_path = v; break;
        case OPT_FROM: from = v; break;
        case OPT_CHECKPOINT: checkpoint = v; break;
        case OPT_RESUME: resume = v; break;
        case OPT_MAP:
            in[n_in].path = strdup(v);
            in[n_in].kind = 3;
            if (in[n_in++].path == NULL) {
                cli_error("out of memory");
                rc = CLI_EXIT_INTERNAL;
                goto done;
            }
            break;
        case OPT_QUIET: pr.quiet = 1; break;
        case OPT_MAX_ERRORS: {
            uint32_t x;
            if (!cli_opt_u32("train", "max-errors", v, &x)) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            re.max = x;
            break;
        }
        default:
            epochs_given |= id == OPT_EPOCHS;
            if (!apply_option(cfg, id, v)) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
        }
    }
    if (out_path == NULL) {
        rc = cli_usage_error("train", "missing -o MODEL");
        goto done;
    }
    if (n_in == 0) {
        rc = cli_usage_error("train", "no training file given");
        goto done;
    }
    /* Before an hour of training, not after it. */
    int err = 0;
    st = save_held(NULL, out_path, &err);
    if (st != HSC_OK) {
        rc = cannot_write(out_path, st, err);
        goto done;
    }
    if (from != NULL) {
        rc = cli_load_model("train", from, NULL, &base, NULL);
        if (rc != CLI_EXIT_OK)
            goto done;
        if (!epochs_given)   /* continuing: a few epochs, see hsc_trainer_new_from_model */
            hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, HSC_ADAPT_EPOCHS);
        st = hsc_trainer_new_from_model(cfg, base, &t);
    } else {
        st = hsc_trainer_new(cfg, &t);
    }
    if (st == HSC_OK)
        st = hsc_trainer_set_row_error_callback(t, on_row_error, &re);
    if (st == HSC_OK)
        st = hsc_trainer_set_progress_callback(t, on_progress, &pr);
    if (st == HSC_OK)
        st = hsc_trainer_set_read_progress_callback(t, on_read, &pr);
    if (st != HSC_OK) {
        cli_error("train: %s", hsc_status_string(st));
        rc = cli_exit_for(st);
        goto done;
    }
    rc = set_checkpoints(t, checkpoint, resume);
    if (rc == CLI_EXIT_OK)
        rc = add_inputs(t, in, n_in, &re, &pr);
    if (rc == CLI_EXIT_OK)
        rc = train_and_save(t, out_path, checkpoint, resume, &pr);
    print_reasons(&re);
done:
    hsc_trainer_free(t);
    hsc_model_free(base);
    hsc_config_free(cfg);
    if (in != NULL)
        for (size_t i = 0; i < n_in; i++)
            free(in[i].path);
    free(in);
    return rc;
}

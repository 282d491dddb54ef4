/*
 * hsclass.h - libhsclass public API.
 *
 * libhsclass suggests Harmonized System (HS) codes for free-text goods
 * descriptions ("frozen boneless beef cuts", "tissu de coton écru") with
 * calibrated probabilities. It normalizes and tokenizes text (utf8proc,
 * PCRE2), stems it per language (Snowball), hashes the result into features,
 * and scores them with a compact linear classifier whose output layer follows
 * the HS tree (chapter -> heading -> subheading -> national line).
 *
 * Objects
 *   hsc_config   options (text limits, featurization, training knobs).
 *                Copied by every call that takes one; free it when you like.
 *   hsc_model    a loaded classifier. Immutable after load: share one model
 *                between any number of threads.
 *   hsc_session  per-thread working state (regex match data, stemmers,
 *                buffers, results). One thread at a time per session. A
 *                session keeps its model alive (reference count), so models
 *                and sessions may be freed in any order.
 *   hsc_trainer  collects labeled rows and trains a model.
 *   hsc_eval     accumulates (confidence, right) pairs and measures their
 *                calibration (error, reliability bins, accept thresholds).
 *
 * Conventions
 *   - Every fallible call returns an hsc_status: HSC_OK (0) or a positive
 *     error code (see below). Results come back through out-parameters.
 *   - Text is passed as (const char *text, size_t len), UTF-8, no NUL needed.
 *   - Strings returned by the library are borrowed: they stay valid until the
 *     next call on the same object, or its free, unless stated otherwise.
 *   - *_free() functions accept NULL and return nothing.
 *   - NULL and indexes, one rule for every call (since 1.1):
 *     . required, else HSC_E_INVALID_ARG: the object a call works on, every
 *       input pointer other than text (paths, names, buffers), the *out of
 *       a call that creates something (config, model, session, trainer,
 *       eval, saved buffer and its length), and the one output of a call
 *       that returns a single value (hsc_model_label's code,
 *       hsc_session_token_stems's stems, every *_count's out...);
 *     . optional: each output of a call that returns several values (code
 *       and probability, key and value, offset and length, first and
 *       count, decision and reason, counters...) may be NULL: ask for what
 *       you need;
 *     . text and codes as (ptr, len): (NULL, 0) is the empty string,
 *       (NULL, len > 0) is HSC_E_INVALID_ARG;
 *     . an index past the end (results, tokens, labels, META, nomenclature
 *       entries, national schemes and lines, explanation items,
 *       precedents, ranked rows, bins) is HSC_E_NO_RESULT, never
 *       HSC_E_INVALID_ARG.
 *   - The library never prints, exits, aborts on bad input, or keeps mutable
 *     global state.
 *
 * Anything not declared in this header is not part of the public API.
 */
#ifndef HSCLASS_H
#define HSCLASS_H

#include <stddef.h>
#include <stdint.h>

#include "hsclass_version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && !defined(HSC_STATIC)
#  ifdef HSC_BUILDING
#    define HSC_API __declspec(dllexport)
#  else
#    define HSC_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define HSC_API __attribute__((visibility("default")))
#else
#  define HSC_API
#endif

/* ======================================================================== */
/* Version                                                                  */
/* ======================================================================== */

/** Runtime library version as MAJOR*10000 + MINOR*100 + PATCH. Compare with
 *  HSC_VERSION_NUMBER to detect a header/library mismatch. Since 1.0. */
HSC_API uint32_t hsc_version_number(void);

/** Runtime library version as a static string, e.g. "1.0.0". Never NULL.
 *  Since 1.0. */
HSC_API const char *hsc_version_string(void);

/** Highest model file format major version this library reads. Since 1.0. */
HSC_API uint32_t hsc_model_format_version_max(void);

/* ======================================================================== */
/* Status codes                                                             */
/* ======================================================================== */
/* Values are fixed forever and never reused, so bindings may hard-code them.
 * 1-19 misuse, 20-39 input text, 40-69 model files, 70-89 training data,
 * 90+ resources. */

typedef int hsc_status;

#define HSC_OK                    0
/* misuse */
#define HSC_E_INVALID_ARG         1  /**< NULL pointer or out-of-range value */
#define HSC_E_UNSUPPORTED         2  /**< unknown option key or feature */
#define HSC_E_STATE               3  /**< call not valid in this state */
#define HSC_E_NO_RESULT           4  /**< index out of range (results, labels, META...) */
#define HSC_E_CANCELLED           5  /**< a callback asked to stop */
/* input text */
#define HSC_E_BAD_UTF8           20  /**< text is not valid UTF-8 */
#define HSC_E_TEXT_TOO_LONG      21  /**< text exceeds HSC_CFG_MAX_TEXT_BYTES */
#define HSC_E_REGEX_LIMIT        22  /**< tokenizer hit its match limit */
#define HSC_E_BAD_LANGUAGE       23  /**< unknown language name */
#define HSC_E_BAD_CODE           24  /**< malformed HS code */
/* model files */
#define HSC_E_IO                 40  /**< cannot open/read/write a file */
#define HSC_E_MODEL_TRUNCATED    41  /**< file shorter than it claims */
#define HSC_E_MODEL_SIGNATURE    42  /**< not a libhsclass model file */
#define HSC_E_MODEL_VERSION      43  /**< format version not supported */
#define HSC_E_MODEL_CRC          44  /**< checksum mismatch (corruption) */
#define HSC_E_MODEL_LAYOUT       45  /**< bad header, section table or padding */
#define HSC_E_MODEL_SECTION      46  /**< missing, unknown critical or bad section */
#define HSC_E_MODEL_LIMIT        47  /**< a size exceeds the loader's limits */
#define HSC_E_MODEL_INFLATE      48  /**< compressed section does not inflate */
#define HSC_E_MODEL_VALUE        49  /**< a value is out of range (NaN, bad label...) */
#define HSC_E_MODEL_MISMATCH     50  /**< model needs a tokenizer/stemmer this build lacks */
/* training data */
#define HSC_E_BAD_ROW            70  /**< malformed training row (strict mode) */
#define HSC_E_NO_DATA            71  /**< no usable rows: nothing to train on or to evaluate */
#define HSC_E_ONE_CLASS          72  /**< training needs at least two codes */
#define HSC_E_CHECKPOINT_CORRUPT 73  /**< not a training checkpoint, or truncated or corrupt
                                          (hsc_trainer_set_resume). Since 1.1 */
#define HSC_E_CHECKPOINT_MISMATCH 74 /**< the checkpoint was written for other training rows
                                          or options. Since 1.1 */
/* resources */
#define HSC_E_NOMEM              90  /**< memory allocation failed */
#define HSC_E_INTERNAL           91  /**< internal error (a bug; please report) */

/** Static English name of a status, e.g. "HSC_E_BAD_UTF8: text is not valid
 *  UTF-8". Never NULL; unknown codes give "unknown status". Thread-safe.
 *  Since 1.0. */
HSC_API const char *hsc_status_string(hsc_status status);

/* ======================================================================== */
/* Configuration                                                            */
/* ======================================================================== */

typedef struct hsc_config hsc_config;

/* Option keys. Values are fixed forever. Each key has one type: u32, f64 or
 * str; using the wrong setter gives HSC_E_UNSUPPORTED, an out-of-range value
 * HSC_E_INVALID_ARG. "(model)" marks featurization options that a model
 * records at training time; loading a model overrides them. */
/* text handling (u32 unless noted) */
#define HSC_CFG_MAX_TEXT_BYTES     1  /**< longest accepted text; 1..2^30, default 65536.
                                          A session's working memory for one text is
                                          below 10 bytes per byte of it, classify or
                                          explain: 2.5-4 for ordinary words, up to ~7
                                          for one-letter words, digits or a text that
                                          NFKC swells (U+FDFA: 3 bytes, 4 words), as
                                          tokens are packed (a few bytes each, each
                                          distinct word once), a long text is
                                          normalized 16 KiB at a time and features
                                          are made again when needed. A run of more
                                          than 64 KiB of normalized text with no
                                          place to cut (one "word" of U+3316, no
                                          space) is cut every 64 KiB, which splits
                                          the word there */
#define HSC_CFG_UTF8_REPLACE       2  /**< 1: replace bad UTF-8 by U+FFFD; default 0 */
#define HSC_CFG_STRIP_ACCENTS      3  /**< (model) 1: fold accents; default 1 */
#define HSC_CFG_LANGUAGES          4  /**< (model, str) "en,fr,pt" etc.; default "en,fr,pt,es" */
#define HSC_CFG_MATCH_LIMIT        5  /**< PCRE2 match limit; default 100000 */
/* model files (u32). Since 1.1 */
#define HSC_CFG_MAX_MODEL_BYTES   50  /**< largest model file hsc_model_load_file reads (a
                                          larger one, or a device or pipe giving more, is
                                          HSC_E_MODEL_LIMIT); 1..4294967295; default
                                          2147483648 (2 GiB) */
#define HSC_CFG_MODEL_MMAP        51  /**< 1: hsc_model_load_file maps a regular file instead
                                          of reading it (see there for the risk); default 0 */
/* featurization (model) */
#define HSC_CFG_BUCKETS           10  /**< hash buckets; default 2097152 */
#define HSC_CFG_WORD_NGRAMS       11  /**< 1 or 2; default 2 */
#define HSC_CFG_CHAR_NGRAM_MIN    12  /**< 0 disables; default 3 */
#define HSC_CFG_CHAR_NGRAM_MAX    13  /**< default 5 */
#define HSC_CFG_HASH_SEED         14  /**< default 0 */
#define HSC_CFG_SKELETONS         15  /**< 1: consonant-skeleton features for abbreviations; default 1 */
#define HSC_CFG_FEATURE_VERSION   16  /**< 1, or 2: also features of the head phrase, the words that
                                          name the goods before their packaging, quantity or
                                          purpose ("riz" in "riz brise en sacs de 25kg"); default
                                          2. Since 1.1 */
/* training */
#define HSC_CFG_DIM               20  /**< embedding dimension; default 64 */
#define HSC_CFG_EPOCHS            21  /**< default 20 */
#define HSC_CFG_LEARNING_RATE     22  /**< (f64) default 0.5 */
#define HSC_CFG_THREADS           23  /**< training threads, 0 for one per online core; default
                                          1 (the only bit-for-bit reproducible setting) */
#define HSC_CFG_SEED              24  /**< random seed; default 1 */
#define HSC_CFG_CODE_DIGITS       25  /**< truncate labels to 2,4,6,8,10 digits; 0 keeps them; default 6.
                                          At 8 or 10 (national training) a row with a shorter
                                          even code of at least 6 digits teaches the levels
                                          its code has (see hsc_trainer_train) */
#define HSC_CFG_VALID_FRACTION    26  /**< (f64) held-out share for validation/calibration; default 0.05 */
#define HSC_CFG_STRICT            27  /**< 1: a malformed row stops training; default 0 */
#define HSC_CFG_MIN_COUNT         28  /**< drop features seen in fewer rows; default 1 */
#define HSC_CFG_AUGMENT           29  /**< 1: expand nomenclature paths into short phrases and sample
                                          short phrases from long rows; default 1 */
#define HSC_CFG_MAX_ROWS          30  /**< keep at most this many feature rows (largest norms) and
                                          fine-tune; 0 keeps every row training touched; default 0 */
#define HSC_CFG_HS_EDITION        31  /**< (str) nomenclature edition recorded in the model, e.g.
                                          "HS2022"; printable ASCII, at most 31 bytes; default
                                          "unspecified" */
#define HSC_CFG_PRECEDENTS        32  /**< 1: keep a precedent memory of the training rows in the
                                          model and blend its votes (hsc_session_precedent); 0:
                                          none; default 1. Since 1.1 */
#define HSC_CFG_KEEP_PRECEDENT_TEXTS 33 /**< 1: the memory also keeps each row's text (shown with
                                          hsc_session_precedent; about 1.5 MB for the default
                                          model's 66k rows); default 0. Since 1.1 */
#define HSC_CFG_TRADE_NOISE       34  /**< (f64) share of training texts also learnt with trade
                                          noise added (packaging, quantities, counts, marks), so
                                          that such words do not decide the code; 0..1;
                                          default 0.3. Since 1.1 */
/* training on an administration's own declarations (60-69) */
#define HSC_CFG_REHEARSAL         60  /**< (f64) adapting a model (hsc_trainer_new_from_model):
                                          weight of the base's nomenclature descriptions learnt
                                          again beside the new rows, so that codes the rows do
                                          not mention are not forgotten; 0 for none; 0..100;
                                          default 0.3. Since 1.1 */
#define HSC_CFG_PRECEDENTS_PER_CODE 61 /**< the precedent memory keeps at most this many rows
                                          per code, spread evenly over the input order; 0
                                          (default): automatic, no cap up to 500,000 rows,
                                          beyond that 500,000 / (codes with rows), rounded up,
                                          so that a memory of millions of declarations stays
                                          near 500,000 rows. Since 1.1 */
#define HSC_CFG_PRECEDENT_MIX     62  /**< (f64) share of the precedents' votes in the model's
                                          final scores, in [0, 1); negative (default -1): fitted
                                          on the held-out rows. Set it to reuse a mix fitted on
                                          more held-out rows than the run has (models/build.sh).
                                          Since 1.1 */
/* decisions */
#define HSC_CFG_ACCEPT_THRESHOLD  40  /**< (f64) probability to accept; default: the model's */
/* audits of declared codes (70-79) */
#define HSC_CFG_AUDIT_THRESHOLD   70  /**< (f64) hsc_session_audit finds a declared code suspect
                                          when its probability is below this; 0..1; default
                                          fitted for the shipped model so that about 10% of
                                          correctly declared lines fall below it
                                          (bench/audit.py); read it with hsc_config_get_f64.
                                          Since 1.1 */

HSC_API hsc_status hsc_config_new(hsc_config **out);
/** Deep copy. *out is owned by the caller. */
HSC_API hsc_status hsc_config_copy(const hsc_config *cfg, hsc_config **out);
HSC_API void hsc_config_free(hsc_config *cfg);

/** Set/get typed options. Not thread-safe on the same config. Return
 *  HSC_E_UNSUPPORTED for an unknown key or a key of another type,
 *  HSC_E_INVALID_ARG for a value out of range, HSC_E_BAD_LANGUAGE for an
 *  unknown language in HSC_CFG_LANGUAGES. Strings are copied. Since 1.0. */
HSC_API hsc_status hsc_config_set_u32(hsc_config *cfg, int32_t key, uint32_t value);
HSC_API hsc_status hsc_config_set_f64(hsc_config *cfg, int32_t key, double value);
HSC_API hsc_status hsc_config_set_str(hsc_config *cfg, int32_t key, const char *value);
HSC_API hsc_status hsc_config_get_u32(const hsc_config *cfg, int32_t key, uint32_t *out);
HSC_API hsc_status hsc_config_get_f64(const hsc_config *cfg, int32_t key, double *out);
/** *out is borrowed from cfg until the next set or free. */
HSC_API hsc_status hsc_config_get_str(const hsc_config *cfg, int32_t key, const char **out);

/** Allocator used by every object created with this config (models,
 *  sessions, trainers). calloc_fn(user, n, size), realloc_fn(user, p, size),
 *  free_fn(user, p). All three or none (NULL restores the C library's).
 *  PCRE2 and zlib use it too; libstemmer and utf8proc's internal tables keep
 *  the C library's. */
typedef void *(*hsc_calloc_fn)(void *user, size_t n, size_t size);
typedef void *(*hsc_realloc_fn)(void *user, void *ptr, size_t size);
typedef void (*hsc_free_fn)(void *user, void *ptr);
HSC_API hsc_status hsc_config_set_allocator(hsc_config *cfg, hsc_calloc_fn calloc_fn,
                                            hsc_realloc_fn realloc_fn, hsc_free_fn free_fn,
                                            void *user);

/* ======================================================================== */
/* HS codes                                                                 */
/* ======================================================================== */
/* Every code the library reads (training rows, descriptions, national
 * lines, lookups, constraints) follows one rule: digits, with '.' or ' '
 * allowed anywhere and ignored ("8703.23", "8703 23" and "870323" are the
 * same code); at most HSC_CODE_MAX_DIGITS digits. Where a list of codes is
 * taken (hsc_session_set_constraint), commas and semicolons separate the
 * codes, and a space is part of a code: "84 85" is heading 8485, while
 * "84, 85" is chapters 84 and 85. */

#define HSC_CODE_MAX_DIGITS 12

/** Parse one code written as above into its digits: digits receives them
 *  and a NUL (cap > HSC_CODE_MAX_DIGITS bytes), *n_digits their count (0
 *  when text is empty or only separators; callers set their own minimum).
 *  Returns HSC_E_BAD_CODE for any other character or too many digits,
 *  HSC_E_INVALID_ARG for a NULL or cap too small. Thread-safe. Since 1.1. */
HSC_API hsc_status hsc_code_parse(const char *text, size_t len, char *digits, size_t cap,
                                  size_t *n_digits);

/* ======================================================================== */
/* Model                                                                    */
/* ======================================================================== */

typedef struct hsc_model hsc_model;

/** Load a model from a file. cfg may be NULL (defaults). On failure *out is
 *  NULL and, when err_offset is not NULL, *err_offset receives the byte
 *  offset where the problem was found. Returns HSC_E_IO (cannot open or
 *  read, or a directory), HSC_E_MODEL_LIMIT (more than
 *  HSC_CFG_MAX_MODEL_BYTES), other HSC_E_MODEL_* or HSC_E_NOMEM. Never
 *  crashes on hostile input and never allocates more than the file's
 *  checked sizes. Never blocks on opening a FIFO (one without a writer
 *  reads as empty). Thread-safe. Since 1.0.
 *  By default the file is read into memory once and the model keeps that
 *  copy: rewriting, truncating or deleting the file afterwards does not
 *  affect a loaded model (since 1.1). With HSC_CFG_MODEL_MMAP = 1 a
 *  regular file is mapped read-only instead and its weight matrices are
 *  used in place: less private memory when many processes load one file,
 *  but the file must then only ever be replaced by writing a new file and
 *  renaming it over the old one (as hsc_model_save_file does): rewriting
 *  or truncating it in place changes or removes the mapped pages under the
 *  process, which can kill it with SIGBUS. */
HSC_API hsc_status hsc_model_load_file(const char *path, const hsc_config *cfg,
                                       hsc_model **out, uint64_t *err_offset);
/** Same from memory. The buffer is not retained (the model copies what it
 *  needs). Since 1.0. */
HSC_API hsc_status hsc_model_load_memory(const void *data, size_t len, const hsc_config *cfg,
                                         hsc_model **out, uint64_t *err_offset);
/** Drop the caller's reference. Sessions keep the model alive until they are
 *  freed too. Thread-safe. */
HSC_API void hsc_model_free(hsc_model *model);

/** Write the model to path atomically: a temporary file "PATH.XXXXXX" in
 *  the same directory (mode 0666 less the process umask), then a rename
 *  over path; on any failure the temporary file is removed and path is
 *  untouched. Only a regular file is ever replaced: when path is a
 *  symbolic link to a regular file, its target is replaced (the link
 *  stays); when path exists and is anything else (a device such as
 *  /dev/null, a FIFO, a socket, a directory, a dangling link) the call
 *  returns HSC_E_IO without writing. A write past a file-size limit
 *  (RLIMIT_FSIZE) returns HSC_E_IO when the process ignores SIGXFSZ. The
 *  output is deterministic. Returns HSC_E_IO or HSC_E_NOMEM. */
HSC_API hsc_status hsc_model_save_file(const hsc_model *model, const char *path);
/** Whether hsc_model_save_file(..., path) could write now: path passes the
 *  rules above and a temporary file can be created beside it (it is
 *  removed again). Call it before a long training run. Returns HSC_OK,
 *  HSC_E_IO or HSC_E_INVALID_ARG (NULL). Since 1.1. */
HSC_API hsc_status hsc_model_save_check(const char *path);
/** Serialize into a library-allocated buffer; free it with hsc_buffer_free. */
HSC_API hsc_status hsc_model_save_memory(const hsc_model *model, void **out, size_t *out_len);
HSC_API void hsc_buffer_free(void *buf);

/* Keys for hsc_model_info_str. */
#define HSC_INFO_FORMAT_VERSION   1  /**< "1.0" */
#define HSC_INFO_HS_EDITION       2  /**< e.g. "HS2022" */
#define HSC_INFO_LANGUAGES        3  /**< e.g. "en,fr,pt" */
#define HSC_INFO_STEMMER          4  /**< Snowball algorithms and library */
#define HSC_INFO_TOKENIZER        5  /**< tokenizer id and version */
#define HSC_INFO_NORMALIZATION    6  /**< e.g. "NFKC+casefold+strip-accents (utf8proc 2.8.0)" */
#define HSC_INFO_HASH             7  /**< hash id, seed and buckets */
#define HSC_INFO_TRAINING         8  /**< training options, rows, time */
#define HSC_INFO_LABELS           9  /**< number of labels and code digits */
#define HSC_INFO_FINGERPRINT     10  /**< CRC32 of the whole file, hex */
#define HSC_INFO_CREATED_BY      11  /**< library version that wrote it */

/** Borrowed metadata string (valid while the model lives). Returns
 *  HSC_E_UNSUPPORTED for an unknown key. Thread-safe. Since 1.0. */
HSC_API hsc_status hsc_model_info_str(const hsc_model *model, int32_t key, const char **out);

/** Iterate all metadata as key/value pairs, index 0..count-1
 *  (HSC_E_NO_RESULT past the end). */
HSC_API hsc_status hsc_model_meta_count(const hsc_model *model, size_t *out);
HSC_API hsc_status hsc_model_meta_get(const hsc_model *model, size_t index, const char **key,
                                      const char **value);

/** The codes the model can suggest (its labels), index 0..count-1, sorted
 *  (HSC_E_NO_RESULT past the end). */
HSC_API hsc_status hsc_model_label_count(const hsc_model *model, size_t *out);
HSC_API hsc_status hsc_model_label(const hsc_model *model, size_t index, const char **code);

/** The model's default decision threshold (HSC_CFG_ACCEPT_THRESHOLD
 *  overrides it per session): fitted at training time as the lowest
 *  calibrated top-1 probability at which the held-out rows reached 95%
 *  precision (see hsc_trainer_train). In [0, 1]. Thread-safe. Since 1.0. */
HSC_API hsc_status hsc_model_accept_threshold(const hsc_model *model, double *out);

/* ---- Nomenclature ---------------------------------------------------------
 * A model trained with hsc_trainer_add_nomenclature_file carries the code
 * descriptions (chapters, headings, subheadings...) in one or more
 * languages, and with hsc_trainer_add_national_file national tariff lines
 * (e.g. the 10-digit TEC CEDEAO lines). Entries are sorted by code, so the
 * codes below a prefix ("0201": the heading, then its subheadings) form
 * one index range. Codes may be written with '.' or ' ' ("0201.30"). Every
 * string is borrowed from the model and valid while it lives. All of these
 * are thread-safe; a model without a nomenclature has zero entries. The
 * tables are decoded from the model file the first time one of these calls
 * needs them (loading skips them): if they are found damaged
 * then, every one of these calls (and hsc_model_save_*) returns the
 * HSC_E_MODEL_* status, HSC_E_NOMEM when memory runs out; classifying
 * does not need them. */

/** Languages of the descriptions, comma-separated ("en,fr"; "" if none). */
HSC_API hsc_status hsc_model_nomenclature_languages(const hsc_model *model, const char **out);
/** Number of described codes. */
HSC_API hsc_status hsc_model_nomenclature_count(const hsc_model *model, size_t *out);
/** Entry index: its code and description in lang ("en"; NULL: the first
 *  language that has one). *description is "" when the code has no text
 *  in lang. HSC_E_NO_RESULT when index is out of range. */
HSC_API hsc_status hsc_model_nomenclature_entry(const hsc_model *model, size_t index,
                                                const char *lang, const char **code,
                                                const char **description);
/** Range [*first, *first + *count) of the entries whose code starts with
 *  prefix (len 0: all). *count is 0 when there are none. HSC_E_BAD_CODE for
 *  a prefix that is not digits. */
HSC_API hsc_status hsc_model_nomenclature_find(const hsc_model *model, const char *prefix,
                                               size_t len, size_t *first, size_t *count);
/** Description of one code (exact match) in lang (NULL or "": the first
 *  language that has one), from the descriptions, else from the national
 *  lines (whose language is their scheme's). HSC_E_NO_RESULT when there is
 *  none, HSC_E_BAD_CODE for a malformed code. Since 1.0. */
HSC_API hsc_status hsc_model_describe(const hsc_model *model, const char *code, size_t len,
                                      const char *lang, const char **out);

/** National tariff schemes, index 0..count-1: name ("TEC-CEDEAO") and the
 *  language of its descriptions (lang may be NULL). HSC_E_NO_RESULT when
 *  scheme is out of range. */
HSC_API hsc_status hsc_model_national_scheme_count(const hsc_model *model, size_t *out);
HSC_API hsc_status hsc_model_national_scheme(const hsc_model *model, size_t scheme,
                                             const char **name, const char **lang);
/** Range of a scheme's lines whose code starts with prefix (an HS6 code
 *  gives the national lines under it), as hsc_model_nomenclature_find. */
HSC_API hsc_status hsc_model_national_find(const hsc_model *model, size_t scheme,
                                           const char *prefix, size_t len, size_t *first,
                                           size_t *count);
/** Line index of a scheme: its code and description. */
HSC_API hsc_status hsc_model_national_line(const hsc_model *model, size_t scheme, size_t index,
                                           const char **code, const char **description);

/* ======================================================================== */
/* Session                                                                  */
/* ======================================================================== */

typedef struct hsc_session hsc_session;

/** Create a session. model may be NULL: the session then only tokenizes,
 *  using cfg's featurization options. With a model, the model's recorded
 *  featurization is used and cfg (may be NULL) only sets runtime options
 *  (text limits, UTF-8 replacement, thresholds). The session holds a
 *  reference on the model. With a precedent memory, a session takes 12
 *  bytes per memory row for its searches, and as it meets the memory's long
 *  posting lists it keeps where each can be entered (8 bytes per 16 rows
 *  of a list) and the entries of the words it looked up, so that later
 *  texts skip what cannot change their nearest rows: for the default model
 *  about 1.6 MB, then up to 0.8 MB more (0.5 MB after its 5,437 evaluation
 *  texts). Returns HSC_E_NOMEM, HSC_E_BAD_LANGUAGE, HSC_E_MODEL_MISMATCH.
 *  Since 1.0. */
HSC_API hsc_status hsc_session_new(hsc_model *model, const hsc_config *cfg, hsc_session **out);
HSC_API void hsc_session_free(hsc_session *session);

/** Detail of the session's last error (e.g. the byte offset of bad UTF-8),
 *  borrowed; "" when there is none. Never NULL for a non-NULL session. */
HSC_API const char *hsc_session_last_error_detail(const hsc_session *session);

/* Token types. */
#define HSC_TOKEN_WORD      1  /**< word in any script */
#define HSC_TOKEN_NUMBER    2  /**< bare number: "20", "3.5" */
#define HSC_TOKEN_QUANTITY  3  /**< number with unit: "20kg", "85%", "3.5 mm" */
#define HSC_TOKEN_CODE      4  /**< HS code mention: "0201.30", "8703 23" */
#define HSC_TOKEN_ALNUM     5  /**< model/part number: "X200", "205/55R16" */

/** Token flags. */
#define HSC_TOKEN_FLAG_STOPWORD 1u  /**< dropped from features */

/** Normalize and tokenize text; results are read with the token accessors
 *  and stay valid until the next call on this session. Returns HSC_E_BAD_UTF8
 *  (detail gives the offset), HSC_E_TEXT_TOO_LONG, HSC_E_REGEX_LIMIT,
 *  HSC_E_NOMEM. Empty or blank text gives zero tokens and HSC_OK. */
HSC_API hsc_status hsc_session_tokenize(hsc_session *session, const char *text, size_t len);
HSC_API size_t hsc_session_token_count(const hsc_session *session);
/** Token i: its normalized text, its type and flags, the byte span it came
 *  from in the caller's text, and its stem(s): several when the session has
 *  several languages and their stemmers disagree ("|"-joined). */
HSC_API hsc_status hsc_session_token(const hsc_session *session, size_t index, const char **norm,
                                     uint32_t *type, uint32_t *flags);
HSC_API hsc_status hsc_session_token_stems(const hsc_session *session, size_t index,
                                           const char **stems);
HSC_API hsc_status hsc_session_token_span(const hsc_session *session, size_t index,
                                          size_t *offset, size_t *length);

/** Suggest up to k codes for text (k >= 1). Results at the model's label
 *  level (digits = 0) and, summed over descendants, at 2 and 4 digits (and 6
 *  and 8 when labels are longer). Probabilities are calibrated and sum to at
 *  most 1 per level. With labels longer than 6 digits (national lines) the
 *  best label is the best line of the best 6-digit subheading (by summed
 *  score), even when a line of another subheading scores higher alone; the
 *  calibration keeps the subheadings' order. Needs a model (else HSC_E_STATE). Text errors as for
 *  hsc_session_tokenize. A text with no usable token gives zero results at
 *  every level and HSC_OK. Since 1.0. */
HSC_API hsc_status hsc_session_classify(hsc_session *session, const char *text, size_t len,
                                        uint32_t k);

/** Results of the last classify, borrowed until the next call on the
 *  session. digits: 0 for the label level, or 2, 4, 6, 8. Index is the
 *  rank (0 = best). Returns HSC_E_NO_RESULT when out of range,
 *  HSC_E_INVALID_ARG for a level the model has not. */
HSC_API hsc_status hsc_session_result_count(const hsc_session *session, uint32_t digits,
                                            size_t *out);
HSC_API hsc_status hsc_session_result(const hsc_session *session, uint32_t digits, size_t index,
                                      const char **code, double *probability);

/* ---- Review decisions ------------------------------------------------------
 * Each classify also decides whether its best code can be accepted as is or
 * the declaration must go to a person. A text is accepted only when it has
 * at least one content word the model knows (numbers, units, function words
 * and generic words such as "goods", "spare parts", "samples", "various
 * items" do not count, in en, fr, pt or es) and the calibrated probability
 * of the best code at the label level reaches the threshold: the session
 * config's HSC_CFG_ACCEPT_THRESHOLD, else the model's
 * (hsc_model_accept_threshold). The first failing condition is the reason.
 * Under a constraint (hsc_session_set_constraint) the probability compared
 * with the threshold is the best allowed code's calibrated probability
 * without the constraint, not the renormalized one the results give: the
 * threshold was fitted on unconstrained probabilities, and one allowed
 * code has probability 1 given the constraint whatever the text says. */
#define HSC_DECISION_NONE    0  /**< no classify since the last reset */
#define HSC_DECISION_ACCEPT  1  /**< the best code may be used as is */
#define HSC_DECISION_REVIEW  2  /**< a person must look at it */

#define HSC_REASON_NONE            0
#define HSC_REASON_CONFIDENT       1  /**< accept: top-1 probability >= threshold */
#define HSC_REASON_LOW_CONFIDENCE  2  /**< review: top-1 probability below the threshold */
#define HSC_REASON_NO_CONTENT      3  /**< review: empty, or only numbers/units/function words */
#define HSC_REASON_VAGUE           4  /**< review: only generic words ("goods", "samples") */
#define HSC_REASON_UNKNOWN_WORDS   5  /**< review: no content word the model knows */
#define HSC_REASON_CONSTRAINT      6  /**< review: nothing within the session's constraint,
                                          or the best allowed code is not the model's own
                                          best and is below the threshold without the
                                          constraint (the text points elsewhere) */

/** Decision and reason (may be NULL) of the last hsc_session_classify.
 *  HSC_E_STATE (and HSC_DECISION_NONE) when the last call was not a
 *  successful classify. Since 1.0. */
HSC_API hsc_status hsc_session_decision(const hsc_session *session, uint32_t *decision,
                                        uint32_t *reason);
/** The threshold this session decides with. HSC_E_STATE without a model. */
HSC_API hsc_status hsc_session_accept_threshold(const hsc_session *session, double *out);
/** Static English text of a HSC_REASON_* value; never NULL. Since 1.0. */
HSC_API const char *hsc_decision_reason_string(uint32_t reason);

/* ---- Any code's score, audits of declared codes ---------------------------
 * Results give the top k; an audit needs the score of the code a trader
 * declared, wherever it ranks. */

/** The code's score for the text of the last classify, as if k had been
 *  large enough to list it: its calibrated probability at level digits (as
 *  hsc_session_result would give it) and its rank there (1 = best; ties go
 *  to the code listed first). digits: 0 for the label level (the whole
 *  code must be a label), or 2, 4, 6, 8 (a level the model has): the
 *  code's first digits digits are scored, so a 10-digit declared code can
 *  be scored at 2, 4 and 6 digits. Codes follow the rule of "HS codes".
 *  *probability 0 and *rank 0 ("not ranked") when the model has no such
 *  code at that level, when the session's constraint excludes it, or when
 *  the text got no suggestion at all. rank may be NULL: the probability
 *  alone costs little; the rank scores the codes that could rank above it
 *  (few for a likely code; up to the whole level, a few classifies' time,
 *  for an unlikely one). Results, decision and explanation of the
 *  classify stay valid. HSC_E_STATE when
 *  the last call was not a classify, HSC_E_INVALID_ARG for a level the
 *  model has not, HSC_E_BAD_CODE for a malformed code or one shorter than
 *  digits (or than 2). Since 1.1. */
HSC_API hsc_status hsc_session_code_score(hsc_session *session, const char *code, size_t len,
                                          uint32_t digits, double *probability, uint64_t *rank);

/* Verdicts of hsc_session_audit. */
#define HSC_AUDIT_NONE        0  /**< no verdict (an error) */
#define HSC_AUDIT_CONSISTENT  1  /**< the description supports the declared code */
#define HSC_AUDIT_SUSPECT     2  /**< the description points elsewhere: the declared code's
                                      probability is below the audit threshold */
#define HSC_AUDIT_UNCHECKED   3  /**< the description gives nothing to check the code against
                                      (the decision's reason is no_content, vague,
                                      unknown_words or constraint) */

/** Audit a declared code against the text of the last classify. The rule,
 *  one for every caller: the code is scored (hsc_session_code_score) at
 *  the deepest level the model has within both the declared code's length
 *  and 6 digits (the international HS level; national digits are rarely
 *  told apart by a description); it is SUSPECT when that probability is
 *  below the session config's HSC_CFG_AUDIT_THRESHOLD (a code the model
 *  does not know has probability 0), CONSISTENT otherwise, and UNCHECKED
 *  whatever its probability when the decision's reason says the text has
 *  nothing the model can read. probability and digits (may be NULL)
 *  receive that probability and level. HSC_E_STATE when the last call was
 *  not a classify, HSC_E_BAD_CODE for a malformed code or one shorter than
 *  the model's first level. Since 1.1. */
HSC_API hsc_status hsc_session_audit(hsc_session *session, const char *code, size_t len,
                                     uint32_t *verdict, double *probability, uint32_t *digits);
/** The threshold this session audits with (HSC_CFG_AUDIT_THRESHOLD).
 *  Since 1.1. */
HSC_API hsc_status hsc_session_audit_threshold(const hsc_session *session, double *out);

/* ---- Constraints ------------------------------------------------------------ */

/** Restrict this session's suggestions to codes starting with one of the
 *  given prefixes: "84,8517" (chapters, headings or any 2-12 digit prefix,
 *  separated by commas or semicolons; '.' and ' ' inside a code are
 *  ignored, so "8703 23" is one prefix and "84 85" is heading 8485: see
 *  "HS codes" above).
 *  len 0 (or only spaces) removes the constraint; separators without a
 *  code (",,,") are HSC_E_BAD_CODE. Applies to every level and to the
 *  decision. Probabilities are renormalized: they are P(code | the code is
 *  within the prefixes), so they still sum to at most 1 per level, and a
 *  level above a prefix (chapter 85 for "8517") gets only the allowed mass.
 *  The decision does not use the renormalized probability (see "Review
 *  decisions" above). Clears the session's results. Returns HSC_E_BAD_CODE (the previous
 *  constraint stays), HSC_E_STATE without a model, HSC_E_NOMEM. A prefix the
 *  model has no code for is allowed; if no prefix matches, classify gives no
 *  result and HSC_REASON_CONSTRAINT. Since 1.0. */
HSC_API hsc_status hsc_session_set_constraint(hsc_session *session, const char *prefixes,
                                              size_t len);

/* ---- Explanations ------------------------------------------------------------
 * Why a code got its score, word by word. A code's path makes one choice per
 * branching step (chapter, then heading, then subheading...). At each step
 * the explained score compares the code's calibrated logit with those of
 * its alternatives (the step's other choices), averaged with the weights
 * the model gives them for this text: z_code - sum_alt P(alt | not code) z_alt.
 * The explanation covers the sum over the steps. The model is linear in the
 * mean of the text's feature vectors, so this score splits exactly over the
 * features, and each feature's share goes to the token it came from
 * (character n-grams and skeletons to their word, a word pair to its first
 * word). Positive weights put the code ahead of its plausible competitors,
 * negative ones favour them. The weights add up to hsc_session_explain_total
 * (which, per step, is the code's log-odds against its alternatives plus
 * the entropy of the alternatives' weights). */

/** Explain result index of level digits (as hsc_session_result) of the last
 *  classify. The classify's results and tokens stay valid; the previous
 *  explanation is replaced. HSC_E_STATE when the last call was not a
 *  classify, HSC_E_NO_RESULT for an index out of range, HSC_E_INVALID_ARG
 *  for an unknown level, HSC_E_NOMEM. Since 1.0. */
HSC_API hsc_status hsc_session_explain(hsc_session *session, uint32_t digits, size_t index);
/** Number of explained tokens: those with at least one feature the model
 *  knows (stopwords and unknown words have none). HSC_E_STATE if nothing is
 *  explained. */
HSC_API hsc_status hsc_session_explain_count(const hsc_session *session, size_t *out);
/** Item index, by decreasing weight: the token (read it with
 *  hsc_session_token / hsc_session_token_span) and its weight. */
HSC_API hsc_status hsc_session_explain_item(const hsc_session *session, size_t index,
                                            size_t *token_index, double *weight);
/** The explained score: the sum of all weights. */
HSC_API hsc_status hsc_session_explain_total(const hsc_session *session, double *score);

/* ---- Precedents --------------------------------------------------------------
 * A model trained with HSC_CFG_PRECEDENTS keeps a precedent memory: its
 * training rows (for an administration, its past declarations and their
 * codes), indexed by their stems and stem pairs. Classifying finds the rows
 * nearest to the text (idf-weighted cosine similarity); their codes vote,
 * and the votes are blended with the linear model's probabilities in the
 * share fitted on held-out rows at training time. The scores of every level
 * come from that blend. The nearest rows are the explanation officers trust
 * most: "these past declarations were classified so". Under a constraint
 * only rows whose code is allowed count. */

/** Number of precedents found by the last classify (0 for a model without a
 *  memory, or when no row shares a word with the text). HSC_E_STATE when
 *  the last call was not a classify. Since 1.1. */
HSC_API hsc_status hsc_session_precedent_count(const hsc_session *session, size_t *out);
/** Precedent index, most similar first: its code, its similarity (0..1],
 *  its text (NULL unless the model was trained with
 *  HSC_CFG_KEEP_PRECEDENT_TEXTS) and the name of the training file it came
 *  from ("" for rows added through the API). Every out-parameter may be
 *  NULL. Strings are borrowed from the model. HSC_E_NO_RESULT for an index
 *  out of range. Since 1.1. */
HSC_API hsc_status hsc_session_precedent(const hsc_session *session, size_t index,
                                         const char **code, double *similarity,
                                         const char **text, const char **source);

/* ======================================================================== */
/* Evaluation                                                               */
/* ======================================================================== */
/* How well calibrated probabilities predict right answers, computed once
 * for every user: hsc_trainer_train on its held-out rows, `hsclass eval`,
 * and the bindings. Add one row per classified text: the calibrated
 * probability of its best code (its "confidence") and whether that code is
 * right; a text without any suggestion is added with
 * HSC_EVAL_NO_SUGGESTION. Then read the calibration error, reliability
 * bins, and what a decision threshold accepts. An hsc_eval is used by one
 * thread at a time (like a session). */

typedef struct hsc_eval hsc_eval;

/** Confidence of a row whose text got no suggestion (any negative value
 *  works): never accepted, and counted as wrong with confidence 0 in the
 *  calibration figures. */
#define HSC_EVAL_NO_SUGGESTION (-1.0)

/** An empty evaluation. cfg may be NULL; only its allocator is used.
 *  Returns HSC_E_NOMEM. Since 1.1. */
HSC_API hsc_status hsc_eval_new(const hsc_config *cfg, hsc_eval **out);
HSC_API void hsc_eval_free(hsc_eval *eval);

/** Add a row: confidence in [0, 1] (or HSC_EVAL_NO_SUGGESTION) and correct
 *  1 when the best code is right, else 0 (always 0 without a suggestion).
 *  HSC_E_INVALID_ARG otherwise (NaN, above 1), HSC_E_NOMEM. */
HSC_API hsc_status hsc_eval_add(hsc_eval *eval, double confidence, uint32_t correct);
/** Rows added, those with a suggestion, and those whose best code is right
 *  (suggested and correct may be NULL). */
HSC_API hsc_status hsc_eval_count(const hsc_eval *eval, uint64_t *rows, uint64_t *suggested,
                                  uint64_t *correct);

/** Expected calibration error over bins equal-width confidence bins
 *  ([b/bins, (b+1)/bins), the last one closed; 1..10000; 15 is usual): the
 *  mean over all rows of |accuracy - confidence| per bin, weighted by the
 *  bins' rows. mean_confidence (may be NULL): the mean confidence of all
 *  rows. HSC_E_NO_DATA, "not available", when no row has a suggestion
 *  (nothing to calibrate); HSC_E_INVALID_ARG for bins out of range. */
HSC_API hsc_status hsc_eval_calibration(const hsc_eval *eval, uint32_t bins, double *ece,
                                        double *mean_confidence);
/** One bin of the reliability diagram of the same binning: its rows, their
 *  mean confidence and their accuracy (0 for an empty bin; both may be
 *  NULL). HSC_E_NO_DATA as above, HSC_E_NO_RESULT when bin >= bins. */
HSC_API hsc_status hsc_eval_reliability(const hsc_eval *eval, uint32_t bins, uint32_t bin,
                                        uint64_t *rows, double *mean_confidence,
                                        double *accuracy);
/** The rows a decision threshold accepts (a suggestion with confidence >=
 *  threshold) and how many of those are right (may be NULL). */
HSC_API hsc_status hsc_eval_accepted(const hsc_eval *eval, double threshold, uint64_t *accepted,
                                     uint64_t *correct);
/** Coverage at a precision: the lowest threshold whose accepted rows (at
 *  least min_accepted of them) are right at least precision of the time
 *  (rows of equal confidence are accepted together); read what it accepts
 *  with hsc_eval_accepted. HSC_E_NO_RESULT (and *threshold -1) when no
 *  threshold reaches it, HSC_E_NO_DATA when no row has a suggestion,
 *  HSC_E_NOMEM. Sorts the rows once, so eval is not const. */
HSC_API hsc_status hsc_eval_threshold(hsc_eval *eval, double precision, uint64_t min_accepted,
                                      double *threshold);
/** Row rank (0..rows-1) in decreasing confidence (rows without a
 *  suggestion last, ties in the order added): its confidence (or
 *  HSC_EVAL_NO_SUGGESTION) and correctness, e.g. to draw accuracy against
 *  coverage. HSC_E_NO_RESULT when out of range, HSC_E_NOMEM. */
HSC_API hsc_status hsc_eval_ranked(hsc_eval *eval, uint64_t rank, double *confidence,
                                   uint32_t *correct);

/* ======================================================================== */
/* Training                                                                 */
/* ======================================================================== */

typedef struct hsc_trainer hsc_trainer;

/** Create a trainer with cfg's options (copied; NULL for defaults). */
HSC_API hsc_status hsc_trainer_new(const hsc_config *cfg, hsc_trainer **out);
/** Create a trainer that adapts an existing model (e.g. the shipped one to
 *  an administration's own declarations): training starts from base's
 *  feature rows and weights instead of random ones, and continues on the
 *  rows added. The new model has base's featurization, dimension and
 *  edition (cfg's featurization options are ignored; its training options
 *  apply: a few epochs are enough, the CLI and Python use
 *  HSC_ADAPT_EPOCHS unless told otherwise); its labels are base's and the
 *  rows' codes: national lines (HSC_CFG_CODE_DIGITS 8 or 10) come under
 *  base's subheadings, and a subheading with national lines then suggests
 *  them instead of itself. Features the rows bring and base lacks are new
 *  rows; base's rows are all kept. Base's nomenclature tables are kept
 *  unless description or national files are added. The precedent memory
 *  holds base's precedents (those of a subheading now split into national
 *  lines vote for its line with the most training rows) and the new rows; the blend, calibration and threshold
 *  are refitted on the new held-out rows, but for those base was trained
 *  on (a row of its memory has the same text: META
 *  train.valid_rows_seen_by_base counts them), which it knows by heart;
 *  with fewer than 20 held-out rows left, base's blend and calibration
 *  exponent are kept (META train.calibration_from = "base"); with fewer
 *  than 50, base's accept threshold is kept (train.accept_threshold_from =
 *  "base") instead of the fallback of too few rows. A share of base's descriptions is
 *  learnt again beside the rows (HSC_CFG_REHEARSAL). META
 *  train.from_fingerprint names
 *  base. base is not modified and may be freed after this call (the
 *  trainer keeps its own reference). Since 1.1. */
HSC_API hsc_status hsc_trainer_new_from_model(const hsc_config *cfg, const hsc_model *base,
                                              hsc_trainer **out);
/** Epochs the CLI (`train --from`) and the bindings use when adapting a
 *  model and no epoch count is given: a fifth of a fresh training's (4 was
 *  as accurate as 5 or better on the held-out UK rows of bench/NATIONAL.md,
 *  and keeps adapting within a third of training from scratch). */
#define HSC_ADAPT_EPOCHS 4u
HSC_API void hsc_trainer_free(hsc_trainer *trainer);

/** Called for each malformed row: file ("" for rows added by API), 1-based
 *  line, the status naming the problem, and a short message. Rows are
 *  skipped unless HSC_CFG_STRICT, where the add call returns HSC_E_BAD_ROW
 *  after the callback. */
typedef void (*hsc_row_error_fn)(void *user, const char *file, uint64_t line, hsc_status status,
                                 const char *message);
HSC_API hsc_status hsc_trainer_set_row_error_callback(hsc_trainer *trainer, hsc_row_error_fn fn,
                                                      void *user);

/** Progress during hsc_trainer_train: epoch (1-based) of epochs, fraction of
 *  the whole run done, average loss since the last call, examples per second,
 *  and validation top-1 accuracy (negative until measured). Called after
 *  every epoch and, within a long one, about every 65,536 examples (the
 *  epoch running; validation accuracy negative: it is measured at the end
 *  of epochs). Return non-zero to cancel (train then returns
 *  HSC_E_CANCELLED). Called from the calling thread only. */
typedef int32_t (*hsc_progress_fn)(void *user, uint32_t epoch, uint32_t epochs, double done,
                                   double loss, double examples_per_sec, double valid_accuracy);
HSC_API hsc_status hsc_trainer_set_progress_callback(hsc_trainer *trainer, hsc_progress_fn fn,
                                                     void *user);

/** Progress while hsc_trainer_add_file reads a file, before any training
 *  (millions of rows take minutes): the file's path, the lines read so far,
 *  the bytes read and the file's size (0 when unknown: a pipe or a device).
 *  Called every 16,384 lines and once when the file is read (the caller
 *  measures the rate). Return non-zero to stop reading: add_file then
 *  returns HSC_E_CANCELLED and the rows read so far stay added. Called
 *  from the calling thread only. Since 1.1. */
typedef int32_t (*hsc_read_progress_fn)(void *user, const char *file, uint64_t lines,
                                        uint64_t bytes, uint64_t size);
HSC_API hsc_status hsc_trainer_set_read_progress_callback(hsc_trainer *trainer,
                                                          hsc_read_progress_fn fn, void *user);

/** Checkpoints, for long runs: hsc_trainer_train writes the run's state
 *  (weights, the order and random states of the training) to path after
 *  every epoch, through the temporary file "path.partial" and a rename
 *  (an interruption leaves the last complete checkpoint, never a partial
 *  one; a process killed while writing leaves path.partial, which the next
 *  run with the same path takes over: only a regular file with one link
 *  holding the start of a checkpoint, any other file of that name makes
 *  this call fail with HSC_E_IO and is never touched), with a
 *  checksum and a fingerprint of the rows, nomenclature files, adapted
 *  model and options. It is about as large as the weights in full
 *  precision (feature rows x dim x 4 bytes) and is not removed. NULL:
 *  none (the default). Returns HSC_E_IO when path cannot be written now
 *  (checked before any training), HSC_E_NOMEM. A checkpoint that cannot be
 *  written after an epoch stops the run with HSC_E_IO (the previous one
 *  stays). Since 1.1. */
HSC_API hsc_status hsc_trainer_set_checkpoint(hsc_trainer *trainer, const char *path);
/** Continue an interrupted run from the checkpoint at path: add the same
 *  rows and files with the same options, then hsc_trainer_train redoes the
 *  preparation and trains only the epochs after the checkpoint's. With
 *  HSC_CFG_THREADS = 1 the model is byte for byte the one an uninterrupted
 *  run would have written. The file is checked here (HSC_E_IO,
 *  HSC_E_CHECKPOINT_CORRUPT for a file that is not a checkpoint, truncated
 *  or damaged) and matched when training starts: HSC_E_CHECKPOINT_MISMATCH
 *  from hsc_trainer_train when it was written for other rows or options.
 *  Set a checkpoint too (the same path is fine) to keep writing them.
 *  NULL: start from scratch. Since 1.1. */
HSC_API hsc_status hsc_trainer_set_resume(hsc_trainer *trainer, const char *path);

/* Flags for hsc_trainer_add_file / add_row. */
#define HSC_ROWS_NOMENCLATURE 1u  /**< rows are nomenclature paths ("A; B; Other"): augment */
#define HSC_ROWS_SYNTHETIC    2u  /**< rows written for training (e.g. a phrasebook), not real
                                       declarations: never held out for validation or
                                       calibration. Since 1.1 */

/** Read a TSV file of "code<TAB>description" rows (UTF-8, optional BOM,
 *  LF or CRLF). weight scales every row of the file (> 0). Malformed rows
 *  (no tab, non-digit or too short code, bad UTF-8, empty text) go to the
 *  row-error callback. Identical rows (same code after truncation, same
 *  text, same flags; from any file or add_row) are kept once with the sum
 *  of their weights (at most 1e6): a declaration repeated N times weighs N
 *  and costs one row of memory and work (META train.rows_merged counts
 *  them). Returns HSC_E_IO, HSC_E_BAD_ROW (strict), HSC_E_NOMEM.
 */
HSC_API hsc_status hsc_trainer_add_file(hsc_trainer *trainer, const char *path, double weight,
                                        uint32_t flags);
HSC_API hsc_status hsc_trainer_add_row(hsc_trainer *trainer, const char *code, size_t code_len,
                                       const char *text, size_t text_len, double weight,
                                       uint32_t flags);
/** Rows accepted (identical rows merged included) and rejected so far. */
HSC_API hsc_status hsc_trainer_row_counts(const hsc_trainer *trainer, uint64_t *accepted,
                                          uint64_t *rejected);

/** Code descriptions in language lang ("en", "fr": 2-8 lowercase letters)
 *  from a TSV file of "code<TAB>description" rows (2-12 digit codes, '.'
 *  and ' ' allowed; UTF-8, optional BOM, LF or CRLF). They are stored in
 *  the model (see hsc_model_describe); a later file overrides an earlier
 *  one's text for the same code and language. Once any description or
 *  national line is given, training keeps only rows whose (truncated) code
 *  is a described code, a national line or a prefix of one: the others go
 *  to the row-error callback (HSC_E_BAD_CODE, line 0, the message naming
 *  the code and the start of the description) when hsc_trainer_train
 *  starts, and in strict mode make it return HSC_E_BAD_ROW. Malformed
 *  description rows (bad code, empty or over 4096 bytes, bad UTF-8 or
 *  control characters, a code given twice in the file) go to the row-error
 *  callback with their line and are skipped. At most 8 languages. Returns
 *  HSC_E_INVALID_ARG (bad tag, too many languages), HSC_E_IO, HSC_E_BAD_ROW
 *  (strict; the file is then ignored), HSC_E_NOMEM. Since 1.0. */
HSC_API hsc_status hsc_trainer_add_nomenclature_file(hsc_trainer *trainer, const char *path,
                                                     const char *lang);
/** National tariff lines of a scheme ("TEC-CEDEAO": 1-31 of [A-Za-z0-9._-])
 *  whose descriptions are in lang, from a file as above with 4-12 digit
 *  codes. Stored in the model (hsc_model_national_find); they also count as
 *  known codes for the check above, with their even-length prefixes, so a
 *  model can be trained on national codes directly (HSC_CFG_CODE_DIGITS 10
 *  or 0). At most 8 schemes, one language each. Since 1.0. */
HSC_API hsc_status hsc_trainer_add_national_file(hsc_trainer *trainer, const char *path,
                                                 const char *scheme, const char *lang);
/** A correlation table between nomenclature editions (HS 2017 -> HS 2022,
 *  last year's national tariff -> this year's), applied to every training
 *  row when hsc_trainer_train runs (tables added up to then, merged). The
 *  file has "old<TAB>new" or "old<TAB>new<TAB>share" rows (codes as
 *  hsc_code_parse reads them, 2-12 digits; share a plain decimal in
 *  (0, 1]; blank lines and lines starting with '#' ignored). A training
 *  row is mapped by the longest old code its code starts with, and takes
 *  the new code (cut to HSC_CFG_CODE_DIGITS; a new code of 6 or 8 digits
 *  in 10-digit training is a short row, see HSC_CFG_CODE_DIGITS). An old
 *  code on several rows (one-to-many) splits each of its training rows
 *  into one row per new code, the weight shared by the shares (normalized
 *  to sum 1; equal when none is given): the text then teaches every
 *  candidate a little rather than one wrongly. Rows whose new code cannot
 *  be a label, and rows outside the nomenclature given
 *  (hsc_trainer_add_nomenclature_file), are reported to the row-error
 *  callback with their reason. META train.rows_mapped and
 *  train.rows_mapped_split count the rows mapped. Malformed table rows go
 *  to the row-error callback. Returns HSC_E_IO, HSC_E_BAD_ROW (strict),
 *  HSC_E_NOMEM. Since 1.1. */
HSC_API hsc_status hsc_trainer_add_code_map(hsc_trainer *trainer, const char *path);
/** Description rows and national lines accepted so far, and the rows of
 *  those files that were rejected. */
HSC_API hsc_status hsc_trainer_nomenclature_counts(const hsc_trainer *trainer,
                                                   uint64_t *descriptions, uint64_t *lines,
                                                   uint64_t *rejected);

/** Train on everything added and return a new model (the caller owns it).
 *  With HSC_CFG_THREADS = 1 and a fixed seed the result is bit-for-bit
 *  reproducible. With more threads, workers update the shared weights
 *  without locks (Hogwild!, as fastText does): training is faster, but the
 *  interleaving, and so the model's bytes, change from run to run (accuracy
 *  stays within noise). The progress callback runs on the calling thread.
 *  Returns HSC_E_NO_DATA, HSC_E_ONE_CLASS, HSC_E_CANCELLED,
 *  HSC_E_NOMEM, and HSC_E_BAD_ROW in strict mode for rows outside the
 *  nomenclature (see hsc_trainer_add_nomenclature_file).
 *  The held-out rows (HSC_CFG_VALID_FRACTION) fit the calibration
 *  temperature, then the model's default accept threshold: the lowest
 *  calibrated top-1 probability t such that the held-out rows with
 *  probability >= t (at least 10 of them) are right 95% of the time, and at
 *  least 0.5; 1 (review everything) if no t reaches 95%; 0.9 when fewer
 *  than 50 rows are held out. HSC_CFG_ACCEPT_THRESHOLD set on the trainer's
 *  config replaces the fit. META records train.accept_threshold and how it
 *  was chosen, the held-out calibration error (train.valid_ece) and the
 *  held-out share it accepts, and the top-1 of the linear model on held-out
 *  rows and on (a sample of) its training rows (train.valid_top1_linear,
 *  train.train_top1_linear): a held-out figure far below the training one
 *  means the rows were learnt by heart (`hsclass train` warns below half).
 *
 *  National training (HSC_CFG_CODE_DIGITS 8 or 10): a row whose code is a
 *  proper prefix of other codes (a 6- or 8-digit row among 10-digit lines)
 *  trains the tree down to that node and stops there; such a code is not a
 *  label. Every national line added with hsc_trainer_add_national_file is a
 *  label, rows or not. A row is held out only when its line keeps a
 *  training row (a line's only row held out would leave it untrained). The
 *  split rule for a line no training row reached: its output vector is the
 *  mean of its trained siblings', so it takes an average sibling's share of
 *  its parent's probability; where no sibling was trained the parent's
 *  probability is split equally. META train.labels_untrained counts them. */
HSC_API hsc_status hsc_trainer_train(hsc_trainer *trainer, hsc_model **out);

#ifdef __cplusplus
}
#endif
#endif /* HSCLASS_H */

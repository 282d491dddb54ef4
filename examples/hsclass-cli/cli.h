/* cli.h - shared helpers of the hsclass command-line tool.
 * The CLI sees only the public header: everything it does is possible
 * through the API. */
#ifndef HSCLASS_CLI_H
#define HSCLASS_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hsclass.h"

/* Documented exit codes (see `hsclass --help`). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_PARTIAL = 1,     /* some inputs failed, the rest was processed */
    CLI_EXIT_USAGE = 2,       /* bad command line */
    CLI_EXIT_MODEL = 3,       /* model or file I/O error */
    CLI_EXIT_DATA = 4,        /* training data error */
    CLI_EXIT_INTERNAL = 5,    /* out of memory or internal error */
    CLI_EXIT_INTERRUPTED = 130
};

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* ---- args.c: a small option parser (GNU style) --------------------------- */

typedef struct cli_opt {
    const char *name;  /* long name without "--" */
    char short_name;   /* 0: none */
    int has_arg;       /* 1: takes a value */
    int id;            /* returned by cli_next, > 0 */
} cli_opt;

typedef struct cli_parser {
    int argc;
    char **argv;
    int i;             /* next argv index */
    int positional_only;
    const char *cmd;   /* for messages */
} cli_parser;

#define CLI_ARG_END 0
#define CLI_ARG_POSITIONAL (-1)
#define CLI_ARG_ERROR (-2)
#define CLI_OPT_HELP 1000 /* every table includes -h/--help with this id */

void cli_parser_init(cli_parser *p, const char *cmd, int argc, char **argv);
/* Next option id, CLI_ARG_POSITIONAL (*value = the argument), CLI_ARG_END,
 * or CLI_ARG_ERROR after printing a message. opts ends with a zero entry. */
int cli_next(cli_parser *p, const cli_opt *opts, const char **value);

/* Strict number parsing: whole string, no sign for unsigned, finite. */
int cli_parse_u32(const char *s, uint32_t *out);
int cli_parse_f64(const char *s, double *out);
/* Helpers that print "invalid value for --name" and return 0 on failure. */
int cli_opt_u32(const char *cmd, const char *opt, const char *s, uint32_t *out);
int cli_opt_f64(const char *cmd, const char *opt, const char *s, double *out);
/* The same for a probability, 0 to 1 (thresholds): one message either way. */
int cli_opt_probability(const char *cmd, const char *opt, const char *s, double *out);

/* --max-bytes N into the config: the status; when N is out of range,
 * HSC_E_INVALID_ARG after saying so as a usage error. */
hsc_status cli_set_max_bytes(const char *cmd, hsc_config *cfg, uint32_t n);
/* Its help, the same in each command that takes it. */
#define CLI_MAX_BYTES_HELP                                                              \
    "      --max-bytes N    longest description accepted (default 65536, at most\n"    \
    "                       1073741824); longer ones fail with HSC_E_TEXT_TOO_LONG.\n"  \
    "                       One text takes about 10 bytes of memory per byte of it\n"   \
    "                       besides the model (1 MiB: 10 MB)\n"

/* ---- util.c -------------------------------------------------------------- */

void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);
/* "hsclass CMD: message\nTry 'hsclass CMD --help'." and CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);
/* Exit code for a library status. */
int cli_exit_for(hsc_status st);
/* Status name alone: "HSC_E_BAD_UTF8" (static). */
const char *cli_status_name(hsc_status st, char *buf, size_t size);
double cli_now(void);  /* monotonic seconds */

/* Model lookup: path (from -m) when not NULL, else $HSCLASS_MODEL, else the
 * installed model, else the source tree's. Prints the error itself and
 * returns an exit code (0 on success). *used receives the path. */
/* The model used without -m: $HSCLASS_MODEL, else the installed model,
 * else the source tree's (the first that exists); NULL if none. */
const char *cli_default_model(void);
int cli_load_model(const char *cmd, const char *path, const hsc_config *cfg, hsc_model **out,
                   const char **used);
/* Text of the default-model rules for --help. */
void cli_print_model_lookup(FILE *f);

/* Read one line of any length; strips "\n" or "\r\n". Returns its length,
 * or -1 at end of file (or on a read error: check ferror). */
long long cli_read_line(FILE *f, char **buf, size_t *cap);
/* The commands that take descriptions: each TEXT argument, or else each
 * line of standard input, exactly one answer per input, in order. fn
 * returns non-zero for an input that failed. Returns the exit code. */
typedef int (*cli_text_fn)(void *ctx, const char *text, size_t len);
int cli_for_each_text(const char *cmd, char **texts, int n_texts, cli_text_fn fn, void *ctx);
/* After a command: flush standard output; a write error (a full disk,
 * /dev/full, a closed pipe) is reported and gives CLI_EXIT_MODEL, else rc.
 * main calls it for every command. */
int cli_finish_stdout(const char *cmd, int rc);

/* Length of the shortest label, the common length when all labels have
 * the same one (else 0), and the longest (max_len may be NULL). */
int cli_label_lengths(const hsc_model *m, size_t *min_len, size_t *uniform_len, size_t *max_len);

/* --lang L: a usage error (and its exit code) when the model has
 * descriptions but none in L, instead of showing none; else CLI_EXIT_OK. */
int cli_check_lang(const char *cmd, const hsc_model *m, const char *lang);
/* Description of a code in lang (NULL: the model's first language), or
 * NULL when the model has none. */
const char *cli_describe(const hsc_model *m, const char *code, const char *lang);
/* The keys of hsc_model_info_str and their JSON names ("hs_edition"),
 * index 0..cli_info_key_count()-1. */
size_t cli_info_key_count(void);
const char *cli_info_key(size_t i, int32_t *key);
/* National scheme k of the model: its name, the language of its lines and
 * how many there are. 0 when k is out of range. */
int cli_national_scheme(const hsc_model *m, size_t k, const char **name, const char **lang,
                        size_t *lines);
/* Stable names of decisions, reasons and audit verdicts for JSON and
 * tables ("accept", "vague", "suspect"...). */
const char *cli_decision_name(uint32_t decision);
const char *cli_reason_name(uint32_t reason);
const char *cli_verdict_name(uint32_t verdict);
/* Does any label of the model start with code (so the model can suggest it
 * at its level)? */
int cli_model_covers(const hsc_model *m, const char *code);

/* ---- output.c ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid
 * (overlong, surrogate, above U+10FFFF, truncated). */
size_t cli_utf8_seq(const unsigned char *s, size_t avail);
/* JSON string with quotes; invalid UTF-8 bytes become U+FFFD. */
void cli_json_string(FILE *f, const char *s, size_t len);
/* A double as JSON (finite: %.6g, else null). */
void cli_json_number(FILE *f, double v);
/* Untrusted text for a terminal: control characters (C0, DEL, C1: escape
 * sequences that would recolour or retitle it) as \xHH or \u00HH, bytes
 * that are not UTF-8 as \xHH; everything else as is. _str: a C string
 * (NULL: nothing). */
void cli_term_text(FILE *f, const char *s, size_t len);
/* How much of a rejected text an error echoes: all of it up to 256 bytes,
 * else its first 256 bytes cut on a character boundary (a 100 MB line is
 * not written back). */
size_t cli_echo_len(const char *text, size_t len);
void cli_term_str(FILE *f, const char *s);

/* The nearest training rows of the last classify (at most max): a text
 * line segment, a JSON member or an indented block (precedents.c). */
enum { CLI_PREC_TEXT, CLI_PREC_JSON, CLI_PREC_BLOCK };
void cli_print_precedents(FILE *f, hsc_session *s, size_t max, int style);

/* ---- commands -------------------------------------------------------------- */

int cli_cmd_classify(int argc, char **argv);
int cli_cmd_train(int argc, char **argv);
int cli_cmd_eval(int argc, char **argv);
int cli_cmd_audit(int argc, char **argv);
int cli_cmd_info(int argc, char **argv);
int cli_cmd_tokens(int argc, char **argv);
int cli_cmd_explain(int argc, char **argv);
int cli_cmd_lookup(int argc, char **argv);
#ifdef HSC_CLI_SERVE
int cli_cmd_serve(int argc, char **argv); /* serve/cmd_serve.c */
#endif

#endif /* HSCLASS_CLI_H */

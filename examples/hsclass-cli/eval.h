/* eval.h - what `hsclass eval` measures, shared with the HTML report. The
 * calibration figures come from the library (hsc_eval). */
#ifndef HSCLASS_CLI_EVAL_H
#define HSCLASS_CLI_EVAL_H

#include "cli.h"

#define EVAL_TOPK 5
#define EVAL_BINS 15          /* calibration bins */
#define EVAL_MIN_ACCEPT 10    /* a precision threshold must accept this many rows */
#define EVAL_TARGETS 2        /* precisions asked for: 95% and 98% */
#define EVAL_LEVELS 6         /* HS2, HS4, HS6 and national levels 8, 10, 12 */

typedef struct eval_tally {
    uint64_t rows, top1, top5;
} eval_tally;

/* The rows of one value of the group column (--group-col): language,
 * source, office... */
typedef struct eval_group {
    char *name;
    uint64_t rows;
    eval_tally level[EVAL_LEVELS];
} eval_group;

/* One classified row, at the model's own codes (the label level), for the
 * decisions and the confused pairs. */
typedef struct eval_row {
    uint8_t right;      /* the best code is the gold code (truncated alike) */
    uint8_t decision, reason;
    uint8_t chapter;    /* gold chapter */
    char gold[16];      /* gold code cut to the best code's length */
    char pred[16];      /* best code, "" if none */
} eval_row;

typedef struct eval_target {
    double target;      /* precision asked for */
    double threshold;   /* lowest reaching it; < 0 if none */
    double share, precision;
} eval_target;

typedef struct eval_stats {
    uint64_t rows, malformed, failed;
    eval_tally level[EVAL_LEVELS]; /* 2, 4, 6, 8, 10, 12 digits */
    size_t label_max;        /* the model's longest codes */
    eval_group *groups;      /* in order of first appearance */
    size_t n_groups, cap_groups;
    eval_tally chapter[100]; /* at 6 digits, by the gold chapter */
    double seconds;
    eval_row *r;        /* rows classified at the label level */
    size_t n, cap;
    hsc_eval *cal;      /* the same rows' (confidence, right) pairs */
    int calibrated;     /* ece and mean_conf are available */
    double ece, mean_conf, accuracy;
    eval_target targets[EVAL_TARGETS];
    double threshold;        /* the session's */
    uint64_t accepted, accepted_right, reasons[8];
} eval_stats;

/* Share of rows accepted at threshold t, and their precision (NaN when
 * none is accepted). */
void eval_at(const eval_stats *st, double t, double *share, double *precision);

/* Write the self-contained HTML report (it ranks st->cal); returns an exit
 * code. */
int eval_write_report(const char *path, eval_stats *st, const hsc_model *m,
                      const char *model_path, const char *test_path);

#endif

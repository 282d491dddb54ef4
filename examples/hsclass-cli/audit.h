/* audit.h - what `hsclass audit` finds for each declaration line, shared
 * with its HTML page (audit_html.c). The verdict is the library's one rule
 * (hsc_session_audit). */
#ifndef HSCLASS_CLI_AUDIT_H
#define HSCLASS_CLI_AUDIT_H

#include "cli.h"

#define AUDIT_LEVELS 3   /* the declared code at 2, 4 and 6 digits */

typedef struct audit_line {
    uint64_t line;            /* of the input file */
    char *id;                 /* the id column's value, or NULL */
    char *text;               /* the description */
    char declared[16];        /* its digits */
    uint32_t verdict, reason, digits;
    double p;                 /* the declared code's probability at digits */
    double level_p[AUDIT_LEVELS];
    uint64_t level_rank[AUDIT_LEVELS];   /* 0: not ranked (or not that long) */
    char best[16];            /* the model's best code, "" if none */
    double best_p;
} audit_line;

typedef struct audit_run {
    audit_line *lines;        /* most suspicious first once sorted */
    size_t n, cap;
    uint64_t by_verdict[4];   /* HSC_AUDIT_* */
    uint64_t bad_codes;       /* lines skipped: no valid declared code */
    uint64_t rejected;        /* descriptions the library rejected (listed as unchecked) */
    double threshold;
} audit_run;

/* The self-contained HTML page of a run (at most limit lines listed);
 * returns an exit code. */
int audit_write_html(const char *path, const audit_run *run, const hsc_model *m,
                     const char *model_path, const char *input, size_t limit);

#endif

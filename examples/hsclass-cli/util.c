/* util.c - messages, exit codes, model lookup, line reading. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Set by meson: where `meson install` puts the default model, and the
 * source tree's copy (for running from a build directory). */
#ifndef HSC_CLI_INSTALLED_MODEL
#define HSC_CLI_INSTALLED_MODEL ""
#endif
#ifndef HSC_CLI_BUILD_DIR
#define HSC_CLI_BUILD_DIR ""
#endif
#ifndef HSC_CLI_SOURCE_MODEL
#define HSC_CLI_SOURCE_MODEL ""
#endif

/* A message quotes file names, arguments and rows: escaped for the
 * terminal (see cli_term_text). */
static void message(const char *fmt, va_list ap)
{
    char small[512];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= 0 && (size_t)n < sizeof small) {
        cli_term_text(stderr, small, (size_t)n);
    } else if (n >= 0) {
        char *big = malloc((size_t)n + 1);
        if (big != NULL && vsnprintf(big, (size_t)n + 1, fmt, again) == n)
            cli_term_text(stderr, big, (size_t)n);
        else
            cli_term_text(stderr, small, sizeof small - 1);
        free(big);
    }
    va_end(again);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("hsclass: ", stderr);
    va_start(ap, fmt);
    message(fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "hsclass%s%s: ", cmd != NULL ? " " : "", cmd != NULL ? cmd : "");
    va_start(ap, fmt);
    message(fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'hsclass%s%s --help'.\n", cmd != NULL ? " " : "",
            cmd != NULL ? cmd : "");
    return CLI_EXIT_USAGE;
}

int cli_exit_for(hsc_status st)
{
    if (st == HSC_OK)
        return CLI_EXIT_OK;
    if (st == HSC_E_CANCELLED)
        return CLI_EXIT_INTERRUPTED;
    if (st < 20 || st == HSC_E_BAD_LANGUAGE)
        return CLI_EXIT_USAGE;
    if (st < 40)
        return CLI_EXIT_PARTIAL;
    if (st < 70)
        return CLI_EXIT_MODEL;
    if (st < 90)
        return CLI_EXIT_DATA;
    return CLI_EXIT_INTERNAL;
}

const char *cli_status_name(hsc_status st, char *buf, size_t size)
{
    const char *s = hsc_status_string(st);
    const char *colon = strchr(s, ':');
    size_t n = colon != NULL ? (size_t)(colon - s) : strlen(s);
    if (n >= size)
        n = size - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The source tree's model is a fallback for the binary of the build
 * directory only: an installed hsclass neither uses nor names the tree it
 * was built from. */
static int in_build_dir(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    size_t bl = strlen(HSC_CLI_BUILD_DIR);
    if (n <= 0 || bl == 0)
        return 0;
    exe[n] = '\0';
    return strncmp(exe, HSC_CLI_BUILD_DIR, bl) == 0 && exe[bl] == '/';
}

void cli_print_model_lookup(FILE *f)
{
    if (in_build_dir())
        fprintf(f,
                "Model: -m MODEL, else $HSCLASS_MODEL, else the first that exists of\n"
                "  %s (installed)\n  %s (source tree)\n",
                HSC_CLI_INSTALLED_MODEL, HSC_CLI_SOURCE_MODEL);
    else
        fprintf(f, "Model: -m MODEL, else $HSCLASS_MODEL, else the installed model\n  %s\n",
                HSC_CLI_INSTALLED_MODEL);
}

int cli_check_lang(const char *cmd, const hsc_model *m, const char *lang)
{
    const char *langs = "";
    if (lang == NULL || hsc_model_nomenclature_languages(m, &langs) != HSC_OK || !*langs)
        return CLI_EXIT_OK;   /* no descriptions to choose from */
    size_t n = strlen(lang);
    for (const char *p = langs; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && strncmp(p, lang, n) == 0)
            return CLI_EXIT_OK;
        p += k + (p[k] == ',');
    }
    return cli_usage_error(cmd, "--lang %s: the model's descriptions are in %s", lang, langs);
}

const char *cli_default_model(void)
{
    const char *env = getenv("HSCLASS_MODEL");
    if (env != NULL && *env)
        return env;
    if (HSC_CLI_INSTALLED_MODEL[0] && access(HSC_CLI_INSTALLED_MODEL, R_OK) == 0)
        return HSC_CLI_INSTALLED_MODEL;
    if (HSC_CLI_SOURCE_MODEL[0] && in_build_dir() && access(HSC_CLI_SOURCE_MODEL, R_OK) == 0)
        return HSC_CLI_SOURCE_MODEL;
    return NULL;
}

int cli_load_model(const char *cmd, const char *path, const hsc_config *cfg, hsc_model **out,
                   const char **used)
{
    *out = NULL;
    if (path == NULL)
        path = cli_default_model();
    if (path == NULL) {
        cli_error("%s: no model: give -m MODEL or set HSCLASS_MODEL (no default model in %s "
                  "or %s)",
                  cmd, HSC_CLI_INSTALLED_MODEL, HSC_CLI_SOURCE_MODEL);
        return CLI_EXIT_MODEL;
    }
    uint64_t off = 0;
    errno = 0;
    hsc_status st = hsc_model_load_file(path, cfg, out, &off);
    int err = errno;
    if (st != HSC_OK) {
        if (st == HSC_E_IO && err != 0) /* "No such file", "Permission denied"... */
            cli_error("%s: cannot read model '%s': %s", cmd, path, strerror(err));
        else if (st == HSC_E_IO)
            cli_error("%s: cannot read model '%s': %s", cmd, path, hsc_status_string(st));
        else
            cli_error("%s: cannot load model '%s': %s (at byte %llu)", cmd, path,
                      hsc_status_string(st), (unsigned long long)off);
        return cli_exit_for(st) == CLI_EXIT_INTERNAL ? CLI_EXIT_INTERNAL : CLI_EXIT_MODEL;
    }
    if (used != NULL)
        *used = path;
    return CLI_EXIT_OK;
}

long long cli_read_line(FILE *f, char **buf, size_t *cap)
{
    ssize_t n = getline(buf, cap, f);
    if (n < 0)
        return -1;
    if (n > 0 && (*buf)[n - 1] == '\n')
        n--;
    if (n > 0 && (*buf)[n - 1] == '\r')
        n--;
    (*buf)[n] = '\0';
    return (long long)n;
}

int cli_label_lengths(const hsc_model *m, size_t *min_len, size_t *uniform_len, size_t *max_len)
{
    size_t n = 0;
    hsc_status st = hsc_model_label_count(m, &n);
    if (st != HSC_OK)
        return st;
    size_t lo = 0, uni = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        const char *code = NULL;
        st = hsc_model_label(m, i, &code);
        if (st != HSC_OK)
            return st;
        size_t len = strlen(code);
        if (len > hi)
            hi = len;
        if (i == 0) {
            lo = uni = len;
        } else {
            if (len < lo)
                lo = len;
            if (len != uni)
                uni = 0;
        }
    }
    *min_len = lo;
    *uniform_len = uni;
    if (max_len != NULL)
        *max_len = hi;
    return HSC_OK;
}

const char *cli_describe(const hsc_model *m, const char *code, const char *lang)
{
    const char *d = NULL;
    return hsc_model_describe(m, code, strlen(code), lang, &d) == HSC_OK ? d : NULL;
}

static const struct {
    int32_t key;
    const char *name;
} info_keys[] = {
    {HSC_INFO_FORMAT_VERSION, "format"},     {HSC_INFO_HS_EDITION, "hs_edition"},
    {HSC_INFO_LANGUAGES, "languages"},       {HSC_INFO_STEMMER, "stemmer"},
    {HSC_INFO_TOKENIZER, "tokenizer"},       {HSC_INFO_NORMALIZATION, "normalization"},
    {HSC_INFO_HASH, "hash"},                 {HSC_INFO_TRAINING, "training"},
    {HSC_INFO_LABELS, "labels"},             {HSC_INFO_FINGERPRINT, "fingerprint"},
    {HSC_INFO_CREATED_BY, "created_by"},
};

size_t cli_info_key_count(void)
{
    return sizeof info_keys / sizeof info_keys[0];
}

const char *cli_info_key(size_t i, int32_t *key)
{
    *key = info_keys[i].key;
    return info_keys[i].name;
}

int cli_national_scheme(const hsc_model *m, size_t k, const char **name, const char **lang,
                        size_t *lines)
{
    size_t first;
    *lang = NULL;
    if (hsc_model_national_scheme(m, k, name, lang) != HSC_OK ||
        hsc_model_national_find(m, k, "", 0, &first, lines) != HSC_OK)
        return 0;
    if (!*lang)
        *lang = "";
    return 1;
}

const char *cli_decision_name(uint32_t decision)
{
    switch (decision) {
    case HSC_DECISION_ACCEPT: return "accept";
    case HSC_DECISION_REVIEW: return "review";
    default: return "none";
    }
}

const char *cli_reason_name(uint32_t reason)
{
    static const char *const names[] = {"none", "confident", "low_confidence", "no_content",
                                        "vague", "unknown_words", "constraint"};
    return reason < sizeof names / sizeof names[0] ? names[reason] : "unknown";
}

const char *cli_verdict_name(uint32_t verdict)
{
    static const char *const names[] = {"none", "consistent", "suspect", "unchecked"};
    return verdict < sizeof names / sizeof names[0] ? names[verdict] : "none";
}

int cli_model_covers(const hsc_model *m, const char *code)
{
    size_t n = 0, lo = 0, hi, len = strlen(code);
    if (hsc_model_label_count(m, &n) != HSC_OK)
        return 0;
    hi = n;
    while (lo < hi) { /* labels are sorted: the first one >= code */
        size_t mid = lo + (hi - lo) / 2;
        const char *l = NULL;
        hsc_model_label(m, mid, &l);
        if (strcmp(l, code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const char *l = NULL;
    return lo < n && hsc_model_label(m, lo, &l) == HSC_OK && strncmp(l, code, len) == 0;
}

/* Interactive use (a pipe or a terminal) needs each answer at once; a
 * regular file can be buffered. */
static int stdin_is_file(void)
{
    struct stat sb;
    return fstat(0, &sb) == 0 && S_ISREG(sb.st_mode);
}

int cli_for_each_text(const char *cmd, char **texts, int n_texts, cli_text_fn fn, void *ctx)
{
    int failed = 0;
    if (n_texts > 0) {
        for (int i = 0; i < n_texts; i++)
            failed |= fn(ctx, texts[i], strlen(texts[i]));
    } else {
        int flush = !stdin_is_file();
        char *line = NULL;
        size_t cap = 0;
        long long len;
        while ((len = cli_read_line(stdin, &line, &cap)) >= 0) {
            failed |= fn(ctx, line, (size_t)len);
            if (flush)
                fflush(stdout);
        }
        int rerr = ferror(stdin);
        free(line);
        if (rerr) {
            cli_error("%s: error reading standard input", cmd);
            return CLI_EXIT_MODEL;
        }
    }
    return failed ? CLI_EXIT_PARTIAL : CLI_EXIT_OK;
}

int cli_finish_stdout(const char *cmd, int rc)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno != 0)
            cli_error("%s: error writing standard output: %s", cmd, strerror(errno));
        else
            cli_error("%s: error writing standard output", cmd);
        return CLI_EXIT_MODEL;
    }
    return rc;
}

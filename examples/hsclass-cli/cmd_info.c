/* cmd_info.c - hsclass info: a model's metadata, labels and fingerprint. */
#include <string.h>

#include "cli.h"

enum { OPT_MODEL = 1, OPT_LABELS, OPT_FORMAT };

static const cli_opt opts[] = {
    {"model", 'm', 1, OPT_MODEL},
    {"labels", 'l', 0, OPT_LABELS},
    {"format", 'f', 1, OPT_FORMAT},
    {"help", 'h', 0, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

static void help(void)
{
    puts("Usage: hsclass info [-m MODEL] [--labels] [--format text|json]\n"
         "\n"
         "Print what a model records: format and HS edition, languages, stemmer,\n"
         "tokenizer, normalization, hash, training options, label count and the\n"
         "fingerprint (CRC32 of the file), its accept threshold, the nomenclature and\n"
         "national tariff lines it carries, then every metadata key/value pair.\n"
         "\n"
         "Options:\n"
         "  -m, --model MODEL    model file (see below)\n"
         "  -l, --labels         also list every code the model can suggest\n"
         "  -f, --format FMT     text (default) or json (one object)\n"
         "  -h, --help           show this help");
    cli_print_model_lookup(stdout);
}


static const char *info(const hsc_model *m, int32_t key)
{
    const char *v = NULL;
    return hsc_model_info_str(m, key, &v) == HSC_OK && v != NULL ? v : NULL;
}

/* What a review desk relies on: the accept threshold, the nomenclature
 * languages and size, the national schemes. */
static void print_review_info_text(const hsc_model *m)
{
    double thr = 0;
    size_t n = 0, schemes = 0;
    const char *langs = "";
    hsc_model_accept_threshold(m, &thr);
    hsc_model_nomenclature_count(m, &n);
    hsc_model_nomenclature_languages(m, &langs);
    hsc_model_national_scheme_count(m, &schemes);
    printf("%-14s %.4f\n", "threshold", thr);
    if (n)
        printf("%-14s %zu codes (%s)\n", "nomenclature", n, langs);
    else
        printf("%-14s -\n", "nomenclature");
    for (size_t k = 0; k < schemes; k++) {
        const char *name, *lang;
        size_t count;
        if (cli_national_scheme(m, k, &name, &lang, &count))
            printf("%-14s %s: %zu lines (%s)\n", "national", name, count, lang);
    }
}

static void print_review_info_json(const hsc_model *m)
{
    double thr = 0;
    size_t n = 0, schemes = 0;
    const char *langs = "";
    hsc_model_accept_threshold(m, &thr);
    hsc_model_nomenclature_count(m, &n);
    hsc_model_nomenclature_languages(m, &langs);
    hsc_model_national_scheme_count(m, &schemes);
    fputs(",\"accept_threshold\":", stdout);
    cli_json_number(stdout, thr);
    printf(",\"nomenclature\":{\"codes\":%zu,\"languages\":", n);
    cli_json_string(stdout, langs, strlen(langs));
    fputs("},\"national\":[", stdout);
    for (size_t k = 0; k < schemes; k++) {
        const char *name, *lang;
        size_t count;
        if (!cli_national_scheme(m, k, &name, &lang, &count))
            continue;
        fputs(k ? ",{\"scheme\":" : "{\"scheme\":", stdout);
        cli_json_string(stdout, name, strlen(name));
        fputs(",\"language\":", stdout);
        cli_json_string(stdout, lang, strlen(lang));
        printf(",\"lines\":%zu}", count);
    }
    putchar(']');
}

static void json_pair(const char *key, const char *value, int *first)
{
    fputs(*first ? "" : ",", stdout);
    *first = 0;
    cli_json_string(stdout, key, strlen(key));
    putchar(':');
    if (value != NULL)
        cli_json_string(stdout, value, strlen(value));
    else
        fputs("null", stdout);
}

static int print_json(const hsc_model *m, const char *path, int labels)
{
    int first = 1;
    size_t n_labels = 0, n_meta = 0;
    hsc_model_label_count(m, &n_labels);
    hsc_model_meta_count(m, &n_meta);
    putchar('{');
    json_pair("path", path, &first);
    for (size_t i = 0; i < cli_info_key_count(); i++) {
        int32_t key;
        const char *name = cli_info_key(i, &key);
        json_pair(name, info(m, key), &first);
    }
    printf(",\"label_count\":%zu", n_labels);
    print_review_info_json(m);
    fputs(",\"meta\":{", stdout);
    first = 1;
    for (size_t i = 0; i < n_meta; i++) {
        const char *k = NULL, *v = NULL;
        if (hsc_model_meta_get(m, i, &k, &v) == HSC_OK && k != NULL)
            json_pair(k, v, &first);
    }
    putchar('}');
    if (labels) {
        fputs(",\"codes\":[", stdout);
        for (size_t i = 0; i < n_labels; i++) {
            const char *code = NULL;
            if (hsc_model_label(m, i, &code) != HSC_OK)
                return 1;
            fputs(i ? "," : "", stdout);
            cli_json_string(stdout, code, strlen(code));
        }
        putchar(']');
    }
    fputs("}\n", stdout);
    return 0;
}

static int print_text(const hsc_model *m, const char *path, int labels)
{
    size_t n_labels = 0, n_meta = 0;
    hsc_model_label_count(m, &n_labels);
    hsc_model_meta_count(m, &n_meta);
    printf("%-14s ", "path");
    cli_term_str(stdout, path);
    putchar('\n');
    for (size_t i = 0; i < cli_info_key_count(); i++) {
        int32_t key;
        const char *name = cli_info_key(i, &key);
        const char *v = info(m, key);
        printf("%-14s ", name);
        cli_term_str(stdout, v != NULL ? v : "-");
        putchar('\n');
    }
    printf("%-14s %zu\n", "label_count", n_labels);
    print_review_info_text(m);
    printf("\nmetadata (%zu keys):\n", n_meta);
    for (size_t i = 0; i < n_meta; i++) {
        const char *k = NULL, *v = NULL;
        if (hsc_model_meta_get(m, i, &k, &v) != HSC_OK)
            continue;
        fputs("  ", stdout);
        cli_term_str(stdout, k);
        fputs(" = ", stdout);
        cli_term_str(stdout, v);
        putchar('\n');
    }
    if (labels) {
        printf("\ncodes (%zu):\n", n_labels);
        for (size_t i = 0; i < n_labels; i++) {
            const char *code = NULL;
            if (hsc_model_label(m, i, &code) != HSC_OK)
                return 1;
            printf("%s\n", code);
        }
    }
    return 0;
}

int cli_cmd_info(int argc, char **argv)
{
    cli_parser p;
    cli_parser_init(&p, "info", argc, argv);
    const char *model_path = NULL, *v, *used = NULL;
    int labels = 0, json = 0, id;
    while ((id = cli_next(&p, opts, &v)) != CLI_ARG_END) {
        switch (id) {
        case CLI_ARG_ERROR: return CLI_EXIT_USAGE;
        case CLI_OPT_HELP: help(); return CLI_EXIT_OK;
        case OPT_MODEL: model_path = v; break;
        case OPT_LABELS: labels = 1; break;
        case OPT_FORMAT:
            if (strcmp(v, "json") == 0)
                json = 1;
            else if (strcmp(v, "text") == 0)
                json = 0;
            else
                return cli_usage_error("info", "unknown format '%s' (text or json)", v);
            break;
        case CLI_ARG_POSITIONAL:
            /* `hsclass info MODEL` reads naturally too. */
            if (model_path != NULL)
                return cli_usage_error("info", "unexpected argument '%s'", v);
            model_path = v;
            break;
        default: break;
        }
    }
    hsc_model *m = NULL;
    int rc = cli_load_model("info", model_path, NULL, &m, &used);
    if (rc != CLI_EXIT_OK)
        return rc;
    if ((json ? print_json : print_text)(m, used, labels)) {
        cli_error("info: cannot read the model's labels");
        rc = CLI_EXIT_INTERNAL;
    }
    hsc_model_free(m);
    return rc;
}

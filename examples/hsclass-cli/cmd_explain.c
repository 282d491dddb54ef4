/* cmd_explain.c - hsclass explain: the top suggestions for a description
 * with the words that speak for and against each. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
    OPT_MODEL = 1, OPT_K, OPT_DIGITS, OPT_ONLY, OPT_LANG, OPT_WORDS, OPT_FORMAT, OPT_THRESHOLD,
    OPT_PRECEDENTS, OPT_MAX_BYTES
};

static const cli_opt opts[] = {
    {"model", 'm', 1, OPT_MODEL},
    {"top", 'k', 1, OPT_K},
    {"digits", 'd', 1, OPT_DIGITS},
    {"only", 0, 1, OPT_ONLY},
    {"lang", 'l', 1, OPT_LANG},
    {"words", 'w', 1, OPT_WORDS},
    {"precedents", 'p', 1, OPT_PRECEDENTS},
    {"format", 'f', 1, OPT_FORMAT},
    {"threshold", 't', 1, OPT_THRESHOLD},
    {"max-bytes", 0, 1, OPT_MAX_BYTES},
    {"help", 'h', 0, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

static void help(void)
{
    puts("Usage: hsclass explain [-m MODEL] [-k N] [--digits D] [--only CODES] [--lang L]\n"
         "                       [--words N] [--precedents N] [--threshold P]\n"
         "                       [--max-bytes N]\n"
         "                       [--format text|jsonl] [TEXT...]\n"
         "\n"
         "Explain the top suggestions for each TEXT (or each line of standard input):\n"
         "the review decision, then each suggested code with its probability, its\n"
         "description and the words for and against it, with their weights.\n"
         "\n"
         "A word's weight is its exact share of the code's explained score: at each\n"
         "step of the code's path (chapter, heading, subheading...) the code's\n"
         "calibrated logit minus the probability-weighted logits of the alternatives\n"
         "at that step. Positive: the word puts the code ahead of its competitors;\n"
         "negative: the word favours them. Character n-grams count for their word, a\n"
         "word pair for its first word; function words and words the model has never\n"
         "seen weigh nothing and are not listed.\n"
         "When the model keeps a precedent memory, the training rows nearest to the\n"
         "text follow, with their codes and similarity: how such goods were classified.\n"
         "\n"
         "Options:\n"
         "  -m, --model MODEL    model file (see below)\n"
         "  -k, --top N          suggestions to explain (default 3)\n"
         "  -d, --digits D       explain codes of this length (2, 4, 6, 8, 10; default:\n"
         "                       the model's own labels)\n"
         "      --only CODES     restrict suggestions to these prefixes, e.g. 84,8517\n"
         "                       (as classify --only)\n"
         "  -l, --lang L         language of the descriptions\n"
         "  -w, --words N        words listed for and against each code (default 5)\n"
         "  -p, --precedents N   nearest training rows listed (default 5; 0: none)\n"
         "  -t, --threshold P    decision threshold (default: the model's)\n"
         "  -f, --format FMT     text (default) or jsonl (one object per text:\n"
         "                       {\"text\",\"decision\",\"reason\",\"threshold\",\"suggestions\":\n"
         "                       [{\"code\",\"score\",\"description\",\"explained\",\"words\":\n"
         "                       [{\"word\",\"start\",\"end\",\"weight\"}]}],\"precedents\":\n"
         "                       [{\"code\",\"similarity\",\"source\",\"text\"}]}, spans in bytes)\n"
         CLI_MAX_BYTES_HELP
         "  -h, --help           show this help");
    cli_print_model_lookup(stdout);
}

typedef struct ctx {
    hsc_session *s;
    const hsc_model *m;
    uint32_t k, digits, words;
    const char *lang;
    int json;
    uint32_t precedents;
} ctx;

/* The caller's text of an explained item. */
static void item_word(const ctx *c, const char *text, size_t item, const char **w, size_t *len,
                      size_t *start, double *weight)
{
    size_t tok = 0;
    *w = "";
    *len = *start = 0;
    *weight = 0;
    if (hsc_session_explain_item(c->s, item, &tok, weight) == HSC_OK &&
        hsc_session_token_span(c->s, tok, start, len) == HSC_OK)
        *w = text + *start;
}

static void print_words(const ctx *c, const char *text, size_t n, int positive)
{
    size_t shown = 0;
    fputs(positive ? "     for:    " : "     against:", stdout);
    for (size_t k = 0; k < n && shown < c->words; k++) {
        size_t item = positive ? k : n - 1 - k;
        const char *w;
        size_t len, start;
        double weight;
        item_word(c, text, item, &w, &len, &start, &weight);
        if (positive ? !(weight > 0) : !(weight < 0))
            break;
        putchar(' ');
        cli_term_text(stdout, w, len);
        printf(" %+.2f", weight);
        shown++;
    }
    if (shown == 0)
        fputs(" -", stdout);
    putchar('\n');
}

static void json_words(const ctx *c, const char *text, size_t n)
{
    fputs(",\"words\":[", stdout);
    for (size_t k = 0; k < n; k++) {
        const char *w;
        size_t len, start;
        double weight;
        item_word(c, text, k, &w, &len, &start, &weight);
        fputs(k ? ",{\"word\":" : "{\"word\":", stdout);
        cli_json_string(stdout, w, len);
        printf(",\"start\":%zu,\"end\":%zu,\"weight\":", start, start + len);
        cli_json_number(stdout, weight);
        putchar('}');
    }
    putchar(']');
}

static int explain_one(const ctx *c, const char *text, size_t len)
{
    hsc_status st = hsc_session_classify(c->s, text, len, c->k);
    size_t n = 0;
    if (st == HSC_OK)
        st = hsc_session_result_count(c->s, c->digits, &n);
    if (st != HSC_OK) {
        if (c->json) {
            fputs("{\"text\":", stdout);
            cli_json_string(stdout, text, cli_echo_len(text, len));
            fputs(",\"error\":", stdout);
            const char *msg = hsc_status_string(st);
            cli_json_string(stdout, msg, strlen(msg));
            printf(",\"status\":%d}\n", st);
        } else {
            size_t shown = cli_echo_len(text, len);
            cli_term_text(stdout, text, shown);
            const char *detail = hsc_session_last_error_detail(c->s);
            printf("%s\n  error: %s%s%s%s\n\n", shown < len ? "\xe2\x80\xa6" : "",
                   hsc_status_string(st), *detail ? " (" : "", detail, *detail ? ")" : "");
        }
        return 1;
    }
    uint32_t d = 0, r = 0;
    double thr = 0;
    hsc_session_decision(c->s, &d, &r);
    hsc_session_accept_threshold(c->s, &thr);
    if (c->json) {
        fputs("{\"text\":", stdout);
        cli_json_string(stdout, text, len);
        printf(",\"decision\":\"%s\",\"reason\":\"%s\",\"threshold\":", cli_decision_name(d),
               cli_reason_name(r));
        cli_json_number(stdout, thr);
        fputs(",\"suggestions\":[", stdout);
    } else {
        cli_term_text(stdout, text, len);
        printf("\n  %s (%s; threshold %.4f)\n", cli_decision_name(d),
               hsc_decision_reason_string(r), thr);
        if (n == 0)
            puts("  (no suggestion)");
    }
    for (size_t i = 0; i < n && i < c->k; i++) {
        const char *code;
        double p, total = 0;
        size_t items = 0;
        if (hsc_session_result(c->s, c->digits, i, &code, &p) != HSC_OK ||
            hsc_session_explain(c->s, c->digits, i) != HSC_OK)
            continue;
        hsc_session_explain_count(c->s, &items);
        hsc_session_explain_total(c->s, &total);
        const char *desc = cli_describe(c->m, code, c->lang);
        if (c->json) {
            fputs(i ? ",{\"code\":" : "{\"code\":", stdout);
            cli_json_string(stdout, code, strlen(code));
            fputs(",\"score\":", stdout);
            cli_json_number(stdout, p);
            if (desc != NULL) {
                fputs(",\"description\":", stdout);
                cli_json_string(stdout, desc, strlen(desc));
            }
            fputs(",\"explained\":", stdout);
            cli_json_number(stdout, total);
            json_words(c, text, items);
            putchar('}');
        } else {
            printf("  %zu. %-10s %.4f  ", i + 1, code, p);
            cli_term_str(stdout, desc);
            putchar('\n');
            print_words(c, text, items, 1);
            print_words(c, text, items, 0);
        }
    }
    if (c->json) {
        putchar(']');
        cli_print_precedents(stdout, c->s, c->precedents, CLI_PREC_JSON);
        puts("}");
    } else {
        cli_print_precedents(stdout, c->s, c->precedents, CLI_PREC_BLOCK);
        putchar('\n');
    }
    return 0;
}

static int one_line(void *c, const char *text, size_t len)
{
    return explain_one(c, text, len);
}

static int run(ctx *c, char **texts, int n_texts)
{
    return cli_for_each_text("explain", texts, n_texts, one_line, c);
}

int cli_cmd_explain(int argc, char **argv)
{
    cli_parser p;
    cli_parser_init(&p, "explain", argc, argv);
    const char *model_path = NULL, *v, *only = NULL;
    ctx c = {NULL, NULL, 3, 0, 5, NULL, 0, 5};
    double threshold = -1;
    uint32_t max_bytes = 0;
    int id, n_texts = 0, rc = CLI_EXIT_OK, max_given = 0;
    char **texts = calloc((size_t)argc + 1, sizeof *texts);
    if (texts == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    while ((id = cli_next(&p, opts, &v)) != CLI_ARG_END) {
        switch (id) {
        case CLI_ARG_ERROR: rc = CLI_EXIT_USAGE; goto done;
        case CLI_ARG_POSITIONAL: texts[n_texts++] = (char *)v; break;
        case CLI_OPT_HELP: help(); goto done;
        case OPT_MODEL: model_path = v; break;
        case OPT_ONLY: only = v; break;
        case OPT_LANG: c.lang = v; break;
        case OPT_K:
        case OPT_WORDS:
        case OPT_PRECEDENTS:
        case OPT_DIGITS: {
            uint32_t x;
            const char *name = id == OPT_K           ? "top"
                               : id == OPT_WORDS      ? "words"
                               : id == OPT_PRECEDENTS ? "precedents"
                                                      : "digits";
            if (!cli_opt_u32("explain", name, v, &x)) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            if (id == OPT_K && x == 0) {
                rc = cli_usage_error("explain", "--top must be at least 1");
                goto done;
            }
            if (id == OPT_DIGITS && x != 2 && x != 4 && x != 6 && x != 8 && x != 10) {
                rc = cli_usage_error("explain", "--digits must be 2, 4, 6, 8 or 10");
                goto done;
            }
            *(id == OPT_K           ? &c.k
              : id == OPT_WORDS      ? &c.words
              : id == OPT_PRECEDENTS ? &c.precedents
                                     : &c.digits) = x;
            break;
        }
        case OPT_THRESHOLD:
            if (!cli_opt_probability("explain", "threshold", v, &threshold)) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            break;
        case OPT_MAX_BYTES:
            if (!cli_opt_u32("explain", "max-bytes", v, &max_bytes)) {
                rc = CLI_EXIT_USAGE;
                goto done;
            }
            max_given = 1;
            break;
        case OPT_FORMAT:
            if (strcmp(v, "jsonl") == 0 || strcmp(v, "json") == 0) {
                c.json = 1;
            } else if (strcmp(v, "text") != 0) {
                rc = cli_usage_error("explain", "unknown format '%s' (text or jsonl)", v);
                goto done;
            }
            break;
        default: break;
        }
    }
    hsc_config *cfg = NULL;
    hsc_model *m = NULL;
    hsc_status st = hsc_config_new(&cfg);
    if (st == HSC_OK && threshold >= 0)
        st = hsc_config_set_f64(cfg, HSC_CFG_ACCEPT_THRESHOLD, threshold);
    if (st == HSC_OK && max_given &&
        (st = cli_set_max_bytes("explain", cfg, max_bytes)) == HSC_E_INVALID_ARG) {
        rc = CLI_EXIT_USAGE;
        goto cleanup;
    }
    if (st != HSC_OK) {
        cli_error("explain: %s", hsc_status_string(st));
        rc = cli_exit_for(st);
        goto cleanup;
    }
    rc = cli_load_model("explain", model_path, cfg, &m, NULL);
    if (rc == CLI_EXIT_OK)
        rc = cli_check_lang("explain", m, c.lang);
    if (rc != CLI_EXIT_OK)
        goto cleanup;
    c.m = m;
    st = hsc_session_new(m, cfg, &c.s);
    if (st == HSC_OK && only != NULL) {
        st = hsc_session_set_constraint(c.s, only, strlen(only));
        if (st == HSC_E_BAD_CODE) {
            rc = cli_usage_error("explain", "--only '%s': expected codes of 2 to 12 digits", only);
            goto cleanup;
        }
    }
    size_t n_levels_check;
    if (st == HSC_OK && c.digits) {
        size_t min_len = 0, uni = 0;
        st = cli_label_lengths(m, &min_len, &uni, NULL);
        if (st == HSC_OK && c.digits == uni)
            c.digits = 0;
        if (st == HSC_OK && c.digits &&
            hsc_session_result_count(c.s, c.digits, &n_levels_check) == HSC_E_INVALID_ARG) {
            rc = cli_usage_error("explain", "--digits %u: the model has no such level",
                                 (unsigned)c.digits);
            goto cleanup;
        }
    }
    if (st != HSC_OK) {
        cli_error("explain: %s", hsc_status_string(st));
        rc = cli_exit_for(st);
        goto cleanup;
    }
    rc = run(&c, texts, n_texts);
cleanup:
    hsc_session_free(c.s);
    hsc_model_free(m);
    hsc_config_free(cfg);
done:
    free(texts);
    return rc;
}

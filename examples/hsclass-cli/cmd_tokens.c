/* cmd_tokens.c - hsclass tokens: show the text pipeline's output. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_MODEL = 1, OPT_LANGS, OPT_KEEP_ACCENTS, OPT_REPLACE };

static const cli_opt opts[] = {
    {"model", 'm', 1, OPT_MODEL},
    {"languages", 'l', 1, OPT_LANGS},
    {"keep-accents", 0, 0, OPT_KEEP_ACCENTS},
    {"utf8-replace", 0, 0, OPT_REPLACE},
    {"help", 'h', 0, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

static void help(void)
{
    puts("Usage: hsclass tokens [-m MODEL | --languages L] [--keep-accents] [TEXT...]\n"
         "\n"
         "Normalize, tokenize and stem each TEXT (or each line of standard input)\n"
         "and print one token per line:\n"
         "  TOKEN<TAB>TYPE<TAB>STEMS<TAB>FLAGS<TAB>OFFSET+LENGTH\n"
         "TYPE is word, number, quantity, code or alnum; STEMS are '|'-joined when the\n"
         "languages' stemmers disagree; FLAGS is 'stopword' or '-'; OFFSET+LENGTH is\n"
         "the token's byte span in the input. An empty line follows each input.\n"
         "\n"
         "Without -m no model is needed: the text options below apply. With -m the\n"
         "model's recorded text options are used (exactly what it classifies with).\n"
         "\n"
         "Options:\n"
         "  -m, --model MODEL    use this model's text pipeline\n"
         "  -l, --languages L    stemming languages, e.g. en,fr,pt (default en,fr,pt,es)\n"
         "      --keep-accents   do not fold accents\n"
         "      --utf8-replace   replace invalid UTF-8 by U+FFFD instead of failing\n"
         "  -h, --help           show this help");
}

static const char *type_name(uint32_t type)
{
    switch (type) {
    case HSC_TOKEN_WORD: return "word";
    case HSC_TOKEN_NUMBER: return "number";
    case HSC_TOKEN_QUANTITY: return "quantity";
    case HSC_TOKEN_CODE: return "code";
    case HSC_TOKEN_ALNUM: return "alnum";
    default: return "other";
    }
}

/* Returns 1 if the text failed. */
static int show(void *ctx, const char *text, size_t len)
{
    hsc_session *s = ctx;
    hsc_status st = hsc_session_tokenize(s, text, len);
    if (st != HSC_OK) {
        const char *d = hsc_session_last_error_detail(s);
        int has = d != NULL && *d;
        cli_error("tokens: %s%s%s%s", hsc_status_string(st), has ? " (" : "", has ? d : "",
                  has ? ")" : "");
        putchar('\n');
        return 1;
    }
    size_t n = hsc_session_token_count(s);
    for (size_t i = 0; i < n; i++) {
        const char *norm = NULL, *stems = NULL;
        uint32_t type = 0, flags = 0;
        size_t off = 0, tlen = 0;
        if (hsc_session_token(s, i, &norm, &type, &flags) != HSC_OK ||
            hsc_session_token_stems(s, i, &stems) != HSC_OK ||
            hsc_session_token_span(s, i, &off, &tlen) != HSC_OK) {
            cli_error("tokens: cannot read token %zu", i);
            return 1;
        }
        printf("%s\t%s\t%s\t%s\t%zu+%zu\n", norm != NULL ? norm : "", type_name(type),
               stems != NULL && *stems ? stems : "-",
               flags & HSC_TOKEN_FLAG_STOPWORD ? "stopword" : "-", off, tlen);
    }
    putchar('\n');
    return 0;
}

int cli_cmd_tokens(int argc, char **argv)
{
    cli_parser p;
    cli_parser_init(&p, "tokens", argc, argv);
    const char *model_path = NULL, *langs = NULL, *v;
    int keep_accents = 0, replace = 0, id, n_texts = 0;
    char **texts = calloc((size_t)argc + 1, sizeof *texts);
    if (texts == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    int rc = CLI_EXIT_OK;
    while ((id = cli_next(&p, opts, &v)) != CLI_ARG_END) {
        switch (id) {
        case CLI_ARG_ERROR: free(texts); return CLI_EXIT_USAGE;
        case CLI_OPT_HELP: help(); free(texts); return CLI_EXIT_OK;
        case CLI_ARG_POSITIONAL: texts[n_texts++] = (char *)v; break;
        case OPT_MODEL: model_path = v; break;
        case OPT_LANGS: langs = v; break;
        case OPT_KEEP_ACCENTS: keep_accents = 1; break;
        case OPT_REPLACE: replace = 1; break;
        default: break;
        }
    }
    if (model_path != NULL && (langs != NULL || keep_accents)) {
        free(texts);
        return cli_usage_error("tokens", "--languages and --keep-accents need no model: the "
                                         "model's own text options apply with -m");
    }
    hsc_config *cfg = NULL;
    hsc_model *m = NULL;
    hsc_session *s = NULL;
    hsc_status st = hsc_config_new(&cfg);
    if (st == HSC_OK && langs != NULL)
        st = hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, langs);
    if (st == HSC_OK && keep_accents)
        st = hsc_config_set_u32(cfg, HSC_CFG_STRIP_ACCENTS, 0);
    if (st == HSC_OK && replace)
        st = hsc_config_set_u32(cfg, HSC_CFG_UTF8_REPLACE, 1);
    if (st != HSC_OK) {
        if (st == HSC_E_BAD_LANGUAGE) {
            rc = cli_usage_error("tokens", "--languages %s: %s", langs, hsc_status_string(st));
        } else {
            cli_error("tokens: %s", hsc_status_string(st));
            rc = cli_exit_for(st);
        }
        goto done;
    }
    if (model_path != NULL) {
        rc = cli_load_model("tokens", model_path, cfg, &m, NULL);
        if (rc != CLI_EXIT_OK)
            goto done;
    }
    st = hsc_session_new(m, cfg, &s);
    if (st != HSC_OK) {
        cli_error("tokens: cannot create a session: %s", hsc_status_string(st));
        rc = cli_exit_for(st);
        goto done;
    }
    rc = cli_for_each_text("tokens", texts, n_texts, show, s);
done:
    hsc_session_free(s);
    hsc_model_free(m);
    hsc_config_free(cfg);
    free(texts);
    return rc;
}

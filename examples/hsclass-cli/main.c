/* main.c - hsclass: suggest HS codes for goods descriptions from the
 * command line. A thin layer over the public API (hsclass.h). */
#include <signal.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"classify", cli_cmd_classify, "suggest HS codes for descriptions (arguments or stdin)"},
    {"explain", cli_cmd_explain, "top suggestions with the words for and against each"},
    {"lookup", cli_cmd_lookup, "a code's description, the codes and national lines under it"},
    {"train", cli_cmd_train, "train a model from code<TAB>description files"},
    {"eval", cli_cmd_eval, "accuracy, calibration and auto-accept rates on a labeled file"},
    {"audit", cli_cmd_audit, "declared codes checked against their descriptions, suspects first"},
    {"info", cli_cmd_info, "show a model's metadata"},
    {"tokens", cli_cmd_tokens, "show how text is normalized, tokenized and stemmed"},
#ifdef HSC_CLI_SERVE
    {"serve", cli_cmd_serve, "serve the model over HTTP/JSON, with the officer's page"},
#endif
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *f)
{
    fputs("Usage: hsclass COMMAND [OPTIONS] [ARGS...]\n"
          "       hsclass --version | --help | help COMMAND\n"
          "\n"
          "Suggest Harmonized System (HS) codes for free-text goods descriptions\n"
          "(English, French, Portuguese).\n"
          "\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\n'hsclass COMMAND --help' describes each command.\n\n", f);
    cli_print_model_lookup(f);
    fputs("\n"
          "Exit codes:\n"
          "  0    success\n"
          "  1    some inputs failed (bad UTF-8, too long...); the others were processed\n"
          "  2    usage error (unknown option, bad value)\n"
          "  3    model or file error (missing, unreadable, corrupt, cannot write: also a\n"
          "       full disk, a file-size limit, or an output that is not a regular file)\n"
          "  4    training data error (no usable rows, one class, --strict stop)\n"
          "  5    out of memory or internal error\n"
          "  130  interrupted (Ctrl-C during training)\n",
          f);
}

static void print_version(void)
{
    printf("hsclass %s\n", hsc_version_string());
    printf("library %s (%u)\n", hsc_version_string(), (unsigned)hsc_version_number());
    printf("header %s (%u)\n", HSC_VERSION_STRING, (unsigned)HSC_VERSION_NUMBER);
    printf("model format <= %u\n", (unsigned)hsc_model_format_version_max());
}

int main(int argc, char **argv)
{
    /* A write past `ulimit -f` then fails (EFBIG: exit 3, temporary files
     * removed) instead of killing the process with SIGXFSZ. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        print_help(stdout);
        return cli_finish_stdout("help", CLI_EXIT_OK);
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        print_version();
        return cli_finish_stdout("version", CLI_EXIT_OK);
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            print_help(stdout);
            return cli_finish_stdout("help", CLI_EXIT_OK);
        }
        for (size_t i = 0; i < N_COMMANDS; i++) {
            if (strcmp(argv[2], commands[i].name) == 0) {
                char help[] = "--help";
                char *args[] = {argv[2], help, NULL};
                return cli_finish_stdout("help", commands[i].run(2, args));
            }
        }
        return cli_usage_error(NULL, "unknown command '%s'", argv[2]);
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return cli_finish_stdout(cmd, commands[i].run(argc - 1, argv + 1));
    return cli_usage_error(NULL, "unknown command '%s'", cmd);
}

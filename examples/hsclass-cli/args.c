/* args.c - GNU-style option parsing: --name=value, --name value, -x value,
 * -xvalue, "--" ends options; options and operands may be mixed. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_parser_init(cli_parser *p, const char *cmd, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->argc = argc;
    p->argv = argv;
    p->i = 1; /* argv[0] is the command name */
    p->cmd = cmd;
}

static const cli_opt *find_long(const cli_opt *opts, const char *name, size_t len)
{
    for (; opts->name != NULL || opts->short_name; opts++)
        if (opts->name != NULL && strlen(opts->name) == len && memcmp(opts->name, name, len) == 0)
            return opts;
    return NULL;
}

static const cli_opt *find_short(const cli_opt *opts, char c)
{
    for (; opts->name != NULL || opts->short_name; opts++)
        if (opts->short_name == c)
            return opts;
    return NULL;
}

int cli_next(cli_parser *p, const cli_opt *opts, const char **value)
{
    *value = NULL;
    if (p->i >= p->argc)
        return CLI_ARG_END;
    char *arg = p->argv[p->i++];
    /* "-" alone is an operand (conventionally stdin). */
    if (p->positional_only || arg[0] != '-' || arg[1] == '\0') {
        *value = arg;
        return CLI_ARG_POSITIONAL;
    }
    if (strcmp(arg, "--") == 0) {
        p->positional_only = 1;
        return cli_next(p, opts, value);
    }
    const cli_opt *o;
    const char *inline_val = NULL;
    if (arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        o = find_long(opts, name, len);
        if (o == NULL) {
            cli_usage_error(p->cmd, "unknown option '--%.*s'", (int)len, name);
            return CLI_ARG_ERROR;
        }
        if (eq != NULL)
            inline_val = eq + 1;
        if (inline_val != NULL && !o->has_arg) {
            cli_usage_error(p->cmd, "option '--%s' takes no value", o->name);
            return CLI_ARG_ERROR;
        }
    } else {
        o = find_short(opts, arg[1]);
        if (o == NULL) {
            cli_usage_error(p->cmd, "unknown option '-%c'", arg[1]);
            return CLI_ARG_ERROR;
        }
        if (arg[2] != '\0') {
            if (!o->has_arg) {
                cli_usage_error(p->cmd, "option '-%c' takes no value", arg[1]);
                return CLI_ARG_ERROR;
            }
            inline_val = arg + 2;
        }
    }
    if (o->has_arg) {
        if (inline_val == NULL) {
            if (p->i >= p->argc) {
                if (o->name != NULL)
                    cli_usage_error(p->cmd, "option '--%s' needs a value", o->name);
                else
                    cli_usage_error(p->cmd, "option '-%c' needs a value", o->short_name);
                return CLI_ARG_ERROR;
            }
            inline_val = p->argv[p->i++];
        }
        *value = inline_val;
    }
    return o->id;
}

int cli_parse_u32(const char *s, uint32_t *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return 0;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v > UINT32_MAX)
        return 0;
    *out = (uint32_t)v;
    return 1;
}

int cli_parse_f64(const char *s, double *out)
{
    if (s == NULL || *s == '\0')
        return 0;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    /* ERANGE with a tiny result is an underflow ("1e-320"): still a number */
    if ((errno && !(errno == ERANGE && fabs(v) < 1.0)) || *end != '\0' || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

int cli_opt_u32(const char *cmd, const char *opt, const char *s, uint32_t *out)
{
    if (cli_parse_u32(s, out))
        return 1;
    cli_usage_error(cmd, "invalid value for --%s: '%s' (expected a non-negative integer)", opt, s);
    return 0;
}

int cli_opt_f64(const char *cmd, const char *opt, const char *s, double *out)
{
    if (cli_parse_f64(s, out))
        return 1;
    cli_usage_error(cmd, "invalid value for --%s: '%s' (expected a number)", opt, s);
    return 0;
}

hsc_status cli_set_max_bytes(const char *cmd, hsc_config *cfg, uint32_t n)
{
    hsc_status st = hsc_config_set_u32(cfg, HSC_CFG_MAX_TEXT_BYTES, n);
    if (st == HSC_E_INVALID_ARG)
        cli_usage_error(cmd, "--max-bytes %u: out of range", (unsigned)n);
    return st;
}

int cli_opt_probability(const char *cmd, const char *opt, const char *s, double *out)
{
    double v;
    if (cli_parse_f64(s, &v) && v >= 0.0 && v <= 1.0) {
        *out = v;
        return 1;
    }
    cli_usage_error(cmd, "invalid value for --%s: '%s' (expected a number between 0 and 1)",
                    opt, s);
    return 0;
}

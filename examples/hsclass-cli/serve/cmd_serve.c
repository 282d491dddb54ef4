/* cmd_serve.c - hsclass serve: options, start-up, and the main thread's
 * loop, which owns every signal: SIGHUP and a changed model file reload the
 * model, SIGTERM and SIGINT drain the requests in flight and stop. Signals
 * are blocked in every thread and taken with sigtimedwait here, so nothing
 * runs in a signal handler. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cli.h"
#include "serve.h"

enum {
    OPT_MODEL = 1, OPT_LISTEN, OPT_THREADS, OPT_QUEUE, OPT_MAX_BODY, OPT_MAX_TEXT, OPT_MAX_BATCH,
    OPT_MAX_K, OPT_TIMEOUT, OPT_MAX_CONN, OPT_WATCH, OPT_THRESHOLD, OPT_AUDIT_THRESHOLD
};

static const cli_opt opts[] = {
    {"model", 'm', 1, OPT_MODEL},
    {"listen", 'l', 1, OPT_LISTEN},
    {"threads", 'j', 1, OPT_THREADS},
    {"queue", 0, 1, OPT_QUEUE},
    {"max-body", 0, 1, OPT_MAX_BODY},
    {"max-text", 0, 1, OPT_MAX_TEXT},
    {"max-batch", 0, 1, OPT_MAX_BATCH},
    {"max-k", 0, 1, OPT_MAX_K},
    {"timeout", 0, 1, OPT_TIMEOUT},
    {"max-connections", 0, 1, OPT_MAX_CONN},
    {"watch", 0, 1, OPT_WATCH},
    {"threshold", 't', 1, OPT_THRESHOLD},
    {"audit-threshold", 0, 1, OPT_AUDIT_THRESHOLD},
    {"help", 'h', 0, CLI_OPT_HELP},
    {NULL, 0, 0, 0},
};

/* In-flight requests get this long after SIGTERM (systemd and docker wait
 * 10 s before SIGKILL by default, so stay under it). */
#define DRAIN_SECONDS 9.0

static void help(void)
{
    puts("Usage: hsclass serve [-m MODEL] [--listen ADDR:PORT] [--threads N] [OPTIONS]\n"
         "\n"
         "Serve the model over HTTP/JSON, with the officer's page at /.\n"
         "  POST /v1/classify        {\"text\", \"k\", \"only\", \"lang\", \"national\",\n"
         "                            \"precedents\"}\n"
         "  POST /v1/classify/batch  {\"texts\": [...], same options}\n"
         "  POST /v1/explain         {\"text\", \"k\", \"only\", \"lang\", \"precedents\"}\n"
         "  POST /v1/audit           {\"code\", \"text\", \"k\", \"lang\", \"precedents\"}: the\n"
         "                           declared code checked as `hsclass audit` does\n"
         "  GET  /v1/lookup/CODE     ?lang=fr&national=true&depth=N\n"
         "  GET  /v1/model, /healthz, /metrics (Prometheus)\n"
         "Replies have the fields of the CLI's jsonl lines; errors are\n"
         "{\"error\": \"...\", \"status\": \"HSC_E_...\"} with 400, 404, 405, 413, 415, 500, or\n"
         "503 and Retry-After when every worker is busy and the queue is full.\n"
         "One JSON line per request (and per event) goes to standard error.\n"
         "\n"
         "Options:\n"
         "  -m, --model MODEL       model file (see below); reloaded on SIGHUP and when\n"
         "                          the file changes; a file that fails to load is\n"
         "                          refused and the current model keeps serving\n"
         "  -l, --listen ADDR:PORT  numeric address and port (default 127.0.0.1:8080;\n"
         "                          [::1]:8080 for IPv6, :8080 for every IPv4 address,\n"
         "                          port 0 for any free port, logged at start)\n"
         "  -j, --threads N         worker threads, each with its own session (default:\n"
         "                          the number of CPUs)\n"
         "      --queue N           requests waiting for a worker before 503 (default 64)\n"
         "      --max-body BYTES    largest request body, else 413 (default 1048576)\n"
         "      --max-text BYTES    longest description (default 16384)\n"
         "      --max-batch N       most descriptions per batch (default 256)\n"
         "      --max-k N           largest k (default 50)\n"
         "      --timeout SECONDS   close connections idle or stalled this long (default 30)\n"
         "      --max-connections N open connections at most (default 1024)\n"
         "      --watch SECONDS     check the model file this often (default 2; 0: only\n"
         "                          SIGHUP reloads)\n"
         "  -t, --threshold P       accept decisions at probability P (default: the model's)\n"
         "      --audit-threshold P a declared code is suspect below probability P\n"
         "                          (default: the library's, as `hsclass audit`)\n"
         "  -h, --help              show this help\n"
         "\n"
         "SIGTERM or SIGINT: stop accepting, let requests in flight finish (at most 9 s),\n"
         "exit 0. Exit 3 when the model cannot be loaded or the address cannot be used.");
    cli_print_model_lookup(stdout);
}

typedef struct file_sig {
    int ok;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
} file_sig;

static file_sig sig_of(const char *path)
{
    file_sig s;
    struct stat sb;
    memset(&s, 0, sizeof s);
    if (stat(path, &sb) == 0) {
        s.ok = 1;
        s.dev = sb.st_dev;
        s.ino = sb.st_ino;
        s.size = sb.st_size;
        s.mtime = sb.st_mtim;
        s.ctime = sb.st_ctim;
    }
    return s;
}

static int sig_equal(const file_sig *a, const file_sig *b)
{
    return a->ok == b->ok && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
           a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

typedef struct server {
    const char *path;
    hsc_config *cfg;
    srv_slot slot;
    file_sig loaded; /* the file as it was at the last load attempt */
    file_sig seen;   /* as the last poll saw it */
} server;

static void reload(server *sv, const char *trigger)
{
    char why[512] = "";
    srv_model *next = NULL;
    sv->loaded = sig_of(sv->path);
    hsc_status st = srv_model_load(sv->path, sv->cfg, &next, why, sizeof why);
    srv_model *cur = srv_slot_acquire(&sv->slot);
    json_t *o = json_pack("{s:s,s:s,s:s}", "event", "reload", "trigger", trigger, "previous",
                          cur->fingerprint);
    srv_model_unref(cur);
    if (o && st == HSC_OK) {
        json_object_set_new(o, "result", json_string("ok"));
        json_object_set_new(o, "model", json_string(next->fingerprint));
    } else if (o) {
        /* The old model keeps serving: a half-written or corrupt file must
         * not take the service down. */
        json_object_set_new(o, "result", json_string("refused"));
        json_object_set_new(o, "error", srv_jstr(why, strlen(why)));
    }
    /* Swap before logging, so whoever reads the line gets the new model. */
    if (st == HSC_OK)
        srv_slot_replace(&sv->slot, next);
    srv_metrics_reload(st == HSC_OK);
    srv_log(o);
}

/* Reload once the file has changed and then stayed the same for one poll,
 * so a file being written is not read half-way. */
static void watch(server *sv)
{
    file_sig now = sig_of(sv->path);
    if (now.ok && !sig_equal(&now, &sv->loaded) && sig_equal(&now, &sv->seen))
        reload(sv, "file");
    sv->seen = now;
}

static void log_start(const server *sv, const srv_http *h, const char *host, unsigned threads)
{
    srv_model *sm = srv_slot_acquire((srv_slot *)&sv->slot);
    json_t *o = json_pack("{s:s,s:s,s:i,s:s,s:i,s:s}", "event", "listening", "address", host,
                          "port", (int)srv_http_port(h), "model", sm->fingerprint, "threads",
                          (int)threads, "version", hsc_version_string());
    srv_model_unref(sm);
    srv_log(o);
}

/* "127.0.0.1:8080", "[::1]:8080", ":8080". host receives the address. */
static int parse_listen(const char *s, char *host, size_t size, uint16_t *port)
{
    const char *colon;
    size_t n;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':')
            return 0;
        n = (size_t)(end - s - 1);
        s++;
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return 0;
        n = (size_t)(colon - s);
    }
    uint32_t p;
    if (n >= size || !cli_parse_u32(colon + 1, &p) || p > 65535)
        return 0;
    memcpy(host, s, n);
    host[n] = '\0';
    *port = (uint16_t)p;
    return 1;
}

typedef struct settings {
    const char *model;
    char host[64];
    srv_http_options http;
    uint32_t watch;
    double threshold, audit_threshold;
} settings;

/* Options with a u32 value and their bounds. */
static int u32_option(int id, const char *v, settings *s)
{
    static const struct {
        int id;
        const char *name;
        uint32_t min, max;
    } bounds[] = {
        {OPT_THREADS, "threads", 1, 256},         {OPT_QUEUE, "queue", 1, 65536},
        {OPT_MAX_BODY, "max-body", 64, 1u << 30}, {OPT_MAX_TEXT, "max-text", 1, 1u << 24},
        {OPT_MAX_BATCH, "max-batch", 1, 1000000}, {OPT_MAX_K, "max-k", 1, 10000},
        {OPT_TIMEOUT, "timeout", 1, 86400},       {OPT_MAX_CONN, "max-connections", 1, 1000000},
        {OPT_WATCH, "watch", 0, 86400},
    };
    for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
        if (bounds[i].id != id)
            continue;
        uint32_t x;
        if (!cli_opt_u32("serve", bounds[i].name, v, &x))
            return 0;
        if (x < bounds[i].min || x > bounds[i].max) {
            cli_usage_error("serve", "--%s must be from %u to %u", bounds[i].name,
                            (unsigned)bounds[i].min, (unsigned)bounds[i].max);
            return 0;
        }
        switch (id) {
        case OPT_THREADS: s->http.threads = x; break;
        case OPT_QUEUE: s->http.queue = x; break;
        case OPT_MAX_BODY: s->http.limits.max_body = x; break;
        case OPT_MAX_TEXT: s->http.limits.max_text = x; break;
        case OPT_MAX_BATCH: s->http.limits.max_batch = x; break;
        case OPT_MAX_K: s->http.limits.max_k = x; break;
        case OPT_TIMEOUT: s->http.timeout = x; break;
        case OPT_MAX_CONN: s->http.max_connections = x; break;
        default: s->watch = x; break;
        }
        return 1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, settings *s)
{
    cli_parser p;
    const char *v;
    int id;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    memset(s, 0, sizeof *s);
    strcpy(s->host, "127.0.0.1");
    s->http.port = 8080;
    s->http.threads = cpus < 1 ? 1 : cpus > 64 ? 64 : (unsigned)cpus;
    s->http.queue = 64;
    s->http.timeout = 30;
    s->http.max_connections = 1024;
    s->http.limits = (srv_limits){1u << 20, 16384, 256, 50};
    s->watch = 2;
    s->threshold = s->audit_threshold = -1;
    cli_parser_init(&p, "serve", argc, argv);
    while ((id = cli_next(&p, opts, &v)) != CLI_ARG_END) {
        switch (id) {
        case CLI_ARG_ERROR: return CLI_EXIT_USAGE;
        case CLI_OPT_HELP: help(); return -1;
        case CLI_ARG_POSITIONAL: return cli_usage_error("serve", "unexpected argument '%s'", v);
        case OPT_MODEL: s->model = v; break;
        case OPT_LISTEN:
            if (!parse_listen(v, s->host, sizeof s->host, &s->http.port))
                return cli_usage_error("serve", "--listen '%s': expected ADDRESS:PORT", v);
            break;
        case OPT_THRESHOLD:
            if (!cli_opt_probability("serve", "threshold", v, &s->threshold))
                return CLI_EXIT_USAGE;
            break;
        case OPT_AUDIT_THRESHOLD:
            if (!cli_opt_probability("serve", "audit-threshold", v, &s->audit_threshold))
                return CLI_EXIT_USAGE;
            break;
        default:
            if (!u32_option(id, v, s))
                return CLI_EXIT_USAGE;
        }
    }
    s->http.host = s->host;
    return CLI_EXIT_OK;
}

static hsc_status make_config(const settings *s, hsc_config **cfg)
{
    hsc_status st = hsc_config_new(cfg);
    if (st == HSC_OK)
        st = hsc_config_set_u32(*cfg, HSC_CFG_MAX_TEXT_BYTES,
                                (uint32_t)s->http.limits.max_text);
    if (st == HSC_OK && s->threshold >= 0)
        st = hsc_config_set_f64(*cfg, HSC_CFG_ACCEPT_THRESHOLD, s->threshold);
    if (st == HSC_OK && s->audit_threshold >= 0)
        st = hsc_config_set_f64(*cfg, HSC_CFG_AUDIT_THRESHOLD, s->audit_threshold);
    return st;
}

/* Until SIGTERM or SIGINT: reloads on SIGHUP and on file changes. */
static void main_loop(server *sv, const sigset_t *signals, uint32_t watch_seconds)
{
    for (;;) {
        struct timespec timeout = {watch_seconds ? (time_t)watch_seconds : 1, 0};
        int sig = sigtimedwait(signals, NULL, &timeout);
        if (sig == SIGTERM || sig == SIGINT)
            return;
        if (sig == SIGHUP)
            reload(sv, "signal");
        else if (watch_seconds)
            watch(sv);
    }
}

int cli_cmd_serve(int argc, char **argv)
{
    settings s;
    int rc = parse_args(argc, argv, &s);
    if (rc != CLI_EXIT_OK)
        return rc < 0 ? CLI_EXIT_OK : rc;
    server sv;
    memset(&sv, 0, sizeof sv);
    sv.path = s.model ? s.model : cli_default_model();
    if (!sv.path) {
        cli_error("serve: no model: give -m MODEL or set HSCLASS_MODEL");
        return CLI_EXIT_MODEL;
    }
    hsc_status st = make_config(&s, &sv.cfg);
    if (st != HSC_OK) {
        cli_error("serve: %s", hsc_status_string(st));
        hsc_config_free(sv.cfg);
        return cli_exit_for(st);
    }
    /* Block the signals before any thread starts, so all inherit the mask
     * and only sigtimedwait below receives them. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    char why[512] = "";
    srv_model *first = NULL;
    sv.loaded = sv.seen = sig_of(sv.path);
    st = srv_model_load(sv.path, sv.cfg, &first, why, sizeof why);
    if (st != HSC_OK) {
        cli_error("serve: %s", why);
        hsc_config_free(sv.cfg);
        return st == HSC_E_NOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_MODEL;
    }
    srv_slot_init(&sv.slot, first);
    srv_http *h = srv_http_start(&s.http, &sv.slot, why, sizeof why);
    if (!h) {
        cli_error("serve: %s", why);
        srv_slot_destroy(&sv.slot);
        hsc_config_free(sv.cfg);
        return CLI_EXIT_MODEL;
    }
    log_start(&sv, h, s.host, s.http.threads);
    main_loop(&sv, &signals, s.watch);

    srv_http_quiesce(h);
    srv_log_event("draining", "stopped accepting connections; finishing requests in flight");
    if (srv_http_drain(h, srv_now() + DRAIN_SECONDS) != 0) {
        /* Workers cannot be interrupted inside a library call, and MHD
         * cannot be stopped with suspended connections: leave now. */
        srv_log_event("stopped", "drain deadline passed; requests still in flight were cut");
        _exit(CLI_EXIT_OK);
    }
    srv_http_stop(h);
    srv_slot_destroy(&sv.slot);
    hsc_config_free(sv.cfg);
    srv_log_event("stopped", "every request answered");
    return CLI_EXIT_OK;
}

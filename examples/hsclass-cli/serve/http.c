/* http.c - the HTTP side, on libmicrohttpd: routing, request bodies and
 * their limits, handing JSON requests to the workers, responses, the access
 * log, and draining.
 *
 * One MHD thread does all network I/O. A POST whose body is complete is
 * suspended and queued for a worker, which runs it on a session of the
 * current model and resumes the connection; the MHD thread then sends the
 * reply. Cheap GETs (page, lookup, model, health, metrics) are answered on
 * the MHD thread directly, so they stay fast when the workers are busy; so
 * is a short single-text classify when no worker has anything to do, since
 * the two thread hand-offs (queue, resume) cost more than the classify. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../cli.h"
#include "serve.h"

/* Bodies over the limit are read and dropped up to this size, so the client
 * (still sending) receives the 413 instead of a reset connection; beyond it
 * the 413 goes out at once and the connection is closed. */
#define DISCARD_LIMIT ((size_t)64 << 20)
/* A classify body up to this size may run on the MHD thread (see above):
 * its text is short enough that other connections barely wait. */
#define INLINE_MAX_BODY 2048

struct srv_http {
    struct MHD_Daemon *d;
    srv_slot *slot;
    srv_queue q;
    srv_limits lim;
    atomic_uint in_flight;
    atomic_uint jobs;    /* queued or running on a worker */
    atomic_int draining;
    atomic_int closed;   /* drained: what still comes is answered at once */
    uint16_t port;
};

typedef struct req {
    srv_http *h;
    struct MHD_Connection *c;
    int route;
    srv_endpoint ep;
    const char *allow;   /* methods of the route, for 405 */
    char *body;
    size_t len, cap, bytes_in;
    double t0, t_queued;
    int queued, status;
    srv_reply reply;     /* reply.http != 0: decided (early error or done) */
    char method[8];
    char path[256];
} req;

double srv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const struct {
    const char *path;
    int route;
    int post; /* 1: POST with a JSON body; 0: GET/HEAD */
    srv_endpoint ep;
} routes[] = {
    {"/", SRV_ROUTE_PAGE, 0, SRV_EP_CLASSIFY},
    {"/v1/classify", SRV_ROUTE_CLASSIFY, 1, SRV_EP_CLASSIFY},
    {"/v1/classify/batch", SRV_ROUTE_BATCH, 1, SRV_EP_BATCH},
    {"/v1/explain", SRV_ROUTE_EXPLAIN, 1, SRV_EP_EXPLAIN},
    {"/v1/audit", SRV_ROUTE_AUDIT, 1, SRV_EP_AUDIT},
    {"/v1/model", SRV_ROUTE_MODEL, 0, SRV_EP_CLASSIFY},
    {"/healthz", SRV_ROUTE_HEALTHZ, 0, SRV_EP_CLASSIFY},
    {"/metrics", SRV_ROUTE_METRICS, 0, SRV_EP_CLASSIFY},
};
#define LOOKUP_PREFIX "/v1/lookup/"

static void error(req *r, int http, hsc_status st, const char *msg)
{
    srv_reply_error(&r->reply, http, st, msg);
}

/* Route and method; an unknown path or a wrong method is decided here. */
static void route(req *r, const char *method, const char *url)
{
    int is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    int is_post = strcmp(method, "POST") == 0;
    int post = 0;
    r->route = SRV_ROUTE_OTHER;
    if (strncmp(url, LOOKUP_PREFIX, strlen(LOOKUP_PREFIX)) == 0) {
        r->route = SRV_ROUTE_LOOKUP;
    } else {
        for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
            if (strcmp(url, routes[i].path) == 0) {
                r->route = routes[i].route;
                r->ep = routes[i].ep;
                post = routes[i].post;
            }
        }
    }
    if (r->route == SRV_ROUTE_OTHER) {
        error(r, 404, HSC_E_UNSUPPORTED, "no such endpoint");
    } else if (post ? !is_post : !is_get) {
        r->allow = post ? "POST" : "GET, HEAD";
        error(r, 405, HSC_E_UNSUPPORTED, post ? "use POST" : "use GET");
    }
}

/* application/json, any case, optionally with parameters (charset). */
static int is_json_type(const char *t)
{
    static const char want[] = "application/json";
    if (!t || strncasecmp(t, want, sizeof want - 1) != 0)
        return 0;
    t += sizeof want - 1;
    return *t == '\0' || *t == ';' || *t == ' ' || *t == '\t';
}

static void check_body_headers(req *r)
{
    const char *type = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Content-Type");
    const char *length = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Content-Length");
    if (!is_json_type(type))
        error(r, 415, HSC_E_UNSUPPORTED, "Content-Type must be application/json");
    else if (length && strtoull(length, NULL, 10) > r->h->lim.max_body)
        error(r, 413, HSC_E_TEXT_TOO_LONG, "request body too large");
}

static void append(req *r, const char *data, size_t n)
{
    if (r->len + n > r->h->lim.max_body) {
        free(r->body);
        r->body = NULL;
        error(r, 413, HSC_E_TEXT_TOO_LONG, "request body too large");
        return;
    }
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 1024;
        while (cap < r->len + n)
            cap *= 2;
        char *b = realloc(r->body, cap);
        if (!b) {
            error(r, 500, HSC_E_NOMEM, "out of memory");
            return;
        }
        r->body = b;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
}

static enum MHD_Result respond(req *r)
{
    srv_http *h = r->h;
    const char *type = r->reply.content_type ? r->reply.content_type : "application/json";
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->reply.len, r->reply.body ? r->reply.body : (void *)"",
        r->reply.body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    r->reply.body = NULL; /* MHD frees it */
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->route == SRV_ROUTE_PAGE && r->reply.http == 200) {
        MHD_add_response_header(resp, "Content-Security-Policy", srv_page_csp);
        MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    }
    if (r->reply.http == 503 || r->reply.http == 429)
        MHD_add_response_header(resp, "Retry-After", "1");
    if (r->reply.http == 405 && r->allow)
        MHD_add_response_header(resp, "Allow", r->allow);
    /* Draining: tell keep-alive clients to go elsewhere for what follows. */
    if (atomic_load(&h->draining))
        MHD_add_response_header(resp, "Connection", "close");
    r->status = r->reply.http;
    enum MHD_Result ret = MHD_queue_response(r->c, (unsigned)r->reply.http, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void static_reply(req *r, const char *type, const void *data, size_t len)
{
    r->reply.http = 200;
    r->reply.content_type = type;
    r->reply.body = malloc(len ? len : 1);
    if (!r->reply.body) {
        error(r, 500, HSC_E_NOMEM, "out of memory");
        return;
    }
    memcpy(r->reply.body, data, len);
    r->reply.len = len;
}

static void healthz(req *r)
{
    srv_model *sm = srv_slot_acquire(r->h->slot);
    json_t *o = json_pack("{s:s,s:s}", "status",
                          atomic_load(&r->h->draining) ? "draining" : "ok", "model",
                          sm->fingerprint);
    memcpy(r->reply.model, sm->fingerprint, sizeof r->reply.model);
    srv_model_unref(sm);
    srv_reply_json(&r->reply, atomic_load(&r->h->draining) ? 503 : 200, o);
}

static void metrics(req *r)
{
    srv_model *sm = srv_slot_acquire(r->h->slot);
    const char *edition = NULL;
    hsc_model_info_str(sm->m, HSC_INFO_HS_EDITION, &edition);
    size_t len = 0;
    char *text = srv_metrics_render(sm->fingerprint, edition ? edition : "",
                                    srv_queue_depth(&r->h->q), atomic_load(&r->h->in_flight),
                                    &len);
    srv_model_unref(sm);
    if (!text) {
        error(r, 500, HSC_E_NOMEM, "out of memory");
        return;
    }
    r->reply.http = 200;
    r->reply.body = text;
    r->reply.len = len;
    r->reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
}

static const char *arg(req *r, const char *key)
{
    return MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, key);
}

static void answer_get(req *r, const char *url)
{
    switch (r->route) {
    case SRV_ROUTE_PAGE:
        static_reply(r, "text/html; charset=utf-8", srv_page_html, srv_page_html_len);
        break;
    case SRV_ROUTE_LOOKUP:
        srv_api_lookup(url + strlen(LOOKUP_PREFIX), arg(r, "lang"), arg(r, "national"),
                       arg(r, "depth"), r->h->slot, &r->reply);
        break;
    case SRV_ROUTE_MODEL: srv_api_model(r->h->slot, &r->reply); break;
    case SRV_ROUTE_HEALTHZ: healthz(r); break;
    default: metrics(r); break;
    }
}

/* Worker side: run the request, then hand the connection back to MHD. */
static void run_job(void *job)
{
    req *r = job;
    r->reply.wait_seconds = srv_now() - r->t_queued;
    srv_api_post(r->ep, r->body, r->len, &r->h->lim, r->h->slot, &r->reply);
    atomic_fetch_sub(&r->h->jobs, 1);
    MHD_resume_connection(r->c);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    srv_http *h = cls;
    req *r = *con_cls;
    if (!r) { /* headers received */
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->h = h;
        r->c = c;
        r->t0 = srv_now();
        snprintf(r->method, sizeof r->method, "%s", method);
        snprintf(r->path, sizeof r->path, "%s", url);
        atomic_fetch_add(&h->in_flight, 1);
        *con_cls = r;
        route(r, method, url);
        if (!r->reply.http && strcmp(method, "POST") == 0)
            check_body_headers(r);
        return MHD_YES;
    }
    if (*upload_size) {
        r->bytes_in += *upload_size;
        if (!r->reply.http)
            append(r, upload, *upload_size);
        *upload_size = 0;
        if (r->reply.http && r->bytes_in > DISCARD_LIMIT)
            return respond(r); /* MHD closes the connection after it */
        return MHD_YES;
    }
    if (r->reply.http) /* an early error, or a worker's reply after resume */
        return respond(r);
    if (r->route != SRV_ROUTE_CLASSIFY && r->route != SRV_ROUTE_BATCH &&
        r->route != SRV_ROUTE_EXPLAIN && r->route != SRV_ROUTE_AUDIT) {
        answer_get(r, url);
        return respond(r);
    }
    /* After the drain nothing may be suspended (MHD cannot stop with
     * suspended connections): a request that slips in on an idle keep-alive
     * connection then is told to retry elsewhere. */
    if (atomic_load(&h->closed)) {
        srv_reply_error_named(&r->reply, 503, "HSC_SERVE_BUSY", "shutting down");
        return respond(r);
    }
    if (r->route == SRV_ROUTE_CLASSIFY && r->len <= INLINE_MAX_BODY &&
        atomic_load(&h->jobs) == 0) {
        srv_api_post(r->ep, r->body, r->len, &h->lim, h->slot, &r->reply);
        return respond(r);
    }
    /* Suspend before queueing: the worker may finish and resume at once. */
    MHD_suspend_connection(c);
    r->queued = 1;
    r->t_queued = srv_now();
    atomic_fetch_add(&h->jobs, 1);
    if (srv_queue_push(&h->q, r) != 0) {
        atomic_fetch_sub(&h->jobs, 1);
        srv_reply_error_named(&r->reply, 503, "HSC_SERVE_BUSY",
                              "busy: every worker is busy and the queue is full");
        MHD_resume_connection(c);
    }
    return MHD_YES;
}

static void access_log(req *r, enum MHD_RequestTerminationCode toe, double seconds)
{
    json_t *o = json_object();
    int ok = 1;
    char addr[INET6_ADDRSTRLEN] = "";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr,
                      sizeof addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      addr, sizeof addr);
    }
    srv_put(o, "event", json_string("request"), &ok);
    srv_put(o, "remote", json_string(addr), &ok);
    srv_put(o, "method", srv_jstr(r->method, strlen(r->method)), &ok);
    srv_put(o, "path", srv_jstr(r->path, strlen(r->path)), &ok);
    srv_put(o, "status", json_integer(r->status), &ok);
    srv_put(o, "bytes_in", json_integer((json_int_t)r->bytes_in), &ok);
    srv_put(o, "bytes_out", json_integer((json_int_t)r->reply.len), &ok);
    srv_put(o, "us", json_integer((json_int_t)(seconds * 1e6)), &ok);
    if (r->queued)
        srv_put(o, "wait_us", json_integer((json_int_t)(r->reply.wait_seconds * 1e6)), &ok);
    if (r->reply.n_texts)
        srv_put(o, "lib_us", json_integer((json_int_t)(r->reply.lib_seconds * 1e6)), &ok);
    if (r->reply.n_texts)
        srv_put(o, "texts", json_integer((json_int_t)r->reply.n_texts), &ok);
    if (r->reply.model[0])
        srv_put(o, "model", json_string(r->reply.model), &ok);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        srv_put(o, "aborted", json_integer(toe), &ok);
    srv_log(o);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    req *r = *con_cls;
    if (!r)
        return;
    double seconds = srv_now() - r->t0;
    srv_metrics_request(r->route, r->status, seconds, r->reply.n_texts);
    access_log(r, toe, seconds);
    atomic_fetch_sub(&r->h->in_flight, 1);
    free(r->body);
    free(r->reply.body);
    free(r);
    *con_cls = NULL;
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt,
                                                             va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    srv_log_event("http", msg);
}

srv_http *srv_http_start(const srv_http_options *opt, srv_slot *slot, char *why,
                         size_t why_size)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME;
    struct sockaddr_in *v4 = (struct sockaddr_in *)(void *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)(void *)&ss;
    const char *host = opt->host && *opt->host ? opt->host : "0.0.0.0";
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(opt->port);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(opt->port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(why, why_size, "'%s' is not a numeric IPv4 or IPv6 address", host);
        return NULL;
    }
    srv_http *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    h->slot = slot;
    h->lim = opt->limits;
    if (srv_queue_start(&h->q, opt->threads, opt->queue, run_job) != 0) {
        free(h);
        snprintf(why, why_size, "cannot start %u worker threads", opt->threads);
        return NULL;
    }
    h->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_TIMEOUT, opt->timeout, MHD_OPTION_CONNECTION_LIMIT,
        opt->max_connections, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_END);
    if (!h->d) {
        srv_queue_stop(&h->q);
        free(h);
        snprintf(why, why_size, "cannot listen on %s port %u (in use, or not allowed)", host,
                 (unsigned)opt->port);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : opt->port;
    return h;
}

uint16_t srv_http_port(const srv_http *h)
{
    return h->port;
}

void srv_http_quiesce(srv_http *h)
{
    atomic_store(&h->draining, 1);
    MHD_socket fd = MHD_quiesce_daemon(h->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

int srv_http_drain(srv_http *h, double deadline)
{
    for (;;) {
        /* A request counts itself in flight before it can be suspended, so
         * once none is in flight after closing, none will be suspended. */
        if (atomic_load(&h->in_flight) == 0) {
            atomic_store(&h->closed, 1);
            if (atomic_load(&h->in_flight) == 0)
                return 0;
        }
        if (srv_now() >= deadline)
            return -1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

void srv_http_stop(srv_http *h)
{
    MHD_stop_daemon(h->d);
    srv_queue_stop(&h->q);
    free(h);
}

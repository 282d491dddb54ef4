/* serve.h - `hsclass serve`, an HTTP/JSON service over the public API.
 *
 * Module map (one job per file):
 *   cmd_serve.c  options, start-up, signals (reload, drain), the main loop
 *   request.c    a JSON request body -> srv_request, every check a client can fail
 *   render.c     library results -> JSON objects (the CLI's jsonl fields)
 *   api.c        the endpoints: run a request on a model, produce a reply
 *   models.c     refcounted loaded models, their session pools, reloading
 *   queue.c      the bounded job queue and its worker threads
 *   http.c       libmicrohttpd glue: routing, bodies, limits, suspend/resume
 *   metrics.c    counters and the Prometheus text
 *   log.c        JSON lines on stderr (access log and events)
 *   page.c       the officer's page (generated from examples/serve/officer.html)
 */
#ifndef HSCLASS_SERVE_H
#define HSCLASS_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hsclass.h"

/* ---- request.c --------------------------------------------------------- */

typedef struct srv_limits {
    size_t max_body;     /* bytes of a request body */
    size_t max_text;     /* bytes of one description */
    uint32_t max_batch;  /* texts of one batch */
    uint32_t max_k;      /* suggestions per level */
} srv_limits;

/* Endpoints that take a JSON body. */
typedef enum { SRV_EP_CLASSIFY, SRV_EP_BATCH, SRV_EP_EXPLAIN, SRV_EP_AUDIT } srv_endpoint;

/* Why a request is refused: HTTP status, the library status that names the
 * problem (HSC_E_INVALID_ARG, HSC_E_BAD_UTF8...), and a message. */
typedef struct srv_error {
    int http;
    hsc_status status;
    char message[200];
} srv_error;

typedef struct srv_request {
    json_t *root;        /* the parsed body; every string below is borrowed from it */
    const char **texts;
    size_t *lens;
    size_t n_texts;
    uint32_t k;
    const char *only;    /* NULL: no constraint */
    size_t only_len;
    const char *lang;    /* NULL: the model's first language */
    int national;
    uint32_t precedents; /* nearest training rows to list (0: none) */
    char declared[HSC_CODE_MAX_DIGITS + 1]; /* audit: the declared code's digits */
} srv_request;

/* Parse and check a body. Returns 0, or -1 with *err filled (and *req
 * empty). Free a parsed request with srv_request_free. */
int srv_request_parse(srv_endpoint ep, const char *body, size_t len, const srv_limits *lim,
                      srv_request *req, srv_error *err);
void srv_request_free(srv_request *req);
/* Checks shared with the query-string parameters of GET endpoints. */
int srv_lang_valid(const char *lang);

/* ---- models.c ---------------------------------------------------------- */

/* A loaded model with its pool of sessions. Requests hold a reference for
 * their whole run, so a reload never pulls a model from under them: the
 * old one is freed when its last request lets go. */
typedef struct srv_model {
    hsc_model *m;
    char fingerprint[16];
    char loaded_at[32];   /* UTC, ISO 8601 */
    atomic_uint refs;
    pthread_mutex_t mu;   /* guards the pool */
    hsc_session **pool;
    size_t n_pool, cap_pool;
    const hsc_config *cfg; /* sessions' runtime options (owned by the server) */
} srv_model;

/* Read path into memory and load it (so the served model never depends on
 * the file's later changes). why receives a message on failure. */
hsc_status srv_model_load(const char *path, const hsc_config *cfg, srv_model **out, char *why,
                          size_t why_size);
void srv_model_unref(srv_model *sm);
/* A session of this model for one request (from the pool, or new). */
hsc_status srv_model_session(srv_model *sm, hsc_session **out);
/* Give it back; drops its constraint first. */
void srv_model_session_put(srv_model *sm, hsc_session *s, int constrained);
/* Models alive (current plus those still finishing requests). */
unsigned srv_models_alive(void);

/* The model being served, swapped atomically by reloads. */
typedef struct srv_slot {
    pthread_mutex_t mu;
    srv_model *cur;
} srv_slot;

void srv_slot_init(srv_slot *slot, srv_model *first);
/* The current model, with a reference for the caller (srv_model_unref). */
srv_model *srv_slot_acquire(srv_slot *slot);
/* Serve next instead of the current model (takes the caller's reference). */
void srv_slot_replace(srv_slot *slot, srv_model *next);
void srv_slot_destroy(srv_slot *slot);

/* ---- render.c ---------------------------------------------------------- */

/* Adds to JSON objects and arrays, clearing *ok when anything fails (out of
 * memory), so a reply is complete or an error, never silently partial. */
void srv_put(json_t *obj, const char *key, json_t *value, int *ok);
void srv_push(json_t *arr, json_t *value, int *ok);
/* A JSON string of len bytes; invalid UTF-8 bytes become U+FFFD. */
json_t *srv_jstr(const char *s, size_t len);
/* A finite number, else null. */
json_t *srv_jnum(double v);

typedef struct srv_view {
    const hsc_model *m;
    const char *lang;
    uint32_t k;
    int national;
    uint32_t precedents;
} srv_view;

/* The CLI's jsonl line of a successful classify: text, decision, reason,
 * threshold, suggestions (with descriptions and national lines), chapters,
 * headings. NULL when out of memory. */
json_t *srv_json_classified(hsc_session *s, const srv_view *v, const char *text, size_t len);
/* The CLI's line for a text that failed: text, error, status (a number). */
json_t *srv_json_text_error(hsc_session *s, const char *text, size_t len, hsc_status st);
/* The CLI's explain line: decision and the words for and against each code. */
json_t *srv_json_explained(hsc_session *s, const srv_view *v, const char *text, size_t len);

/* A declared code checked by the library's audit rule (hsc_session_audit),
 * and its score at each level the model has within the code. */
#define SRV_AUDIT_MAX_LEVELS 5
typedef struct srv_audit {
    const char *declared;   /* digits */
    uint32_t verdict;       /* HSC_AUDIT_* */
    double probability;     /* at digits, the level the rule scored */
    uint32_t digits;
    double threshold;       /* the session's audit threshold */
    size_t n_levels;
    struct {
        uint32_t digits;
        double probability;
        uint64_t rank;      /* 0: not ranked */
    } levels[SRV_AUDIT_MAX_LEVELS];
} srv_audit;
/* The classify line of the description, with the audit's fields. */
json_t *srv_json_audited(hsc_session *s, const srv_view *v, const char *text, size_t len,
                         const srv_audit *a);
/* The CLI's lookup line for a parsed code; NULL with *found 0 when nothing
 * is known under it. depth: UINT32_MAX for all. */
json_t *srv_json_lookup(const hsc_model *m, const char *digits, size_t qlen, const char *lang,
                        int national, uint32_t depth, int *found);
/* What `hsclass info --format json` shows, without the file path. */
json_t *srv_json_model_info(const hsc_model *m);

/* ---- api.c ------------------------------------------------------------- */

typedef struct srv_reply {
    int http;
    char *body;              /* malloc'd */
    size_t len;
    const char *content_type;
    char model[16];          /* fingerprint of the model that answered, for the log */
    double lib_seconds;      /* time spent in library calls */
    double wait_seconds;     /* time queued before a worker took it */
    size_t n_texts;
} srv_reply;

/* {"error": message, "status": "HSC_E_..."}: the name of a library status,
 * or (named) of a condition of the service itself ("HSC_SERVE_BUSY"). */
void srv_reply_error(srv_reply *r, int http, hsc_status st, const char *message);
void srv_reply_error_named(srv_reply *r, int http, const char *status, const char *message);
void srv_reply_json(srv_reply *r, int http, json_t *obj);
void srv_api_post(srv_endpoint ep, const char *body, size_t len, const srv_limits *lim,
                  srv_slot *slot, srv_reply *r);
void srv_api_lookup(const char *code, const char *lang, const char *national, const char *depth,
                    srv_slot *slot, srv_reply *r);
void srv_api_model(srv_slot *slot, srv_reply *r);

/* ---- queue.c ----------------------------------------------------------- */

typedef void (*srv_job_fn)(void *job);

typedef struct srv_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void **items;
    size_t cap, head, n;
    int stop;
    pthread_t *threads;
    size_t n_threads;
    srv_job_fn run;
} srv_queue;

int srv_queue_start(srv_queue *q, size_t threads, size_t cap, srv_job_fn run);
/* 0 when queued, -1 when the queue is full. */
int srv_queue_push(srv_queue *q, void *job);
size_t srv_queue_depth(srv_queue *q);
/* Runs what is queued, then joins the workers. */
void srv_queue_stop(srv_queue *q);

/* ---- metrics.c --------------------------------------------------------- */

enum {
    SRV_ROUTE_PAGE, SRV_ROUTE_CLASSIFY, SRV_ROUTE_BATCH, SRV_ROUTE_EXPLAIN, SRV_ROUTE_AUDIT,
    SRV_ROUTE_LOOKUP, SRV_ROUTE_MODEL, SRV_ROUTE_HEALTHZ, SRV_ROUTE_METRICS, SRV_ROUTE_OTHER,
    SRV_N_ROUTES
};
extern const char *const srv_route_names[SRV_N_ROUTES];

void srv_metrics_request(int route, int http, double seconds, size_t n_texts);
void srv_metrics_reload(int ok);
/* Prometheus text format; malloc'd, NULL when out of memory. */
char *srv_metrics_render(const char *fingerprint, const char *hs_edition, size_t queue_depth,
                         unsigned in_flight, size_t *len);

/* ---- log.c ------------------------------------------------------------- */

/* One JSON line on stderr, written with a single write(2) so concurrent
 * lines never interleave. Takes obj's reference; adds "ts". */
void srv_log(json_t *obj);
/* {"event": event, "message": message} */
void srv_log_event(const char *event, const char *message);

/* ---- http.c ------------------------------------------------------------ */

typedef struct srv_http_options {
    const char *host;       /* numeric address; "" or NULL: every address */
    uint16_t port;          /* 0: any free port */
    unsigned threads;       /* workers */
    unsigned queue;         /* queued requests beyond the busy workers */
    unsigned timeout;       /* seconds a connection may be idle or slow */
    unsigned max_connections;
    srv_limits limits;
} srv_http_options;

typedef struct srv_http srv_http;

srv_http *srv_http_start(const srv_http_options *opt, srv_slot *slot, char *why,
                         size_t why_size);
uint16_t srv_http_port(const srv_http *h);
/* Stop accepting connections; answer what still comes on open ones with
 * "Connection: close". */
void srv_http_quiesce(srv_http *h);
/* Wait until no request is in flight, at most until the monotonic deadline.
 * Returns 0 when drained. */
int srv_http_drain(srv_http *h, double deadline);
void srv_http_stop(srv_http *h);
double srv_now(void); /* monotonic seconds */

/* ---- page.c (generated) ------------------------------------------------ */

extern const unsigned char srv_page_html[];
extern const size_t srv_page_html_len;
/* Content-Security-Policy allowing exactly the page's inline script and
 * style (by hash) and requests to its own origin. */
extern const char srv_page_csp[];

#endif /* HSCLASS_SERVE_H */

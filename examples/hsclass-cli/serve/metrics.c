/* metrics.c - request counters, response codes, a latency histogram and
 * reloads, rendered in the Prometheus text format. Lock-free atomics: the
 * counters are bumped once per request from the HTTP thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

const char *const srv_route_names[SRV_N_ROUTES] = {
    "page", "classify", "classify_batch", "explain", "audit", "lookup", "model", "healthz",
    "metrics", "other",
};

static const int codes[] = {200, 400, 404, 405, 413, 415, 429, 500, 503};
#define N_CODES (sizeof codes / sizeof codes[0])
/* Upper bounds in seconds; a last bucket takes the rest (+Inf). */
static const double bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};
#define N_BOUNDS (sizeof bounds / sizeof bounds[0])

static atomic_ullong requests[SRV_N_ROUTES];
static atomic_ullong responses[N_CODES + 1]; /* the last: any other code */
static atomic_ullong buckets[N_BOUNDS + 1];
static atomic_ullong micros_sum, texts, reloads_ok, reloads_failed;

void srv_metrics_request(int route, int http, double seconds, size_t n_texts)
{
    size_t c = 0, b = 0;
    while (c < N_CODES && codes[c] != http)
        c++;
    while (b < N_BOUNDS && seconds > bounds[b])
        b++;
    atomic_fetch_add(&requests[route], 1);
    atomic_fetch_add(&responses[c], 1);
    atomic_fetch_add(&buckets[b], 1);
    atomic_fetch_add(&micros_sum, (unsigned long long)(seconds * 1e6));
    atomic_fetch_add(&texts, n_texts);
}

void srv_metrics_reload(int ok)
{
    atomic_fetch_add(ok ? &reloads_ok : &reloads_failed, 1);
}

/* A label value: backslash, quote and newline escaped. */
static void label(FILE *f, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            fputc('\\', f);
        if (*v == '\n')
            fputs("\\n", f);
        else
            fputc(*v, f);
    }
}

char *srv_metrics_render(const char *fingerprint, const char *hs_edition, size_t queue_depth,
                         unsigned in_flight, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fputs("# HELP hsclass_requests_total Requests received, by endpoint.\n"
          "# TYPE hsclass_requests_total counter\n", f);
    for (int r = 0; r < SRV_N_ROUTES; r++)
        fprintf(f, "hsclass_requests_total{endpoint=\"%s\"} %llu\n", srv_route_names[r],
                atomic_load(&requests[r]));
    fputs("# HELP hsclass_responses_total Responses by HTTP status (errors: 400 and above).\n"
          "# TYPE hsclass_responses_total counter\n", f);
    for (size_t c = 0; c <= N_CODES; c++) {
        if (c < N_CODES)
            fprintf(f, "hsclass_responses_total{code=\"%d\"} %llu\n", codes[c],
                    atomic_load(&responses[c]));
        else
            fprintf(f, "hsclass_responses_total{code=\"other\"} %llu\n",
                    atomic_load(&responses[c]));
    }
    fputs("# HELP hsclass_request_duration_seconds From the request's headers to its response.\n"
          "# TYPE hsclass_request_duration_seconds histogram\n", f);
    unsigned long long cum = 0;
    for (size_t b = 0; b <= N_BOUNDS; b++) {
        cum += atomic_load(&buckets[b]);
        if (b < N_BOUNDS)
            fprintf(f, "hsclass_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds[b],
                    cum);
        else
            fprintf(f, "hsclass_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    }
    fprintf(f, "hsclass_request_duration_seconds_sum %.6f\n",
            (double)atomic_load(&micros_sum) * 1e-6);
    fprintf(f, "hsclass_request_duration_seconds_count %llu\n", cum);
    fprintf(f, "# HELP hsclass_texts_total Descriptions classified or explained.\n"
               "# TYPE hsclass_texts_total counter\nhsclass_texts_total %llu\n",
            atomic_load(&texts));
    fputs("# HELP hsclass_model_info The model being served (fingerprint: CRC32 of its file).\n"
          "# TYPE hsclass_model_info gauge\nhsclass_model_info{fingerprint=\"", f);
    label(f, fingerprint);
    fputs("\",hs_edition=\"", f);
    label(f, hs_edition);
    fputs("\"} 1\n", f);
    fprintf(f, "# HELP hsclass_model_reloads_total Reload attempts, by result.\n"
               "# TYPE hsclass_model_reloads_total counter\n"
               "hsclass_model_reloads_total{result=\"ok\"} %llu\n"
               "hsclass_model_reloads_total{result=\"failed\"} %llu\n",
            atomic_load(&reloads_ok), atomic_load(&reloads_failed));
    fprintf(f, "# HELP hsclass_models_loaded Models in memory: the served one and older ones "
               "still finishing requests.\n"
               "# TYPE hsclass_models_loaded gauge\nhsclass_models_loaded %u\n",
            srv_models_alive());
    fprintf(f, "# HELP hsclass_queue_depth Requests waiting for a worker.\n"
               "# TYPE hsclass_queue_depth gauge\nhsclass_queue_depth %zu\n", queue_depth);
    fprintf(f, "# HELP hsclass_requests_in_flight Requests received and not yet answered.\n"
               "# TYPE hsclass_requests_in_flight gauge\nhsclass_requests_in_flight %u\n",
            in_flight);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

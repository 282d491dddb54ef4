/* api.c - the endpoints: run a checked request on the current model and
 * produce the reply. No HTTP here (http.c), no field checks (request.c). */
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "serve.h"

/* Reals with 6 significant digits, as the CLI prints them. */
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(6))

void srv_reply_json(srv_reply *r, int http, json_t *obj)
{
    char *body = obj ? json_dumps(obj, DUMP_FLAGS) : NULL;
    json_decref(obj);
    if (!body) {
        /* Out of memory: a static reply that needs no allocation. */
        static const char oom[] = "{\"error\":\"out of memory\",\"status\":\"HSC_E_NOMEM\"}";
        r->http = 500;
        r->body = malloc(sizeof oom);
        r->len = r->body ? sizeof oom - 1 : 0;
        if (r->body)
            memcpy(r->body, oom, sizeof oom);
        r->content_type = "application/json";
        return;
    }
    r->http = http;
    r->body = body;
    r->len = strlen(body);
    r->content_type = "application/json";
}

void srv_reply_error_named(srv_reply *r, int http, const char *status, const char *message)
{
    json_t *o = json_object();
    int ok = 1;
    srv_put(o, "error", srv_jstr(message, strlen(message)), &ok);
    srv_put(o, "status", json_string(status), &ok);
    srv_reply_json(r, http, ok ? o : (json_decref(o), NULL));
}

void srv_reply_error(srv_reply *r, int http, hsc_status st, const char *message)
{
    char name[64];
    srv_reply_error_named(r, http, cli_status_name(st, name, sizeof name), message);
}

/* A library failure on a single text: the client's fault for text statuses
 * (too long, tokenizer limit), ours otherwise. */
static void text_failure(srv_reply *r, hsc_session *s, hsc_status st)
{
    char msg[300];
    const char *detail = hsc_session_last_error_detail(s);
    snprintf(msg, sizeof msg, "%s%s%s%s", hsc_status_string(st), *detail ? " (" : "", detail,
             *detail ? ")" : "");
    srv_reply_error(r, st >= 20 && st < 40 ? 400 : 500, st, msg);
}

static hsc_status classify(hsc_session *s, const srv_request *req, size_t i, uint32_t k,
                           srv_reply *r)
{
    double t0 = srv_now();
    hsc_status st = hsc_session_classify(s, req->texts[i], req->lens[i], k);
    r->lib_seconds += srv_now() - t0;
    return st;
}

/* The library's audit rule on the declared code, and the code's score at
 * each level the model has within it (2, 4, 6... digits). */
static hsc_status audit(hsc_session *s, const srv_request *req, srv_audit *a, srv_reply *r)
{
    static const uint32_t levels[SRV_AUDIT_MAX_LEVELS] = {2, 4, 6, 8, 10};
    size_t len = strlen(req->declared);
    double t0 = srv_now();
    memset(a, 0, sizeof *a);
    a->declared = req->declared;
    hsc_status st = hsc_session_audit(s, req->declared, len, &a->verdict, &a->probability,
                                      &a->digits);
    if (st == HSC_OK)
        st = hsc_session_audit_threshold(s, &a->threshold);
    for (size_t i = 0; st == HSC_OK && i < SRV_AUDIT_MAX_LEVELS && levels[i] <= len; i++) {
        size_t n;
        if (hsc_session_result_count(s, levels[i], &n) != HSC_OK)
            continue; /* a level this model has not */
        a->levels[a->n_levels].digits = levels[i];
        st = hsc_session_code_score(s, req->declared, len, levels[i],
                                    &a->levels[a->n_levels].probability,
                                    &a->levels[a->n_levels].rank);
        a->n_levels++;
    }
    r->lib_seconds += srv_now() - t0;
    return st;
}

static json_t *batch(hsc_session *s, const srv_request *req, const srv_view *v, srv_reply *r)
{
    json_t *results = json_array();
    int ok = results != NULL;
    for (size_t i = 0; ok && i < req->n_texts; i++) {
        hsc_status st = classify(s, req, i, req->k, r);
        srv_push(results,
                 st == HSC_OK ? srv_json_classified(s, v, req->texts[i], req->lens[i])
                              : srv_json_text_error(s, req->texts[i], req->lens[i], st),
                 &ok);
    }
    if (!ok) {
        json_decref(results);
        return NULL;
    }
    json_t *o = json_object();
    srv_put(o, "results", results, &ok);
    return ok ? o : (json_decref(o), NULL);
}

static void run(srv_endpoint ep, const srv_request *req, srv_model *sm, hsc_session *s,
                srv_reply *r)
{
    srv_view v = {sm->m, req->lang, req->k, req->national, req->precedents};
    json_t *o = NULL;
    if (ep == SRV_EP_BATCH) {
        o = batch(s, req, &v, r);
    } else {
        hsc_status st = classify(s, req, 0, req->k, r);
        srv_audit a;
        if (st == HSC_OK && ep == SRV_EP_AUDIT)
            st = audit(s, req, &a, r);
        if (st == HSC_E_BAD_CODE) {
            srv_reply_error(r, 400, st, "code is shorter than the model's first level");
            return;
        }
        if (st != HSC_OK) {
            text_failure(r, s, st);
            return;
        }
        if (ep == SRV_EP_AUDIT)
            o = srv_json_audited(s, &v, req->texts[0], req->lens[0], &a);
        else
            o = (ep == SRV_EP_EXPLAIN ? srv_json_explained : srv_json_classified)(
                s, &v, req->texts[0], req->lens[0]);
    }
    int ok = o != NULL;
    /* Which model answered: reloads change it between two requests. */
    if (ok)
        srv_put(o, "model", json_string(sm->fingerprint), &ok);
    srv_reply_json(r, 200, ok ? o : (json_decref(o), NULL));
}

void srv_api_post(srv_endpoint ep, const char *body, size_t len, const srv_limits *lim,
                  srv_slot *slot, srv_reply *r)
{
    srv_request req;
    srv_error err;
    if (srv_request_parse(ep, body, len, lim, &req, &err) != 0) {
        srv_reply_error(r, err.http, err.status, err.message);
        return;
    }
    r->n_texts = req.n_texts;
    srv_model *sm = srv_slot_acquire(slot);
    memcpy(r->model, sm->fingerprint, sizeof r->model);
    hsc_session *s = NULL;
    hsc_status st = srv_model_session(sm, &s);
    if (st == HSC_OK && req.only)
        st = hsc_session_set_constraint(s, req.only, req.only_len);
    if (st == HSC_OK)
        run(ep, &req, sm, s, r);
    else if (st == HSC_E_BAD_CODE)
        srv_reply_error(r, 400, st, "only must be codes of 2 to 12 digits separated by commas");
    else
        srv_reply_error(r, 500, st, hsc_status_string(st));
    if (s)
        srv_model_session_put(sm, s, req.only != NULL);
    srv_model_unref(sm);
    srv_request_free(&req);
}

/* "1"/"true" or "0"/"false"; absent is def. -1 for anything else. */
static int flag(const char *v, int def)
{
    if (!v)
        return def;
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
        return 1;
    if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
        return 0;
    return -1;
}

void srv_api_lookup(const char *code, const char *lang, const char *national, const char *depth,
                    srv_slot *slot, srv_reply *r)
{
    char digits[HSC_CODE_MAX_DIGITS + 1];
    size_t qlen = 0;
    uint32_t d = UINT32_MAX;
    int natl = flag(national, 0);
    if (hsc_code_parse(code, strlen(code), digits, sizeof digits, &qlen) != HSC_OK || qlen < 2) {
        srv_reply_error(r, 400, HSC_E_BAD_CODE, "not a code: 2 to 12 digits, '.' and spaces");
        return;
    }
    if (lang && !srv_lang_valid(lang)) {
        srv_reply_error(r, 400, HSC_E_BAD_LANGUAGE, "lang must be 2 to 8 lowercase letters");
        return;
    }
    if (natl < 0 || (depth && !cli_parse_u32(depth, &d))) {
        srv_reply_error(r, 400, HSC_E_INVALID_ARG,
                        "national must be true or false, depth a number of digits");
        return;
    }
    srv_model *sm = srv_slot_acquire(slot);
    memcpy(r->model, sm->fingerprint, sizeof r->model);
    int found = 0, ok = 1;
    json_t *o = srv_json_lookup(sm->m, digits, qlen, lang, natl, d, &found);
    if (o) {
        srv_put(o, "model", json_string(sm->fingerprint), &ok);
        srv_reply_json(r, 200, ok ? o : (json_decref(o), NULL));
    } else if (!found) {
        srv_reply_error(r, 404, HSC_E_NO_RESULT, "not in the model's nomenclature");
    } else {
        srv_reply_error(r, 500, HSC_E_NOMEM, "out of memory");
    }
    srv_model_unref(sm);
}

void srv_api_model(srv_slot *slot, srv_reply *r)
{
    srv_model *sm = srv_slot_acquire(slot);
    memcpy(r->model, sm->fingerprint, sizeof r->model);
    json_t *o = srv_json_model_info(sm->m);
    int ok = o != NULL;
    if (ok)
        srv_put(o, "loaded_at", json_string(sm->loaded_at), &ok);
    srv_reply_json(r, 200, ok ? o : (json_decref(o), NULL));
    srv_model_unref(sm);
}

/* request.c - a JSON request body -> srv_request. Every check a client can
 * fail is here, before any model work, so a refused request costs nothing
 * and gets a 400 naming the field. This is the fuzz target's entry point
 * (tests/fuzz/fuzz_serve_request.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

static int fail(srv_error *err, int http, hsc_status st, const char *fmt, ...)
{
    va_list ap;
    err->http = http;
    err->status = st;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

int srv_lang_valid(const char *lang)
{
    size_t n = strlen(lang);
    if (n < 2 || n > 8)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lang[i] < 'a' || lang[i] > 'z')
            return 0;
    return 1;
}

/* Each comma- or semicolon-separated prefix must be a 2-12 digit code, by
 * the library's own code parser, so a bad constraint is a 400 here rather
 * than a failure on a worker. */
static int only_valid(const char *s, size_t len)
{
    size_t start = 0;
    int any = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ',' && s[i] != ';')
            continue;
        char digits[HSC_CODE_MAX_DIGITS + 1];
        size_t n = 0;
        if (hsc_code_parse(s + start, i - start, digits, sizeof digits, &n) != HSC_OK)
            return 0;
        if (n == 1)
            return 0;
        any |= n >= 2;
        start = i + 1;
    }
    return any;
}

/* The JSON parser's verdict as a status: bad UTF-8 has its own. */
static int json_fail(srv_error *err, const json_error_t *je)
{
    switch (json_error_code(je)) {
    case json_error_invalid_utf8:
        return fail(err, 400, HSC_E_BAD_UTF8, "body is not valid UTF-8 (byte %d)", je->position);
    case json_error_out_of_memory:
        return fail(err, 500, HSC_E_NOMEM, "out of memory");
    default:
        return fail(err, 400, HSC_E_INVALID_ARG, "bad JSON at byte %d: %s", je->position,
                    je->text);
    }
}

static int get_text(json_t *v, const char *what, const srv_limits *lim, const char **s,
                    size_t *len, srv_error *err)
{
    if (!json_is_string(v))
        return fail(err, 400, HSC_E_INVALID_ARG, "%s must be a string", what);
    *s = json_string_value(v);
    *len = json_string_length(v);
    if (*len > lim->max_text)
        return fail(err, 400, HSC_E_TEXT_TOO_LONG, "%s has %zu bytes, more than the %zu allowed",
                    what, *len, lim->max_text);
    return 0;
}

/* Fields every endpoint takes besides the text(s). */
static int get_option(const char *key, json_t *v, const srv_limits *lim, srv_request *req,
                      srv_error *err)
{
    if (strcmp(key, "k") == 0) {
        json_int_t k = json_is_integer(v) ? json_integer_value(v) : 0;
        if (!json_is_integer(v) || k < 1 || (uint64_t)k > lim->max_k)
            return fail(err, 400, HSC_E_INVALID_ARG, "k must be an integer from 1 to %u",
                        (unsigned)lim->max_k);
        req->k = (uint32_t)k;
    } else if (strcmp(key, "only") == 0) {
        if (!json_is_string(v) || !only_valid(json_string_value(v), json_string_length(v)))
            return fail(err, 400, HSC_E_BAD_CODE,
                        "only must be codes of 2 to 12 digits separated by commas");
        req->only = json_string_value(v);
        req->only_len = json_string_length(v);
    } else if (strcmp(key, "lang") == 0) {
        if (!json_is_string(v) || !srv_lang_valid(json_string_value(v)))
            return fail(err, 400, HSC_E_BAD_LANGUAGE, "lang must be 2 to 8 lowercase letters");
        req->lang = json_string_value(v);
    } else if (strcmp(key, "national") == 0) {
        if (!json_is_boolean(v))
            return fail(err, 400, HSC_E_INVALID_ARG, "national must be true or false");
        req->national = json_is_true(v);
    } else if (strcmp(key, "precedents") == 0) {
        json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
        if (n < 0 || n > 64)
            return fail(err, 400, HSC_E_INVALID_ARG, "precedents must be an integer from 0 to 64");
        req->precedents = (uint32_t)n;
    } else {
        return fail(err, 400, HSC_E_INVALID_ARG, "unknown field '%.60s'", key);
    }
    return 0;
}

/* audit: the declared code, read by the library's code parser (dots and
 * spaces allowed, 2 to 12 digits). A string only: a JSON number would have
 * lost the leading zero of chapters 01-09. */
static int get_code(json_t *v, srv_request *req, srv_error *err)
{
    size_t n = 0;
    if (!json_is_string(v) ||
        hsc_code_parse(json_string_value(v), json_string_length(v), req->declared,
                       sizeof req->declared, &n) != HSC_OK ||
        n < 2)
        return fail(err, 400, HSC_E_BAD_CODE,
                    "code must be a string of 2 to 12 digits ('.' and spaces allowed)");
    return 0;
}

static int get_texts(json_t *arr, const srv_limits *lim, srv_request *req, srv_error *err)
{
    if (!json_is_array(arr))
        return fail(err, 400, HSC_E_INVALID_ARG, "texts must be an array of strings");
    size_t n = json_array_size(arr);
    if (n == 0 || n > lim->max_batch)
        return fail(err, 400, HSC_E_INVALID_ARG, "texts must have 1 to %u strings",
                    (unsigned)lim->max_batch);
    req->texts = calloc(n, sizeof *req->texts);
    req->lens = calloc(n, sizeof *req->lens);
    if (!req->texts || !req->lens)
        return fail(err, 500, HSC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char what[32];
        snprintf(what, sizeof what, "texts[%zu]", i);
        if (get_text(json_array_get(arr, i), what, lim, &req->texts[i], &req->lens[i], err))
            return -1;
    }
    req->n_texts = n;
    return 0;
}

int srv_request_parse(srv_endpoint ep, const char *body, size_t len, const srv_limits *lim,
                      srv_request *req, srv_error *err)
{
    memset(req, 0, sizeof *req);
    req->k = ep == SRV_EP_EXPLAIN ? 3 : 5;
    req->precedents = ep == SRV_EP_EXPLAIN ? 5 : 0;   /* the CLI's defaults */
    if (len > lim->max_body)
        return fail(err, 413, HSC_E_TEXT_TOO_LONG, "body exceeds %zu bytes", lim->max_body);
    json_error_t je;
    /* Duplicate keys are refused: which one wins would be a guess. NUL
     * characters are refused (no JSON_ALLOW_NUL): C strings end there. */
    req->root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!req->root)
        return json_fail(err, &je);
    int rc = -1;
    const char *text_key = ep == SRV_EP_BATCH ? "texts" : "text";
    if (!json_is_object(req->root)) {
        fail(err, 400, HSC_E_INVALID_ARG, "body must be a JSON object");
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(req->root, key, v) {
        if (strcmp(key, text_key) == 0)
            continue;
        if (ep == SRV_EP_AUDIT && strcmp(key, "code") == 0) {
            if (get_code(v, req, err))
                goto done;
            continue;
        }
        /* A constraint would change the declared code's probability. */
        if (ep == SRV_EP_AUDIT && strcmp(key, "only") == 0) {
            fail(err, 400, HSC_E_INVALID_ARG, "only does not apply to an audit");
            goto done;
        }
        if (get_option(key, v, lim, req, err))
            goto done;
    }
    if (ep == SRV_EP_AUDIT && !req->declared[0]) {
        fail(err, 400, HSC_E_INVALID_ARG, "missing field 'code'");
        goto done;
    }
    v = json_object_get(req->root, text_key);
    if (!v) {
        fail(err, 400, HSC_E_INVALID_ARG, "missing field '%s'", text_key);
        goto done;
    }
    if (ep == SRV_EP_BATCH) {
        if (get_texts(v, lim, req, err))
            goto done;
    } else {
        req->texts = calloc(1, sizeof *req->texts);
        req->lens = calloc(1, sizeof *req->lens);
        if (!req->texts || !req->lens) {
            fail(err, 500, HSC_E_NOMEM, "out of memory");
            goto done;
        }
        if (get_text(v, "text", lim, &req->texts[0], &req->lens[0], err))
            goto done;
        req->n_texts = 1;
    }
    rc = 0;
done:
    if (rc)
        srv_request_free(req);
    return rc;
}

void srv_request_free(srv_request *req)
{
    json_decref(req->root);
    free(req->texts);
    free(req->lens);
    memset(req, 0, sizeof *req);
}

/* render.c - library results -> JSON objects, with the same fields as the
 * CLI's jsonl lines (classify, explain, lookup, info), so a client can move
 * between `hsclass classify --format jsonl` and the service unchanged. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "serve.h"

void srv_put(json_t *obj, const char *key, json_t *value, int *ok)
{
    if (!value || json_object_set_new(obj, key, value) != 0)
        *ok = 0;
}

void srv_push(json_t *arr, json_t *value, int *ok)
{
    if (!value || json_array_append_new(arr, value) != 0)
        *ok = 0;
}

json_t *srv_jstr(const char *s, size_t len)
{
    json_t *j = json_stringn(s, len);
    if (j)
        return j;
    /* Not UTF-8 (a percent-decoded URL in the log, say): repair it. */
    char *fixed = malloc(len * 3 + 1);
    if (!fixed)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = cli_utf8_seq((const unsigned char *)s + i, len - i);
        if (n == 0 || (n == 1 && s[i] == '\0')) {
            memcpy(fixed + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(fixed + o, s + i, n);
            o += n;
            i += n;
        }
    }
    j = json_stringn(fixed, o);
    free(fixed);
    return j;
}

json_t *srv_jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Strings of the model (codes, descriptions, metadata) and our own names:
 * the model loader has already checked that they are UTF-8, and checking
 * each again was a good part of the time spent rendering a reply. */
static json_t *cstr(const char *s)
{
    return json_stringn_nocheck(s, strlen(s));
}

/* National lines of every scheme under a code of 6 or more digits. */
static json_t *national_lines(const hsc_model *m, const char *code, int *ok)
{
    json_t *arr = json_array();
    size_t n_schemes = 0, len = strlen(code);
    if (!arr || len < 6) {
        if (!arr)
            *ok = 0;
        return arr;
    }
    hsc_model_national_scheme_count(m, &n_schemes);
    for (size_t k = 0; k < n_schemes; k++) {
        const char *scheme, *line, *desc;
        size_t first, count;
        if (hsc_model_national_scheme(m, k, &scheme, NULL) != HSC_OK ||
            hsc_model_national_find(m, k, code, len, &first, &count) != HSC_OK)
            continue;
        for (size_t i = first; i < first + count; i++) {
            if (hsc_model_national_line(m, k, i, &line, &desc) != HSC_OK)
                continue;
            json_t *o = json_object();
            srv_put(o, "scheme", cstr(scheme), ok);
            srv_put(o, "code", cstr(line), ok);
            srv_put(o, "description", cstr(desc), ok);
            srv_push(arr, o, ok);
        }
    }
    return arr;
}

static json_t *level(hsc_session *s, const srv_view *v, uint32_t digits, int with_national,
                     int *ok)
{
    json_t *arr = json_array();
    size_t n = 0;
    if (!arr) {
        *ok = 0;
        return NULL;
    }
    if (hsc_session_result_count(s, digits, &n) != HSC_OK)
        return arr;
    for (size_t i = 0; i < n && i < v->k; i++) {
        const char *code;
        double p;
        if (hsc_session_result(s, digits, i, &code, &p) != HSC_OK)
            continue;
        json_t *o = json_object();
        srv_put(o, "code", cstr(code), ok);
        srv_put(o, "score", srv_jnum(p), ok);
        const char *desc = cli_describe(v->m, code, v->lang);
        if (desc)
            srv_put(o, "description", cstr(desc), ok);
        if (with_national)
            srv_put(o, "national", national_lines(v->m, code, ok), ok);
        srv_push(arr, o, ok);
    }
    return arr;
}

/* The nearest training rows, as the CLI's jsonl lists them. */
static json_t *precedents(hsc_session *s, uint32_t max, int *ok)
{
    json_t *arr = json_array();
    size_t n = 0;
    if (!arr) {
        *ok = 0;
        return NULL;
    }
    hsc_session_precedent_count(s, &n);
    for (size_t i = 0; i < n && i < max; i++) {
        const char *code, *text, *source;
        double sim;
        if (hsc_session_precedent(s, i, &code, &sim, &text, &source) != HSC_OK)
            continue;
        json_t *o = json_object();
        srv_put(o, "code", cstr(code), ok);
        srv_put(o, "similarity", srv_jnum(sim), ok);
        srv_put(o, "source", cstr(source), ok);
        if (text != NULL)
            srv_put(o, "text", cstr(text), ok);
        srv_push(arr, o, ok);
    }
    return arr;
}

/* text, decision, reason, threshold: the head of classify and explain. */
static json_t *head(hsc_session *s, const char *text, size_t len, int *ok)
{
    uint32_t d = 0, r = 0;
    double thr = 0;
    hsc_session_decision(s, &d, &r);
    hsc_session_accept_threshold(s, &thr);
    json_t *o = json_object();
    if (!o) {
        *ok = 0;
        return NULL;
    }
    srv_put(o, "text", srv_jstr(text, len), ok);
    srv_put(o, "decision", cstr(cli_decision_name(d)), ok);
    srv_put(o, "reason", cstr(cli_reason_name(r)), ok);
    srv_put(o, "threshold", srv_jnum(thr), ok);
    return o;
}

static json_t *finish(json_t *o, int ok)
{
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The declared code, the audit rule's verdict and the code's score at each
 * level (rank null: the model has no such code, or the text got no
 * suggestion). */
static void audit_fields(json_t *o, const srv_view *v, const srv_audit *a, int *ok)
{
    srv_put(o, "declared", cstr(a->declared), ok);
    const char *desc = cli_describe(v->m, a->declared, v->lang);
    if (desc)
        srv_put(o, "declared_description", cstr(desc), ok);
    srv_put(o, "verdict", cstr(cli_verdict_name(a->verdict)), ok);
    srv_put(o, "probability", srv_jnum(a->probability), ok);
    srv_put(o, "digits", json_integer(a->digits), ok);
    srv_put(o, "audit_threshold", srv_jnum(a->threshold), ok);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < a->n_levels; i++) {
        json_t *l = json_object();
        srv_put(l, "digits", json_integer(a->levels[i].digits), ok);
        srv_put(l, "probability", srv_jnum(a->levels[i].probability), ok);
        srv_put(l, "rank", a->levels[i].rank ? json_integer((json_int_t)a->levels[i].rank)
                                               : json_null(), ok);
        srv_push(arr, l, ok);
    }
    srv_put(o, "levels", arr, ok);
}

static json_t *classified(hsc_session *s, const srv_view *v, const char *text, size_t len,
                          const srv_audit *a)
{
    int ok = 1;
    json_t *o = head(s, text, len, &ok);
    if (!o)
        return NULL;
    if (a)
        audit_fields(o, v, a, &ok);
    srv_put(o, "suggestions", level(s, v, 0, v->national, &ok), &ok);
    srv_put(o, "chapters", level(s, v, 2, 0, &ok), &ok);
    srv_put(o, "headings", level(s, v, 4, 0, &ok), &ok);
    if (v->precedents > 0)
        srv_put(o, "precedents", precedents(s, v->precedents, &ok), &ok);
    return finish(o, ok);
}

json_t *srv_json_classified(hsc_session *s, const srv_view *v, const char *text, size_t len)
{
    return classified(s, v, text, len, NULL);
}

json_t *srv_json_audited(hsc_session *s, const srv_view *v, const char *text, size_t len,
                         const srv_audit *a)
{
    return classified(s, v, text, len, a);
}

json_t *srv_json_text_error(hsc_session *s, const char *text, size_t len, hsc_status st)
{
    int ok = 1;
    const char *msg = hsc_status_string(st);
    const char *detail = s ? hsc_session_last_error_detail(s) : "";
    json_t *o = json_object();
    if (!o)
        return NULL;
    srv_put(o, "text", srv_jstr(text, len), &ok);
    if (detail && *detail)
        srv_put(o, "error", json_sprintf("%s (%s)", msg, detail), &ok);
    else
        srv_put(o, "error", cstr(msg), &ok);
    srv_put(o, "status", json_integer(st), &ok);
    return finish(o, ok);
}

/* Every explained word of the current explanation, by decreasing weight. */
static json_t *words(hsc_session *s, const char *text, int *ok)
{
    size_t n = 0;
    json_t *arr = json_array();
    if (!arr) {
        *ok = 0;
        return NULL;
    }
    hsc_session_explain_count(s, &n);
    for (size_t i = 0; i < n; i++) {
        size_t tok = 0, start = 0, len = 0;
        double weight = 0;
        if (hsc_session_explain_item(s, i, &tok, &weight) != HSC_OK ||
            hsc_session_token_span(s, tok, &start, &len) != HSC_OK)
            continue;
        json_t *o = json_object();
        srv_put(o, "word", srv_jstr(text + start, len), ok);
        srv_put(o, "start", json_integer((json_int_t)start), ok);
        srv_put(o, "end", json_integer((json_int_t)(start + len)), ok);
        srv_put(o, "weight", srv_jnum(weight), ok);
        srv_push(arr, o, ok);
    }
    return arr;
}

json_t *srv_json_explained(hsc_session *s, const srv_view *v, const char *text, size_t len)
{
    int ok = 1;
    json_t *o = head(s, text, len, &ok), *arr = json_array();
    size_t n = 0;
    if (!o || !arr) {
        json_decref(o);
        json_decref(arr);
        return NULL;
    }
    hsc_session_result_count(s, 0, &n);
    for (size_t i = 0; i < n && i < v->k; i++) {
        const char *code;
        double p, total = 0;
        if (hsc_session_result(s, 0, i, &code, &p) != HSC_OK ||
            hsc_session_explain(s, 0, i) != HSC_OK)
            continue;
        hsc_session_explain_total(s, &total);
        json_t *e = json_object();
        srv_put(e, "code", cstr(code), &ok);
        srv_put(e, "score", srv_jnum(p), &ok);
        const char *desc = cli_describe(v->m, code, v->lang);
        if (desc)
            srv_put(e, "description", cstr(desc), &ok);
        srv_put(e, "explained", srv_jnum(total), &ok);
        srv_put(e, "words", words(s, text, &ok), &ok);
        srv_push(arr, e, &ok);
    }
    srv_put(o, "suggestions", arr, &ok);
    srv_put(o, "precedents", precedents(s, v->precedents, &ok), &ok);   /* as the CLI's explain */
    return finish(o, ok);
}

json_t *srv_json_lookup(const hsc_model *m, const char *digits, size_t qlen, const char *lang,
                        int national, uint32_t depth, int *found)
{
    int ok = 1;
    size_t first = 0, count = 0;
    json_t *o = json_object(), *entries = json_array();
    *found = 0;
    if (!o || !entries) {
        json_decref(o);
        json_decref(entries);
        return NULL;
    }
    srv_put(o, "query", srv_jstr(digits, qlen), &ok);
    hsc_model_nomenclature_find(m, digits, qlen, &first, &count);
    int with_natl = national || qlen >= 6;
    for (size_t i = first; i < first + count; i++) {
        const char *code, *desc;
        if (hsc_model_nomenclature_entry(m, i, lang, &code, &desc) != HSC_OK)
            continue;
        size_t len = strlen(code);
        if (depth != UINT32_MAX && len > qlen + depth)
            continue;
        if (!desc[0] && !(desc = cli_describe(m, code, NULL)))
            desc = "";
        json_t *e = json_object();
        srv_put(e, "code", cstr(code), &ok);
        srv_put(e, "description", cstr(desc), &ok);
        srv_put(e, "suggested", json_boolean(cli_model_covers(m, code)), &ok);
        if (with_natl && len >= 6)
            srv_put(e, "national", national_lines(m, code, &ok), &ok);
        srv_push(entries, e, &ok);
        *found = 1;
    }
    srv_put(o, "entries", entries, &ok);
    /* A code below the descriptions (a national line, or a subheading the
     * descriptions lack): its national lines alone, as the CLI does. */
    if (!*found) {
        json_t *natl = national_lines(m, digits, &ok);
        *found = json_array_size(natl) > 0;
        srv_put(o, "national", natl, &ok);
    }
    if (!*found || !ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *srv_json_model_info(const hsc_model *m)
{
    int ok = 1;
    json_t *o = json_object(), *natl = json_array(), *meta = json_object(), *nom = json_object();
    if (!o || !natl || !meta || !nom) {
        json_decref(o);
        json_decref(natl);
        json_decref(meta);
        json_decref(nom);
        return NULL;
    }
    for (size_t i = 0; i < cli_info_key_count(); i++) {
        int32_t key;
        const char *name = cli_info_key(i, &key), *v = NULL;
        hsc_model_info_str(m, key, &v);
        srv_put(o, name, v ? cstr(v) : json_null(), &ok);
    }
    size_t n = 0, schemes = 0;
    double thr = 0;
    const char *langs = "";
    hsc_model_label_count(m, &n);
    srv_put(o, "label_count", json_integer((json_int_t)n), &ok);
    hsc_model_accept_threshold(m, &thr);
    srv_put(o, "accept_threshold", srv_jnum(thr), &ok);
    hsc_model_nomenclature_count(m, &n);
    hsc_model_nomenclature_languages(m, &langs);
    srv_put(nom, "codes", json_integer((json_int_t)n), &ok);
    srv_put(nom, "languages", cstr(langs), &ok);
    srv_put(o, "nomenclature", nom, &ok);
    hsc_model_national_scheme_count(m, &schemes);
    for (size_t k = 0; k < schemes; k++) {
        const char *name, *lang;
        size_t count;
        if (!cli_national_scheme(m, k, &name, &lang, &count))
            continue;
        json_t *s = json_object();
        srv_put(s, "scheme", cstr(name), &ok);
        srv_put(s, "language", cstr(lang), &ok);
        srv_put(s, "lines", json_integer((json_int_t)count), &ok);
        srv_push(natl, s, &ok);
    }
    srv_put(o, "national", natl, &ok);
    hsc_model_meta_count(m, &n);
    for (size_t i = 0; i < n; i++) {
        const char *k = NULL, *v = NULL;
        if (hsc_model_meta_get(m, i, &k, &v) == HSC_OK && k)
            srv_put(meta, k, v ? cstr(v) : json_null(), &ok);
    }
    srv_put(o, "meta", meta, &ok);
    return finish(o, ok);
}

/* fuzz_serve_request.c - `hsclass serve`'s request parsing: a JSON body ->
 * srv_request (examples/hsclass-cli/serve/request.c), the only code that
 * reads what a client sends.
 *
 *   byte 0  bits 0-1 endpoint (classify, batch, explain, audit),
 *           bit 2 small limits (body 512, text 64, batch 4, k 10)
 *   rest    the body
 *
 * Invariants: a parsed request has 1 text (batch: 1 to max_batch), each
 * valid UTF-8 without NUL and within max_text, k within 1..max_k, a valid
 * lang and a constraint with digits (none for an audit, whose declared code
 * has 2 to 12 digits); a refusal is 400 (413 for the body
 * size) with a library status named HSC_E_* and a message that serializes
 * as JSON; parsing the same body twice gives the same answer. */
#include <string.h>

#include "serve.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void check_request(srv_endpoint ep, const srv_limits *lim, const srv_request *r)
{
    FUZZ_CHECK(json_is_object(r->root));
    FUZZ_CHECK(r->n_texts >= 1 && r->n_texts <= (ep == SRV_EP_BATCH ? lim->max_batch : 1));
    for (size_t i = 0; i < r->n_texts; i++) {
        FUZZ_CHECK(r->lens[i] <= lim->max_text);
        FUZZ_CHECK(fuzz_utf8_valid((const uint8_t *)r->texts[i], r->lens[i]));
        FUZZ_CHECK(memchr(r->texts[i], '\0', r->lens[i]) == NULL);
    }
    FUZZ_CHECK(r->k >= 1 && r->k <= lim->max_k);
    FUZZ_CHECK(!r->lang || srv_lang_valid(r->lang));
    FUZZ_CHECK(!r->only || strcspn(r->only, "0123456789") < r->only_len);
    size_t declared = strlen(r->declared);
    FUZZ_CHECK(ep == SRV_EP_AUDIT ? declared >= 2 && !r->only : declared == 0);
    FUZZ_CHECK(strspn(r->declared, "0123456789") == declared);
}

static void check_error(const srv_error *e)
{
    FUZZ_CHECK(e->http == 400 || e->http == 413 || (e->http == 500 && e->status == HSC_E_NOMEM));
    FUZZ_CHECK(strncmp(hsc_status_string(e->status), "HSC_E_", 6) == 0);
    FUZZ_CHECK(e->message[0] != '\0');
    json_t *m = srv_jstr(e->message, strlen(e->message));
    FUZZ_CHECK(m != NULL);
    json_decref(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const srv_endpoint eps[] = {SRV_EP_CLASSIFY, SRV_EP_BATCH, SRV_EP_EXPLAIN,
                                       SRV_EP_AUDIT};
    srv_endpoint ep = eps[data[0] & 3];
    srv_limits lim = (data[0] & 4) ? (srv_limits){512, 64, 4, 10}
                                   : (srv_limits){1u << 20, 16384, 256, 50};
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    srv_request a, b;
    srv_error ea, eb;
    int ra = srv_request_parse(ep, body, len, &lim, &a, &ea);
    int rb = srv_request_parse(ep, body, len, &lim, &b, &eb);
    FUZZ_CHECK(ra == rb);
    if (ra == 0) {
        check_request(ep, &lim, &a);
        FUZZ_CHECK(a.n_texts == b.n_texts && a.k == b.k && a.national == b.national);
        for (size_t i = 0; i < a.n_texts; i++)
            FUZZ_CHECK(a.lens[i] == b.lens[i] && memcmp(a.texts[i], b.texts[i], a.lens[i]) == 0);
        srv_request_free(&a);
        srv_request_free(&b);
    } else {
        check_error(&ea);
        FUZZ_CHECK(a.root == NULL && a.texts == NULL);
        FUZZ_CHECK(ea.http == eb.http && ea.status == eb.status &&
                   strcmp(ea.message, eb.message) == 0);
    }
    return 0;
}

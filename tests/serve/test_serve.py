"""`hsclass serve` against a real server on a loopback port: every endpoint
(same fields as the CLI's jsonl), every error path, hostile bodies, limits,
concurrency, overload, reload (SIGHUP, file change, bad file, under load),
SIGTERM during a batch, the access log and timeouts."""
import json
import os
import random
import re
import shutil
import signal
import socket
import threading
import time

import pytest

from conftest import SCALE, Server, cli, fingerprint

FR = "viande bovine desossee congelee"
TEXTS = ["FROZEN BONELESS BEEF CUTS 20KG CTNS", FR, "men's cotton t-shirts, knitted",
         "chaussures de sport en cuir", "broken rice 25kg bags", ""]


def cli_lines(*args, texts):
    p = cli(*args, *texts)
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


def without_model(obj):
    obj = dict(obj)
    assert re.fullmatch(r"[0-9a-f]{8}", obj.pop("model"))
    return obj


# ---- refusing to start --------------------------------------------------------

def test_refuses_missing_or_corrupt_model(tmp_path):
    p = cli("serve", "-m", tmp_path / "none.hscm", "--listen", "127.0.0.1:0")
    assert p.returncode == 3 and b"cannot read model" in p.stderr
    bad = tmp_path / "bad.hscm"
    bad.write_bytes(b"\x89HSCM\r\n\x1a" + b"\0" * 100)
    p = cli("serve", "-m", bad, "--listen", "127.0.0.1:0")
    assert p.returncode == 3 and b"cannot load model" in p.stderr and b"HSC_E_MODEL" in p.stderr


@pytest.mark.parametrize("args", [["--listen", "localhost"], ["--listen", "1.2.3.4:99999"],
                                  ["--threads", "0"], ["--max-k", "x"], ["--nope"], ["extra"],
                                  ["--threshold", "2"], ["--audit-threshold", "-0.1"]])
def test_usage_errors(models, args):
    p = cli("serve", "-m", models[0], *args)
    assert p.returncode == 2, p.stderr


def test_address_in_use(models):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        p = cli("serve", "-m", models[0], "--listen", f"127.0.0.1:{s.getsockname()[1]}")
        assert p.returncode == 3 and b"cannot listen" in p.stderr


def test_help():
    p = cli("serve", "--help")
    assert p.returncode == 0 and p.stdout.startswith(b"Usage: hsclass serve")
    assert re.search(rb"^  serve ", cli("--help").stdout, re.M)


# ---- endpoints: the CLI's fields --------------------------------------------

def test_classify_matches_cli(server, models):
    for text in TEXTS:
        st, _, body = server.post("/v1/classify", {"text": text, "k": 3, "lang": "fr",
                                                   "national": True})
        assert st == 200, body
        [line] = cli_lines("classify", "-m", models[0], "--format", "jsonl", "-k", "3",
                           "--lang", "fr", "--national", texts=[text])
        assert without_model(body) == line
    st, _, body = server.post("/v1/classify", {"text": FR, "lang": "fr", "national": True})
    assert st == 200 and len(body["suggestions"]) == 5      # k defaults to 5
    best = body["suggestions"][0]
    assert best["code"].startswith("0202") and "congel" in best["description"]
    assert all(n["scheme"] == "TEC-CEDEAO" and n["code"].startswith(best["code"])
               for n in best["national"])
    assert {"chapters", "headings", "decision", "reason", "threshold"} <= body.keys()
    assert "precedents" not in body                         # only when asked


def test_precedents_match_cli(server, models, server_factory):
    # classify, batch and explain list the rows the CLI lists (-p N), read
    # through the same hsc_session_precedent calls.
    lines = cli_lines("classify", "-m", models[0], "--format", "jsonl", "-p", "4", texts=TEXTS)
    for text, line in zip(TEXTS, lines):
        st, _, body = server.post("/v1/classify", {"text": text, "precedents": 4})
        assert st == 200, body
        assert without_model(body) == line
    st, _, body = server.post("/v1/classify/batch", {"texts": TEXTS, "k": 2, "precedents": 3})
    assert st == 200
    assert without_model(body) == {"results": cli_lines(
        "classify", "-m", models[0], "--format", "jsonl", "-k", "2", "-p", "3", texts=TEXTS)}
    for n in (0, 2):
        st, _, body = server.post("/v1/explain", {"text": TEXTS[0], "precedents": n})
        [line] = cli_lines("explain", "-m", models[0], "--format", "jsonl", "-p", str(n),
                           texts=[TEXTS[0]])
        assert st == 200 and without_model(body) == line and len(body["precedents"]) == n
    st, _, body = server.post("/v1/classify", {"text": "frozen boneless beef", "precedents": 3})
    assert len(body["precedents"]) == 3 and body["precedents"][0]["code"].startswith("02")
    sims = [p["similarity"] for p in body["precedents"]]
    assert sims == sorted(sims, reverse=True) and 0 < sims[-1] <= sims[0] <= 1
    assert all("text" not in p and p["source"] for p in body["precedents"])
    for bad in (65, -1, 2.5, "3", True):
        st, _, body = server.post("/v1/classify", {"text": "beef", "precedents": bad})
        assert st == 400 and body["status"] == "HSC_E_INVALID_ARG", bad
    # A model that keeps its rows' texts shows them.
    s = server_factory(models[1], "--threads", "1")
    st, _, body = s.post("/v1/classify", {"text": TEXTS[0], "precedents": 5})
    [line] = cli_lines("classify", "-m", models[1], "--format", "jsonl", "-p", "5",
                       texts=[TEXTS[0]])
    assert st == 200 and without_model(body) == line
    assert body["precedents"] and all(p["text"] for p in body["precedents"])


def test_only_constraint_and_session_reuse(models, server_factory):
    s = server_factory(models[0], "--threads", "1")   # one worker: one session, reused
    st, _, body = s.post("/v1/classify", {"text": "knitted cotton pullover", "only": "61, 6205"})
    assert st == 200
    codes = [x["code"] for x in body["suggestions"]]
    assert codes and all(c.startswith("61") or c.startswith("6205") for c in codes)
    [line] = cli_lines("classify", "-m", models[0], "--format", "jsonl", "--only", "61, 6205",
                       texts=["knitted cotton pullover"])
    assert without_model(body) == line
    # The constraint does not stick to the pooled session.
    st, _, body = s.post("/v1/classify", {"text": FR})
    assert body["suggestions"][0]["code"].startswith("02")
    st, _, body = s.post("/v1/classify", {"text": FR, "only": "99"})
    assert st == 200 and body["suggestions"] == [] and body["reason"] == "constraint"


def test_batch_matches_cli(server, models):
    st, _, body = server.post("/v1/classify/batch", {"texts": TEXTS, "k": 2, "lang": "en"})
    assert st == 200
    lines = cli_lines("classify", "-m", models[0], "--format", "jsonl", "-k", "2", "--lang",
                      "en", texts=TEXTS)
    assert without_model(body) == {"results": lines}


def test_explain_matches_cli(server, models):
    st, _, body = server.post("/v1/explain", {"text": TEXTS[0], "lang": "fr"})
    assert st == 200
    [line] = cli_lines("explain", "-m", models[0], "--format", "jsonl", "--lang", "fr",
                       texts=[TEXTS[0]])
    assert without_model(body) == line
    assert len(body["suggestions"]) == 3                     # k defaults to 3 here
    words = body["suggestions"][0]["words"]
    assert words and all(TEXTS[0][w["start"]:w["end"]] == w["word"] for w in words)


def test_audit(server, models, server_factory):
    # The declared code is the best suggestion: consistent, rank 1 at every
    # level, and its probabilities are the classify's scores.
    st, _, cl = server.post("/v1/classify", {"text": FR, "lang": "fr"})
    best = cl["suggestions"][0]["code"]
    st, _, body = server.post("/v1/audit", {"code": best[:4] + "." + best[4:], "text": FR,
                                            "lang": "fr"})
    assert st == 200, body
    assert body["declared"] == best and body["verdict"] == "consistent"
    assert "congel" in body["declared_description"]
    assert {k: body[k] for k in cl if k != "model"} == {k: cl[k] for k in cl if k != "model"}
    assert [lv["digits"] for lv in body["levels"]] == [2, 4, 6]
    assert all(lv["rank"] == 1 for lv in body["levels"])
    scores = {2: cl["chapters"][0]["score"], 4: cl["headings"][0]["score"],
              6: cl["suggestions"][0]["score"]}
    assert all(lv["probability"] == scores[lv["digits"]] for lv in body["levels"])
    assert body["digits"] == 6 and body["probability"] == scores[6]
    assert body["probability"] >= body["audit_threshold"] > 0
    # Another chapter: suspect, far down the ranking.
    st, _, body = server.post("/v1/audit", {"code": "8703.23", "text": "frozen boneless beef"})
    assert st == 200 and body["verdict"] == "suspect"
    assert body["probability"] < body["audit_threshold"]
    assert all(lv["rank"] > 1 for lv in body["levels"])
    # A heading is scored at 4 digits; a 10-digit line at 6.
    st, _, body = server.post("/v1/audit", {"code": best[:4], "text": FR})
    assert (body["digits"], len(body["levels"])) == (4, 2) and body["verdict"] == "consistent"
    st, _, body = server.post("/v1/audit", {"code": best + "0000", "text": FR})
    assert (body["digits"], body["declared"]) == (6, best + "0000")
    # Nothing to check against: unchecked, not ranked.
    st, _, body = server.post("/v1/audit", {"code": best, "text": ""})
    assert st == 200 and body["verdict"] == "unchecked" and body["reason"] == "no_content"
    assert all(lv["rank"] is None for lv in body["levels"])
    for bad, name in [({"text": FR}, "HSC_E_INVALID_ARG"),
                      ({"code": "1", "text": FR}, "HSC_E_BAD_CODE"),
                      ({"code": 20230, "text": FR}, "HSC_E_BAD_CODE"),
                      ({"code": "02x", "text": FR}, "HSC_E_BAD_CODE"),
                      ({"code": "0202", "text": FR, "only": "02"}, "HSC_E_INVALID_ARG"),
                      ({"code": "0202", "texts": [FR]}, "HSC_E_INVALID_ARG")]:
        st, _, body = server.post("/v1/audit", bad)
        assert (st, body["status"]) == (400, name), bad
    # The service's threshold, as `hsclass audit --threshold`.
    s = server_factory(models[0], "--threads", "1", "--audit-threshold", "0.999")
    st, _, body = s.post("/v1/audit", {"code": best, "text": FR})
    assert (body["verdict"], body["audit_threshold"]) == ("suspect", 0.999)


def test_audit_matches_cli(server, models, tmp_path):
    # The same rule and the same figures as `hsclass audit` (4 significant
    # digits there), line by line.
    lines = [("0202.30", FR), ("8703.23", "frozen boneless beef"), ("0202", FR),
             ("020230", ""), ("0202300000", "FROZEN BONELESS BEEF CUTS 20KG CTNS"),
             ("6109.10", "men's cotton t-shirts, knitted"), ("1006.30", "broken rice 25kg bags")]
    tsv = tmp_path / "declarations.tsv"
    tsv.write_text("code\tdescription\n" + "".join(f"{c}\t{t}\n" for c, t in lines))
    p = cli("audit", "-m", models[0], "--all", tsv)
    assert p.returncode == 0, p.stderr
    rows = [r.split("\t") for r in p.stdout.decode().splitlines()]
    head = rows[0]
    by_line = {int(r[0]): dict(zip(head, r)) for r in rows[1:]}
    assert sorted(by_line) == list(range(2, 2 + len(lines)))
    for i, (code, text) in enumerate(lines):
        want = by_line[i + 2]
        st, _, got = server.post("/v1/audit", {"code": code, "text": text})
        assert st == 200, got
        assert (got["declared"], got["verdict"], got["reason"]) == \
            (want["declared"], want["verdict"], want["reason"])
        assert f"{got['probability']:.4g}" == want["probability"]
        for lv in got["levels"]:
            d = lv["digits"]
            assert f"{lv['probability']:.4g}" == want[f"p{d}"]
            assert (str(lv["rank"]) if lv["rank"] else "") == want[f"rank{d}"]
        assert (got["suggestions"][0]["code"] if got["suggestions"] else "") == want["best"]


def test_lookup(server, models):
    st, _, body = server.get("/v1/lookup/0201?lang=fr&depth=2")
    assert st == 200
    [line] = cli_lines("lookup", "-m", models[0], "--format", "jsonl", "--lang", "fr",
                       "--depth", "2", texts=["0201"])
    assert without_model(body) == line
    assert body["entries"][0]["code"] == "0201" and "bovine" in body["entries"][0]["description"]
    st, _, body = server.get("/v1/lookup/0202.30?national=true")
    assert st == 200 and body["query"] == "020230"
    assert body["entries"][0]["national"][0]["code"].startswith("020230")
    st, _, body = server.get("/v1/lookup/0202300000")          # a national line alone
    assert st == 200 and body["entries"] == [] and body["national"]
    st, _, body = server.get("/v1/lookup/9999")
    assert st == 404 and body["status"] == "HSC_E_NO_RESULT"
    for path, status in [("/v1/lookup/abc", "HSC_E_BAD_CODE"), ("/v1/lookup/", "HSC_E_BAD_CODE"),
                         ("/v1/lookup/1", "HSC_E_BAD_CODE"),
                         ("/v1/lookup/0201?lang=FR", "HSC_E_BAD_LANGUAGE"),
                         ("/v1/lookup/0201?national=maybe", "HSC_E_INVALID_ARG"),
                         ("/v1/lookup/0201?depth=-1", "HSC_E_INVALID_ARG")]:
        st, _, body = server.get(path)
        assert (st, body["status"]) == (400, status), path


def test_model_info(server, models):
    st, _, body = server.get("/v1/model")
    assert st == 200
    info = json.loads(cli("info", "-m", models[0], "--format", "json").stdout)
    info.pop("path")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body.pop("loaded_at"))
    assert body == info


def test_healthz_metrics_and_head(server, models):
    fp = fingerprint(models[0])
    st, r, body = server.get("/healthz")
    assert st == 200 and body == {"status": "ok", "model": fp}
    before = server.metric('hsclass_requests_total{endpoint="classify"}')
    server.post("/v1/classify", {"text": "x", "k": 0})
    server.post("/v1/classify", {"text": "beef"})
    st, r, text = server.get("/metrics")
    assert st == 200 and r.getheader("Content-Type").startswith("text/plain; version=0.0.4")
    text = text.decode()
    assert f'hsclass_model_info{{fingerprint="{fp}",hs_edition="unspecified"}} 1' in text
    assert server.metric('hsclass_requests_total{endpoint="classify"}') == before + 2
    assert server.metric('hsclass_responses_total{code="400"}') >= 1
    m = server.metrics()
    count = m["hsclass_request_duration_seconds_count"]
    assert m['hsclass_request_duration_seconds_bucket{le="+Inf"}'] == count
    assert count == sum(v for k, v in m.items() if k.startswith("hsclass_responses_total"))
    assert re.search(r"^# TYPE hsclass_request_duration_seconds histogram$", text, re.M)
    c = server.conn()
    c.request("HEAD", "/healthz")
    r = c.getresponse()
    assert r.status == 200 and r.read() == b""


def test_page(server):
    st, r, page = server.get("/")
    assert st == 200 and r.getheader("Content-Type") == "text/html; charset=utf-8"
    csp = r.getheader("Content-Security-Policy")
    assert "default-src 'none'" in csp and re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", csp)
    page = page.decode()
    assert "innerHTML" not in page and "insertAdjacentHTML" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "external resource"


def test_openapi_documents_every_endpoint():
    import pathlib
    spec = pathlib.Path(os.environ["HSCLASS_SOURCE_ROOT"]) / "examples" / "serve" / "openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    paths = {"/v1/classify", "/v1/classify/batch", "/v1/explain", "/v1/audit", "/v1/lookup/{code}",
             "/v1/model", "/healthz", "/metrics", "/"}
    try:
        import yaml
    except ImportError:                       # python3-yaml is not a dependency
        found = set(re.findall(r"^  (/\S*):$", text, re.M))
    else:
        doc = yaml.safe_load(text)
        assert doc["openapi"].startswith("3.")
        found = set(doc["paths"])
        for name in re.findall(r'\$ref: "#/components/(\w+/\w+)"', text):
            group, key = name.split("/")
            assert key in doc["components"][group], name
    assert found == paths


# ---- errors -------------------------------------------------------------------

BAD = [
    (b"", 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "abc"', 400, "HSC_E_INVALID_ARG"),                 # truncated
    (b'{"text": "abc"} trailing', 400, "HSC_E_INVALID_ARG"),
    (b"[1, 2]", 400, "HSC_E_INVALID_ARG"),
    (b'"text"', 400, "HSC_E_INVALID_ARG"),
    (b'{"k": 5}', 400, "HSC_E_INVALID_ARG"),                        # missing text
    (b'{"text": 5}', 400, "HSC_E_INVALID_ARG"),
    (b'{"text": null}', 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "x", "k": 0}', 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "x", "k": 51}', 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "x", "k": -1}', 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "x", "k": "5"}', 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "x", "k": 5.5}', 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "x", "k": true}', 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "x", "k": 1e300}', 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "x", "k": 99999999999999999999999}', 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "x", "only": "8"}', 400, "HSC_E_BAD_CODE"),
    (b'{"text": "x", "only": "abc"}', 400, "HSC_E_BAD_CODE"),
    (b'{"text": "x", "only": ""}', 400, "HSC_E_BAD_CODE"),
    (b'{"text": "x", "only": 84}', 400, "HSC_E_BAD_CODE"),
    (b'{"text": "x", "lang": "FR"}', 400, "HSC_E_BAD_LANGUAGE"),
    (b'{"text": "x", "lang": "../etc"}', 400, "HSC_E_BAD_LANGUAGE"),
    (b'{"text": "x", "national": "yes"}', 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "x", "texts": ["y"]}', 400, "HSC_E_INVALID_ARG"),     # unknown field here
    (b'{"text": "x", "text": "y"}', 400, "HSC_E_INVALID_ARG"),        # duplicate key
    (b'{"text": "\xff\xfe"}', 400, "HSC_E_BAD_UTF8"),
    (b'{"text": "\xc0\xaf overlong"}', 400, "HSC_E_BAD_UTF8"),
    (b'{"text": "\xed\xa0\x80 surrogate"}', 400, "HSC_E_BAD_UTF8"),
    (b'{"te\xffxt": "x"}', 400, "HSC_E_BAD_UTF8"),
    (b'{"text": "a\x00b"}', 400, "HSC_E_INVALID_ARG"),               # raw NUL
    (b'{"text": "a\\u0000b"}', 400, "HSC_E_INVALID_ARG"),             # escaped NUL
    (b'{"text": "\\ud800"}', 400, "HSC_E_INVALID_ARG"),               # lone surrogate escape
    (b"\x00" * 64, 400, "HSC_E_INVALID_ARG"),
    (b"[" * 100000, 400, "HSC_E_INVALID_ARG"),                        # deeply nested
    (b'{"a":' * 50000 + b"1" + b"}" * 50000, 400, "HSC_E_INVALID_ARG"),
    (b'{"text": "' + b"x" * 16385 + b'"}', 400, "HSC_E_TEXT_TOO_LONG"),
]


@pytest.mark.parametrize("body,status,name", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_bodies(server, body, status, name):
    st, _, reply = server.post("/v1/classify", body)
    assert (st, reply["status"]) == (status, name), reply
    assert isinstance(reply["error"], str) and reply["error"]
    assert set(reply) == {"error", "status"}


@pytest.mark.parametrize("body,name", [
    ({"texts": []}, "HSC_E_INVALID_ARG"),
    ({"texts": ["x"] * 257}, "HSC_E_INVALID_ARG"),
    ({"texts": "x"}, "HSC_E_INVALID_ARG"),
    ({"texts": ["x", 1]}, "HSC_E_INVALID_ARG"),
    ({"text": "x"}, "HSC_E_INVALID_ARG"),
    ({"texts": ["x", "y" * 16385]}, "HSC_E_TEXT_TOO_LONG"),
])
def test_bad_batches(server, body, name):
    st, _, reply = server.post("/v1/classify/batch", body)
    assert (st, reply["status"]) == (400, name), reply


def test_explain_errors(server):
    st, _, reply = server.post("/v1/explain", {"k": 2})
    assert (st, reply["status"]) == (400, "HSC_E_INVALID_ARG")
    st, _, reply = server.post("/v1/explain", {"text": "beef", "k": 51})
    assert (st, reply["status"]) == (400, "HSC_E_INVALID_ARG")
    st, _, reply = server.post("/v1/explain", {"text": "beef", "only": "x"})
    assert (st, reply["status"]) == (400, "HSC_E_BAD_CODE")


def test_body_too_large(server):
    big = b'{"text": "' + b"x" * (10 << 20) + b'"}'              # 10 MB, Content-Length
    st, _, reply = server.post("/v1/classify", big)
    assert (st, reply["status"]) == (413, "HSC_E_TEXT_TOO_LONG")

    def chunks():                                               # 2 MB, chunked
        for _ in range(64):
            yield b"[" + b"1," * 16383 + b"1]"
    c = server.conn()
    c.request("POST", "/v1/classify/batch", body=chunks(),
              headers={"Content-Type": "application/json"}, encode_chunked=True)
    r = c.getresponse()
    assert r.status == 413 and json.loads(r.read())["status"] == "HSC_E_TEXT_TOO_LONG"
    c.close()
    # The server is still fine.
    assert server.post("/v1/classify", {"text": "beef"})[0] == 200


@pytest.mark.parametrize("ctype,status", [("text/plain", 415), ("", 415),
                                          ("application/x-www-form-urlencoded", 415),
                                          ("application/jsonx", 415),
                                          ("application/json; charset=utf-8", 200),
                                          ("APPLICATION/JSON", 200)])
def test_content_type(server, ctype, status):
    c = server.conn()
    headers = {"Content-Type": ctype} if ctype else {}
    c.request("POST", "/v1/classify", body=b'{"text": "beef"}', headers=headers)
    r = c.getresponse()
    body = json.loads(r.read())
    assert r.status == status
    if status == 415:
        assert body["status"] == "HSC_E_UNSUPPORTED"


def test_not_found_and_methods(server):
    st, _, body = server.get("/nope")
    assert (st, body["status"]) == (404, "HSC_E_UNSUPPORTED")
    st, r, body = server.request("DELETE", "/v1/classify")
    assert st == 405 and r.getheader("Allow") == "POST"
    st, r, body = server.get("/v1/classify/batch")
    assert st == 405 and r.getheader("Allow") == "POST"
    st, r, body = server.post("/healthz", {"x": 1})
    assert st == 405 and r.getheader("Allow") == "GET, HEAD"


def test_keep_alive_connection(server):
    c = server.conn()
    for i in range(20):
        st, _, body = server.post("/v1/classify", {"text": TEXTS[i % 5], "k": 1}, conn=c)
        assert st == 200
    st, _, _ = server.post("/v1/classify", b"{", conn=c)            # an error keeps it too
    assert st == 400
    assert server.get("/healthz", conn=c)[0] == 200
    c.close()


def test_access_log(server):
    n = len(server.lines)
    server.post("/v1/classify", {"text": "beef"})
    server.get("/v1/lookup/0201")
    e = server.wait_event(lambda e: e.get("event") == "request" and e["path"] == "/v1/lookup/0201",
                          start=n)
    assert e and e["method"] == "GET" and e["status"] == 200 and e["remote"] == "127.0.0.1"
    # Lines come when a response is sent, so an earlier test's may follow n.
    # (the 415s of test_content_type sent the same bytes).
    p = server.wait_event(lambda e: e.get("event") == "request" and e["path"] == "/v1/classify"
                          and e["bytes_in"] == len(b'{"text": "beef"}') and "lib_us" in e,
                          start=n)
    assert p["status"] == 200 and p["texts"] == 1 and 0 <= p["lib_us"] <= p["us"]
    assert "wait_us" not in p       # idle workers: a short classify runs on the network thread
    assert p["method"] == "POST" and p["bytes_out"] > 0 and re.fullmatch("[0-9a-f]{8}", p["model"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", p["ts"])
    with server.cv:
        assert all(line.get("event") != "not-json" for line in server.lines)


def test_slow_client_times_out(models, server_factory):
    s = server_factory(models[0], "--timeout", "1")
    with socket.create_connection(("127.0.0.1", s.port)) as sock:
        sock.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
        sock.settimeout(10 * SCALE)
        t0 = time.monotonic()
        assert sock.recv(1024) == b""          # closed by the server, not by us
        assert time.monotonic() - t0 < 8 * SCALE
    assert s.post("/v1/classify", {"text": "beef"})[0] == 200


# ---- concurrency and overload -------------------------------------------------

def test_concurrent_clients(server):
    expected = {t: server.post("/v1/classify", {"text": t})[2]["suggestions"] for t in TEXTS}
    failures = []

    def client(i):
        c = server.conn()
        for j in range(30):
            text = TEXTS[(i + j) % len(TEXTS)]
            st, _, body = server.post("/v1/classify", {"text": text}, conn=c)
            if st != 200 or body["suggestions"] != expected[text]:
                failures.append((st, body))
        c.close()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


LONG_BATCH = 5000
LONG_WORDS = ("frozen boneless beef cuts knitted cotton pullover steel screws bolts tissu de coton "
              "écru riz brisé sacs moto pièces huile de palme raffinée bidons parafusos de aço "
              "camisolas de malha tyres rubber pneumatic cement clinker").split()


def long_batch(n=LONG_BATCH):
    """Texts of 1,000 characters whose words vary from text to text, so that
    no cache makes the batch short: several seconds of work on a fast
    machine."""
    rng = random.Random(n)
    texts = []
    for i in range(n):
        text = ""
        while len(text) < 1000:
            text += rng.choice(LONG_WORDS) + rng.choice(("", "s", "x", "es", str(i % 97))) + " "
        texts.append(text[:1000])
    return {"texts": texts, "k": 5}


def start_long_batch(s):
    """A long batch posted from a thread; out["reply"] when done."""
    out = {}
    body = json.dumps(long_batch()).encode()   # built before: the wait below is for the server

    def batch():
        out["reply"] = s.post("/v1/classify/batch", body)
    t = threading.Thread(target=batch)
    t.start()
    s.wait_event(lambda e: False, 0.3)         # let it reach a worker
    return t, out


def test_queue_full_gives_503(models, server_factory):
    s = server_factory(models[0], "--threads", "1", "--queue", "1", "--max-batch", "2000",
                       "--max-body", "4000000")
    body = json.dumps(long_batch(300)).encode()
    results = []

    def client():
        st, r, reply = s.post("/v1/classify/batch", body)
        results.append((st, r.getheader("Retry-After"), reply.get("status")))
    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r[0] for r in results)
    assert 503 in codes and 200 in codes, codes
    assert all(r[1] == "1" and r[2] == "HSC_SERVE_BUSY" for r in results if r[0] == 503)
    assert s.metric('hsclass_responses_total{code="503"}') == codes.count(503)


# ---- reload -------------------------------------------------------------------

def replace(src, dst):
    """What a deployment does: write a new file, rename it over the old."""
    tmp = str(dst) + ".tmp"
    shutil.copyfile(src, tmp)
    os.rename(tmp, dst)


def test_reload_on_sighup_and_file_change(models, server_factory, tmp_path):
    live = tmp_path / "live.hscm"
    shutil.copyfile(models[0], live)
    fa, fb = fingerprint(models[0]), fingerprint(models[1])
    s = server_factory(live, "--watch", "1")
    assert s.get("/healthz")[2]["model"] == fa
    replace(models[1], live)                                   # the file changes
    e = s.wait_event(lambda e: e.get("event") == "reload", 10 * SCALE)
    assert e and e["result"] == "ok" and e["trigger"] == "file" and e["model"] == fb
    assert s.post("/v1/classify", {"text": FR})[2]["model"] == fb
    # A bad file is refused and the current model keeps serving. Written in
    # place, on purpose: the served model was read into memory.
    with open(live, "r+b") as f:
        f.seek(100)
        f.write(b"garbage")
    e = s.wait_event(lambda e: e.get("event") == "reload" and e["result"] == "refused",
                     10 * SCALE)
    assert e and "HSC_E_MODEL" in e["error"] and e["previous"] == fb
    assert s.post("/v1/classify", {"text": FR})[2]["model"] == fb
    assert s.metric('hsclass_model_reloads_total{result="failed"}') == 1
    # SIGHUP reloads at once, even with an unchanged file.
    replace(models[0], live)
    n = len(s.lines)
    s.proc.send_signal(signal.SIGHUP)
    e = s.wait_event(lambda e: e.get("event") == "reload" and e["trigger"] == "signal",
                     10 * SCALE, start=n)
    assert e and e["result"] == "ok" and e["model"] == fa
    assert s.get("/healthz")[2]["model"] == fa
    assert s.metric("hsclass_models_loaded") == 1
    os.remove(live)                                            # a vanished file: keep serving
    s.proc.send_signal(signal.SIGHUP)
    assert s.wait_event(lambda e: e.get("event") == "reload" and "cannot read" in e.get("error", ""),
                        10 * SCALE)
    assert s.get("/healthz")[2]["model"] == fa


def test_inflight_request_finishes_on_old_model(models, server_factory, tmp_path):
    live = tmp_path / "live.hscm"
    shutil.copyfile(models[0], live)
    fa, fb = fingerprint(models[0]), fingerprint(models[1])
    s = server_factory(live, "--watch", "0", "--max-batch", str(LONG_BATCH), "--max-body", "10000000")
    t, out = start_long_batch(s)
    replace(models[1], live)
    s.proc.send_signal(signal.SIGHUP)
    assert s.wait_event(lambda e: e.get("event") == "reload", 10 * SCALE)["result"] == "ok"
    assert s.post("/v1/classify", {"text": FR})[2]["model"] == fb
    assert "reply" not in out, "the batch must still run after the reload for this test to mean anything"
    # A worker was busy, so that classify was queued for another one.
    e = s.wait_event(lambda e: e.get("event") == "request" and e["path"] == "/v1/classify")
    assert e["wait_us"] >= 0 and e["model"] == fb
    t.join()
    st, _, body = out["reply"]
    assert st == 200 and len(body["results"]) == LONG_BATCH
    assert body["model"] == fa, "the batch started on A and must finish on A"
    assert s.metric("hsclass_models_loaded") == 1              # A was freed


def test_reload_under_load(models, server_factory, tmp_path):
    live = tmp_path / "live.hscm"
    shutil.copyfile(models[0], live)
    fa, fb = fingerprint(models[0]), fingerprint(models[1])
    s = server_factory(live, "--watch", "1", "--threads", "3")
    stop = threading.Event()
    seen, failures, count = set(), [], [0]

    def client(i):
        c = s.conn()
        while not stop.is_set():
            try:
                st, _, body = s.post("/v1/classify", {"text": TEXTS[i % 5]}, conn=c)
            except Exception as e:   # noqa: BLE001 - any failure counts
                failures.append(repr(e))
                c = s.conn()
                continue
            if st != 200:
                failures.append((st, body))
            else:
                seen.add(body["model"])
                count[0] += 1
    threads = [threading.Thread(target=client, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for i in range(10):
        if i == 5:
            live.write_bytes(b"not a model at all")              # refused, A or B keeps serving
        else:
            replace(models[i % 2], live)
        s.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)
    stop.set()
    for t in threads:
        t.join()
    assert failures == []
    assert seen == {fa, fb} and count[0] > 50
    reloads = s.events("reload")
    assert any(e["result"] == "refused" for e in reloads)
    assert sum(e["result"] == "ok" for e in reloads) >= 8
    assert s.metric("hsclass_models_loaded") == 1


# ---- stopping -------------------------------------------------------------------

def test_sigterm_during_batch(models, server_factory):
    s = server_factory(models[0], "--max-batch", str(LONG_BATCH), "--max-body", "10000000")
    t, out = start_long_batch(s)
    t0 = time.monotonic()
    s.proc.send_signal(signal.SIGTERM)
    rc = s.proc.wait(timeout=10 * SCALE)
    took = time.monotonic() - t0
    t.join()
    assert rc == 0 and took < 10 * SCALE
    st, _, body = out["reply"]
    assert st == 200 and len(body["results"]) == LONG_BATCH
    s.reader.join(5)
    assert s.events("stopped")[0]["message"] == "every request answered"
    assert s.events("draining")
    done = [e for e in s.events("request") if e["path"] == "/v1/classify/batch"]
    assert done and done[0]["status"] == 200
    # No new connection after the drain started.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", s.port), timeout=2).close()


def test_sigint_idle_exits_zero(models):
    s = Server(models[0])
    assert s.stop(signal.SIGINT) == 0

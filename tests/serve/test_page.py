"""The officer's page in headless Chromium, driven through the DevTools
protocol (Debian's chromium and python3-websocket; no browser driver): type a
French description, get suggestions with French descriptions, switch to
English, open explain, national lines and a lookup; a description holding
<script> or HTML is shown as text and never runs. Screenshots at 1366x768 go
to $HSCLASS_SCREENSHOTS.

Skipped when chromium or python3-websocket is not installed."""
import base64
import json
import os
import pathlib
import shutil
import struct
import subprocess
import tempfile
import time
import urllib.request

import pytest

from conftest import SCALE, Server

websocket = pytest.importorskip("websocket")
BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
               None)
if not BROWSER:
    pytest.skip("chromium is not installed", allow_module_level=True)

SHOTS = pathlib.Path(os.environ.get("HSCLASS_SCREENSHOTS", tempfile.mkdtemp()))
FR = "viande bovine désossée congelée"
HOSTILE = ['<script>window.__pwned = 1</script>',
           '<img src=x onerror="window.__pwned = 2"> <b>bold</b> &amp; "quotes"']


class Page:
    """One tab, over the DevTools protocol's WebSocket."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=30 * SCALE, suppress_origin=True)
        self.next_id = 0
        self.problems = []   # uncaught exceptions, console errors (CSP refusals among them)

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                assert "error" not in msg, msg
                return msg.get("result", {})
            if msg.get("method") == "Runtime.exceptionThrown":
                self.problems.append(msg["params"]["exceptionDetails"])
            elif msg.get("method") == "Runtime.consoleAPICalled" and \
                    msg["params"]["type"] == "error":
                self.problems.append(msg["params"])
            elif msg.get("method") == "Log.entryAdded" and \
                    msg["params"]["entry"]["level"] == "error":
                self.problems.append(msg["params"]["entry"])

    def js(self, expr):
        r = self.send("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in r, r
        return r["result"].get("value")

    def wait(self, expr, timeout=20):
        deadline = time.monotonic() + timeout * SCALE
        while time.monotonic() < deadline:
            v = self.js(expr)
            if v:
                return v
            time.sleep(0.1)
        raise AssertionError("timed out waiting for: " + expr)

    def wait_for(self, fn, what, timeout=20):
        deadline = time.monotonic() + timeout * SCALE
        while time.monotonic() < deadline:
            if fn():
                return
            time.sleep(0.1)
        raise AssertionError("timed out waiting for " + what)

    def enter(self, modifiers=0):
        """Enter as a user types it (keyDown with its text, so a form submits)."""
        self.send("Input.dispatchKeyEvent", type="keyDown", key="Enter", code="Enter",
                  windowsVirtualKeyCode=13, text="\r", modifiers=modifiers)
        self.send("Input.dispatchKeyEvent", type="keyUp", key="Enter", code="Enter",
                  windowsVirtualKeyCode=13, modifiers=modifiers)

    def type_into(self, element_id, text):
        self.js(f"document.getElementById('{element_id}').value = '';"
                f"document.getElementById('{element_id}').focus()")
        self.send("Input.insertText", text=text)

    def screenshot(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        png = base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (1366, 768)
        (SHOTS / name).write_bytes(png)


@pytest.fixture(scope="module")
def server(model_a):
    s = Server(model_a, "--threads", "2")
    yield s
    assert s.stop() == 0


@pytest.fixture(scope="module")
def page(server):
    profile = tempfile.mkdtemp(prefix="hsc-chromium-")
    proc = subprocess.Popen(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "--lang=fr-FR", "--window-size=1366,768", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        active = pathlib.Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60 * SCALE
        while not (active.exists() and len(active.read_text().split()) >= 2):
            assert time.monotonic() < deadline and proc.poll() is None, "chromium did not start"
            time.sleep(0.1)
        port = active.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            target = next(t for t in json.load(r) if t["type"] == "page")
        p = Page(target["webSocketDebuggerUrl"])
        for domain in ("Page", "Runtime", "Log"):
            p.send(domain + ".enable")
        # A French-speaking officer's browser: the page must start in French.
        ua = p.send("Browser.getVersion")["userAgent"]
        p.send("Emulation.setUserAgentOverride", userAgent=ua, acceptLanguage="fr-FR,fr")
        p.send("Emulation.setDeviceMetricsOverride", width=1366, height=768, deviceScaleFactor=1,
               mobile=False)
        p.send("Page.navigate", url=f"http://127.0.0.1:{server.port}/")
        p.wait("document.readyState === 'complete' && "
               "document.getElementById('model-info').textContent.length > 0")
        yield p
        p.ws.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def descriptions(page):
    return page.js("[...document.querySelectorAll('#results td.desc')].map(e => e.textContent)")


def test_french_by_default_and_keyboard_classify(page, server):
    assert page.js("document.documentElement.lang") == "fr"
    assert page.js("document.getElementById('classify').textContent") == "Proposer des codes"
    assert page.js("document.activeElement.id") == "texts"          # autofocus
    page.type_into("texts", FR)
    page.enter(modifiers=2)                      # Ctrl+Enter
    page.wait("document.querySelectorAll('#results tr.suggestion').length === 5")
    _, _, api = server.post("/v1/classify", {"text": FR, "lang": "fr"})
    assert descriptions(page) == [s["description"] for s in api["suggestions"]]
    assert "congelées" in descriptions(page)[0]
    assert page.js("document.querySelector('#results h3').textContent") == FR
    assert page.js("document.querySelector('.decision').textContent").startswith("À vérifier")
    widths = page.js("[...document.querySelectorAll('#results td.p .bar > div')]"
                     ".map(e => parseFloat(e.style.width))")
    assert widths == sorted(widths, reverse=True) and widths[0] > 0
    assert page.js("document.querySelectorAll('.totals .item').length") >= 2
    _, _, api = server.post("/v1/classify", {"text": FR, "precedents": 5})
    shown = page.js("[...document.querySelectorAll('#results .precedent .code')]"
                    ".map(e => e.textContent.trim())")
    assert shown and shown == [p["code"] for p in api["precedents"]]
    page.screenshot("serve-fr-classify.png")


def test_explain_and_national_lines(page):
    page.js("document.querySelector('#results button.why').click()")
    page.wait("document.querySelectorAll('.detail .word.for').length > 0")
    words = page.js("[...document.querySelectorAll('.detail .word')].map(e => e.textContent)")
    assert any(w.split()[0] in FR for w in words)
    page.screenshot("serve-fr-explain.png")
    page.js("document.querySelector('#results button.natl').click()")
    page.wait("document.querySelector('.detail-row') && "
              "document.querySelector('.detail-row').textContent.includes('TEC-CEDEAO')")


def test_switch_to_english(page, server):
    page.js("document.getElementById('lang-en').click()")
    page.wait("document.getElementById('classify').textContent === 'Suggest codes'")
    _, _, api = server.post("/v1/classify", {"text": FR, "lang": "en"})
    want = [s["description"] for s in api["suggestions"]]
    page.wait_for(lambda: descriptions(page) == want, "English descriptions")
    assert page.js("document.documentElement.lang") == "en"
    assert page.js("document.getElementById('lang-en').getAttribute('aria-pressed')") == "true"
    page.screenshot("serve-en-classify.png")


def test_lookup(page, server):
    page.type_into("lookup-code", "0201")
    page.enter()                                   # submits the form
    page.wait("document.querySelectorAll('#lookup-result .entry').length >= 2")
    _, _, api = server.get("/v1/lookup/0201?lang=en")
    first = page.js("document.querySelector('#lookup-result .entry').textContent")
    assert first.startswith("0201") and api["entries"][0]["description"] in first
    page.type_into("lookup-code", "9999")
    page.enter()
    page.wait("document.querySelector('#lookup-result .error') !== null")
    page.type_into("lookup-code", "0201")
    page.enter()
    page.wait("document.querySelectorAll('#lookup-result .entry').length >= 2")
    page.screenshot("serve-en-lookup.png")


def test_markup_in_descriptions_is_text(page):
    page.type_into("texts", "\n".join(HOSTILE))
    page.js("document.getElementById('classify').click()")
    page.wait("document.querySelectorAll('#results article.result').length === 2")
    shown = page.js("[...document.querySelectorAll('#results h3')].map(e => e.textContent)")
    assert shown == HOSTILE
    assert page.js("typeof window.__pwned") == "undefined"
    assert page.js("document.querySelectorAll('#results img, #results script, #results b')"
                   ".length") == 0
    page.screenshot("serve-markup-as-text.png")


def test_no_script_errors(page):
    # The lookup of 9999 answers 404 on purpose; anything else is a problem.
    problems = [p for p in page.problems if "/v1/lookup/9999" not in p.get("url", "")]
    assert problems == []

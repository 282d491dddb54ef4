"""Shared by the `serve` suite: the built CLI, two small real models (A and B,
different fingerprints, both with English and French descriptions and
TEC-CEDEAO national lines, B keeping its precedents' texts), and a Server that runs `hsclass serve` on a free
loopback port and collects its JSON log lines from stderr.

Environment (set by tests/serve/meson.build): HSCLASS_CLI, HSCLASS_SOURCE_ROOT.
"""
import http.client
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import pytest

# the CLI tests' shared module (tests/cli/cli_env.py)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "cli"))
from cli_env import CLI, cli_env, described_train_args, run  # noqa: E402

def pytest_sessionfinish(session, exitstatus):
    """A module skipped whole (test_page.py without Chromium) collects no test, which pytest reports as exit
    status 5 and meson as a failure; 77 is meson's "skipped"."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = 77


# Wall-clock limits scale under valgrind or slow sanitizers.
SCALE = float(os.environ.get("HSCLASS_TIME_SCALE", "1"))


def cli(*args, stdin=b""):
    return run(*args, stdin=stdin, timeout=300)


def train(*specs):
    """Train (path, seed, *options) models side by side (one thread each, so
    each model is the same on every run); returns their paths."""
    procs = [subprocess.Popen(
        [CLI, "train", "-q", "-o", str(path), "--seed", str(seed), *extra,
         *described_train_args()],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=cli_env())
        for path, seed, *extra in specs]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    return tuple(path for path, *_ in specs)


@pytest.fixture(scope="session")
def models(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("models")
    return train((tmp / "a.hscm", 1), (tmp / "b.hscm", 2, "--keep-precedent-texts"))


@pytest.fixture(scope="session")
def model_a(tmp_path_factory):
    """A alone, for the page's tests."""
    return train((tmp_path_factory.mktemp("models") / "a.hscm", 1))[0]


def fingerprint(path):
    p = cli("info", "-m", path, "--format", "json")
    return json.loads(p.stdout)["fingerprint"]


class Server:
    """`hsclass serve` on 127.0.0.1, any free port."""

    def __init__(self, model, *args):
        self.proc = subprocess.Popen(
            [CLI, "serve", "-m", str(model), "--listen", "127.0.0.1:0", *map(str, args)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.lines = []
        self.raw = []
        self.cv = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        start = self.wait_event(lambda e: e.get("event") == "listening", 30 * SCALE)
        assert start, "no 'listening' line: " + b"".join(self.raw).decode("utf-8", "replace")
        self.port = start["port"]

    def _read(self):
        for line in self.proc.stderr:
            with self.cv:
                self.raw.append(line)
                try:
                    self.lines.append(json.loads(line))
                except ValueError:
                    self.lines.append({"event": "not-json", "line": line.decode("utf-8", "replace")})
                self.cv.notify_all()

    def wait_event(self, pred, timeout=10.0, start=0):
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                for e in self.lines[start:]:
                    if pred(e):
                        return e
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    return None
                self.cv.wait(min(left, 0.2))

    def events(self, name):
        with self.cv:
            return [e for e in self.lines if e.get("event") == name]

    def conn(self, timeout=60):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout * SCALE)

    def request(self, method, path, body=None, headers=None, conn=None):
        c = conn or self.conn()
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        if conn is None:
            c.close()
        ctype = r.getheader("Content-Type", "")
        return r.status, r, (json.loads(data) if ctype.startswith("application/json") else data)

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def metrics(self):
        """Every Prometheus sample of one scrape, by name with labels."""
        _, _, text = self.get("/metrics")
        return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
                for line in text.decode().splitlines() if line and not line.startswith("#")}

    def metric(self, name):
        """One sample, e.g. 'hsclass_models_loaded'."""
        return self.metrics()[name]

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout * SCALE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        self.reader.join(5)
        return rc


@pytest.fixture
def server_factory():
    started = []

    def make(model, *args):
        s = Server(model, *args)
        started.append(s)
        return s

    yield make
    for s in started:
        if s.proc.poll() is None:
            rc = s.stop()
            # A clean drain exits 0; under ASan a leak or error would not.
            assert rc == 0, b"".join(s.raw[-20:]).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def server(models, tmp_path_factory):
    s = Server(models[0], "--threads", "4", "--watch", "0")
    yield s
    assert s.stop() == 0, b"".join(s.raw[-20:]).decode("utf-8", "replace")

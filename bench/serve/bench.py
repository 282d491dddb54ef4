#!/usr/bin/env python3
"""Benchmark of `hsclass serve` (not a test). Needs Debian's wrk.

    python3 bench/serve/bench.py [--build build] [--model models/hs6-multi.hscm]
                                 [--seconds 20] [--requests 1000000] [--soak 600]
                                 [--parts own,eight,rss,soak]

Measures, with the texts of tests/data/test.tsv:
  1. the service's own cost per single-text request, one keep-alive client:
     from the access log, p50/p99 of (request time - time in the library call),
     and wrk's client-side latency;
  2. throughput with 8 concurrent clients (single texts), and through the batch
     endpoint (100 texts a request), against `hsclass classify --format jsonl`
     on the same texts;
  3. RSS while serving --requests requests (8 clients);
  4. a soak of --soak seconds (8 clients) while the model file is replaced and
     SIGHUP sent every few seconds: every request must succeed.
--parts runs some of them (own: 1, eight: 2, rss: 3, soak: 4); the others
keep their figures from the last results.json. Writes bench/serve/RESULTS.md
(each part with the date and arguments of its run) and prints it."""
import argparse
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent


def texts():
    rows = (ROOT / "tests" / "data" / "test.tsv").read_text(encoding="utf-8").splitlines()
    return [r.split("\t", 1)[1] for r in rows if "\t" in r and r.split("\t", 1)[1].strip()]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, cli, model, log, *args):
        self.log = open(log, "wb")
        self.port = free_port()
        self.proc = subprocess.Popen([cli, "serve", "-m", model, "--listen",
                                      f"127.0.0.1:{self.port}", *args], stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"server did not start (exit {self.proc.poll()})")

    def url(self, path=""):
        return f"http://127.0.0.1:{self.port}{path}"

    def rss_mb(self):
        status = pathlib.Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024

    def metric(self, name):
        with urllib.request.urlopen(self.url("/metrics")) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(name + " "):
                    return float(line.split()[-1])
        raise KeyError(name)

    def cpu_seconds(self):
        fields = pathlib.Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(30)
        self.log.close()
        return rc


def wrk(server, path, bodies_file, seconds, clients, threads=None):
    env = dict(os.environ, HSC_BENCH_BODIES=str(bodies_file), HSC_BENCH_PATH=path)
    threads = threads or min(clients, 2)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s",
                          "--latency", "-s", str(HERE / "post.lua"), server.url()],
                         capture_output=True, text=True, env=env, check=True).stdout
    res = {"requests": int(re.search(r"(\d+) requests in", out).group(1)),
           "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
           "errors": 0, "raw": out}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["errors"] += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["errors"] += sum(map(int, m.groups())) if m else 0
    for q in ("50", "99"):
        m = re.search(rf"^\s+{q}(?:\.000)?%\s+([\d.]+)(us|ms|s)\b", out, re.M)
        scale = {"us": 1, "ms": 1e3, "s": 1e6}[m.group(2)]
        res["p" + q] = float(m.group(1)) * scale
    return res


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q / 100 * len(values)))]


def access_log(log, path):
    out = []
    for line in pathlib.Path(log).read_text().splitlines():
        e = json.loads(line)
        if e.get("event") == "request" and e["path"] == path and e["status"] == 200:
            out.append(e)
    return out


def own_cost(cli, args, single, tmp):
    """1. one keep-alive client: the service's own cost."""
    log = tmp / "single.log"
    s = Server(cli, args.model, log, "--watch", "0")
    cpu = s.cpu_seconds()
    r1 = wrk(s, "/v1/classify", single, args.seconds, 1, 1)
    cpu = s.cpu_seconds() - cpu
    s.stop()
    entries = access_log(log, "/v1/classify")
    own = [e["us"] - e["lib_us"] for e in entries]
    lib = [e["lib_us"] for e in entries]
    return {
        "requests": len(entries), "rps": r1["rps"], "errors": r1["errors"],
        "own_p50_us": pct(own, 50), "own_p99_us": pct(own, 99),
        "lib_p50_us": pct(lib, 50), "lib_p99_us": pct(lib, 99),
        "lib_mean_us": statistics.mean(lib),
        # CPU time of the server per request (every thread), beside the
        # wall-clock figures that include waiting for a CPU.
        "cpu_us_per_request": cpu / max(1, r1["requests"]) * 1e6,
        "server_p50_us": pct([e["us"] for e in entries], 50),
        "queued_share": sum("wait_us" in e for e in entries) / len(entries),
        "wait_p50_us": pct([e.get("wait_us", 0) for e in entries], 50),
        "wait_p99_us": pct([e.get("wait_us", 0) for e in entries], 99),
        "client_p50_us": r1["p50"], "client_p99_us": r1["p99"]}


def eight_clients(cli, args, ts, single, batch):
    """2. 8 clients: single texts, batches, and the CLI on the same texts.
    The machine is shared (wrk too), so the server's own CPU time per text
    is measured beside the rates."""
    s = Server(cli, args.model, os.devnull, "--watch", "0")
    cpu = s.cpu_seconds()
    r8 = wrk(s, "/v1/classify", single, args.seconds, 8)
    cpu_single = (s.cpu_seconds() - cpu) / r8["requests"]
    cpu = s.cpu_seconds()
    rb = wrk(s, "/v1/classify/batch", batch, args.seconds, 8)
    cpu_batch = (s.cpu_seconds() - cpu) / (rb["requests"] * 100)
    s.stop()
    stdin = ("\n".join((ts * (10000 // len(ts) + 1))[:10000]) + "\n").encode()
    t0 = time.monotonic()
    cpu0 = os.times()
    rounds = 0
    while time.monotonic() - t0 < args.seconds / 2:
        subprocess.run([cli, "classify", "-m", args.model, "--format", "jsonl"], input=stdin,
                       stdout=subprocess.DEVNULL, check=True)
        rounds += 1
    cli_tps = rounds * 10000 / (time.monotonic() - t0)
    cpu1 = os.times()
    cli_cpu = (cpu1.children_user + cpu1.children_system - cpu0.children_user -
               cpu0.children_system) / (rounds * 10000)
    return {"rps": r8["rps"], "errors": r8["errors"], "p50_us": r8["p50"], "p99_us": r8["p99"],
            "batch_texts_per_s": rb["rps"] * 100, "batch_errors": rb["errors"],
            "cli_texts_per_s": cli_tps, "server_cpu_us_single": cpu_single * 1e6,
            "server_cpu_us_batch_text": cpu_batch * 1e6, "cli_cpu_us_text": cli_cpu * 1e6}


def rss(cli, args, single):
    """3. RSS over --requests requests."""
    s = Server(cli, args.model, os.devnull, "--watch", "0")
    samples = [(0, s.rss_mb())]
    done = 0
    errors = 0
    while done < args.requests:
        r = wrk(s, "/v1/classify", single, 10, 8)
        errors += r["errors"]
        done = int(s.metric('hsclass_requests_total{endpoint="classify"}'))
        samples.append((done, s.rss_mb()))
    s.stop()
    return {"samples": samples, "errors": errors}


def soak(cli, args, single, tmp):
    """4. soak with reloads: the model file replaced every 3 s, SIGHUP every
    third time."""
    live = tmp / "live.hscm"
    other = tmp / "other.hscm"
    shutil.copyfile(args.model, live)
    subprocess.run([cli, "train", "-q", "-o", str(other), "--dim", "16", "--buckets", "262144",
                    "--epochs", "5", str(ROOT / "tests" / "data" / "train_real.tsv")], check=True)
    log = tmp / "soak.log"
    s = Server(cli, str(live), log, "--watch", "1")
    stop = threading.Event()
    rss_samples = []

    def reloader():
        i = 0
        while not stop.wait(3):
            if i % 10 == 0:      # every 30 s
                rss_samples.append((round(i * 3), s.rss_mb()))
            src = other if i % 2 == 0 else args.model
            shutil.copyfile(src, str(live) + ".tmp")
            os.rename(str(live) + ".tmp", live)
            if i % 3 == 0:
                s.proc.send_signal(signal.SIGHUP)
            i += 1
    th = threading.Thread(target=reloader)
    th.start()
    rs = wrk(s, "/v1/classify", single, args.soak, 8)
    stop.set()
    th.join()
    alive = s.metric("hsclass_models_loaded")
    rss_after = s.rss_mb()
    s.stop()
    reloads = [json.loads(l) for l in log.read_text().splitlines() if '"reload"' in l]
    return {"seconds": args.soak, "requests": rs["requests"], "errors": rs["errors"],
            "reloads_ok": sum(e["result"] == "ok" for e in reloads),
            "reloads_refused": sum(e["result"] != "ok" for e in reloads),
            "models_loaded_after": alive, "rss_mb_after": rss_after,
            "rss_mb_samples": rss_samples}


PARTS = ("own", "eight", "rss", "soak")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--model", default=str(ROOT / "models" / "hs6-multi.hscm"))
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--soak", type=int, default=600)
    ap.add_argument("--parts", default=",".join(PARTS))
    args = ap.parse_args()
    parts = args.parts.split(",")
    if not set(parts) <= set(PARTS):
        raise SystemExit(f"--parts: some of {','.join(PARTS)}")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    cli = str(pathlib.Path(args.build) / "examples" / "hsclass-cli" / "hsclass")
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="hsc-serve-bench-"))
    ts = texts()
    single = tmp / "single.jsonl"
    single.write_text("".join(json.dumps({"text": t}) + "\n" for t in ts))
    batch = tmp / "batch.jsonl"
    batch.write_text("".join(json.dumps({"texts": ts[i:i + 100]}) + "\n"
                             for i in range(0, len(ts) - 99, 100)))
    old = HERE / "results.json"
    results = json.loads(old.read_text()) if old.exists() and len(parts) < len(PARTS) else {}
    results.update({"texts": len(ts), "cpus": os.cpu_count()})
    run = {"own": lambda: own_cost(cli, args, single, tmp),
           "eight": lambda: eight_clients(cli, args, ts, single, batch),
           "rss": lambda: rss(cli, args, single),
           "soak": lambda: soak(cli, args, single, tmp)}
    keys = {"own": "one_client", "eight": "eight_clients", "rss": "rss", "soak": "soak"}
    for part in parts:
        load = os.getloadavg()[0]
        res = run[part]()
        res["run"] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                      "args": f"--seconds {args.seconds} --requests {args.requests} "
                              f"--soak {args.soak}",
                      "load_before": round(load, 1), "load_after": round(os.getloadavg()[0], 1),
                      "nice": os.nice(0)}
        results[keys[part]] = res
    report(results, args)


def when(part):
    """Date, load average and niceness of the run that measured a part."""
    run = part.get("run")
    if not run:
        return "2026-12-02, earlier run"
    return (f"{run['date']}, load {run['load_before']}-{run['load_after']}"
            + (f", nice {run['nice']}" if run["nice"] else ""))


def report(r, args):
    o, e, rss, soak = r["one_client"], r["eight_clients"], r["rss"], r["soak"]
    queued = (f"{o['queued_share']:.0%} of requests queued; "
              if "queued_share" in o else "")
    lines = [
        "# hsclass serve: benchmark",
        "",
        f"`python3 bench/serve/bench.py`, model `{pathlib.Path(args.model).name}`, "
        f"{r['texts']} texts of tests/data/test.tsv, wrk, {r['cpus']} CPUs shared with other "
        "work (the load average is that of the whole machine).",
        "",
        "| measure | value | run |",
        "|---|---:|---|",
        f"| service's own cost per single-text request, p50 / p99 (access log: request time "
        f"minus library call) | {o['own_p50_us']} / {o['own_p99_us']} µs | {when(o)} |",
        f"| waiting for a worker (queue and thread wake-up), p50 / p99 | {queued}"
        f"{o['wait_p50_us']} / {o['wait_p99_us']} µs | {when(o)} |",
        f"| library call (hsc_session_classify), p50 / p99 | {o['lib_p50_us']} / "
        f"{o['lib_p99_us']} µs | {when(o)} |",
    ] + ([
        f"| server CPU time per single-text request, one client (all threads) / of which "
        f"outside the library call (minus its mean) | {o['cpu_us_per_request']:.0f} / "
        f"{o['cpu_us_per_request'] - o['lib_mean_us']:.0f} µs | {when(o)} |",
    ] if "cpu_us_per_request" in o else []) + [
        f"| client-side latency, one keep-alive client, p50 / p99 | {o['client_p50_us']:.0f} / "
        f"{o['client_p99_us']:.0f} µs ({o['rps']:.0f} requests/s) | {when(o)} |",
        f"| 8 clients, single texts | {e['rps']:.0f} requests/s (p50 {e['p50_us']:.0f} µs, "
        f"p99 {e['p99_us']:.0f} µs) | {when(e)} |",
        f"| 8 clients, batch endpoint (100 texts a request) | {e['batch_texts_per_s']:.0f} "
        f"texts/s | {when(e)} |",
        f"| `hsclass classify --format jsonl`, same texts (10,000 a run), one process | "
        f"{e['cli_texts_per_s']:.0f} texts/s | {when(e)} |",
        f"| CPU time per text: server single-text request / server batch / CLI | "
        f"{e['server_cpu_us_single']:.0f} / {e['server_cpu_us_batch_text']:.0f} / "
        f"{e['cli_cpu_us_text']:.0f} µs | {when(e)} |",
        "| RSS while serving (requests: MB) | " +
        ", ".join(f"{n:,}: {mb:.1f}" for n, mb in rss["samples"]) + f" | {when(rss)} |",
        f"| soak, {soak['seconds']} s, 8 clients, model replaced every 3 s (SIGHUP every 9 s) | "
        f"{soak['requests']:,} requests, {soak['errors']} failed; {soak['reloads_ok']} reloads, "
        f"{soak['reloads_refused']} refused; {soak['models_loaded_after']:.0f} model in memory "
        f"after" + (f"; RSS {soak['rss_mb_after']:.1f} MB after" if "rss_mb_after" in soak
                    else "") + f" | {when(soak)} |",
    ] + ([
        "| RSS during the soak (seconds: MB) | " +
        ", ".join(f"{t}: {mb:.1f}" for t, mb in soak["rss_mb_samples"]) + f" | {when(soak)} |",
    ] if soak.get("rss_mb_samples") else []) + [
        f"| failed requests elsewhere | one client {o['errors']}, 8 clients {e['errors']}, batch "
        f"{e['batch_errors']}, RSS run {rss['errors']} | |",
        "",
    ]
    text = "\n".join(lines)
    results = HERE / "RESULTS.md"
    # hand-written notes after the table survive a re-run
    old = results.read_text(encoding="utf-8") if results.exists() else ""
    notes = old[old.find("\nNotes"):] if "\nNotes" in old else ""
    results.write_text(text + notes)
    (HERE / "results.json").write_text(json.dumps(r, indent=1) + "\n")
    print(text)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""National training benchmark (issue 13): prints the figures as markdown.

  accuracy   10-digit training with default settings on TEC lines (tec_cedeao_fr)
             and on a real labelled set (uk_search_refs_en), trained on the fixed
             split's train/ rows and scored on its held-out rows (bench/split.py)
             and on the FR/PT dev set: top-1/top-5 at HS2, HS4, HS6, HS8, HS10
             (`hsclass eval --format json`). With --before HSCLASS, the same runs
             with another build (e.g. the library before the fix).
  adapt      uk_fpo_en as an administration's declarations at their 8/10-digit UK
             codes: the shipped model (models/hs6-multi.hscm) vs a model trained
             from scratch on the split's uk_fpo_en train rows vs the shipped model
             adapted to them (`train --from`), on the held-out uk_fpo_en rows the
             shipped model never saw, with training times.
  scale      training throughput and peak RSS on generated sets (national_gen.py)
             of the sizes given (--sizes 100000,1000000,...), on 1 and 2 threads,
             EPOCHS epochs (--scale-epochs, default 2), run with `nice`: wall and
             CPU seconds (on a shared machine the CPU figure is the stable one),
             CPU by phase (read, prepare, per epoch, finish) from the progress
             lines, and the estimate for the default 20 epochs.
  adapt_time the shipped model adapted (4 epochs) vs from scratch (20 epochs) on
             generated sets of --adapt-sizes rows (default 20000,100000; the
             first N rows of any larger generated set), one thread: CPU time by
             phase and the ratio (the issue's target: at most a third).

Usage: python3 bench/national_bench.py [accuracy] [adapt] [scale] [adapt_time]
           [--hsclass PATH] [--before PATH] [--sizes 100000,1000000] [--scale-epochs 2]
           [--threads-list 1,2] [--adapt-sizes 20000,100000]
Needs bench/out/split (python3 bench/split.py). Writes bench/out/national/.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out", "national")
SPLIT = os.path.join(HERE, "out", "split")
SHIPPED = os.path.join(ROOT, "models", "hs6-multi.hscm")
DEV = os.path.join(HERE, "data", "dev_fr_pt.tsv")
LEVELS = ["2", "4", "6", "8", "10"]


def run_timed(cmd, log=None, cpu=None):
    """Run cmd under nice; (wall seconds, peak RSS in MB of that child);
    cpu, a list, receives its user + system CPU seconds."""
    t0 = time.monotonic()
    with open(log or os.devnull, "w") as err:
        p = subprocess.Popen(["nice", *cmd], stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(cmd)}" + (f" (see {log})" if log else ""))
    return wall, usage.ru_maxrss / 1024.0


def proc_cpu(pid):
    """User + system CPU seconds of a running process (all its threads)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def epoch_progress(line):
    """(share of the run done, epochs) of an "epoch k/n  P%" progress line,
    or None. Lines come when an epoch starts and every 10 s within a long
    one, and at the end of the run."""
    m = re.match(r"epoch (\d+)/(\d+)\s+([\d.]+)%", line)
    return (float(m.group(3)) / 100.0, int(m.group(2))) if m else None


def run_phases(cmd, log):
    """Run `hsclass train` under nice, reading its progress lines: the CPU
    time the process had used at each (its stderr lines mark them: "total:
    ... rows accepted" ends the reading, "epoch k/n P%" a share P of the
    epochs done, "wrote" the model). Returns a dict: wall, cpu (wait4),
    rss_mb, read, prepare, per_epoch (CPU s), n_epochs, finish (calibration,
    precedent memory, writing)."""
    t0 = time.monotonic()
    marks = []   # (kind, cpu, progress)
    with open(log, "w") as out:
        p = subprocess.Popen(["nice", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
        for line in p.stderr:
            cpu = proc_cpu(p.pid)
            out.write(line)
            if line.startswith("total: "):
                marks.append(("read", cpu, None))
            elif line.startswith("epoch ") and epoch_progress(line):
                marks.append(("epoch", cpu, epoch_progress(line)))
            elif line.startswith("wrote "):
                marks.append(("wrote", cpu, None))
        _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(cmd)} (see {log})")
    r = {"wall": time.monotonic() - t0, "cpu": usage.ru_utime + usage.ru_stime,
         "rss_mb": usage.ru_maxrss / 1024.0}
    read = next((c for kind, c, _ in marks if kind == "read"), None)
    ep = [(c, pr) for kind, c, pr in marks if kind == "epoch"]
    r["read"] = read
    r["n_epochs"] = ep[-1][1][1] if ep else None
    r["per_epoch"] = r["prepare"] = None
    # the first epoch line comes after the preparation (featurizing) and a
    # share of the epochs; the CPU from it to the last line (all done)
    # gives the cost of an epoch, and so the preparation's
    if len(ep) >= 2 and ep[-1][1][0] > ep[0][1][0]:
        (c0, (f0, n)), (c1, (f1, _)) = ep[0], ep[-1]
        r["per_epoch"] = (c1 - c0) / ((f1 - f0) * n)
        if read is not None:
            r["prepare"] = c0 - read - r["per_epoch"] * f0 * n
    r["finish"] = r["cpu"] - ep[-1][0] if ep else None
    return r


def fmt(x, spec=",.0f"):
    return "-" if x is None else format(x, spec)


def held_out(source, test_file, out):
    """The split's held-out rows of one source as code<TAB>text."""
    with open(os.path.join(SPLIT, test_file), encoding="utf-8") as f, \
            open(out, "w", encoding="utf-8") as o:
        for line in f:
            code, text, src = line.rstrip("\n").split("\t")
            if src == source:
                o.write(f"{code}\t{text}\n")
    return out


def evaluate(hsclass, model, test):
    p = subprocess.run([hsclass, "eval", "-q", "-m", model, "--format", "json", test],
                       capture_output=True, check=True)
    return json.loads(p.stdout)["levels"]


def level_cells(levels):
    cells = []
    for d in LEVELS:
        lv = levels.get(d)
        cells.append("-" if lv is None else f"{100 * lv['top1']:.1f} / {100 * lv['top5']:.1f}")
    return cells


def table(title, rows):
    print(f"\n### {title}\n")
    print("| model | test set | rows | " + " | ".join(f"HS{d} top-1 / top-5" for d in LEVELS) +
          " | train s |")
    print("|---|---|---:|" + "---:|" * len(LEVELS) + "---:|")
    for name, test, levels, secs in rows:
        n = max((lv["rows"] for lv in levels.values()), default=0)
        t = f"{secs:.1f}" if secs is not None else "-"
        print(f"| {name} | {test} | {n} | " + " | ".join(level_cells(levels)) + f" | {t} |")
    sys.stdout.flush()


# ---- accuracy at 10 digits ---------------------------------------------------------------

def accuracy(a):
    tec_test = held_out("tec_cedeao_fr", "test_nomenclature.tsv", os.path.join(OUT, "tec_test.tsv"))
    refs_test = held_out("uk_search_refs_en", "test_real_en.tsv",
                         os.path.join(OUT, "refs_test.tsv"))
    runs = [("after", a.hsclass)] + ([("before", a.before)] if a.before else [])
    rows = []
    for tag, exe in runs:
        tec = os.path.join(OUT, f"tec10_{tag}.hscm")
        secs, _ = run_timed([exe, "train", "--digits", "10", "-o", tec,
                             os.path.join(SPLIT, "train", "tec_cedeao_fr.tsv") + ":nomenclature"],
                            os.path.join(OUT, f"tec10_{tag}.log"))
        rows.append((f"TEC lines, --digits 10 ({tag})", "TEC held out", evaluate(a.hsclass, tec,
                                                                                 tec_test), secs))
        rows.append((f"TEC lines, --digits 10 ({tag})", "dev FR/PT", evaluate(a.hsclass, tec, DEV),
                     None))
        if tag == "after":   # every TEC line a label: held-out lines get the split rule
            tecn = os.path.join(OUT, "tec10_national.hscm")
            secs, _ = run_timed([exe, "train", "--digits", "10", "-o", tecn, "--national",
                                 os.path.join(ROOT, "models", "data", "tec_cedeao_fr",
                                              "clean.tsv") + ":TEC-CEDEAO:fr",
                                 os.path.join(SPLIT, "train", "tec_cedeao_fr.tsv") +
                                 ":nomenclature"], os.path.join(OUT, "tec10_national.log"))
            rows.append(("TEC lines, --digits 10 --national TEC (after)", "TEC held out",
                         evaluate(a.hsclass, tecn, tec_test), secs))
        refs = os.path.join(OUT, f"refs10_{tag}.hscm")
        secs, _ = run_timed([exe, "train", "--digits", "10", "-o", refs,
                             os.path.join(SPLIT, "train", "uk_search_refs_en.tsv")],
                            os.path.join(OUT, f"refs10_{tag}.log"))
        rows.append((f"uk_search_refs_en, --digits 10 ({tag})", "held out",
                     evaluate(a.hsclass, refs, refs_test), secs))
        refs6 = os.path.join(OUT, f"refs6_{tag}.hscm")
        secs, _ = run_timed([exe, "train", "-o", refs6,
                             os.path.join(SPLIT, "train", "uk_search_refs_en.tsv")],
                            os.path.join(OUT, f"refs6_{tag}.log"))
        rows.append((f"uk_search_refs_en, --digits 6 ({tag})", "held out",
                     evaluate(a.hsclass, refs6, refs_test), secs))
    table("10-digit training, default settings (scored by the current `hsclass eval`)", rows)


# ---- adapting the shipped model ---------------------------------------------------------

def adapt(a):
    test = held_out("uk_fpo_en", "test_real_en.tsv", os.path.join(OUT, "fpo_test.tsv"))
    train = os.path.join(SPLIT, "train", "uk_fpo_en.tsv")
    scratch = os.path.join(OUT, "fpo_scratch.hscm")
    adapted = os.path.join(OUT, "fpo_adapted.hscm")
    t_scratch = run_phases([a.hsclass, "train", "--digits", "10", "-o", scratch, train],
                           os.path.join(OUT, "fpo_scratch.log"))["cpu"]
    t_adapt = run_phases([a.hsclass, "train", "--from", SHIPPED, "--digits", "10", "-o",
                          adapted, train], os.path.join(OUT, "fpo_adapted.log"))["cpu"]
    rows = [("shipped hs6-multi", "uk_fpo_en held out", evaluate(a.hsclass, SHIPPED, test), None),
            ("from scratch, --digits 10", "uk_fpo_en held out",
             evaluate(a.hsclass, scratch, test), t_scratch),
            ("adapted: --from hs6-multi --digits 10", "uk_fpo_en held out",
             evaluate(a.hsclass, adapted, test), t_adapt)]
    for name, model in (("shipped hs6-multi", SHIPPED), ("adapted", adapted)):
        rows.append((name, "dev FR/PT (other chapters kept?)", evaluate(a.hsclass, model, DEV),
                     None))
    table("Adapting the shipped model to uk_fpo_en at 8/10 digits", rows)
    print(f"\nadapted/scratch training CPU time: {t_adapt / t_scratch:.2f} "
          "(the last column: training CPU seconds)")


def generated_rows(n):
    """bench/out/national/gen_<n>.tsv: n generated national rows (national_gen.py), made once."""
    data = os.path.join(OUT, f"gen_{n}.tsv")
    if not os.path.exists(data):
        subprocess.run([sys.executable, os.path.join(HERE, "national_gen.py"), str(n), data],
                       check=True, stderr=subprocess.DEVNULL)
    return data


# ---- throughput and memory ----------------------------------------------------------

def scale(a):
    print("\n### Training throughput and peak RSS (generated national rows, `--digits 10`, "
          f"{a.scale_epochs} epochs, nice)\n")
    print("CPU seconds by phase from the process's CPU clock when each progress line came: "
          "reading the file, preparing (featurizing, labels, memory rows), one epoch, finishing "
          "(precedent memory, calibration, writing). 20 epochs (the default recipe) = read + "
          "prepare + 20 x epoch + finish, an estimate.\n")
    print("| rows | threads | distinct rows | wall s | CPU s | read CPU s | prepare CPU s "
          "| CPU s per epoch | input rows per epoch-CPU-s | finish CPU s | peak RSS MB "
          "| model MB | precedent rows | 20 epochs CPU s (est.) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in a.sizes:
        data = generated_rows(n)
        for threads in a.threads_list:
            model = os.path.join(OUT, f"gen_{n}_t{threads}.hscm")
            log = os.path.join(OUT, f"gen_{n}_t{threads}.log")
            r = run_phases([a.hsclass, "train", "--digits", "10", "-e", str(a.scale_epochs),
                            "-t", str(threads), "-o", model, data], log)
            info = subprocess.run([a.hsclass, "info", model], capture_output=True, text=True,
                                  check=True).stdout
            meta = dict(kv.split("=", 1) for line in info.splitlines()
                        if line.startswith("training") for kv in line.split()[1:])
            pe = r["per_epoch"]
            est = (r["read"] + r["prepare"] + 20 * pe + r["finish"]
                   if pe is not None and r["prepare"] is not None else None)
            print(f"| {n:,} | {threads} | {int(meta.get('rows', 0)):,} | {r['wall']:.0f} "
                  f"| {r['cpu']:.0f} | {fmt(r['read'])} | {fmt(r['prepare'])} | {fmt(pe)} "
                  f"| {fmt(n / pe if pe else None)} | {fmt(r['finish'])} | {r['rss_mb']:,.0f} "
                  f"| {os.path.getsize(model) / 1e6:.1f} | {meta.get('precedent_rows', '-')} "
                  f"| {fmt(est)} |")
            sys.stdout.flush()


# ---- adapting vs from scratch: training time -----------------------------------------------

def adapt_time(a):
    """Generated national rows (national_gen.py, the first N of the 100k set):
    from scratch (20 epochs) against the shipped model adapted (HSC_ADAPT_EPOCHS),
    one thread, CPU time by phase."""
    print("\n### Adapting vs from scratch: training CPU time (generated rows, `--digits 10`, "
          "1 thread, nice)\n")
    print("| rows | run | wall s | CPU s | read | prepare | per epoch | epochs | finish "
          "| peak RSS MB | adapted / scratch CPU |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in a.adapt_sizes:
        data = generated_rows(n)
        runs = {}
        for name, extra in (("from scratch", []), ("adapted", ["--from", SHIPPED])):
            tag = "scratch" if not extra else "adapted"
            runs[name] = r = run_phases(
                [a.hsclass, "train", "--digits", "10", "-t", "1", *extra, "-o",
                 os.path.join(OUT, f"gen_{n}_{tag}.hscm"), data],
                os.path.join(OUT, f"gen_{n}_{tag}.log"))
            ratio = (f"{r['cpu'] / runs['from scratch']['cpu']:.2f}" if name == "adapted"
                     else "")
            print(f"| {n:,} | {name} | {r['wall']:.0f} | {r['cpu']:.1f} | {fmt(r['read'], '.1f')} "
                  f"| {fmt(r['prepare'], '.1f')} | {fmt(r['per_epoch'], '.2f')} "
                  f"| {fmt(r['n_epochs'], 'd')} | {fmt(r['finish'], '.1f')} | {r['rss_mb']:,.0f} "
                  f"| {ratio} |")
            sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("parts", nargs="*", default=["accuracy", "adapt", "scale"])
    ap.add_argument("--hsclass", default=os.path.join(ROOT, "build", "examples", "hsclass-cli",
                                                      "hsclass"))
    ap.add_argument("--before", help="an older hsclass build for the before/after rows")
    ap.add_argument("--sizes", default="100000,1000000",
                    type=lambda s: [int(x) for x in s.split(",")])
    ap.add_argument("--threads-list", default="1,2", type=lambda s: [int(x) for x in s.split(",")])
    ap.add_argument("--scale-epochs", type=int, default=2)
    ap.add_argument("--adapt-sizes", default="20000,100000",
                    type=lambda s: [int(x) for x in s.split(",")])
    a = ap.parse_args()
    if not os.path.isdir(SPLIT):
        sys.exit("run python3 bench/split.py first")
    os.makedirs(OUT, exist_ok=True)
    for part in a.parts:
        {"accuracy": accuracy, "adapt": adapt, "scale": scale, "adapt_time": adapt_time}[part](a)


if __name__ == "__main__":
    main()

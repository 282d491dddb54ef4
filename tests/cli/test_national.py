"""hsclass train/eval on national codes (suite 'cli'): 8- and 10-digit rows
of the UK parcel data, eval down to the model's deepest level, and what
train says about held-out accuracy."""
import json
import re

import pytest

from test_cli import SOURCE_ROOT, TRAIN_OPTS, data, err, model, out, run  # noqa: F401 (fixtures)

FPO = SOURCE_ROOT / "models" / "data" / "uk_fpo_en" / "clean.tsv"


def _split(tmp_path):
    rows = FPO.read_text(encoding="utf-8").splitlines()
    train, test = tmp_path / "train.tsv", tmp_path / "test.tsv"
    train.write_text("\n".join(r for i, r in enumerate(rows) if i % 5) + "\n", encoding="utf-8")
    test.write_text("\n".join(r for i, r in enumerate(rows) if i % 5 == 0) + "\n",
                    encoding="utf-8")
    return train, test, rows


def test_national_train_and_eval_every_level(tmp_path):
    train, test, rows = _split(tmp_path)
    model = tmp_path / "uk10.hscm"
    p = run("train", "-o", model, "--digits", "10", *TRAIN_OPTS, train)
    assert p.returncode == 0, err(p)
    n_train = sum(1 for i in range(len(rows)) if i % 5)
    assert f"{n_train} rows accepted, 0 rejected" in err(p)   # 8-digit rows too
    # held-out top-1 below half the training rows' top-1 is said loudly
    training = dict(kv.split("=", 1) for kv in next(
        line for line in out(run("info", model)).splitlines()
        if line.startswith("training")).split()[1:])
    gap = float(training["valid_top1_linear"]) < 0.5 * float(training["train_top1_linear"])
    assert ("WARNING: held-out top-1" in err(p)) == gap
    # 4,005 search references over ~1,800 lines: learnt by heart, not generalized
    refs = SOURCE_ROOT / "models" / "data" / "uk_search_refs_en" / "clean.tsv"
    p = run("train", "-o", tmp_path / "refs.hscm", "--digits", "10", "--threads", "1", refs)
    assert p.returncode == 0 and "WARNING: held-out top-1" in err(p), err(p)
    p = run("eval", "-m", model, "--format", "json", test)
    assert p.returncode == 0, err(p)
    levels = json.loads(out(p))["levels"]
    assert set(levels) == {"2", "4", "6", "8", "10"}
    n_test = len(rows) - n_train
    n_ten = sum(1 for i, r in enumerate(rows) if i % 5 == 0 and len(r.split("\t")[0]) >= 10)
    assert levels["8"]["rows"] == n_test and levels["10"]["rows"] == n_ten
    for deep, shallow in (("4", "2"), ("6", "4"), ("8", "6")):
        assert levels[deep]["top1"] <= levels[shallow]["top1"]
    text = out(run("eval", "-m", model, test))
    assert "HS10" in text and "HS12" not in text
    # a 6-digit model shows no national level
    m6 = tmp_path / "uk6.hscm"
    assert run("train", "-q", "-o", m6, *TRAIN_OPTS, train).returncode == 0
    levels = json.loads(out(run("eval", "-m", m6, "--format", "json", test)))["levels"]
    assert set(levels) == {"2", "4", "6"}
    assert "HS8" not in out(run("eval", "-m", m6, test))


def test_train_from_a_model(tmp_path, model):
    """--from adapts a model: national lines under its subheadings, its
    featurization kept (options that would change it are ignored), the base
    named in the model's metadata; a base that cannot be read stops before
    anything is written."""
    train, test, rows = _split(tmp_path)
    out_path = tmp_path / "adapted.hscm"
    p = run("train", "--from", model, "-o", out_path, "--digits", "10", "--threads", "1",
            "--buckets", "4096", train)
    assert p.returncode == 0, err(p)
    info = out(run("info", out_path))
    base_info = out(run("info", model))
    fingerprint = re.search(r"fingerprint\s+(\w+)", base_info).group(1)
    assert f"train.from_fingerprint = {fingerprint}" in info
    assert "train.epochs = 4" in info   # HSC_ADAPT_EPOCHS
    hash_line = lambda text: re.search(r"^hash .*$", text, re.M).group(0)
    assert hash_line(info) == hash_line(base_info)   # not --buckets 4096
    levels = json.loads(out(run("eval", "-m", out_path, "--format", "json", test)))["levels"]
    assert "10" in levels and levels["10"]["rows"] > 0
    missing = tmp_path / "nope.hscm"
    p = run("train", "--from", missing, "-o", tmp_path / "x.hscm", train)
    assert p.returncode == 3 and "nope.hscm" in err(p)
    assert not (tmp_path / "x.hscm").exists()


def test_train_map_and_rejections_by_reason(tmp_path):
    table = SOURCE_ROOT / "tests" / "data" / "hs2017_to_hs2022_sample.tsv"
    nomen = SOURCE_ROOT / "models" / "data" / "hs2022" / "nomenclature_en.tsv"
    rows = tmp_path / "old.tsv"
    rows.write_text("851770\tantenna parts for mobile phones\n441810\twooden window frames\n"
                    "854810\tspent battery scrap\n020130\tfrozen boneless beef\n"
                    "980100\tno such code\n980200\tnor this one\n02\tmeat\n", encoding="utf-8")
    out_path = tmp_path / "m.hscm"
    p = run("train", "-o", out_path, "--map", table, "--describe", f"{nomen}:en", "--valid", "0",
            *TRAIN_OPTS, rows)
    assert p.returncode == 0, err(p)
    e = err(p)
    assert "3 rows mapped through the correlation tables (3 split among several codes)" in e
    reasons = e[e.index("rejected rows by reason:"):].splitlines()[1:]
    counts = {line.split(None, 1)[1]: int(line.split()[0]) for line in reasons}
    assert counts == {"code # is not in the nomenclature": 2,
                      "code shorter than the training level": 1}
    assert run("train", "-o", tmp_path / "x.hscm", "--map", tmp_path / "none.tsv",
               rows).returncode == 3


def test_train_killed_then_resumed_writes_the_same_model(tmp_path):
    """`train --checkpoint` killed (SIGKILL) after a few epochs, then
    `--resume`: the model is byte for byte the uninterrupted run's."""
    import signal
    import subprocess
    from cli_env import CLI
    args = ["train", "--digits", "10", "--dim", "16", "--buckets", "131072", "--epochs", "60",
            "--threads", "1", FPO]
    full = tmp_path / "full.hscm"
    p = run(*args, "-o", full)
    assert p.returncode == 0, err(p)
    ck, resumed = tmp_path / "run.ckpt", tmp_path / "resumed.hscm"
    proc = subprocess.Popen([CLI, *map(str, args), "-o", resumed, "--checkpoint", ck],
                            stderr=subprocess.PIPE)
    for line in proc.stderr:
        if line.startswith(b"epoch 3/60"):
            proc.send_signal(signal.SIGKILL)
            break
    proc.stderr.close()
    assert proc.wait(timeout=600) == -signal.SIGKILL
    assert ck.exists() and not resumed.exists()
    kept = tmp_path / "kept.ckpt"
    kept.write_bytes(ck.read_bytes())
    p = run(*args, "-o", resumed, "--resume", ck, "--checkpoint", ck)
    assert p.returncode == 0, err(p)
    assert re.search(r"^epoch ([4-9]|[1-5][0-9])/60 ", err(p), re.M)   # not from epoch 1
    assert not re.search(r"^epoch [1-3]/60 ", err(p), re.M)
    assert resumed.read_bytes() == full.read_bytes()
    assert not ck.exists()   # its run is over
    # other options: refused, and why
    p = run(*args[:-1], "--seed", "9", FPO, "-o", tmp_path / "x.hscm", "--resume", kept)
    assert p.returncode == 4 and "written for other training rows or options" in err(p), err(p)
    p = run(*args, "-o", tmp_path / "x.hscm", "--resume", ck)
    assert p.returncode == 3 and "cannot read the checkpoint" in err(p)
    ck.write_bytes(full.read_bytes())
    p = run(*args, "-o", tmp_path / "x.hscm", "--resume", ck)
    assert p.returncode == 4 and "not a training checkpoint, or truncated" in err(p), err(p)
    assert not (tmp_path / "x.hscm").exists()


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_train_stopped_by_signal_keeps_only_its_checkpoint(tmp_path, sig):
    """SIGTERM or SIGHUP while training stops it at the next progress report,
    as Ctrl-C does (exit 130, no model): never inside a checkpoint's write,
    so nothing but the last checkpoint is left, and resuming from it gives
    the uninterrupted run's bytes."""
    import signal
    import subprocess
    from cli_env import CLI
    args = ["train", "--digits", "10", "--dim", "16", "--buckets", "131072", "--epochs", "40",
            "--threads", "1", FPO]
    full = tmp_path / "full.hscm"
    assert run(*args, "-o", full).returncode == 0
    work = tmp_path / "work"
    work.mkdir()
    ck, out = work / "run.ckpt", work / "m.hscm"
    proc = subprocess.Popen([CLI, *map(str, args), "-o", out, "--checkpoint", ck],
                            stderr=subprocess.PIPE)
    for line in proc.stderr:
        if line.startswith(b"epoch 2/40"):
            proc.send_signal(getattr(signal, sig))
            break
    rest = proc.stderr.read().decode()
    assert proc.wait(timeout=600) == 130, rest
    assert "interrupted; no model written; continue with --resume" in rest
    assert sorted(x.name for x in work.iterdir()) == ["run.ckpt"]
    p = run(*args, "-o", out, "--resume", ck)
    assert p.returncode == 0, err(p)
    assert out.read_bytes() == full.read_bytes()


def test_checkpoint_write_killed_leaves_what_the_next_run_takes_over(tmp_path):
    """SIGKILL while a checkpoint is written leaves its temporary file
    beside it, the previous checkpoint whole. The temporary has one name,
    run.ckpt.partial, so the next run with the same --checkpoint takes it
    over: resumed from the checkpoint, it leaves nothing but its model. A
    file of that name that is not a partial checkpoint is never touched:
    the run is refused before training, and says why."""
    import os
    import signal
    import subprocess
    import time
    from cli_env import CLI
    args = ["train", "--digits", "10", "--dim", "64", "--buckets", "131072", "--epochs", "8",
            "--threads", "1", FPO]
    work = tmp_path / "work"
    work.mkdir()
    ck, model = work / "run.ckpt", work / "m.hscm"
    left = []
    for attempt in range(20):   # kill it while a checkpoint after the first is written
        for x in work.iterdir():
            x.unlink()
        proc = subprocess.Popen([CLI, *map(str, args), "-o", model, "--checkpoint", ck],
                                stderr=subprocess.DEVNULL)
        t0 = time.monotonic()
        while proc.poll() is None and time.monotonic() - t0 < 120:
            names = os.listdir(work)
            if "run.ckpt" in names and any(x.startswith("run.ckpt.") for x in names):
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=120)
        left = [x for x in os.listdir(work) if x.startswith("run.ckpt.")]
        if proc.returncode == -signal.SIGKILL and left:
            break
    assert left, "no checkpoint write was caught in 20 runs"
    assert left == ["run.ckpt.partial"] and not model.exists()
    p = run(*args, "-o", model, "--resume", ck, "--checkpoint", ck)
    assert p.returncode == 0, err(p)
    assert not re.search(r"^epoch 1/8 ", err(p), re.M)   # resumed: the checkpoint was whole
    assert sorted(os.listdir(work)) == ["m.hscm"]   # no temporary, no checkpoint left

    # a file of that name that no killed run left: never touched
    mine = work / "run.ckpt.partial"
    for content in (b"my notes\n", b"HSCx"):
        mine.write_bytes(content)
        p = run(*args, "-o", work / "x.hscm", "--checkpoint", ck)
        assert p.returncode == 3, err(p)
        assert "run.ckpt.partial is in the way" in err(p), err(p)
        assert mine.read_bytes() == content and not (work / "x.hscm").exists()
    mine.unlink()
    os.symlink(model.name, mine)   # nor a link, nor what it points to
    before = model.read_bytes()
    p = run(*args, "-o", work / "x.hscm", "--checkpoint", ck)
    assert p.returncode == 3 and mine.is_symlink() and model.read_bytes() == before, err(p)


def test_train_shows_progress_while_reading(tmp_path):
    """On a terminal, a file that takes more than half a second to read
    shows its rows, rows/s and megabytes read (no size, so no ETA, for a
    pipe), then gives way to the file's counts."""
    import os
    import pty
    import subprocess
    import threading
    import time
    from cli_env import CLI
    rows = FPO.read_text(encoding="utf-8").splitlines(True)
    master, slave = pty.openpty()
    proc = subprocess.Popen([CLI, "train", "--digits", "10", "--dim", "16", "--buckets", "131072",
                             "--epochs", "1", "-o", tmp_path / "m.hscm", "/dev/stdin"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)

    def feed():
        for i in range(60000):   # 60,000 lines over about 1.5 s
            proc.stdin.write(rows[i % len(rows)].encode("utf-8"))
            if i % 2000 == 0:
                proc.stdin.flush()
                time.sleep(0.05)
        proc.stdin.close()
    writer = threading.Thread(target=feed)
    writer.start()
    screen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:   # EIO: the process closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    writer.join()
    os.close(master)
    assert proc.wait(timeout=600) == 0, screen
    text = screen.decode("utf-8", "replace")
    assert re.search(r"reading /dev/stdin: \d+ rows, \d+ rows/s, [\d.]+ MB, ETA --:--", text), text
    assert re.search(r"\r\033\[K/dev/stdin: 60000 rows accepted", text), text

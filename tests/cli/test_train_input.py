"""`hsclass train` on hostile input never leaves a partial model file: a
failed run writes nothing, leaves an existing model at the output path byte
for byte as it was, and leaves no temporary file beside it. Run by `meson
test` (suite 'cli'); HSCLASS_CLI names the executable, HSCLASS_SOURCE_ROOT
the source tree. Complements tests/cli/test_cli.py (usage errors, Ctrl-C).
"""
import random

import pytest

from cli_env import DATA, out as out_text, run

TINY = DATA / "corrupt" / "tiny.tsv"
OPTS = ["--dim", "4", "--buckets", "4096", "--epochs", "3", "--threads", "1", "-q"]
OLD = b"an older model: must survive a failed train\n"


def train(out, *inputs, extra=()):
    return run("train", "-o", out, *OPTS, *extra, *inputs)


def garbage(n, seed):
    rnd = random.Random(seed)
    return bytes(rnd.getrandbits(8) for _ in range(n))


def hostile(tmp):
    """(name, input paths, expected exit code) for runs that must fail."""
    d = tmp / "in"
    d.mkdir()
    files = {
        "empty": b"",
        "blank": b"\n \r\n\t\n",
        "bom-only": b"\xef\xbb\xbf",
        "one-class": b"020130\tbeef\n0201.30\tveal\n020130\tboeuf\r\n",
        "garbage": garbage(200_000, 1),
        "utf16": "020130\tbeef\n870323\tcar\n".encode("utf-16"),
        "huge-line": b"020130\t" + b"beef " * (2 << 20) + b"\n870323\tcar\n",
    }
    for name, data in files.items():
        (d / name).write_bytes(data)
    cases = [(name, [d / name], 4) for name in files]
    cases += [
        ("missing", [d / "missing.tsv"], 3),
        ("directory", [d], 3),
        ("good-then-missing", [TINY, d / "missing.tsv"], 3),
        ("strict", [d / "garbage", "--strict"], 4),
    ]
    return cases


def leftovers(folder, keep):
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_failed_train_writes_nothing(tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for name, args, code in hostile(tmp_path):
        inputs = [a for a in args if not str(a).startswith("--")]
        extra = [a for a in args if str(a).startswith("--")]
        new = out_dir / (name + ".hscm")
        p = train(new, *inputs, extra=extra)
        assert p.returncode == code, (name, p.returncode, p.stderr.decode(errors="replace"))
        assert not new.exists(), name
        old = out_dir / "old.hscm"
        old.write_bytes(OLD)
        p = train(old, *inputs, extra=extra)
        assert p.returncode == code, name
        assert old.read_bytes() == OLD, name
        assert leftovers(out_dir, {"old.hscm"}) == [], name


def test_unwritable_output_leaves_nothing(tmp_path):
    target = tmp_path / "is-a-dir.hscm"
    target.mkdir()
    p = train(target, TINY)
    assert p.returncode == 3, p.stderr.decode(errors="replace")
    assert target.is_dir() and not list(target.iterdir())
    assert leftovers(tmp_path, {"is-a-dir.hscm"}) == []
    p = train(tmp_path / "no" / "such" / "dir.hscm", TINY)
    assert p.returncode == 3
    assert leftovers(tmp_path, {"is-a-dir.hscm"}) == []


def test_crlf_bom_and_skipped_rows_train_the_same_model(tmp_path):
    """Line endings, a BOM and skipped junk lines do not change the model;
    a successful run replaces an existing file atomically."""
    rows = TINY.read_bytes()
    ref = tmp_path / "ref.hscm"
    assert train(ref, TINY).returncode == 0
    variants = {
        "crlf": rows.replace(b"\n", b"\r\n"),
        "bom": b"\xef\xbb\xbf" + rows,
        "junk": b"junk line\n\xff\xfe\x00\n" + rows + b"\n\n\t\n123\t\n",
    }
    for name, data in variants.items():
        src = tmp_path / name / TINY.name   # a model records its sources' names
        src.parent.mkdir()
        src.write_bytes(data)
        out = tmp_path / "m.hscm"
        out.write_bytes(OLD)
        p = train(out, src)
        assert p.returncode == 0, (name, p.stderr.decode(errors="replace"))
        if name != "junk":   # junk rows are counted in META (train.rows_rejected)
            assert out.read_bytes() == ref.read_bytes(), name
        assert out.read_bytes()[:5] == b"\x89HSCM"
        assert leftovers(tmp_path, {"ref.hscm", "m.hscm", "crlf", "bom", "junk"}) == []


@pytest.mark.parametrize("version", ["1", "2"])
def test_feature_version_is_recorded(tmp_path, version):
    """--feature-version 1 trains without head-phrase features (the ablation of
    bench/ablation.py); the model says which version it was trained with."""
    out = tmp_path / "m.hscm"
    r = train(out, TINY, extra=("--feature-version", version))
    assert r.returncode == 0, r.stderr
    info = run("info", "-m", out)
    assert info.returncode == 0, info.stderr
    assert f"feature.version = {version}\n" in out_text(info)


def test_feature_version_out_of_range_is_a_usage_error(tmp_path):
    r = train(tmp_path / "m.hscm", TINY, extra=("--feature-version", "3"))
    assert r.returncode == 2 and b"--feature-version" in r.stderr
    assert not (tmp_path / "m.hscm").exists()

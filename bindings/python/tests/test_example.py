"""examples/python/classify_csv.py end to end."""

import csv
import os
import subprocess
import sys

import pytest

from conftest import HERE, SOURCE_ROOT

SCRIPT = SOURCE_ROOT / "examples" / "python" / "classify_csv.py"


def run(args, **kw):
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=300, **kw)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def declarations(tmp_path, test_rows):
    path = tmp_path / "decl.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "Goods description", "expected"])
        for i, (code, text) in enumerate(test_rows[:60]):
            w.writerow([i, text, code])
        w.writerow([60, ""])  # short row: nothing to classify
    return path


def test_classify_csv(declarations, model_path, model, tmp_path):
    out = tmp_path / "out.csv"
    r = run([declarations, "-o", out, "--column", "Goods description", "-k", 3,
             "--model", model_path, "--threads", 2, "--batch", 16])
    assert r.returncode == 0, r.stderr
    assert "61/61 rows" in r.stderr and "\r" not in r.stderr  # plain progress, no bar
    rows = read_csv(out)
    assert len(rows) == 61
    assert list(rows[0]) == ["id", "Goods description", "expected", "hs_code_1", "hs_score_1",
                             "hs_code_2", "hs_score_2", "hs_code_3", "hs_score_3"]
    for row in rows[:60]:
        expect = model.classify(row["Goods description"], k=3)
        assert row["hs_code_1"] == expect[0].code
        assert float(row["hs_score_1"]) == pytest.approx(expect[0].score, abs=1e-4)
    assert rows[60]["hs_code_1"] == ""


def test_rejected_rows_are_reported(model_path, model, tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("description\nfrozen beef\n" + "beef " * 20000 + "\nfresh apricots\n",
                   encoding="utf-8")
    r = run([src, "-o", out, "-k", 1, "--level", 2, "--model", model_path])
    assert r.returncode == 1
    assert "record 2" in r.stderr and "HSC_E_TEXT_TOO_LONG" in r.stderr
    assert "1 of 3 rows" in r.stderr
    rows = read_csv(out)
    chapter = [model.classify(t, k=1, level=2)[0].code for t in ("frozen beef", "fresh apricots")]
    assert [row["hs_code_1"] for row in rows] == [chapter[0], "", chapter[1]]
    assert all(len(c) == 2 for c in chapter)


def test_usage_errors(declarations, model_path, tmp_path):
    r = run([declarations, "--column", "nope", "--model", model_path])
    assert r.returncode == 2 and "Goods description" in r.stderr
    r = run([declarations, "--column", "Goods description", "--model", tmp_path / "none.hscm"])
    assert r.returncode == 2 and "cannot load the model" in r.stderr


def test_reads_stdin_and_writes_stdout(model_path, model):
    r = run(["-", "--model", model_path, "-k", 1], input="description\nfresh apricots\n")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "description,hs_code_1,hs_score_1"
    assert lines[1].startswith("fresh apricots," + model.classify("fresh apricots", k=1)[0].code)

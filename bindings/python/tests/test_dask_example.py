"""examples/python/dask_classify.py on a small dataset: two CSV files, a
LocalCluster of 2 worker processes, each loading the pickled model once."""

import csv
import os
import subprocess
import sys

import pytest

from conftest import SOURCE_ROOT

EXAMPLE = SOURCE_ROOT / "examples" / "python" / "dask_classify.py"


def test_dask_example_with_two_workers(model, model_path, test_rows, tmp_path):
    pytest.importorskip("pandas")
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    src = tmp_path / "in"
    src.mkdir()
    written = []
    for f in range(2):
        with open(src / f"d{f}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "goods"])
            for i, (_code, text) in enumerate(test_rows[:30]):
                w.writerow([f"{f}-{i}", text])
                written.append((f"{f}-{i}", text))
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, str(EXAMPLE), str(src / "*.csv"), str(out),
                        "--column", "goods", "-k", "2", "-m", str(model_path), "--workers", "2"],
                       capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert p.returncode == 0, p.stderr
    assert "60 rows in" in p.stderr and "2 local workers" in p.stderr
    got = {}
    for part in sorted(out.glob("part-*.csv")):
        with open(part, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                got[row["id"]] = row
    assert set(got) == {i for i, _ in written}
    for i, text in written[::7]:
        row = got[i]
        d = model.decide(text, 2)
        assert row["goods"] == text
        assert row["hs_code_1"] == d.suggestions[0].code
        assert row["hs_decision"] == d.decision and row["hs_reason"] == d.reason
    bad = subprocess.run([sys.executable, str(EXAMPLE), str(src / "*.csv"), str(out),
                          "--column", "nope", "-m", str(model_path)],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "no column" in bad.stderr

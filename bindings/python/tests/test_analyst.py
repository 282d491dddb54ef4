"""The analyst's side of the binding: batch decisions, streams, missing
values, audits of declared codes, evaluate(), pickling, rejected training
rows as warnings, and the installed package finding its own library."""

import math
import os
import pathlib
import pickle
import subprocess
import sys
import warnings

import pytest

import hsclass
from hsclass import _install, _model

MISSING = [None, float("nan")]


def test_decide_many_matches_decide_and_reviews_missing(model, test_rows):
    texts = [t for _, t in test_rows[:30]] + MISSING + [""]
    got = model.decide_many(texts, k=3, threads=2)
    assert len(got) == len(texts)
    for text, d in zip(texts[:30], got):
        one = model.decide(text, 3)
        assert (d.accept, d.reason, [s.code for s in d.suggestions]) == \
            (one.accept, one.reason, [s.code for s in one.suggestions])
    for d in got[30:]:
        assert not d.accept and d.reason == "no_content" and d.suggestions == []
    assert model.classify_many(MISSING, threads=2) == [[], []]


def test_a_bad_row_never_fails_the_batch_with_errors_return(model):
    texts = ["frozen beef", b"\xff\xfe", 42, None, "cotton shirts"]
    got = model.decide_many(texts, errors="return", threads=2)
    assert isinstance(got[1], hsclass.BadUTF8)
    assert isinstance(got[2], hsclass.InvalidArgument) and "int" in str(got[2])
    assert got[3].reason == "no_content"
    assert got[0].suggestions and got[4].suggestions
    with pytest.raises(hsclass.BadUTF8):
        model.decide_many(texts[:2], errors="raise")
    with pytest.raises(ValueError):
        model.decide_many(texts, errors="ignore")


def test_stream_keeps_input_order_in_chunks(model, test_rows):
    texts = [t for _, t in test_rows[:57]]
    done = []
    gen = (t for t in texts)   # a generator: read once, never held whole
    streamed = list(model.stream(gen, k=2, chunk=10, threads=2, progress=done.append))
    assert done == [10, 20, 30, 40, 50, 57]
    batch = model.decide_many(texts, k=2, threads=1)
    assert [[s.code for s in d.suggestions] for d in streamed] == \
        [[s.code for s in d.suggestions] for d in batch]
    assert [d.reason for d in streamed] == [d.reason for d in batch]
    with pytest.raises(ValueError):
        next(model.stream(texts, chunk=0))


def test_audit_scores_the_declared_code_at_every_level(model, test_rows):
    suspect = consistent = 0
    for _code, text in test_rows[:25]:
        levels = model.classify_levels(text, k=len(model.labels))
        best = levels[0][0].code
        a = model.audit(text, best, line_id="L1")
        assert a.declared == best and a.digits == 6 and a.line_id == "L1"
        for digits in (2, 4, 6):
            ranked = [s.code for s in levels[digits]]
            score = a.levels[digits]
            assert ranked[score.rank - 1] == best[:digits] or \
                levels[digits][score.rank - 1].score == pytest.approx(score.probability)
            assert score.probability == pytest.approx(levels[digits][score.rank - 1].score)
        far = levels[0][-1].code   # the model's least likely code for this text
        b = model.audit(text, far[:4] + "." + far[4:])
        assert b.probability == pytest.approx(levels[0][-1].score)
        assert b.levels[6].rank == len(model.labels) or b.probability == levels[0][-2].score
        quick = model.audit(text, far, ranks=False)   # the probabilities alone
        assert quick.levels[6].rank is None and quick.verdict == b.verdict
        assert [s.probability for s in quick.levels.values()] == \
            [s.probability for s in b.levels.values()]
        for x in (a, b):
            if x.reason in ("confident", "low_confidence"):
                assert x.verdict == ("suspect" if x.probability < x.threshold else "consistent")
                suspect += x.suspect
                consistent += x.verdict == "consistent"
    assert suspect > 0 and consistent > 0
    assert model.audit("123 kg", "870323").verdict == "unchecked"
    assert model.audit("frozen beef", "0202").digits == 4
    with pytest.raises(hsclass.BadCode):
        model.audit("frozen beef", "02x2")


def test_audit_many_reports_bad_codes_in_place(model):
    rows = [("0202.30", "frozen boneless beef", "a"), ("nonsense", "beef", "b"),
            ("020230", None, "c"), (None, "beef", "d")]
    got = list(model.audit_many(rows, threads=2))
    assert got[0].line_id == "a" and got[0].declared == "020230"
    assert isinstance(got[1], hsclass.BadCode)
    assert got[2].verdict == "unchecked" and got[2].line_id == "c"
    assert isinstance(got[3], hsclass.BadCode)


def test_evaluate_levels_groups_predictions(model, test_rows):
    rows = [(c, t, "even" if i % 2 == 0 else "odd") for i, (c, t) in enumerate(test_rows[:80])]
    rows.append(("not a code", "beef", "even"))
    r = hsclass.evaluate(model, rows, k=3, predictions=True, threads=2)
    assert r.rows == 80 and r.skipped == 1
    assert set(r.levels) == {2, 4, 6}
    for level in r.levels.values():
        assert 0 <= level.top1 <= level.topk <= 1 and level.rows == 80
    assert r.levels[2].top1 >= r.levels[6].top1
    assert r.ece is not None and 0 <= r.ece <= 1
    assert set(r.groups) == {"even", "odd"}
    assert r.groups["even"].rows + r.groups["odd"].rows == 80
    assert len(r.predictions) == 80
    right = sum(p.correct[6] for p in r.predictions)
    assert right == round(r.levels[6].top1 * 80)
    for p in r.predictions:
        assert p.decision in ("accept", "review") and len(p.suggestions) <= 3
    for c in r.coverage.values():
        assert c.threshold is None or (c.measured >= c.precision and c.accepted > 0)


def test_evaluate_ece_not_available_without_suggestions(model):
    r = hsclass.evaluate(model, [("020130", ""), ("870323", None)])
    assert r.rows == 2 and r.ece is None and r.levels[6].top1 == 0
    assert r.reasons == {"no_content": 2}


def test_evaluate_rows_coarser_than_the_model(model):
    r = hsclass.evaluate(model, [("0201", "fresh beef carcasses"), ("02", "frozen beef")])
    assert set(r.levels) == {2, 4} and r.levels[2].rows == 2 and r.levels[4].rows == 1
    assert r.ece is None   # no row's best code can be judged at 6 digits


def test_model_pickles_by_path_and_by_bytes(model, model_path, tmp_path):
    again = pickle.loads(pickle.dumps(model))
    assert again.fingerprint == model.fingerprint
    assert pickle.loads(pickle.dumps(model)) is again   # loaded once per process
    assert again.classify("frozen beef", 2) == model.classify("frozen beef", 2)
    mem = hsclass.Model.from_bytes(model.to_bytes())
    copy = pickle.loads(pickle.dumps(mem))
    assert copy.path is None and copy.fingerprint == model.fingerprint
    with pytest.raises(hsclass.FileError, match="changed since"):
        _model._unpickle_path(str(model_path), "00000000", {})


def test_rejected_training_rows_warn_by_default(tmp_path):
    data = tmp_path / "rows.tsv"
    data.write_text("020130\tfresh beef\nno tab here\n870323\tpassenger car\n12x4\tbad code\n"
                    "020230\tfrozen beef\n870324\tcar big engine\n", encoding="utf-8")
    opts = dict(epochs=1, dim=8, buckets=1 << 12, threads=1, precedents=0, augment=0)
    with pytest.warns(hsclass.RowWarning) as caught:
        hsclass.train(data, **opts).close()
    messages = [str(w.message) for w in caught]
    assert any(m.startswith(f"{data}:2:") for m in messages)
    assert any(m.startswith(f"{data}:4:") for m in messages)
    errors = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # a list given: no warning
        hsclass.train(data, row_errors=errors, **opts).close()
    assert [e.line for e in errors] == [2, 4]


def test_install_prefix_of_package_paths():
    p = pathlib.Path
    assert _install.install_prefix(p("/opt/x/lib/python3.11/site-packages/hsclass")) == p("/opt/x")
    assert _install.install_prefix(p("/usr/lib/python3/dist-packages/hsclass")) == p("/usr")
    assert _install.install_prefix(p("/src/bindings/python/hsclass")) is None
    assert p("/usr/lib") in _install.prefix_libdirs(p("/usr"))


def test_installed_package_finds_its_own_library(tmp_path):
    """meson install (DESTDIR): the installed package imports with no
    environment variable and loads the library of its own prefix."""
    build = os.environ.get("HSCLASS_TEST_BUILD")
    if not build:
        pytest.skip("needs the meson build directory (run through meson test)")
    dest = tmp_path / "dest"
    subprocess.run(["meson", "install", "-C", build, "--no-rebuild", "--quiet",
                    "--destdir", str(dest)], check=True, capture_output=True)
    inits = list(dest.rglob("hsclass/__init__.py"))
    assert len(inits) == 1
    site = inits[0].parent.parent
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HSCLASS_") and k not in ("PYTHONPATH", "LD_LIBRARY_PATH")}
    env["PYTHONPATH"] = str(site)
    out = subprocess.run([sys.executable, "-c",
                          "import hsclass; print(hsclass.library_path); "
                          "print(hsclass.default_model_path())"],
                         env=env, cwd=tmp_path, check=True, capture_output=True, text=True)
    lib, model = out.stdout.split("\n")[:2]
    assert lib.startswith(str(dest)), out.stdout
    assert model.startswith(str(dest)) and model.endswith("hs6-multi.hscm"), out.stdout


def test_pandas_helpers(model, test_rows):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"description": [t for _, t in test_rows[:20]] + [None, math.nan],
                       "hs": [c for c, _ in test_rows[:20]] + ["020130", "020130"],
                       "office": ["A", "B"] * 11}, index=range(100, 122))
    import hsclass.pandas as hp
    out = hp.classify(df, "description", k=2, model=model, threads=2)
    assert list(out.columns) == ["code_1", "code_2", "score_1", "score_2", "decision", "reason",
                                 "description"]
    assert list(out.index) == list(df.index)
    assert out.loc[120, "reason"] == "no_content" and out.loc[121, "decision"] == "review"
    assert out.loc[100, "code_1"] == model.classify(df.loc[100, "description"], 1)[0].code
    audit = hp.audit(df, "hs", "description", model=model)
    assert list(audit.index) == list(df.index)
    assert set(audit["verdict"]) <= {"consistent", "suspect", "unchecked"}
    assert audit.loc[120, "verdict"] == "unchecked"
    report = hp.evaluate(df.iloc[:20], "hs", "description", group="office", model=model,
                         predictions=True)
    assert set(report.groups) == {"A", "B"} and report.rows == 20
    frame = hp.predictions_frame(report)
    assert len(frame) == 20 and "correct_6" in frame.columns

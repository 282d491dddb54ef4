"""Classification, levels, metadata, saving and loading."""

import pytest

import hsclass

from conftest import read_tsv


def test_classify_returns_ranked_suggestions(model):
    got = model.classify("frozen boneless beef cuts", k=5)
    assert 1 <= len(got) <= 5
    assert all(isinstance(s, hsclass.Suggestion) for s in got)
    scores = [s.score for s in got]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in scores) and sum(scores) <= 1.0 + 1e-6
    assert all(s.code in model.labels and s.description is None for s in got)
    assert model.classify("viande bovine congelee", k=1)[0].code.startswith("02")  # meat


def test_k_limits_the_results(model):
    assert len(model.classify("fresh apricots", k=1)) == 1
    assert len(model.classify("fresh apricots", k=3)) <= 3
    with pytest.raises(hsclass.InvalidArgument):
        model.classify("fresh apricots", k=0)


def test_aggregate_levels(model):
    text = "frozen boneless beef cuts"
    labels = model.classify(text, k=len(model.labels))
    for level in (2, 4):
        agg = model.classify(text, k=50, level=level)
        assert agg and all(len(s.code) == level for s in agg)
        assert sum(s.score for s in agg) <= 1.0 + 1e-6  # float32 sums
        best = agg[0]
        below = sum(s.score for s in labels if s.code.startswith(best.code))
        assert best.score == pytest.approx(below, abs=1e-6)
    assert model.classify(text, k=3, level=2)[0].code == "02"
    # the model's own level under its digit count too
    assert model.classify(text, k=3, level=6) == model.classify(text, k=3)
    with pytest.raises(hsclass.InvalidArgument):
        model.classify(text, level=3)


def test_classify_levels(model):
    levels = model.classify_levels("fresh apricots", k=3)
    assert set(levels) >= {0, 2, 4, 6}
    assert levels[0] == model.classify("fresh apricots", k=3)
    assert levels[4] == model.classify("fresh apricots", k=3, level=4)


def test_quality(model, test_rows, data_dir):
    # Loose floors: they catch wiring errors (a wrong index gives ~0), not tuning.
    chapters = model.classify_many([t for _, t in test_rows], k=1, level=2, threads=2)
    hits = sum(bool(r) and r[0].code == code[:2] for (code, _), r in zip(test_rows, chapters))
    assert hits / len(test_rows) >= 0.6
    seen = read_tsv(data_dir / "train_real.tsv")
    top5 = model.classify_many([t for _, t in seen], k=5, threads=2)
    hits = sum(code in {s.code for s in r} for (code, _), r in zip(seen, top5))
    assert hits / len(seen) >= 0.6


def test_str_and_bytes_agree(model):
    text = "viande bovine désossée congelée"
    assert model.classify(text) == model.classify(text.encode("utf-8"))


def test_text_without_tokens_gives_nothing(model):
    assert model.classify("") == []
    assert model.classify("   ") == []
    assert model.classify_levels("") == {0: [], 2: [], 4: [], 6: []}


def test_invalid_utf8(model):
    with pytest.raises(hsclass.BadUTF8) as info:
        model.classify(b"frozen \xc3\x28 beef")
    assert info.value.status == 20 and info.value.detail


def test_runtime_config(model_path):
    with hsclass.Model(model_path, config={"max_text_bytes": 10}) as m:
        with pytest.raises(hsclass.TextTooLong):
            m.classify("frozen boneless beef cuts")
        assert m.classify("beef")
        with m.session(config={"utf8_replace": 1}) as s:  # adds to the model's
            assert s.classify(b"\xff beef")
            with pytest.raises(hsclass.TextTooLong):
                s.classify("frozen boneless beef cuts")
        with m.session(config={"max_text_bytes": 100}) as s:  # overrides it
            assert s.classify("frozen boneless beef cuts")
    with hsclass.Model(model_path, config={"utf8_replace": 1}) as m:
        assert m.classify(b"frozen \xff beef")


def test_tokens_use_the_model_featurization(model):
    toks = model.tokens("Frozen beef 20kg")
    assert [t.text for t in toks][:2] == ["frozen", "beef"]


def test_labels_and_metadata(model):
    labels = model.labels
    assert labels == tuple(sorted(labels)) and len(set(labels)) == len(labels)
    assert all(len(c) == 6 and c.isdigit() for c in labels)
    info = model.info
    assert info["fingerprint"] and info["format_version"].startswith("1")
    assert "en" in info["languages"] and "fr" in info["languages"]
    meta = model.meta
    assert meta and all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items())
    assert repr(model).startswith("<hsclass.Model")


def test_to_bytes_from_bytes_and_save(model, model_path, tmp_path):
    data = model.to_bytes()
    assert data == model_path.read_bytes()  # deterministic writer
    with hsclass.Model.from_bytes(data) as copy:
        assert copy.path is None and copy.labels == model.labels
        assert copy.classify("fresh apricots") == model.classify("fresh apricots")
        out = tmp_path / "again.hscm"
        copy.save(out)
    assert out.read_bytes() == data
    with hsclass.Model.from_bytes(bytearray(data)) as again:
        assert again.info["fingerprint"] == model.info["fingerprint"]


def test_corrupt_models(model_path, tmp_path):
    data = model_path.read_bytes()
    with pytest.raises(hsclass.CorruptModel) as info:
        hsclass.Model.from_bytes(data[:100])
    assert isinstance(info.value, hsclass.ModelError)
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0xFF
    with pytest.raises(hsclass.CorruptModel) as info:
        hsclass.Model.from_bytes(bytes(damaged))
    assert 0 <= info.value.offset <= len(data)
    with pytest.raises(hsclass.CorruptModel):
        hsclass.Model.from_bytes(b"not a model at all" * 10)
    bad = tmp_path / "bad.hscm"
    bad.write_bytes(data[:-7])
    with pytest.raises(hsclass.CorruptModel) as info:
        hsclass.Model(bad)
    assert str(bad) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(hsclass.FileError) as info:
        hsclass.Model(tmp_path / "missing.hscm")
    assert info.value.status == 40 and "missing.hscm" in str(info.value)


def test_default_model_from_environment(model_path, monkeypatch):
    monkeypatch.setenv("HSCLASS_MODEL", str(model_path))
    assert hsclass.default_model_path() == str(model_path)
    with hsclass.Model() as m:
        assert m.path == str(model_path)
        assert m.labels


def test_closed_model_raises_state_error(model_path):
    m = hsclass.Model(model_path)
    m.close()
    m.close()  # idempotent
    assert m.closed
    for call in (lambda: m.classify("beef"), lambda: m.info, lambda: m.to_bytes(),
                 lambda: m.session(), lambda: m.classify_many(["beef"])):
        with pytest.raises(hsclass.StateError):
            call()


def test_default_model_search_order(model_path, tmp_path, monkeypatch):
    from hsclass import _lib
    monkeypatch.delenv("HSCLASS_MODEL", raising=False)
    # an installed layout: <prefix>/lib/<triplet>/libhsclass.so.1 and
    # <prefix>/share/hsclass/hs6-multi.hscm
    libdir = tmp_path / "lib" / "x86_64-linux-gnu"
    libdir.mkdir(parents=True)
    share = tmp_path / "share" / "hsclass"
    share.mkdir(parents=True)
    monkeypatch.setattr(_lib, "library_path", str(libdir / "libhsclass.so.1"))
    source_default = hsclass.default_model_path()  # the source tree's, if any
    assert source_default is None or source_default.endswith("models/hs6-multi.hscm")
    (share / "hs6-multi.hscm").write_bytes(model_path.read_bytes())
    assert hsclass.default_model_path() == str(share / "hs6-multi.hscm")
    with hsclass.Model() as m:
        assert m.path == str(share / "hs6-multi.hscm") and m.labels
    monkeypatch.setenv("HSCLASS_MODEL", str(tmp_path / "elsewhere.hscm"))
    assert hsclass.default_model_path() == str(tmp_path / "elsewhere.hscm")
    with pytest.raises(hsclass.FileError):
        hsclass.Model()

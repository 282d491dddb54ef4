"""What reviewing a declaration needs: descriptions, national lines, decisions,
constraints and explanations, through the binding."""

import math

import pytest

import hsclass

from conftest import DATA, SMALL


@pytest.fixture(scope="module")
def nomen_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("nomen") / "nomen.hscm"
    errors = []
    model = hsclass.train(
        [(DATA / "train_real.tsv", 3.0), (DATA / "train_nomenclature.tsv", 1.0, True)], out,
        rows=[("999999", "mystery goods from nowhere")],
        descriptions=[(DATA / "nomenclature_en.tsv", "en"), (DATA / "nomenclature_fr.tsv", "fr")],
        national=[(DATA / "tec_cedeao_slice.tsv", "TEC-CEDEAO", "fr")],
        row_errors=errors, **SMALL)
    model.close()
    assert [e.line for e in errors] == [0]
    assert "999999" in errors[0].message and errors[0].status == 24  # HSC_E_BAD_CODE
    with hsclass.Model(out) as m:
        yield m


def test_descriptions_and_lookup(nomen_model):
    m = nomen_model
    assert m.nomenclature_languages == ("en", "fr")
    assert m.describe("0201") == "Meat of bovine animals; fresh or chilled"
    assert m.describe("0201.30", "fr").endswith("; Désossées")
    assert m.describe("9999") is None
    assert m.describe("1006400000") == "Riz; Riz en brisures"   # a national line
    with pytest.raises(hsclass.BadCode):
        m.describe("02x")
    entries = m.lookup("0201")
    assert [e.code for e in entries] == ["0201", "020110", "020120", "020130"]
    assert all(e.description for e in entries)
    assert len(m.lookup()) == 1041
    assert m.lookup("95") == []
    assert "999999" not in m.labels


def test_suggestions_carry_descriptions(nomen_model):
    levels = nomen_model.classify_levels("frozen boneless beef", k=3, lang="fr")
    for level in (0, 2, 4):
        for s in levels[level]:
            assert s.description == nomen_model.describe(s.code, "fr")
            assert s.description
    # a model without a nomenclature: None
    assert all(s.description is None for s in nomen_model.classify("beef", lang="pt"))


def test_national_lines(nomen_model):
    assert nomen_model.national_schemes == (("TEC-CEDEAO", "fr"),)
    lines = nomen_model.national_lines("100640")
    assert lines == [hsclass.NationalLine("TEC-CEDEAO", "1006400000", "Riz; Riz en brisures")]
    assert len(nomen_model.national_lines("1006")) == 6
    assert nomen_model.national_lines("1006", scheme="other") == []


def test_decisions(nomen_model):
    for text in ("goods", "spare parts", "samples", "various items", "marchandises diverses"):
        d = nomen_model.decide(text)
        assert not d.accept and d.decision == "review" and d.reason == "vague", text
    d = nomen_model.decide("")
    assert (d.accept, d.reason, d.suggestions, d.best) == (False, "no_content", [], None)
    assert nomen_model.decide("20 kg").reason == "no_content"
    with hsclass.Session(nomen_model, config={"accept_threshold": 0.0}) as s:
        d = s.decide("frozen boneless beef")
        assert d.accept and d.reason == "confident" and d.threshold == 0.0
        assert d.best is not None and d.best.description
        assert "threshold" in d.reason_text
    with hsclass.Session(nomen_model, config={"accept_threshold": 1.0}) as s:
        assert s.decide("frozen boneless beef").reason == "low_confidence"
    assert nomen_model.decide("beef").threshold == nomen_model.accept_threshold


def test_constraints(nomen_model):
    text = "knitted cotton pullover"
    free = nomen_model.classify_levels(text, k=1000)
    only = nomen_model.classify_levels(text, k=1000, only=["61", "62"])
    assert {s.code[:2] for s in only[0]} <= {"61", "62"}
    assert math.isclose(sum(s.score for s in only[2]), 1.0, abs_tol=1e-9)
    z = sum(s.score for s in free[2] if s.code in ("61", "62"))
    best = next(s for s in free[0] if s.code[:2] in ("61", "62"))
    assert only[0][0].code == best.code
    # the blend given the chapters, calibrated again: at least the free score
    assert best.score - 1e-9 <= only[0][0].score <= 1.0
    assert z > 0
    assert [s.code for s in nomen_model.classify(text, level=4, only="6109")] == ["6109"]
    assert nomen_model.classify(text, only="84") == []
    assert nomen_model.decide(text, only="84").reason == "constraint"
    # the model's thread session forgets the constraint for the next call
    assert nomen_model.classify(text, k=1000) == free[0]
    with pytest.raises(hsclass.BadCode):
        nomen_model.classify(text, only=["8x"])
    many = nomen_model.classify_many([text, "bovine meat"], k=2, only=["61"], threads=2)
    assert all(s.code.startswith("61") for r in many for s in r)


def test_constrained_decisions(nomen_model):
    """One allowed code is certain given the constraint, but accepted only as
    the text alone would accept it (issue 12)."""
    for text in ("frozen boneless beef", "men's cotton t-shirts, knitted"):
        free = nomen_model.decide(text)
        other = next(c for c in nomen_model.labels if c[:2] != free.best.code[:2])
        own = nomen_model.decide(text, only=free.best.code)
        assert (own.accept, own.reason) == (free.accept, free.reason)
        assert own.best.score == pytest.approx(1.0)
        d = nomen_model.decide(text, only=other)
        assert d.best.code == other and d.best.score == pytest.approx(1.0)
        assert (d.accept, d.reason) == (False, "constraint")
        with hsclass.Session(nomen_model, config={"accept_threshold": 0.0}) as s:
            assert s.decide(text, only=other).accept


def test_explanations(nomen_model):
    text = "viande bovine désossée congelée"
    exps = nomen_model.explain(text, k=2, lang="en")
    assert len(exps) == 2
    for e in exps:
        assert e.description == nomen_model.describe(e.code, "en")
        assert math.isclose(sum(w.weight for w in e.words), e.total, rel_tol=1e-9, abs_tol=1e-9)
        weights = [w.weight for w in e.words]
        assert weights == sorted(weights, reverse=True)
        for w in e.words:   # spans index the caller's str
            assert text[w.span[0]:w.span[1]] == w.word
        assert all(w.weight > 0 for w in e.for_words)
        assert all(w.weight < 0 for w in e.against_words)
    assert {w.word for w in exps[0].words} == {"viande", "bovine", "désossée", "congelée"}
    raw = nomen_model.explain(text.encode("utf-8"), k=1)[0]
    assert raw.words[0].word in {"viande", "bovine", "désossée", "congelée"}
    chapters = nomen_model.explain("bovine meat from the farm", k=2, level=2)
    assert chapters[0].code == "02"
    assert dict((w.word, w.weight) for w in chapters[0].words)["bovine"] > 0
    assert "the" not in {w.word for w in chapters[0].words}   # a stopword weighs nothing
    assert nomen_model.explain("", k=2) == []
    with pytest.raises(hsclass.InvalidArgument):
        nomen_model.explain("beef", level=3)


def test_train_on_national_codes(tmp_path):
    slice_ = DATA / "tec_cedeao_slice.tsv"
    opts = dict(SMALL, digits=10, epochs=10, languages="fr")
    model = hsclass.train([(slice_, 1.0, True)], national=[(slice_, "TEC-CEDEAO", "fr")], **opts)
    with model:
        assert len(model.labels) == 139 and all(len(c) == 10 for c in model.labels)
        levels = model.classify_levels("riz en brisures", k=2)
        assert {len(levels[d][0].code) for d in (2, 4, 6, 8, 10)} == {2, 4, 6, 8, 10}
        assert levels[2][0].code == "10"
        best = levels[0][0]
        assert best.description == model.describe(best.code) and best.description

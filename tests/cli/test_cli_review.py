"""The CLI for reviewing declarations: descriptions and national lines in a model
(train --describe/--national), lookup, explain, decisions and --only in
classify, calibration and auto-accept figures in eval, the HTML report.

Environment as for test_cli.py (HSCLASS_CLI, HSCLASS_SOURCE_ROOT)."""
import json
import re

import pytest

from cli_env import DATA, TRAIN_OPTS, described_train_args, err, out, run



@pytest.fixture(scope="module")
def model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("review")
    extra = tmp / "extra.tsv"
    extra.write_text("999999\tmystery goods from nowhere\n", encoding="utf-8")
    path = tmp / "review.hscm"
    p = run("train", "-o", path, *described_train_args(extra))
    assert p.returncode == 0, err(p)
    e = err(p)
    assert "1041 descriptions (en)" in e and "1041 descriptions (fr)" in e
    assert "139 national lines (TEC-CEDEAO, fr)" in e
    assert re.search(r"code 999999 is not in the nomenclature", e)
    assert re.search(r"^accept threshold [0-9.]+ \(\w+; accepts ", e, re.M)
    return path


def test_help_lists_new_commands():
    p = run("--help")
    for cmd in ("explain", "lookup"):
        assert re.search(rf"^  {cmd} ", out(p), re.M)
        h = run(cmd, "--help")
        assert h.returncode == 0 and out(h).startswith(f"Usage: hsclass {cmd}")


def test_train_nomenclature_errors(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("02\tMeat\nno tab\n02\tagain\n", encoding="utf-8")
    p = run("train", "-o", tmp_path / "m.hscm", *TRAIN_OPTS, DATA / "train_real.tsv",
            "--describe", f"{bad}:en")
    assert f"{bad}:2:" in err(p) and f"{bad}:3:" in err(p)
    assert p.returncode == 4  # every training row is outside that nomenclature: no data
    assert run("train", "-o", tmp_path / "m.hscm", DATA / "train_real.tsv",
               "--national", DATA / "tec_cedeao_slice.tsv").returncode == 2
    assert run("train", "-o", tmp_path / "m.hscm", DATA / "train_real.tsv",
               "--national", f"{DATA / 'tec_cedeao_slice.tsv'}:TEC CEDEAO:fr").returncode == 2
    assert run("train", "-o", tmp_path / "m.hscm", DATA / "train_real.tsv",
               "--threshold", "1.5").returncode == 2


def test_info_shows_nomenclature(model):
    p = run("info", "-m", model)
    assert p.returncode == 0, err(p)
    assert re.search(r"^nomenclature +1041 codes \(en,fr\)$", out(p), re.M)
    assert re.search(r"^national +TEC-CEDEAO: 139 lines \(fr\)$", out(p), re.M)
    assert re.search(r"^format +1\.3$", out(p), re.M)
    info = json.loads(out(run("info", "-m", model, "--format", "json")))
    assert info["nomenclature"] == {"codes": 1041, "languages": "en,fr"}
    assert info["national"] == [{"scheme": "TEC-CEDEAO", "language": "fr", "lines": 139}]
    assert 0 <= info["accept_threshold"] <= 1


def test_lookup_heading(model):
    p = run("lookup", "-m", model, "0201")
    assert p.returncode == 0, err(p)
    lines = out(p).splitlines()
    assert re.match(r"^0201 +Meat of bovine animals; fresh or chilled$", lines[0])
    assert [line.split()[0] for line in lines[1:]] == ["020110", "020120", "020130"]
    assert all(line.startswith("  0201") for line in lines[1:])
    p = run("lookup", "-m", model, "--lang", "fr", "0201.30")
    assert "Désossées" in out(p)
    assert "TEC-CEDEAO 0201300000" in out(p)  # 6 digits: its national lines


def test_lookup_national_lines(model):
    p = run("lookup", "-m", model, "100640")
    assert p.returncode == 0, err(p)
    assert re.search(r"^100640 +Cereals; rice, broken", out(p), re.M)
    assert re.search(r"^  TEC-CEDEAO 1006400000  Riz; Riz en brisures$", out(p), re.M)
    p = run("lookup", "-m", model, "--format", "jsonl", "1006", "--national", "--depth", "2")
    obj = json.loads(out(p))
    assert obj["query"] == "1006"
    codes = [e["code"] for e in obj["entries"]]
    assert codes[0] == "1006" and all(len(c) in (4, 6) for c in codes)
    sub = next(e for e in obj["entries"] if e["code"] == "100640")
    assert sub["national"] == [{"scheme": "TEC-CEDEAO", "code": "1006400000",
                                "description": "Riz; Riz en brisures"}]
    assert all(isinstance(e["suggested"], bool) for e in obj["entries"])
    # a national line itself
    p = run("lookup", "-m", model, "1006400000")
    assert p.returncode == 0 and "Riz en brisures" in out(p)
    p = run("lookup", "-m", model, "9999", "0201")
    assert p.returncode == 1 and "9999: not in the model's nomenclature" in err(p)
    assert "0201" in out(p)
    assert run("lookup", "-m", model, "02x").returncode == 1
    assert run("lookup", "-m", model).returncode == 2


def test_classify_decisions_and_descriptions(model):
    p = run("classify", "-m", model, "--format", "jsonl", "frozen boneless beef", "goods",
            "spare parts", "samples", "various items", "")
    assert p.returncode == 0, err(p)
    objs = [json.loads(line) for line in out(p).splitlines()]
    assert objs[0]["decision"] in ("accept", "review")
    assert all(s["description"] for s in objs[0]["suggestions"])
    assert all(s["description"] for s in objs[0]["chapters"] + objs[0]["headings"])
    for o in objs[1:5]:
        assert (o["decision"], o["reason"]) == ("review", "vague"), o["text"]
    assert (objs[5]["decision"], objs[5]["reason"]) == ("review", "no_content")
    p = run("classify", "-m", model, "--threshold", "0", "frozen boneless beef", "goods")
    lines = out(p).splitlines()
    assert lines[0].endswith(" | accept")
    assert lines[1].endswith(" | review (vague)")
    p = run("classify", "-m", model, "--threshold", "1", "frozen boneless beef")
    assert out(p).rstrip().endswith(" | review (low confidence)")


def test_classify_only_and_national(model):
    p = run("classify", "-m", model, "--format", "jsonl", "--only", "10", "--national", "-k", "3",
            "broken rice 25kg bags")
    assert p.returncode == 0, err(p)
    obj = json.loads(out(p))
    assert all(s["code"].startswith("10") for s in obj["suggestions"])
    assert [c["code"] for c in obj["chapters"]] == ["10"]
    assert abs(obj["chapters"][0]["score"] - 1.0) < 1e-6
    for s in obj["suggestions"]:
        assert all(n["code"].startswith(s["code"]) and n["scheme"] == "TEC-CEDEAO"
                   for n in s["national"])
    assert any(s["national"] for s in obj["suggestions"])
    p = run("classify", "-m", model, "--format", "long", "--national", "-k", "2", "broken rice")
    text = out(p)
    assert text.startswith("broken rice\n  ") and "TEC-CEDEAO 1006" in text
    assert re.search(r"^  1\. 10\d{4} +\d\.\d{4}  \S", text, re.M)
    p = run("classify", "-m", model, "--only", "84,8517", "--format", "jsonl", "rice")
    obj = json.loads(out(p))
    assert obj["suggestions"] == [] and obj["reason"] == "constraint"
    assert run("classify", "-m", model, "--only", "8x", "rice").returncode == 2
    assert run("classify", "-m", model, "--national", "rice").returncode == 2  # text format


def test_explain(model):
    p = run("explain", "-m", model, "-k", "2", "viande bovine désossée congelée")
    assert p.returncode == 0, err(p)
    lines = out(p).splitlines()
    assert lines[0] == "viande bovine désossée congelée"
    assert re.match(r"^  (accept|review) \(", lines[1])
    assert re.match(r"^  1\. \d{6} +\d\.\d{4}  \S", lines[2])
    assert lines[3].startswith("     for: ") and lines[4].startswith("     against:")
    p = run("explain", "-m", model, "--format", "jsonl", "-k", "3", "bovine meat from the farm")
    obj = json.loads(out(p))
    assert obj["decision"] in ("accept", "review") and len(obj["suggestions"]) == 3
    text = obj["text"].encode("utf-8")
    for s in obj["suggestions"]:
        assert abs(sum(w["weight"] for w in s["words"]) - s["explained"]) < 1e-4
        for w in s["words"]:
            assert text[w["start"]:w["end"]].decode("utf-8") == w["word"]
        assert "the" not in {w["word"] for w in s["words"]}
    p = run("explain", "-m", model, "--format", "jsonl", "--digits", "2", "-k", "1",
            "bovine meat")
    obj = json.loads(out(p))
    assert obj["suggestions"][0]["code"] == "02"
    assert obj["suggestions"][0]["words"][0]["weight"] > 0
    p = run("explain", "-m", model, stdin=b"goods\n\n")
    assert p.returncode == 0
    assert "review (vague" in out(p) and "review (no content" in out(p)
    assert run("explain", "-m", model, "--digits", "3", "x").returncode == 2


def test_eval_calibration_and_report(model, tmp_path):
    report = tmp_path / "report.html"
    p = run("eval", "-m", model, DATA / "test.tsv", "--report", report)
    assert p.returncode == 0, err(p)
    text = out(p)
    assert re.search(r"^calibration +\d+ rows at the model's codes: ECE 0\.\d{4} \(15 bins\)",
                     text, re.M)
    assert re.search(r"^  95% +(-|0\.\d{4}|1\.0000) +\d+\.\d\d% +(-|\d+\.\d\d%)$", text, re.M)
    assert re.search(r"^  98% ", text, re.M)
    assert re.search(r"^decisions +threshold 0\.\d{4}: \d+\.\d\d% accepted", text, re.M)
    page = report.read_text(encoding="utf-8")
    assert page.count("<svg") == 4 and "<script" not in page
    res = json.loads(out(run("eval", "-m", model, "--format", "json", DATA / "test.tsv",
                             "--threshold", "0")))
    cal = res["calibration"]
    assert cal["rows"] == res["rows"] and 0 <= cal["ece"] <= 1 and cal["bins"] == 15
    for target in ("0.95", "0.98"):
        t = res["auto_accept"][target]
        assert 0 <= t["share"] <= 1
        assert t["threshold"] is None or t["precision"] >= float(target)
    dec = res["decisions"]
    assert dec["threshold"] == 0
    assert abs(dec["accepted"] + sum(dec["review"].values()) - 1) < 1e-4
    assert run("eval", "-m", model, DATA / "test.tsv", "--report",
               tmp_path / "no" / "such" / "dir.html").returncode == 3


def test_eval_calibration_not_available(model, tmp_path):
    """Nothing to calibrate (no row, or no row with a suggestion): the figures
    say so instead of printing 0."""
    unknown = tmp_path / "unknown.tsv"
    unknown.write_text("0101\tzzzz qqqq\n", encoding="utf-8")
    for rows in (b"", unknown.read_bytes()):
        p = run("eval", "-m", model, "-", stdin=rows)
        assert p.returncode == 0, err(p)
        assert re.search(r"^calibration +\d rows at the model's codes: ECE - \(15 bins; not "
                         r"available", out(p), re.M)
        res = json.loads(out(run("eval", "-m", model, "--format", "json", "-", stdin=rows)))
        assert res["calibration"]["ece"] is None
        assert res["auto_accept"]["0.95"]["threshold"] is None
    report = tmp_path / "empty.html"
    assert run("eval", "-m", model, "--report", report, "-", stdin=b"").returncode == 0
    assert "not available" in report.read_text(encoding="utf-8")

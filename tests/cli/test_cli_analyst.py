"""The hsclass tool for a customs data analyst (issue 14): decision columns
in tsv, CSV in and out (RFC 4180, round trip), eval at every level of the
model with groups and per-row predictions, and `hsclass audit` of declared
codes with its HTML page. Tiny models trained on tests/data."""
import csv
import html.parser
import io
import json

import pytest

from cli_env import DATA, run

TINY = ["--dim", "16", "--epochs", "6", "--buckets", "131072", "--threads", "1"]
DECISIONS = {"accept", "review"}
REASONS = {"confident", "low_confidence", "no_content", "vague", "unknown_words", "constraint"}


def rows_of(path):
    return [line.split("\t")[:2] for line in path.read_text(encoding="utf-8").splitlines()
            if "\t" in line]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "m.hscm"
    p = run("train", "-q", "-o", out, *TINY, DATA / "train_real.tsv",
            f"{DATA / 'train_nomenclature.tsv'}:nomenclature")
    assert p.returncode == 0, p.stderr
    return out


# ---- classify: tsv decision columns, csv ---------------------------------------------

def test_tsv_has_decision_and_reason_columns(model):
    p = run("classify", "-m", model, "-k", "3", "--format", "tsv",
            stdin=b"frozen boneless beef\n\n123 kg\nbad \xff\n")
    assert p.returncode == 1
    rows = [line.split("\t") for line in p.stdout.decode().splitlines()]
    assert len(rows) == 4
    for row in rows[:3]:
        assert row[0] == "HSC_OK" and len(row) == 1 + 2 * 3 + 2
        assert row[-2] in DECISIONS and row[-1] in REASONS
    assert len(rows[0][1]) == 6 and 0 < float(rows[0][2]) <= 1
    assert rows[1][1:] == [""] * 6 + ["review", "no_content"]
    assert rows[2][-2:] == ["review", "no_content"]
    assert rows[3][0] == "HSC_E_BAD_UTF8"


def test_csv_round_trips_a_spreadsheet(model):
    src = ('\ufeffref,Goods description,value\r\n'
           'A1,frozen boneless beef,"1,200"\r\n'
           'A2,"cotton t-shirts, ""printed""",30\r\n'
           'A3,"fresh apples\nin cartons",7\r\n'
           'A4\r\n'
           'A5,,0\r\n').encode("utf-8") + b'A6,bad \xff text,1\r\n'
    p = run("classify", "-m", model, "-k", "2", "--format", "csv", "--column",
            "Goods description", stdin=src)
    assert p.returncode == 1, p.stderr   # the bad UTF-8 row
    assert b"\r\n" in p.stdout
    got = list(csv.reader(io.StringIO(p.stdout.decode("utf-8", "replace"), newline="")))
    assert got[0] == ["ref", "Goods description", "value", "code_1", "score_1", "code_2",
                      "score_2", "decision", "reason"]
    assert len(got) == 7
    expected = list(csv.reader(io.StringIO(src.decode("utf-8", "replace").lstrip("\ufeff"),
                                           newline="")))
    for want, row in zip(expected[1:], got[1:]):
        assert row[:3] == (want + ["", ""])[:3]   # input columns written through unchanged
        assert len(row) == 3 + 4 + 2
    assert got[1][7] in DECISIONS and got[1][8] in REASONS and len(got[1][3]) == 6
    assert got[4][7:] == ["review", "no_content"] and got[5][7:] == ["review", "no_content"]
    assert got[6][7:] == ["error", "HSC_E_BAD_UTF8"]
    by_number = run("classify", "-m", model, "-k", "2", "--format", "csv", "-c", "2", stdin=src)
    assert by_number.stdout == p.stdout
    assert run("classify", "-m", model, "--format", "csv", "-c", "nope", stdin=src).returncode == 2
    assert run("classify", "-m", model, "--format", "csv", "beef").returncode == 2
    assert run("classify", "-m", model, "--column", "x", "beef").returncode == 2


# ---- eval: groups, predictions, every level ------------------------------------------

def test_eval_groups_and_predictions(model, tmp_path):
    rows = rows_of(DATA / "test.tsv")
    test = tmp_path / "t.tsv"
    test.write_text("".join(f"{c}\t{t}\t{'en' if i % 3 else 'fr'}\n"
                            for i, (c, t) in enumerate(rows)), encoding="utf-8")
    pred = tmp_path / "pred.tsv"
    p = run("eval", "-m", model, "-f", "json", "--group-col", "3", "--predictions", pred, test)
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    groups = res["groups"]
    assert set(groups) == {"en", "fr"}
    assert sum(g["rows"] for g in groups.values()) == res["rows"] == len(rows)
    for level in ("2", "4", "6"):
        assert sum(g["levels"][level]["rows"] for g in groups.values()) == \
            res["levels"][level]["rows"]
        top1 = sum(g["levels"][level]["top1"] * g["levels"][level]["rows"]
                   for g in groups.values())
        assert abs(top1 / res["levels"][level]["rows"] - res["levels"][level]["top1"]) < 1e-4
    lines = pred.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    assert header == ["line", "gold", "group", "best", "probability", "correct", "decision",
                      "reason", "top5", "description"]
    body = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    assert len(body) == len(rows)
    right = sum(r["correct"] == "1" for r in body)
    assert abs(right / len(body) - res["levels"]["6"]["top1"]) < 1e-4
    assert all(r["decision"] in DECISIONS and r["reason"] in REASONS for r in body)
    assert body[0]["description"] == rows[0][1] and body[0]["group"] == "fr"
    text = run("eval", "-m", model, "-g", "3", test)
    assert "\ngroup " in text.stdout.decode() and "\nen " in text.stdout.decode()
    assert run("eval", "-m", model, "--group-col", "2", test).returncode == 2


def test_eval_reaches_every_level_of_a_national_model(tmp_path):
    nat = tmp_path / "nat.hscm"
    p = run("train", "-q", "-o", nat, *TINY, "--digits", "10", "--valid", "0",
            DATA / "tec_cedeao_slice.tsv")
    assert p.returncode == 0, p.stderr
    p = run("eval", "-m", nat, "-f", "json", DATA / "tec_cedeao_slice.tsv")
    assert p.returncode == 0, p.stderr
    levels = json.loads(p.stdout)["levels"]
    assert set(levels) == {"2", "4", "6", "8", "10"}
    n = len(rows_of(DATA / "tec_cedeao_slice.tsv"))
    for lv in levels.values():
        assert lv["rows"] == n and 0 <= lv["top1"] <= lv["top5"] <= 1
    assert levels["2"]["top1"] >= levels["10"]["top1"]
    text = run("eval", "-m", nat, DATA / "tec_cedeao_slice.tsv").stdout.decode()
    assert "\nHS10 " in text and "\nHS8 " in text


# ---- audit ---------------------------------------------------------------------------------

def declarations(n=60):
    """(id, declared, description, swapped): real rows, every third code
    swapped to a code of another chapter."""
    rows = rows_of(DATA / "test.tsv")[:n]
    out = []
    for i, (code, text) in enumerate(rows):
        other = rows[(i + n // 2) % n][0]
        swapped = i % 3 == 0 and other[:2] != code[:2]
        out.append((f"D{i}", other if swapped else code, text, swapped))
    return out


def audit_lines(stdout):
    lines = stdout.decode("utf-8", "replace").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def test_audit_lists_suspects_first(model, tmp_path):
    decl = declarations()
    src = tmp_path / "decl.csv"
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["item", "hs_code", "goods"])
        w.writerows([(i, c[:4] + "." + c[4:], t) for i, c, t, _ in decl])
        w.writerow(["BAD", "12ab", "frozen beef"])
    p = run("audit", "-m", model, "--all", "--id-col", "item", "--code-col", "hs_code",
            "--text-col", "goods", src)
    assert p.returncode == 1, p.stderr               # the malformed code
    assert f"{src}:{len(decl) + 2}: malformed declared code" in p.stderr.decode()
    lines = audit_lines(p.stdout)
    assert len(lines) == len(decl)
    order = {"suspect": 0, "consistent": 1, "unchecked": 2}
    ranks = [order[x["verdict"]] for x in lines]
    assert ranks == sorted(ranks)
    suspects = [x for x in lines if x["verdict"] == "suspect"]
    probs = [float(x["probability"]) for x in suspects]
    assert probs == sorted(probs)
    swapped = {i for i, _c, _t, s in decl if s}
    flagged = {x["id"] for x in suspects}
    assert len(flagged & swapped) >= len(swapped) // 2, (flagged, swapped)
    for x in lines:
        if x["rank6"]:
            assert int(x["rank6"]) >= int(x["rank2"]) >= 1
    # the default output: the suspect lines only, the same ones
    only = audit_lines(run("audit", "-m", model, "--id-col", "item", "--code-col", "hs_code",
                           "--text-col", "goods", src).stdout)
    assert [x["id"] for x in only] == [x["id"] for x in suspects]
    # the threshold is the rule's: 0 flags nothing, 1 flags every checkable line
    none = audit_lines(run("audit", "-m", model, "-t", "0", "--code-col", "hs_code",
                           "--text-col", "goods", src).stdout)
    assert none == []
    every = audit_lines(run("audit", "-m", model, "-t", "1", "--all", "--code-col", "hs_code",
                            "--text-col", "goods", src).stdout)
    assert {x["verdict"] for x in every} <= {"suspect", "unchecked"}


def test_audit_reads_tsv_and_reports_usage_errors(model, tmp_path):
    src = tmp_path / "decl.txt"
    src.write_text("code\tdescription\n020130\tfresh boneless beef\n870323\tfresh boneless beef\n"
                   "020130\t123 kg\n", encoding="utf-8")
    p = run("audit", "-m", model, "--all", src)
    assert p.returncode == 0, p.stderr
    lines = audit_lines(p.stdout)
    assert [x["line"] for x in lines if x["declared"] == "020130" and x["verdict"] == "unchecked"] \
        == ["4"]
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"code\tdescription\n020130\tbeef \xff\n020130\tfresh beef\n")
    p = run("audit", "-m", model, "--all", bad)
    assert p.returncode == 1 and f"{bad}:2: HSC_E_BAD_UTF8" in p.stderr.decode()
    assert [x["verdict"] for x in audit_lines(p.stdout) if x["line"] == "2"] == ["unchecked"]
    assert run("audit", "-m", model, "--code-col", "hs", src).returncode == 2
    assert run("audit", "-m", model).returncode == 2
    assert run("audit", "-m", model, tmp_path / "missing.csv").returncode == 3
    assert run("audit", "-m", model, "--input-format", "xls", src).returncode == 2


class Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [k for k, _ in attrs]

    def handle_data(self, data):
        self.text.append(data)


def test_audit_html_page_escapes_the_input(model, tmp_path):
    src = tmp_path / "<b>decl.csv"
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "code", "description"])
        w.writerow(['<img src=x onerror=alert(1)>', "870323", "<script>alert(1)</script> beef"])
        w.writerow(["2", "020130", 'fresh beef "><i>x</i>'])
    page_path = tmp_path / "audit.html"
    p = run("audit", "-m", model, "--id-col", "id", "--html", page_path, src)
    assert p.returncode == 0, p.stderr
    page = page_path.read_text(encoding="utf-8")
    e = Elements()
    e.feed(page)
    assert not {"script", "img", "i", "b"} & set(e.tags), e.tags
    assert "onerror" not in e.attrs
    text = "".join(e.text)
    assert "<script>alert(1)</script> beef" in text and "<img src=x onerror=alert(1)>" in text
    assert "<b>decl.csv" in text and '"><i>x</i>' in text
    assert "hsclass audit" in text

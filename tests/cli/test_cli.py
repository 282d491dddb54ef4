"""Tests of the hsclass command-line tool, run by `meson test` (suite 'cli').

Environment (set by tests/cli/meson.build):
  HSCLASS_CLI          path to the built hsclass executable
  HSCLASS_SOURCE_ROOT  source tree (tests/data, models/data)
A small real model is trained once per run from tests/data/train_real.tsv and
train_nomenclature.tsv and evaluated on tests/data/test.tsv (if those slices
are absent, on a fixed slice of models/data).
"""
import json
import os
import pathlib
import re
import signal
import subprocess

import pytest

from cli_env import CLI, SOURCE_ROOT, err, out, run  # noqa: F401 (shared with test_national)

COMMANDS = ["classify", "train", "eval", "info", "tokens"]
# Small and fast: the machine is shared.
TRAIN_OPTS = ["--dim", "16", "--buckets", "131072", "--epochs", "10", "--threads", "1"]


# ---- data and model ------------------------------------------------------------

def _fallback_slice(tmp):
    """A fixed multilingual slice of models/data: a few chapters, 4/5 for
    training and 1/5 for testing."""
    sources = ["hs2022", "eu_cn_en", "eu_cn_fr", "ncm_br_pt", "uk_fpo_en", "uk_search_refs_en"]
    chapters = ("02", "03", "09", "61", "64", "87")
    train, test = [], []
    for src in sources:
        rows = [line for line in (SOURCE_ROOT / "models" / "data" / src / "clean.tsv")
                .read_text(encoding="utf-8").splitlines() if line.startswith(chapters)]
        for i, line in enumerate(rows[:400]):
            (test if i % 5 == 0 else train).append(line)
    (tmp / "train.tsv").write_text("\n".join(train) + "\n", encoding="utf-8")
    (tmp / "test.tsv").write_text("\n".join(test) + "\n", encoding="utf-8")
    return tmp / "train.tsv", tmp / "test.tsv"


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    """(training file arguments, test file): tests/data's slices, or a
    fallback slice of models/data."""
    d = SOURCE_ROOT / "tests" / "data"
    files = [d / "train_real.tsv", d / "train_nomenclature.tsv", d / "test.tsv"]
    if all(f.exists() for f in files):
        return [files[0], f"{files[1]}:nomenclature"], files[2]
    train, test = _fallback_slice(tmp_path_factory.mktemp("data"))
    return [train], test


@pytest.fixture(scope="session")
def model(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("model") / "small.hscm"
    p = run("train", "-o", path, *TRAIN_OPTS, *data[0])
    assert p.returncode == 0, err(p)
    assert path.exists()
    return path


def write(path, data):
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# ---- global options ---------------------------------------------------------------

def test_version():
    p = run("--version")
    assert p.returncode == 0
    text = out(p)
    assert re.search(r"^library \d+\.\d+\.\d+ \(\d+\)$", text, re.M)
    assert re.search(r"^header \d+\.\d+\.\d+ \(\d+\)$", text, re.M)
    assert re.search(r"^model format <= \d+$", text, re.M)


def test_global_help_lists_commands_and_exit_codes():
    p = run("--help")
    assert p.returncode == 0
    for cmd in COMMANDS:
        assert re.search(rf"^  {cmd} ", out(p), re.M), cmd
    assert "Exit codes" in out(p)
    assert "HSCLASS_MODEL" in out(p)


@pytest.mark.parametrize("cmd", COMMANDS)
def test_command_help(cmd):
    for args in ([cmd, "--help"], [cmd, "-h"], ["help", cmd]):
        p = run(*args)
        assert p.returncode == 0, args
        assert out(p).startswith(f"Usage: hsclass {cmd}"), args


def test_usage_errors():
    assert run().returncode == 2
    p = run("frobnicate")
    assert p.returncode == 2 and "unknown command" in err(p)
    p = run("classify", "--no-such-option")
    assert p.returncode == 2 and "Try 'hsclass classify --help'" in err(p)
    assert run("help", "frobnicate").returncode == 2
    assert run("classify", "-k").returncode == 2  # missing value


# ---- tokens (no model needed) ---------------------------------------------------------

def parse_tokens(text):
    groups, cur = [], []
    for line in text.split("\n")[:-1]:
        if line == "":
            groups.append(cur)
            cur = []
        else:
            cols = line.split("\t")
            assert len(cols) == 5, line
            cur.append(cols)
    assert cur == [], "output must end with an empty line"
    return groups


def test_tokens_without_model():
    text = "FROZEN BONELESS BEEF CUTS 20KG CTNS"
    p = run("tokens", text, "viande bovine désossée congelée")
    assert p.returncode == 0, err(p)
    groups = parse_tokens(out(p))
    assert len(groups) == 2
    toks = groups[0]
    assert [t[0] for t in toks][:3] == ["frozen", "boneless", "beef"]
    types = {t[0]: t[1] for t in toks}
    assert types["frozen"] == "word"
    assert "quantity" in types.values()
    for norm, typ, stems, flags, span in toks:
        assert typ in ("word", "number", "quantity", "code", "alnum")
        assert flags in ("-", "stopword")
        off, length = map(int, span.split("+"))
        assert 0 <= off and off + length <= len(text)
    assert any(t[0] == "bovine" for t in groups[1])


def test_tokens_languages_and_errors():
    p = run("tokens", "--languages", "pt", "carne bovina desossada congelada")
    assert p.returncode == 0, err(p)
    assert len(parse_tokens(out(p))[0]) >= 3
    p = run("tokens", "--languages", "xx", "beef")
    assert p.returncode == 2
    assert "HSC_E_BAD_LANGUAGE" in err(p)
    # Standard input, one input per line; a bad line fails alone.
    p = run("tokens", stdin=b"frozen beef\n\xff\xfe\ncotton shirt\n")
    assert p.returncode == 1
    groups = parse_tokens(out(p))
    assert len(groups) == 3 and groups[1] == []
    assert "HSC_E_BAD_UTF8" in err(p)
    p = run("tokens", "--utf8-replace", stdin=b"frozen \xff beef\n")
    assert p.returncode == 0, err(p)


# ---- model lookup ----------------------------------------------------------------------

def test_missing_model(tmp_path):
    missing = tmp_path / "nope.hscm"
    p = run("classify", "beef", env_extra={"HSCLASS_MODEL": str(missing)})
    assert p.returncode == 3
    assert str(missing) in err(p)
    p = run("info", "-m", missing)
    assert p.returncode == 3 and "No such file or directory" in err(p)
    junk = write(tmp_path / "junk.hscm", b"not a model" * 20)
    p = run("classify", "-m", junk, "beef")
    assert p.returncode == 3 and "cannot load model" in err(p)
    assert p.stdout == b""


def test_model_from_environment(model):
    p = run("classify", "frozen beef", env_extra={"HSCLASS_MODEL": str(model)})
    assert p.returncode == 0, err(p)
    assert len(out(p).splitlines()) == 1


# ---- info -----------------------------------------------------------------------------------

def test_info(model):
    p = run("info", "-m", model)
    assert p.returncode == 0, err(p)
    text = out(p)
    for key in ("format", "hs_edition", "languages", "fingerprint", "label_count", "metadata"):
        assert re.search(rf"^{key}\b", text, re.M), key
    p = run("info", "-m", model, "--format", "json", "--labels")
    assert p.returncode == 0, err(p)
    info = json.loads(out(p))
    assert info["label_count"] == len(info["codes"]) > 1
    assert all(re.fullmatch(r"\d{6}", c) for c in info["codes"])
    assert info["codes"] == sorted(info["codes"])
    assert info["meta"] and info["fingerprint"]
    # `hsclass info MODEL` works too.
    assert run("info", model).returncode == 0


# ---- classify ------------------------------------------------------------------------------

LINES = [
    b"frozen boneless beef cuts",
    b"",
    b"viande bovine d\xc3\xa9soss\xc3\xa9e congel\xc3\xa9e",
    b"bad \xff\xfe utf-8",
    b"carne bovina desossada congelada\r",  # CRLF
    b"tab\tinside \"quotes\" \\ and \x01 control",
    b"cotton t-shirt " * 4000,              # 60 kB: long, but under the limit
    b"x" * 100000,                          # over the default 64 KiB limit
    b"   ",
    b"men's leather shoes",                  # no final newline
]


def test_classify_stdin_jsonl_contract(model):
    p = run("classify", "-m", model, "--format", "jsonl", stdin=b"\n".join(LINES))
    assert p.returncode == 1, err(p)  # one bad line, one too long
    lines = p.stdout.split(b"\n")
    assert lines[-1] == b""
    lines = lines[:-1]
    assert len(lines) == len(LINES)
    objs = [json.loads(line.decode("utf-8")) for line in lines]
    for src, obj in zip(LINES, objs):
        want = src[:-1] if src.endswith(b"\r") else src
        if b"\xff" in src:
            assert obj["text"] == "bad \ufffd\ufffd utf-8"
            assert obj["error"].startswith("HSC_E_BAD_UTF8: ")
            assert obj["status"] == 20
            assert "suggestions" not in obj
        elif obj.get("error", "").startswith("HSC_E_TEXT_TOO_LONG"):   # its first 256 bytes
            assert obj["text"] == want[:256].decode("utf-8")
        else:
            assert obj["text"] == want.decode("utf-8")
    assert objs[7]["error"].startswith("HSC_E_TEXT_TOO_LONG")
    for i in (0, 2, 4, 5, 6, 9):
        obj = objs[i]
        assert "error" not in obj, obj
        sug = obj["suggestions"]
        assert 1 <= len(sug) <= 5
        scores = [s["score"] for s in sug]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores) and sum(scores) <= 1.0 + 1e-6
        assert all(re.fullmatch(r"\d{6}", s["code"]) for s in sug)
        assert all(re.fullmatch(r"\d{2}", s["code"]) for s in obj["chapters"])
        assert all(re.fullmatch(r"\d{4}", s["code"]) for s in obj["headings"])
        # The best heading belongs to a suggested chapter.
        assert obj["headings"][0]["code"][:2] in {c["code"] for c in obj["chapters"]}
    for i in (1, 8):  # empty and blank lines: no suggestion, no error
        assert objs[i]["suggestions"] == [] and "error" not in objs[i]


def test_classify_finds_beef(model):
    p = run("classify", "-m", model, "--format", "jsonl", "frozen boneless beef",
            "viande bovine congelée")
    assert p.returncode == 0, err(p)
    for line in out(p).splitlines():
        chapters = [c["code"] for c in json.loads(line)["chapters"]]
        assert chapters[0] == "02", line


def test_classify_tsv_and_text(model):
    stdin = b"frozen boneless beef\n\nbad \xff\ncotton shirt\n"
    p = run("classify", "-m", model, "--format", "tsv", stdin=stdin)
    assert p.returncode == 1
    rows = [line.split("\t") for line in out(p).splitlines()]
    assert len(rows) == 4
    assert rows[0][0] == "HSC_OK" and len(rows[0]) == 13   # 5 pairs, decision, reason
    assert re.fullmatch(r"\d{6}", rows[0][1]) and 0 <= float(rows[0][2]) <= 1
    assert rows[1] == ["HSC_OK"] + [""] * 10 + ["review", "no_content"]
    assert rows[2][0] == "HSC_E_BAD_UTF8" and rows[2][1].startswith("HSC_E_BAD_UTF8:")
    p = run("classify", "-m", model, stdin=stdin)
    lines = out(p).splitlines()
    assert len(lines) == 4 and p.returncode == 1
    assert re.match(r"\d{6} \d\.\d{4}, ", lines[0])
    assert " | chapters: " in lines[0] and " | headings: " in lines[0]
    assert lines[1] == "(no suggestion)"
    assert lines[2].startswith("error: HSC_E_BAD_UTF8")


def test_classify_options(model):
    p = run("classify", "-m", model, "-k", "1", "--format", "jsonl", "frozen beef", "cotton shirt")
    assert p.returncode == 0, err(p)
    objs = [json.loads(line) for line in out(p).splitlines()]
    assert len(objs) == 2 and [o["text"] for o in objs] == ["frozen beef", "cotton shirt"]
    assert all(len(o["suggestions"]) == 1 and len(o["chapters"]) == 1 for o in objs)
    p = run("classify", "-m", model, "--digits", "4", "--format", "jsonl", "frozen beef")
    assert p.returncode == 0, err(p)
    assert all(len(s["code"]) == 4 for s in json.loads(out(p))["suggestions"])
    p = run("classify", "-m", model, "--digits", "6", "--format", "jsonl", "frozen beef")
    assert p.returncode == 0, err(p)
    assert all(len(s["code"]) == 6 for s in json.loads(out(p))["suggestions"])
    for bad in (["-k", "0"], ["-k", "x"], ["--digits", "3"], ["--digits", "10"],
                ["--format", "xml"]):
        p = run("classify", "-m", model, *bad, "beef")
        assert p.returncode == 2, bad
        assert p.stdout == b""
    p = run("classify", "-m", model, "--utf8-replace", "--format", "jsonl", stdin=b"beef \xff\n")
    assert p.returncode == 0
    assert "error" not in json.loads(out(p))
    # A larger limit lets the 100 kB line through.
    p = run("classify", "-m", model, "--max-bytes", "200000", stdin=b"x" * 100000 + b" beef\n")
    assert p.returncode == 0 and len(out(p).splitlines()) == 1
    assert run("classify", "-m", model, "--max-bytes", "0", "beef").returncode == 2
    # "--" ends the options: a description may start with '-'.
    p = run("classify", "-m", model, "--", "-frozen beef")
    assert p.returncode == 0 and len(out(p).splitlines()) == 1


# ---- eval -------------------------------------------------------------------------------------

def test_eval(model, data, tmp_path):
    test_rows = [line for line in data[1].read_text(encoding="utf-8").splitlines() if line]
    p = run("eval", "-m", model, data[1], "--by-chapter")
    assert p.returncode == 0, err(p)
    text = out(p)
    for level in ("HS2", "HS4", "HS6"):
        assert re.search(rf"^{level} +\d+ +\d+\.\d\d% +\d+\.\d\d%$", text, re.M), level
    assert re.search(r"^chapter ", text, re.M)
    assert re.search(r"^time ", text, re.M)
    p = run("eval", "-m", model, "--format", "json", "--by-chapter", data[1])
    res = json.loads(out(p))
    assert res["rows"] == len(test_rows) and res["malformed"] == 0
    for level in ("2", "4", "6"):
        lv = res["levels"][level]
        assert 0 <= lv["top1"] <= lv["top5"] <= 1
    assert res["levels"]["2"]["top1"] >= res["levels"]["6"]["top1"]
    assert res["levels"]["2"]["top1"] > 0.5  # a real model, even a small one
    assert sum(c["rows"] for c in res["chapters"].values()) == res["levels"]["6"]["rows"]
    bad = write(tmp_path / "bad.tsv", "020130\tfrozen beef\nno tab here\n02x1\tbeef\n")
    p = run("eval", "-m", model, bad)
    assert p.returncode == 1
    assert f"{bad}:2:" in err(p) and f"{bad}:3:" in err(p)
    assert run("eval", "-m", model).returncode == 2
    assert run("eval", "-m", model, tmp_path / "missing.tsv").returncode == 3
    # A third column (a source tag, as bench/split.py writes) is not description text.
    tagged = write(tmp_path / "tagged.tsv", "".join(f"{r}\tuk_search_refs_en\n" for r in test_rows))
    p = run("eval", "-m", model, "--format", "json", tagged)
    assert p.returncode == 0, err(p)
    assert json.loads(out(p))["levels"] == res["levels"]


# ---- train ------------------------------------------------------------------------------------

GOOD = ("020130\tfresh boneless beef\n020230\tfrozen boneless beef\n"
        "610910\tcotton t-shirt\n870323\tpetrol motor car\n")


def test_train_reports_malformed_rows(tmp_path):
    src = write(tmp_path / "rows.tsv",
                GOOD.encode() + b"no tab on this line\n12ab56\tbad code\n020130\t\n"
                b"020130\tbad \xff utf8\n" + GOOD.encode())
    out_model = tmp_path / "m.hscm"
    p = run("train", "-o", out_model, *TRAIN_OPTS, "--valid", "0", src)
    assert p.returncode == 0, err(p)
    for line in (5, 6, 7, 8):
        assert re.search(rf"^{re.escape(str(src))}:{line}: ", err(p), re.M), (line, err(p))
    assert not re.search(rf":{4}: ", err(p))
    assert re.search(r"8 rows accepted, 4 rejected", err(p)), err(p)
    assert out_model.exists()
    # --strict stops at the first malformed row and writes nothing.
    strict_model = tmp_path / "strict.hscm"
    p = run("train", "-o", strict_model, *TRAIN_OPTS, "--strict", src)
    assert p.returncode == 4
    assert f"{src}:5: " in err(p)
    assert not strict_model.exists()


def test_train_errors(tmp_path):
    good = write(tmp_path / "good.tsv", GOOD)
    m = tmp_path / "m.hscm"
    assert run("train", good).returncode == 2                      # no -o
    assert run("train", "-o", m).returncode == 2                   # no file
    assert run("train", "-o", m, tmp_path / "missing.tsv").returncode == 3
    assert run("train", "-o", m, f"{good}:0").returncode == 2      # weight must be > 0
    for bad in (["--epochs", "abc"], ["--epochs", "0"], ["--languages", "xx"],
                ["--char-ngrams", "5-2"], ["--word-ngrams", "3"], ["--digits", "5"],
                ["--lr", "-1"], ["--valid", "2"]):
        p = run("train", "-o", m, *bad, good)
        assert p.returncode == 2, (bad, err(p))
    one = write(tmp_path / "one.tsv", "020130\tbeef\n020130\tveal\n")
    p = run("train", "-o", m, one)
    assert p.returncode == 4 and "HSC_E_ONE_CLASS" in err(p)
    empty = write(tmp_path / "empty.tsv", "")
    p = run("train", "-o", m, empty)
    assert p.returncode == 4 and "HSC_E_NO_DATA" in err(p)
    p = run("train", "-o", tmp_path / "no" / "dir" / "m.hscm", *TRAIN_OPTS, good)
    assert p.returncode == 3 and "cannot write" in err(p)
    assert not m.exists()


def test_train_options_weights_and_progress(tmp_path):
    good = write(tmp_path / "good.tsv", GOOD)
    nom = write(tmp_path / "nom.tsv",
                "020130\tMeat of bovine animals, fresh or chilled; Boneless\n"
                "020230\tMeat of bovine animals, frozen; Boneless\n")
    m = tmp_path / "m.hscm"
    p = run("train", "-o", m, *TRAIN_OPTS, "--char-ngrams", "2-4", "--word-ngrams", "1",
            "--languages", "en,fr", "--seed", "7", "--min-count", "1", "--valid", "0",
            f"{good}:2.5", "--nomenclature", nom, f"{nom}:nomenclature:0.5")
    assert p.returncode == 0, err(p)
    assert re.search(r"weight 2\.5\)", err(p))
    assert re.search(r"weight 0\.5, nomenclature\)", err(p))
    # Not a terminal: plain progress lines, no carriage returns.
    assert re.search(r"^epoch \d+/10 ", err(p), re.M)
    assert "\r" not in err(p)
    assert re.search(r"^wrote .*fingerprint", err(p), re.M)
    info = json.loads(out(run("info", "-m", m, "--format", "json")))
    assert info["languages"].startswith("en")
    q = run("train", "-o", tmp_path / "q.hscm", *TRAIN_OPTS, "-q", good)
    assert q.returncode == 0 and "epoch" not in err(q)


def test_train_is_reproducible(tmp_path, data):
    a, b = tmp_path / "a.hscm", tmp_path / "b.hscm"
    first = pathlib.Path(str(data[0][0]))
    small = write(tmp_path / "small.tsv",
                  "\n".join(first.read_text(encoding="utf-8").splitlines()[:300]) + "\n")
    for path in (a, b):
        p = run("train", "-o", path, *TRAIN_OPTS, "-q", small)
        assert p.returncode == 0, err(p)
    assert a.read_bytes() == b.read_bytes()


def test_train_interrupt_writes_nothing(tmp_path, data):
    """Ctrl-C during training: exit 130 and no model file."""
    m = tmp_path / "int.hscm"
    env = dict(os.environ)
    env.pop("HSCLASS_MODEL", None)
    proc = subprocess.Popen([CLI, "train", "-o", str(m), *TRAIN_OPTS, "--epochs", "1000",
                             *map(str, data[0])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        for line in proc.stderr:
            if line.startswith(b"epoch 1/1000"):
                proc.send_signal(signal.SIGINT)
                break
        rest = proc.stderr.read()
        assert proc.wait(timeout=120) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert b"interrupted" in rest
    assert not m.exists()
    assert not list(tmp_path.iterdir())  # no temporary file left either


def test_shipped_model_is_the_default():
    """Without -m or $HSCLASS_MODEL the shipped model is found and works."""
    shipped = SOURCE_ROOT / "models" / "hs6-multi.hscm"
    if not shipped.exists():
        pytest.skip("models/hs6-multi.hscm is not in this tree")
    p = run("classify", "--format", "jsonl", "FROZEN BONELESS BEEF CUTS 20KG CTNS",
            "viande bovine desossee congelee", "carne bovina desossada congelada")
    assert p.returncode == 0, err(p)
    for line in out(p).splitlines():
        assert json.loads(line)["chapters"][0]["code"] == "02", line
    p = run("info", "--format", "json")
    assert p.returncode == 0, err(p)
    assert json.loads(out(p))["label_count"] > 1000

"""The hsclass tool against hostile input (issue 12): a model received from
elsewhere, paths that are not regular files, a full disk, signals, terminal
escapes. Run by `meson test` (suite 'cli'); tiny models trained on
tests/data so that the whole file takes seconds."""
import html.parser
import os
import pathlib
import shutil
import signal
import stat
import subprocess
import sys
import time

import pytest

from cli_env import CLI, DATA, SOURCE_ROOT, run

TINY = ["--dim", "8", "--epochs", "3", "--buckets", "65536", "--threads", "1"]
BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
               None)


def train(out, *extra):
    p = run("train", "-q", "-o", out, *TINY, *extra, DATA / "train_real.tsv")
    assert p.returncode == 0, p.stderr
    return out


# ---- 1. script injection in eval --report ---------------------------------------

PAYLOADS = ['<script>document.title="X"</script>', '"><img src=x onerror=alert(1)>']


class Elements(html.parser.HTMLParser):
    """Every start tag and attribute of a page, and its text."""

    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [k for k, _ in attrs]

    def handle_data(self, data):
        self.text.append(data)


def parse(page):
    e = Elements()
    e.feed(page)
    return e


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory):
    """Reports of models whose META (the HS edition) and descriptions hold
    markup, from a directory whose name holds markup, on a test file whose
    name holds markup."""
    d = tmp_path_factory.mktemp("report") / '"><b>dir'
    d.mkdir()
    desc = d / "desc.tsv"
    # the nomenclature, with markup in every chapter's description
    lines = (DATA / "nomenclature_en.tsv").read_text(encoding="utf-8").splitlines()
    desc.write_text("".join((f"{ln[:2]}\t<i>{ln[:2]}</i><script>d=1</script>\n"
                             if ln.index("\t") == 2 else ln + "\n") for ln in lines),
                    encoding="utf-8")
    test = d / "<script>t.tsv"
    shutil.copy(DATA / "test.tsv", test)
    pages = []
    for i, edition in enumerate(PAYLOADS):
        # the edition is at most 31 printable characters: the payloads fit
        model = train(d / f"m{i}<img>.hscm", "--hs-edition", edition.replace("X", "x")[:31],
                      "--describe", f"{desc}:en")
        report = d / f"r{i}.html"
        p = run("eval", "-m", model, "--report", report, test)
        assert p.returncode == 0, p.stderr
        pages.append(report)
    return pages


def test_report_escapes_every_string(hostile_reports):
    for report in hostile_reports:
        page = report.read_text(encoding="utf-8")
        e = parse(page)
        assert not {"script", "img", "i"} & set(e.tags), e.tags
        assert "onerror" not in e.attrs
        b = [t for t in e.tags if t == "b"]
        assert len(b) == page.count("<b>"), "a <b> from a file name became an element"
        text = "".join(e.text)
        # the markup is shown as text, not dropped
        assert "<i>02</i><script>d=1</script>" in text
        assert "<img src=x onerror=alert(1)>" in text or "<script>document.title" in text
        assert '"><b>dir' in text and "<script>t.tsv" in text


@pytest.mark.skipif(BROWSER is None, reason="chromium is not installed")
def test_report_dom_in_chromium(hostile_reports, tmp_path):
    """Chromium's DOM after loading the page (scripts would have run): no
    element came from the hostile strings."""
    for i, report in enumerate(hostile_reports):
        p = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu",
                            f"--user-data-dir={tmp_path / str(i)}", "--dump-dom",
                            report.as_uri()], capture_output=True, timeout=120)
        assert p.returncode == 0, p.stderr
        dom = p.stdout.decode("utf-8")
        assert "<title>hsclass evaluation</title>" in dom
        e = parse(dom)
        assert not {"script", "img", "i"} & set(e.tags), e.tags
        assert "onerror" not in e.attrs
        assert "&lt;i&gt;02&lt;/i&gt;&lt;script&gt;d=1&lt;/script&gt;" in dom


# ---- 2. train -o PATH never replaces what is not a regular file -------------------

def test_train_refuses_non_regular_outputs(tmp_path):
    fifo, sub, dangling = tmp_path / "fifo", tmp_path / "sub", tmp_path / "dangling"
    os.mkfifo(fifo)
    sub.mkdir()
    dangling.symlink_to(tmp_path / "nowhere")
    targets = [fifo, sub, dangling]
    if os.geteuid() == 0:   # a character device like /dev/null, made here
        dev = tmp_path / "null"
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        targets.append(dev)
    before = {p: os.lstat(p) for p in targets}
    for p in targets:
        r = run("train", "-q", "-o", p, *TINY, DATA / "train_real.tsv")
        assert r.returncode == 3, r.stderr
        msg = r.stderr.decode()
        assert "not a regular file" in msg and "refusing" in msg
        assert "rows accepted" not in msg, "refused before reading the data"
        st = os.lstat(p)
        assert (st.st_mode, st.st_ino) == (before[p].st_mode, before[p].st_ino)
    assert sorted(x.name for x in tmp_path.iterdir()) == sorted(p.name for p in targets)


def test_train_checks_the_directory_first(tmp_path):
    r = run("train", "-q", "-o", tmp_path / "no" / "m.hscm", *TINY, DATA / "train_real.tsv")
    assert r.returncode == 3
    assert "No such file or directory" in r.stderr.decode()
    assert "rows accepted" not in r.stderr.decode()


def test_train_writes_through_a_link_with_the_umask(tmp_path):
    target, link = tmp_path / "v1.hscm", tmp_path / "live.hscm"
    target.write_bytes(b"old")
    link.symlink_to("v1.hscm")
    p = subprocess.run(f"umask 027; exec '{CLI}' train -q -o '{link}' {' '.join(TINY)} "
                       f"'{DATA / 'train_real.tsv'}'", shell=True, capture_output=True)
    assert p.returncode == 0, p.stderr
    assert link.is_symlink() and os.readlink(link) == "v1.hscm"
    assert target.stat().st_size > 1000
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert run("info", "-m", link).returncode == 0


# ---- 5. file-size limits and signals during save ------------------------------------

def test_train_under_a_file_size_limit(tmp_path):
    out = tmp_path / "m.hscm"
    p = subprocess.run(f"ulimit -f 8; exec '{CLI}' train -q -o '{out}' {' '.join(TINY)} "
                       f"'{DATA / 'train_real.tsv'}'", shell=True, capture_output=True)
    assert p.returncode == 3, (p.returncode, p.stderr)   # was 153: killed by SIGXFSZ
    assert "File too large" in p.stderr.decode()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signals_leave_no_temporary_file(tmp_path, sig):
    """Signals at spread-out moments of a short training run: whatever the
    moment, the output is either absent or a whole model, never a
    temporary file."""
    out = tmp_path / "m.hscm"
    for i in range(12):
        proc = subprocess.Popen([CLI, "train", "-q", "-o", out, *TINY, DATA / "train_real.tsv"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.015 * i)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        left = [x.name for x in tmp_path.iterdir()]
        assert left in ([], ["m.hscm"]), left
        if left:
            assert run("info", "-m", out).returncode == 0
            out.unlink()


# ---- 8. terminal escapes --------------------------------------------------------------

CONTROLS = (b"\x1b", b"\x07", b"\xc2\x9b")   # ESC, BEL, CSI (C1)
TINY_MODEL = DATA / "corrupt" / "tiny.hscm"


def hostile_meta_model(path):
    """tiny.hscm with META values holding escape sequences and markup, every
    CRC recomputed (the layout code of tests/data/corrupt/make_corrupt.py)."""
    import struct
    import sys
    sys.path.insert(0, str(DATA / "corrupt"))
    import make_corrupt as mc
    data = TINY_MODEL.read_bytes()
    major, minor = struct.unpack_from("<HH", data, 8)
    secs = mc.parse(data)
    for s in secs:
        if s.tag == b"META":
            items = mc.meta_items(s.raw) + [(b"note", b"\x1b]0;pwned\x07\x1b[31mred\xc2\x9b")]
            items = mc.meta_set(items, b"hs.edition",
                                b'<script>document.title="X"</script>"><img src=x onerror=f()>')
            s.raw = mc.meta_raw(sorted(items))
    path.write_bytes(bytes(mc.build(secs, major, minor).data))
    return path


def test_info_escapes_meta(tmp_path):
    model = hostile_meta_model(tmp_path / "meta.hscm")
    p = run("info", "-m", model)
    assert p.returncode == 0, p.stderr
    assert not any(c in p.stdout for c in CONTROLS)
    assert b"note = \\x1b]0;pwned\\x07\\x1b[31mred\\u009b" in p.stdout
    # JSON keeps the value exactly (escaped the JSON way)
    j = run("info", "-m", model, "--format", "json")
    assert j.returncode == 0 and b"\\u001b]0;pwned\\u0007" in j.stdout


def test_report_of_a_model_from_elsewhere(tmp_path):
    """The whole edition, beyond what --hs-edition accepts, from a crafted file."""
    model = hostile_meta_model(tmp_path / "meta.hscm")
    p = run("eval", "-m", model, "--report", tmp_path / "r.html", DATA / "corrupt" / "tiny.tsv")
    assert p.returncode == 0, p.stderr
    e = parse((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert not {"script", "img"} & set(e.tags) and "onerror" not in e.attrs
    assert '<script>document.title="X"</script>"><img src=x onerror=f()>' in "".join(e.text)


def test_terminal_output_escapes_input_and_file_names(tmp_path):
    text = "frozen beef \x1b]0;pwned\x07 \x1b[31mred \u009b"
    for cmd in ("classify", "explain"):
        p = run(cmd, "-m", TINY_MODEL, "--format", "long", text) if cmd == "classify" else \
            run(cmd, "-m", TINY_MODEL, text)
        assert p.returncode == 0, p.stderr
        assert not any(c in p.stdout for c in CONTROLS), p.stdout
        assert b"frozen beef \\x1b]0;pwned\\x07 \\x1b[31mred \\u009b" in p.stdout
    # a training file whose name holds escapes: trained, named safely
    name = tmp_path / "rows\x1b]0;pwned\x07.tsv"
    shutil.copy(DATA / "train_real.tsv", name)
    out = tmp_path / "m.hscm"
    p = run("train", "-o", out, *TINY, "--keep-precedent-texts", name)
    assert p.returncode == 0, p.stderr      # was HSC_E_MODEL_VALUE: the name went into PREC
    assert not any(c in p.stderr for c in CONTROLS) and b"rows\\x1b]0;pwned\\x07.tsv" in p.stderr
    p = run("classify", "-m", out, "--format", "long", "--precedents", "3", "abalone")
    assert p.returncode == 0 and b"rows?]0;pwned?.tsv" in p.stdout
    # messages quoting a path
    p = run("info", "-m", tmp_path / "no\x1b[2Jmodel")
    assert p.returncode == 3 and b"\x1b" not in p.stderr and b"No such file" in p.stderr


# ---- 9. standard output that cannot be written ------------------------------------------

@pytest.mark.parametrize("args", [["info"], ["eval", DATA / "corrupt" / "tiny.tsv"],
                                  ["tokens", "beef"], ["classify", "beef"], ["explain", "beef"]])
def test_full_stdout_is_an_error(args):
    with open("/dev/full", "wb") as full:
        p = subprocess.run([CLI, args[0], "-m", TINY_MODEL, *map(str, args[1:])],
                           stdout=full, stderr=subprocess.PIPE, timeout=120)
    assert p.returncode == 3, (args, p.returncode, p.stderr)
    assert b"error writing standard output: No space left on device" in p.stderr


# ---- 7. eval with no scorable row (UBSan: memcpy/qsort of NULL) ---------------------------

@pytest.mark.parametrize("rows", ["", "garbage\nxx\tyy\n", "0201\t20 kg\n0201\t\n"])
def test_eval_without_scorable_rows(tmp_path, rows):
    test = tmp_path / "test.tsv"
    test.write_text(rows)
    p = run("eval", "-m", TINY_MODEL, "--report", tmp_path / "r.html", test)
    assert p.returncode in (0, 1), p.stderr
    assert b"runtime error" not in p.stderr and b"Sanitizer" not in p.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.rstrip().endswith("</html>")


# ---- 12. CLI details ------------------------------------------------------------------

@pytest.fixture(scope="module")
def described(tmp_path_factory):
    """A tiny model with English descriptions."""
    return train(tmp_path_factory.mktemp("described") / "d.hscm",
                 "--describe", f"{DATA / 'nomenclature_en.tsv'}:en")


def test_threshold_values():
    p = run("classify", "-m", TINY_MODEL, "--threshold", "nan", "beef")
    assert p.returncode == 2
    assert p.stderr.count(b"hsclass classify:") == 1   # was two messages
    assert b"expected a number between 0 and 1" in p.stderr
    p = run("classify", "-m", TINY_MODEL, "--threshold", "1e-320", "beef")   # an underflow
    assert p.returncode == 0, p.stderr
    for cmd in ("explain", "eval", "train"):
        p = run(cmd, "-m", TINY_MODEL, "--threshold", "2", "x")
        assert p.returncode == 2 and p.stderr.count(b"hsclass " + cmd.encode() + b":") == 1, \
            p.stderr


def test_unknown_lang_and_empty_only(described):
    p = run("classify", "-m", described, "--lang", "zz", "frozen beef")
    assert p.returncode == 2 and b"--lang zz: the model's descriptions are in en" in p.stderr
    assert p.stdout == b""
    assert run("classify", "-m", described, "--lang", "en", "frozen beef").returncode == 0
    for cmd in ("explain", "lookup"):
        assert run(cmd, "-m", described, "--lang", "zz", "0201").returncode == 2
    p = run("classify", "-m", described, "--only", ",,,", "frozen beef")
    assert p.returncode == 2 and b"--only ',,,'" in p.stderr       # was: no constraint


def test_text_too_long_message():
    line = b"beef " * 20000
    p = run("classify", "-m", TINY_MODEL, stdin=line + b"\n")
    assert p.returncode == 1
    assert p.stdout.count(b"longer than") == 1, p.stdout          # said once
    assert b"(100000 bytes; the limit is 65536)" in p.stdout
    p = run("classify", "-m", TINY_MODEL, "--format", "json", stdin=line + b"\n")
    assert p.returncode == 1 and len(p.stdout) < 1000            # not echoed back whole
    p = run("explain", "-m", TINY_MODEL, stdin=line + b"\n")
    assert p.returncode == 1 and len(p.stdout) < 1000


def test_model_open_errors_say_why(tmp_path):
    p = run("classify", "-m", tmp_path / "missing.hscm", "beef")
    assert p.returncode == 3 and b"No such file or directory" in p.stderr
    p = run("classify", "-m", tmp_path, "beef")
    assert p.returncode == 3 and b"Is a directory" in p.stderr
    locked = tmp_path / "locked.hscm"
    shutil.copy(TINY_MODEL, locked)
    locked.chmod(0)
    if os.geteuid() != 0:   # root reads it anyway
        p = run("classify", "-m", locked, "beef")
        assert p.returncode == 3 and b"Permission denied" in p.stderr


def test_installed_help_names_no_build_tree(tmp_path):
    """A copy of the binary outside the build directory (as installed)."""
    copy = tmp_path / "hsclass"
    shutil.copy(CLI, copy)
    lib = pathlib.Path(CLI).resolve().parents[2] / "libhsclass"
    env = dict(os.environ, LD_LIBRARY_PATH=str(lib))
    env.pop("HSCLASS_MODEL", None)
    p = subprocess.run([copy, "--help"], capture_output=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert str(SOURCE_ROOT).encode() not in p.stdout and b"source tree" not in p.stdout
    assert b"source tree" in run("--help").stdout   # the build's own binary


# ---- 13. memory per byte of text --------------------------------------------------------

def peak_rss_kib(args, stdin):
    """Peak RSS of one hsclass run (GNU time's %M: a small parent, so the
    figure is hsclass's own, not that of a Python process it was forked
    from). Without MALLOC_PERTURB_, which meson sets: it writes every byte
    of every allocation, reserved room included."""
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_PERTURB_"}
    p = subprocess.run(["/usr/bin/time", "-f", "%M", CLI, *map(str, args)], input=stdin,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    return int(p.stderr.split()[-1])


SHAPES = {
    "words": b"frozen boneless beef cuts bovine meat cotton shirts knitted steel bolts ",
    "letters": b"x y z q j k v w ",   # a token per two bytes
    "digits": b"1 2 3 4 5 6 7 ",
    "fdfa": "\ufdfa".encode(),    # 3 bytes NFKC swells to four words, 33 bytes
    "word": "\u3316".encode(),    # no space: one word NFKC swells sixfold
}


@pytest.mark.skipif(b"__asan_init" in pathlib.Path(CLI).read_bytes() or
                    b"__tsan_init" in pathlib.Path(CLI).read_bytes(),
                    reason="sanitizers multiply memory use")
@pytest.mark.skipif(not os.path.exists("/usr/bin/time"), reason="GNU time (package time)")
@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("command", ["classify", "explain"])
def test_memory_per_byte_of_text(command, shape):
    """One 1 MiB line: at most 10 bytes of working memory per byte, for
    hostile texts too (bench/memory_per_byte.sh measures the shipped model:
    2.5-6.5). It was 54 for words when every feature of every word was kept,
    15-20 for one-letter words and digits with 20-byte tokens, 66 for U+FDFA
    normalized whole, 27 for one word of U+3316 held whole."""
    unit = SHAPES[shape]
    line = (unit * ((1 << 20) // len(unit) + 1))[:(1 << 20) // len(unit) * len(unit)]
    base = peak_rss_kib([command, "-m", TINY_MODEL, "beef"], b"")
    peak = peak_rss_kib([command, "-m", TINY_MODEL, "--max-bytes", len(line)], line + b"\n")
    per_byte = (peak - base) * 1024 / len(line)
    assert per_byte < 10, per_byte

#!/usr/bin/env python3
"""Write the seed inputs of tests/fuzz/corpus/<target>/seed-* from the real
test data (tests/data/*.tsv, tests/data/corrupt/tiny.tsv) plus hand-picked
hard cases. Inputs the fuzzer found later are kept beside them (other
names) and are not touched.

    python3 tests/fuzz/make_seeds.py --cli build/examples/hsclass-cli/hsclass

--cli also trains the model seeds of fuzz_model_load (small models with
options other than tiny.hscm's, so the fuzzer starts from varied META).
"""
import argparse
import pathlib
import subprocess
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data"

HARD_TEXTS = [
    "FROZEN BONELESS BEEF CUTS 20KG CTNS",
    "viande bovine désossée congelée",
    "carne bovina desossada congelada",
    "l'huile d'olive vierge extra, 5 L",
    "t-shirt 100% coton, e-mail order",
    "HS 0201.30 / 8703 23 / 870323.90",
    "tyres 205/55R16 91V, rtx-3080 x200",
    "3.5 mm steel wire, 20kg, 85%, 1,5 kg, 2x3m",
    "ＦＵＬＬＷＩＤＴＨ ｃｏｔｔｏｎ ﬁbre ﬂour",
    "Straße Œuvre ÆSIR ǅemal İstanbul",
    "日本茶 绿茶 녹차 чай зелёный شاي أخضر",
    "frozen 🦐 shrimps 🇧🇷",
    "a" * 300,
    "x" * 70000,
    "-" * 5000 + "0" * 5000,
    "1" * 4000,
    "'" * 100 + "'s l' qu'il",
    "((((((((((aaaaaaaaaaaaaaaaaaaaaaaaaaaaa))))))))))",
    "a1" * 2000,
    "   \t\r\n  ",
    "",
]
BAD_BYTES = [
    b"caf\xc3",                    # truncated sequence
    b"\xc0\xaf overlong",
    b"\xed\xa0\x80 surrogate",
    b"\xf4\x90\x80\x80 too big",
    b"nul\x00inside",
    b"\xff\xfe\xfd",
]


def tsv_rows(name, n):
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    step = max(1, len(lines) // n)
    return lines[::step][:n]


def write(target, name, data):
    d = HERE / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + name)).write_bytes(data)


def texts():
    out = [t.encode() for t in HARD_TEXTS] + BAD_BYTES
    out += [row.split("\t", 1)[1].encode() for row in tsv_rows("test.tsv", 24)]
    return out


def serve_seeds():
    """fuzz_serve_request: byte 0 picks the endpoint (0 classify, 1 batch, 2
    explain, 3 audit) and bit 2 the small limits; then a request body."""
    import json
    bodies = [
        (0, {"text": "viande bovine désossée congelée", "k": 3, "only": "02, 0303",
             "lang": "fr", "national": True}),
        (1, {"texts": HARD_TEXTS[:6] + [""], "k": 1, "lang": "en"}),
        (2, {"text": "FROZEN BONELESS BEEF CUTS", "k": 2}),
        (4, {"text": "a" * 70, "k": 11}),
        (5, {"texts": ["x"] * 5}),
        (0, {"text": "x", "k": 5.5, "lang": "FR", "extra": [1, {"a": None}]}),
        (3, {"code": "0202.30", "text": "viande bovine congelée", "k": 2, "precedents": 3}),
        (7, {"code": "1", "text": "x", "only": "02"}),
        (3, {"code": 20230, "text": "beef"}),
    ]
    for i, (opt, body) in enumerate(bodies):
        write("fuzz_serve_request", "body-%02d" % i,
              bytes([opt]) + json.dumps(body, ensure_ascii=i % 2 == 0).encode())
    raw = [b'{"text": "abc"', b"[" * 3000, b'{"text": "a\\u0000b", "text": 1}',
           b'{"text": "\\ud800\\udc00 \\ud800"}', b'{"only": "84 85;;8"}',
           b'{"k": 99999999999999999999999, "national": 1}'] + \
          [b'{"text": "' + t + b'"}' for t in BAD_BYTES]
    for i, body in enumerate(raw):
        write("fuzz_serve_request", "raw-%02d" % i, bytes([i & 7]) + body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", help="hsclass executable, to train the model seeds")
    args = ap.parse_args()
    for i, t in enumerate(texts()):
        # tokenize: options byte 0 and 1 vary with the seed number
        write("fuzz_tokenize", "%02d" % i, bytes([(i * 37) & 0x7F, (i * 11) & 0xFF]) + t)
        write("fuzz_classify", "%02d" % i, bytes([(i * 53) & 0xFF]) + t)
    serve_seeds()
    write("fuzz_tokenize", "langs-text", b"\x80\x01en, french ,PT\n" + b"carne de vaca congelada")
    write("fuzz_tokenize", "langs-bad", b"\x80\x00en,en\nbeef")

    tiny = (DATA / "corrupt" / "tiny.tsv").read_bytes()
    nom = "\n".join(tsv_rows("train_nomenclature.tsv", 30)).encode() + b"\n"
    real = "\n".join(tsv_rows("train_real.tsv", 30)).encode() + b"\n"
    rows = {
        "tiny": (0x20, tiny),
        "tiny-strict-d4": (0x20 | 0x01 | (2 << 2), tiny),
        "nomenclature": (0x20 | 0x02, nom),
        "real-d0": (0x20, real),
        "bom-crlf": (0x20, b"\xef\xbb\xbf" + tiny.replace(b"\n", b"\r\n")),
        "bad-rows": (0x00, b"no tab here\n\t\nabc\tletters\n1\tshort\n0201.30\tbeef, frozen\n"
                           b"020130\t\n020130\t\xff\xfe\n0201300000000\ttoo long\n\n  \r\n"
                           b"02 01 30\tspaced code\n"),
        "bad-rows-strict": (0x01, b"020130\tbeef\nno tab\n020230\tfrozen beef\n"),
        "one-class": (0x20, b"020130\tbeef\n020130\tboeuf\n"),
        "text-limit": (0x40 | 0x20, b"020130\t" + b"beef " * 20 + b"\n870323\tcar\n"),
        "nomenclature-paths": (0x22, "020130\tMeat; of bovine animals, boneless; Other\n"
                                     "870323\tVehicles;;; Other; Of a cylinder capacity > 1500 cc\n"
                                     "610910\tT-shirts; of cotton, knitted\n".encode()),
    }
    for name, (opt, data) in rows.items():
        write("fuzz_train_rows", name, bytes([opt]) + data)

    if args.cli:
        variants = {
            "d4-pt-es": ["--digits", "4", "-l", "pt,es", "--word-ngrams", "1", "--no-skeletons",
                         "--keep-accents", "--char-ngrams", "0", "--dim", "3"],
            "d2-none": ["--digits", "2", "-l", "none", "--char-ngrams", "2-5", "--dim", "2",
                        "--hash-seed", "77"],
            "d0-real": ["--digits", "0", "-l", "en", "--dim", "2", "--min-count", "2"],
        }
        with tempfile.TemporaryDirectory() as tmp:
            src = pathlib.Path(tmp) / "rows.tsv"
            src.write_bytes(tiny + real)
            for name, opts in variants.items():
                out = pathlib.Path(tmp) / (name + ".hscm")
                subprocess.run([args.cli, "train", "-o", str(out), "-q", "--buckets", "2048",
                                "--epochs", "5", "--threads", "1", *opts, str(src)], check=True,
                               stderr=subprocess.DEVNULL)
                write("fuzz_model_load", name + ".hscm", out.read_bytes())


if __name__ == "__main__":
    main()

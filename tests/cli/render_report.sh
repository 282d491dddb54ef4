#!/bin/sh
# render_report.sh - `hsclass eval --report` writes a page that renders: train
# a small model from tests/data, write the report, check it is self-contained
# (no script, no external resource, four inline SVG charts), then take a
# screenshot with headless Chromium and check the PNG.
#
# usage: render_report.sh HSCLASS SOURCE_ROOT [OUT_DIR]
# Exit 77 (a skip for meson) when Chromium is not installed (Debian package
# "chromium"); the HTML checks still run first.
set -eu
cli=$1
src=$2
out=${3:-$(mktemp -d)}
mkdir -p "$out"
data=$src/tests/data

"$cli" train -q -o "$out/report.hscm" --dim 16 --epochs 8 --buckets 262144 --threads 1 \
    --describe "$data/nomenclature_en.tsv:en" \
    "$data/train_real.tsv:3" "$data/train_nomenclature.tsv:nomenclature" 2>"$out/train.log"
"$cli" eval -m "$out/report.hscm" --report "$out/report.html" "$data/test.tsv" >"$out/eval.txt"

python3 - "$out/report.html" <<'EOF'
import html.parser, re, sys
page = open(sys.argv[1], encoding="utf-8").read()

class Check(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.svg = 0
        self.stack = []
    def handle_starttag(self, tag, attrs):
        assert tag != "script", "the report must not need scripts"
        for k, v in attrs:
            if k in ("src", "href") and v and not v.startswith("#"):
                raise AssertionError(f"external resource: {k}={v}")
        self.svg += tag == "svg"
        if tag not in ("meta", "br", "img", "link", "line", "rect", "circle", "polyline"):
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag in ("line", "rect", "circle", "polyline"):
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()

c = Check()
c.feed(page)
assert not c.stack, f"unclosed: {c.stack}"
assert c.svg == 4, f"{c.svg} charts"
for title in ("Reliability diagram", "Accuracy against coverage", "Accuracy per chapter",
              "Most confused code pairs"):
    assert title in page, title
assert re.search(r"calibration error \(ECE\)</div><div class='v'>0\.\d{4}<", page)
print("report.html: self-contained, %d bytes, %d charts" % (len(page), c.svg))
EOF

browser=
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
    echo "chromium not installed: rendering skipped"
    exit 77
fi
rm -f "$out/report.png"
# --user-data-dir: a fresh profile, so parallel runs do not share one.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$out/profile" --window-size=800,2600 \
    --screenshot="$out/report.png" "file://$out/report.html" >"$out/chromium.log" 2>&1 || {
    cat "$out/chromium.log"; exit 1; }
python3 - "$out/report.png" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (800, 2600), (w, h)
# Decode the image and make sure it is not blank: count non-white pixels.
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
bit_depth, color = data[24], data[25]
assert bit_depth == 8 and color in (2, 6), (bit_depth, color)
bpp = 3 if color == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
ink = 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    ink += sum(1 for x in range(0, stride, bpp) if min(line[x:x + 3]) < 200)
    prev = line
assert ink > 20000, f"only {ink} non-white pixels: blank page?"
print(f"report.png: {w}x{h}, {ink} inked pixels")
EOF

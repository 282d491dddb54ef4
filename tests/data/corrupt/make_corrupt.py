#!/usr/bin/env python3
"""Rebuild tests/data/corrupt/: damaged .hscm files that must fail to load,
each with its specific status and error offset, plus a few OK controls.

    python3 make_corrupt.py --cli build/examples/hsclass-cli/hsclass  # retrain tiny-prec.hscm too
    python3 make_corrupt.py                                           # from the committed tiny.hscm

tiny.hscm is a small real model trained from tiny.tsv (7 labels, dim 4,
4096 buckets) by libhsclass 1.0, in format 1.1 (no scoring rule, no
memory); it is kept as written: the cases of the core sections derive from
it, and a 1.1 file must go on loading.
tiny-prec-v1.hscm is the same data trained in format 1.2, with a scoring
rule (SCOR), a precedent memory (PREC version 1) and its texts (PTXT): the
cases of those sections derive from it; it is kept as written (a 1.2 file
must go on loading and score as before). tiny-prec.hscm is the same again
in format 1.3 (PREC version 2, used in place): the prec2-* cases derive from
it. A file is named
<case>.<STATUS>.hscm; MANIFEST.tsv lists file, status, the err_offset the
loader must report, and what was done. tests/unit/test_corrupt.c checks both.

Damage is applied at two depths: raw (a flipped bit caught by a CRC) and
with every CRC recomputed, so that the later checks (layout, inflate,
meaning) are the ones that must catch it. The layout is the one in
libhsclass/model_format.h; this script writes it independently of the
library, so it also checks the reader against the specification.
"""
import argparse
import os
import pathlib
import struct
import subprocess
import sys
import zlib

HERE = pathlib.Path(__file__).resolve().parent
SIG = b"\x89HSCM\r\n\x1a"
HDR = 64
ENTRY = 40
ALIGN = 64
CRIT, ZLIB = 1, 2
TAGS = [b"META", b"LABL", b"ROWS", b"EMBD", b"OUTW", b"CALB"]
TRAIN = ["--dim", "4", "--buckets", "4096", "--epochs", "300", "--threads", "1",
         "--char-ngrams", "4-4", "-l", "en,fr", "--valid", "0", "-q"]
TRAIN_PREC = TRAIN + ["--keep-precedent-texts"]


def crc(b):
    return zlib.crc32(b) & 0xFFFFFFFF


def align(x):
    return (x + ALIGN - 1) // ALIGN * ALIGN


# ---- reading and writing the format ---------------------------------------

class Section:
    def __init__(self, tag, flags, raw, stored=None):
        self.tag, self.flags, self.raw = tag, flags, raw
        self.stored = stored   # None: derived from raw and flags

    def body(self):
        if self.stored is not None:
            return self.stored
        return zlib.compress(self.raw, 6) if self.flags & ZLIB else self.raw


def parse(data):
    count, esize = struct.unpack_from("<II", data, 40)
    table = struct.unpack_from("<Q", data, 32)[0]
    secs = []
    for i in range(count):
        tag, flags, off, stored, raw, _c, _r = struct.unpack_from("<4sIQQQII", data, table + i * ENTRY)
        body = data[off:off + stored]
        content = zlib.decompress(body) if flags & ZLIB else body
        assert len(content) == raw
        secs.append(Section(tag, flags, content))
    return secs


class Image:
    """A serialized file and where things landed, for computing offsets."""

    def __init__(self, data, entries, table):
        self.data = bytearray(data)
        self.entries = entries      # per section: (entry pos, offset, stored len)
        self.table = table

    def entry(self, tag):
        return self.entries[tag]


def build(secs, major=1, minor=0, req=0, opt=0, table_at=HDR, trailing=b""):
    """Lay out sections like the writer: the table, then each section at the
    next multiple of 64. Returns an Image with every CRC correct."""
    n = len(secs)
    pos = align(table_at + n * ENTRY)
    bodies, entries, table = [], {}, bytearray()
    for i, s in enumerate(secs):
        b = s.body()
        table += struct.pack("<4sIQQQII", s.tag, s.flags, pos, len(b), len(s.raw), crc(b), 0)
        entries.setdefault(s.tag, (table_at + i * ENTRY, pos, len(b)))
        bodies.append((pos, b))
        pos = align(pos + len(b)) if i < n - 1 else pos + len(b)
    size = pos + len(trailing)
    out = bytearray(size)
    out[table_at:table_at + len(table)] = table
    for off, b in bodies:
        out[off:off + len(b)] = b
    out[size - len(trailing):] = trailing
    hdr = SIG + struct.pack("<HHIIIQQIIIQ", major, minor, HDR, req, opt, size, table_at, n, ENTRY,
                            0x0A0B0C0D, 0)
    out[0:60] = hdr
    fix_header(out)
    return Image(out, entries, table_at)


def fix_header(b):
    struct.pack_into("<I", b, 60, crc(bytes(b[0:60])))


def set_field(b, off, fmt, value, fix=True):
    struct.pack_into(fmt, b, off, value)
    if fix and off < HDR:
        fix_header(b)


def fix_section_crc(img, tag):
    epos, off, stored = img.entry(tag)
    struct.pack_into("<I", img.data, epos + 32, crc(bytes(img.data[off:off + stored])))


# ---- section content helpers ----------------------------------------------

def meta_items(raw):
    n = struct.unpack_from("<I", raw, 0)[0]
    pos, items = 4, []
    for _ in range(n):
        kl = struct.unpack_from("<I", raw, pos)[0]
        k = raw[pos + 4:pos + 4 + kl]
        pos += 4 + kl
        vl = struct.unpack_from("<I", raw, pos)[0]
        v = raw[pos + 4:pos + 4 + vl]
        pos += 4 + vl
        items.append((k, v))
    return items


def meta_raw(items, count=None):
    out = bytearray(struct.pack("<I", len(items) if count is None else count))
    for k, v in items:
        out += struct.pack("<I", len(k)) + k + struct.pack("<I", len(v)) + v
    return bytes(out)


def meta_set(items, key, value):
    return [(k, value if k == key else v) for k, v in items]


def labl_parts(raw):
    n = struct.unpack_from("<I", raw, 0)[0]
    offs = struct.unpack_from("<%dI" % (n + 1), raw, 4)
    pool = raw[4 + 4 * (n + 1):]
    return [pool[offs[i]:offs[i + 1]] for i in range(n)]


def labl_raw(codes, count=None):
    offs, pool = [0], b""
    for c in codes:
        pool += c
        offs.append(len(pool))
    n = len(codes) if count is None else count
    return struct.pack("<I", n) + struct.pack("<%dI" % len(offs), *offs) + pool


# ---- the cases ---------------------------------------------------------------

class Cases:
    def __init__(self, base):
        self.base = base
        self.secs = parse(base)
        self.by_tag = {s.tag: s for s in self.secs}
        self.img = build(self.secs)
        if bytes(self.img.data) != base:
            sys.exit("make_corrupt: re-serializing tiny.hscm does not give the same bytes; "
                     "the layout in this script no longer matches the writer")
        self.rows = []

    def add(self, name, status, offset, data, what):
        fname = "%s.%s.hscm" % (name, status)
        self.rows.append((fname, status, offset, bytes(data), what))

    def sec_off(self, tag, img=None):
        return (img or self.img).entry(tag)[1]

    def ent(self, tag, img=None):
        return (img or self.img).entry(tag)[0]

    def replaced(self, tag, raw=None, flags=None, stored=None):
        out = []
        for s in self.secs:
            if s.tag == tag:
                s = Section(tag, s.flags if flags is None else flags,
                            s.raw if raw is None else raw, stored)
            out.append(s)
        return out

    def copy(self):
        return bytearray(self.base)

    def is_padding(self, pos):
        used = [(0, HDR + len(self.secs) * ENTRY)]
        used += [(off, off + st) for _e, off, st in self.img.entries.values()]
        return pos < len(self.base) and not any(a <= pos < b for a, b in used)

    # -- whole file ------------------------------------------------------------
    def truncations(self):
        n = len(self.base)
        cuts = {0, 1, 7, 8, 12, 32, 59, 63, 64, 65, 100, HDR + 6 * ENTRY - 1, HDR + 6 * ENTRY,
                n // 2, n - 64, n - 2, n - 1}
        for t in TAGS:
            _e, off, stored = self.img.entry(t)
            cuts |= {off, off + 1, off + stored // 2, off + stored - 1}
        for c in sorted(cuts):
            self.add("trunc-%05d" % c, "MODEL_TRUNCATED", c, self.base[:c],
                     "the first %d of %d bytes" % (c, n))
        # cut, and the header's file_size made to agree: the table or a
        # section now points past the end
        for t in (b"ROWS", b"CALB"):
            _e, off, stored = self.img.entry(t)
            b = bytearray(self.base[:off + stored - 1])
            set_field(b, 24, "<Q", len(b))
            self.add("trunc-sized-%s" % t.decode().lower(), "MODEL_LAYOUT", self.ent(t) + 16, b,
                     "cut inside %s, file_size updated: section ends past the file" % t.decode())

    def signature(self):
        for i in range(8):
            b = self.copy()
            b[i] ^= 0x01
            self.add("sig-byte%d" % i, "MODEL_SIGNATURE", i, b, "signature byte %d flipped" % i)
        b = self.copy()
        b[0] &= 0x7F
        self.add("sig-7bit", "MODEL_SIGNATURE", 0, b, "high bit stripped (7-bit transfer)")
        self.add("sig-crlf-to-lf", "MODEL_SIGNATURE", 5, self.base.replace(b"\r\n", b"\n"),
                 "text-mode transfer: every CRLF became LF")
        self.add("sig-lf-to-crlf", "MODEL_SIGNATURE", 6, self.base.replace(b"\n", b"\r\n"),
                 "text-mode transfer: every LF became CRLF")
        self.add("sig-tsv", "MODEL_SIGNATURE", 0,
                 (HERE / "tiny.tsv").read_bytes(), "a training file given as a model")
        gz = zlib.compress(self.base)
        self.add("sig-zlib", "MODEL_SIGNATURE", 0, gz, "the model, zlib-compressed")
        self.add("sig-zeros", "MODEL_SIGNATURE", 0, bytes(len(self.base)), "all zero bytes")

    def header(self):
        def hdr(name, status, off, fmt, value, what, at=None, fix=True):
            b = self.copy()
            set_field(b, off, fmt, value, fix)
            self.add(name, status, off if at is None else at, b, what)
        hdr("version-major2", "MODEL_VERSION", 8, "<H", 2, "major version 2")
        hdr("version-major0", "MODEL_VERSION", 8, "<H", 0, "major version 0")
        hdr("version-major-ffff", "MODEL_VERSION", 8, "<H", 0xFFFF, "major version 65535")
        hdr("required-flag0", "MODEL_VERSION", 16, "<I", 1, "unknown required flag bit 0")
        hdr("required-flag31", "MODEL_VERSION", 16, "<I", 1 << 31, "unknown required flag bit 31")
        hdr("header-size-65", "MODEL_LAYOUT", 12, "<I", 65, "header_size 65")
        hdr("header-size-0", "MODEL_LAYOUT", 12, "<I", 0, "header_size 0")
        hdr("byte-order-swapped", "MODEL_LAYOUT", 48, ">I", 0x0A0B0C0D,
            "byte-order word written big-endian")
        for i in (0, 7):
            hdr("reserved-byte%d" % i, "MODEL_LAYOUT", 52 + i, "<B", 1,
                "header reserved byte %d non-zero" % i)
        hdr("header-crc", "MODEL_CRC", 60, "<I", crc(self.base[0:60]) ^ 1,
            "header CRC off by one bit", fix=False)
        for off, what in ((20, "optional flags"), (24, "file_size"), (32, "table offset"),
                          (40, "section count"), (10, "minor version")):
            b = self.copy()
            b[off] ^= 0x04
            self.add("header-bitflip-%d" % off, "MODEL_CRC", 60, b,
                     "bit flipped in the %s, header CRC not updated" % what)
        n = len(self.base)
        hdr("file-size-larger", "MODEL_TRUNCATED", 24, "<Q", n + 64,
            "file_size 64 bytes more than the file", at=n)
        hdr("file-size-smaller", "MODEL_LAYOUT", 24, "<Q", n - 1,
            "file_size one byte less than the file", at=n - 1)
        hdr("file-size-huge", "MODEL_TRUNCATED", 24, "<Q", (1 << 64) - 1, "file_size 2^64-1", at=n)
        self.add("trailing-byte", "MODEL_LAYOUT", n, self.base + b"\0",
                 "one byte appended, file_size not updated")

    def table(self):
        def hdr(name, status, off, fmt, value, what, at=None):
            b = self.copy()
            set_field(b, off, fmt, value)
            self.add(name, status, off if at is None else at, b, what)
        hdr("entry-size-48", "MODEL_LAYOUT", 44, "<I", 48, "section entry size 48")
        hdr("section-count-33", "MODEL_LIMIT", 40, "<I", 33, "33 sections (limit 32)")
        hdr("section-count-huge", "MODEL_LIMIT", 40, "<I", 0xFFFFFFFF, "2^32-1 sections")
        hdr("section-count-0", "MODEL_SECTION", 40, "<I", 0, "no sections")
        hdr("section-count-5", "MODEL_SECTION", 40, "<I", 5, "last entry (CALB) not counted")
        hdr("table-misaligned", "MODEL_LAYOUT", 32, "<Q", HDR + 8, "table offset 72")
        hdr("table-in-header", "MODEL_LAYOUT", 32, "<Q", 0, "table offset 0")
        hdr("table-past-end", "MODEL_LAYOUT", 32, "<Q", align(len(self.base)) + 64,
            "table offset past the end")
        hdr("table-offset-huge", "MODEL_LAYOUT", 32, "<Q", (1 << 64) - 64,
            "table offset 2^64-64: offset + size overflows")

        def ent(name, status, tag, field, fmt, value, what, at=None, xor=False):
            b = self.copy()
            pos = self.ent(tag) + field
            if xor:
                struct.pack_into(fmt, b, pos, struct.unpack_from(fmt, b, pos)[0] ^ value)
            else:
                struct.pack_into(fmt, b, pos, value)
            self.add(name, status, pos if at is None else at, b, what)
        t = "entry-%s-"
        for tag in TAGS:
            low = tag.decode().lower()
            off = self.sec_off(tag)
            ent((t % low) + "reserved", "MODEL_LAYOUT", tag, 36, "<I", 1,
                "%s entry reserved word non-zero" % tag.decode())
            ent((t % low) + "flag-bit2", "MODEL_LAYOUT", tag, 4, "<I", 4,
                "%s entry: unknown flag bit 2" % tag.decode(), xor=True)
            ent((t % low) + "misaligned", "MODEL_LAYOUT", tag, 8, "<Q", off + 8,
                "%s offset not a multiple of 64" % tag.decode())
            ent((t % low) + "past-end", "MODEL_LAYOUT", tag, 8, "<Q", align(len(self.base)),
                "%s starts at the end of the file" % tag.decode(), at=self.ent(tag) + 16)
            ent((t % low) + "stored-overflow", "MODEL_LAYOUT", tag, 16, "<Q", (1 << 64) - 64,
                "%s stored size 2^64-64: offset + size overflows" % tag.decode())
            ent((t % low) + "not-critical", "MODEL_SECTION", tag, 4, "<I", CRIT,
                "%s entry without the critical flag" % tag.decode(), xor=True)
            ent((t % low) + "crc", "MODEL_CRC", tag, 32, "<I", 0x80000000,
                "%s entry CRC flipped" % tag.decode(), at=off, xor=True)
        # stored raw: raw_size must equal stored_size
        ent("entry-embd-raw-size", "MODEL_LAYOUT", b"EMBD", 24, "<Q", self.img.entry(b"EMBD")[2] + 1,
            "uncompressed EMBD with raw_size != stored_size")
        ent("entry-labl-as-meta", "MODEL_SECTION", b"LABL", 0, "<4s", b"META",
            "two META sections (LABL retagged)")
        ent("entry-tag-bitflip", "MODEL_SECTION", b"ROWS", 0, "<I", 0x20,
            "ROWS tag with a flipped bit: an unknown critical section, ROWS missing", xor=True)

    def regions(self):
        # overlapping sections and regions
        def moved(name, tag, new_off, at, what, status="MODEL_LAYOUT"):
            b = self.copy()
            struct.pack_into("<Q", b, self.ent(tag) + 8, new_off)
            self.add(name, status, at, b, what)
        m, l = self.sec_off(b"META"), self.sec_off(b"LABL")
        e, o = self.sec_off(b"EMBD"), self.sec_off(b"OUTW")
        moved("overlap-labl-on-meta", b"LABL", m, m, "LABL at META's offset")
        moved("overlap-outw-in-embd", b"OUTW", e + 64, e + 64, "OUTW starts inside EMBD")
        moved("overlap-embd-on-header", b"EMBD", 0, 0, "EMBD over the header")
        moved("overlap-meta-on-table", b"META", HDR, HDR, "META over the section table")
        # a section wholly inside another, CRC made right for its new place
        b = self.copy()
        ep, _off, st = self.img.entry(b"CALB")
        struct.pack_into("<Q", b, ep + 8, e)
        struct.pack_into("<I", b, ep + 32, crc(bytes(b[e:e + st])))
        self.add("overlap-calb-in-embd", "MODEL_LAYOUT", e, b, "CALB points at EMBD's first bytes")
        # non-zero padding between the table and META, between sections, after the end
        for name, pos in (("pad-after-table", HDR + 6 * ENTRY),
                          ("pad-before-meta", m - 1),
                          ("pad-after-meta", m + self.img.entry(b"META")[2]),
                          ("pad-before-outw", o - 1)):
            if not self.is_padding(pos):
                sys.exit("make_corrupt: expected padding at %d" % pos)
            b = self.copy()
            b[pos] = 0x01
            self.add(name, "MODEL_LAYOUT", pos, b, "non-zero padding byte at %d" % pos)
        img = build(self.secs, trailing=b"\0" * 63 + b"\x01")
        self.add("pad-trailing", "MODEL_LAYOUT", len(img.data) - 1, img.data,
                 "63 zero bytes and a non-zero byte after the last section")

    def bitflips(self):
        """Bits flipped in every section: caught by the CRC, and with the CRC
        recomputed, by the section's own checks."""
        for tag in TAGS:
            _e, off, stored = self.img.entry(tag)
            for where, pos in (("first", 0), ("mid", stored // 2), ("last", stored - 1)):
                b = self.copy()
                b[off + pos] ^= 0x10
                self.add("flip-%s-%s" % (tag.decode().lower(), where), "MODEL_CRC", off, b,
                         "bit 4 of %s byte %d flipped" % (tag.decode(), pos))
        # compressed sections with the CRC fixed: the inflate must catch it
        for tag in (b"META", b"LABL", b"ROWS"):
            s = self.by_tag[tag]
            if not s.flags & ZLIB:
                continue
            _e, off, stored = self.img.entry(tag)
            for where, pos in (("mid", stored // 2), ("adler", stored - 1)):
                img = build(self.secs)
                img.data[off + pos] ^= 0x10
                fix_section_crc(img, tag)
                self.add("flipfix-%s-%s" % (tag.decode().lower(), where), "MODEL_INFLATE", off,
                         img.data, "compressed %s byte %d flipped, CRC recomputed" % (tag.decode(), pos))

    def inflate(self):
        meta = self.by_tag[b"META"]
        m = self.sec_off(b"META")
        z = zlib.compress(meta.raw, 6)

        def sec(name, status, at, what, **kw):
            img = build(self.replaced(b"META", **kw))
            self.add(name, status, at(img) if callable(at) else at, img.data, what)
        sec("inflate-trailing-garbage", "MODEL_INFLATE", m, "META stream followed by 4 extra bytes",
            stored=z + b"\0\1\2\3")
        sec("inflate-cut-stream", "MODEL_INFLATE", m, "META stream missing its last 6 bytes",
            stored=z[:-6])
        sec("inflate-short-output", "MODEL_INFLATE", m,
            "META raw_size one more than the stream inflates to", raw=meta.raw + b"\0", stored=z)
        sec("inflate-long-output", "MODEL_INFLATE", m,
            "META raw_size one less than the stream inflates to", raw=meta.raw[:-1], stored=z)
        sec("inflate-not-zlib", "MODEL_INFLATE", m, "META flagged zlib but stored raw",
            stored=meta.raw)
        sec("inflate-raw-deflate", "MODEL_INFLATE", m, "META as raw deflate (no zlib header)",
            stored=zlib.compress(meta.raw, 6)[2:-4])
        # decompression bombs
        bomb = zlib.compress(b"\0" * (16 << 20), 9)
        sec("bomb-16mib-declared-small", "MODEL_INFLATE", m,
            "META inflates to 16 MiB of zeros; raw_size says %d" % len(meta.raw),
            raw=meta.raw, stored=bomb)
        sec("bomb-16mib-honest", "MODEL_SECTION", m,
            "META is 16 MiB of zeros, raw_size honest: count 0 then junk", raw=b"\0" * (16 << 20),
            stored=bomb)
        img = build(self.replaced(b"META", stored=bomb))
        struct.pack_into("<Q", img.data, self.ent(b"META", img) + 24, (1 << 30) + 1)
        self.add("bomb-raw-over-limit", "MODEL_LIMIT", self.ent(b"META", img) + 24, img.data,
                 "META raw_size 2^30+1 (limit 2^30)")
        img = build(self.secs)
        struct.pack_into("<Q", img.data, self.ent(b"META", img) + 24, len(z) * 1032 + 65)
        self.add("bomb-ratio", "MODEL_INFLATE", self.ent(b"META", img) + 24, img.data,
                 "META raw_size beyond deflate's maximum ratio for its stored size")
        img = build(self.secs)
        struct.pack_into("<Q", img.data, self.ent(b"META", img) + 24, (1 << 64) - 1)
        self.add("bomb-raw-2e64", "MODEL_LIMIT", self.ent(b"META", img) + 24, img.data,
                 "META raw_size 2^64-1")
        # a raw matrix flagged as compressed
        s = self.by_tag[b"EMBD"]
        img = build(self.replaced(b"EMBD", flags=s.flags | ZLIB, stored=s.raw))
        self.add("inflate-embd-flagged", "MODEL_INFLATE", self.sec_off(b"EMBD", img), img.data,
                 "raw EMBD flagged zlib")

    def sections(self):
        # unknown critical section, missing sections, duplicates
        extra = Section(b"XTRA", CRIT, b"future critical data")
        img = build(self.secs + [extra])
        self.add("unknown-critical", "MODEL_SECTION", HDR + 6 * ENTRY, img.data,
                 "an unknown section XTRA flagged critical")
        img = build(self.secs[:3] + [Section(b"\0\0\0\0", CRIT, b"")] + self.secs[3:])
        self.add("unknown-critical-empty-tag", "MODEL_SECTION", HDR + 3 * ENTRY, img.data,
                 "an empty critical section with tag 0")
        for i, tag in enumerate(TAGS):
            img = build([s for s in self.secs if s.tag != tag])
            self.add("missing-%s" % tag.decode().lower(), "MODEL_SECTION", 40, img.data,
                     "no %s section" % tag.decode())
        img = build(self.secs + [self.by_tag[b"CALB"]])
        self.add("duplicate-calb", "MODEL_SECTION", HDR + 6 * ENTRY, img.data, "CALB twice")
        img = build([Section(b"XTRA", CRIT, b"x")] * 27 + self.secs)
        self.add("sections-33", "MODEL_LIMIT", 40, img.data, "27 extra sections: 33 in all")

    # -- meaning: content edited, everything re-laid-out with good CRCs ---------
    def semantics(self):
        items = meta_items(self.by_tag[b"META"].raw)
        m = self.sec_off(b"META")

        def meta(name, status, new_items, what, count=None, raw=None, at=None):
            r = raw if raw is not None else meta_raw(new_items, count)
            img = build(self.replaced(b"META", raw=r, flags=CRIT | ZLIB))
            self.add(name, status, m if at is None else at(img), img.data, what)
        meta("meta-dim-1025", "MODEL_LIMIT", meta_set(items, b"dim", b"1025"), "dim 1025 (limit 1024)")
        meta("meta-dim-huge", "MODEL_VALUE", meta_set(items, b"dim", b"4294967296"),
             "dim 2^32: not a u32")
        meta("meta-dim-0", "MODEL_VALUE", meta_set(items, b"dim", b"0"), "dim 0")
        meta("meta-dim-9", "MODEL_VALUE", meta_set(items, b"dim", b"9"),
             "dim 9 but EMBD rows have 8", at=lambda img: self.sec_off(b"EMBD", img))
        meta("meta-dim-leading-zero", "MODEL_VALUE", meta_set(items, b"dim", b"08"), "dim '08'")
        meta("meta-dim-negative", "MODEL_VALUE", meta_set(items, b"dim", b"-8"), "dim '-8'")
        meta("meta-buckets-huge", "MODEL_LIMIT", meta_set(items, b"hash.buckets", b"1073741825"),
             "hash.buckets 2^30+1")
        meta("meta-buckets-0", "MODEL_VALUE", meta_set(items, b"hash.buckets", b"0"),
             "hash.buckets 0")
        meta("meta-char-max-33", "MODEL_VALUE", meta_set(items, b"ngrams.char_max", b"33"),
             "ngrams.char_max 33")
        meta("meta-word-ngrams-3", "MODEL_VALUE", meta_set(items, b"ngrams.word", b"3"),
             "ngrams.word 3")
        meta("meta-tokenizer-2", "MODEL_MISMATCH", meta_set(items, b"tokenizer.version", b"2"),
             "a tokenizer version this build lacks")
        meta("meta-feature-3", "MODEL_MISMATCH", meta_set(items, b"feature.version", b"3"),
             "a feature version this build lacks")
        meta("meta-feature-0", "MODEL_MISMATCH", meta_set(items, b"feature.version", b"0"),
             "feature version 0")
        meta("meta-hash-murmur", "MODEL_MISMATCH", meta_set(items, b"hash", b"murmur3"),
             "an unknown feature hash")
        meta("meta-stemmer-porter", "MODEL_MISMATCH", meta_set(items, b"stemmer", b"porter"),
             "an unknown stemmer family")
        meta("meta-norm-nfd", "MODEL_MISMATCH", meta_set(items, b"normalization", b"NFD"),
             "an unknown normalization")
        meta("meta-language-xx", "MODEL_MISMATCH", meta_set(items, b"languages", b"en,xx"),
             "an unknown language")
        meta("meta-algos-mismatch", "MODEL_VALUE",
             meta_set(items, b"stemmer.algorithms", b"english,spanish"),
             "stemmer.algorithms disagrees with languages")
        meta("meta-created-by-empty", "MODEL_VALUE", meta_set(items, b"created_by", b""),
             "empty created_by")
        meta("meta-code-digits-8", "MODEL_VALUE", meta_set(items, b"hs.code_digits", b"8"),
             "hs.code_digits 8 but labels have 6 digits")
        meta("meta-missing-dim", "MODEL_SECTION", [kv for kv in items if kv[0] != b"dim"],
             "the required key dim is missing")
        meta("meta-unsorted", "MODEL_VALUE", [items[1], items[0]] + items[2:],
             "keys not in ascending order")
        meta("meta-duplicate-key", "MODEL_VALUE", [items[0]] + items,
             "first key repeated")
        meta("meta-key-uppercase", "MODEL_VALUE", [(b"Created_by", items[0][1])] + items[1:],
             "a key with an upper-case letter")
        meta("meta-key-info", "MODEL_VALUE", items + [(b"info.x", b"1")],
             "a stored key in the reserved info. space")
        meta("meta-key-empty", "MODEL_VALUE", [(b"", b"x")] + items, "an empty key")
        meta("meta-value-nul", "MODEL_VALUE", meta_set(items, b"hs.edition", b"HS\x002022"),
             "a value with a NUL byte")
        meta("meta-value-bad-utf8", "MODEL_VALUE", meta_set(items, b"hs.edition", b"HS\xc3\x28"),
             "a value with invalid UTF-8")
        meta("meta-value-overlong", "MODEL_VALUE", meta_set(items, b"hs.edition", b"\xc0\xaf"),
             "a value with an overlong UTF-8 sequence")
        meta("meta-key-65", "MODEL_LIMIT", items + [(b"z" * 65, b"1")], "a 65-byte key")
        meta("meta-value-4097", "MODEL_LIMIT", items + [(b"zz", b"v" * 4097)], "a 4097-byte value")
        meta("meta-count-1025", "MODEL_LIMIT", items, "count 1025 (limit 1024)", count=1025)
        meta("meta-count-plus1", "MODEL_SECTION", items, "count one more than the entries",
             count=len(items) + 1)
        meta("meta-count-minus1", "MODEL_SECTION", items, "count one less than the entries",
             count=len(items) - 1)
        meta("meta-empty", "MODEL_SECTION", None, "a zero-byte META", raw=b"")
        meta("meta-key-len-huge", "MODEL_LIMIT", None, "a key length of 2^32-1",
             raw=struct.pack("<II", 1, 0xFFFFFFFF) + b"dim")

        codes = labl_parts(self.by_tag[b"LABL"].raw)
        lo = self.sec_off(b"LABL")

        def labl(name, status, raw, what, at=None):
            img = build(self.replaced(b"LABL", raw=raw, flags=CRIT | ZLIB))
            self.add(name, status, lo if at is None else at(img), img.data, what)
        labl("labl-unsorted", "MODEL_VALUE", labl_raw([codes[1], codes[0]] + codes[2:]),
             "labels out of order")
        labl("labl-duplicate", "MODEL_VALUE", labl_raw([codes[0]] + codes), "a label twice")
        labl("labl-letter", "MODEL_VALUE", labl_raw([codes[0][:-1] + b"X"] + codes[1:]),
             "a label with a letter")
        labl("labl-1-digit", "MODEL_VALUE", labl_raw([b"0"] + codes[1:]), "a 1-digit label")
        labl("labl-13-digits", "MODEL_VALUE", labl_raw(codes[:-1] + [b"9" * 13]), "a 13-digit label")
        labl("labl-count-0", "MODEL_VALUE", labl_raw([]), "no labels")
        labl("labl-count-huge", "MODEL_LIMIT", labl_raw(codes, count=(1 << 20) + 1),
             "label count 2^20+1")
        labl("labl-count-plus1", "MODEL_SECTION", labl_raw(codes, count=len(codes) + 1),
             "label count one more than the offsets")
        labl("labl-8-digits", "MODEL_VALUE", labl_raw(codes[:-1] + [codes[-1] + b"00"]),
             "an 8-digit label among 6-digit ones: hs.code_digits disagrees",
             at=lambda img: self.sec_off(b"META", img))
        # one label fewer: the OUTW rows no longer match the tree
        labl("labl-one-fewer", "MODEL_VALUE", labl_raw(codes[:-1]),
             "a label dropped: OUTW has rows for nodes that no longer exist",
             at=lambda img: self.sec_off(b"OUTW", img))

        rows = self.by_tag[b"ROWS"].raw
        n_rows = struct.unpack_from("<I", rows, 0)[0]
        gaps = list(struct.unpack_from("<%dI" % n_rows, rows, 4))
        ro = self.sec_off(b"ROWS")

        def rws(name, status, raw, what, at=None):
            img = build(self.replaced(b"ROWS", raw=raw, flags=CRIT | ZLIB))
            self.add(name, status, ro if at is None else at(img), img.data, what)
        rws("rows-gap-0", "MODEL_VALUE", struct.pack("<I", n_rows) +
            struct.pack("<%dI" % n_rows, *(gaps[:1] + [0] + gaps[2:])), "a repeated bucket (gap 0)")
        rws("rows-past-buckets", "MODEL_VALUE", struct.pack("<I", n_rows) +
            struct.pack("<%dI" % n_rows, *(gaps[:-1] + [4096])), "a bucket >= hash.buckets")
        rws("rows-count-huge", "MODEL_LIMIT", struct.pack("<I", (1 << 26) + 1) + rows[4:],
            "row count 2^26+1")
        rws("rows-count-plus1", "MODEL_SECTION", struct.pack("<I", n_rows + 1) + rows[4:],
            "row count one more than the gaps")
        rws("rows-one-fewer", "MODEL_VALUE", struct.pack("<I", n_rows - 1) + rows[4:-4],
            "a row dropped: EMBD has one row too many",
            at=lambda img: self.sec_off(b"EMBD", img))

        # The same faults in sections stored raw: the offset is the bad byte's.
        def raw_sec(tag, name, status, raw, pos, what):
            img = build(self.replaced(tag, raw=raw, flags=CRIT))
            self.add(name, status, self.sec_off(tag, img) + pos, img.data, what)
        swapped = [items[1], items[0]] + items[2:]
        raw_sec(b"META", "meta-raw-unsorted", "MODEL_VALUE", meta_raw(swapped),
                len(meta_raw(swapped[:2])), "raw META, keys not in ascending order")
        bad = meta_set(items, b"hs.edition", b"HS\xc3\x28")
        pos = 4
        for k, v in bad:
            pos += 4 + len(k) + 4
            if k == b"hs.edition":
                break
            pos += len(v)
        raw_sec(b"META", "meta-raw-bad-utf8", "MODEL_VALUE", meta_raw(bad), pos,
                "raw META, a value with invalid UTF-8")
        n_codes = len(codes)
        raw_sec(b"LABL", "labl-raw-unsorted", "MODEL_VALUE",
                labl_raw([codes[1], codes[0]] + codes[2:]), 8 + 4 * n_codes + len(codes[1]),
                "raw LABL, labels out of order")
        raw_sec(b"LABL", "labl-raw-letter", "MODEL_VALUE",
                labl_raw([codes[0][:-1] + b"X"] + codes[1:]), 8 + 4 * n_codes + len(codes[0]) - 1,
                "raw LABL, a label with a letter")
        raw_sec(b"ROWS", "rows-raw-gap-0", "MODEL_VALUE", struct.pack("<I", n_rows) +
                struct.pack("<%dI" % n_rows, *(gaps[:1] + [0] + gaps[2:])), 8,
                "raw ROWS, a repeated bucket (gap 0)")

        def matrix(tag, name, status, raw, what, at=0):
            img = build(self.replaced(tag, raw=raw))
            self.add(name, status, self.sec_off(tag, img) + at, img.data, what)
        for tag in (b"EMBD", b"OUTW"):
            raw = self.by_tag[tag].raw
            n, dim = struct.unpack_from("<II", raw, 0)
            low = tag.decode().lower()
            limit = (1 << 26) if tag == b"EMBD" else 1 + 7 * (1 << 20)
            matrix(tag, low + "-rows-huge", "MODEL_LIMIT", struct.pack("<I", limit + 1) + raw[4:],
                   "%s rows over the limit" % tag.decode())
            matrix(tag, low + "-dim-1025", "MODEL_LIMIT", raw[:4] + struct.pack("<I", 1025) + raw[8:],
                   "%s dim 1025" % tag.decode(), at=4)
            matrix(tag, low + "-dim-16", "MODEL_SECTION", raw[:4] + struct.pack("<I", 16) + raw[8:],
                   "%s dim 16: size disagrees" % tag.decode())
            matrix(tag, low + "-short", "MODEL_SECTION", raw[:-1], "%s one byte short" % tag.decode())
            for vname, v in (("nan", b"\x00\x00\xc0\x7f"), ("inf", b"\x00\x00\x80\x7f"),
                             ("negative", struct.pack("<f", -0.5)),
                             ("huge", struct.pack("<f", 1e37)), ("2e6", struct.pack("<f", 2e6))):
                r = raw[:8 + 4] + v + raw[8 + 8:]
                matrix(tag, "%s-scale-%s" % (low, vname), "MODEL_VALUE", r,
                       "%s second row scale %s" % (tag.decode(), vname), at=12)
        cb = self.by_tag[b"CALB"].raw
        for name, status, raw, at, what in (
                ("calb-temp-0", "MODEL_VALUE", struct.pack("<d", 0.0) + cb[8:], 0, "temperature 0"),
                ("calb-temp-neg", "MODEL_VALUE", struct.pack("<d", -1.0) + cb[8:], 0,
                 "temperature -1"),
                ("calb-temp-nan", "MODEL_VALUE", struct.pack("<d", float("nan")) + cb[8:], 0,
                 "temperature NaN"),
                ("calb-temp-inf", "MODEL_VALUE", struct.pack("<d", float("inf")) + cb[8:], 0,
                 "temperature +inf"),
                ("calb-temp-tiny", "MODEL_VALUE", struct.pack("<d", 1e-300) + cb[8:], 0,
                 "temperature 1e-300: logits would overflow"),
                ("calb-temp-huge", "MODEL_VALUE", struct.pack("<d", 1e300) + cb[8:], 0,
                 "temperature 1e300"),
                ("calb-threshold-1.5", "MODEL_VALUE", cb[:8] + struct.pack("<d", 1.5), 8,
                 "accept threshold 1.5"),
                ("calb-threshold-nan", "MODEL_VALUE", cb[:8] + struct.pack("<d", float("nan")), 8,
                 "accept threshold NaN"),
                ("calb-short", "MODEL_SECTION", cb[:15], 0, "CALB 15 bytes"),
                ("calb-long", "MODEL_SECTION", cb + b"\0", 0, "CALB 17 bytes")):
            matrix(b"CALB", name, status, raw, what, at=at)

    def controls(self):
        """Variations the format allows: each must load."""
        self.add("ok-base", "OK", 0, self.base, "tiny.hscm itself")
        b = self.copy()
        set_field(b, 10, "<H", 7)
        self.add("ok-minor-7", "OK", 0, b, "minor version 7 (minor bumps stay readable)")
        b = self.copy()
        set_field(b, 20, "<I", 0xFFFFFFFF)
        self.add("ok-optional-flags", "OK", 0, b, "every optional flag bit set")
        self.add("ok-unknown-optional", "OK", 0,
                 build(self.secs + [Section(b"XTRA", 0, b"skippable")]).data,
                 "an unknown non-critical section")
        self.add("ok-unknown-optional-zlib", "OK", 0,
                 build([Section(b"XTRA", ZLIB, b"skippable " * 20)] + self.secs).data,
                 "an unknown non-critical compressed section, listed first")
        self.add("ok-reordered", "OK", 0, build(self.secs[::-1]).data, "sections in reverse order")
        self.add("ok-all-raw", "OK", 0,
                 build([Section(s.tag, CRIT, s.raw) for s in self.secs]).data,
                 "every section stored uncompressed")
        self.add("ok-all-zlib", "OK", 0,
                 build([Section(s.tag, CRIT | ZLIB, s.raw) for s in self.secs]).data,
                 "every section compressed")
        self.add("ok-trailing-zeros", "OK", 0, build(self.secs, trailing=b"\0" * 100).data,
                 "100 zero bytes of padding after the last section")
        self.add("ok-table-at-128", "OK", 0, build(self.secs, table_at=128).data,
                 "the section table at offset 128 after zero padding")

    # -- format 1.2: the scoring rule, the precedent memory and its texts ----------
    def memory(self, base):
        secs = parse(base)
        img = build(secs, minor=2)
        if bytes(img.data) != base:
            sys.exit("make_corrupt: re-serializing tiny-prec-v1.hscm does not give the same bytes")
        self.add("ok-prec-base", "OK", 0, base, "tiny-prec-v1.hscm itself (SCOR, PREC 1, PTXT)")
        by_tag = {s.tag: s for s in secs}

        def case(tag, name, status, raw, what, at=0, flags=None, drop=()):
            out = []
            for s in secs:
                if s.tag in drop:
                    continue
                if s.tag == tag:
                    s = Section(tag, s.flags if flags is None else flags, raw)
                out.append(s)
            im = build(out, minor=2)
            pos = im.entry(tag)[1] if tag in im.entries else 0
            self.add(name, status, pos + at if not (flags or by_tag[tag].flags) & ZLIB else pos,
                     im.data, what)

        sc = by_tag[b"SCOR"].raw
        case(b"SCOR", "scor-version-2", "MODEL_VERSION", struct.pack("<I", 2) + sc[4:],
             "scoring rule version 2")
        case(b"SCOR", "scor-mix-1", "MODEL_VALUE", sc[:4] + struct.pack("<d", 1.0) + sc[12:],
             "precedents' share 1 (the linear model would count for nothing)", at=4)
        case(b"SCOR", "scor-mix-nan", "MODEL_VALUE", sc[:4] + struct.pack("<d", float("nan")) + sc[12:],
             "precedents' share NaN", at=4)
        case(b"SCOR", "scor-power-0", "MODEL_VALUE", sc[:12] + struct.pack("<d", 0.0),
             "calibration exponent 0", at=12)
        case(b"SCOR", "scor-power-huge", "MODEL_VALUE", sc[:12] + struct.pack("<d", 1e9),
             "calibration exponent 1e9", at=12)
        case(b"SCOR", "scor-short", "MODEL_SECTION", sc[:19], "SCOR 19 bytes")
        b = bytearray(build([s for s in secs], minor=2).data)
        e = build(secs, minor=2).entry(b"SCOR")[0]
        struct.pack_into("<I", b, e + 4, 0)   # not critical: a 1.2 reader still knows it
        self.add("ok-scor-not-critical", "OK", 0, b, "SCOR without the critical flag")

        pr = by_tag[b"PREC"].raw
        n_rows, n_keys = struct.unpack_from("<II", pr, 4)
        case(b"PREC", "prec-version-3", "MODEL_VALUE", struct.pack("<I", 3) + pr[4:],
             "memory version 3")
        case(b"PREC", "prec-rows-0", "MODEL_VALUE", pr[:4] + struct.pack("<I", 0) + pr[8:],
             "memory of 0 rows", at=4)
        case(b"PREC", "prec-rows-huge", "MODEL_VALUE",
             pr[:4] + struct.pack("<I", (1 << 26) + 1) + pr[8:], "memory rows over the limit", at=4)
        case(b"PREC", "prec-neighbours-0", "MODEL_VALUE", pr[:12] + struct.pack("<I", 0) + pr[16:],
             "0 neighbours vote", at=12)
        case(b"PREC", "prec-neighbours-65", "MODEL_VALUE", pr[:12] + struct.pack("<I", 65) + pr[16:],
             "65 neighbours (limit 64)", at=12)
        case(b"PREC", "prec-power-nan", "MODEL_VALUE",
             pr[:20] + struct.pack("<d", float("nan")) + pr[28:], "vote power NaN", at=20)
        case(b"PREC", "prec-sources-0", "MODEL_VALUE", pr[:28] + struct.pack("<I", 0) + pr[32:],
             "no source names", at=28)
        # past the sources: the key table
        pos, n_src = 32, struct.unpack_from("<I", pr, 28)[0]
        for _ in range(n_src):
            pos += 4 + struct.unpack_from("<I", pr, pos)[0]
        tab_len = struct.unpack_from("<I", pr, pos)[0]
        tab = pos + 4
        case(b"PREC", "prec-keys-truncated", "MODEL_SECTION", pr[:tab + tab_len // 2],
             "cut inside the key table", at=pos)
        # the first key's df (its second varint) made 0
        k0 = tab
        while pr[k0] & 0x80:
            k0 += 1
        bad = bytearray(pr)
        bad[k0 + 1] = 0
        case(b"PREC", "prec-df-0", "MODEL_VALUE", bytes(bad), "a key in no row", at=tab)
        post = tab + tab_len
        post_len = struct.unpack_from("<I", pr, post)[0]
        labels = post + 4 + post_len
        lab_len = struct.unpack_from("<I", pr, labels)[0]
        bad = bytearray(pr)
        bad[labels + 4] = 0x7F   # label 127 of 7
        case(b"PREC", "prec-label-out-of-range", "MODEL_VALUE", bytes(bad),
             "a row labelled beyond the labels", at=labels + 4)
        norms = labels + 4 + lab_len
        bad = bytearray(pr)
        struct.pack_into("<f", bad, norms, -1.0)
        case(b"PREC", "prec-norm-negative", "MODEL_VALUE", bytes(bad), "a row's norm -1", at=norms)
        bad = bytearray(pr)
        bad[norms + 4 * n_rows] = 200
        case(b"PREC", "prec-source-out-of-range", "MODEL_VALUE", bytes(bad),
             "a row from source 200", at=norms + 4 * n_rows)
        case(b"PREC", "prec-short", "MODEL_SECTION", pr[:-1], "PREC one byte short", at=norms)
        case(b"PREC", "prec-long", "MODEL_SECTION", pr + b"\0", "PREC one byte long", at=norms)

        tx = by_tag[b"PTXT"].raw
        case(b"PTXT", "ptxt-count", "MODEL_VALUE", struct.pack("<I", n_rows + 1) + tx[4:],
             "texts of one row more than the memory")
        bad = bytearray(tx)
        bad[8] = 0x07   # BEL in the first text
        case(b"PTXT", "ptxt-control", "MODEL_VALUE", bytes(bad), "a text with a control character")
        case(b"PTXT", "ptxt-without-prec", "MODEL_SECTION", tx, "texts without a memory",
             drop=(b"PREC",))
        b = build([s for s in secs if s.tag not in (b"PREC", b"PTXT")], minor=2).data
        self.add("ok-noprec-scor", "OK", 0, b, "a scoring rule and no memory")

    # -- format 1.3: the memory in place (PREC version 2) ----------------------------
    def memory_v2(self, base):
        secs = parse(base)
        img = build(secs, minor=3)
        if bytes(img.data) != base:
            sys.exit("make_corrupt: re-serializing tiny-prec.hscm does not give the same bytes")
        self.add("ok-prec2-base", "OK", 0, base, "tiny-prec.hscm itself (SCOR, PREC 2, PTXT)")
        pr = next(s for s in secs if s.tag == b"PREC").raw
        sec = img.entry(b"PREC")[1]

        def case(name, status, raw, what, at):
            out = [Section(s.tag, s.flags, raw) if s.tag == b"PREC" else s for s in secs]
            self.add(name, status, sec + at, build(out, minor=3).data, what)

        n_rows, n_keys = struct.unpack_from("<II", pr, 4)
        pos, n_src = 32, struct.unpack_from("<I", pr, 28)[0]
        for _ in range(n_src):
            pos += 4 + struct.unpack_from("<I", pr, pos)[0]
        pad = (4 - pos % 4) % 4
        labels = pos + pad
        norms = labels + 4 * n_rows
        blocks = norms + 4 * n_rows
        n_blocks = (n_keys + 15) // 16
        sources = blocks + 12 * n_blocks
        tab = sources + n_rows
        tab_len = struct.unpack_from("<I", pr, tab)[0]
        post = tab + 4 + tab_len
        post_len = struct.unpack_from("<I", pr, post)[0]
        assert post + 4 + post_len == len(pr), "PREC version 2 layout"

        case("prec2-version-3", "MODEL_VALUE", struct.pack("<I", 3) + pr[4:], "memory version 3", 0)
        if pad:
            bad = bytearray(pr)
            bad[pos] = 1
            case("prec2-pad", "MODEL_VALUE", bytes(bad), "a padding byte not zero", pos)
        bad = bytearray(pr)
        struct.pack_into("<I", bad, labels + 4, 7)   # label 7 of 7
        case("prec2-label-out-of-range", "MODEL_VALUE", bytes(bad),
             "the second row labelled beyond the labels", labels + 4)
        bad = bytearray(pr)
        struct.pack_into("<f", bad, norms, float("nan"))
        case("prec2-norm-nan", "MODEL_VALUE", bytes(bad), "a row's norm NaN", norms)
        bad = bytearray(pr)
        bad[sources + n_rows - 1] = n_src
        case("prec2-source-out-of-range", "MODEL_VALUE", bytes(bad),
             "the last row from a source past the names", sources + n_rows - 1)
        bad = bytearray(pr)
        struct.pack_into("<I", bad, blocks + 4, 1)
        case("prec2-block-table-pos", "MODEL_VALUE", bytes(bad),
             "the first block's entries not at the table's start", blocks)
        if n_blocks > 1:
            bad = bytearray(pr)
            struct.pack_into("<I", bad, blocks + 12, struct.unpack_from("<I", pr, blocks)[0])
            case("prec2-block-key-order", "MODEL_VALUE", bytes(bad),
                 "the second block's first key not above the first's", blocks + 12)
            bad = bytearray(pr)
            struct.pack_into("<I", bad, blocks + 20, post_len)
            case("prec2-block-post-past", "MODEL_VALUE", bytes(bad),
                 "the second block's postings past their run", blocks + 12)
        case("prec2-arrays-short", "MODEL_SECTION", pr[:labels + 9 * n_rows],
             "cut inside the block index", labels)
        case("prec2-postings-short", "MODEL_SECTION", pr[:-1], "PREC one byte short", post)
        case("prec2-long", "MODEL_VALUE", pr + b"\0", "PREC one byte long", len(pr))
        # damaged entries inside the key table load (they are checked when
        # searched, and end their block): a df of 0 in the first entry
        k0 = tab + 4
        while pr[k0] & 0x80:
            k0 += 1
        bad = bytearray(pr)
        bad[k0 + 1] = 0
        out = [Section(s.tag, s.flags, bytes(bad)) if s.tag == b"PREC" else s for s in secs]
        self.add("ok-prec2-damaged-key-table", "OK", 0, build(out, minor=3).data,
                 "a key of the memory in no row (loads; its block is not searched)")

    def write(self, outdir):
        for old in outdir.glob("*.hscm"):
            if old.name not in ("tiny.hscm", "tiny-prec.hscm", "tiny-prec-v1.hscm"):
                old.unlink()
        seen = set()
        lines = ["# file\tstatus\terr_offset\twhat (generated by make_corrupt.py)"]
        for fname, status, offset, data, what in self.rows:
            if fname in seen:
                sys.exit("make_corrupt: duplicate case " + fname)
            seen.add(fname)
            (outdir / fname).write_bytes(data)
            lines.append("%s\t%s\t%d\t%s" % (fname, status, offset, what))
        (outdir / "MANIFEST.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return len(self.rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", help="hsclass executable: retrain tiny.hscm from tiny.tsv first")
    ap.add_argument("--out", default=str(HERE), help="output directory (default: this one)")
    args = ap.parse_args()
    outdir = pathlib.Path(args.out)
    tiny = HERE / "tiny.hscm"
    tiny_prec = HERE / "tiny-prec.hscm"
    tiny_prec1 = HERE / "tiny-prec-v1.hscm"
    if args.cli:
        tmp = outdir / "tiny-prec.hscm.new"
        subprocess.run([args.cli, "train", "-o", str(tmp), *TRAIN_PREC, str(HERE / "tiny.tsv")],
                       check=True)
        os.replace(tmp, outdir / "tiny-prec.hscm")
        tiny_prec = outdir / "tiny-prec.hscm"
    c = Cases(tiny.read_bytes())
    c.truncations()
    c.signature()
    c.header()
    c.table()
    c.regions()
    c.bitflips()
    c.inflate()
    c.sections()
    c.semantics()
    c.controls()
    c.memory(tiny_prec1.read_bytes())
    c.memory_v2(tiny_prec.read_bytes())
    n = c.write(outdir)
    print("make_corrupt: wrote %d files to %s" % (n, outdir))


if __name__ == "__main__":
    main()

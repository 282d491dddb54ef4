"""National training (8/10-digit codes): short rows, held-out rows, the split
rule for lines without rows, the training-accuracy figure."""

import pytest

import hsclass
from conftest import SOURCE_ROOT, read_tsv

QUICK = dict(epochs=4, dim=16, buckets=1 << 17, threads=1, seed=5, languages="en,fr")
FPO = SOURCE_ROOT / "models" / "data" / "uk_fpo_en" / "clean.tsv"


@pytest.fixture(scope="module")
def tec_slice(data_dir):
    return data_dir / "tec_cedeao_slice.tsv"


def test_short_rows_teach_their_levels(tmp_path):
    """UK parcel rows carry 8- and 10-digit codes: at 10 digits every row is
    used; an 8-digit code that other codes extend is no label (its rows stop
    at that node), one that nothing extends stays a label."""
    rows = read_tsv(FPO)
    codes = {c for c, _ in rows}
    errors = []
    with hsclass.train(FPO, None, digits=10, row_errors=errors, **QUICK) as m:
        assert errors == []
        labels = set(m.labels)
        extended = {c for c in codes if len(c) == 8 and any(
            o != c and o.startswith(c) for o in codes)}
        alone = {c for c in codes if len(c) == 8} - extended
        assert extended and alone
        assert not labels & extended
        assert alone <= labels
        assert {c for c in codes if len(c) == 10} <= labels
        assert int(m.meta["train.rows"]) == len(rows)
        # every suggestion of every level is a real code of the data's tree
        for s in m.classify("frozen chicken legs", k=5):
            assert s.code in labels
    # at 6 digits the same rows are cut to their subheadings, as before
    with hsclass.train(FPO, None, digits=6, **QUICK) as m6:
        assert {len(c) for c in m6.labels} == {6}
    # shorter than a subheading: rejected at 10 digits
    errors = []
    rows = [("0207", "chicken"), ("02071400", "frozen chicken cuts"),
            ("0207140010", "frozen chicken legs"), ("0207140090", "frozen chicken wings")]
    with hsclass.train([], None, digits=10, row_errors=errors, rows=rows,
                       **dict(QUICK, valid=0)) as m:
        assert [e.message for e in errors] == ["code shorter than the training level"]
        assert m.labels == ("0207140010", "0207140090")


def test_national_lines_without_rows_split_their_subheading(tec_slice, tmp_path):
    """Lines given as national lines but absent from the training rows are
    labels; one beside trained siblings scores as their average, a
    subheading none of whose lines was trained is split equally."""
    rows = read_tsv(tec_slice)
    dropped = {"0403909900", "0402291000", "0402292100", "0402292900"}
    train = tmp_path / "train.tsv"
    train.write_text("".join(f"{c}\t{t}\n" for c, t in rows if c not in dropped),
                     encoding="utf-8")
    with hsclass.train([(train, 1.0, "nomenclature")], None, digits=10,
                       national=[(tec_slice, "TEC-CEDEAO", "fr")], **QUICK) as m:
        assert dropped <= set(m.labels)
        assert len(m.labels) == len({c for c, _ in rows})
        assert m.meta["train.labels_untrained"] == "4"
        text = "yoghourt nature"
        lines = {s.code: s.score for s in m.classify(text, k=10, only="040390")}
        assert set(lines) == {c for c, _ in rows if c.startswith("040390")}
        trained = [p for c, p in lines.items() if c not in dropped]
        assert min(trained) * 0.999 <= lines["0403909900"] <= max(trained) * 1.001
        # no held-out row (each line has one): no calibration, scores as fitted
        assert "train.valid_rows" not in m.meta or m.meta["train.valid_rows"] == "0"
        milk = [s.score for s in m.classify("lait en poudre", k=10, only="040229")]
        assert len(milk) == 3 and max(milk) - min(milk) <= 1e-9 * max(milk) + 1e-12


def test_held_out_rows_keep_a_training_row_per_line(tec_slice, tmp_path):
    """At 10 digits a row is held out only when its line keeps a training
    row: with one row per line nothing is held out, with two some are, and
    the training rows' top-1 is recorded beside the held-out one."""
    rows = read_tsv(tec_slice)
    with hsclass.train([(tec_slice, 1.0, "nomenclature")], None, digits=10,
                       **dict(QUICK, valid=0.2)) as m:
        assert m.meta.get("train.valid_rows", "0") == "0"
        assert m.meta["train.labels_untrained"] == "0"
    twice = tmp_path / "twice.tsv"
    twice.write_text("".join(f"{c}\t{t}\n{c}\t{t.split(';')[-1]}\n" for c, t in rows),
                     encoding="utf-8")
    with hsclass.train([(twice, 1.0, "nomenclature")], None, digits=10,
                       **dict(QUICK, valid=0.2)) as m:
        held = int(m.meta["train.valid_rows"])
        assert 0 < held <= len(rows)
        assert m.meta["train.labels_untrained"] == "0"
        assert 0 <= float(m.meta["train.train_top1_linear"]) <= 1


def test_identical_rows_are_merged_with_their_weights(tmp_path):
    rows = [("020130", "frozen boneless beef")] * 3 + [
        ("020130", "frozen boneless beef", 2.0), ("020130", "Frozen boneless beef"),
        ("080910", "fresh apricots"), ("080910", "apricots fresh")]
    with hsclass.train([], None, rows=rows, **dict(QUICK, valid=0)) as m:
        assert m.meta["train.rows"] == "4" and m.meta["train.rows_merged"] == "3"
    # a file read twice: every row of the second copy merges into the first
    with hsclass.train([FPO, FPO], None, digits=10, **QUICK) as m:
        n = len(read_tsv(FPO))
        merged = int(m.meta["train.rows_merged"])
        assert int(m.meta["train.rows"]) + merged == 2 * n and merged >= n


@pytest.fixture(scope="module")
def base(data_dir, tmp_path_factory):
    """A small HS6 model with descriptions, as a shipped model would be."""
    out = tmp_path_factory.mktemp("base") / "base.hscm"
    model = hsclass.train([(data_dir / "train_real.tsv", 3.0),
                           (data_dir / "train_nomenclature.tsv", 1.0, True)], out,
                          descriptions=[(data_dir / "nomenclature_en.tsv", "en")],
                          **dict(QUICK, epochs=6, languages="en"))
    model.close()
    return out


def test_adapting_a_model_to_national_rows(base, data_dir, test_rows, tmp_path):
    """Adapting starts from the base's features and weights: national lines
    come under its subheadings, its featurization, descriptions and the
    rest of its codes stay, and what it knew survives a short training on
    rows of other chapters far better than in a model trained from scratch
    on those rows."""
    national = [(c, t) for c, t in read_tsv(FPO) if c.startswith(("33", "62", "95"))]
    rows_file = tmp_path / "national.tsv"
    rows_file.write_text("".join(f"{c}\t{t}\n" for c, t in national), encoding="utf-8")
    opts = dict(QUICK, digits=10, languages="en")
    del opts["epochs"]   # adapting: ADAPT_EPOCHS unless given
    with hsclass.Model(base) as b:
        base_labels, base_info = set(b.labels), b.info
        base_fp = base_info["fingerprint"]
        with hsclass.train(rows_file, None, from_model=b, **opts) as a:
            assert not b.closed   # the caller's model is left as it was
            labels = set(a.labels)
            assert a.meta["train.from_fingerprint"] == base_fp
            assert a.meta["train.epochs"] == str(hsclass.ADAPT_EPOCHS)
            for key in ("hash", "languages", "tokenizer", "normalization"):
                assert a.info[key] == base_info[key]
            new = {c for c, _ in national if len(c) == 10}
            assert new <= labels
            extended = {c for c in base_labels
                        if any(n.startswith(c) and n != c for n, _ in national)}
            assert extended and not labels & extended   # now their lines are suggested
            assert base_labels - extended <= labels
            assert a.describe("0201") == b.describe("0201") is not None
            # the base's precedents of codes still labels are kept beside the new rows'
            kept = [(c, t) for c, t in read_tsv(data_dir / "train_real.tsv")
                    if c[:6] in labels and not c.startswith(("33", "62", "95"))]
            code, text = kept[0]
            assert any(p.source == "train_real.tsv" and p.code == code[:6]
                       for p in a.precedents(text, n=5))
            # those of a subheading now split into lines vote for one of its lines
            split = [(c, t) for c, t in read_tsv(data_dir / "train_real.tsv")
                     if c[:6] in extended]
            assert split
            lines = {c for c, _ in national}
            voted = 0
            for code, text in split[:10]:
                mine = [p for p in a.precedents(text, n=5) if p.source == "train_real.tsv"]
                assert all(p.code in labels for p in mine)
                voted += any(p.code.startswith(code[:6]) and p.code in lines for p in mine)
            assert voted >= 5, voted
            ten = [t for c, t in national if len(c) == 10][:20]
            found = sum(any(p.source == rows_file.name for p in a.precedents(t, n=5)) for t in ten)
            assert found >= len(ten) // 2, found
            adapted = _hs6_hits(a, test_rows)
    with hsclass.train(rows_file, None, from_model=base, **opts) as again:
        assert again.meta["train.from_fingerprint"] == base_fp   # a path works too
    with hsclass.train(rows_file, None, **dict(opts, epochs=hsclass.ADAPT_EPOCHS)) as scratch:
        fresh = _hs6_hits(scratch, test_rows)
    with hsclass.Model(base) as b:
        before = _hs6_hits(b, test_rows)
    assert adapted > 2 * fresh and adapted >= 0.6 * before, (before, adapted, fresh)


def test_split_subheading_precedents_vote_for_its_usual_line(base, tmp_path):
    """The base's precedents of a subheading now split into national lines
    vote for the line with the most training rows under it."""
    rows = [("0406909900", "hard cheese wheel"), ("0406909900", "aged hard cheese"),
            ("0406909900", "grated hard cheese block"), ("0406901000", "soft blue cheese"),
            ("0201300010", "boneless beef cuts"), ("0201300090", "beef mince")]
    rows_file = tmp_path / "rows.tsv"
    rows_file.write_text("".join(f"{c}\t{t}\n" for c, t in rows), encoding="utf-8")
    with hsclass.train(rows_file, None, from_model=base,
                       **dict(QUICK, digits=10, languages="en", valid=0)) as a:
        found = [p for p in a.precedents("blarney", n=5) if p.source == "train_real.tsv"]
        assert found and found[0].code == "0406909900", found   # not the lowest line


def test_held_out_rows_the_base_learnt_do_not_calibrate(base, data_dir, tmp_path):
    """Adapting on rows the base was trained on: its held-out rows are texts
    the base learnt by heart, so they are left out of the calibration and,
    too few being left, the base's blend and calibration are kept. Rows the
    base never saw are all used."""
    with hsclass.Model(base) as b:
        mix, power = b.meta["train.precedent_mix"], b.meta["train.calibration_power"]
        threshold = b.accept_threshold
    # another seed: the base's own held-out rows (never learnt) are not the ones held out
    with hsclass.train(data_dir / "train_real.tsv", None, from_model=base,
                       **dict(QUICK, languages="en", seed=6)) as a:
        seen = int(a.meta["train.valid_rows_seen_by_base"])
        assert seen >= 20 and int(a.meta["train.valid_rows"]) <= seen // 5, a.meta
        assert a.meta["train.calibration_from"] == "base"
        assert (a.meta["train.precedent_mix"], a.meta["train.calibration_power"]) == (mix, power)
        # and, too few rows being left to fit one, its accept threshold (not the fallback 0.9)
        assert a.meta["train.accept_threshold_from"] == "base", a.meta
        assert a.accept_threshold == threshold
    national = [(c, t) for c, t in read_tsv(FPO)]
    rows_file = tmp_path / "fpo.tsv"
    rows_file.write_text("".join(f"{c}\t{t}\n" for c, t in national), encoding="utf-8")
    with hsclass.train(rows_file, None, from_model=base,
                       **dict(QUICK, digits=10, languages="en")) as a:
        assert a.meta["train.valid_rows_seen_by_base"] == "0"
        assert int(a.meta["train.valid_rows"]) >= 20
        assert "train.calibration_from" not in a.meta


def _hs6_hits(model, rows):
    return sum(1 for code, text in rows
               if any(s.code[:6] == code[:6] for s in model.classify(text, k=1)))


def test_adapting_needs_a_model(tmp_path):
    with pytest.raises((hsclass.FileError, hsclass.Error)):
        hsclass.train(FPO, None, from_model=tmp_path / "missing.hscm", **QUICK)


def test_files_are_read_line_by_line(tmp_path):
    """Training files are streamed in chunks: lines across chunk boundaries,
    a line longer than a chunk, CRLF, a BOM and no final newline."""
    rows = read_tsv(FPO)
    long_text = "frozen chicken legs " * 5000   # 100 kB: longer than a read chunk
    body = "\r\n".join(f"{c}\t{t}" for c, t in rows)
    path = tmp_path / "stream.tsv"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8") + b"\r\n0207140010\t"
                     + long_text.encode() + b"\r\n0207140090\tfrozen wings")
    errors = []
    with hsclass.train(path, None, digits=10, row_errors=errors,
                       **dict(QUICK, max_text_bytes=1 << 20)) as m:
        assert errors == []
        assert int(m.meta["train.rows"]) + int(m.meta["train.rows_merged"]) == len(rows) + 2
        assert {"0207140010", "0207140090"} <= set(m.labels)


def test_threads_zero_and_the_precedent_cap(tmp_path):
    with hsclass.train(FPO, None, digits=10, **dict(QUICK, threads=0)) as m:
        assert int(m.meta["train.threads"]) >= 1
        full = int(m.meta["train.precedent_rows"])
        assert "train.precedents_per_code" not in m.meta   # automatic: no cap this small
    with hsclass.train(FPO, None, digits=10, precedents_per_code=2, **QUICK) as m:
        capped = int(m.meta["train.precedent_rows"])
        assert m.meta["train.precedents_per_code"] == "2"
        assert capped <= 2 * len(m.labels) and capped < full
        text = "frozen chicken legs"
        codes = [p.code for p in m.precedents(text, n=50)]
        assert all(codes.count(c) <= 2 for c in codes)


def test_correlation_table_maps_older_codes(data_dir, tmp_path):
    """Rows in HS 2017 codes mapped to HS 2022 through a hand-checked table:
    one-to-one, one-to-many (equal shares and given shares), unmapped rows
    kept, rows outside the new edition rejected with their reason."""
    table = data_dir / "hs2017_to_hs2022_sample.tsv"
    rows = [("8517.70", "antenna parts for mobile phones"), ("441810", "wooden window frames"),
            ("85481000", "spent lead acid battery scrap"), ("851762", "wifi router"),
            ("020130", "frozen boneless beef"), ("847989", "industrial robot arm"),
            ("980100", "no such code")]
    errors = []
    nomen = SOURCE_ROOT / "models" / "data" / "hs2022" / "nomenclature_en.tsv"
    trainer_rows = [(c, t) for c, t in rows]
    with hsclass.train([], None, rows=trainer_rows, row_errors=errors, code_maps=[table],
                       descriptions=[(nomen, "en")], **dict(QUICK, valid=0)) as m:
        assert set(m.labels) == {"851771", "851779", "441811", "441819", "854911", "854912",
                                 "854913", "854914", "854919", "851762", "020130", "847989"}
        assert m.meta["train.rows_mapped"] == "4"          # 8517.70, 4418.10, 8548.10, 8517.62
        assert m.meta["train.rows_mapped_split"] == "3"
        assert int(m.meta["train.rows"]) == 12             # 2 + 2 + 5 + 1 + 2 unmapped
        assert [e.message for e in errors] == [
            'code 980100 is not in the nomenclature ("no such code")']
    # a malformed table row is reported with its line, the others are used
    bad = tmp_path / "bad.tsv"
    bad.write_text("# old\tnew\n851770\t8517x1\n851770\t851771\t1.5\n441810\t441811\n",
                   encoding="utf-8")
    errors = []
    with hsclass.train([], None, rows=rows[:2] + rows[3:5], row_errors=errors, code_maps=[bad],
                       **dict(QUICK, valid=0)) as m:
        assert [(e.line, e.message) for e in errors] == [
            (2, "new code is not a code of 2-12 digits"),
            (3, "share is not a number in (0, 1]")]
        assert "441811" in m.labels and "851770" in m.labels   # no valid row for 851770
    with pytest.raises(hsclass.FileError):
        hsclass.train([], None, rows=rows, code_maps=[tmp_path / "missing.tsv"], **QUICK)

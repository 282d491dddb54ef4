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

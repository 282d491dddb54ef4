"""hsclass.train: inputs, options, progress, row errors, failures."""

import os
import signal

import pytest

import hsclass

TINY = dict(epochs=2, dim=16, buckets=1 << 16, threads=1, seed=3, languages="en")


@pytest.fixture
def tsv(tmp_path):
    def write(name, content):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path
    return write


def test_train_saves_and_returns_the_model(data_dir, tmp_path):
    out = tmp_path / "m.hscm"
    progress = []
    model = hsclass.train(data_dir / "train_real.tsv", out, progress=progress.append, **TINY)
    with model:
        assert out.is_file() and model.path == str(out)
        with hsclass.Model(out) as loaded:
            assert loaded.labels == model.labels
            assert loaded.classify("apricots") == model.classify("apricots")
    assert progress and all(isinstance(p, hsclass.Progress) for p in progress)
    assert all(1 <= p.epoch <= p.epochs == 2 for p in progress)
    done = [p.done for p in progress]
    assert done == sorted(done) and 0 < done[-1] <= 1.0 + 1e-9
    assert all(p.valid_accuracy is None or 0 <= p.valid_accuracy <= 1 for p in progress)


def test_train_is_reproducible_and_accepts_every_input_form(data_dir, tmp_path):
    real, nomen = data_dir / "train_real.tsv", data_dir / "train_nomenclature.tsv"
    a = hsclass.train([str(real), (nomen, 0.5, True)], None, **TINY)
    b = hsclass.train([(real, 1), (str(nomen), 0.5, "yes")], None, **TINY)
    with a, b:
        assert a.to_bytes() == b.to_bytes()
    with pytest.raises(TypeError):
        hsclass.train([(real, 1.0, True, "extra")], None, **TINY)


def test_cli_option_names(data_dir):
    opts = dict(TINY, digits=4, lr=0.3, valid=0.1, min_count=1, augment=False,
                char_ngrams="3-4", word_ngrams=1, strict=False)
    with hsclass.train(data_dir / "train_real.tsv", None, **opts) as m:
        assert all(len(c) == 4 for c in m.labels)
    with pytest.raises(TypeError):
        hsclass.train(data_dir / "train_real.tsv", None, epoch=3)
    with pytest.raises(hsclass.InvalidArgument):
        hsclass.train(data_dir / "train_real.tsv", None, char_ngrams="x-y")


def test_rows_given_directly():
    rows = [("020130", "frozen boneless beef"), ("080910", "fresh apricots", 2.0),
            ("020130", "beef cuts"), ("080910", "apricots")]
    with hsclass.train([], None, rows=rows, **dict(TINY, valid=0)) as m:
        assert m.labels == ("020130", "080910")
        assert m.classify("apricots", k=1)[0].code == "080910"


def test_row_errors_are_reported_and_collected(tsv):
    good = "".join(f"{c}\t{t}\n" for c, t in [("020130", "frozen beef"), ("080910", "apricots"),
                                               ("020130", "beef cuts"), ("080910", "dried apricots")])
    path = tsv("rows.tsv", good.encode() + b"no tab here\n" + b"02x130\tletters\n"
               + b"020130\tbad \xff utf8\n" + b"020130\t\n" + b"080910\tfresh apricots\n")
    seen, collected = [], []
    with hsclass.train(path, None, on_row_error=seen.append, row_errors=collected,
                       **dict(TINY, valid=0)) as m:
        assert m.labels == ("020130", "080910")
    assert seen == collected and len(collected) == 4
    assert [e.line for e in collected] == [5, 6, 7, 8]
    for e in collected:
        assert isinstance(e, hsclass.RowError)
        assert e.file == str(path) and e.message and e.status != 0
    assert collected[2].status == 20  # bad UTF-8


def test_strict_mode_stops_at_a_bad_row(tsv):
    path = tsv("rows.tsv", "020130\tbeef\nno tab\n080910\tapricots\n")
    collected = []
    with pytest.raises(hsclass.BadRow) as info:
        hsclass.train(path, None, row_errors=collected, strict=True, **TINY)
    assert info.value.status == 70 and [e.line for e in collected] == [2]


def test_failures(tsv, tmp_path, data_dir):
    with pytest.raises(hsclass.FileError) as info:
        hsclass.train(tmp_path / "missing.tsv", None, **TINY)
    assert "missing.tsv" in str(info.value)
    with pytest.raises(hsclass.NoData):
        hsclass.train(tsv("empty.tsv", ""), None, **TINY)
    with pytest.raises(hsclass.OneClass):
        hsclass.train(tsv("one.tsv", "020130\tbeef\n020130\tveal\n"), None, **TINY)
    with pytest.raises(hsclass.FileError):
        hsclass.train(data_dir / "train_real.tsv", tmp_path / "no" / "such" / "dir.hscm", **TINY)
    with pytest.raises(hsclass.InvalidArgument) as info:
        hsclass.train([(data_dir / "train_real.tsv", 0.0)], None, **TINY)
    assert "train_real.tsv" in str(info.value)


def test_progress_can_cancel(data_dir):
    calls = []

    def stop(p):
        calls.append(p)
        return True

    with pytest.raises(hsclass.Cancelled) as info:
        hsclass.train(data_dir / "train_real.tsv", None, progress=stop, **TINY)
    assert info.value.status == 5 and len(calls) == 1


def test_callback_exceptions_propagate(data_dir, tsv):
    def boom(p):
        raise RuntimeError("from progress")

    with pytest.raises(RuntimeError, match="from progress"):
        hsclass.train(data_dir / "train_real.tsv", None, progress=boom, **TINY)

    def bad_row(e):
        raise KeyError("from row error")

    path = tsv("rows.tsv", "020130\tbeef\nno tab\n080910\tapricots\n")
    with pytest.raises(KeyError, match="from row error"):
        hsclass.train(path, None, on_row_error=bad_row, **TINY)


def test_ctrl_c_cancels_training(data_dir):
    calls = []

    def interrupt(p):
        calls.append(p)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        hsclass.train(data_dir / "train_real.tsv", None, progress=interrupt,
                      **dict(TINY, epochs=4))
    assert len(calls) == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_given_precedent_mix_replaces_the_fitted_one(data_dir, test_rows):
    """precedent_mix set: recorded in META as given, and the scores use it
    (0: the votes count for nothing, so the order is the memory-less
    model's); unset: fitted on the held-out rows."""
    real = data_dir / "train_real.tsv"
    opts = dict(TINY, valid=0.2)
    texts = [t for _, t in test_rows[:60]]
    with hsclass.train(real, None, **opts) as fitted:
        assert fitted.meta["train.precedent_mix_from"] == "validation"
    with hsclass.train(real, None, precedent_mix=0.0, **opts) as zero, \
            hsclass.train(real, None, precedents=False, **opts) as linear, \
            hsclass.train(real, None, precedent_mix=0.9, **opts) as votes:
        assert zero.meta["train.precedent_mix"] == "0"
        assert zero.meta["train.precedent_mix_from"] == "config"
        assert linear.meta["train.precedent_mix_from"] == "none"
        assert votes.meta["train.precedent_mix"] == "0.9"

        def order(m):
            return [[s.code for s in m.classify(t, k=5)] for t in texts]
        assert order(zero) == order(linear)
        assert order(votes) != order(linear)
    with pytest.raises(hsclass.InvalidArgument):
        hsclass.train(real, None, precedent_mix=1.0, **opts)

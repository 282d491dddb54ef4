"""Checkpoints: a run interrupted after any epoch and resumed from its
checkpoint writes the model an uninterrupted run writes, byte for byte; a
checkpoint of other rows or options, or a damaged one, is refused."""

import pytest

import hsclass
from conftest import SOURCE_ROOT

FPO = SOURCE_ROOT / "models" / "data" / "uk_fpo_en" / "clean.tsv"
# max_rows below the rows training touches: 6 epochs, pruning, then
# (6 + 3) // 4 = 2 gentle epochs, so checkpoints of both phases are tried.
RUN = dict(digits=10, epochs=6, max_rows=3000, dim=16, buckets=1 << 17, threads=1, seed=5,
           languages="en")
EPOCHS_IN_ALL = 8


def stop_after(k, seen):
    def progress(p):
        seen.append(p.epoch)
        return p.epoch == k
    return progress


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("full") / "full.hscm"
    hsclass.train(FPO, out, **RUN).close()
    return out.read_bytes()


@pytest.mark.parametrize("k", [1, 6, 7, EPOCHS_IN_ALL])
def test_resumed_run_writes_the_same_model(uninterrupted, tmp_path, k):
    ck, out = tmp_path / "run.ckpt", tmp_path / "m.hscm"
    seen = []
    with pytest.raises(hsclass.Cancelled):
        hsclass.train(FPO, out, checkpoint=ck, progress=stop_after(k, seen), **RUN)
    assert seen[-1] == k and not out.exists() and ck.stat().st_size > 0
    seen = []
    hsclass.train(FPO, out, resume=ck, checkpoint=ck,
                  progress=lambda p: seen.append((p.epoch, p.epochs)), **RUN).close()
    assert seen == [(e, EPOCHS_IN_ALL) for e in range(k + 1, EPOCHS_IN_ALL + 1)]
    assert out.read_bytes() == uninterrupted
    # the checkpoint went on to the last epoch: resuming from it only
    # calibrates and writes, to the same bytes again
    again = tmp_path / "again.hscm"
    hsclass.train(FPO, again, resume=ck, **RUN).close()
    assert again.read_bytes() == uninterrupted


def test_checkpoint_of_other_rows_or_options_is_refused(tmp_path):
    ck = tmp_path / "run.ckpt"
    with pytest.raises(hsclass.Cancelled):
        hsclass.train(FPO, None, checkpoint=ck, progress=stop_after(2, []), **RUN)
    fewer = tmp_path / "fewer.tsv"
    fewer.write_text("".join(FPO.read_text(encoding="utf-8").splitlines(True)[:-1]),
                     encoding="utf-8")
    for inputs, changed in ((FPO, dict(seed=6)), (FPO, dict(epochs=7)), (FPO, dict(lr=0.4)),
                            (FPO, dict(digits=8)), (fewer, {}), ([(FPO, 2.0)], {})):
        with pytest.raises(hsclass.CheckpointMismatch):
            hsclass.train(inputs, tmp_path / "x.hscm", resume=ck, **dict(RUN, **changed))
        assert not (tmp_path / "x.hscm").exists()
    # the same run still resumes from it
    hsclass.train(FPO, None, resume=ck, **RUN).close()


def test_damaged_checkpoint_is_refused(tmp_path):
    ck = tmp_path / "run.ckpt"
    with pytest.raises(hsclass.Cancelled):
        hsclass.train(FPO, None, checkpoint=ck, progress=stop_after(1, []), **RUN)
    data = ck.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x10
    cases = {"truncated": data[:len(data) // 3], "no checksum": data[:-4],
             "one bit": bytes(flipped), "empty": b"", "longer": data + b"\0" * 8,
             "a training file": FPO.read_bytes()[:100000]}
    for name, content in cases.items():
        bad = tmp_path / "bad.ckpt"
        bad.write_bytes(content)
        with pytest.raises(hsclass.CheckpointError):
            hsclass.train(FPO, tmp_path / "x.hscm", resume=bad, **RUN)
        assert not (tmp_path / "x.hscm").exists(), name
    with pytest.raises(hsclass.FileError):
        hsclass.train(FPO, None, resume=tmp_path / "missing.ckpt", **RUN)
    (tmp_path / "dir").mkdir()
    with pytest.raises(hsclass.FileError):   # said before training, not after an epoch
        hsclass.train(FPO, None, checkpoint=tmp_path / "dir", **RUN)


def test_progress_within_a_long_epoch(tmp_path):
    """An epoch of more than 65,536 examples reports its progress before it
    ends (no validation figure then), and cancelling there stops it."""
    rows = FPO.read_text(encoding="utf-8").splitlines()
    big = tmp_path / "big.tsv"
    big.write_text("".join(f"{r} lot {i}\n" for i in range(38) for r in rows), encoding="utf-8")
    opts = dict(digits=6, epochs=1, dim=8, buckets=1 << 16, threads=1, valid=0, trade_noise=0,
                languages="en")
    seen = []
    hsclass.train(big, None, progress=seen.append, **opts).close()
    assert len(seen) == 2 and seen[-1].done == 1.0
    assert 0.5 < seen[0].done < 1.0 and seen[0].epoch == 1 and seen[0].valid_accuracy is None
    seen = []
    with pytest.raises(hsclass.Cancelled):
        hsclass.train(big, None, progress=lambda p: seen.append(p) or True, **opts)
    assert len(seen) == 1 and seen[0].done < 1.0

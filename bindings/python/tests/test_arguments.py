"""Wrong arguments raise TypeError, ValueError or an hsclass error with a
message, never what ctypes would do with them (issue 12): a path cut at a
NUL byte, a level wrapped to 0, ArgumentError, AttributeError."""
import pytest

import hsclass


@pytest.fixture(scope="module")
def tiny(data_dir):
    with hsclass.Model(data_dir / "corrupt" / "tiny.hscm") as m:
        yield m


def test_paths_with_a_nul_byte(tiny, data_dir, tmp_path):
    path = str(data_dir / "corrupt" / "tiny.hscm")
    with pytest.raises(ValueError, match="null byte"):
        hsclass.Model(path + "\0junk")        # loaded tiny.hscm before
    with pytest.raises(ValueError, match="null byte"):
        tiny.save(str(tmp_path / "m.hscm") + "\0x")
    with pytest.raises(ValueError, match="null byte"):
        hsclass.train([(str(data_dir / "train_real.tsv") + "\0x", 1.0)], tmp_path / "t.hscm")
    with pytest.raises(TypeError, match="model path"):
        hsclass.Model(5)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("call, error", [
    (lambda m: m.classify("beef", level=2**40), hsclass.InvalidArgument),   # wrapped to 0
    (lambda m: m.classify("beef", level=-1), hsclass.InvalidArgument),
    (lambda m: m.classify("beef", level="x"), TypeError),                 # ctypes ArgumentError
    (lambda m: m.classify("beef", level=True), TypeError),
    (lambda m: m.explain("beef", level="x"), TypeError),
    (lambda m: m.classify("beef", k=2**40), hsclass.InvalidArgument),
    (lambda m: m.classify("beef", lang=5), TypeError),                    # AttributeError
    (lambda m: m.describe(None), TypeError),
    (lambda m: m.describe("0201", 5), TypeError),
    (lambda m: m.lookup(None), TypeError),
    (lambda m: m.national_lines(None), TypeError),
    (lambda m: m.classify("beef", only=5), TypeError),
    (lambda m: m.classify("beef", only=[2]), TypeError),
    (lambda m: m.classify_many(["beef"], threads="x"), TypeError),
    (lambda m: m.classify_many(["beef"], threads=0), hsclass.InvalidArgument),
    (lambda m: m.audit("beef", None), TypeError),
    (lambda m: hsclass.Session("str"), TypeError),                        # AttributeError
    (lambda m: hsclass.Session(m.path), TypeError),
])
def test_wrong_arguments(tiny, call, error):
    with pytest.raises(error) as info:
        call(tiny)
    assert "must" in str(info.value) or "takes" in str(info.value)


def test_train_checks_its_output_first(data_dir, tmp_path):
    seen = []
    with pytest.raises(hsclass.FileError) as info:
        hsclass.train([data_dir / "train_real.tsv"], tmp_path / "no" / "m.hscm",
                      progress=lambda p: seen.append(p), epochs=1, dim=4, threads=1)
    assert "m.hscm" in str(info.value) and seen == []   # refused before training

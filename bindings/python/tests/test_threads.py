"""Batches, native threads and sharing one Model between Python threads."""

import threading

import pytest

import hsclass


@pytest.fixture(scope="module")
def texts(test_rows):
    return [text for _, text in test_rows]


@pytest.fixture(scope="module")
def singles(model, texts):
    return [model.classify(t, k=5) for t in texts]


def test_batch_equals_singles(model, texts, singles):
    assert model.classify_many(texts, k=5, threads=1) == singles


@pytest.mark.parametrize("threads", [2, 8])
def test_threads_give_the_same_results_in_order(model, texts, singles, threads):
    assert model.classify_many(texts, k=5, threads=threads) == singles


def test_batch_levels_and_generators(model, texts):
    expect = [model.classify(t, k=3, level=4) for t in texts[:20]]
    assert model.classify_many((t for t in texts[:20]), k=3, level=4, threads=4) == expect
    assert model.classify_many([], threads=4) == []


def test_batch_errors(model):
    texts = ["fresh apricots", b"bad \xff utf8", "frozen beef"]
    with pytest.raises(hsclass.BadUTF8):
        model.classify_many(texts, threads=2)
    got = model.classify_many(texts, threads=2, errors="return")
    assert isinstance(got[1], hsclass.BadUTF8) and got[1].status == 20
    assert got[0] == model.classify(texts[0]) and got[2] == model.classify(texts[2])
    with pytest.raises(ValueError):
        model.classify_many(texts, errors="ignore")
    with pytest.raises(TypeError):
        model.classify_many(["beef", 42], threads=2)


def test_one_model_from_many_python_threads(model, texts, singles):
    results = {}
    errors = []
    barrier = threading.Barrier(8)

    def run(n):
        try:
            barrier.wait()
            results[n] = [model.classify(t, k=5) for t in texts]
        except BaseException as exc:  # reported below
            errors.append(exc)

    pool = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors
    assert all(results[n] == singles for n in range(8))


def test_one_session_shared_by_threads_is_serialized(model, texts, singles):
    with model.session() as s:
        out = [None] * 4

        def run(n):
            out[n] = [s.classify(t, k=5) for t in texts]

        pool = [threading.Thread(target=run, args=(n,)) for n in range(4)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    assert all(o == singles for o in out)

"""Shared fixtures: the repository layout and one small model trained once."""

import os
import pathlib

import pytest

import hsclass

HERE = pathlib.Path(__file__).resolve().parent
SOURCE_ROOT = pathlib.Path(os.environ.get("HSCLASS_SOURCE_ROOT", HERE.parents[2]))
DATA = SOURCE_ROOT / "tests" / "data"

# Small and quick: the test machine has 2 cores shared with other suites.
SMALL = dict(epochs=5, dim=32, buckets=1 << 18, threads=1, seed=7, languages="en,fr")


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in f if "\t" in line]


@pytest.fixture(scope="session")
def data_dir():
    return DATA


@pytest.fixture(scope="session")
def test_rows():
    return read_tsv(DATA / "test.tsv")


@pytest.fixture(scope="session")
def model_path(tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "small.hscm"
    model = hsclass.train([(DATA / "train_real.tsv", 3.0),
                           (DATA / "train_nomenclature.tsv", 1.0, True)], out, **SMALL)
    model.close()
    return out


@pytest.fixture(scope="session")
def model(model_path):
    with hsclass.Model(model_path) as m:
        yield m

"""What the CLI and service test modules share: the built executable
(HSCLASS_CLI), the source tree (HSCLASS_SOURCE_ROOT), running the CLI without
the user's HSCLASS_MODEL, and the small real model with descriptions and
national lines that the review and service tests train."""
import os
import pathlib
import subprocess

import pytest

CLI = os.environ.get("HSCLASS_CLI", "")
SOURCE_ROOT = pathlib.Path(os.environ.get("HSCLASS_SOURCE_ROOT",
                                          pathlib.Path(__file__).resolve().parents[2]))
DATA = SOURCE_ROOT / "tests" / "data"
# Small and fast: the machine is shared. One thread: the same model on every run.
TRAIN_OPTS = ["--dim", "16", "--buckets", "262144", "--epochs", "10", "--threads", "1"]

if not CLI or not os.path.exists(CLI):
    pytest.exit("HSCLASS_CLI does not name the built hsclass executable", returncode=1)


def cli_env(env_extra=None, drop_model_env=True):
    """The environment of a CLI run: without HSCLASS_MODEL unless asked."""
    env = dict(os.environ)
    if drop_model_env:
        env.pop("HSCLASS_MODEL", None)
    env.update(env_extra or {})
    return env


def run(*args, stdin=b"", env_extra=None, drop_model_env=True, timeout=600, **kw):
    return subprocess.run([CLI, *map(str, args)], input=stdin, capture_output=True,
                          env=cli_env(env_extra, drop_model_env), timeout=timeout, **kw)


def out(p):
    return p.stdout.decode("utf-8")


def err(p):
    return p.stderr.decode("utf-8", "replace")


def described_train_args(*extra_inputs):
    """`train` inputs of a model that shows English and French descriptions and
    TEC-CEDEAO national lines: the real and nomenclature slices of tests/data."""
    return [*TRAIN_OPTS, f"{DATA / 'train_real.tsv'}:3",
            f"{DATA / 'train_nomenclature.tsv'}:nomenclature", *extra_inputs,
            "--describe", str(DATA / "nomenclature_en.tsv"),
            "--describe", f"{DATA / 'nomenclature_fr.tsv'}:fr",
            "--national", f"{DATA / 'tec_cedeao_slice.tsv'}:TEC-CEDEAO:fr"]

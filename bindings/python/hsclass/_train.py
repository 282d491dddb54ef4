"""hsclass.train(): the CLI's `train` command as a function."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import warnings
from ctypes import byref
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from . import _args, _config, _errors
from ._constants import ADAPT_EPOCHS, ROWS_NOMENCLATURE, ROWS_SYNTHETIC
from ._lib import ModelHandle, TrainerHandle, lib, progress_fn, row_error_fn
from ._model import Model, PathLike

Input = Union[PathLike, Tuple[PathLike, float], Tuple[PathLike, float, bool]]


@dataclass(frozen=True)
class RowError:
    """A malformed training row: file ("" for rows given in `rows`), 1-based
    line, the status naming the problem, and the library's message."""

    file: str
    line: int
    status: int
    message: str


class RowWarning(UserWarning):
    """A training row was rejected (file:line and why) and skipped: what
    hsclass.train reports when neither on_row_error nor row_errors is
    given, as the CLI prints them. Silence with warnings.simplefilter
    ("ignore", hsclass.RowWarning)."""


# Rejected rows warned one by one; beyond this, one warning gives the count.
MAX_ROW_WARNINGS = 20


def _warn_rows(rejected: List[RowError]) -> None:
    for err in rejected[:MAX_ROW_WARNINGS]:
        warnings.warn(RowWarning(f"{err.file or '(rows)'}:{err.line}: {err.message}"),
                      stacklevel=3)
    if len(rejected) > MAX_ROW_WARNINGS:
        warnings.warn(RowWarning(f"{len(rejected) - MAX_ROW_WARNINGS} more rejected rows "
                                 "(pass row_errors=[] to get them all)"), stacklevel=3)


@dataclass(frozen=True)
class Progress:
    """A training progress report: epoch (1-based) of epochs, the fraction of
    the run done, the average loss since the last report, examples per second,
    and the validation top-1 accuracy (None until measured)."""

    epoch: int
    epochs: int
    done: float
    loss: float
    examples_per_sec: float
    valid_accuracy: Optional[float]


def _inputs(inputs: Union[Input, Iterable[Input]]) -> List[Tuple[bytes, float, int]]:
    if isinstance(inputs, (str, bytes, os.PathLike)):
        inputs = [inputs]
    out = []
    for item in inputs:
        if isinstance(item, (str, bytes, os.PathLike)):
            item = (item,)
        if not 1 <= len(item) <= 3:
            raise TypeError(f"hsclass.train: bad input {item!r}: expected path, (path, weight) "
                            "or (path, weight, kind)")
        path = item[0]
        weight = float(item[1]) if len(item) > 1 else 1.0
        kind = item[2] if len(item) > 2 else None
        flags = ROWS_SYNTHETIC if kind == "synthetic" else ROWS_NOMENCLATURE if kind else 0
        out.append((_args.path(path, "training file"), weight, flags))
    return out


def train(inputs: Union[Input, Iterable[Input]], output: Optional[PathLike] = None, *,
          rows: Iterable[Sequence[Any]] = (),
          descriptions: Iterable[Tuple[PathLike, str]] = (),
          national: Iterable[Tuple[PathLike, str, str]] = (),
          code_maps: Iterable[PathLike] = (),
          progress: Optional[Callable[[Progress], Any]] = None,
          on_row_error: Optional[Callable[[RowError], Any]] = None,
          row_errors: Optional[List[RowError]] = None,
          from_model: Union[None, PathLike, Model] = None,
          checkpoint: Optional[PathLike] = None,
          resume: Optional[PathLike] = None,
          **options: Any) -> Model:
    """Train a model, save it to output (unless None) and return it.

    inputs: TSV files of "code<TAB>description" rows, each a path, a
        (path, weight) or a (path, weight, kind) tuple; kind "nomenclature"
        (or any other true value): HS paths ("A; B; Other") that are expanded into phrases;
        "synthetic": rows written for training, never held out.
    rows: extra (code, text[, weight]) rows given directly.
    descriptions: (path, language) files of "code<TAB>description" rows (2-12
        digit codes): the nomenclature the model carries (Model.describe,
        lookup, Suggestion.description). Training rows whose code is not
        described (nor a national line) are then reported and skipped.
    national: (path, scheme, language) files of national tariff lines, e.g.
        ("tec.tsv", "TEC-CEDEAO", "fr") (Model.national_lines).
    code_maps: correlation tables ("old<TAB>new[<TAB>share]" rows) mapping
        the rows' codes of an older edition to the model's, as `hsclass train
        --map` (see hsc_trainer_add_code_map).
    progress: called with a Progress after each report; return a true value
        to cancel (train then raises Cancelled).
    on_row_error: called with a RowError for each malformed row (skipped
        unless strict=True); row_errors: a list that receives them too.
        Without either, each rejected row is reported as a RowWarning
        (file:line: why) when training ends, as the CLI prints them.
    from_model: adapt this model (a Model or a path, e.g. the shipped
        hs6-multi.hscm) to the rows instead of starting from scratch (as
        `hsclass train --from`; see hsc_trainer_new_from_model): its
        featurization and weights are the start, national lines come under
        its subheadings; epochs default to ADAPT_EPOCHS (4).
    checkpoint: save the training state there after every epoch (atomically;
        see hsc_trainer_set_checkpoint), as `hsclass train --checkpoint`.
    resume: continue an interrupted run from its checkpoint: give the same
        inputs and options (else CheckpointMismatch); with threads=1 the
        model is byte for byte the uninterrupted run's. A file that is no
        checkpoint, or truncated or damaged, raises CheckpointError.
    options: as the CLI: digits, languages, epochs, lr, dim, buckets, threads,
        seed, valid, min_count, augment, char_ngrams ("3-5", (3, 5) or 0),
        word_ngrams, strict (and the other config option names).

    Raises FileError, BadRow (strict), NoData, OneClass, Cancelled,
    CheckpointError, CheckpointMismatch, and any
    exception raised by a callback (which also stops the training).
    """
    files = _inputs(inputs)
    if output is not None:   # before the training, not after it
        out_path = _args.path(output, "output")
        try:
            lib.hsc_model_save_check(out_path)
        except _errors.Error as exc:
            raise _errors.with_detail(exc, os.fsdecode(out_path)) from None
    pending: List[BaseException] = []
    unreported: Optional[List[RowError]] = [] if row_errors is None and on_row_error is None \
        else None

    def on_row(user: Any, file: Optional[bytes], line: int, status: int,
               message: Optional[bytes]) -> None:
        err = RowError(os.fsdecode(file or b""), int(line), int(status),
                       (message or b"").decode("utf-8", "replace"))
        if row_errors is not None:
            row_errors.append(err)
        if unreported is not None:
            unreported.append(err)
        if on_row_error is not None and not pending:
            try:
                on_row_error(err)
            except BaseException as exc:  # noqa: B902 - re-raised after the call
                pending.append(exc)

    def on_progress(user: Any, epoch: int, epochs: int, done: float, loss: float,
                    eps: float, acc: float) -> int:
        if pending:
            return 1
        if progress is None:  # still Python code, so Ctrl-C lands here
            return 0
        try:
            stop = progress(Progress(epoch, epochs, done, loss, eps, acc if acc >= 0 else None))
            return 1 if stop else 0
        except BaseException as exc:  # noqa: B902
            pending.append(exc)
            return 1

    # The ctypes callbacks must outlive every call that may invoke them.
    row_cb = row_error_fn(on_row)
    progress_cb = progress_fn(on_progress)

    def check() -> None:
        if pending:
            raise pending[0]

    trainer = TrainerHandle()
    if from_model is not None:
        base = from_model if isinstance(from_model, Model) else Model(from_model)
        options = {"epochs": ADAPT_EPOCHS, **options}
        try:
            with _config.Config(options) as cfg:
                lib.hsc_trainer_new_from_model(cfg.handle, base._require(), byref(trainer))
        finally:
            if base is not from_model:
                base.close()   # the trainer holds its own reference
    else:
        with _config.Config(options) as cfg:
            lib.hsc_trainer_new(cfg.handle, byref(trainer))
    with _interrupts_to(pending):  # Ctrl-C cancels the training
        try:
            lib.hsc_trainer_set_row_error_callback(trainer, row_cb, None)
            lib.hsc_trainer_set_progress_callback(trainer, progress_cb, None)
            for setter, path in ((lib.hsc_trainer_set_checkpoint, checkpoint),
                                 (lib.hsc_trainer_set_resume, resume)):
                if path is not None:
                    encoded = _args.path(path, "checkpoint")
                    try:
                        setter(trainer, encoded)
                    except _errors.Error as exc:
                        raise _errors.with_detail(exc, os.fsdecode(encoded)) from None
            for path, weight, flags in files:
                try:
                    lib.hsc_trainer_add_file(trainer, path, weight, flags)
                except _errors.Error as exc:
                    check()
                    raise _errors.with_detail(exc, os.fsdecode(path)) from None
                check()
            for item in list(descriptions) + list(national):
                path = _args.path(item[0], "nomenclature file")
                tags = [str(t).encode("ascii", "replace") for t in item[1:]]
                try:
                    if len(tags) == 1:
                        lib.hsc_trainer_add_nomenclature_file(trainer, path, tags[0])
                    elif len(tags) == 2:
                        lib.hsc_trainer_add_national_file(trainer, path, tags[0], tags[1])
                    else:
                        raise TypeError(f"hsclass.train: bad nomenclature input {item!r}")
                except _errors.Error as exc:
                    check()
                    raise _errors.with_detail(exc, os.fsdecode(path)) from None
                check()
            for table in code_maps:
                path = os.fsencode(table)
                try:
                    lib.hsc_trainer_add_code_map(trainer, path)
                except _errors.Error as exc:
                    check()
                    raise _errors.with_detail(exc, os.fsdecode(path)) from None
                check()
            for row in rows:
                code, text = _as_text(row[0]), _as_text(row[1])
                weight = float(row[2]) if len(row) > 2 else 1.0
                lib.hsc_trainer_add_row(trainer, code, len(code), text, len(text), weight, 0)
                check()
            handle = ModelHandle()
            try:
                lib.hsc_trainer_train(trainer, byref(handle))
            except _errors.Error:
                check()
                raise
            model = Model._adopt(handle)  # owned (and freed) even if check() raises
            check()
        finally:
            lib.hsc_trainer_free(trainer)
            del row_cb, progress_cb  # only now may the callbacks go
            if unreported:
                _warn_rows(unreported)
    if output is not None:
        model.save(output)
        model.path = os.fsdecode(output)
    return model


@contextlib.contextmanager
def _interrupts_to(pending: List[BaseException]) -> Iterator[None]:
    """Turn SIGINT into a pending KeyboardInterrupt while C code runs.

    Python runs signal handlers at the start of the next Python function,
    which during training is a ctypes callback: raising there would be lost
    (ctypes only prints it), so record it and let the callback cancel."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return

    def record(signum: int, frame: Any) -> None:
        pending.append(KeyboardInterrupt())

    signal.signal(signal.SIGINT, record)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _as_text(value: Union[str, bytes]) -> bytes:
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else bytes(value)

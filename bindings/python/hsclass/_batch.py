"""Many texts at once: batches and streams of any length, in input order, on
native threads that each own a session (ctypes releases the GIL in every
call, so they run in parallel).

A missing text (None, a float NaN, pandas' NA) is classified as the empty
text: no suggestion, and a decision of review with reason "no_content".
Nothing a single row holds fails the batch when errors="return": its
exception takes the row's place."""

from __future__ import annotations

import itertools
import math
import os
import threading
from typing import (TYPE_CHECKING, Any, Callable, Iterable, Iterator, List, Optional, Sequence,
                    TypeVar)

from . import _args, _errors, _lib
from ._session import Session

if TYPE_CHECKING:
    from ._model import Model

T = TypeVar("T")
RowFn = Callable[[Session, Any], Any]


def is_missing(value: Any) -> bool:
    """None, a float NaN, or pandas' NA/NaT (without importing pandas)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def text_of(value: Any) -> Any:
    """The text to classify for a row's value: "" for a missing one."""
    return "" if is_missing(value) else value


def check_errors(errors: str) -> None:
    if errors not in ("raise", "return"):
        raise ValueError("errors must be 'raise' or 'return'")


def thread_count(threads: Optional[int], rows: int) -> int:
    if threads is not None:
        _args.integer(threads, "threads", 1, 4096)
    return max(1, min(threads or os.cpu_count() or 1, max(rows, 1)))


class Pool:
    """threads sessions on one model, and the threads that run a row function
    over a list of rows with them. The sessions live as long as the pool, so
    a stream pays for them once."""

    def __init__(self, model: "Model", threads: int) -> None:
        self.sessions = [Session._internal(model) for _ in range(threads)]

    def close(self) -> None:
        for s in self.sessions:
            s.close()

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, rows: Sequence[Any], fn: RowFn, errors: str) -> List[Any]:
        """fn(session, row) for every row, results in row order. A row's
        text error (or a value that is not text) raises, after the other
        threads stop, or with errors="return" takes the row's place."""
        results: List[Any] = [None] * len(rows)
        failure: List[BaseException] = []
        counter = itertools.count()  # next() is atomic under the GIL

        def work(session: Session) -> None:
            while not failure:
                i = next(counter)
                if i >= len(rows):
                    return
                try:
                    results[i] = fn(session, rows[i])
                except (_errors.TextError, _errors.InvalidArgument, TypeError) as exc:
                    if errors == "raise":
                        failure.append(exc)
                        return
                    results[i] = exc if isinstance(exc, _errors.Error) else \
                        _lib.invalid_argument(str(exc))
                except BaseException as exc:  # noqa: B902 - handed to the caller
                    failure.append(exc)
                    return

        n = min(len(self.sessions), len(rows))
        if n <= 1:
            work(self.sessions[0])
        else:
            pool = [threading.Thread(target=work, args=(self.sessions[t],), name=f"hsclass-{t}",
                                     daemon=True) for t in range(n)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
        if failure:
            raise failure[0]
        return results


def run_batch(model: "Model", rows: Iterable[Any], fn: RowFn, threads: Optional[int],
              errors: str) -> List[Any]:
    """fn over every row of a batch held in memory."""
    check_errors(errors)
    items = list(rows)
    model._require()
    with Pool(model, thread_count(threads, len(items))) as pool:
        return pool.run(items, fn, errors)


def run_stream(model: "Model", rows: Iterable[Any], fn: RowFn, *, chunk: int,
               threads: Optional[int], errors: str,
               progress: Optional[Callable[[int], Any]]) -> Iterator[Any]:
    """fn over rows of any length, chunk rows at a time: results in input
    order, memory bounded by one chunk of rows and their results. progress
    is called with the number of rows done after each chunk."""
    check_errors(errors)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise ValueError(f"chunk must be a positive integer, not {chunk!r}")
    model._require()
    it = iter(rows)
    done = 0
    with Pool(model, thread_count(threads, chunk)) as pool:
        while True:
            block = list(itertools.islice(it, chunk))
            if not block:
                return
            results = pool.run(block, fn, errors)
            del block
            done += len(results)
            yield from results
            if progress is not None:
                progress(done)

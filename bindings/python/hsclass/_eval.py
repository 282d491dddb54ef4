"""Evaluation: calibration measured by libhsclass (hsc_eval) over
(confidence, correct) pairs, the same figures `hsclass eval` and training
report."""

from __future__ import annotations

import weakref
from ctypes import byref, c_double, c_uint32, c_uint64
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Tuple

from . import _config, _errors, _lib
from ._constants import EVAL_NO_SUGGESTION
from ._lib import EvalHandle, lib


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of a reliability diagram: confidences in [low, high), its
    rows, their mean confidence and their accuracy (0 when empty)."""

    low: float
    high: float
    rows: int
    mean_confidence: float
    accuracy: float


class Evaluation:
    """Rows of (confidence of the best code, is it right); confidence None
    for a text without suggestion. Use from one thread at a time.

        ev = hsclass.Evaluation()
        for p, ok in pairs:
            ev.add(p, ok)
        ev.ece()                  # None when nothing can be calibrated
        ev.threshold(0.95)        # lowest threshold at 95% precision, or None
    """

    def __init__(self, *, config: Optional[Mapping[str, Any]] = None) -> None:
        handle = EvalHandle()
        cfg = _config.build(config)
        try:
            lib.hsc_eval_new(cfg.handle if cfg else None, byref(handle))
        finally:
            if cfg is not None:
                cfg.close()
        self._handle: Optional[EvalHandle] = handle
        self._finalizer = weakref.finalize(self, lib.hsc_eval_free, handle)

    def close(self) -> None:
        """Free the native object (idempotent)."""
        self._finalizer()
        self._handle = None

    def __enter__(self) -> "Evaluation":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _require(self) -> EvalHandle:
        if self._handle is None:
            raise _lib.status_error(_errors.E_STATE, "evaluation is closed")
        return self._handle

    def add(self, confidence: Optional[float], correct: bool) -> None:
        """Add a row; confidence in [0, 1], or None without a suggestion."""
        conf = EVAL_NO_SUGGESTION if confidence is None else float(confidence)
        lib.hsc_eval_add(self._require(), conf, 1 if correct else 0)

    def extend(self, rows: Iterable[Tuple[Optional[float], bool]]) -> None:
        for confidence, correct in rows:
            self.add(confidence, correct)

    def counts(self) -> Tuple[int, int, int]:
        """(rows, rows with a suggestion, rows whose best code is right)."""
        rows, suggested, correct = c_uint64(), c_uint64(), c_uint64()
        lib.hsc_eval_count(self._require(), byref(rows), byref(suggested), byref(correct))
        return rows.value, suggested.value, correct.value

    def ece(self, bins: int = 15) -> Optional[float]:
        """Expected calibration error, or None when no row has a suggestion."""
        ece, mean = c_double(), c_double()
        status = lib.hsc_eval_calibration(self._require(), bins, byref(ece), byref(mean))
        if status == _errors.E_NO_DATA:
            return None
        _lib.raise_status(status)
        return ece.value

    def reliability(self, bins: int = 15) -> List[ReliabilityBin]:
        """The reliability diagram's bins ([] when no row has a suggestion)."""
        h = self._require()
        rows, conf, acc = c_uint64(), c_double(), c_double()
        out = []
        for b in range(bins):
            status = lib.hsc_eval_reliability(h, bins, b, byref(rows), byref(conf), byref(acc))
            if status == _errors.E_NO_DATA:
                return []
            _lib.raise_status(status)
            out.append(ReliabilityBin(b / bins, (b + 1) / bins, rows.value, conf.value,
                                      acc.value))
        return out

    def accepted(self, threshold: float) -> Tuple[int, int]:
        """(rows accepted at threshold, how many of them are right)."""
        n, right = c_uint64(), c_uint64()
        lib.hsc_eval_accepted(self._require(), float(threshold), byref(n), byref(right))
        return n.value, right.value

    def threshold(self, precision: float, min_accepted: int = 10) -> Optional[float]:
        """Lowest threshold whose accepted rows (at least min_accepted) are
        right at least precision of the time; None when none is."""
        out = c_double()
        status = lib.hsc_eval_threshold(self._require(), float(precision), min_accepted,
                                        byref(out))
        if status in (_errors.E_NO_RESULT, _errors.E_NO_DATA):
            return None
        _lib.raise_status(status)
        return out.value

    def ranked(self) -> List[Tuple[Optional[float], bool]]:
        """The rows by decreasing confidence (without a suggestion last)."""
        h = self._require()
        rows = self.counts()[0]
        conf, right = c_double(), c_uint32()
        out: List[Tuple[Optional[float], bool]] = []
        for i in range(rows):
            lib.hsc_eval_ranked(h, i, byref(conf), byref(right))
            out.append((None if conf.value < 0 else conf.value, bool(right.value)))
        return out


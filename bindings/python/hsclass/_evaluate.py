"""hsclass.evaluate(): a model measured on labeled rows, as `hsclass eval`
does: top-1 and top-k at every level, calibration and auto-accept coverage
(through the library's evaluation API, hsc_eval), per group, and per row."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Deque, Dict, Iterable, List, Optional, Sequence, Tuple

from . import _batch, _errors
from ._codes import parse_code
from ._eval import Evaluation
from ._results import Decision

if TYPE_CHECKING:
    from ._model import Model

PRECISIONS = (0.90, 0.95, 0.98)


@dataclass(frozen=True)
class LevelScore:
    """Accuracy at one level (digits) over the rows whose code is that long:
    the share whose true code is first (top1) or among the k suggestions."""

    rows: int
    top1: float
    topk: float


@dataclass(frozen=True)
class Coverage:
    """Auto-accept at a precision: the lowest threshold whose accepted rows
    are right that often (None when none is), the share of rows it accepts
    and their measured precision."""

    precision: float
    threshold: Optional[float]
    accepted: float
    measured: Optional[float]


@dataclass(frozen=True)
class Prediction:
    """One evaluated row: its true code, text and group, the suggestions at
    the model's level (codes and probabilities), whether the best is right
    at each level, and the decision with its reason."""

    code: str
    text: str
    group: Optional[str]
    suggestions: Tuple[Tuple[str, float], ...]
    correct: Dict[int, bool]
    decision: str
    reason: str


@dataclass
class Report:
    """What evaluate() measured. levels: {2: LevelScore, 4: ..., label
    digits: ...}; ece: expected calibration error of the best code's
    probability (15 bins), None when no row got a suggestion ("n/a");
    coverage: Coverage at each precision asked for; accepted / precision:
    what the model's own threshold accepts (these three over the rows whose
    code is at least as long as the model's codes); skipped: rows whose code is not
    a code; groups: a Report per group value; predictions: per row (when
    asked for)."""

    rows: int = 0
    skipped: int = 0
    k: int = 5
    levels: Dict[int, LevelScore] = field(default_factory=dict)
    ece: Optional[float] = None
    coverage: Dict[float, Coverage] = field(default_factory=dict)
    accepted: float = 0.0
    precision: Optional[float] = None
    reasons: Dict[str, int] = field(default_factory=dict)
    groups: Dict[str, "Report"] = field(default_factory=dict)
    predictions: Optional[List[Prediction]] = None


class _Tally:
    """The counts of one report, filled row by row."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.eval = Evaluation()
        self.rows = 0
        self.hits: Dict[int, List[int]] = {}   # digits -> [rows, top1, topk]
        self.calibrated = 0   # rows whose code is as long as the model's
        self.accepted = 0
        self.accepted_right = 0
        self.reasons: Dict[str, int] = {}

    def add(self, truth: str, d: Decision, label_digits: int) -> Dict[int, bool]:
        self.rows += 1
        self.reasons[d.reason] = self.reasons.get(d.reason, 0) + 1
        correct: Dict[int, bool] = {}
        for digits, suggestions in sorted((d.levels or {}).items()):
            if len(truth) < digits:
                continue
            want = truth[:digits]
            codes = [s.code for s in suggestions[:self.k]]
            tally = self.hits.setdefault(digits, [0, 0, 0])
            tally[0] += 1
            tally[1] += bool(codes) and codes[0] == want
            tally[2] += want in codes
            correct[digits] = bool(codes) and codes[0] == want
        best = d.best
        if len(truth) < label_digits:
            return correct   # the best code cannot be judged right or wrong: not calibrated
        right = best is not None and correct.get(label_digits or len(best.code), False)
        self.calibrated += 1
        self.eval.add(best.score if best is not None else None, right)
        if d.accept:
            self.accepted += 1
            self.accepted_right += right
        return correct

    def report(self, precisions: Sequence[float], skipped: int) -> Report:
        r = Report(rows=self.rows, skipped=skipped, k=self.k, reasons=dict(self.reasons))
        for digits, (n, top1, topk) in sorted(self.hits.items()):
            r.levels[digits] = LevelScore(n, top1 / n, topk / n)
        r.ece = self.eval.ece(15)
        for p in precisions:
            t = self.eval.threshold(p)
            acc, ok = self.eval.accepted(t) if t is not None else (0, 0)
            r.coverage[p] = Coverage(p, t, acc / self.calibrated if self.calibrated else 0.0,
                                     ok / acc if acc else None)
        r.accepted = self.accepted / self.calibrated if self.calibrated else 0.0
        r.precision = self.accepted_right / self.accepted if self.accepted else None
        self.eval.close()
        return r


def evaluate(model: "Model", rows: Iterable[Sequence[Any]], *, k: int = 5,
             precisions: Sequence[float] = PRECISIONS, predictions: bool = False,
             threads: Optional[int] = None, chunk: int = 2000) -> Report:
    """Measure model on (code, text) or (code, text, group) rows (a list, a
    file's rows, a DataFrame's itertuples()).

    Top-1 and top-k accuracy at every level the model has (2, 4, 6, 8, 10:
    each over the rows whose true code is that long), the calibration error
    of the best code's probability (None: "n/a", no row got a suggestion),
    auto-accept coverage at each precision, what the model's threshold
    accepts, and the review reasons; the same per group (language, source,
    office...) in Report.groups, and per row in Report.predictions when
    predictions=True. Rows whose code is malformed are counted as skipped;
    a missing text is evaluated as the empty text. Streams the rows (memory
    bounded by chunk and, with predictions, the rows kept).
    """
    label_digits = model._label_digits
    overall = _Tally(k)
    groups: Dict[str, _Tally] = {}
    kept: Optional[List[Prediction]] = [] if predictions else None
    skipped = 0
    pending: Deque[Tuple[str, Any, Optional[str]]] = deque()   # rows awaiting their result

    def rows_with_codes() -> Iterable[Any]:
        nonlocal skipped
        for row in rows:
            try:
                code = parse_code("" if _batch.is_missing(row[0]) else str(row[0]))
            except _errors.BadCode:
                code = ""
            if len(code) < 2:
                skipped += 1
                continue
            group = None if len(row) < 3 or _batch.is_missing(row[2]) else str(row[2])
            text = _batch.text_of(row[1])
            pending.append((code, text, group))
            yield text

    def one(session: Any, text: Any) -> Decision:
        return session.decide(text, k, levels=True)

    results = _batch.run_stream(model, rows_with_codes(), one, chunk=chunk, threads=threads,
                                errors="return", progress=None)
    for d in results:
        code, text, group = pending.popleft()
        if isinstance(d, _errors.Error):   # a rejected text: no suggestion, never right
            d = Decision(False, "error", str(d), 0.0, [], {})
        correct = overall.add(code, d, label_digits)
        if group is not None:
            groups.setdefault(group, _Tally(k)).add(code, d, label_digits)
        if kept is not None:
            kept.append(Prediction(code, text if isinstance(text, str) else str(text), group,
                                   tuple((s.code, s.score) for s in d.suggestions), correct,
                                   d.decision, d.reason))
    report = overall.report(precisions, skipped)
    report.groups = {g: t.report(precisions, 0) for g, t in sorted(groups.items())}
    report.predictions = kept
    return report


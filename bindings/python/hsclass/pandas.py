"""DataFrame helpers (needs pandas; Debian: python3-pandas). hsclass itself
never imports pandas: import hsclass.pandas when you want these.

    import hsclass, hsclass.pandas
    model = hsclass.Model()
    out = hsclass.pandas.classify(df, "description", k=3, model=model)
    flags = hsclass.pandas.audit(df, "hs_code", "description", model=model)
    report = hsclass.pandas.evaluate(df, "hs_code", "description", group="office")
"""

from __future__ import annotations

from typing import Any, List, Optional

import pandas as pd

from . import _errors
from ._evaluate import PRECISIONS, Report, evaluate as _evaluate
from ._model import Model
from ._session import Only


def _model(model: Optional[Model]) -> Model:
    return model if model is not None else Model()


def classify(df: pd.DataFrame, column: str, k: int = 3, *, model: Optional[Model] = None,
             threads: Optional[int] = None, chunk: int = 5000, only: Only = None,
             lang: Optional[str] = None) -> pd.DataFrame:
    """One row per row of df (same index): code_1..k, score_1..k, decision
    ("accept"/"review"), reason (see Decision; "error" for a text the
    library rejects), and description (the best code's, when the model has
    descriptions). Missing texts (None, NaN) are reviewed with reason
    "no_content". The texts are streamed, chunk at a time."""
    m = _model(model)
    cols: dict = {f"{name}_{i}": [] for i in range(1, k + 1) for name in ("code", "score")}
    decision: List[str] = []
    reason: List[str] = []
    description: List[Optional[str]] = []
    for d in m.stream(df[column], k, chunk=chunk, threads=threads, errors="return", only=only,
                      lang=lang):
        if isinstance(d, _errors.Error):
            suggestions, decision_, reason_ = [], "review", "error"
        else:
            suggestions, decision_, reason_ = d.suggestions, d.decision, d.reason
        for i in range(1, k + 1):
            s = suggestions[i - 1] if i <= len(suggestions) else None
            cols[f"code_{i}"].append(s.code if s else None)
            cols[f"score_{i}"].append(s.score if s else float("nan"))
        decision.append(decision_)
        reason.append(reason_)
        description.append(suggestions[0].description if suggestions else None)
    order = [f"{name}_{i}" for name in ("code", "score") for i in range(1, k + 1)]
    out = pd.DataFrame({c: cols[c] for c in order}, index=df.index)
    out["decision"] = decision
    out["reason"] = reason
    out["description"] = description
    return out


def audit(df: pd.DataFrame, code_column: str, text_column: str, *,
          id_column: Optional[str] = None, model: Optional[Model] = None,
          threads: Optional[int] = None) -> pd.DataFrame:
    """The audit of each declared code against its description (see
    hsclass.Audit), same index as df: declared, verdict ("suspect",
    "consistent", "unchecked", or "error" for a malformed code),
    probability (at the audit level), p_2/rank_2, p_4/rank_4, p_6/rank_6
    (the levels the model has), best_code, best_score, reason. Sort by
    probability to see the most suspicious lines first."""
    m = _model(model)
    ids: Any = df[id_column] if id_column else [None] * len(df)
    rows = zip(df[code_column], df[text_column], ids)
    records = []
    for a in m.audit_many(rows, threads=threads, errors="return"):
        if isinstance(a, _errors.Error):
            records.append({"verdict": "error", "reason": str(a)})
            continue
        rec = {"declared": a.declared, "verdict": a.verdict, "probability": a.probability}
        for digits, score in a.levels.items():
            rec[f"p_{digits}"] = score.probability
            rec[f"rank_{digits}"] = score.rank
        rec["best_code"] = a.best.code if a.best else None
        rec["best_score"] = a.best.score if a.best else float("nan")
        rec["reason"] = a.reason
        records.append(rec)
    return pd.DataFrame.from_records(records, index=df.index)


def evaluate(df: pd.DataFrame, code_column: str, text_column: str, *,
             group: Optional[str] = None, model: Optional[Model] = None, k: int = 5,
             precisions=PRECISIONS, predictions: bool = False,
             threads: Optional[int] = None) -> Report:
    """hsclass.evaluate over df's columns, per group when group names a
    column (language, source, office...)."""
    groups: Any = df[group] if group else [None] * len(df)
    rows = zip(df[code_column], df[text_column], groups)
    return _evaluate(_model(model), rows, k=k, precisions=precisions, predictions=predictions,
                     threads=threads)


def predictions_frame(report: Report) -> pd.DataFrame:
    """Report.predictions (evaluate(..., predictions=True)) as a DataFrame:
    code, text, group, predicted, probability, correct_<digits>, decision,
    reason."""
    records = []
    for p in report.predictions or []:
        rec = {"code": p.code, "text": p.text, "group": p.group,
               "predicted": p.suggestions[0][0] if p.suggestions else None,
               "probability": p.suggestions[0][1] if p.suggestions else float("nan")}
        rec.update({f"correct_{d}": ok for d, ok in sorted(p.correct.items())})
        rec.update({"decision": p.decision, "reason": p.reason})
        records.append(rec)
    return pd.DataFrame.from_records(records)

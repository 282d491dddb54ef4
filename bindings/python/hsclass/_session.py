"""Session: per-thread classification state over a Model (or a bare
tokenizer), and the text helpers the Model shares with it."""

from __future__ import annotations

import threading
import weakref
from ctypes import byref, c_char_p, c_double, c_size_t, c_uint32, c_uint64
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _args, _config, _errors, _lib
from ._codes import parse_code
from ._constants import AUDIT_VERDICTS, DECISION_ACCEPT, REASONS, TOKEN_FLAG_STOPWORD
from ._lib import ModelHandle, SessionHandle, lib
from ._results import (Audit, CodeScore, Decision, Explanation, Precedent, Suggestion, Token,
                       TokenType, WordWeight)

if TYPE_CHECKING:
    from ._model import Model

Text = Union[str, bytes, bytearray, memoryview]

LEVELS = (2, 4, 6, 8)  # aggregate levels a model may offer besides its labels
_U32_MAX = 0xFFFFFFFF

Only = Union[None, str, Sequence[str]]
_UNSEEN = object()


def reason_name(reason: int) -> str:
    return REASONS[reason] if reason < len(REASONS) else str(reason)


def only_text(only: Only) -> bytes:
    if only is None:
        return b""
    if not isinstance(only, str):
        try:
            parts = list(only)
        except TypeError:
            raise TypeError("hsclass: only must be a str or a list of str, "
                            f"not {type(only).__name__}") from None
        for p in parts:
            _args.ascii_str(p, "each code of only")
        only = ",".join(parts)
    return only.encode("ascii", "replace")


def lang_arg(lang: Optional[str]) -> Optional[bytes]:
    return _args.optional_str(lang, "lang")


def describe(model: ModelHandle, code: str, lang: Optional[str]) -> Optional[str]:
    data = _args.ascii_str(code, "code")
    out = c_char_p()
    status = lib.hsc_model_describe(model, data, len(data), lang_arg(lang), byref(out))
    if status == _errors.E_NO_RESULT:
        return None
    _lib.raise_status(status, code)
    return (out.value or b"").decode("utf-8", "replace")


def as_bytes(text: Text) -> bytes:
    if isinstance(text, str):
        # Lone surrogates go through so the library reports them as bad UTF-8.
        return text.encode("utf-8", "surrogatepass")
    if isinstance(text, bytes):
        return text
    if isinstance(text, (bytearray, memoryview)):
        return bytes(text)
    raise TypeError(f"hsclass: text must be str or bytes, not {type(text).__name__}")


def char_offsets(text: str, data: bytes) -> Optional[Dict[int, int]]:
    """Byte offset -> character offset for a non-ASCII str (None if ASCII)."""
    if len(data) == len(text):
        return None
    table = {}
    pos = 0
    for i, ch in enumerate(text):
        table[pos] = i
        pos += len(ch.encode("utf-8", "surrogatepass"))
    table[pos] = len(text)
    return table


def closed_error(what: str) -> _errors.Error:
    return _lib.status_error(_errors.E_STATE, f"{what} is closed")


class Session:
    """Per-thread working state over a Model, or a bare tokenizer (model=None).

    A session serves one thread at a time (calls from several threads are
    serialized by a lock); give each thread its own, or use the Model's
    methods, which keep one session per thread. A session keeps its model
    alive, so model and session may be closed or collected in any order.

    config: runtime options (max_text_bytes, utf8_replace, match_limit,
    accept_threshold); without a model also the featurization options
    (languages, strip_accents, word_ngrams, char_ngrams...).
    """

    def __init__(self, model: Optional["Model"] = None, *,
                 config: Optional[Mapping[str, Any]] = None) -> None:
        from ._model import Model   # the two modules import each other
        if model is not None and not isinstance(model, Model):
            raise TypeError(f"hsclass: Session(model) takes a Model or None, "
                            f"not {type(model).__name__}")
        self._init(model, config, keep_model=True)

    @classmethod
    def _internal(cls, model: "Model") -> "Session":
        # The Model's own sessions: no back reference (no cycle); the C
        # session holds the model's reference itself.
        self = cls.__new__(cls)
        self._init(model, None, keep_model=False)
        return self

    def _init(self, model: Optional["Model"], config: Optional[Mapping[str, Any]],
              keep_model: bool) -> None:
        self._model = model if keep_model else None
        self._label_digits = model._label_digits if model is not None else 0
        # The C session holds a reference on the native model: descriptions
        # stay readable through this handle while the session is open.
        self._model_handle = model._handle if model is not None else None
        # shared by the model's sessions (a dict: safe across threads)
        self._descriptions = model._descriptions if model is not None else {}
        self._only = b""
        self._lock = threading.Lock()
        handle = SessionHandle()
        if model is None:
            cfg = _config.build(config)
            try:
                lib.hsc_session_new(None, cfg.handle if cfg else None, byref(handle))
            finally:
                if cfg is not None:
                    cfg.close()
        else:
            model._new_session_handle(config, handle)
        self._handle: Optional[SessionHandle] = handle
        self._finalizer = weakref.finalize(self, lib.hsc_session_free, handle)

    @property
    def model(self) -> Optional["Model"]:
        """The Model this session classifies with (None for a tokenizer)."""
        return self._model

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        """Free the native session (idempotent)."""
        with self._lock:
            self._finalizer()
            self._handle = None

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _require(self) -> SessionHandle:
        if self._handle is None:
            raise closed_error("session")
        return self._handle

    def tokens(self, text: Text) -> List[Token]:
        """Normalize and tokenize text (str or UTF-8 bytes)."""
        data = as_bytes(text)
        offsets = char_offsets(text, data) if isinstance(text, str) else None
        norm, stems = c_char_p(), c_char_p()
        ttype, flags = c_uint32(), c_uint32()
        off, length = c_size_t(), c_size_t()
        out = []
        with self._lock:
            h = self._require()
            lib.hsc_session_tokenize(h, data, len(data))
            for i in range(lib.hsc_session_token_count(h)):
                lib.hsc_session_token(h, i, byref(norm), byref(ttype), byref(flags))
                lib.hsc_session_token_stems(h, i, byref(stems))
                lib.hsc_session_token_span(h, i, byref(off), byref(length))
                start, end = off.value, off.value + length.value
                if offsets is not None:
                    start, end = offsets.get(start, start), offsets.get(end, end)
                try:
                    kind: Union[TokenType, int] = TokenType(ttype.value)
                except ValueError:
                    kind = ttype.value
                stem_text = (stems.value or b"").decode("utf-8", "replace")
                out.append(Token(text=(norm.value or b"").decode("utf-8", "replace"), type=kind,
                                 stems=tuple(stem_text.split("|")) if stem_text else (),
                                 stopword=bool(flags.value & TOKEN_FLAG_STOPWORD),
                                 span=(start, end)))
        return out

    def _results(self, h: SessionHandle, digits: int, k: int,
                 lang: Optional[str] = None) -> Optional[List[Suggestion]]:
        count = c_size_t()
        status = lib.hsc_session_result_count(h, digits, byref(count))
        if status == _errors.E_INVALID_ARG and digits != 0:
            return None  # the model has no such level
        _lib.raise_status(status)
        code, prob = c_char_p(), c_double()
        out = []
        for i in range(min(count.value, k)):
            lib.hsc_session_result(h, digits, i, byref(code), byref(prob))
            text = (code.value or b"").decode("ascii", "replace")
            key = (text, lang)
            desc = self._descriptions.get(key, _UNSEEN)
            if desc is _UNSEEN:   # codes repeat: one library call per code and language
                desc = self._descriptions[key] = describe(self._model_handle, text, lang)
            out.append(Suggestion(text, prob.value, desc))
        return out

    def classify(self, text: Text, k: int = 5, *, level: int = 0, only: Only = None,
                 lang: Optional[str] = None) -> List[Suggestion]:
        """Suggest up to k codes for text, best first.

        level 0 gives the model's own codes; 2 or 4 (and 6 or 8 for models
        with longer codes) give chapters, headings... with scores summed over
        their descendants. only: restrict to codes under these prefixes
        (["84", "8517"] or "84,8517"); scores are then probabilities given
        that the code is among them. lang: language of the descriptions
        (default: the model's first). A text with no usable token gives [].
        Raises TextError (BadUTF8, TextTooLong...) for rejected text,
        BadCode for a malformed prefix.
        """
        return self._classify(text, k, (level,), only, lang)[level]

    def classify_levels(self, text: Text, k: int = 5, *, only: Only = None,
                        lang: Optional[str] = None) -> Dict[int, List[Suggestion]]:
        """All levels of one classification: {0: labels, 2: chapters, 4: ...}."""
        return self._classify(text, k, (0,) + LEVELS, only, lang)

    def _run(self, h: SessionHandle, text: Text, k: int, only: Only) -> None:
        """Set the constraint if it changed, then classify (lock held)."""
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= _U32_MAX:
            raise _lib.invalid_argument(f"k must be a positive integer, not {k!r}")
        data = as_bytes(text)
        want = only_text(only)
        if want != self._only:
            lib.hsc_session_set_constraint(h, want, len(want))
            self._only = want
        lib.hsc_session_classify(h, data, len(data), k)

    def _classify(self, text: Text, k: int, levels: Sequence[int], only: Only = None,
                  lang: Optional[str] = None) -> Dict[int, List[Suggestion]]:
        out: Dict[int, List[Suggestion]] = {}
        for level in levels:
            _args.integer(level, "level", 0, 12)
        with self._lock:
            h = self._require()
            self._run(h, text, k, only)
            for level in levels:
                digits = 0 if level == self._label_digits else level
                got = self._results(h, digits, k, lang)
                if got is None and len(levels) == 1:
                    raise _lib.invalid_argument(f"the model has no level {level}")
                if got is not None:
                    out[level] = got
        if 0 in out and self._label_digits:  # the label level under both names
            out.setdefault(self._label_digits, out[0])
        return out

    def decide(self, text: Text, k: int = 5, *, only: Only = None,
               lang: Optional[str] = None, levels: bool = False) -> Decision:
        """Classify text and say whether its best code can be accepted as is
        or the declaration needs review (see Decision). Texts with nothing
        classifiable ("goods", "spare parts", "samples", "") always go to
        review. levels=True also gives every level's top k (Decision.levels)."""
        decision, reason, thr = c_uint32(), c_uint32(), c_double()
        per_level: Optional[Dict[int, List[Suggestion]]] = None
        with self._lock:
            h = self._require()
            self._run(h, text, k, only)
            lib.hsc_session_decision(h, byref(decision), byref(reason))
            lib.hsc_session_accept_threshold(h, byref(thr))
            suggestions = self._results(h, 0, k, lang) or []
            if levels:
                per_level = {}
                for level in LEVELS:
                    got = self._results(h, 0 if level == self._label_digits else level, k, lang)
                    if got is not None:
                        per_level[level] = got
                if self._label_digits:
                    per_level[self._label_digits] = suggestions
        r = reason.value
        return Decision(decision.value == DECISION_ACCEPT, reason_name(r),
                        lib.hsc_decision_reason_string(r).decode("utf-8", "replace"),
                        thr.value, suggestions, per_level)

    def audit(self, text: Text, code: str, *, line_id: Optional[str] = None,
              lang: Optional[str] = None, ranks: bool = True) -> Audit:
        """Check a declared code against its description (see Audit): its
        probability and rank at every level within the code, and the
        verdict of the library's audit rule. ranks=False leaves the ranks
        out (None): an unlikely code's rank is the costly part. Raises
        BadCode for a malformed code (or one shorter than 2 digits),
        TextError for a rejected text."""
        declared = parse_code(code)
        data = declared.encode("ascii")
        verdict, digits, decision, reason = c_uint32(), c_uint32(), c_uint32(), c_uint32()
        prob, thr, p = c_double(), c_double(), c_double()
        rank = c_uint64()
        scores: Dict[int, CodeScore] = {}
        with self._lock:
            h = self._require()
            self._run(h, text, 1, None)
            lib.hsc_session_decision(h, byref(decision), byref(reason))
            lib.hsc_session_audit(h, data, len(data), byref(verdict), byref(prob), byref(digits))
            lib.hsc_session_audit_threshold(h, byref(thr))
            for level in LEVELS + (10,):
                if level > len(declared):
                    break
                if lib.hsc_session_result_count(h, level, byref(c_size_t())) != _errors.OK:
                    continue  # a level this model has not
                lib.hsc_session_code_score(h, data, len(data), level, byref(p),
                                           byref(rank) if ranks else None)
                scores[level] = CodeScore(p.value, (rank.value or None) if ranks else None)
            best = self._results(h, 0, 1, lang) or []
        v = verdict.value
        return Audit(declared, AUDIT_VERDICTS[v] if v < len(AUDIT_VERDICTS) else str(v),
                     prob.value, digits.value, thr.value, scores, best[0] if best else None,
                     reason_name(reason.value), line_id)

    def precedents(self, text: Text, n: int = 5, *, only: Only = None) -> List[Precedent]:
        """The n training rows nearest to text in the model's precedent
        memory, most similar first (see Precedent); [] for a model without
        one. Under only, rows whose code is outside it are left out."""
        count, sim = c_size_t(), c_double()
        code, row_text, source = c_char_p(), c_char_p(), c_char_p()
        out: List[Precedent] = []
        with self._lock:
            h = self._require()
            self._run(h, text, 1, only)
            lib.hsc_session_precedent_count(h, byref(count))
            for i in range(min(n, count.value)):
                lib.hsc_session_precedent(h, i, byref(code), byref(sim), byref(row_text),
                                          byref(source))
                out.append(Precedent(code.value.decode("ascii"), sim.value,
                                     None if row_text.value is None
                                     else row_text.value.decode("utf-8", "replace"),
                                     source.value.decode("utf-8", "replace")))
        return out

    def explain(self, text: Text, k: int = 3, *, level: int = 0, only: Only = None,
                lang: Optional[str] = None) -> List[Explanation]:
        """The top k suggestions with each word's weight for and against them
        (see Explanation). level as for classify."""
        _args.integer(level, "level", 0, 12)
        data = as_bytes(text)
        offsets = char_offsets(text, data) if isinstance(text, str) else None
        out: List[Explanation] = []
        count, tok, start, length = c_size_t(), c_size_t(), c_size_t(), c_size_t()
        weight, total = c_double(), c_double()
        with self._lock:
            h = self._require()
            self._run(h, text, k, only)
            digits = 0 if level == self._label_digits else level
            suggestions = self._results(h, digits, k, lang)
            if suggestions is None:
                raise _lib.invalid_argument(f"the model has no level {level}")
            for i, sug in enumerate(suggestions):
                lib.hsc_session_explain(h, digits, i)
                lib.hsc_session_explain_count(h, byref(count))
                lib.hsc_session_explain_total(h, byref(total))
                words = []
                for j in range(count.value):
                    lib.hsc_session_explain_item(h, j, byref(tok), byref(weight))
                    lib.hsc_session_token_span(h, tok.value, byref(start), byref(length))
                    a, b = start.value, start.value + length.value
                    if offsets is not None:
                        a, b = offsets.get(a, a), offsets.get(b, b)
                    piece = text[a:b]
                    word = piece if isinstance(piece, str) else \
                        bytes(piece).decode("utf-8", "replace")
                    words.append(WordWeight(word, weight.value, (a, b)))
                out.append(Explanation(sug.code, sug.score, sug.description, total.value,
                                       tuple(words)))
        return out


def tokens(text: Text, languages: Union[str, Sequence[str], None] = None,
           **options: Any) -> List[Token]:
    """Tokenize text without a model.

    languages: "en,fr" or ["en", "fr"] (default: the library's). Other
    options as for Session(config=...), e.g. strip_accents=0.
    """
    if languages is not None:
        options["languages"] = languages
    with Session(None, config=options) as session:
        return session.tokens(text)


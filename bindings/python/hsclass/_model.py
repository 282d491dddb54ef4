"""Model, Session and their results."""

from __future__ import annotations

import enum
import itertools
import os
import pathlib
import threading
import weakref
from ctypes import byref, c_char_p, c_double, c_size_t, c_uint32, c_uint64, c_void_p, string_at
from dataclasses import dataclass
from typing import (Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple,
                    Union)

from . import _config, _errors, _lib
from ._lib import ModelHandle, SessionHandle, lib

Text = Union[str, bytes, bytearray, memoryview]
PathLike = Union[str, bytes, "os.PathLike[str]"]

DEFAULT_MODEL = "hs6-multi.hscm"
_LEVELS = (2, 4, 6, 8)  # aggregate levels a model may offer besides its labels


@dataclass(frozen=True)
class Suggestion:
    """One suggested code.

    code: the HS code ("020130"), score: its calibrated probability (0..1),
    description: the nomenclature text when the model carries one, else None.
    """

    code: str
    score: float
    description: Optional[str] = None


REASONS = ("none", "confident", "low_confidence", "no_content", "vague", "unknown_words",
           "constraint")  # HSC_REASON_* by value


@dataclass(frozen=True)
class Decision:
    """Whether a text's best code may be accepted as is, or goes to review.

    accept: True to accept; reason: "confident" (accept), or why a person
    must look: "low_confidence" (the best code is below the threshold),
    "no_content" (empty, or only numbers, units, function words), "vague"
    (only generic words: goods, spare parts, samples...), "unknown_words"
    (no content word the model knows), "constraint" (nothing within `only`);
    reason_text: the library's English text for it; threshold: the
    probability the best code had to reach; suggestions: the codes at the
    model's level, best first.
    """

    accept: bool
    reason: str
    reason_text: str
    threshold: float
    suggestions: List[Suggestion]

    @property
    def decision(self) -> str:
        """"accept" or "review"."""
        return "accept" if self.accept else "review"

    @property
    def best(self) -> Optional[Suggestion]:
        return self.suggestions[0] if self.suggestions else None


@dataclass(frozen=True)
class WordWeight:
    """One word of the text and its weight for a code: word as written in the
    caller's text, span (start, end) into it (characters for str, bytes for
    bytes), weight > 0 for the code, < 0 against it."""

    word: str
    weight: float
    span: Tuple[int, int]


@dataclass(frozen=True)
class Explanation:
    """A suggested code and the words for and against it.

    words: every word with known features, by decreasing weight. The weights
    add up to total, the code's explained score: over the steps of its path
    (chapter, heading, subheading...), its calibrated logit minus the
    probability-weighted logits of the alternatives at that step (see
    hsc_session_explain in hsclass.h).
    """

    code: str
    score: float
    description: Optional[str]
    total: float
    words: Tuple[WordWeight, ...]

    @property
    def for_words(self) -> Tuple[WordWeight, ...]:
        """Words with a positive weight, strongest first."""
        return tuple(w for w in self.words if w.weight > 0)

    @property
    def against_words(self) -> Tuple[WordWeight, ...]:
        """Words with a negative weight, strongest first."""
        return tuple(w for w in reversed(self.words) if w.weight < 0)


@dataclass(frozen=True)
class NomenclatureEntry:
    """A described code of the model's nomenclature."""

    code: str
    description: str


@dataclass(frozen=True)
class NationalLine:
    """A national tariff line (e.g. a 10-digit TEC CEDEAO line)."""

    scheme: str
    code: str
    description: str


Only = Union[None, str, Sequence[str]]


def _only_text(only: Only) -> bytes:
    if only is None:
        return b""
    if not isinstance(only, str):
        only = ",".join(only)
    return only.encode("ascii", "replace")


def _lang_arg(lang: Optional[str]) -> Optional[bytes]:
    return lang.encode("ascii", "replace") if lang else None


def _describe(model: ModelHandle, code: str, lang: Optional[str]) -> Optional[str]:
    data = code.encode("ascii", "replace")
    out = c_char_p()
    status = lib.hsc_model_describe(model, data, len(data), _lang_arg(lang), byref(out))
    if status == _errors.E_NO_RESULT:
        return None
    _lib.raise_status(status, code)
    return (out.value or b"").decode("utf-8", "replace")


class TokenType(enum.IntEnum):
    """HSC_TOKEN_* values."""

    WORD = 1
    NUMBER = 2
    QUANTITY = 3
    CODE = 4
    ALNUM = 5


@dataclass(frozen=True)
class Token:
    """One token of a text.

    text: the normalized token; type: a TokenType (a plain int for types this
    binding does not know); stems: one stem per distinct stemmer result;
    stopword: True when it is left out of the features; span: (start, end) in
    the caller's text, in characters for a str and in bytes for bytes, so that
    original[start:end] is where the token came from.
    """

    text: str
    type: Union[TokenType, int]
    stems: Tuple[str, ...]
    stopword: bool
    span: Tuple[int, int]


def _as_bytes(text: Text) -> bytes:
    if isinstance(text, str):
        # Lone surrogates go through so the library reports them as bad UTF-8.
        return text.encode("utf-8", "surrogatepass")
    if isinstance(text, bytes):
        return text
    if isinstance(text, (bytearray, memoryview)):
        return bytes(text)
    raise TypeError(f"hsclass: text must be str or bytes, not {type(text).__name__}")


def _char_offsets(text: str, data: bytes) -> Optional[Dict[int, int]]:
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


def _closed(what: str) -> _errors.Error:
    return _errors.make_error(_errors.E_STATE, _lib.status_string(_errors.E_STATE),
                              f"{what} is closed")


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
            raise _closed("session")
        return self._handle

    def tokens(self, text: Text) -> List[Token]:
        """Normalize and tokenize text (str or UTF-8 bytes)."""
        data = _as_bytes(text)
        offsets = _char_offsets(text, data) if isinstance(text, str) else None
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
                                 stopword=bool(flags.value & 1), span=(start, end)))
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
            out.append(Suggestion(text, prob.value, _describe(self._model_handle, text, lang)))
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
        return self._classify(text, k, (0,) + _LEVELS, only, lang)

    def _run(self, h: SessionHandle, text: Text, k: int, only: Only) -> None:
        """Set the constraint if it changed, then classify (lock held)."""
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 0xFFFFFFFF:
            raise _errors.make_error(_errors.E_INVALID_ARG,
                                     _lib.status_string(_errors.E_INVALID_ARG),
                                     f"k must be a positive integer, not {k!r}")
        data = _as_bytes(text)
        want = _only_text(only)
        if want != self._only:
            lib.hsc_session_set_constraint(h, want, len(want))
            self._only = want
        lib.hsc_session_classify(h, data, len(data), k)

    def _classify(self, text: Text, k: int, levels: Sequence[int], only: Only = None,
                  lang: Optional[str] = None) -> Dict[int, List[Suggestion]]:
        out: Dict[int, List[Suggestion]] = {}
        with self._lock:
            h = self._require()
            self._run(h, text, k, only)
            for level in levels:
                digits = 0 if level == self._label_digits else level
                got = self._results(h, digits, k, lang)
                if got is None and len(levels) == 1:
                    raise _errors.make_error(_errors.E_INVALID_ARG,
                                             _lib.status_string(_errors.E_INVALID_ARG),
                                             f"the model has no level {level}")
                if got is not None:
                    out[level] = got
        if 0 in out and self._label_digits:  # the label level under both names
            out.setdefault(self._label_digits, out[0])
        return out

    def decide(self, text: Text, k: int = 5, *, only: Only = None,
               lang: Optional[str] = None) -> Decision:
        """Classify text and say whether its best code can be accepted as is
        or the declaration needs review (see Decision). Texts with nothing
        classifiable ("goods", "spare parts", "samples", "") always go to
        review."""
        decision, reason, thr = c_uint32(), c_uint32(), c_double()
        with self._lock:
            h = self._require()
            self._run(h, text, k, only)
            lib.hsc_session_decision(h, byref(decision), byref(reason))
            lib.hsc_session_accept_threshold(h, byref(thr))
            suggestions = self._results(h, 0, k, lang) or []
        r = reason.value
        return Decision(decision.value == 1, REASONS[r] if r < len(REASONS) else str(r),
                        lib.hsc_decision_reason_string(r).decode("utf-8", "replace"),
                        thr.value, suggestions)

    def explain(self, text: Text, k: int = 3, *, level: int = 0, only: Only = None,
                lang: Optional[str] = None) -> List[Explanation]:
        """The top k suggestions with each word's weight for and against them
        (see Explanation). level as for classify."""
        data = _as_bytes(text)
        offsets = _char_offsets(text, data) if isinstance(text, str) else None
        out: List[Explanation] = []
        count, tok, start, length = c_size_t(), c_size_t(), c_size_t(), c_size_t()
        weight, total = c_double(), c_double()
        with self._lock:
            h = self._require()
            self._run(h, text, k, only)
            digits = 0 if level == self._label_digits else level
            suggestions = self._results(h, digits, k, lang)
            if suggestions is None:
                raise _errors.make_error(_errors.E_INVALID_ARG,
                                         _lib.status_string(_errors.E_INVALID_ARG),
                                         f"the model has no level {level}")
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


class Model:
    """A loaded classifier, immutable and shared by any number of threads.

    Model(path) loads a .hscm file; without a path the default model is used:
    $HSCLASS_MODEL, then <prefix>/share/hsclass/hs6-multi.hscm beside the
    installed library, then models/hs6-multi.hscm in the source tree.
    config: runtime options for this model's sessions (max_text_bytes,
    utf8_replace, match_limit, accept_threshold).

    Raises FileError (cannot read), CorruptModel (damaged file; .offset gives
    the byte where the problem was found), ModelVersionError, ModelMismatch.
    Close it (or use `with`) to free it early; sessions made from it keep
    working until they are closed.
    """

    def __init__(self, path: Optional[PathLike] = None, *,
                 config: Optional[Mapping[str, Any]] = None) -> None:
        if path is None:
            path = default_model_path()
            if path is None:
                raise _errors.make_error(
                    _errors.E_IO, _lib.status_string(_errors.E_IO),
                    "no default model: set HSCLASS_MODEL or pass a path")
        self.path: Optional[str] = os.fsdecode(path)
        handle = ModelHandle()
        offset = c_uint64()
        cfg = _config.build(config)
        try:
            status = lib.hsc_model_load_file(os.fsencode(path), cfg.handle if cfg else None,
                                             byref(handle), byref(offset))
        finally:
            if cfg is not None:
                cfg.close()
        _raise_load(status, offset.value, self.path)
        self._setup(handle, config)

    @classmethod
    def from_bytes(cls, data: Union[bytes, bytearray, memoryview], *,
                   config: Optional[Mapping[str, Any]] = None) -> "Model":
        """Load a model from the bytes of a .hscm file (they are copied)."""
        data = bytes(data)
        handle = ModelHandle()
        offset = c_uint64()
        cfg = _config.build(config)
        try:
            status = lib.hsc_model_load_memory(data, len(data), cfg.handle if cfg else None,
                                               byref(handle), byref(offset))
        finally:
            if cfg is not None:
                cfg.close()
        _raise_load(status, offset.value, None)
        self = cls.__new__(cls)
        self.path = None
        self._setup(handle, config)
        return self

    @classmethod
    def _adopt(cls, handle: ModelHandle, path: Optional[str] = None) -> "Model":
        self = cls.__new__(cls)
        self.path = path
        self._setup(handle, None)
        return self

    def _setup(self, handle: ModelHandle, config: Optional[Mapping[str, Any]]) -> None:
        self._handle: Optional[ModelHandle] = handle
        self._finalizer = weakref.finalize(self, lib.hsc_model_free, handle)
        self._lock = threading.RLock()
        self._config = dict(config or {})
        self._local = threading.local()
        self._sessions: "weakref.WeakSet[Session]" = weakref.WeakSet()
        self._labels: Optional[Tuple[str, ...]] = None
        self._info: Optional[Dict[str, str]] = None
        self._meta: Optional[Dict[str, str]] = None
        lengths = {len(code) for code in self.labels}
        self._label_digits = lengths.pop() if len(lengths) == 1 else 0

    # -- lifetime ---------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        """Free the model's own sessions and its reference (idempotent).
        Sessions made with session() keep the native model alive."""
        with self._lock:
            for s in list(self._sessions):
                s.close()
            self._finalizer()
            self._handle = None

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self.labels)} labels"
        return f"<hsclass.Model {self.path or '(memory)'} {state}>"

    def _require(self) -> ModelHandle:
        if self._handle is None:
            raise _closed("model")
        return self._handle

    def _new_session_handle(self, config: Optional[Mapping[str, Any]],
                            out: SessionHandle) -> None:
        cfg = _config.build({**self._config, **(config or {})})
        try:
            with self._lock:  # close() cannot free the model meanwhile
                lib.hsc_session_new(self._require(), cfg.handle if cfg else None, byref(out))
        finally:
            if cfg is not None:
                cfg.close()

    def session(self, *, config: Optional[Mapping[str, Any]] = None) -> Session:
        """A new Session on this model; config adds to or overrides the
        model's runtime options. It keeps the model alive until closed."""
        return Session(self, config=config)

    def _thread_session(self) -> Session:
        s = getattr(self._local, "session", None)
        if s is None or s.closed:
            with self._lock:
                s = Session._internal(self)
                self._sessions.add(s)
            self._local.session = s
        return s

    # -- metadata -----------------------------------------------------------

    @property
    def labels(self) -> Tuple[str, ...]:
        """The codes this model can suggest, sorted."""
        if self._labels is None:
            h = self._require()
            n, code = c_size_t(), c_char_p()
            lib.hsc_model_label_count(h, byref(n))
            codes = []
            for i in range(n.value):
                lib.hsc_model_label(h, i, byref(code))
                codes.append((code.value or b"").decode("ascii", "replace"))
            self._labels = tuple(codes)
        return self._labels

    @property
    def info(self) -> Dict[str, str]:
        """Named metadata (HSC_INFO_*): format_version, hs_edition, languages,
        stemmer, tokenizer, normalization, hash, training, labels, fingerprint,
        created_by. Keys the model lacks are left out."""
        if self._info is None:
            h = self._require()
            value = c_char_p()
            info = {}
            for key, name in enumerate(_INFO_KEYS, start=1):
                if lib.hsc_model_info_str(h, key, byref(value)) == _errors.OK and value.value:
                    info[name] = value.value.decode("utf-8", "replace")
            self._info = info
        return dict(self._info)

    @property
    def meta(self) -> Dict[str, str]:
        """Every key/value pair of the model's META section."""
        if self._meta is None:
            h = self._require()
            n, key, value = c_size_t(), c_char_p(), c_char_p()
            lib.hsc_model_meta_count(h, byref(n))
            meta = {}
            for i in range(n.value):
                lib.hsc_model_meta_get(h, i, byref(key), byref(value))
                meta[(key.value or b"").decode("utf-8", "replace")] = \
                    (value.value or b"").decode("utf-8", "replace")
            self._meta = meta
        return dict(self._meta)

    # -- saving -------------------------------------------------------------

    def save(self, path: PathLike) -> None:
        """Write the model to path atomically (deterministic bytes)."""
        try:
            lib.hsc_model_save_file(self._require(), os.fsencode(path))
        except _errors.FileError as exc:
            raise _errors.with_detail(exc, os.fsdecode(path)) from None

    def to_bytes(self) -> bytes:
        """The model serialized as the bytes of a .hscm file."""
        buf, size = c_void_p(), c_size_t()
        lib.hsc_model_save_memory(self._require(), byref(buf), byref(size))
        try:
            return string_at(buf, size.value)
        finally:
            lib.hsc_buffer_free(buf)

    # -- text ---------------------------------------------------------------

    def tokens(self, text: Text) -> List[Token]:
        """Tokenize text as this model does (see Session.tokens)."""
        self._require()
        return self._thread_session().tokens(text)

    def classify(self, text: Text, k: int = 5, *, level: int = 0, only: Only = None,
                 lang: Optional[str] = None) -> List[Suggestion]:
        """Suggest up to k codes for text (see Session.classify). Thread-safe."""
        self._require()
        return self._thread_session().classify(text, k, level=level, only=only, lang=lang)

    def classify_levels(self, text: Text, k: int = 5, *, only: Only = None,
                        lang: Optional[str] = None) -> Dict[int, List[Suggestion]]:
        """Every level of one classification (see Session.classify_levels)."""
        self._require()
        return self._thread_session().classify_levels(text, k, only=only, lang=lang)

    def decide(self, text: Text, k: int = 5, *, only: Only = None,
               lang: Optional[str] = None) -> Decision:
        """Accept or review, with the suggestions (see Session.decide)."""
        self._require()
        return self._thread_session().decide(text, k, only=only, lang=lang)

    def explain(self, text: Text, k: int = 3, *, level: int = 0, only: Only = None,
                lang: Optional[str] = None) -> List[Explanation]:
        """The top k suggestions with the words for and against each (see
        Session.explain)."""
        self._require()
        return self._thread_session().explain(text, k, level=level, only=only, lang=lang)

    # -- nomenclature ----------------------------------------------------------

    @property
    def accept_threshold(self) -> float:
        """The model's default decision threshold (fitted at training)."""
        out = c_double()
        lib.hsc_model_accept_threshold(self._require(), byref(out))
        return out.value

    @property
    def nomenclature_languages(self) -> Tuple[str, ...]:
        """Languages of the code descriptions the model carries (may be ())."""
        out = c_char_p()
        lib.hsc_model_nomenclature_languages(self._require(), byref(out))
        text = (out.value or b"").decode("ascii", "replace")
        return tuple(text.split(",")) if text else ()

    @property
    def national_schemes(self) -> Tuple[Tuple[str, str], ...]:
        """(name, language) of each national tariff scheme the model carries."""
        h = self._require()
        n, name, lang = c_size_t(), c_char_p(), c_char_p()
        lib.hsc_model_national_scheme_count(h, byref(n))
        out = []
        for i in range(n.value):
            lib.hsc_model_national_scheme(h, i, byref(name), byref(lang))
            out.append(((name.value or b"").decode("ascii", "replace"),
                        (lang.value or b"").decode("ascii", "replace")))
        return tuple(out)

    def describe(self, code: str, lang: Optional[str] = None) -> Optional[str]:
        """The description of one code ("0201", "0201.30", a national line) in
        lang (default: the first language that has one), or None."""
        return _describe(self._require(), code, lang)

    def lookup(self, code: str = "", lang: Optional[str] = None) -> List[NomenclatureEntry]:
        """The described codes starting with code ("0201": the heading, then
        its subheadings; "": all), in code order. Descriptions are "" where
        lang has none."""
        h = self._require()
        data = code.encode("ascii", "replace")
        first, count = c_size_t(), c_size_t()
        lib.hsc_model_nomenclature_find(h, data, len(data), byref(first), byref(count))
        c, d = c_char_p(), c_char_p()
        out = []
        for i in range(first.value, first.value + count.value):
            lib.hsc_model_nomenclature_entry(h, i, _lang_arg(lang), byref(c), byref(d))
            out.append(NomenclatureEntry((c.value or b"").decode("ascii", "replace"),
                                         (d.value or b"").decode("utf-8", "replace")))
        return out

    def national_lines(self, code: str = "", scheme: Optional[str] = None) -> List[NationalLine]:
        """The national tariff lines under code (an HS6 code gives its national
        lines), of every scheme or of the named one."""
        h = self._require()
        data = code.encode("ascii", "replace")
        first, count = c_size_t(), c_size_t()
        c, d = c_char_p(), c_char_p()
        out = []
        for k, (name, _lang) in enumerate(self.national_schemes):
            if scheme is not None and name != scheme:
                continue
            lib.hsc_model_national_find(h, k, data, len(data), byref(first), byref(count))
            for i in range(first.value, first.value + count.value):
                lib.hsc_model_national_line(h, k, i, byref(c), byref(d))
                out.append(NationalLine(name, (c.value or b"").decode("ascii", "replace"),
                                        (d.value or b"").decode("utf-8", "replace")))
        return out

    def classify_many(self, texts: Iterable[Text], k: int = 5, *, level: int = 0,
                      threads: Optional[int] = None, errors: str = "raise", only: Only = None,
                      lang: Optional[str] = None
                      ) -> List[Union[List[Suggestion], _errors.Error]]:
        """Classify many texts with `threads` native threads (default: one per
        CPU), each with its own session; results come back in input order.

        errors="raise" raises the first text error (after stopping the other
        threads); errors="return" puts the Error in that text's place instead.
        """
        if errors not in ("raise", "return"):
            raise ValueError("errors must be 'raise' or 'return'")
        items = list(texts)
        self._require()
        nthreads = max(1, min(threads or os.cpu_count() or 1, len(items)))
        results: List[Any] = [None] * len(items)
        failure: List[BaseException] = []
        counter = itertools.count()  # next() is atomic under the GIL

        def work(session: Session) -> None:
            while not failure:
                i = next(counter)
                if i >= len(items):
                    return
                try:
                    results[i] = session.classify(items[i], k, level=level, only=only,
                                                  lang=lang)
                except _errors.TextError as exc:
                    if errors == "raise":
                        failure.append(exc)
                        return
                    results[i] = exc
                except BaseException as exc:  # noqa: B902 - handed to the caller
                    failure.append(exc)
                    return

        def worker() -> None:
            try:
                with Session._internal(self) as session:
                    work(session)
            except BaseException as exc:  # noqa: B902
                failure.append(exc)

        if nthreads == 1:
            work(self._thread_session())
        else:
            pool = [threading.Thread(target=worker, name=f"hsclass-{n}", daemon=True)
                    for n in range(nthreads)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
        if failure:
            raise failure[0]
        return results


_INFO_KEYS = ("format_version", "hs_edition", "languages", "stemmer", "tokenizer",
              "normalization", "hash", "training", "labels", "fingerprint", "created_by")


def _raise_load(status: int, offset: int, path: Optional[str]) -> None:
    if status == _errors.OK:
        return
    detail = f"at byte {offset}" if status not in (_errors.E_IO, _errors.E_NOMEM) else ""
    if path is not None:
        detail = f"{path}: {detail}" if detail else path
    exc = _errors.make_error(status, _lib.status_string(status), detail)
    exc.offset = offset  # type: ignore[attr-defined]
    exc.path = path  # type: ignore[attr-defined]
    raise exc


def default_model_path() -> Optional[str]:
    """Where Model() looks: $HSCLASS_MODEL, the installed share/hsclass beside
    the library, then the source tree's models/ (None if nothing exists)."""
    env = os.environ.get("HSCLASS_MODEL")
    if env:
        return env
    libdir = pathlib.Path(_lib.library_path).resolve().parent
    candidates = [libdir.parent / "share" / "hsclass" / DEFAULT_MODEL,          # lib/
                  libdir.parent.parent / "share" / "hsclass" / DEFAULT_MODEL,   # lib/<triplet>/
                  libdir.parent / "models" / DEFAULT_MODEL]                     # a build tree
    candidates += [p / "models" / DEFAULT_MODEL for p in _lib._PACKAGE_DIR.parents]
    for path in candidates:
        if path.is_file():
            return str(path)
    return None


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


"""Model: a loaded classifier shared by threads, with its metadata,
nomenclature and the per-thread sessions behind its methods."""

from __future__ import annotations

import os
import threading
import weakref
from ctypes import byref, c_char_p, c_double, c_size_t, c_uint64, c_void_p, string_at
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence,
                    Tuple, Union)

from . import _args, _batch, _config, _errors, _install, _lib
from ._constants import INFO_KEYS
from ._lib import ModelHandle, SessionHandle, lib
from ._results import (Audit, Decision, Explanation, NationalLine, NomenclatureEntry, Precedent,
                       Suggestion, Token)
from ._session import Only, Session, Text, closed_error, describe, lang_arg

PathLike = Union[str, bytes, "os.PathLike[str]"]

DEFAULT_MODEL = "hs6-multi.hscm"


class Model:
    """A loaded classifier, immutable and shared by any number of threads.

    Model(path) loads a .hscm file; without a path the default model is used:
    $HSCLASS_MODEL, then <prefix>/share/hsclass/hs6-multi.hscm beside the
    installed library, then models/hs6-multi.hscm in the source tree.
    config: runtime options for this model's sessions (max_text_bytes,
    utf8_replace, match_limit, accept_threshold) and for loading it:
    max_model_bytes (default 2 GiB) and model_mmap (default False: the file
    is read into memory, so rewriting it later cannot affect the model;
    True maps it, and then the file must only be replaced by rename).

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
                raise _lib.status_error(_errors.E_IO,
                                        "no default model: set HSCLASS_MODEL or pass a path")
        data = _args.path(path, "model path")
        self.path: Optional[str] = os.fsdecode(path)
        handle = ModelHandle()
        offset = c_uint64()
        cfg = _config.build(config)
        try:
            status = lib.hsc_model_load_file(data, cfg.handle if cfg else None,
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
        self._descriptions: Dict[Tuple[str, Optional[str]], Optional[str]] = {}
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
            raise closed_error("model")
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
            for key, name in enumerate(INFO_KEYS, start=1):
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
            lib.hsc_model_save_file(self._require(), _args.path(path))
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

    def precedents(self, text: Text, n: int = 5, *, only: Only = None) -> List[Precedent]:
        """The n training rows nearest to text (see Session.precedents)."""
        self._require()
        return self._thread_session().precedents(text, n, only=only)

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
        return describe(self._require(), code, lang)

    def lookup(self, code: str = "", lang: Optional[str] = None) -> List[NomenclatureEntry]:
        """The described codes starting with code ("0201": the heading, then
        its subheadings; "": all), in code order. Descriptions are "" where
        lang has none."""
        h = self._require()
        data = _args.ascii_str(code, "code")
        first, count = c_size_t(), c_size_t()
        lib.hsc_model_nomenclature_find(h, data, len(data), byref(first), byref(count))
        c, d = c_char_p(), c_char_p()
        out = []
        for i in range(first.value, first.value + count.value):
            lib.hsc_model_nomenclature_entry(h, i, lang_arg(lang), byref(c), byref(d))
            out.append(NomenclatureEntry((c.value or b"").decode("ascii", "replace"),
                                         (d.value or b"").decode("utf-8", "replace")))
        return out

    def national_lines(self, code: str = "", scheme: Optional[str] = None) -> List[NationalLine]:
        """The national tariff lines under code (an HS6 code gives its national
        lines), of every scheme or of the named one."""
        h = self._require()
        data = _args.ascii_str(code, "code")
        if scheme is not None:
            _args.ascii_str(scheme, "scheme")
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

    def classify_many(self, texts: Iterable[Any], k: int = 5, *, level: int = 0,
                      threads: Optional[int] = None, errors: str = "raise", only: Only = None,
                      lang: Optional[str] = None
                      ) -> List[Union[List[Suggestion], _errors.Error]]:
        """Classify many texts with `threads` native threads (default: one per
        CPU), each with its own session; results come back in input order.
        A missing text (None, NaN) gets [] as the empty text does.

        errors="raise" raises the first text error (after stopping the other
        threads); errors="return" puts the Error in that text's place instead.
        Suggestions only: decide_many adds the decision and its reason.
        """
        def one(session: Session, text: Any) -> List[Suggestion]:
            return session.classify(_batch.text_of(text), k, level=level, only=only, lang=lang)

        return _batch.run_batch(self, texts, one, threads, errors)

    def decide_many(self, texts: Iterable[Any], k: int = 5, *, threads: Optional[int] = None,
                    errors: str = "raise", only: Only = None, lang: Optional[str] = None
                    ) -> List[Union[Decision, _errors.Error]]:
        """decide() for many texts (threads and errors as classify_many): per
        text its suggestions, accept or review, and the reason. A missing
        text (None, NaN) is reviewed with reason "no_content"."""
        return _batch.run_batch(self, texts, self._decider(k, only, lang), threads, errors)

    def stream(self, texts: Iterable[Any], k: int = 5, *, chunk: int = 2000,
               threads: Optional[int] = None, errors: str = "raise", only: Only = None,
               lang: Optional[str] = None,
               progress: Optional[Callable[[int], Any]] = None
               ) -> Iterator[Union[Decision, _errors.Error]]:
        """decide() over an iterable of any length (a file, a generator, a
        DataFrame column): yields one Decision per text in input order while
        holding only `chunk` texts and their results, so memory stays flat
        whatever the input size. progress(rows_done) is called after each
        chunk. threads, errors and missing texts as for decide_many."""
        return _batch.run_stream(self, texts, self._decider(k, only, lang), chunk=chunk,
                                 threads=threads, errors=errors, progress=progress)

    def _decider(self, k: int, only: Only, lang: Optional[str]) -> Callable[[Session, Any], Any]:
        def one(session: Session, text: Any) -> Decision:
            return session.decide(_batch.text_of(text), k, only=only, lang=lang)
        return one

    # -- audits ---------------------------------------------------------------

    def audit(self, text: Text, code: str, *, line_id: Optional[str] = None,
              ranks: bool = True) -> Audit:
        """Check a declared code against its description (see Session.audit)."""
        self._require()
        return self._thread_session().audit(text, code, line_id=line_id, ranks=ranks)

    def audit_many(self, rows: Iterable[Sequence[Any]], *, threads: Optional[int] = None,
                   errors: str = "return", chunk: int = 2000, ranks: bool = True
                   ) -> Iterator[Union[Audit, _errors.Error]]:
        """Audit (code, text) or (code, text, line_id) rows, in input order and
        bounded memory (as stream). A missing text is "unchecked"; with
        errors="return" (the default) a malformed code gives its BadCode in
        the row's place instead of stopping the run. ranks as for
        Session.audit."""
        def one(session: Session, row: Sequence[Any]) -> Audit:
            code = "" if _batch.is_missing(row[0]) else str(row[0])
            line_id = None if len(row) < 3 or _batch.is_missing(row[2]) else str(row[2])
            return session.audit(_batch.text_of(row[1]), code, line_id=line_id, ranks=ranks)

        return _batch.run_stream(self, rows, one, chunk=chunk, threads=threads, errors=errors,
                                 progress=None)

    # -- pickling -------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        """CRC32 of the model file, hex (HSC_INFO_FINGERPRINT)."""
        return self.info.get("fingerprint", "")

    def __reduce__(self) -> Tuple[Any, ...]:
        """Pickled by path and fingerprint when loaded from a file (the
        receiving process loads it once and checks that the file is still
        the same model), else by its bytes. Dask and multiprocessing workers
        thus get one model each without shipping megabytes per task."""
        self._require()
        if self.path is not None:
            return (_unpickle_path, (os.path.abspath(self.path), self.fingerprint, self._config))
        return (_unpickle_bytes, (self.to_bytes(), self._config))


# Models this process unpickled by path: a worker that receives the same
# model with every task loads it once.
_unpickled: Dict[Tuple[str, str, str], Model] = {}
_unpickled_lock = threading.Lock()


def _unpickle_path(path: str, fingerprint: str, config: Dict[str, Any]) -> Model:
    key = (path, fingerprint, repr(sorted(config.items())))
    with _unpickled_lock:
        model = _unpickled.get(key)
        if model is not None and not model.closed:
            return model
        model = Model(path, config=config or None)
        if model.fingerprint != fingerprint:
            got = model.fingerprint
            model.close()
            raise _lib.status_error(_errors.E_IO, f"{path}: the file changed since the model "
                                    f"was pickled (fingerprint {got}, expected {fingerprint})")
        _unpickled[key] = model
        return model


def _unpickle_bytes(data: bytes, config: Dict[str, Any]) -> Model:
    return Model.from_bytes(data, config=config or None)


def _raise_load(status: int, offset: int, path: Optional[str]) -> None:
    if status == _errors.OK:
        return
    detail = f"at byte {offset}" if status not in (_errors.E_IO, _errors.E_NOMEM) else ""
    if path is not None:
        detail = f"{path}: {detail}" if detail else path
    exc = _lib.status_error(status, detail)
    exc.offset = offset  # type: ignore[attr-defined]
    exc.path = path  # type: ignore[attr-defined]
    raise exc


def default_model_path() -> Optional[str]:
    """Where Model() looks: $HSCLASS_MODEL, the installed share/hsclass beside
    the library, then the source tree's models/ (None if nothing exists)."""
    env = os.environ.get("HSCLASS_MODEL")
    if env:
        return env
    candidates = [d / DEFAULT_MODEL for d in _install.data_dirs(_lib.library_path)]
    for path in candidates:
        if path.is_file():
            return str(path)
    return None



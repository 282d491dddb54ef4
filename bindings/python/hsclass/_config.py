"""Options by name, turned into an hsc_config (see HSC_CFG_* in hsclass.h)."""

from __future__ import annotations

import weakref
from ctypes import byref
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from . import _errors
from ._lib import ConfigHandle, invalid_argument, lib

OptionValue = Union[int, float, str, bool, Tuple[int, int], None]

# name -> (HSC_CFG_* key, type). Keys are fixed forever by the header.
OPTIONS: Dict[str, Tuple[int, str]] = {
    "max_text_bytes": (1, "u32"),
    "utf8_replace": (2, "u32"),
    "strip_accents": (3, "u32"),
    "languages": (4, "str"),
    "match_limit": (5, "u32"),
    "max_model_bytes": (50, "u32"),
    "model_mmap": (51, "u32"),
    "buckets": (10, "u32"),
    "word_ngrams": (11, "u32"),
    "char_ngram_min": (12, "u32"),
    "char_ngram_max": (13, "u32"),
    "hash_seed": (14, "u32"),
    "skeletons": (15, "u32"),
    "feature_version": (16, "u32"),
    "dim": (20, "u32"),
    "epochs": (21, "u32"),
    "learning_rate": (22, "f64"),
    "threads": (23, "u32"),
    "seed": (24, "u32"),
    "code_digits": (25, "u32"),
    "valid_fraction": (26, "f64"),
    "strict": (27, "u32"),
    "min_count": (28, "u32"),
    "augment": (29, "u32"),
    "max_rows": (30, "u32"),
    "hs_edition": (31, "str"),
    "precedents": (32, "u32"),
    "keep_precedent_texts": (33, "u32"),
    "trade_noise": (34, "f64"),
    "rehearsal": (60, "f64"),
    "precedents_per_code": (61, "u32"),
    "precedent_mix": (62, "f64"),
    "accept_threshold": (40, "f64"),
    "audit_threshold": (70, "f64"),
}

# The CLI's short names.
ALIASES = {"digits": "code_digits", "lr": "learning_rate", "valid": "valid_fraction"}

_U32_MAX = 0xFFFFFFFF


def _char_ngrams(value: Any) -> Tuple[int, int]:
    """0/None/False disable; n gives (n, n); "3-5" or (3, 5) give a range."""
    if value in (None, False, 0, "0", ""):
        return (0, 0)
    if isinstance(value, str):
        lo, sep, hi = value.partition("-")
        try:
            return (int(lo), int(hi if sep else lo))
        except ValueError:
            raise invalid_argument(f"char_ngrams: expected 'MIN-MAX', got {value!r}") from None
    if isinstance(value, int):
        return (value, value)
    lo, hi = value
    return (int(lo), int(hi))


def normalize(options: Optional[Mapping[str, OptionValue]]) -> Dict[str, Any]:
    """Resolve aliases and composite options; unknown names raise TypeError."""
    out: Dict[str, Any] = {}
    for name, value in (options or {}).items():
        name = ALIASES.get(name, name)
        if name == "char_ngrams":
            out["char_ngram_min"], out["char_ngram_max"] = _char_ngrams(value)
        elif name in OPTIONS:
            out[name] = value
        else:
            raise TypeError(f"hsclass: unknown option {name!r}")
    return out


class Config:
    """An owned hsc_config built from named options (None values are skipped).

    Use as a context manager or call close(); a finalizer frees it otherwise.
    """

    def __init__(self, options: Optional[Mapping[str, OptionValue]] = None) -> None:
        handle = ConfigHandle()
        lib.hsc_config_new(byref(handle))
        self.handle: Optional[ConfigHandle] = handle
        self._finalizer = weakref.finalize(self, lib.hsc_config_free, handle)
        for name, value in normalize(options).items():
            if value is not None:
                self._set(name, value)

    def _set(self, name: str, value: Any) -> None:
        try:
            self._set_raw(name, value)
        except _errors.Error as exc:
            raise _errors.with_detail(exc, f"{name}={value!r}") from None

    def _set_raw(self, name: str, value: Any) -> None:
        key, kind = OPTIONS[name]
        if kind == "str":
            if not isinstance(value, str):  # languages=["en", "fr"]
                value = ",".join(value)
            lib.hsc_config_set_str(self.handle, key, value.encode("utf-8"))
        elif kind == "f64":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"hsclass: option {name!r} needs a number, not {value!r}")
            lib.hsc_config_set_f64(self.handle, key, float(value))
        else:
            if isinstance(value, bool):
                value = int(value)
            if not isinstance(value, int):
                raise TypeError(f"hsclass: option {name!r} needs an integer, not {value!r}")
            if not 0 <= value <= _U32_MAX:  # ctypes would silently wrap
                raise invalid_argument("out of range")
            lib.hsc_config_set_u32(self.handle, key, value)

    def close(self) -> None:
        self._finalizer()
        self.handle = None

    def __enter__(self) -> "Config":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build(options: Optional[Mapping[str, OptionValue]]) -> Optional[Config]:
    """A Config for non-empty options, else None (the library's defaults)."""
    return Config(options) if options else None


"""Argument checks of the public calls: a wrong type raises TypeError, a
value the library cannot take ValueError or InvalidArgument, each with a
message, before anything reaches ctypes (which would silently wrap a large
int, cut a path at a NUL byte, or fail with AttributeError/ArgumentError)."""

from __future__ import annotations

import os
from typing import Any, Optional

from . import _lib

_U32_MAX = 0xFFFFFFFF


def path(value: Any, what: str = "path") -> bytes:
    """A file path as bytes; a NUL byte raises ValueError, as open() does."""
    try:
        data = os.fsencode(value)
    except TypeError:
        raise TypeError(f"hsclass: {what} must be str, bytes or os.PathLike, "
                        f"not {type(value).__name__}") from None
    if b"\0" in data:
        raise ValueError(f"hsclass: embedded null byte in {what} {value!r}")
    return data


def ascii_str(value: Any, what: str) -> bytes:
    """A code, a language or a scheme name (str)."""
    if not isinstance(value, str):
        raise TypeError(f"hsclass: {what} must be str, not {type(value).__name__}")
    return value.encode("ascii", "replace")


def optional_str(value: Any, what: str) -> Optional[bytes]:
    """lang=None (or ""): the library's default."""
    return ascii_str(value, what) if value is not None and value != "" else None


def integer(value: Any, what: str, lo: int = 0, hi: int = _U32_MAX) -> int:
    """An int in [lo, hi] (bool refused: True is not a level)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"hsclass: {what} must be an integer, not {type(value).__name__}")
    if not lo <= value <= hi:
        raise _lib.invalid_argument(f"{what} must be in {lo}..{hi}, not {value}")
    return value

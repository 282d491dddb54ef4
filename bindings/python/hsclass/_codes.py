"""HS codes as people write them, read by the library's one rule."""

from __future__ import annotations

from ctypes import byref, c_char, c_size_t

from . import _args, _lib
from ._constants import CODE_MAX_DIGITS
from ._lib import lib


def parse_code(text: str) -> str:
    """The digits of one code: '.' and ' ' inside are ignored ("8703.23",
    "8703 23" -> "870323"); may be "" for an empty text. Raises BadCode for
    another character or more than 12 digits."""
    data = _args.ascii_str(text, "code")
    out = (c_char * (CODE_MAX_DIGITS + 1))()
    n = c_size_t()
    _lib.raise_status(lib.hsc_code_parse(data, len(data), out, len(out), byref(n)), text)
    return out.value.decode("ascii")

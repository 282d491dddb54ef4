"""Loading libhsclass through ctypes: the search order, the version check and
one prototype table for every function declared in include/hsclass.h.

Search order (first hit wins; see _install.candidates):
  1. $HSCLASS_LIBRARY (a path to the shared library);
  2. a copy bundled in or beside this package (hsclass/libhsclass.so.1);
  3. $HSCLASS_BUILD_ROOT/libhsclass/libhsclass.so.1 (a build tree, on request);
  4. the libdir of the prefix this package is installed in;
  5. the installed soname libhsclass.so.1;
  6. ctypes.util.find_library("hsclass").

CDLL (not PyDLL) releases the GIL during every call, so sessions used from
several Python threads run in parallel.
"""

from __future__ import annotations

import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, c_char_p, c_double, c_int, c_int32, c_size_t,
                    c_uint32, c_uint64, c_void_p)
from typing import List, Optional, Tuple

from . import _errors, _install

SONAME = _install.SONAME
SUPPORTED_MAJOR = 1



# One c_void_p subclass per handle type, so a model cannot be passed where a
# session is expected (ctypes checks the class of handle arguments).
class ConfigHandle(c_void_p):
    """hsc_config *"""


class ModelHandle(c_void_p):
    """hsc_model *"""


class SessionHandle(c_void_p):
    """hsc_session *"""


class TrainerHandle(c_void_p):
    """hsc_trainer *"""


class EvalHandle(c_void_p):
    """hsc_eval *"""


hsc_status = c_int
calloc_fn = CFUNCTYPE(c_void_p, c_void_p, c_size_t, c_size_t)
realloc_fn = CFUNCTYPE(c_void_p, c_void_p, c_void_p, c_size_t)
free_fn = CFUNCTYPE(None, c_void_p, c_void_p)
row_error_fn = CFUNCTYPE(None, c_void_p, c_char_p, c_uint64, hsc_status, c_char_p)
read_progress_fn = CFUNCTYPE(c_int32, c_void_p, c_char_p, c_uint64, c_uint64, c_uint64)
progress_fn = CFUNCTYPE(c_int32, c_void_p, c_uint32, c_uint32, c_double, c_double, c_double,
                        c_double)

_STR_OUT = POINTER(c_char_p)  # borrowed const char ** out-parameters

# errcheck kinds: None returns the value as is; "status" raises on a non-zero
# hsc_status; "session" does too and adds the session's error detail (args[0]).
_PROTOTYPES: List[Tuple[str, object, List[object], Optional[str]]] = [
    # version
    ("hsc_version_number", c_uint32, [], None),
    ("hsc_version_string", c_char_p, [], None),
    ("hsc_model_format_version_max", c_uint32, [], None),
    ("hsc_status_string", c_char_p, [hsc_status], None),
    # HS codes
    ("hsc_code_parse", hsc_status, [c_char_p, c_size_t, c_char_p, c_size_t, POINTER(c_size_t)],
     None),  # HSC_E_BAD_CODE is an answer
    # config
    ("hsc_config_new", hsc_status, [POINTER(ConfigHandle)], "status"),
    ("hsc_config_copy", hsc_status, [ConfigHandle, POINTER(ConfigHandle)], "status"),
    ("hsc_config_free", None, [ConfigHandle], None),
    ("hsc_config_set_u32", hsc_status, [ConfigHandle, c_int32, c_uint32], "status"),
    ("hsc_config_set_f64", hsc_status, [ConfigHandle, c_int32, c_double], "status"),
    ("hsc_config_set_str", hsc_status, [ConfigHandle, c_int32, c_char_p], "status"),
    ("hsc_config_get_u32", hsc_status, [ConfigHandle, c_int32, POINTER(c_uint32)], "status"),
    ("hsc_config_get_f64", hsc_status, [ConfigHandle, c_int32, POINTER(c_double)], "status"),
    ("hsc_config_get_str", hsc_status, [ConfigHandle, c_int32, _STR_OUT], "status"),
    ("hsc_config_set_allocator", hsc_status,
     [ConfigHandle, calloc_fn, realloc_fn, free_fn, c_void_p], "status"),
    # model
    ("hsc_model_load_file", hsc_status,
     [c_char_p, ConfigHandle, POINTER(ModelHandle), POINTER(c_uint64)], None),
    ("hsc_model_load_memory", hsc_status,
     [c_void_p, c_size_t, ConfigHandle, POINTER(ModelHandle), POINTER(c_uint64)], None),
    ("hsc_model_free", None, [ModelHandle], None),
    ("hsc_model_save_file", hsc_status, [ModelHandle, c_char_p], "status"),
    ("hsc_model_save_check", hsc_status, [c_char_p], "status"),
    ("hsc_model_save_memory", hsc_status, [ModelHandle, POINTER(c_void_p), POINTER(c_size_t)],
     "status"),
    ("hsc_buffer_free", None, [c_void_p], None),
    ("hsc_model_info_str", hsc_status, [ModelHandle, c_int32, _STR_OUT], None),
    ("hsc_model_meta_count", hsc_status, [ModelHandle, POINTER(c_size_t)], "status"),
    ("hsc_model_meta_get", hsc_status, [ModelHandle, c_size_t, _STR_OUT, _STR_OUT], "status"),
    ("hsc_model_label_count", hsc_status, [ModelHandle, POINTER(c_size_t)], "status"),
    ("hsc_model_label", hsc_status, [ModelHandle, c_size_t, _STR_OUT], "status"),
    ("hsc_model_accept_threshold", hsc_status, [ModelHandle, POINTER(c_double)], "status"),
    # nomenclature and national tariff lines
    ("hsc_model_nomenclature_languages", hsc_status, [ModelHandle, _STR_OUT], "status"),
    ("hsc_model_nomenclature_count", hsc_status, [ModelHandle, POINTER(c_size_t)], "status"),
    ("hsc_model_nomenclature_entry", hsc_status,
     [ModelHandle, c_size_t, c_char_p, _STR_OUT, _STR_OUT], "status"),
    ("hsc_model_nomenclature_find", hsc_status,
     [ModelHandle, c_char_p, c_size_t, POINTER(c_size_t), POINTER(c_size_t)], "status"),
    ("hsc_model_describe", hsc_status, [ModelHandle, c_char_p, c_size_t, c_char_p, _STR_OUT],
     None),  # HSC_E_NO_RESULT is an answer
    ("hsc_model_national_scheme_count", hsc_status, [ModelHandle, POINTER(c_size_t)], "status"),
    ("hsc_model_national_scheme", hsc_status, [ModelHandle, c_size_t, _STR_OUT, _STR_OUT],
     "status"),
    ("hsc_model_national_find", hsc_status,
     [ModelHandle, c_size_t, c_char_p, c_size_t, POINTER(c_size_t), POINTER(c_size_t)],
     "status"),
    ("hsc_model_national_line", hsc_status, [ModelHandle, c_size_t, c_size_t, _STR_OUT, _STR_OUT],
     "status"),
    # session
    ("hsc_session_new", hsc_status, [ModelHandle, ConfigHandle, POINTER(SessionHandle)],
     "status"),
    ("hsc_session_free", None, [SessionHandle], None),
    ("hsc_session_last_error_detail", c_char_p, [SessionHandle], None),
    ("hsc_session_tokenize", hsc_status, [SessionHandle, c_char_p, c_size_t], "session"),
    ("hsc_session_token_count", c_size_t, [SessionHandle], None),
    ("hsc_session_token", hsc_status,
     [SessionHandle, c_size_t, _STR_OUT, POINTER(c_uint32), POINTER(c_uint32)], "session"),
    ("hsc_session_token_stems", hsc_status, [SessionHandle, c_size_t, _STR_OUT], "session"),
    ("hsc_session_token_span", hsc_status,
     [SessionHandle, c_size_t, POINTER(c_size_t), POINTER(c_size_t)], "session"),
    ("hsc_session_classify", hsc_status, [SessionHandle, c_char_p, c_size_t, c_uint32],
     "session"),
    ("hsc_session_result_count", hsc_status, [SessionHandle, c_uint32, POINTER(c_size_t)],
     None),
    ("hsc_session_result", hsc_status,
     [SessionHandle, c_uint32, c_size_t, _STR_OUT, POINTER(c_double)], "session"),
    # review decisions, constraints, explanations
    ("hsc_session_decision", hsc_status, [SessionHandle, POINTER(c_uint32), POINTER(c_uint32)],
     "session"),
    ("hsc_session_accept_threshold", hsc_status, [SessionHandle, POINTER(c_double)], "session"),
    ("hsc_decision_reason_string", c_char_p, [c_uint32], None),
    ("hsc_session_set_constraint", hsc_status, [SessionHandle, c_char_p, c_size_t], "session"),
    ("hsc_session_explain", hsc_status, [SessionHandle, c_uint32, c_size_t], "session"),
    ("hsc_session_explain_count", hsc_status, [SessionHandle, POINTER(c_size_t)], "session"),
    ("hsc_session_explain_item", hsc_status,
     [SessionHandle, c_size_t, POINTER(c_size_t), POINTER(c_double)], "session"),
    ("hsc_session_explain_total", hsc_status, [SessionHandle, POINTER(c_double)], "session"),
    ("hsc_session_precedent_count", hsc_status, [SessionHandle, POINTER(c_size_t)], "session"),
    ("hsc_session_precedent", hsc_status,
     [SessionHandle, c_size_t, POINTER(c_char_p), POINTER(c_double), POINTER(c_char_p),
      POINTER(c_char_p)], "session"),
    # any code's score, audits
    ("hsc_session_code_score", hsc_status,
     [SessionHandle, c_char_p, c_size_t, c_uint32, POINTER(c_double), POINTER(c_uint64)],
     "session"),
    ("hsc_session_audit", hsc_status,
     [SessionHandle, c_char_p, c_size_t, POINTER(c_uint32), POINTER(c_double), POINTER(c_uint32)],
     "session"),
    ("hsc_session_audit_threshold", hsc_status, [SessionHandle, POINTER(c_double)], "session"),
    # evaluation
    ("hsc_eval_new", hsc_status, [ConfigHandle, POINTER(EvalHandle)], "status"),
    ("hsc_eval_free", None, [EvalHandle], None),
    ("hsc_eval_add", hsc_status, [EvalHandle, c_double, c_uint32], "status"),
    ("hsc_eval_count", hsc_status,
     [EvalHandle, POINTER(c_uint64), POINTER(c_uint64), POINTER(c_uint64)], "status"),
    ("hsc_eval_calibration", hsc_status,
     [EvalHandle, c_uint32, POINTER(c_double), POINTER(c_double)], None),  # NO_DATA: none
    ("hsc_eval_reliability", hsc_status,
     [EvalHandle, c_uint32, c_uint32, POINTER(c_uint64), POINTER(c_double), POINTER(c_double)],
     None),
    ("hsc_eval_accepted", hsc_status,
     [EvalHandle, c_double, POINTER(c_uint64), POINTER(c_uint64)], "status"),
    ("hsc_eval_threshold", hsc_status, [EvalHandle, c_double, c_uint64, POINTER(c_double)],
     None),  # NO_RESULT and NO_DATA are answers
    ("hsc_eval_ranked", hsc_status,
     [EvalHandle, c_uint64, POINTER(c_double), POINTER(c_uint32)], "status"),
    # training
    ("hsc_trainer_new", hsc_status, [ConfigHandle, POINTER(TrainerHandle)], "status"),
    ("hsc_trainer_add_code_map", hsc_status, [TrainerHandle, c_char_p], "status"),
    ("hsc_trainer_new_from_model", hsc_status,
     [ConfigHandle, ModelHandle, POINTER(TrainerHandle)], "status"),
    ("hsc_trainer_free", None, [TrainerHandle], None),
    ("hsc_trainer_set_row_error_callback", hsc_status, [TrainerHandle, row_error_fn, c_void_p],
     "status"),
    ("hsc_trainer_set_progress_callback", hsc_status, [TrainerHandle, progress_fn, c_void_p],
     "status"),
    ("hsc_trainer_add_file", hsc_status, [TrainerHandle, c_char_p, c_double, c_uint32], "status"),
    ("hsc_trainer_add_row", hsc_status,
     [TrainerHandle, c_char_p, c_size_t, c_char_p, c_size_t, c_double, c_uint32], "status"),
    ("hsc_trainer_row_counts", hsc_status,
     [TrainerHandle, POINTER(c_uint64), POINTER(c_uint64)], "status"),
    ("hsc_trainer_add_nomenclature_file", hsc_status, [TrainerHandle, c_char_p, c_char_p],
     "status"),
    ("hsc_trainer_add_national_file", hsc_status, [TrainerHandle, c_char_p, c_char_p, c_char_p],
     "status"),
    ("hsc_trainer_nomenclature_counts", hsc_status,
     [TrainerHandle, POINTER(c_uint64), POINTER(c_uint64), POINTER(c_uint64)], "status"),
    ("hsc_trainer_set_read_progress_callback", hsc_status,
     [TrainerHandle, read_progress_fn, c_void_p], "status"),
    ("hsc_trainer_set_checkpoint", hsc_status, [TrainerHandle, c_char_p], "status"),
    ("hsc_trainer_set_resume", hsc_status, [TrainerHandle, c_char_p], "status"),
    ("hsc_trainer_train", hsc_status, [TrainerHandle, POINTER(ModelHandle)], "status"),
]


def _candidates() -> List[Tuple[str, str]]:
    return _install.candidates()


def _load() -> Tuple[ctypes.CDLL, str]:
    errors = []
    for how, path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as exc:
            if how == "HSCLASS_LIBRARY":  # an explicit choice must not fall back
                raise ImportError(f"hsclass: cannot load HSCLASS_LIBRARY={path!r}: {exc}") from exc
            errors.append(f"  {how}: {path}: {exc}")
    raise ImportError("hsclass: libhsclass not found; set HSCLASS_LIBRARY to the path of "
                      + SONAME + ". Tried:\n" + "\n".join(errors))


def status_string(status: int) -> str:
    return lib.hsc_status_string(status).decode("utf-8", "replace")


def status_error(status: int, detail: str = "") -> _errors.Error:
    """The exception for a status, with the library's text and a detail."""
    return _errors.make_error(status, status_string(status), detail)


def invalid_argument(detail: str) -> _errors.Error:
    """InvalidArgument for a value the binding rejects before the library."""
    return status_error(_errors.E_INVALID_ARG, detail)


def raise_status(status: int, detail: str = "") -> None:
    """Raise the exception for a non-zero status."""
    if status != _errors.OK:
        raise status_error(status, detail)


def _check_status(result, func, args):
    raise_status(result)
    return result


def _check_session(result, func, args):
    if result != _errors.OK:
        raw = lib.hsc_session_last_error_detail(args[0]) if args[0] else None
        raise status_error(result, raw.decode("utf-8", "replace") if raw else "")
    return result


def _declare(cdll: ctypes.CDLL) -> None:
    checks = {"status": _check_status, "session": _check_session}
    for name, restype, argtypes, check in _PROTOTYPES:
        try:
            func = getattr(cdll, name)
        except AttributeError as exc:
            raise ImportError(f"hsclass: {library_path} lacks {name}; wrong library?") from exc
        func.restype = restype
        func.argtypes = argtypes
        if check is not None:
            func.errcheck = checks[check]


def _real_path(cdll: ctypes.CDLL, fallback: str) -> str:
    """The file the dynamic loader actually mapped (dladdr), else fallback."""

    class DlInfo(ctypes.Structure):
        _fields_ = [("dli_fname", c_char_p), ("dli_fbase", c_void_p),
                    ("dli_sname", c_char_p), ("dli_saddr", c_void_p)]

    try:
        dladdr = ctypes.CDLL(None).dladdr
        dladdr.argtypes = [c_void_p, POINTER(DlInfo)]
        dladdr.restype = c_int
        info = DlInfo()
        addr = ctypes.cast(cdll.hsc_version_number, c_void_p)
        if dladdr(addr, ctypes.byref(info)) and info.dli_fname:
            return os.path.realpath(os.fsdecode(info.dli_fname))
    except (AttributeError, OSError):
        pass
    return fallback


def _check_version(cdll: ctypes.CDLL) -> Tuple[int, str]:
    """Check the major version before touching any other symbol."""
    try:
        number, string = cdll.hsc_version_number, cdll.hsc_version_string
    except AttributeError as exc:
        raise ImportError(f"hsclass: {library_path} is not libhsclass") from exc
    number.restype, number.argtypes = c_uint32, []
    string.restype, string.argtypes = c_char_p, []
    num, text = number(), string().decode("ascii", "replace")
    if num // 10000 != SUPPORTED_MAJOR:
        raise ImportError(f"hsclass: {library_path} is libhsclass {text}; this binding needs "
                          f"major version {SUPPORTED_MAJOR} (set HSCLASS_LIBRARY to a "
                          "matching build)")
    return num, text


lib, library_path = _load()
library_path = _real_path(lib, library_path)
version_number, version = _check_version(lib)
_declare(lib)
format_version_max: int = lib.hsc_model_format_version_max()

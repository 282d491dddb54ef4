"""Loading, version check, the prototype table and the status mapping."""

import ctypes
import os
import re
import shutil
import subprocess
import sys

import pytest

import hsclass
from hsclass import _config, _constants, _errors, _lib

from conftest import HERE, SOURCE_ROOT

HEADER = (SOURCE_ROOT / "include" / "hsclass.h").read_text(encoding="utf-8")
PKG_PARENT = str(HERE.parent)


def header_functions():
    """{name: (return type, [parameter types])} for every HSC_API function."""
    text = re.sub(r"/\*.*?\*/", " ", HEADER, flags=re.S)
    out = {}
    pattern = r"^HSC_API\s+([^;(]*?)\s*\b(hsc_\w+)\s*\(([^)]*)\)\s*;"
    for ret, name, params in re.findall(pattern, text, flags=re.M):
        types = []
        for p in params.split(","):
            p = " ".join(p.split())
            if p in ("void", ""):
                continue
            p = re.sub(r"\s*\*\s*", " *", p)
            types.append(re.sub(r"\s*\w+$", "", p).replace(" *", "*").strip())
        out[name] = (ret.replace(" *", "*").strip(), types)
    return out


def ctype_for(c):
    """The ctypes type the binding must use for a C type from the header."""
    handles = {"hsc_config": _lib.ConfigHandle, "hsc_model": _lib.ModelHandle,
               "hsc_session": _lib.SessionHandle, "hsc_trainer": _lib.TrainerHandle,
               "hsc_eval": _lib.EvalHandle}
    base = c.replace("const ", "")
    stars = base.count("*")
    base = base.replace("*", "").strip()
    scalars = {"size_t": ctypes.c_size_t, "uint32_t": ctypes.c_uint32, "int32_t": ctypes.c_int32,
               "uint64_t": ctypes.c_uint64, "double": ctypes.c_double, "hsc_status": ctypes.c_int,
               "hsc_calloc_fn": _lib.calloc_fn, "hsc_realloc_fn": _lib.realloc_fn,
               "hsc_free_fn": _lib.free_fn, "hsc_row_error_fn": _lib.row_error_fn,
               "hsc_progress_fn": _lib.progress_fn,
               "hsc_read_progress_fn": _lib.read_progress_fn}
    if base == "void":
        t = {0: None, 1: ctypes.c_void_p, 2: ctypes.POINTER(ctypes.c_void_p)}[stars]
        return t
    if base == "char":
        return {1: ctypes.c_char_p, 2: ctypes.POINTER(ctypes.c_char_p)}[stars]
    t = handles.get(base) or scalars[base]
    if base in handles:
        stars -= 1
    for _ in range(stars):
        t = ctypes.POINTER(t)
    return t


def test_every_header_function_is_declared_with_matching_types():
    funcs = header_functions()
    assert len(funcs) >= 40, "header parse found too few functions"
    table = {name: (res, args) for name, res, args, _ in _lib._PROTOTYPES}
    assert set(table) == set(funcs)
    for name, (ret, params) in funcs.items():
        res, args = table[name]
        assert res is ctype_for(ret), name
        assert list(args) == [ctype_for(p) for p in params], name
        func = getattr(_lib.lib, name)
        assert func.restype is res and func.argtypes == args, name


def test_handle_types_are_distinct():
    kinds = {_lib.ConfigHandle, _lib.ModelHandle, _lib.SessionHandle, _lib.TrainerHandle,
             _lib.EvalHandle}
    assert len(kinds) == 5 and all(issubclass(k, ctypes.c_void_p) for k in kinds)
    with pytest.raises(ctypes.ArgumentError):  # a config is not a session
        _lib.lib.hsc_session_free(_lib.ConfigHandle())


def test_version():
    assert hsclass.library_version_number // 10000 == 1
    major, minor, patch = (int(x) for x in hsclass.library_version.split("."))
    assert hsclass.library_version_number == major * 10000 + minor * 100 + patch
    assert hsclass.model_format_version_max >= 1
    assert os.path.isfile(hsclass.library_path)


def header_values(prefix, number=r"-?[\d.]+"):
    """{NAME: value} of every #define HSC_<prefix>NAME <number> (or (number))."""
    found = re.findall(r"#define HSC_" + prefix + r"(\w+)\s+\(?(" + number + r")\)?", HEADER)
    assert found, prefix
    return {name: float(v) if "." in v else int(v) for name, v in found}


def test_status_constants_match_header():
    defined = dict((m, int(v)) for m, v in re.findall(r"#define HSC_(E_\w+|OK)\s+(\d+)", HEADER))
    assert defined
    for name, value in defined.items():
        assert getattr(_errors, name) == value, name


def test_option_keys_match_header():
    keys = header_values("CFG_")
    assert {name.lower(): key for name, key in keys.items()} == \
        {name: key for name, (key, _kind) in _config.OPTIONS.items()}


def test_reasons_and_info_keys_match_header():
    reasons = header_values("REASON_")
    assert len(_constants.REASONS) == len(reasons)
    for name, value in reasons.items():
        assert _constants.REASONS[value] == name.lower(), name
    verdicts = header_values("AUDIT_")
    assert len(_constants.AUDIT_VERDICTS) == len(verdicts)
    for name, value in verdicts.items():
        assert _constants.AUDIT_VERDICTS[value] == name.lower(), name
    info = header_values("INFO_")
    assert len(_constants.INFO_KEYS) == len(info)
    for name, value in info.items():
        assert _constants.INFO_KEYS[value - 1] == name.lower(), name


def test_other_constants_match_header():
    for prefix in ("DECISION_", "TOKEN_FLAG_", "ROWS_", "EVAL_", "CODE_"):
        for name, value in header_values(prefix).items():
            assert getattr(_constants, prefix + name) == value, prefix + name
    tokens = {n: v for n, v in header_values("TOKEN_").items() if not n.startswith("FLAG_")}
    assert {t.name: int(t) for t in hsclass.TokenType} == tokens


@pytest.mark.parametrize("status,cls,base", [
    (1, hsclass.InvalidArgument, ValueError), (2, hsclass.Unsupported, hsclass.UsageError),
    (3, hsclass.StateError, hsclass.UsageError), (4, hsclass.NoResult, IndexError),
    (5, hsclass.Cancelled, hsclass.UsageError), (20, hsclass.BadUTF8, hsclass.TextError),
    (21, hsclass.TextTooLong, ValueError), (22, hsclass.RegexLimit, hsclass.TextError),
    (23, hsclass.BadLanguage, hsclass.TextError), (24, hsclass.BadCode, hsclass.TextError),
    (40, hsclass.FileError, hsclass.ModelError), (41, hsclass.CorruptModel, hsclass.ModelError),
    (44, hsclass.CorruptModel, hsclass.ModelError),
    (43, hsclass.ModelVersionError, hsclass.ModelError),
    (49, hsclass.CorruptModel, hsclass.ModelError),
    (50, hsclass.ModelMismatch, hsclass.ModelError),
    (70, hsclass.BadRow, hsclass.TrainingDataError), (71, hsclass.NoData, hsclass.TrainingDataError),
    (72, hsclass.OneClass, hsclass.TrainingDataError), (90, hsclass.OutOfMemory, MemoryError),
    (91, hsclass.InternalError, hsclass.ResourceError),
    (19, hsclass.UsageError, hsclass.Error), (39, hsclass.TextError, hsclass.Error),
    (69, hsclass.ModelError, hsclass.Error), (89, hsclass.TrainingDataError, hsclass.Error),
    (99, hsclass.ResourceError, hsclass.Error),
])
def test_status_classes(status, cls, base):
    exc = _errors.make_error(status, _lib.status_string(status), "some detail")
    assert type(exc) is cls and isinstance(exc, base) and isinstance(exc, hsclass.Error)
    assert exc.status == status and exc.detail == "some detail"
    assert exc.message == str(exc) and "some detail" in exc.message


def test_status_strings_come_from_the_library():
    assert _lib.status_string(20).startswith("HSC_E_BAD_UTF8")
    assert _lib.status_string(12345)  # never NULL


def run_import(env_extra, code="import hsclass; print(hsclass.library_path)"):
    env = {k: v for k, v in os.environ.items() if k != "HSCLASS_LIBRARY"}
    env.update(env_extra, PYTHONPATH=PKG_PARENT)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60)


def test_explicit_library_that_does_not_exist_fails_clearly(tmp_path):
    r = run_import({"HSCLASS_LIBRARY": str(tmp_path / "nope.so")})
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "HSCLASS_LIBRARY" in r.stderr


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_wrong_major_version_fails_clearly(tmp_path):
    src = tmp_path / "fake.c"
    src.write_text('#include <stdint.h>\n'
                   'uint32_t hsc_version_number(void) { return 20103; }\n'
                   'const char *hsc_version_string(void) { return "2.1.3"; }\n')
    so = tmp_path / "libfake.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(so), str(src)], check=True)
    r = run_import({"HSCLASS_LIBRARY": str(so)})
    assert r.returncode != 0
    assert "libhsclass 2.1.3" in r.stderr and "major version 1" in r.stderr


def test_build_tree_is_found_without_the_variable():
    builds = list(SOURCE_ROOT.glob("build*/libhsclass/libhsclass.so.1"))
    if not builds or not str(HERE).startswith(str(SOURCE_ROOT)):
        pytest.skip("no build tree under the source root")
    r = run_import({})
    assert r.returncode == 0, r.stderr
    found = r.stdout.strip()
    assert any(os.path.samefile(found, b) for b in builds)

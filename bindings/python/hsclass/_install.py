"""Where the shared library is, for the package wherever it lives.

An installed package (meson install --prefix P puts it in
P/lib/python3.X/dist-packages/hsclass or site-packages) uses the library
of its own prefix: P/lib/<multiarch triplet>, P/lib64 or P/lib, so it needs
no environment variable and cannot pick up another copy. A source checkout
finds a build tree only when asked (HSCLASS_BUILD_ROOT, or HSCLASS_LIBRARY):
the package never searches parent directories for one."""

from __future__ import annotations

import ctypes.util
import os
import pathlib
import sysconfig
from typing import List, Optional, Tuple

SONAME = "libhsclass.so.1"
PACKAGE_DIR = pathlib.Path(__file__).resolve().parent


def install_prefix(package_dir: pathlib.Path = PACKAGE_DIR) -> Optional[pathlib.Path]:
    """P for a package installed under P/lib*/python*/(dist|site)-packages,
    else None (e.g. a source checkout)."""
    packages = package_dir.parent
    if packages.name not in ("dist-packages", "site-packages"):
        return None
    python = packages.parent
    libdir = python.parent
    if not python.name.startswith("python") or not libdir.name.startswith("lib"):
        return None
    return libdir.parent


def prefix_libdirs(prefix: pathlib.Path) -> List[pathlib.Path]:
    """The directories meson's libdir may be under prefix, most specific first."""
    dirs = []
    triplet = sysconfig.get_config_var("MULTIARCH")
    if triplet:
        dirs.append(prefix / "lib" / triplet)
    dirs += [prefix / "lib64", prefix / "lib"]
    return dirs


def sanitized(path: pathlib.Path) -> bool:
    """A sanitizer build: loading it into a plain python aborts the process."""
    try:
        data = path.read_bytes()
    except OSError:
        return True
    return any(marker in data for marker in (b"__asan_init", b"__tsan_init", b"__msan_init"))


def candidates() -> List[Tuple[str, str]]:
    """(how it was found, path or name) in search order:
      1. $HSCLASS_LIBRARY (a path to the shared library);
      2. a copy bundled in or beside the package;
      3. $HSCLASS_BUILD_ROOT/libhsclass/libhsclass.so.1 (a build tree, when
         a developer or the tests ask for it);
      4. the libdir of the prefix the package is installed in;
      5. the soname through the dynamic loader's search path;
      6. ctypes.util.find_library("hsclass")."""
    found: List[Tuple[str, str]] = []
    env = os.environ.get("HSCLASS_LIBRARY")
    if env:
        found.append(("HSCLASS_LIBRARY", env))
    for bundled in (PACKAGE_DIR / SONAME, PACKAGE_DIR.parent / SONAME):
        if bundled.is_file():
            found.append(("bundled", str(bundled)))
    build = os.environ.get("HSCLASS_BUILD_ROOT")
    if build:
        path = pathlib.Path(build) / "libhsclass" / SONAME
        if path.is_file() and not sanitized(path):
            found.append(("HSCLASS_BUILD_ROOT", str(path)))
    prefix = install_prefix()
    if prefix is not None:
        found += [("install prefix", str(d / SONAME)) for d in prefix_libdirs(prefix)
                  if (d / SONAME).is_file()]
    found.append(("soname", SONAME))
    name = ctypes.util.find_library("hsclass")
    if name:
        found.append(("find_library", name))
    return found


def data_dirs(library_path: str) -> List[pathlib.Path]:
    """Where the default model may be: share/hsclass of the library's prefix
    (libdir lib/ or lib/<triplet>/), then the models/ of a build or source
    tree the library came from."""
    libdir = pathlib.Path(library_path).resolve().parent
    dirs = [libdir.parent / "share" / "hsclass", libdir.parent.parent / "share" / "hsclass"]
    prefix = install_prefix()
    if prefix is not None:
        dirs.insert(0, prefix / "share" / "hsclass")
    dirs.append(libdir.parent / "models")             # a build tree
    if prefix is None:
        dirs.append(PACKAGE_DIR.parents[2] / "models")  # the source tree of bindings/python
    return dirs

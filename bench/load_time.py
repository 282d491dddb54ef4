#!/usr/bin/env python3
"""hsc_model_load_file alone (no process start), on the library's default load
path: best and median of N loads of one model, through ctypes.

Usage: python3 bench/load_time.py [--lib build/libhsclass/libhsclass.so.1]
                                  [--model models/hs6-multi.hscm] [-n 20]
"""

import argparse
import ctypes
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_times(lib_path, model, n=20, clock=time.perf_counter):
    """Seconds of each of n hsc_model_load_file calls (the first warms the page
    cache). clock=time.thread_time counts only this thread's CPU time: on a
    machine shared with other work, wall time measures the other work too."""
    lib = ctypes.CDLL(lib_path)
    lib.hsc_model_load_file.argtypes = [ctypes.c_char_p, ctypes.c_void_p,
                                        ctypes.POINTER(ctypes.c_void_p),
                                        ctypes.POINTER(ctypes.c_uint64)]
    lib.hsc_model_free.argtypes = [ctypes.c_void_p]
    times = []
    for _ in range(n + 1):
        handle, off = ctypes.c_void_p(), ctypes.c_uint64()
        t0 = clock()
        st = lib.hsc_model_load_file(model.encode(), None, ctypes.byref(handle), ctypes.byref(off))
        times.append(clock() - t0)
        if st != 0:
            raise RuntimeError(f"{model}: load failed with status {st} at offset {off.value}")
        lib.hsc_model_free(handle)
    return times[1:]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", default=os.path.join(ROOT, "build", "libhsclass", "libhsclass.so.1"))
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "hs6-multi.hscm"))
    ap.add_argument("-n", type=int, default=20)
    a = ap.parse_args(argv)
    print(f"{a.model}: {os.path.getsize(a.model) / 1e6:.1f} MB, os.getloadavg() "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, clock in (("wall", time.perf_counter), ("CPU", time.thread_time)):
        t = load_times(a.lib, a.model, a.n, clock)
        print(f"hsc_model_load_file {name} time: best {1000 * min(t):.1f} ms, "
              f"median {1000 * statistics.median(t):.1f} ms (n={a.n})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

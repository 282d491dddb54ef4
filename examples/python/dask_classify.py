#!/usr/bin/env python3
"""Classify a dataset of declarations with Dask: every CSV (or Parquet) file
matching a pattern, partition by partition, on a cluster of worker
processes, one model per worker.

    dask_classify.py 'declarations/*.csv' out/ --column description -k 3
    dask_classify.py '/shared/declarations/*.csv' /shared/out --column description -k 3 \\
        --scheduler tcp://scheduler:8786

Without --scheduler, a LocalCluster of --workers processes (one thread each)
runs on this machine. Each partition gets the columns of
hsclass.pandas.classify, prefixed with hs_: hs_code_1..K, hs_score_1..K,
hs_decision, hs_reason, hs_description; the result is written as OUT/part-NNN.csv (or .parquet for
Parquet input). The model travels to the workers by path and fingerprint
(hsclass.Model pickles so): each worker loads it once from the same path,
which must therefore be readable there (a shared file system or the
installed default model). Parquet needs pyarrow (not packaged in Debian 12;
untested here). Needs python3-dask and python3-distributed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

try:
    import hsclass
except ImportError:  # run from a source checkout: its package and its build/ tree,
    ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    PKG = os.path.abspath(os.path.join(ROOT, "bindings", "python"))
    sys.path.insert(0, PKG)
    # for this process and for the worker processes it starts
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [PKG, os.environ.get("PYTHONPATH")]))
    os.environ.setdefault("HSCLASS_BUILD_ROOT", os.path.abspath(os.path.join(ROOT, "build")))
    import hsclass


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="file pattern, e.g. 'data/*.csv' or 'data/*.parquet'")
    ap.add_argument("output", help="output directory")
    ap.add_argument("-c", "--column", default="description", help="description column")
    ap.add_argument("-k", type=int, default=3, help="suggestions per row (default 3)")
    ap.add_argument("-m", "--model", help="model file (default: hsclass's default model)")
    ap.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler instead")
    ap.add_argument("--blocksize", default="16MB", help="CSV bytes per partition (default 16MB)")
    return ap.parse_args(argv)


def classify_partition(part, model, column, k):
    """One partition: its columns and the suggestions' (runs on a worker)."""
    import pandas as pd

    import hsclass.pandas as hp

    extra = hp.classify(part, column, k, model=model, threads=1)
    return pd.concat([part, extra.add_prefix("hs_")], axis=1)


def main(argv=None):
    args = parse_args(argv)
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    model = hsclass.Model(args.model) if args.model else hsclass.Model()
    parquet = args.input.endswith(".parquet")
    if parquet:
        df = dd.read_parquet(args.input)
    else:
        df = dd.read_csv(args.input, dtype=str, keep_default_na=False, blocksize=args.blocksize)
    if args.column not in df.columns:
        print(f"dask_classify: no column {args.column!r} in {args.input}", file=sys.stderr)
        return 2
    meta = classify_partition(df._meta, model, args.column, args.k)
    out = df.map_partitions(classify_partition, model, args.column, args.k, meta=meta)
    if args.scheduler:
        cluster, client = None, Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        t0 = time.perf_counter()
        os.makedirs(args.output, exist_ok=True)
        if parquet:
            out.to_parquet(args.output)
        else:
            out.to_csv(os.path.join(args.output, "part-*.csv"), index=False)
        seconds = time.perf_counter() - t0
        rows = len(df)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"dask_classify: {rows} rows in {seconds:.2f} s ({rows / seconds:.0f} rows/s) "
          f"on {'the cluster at ' + args.scheduler if args.scheduler else f'{args.workers} local workers'}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

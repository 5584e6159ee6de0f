#!/usr/bin/python3
"""Times scikit-learn's DBSCAN on the points bench_dbscan writes, beside
bench/dbscan_bench.cpp.

usage: dbscan_sklearn_bench.py POINTS.csv [--eps 250] [--min-samples 5]
                               [--n-jobs 1 2] [--repeats 3] [--algorithm auto]

For each n_jobs: `repeats` fits timed with time.perf_counter (reading the CSV
is not timed), then the median, the labels' summary and the peak resident
memory of this process so far (getrusage, which includes the points). The
process CPU time of each fit (time.process_time) is printed too: on a shared
machine it shows how much of the wall time was waiting for a core.
"""
import argparse
import resource
import statistics
import time

import numpy as np
from sklearn.cluster import DBSCAN


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("points")
    parser.add_argument("--eps", type=float, default=250)
    parser.add_argument("--min-samples", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, nargs="+", default=[1])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--algorithm", default="auto")
    args = parser.parse_args()

    xy = np.loadtxt(args.points, delimiter=",", skiprows=1)
    print(f"points {len(xy)} eps {args.eps} min_samples {args.min_samples} "
          f"algorithm {args.algorithm}", flush=True)
    for n_jobs in args.n_jobs:
        times = []
        cpu_times = []
        for _ in range(args.repeats):
            model = DBSCAN(eps=args.eps, min_samples=args.min_samples,
                           algorithm=args.algorithm, n_jobs=n_jobs)
            start = time.perf_counter()
            cpu_start = time.process_time()
            model.fit(xy)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
            labels = model.labels_
            del model
            print(f"  n_jobs {n_jobs} run {len(times)}: {times[-1]:.3f} s "
                  f"(CPU {cpu_times[-1]:.3f} s)", flush=True)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        clusters = int(labels.max()) + 1
        print(f"n_jobs {n_jobs}: median {statistics.median(times):.3f} s over {len(times)} "
              f"runs (CPU median {statistics.median(cpu_times):.3f} s); clusters {clusters}; noise {int((labels == -1).sum())}; "
              f"peak RSS {peak_mb:.0f} MB", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""scikit-learn's DBSCAN on the points of a CSV, as the reference for
tests/geo/dbscan_test.cpp.

usage: dbscan_sklearn.py IN.csv OUT.csv EPS MIN_SAMPLES [ALGORITHM]
       dbscan_sklearn.py --jobs JOBS.txt
       (one run per line of JOBS.txt: IN.csv OUT.csv EPS MIN_SAMPLES ALGORITHM,
       so that the test pays for importing scikit-learn once)

IN.csv has a header and columns x,y or x,y,w (w: sample_weight).
ALGORITHM is passed to sklearn.cluster.DBSCAN (default 'kd_tree': for fewer
than 12 points 'auto' picks 'brute', whose distances through the dot-product
identity round differently from (dx*dx + dy*dy) <= eps*eps at the boundary).

OUT.csv gets one row per input point, in input order:
  label    scikit-learn's label (-1 noise; a border point takes the first
           cluster that reaches it, i.e. the one with the lowest number)
  core     1 if scikit-learn lists the point in core_sample_indices_
  nearest  the label under Waymark's border rule, computed here from
           scikit-learn's core points and clusters: a non-core point within
           eps of a core point takes the cluster of its nearest core point
           (squared distance dx*dx + dy*dy; ties: the lowest index)
"""
import sys

import numpy as np
from sklearn.cluster import DBSCAN
from sklearn.neighbors import KDTree


def nearest_core_labels(xy, eps, labels, core):
    nearest = np.where(core, labels, -1)
    core_index = np.flatnonzero(core)
    border = np.flatnonzero(~core & (labels >= 0))
    if len(core_index) == 0 or len(border) == 0:
        return nearest
    tree = KDTree(xy[core_index])
    candidates = tree.query_radius(xy[border], r=eps)
    for point, found in zip(border, candidates):
        if len(found) == 0:
            # sklearn's own query (the one DBSCAN ran) put the point in
            # reach; a miss here would be a rounding disagreement between
            # its tree bounds, which the test then reports.
            nearest[point] = -2
            continue
        members = core_index[found]
        dx = xy[members, 0] - xy[point, 0]
        dy = xy[members, 1] - xy[point, 1]
        d2 = dx * dx + dy * dy
        # lexsort: the last key is the primary one.
        best = members[np.lexsort((members, d2))[0]]
        nearest[point] = labels[best]
    return nearest


def run(source, target, eps, min_samples, algorithm="kd_tree"):
    eps, min_samples = float(eps), int(min_samples)
    data = np.loadtxt(source, delimiter=",", skiprows=1, ndmin=2)
    if data.shape[0] == 0:
        data = np.zeros((0, 2))
    xy = np.ascontiguousarray(data[:, :2])
    weights = data[:, 2] if data.shape[1] > 2 else None
    model = DBSCAN(eps=eps, min_samples=min_samples, algorithm=algorithm).fit(xy, sample_weight=weights)
    labels = model.labels_
    core = np.zeros(len(xy), dtype=bool)
    core[model.core_sample_indices_] = True
    nearest = nearest_core_labels(xy, eps, labels, core)
    with open(target, "w") as out:
        out.write("label,core,nearest\n")
        for row in zip(labels, core, nearest):
            out.write("%d,%d,%d\n" % (row[0], int(row[1]), row[2]))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--jobs":
        with open(sys.argv[2]) as jobs:
            for line in jobs:
                if line.strip():
                    run(*line.split())
    elif len(sys.argv) in (5, 6):
        run(*sys.argv[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""ArcGIS Kernel Density's default search radius, computed independently with
numpy for tests/geo/kde_test.cpp.

usage: kde_bandwidth.py POINTS.csv   (header x,y,w)
prints: "<bandwidth> <standard distance> <median distance>" with 17 digits.

The rule ("How Kernel Density works", ArcGIS 10.2.1 and later):
  mean centre and all that follows weighted by w;
  SD = sqrt(sum w ((x - X)^2 + (y - Y)^2) / sum w)   (Standard Distance tool)
  Dm = weighted median of the distances to the weighted mean centre
  h  = 0.9 * min(SD, sqrt(1 / ln 2) * Dm) * n^-0.2,  n = sum w.
Weighted median (docs/methods/kde.md): the distances sorted ascending with their
cumulative weight C; the first distance where C > W/2, or, where C == W/2
exactly, the mean of that distance and the next. Points of weight 0 take no
part. With unit weights this is numpy's median, which the script asserts.
"""
import sys

try:
    import numpy as np
except ImportError as error:
    sys.stderr.write(f'numpy is missing; `make test` installs it: {error}\n')
    sys.exit(3)


def weighted_median(values, weights):
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    order = np.argsort(values, kind='stable')
    values, weights = values[order], weights[order]
    cumulative = np.cumsum(weights)
    half = weights.sum() / 2
    k = int(np.searchsorted(cumulative, half, side='left'))  # first C >= W/2
    if cumulative[k] == half and k + 1 < len(values):
        return (values[k] + values[k + 1]) / 2
    return values[k]


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    data = np.genfromtxt(sys.argv[1], delimiter=',', names=True, dtype=float)
    x, y, w = np.atleast_1d(data['x']), np.atleast_1d(data['y']), np.atleast_1d(data['w'])
    n = w.sum()
    cx, cy = np.average(x, weights=w), np.average(y, weights=w)
    distance = np.hypot(x - cx, y - cy)
    sd = np.sqrt(np.average((x - cx) ** 2 + (y - cy) ** 2, weights=w))
    dm = weighted_median(distance, w)
    if np.all(w == 1):
        assert dm == np.median(distance), (dm, np.median(distance))
    h = 0.9 * min(sd, np.sqrt(1 / np.log(2)) * dm) * n ** -0.2
    print(f'{h:.17g} {sd:.17g} {dm:.17g}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/python3
"""Runs QGIS's heatmap (qgis:heatmapkerneldensityestimation) headless on points
from a CSV, for tests/geo/kde_test.cpp.

usage: kde_qgis.py POINTS.csv RADIUS PIXEL_SIZE OUTPUT.tif [--weighted]

POINTS.csv has the header x,y,w and coordinates in EPSG:27700. The points go
into an in-memory layer (same doubles, no text round trip of the geometry
beyond the CSV, which the test writes with 17 significant digits). The heatmap
runs with the quartic kernel and OUTPUT_VALUE=raw, so each pixel holds
sum_i w_i (1 - (d_i/r)^2)^2 over points with d_i <= r (QGIS 3.22,
src/analysis/raster/qgskde.cpp, quarticKernel with OutputRaw), written as
Float32.  --weighted sets WEIGHT_FIELD=w; otherwise every point weighs 1.

Exit status 3 with a message if QGIS's Python bindings are missing: `make test`
installs them.
"""
import csv
import os
import sys

os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen')
sys.path.append('/usr/share/qgis/python/plugins')

try:
    from qgis.core import (QgsApplication, QgsFeature, QgsGeometry, QgsPointXY,
                           QgsVectorLayer)
except ImportError as error:
    sys.stderr.write('QGIS Python bindings (python3-qgis) are missing; `make test` installs them: '
                     f'{error}\n')
    sys.exit(3)

QUARTIC = 0  # Heatmap.KERNELS order: Quartic, Triangular, Uniform, Triweight, Epanechnikov
RAW = 0      # Heatmap.OUTPUT_VALUES order: Raw, Scaled


def load_points(path):
    layer = QgsVectorLayer('Point?crs=EPSG:27700&field=w:double', 'points', 'memory')
    features = []
    with open(path, newline='') as handle:
        for row in csv.DictReader(handle):
            feature = QgsFeature(layer.fields())
            feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(row['x']), float(row['y']))))
            feature.setAttribute('w', float(row['w']))
            features.append(feature)
    layer.dataProvider().addFeatures(features)
    layer.updateExtents()
    return layer


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    if len(args) != 4:
        sys.stderr.write(__doc__)
        return 2
    points_csv, radius, pixel_size, output = args
    weighted = '--weighted' in sys.argv

    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing
    import processing
    Processing.initialize()

    layer = load_points(points_csv)
    processing.run('qgis:heatmapkerneldensityestimation', {
        'INPUT': layer,
        'RADIUS': float(radius),
        'PIXEL_SIZE': float(pixel_size),
        'WEIGHT_FIELD': 'w' if weighted else None,
        'KERNEL': QUARTIC,
        'OUTPUT_VALUE': RAW,
        'OUTPUT': output,
    })
    app.exitQgis()
    return 0


if __name__ == '__main__':
    sys.exit(main())

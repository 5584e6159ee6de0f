#!/usr/bin/python3
"""Times QGIS's heatmap (qgis:heatmapkerneldensityestimation, QGIS 3.22) on the
points bench_kde writes, beside bench/kde_bench.cpp.

usage: kde_qgis_bench.py POINTS.gpkg RADIUS PIXEL_SIZE [RUNS]

Runs the algorithm RUNS times (default 3) with the quartic kernel, raw output
values, the given radius and pixel size, writing a GeoTIFF each time, and
prints each wall time and the median. Only processing.run is timed: QGIS
startup and opening the layer are not. The timed part includes reading the
features from the GeoPackage and writing the raster, which are part of what
the algorithm does.
"""
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen')
sys.path.append('/usr/share/qgis/python/plugins')

from qgis.core import QgsApplication, QgsVectorLayer  # noqa: E402


def main():
    if len(sys.argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    points, radius, pixel = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    runs = int(sys.argv[4]) if len(sys.argv) == 5 else 3

    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing
    import processing
    Processing.initialize()

    layer = QgsVectorLayer(points, 'points', 'ogr')
    if not layer.isValid():
        sys.stderr.write(f'cannot open {points}\n')
        return 1
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            output = os.path.join(tmp, f'heatmap-{run}.tif')
            start = time.perf_counter()
            processing.run('qgis:heatmapkerneldensityestimation', {
                'INPUT': layer, 'RADIUS': radius, 'PIXEL_SIZE': pixel,
                'KERNEL': 0, 'OUTPUT_VALUE': 0, 'OUTPUT': output})
            times.append(time.perf_counter() - start)
            print(f'run {run + 1}: {times[-1]:.3f} s', flush=True)
        from osgeo import gdal
        raster = gdal.Open(output)
        size = f'{raster.RasterXSize} x {raster.RasterYSize}'
    print(f'QGIS heatmap: {layer.featureCount()} points, radius {radius:g} m, '
          f'pixel {pixel:g} m, grid {size}: median {statistics.median(times):.3f} s of {runs}')
    del layer, raster  # before QGIS tears down its providers, or it crashes on exit
    app.exitQgis()
    return 0


if __name__ == '__main__':
    sys.exit(main())

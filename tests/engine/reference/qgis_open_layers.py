"""Opens Waymark's hotspot outputs in QGIS (headless) and prints, as JSON, what
QGIS sees: for each vector layer of the GeoPackage its validity, CRS, feature
count and fields; for each raster its validity, CRS and size.

Usage: /usr/bin/python3 qgis_open_layers.py OUT_DIR
Run by tests/engine/hotspots_test.cpp with QT_QPA_PLATFORM=offscreen.
"""
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsRasterLayer, QgsVectorLayer  # noqa: E402

out = sys.argv[1]
app = QgsApplication([], False)
app.initQgis()
result = {"vector": {}, "raster": {}}
gpkg = os.path.join(out, "hotspots.gpkg")
probe = QgsVectorLayer(gpkg, "probe", "ogr")
for sub in probe.dataProvider().subLayers():
    # "index!!::!!name!!::!!count!!::!!geometry type!!::!!..." in QGIS 3.22
    name = sub.split(QgsVectorLayer.dataProvider(probe).sublayerSeparator())[1]
    layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
    result["vector"][name] = {
        "valid": layer.isValid(),
        "crs": layer.crs().authid(),
        "features": layer.featureCount(),
        "fields": [field.name() for field in layer.fields()],
    }
    del layer
del probe
for name in sorted(os.listdir(out)):
    if name.endswith(".tif"):
        raster = QgsRasterLayer(os.path.join(out, name), name, "gdal")
        result["raster"][name] = {
            "valid": raster.isValid(),
            "crs": raster.crs().authid(),
            "width": raster.width(),
            "height": raster.height(),
        }
        del raster
print(json.dumps(result))
sys.stdout.flush()
# QGIS may crash while tearing down; the answer is already printed.
os._exit(0)

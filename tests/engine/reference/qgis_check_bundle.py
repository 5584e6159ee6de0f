"""Opens a QGIS project in QGIS itself (headless) and prints, as JSON, what QGIS
sees: for each layer of the project, in layer-tree order, its validity, CRS,
feature count (vectors), renderer type, the colours of its symbols, labels,
opacity, visibility, group and the metadata title / abstract / keywords QGIS
shows; the project's title, CRS and default view extent; and, for every
vector table of every *.gpkg beside the project, the renderer and metadata
QGIS gives the table when it is opened directly (its default style from
layer_styles, its metadata from gpkg_metadata).

With --render OUT.png it also renders the project's visible layers at the
project's default view extent (1600x1200, white background) to OUT.png.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_check_bundle.py PROJECT.qgs [--render OUT.png]
Exit status 0 whenever QGIS ran; whether the bundle is good is in the JSON.
"""
import argparse
import json
import os
import sqlite3
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsLayerTreeLayer,
    QgsMapLayerType,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402


def symbol_colours(renderer):
    """The colours of the renderer's symbols, in class order, as r,g,b."""
    # categories() / ranges() return copies that own their symbols: keep the
    # list alive while the symbols are read (else QGIS reads freed memory).
    kind = renderer.type()
    if kind == "categorizedSymbol":
        items = renderer.categories()
        return [list(item.symbol().color().getRgb()[:3]) for item in items]
    if kind == "graduatedSymbol":
        items = renderer.ranges()
        return [list(item.symbol().color().getRgb()[:3]) for item in items]
    if kind == "singleSymbol":
        return [list(renderer.symbol().color().getRgb()[:3])]
    return []


def classes(renderer):
    kind = renderer.type()
    if kind == "categorizedSymbol":
        return [{"value": str(c.value()), "label": c.label()} for c in renderer.categories()]
    if kind == "graduatedSymbol":
        return [
            {"lower": r.lowerValue(), "upper": r.upperValue(), "label": r.label()}
            for r in renderer.ranges()
        ]
    return []


def describe_layer(layer):
    out = {
        "id": layer.id(),
        "name": layer.name(),
        "valid": layer.isValid(),
        "crs": layer.crs().authid(),
        "provider": layer.providerType(),
        "source": layer.source(),
        "title": layer.metadata().title(),
        "abstract": layer.metadata().abstract(),
        "keywords": {k: list(v) for k, v in layer.metadata().keywords().items()},
        "opacity": layer.opacity(),
    }
    if layer.type() == QgsMapLayerType.VectorLayer:
        out["kind"] = "vector"
        out["featureCount"] = layer.featureCount() if layer.isValid() else None
        renderer = layer.renderer()
        out["renderer"] = renderer.type() if renderer else None
        out["field"] = renderer.classAttribute() if renderer and hasattr(renderer, "classAttribute") else ""
        out["colours"] = symbol_colours(renderer) if renderer else []
        out["classes"] = classes(renderer) if renderer else []
        out["labelsEnabled"] = layer.labelsEnabled()
        labeling = layer.labeling()
        out["labelField"] = labeling.settings().fieldName if labeling and layer.labelsEnabled() else ""
    else:
        out["kind"] = "raster"
        renderer = layer.renderer()
        out["renderer"] = renderer.type() if renderer else None
        if renderer and renderer.type() == "singlebandpseudocolor":
            out["classificationMin"] = renderer.classificationMin()
            out["classificationMax"] = renderer.classificationMax()
            shader = renderer.shader().rasterShaderFunction()
            out["colours"] = [list(item.color.getRgb()[:3]) for item in shader.colorRampItemList()]
            out["opacity"] = renderer.opacity()
    return out


def gpkg_tables(path):
    """The vector tables the GeoPackage declares (gpkg_contents)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("project")
    parser.add_argument("--render")
    args = parser.parse_args()

    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    result = {"read": project.read(args.project)}
    result["title"] = project.title()
    result["crs"] = project.crs().authid()
    view = project.viewSettings().defaultViewExtent()
    result["extent"] = [view.xMinimum(), view.yMinimum(), view.xMaximum(), view.yMaximum()]

    root = project.layerTreeRoot()
    layers = []
    for node in root.findLayers():  # depth first, top of the tree first
        layer = node.layer()
        if layer is None:
            layers.append({"id": node.layerId(), "name": node.name(), "valid": False, "missing": True})
            continue
        entry = describe_layer(layer)
        entry["visible"] = node.isVisible()
        parent = node.parent()
        entry["group"] = parent.name() if parent is not None and parent != root else ""
        layers.append(entry)
    result["layers"] = layers
    result["order"] = [layer["name"] for layer in layers]
    result["groups"] = [child.name() for child in root.children() if not isinstance(child, QgsLayerTreeLayer)]
    result["all_valid"] = bool(layers) and all(layer["valid"] for layer in layers)

    folder = os.path.dirname(os.path.abspath(args.project))
    direct = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".gpkg"):
            continue
        path = os.path.join(folder, name)
        direct[name] = {}
        for table in gpkg_tables(path):
            layer = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")  # loads the default style
            renderer = layer.renderer()
            direct[name][table] = {
                "valid": layer.isValid(),
                "renderer": renderer.type() if renderer else None,
                "colours": symbol_colours(renderer) if renderer else [],
                "title": layer.metadata().title(),
                "abstract": layer.metadata().abstract(),
                "keywords": {k: list(v) for k, v in layer.metadata().keywords().items()},
            }
            del layer
    result["gpkg"] = direct

    if args.render:
        settings = QgsMapSettings()
        settings.setLayers([n.layer() for n in root.findLayers() if n.isVisible() and n.layer() is not None])
        settings.setDestinationCrs(project.crs())
        settings.setExtent(view)
        settings.setOutputSize(QSize(1600, 1200))
        settings.setBackgroundColor(QColor(255, 255, 255))
        job = QgsMapRendererSequentialJob(settings)
        job.start()
        job.waitForFinished()
        image = job.renderedImage()
        result["render"] = os.path.abspath(args.render) if image.save(args.render, "PNG") else None
        result["render_errors"] = [f"{e.layerID}: {e.message}" for e in job.errors()]

    print(json.dumps(result))
    sys.stdout.flush()
    # QGIS may crash while tearing down; the answer is already printed.
    os._exit(0)


main()

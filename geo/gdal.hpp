#pragma once

// RAII wrappers for the GDAL/OGR/OSR handles Waymark uses, and the routing of
// GDAL's error handler into Waymark's errors (design/ARCHITECTURE.md, 3–4).
//
// Each wrapper is move-only; its destructor releases the handle and never
// throws. Operations whose failure matters (closing a dataset that was being
// written) have an explicit close() that throws.

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace waymark::gdal {

/// Registers GDAL's drivers and installs Waymark's CPL error handler, once per
/// process. Every constructor below calls it, so callers never need to.
void initialise();

/// Where GDAL warnings (CE_Warning) go. Failures are never sent here: they
/// are kept per thread and thrown as waymark errors by the call that failed.
/// The default sink writes "warning: GDAL: <message>" to standard error; an
/// empty function restores it.
void set_warning_sink(std::function<void(std::string_view)> sink);

/// The message of the last CE_Failure/CE_Fatal GDAL reported on this thread
/// since the last reset_error(), or "" if none.
std::string last_error();
void reset_error();

/// A coordinate reference system (OGRSpatialReferenceH). Axis order is always
/// the traditional GIS order (x = easting/longitude, y = northing/latitude),
/// whatever the authority says, so that callers never see swapped axes.
class SpatialReference {
public:
    /// Throws InputError naming the code if EPSG does not know it.
    static SpatialReference from_epsg(int code);

    SpatialReference(SpatialReference&& other) noexcept;
    SpatialReference& operator=(SpatialReference&& other) noexcept;
    SpatialReference(const SpatialReference&) = delete;
    SpatialReference& operator=(const SpatialReference&) = delete;
    ~SpatialReference();

    bool is_projected() const;
    bool is_geographic() const;
    /// The CRS's own name, e.g. "OSGB36 / British National Grid".
    std::string name() const;
    /// The EPSG code, or 0 when the CRS has none.
    int epsg() const;
    /// Linear unit in metres (1 for metre-based CRSs); 0 for geographic CRSs.
    double metres_per_unit() const;

    OGRSpatialReferenceH get() const noexcept { return m_handle; }

private:
    explicit SpatialReference(OGRSpatialReferenceH handle) noexcept : m_handle(handle) {}
    OGRSpatialReferenceH m_handle = nullptr;
};

/// A transformation between two CRSs (OGRCoordinateTransformationH).
class CoordinateTransformation {
public:
    CoordinateTransformation(const SpatialReference& from, const SpatialReference& to);
    CoordinateTransformation(CoordinateTransformation&& other) noexcept;
    CoordinateTransformation& operator=(CoordinateTransformation&& other) noexcept;
    CoordinateTransformation(const CoordinateTransformation&) = delete;
    CoordinateTransformation& operator=(const CoordinateTransformation&) = delete;
    ~CoordinateTransformation();

    /// Transforms one point in place; throws GeometryError if PROJ cannot.
    void transform(double& x, double& y) const;

private:
    OGRCoordinateTransformationH m_handle = nullptr;
};

/// A feature (OGRFeatureH) of a layer definition.
class Feature {
public:
    explicit Feature(OGRLayerH layer);
    /// Takes ownership of a feature returned by OGR (e.g. OGR_L_GetNextFeature).
    static Feature adopt(OGRFeatureH handle) noexcept;

    Feature(Feature&& other) noexcept;
    Feature& operator=(Feature&& other) noexcept;
    Feature(const Feature&) = delete;
    Feature& operator=(const Feature&) = delete;
    ~Feature();

    explicit operator bool() const noexcept { return m_handle != nullptr; }
    OGRFeatureH get() const noexcept { return m_handle; }

private:
    Feature() = default;
    OGRFeatureH m_handle = nullptr;
};

/// A raster or vector dataset (GDALDatasetH).
class Dataset {
public:
    /// Opens an existing dataset; `flags` are GDAL_OF_* flags. Throws IoError
    /// naming the path with GDAL's own message.
    static Dataset open(const std::string& path,
                        unsigned flags = GDAL_OF_VECTOR | GDAL_OF_READONLY);
    /// Creates a new vector dataset with the named driver ("GPKG", "GeoJSON").
    static Dataset create_vector(const std::string& driver, const std::string& path);
    /// Creates a new raster dataset with the named driver ("GTiff"), `bands`
    /// bands of `type` and the driver's creation `options` ("KEY=VALUE").
    /// Throws IoError naming the path with GDAL's own message.
    static Dataset create_raster(const std::string& driver, const std::string& path, int width,
                                 int height, int bands, GDALDataType type,
                                 const std::vector<std::string>& options = {});

    Dataset(Dataset&& other) noexcept;
    Dataset& operator=(Dataset&& other) noexcept;
    Dataset(const Dataset&) = delete;
    Dataset& operator=(const Dataset&) = delete;
    /// Closes without throwing; a failure here is reported as a GDAL warning.
    /// Call close() to learn whether everything was written.
    ~Dataset();

    /// Flushes and closes; throws IoError if GDAL reports a failure.
    void close();

    int layer_count() const;
    OGRLayerH layer(int index) const;
    /// `options` are the driver's layer creation options, "KEY=VALUE".
    OGRLayerH create_layer(const std::string& name, const SpatialReference* srs,
                           OGRwkbGeometryType type, const std::vector<std::string>& options = {});

    const std::string& path() const noexcept { return m_path; }
    GDALDatasetH get() const noexcept { return m_handle; }

private:
    Dataset(GDALDatasetH handle, std::string path) noexcept
        : m_handle(handle), m_path(std::move(path)) {}
    GDALDatasetH m_handle = nullptr;
    std::string m_path;
};

} // namespace waymark::gdal

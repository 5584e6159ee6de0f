#include "geo/raster.hpp"

#include "base/error.hpp"
#include "geo/format.hpp"

#include <cpl_vsi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace waymark::geo {
namespace {

// Cells across [low, high] once both are snapped outwards to multiples of
// `cell`; at least one.
std::int64_t cells_across(double low, double high, double cell) {
    return std::max<std::int64_t>(1, std::llround((high - low) / cell));
}

// Internal overview factors 2, 4, 8… until the coarsest overview fits in one
// 256-pixel tile, as gdaladdo chooses them by default.
std::vector<int> overview_factors(const RasterGrid& grid) {
    constexpr int tile = 256;
    std::vector<int> factors;
    for (int factor = 2; (std::max(grid.width, grid.height) + factor / 2 - 1) / (factor / 2) > tile;
         factor *= 2) {
        factors.push_back(factor);
    }
    return factors;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    std::string message = "writing GeoTIFF " + path + ": " + what;
    const std::string gdal_message = gdal::last_error();
    if (!gdal_message.empty()) {
        message += ": " + gdal_message;
    }
    throw IoError(message);
}

void write_into(gdal::Dataset& dataset, const RasterGrid& grid, std::span<const double> values,
                const gdal::SpatialReference& srs,
                const std::map<std::string, std::string>& metadata, double nodata) {
    const std::string& path = dataset.path();
    double transform[6] = {grid.min_x, grid.cell_size, 0, grid.max_y, 0, -grid.cell_size};
    if (GDALSetGeoTransform(dataset.get(), transform) != CE_None) {
        fail(path, "cannot set the geotransform");
    }
    if (GDALSetSpatialRef(dataset.get(), srs.get()) != CE_None) {
        fail(path, "cannot set the CRS " + srs.name());
    }
    for (const auto& [key, value] : metadata) {
        if (GDALSetMetadataItem(dataset.get(), key.c_str(), value.c_str(), nullptr) != CE_None) {
            fail(path, "cannot set metadata item " + key);
        }
    }
    GDALRasterBandH band = GDALGetRasterBand(dataset.get(), 1);
    if (GDALSetRasterNoDataValue(band, nodata) != CE_None) {
        fail(path, "cannot declare nodata " + format_number(nodata));
    }
    // GDAL converts the doubles to Float32 as it writes.
    if (GDALRasterIO(band, GF_Write, 0, 0, grid.width, grid.height,
                     const_cast<double*>(values.data()), grid.width, grid.height, GDT_Float64, 0,
                     0) != CE_None) {
        fail(path, "cannot write the values");
    }
    std::vector<int> factors = overview_factors(grid);
    if (!factors.empty() &&
        GDALBuildOverviews(dataset.get(), "AVERAGE", static_cast<int>(factors.size()),
                           factors.data(), 0, nullptr, nullptr, nullptr) != CE_None) {
        fail(path, "cannot build overviews");
    }
}

} // namespace

RasterGrid grid_covering(std::span<const Point> points, double cell_size, double margin) {
    if (points.empty()) {
        throw InputError("grid_covering: no points to cover");
    }
    if (!std::isfinite(cell_size) || cell_size <= 0) {
        throw InputError("grid_covering: cell_size must be > 0, got " + format_number(cell_size));
    }
    if (!std::isfinite(margin) || margin < 0) {
        throw InputError("grid_covering: margin must be >= 0, got " + format_number(margin));
    }
    double min_x = points.front().x;
    double max_x = min_x;
    double min_y = points.front().y;
    double max_y = min_y;
    for (const Point& p : points) {
        min_x = std::min(min_x, p.x);
        max_x = std::max(max_x, p.x);
        min_y = std::min(min_y, p.y);
        max_y = std::max(max_y, p.y);
    }
    if (!std::isfinite(min_x) || !std::isfinite(max_x) || !std::isfinite(min_y) ||
        !std::isfinite(max_y)) {
        throw InputError("grid_covering: a point has a non-finite coordinate");
    }
    const double west = std::floor((min_x - margin) / cell_size) * cell_size;
    const double east = std::ceil((max_x + margin) / cell_size) * cell_size;
    const double south = std::floor((min_y - margin) / cell_size) * cell_size;
    const double north = std::ceil((max_y + margin) / cell_size) * cell_size;
    const std::int64_t width = cells_across(west, east, cell_size);
    const std::int64_t height = cells_across(south, north, cell_size);
    if (width > std::numeric_limits<int>::max() || height > std::numeric_limits<int>::max() ||
        width * height > std::numeric_limits<int>::max()) {
        throw InputError("grid_covering: " + std::to_string(width) + " x " +
                         std::to_string(height) + " cells of " + format_number(cell_size) +
                         " is too many; use a larger cell_size");
    }
    return {west, north, cell_size, static_cast<int>(width), static_cast<int>(height)};
}

void write_geotiff(const std::string& path, const RasterGrid& grid, std::span<const double> values,
                   const gdal::SpatialReference& srs,
                   const std::map<std::string, std::string>& metadata, double nodata) {
    if (grid.width <= 0 || grid.height <= 0 || !(grid.cell_size > 0)) {
        throw InputError("writing GeoTIFF " + path + ": the grid is empty (" +
                         std::to_string(grid.width) + " x " + std::to_string(grid.height) +
                         " cells of " + format_number(grid.cell_size) + ")");
    }
    if (values.size() != static_cast<std::size_t>(grid.width) * grid.height) {
        throw InputError("writing GeoTIFF " + path + ": " + std::to_string(values.size()) +
                         " values for a " + std::to_string(grid.width) + " x " +
                         std::to_string(grid.height) + " grid");
    }
    // Tiled and DEFLATE-compressed with the floating-point predictor; BIGTIFF
    // only when GDAL thinks the file could pass 4 GB.
    gdal::Dataset dataset =
        gdal::Dataset::create_raster("GTiff", path, grid.width, grid.height, 1, GDT_Float32,
                                     {"TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256",
                                      "COMPRESS=DEFLATE", "PREDICTOR=3", "BIGTIFF=IF_SAFER"});
    try {
        gdal::reset_error();
        write_into(dataset, grid, values, srs, metadata, nodata);
        dataset.close();
    } catch (...) {
        // Leave no half-written file that a reader could take for a result.
        try {
            dataset.close();
        } catch (const IoError&) {
        }
        VSIUnlink(path.c_str());
        throw;
    }
}

} // namespace waymark::geo

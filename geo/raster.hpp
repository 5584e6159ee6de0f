#pragma once

// A north-up raster grid and a GeoTIFF writer for it (through GDAL), used for
// density surfaces.

#include "geo/gdal.hpp"
#include "geo/point.hpp"

#include <map>
#include <span>
#include <string>

namespace waymark::geo {

struct RasterGrid {
    double min_x = 0;     ///< west edge
    double max_y = 0;     ///< north edge
    double cell_size = 0; ///< square cells
    int width = 0;
    int height = 0;

    /// Centre of the cell in column `col` (from the west) and row `row` (from the north).
    Point centre(int col, int row) const {
        return {min_x + (col + 0.5) * cell_size, max_y - (row + 0.5) * cell_size};
    }
};

/// The grid of `cell_size` cells covering the points' bounding box widened by
/// `margin` on every side, its edges on multiples of cell_size.
RasterGrid grid_covering(std::span<const Point> points, double cell_size, double margin);

/// Writes `values` (row-major, north row first, grid.width*grid.height) as a
/// single-band Float32 GeoTIFF in `srs`, with internal overviews, the
/// key/value `metadata` as GDAL metadata items and `nodata` declared.
/// Throws IoError naming the path.
void write_geotiff(const std::string& path, const RasterGrid& grid, std::span<const double> values,
                   const gdal::SpatialReference& srs,
                   const std::map<std::string, std::string>& metadata, double nodata);

} // namespace waymark::geo

// grid_covering, and write_geotiff checked by reopening the file with GDAL.

#include "base/error.hpp"
#include "geo/gdal.hpp"
#include "geo/raster.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace waymark::geo {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using waymark::testing::message_of;
using waymark::testing::TempDir;

// ---- grid_covering -----------------------------------------------------------

TEST(GridCovering, SnapsTheWidenedBoundingBoxOutwardsToMultiplesOfTheCellSize) {
    const std::vector<Point> points = {{1030, 2070}, {1260, 2110}, {1100, 1990}};
    const RasterGrid grid = grid_covering(points, 50, 25);
    // x: [1030 - 25, 1260 + 25] = [1005, 1285] -> [1000, 1300]
    // y: [1990 - 25, 2110 + 25] = [1965, 2135] -> [1950, 2150]
    EXPECT_DOUBLE_EQ(grid.min_x, 1000);
    EXPECT_DOUBLE_EQ(grid.max_y, 2150);
    EXPECT_DOUBLE_EQ(grid.cell_size, 50);
    EXPECT_EQ(grid.width, 6);
    EXPECT_EQ(grid.height, 4);
}

TEST(GridCovering, EveryPointLiesInsideTheGrid) {
    const std::vector<Point> points = {{-512.3, 7.7}, {333.1, -90.4}, {12.9, 401.6}};
    const RasterGrid grid = grid_covering(points, 30, 0);
    for (const Point& p : points) {
        EXPECT_GE(p.x, grid.min_x);
        EXPECT_LE(p.x, grid.min_x + grid.width * grid.cell_size);
        EXPECT_LE(p.y, grid.max_y);
        EXPECT_GE(p.y, grid.max_y - grid.height * grid.cell_size);
    }
}

TEST(GridCovering, ASinglePointWithoutMarginGetsOneCell) {
    const std::vector<Point> points = {{100, 100}};
    const RasterGrid grid = grid_covering(points, 10, 0);
    EXPECT_EQ(grid.width, 1);
    EXPECT_EQ(grid.height, 1);
}

TEST(GridCovering, CellCentresAreHalfACellInsideTheNorthWestCorner) {
    const RasterGrid grid{1000, 2000, 50, 4, 3};
    EXPECT_DOUBLE_EQ(grid.centre(0, 0).x, 1025);
    EXPECT_DOUBLE_EQ(grid.centre(0, 0).y, 1975);
    EXPECT_DOUBLE_EQ(grid.centre(3, 2).x, 1175);
    EXPECT_DOUBLE_EQ(grid.centre(3, 2).y, 1875);
}

TEST(GridCovering, RefusesBadParameters) {
    const std::vector<Point> points = {{0, 0}};
    EXPECT_EQ(message_of<InputError>([] { grid_covering({}, 10, 0); }),
              "grid_covering: no points to cover");
    EXPECT_EQ(message_of<InputError>([&] { grid_covering(points, 0, 0); }),
              "grid_covering: cell_size must be > 0, got 0");
    EXPECT_EQ(message_of<InputError>([&] { grid_covering(points, 10, -5); }),
              "grid_covering: margin must be >= 0, got -5");
    const std::vector<Point> far = {{0, 0}, {1e9, 1e9}};
    EXPECT_EQ(message_of<InputError>([&] { grid_covering(far, 1, 0); }),
              "grid_covering: 1000000000 x 1000000000 cells of 1 is too many; use a larger "
              "cell_size");
}

// ---- write_geotiff -------------------------------------------------------------

// A 600 x 300 grid (so that two overview levels are due: 300 and 150 pixels
// wide) of values that differ in every cell.
struct Fixture {
    RasterGrid grid{500000, 200000, 25, 600, 300};
    std::vector<double> values;
    Fixture() {
        values.resize(static_cast<std::size_t>(grid.width) * grid.height);
        for (int row = 0; row < grid.height; ++row) {
            for (int col = 0; col < grid.width; ++col) {
                values[static_cast<std::size_t>(row) * grid.width + col] =
                    row == 7 && col == 11 ? -9999.0 : 0.001 * col + 1.5 * row + 0.25;
            }
        }
    }
};

TEST(WriteGeotiff, ReopenedFileHasTheGridCrsValuesNodataMetadataAndOverviews) {
    const TempDir dir;
    const Fixture fixture;
    const std::string path = dir.file("density.tif");
    const auto srs = gdal::SpatialReference::from_epsg(27700);
    const std::map<std::string, std::string> metadata = {{"UNITS", "events per km2"},
                                                         {"BANDWIDTH_M", "512.5"}};
    write_geotiff(path, fixture.grid, fixture.values, srs, metadata, -9999.0);

    const auto dataset = gdal::Dataset::open(path, GDAL_OF_RASTER | GDAL_OF_READONLY);
    ASSERT_EQ(GDALGetRasterCount(dataset.get()), 1);
    EXPECT_EQ(GDALGetRasterXSize(dataset.get()), 600);
    EXPECT_EQ(GDALGetRasterYSize(dataset.get()), 300);
    EXPECT_STREQ(GDALGetDriverShortName(GDALGetDatasetDriver(dataset.get())), "GTiff");

    double transform[6] = {};
    ASSERT_EQ(GDALGetGeoTransform(dataset.get(), transform), CE_None);
    EXPECT_DOUBLE_EQ(transform[0], 500000);
    EXPECT_DOUBLE_EQ(transform[1], 25);
    EXPECT_DOUBLE_EQ(transform[2], 0);
    EXPECT_DOUBLE_EQ(transform[3], 200000);
    EXPECT_DOUBLE_EQ(transform[4], 0);
    EXPECT_DOUBLE_EQ(transform[5], -25);

    OGRSpatialReferenceH crs = GDALGetSpatialRef(dataset.get());
    ASSERT_NE(crs, nullptr);
    EXPECT_STREQ(OSRGetAuthorityName(crs, nullptr), "EPSG");
    EXPECT_STREQ(OSRGetAuthorityCode(crs, nullptr), "27700");

    GDALRasterBandH band = GDALGetRasterBand(dataset.get(), 1);
    EXPECT_EQ(GDALGetRasterDataType(band), GDT_Float32);
    int has_nodata = 0;
    EXPECT_EQ(GDALGetRasterNoDataValue(band, &has_nodata), -9999.0);
    EXPECT_TRUE(has_nodata);

    std::vector<float> read(fixture.values.size());
    ASSERT_EQ(GDALRasterIO(band, GF_Read, 0, 0, 600, 300, read.data(), 600, 300, GDT_Float32, 0, 0),
              CE_None);
    for (std::size_t i = 0; i < read.size(); ++i) {
        ASSERT_EQ(read[i], static_cast<float>(fixture.values[i])) << "cell " << i;
    }

    EXPECT_STREQ(GDALGetMetadataItem(dataset.get(), "UNITS", nullptr), "events per km2");
    EXPECT_STREQ(GDALGetMetadataItem(dataset.get(), "BANDWIDTH_M", nullptr), "512.5");

    ASSERT_EQ(GDALGetOverviewCount(band), 2);
    EXPECT_EQ(GDALGetRasterBandXSize(GDALGetOverview(band, 0)), 300);
    EXPECT_EQ(GDALGetRasterBandXSize(GDALGetOverview(band, 1)), 150);
    // Internal: no .ovr side file.
    EXPECT_FALSE(std::filesystem::exists(path + ".ovr"));

    EXPECT_STREQ(GDALGetMetadataItem(dataset.get(), "COMPRESSION", "IMAGE_STRUCTURE"), "DEFLATE");
    int block_x = 0;
    int block_y = 0;
    GDALGetBlockSize(band, &block_x, &block_y);
    EXPECT_EQ(block_x, 256);
    EXPECT_EQ(block_y, 256);
}

TEST(WriteGeotiff, OverviewsAverageTheCellsAndSkipNodata) {
    const TempDir dir;
    const Fixture fixture;
    const std::string path = dir.file("density.tif");
    write_geotiff(path, fixture.grid, fixture.values, gdal::SpatialReference::from_epsg(27700), {},
                  -9999.0);
    const auto dataset = gdal::Dataset::open(path, GDAL_OF_RASTER | GDAL_OF_READONLY);
    GDALRasterBandH overview = GDALGetOverview(GDALGetRasterBand(dataset.get(), 1), 0);
    ASSERT_NE(overview, nullptr);
    float value = 0;
    // Overview cell (col 1, row 0) averages full-resolution cols 2-3, rows 0-1.
    ASSERT_EQ(GDALRasterIO(overview, GF_Read, 1, 0, 1, 1, &value, 1, 1, GDT_Float32, 0, 0),
              CE_None);
    const auto at = [&](int col, int row) {
        return static_cast<float>(fixture.values[static_cast<std::size_t>(row) * 600 + col]);
    };
    EXPECT_NEAR(value, (at(2, 0) + at(3, 0) + at(2, 1) + at(3, 1)) / 4, 1e-5);
    // Overview cell (5, 3) covers the one nodata cell (11, 7): the other three count.
    ASSERT_EQ(GDALRasterIO(overview, GF_Read, 5, 3, 1, 1, &value, 1, 1, GDT_Float32, 0, 0),
              CE_None);
    EXPECT_NEAR(value, (at(10, 6) + at(11, 6) + at(10, 7)) / 3, 1e-5);
}

TEST(WriteGeotiff, SmallRasterHasNoOverviews) {
    const TempDir dir;
    const std::string path = dir.file("small.tif");
    const RasterGrid grid{0, 100, 10, 10, 10};
    const std::vector<double> values(100, 1.0);
    write_geotiff(path, grid, values, gdal::SpatialReference::from_epsg(27700), {}, -1);
    const auto dataset = gdal::Dataset::open(path, GDAL_OF_RASTER | GDAL_OF_READONLY);
    EXPECT_EQ(GDALGetOverviewCount(GDALGetRasterBand(dataset.get(), 1)), 0);
}

TEST(WriteGeotiff, UnwritablePathIsAnIoErrorNamingThePathWithGdalsMessage) {
    const TempDir dir;
    const std::string path = dir.file("no-such-dir/density.tif");
    const RasterGrid grid{0, 100, 10, 10, 10};
    const std::vector<double> values(100, 1.0);
    const std::string message = message_of<IoError>([&] {
        write_geotiff(path, grid, values, gdal::SpatialReference::from_epsg(27700), {}, -1);
    });
    EXPECT_THAT(message, StartsWith("cannot create GTiff dataset " + path + ": "));
    EXPECT_THAT(message, HasSubstr("No such file or directory"));
}

TEST(WriteGeotiff, RefusesValuesThatDoNotFillTheGrid) {
    const RasterGrid grid{0, 100, 10, 10, 10};
    const std::vector<double> values(99, 1.0);
    EXPECT_EQ(message_of<InputError>([&] {
                  write_geotiff("x.tif", grid, values, gdal::SpatialReference::from_epsg(27700), {},
                                -1);
              }),
              "writing GeoTIFF x.tif: 99 values for a 10 x 10 grid");
}

} // namespace
} // namespace waymark::geo

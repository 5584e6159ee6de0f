// Kernel density and the ArcGIS default bandwidth, checked against QGIS's
// heatmap (qgis:heatmapkerneldensityestimation) and an independent numpy
// computation run on the same input (tests/geo/reference/), plus properties
// the kernel must have (its mass, thread-count independence).

#include "base/error.hpp"
#include "geo/gdal.hpp"
#include "geo/kde.hpp"
#include "geo/raster.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace waymark::geo {
namespace {

using waymark::testing::message_of;
using waymark::testing::TempDir;

const std::string python = "/usr/bin/python3";
const std::string reference_dir = std::string(WAYMARK_SOURCE_DIR) + "/tests/geo/reference/";

void write_csv(const std::string& path, const std::vector<Point>& points,
               const std::vector<double>& weights) {
    std::ofstream out(path);
    out << "x,y,w\n";
    out.precision(17);
    for (std::size_t i = 0; i < points.size(); ++i) {
        out << points[i].x << ',' << points[i].y << ',' << (weights.empty() ? 1.0 : weights[i])
            << '\n';
    }
}

// Runs a reference script; its standard output is returned, a failure fails
// the test with the script's own words (which say `make test` installs a
// missing tool).
std::string run_reference(const std::string& arguments, const TempDir& dir) {
    if (!std::filesystem::exists(python)) {
        ADD_FAILURE() << python << " is missing; `make test` installs it";
        return "";
    }
    const std::string out = dir.file("stdout.txt");
    const std::string err = dir.file("stderr.txt");
    const std::string command = "QT_QPA_PLATFORM=offscreen " + python + " " + reference_dir +
                                arguments + " >" + out + " 2>" + err;
    const int status = std::system(command.c_str());
    std::stringstream output;
    output << std::ifstream(out).rdbuf();
    if (status != 0) {
        std::stringstream errors;
        errors << std::ifstream(err).rdbuf();
        ADD_FAILURE() << "reference script failed (" << status << "): " << command << "\n"
                      << errors.str();
    }
    return output.str();
}

struct Raster {
    RasterGrid grid;
    std::vector<float> values;
    double nodata = 0;
};

Raster read_raster(const std::string& path) {
    const auto dataset = gdal::Dataset::open(path, GDAL_OF_RASTER | GDAL_OF_READONLY);
    Raster raster;
    double transform[6] = {};
    EXPECT_EQ(GDALGetGeoTransform(dataset.get(), transform), CE_None);
    EXPECT_EQ(transform[1], -transform[5]);
    raster.grid = {transform[0], transform[3], transform[1], GDALGetRasterXSize(dataset.get()),
                   GDALGetRasterYSize(dataset.get())};
    GDALRasterBandH band = GDALGetRasterBand(dataset.get(), 1);
    raster.nodata = GDALGetRasterNoDataValue(band, nullptr);
    raster.values.resize(static_cast<std::size_t>(raster.grid.width) * raster.grid.height);
    EXPECT_EQ(GDALRasterIO(band, GF_Read, 0, 0, raster.grid.width, raster.grid.height,
                           raster.values.data(), raster.grid.width, raster.grid.height, GDT_Float32,
                           0, 0),
              CE_None);
    return raster;
}

// Points whose x is anywhere but whose y lies on multiples of `step` from
// `origin_y`: QGIS 3.22 computes a pixel's y centre counting from the south
// edge of its grid while writing rows from the north, which mirrors each
// kernel about the point's row unless the point sits on a row line of its
// grid (docs/methods/kde.md). Its grid's north edge is the top point's y plus
// the radius, so with radius and y on multiples of the pixel size every point
// sits on a row line and QGIS evaluates the true cell centres.
std::vector<Point> points_on_row_lines(int count, double step, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> x(400000.0, 403000.0);
    std::uniform_int_distribution<int> k(0, 120);
    std::vector<Point> points;
    for (int i = 0; i < count; ++i) {
        points.push_back({x(random), 200000.0 + step * k(random)});
    }
    // A tight group, so that some cells sum many kernels.
    for (int i = 0; i < 12; ++i) {
        points.push_back({401500.0 + 7.3 * i, 201000.0 + step * (i % 3)});
    }
    return points;
}

std::vector<double> random_weights(std::size_t count, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> weight(0.5, 5.0);
    std::vector<double> weights(count);
    for (double& w : weights) {
        w = weight(random);
    }
    return weights;
}

// QGIS's "raw" quartic output is Σ w (1 − (d/h)²)² (qgskde.cpp, quarticKernel,
// OutputRaw), i.e. ours times π h² / 3. QGIS sums in Float32, rounding after
// each addition, so a cell of k kernels carries a relative error up to
// k · 2⁻²⁴; the test keeps k ≤ 16 (checked) so 1e-6 relative holds.
void compare_with_qgis(const std::vector<Point>& points, const std::vector<double>& weights) {
    const TempDir dir;
    constexpr double radius = 200;
    constexpr double pixel = 25;
    const std::string csv = dir.file("points.csv");
    const std::string tif = dir.file("qgis.tif");
    write_csv(csv, points, weights);
    run_reference("kde_qgis.py " + csv + " 200 25 " + tif + (weights.empty() ? "" : " --weighted"),
                  dir);
    if (::testing::Test::HasFailure()) {
        return;
    }
    const Raster qgis = read_raster(tif);

    // QGIS's grid (qgskde.cpp, prepare/calculateBounds): the points' extent
    // widened by the radius, origin at its north-west corner, and
    // ceil(size / pixel) + 1 pixels each way.
    double min_x = points[0].x, max_x = points[0].x, min_y = points[0].y, max_y = points[0].y;
    for (const Point& p : points) {
        min_x = std::min(min_x, p.x);
        max_x = std::max(max_x, p.x);
        min_y = std::min(min_y, p.y);
        max_y = std::max(max_y, p.y);
    }
    EXPECT_EQ(qgis.grid.min_x, min_x - radius);
    EXPECT_EQ(qgis.grid.max_y, max_y + radius);
    EXPECT_EQ(qgis.grid.cell_size, pixel);
    EXPECT_EQ(qgis.grid.width,
              static_cast<int>(std::ceil((max_x - min_x + 2 * radius) / pixel)) + 1);
    EXPECT_EQ(qgis.grid.height,
              static_cast<int>(std::ceil((max_y - min_y + 2 * radius) / pixel)) + 1);

    KernelDensity kde(points, weights, {radius, qgis.grid, 2});
    kde.run();
    const std::vector<double>& ours = kde.density();
    ASSERT_EQ(ours.size(), qgis.values.size());

    const double to_raw = std::numbers::pi * radius * radius / 3;
    int compared = 0;
    int max_kernels = 0;
    for (int row = 0; row < qgis.grid.height; ++row) {
        for (int col = 0; col < qgis.grid.width; ++col) {
            const std::size_t i = static_cast<std::size_t>(row) * qgis.grid.width + col;
            const Point centre = qgis.grid.centre(col, row);
            int kernels = 0;
            for (const Point& p : points) {
                kernels += std::hypot(p.x - centre.x, p.y - centre.y) < radius;
            }
            max_kernels = std::max(max_kernels, kernels);
            const double expected = qgis.values[i] == qgis.nodata ? 0.0 : qgis.values[i];
            const double actual = ours[i] * to_raw;
            // 1e-12 absolute: a cell exactly at distance h is 0 in QGIS and
            // 1e-32-ish in ours after the rounding of 1 − d²/h².
            ASSERT_NEAR(actual, expected, std::max(1e-6 * expected, 1e-12))
                << "cell col " << col << " row " << row << " (" << centre.x << ", " << centre.y
                << "), " << kernels << " kernels";
            compared += expected > 0;
        }
    }
    EXPECT_LE(max_kernels, 16);
    EXPECT_GE(max_kernels, 8); // the tight group overlaps
    EXPECT_GT(compared, 10000);
}

TEST(KernelDensity, EqualsQgisHeatmapRawQuarticTimesItsConstant) {
    compare_with_qgis(points_on_row_lines(150, 25, 11), {});
}

TEST(KernelDensity, EqualsQgisHeatmapRawQuarticWithAWeightField) {
    const std::vector<Point> points = points_on_row_lines(150, 25, 12);
    compare_with_qgis(points, random_weights(points.size(), 13));
}

TEST(KernelDensity, OnePointGivesTheArcgisQuarticFormulaAtCellCentres) {
    // ArcGIS: density = 1/h² · 3/π · w · (1 − (d/h)²)² for d < h.
    const std::vector<Point> points = {{5, 5}};
    const std::vector<double> weights = {2.0};
    const RasterGrid grid{-100, 100, 10, 20, 20};
    KernelDensity kde(points, weights, {80, grid, 1});
    kde.run();
    const auto at = [&](int col, int row) {
        return kde.density()[static_cast<std::size_t>(row) * 20 + col];
    };
    const double k = 3 / (std::numbers::pi * 80 * 80);
    EXPECT_DOUBLE_EQ(at(10, 9), 2 * k);                                         // centre (5, 5)
    EXPECT_DOUBLE_EQ(at(14, 9), 2 * k * std::pow(1 - 0.25, 2));                 // d = 40
    EXPECT_DOUBLE_EQ(at(13, 5), 2 * k * std::pow(1 - (900 + 1600) / 6400., 2)); // (35, 45)
    EXPECT_EQ(at(18, 9), 0.0);                                                  // d = 80 = h
    EXPECT_EQ(at(0, 0), 0.0);
}

TEST(KernelDensity, IntegratesToTheTotalWeight) {
    std::mt19937_64 random(5);
    std::normal_distribution<double> spread(0, 300);
    std::vector<Point> points;
    for (int i = 0; i < 200; ++i) {
        points.push_back({1000 + spread(random), 5000 + spread(random)});
    }
    const std::vector<double> weights = random_weights(points.size(), 6);
    double total = 0;
    for (double w : weights) {
        total += w;
    }
    constexpr double h = 250;
    const RasterGrid grid = grid_covering(points, h / 25, h + 10);
    KernelDensity kde(points, weights, {h, grid, 2});
    kde.run();
    double mass = 0;
    for (double value : kde.density()) {
        mass += value * grid.cell_size * grid.cell_size;
    }
    EXPECT_NEAR(mass / total, 1.0, 1e-4);
}

TEST(KernelDensity, ResultsAreBitIdenticalForAnyThreadCount) {
    std::mt19937_64 random(21);
    std::uniform_real_distribution<double> coordinate(-500, 10500);
    std::vector<Point> points;
    for (int i = 0; i < 4000; ++i) {
        points.push_back({coordinate(random), coordinate(random)});
    }
    const std::vector<double> weights = random_weights(points.size(), 22);
    const RasterGrid grid{0, 10000, 50, 200, 200}; // some points lie outside it
    std::vector<std::vector<double>> results;
    for (int threads : {1, 2, 3, 8}) {
        KernelDensity kde(points, weights, {333, grid, threads});
        kde.run();
        results.push_back(kde.density());
    }
    for (std::size_t r = 1; r < results.size(); ++r) {
        EXPECT_TRUE(results[r] == results[0]) << "thread run " << r;
    }
}

TEST(KernelDensity, RefusesBadInput) {
    const std::vector<Point> points = {{0, 0}, {1, 1}};
    const RasterGrid grid{0, 10, 1, 10, 10};
    const std::vector<double> one_weight = {1.0};
    const std::vector<double> negative = {1.0, -2.0};
    EXPECT_EQ(message_of<InputError>([&] {
                  KernelDensity(points, one_weight, {10, grid, 1});
              }),
              "kernel density: 1 weights for 2 points");
    EXPECT_EQ(message_of<InputError>([&] {
                  KernelDensity(points, negative, {10, grid, 1});
              }),
              "kernel density: weight 1 must be finite and >= 0, got -2");
    EXPECT_EQ(message_of<InputError>([&] {
                  KernelDensity(points, {}, {0, grid, 1});
              }),
              "kernel density: bandwidth must be > 0 metres, got 0");
    EXPECT_EQ(message_of<InputError>([&] {
                  KernelDensity(points, {}, {10, RasterGrid{0, 10, 0, 10, 10}, 1});
              }),
              "kernel density: grid cell_size must be > 0, got 0");
    EXPECT_EQ(message_of<InputError>([&] {
                  KernelDensity(points, {}, {10, RasterGrid{0, 10, 1, 0, 10}, 1});
              }),
              "kernel density: grid must have at least one cell, got 0 x 10");
    EXPECT_EQ(message_of<InputError>([&] {
                  KernelDensity(points, {}, {10, grid, -1});
              }),
              "kernel density: threads must be >= 0, got -1");
    const std::vector<Point> nan_point = {{0, std::nan("")}};
    EXPECT_EQ(message_of<InputError>([&] {
                  KernelDensity(nan_point, {}, {10, grid, 1});
              }),
              "kernel density: point 0 has a non-finite coordinate");
}

// ---- default_bandwidth ---------------------------------------------------------

struct ReferenceBandwidth {
    double bandwidth = 0;
    double standard_distance = 0;
    double median_distance = 0;
};

ReferenceBandwidth numpy_bandwidth(const std::vector<Point>& points,
                                   const std::vector<double>& weights) {
    const TempDir dir;
    const std::string csv = dir.file("points.csv");
    write_csv(csv, points, weights);
    std::istringstream output(run_reference("kde_bandwidth.py " + csv, dir));
    ReferenceBandwidth reference;
    output >> reference.bandwidth >> reference.standard_distance >> reference.median_distance;
    return reference;
}

// A dense cluster and a few far outliers: the outliers inflate the standard
// distance, so the median-distance term decides.
std::vector<Point> cluster_with_outliers(int count, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::normal_distribution<double> spread(0, 400);
    std::vector<Point> points;
    for (int i = 0; i < count; ++i) {
        points.push_back({530000 + spread(random), 180000 + spread(random)});
    }
    for (int i = 0; i < count / 20; ++i) {
        points.push_back({530000 + 40000.0 * (i + 1), 180000 - 25000.0 * i});
    }
    return points;
}

// A uniform square: the standard distance is the smaller term.
std::vector<Point> uniform_square(int count, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> coordinate(0, 5000);
    std::vector<Point> points;
    for (int i = 0; i < count; ++i) {
        points.push_back({450000 + coordinate(random), 250000 + coordinate(random)});
    }
    return points;
}

void expect_bandwidth_matches_numpy(const std::vector<Point>& points,
                                    const std::vector<double>& weights, bool median_decides) {
    const ReferenceBandwidth reference = numpy_bandwidth(points, weights);
    ASSERT_GT(reference.bandwidth, 0);
    EXPECT_EQ(std::sqrt(1 / std::numbers::ln2) * reference.median_distance <
                  reference.standard_distance,
              median_decides);
    EXPECT_NEAR(default_bandwidth(points, weights), reference.bandwidth,
                1e-12 * reference.bandwidth);
}

TEST(DefaultBandwidth, EqualsNumpyWhenTheMedianDistanceDecides) {
    expect_bandwidth_matches_numpy(cluster_with_outliers(501, 1), {}, true);
}

TEST(DefaultBandwidth, EqualsNumpyWhenTheStandardDistanceDecides) {
    expect_bandwidth_matches_numpy(uniform_square(400, 2), {}, false); // even count
}

TEST(DefaultBandwidth, EqualsNumpyWithRealWeights) {
    const std::vector<Point> points = cluster_with_outliers(300, 3);
    expect_bandwidth_matches_numpy(points, random_weights(points.size(), 4), true);
}

TEST(DefaultBandwidth, EqualsNumpyWithIntegerWeightsAndZeros) {
    // 42 points of weight 2 among 21 of weight 0: the cumulative weight hits
    // exactly half the total, where the weighted median is the mean of two
    // distances (the next one of positive weight); the zeros take no part.
    const std::vector<Point> points = cluster_with_outliers(60, 5);
    std::vector<double> weights(points.size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
        weights[i] = i % 3 == 0 ? 0.0 : 2.0;
    }
    expect_bandwidth_matches_numpy(points, weights, true);
}

TEST(DefaultBandwidth, HandWorkedWeightedMedianAndStandardDistance) {
    // Mean centre (0, 0); distances 1, 1, 3, 3.
    const std::vector<Point> points = {{1, 0}, {-1, 0}, {0, 3}, {0, -3}};
    // Unit weights: the cumulative weight reaches W/2 = 2 exactly at the
    // second distance, so Dm = (1 + 3)/2 = 2; SD = √((1 + 1 + 9 + 9)/4) = √5.
    // √(1/ln 2)·2 = 2.402 > √5 = 2.236: SD decides.
    EXPECT_DOUBLE_EQ(default_bandwidth(points, {}), 0.9 * std::sqrt(5.0) * std::pow(4, -0.2));
    // Weight 3 on the near pair: W = 8, cumulative 3, 6 > 4 at d = 1, so
    // Dm = 1; SD = √((3 + 3 + 9 + 9)/8) = √3 = 1.732 > √(1/ln 2) = 1.201: Dm decides.
    const std::vector<double> heavy_near = {3, 3, 1, 1};
    EXPECT_DOUBLE_EQ(default_bandwidth(points, heavy_near),
                     0.9 * std::sqrt(1 / std::numbers::ln2) * std::pow(8, -0.2));
    // Distances 1, 1, 2, 2, 10, 10 with the 2s weighing 0: W = 4 is halved
    // after the second 1, and the next distance of positive weight is 10, so
    // Dm = 5.5 (not 1.5); SD = √(202/4) = 7.106 > √(1/ln 2)·5.5 = 6.606.
    const std::vector<Point> spaced = {{1, 0}, {-1, 0}, {0, 2}, {0, -2}, {0, 10}, {0, -10}};
    const std::vector<double> zero_middle = {1, 1, 0, 0, 1, 1};
    EXPECT_DOUBLE_EQ(default_bandwidth(spaced, zero_middle),
                     0.9 * std::sqrt(1 / std::numbers::ln2) * 5.5 * std::pow(4, -0.2));
}

TEST(DefaultBandwidth, RefusesInputWithoutSpreadOrWeight) {
    const std::vector<Point> same = {{10, 10}, {10, 10}, {10, 10}};
    EXPECT_EQ(message_of<InputError>([&] { default_bandwidth(same, {}); }),
              "default bandwidth: it is 0 because half the weight or more lies at the points' "
              "mean centre; give a bandwidth");
    const std::vector<double> zeros = {0, 0, 0};
    EXPECT_EQ(message_of<InputError>([&] { default_bandwidth(same, zeros); }),
              "default bandwidth: the points' total weight is 0 (3 points)");
    EXPECT_EQ(message_of<InputError>([] { default_bandwidth({}, {}); }),
              "default bandwidth: the points' total weight is 0 (0 points)");
}

} // namespace
} // namespace waymark::geo

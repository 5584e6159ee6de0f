// Kernel density of 1,000,000 clustered points onto a 1000 x 1000 grid of
// 60 m cells (a 60 x 60 km square in EPSG:27700), with the ArcGIS default
// bandwidth and with a fixed 500 m, on 2 threads; and the default bandwidth
// and the GeoTIFF writer on their own.
//
// Side by side with QGIS (bench/reference/kde_qgis_bench.py): first
//   bench_kde --write-points=/tmp/kde-points.gpkg
// writes the same points once as a GeoPackage (and prints the default
// bandwidth), then the script times QGIS's heatmap on it (docs/methods/kde.md).

#include "geo/gdal.hpp"
#include "geo/kde.hpp"
#include "geo/raster.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using waymark::geo::Point;
using waymark::geo::RasterGrid;

constexpr double origin_x = 420000; // south-west corner, a multiple of the cell size
constexpr double origin_y = 150000;
constexpr double side = 60000;
constexpr double cell = 60;
constexpr int point_count = 1'000'000;
constexpr int threads = 2;

// 80 % in 40 Gaussian clusters (σ 150 m to 3 km, a few heavy ones), 20 %
// uniform; everything inside the square, so the grid below covers it.
const std::vector<Point>& points() {
    static const std::vector<Point> cached = [] {
        std::mt19937_64 random(20240605);
        std::uniform_real_distribution<double> uniform(0, side);
        std::uniform_real_distribution<double> sigma(150, 3000);
        struct Cluster {
            Point centre;
            double sigma;
        };
        std::vector<Cluster> clusters;
        for (int i = 0; i < 40; ++i) {
            clusters.push_back({{uniform(random), uniform(random)}, sigma(random)});
        }
        std::discrete_distribution<int> which({8, 8, 8, 8, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2,
                                               2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                               1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
        std::normal_distribution<double> normal(0, 1);
        std::bernoulli_distribution background(0.2);
        std::vector<Point> result;
        result.reserve(point_count);
        while (result.size() < point_count) {
            Point p{uniform(random), uniform(random)};
            if (!background(random)) {
                const Cluster& c = clusters[static_cast<std::size_t>(which(random))];
                p = {c.centre.x + c.sigma * normal(random), c.centre.y + c.sigma * normal(random)};
            }
            if (p.x >= 0 && p.x < side && p.y >= 0 && p.y < side) {
                result.push_back({origin_x + p.x, origin_y + p.y});
            }
        }
        return result;
    }();
    return cached;
}

RasterGrid grid() {
    return {origin_x, origin_y + side, cell, 1000, 1000};
}

void run_kde(benchmark::State& state, double bandwidth) {
    for (auto _ : state) {
        waymark::geo::KernelDensity kde(points(), {}, {bandwidth, grid(), threads});
        kde.run();
        benchmark::DoNotOptimize(kde.density().data());
    }
    state.counters["bandwidth_m"] = bandwidth;
    state.counters["points"] = point_count;
}

void BM_KdeDefaultBandwidth(benchmark::State& state) {
    run_kde(state, waymark::geo::default_bandwidth(points(), {}));
}

void BM_KdeFixed500m(benchmark::State& state) {
    run_kde(state, 500);
}

void BM_DefaultBandwidth(benchmark::State& state) {
    double bandwidth = 0;
    for (auto _ : state) {
        bandwidth = waymark::geo::default_bandwidth(points(), {});
        benchmark::DoNotOptimize(bandwidth);
    }
    state.counters["bandwidth_m"] = bandwidth;
}

void BM_WriteGeotiff(benchmark::State& state) {
    waymark::geo::KernelDensity kde(points(), {}, {500, grid(), threads});
    kde.run();
    const auto srs = waymark::gdal::SpatialReference::from_epsg(27700);
    const std::string path =
        (std::filesystem::temp_directory_path() / "waymark-kde-bench.tif").string();
    for (auto _ : state) {
        waymark::geo::write_geotiff(path, grid(), kde.density(), srs, {{"UNITS", "per m2"}}, -1);
    }
    std::filesystem::remove(path);
}

BENCHMARK(BM_DefaultBandwidth)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_KdeFixed500m)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_KdeDefaultBandwidth)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_WriteGeotiff)->Unit(benchmark::kMillisecond)->UseRealTime();

// The points as a GeoPackage layer "points" (EPSG:27700), in one transaction.
void write_points(const std::string& path) {
    std::filesystem::remove(path);
    auto dataset = waymark::gdal::Dataset::create_vector("GPKG", path);
    const auto srs = waymark::gdal::SpatialReference::from_epsg(27700);
    OGRLayerH layer = dataset.create_layer("points", &srs, wkbPoint);
    if (OGR_L_StartTransaction(layer) != OGRERR_NONE) {
        throw std::runtime_error("cannot start a transaction in " + path);
    }
    for (const Point& p : points()) {
        waymark::gdal::Feature feature(layer);
        OGRGeometryH geometry = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(geometry, 0, p.x, p.y);
        OGR_F_SetGeometryDirectly(feature.get(), geometry);
        if (OGR_L_CreateFeature(layer, feature.get()) != OGRERR_NONE) {
            throw std::runtime_error("cannot write a point to " + path);
        }
    }
    if (OGR_L_CommitTransaction(layer) != OGRERR_NONE) {
        throw std::runtime_error("cannot commit the points to " + path);
    }
    dataset.close();
}

} // namespace

int main(int argc, char** argv) {
    constexpr std::string_view flag = "--write-points=";
    if (argc == 2 && std::string_view(argv[1]).starts_with(flag)) {
        const std::string path(std::string_view(argv[1]).substr(flag.size()));
        write_points(path);
        std::printf("wrote %d points to %s; default bandwidth %.3f m; grid 1000 x 1000 of %g m "
                    "from (%g, %g)\n",
                    point_count, path.c_str(), waymark::geo::default_bandwidth(points(), {}), cell,
                    origin_x, origin_y);
        return 0;
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

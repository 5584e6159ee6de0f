// Gi* on 100,000 hexagonal cells (issue 5: <= 5 s with 999 permutations on
// two threads, >= 20x faster than R spdep's analytic localG on the same grid).
//
// The grid: 400 x 250 flat-topped hexagons of 100 m; counts drawn from a
// seeded Poisson process with a low background (most cells are 0) and 80
// Gaussian clusters of varying size, as aggregated incidents look. The band,
// 200.5 m, takes the first two rings: 19 neighbours for inner cells, itself
// included.
//
//   bench_gistar --write-grid=FILE   writes the grid for the spdep side
//                                    (bench/reference/gistar_spdep_bench.R)
//   bench_gistar [benchmark flags]   runs the benchmarks

#include "geo/gistar.hpp"
#include "geo/grid.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace waymark::geo;

constexpr double k_cell_size = 100;
constexpr double k_band = 200.5;

struct Cells {
    std::vector<Point> centres;
    std::vector<double> counts;
};

const Cells& cells() {
    static const Cells grid = [] {
        Cells c;
        const Grid hexagons(GridShape::hexagon, k_cell_size, {500000, 4000000});
        for (std::int32_t col = 0; col < 400; ++col) {
            for (std::int32_t row = 0; row < 250; ++row) {
                c.centres.push_back(hexagons.centre({col, row}));
            }
        }
        std::mt19937_64 random(20240501);
        std::uniform_int_distribution<std::size_t> pick(0, c.centres.size() - 1);
        std::uniform_real_distribution<double> spread(1.5, 8);
        std::uniform_real_distribution<double> peak(1, 8);
        struct Cluster {
            Point at;
            double sigma;
            double height;
        };
        std::vector<Cluster> clusters;
        for (int k = 0; k < 80; ++k) {
            clusters.push_back(
                {c.centres[pick(random)], spread(random) * k_cell_size, peak(random)});
        }
        for (const Point& p : c.centres) {
            double intensity = 0.08;
            for (const Cluster& cluster : clusters) {
                const double dx = p.x - cluster.at.x;
                const double dy = p.y - cluster.at.y;
                const double d2 = dx * dx + dy * dy;
                if (d2 < 25 * cluster.sigma * cluster.sigma) {
                    intensity +=
                        cluster.height * std::exp(-d2 / (2 * cluster.sigma * cluster.sigma));
                }
            }
            std::poisson_distribution<int> count(intensity);
            c.counts.push_back(count(random));
        }
        return c;
    }();
    return grid;
}

void run(benchmark::State& state, int permutations) {
    const Cells& c = cells();
    GiStarParams params;
    params.distance_band = k_band;
    params.permutations = permutations;
    params.threads = 2;
    params.seed = 7;
    for (auto _ : state) {
        GiStar gi(c.centres, c.counts, params);
        gi.run();
        benchmark::DoNotOptimize(gi.results().data());
    }
    std::size_t zeros = 0;
    for (double v : c.counts) {
        zeros += v == 0 ? 1 : 0;
    }
    state.counters["cells"] = static_cast<double>(c.centres.size());
    state.counters["zero_share"] =
        static_cast<double>(zeros) / static_cast<double>(c.counts.size());
}

void BM_GiStarAnalytic(benchmark::State& state) {
    run(state, 0);
}
void BM_GiStar999Permutations(benchmark::State& state) {
    run(state, 999);
}

BENCHMARK(BM_GiStarAnalytic)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GiStar999Permutations)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The same binary layout the spdep test script reads: n, x[], y[], value[].
void write_grid(const std::string& path) {
    const Cells& c = cells();
    std::ofstream file(path, std::ios::binary);
    const auto n = static_cast<double>(c.centres.size());
    file.write(reinterpret_cast<const char*>(&n), sizeof n);
    for (const Point& p : c.centres) {
        file.write(reinterpret_cast<const char*>(&p.x), sizeof p.x);
    }
    for (const Point& p : c.centres) {
        file.write(reinterpret_cast<const char*>(&p.y), sizeof p.y);
    }
    file.write(reinterpret_cast<const char*>(c.counts.data()),
               static_cast<std::streamsize>(c.counts.size() * sizeof(double)));
    std::printf("wrote %zu cells to %s (band %.1f m)\n", c.centres.size(), path.c_str(), k_band);
}

} // namespace

int main(int argc, char** argv) {
    const std::string flag = "--write-grid=";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind(flag, 0) == 0) {
            write_grid(arg.substr(flag.size()));
            return 0;
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

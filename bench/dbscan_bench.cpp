// DBSCAN on 1,000,000 points (eps 250 m, min 5), beside scikit-learn on the
// same points (bench/reference/dbscan_sklearn_bench.py).
//
//   bench_dbscan                               the Google Benchmark runs
//   bench_dbscan --write_csv=points.csv        also writes the points for scikit-learn
//   bench_dbscan --once                        one run on 2 threads, for /usr/bin/time -v
//   --points=N                                 another number of points (default 1000000)
//   --noise=0.02                               the noise share for --write_csv / --once
//   --eps=1                                    another eps for --once (memory in sparse cases)
//   --write_labels=labels.csv                  --once also writes label,core per point
//
// The points are a seeded mix in a 60 x 60 km square: 3000 Gaussian clusters
// (standard deviation 100-800 m, log-uniform; sizes log-normal) and uniform
// noise. With the 20 % noise (200,000 points: 11 within eps of a
// point on average) the noise itself is dense enough to be core and joins
// nearly everything into a few clusters; the second set has 2 % noise and
// keeps thousands of separate clusters. Every number is drawn from a counter-based stream keyed
// by (seed, point, draw), so the set does not depend on the standard
// library's distributions.

#include "geo/dbscan.hpp"

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <numbers>
#include <string>
#include <vector>

namespace {

using waymark::geo::Dbscan;
using waymark::geo::DbscanParams;
using waymark::geo::Point;

constexpr double side = 60000;
constexpr int centres = 3000;
constexpr std::uint64_t seed = 20261130;

std::size_t g_points = 1000000;
double g_noise = 0.2;
double g_eps = 250;
std::string g_labels;

std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/// Uniform in [0, 1), draw `k` of item `i` of stream `stream`.
double uniform(std::uint64_t stream, std::uint64_t i, std::uint64_t k) {
    const std::uint64_t bits = mix(mix(mix(seed ^ stream) + i) + k);
    return static_cast<double>(bits >> 11) * 0x1p-53;
}

/// Standard normal pair by Box-Muller.
std::pair<double, double> normal_pair(std::uint64_t stream, std::uint64_t i) {
    const double radius = std::sqrt(-2 * std::log(1 - uniform(stream, i, 0)));
    const double angle = 2 * std::numbers::pi * uniform(stream, i, 1);
    return {radius * std::cos(angle), radius * std::sin(angle)};
}

std::vector<Point> make_points(std::size_t count, double noise_share) {
    std::vector<Point> centre(centres);
    std::vector<double> sd(centres);
    std::vector<double> cumulative(centres);
    double total = 0;
    for (int c = 0; c < centres; ++c) {
        centre[c] = {side * uniform(1, c, 0), side * uniform(1, c, 1)};
        sd[c] = 100 * std::pow(8.0, uniform(1, c, 2)); // log-uniform 100-800 m
        total += std::exp(normal_pair(2, c).first);    // log-normal size
        cumulative[c] = total;
    }
    std::vector<Point> points(count);
    for (std::size_t i = 0; i < count; ++i) {
        if (uniform(3, i, 0) < noise_share) {
            points[i] = {side * uniform(3, i, 1), side * uniform(3, i, 2)};
            continue;
        }
        const double pick = total * uniform(3, i, 3);
        const auto c = static_cast<std::size_t>(
            std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin());
        const auto [dx, dy] = normal_pair(4, i);
        const std::size_t k = std::min<std::size_t>(c, centres - 1);
        points[i] = {centre[k].x + sd[k] * dx, centre[k].y + sd[k] * dy};
    }
    return points;
}

/// The set with 20 % noise (`sparse` false) or 2 % noise, made once.
const std::vector<Point>& points(bool sparse) {
    static const std::vector<Point> mix = make_points(g_points, 0.2);
    static const std::vector<Point> sparse_noise = make_points(g_points, 0.02);
    return sparse ? sparse_noise : mix;
}

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void BM_Dbscan(benchmark::State& state) {
    const std::vector<Point>& input = points(state.range(0) != 0);
    int clusters = 0;
    std::size_t core = 0;
    for (auto _ : state) {
        Dbscan dbscan(input, {}, DbscanParams{250, 5, static_cast<int>(state.range(1))});
        dbscan.run();
        clusters = dbscan.cluster_count();
        core = static_cast<std::size_t>(std::count(dbscan.core().begin(), dbscan.core().end(), 1));
        benchmark::DoNotOptimize(dbscan.labels().data());
    }
    state.counters["points"] = static_cast<double>(input.size());
    state.counters["clusters"] = clusters;
    state.counters["core_share"] = static_cast<double>(core) / static_cast<double>(input.size());
    state.counters["peak_rss_MB"] = peak_rss_mb();
}
BENCHMARK(BM_Dbscan)
    ->ArgNames({"sparse_noise", "threads"})
    ->ArgsProduct({{0, 1}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void write_csv(const std::string& path) {
    std::FILE* out = std::fopen(path.c_str(), "w");
    if (out == nullptr) {
        std::cerr << "cannot write " << path << '\n';
        std::exit(1);
    }
    std::fputs("x,y\n", out);
    for (const Point& p : make_points(g_points, g_noise)) {
        std::fprintf(out, "%.17g,%.17g\n", p.x, p.y);
    }
    std::fclose(out);
}

/// One run on two threads with its own timing, for /usr/bin/time -v.
void run_once() {
    const std::vector<Point> input = make_points(g_points, g_noise);
    const double before = peak_rss_mb();
    const auto start = std::chrono::steady_clock::now();
    Dbscan dbscan(input, {}, DbscanParams{g_eps, 5, 2});
    dbscan.run();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::printf("points %zu clusters %d seconds %.3f peak_rss_MB_before %.1f peak_rss_MB %.1f\n",
                input.size(), dbscan.cluster_count(), took.count(), before, peak_rss_mb());
    if (!g_labels.empty()) {
        std::FILE* out = std::fopen(g_labels.c_str(), "w");
        if (out == nullptr) {
            std::cerr << "cannot write " << g_labels << '\n';
            std::exit(1);
        }
        std::fputs("label,core\n", out);
        for (std::size_t i = 0; i < input.size(); ++i) {
            std::fprintf(out, "%d,%d\n", dbscan.labels()[i], dbscan.core()[i]);
        }
        std::fclose(out);
    }
}

} // namespace

int main(int argc, char** argv) {
    std::vector<char*> rest;
    std::string csv;
    bool once = false;
    for (int i = 0; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("--write_csv=", 0) == 0) {
            csv = arg.substr(std::strlen("--write_csv="));
        } else if (arg.rfind("--points=", 0) == 0) {
            g_points = std::stoul(arg.substr(std::strlen("--points=")));
        } else if (arg.rfind("--noise=", 0) == 0) {
            g_noise = std::stod(arg.substr(std::strlen("--noise=")));
        } else if (arg.rfind("--eps=", 0) == 0) {
            g_eps = std::stod(arg.substr(std::strlen("--eps=")));
        } else if (arg.rfind("--write_labels=", 0) == 0) {
            g_labels = arg.substr(std::strlen("--write_labels="));
        } else if (arg == "--once") {
            once = true;
        } else {
            rest.push_back(argv[i]);
        }
    }
    if (!csv.empty()) {
        write_csv(csv);
    }
    if (once) {
        run_once();
        return 0;
    }
    int count = static_cast<int>(rest.size());
    benchmark::Initialize(&count, rest.data());
    if (benchmark::ReportUnrecognizedArguments(count, rest.data())) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

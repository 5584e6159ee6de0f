#include "base/error.hpp"
#include "geo/dbscan.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace waymark::geo {
namespace {

using waymark::testing::message_of;
using waymark::testing::TempDir;

constexpr const char* python = "/usr/bin/python3";

std::string exact(double value) {
    std::array<char, 40> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.17g", value);
    return buffer.data();
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// What scikit-learn says about each point (tests/geo/reference/dbscan_sklearn.py).
struct Reference {
    std::vector<int> label;   ///< scikit-learn's own labels
    std::vector<int> core;    ///< 1 if scikit-learn made the point core
    std::vector<int> nearest; ///< its clusters with a border point going to its nearest core
};

Reference run_sklearn(const std::vector<Point>& points, const std::vector<double>& weights,
                      double eps, int min_samples, const std::string& algorithm = "kd_tree") {
    Reference reference;
    if (!std::filesystem::exists(python)) {
        ADD_FAILURE() << python << " is missing: `make test` installs it with scikit-learn";
        return reference;
    }
    const TempDir dir;
    const std::string input = dir.file("points.csv");
    const std::string output = dir.file("labels.csv");
    const std::string errors = dir.file("stderr.txt");
    {
        std::ofstream out(input);
        out << (weights.empty() ? "x,y\n" : "x,y,w\n");
        for (std::size_t i = 0; i < points.size(); ++i) {
            out << exact(points[i].x) << ',' << exact(points[i].y);
            if (!weights.empty()) {
                out << ',' << exact(weights[i]);
            }
            out << '\n';
        }
    }
    const std::string command = std::string(python) + " " + WAYMARK_SOURCE_DIR +
                                "/tests/geo/reference/dbscan_sklearn.py " + input + " " + output +
                                " " + exact(eps) + " " + std::to_string(min_samples) + " " +
                                algorithm + " 2>" + errors;
    if (std::system(command.c_str()) != 0) {
        ADD_FAILURE() << "scikit-learn's DBSCAN failed (`make test` installs scikit-learn "
                         "1.2.1 for /usr/bin/python3):\n"
                      << read_file(errors);
        return reference;
    }
    std::ifstream in(output);
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        int label = 0;
        int core = 0;
        int nearest = 0;
        if (std::sscanf(line.c_str(), "%d,%d,%d", &label, &core, &nearest) != 3) {
            ADD_FAILURE() << "unreadable line from the reference: " << line;
            return reference;
        }
        reference.label.push_back(label);
        reference.core.push_back(core);
        reference.nearest.push_back(nearest);
    }
    EXPECT_EQ(reference.label.size(), points.size());
    return reference;
}

struct Counts {
    int core = 0;
    int border = 0;
    int noise = 0;
    int border_differs = 0; ///< border points where scikit-learn chose another cluster
};

/// Runs both on the same points and asserts: identical core flags, identical
/// noise, identical clusters of core points (the same numbering too: both
/// number clusters by their lowest-indexed core point), and every border
/// point in the cluster of its nearest core point as computed by the script.
Counts expect_same_as_sklearn(const std::vector<Point>& points, const std::vector<double>& weights,
                              double eps, int min_samples,
                              const std::string& algorithm = "kd_tree") {
    Dbscan dbscan(points, weights, DbscanParams{eps, static_cast<double>(min_samples), 2});
    dbscan.run();
    const Reference reference = run_sklearn(points, weights, eps, min_samples, algorithm);
    Counts counts;
    if (reference.label.size() != points.size()) {
        return counts;
    }
    int mismatches = 0;
    for (std::size_t i = 0; i < points.size() && mismatches < 10; ++i) {
        const int ours = dbscan.labels()[i];
        const bool core = dbscan.core()[i] != 0;
        const bool same = core == (reference.core[i] != 0) &&
                          (ours == Dbscan::noise) == (reference.label[i] == -1) &&
                          (!core || ours == reference.label[i]) && ours == reference.nearest[i];
        if (!same) {
            ++mismatches;
            ADD_FAILURE() << "point " << i << " (" << exact(points[i].x) << ", "
                          << exact(points[i].y) << "): ours label " << ours << " core " << core
                          << "; scikit-learn label " << reference.label[i] << " core "
                          << reference.core[i] << ", nearest-core label " << reference.nearest[i];
        }
        if (core) {
            ++counts.core;
        } else if (ours == Dbscan::noise) {
            ++counts.noise;
        } else {
            ++counts.border;
            counts.border_differs += ours != reference.label[i] ? 1 : 0;
        }
    }
    const int reference_clusters =
        reference.label.empty()
            ? 0
            : *std::max_element(reference.label.begin(), reference.label.end()) + 1;
    EXPECT_EQ(dbscan.cluster_count(), reference_clusters);
    return counts;
}

Point offset(Point p) {
    return {p.x + 500000, p.y + 5000000};
}

/// Gaussian clusters of several sizes and spreads plus uniform noise, in
/// UTM-like coordinates (large offsets make rounding realistic).
std::vector<Point> clustered(std::size_t count, int clusters, double extent, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> uniform(0, extent);
    std::uniform_real_distribution<double> spread(60, 400);
    std::vector<Point> centres;
    std::vector<double> sds;
    for (int c = 0; c < clusters; ++c) {
        centres.push_back({uniform(random), uniform(random)});
        sds.push_back(spread(random));
    }
    std::vector<Point> points;
    for (std::size_t i = 0; i < count; ++i) {
        if (i % 5 == 0) {
            points.push_back(offset({uniform(random), uniform(random)}));
            continue;
        }
        // Cluster c gets a share that falls with c: sizes vary.
        const auto c = static_cast<std::size_t>(clusters * std::pow(uniform(random) / extent, 2));
        std::normal_distribution<double> normal(0, sds[c]);
        points.push_back(offset({centres[c].x + normal(random), centres[c].y + normal(random)}));
    }
    return points;
}

TEST(Dbscan, ClusteredPointsWithNoiseMatchScikitLearn) {
    const std::vector<Point> points = clustered(3000, 12, 10000, 1);
    const Counts counts = expect_same_as_sklearn(points, {}, 250, 5);
    // The case exercises all three kinds, and border points where the rules differ.
    EXPECT_GT(counts.core, 1000);
    EXPECT_GT(counts.border, 50);
    EXPECT_GT(counts.noise, 50);
}

TEST(Dbscan, SmallerEpsAndLargerMinSamplesMatchScikitLearnWithAutoAlgorithm) {
    const std::vector<Point> points = clustered(2500, 20, 8000, 2);
    const Counts counts = expect_same_as_sklearn(points, {}, 120, 9, "auto");
    EXPECT_GT(counts.core, 300);
    EXPECT_GT(counts.border, 50);
    EXPECT_GT(counts.noise, 300);
}

TEST(Dbscan, WeightedDuplicatesMatchScikitLearn) {
    // Repeated locations with weights whose sums are exact in binary, so that
    // the threshold test cannot depend on summation order.
    std::mt19937_64 random(3);
    std::uniform_real_distribution<double> uniform(0, 3000);
    std::uniform_int_distribution<int> repeats(1, 4);
    const std::vector<double> choices = {0, 0.25, 0.5, 1, 1, 2, 3};
    std::uniform_int_distribution<std::size_t> pick(0, choices.size() - 1);
    std::vector<Point> points;
    std::vector<double> weights;
    for (int location = 0; location < 500; ++location) {
        const Point at = offset({uniform(random), uniform(random)});
        for (int r = repeats(random); r > 0; --r) {
            points.push_back(at);
            weights.push_back(choices[pick(random)]);
        }
    }
    const Counts counts = expect_same_as_sklearn(points, weights, 150, 6);
    EXPECT_GT(counts.core, 100);
    EXPECT_GT(counts.border, 20);
    EXPECT_GT(counts.noise, 20);
}

TEST(Dbscan, AllNoiseMatchesScikitLearn) {
    std::vector<Point> points;
    for (int i = 0; i < 30; ++i) {
        for (int j = 0; j < 30; ++j) {
            points.push_back(offset({i * 300.0, j * 300.0}));
        }
    }
    const Counts counts = expect_same_as_sklearn(points, {}, 250, 2);
    EXPECT_EQ(counts.noise, 900);
}

TEST(Dbscan, OneBigClusterMatchesScikitLearn) {
    std::mt19937_64 random(4);
    std::uniform_real_distribution<double> uniform(0, 1000);
    std::vector<Point> points;
    for (int i = 0; i < 2000; ++i) {
        points.push_back(offset({uniform(random), uniform(random)}));
    }
    const Counts counts = expect_same_as_sklearn(points, {}, 250, 5);
    EXPECT_EQ(counts.core, 2000);
}

TEST(Dbscan, PointsExactlyEpsApartAreNeighboursAsInScikitLearn) {
    // A lattice of spacing exactly eps: an inside point has itself and four
    // neighbours at exactly eps, so with min_samples 5 it is core only if
    // distance == eps counts; edge points have four and are border points.
    // A chain of 3-4-5 triangles links points exactly eps apart diagonally.
    // A cross whose arms are one ulp longer than eps, and a lattice 1e-9
    // wider than eps, must stay noise.
    const double eps = 250;
    std::vector<Point> points;
    for (int i = 0; i < 12; ++i) {
        for (int j = 0; j < 12; ++j) {
            points.push_back(offset({i * eps, j * eps}));
        }
    }
    for (int k = 0; k < 5; ++k) {
        points.push_back(offset({-10000 + 150.0 * k, 200.0 * k}));
    }
    const double ulp_wider = std::nextafter(eps, 1000.0);
    for (const Point p : {Point{0, 0}, Point{ulp_wider, 0}, Point{-ulp_wider, 0},
                          Point{0, ulp_wider}, Point{0, -ulp_wider}}) {
        points.push_back(p);
    }
    for (int i = 0; i < 6; ++i) {
        for (int j = 0; j < 6; ++j) {
            points.push_back({5000 + i * (eps + 1e-9), 5000 + j * (eps + 1e-9)});
        }
    }
    const Counts counts = expect_same_as_sklearn(points, {}, eps, 5);
    EXPECT_EQ(counts.core, 10 * 10);
    EXPECT_EQ(counts.border, 4 * 10);
    EXPECT_EQ(counts.noise, 4 + 5 + 5 + 36);
    // With min_samples 3 the triangle chain's inner points are core on exact-eps links.
    const Counts chain = expect_same_as_sklearn(points, {}, eps, 3);
    EXPECT_EQ(chain.core, 12 * 12 + 3);
}

TEST(Dbscan, GroupsFarApartUseTheHashedGridAndMatchScikitLearn) {
    // The bounding box would hold ~10^13 cells of side eps/√2: the grid must
    // hash its cells rather than allocate them.
    std::mt19937_64 random(5);
    std::normal_distribution<double> normal(0, 6);
    std::vector<Point> points;
    for (int group = 0; group < 8; ++group) {
        const Point centre{(group % 3) * 1.0e7, (group / 3) * 7.0e6};
        for (int i = 0; i < 150; ++i) {
            points.push_back({centre.x + normal(random), centre.y + normal(random)});
        }
    }
    const Counts counts = expect_same_as_sklearn(points, {}, 4, 6);
    EXPECT_GT(counts.core, 500);
    EXPECT_GT(counts.border + counts.noise, 20);
}

TEST(Dbscan, BorderPointJoinsTheClusterOfItsNearestCorePoint) {
    // Worked by hand, eps 10, min_samples 4. Cluster 0: four points around
    // (0, 0); cluster 1: four points from (19, 0) eastwards. Point 8 at
    // (10, 0) is 10 from (0, 0) and 9 from (19, 0): scikit-learn gives it to
    // cluster 0 (found first), the nearest core point is in cluster 1.
    // Point 17 at (109.5, 0) is 9.5 from (100, 0), a core of cluster 2, and
    // 9.5 from (119, 0), a core of cluster 3: the tie goes to the core point
    // with the lower index, (119, 0) = point 10, though cluster 2 comes first.
    const std::vector<Point> points = {
        {0, 0},     {0, 1},   {0, 2},    {0, 3},   // 0-3: cluster 0
        {19, 0},    {21, 0},  {23, 0},   {25, 0},  // 4-7: cluster 1
        {10, 0},                                   // 8: border
        {96, 0},                                   // 9: cluster 2
        {119, 0},   {121, 0}, {123, 0},  {125, 0}, // 10-13: cluster 3
        {100, 0},   {100, 4}, {100, -4},           // 14-16: cluster 2
        {109.5, 0},                                // 17: border, tie
        {60, 60}};                                 // 18: noise
    Dbscan dbscan(points, {}, DbscanParams{10, 4, 1});
    dbscan.run();
    const std::vector<int> expected = {
        0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 2, 2, 2, 3, Dbscan::noise};
    EXPECT_EQ(dbscan.labels(), expected);
    EXPECT_EQ(dbscan.cluster_count(), 4);
    const std::vector<std::uint8_t> core = {1, 1, 1, 1, 1, 1, 1, 1, 0, 1,
                                            1, 1, 1, 1, 1, 1, 1, 0, 0};
    EXPECT_EQ(dbscan.core(), core);

    const Reference reference = run_sklearn(points, {}, 10, 4);
    ASSERT_EQ(reference.label.size(), points.size());
    EXPECT_EQ(reference.label[8], 0) << "scikit-learn's first-come rule";
    EXPECT_EQ(reference.label[17], 2) << "scikit-learn's first-come rule";
    EXPECT_EQ(reference.nearest, std::vector<int>(expected.begin(), expected.end()));
}

TEST(Dbscan, APointsOwnWeightCounts) {
    const std::vector<Point> points = {{0, 0}, {1000, 0}, {1003, 0}};
    const std::vector<double> weights = {5, 2, 2.5};
    Dbscan dbscan(points, weights, DbscanParams{5, 4.5, 1});
    dbscan.run();
    EXPECT_EQ(dbscan.labels(), (std::vector<int>{0, 1, 1}));
    EXPECT_EQ(dbscan.core(), (std::vector<std::uint8_t>{1, 1, 1}));
}

/// Whether two labellings make the same partition (a bijection between
/// cluster numbers, noise to noise).
bool same_partition(const std::vector<int>& a, const std::vector<int>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    std::map<int, int> forward;
    std::map<int, int> backward;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if ((a[i] == Dbscan::noise) != (b[i] == Dbscan::noise)) {
            return false;
        }
        const auto [f, f_new] = forward.emplace(a[i], b[i]);
        const auto [g, g_new] = backward.emplace(b[i], a[i]);
        if (f->second != b[i] || g->second != a[i]) {
            return false;
        }
    }
    return true;
}

TEST(Dbscan, ResultsDoNotDependOnThreadsOrInputOrder) {
    const std::vector<Point> points = clustered(20000, 40, 20000, 6);
    std::vector<double> weights(points.size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
        weights[i] = static_cast<double>(1 + i % 3);
    }
    const auto run = [&](const std::vector<Point>& p, const std::vector<double>& w, int threads) {
        Dbscan dbscan(p, w, DbscanParams{200, 8, threads});
        dbscan.run();
        return dbscan;
    };
    const Dbscan one = run(points, weights, 1);
    EXPECT_GT(one.cluster_count(), 10);
    for (const int threads : {2, 4}) {
        const Dbscan many = run(points, weights, threads);
        EXPECT_EQ(many.labels(), one.labels()) << threads << " threads";
        EXPECT_EQ(many.core(), one.core()) << threads << " threads";
    }

    std::vector<std::size_t> order(points.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
    std::vector<Point> shuffled_points;
    std::vector<double> shuffled_weights;
    for (const std::size_t i : order) {
        shuffled_points.push_back(points[i]);
        shuffled_weights.push_back(weights[i]);
    }
    const Dbscan shuffled = run(shuffled_points, shuffled_weights, 4);
    std::vector<int> back(points.size());
    std::vector<std::uint8_t> back_core(points.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
        back[order[k]] = shuffled.labels()[k];
        back_core[order[k]] = shuffled.core()[k];
    }
    EXPECT_EQ(back_core, one.core());
    EXPECT_TRUE(same_partition(back, one.labels()));
    EXPECT_EQ(shuffled.cluster_count(), one.cluster_count());
}

TEST(Dbscan, EmptyInputHasNoClusters) {
    Dbscan dbscan({}, {}, DbscanParams{});
    dbscan.run();
    EXPECT_TRUE(dbscan.labels().empty());
    EXPECT_TRUE(dbscan.core().empty());
    EXPECT_EQ(dbscan.cluster_count(), 0);
}

TEST(Dbscan, BadParametersAndWeightsAreRefused) {
    const std::vector<Point> points = {{0, 0}, {1, 1}};
    const auto message = [&](DbscanParams params, std::vector<double> weights = {},
                             std::vector<Point> at = {}) {
        const std::vector<Point>& used = at.empty() ? points : at;
        return message_of<InputError>([&] { Dbscan dbscan(used, weights, params); });
    };
    EXPECT_EQ(message({0, 5, 0}), "DBSCAN: eps must be a finite number greater than 0, got 0");
    EXPECT_EQ(message({-2.5, 5, 0}),
              "DBSCAN: eps must be a finite number greater than 0, got -2.5");
    EXPECT_EQ(message({std::numeric_limits<double>::infinity(), 5, 0}),
              "DBSCAN: eps must be a finite number greater than 0, got inf");
    EXPECT_EQ(message({std::nan(""), 5, 0}),
              "DBSCAN: eps must be a finite number greater than 0, got nan");
    EXPECT_EQ(message({250, 0, 0}),
              "DBSCAN: min_weight must be a finite number greater than 0, got 0");
    EXPECT_EQ(message({250, 5, -1}), "DBSCAN: threads must be 0 (one per core) or more, got -1");
    EXPECT_EQ(message({250, 5, 0}, {1}),
              "DBSCAN: weights must be empty or one per point, got 1 weights for 2 points");
    EXPECT_EQ(message({250, 5, 0}, {1, -0.5}),
              "DBSCAN: the weight of point 1 must be a finite number >= 0, got -0.5");
    EXPECT_EQ(message({250, 5, 0}, {std::nan(""), 1}),
              "DBSCAN: the weight of point 0 must be a finite number >= 0, got nan");
    EXPECT_EQ(message({250, 5, 0}, {}, {{0, 0}, {1, std::numeric_limits<double>::infinity()}}),
              "DBSCAN: point 1 has a coordinate that is not finite (1, inf)");
    EXPECT_EQ(message({1e-9, 5, 0}, {}, {{0, 0}, {1e6, 2e6}}),
              "DBSCAN: eps = 1e-09 is too small for the extent of the points (1000000 by "
              "2000000)");
}

} // namespace
} // namespace waymark::geo

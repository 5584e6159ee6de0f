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

/// One input for both implementations.
struct Case {
    std::vector<Point> points;
    std::vector<double> weights;
    double eps = 250;
    int min_samples = 5;
    std::string algorithm = "kd_tree";
};

void write_points(const std::string& path, const Case& input) {
    std::ofstream out(path);
    out << (input.weights.empty() ? "x,y\n" : "x,y,w\n");
    for (std::size_t i = 0; i < input.points.size(); ++i) {
        out << exact(input.points[i].x) << ',' << exact(input.points[i].y);
        if (!input.weights.empty()) {
            out << ',' << exact(input.weights[i]);
        }
        out << '\n';
    }
}

Reference read_reference(const std::string& path) {
    Reference reference;
    std::ifstream in(path);
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        int label = 0;
        int core = 0;
        int nearest = 0;
        if (std::sscanf(line.c_str(), "%d,%d,%d", &label, &core, &nearest) != 3) {
            break;
        }
        reference.label.push_back(label);
        reference.core.push_back(core);
        reference.nearest.push_back(nearest);
    }
    return reference;
}

/// Runs scikit-learn on every case in one process (importing it takes over
/// a second), keyed like `cases`. Returns an error message, or "".
std::string run_sklearn(const std::map<std::string, Case>& cases,
                        std::map<std::string, Reference>& references) {
    if (!std::filesystem::exists(python)) {
        return std::string(python) + " is missing: `make test` installs it with scikit-learn";
    }
    const TempDir dir;
    const std::string jobs = dir.file("jobs.txt");
    {
        std::ofstream out(jobs);
        for (const auto& [name, input] : cases) {
            write_points(dir.file(name + ".csv"), input);
            out << dir.file(name + ".csv") << ' ' << dir.file(name + ".labels.csv") << ' '
                << exact(input.eps) << ' ' << input.min_samples << ' ' << input.algorithm << '\n';
        }
    }
    const std::string errors = dir.file("stderr.txt");
    const std::string command = std::string(python) + " " + WAYMARK_SOURCE_DIR +
                                "/tests/geo/reference/dbscan_sklearn.py --jobs " + jobs + " 2>" +
                                errors;
    if (std::system(command.c_str()) != 0) {
        return "scikit-learn's DBSCAN failed (`make test` installs scikit-learn 1.2.1 for "
               "/usr/bin/python3):\n" +
               read_file(errors);
    }
    for (const auto& [name, input] : cases) {
        references[name] = read_reference(dir.file(name + ".labels.csv"));
    }
    return "";
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

/// Repeated locations with weights whose sums are exact in binary, so that
/// the threshold test cannot depend on summation order.
Case weighted_duplicates() {
    std::mt19937_64 random(3);
    std::uniform_real_distribution<double> uniform(0, 3000);
    std::uniform_int_distribution<int> repeats(1, 4);
    const std::vector<double> choices = {0, 0.25, 0.5, 1, 1, 2, 3};
    std::uniform_int_distribution<std::size_t> pick(0, choices.size() - 1);
    Case input;
    input.eps = 150;
    input.min_samples = 6;
    for (int location = 0; location < 500; ++location) {
        const Point at = offset({uniform(random), uniform(random)});
        for (int r = repeats(random); r > 0; --r) {
            input.points.push_back(at);
            input.weights.push_back(choices[pick(random)]);
        }
    }
    return input;
}

/// A lattice of spacing exactly eps: an inside point has itself and four
/// neighbours at exactly eps, so with min_samples 5 it is core only if
/// distance == eps counts; edge points have four and are border points. A
/// chain of 3-4-5 triangles links points exactly eps apart diagonally. A
/// cross whose arms are one ulp longer than eps, and a lattice 1e-9 wider
/// than eps, must stay noise.
Case eps_boundary(int min_samples) {
    Case input;
    input.eps = 250;
    input.min_samples = min_samples;
    std::vector<Point>& points = input.points;
    for (int i = 0; i < 12; ++i) {
        for (int j = 0; j < 12; ++j) {
            points.push_back(offset({i * input.eps, j * input.eps}));
        }
    }
    for (int k = 0; k < 5; ++k) {
        points.push_back(offset({-10000 + 150.0 * k, 200.0 * k}));
    }
    const double ulp_wider = std::nextafter(input.eps, 1000.0);
    for (const Point p : {Point{0, 0}, Point{ulp_wider, 0}, Point{-ulp_wider, 0},
                          Point{0, ulp_wider}, Point{0, -ulp_wider}}) {
        points.push_back(p);
    }
    for (int i = 0; i < 6; ++i) {
        for (int j = 0; j < 6; ++j) {
            points.push_back({5000 + i * (input.eps + 1e-9), 5000 + j * (input.eps + 1e-9)});
        }
    }
    return input;
}

/// The lattice again with a twin 0.5 m above every point, so that cells hold
/// several points and distances are tested one by one: each point then has
/// itself, its twin, one twin at 249.5 and four points at exactly eps; with
/// min_samples 7 an inside point is core only if distance == eps counts.
Case eps_boundary_twins() {
    Case input;
    input.eps = 250;
    input.min_samples = 7;
    for (int i = 0; i < 10; ++i) {
        for (int j = 0; j < 10; ++j) {
            input.points.push_back(offset({i * input.eps, j * input.eps}));
            input.points.push_back(offset({i * input.eps, j * input.eps + 0.5}));
        }
    }
    return input;
}

/// Groups thousands of kilometres apart. With eps 4 the bounding box holds
/// ~10^13 cells of side eps/√2: too many to count over, so the grid radix-sorts
/// 64-bit cell keys. With eps 1 mm it holds ~10^20, whose keys overflow 64
/// bits, so it sorts (row, column) pairs.
Case far_apart_groups(double eps, double sd) {
    std::mt19937_64 random(5);
    std::normal_distribution<double> normal(0, sd);
    Case input;
    input.eps = eps;
    input.min_samples = 6;
    for (int group = 0; group < 8; ++group) {
        const Point centre{(group % 3) * 1.0e7, (group / 3) * 7.0e6};
        for (int i = 0; i < 150; ++i) {
            input.points.push_back({centre.x + normal(random), centre.y + normal(random)});
        }
    }
    return input;
}

/// Worked by hand, eps 10, min_samples 4. Cluster 0: four points around
/// (0, 0); cluster 1: four points from (19, 0) eastwards. Point 8 at (10, 0)
/// is 10 from (0, 0) and 9 from (19, 0): scikit-learn gives it to cluster 0
/// (found first), the nearest core point is in cluster 1. Point 17 at
/// (109.5, 0) is 9.5 from (100, 0), a core of cluster 2, and 9.5 from
/// (119, 0), a core of cluster 3: the tie goes to the core point with the
/// lower index, (119, 0) = point 10, though cluster 2 comes first.
Case border_by_hand() {
    Case input;
    input.eps = 10;
    input.min_samples = 4;
    input.points = {{0, 0},     {0, 1},   {0, 2},    {0, 3},   // 0-3: cluster 0
                    {19, 0},    {21, 0},  {23, 0},   {25, 0},  // 4-7: cluster 1
                    {10, 0},                                   // 8: border
                    {96, 0},                                   // 9: cluster 2
                    {119, 0},   {121, 0}, {123, 0},  {125, 0}, // 10-13: cluster 3
                    {100, 0},   {100, 4}, {100, -4},           // 14-16: cluster 2
                    {109.5, 0},                                // 17: border, tie
                    {60, 60}};                                 // 18: noise
    return input;
}

std::map<std::string, Case> all_cases() {
    std::map<std::string, Case> cases;
    cases["clustered"] = Case{clustered(3000, 12, 10000, 1), {}, 250, 5, "kd_tree"};
    cases["clustered_auto"] = Case{clustered(2500, 20, 8000, 2), {}, 120, 9, "auto"};
    cases["weighted"] = weighted_duplicates();
    std::vector<Point> lattice;
    for (int i = 0; i < 30; ++i) {
        for (int j = 0; j < 30; ++j) {
            lattice.push_back(offset({i * 300.0, j * 300.0}));
        }
    }
    cases["all_noise"] = Case{lattice, {}, 250, 2, "kd_tree"};
    std::mt19937_64 random(4);
    std::uniform_real_distribution<double> uniform(0, 1000);
    std::vector<Point> square;
    for (int i = 0; i < 2000; ++i) {
        square.push_back(offset({uniform(random), uniform(random)}));
    }
    cases["one_cluster"] = Case{square, {}, 250, 5, "kd_tree"};
    cases["boundary_5"] = eps_boundary(5);
    cases["boundary_3"] = eps_boundary(3);
    cases["boundary_twins"] = eps_boundary_twins();
    cases["far_apart"] = far_apart_groups(4, 6);
    cases["far_apart_mm"] = far_apart_groups(0.001, 0.0015);
    cases["border_by_hand"] = border_by_hand();
    return cases;
}

struct Counts {
    int core = 0;
    int border = 0;
    int noise = 0;
    int border_differs = 0; ///< border points where scikit-learn chose another cluster
};

/// The cases, run through scikit-learn once for the whole suite.
class DbscanVsScikitLearn : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_cases = all_cases();
        s_error = run_sklearn(s_cases, s_references);
    }

    static const Case& input(const std::string& name) { return s_cases.at(name); }

    static const Reference& reference(const std::string& name) {
        static const Reference empty;
        const auto found = s_references.find(name);
        return found == s_references.end() ? empty : found->second;
    }

    /// Runs ours on a case and asserts: identical core flags, identical
    /// noise, identical clusters of core points (the same numbering too:
    /// both number clusters by their lowest-indexed core point), and every
    /// border point in the cluster of its nearest core point as computed by
    /// the script from scikit-learn's clusters.
    static Counts expect_same(const std::string& name) {
        Counts counts;
        if (!s_error.empty()) {
            ADD_FAILURE() << s_error;
            return counts;
        }
        const Case& given = input(name);
        const Reference& expected = reference(name);
        if (expected.label.size() != given.points.size()) {
            ADD_FAILURE() << "the reference gave " << expected.label.size() << " labels for "
                          << given.points.size() << " points";
            return counts;
        }
        Dbscan dbscan(given.points, given.weights,
                      DbscanParams{given.eps, static_cast<double>(given.min_samples), 2});
        dbscan.run();
        int mismatches = 0;
        for (std::size_t i = 0; i < given.points.size(); ++i) {
            const int ours = dbscan.labels()[i];
            const bool core = dbscan.core()[i] != 0;
            const bool same = core == (expected.core[i] != 0) &&
                              (ours == Dbscan::noise) == (expected.label[i] == -1) &&
                              (!core || ours == expected.label[i]) && ours == expected.nearest[i];
            if (!same && ++mismatches <= 10) {
                ADD_FAILURE() << name << ": point " << i << " (" << exact(given.points[i].x) << ", "
                              << exact(given.points[i].y) << "): ours label " << ours << " core "
                              << core << "; scikit-learn label " << expected.label[i] << " core "
                              << expected.core[i] << ", nearest-core label " << expected.nearest[i];
            }
            if (core) {
                ++counts.core;
            } else if (ours == Dbscan::noise) {
                ++counts.noise;
            } else {
                ++counts.border;
                counts.border_differs += ours != expected.label[i] ? 1 : 0;
            }
        }
        EXPECT_EQ(mismatches, 0) << name;
        const int reference_clusters =
            expected.label.empty()
                ? 0
                : *std::max_element(expected.label.begin(), expected.label.end()) + 1;
        EXPECT_EQ(dbscan.cluster_count(), reference_clusters) << name;
        return counts;
    }

private:
    static inline std::map<std::string, Case> s_cases;
    static inline std::map<std::string, Reference> s_references;
    static inline std::string s_error;
};

TEST_F(DbscanVsScikitLearn, ClusteredPointsWithNoise) {
    const Counts counts = expect_same("clustered");
    // The case exercises all three kinds.
    EXPECT_GT(counts.core, 1000);
    EXPECT_GT(counts.border, 50);
    EXPECT_GT(counts.noise, 50);
}

TEST_F(DbscanVsScikitLearn, SmallerEpsLargerMinSamplesAndTheAutoAlgorithm) {
    const Counts counts = expect_same("clustered_auto");
    EXPECT_GT(counts.core, 300);
    EXPECT_GT(counts.border, 50);
    EXPECT_GT(counts.noise, 300);
    // Border points where scikit-learn's first-come rule and ours differ.
    EXPECT_GT(counts.border_differs, 0);
}

TEST_F(DbscanVsScikitLearn, WeightedDuplicates) {
    const Counts counts = expect_same("weighted");
    EXPECT_GT(counts.core, 100);
    EXPECT_GT(counts.border, 20);
    EXPECT_GT(counts.noise, 20);
    EXPECT_GT(counts.border_differs, 0);
}

TEST_F(DbscanVsScikitLearn, AllNoise) {
    EXPECT_EQ(expect_same("all_noise").noise, 900);
}

TEST_F(DbscanVsScikitLearn, OneBigCluster) {
    EXPECT_EQ(expect_same("one_cluster").core, 2000);
}

TEST_F(DbscanVsScikitLearn, PointsExactlyEpsApartAreNeighbours) {
    const Counts counts = expect_same("boundary_5");
    EXPECT_EQ(counts.core, 10 * 10);
    EXPECT_EQ(counts.border, 4 * 10);
    EXPECT_EQ(counts.noise, 4 + 5 + 5 + 36);
    // With min_samples 3 the chain's inner points are core on exact-eps links.
    EXPECT_EQ(expect_same("boundary_3").core, 12 * 12 + 3);
    EXPECT_GE(expect_same("boundary_twins").core, 2 * 8 * 8);
}

TEST_F(DbscanVsScikitLearn, GroupsFarApartUseASortedGrid) {
    for (const char* name : {"far_apart", "far_apart_mm"}) {
        const Counts counts = expect_same(name);
        EXPECT_GT(counts.core, 500) << name;
        EXPECT_GT(counts.border + counts.noise, 20) << name;
    }
}

TEST_F(DbscanVsScikitLearn, BorderPointJoinsTheClusterOfItsNearestCorePoint) {
    const Case& given = input("border_by_hand");
    Dbscan dbscan(given.points, {}, DbscanParams{given.eps, 4, 1});
    dbscan.run();
    const std::vector<int> expected = {
        0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 2, 2, 2, 3, Dbscan::noise};
    EXPECT_EQ(dbscan.labels(), expected);
    EXPECT_EQ(dbscan.cluster_count(), 4);
    const std::vector<std::uint8_t> core = {1, 1, 1, 1, 1, 1, 1, 1, 0, 1,
                                            1, 1, 1, 1, 1, 1, 1, 0, 0};
    EXPECT_EQ(dbscan.core(), core);

    const Counts counts = expect_same("border_by_hand");
    EXPECT_EQ(counts.border_differs, 2);
    const Reference& sklearn = reference("border_by_hand");
    ASSERT_EQ(sklearn.label.size(), given.points.size());
    EXPECT_EQ(sklearn.label[8], 0) << "scikit-learn's first-come rule";
    EXPECT_EQ(sklearn.label[17], 2) << "scikit-learn's first-come rule";
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

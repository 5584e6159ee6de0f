// Gi* against R spdep on the same grid and weights (z to 1e-9, neighbour
// counts exactly, bounds included), Moran's I against spdep::moran.test, the
// Benjamini-Hochberg bins on a hand-worked case, conditional permutations
// (thread-count independent, seeded, close to the normal approximation where
// it holds) and the ArcGIS-style scale of analysis.

#include "base/error.hpp"
#include "geo/gistar.hpp"
#include "geo/grid.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace waymark::geo {
namespace {

using waymark::testing::message_of;
using waymark::testing::TempDir;

const std::string k_script =
    std::string(WAYMARK_SOURCE_DIR) + "/tests/geo/reference/gistar_spdep.R";

bool have_rscript() {
    return std::system("command -v Rscript > /dev/null 2>&1") == 0;
}

/// Runs the spdep reference script on the points and values and returns the
/// doubles it wrote; fails the test (and returns nothing) if R cannot run.
std::vector<double> run_spdep(const std::string& mode, const std::vector<Point>& points,
                              const std::vector<double>& values, const std::vector<double>& bands,
                              std::size_t expected_count) {
    if (!have_rscript()) {
        ADD_FAILURE() << "Rscript (with the R package spdep) is not installed; `make test` "
                         "installs it";
        return {};
    }
    const TempDir dir;
    const std::string in = dir.file("input.bin");
    const std::string out = dir.file("output.bin");
    {
        std::ofstream file(in, std::ios::binary);
        const auto n = static_cast<double>(points.size());
        file.write(reinterpret_cast<const char*>(&n), sizeof n);
        for (const Point& p : points) {
            file.write(reinterpret_cast<const char*>(&p.x), sizeof p.x);
        }
        for (const Point& p : points) {
            file.write(reinterpret_cast<const char*>(&p.y), sizeof p.y);
        }
        file.write(reinterpret_cast<const char*>(values.data()),
                   static_cast<std::streamsize>(values.size() * sizeof(double)));
    }
    std::string command =
        "Rscript --vanilla '" + k_script + "' " + mode + " '" + in + "' '" + out + "'";
    for (double band : bands) {
        char text[64];
        std::snprintf(text, sizeof text, " %.17g", band);
        command += text;
    }
    command += " > '" + dir.file("r.log") + "' 2>&1";
    if (std::system(command.c_str()) != 0) {
        std::ifstream log(dir.file("r.log"));
        const std::string text((std::istreambuf_iterator<char>(log)), {});
        ADD_FAILURE() << "the spdep reference script failed (`make test` installs R and spdep):\n"
                      << text;
        return {};
    }
    std::ifstream file(out, std::ios::binary);
    std::vector<double> result(expected_count);
    file.read(reinterpret_cast<char*>(result.data()),
              static_cast<std::streamsize>(result.size() * sizeof(double)));
    EXPECT_TRUE(file) << "the spdep reference script wrote fewer than " << expected_count
                      << " numbers";
    return result;
}

/// Centres of a hexagonal patch of grid cells, with their origin in negative
/// coordinates, and counts like aggregated incidents: mostly zeros, a few
/// clusters of high counts.
struct Fixture {
    std::vector<Point> centres;
    std::vector<double> counts;
};

Fixture hex_counts(int cols, int rows, double cell_size, std::uint64_t seed, double sigma = 3) {
    const Grid grid(GridShape::hexagon, cell_size, {-52345.25, -1234.5});
    Fixture f;
    for (std::int32_t col = 0; col < cols; ++col) {
        for (std::int32_t row = 0; row < rows; ++row) {
            f.centres.push_back(grid.centre({col - cols / 2, row - rows / 2}));
        }
    }
    std::mt19937_64 random(seed);
    std::uniform_int_distribution<std::size_t> pick(0, f.centres.size() - 1);
    std::vector<Point> hot;
    for (int h = 0; h < 4; ++h) {
        hot.push_back(f.centres[pick(random)]);
    }
    for (const Point& c : f.centres) {
        double intensity = 0.3;
        for (const Point& h : hot) {
            const double dx = c.x - h.x;
            const double dy = c.y - h.y;
            intensity +=
                6 * std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma * cell_size * cell_size));
        }
        std::poisson_distribution<int> count(intensity);
        f.counts.push_back(count(random));
    }
    return f;
}

std::vector<GiStarResult> gi_star(const Fixture& f, double band, int permutations = 0,
                                  int threads = 1, std::uint64_t seed = 1) {
    GiStarParams params;
    params.distance_band = band;
    params.permutations = permutations;
    params.threads = threads;
    params.seed = seed;
    GiStar gi(f.centres, f.counts, params);
    gi.run();
    return gi.results();
}

/// z and neighbour counts equal spdep's at each band (one R run for all).
void expect_like_spdep(const Fixture& f, const std::vector<double>& bands) {
    const std::size_t n = f.centres.size();
    const std::vector<double> reference =
        run_spdep("localg", f.centres, f.counts, bands, 2 * n * bands.size());
    if (reference.empty()) {
        return;
    }
    for (std::size_t b = 0; b < bands.size(); ++b) {
        const double* z = reference.data() + 2 * n * b;
        const double* card = z + n;
        const std::vector<GiStarResult> results = gi_star(f, bands[b]);
        int mismatched = 0;
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_EQ(results[i].neighbours, static_cast<int>(card[i]))
                << "band " << bands[b] << " location " << i;
            EXPECT_NEAR(results[i].z, z[i], 1e-9) << "band " << bands[b] << " location " << i;
            mismatched += std::abs(results[i].z - z[i]) > 1e-9 ? 1 : 0;
        }
        EXPECT_EQ(mismatched, 0) << "band " << bands[b];
    }
}

TEST(GiStar, EqualsSpdepLocalGOnAHexGridWithTheBandAtARingOfNeighbours) {
    // Band = 2 cell sizes: the second ring's six straight-line neighbours
    // sit exactly on the bound, so rounding of the centres decides some of
    // them; spdep (dnearneigh: hypot(dx, dy) <= d2) and we must agree on
    // every one. card() checks that, z checks the variance formula.
    const Fixture f = hex_counts(40, 30, 100, 11);
    int zeros = 0;
    for (double c : f.counts) {
        zeros += c == 0 ? 1 : 0;
    }
    ASSERT_GT(zeros, 400); // mostly empty cells, as aggregated incidents are
    expect_like_spdep(f, {200});
}

TEST(GiStar, EqualsSpdepLocalGWithABandBetweenRings) {
    const Fixture f = hex_counts(25, 36, 250, 5);
    expect_like_spdep(f, {640});
}

TEST(GiStar, NeighbourBoundsAreInclusiveLikeDnearneigh) {
    // A 3-4-5 triangle: the distance is exactly 5, so a band of 5 includes
    // the pair and the next double below 5 does not. spdep must agree.
    Fixture f;
    std::mt19937_64 random(3);
    std::uniform_real_distribution<double> far(100, 1000);
    f.centres = {{0, 0}, {3, 4}, {-3, -4}, {6, 8}};
    for (int i = 0; i < 36; ++i) {
        f.centres.push_back({far(random), far(random)});
    }
    for (std::size_t i = 0; i < f.centres.size(); ++i) {
        f.counts.push_back(static_cast<double>(i % 5));
    }
    const std::vector<GiStarResult> at_five = gi_star(f, 5);
    EXPECT_EQ(at_five[0].neighbours, 3); // itself, (3, 4), (-3, -4)
    EXPECT_EQ(at_five[1].neighbours, 3); // itself, (0, 0), (6, 8)
    const std::vector<GiStarResult> below = gi_star(f, std::nextafter(5.0, 0.0));
    EXPECT_EQ(below[0].neighbours, 1);
    expect_like_spdep(f, {5, std::nextafter(5.0, 0.0)});
}

TEST(GiStar, PValuesAreTwoSidedNormal) {
    const Fixture f = hex_counts(20, 20, 100, 2);
    for (const GiStarResult& r : gi_star(f, 200)) {
        EXPECT_NEAR(r.p_normal, std::erfc(std::abs(r.z) / std::sqrt(2.0)), 1e-15);
        EXPECT_EQ(r.p_sim, 1); // no permutations asked for
    }
}

TEST(GiStar, PermutationsAreIdenticalForAnyThreadCount) {
    const Fixture f = hex_counts(30, 30, 100, 8);
    const std::vector<GiStarResult> one = gi_star(f, 200, 199, 1, 42);
    for (int threads : {2, 4}) {
        const std::vector<GiStarResult> other = gi_star(f, 200, 199, threads, 42);
        ASSERT_EQ(other.size(), one.size());
        for (std::size_t i = 0; i < one.size(); ++i) {
            ASSERT_EQ(other[i].p_sim, one[i].p_sim) << "threads " << threads << " location " << i;
            ASSERT_EQ(other[i].bin, one[i].bin);
        }
    }
}

TEST(GiStar, PermutationsChangeWithTheSeedAndStayInRange) {
    const Fixture f = hex_counts(30, 30, 100, 8);
    const std::vector<GiStarResult> a = gi_star(f, 200, 99, 2, 1);
    const std::vector<GiStarResult> b = gi_star(f, 200, 99, 2, 2);
    int different = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        different += a[i].p_sim != b[i].p_sim ? 1 : 0;
        EXPECT_GE(a[i].p_sim, 1.0 / 100);
        EXPECT_LE(a[i].p_sim, 1.0);
        EXPECT_EQ(a[i].z, b[i].z);
    }
    EXPECT_GT(different, static_cast<int>(a.size()) / 2);
}

TEST(GiStar, PseudoPValuesApproachNormalOnesWithManySmoothNeighbours) {
    // Continuous values and ~60 neighbours: the sum of the neighbourhood is
    // close to normal under permutation, so the two-sided pseudo p-value
    // should track the normal one (999 draws: standard error <= 0.016).
    Fixture f;
    std::mt19937_64 random(99);
    std::uniform_real_distribution<double> coordinate(0, 10000);
    std::normal_distribution<double> value(10, 3);
    for (int i = 0; i < 3000; ++i) {
        const Point p{coordinate(random), coordinate(random)};
        f.centres.push_back(p);
        f.counts.push_back(value(random) + 2 * std::sin(p.x / 1500) * std::cos(p.y / 1700));
    }
    const std::vector<GiStarResult> results = gi_star(f, 800, 999, 2, 7);
    double total_difference = 0;
    double worst = 0;
    double mean_k = 0;
    for (const GiStarResult& r : results) {
        const double d = std::abs(r.p_sim - r.p_normal);
        total_difference += d;
        worst = std::max(worst, d);
        mean_k += r.neighbours;
    }
    mean_k /= static_cast<double>(results.size());
    EXPECT_GT(mean_k, 40);
    EXPECT_LT(total_difference / static_cast<double>(results.size()), 0.02);
    EXPECT_LT(worst, 0.1);
}

TEST(GiStar, BinsUseThePseudoPValuesWhenThereArePermutations) {
    const Fixture f = hex_counts(30, 30, 100, 8);
    const std::vector<GiStarResult> results = gi_star(f, 200, 99, 2, 5);
    std::vector<double> p;
    std::vector<double> z;
    for (const GiStarResult& r : results) {
        p.push_back(r.p_sim);
        z.push_back(r.z);
    }
    const std::vector<int> bins = confidence_bins(p, z, true);
    int significant = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
        EXPECT_EQ(results[i].bin, bins[i]);
        significant += bins[i] != 0 ? 1 : 0;
    }
    EXPECT_GT(significant, 0); // the clusters are found
}

TEST(ConfidenceBins, BenjaminiHochbergOnAHandWorkedCase) {
    // Ten p-values (given shuffled below), sorted:
    //   rank:  1     2     3     4     5     6     7     8     9     10
    //   p:   .001  .008  .039  .041  .042  .060  .074  .205  .212  .216
    // BH at alpha: the largest rank r with p_(r) <= r / 10 * alpha.
    //   alpha .10, r/10*alpha = .01 .02 .03 .04 .05 .06 .07 .08 .09 .10:
    //     p_(6) = .060 <= .06 and no later rank passes -> p <= .060 (6 values)
    //     (ranks 3 and 4 fail on their own but are carried by rank 6)
    //   alpha .05: .005 .010 .015 .020 .025 .030 ...: p_(2) = .008 <= .010,
    //     ranks 3..10 all fail -> p <= .008 (2 values)
    //   alpha .01: .001 .002 ...: p_(1) = .001 <= .001 -> p <= .001 (1 value)
    // So bins 3, 2, 1, 1, 1, 1, 0, 0, 0, 0 by rank, signed by z, and the
    // value with z = 0 (rank 5) is 0 whatever its p.
    // Without FDR: p <= .01 -> 3 (ranks 1, 2), p <= .05 -> 2 (ranks 3-5),
    // p <= .10 -> 1 (ranks 6, 7).
    const std::vector<double> p = {0.212, 0.041, 0.001, 0.074, 0.216,
                                   0.039, 0.060, 0.008, 0.205, 0.042};
    const std::vector<double> z = {1.2, 2.0, 2.9, 1.8, -1.2, 2.1, -1.9, -2.6, -1.3, 0.0};
    EXPECT_EQ(confidence_bins(p, z, true), (std::vector<int>{0, 1, 3, 0, 0, 1, -1, -2, 0, 0}));
    EXPECT_EQ(confidence_bins(p, z, false), (std::vector<int>{0, 2, 3, 1, 0, 2, -1, -3, 0, 0}));
}

TEST(ConfidenceBins, NothingSignificantGivesZeros) {
    const std::vector<double> p = {0.5, 0.9, 0.3};
    const std::vector<double> z = {0.6, -0.1, 1.0};
    EXPECT_EQ(confidence_bins(p, z, true), (std::vector<int>{0, 0, 0}));
}

TEST(MoransI, EqualsSpdepMoranTest) {
    const Fixture f = hex_counts(30, 24, 100, 4);
    const std::vector<double> bands = {100.001, 200.001, 350};
    const std::vector<double> reference =
        run_spdep("moran", f.centres, f.counts, bands, 4 * bands.size());
    if (reference.empty()) {
        return;
    }
    const std::vector<MoranResult> ours = incremental_morans_i(f.centres, f.counts, bands);
    for (std::size_t b = 0; b < bands.size(); ++b) {
        EXPECT_NEAR(ours[b].z, reference[4 * b], 1e-9) << "band " << bands[b];
        EXPECT_NEAR(ours[b].i, reference[4 * b + 1], 1e-12) << "band " << bands[b];
        EXPECT_NEAR(ours[b].expected, reference[4 * b + 2], 1e-15);
        EXPECT_NEAR(ours[b].variance, reference[4 * b + 3], 1e-12);
        const MoranResult single = morans_i(f.centres, f.counts, bands[b]);
        EXPECT_DOUBLE_EQ(single.z, ours[b].z);
    }
}

/// ArcGIS's peak rule, restated for the test: z rose at some earlier step,
/// falls at the next, and exceeds 1.65.
int first_peak_of(const std::vector<double>& z) {
    bool rose = false;
    for (std::size_t c = 0; c + 1 < z.size(); ++c) {
        rose = rose || z[c + 1] > z[c];
        if (z[c + 1] < z[c] && rose && z[c] > 1.65) {
            return static_cast<int>(c);
        }
    }
    return -1;
}

/// ArcGIS's cutoffs for a full hex lattice: start at the nearest-neighbour
/// distance (the cell size) and step by it, ten times; if that passes the
/// standard distance sqrt(var x + var y), ten equal steps from the start up
/// to it instead; every cutoff widened by 0.001 (gridded data).
std::vector<double> lattice_cutoffs(const std::vector<Point>& centres, double size) {
    double mx = 0;
    double my = 0;
    for (const Point& p : centres) {
        mx += p.x;
        my += p.y;
    }
    const double n = static_cast<double>(centres.size());
    mx /= n;
    my /= n;
    double v = 0;
    for (const Point& p : centres) {
        v += (p.x - mx) * (p.x - mx) + (p.y - my) * (p.y - my);
    }
    const double standard = std::sqrt(v / n);
    const double step = size + 9 * size > standard ? (standard - size) / 10 : size;
    std::vector<double> cutoffs;
    for (int c = 0; c < 10; ++c) {
        cutoffs.push_back(size + c * step + 0.001);
    }
    return cutoffs;
}

void expect_first_peak_of_spdep(const Fixture& f, double size, std::size_t bands_checked) {
    const HotspotScale scale = optimized_distance_band(f.centres, f.counts, size);
    std::vector<double> cutoffs = lattice_cutoffs(f.centres, size);
    cutoffs.resize(bands_checked); // spdep is slow at wide bands; the peak is early
    const std::vector<double> reference =
        run_spdep("moran", f.centres, f.counts, cutoffs, 4 * cutoffs.size());
    if (reference.empty()) {
        return;
    }
    std::vector<double> z;
    for (std::size_t c = 0; c < cutoffs.size(); ++c) {
        z.push_back(reference[4 * c]);
    }
    const int peak = first_peak_of(z);
    ASSERT_GE(peak, 0) << "the fixture should have a clustering scale within " << bands_checked
                       << " bands";
    EXPECT_NEAR(scale.distance_band, cutoffs[static_cast<std::size_t>(peak)], 1e-6);
    EXPECT_STREQ(scale.band_rule,
                 "the first peak (z > 1.65) of Global Moran's I z-score over 10 increasing "
                 "distance bands (Incremental Spatial Autocorrelation)");
    EXPECT_EQ(scale.cell_size, size);
}

TEST(OptimizedScale, DistanceBandIsTheFirstPeakOfSpdepMoranZOverTheIncrements) {
    expect_first_peak_of_spdep(hex_counts(30, 30, 100, 21, 1.0), 100, 4);
}

TEST(OptimizedScale, IncrementsStopAtTheStandardDistanceOfASmallArea) {
    // 20 x 20 cells of 100 m: 10 steps of 100 m would pass the standard
    // distance (about 760 m), so the steps shrink to reach it.
    const Fixture f = hex_counts(20, 20, 100, 21, 1.0);
    ASSERT_NE(lattice_cutoffs(f.centres, 100)[1], 200.001);
    expect_first_peak_of_spdep(f, 100, 5);
}

TEST(OptimizedScale, WithoutAPeakTheBandIsTheMeanDistanceToTheKthNearestCell) {
    // Counts without spatial structure (independent Poisson draws; for this
    // seed Moran's z stays below 1.65 at every band), on a 30 x 30 square
    // lattice of spacing 10: 900 cells -> k = 45, capped at 30. The 30th
    // nearest neighbour of an interior cell of a unit lattice is at sqrt(10)
    // (4 at 1, 4 at sqrt 2, 4 at 2, 8 at sqrt 5, 4 at sqrt 8, 4 at 3: 28
    // within 3; 8 more at sqrt 10), so the band is 10 sqrt(10) or a little
    // more, as cells at the edges reach further (sqrt 13 is the next ring).
    Fixture f;
    std::mt19937_64 random(1);
    std::poisson_distribution<int> count(1.0);
    for (int col = 0; col < 30; ++col) {
        for (int row = 0; row < 30; ++row) {
            f.centres.push_back({col * 10.0 - 500, row * 10.0 + 20});
            f.counts.push_back(count(random));
        }
    }
    const HotspotScale scale = optimized_distance_band(f.centres, f.counts, 10);
    EXPECT_STREQ(scale.band_rule, "no peak of Global Moran's I z-score: the mean distance to the "
                                  "k-th nearest cell, k = 5 % of the cells between 3 and 30");
    EXPECT_GE(scale.distance_band, 10 * std::sqrt(10.0));
    EXPECT_LT(scale.distance_band, 10 * std::sqrt(13.0));
}

TEST(OptimizedScale, CellSizeIsTwiceTheNearestNeighbourDistanceWithoutOutliers) {
    // Incidents on a 100 x 100 lattice of spacing 10 (two at each location,
    // which must not count as distance 0), plus one far-away outlier: every
    // nearest-neighbour distance but the outlier's is 10, so the cell size is
    // 2 * 10 = 20, inside [shorter side / 250, longer side / 10].
    std::vector<Point> incidents;
    for (int i = 0; i < 100; ++i) {
        for (int j = 0; j < 100; ++j) {
            incidents.push_back({i * 10.0, j * 10.0});
            incidents.push_back({i * 10.0, j * 10.0});
        }
    }
    incidents.push_back({5000, 5000});
    EXPECT_DOUBLE_EQ(optimized_cell_size(incidents), 20);
}

TEST(OptimizedScale, CellSizeIsCappedAtATenthOfTheExtent) {
    // 6 x 6 lattice of spacing 10: twice the spacing is 20, but the extent
    // is 50 wide, so the cap of 50 / 10 = 5 applies.
    std::vector<Point> incidents;
    for (int i = 0; i < 6; ++i) {
        for (int j = 0; j < 6; ++j) {
            incidents.push_back({i * 10.0, j * 10.0});
        }
    }
    EXPECT_DOUBLE_EQ(optimized_cell_size(incidents), 5);
}

TEST(OptimizedScale, RefusesFewerThanThirtyIncidents) {
    const std::vector<Point> incidents(29, Point{1, 2});
    EXPECT_EQ(message_of<InputError>([&] { (void)optimized_cell_size(incidents); }),
              "Gi* needs at least 30 incidents; got 29");
}

TEST(OptimizedScale, RefusesIncidentsAllAtOneLocation) {
    const std::vector<Point> incidents(40, Point{1.5, 2});
    EXPECT_EQ(message_of<InputError>([&] { (void)optimized_cell_size(incidents); }),
              "Gi* needs incidents at more than one location; all 40 are at (1.5, 2)");
}

TEST(OptimizedScale, RefusesCellsWithoutVarianceOrTooFewCells) {
    const Fixture f = hex_counts(6, 6, 100, 1);
    const std::vector<double> flat(f.centres.size(), 3);
    EXPECT_EQ(message_of<InputError>([&] { (void)optimized_distance_band(f.centres, flat, 100); }),
              "Gi* needs cell values that differ; all 36 cells hold 3 (no variance)");
    const std::span<const Point> few(f.centres.data(), 29);
    const std::span<const double> few_values(f.counts.data(), 29);
    EXPECT_EQ(message_of<InputError>([&] { (void)optimized_distance_band(few, few_values, 100); }),
              "Gi* needs at least 30 cells; got 29");
}

TEST(GiStar, RefusesBadInput) {
    const std::vector<Point> points = {{0, 0}, {1, 0}, {2, 0}};
    const std::vector<double> values = {1, 2, 3};
    GiStarParams params;
    params.distance_band = 1.5;
    EXPECT_EQ(message_of<InputError>(
                  [&] { GiStar(points, std::span<const double>(values.data(), 2), params); }),
              "GiStar: 3 locations but 2 values");
    params.distance_band = 0;
    EXPECT_EQ(message_of<InputError>([&] { GiStar(points, values, params); }),
              "GiStar: distance_band must be a finite number > 0 metres; got 0");
    params.distance_band = 1.5;
    params.permutations = -1;
    EXPECT_EQ(message_of<InputError>([&] { GiStar(points, values, params); }),
              "GiStar: permutations must be >= 0; got -1");
    params.permutations = 9;
    const std::vector<double> same = {2, 2, 2};
    EXPECT_EQ(message_of<InputError>([&] { GiStar(points, same, params); }),
              "GiStar: all 3 values are 2 (no variance); Gi* is undefined");
    const std::vector<double> not_finite = {1, NAN, 2};
    EXPECT_EQ(message_of<InputError>([&] { GiStar(points, not_finite, params); }),
              "GiStar: value 1 is not a finite number");
    EXPECT_EQ(message_of<InputError>([&] {
                  (void)confidence_bins(values, std::span<const double>(values.data(), 1), true);
              }),
              "confidence_bins: 3 p-values but 1 z-scores");
}

} // namespace
} // namespace waymark::geo

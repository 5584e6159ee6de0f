// The GEOS wrappers: context and geometry ownership (no leaks under ASan),
// moves, and errors that are waymark errors carrying GEOS's own message.

#include "base/error.hpp"
#include "geo/geos.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <optional>
#include <string>
#include <utility>

namespace waymark::geos {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using waymark::testing::message_of;

constexpr const char* k_square = "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))";

TEST(Context, CreationGivesAHandleAndNoError) {
    const Context context;
    EXPECT_NE(context.get(), nullptr);
    EXPECT_EQ(context.last_error(), "");
}

TEST(Context, TwoContextsAreIndependent) {
    const Context first;
    const Context second;
    EXPECT_NE(first.get(), second.get());
    EXPECT_THROW((void)first.from_wkt("POINT (1"), GeometryError);
    EXPECT_NE(first.last_error(), "");
    EXPECT_EQ(second.last_error(), "");
}

TEST(Geometry, PointToWkt) {
    const Context context;
    const auto point = context.point(1.5, -2.25);
    EXPECT_EQ(point.to_wkt(), "POINT (1.5 -2.25)");
    EXPECT_EQ(point.num_points(), 1U);
    EXPECT_DOUBLE_EQ(point.area(), 0.0);
}

TEST(Geometry, WktRoundTrip) {
    const Context context;
    const std::string wkt = "LINESTRING (0 0, 1 1, 2 0)";
    const auto line = context.from_wkt(wkt);
    EXPECT_EQ(line.to_wkt(), wkt);
    EXPECT_EQ(line.num_points(), 3U);
    EXPECT_EQ(context.from_wkt(line.to_wkt()).to_wkt(), wkt);

    const auto square = context.from_wkt(k_square);
    EXPECT_EQ(square.to_wkt(), k_square);
    EXPECT_DOUBLE_EQ(square.area(), 100.0);
}

TEST(Geometry, WktPrecision) {
    const Context context;
    const auto point = context.point(1.23456789, 2.0);
    EXPECT_EQ(point.to_wkt(2), "POINT (1.23 2)");
    EXPECT_EQ(point.to_wkt(), "POINT (1.234568 2)");
}

TEST(Geometry, InvalidWktThrowsGeometryErrorQuotingTheText) {
    const Context context;
    const std::string bad = "POLYGON ((0 0, 1 1";
    const std::string message = message_of<GeometryError>([&] { (void)context.from_wkt(bad); });
    EXPECT_THAT(message, StartsWith("invalid WKT 'POLYGON ((0 0, 1 1': "));
    // GEOS's own message follows, and the context kept it.
    EXPECT_THAT(message, HasSubstr("ParseException"));
    EXPECT_THAT(message, HasSubstr(context.last_error()));
    EXPECT_NE(context.last_error(), "");

    EXPECT_THAT(message_of<GeometryError>([&] { (void)context.from_wkt("NOT WKT"); }),
                StartsWith("invalid WKT 'NOT WKT': "));
}

TEST(Geometry, BufferAreaApproachesPiRSquared) {
    const Context context;
    constexpr double r = 10.0;
    const auto centre = context.point(3.0, 4.0);

    // Eight segments a quadrant: an inscribed regular 32-gon, area 16 sin(pi/16) r².
    const auto coarse = centre.buffer(r);
    EXPECT_NEAR(coarse.area(), 16.0 * std::sin(std::numbers::pi / 16.0) * r * r, 1e-9);
    EXPECT_EQ(coarse.num_points(), 33U);
    EXPECT_NEAR(coarse.area(), std::numbers::pi * r * r, 0.01 * std::numbers::pi * r * r);

    const auto fine = centre.buffer(r, 64);
    EXPECT_NEAR(fine.area(), std::numbers::pi * r * r, 1e-3 * std::numbers::pi * r * r);
    EXPECT_GT(fine.area(), coarse.area());
    EXPECT_TRUE(fine.contains(centre));
    EXPECT_FALSE(fine.contains(context.point(3.0 + r + 0.01, 4.0)));
}

TEST(Geometry, ConvexHullOfAMultipoint) {
    const Context context;
    const auto points =
        context.from_wkt("MULTIPOINT ((0 0), (10 0), (10 10), (0 10), (5 5), (3 7), (9 1))");
    const auto hull = points.convex_hull();
    EXPECT_EQ(hull.to_wkt(), "POLYGON ((0 0, 0 10, 10 10, 10 0, 0 0))");
    EXPECT_DOUBLE_EQ(hull.area(), 100.0);
    EXPECT_EQ(hull.num_points(), 5U);
    EXPECT_EQ(points.num_points(), 7U); // the input is untouched
}

TEST(Geometry, CloneIsIndependentOfTheOriginal) {
    const Context context;
    std::optional<Geometry> copy;
    {
        const auto original = context.from_wkt(k_square);
        copy.emplace(original.clone());
        EXPECT_NE(copy->get(), original.get());
    } // the original is destroyed here
    EXPECT_EQ(copy->to_wkt(), k_square);
    EXPECT_DOUBLE_EQ(copy->area(), 100.0);
}

TEST(Geometry, MovedFromGeometryIsEmpty) {
    const Context context;
    auto source = context.point(1.0, 2.0);
    const GEOSGeometry* handle = source.get();
    Geometry target(std::move(source));
    EXPECT_EQ(source.get(), nullptr); // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(target.get(), handle);
    EXPECT_EQ(target.to_wkt(), "POINT (1 2)");

    auto other = context.from_wkt(k_square);
    other = std::move(target);        // the square is destroyed (ASan would see a leak)
    EXPECT_EQ(target.get(), nullptr); // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(other.get(), handle);
    EXPECT_EQ(other.to_wkt(), "POINT (1 2)");

    Geometry& alias = other;
    other = std::move(alias);
    EXPECT_EQ(other.get(), handle);
}

TEST(Geometry, MovingTheContextKeepsItsGeometriesUsable) {
    // Declared first so that it outlives `square`, whose context it ends up owning.
    Context third;
    std::optional<Context> first(std::in_place);
    const auto square = first->from_wkt(k_square);
    const GEOSContextHandle_t handle = first->get();

    Context second(std::move(*first));
    first.reset(); // the moved-from context's destructor must not finish the handle
    EXPECT_EQ(second.get(), handle);
    EXPECT_EQ(square.to_wkt(), k_square);
    EXPECT_GT(square.buffer(1.0).convex_hull().area(), 100.0);

    // GEOS's message handler still points at the live State.
    EXPECT_THROW((void)second.from_wkt("POINT (1"), GeometryError);
    EXPECT_THAT(second.last_error(), HasSubstr("ParseException"));

    third = std::move(second); // third's own context is finished (ASan would see a leak)
    EXPECT_EQ(third.get(), handle);
    EXPECT_TRUE(square.contains(third.point(5.0, 5.0)));
}

TEST(Geometry, IntersectsAndContains) {
    const Context context;
    const auto square = context.from_wkt(k_square);
    const auto inside = context.point(5.0, 5.0);
    const auto outside = context.point(15.0, 5.0);
    const auto on_edge = context.point(10.0, 5.0);
    const auto crossing = context.from_wkt("LINESTRING (-5 5, 15 5)");
    const auto disjoint = context.from_wkt("LINESTRING (20 20, 30 30)");

    EXPECT_TRUE(square.contains(inside));
    EXPECT_FALSE(square.contains(outside));
    EXPECT_FALSE(square.contains(on_edge)); // the boundary is not the interior
    EXPECT_FALSE(square.contains(crossing));
    EXPECT_FALSE(inside.contains(square));

    EXPECT_TRUE(square.intersects(inside));
    EXPECT_TRUE(square.intersects(on_edge));
    EXPECT_TRUE(square.intersects(crossing));
    EXPECT_TRUE(crossing.intersects(square));
    EXPECT_FALSE(square.intersects(outside));
    EXPECT_FALSE(square.intersects(disjoint));
}

TEST(Geometry, ValidityOfABowtie) {
    const Context context;
    EXPECT_TRUE(context.from_wkt(k_square).is_valid());
    const auto bowtie = context.from_wkt("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))");
    EXPECT_FALSE(bowtie.is_valid());
    EXPECT_TRUE(bowtie.buffer(0.0).is_valid());
}

} // namespace
} // namespace waymark::geos

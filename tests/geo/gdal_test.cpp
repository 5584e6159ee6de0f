// The GDAL/OGR/OSR wrappers: ownership (no leaks under ASan), moves, and
// errors that are waymark errors carrying GDAL's own message.

#include "base/error.hpp"
#include "geo/gdal.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <cpl_error.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace waymark::gdal {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using waymark::testing::message_of;
using waymark::testing::TempDir;

// ---- SpatialReference -------------------------------------------------------

TEST(SpatialReference, BritishNationalGridIsProjectedInMetres) {
    const auto srs = SpatialReference::from_epsg(27700);
    ASSERT_NE(srs.get(), nullptr);
    EXPECT_TRUE(srs.is_projected());
    EXPECT_FALSE(srs.is_geographic());
    EXPECT_DOUBLE_EQ(srs.metres_per_unit(), 1.0);
    EXPECT_THAT(srs.name(), HasSubstr("British National Grid"));
    EXPECT_EQ(srs.epsg(), 27700);
}

TEST(SpatialReference, Wgs84IsGeographic) {
    const auto srs = SpatialReference::from_epsg(4326);
    EXPECT_TRUE(srs.is_geographic());
    EXPECT_FALSE(srs.is_projected());
    EXPECT_DOUBLE_EQ(srs.metres_per_unit(), 0.0);
    EXPECT_EQ(srs.name(), "WGS 84");
    EXPECT_EQ(srs.epsg(), 4326);
}

TEST(SpatialReference, AxisMappingIsTraditionalGisOrder) {
    const auto srs = SpatialReference::from_epsg(4326);
    EXPECT_EQ(OSRGetAxisMappingStrategy(srs.get()), OAMS_TRADITIONAL_GIS_ORDER);
}

TEST(SpatialReference, UnknownCodeThrowsInputErrorWithGdalMessage) {
    const std::string message =
        message_of<InputError>([] { (void)SpatialReference::from_epsg(999999); });
    EXPECT_THAT(message, StartsWith("unknown CRS EPSG:999999: "));
    // GDAL's (PROJ's) own explanation follows the prefix.
    EXPECT_GT(message.size(), std::string("unknown CRS EPSG:999999: ").size());
    EXPECT_THAT(message, HasSubstr("999999"));
}

TEST(SpatialReference, MoveConstructionEmptiesTheSource) {
    auto source = SpatialReference::from_epsg(27700);
    const OGRSpatialReferenceH handle = source.get();
    SpatialReference target(std::move(source));
    EXPECT_EQ(source.get(), nullptr); // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(target.get(), handle);
    EXPECT_EQ(target.epsg(), 27700);
    EXPECT_TRUE(target.is_projected());
}

TEST(SpatialReference, MoveAssignmentReleasesTheOldHandleAndEmptiesTheSource) {
    auto source = SpatialReference::from_epsg(4326);
    auto target = SpatialReference::from_epsg(27700);
    const OGRSpatialReferenceH handle = source.get();
    target = std::move(source);       // the 27700 handle must be released (ASan)
    EXPECT_EQ(source.get(), nullptr); // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(target.get(), handle);
    EXPECT_EQ(target.epsg(), 4326);
    EXPECT_TRUE(target.is_geographic());

    // Self-move through an alias keeps the handle.
    SpatialReference& alias = target;
    target = std::move(alias);
    EXPECT_EQ(target.get(), handle);
    EXPECT_EQ(target.epsg(), 4326);
}

// ---- CoordinateTransformation ------------------------------------------------

// Charing Cross. Reference from PROJ 9.1 (proj_create_crs_to_crs EPSG:4326 ->
// EPSG:27700, normalised for visualisation, i.e. lon/lat in):
// -0.1275 51.507222 -> 530050.0719 180360.8326
constexpr double k_lon = -0.1275;
constexpr double k_lat = 51.507222;
constexpr double k_easting = 530050.0719;
constexpr double k_northing = 180360.8326;

TEST(CoordinateTransformation, Wgs84ToBritishNationalGridMatchesProj) {
    const auto wgs84 = SpatialReference::from_epsg(4326);
    const auto bng = SpatialReference::from_epsg(27700);
    const CoordinateTransformation transformation(wgs84, bng);
    double x = k_lon; // x = longitude: traditional GIS order
    double y = k_lat;
    transformation.transform(x, y);
    EXPECT_NEAR(x, k_easting, 1.0);
    EXPECT_NEAR(y, k_northing, 1.0);
}

TEST(CoordinateTransformation, InverseReturnsLongitudeThenLatitude) {
    const auto wgs84 = SpatialReference::from_epsg(4326);
    const auto bng = SpatialReference::from_epsg(27700);
    const CoordinateTransformation transformation(bng, wgs84);
    double x = k_easting;
    double y = k_northing;
    transformation.transform(x, y);
    EXPECT_NEAR(x, k_lon, 1e-6);
    EXPECT_NEAR(y, k_lat, 1e-6);
}

TEST(CoordinateTransformation, OutOfRangeLatitudeThrowsGeometryError) {
    const auto wgs84 = SpatialReference::from_epsg(4326);
    const auto bng = SpatialReference::from_epsg(27700);
    const CoordinateTransformation transformation(wgs84, bng);
    double x = k_lon;
    double y = 1000.0;
    const std::string message = message_of<GeometryError>([&] { transformation.transform(x, y); });
    EXPECT_THAT(message, StartsWith("cannot transform point ("));
}

TEST(CoordinateTransformation, MoveKeepsTheTransformationUsable) {
    const auto wgs84 = SpatialReference::from_epsg(4326);
    const auto bng = SpatialReference::from_epsg(27700);
    CoordinateTransformation first(wgs84, bng);
    CoordinateTransformation second(std::move(first));
    CoordinateTransformation third(bng, wgs84);
    third = std::move(second); // releases the bng -> wgs84 transformation (ASan)
    double x = k_lon;
    double y = k_lat;
    third.transform(x, y);
    EXPECT_NEAR(x, k_easting, 1.0);
    EXPECT_NEAR(y, k_northing, 1.0);
}

TEST(CoordinateTransformation, TransformationOutlivesItsSpatialReferences) {
    std::optional<CoordinateTransformation> transformation;
    {
        const auto wgs84 = SpatialReference::from_epsg(4326);
        const auto bng = SpatialReference::from_epsg(27700);
        transformation.emplace(wgs84, bng);
    }
    double x = k_lon;
    double y = k_lat;
    transformation->transform(x, y);
    EXPECT_NEAR(x, k_easting, 1.0);
    EXPECT_NEAR(y, k_northing, 1.0);
}

// ---- Dataset and Feature -------------------------------------------------------

class DatasetTest : public ::testing::Test {
protected:
    TempDir dir;
    std::string path = dir.file("places.gpkg");

    struct Place {
        const char* name;
        double x;
        double y;
    };
    static constexpr Place k_places[] = {
        {"Charing Cross", 530050.0, 180361.0},
        {"Edinburgh Castle", 325178.0, 673473.0},
        {"Cardiff Castle", 318055.0, 176589.0},
    };

    void write_places() {
        auto dataset = Dataset::create_vector("GPKG", path);
        EXPECT_EQ(dataset.path(), path);
        const auto bng = SpatialReference::from_epsg(27700);
        OGRLayerH layer = dataset.create_layer("places", &bng, wkbPoint);
        OGRFieldDefnH field = OGR_Fld_Create("name", OFTString);
        const OGRErr created = OGR_L_CreateField(layer, field, TRUE);
        OGR_Fld_Destroy(field);
        ASSERT_EQ(created, OGRERR_NONE);
        for (const Place& place : k_places) {
            Feature feature(layer);
            ASSERT_TRUE(feature);
            OGR_F_SetFieldString(feature.get(), 0, place.name);
            OGRGeometryH point = OGR_G_CreateGeometry(wkbPoint);
            OGR_G_SetPoint_2D(point, 0, place.x, place.y);
            ASSERT_EQ(OGR_F_SetGeometryDirectly(feature.get(), point), OGRERR_NONE);
            ASSERT_EQ(OGR_L_CreateFeature(layer, feature.get()), OGRERR_NONE);
        }
        // One feature through OGR_F_SetGeometry (copies: we keep ownership).
        Feature extra(layer);
        OGR_F_SetFieldString(extra.get(), 0, "Null Island");
        OGRGeometryH point = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(point, 0, 0.0, 0.0);
        const OGRErr set = OGR_F_SetGeometry(extra.get(), point);
        OGR_G_DestroyGeometry(point);
        ASSERT_EQ(set, OGRERR_NONE);
        ASSERT_EQ(OGR_L_CreateFeature(layer, extra.get()), OGRERR_NONE);
        dataset.close();
        EXPECT_EQ(dataset.get(), nullptr);
    }
};

TEST_F(DatasetTest, GeoPackageRoundTrip) {
    write_places();
    ASSERT_TRUE(std::filesystem::exists(path));

    const auto dataset = Dataset::open(path);
    ASSERT_EQ(dataset.layer_count(), 1);
    OGRLayerH layer = dataset.layer(0);
    EXPECT_STREQ(OGR_L_GetName(layer), "places");
    EXPECT_EQ(OGR_L_GetFeatureCount(layer, TRUE), 4);
    EXPECT_EQ(OGR_L_GetGeomType(layer), wkbPoint);

    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    ASSERT_NE(srs, nullptr);
    EXPECT_STREQ(OSRGetAuthorityName(srs, nullptr), "EPSG");
    EXPECT_STREQ(OSRGetAuthorityCode(srs, nullptr), "27700");

    OGR_L_ResetReading(layer);
    for (const Place& place : k_places) {
        const Feature feature = Feature::adopt(OGR_L_GetNextFeature(layer));
        ASSERT_TRUE(feature);
        EXPECT_STREQ(OGR_F_GetFieldAsString(feature.get(), 0), place.name);
        OGRGeometryH geometry = OGR_F_GetGeometryRef(feature.get());
        ASSERT_NE(geometry, nullptr);
        EXPECT_DOUBLE_EQ(OGR_G_GetX(geometry, 0), place.x);
        EXPECT_DOUBLE_EQ(OGR_G_GetY(geometry, 0), place.y);
    }
    const Feature last = Feature::adopt(OGR_L_GetNextFeature(layer));
    ASSERT_TRUE(last);
    EXPECT_STREQ(OGR_F_GetFieldAsString(last.get(), 0), "Null Island");
    EXPECT_FALSE(Feature::adopt(OGR_L_GetNextFeature(layer)));
}

TEST_F(DatasetTest, LayerOutOfRangeThrowsIoError) {
    write_places();
    const auto dataset = Dataset::open(path);
    EXPECT_EQ(message_of<IoError>([&] { (void)dataset.layer(5); }), path + ": no layer number 5");
}

TEST_F(DatasetTest, DuplicateLayerThrowsIoErrorWithGdalMessage) {
    auto dataset = Dataset::create_vector("GPKG", path);
    (void)dataset.create_layer("places", nullptr, wkbPoint);
    const std::string message =
        message_of<IoError>([&] { (void)dataset.create_layer("places", nullptr, wkbPoint); });
    EXPECT_THAT(message, StartsWith("cannot create layer 'places' in " + path + ": "));
    EXPECT_THAT(message, HasSubstr("already exists"));
    dataset.close();
}

TEST_F(DatasetTest, OpeningAMissingPathThrowsIoErrorWithPathAndGdalMessage) {
    const std::string missing = dir.file("no-such-file.gpkg");
    const std::string message = message_of<IoError>([&] { (void)Dataset::open(missing); });
    EXPECT_THAT(message, StartsWith("cannot open dataset " + missing + ": "));
    EXPECT_THAT(message, HasSubstr("No such file or directory"));
}

TEST_F(DatasetTest, UnknownDriverThrowsIoError) {
    EXPECT_EQ(message_of<IoError>([&] { (void)Dataset::create_vector("NoSuchDriver", path); }),
              "creating " + path + ": GDAL has no driver 'NoSuchDriver'");
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(DatasetTest, MovedFromDatasetIsEmptyAndHarmless) {
    write_places();
    std::optional<Dataset> source(Dataset::open(path));
    const GDALDatasetH handle = source->get();
    Dataset target(std::move(*source));
    EXPECT_EQ(source->get(), nullptr); // NOLINT(bugprone-use-after-move)
    source->close();                   // a no-op on an empty dataset
    source.reset();                    // destructor of a moved-from dataset
    EXPECT_EQ(target.get(), handle);
    EXPECT_EQ(target.path(), path);
    EXPECT_EQ(target.layer_count(), 1);

    // Move assignment closes the dataset the target held (ASan would see a leak).
    auto other = Dataset::open(path);
    other = std::move(target);
    EXPECT_EQ(target.get(), nullptr); // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(other.get(), handle);
    EXPECT_EQ(OGR_L_GetFeatureCount(other.layer(0), TRUE), 4);
    other.close();
    other.close(); // closing twice is harmless
    EXPECT_EQ(other.get(), nullptr);
}

TEST(Feature, MoveAndAdopt) {
    const TempDir dir;
    auto dataset = Dataset::create_vector("GPKG", dir.file("f.gpkg"));
    OGRLayerH layer = dataset.create_layer("f", nullptr, wkbPoint);
    Feature source(layer);
    const OGRFeatureH handle = source.get();
    Feature target(std::move(source));
    EXPECT_FALSE(source); // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(target.get(), handle);
    Feature other(layer);
    other = std::move(target); // the other feature is destroyed (ASan)
    EXPECT_EQ(other.get(), handle);
    EXPECT_FALSE(Feature::adopt(nullptr));
    dataset.close();
}

// ---- Error routing --------------------------------------------------------------

// Restores the default warning sink however the test ends.
struct SinkGuard {
    SinkGuard() = default;
    SinkGuard(const SinkGuard&) = delete;
    SinkGuard& operator=(const SinkGuard&) = delete;
    ~SinkGuard() { set_warning_sink({}); }
};

TEST(ErrorRouting, WarningsGoToTheSinkAndFailuresToLastError) {
    initialise();
    reset_error();
    const SinkGuard guard;
    std::vector<std::string> warnings;
    set_warning_sink([&](std::string_view message) { warnings.emplace_back(message); });

    CPLError(CE_Warning, CPLE_AppDefined, "waymark test warning %d", 42);
    ASSERT_EQ(warnings.size(), 1U);
    EXPECT_EQ(warnings[0], "waymark test warning 42");
    EXPECT_EQ(last_error(), ""); // a warning is not a failure

    CPLError(CE_Failure, CPLE_AppDefined, "waymark test failure");
    EXPECT_EQ(warnings.size(), 1U); // failures never reach the sink
    EXPECT_EQ(last_error(), "waymark test failure");
    EXPECT_EQ(CPLGetLastErrorType(), CE_Failure);

    CPLError(CE_Debug, CPLE_AppDefined, "waymark test debug");
    EXPECT_EQ(warnings.size(), 1U);
    EXPECT_EQ(last_error(), "waymark test failure");

    reset_error();
    EXPECT_EQ(last_error(), "");
    EXPECT_EQ(CPLGetLastErrorType(), CE_None);
}

TEST(ErrorRouting, DefaultSinkWritesToStandardError) {
    initialise();
    {
        const SinkGuard guard;
        set_warning_sink([](std::string_view) {});
    }
    ::testing::internal::CaptureStderr();
    CPLError(CE_Warning, CPLE_AppDefined, "waymark default sink");
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "warning: GDAL: waymark default sink\n");
}

TEST(ErrorRouting, FailedCallLeavesItsMessageInLastError) {
    reset_error();
    EXPECT_THROW((void)SpatialReference::from_epsg(999999), InputError);
    EXPECT_NE(last_error(), "");
    reset_error();
    EXPECT_EQ(last_error(), "");
}

} // namespace
} // namespace waymark::gdal

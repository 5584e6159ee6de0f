// QGIS styles, layer_styles, GeoPackage metadata and the project writer,
// checked by QGIS itself (tests/engine/reference/qgis_check_bundle.py) on a
// small bundle made here: three vector layers written by LayerWriter, one
// GeoTIFF, their styles in the GeoPackage and a project opening everything.

#include "base/error.hpp"
#include "engine/layer_writer.hpp"
#include "engine/profile_stage.hpp"
#include "engine/qgis.hpp"
#include "engine/store/sqlite.hpp"
#include "geo/gdal.hpp"
#include "geo/raster.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

#include <cpl_minixml.h>
#include <gdal.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

namespace waymark {
namespace {

using ::testing::HasSubstr;
using waymark::testing::message_of;
using waymark::testing::read_file;
using waymark::testing::TempDir;

// Free text as records may carry it, in titles, labels and names.
const std::string hostile = "Visits <script>&\"' (north)";

// Runs a command and returns its exit status and standard output.
std::pair<int, std::string> run(const std::string& command) {
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return {-1, ""};
    }
    std::string output;
    char buffer[4096];
    while (const std::size_t read = fread(buffer, 1, sizeof buffer, pipe)) {
        output.append(buffer, read);
    }
    return {pclose(pipe), output};
}

// QGIS's own chatter goes to a log beside the project, shown when it fails.
nlohmann::json check_bundle(const std::filesystem::path& project, const std::string& extra = "") {
    const std::filesystem::path log = project.string() + ".log";
    const auto [status, output] =
        run("QT_QPA_PLATFORM=offscreen /usr/bin/python3 " WAYMARK_SOURCE_DIR
            "/tests/engine/reference/qgis_check_bundle.py '" +
            project.string() + "' " + extra + " 2>'" + log.string() + "'");
    if (status != 0) {
        ADD_FAILURE() << "QGIS could not be run (make test installs python3-qgis): " << output
                      << read_file(log);
        return {};
    }
    return nlohmann::json::parse(output);
}

LayerFeature feature(std::vector<std::vector<geo::Point>> rings, std::int64_t gi_bin,
                     double episodes, const std::string& type) {
    return {std::move(rings), {gi_bin, episodes, std::string(type)}};
}

const std::vector<LayerField> fields = {{"gi_bin", LayerField::Type::integer},
                                        {"episodes", LayerField::Type::real},
                                        {"type", LayerField::Type::text}};

// Hot (+3) red to cold (-3) blue: ColorBrewer RdBu runs red to blue, so the
// value for class k (-3..3) is colour 3 - k.
std::vector<qgis::Category> gi_bin_categories() {
    const std::vector<qgis::Rgb> colours = qgis::ramp_colours(qgis::Ramp::rd_bu, 7);
    std::vector<qgis::Category> categories;
    for (int bin = -3; bin <= 3; ++bin) {
        categories.push_back({std::to_string(bin), "Gi* bin " + std::to_string(bin),
                              colours[static_cast<std::size_t>(3 - bin)]});
    }
    categories.front().label = "cold <99%> & \"sure\"";
    return categories;
}

qgis::VectorStyle points_style() {
    qgis::VectorStyle style;
    style.geometry = qgis::GeometryKind::point;
    style.kind = qgis::VectorStyle::Kind::categorized;
    style.field = "gi_bin";
    style.categories = gi_bin_categories();
    style.size = 4;
    return style;
}

qgis::VectorStyle lines_style() {
    const std::vector<qgis::Rgb> colours = qgis::ramp_colours(qgis::Ramp::yl_or_rd, 3);
    qgis::VectorStyle style;
    style.geometry = qgis::GeometryKind::line;
    style.kind = qgis::VectorStyle::Kind::graduated;
    style.field = "episodes";
    style.ranges = {{0, 5, "0 - 5", colours[0]},
                    {5, 10, "5 - 10", colours[1]},
                    {10, 100, "10 - 100", colours[2]}};
    style.size = 1.2;
    return style;
}

qgis::VectorStyle polygons_style() {
    qgis::VectorStyle style;
    style.geometry = qgis::GeometryKind::polygon;
    style.kind = qgis::VectorStyle::Kind::categorized;
    style.field = "type";
    style.categories = {{"school", "School", {77, 175, 74}}, {"park", "Park", {152, 78, 163}}};
    style.opacity = 0.7;
    style.size = 0.4;
    style.label_field = "type";
    return style;
}

qgis::ProjectLayer project_layer(const std::string& id, const std::string& name,
                                 const std::string& source, bool raster = false) {
    qgis::ProjectLayer layer;
    layer.id = id;
    layer.name = name;
    layer.source = source;
    layer.raster = raster;
    return layer;
}

qgis::ProjectGroup group(const std::string& name, std::vector<qgis::ProjectLayer> layers,
                         bool expanded = true) {
    qgis::ProjectGroup out;
    out.name = name;
    out.layers = std::move(layers);
    out.expanded = expanded;
    return out;
}

qgis::RasterStyle raster_style(double min, double max, bool diverging, double opacity = 1) {
    qgis::RasterStyle style;
    style.min = min;
    style.max = max;
    style.diverging = diverging;
    style.opacity = opacity;
    return style;
}

class QgisBundle : public ::testing::Test {
protected:
    static inline TempDir* dir = nullptr;
    static inline std::filesystem::path bundle;
    static inline nlohmann::json seen;
    static inline std::array<double, 4> extent{500000, 200000, 501000, 200800};

    static void SetUpTestSuite() {
        dir = new TempDir();
        bundle = dir->path() / "bundle";
        std::filesystem::create_directories(bundle);

        LayerWriter writer(bundle, "waymark", 27700, Profile::analyst, {{"run", "test"}});
        std::vector<LayerFeature> points;
        for (int bin = -3; bin <= 3; ++bin) {
            const double x = 500100 + (bin + 3) * 120.0;
            points.push_back(feature({{{x, 200600}}}, bin, 2.0 * (bin + 3), "episode"));
        }
        const ProfileStage analyst(Profile::analyst, {}, {});
        const LayerDescription events_layer{"events",
                                            "Events",
                                            "Where episodes began.",
                                            LayerDescription::Geometry::point,
                                            fields,
                                            {{"cell_size", "250"}}};
        writer.write(analyst.approve(events_layer, points));
        const std::vector<LayerFeature> lines = {
            feature({{{500050, 200100}, {500950, 200150}}}, 0, 1, "route"),
            feature({{{500050, 200300}, {500950, 200350}}}, 1, 7, "route"),
            feature({{{500050, 200500}, {500950, 200450}}}, 2, 40, "route")};
        const LayerDescription routes_layer{
            "routes", "Routes", "Journeys.", LayerDescription::Geometry::line, fields, {}};
        writer.write(analyst.approve(routes_layer, lines));
        const std::vector<LayerFeature> polygons = {
            feature({{{500100, 200650}, {500400, 200650}, {500400, 200780}, {500100, 200780}}}, 0,
                    3, "school"),
            feature({{{500600, 200650}, {500900, 200650}, {500900, 200780}, {500600, 200780}}}, 1,
                    9, "park")};
        const LayerDescription areas_layer{
            "areas", "Areas", "Places.", LayerDescription::Geometry::polygon, fields, {}};
        writer.write(analyst.approve(areas_layer, polygons));
        writer.close();

        geo::RasterGrid grid{500000, 200800, 50, 20, 16};
        std::vector<double> values;
        for (int row = 0; row < grid.height; ++row) {
            for (int col = 0; col < grid.width; ++col) {
                values.push_back(row == 0 && col == 0 ? -9999 : col + row);
            }
        }
        geo::write_geotiff((bundle / "density.tif").string(), grid, values,
                           gdal::SpatialReference::from_epsg(27700), {{"kernel", "quartic"}},
                           -9999);

        const std::filesystem::path gpkg = bundle / "waymark.gpkg";
        qgis::write_layer_styles(
            gpkg,
            {{"events", "geom", "waymark", qgis::vector_qml(points_style()), "Gi* bins", true},
             {"routes", "geom", "waymark", qgis::vector_qml(lines_style()), "by episodes", true},
             {"areas", "geom", "waymark", qgis::vector_qml(polygons_style()), "by type", true}});
        qgis::write_layer_metadata(gpkg, "events",
                                   {hostile,
                                    "Where episodes began.",
                                    {"waymark", "points"},
                                    {{"cell_size", "250"}, {"profile", "analyst"}}});

        qgis::ProjectSpec spec;
        spec.title = "Bundle " + hostile;
        spec.extent = extent;
        qgis::ProjectLayer events =
            project_layer("events", "Events " + hostile, "./waymark.gpkg|layername=events");
        events.geometry = qgis::GeometryKind::point;
        events.qml = qgis::vector_qml(points_style());
        events.title = hostile;
        events.abstract = "Abstract " + hostile;
        events.keywords = {"waymark"};
        events.metadata = {{"cell_size", "250"}, {"note", "a <b> & c"}};
        qgis::ProjectLayer routes = project_layer(
            "routes", "Routes", (bundle / "waymark.gpkg").string() + "|layername=routes");
        routes.geometry = qgis::GeometryKind::line;
        routes.qml = qgis::vector_qml(lines_style());
        routes.title = "Routes";
        qgis::ProjectLayer areas =
            project_layer("areas", "Areas", "./waymark.gpkg|layername=areas");
        areas.geometry = qgis::GeometryKind::polygon;
        areas.qml = qgis::vector_qml(polygons_style());
        areas.title = "Areas";
        qgis::ProjectLayer density = project_layer("density", "Density", "./density.tif", true);
        density.qml = qgis::raster_qml(raster_style(0, 34, false, 0.8));
        density.title = "Density";
        qgis::ProjectLayer diverging =
            project_layer("density_diverging", "Density (diverging)", "./density.tif", true);
        diverging.qml = qgis::raster_qml(raster_style(-34, 34, true));
        diverging.title = "Density, diverging";
        diverging.visible = false;
        spec.groups = {group("Points & lines", {events, routes}), group("Areas", {areas}, false),
                       group("Surfaces", {density, diverging})};
        qgis::write_project(bundle / "waymark.qgs", spec);

        seen = check_bundle(bundle / "waymark.qgs",
                            "--render '" + (dir->path() / "render.png").string() + "'");
    }

    static void TearDownTestSuite() {
        // WAYMARK_KEEP_QGIS_BUNDLE=1 keeps the bundle to open it in QGIS by hand.
        if (std::getenv("WAYMARK_KEEP_QGIS_BUNDLE") == nullptr) {
            delete dir;
        }
        dir = nullptr;
    }

    static const nlohmann::json& layer(const std::string& id) {
        for (const auto& entry : seen["layers"]) {
            if (entry["id"] == qgis::project_layer_id(id)) {
                return entry;
            }
        }
        static const nlohmann::json none;
        ADD_FAILURE() << "QGIS did not list layer " << id;
        return none;
    }
};

TEST_F(QgisBundle, EveryLayerIsValidInTheWorkingCrsWithGdalsCounts) {
    ASSERT_FALSE(seen.is_null());
    EXPECT_TRUE(seen["read"].get<bool>());
    EXPECT_TRUE(seen["all_valid"].get<bool>());
    EXPECT_EQ(seen["crs"], "EPSG:27700");
    ASSERT_EQ(seen["layers"].size(), 5u);
    for (const auto& entry : seen["layers"]) {
        SCOPED_TRACE(entry["id"].get<std::string>());
        EXPECT_TRUE(entry["valid"].get<bool>());
        EXPECT_EQ(entry["crs"], "EPSG:27700");
    }
    auto gpkg = gdal::Dataset::open((bundle / "waymark.gpkg").string());
    for (const std::string name : {"events", "routes", "areas"}) {
        OGRLayerH ogr = GDALDatasetGetLayerByName(gpkg.get(), name.c_str());
        ASSERT_NE(ogr, nullptr) << name;
        EXPECT_EQ(layer(name)["featureCount"].get<std::int64_t>(), OGR_L_GetFeatureCount(ogr, TRUE))
            << name;
        EXPECT_EQ(layer(name)["provider"], "ogr");
    }
    EXPECT_EQ(layer("density")["provider"], "gdal");
}

TEST_F(QgisBundle, SourcesAreRelativeToTheProject) {
    const std::string project = read_file(bundle / "waymark.qgs");
    EXPECT_THAT(project, HasSubstr("<datasource>./waymark.gpkg|layername=events</datasource>"));
    // Given absolute, written relative.
    EXPECT_THAT(project, HasSubstr("<datasource>./waymark.gpkg|layername=routes</datasource>"));
    EXPECT_THAT(project, HasSubstr("<datasource>./density.tif</datasource>"));
    EXPECT_EQ(project.find(bundle.string()), std::string::npos);
}

TEST_F(QgisBundle, RenderersAreTheOnesWritten) {
    EXPECT_EQ(layer("events")["renderer"], "categorizedSymbol");
    EXPECT_EQ(layer("events")["field"], "gi_bin");
    EXPECT_EQ(layer("routes")["renderer"], "graduatedSymbol");
    EXPECT_EQ(layer("routes")["field"], "episodes");
    EXPECT_EQ(layer("areas")["renderer"], "categorizedSymbol");
    EXPECT_EQ(layer("density")["renderer"], "singlebandpseudocolor");
    EXPECT_EQ(layer("density_diverging")["renderer"], "singlebandpseudocolor");

    // The symbols' colours, as QGIS parsed them: hot red +3, cold blue -3.
    const auto& events = layer("events");
    ASSERT_EQ(events["colours"].size(), 7u);
    EXPECT_EQ(events["colours"][0], nlohmann::json({33, 102, 172}));
    EXPECT_EQ(events["colours"][3], nlohmann::json({247, 247, 247}));
    EXPECT_EQ(events["colours"][6], nlohmann::json({178, 24, 43}));
    EXPECT_EQ(events["classes"][0]["value"], "-3");
    EXPECT_EQ(events["classes"][0]["label"], "cold <99%> & \"sure\"");
    EXPECT_EQ(layer("routes")["classes"][2]["upper"].get<double>(), 100.0);
    EXPECT_EQ(layer("areas")["colours"][1], nlohmann::json({152, 78, 163}));
    EXPECT_TRUE(layer("areas")["labelsEnabled"].get<bool>());
    EXPECT_EQ(layer("areas")["labelField"], "type");
    EXPECT_FALSE(layer("events")["labelsEnabled"].get<bool>());
    EXPECT_DOUBLE_EQ(layer("areas")["opacity"].get<double>(), 0.7);

    const auto& density = layer("density");
    EXPECT_DOUBLE_EQ(density["classificationMin"].get<double>(), 0);
    EXPECT_DOUBLE_EQ(density["classificationMax"].get<double>(), 34);
    EXPECT_DOUBLE_EQ(density["opacity"].get<double>(), 0.8);
    EXPECT_EQ(density["colours"][0], nlohmann::json({255, 255, 178}));
    EXPECT_EQ(layer("density_diverging")["colours"][0], nlohmann::json({33, 102, 172}));
    EXPECT_EQ(layer("density_diverging")["colours"][6], nlohmann::json({178, 24, 43}));
}

TEST_F(QgisBundle, MetadataAndEscapedTextReachQgisExactly) {
    EXPECT_EQ(seen["title"], "Bundle " + hostile);
    const auto& events = layer("events");
    EXPECT_EQ(events["name"], "Events " + hostile);
    EXPECT_EQ(events["title"], hostile);
    EXPECT_EQ(events["abstract"], "Abstract " + hostile);
    EXPECT_EQ(events["keywords"]["cell_size"], nlohmann::json({"250"}));
    EXPECT_EQ(events["keywords"]["note"], nlohmann::json({"a <b> & c"}));
    EXPECT_EQ(events["keywords"]["keywords"], nlohmann::json({"waymark"}));
    EXPECT_EQ(layer("routes")["title"], "Routes");
    EXPECT_EQ(layer("density")["title"], "Density");
    EXPECT_EQ(seen["groups"], nlohmann::json({"Points & lines", "Areas", "Surfaces"}));

    // The file itself is well-formed XML (GDAL's parser as a second reader).
    CPLXMLNode* tree = CPLParseXMLString(read_file(bundle / "waymark.qgs").c_str());
    EXPECT_NE(tree, nullptr);
    CPLDestroyXMLNode(tree);
}

TEST_F(QgisBundle, TreeOrderVisibilityAndExtentAreAsWritten) {
    EXPECT_EQ(seen["order"], nlohmann::json({"Events " + hostile, "Routes", "Areas", "Density",
                                             "Density (diverging)"}));
    EXPECT_EQ(layer("events")["group"], "Points & lines");
    EXPECT_EQ(layer("density")["group"], "Surfaces");
    EXPECT_TRUE(layer("density")["visible"].get<bool>());
    EXPECT_FALSE(layer("density_diverging")["visible"].get<bool>());
    const auto view = seen["extent"].get<std::vector<double>>();
    ASSERT_EQ(view.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_DOUBLE_EQ(view[i], extent[i]);
    }
}

TEST_F(QgisBundle, TheGeoPackageCarriesDefaultStylesAndMetadataOfItsOwn) {
    const auto& direct = seen["gpkg"]["waymark.gpkg"];
    ASSERT_EQ(direct.size(), 3u) << direct.dump();
    EXPECT_EQ(direct["events"]["renderer"], "categorizedSymbol");
    EXPECT_EQ(direct["events"]["colours"][6], nlohmann::json({178, 24, 43}));
    EXPECT_EQ(direct["routes"]["renderer"], "graduatedSymbol");
    EXPECT_EQ(direct["areas"]["renderer"], "categorizedSymbol");
    // From gpkg_metadata (QGIS format) for events; from gpkg_contents
    // (identifier, description) for the others.
    EXPECT_EQ(direct["events"]["title"], hostile);
    EXPECT_EQ(direct["events"]["keywords"]["profile"], nlohmann::json({"analyst"}));
    EXPECT_EQ(direct["routes"]["title"], "Routes");
    EXPECT_EQ(direct["routes"]["abstract"], "Journeys.");
}

TEST_F(QgisBundle, GdalStillReadsTheGeoPackageCleanly) {
    const std::string gpkg = (bundle / "waymark.gpkg").string();
    const auto [status, output] = run("ogrinfo -ro -q '" + gpkg + "' 2>&1");
    EXPECT_EQ(status, 0) << output;
    EXPECT_EQ(output.find("ERROR"), std::string::npos) << output;
    EXPECT_EQ(output.find("Warning"), std::string::npos) << output;
    auto db = sqlite::Database::open(gpkg, sqlite::OpenMode::read_only);
    auto contents = db.prepare("SELECT data_type FROM gpkg_contents WHERE table_name = "
                               "'layer_styles'");
    ASSERT_TRUE(contents.step());
    EXPECT_EQ(contents.column_text(0), "attributes");
    EXPECT_EQ(sqlite::query_int64(db, "SELECT COUNT(*) FROM layer_styles WHERE useAsDefault"), 3);
    EXPECT_EQ(
        sqlite::query_int64(
            db, "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'layer_styles'"),
        3);
    auto journal = db.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(journal.step());
    EXPECT_EQ(journal.column_text(0), "delete") << "a bundle's GeoPackage is left out of WAL";
}

TEST_F(QgisBundle, RewritingAStyleReplacesItAndKeepsOneDefault) {
    const std::filesystem::path copy = dir->path() / "copy.gpkg";
    std::filesystem::copy_file(bundle / "waymark.gpkg", copy);
    qgis::VectorStyle single;
    single.geometry = qgis::GeometryKind::point;
    single.colour = {10, 20, 30};
    qgis::write_layer_styles(copy,
                             {{"events", "geom", "waymark", qgis::vector_qml(single), "", true},
                              {"events", "geom", "plain", qgis::vector_qml(single), "", true}});
    auto db = sqlite::Database::open(copy.string(), sqlite::OpenMode::read_only);
    EXPECT_EQ(sqlite::query_int64(db, "SELECT COUNT(*) FROM layer_styles WHERE f_table_name = "
                                      "'events'"),
              2);
    auto defaults = db.prepare("SELECT styleName FROM layer_styles WHERE f_table_name = 'events' "
                               "AND useAsDefault");
    ASSERT_TRUE(defaults.step());
    EXPECT_EQ(defaults.column_text(0), "plain");
    EXPECT_FALSE(defaults.step());
}

TEST_F(QgisBundle, RenderingShowsTheLayers) {
    ASSERT_TRUE(seen.contains("render"));
    ASSERT_TRUE(seen["render"].is_string()) << seen.dump();
    EXPECT_TRUE(seen["render_errors"].empty()) << seen["render_errors"].dump();
    auto png =
        gdal::Dataset::open(seen["render"].get<std::string>(), GDAL_OF_RASTER | GDAL_OF_READONLY);
    const int width = GDALGetRasterXSize(png.get());
    const int height = GDALGetRasterYSize(png.get());
    EXPECT_EQ(width, 1600);
    EXPECT_EQ(height, 1200);
    ASSERT_GE(GDALGetRasterCount(png.get()), 3);
    std::vector<std::vector<unsigned char>> bands(
        3, std::vector<unsigned char>(static_cast<std::size_t>(width) * height));
    for (int b = 0; b < 3; ++b) {
        ASSERT_EQ(GDALRasterIO(GDALGetRasterBand(png.get(), b + 1), GF_Read, 0, 0, width, height,
                               bands[b].data(), width, height, GDT_Byte, 0, 0),
                  CE_None);
    }
    std::size_t non_white = 0;
    std::set<int> colours;
    for (std::size_t i = 0; i < bands[0].size(); ++i) {
        const int r = bands[0][i], g = bands[1][i], b = bands[2][i];
        if (r != 255 || g != 255 || b != 255) {
            ++non_white;
        }
        colours.insert((r << 16) | (g << 8) | b);
    }
    // The density surface covers the whole extent but one nodata cell.
    EXPECT_GT(non_white, bands[0].size() / 2);
    EXPECT_GT(colours.size(), 20u);
}

// The checker must be able to say no: a project whose files are gone.
TEST(QgisProject, TheCheckerReportsMissingSources) {
    TempDir dir;
    qgis::ProjectSpec spec;
    spec.title = "missing";
    spec.crs_epsg = 4326; // the other CRS a project may be in
    spec.extent = {-1, 50, 1, 52};
    qgis::ProjectLayer vector = project_layer("gone", "Gone", "./nothing.gpkg|layername=gone");
    vector.qml = qgis::vector_qml({});
    qgis::ProjectLayer raster = project_layer("gone_tif", "Gone tif", "./nothing.tif", true);
    raster.qml = qgis::raster_qml({});
    spec.groups = {group("Group", {vector, raster})};
    qgis::write_project(dir.path() / "broken.qgs", spec);
    const nlohmann::json result = check_bundle(dir.path() / "broken.qgs");
    ASSERT_FALSE(result.is_null());
    EXPECT_TRUE(result["read"].get<bool>());
    EXPECT_EQ(result["crs"], "EPSG:4326");
    EXPECT_FALSE(result["all_valid"].get<bool>());
    ASSERT_EQ(result["layers"].size(), 2u) << result.dump();
    EXPECT_FALSE(result["layers"][0]["valid"].get<bool>());
    EXPECT_FALSE(result["layers"][1]["valid"].get<bool>());
}

TEST(QgisXml, EscapesEveryMarkupCharacterAndReplacesWhatXmlCannotCarry) {
    EXPECT_EQ(qgis::xml_escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;'");
    EXPECT_EQ(qgis::xml_escape(std::string("a\x01"
                                           "b\tc\nd\xff",
                                           8)),
              "a\uFFFDb&#9;c&#10;d\uFFFD");
    EXPECT_EQ(qgis::xml_escape("Białowieża"), "Białowieża");
}

TEST(QgisXml, QmlDocumentsAreWellFormed) {
    qgis::VectorStyle style = points_style();
    style.label_field = "type";
    for (const std::string& qml : {qgis::vector_qml(style), qgis::vector_qml(lines_style()),
                                   qgis::raster_qml(raster_style(-1, 1, true))}) {
        CPLXMLNode* tree = CPLParseXMLString(qml.c_str());
        EXPECT_NE(tree, nullptr) << qml;
        CPLDestroyXMLNode(tree);
    }
    EXPECT_EQ(qgis::ramp_colours(qgis::Ramp::yl_or_rd, 2),
              (std::vector<qgis::Rgb>{{255, 255, 178}, {177, 0, 38}}));
}

TEST(QgisXml, BadInputIsRefusedWithItsReason) {
    qgis::VectorStyle style;
    style.kind = qgis::VectorStyle::Kind::categorized;
    EXPECT_EQ(message_of<InputError>([&] { qgis::vector_qml(style); }),
              "a categorized style needs a field and at least one category");
    EXPECT_EQ(message_of<InputError>([] { qgis::raster_qml(raster_style(1, 1, false)); }),
              "a raster style needs min < max, got 1 and 1");
    TempDir dir;
    qgis::ProjectSpec spec;
    spec.extent = {0, 0, 1, 1};
    spec.groups = {group(
        "g", {project_layer("a", "A", "./a.tif", true), project_layer("a", "B", "./b.tif", true)})};
    const auto qgs = dir.path() / "p.qgs";
    EXPECT_EQ(message_of<InputError>([&] { qgis::write_project(qgs, spec); }),
              "project " + qgs.string() + ": layer id a is used twice");
    EXPECT_EQ(message_of<IoError>([&] { qgis::write_layer_styles(dir.path() / "none.gpkg", {}); }),
              "cannot open GeoPackage " + (dir.path() / "none.gpkg").string() + ": no such file");
}

} // namespace
} // namespace waymark

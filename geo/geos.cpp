#include "geo/geos.hpp"

#include "base/error.hpp"

#include <functional>
#include <utility>

namespace waymark::geos {

struct Context::State {
    GEOSContextHandle_t handle = nullptr;
    std::string last_error;
    std::string last_notice;

    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    // The State owns the handle, so that however a Context lets go of its
    // State (destruction or move assignment) the GEOS context is finished.
    ~State() {
        if (handle != nullptr) {
            GEOS_finish_r(handle);
        }
    }
};

namespace {

// GEOS's re-entrant message handlers receive the formatted message and the
// State as user data.
void store_error(const char* message, void* userdata) {
    static_cast<Context::State*>(userdata)->last_error = message;
}

void store_notice(const char* message, void* userdata) {
    static_cast<Context::State*>(userdata)->last_notice = message;
}

std::string failure(const Context::State* state, const char* operation) {
    std::string what = std::string("GEOS ") + operation + " failed";
    if (!state->last_error.empty()) {
        what += ": " + state->last_error;
    }
    return what;
}

} // namespace

Context::Context() : m_state(std::make_unique<State>()) {
    m_state->handle = GEOS_init_r();
    if (m_state->handle == nullptr) {
        throw GeometryError("GEOS context could not be created");
    }
    GEOSContext_setErrorMessageHandler_r(m_state->handle, store_error, m_state.get());
    GEOSContext_setNoticeMessageHandler_r(m_state->handle, store_notice, m_state.get());
}

Context::Context(Context&&) noexcept = default;
Context& Context::operator=(Context&&) noexcept = default;
Context::~Context() = default;

GEOSContextHandle_t Context::get() const noexcept {
    return m_state->handle;
}

const std::string& Context::last_error() const noexcept {
    return m_state->last_error;
}

Geometry Context::point(double x, double y) const {
    m_state->last_error.clear();
    GEOSGeometry* handle = GEOSGeom_createPointFromXY_r(m_state->handle, x, y);
    if (handle == nullptr) {
        throw GeometryError(failure(m_state.get(), "point creation"));
    }
    return Geometry(m_state.get(), handle);
}

Geometry Context::multipoint(std::span<const geo::Point> points) const {
    m_state->last_error.clear();
    std::vector<GEOSGeometry*> parts;
    parts.reserve(points.size());
    try {
        for (const geo::Point& p : points) {
            GEOSGeometry* part = GEOSGeom_createPointFromXY_r(m_state->handle, p.x, p.y);
            if (part == nullptr) {
                throw GeometryError(failure(m_state.get(), "point creation"));
            }
            parts.push_back(part);
        }
    } catch (...) {
        for (GEOSGeometry* part : parts) {
            GEOSGeom_destroy_r(m_state->handle, part);
        }
        throw;
    }
    // The collection takes the parts over, on success and on failure alike.
    GEOSGeometry* handle = GEOSGeom_createCollection_r(
        m_state->handle, GEOS_MULTIPOINT, parts.data(), static_cast<unsigned>(parts.size()));
    if (handle == nullptr) {
        throw GeometryError(failure(m_state.get(), "multipoint creation"));
    }
    return Geometry(m_state.get(), handle);
}

Geometry Context::from_wkt(std::string_view wkt) const {
    m_state->last_error.clear();
    const std::string text(wkt);
    const GEOSContextHandle_t context = m_state->handle;
    const std::unique_ptr<GEOSWKTReader, std::function<void(GEOSWKTReader*)>> reader(
        GEOSWKTReader_create_r(context),
        [context](GEOSWKTReader* r) { GEOSWKTReader_destroy_r(context, r); });
    if (!reader) {
        throw GeometryError(failure(m_state.get(), "WKT reader creation"));
    }
    GEOSGeometry* handle = GEOSWKTReader_read_r(context, reader.get(), text.c_str());
    if (handle == nullptr) {
        throw GeometryError(
            "invalid WKT '" + text + "': " +
            (m_state->last_error.empty() ? "GEOS could not parse it" : m_state->last_error));
    }
    return Geometry(m_state.get(), handle);
}

// ---- Geometry ---------------------------------------------------------------

Geometry::Geometry(Geometry&& other) noexcept
    : m_state(other.m_state), m_handle(std::exchange(other.m_handle, nullptr)) {}

Geometry& Geometry::operator=(Geometry&& other) noexcept {
    if (this != &other) {
        if (m_handle != nullptr) {
            GEOSGeom_destroy_r(m_state->handle, m_handle);
        }
        m_state = other.m_state;
        m_handle = std::exchange(other.m_handle, nullptr);
    }
    return *this;
}

Geometry::~Geometry() {
    if (m_handle != nullptr) {
        GEOSGeom_destroy_r(m_state->handle, m_handle);
    }
}

Geometry Geometry::make(GEOSGeometry* handle, const char* operation) const {
    if (handle == nullptr) {
        throw GeometryError(failure(m_state, operation));
    }
    return Geometry(m_state, handle);
}

bool Geometry::predicate(char answer, const char* operation) const {
    if (answer == 2) {
        throw GeometryError(failure(m_state, operation));
    }
    return answer == 1;
}

Geometry Geometry::clone() const {
    return make(GEOSGeom_clone_r(m_state->handle, m_handle), "clone");
}

Geometry Geometry::convex_hull() const {
    return make(GEOSConvexHull_r(m_state->handle, m_handle), "convex hull");
}

Geometry Geometry::buffer(double distance, int quadrant_segments) const {
    return make(GEOSBuffer_r(m_state->handle, m_handle, distance, quadrant_segments), "buffer");
}

Geometry Geometry::concave_hull(double ratio, bool allow_holes) const {
    return make(GEOSConcaveHull_r(m_state->handle, m_handle, ratio, allow_holes ? 1 : 0),
                "concave hull");
}

std::vector<std::vector<geo::Point>> Geometry::polygon_rings() const {
    if (GEOSGeomTypeId_r(m_state->handle, m_handle) != GEOS_POLYGON) {
        throw GeometryError("GEOS polygon rings: the geometry is not a polygon");
    }
    const auto ring_points = [this](const GEOSGeometry* ring) {
        const GEOSCoordSequence* sequence = GEOSGeom_getCoordSeq_r(m_state->handle, ring);
        unsigned size = 0;
        if (sequence == nullptr || GEOSCoordSeq_getSize_r(m_state->handle, sequence, &size) == 0) {
            throw GeometryError(failure(m_state, "polygon rings"));
        }
        std::vector<geo::Point> points(size);
        for (unsigned i = 0; i < size; ++i) {
            if (GEOSCoordSeq_getXY_r(m_state->handle, sequence, i, &points[i].x, &points[i].y) ==
                0) {
                throw GeometryError(failure(m_state, "polygon rings"));
            }
        }
        return points;
    };
    std::vector<std::vector<geo::Point>> rings;
    rings.push_back(ring_points(GEOSGetExteriorRing_r(m_state->handle, m_handle)));
    const int holes = GEOSGetNumInteriorRings_r(m_state->handle, m_handle);
    for (int i = 0; i < holes; ++i) {
        rings.push_back(ring_points(GEOSGetInteriorRingN_r(m_state->handle, m_handle, i)));
    }
    return rings;
}

double Geometry::area() const {
    double value = 0.0;
    if (GEOSArea_r(m_state->handle, m_handle, &value) == 0) {
        throw GeometryError(failure(m_state, "area"));
    }
    return value;
}

std::size_t Geometry::num_points() const {
    const int count = GEOSGetNumCoordinates_r(m_state->handle, m_handle);
    if (count < 0) {
        throw GeometryError(failure(m_state, "coordinate count"));
    }
    return static_cast<std::size_t>(count);
}

bool Geometry::is_valid() const {
    return predicate(GEOSisValid_r(m_state->handle, m_handle), "validity check");
}

bool Geometry::intersects(const Geometry& other) const {
    return predicate(GEOSIntersects_r(m_state->handle, m_handle, other.m_handle), "intersects");
}

bool Geometry::contains(const Geometry& other) const {
    return predicate(GEOSContains_r(m_state->handle, m_handle, other.m_handle), "contains");
}

std::string Geometry::to_wkt(int precision) const {
    const GEOSContextHandle_t context = m_state->handle;
    const std::unique_ptr<GEOSWKTWriter, std::function<void(GEOSWKTWriter*)>> writer(
        GEOSWKTWriter_create_r(context),
        [context](GEOSWKTWriter* w) { GEOSWKTWriter_destroy_r(context, w); });
    if (!writer) {
        throw GeometryError(failure(m_state, "WKT writer creation"));
    }
    GEOSWKTWriter_setRoundingPrecision_r(context, writer.get(), precision);
    GEOSWKTWriter_setTrim_r(context, writer.get(), 1);
    const std::unique_ptr<char, std::function<void(char*)>> text(
        GEOSWKTWriter_write_r(context, writer.get(), m_handle),
        [context](char* t) { GEOSFree_r(context, t); });
    if (!text) {
        throw GeometryError(failure(m_state, "WKT writing"));
    }
    return std::string(text.get());
}

} // namespace waymark::geos

#pragma once

// RAII wrappers for GEOS, through its re-entrant (_r) C API only
// (design/ARCHITECTURE.md, point 3). A Context owns one GEOS context handle
// and collects its error messages; every Geometry is tied to the Context that
// made it and must not outlive it.

#include "geo/point.hpp"

#include <geos_c.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace waymark::geos {

class Geometry;

/// One GEOS context (GEOSContextHandle_t). Not thread-safe: use one per thread.
class Context {
public:
    Context();
    // Defined in geos.cpp, where State is complete. Moving keeps every
    // Geometry made by the source usable: it points at the heap-held State.
    Context(Context&&) noexcept;
    Context& operator=(Context&&) noexcept;
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    ~Context();

    GEOSContextHandle_t get() const noexcept;

    /// GEOS's last error message on this context ("" if none).
    const std::string& last_error() const noexcept;

    Geometry point(double x, double y) const;
    /// A MultiPoint of `points` (empty when there are none).
    Geometry multipoint(std::span<const geo::Point> points) const;
    /// Parses WKT; throws GeometryError quoting the text and GEOS's message.
    Geometry from_wkt(std::string_view wkt) const;

    /// Opaque: the handle and its messages, heap-held so that moving the
    /// Context keeps the pointers GEOS's message handlers hold valid.
    struct State;

private:
    std::unique_ptr<State> m_state;
};

/// One geometry (GEOSGeometry*) owned by this object.
class Geometry {
public:
    Geometry(Geometry&& other) noexcept;
    Geometry& operator=(Geometry&& other) noexcept;
    Geometry(const Geometry&) = delete;
    Geometry& operator=(const Geometry&) = delete;
    ~Geometry();

    Geometry clone() const;
    Geometry convex_hull() const;
    Geometry buffer(double distance, int quadrant_segments = 8) const;
    /// GEOS's concave hull (GEOS >= 3.11): `ratio` 1 gives the convex hull,
    /// smaller values follow the points more closely.
    Geometry concave_hull(double ratio, bool allow_holes = false) const;

    /// The rings of a Polygon (exterior first, then holes), each closed as
    /// GEOS keeps it. Throws GeometryError for any other geometry type.
    std::vector<std::vector<geo::Point>> polygon_rings() const;

    double area() const;
    std::size_t num_points() const;
    bool is_valid() const;
    /// GEOS answers 0, 1 or 2 (exception); 2 throws GeometryError, never `true`.
    bool intersects(const Geometry& other) const;
    bool contains(const Geometry& other) const;

    std::string to_wkt(int precision = 6) const;

    const GEOSGeometry* get() const noexcept { return m_handle; }

private:
    friend class Context;
    Geometry(const Context::State* state, GEOSGeometry* handle) noexcept
        : m_state(state), m_handle(handle) {}
    /// Wraps a new geometry returned by GEOS, throwing if GEOS returned null.
    Geometry make(GEOSGeometry* handle, const char* operation) const;
    bool predicate(char answer, const char* operation) const;

    const Context::State* m_state = nullptr;
    GEOSGeometry* m_handle = nullptr;
};

} // namespace waymark::geos

#pragma once

// The store's schema as an ordered list of migrations. A store's version is
// the number of migrations applied (kept in PRAGMA user_version); opening an
// older store for writing applies the missing ones in one transaction.

#include <span>
#include <string_view>

namespace waymark::store {

struct Migration {
    int version;              ///< the schema version this migration produces
    std::string_view summary; ///< one line for `waymark init` and the docs
    std::string_view sql;     ///< "{srid}" stands for the working CRS's EPSG code
};

/// Every SpatiaLite migration, in order; the last one's version is current.
std::span<const Migration> spatialite_migrations();

/// The same migrations for PostgreSQL with PostGIS: the same versions,
/// tables and columns (schema.cpp says how the types map).
std::span<const Migration> postgis_migrations();

/// The schema version this build of Waymark reads and writes.
int current_schema_version();

} // namespace waymark::store

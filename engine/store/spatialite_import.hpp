#pragma once

// The SpatiaLite ImportWriter: every statement prepared once per import and
// run inside one IMMEDIATE transaction.

#include "engine/store/sqlite.hpp"
#include "engine/store/store.hpp"

#include <memory>

namespace waymark::store {

std::unique_ptr<ImportWriter> begin_spatialite_import(sqlite::Database& db, int working_crs,
                                                      const ImportRunInfo& info);

} // namespace waymark::store

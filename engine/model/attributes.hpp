#pragma once

#include <string>
#include <utility>
#include <vector>

namespace waymark::model {

/// Unknown columns or fields of a record, kept as name/value pairs in source
/// order (DATA-MODEL.md: unknown columns are kept and reported, never dropped).
using Attributes = std::vector<std::pair<std::string, std::string>>;

} // namespace waymark::model

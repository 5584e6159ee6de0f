#pragma once

// The one exception hierarchy of Waymark (design/ARCHITECTURE.md, point 4).
//
// It lives in base/ rather than engine/ because geo/ must not include anything
// of ours but still throws our errors; base/ is the only folder every other
// folder may include, and it holds nothing but this.
//
// Every message names the operation, the file or layer, the line or record,
// and appends the C library's own message when there is one. Exit codes are
// decided only in the CLI: UsageError is 2, every other Error is 1.

#include <stdexcept>
#include <string>

namespace waymark {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Bad input data: a file, a record, a code, a settings value.
class InputError : public Error {
public:
    using Error::Error;
};

/// A file or dataset could not be read or written (includes GDAL datasets).
class IoError : public Error {
public:
    using Error::Error;
};

/// The store (SpatiaLite, later PostGIS) failed or holds something unexpected.
class StoreError : public Error {
public:
    using Error::Error;
};

/// A geometry operation (GEOS, OGR) failed.
class GeometryError : public Error {
public:
    using Error::Error;
};

/// The command line was used wrongly; the CLI exits with 2.
class UsageError : public Error {
public:
    using Error::Error;
};

} // namespace waymark

# Every dependency is a Debian 12 package installed by scripts/deps.sh
# (`make deps`); each is found here as an imported target.
find_package(PkgConfig REQUIRED)

find_package(SQLite3 REQUIRED)                      # SQLite::SQLite3
pkg_check_modules(SPATIALITE REQUIRED IMPORTED_TARGET spatialite)  # PkgConfig::SPATIALITE
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)  # PkgConfig::LIBPQ: the PostGIS backend
find_package(GDAL CONFIG REQUIRED)                  # GDAL::GDAL (OGR, OSR/PROJ)
find_package(GEOS CONFIG REQUIRED)                  # GEOS::geos_c
find_package(Boost 1.74 CONFIG REQUIRED COMPONENTS headers)  # Boost.Graph is header-only
find_package(Eigen3 CONFIG REQUIRED)                # Eigen3::Eigen
find_package(nlohmann_json CONFIG REQUIRED)         # nlohmann_json::nlohmann_json
find_package(CLI11 CONFIG REQUIRED)                 # CLI11::CLI11
find_package(OpenSSL REQUIRED)                      # OpenSSL::Crypto (random key, SHA-256)
find_package(date CONFIG REQUIRED)                  # date::date-tz (IANA time zones)
# cpp-httplib as Debian builds it: a shared library whose Cflags carry the
# feature macros (OpenSSL, zlib, Brotli) its class layouts depend on.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)  # PkgConfig::HTTPLIB

if(WAYMARK_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)               # GTest::gtest_main
  include(GoogleTest)
endif()
if(WAYMARK_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)           # benchmark::benchmark
endif()

#pragma once

// Moving a store from SpatiaLite to PostGIS (issue 11, `waymark migrate`,
// docs/migrate.md): every Waymark table copied as it is, ids, pseudonymisation
// key and audit log included, in one transaction on the target; then both
// sides read back and compared table by table, by row count and checksum.
//
// A table's checksum is the SHA-256 (hex) of its rows in primary-key order
// (by every column when it has no key), each row its values in column order,
// each value written canonically so that both databases give the same bytes:
//   NULL         "N;"
//   any other    "V" <length in bytes> ":" <text> ";"  where <text> is
//                integers in decimal, reals as printf("%.17g"), text as it is,
//                binary as lower-case hex, a point as "%.17g %.17g" of x and y
// and "\n" after each row. The target's audit log is compared on the entries
// copied; the entry the migration appends comes after them.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace waymark::store {

/// One table as copied and compared.
struct MigratedTable {
    std::string name;
    std::int64_t rows = 0; ///< in the source, and copied
    std::string checksum;  ///< equal on both sides (see the file comment)
};

struct MigrationReport {
    std::string from;       ///< the source's file path
    std::string to;         ///< the target, as "postgresql://user@host:port/db" (no password)
    int schema_version = 0; ///< of both stores
    int working_crs = 0;    ///< of both stores
    std::string source_audit_head;     ///< the source's last audit hash (64 zeros: empty log)
    std::int64_t audit_seq = 0;        ///< the migration's own entry in the target's audit log
    std::string target_audit_head;     ///< the target's chain head after the migration
    std::vector<MigratedTable> tables; ///< in the order copied
    double seconds = 0.0;
};

/// Told what the migration is doing: `stage` ("copying", "comparing",
/// "verifying the audit log") and how far it has got overall (0 to 1).
using MigrationProgress = std::function<void(std::string_view stage, double fraction)>;

/// The tables `migrate_store` copies, in an order in which every row's
/// foreign keys point at rows already copied.
const std::vector<std::string_view>& migrated_tables();

/// Copies the SpatiaLite store `from` ("sqlite:PATH" or a plain path, opened
/// read-only) into the PostGIS database `to` (a postgresql:// URL), creating
/// the target's schema if it has none. Both must be at this Waymark's schema
/// version, the source's audit log must verify, and the target must hold no
/// records, audit entries or import runs. The copy is one transaction on the
/// target, which also appends a "migrate" entry to the copied audit log and,
/// before it commits, reads both stores back and compares every table (counts
/// and checksums); after the commit the target's audit chain is verified.
/// Throws UsageError when `from` is a URL or `to` is not, and StoreError
/// naming the store and table for everything else: when it throws before the
/// commit, the target holds nothing new (its schema may have been created).
MigrationReport migrate_store(const std::string& from, const std::string& to,
                              const MigrationProgress& progress = {});

} // namespace waymark::store

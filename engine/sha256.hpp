#pragma once

// SHA-256 (OpenSSL), written as 64 lowercase hex digits: the checksum of an
// imported file and the links of the audit log's hash chain.

#include <filesystem>
#include <string>
#include <string_view>

namespace waymark {

/// The SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

/// The SHA-256 of a file's bytes, read in blocks. Throws IoError if it cannot
/// be read.
std::string sha256_of_file(const std::filesystem::path& path);

} // namespace waymark

#pragma once

// SHA-256 (OpenSSL), written as 64 lowercase hex digits: the checksum of an
// imported file and the links of the audit log's hash chain; and HMAC-SHA-256.

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace waymark {

/// HMAC-SHA-256 of `message` under `key` (32 bytes): the keyed pseudonyms
/// of the panel profile (engine/profile_stage.hpp).
std::vector<unsigned char> hmac_sha256(std::span<const unsigned char> key,
                                       std::string_view message);

/// The SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

/// The SHA-256 of a file's bytes, read in blocks. Throws IoError if it cannot
/// be read.
std::string sha256_of_file(const std::filesystem::path& path);

} // namespace waymark

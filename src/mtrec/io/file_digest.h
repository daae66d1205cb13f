// Message digests of files (OpenSSL EVP), as lowercase hex: SHA-256 for the
// archives whose hashes mtrec pins, MD5 for GroupLens's published .md5 files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "mtrec/status.h"

namespace mtrec {

enum class DigestAlgorithm { kMd5, kSha256 };

std::string_view DigestName(DigestAlgorithm algorithm);  // "md5", "sha256"

// Reads `path` in 1 MiB blocks. Errors name the path.
Result<std::string> FileDigestHex(const std::filesystem::path& path, DigestAlgorithm algorithm);

// The digest of an in-memory string (tests).
std::string DigestHex(std::string_view data, DigestAlgorithm algorithm);

}  // namespace mtrec

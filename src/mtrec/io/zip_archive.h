// ZipArchive: reads members of a zip file as streams (libzip), so a data set
// is parsed straight out of its archive without extracting it.
//
// Open checks the archive's consistency (a truncated or corrupt file fails
// there); each member's CRC is checked when it has been read to its end, so a
// corrupt member fails its last Read. Errors name the archive (and member).
//
// Ownership: members opened with OpenMember keep the archive alive. Thread-safety:
// one thread at a time per archive (libzip archives are not thread-safe).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mtrec/io/byte_source.h"
#include "mtrec/status.h"

struct zip;

namespace mtrec {

class ZipArchive {
 public:
  static Result<ZipArchive> Open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  // Every member's name (folders end in '/').
  const std::vector<std::string>& member_names() const { return names_; }

  // The member named `name`, else one whose name ends in "/name" (the
  // shallowest first), else nullopt.
  std::optional<std::string> FindMember(std::string_view name) const;

  // A stream over the member's uncompressed bytes. NotFound if there is none.
  Result<std::unique_ptr<ByteSource>> OpenMember(const std::string& name) const;

 private:
  ZipArchive(std::filesystem::path path, std::shared_ptr<zip> archive,
             std::vector<std::string> names)
      : path_(std::move(path)), archive_(std::move(archive)), names_(std::move(names)) {}

  std::filesystem::path path_;
  std::shared_ptr<zip> archive_;
  std::vector<std::string> names_;
};

}  // namespace mtrec

// Writes small zip archives for tests (libzip), e.g. a fake ml-10m.zip.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mtrec::testing {

// The bytes of a zip holding `members` (name, content), deflated.
std::string MakeZip(const std::vector<std::pair<std::string, std::string>>& members);

}  // namespace mtrec::testing

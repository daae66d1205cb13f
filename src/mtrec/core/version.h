// mtrec's version, written into every run's config.json.
#pragma once

namespace mtrec {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace mtrec

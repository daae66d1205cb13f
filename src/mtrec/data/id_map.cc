#include "mtrec/data/id_map.h"

#include <charconv>

#include "mtrec/core/check.h"

namespace mtrec {

IdMap IdMap::Identity(int32_t size) {
  MTREC_CHECK(size >= 0);
  IdMap map;
  map.identity_ = true;
  map.identity_size_ = size;
  return map;
}

int32_t IdMap::Intern(std::string_view raw) {
  MTREC_DCHECK(!identity_);
  if (auto it = index_.find(raw); it != index_.end()) return it->second;
  const auto index = static_cast<int32_t>(names_.size());
  names_.emplace_back(raw);
  index_.emplace(names_.back(), index);
  return index;
}

std::optional<int32_t> IdMap::Find(std::string_view raw) const {
  if (identity_) {
    int64_t id = 0;
    const char* end = raw.data() + raw.size();
    auto [ptr, ec] = std::from_chars(raw.data(), end, id);
    if (ec != std::errc() || ptr != end || id < 0 || id >= identity_size_) return std::nullopt;
    return static_cast<int32_t>(id);
  }
  if (auto it = index_.find(raw); it != index_.end()) return it->second;
  return std::nullopt;
}

std::string IdMap::Name(int32_t index) const {
  MTREC_CHECK(index >= 0 && index < size());
  return identity_ ? std::to_string(index) : names_[static_cast<size_t>(index)];
}

}  // namespace mtrec

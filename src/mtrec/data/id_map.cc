#include "mtrec/id_map.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace mtrec {

namespace {

constexpr uint64_t kDirect = 0;  // the "hash" of names found through direct_

// MurmurHash3's 64-bit finaliser: every output bit depends on every input bit
// (linear probing needs well-mixed low bits).
uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  return h ^ (h >> 33);
}

// A fast 64-bit hash of short byte strings, 8 bytes at a time.
uint64_t HashBytes(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = Mix(h ^ w);
  }
  uint64_t w = 0;
  if (s.size() > i) std::memcpy(&w, s.data() + i, s.size() - i);
  h = Mix(h ^ w);
  return h == kDirect ? 1 : h;
}

// Whether s is a canonical decimal integer below `limit` (no sign, no leading zero).
bool SmallCanonicalInteger(std::string_view s, uint32_t limit, uint32_t* value) {
  if (s.empty() || s.size() > 9 || (s[0] == '0' && s.size() > 1)) return false;
  uint32_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  *value = v;
  return v < limit;
}

}  // namespace

IdMap IdMap::Identity(int32_t size) {
  IdMap map;
  map.identity_ = true;
  map.identity_size_ = std::max(size, 0);
  return map;
}

size_t IdMap::Probe(std::string_view raw, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const int32_t index = slots_[slot];
    if (index < 0 || (hashes_[index] == hash && DenseName(index) == raw)) return slot;
  }
}

void IdMap::Grow() {
  slots_.assign(slots_.empty() ? 1024 : slots_.size() * 2, -1);
  const size_t mask = slots_.size() - 1;
  for (size_t index = 0; index < hashes_.size(); ++index) {
    if (hashes_[index] == kDirect) continue;
    size_t slot = hashes_[index] & mask;
    while (slots_[slot] >= 0) slot = (slot + 1) & mask;
    slots_[slot] = static_cast<int32_t>(index);
  }
}

int32_t IdMap::Append(std::string_view raw, uint64_t hash) {
  const auto index = static_cast<int32_t>(hashes_.size());
  hashes_.push_back(hash);
  names_.append(raw);
  offsets_.push_back(names_.size());
  return index;
}

int32_t IdMap::Intern(std::string_view raw) {
  if (identity_) return Find(raw).value_or(-1);
  if (uint32_t v; SmallCanonicalInteger(raw, kDirectLimit, &v)) {
    if (v >= direct_.size()) {
      direct_.resize(std::min<size_t>(kDirectLimit, std::max<size_t>(v + 1, 2 * direct_.size())),
                     -1);
    }
    if (direct_[v] < 0) direct_[v] = Append(raw, kDirect);
    return direct_[v];
  }
  if (2 * (hashed_ + 1) > slots_.size()) Grow();  // load factor <= 1/2
  const uint64_t hash = HashBytes(raw);
  const size_t slot = Probe(raw, hash);
  if (slots_[slot] < 0) {
    slots_[slot] = Append(raw, hash);
    ++hashed_;
  }
  return slots_[slot];
}

std::optional<int32_t> IdMap::Find(std::string_view raw) const {
  if (identity_) {
    int64_t id = 0;
    const char* end = raw.data() + raw.size();
    auto [ptr, ec] = std::from_chars(raw.data(), end, id);
    if (ec != std::errc() || ptr != end || id < 0 || id >= identity_size_) return std::nullopt;
    return static_cast<int32_t>(id);
  }
  if (uint32_t v; SmallCanonicalInteger(raw, kDirectLimit, &v)) {
    if (v >= direct_.size() || direct_[v] < 0) return std::nullopt;
    return direct_[v];
  }
  if (slots_.empty()) return std::nullopt;
  const int32_t index = slots_[Probe(raw, HashBytes(raw))];
  if (index < 0) return std::nullopt;
  return index;
}

std::string IdMap::Name(int32_t index) const {
  if (index < 0 || index >= size()) return "";
  return identity_ ? std::to_string(index) : std::string(DenseName(index));
}

}  // namespace mtrec

// IdMap: the user's own ids <-> the dense indices the model's tables use.
//
// Two modes. Identity (the MovieLens default, as the original): index i is the
// raw integer id i, the table has `size()` rows and rows never seen in the data
// are phantoms. Dense: ids of any text ("u42", "0114709") are numbered 0, 1, ...
// in order of first appearance, and Name() gives the text back for output.
//
// Thread-safety: const methods may be called concurrently; Intern may not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mtrec {

class IdMap {
 public:
  // An identity map over [0, size). REQUIRES: size >= 0.
  static IdMap Identity(int32_t size);
  // An empty dense map; ids are added by Intern.
  IdMap() = default;

  bool is_identity() const { return identity_; }
  int32_t size() const { return identity_ ? identity_size_ : static_cast<int32_t>(names_.size()); }

  // The index of `raw`, adding it if new. REQUIRES: !is_identity(), size() < INT32_MAX.
  int32_t Intern(std::string_view raw);

  // The index of the user's id `raw`, or nullopt if the data has no such id.
  std::optional<int32_t> Find(std::string_view raw) const;

  // The user's own id of `index` (its decimal text for an identity map).
  // REQUIRES: 0 <= index < size().
  std::string Name(int32_t index) const;

 private:
  // Transparent hashing: look up string_views without building strings.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  bool identity_ = false;
  int32_t identity_size_ = 0;
  std::vector<std::string> names_;
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> index_;
};

}  // namespace mtrec

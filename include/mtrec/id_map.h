// IdMap: the user's own ids <-> the dense indices the model's tables use.
//
// Two modes. Identity (the MovieLens default, as the original): index i is the
// raw integer id i, the table has `size()` rows and rows never seen in the data
// are phantoms. Dense: ids of any text ("u42", "0114709") are numbered 0, 1, ...
// in order of first appearance, and Name() gives the text back for output.
//
// A dense map stores every name once in one buffer. Names that are canonical
// decimal integers below kDirectLimit ("42", not "042") are found through a
// table indexed by their value, all others through an open-addressing hash
// table: numbering the 50M ids of an ML-25M-sized file with
// std::unordered_map<std::string> took ~25 s.
//
// Thread-safety: const methods may be called concurrently; Intern may not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mtrec {

class IdMap {
 public:
  // An identity map over [0, size) (empty for a negative size).
  static IdMap Identity(int32_t size);
  // An empty dense map; ids are added by Intern.
  IdMap() = default;

  bool is_identity() const { return identity_; }
  int32_t size() const {
    return identity_ ? identity_size_ : static_cast<int32_t>(offsets_.size() - 1);
  }

  // The index of `raw`, adding it if new (a dense map). An identity map adds
  // nothing: it returns the row a canonical integer id names, or -1.
  // REQUIRES: size() < INT32_MAX.
  int32_t Intern(std::string_view raw);

  // The index of the user's id `raw`, or nullopt if the data has no such id.
  std::optional<int32_t> Find(std::string_view raw) const;

  // The user's own id of `index` (its decimal text for an identity map).
  // "" outside [0, size()).
  std::string Name(int32_t index) const;

 private:
  std::string_view DenseName(int32_t index) const {
    return std::string_view(names_).substr(offsets_[index], offsets_[index + 1] - offsets_[index]);
  }
  // The slot holding `raw`, or the empty slot where it would go.
  size_t Probe(std::string_view raw, uint64_t hash) const;
  void Grow();
  int32_t Append(std::string_view raw, uint64_t hash);

  static constexpr uint32_t kDirectLimit = uint32_t{1} << 25;

  bool identity_ = false;
  int32_t identity_size_ = 0;
  std::string names_;                 // every name, back to back
  std::vector<uint64_t> offsets_{0};  // name i is names_[offsets_[i], offsets_[i + 1])
  std::vector<uint64_t> hashes_;      // hash of name i (0 for names in direct_)
  size_t hashed_ = 0;                 // names in slots_
  std::vector<int32_t> slots_;        // power-of-two table of indices, -1 empty
  std::vector<int32_t> direct_;       // direct_[v]: the index of integer name v, or -1
};

}  // namespace mtrec

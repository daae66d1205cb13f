// Interactions: a list of (user, item, rating, timestamp) events, column-wise,
// with ids that are rows of the model's tables. Part of the public API.
//
// Ids are non-negative indices into the model's tables. For the MovieLens sets
// mtrec follows the original and uses the raw 1-based ids, so row 0 of every
// table is a phantom entity that never occurs in the data yet is part of the
// model (ranked in MRR, drawable as a negative). Other data are numbered
// densely from 0; a Dataset's IdMaps translate back (mtrec/dataset.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mtrec {

using UserId = int32_t;
using ItemId = int32_t;

struct Interactions {
  std::vector<UserId> users;
  std::vector<ItemId> items;
  std::vector<float> ratings;
  std::vector<int64_t> timestamps;  // carried along, unused by training
  // Table sizes: every id is < these. For MovieLens: max id + 1 over the full data
  // set, computed before the split and shared by both halves (as the original).
  int32_t num_users = 0;
  int32_t num_items = 0;

  size_t size() const { return users.size(); }

  // Rows `order[k]` of this, in that order (the same table sizes).
  Interactions Select(std::span<const int64_t> order) const;
};

}  // namespace mtrec

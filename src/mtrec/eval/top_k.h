// Top-k selection over a full score vector.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "mtrec/data/user_item_sets.h"

namespace mtrec {

// The order of every top k: item a ranks before item b by the higher score, a
// NaN below every number, then the lower id.
inline bool RanksBefore(std::span<const float> scores, ItemId a, ItemId b) {
  const float sa = scores[a], sb = scores[b];
  if (std::isnan(sa) != std::isnan(sb)) return std::isnan(sb);
  if (sa != sb && !std::isnan(sa)) return sa > sb;
  return a < b;
}

// The k best candidates by score, best first; ties go to the lower item id, and
// a NaN score ranks below every number. `candidate[i]` false excludes item i.
// Returns fewer than k items when there are fewer candidates.
// REQUIRES: candidate.size() == scores.size().
std::vector<ItemId> TopK(std::span<const float> scores, std::span<const uint8_t> candidate, int k);

// The same into `out` (its capacity reused: nothing is allocated once it holds
// k), with the items of `excluded` (ascending) excluded as well, as if their
// candidate entries were 0: a user's seen items are tested as the pass meets
// them, without a copy of the mask.
void TopK(std::span<const float> scores, std::span<const uint8_t> candidate,
          std::span<const ItemId> excluded, int k, std::vector<ItemId>& out);

}  // namespace mtrec

// Top-k selection over a full score vector.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mtrec/data/user_item_sets.h"

namespace mtrec {

// The k best candidates by score, best first; ties go to the lower item id, and
// a NaN score ranks below every number. `candidate[i]` false excludes item i.
// Returns fewer than k items when there are fewer candidates.
// REQUIRES: candidate.size() == scores.size().
std::vector<ItemId> TopK(std::span<const float> scores, std::span<const uint8_t> candidate, int k);

}  // namespace mtrec

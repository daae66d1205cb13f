// UserItemSets: each user's distinct items in a set of interactions (a CSR
// matrix), as the ranking metrics and the recommender exclude or count them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "mtrec/interactions.h"

namespace mtrec {

// For each user, the distinct items it has in `x`, ascending (a CSR matrix's
// column indices, as scipy's coo->csr gives them: duplicate pairs appear once).
struct UserItemSets {
  std::vector<int64_t> offsets;  // size num_users + 1
  std::vector<ItemId> items;

  static UserItemSets Build(const Interactions& x) { return Build({&x}); }
  // The union over several parts (e.g. the training and the validation rows):
  // a user's items in any part, each once. Null parts are skipped; the table
  // covers the largest part's users.
  static UserItemSets Build(std::initializer_list<const Interactions*> parts);
  std::span<const ItemId> Of(UserId u) const {
    return {items.data() + offsets[u], items.data() + offsets[u + 1]};
  }
  int32_t num_users() const { return static_cast<int32_t>(offsets.size()) - 1; }
};

}  // namespace mtrec

// BlockScorer: scores for a block of users against a contiguous range of items,
// the GEMM-shaped access that full-ranking evaluation needs.
#pragma once

#include <cstdint>
#include <span>

#include "mtrec/data/user_item_sets.h"

namespace mtrec {

class BlockScorer {
 public:
  virtual ~BlockScorer() = default;

  // Item ranges start at multiples of this, and a block may write past its end
  // up to the next multiple of it.
  static constexpr int kItemAlignment = 16;

  virtual int32_t num_items() const = 0;

  // out[r * ld + c] = score(users[r], item_begin + c) for every r < users.size()
  // and c < item_end - item_begin. Entries from item_end up to the next
  // multiple of kItemAlignment may be written too (ld must leave room for
  // them). REQUIRES: item_begin % kItemAlignment == 0.
  // Thread-safe: may be called concurrently.
  virtual void ScoreBlock(std::span<const UserId> users, ItemId item_begin, ItemId item_end,
                          float* out, int64_t ld) const = 0;

  // The score of one pair, bit-identical to the value ScoreBlock writes for it
  // (evaluation compares a test item's score with every other item's).
  virtual float ScoreOne(UserId user, ItemId item) const = 0;
};

}  // namespace mtrec

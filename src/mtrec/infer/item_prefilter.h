// ItemPrefilter: a compact copy of the ranking head's item table (one int8
// code per weight and a scale per item, a quarter of the floats' bytes) that
// bounds every item's factorisation score, so that an exact top-k computes
// the exact score of only the items the bounds cannot rule out. The answer is
// the full pass's (TopK over ScoreAllItems): the same items, in the same
// order, with the same scores bit for bit.
//
// Why it is exact: each item's computed score lies within E_i of its
// approximation A_i (quantisation error plus every floating-point rounding of
// both computations, bounded generously). T, the k-th largest lower bound
// A_i - E_i among the candidates, is at most the k-th best exact score (those
// k items score at least their lower bounds), so every item of the exact
// top k, ties included, has A_i + E_i >= T and is scored exactly.
//
// Thread-safety: immutable once built; Select may run concurrently with
// distinct scratch vectors.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "mtrec/model/multitask_net.h"

namespace mtrec {

class ItemPrefilter {
 public:
  // Of `net`'s current weights (the caller drops it when they change); null
  // when an item row or bias is not finite (then only the full pass is exact).
  static std::unique_ptr<const ItemPrefilter> Build(const MultiTaskNet& net);

  // The k best items for `user` among those with candidate[i] != 0 less
  // `excluded` (ascending), best first, ties to the lower id, NaN last: TopK's
  // answer (eval/top_k.h) over net.ScoreAllItems(user), into `top`, with
  // scores[i] the exact score of each item of `top` (other entries are
  // scratch). `bounds` and `survivors` are scratch. False, with nothing
  // promised, when the prefilter cannot answer (a non-finite user row, k at
  // least the candidates): then run the full pass.
  // REQUIRES: net is the net it was built from, unchanged;
  // candidate.size() == num_items.
  bool Select(const MultiTaskNet& net, UserId user, std::span<const uint8_t> candidate,
              std::span<const ItemId> excluded, int k, std::vector<float>& scores,
              std::vector<float>& bounds, std::vector<ItemId>& survivors,
              std::vector<ItemId>& top) const;

  // Bytes held (the codes, the scales and a copy of the biases).
  int64_t memory_bytes() const;

 private:
  static constexpr int kBlock = 16;  // items per block of codes
  int64_t num_items_ = 0;
  int64_t dim_ = 0;
  // Item i's code for column c at ((i / 16) * dim + c) * 16 + i % 16: a block's
  // 16 items side by side per column, so one pass scores 16 at once.
  std::vector<int8_t> codes_;
  // Row i = scale_[i] * its codes (max |q_ic| / 127); bias_ the item biases.
  // Both padded with zeros to whole blocks.
  std::vector<float> scale_, bias_;
};

}  // namespace mtrec

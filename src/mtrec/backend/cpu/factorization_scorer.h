// FactorizationScorer: the factorisation head's scores p(u, i) = U_f[u].Q_f[i]
// + B[i] (+ A[u]) as a BlockScorer, for full-ranking evaluation and top-k.
//
// Builds a copy of Q_f once in GEMM panel order: items in slabs of 16, each slab
// [d x 16] contiguous, so that a block of users against a range of items is one
// small GEMM per slab that reads its 2 KiB of item factors sequentially (the
// transposed table it replaced was read 32 rows apart, and the scoring of
// ML-25M-sized data ran at half the speed).
#pragma once

#include <vector>

#include "mtrec/core/huge_pages.h"
#include "mtrec/eval/block_scorer.h"

namespace mtrec {

class MultiTaskNet;

class FactorizationScorer final : public BlockScorer {
 public:
  // Keeps a pointer to `net`, which must outlive the scorer and not change.
  explicit FactorizationScorer(const MultiTaskNet& net);

  int32_t num_items() const override { return num_items_; }
  void ScoreBlock(std::span<const UserId> users, ItemId item_begin, ItemId item_end, float* out,
                  int64_t ld) const override;
  float ScoreOne(UserId user, ItemId item) const override;

 private:
  const MultiTaskNet* const net_;
  const int32_t num_items_;
  const int dim_;
  LargeVector<float> panels_;     // [slabs x dim x kItemAlignment]
  std::vector<float> item_bias_;  // [slabs x kItemAlignment], 0 past num_items
};

}  // namespace mtrec

// FactorizationScorer: the factorisation head's scores p(u, i) = U_f[u].Q_f[i]
// + B[i] (+ A[u]) as a BlockScorer, for full-ranking evaluation and top-k.
//
// Builds a transposed, padded copy of Q_f once (d x items), so that a block of
// users against a range of items is one small GEMM.
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
  const int64_t ld_;              // row stride of items_t_ (num_items padded to 8)
  LargeVector<float> items_t_;   // Q_f transposed: [dim x ld_]
  std::vector<float> item_bias_;  // [ld_]
};

}  // namespace mtrec

#include "mtrec/backend/cpu/factorization_scorer.h"

#include <algorithm>

#include "mtrec/core/check.h"
#include "mtrec/core/gemm.h"
#include "mtrec/model/multitask_net.h"

namespace mtrec {

FactorizationScorer::FactorizationScorer(const MultiTaskNet& net)
    : net_(&net), num_items_(net.config().num_items), dim_(net.ranking_dim()) {
  const auto& roles = net.roles();
  constexpr int kSlab = kItemAlignment;
  const int64_t padded = (int64_t{num_items_} + kSlab - 1) / kSlab * kSlab;
  panels_.assign(static_cast<size_t>(padded) * dim_, 0.0f);
  item_bias_.assign(padded, 0.0f);
  for (int64_t i = 0; i < num_items_; ++i) {
    const float* q = net.Row(roles.q_fact, i);
    float* slab = panels_.data() + i / kSlab * kSlab * dim_;
    for (int k = 0; k < dim_; ++k) slab[k * kSlab + i % kSlab] = q[k];
    item_bias_[i] = *net.Row(roles.item_bias, i);
  }
}

void FactorizationScorer::ScoreBlock(std::span<const UserId> users, ItemId item_begin,
                                     ItemId item_end, float* out, int64_t ld) const {
  constexpr int kSlab = kItemAlignment;
  MTREC_CHECK(item_begin % kSlab == 0 && item_end <= num_items_);
  const auto& roles = net_->roles();
  const int m = static_cast<int>(users.size());
  const int width = (item_end - item_begin + kSlab - 1) / kSlab * kSlab;
  // Gather the users' rows, then scores = U_block x (the range's item panels) + B[range] (+ A[u]).
  float rows[4096];  // a block of up to 128 users of dimension 32 without touching the heap
  std::vector<float> heap_rows;
  float* a = rows;
  if (static_cast<int64_t>(m) * dim_ > static_cast<int64_t>(sizeof(rows) / sizeof(float))) {
    heap_rows.resize(static_cast<size_t>(m) * dim_);
    a = heap_rows.data();
  }
  for (int r = 0; r < m; ++r) {
    const float* u = net_->Row(roles.u_fact, users[r]);
    std::copy(u, u + dim_, a + int64_t{r} * dim_);
  }
  const float* panel = panels_.data() + int64_t{item_begin} * dim_;
  for (int col = 0; col < width; col += kSlab) {
    SmallGemm(m, kSlab, dim_, a, dim_, 1, panel + int64_t{col} * dim_, kSlab, out + col, ld,
              /*accumulate=*/false);
  }
  const float* bias = item_bias_.data() + item_begin;
  for (int r = 0; r < m; ++r) {
    float* row = out + int64_t{r} * ld;
    const float user_bias = roles.user_bias >= 0 ? *net_->Row(roles.user_bias, users[r]) : 0.0f;
#pragma omp simd
    for (int c = 0; c < width; ++c) row[c] = row[c] + bias[c] + user_bias;
  }
}

float FactorizationScorer::ScoreOne(UserId user, ItemId item) const {
  // The same operations, in the same order, as one lane of SmallGemm's FMA
  // chain followed by the bias additions above.
  return net_->Score(user, item);
}

}  // namespace mtrec

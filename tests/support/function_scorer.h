// FunctionScorer: a BlockScorer over a function that fills one user's score
// for every item, for tests that state scores directly.
#pragma once

#include <algorithm>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "mtrec/eval/block_scorer.h"

namespace mtrec::testing {

class FunctionScorer final : public BlockScorer {
 public:
  using ScoreAllFn = std::function<void(UserId user, std::span<float> out)>;
  FunctionScorer(int32_t num_items, ScoreAllFn score_all)
      : num_items_(num_items), score_all_(std::move(score_all)) {}

  int32_t num_items() const override { return num_items_; }
  void ScoreBlock(std::span<const UserId> users, ItemId begin, ItemId end, float* out,
                  int64_t ld) const override {
    std::vector<float> all(num_items_);
    for (size_t r = 0; r < users.size(); ++r) {
      score_all_(users[r], all);
      std::copy(all.begin() + begin, all.begin() + end, out + static_cast<int64_t>(r) * ld);
    }
  }
  float ScoreOne(UserId user, ItemId item) const override {
    std::vector<float> all(num_items_);
    score_all_(user, all);
    return all[item];
  }

 private:
  int32_t num_items_;
  ScoreAllFn score_all_;
};

}  // namespace mtrec::testing

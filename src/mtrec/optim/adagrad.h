// Adagrad with PyTorch's semantics (torch.optim.Adagrad, lr_decay 0, initial
// accumulator 0, eps 1e-10):
//   g += wd p;  s += g^2;  p -= lr * g / (sqrt(s) + eps)
// A row without gradient does not move (g = 0), so updating only the touched
// rows is exact when weight_decay is 0 (with decay, untouched rows skip it).
#pragma once

#include <cstdint>
#include <vector>

#include "mtrec/core/huge_pages.h"
#include "mtrec/optim/optimizer.h"

namespace mtrec {

class Adagrad final : public Optimizer {
 public:
  Adagrad(int64_t num_params, const OptimizerConfig& config);

  void Step(std::span<float> params, std::span<float> grads, const SparseRows& touched,
            ThreadPool& pool) override;
  // "sum" (the accumulated squared gradients).
  std::vector<StateTensor> state() override { return {{"sum", sum_}}; }

 private:
  LargeVector<float> sum_;
};

}  // namespace mtrec

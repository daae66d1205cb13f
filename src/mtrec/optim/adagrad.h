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
  bool sparse() const override { return true; }
  std::string name() const override { return "adagrad"; }
  int64_t steps() const override { return steps_; }
  void set_steps(int64_t steps) override { steps_ = steps; }
  // "sum" (the accumulated squared gradients).
  std::vector<StateTensor> state() override { return {{"sum", sum_}}; }

 private:
  const OptimizerConfig config_;
  LargeVector<float> sum_;
  int64_t steps_ = 0;
};

}  // namespace mtrec

// Plain stochastic gradient descent: p -= lr * (g + wd p). A row without
// gradient does not move, so updating only the touched rows is exact when
// weight_decay is 0 (with decay, untouched rows skip it).
#pragma once

#include <cstdint>

#include "mtrec/optim/optimizer.h"

namespace mtrec {

class Sgd final : public Optimizer {
 public:
  explicit Sgd(const OptimizerConfig& config) : Optimizer(config) {}

  void Step(std::span<float> params, std::span<float> grads, const SparseRows& touched,
            ThreadPool& pool) override;
  std::vector<StateTensor> state() override { return {}; }
};

}  // namespace mtrec

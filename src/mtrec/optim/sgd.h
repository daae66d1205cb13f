// Plain stochastic gradient descent: p -= lr * (g + wd p). A row without
// gradient does not move, so updating only the touched rows is exact when
// weight_decay is 0 (with decay, untouched rows skip it).
#pragma once

#include <cstdint>

#include "mtrec/optim/optimizer.h"

namespace mtrec {

class Sgd final : public Optimizer {
 public:
  explicit Sgd(const OptimizerConfig& config) : config_(config) {}

  void Step(std::span<float> params, std::span<float> grads, const SparseRows& touched,
            ThreadPool& pool) override;
  bool sparse() const override { return true; }
  std::string name() const override { return "sgd"; }
  int64_t steps() const override { return steps_; }
  void set_steps(int64_t steps) override { steps_ = steps; }
  std::vector<StateTensor> state() override { return {}; }

 private:
  const OptimizerConfig config_;
  int64_t steps_ = 0;
};

}  // namespace mtrec

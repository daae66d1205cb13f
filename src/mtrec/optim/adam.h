// Dense Adam with PyTorch 1.13's semantics (torch.optim.Adam, amsgrad=False,
// the single-tensor path), the original's optimiser.
//
// Every parameter moves at every step once its moments are non-zero, including
// rows that were absent from the batch (their gradient is 0, m and v decay, and
// the parameter still moves by lr * m_hat / (sqrt(v_hat) + eps)).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mtrec/optim/optimizer.h"

namespace mtrec {

struct AdamConfig {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;  // L2 added to the gradient (not decoupled, as torch.optim.Adam)
};

class DenseAdam final : public Optimizer {
 public:
  DenseAdam(int64_t num_params, const AdamConfig& config);

  void Step(std::span<float> params, std::span<float> grads, ThreadPool& pool) override;
  std::string name() const override { return "adam"; }
  int64_t steps() const override { return steps_; }
  void set_steps(int64_t steps) override { steps_ = steps; }
  // "m" (first moment) and "v" (second moment).
  std::vector<StateTensor> state() override { return {{"m", m_}, {"v", v_}}; }

 private:
  const AdamConfig config_;
  std::vector<float> m_;
  std::vector<float> v_;
  int64_t steps_ = 0;
};

}  // namespace mtrec

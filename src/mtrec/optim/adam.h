// Adam with PyTorch 1.13's semantics (torch.optim.Adam, amsgrad=False, the
// single-tensor path), in two flavours:
//
//  - dense (kAdam, the original's optimiser): every parameter moves at every
//    step once its moments are non-zero, including rows absent from the batch
//    (their gradient is 0, m and v decay, and the parameter still moves by
//    lr * m_hat / (sqrt(v_hat) + eps)).
//  - lazy (kLazyAdam, PyTorch's SparseAdam / TensorFlow's LazyAdam): only the
//    rows a batch touches (and the dense MLP) are updated; an untouched row's
//    moments and value stay as they are. Bias correction uses the global step.
//    Not equivalent to dense Adam, but O(batch) per step instead of O(tables).
//    Weight decay, when asked for, applies to the updated rows only.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mtrec/core/huge_pages.h"
#include "mtrec/optim/optimizer.h"

namespace mtrec {

class Adam final : public Optimizer {
 public:
  // REQUIRES: config.kind is kAdam or kLazyAdam.
  Adam(int64_t num_params, const OptimizerConfig& config);

  void Step(std::span<float> params, std::span<float> grads, const SparseRows& touched,
            ThreadPool& pool) override;

  // Step t's scalars, as torch computes them: in double, then as floats.
  struct Scalars {
    float step_size, bc2_sqrt, beta1, beta2, one_minus_beta1, one_minus_beta2, eps, weight_decay;
  };
  static Scalars ScalarsAt(const OptimizerConfig& config, int64_t t);
  // One step on n parameters (p, their gradient g, which it zeroes, m and v).
  static void UpdateRange(const Scalars& s, float* p, float* g, float* m, float* v, int64_t n);
  // "m" (first moment) and "v" (second moment).
  std::vector<StateTensor> state() override { return {{"m", m_}, {"v", v_}}; }

 private:
  LargeVector<float> m_;
  LargeVector<float> v_;
};

}  // namespace mtrec

#include "mtrec/optim/adam.h"

#include <cmath>

#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/optim/update_ranges.h"

namespace mtrec {

Adam::Adam(int64_t num_params, const OptimizerConfig& config)
    : Optimizer(config), m_(num_params, 0.0f), v_(num_params, 0.0f) {
  MTREC_CHECK(config.kind == OptimizerKind::kAdam || config.kind == OptimizerKind::kLazyAdam);
}

Adam::Scalars Adam::ScalarsAt(const OptimizerConfig& config, int64_t t) {
  const double bias_correction1 = 1.0 - std::pow(config.beta1, static_cast<double>(t));
  const double bias_correction2 = 1.0 - std::pow(config.beta2, static_cast<double>(t));
  return {static_cast<float>(config.learning_rate / bias_correction1),
          static_cast<float>(std::sqrt(bias_correction2)),
          static_cast<float>(config.beta1),
          static_cast<float>(config.beta2),
          static_cast<float>(1.0 - config.beta1),
          static_cast<float>(1.0 - config.beta2),
          static_cast<float>(config.eps),
          static_cast<float>(config.weight_decay)};
}

void Adam::UpdateRange(const Scalars& s, float* __restrict p, float* __restrict g,
                       float* __restrict m, float* __restrict v, int64_t n) {
  // g += wd p;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
  // p -= step_size * m / (sqrt(v) / sqrt(bc2) + eps)
#pragma omp simd
  for (int64_t k = 0; k < n; ++k) {
    const float gk = g[k] + s.weight_decay * p[k];
    m[k] = m[k] * s.beta1 + s.one_minus_beta1 * gk;
    v[k] = v[k] * s.beta2 + s.one_minus_beta2 * gk * gk;
    const float denom = std::sqrt(v[k]) / s.bc2_sqrt + s.eps;
    p[k] -= s.step_size * (m[k] / denom);
    g[k] = 0.0f;
  }
}

void Adam::Step(std::span<float> params, std::span<float> grads, const SparseRows& touched,
                ThreadPool& pool) {
  MTREC_CHECK(params.size() == m_.size() && grads.size() == m_.size());
  ++steps_;
  const Scalars s = ScalarsAt(config_, steps_);
  float* p = params.data();
  float* m = m_.data();
  float* v = v_.data();
  ForEachUpdateRange(sparse() ? &touched : nullptr, static_cast<int64_t>(m_.size()), grads.data(),
                     pool, {p, m, v}, [=](int64_t begin, int64_t end, float* g) {
                       UpdateRange(s, p + begin, g, m + begin, v + begin, end - begin);
                     });
}

}  // namespace mtrec

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

void Adam::Step(std::span<float> params, std::span<float> grads, const SparseRows& touched,
                ThreadPool& pool) {
  MTREC_CHECK(params.size() == m_.size() && grads.size() == m_.size());
  ++steps_;
  // Scalars as torch computes them: in double, then applied to float tensors.
  const double t = static_cast<double>(steps_);
  const double bias_correction1 = 1.0 - std::pow(config_.beta1, t);
  const double bias_correction2 = 1.0 - std::pow(config_.beta2, t);
  const auto step_size = static_cast<float>(config_.learning_rate / bias_correction1);
  const auto bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  const auto beta1 = static_cast<float>(config_.beta1);
  const auto beta2 = static_cast<float>(config_.beta2);
  const auto one_minus_beta1 = static_cast<float>(1.0 - config_.beta1);
  const auto one_minus_beta2 = static_cast<float>(1.0 - config_.beta2);
  const auto eps = static_cast<float>(config_.eps);
  const auto weight_decay = static_cast<float>(config_.weight_decay);
  float* p = params.data();
  float* m = m_.data();
  float* v = v_.data();
  ForEachUpdateRange(sparse() ? &touched : nullptr, static_cast<int64_t>(m_.size()), grads.data(),
                     pool, {p, m, v}, [=](int64_t begin, int64_t end, float* __restrict g) {
  // g += wd p;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
  // p -= step_size * m / (sqrt(v) / sqrt(bc2) + eps)
                       float* __restrict pk = p + begin;
                       float* __restrict mk = m + begin;
                       float* __restrict vk = v + begin;
#pragma omp simd
                       for (int64_t k = 0; k < end - begin; ++k) {
                         const float gk = g[k] + weight_decay * pk[k];
                         mk[k] = mk[k] * beta1 + one_minus_beta1 * gk;
                         vk[k] = vk[k] * beta2 + one_minus_beta2 * gk * gk;
                         const float denom = std::sqrt(vk[k]) / bc2_sqrt + eps;
                         pk[k] -= step_size * (mk[k] / denom);
                         g[k] = 0.0f;
                       }
                     });
}

}  // namespace mtrec

#include "mtrec/optim/adagrad.h"

#include <cmath>

#include "mtrec/core/check.h"
#include "mtrec/optim/update_ranges.h"

namespace mtrec {

namespace {
constexpr float kAdagradEps = 1e-10f;  // torch.optim.Adagrad's default
}

Adagrad::Adagrad(int64_t num_params, const OptimizerConfig& config)
    : Optimizer(config), sum_(num_params, 0.0f) {}

void Adagrad::Step(std::span<float> params, std::span<float> grads, const SparseRows& touched,
                   ThreadPool& pool) {
  MTREC_CHECK(params.size() == sum_.size() && grads.size() == sum_.size());
  ++steps_;
  const auto lr = static_cast<float>(config_.learning_rate);
  const auto weight_decay = static_cast<float>(config_.weight_decay);
  float* p = params.data();
  float* g = grads.data();
  float* s = sum_.data();
  ForEachUpdateRange(&touched, static_cast<int64_t>(sum_.size()), pool, {p, g, s},
                     [=](int64_t begin, int64_t end) {
#pragma omp simd
                       for (int64_t k = begin; k < end; ++k) {
                         const float gk = g[k] + weight_decay * p[k];
                         s[k] += gk * gk;
                         p[k] -= lr * (gk / (std::sqrt(s[k]) + kAdagradEps));
                         g[k] = 0.0f;
                       }
                     });
}

}  // namespace mtrec

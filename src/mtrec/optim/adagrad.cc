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
  float* s = sum_.data();
  ForEachUpdateRange(&touched, static_cast<int64_t>(sum_.size()), grads.data(), pool, {p, s},
                     [=](int64_t begin, int64_t end, float* g) {
                       float* __restrict pk = p + begin;
                       float* __restrict sk = s + begin;
#pragma omp simd
                       for (int64_t k = 0; k < end - begin; ++k) {
                         const float gk = g[k] + weight_decay * pk[k];
                         sk[k] += gk * gk;
                         pk[k] -= lr * (gk / (std::sqrt(sk[k]) + kAdagradEps));
                         g[k] = 0.0f;
                       }
                     });
}

}  // namespace mtrec

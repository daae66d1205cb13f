#include "mtrec/optim/sgd.h"

#include "mtrec/core/check.h"
#include "mtrec/optim/update_ranges.h"

namespace mtrec {

void Sgd::Step(std::span<float> params, std::span<float> grads, const SparseRows& touched,
               ThreadPool& pool) {
  MTREC_CHECK(params.size() == grads.size());
  ++steps_;
  const auto lr = static_cast<float>(config_.learning_rate);
  const auto weight_decay = static_cast<float>(config_.weight_decay);
  float* p = params.data();
  ForEachUpdateRange(&touched, static_cast<int64_t>(params.size()), grads.data(), pool, {p},
                     [=](int64_t begin, int64_t end, float* g) {
                       float* __restrict pk = p + begin;
#pragma omp simd
                       for (int64_t k = 0; k < end - begin; ++k) {
                         pk[k] -= lr * (g[k] + weight_decay * pk[k]);
                         g[k] = 0.0f;
                       }
                     });
}

}  // namespace mtrec

// Pairwise ranking losses on x = p(u, i+) - p(u, i-), per sample. Pure: value
// and derivative only; the caller averages over the batch and applies weights.
#pragma once

#include <cmath>

#include "mtrec/config.h"
#include "mtrec/loss/loss_and_grad.h"

namespace mtrec {

inline float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

//   sigmoid: L = 1 - s,            dL/dx = -s (1 - s),   s = sigmoid(x)
//   log:     L = softplus(-x),     dL/dx = s - 1
inline LossAndGrad BprLossAndGrad(BprLoss kind, float x) {
  const float s = Sigmoid(x);
  if (kind == BprLoss::kSigmoid) return {1.0f - s, -s * (1.0f - s)};
  // softplus(-x) = max(-x, 0) + log1p(exp(-|x|)), stable for large |x|.
  const float value = std::fmax(-x, 0.0f) + std::log1p(std::exp(-std::fabs(x)));
  return {value, s - 1.0f};
}

}  // namespace mtrec

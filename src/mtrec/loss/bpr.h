// Pairwise ranking losses on x = p(u, i+) - p(u, i-), per sample. Pure: value
// and derivative only; the caller averages over the batch and applies weights.
#pragma once

#include <cmath>
#include <optional>
#include <string_view>

#include "mtrec/core/enum_names.h"
#include "mtrec/loss/loss_and_grad.h"

namespace mtrec {

enum class BprLoss {
  kSigmoid,  // the original's 1 - sigmoid(x) (Spotlight's bpr_loss); bounded in (0, 1)
  kLog,      // the classic BPR of Rendle et al.: -log sigmoid(x) = softplus(-x)
};

// "sigmoid" or "log" (the --bpr_loss spelling).
inline constexpr EnumName<BprLoss> kBprLossNames[] = {{BprLoss::kSigmoid, "sigmoid"},
                                                      {BprLoss::kLog, "log"}};

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

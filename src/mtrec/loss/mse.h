// Squared error of a predicted rating, per sample (the caller averages).
#pragma once

#include "mtrec/loss/loss_and_grad.h"

namespace mtrec {

//   L = (r - y)^2,   dL/dy = 2 (y - r)
inline LossAndGrad SquaredErrorAndGrad(float predicted, float target) {
  const float diff = predicted - target;
  return {diff * diff, 2.0f * diff};
}

}  // namespace mtrec

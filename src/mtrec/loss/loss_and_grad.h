// A per-sample loss value and its derivative with respect to the model output.
#pragma once

namespace mtrec {

struct LossAndGrad {
  float value;
  float grad;
};

}  // namespace mtrec

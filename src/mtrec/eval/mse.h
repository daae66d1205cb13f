// Mean squared error of rating predictions: mean_k (ratings[k] - predicted[k])^2
// over all test interactions (a micro average, as the original's mse_score).
// Accumulated in double; the original's numpy float32 mean differs in the ~7th digit.
#pragma once

#include <span>

#include "mtrec/core/check.h"

namespace mtrec {

inline double MeanSquaredError(std::span<const float> ratings, std::span<const float> predicted) {
  MTREC_CHECK(ratings.size() == predicted.size());
  if (ratings.empty()) return 0.0;
  double sum = 0;
  for (size_t k = 0; k < ratings.size(); ++k) {
    const double diff = static_cast<double>(ratings[k]) - predicted[k];
    sum += diff * diff;
  }
  return sum / static_cast<double>(ratings.size());
}

}  // namespace mtrec

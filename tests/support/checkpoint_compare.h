// Assertions over checkpoints written by CLI runs.
#pragma once

#include <string>

namespace mtrec::testing {

// The two checkpoints hold the same training state, bit for bit: parameters,
// optimizer state and steps, the training stream's state and early stopping's
// best weights.
void ExpectSameWeights(const std::string& a_path, const std::string& b_path);

}  // namespace mtrec::testing

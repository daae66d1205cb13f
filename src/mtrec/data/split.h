// The original's random train/test split (Spotlight's random_train_test_split
// with the homework's fixed RandomState(123)).
#pragma once

#include <cstdint>
#include <vector>

#include "mtrec/dataset.h"

namespace mtrec {

// idx = arange(n); RandomState(seed).shuffle(idx); cutoff = int((1.0 - f) * n);
// train = rows idx[:cutoff], test = rows idx[cutoff:]. The product is computed in
// double and truncated, as Python's int() does. REQUIRES: 0 < test_fraction < 1.
TrainTestSplit RandomTrainTestSplit(const Interactions& all, double test_fraction,
                                    uint32_t seed = kOriginalSplitSeed);

}  // namespace mtrec

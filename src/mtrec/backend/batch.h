// Batch: one minibatch of training rows as the host's data stream draws it
// (trainer.h), and the losses a training step reports for it. The same for
// every backend.
#pragma once

#include <cstddef>
#include <span>

#include "mtrec/data/user_item_sets.h"

namespace mtrec {

struct Batch {
  std::span<const UserId> users;
  std::span<const ItemId> items;
  std::span<const float> ratings;
  std::span<const ItemId> negatives;  // one sampled item per sample
  size_t size() const { return users.size(); }
};

struct BatchLosses {
  float factorization = 0;  // mean BPR over the batch
  float regression = 0;     // mean squared error over the batch
  float joint = 0;          // wF * factorization + wR * regression
};

}  // namespace mtrec

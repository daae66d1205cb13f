// ModelConfig: the shape of a MultiTaskNet.
#pragma once

#include <cstdint>
#include <vector>

#include "mtrec/core/status.h"

namespace mtrec {

struct ModelConfig {
  int32_t num_users = 0;  // table rows; ids are < these (phantom row 0 included)
  int32_t num_items = 0;
  int embedding_dim = 32;
  // Hidden widths of the regression MLP. Its input is [u, q, u*q] (3 x embedding_dim)
  // and its output one rating, so the default {64} is the original's
  // Linear(96, 64), ReLU, Linear(64, 1).
  std::vector<int> hidden_layers = {64};
  bool shared_embeddings = true;  // one U/Q pair for both heads, or separate pairs
  bool user_bias = false;         // the 2022 variant's user bias A (inert: see model.h)

  // Checks the shape (positive sizes, at least one hidden layer). Messages name
  // the CLI flag that sets each field.
  Status Validate() const;
};

}  // namespace mtrec

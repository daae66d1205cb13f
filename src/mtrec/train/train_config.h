// TrainConfig: how a MultiTaskNet is optimised (the original's MultitaskModel).
#pragma once

#include <cstdint>

#include "mtrec/core/status.h"
#include "mtrec/loss/bpr.h"
#include "mtrec/optim/optimizer.h"

namespace mtrec {

struct TrainConfig {
  // joint loss = factorization_weight * BPR + regression_weight * MSE
  double factorization_weight = 0.995;
  double regression_weight = 0.005;
  BprLoss bpr_loss = BprLoss::kSigmoid;
  int batch_size = 1024;  // the original's (the homework starter used 256)
  // The original's Adam by default: lr 1e-3, betas 0.9/0.999, eps 1e-8,
  // weight_decay = --l2.
  OptimizerConfig optimizer;
  // Seeds the training stream (per-epoch shuffle and negatives), which is
  // numpy's RandomState(seed) draw for draw.
  uint32_t seed = 0;

  // Messages name the CLI flag that sets each field.
  Status Validate() const;
};

}  // namespace mtrec

// Trainer: the original's MultitaskModel.fit(), one epoch per call.
//
// Per epoch, on a numpy-compatible stream seeded once with TrainConfig::seed:
//   1. order = arange(n); rng.shuffle(order)      (legacy Fisher-Yates)
//   2. consecutive minibatches of batch_size rows, the last one partial
//   3. per batch: negatives = rng.randint(0, num_items, len(batch)) (item 0
//      included, positives not rejected), gradient of the joint loss, one
//      optimiser step
// and returns the unweighted means of the per-batch losses (a partial last
// batch counts as a full one, as np.mean over the list of .item()s does).
//
// Ownership: the Trainer does not own the net or the pool; both must outlive it.
// Not thread-safe; it uses the pool for the work inside each step.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "mtrec/core/numpy_rng.h"
#include "mtrec/core/result.h"
#include "mtrec/data/interactions.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/optim/optimizer.h"
#include "mtrec/train/batch_backprop.h"
#include "mtrec/train/train_config.h"

namespace mtrec {

class ThreadPool;

struct EpochLosses {
  double factorization = 0;
  double regression = 0;
  double joint = 0;
  int64_t batches = 0;
};

// What a step hook sees: after the gradient is computed, before the update.
struct StepView {
  int64_t step = 0;  // 0-based, counted over the whole run
  const Batch& batch;
  const BatchLosses& losses;
  std::span<const float> grads;
};

class Trainer {
 public:
  // REQUIRES: config.Validate().ok().
  Trainer(const TrainConfig& config, MultiTaskNet* net, ThreadPool* pool);

  // One pass over `train`. A non-finite loss stops the epoch with an error
  // Status naming the step (the model is then unusable).
  Result<EpochLosses> TrainEpoch(const Interactions& train);

  // Called at every step with the gradient, before the optimiser moves the
  // parameters (tests use it to compare gradients; progress reporting too).
  void SetStepHook(std::function<void(const StepView&)> hook) { step_hook_ = std::move(hook); }

  int64_t steps() const { return optimizer_->steps(); }
  // The training stream and the optimiser, exposed for checkpoints.
  NumpyLegacyRng& rng() { return rng_; }
  Optimizer& optimizer() { return *optimizer_; }

 private:
  const TrainConfig config_;
  MultiTaskNet* const net_;
  ThreadPool* const pool_;
  NumpyLegacyRng rng_;
  std::unique_ptr<Optimizer> optimizer_;
  std::unique_ptr<BatchBackprop> backprop_;
  std::vector<float> grads_;
  std::function<void(const StepView&)> step_hook_;
  SparseRows touched_;  // filled only for a sparse optimizer
  // Per-epoch and per-batch buffers, kept to avoid reallocation.
  std::vector<int32_t> order_;
  std::vector<UserId> batch_users_;
  std::vector<ItemId> batch_items_, negatives_;
  std::vector<float> batch_ratings_;
};

}  // namespace mtrec

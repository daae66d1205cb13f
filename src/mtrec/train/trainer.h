// Trainer: the original's MultitaskModel.fit(), one epoch per call.
//
// Per epoch, on a numpy-compatible stream seeded once with TrainConfig::seed:
//   1. order = arange(n); rng.shuffle(order)      (legacy Fisher-Yates)
//   2. consecutive minibatches of batch_size rows, the last one partial
//   3. per batch: negatives = rng.randint(0, num_items, len(batch)) (item 0
//      included, positives not rejected), gradient of the joint loss, one
//      optimiser step. With TrainConfig::negatives = K > 1 (mtrec's own),
//      rng.randint(0, num_items, K * len(batch)) draws K candidates per row
//      (row s's are draws s*K .. s*K+K-1) and the one the current model scores
//      highest is the row's negative (the first on a tie). With
//      TrainConfig::unseen_negatives, each candidate that is one of its
//      user's training items is replaced, in order, by rng.randint(0,
//      num_items) draws until it is not (users with every item excepted).
// and returns the unweighted means of the per-batch losses (a partial last
// batch counts as a full one, as np.mean over the list of .item()s does).
//
// The trainer is the host side of training, the same for every backend: it
// draws the stream and hands each batch to the backend, which does the step.
// Ownership: the Trainer does not own the backend, which must outlive it.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/config.h"
#include "mtrec/core/huge_pages.h"
#include "mtrec/core/numpy_rng.h"
#include "mtrec/data/user_item_sets.h"
#include "mtrec/metrics.h"
#include "mtrec/status.h"
#include "mtrec/backend/batch.h"

namespace mtrec {

// What a step hook sees of each optimiser step.
struct StepView {
  int64_t step = 0;  // 0-based, counted over the whole run
  const Batch& batch;
  const BatchLosses& losses;
  // The gradient before the update (host, the net's flat layout) for a hook
  // set with needs_gradient; empty otherwise.
  std::span<const float> grads;
};

// Where the epoch in progress stands: enough to finish it later, bit for bit.
// A checkpoint taken mid-epoch stores this; the stream state is the one from
// the START of the epoch, and the shuffle and the negatives of the done batches
// are drawn again (not trained on) when the epoch is resumed.
struct EpochCursor {
  NumpyLegacyRng start_rng{0};  // the training stream as the epoch began
  int64_t batches_done = 0;     // optimiser steps already taken in this epoch
  EpochLosses sums;             // loss SUMS over those batches (batches = batches_done)
};

class Trainer {
 public:
  // Starts training on `backend` (fresh optimizer state).
  // REQUIRES: config.Validate().ok().
  Trainer(const TrainConfig& config, Backend* backend);

  // One pass over `train`. A non-finite loss stops the epoch with an error
  // Status naming the step (the model is then unusable).
  Result<EpochLosses> TrainEpoch(const Interactions& train);

  // Called at every step: after the update, or with needs_gradient before it
  // with the gradient (tests compare gradients; a device backend then copies
  // the gradient back at every step, so progress reporting does without).
  void SetStepHook(std::function<void(const StepView&)> hook, bool needs_gradient = false) {
    step_hook_ = std::move(hook);
    hook_needs_gradient_ = needs_gradient;
  }

  // Makes TrainEpoch stop after the step in progress once `stop()` returns true
  // (checked after every step); it then returns Cancelled, and cursor() tells
  // where the epoch stands. An empty function never stops.
  void SetStopCondition(std::function<bool()> stop) { stop_ = std::move(stop); }

  // The epoch in progress, or the next one when none is (batches_done 0).
  EpochCursor cursor() const;
  // Makes the next TrainEpoch continue the epoch described by `cursor`
  // (restoring the training stream). The weights and the optimiser must be
  // restored separately to their state after cursor.batches_done steps. That
  // TrainEpoch returns Corruption if cursor.batches_done is not below its
  // data's batches per epoch (a checkpoint that does not describe the data).
  void ResumeEpoch(const EpochCursor& cursor);

  int64_t steps() const { return backend_->steps(); }

 private:
  // Redraws the candidates of the batch starting at packed_[begin] (per_row
  // per row) that are their user's training items (unseen_negatives).
  void RedrawSeenCandidates(int64_t begin, int per_row, std::span<ItemId> candidates,
                            int32_t num_items);
  // Sets negatives_[s] to the highest-scored of row s's candidates.
  void ChooseHardestNegatives(int64_t size, int per_row);
  // Whether the negative chosen among the candidates can change the step (the
  // ranking head is trained, or weight decay moves the rows it touches).
  bool NegativesMatter() const;

  const TrainConfig config_;
  Backend* const backend_;
  NumpyLegacyRng rng_;
  std::function<void(const StepView&)> step_hook_;
  bool hook_needs_gradient_ = false;
  std::function<bool()> stop_;
  EpochCursor cursor_;
  bool in_epoch_ = false;  // cursor_ describes an unfinished epoch
  // Per-epoch and per-batch buffers, kept to avoid reallocation.
  struct PackedRow {
    UserId user;
    ItemId item;
    float rating;
  };
  LargeVector<PackedRow> packed_;  // the training rows, one record each, in this epoch's order
  std::vector<UserId> batch_users_;
  std::vector<ItemId> batch_items_, negatives_, candidates_;
  std::vector<float> candidate_scores_;
  std::vector<float> batch_ratings_;
  UserItemSets seen_;  // the epoch's training items per user (unseen_negatives only)
};

}  // namespace mtrec

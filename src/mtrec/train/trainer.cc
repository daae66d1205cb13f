#include "mtrec/train/trainer.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"

namespace mtrec {

Trainer::Trainer(const TrainConfig& config, Backend* backend)
    : config_(config), backend_(backend), rng_(config.seed) {
  MTREC_CHECK(config.Validate().ok());
  backend_->StartTraining(config);
  batch_users_.resize(config.batch_size);
  batch_items_.resize(config.batch_size);
  batch_ratings_.resize(config.batch_size);
  negatives_.resize(config.batch_size);
  if (config.negatives > 1) {
    candidates_.resize(static_cast<size_t>(config.batch_size) * config.negatives);
    candidate_scores_.resize(candidates_.size());
  }
}

EpochCursor Trainer::cursor() const {
  if (in_epoch_) return cursor_;
  return EpochCursor{rng_, 0, {}};
}

void Trainer::ResumeEpoch(const EpochCursor& cursor) {
  cursor_ = cursor;
  in_epoch_ = true;
}

Result<EpochLosses> Trainer::TrainEpoch(const Interactions& train) {
  MTREC_CHECK(train.num_items == backend_->net().config().num_items);
  ThreadPool& pool = backend_->host_pool();
  if (in_epoch_) {
    rng_ = cursor_.start_rng;  // replay this epoch's draws from its start
  } else {
    cursor_ = EpochCursor{rng_, 0, {}};
    in_epoch_ = true;
  }
  const int64_t n = static_cast<int64_t>(train.size());
  MTREC_CHECK(n < (int64_t{1} << 31));
  // A resumed epoch's batches done, against the data it goes on with.
  const int64_t batches = (n + config_.batch_size - 1) / config_.batch_size;
  if (cursor_.batches_done > 0 && cursor_.batches_done >= batches) {
    in_epoch_ = false;
    return Status::Corruption(
        "resume: the checkpoint records " + std::to_string(cursor_.batches_done) +
        " batches done in its unfinished epoch, but an epoch has " + std::to_string(batches) +
        " (" + std::to_string(n) + " training rows, batch_size " +
        std::to_string(config_.batch_size) + "): it does not describe this data");
  }
  // The rows are packed into one record each and shuffled as records: the
  // permutation is numpy's shuffle of arange(n) (the element type does not
  // change the draws), and each batch is then a contiguous run of records.
  packed_.resize(n);
  pool.ParallelFor(n, [&](int64_t lo, int64_t hi, int) {
    for (int64_t k = lo; k < hi; ++k)
      packed_[k] = {train.users[k], train.items[k], train.ratings[k]};
  });
  rng_.Shuffle(std::span<PackedRow>(packed_));
  if (config_.unseen_negatives) seen_ = UserItemSets::Build(train);

  EpochLosses epoch = cursor_.sums;
  int64_t batch_index = 0;
  for (int64_t begin = 0; begin < n; begin += config_.batch_size, ++batch_index) {
    const int64_t size = std::min<int64_t>(config_.batch_size, n - begin);
    const int per_row = config_.negatives;
    std::span<ItemId> negatives(negatives_.data(), size);
    std::span<ItemId> candidates =
        per_row > 1 ? std::span<ItemId>(candidates_.data(), size * per_row) : negatives;
    rng_.RandIntFill(static_cast<uint32_t>(train.num_items), candidates);
    // Before the skip: a resumed epoch replays the redraws too.
    if (config_.unseen_negatives) RedrawSeenCandidates(begin, per_row, candidates, train.num_items);
    if (batch_index < cursor_.batches_done) continue;  // trained before the checkpoint
    for (int64_t s = 0; s < size; ++s) {
      const PackedRow& row = packed_[begin + s];
      batch_users_[s] = row.user;
      batch_items_[s] = row.item;
      batch_ratings_[s] = row.rating;
    }
    if (per_row > 1 && NegativesMatter()) ChooseHardestNegatives(size, per_row);
    const Batch batch{
        std::span<const UserId>(batch_users_.data(), size),
        std::span<const ItemId>(batch_items_.data(), size),
        std::span<const float>(batch_ratings_.data(), size),
        negatives,
    };
    const int64_t step = steps();
    // The inspector (a std::function) only when a hook wants the gradient.
    std::optional<Backend::GradientInspector> inspect;
    if (step_hook_ && hook_needs_gradient_) {
      inspect.emplace([&](const BatchLosses& l, std::span<const float> grads) {
        step_hook_(StepView{step, batch, l, grads});
      });
    }
    const BatchLosses losses = backend_->TrainStep(batch, inspect ? &*inspect : nullptr);
    MTREC_RETURN_IF_ERROR(backend_->status());  // a device error, not a divergence
    if (!std::isfinite(losses.joint)) {
      return Status::Aborted("training diverged: the joint loss is not finite at step " +
                                     std::to_string(step) + " (try a smaller learning_rate)");
    }
    if (step_hook_ && !hook_needs_gradient_) step_hook_(StepView{step, batch, losses, {}});
    epoch.factorization += losses.factorization;
    epoch.regression += losses.regression;
    epoch.joint += losses.joint;
    ++epoch.batches;
    cursor_.batches_done = batch_index + 1;
    cursor_.sums = epoch;
    if (stop_ && begin + size < n && stop_()) {
      return Status::Cancelled("stopped after step " + std::to_string(steps()));
    }
  }
  in_epoch_ = false;
  if (epoch.batches > 0) {
    epoch.factorization /= static_cast<double>(epoch.batches);
    epoch.regression /= static_cast<double>(epoch.batches);
    epoch.joint /= static_cast<double>(epoch.batches);
  }
  return epoch;
}

void Trainer::RedrawSeenCandidates(int64_t begin, int per_row, std::span<ItemId> candidates,
                                   int32_t num_items) {
  for (size_t c = 0; c < candidates.size(); ++c) {
    const std::span<const ItemId> seen = seen_.Of(packed_[begin + c / per_row].user);
    if (static_cast<int64_t>(seen.size()) >= num_items) continue;  // nothing unseen to draw
    while (std::binary_search(seen.begin(), seen.end(), candidates[c])) {
      candidates[c] = static_cast<ItemId>(rng_.RandInt(static_cast<uint32_t>(num_items)));
    }
  }
}

bool Trainer::NegativesMatter() const {
  // Without the ranking head (factorization_weight 0) a negative has no
  // gradient; it is only a row a sparse optimizer touches, which weight decay
  // then moves. Otherwise its draw is kept (the stream is the same) and never read.
  return config_.factorization_weight != 0 || config_.optimizer.weight_decay != 0;
}

void Trainer::ChooseHardestNegatives(int64_t size, int per_row) {
  const std::span<float> scores(candidate_scores_.data(), size * per_row);
  backend_->ScoreCandidates(std::span<const UserId>(batch_users_.data(), size),
                            std::span<const ItemId>(candidates_.data(), size * per_row), per_row,
                            scores);
  for (int64_t s = 0; s < size; ++s) {
    const int64_t first = s * per_row;
    int64_t best = first;
    for (int64_t c = first + 1; c < first + per_row; ++c) {
      if (scores[c] > scores[best]) best = c;
    }
    negatives_[s] = candidates_[best];
  }
}

}  // namespace mtrec

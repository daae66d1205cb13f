#include "mtrec/train/trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/optim/adam.h"

namespace mtrec {

Trainer::Trainer(const TrainConfig& config, MultiTaskNet* net, ThreadPool* pool)
    : config_(config), net_(net), pool_(pool), rng_(config.seed) {
  MTREC_CHECK(config.Validate().ok());
  const int64_t n = static_cast<int64_t>(net->params().size());
  optimizer_ = std::make_unique<DenseAdam>(n, config.adam);
  LossWeights weights{config.factorization_weight, config.regression_weight, config.bpr_loss};
  backprop_ = std::make_unique<BatchBackprop>(*net, weights, config.batch_size, pool->num_threads());
  grads_.assign(n, 0.0f);
  negatives_.resize(config.batch_size);
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
  MTREC_CHECK(train.num_items == net_->config().num_items);
  if (in_epoch_) {
    rng_ = cursor_.start_rng;  // replay this epoch's draws from its start
  } else {
    cursor_ = EpochCursor{rng_, 0, {}};
    in_epoch_ = true;
  }
  const int64_t n = static_cast<int64_t>(train.size());
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), int64_t{0});
  rng_.Shuffle(std::span<int64_t>(order_));
  shuffled_ = train.Select(order_);

  EpochLosses epoch = cursor_.sums;
  int64_t batch_index = 0;
  for (int64_t begin = 0; begin < n; begin += config_.batch_size, ++batch_index) {
    const int64_t size = std::min<int64_t>(config_.batch_size, n - begin);
    std::span<ItemId> negatives(negatives_.data(), size);
    rng_.RandIntFill(static_cast<uint32_t>(train.num_items), negatives);
    if (batch_index < cursor_.batches_done) continue;  // trained before the checkpoint
    const Batch batch{
        std::span<const UserId>(shuffled_.users).subspan(begin, size),
        std::span<const ItemId>(shuffled_.items).subspan(begin, size),
        std::span<const float>(shuffled_.ratings).subspan(begin, size),
        negatives,
    };
    const BatchLosses losses = backprop_->Run(*net_, batch, grads_, *pool_);
    if (!std::isfinite(losses.joint)) {
      return Status::InvalidArgument(
          "training diverged: the joint loss is not finite at step " + std::to_string(steps()) +
          " (try a smaller --learning_rate)");
    }
    if (step_hook_) step_hook_(StepView{steps(), batch, losses, grads_});
    optimizer_->Step(net_->params(), grads_, *pool_);
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

}  // namespace mtrec

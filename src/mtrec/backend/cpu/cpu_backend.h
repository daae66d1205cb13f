// CpuBackend: the reference backend. Parameters, gradients and optimizer state
// in host memory (huge pages); the training step is BatchBackprop (fixed
// 128-sample blocks summed in a fixed order) then the optimizer; scoring is the
// panel-ordered FactorizationScorer. Bit-identical for any thread count and,
// with BackendOptions::comm, any number of ranks.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "mtrec/backend/backend.h"
#include "mtrec/backend/cpu/batch_backprop.h"
#include "mtrec/backend/cpu/batch_rows.h"
#include "mtrec/core/huge_pages.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/optim/optimizer.h"
#include "mtrec/optim/rowwise_adagrad.h"

namespace mtrec {

// OK when `state` is optimizer `name`'s with the tensors `expected` (name,
// size), in this order: else InvalidArgument (another optimizer's) or
// Corruption, naming `source`. For LoadOptimizerState.
Status CheckOptimizerStateFits(const std::string& name,
                               std::span<const std::pair<std::string, int64_t>> expected,
                               const OptimizerShape& state, const std::string& source);

class CpuBackend final : public Backend {
 public:
  // REQUIRES: config.Validate().ok(); options.threads >= 0.
  CpuBackend(const ModelConfig& config, const BackendOptions& options);

  std::string name() const override { return "cpu"; }
  const MultiTaskNet& net() const override { return net_; }
  void WriteParams(const std::function<void(MultiTaskNet&)>& write) override { write(net_); }
  ThreadPool& host_pool() const override { return *pool_; }

  void StartTraining(const TrainConfig& config) override;
  BatchLosses TrainStep(const Batch& batch, const GradientInspector* inspect) override;
  BatchLosses ComputeGradient(const Batch& batch, std::span<float> grads) override;
  int64_t steps() const override { return optimizer_ ? optimizer_->steps() : 0; }
  OptimizerState SaveOptimizerState() const override;
  Status LoadOptimizerState(const OptimizerState& state, const std::string& source) override;
  // From the buffers themselves: a checkpoint copies nothing.
  OptimizerShape StateShape() const override;
  void StreamState(const FloatsEmit* emit) const override;

  std::unique_ptr<BlockScorer> MakeScorer() const override;
  MrrResult MeanReciprocalRank(const UserItemSets& test, const UserItemSets& train) const override;
  void ScoreAllItems(UserId user, std::span<float> out) const override;
  void ScoreCandidates(std::span<const UserId> users, std::span<const ItemId> items, int per_user,
                       std::span<float> out) const override;
  void PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                      std::span<float> out) const override;

 private:
  // rowwise_adagrad without an inspector: the scatter lists each part's rows
  // and the part updates them as soon as their gradients are summed, then its
  // share of the MLP by Adam (BatchBackprop's FusedRowUpdate; no BatchRows pass).
  BatchLosses FusedRowwiseStep(const Batch& batch);

  MultiTaskNet net_;
  const std::unique_ptr<ThreadPool> pool_;
  Communicator& comm_;  // shares the training steps' blocks (batch_backprop.h)
  // Training (after StartTraining).
  std::unique_ptr<Optimizer> optimizer_;
  RowwiseAdagrad* rowwise_ = nullptr;  // optimizer_, when it is row-wise Adagrad
  std::unique_ptr<BatchBackprop> backprop_;
  LargeVector<float> grads_;  // zero between steps (the optimizer zeroes what it reads)
  BatchRows batch_rows_;
  SparseRows touched_;  // the rows the current batch reads (sparse optimizers only)
};

}  // namespace mtrec

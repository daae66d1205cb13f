// ShardedCpuBackend: the CPU backend with every embedding and bias table, and
// the optimizer's state for it, split row-wise across the ranks of a job
// (dist/row_shards.h: row r on rank r % N), the MLP replicated
// (BackendOptions::shard_tables). Bit for bit the results of one process
// (CpuBackend) for any number of ranks and threads.
//
// Every rank draws the same batch (the stream is seeded alike), and rank q
// computes the contiguous share of its 128-sample blocks that RangeOfRank
// gives it, as in the replicated mode (batch_backprop.h). A step is three
// exchanges:
//  (a) rows: each owner sends each rank the rows of that rank's share of the
//      batch (its distinct users' and items' rows of every table) that it
//      holds, unasked, since it knows the batch: one all-to-all;
//  (b) blocks: each rank runs its blocks exactly as BatchBackprop does, on a
//      step-sized table of those rows; one all-gather gives every rank every
//      block's MLP partial and every sample's loss values, summed in block and
//      sample order as one process sums them;
//  (c) row gradients: each rank sends each sample's row gradients to the
//      row's owner (one all-to-all), in sample order; the owner adds them
//      into its rows rank after rank, so in the batch's global sample order,
//      a positive before its sample's negative: the order of one process's
//      scatter, hence the same bits. The owner then applies the optimizer to
//      its own rows (dense Adam: to all of them) and to the replicated MLP.
//
// Evaluation (MeanReciprocalRank, PredictRatings: collectives, see
// Backend::tables_sharded) reads each rank's own rows only, split by items
// (sharded_evaluation.cc): no whole table is assembled for it.
//
// Checkpoints never gather a table or its optimizer state in one process:
// StreamState (a collective) gives rank 0 the rows in bounded pieces, which it
// writes into the file as they come (train/checkpoint.h), and LoadState reads
// each rank's own rows from the file.
//
// No rank holds the whole model, outside the steps either: held() is this
// rank's rows of every table and the MLP, and with several ranks net() is the
// model's shape only (holds_whole_model() false). InitRandom draws the whole
// seeded stream and keeps the rank's rows; early stopping and the per-head
// split keep copies of held() (WriteHeld restores them), and a checkpoint
// streams such a copy like the parameters (StreamParams) and reads it back by
// rows (ReadParams). So a rank holds 1/N of the tables, their gradient and
// their optimizer state (docs/distributed.md). With one rank, held() is the
// whole model and net() is it.
//
// Not supported: a gradient inspector (TrainStep REQUIRES none); with several
// ranks, what reads whole tables (MakeScorer, ScoreAllItems, ComputeGradient:
// REQUIRES holds_whole_model()).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/backend/cpu/batch_backprop.h"
#include "mtrec/backend/cpu/cpu_backend.h"
#include "mtrec/backend/cpu/row_exchange.h"
#include "mtrec/core/huge_pages.h"
#include "mtrec/dist/row_shards.h"
#include "mtrec/optim/optimizer.h"

namespace mtrec {

class ShardedCpuBackend final : public Backend {
 public:
  // REQUIRES: config.Validate().ok(); options.threads >= 0; every table has
  // at least as many rows as there are ranks (MakeBackend checks).
  ShardedCpuBackend(const ModelConfig& config, const BackendOptions& options);

  std::string name() const override { return "cpu"; }
  const MultiTaskNet& net() const override { return shards_.size == 1 ? local_ : shape_; }
  // Several ranks: through a transient whole model (Backend::WriteParams).
  void WriteParams(const std::function<void(MultiTaskNet&)>& write) override;
  void InitRandom(uint64_t seed) override;
  const MultiTaskNet& held() const override { return local_; }
  void WriteHeld(const std::function<void(MultiTaskNet&)>& write) override { write(local_); }
  bool holds_whole_model() const override { return shards_.size == 1; }
  ThreadPool& host_pool() const override { return *pool_; }

  void StartTraining(const TrainConfig& config) override;
  BatchLosses TrainStep(const Batch& batch, const GradientInspector* inspect) override;
  BatchLosses ComputeGradient(const Batch& batch, std::span<float> grads) override;
  int64_t steps() const override { return optimizer_ ? optimizer_->steps() : 0; }
  // The name and steps only: the tensors are streamed (StreamState).
  OptimizerState SaveOptimizerState() const override;
  // Takes this rank's rows of the whole state.
  Status LoadOptimizerState(const OptimizerState& state, const std::string& source) override;
  void StreamState(const FloatsEmit* emit) const override;
  void StreamParams(std::span<const float> held, const FloatsEmit* emit) const override;
  Status ReadParams(const TensorRead& read, const std::string& name,
                    std::span<float> held) const override;
  OptimizerShape StateShape() const override;
  Status LoadState(const TensorRead& read, const OptimizerShape& shape,
                   const std::string& source) override;

  std::unique_ptr<BlockScorer> MakeScorer() const override;
  // Collectives (tables_sharded()): every rank passes the same arguments and
  // scores from its own rows only (sharded_evaluation.cc).
  bool tables_sharded() const override { return true; }
  MrrResult MeanReciprocalRank(const UserItemSets& test, const UserItemSets& train) const override;
  // The evaluation's rounds (what bounds its buffers): test users whose rows
  // every rank holds at once, and chunks of 256 test pairs split among the
  // ranks at once. Tests make them small to cover several rounds; the results
  // do not depend on them. REQUIRES: both >= 1; the same on every rank.
  void SetEvaluationRounds(int64_t users, int64_t pair_chunks) {
    eval_users_ = users;
    eval_pair_chunks_ = pair_chunks;
  }
  void ScoreAllItems(UserId user, std::span<float> out) const override;
  // A collective too, called by every rank with the same batch (Trainer's
  // hard negatives): each rank scores a share from rows fetched for it.
  void ScoreCandidates(std::span<const UserId> users, std::span<const ItemId> items, int per_user,
                       std::span<float> out) const override;
  void PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                      std::span<float> out) const override;

  // A part of a flat buffer as the whole model and this rank hold it: `rows`
  // rows of `cols` floats from full_offset, sharded (this rank's rows from
  // local_offset) or replicated (all of them, at local_offset).
  struct Segment {
    int64_t full_offset = 0, local_offset = 0, rows = 0, cols = 0;
    bool sharded = true;
  };

 private:
  // Which ranks read and own what in the current batch.
  void PlanStep(const Batch& batch);
  void ExchangeRows();                            // (a)
  BatchLosses ExchangeBlocks(int n);              // (b)
  void ExchangeRowGradients(const Batch& batch);  // (c)
  void ListTouchedRows(const Batch& batch);       // the optimizer's rows
  // The segments of the parameters, and of optimizer state tensor `name`.
  std::vector<Segment> ParamSegments() const;
  std::vector<Segment> StateSegments(const std::string& name) const;

  const RowShards shards_;
  Communicator& comm_;
  const std::unique_ptr<ThreadPool> pool_;
  const MultiTaskNet shape_;  // the whole model's shape, without parameters
  MultiTaskNet local_;        // this rank's rows of every table, and the MLP
  // Training (after StartTraining).
  TrainConfig train_;
  std::unique_ptr<Optimizer> optimizer_;  // on local_
  LargeVector<float> grads_;              // local_'s gradient, zero between steps
  SparseRows touched_;                    // local rows the batch reads (sparse optimizers)
  // The whole optimizer state's tensors: each one's name and size.
  std::vector<std::pair<std::string, int64_t>> state_shape_;
  std::unique_ptr<MultiTaskNet> step_net_;   // this step's rows (its share's distinct ids) + MLP
  std::unique_ptr<BatchBackprop> backprop_;  // on step_net_, alone (no communicator)
  std::unique_ptr<CpuBackend> gradient_;     // ComputeGradient's (one rank), made on first call
  // The step's plan: rank q's blocks and samples, its distinct users and
  // items (positives and negatives), ascending.
  std::vector<RankRange> blocks_of_, samples_of_;
  std::vector<std::vector<int32_t>> users_of_, items_of_;
  std::vector<UserId> step_users_;  // the batch in step_net_'s rows (this rank's share)
  std::vector<ItemId> step_items_, step_negatives_;
  ExchangeBuffers buffers_;                             // the steps' exchanges
  int64_t eval_users_ = 8192, eval_pair_chunks_ = 128;  // SetEvaluationRounds
};

}  // namespace mtrec

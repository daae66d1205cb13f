// BatchBackprop: the joint loss of one minibatch and its gradient with respect
// to every parameter of a MultiTaskNet (the original's forward + loss.backward()).
//
// For sample s = (u, i, r) with sampled negative j:
//   pos = U_f[u].Q_f[i] + B[i] (+A[u]),  neg = U_f[u].Q_f[j] + B[j] (+A[u])
//   y   = MLP([U_r[u], Q_r[i], U_r[u]*Q_r[i]]) + MultiTaskNet::RatingTerms(u, i)
//   (with rating_implicit U_r[u] + z_u in U_r[u]'s place: MultiTaskNet::ImplicitSum)
//   joint = wF * mean_s bpr(pos - neg) + wR * mean_s (r - y)^2
// The MLP runs on positives only (the original also ran it on the negatives and
// discarded the result, a pure waste). Repeated ids accumulate, as an index-add.
// A head whose weight is 0 is not computed (with wR = 0 no MLP runs: a plain
// BPR-MF step; with wF = 0 no dot products): its gradient is exactly zero
// anyway, and its loss is reported as 0.
//
// Determinism: the batch is cut into fixed blocks of kBlockSize samples whatever
// the thread count; each block writes its own MLP gradient partial and its own
// per-sample embedding gradients, and these are summed in block/sample order.
// So the gradient is bit-identical for any number of threads. The implicit
// term's z_u is computed once per distinct user of the batch; its item table
// Y gets, row by row, scale_u * (the user's summed U_r row gradients) for each
// distinct user u in first-sight order, whatever the thread count.
//
// Data parallel (several ranks, dist/communicator.h): rank r computes only its
// contiguous share of the blocks (RangeOfRank), then one all-gather gives every
// rank every block's outputs (its MLP partial and its samples' row gradients
// and losses), exactly the arrays one process would have computed; the sums
// then run unchanged on every rank. So the gradient is also bit-identical for
// any number of ranks, and a step exchanges O(batch x dim + blocks x MLP
// size) floats, whatever the table sizes.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "mtrec/backend/batch.h"
#include "mtrec/backend/cpu/owned_samples.h"
#include "mtrec/data/user_item_sets.h"
#include "mtrec/dist/communicator.h"
#include "mtrec/loss/bpr.h"
#include "mtrec/model/mlp.h"
#include "mtrec/model/multitask_net.h"

namespace mtrec {

class ThreadPool;

// Where Run adds the embedding-table row gradients when they are not to go to
// the flat buffer: each table's compact buffer (SparseRows::Table::grads), row
// r of a table at its slot, slot[r] * cols (a null slot array: at r * cols, as
// in the flat buffer). Filled by BatchRows::Collect; the tables a
// configuration lacks (the regression ones when shared) are null.
struct CompactRowGradients {
  float* user_fact = nullptr;
  float* item_fact = nullptr;
  float* item_bias = nullptr;
  float* user_reg = nullptr;
  float* item_reg = nullptr;
  float* rating_user_bias = nullptr;  // with rating biases
  float* rating_item_bias = nullptr;
  const int32_t* user_slot = nullptr;      // users' rows in user_fact, user_reg, rating_user_bias
  const int32_t* item_slot = nullptr;      // items' (and negatives') rows in item_fact, item_bias
  const int32_t* reg_item_slot = nullptr;  // items' rows in item_reg and rating_item_bias
};

// A sparse update fused with the scatter (BatchBackprop::Run). Each part of
// the scatter, on its thread, calls `rows` once for every table BatchRows
// would list, with the part's rows of that table (each once, in the order the
// batch first reads them; together the rows BatchRows::Collect lists) and
// their whole gradients, rows.size() x cols floats still in the core's cache,
// which it must leave zero (`block`: the table's ParameterLayout index); then
// `part_done(part, parts)`, where the MLP's gradient is complete too.
struct FusedRowUpdate {
  std::function<void(int block, std::span<const int32_t> rows, float* grads)> rows;
  std::function<void(int part, int parts)> part_done;
};

struct LossWeights {
  double factorization = 0.995;
  double regression = 0.005;
  BprLoss bpr = BprLoss::kSigmoid;
  double rating_l2 = 0;  // TrainConfig::rating_l2
};

class BatchBackprop {
 public:
  // 128 measured best on ML-100K with 2 threads (64: ~25% slower per epoch;
  // 256: no faster at batch 1024, and a batch of 256 would be one block).
  static constexpr int kBlockSize = 128;

  // Scratch for batches of up to max_batch samples on `num_threads` threads;
  // `comm` (which must outlive it) shares the blocks between its ranks.
  BatchBackprop(const MultiTaskNet& net, const LossWeights& weights, int max_batch, int num_threads,
                Communicator& comm = SingleProcess());

  // Computes the batch's losses and ADDS the gradient of the joint loss into
  // `grads` (the net's flat layout); only the rows BatchRows lists get a
  // non-zero embedding gradient. With `compact`, the embedding-table rows'
  // gradients are added there instead (the same sums in the same order, so
  // the same values) and `grads` gets the MLP's only. REQUIRES: 0 <
  // batch.size() <= max_batch, every id in range, pool.num_threads() <=
  // num_threads; `compact` from BatchRows::Collect of this batch. With `fused`
  // (and no `compact`), the tables' row gradients go to it instead, and only
  // when the joint loss is finite; `grads` gets the MLP's only.
  BatchLosses Run(const MultiTaskNet& net, const Batch& batch, std::span<float> grads,
                  ThreadPool& pool, const CompactRowGradients* compact = nullptr,
                  const FusedRowUpdate* fused = nullptr);

  // Run's phases, for a caller that moves the blocks' outputs itself (the
  // sharded step, dist/sharded_cpu_backend.h). ComputeBlocks runs blocks
  // [blocks.begin, blocks.end) of `batch` (n samples) on `net`: only those
  // blocks' entries of outputs() are written. SumBlocks then sums every
  // block's MLP partial in block order into `mlp_grads` (the MLP's region of
  // a flat gradient, ADDED) and returns the batch's losses from every
  // sample's values, as Run does. REQUIRES: as Run; for SumBlocks, every
  // block's outputs present.
  void ComputeBlocks(const MultiTaskNet& net, const Batch& batch, RankRange blocks,
                     ThreadPool& pool);
  BatchLosses SumBlocks(const MultiTaskNet& net, int n, float* mlp_grads, ThreadPool& pool);
  // The per-sample outputs of the blocks computed: sample s's row gradients at
  // s * width, the ranking tables' (user_fact, item_pos, item_neg) of
  // ranking_dim, the rating tables' of embedding_dim (user_reg and item_reg
  // empty with shared tables), its values at s,
  // block b's MLP partial at b * partial_size.
  struct Outputs {
    float* user_fact;
    float* item_pos;
    float* item_neg;
    float* user_reg;
    float* item_reg;
    float* grad_pos;     // dJ/dpos (the positive's item bias; the negative's gets -grad_pos)
    float* grad_rating;  // dJ/dr (the rating biases)
    float* bpr_values;
    float* squared_errors;
    float* mlp_partials;
    int64_t partial_size;
  };
  Outputs outputs();

 private:
  struct ThreadScratch {
    MlpWorkspace mlp;
    std::vector<float> x;   // [kBlockSize x padded 3d] regression inputs
    std::vector<float> dy;  // [kBlockSize] dJoint/dy
  };

  void RunBlock(const MultiTaskNet& net, const Batch& batch, int block, ThreadScratch& scratch);
  // Gives every rank the outputs of every rank's blocks of an n-sample batch.
  void ExchangeBlocks(int n);
  // Floats one sample puts in the exchange: its row gradients (the ranking
  // tables' three; the rating tables' two when separate) and its 4 values.
  int ExchangeFloatsPerSample() const {
    return 3 * rank_dim_ + (grad_user_reg_.empty() ? 0 : 2 * dim_) + 4;
  }
  // rating_implicit: the batch's distinct users, each sample's slot among
  // them, and their z_u rows (before the blocks run).
  void PrepareImplicit(const MultiTaskNet& net, const Batch& batch, ThreadPool& pool);
  // rating_implicit: the gradient of Y into `grads` (the flat layout), from
  // every sample's U_r row gradient (after the blocks, and their exchange).
  void ScatterImplicit(const MultiTaskNet& net, const Batch& batch, std::span<float> grads,
                       ThreadPool& pool);
  // Adds the per-sample row gradients into `grads`.
  void Scatter(const MultiTaskNet& net, const Batch& batch, std::span<float> grads,
               const CompactRowGradients* compact, ThreadPool& pool, const FusedRowUpdate* fused);

  // A part's rows and their gradient sums in a fused scatter: lists of distinct
  // rows (users, items with negatives, positives) and one buffer per table.
  struct FusedPart {
    std::vector<int32_t> users, items, positives;
    std::vector<float> user_fact, item_fact, item_bias, user_reg, item_reg;
    std::vector<float> rating_user_bias, rating_item_bias;
  };
  // Sizes the fused parts' buffers and the slot arrays on first use.
  void PrepareFusedParts(const MultiTaskNet& net, int parts, int max_batch);
  // Hands a part's tables to `fused` and clears its lists and slots.
  void FinishFusedPart(const MultiTaskNet& net, FusedPart& f, const FusedRowUpdate& fused,
                       int part, int parts);

  Communicator& comm_;
  const LossWeights weights_;
  const int dim_;       // the rating tables' width (embedding_dim)
  const int rank_dim_;  // the ranking tables' width (ranking_dim; dim_ when shared)
  const int x_stride_;          // padded width of a regression input row
  const int64_t partial_size_;  // floats per block's MLP gradient partial
  MlpPackedWeights packed_;     // this step's MLP weights, packed once per Run
  float inv_batch_ = 0;         // 1 / batch size of the current Run
  std::vector<ThreadScratch> scratch_;
  std::vector<float> mlp_partials_;  // [blocks x partial_size]
  // Per-sample outputs, [max_batch x width] each (or max_batch).
  std::vector<float> grad_user_fact_, grad_item_pos_, grad_item_neg_;
  std::vector<float> grad_user_reg_, grad_item_reg_;
  std::vector<float> grad_pos_, bpr_values_, squared_errors_;
  std::vector<float> grad_rating_;  // dJ/dr per sample: the rating biases' gradient
  std::vector<float> exchange_;     // every rank's block outputs, packed (several ranks only)
  std::vector<OwnedSamples> part_samples_;  // per scatter part
  std::vector<FusedPart> fused_parts_;      // per scatter part (fused scatter only)
  // A row's index in its part's list, -1 when not listed (between steps: all
  // -1); each part writes its own rows' entries only.
  std::vector<int32_t> user_slot_, item_slot_, positive_slot_;
  // rating_implicit: the batch's distinct users (first-sight order), each
  // sample's index among them, the users' slots (between steps: all -1), and
  // per distinct user its z_u row and its summed U_r row gradient.
  std::vector<int32_t> implicit_users_, implicit_slot_, implicit_seen_;
  std::vector<float> implicit_z_, implicit_grad_;
};

}  // namespace mtrec

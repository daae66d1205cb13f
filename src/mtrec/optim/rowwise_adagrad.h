// Row-wise Adagrad, FBGEMM's rowwise_adagrad (SplitTableBatchedEmbeddingBags,
// weight_decay_mode 1 = L2) and TorchRec's RowWiseAdagrad: one accumulator per
// embedding-table row instead of one per parameter. For a touched row p with
// gradient g (cols floats):
//   g' = g + wd p;  acc += (1/cols) sum_k g'_k^2;  p -= lr / (sqrt(acc) + eps) * g'
// acc starts at 0, eps is OptimizerConfig::eps (1e-8, FBGEMM's default), all in
// float with the sum of squares in a fixed order. A 1-column table (the item
// biases) is plain Adagrad. Rows a batch does not read do not move, state
// included (as lazy_adam). The dense tail (the MLP) keeps Adam with the
// original's learning rate, 1e-3 (betas, eps and weight decay from the
// config): --learning_rate is the tables' rate.
//
// Fused use (CpuBackend): PrepareStep, then, on the scatter's threads,
// UpdateRows on each part's rows as soon as their gradients are summed and
// UpdateDense on the part's share of the MLP, then CountStep. Step does it all
// from gradients already gathered (SparseRows).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mtrec/core/huge_pages.h"
#include "mtrec/optim/adam.h"
#include "mtrec/optim/optimizer.h"

namespace mtrec {

class RowwiseAdagrad final : public Optimizer {
 public:
  // `tables`: the row-indexed tables, ascending and contiguous from offset 0;
  // parameters from the end of the last one to num_params are the dense tail.
  // REQUIRES: config.kind == kRowwiseAdagrad.
  RowwiseAdagrad(int64_t num_params, const OptimizerConfig& config, std::vector<RowBlock> tables);

  void Step(std::span<float> params, std::span<float> grads, const SparseRows& touched,
            ThreadPool& pool) override;

  // Updates `rows` of the table at `offset` (one of `tables`) from their
  // gradients, and zeroes those: row rows[k]'s at grads + k * cols (compact),
  // or at grads + rows[k] * cols (grads: the table's row 0 in the flat buffer).
  // Calls may run concurrently on distinct rows.
  void UpdateRows(std::span<float> params, int64_t offset, std::span<const int32_t> rows,
                  float* grads, bool compact);
  // The next step's Adam scalars for UpdateDense (the step is not counted yet).
  void PrepareStep();
  // Adam on part `part` of `parts` of the dense tail (ceil-div shares),
  // zeroing its gradient. Parts may run concurrently. REQUIRES: PrepareStep.
  void UpdateDense(std::span<float> params, std::span<float> grads, int part, int parts);
  // Counts the step (after its updates).
  void CountStep() { ++steps_; }

  // "row_sum" (one accumulator per row of every table, table after table),
  // then the MLP's Adam "m" and "v" (the dense tail's size).
  std::vector<StateTensor> state() override;

 private:
  const int64_t num_params_;
  const std::vector<RowBlock> tables_;
  std::vector<int64_t> first_sum_;  // tables_[t]'s row 0 in row_sum_
  const int64_t dense_begin_;
  LargeVector<float> row_sum_;
  const OptimizerConfig dense_config_;  // the tail's Adam: the config at lr 1e-3
  std::vector<float> m_, v_;            // the tail's moments
  Adam::Scalars dense_scalars_{};       // PrepareStep's
};

}  // namespace mtrec

#include "mtrec/optim/rowwise_adagrad.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <utility>

#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/core/vector_kernels.h"
#include "mtrec/optim/update_ranges.h"

namespace mtrec {

namespace {

OptimizerConfig DenseAdamConfig(OptimizerConfig config) {
  config.kind = OptimizerKind::kAdam;
  config.learning_rate = DefaultLearningRate(OptimizerKind::kAdam);
  return config;
}

}  // namespace

RowwiseAdagrad::RowwiseAdagrad(int64_t num_params, const OptimizerConfig& config,
                               std::vector<RowBlock> tables)
    : Optimizer(config),
      num_params_(num_params),
      tables_(std::move(tables)),
      dense_begin_(tables_.empty() ? 0 : tables_.back().offset + tables_.back().rows *
                                                                     tables_.back().cols),
      dense_config_(DenseAdamConfig(config)),
      m_(num_params - dense_begin_, 0.0f),
      v_(num_params - dense_begin_, 0.0f) {
  MTREC_CHECK(config.kind == OptimizerKind::kRowwiseAdagrad);
  MTREC_CHECK(dense_begin_ <= num_params);
  int64_t rows = 0, offset = 0;
  for (const RowBlock& b : tables_) {
    MTREC_CHECK(b.offset == offset && b.cols > 0);  // the tables tile [0, dense_begin)
    first_sum_.push_back(rows);
    rows += b.rows;
    offset += b.rows * b.cols;
  }
  row_sum_.assign(rows, 0.0f);
}

void RowwiseAdagrad::UpdateRows(std::span<float> params, int64_t offset,
                                std::span<const int32_t> rows, float* grads, bool compact) {
  size_t t = 0;
  while (t < tables_.size() && tables_[t].offset != offset) ++t;
  MTREC_CHECK(t < tables_.size());
  const int64_t cols = tables_[t].cols;
  const auto last = static_cast<int64_t>(rows.size());
  const auto inv_cols = 1.0f / static_cast<float>(cols);
  const auto lr = static_cast<float>(config_.learning_rate);
  const auto eps = static_cast<float>(config_.eps);
  const auto weight_decay = static_cast<float>(config_.weight_decay);
  float* const p_table = params.data() + offset;
  float* const sums = row_sum_.data() + first_sum_[t];
  if (cols == 1) {  // the item biases: half of the rows a step updates
    for (int64_t k = 0; k < last; ++k) {
      if (k + kPrefetchRows < last) {
        const int64_t ahead = rows[k + kPrefetchRows];
        __builtin_prefetch(p_table + ahead, 1);
        __builtin_prefetch(sums + ahead, 1);
        if (!compact) __builtin_prefetch(grads + ahead, 1);
      }
      const int64_t row = rows[k];
      float* g = grads + (compact ? k : row);
      float& p = p_table[row];
      // The loop below with cols = 1, without its 16-lane sum of zeros (its
      // sum of squares is fma(g', g', 0), then added to the accumulator).
      const float gc = g[0] + weight_decay * p;
      const float acc = sums[row] + FusedMulAdd(gc, gc, 0.0f);
      sums[row] = acc;
      const float step = lr / (std::sqrt(acc) + eps);
      p -= step * (g[0] + weight_decay * p);
      g[0] = 0.0f;
    }
    return;
  }
  for (int64_t k = 0; k < last; ++k) {
    if (k + kPrefetchRows < last) {
      const int64_t ahead = rows[k + kPrefetchRows];
      PrefetchRow(p_table + ahead * cols, cols);
      __builtin_prefetch(sums + ahead, 1);
      if (!compact) PrefetchRow(grads + ahead * cols, cols);
    }
    const int64_t row = rows[k];
    float* __restrict p = p_table + row * cols;
    float* __restrict g = grads + (compact ? k : row) * cols;
    // g' = g + wd p;  acc += mean_k g'^2;  p -= lr / (sqrt(acc) + eps) * g'
    float squares = 0.0f;
#pragma omp simd reduction(+ : squares)
    for (int64_t c = 0; c < cols; ++c) {
      const float gc = g[c] + weight_decay * p[c];
      squares += gc * gc;
    }
    const float acc = sums[row] + squares * inv_cols;
    sums[row] = acc;
    const float step = lr / (std::sqrt(acc) + eps);
#pragma omp simd
    for (int64_t c = 0; c < cols; ++c) {
      p[c] -= step * (g[c] + weight_decay * p[c]);
      g[c] = 0.0f;
    }
  }
}

void RowwiseAdagrad::PrepareStep() { dense_scalars_ = Adam::ScalarsAt(dense_config_, steps_ + 1); }

void RowwiseAdagrad::UpdateDense(std::span<float> params, std::span<float> grads, int part,
                                 int parts) {
  MTREC_CHECK(std::ssize(params) == num_params_ && std::ssize(grads) == num_params_);
  const auto n = static_cast<int64_t>(m_.size());
  const int64_t share = (n + parts - 1) / parts;
  const int64_t begin = std::min(n, part * share), end = std::min(n, begin + share);
  Adam::UpdateRange(dense_scalars_, params.data() + dense_begin_ + begin,
                    grads.data() + dense_begin_ + begin, m_.data() + begin, v_.data() + begin,
                    end - begin);
}

void RowwiseAdagrad::Step(std::span<float> params, std::span<float> grads,
                          const SparseRows& touched, ThreadPool& pool) {
  for (const SparseRows::Table& table : touched.tables) {
    const std::span<const int32_t> rows = table.rows;
    const bool compact = table.grads != nullptr;
    float* g = compact ? table.grads : grads.data() + table.offset;
    pool.ParallelFor(static_cast<int64_t>(rows.size()), [&](int64_t begin, int64_t end, int) {
      UpdateRows(params, table.offset, rows.subspan(begin, end - begin),
                 compact ? g + begin * table.cols : g, compact);
    });
  }
  PrepareStep();
  const int parts = pool.num_threads();
  pool.Run(parts, [&](int part, int) { UpdateDense(params, grads, part, parts); });
  CountStep();
}

std::vector<Optimizer::StateTensor> RowwiseAdagrad::state() {
  return {{"row_sum", row_sum_}, {"m", m_}, {"v", v_}};
}

}  // namespace mtrec

#include "mtrec/optim/adam.h"

#include <cmath>

#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/optim/update_ranges.h"

namespace mtrec {

Adam::Adam(int64_t num_params, const OptimizerConfig& config)
    : config_(config),
      lazy_(config.kind == OptimizerKind::kLazyAdam),
      m_(num_params, 0.0f),
      v_(num_params, 0.0f) {
  MTREC_CHECK(config.kind == OptimizerKind::kAdam || config.kind == OptimizerKind::kLazyAdam);
}

namespace {

struct AdamScalars {
  float step_size, bc2_sqrt, beta1, beta2, one_minus_beta1, one_minus_beta2, eps, weight_decay;
};

// One Adam step on parameters [begin, end). Without a gradient (a row the batch
// did not touch, whose gradient is known to be 0) the gradient array is neither
// read nor cleared; the arithmetic is the same as with g = 0.
//   g += wd p;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
//   p -= step_size * m / (sqrt(v) / sqrt(bc2) + eps)
template <bool kHasGradient>
inline void AdamRange(int64_t begin, int64_t end, float* p, float* g, float* m, float* v,
                      const AdamScalars& s) {
#pragma omp simd
  for (int64_t k = begin; k < end; ++k) {
    const float gk = (kHasGradient ? g[k] : 0.0f) + s.weight_decay * p[k];
    m[k] = m[k] * s.beta1 + s.one_minus_beta1 * gk;
    v[k] = v[k] * s.beta2 + s.one_minus_beta2 * gk * gk;
    const float denom = std::sqrt(v[k]) / s.bc2_sqrt + s.eps;
    p[k] -= s.step_size * (m[k] / denom);
    if (kHasGradient) g[k] = 0.0f;
  }
}

// Rows narrower than this are swept with their gradient: per-row dispatch
// would cost more than the gradient reads it saves.
constexpr int64_t kMinRowSkip = 8;

}  // namespace

void Adam::Step(std::span<float> params, std::span<float> grads, const SparseRows& touched,
                ThreadPool& pool) {
  MTREC_CHECK(params.size() == m_.size() && grads.size() == m_.size());
  ++steps_;
  // Scalars as torch computes them: in double, then applied to float tensors.
  const double t = static_cast<double>(steps_);
  const double bias_correction1 = 1.0 - std::pow(config_.beta1, t);
  const double bias_correction2 = 1.0 - std::pow(config_.beta2, t);
  const AdamScalars s{static_cast<float>(config_.learning_rate / bias_correction1),
                      static_cast<float>(std::sqrt(bias_correction2)),
                      static_cast<float>(config_.beta1),
                      static_cast<float>(config_.beta2),
                      static_cast<float>(1.0 - config_.beta1),
                      static_cast<float>(1.0 - config_.beta2),
                      static_cast<float>(config_.eps),
                      static_cast<float>(config_.weight_decay)};
  float* p = params.data();
  float* g = grads.data();
  float* m = m_.data();
  float* v = v_.data();
  const int64_t total = static_cast<int64_t>(m_.size());
  if (lazy_ || touched.tables.empty()) {
    // Lazy: the touched rows and the dense tail. Dense without row knowledge:
    // everything, gradient included.
    ForEachUpdateRange(lazy_ ? &touched : nullptr, total, pool, {p, g, m, v},
                       [=](int64_t begin, int64_t end) {
                         AdamRange<true>(begin, end, p, g, m, v, s);
                       });
    return;
  }
  // Dense Adam knowing which rows the batch touched: every parameter moves, but
  // the untouched rows of the wide tables skip reading (and clearing) their
  // zero gradient, a quarter of this memory-bound sweep's traffic.
  int64_t covered = total - touched.dense_begin;
  for (const SparseRows::Table& table : touched.tables) {
    covered += table.num_rows * table.cols;
    const int64_t extent = table.num_rows * table.cols;
    if (table.cols < kMinRowSkip) {
      pool.ParallelFor(extent, [=, &table](int64_t lo, int64_t hi, int) {
        AdamRange<true>(table.offset + lo, table.offset + hi, p, g, m, v, s);
      });
      continue;
    }
    row_marks_.assign(table.num_rows, 0);
    for (int32_t row : table.rows) row_marks_[row] = 1;
    const uint8_t* marks = row_marks_.data();
    pool.ParallelFor(table.num_rows, [=, &table](int64_t lo, int64_t hi, int) {
      for (int64_t row = lo; row < hi; ++row) {
        const int64_t begin = table.offset + row * table.cols, end = begin + table.cols;
        if (marks[row]) {
          AdamRange<true>(begin, end, p, g, m, v, s);
        } else {
          AdamRange<false>(begin, end, p, g, m, v, s);
        }
      }
    });
  }
  MTREC_CHECK(covered == total);  // the tables and the dense tail cover the buffer
  pool.ParallelFor(total - touched.dense_begin, [=, &touched](int64_t lo, int64_t hi, int) {
    AdamRange<true>(touched.dense_begin + lo, touched.dense_begin + hi, p, g, m, v, s);
  });
}

}  // namespace mtrec

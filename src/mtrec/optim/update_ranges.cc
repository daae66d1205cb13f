#include "mtrec/optim/update_ranges.h"

#include <algorithm>
#include <vector>

#include "mtrec/core/thread_pool.h"
#include "mtrec/core/vector_kernels.h"

namespace mtrec {

namespace {
// Elements of the dense tail (the MLP) per unit of work in a sparse step.
constexpr int64_t kDenseChunk = 256;
}  // namespace

void ForEachUpdateRange(const SparseRows* touched, int64_t total, float* grads, ThreadPool& pool,
                        std::initializer_list<const float*> arrays,
                        const std::function<void(int64_t begin, int64_t end, float* g)>& fn) {
  if (touched == nullptr) {
    pool.ParallelFor(total, [&](int64_t begin, int64_t end, int) { fn(begin, end, grads + begin); });
    return;
  }
  // One parallel job (one wait per step, not two): the rows of all tables,
  // numbered consecutively, then the dense tail in chunks of kDenseChunk.
  std::vector<int64_t> first_row(touched->tables.size() + 1, 0);
  for (size_t t = 0; t < touched->tables.size(); ++t) {
    first_row[t + 1] = first_row[t] + static_cast<int64_t>(touched->tables[t].rows.size());
  }
  const int64_t rows = first_row.back();
  const int64_t dense_begin = touched->dense_begin;
  const int64_t units = rows + (total - dense_begin + kDenseChunk - 1) / kDenseChunk;
  pool.ParallelFor(units, [&](int64_t begin, int64_t end, int) {
    const int64_t rows_end = std::min(end, rows);
    if (begin < rows_end) {
      size_t t =
          std::upper_bound(first_row.begin(), first_row.end(), begin) - first_row.begin() - 1;
      auto row_start = [&](size_t table, int64_t k) {
        const SparseRows::Table& tab = touched->tables[table];
        return tab.offset + tab.rows[k - first_row[table]] * tab.cols;
      };
      for (int64_t k = begin; k < rows_end; ++k) {
        while (k >= first_row[t + 1]) ++t;
        const SparseRows::Table& tab = touched->tables[t];
        if (k + kPrefetchRows < first_row[t + 1]) {
          const int64_t ahead = row_start(t, k + kPrefetchRows);
          for (const float* a : arrays) PrefetchRow(a + ahead, tab.cols);
          if (tab.grads == nullptr) PrefetchRow(grads + ahead, tab.cols);
        }
        const int64_t start = row_start(t, k);
        float* g = tab.grads == nullptr ? grads + start
                                        : tab.grads + (k - first_row[t]) * tab.cols;
        fn(start, start + tab.cols, g);
      }
    }
    for (int64_t c = std::max(begin, rows); c < end; ++c) {
      const int64_t lo = dense_begin + (c - rows) * kDenseChunk;
      const int64_t hi = std::min(total, lo + kDenseChunk);
      fn(lo, hi, grads + lo);
    }
  });
}

}  // namespace mtrec

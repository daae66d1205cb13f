#include "mtrec/optim/update_ranges.h"

#include <algorithm>
#include <vector>

#include "mtrec/core/thread_pool.h"

namespace mtrec {

void ForEachUpdateRange(const SparseRows* touched, int64_t total, ThreadPool& pool,
                        const std::function<void(int64_t begin, int64_t end)>& fn) {
  const int64_t dense_begin = touched == nullptr ? 0 : touched->dense_begin;
  if (touched != nullptr) {
    // Rows of all tables, numbered consecutively.
    std::vector<int64_t> first_row(touched->tables.size() + 1, 0);
    for (size_t t = 0; t < touched->tables.size(); ++t) {
      first_row[t + 1] = first_row[t] + static_cast<int64_t>(touched->tables[t].rows.size());
    }
    pool.ParallelFor(first_row.back(), [&](int64_t begin, int64_t end, int) {
      size_t t = std::upper_bound(first_row.begin(), first_row.end(), begin) - first_row.begin() - 1;
      for (int64_t k = begin; k < end; ++k) {
        while (k >= first_row[t + 1]) ++t;
        const SparseRows::Table& table = touched->tables[t];
        const int64_t start = table.offset + table.rows[k - first_row[t]] * table.cols;
        fn(start, start + table.cols);
      }
    });
  }
  pool.ParallelFor(total - dense_begin, [&](int64_t begin, int64_t end, int) {
    fn(dense_begin + begin, dense_begin + end);
  });
}

}  // namespace mtrec

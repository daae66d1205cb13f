// The element ranges an optimizer step updates, spread over a thread pool.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>

#include "mtrec/optim/sparse_rows.h"

namespace mtrec {

class ThreadPool;

// How many rows ahead the sparse updates prefetch: a dozen covers a miss to
// memory (4 measured 7-12% slower per lazy_adam epoch on an 8M-rating,
// 162k-user set; 24 no better than 12).
inline constexpr int64_t kPrefetchRows = 12;

// Calls fn(begin, end, g) for element ranges that together cover exactly:
//  - sparse: every row listed in `touched` plus [touched.dense_begin, total);
//  - dense (touched == nullptr): [0, total).
// g[0, end - begin) is the gradient of elements [begin, end): grads + begin, or
// the row's place in its table's compact buffer (SparseRows::Table::grads).
// Ranges are disjoint, so fn may update them concurrently. `arrays` are the
// other flat buffers fn reads (parameters, state): the touched rows of each
// (and of `grads` for a table without a compact buffer) are prefetched a few
// rows ahead, since on large tables they are misses.
void ForEachUpdateRange(const SparseRows* touched, int64_t total, float* grads, ThreadPool& pool,
                        std::initializer_list<const float*> arrays,
                        const std::function<void(int64_t begin, int64_t end, float* g)>& fn);

}  // namespace mtrec

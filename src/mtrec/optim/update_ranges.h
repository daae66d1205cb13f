// The element ranges an optimizer step updates, spread over a thread pool.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>

#include "mtrec/optim/sparse_rows.h"

namespace mtrec {

class ThreadPool;

// Calls fn(begin, end) for element ranges that together cover exactly:
//  - sparse: every row listed in `touched` plus [touched.dense_begin, total);
//  - dense (touched == nullptr): [0, total).
// Ranges are disjoint, so fn may update them concurrently. `arrays` are the
// flat buffers fn reads (parameters, gradients, state): the touched rows of
// each are prefetched a few rows ahead, since on large tables they are misses.
void ForEachUpdateRange(const SparseRows* touched, int64_t total, ThreadPool& pool,
                        std::initializer_list<const float*> arrays,
                        const std::function<void(int64_t begin, int64_t end)>& fn);

}  // namespace mtrec

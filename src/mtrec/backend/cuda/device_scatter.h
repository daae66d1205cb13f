// The deterministic scatter of per-sample embedding-row gradients into their
// tables, without float atomics: the batch's contributions are sorted by table
// row (a stable sort, so equal rows keep sample order), cut into one segment
// per distinct row, and each (row, column) sums its segment in that order. The
// distinct rows are also the rows a sparse optimizer updates (BatchRows).
#pragma once

#ifndef MTREC_CUDA_NS
#error "define MTREC_CUDA_NS (the namespace of this build of the CUDA backend) first"
#endif

#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/constant_iterator.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/reduce.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/transform.h>

#include <cstdint>

#include "mtrec/backend/cuda/portability.h"

namespace mtrec::MTREC_CUDA_NS {

// Contribution c of a one-sided list is sample c (row a[c]); of a two-sided
// list, sample c / 2 with row a[c / 2] (c even) or b[c / 2] (c odd): a positive
// item before its sample's negative.
struct ContributionRow {
  const int32_t* a;
  const int32_t* b;  // null: one-sided
  MTREC_HD int32_t operator()(int64_t c) const {
    return b == nullptr ? a[c] : (c & 1 ? b[c >> 1] : a[c >> 1]);
  }
};

// Column k of segment seg's row gradient: its contributions summed in sorted
// order, contribution c read from a[s * cols + k], or b_sign * b[s * cols + k]
// for the odd (second-side) contributions of a two-sided list.
struct SegmentSum {
  const int32_t* start;
  const int32_t* count;
  const int32_t* order;
  const float* a;
  const float* b;  // null: one-sided
  float b_sign;
  int cols;
  MTREC_HD float operator()(int64_t seg, int k) const {
    float sum = 0;
    for (int32_t j = start[seg]; j < start[seg] + count[seg]; ++j) {
      const int64_t c = order[j];
      if (b == nullptr) {
        sum += a[c * cols + k];
      } else {
        const int64_t s = c >> 1;
        sum += (c & 1) ? b_sign * b[s * cols + k] : a[s * cols + k];
      }
    }
    return sum;
  }
};

// dst[rows[seg] * cols + k] += the segment's sum.
struct SegmentAdd {
  const int32_t* rows;
  SegmentSum sum;
  float* dst;
  MTREC_HD void operator()(int64_t e) const {
    const int64_t seg = e / sum.cols;
    const int k = static_cast<int>(e % sum.cols);
    dst[int64_t{rows[seg]} * sum.cols + k] += sum(seg, k);
  }
};

// One batch's contributions grouped by row.
class RowSegments {
 public:
  // Sizes the buffers for up to `contributions` contributions.
  void Reserve(int64_t contributions) {
    keys_.resize(contributions);
    order_.resize(contributions);
    rows_.resize(contributions);
    start_.resize(contributions);
    count_.resize(contributions);
  }

  // Groups the n samples' rows a[s] (and b[s] when b is set: 2n contributions).
  void Build(const int32_t* a, const int32_t* b, int64_t n) {
    const int64_t m = b == nullptr ? n : 2 * n;
    two_sided_ = b != nullptr;
    thrust::counting_iterator<int64_t> first(0);
    thrust::transform(thrust::device, first, first + m, keys_.begin(), ContributionRow{a, b});
    thrust::sequence(thrust::device, order_.begin(), order_.begin() + m);
    thrust::stable_sort_by_key(thrust::device, keys_.begin(), keys_.begin() + m, order_.begin());
    const auto ends =
        thrust::reduce_by_key(thrust::device, keys_.begin(), keys_.begin() + m,
                              thrust::constant_iterator<int32_t>(1), rows_.begin(), count_.begin());
    num_rows_ = ends.first - rows_.begin();
    thrust::exclusive_scan(thrust::device, count_.begin(), count_.begin() + num_rows_,
                           start_.begin());
  }

  // dst (a table of `cols` floats per row) += the contributions read from a
  // (and b_sign * b for a two-sided list's second side).
  void AddTo(const float* a, const float* b, float b_sign, int cols, float* dst) const {
    const SegmentAdd add{Raw(rows_), Sum(a, b, b_sign, cols), dst};
    thrust::counting_iterator<int64_t> first(0);
    thrust::for_each(thrust::device, first, first + num_rows_ * cols, add);
  }

  // The rows' gradients read from a (and b) as AddTo reads them, by segment.
  SegmentSum Sum(const float* a, const float* b, float b_sign, int cols) const {
    return {Raw(start_), Raw(count_), Raw(order_), a, two_sided_ ? b : nullptr, b_sign, cols};
  }

  // The distinct rows, ascending (device pointer), and how many.
  const int32_t* rows() const { return Raw(rows_); }
  int64_t num_rows() const { return num_rows_; }

 private:
  static const int32_t* Raw(const thrust::device_vector<int32_t>& v) {
    return thrust::raw_pointer_cast(v.data());
  }
  thrust::device_vector<int32_t> keys_, order_, rows_, start_, count_;
  int64_t num_rows_ = 0;
  bool two_sided_ = false;
};

}  // namespace mtrec::MTREC_CUDA_NS

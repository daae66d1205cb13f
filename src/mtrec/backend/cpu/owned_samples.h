// OwnedSamples: the samples of a batch whose rows lie in one part's row ranges.
//
// The parallel passes over a batch's rows (BatchRows::Collect and the scatter
// of BatchBackprop) give each part a contiguous range of user rows and of item
// rows, and each part visits, in sample order, the samples whose rows are its
// own. The lists are built without branches: ownership in a random batch is
// unpredictable, and a mispredicted branch per sample kept the memory accesses
// that follow from overlapping (~12% of a BPR-only ML-25M-sized epoch).
#pragma once

#include <cstdint>
#include <vector>

#include "mtrec/backend/batch.h"

namespace mtrec {

struct RowRange {
  int64_t begin = 0, end = 0;
  bool Has(int64_t row) const { return row >= begin && row < end; }
};

struct OwnedSamples {
  // Samples whose user row is owned.
  std::vector<int32_t> users;
  // 2 s: the positive item of sample s is owned; 2 s + 1: its negative is
  // (listed after its positive): the item rows in the order a batch reads them.
  std::vector<int32_t> items;
  // Samples whose positive item row is owned.
  std::vector<int32_t> positives;
  int64_t num_users = 0, num_items = 0, num_positives = 0;

  // Lists `batch`'s samples for the rows in `user_rows` and `item_rows`;
  // negatives only when `with_negatives`. Keeps the vectors' capacity.
  void List(const Batch& batch, RowRange user_rows, RowRange item_rows, bool with_negatives) {
    const int64_t n = static_cast<int64_t>(batch.size());
    users.resize(n);
    items.resize(2 * n);
    positives.resize(n);
    num_users = num_items = num_positives = 0;
    for (int64_t s = 0; s < n; ++s) {
      const bool own_positive = item_rows.Has(batch.items[s]);
      users[num_users] = static_cast<int32_t>(s);
      num_users += user_rows.Has(batch.users[s]);
      positives[num_positives] = static_cast<int32_t>(s);
      num_positives += own_positive;
      items[num_items] = static_cast<int32_t>(2 * s);
      num_items += own_positive;
      items[num_items] = static_cast<int32_t>(2 * s + 1);
      num_items += with_negatives && item_rows.Has(batch.negatives[s]);
    }
  }

  // The item row of an entry of `items`.
  static int64_t ItemRow(const Batch& batch, int32_t entry) {
    return (entry & 1) != 0 ? batch.negatives[entry >> 1] : batch.items[entry >> 1];
  }
};

}  // namespace mtrec

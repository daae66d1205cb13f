// BatchRows: the distinct embedding-table rows a minibatch reads, per table.
//
// Every row a batch reads gets a (possibly zero) gradient and no other row
// does: the sparse optimizers update exactly these rows (plus the dense MLP).
#pragma once

#include <cstdint>
#include <vector>

#include "mtrec/backend/cpu/batch_backprop.h"
#include "mtrec/backend/cpu/owned_samples.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/optim/sparse_rows.h"

namespace mtrec {

class ThreadPool;

class BatchRows {
 public:
  // Lists the rows `batch` reads in every row-indexed table of `net` into
  // `rows` (which keeps its capacity between calls). Parallel over row ranges;
  // the order of rows within a table depends on the pool size, their set does not.
  // With `compact`, every table also gets a compact gradient buffer
  // (SparseRows::Table::grads, owned here, valid until the next call) and
  // `compact` says where BatchBackprop::Run is to add each row's gradient.
  // The buffers hold zeros on return as long as whoever read the previous
  // batch's gradients zeroed them (the optimizers do; see ClearGradients).
  void Collect(const MultiTaskNet& net, const Batch& batch, ThreadPool& pool, SparseRows& rows,
               CompactRowGradients* compact = nullptr);

  // Zeroes the compact gradient buffers (for a step whose gradients are dropped).
  void ClearGradients();

 private:
  struct PartRows {
    OwnedSamples samples;  // the batch's samples whose rows are the part's
    std::vector<int32_t> users, items, reg_items;
  };
  // One bit per row: listed in this call (all zero between calls).
  std::vector<uint64_t> user_seen_, item_seen_, item_reg_seen_;
  std::vector<PartRows> parts_;
  // Compact gradients: a row's place in its table's list (only the listed
  // rows' entries are meaningful), and one buffer per table.
  std::vector<int32_t> user_slot_, item_slot_, reg_item_slot_;
  std::vector<std::vector<float>> grads_;
};

}  // namespace mtrec

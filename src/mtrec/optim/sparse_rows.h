// SparseRows: which rows of the embedding tables carry a gradient in a step.
//
// A minibatch touches only the rows of its users and items; every other row of
// an embedding table has a zero gradient. Sparse optimizers update just these
// rows (plus the dense tail of the parameter buffer, the MLP), which is what
// makes a step on ML-25M's 7M-parameter tables cost O(batch), not O(tables).
#pragma once

#include <cstdint>
#include <vector>

namespace mtrec {

// A row-indexed table of the flat parameter buffer, rows x cols floats from
// `offset` (an optimizer keeping state per row needs the tables' shapes up front).
struct RowBlock {
  int64_t offset = 0;
  int64_t rows = 0;
  int64_t cols = 0;
};

struct SparseRows {
  struct Table {
    int64_t offset = 0;         // flat offset of the table's row 0
    int64_t cols = 0;           // floats per row
    std::vector<int32_t> rows;  // distinct rows the batch reads (and may give a gradient)
    // Where these rows' gradients are: null, in the flat gradient buffer (at
    // offset + row * cols); otherwise compact, rows.size() x cols floats with
    // row rows[k]'s gradient at grads + k * cols, and the flat buffer's entries
    // for the table are zero and unused. A compact buffer on large tables spares
    // the optimizer a random read and write of a gradient row per touched row.
    // The optimizer zeroes what it reads, flat or compact.
    float* grads = nullptr;
  };
  // The row-indexed tables of the model that carry gradients (embeddings and
  // item biases), each with the rows this step touches.
  std::vector<Table> tables;
  // Parameters [dense_begin, end) are dense (the MLP): updated at every step.
  int64_t dense_begin = 0;
};

}  // namespace mtrec

// RowShards: which rank owns each row of an embedding table when the tables
// are sharded row-wise across the ranks of a job (--shard_tables).
//
// Row r of every table (users' tables by user id, items' tables by item id)
// belongs to rank r % size and is that rank's local row r / size. Ids are
// dense (remapped in order of first appearance, or raw ids whose gaps are
// rare), so a round-robin map spreads both the rows and a batch's lookups
// evenly whatever the popularity skew of the ids: consecutive ids, which a
// remap gives to rows first seen close together, land on different ranks.
// The same on every rank: no table of owners is kept.
#pragma once

#include <cstdint>

namespace mtrec {

struct RowShards {
  int rank = 0;  // this process's rank, in [0, size)
  int size = 1;  // the number of ranks

  int Owner(int64_t row) const { return static_cast<int>(row % size); }
  int64_t Local(int64_t row) const { return row / size; }
  // The global row of rank q's local row k.
  int64_t Global(int64_t k, int q) const { return k * size + q; }
  // How many of `rows` rows rank q holds.
  int64_t RowsOf(int64_t rows, int q) const { return rows / size + (q < rows % size ? 1 : 0); }
  int64_t LocalRows(int64_t rows) const { return RowsOf(rows, rank); }
};

}  // namespace mtrec

// ExchangeRows: the rows of tables sharded row-wise across ranks
// (dist/row_shards.h) brought to the ranks that read them, in one all-to-all
// (ShardedCpuBackend's training step and its evaluation).
//
// Every rank knows what every rank reads (users_of[q], items_of[q]: rank q's
// ids, each list ascending and distinct, the same on every rank), so the
// owners send unasked: rank q receives, into row k of its `into`, the rows of
// users_of[q][k] of every user table and of items_of[q][k] of every item
// table (RowTables: the factorisation's and the regression's embeddings, the
// item bias, the rating biases, a user bias). A collective.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mtrec/dist/row_shards.h"
#include "mtrec/model/multitask_net.h"

namespace mtrec {

class Communicator;

// The blocks of a user's and an item's rows, and the floats of one row of each.
struct RowTables {
  std::vector<int> user_blocks, item_blocks;
  int64_t user_width = 0, item_width = 0;

  explicit RowTables(const MultiTaskNet& net);
};

// Send and receive buffers of an all-to-all, kept between calls.
struct ExchangeBuffers {
  std::vector<float> send, recv;
  std::vector<int> send_counts, send_offsets, recv_counts, recv_offsets;
};

// Sets `offsets` to the running sums of `counts`; returns their total.
int Offsets(const std::vector<int>& counts, std::vector<int>& offsets);

// The distinct values of `ids`, ascending, into `out`.
void DistinctIds(std::span<const int32_t> ids, std::vector<int32_t>& out);
// The index of `id` in `sorted` (ascending, holding it).
int32_t IndexIn(const std::vector<int32_t>& sorted, int32_t id);

// REQUIRES: `local` is this rank's shard (RowShards::LocalRows rows of every
// table) and `into` has the same tables with at least users_of[me].size()
// user rows and items_of[me].size() item rows; users_of and items_of have
// shards.size entries.
void ExchangeRows(Communicator& comm, const RowShards& shards, const MultiTaskNet& local,
                  std::span<const std::vector<int32_t>> users_of,
                  std::span<const std::vector<int32_t>> items_of, MultiTaskNet& into,
                  ExchangeBuffers& buffers);

}  // namespace mtrec

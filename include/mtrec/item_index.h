// The approximate item index a Model may build for its recommendations
// (Model::BuildIndex): a graph (HNSW, hnswlib) over the ranking head's item
// rows that finds a user's highest-scoring items without scoring every item.
// Part of the public API.
//
// Maximum inner product by the standard reduction to nearest neighbours (L2):
// item i is indexed as x_i = [Q_f[i], B[i], sqrt(R^2 - |Q_f[i]|^2 - B[i]^2)]
// (R: the largest such norm, so every x_i has length R) and user u queries
// y = [U_f[u], 1, 0]; then |x_i - y|^2 = R^2 + |y|^2 - 2 (U_f[u] . Q_f[i] + B[i]),
// so the nearest item is the one of highest ranking score (the user bias,
// constant per user, does not change the order). The search is
// approximate: an item of the true top k may be missed (recall < 1). What is
// returned is still exact where it matters: the known interactions' rules
// (model.h: only items that occur, the user's own items excluded unless
// include_seen) are applied exactly, and every score is re-computed by
// Model::Score, so the list is ordered by, and reports, the exact score.
//
// Deterministic: the build inserts the items one at a time in row order from
// one thread, with the levels drawn from a stream seeded by `seed`; the same
// weights and options give the same graph, hence the same answers.
#pragma once

#include <cstdint>
#include <string>

namespace mtrec {

struct IndexOptions {
  int m = 16;                 // graph degree (links per node; level 0 has 2m)
  int ef_construction = 100;  // candidate list while building (recall vs build time)
  int ef_search = 200;        // candidate list per query, raised to the items asked for
  uint64_t seed = 100;        // the level stream's seed
};

// What a built index is (Model::index_info).
struct IndexInfo {
  std::string kind;            // "hnsw"
  IndexOptions options;
  int64_t items = 0;           // rows indexed (every row of the item table)
  int dimensions = 0;          // ranking_dim + 2 (the item bias, the norm's complement)
  double build_seconds = 0;    // wall time of the build
  int64_t memory_bytes = 0;    // the index's memory: vectors, links and bookkeeping
};

}  // namespace mtrec

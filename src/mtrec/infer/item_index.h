// ItemIndex: the HNSW maximum-inner-product index over a model's item rows
// (the contract is in include/mtrec/item_index.h), and the recommendations
// answered from it.
//
// Thread-safety: Build runs alone; Top and RecommendFromIndex may run
// concurrently on one index.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/item_index.h"
#include "mtrec/metrics.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/status.h"

namespace mtrec {
class RecommendationCandidates;  // infer/recommend.h
}  // namespace mtrec

namespace mtrec {

class ItemIndex {
 public:
  // Indexes every row of `net`'s item table ([Q_f[i], B[i]]), one at a time in
  // row order. InvalidArgument names a bad option; Unavailable when the index
  // does not fit in memory.
  static Result<std::unique_ptr<ItemIndex>> Build(const MultiTaskNet& net,
                                                  const IndexOptions& options);
  ~ItemIndex();

  // The k best items for `user` among those with occurs[i] != 0 and not in
  // `excluded` (ascending), best first by net.Score (exact; ties to the lower
  // id), as the index finds them: it is asked for k + (the items left out) and,
  // while fewer than k allowed items come back, for twice as many; when even
  // every item asked does not give min(k, allowed), the exact scan answers.
  // No per-query pass over the items: `allowed` is their count. `net` must be
  // the net the index was built from. REQUIRES: occurs.size() == num_items,
  // allowed == (1s in occurs) - excluded.size(), every excluded item occurs.
  std::vector<ItemId> Top(const MultiTaskNet& net, UserId user, std::span<const uint8_t> occurs,
                          std::span<const ItemId> excluded, int64_t allowed, int k) const;

  const IndexInfo& info() const { return info_; }
  // Sets the candidate list of later queries (IndexOptions::ef_search). Runs
  // alone. REQUIRES: ef >= 1.
  void set_ef_search(int ef);

 private:
  struct Graph;
  ItemIndex();
  std::unique_ptr<Graph> graph_;
  IndexInfo info_;
};

// Recommend (recommend.h) answered from the index: the items of index.Top
// among known.For(user, include_seen) (without the mask's copy), each with its
// exact score and the regression head's rating.
std::vector<Recommendation> RecommendFromIndex(const Backend& model, const ItemIndex& index,
                                               UserId user, const RecommendationCandidates& known,
                                               bool include_seen, int k);

}  // namespace mtrec

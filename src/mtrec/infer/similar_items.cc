#include "mtrec/infer/similar_items.h"

#include <cmath>

#include "mtrec/core/check.h"
#include "mtrec/core/vector_kernels.h"
#include "mtrec/eval/top_k.h"

namespace mtrec {

std::vector<SimilarItem> SimilarItems(const MultiTaskNet& net, ItemId item,
                                      std::span<const uint8_t> candidate, int k) {
  const int32_t num_items = net.config().num_items;
  const int block = net.roles().q_fact;
  const int64_t dim = net.ranking_dim();
  MTREC_CHECK(item >= 0 && item < num_items);
  MTREC_CHECK(static_cast<int32_t>(candidate.size()) == num_items);
  // cos(i, j) = q_i . q_j / (|q_i| |q_j|), 0 when either row is zero.
  const float* q = net.Row(block, item);
  const float norm = std::sqrt(Dot(q, q, dim));
  std::vector<float> similarity(num_items, 0.0f);
  for (int32_t j = 0; j < num_items; ++j) {
    if (candidate[j] == 0) continue;
    const float* r = net.Row(block, j);
    const float denominator = norm * std::sqrt(Dot(r, r, dim));
    similarity[j] = denominator > 0.0f ? Dot(q, r, dim) / denominator : 0.0f;
  }
  std::vector<ItemId> top;
  TopK(similarity, candidate, std::span<const ItemId>(&item, 1), k, top);  // never the item itself
  std::vector<SimilarItem> out;
  out.reserve(top.size());
  for (ItemId j : top) out.push_back({j, similarity[j]});
  return out;
}

}  // namespace mtrec

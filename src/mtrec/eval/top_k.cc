#include "mtrec/eval/top_k.h"

#include <algorithm>
#include <cmath>

#include "mtrec/core/check.h"

namespace mtrec {

std::vector<ItemId> TopK(std::span<const float> scores, std::span<const uint8_t> candidate, int k) {
  MTREC_CHECK(scores.size() == candidate.size());
  // a ranks before b: the higher score; a NaN below every number; then the lower id.
  const auto better = [&](ItemId a, ItemId b) {
    const float sa = scores[a], sb = scores[b];
    if (std::isnan(sa) != std::isnan(sb)) return std::isnan(sb);
    if (sa != sb && !std::isnan(sa)) return sa > sb;
    return a < b;
  };
  // One pass in id order through a bounded heap whose front is the worst of the
  // k kept. An item enters only by beating that worst one; since ids rise, a tie
  // never does, so the test is one float compare for almost every item (a heap
  // of NaNs is beaten by any number). O(n log k), nothing allocated beyond k.
  std::vector<ItemId> heap;
  if (k <= 0) return heap;
  heap.reserve(static_cast<size_t>(k));
  const auto n = static_cast<ItemId>(scores.size());
  for (ItemId i = 0; i < n; ++i) {
    if (!candidate[i]) continue;
    if (heap.size() < static_cast<size_t>(k)) {
      heap.push_back(i);
      std::push_heap(heap.begin(), heap.end(), better);
      continue;
    }
    const float worst = scores[heap.front()];
    const float s = scores[i];
    if (!(s > worst || (std::isnan(worst) && !std::isnan(s)))) continue;
    std::pop_heap(heap.begin(), heap.end(), better);
    heap.back() = i;
    std::push_heap(heap.begin(), heap.end(), better);
  }
  std::sort_heap(heap.begin(), heap.end(), better);  // best first
  return heap;
}

}  // namespace mtrec

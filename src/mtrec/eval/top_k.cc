#include "mtrec/eval/top_k.h"

#include <algorithm>
#include <cmath>

#include "mtrec/core/check.h"

namespace mtrec {

namespace {

// Whether none of p[0, 16) is above `worst` (a NaN is not): one vector
// compare, where the pass below tests one float at a time.
bool NoneAbove16(const float* p, float worst) {
  bool any = false;
  for (int j = 0; j < 16; ++j) any |= p[j] > worst;
  return !any;
}

}  // namespace

std::vector<ItemId> TopK(std::span<const float> scores, std::span<const uint8_t> candidate, int k) {
  std::vector<ItemId> heap;
  TopK(scores, candidate, {}, k, heap);
  return heap;
}

void TopK(std::span<const float> scores, std::span<const uint8_t> candidate,
          std::span<const ItemId> excluded, int k, std::vector<ItemId>& heap) {
  MTREC_CHECK(scores.size() == candidate.size());
  const auto better = [&](ItemId a, ItemId b) { return RanksBefore(scores, a, b); };
  // One pass in id order through a bounded heap whose front is the worst of the
  // k kept. An item enters only by beating that worst one; since ids rise, a tie
  // never does, so the test is one float compare for almost every item (a heap
  // of NaNs is beaten by any number), made before the candidate tests: the
  // items it turns away need no others. O(n log k), nothing allocated beyond k.
  heap.clear();
  if (k <= 0) return;
  const auto kept = static_cast<size_t>(k);
  heap.reserve(kept);
  const auto n = static_cast<ItemId>(scores.size());
  auto next_excluded = excluded.begin();
  bool full = false;
  float worst = 0;  // scores[heap.front()] once full
  for (ItemId i = 0; i < n; ++i) {
    if (full) {
      // Whole runs of items the worst kept number turns away, 16 at a time.
      if (!std::isnan(worst)) {
        while (i + 16 <= n && NoneAbove16(scores.data() + i, worst)) i += 16;
        if (i == n) break;
      }
      const float s = scores[i];
      if (!(s > worst || (std::isnan(worst) && !std::isnan(s)))) continue;
    }
    if (!candidate[i]) continue;
    while (next_excluded != excluded.end() && *next_excluded < i) ++next_excluded;
    if (next_excluded != excluded.end() && *next_excluded == i) continue;
    if (full) {
      std::pop_heap(heap.begin(), heap.end(), better);
      heap.back() = i;
    } else {
      heap.push_back(i);
    }
    std::push_heap(heap.begin(), heap.end(), better);
    full = heap.size() == kept;
    worst = scores[heap.front()];
  }
  std::sort_heap(heap.begin(), heap.end(), better);  // best first
}

}  // namespace mtrec

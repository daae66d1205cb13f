#include "mtrec/eval/top_k.h"

#include <algorithm>
#include <cmath>

#include "mtrec/core/check.h"

namespace mtrec {

std::vector<ItemId> TopK(std::span<const float> scores, std::span<const uint8_t> candidate, int k) {
  MTREC_CHECK(scores.size() == candidate.size());
  std::vector<ItemId> items;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (candidate[i]) items.push_back(static_cast<ItemId>(i));
  }
  const auto better = [&](ItemId a, ItemId b) {
    const float sa = scores[a], sb = scores[b];
    if (std::isnan(sa) != std::isnan(sb)) return std::isnan(sb);
    if (sa != sb && !std::isnan(sa)) return sa > sb;
    return a < b;
  };
  const size_t n = std::min(items.size(), static_cast<size_t>(std::max(k, 0)));
  std::partial_sort(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(n), items.end(),
                    better);
  items.resize(n);
  return items;
}

}  // namespace mtrec

#include "mtrec/data/duplicates.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

namespace mtrec {

namespace {

uint64_t PairKey(const Interactions& x, size_t row) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(x.users[row])) << 32) |
         static_cast<uint32_t>(x.items[row]);
}

}  // namespace

Result<int64_t> ApplyDuplicatePolicy(DuplicatePolicy policy, Interactions& x, const IdMap& users,
                                     const IdMap& items, std::string_view source) {
  if (policy == DuplicatePolicy::kKeep) return int64_t{0};
  // Rows ordered by pair, file order within a pair.
  std::vector<int64_t> order(x.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&x](int64_t a, int64_t b) {
    return PairKey(x, static_cast<size_t>(a)) < PairKey(x, static_cast<size_t>(b));
  });
  std::vector<int64_t> kept;
  kept.reserve(order.size());
  // Under kError: the repeated pair whose second rating comes first in the file.
  int64_t first_repeat = -1, its_original = -1;
  for (size_t k = 0; k < order.size();) {
    size_t end = k + 1;
    const uint64_t key = PairKey(x, static_cast<size_t>(order[k]));
    while (end < order.size() && PairKey(x, static_cast<size_t>(order[end])) == key) ++end;
    if (end - k > 1 && (first_repeat < 0 || order[k + 1] < first_repeat)) {
      first_repeat = order[k + 1];
      its_original = order[k];
    }
    kept.push_back(policy == DuplicatePolicy::kLast ? order[end - 1] : order[k]);
    k = end;
  }
  if (policy == DuplicatePolicy::kError && first_repeat >= 0) {
    const auto row = static_cast<size_t>(first_repeat);
    return Status::Corruption(
        std::string(source) + ": user " + users.Name(x.users[row]) + " rated item " +
        items.Name(x.items[row]) + " more than once (ratings #" + std::to_string(its_original + 1) +
        " and #" + std::to_string(first_repeat + 1) + "); choose --duplicates keep, first or last");
  }
  const auto removed = static_cast<int64_t>(x.size() - kept.size());
  if (removed == 0) return removed;
  std::sort(kept.begin(), kept.end());
  x = x.Select(kept);
  return removed;
}

}  // namespace mtrec

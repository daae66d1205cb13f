#include "mtrec/interactions.h"

#include <algorithm>

namespace mtrec {

Interactions Interactions::Select(std::span<const int64_t> order) const {
  Interactions out;
  out.num_users = num_users;
  out.num_items = num_items;
  out.users.resize(order.size());
  out.items.resize(order.size());
  out.ratings.resize(order.size());
  out.timestamps.resize(timestamps.empty() ? 0 : order.size());
  for (size_t k = 0; k < order.size(); ++k) {
    const int64_t r = order[k];
    out.users[k] = users[r];
    out.items[k] = items[r];
    out.ratings[k] = ratings[r];
    if (!timestamps.empty()) out.timestamps[k] = timestamps[r];
  }
  return out;
}

}  // namespace mtrec

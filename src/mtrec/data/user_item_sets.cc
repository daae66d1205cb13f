#include "mtrec/data/user_item_sets.h"

#include <algorithm>

namespace mtrec {

UserItemSets UserItemSets::Build(std::initializer_list<const Interactions*> parts) {
  UserItemSets s;
  int32_t num_users = 0;
  size_t rows = 0;
  for (const Interactions* x : parts) {
    if (x == nullptr) continue;
    num_users = std::max(num_users, x->num_users);
    rows += x->size();
  }
  s.offsets.assign(static_cast<size_t>(num_users) + 1, 0);
  for (const Interactions* x : parts) {
    if (x != nullptr) {
      for (UserId u : x->users) ++s.offsets[u + 1];
    }
  }
  for (size_t u = 0; u < static_cast<size_t>(num_users); ++u) s.offsets[u + 1] += s.offsets[u];
  s.items.resize(rows);
  std::vector<int64_t> cursor(s.offsets.begin(), s.offsets.end() - 1);
  for (const Interactions* x : parts) {
    if (x == nullptr) continue;
    for (size_t k = 0; k < x->size(); ++k) s.items[cursor[x->users[k]]++] = x->items[k];
  }
  // Sort and deduplicate each row, then compact.
  int64_t write = 0;
  for (size_t u = 0; u < static_cast<size_t>(num_users); ++u) {
    auto begin = s.items.begin() + s.offsets[u];
    auto end = s.items.begin() + s.offsets[u + 1];
    std::sort(begin, end);
    end = std::unique(begin, end);
    s.offsets[u] = write;
    auto dest = s.items.begin() + write;
    if (dest != begin) std::copy(begin, end, dest);  // dest < begin: a left shift
    write += end - begin;
  }
  s.offsets[num_users] = write;
  s.items.resize(write);
  return s;
}

}  // namespace mtrec

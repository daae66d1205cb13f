#include "mtrec/backend/cpu/batch_rows.h"

#include <algorithm>

#include "mtrec/backend/cpu/owned_samples.h"
#include "mtrec/core/thread_pool.h"

namespace mtrec {

namespace {
// How many samples ahead the marks' words are prefetched.
constexpr int64_t kMarksAhead = 8;
}  // namespace

void BatchRows::Collect(const MultiTaskNet& net, const Batch& batch, ThreadPool& pool,
                        SparseRows& rows, CompactRowGradients* compact) {
  const MultiTaskNet::Roles& roles = net.roles();
  const ParameterLayout& layout = net.layout();
  const int64_t num_users = net.config().num_users, num_items = net.config().num_items;
  // One bit per row (small enough to stay in cache on ML-25M's tables),
  // cleared again after each call.
  user_seen_.resize((num_users + 63) / 64, 0);
  item_seen_.resize((num_items + 63) / 64, 0);
  item_reg_seen_.resize((num_items + 63) / 64, 0);
  const int parts = pool.num_threads();
  parts_.resize(parts);
  // Each part owns a range of user rows and of item rows, whole 64-row words,
  // so the marks are never shared between threads.
  auto per_part = [parts](int64_t count) { return ((count + parts - 1) / parts + 63) / 64 * 64; };
  const int64_t users_per_part = per_part(num_users);
  const int64_t items_per_part = per_part(num_items);
  // A list of the positives alone, for the tables only the rating head reads.
  const bool list_positives = !net.config().shared_embeddings || roles.rating_user_bias >= 0;
  pool.Run(parts, [&](int part, int) {
    const int64_t u_lo = part * users_per_part, u_hi = u_lo + users_per_part;
    const int64_t i_lo = part * items_per_part, i_hi = i_lo + items_per_part;
    PartRows& out = parts_[part];
    OwnedSamples& owned = out.samples;
    owned.List(batch, {u_lo, u_hi}, {i_lo, i_hi}, /*with_negatives=*/true);
    // Each table's list keeps the first occurrence of every row, in the order
    // the batch reads them (again without a branch on whether it was seen).
    const auto keep_first = [](std::vector<uint64_t>& seen, int64_t count, const auto& row_of,
                               std::vector<int32_t>& list) {
      list.resize(count);
      int64_t kept = 0;
      for (int64_t k = 0; k < count; ++k) {
        if (k + kMarksAhead < count) __builtin_prefetch(&seen[row_of(k + kMarksAhead) >> 6], 1);
        const int64_t row = row_of(k);
        const uint64_t word = seen[row >> 6], bit = uint64_t{1} << (row & 63);
        list[kept] = static_cast<int32_t>(row);
        kept += (word & bit) == 0;
        seen[row >> 6] = word | bit;
      }
      list.resize(kept);
    };
    keep_first(
        user_seen_, owned.num_users, [&](int64_t k) { return batch.users[owned.users[k]]; },
        out.users);
    keep_first(
        item_seen_, owned.num_items,
        [&](int64_t k) { return OwnedSamples::ItemRow(batch, owned.items[k]); }, out.items);
    // The MLP never reads negatives.
    keep_first(
        item_reg_seen_, list_positives ? owned.num_positives : 0,
        [&](int64_t k) { return batch.items[owned.positives[k]]; }, out.reg_items);
    const auto clear = [](std::vector<uint64_t>& seen, const std::vector<int32_t>& list) {
      for (int32_t row : list) seen[row >> 6] = 0;
    };
    clear(user_seen_, out.users);
    clear(item_seen_, out.items);
    clear(item_reg_seen_, out.reg_items);
  });
  // The tables' shapes come from the net; only their row lists change from call
  // to call, cleared and refilled so that their capacity is kept.
  size_t count = 0;
  auto table = [&](int block, std::vector<int32_t> PartRows::*list) {
    if (rows.tables.size() <= count) rows.tables.emplace_back();
    SparseRows::Table& t = rows.tables[count++];
    const ParamBlock& b = layout.block(block);
    t.offset = b.offset;
    t.cols = b.cols;
    t.rows.clear();
    for (const PartRows& p : parts_)
      t.rows.insert(t.rows.end(), (p.*list).begin(), (p.*list).end());
    t.grads = nullptr;
    if (compact == nullptr) return static_cast<float*>(nullptr);
    // Growing appends zeros; what a shorter list leaves beyond its end was
    // zeroed by the optimizer that read it.
    if (grads_.size() < count) grads_.resize(count);
    std::vector<float>& g = grads_[count - 1];
    g.resize(t.rows.size() * static_cast<size_t>(t.cols));
    t.grads = g.data();
    return t.grads;
  };
  CompactRowGradients out;
  out.user_fact = table(roles.u_fact, &PartRows::users);
  out.item_fact = table(roles.q_fact, &PartRows::items);
  out.item_bias = table(roles.item_bias, &PartRows::items);
  if (!net.config().shared_embeddings) {
    out.user_reg = table(roles.u_reg, &PartRows::users);
    out.item_reg = table(roles.q_reg, &PartRows::reg_items);
  }
  if (roles.rating_user_bias >= 0) {
    out.rating_user_bias = table(roles.rating_user_bias, &PartRows::users);
    out.rating_item_bias = table(roles.rating_item_bias, &PartRows::reg_items);
  }
  const size_t reg_items_table = count - 1;  // a list of the positives, if any table has one
  // The user bias A is read by no head that gives it a gradient (it cancels),
  // so a sparse optimizer leaves it alone.
  rows.tables.resize(count);
  rows.dense_begin = roles.mlp_offset;
  if (compact == nullptr) return;
  // Each listed row's slot: its index in its table's list.
  auto number = [](std::vector<int32_t>& slot, int64_t size, const std::vector<int32_t>& list) {
    slot.resize(size);
    for (size_t k = 0; k < list.size(); ++k) slot[list[k]] = static_cast<int32_t>(k);
  };
  number(user_slot_, num_users, rows.tables[0].rows);
  number(item_slot_, num_items, rows.tables[1].rows);
  out.user_slot = user_slot_.data();
  out.item_slot = item_slot_.data();
  if (list_positives) {
    number(reg_item_slot_, num_items, rows.tables[reg_items_table].rows);
    out.reg_item_slot = reg_item_slot_.data();
  }
  *compact = out;
}

void BatchRows::ClearGradients() {
  for (std::vector<float>& g : grads_) std::fill(g.begin(), g.end(), 0.0f);
}

}  // namespace mtrec

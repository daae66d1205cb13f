#include "mtrec/train/batch_rows.h"

#include "mtrec/core/thread_pool.h"

namespace mtrec {

void BatchRows::Collect(const MultiTaskNet& net, const Batch& batch, ThreadPool& pool,
                        SparseRows& rows) {
  const MultiTaskNet::Roles& roles = net.roles();
  const ParameterLayout& layout = net.layout();
  const int64_t num_users = net.config().num_users, num_items = net.config().num_items;
  user_seen_.resize(num_users, -1);
  item_seen_.resize(num_items, -1);
  item_reg_seen_.resize(num_items, -1);
  const int parts = pool.num_threads();
  parts_.resize(parts);
  const int64_t users_per_part = (num_users + parts - 1) / parts;
  const int64_t items_per_part = (num_items + parts - 1) / parts;
  const int64_t stamp = calls_++;
  const int64_t n = static_cast<int64_t>(batch.size());
  // Each part owns a range of user rows and of item rows, so the dedup marks
  // are never shared between threads.
  pool.Run(parts, [&](int part, int) {
    const int64_t u_lo = part * users_per_part, u_hi = u_lo + users_per_part;
    const int64_t i_lo = part * items_per_part, i_hi = i_lo + items_per_part;
    PartRows& out = parts_[part];
    out.users.clear();
    out.items.clear();
    out.reg_items.clear();
    auto add_once = [stamp](std::vector<int64_t>& seen, int64_t row, std::vector<int32_t>& list) {
      if (seen[row] != stamp) {
        seen[row] = stamp;
        list.push_back(static_cast<int32_t>(row));
      }
    };
    for (int64_t s = 0; s < n; ++s) {
      const int64_t u = batch.users[s], i = batch.items[s], j = batch.negatives[s];
      if (u >= u_lo && u < u_hi) add_once(user_seen_, u, out.users);
      if (i >= i_lo && i < i_hi) {
        add_once(item_seen_, i, out.items);
        add_once(item_reg_seen_, i, out.reg_items);  // the MLP never reads negatives
      }
      if (j >= i_lo && j < i_hi) add_once(item_seen_, j, out.items);
    }
  });
  auto table = [&](int block, std::vector<int32_t> PartRows::*list) {
    const ParamBlock& b = layout.block(block);
    SparseRows::Table t{b.offset, b.rows, b.cols, {}};
    if (list != nullptr) {
      for (const PartRows& p : parts_) t.rows.insert(t.rows.end(), (p.*list).begin(), (p.*list).end());
    }
    return t;
  };
  rows.tables.clear();
  rows.tables.push_back(table(roles.u_fact, &PartRows::users));
  rows.tables.push_back(table(roles.q_fact, &PartRows::items));
  rows.tables.push_back(table(roles.item_bias, &PartRows::items));
  if (!net.config().shared_embeddings) {
    rows.tables.push_back(table(roles.u_reg, &PartRows::users));
    rows.tables.push_back(table(roles.q_reg, &PartRows::reg_items));
  }
  // The user bias A is read by no head that gives it a gradient (it cancels):
  // listed with no rows, so that the tables still cover the buffer.
  if (roles.user_bias >= 0) rows.tables.push_back(table(roles.user_bias, nullptr));
  rows.dense_begin = roles.mlp_offset;
}

}  // namespace mtrec

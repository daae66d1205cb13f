#include "mtrec/backend/cpu/row_exchange.h"

#include <algorithm>
#include <utility>

#include "mtrec/dist/communicator.h"

namespace mtrec {

RowTables::RowTables(const MultiTaskNet& net) {
  const MultiTaskNet::Roles& r = net.roles();
  user_blocks = {r.u_fact};
  item_blocks = {r.q_fact, r.item_bias};
  if (!net.config().shared_embeddings) {
    user_blocks.push_back(r.u_reg);
    item_blocks.push_back(r.q_reg);
  }
  if (r.rating_user_bias >= 0) {
    user_blocks.push_back(r.rating_user_bias);
    item_blocks.push_back(r.rating_item_bias);
  }
  if (r.user_bias >= 0) user_blocks.push_back(r.user_bias);
  for (int b : user_blocks) user_width += net.layout().block(b).cols;
  for (int b : item_blocks) item_width += net.layout().block(b).cols;
}

int Offsets(const std::vector<int>& counts, std::vector<int>& offsets) {
  offsets.resize(counts.size());
  int total = 0;
  for (size_t q = 0; q < counts.size(); ++q) {
    offsets[q] = total;
    total += counts[q];
  }
  return total;
}

void DistinctIds(std::span<const int32_t> ids, std::vector<int32_t>& out) {
  out.assign(ids.begin(), ids.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

int32_t IndexIn(const std::vector<int32_t>& sorted, int32_t id) {
  return static_cast<int32_t>(std::lower_bound(sorted.begin(), sorted.end(), id) - sorted.begin());
}

void ExchangeRows(Communicator& comm, const RowShards& shards, const MultiTaskNet& local,
                  std::span<const std::vector<int32_t>> users_of,
                  std::span<const std::vector<int32_t>> items_of, MultiTaskNet& into,
                  ExchangeBuffers& buffers) {
  const int size = shards.size, me = shards.rank;
  const RowTables tables(local);
  ExchangeBuffers& b = buffers;
  b.send_counts.assign(size, 0);
  b.recv_counts.assign(size, 0);
  for (int q = 0; q < size; ++q) {
    int64_t sent = 0;
    for (int32_t u : users_of[q]) sent += shards.Owner(u) == me ? tables.user_width : 0;
    for (int32_t i : items_of[q]) sent += shards.Owner(i) == me ? tables.item_width : 0;
    b.send_counts[q] = static_cast<int>(sent);
  }
  for (int32_t u : users_of[me])
    b.recv_counts[shards.Owner(u)] += static_cast<int>(tables.user_width);
  for (int32_t i : items_of[me])
    b.recv_counts[shards.Owner(i)] += static_cast<int>(tables.item_width);
  b.send.resize(Offsets(b.send_counts, b.send_offsets));
  b.recv.resize(Offsets(b.recv_counts, b.recv_offsets));
  // Rank q's rows held here, its users' then its items', ascending.
  const auto rows = [](const MultiTaskNet& net, int block, int64_t row) {
    const ParamBlock& pb = net.layout().block(block);
    return std::pair{net.params().data() + pb.offset + row * pb.cols, pb.cols};
  };
  for (int q = 0; q < size; ++q) {
    float* at = b.send.data() + b.send_offsets[q];
    const auto pack = [&](const std::vector<int32_t>& ids, const std::vector<int>& blocks) {
      for (int32_t id : ids) {
        if (shards.Owner(id) != me) continue;
        for (int block : blocks) {
          const auto [from, cols] = rows(local, block, shards.Local(id));
          at = std::copy_n(from, cols, at);
        }
      }
    };
    pack(users_of[q], tables.user_blocks);
    pack(items_of[q], tables.item_blocks);
  }
  comm.AllToAll(b.send, b.send_counts, b.send_offsets, b.recv, b.recv_counts, b.recv_offsets);
  // Each owner's part, in the order it packed it, into `into`'s rows.
  std::vector<const float*> from(size);
  for (int o = 0; o < size; ++o) from[o] = b.recv.data() + b.recv_offsets[o];
  const auto unpack = [&](const std::vector<int32_t>& ids, const std::vector<int>& blocks) {
    for (size_t k = 0; k < ids.size(); ++k) {
      const float*& at = from[shards.Owner(ids[k])];
      for (int block : blocks) {
        const ParamBlock& pb = into.layout().block(block);
        std::copy_n(at, pb.cols,
                    into.params().data() + pb.offset + static_cast<int64_t>(k) * pb.cols);
        at += pb.cols;
      }
    }
  };
  unpack(users_of[me], tables.user_blocks);
  unpack(items_of[me], tables.item_blocks);
}

}  // namespace mtrec

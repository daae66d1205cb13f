// ShardedCpuBackend's evaluation, from each rank's own rows (no rank holds a
// whole table for it):
//  * MRR by items: in rounds of test users, every rank receives the round's
//    users' rows (one all-to-all); the owner of each test item scores its
//    test pairs and every rank gets those preds (one all-gather); each rank
//    counts, for every test pair, its own items whose pred lies below and at
//    the test item's (eval/mrr.h's counting, its masked items ranked last);
//    the integer counts are summed (one all-reduce: exact), and mrr_u follows
//    from them as one process computes it, so the MRR has the same bits.
//  * Rating predictions (and a training step's hard-negative candidates'
//    scores): in rounds of test pairs, each rank predicts a
//    contiguous share (whole chunks of the predictor's) from the rows of its
//    share's users and items, fetched from their owners, and the predictions
//    are gathered.
// Memory per rank: its shard, a copy of its item rows for scoring, and
// buffers for one round (SetEvaluationRounds: 8192 users, 32768 pairs).
#include <algorithm>
#include <type_traits>
#include <vector>

#include "mtrec/backend/cpu/factorization_scorer.h"
#include "mtrec/backend/cpu/row_exchange.h"
#include "mtrec/backend/cpu/sharded_cpu_backend.h"
#include "mtrec/dist/communicator.h"

namespace mtrec {

namespace {

// The pairs MultiTaskNet::PredictRatings computes together (kPredictChunk in
// multitask_net.cc): shares of whole chunks compute each chunk as one process does.
constexpr int64_t kPredictChunk = 256;

// A net with `users` user rows and `items` item rows of `shape`'s tables.
MultiTaskNet NetOfRows(ModelConfig shape, int64_t users, int64_t items) {
  shape.num_users = static_cast<int32_t>(std::max<int64_t>(users, 1));
  shape.num_items = static_cast<int32_t>(std::max<int64_t>(items, 1));
  return MultiTaskNet(shape);
}

// Copies the replicated parameters (the MLP and what follows the tables).
void CopyReplicated(const MultiTaskNet& from, MultiTaskNet& to) {
  std::copy(from.params().begin() + from.roles().mlp_offset, from.params().end(),
            to.params().begin() + to.roles().mlp_offset);
}

}  // namespace

MrrResult ShardedCpuBackend::MeanReciprocalRank(const UserItemSets& test,
                                                const UserItemSets& train) const {
  const int64_t users_per_round = eval_users_;
  const int size = shards_.size, me = shards_.rank;
  std::vector<UserId> users;  // every test user, ascending (the MRR's order)
  for (UserId u = 0; u < test.num_users(); ++u) {
    if (!test.Of(u).empty()) users.push_back(u);
  }
  // This rank's item rows, and a round's users' rows.
  const int64_t round_users = std::min<int64_t>(users_per_round, std::ssize(users));
  MultiTaskNet rows = NetOfRows(local_.config(), round_users, local_.config().num_items);
  for (int block : RowTables(local_).item_blocks) {
    const ParamBlock& from = local_.layout().block(block);
    std::copy_n(local_.params().data() + from.offset, from.rows * from.cols,
                rows.params().data() + rows.layout().block(block).offset);
  }
  const FactorizationScorer scorer(rows);  // reads the users' rows as each round sets them
  ExchangeBuffers buffers;
  std::vector<std::vector<int32_t>> users_of(size), no_items(size);
  std::vector<int> counts(size), offsets(size);
  std::vector<float> preds;               // the round's unmasked test preds, by owner
  std::vector<float> test_preds, values;  // every pair's pred; each user's distinct ones
  std::vector<int64_t> test_offsets, value_offsets, rank_counts;
  std::vector<std::vector<ItemId>> masked;  // each user's known items held here (local)
  std::vector<UserId> round_rows;
  std::vector<double> per_user(users.size());
  for (int64_t first = 0; first < std::ssize(users); first += users_per_round) {
    const int64_t n = std::min<int64_t>(users_per_round, std::ssize(users) - first);
    const std::span<const UserId> round(users.data() + first, n);
    for (int q = 0; q < size; ++q) users_of[q].assign(round.begin(), round.end());
    ::mtrec::ExchangeRows(comm_, shards_, local_, users_of, no_items, rows, buffers);
    // The test items' preds: known items masked (every rank knows them), the
    // others scored by their owner and gathered in owner order.
    const auto is_known = [&](UserId u, ItemId t) {
      const auto known = train.Of(u);
      return std::binary_search(known.begin(), known.end(), t);
    };
    std::fill(counts.begin(), counts.end(), 0);
    for (UserId u : round) {
      for (ItemId t : test.Of(u)) counts[shards_.Owner(t)] += is_known(u, t) ? 0 : 1;
    }
    preds.resize(Offsets(counts, offsets));
    float* mine = preds.data() + offsets[me];
    for (int64_t r = 0; r < n; ++r) {
      for (ItemId t : test.Of(round[r])) {
        if (shards_.Owner(t) == me && !is_known(round[r], t)) {
          *mine++ = ReciprocalRankPred(
              rows.Score(static_cast<UserId>(r), static_cast<ItemId>(shards_.Local(t))));
        }
      }
    }
    comm_.AllGatherInPlace(std::span<float>(preds), counts, offsets);
    std::vector<const float*> from(size);
    for (int q = 0; q < size; ++q) from[q] = preds.data() + offsets[q];
    test_preds.clear();
    values.clear();
    test_offsets.assign(1, 0);
    value_offsets.assign(1, 0);
    masked.resize(n);
    round_rows.resize(n);
    for (int64_t r = 0; r < n; ++r) {
      const UserId u = round[r];
      const size_t begin = test_preds.size();
      for (ItemId t : test.Of(u)) {
        test_preds.push_back(is_known(u, t) ? kMaskedPred : *from[shards_.Owner(t)]++);
      }
      values.insert(values.end(), test_preds.begin() + begin, test_preds.end());
      const auto v = values.begin() + value_offsets.back();
      std::sort(v, values.end());
      values.erase(std::unique(v, values.end()), values.end());
      test_offsets.push_back(std::ssize(test_preds));
      value_offsets.push_back(std::ssize(values));
      masked[r].clear();
      for (ItemId i : train.Of(u)) {
        if (shards_.Owner(i) == me) masked[r].push_back(static_cast<ItemId>(shards_.Local(i)));
      }
      round_rows[r] = static_cast<UserId>(r);
    }
    // Below, then equal: one all-reduce.
    rank_counts.assign(2 * values.size(), 0);
    const std::span<int64_t> below(rank_counts.data(), values.size());
    const std::span<int64_t> equal(rank_counts.data() + values.size(), values.size());
    CountRankShard(scorer, round_rows, masked, values, value_offsets, below, equal, host_pool());
    comm_.AllReduceSum(rank_counts);
    for (int64_t r = 0; r < n; ++r) {
      const auto part = [](const auto& v, const std::vector<int64_t>& at, int64_t k) {
        return std::span<const std::remove_cvref_t<decltype(v[0])>>(
            v.data() + at[k], static_cast<size_t>(at[k + 1] - at[k]));
      };
      per_user[first + r] = UserReciprocalRankOfCounts(
          part(test_preds, test_offsets, r), part(values, value_offsets, r),
          part(below, value_offsets, r), part(equal, value_offsets, r));
    }
  }
  MrrResult result;
  result.per_user = std::move(per_user);
  result.users = std::ssize(result.per_user);
  result.mrr = MeanOfUsers(result.per_user);
  return result;
}

namespace {

// Computes out[k] for the pairs k < n (user user_of(k), item item_of(k)) in
// rounds of `round` pairs, each rank a contiguous share of a round's whole
// chunks of `chunk` pairs: the rows its share reads are fetched from their
// owners into a net of them (with the replicated parameters), compute(rows,
// user rows, item rows, out of the share) fills the share's outputs, and the
// outputs are gathered. A collective.
template <typename UserOf, typename ItemOf, typename Compute>
void ComputeInShares(Communicator& comm, const RowShards& shards, const MultiTaskNet& local,
                     int64_t n, UserOf user_of, ItemOf item_of, int64_t round, int64_t chunk,
                     std::span<float> out, Compute compute) {
  const int size = shards.size, me = shards.rank;
  // A rank's share of a round at most: rank 0's whole chunks.
  const int64_t round_chunks = (std::min(round, n) + chunk - 1) / chunk;
  const int64_t most = (round_chunks + size - 1) / size * chunk;
  MultiTaskNet rows = NetOfRows(local.config(), most, most);
  CopyReplicated(local, rows);
  ExchangeBuffers buffers;
  std::vector<std::vector<int32_t>> users_of(size), items_of(size);
  std::vector<int32_t> ids;
  std::vector<RankRange> share(size);
  std::vector<UserId> my_users;
  std::vector<ItemId> my_items;
  std::vector<int> counts(size), offsets(size);
  for (int64_t first = 0; first < n; first += round) {
    const int64_t pairs = std::min(round, n - first);
    const int64_t chunks = (pairs + chunk - 1) / chunk;
    for (int q = 0; q < size; ++q) {
      const RankRange c = RangeOfRank(chunks, q, size);
      share[q] = {first + std::min(pairs, c.begin * chunk), first + std::min(pairs, c.end * chunk)};
      const auto distinct = [&](auto id_of, std::vector<int32_t>& to) {
        ids.clear();
        for (int64_t k = share[q].begin; k < share[q].end; ++k) ids.push_back(id_of(k));
        DistinctIds(ids, to);
      };
      distinct(user_of, users_of[q]);
      distinct(item_of, items_of[q]);
      counts[q] = static_cast<int>(share[q].end - share[q].begin);
      offsets[q] = static_cast<int>(share[q].begin - first);
    }
    ExchangeRows(comm, shards, local, users_of, items_of, rows, buffers);
    const RankRange s = share[me];
    my_users.resize(s.end - s.begin);
    my_items.resize(s.end - s.begin);
    for (int64_t k = s.begin; k < s.end; ++k) {
      my_users[k - s.begin] = IndexIn(users_of[me], user_of(k));
      my_items[k - s.begin] = IndexIn(items_of[me], item_of(k));
    }
    compute(rows, my_users, my_items, out.subspan(s.begin, s.end - s.begin));
    comm.AllGatherInPlace(out.subspan(first, pairs), counts, offsets);
  }
}

}  // namespace

void ShardedCpuBackend::PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                                       std::span<float> out) const {
  ComputeInShares(
      comm_, shards_, local_, std::ssize(users), [&](int64_t k) { return users[k]; },
      [&](int64_t k) { return items[k]; }, eval_pair_chunks_ * kPredictChunk, kPredictChunk, out,
      [&](const MultiTaskNet& rows, std::span<const UserId> u, std::span<const ItemId> i,
          std::span<float> share) { rows.PredictRatings(u, i, share, host_pool()); });
}

void ShardedCpuBackend::ScoreCandidates(std::span<const UserId> users,
                                        std::span<const ItemId> items, int per_user,
                                        std::span<float> out) const {
  // A training step's candidates: one round; any split scores alike (Score per pair).
  ComputeInShares(
      comm_, shards_, local_, std::ssize(items), [&](int64_t k) { return users[k / per_user]; },
      [&](int64_t k) { return items[k]; }, std::ssize(items), per_user, out,
      [&](const MultiTaskNet& rows, std::span<const UserId> u, std::span<const ItemId> i,
          std::span<float> share) {
        for (size_t k = 0; k < share.size(); ++k) share[k] = rows.Score(u[k], i[k]);
      });
}

}  // namespace mtrec

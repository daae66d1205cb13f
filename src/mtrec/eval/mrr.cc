#include "mtrec/eval/mrr.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "mtrec/core/check.h"
#include "mtrec/core/gemm.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/eval/rank_counting.h"

namespace mtrec {

namespace {

// A block of users is scored against one chunk of items at a time: the chunk's
// item factors (64 panels of 16 items) are read once per block of up to 48
// users (8 GEMM tiles of 6 rows), so the item table streams from memory once
// per 48 users, and the block's scores (48 x 1024 floats) stay in L2. Smaller
// blocks when there are few users, so that every thread gets several. (96 x
// 128 and 48 x 128 measured no different on ML-25M-sized data.)
constexpr int kUsersPerBlock = 48;
constexpr int kBlocksPerThread = 8;
constexpr int kItemsPerChunk = 1024;

// The original's pred for a score: -score, with NaN ranked last.
inline float Pred(float score) {
  return std::isnan(score) ? std::numeric_limits<float>::infinity() : -score;
}

// Per-thread scratch for one user block.
struct BlockScratch {
  std::vector<float> scores;  // [kUsersPerBlock x kItemsPerChunk]
  struct User {
    std::vector<float> test_preds;    // the preds of the test items, in test order
    std::vector<float> values;        // distinct test preds, sorted
    std::vector<Vec8i> below, equal;  // per-lane counts for each value
    size_t next_masked = 0;           // the first masked item not yet masked
  };
  User users[kUsersPerBlock];
};

// For each user of a block (rows of `scorer`) whose su.values are set, counts
// the scorer's items whose pred lies below and at each value into su.below and
// su.equal, the items of masked(r) (ascending) counting as kMaskedPred: a chunk of
// items at a time, each chunk's scores one GEMM.
template <typename Masked>
void CountBlock(const BlockScorer& scorer, std::span<const UserId> block_users, Masked masked,
                BlockScratch& s) {
  const int32_t num_items = scorer.num_items();
  for (size_t r = 0; r < block_users.size(); ++r) {
    BlockScratch::User& su = s.users[r];
    su.below.assign(su.values.size(), Vec8i{});
    su.equal.assign(su.values.size(), Vec8i{});
    su.next_masked = 0;
  }
  s.scores.resize(static_cast<size_t>(kUsersPerBlock) * kItemsPerChunk);
  for (ItemId begin = 0; begin < num_items; begin += kItemsPerChunk) {
    const ItemId end = std::min(num_items, begin + kItemsPerChunk);
    const int width = end - begin;
    scorer.ScoreBlock(block_users, begin, end, s.scores.data(), kItemsPerChunk);
    for (size_t r = 0; r < block_users.size(); ++r) {
      float* pred = s.scores.data() + r * kItemsPerChunk;
      for (int c = 0; c < width; ++c) pred[c] = Pred(pred[c]);
      for (int c = width; c < PadTo8(width); ++c) pred[c] = std::numeric_limits<float>::quiet_NaN();
      BlockScratch::User& su = s.users[r];
      const std::span<const ItemId> items = masked(r);  // sorted: chunks mask in turn
      for (; su.next_masked < items.size() && items[su.next_masked] < end; ++su.next_masked) {
        pred[items[su.next_masked] - begin] = kMaskedPred;
      }
      CountBelowAndEqual(pred, width, su.values, su.below.data(), su.equal.data());
    }
  }
}

// Runs body(first, block_users, scratch) for `users` in blocks over `pool`,
// several blocks per thread; block_users starts at users[first].
template <typename Body>
void InUserBlocks(std::span<const UserId> users, ThreadPool& pool, Body body) {
  const size_t wanted = (users.size() + kBlocksPerThread * pool.num_threads() - 1) /
                        (kBlocksPerThread * pool.num_threads());
  const size_t block_size = std::clamp<size_t>((wanted + 5) / 6 * 6, 6, kUsersPerBlock);
  const int blocks = static_cast<int>((users.size() + block_size - 1) / block_size);
  std::vector<BlockScratch> scratch(pool.num_threads());
  pool.Run(blocks, [&](int block, int thread) {
    const size_t first = static_cast<size_t>(block) * block_size;
    body(first, users.subspan(first, std::min(block_size, users.size() - first)), scratch[thread]);
  });
}

}  // namespace

double UserReciprocalRank(std::span<float> scores, std::span<const ItemId> train_items,
                          std::span<const ItemId> test_items) {
  for (float& v : scores) v = Pred(v);
  for (ItemId i : train_items) scores[i] = kMaskedPred;
  double sum = 0;
  for (ItemId t : test_items) {
    int64_t below = 0, equal = 0;
    for (float v : scores) {
      below += v < scores[t];
      equal += v == scores[t];
    }
    sum += 1.0 / (static_cast<double>(below) + (static_cast<double>(equal) + 1.0) / 2.0);
  }
  return sum / static_cast<double>(test_items.size());
}

MrrResult MeanReciprocalRank(const BlockScorer& scorer, const UserItemSets& test,
                             const UserItemSets& train, ThreadPool& pool) {
  MTREC_CHECK(test.num_users() == train.num_users());
  std::vector<UserId> users;
  for (UserId u = 0; u < test.num_users(); ++u) {
    if (!test.Of(u).empty()) users.push_back(u);
  }
  std::vector<double> per_user(users.size());
  InUserBlocks(
      users, pool, [&](size_t first, std::span<const UserId> block_users, BlockScratch& s) {
        // The test items' preds, computed exactly as the chunks will compute them.
        for (size_t r = 0; r < block_users.size(); ++r) {
          const UserId u = block_users[r];
          const auto train_items = train.Of(u);
          BlockScratch::User& su = s.users[r];
          su.test_preds.clear();
          for (ItemId t : test.Of(u)) {
            const bool is_train = std::binary_search(train_items.begin(), train_items.end(), t);
            su.test_preds.push_back(is_train ? kMaskedPred : Pred(scorer.ScoreOne(u, t)));
          }
          su.values = su.test_preds;
          std::sort(su.values.begin(), su.values.end());
          su.values.erase(std::unique(su.values.begin(), su.values.end()), su.values.end());
        }
        CountBlock(
            scorer, block_users, [&](size_t r) { return train.Of(block_users[r]); }, s);
        // mrr_u over the user's test items (duplicates of a value share its rank).
        for (size_t r = 0; r < block_users.size(); ++r) {
          const BlockScratch::User& su = s.users[r];
          std::vector<int64_t> below(su.values.size()), equal(su.values.size());
          for (size_t k = 0; k < su.values.size(); ++k) {
            below[k] = SumLanes(su.below[k]);
            equal[k] = SumLanes(su.equal[k]);
          }
          per_user[first + r] = UserReciprocalRankOfCounts(su.test_preds, su.values, below, equal);
        }
      });
  MrrResult result;
  result.per_user = std::move(per_user);
  result.users = static_cast<int64_t>(result.per_user.size());
  result.mrr = MeanOfUsers(result.per_user);
  return result;
}

float ReciprocalRankPred(float score) { return Pred(score); }

void CountRankShard(const BlockScorer& scorer, std::span<const UserId> users,
                    std::span<const std::vector<ItemId>> masked, std::span<const float> values,
                    std::span<const int64_t> offsets, std::span<int64_t> below,
                    std::span<int64_t> equal, ThreadPool& pool) {
  MTREC_CHECK(masked.size() == users.size() && offsets.size() == users.size() + 1);
  InUserBlocks(
      users, pool, [&](size_t first, std::span<const UserId> block_users, BlockScratch& s) {
        for (size_t r = 0; r < block_users.size(); ++r) {
          s.users[r].values.assign(values.begin() + offsets[first + r],
                                   values.begin() + offsets[first + r + 1]);
        }
        const auto masked_of = [&](size_t r) { return std::span<const ItemId>(masked[first + r]); };
        CountBlock(scorer, block_users, masked_of, s);
        for (size_t r = 0; r < block_users.size(); ++r) {
          const BlockScratch::User& su = s.users[r];
          for (size_t k = 0; k < su.values.size(); ++k) {
            below[offsets[first + r] + k] += SumLanes(su.below[k]);
            equal[offsets[first + r] + k] += SumLanes(su.equal[k]);
          }
        }
      });
}

double UserReciprocalRankOfCounts(std::span<const float> test_preds, std::span<const float> values,
                                  std::span<const int64_t> below, std::span<const int64_t> equal) {
  double sum = 0;
  for (float v : test_preds) {
    const size_t k = std::lower_bound(values.begin(), values.end(), v) - values.begin();
    sum += 1.0 / (static_cast<double>(below[k]) + (static_cast<double>(equal[k]) + 1.0) / 2.0);
  }
  return sum / static_cast<double>(test_preds.size());
}

double MeanOfUsers(std::span<const double> per_user) {
  double sum = 0;
  for (double v : per_user) sum += v;
  return per_user.empty() ? 0.0 : sum / static_cast<double>(per_user.size());
}

}  // namespace mtrec

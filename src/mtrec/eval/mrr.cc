#include "mtrec/eval/mrr.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"

namespace mtrec {

double UserReciprocalRank(std::span<float> scores, std::span<const ItemId> train_items,
                          std::span<const ItemId> test_items) {
  for (float& v : scores) v = std::isnan(v) ? std::numeric_limits<float>::infinity() : -v;
  for (ItemId i : train_items) scores[i] = std::numeric_limits<float>::max();
  // Distinct test values, sorted; for each, count the values below and equal.
  std::vector<float> values(test_items.size());
  for (size_t k = 0; k < test_items.size(); ++k) values[k] = scores[test_items[k]];
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::vector<int64_t> below(values.size() + 1, 0), equal(values.size(), 0);
  for (float v : scores) {
    // Every test value above v counts v as "below" it.
    const size_t first_above = std::upper_bound(values.begin(), values.end(), v) - values.begin();
    ++below[first_above];
    if (first_above > 0 && values[first_above - 1] == v) ++equal[first_above - 1];
  }
  for (size_t k = 1; k < values.size(); ++k) below[k] += below[k - 1];
  double sum = 0;
  for (ItemId t : test_items) {
    const size_t k = std::lower_bound(values.begin(), values.end(), scores[t]) - values.begin();
    const double rank = static_cast<double>(below[k]) + (static_cast<double>(equal[k]) + 1.0) / 2.0;
    sum += 1.0 / rank;
  }
  return sum / static_cast<double>(test_items.size());
}

MrrResult MeanReciprocalRank(const ScoreAllItemsFn& score_all_items, int32_t num_items,
                             const UserItemSets& test, const UserItemSets& train,
                             ThreadPool& pool) {
  MTREC_CHECK(test.num_users() == train.num_users());
  const int32_t num_users = test.num_users();
  std::vector<double> per_user(num_users, -1.0);
  std::vector<std::vector<float>> scores(pool.num_threads(), std::vector<float>(num_items));
  pool.ParallelFor(num_users, [&](int64_t begin, int64_t end, int thread) {
    for (int64_t u = begin; u < end; ++u) {
      const auto test_items = test.Of(static_cast<UserId>(u));
      if (test_items.empty()) continue;
      score_all_items(static_cast<UserId>(u), scores[thread]);
      per_user[u] = UserReciprocalRank(scores[thread], train.Of(static_cast<UserId>(u)), test_items);
    }
  });
  MrrResult result;
  double sum = 0;
  for (double v : per_user) {
    if (v < 0) continue;
    result.per_user.push_back(v);
    sum += v;
  }
  result.users = static_cast<int64_t>(result.per_user.size());
  result.mrr = result.users > 0 ? sum / static_cast<double>(result.users) : 0.0;
  return result;
}

}  // namespace mtrec

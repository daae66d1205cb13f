#include "mtrec/eval/ranking_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/eval/top_k.h"

namespace mtrec {

namespace {

struct UserScores {
  double precision = 0, recall = 0, ndcg = 0, hit = 0, auc = 0;
  bool counted = false;
};

// AUC of one user: for every relevant candidate, the non-relevant candidates
// scored below it (ties count half), over all pairs.
double UserAuc(std::span<const float> scores, std::span<const uint8_t> candidate,
               std::span<const uint8_t> relevant) {
  std::vector<float> negatives;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (candidate[i] && !relevant[i]) negatives.push_back(scores[i]);
  }
  if (negatives.empty()) return 1.0;
  std::sort(negatives.begin(), negatives.end());
  double correct = 0;
  int64_t positives = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!relevant[i]) continue;
    const auto lo = std::lower_bound(negatives.begin(), negatives.end(), scores[i]);
    const auto hi = std::upper_bound(lo, negatives.end(), scores[i]);
    correct += static_cast<double>(lo - negatives.begin()) + 0.5 * static_cast<double>(hi - lo);
    ++positives;
  }
  return correct / (static_cast<double>(positives) * static_cast<double>(negatives.size()));
}

}  // namespace

RankingMetrics EvaluateRanking(const ScoreAllItemsFn& score_all_items, int32_t num_items,
                               const UserItemSets& test, const UserItemSets& train, int k,
                               ThreadPool& pool) {
  MTREC_CHECK(test.num_users() == train.num_users() && k >= 1);
  const int32_t num_users = test.num_users();
  std::vector<UserScores> per_user(num_users);
  struct Scratch {
    std::vector<float> scores;
    std::vector<uint8_t> candidate, relevant;
  };
  std::vector<Scratch> scratch(pool.num_threads());
  pool.ParallelFor(num_users, [&](int64_t begin, int64_t end, int thread) {
    Scratch& s = scratch[thread];
    s.scores.resize(num_items);
    for (int64_t u = begin; u < end; ++u) {
      const auto tests = test.Of(static_cast<UserId>(u));
      if (tests.empty()) continue;
      s.candidate.assign(num_items, 1);
      s.relevant.assign(num_items, 0);
      for (ItemId i : train.Of(static_cast<UserId>(u))) s.candidate[i] = 0;
      int64_t num_relevant = 0;
      for (ItemId i : tests) {
        if (s.candidate[i] && !s.relevant[i]) {
          s.relevant[i] = 1;
          ++num_relevant;
        }
      }
      if (num_relevant == 0) continue;
      score_all_items(static_cast<UserId>(u), s.scores);
      for (float& v : s.scores) {
        if (std::isnan(v)) v = -std::numeric_limits<float>::infinity();
      }
      const std::vector<ItemId> top = TopK(s.scores, s.candidate, k);
      double hits = 0, dcg = 0, ideal = 0;
      for (size_t r = 0; r < top.size(); ++r) {
        if (s.relevant[top[r]]) {
          hits += 1;
          dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
        }
      }
      for (int64_t r = 0; r < std::min<int64_t>(k, num_relevant); ++r) {
        ideal += 1.0 / std::log2(static_cast<double>(r) + 2.0);
      }
      UserScores& out = per_user[u];
      out.counted = true;
      out.precision = hits / k;
      out.recall = hits / static_cast<double>(num_relevant);
      out.hit = hits > 0 ? 1.0 : 0.0;
      out.ndcg = dcg / ideal;
      out.auc = UserAuc(s.scores, s.candidate, s.relevant);
    }
  });
  RankingMetrics m;
  m.k = k;
  for (const UserScores& u : per_user) {
    if (!u.counted) continue;
    m.precision += u.precision;
    m.recall += u.recall;
    m.ndcg += u.ndcg;
    m.hit_rate += u.hit;
    m.auc += u.auc;
    ++m.users;
  }
  if (m.users > 0) {
    const auto n = static_cast<double>(m.users);
    m.precision /= n;
    m.recall /= n;
    m.ndcg /= n;
    m.hit_rate /= n;
    m.auc /= n;
  }
  return m;
}

double MeanAbsoluteError(std::span<const float> ratings, std::span<const float> predicted) {
  MTREC_CHECK(ratings.size() == predicted.size());
  if (ratings.empty()) return 0.0;
  double sum = 0;
  for (size_t k = 0; k < ratings.size(); ++k) {
    sum += std::fabs(static_cast<double>(ratings[k]) - predicted[k]);
  }
  return sum / static_cast<double>(ratings.size());
}

}  // namespace mtrec

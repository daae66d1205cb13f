#include "mtrec/eval/ranking_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/eval/rank_counting.h"
#include "mtrec/eval/top_k.h"

namespace mtrec {

namespace {

struct UserScores {
  double precision = 0, recall = 0, ndcg = 0, hit = 0, auc = 0;
  bool counted = false;
};

struct AucScratch {
  std::vector<float> negatives;  // each item's score if it is a negative, else NaN
  std::vector<float> positives;  // the relevant scores, then their distinct values
  std::vector<int64_t> multiplicity;
  std::vector<Vec8i> below, equal;
};

// AUC of one user: for every relevant candidate, the non-relevant candidates
// scored below it (ties count half), over all pairs. The negatives are counted
// against each distinct relevant score with SIMD compares (relevant x items / 8
// compares) instead of being sorted (items x log items), which made this the
// slowest part of `evaluate` on large catalogues. REQUIRES: no NaN score.
double UserAuc(std::span<const float> scores, std::span<const uint8_t> candidate,
               std::span<const uint8_t> relevant, AucScratch& s) {
  const size_t n = scores.size();
  s.negatives.assign((n + 7) / 8 * 8, std::numeric_limits<float>::quiet_NaN());
  s.positives.clear();
  int64_t num_negatives = 0;
  for (size_t i = 0; i < n; ++i) {
    if (relevant[i]) {
      s.positives.push_back(scores[i]);
    } else if (candidate[i]) {
      s.negatives[i] = scores[i];
      ++num_negatives;
    }
  }
  if (num_negatives == 0) return 1.0;
  const auto num_positives = static_cast<double>(s.positives.size());
  std::sort(s.positives.begin(), s.positives.end());
  s.multiplicity.clear();
  size_t distinct = 0;
  for (size_t k = 0; k < s.positives.size(); ++k) {
    if (k > 0 && s.positives[k] == s.positives[distinct - 1]) {
      ++s.multiplicity.back();
    } else {
      s.positives[distinct++] = s.positives[k];
      s.multiplicity.push_back(1);
    }
  }
  s.positives.resize(distinct);
  s.below.assign(distinct, Vec8i{});
  s.equal.assign(distinct, Vec8i{});
  CountBelowAndEqual(s.negatives.data(), static_cast<int64_t>(n), s.positives, s.below.data(),
                     s.equal.data());
  double correct = 0;
  for (size_t t = 0; t < distinct; ++t) {
    correct +=
        static_cast<double>(s.multiplicity[t]) * (static_cast<double>(SumLanes(s.below[t])) +
                                                  0.5 * static_cast<double>(SumLanes(s.equal[t])));
  }
  return correct / (num_positives * static_cast<double>(num_negatives));
}

}  // namespace

RankingMetrics EvaluateRanking(const BlockScorer& scorer, const UserItemSets& test,
                               const UserItemSets& train, int k, ThreadPool& pool) {
  MTREC_CHECK(test.num_users() == train.num_users() && k >= 1);
  const int32_t num_users = test.num_users();
  const int32_t num_items = scorer.num_items();
  constexpr int kAlign = BlockScorer::kItemAlignment;
  const int64_t ld = (int64_t{num_items} + kAlign - 1) / kAlign * kAlign;
  std::vector<UserScores> per_user(num_users);
  // Users with test items are scored against every item a few at a time (one
  // GEMM reads the item factors once for the group, where one user at a time
  // read them once per user), then ranked one by one.
  constexpr int kUsersPerGroup = 8;
  struct Scratch {
    std::vector<float> scores;  // [kUsersPerGroup x ld]
    std::vector<UserId> group;
    std::vector<uint8_t> candidate, relevant;
    AucScratch auc;
  };
  std::vector<Scratch> scratch(pool.num_threads());
  // Users in tasks of 64, handed out as threads come free (on a shared machine
  // one thread may run slower than the other).
  constexpr int64_t kUsersPerTask = 64;
  const auto tasks = static_cast<int>((num_users + kUsersPerTask - 1) / kUsersPerTask);
  pool.Run(tasks, [&](int task, int thread) {
    const int64_t begin = task * kUsersPerTask;
    const int64_t end = std::min<int64_t>(num_users, begin + kUsersPerTask);
    Scratch& s = scratch[thread];
    s.scores.resize(static_cast<size_t>(kUsersPerGroup) * ld);
    for (int64_t first = begin; first < end;) {
      s.group.clear();
      for (; first < end && s.group.size() < kUsersPerGroup; ++first) {
        if (!test.Of(static_cast<UserId>(first)).empty())
          s.group.push_back(static_cast<UserId>(first));
      }
      if (s.group.empty()) continue;
      scorer.ScoreBlock(s.group, 0, num_items, s.scores.data(), ld);
      for (size_t r = 0; r < s.group.size(); ++r) {
        const UserId u = s.group[r];
        s.candidate.assign(num_items, 1);
        s.relevant.assign(num_items, 0);
        for (ItemId i : train.Of(u)) s.candidate[i] = 0;
        int64_t num_relevant = 0;
        for (ItemId i : test.Of(u)) {
          if (s.candidate[i] && !s.relevant[i]) {
            s.relevant[i] = 1;
            ++num_relevant;
          }
        }
        if (num_relevant == 0) continue;
        const std::span<float> scores(s.scores.data() + r * ld, num_items);
        for (float& v : scores) {
          if (std::isnan(v)) v = -std::numeric_limits<float>::infinity();
        }
        const std::vector<ItemId> top = TopK(scores, s.candidate, k);
        double hits = 0, dcg = 0, ideal = 0;
        for (size_t rank = 0; rank < top.size(); ++rank) {
          if (s.relevant[top[rank]]) {
            hits += 1;
            dcg += 1.0 / std::log2(static_cast<double>(rank) + 2.0);
          }
        }
        for (int64_t rank = 0; rank < std::min<int64_t>(k, num_relevant); ++rank) {
          ideal += 1.0 / std::log2(static_cast<double>(rank) + 2.0);
        }
        UserScores& out = per_user[u];
        out.counted = true;
        out.precision = hits / k;
        out.recall = hits / static_cast<double>(num_relevant);
        out.hit = hits > 0 ? 1.0 : 0.0;
        out.ndcg = dcg / ideal;
        out.auc = UserAuc(scores, s.candidate, s.relevant, s.auc);
      }
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

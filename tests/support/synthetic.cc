#include "support/synthetic.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <vector>

namespace mtrec::testing {

Interactions MakeSyntheticRatings(int num_users, int num_items, int n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  constexpr int kRank = 3;
  std::vector<double> taste(static_cast<size_t>(num_users + 1) * kRank);
  std::vector<double> traits(static_cast<size_t>(num_items + 1) * kRank);
  for (double& v : taste) v = normal(gen);
  for (double& v : traits) v = normal(gen);
  // Popular items are rated more often (Zipf-like), as in MovieLens.
  std::vector<double> weights(num_items);
  for (int i = 0; i < num_items; ++i) weights[i] = 1.0 / std::pow(i + 1.0, 0.8);
  std::discrete_distribution<int> item_dist(weights.begin(), weights.end());
  std::uniform_int_distribution<int> user_dist(1, num_users);
  Interactions x;
  for (int k = 0; k < n; ++k) {
    const int u = user_dist(gen);
    const int i = item_dist(gen) + 1;
    double affinity = 0;
    for (int r = 0; r < kRank; ++r) affinity += taste[u * kRank + r] * traits[i * kRank + r];
    const double rating = std::clamp(std::round(3.0 + affinity + 0.5 * normal(gen)), 1.0, 5.0);
    x.users.push_back(u);
    x.items.push_back(i);
    x.ratings.push_back(static_cast<float>(rating));
    x.timestamps.push_back(880000000 + k);
  }
  x.num_users = *std::max_element(x.users.begin(), x.users.end()) + 1;
  x.num_items = *std::max_element(x.items.begin(), x.items.end()) + 1;
  return x;
}

void WriteUData(const std::string& path, const Interactions& x) {
  std::ofstream out(path);
  for (size_t k = 0; k < x.size(); ++k) {
    out << x.users[k] << '\t' << x.items[k] << '\t' << x.ratings[k] << '\t'
        << (x.timestamps.empty() ? 0 : x.timestamps[k]) << '\n';
  }
}

void WriteGroupedRatings(const std::filesystem::path& dir, int users, int items, int per_user,
                         uint32_t seed) {
  std::mt19937 gen(seed);
  std::ofstream out(dir / "u.data");
  for (int u = 1; u <= users; ++u) {
    const bool first_half = u <= users / 2;
    std::set<int> chosen;
    while (static_cast<int>(chosen.size()) < per_user) {
      // 80% of a user's items come from its own group.
      const bool own = gen() % 10 < 8;
      const int half = items / 2;
      const int offset = (own == first_half) ? 1 : half + 1;
      chosen.insert(offset + static_cast<int>(gen() % static_cast<uint32_t>(half)));
    }
    for (int i : chosen) {
      const bool liked = (i <= items / 2) == first_half;
      const int rating = liked ? 4 + static_cast<int>(gen() % 2) : 1 + static_cast<int>(gen() % 2);
      out << u << '\t' << i << '\t' << rating << '\t' << 880000000 + u * 1000 + i << '\n';
    }
  }
  std::ofstream titles(dir / "u.item", std::ios::binary);
  for (int i = 1; i <= items; ++i) {
    titles << i << "|Movie " << i << " caf\xe9 (1990)|01-Jan-1990||http://x|0|1\n";
  }
}

std::vector<std::string> FastOverfittingFlags() {
  return {"--learning_rate",        "0.03", "--batch_size",        "100",
          "--factorization_weight", "0.5",  "--regression_weight", "0.5"};
}

}  // namespace mtrec::testing

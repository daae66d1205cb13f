#include "support/synthetic.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
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

std::string MakeTempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("mtrec_test_" + tag + "_" + std::to_string(::getpid()) + "_" +
                                     std::to_string(counter.fetch_add(1)));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace mtrec::testing

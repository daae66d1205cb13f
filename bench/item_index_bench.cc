// The approximate item index (Model::BuildIndex, src/mtrec/infer/item_index.h)
// against the exact scan on a generated catalog, in one invocation:
//
//   build/item_index_bench [ITEMS=1000000] [DIM=32] [EF_SEARCH=100,200,400] [M=16]
//                          [EF_CONSTRUCTION=100] [QUERIES=1000]
//
// The catalog: item factors and 1,000 users' factors ~ N(0, 1/sqrt(DIM)) (a
// dot product ~ N(0, 1)), item bias ~ Exponential(2) (skewed: a few items far
// above the rest). Each query excludes 30 "seen" items: the 10 of highest bias
// and 20 at random. Prints the build time, the index's memory (its own count
// and the growth of the peak RSS), then per EF_SEARCH: recall@10 of the index
// against the exact top 10 over QUERIES random users, and queries/s of each
// (one thread; exact and index queries alternate in blocks of 50, so that a
// busy machine slows both alike) and their ratio.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench_util.h"
#include "mtrec/eval/top_k.h"
#include "mtrec/infer/item_index.h"
#include "mtrec/model/multitask_net.h"

namespace mtrec {
namespace {

using bench::Now;
using bench::PeakRssMiB;

constexpr int kK = 10, kUsers = 1000, kBlock = 50;

std::vector<int> ParseList(const char* text) {
  std::vector<int> out;
  for (const char* p = text; *p != 0;) {
    char* end = nullptr;
    out.push_back(static_cast<int>(std::strtol(p, &end, 10)));
    p = *end == ',' ? end + 1 : end;
    if (end == p && *end != 0) break;
  }
  return out;
}

int Run(int argc, char** argv) {
  const int64_t items = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const int dim = argc > 2 ? std::atoi(argv[2]) : 32;
  const std::vector<int> efs = ParseList(argc > 3 ? argv[3] : "100,200,400");
  IndexOptions options;
  options.m = argc > 4 ? std::atoi(argv[4]) : 16;
  options.ef_construction = argc > 5 ? std::atoi(argv[5]) : 100;
  const int queries = argc > 6 ? std::atoi(argv[6]) : 1000;

  ModelConfig config;
  config.num_users = kUsers;
  config.num_items = static_cast<int32_t>(items);
  config.embedding_dim = dim;
  MultiTaskNet net(config);
  std::mt19937_64 gen(42);
  const float sigma = 1.0f / std::sqrt(std::sqrt(static_cast<float>(dim)));
  std::normal_distribution<float> factor(0.0f, sigma);
  std::exponential_distribution<float> bias(2.0f);
  const MultiTaskNet::Roles& roles = net.roles();
  const auto fill = [&](int block, auto& dist) {
    const ParamBlock& b = net.layout().block(block);
    for (int64_t k = 0; k < b.size(); ++k) net.params()[b.offset + k] = dist(gen);
  };
  fill(roles.u_fact, factor);
  fill(roles.q_fact, factor);
  fill(roles.item_bias, bias);

  // The queries and their seen items.
  std::vector<int64_t> by_bias(static_cast<size_t>(items));
  for (int64_t i = 0; i < items; ++i) by_bias[i] = i;
  const auto more_popular = [&](int64_t a, int64_t b) {
    return *net.Row(roles.item_bias, a) > *net.Row(roles.item_bias, b);
  };
  std::partial_sort(by_bias.begin(), by_bias.begin() + 10, by_bias.end(), more_popular);
  std::uniform_int_distribution<int> pick_user(0, kUsers - 1);
  std::uniform_int_distribution<int64_t> pick_item(0, items - 1);
  std::vector<UserId> users(static_cast<size_t>(queries));
  std::vector<std::vector<ItemId>> seen(static_cast<size_t>(queries));
  for (int q = 0; q < queries; ++q) {
    users[q] = pick_user(gen);
    for (int k = 0; k < 10; ++k) seen[q].push_back(static_cast<ItemId>(by_bias[k]));
    for (int k = 0; k < 20; ++k) seen[q].push_back(static_cast<ItemId>(pick_item(gen)));
    std::sort(seen[q].begin(), seen[q].end());  // ItemIndex::Top's excluded: ascending, once
    seen[q].erase(std::unique(seen[q].begin(), seen[q].end()), seen[q].end());
  }
  std::vector<uint8_t> candidate(static_cast<size_t>(items), 1);

  const double rss_before = PeakRssMiB();
  Result<std::unique_ptr<ItemIndex>> built = ItemIndex::Build(net, options);
  if (!built.ok()) {
    std::fprintf(stderr, "item_index_bench: %s\n", built.status().message().c_str());
    return 1;
  }
  ItemIndex& index = **built;
  const IndexInfo& info = index.info();
  std::printf("catalog: %lld items, dim %d (indexed as %d), %d queries, k %d\n",
              static_cast<long long>(items), dim, info.dimensions, queries, kK);
  std::printf("build: %.1f s (M %d, ef_construction %d, one thread), index memory %.1f MiB "
              "(its count; peak RSS grew %.1f MiB)\n",
              info.build_seconds, options.m, options.ef_construction,
              static_cast<double>(info.memory_bytes) / (1 << 20), PeakRssMiB() - rss_before);

  std::vector<float> scores(static_cast<size_t>(items));
  std::vector<std::vector<ItemId>> exact(static_cast<size_t>(queries));
  for (int ef : efs) {
    index.set_ef_search(ef);
    double exact_seconds = 0, index_seconds = 0, hits = 0;
    for (int start = 0; start < queries; start += kBlock) {
      const int end = std::min(queries, start + kBlock);
      double t = Now();
      for (int q = start; q < end; ++q) {
        for (ItemId i : seen[q]) candidate[i] = 0;
        net.ScoreAllItems(users[q], scores);
        exact[q] = TopK(scores, candidate, kK);
        for (ItemId i : seen[q]) candidate[i] = 1;
      }
      exact_seconds += Now() - t;
      t = Now();
      for (int q = start; q < end; ++q) {
        const std::vector<ItemId> top = index.Top(net, users[q], candidate, seen[q],
                                                  items - static_cast<int64_t>(seen[q].size()), kK);
        const std::set<ItemId> truth(exact[q].begin(), exact[q].end());
        for (ItemId i : top) hits += static_cast<double>(truth.count(i));
      }
      index_seconds += Now() - t;
    }
    std::printf("ef_search %4d: recall@10 %.4f, exact %8.1f q/s, hnsw %9.1f q/s, speed-up %.1fx\n",
                ef, hits / (static_cast<double>(queries) * kK), queries / exact_seconds,
                queries / index_seconds, exact_seconds / index_seconds);
  }
  return 0;
}

}  // namespace
}  // namespace mtrec

int main(int argc, char** argv) { return mtrec::Run(argc, argv); }

#include "mtrec/infer/item_index.h"

#include "mtrec/infer/recommend.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <new>
#include <stdexcept>
#include <string>

#include "mtrec/core/check.h"
#include "mtrec/eval/top_k.h"

namespace mtrec {

struct ItemIndex::Graph {
  explicit Graph(int dimensions) : space(static_cast<size_t>(dimensions)) {}
  hnswlib::L2Space space;  // outlives hnsw, which points to it
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;
};

namespace {

// Debian's hnswlib 0.6.2 prefetches the entry after a link list's last one
// (searchBaseLayer, hnswalg.h:214: *(datal + j + 1) for j = size - 1), which
// for a full list on a node's top level is 4 bytes past the block addPoint
// allocated for its upper levels (size_links_per_element_ * levels + 1): an
// out-of-bounds read (ASan: heap-buffer-overflow). One spare tableint per
// upper level list makes that read land in the node's own, zeroed, memory:
// every use of the stride (addPoint's malloc and memset, get_linklist,
// GraphBytes) follows size_links_per_element_, and a list still holds at most
// maxM_ links. Before the first addPoint only. (saveIndex/loadIndex, which
// mtrec does not use, would not round-trip the wider stride.)
void PadUpperLinkLists(hnswlib::HierarchicalNSW<float>& g) {
  MTREC_CHECK(g.cur_element_count == 0);
  g.size_links_per_element_ += sizeof(hnswlib::tableint);
}

// The bytes hnswlib holds for a built graph: level 0 (links, vector, label
// per item), the upper levels' links, and its per-item bookkeeping.
int64_t GraphBytes(const hnswlib::HierarchicalNSW<float>& g) {
  const size_t n = g.max_elements_;
  size_t bytes = n * g.size_data_per_element_;
  for (size_t i = 0; i < g.cur_element_count; ++i) {
    bytes += static_cast<size_t>(g.element_levels_[i]) * g.size_links_per_element_;
  }
  bytes += n * (sizeof(char*) + sizeof(int) + sizeof(std::mutex));  // linkLists_, levels, locks
  bytes += g.link_list_update_locks_.size() * sizeof(std::mutex);
  bytes += n * sizeof(hnswlib::vl_type);  // the one visited list a query uses at a time
  // label_lookup_: a node (key, value, next pointer, cached hash) per item and the buckets.
  bytes += g.label_lookup_.size() * (sizeof(size_t) * 2 + sizeof(void*) * 2) +
           g.label_lookup_.bucket_count() * sizeof(void*);
  return static_cast<int64_t>(bytes);
}

Status CheckOptions(const IndexOptions& o) {
  if (o.m < 2 || o.m > 1024) {
    return Status::InvalidArgument("index m: expected 2..1024, got " + std::to_string(o.m));
  }
  if (o.ef_construction < 1 || o.ef_construction > (1 << 20)) {
    return Status::InvalidArgument("index ef_construction: expected 1..1048576, got " +
                                   std::to_string(o.ef_construction));
  }
  if (o.ef_search < 1 || o.ef_search > (1 << 20)) {
    return Status::InvalidArgument("index ef_search: expected 1..1048576, got " +
                                   std::to_string(o.ef_search));
  }
  return Status::Ok();
}

}  // namespace

ItemIndex::ItemIndex() = default;
ItemIndex::~ItemIndex() = default;

Result<std::unique_ptr<ItemIndex>> ItemIndex::Build(const MultiTaskNet& net,
                                                    const IndexOptions& options) {
  MTREC_RETURN_IF_ERROR(CheckOptions(options));
  const auto start = std::chrono::steady_clock::now();
  const int d = net.ranking_dim();
  const int64_t n = net.config().num_items;
  std::unique_ptr<ItemIndex> index(new ItemIndex());
  try {
    index->graph_ = std::make_unique<Graph>(d + 2);
    Graph& g = *index->graph_;
    g.hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        &g.space, static_cast<size_t>(n), static_cast<size_t>(options.m),
        static_cast<size_t>(options.ef_construction), static_cast<size_t>(options.seed));
    PadUpperLinkLists(*g.hnsw);
    g.hnsw->setEf(static_cast<size_t>(options.ef_search));
    const int q_fact = net.roles().q_fact, item_bias = net.roles().item_bias;
    // x_i = [Q_f[i], B[i], sqrt(R^2 - |[Q_f[i], B[i]]|^2)], every |x_i| = R, so
    // |x_i - y|^2 = R^2 + |y|^2 - 2 (Q_f[i] . p + B[i]) for y = [p, 1, 0]: the
    // nearest item is the one of highest score.
    std::vector<double> norm2(static_cast<size_t>(n));
    double r2 = 0;
    for (int64_t i = 0; i < n; ++i) {
      const float* q = net.Row(q_fact, i);
      const double b = *net.Row(item_bias, i);
      double sum = b * b;
      for (int k = 0; k < d; ++k) sum += static_cast<double>(q[k]) * q[k];
      norm2[i] = sum;
      r2 = std::max(r2, sum);
    }
    std::vector<float> row(static_cast<size_t>(d) + 2);
    for (int64_t i = 0; i < n; ++i) {  // one thread, row order: the same graph every time
      const float* q = net.Row(q_fact, i);
      std::copy(q, q + d, row.begin());
      row[d] = *net.Row(item_bias, i);
      row[d + 1] = static_cast<float>(std::sqrt(r2 - norm2[i]));
      g.hnsw->addPoint(row.data(), static_cast<size_t>(i));
    }
  } catch (const std::bad_alloc&) {
    return Status::Unavailable("index: " + std::to_string(n) + " items do not fit in memory");
  } catch (const std::runtime_error& e) {  // hnswlib's allocation failures
    return Status::Unavailable(std::string("index: ") + e.what());
  }
  IndexInfo& info = index->info_;
  info.kind = "hnsw";
  info.options = options;
  info.items = n;
  info.dimensions = d + 2;
  info.memory_bytes = GraphBytes(*index->graph_->hnsw);
  info.build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return index;
}

void ItemIndex::set_ef_search(int ef) {
  MTREC_CHECK(ef >= 1);
  graph_->hnsw->setEf(static_cast<size_t>(ef));
  info_.options.ef_search = ef;
}

std::vector<ItemId> ItemIndex::Top(const MultiTaskNet& net, UserId user,
                                   std::span<const uint8_t> occurs,
                                   std::span<const ItemId> excluded, int64_t allowed,
                                   int k) const {
  const int64_t n = info_.items;
  MTREC_CHECK(static_cast<int64_t>(occurs.size()) == n);
  const int64_t want = std::min<int64_t>(k, allowed);
  const int d = net.ranking_dim();
  std::vector<float> query(static_cast<size_t>(d) + 2, 0.0f);
  const float* p = net.Row(net.roles().u_fact, user);
  std::copy(p, p + d, query.begin());
  query[d] = 1.0f;
  struct Scored {
    float score;
    ItemId item;
  };
  std::vector<Scored> found;
  // Excluded items may fill the first answers: ask for enough to leave k.
  int64_t ask = std::min<int64_t>(n, k + (n - allowed));
  for (;;) {
    auto heap = graph_->hnsw->searchKnn(query.data(), static_cast<size_t>(ask));
    found.clear();
    for (; !heap.empty(); heap.pop()) {
      const auto item = static_cast<ItemId>(heap.top().second);
      if (occurs[item] != 0 && !std::binary_search(excluded.begin(), excluded.end(), item)) {
        found.push_back({net.Score(user, item), item});
      }
    }
    if (static_cast<int64_t>(found.size()) >= want) break;
    if (ask >= n) {  // the graph gave all it reaches and that is too few: the exact scan
      std::vector<float> scores(static_cast<size_t>(n));
      net.ScoreAllItems(user, scores);
      std::vector<ItemId> top;
      TopK(scores, occurs, excluded, k, top);
      return top;
    }
    ask = std::min<int64_t>(n, ask * 2);
  }
  std::sort(found.begin(), found.end(), [](const Scored& a, const Scored& b) {
    return a.score != b.score ? a.score > b.score : a.item < b.item;
  });
  std::vector<ItemId> top;
  for (int64_t r = 0; r < want; ++r) top.push_back(found[r].item);
  return top;
}

std::vector<Recommendation> RecommendFromIndex(const Backend& model, const ItemIndex& index,
                                               UserId user, const RecommendationCandidates& known,
                                               bool include_seen, int k) {
  const MultiTaskNet& net = model.net();
  const std::vector<ItemId> top =
      index.Top(net, user, known.occurs(), known.Excluded(user, include_seen),
                known.Count(user, include_seen), k);
  const std::vector<UserId> users(top.size(), user);
  std::vector<float> ratings(top.size());
  model.PredictRatings(users, top, ratings);
  std::vector<Recommendation> out;
  for (size_t r = 0; r < top.size(); ++r) {
    out.push_back({top[r], net.Score(user, top[r]), ratings[r]});
  }
  return out;
}

}  // namespace mtrec

#include "mtrec/train/memory_estimate.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace mtrec {

namespace {

// Floats kept per parameter besides the parameter itself: its gradient and the
// optimizer's state tensors.
int StateCopies(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kAdam:
    case OptimizerKind::kLazyAdam:
      return 3;  // gradient, m, v
    case OptimizerKind::kAdagrad:
      return 2;  // gradient, sum
    case OptimizerKind::kSgd:
    case OptimizerKind::kRowwiseAdagrad:  // one float per row and the MLP's m, v: small
      break;
  }
  return 1;  // gradient
}

int64_t Limit(int resource) {
  struct rlimit r {};
  if (::getrlimit(resource, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return -1;
  return static_cast<int64_t>(r.rlim_cur);
}

}  // namespace

int64_t EstimateTrainingBytes(const ModelConfig& m, const TrainConfig& t, int64_t batch_rows,
                              bool early_stopping, int shards) {
  const int64_t d = m.embedding_dim, rd = m.RankingDim();
  const int64_t rows = int64_t{m.num_users} + m.num_items;
  const int64_t table_params = (m.shared_embeddings ? 0 : rows * d) + rows * rd + m.num_items +
                               (m.user_bias ? m.num_users : 0) +
                               (m.rating_biases ? int64_t{m.num_users} + m.num_items : 0);
  int64_t params = (table_params + shards - 1) / shards;  // this rank's rows
  int64_t in = 3 * d, widest = in;
  for (int w : m.hidden_layers) {
    params += in * w + w;
    in = w;
    widest = std::max<int64_t>(widest, w);
  }
  params += in + 1;
  const int64_t copies = 1 + StateCopies(t.optimizer.kind) + (early_stopping ? 1 : 0);
  const int64_t eval_panel = (int64_t{m.num_items} * rd + shards - 1) / shards;
  // Per batch row: activations and their gradients for the positive and the
  // negative pass through every layer, plus the row's ids and rating.
  int64_t row_floats = 8 + 2 * in;
  for (int w : m.hidden_layers) row_floats += 4 * w;
  row_floats += 4 * widest;
  return 4 * (params * copies + eval_panel + batch_rows * row_floats);
}

int64_t AvailableMemoryBytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  int64_t available = pages > 0 && page > 0 ? int64_t{pages} * page : -1;
  for (int resource : {RLIMIT_AS, RLIMIT_DATA}) {
    const int64_t limit = Limit(resource);
    if (limit >= 0) available = available < 0 ? limit : std::min(available, limit);
  }
  return available;
}

std::string FormatBytes(int64_t bytes) {
  char buf[32];
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.1f GiB", b / (1024.0 * 1024 * 1024));
  } else {
    std::snprintf(buf, sizeof(buf), "%.0f MiB", b / (1024.0 * 1024));
  }
  return buf;
}

Status CheckTrainingFitsInMemory(const ModelConfig& m, const TrainConfig& t, int64_t batch_rows,
                                 bool early_stopping, int shards) {
  const int64_t need = EstimateTrainingBytes(m, t, batch_rows, early_stopping, shards);
  const int64_t have = AvailableMemoryBytes();
  if (have < 0 || need <= have) return Status::Ok();
  std::string layers;
  for (int w : m.hidden_layers) layers += (layers.empty() ? "" : ",") + std::to_string(w);
  return Status::Unavailable(
      "the model needs about " + FormatBytes(need) + " of memory, more than the " +
      FormatBytes(have) + " this process may use (" + std::to_string(m.num_users) +
      " user rows and " + std::to_string(m.num_items) + " item rows of --embedding_dim " +
      std::to_string(m.embedding_dim) +
      (m.RankingDim() != m.embedding_dim ? ", --ranking_dim " + std::to_string(m.RankingDim())
                                         : std::string()) +
      ", --layers " + layers +
      "); raw ids size the tables by the largest id: try --remap_ids, or a smaller "
      "--embedding_dim, --ranking_dim or --layers");
}

}  // namespace mtrec

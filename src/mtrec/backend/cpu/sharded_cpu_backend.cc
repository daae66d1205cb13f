#include "mtrec/backend/cpu/sharded_cpu_backend.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "mtrec/backend/cpu/factorization_scorer.h"
#include "mtrec/backend/cpu/row_exchange.h"
#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/core/vector_kernels.h"

namespace mtrec {

namespace {

// The shape of this rank's shard: every table with its share of the rows.
ModelConfig LocalConfig(ModelConfig config, const RowShards& shards) {
  config.num_users = static_cast<int32_t>(shards.LocalRows(config.num_users));
  config.num_items = static_cast<int32_t>(shards.LocalRows(config.num_items));
  return config;
}

// The shape of one step's rows: at most a whole batch's users, and its
// positives and negatives.
ModelConfig StepConfig(ModelConfig config, int batch_size) {
  config.num_users = batch_size;
  config.num_items = 2 * batch_size;
  return config;
}

// Floats of rows gathered in one collective, all ranks' together (bounds the
// receivers' buffers and the counts).
constexpr int64_t kGatherFloats = int64_t{1} << 22;
// Floats of a checkpoint's tensor read at once by LoadState.
constexpr int64_t kReadFloats = int64_t{1} << 20;

using Segment = ShardedCpuBackend::Segment;

// Copies this rank's rows of `segments` from `full` to `local`.
void SliceRows(const RowShards& shards, const float* full, float* local,
               const std::vector<Segment>& segments) {
  for (const Segment& s : segments) {
    if (!s.sharded) {
      std::copy_n(full + s.full_offset, s.rows * s.cols, local + s.local_offset);
      continue;
    }
    const int64_t rows = shards.LocalRows(s.rows);
    for (int64_t k = 0; k < rows; ++k) {
      std::copy_n(full + s.full_offset + shards.Global(k, shards.rank) * s.cols, s.cols,
                  local + s.local_offset + k * s.cols);
    }
  }
}

// Brings every rank's rows of the sharded segment `s` from their `local`
// copies to rank 0 (a collective), in pieces of consecutive global rows, about
// kGatherFloats floats each: `take(values)` gets each piece on rank 0, its
// rows in global order.
void GatherSegment(Communicator& comm, const RowShards& shards, const float* local,
                   const Segment& s, const std::function<void(std::span<const float>)>& take) {
  const int size = shards.size;
  std::vector<int> counts(size), offsets(size);
  std::vector<float> buffer, ordered;
  const int64_t most = shards.RowsOf(s.rows, 0);  // rank 0 holds the most
  // Local rows [first, first + chunk) of every rank are the global rows
  // [first * size, (first + chunk) * size), those that exist.
  const int64_t chunk = std::max<int64_t>(1, kGatherFloats / (s.cols * size));
  for (int64_t first = 0; first < most; first += chunk) {
    int total = 0;
    for (int q = 0; q < size; ++q) {
      const int64_t rows = std::clamp<int64_t>(shards.RowsOf(s.rows, q) - first, 0, chunk);
      counts[q] = static_cast<int>(rows * s.cols);
      offsets[q] = total;
      total += counts[q];
    }
    buffer.resize(total);
    std::copy_n(local + s.local_offset + first * s.cols, counts[shards.rank],
                buffer.data() + offsets[shards.rank]);
    comm.GatherInPlace(std::span<float>(buffer), counts, offsets);
    if (shards.rank != 0) continue;
    ordered.resize(total);
    for (int q = 0; q < size; ++q) {
      for (int64_t k = 0; k < counts[q] / s.cols; ++k) {
        std::copy_n(buffer.data() + offsets[q] + k * s.cols, s.cols,
                    ordered.data() + (k * size + q) * s.cols);
      }
    }
    take(ordered);
  }
}

// Reads this rank's rows of the sharded segment `s` from tensor `name` (its
// rows from float s.full_offset on) into `local`, in pieces of consecutive
// rows of about kReadFloats floats.
Status ReadOwnRows(const Backend::TensorRead& read, const std::string& name,
                   const RowShards& shards, const Segment& s, float* local) {
  std::vector<float> buffer;
  const int64_t chunk = std::max<int64_t>(shards.size, kReadFloats / s.cols);
  for (int64_t first = 0; first < s.rows; first += chunk) {
    const int64_t rows = std::min(chunk, s.rows - first);
    buffer.resize(rows * s.cols);
    MTREC_RETURN_IF_ERROR(read(name, s.full_offset + first * s.cols, buffer));
    for (int64_t g = first; g < first + rows; ++g) {
      if (shards.Owner(g) != shards.rank) continue;
      std::copy_n(buffer.data() + (g - first) * s.cols, s.cols,
                  local + s.local_offset + shards.Local(g) * s.cols);
    }
  }
  return Status::Ok();
}

}  // namespace

ShardedCpuBackend::ShardedCpuBackend(const ModelConfig& config, const BackendOptions& options)
    : shards_{options.comm != nullptr ? options.comm->rank() : 0,
              options.comm != nullptr ? options.comm->size() : 1},
      comm_(options.comm != nullptr ? *options.comm : SingleProcess()),
      pool_(
          std::make_unique<ThreadPool>(options.threads > 0 ? options.threads : HardwareThreads())),
      shape_(MultiTaskNet::ShapeOnly(config)),
      local_(LocalConfig(config, shards_)) {}

std::vector<ShardedCpuBackend::Segment> ShardedCpuBackend::ParamSegments() const {
  const ParameterLayout& full = shape_.layout();
  const ParameterLayout& local = local_.layout();
  std::vector<Segment> segments;
  const int64_t mlp_offset = local_.roles().mlp_offset;
  for (size_t b = 0; b < full.blocks().size(); ++b) {
    const ParamBlock& f = full.block(static_cast<int>(b));
    const ParamBlock& l = local.block(static_cast<int>(b));
    if (l.offset >= mlp_offset) break;
    segments.push_back({f.offset, l.offset, f.rows, f.cols, true});
  }
  const int64_t mlp_size = std::ssize(local_.params()) - mlp_offset;
  segments.push_back({shape_.roles().mlp_offset, mlp_offset, mlp_size, 1, false});
  return segments;
}

std::vector<ShardedCpuBackend::Segment> ShardedCpuBackend::StateSegments(
    const std::string& name) const {
  if (train_.optimizer.kind != OptimizerKind::kRowwiseAdagrad) return ParamSegments();
  // Row-wise Adagrad: "row_sum", one per row of every table, table after
  // table; "m" and "v", the MLP's.
  std::vector<Segment> segments;
  if (name == "row_sum") {
    int64_t full_offset = 0, local_offset = 0;
    for (const Segment& p : ParamSegments()) {
      if (!p.sharded) continue;
      segments.push_back({full_offset, local_offset, p.rows, 1, true});
      full_offset += p.rows;
      local_offset += shards_.LocalRows(p.rows);
    }
  } else {
    const int64_t mlp_size = std::ssize(local_.params()) - local_.roles().mlp_offset;
    segments.push_back({0, 0, mlp_size, 1, false});
  }
  return segments;
}

void ShardedCpuBackend::WriteParams(const std::function<void(MultiTaskNet&)>& write) {
  if (shards_.size == 1) {
    write(local_);
    return;
  }
  // A transient whole model: this rank's rows and the MLP, zeros elsewhere.
  MultiTaskNet full(shape_.config());
  const std::vector<Segment> segments = ParamSegments();
  for (const Segment& s : segments) {
    const int64_t rows = s.sharded ? shards_.LocalRows(s.rows) : 1;
    const int64_t width = s.sharded ? s.cols : s.rows * s.cols;
    for (int64_t k = 0; k < rows; ++k) {
      const int64_t global = s.sharded ? shards_.Global(k, shards_.rank) : 0;
      std::copy_n(local_.params().data() + s.local_offset + k * width, width,
                  full.params().data() + s.full_offset + global * width);
    }
  }
  write(full);
  SliceRows(shards_, full.params().data(), local_.params().data(), segments);
}

void ShardedCpuBackend::InitRandom(uint64_t seed) {
  // The whole stream, as one process draws it; this rank keeps its rows.
  const ParameterLayout& full = shape_.layout();
  const int64_t mlp = shape_.roles().mlp_offset;
  MultiTaskNet::DrawInitialValues(
      shape_.config(), seed, [&](int block, int64_t first, std::span<const float> values) {
        const ParamBlock& b = full.block(block);
        float* to = local_.params().data() + local_.layout().block(block).offset;
        if (b.offset >= mlp) {  // the MLP: replicated
          std::copy(values.begin(), values.end(), to + first);
          return;
        }
        const int64_t end = first + std::ssize(values);
        for (int64_t e = first; e < end;) {  // row by row (a piece may cut one)
          const int64_t row = e / b.cols, col = e % b.cols;
          const int64_t n = std::min(b.cols - col, end - e);
          if (shards_.Owner(row) == shards_.rank) {
            std::copy_n(values.data() + (e - first), n, to + shards_.Local(row) * b.cols + col);
          }
          e += n;
        }
      });
}

void ShardedCpuBackend::StartTraining(const TrainConfig& config) {
  train_ = config;
  const int64_t n = std::ssize(local_.params());
  std::vector<RowBlock> tables;
  for (const ParamBlock& b : local_.layout().blocks()) {
    if (b.offset < local_.roles().mlp_offset) tables.push_back({b.offset, b.rows, b.cols});
  }
  optimizer_ = MakeOptimizer(config.optimizer, n, std::move(tables));
  grads_.assign(n, 0.0f);
  step_net_ = std::make_unique<MultiTaskNet>(StepConfig(local_.config(), config.batch_size));
  const LossWeights weights{config.factorization_weight, config.regression_weight, config.bpr_loss,
                            config.rating_l2};
  backprop_ = std::make_unique<BatchBackprop>(*step_net_, weights, config.batch_size,
                                              host_pool().num_threads());
  step_users_.assign(config.batch_size, 0);
  step_items_.assign(config.batch_size, 0);
  step_negatives_.assign(config.batch_size, 0);
  // The whole state's tensors as a checkpoint holds them.
  state_shape_.clear();
  for (const Optimizer::StateTensor& t : optimizer_->state()) {
    int64_t size = 0;
    for (const Segment& s : StateSegments(t.name)) size += s.rows * s.cols;
    state_shape_.emplace_back(t.name, size);
  }
  gradient_.reset();  // made for this configuration on first need
}

BatchLosses ShardedCpuBackend::TrainStep(const Batch& batch, const GradientInspector* inspect) {
  MTREC_CHECK(inspect == nullptr && optimizer_ != nullptr);
  const int n = static_cast<int>(batch.size());
  PlanStep(batch);
  ExchangeRows();
  // This rank's blocks, on the step's rows and the (replicated) MLP.
  const int64_t mlp = local_.roles().mlp_offset;
  std::copy(local_.params().begin() + mlp, local_.params().end(),
            step_net_->params().begin() + step_net_->roles().mlp_offset);
  const Batch step{std::span<const UserId>(step_users_.data(), n),
                   std::span<const ItemId>(step_items_.data(), n), batch.ratings,
                   std::span<const ItemId>(step_negatives_.data(), n)};
  backprop_->ComputeBlocks(*step_net_, step, blocks_of_[shards_.rank], host_pool());
  const BatchLosses losses = ExchangeBlocks(n);
  if (!std::isfinite(losses.joint)) {  // diverged (on every rank alike): no update
    std::fill(grads_.begin() + mlp, grads_.end(), 0.0f);
    return losses;
  }
  ExchangeRowGradients(batch);
  if (optimizer_->sparse()) ListTouchedRows(batch);
  optimizer_->Step(local_.params(), grads_, touched_, host_pool());
  return losses;
}

void ShardedCpuBackend::PlanStep(const Batch& batch) {
  const int n = static_cast<int>(batch.size());
  const int size = shards_.size;
  const int blocks = (n + BatchBackprop::kBlockSize - 1) / BatchBackprop::kBlockSize;
  blocks_of_.resize(size);
  samples_of_.resize(size);
  users_of_.resize(size);
  items_of_.resize(size);
  std::vector<int32_t> ids;
  for (int q = 0; q < size; ++q) {
    const RankRange b = RangeOfRank(blocks, q, size);
    const RankRange s = {std::min<int64_t>(b.begin * BatchBackprop::kBlockSize, n),
                         std::min<int64_t>(b.end * BatchBackprop::kBlockSize, n)};
    blocks_of_[q] = b;
    samples_of_[q] = s;
    DistinctIds(batch.users.subspan(s.begin, s.end - s.begin), users_of_[q]);
    ids.assign(batch.items.begin() + s.begin, batch.items.begin() + s.end);
    ids.insert(ids.end(), batch.negatives.begin() + s.begin, batch.negatives.begin() + s.end);
    DistinctIds(ids, items_of_[q]);
  }
  // The batch in the step's rows; the other ranks' samples are not computed here.
  const RankRange mine = samples_of_[shards_.rank];
  const std::vector<int32_t>& users = users_of_[shards_.rank];
  const std::vector<int32_t>& items = items_of_[shards_.rank];
  for (int64_t s = mine.begin; s < mine.end; ++s) {
    step_users_[s] = IndexIn(users, batch.users[s]);
    step_items_[s] = IndexIn(items, batch.items[s]);
    step_negatives_[s] = IndexIn(items, batch.negatives[s]);
  }
}

void ShardedCpuBackend::ExchangeRows() {
  ::mtrec::ExchangeRows(comm_, shards_, local_, users_of_, items_of_, *step_net_, buffers_);
}

BatchLosses ShardedCpuBackend::ExchangeBlocks(int n) {
  // Rank q's part: its blocks' MLP partials (when the MLP has a gradient),
  // then its samples' BPR and squared-error values.
  const int size = shards_.size, me = shards_.rank;
  BatchBackprop::Outputs out = backprop_->outputs();
  const int64_t partial = train_.regression_weight != 0 ? out.partial_size : 0;
  std::vector<int>& counts = buffers_.send_counts;
  for (int q = 0; q < size; ++q) {
    counts[q] = static_cast<int>((blocks_of_[q].end - blocks_of_[q].begin) * partial +
                                 2 * (samples_of_[q].end - samples_of_[q].begin));
  }
  buffers_.send.resize(Offsets(counts, buffers_.send_offsets));
  const auto move = [&](int q, bool pack) {
    float* at = buffers_.send.data() + buffers_.send_offsets[q];
    const auto part = [&](float* array, int64_t begin, int64_t count) {
      if (pack) {
        std::copy_n(array + begin, count, at);
      } else {
        std::copy_n(at, count, array + begin);
      }
      at += count;
    };
    const RankRange b = blocks_of_[q], s = samples_of_[q];
    part(out.mlp_partials, b.begin * partial, (b.end - b.begin) * partial);
    part(out.bpr_values, s.begin, s.end - s.begin);
    part(out.squared_errors, s.begin, s.end - s.begin);
  };
  move(me, /*pack=*/true);
  comm_.AllGatherInPlace(std::span<float>(buffers_.send), counts, buffers_.send_offsets);
  for (int q = 0; q < size; ++q) {
    if (q != me) move(q, /*pack=*/false);
  }
  return backprop_->SumBlocks(*step_net_, n, grads_.data() + local_.roles().mlp_offset,
                              host_pool());
}

void ShardedCpuBackend::ExchangeRowGradients(const Batch& batch) {
  const int size = shards_.size, me = shards_.rank;
  const int64_t d = local_.embedding_dim(), rd = local_.ranking_dim();
  const MultiTaskNet::Roles& roles = local_.roles();
  const BatchBackprop::Outputs out = backprop_->outputs();
  // What one process's scatter adds (BatchBackprop::Scatter): the same flags.
  const bool separate = !local_.config().shared_embeddings;
  const bool ranking = train_.factorization_weight != 0;
  const bool fact_rows = ranking || !separate;
  const bool reg_rows = separate && train_.regression_weight != 0;
  const bool rating_biases = roles.rating_user_bias >= 0 && train_.regression_weight != 0;
  // Floats per sample for its user's owner, its positive's and its negative's.
  const int64_t user_width = (fact_rows ? rd : 0) + (reg_rows ? d : 0) + (rating_biases ? 1 : 0);
  const int64_t pos_width =
      (fact_rows ? rd : 0) + (ranking ? 1 : 0) + (reg_rows ? d : 0) + (rating_biases ? 1 : 0);
  const int64_t neg_width = ranking ? rd + 1 : 0;
  const auto count_for = [&](int owner, RankRange samples) {
    int64_t count = 0;
    for (int64_t s = samples.begin; s < samples.end; ++s) {
      count += shards_.Owner(batch.users[s]) == owner ? user_width : 0;
      count += shards_.Owner(batch.items[s]) == owner ? pos_width : 0;
      count += shards_.Owner(batch.negatives[s]) == owner ? neg_width : 0;
    }
    return static_cast<int>(count);
  };
  for (int q = 0; q < size; ++q) {
    buffers_.send_counts[q] = count_for(q, samples_of_[me]);
    buffers_.recv_counts[q] = count_for(me, samples_of_[q]);
  }
  buffers_.send.resize(Offsets(buffers_.send_counts, buffers_.send_offsets));
  buffers_.recv.resize(Offsets(buffers_.recv_counts, buffers_.recv_offsets));
  // Each sample's terms for each owner, in sample order: user, positive, negative.
  std::vector<float*> to(size);
  for (int q = 0; q < size; ++q) to[q] = buffers_.send.data() + buffers_.send_offsets[q];
  const auto put = [](float*& at, const float* values, int64_t count) {
    at = std::copy_n(values, count, at);
  };
  const RankRange mine = samples_of_[me];
  for (int64_t s = mine.begin; s < mine.end; ++s) {
    float*& u = to[shards_.Owner(batch.users[s])];
    if (fact_rows) put(u, out.user_fact + s * rd, rd);
    if (reg_rows) put(u, out.user_reg + s * d, d);
    if (rating_biases) put(u, out.grad_rating + s, 1);
    float*& p = to[shards_.Owner(batch.items[s])];
    if (fact_rows) put(p, out.item_pos + s * rd, rd);
    if (ranking) put(p, out.grad_pos + s, 1);
    if (reg_rows) put(p, out.item_reg + s * d, d);
    if (rating_biases) put(p, out.grad_rating + s, 1);
    if (ranking) {
      float*& j = to[shards_.Owner(batch.negatives[s])];
      put(j, out.item_neg + s * rd, rd);
      put(j, out.grad_pos + s, 1);
    }
  }
  comm_.AllToAll(buffers_.send, buffers_.send_counts, buffers_.send_offsets, buffers_.recv,
                 buffers_.recv_counts, buffers_.recv_offsets);
  // The owner's sums: rank after rank, each in sample order, so in the
  // batch's order, as one process adds them.
  float* g = grads_.data();
  const auto at_row = [&](int block, int64_t row) {
    const ParamBlock& b = local_.layout().block(block);
    return g + b.offset + shards_.Local(row) * b.cols;
  };
  const float* at = buffers_.recv.data();
  const auto add_row = [&](float* row, int64_t width) {
    AddTo(at, row, width);
    at += width;
  };
  for (int q = 0; q < size; ++q) {
    for (int64_t s = samples_of_[q].begin; s < samples_of_[q].end; ++s) {
      const UserId u = batch.users[s];
      if (shards_.Owner(u) == me) {
        if (fact_rows) add_row(at_row(roles.u_fact, u), rd);
        if (reg_rows) add_row(at_row(roles.u_reg, u), d);
        if (rating_biases) *at_row(roles.rating_user_bias, u) += *at++;
      }
      const ItemId i = batch.items[s];
      if (shards_.Owner(i) == me) {
        if (fact_rows) add_row(at_row(roles.q_fact, i), rd);
        if (ranking) *at_row(roles.item_bias, i) += *at++;
        if (reg_rows) add_row(at_row(roles.q_reg, i), d);
        if (rating_biases) *at_row(roles.rating_item_bias, i) += *at++;
      }
      const ItemId j = batch.negatives[s];
      if (ranking && shards_.Owner(j) == me) {
        add_row(at_row(roles.q_fact, j), rd);
        *at_row(roles.item_bias, j) += -*at++;  // one process adds -dJ/dpos
      }
    }
  }
  MTREC_CHECK(at == buffers_.recv.data() + buffers_.recv.size());
}

void ShardedCpuBackend::ListTouchedRows(const Batch& batch) {
  // The rows BatchRows lists, those held here: users, items with negatives,
  // and (for the tables only the rating head reads) positives.
  const MultiTaskNet::Roles& roles = local_.roles();
  const auto local_rows = [&](std::initializer_list<std::span<const int32_t>> ids) {
    std::vector<int32_t> rows;
    for (std::span<const int32_t> part : ids) {
      for (int32_t id : part) {
        if (shards_.Owner(id) == shards_.rank)
          rows.push_back(static_cast<int32_t>(shards_.Local(id)));
      }
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    return rows;
  };
  const std::vector<int32_t> users = local_rows({batch.users});
  const std::vector<int32_t> items = local_rows({batch.items, batch.negatives});
  const std::vector<int32_t> positives = local_rows({batch.items});
  touched_.tables.clear();
  const auto table = [&](int block, const std::vector<int32_t>& rows) {
    const ParamBlock& b = local_.layout().block(block);
    touched_.tables.push_back({b.offset, b.cols, rows, nullptr});
  };
  table(roles.u_fact, users);
  table(roles.q_fact, items);
  table(roles.item_bias, items);
  if (!local_.config().shared_embeddings) {
    table(roles.u_reg, users);
    table(roles.q_reg, positives);
  }
  if (roles.rating_user_bias >= 0) {
    table(roles.rating_user_bias, users);
    table(roles.rating_item_bias, positives);
  }
  touched_.dense_begin = roles.mlp_offset;
}

namespace {

// Passes the flat buffer `local` of `segments` (this rank's part of each) to
// `emit` on rank 0 in the whole buffer's order (a collective): the replicated
// segments from rank 0's copy, the sharded ones gathered by rows.
void StreamSegments(Communicator& comm, const RowShards& shards, const float* local,
                    const std::vector<Segment>& segments, const Backend::FloatsEmit* emit) {
  const bool root = shards.rank == 0;
  for (const Segment& s : segments) {
    if (!s.sharded) {
      if (root) (*emit)(std::span<const float>(local + s.local_offset, s.rows * s.cols));
      continue;
    }
    GatherSegment(comm, shards, local, s, [&](std::span<const float> rows) { (*emit)(rows); });
  }
}

}  // namespace

void ShardedCpuBackend::StreamState(const FloatsEmit* emit) const {
  const FloatsEmit drop = [](std::span<const float>) {};
  if (emit == nullptr) emit = &drop;
  StreamSegments(comm_, shards_, local_.params().data(), ParamSegments(), emit);
  if (optimizer_ == nullptr) return;
  for (const Optimizer::StateTensor& t : optimizer_->state()) {
    StreamSegments(comm_, shards_, t.values.data(), StateSegments(t.name), emit);
  }
}

void ShardedCpuBackend::StreamParams(std::span<const float> held, const FloatsEmit* emit) const {
  MTREC_CHECK(held.size() == local_.params().size());
  const FloatsEmit drop = [](std::span<const float>) {};
  StreamSegments(comm_, shards_, held.data(), ParamSegments(), emit != nullptr ? emit : &drop);
}

Status ShardedCpuBackend::ReadParams(const TensorRead& read, const std::string& name,
                                     std::span<float> held) const {
  MTREC_CHECK(held.size() == local_.params().size());
  for (const Segment& s : ParamSegments()) {
    if (s.sharded) {
      MTREC_RETURN_IF_ERROR(ReadOwnRows(read, name, shards_, s, held.data()));
    } else {
      MTREC_RETURN_IF_ERROR(
          read(name, s.full_offset, held.subspan(s.local_offset, s.rows * s.cols)));
    }
  }
  return Status::Ok();
}

Status ShardedCpuBackend::LoadState(const TensorRead& read, const OptimizerShape& shape,
                                    const std::string& source) {
  MTREC_RETURN_IF_ERROR(CheckOptimizerStateFits(optimizer_->name(), state_shape_, shape, source));
  // The weights: this rank's rows of every table, the whole MLP.
  const ParameterLayout& full = shape_.layout();
  const int64_t full_mlp = shape_.roles().mlp_offset;
  const int64_t local_mlp = local_.roles().mlp_offset;
  const std::vector<Segment> params = ParamSegments();
  for (size_t b = 0; b < full.blocks().size(); ++b) {
    const ParamBlock& f = full.block(static_cast<int>(b));
    if (f.offset < full_mlp) {
      Segment s = params[b];
      s.full_offset = 0;  // the block's own tensor
      MTREC_RETURN_IF_ERROR(ReadOwnRows(read, f.name, shards_, s, local_.params().data()));
    } else {
      MTREC_RETURN_IF_ERROR(read(
          f.name, 0,
          std::span<float>(local_.params()).subspan(local_mlp + (f.offset - full_mlp), f.size())));
    }
  }
  // The optimizer's state: its tables' rows here, the MLP's whole.
  std::vector<Optimizer::StateTensor> local = optimizer_->state();
  for (const Optimizer::StateTensor& t : local) {
    const std::string name = "optimizer." + t.name;
    for (const Segment& s : StateSegments(t.name)) {
      if (s.sharded) {
        MTREC_RETURN_IF_ERROR(ReadOwnRows(read, name, shards_, s, t.values.data()));
      } else {
        MTREC_RETURN_IF_ERROR(
            read(name, s.full_offset, t.values.subspan(s.local_offset, s.rows * s.cols)));
      }
    }
  }
  optimizer_->set_steps(shape.steps);
  return Status::Ok();
}

OptimizerShape ShardedCpuBackend::StateShape() const {
  return {optimizer_ ? optimizer_->name() : "", steps(), state_shape_};
}

BatchLosses ShardedCpuBackend::ComputeGradient(const Batch& batch, std::span<float> grads) {
  MTREC_CHECK(holds_whole_model());  // ComputeGradient needs the whole model (one rank)
  // Parameters unchanged: one process's computation on a copy of them.
  if (gradient_ == nullptr) {
    gradient_ = std::make_unique<CpuBackend>(local_.config(), BackendOptions{pool_->num_threads()});
    gradient_->StartTraining(train_);
  }
  gradient_->WriteParams([&](MultiTaskNet& net) {
    std::copy(local_.params().begin(), local_.params().end(), net.params().begin());
  });
  return gradient_->ComputeGradient(batch, grads);
}

std::unique_ptr<BlockScorer> ShardedCpuBackend::MakeScorer() const {
  MTREC_CHECK(holds_whole_model());  // MakeScorer needs the whole item table (one rank)
  return std::make_unique<FactorizationScorer>(local_);
}

void ShardedCpuBackend::ScoreAllItems(UserId user, std::span<float> out) const {
  MTREC_CHECK(holds_whole_model());  // ScoreAllItems needs the whole item table (one rank)
  local_.ScoreAllItems(user, out);
}

OptimizerState ShardedCpuBackend::SaveOptimizerState() const {
  return OptimizerState{optimizer_ ? optimizer_->name() : "", steps(), {}};
}

Status ShardedCpuBackend::LoadOptimizerState(const OptimizerState& state,
                                             const std::string& source) {
  MTREC_RETURN_IF_ERROR(
      CheckOptimizerStateFits(optimizer_->name(), state_shape_, OptimizerShape::Of(state), source));
  std::vector<Optimizer::StateTensor> local = optimizer_->state();
  for (size_t k = 0; k < local.size(); ++k) {
    SliceRows(shards_, state.tensors[k].second.data(), local[k].values.data(),
              StateSegments(local[k].name));
  }
  optimizer_->set_steps(state.steps);
  return Status::Ok();
}

}  // namespace mtrec

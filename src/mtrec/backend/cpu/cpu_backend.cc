#include "mtrec/backend/cpu/cpu_backend.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "mtrec/backend/cpu/factorization_scorer.h"
#include "mtrec/core/check.h"

namespace mtrec {

CpuBackend::CpuBackend(const ModelConfig& config, const BackendOptions& options)
    : net_(config),
      pool_(
          std::make_unique<ThreadPool>(options.threads > 0 ? options.threads : HardwareThreads())),
      comm_(options.comm != nullptr ? *options.comm : SingleProcess()) {}

void CpuBackend::StartTraining(const TrainConfig& config) {
  const int64_t n = static_cast<int64_t>(net_.params().size());
  // The row-indexed tables: every block before the MLP.
  std::vector<RowBlock> tables;
  for (const ParamBlock& b : net_.layout().blocks()) {
    if (b.offset < net_.roles().mlp_offset) tables.push_back({b.offset, b.rows, b.cols});
  }
  optimizer_ = MakeOptimizer(config.optimizer, n, std::move(tables));
  rowwise_ = dynamic_cast<RowwiseAdagrad*>(optimizer_.get());
  const LossWeights weights{config.factorization_weight, config.regression_weight, config.bpr_loss,
                            config.rating_l2};
  backprop_ = std::make_unique<BatchBackprop>(net_, weights, config.batch_size,
                                              pool_->num_threads(), comm_);
  grads_.assign(n, 0.0f);
}

BatchLosses CpuBackend::TrainStep(const Batch& batch, const GradientInspector* inspect) {
  if (rowwise_ != nullptr && inspect == nullptr) return FusedRowwiseStep(batch);
  // A sparse optimizer takes the embedding rows' gradients in compact buffers,
  // unless the inspector is to see them in the flat buffer.
  CompactRowGradients compact;
  const bool use_compact = optimizer_->sparse() && inspect == nullptr;
  if (optimizer_->sparse()) {
    batch_rows_.Collect(net_, batch, *pool_, touched_, use_compact ? &compact : nullptr);
  }
  const BatchLosses losses =
      backprop_->Run(net_, batch, grads_, *pool_, use_compact ? &compact : nullptr);
  if (!std::isfinite(losses.joint)) {  // diverged: no update, and no NaN left behind
    std::fill(grads_.begin(), grads_.end(), 0.0f);
    if (use_compact) batch_rows_.ClearGradients();
    return losses;
  }
  if (inspect != nullptr) (*inspect)(losses, grads_);
  optimizer_->Step(net_.params(), grads_, touched_, *pool_);
  return losses;
}

BatchLosses CpuBackend::FusedRowwiseStep(const Batch& batch) {
  const ParameterLayout& layout = net_.layout();
  const FusedRowUpdate update{
      [&](int block, std::span<const int32_t> rows, float* grads) {
        rowwise_->UpdateRows(net_.params(), layout.block(block).offset, rows, grads, true);
      },
      [&](int part, int parts) { rowwise_->UpdateDense(net_.params(), grads_, part, parts); }};
  rowwise_->PrepareStep();
  const BatchLosses losses = backprop_->Run(net_, batch, grads_, *pool_, nullptr, &update);
  if (!std::isfinite(losses.joint)) {  // nothing was updated (Run); drop the MLP's gradient
    std::fill(grads_.begin(), grads_.end(), 0.0f);
    return losses;
  }
  rowwise_->CountStep();
  return losses;
}

BatchLosses CpuBackend::ComputeGradient(const Batch& batch, std::span<float> grads) {
  return backprop_->Run(net_, batch, grads, *pool_);
}

OptimizerState CpuBackend::SaveOptimizerState() const {
  OptimizerState out;
  out.name = optimizer_->name();
  out.steps = optimizer_->steps();
  for (const Optimizer::StateTensor& s : optimizer_->state()) {
    out.tensors.emplace_back(s.name, std::vector<float>(s.values.begin(), s.values.end()));
  }
  return out;
}

OptimizerShape CpuBackend::StateShape() const {
  OptimizerShape shape{optimizer_->name(), optimizer_->steps(), {}};
  for (const Optimizer::StateTensor& s : optimizer_->state())
    shape.tensors.emplace_back(s.name, std::ssize(s.values));
  return shape;
}

void CpuBackend::StreamState(const FloatsEmit* emit) const {
  (*emit)(net_.params());
  for (const Optimizer::StateTensor& s : optimizer_->state()) (*emit)(s.values);
}

OptimizerShape OptimizerShape::Of(const OptimizerState& state) {
  OptimizerShape shape{state.name, state.steps, {}};
  for (const auto& [name, values] : state.tensors)
    shape.tensors.emplace_back(name, std::ssize(values));
  return shape;
}

Status CheckOptimizerStateFits(const std::string& name,
                               std::span<const std::pair<std::string, int64_t>> expected,
                               const OptimizerShape& state, const std::string& source) {
  if (name != state.name) {
    return Status::InvalidArgument(source + ": the checkpoint was trained with the '" + state.name +
                                   "' optimizer, this run uses '" + name + "'");
  }
  if (expected.size() != state.tensors.size()) {
    return Status::Corruption(source + ": the optimizer state does not match '" + name + "'");
  }
  for (size_t k = 0; k < expected.size(); ++k) {
    const auto& [tensor, size] = state.tensors[k];
    if (expected[k].first != tensor || expected[k].second != size) {
      return Status::Corruption(source + ": optimizer state '" + tensor + "' does not match");
    }
  }
  return Status::Ok();
}

Status CpuBackend::LoadOptimizerState(const OptimizerState& state, const std::string& source) {
  std::vector<Optimizer::StateTensor> tensors = optimizer_->state();
  std::vector<std::pair<std::string, int64_t>> expected;
  for (const Optimizer::StateTensor& t : tensors)
    expected.emplace_back(t.name, std::ssize(t.values));
  MTREC_RETURN_IF_ERROR(
      CheckOptimizerStateFits(optimizer_->name(), expected, OptimizerShape::Of(state), source));
  for (size_t k = 0; k < tensors.size(); ++k) {
    std::copy(state.tensors[k].second.begin(), state.tensors[k].second.end(),
              tensors[k].values.begin());
  }
  optimizer_->set_steps(state.steps);
  return Status::Ok();
}

std::unique_ptr<BlockScorer> CpuBackend::MakeScorer() const {
  return std::make_unique<FactorizationScorer>(net_);
}

MrrResult CpuBackend::MeanReciprocalRank(const UserItemSets& test,
                                         const UserItemSets& train) const {
  return ::mtrec::MeanReciprocalRank(FactorizationScorer(net_), test, train, *pool_);
}

void CpuBackend::ScoreCandidates(std::span<const UserId> users, std::span<const ItemId> items,
                                 int per_user, std::span<float> out) const {
  MTREC_CHECK(items.size() == out.size() && items.size() == users.size() * per_user);
  pool_->ParallelFor(static_cast<int64_t>(users.size()), [&](int64_t lo, int64_t hi, int) {
    for (int64_t s = lo; s < hi; ++s) {
      for (int64_t c = s * per_user; c < (s + 1) * per_user; ++c)
        out[c] = net_.Score(users[s], items[c]);
    }
  });
}

void CpuBackend::ScoreAllItems(UserId user, std::span<float> out) const {
  net_.ScoreAllItems(user, out);
}

void CpuBackend::PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                                std::span<float> out) const {
  net_.PredictRatings(users, items, out, *pool_);
}

}  // namespace mtrec

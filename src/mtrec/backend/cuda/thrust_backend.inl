// ThrustBackend: the CUDA backend, written once against Thrust and DeviceGemm
// and compiled twice: by nvcc for the GPU ("cuda", cuda_device_backend.cu) and
// by the host compiler with THRUST_DEVICE_SYSTEM_CPP ("cuda-host",
// cuda_host_backend.cc), which runs the same kernels sequentially on the CPU so
// that CI tests this code without a GPU. Include it after defining
// MTREC_CUDA_NS; only the includer and DeviceGemm differ between the builds.
//
// What lives where: parameters, gradients and optimizer state on the device;
// the host keeps a copy of the net (net()), refreshed on demand after steps.
// Per batch, the host's rows are copied in; the training step is the MLP as
// GEMMs plus element-wise functors (device_kernels.h) and the deterministic
// row scatter (device_scatter.h); the optimizers update the whole buffer
// (adam) or the batch's rows plus the MLP (lazy_adam, adagrad, sgd); rowwise_adagrad
// updates each row straight from its segment sum (RowwiseAdagradRows: the
// tables' gradients are never written) and the MLP by Adam. Scoring
// and MRR run on the device; MRR copies back one value per test pair.
//
// Determinism: no atomics; every reduction has a fixed order (sorted segments,
// sample-order sums, GEMMs of fixed shape), and scoring and prediction compute
// each value by the same code whatever the call (PredictRatings in chunks of a
// fixed kPredictRows rows), so results do not depend on threads or call shape.
#pragma once

#ifndef MTREC_CUDA_NS
#error "define MTREC_CUDA_NS (the namespace of this build of the CUDA backend) first"
#endif

#include <thrust/copy.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/fill.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/backend/cuda/device_gemm.h"
#include "mtrec/backend/cuda/device_kernels.h"
#include "mtrec/backend/cuda/device_scatter.h"
#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/optim/optimizer.h"

namespace mtrec::MTREC_CUDA_NS {

template <typename T>
using DeviceVector = thrust::device_vector<T>;

template <typename T>
T* Raw(DeviceVector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}
template <typename T>
const T* Raw(const DeviceVector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}

// Runs f(0), ..., f(n - 1) on the device.
template <typename F>
void ForEach(int64_t n, const F& f) {
  if (n <= 0) return;
  thrust::counting_iterator<int64_t> first(0);
  thrust::for_each(thrust::device, first, first + n, f);
}

template <typename T>
void ToDevice(const T* host, size_t n, DeviceVector<T>& dev) {
  thrust::copy(host, host + n, dev.begin());
}

constexpr int Pad8(int n) { return (n + 7) & ~7; }

struct ToDouble {
  MTREC_HD double operator()(float v) const { return static_cast<double>(v); }
};

// The MLP's shapes on the device: activations [n x pout[l]] with rows padded
// to 8 floats (the last layer's single output too), the packed weights' places.
struct MlpPlan {
  std::vector<int> in, out, pin, pout;
  std::vector<int64_t> w, b;    // offsets of W_l and b_l in the flat parameter buffer
  std::vector<int64_t> wt, wp;  // offsets of W_l^T [pin x pout] and W_l [out x pin] in the pack
  int64_t packed_size = 0;
  int layers() const { return static_cast<int>(in.size()); }

  explicit MlpPlan(const MultiTaskNet& net) {
    const MlpShape& s = net.mlp();
    for (int l = 0; l < s.num_layers(); ++l) {
      in.push_back(s.in(l));
      out.push_back(s.out(l));
      pin.push_back(Pad8(s.in(l)));
      pout.push_back(Pad8(s.out(l)));
      w.push_back(net.roles().mlp_offset + s.weight_offset(l));
      b.push_back(net.roles().mlp_offset + s.bias_offset(l));
      wt.push_back(packed_size);
      packed_size += int64_t{pin[l]} * pout[l];
      wp.push_back(packed_size);
      packed_size += int64_t{out[l]} * pin[l];
    }
  }
};

// Buffers of one MLP pass over up to `rows` samples.
struct MlpBuffers {
  DeviceVector<int32_t> users, items;
  DeviceVector<float> x;                  // [rows x pin[0]]
  std::vector<DeviceVector<float>> acts;  // acts[l]: [rows x pout[l]]
  void Reserve(const MlpPlan& plan, int64_t rows) {
    users.resize(rows);
    items.resize(rows);
    x.resize(rows * plan.pin[0]);
    acts.resize(plan.layers());
    for (int l = 0; l < plan.layers(); ++l) acts[l].resize(rows * plan.pout[l]);
  }
};

class ThrustBackend final : public Backend {
 public:
  // Prediction runs in chunks of this many rows, so that every pair's value is
  // computed by a GEMM of the same shape wherever it appears.
  static constexpr int64_t kPredictRows = 1024;
  // MRR scores blocks of users against all items, up to this many floats at once.
  static constexpr int64_t kMrrScoreFloats = int64_t{1} << 24;

  ThrustBackend(std::string name, const ModelConfig& config, const BackendOptions& options,
                std::unique_ptr<DeviceGemm> gemm)
      : name_(std::move(name)),
        host_(config),
        pool_(std::make_unique<ThreadPool>(options.threads > 0 ? options.threads
                                                               : HardwareThreads())),
        gemm_(std::move(gemm)),
        plan_(host_) {
    const MultiTaskNet::Roles& r = host_.roles();
    const ParameterLayout& layout = host_.layout();
    tables_.u_fact = layout.block(r.u_fact).offset;
    tables_.q_fact = layout.block(r.q_fact).offset;
    tables_.u_reg = layout.block(r.u_reg).offset;
    tables_.q_reg = layout.block(r.q_reg).offset;
    tables_.item_bias = layout.block(r.item_bias).offset;
    tables_.user_bias = r.user_bias >= 0 ? layout.block(r.user_bias).offset : -1;
    if (r.rating_user_bias >= 0) {
      tables_.rating_user_bias = layout.block(r.rating_user_bias).offset;
      tables_.rating_item_bias = layout.block(r.rating_item_bias).offset;
    }
    tables_.d = host_.embedding_dim();
    params_.assign(host_.params().size(), 0.0f);
  }

  std::string name() const override { return name_; }

  const MultiTaskNet& net() const override {
    std::lock_guard<std::mutex> lock(host_mu_);
    if (host_stale_) {
      thrust::copy(params_.begin(), params_.end(), host_.params().data());
      host_stale_ = false;
    }
    return host_;
  }

  void WriteParams(const std::function<void(MultiTaskNet&)>& write) override {
    net();  // the host copy up to date
    write(host_);
    ToDevice(host_.params().data(), host_.params().size(), params_);
  }

  ThreadPool& host_pool() const override { return *pool_; }

  void StartTraining(const TrainConfig& config) override {
    const int64_t n = static_cast<int64_t>(params_.size());
    const int64_t batch = config.batch_size;
    const int d = tables_.d;
    optimizer_ = config.optimizer;
    weights_ = {config.factorization_weight, config.regression_weight, config.bpr_loss,
                config.rating_l2};
    training_ = true;
    steps_ = 0;
    grads_.assign(n, 0.0f);
    const bool adam =
        optimizer_.kind == OptimizerKind::kAdam || optimizer_.kind == OptimizerKind::kLazyAdam;
    state0_.assign(optimizer_.kind == OptimizerKind::kSgd ? 0 : n, 0.0f);
    state1_.assign(adam ? n : 0, 0.0f);
    state2_.clear();
    if (rowwise()) {  // row_sum (one per row of the tables before the MLP), then m and v
      const int64_t dense = host_.roles().mlp_offset;
      row_sum_first_.clear();
      int64_t rows = 0;
      for (const ParamBlock& b : host_.layout().blocks()) {
        if (b.offset >= dense) continue;
        row_sum_first_.emplace_back(b.offset, rows);
        rows += b.rows;
      }
      state0_.assign(rows, 0.0f);
      state1_.assign(n - dense, 0.0f);
      state2_.assign(n - dense, 0.0f);
    }
    capacity_ = batch;
    mlp_.Reserve(plan_, batch);
    negatives_.resize(batch);
    ratings_.resize(batch);
    for (DeviceVector<float>* v : {&bpr_values_, &squared_errors_, &grad_pos_, &grad_rating_}) {
      v->resize(batch);
    }
    dy_.resize(batch * plan_.pout.back());
    backward_.resize(plan_.layers());
    for (int l = 0; l < plan_.layers(); ++l) backward_[l].resize(batch * plan_.pout[l]);
    grad_input_.resize(batch * plan_.pin[0]);
    int64_t dw = 0;
    for (int l = 0; l < plan_.layers(); ++l)
      dw = std::max(dw, int64_t{plan_.out[l]} * plan_.pin[l]);
    dw_.resize(dw);
    packed_.resize(plan_.packed_size);
    for (DeviceVector<float>* v : {&g_user_, &g_pos_, &g_neg_, &g_user_reg_, &g_item_reg_}) {
      v->resize(batch * d);
    }
    users_rows_.Reserve(batch);
    items_rows_.Reserve(2 * batch);
    reg_items_rows_.Reserve(batch);
  }

  BatchLosses TrainStep(const Batch& batch, const GradientInspector* inspect) override {
    // Row-wise Adagrad reads the tables' gradients from the segments; they go
    // to grads_ only for an inspector, and are then dropped from it.
    const BatchLosses losses = Backprop(batch, !rowwise() || inspect != nullptr);
    if (!std::isfinite(losses.joint)) {  // diverged: no update, and no NaN left behind
      thrust::fill(grads_.begin(), grads_.end(), 0.0f);
      return losses;
    }
    if (inspect != nullptr) {
      std::vector<float> g(grads_.size());
      thrust::copy(grads_.begin(), grads_.end(), g.begin());
      (*inspect)(losses, g);
      if (rowwise()) {
        thrust::fill(grads_.begin(), grads_.begin() + host_.roles().mlp_offset, 0.0f);
      }
    }
    OptimizerStep();
    MarkParamsChanged();
    return losses;
  }

  BatchLosses ComputeGradient(const Batch& batch, std::span<float> grads) override {
    const BatchLosses losses = Backprop(batch);
    std::vector<float> g(grads_.size());
    thrust::copy(grads_.begin(), grads_.end(), g.begin());
    for (size_t k = 0; k < g.size(); ++k) grads[k] += g[k];
    thrust::fill(grads_.begin(), grads_.end(), 0.0f);
    return losses;
  }

  int64_t steps() const override { return steps_; }

  OptimizerState SaveOptimizerState() const override {
    OptimizerState out;
    out.name = OptimizerName(optimizer_.kind);
    out.steps = steps_;
    const std::vector<std::string> names = StateNames();
    for (size_t k = 0; k < names.size(); ++k) {
      const DeviceVector<float>& v = *States()[k];
      std::vector<float> host(v.size());
      thrust::copy(v.begin(), v.end(), host.begin());
      out.tensors.emplace_back(names[k], std::move(host));
    }
    return out;
  }

  Status LoadOptimizerState(const OptimizerState& state, const std::string& source) override {
    const std::string mine = OptimizerName(optimizer_.kind);
    if (mine != state.name) {
      return Status::InvalidArgument(source + ": the checkpoint was trained with the '" +
                                     state.name + "' optimizer, this run uses '" + mine + "'");
    }
    const std::vector<std::string> names = StateNames();
    if (names.size() != state.tensors.size()) {
      return Status::Corruption(source + ": the optimizer state does not match '" + mine + "'");
    }
    for (size_t k = 0; k < names.size(); ++k) {
      const auto& [name, values] = state.tensors[k];
      if (names[k] != name || values.size() != States()[k]->size()) {
        return Status::Corruption(source + ": optimizer state '" + name + "' does not match");
      }
    }
    for (size_t k = 0; k < names.size(); ++k) {
      const std::vector<float>& values = state.tensors[k].second;
      ToDevice(values.data(), values.size(), *States()[k]);
    }
    steps_ = state.steps;
    return Status::Ok();
  }

  std::unique_ptr<BlockScorer> MakeScorer() const override;

  MrrResult MeanReciprocalRank(const UserItemSets& test, const UserItemSets& train) const override {
    const int64_t num_items = host_.config().num_items;
    std::vector<UserId> users;
    for (UserId u = 0; u < test.num_users(); ++u) {
      if (!test.Of(u).empty()) users.push_back(u);
    }
    const auto block = static_cast<size_t>(
        std::max<int64_t>(1, kMrrScoreFloats / std::max<int64_t>(num_items, 1)));
    MrrResult result;
    DeviceVector<int32_t> dev_users, rows, items;
    DeviceVector<float> pred;
    DeviceVector<double> rr;
    std::vector<int32_t> host_rows, host_items;
    std::vector<double> host_rr;
    for (size_t first = 0; first < users.size(); first += block) {
      const size_t m = std::min(block, users.size() - first);
      dev_users.resize(m);
      ToDevice(users.data() + first, m, dev_users);
      pred.resize(m * num_items);
      ForEach(
          static_cast<int64_t>(m) * num_items,
          ScoreBlockKernel{Raw(params_), tables_, Raw(dev_users), 0, num_items, true, Raw(pred)});
      // Train items rank last; then every test pair's rank in its row.
      for (int pass = 0; pass < 2; ++pass) {
        host_rows.clear();
        host_items.clear();
        for (size_t r = 0; r < m; ++r) {
          for (ItemId i : (pass == 0 ? train : test).Of(users[first + r])) {
            host_rows.push_back(static_cast<int32_t>(r));
            host_items.push_back(i);
          }
        }
        rows.resize(host_rows.size());
        items.resize(host_items.size());
        ToDevice(host_rows.data(), host_rows.size(), rows);
        ToDevice(host_items.data(), host_items.size(), items);
        const auto pairs = static_cast<int64_t>(host_rows.size());
        if (pass == 0) {
          ForEach(pairs, MaskTrainItems{Raw(rows), Raw(items), num_items, Raw(pred)});
        } else {
          rr.resize(host_rows.size());
          ForEach(pairs, ReciprocalRank{Raw(pred), Raw(rows), Raw(items), num_items, Raw(rr)});
          host_rr.resize(rr.size());
          thrust::copy(rr.begin(), rr.end(), host_rr.begin());
        }
      }
      size_t k = 0;
      for (size_t r = 0; r < m; ++r) {
        const size_t count = test.Of(users[first + r]).size();
        double sum = 0;
        for (size_t t = 0; t < count; ++t) sum += host_rr[k++];
        result.per_user.push_back(sum / static_cast<double>(count));
      }
    }
    result.users = static_cast<int64_t>(result.per_user.size());
    double sum = 0;
    for (double v : result.per_user) sum += v;
    result.mrr = result.users > 0 ? sum / static_cast<double>(result.users) : 0.0;
    return result;
  }

  void ScoreAllItems(UserId user, std::span<float> out) const override {
    ScoreRange(std::span<const UserId>(&user, 1), 0, static_cast<int64_t>(out.size()), out.data(),
               static_cast<int64_t>(out.size()));
  }

  void PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                      std::span<float> out) const override {
    const MultiTaskNet& host = net();  // the rating biases, added on the host
    DeviceVector<float> packed(plan_.packed_size);
    Pack(Raw(packed));
    MlpBuffers buffers;
    buffers.Reserve(plan_, kPredictRows);
    std::vector<int32_t> chunk_users(kPredictRows), chunk_items(kPredictRows);
    const int last = plan_.layers() - 1;
    std::vector<float> y(kPredictRows * plan_.pout[last]);
    for (size_t first = 0; first < users.size(); first += kPredictRows) {
      const size_t n = std::min<size_t>(kPredictRows, users.size() - first);
      std::fill(chunk_users.begin(), chunk_users.end(), 0);
      std::fill(chunk_items.begin(), chunk_items.end(), 0);
      std::copy_n(users.begin() + first, n, chunk_users.begin());
      std::copy_n(items.begin() + first, n, chunk_items.begin());
      ToDevice(chunk_users.data(), chunk_users.size(), buffers.users);
      ToDevice(chunk_items.data(), chunk_items.size(), buffers.items);
      Forward(Raw(packed), kPredictRows, buffers);
      thrust::copy(buffers.acts[last].begin(), buffers.acts[last].end(), y.begin());
      for (size_t s = 0; s < n; ++s) {
        out[first + s] =
            y[s * plan_.pout[last]] + host.RatingBias(users[first + s], items[first + s]);
      }
    }
  }

  void ScoreCandidates(std::span<const UserId> users, std::span<const ItemId> items, int per_user,
                       std::span<float> out) const override {
    MTREC_CHECK(items.size() == out.size() && items.size() == users.size() * per_user);
    DeviceVector<int32_t> dev_users(users.begin(), users.end());
    DeviceVector<int32_t> dev_items(items.begin(), items.end());
    DeviceVector<float> scores(items.size());
    ForEach(static_cast<int64_t>(items.size()),
            CandidateScores{Raw(params_), tables_, Raw(dev_users), Raw(dev_items), per_user,
                            Raw(scores)});
    thrust::copy(scores.begin(), scores.end(), out.begin());
  }

  // out[r * ld + c] = p(users[r], item_begin + c) for c < width.
  void ScoreRange(std::span<const UserId> users, int64_t item_begin, int64_t width, float* out,
                  int64_t ld) const {
    DeviceVector<int32_t> dev_users(users.begin(), users.end());
    DeviceVector<float> scores(users.size() * width);
    ForEach(static_cast<int64_t>(users.size()) * width,
            ScoreBlockKernel{Raw(params_), tables_, Raw(dev_users), item_begin, width, false,
                             Raw(scores)});
    std::vector<float> host(scores.size());
    thrust::copy(scores.begin(), scores.end(), host.begin());
    for (size_t r = 0; r < users.size(); ++r) {
      std::copy_n(host.begin() + static_cast<int64_t>(r) * width, width, out + r * ld);
    }
  }

 private:
  void MarkParamsChanged() {
    std::lock_guard<std::mutex> lock(host_mu_);
    host_stale_ = true;
  }

  std::vector<std::string> StateNames() const {
    switch (optimizer_.kind) {
      case OptimizerKind::kAdam:
      case OptimizerKind::kLazyAdam:
        return {"m", "v"};
      case OptimizerKind::kAdagrad:
        return {"sum"};
      case OptimizerKind::kSgd:
        return {};
      case OptimizerKind::kRowwiseAdagrad:
        return {"row_sum", "m", "v"};
    }
    return {};
  }
  // The state vectors StateNames() names, in its order.
  std::vector<DeviceVector<float>*> States() const {
    auto* self = const_cast<ThrustBackend*>(this);
    const std::vector<DeviceVector<float>*> all{&self->state0_, &self->state1_, &self->state2_};
    return {all.begin(), all.begin() + static_cast<int64_t>(StateNames().size())};
  }
  bool rowwise() const { return optimizer_.kind == OptimizerKind::kRowwiseAdagrad; }

  // Where one table's row gradients come from: its rows' segments and the
  // per-sample arrays they sum (see RowSegments::AddTo).
  struct TableGradient {
    const RowSegments* rows;
    const float* a;
    const float* b;
    float b_sign;
    int cols;
    int64_t offset;  // the table's row 0 in the flat buffer
  };
  // Every table a training step gives a gradient (the user bias A gets none).
  std::vector<TableGradient> TableGradients() const {
    const int d = tables_.d;
    std::vector<TableGradient> out{
        {&users_rows_, Raw(g_user_), nullptr, 0, d, tables_.u_fact},
        {&items_rows_, Raw(g_pos_), Raw(g_neg_), 1.0f, d, tables_.q_fact},
        {&items_rows_, Raw(grad_pos_), Raw(grad_pos_), -1.0f, 1, tables_.item_bias}};
    if (!host_.config().shared_embeddings) {
      out.push_back({&users_rows_, Raw(g_user_reg_), nullptr, 0, d, tables_.u_reg});
      out.push_back({&reg_items_rows_, Raw(g_item_reg_), nullptr, 0, d, tables_.q_reg});
    }
    if (tables_.rating_user_bias >= 0) {
      out.push_back({&users_rows_, Raw(grad_rating_), nullptr, 0, 1, tables_.rating_user_bias});
      out.push_back({&reg_items_rows_, Raw(grad_rating_), nullptr, 0, 1, tables_.rating_item_bias});
    }
    return out;
  }

  // The GEMMs' weight copies from the current parameters into `packed`.
  void Pack(float* packed) const {
    for (int l = 0; l < plan_.layers(); ++l) {
      const float* w = Raw(params_) + plan_.w[l];
      ForEach(int64_t{plan_.pin[l]} * plan_.pout[l],
              PackTransposed{w, plan_.in[l], plan_.out[l], plan_.pout[l], packed + plan_.wt[l]});
      ForEach(int64_t{plan_.out[l]} * plan_.pin[l],
              PackPadded{w, plan_.in[l], plan_.pin[l], packed + plan_.wp[l]});
    }
  }

  // The regression head over n samples (buffers.users/items set): acts[last]
  // column 0 holds the predictions.
  void Forward(const float* packed, int64_t n, MlpBuffers& b) const {
    const int stride = plan_.pin[0];
    ForEach(n * stride, RegressionInputKernel{Raw(params_), tables_, Raw(b.users), Raw(b.items),
                                              stride, Raw(b.x)});
    for (int l = 0; l < plan_.layers(); ++l) {
      const float* in = l == 0 ? Raw(b.x) : Raw(b.acts[l - 1]);
      gemm_->Gemm(static_cast<int>(n), plan_.pout[l], plan_.in[l], in, plan_.pin[l], 1,
                  packed + plan_.wt[l], plan_.pout[l], Raw(b.acts[l]), plan_.pout[l], false);
      ForEach(n * plan_.pout[l],
              AddBiasActivate{Raw(params_) + plan_.b[l], plan_.out[l], plan_.pout[l],
                              l + 1 < plan_.layers(), Raw(b.acts[l])});
    }
  }

  // The MLP's parameter gradient added into grads_ and dJ/dx into grad_input_,
  // from dy_ (dJ/dy, [n x pout[last]], column 0).
  void Backward(int64_t n) {
    const int last = plan_.layers() - 1;
    thrust::copy(dy_.begin(), dy_.begin() + n * plan_.pout[last], backward_[last].begin());
    for (int l = last; l >= 0; --l) {
      const float* g = Raw(backward_[l]);
      const float* in = l == 0 ? Raw(mlp_.x) : Raw(mlp_.acts[l - 1]);
      const int pin = plan_.pin[l], pout = plan_.pout[l], out = plan_.out[l];
      // dW_l = g_l^T in_l;  db_l = sum_s g_l;  d in_l = g_l W_l
      gemm_->Gemm(out, pin, static_cast<int>(n), g, 1, pout, in, pin, Raw(dw_), pin, false);
      ForEach(int64_t{out} * plan_.in[l],
              AddWeightGrad{Raw(dw_), plan_.in[l], pin, Raw(grads_) + plan_.w[l]});
      ForEach(out, AddBiasGrad{g, n, pout, Raw(grads_) + plan_.b[l]});
      float* din = l == 0 ? Raw(grad_input_) : Raw(backward_[l - 1]);
      gemm_->Gemm(static_cast<int>(n), pin, out, g, pout, 1, Raw(packed_) + plan_.wp[l], pin, din,
                  pin, false);
      if (l > 0) ForEach(n * pin, ReluBackward{Raw(mlp_.acts[l - 1]), din});
    }
  }

  // The batch's losses, and the gradient of the joint loss added into grads_
  // (the tables' rows only when `rows_to_grads`; their segments are built anyway).
  BatchLosses Backprop(const Batch& batch, bool rows_to_grads = true) {
    const auto n = static_cast<int64_t>(batch.size());
    MTREC_CHECK(training_ && n > 0 && n <= capacity_);
    const int d = tables_.d;
    ToDevice(batch.users.data(), batch.size(), mlp_.users);
    ToDevice(batch.items.data(), batch.size(), mlp_.items);
    ToDevice(batch.negatives.data(), batch.size(), negatives_);
    ToDevice(batch.ratings.data(), batch.size(), ratings_);
    Pack(Raw(packed_));
    Forward(Raw(packed_), n, mlp_);

    const int last = plan_.layers() - 1;
    const float inv_n = 1.0f / static_cast<float>(n);
    ForEach(n, SampleLosses{Raw(params_), tables_, Raw(mlp_.users), Raw(mlp_.items),
                            Raw(negatives_), Raw(ratings_), Raw(mlp_.acts[last]), plan_.pout[last],
                            static_cast<float>(weights_.factorization) * inv_n,
                            static_cast<float>(weights_.regression) * inv_n,
                            weights_.bpr == BprLoss::kLog, Raw(bpr_values_), Raw(squared_errors_),
                            Raw(dy_), Raw(grad_pos_), Raw(grad_rating_)});
    Backward(n);

    const bool shared = host_.config().shared_embeddings;
    ForEach(n * d, RowGradients{
                       Raw(params_), tables_, Raw(mlp_.users), Raw(mlp_.items), Raw(negatives_),
                       Raw(grad_pos_), Raw(mlp_.x), Raw(grad_input_), plan_.pin[0], shared,
                       2.0f * static_cast<float>(weights_.rating_l2) *
                           (static_cast<float>(weights_.regression) * inv_n),
                       Raw(g_user_), Raw(g_pos_), Raw(g_neg_), Raw(g_user_reg_), Raw(g_item_reg_)});
    users_rows_.Build(Raw(mlp_.users), nullptr, n);
    items_rows_.Build(Raw(mlp_.items), Raw(negatives_), n);
    if (!shared || tables_.rating_user_bias >= 0) {
      reg_items_rows_.Build(Raw(mlp_.items), nullptr, n);
    }
    if (rows_to_grads) {
      for (const TableGradient& t : TableGradients())
        t.rows->AddTo(t.a, t.b, t.b_sign, t.cols, Raw(grads_) + t.offset);
    }
    // A user bias A[u] receives dpos + dneg = 0 exactly: nothing to add.

    const double bpr_sum =
        thrust::transform_reduce(thrust::device, bpr_values_.begin(), bpr_values_.begin() + n,
                                 ToDouble{}, 0.0, thrust::plus<double>());
    const double se_sum = thrust::transform_reduce(thrust::device, squared_errors_.begin(),
                                                   squared_errors_.begin() + n, ToDouble{}, 0.0,
                                                   thrust::plus<double>());
    BatchLosses losses;
    losses.factorization = static_cast<float>(bpr_sum / static_cast<double>(n));
    losses.regression = static_cast<float>(se_sum / static_cast<double>(n));
    losses.joint = static_cast<float>(weights_.factorization * losses.factorization +
                                      weights_.regression * losses.regression);
    return losses;
  }

  // Applies `update` to every parameter (dense) or to the batch's rows of each
  // table plus the MLP (sparse), as ForEachUpdateRange does on the CPU.
  template <typename Update>
  void Apply(const Update& update, bool sparse) {
    const auto total = static_cast<int64_t>(params_.size());
    if (!sparse) {
      ForEach(total, update);
      return;
    }
    for (const TableGradient& t : TableGradients()) {
      ForEach(t.rows->num_rows() * t.cols,
              OnTableRows<Update>{update, t.rows->rows(), t.offset, t.cols});
    }
    const int64_t dense = host_.roles().mlp_offset;
    ForEach(total - dense, Shifted<Update>{update, dense});
  }

  // Adam's update at this step with learning rate lr, on p, g, m, v. Scalars as
  // torch computes them: in double, then applied to floats.
  AdamUpdate Adam(double lr, float* p, float* g, float* m, float* v) const {
    const OptimizerConfig& c = optimizer_;
    const double t = static_cast<double>(steps_);
    const double bc1 = 1.0 - std::pow(c.beta1, t);
    const double bc2 = 1.0 - std::pow(c.beta2, t);
    return {p,
            g,
            m,
            v,
            static_cast<float>(c.beta1),
            static_cast<float>(c.beta2),
            static_cast<float>(1.0 - c.beta1),
            static_cast<float>(1.0 - c.beta2),
            static_cast<float>(lr / bc1),
            static_cast<float>(std::sqrt(bc2)),
            static_cast<float>(c.eps),
            static_cast<float>(c.weight_decay)};
  }

  void OptimizerStep() {
    ++steps_;
    const OptimizerConfig& c = optimizer_;
    const auto lr = static_cast<float>(c.learning_rate);
    const auto wd = static_cast<float>(c.weight_decay);
    switch (c.kind) {
      case OptimizerKind::kAdam:
      case OptimizerKind::kLazyAdam:
        Apply(Adam(c.learning_rate, Raw(params_), Raw(grads_), Raw(state0_), Raw(state1_)),
              c.kind == OptimizerKind::kLazyAdam);
        break;
      case OptimizerKind::kRowwiseAdagrad: {
        for (const TableGradient& t : TableGradients()) {
          int64_t first = 0;
          for (const auto& [offset, row] : row_sum_first_) {
            if (offset == t.offset) first = row;
          }
          ForEach(t.rows->num_rows(),
                  RowwiseAdagradRows<SegmentSum>{t.rows->Sum(t.a, t.b, t.b_sign, t.cols),
                                                 t.rows->rows(), Raw(params_) + t.offset,
                                                 Raw(state0_) + first, t.cols, lr,
                                                 static_cast<float>(c.eps), wd});
        }
        // The MLP: Adam at the original's rate (optim/rowwise_adagrad.h).
        const int64_t dense = host_.roles().mlp_offset;
        ForEach(static_cast<int64_t>(state1_.size()),
                Adam(DefaultLearningRate(OptimizerKind::kAdam), Raw(params_) + dense,
                     Raw(grads_) + dense, Raw(state1_), Raw(state2_)));
        break;
      }
      case OptimizerKind::kAdagrad:
        Apply(AdagradUpdate{Raw(params_), Raw(grads_), Raw(state0_), lr, wd}, true);
        break;
      case OptimizerKind::kSgd:
        Apply(SgdUpdate{Raw(params_), Raw(grads_), lr, wd}, true);
        break;
    }
  }

  const std::string name_;
  mutable MultiTaskNet host_;  // the host copy: shape, layout, parameters when not stale
  mutable bool host_stale_ = false;
  mutable std::mutex host_mu_;
  const std::unique_ptr<ThreadPool> pool_;
  const std::unique_ptr<DeviceGemm> gemm_;
  const MlpPlan plan_;
  TableOffsets tables_;
  DeviceVector<float> params_;

  // Training (after StartTraining).
  bool training_ = false;
  OptimizerConfig optimizer_;
  struct {
    double factorization = 0, regression = 0;
    BprLoss bpr = BprLoss::kSigmoid;
    double rating_l2 = 0;
  } weights_;
  int64_t steps_ = 0;
  int64_t capacity_ = 0;
  DeviceVector<float> grads_;            // zero between steps
  // m and v (Adam), sum (Adagrad), row_sum, m and v (row-wise Adagrad)
  DeviceVector<float> state0_, state1_, state2_;
  std::vector<std::pair<int64_t, int64_t>> row_sum_first_;  // table offset -> its row 0's sum
  MlpBuffers mlp_;                       // the batch's users, items, x and activations
  DeviceVector<int32_t> negatives_;
  DeviceVector<float> ratings_, bpr_values_, squared_errors_, grad_pos_, grad_rating_, dy_;
  std::vector<DeviceVector<float>> backward_;  // dJ/d(layer l's output)
  DeviceVector<float> grad_input_, dw_, packed_;
  DeviceVector<float> g_user_, g_pos_, g_neg_, g_user_reg_, g_item_reg_;  // [n x d] row gradients
  RowSegments users_rows_, items_rows_, reg_items_rows_;
};

// The factorisation head as a BlockScorer over the backend's current parameters.
class ThrustScorer final : public BlockScorer {
 public:
  explicit ThrustScorer(const ThrustBackend& backend)
      : backend_(backend), num_items_(backend.net().config().num_items) {}
  int32_t num_items() const override { return num_items_; }
  void ScoreBlock(std::span<const UserId> users, ItemId item_begin, ItemId item_end, float* out,
                  int64_t ld) const override {
    backend_.ScoreRange(users, item_begin, item_end - item_begin, out, ld);
  }
  float ScoreOne(UserId user, ItemId item) const override {
    float out = 0;
    backend_.ScoreRange(std::span<const UserId>(&user, 1), item, 1, &out, 1);
    return out;
  }

 private:
  const ThrustBackend& backend_;
  const int32_t num_items_;
};

inline std::unique_ptr<BlockScorer> ThrustBackend::MakeScorer() const {
  return std::make_unique<ThrustScorer>(*this);
}

}  // namespace mtrec::MTREC_CUDA_NS

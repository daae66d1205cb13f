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
// Scoring (MRR, ScoreBlock, candidates, predictions) takes a ScoreScratch from
// a pool, so a call allocates device memory only when it needs more than the
// calls before it; its copies go through pinned staging buffers on a stream.
//
// Errors: a failed device operation (out of memory included) is recorded as
// the backend's status() (sticky: the first one stays, and every later call
// returns at once with NaN results), naming the operation; no exception leaves
// the backend.
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
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/backend/cuda/device_gemm.h"
#include "mtrec/backend/cuda/device_kernels.h"
#include "mtrec/backend/cuda/device_memory.h"
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
  int implicit_dim = 0;  // rating_implicit: the width of a z row (else 0)
  int layers() const { return static_cast<int>(in.size()); }

  explicit MlpPlan(const MultiTaskNet& net) {
    const MlpShape& s = net.mlp();
    if (net.config().rating_implicit) implicit_dim = net.embedding_dim();
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
  DeviceVector<float> z;                  // [rows x implicit_dim]: rating_implicit's z_u
  std::vector<DeviceVector<float>> acts;  // acts[l]: [rows x pout[l]]
  void Reserve(const MlpPlan& plan, int64_t rows) {
    users.resize(rows);
    items.resize(rows);
    x.resize(rows * plan.pin[0]);
    z.resize(rows * plan.implicit_dim);
    acts.resize(plan.layers());
    for (int l = 0; l < plan.layers(); ++l) acts[l].resize(rows * plan.pout[l]);
  }
};

// The buffers of one scoring call, kept for the calls after it (grow-only).
struct ScoreScratch {
  CopyStream copies;
  DeviceScratch<int32_t> users, rows, items;
  DeviceScratch<float> scores, packed;
  DeviceScratch<double> rr;
  PinnedScratch<int32_t> host_users, host_rows, host_items;
  PinnedScratch<float> host_scores;
  PinnedScratch<double> host_rr;
  MlpBuffers mlp;  // PredictRatings' pass (kPredictRows rows)
};

// Scratch sets for concurrent scoring calls (const methods may run
// concurrently): a call takes one, or a new one when all are taken, and gives
// it back when done. Thread-safe.
class ScratchPool {
 public:
  // The caller's scratch until the lease is destroyed.
  class Lease {
   public:
    explicit Lease(ScratchPool& pool) : pool_(pool), scratch_(pool.Take()) {}
    ~Lease() { pool_.Give(std::move(scratch_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ScoreScratch& operator*() const { return *scratch_; }

   private:
    ScratchPool& pool_;
    std::unique_ptr<ScoreScratch> scratch_;
  };

 private:
  std::unique_ptr<ScoreScratch> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::make_unique<ScoreScratch>();
    std::unique_ptr<ScoreScratch> s = std::move(free_.back());
    free_.pop_back();
    return s;
  }
  void Give(std::unique_ptr<ScoreScratch> s) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(s));
  }
  std::mutex mu_;
  std::vector<std::unique_ptr<ScoreScratch>> free_;
};

class ThrustBackend final : public Backend {
 public:
  // Prediction runs in chunks of this many rows, so that every pair's value is
  // computed by a GEMM of the same shape wherever it appears.
  static constexpr int64_t kPredictRows = 1024;
  // MRR scores blocks of users against all items, up to this many floats at once.
  static constexpr int64_t kMrrScoreFloats = int64_t{1} << 24;

  // A backend `name` holding a model of shape `config`, its parameters zero;
  // an Unavailable naming the allocation when the device has no room for it.
  static Result<std::unique_ptr<Backend>> Make(std::string name, const ModelConfig& config,
                                               const BackendOptions& options,
                                               std::unique_ptr<DeviceGemm> gemm) {
    try {
      return std::unique_ptr<Backend>(
          std::make_unique<ThrustBackend>(std::move(name), config, options, std::move(gemm)));
    } catch (const std::exception& e) {  // thrust's bad_alloc or system_error
      return DeviceFailure("allocating the model's parameters", e.what());
    }
  }

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
    tables_.rating_dot = config.rating_dot;
    if (r.implicit_item >= 0) tables_.implicit_item = layout.block(r.implicit_item).offset;
    tables_.d = host_.embedding_dim();
    tables_.rd = host_.ranking_dim();
    params_.assign(host_.params().size(), 0.0f);
  }

  std::string name() const override { return name_; }

  Status status() const override {
    std::lock_guard<std::mutex> lock(error_mu_);
    return error_;
  }

  const MultiTaskNet& net() const override {
    std::lock_guard<std::mutex> lock(host_mu_);
    if (host_stale_) {
      const Status s = Guard("copying the parameters to the host", [&] {
        thrust::copy(params_.begin(), params_.end(), host_.params().data());
        return Status::Ok();
      });
      if (s.ok()) host_stale_ = false;
    }
    return host_;
  }

  void WriteParams(const std::function<void(MultiTaskNet&)>& write) override {
    net();  // the host copy up to date
    write(host_);
    (void)Guard("copying the parameters to the device", [&] {
      ToDevice(host_.params().data(), host_.params().size(), params_);
      UploadImplicitItems();
      return Status::Ok();
    });
  }

  ThreadPool& host_pool() const override { return *pool_; }

  void StartTraining(const TrainConfig& config) override {
    (void)Guard("allocating the training buffers", [&] { return AllocateTraining(config); });
  }

  BatchLosses TrainStep(const Batch& batch, const GradientInspector* inspect) override {
    BatchLosses losses;
    const Status s = Guard("the training step", [&]() -> Status {
      // Row-wise Adagrad reads the tables' gradients from the segments; they go
      // to grads_ only for an inspector, and are then dropped from it.
      MTREC_RETURN_IF_ERROR(Backprop(batch, &losses, !rowwise() || inspect != nullptr));
      if (!std::isfinite(losses.joint)) {  // diverged: no update, and no NaN left behind
        thrust::fill(grads_.begin(), grads_.end(), 0.0f);
        return Status::Ok();
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
      return Status::Ok();
    });
    return s.ok() ? losses : FailedLosses();
  }

  BatchLosses ComputeGradient(const Batch& batch, std::span<float> grads) override {
    BatchLosses losses;
    const Status s = Guard("computing a gradient", [&]() -> Status {
      MTREC_RETURN_IF_ERROR(Backprop(batch, &losses));
      std::vector<float> g(grads_.size());
      thrust::copy(grads_.begin(), grads_.end(), g.begin());
      for (size_t k = 0; k < g.size(); ++k) grads[k] += g[k];
      thrust::fill(grads_.begin(), grads_.end(), 0.0f);
      return Status::Ok();
    });
    return s.ok() ? losses : FailedLosses();
  }

  int64_t steps() const override { return steps_; }

  OptimizerState SaveOptimizerState() const override {
    OptimizerState out;
    out.name = OptimizerName(optimizer_.kind);
    out.steps = steps_;
    (void)Guard("copying the optimizer state to the host", [&] {
      const std::vector<std::string> names = StateNames();
      for (size_t k = 0; k < names.size(); ++k) {
        const DeviceVector<float>& v = *States()[k];
        std::vector<float> host(v.size());
        thrust::copy(v.begin(), v.end(), host.begin());
        out.tensors.emplace_back(names[k], std::move(host));
      }
      return Status::Ok();
    });
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
    MTREC_RETURN_IF_ERROR(Guard("copying the optimizer state to the device", [&] {
      for (size_t k = 0; k < names.size(); ++k) {
        const std::vector<float>& values = state.tensors[k].second;
        ToDevice(values.data(), values.size(), *States()[k]);
      }
      return Status::Ok();
    }));
    steps_ = state.steps;
    return Status::Ok();
  }

  std::unique_ptr<BlockScorer> MakeScorer() const override;

  MrrResult MeanReciprocalRank(const UserItemSets& test, const UserItemSets& train) const override {
    MrrResult result;
    if (!Guard("MRR", [&] { return ComputeMrr(test, train, &result); }).ok()) {
      result = MrrResult{};
      result.mrr = std::numeric_limits<double>::quiet_NaN();
    }
    return result;
  }

  void ScoreAllItems(UserId user, std::span<float> out) const override {
    ScoreRange(std::span<const UserId>(&user, 1), 0, static_cast<int64_t>(out.size()), out.data(),
               static_cast<int64_t>(out.size()));
  }

  void PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                      std::span<float> out) const override {
    const MultiTaskNet& host = net();  // the rating biases and dot, added on the host
    const Status s = Guard("predicting ratings", [&]() -> Status {
      const ScratchPool::Lease lease(scratch_);
      ScoreScratch& w = *lease;
      const int last = plan_.layers() - 1;
      const auto chunk = static_cast<size_t>(kPredictRows);
      const auto width = static_cast<size_t>(plan_.pout[last]);
      MTREC_RETURN_IF_ERROR(w.copies.Init());
      MTREC_RETURN_IF_ERROR(w.packed.Reserve(plan_.packed_size, "the packed MLP weights"));
      MTREC_RETURN_IF_ERROR(w.host_users.Reserve(chunk, "the users to predict (pinned)"));
      MTREC_RETURN_IF_ERROR(w.host_items.Reserve(chunk, "the items to predict (pinned)"));
      MTREC_RETURN_IF_ERROR(w.host_scores.Reserve(chunk * width, "the predictions (pinned)"));
      w.mlp.Reserve(plan_, kPredictRows);  // a no-op after the first call
      Pack(w.packed.data());
      for (size_t first = 0; first < users.size(); first += chunk) {
        const size_t n = std::min(chunk, users.size() - first);
        std::fill_n(w.host_users.data(), chunk, 0);
        std::fill_n(w.host_items.data(), chunk, 0);
        std::copy_n(users.begin() + first, n, w.host_users.data());
        std::copy_n(items.begin() + first, n, w.host_items.data());
        MTREC_RETURN_IF_ERROR(
            w.copies.ToDevice(Raw(w.mlp.users), w.host_users.data(), chunk, "the users"));
        MTREC_RETURN_IF_ERROR(
            w.copies.ToDevice(Raw(w.mlp.items), w.host_items.data(), chunk, "the items"));
        Forward(w.packed.data(), kPredictRows, w.mlp);
        MTREC_RETURN_IF_ERROR(w.copies.ToHost(w.host_scores.data(), Raw(w.mlp.acts[last]),
                                              chunk * width, "the predictions"));
        MTREC_RETURN_IF_ERROR(w.copies.Sync("the predictions"));
        const float* y = w.host_scores.data();
        for (size_t k = 0; k < n; ++k) {
          out[first + k] = y[k * width] + host.RatingTerms(users[first + k], items[first + k]);
        }
      }
      return Status::Ok();
    });
    if (!s.ok()) std::fill(out.begin(), out.end(), std::numeric_limits<float>::quiet_NaN());
  }

  void ScoreCandidates(std::span<const UserId> users, std::span<const ItemId> items, int per_user,
                       std::span<float> out) const override {
    MTREC_CHECK(items.size() == out.size() && items.size() == users.size() * per_user);
    const Status s = Guard("scoring negative candidates", [&]() -> Status {
      const ScratchPool::Lease lease(scratch_);
      ScoreScratch& w = *lease;
      MTREC_RETURN_IF_ERROR(w.copies.Init());
      MTREC_RETURN_IF_ERROR(Stage(w.copies, users, w.host_users, w.users, "the users"));
      MTREC_RETURN_IF_ERROR(Stage(w.copies, items, w.host_items, w.items, "the candidates"));
      MTREC_RETURN_IF_ERROR(w.scores.Reserve(items.size(), "the candidates' scores"));
      ForEach(static_cast<int64_t>(items.size()),
              CandidateScores{Raw(params_), tables_, w.users.data(), w.items.data(), per_user,
                              w.scores.data()});
      return CopyBack(w, items.size(), out.data(), "the candidates' scores");
    });
    if (!s.ok()) std::fill(out.begin(), out.end(), std::numeric_limits<float>::quiet_NaN());
  }

  // out[r * ld + c] = p(users[r], item_begin + c) for c < width.
  void ScoreRange(std::span<const UserId> users, int64_t item_begin, int64_t width, float* out,
                  int64_t ld) const {
    const size_t n = users.size() * static_cast<size_t>(width);
    const Status s = Guard("scoring items", [&]() -> Status {
      const ScratchPool::Lease lease(scratch_);
      ScoreScratch& w = *lease;
      MTREC_RETURN_IF_ERROR(w.copies.Init());
      MTREC_RETURN_IF_ERROR(Stage(w.copies, users, w.host_users, w.users, "the users"));
      MTREC_RETURN_IF_ERROR(w.scores.Reserve(n, "item scores"));
      ForEach(static_cast<int64_t>(n), ScoreBlockKernel{Raw(params_), tables_, w.users.data(),
                                                        item_begin, width, false, w.scores.data()});
      MTREC_RETURN_IF_ERROR(CopyBack(w, n, nullptr, "item scores"));
      for (size_t r = 0; r < users.size(); ++r) {
        std::copy_n(w.host_scores.data() + r * width, width, out + r * ld);
      }
      return Status::Ok();
    });
    if (!s.ok()) {
      for (size_t r = 0; r < users.size(); ++r) {
        std::fill_n(out + r * ld, width, std::numeric_limits<float>::quiet_NaN());
      }
    }
  }

 private:
  static BatchLosses FailedLosses() {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    return BatchLosses{nan, nan, nan};
  }

  // Runs `body` (returning a Status) unless the backend has already failed.
  // Its failure, or an exception of Thrust's (a failed kernel launch or
  // allocation), becomes the backend's status, naming `operation`.
  template <typename Body>
  Status Guard(const char* operation, Body&& body) const {
    {
      std::lock_guard<std::mutex> lock(error_mu_);
      if (!error_.ok()) return error_;
    }
    const Status s = RunCatching(operation, body);
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(error_mu_);
      if (error_.ok()) error_ = s;
    }
    return s;
  }

  // body(), or the exception it threw as a Status naming `operation`.
  template <typename Body>
  static Status RunCatching(const char* operation, Body& body) {
    try {
      return body();
    } catch (const std::bad_alloc& e) {
      return DeviceFailure(operation, std::string("out of memory (") + e.what() + ")");
    } catch (const std::exception& e) {  // thrust::system_error: a CUDA error
      return DeviceFailure(operation, e.what());
    }
  }

  // host ids -> pinned staging -> device scratch, queued on `copies`.
  static Status Stage(CopyStream& copies, std::span<const int32_t> ids,
                      PinnedScratch<int32_t>& pinned, DeviceScratch<int32_t>& device,
                      const char* what) {
    MTREC_RETURN_IF_ERROR(pinned.Reserve(ids.size(), what));
    MTREC_RETURN_IF_ERROR(device.Reserve(ids.size(), what));
    std::copy(ids.begin(), ids.end(), pinned.data());
    return copies.ToDevice(device.data(), pinned.data(), ids.size(), what);
  }

  // w.scores[0, n) -> w.host_scores, then (out set) -> out.
  static Status CopyBack(ScoreScratch& w, size_t n, float* out, const char* what) {
    MTREC_RETURN_IF_ERROR(w.host_scores.Reserve(n, what));
    MTREC_RETURN_IF_ERROR(w.copies.ToHost(w.host_scores.data(), w.scores.data(), n, what));
    MTREC_RETURN_IF_ERROR(w.copies.Sync(what));
    if (out != nullptr) std::copy_n(w.host_scores.data(), n, out);
    return Status::Ok();
  }

  // The original's MRR: blocks of users scored against every item on the
  // device, train items masked, each test pair's reciprocal rank copied back.
  Status ComputeMrr(const UserItemSets& test, const UserItemSets& train, MrrResult* result) const {
    const int64_t num_items = host_.config().num_items;
    std::vector<UserId> users;
    for (UserId u = 0; u < test.num_users(); ++u) {
      if (!test.Of(u).empty()) users.push_back(u);
    }
    const auto block = static_cast<size_t>(
        std::max<int64_t>(1, kMrrScoreFloats / std::max<int64_t>(num_items, 1)));
    const ScratchPool::Lease lease(scratch_);
    ScoreScratch& w = *lease;
    MTREC_RETURN_IF_ERROR(w.copies.Init());
    MTREC_RETURN_IF_ERROR(
        w.scores.Reserve(std::min(block, users.size()) * num_items, "item scores"));
    for (size_t first = 0; first < users.size(); first += block) {
      const size_t m = std::min(block, users.size() - first);
      MTREC_RETURN_IF_ERROR(Stage(w.copies, std::span<const int32_t>(users.data() + first, m),
                                  w.host_users, w.users, "the users"));
      ForEach(static_cast<int64_t>(m) * num_items,
              ScoreBlockKernel{Raw(params_), tables_, w.users.data(), 0, num_items, true,
                               w.scores.data()});
      // Train items rank last; then every test pair's rank in its row.
      for (int pass = 0; pass < 2; ++pass) {
        const UserItemSets& sets = pass == 0 ? train : test;
        // The staging buffers are refilled below: the last pass's copies first.
        MTREC_RETURN_IF_ERROR(w.copies.Sync("the MRR pairs' copies"));
        size_t pairs = 0;
        for (size_t r = 0; r < m; ++r) pairs += sets.Of(users[first + r]).size();
        MTREC_RETURN_IF_ERROR(w.host_rows.Reserve(pairs, "the MRR pairs' rows (pinned)"));
        MTREC_RETURN_IF_ERROR(w.host_items.Reserve(pairs, "the MRR pairs' items (pinned)"));
        MTREC_RETURN_IF_ERROR(w.rows.Reserve(pairs, "the MRR pairs' rows"));
        MTREC_RETURN_IF_ERROR(w.items.Reserve(pairs, "the MRR pairs' items"));
        size_t k = 0;
        for (size_t r = 0; r < m; ++r) {
          for (ItemId i : sets.Of(users[first + r])) {
            w.host_rows.data()[k] = static_cast<int32_t>(r);
            w.host_items.data()[k++] = i;
          }
        }
        MTREC_RETURN_IF_ERROR(
            w.copies.ToDevice(w.rows.data(), w.host_rows.data(), pairs, "the MRR pairs' rows"));
        MTREC_RETURN_IF_ERROR(
            w.copies.ToDevice(w.items.data(), w.host_items.data(), pairs, "the MRR pairs' items"));
        const auto n = static_cast<int64_t>(pairs);
        if (pass == 0) {
          ForEach(n, MaskTrainItems{w.rows.data(), w.items.data(), num_items, w.scores.data()});
        } else {
          MTREC_RETURN_IF_ERROR(w.rr.Reserve(pairs, "the reciprocal ranks"));
          MTREC_RETURN_IF_ERROR(w.host_rr.Reserve(pairs, "the reciprocal ranks (pinned)"));
          ForEach(n, ReciprocalRank{w.scores.data(), w.rows.data(), w.items.data(), num_items,
                                    w.rr.data()});
          MTREC_RETURN_IF_ERROR(
              w.copies.ToHost(w.host_rr.data(), w.rr.data(), pairs, "the reciprocal ranks"));
          MTREC_RETURN_IF_ERROR(w.copies.Sync("the reciprocal ranks"));
        }
      }
      size_t k = 0;
      for (size_t r = 0; r < m; ++r) {
        const size_t count = test.Of(users[first + r]).size();
        double sum = 0;
        for (size_t t = 0; t < count; ++t) sum += w.host_rr.data()[k++];
        result->per_user.push_back(sum / static_cast<double>(count));
      }
    }
    result->users = static_cast<int64_t>(result->per_user.size());
    double sum = 0;
    for (double v : result->per_user) sum += v;
    result->mrr = result->users > 0 ? sum / static_cast<double>(result->users) : 0.0;
    return Status::Ok();
  }
  // StartTraining's work: the optimizer's state and the step's buffers.
  Status AllocateTraining(const TrainConfig& config) {
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
    for (DeviceVector<float>* v : {&g_user_, &g_pos_, &g_neg_}) v->resize(batch * tables_.rd);
    for (DeviceVector<float>* v : {&g_user_reg_, &g_item_reg_}) v->resize(batch * d);
    users_rows_.Reserve(batch);
    items_rows_.Reserve(2 * batch);
    reg_items_rows_.Reserve(batch);
    MTREC_RETURN_IF_ERROR(batch_copies_.Init());
    MTREC_RETURN_IF_ERROR(batch_ids_.Reserve(3 * batch, "the batch's ids (pinned)"));
    return batch_ratings_.Reserve(batch, "the batch's ratings (pinned)");
  }

  // The batch's users, items, negatives and ratings to the device, through
  // the pinned staging buffers (free again: the last step waited for its copies).
  Status StageBatch(const Batch& batch) {
    const size_t n = batch.size();
    MTREC_RETURN_IF_ERROR(batch_copies_.Sync("the previous batch's copies"));
    int32_t* ids = batch_ids_.data();
    std::copy_n(batch.users.data(), n, ids);
      if (rowwise()) {
        thrust::fill(grads_.begin(), grads_.begin() + host_.roles().mlp_offset, 0.0f);
      }
    std::copy_n(batch.items.data(), n, ids + n);
    std::copy_n(batch.negatives.data(), n, ids + 2 * n);
    std::copy_n(batch.ratings.data(), n, batch_ratings_.data());
    MTREC_RETURN_IF_ERROR(batch_copies_.ToDevice(Raw(mlp_.users), ids, n, "the batch's users"));
    MTREC_RETURN_IF_ERROR(
        batch_copies_.ToDevice(Raw(mlp_.items), ids + n, n, "the batch's items"));
    MTREC_RETURN_IF_ERROR(
        batch_copies_.ToDevice(Raw(negatives_), ids + 2 * n, n, "the batch's negatives"));
    return batch_copies_.ToDevice(Raw(ratings_), batch_ratings_.data(), n, "the batch's ratings");
  }

  // rating_implicit: the host net's N(u) (MultiTaskNet::implicit_items) to the
  // device, where the forward pass reads it.
  void UploadImplicitItems() {
    const UserItemSets* sets = host_.implicit_items().get();
    if (tables_.implicit_item < 0) return;
    implicit_users_ = sets != nullptr ? sets->num_users() : 0;
    implicit_offsets_.resize(sets != nullptr ? sets->offsets.size() : 0);
    implicit_sets_.resize(sets != nullptr ? sets->items.size() : 0);
    if (sets == nullptr) return;
    ToDevice(sets->offsets.data(), sets->offsets.size(), implicit_offsets_);
    ToDevice(sets->items.data(), sets->items.size(), implicit_sets_);
  }

  // rating_implicit: Y's gradient into grads_ from g_user_reg_: for every Y
  // row some batch user has in N(u), the samples of those users (a counting
  // sort on the host, samples ascending), then ImplicitGradients.
  void AddImplicitGradients(const Batch& batch) {
    const UserItemSets* sets = host_.implicit_items().get();
    if (sets == nullptr) return;
    const auto n = static_cast<int64_t>(batch.size());
    const int64_t items = host_.config().num_items;
    std::vector<int64_t> start(items + 1, 0);
    for (int64_t s = 0; s < n; ++s) {
      if (batch.users[s] >= sets->num_users()) continue;
      for (const ItemId j : sets->Of(batch.users[s])) ++start[j + 1];
    }
    for (int64_t j = 0; j < items; ++j) start[j + 1] += start[j];
    std::vector<int32_t> samples(start[items]);
    std::vector<int64_t> next(start.begin(), start.end() - 1);
    for (int64_t s = 0; s < n; ++s) {
      if (batch.users[s] >= sets->num_users()) continue;
      for (const ItemId j : sets->Of(batch.users[s])) samples[next[j]++] = static_cast<int32_t>(s);
    }
    std::vector<int32_t> rows;
    std::vector<int64_t> first;
    for (int64_t j = 0; j < items; ++j) {
      if (start[j + 1] == start[j]) continue;
      rows.push_back(static_cast<int32_t>(j));
      first.push_back(start[j]);
    }
    if (rows.empty()) return;
    first.push_back(start[items]);
    implicit_rows_.resize(rows.size());
    implicit_first_.resize(first.size());
    implicit_samples_.resize(samples.size());
    ToDevice(rows.data(), rows.size(), implicit_rows_);
    ToDevice(first.data(), first.size(), implicit_first_);
    ToDevice(samples.data(), samples.size(), implicit_samples_);
    ForEach(static_cast<int64_t>(rows.size()) * tables_.d,
            ImplicitGradients{tables_, Raw(implicit_offsets_), Raw(mlp_.users), Raw(implicit_rows_),
                              Raw(implicit_first_), Raw(implicit_samples_), Raw(g_user_reg_),
                              Raw(grads_)});
  }

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
    const int d = tables_.d, rd = tables_.rd;
    std::vector<TableGradient> out{
        {&users_rows_, Raw(g_user_), nullptr, 0, rd, tables_.u_fact},
        {&items_rows_, Raw(g_pos_), Raw(g_neg_), 1.0f, rd, tables_.q_fact},
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
    const float* z = nullptr;
    if (tables_.implicit_item >= 0) {
      ForEach(n * tables_.d,
              ImplicitSumKernel{Raw(params_), tables_, Raw(implicit_offsets_), Raw(implicit_sets_),
                                implicit_users_, Raw(b.users), Raw(b.z)});
      z = Raw(b.z);
    }
    ForEach(n * stride, RegressionInputKernel{Raw(params_), tables_, Raw(b.users), Raw(b.items),
                                              stride, Raw(b.x), z});
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

  // The batch's losses into *out, and the gradient of the joint loss added
  // into grads_ (the tables' rows only when `rows_to_grads`; their segments
  // are built anyway).
  Status Backprop(const Batch& batch, BatchLosses* out, bool rows_to_grads = true) {
    const auto n = static_cast<int64_t>(batch.size());
    MTREC_CHECK(training_ && n > 0 && n <= capacity_);
    const int width = std::max(tables_.d, tables_.rd);
    MTREC_RETURN_IF_ERROR(StageBatch(batch));
    Pack(Raw(packed_));
    Forward(Raw(packed_), n, mlp_);

    const int last = plan_.layers() - 1;
    const float inv_n = 1.0f / static_cast<float>(n);
    ForEach(n,
            SampleLosses{Raw(params_), tables_, Raw(mlp_.users), Raw(mlp_.items), Raw(negatives_),
                         Raw(ratings_), Raw(mlp_.acts[last]), plan_.pout[last],
                         static_cast<float>(weights_.factorization) * inv_n,
                         static_cast<float>(weights_.regression) * inv_n,
                         weights_.bpr == BprLoss::kLog, Raw(bpr_values_), Raw(squared_errors_),
                         Raw(dy_), Raw(grad_pos_), Raw(grad_rating_), Raw(mlp_.x), plan_.pin[0]});
    Backward(n);

    const bool shared = host_.config().shared_embeddings;
    ForEach(n * width, RowGradients{
                       Raw(params_), tables_, Raw(mlp_.users), Raw(mlp_.items), Raw(negatives_),
                       Raw(grad_pos_), Raw(grad_rating_), Raw(mlp_.x), Raw(grad_input_),
                       plan_.pin[0], shared,
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
    // (rating_implicit needs the dense Adam optimizer: rows_to_grads.)
    if (tables_.implicit_item >= 0 && weights_.regression != 0) AddImplicitGradients(batch);
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
    *out = losses;
    return Status::Ok();
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
  mutable ScratchPool scratch_;  // scoring's buffers
  mutable std::mutex error_mu_;
  mutable Status error_;  // the first device error; sticky

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
  // Row gradients: [n x rd] (the ranking tables'), [n x d] (the rating tables').
  DeviceVector<float> g_user_, g_pos_, g_neg_, g_user_reg_, g_item_reg_;
  RowSegments users_rows_, items_rows_, reg_items_rows_;
  CopyStream batch_copies_;
  PinnedScratch<int32_t> batch_ids_;  // users, items, negatives: [3 x capacity_]
  PinnedScratch<float> batch_ratings_;
  // rating_implicit: N(u) on the device (UploadImplicitItems) and one step's
  // Y rows with their samples (AddImplicitGradients).
  int32_t implicit_users_ = 0;
  DeviceVector<int64_t> implicit_offsets_, implicit_first_;
  DeviceVector<int32_t> implicit_sets_, implicit_rows_, implicit_samples_;
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

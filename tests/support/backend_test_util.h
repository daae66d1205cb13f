// Shared pieces of the backend-parameterised suites in tests/backend/: the
// parameter-name generators, making a backend by name (skipping a registered
// backend this machine cannot run), small synthetic data and configs, owned
// batches, and straightforward double-precision references of the model's
// heads and joint loss, written from docs/semantics.md, not from the kernels.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/backend/backend_registry.h"
#include "mtrec/config.h"
#include "mtrec/data/user_item_sets.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/optim/optimizer.h"
#include "mtrec/backend/batch.h"

namespace mtrec::testing {

// Between backends, for the same parameters: another backend may sum in
// another order (GEMM tiling, fused multiply-adds, reduced-precision
// accumulation is not allowed), so its scores and predictions may differ from
// the CPU backend's by this much, normwise relative; MRR by kCrossBackendMrrTol
// absolute, as score differences that small can reorder near-ties. For "cpu"
// against itself the results must be identical.
inline constexpr double kCrossBackendRelTol = 1e-5;
inline constexpr double kCrossBackendMrrTol = 1e-3;

// `s` with every character GoogleTest does not allow in a test name made '_'.
std::string TestNameSafe(std::string s);

// Names a test by its backend: AllBackends/Suite.Test/cpu.
struct BackendParamName {
  std::string operator()(const ::testing::TestParamInfo<std::string>& info) const {
    return TestNameSafe(info.param);
  }
};

// Names a (backend, case) test "<backend>_<case>", the case named by
// CaseName(case) (found by argument-dependent lookup for a case struct).
inline std::string CaseName(const char* name) { return name; }
template <typename Case>
struct BackendCaseParamName {
  std::string operator()(
      const ::testing::TestParamInfo<std::tuple<std::string, Case>>& info) const {
    return TestNameSafe(std::get<0>(info.param) + "_" + CaseName(std::get<1>(info.param)));
  }
};

// OK, or Unavailable when the registered backend `name` cannot run on this
// machine (e.g. no device): its tests are then skipped, not failed. Any other
// error is left for NewBackend to report as a failure.
Status BackendAvailability(const std::string& name);

// Skips the calling test (or SetUp) when backend `name` cannot run here.
#define MTREC_SKIP_IF_BACKEND_UNAVAILABLE(name)                                                \
  if (const ::mtrec::Status mtrec_availability_ = ::mtrec::testing::BackendAvailability(name); \
      !mtrec_availability_.ok())                                                               \
  GTEST_SKIP() << mtrec_availability_.message()

// A backend `name` with `threads` host threads holding a model of shape `mc`,
// initialised with MultiTaskNet::InitRandom(init_seed) (parameters zero when
// init_seed is 0). On failure it records a test failure and returns null.
std::unique_ptr<Backend> NewBackend(const std::string& name, const ModelConfig& mc, int threads,
                                    uint64_t init_seed = 0);
// A backend `name` holding a copy of `net`; null and a test failure on error.
std::unique_ptr<Backend> NewBackendFrom(const std::string& name, const MultiTaskNet& net,
                                        int threads);

// The parameters of `backend` as host floats.
std::vector<float> ParamsOf(const Backend& backend);

// Two optimizer states are the same: name, step count and every tensor.
inline bool SameOptimizerState(const OptimizerState& a, const OptimizerState& b) {
  return a.name == b.name && a.steps == b.steps && a.tensors == b.tensors;
}
// Sets every parameter of `backend` to U(-scale, scale) from `seed` (larger
// than the original's init, so that every term of the loss matters).
void FillUniform(Backend& backend, float scale, uint32_t seed);

// 60 users x 80 items (ids 1-based, tables one larger), 3000 ratings with a
// low-rank taste model, split 90/10: the data of the determinism suite.
struct SmallData {
  Interactions train;
  Interactions test;
};
const SmallData& SmallSyntheticData();

// A model for `data`'s tables: embedding_dim 8, the given MLP.
ModelConfig SmallModelConfig(const Interactions& data, bool shared, std::vector<int> hidden = {16},
                             bool user_bias = false);
// Batch 300 (two full 128-sample blocks and a partial one), seed 7, joint
// weights 0.5/0.5, `kind` at the default OptimizerConfig's learning rate.
TrainConfig SmallTrainConfig(OptimizerKind kind = OptimizerKind::kAdam);

// A batch that owns its columns.
struct OwnedBatch {
  std::vector<UserId> users;
  std::vector<ItemId> items;
  std::vector<float> ratings;
  std::vector<ItemId> negatives;
  Batch view() const { return Batch{users, items, ratings, negatives}; }
  size_t size() const { return users.size(); }
};
// `size` random samples over `mc`'s tables: users and items (positives and
// negatives) drawn from [0, num_users) and [0, num_items), ratings 1..5.
OwnedBatch RandomBatch(const ModelConfig& mc, int size, uint32_t seed);

// Double-precision references, written from the model's definition
// (multitask_net.h, docs/semantics.md §3) over `params` in the net's layout.
//   p(u, i) = U_f[u] . Q_f[i] + B[i] (+ A[u])
double ReferenceScore(const MultiTaskNet& net, std::span<const double> params, UserId u, ItemId i);
//   r(u, i) = MLP([U_r[u], Q_r[i], U_r[u] * Q_r[i]]), ReLU between layers
double ReferencePrediction(const MultiTaskNet& net, std::span<const double> params, UserId u,
                           ItemId i);
//   wF * mean_s bpr(p(u,i) - p(u,j)) + wR * mean_s (r - r(u,i))^2
double ReferenceJoint(const MultiTaskNet& net, std::span<const double> params, const Batch& batch,
                      const TrainConfig& config);
// net.params() as doubles.
std::vector<double> ParamsAsDouble(const MultiTaskNet& net);

}  // namespace mtrec::testing

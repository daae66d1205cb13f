// Every backend's gradient of the joint loss (Backend::ComputeGradient)
// against central finite differences of the backend's own loss, and the
// ComputeGradient contract: the gradient is ADDED into the caller's buffer,
// parameters and optimizer state stay as they were, and it is the gradient
// the training step uses.
//
// The losses a backend reports are float32, so the differences are taken in
// float: a step h = kStep (not the 1e-6 that tests/gradcheck/ uses on its
// double-precision reference, where float rounding of ~1e-7 * |loss| would
// swamp a 1e-6 difference), divided by the perturbation as actually stored
// (float(p + h) - float(p - h)). Truncation error ~ h^2 |L'''| / 6 and rounding
// error ~ eps |L| / h are each ~1e-5 of the largest gradient component here
// (the CPU backend's worst case measures 1.8e-5), so the tolerance is kFdTol of
// the largest difference quotient; a wrong term, factor or sign is off by far
// more. The per-kernel checks in double stay in tests/gradcheck/.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <tuple>

#include "mtrec/backend/backend.h"
#include "mtrec/model/multitask_net.h"
#include "support/backend_test_util.h"

namespace mtrec {
namespace {

constexpr float kStep = 1e-2f;
constexpr double kFdTol = 2e-4;  // of the largest |dL/dp|

struct GradCase {
  const char* name;
  bool shared;
  bool user_bias;
  BprLoss bpr;
  std::vector<int> hidden;
  int batch_size = 6;  // above 128 (one block of the CPU backend) block partials are summed
  // A head of weight 0 is skipped by the CPU backend: its gradient must be zero.
  // (Rating-only runs with shared tables only: with separate tables and no BPR
  // gradient to set the scale, a ReLU of this fixture within +-kStep of its kink
  // puts the difference quotient of mlp_layers.0.bias off by 1.8% of the scale,
  // on every backend alike; so does batch 150 of shared rating-only runs with
  // rating biases, with or without the rating dot, hence batch 6 there.)
  double factorization_weight = 0.7;
  double regression_weight = 0.3;
  bool rating_biases = false;
  bool rating_dot = false;
  bool rating_implicit = false;  // N(u): testing::NewBackend's
  int ranking_dim = 0;           // separate tables: U_fact/Q_fact's width (0: embedding_dim)
};
std::string CaseName(const GradCase& c) { return c.name; }
void PrintTo(const GradCase& c, std::ostream* os) { *os << c.name; }

ModelConfig TinyModel(const GradCase& c) {
  ModelConfig mc;
  mc.num_users = 5;
  mc.num_items = 7;
  mc.embedding_dim = 3;
  mc.hidden_layers = c.hidden;
  mc.shared_embeddings = c.shared;
  mc.user_bias = c.user_bias;
  mc.rating_biases = c.rating_biases;
  mc.rating_dot = c.rating_dot;
  mc.rating_implicit = c.rating_implicit;
  mc.ranking_dim = c.ranking_dim;
  return mc;
}

// Repeated users and items, a negative equal to its positive, item 0; then
// random samples up to `size`.
testing::OwnedBatch TinyBatch(const ModelConfig& mc, int size) {
  testing::OwnedBatch b;
  b.users = {1, 2, 1, 4, 3, 1};
  b.items = {3, 6, 3, 1, 2, 5};
  b.negatives = {0, 6, 4, 1, 3, 0};
  b.ratings = {4, 1, 5, 3, 2, 4};
  const testing::OwnedBatch more = testing::RandomBatch(mc, std::max(0, size - 6), 9);
  for (size_t s = 0; s < more.size(); ++s) {
    b.users.push_back(more.users[s]);
    b.items.push_back(more.items[s]);
    b.negatives.push_back(more.negatives[s]);
    b.ratings.push_back(more.ratings[s]);
  }
  return b;
}

TrainConfig TinyTrainConfig(const GradCase& c) {
  TrainConfig tc;
  tc.factorization_weight = c.factorization_weight;
  tc.regression_weight = c.regression_weight;
  tc.bpr_loss = c.bpr;
  tc.batch_size = c.batch_size;
  return tc;
}

class BackendGradcheck : public ::testing::TestWithParam<std::tuple<std::string, GradCase>> {
 protected:
  void SetUp() override { MTREC_SKIP_IF_BACKEND_UNAVAILABLE(std::get<0>(GetParam())); }
};

TEST_P(BackendGradcheck, GradientMatchesCentralDifferences) {
  const auto& [backend_name, c] = GetParam();
  const ModelConfig mc = TinyModel(c);
  const std::unique_ptr<Backend> backend = testing::NewBackend(backend_name, mc, /*threads=*/2);
  ASSERT_NE(backend, nullptr);
  // Larger values than the original's init so every term matters; non-zero biases.
  testing::FillUniform(*backend, 0.8f, 5);
  const testing::OwnedBatch owned = TinyBatch(mc, c.batch_size);
  const Batch batch = owned.view();
  const TrainConfig tc = TinyTrainConfig(c);
  backend->StartTraining(tc);  // ComputeGradient REQUIRES it

  const std::vector<float> p0 = testing::ParamsOf(*backend);
  std::vector<float> grads(p0.size(), 0.0f);
  const BatchLosses losses = backend->ComputeGradient(batch, grads);
  const double reference =
      testing::ReferenceJoint(backend->net(), testing::ParamsAsDouble(backend->net()), batch, tc);
  EXPECT_NEAR(losses.joint, reference, 1e-5 * std::fabs(reference)) << "joint loss";
  EXPECT_NEAR(
      losses.joint,
      tc.factorization_weight * losses.factorization + tc.regression_weight * losses.regression,
      1e-6 * std::fabs(losses.joint));

  // The loss at perturbed parameters, through the backend; `scratch` takes the
  // gradient it adds (unused).
  std::vector<float> scratch(p0.size(), 0.0f);
  auto loss_with = [&](size_t k, float value) {
    backend->WriteParams([&](MultiTaskNet& net) { net.params()[k] = value; });
    return static_cast<double>(backend->ComputeGradient(batch, scratch).joint);
  };
  std::vector<double> fd(p0.size());
  double scale = 0;
  for (size_t k = 0; k < p0.size(); ++k) {
    const float up = p0[k] + kStep, down = p0[k] - kStep;
    fd[k] = (loss_with(k, up) - loss_with(k, down)) /
            (static_cast<double>(up) - static_cast<double>(down));
    backend->WriteParams([&](MultiTaskNet& net) { net.params()[k] = p0[k]; });
    scale = std::max(scale, std::fabs(fd[k]));
  }
  ASSERT_GT(scale, 1e-2);
  ASSERT_EQ(testing::ParamsOf(*backend), p0);
  double worst = 0;
  for (const ParamBlock& b : backend->net().layout().blocks()) {
    for (int64_t k = b.offset; k < b.offset + b.size(); ++k) {
      EXPECT_NEAR(grads[k], fd[k], kFdTol * scale) << b.name << "[" << k - b.offset << "]";
      worst = std::max(worst, std::fabs(grads[k] - fd[k]) / scale);
    }
  }
  RecordProperty("worst_relative_error", std::to_string(worst));
  if (c.user_bias) {
    const ParamBlock& a = backend->net().layout().block(backend->net().roles().user_bias);
    for (int64_t k = a.offset; k < a.offset + a.size(); ++k) EXPECT_EQ(grads[k], 0.0f);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllBackends, BackendGradcheck,
    ::testing::Combine(
        ::testing::ValuesIn(BackendNames()),
        ::testing::Values(
            GradCase{"shared_sigmoid", true, false, BprLoss::kSigmoid, {4}},
            GradCase{"separate_sigmoid", false, false, BprLoss::kSigmoid, {4}},
            GradCase{"shared_log_userbias_mlp5x3", true, true, BprLoss::kLog, {5, 3}},
            GradCase{"separate_log_userbias", false, true, BprLoss::kLog, {2}},
            GradCase{"shared_sigmoid_batch150", true, false, BprLoss::kSigmoid, {4}, 150},
            GradCase{
                "separate_log_userbias_mlp6x3_batch200", false, true, BprLoss::kLog, {6, 3}, 200},
            GradCase{"shared_ranking_only", true, false, BprLoss::kLog, {4}, 150, 1.0, 0.0},
            GradCase{"separate_ranking_only", false, false, BprLoss::kSigmoid, {4}, 150, 1.0, 0.0},
            GradCase{"shared_rating_only", true, false, BprLoss::kSigmoid, {4}, 150, 0.0, 0.3},
            GradCase{
                "shared_rating_biases", true, false, BprLoss::kSigmoid, {4}, 6, 0.7, 0.3, true},
            GradCase{
                "separate_log_rating_biases", false, false, BprLoss::kLog, {2}, 6, 0.7, 0.3, true},
            GradCase{
                "shared_rating_dot", true, false, BprLoss::kSigmoid, {4}, 6, 0.7, 0.3, false, true},
            GradCase{"separate_log_rating_biases_dot_batch150",
                     false,
                     false,
                     BprLoss::kLog,
                     {2},
                     150,
                     0.7,
                     0.3,
                     true,
                     true},
            GradCase{"shared_rating_only_dot",
                     true,
                     false,
                     BprLoss::kSigmoid,
                     {4},
                     6,
                     0.0,
                     0.3,
                     true,
                     true},
            // (The implicit term's z_u moves the ReLUs' inputs: these widths
            // keep this fixture's away from their kinks.)
            GradCase{"separate_rating_implicit",
                     false,
                     false,
                     BprLoss::kSigmoid,
                     {3},
                     6,
                     0.7,
                     0.3,
                     false,
                     false,
                     true},
            GradCase{"separate_log_rating_biases_dot_implicit",
                     false,
                     false,
                     BprLoss::kLog,
                     {3},
                     6,
                     0.7,
                     0.3,
                     true,
                     true,
                     true},
            GradCase{"separate_log_rating_biases_dot_implicit_batch150",
                     false,
                     false,
                     BprLoss::kLog,
                     {6},
                     150,
                     0.7,
                     0.3,
                     true,
                     true,
                     true},
            // The ranking tables wider (5) and narrower (2) than the rating
            // tables and the MLP's input (3 x 3).
            GradCase{"separate_ranking_dim5",
                     false,
                     false,
                     BprLoss::kSigmoid,
                     {4},
                     6,
                     0.7,
                     0.3,
                     false,
                     false,
                     false,
                     5},
            GradCase{"separate_log_ranking_dim2_biases_dot_batch150",
                     false,
                     true,
                     BprLoss::kLog,
                     {6},
                     150,
                     0.7,
                     0.3,
                     true,
                     true,
                     false,
                     2},
            GradCase{"separate_ranking_dim5_implicit",
                     false,
                     false,
                     BprLoss::kLog,
                     {3},
                     6,
                     0.7,
                     0.3,
                     true,
                     true,
                     true,
                     5})),
    testing::BackendCaseParamName<GradCase>());

// The rating L2 penalty is in the gradient only (reported losses are the data
// terms, as with weight_decay): its part of the gradient is exactly
// 2 wR rating_l2 / n summed over the rating samples' rows of U_r and Q_r, and
// nothing else.
class BackendRatingPenalty : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { MTREC_SKIP_IF_BACKEND_UNAVAILABLE(GetParam()); }
};

TEST_P(BackendRatingPenalty, AddsTwiceLambdaTimesTheRowsOfEachRatingSample) {
  for (bool shared : {true, false}) {
    SCOPED_TRACE(shared ? "shared" : "separate");
    const GradCase c{"penalty", shared, false, BprLoss::kSigmoid, {4}, 150, 0.6, 0.4, true};
    const ModelConfig mc = TinyModel(c);
    const testing::OwnedBatch owned = TinyBatch(mc, c.batch_size);
    std::vector<float> without, with;
    std::unique_ptr<Backend> backend;
    for (double lambda : {0.0, 0.25}) {
      backend = testing::NewBackend(GetParam(), mc, /*threads=*/2);
      testing::FillUniform(*backend, 0.8f, 5);
      TrainConfig tc = TinyTrainConfig(c);
      tc.rating_l2 = lambda;
      backend->StartTraining(tc);
      std::vector<float>& g = lambda == 0 ? without : with;
      g.assign(backend->net().params().size(), 0.0f);
      const BatchLosses l = backend->ComputeGradient(owned.view(), g);
      EXPECT_GT(l.regression, 0.0f);
    }
    const MultiTaskNet& net = backend->net();
    std::vector<double> expected(without.size(), 0.0);
    const double factor = 2 * 0.25 * 0.4 / c.batch_size;
    const int d = net.embedding_dim();
    for (size_t s = 0; s < owned.size(); ++s) {
      const ParamBlock& u = net.layout().block(net.roles().u_reg);
      const ParamBlock& q = net.layout().block(net.roles().q_reg);
      for (int k = 0; k < d; ++k) {
        const int64_t pu = u.offset + int64_t{owned.users[s]} * d + k;
        const int64_t pq = q.offset + int64_t{owned.items[s]} * d + k;
        expected[pu] += factor * net.params()[pu];
        expected[pq] += factor * net.params()[pq];
      }
    }
    double scale = 0;
    for (double e : expected) scale = std::max(scale, std::fabs(e));
    ASSERT_GT(scale, 1e-3);
    for (size_t k = 0; k < expected.size(); ++k) {
      EXPECT_NEAR(with[k] - without[k], expected[k], 1e-5) << "parameter " << k;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendRatingPenalty, ::testing::ValuesIn(BackendNames()),
                         testing::BackendParamName());

class BackendComputeGradient : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { MTREC_SKIP_IF_BACKEND_UNAVAILABLE(GetParam()); }
};

// ADDED into grads; parameters, steps and optimizer state untouched; the
// gradient and losses are the ones TrainStep's inspector sees, bit for bit; and
// a TrainStep after it is the TrainStep without it.
TEST_P(BackendComputeGradient, AddsIntoTheBufferAndChangesNothing) {
  const GradCase c{"", false, false, BprLoss::kSigmoid, {6, 3}, 200};
  const ModelConfig mc = TinyModel(c);
  for (OptimizerKind kind :
       {OptimizerKind::kAdam, OptimizerKind::kLazyAdam, OptimizerKind::kRowwiseAdagrad}) {
    SCOPED_TRACE(OptimizerName(kind));
    TrainConfig tc = TinyTrainConfig(c);
    tc.optimizer.kind = kind;
    const std::unique_ptr<Backend> backend = testing::NewBackend(GetParam(), mc, 2);
    ASSERT_NE(backend, nullptr);
    testing::FillUniform(*backend, 0.8f, 6);
    backend->StartTraining(tc);
    const testing::OwnedBatch first = TinyBatch(mc, 50);
    backend->TrainStep(first.view(), nullptr);  // non-trivial optimizer state
    const std::vector<float> params = testing::ParamsOf(*backend);
    const OptimizerState state = backend->SaveOptimizerState();
    // A twin in the same state that never calls ComputeGradient.
    const std::unique_ptr<Backend> twin = testing::NewBackendFrom(GetParam(), backend->net(), 2);
    ASSERT_NE(twin, nullptr);
    twin->StartTraining(tc);
    ASSERT_TRUE(twin->LoadOptimizerState(state, "twin").ok());

    const testing::OwnedBatch owned = TinyBatch(mc, c.batch_size);
    const Batch batch = owned.view();
    std::vector<float> g(params.size(), 0.0f);
    const BatchLosses l1 = backend->ComputeGradient(batch, g);
    std::vector<float> added(params.size());
    for (size_t k = 0; k < added.size(); ++k) added[k] = 1.0f + 0.001f * static_cast<float>(k);
    const std::vector<float> before = added;
    const BatchLosses l2 = backend->ComputeGradient(batch, added);
    EXPECT_EQ(l1.joint, l2.joint);
    EXPECT_EQ(l1.factorization, l2.factorization);
    EXPECT_EQ(l1.regression, l2.regression);
    float g_scale = 0;
    for (float v : g) g_scale = std::max(g_scale, std::fabs(v));
    ASSERT_GT(g_scale, 0.0f);
    for (size_t k = 0; k < added.size(); ++k) {
      ASSERT_NEAR(added[k], before[k] + g[k], 1e-5 * (std::fabs(before[k]) + g_scale)) << k;
    }
    EXPECT_EQ(testing::ParamsOf(*backend), params) << "ComputeGradient changed parameters";
    EXPECT_EQ(backend->steps(), 1);
    EXPECT_TRUE(testing::SameOptimizerState(backend->SaveOptimizerState(), state))
        << "ComputeGradient changed the optimizer state";

    std::vector<float> seen;
    BatchLosses seen_losses;
    const Backend::GradientInspector inspect = [&](const BatchLosses& l,
                                                   std::span<const float> grads) {
      seen.assign(grads.begin(), grads.end());
      seen_losses = l;
    };
    const BatchLosses stepped = backend->TrainStep(batch, &inspect);
    EXPECT_EQ(stepped.joint, l1.joint);
    EXPECT_EQ(seen_losses.joint, l1.joint);
    EXPECT_EQ(seen, g) << "TrainStep's gradient differs from ComputeGradient's";
    twin->TrainStep(batch, nullptr);
    EXPECT_EQ(testing::ParamsOf(*backend), testing::ParamsOf(*twin))
        << "a TrainStep after ComputeGradient is not the TrainStep without it";
    EXPECT_TRUE(testing::SameOptimizerState(backend->SaveOptimizerState(), twin->SaveOptimizerState()));
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendComputeGradient, ::testing::ValuesIn(BackendNames()),
                         testing::BackendParamName());

}  // namespace
}  // namespace mtrec

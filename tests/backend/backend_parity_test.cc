// Every backend against the PyTorch reference of the original
// (reference/make_golden.py): from the same initial weights, the same
// negatives (exactly: the host stream draws them), and losses, gradients,
// parameters after every epoch and final MRR/MSE to kRelTol, normwise relative.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "mtrec/infer/evaluator.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/train/trainer.h"
#include "support/backend_test_util.h"
#include "support/golden_file.h"

namespace mtrec {
namespace {

using testing::GoldenFile;
using testing::TestDataPath;

// The tolerance every backend meets against PyTorch (float32 there too).
constexpr double kRelTol = 1e-5;

// Normwise-relative comparison: every element within kRelTol of the tensor's
// largest magnitude (elementwise relative error is meaningless for values that
// cancel to ~0).
void ExpectTensorNear(std::span<const float> got, const std::vector<float>& want,
                      const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  float scale = 0;
  for (float w : want) scale = std::max(scale, std::fabs(w));
  const double tol = kRelTol * std::max(scale, 1e-6f);
  for (size_t k = 0; k < want.size(); ++k) {
    ASSERT_NEAR(got[k], want[k], tol) << what << "[" << k << "]";
  }
}

void ExpectScalarNear(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, kRelTol * std::max(std::fabs(want), 1e-6)) << what;
}

// (backend, golden file tests/testdata/golden/train_<name>.txt)
class BackendParity : public ::testing::TestWithParam<std::tuple<std::string, const char*>> {
 protected:
  void SetUp() override { MTREC_SKIP_IF_BACKEND_UNAVAILABLE(std::get<0>(GetParam())); }
};

TEST_P(BackendParity, FollowsThePyTorchTrajectory) {
  const auto& [backend_name, golden] = GetParam();
  auto loaded = GoldenFile::Load(TestDataPath(std::string("golden/train_") + golden + ".txt"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const GoldenFile& g = *loaded;

  Interactions train;
  train.num_users = static_cast<int32_t>(g.Scalar("num_users"));
  train.num_items = static_cast<int32_t>(g.Scalar("num_items"));
  for (int u : g.Ints("users")) train.users.push_back(u);
  for (int i : g.Ints("items")) train.items.push_back(i);
  train.ratings = g.Floats("ratings");

  ModelConfig mc;
  mc.num_users = train.num_users;
  mc.num_items = train.num_items;
  mc.embedding_dim = static_cast<int>(g.Scalar("embedding_dim"));
  mc.hidden_layers = g.Ints("hidden_layers");
  mc.shared_embeddings = g.Scalar("shared") != 0;
  mc.user_bias = g.Scalar("user_bias") != 0;
  const std::unique_ptr<Backend> backend = testing::NewBackend(backend_name, mc, /*threads=*/2);
  ASSERT_NE(backend, nullptr);
  for (const ParamBlock& b : backend->net().layout().blocks()) {
    const std::vector<int> shape = g.Ints("shape." + b.name);
    ASSERT_EQ(shape, (std::vector<int>{static_cast<int>(b.rows), static_cast<int>(b.cols)}))
        << b.name;
    const std::vector<float> init = g.Floats("init." + b.name);
    ASSERT_EQ(init.size(), static_cast<size_t>(b.size()));
    backend->WriteParams([&](MultiTaskNet& to) {
      std::copy(init.begin(), init.end(), to.params().begin() + b.offset);
    });
  }
  TrainConfig tc;
  tc.factorization_weight = g.Scalar("factorization_weight");
  tc.regression_weight = g.Scalar("regression_weight");
  tc.bpr_loss = g.Scalar("bpr_log") != 0 ? BprLoss::kLog : BprLoss::kSigmoid;
  tc.batch_size = static_cast<int>(g.Scalar("batch_size"));
  tc.optimizer.learning_rate = g.Scalar("learning_rate");
  tc.optimizer.weight_decay = g.Scalar("l2");
  tc.seed = static_cast<uint32_t>(g.Scalar("seed"));

  Trainer trainer(tc, backend.get());
  // The layout does not change; copied so that the hook, which runs inside
  // TrainStep, does not call back into the backend.
  const std::vector<ParamBlock> blocks = backend->net().layout().blocks();
  const auto num_params = static_cast<size_t>(backend->net().layout().total_size());
  int64_t steps_seen = 0, gradients_compared = 0;
  trainer.SetStepHook(
      [&](const StepView& v) {
        const std::string k = "step." + std::to_string(v.step);
        const std::vector<int> negatives = g.Ints(k + ".negatives");
        ASSERT_EQ(v.batch.negatives.size(), negatives.size()) << k;
        for (size_t s = 0; s < negatives.size(); ++s)
          ASSERT_EQ(v.batch.negatives[s], negatives[s]) << k;
        ExpectScalarNear(v.losses.factorization, g.Scalar(k + ".bpr"), k + ".bpr");
        ExpectScalarNear(v.losses.regression, g.Scalar(k + ".mse"), k + ".mse");
        ExpectScalarNear(v.losses.joint, g.Scalar(k + ".joint"), k + ".joint");
        ASSERT_EQ(v.grads.size(), num_params);
        const std::string gk = "grad." + std::to_string(v.step) + ".";
        for (const ParamBlock& b : blocks) {
          if (!g.Has(gk + b.name)) continue;
          ExpectTensorNear(v.grads.subspan(b.offset, b.size()), g.Floats(gk + b.name), gk + b.name);
          ++gradients_compared;
        }
        ++steps_seen;
      },
      /*needs_gradient=*/true);

  const int epochs = static_cast<int>(g.Scalar("epochs"));
  for (int e = 0; e < epochs; ++e) {
    auto losses = trainer.TrainEpoch(train);
    ASSERT_TRUE(losses.ok()) << losses.status().message();
    const std::string k = "epoch." + std::to_string(e) + ".";
    ExpectScalarNear(losses->factorization, g.Scalar(k + "factorization_loss"), k + "bpr");
    ExpectScalarNear(losses->regression, g.Scalar(k + "regression_loss"), k + "mse");
    ExpectScalarNear(losses->joint, g.Scalar(k + "joint_loss"), k + "joint");
    const MultiTaskNet& net = backend->net();
    for (const ParamBlock& b : blocks) {
      ExpectTensorNear(std::span<const float>(net.params()).subspan(b.offset, b.size()),
                       g.Floats(k + "param." + b.name), k + "param." + b.name);
    }
  }
  EXPECT_EQ(steps_seen, static_cast<int64_t>(g.Get("epoch.0.perm").size() + tc.batch_size - 1) /
                            tc.batch_size * epochs);
  EXPECT_EQ(backend->steps(), steps_seen);
  EXPECT_GT(gradients_compared, 0) << "the golden file has no gradients to compare";
  if (mc.user_bias) {
    const MultiTaskNet& net = backend->net();
    const ParamBlock& a = net.layout().block(net.roles().user_bias);
    for (int64_t k = 0; k < a.size(); ++k) ASSERT_EQ(net.params()[a.offset + k], 0.0f);
  }

  Interactions test;
  test.num_users = train.num_users;
  test.num_items = train.num_items;
  for (int u : g.Ints("test.users")) test.users.push_back(u);
  for (int i : g.Ints("test.items")) test.items.push_back(i);
  test.ratings = g.Floats("test.ratings");
  const EvalResult eval = Evaluator(train, test).Evaluate(*backend);
  ExpectScalarNear(eval.mrr, g.Scalar("eval.mrr"), "eval.mrr");
  ExpectScalarNear(eval.mse, g.Scalar("eval.mse"), "eval.mse");
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendParity,
                         ::testing::Combine(::testing::ValuesIn(BackendNames()),
                                            ::testing::Values("shared_sigmoid", "separate_sigmoid",
                                                              "shared_log_userbias_l2")),
                         testing::BackendCaseParamName<const char*>());

}  // namespace
}  // namespace mtrec

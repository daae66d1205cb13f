// Within one backend, the same seed and data give bit-identical training and
// evaluation, run after run and for any thread count (1, 2, 3), with every
// optimizer; and training learns (the loss goes down).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "mtrec/infer/evaluator.h"
#include "mtrec/train/trainer.h"
#include "support/backend_test_util.h"

namespace mtrec {
namespace {

struct Outcome {
  std::vector<float> params;
  std::vector<double> numbers;     // per epoch: BPR, MSE and joint train loss, MRR, test MSE
  std::vector<float> predictions;  // the regression head on the test pairs
  OptimizerState optimizer;
};

// 3 epochs on the small synthetic data (batch 300: two full 128-sample blocks
// and a partial one per batch), evaluated after each.
// With `recipe`, the elements of mtrec's recipe on top: rating biases, the
// rating dot, the rating L2 penalty and the hardest of 4 negatives (and with
// separate tables and Adam, the implicit term).
Outcome Train(const std::string& backend_name, int threads, bool shared,
              OptimizerKind optimizer = OptimizerKind::kAdam, bool recipe = false,
              int ranking_dim = 0) {
  const testing::SmallData& data = testing::SmallSyntheticData();
  ModelConfig mc = testing::SmallModelConfig(data.train, shared);
  mc.rating_biases = recipe;
  mc.rating_dot = recipe;
  mc.rating_implicit = recipe && !shared && optimizer == OptimizerKind::kAdam;
  mc.ranking_dim = ranking_dim;
  const std::unique_ptr<Backend> backend =
      testing::NewBackend(backend_name, mc, threads, /*init_seed=*/7);
  if (backend == nullptr) return {};
  TrainConfig tc = testing::SmallTrainConfig(optimizer);
  if (recipe) {
    tc.rating_l2 = 0.5;
    tc.negatives = 4;
  }
  Trainer trainer(tc, backend.get());
  const Evaluator evaluator(data.train, data.test);
  Outcome out;
  for (int epoch = 0; epoch < 3; ++epoch) {
    auto losses = trainer.TrainEpoch(data.train);
    EXPECT_TRUE(losses.ok()) << losses.status().message();
    if (!losses.ok()) return {};
    const EvalResult eval = evaluator.Evaluate(*backend, &out.predictions);
    out.numbers.insert(out.numbers.end(), {losses->factorization, losses->regression, losses->joint,
                                           eval.mrr, eval.mse});
  }
  out.params = testing::ParamsOf(*backend);
  out.optimizer = backend->SaveOptimizerState();
  return out;
}

void ExpectBitIdentical(const Outcome& a, const Outcome& b) {
  ASSERT_FALSE(a.params.empty());
  ASSERT_EQ(a.params.size(), b.params.size());
  EXPECT_EQ(std::memcmp(a.params.data(), b.params.data(), a.params.size() * sizeof(float)), 0);
  ASSERT_EQ(a.numbers.size(), b.numbers.size());
  for (size_t k = 0; k < a.numbers.size(); ++k) EXPECT_EQ(a.numbers[k], b.numbers[k]) << k;
  ASSERT_EQ(a.predictions.size(), b.predictions.size());
  EXPECT_EQ(
      std::memcmp(a.predictions.data(), b.predictions.data(), a.predictions.size() * sizeof(float)),
      0);
  EXPECT_EQ(a.optimizer.steps, b.optimizer.steps);
  EXPECT_TRUE(a.optimizer.tensors == b.optimizer.tensors) << "optimizer state differs";
}

class BackendDeterminism : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { MTREC_SKIP_IF_BACKEND_UNAVAILABLE(GetParam()); }
};

TEST_P(BackendDeterminism, RepeatedRunsAreBitIdentical) {
  ExpectBitIdentical(Train(GetParam(), 2, true), Train(GetParam(), 2, true));
}

TEST_P(BackendDeterminism, ThreadCountDoesNotChangeResults) {
  for (bool shared : {true, false}) {
    for (OptimizerKind kind : {OptimizerKind::kAdam, OptimizerKind::kLazyAdam,
                               OptimizerKind::kAdagrad, OptimizerKind::kSgd,
                               OptimizerKind::kRowwiseAdagrad}) {
      SCOPED_TRACE(std::string(OptimizerName(kind)) + (shared ? " shared" : " separate"));
      const Outcome one = Train(GetParam(), 1, shared, kind);
      ExpectBitIdentical(one, Train(GetParam(), 2, shared, kind));
      ExpectBitIdentical(one, Train(GetParam(), 3, shared, kind));
    }
  }
}

TEST_P(BackendDeterminism, RecipeElementsGiveTheSameResultForAnyThreadCount) {
  for (bool shared : {true, false}) {
    for (OptimizerKind kind : {OptimizerKind::kAdam, OptimizerKind::kLazyAdam}) {
      SCOPED_TRACE(std::string(OptimizerName(kind)) + (shared ? " shared" : " separate"));
      const Outcome one = Train(GetParam(), 1, shared, kind, /*recipe=*/true);
      ExpectBitIdentical(one, Train(GetParam(), 2, shared, kind, true));
      ExpectBitIdentical(one, Train(GetParam(), 3, shared, kind, true));
      if (!shared) {  // the ranking tables of their own width (12; the rest 8)
        const Outcome wide = Train(GetParam(), 1, shared, kind, true, 12);
        ExpectBitIdentical(wide, Train(GetParam(), 3, shared, kind, true, 12));
        EXPECT_NE(wide.params.size(), one.params.size());
        // The rating head shares nothing with them and starts the same
        // (MultiTaskNet::InitRandom): its losses and test MSE are unchanged.
        ASSERT_EQ(wide.numbers.size(), one.numbers.size());
        for (size_t e = 0; e < one.numbers.size(); e += 5) {
          EXPECT_EQ(wide.numbers[e + 1], one.numbers[e + 1]) << "regression loss, epoch " << e / 5;
          EXPECT_EQ(wide.numbers[e + 4], one.numbers[e + 4]) << "test MSE, epoch " << e / 5;
          EXPECT_NE(wide.numbers[e + 3], one.numbers[e + 3]) << "MRR, epoch " << e / 5;
        }
      }
      // The elements change the run (they are not silently ignored), and it learns.
      const Outcome plain = Train(GetParam(), 2, shared, kind);
      EXPECT_NE(one.numbers, plain.numbers);
      ASSERT_EQ(one.numbers.size(), 15u);
      EXPECT_LT(one.numbers[12], one.numbers[2]) << "joint loss, epoch 3 vs epoch 1";
    }
  }
}

TEST_P(BackendDeterminism, EveryOptimizerLowersTheTrainingLoss) {
  for (OptimizerKind kind : {OptimizerKind::kAdam, OptimizerKind::kLazyAdam,
                             OptimizerKind::kAdagrad, OptimizerKind::kSgd,
                             OptimizerKind::kRowwiseAdagrad}) {
    SCOPED_TRACE(OptimizerName(kind));
    const Outcome o = Train(GetParam(), 2, true, kind);
    ASSERT_EQ(o.numbers.size(), 15u);
    EXPECT_LT(o.numbers[12], o.numbers[2]) << "joint loss, epoch 3 vs epoch 1";
  }
}

TEST_P(BackendDeterminism, TrainingLearnsSomething) {
  const Outcome o = Train(GetParam(), 2, true);
  ASSERT_EQ(o.numbers.size(), 15u);
  // Epoch 3's train losses are below epoch 1's.
  EXPECT_LT(o.numbers[10], o.numbers[0]);
  EXPECT_LT(o.numbers[11], o.numbers[1]);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendDeterminism, ::testing::ValuesIn(BackendNames()),
                         testing::BackendParamName());

}  // namespace
}  // namespace mtrec

// Same seed and data: bit-identical training and evaluation, run after run and
// for any thread count (the batch is split into fixed blocks, see batch_backprop.h).
#include <gtest/gtest.h>

#include <cstring>

#include "mtrec/backend/cpu/cpu_backend.h"
#include "mtrec/data/split.h"
#include "mtrec/eval/evaluator.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/train/trainer.h"
#include "support/synthetic.h"

namespace mtrec {
namespace {

struct Outcome {
  std::vector<float> params;
  std::vector<double> numbers;  // losses, MRR and MSE of every epoch
};

Outcome Train(int threads, bool shared, OptimizerKind optimizer = OptimizerKind::kAdam) {
  const Interactions all = testing::MakeSyntheticRatings(60, 80, 3000, 11);
  const TrainTestSplit split = RandomTrainTestSplit(all, 0.1);
  ModelConfig mc;
  mc.num_users = all.num_users;
  mc.num_items = all.num_items;
  mc.embedding_dim = 8;
  mc.hidden_layers = {16};
  mc.shared_embeddings = shared;
  CpuBackend backend(mc, BackendOptions{threads});
  backend.WriteParams([](MultiTaskNet& net) { net.InitRandom(7); });
  TrainConfig tc;
  tc.batch_size = 300;  // 3 blocks of 128 per batch, the last one partial
  tc.seed = 7;
  tc.factorization_weight = 0.5;
  tc.regression_weight = 0.5;
  tc.optimizer.kind = optimizer;
  Trainer trainer(tc, &backend);
  const Evaluator evaluator(split.train, split.test);
  Outcome out;
  for (int epoch = 0; epoch < 3; ++epoch) {
    auto losses = trainer.TrainEpoch(split.train);
    EXPECT_TRUE(losses.ok());
    const EvalResult eval = evaluator.Evaluate(backend);
    out.numbers.insert(out.numbers.end(), {losses->factorization, losses->regression, losses->joint,
                                           eval.mrr, eval.mse});
  }
  out.params.assign(backend.net().params().begin(), backend.net().params().end());
  return out;
}

void ExpectBitIdentical(const Outcome& a, const Outcome& b) {
  ASSERT_EQ(a.params.size(), b.params.size());
  EXPECT_EQ(std::memcmp(a.params.data(), b.params.data(), a.params.size() * sizeof(float)), 0);
  ASSERT_EQ(a.numbers.size(), b.numbers.size());
  for (size_t k = 0; k < a.numbers.size(); ++k) EXPECT_EQ(a.numbers[k], b.numbers[k]) << k;
}

TEST(Determinism, RepeatedRunsAreBitIdentical) {
  ExpectBitIdentical(Train(2, true), Train(2, true));
}

TEST(Determinism, ThreadCountDoesNotChangeResults) {
  const Outcome one = Train(1, true);
  ExpectBitIdentical(one, Train(2, true));
  ExpectBitIdentical(one, Train(3, true));
  const Outcome separate = Train(1, false);
  ExpectBitIdentical(separate, Train(3, false));
  for (OptimizerKind kind :
       {OptimizerKind::kLazyAdam, OptimizerKind::kAdagrad, OptimizerKind::kSgd}) {
    SCOPED_TRACE(OptimizerName(kind));
    ExpectBitIdentical(Train(1, false, kind), Train(2, false, kind));
  }
}

TEST(Determinism, EveryOptimizerLowersTheTrainingLoss) {
  for (OptimizerKind kind : {OptimizerKind::kAdam, OptimizerKind::kLazyAdam,
                             OptimizerKind::kAdagrad, OptimizerKind::kSgd}) {
    SCOPED_TRACE(OptimizerName(kind));
    const Outcome o = Train(2, true, kind);
    EXPECT_LT(o.numbers[12], o.numbers[2]) << "joint loss, epoch 3 vs epoch 1";
  }
}

TEST(Determinism, TrainingLearnsSomething) {
  const Outcome o = Train(2, true);
  // Epoch 3's train losses are below epoch 1's.
  EXPECT_LT(o.numbers[10], o.numbers[0]);
  EXPECT_LT(o.numbers[11], o.numbers[1]);
}

}  // namespace
}  // namespace mtrec

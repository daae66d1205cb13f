// Data-parallel training (dist/communicator.h) with 2 and 3 ranks, run in one
// process by ThreadRanks: every rank ends with bit for bit the weights,
// optimizer state, losses and metrics of one process, for dense and lazy Adam
// with shared and separate embeddings and any thread count. (tests/mpi/ runs
// the same through mpirun and the CLI.)
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "mtrec/dist/communicator.h"
#include "mtrec/infer/evaluator.h"
#include "mtrec/train/trainer.h"
#include "support/backend_test_util.h"
#include "support/thread_communicator.h"

namespace mtrec {
namespace {

struct RanksOutcome {
  std::vector<float> params;
  std::vector<double> numbers;  // per epoch: the three train losses, MRR, test MSE
  OptimizerState optimizer;
};

// 3 epochs of the determinism suite's data (batch 300: 3 blocks, the last
// partial, and a short last batch) on `comm`'s ranks.
RanksOutcome Train(Communicator& comm, int threads, bool shared, OptimizerKind optimizer) {
  const testing::SmallData& data = testing::SmallSyntheticData();
  auto made = MakeBackend("cpu", testing::SmallModelConfig(data.train, shared),
                          BackendOptions{threads, &comm});
  EXPECT_TRUE(made.ok()) << made.status().message();
  if (!made.ok()) return {};
  Backend& backend = **made;
  backend.WriteParams([](MultiTaskNet& net) { net.InitRandom(7); });
  Trainer trainer(testing::SmallTrainConfig(optimizer), &backend);
  const Evaluator evaluator(data.train, data.test, &comm);
  RanksOutcome out;
  for (int epoch = 0; epoch < 3; ++epoch) {
    auto losses = trainer.TrainEpoch(data.train);
    EXPECT_TRUE(losses.ok()) << losses.status().message();
    if (!losses.ok()) return {};
    const EvalResult eval = evaluator.Evaluate(backend);
    out.numbers.insert(out.numbers.end(), {losses->factorization, losses->regression, losses->joint,
                                           eval.mrr, eval.mse});
  }
  out.params = testing::ParamsOf(backend);
  out.optimizer = backend.SaveOptimizerState();
  return out;
}

struct Case {
  bool shared;
  OptimizerKind optimizer;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << (c.shared ? "shared, " : "separate, ") << OptimizerName(c.optimizer);
}

class BackendDataParallel : public ::testing::TestWithParam<Case> {};

TEST_P(BackendDataParallel, EveryRankEndsWithTheOneProcessResult) {
  const Case c = GetParam();
  const RanksOutcome one = Train(SingleProcess(), 2, c.shared, c.optimizer);
  ASSERT_FALSE(one.params.empty());
  for (const auto& [ranks, threads] : {std::pair{2, 1}, std::pair{3, 2}}) {
    std::vector<RanksOutcome> outcomes(ranks);
    testing::ThreadRanks(ranks).Run([&](Communicator& comm) {
      outcomes[comm.rank()] = Train(comm, threads, c.shared, c.optimizer);
    });
    for (int r = 0; r < ranks; ++r) {
      SCOPED_TRACE("rank " + std::to_string(r) + " of " + std::to_string(ranks));
      EXPECT_TRUE(outcomes[r].params == one.params);
      EXPECT_EQ(outcomes[r].numbers, one.numbers);
      EXPECT_EQ(outcomes[r].optimizer.steps, one.optimizer.steps);
      EXPECT_TRUE(outcomes[r].optimizer.tensors == one.optimizer.tensors);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backend, BackendDataParallel,
                         ::testing::Values(Case{true, OptimizerKind::kAdam},
                                           Case{false, OptimizerKind::kLazyAdam},
                                           Case{true, OptimizerKind::kLazyAdam},
                                           Case{false, OptimizerKind::kAdam},
                                           Case{false, OptimizerKind::kRowwiseAdagrad}),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           return std::string(param.param.shared ? "shared_" : "separate_") +
                                  OptimizerName(param.param.optimizer);
                         });

}  // namespace
}  // namespace mtrec

// Data-parallel training (dist/communicator.h) with 1, 2 and 3 ranks, run in
// one process by ThreadRanks: every rank ends with bit for bit the weights,
// optimizer state, losses and metrics of one process, for dense and lazy Adam
// with shared and separate embeddings and any thread count; with the tables
// sharded across the ranks (BackendOptions::shard_tables) too, for every
// optimizer, with and without rating biases (the evaluation split by items,
// in several rounds), and a state streamed from 2 ranks (as a checkpoint
// writes it) goes on on 3, each rank reading its own rows of it.
// (tests/mpi/ runs the same through mpirun and the CLI.)
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mtrec/backend/cpu/sharded_cpu_backend.h"
#include "mtrec/dist/communicator.h"
#include "mtrec/infer/evaluator.h"
#include "mtrec/train/trainer.h"
#include "support/backend_test_util.h"
#include "support/thread_communicator.h"

namespace mtrec {
namespace {

struct Case {
  bool shared;
  OptimizerKind optimizer;
  bool rating_biases = false;
  int negatives = 1;  // > 1: hard negatives (the hardest of that many candidates)
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << (c.shared ? "shared, " : "separate, ") << (c.rating_biases ? "rating biases, " : "")
      << OptimizerName(c.optimizer) << (c.negatives > 1 ? ", hard negatives" : "");
}

std::string NameOf(const ::testing::TestParamInfo<Case>& param) {
  return std::string(param.param.shared ? "shared_" : "separate_") +
         (param.param.rating_biases ? "biases_" : "") + OptimizerName(param.param.optimizer) +
         (param.param.negatives > 1 ? "_hard_negatives" : "");
}

struct RanksOutcome {
  std::vector<float> params;
  std::vector<double> numbers;  // per epoch: the three train losses, MRR, test MSE
  OptimizerState optimizer;
  EpochCursor cursor;
};

// The optimizer state as a checkpoint holds it. Sharded tables: streamed to
// rank 0 (a collective; the other ranks get the name and steps only), after
// the parameters, which must be net()'s.
OptimizerState StateOf(const Backend& backend) {
  OptimizerState state = backend.SaveOptimizerState();
  if (!backend.tables_sharded()) return state;
  std::vector<float> all;
  const Backend::FloatsEmit emit = [&](std::span<const float> v) {
    all.insert(all.end(), v.begin(), v.end());
  };
  backend.StreamState(&emit);
  if (all.empty()) return state;  // not rank 0
  const std::vector<float> params = testing::ParamsOf(backend);
  EXPECT_TRUE(std::equal(params.begin(), params.end(), all.begin()));
  auto at = all.begin() + std::ssize(params);
  for (const auto& [name, size] : backend.OptimizerStateSizes()) {
    state.tensors.emplace_back(name, std::vector<float>(at, at + size));
    at += size;
  }
  EXPECT_TRUE(at == all.end());
  return state;
}

// Reads `start`'s tensors as a checkpoint names them (LoadState's reader).
Backend::TensorRead ReaderOf(const RanksOutcome& start, const ParameterLayout& layout) {
  return [&start, &layout](const std::string& name, int64_t offset, std::span<float> out) {
    const float* from = nullptr;
    for (const auto& [tensor, values] : start.optimizer.tensors) {
      if ("optimizer." + tensor == name) from = values.data();
    }
    for (const ParamBlock& b : layout.blocks()) {
      if (b.name == name) from = start.params.data() + b.offset;
    }
    EXPECT_NE(from, nullptr) << name;
    if (from != nullptr) std::copy_n(from + offset, out.size(), out.begin());
    return Status::Ok();
  };
}

// `epochs` epochs of the determinism suite's data (batch 300: 3 blocks, the
// last partial, and a short last batch) on `comm`'s ranks, tables sharded or
// not, from `start` (the state after earlier epochs) or the seeded initialisation.
RanksOutcome Train(Communicator& comm, int threads, const Case& c, bool shard = false,
                   int epochs = 3, const RanksOutcome* start = nullptr) {
  const testing::SmallData& data = testing::SmallSyntheticData();
  ModelConfig mc = testing::SmallModelConfig(data.train, c.shared);
  mc.rating_biases = c.rating_biases;
  auto made = MakeBackend("cpu", mc, BackendOptions{threads, &comm, shard});
  EXPECT_TRUE(made.ok()) << made.status().message();
  if (!made.ok()) return {};
  Backend& backend = **made;
  if (shard) {  // evaluation in several rounds of users and of test pairs
    dynamic_cast<ShardedCpuBackend&>(backend).SetEvaluationRounds(7, 1);
  }
  TrainConfig tc = testing::SmallTrainConfig(c.optimizer);
  tc.negatives = c.negatives;
  Trainer trainer(tc, &backend);
  if (start == nullptr) {
    backend.WriteParams([](MultiTaskNet& net) { net.InitRandom(7); });
  } else if (shard) {  // each rank reads its own rows
    EXPECT_TRUE(backend
                    .LoadState(ReaderOf(*start, backend.net().layout()),
                               OptimizerShape::Of(start->optimizer), "start")
                    .ok());
    trainer.ResumeEpoch(start->cursor);
  } else {
    backend.WriteParams([&](MultiTaskNet& net) {
      std::copy(start->params.begin(), start->params.end(), net.params().begin());
    });
    EXPECT_TRUE(backend.LoadOptimizerState(start->optimizer, "start").ok());
    trainer.ResumeEpoch(start->cursor);
  }
  const Evaluator evaluator(data.train, data.test, &comm);
  RanksOutcome out;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    auto losses = trainer.TrainEpoch(data.train);
    EXPECT_TRUE(losses.ok()) << losses.status().message();
    if (!losses.ok()) return {};
    const EvalResult eval = evaluator.Evaluate(backend);
    out.numbers.insert(out.numbers.end(), {losses->factorization, losses->regression, losses->joint,
                                           eval.mrr, eval.mse});
  }
  out.params = testing::ParamsOf(backend);
  out.optimizer = StateOf(backend);
  out.cursor = trainer.cursor();
  return out;
}

// With `state`, the optimizer state too (sharded tables: rank 0 alone receives it whole).
void ExpectSame(const RanksOutcome& got, const RanksOutcome& want, bool state = true) {
  EXPECT_TRUE(got.params == want.params);
  EXPECT_EQ(got.numbers, want.numbers);
  EXPECT_EQ(got.optimizer.name, want.optimizer.name);
  EXPECT_EQ(got.optimizer.steps, want.optimizer.steps);
  if (state) {
    EXPECT_TRUE(got.optimizer.tensors == want.optimizer.tensors);
  }
}

// Every rank's outcome of `ranks` ranks of `threads` threads.
std::vector<RanksOutcome> OnRanks(int ranks, int threads, const Case& c, bool shard, int epochs = 3,
                                  const RanksOutcome* start = nullptr) {
  std::vector<RanksOutcome> outcomes(ranks);
  testing::ThreadRanks(ranks).Run([&](Communicator& comm) {
    outcomes[comm.rank()] = Train(comm, threads, c, shard, epochs, start);
  });
  return outcomes;
}

class BackendDataParallel : public ::testing::TestWithParam<Case> {};

TEST_P(BackendDataParallel, EveryRankEndsWithTheOneProcessResult) {
  const Case c = GetParam();
  const RanksOutcome one = Train(SingleProcess(), 2, c);
  ASSERT_FALSE(one.params.empty());
  for (const auto& [ranks, threads] : {std::pair{2, 1}, std::pair{3, 2}}) {
    const std::vector<RanksOutcome> outcomes = OnRanks(ranks, threads, c, /*shard=*/false);
    for (int r = 0; r < ranks; ++r) {
      SCOPED_TRACE("rank " + std::to_string(r) + " of " + std::to_string(ranks));
      ExpectSame(outcomes[r], one);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backend, BackendDataParallel,
                         ::testing::Values(Case{true, OptimizerKind::kAdam},
                                           Case{false, OptimizerKind::kLazyAdam},
                                           Case{true, OptimizerKind::kLazyAdam},
                                           Case{false, OptimizerKind::kAdam},
                                           Case{false, OptimizerKind::kRowwiseAdagrad}),
                         NameOf);

class BackendShardedTables : public ::testing::TestWithParam<Case> {};

TEST_P(BackendShardedTables, EveryRankEndsWithTheOneProcessResult) {
  const Case c = GetParam();
  const RanksOutcome one = Train(SingleProcess(), 2, c);  // replicated
  ASSERT_FALSE(one.params.empty());
  for (const auto& [ranks, threads] : {std::pair{1, 1}, std::pair{1, 2}, std::pair{2, 1},
                                       std::pair{2, 2}, std::pair{3, 1}, std::pair{3, 2}}) {
    const std::vector<RanksOutcome> outcomes = OnRanks(ranks, threads, c, /*shard=*/true);
    for (int r = 0; r < ranks; ++r) {
      SCOPED_TRACE("rank " + std::to_string(r) + " of " + std::to_string(ranks) + ", " +
                   std::to_string(threads) + " threads");
      ExpectSame(outcomes[r], one, /*state=*/r == 0);
    }
  }
}

TEST_P(BackendShardedTables, StateStreamedFromTwoRanksGoesOnOnThree) {
  const Case c = GetParam();
  const RanksOutcome one = Train(SingleProcess(), 1, c, /*shard=*/false, /*epochs=*/2);
  const std::vector<RanksOutcome> first = OnRanks(2, 1, c, /*shard=*/true, /*epochs=*/1);
  const std::vector<RanksOutcome> rest = OnRanks(3, 1, c, /*shard=*/true, /*epochs=*/1, &first[0]);
  for (int r = 0; r < 3; ++r) {
    SCOPED_TRACE("rank " + std::to_string(r));
    EXPECT_TRUE(rest[r].params == one.params);
    EXPECT_EQ(rest[r].optimizer.steps, one.optimizer.steps);
    if (r == 0) {
      EXPECT_TRUE(rest[r].optimizer.tensors == one.optimizer.tensors);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backend, BackendShardedTables,
                         ::testing::Values(Case{true, OptimizerKind::kAdam, true},
                                           Case{false, OptimizerKind::kLazyAdam, true},
                                           Case{true, OptimizerKind::kLazyAdam},
                                           Case{false, OptimizerKind::kAdam},
                                           Case{true, OptimizerKind::kAdagrad, true},
                                           Case{false, OptimizerKind::kAdagrad, true},
                                           Case{false, OptimizerKind::kRowwiseAdagrad, true},
                                           Case{true, OptimizerKind::kSgd},
                                           Case{false, OptimizerKind::kLazyAdam, true, 3}),
                         NameOf);

// Three ranks on a model with two users: refused, naming the flag.
TEST(BackendShardedTablesShape, FewerRowsThanRanksIsRefused) {
  testing::ThreadRanks(3).Run([&](Communicator& comm) {
    ModelConfig mc = testing::SmallModelConfig(testing::SmallSyntheticData().train, true);
    mc.num_users = 2;
    auto made = MakeBackend("cpu", mc, BackendOptions{1, &comm, true});
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.status().message().rfind("shard_tables: 3 ranks", 0), 0u)
        << made.status().message();
  });
}

// Only the cpu backend takes part in data-parallel training: another backend
// under several ranks, or asked to shard, is refused in one line.
TEST(BackendDataParallelShape, OtherBackendsAreRefusedUnderSeveralRanks) {
  const std::vector<std::string> names = BackendNames();
  if (std::find(names.begin(), names.end(), "cuda-host") == names.end()) {
    GTEST_SKIP() << "no cuda-host backend in this build";
  }
  const ModelConfig mc = testing::SmallModelConfig(testing::SmallSyntheticData().train, true);
  testing::ThreadRanks(2).Run([&](Communicator& comm) {
    auto made = MakeBackend("cuda-host", mc, BackendOptions{1, &comm});
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.status().message().rfind("backend: the 'cuda-host' backend does not train", 0),
              0u)
        << made.status().message();
  });
  auto sharded = MakeBackend("cuda-host", mc, BackendOptions{1, nullptr, true});
  EXPECT_FALSE(sharded.ok());
}

}  // namespace
}  // namespace mtrec

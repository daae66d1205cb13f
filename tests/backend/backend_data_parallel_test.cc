// Data-parallel training (dist/communicator.h) with 1, 2 and 3 ranks, run in
// one process by ThreadRanks: every rank ends with bit for bit the weights,
// optimizer state, losses and metrics of one process, for dense and lazy Adam
// with shared and separate embeddings and any thread count; with the tables
// sharded across the ranks (BackendOptions::shard_tables) too, for every
// optimizer, with and without rating biases (the evaluation split by items,
// in several rounds), and a state streamed from 2 ranks (as a checkpoint
// writes it) goes on on 3, each rank reading its own rows of it; every rank
// holds its rows only, and a Model fitted with early stopping or split heads
// keeps its copies as rows too.
// (tests/mpi/ runs the same through mpirun and the CLI.)
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mtrec/api/model_hooks.h"
#include "mtrec/backend/cpu/sharded_cpu_backend.h"
#include "mtrec/dist/communicator.h"
#include "mtrec/infer/evaluator.h"
#include "mtrec/model.h"
#include "mtrec/train/early_stopping.h"
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
  int ranking_dim = 0;  // separate tables: the ranking tables' own width (0: embedding_dim)
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << (c.shared ? "shared, " : "separate, ") << (c.rating_biases ? "rating biases, " : "")
      << OptimizerName(c.optimizer) << (c.negatives > 1 ? ", hard negatives" : "")
      << (c.ranking_dim > 0 ? ", ranking_dim " + std::to_string(c.ranking_dim) : "");
}

std::string NameOf(const ::testing::TestParamInfo<Case>& param) {
  return std::string(param.param.shared ? "shared_" : "separate_") +
         (param.param.rating_biases ? "biases_" : "") + OptimizerName(param.param.optimizer) +
         (param.param.negatives > 1 ? "_hard_negatives" : "") +
         (param.param.ranking_dim > 0 ? "_ranking" + std::to_string(param.param.ranking_dim) : "");
}

// The model of `c` on the suite's data.
ModelConfig ModelConfigOf(const Case& c) {
  ModelConfig mc = testing::SmallModelConfig(testing::SmallSyntheticData().train, c.shared);
  mc.rating_biases = c.rating_biases;
  mc.ranking_dim = c.ranking_dim;
  return mc;
}

struct RanksOutcome {
  std::vector<float> params;  // the whole model's (sharded tables: rank 0's, streamed)
  std::vector<float> held;    // sharded tables: Backend::held()'s, this rank's rows and the MLP
  int rank = 0, ranks = 1;
  std::vector<double> numbers;  // per epoch: the three train losses, MRR, test MSE
  OptimizerState optimizer;
  EpochCursor cursor;
};

// Rank `rank` of `ranks`'s rows of every table of the flat buffer `full` of a
// model of shape `mc` (row r on rank r % ranks), and the whole MLP: what
// Backend::held() holds with sharded tables.
std::vector<float> HeldRows(std::span<const float> full, const ModelConfig& mc, int rank,
                            int ranks) {
  const MultiTaskNet shape = MultiTaskNet::ShapeOnly(mc);
  std::vector<float> held;
  for (const ParamBlock& b : shape.layout().blocks()) {
    const bool table = b.offset < shape.roles().mlp_offset;
    for (int64_t row = 0; row < b.rows; ++row) {
      if (table && row % ranks != rank) continue;
      held.insert(held.end(), full.begin() + b.offset + row * b.cols,
                  full.begin() + b.offset + (row + 1) * b.cols);
    }
  }
  return held;
}

// The model's parameters and optimizer state as a checkpoint holds them.
// Sharded tables: streamed to rank 0 (a collective; the other ranks get the
// name and steps only, and keep their held rows), checked to hold this rank's
// rows only.
void CaptureState(const Backend& backend, RanksOutcome* out) {
  out->optimizer = backend.SaveOptimizerState();
  if (!backend.tables_sharded()) {
    out->params = testing::ParamsOf(backend);
    return;
  }
  const MultiTaskNet& shape = backend.net();
  const std::span<const float> held = backend.held().params();
  out->held.assign(held.begin(), held.end());
  // What fails if a rank holds the whole table: its buffer is its rows only.
  const int64_t whole = shape.layout().total_size();
  EXPECT_EQ(std::ssize(held),
            std::ssize(HeldRows(std::vector<float>(whole), shape.config(), out->rank, out->ranks)));
  EXPECT_EQ(backend.holds_whole_model(), out->ranks == 1);
  if (out->ranks > 1) {
    EXPECT_TRUE(shape.params().empty()) << "net() holds " << shape.params().size() << " floats";
  }
  std::vector<float> all;
  const Backend::FloatsEmit emit = [&](std::span<const float> v) {
    all.insert(all.end(), v.begin(), v.end());
  };
  backend.StreamState(&emit);
  if (all.empty()) return;  // not rank 0
  out->params.assign(all.begin(), all.begin() + whole);
  auto at = all.begin() + whole;
  for (const auto& [name, size] : backend.StateShape().tensors) {
    out->optimizer.tensors.emplace_back(name, std::vector<float>(at, at + size));
    at += size;
  }
  EXPECT_TRUE(at == all.end());
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
  const ModelConfig mc = ModelConfigOf(c);
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
    backend.InitRandom(7);
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
  out.rank = comm.rank();
  out.ranks = comm.size();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    auto losses = trainer.TrainEpoch(data.train);
    EXPECT_TRUE(losses.ok()) << losses.status().message();
    if (!losses.ok()) return {};
    const EvalResult eval = evaluator.Evaluate(backend);
    out.numbers.insert(out.numbers.end(), {losses->factorization, losses->regression, losses->joint,
                                           eval.mrr, eval.mse});
  }
  CaptureState(backend, &out);
  out.cursor = trainer.cursor();
  return out;
}

// The parameters (sharded tables: rank 0's whole copy, and every rank's held
// rows), and with `state` the optimizer state too (sharded tables: rank 0
// alone receives it whole).
void ExpectSameParams(const RanksOutcome& got, const RanksOutcome& want, const ModelConfig& mc,
                      bool state = true) {
  EXPECT_TRUE(!got.params.empty() || !got.held.empty());
  if (!got.params.empty()) {
    EXPECT_TRUE(got.params == want.params);
  }
  if (!got.held.empty()) {
    EXPECT_TRUE(got.held == HeldRows(want.params, mc, got.rank, got.ranks));
  }
  EXPECT_EQ(got.optimizer.name, want.optimizer.name);
  EXPECT_EQ(got.optimizer.steps, want.optimizer.steps);
  if (state) {
    EXPECT_TRUE(got.optimizer.tensors == want.optimizer.tensors);
  }
}

void ExpectSame(const RanksOutcome& got, const RanksOutcome& want, const ModelConfig& mc,
                bool state = true) {
  ExpectSameParams(got, want, mc, state);
  EXPECT_EQ(got.numbers, want.numbers);
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
      ExpectSame(outcomes[r], one, ModelConfigOf(c));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backend, BackendDataParallel,
                         ::testing::Values(Case{true, OptimizerKind::kAdam},
                                           Case{false, OptimizerKind::kLazyAdam},
                                           Case{true, OptimizerKind::kLazyAdam},
                                           Case{false, OptimizerKind::kAdam},
                                           Case{false, OptimizerKind::kRowwiseAdagrad},
                                           Case{false, OptimizerKind::kAdam, true, 3, 12}),
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
      ExpectSame(outcomes[r], one, ModelConfigOf(c), /*state=*/r == 0);
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
    ExpectSameParams(rest[r], one, ModelConfigOf(c), /*state=*/r == 0);
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
                                           Case{false, OptimizerKind::kLazyAdam, true, 3},
                                           Case{false, OptimizerKind::kLazyAdam, true, 3, 12},
                                           Case{false, OptimizerKind::kAdam, false, 1, 5}),
                         NameOf);

// A Model trained by ranks with sharded tables through the run policy's hooks,
// with early stopping (per head with separate tables) or each head its own
// epoch count (FitOptions::rating_epochs): every rank keeps the best epoch's
// and the earlier head's copies as its own rows, never a whole table, ends
// with one process's weights and metrics, and refuses what reads whole tables.
struct FitCase {
  bool shared;
  bool per_head;      // early stopping per head (separate tables)
  int rating_epochs;  // > 0: no early stopping, the heads split
};

std::string FitCaseName(const ::testing::TestParamInfo<FitCase>& param) {
  const FitCase& f = param.param;
  return std::string(f.shared ? "shared" : "separate") + (f.rating_epochs > 0 ? "_split_heads"
                                                          : f.per_head        ? "_per_head"
                                                                              : "_early_stopping");
}

struct FitOutcome {
  std::vector<float> params, best;  // whole (sharded: rank 0's, streamed)
  std::vector<float> held, best_held;
  std::vector<double> numbers;  // per epoch: test MRR and MSE, validation MRR and MSE, joint loss
  int best_epoch = 0, best_rating_epoch = 0;
};

FitOutcome FitOnRank(Communicator* comm, const FitCase& f) {
  const testing::SmallData& data = testing::SmallSyntheticData();
  ModelOptions o;
  o.model = ModelConfigOf(Case{f.shared, OptimizerKind::kLazyAdam, /*rating_biases=*/true});
  o.train = testing::SmallTrainConfig(OptimizerKind::kLazyAdam);
  o.threads = 1;
  o.shard_tables = comm != nullptr;
  Result<Model> made = ModelHooks::Make(o, IdMap::Identity(o.model.num_users),
                                        IdMap::Identity(o.model.num_items), comm);
  EXPECT_TRUE(made.ok()) << made.status().message();
  if (!made.ok()) return {};
  Model& model = *made;
  Backend& backend = ModelHooks::BackendOf(model);
  backend.InitRandom(o.train.seed);
  FitOptions fit;
  fit.epochs = 4;
  fit.test = &data.test;
  fit.rating_epochs = f.rating_epochs;
  if (f.rating_epochs == 0) {
    fit.validation = &data.test;
    fit.early_stopping.metric = Metric::kMrr;
    fit.early_stopping.patience = 4;
    fit.early_stopping.per_head = f.per_head;
  }
  EarlyStopping early(fit.early_stopping);
  const Result<FitResult> fitted = ModelHooks::Fit(model, data.train, fit, early);
  EXPECT_TRUE(fitted.ok()) << fitted.status().message();
  if (!fitted.ok()) return {};
  FitOutcome out;
  for (const EpochStats& e : model.history()) {
    out.numbers.insert(out.numbers.end(), {e.eval.mrr, e.eval.mse, e.validation.mrr,
                                           e.validation.mse, e.losses.joint});
  }
  out.best_epoch = fitted->best_epoch;
  out.best_rating_epoch = fitted->best_rating_epoch;
  const std::span<const float> held = backend.held().params();
  out.held.assign(held.begin(), held.end());
  out.best_held = early.best_params();
  if (comm == nullptr) {
    out.params = out.held;
    out.best = out.best_held;
    return out;
  }
  const int64_t whole = backend.net().layout().total_size();
  std::vector<float> all, best;
  const Backend::FloatsEmit to_all = [&](std::span<const float> v) {
    all.insert(all.end(), v.begin(), v.end());
  };
  const Backend::FloatsEmit to_best = [&](std::span<const float> v) {
    best.insert(best.end(), v.begin(), v.end());
  };
  backend.StreamState(&to_all);
  if (!out.best_held.empty()) backend.StreamParams(out.best_held, &to_best);
  if (!all.empty()) out.params.assign(all.begin(), all.begin() + whole);
  out.best = best;
  if (comm->size() > 1) {  // no rank holds the whole tables
    EXPECT_TRUE(backend.net().params().empty());
    EXPECT_LT(std::ssize(out.held), whole);
    EXPECT_EQ(model.Score(0, 0).status().code(), Status::Code::kUnavailable);
    EXPECT_EQ(model.Recommend(0, 5).status().code(), Status::Code::kUnavailable);
  }
  return out;
}

class ShardedModelFit : public ::testing::TestWithParam<FitCase> {};

TEST_P(ShardedModelFit, RanksKeepTheirRowsOfEveryCopyAndEndAsOneProcess) {
  const FitCase f = GetParam();
  const FitOutcome one = FitOnRank(nullptr, f);
  ASSERT_FALSE(one.params.empty());
  EXPECT_EQ(one.best.empty(), f.rating_epochs > 0);
  const ModelConfig mc = ModelConfigOf(Case{f.shared, OptimizerKind::kLazyAdam, true});
  for (int ranks : {1, 2, 3}) {
    std::vector<FitOutcome> outcomes(ranks);
    testing::ThreadRanks(ranks).Run(
        [&](Communicator& comm) { outcomes[comm.rank()] = FitOnRank(&comm, f); });
    for (int r = 0; r < ranks; ++r) {
      SCOPED_TRACE("rank " + std::to_string(r) + " of " + std::to_string(ranks));
      const FitOutcome& got = outcomes[r];
      EXPECT_EQ(got.numbers, one.numbers);
      EXPECT_EQ(got.best_epoch, one.best_epoch);
      EXPECT_EQ(got.best_rating_epoch, one.best_rating_epoch);
      EXPECT_TRUE(got.held == HeldRows(one.params, mc, r, ranks));
      EXPECT_TRUE(got.best_held ==
                  (one.best.empty() ? one.best : HeldRows(one.best, mc, r, ranks)));
      if (r == 0) {
        EXPECT_TRUE(got.params == one.params);
        EXPECT_TRUE(got.best == one.best);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backend, ShardedModelFit,
                         ::testing::Values(FitCase{true, false, 0}, FitCase{false, true, 0},
                                           FitCase{false, false, 2}),
                         FitCaseName);

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

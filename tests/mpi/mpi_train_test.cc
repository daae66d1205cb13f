// Data-parallel training under mpirun (ctest registers these only in a build
// with MPI): any number of ranks gives bit for bit the metrics and weights of
// one process; a run resumes across rank counts; a failed, killed or
// mismatched rank ends the whole job quickly with a message naming it; Ctrl-C
// stops every rank and rank 0 saves the checkpoint.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "mtrec/train/checkpoint.h"
#include "support/checkpoint_compare.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::MetricsWithoutTimes;
using testing::ReadFile;
using testing::ReadLines;
using testing::RunCommand;
using testing::ShellQuote;
using testing::TempDir;

// mpirun on loopback, as root in CI, with more ranks than cores.
std::string Mpirun(int ranks) {
  return std::string(MTREC_MPIEXEC) + " --allow-run-as-root --oversubscribe --bind-to none -np " +
         std::to_string(ranks) + " ";
}

std::string Join(const std::vector<std::string>& args) {
  std::string s;
  for (const std::string& a : args) s += " " + ShellQuote(a);
  return s;
}

using testing::ExpectSameWeights;

class MpiTrain : public ::testing::Test {
 protected:
  // 150 users x 20 items: ~2,700 training rows; batch 300 = 3 blocks of 128
  // (the last one partial), so 2 and 3 ranks split every batch unevenly.
  void SetUp() override { testing::WriteGroupedRatings(tmp_.path(), 150, 60, 20, 7); }

  std::vector<std::string> Train(const std::string& name, std::vector<std::string> extra) const {
    std::vector<std::string> args = {MTREC_CLI_PATH, "train",     "--dataset", tmp_ / "u.data",
                                     "--logdir",     tmp_ / name, "--seed",    "4",
                                     "--batch_size", "300",       "--epochs",  "3"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  // Runs `args` on `ranks` ranks (0: without mpirun), in the temp folder.
  testing::CommandResult Run(int ranks, const std::vector<std::string>& args) const {
    return RunCommand("cd " + ShellQuote(tmp_.path().string()) + " && " +
                      (ranks > 0 ? Mpirun(ranks) : "") + Join(args));
  }
  // Runs `mtrec <script>` through sh on each rank (so that $OMPI_COMM_WORLD_RANK
  // can choose a rank's arguments).
  testing::CommandResult RunOnEachRank(int ranks, const std::string& script) const {
    return RunCommand("cd " + ShellQuote(tmp_.path().string()) + " && " + Mpirun(ranks) + "sh -c " +
                      ShellQuote(ShellQuote(MTREC_CLI_PATH) + " " + script));
  }
  TempDir tmp_;
};

TEST_F(MpiTrain, AnyNumberOfRanksAndThreadsGivesTheOneProcessResult) {
  const std::vector<std::vector<std::string>> variants = {
      {"--optimizer", "adam"},
      {"--optimizer", "lazy_adam", "--no_shared_embeddings"},
      {"--optimizer", "lazy_adam"},
      {"--optimizer", "adam", "--no_shared_embeddings"},
  };
  for (size_t v = 0; v < variants.size(); ++v) {
    const std::string tag = std::to_string(v);
    SCOPED_TRACE(Join(variants[v]));
    auto extra = [&](const std::string& threads, const std::string& run) {
      std::vector<std::string> e = variants[v];
      e.insert(e.end(), {"--threads", threads, "--save", tmp_ / (run + ".ckpt")});
      return e;
    };
    auto one = Run(0, Train("one" + tag, extra("2", "one" + tag)));
    ASSERT_EQ(one.exit_code, 0) << one.err;
    EXPECT_NE(one.out.find("2 threads x 1 rank\n"), std::string::npos) << one.out;
    const auto expected = MetricsWithoutTimes(tmp_.path() / ("one" + tag));
    ASSERT_EQ(expected.size(), 3u);
    for (const auto& [ranks, threads] : {std::pair{2, "1"}, std::pair{3, "2"}}) {
      const std::string run = "r" + std::to_string(ranks) + "_" + tag;
      auto r = Run(ranks, Train(run, extra(threads, run)));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(MetricsWithoutTimes(tmp_.path() / run), expected) << ranks << " ranks";
      ExpectSameWeights(tmp_ / ("one" + tag + ".ckpt"), tmp_ / (run + ".ckpt"));
      // Rank 0 alone reports and writes: one table, the rank count recorded.
      EXPECT_NE(r.out.find(std::string(threads) + " threads x " + std::to_string(ranks) + " ranks"),
                std::string::npos)
          << r.out;
      EXPECT_EQ(r.out.find("factorization  train_mse"), r.out.rfind("factorization  train_mse"))
          << r.out;
      EXPECT_NE(
          ReadFile(tmp_.path() / run / "config.json").find("\"ranks\":" + std::to_string(ranks)),
          std::string::npos);
      EXPECT_NE(r.err.find(std::to_string(ranks) + " ranks; rank 0 sent"), std::string::npos)
          << r.err;
    }
  }
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "runs"));  // no rank claimed a default folder
}

// --shard_tables: every table and its optimizer state split across the ranks,
// the same metrics and checkpoints as one replicated process (hard negatives
// too), rank 0 receiving the rows as it writes them: at the end, every epoch
// (--save_every), the best epoch's (--save_best) and with early stopping's
// best weights.
TEST_F(MpiTrain, ShardedTablesGiveTheOneProcessResult) {
  const std::vector<std::vector<std::string>> variants = {
      {"--optimizer", "adam", "--rating_biases", "--save_every", "1", "--save_best", "mrr"},
      {"--optimizer", "lazy_adam", "--no_shared_embeddings", "--rating_biases", "--early_stopping",
       "mrr", "--patience", "1"},
      {"--optimizer", "adagrad", "--no_shared_embeddings", "--negatives", "3"},
  };
  for (size_t v = 0; v < variants.size(); ++v) {
    const std::string tag = std::to_string(v);
    SCOPED_TRACE(Join(variants[v]));
    auto extra = [&](const std::string& threads, const std::string& run, bool shard) {
      std::vector<std::string> e = variants[v];
      e.insert(e.end(), {"--threads", threads, "--save", tmp_ / (run + ".ckpt")});
      if (shard) e.push_back("--shard_tables");
      return e;
    };
    auto one = Run(0, Train("one" + tag, extra("2", "one" + tag, false)));
    ASSERT_EQ(one.exit_code, 0) << one.err;
    const auto expected = MetricsWithoutTimes(tmp_.path() / ("one" + tag));
    ASSERT_EQ(expected.size(), 3u);
    for (const auto& [ranks, threads] : {std::pair{2, "1"}, std::pair{3, "2"}}) {
      const std::string run = "s" + std::to_string(ranks) + "_" + tag;
      auto r = Run(ranks, Train(run, extra(threads, run, true)));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(MetricsWithoutTimes(tmp_.path() / run), expected) << ranks << " ranks";
      ExpectSameWeights(tmp_ / ("one" + tag + ".ckpt"), tmp_ / (run + ".ckpt"));
      if (v == 0)
        ExpectSameWeights(tmp_ / ("one" + tag + ".best.ckpt"), tmp_ / (run + ".best.ckpt"));
    }
  }
}

TEST_F(MpiTrain, ShardedRunResumesOnAnotherRankCount) {
  auto full = Run(0, Train("full", {"--save", tmp_ / "full.ckpt", "--rating_biases"}));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  auto cut = Run(2, Train("cut", {"--save", tmp_ / "cut.ckpt", "--max_steps", "13",
                                  "--rating_biases", "--shard_tables"}));
  ASSERT_EQ(cut.exit_code, 130) << cut.err;
  auto rest = Run(3, {MTREC_CLI_PATH, "train", "--resume", tmp_ / "cut.ckpt", "--threads", "1",
                      "--shard_tables"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  ExpectSameWeights(tmp_ / "full.ckpt", tmp_ / "cut.ckpt");
  EXPECT_EQ(MetricsWithoutTimes(tmp_.path() / "full"), MetricsWithoutTimes(tmp_.path() / "cut"));
}

TEST_F(MpiTrain, ResumesAcrossRankCounts) {
  auto full = Run(0, Train("full", {"--save", tmp_ / "full.ckpt"}));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  // 2 ranks stop mid-epoch 2 (9 steps an epoch), 3 ranks finish the run.
  auto cut = Run(2, Train("cut", {"--save", tmp_ / "cut.ckpt", "--max_steps", "13"}));
  ASSERT_EQ(cut.exit_code, 130) << cut.err;
  auto rest = Run(3, {MTREC_CLI_PATH, "train", "--resume", tmp_ / "cut.ckpt", "--threads", "1"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  ExpectSameWeights(tmp_ / "full.ckpt", tmp_ / "cut.ckpt");
  EXPECT_EQ(MetricsWithoutTimes(tmp_.path() / "full"), MetricsWithoutTimes(tmp_.path() / "cut"));
}

// --refit under several ranks: the same chosen epochs and the same refitted
// model as one process.
TEST_F(MpiTrain, RefitGivesTheOneProcessModel) {
  const std::vector<std::string> refit = {"--no_shared_embeddings",
                                          "--early_stopping",
                                          "per_head",
                                          "--refit",
                                          "--patience",
                                          "2",
                                          "--epochs",
                                          "8"};
  auto with = [&](const std::string& run) {
    std::vector<std::string> e = refit;
    e.insert(e.end(), {"--save", tmp_ / (run + ".ckpt")});
    return Train(run, e);
  };
  auto one = Run(0, with("one"));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  auto two = Run(2, with("two"));
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(MetricsWithoutTimes(tmp_.path() / "one"), MetricsWithoutTimes(tmp_.path() / "two"));
  const std::string record = ReadFile(tmp_.path() / "one" / "refit.json");
  EXPECT_NE(record.find("\"rows\":"), std::string::npos) << record;
  EXPECT_EQ(ReadFile(tmp_.path() / "two" / "refit.json"), record);
  ExpectSameWeights(tmp_ / "one.ckpt", tmp_ / "two.ckpt");
}

// Every rank's flag errors name the flag ("--epochs", not the field
// "epochs"), after the rank; the header says whose thread count it shows.
TEST_F(MpiTrain, MessagesNameFlagsAndWhoseThreads) {
  auto bad = Run(2, Train("bad", {"--epochs", "0"}));
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("of 2: --epochs: expected an integer >= 1, got 0"), std::string::npos)
      << bad.err;
  auto good = Run(2, Train("good", {"--epochs", "1", "--threads", "1"}));
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find("1 threads x 2 ranks (the thread count is rank 0's; each rank has its "
                          "own)"),
            std::string::npos)
      << good.out;
}

TEST_F(MpiTrain, RefusesRanksWhoseDataOrFlagsDiffer) {
  // Rank 1 reads a file with one rating changed.
  std::string other = ReadFile(tmp_.path() / "u.data");
  other[other.find('\t', other.find('\t') + 1) + 1] ^= 1;  // 1<->0, 2<->3, 4<->5 in a rating
  std::filesystem::create_directories(tmp_.path() / "r1");
  testing::WriteFile(tmp_.path() / "r1" / "u.data", other);
  std::filesystem::create_directories(tmp_.path() / "r0");
  std::filesystem::copy_file(tmp_.path() / "u.data", tmp_.path() / "r0" / "u.data");
  const auto start = std::chrono::steady_clock::now();
  auto r = RunOnEachRank(2, "train --dataset r$OMPI_COMM_WORLD_RANK/u.data --logdir mismatch");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("rank 1's data set differs from rank 0's"), std::string::npos) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_TRUE(ReadLines(tmp_.path() / "mismatch" / "metrics.jsonl").empty());

  // The same data, but rank 2 was given another seed.
  r = RunOnEachRank(3,
                    "train --dataset u.data --seed $((4 + $OMPI_COMM_WORLD_RANK / 2)) "
                    "--logdir flags");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("rank 2's configuration differs from rank 0's"), std::string::npos) << r.err;

  // Issue 22 item 13: a --save given to rank 1 only is not silently dropped.
  r = RunOnEachRank(2,
                    "train --dataset u.data --logdir saves "
                    "$([ $OMPI_COMM_WORLD_RANK = 1 ] && echo --save m.mtrec)");
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("rank 1's --save, --save_every and --save_best differ from rank 0's"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "saves"));
}

TEST_F(MpiTrain, ARankThatCannotReadItsDataEndsTheJob) {
  auto r = RunOnEachRank(2, "train --dataset r$OMPI_COMM_WORLD_RANK.data --logdir missing");
  // (neither r0.data nor r1.data exists: both ranks fail; copy rank 0's)
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("rank 1 of 2"), std::string::npos) << r.err;

  std::filesystem::copy_file(tmp_.path() / "u.data", tmp_.path() / "r0.data");
  const auto start = std::chrono::steady_clock::now();
  r = RunOnEachRank(2, "train --dataset r$OMPI_COMM_WORLD_RANK.data --logdir one");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("rank 1 of 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("r1.data"), std::string::npos) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST_F(MpiTrain, AKilledRankEndsTheJobWithinSeconds) {
  // Rank 1 is killed (SIGKILL) a second into a run that would take minutes.
  const std::string train = Join(Train("killed", {"--epochs", "100000"}));
  const auto start = std::chrono::steady_clock::now();
  auto r = RunCommand("cd " + ShellQuote(tmp_.path().string()) + " && " + Mpirun(2) + "sh -c " +
                      ShellQuote("if [ $OMPI_COMM_WORLD_RANK = 1 ]; then (sleep 1; kill -9 $$) & "
                                 "fi; exec " +
                                 train));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_LT(elapsed, std::chrono::seconds(15));
}

// With sharded tables: every rank sends its rows for the checkpoint.
TEST_F(MpiTrain, CtrlCStopsEveryRankAndRankZeroSaves) {
  std::vector<std::string> args = {
      "/bin/sh", "-c",
      "cd " + ShellQuote(tmp_.path().string()) + " && exec " + Mpirun(2) +
          Join(
              Train("sig", {"--epochs", "100000", "--save", tmp_ / "sig.ckpt", "--shard_tables"}))};
  testing::SignalAfterLines(std::move(args), tmp_.path() / "sig" / "metrics.jsonl", 2, SIGINT);
  auto stopped = LoadCheckpoint(tmp_ / "sig.ckpt");
  ASSERT_TRUE(stopped.ok()) << stopped.status().message();
  EXPECT_EQ(stopped->state, CheckpointState::kInterrupted);
  ASSERT_GE(stopped->epochs_done, 2);
  // The stopped run resumes (on one process) to the uninterrupted result.
  const int target = stopped->epochs_done + 1;
  auto rest = Run(0, {MTREC_CLI_PATH, "train", "--resume", tmp_ / "sig.ckpt", "--epochs",
                      std::to_string(target)});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  auto full =
      Run(0, Train("full", {"--epochs", std::to_string(target), "--save", tmp_ / "full.ckpt"}));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  ExpectSameWeights(tmp_ / "full.ckpt", tmp_ / "sig.ckpt");
}

}  // namespace
}  // namespace mtrec

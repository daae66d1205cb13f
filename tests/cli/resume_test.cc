// `mtrec train --resume` continues a run bit for bit: from a checkpoint taken at
// an epoch boundary, from one taken mid-epoch (--max_steps, as Ctrl-C), and
// after a real SIGINT, the result equals an uninterrupted run with the same seed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "mtrec/train/checkpoint.h"
#include "support/checkpoint_compare.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::MetricsWithoutTimes;
using testing::ReadLines;
using testing::RunMtrec;
using testing::TempDir;

void ExpectSameTrainingState(const std::string& a_path, const std::string& b_path) {
  testing::ExpectSameWeights(a_path, b_path);
  auto a = LoadCheckpoint(a_path);
  auto b = LoadCheckpoint(b_path);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->epochs_done, b->epochs_done);
  EXPECT_EQ(a->state, CheckpointState::kCompleted);
  EXPECT_EQ(b->state, CheckpointState::kCompleted);
  ASSERT_EQ(a->history.size(), b->history.size());
  for (size_t e = 0; e < a->history.size(); ++e) {
    EXPECT_EQ(a->history[e].losses.joint, b->history[e].losses.joint) << e;
    EXPECT_EQ(a->history[e].eval.mrr, b->history[e].eval.mrr) << e;
    EXPECT_EQ(a->history[e].eval.mse, b->history[e].eval.mse) << e;
  }
}

class Resume : public ::testing::Test {
 protected:
  void SetUp() override { testing::WriteGroupedRatings(tmp_.path(), 60, 40, 15, 11); }
  std::vector<std::string> Train(const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> args = {"train",    "--dataset", tmp_ / "u.data",
                                     "--logdir", tmp_ / name, "--batch_size",
                                     "100",      "--seed",    "5"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  TempDir tmp_;
};

TEST_F(Resume, FromAnEpochBoundaryEqualsAnUninterruptedRun) {
  auto full =
      RunMtrec(Train("full", {"--epochs", "4", "--save", tmp_ / "full.ckpt", "--threads", "2"}));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  auto half =
      RunMtrec(Train("half", {"--epochs", "2", "--save", tmp_ / "half.ckpt", "--threads", "1"}));
  ASSERT_EQ(half.exit_code, 0) << half.err;
  auto rest =
      RunMtrec({"train", "--resume", tmp_ / "half.ckpt", "--epochs", "4", "--threads", "2"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_NE(rest.out.find("resume  at epoch 3"), std::string::npos) << rest.out;
  ExpectSameTrainingState(tmp_ / "full.ckpt", tmp_ / "half.ckpt");
  EXPECT_EQ(MetricsWithoutTimes(tmp_.path() / "full"), MetricsWithoutTimes(tmp_.path() / "half"));
}

TEST_F(Resume, FromMidEpochEqualsAnUninterruptedRun) {
  // 900 rows / batch 100 = 9 steps per epoch: step 13 is inside epoch 2. Every
  // optimizer's state must survive the checkpoint.
  for (const std::string optimizer : {"adam", "lazy_adam", "adagrad", "sgd", "rowwise_adagrad"}) {
    SCOPED_TRACE(optimizer);
    const std::string full_name = "full_" + optimizer, cut_name = "cut_" + optimizer;
    auto full = RunMtrec(Train(full_name, {"--epochs", "3", "--optimizer", optimizer, "--save",
                                           tmp_ / (full_name + ".ckpt")}));
    ASSERT_EQ(full.exit_code, 0) << full.err;
    auto cut = RunMtrec(Train(cut_name, {"--epochs", "3", "--optimizer", optimizer, "--save",
                                         tmp_ / (cut_name + ".ckpt"), "--max_steps", "13"}));
    ASSERT_EQ(cut.exit_code, 130) << cut.err;
    auto partial = LoadCheckpoint(tmp_ / (cut_name + ".ckpt"));
    ASSERT_TRUE(partial.ok()) << partial.status().message();
    EXPECT_EQ(partial->state, CheckpointState::kInterrupted);
    EXPECT_EQ(partial->epochs_done, 1);
    EXPECT_EQ(partial->batches_done, 4);
    EXPECT_EQ(partial->optimizer_steps, 13);
    auto rest = RunMtrec({"train", "--resume", tmp_ / (cut_name + ".ckpt"), "--threads", "3"});
    ASSERT_EQ(rest.exit_code, 0) << rest.err;
    ExpectSameTrainingState(tmp_ / (full_name + ".ckpt"), tmp_ / (cut_name + ".ckpt"));
    EXPECT_EQ(MetricsWithoutTimes(tmp_.path() / full_name),
              MetricsWithoutTimes(tmp_.path() / cut_name));
  }
}

// Starts `mtrec args`, waits until its run folder has `epochs` epochs, and
// sends it `signal`; returns the wait status.
int InterruptAfterEpochs(std::vector<std::string> args, const std::filesystem::path& logdir,
                         size_t epochs, int signal) {
  args.insert(args.begin(), MTREC_CLI_PATH);
  return testing::SignalAfterLines(std::move(args), logdir / "metrics.jsonl", epochs, signal);
}

TEST_F(Resume, SaveEveryLeavesACheckpointEvenAfterAHardKill) {
  const int status = InterruptAfterEpochs(
      Train("kill", {"--epochs", "100000", "--save", tmp_ / "k.ckpt", "--save_every", "1"}),
      tmp_.path() / "kill", 3, SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(status));
  auto saved = LoadCheckpoint(tmp_ / "k.ckpt");
  ASSERT_TRUE(saved.ok()) << saved.status().message();  // never half-written
  EXPECT_EQ(saved->state, CheckpointState::kRunning);
  EXPECT_GE(saved->epochs_done, 2);
  EXPECT_EQ(saved->batches_done, 0);
}

TEST_F(Resume, CtrlCLeavesAValidCheckpointThatResumesExactly) {
  // Two finished epochs, then Ctrl-C.
  const int status =
      InterruptAfterEpochs(Train("sig", {"--epochs", "100000", "--save", tmp_ / "sig.ckpt"}),
                           tmp_.path() / "sig", 2, SIGINT);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  auto stopped = LoadCheckpoint(tmp_ / "sig.ckpt");
  ASSERT_TRUE(stopped.ok()) << stopped.status().message();
  EXPECT_EQ(stopped->state, CheckpointState::kInterrupted);
  const int target = stopped->epochs_done + 2;
  ASSERT_GE(stopped->epochs_done, 2);

  auto rest =
      RunMtrec({"train", "--resume", tmp_ / "sig.ckpt", "--epochs", std::to_string(target)});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  auto full =
      RunMtrec(Train("full", {"--epochs", std::to_string(target), "--save", tmp_ / "full.ckpt"}));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  ExpectSameTrainingState(tmp_ / "full.ckpt", tmp_ / "sig.ckpt");
}

TEST_F(Resume, RefusesFlagsThatWouldChangeTheRun) {
  ASSERT_EQ(RunMtrec(Train("a", {"--save", tmp_ / "a.ckpt"})).exit_code, 0);
  auto r =
      RunMtrec({"train", "--resume", tmp_ / "a.ckpt", "--epochs", "3", "--embedding_dim", "8"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--embedding_dim cannot be combined with --resume"), std::string::npos)
      << r.err;
  auto done = RunMtrec({"train", "--resume", tmp_ / "a.ckpt"});
  EXPECT_EQ(done.exit_code, 2);
  EXPECT_NE(done.err.find("already has 1 epochs"), std::string::npos) << done.err;
}

TEST_F(Resume, RefusesACorruptCheckpoint) {
  ASSERT_EQ(RunMtrec(Train("a", {"--save", tmp_ / "a.ckpt"})).exit_code, 0);
  std::string bytes = testing::ReadFile(tmp_ / "a.ckpt");
  bytes[bytes.size() / 2] ^= 0x40;
  testing::WriteFile(tmp_ / "bad.ckpt", bytes);
  auto r = RunMtrec({"train", "--resume", tmp_ / "bad.ckpt", "--epochs", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("checksum mismatch"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mtrec

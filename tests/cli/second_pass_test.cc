// What a second adversarial pass found, each a repro that failed before its
// fix: a hand-edited checkpoint with NaN weights that ranked NaN, control
// characters printed raw, work lost to a diverging run or a swapped run file,
// and messages that named the wrong flag.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>

#include "mtrec/io/tensor_file.h"
#include "mtrec/train/checkpoint.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::RunMtrec;
using testing::TempDir;

class SecondPass : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(tmp_.path() / "data");
    testing::WriteGroupedRatings(tmp_.path() / "data", 40, 30, 10, 5);
  }
  std::string Data() const { return (tmp_.path() / "data" / "u.data").string(); }
  // Trains the model the inference tests ask: m.mtrec.
  void TrainModel() {
    const auto r = RunMtrec(
        {"train", "--dataset", Data(), "--save", tmp_ / "m.mtrec", "--logdir", tmp_ / "run"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir tmp_;
};

// A checkpoint whose weights were edited to NaN, with its checksum recomputed:
// every command that reads it refuses it with one line naming file and tensor.
TEST_F(SecondPass, ACheckpointWithNonFiniteWeightsIsRefused) {
  ASSERT_NO_FATAL_FAILURE(TrainModel());
  auto file = ReadTensorFile(tmp_ / "m.mtrec");
  ASSERT_TRUE(file.ok()) << file.status().message();
  for (Tensor& t : file->tensors) {
    if (t.name != "Q") continue;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(t.bytes.data(), &nan, sizeof(float));
  }
  const std::string edited = tmp_ / "nan.mtrec";
  ASSERT_TRUE(WriteTensorFile(edited, *file).ok());
  const std::string expected = edited + ": tensor 'Q' holds a value that is not finite";
  const std::vector<std::vector<std::string>> commands = {
      {"evaluate", "--model", edited},
      {"recommend", "--model", edited, "--user", "1"},
      {"predict", "--model", edited, "--user", "1", "--item", "1"},
      {"train", "--resume", edited, "--epochs", "2", "--logdir", tmp_ / "run2"}};
  for (const auto& args : commands) {
    const auto r = RunMtrec(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_EQ(r.out, "") << args[0];
  }
}

// Ids with control characters (a data set or --users file may hold any bytes):
// table output and error messages show them as \xNN, never raw (an ESC would
// drive the terminal); JSON escapes them by its own rules.
TEST_F(SecondPass, ControlCharactersInIdsAreEscapedInTablesAndErrors) {
  const std::string evil_user = "evil\x1b[2J";
  std::string csv;
  for (int u = 0; u < 12; ++u) {
    for (int i = 0; i < 10; ++i) {
      if ((u + i) % 3 == 0) continue;
      csv += (u == 0 ? evil_user : "u" + std::to_string(u)) + "," +
             (i == 0   ? std::string("it\x7f")
              : i == 1 ? "i\r1"
                       : "i" + std::to_string(i)) +
             "," + std::to_string(1 + (u * i) % 5) + "\n";
    }
  }
  testing::WriteFile(tmp_.path() / "r.csv", csv);
  ASSERT_EQ(RunMtrec({"train", "--dataset", tmp_ / "r.csv", "--save", tmp_ / "e.mtrec", "--logdir",
                      tmp_ / "run"})
                .exit_code,
            0);
  const auto raw_control = [](const std::string& text) {
    for (const char c : text) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) return true;
    }
    return false;
  };
  const auto table = RunMtrec({"recommend", "--model", tmp_ / "e.mtrec", "--user", evil_user,
                               "--include_seen", "--k", "20"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_FALSE(raw_control(table.out)) << table.out;
  EXPECT_NE(table.out.find("user evil\\x1b[2J: top"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(" it\\x7f "), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(" i\\x0d1 "), std::string::npos) << table.out;
  const auto json = RunMtrec({"recommend", "--model", tmp_ / "e.mtrec", "--user", evil_user,
                              "--include_seen", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  for (const char c : json.out) {  // JSON escapes C0; DEL it may leave (and does)
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 && c != '\n') << json.out;
  }
  EXPECT_NE(json.out.find("\"user\":\"evil\\u001b[2J\""), std::string::npos) << json.out;
  const auto predict =
      RunMtrec({"predict", "--model", tmp_ / "e.mtrec", "--user", evil_user, "--item", "i\r1"});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_NE(predict.out.find("user evil\\x1b[2J, item i\\x0d1:"), std::string::npos) << predict.out;
  const auto unknown = RunMtrec(
      {"predict", "--model", tmp_ / "e.mtrec", "--user", "x\x1b]0;owned\x07", "--item", "i2"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("user 'x\\x1b]0;owned\\x07' is not in the model"), std::string::npos)
      << unknown.err;
  testing::WriteFile(tmp_.path() / "users", std::string("u1\n\x1b[31mred\nbad\x9b"
                                                        "1m\nn\0l\n",
                                                        23));
  const auto listed =
      RunMtrec({"recommend", "--model", tmp_ / "e.mtrec", "--users", tmp_ / "users"});
  EXPECT_EQ(listed.exit_code, 1) << listed.err;
  EXPECT_FALSE(raw_control(listed.err)) << listed.err;
  EXPECT_NE(listed.err.find("line 2: user '\\x1b[31mred'"), std::string::npos) << listed.err;
  EXPECT_NE(listed.err.find("line 3: user 'bad\\x9b1m'"), std::string::npos) << listed.err;
  EXPECT_NE(listed.err.find("line 4: user 'n\\x00l'"), std::string::npos) << listed.err;
  EXPECT_NE(listed.out.find("user u1: top"), std::string::npos) << listed.out;
}

// A loss that diverges at an epoch's first step (one batch per epoch here):
// the step was not applied, so the weights are the last good epoch's, and
// --save holds them (before, nothing was saved).
TEST_F(SecondPass, ADivergingRunSavesTheLastGoodEpochWhenItIsAtHand) {
  const auto r = RunMtrec({"train", "--dataset", Data(), "--optimizer", "sgd", "--learning_rate",
                           "300", "--batch_size", "100000", "--epochs", "30", "--save",
                           tmp_ / "m.mtrec", "--logdir", tmp_ / "run"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("training diverged"), std::string::npos) << r.err;
  const size_t lines = testing::ReadLines(tmp_.path() / "run" / "metrics.jsonl").size();
  ASSERT_GE(lines, 1u) << r.err;
  EXPECT_NE(r.err.find("--save " + (tmp_ / "m.mtrec") + " holds the weights of epoch " +
                       std::to_string(lines) + ", the last good one"),
            std::string::npos)
      << r.err;
  auto saved = LoadCheckpoint(tmp_ / "m.mtrec");
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  EXPECT_EQ(saved->epochs_done, static_cast<int>(lines));
  EXPECT_EQ(saved->batches_done, 0);
  EXPECT_EQ(saved->state, CheckpointState::kInterrupted);
  const auto evaluated = RunMtrec({"evaluate", "--model", tmp_ / "m.mtrec"});
  EXPECT_EQ(evaluated.exit_code, 0) << evaluated.err;
}

// Mid-epoch, the last good epoch's weights are no longer at hand: nothing is
// saved, and the message says so and how to keep them.
TEST_F(SecondPass, ADivergingRunSaysWhatItCouldNotSave) {
  const auto r = RunMtrec({"train", "--dataset", Data(), "--optimizer", "sgd", "--learning_rate",
                           "300", "--batch_size", "128", "--epochs", "30", "--save",
                           tmp_ / "m.mtrec", "--logdir", tmp_ / "run"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no --save checkpoint was written: the weights of epoch"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--save_every 1 keeps every epoch's"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "m.mtrec"));
}

// A run file replaced under the run stops it with exit 1, and the model of
// the epochs trained is still saved (before, --save was never written).
TEST_F(SecondPass, ARunFileSwappedMidRunStillLeavesTheCheckpoint) {
  namespace fs = std::filesystem;
  fs::create_directories(tmp_.path() / "big");
  testing::WriteGroupedRatings(tmp_.path() / "big", 300, 200, 40, 5);
  const fs::path work = tmp_.path() / "work";
  fs::create_directories(work);
  const pid_t pid =
      testing::Spawn({testing::MtrecBinary(), "train", "--dataset",
                      (tmp_.path() / "big/u.data").string(), "--threads", "1", "--epochs", "2000",
                      "--logdir", (work / "run").string(), "--save", (work / "m.mtrec").string()});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (testing::ReadLines(work / "run" / "metrics.jsonl").size() < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  fs::create_symlink(tmp_.path() / "victim", work / "link");
  fs::rename(work / "link", work / "run" / "metrics.jsonl");
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_FALSE(fs::exists(tmp_.path() / "victim"));
  auto saved = LoadCheckpoint(work / "m.mtrec");
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  EXPECT_GE(saved->epochs_done, 2);
  EXPECT_EQ(saved->state, CheckpointState::kInterrupted);
}

// Output paths no file can have are usage errors (exit 2) naming the flag,
// before any work; a path a checkpoint cannot hold names the flag that gave it.
TEST_F(SecondPass, UnusableOutputPathsAreUsageErrorsNamingTheFlag) {
  const std::string long_name(300, 'a');
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--logdir", tmp_ / long_name}, "--logdir: the name"},
      {{"--logdir", tmp_ / (long_name + "/run")}, "--logdir: the name"},
      {{"--logdir", tmp_ / "run", "--save", tmp_ / (long_name + ".mtrec")}, "--save: the name"}};
  for (const auto& [flags, expected] : cases) {
    std::vector<std::string> args = {"train", "--dataset", Data()};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = RunMtrec(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("longer than the 255 a file name may have"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "run"));
  const auto latin1 = RunMtrec(
      {"train", "--dataset", Data(), "--logdir", tmp_ / "r\xe9", "--save", tmp_ / "m.mtrec"});
  EXPECT_EQ(latin1.exit_code, 2) << latin1.err;
  EXPECT_NE(latin1.err.find("cannot hold the --logdir path"), std::string::npos) << latin1.err;
  EXPECT_NE(latin1.err.find("give --logdir a UTF-8 path"), std::string::npos) << latin1.err;
  EXPECT_EQ(latin1.err.find("ratings file"), std::string::npos) << latin1.err;
}

// Flags that depend on others, and what the header and help say.
TEST_F(SecondPass, MessagesNameTheRealConflict) {
  const auto patience =
      RunMtrec({"train", "--dataset", Data(), "--patience", "0", "--logdir", tmp_ / "p"});
  EXPECT_EQ(patience.exit_code, 2) << patience.err;
  EXPECT_NE(patience.err.find("--patience: needs --early_stopping"), std::string::npos)
      << patience.err;
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "p"));
  // The recipe's own --patience goes quietly when the user turns its early stopping off.
  const auto recipe =
      RunMtrec({"train", "--dataset", Data(), "--recipe", "mtrec", "--early_stopping", "none",
                "--epochs", "1", "--logdir", tmp_ / "r"});
  EXPECT_EQ(recipe.exit_code, 0) << recipe.err;

  const auto per_head =
      RunMtrec({"train", "--dataset", Data(), "--early_stopping", "per_head",
                "--no_shared_embeddings", "--epochs", "1", "--logdir", tmp_ / "h"});
  EXPECT_EQ(per_head.exit_code, 0) << per_head.err;
  EXPECT_NE(per_head.out.find("early stopping: validation mrr (ranking head) and mse (rating "
                              "head), patience 10"),
            std::string::npos)
      << per_head.out;

  ASSERT_NO_FATAL_FAILURE(TrainModel());
  const auto resume = RunMtrec({"train", "--resume", tmp_ / "m.mtrec", "--recipe", "mtrec"});
  EXPECT_EQ(resume.exit_code, 2) << resume.err;
  EXPECT_NE(resume.err.find("--recipe cannot be combined with --resume"), std::string::npos)
      << resume.err;

  const auto help = RunMtrec({"help", "train"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out, RunMtrec({"train", "--help"}).out);
  EXPECT_NE(help.out.find("usage: mtrec train"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace mtrec

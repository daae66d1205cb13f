// Issue 10, items 7-9: labels and exit codes that say what happened, input that
// is refused instead of silently misread, and messages that name the real cause.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "mtrec/io/tensor_file.h"
#include "mtrec/train/checkpoint.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::CommandResult;
using testing::ReadFile;
using testing::RunMtrec;
using testing::TempDir;
using testing::WriteFile;


void ExpectError(const CommandResult& r, int code, const std::string& needle) {
  SCOPED_TRACE(needle);
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_EQ(testing::CountLines(r.err), 1) << r.err;
}

class InputChecks : public ::testing::Test {
 protected:
  void SetUp() override { testing::WriteGroupedRatings(tmp_.path(), 60, 40, 15, 11); }
  std::string Data() const { return tmp_ / "u.data"; }
  CommandResult Train(std::vector<std::string> args) {
    std::vector<std::string> all = {"train", "--dataset", Data(), "--threads", "1"};
    all.insert(all.end(), args.begin(), args.end());
    return RunMtrec(all);
  }
  // A copy of checkpoint `from` with its metadata edited by `edit`.
  void EditCheckpoint(const std::string& from, const std::string& to,
                      const std::function<void(TensorFile&)>& edit) {
    auto file = ReadTensorFile(from);
    ASSERT_TRUE(file.ok()) << file.status().message();
    edit(*file);
    ASSERT_TRUE(WriteTensorFile(to, *file).ok());
  }
  TempDir tmp_;
};

// Item 7: evaluate labels the weights it evaluates.
TEST_F(InputChecks, EvaluateNamesTheEpochOfTheWeights) {
  auto r =
      Train({"--logdir", tmp_ / "run", "--epochs", "60", "--early_stopping", "mse", "--patience",
             "3", "--learning_rate", "0.03", "--batch_size", "100", "--factorization_weight", "0.5",
             "--regression_weight", "0.5", "--save", tmp_ / "es.mtrec"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto ckpt = LoadCheckpoint(tmp_ / "es.mtrec");
  ASSERT_TRUE(ckpt.ok());
  const int best = ckpt->early_stopping_best.epoch;
  ASSERT_LT(best, ckpt->epochs_done);
  r = RunMtrec({"evaluate", "--model", tmp_ / "es.mtrec"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(epoch " + std::to_string(best) + ": the best of " +
                       std::to_string(ckpt->epochs_done) + ", restored by early stopping)"),
            std::string::npos)
      << r.out;
  r = RunMtrec({"evaluate", "--model", tmp_ / "es.mtrec", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["epoch"], best);
  const auto lines = testing::ReadLines(tmp_.path() / "run" / "metrics.jsonl");
  EXPECT_DOUBLE_EQ(j["metrics"]["mrr"].get<double>(),
                   Json::parse(lines[best - 1])["mrr"].get<double>());

  // Saved mid-epoch (as Ctrl-C): the weights are past the last whole epoch.
  r = Train({"--logdir", tmp_ / "cut", "--epochs", "2", "--batch_size", "100", "--max_steps", "3",
             "--save", tmp_ / "cut.mtrec"});
  ASSERT_EQ(r.exit_code, 130) << r.err;
  r = RunMtrec({"evaluate", "--model", tmp_ / "cut.mtrec"});
  EXPECT_NE(r.out.find("(epoch 0 + 3 batches of epoch 1 (saved mid-epoch"), std::string::npos)
      << r.out;
}

// Item 7: runtime problems exit 1 (the README's promise), usage problems 2.
TEST_F(InputChecks, DataAndCheckpointProblemsAreRuntimeErrors) {
  ASSERT_EQ(Train({"--logdir", tmp_ / "run", "--save", tmp_ / "m.mtrec"}).exit_code, 0);
  EditCheckpoint(tmp_ / "m.mtrec", tmp_ / "newer.mtrec",
                 [](TensorFile& f) { f.metadata["format_version"] = "2"; });
  ExpectError(RunMtrec({"evaluate", "--model", tmp_ / "newer.mtrec"}), 1,
              "checkpoint format version 2 is not supported");
  ExpectError(RunMtrec({"train", "--resume", tmp_ / "newer.mtrec", "--epochs", "3"}), 1,
              "format version 2");
  fs::create_directories(tmp_.path() / "other");
  testing::WriteGroupedRatings(tmp_.path() / "other", 50, 30, 10, 3);
  ExpectError(RunMtrec({"train", "--resume", tmp_ / "m.mtrec", "--epochs", "3", "--dataset",
                        tmp_ / "other/u.data"}),
              1, "is not the data set the checkpoint was trained on");
  // Data moved away, no --dataset given: the message does not invent one.
  fs::rename(tmp_.path() / "u.data", tmp_.path() / "moved.data");
  const auto r = RunMtrec({"evaluate", "--model", tmp_ / "m.mtrec"});
  ExpectError(r, 1, "the data set recorded in the checkpoint");
  EXPECT_EQ(r.err.find("--dataset " + tmp_ / "u.data"), std::string::npos) << r.err;
}

// Item 8: input that used to be accepted and silently misread.
TEST_F(InputChecks, InputThatWasSilentlyMisreadIsRefused) {
  ExpectError(Train({"--save_every", "2"}), 2, "--save_every needs --save");
  ExpectError(Train({"--logdir", ""}), 2, "--logdir: expected a value");
  ExpectError(Train({"--save", ""}), 2, "--save: expected a value");
  ExpectError(Train({"--raw_ids", "--remap_ids"}), 2, "--raw_ids and --remap_ids contradict");
  ExpectError(RunMtrec({"sweep", "--dataset", Data(), "--seeds", "1,2,1", "--out", tmp_ / "s"}), 2,
              "--seeds: seed 1 is repeated");
  ExpectError(RunMtrec({"sweep", "--dataset", Data(), "--grid", "shared/0.5/0.5;shared/0.50/0.5",
                        "--out", tmp_ / "s"}),
              2, "is repeated");
  ExpectError(RunMtrec({"sweep", "--dataset", Data(), "--early_stopping", "mrr", "--refit", "--out",
                        tmp_ / "s"}),
              2, "--refit: not in a sweep");
  EXPECT_FALSE(fs::exists(tmp_.path() / "s"));

  ASSERT_EQ(Train({"--logdir", tmp_ / "run", "--save", tmp_ / "m.mtrec"}).exit_code, 0);
  const std::string model = tmp_ / "m.mtrec";
  ExpectError(RunMtrec({"recommend", "--model", model, "--users", tmp_.path()}), 2, "is a folder");
  WriteFile(tmp_.path() / "empty.txt", "\n  \n");
  ExpectError(RunMtrec({"recommend", "--model", model, "--users", tmp_ / "empty.txt"}), 1,
              "holds no user ids");
  WriteFile(tmp_.path() / "users.txt", "  7 \nno such user\n8\t\r\n");
  const auto listed =
      RunMtrec({"recommend", "--model", model, "--users", tmp_ / "users.txt", "--format", "json"});
  ExpectError(listed, 1, "line 2: user 'no such user' is not in the model");
  ASSERT_EQ(testing::CountLines(listed.out), 2) << listed.out;  // users 7 and 8 are still served
  EXPECT_EQ(Json::parse(listed.out.substr(0, listed.out.find('\n')))["user"], "7");
  ExpectError(RunMtrec({"recommend", "--model", model, "--ratings", "1:1e9"}), 2,
              "outside the data set's ratings");
  ExpectError(RunMtrec({"recommend", "--model", model, "--ratings", "1:5,2:-3"}), 2,
              "rating -3 of item 2");

  EditCheckpoint(model, tmp_ / "edited.mtrec", [](TensorFile& f) {
    Json doc = Json::parse(f.metadata["mtrec"]);
    doc["progress"]["epochs_done"] = -5;
    f.metadata["mtrec"] = doc.dump();
  });
  ExpectError(RunMtrec({"train", "--resume", tmp_ / "edited.mtrec", "--epochs", "3"}), 1,
              "epochs_done -5");
}

// Item 5: an allocation that fails anyway (here a hand-edited checkpoint whose
// model would need 238 GiB) is one line and exit 1, not an abort.
TEST_F(InputChecks, AnAllocationFailureIsOneLineNotAnAbort) {
  ASSERT_EQ(Train({"--logdir", tmp_ / "run", "--save", tmp_ / "m.mtrec"}).exit_code, 0);
  EditCheckpoint(tmp_ / "m.mtrec", tmp_ / "huge.mtrec", [](TensorFile& f) {
    Json doc = Json::parse(f.metadata["mtrec"]);
    doc["config"]["model"]["num_users"] = 2000000000;
    f.metadata["mtrec"] = doc.dump();
  });
  const auto r =
      testing::RunCommand("ulimit -v 2500000 && " + testing::ShellQuote(testing::MtrecBinary()) +
                          " evaluate --model " + testing::ShellQuote(tmp_ / "huge.mtrec"));
  ExpectError(r, 1, "mtrec evaluate: Model::Load: out of memory");
}

// Item 9: each problem is reported as itself.
// Hardening item 13: a number in a message is the number given, not
// to_string's six rounded decimals ("1.000000" for 0.9999999).
TEST_F(InputChecks, MessagesShowNumbersAsGiven) {
  ExpectError(RunMtrec({"train", "--dataset", Data(), "--test_fraction", "0.9999999", "--logdir",
                        tmp_ / "r"}),
              2, "--test_fraction 0.9999999 leaves an empty train or test set");
}

TEST_F(InputChecks, MessagesNameTheRealCause) {
  ASSERT_EQ(::mkfifo((tmp_ / "fifo").c_str(), 0600), 0);
  ExpectError(RunMtrec({"train", "--dataset", tmp_ / "fifo", "--logdir", tmp_ / "r"}), 1,
              "is not a regular file or folder (a pipe or a device)");
  ExpectError(RunMtrec({"predict", "--model", tmp_ / "fifo", "--user", "1", "--item", "1"}), 1,
              "not a regular file");  // it hung in the open
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("1\t2\t3\t4\n2\t3\t4\t5\n")) utf16 += std::string{c, '\0'};
  WriteFile(tmp_.path() / "utf16.tsv", utf16);
  ExpectError(RunMtrec({"train", "--dataset", tmp_ / "utf16.tsv", "--logdir", tmp_ / "r"}), 1,
              "looks like UTF-16");
  WriteFile(tmp_.path() / "big.tsv", "1\t2\t1e30\t0\n2\t3\t4\t0\n3\t1\t2\t0\n");
  ExpectError(RunMtrec({"train", "--dataset", tmp_ / "big.tsv", "--logdir", tmp_ / "r"}), 1,
              "rating '1e30' is out of range");
  WriteFile(tmp_.path() / "one.tsv", "1\t2\t3\t0\n");
  ExpectError(RunMtrec({"train", "--dataset", tmp_ / "one.tsv", "--logdir", tmp_ / "r"}), 1,
              "only 1 rating; training needs at least 2");
  EXPECT_FALSE(fs::exists(tmp_.path() / "r"));

  // Raw ids that leave most table rows unused: a note suggesting --remap_ids.
  fs::create_directories(tmp_.path() / "sparse");
  WriteFile(tmp_.path() / "sparse" / "u.data", ReadFile(Data()) + "1\t20000\t4\t881250949\n");
  const auto r = RunMtrec({"train", "--dataset", tmp_ / "sparse/u.data", "--logdir",
                           tmp_ / "sparse/run", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: raw item ids: 20001 table rows for 41 items that occur"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--remap_ids"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mtrec

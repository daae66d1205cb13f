// What a README-only adversarial pass found, each a repro that failed before
// its fix: a checkpoint written over the training data, a lock that hung in
// a folder where files cannot be created, output lost to a full disk with
// exit 0, and a FIFO that blocked `recommend --users` forever.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::RunCommand;
using testing::RunMtrec;
using testing::ShellQuote;
using testing::TempDir;

class ReviewFindings : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(tmp_.path() / "data");
    testing::WriteGroupedRatings(tmp_.path() / "data", 40, 30, 10, 5);
  }
  // Trains the model the inference tests ask: m.mtrec.
  void TrainModel() {
    const auto r = RunMtrec({"train", "--dataset", (tmp_.path() / "data" / "u.data").string(),
                             "--save", tmp_ / "m.mtrec", "--logdir", tmp_ / "run"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir tmp_;
};

// --dataset a folder: its files (ratings, titles), or anything else in it, are
// inputs of the run, never --save targets, even with --overwrite.
TEST_F(ReviewFindings, SaveNeverLandsInTheDataFolder) {
  const std::string before = testing::ReadFile(tmp_.path() / "data" / "u.data");
  for (const char* name : {"u.data", "u.item", "new.mtrec"}) {
    const auto r = RunMtrec({"train", "--dataset", tmp_ / "data", "--save", (tmp_.path() / "data" / name).string(),
                             "--overwrite", "--logdir", tmp_ / "run"});
    EXPECT_EQ(r.exit_code, 2) << name << ": " << r.err;
    EXPECT_NE(r.err.find("inside a folder this run reads its data from"), std::string::npos)
        << r.err;
  }
  EXPECT_EQ(testing::ReadFile(tmp_.path() / "data" / "u.data"), before);
}

// /proc refuses to create files with ENOENT; the lock loop retried forever.
TEST_F(ReviewFindings, ASaveWhereNoFileCanBeCreatedFailsInsteadOfHanging) {
  if (!std::filesystem::is_directory("/proc/self")) GTEST_SKIP() << "no /proc";
  const auto r = RunCommand("timeout 60 " + ShellQuote(testing::MtrecBinary()) +
                            " train --dataset " + ShellQuote((tmp_.path() / "data" / "u.data").string()) +
                            " --save /proc/mtrec-test.mtrec --logdir " + ShellQuote(tmp_ / "r"));
  EXPECT_EQ(r.exit_code, 1) << r.err;  // 124 would be the timeout
  EXPECT_NE(r.err.find("cannot create the lock file"), std::string::npos) << r.err;
}

// A full disk must not pass for a complete answer; a closed pipe is no error.
TEST_F(ReviewFindings, OutputLostToAFullDiskIsAnError) {
  ASSERT_NO_FATAL_FAILURE(TrainModel());
  const std::string recommend = ShellQuote(testing::MtrecBinary()) + " recommend --model " +
                                ShellQuote(tmp_ / "m.mtrec") + " --user 1";
  if (std::filesystem::exists("/dev/full")) {
    const auto full = RunCommand(recommend + " >/dev/full");
    EXPECT_EQ(full.exit_code, 1) << full.err;
    EXPECT_NE(full.err.find("writing the output failed"), std::string::npos) << full.err;
  }
  const auto piped = RunCommand("{ " + recommend + "; echo \"rc=$?\" >&2; } | head -c 1 >/dev/null");
  EXPECT_NE(piped.err.find("rc=0"), std::string::npos) << piped.err;
}

TEST_F(ReviewFindings, AUsersFifoIsRefusedNotWaitedOn) {
  ASSERT_NO_FATAL_FAILURE(TrainModel());
  ASSERT_EQ(::mkfifo((tmp_ / "users").c_str(), 0600), 0);
  const auto r = RunCommand("timeout 60 " + ShellQuote(testing::MtrecBinary()) +
                            " recommend --model " + ShellQuote(tmp_ / "m.mtrec") + " --users " +
                            ShellQuote(tmp_ / "users"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is not a regular file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mtrec

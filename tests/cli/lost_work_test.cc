// Issue 22, items 4-6: no run loses its work or another's: a checkpoint never
// goes onto the run folder or its own files, a closed pipe or terminal does not
// kill training, and --resume never writes into a folder that is no longer
// the run's.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "mtrec/train/checkpoint.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RunMtrec;
using testing::TempDir;

class LostWork : public ::testing::Test {
 protected:
  void SetUp() override { testing::WriteGroupedRatings(tmp_.path(), 40, 30, 12, 5); }
  std::vector<std::string> Train(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"train", "--dataset", tmp_ / "u.data", "--threads", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  TempDir tmp_;
};

// Item 4.
TEST_F(LostWork, ASaveOntoTheRunFolderOrItsOwnFilesIsRefusedBeforeWork) {
  const std::string run = tmp_ / "run";
  ASSERT_EQ(RunMtrec(Train({"--epochs", "1", "--logdir", run})).exit_code, 0);
  const std::string config = ReadFile(tmp_.path() / "run" / "config.json");
  const std::string metrics = ReadFile(tmp_.path() / "run" / "metrics.jsonl");
  for (const char* name : {"config.json", "metrics.jsonl", ".mtrec-run"}) {
    const auto r = RunMtrec(
        Train({"--epochs", "1", "--logdir", run, "--overwrite", "--save", run + "/" + name}));
    EXPECT_EQ(r.exit_code, 2) << name << ": " << r.err;
    EXPECT_NE(r.err.find("one of the run folder's own files"), std::string::npos) << r.err;
    EXPECT_EQ(ReadFile(tmp_.path() / "run" / "config.json"), config);
    EXPECT_EQ(ReadFile(tmp_.path() / "run" / "metrics.jsonl"), metrics);
  }
  // --save naming the run folder: refused before the folder is made or replaced.
  auto r = RunMtrec(Train({"--epochs", "1", "--logdir", tmp_ / "fresh", "--save", tmp_ / "fresh"}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is the run folder"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp_.path() / "fresh"));
  r = RunMtrec(Train({"--epochs", "1", "--logdir", run, "--overwrite", "--save", run}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(ReadFile(tmp_.path() / "run" / "metrics.jsonl"), metrics);
  // --save_best's file too.
  r = RunMtrec(Train({"--epochs", "1", "--logdir", run, "--overwrite", "--save",
                      run + "/config.json.mtrec", "--save_best", "mrr"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;  // config.json.best.mtrec: not one of the run's
  r = RunMtrec(Train({"--epochs", "1", "--logdir", run, "--overwrite", "--save", run + "/refit",
                      "--save_best", "mrr"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;  // refit.best: neither
}

// Item 5: `mtrec train ... | head` must not die of SIGPIPE with its work lost.
TEST_F(LostWork, AClosedStdoutDropsTheOutputAndTrainingGoesOn) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);  // nobody reads: every write is EPIPE (and SIGPIPE)
  std::vector<std::string> argv =
      Train({"--epochs", "5", "--logdir", tmp_ / "run", "--save", tmp_ / "m.mtrec"});
  argv.insert(argv.begin(), testing::MtrecBinary());
  const pid_t pid = testing::Spawn(argv, fds[1]);
  ::close(fds[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  auto saved = LoadCheckpoint(tmp_ / "m.mtrec");
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  EXPECT_EQ(saved->epochs_done, 5);
  EXPECT_FALSE(fs::exists(tmp_.path() / "m.mtrec.lock"));
}

// Item 5: closing the terminal (SIGHUP) stops like SIGTERM: checkpoint, 130.
TEST_F(LostWork, SighupSavesTheCheckpointAndExits130) {
  std::vector<std::string> argv =
      Train({"--epochs", "100000", "--logdir", tmp_ / "run", "--save", tmp_ / "m.mtrec"});
  argv.insert(argv.begin(), testing::MtrecBinary());
  const int status =
      testing::SignalAfterLines(argv, tmp_.path() / "run" / "metrics.jsonl", 1, SIGHUP);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 130);
  auto saved = LoadCheckpoint(tmp_ / "m.mtrec");
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  EXPECT_EQ(saved->state, CheckpointState::kInterrupted);
  EXPECT_FALSE(fs::exists(tmp_.path() / "m.mtrec.lock"));
}

// Item 6: deleted, emptied, or named by a crafted checkpoint: refused, and the
// folder is neither recreated nor claimed.
TEST_F(LostWork, ResumeIsRefusedIntoAFolderThatNoLongerHoldsTheRun) {
  const std::string run = tmp_ / "run";
  ASSERT_EQ(
      RunMtrec(Train({"--epochs", "1", "--logdir", run, "--save", tmp_ / "m.mtrec"})).exit_code, 0);
  const std::vector<std::string> resume = {"train", "--resume", tmp_ / "m.mtrec", "--epochs", "2"};
  fs::rename(run, tmp_.path() / "moved");  // deleted
  auto r = RunMtrec(resume);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no longer exists"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--logdir"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(run));
  fs::create_directories(run);  // emptied: someone's folder now
  testing::WriteFile(tmp_.path() / "run" / "notes.txt", "theirs");
  r = RunMtrec(resume);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no longer holds this run"), std::string::npos) << r.err;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(run)) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"notes.txt"});
  // A crafted checkpoint naming another folder (a project's).
  fs::create_directories(tmp_.path() / "project");
  testing::WriteFile(tmp_.path() / "project" / "README", "mine");
  auto checkpoint = LoadCheckpoint(tmp_ / "m.mtrec");
  ASSERT_TRUE(checkpoint.ok());
  checkpoint->logdir = tmp_ / "project";
  ASSERT_TRUE(SaveCheckpoint(tmp_ / "crafted.mtrec", *checkpoint).ok());
  r = RunMtrec({"train", "--resume", tmp_ / "crafted.mtrec", "--epochs", "2"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  names.clear();
  for (const auto& e : fs::directory_iterator(tmp_.path() / "project")) {
    names.push_back(e.path().filename());
  }
  EXPECT_EQ(names, std::vector<std::string>{"README"});
  // Continued elsewhere, it is fine.
  r = RunMtrec({"train", "--resume", tmp_ / "crafted.mtrec", "--epochs", "2", "--logdir",
                tmp_ / "continued"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace mtrec

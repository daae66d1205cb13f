// Issue 10, items 1-6: run folders and checkpoints are claimed before any work,
// never shared, never overwritten unless asked for; recorded paths are
// absolute; hostile sizes end in one line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "mtrec/train/checkpoint.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::ReadFile;
using testing::RunMtrec;
using testing::ShellQuote;
using testing::TempDir;

// `mtrec ARGS` run in the folder `cwd` (no download ever: an empty mirror).
CommandResult MtrecIn(const fs::path& cwd, const std::string& args) {
  return testing::RunCommand("cd " + ShellQuote(cwd.string()) +
                             " && MTREC_MOVIELENS_URL=file:///nonexistent MTREC_DATA_DIR=" +
                             ShellQuote((cwd / "no-cache").string()) + " " +
                             ShellQuote(testing::MtrecBinary()) + " " + args);
}


std::vector<std::string> RunFolders(const fs::path& parent) {
  std::vector<std::string> out;
  if (!fs::exists(parent)) return out;
  for (const auto& e : fs::directory_iterator(parent)) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

int EventFiles(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    n += e.path().filename().string().starts_with("events.out.tfevents.");
  }
  return n;
}

class OutputSafety : public ::testing::Test {
 protected:
  void SetUp() override { testing::WriteGroupedRatings(tmp_.path(), 40, 30, 12, 5); }
  std::string Data() const { return (tmp_.path() / "u.data").string(); }
  TempDir tmp_;
};

// Item 1: runs started at once on the default folder each get their own.
TEST_F(OutputSafety, EightConcurrentRunsOnTheDefaultFolderGetEightFolders) {
  std::string script;
  for (int k = 0; k < 8; ++k) {
    script += ShellQuote(testing::MtrecBinary()) + " train --dataset " + ShellQuote(Data()) +
              " --threads 1 --epochs 2 --save m" + std::to_string(k) + ".mtrec > out" +
              std::to_string(k) + " 2>&1 & ";
  }
  const auto r = testing::RunCommand("cd " + ShellQuote(tmp_.path().string()) + " || exit 1; " +
                                     script + "wait");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string base = "shared=True_LF=0.995_LR=0.005";
  std::vector<std::string> expected = {base};
  for (int k = 2; k <= 8; ++k) expected.push_back(base + "_" + std::to_string(k));
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(RunFolders(tmp_.path() / "runs"), expected);
  std::set<std::string> logdirs;
  for (int k = 0; k < 8; ++k) {
    auto ckpt = LoadCheckpoint(tmp_.path() / ("m" + std::to_string(k) + ".mtrec"));
    ASSERT_TRUE(ckpt.ok()) << ckpt.status().message();
    logdirs.insert(ckpt->logdir);
    const fs::path dir = ckpt->logdir;
    EXPECT_TRUE(dir.is_absolute());
    EXPECT_EQ(testing::MetricsWithoutTimes(dir).size(), 2u);
    EXPECT_EQ(nlohmann::json::parse(ReadFile(dir / "config.json"))["config"]["train"]["epochs"], 2);
    EXPECT_EQ(EventFiles(dir), 1);
  }
  EXPECT_EQ(logdirs.size(), 8u);  // one run per folder
}

// Item 2: an unusable --save is refused before the data is read (here the data
// set does not even exist: the --save error comes first) and leaves nothing.
TEST_F(OutputSafety, AnUnusableSaveIsRefusedBeforeAnyWork) {
  const std::string missing_data = " train --dataset nope.data --logdir run --save ";
  auto r = MtrecIn(tmp_.path(), missing_data + "no/such/folder/m.mtrec");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--save"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  r = MtrecIn(tmp_.path(), missing_data + ".");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is a folder"), std::string::npos) << r.err;
  EXPECT_EQ(testing::CountLines(r.err), 1);
  if (::geteuid() != 0) {
    fs::create_directories(tmp_.path() / "ro");
    fs::permissions(tmp_.path() / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    r = MtrecIn(tmp_.path(), missing_data + "ro/m.mtrec");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("cannot write in the folder"), std::string::npos) << r.err;
    fs::permissions(tmp_.path() / "ro", fs::perms::owner_all);
  }
  EXPECT_FALSE(fs::exists(tmp_.path() / "run"));
}

// Item 3: --save never replaces an input or another run's model by surprise.
TEST_F(OutputSafety, SaveNeverOverwritesAnInputOrAnotherRunsModel) {
  const std::string before = ReadFile(Data());
  auto r = MtrecIn(tmp_.path(), "train --dataset u.data --logdir a --save u.data --overwrite");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is an input of this run"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(Data()), before);
  r = MtrecIn(tmp_.path(), "train --dataset u.data --logdir a --save m.mtrec --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string first_model = ReadFile(tmp_.path() / "m.mtrec");
  r = MtrecIn(tmp_.path(), "train --dataset u.data --logdir b --save m.mtrec --seed 7");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--save"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--overwrite"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(tmp_.path() / "m.mtrec"), first_model);
  EXPECT_FALSE(fs::exists(tmp_.path() / "b"));
  r = MtrecIn(tmp_.path(),
              "train --dataset u.data --logdir b --save m.mtrec --seed 7 --overwrite --threads 1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(ReadFile(tmp_.path() / "m.mtrec"), first_model);
  EXPECT_FALSE(fs::exists(tmp_.path() / "m.mtrec.lock"));
}

// Item 4: relative paths are recorded absolute; a model and a resume work from
// any folder.
TEST_F(OutputSafety, RelativePathsAreRecordedAbsolute) {
  fs::create_directories(tmp_.path() / "work" / "dd" / "ml-100k");
  fs::copy_file(Data(), tmp_.path() / "work" / "dd" / "ml-100k" / "u.data");
  fs::create_directories(tmp_.path() / "elsewhere");
  auto r = MtrecIn(tmp_.path() / "work",
                   "train --dataset ml-100k --data_dir dd --save m.mtrec --epochs 1 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto ckpt = LoadCheckpoint(tmp_.path() / "work" / "m.mtrec");
  ASSERT_TRUE(ckpt.ok());
  EXPECT_EQ(ckpt->config.data.data_dir, (tmp_.path() / "work" / "dd").string());
  EXPECT_TRUE(fs::path(ckpt->logdir).is_absolute());
  const std::string model = (tmp_.path() / "work" / "m.mtrec").string();
  r = MtrecIn(tmp_.path() / "elsewhere", "evaluate --model " + ShellQuote(model));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = MtrecIn(tmp_.path() / "elsewhere", "train --resume " + ShellQuote(model) + " --epochs 2");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(tmp_.path() / "elsewhere" / "runs"));  // the run was not split
  EXPECT_EQ(testing::MetricsWithoutTimes(ckpt->logdir).size(), 2u);
}

// Item 5: sizes from flags and data are bounded before allocation.
TEST_F(OutputSafety, HostileSizesEndInOneLineNotAnAbort) {
  const std::string limit = "ulimit -v 2500000 && ";  // 2.4 GiB of address space
  auto r = testing::RunCommand(limit + ShellQuote(testing::MtrecBinary()) + " train --dataset " +
                               ShellQuote(Data()) + " --threads 1 --batch_size 100000000 " +
                               "--logdir " + ShellQuote(tmp_ / "huge"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The batch is clamped to the training rows: the same run as with exactly that batch.
  const int64_t rows =
      nlohmann::json::parse(ReadFile(tmp_.path() / "huge" / "config.json"))["run"]["train_size"];
  r = RunMtrec({"train", "--dataset", Data(), "--threads", "1", "--batch_size",
                std::to_string(rows), "--logdir", tmp_ / "exact"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::MetricsWithoutTimes(tmp_.path() / "huge"),
            testing::MetricsWithoutTimes(tmp_.path() / "exact"));

  fs::create_directories(tmp_.path() / "sparse");
  testing::WriteFile(tmp_.path() / "sparse" / "u.data",
                     ReadFile(Data()) + "1\t99999999\t5\t881250949\n");
  r = testing::RunCommand(limit + ShellQuote(testing::MtrecBinary()) + " train --dataset " +
                          ShellQuote(tmp_ / "sparse/u.data") + " --logdir " +
                          ShellQuote(tmp_ / "r2"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("the model needs about"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("GiB"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--remap_ids"), std::string::npos) << r.err;
  EXPECT_EQ(testing::CountLines(r.err), 1) << r.err;
  r = testing::RunCommand(limit + ShellQuote(testing::MtrecBinary()) + " train --dataset " +
                          ShellQuote(Data()) + " --layers 65536,65536 --logdir " +
                          ShellQuote(tmp_ / "r3"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("--layers 65536,65536"), std::string::npos) << r.err;
  EXPECT_EQ(testing::CountLines(r.err), 1) << r.err;
  EXPECT_FALSE(fs::exists(tmp_.path() / "r2"));
  EXPECT_FALSE(fs::exists(tmp_.path() / "r3"));
}

// Item 6: --overwrite leaves one run in the folder; --resume never writes into
// a folder that now holds another run.
TEST_F(OutputSafety, OverwriteAndResumeNeverMixTwoRuns) {
  for (int k = 0; k < 2; ++k) {
    auto r = RunMtrec({"train", "--dataset", Data(), "--threads", "1", "--epochs", "1", "--logdir",
                       tmp_ / "run", "--overwrite", "--save", tmp_ / "first.mtrec", "--seed",
                       std::to_string(k + 1)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(EventFiles(tmp_.path() / "run"), 1);  // the first run's events are gone
  // The folder is taken over by another run; the first run's checkpoint cannot
  // be resumed into it.
  auto r = RunMtrec({"train", "--dataset", Data(), "--threads", "1", "--epochs", "1", "--logdir",
                     tmp_ / "run", "--overwrite", "--seed", "9"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto others = testing::MetricsWithoutTimes(tmp_.path() / "run");
  r = RunMtrec({"train", "--resume", tmp_ / "first.mtrec", "--epochs", "3"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("now holds another run"), std::string::npos) << r.err;
  EXPECT_EQ(testing::MetricsWithoutTimes(tmp_.path() / "run"), others);
  // Continued elsewhere, it is fine.
  r = RunMtrec(
      {"train", "--resume", tmp_ / "first.mtrec", "--epochs", "2", "--logdir", tmp_ / "continued"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::MetricsWithoutTimes(tmp_.path() / "continued").size(), 2u);
}

}  // namespace
}  // namespace mtrec

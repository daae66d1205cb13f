// Issue 22's file-safety suite: at every path mtrec creates or replaces (the
// run marker, the checkpoint locks, config.json, metrics.jsonl, refit.json,
// event files, the checkpoints and --save_best's file, a sweep's folders and
// summaries, the default run folder) a link to a victim file, a dangling
// link, a FIFO, a link to a device and a folder are planted before a run; the
// run must either succeed without touching the planted entry or be refused
// before any work (exit 2, the working folder as it was), and nothing outside
// the run's own files may change. Links planted during a run at the
// predictable temporary names of older versions are never followed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
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
using testing::TempDir;

enum class Plant { kLinkToVictim, kDanglingLink, kFifo, kLinkToDevice, kFolder };
constexpr Plant kPlants[] = {Plant::kLinkToVictim, Plant::kDanglingLink, Plant::kFifo,
                             Plant::kLinkToDevice, Plant::kFolder};

const char* NameOf(Plant p) {
  switch (p) {
    case Plant::kLinkToVictim:
      return "a link to a file";
    case Plant::kDanglingLink:
      return "a dangling link";
    case Plant::kFifo:
      return "a FIFO";
    case Plant::kLinkToDevice:
      return "a link to /dev/null";
    case Plant::kFolder:
      return "a folder";
  }
  return "?";
}

// Every entry under `root` (links not followed): its kind and, for a regular
// file its bytes, for a link its target.
using FolderSnapshot = std::map<std::string, std::string>;

FolderSnapshot Take(const fs::path& root) {
  FolderSnapshot out;
  if (!fs::exists(fs::symlink_status(root))) return out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    const fs::path p = it->path();
    const fs::file_status st = fs::symlink_status(p);
    std::string what = std::to_string(static_cast<int>(st.type())) + ":";
    if (st.type() == fs::file_type::regular) what += ReadFile(p);
    if (st.type() == fs::file_type::symlink) what += fs::read_symlink(p).string();
    out[p.lexically_relative(root).string()] = what;
  }
  return out;
}

// A scenario: a command (run in the folder `work`) and the paths, relative to
// `work`, of the files it creates or replaces.
struct Scenario {
  std::string name;
  std::string command;
  std::vector<std::string> paths;
};

class FileSafety : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_.path() / "data");
    testing::WriteGroupedRatings(tmp_.path() / "data", 40, 30, 12, 5);
    fs::create_directories(tmp_.path() / "victim");
    testing::WriteFile(tmp_.path() / "victim" / "file", "precious\n");
  }

  // Plants `p` at `where` (its folders created first).
  void PlantAt(const fs::path& where, Plant p, int serial) {
    fs::create_directories(where.parent_path());
    switch (p) {
      case Plant::kLinkToVictim:
        fs::create_symlink(tmp_.path() / "victim" / "file", where);
        break;
      case Plant::kDanglingLink:
        fs::create_symlink(tmp_.path() / "victim" / ("ghost" + std::to_string(serial)), where);
        break;
      case Plant::kFifo:
        ASSERT_EQ(::mkfifo(where.c_str(), 0644), 0);
        break;
      case Plant::kLinkToDevice:
        fs::create_symlink("/dev/null", where);
        break;
      case Plant::kFolder:
        fs::create_directories(where);
        break;
    }
  }

  // Runs every plant at every path of `s`; returns the number of runs.
  int Check(const Scenario& s) {
    int runs = 0;
    for (size_t k = 0; k < s.paths.size(); ++k) {
      for (Plant p : kPlants) {
        const int serial = static_cast<int>(k) * 10 + static_cast<int>(p);
        const fs::path work = tmp_.path() / ("w" + std::to_string(serial) + s.name);
        fs::create_directories(work);
        PlantAt(work / s.paths[k], p, serial);
        const FolderSnapshot victim = Take(tmp_.path() / "victim");
        const FolderSnapshot before = Take(work);
        const std::string planted = before.at(s.paths[k]);
        const auto r =
            testing::RunCommand("cd " + testing::ShellQuote(work.string()) +
                                " && MTREC_MOVIELENS_URL=file:///nonexistent " +
                                testing::ShellQuote(testing::MtrecBinary()) + " " + s.command);
        ++runs;
        const std::string what = s.name + ": " + NameOf(p) + " at " + s.paths[k] + ": exit " +
                                 std::to_string(r.exit_code) + " " + r.err;
        EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 2) << what;
        EXPECT_EQ(Take(tmp_.path() / "victim"), victim) << what;
        EXPECT_TRUE(fs::is_character_file("/dev/null"));
        const FolderSnapshot after = Take(work);
        if (r.exit_code == 2) {
          EXPECT_EQ(after, before) << what;  // refused before any work
          EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what;
        }
        EXPECT_TRUE(after.count(s.paths[k])) << what;
        const std::string now = after.count(s.paths[k]) ? after.at(s.paths[k]) : "absent";
        if (p == Plant::kFolder) {
          EXPECT_EQ(now.substr(0, 2), planted.substr(0, 2)) << what;  // still a folder
        } else {
          EXPECT_EQ(now, planted) << what;
        }
        for (const auto& [path, entry] : after) {  // no lock or temporary file left
          if (path == s.paths[k]) continue;
          EXPECT_EQ(path.find(".lock"), std::string::npos) << what << ": " << path;
          EXPECT_EQ(path.find(".tmp."), std::string::npos) << what << ": " << path;
        }
      }
    }
    return runs;
  }

  std::string Data() const { return testing::ShellQuote((tmp_.path() / "data/u.data").string()); }

  TempDir tmp_;
};

TEST_F(FileSafety, TrainRefusesOrSucceedsWithoutTouchingAnythingPlanted) {
  const Scenario train = {"train",
                          "train --dataset " + Data() +
                              " --threads 1 --epochs 2 --logdir run --save m.mtrec --save_best mrr",
                          {"run/.mtrec-run", "run/config.json", "run/metrics.jsonl",
                           "run/refit.json", "run/events.out.tfevents.0000000001.host.1.0", "run",
                           "m.mtrec", "m.mtrec.lock", "m.best.mtrec", "m.best.mtrec.lock"}};
  EXPECT_EQ(Check(train), 50);
}

TEST_F(FileSafety, TheDefaultRunFolderSkipsWhatWasPlanted) {
  const std::string folder = "runs/shared=True_LF=0.995_LR=0.005";
  const Scenario train = {"default",
                          "train --dataset " + Data() + " --threads 1 --epochs 1",
                          {"runs", folder, folder + "/.mtrec-run", folder + "/metrics.jsonl"}};
  EXPECT_EQ(Check(train), 20);
}

TEST_F(FileSafety, SweepRefusesOrSucceedsWithoutTouchingAnythingPlanted) {
  const std::string run = "sw/shared=True_LF=0.5_LR=0.5";
  const Scenario sweep = {
      "sweep",
      "sweep --dataset " + Data() +
          " --threads 1 --epochs 1 --grid shared/0.5/0.5 --seeds 1 --out sw --save",
      {"sw/.mtrec-run", "sw/summary.md", "sw/summary.csv", "sw/curves.svg", run, run + "/seed=1",
       run + "/seed=1/.mtrec-run", run + "/seed=1/config.json", run + "/seed=1/model.mtrec"}};
  EXPECT_EQ(Check(sweep), 45);
}

// During a run: links planted at the temporary names an older mtrec used
// ("<file>.tmp.<pid>", the pid being in `ps`) once the run has claimed its
// outputs are never followed; the run succeeds and the victim is untouched.
TEST_F(FileSafety, LinksAtTheOldPredictableTemporaryNamesAreNeverFollowed) {
  fs::create_directories(tmp_.path() / "big");
  testing::WriteGroupedRatings(tmp_.path() / "big", 300, 200, 40, 5);
  const fs::path work = tmp_.path() / "work";
  fs::create_directories(work);
  const fs::path victim = tmp_.path() / "victim" / "file";
  std::vector<std::string> argv = {testing::MtrecBinary(),
                                   "train",
                                   "--dataset",
                                   (tmp_.path() / "big/u.data").string(),
                                   "--threads",
                                   "1",
                                   "--epochs",
                                   "40",
                                   "--logdir",
                                   (work / "run").string(),
                                   "--save",
                                   (work / "m.mtrec").string(),
                                   "--save_every",
                                   "1"};
  const pid_t pid = testing::Spawn(argv);
  const std::string suffix = ".tmp." + std::to_string(pid);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(work / "run" / "config.json") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  const std::vector<fs::path> planted = {work / ("m.mtrec" + suffix),
                                         work / "run" / ("metrics.jsonl" + suffix),
                                         work / "run" / ("config.json" + suffix)};
  for (const fs::path& p : planted) fs::create_symlink(victim, p);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(ReadFile(victim), "precious\n");
  EXPECT_EQ(fs::symlink_status(work / "m.mtrec").type(), fs::file_type::regular);
  for (const fs::path& p : planted) EXPECT_TRUE(fs::is_symlink(p)) << p;
  auto checkpoint = LoadCheckpoint(work / "m.mtrec");
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().message();
  EXPECT_EQ(checkpoint->epochs_done, 40);
  EXPECT_EQ(testing::MetricsWithoutTimes(work / "run").size(), 40u);
}

// During a run: its checkpoint replaced by a link (by someone who may write in
// its folder) is never written through; the checkpoint is kept beside it and
// the run ends with a runtime error (exit 1) naming where.
TEST_F(FileSafety, ACheckpointReplacedByALinkDuringARunIsKeptBesideIt) {
  fs::create_directories(tmp_.path() / "big");
  testing::WriteGroupedRatings(tmp_.path() / "big", 300, 200, 40, 5);
  const fs::path work = tmp_.path() / "work";
  fs::create_directories(work);
  const fs::path victim = tmp_.path() / "victim" / "file";
  const pid_t pid = testing::Spawn({testing::MtrecBinary(), "train", "--dataset",
                                    (tmp_.path() / "big/u.data").string(), "--threads", "1",
                                    "--epochs", "2000", "--logdir", (work / "run").string(),
                                    "--save", (work / "m.mtrec").string(), "--save_every", "1"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (testing::ReadLines(work / "run" / "metrics.jsonl").size() < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  fs::create_symlink(victim, work / "link");
  fs::rename(work / "link", work / "m.mtrec");  // atomically: no moment without m.mtrec
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(ReadFile(victim), "precious\n");
  EXPECT_TRUE(fs::is_symlink(work / "m.mtrec"));
  int kept = 0;
  for (const auto& e : fs::directory_iterator(work)) {
    if (!e.path().filename().string().starts_with("m.mtrec.kept.")) continue;
    ++kept;
    auto checkpoint = LoadCheckpoint(e.path());
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().message();
    EXPECT_GE(checkpoint->epochs_done, 2);
  }
  EXPECT_EQ(kept, 1);
}

}  // namespace
}  // namespace mtrec

// Issue 10's acceptance: concurrent train and sweep runs sharing a parent
// folder and --save names each end up with a complete, distinct run folder and
// checkpoint (or are refused before any work), and a train killed with SIGKILL
// at any moment never leaves a partial checkpoint, config.json or metrics.jsonl.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "mtrec/report/output_claim.h"
#include "mtrec/train/checkpoint.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::ReadFile;
using testing::ShellQuote;
using testing::TempDir;

std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) files[e.path().filename()] = ReadFile(e.path());
  }
  return files;
}

// Every file under `dir` whose name contains `part`.
std::vector<std::string> FilesNamed(const fs::path& dir, const std::string& part) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().find(part) != std::string::npos) out.push_back(e.path());
  }
  return out;
}

bool IsJson(const std::string& text) {
  return !Json::parse(text, nullptr, /*allow_exceptions=*/false).is_discarded();
}

int ExitCode(const fs::path& file) { return std::stoi(ReadFile(file)); }

// A finished run's folder: marker, config.json, `epochs` metrics lines, one event file.
void ExpectCompleteRun(const fs::path& dir, size_t epochs, const std::string& run_id) {
  SCOPED_TRACE(dir.string());
  EXPECT_EQ(RunIdOf(dir), run_id);
  EXPECT_TRUE(IsJson(ReadFile(dir / "config.json")));
  const auto lines = testing::ReadLines(dir / "metrics.jsonl");
  EXPECT_EQ(lines.size(), epochs);
  for (const auto& line : lines) EXPECT_TRUE(IsJson(line));
  EXPECT_EQ(FilesNamed(dir, "events.out.tfevents.").size(), 1u);
}

TEST(ConcurrencyStress, EightTrainsAndFourSweepsShareAFolderSafely) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 30, 20, 8, 3);
  const auto inputs = Snapshot(tmp.path());
  const std::string mtrec = ShellQuote(testing::MtrecBinary());
  std::string script = "cd " + ShellQuote(tmp.path().string()) + " || exit 1; ";
  // Trains 0-5 save to their own file, 6 and 7 to the same one.
  for (int k = 0; k < 8; ++k) {
    const std::string save = k < 6 ? "m" + std::to_string(k) + ".mtrec" : "shared.mtrec";
    script += "(" + mtrec + " train --dataset u.data --threads 1 --epochs 2 --save " + save +
              " > t" + std::to_string(k) + ".out 2>&1; echo $? > t" + std::to_string(k) + ".rc) & ";
  }
  // Sweeps 0 and 1 share --out s0.
  const char* outs[] = {"s0", "s0", "s1", "s2"};
  for (int k = 0; k < 4; ++k) {
    script += "(" + mtrec +
              " sweep --dataset u.data --threads 1 --epochs 1 --grid shared/0.99/0.01 "
              "--seeds 1,2 --save --out " +
              outs[k] + " > w" + std::to_string(k) + ".out 2>&1; echo $? > w" + std::to_string(k) +
              ".rc) & ";
  }
  const auto r = testing::RunCommand(script + "wait");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  std::set<std::string> run_ids, logdirs;
  for (int k = 0; k < 8; ++k) {
    const fs::path rc = tmp.path() / ("t" + std::to_string(k) + ".rc");
    if (k < 6) {
      EXPECT_EQ(ExitCode(rc), 0) << ReadFile(tmp.path() / ("t" + std::to_string(k) + ".out"));
    }
  }
  const int shared_ok =
      (ExitCode(tmp.path() / "t6.rc") == 0) + (ExitCode(tmp.path() / "t7.rc") == 0);
  EXPECT_EQ(shared_ok, 1);  // one of them won shared.mtrec; the other was refused (exit 2)
  EXPECT_EQ(ExitCode(tmp.path() / "t6.rc") + ExitCode(tmp.path() / "t7.rc"), 2);
  std::vector<std::string> models = {"shared.mtrec"};
  for (int k = 0; k < 6; ++k) models.push_back("m" + std::to_string(k) + ".mtrec");
  for (const std::string& name : models) {
    auto ckpt = LoadCheckpoint(tmp.path() / name);
    ASSERT_TRUE(ckpt.ok()) << ckpt.status().message();
    ExpectCompleteRun(ckpt->logdir, 2, ckpt->run_id);
    run_ids.insert(ckpt->run_id);
    logdirs.insert(ckpt->logdir);
  }
  EXPECT_EQ(logdirs.size(), 7u);
  size_t folders = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path() / "runs")) ++folders;
  EXPECT_EQ(folders, 7u);  // the refused run left no folder

  EXPECT_EQ(ExitCode(tmp.path() / "w0.rc") + ExitCode(tmp.path() / "w1.rc"), 2);
  EXPECT_EQ(ExitCode(tmp.path() / "w2.rc"), 0);
  EXPECT_EQ(ExitCode(tmp.path() / "w3.rc"), 0);
  for (const char* out : {"s0", "s1", "s2"}) {
    EXPECT_TRUE(fs::exists(tmp.path() / out / "summary.md")) << out;
    for (const char* seed : {"seed=1", "seed=2"}) {
      const fs::path dir = tmp.path() / out / "shared=True_LF=0.99_LR=0.01" / seed;
      auto ckpt = LoadCheckpoint(dir / "model.mtrec");
      ASSERT_TRUE(ckpt.ok()) << ckpt.status().message();
      EXPECT_EQ(fs::path(ckpt->logdir), dir);
      ExpectCompleteRun(dir, 1, ckpt->run_id);
      run_ids.insert(ckpt->run_id);
    }
  }
  EXPECT_EQ(run_ids.size(), 13u);  // 7 trains + 3 sweeps x 2 seeds, all distinct runs
  EXPECT_EQ(FilesNamed(tmp.path(), ".lock"), std::vector<std::string>{});
  EXPECT_EQ(FilesNamed(tmp.path(), ".tmp."), std::vector<std::string>{});
  for (const auto& [name, bytes] : inputs) EXPECT_EQ(ReadFile(tmp.path() / name), bytes) << name;
}

TEST(FaultInjection, SigkillNeverLeavesAPartialOutput) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 200, 100, 30, 7);
  const auto inputs = Snapshot(tmp.path());
  const std::string train = ShellQuote(testing::MtrecBinary()) +
                            " train --dataset u.data --threads 1 --epochs 400 --save_every 1 "
                            "--save m.mtrec --logdir run --overwrite";
  std::mt19937 rng(20261129);
  std::uniform_int_distribution<int> delay_ms(0, 400);
  int saw_checkpoint = 0;
  for (int trial = 0; trial < 20; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const int ms = delay_ms(rng);
    const auto r =
        testing::RunCommand("cd " + ShellQuote(tmp.path().string()) + " || exit 1; " + train +
                            " > /dev/null 2>&1 & pid=$!; sleep " + std::to_string(ms / 1000.0) +
                            "; kill -9 $pid 2>/dev/null; wait $pid; exit 0");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    if (fs::exists(tmp.path() / "m.mtrec")) {
      ++saw_checkpoint;
      auto ckpt = LoadCheckpoint(tmp.path() / "m.mtrec");
      EXPECT_TRUE(ckpt.ok()) << ckpt.status().message();
    }
    if (fs::exists(tmp.path() / "run" / "config.json")) {
      EXPECT_TRUE(IsJson(ReadFile(tmp.path() / "run" / "config.json")));
    }
    if (fs::exists(tmp.path() / "run" / "metrics.jsonl")) {
      for (const auto& line : testing::ReadLines(tmp.path() / "run" / "metrics.jsonl")) {
        EXPECT_TRUE(IsJson(line)) << line;
      }
    }
    for (const auto& [name, bytes] : inputs) EXPECT_EQ(ReadFile(tmp.path() / name), bytes) << name;
  }
  EXPECT_GT(saw_checkpoint, 0) << "no trial lived long enough to write a checkpoint";
  // What the killed runs left (a stale lock, temporary files) does not stop the
  // next run, and is cleaned up by it.
  const auto r = testing::RunCommand("cd " + ShellQuote(tmp.path().string()) + " || exit 1; " +
                                     ShellQuote(testing::MtrecBinary()) +
                                     " train --dataset u.data --threads 1 --epochs 1 --save "
                                     "m.mtrec --logdir run --overwrite");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(FilesNamed(tmp.path(), ".tmp."), std::vector<std::string>{});
  EXPECT_EQ(FilesNamed(tmp.path(), ".lock"), std::vector<std::string>{});
}

}  // namespace
}  // namespace mtrec

// report/output_claim.h: run folders and checkpoint targets are claimed once, by
// one claimer, and nothing already there is replaced unless asked for.
#include "mtrec/report/output_claim.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "support/files.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

TEST(ClaimRunFolder, NewFoldersGetSuffixesAndAreNeverShared) {
  TempDir tmp;
  const fs::path base = tmp.path() / "runs" / "a";
  auto first = ClaimRunFolder(base, RunFolderMode::kNewWithSuffix, "id1", "--logdir");
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->dir, base);
  EXPECT_EQ(RunIdOf(base), "id1");
  // Taken while its run is going, and after it ended (the marker stays).
  auto second = ClaimRunFolder(base, RunFolderMode::kNewWithSuffix, "id2", "--logdir");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->dir, fs::path(base.string() + "_2"));
  WriteFile(base / "config.json", "{}");
  first->lock.Release();
  auto third = ClaimRunFolder(base, RunFolderMode::kNewWithSuffix, "id3", "--logdir");
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->dir, fs::path(base.string() + "_3"));
  auto exact = ClaimRunFolder(base, RunFolderMode::kNew, "id4", "--logdir");
  ASSERT_FALSE(exact.ok());
  EXPECT_EQ(exact.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(exact.status().message().find("already holds a run; pass --overwrite"),
            std::string::npos);
}

TEST(ClaimRunFolder, AFolderOfARunKilledBeforeWritingAnythingIsFreeAgain) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "run";
  {
    auto killed = ClaimRunFolder(dir, RunFolderMode::kNew, "killed", "--logdir");
    ASSERT_TRUE(killed.ok());
    auto busy = ClaimRunFolder(dir, RunFolderMode::kNew, "other", "--logdir");
    EXPECT_FALSE(busy.ok());  // not while its run lives
  }                           // the lock goes with the process; the marker stays
  auto claim = ClaimRunFolder(dir, RunFolderMode::kNew, "next", "--logdir");
  ASSERT_TRUE(claim.ok()) << claim.status().message();
  EXPECT_EQ(RunIdOf(dir), "next");
}

TEST(ClaimRunFolder, AFolderWrittenByAnOlderMtrecCountsAsTaken) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "old");
  WriteFile(tmp.path() / "old" / "metrics.jsonl", "{}\n");
  auto claim = ClaimRunFolder(tmp.path() / "old", RunFolderMode::kNew, "id", "--logdir");
  EXPECT_FALSE(claim.ok());
  EXPECT_FALSE(fs::exists(tmp.path() / "old" / kRunMarkerName));  // left as it was
  // An empty folder the user made is free.
  fs::create_directories(tmp.path() / "empty");
  EXPECT_TRUE(ClaimRunFolder(tmp.path() / "empty", RunFolderMode::kNew, "id", "--logdir").ok());
}

TEST(ClaimRunFolder, ReplaceRemovesThePreviousRunsFilesButNotARunningOnes) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "run";
  {
    auto claim = ClaimRunFolder(dir, RunFolderMode::kNew, "old", "--logdir");
    ASSERT_TRUE(claim.ok());
    WriteFile(dir / "config.json", "{}");
    WriteFile(dir / "metrics.jsonl", "{}\n");
    WriteFile(dir / "events.out.tfevents.1.host.1.0", "x");
    WriteFile(dir / "metrics.jsonl.tmp.999", "partial");
    WriteFile(dir / "notes.txt", "the user's");
    auto busy = ClaimRunFolder(dir, RunFolderMode::kReplace, "new", "--logdir");
    ASSERT_FALSE(busy.ok());
    EXPECT_NE(busy.status().message().find("in use by a running mtrec"), std::string::npos);
  }
  auto claim = ClaimRunFolder(dir, RunFolderMode::kReplace, "new", "--logdir");
  ASSERT_TRUE(claim.ok()) << claim.status().message();
  EXPECT_EQ(RunIdOf(dir), "new");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{std::string(kRunMarkerName), "notes.txt"}));
}

TEST(ClaimRunFolder, ReplaceLeavesAProjectsOwnFilesInAFolderNoRunMarked) {
  // `train --logdir . --overwrite` in a project folder: its own summary.md and
  // curves.svg are not a sweep's (no mtrec run marked the folder), so they stay;
  // the run files of an older mtrec (config.json, metrics.jsonl) go.
  TempDir tmp;
  const fs::path dir = tmp.path() / "project";
  fs::create_directories(dir);
  WriteFile(dir / "summary.md", "# my notes\n");
  WriteFile(dir / "curves.svg", "<svg/>");
  WriteFile(dir / "config.json", "{}");
  auto claim = ClaimRunFolder(dir, RunFolderMode::kReplace, "id1", "--logdir");
  ASSERT_TRUE(claim.ok()) << claim.status().message();
  EXPECT_EQ(ReadFile(dir / "summary.md"), "# my notes\n");
  EXPECT_TRUE(fs::exists(dir / "curves.svg"));
  EXPECT_FALSE(fs::exists(dir / "config.json"));
  // Once marked, a later --overwrite removes a sweep's summary as its own.
  claim->lock.Release();
  WriteFile(dir / "summary.csv", "a,b\n");
  auto again = ClaimRunFolder(dir, RunFolderMode::kReplace, "id2", "--logdir");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(fs::exists(dir / "summary.csv"));
}

TEST(ClaimRunFolder, AFolderThatCannotBeCreatedIsAnIOErrorOrAFileInTheWay) {
  TempDir tmp;
  WriteFile(tmp.path() / "file", "x");
  auto in_the_way = ClaimRunFolder(tmp.path() / "file", RunFolderMode::kNew, "id", "--logdir");
  ASSERT_FALSE(in_the_way.ok());
  EXPECT_NE(in_the_way.status().message().find("--logdir"), std::string::npos);
  // Below a file: the OS refuses (ENOTDIR), which is no usage error.
  auto below = ClaimRunFolder(tmp.path() / "file" / "run", RunFolderMode::kNew, "id", "--logdir");
  ASSERT_FALSE(below.ok());
  EXPECT_EQ(below.status().code(), Status::Code::kIOError) << below.status().message();
}

TEST(ClaimRunFolder, ContinueOnlyTheRunTheFolderHolds) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "run";
  ASSERT_TRUE(ClaimRunFolder(dir, RunFolderMode::kNew, "mine", "--logdir").ok());
  EXPECT_TRUE(ClaimRunFolder(dir, RunFolderMode::kContinue, "mine", "--logdir").ok());
  auto other = ClaimRunFolder(dir, RunFolderMode::kContinue, "theirs", "--logdir");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("now holds another run"), std::string::npos);
}

TEST(ClaimRunFolder, AnUnusedNewFolderIsGivenBack) {
  TempDir tmp;
  auto claim = ClaimRunFolder(tmp.path() / "r", RunFolderMode::kNew, "id", "--logdir");
  ASSERT_TRUE(claim.ok());
  ReleaseUnusedRunFolder(*claim);
  EXPECT_FALSE(fs::exists(tmp.path() / "r"));
}

TEST(ClaimCheckpointTarget, RefusesUnusableTargetsBeforeAnyWork) {
  TempDir tmp;
  const auto claim = [&](const fs::path& path, bool replace = false) {
    CheckpointTarget t;
    t.path = path;
    t.flag = "--save";
    t.may_replace = replace;
    t.inputs = {tmp.path() / "ratings.csv"};
    return ClaimCheckpointTarget(t);
  };
  const auto message = [](const Result<FileLock>& r) {
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_NE(message(claim(tmp.path() / "missing" / "m.mtrec")).find("does not exist"),
            std::string::npos);
  EXPECT_NE(message(claim(tmp.path())).find("is a folder"), std::string::npos);
  WriteFile(tmp.path() / "ratings.csv", "1,2,3\n");
  EXPECT_NE(message(claim(tmp.path() / "ratings.csv", true)).find("is an input of this run"),
            std::string::npos);
  WriteFile(tmp.path() / "m.mtrec", "model");
  auto existing = claim(tmp.path() / "m.mtrec");
  EXPECT_NE(message(existing).find("already exists; pass --overwrite"), std::string::npos);
  EXPECT_EQ(existing.status().code(), Status::Code::kInvalidArgument);
  {
    auto held = claim(tmp.path() / "m.mtrec", true);
    ASSERT_TRUE(held.ok()) << message(held);
    EXPECT_TRUE(fs::exists(tmp.path() / "m.mtrec.lock"));
    EXPECT_NE(message(claim(tmp.path() / "m.mtrec", true)).find("being written by another"),
              std::string::npos);
  }
  EXPECT_FALSE(fs::exists(tmp.path() / "m.mtrec.lock"));  // removed with the reservation
  EXPECT_EQ(ReadFile(tmp.path() / "m.mtrec"), "model");   // never touched by a claim
  if (::geteuid() != 0) {                                 // root writes anywhere
    fs::create_directories(tmp.path() / "ro");
    fs::permissions(tmp.path() / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    auto ro = claim(tmp.path() / "ro" / "m.mtrec");
    EXPECT_NE(message(ro).find("cannot write in the folder"), std::string::npos);
    EXPECT_EQ(ro.status().code(), Status::Code::kIOError);
    fs::permissions(tmp.path() / "ro", fs::perms::owner_all);
  }
}

TEST(ClaimCheckpointTarget, AStaleLockAndTempFilesOfAKilledRunAreTakenOver) {
  TempDir tmp;
  WriteFile(tmp.path() / "m.mtrec.lock", "");
  WriteFile(tmp.path() / "m.mtrec.tmp.12345", "partial");
  CheckpointTarget t;
  t.path = tmp.path() / "m.mtrec";
  t.flag = "--save";
  auto lock = ClaimCheckpointTarget(t);
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_FALSE(fs::exists(tmp.path() / "m.mtrec.tmp.12345"));
}

// Issue 22, item 1: the marker is never followed, opened when it is not a
// regular file, or created through a dangling link.
TEST(ClaimRunFolder, AMarkerThatIsNotARegularFileIsNeverFollowed) {
  TempDir tmp;
  const fs::path victim = tmp.path() / "victim";
  WriteFile(victim, "precious");
  const fs::path outside = tmp.path() / "outside";
  const auto plant = [&](const fs::path& dir, int kind) {
    fs::create_directories(dir);
    const fs::path marker = dir / kRunMarkerName;
    if (kind == 0) fs::create_symlink(victim, marker);
    if (kind == 1) fs::create_symlink(outside, marker);
    if (kind == 2) fs::create_symlink("/dev/null", marker);
    if (kind == 3) {
      ASSERT_EQ(::mkfifo(marker.c_str(), 0644), 0);
    }
    if (kind == 4) fs::create_directories(marker);
  };
  for (int kind = 0; kind < 5; ++kind) {
    for (RunFolderMode mode : {RunFolderMode::kNew, RunFolderMode::kReplace,
                               RunFolderMode::kContinue, RunFolderMode::kNewWithSuffix}) {
      const fs::path dir =
          tmp.path() / ("r" + std::to_string(kind) + "_" + std::to_string(static_cast<int>(mode)));
      plant(dir, kind);
      auto claim = ClaimRunFolder(dir, mode, "id", "--logdir");
      if (mode == RunFolderMode::kNewWithSuffix) {
        ASSERT_TRUE(claim.ok()) << claim.status().message();
        EXPECT_EQ(claim->dir, fs::path(dir.string() + "_2"));
      } else {
        ASSERT_FALSE(claim.ok()) << kind;
        EXPECT_EQ(claim.status().code(), Status::Code::kInvalidArgument)
            << claim.status().message();
      }
      EXPECT_EQ(RunIdOf(dir), "");
      EXPECT_EQ(fs::symlink_status(dir / kRunMarkerName).type(),
                kind < 3 ? fs::file_type::symlink
                         : (kind == 3 ? fs::file_type::fifo : fs::file_type::directory));
    }
  }
  EXPECT_EQ(ReadFile(victim), "precious");
  EXPECT_FALSE(fs::exists(outside));
}

TEST(ClaimRunFolder, ARunFileThatIsNotARegularFileIsRefusedNotRemoved) {
  TempDir tmp;
  const fs::path victim = tmp.path() / "victim";
  WriteFile(victim, "precious");
  const fs::path dir = tmp.path() / "run";
  fs::create_directories(dir);
  fs::create_symlink(victim, dir / "metrics.jsonl");
  for (RunFolderMode mode : {RunFolderMode::kNew, RunFolderMode::kReplace}) {
    auto claim = ClaimRunFolder(dir, mode, "id", "--logdir");
    ASSERT_FALSE(claim.ok());
    EXPECT_EQ(claim.status().code(), Status::Code::kInvalidArgument);
  }
  EXPECT_NE(ClaimRunFolder(dir, RunFolderMode::kReplace, "id", "--logdir")
                .status()
                .message()
                .find("is a symbolic link"),
            std::string::npos);
  EXPECT_TRUE(fs::is_symlink(dir / "metrics.jsonl"));
  EXPECT_EQ(ReadFile(victim), "precious");
  // The run folder itself: a link to a folder is not followed (explicit), or
  // skipped (default folder with suffixes).
  fs::create_directories(tmp.path() / "elsewhere");
  fs::create_symlink(tmp.path() / "elsewhere", tmp.path() / "linked");
  auto linked = ClaimRunFolder(tmp.path() / "linked", RunFolderMode::kNew, "id", "--logdir");
  ASSERT_FALSE(linked.ok());
  EXPECT_NE(linked.status().message().find("is a symbolic link, not a folder"), std::string::npos)
      << linked.status().message();
  auto suffixed =
      ClaimRunFolder(tmp.path() / "linked", RunFolderMode::kNewWithSuffix, "id", "--logdir");
  ASSERT_TRUE(suffixed.ok());
  EXPECT_EQ(suffixed->dir, tmp.path() / "linked_2");
  EXPECT_TRUE(fs::is_empty(tmp.path() / "elsewhere"));
}

// The renovation issue: --overwrite removes every file of the replaced run,
// refit.json included (report/run_files.h lists them).
TEST(ClaimRunFolder, ReplaceRemovesEveryRunFileRefitJsonIncluded) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "run";
  {
    auto claim = ClaimRunFolder(dir, RunFolderMode::kNew, "old", "--logdir");
    ASSERT_TRUE(claim.ok());
  }
  for (std::string_view name : kTrainRunFiles) WriteFile(dir / name, "{}");
  WriteFile(dir / "refit.json.tmp.Ab12Cd34Ef56", "partial");
  auto claim = ClaimRunFolder(dir, RunFolderMode::kReplace, "new", "--logdir");
  ASSERT_TRUE(claim.ok()) << claim.status().message();
  EXPECT_FALSE(fs::exists(dir / "refit.json"));
  EXPECT_EQ(tmp.Entries(), (std::vector<std::string>{"run", "run/" + std::string(kRunMarkerName)}));
}

// Item 6: a resumed run continues only in a folder that still holds it.
TEST(ClaimRunFolder, ContinueNeedsTheFolderAndItsMarker) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "run";
  {
    auto claim = ClaimRunFolder(dir, RunFolderMode::kNew, "mine", "--logdir");
    ASSERT_TRUE(claim.ok());
  }
  fs::remove_all(dir);  // deleted
  auto deleted = ClaimRunFolder(dir, RunFolderMode::kContinue, "mine", "--resume");
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(deleted.status().message().find("no longer exists"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir));  // not recreated
  auto deeper =
      ClaimRunFolder(tmp.path() / "gone" / "run", RunFolderMode::kContinue, "mine", "--resume");
  ASSERT_FALSE(deeper.ok());
  EXPECT_FALSE(fs::exists(tmp.path() / "gone"));  // nor its parents
  fs::create_directories(dir);                    // emptied, or someone else's folder
  WriteFile(dir / "notes.txt", "theirs");
  auto emptied = ClaimRunFolder(dir, RunFolderMode::kContinue, "mine", "--resume");
  ASSERT_FALSE(emptied.ok());
  EXPECT_NE(emptied.status().message().find("no longer holds this run"), std::string::npos);
  EXPECT_EQ(tmp.Entries(), (std::vector<std::string>{"run", "run/notes.txt"}));
}

TEST(ClaimRunFolderIn, NeverFollowsALinkInsideTheClaimedFolder) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "elsewhere");
  auto sweep = ClaimRunFolder(tmp.path() / "sweep", RunFolderMode::kNew, "s", "--out");
  ASSERT_TRUE(sweep.ok());
  fs::create_symlink(tmp.path() / "elsewhere", tmp.path() / "sweep" / "cfg");
  const int fd = sweep->folder.get();
  EXPECT_EQ(CheckRunFolderIn(fd, sweep->dir, {"cfg", "seed=1"}, "--out").code(),
            Status::Code::kInvalidArgument);
  auto claim =
      ClaimRunFolderIn(fd, sweep->dir, {"cfg", "seed=1"}, RunFolderMode::kNew, "r", "--out");
  ASSERT_FALSE(claim.ok());
  EXPECT_TRUE(fs::is_empty(tmp.path() / "elsewhere"));
  EXPECT_TRUE(CheckRunFolderIn(fd, sweep->dir, {"cfg2", "seed=1"}, "--out").ok());
  auto fine =
      ClaimRunFolderIn(fd, sweep->dir, {"cfg2", "seed=1"}, RunFolderMode::kNew, "r", "--out");
  ASSERT_TRUE(fine.ok()) << fine.status().message();
  EXPECT_EQ(RunIdOf(tmp.path() / "sweep" / "cfg2" / "seed=1"), "r");
}

// Item 4: a checkpoint never goes to the run folder or one of its files.
TEST(CheckNotARunFile, RefusesTheRunFolderAndItsOwnFiles) {
  TempDir tmp;
  const fs::path run = tmp.path() / "run";
  for (const char* name : {"config.json", "metrics.jsonl", "refit.json", ".mtrec-run",
                           "events.out.tfevents.1.h.2.0", "summary.md"}) {
    const Status s = CheckNotARunFile(run / name, run, "--save");
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << name;
    EXPECT_NE(s.message().find("one of the run folder's own files"), std::string::npos);
  }
  EXPECT_EQ(CheckNotARunFile(run, run, "--save").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(CheckNotARunFile(run.string() + "/", run, "--save").code(),
            Status::Code::kInvalidArgument);
  EXPECT_TRUE(CheckNotARunFile(run / "model.mtrec", run, "--save").ok());
  EXPECT_TRUE(CheckNotARunFile(tmp.path() / "config.json", run, "--save").ok());
}

// Items 2 and 3 for --save: absent or a regular file, its lock never followed.
TEST(ClaimCheckpointTarget, RefusesLinksFifosAndDevicesAndNeverFollowsTheLock) {
  TempDir tmp;
  const fs::path victim = tmp.path() / "victim";
  WriteFile(victim, "precious");
  const fs::path outside = tmp.path() / "outside";
  const auto claim = [&](const fs::path& path) {
    CheckpointTarget t;
    t.path = path;
    t.flag = "--save";
    t.may_replace = true;
    return ClaimCheckpointTarget(t);
  };
  fs::create_symlink(victim, tmp.path() / "link.mtrec");
  fs::create_symlink(outside, tmp.path() / "dangling.mtrec");
  fs::create_symlink("/dev/null", tmp.path() / "device.mtrec");
  ASSERT_EQ(::mkfifo((tmp.path() / "fifo.mtrec").c_str(), 0644), 0);
  for (const char* name : {"link.mtrec", "dangling.mtrec", "device.mtrec", "fifo.mtrec"}) {
    auto r = claim(tmp.path() / name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << r.status().message();
    EXPECT_FALSE(fs::exists(tmp.path() / (std::string(name) + ".lock")));
  }
  // The lock: a link there (to a file, dangling, to a device) is refused.
  fs::create_symlink(victim, tmp.path() / "a.mtrec.lock");
  fs::create_symlink(outside, tmp.path() / "b.mtrec.lock");
  fs::create_symlink("/dev/null", tmp.path() / "c.mtrec.lock");
  for (const char* name : {"a.mtrec", "b.mtrec", "c.mtrec"}) {
    auto r = claim(tmp.path() / name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_NE(r.status().message().find("lock file"), std::string::npos) << r.status().message();
    EXPECT_TRUE(fs::is_symlink(tmp.path() / (std::string(name) + ".lock")));
  }
  // A stale temporary name that is not a regular file is not the claimer's to remove.
  fs::create_symlink(victim, tmp.path() / "d.mtrec.tmp.12345");
  ASSERT_TRUE(claim(tmp.path() / "d.mtrec").ok());
  EXPECT_TRUE(fs::is_symlink(tmp.path() / "d.mtrec.tmp.12345"));
  EXPECT_EQ(ReadFile(victim), "precious");
  EXPECT_FALSE(fs::exists(outside));
}

// A project's own summary.md or model.mtrec may be links: they are not a
// training run's files (only a sweep's, which checks them itself).
TEST(ClaimRunFolder, AProjectsLinkedSummaryIsNotATrainingRunsConcern) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "project";
  fs::create_directories(dir / "models");
  WriteFile(dir / "models" / "best.mtrec", "model");
  fs::create_symlink(dir / "models" / "best.mtrec", dir / "model.mtrec");
  fs::create_symlink(dir / "models", dir / "summary.md");
  auto claim = ClaimRunFolder(dir, RunFolderMode::kNew, "id", "--logdir");
  ASSERT_TRUE(claim.ok()) << claim.status().message();
  EXPECT_TRUE(fs::is_symlink(dir / "model.mtrec"));
  const Status sweep = CheckRunFolderIn(claim->folder.get(), dir, {}, "--out");
  EXPECT_EQ(sweep.code(), Status::Code::kInvalidArgument) << sweep.message();
}

}  // namespace
}  // namespace mtrec

// Claiming a run's outputs before it does any work, so that two runs never
// share a run folder or a checkpoint file, nothing that was there before is
// replaced unless the caller asked for it, and nothing is ever written through
// a symbolic link, into a FIFO or a device, or outside the folders claimed.
//
// Run folder. A folder belongs to a run once that run has created its marker
// file `.mtrec-run` (holding the run's id) with O_CREAT|O_EXCL|O_NOFOLLOW: of
// any number of processes racing for one folder exactly one succeeds. The
// claiming process also holds an flock(2) on the marker for as long as it
// lives, so that a replacing (`--overwrite`) or continuing (`--resume`) run can
// tell a finished run from one still writing. A folder without a marker but
// with run files (report/run_files.h) was written by an older mtrec and counts
// as taken too. A folder holding nothing but an unlocked marker (its run was
// killed before writing anything) is free again. The folder itself must be a
// real folder (the folders above it are the caller's path and are followed);
// a marker or a run file there that is not a regular file (a link, a FIFO, a
// folder) is refused, never opened, followed or removed. The claim opens the
// folder once; its files are named relative to that descriptor.
//
// Checkpoint target. The path is checked (its folder exists and is writable, it
// is absent or a regular file: not a link, a folder, a FIFO or a device, not an
// input of the run, not an existing file unless replacing is allowed) and
// reserved by an flock on `<path>.lock` (a regular file, never followed), which
// is removed when the reservation ends. The file itself is only ever written by
// an atomic rename (io/atomic_file.h), so a killed run leaves the previous
// version or none, never a partial one; its stale temporary files (regular
// files named as io/atomic_file.h names them) are removed by the next claim.
//
// Status codes: InvalidArgument (exit 2) when the user chose a target that
// cannot be used (taken, missing folder, a folder, a link, an input); IOError
// (exit 1) when the OS refuses (permissions, a full disk).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "mtrec/io/file_entry.h"
#include "mtrec/report/run_files.h"
#include "mtrec/status.h"

namespace mtrec {

// An flock held on an open file; released (and the file optionally removed,
// if the path still names it) when the object goes away. Movable, not copyable.
class FileLock {
 public:
  FileLock() = default;
  FileLock(int fd, std::filesystem::path remove_on_release)
      : fd_(fd), remove_on_release_(std::move(remove_on_release)) {}
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() { Release(); }

  bool held() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  void Release();

 private:
  int fd_ = -1;
  std::filesystem::path remove_on_release_;  // empty: keep the file
};

enum class RunFolderMode {
  kNew,            // the folder must not hold a run
  kNewWithSuffix,  // the folder, else <folder>_2, <folder>_3, ...: the first not holding a run
                   // (and being absent or a real folder)
  kReplace,        // take it even if it holds a finished run, removing that run's files
  kContinue,       // it must exist and hold the run `run_id`: a resumed run
};

struct RunFolderClaim {
  std::filesystem::path dir;  // absolute: the folder claimed (with its suffix)
  UniqueFd folder;            // the folder, opened by the claim
  FileLock lock;              // on the marker, for the claimer's lifetime
  RunFolderMode mode = RunFolderMode::kNew;
  bool created = false;  // the folder did not exist before
};

// Creates (with its parents) and claims a run folder for the run `run_id`.
// `flag` names the option in messages (e.g. "--logdir"). A folder held by a run
// that is still going is refused in every mode.
Result<RunFolderClaim> ClaimRunFolder(const std::filesystem::path& dir, RunFolderMode mode,
                                      const std::string& run_id, const std::string& flag);

// The same for the folder `subfolders` (relative, e.g. {"cfg", "seed=1"})
// inside the folder open as `parent_fd` (`parent`: its path), created as
// needed: folders mtrec names itself (a sweep's run folders, the default
// runs/NAME). None of them is followed if it is a link (InvalidArgument), and
// none is looked up by path.
Result<RunFolderClaim> ClaimRunFolderIn(int parent_fd, const std::filesystem::path& parent,
                                        const std::vector<std::string>& subfolders,
                                        RunFolderMode mode, const std::string& run_id,
                                        const std::string& flag);

// Before any work, for a sweep: whether ClaimRunFolderIn could create or use
// `subfolders` (each absent or a real folder, the run and sweep files in the
// last one, or in `parent` itself if there are none, regular files);
// InvalidArgument naming the first that is not.
Status CheckRunFolderIn(int parent_fd, const std::filesystem::path& parent,
                        const std::vector<std::string>& subfolders, const std::string& flag);

// For a run that failed before it finished an epoch (its metrics.jsonl absent
// or empty): gives a new folder back (its run files and marker, and the folder
// if the claim created it) so that no run folder without a run is left behind
// to be refused later as taken. Folders claimed to replace or continue a run
// are kept.
void ReleaseUnusedRunFolder(RunFolderClaim& claim);

// The id recorded in a run folder's marker ("" if none, or if the marker is
// not a regular file).
std::string RunIdOf(const std::filesystem::path& dir);

// A fresh random run id (32 hex digits).
std::string NewRunId();

struct CheckpointTarget {
  std::filesystem::path path;  // where the checkpoint will be written
  std::string flag;            // e.g. "--save", for messages
  bool may_replace = false;    // an existing file may be replaced (--overwrite)
  // The run's own earlier checkpoint (--resume): may always be replaced.
  std::filesystem::path resumed_from;
  // Files and folders the run reads (--dataset, --init_weights): never targets.
  std::vector<std::filesystem::path> inputs;
};

// Checks `target` as described above and reserves it; the lock ends the
// reservation (and removes `<path>.lock`) when it goes away.
Result<FileLock> ClaimCheckpointTarget(const CheckpointTarget& target);

// InvalidArgument when a file the run writes (`path`, named by `flag`) would
// be the run folder `run_dir` itself or one of its own files (the marker,
// config.json, metrics.jsonl, ...: report/run_files.h). Checked before the
// folder is claimed (with the folder asked for) and after (with the one
// claimed), so that neither replaces the other.
Status CheckNotARunFile(const std::filesystem::path& path, const std::filesystem::path& run_dir,
                        const std::string& flag);

}  // namespace mtrec

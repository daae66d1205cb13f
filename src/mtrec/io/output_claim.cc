#include "mtrec/io/output_claim.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <system_error>

namespace mtrec {

namespace fs = std::filesystem;

namespace {

// The files that make up a run (train) or a sweep's summary: a folder holding
// one of them holds a run; replacing a run removes them.
// What a training run writes, and what a sweep adds in its folder. A sweep's
// names are common words (a project's own summary.md), so they count as a
// run's only in a folder an mtrec run has marked.
constexpr std::array<std::string_view, 2> kTrainFiles = {"config.json", "metrics.jsonl"};
constexpr std::array<std::string_view, 3> kSweepFiles = {"summary.md", "summary.csv", "curves.svg"};
constexpr std::string_view kEventFilePrefix = "events.out.tfevents.";

bool IsRunFile(const std::string& name, bool marked) {
  for (std::string_view f : kTrainFiles) {
    if (name == f) return true;
  }
  for (std::string_view f : kSweepFiles) {
    if (marked && name == f) return true;
  }
  return name.starts_with(kEventFilePrefix);
}

// Whether a run has marked `dir` as its own: its marker names a run (a marker
// being created right now is still empty).
bool IsMarked(const fs::path& dir) { return !RunIdOf(dir).empty(); }

// A temporary file of io/atomic_file.h for `target` ("<target>.tmp.<pid>").
bool IsTempOf(const std::string& name, std::string_view target) {
  return name.size() > target.size() + 5 && name.starts_with(target) &&
         name.compare(target.size(), 5, ".tmp.") == 0;
}

bool HoldsRunFiles(const fs::path& dir) {
  const bool marked = IsMarked(dir);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (IsRunFile(it->path().filename().string(), marked)) return true;
  }
  return false;
}

// Removes the previous run's files and any temporary file left by a killed run.
Status RemoveRunFiles(const fs::path& dir, bool previous_run_too) {
  const bool marked = IsMarked(dir);
  std::error_code ec;
  std::vector<fs::path> doomed;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    bool temp = false;
    for (std::string_view f : kTrainFiles) temp = temp || IsTempOf(name, f);
    for (std::string_view f : kSweepFiles) temp = temp || (marked && IsTempOf(name, f));
    if (temp || (previous_run_too && IsRunFile(name, marked))) doomed.push_back(it->path());
  }
  if (ec) return Status::IOError(dir.string() + ": cannot list the run folder: " + ec.message());
  for (const fs::path& p : doomed) {
    if (!fs::remove(p, ec) && ec) {
      return Status::IOError(p.string() +
                             ": cannot remove the previous run's file: " + ec.message());
    }
  }
  return Status::Ok();
}

Status OsError(const fs::path& path, const std::string& what) {
  return Status::IOError(path.string() + ": " + what + ": " + std::strerror(errno));
}

bool SameInode(int fd, const fs::path& path) {
  struct stat a {
  }, b{};
  return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

Status WriteRunId(int fd, const fs::path& marker, const std::string& run_id) {
  const std::string text = run_id + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return OsError(marker, "cannot write the run marker");
  }
  return Status::Ok();
}

fs::path Absolute(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec).lexically_normal();
  if (ec) a = p;
  if (!a.has_filename() && a.has_parent_path()) a = a.parent_path();  // "runs/a/" -> "runs/a"
  return a;
}

enum class Outcome { kClaimed, kTaken };

// Whether `dir` holds nothing but its marker.
bool OnlyMarker(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() != kRunMarkerName) return false;
  }
  return !ec;
}

// A marker whose run is gone (no lock held) and that wrote nothing at all: a
// run killed while it loaded its data. The folder is free again.
Result<Outcome> TakeOverAbandoned(const fs::path& dir, const std::string& run_id, FileLock* lock) {
  const fs::path marker = dir / kRunMarkerName;
  const int fd = ::open(marker.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Outcome::kTaken;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || !SameInode(fd, marker) || !OnlyMarker(dir)) {
    ::close(fd);
    return Outcome::kTaken;
  }
  *lock = FileLock(fd, {});
  MTREC_RETURN_IF_ERROR(WriteRunId(fd, marker, run_id));
  return Outcome::kClaimed;
}

// One attempt at `dir` (which exists). kTaken: another run has it (kNew modes).
Result<Outcome> TryClaim(const fs::path& dir, RunFolderMode mode, const std::string& run_id,
                         const std::string& flag, FileLock* lock) {
  const fs::path marker = dir / kRunMarkerName;
  if (mode == RunFolderMode::kNew || mode == RunFolderMode::kNewWithSuffix) {
    const int fd = ::open(marker.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      if (errno == EEXIST) return TakeOverAbandoned(dir, run_id, lock);
      return OsError(marker, "cannot create the run marker");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {  // a replacing run got to it first
      ::close(fd);
      return Outcome::kTaken;
    }
    if (HoldsRunFiles(dir)) {  // an older mtrec's run, without a marker: leave it as it was
      ::unlink(marker.c_str());
      ::close(fd);
      return Outcome::kTaken;
    }
    *lock = FileLock(fd, {});
    MTREC_RETURN_IF_ERROR(WriteRunId(fd, marker, run_id));
    MTREC_RETURN_IF_ERROR(RemoveRunFiles(dir, /*previous_run_too=*/false));
    return Outcome::kClaimed;
  }
  for (;;) {
    const int fd = ::open(marker.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return OsError(marker, "cannot open the run marker");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return Status::InvalidArgument(flag + " " + dir.string() +
                                     " is in use by a running mtrec; wait for it to end or "
                                     "choose another folder");
    }
    if (!SameInode(fd, marker)) {  // replaced while we waited: try the new one
      ::close(fd);
      continue;
    }
    *lock = FileLock(fd, {});
    break;
  }
  if (mode == RunFolderMode::kContinue) {
    const std::string holder = RunIdOf(dir);
    if (!holder.empty() && holder != run_id) {
      lock->Release();
      return Status::InvalidArgument(flag + " " + dir.string() +
                                     " now holds another run; pass --logdir DIR to continue "
                                     "the run in another folder");
    }
  }
  MTREC_RETURN_IF_ERROR(RemoveRunFiles(dir, mode == RunFolderMode::kReplace));
  MTREC_RETURN_IF_ERROR(WriteRunId(lock->fd(), marker, run_id));
  return Outcome::kClaimed;
}

}  // namespace

FileLock::FileLock(FileLock&& other) noexcept
    : fd_(other.fd_), remove_on_release_(std::move(other.remove_on_release_)) {
  other.fd_ = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    remove_on_release_ = std::move(other.remove_on_release_);
    other.fd_ = -1;
  }
  return *this;
}

void FileLock::Release() {
  if (fd_ < 0) return;
  if (!remove_on_release_.empty()) ::unlink(remove_on_release_.c_str());
  ::close(fd_);
  fd_ = -1;
}

void ReleaseUnusedRunFolder(RunFolderClaim& claim) {
  if (!claim.lock.held()) return;
  if ((claim.mode == RunFolderMode::kNew || claim.mode == RunFolderMode::kNewWithSuffix) &&
      !HoldsRunFiles(claim.dir)) {
    ::unlink((claim.dir / kRunMarkerName).c_str());
    if (claim.created) ::rmdir(claim.dir.c_str());  // only if nothing else is in it
  }
  claim.lock.Release();
}

std::string RunIdOf(const fs::path& dir) {
  std::FILE* f = std::fopen((dir / kRunMarkerName).c_str(), "rb");
  if (f == nullptr) return "";
  char buf[128] = {};
  const size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  std::string id(buf, n);
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  return id;
}

std::string NewRunId() {
  std::random_device device;
  char buf[33];
  for (int k = 0; k < 4; ++k) std::snprintf(buf + 8 * k, 9, "%08x", device());
  return std::string(buf, 32);
}

Result<RunFolderClaim> ClaimRunFolder(const fs::path& dir, RunFolderMode mode,
                                      const std::string& run_id, const std::string& flag) {
  const fs::path base = Absolute(dir);
  constexpr int kMaxSuffix = 100000;
  for (int k = 1; k <= kMaxSuffix; ++k) {
    const fs::path candidate = k == 1 ? base : fs::path(base.string() + "_" + std::to_string(k));
    std::error_code ec;
    const bool existed = fs::exists(candidate, ec);
    fs::create_directories(candidate, ec);
    std::error_code dir_ec;
    if (!fs::is_directory(candidate, dir_ec)) {
      if (mode == RunFolderMode::kNewWithSuffix && !ec && !dir_ec) continue;  // a file there
      if (ec || dir_ec) {  // the OS refused (permissions, a full disk)
        return Status::IOError(flag + " " + candidate.string() +
                               ": cannot create the run folder: " + (ec ? ec : dir_ec).message());
      }
      return Status::InvalidArgument(flag + " " + candidate.string() +
                                     ": cannot create the run folder: a file is in the way");
    }
    RunFolderClaim claim;
    claim.dir = candidate;
    claim.mode = mode;
    claim.created = !existed;
    MTREC_ASSIGN_OR_RETURN(const Outcome outcome,
                           TryClaim(candidate, mode, run_id, flag, &claim.lock));
    if (outcome == Outcome::kClaimed) return claim;
    if (mode != RunFolderMode::kNewWithSuffix) {
      return Status::InvalidArgument(flag + " " + candidate.string() +
                                     " already holds a run; pass --overwrite to replace it or "
                                     "choose another folder");
    }
  }
  return Status::InvalidArgument(flag + " " + base.string() + ": every suffix up to _" +
                                 std::to_string(kMaxSuffix) + " is taken");
}

Result<FileLock> ClaimCheckpointTarget(const CheckpointTarget& t) {
  const fs::path path = Absolute(t.path);
  const std::string where = t.flag + " " + t.path.string();
  std::error_code ec;
  if (fs::is_directory(path, ec) || !t.path.has_filename()) {
    return Status::InvalidArgument(where +
                                   " is a folder; give a file path such as DIR/model.mtrec");
  }
  const fs::path parent = path.parent_path();
  if (!fs::exists(parent, ec)) {
    return Status::InvalidArgument(where + ": the folder " + parent.string() +
                                   " does not exist; create it first");
  }
  if (!fs::is_directory(parent, ec)) {
    return Status::InvalidArgument(where + ": " + parent.string() + " is not a folder");
  }
  if (::access(parent.c_str(), W_OK | X_OK) != 0) {
    return Status::IOError(where + ": cannot write in the folder " + parent.string() + ": " +
                           std::strerror(errno));
  }
  const bool exists = fs::exists(fs::symlink_status(path, ec));
  for (const fs::path& input : t.inputs) {
    if (input.empty() || !exists || !fs::exists(input, ec)) continue;
    if (fs::equivalent(path, input, ec)) {
      return Status::InvalidArgument(where + " is an input of this run (" + input.string() +
                                     "); choose another path");
    }
  }
  const fs::path lock_path = path.string() + ".lock";
  FileLock lock;
  for (;;) {
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return OsError(lock_path, t.flag + ": cannot create the lock file");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return Status::InvalidArgument(where +
                                     " is being written by another running mtrec; choose "
                                     "another path");
    }
    if (SameInode(fd, lock_path)) {
      lock = FileLock(fd, lock_path);
      break;
    }
    ::close(fd);  // its holder removed it as we opened it: take the new one
  }
  // Checked again under the lock: another run may have finished writing it.
  if (fs::exists(fs::symlink_status(path, ec))) {
    if (!fs::is_regular_file(path, ec)) {
      return Status::InvalidArgument(where + " exists and is not a regular file");
    }
    const bool own = !t.resumed_from.empty() && fs::equivalent(path, t.resumed_from, ec);
    if (!t.may_replace && !own) {
      return Status::InvalidArgument(where +
                                     " already exists; pass --overwrite to replace it (or "
                                     "--resume it to train further), or choose another path");
    }
  }
  // Temporary files of a run that was killed while writing this target.
  const std::string name = path.filename().string();
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    if (IsTempOf(it->path().filename().string(), name)) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
    }
  }
  return lock;
}

}  // namespace mtrec

#include "mtrec/report/output_claim.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <system_error>

#include "mtrec/io/atomic_file.h"

namespace mtrec {

namespace fs = std::filesystem;

namespace {

const std::string kMarker(kRunMarkerName);

// Whether `name` in `dir_fd` is the file open as `fd` (not following a link).
bool SameEntry(int fd, int dir_fd, const std::string& name) {
  struct stat a {
  }, b{};
  return ::fstat(fd, &a) == 0 && ::fstatat(dir_fd, name.c_str(), &b, AT_SYMLINK_NOFOLLOW) == 0 &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool IsRegularFd(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

// Opens `name` in `dir_fd` as an existing or new regular file, never following
// a link (ELOOP) and never blocking on a FIFO. -1 with errno set; a name that is
// not a regular file (a folder, a FIFO, a device) is -1 with errno EINVAL.
int OpenRegular(int dir_fd, const std::string& name, int create_flags) {
  const int fd = ::openat(dir_fd, name.c_str(),
                          O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | create_flags, 0644);
  if (fd < 0 && errno == EISDIR) errno = EINVAL;
  if (fd >= 0 && !IsRegularFd(fd)) {
    ::close(fd);
    errno = EINVAL;
    return -1;
  }
  return fd;
}

// The id in the marker of the folder `dir_fd` ("" if none or not a regular file).
std::string RunIdAt(int dir_fd) {
  const int fd = ::openat(dir_fd, kMarker.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[128] = {};
  const ssize_t n = IsRegularFd(fd) ? ::pread(fd, buf, sizeof(buf) - 1, 0) : -1;
  ::close(fd);
  std::string id(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  return id;
}

// Whether a run has marked the folder as its own: its marker names a run (a
// marker being created right now is still empty).
bool IsMarked(int dir_fd) { return !RunIdAt(dir_fd).empty(); }

bool HoldsRunFiles(int dir_fd, const fs::path& dir) {
  const bool marked = IsMarked(dir_fd);
  Result<std::vector<std::string>> names = ListFolder(dir_fd, dir);
  if (!names.ok()) return true;  // cannot tell: not free
  for (const std::string& name : *names) {
    if (IsRunFileName(name, marked)) return true;
  }
  return false;
}

// Refuses a folder where a file the run will write is something other than a
// regular file (a link, a FIFO, a folder, a device): it is never opened,
// followed or removed. A sweep's names (common words: a project's own
// summary.md may be a link) count only if `sweep_names`.
Status CheckRunFileKinds(int dir_fd, const fs::path& dir, const std::string& flag,
                         bool sweep_names) {
  MTREC_ASSIGN_OR_RETURN(const std::vector<std::string> names, ListFolder(dir_fd, dir));
  for (const std::string& name : names) {
    if (name != kMarker && !IsRunFileName(name, sweep_names)) continue;
    MTREC_ASSIGN_OR_RETURN(const FileKind kind, KindAt(dir_fd, name, dir / name));
    if (kind != FileKind::kRegular && kind != FileKind::kAbsent) {
      return Status::InvalidArgument(flag + " " + dir.string() + ": " + (dir / name).string() +
                                     " is " + DescribeKind(kind) +
                                     ", not a file an mtrec run wrote; remove it or choose "
                                     "another folder");
    }
  }
  return Status::Ok();
}

// Removes the previous run's files (regular files only: CheckRunFileKinds has
// refused anything else) and any temporary file left by a killed run.
Status RemoveRunFiles(int dir_fd, const fs::path& dir, bool previous_run_too) {
  const bool marked = IsMarked(dir_fd);
  MTREC_ASSIGN_OR_RETURN(const std::vector<std::string> names, ListFolder(dir_fd, dir));
  for (const std::string& name : names) {
    const bool doomed =
        IsRunTempFileName(name, marked) || (previous_run_too && IsRunFileName(name, marked));
    if (!doomed) continue;
    MTREC_ASSIGN_OR_RETURN(const FileKind kind, KindAt(dir_fd, name, dir / name));
    if (kind != FileKind::kRegular) continue;  // not one mtrec wrote
    if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) {
      return OsError(dir / name, "cannot remove the previous run's file");
    }
  }
  return Status::Ok();
}

// Whether the run in the folder finished no epoch: its metrics.jsonl is
// absent or empty (a run that failed in its first epoch, e.g. diverged).
bool RecordedNoEpoch(int dir_fd) {
  struct stat st {};
  const std::string metrics(kMetricsFileName);
  if (::fstatat(dir_fd, metrics.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno == ENOENT;
  return S_ISREG(st.st_mode) && st.st_size == 0;
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

// Whether the folder holds nothing but its marker.
bool OnlyMarker(int dir_fd, const fs::path& dir) {
  Result<std::vector<std::string>> names = ListFolder(dir_fd, dir);
  if (!names.ok()) return false;
  for (const std::string& name : *names) {
    if (name != kMarker) return false;
  }
  return true;
}

// A marker whose run is gone (no lock held) and that wrote nothing at all: a
// run killed while it loaded its data. The folder is free again.
Result<Outcome> TakeOverAbandoned(int dir_fd, const fs::path& dir, const std::string& run_id,
                                  FileLock* lock) {
  const int fd = OpenRegular(dir_fd, kMarker, 0);
  if (fd < 0) return Outcome::kTaken;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || !SameEntry(fd, dir_fd, kMarker) ||
      !OnlyMarker(dir_fd, dir)) {
    ::close(fd);
    return Outcome::kTaken;
  }
  *lock = FileLock(fd, {});
  MTREC_RETURN_IF_ERROR(WriteRunId(fd, dir / kMarker, run_id));
  return Outcome::kClaimed;
}

Status MarkerRefused(const std::string& flag, const fs::path& dir, FileKind kind) {
  return Status::InvalidArgument(flag + " " + dir.string() + ": its " + kMarker + " is " +
                                 DescribeKind(kind) +
                                 ", not a marker an mtrec run wrote; remove it or choose another "
                                 "folder");
}

Status NoLongerTheRuns(const std::string& flag, const fs::path& dir, const std::string& why) {
  return Status::InvalidArgument(flag + " " + dir.string() + " " + why +
                                 "; pass --logdir DIR to continue the run in another folder");
}

// One attempt at the folder `dir_fd` (`dir`). kTaken: another run has it (kNew modes).
Result<Outcome> TryClaim(int dir_fd, const fs::path& dir, RunFolderMode mode,
                         const std::string& run_id, const std::string& flag, FileLock* lock) {
  const fs::path marker = dir / kMarker;
  MTREC_ASSIGN_OR_RETURN(const FileKind marker_kind, KindAt(dir_fd, kMarker, marker));
  if (marker_kind != FileKind::kAbsent && marker_kind != FileKind::kRegular) {
    if (mode == RunFolderMode::kNewWithSuffix) return Outcome::kTaken;
    return MarkerRefused(flag, dir, marker_kind);
  }
  if (Status s = CheckRunFileKinds(dir_fd, dir, flag, IsMarked(dir_fd)); !s.ok()) {
    if (mode == RunFolderMode::kNewWithSuffix) return Outcome::kTaken;
    return s;
  }
  if (mode == RunFolderMode::kNew || mode == RunFolderMode::kNewWithSuffix) {
    const int fd = OpenRegular(dir_fd, kMarker, O_CREAT | O_EXCL);
    if (fd < 0) {
      if (errno == EEXIST) return TakeOverAbandoned(dir_fd, dir, run_id, lock);
      return OsError(marker, "cannot create the run marker");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {  // a replacing run got to it first
      ::close(fd);
      return Outcome::kTaken;
    }
    if (HoldsRunFiles(dir_fd, dir)) {  // an older mtrec's run, without a marker: leave it as it was
      ::unlinkat(dir_fd, kMarker.c_str(), 0);
      ::close(fd);
      return Outcome::kTaken;
    }
    *lock = FileLock(fd, {});
    MTREC_RETURN_IF_ERROR(WriteRunId(fd, marker, run_id));
    MTREC_RETURN_IF_ERROR(RemoveRunFiles(dir_fd, dir, /*previous_run_too=*/false));
    return Outcome::kClaimed;
  }
  for (;;) {
    // A resumed run's folder must still be its own: its marker is not recreated.
    const int create = mode == RunFolderMode::kContinue ? 0 : O_CREAT;
    const int fd = OpenRegular(dir_fd, kMarker, create);
    if (fd < 0 && mode == RunFolderMode::kContinue && errno == ENOENT) {
      return NoLongerTheRuns(flag, dir, "no longer holds this run (it has no " + kMarker + ")");
    }
    if (fd < 0 && (errno == ELOOP || errno == EINVAL)) {
      Result<FileKind> kind = KindAt(dir_fd, kMarker, marker);
      return MarkerRefused(flag, dir, kind.ok() ? *kind : FileKind::kSymlink);
    }
    if (fd < 0) return OsError(marker, "cannot open the run marker");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return Status::InvalidArgument(flag + " " + dir.string() +
                                     " is in use by a running mtrec; wait for it to end or "
                                     "choose another folder");
    }
    if (!SameEntry(fd, dir_fd, kMarker)) {  // replaced while we waited: try the new one
      ::close(fd);
      continue;
    }
    *lock = FileLock(fd, {});
    break;
  }
  if (mode == RunFolderMode::kContinue && RunIdAt(dir_fd) != run_id) {
    lock->Release();
    return NoLongerTheRuns(flag, dir, "now holds another run");
  }
  MTREC_RETURN_IF_ERROR(RemoveRunFiles(dir_fd, dir, mode == RunFolderMode::kReplace));
  MTREC_RETURN_IF_ERROR(WriteRunId(lock->fd(), marker, run_id));
  return Outcome::kClaimed;
}

// Claims the entry `leaf` of the folder `parent_fd` (`parent`) with its
// suffixes: the common part of ClaimRunFolder and ClaimRunFolderIn.
Result<RunFolderClaim> ClaimIn(int parent_fd, const fs::path& parent, const std::string& leaf,
                               RunFolderMode mode, const std::string& run_id,
                               const std::string& flag) {
  constexpr int kMaxSuffix = 100000;
  for (int k = 1; k <= kMaxSuffix; ++k) {
    const std::string name = k == 1 ? leaf : leaf + "_" + std::to_string(k);
    const fs::path candidate = parent / name;
    MTREC_ASSIGN_OR_RETURN(const FileKind kind, KindAt(parent_fd, name, candidate));
    if (kind == FileKind::kAbsent && mode == RunFolderMode::kContinue) {
      return NoLongerTheRuns(flag, candidate, "no longer exists");
    }
    if (kind != FileKind::kAbsent && kind != FileKind::kFolder) {
      if (mode == RunFolderMode::kNewWithSuffix) continue;  // something else in the way
      return Status::InvalidArgument(flag + " " + candidate.string() + " is " + DescribeKind(kind) +
                                     ", not a folder; choose another path");
    }
    RunFolderClaim claim;
    claim.dir = candidate;
    claim.mode = mode;
    if (kind == FileKind::kAbsent) {
      if (::mkdirat(parent_fd, name.c_str(), 0777) == 0) {
        claim.created = true;
      } else if (errno != EEXIST) {
        return OsError(candidate, flag + ": cannot create the run folder");
      }
    }
    Result<UniqueFd> folder = OpenSubfolder(parent_fd, name, candidate, /*create=*/false);
    if (!folder.ok()) {
      if (mode == RunFolderMode::kNewWithSuffix &&
          folder.status().code() == Status::Code::kInvalidArgument) {
        continue;  // replaced by something else as we made it
      }
      return folder.status().WithContext(flag);
    }
    claim.folder = std::move(folder).value();
    MTREC_ASSIGN_OR_RETURN(const Outcome outcome, TryClaim(claim.folder.get(), candidate, mode,
                                                           run_id, flag, &claim.lock));
    if (outcome == Outcome::kClaimed) return claim;
    if (mode != RunFolderMode::kNewWithSuffix) {
      return Status::InvalidArgument(flag + " " + candidate.string() +
                                     " already holds a run; pass --overwrite to replace it or "
                                     "choose another folder");
    }
  }
  return Status::InvalidArgument(flag + " " + (parent / leaf).string() + ": every suffix up to _" +
                                 std::to_string(kMaxSuffix) + " is taken");
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
  if (!remove_on_release_.empty() &&
      SameEntry(fd_, AT_FDCWD, remove_on_release_.string())) {  // still the file locked
    ::unlink(remove_on_release_.c_str());
  }
  ::close(fd_);
  fd_ = -1;
}

void ReleaseUnusedRunFolder(RunFolderClaim& claim) {
  if (!claim.lock.held()) return;
  if ((claim.mode == RunFolderMode::kNew || claim.mode == RunFolderMode::kNewWithSuffix) &&
      claim.folder.valid() &&
      (!HoldsRunFiles(claim.folder.get(), claim.dir) || RecordedNoEpoch(claim.folder.get()))) {
    (void)RemoveRunFiles(claim.folder.get(), claim.dir, /*previous_run_too=*/true);
    ::unlinkat(claim.folder.get(), kMarker.c_str(), 0);
    if (claim.created) ::rmdir(claim.dir.c_str());  // only if nothing else is in it
  }
  claim.lock.Release();
}

std::string RunIdOf(const fs::path& dir) {
  Result<UniqueFd> folder = OpenFolder(dir);
  return folder.ok() ? RunIdAt(folder->get()) : "";
}

std::string NewRunId() {
  std::random_device device;
  char buf[33];
  for (int k = 0; k < 4; ++k) std::snprintf(buf + 8 * k, 9, "%08x", device());
  return std::string(buf, 32);
}

Result<RunFolderClaim> ClaimRunFolder(const fs::path& dir, RunFolderMode mode,
                                      const std::string& run_id, const std::string& flag) {
  MTREC_RETURN_IF_ERROR(CheckPathLength(dir, flag));
  const fs::path base = Absolute(dir);
  const fs::path parent = base.parent_path();
  // The folders above the run folder are the caller's path: created as needed
  // (not for a resumed run, whose folder must still be there) and followed.
  std::error_code ec;
  if (mode == RunFolderMode::kContinue && !fs::is_directory(parent, ec)) {
    return NoLongerTheRuns(flag, base, "no longer exists");
  }
  fs::create_directories(parent, ec);
  std::error_code dir_ec;
  if (!fs::is_directory(parent, dir_ec)) {
    if (ec || dir_ec) {
      return Status::IOError(flag + " " + base.string() + ": cannot create the folder " +
                             parent.string() + ": " + (ec ? ec : dir_ec).message());
    }
    return Status::InvalidArgument(flag + " " + base.string() + ": " + parent.string() +
                                   " is not a folder");
  }
  Result<UniqueFd> parent_fd = OpenFolder(parent);
  if (!parent_fd.ok()) return parent_fd.status().WithContext(flag);
  if (base == parent) {  // the root folder
    return Status::InvalidArgument(flag + " " + base.string() + ": not a run folder");
  }
  return ClaimIn(parent_fd->get(), parent, base.filename().string(), mode, run_id, flag);
}

Result<RunFolderClaim> ClaimRunFolderIn(int parent_fd, const fs::path& parent,
                                        const std::vector<std::string>& subfolders,
                                        RunFolderMode mode, const std::string& run_id,
                                        const std::string& flag) {
  if (subfolders.empty()) return Status::InvalidArgument(flag + ": no subfolder named");
  fs::path whole = parent;
  for (const std::string& name : subfolders) whole /= name;
  MTREC_RETURN_IF_ERROR(CheckPathLength(whole, flag));
  UniqueFd at;
  int at_fd = parent_fd;
  fs::path at_path = parent;
  for (size_t k = 0; k + 1 < subfolders.size(); ++k) {
    at_path /= subfolders[k];
    Result<UniqueFd> next = OpenSubfolder(at_fd, subfolders[k], at_path, /*create=*/true);
    if (!next.ok()) return next.status().WithContext(flag);
    at = std::move(next).value();
    at_fd = at.get();
  }
  return ClaimIn(at_fd, at_path, subfolders.back(), mode, run_id, flag);
}

Status CheckRunFolderIn(int parent_fd, const fs::path& parent,
                        const std::vector<std::string>& subfolders, const std::string& flag) {
  UniqueFd at;
  int at_fd = parent_fd;
  fs::path at_path = parent;
  for (const std::string& name : subfolders) {
    at_path /= name;
    MTREC_ASSIGN_OR_RETURN(const FileKind kind, KindAt(at_fd, name, at_path));
    if (kind == FileKind::kAbsent) return Status::Ok();
    if (kind != FileKind::kFolder) {
      return Status::InvalidArgument(flag + " " + at_path.string() + " is " + DescribeKind(kind) +
                                     ", not a folder; remove it or choose another folder");
    }
    Result<UniqueFd> next = OpenSubfolder(at_fd, name, at_path, /*create=*/false);
    if (!next.ok()) return next.status().WithContext(flag);
    at = std::move(next).value();
    at_fd = at.get();
  }
  return CheckRunFileKinds(at_fd, at_path, flag, /*sweep_names=*/true);
}

Result<FileLock> ClaimCheckpointTarget(const CheckpointTarget& t) {
  MTREC_RETURN_IF_ERROR(CheckPathLength(t.path, t.flag));
  const fs::path path = Absolute(t.path);
  const std::string where = t.flag + " " + t.path.string();
  if (!t.path.has_filename()) {
    return Status::InvalidArgument(where +
                                   " is a folder; give a file path such as DIR/model.mtrec");
  }
  const fs::path parent = path.parent_path();
  std::error_code ec;
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
  MTREC_ASSIGN_OR_RETURN(const UniqueFd dir, OpenFolder(parent));
  const std::string name = path.filename().string();
  // Absent or a regular file; a link is not followed, even to a regular file.
  const auto check_kind = [&]() -> Result<FileKind> {
    MTREC_ASSIGN_OR_RETURN(const FileKind kind, KindAt(dir.get(), name, path));
    if (kind == FileKind::kFolder) {
      return Status::InvalidArgument(where +
                                     " is a folder; give a file path such as DIR/model.mtrec");
    }
    if (kind != FileKind::kAbsent && kind != FileKind::kRegular) {
      return Status::InvalidArgument(where + " is " + DescribeKind(kind) +
                                     "; a checkpoint is only written to a new or regular file");
    }
    return kind;
  };
  MTREC_ASSIGN_OR_RETURN(const FileKind kind, check_kind());
  for (const fs::path& input : t.inputs) {
    if (input.empty() || !fs::exists(input, ec)) continue;
    if (kind != FileKind::kAbsent && fs::equivalent(path, input, ec)) {
      return Status::InvalidArgument(where + " is an input of this run (" + input.string() +
                                     "); choose another path");
    }
    // A folder the run reads (--dataset DIR, the data sets' cache): nothing in
    // it, at any depth, is a target (its ratings, titles or zip could be).
    if (fs::is_directory(input, ec)) {
      for (fs::path up = fs::absolute(parent, ec); !up.empty(); up = up.parent_path()) {
        if (fs::equivalent(up, input, ec)) {
          return Status::InvalidArgument(where + " is inside a folder this run reads its data "
                                         "from (" + input.string() + "); choose another path");
        }
        if (up == up.root_path()) break;
      }
    }
  }
  const std::string lock_name = LockPathOf(name).string();
  const fs::path lock_path = parent / lock_name;
  FileLock lock;
  for (int attempt = 0;; ++attempt) {
    int fd = OpenRegular(dir.get(), lock_name, O_CREAT | O_EXCL);
    if (fd < 0 && errno == EEXIST) {
      fd = OpenRegular(dir.get(), lock_name, 0);  // a stale lock
      // Removed by its holder as we opened it: try again (a few times; a
      // folder where files cannot be created, such as /proc, fails below).
      if (fd < 0 && errno == ENOENT && attempt < 100) continue;
    }
    if (fd < 0 && (errno == ELOOP || errno == EINVAL)) {
      Result<FileKind> lock_kind = KindAt(dir.get(), lock_name, lock_path);
      return Status::InvalidArgument(
          where + ": its lock file " + lock_path.string() + " is " +
          DescribeKind(lock_kind.ok() ? *lock_kind : FileKind::kSymlink) +
          "; remove it or choose another path");
    }
    if (fd < 0) return OsError(lock_path, t.flag + ": cannot create the lock file");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return Status::InvalidArgument(where +
                                     " is being written by another running mtrec; choose "
                                     "another path");
    }
    if (SameEntry(fd, dir.get(), lock_name)) {
      lock = FileLock(fd, lock_path);
      break;
    }
    ::close(fd);  // its holder removed it as we opened it: take the new one
  }
  // Checked again under the lock: another run may have finished writing it.
  MTREC_ASSIGN_OR_RETURN(const FileKind now, check_kind());
  if (now == FileKind::kRegular) {
    const bool own = !t.resumed_from.empty() && fs::equivalent(path, t.resumed_from, ec);
    if (!t.may_replace && !own) {
      return Status::InvalidArgument(where +
                                     " already exists; pass --overwrite to replace it (or "
                                     "--resume it to train further), or choose another path");
    }
  }
  // Temporary files of a run that was killed while writing this target.
  MTREC_ASSIGN_OR_RETURN(const std::vector<std::string> names, ListFolder(dir.get(), parent));
  for (const std::string& entry : names) {
    if (!IsTempFileOf(entry, name)) continue;
    Result<FileKind> entry_kind = KindAt(dir.get(), entry, parent / entry);
    if (entry_kind.ok() && *entry_kind == FileKind::kRegular) {
      ::unlinkat(dir.get(), entry.c_str(), 0);
    }
  }
  return lock;
}

Status CheckNotARunFile(const fs::path& path, const fs::path& run_dir, const std::string& flag) {
  if (path.empty() || run_dir.empty()) return Status::Ok();
  const fs::path file = Absolute(path), dir = Absolute(run_dir);
  std::error_code ec;
  if (file == dir || fs::equivalent(file, dir, ec)) {
    return Status::InvalidArgument(flag + " " + path.string() +
                                   " is the run folder; give a file path such as " +
                                   (dir / "model.mtrec").string() + " or one outside it");
  }
  const bool in_run_dir = file.parent_path() == dir || fs::equivalent(file.parent_path(), dir, ec);
  if (in_run_dir && IsRunFolderName(file.filename().string()) &&
      file.filename() != kSweepModelName) {  // a checkpoint there is fine
    return Status::InvalidArgument(flag + " " + path.string() +
                                   " is one of the run folder's own files; choose another name");
  }
  return Status::Ok();
}

}  // namespace mtrec

// Names in a folder handled without following symbolic links: what an entry
// is (lstat), and folders opened once and then named through their descriptor
// (openat), so that a link or a folder swapped in later cannot redirect a
// write. mtrec trusts the folders a user's path leads to (links in it are
// followed once, when the folder is opened) and, inside them, only entries it
// finds to be what it expects.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "mtrec/status.h"

namespace mtrec {

// An owned file descriptor, closed when the object goes away.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);
  // A second descriptor of the same file (close-on-exec); invalid on failure.
  UniqueFd Duplicate() const;

 private:
  int fd_ = -1;
};

// What an entry is, its last component never followed.
enum class FileKind { kAbsent, kRegular, kFolder, kSymlink, kFifo, kDevice, kSocket };

FileKind KindOfMode(mode_t mode);
// "a symbolic link", "a folder", "a FIFO", "a device", "a socket", ...
const char* DescribeKind(FileKind kind);

// The kind of `name` in the folder `dir_fd` (AT_FDCWD: the working folder);
// kAbsent also when a folder on its path is missing or not a folder. Other
// errors (permissions) are an IOError naming `shown`.
Result<FileKind> KindAt(int dir_fd, const std::string& name, const std::filesystem::path& shown);
// The same for a path (its folders followed, its last component not).
Result<FileKind> KindOf(const std::filesystem::path& path);

// The lock file beside a file an mtrec run reserves for writing (--save):
// `<path>.lock`, flock'ed while the run lives (report/output_claim.h).
inline std::filesystem::path LockPathOf(const std::filesystem::path& path) {
  return path.string() + ".lock";
}
// Whether a running process holds that lock (a regular lock file under an
// exclusive flock). Never creates, follows or changes anything.
bool ReservedByAnotherWriter(const std::filesystem::path& path);

// Opens the folder `dir` ("" is the working folder), following links in the
// path as the OS does: the caller's own path. NotFound if absent, IOError else.
Result<UniqueFd> OpenFolder(const std::filesystem::path& dir);
// The same, creating `dir` and its parents first if absent (a run folder an
// observer writes into when nothing claimed it for the run).
Result<UniqueFd> CreateAndOpenFolder(const std::filesystem::path& dir);

// Opens the folder `name` inside `dir_fd` without following a link there,
// creating it first (mode 0777 & ~umask) if `create` and it is absent.
// A link, a file or anything else that is not a folder is InvalidArgument
// ("<shown> is a symbolic link, not a folder"), an OS error IOError.
Result<UniqueFd> OpenSubfolder(int dir_fd, const std::string& name,
                               const std::filesystem::path& shown, bool create);

// The names in the folder open as `dir_fd` (without "." and "..").
Result<std::vector<std::string>> ListFolder(int dir_fd, const std::filesystem::path& shown);

// Two descriptors (or a descriptor and an entry) naming the same file.
bool SameFile(int fd_a, int fd_b);

// The Status of a failed system call: IOError "<path>: <what>: <strerror(errno)>";
// InvalidArgument for ENAMETOOLONG (a path no file can have: the caller's).
Status OsError(const std::filesystem::path& path, const std::string& what);

// A path that no file can have (a name longer than NAME_MAX, 255 bytes on
// Linux, or the whole longer than PATH_MAX): InvalidArgument naming `flag`
// and the name, before anything is created. A file system that allows less
// answers ENAMETOOLONG later (OsError: InvalidArgument too).
Status CheckPathLength(const std::filesystem::path& path, const std::string& flag);

}  // namespace mtrec

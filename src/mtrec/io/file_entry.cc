#include "mtrec/io/file_entry.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace mtrec {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

UniqueFd UniqueFd::Duplicate() const {
  return UniqueFd(fd_ < 0 ? -1 : ::fcntl(fd_, F_DUPFD_CLOEXEC, 0));
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

FileKind KindOfMode(mode_t mode) {
  if (S_ISREG(mode)) return FileKind::kRegular;
  if (S_ISDIR(mode)) return FileKind::kFolder;
  if (S_ISLNK(mode)) return FileKind::kSymlink;
  if (S_ISFIFO(mode)) return FileKind::kFifo;
  if (S_ISSOCK(mode)) return FileKind::kSocket;
  return FileKind::kDevice;  // S_ISCHR, S_ISBLK
}

const char* DescribeKind(FileKind kind) {
  switch (kind) {
    case FileKind::kAbsent:
      return "absent";
    case FileKind::kRegular:
      return "a regular file";
    case FileKind::kFolder:
      return "a folder";
    case FileKind::kSymlink:
      return "a symbolic link";
    case FileKind::kFifo:
      return "a FIFO";
    case FileKind::kDevice:
      return "a device";
    case FileKind::kSocket:
      return "a socket";
  }
  return "not a regular file";
}

Status OsError(const std::filesystem::path& path, const std::string& what) {
  const std::string message = path.string() + ": " + what + ": " + std::strerror(errno);
  if (errno == ENAMETOOLONG) return Status::InvalidArgument(message);
  return Status::IOError(message);
}

Status CheckPathLength(const std::filesystem::path& path, const std::string& flag) {
  for (const std::filesystem::path& part : path) {
    const std::string name = part.string();
    if (name.size() > NAME_MAX) {
      return Status::InvalidArgument(flag + ": the name '" + name.substr(0, 40) + "...' is " +
                                     std::to_string(name.size()) + " bytes, longer than the " +
                                     std::to_string(NAME_MAX) + " a file name may have");
    }
  }
  if (path.string().size() >= PATH_MAX) {
    return Status::InvalidArgument(flag + ": the path is " + std::to_string(path.string().size()) +
                                   " bytes, longer than the " + std::to_string(PATH_MAX - 1) +
                                   " a path may have");
  }
  return Status::Ok();
}

Result<FileKind> KindAt(int dir_fd, const std::string& name, const std::filesystem::path& shown) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return FileKind::kAbsent;  // or its folder is
    return OsError(shown, "cannot inspect");
  }
  return KindOfMode(st.st_mode);
}

Result<FileKind> KindOf(const std::filesystem::path& path) {
  return KindAt(AT_FDCWD, path.string(), path);
}

Result<UniqueFd> OpenFolder(const std::filesystem::path& dir) {
  const std::string name = dir.empty() ? "." : dir.string();
  UniqueFd fd(::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return Status::NotFound(name + ": no such folder");
    return OsError(name, "cannot open the folder");
  }
  return fd;
}

bool ReservedByAnotherWriter(const std::filesystem::path& path) {
  UniqueFd fd(::open(LockPathOf(path).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return false;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) {
    ::flock(fd.get(), LOCK_UN);
    return false;
  }
  return errno == EWOULDBLOCK;
}

Result<UniqueFd> CreateAndOpenFolder(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir.string() + ": cannot create the run folder: " + ec.message());
  return OpenFolder(dir);
}

Result<UniqueFd> OpenSubfolder(int dir_fd, const std::string& name,
                               const std::filesystem::path& shown, bool create) {
  if (create && ::mkdirat(dir_fd, name.c_str(), 0777) != 0 && errno != EEXIST) {
    return OsError(shown, "cannot create the folder");
  }
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.valid()) return fd;
  const int error = errno;
  if (error == ENOENT) return Status::NotFound(shown.string() + ": no such folder");
  if (error == ELOOP || error == ENOTDIR) {
    MTREC_ASSIGN_OR_RETURN(const FileKind kind, KindAt(dir_fd, name, shown));
    return Status::InvalidArgument(shown.string() + " is " + DescribeKind(kind) + ", not a folder");
  }
  errno = error;
  return OsError(shown, "cannot open the folder");
}

Result<std::vector<std::string>> ListFolder(int dir_fd, const std::filesystem::path& shown) {
  const int copy = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* d = copy < 0 ? nullptr : ::fdopendir(copy);
  if (d == nullptr) {
    if (copy >= 0) ::close(copy);
    return OsError(shown, "cannot list the folder");
  }
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  const int error = errno;
  ::closedir(d);
  if (error != 0) {
    errno = error;
    return OsError(shown, "cannot list the folder");
  }
  return names;
}

bool SameFile(int fd_a, int fd_b) {
  struct stat a {
  }, b{};
  return ::fstat(fd_a, &a) == 0 && ::fstat(fd_b, &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

}  // namespace mtrec

#include "mtrec/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace mtrec {

namespace {

Status OsError(const std::filesystem::path& path, std::string_view what) {
  return Status::IOError(path.string() + ": " + std::string(what) +
                         " failed: " + std::strerror(errno));
}

}  // namespace

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content, bool sync) {
  const std::filesystem::path temp =
      path.string() + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return OsError(temp, "create");
  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status status = OsError(temp, "write");
      ::close(fd);
      ::unlink(temp.c_str());
      return status;
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  if (sync && ::fsync(fd) != 0 && errno != EINVAL) {
    Status status = OsError(temp, "fsync");
    ::close(fd);
    ::unlink(temp.c_str());
    return status;
  }
  if (::close(fd) != 0) {
    Status status = OsError(temp, "close");
    ::unlink(temp.c_str());
    return status;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Status status = OsError(path, "rename");
    ::unlink(temp.c_str());
    return status;
  }
  return Status::Ok();
}

}  // namespace mtrec

#include "mtrec/io/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mtrec {

namespace {

class FileSource final : public ByteSource {
 public:
  FileSource(int fd, std::string name, int64_t size)
      : fd_(fd), name_(std::move(name)), size_(size) {}
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<size_t> Read(char* buffer, size_t n) override {
    while (true) {
      const ssize_t got = ::read(fd_, buffer, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return Status::IOError(name_ + ": read failed: " + std::strerror(errno));
    }
  }
  int64_t size_hint() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  const int fd_;
  const std::string name_;
  const int64_t size_;
};

class StringSource final : public ByteSource {
 public:
  StringSource(std::string_view text, std::string name) : text_(text), name_(std::move(name)) {}

  Result<size_t> Read(char* buffer, size_t n) override {
    const size_t take = std::min(n, text_.size() - pos_);
    std::memcpy(buffer, text_.data() + pos_, take);
    pos_ += take;
    return take;
  }
  int64_t size_hint() const override { return static_cast<int64_t>(text_.size()); }
  const std::string& name() const override { return name_; }

 private:
  const std::string_view text_;
  const std::string name_;
  size_t pos_ = 0;
};

}  // namespace

Result<OpenedFile> OpenRegularFile(const std::filesystem::path& path) {
  // O_NONBLOCK: a FIFO would block the open itself; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const std::string message =
        path.string() + ": cannot open for reading: " + std::strerror(errno);
    return errno == ENOENT ? Status::NotFound(message) : Status::IOError(message);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IOError(path.string() + ": not a regular file");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return OpenedFile{fd, static_cast<int64_t>(st.st_size)};
}

Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::filesystem::path& path) {
  MTREC_ASSIGN_OR_RETURN(const OpenedFile file, OpenRegularFile(path));
  ::posix_fadvise(file.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<ByteSource>(
      std::make_unique<FileSource>(file.fd, path.string(), file.size));
}

std::unique_ptr<ByteSource> MakeStringSource(std::string_view text, std::string name) {
  return std::make_unique<StringSource>(text, std::move(name));
}

Result<std::string> ReadAll(ByteSource& source) {
  std::string out;
  if (source.size_hint() > 0) out.reserve(static_cast<size_t>(source.size_hint()));
  char buffer[1 << 16];
  while (true) {
    MTREC_ASSIGN_OR_RETURN(const size_t n, source.Read(buffer, sizeof(buffer)));
    if (n == 0) return out;
    out.append(buffer, n);
  }
}

}  // namespace mtrec

#include "mtrec/io/atomic_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <random>

#include "mtrec/io/file_entry.h"

namespace mtrec {

namespace {

constexpr std::string_view kTempInfix = ".tmp.";
constexpr int kTempLetters = 12;

// kTempLetters letters and digits from the kernel's random source.
std::string RandomSuffix() {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char bytes[kTempLetters];
  if (::getrandom(bytes, sizeof(bytes), 0) != static_cast<ssize_t>(sizeof(bytes))) {
    std::random_device device;
    for (unsigned char& b : bytes) b = static_cast<unsigned char>(device());
  }
  std::string out;
  for (unsigned char b : bytes) out += kAlphabet[b % (sizeof(kAlphabet) - 1)];
  return out;
}

Status WriteAll(int fd, std::string_view content, const std::filesystem::path& shown) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return OsError(shown, "write failed");
    content.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// A FileSink on the temporary file's descriptor.
class FdSink final : public FileSink {
 public:
  FdSink(int fd, const std::filesystem::path& shown) : fd_(fd), shown_(shown) {}
  Status Append(std::string_view bytes) override { return WriteAll(fd_, bytes, shown_); }
  Status WriteAt(int64_t offset, std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), offset);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return OsError(shown_, "write failed");
      bytes.remove_prefix(static_cast<size_t>(n));
      offset += n;
    }
    return Status::Ok();
  }

 private:
  int fd_;
  const std::filesystem::path& shown_;
};

Status NotReplaceable(const std::filesystem::path& path, FileKind kind) {
  return Status::InvalidArgument(path.string() + " is " + DescribeKind(kind) +
                                 "; only a regular file is ever replaced");
}

Status AlreadyExists(const std::filesystem::path& path) {
  return Status::InvalidArgument(path.string() + " already exists; it is not replaced");
}

constexpr std::string_view kKeptInfix = ".kept.";

// The target may not be replaced, but the content must not be lost: the
// temporary file is renamed to "<name>.kept.<random>" (which no claim removes
// as stale) and named in the IOError.
Status Kept(Status why, int dir_fd, const std::filesystem::path& dir, const std::string& temp,
            const std::string& name) {
  std::string kept = temp;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string candidate = name + std::string(kKeptInfix) + RandomSuffix();
    if (::renameat2(dir_fd, temp.c_str(), dir_fd, candidate.c_str(), RENAME_NOREPLACE) == 0) {
      kept = candidate;
      break;
    }
    if (errno != EEXIST) break;
  }
  return Status::IOError(why.message() + "; the content is kept in " + (dir / kept).string());
}

// Renames `temp` onto `name` without replacing anything (RENAME_NOREPLACE, or
// link + unlink where the file system lacks it). EEXIST when something is there.
int RenameNoReplace(int dir_fd, const std::string& temp, const std::string& name) {
  if (::renameat2(dir_fd, temp.c_str(), dir_fd, name.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  if (::linkat(dir_fd, temp.c_str(), dir_fd, name.c_str(), 0) != 0) return -1;
  ::unlinkat(dir_fd, temp.c_str(), 0);
  return 0;
}

}  // namespace

bool IsTempFileOf(std::string_view name, std::string_view target) {
  if (name.size() <= target.size() + kTempInfix.size() || !name.starts_with(target) ||
      name.substr(target.size(), kTempInfix.size()) != kTempInfix) {
    return false;
  }
  for (char c : name.substr(target.size() + kTempInfix.size())) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

namespace {

Status WriteAtomicallyAt(int dir_fd, const std::filesystem::path& dir, const std::string& name,
                         const std::function<Status(FileSink&)>& write,
                         const AtomicWriteOptions& options) {
  const std::filesystem::path path = dir / name;
  MTREC_ASSIGN_OR_RETURN(const FileKind before, KindAt(dir_fd, name, path));
  const bool replaceable = before == FileKind::kAbsent || before == FileKind::kRegular;
  if (!replaceable && !options.keep_if_refused) return NotReplaceable(path, before);
  if (before == FileKind::kRegular && !options.replace) return AlreadyExists(path);

  std::string temp;
  UniqueFd fd;
  for (int attempt = 0; attempt < 100 && !fd.valid(); ++attempt) {
    temp = name + std::string(kTempInfix) + RandomSuffix();
    fd.reset(
        ::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd.valid() && errno != EEXIST) return OsError(dir / temp, "create failed");
  }
  if (!fd.valid()) return OsError(dir / temp, "create failed");
  const std::filesystem::path temp_path = dir / temp;  // for messages
  const auto fail = [&](Status status) {
    fd.reset();
    ::unlinkat(dir_fd, temp.c_str(), 0);
    return status;
  };
  FdSink sink(fd.get(), temp_path);
  if (Status s = write(sink); !s.ok()) return fail(s);
  if (options.sync && ::fsync(fd.get()) != 0 && errno != EINVAL) {
    return fail(OsError(temp_path, "fsync failed"));
  }
  if (::close(fd.release()) != 0) return fail(OsError(temp_path, "close failed"));
  if (!replaceable) return Kept(NotReplaceable(path, before), dir_fd, dir, temp, name);

  if (!options.replace) {
    if (RenameNoReplace(dir_fd, temp, name) == 0) return Status::Ok();
    if (errno == EEXIST) return Kept(AlreadyExists(path), dir_fd, dir, temp, name);
    return fail(OsError(path, "rename failed"));
  }
  // Checked again just before the rename, which replaces the name only (a link
  // there would be replaced, never followed).
  Result<FileKind> now = KindAt(dir_fd, name, path);
  if (!now.ok()) return fail(now.status());
  if (*now != FileKind::kAbsent && *now != FileKind::kRegular) {
    return Kept(NotReplaceable(path, *now), dir_fd, dir, temp, name);
  }
  if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0) {
    return fail(OsError(path, "rename failed"));
  }
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomicallyAt(int dir_fd, const std::filesystem::path& dir, const std::string& name,
                             std::string_view content, const AtomicWriteOptions& options) {
  return WriteAtomicallyAt(
      dir_fd, dir, name, [&](FileSink& sink) { return sink.Append(content); }, options);
}

Status WriteFileAtomicallyStreamed(const std::filesystem::path& path,
                                   const std::function<Status(FileSink&)>& write,
                                   const AtomicWriteOptions& options) {
  if (!path.has_filename()) {
    return Status::InvalidArgument(path.string() + " is a folder; give a file path");
  }
  MTREC_ASSIGN_OR_RETURN(const UniqueFd dir, OpenFolder(path.parent_path()));
  return WriteAtomicallyAt(dir.get(), path.parent_path(), path.filename().string(), write, options);
}

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content,
                           const AtomicWriteOptions& options) {
  return WriteFileAtomicallyStreamed(
      path, [&](FileSink& sink) { return sink.Append(content); }, options);
}

}  // namespace mtrec

// Whole-file writes that never leave a half-written file behind and never write
// through a name they did not create: the content goes to a new temporary file
// in the same folder (an unpredictable name "<name>.tmp.<12 random letters and
// digits>", created with O_EXCL|O_NOFOLLOW relative to the folder opened once
// for the write), is flushed, and is renamed onto the target (rename is atomic
// on POSIX file systems). The target may be absent or a regular file; a
// symbolic link (even to a regular file), a folder, a FIFO, a device or a
// socket there is never replaced.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "mtrec/status.h"

namespace mtrec {

struct AtomicWriteOptions {
  // An existing regular file at the target may be replaced; false: it is
  // refused (InvalidArgument "... already exists"), also when it appears while
  // the content is written (RENAME_NOREPLACE).
  bool replace = true;
  // Also fsync the data before the rename (survives a power cut, costs ms).
  bool sync = false;
  // For an output claimed before (a run's checkpoint, its run folder's files):
  // if the target is no longer absent or a regular file, the content is still
  // written and kept beside it as "<name>.kept.<random>" (IOError naming it),
  // so that a run's work is never lost; false: refused before writing
  // (InvalidArgument).
  bool keep_if_refused = false;
};

// Writes `content` to `path`. A target that is neither absent nor a regular
// file is InvalidArgument naming what it is; a missing folder is NotFound;
// other failures are IOError naming the path and the OS error. On any failure
// the target is untouched and the temporary file removed, except when the
// content must be kept (keep_if_refused, or a target that changed while the
// content was written): then it is in "<name>.kept.<random>", named in the
// IOError.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content,
                           const AtomicWriteOptions& options = {});

// The same for the file `name` in the folder open as `dir_fd` (`dir` is its
// path, for messages).
Status WriteFileAtomicallyAt(int dir_fd, const std::filesystem::path& dir, const std::string& name,
                             std::string_view content, const AtomicWriteOptions& options = {});

// The temporary file of a streamed write: content appended in pieces, and
// bytes already written overwritten in place (a header written last).
class FileSink {
 public:
  virtual ~FileSink() = default;
  virtual Status Append(std::string_view bytes) = 0;
  // REQUIRES: [offset, offset + bytes.size()) was appended before.
  virtual Status WriteAt(int64_t offset, std::string_view bytes) = 0;
};

// As WriteFileAtomically, the content written by `write` into the temporary
// file instead of held whole; an error it returns is the write's (the
// temporary file removed). `write` is called at most once: not when the
// target is refused before anything is written (a missing folder, a link
// there without keep_if_refused).
Status WriteFileAtomicallyStreamed(const std::filesystem::path& path,
                                   const std::function<Status(FileSink&)>& write,
                                   const AtomicWriteOptions& options = {});

// Whether `name` is a temporary file of a write to `target` ("<target>.tmp."
// and letters or digits; an older mtrec's "<target>.tmp.<pid>" too).
bool IsTempFileOf(std::string_view name, std::string_view target);

}  // namespace mtrec

// ByteSource: a stream of bytes read front to back (a file, a zip member, a
// string), so that parsers never need a whole file in memory.
//
// Thread-safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "mtrec/status.h"

namespace mtrec {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Reads up to `n` bytes into `buffer`; 0 means the end was reached. An error
  // (an unreadable file, a corrupt zip member) names the source.
  virtual Result<size_t> Read(char* buffer, size_t n) = 0;

  // The total size in bytes if known in advance, else -1 (used to size buffers).
  virtual int64_t size_hint() const { return -1; }

  // What to call the source in messages: a path, or "archive.zip:member".
  virtual const std::string& name() const = 0;
};

// Reads a file with read(2). Errors name the path and the OS error (NotFound
// when the file does not exist).
Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::filesystem::path& path);

// Opens a regular file for reading (a FIFO, a device or a folder is refused
// without blocking), as OpenFileSource does: its descriptor and size. The
// caller closes the descriptor.
struct OpenedFile {
  int fd = -1;
  int64_t size = 0;
};
Result<OpenedFile> OpenRegularFile(const std::filesystem::path& path);

// Reads from `text`, which must outlive the source.
std::unique_ptr<ByteSource> MakeStringSource(std::string_view text, std::string name);

// Reads all of `source` into a string (for small files such as title lists).
Result<std::string> ReadAll(ByteSource& source);

}  // namespace mtrec

// TensorFile: named tensors plus string metadata in one checksummed file, in
// the safetensors layout (so numpy or the `safetensors` package can read it).
//
// Format (all integers little-endian):
//   bytes [0, 8)       u64 N, the length of the header
//   bytes [8, 8 + N)   the header: a UTF-8 JSON object, padded with spaces to a
//                      multiple of 8 bytes
//   bytes [8 + N, end) the tensor data: each tensor's raw little-endian values,
//                      row-major, at data_offsets [begin, end) relative to 8 + N,
//                      contiguous (in any order; the header's keys are
//                      sorted), covering the rest exactly
// header = { "<name>": {"dtype": "F32"|"F64"|"I32"|"I64"|"U8", "shape": [d0, ...],
//                       "data_offsets": [begin, end]}, ...,
//            "__metadata__": {"crc32c": "<8 hex digits>", "<key>": "<string>", ...} }
// crc32c is the CRC-32C (io/crc32c.h) of the whole file as written, with the 8
// hex digits of its own value replaced by "00000000"; it covers every byte.
//
// Writing goes through a temporary file and a rename (io/atomic_file.h).
// Reading checks the framing, the JSON, every tensor's dtype, shape and
// offsets, and the checksum, and returns Corruption naming the file otherwise.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mtrec/io/atomic_file.h"
#include "mtrec/io/file_entry.h"
#include "mtrec/status.h"

namespace mtrec {

struct Tensor {
  std::string name;
  std::string dtype;           // F32, F64, I32, I64 or U8
  std::vector<int64_t> shape;  // empty: a scalar
  std::string bytes;           // the raw values

  static Tensor F32(std::string name, std::vector<int64_t> shape, std::span<const float> values);
  int64_t elements() const;
  // The data's size in bytes: elements() times the dtype's width (0 for an
  // unknown dtype).
  int64_t data_size() const;
  // Copies the values into `out`, checking in the same pass that each is
  // finite; false if any is NaN or infinite (all are copied either way).
  // REQUIRES: dtype == "F32" (checked by the reader), out.size() == elements().
  bool CopyFiniteF32(std::span<float> out) const;
};

// Whether `bytes` are whole F32 values, every one finite.
bool AllFiniteF32(std::string_view bytes);

struct TensorFile {
  std::map<std::string, std::string> metadata;  // "crc32c" is reserved
  std::vector<Tensor> tensors;                  // names unique, none "__metadata__"

  // The tensor called `name`, or nullptr.
  const Tensor* Find(const std::string& name) const;
};

// The whole file's bytes (exposed for tests that tamper with them).
std::string EncodeTensorFile(const TensorFile& file);
Result<TensorFile> DecodeTensorFile(std::string_view bytes, const std::string& source_name);

// `options`: whether an existing regular file may be replaced (io/atomic_file.h;
// anything else there never is).
Status WriteTensorFile(const std::filesystem::path& path, const TensorFile& file,
                       const AtomicWriteOptions& options = {});
Result<TensorFile> ReadTensorFile(const std::filesystem::path& path);

// Streamed: the same file, byte for byte, as WriteTensorFile of `file` with
// every tensor's bytes, but its tensors' bytes are not held (they may be
// empty): `produce` passes the data of every tensor, in order, to `emit` in
// pieces of any size while the file is written; the header, whose checksum
// covers the data, is rewritten in place at the end. `produce` is always run
// to its end exactly once, also when the target is refused before anything is
// written or a write fails (the data is then dropped), so that a producer
// whose pieces come from a collective runs on every rank alike; the first
// error is returned. REQUIRES: it emits exactly the tensors' total size.
using TensorBytesEmit = std::function<void(std::string_view)>;
Status WriteTensorFileStreamed(const std::filesystem::path& path, const TensorFile& file,
                               const std::function<void(const TensorBytesEmit&)>& produce,
                               const AtomicWriteOptions& options = {});

// A tensor file checked in one pass of bounded memory and then read by byte
// ranges, without ever holding it whole. The open file is kept, so the ranges
// come from the file that was checked even if the path is replaced meanwhile.
class TensorFileReader {
 public:
  // Checks what ReadTensorFile checks (framing, header, the checksum over
  // every byte), with the same messages, streaming the data once; `check` is
  // called with each tensor's data in consecutive pieces (it may refuse it:
  // its first error is returned once the file is otherwise known good).
  using Check = std::function<Status(const Tensor& tensor, std::string_view piece)>;
  static Result<std::shared_ptr<const TensorFileReader>> Open(const std::filesystem::path& path,
                                                              const Check& check = {});

  // The metadata and the tensors (their bytes empty).
  const TensorFile& index() const { return index_; }
  // Reads `out.size()` bytes of tensor `name`'s data from byte `offset` of it.
  // REQUIRES: the tensor exists and the range is within its data.
  Status Read(const std::string& name, int64_t offset, std::span<char> out) const;

 private:
  TensorFileReader() = default;
  UniqueFd fd_;
  std::string source_;
  TensorFile index_;
  std::map<std::string, int64_t> begin_;  // each tensor's first byte in the file
};

}  // namespace mtrec

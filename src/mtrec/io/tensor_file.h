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
#include <map>
#include <span>
#include <string>
#include <vector>

#include "mtrec/io/atomic_file.h"
#include "mtrec/status.h"

namespace mtrec {

struct Tensor {
  std::string name;
  std::string dtype;           // F32, F64, I32, I64 or U8
  std::vector<int64_t> shape;  // empty: a scalar
  std::string bytes;           // the raw values

  static Tensor F32(std::string name, std::vector<int64_t> shape, std::span<const float> values);
  int64_t elements() const;
  // Copies the values into `out`, checking in the same pass that each is
  // finite; false if any is NaN or infinite (all are copied either way).
  // REQUIRES: dtype == "F32" (checked by the reader), out.size() == elements().
  bool CopyFiniteF32(std::span<float> out) const;
};

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

}  // namespace mtrec

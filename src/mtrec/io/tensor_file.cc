#include "mtrec/io/tensor_file.h"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "mtrec/core/check.h"
#include "mtrec/io/atomic_file.h"
#include "mtrec/io/byte_source.h"
#include "mtrec/io/crc32c.h"
#include "mtrec/io/file_entry.h"

namespace mtrec {

static_assert(std::endian::native == std::endian::little, "add byte swapping for this platform");

namespace {

using Json = nlohmann::json;

constexpr const char* kChecksumKey = "crc32c";
constexpr std::string_view kChecksumField = "\"crc32c\":\"";
constexpr uint64_t kMaxHeader = uint64_t{1} << 28;  // 256 MiB: anything larger is not ours

int64_t DtypeSize(const std::string& dtype) {
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F64" || dtype == "I64") return 8;
  if (dtype == "U8") return 1;
  return 0;
}

std::string Hex8(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08x", v);
  return buf;
}

// The offset of the checksum's 8 hex digits in `header`, or npos unless the
// field occurs exactly once (a value containing it would be JSON-escaped).
size_t ChecksumDigits(std::string_view header) {
  const size_t at = header.find(kChecksumField);
  if (at == std::string_view::npos) return at;
  if (header.find(kChecksumField, at + 1) != std::string_view::npos) return std::string_view::npos;
  return at + kChecksumField.size();
}

// The CRC of the file with its 8 checksum digits read as "00000000", computed
// in three pieces instead of on a copy of the whole file.
uint32_t FileCrc(std::string_view bytes, size_t digits_at) {
  const uint32_t before = Crc32c(bytes.substr(0, digits_at));
  return Crc32c(bytes.substr(digits_at + 8), Crc32c("00000000", before));
}

// 1 when the F32 bit pattern `word` is NaN or infinite (its exponent bits all
// ones), else 0.
inline uint32_t NotFiniteWord(uint32_t word) {
  constexpr uint32_t kExponent = 0x7f800000u;
  return static_cast<uint32_t>((word & kExponent) == kExponent);
}

}  // namespace

Tensor Tensor::F32(std::string name, std::vector<int64_t> shape, std::span<const float> values) {
  Tensor t{std::move(name), "F32", std::move(shape), {}};
  t.bytes.assign(reinterpret_cast<const char*>(values.data()), values.size_bytes());
  return t;
}

int64_t Tensor::data_size() const { return elements() * DtypeSize(dtype); }

int64_t Tensor::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

bool Tensor::CopyFiniteF32(std::span<float> out) const {
  // The flag is or-ed without a branch, so the loop stays one vectorised pass.
  uint32_t not_finite = 0;
  for (size_t k = 0; k < out.size(); ++k) {
    uint32_t word;
    std::memcpy(&word, bytes.data() + k * sizeof(float), sizeof(float));
    not_finite |= NotFiniteWord(word);
    out[k] = std::bit_cast<float>(word);
  }
  return not_finite == 0;
}

bool AllFiniteF32(std::string_view bytes) {
  uint32_t not_finite = 0;
  for (size_t k = 0; k + sizeof(float) <= bytes.size(); k += sizeof(float)) {
    uint32_t word;
    std::memcpy(&word, bytes.data() + k, sizeof(float));
    not_finite |= NotFiniteWord(word);
  }
  return not_finite == 0 && bytes.size() % sizeof(float) == 0;
}

const Tensor* TensorFile::Find(const std::string& name) const {
  for (const Tensor& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

namespace {

// The file's first bytes: the header's length and the header, with the
// checksum's digits "00000000"; `sizes` are the tensors' data sizes in bytes.
std::string EncodeHeader(const TensorFile& file, const std::vector<int64_t>& sizes) {
  Json header = Json::object();
  int64_t offset = 0;
  for (size_t k = 0; k < file.tensors.size(); ++k) {
    const Tensor& t = file.tensors[k];
    const int64_t end = offset + sizes[k];
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, end}}};
    offset = end;
  }
  Json meta = Json::object();
  for (const auto& [k, v] : file.metadata) meta[k] = v;
  meta[kChecksumKey] = "00000000";
  header["__metadata__"] = meta;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  const uint64_t n = text.size();
  std::memcpy(out.data(), &n, 8);
  out += text;
  return out;
}

// The framing of a file of `size` bytes whose header is `n` bytes: "" when
// it holds, else why not.
std::string FramingError(uint64_t n, uint64_t size) {
  if (n > kMaxHeader || n < 2) {
    return "not an mtrec model file (bad header length " + std::to_string(n) + ")";
  }
  if (n > size - 8) {
    return "truncated: the header needs " + std::to_string(n) + " bytes, the file has " +
           std::to_string(size - 8) + " after the length";
  }
  return "";
}

// The header `text` of a file whose data has `data_size` bytes, parsed and
// checked into `file` (tensors in data order, their bytes empty) and each
// tensor's data offset `begins`: "" when it holds, else why not.
std::string ParseHeader(std::string_view text, uint64_t data_size, TensorFile& file,
                        std::vector<int64_t>& begins) {
  const Json header = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) {
    return "corrupt, or not an mtrec model file (the header is not valid JSON)";
  }
  const auto meta_it = header.find("__metadata__");
  if (meta_it == header.end() || !meta_it->is_object()) {
    return "not an mtrec model file (no __metadata__ in the header)";
  }
  for (const auto& [k, v] : meta_it->items()) {
    if (!v.is_string()) return "metadata '" + k + "' is not a string";
    file.metadata[k] = v.get<std::string>();
  }
  std::vector<std::pair<int64_t, Tensor>> by_offset;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string what = "tensor '" + name + "'";
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
        !entry.contains("data_offsets") || !entry["dtype"].is_string() ||
        !entry["shape"].is_array() || !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2) {
      return what + ": expected {dtype, shape, data_offsets}";
    }
    Tensor t{name, entry["dtype"].get<std::string>(), {}, {}};
    const int64_t width = DtypeSize(t.dtype);
    if (width == 0) return what + ": unsupported dtype '" + t.dtype + "'";
    for (const Json& d : entry["shape"]) {
      if (!d.is_number_unsigned() || d.get<uint64_t>() > (uint64_t{1} << 40)) {
        return what + ": bad shape";
      }
      t.shape.push_back(d.get<int64_t>());
    }
    const Json& off = entry["data_offsets"];
    if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned()) {
      return what + ": bad data_offsets";
    }
    const uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
    if (begin > end || end > data_size) {
      return "truncated: " + what + " ends at byte " + std::to_string(end) +
             " of the data, which has " + std::to_string(data_size);
    }
    if (static_cast<int64_t>(end - begin) != t.elements() * width) {
      return what + ": its data_offsets do not match its shape and dtype";
    }
    by_offset.emplace_back(static_cast<int64_t>(begin), std::move(t));
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  int64_t expected = 0;
  for (auto& [begin, t] : by_offset) {
    if (begin > expected) {
      return "bytes " + std::to_string(expected) + " to " + std::to_string(begin) +
             " of the data belong to no tensor (a tensor is missing from the header)";
    }
    if (begin < expected) {
      return "tensor '" + t.name + "' overlaps the tensor before it (data_offsets " +
             std::to_string(begin) + " < " + std::to_string(expected) + ")";
    }
    expected += t.data_size();
    begins.push_back(begin);
    file.tensors.push_back(std::move(t));
  }
  if (expected != static_cast<int64_t>(data_size)) {
    return std::to_string(data_size - expected) +
           " bytes after the last tensor belong to no tensor (a tensor is missing from the "
           "header)";
  }
  return "";
}

// The checks after the header: a checksum that does not match is the
// diagnosis unless the header found truncation; then the checksum must be
// there. Erases it from the metadata.
Status FinishChecks(const std::string& source_name, const std::string& header_error,
                    const std::string& checksum_error, std::string_view text, size_t digits,
                    TensorFile& file) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(source_name + ": " + why);
  };
  if (!header_error.empty()) {
    return corrupt(checksum_error.empty() || header_error.starts_with("truncated")
                       ? header_error
                       : checksum_error);
  }
  if (!checksum_error.empty()) return corrupt(checksum_error);
  const auto stored_it = file.metadata.find(kChecksumKey);
  if (digits == std::string_view::npos || stored_it == file.metadata.end() ||
      stored_it->second != text.substr(digits, 8)) {
    return corrupt("no crc32c checksum in the header");
  }
  file.metadata.erase(stored_it);
  return Status::Ok();
}

std::string ChecksumError(std::string_view text, size_t digits, uint32_t computed_crc) {
  const std::string stored(text.substr(digits, 8));
  const std::string computed = Hex8(computed_crc);
  if (stored == computed) return "";
  return "checksum mismatch (stored crc32c " + stored + ", computed " + computed +
         "): the file is corrupt";
}

}  // namespace

std::string EncodeTensorFile(const TensorFile& file) {
  std::vector<int64_t> sizes;
  for (const Tensor& t : file.tensors) sizes.push_back(static_cast<int64_t>(t.bytes.size()));
  std::string out = EncodeHeader(file, sizes);
  const size_t digits = 8 + ChecksumDigits(std::string_view(out).substr(8));
  for (const Tensor& t : file.tensors) out += t.bytes;
  const std::string crc = Hex8(FileCrc(out, digits));
  std::memcpy(out.data() + digits, crc.data(), 8);
  return out;
}

Result<TensorFile> DecodeTensorFile(std::string_view bytes, const std::string& source_name) {
  if (bytes.size() < 8) {
    return Status::Corruption(source_name + ": truncated: " + std::to_string(bytes.size()) +
                              " bytes");
  }
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  if (const std::string why = FramingError(n, bytes.size()); !why.empty()) {
    return Status::Corruption(source_name + ": " + why);
  }
  const std::string_view text = bytes.substr(8, n);
  // The checksum is computed up front: a flipped bit anywhere reads as a
  // checksum mismatch, unless a more specific problem (truncation) explains it.
  const size_t digits = ChecksumDigits(text);
  std::string checksum_error;
  if (digits != std::string_view::npos && digits + 8 <= text.size()) {
    checksum_error = ChecksumError(text, digits, FileCrc(bytes, 8 + digits));
  }
  const std::string_view data = bytes.substr(8 + n);
  TensorFile file;
  std::vector<int64_t> begins;
  const std::string header_error = ParseHeader(text, data.size(), file, begins);
  MTREC_RETURN_IF_ERROR(
      FinishChecks(source_name, header_error, checksum_error, text, digits, file));
  for (size_t k = 0; k < file.tensors.size(); ++k) {
    Tensor& t = file.tensors[k];
    t.bytes.assign(data.substr(begins[k], t.data_size()));
  }
  return file;
}

Status WriteTensorFile(const std::filesystem::path& path, const TensorFile& file,
                       const AtomicWriteOptions& options) {
  return WriteFileAtomically(path, EncodeTensorFile(file), options);
}

Result<TensorFile> ReadTensorFile(const std::filesystem::path& path) {
  MTREC_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, OpenFileSource(path));
  MTREC_ASSIGN_OR_RETURN(const std::string bytes, ReadAll(*source));
  return DecodeTensorFile(bytes, path.string());
}

Status WriteTensorFileStreamed(const std::filesystem::path& path, const TensorFile& file,
                               const std::function<void(const TensorBytesEmit&)>& produce,
                               const AtomicWriteOptions& options) {
  std::vector<int64_t> sizes;
  int64_t total = 0;
  for (const Tensor& t : file.tensors) {
    sizes.push_back(t.data_size());
    total += sizes.back();
  }
  const std::string header = EncodeHeader(file, sizes);
  const size_t digits = 8 + ChecksumDigits(std::string_view(header).substr(8));
  int64_t emitted = 0;
  bool produced = false;
  Status written = WriteFileAtomicallyStreamed(
      path,
      [&](FileSink& sink) {
        Status status = sink.Append(header);
        uint32_t crc = Crc32c(header);  // its digits are "00000000", as FileCrc reads them
        produced = true;
        produce([&](std::string_view piece) {
          emitted += static_cast<int64_t>(piece.size());
          if (!status.ok()) return;
          crc = Crc32c(piece, crc);
          status = sink.Append(piece);
        });
        MTREC_CHECK(emitted == total);
        MTREC_RETURN_IF_ERROR(status);
        return sink.WriteAt(static_cast<int64_t>(digits), Hex8(crc));
      },
      options);
  if (!produced) produce([](std::string_view) {});  // the producer's collectives still run
  return written;
}

namespace {

// Reads out.size() bytes of `fd` from byte `at`; a file that ends first is
// Corruption naming `source`.
Status PreadAll(int fd, std::span<char> out, uint64_t at, const std::string& source) {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t got =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(at + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return OsError(source, "read failed");
    if (got == 0) {
      return Status::Corruption(source + ": truncated: the file ended while it was read");
    }
    done += static_cast<size_t>(got);
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const TensorFileReader>> TensorFileReader::Open(
    const std::filesystem::path& path, const Check& check) {
  const std::string source = path.string();
  auto corrupt = [&](const std::string& why) { return Status::Corruption(source + ": " + why); };
  std::shared_ptr<TensorFileReader> reader(new TensorFileReader());
  reader->source_ = source;
  MTREC_ASSIGN_OR_RETURN(const OpenedFile opened, OpenRegularFile(path));
  reader->fd_.reset(opened.fd);
  const uint64_t size = static_cast<uint64_t>(opened.size);
  // Bounded pieces, read in order: the length, the header, then the data.
  std::string buffer;
  uint64_t at = 0;
  const auto read = [&](uint64_t n) -> Status {
    buffer.resize(n);
    MTREC_RETURN_IF_ERROR(PreadAll(reader->fd_.get(), buffer, at, source));
    at += n;
    return Status::Ok();
  };
  if (size < 8) return corrupt("truncated: " + std::to_string(size) + " bytes");
  MTREC_RETURN_IF_ERROR(read(8));
  uint64_t n = 0;
  std::memcpy(&n, buffer.data(), 8);
  if (const std::string why = FramingError(n, size); !why.empty()) return corrupt(why);
  uint32_t crc = Crc32c(buffer);
  MTREC_RETURN_IF_ERROR(read(n));
  const std::string text = buffer;
  const size_t digits = ChecksumDigits(text);
  const bool has_digits = digits != std::string_view::npos && digits + 8 <= text.size();
  if (has_digits) {
    crc = Crc32c(std::string_view(text).substr(digits + 8),
                 Crc32c("00000000", Crc32c(std::string_view(text).substr(0, digits), crc)));
  } else {
    crc = Crc32c(text, crc);
  }
  TensorFile& file = reader->index_;
  std::vector<int64_t> begins;
  const uint64_t data_size = size - 8 - n;
  const std::string header_error = ParseHeader(text, data_size, file, begins);
  // The data, once: its checksum, and each tensor's pieces to `check`.
  Status checked;
  constexpr uint64_t kPiece = uint64_t{1} << 22;
  size_t tensor = 0;
  for (uint64_t offset = 0; offset < data_size;) {
    MTREC_RETURN_IF_ERROR(read(std::min(kPiece, data_size - offset)));
    crc = Crc32c(buffer, crc);
    for (uint64_t p = 0; header_error.empty() && check && p < buffer.size();) {
      while (tensor < file.tensors.size() &&
             begins[tensor] + file.tensors[tensor].data_size() <= static_cast<int64_t>(offset + p)) {
        ++tensor;
      }
      if (tensor == file.tensors.size()) break;
      const Tensor& t = file.tensors[tensor];
      const uint64_t end = begins[tensor] + t.data_size();
      const uint64_t take = std::min<uint64_t>(end - (offset + p), buffer.size() - p);
      if (checked.ok()) checked = check(t, std::string_view(buffer).substr(p, take));
      p += take;
    }
    offset += buffer.size();
  }
  const std::string checksum_error = has_digits ? ChecksumError(text, digits, crc) : "";
  MTREC_RETURN_IF_ERROR(FinishChecks(source, header_error, checksum_error, text, digits, file));
  MTREC_RETURN_IF_ERROR(checked);
  for (size_t k = 0; k < file.tensors.size(); ++k) {
    reader->begin_[file.tensors[k].name] = static_cast<int64_t>(8 + n) + begins[k];
  }
  return std::shared_ptr<const TensorFileReader>(std::move(reader));
}

Status TensorFileReader::Read(const std::string& name, int64_t offset, std::span<char> out) const {
  return PreadAll(fd_.get(), out, static_cast<uint64_t>(begin_.at(name) + offset), source_);
}

}  // namespace mtrec

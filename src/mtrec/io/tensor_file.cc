#include "mtrec/io/tensor_file.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "mtrec/io/atomic_file.h"
#include "mtrec/io/byte_source.h"
#include "mtrec/io/crc32c.h"

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

}  // namespace

Tensor Tensor::F32(std::string name, std::vector<int64_t> shape, std::span<const float> values) {
  Tensor t{std::move(name), "F32", std::move(shape), {}};
  t.bytes.assign(reinterpret_cast<const char*>(values.data()), values.size_bytes());
  return t;
}

int64_t Tensor::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

bool Tensor::CopyFiniteF32(std::span<float> out) const {
  // A float is NaN or infinite exactly when its exponent bits are all ones;
  // the flag is or-ed without a branch, so the loop stays one vectorised pass.
  constexpr uint32_t kExponent = 0x7f800000u;
  uint32_t not_finite = 0;
  for (size_t k = 0; k < out.size(); ++k) {
    uint32_t word;
    std::memcpy(&word, bytes.data() + k * sizeof(float), sizeof(float));
    not_finite |= static_cast<uint32_t>((word & kExponent) == kExponent);
    out[k] = std::bit_cast<float>(word);
  }
  return not_finite == 0;
}

const Tensor* TensorFile::Find(const std::string& name) const {
  for (const Tensor& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string EncodeTensorFile(const TensorFile& file) {
  Json header = Json::object();
  int64_t offset = 0;
  for (const Tensor& t : file.tensors) {
    const int64_t end = offset + static_cast<int64_t>(t.bytes.size());
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
  for (const Tensor& t : file.tensors) out += t.bytes;
  const size_t digits = 8 + ChecksumDigits(text);
  const std::string crc = Hex8(FileCrc(out, digits));
  std::memcpy(out.data() + digits, crc.data(), 8);
  return out;
}

Result<TensorFile> DecodeTensorFile(std::string_view bytes, const std::string& source_name) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(source_name + ": " + why);
  };
  if (bytes.size() < 8) return corrupt("truncated: " + std::to_string(bytes.size()) + " bytes");
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  if (n > kMaxHeader || n < 2) {
    return corrupt("not an mtrec model file (bad header length " + std::to_string(n) + ")");
  }
  if (n > bytes.size() - 8) {
    return corrupt("truncated: the header needs " + std::to_string(n) + " bytes, the file has " +
                   std::to_string(bytes.size() - 8) + " after the length");
  }
  const std::string_view text = bytes.substr(8, n);
  // The checksum is computed up front: a flipped bit anywhere reads as a
  // checksum mismatch, unless a more specific problem (truncation) explains it.
  const size_t digits = ChecksumDigits(text);
  std::string checksum_error;
  if (digits != std::string_view::npos && digits + 8 <= text.size()) {
    const std::string stored(text.substr(digits, 8));
    const std::string computed = Hex8(FileCrc(bytes, 8 + digits));
    if (stored != computed) {
      checksum_error = "checksum mismatch (stored crc32c " + stored + ", computed " + computed +
                       "): the file is corrupt";
    }
  }
  // Past this point, a file whose checksum did not match is reported as such,
  // unless it is truncated (the more specific diagnosis).
  auto fail = [&](const std::string& why) {
    return corrupt(checksum_error.empty() || why.starts_with("truncated") ? why : checksum_error);
  };
  const Json header = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) {
    return fail("corrupt, or not an mtrec model file (the header is not valid JSON)");
  }
  const auto meta_it = header.find("__metadata__");
  if (meta_it == header.end() || !meta_it->is_object()) {
    return fail("not an mtrec model file (no __metadata__ in the header)");
  }
  TensorFile file;
  for (const auto& [k, v] : meta_it->items()) {
    if (!v.is_string()) return fail("metadata '" + k + "' is not a string");
    file.metadata[k] = v.get<std::string>();
  }
  // Tensors, in data order.
  const std::string_view data = bytes.substr(8 + n);
  std::vector<std::pair<int64_t, Tensor>> by_offset;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string what = "tensor '" + name + "'";
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
        !entry.contains("data_offsets") || !entry["dtype"].is_string() ||
        !entry["shape"].is_array() || !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2) {
      return fail(what + ": expected {dtype, shape, data_offsets}");
    }
    Tensor t{name, entry["dtype"].get<std::string>(), {}, {}};
    const int64_t width = DtypeSize(t.dtype);
    if (width == 0) return fail(what + ": unsupported dtype '" + t.dtype + "'");
    for (const Json& d : entry["shape"]) {
      if (!d.is_number_unsigned() || d.get<uint64_t>() > (uint64_t{1} << 40)) {
        return fail(what + ": bad shape");
      }
      t.shape.push_back(d.get<int64_t>());
    }
    const Json& off = entry["data_offsets"];
    if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned()) {
      return fail(what + ": bad data_offsets");
    }
    const uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
    if (begin > end || end > data.size()) {
      return fail("truncated: " + what + " ends at byte " + std::to_string(end) +
                  " of the data, which has " + std::to_string(data.size()));
    }
    if (static_cast<int64_t>(end - begin) != t.elements() * width) {
      return fail(what + ": its data_offsets do not match its shape and dtype");
    }
    t.bytes.assign(data.substr(begin, end - begin));
    by_offset.emplace_back(static_cast<int64_t>(begin), std::move(t));
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  int64_t expected = 0;
  for (auto& [begin, t] : by_offset) {
    if (begin > expected) {
      return fail("bytes " + std::to_string(expected) + " to " + std::to_string(begin) +
                  " of the data belong to no tensor (a tensor is missing from the header)");
    }
    if (begin < expected) {
      return fail("tensor '" + t.name + "' overlaps the tensor before it (data_offsets " +
                  std::to_string(begin) + " < " + std::to_string(expected) + ")");
    }
    expected += static_cast<int64_t>(t.bytes.size());
    file.tensors.push_back(std::move(t));
  }
  if (expected != static_cast<int64_t>(data.size())) {
    return fail(std::to_string(data.size() - expected) +
                " bytes after the last tensor belong to no tensor (a tensor is missing from the "
                "header)");
  }
  if (!checksum_error.empty()) return corrupt(checksum_error);
  // The checksum over everything was verified above, if the header has one.
  const auto stored_it = file.metadata.find(kChecksumKey);
  if (digits == std::string_view::npos || stored_it == file.metadata.end() ||
      stored_it->second != text.substr(digits, 8)) {
    return fail("no crc32c checksum in the header");
  }
  file.metadata.erase(stored_it);
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

}  // namespace mtrec

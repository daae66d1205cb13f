// ProtoWriter: just enough of the protocol-buffer wire format to hand-encode
// small messages (TensorBoard's Event/Summary) without libprotobuf.
//
// A field is a key varint (field_number << 3 | wire_type) and a payload:
// varint (type 0), little-endian fixed64 (type 1), length-delimited bytes or a
// nested message (type 2), little-endian fixed32 (type 5). Negative int64
// values are ten-byte varints (two's complement), as protobuf writes them.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace mtrec {

static_assert(std::endian::native == std::endian::little, "add byte swapping for this platform");

class ProtoWriter {
 public:
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void Double(int field, double v) {
    Key(field, 1);
    Raw(&v, sizeof(v));
  }
  void Float(int field, float v) {
    Key(field, 5);
    Raw(&v, sizeof(v));
  }
  void Int64(int field, int64_t v) {
    Key(field, 0);
    Varint(static_cast<uint64_t>(v));
  }
  // A string, bytes, or an already encoded nested message.
  void Bytes(int field, std::string_view bytes) {
    Key(field, 2);
    Varint(bytes.size());
    out_ += bytes;
  }

  const std::string& data() const { return out_; }

 private:
  void Key(int field, int wire_type) { Varint(static_cast<uint64_t>(field) << 3 | wire_type); }
  void Raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }

  std::string out_;
};

}  // namespace mtrec

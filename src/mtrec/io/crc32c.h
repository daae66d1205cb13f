// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, init and final xor
// 0xFFFFFFFF), the checksum of TFRecord framing and of mtrec's checkpoints. It
// is not zlib's CRC-32. Known answer: Crc32c("123456789") == 0xE3069283.
#pragma once

#include <cstdint>
#include <string_view>

namespace mtrec {

// The CRC of `data`, continuing from `crc` (the value returned for the bytes
// before it; 0 to start), so Crc32c(ab) == Crc32c(b, Crc32c(a)).
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

// TFRecord's (and leveldb's) masked CRC: rotate right by 15 bits, add a constant,
// so that a CRC stored inside CRC'd data does not checksum to a fixed pattern.
inline uint32_t MaskCrc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

}  // namespace mtrec

// CRC-32C known answers and the exact bytes of TensorBoard records.
#include <gtest/gtest.h>

#include <string>

#include "mtrec/io/crc32c.h"
#include "mtrec/report/tfevents_writer.h"

namespace mtrec {
namespace {

TEST(Crc32c, KnownAnswers) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720 B.4
  EXPECT_EQ(MaskCrc32c(Crc32c("\x1a\x11"
                              "CRC test, one two")),
            0x5794d08au);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32c, ContinuesAcrossChunks) {
  const std::string text = "The quick brown fox jumps over the lazy dog, twice over.";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    EXPECT_EQ(Crc32c(text.substr(cut), Crc32c(text.substr(0, cut))), Crc32c(text)) << cut;
  }
}

TEST(TfEvents, ScalarEventBytes) {
  // wall_time 1.5, step 3, tag "a", value 2.0f
  const std::string want = std::string("\x09\x00\x00\x00\x00\x00\x00\xf8\x3f", 9) + "\x10\x03" +
                           "\x2a\x0a" + "\x0a\x08" +
                           "\x0a\x01"
                           "a" +
                           std::string("\x15\x00\x00\x00\x40", 5);
  EXPECT_EQ(EncodeScalarEvent(1.5, 3, "a", 2.0f), want);
  // Step 0 is omitted, as proto3 does for a default value.
  EXPECT_EQ(EncodeScalarEvent(1.5, 0, "a", 2.0f).find("\x10"), std::string::npos);
}

TEST(TfEvents, FileVersionEventAndFraming) {
  const std::string event = EncodeFileVersionEvent(0.0);
  EXPECT_EQ(event, std::string("\x09\0\0\0\0\0\0\0\0", 9) +
                       "\x1a\x0d"
                       "brain.Event:2");
  const std::string record = FrameTfRecord(event);
  ASSERT_EQ(record.size(), event.size() + 16);
  EXPECT_EQ(record.substr(0, 8), std::string("\x18\0\0\0\0\0\0\0", 8));
  const uint32_t length_crc = MaskCrc32c(Crc32c(record.substr(0, 8)));
  EXPECT_EQ(record.substr(8, 4), std::string(reinterpret_cast<const char*>(&length_crc), 4));
  EXPECT_EQ(record.substr(12, event.size()), event);
  const uint32_t data_crc = MaskCrc32c(Crc32c(event));
  EXPECT_EQ(record.substr(12 + event.size()),
            std::string(reinterpret_cast<const char*>(&data_crc), 4));
}

TEST(TfEvents, OriginalTagsInOrder) {
  std::vector<std::string> tags;
  for (const EpochScalar& s : OriginalScalars()) tags.push_back(s.tag);
  EXPECT_EQ(tags, (std::vector<std::string>{"training/Factorization Loss", "training/MSE",
                                            "training/Joint Loss", "eval/Mean Reciprocal Rank",
                                            "eval/MSE"}));
}

}  // namespace
}  // namespace mtrec

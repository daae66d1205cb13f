// The CUDA backend's memory layer in its host build (cuda-host): errors are a
// Status naming the buffer and its size, buffers only grow, copies round-trip.
#define MTREC_CUDA_NS device_memory_test
#include "mtrec/backend/cuda/device_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace mtrec::device_memory_test {
namespace {

TEST(DeviceMemory, FormatsSizesInBinaryUnits) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(3 << 20), "3.0 MiB");
  EXPECT_EQ(FormatBytes(1288490189), "1.2 GiB");
}

TEST(DeviceMemory, AFailedAllocationIsAStatusNamingTheBufferAndItsSize) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan reports an impossible allocation instead of returning null";
#endif
  DeviceScratch<float> scores;
  const size_t impossible = std::numeric_limits<size_t>::max() / 8;  // 2^61 floats
  const Status s = scores.Reserve(impossible, "item scores");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_EQ(s.message(), "cuda-host: malloc of " + FormatBytes(impossible * sizeof(float)) +
                             " for item scores failed: out of memory");
  EXPECT_EQ(scores.data(), nullptr);
  EXPECT_EQ(scores.capacity(), 0u);
  // Still usable after the failure.
  EXPECT_TRUE(scores.Reserve(16, "item scores").ok());
  EXPECT_EQ(scores.capacity(), 16u);
}

TEST(DeviceMemory, ScratchOnlyGrows) {
  PinnedScratch<int32_t> ids;
  ASSERT_TRUE(ids.Reserve(100, "ids").ok());
  int32_t* first = ids.data();
  ASSERT_TRUE(ids.Reserve(10, "ids").ok());
  EXPECT_EQ(ids.data(), first);  // no reallocation for a smaller request
  EXPECT_EQ(ids.capacity(), 100u);
  ASSERT_TRUE(ids.Reserve(1000, "ids").ok());
  EXPECT_EQ(ids.capacity(), 1000u);
}

TEST(DeviceMemory, CopiesRoundTrip) {
  CopyStream copies;
  ASSERT_TRUE(copies.Init().ok());
  DeviceScratch<float> device;
  ASSERT_TRUE(device.Reserve(4, "values").ok());
  const std::vector<float> in = {1.5f, -2.0f, 3.25f, 0.0f};
  std::vector<float> out(4, 9.0f);
  ASSERT_TRUE(copies.ToDevice(device.data(), in.data(), in.size(), "values").ok());
  ASSERT_TRUE(copies.ToHost(out.data(), device.data(), out.size(), "values").ok());
  ASSERT_TRUE(copies.Sync("values").ok());
  EXPECT_EQ(out, in);
}

}  // namespace
}  // namespace mtrec::device_memory_test

#include "mtrec/dist/communicator.h"

#include <algorithm>

namespace mtrec {

namespace {

class SingleProcessCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void AllGatherInPlace(std::span<float> /*data*/, std::span<const int> /*counts*/,
                        std::span<const int> /*offsets*/) override {}
  void AllGatherInPlace(std::span<double> /*data*/, std::span<const int> /*counts*/,
                        std::span<const int> /*offsets*/) override {}
  void GatherInPlace(std::span<float> /*data*/, std::span<const int> /*counts*/,
                     std::span<const int> /*offsets*/) override {}
  void AllToAll(std::span<const float> send, std::span<const int> send_counts,
                std::span<const int> send_offsets, std::span<float> recv,
                std::span<const int> /*recv_counts*/, std::span<const int> recv_offsets) override {
    std::copy_n(send.begin() + send_offsets[0], send_counts[0], recv.begin() + recv_offsets[0]);
  }
  void AllReduceSum(std::span<int64_t> /*data*/) override {}
  std::vector<uint64_t> AllGather(uint64_t value) override { return {value}; }
  bool AnyTrue(bool value) override { return value; }
};

}  // namespace

Communicator& SingleProcess() {
  static SingleProcessCommunicator single;
  return single;
}

}  // namespace mtrec

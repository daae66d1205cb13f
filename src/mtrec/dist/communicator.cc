#include "mtrec/dist/communicator.h"

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
  std::vector<uint64_t> AllGather(uint64_t value) override { return {value}; }
  bool AnyTrue(bool value) override { return value; }
};

}  // namespace

Communicator& SingleProcess() {
  static SingleProcessCommunicator single;
  return single;
}

}  // namespace mtrec

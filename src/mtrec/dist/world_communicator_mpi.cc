// WorldCommunicator in an MPI build: MPI_COMM_WORLD when started by a launcher.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "mtrec/dist/world_communicator.h"

namespace mtrec {

namespace {

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void AllGatherInPlace(std::span<float> data, std::span<const int> counts,
                        std::span<const int> offsets) override {
    AllGatherV(data.data(), MPI_FLOAT, sizeof(float), counts, offsets);
  }
  void AllGatherInPlace(std::span<double> data, std::span<const int> counts,
                        std::span<const int> offsets) override {
    AllGatherV(data.data(), MPI_DOUBLE, sizeof(double), counts, offsets);
  }

  void GatherInPlace(std::span<float> data, std::span<const int> counts,
                     std::span<const int> offsets) override {
    int64_t total = 0;
    for (int c : counts) total += c;
    const int64_t mine = counts[rank_];
    MPI_Request request;
    if (rank_ == 0) {
      Count(0, (total - mine) * int64_t{sizeof(float)});
      MPI_Igatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, data.data(), counts.data(), offsets.data(),
                   MPI_FLOAT, 0, MPI_COMM_WORLD, &request);
    } else {
      Count(mine * int64_t{sizeof(float)}, 0);
      MPI_Igatherv(data.data() + offsets[rank_], counts[rank_], MPI_FLOAT, nullptr, nullptr,
                   nullptr, MPI_FLOAT, 0, MPI_COMM_WORLD, &request);
    }
    Wait(request);
  }

  void AllToAll(std::span<const float> send, std::span<const int> send_counts,
                std::span<const int> send_offsets, std::span<float> recv,
                std::span<const int> recv_counts, std::span<const int> recv_offsets) override {
    int64_t sent = 0, received = 0;
    for (int q = 0; q < size_; ++q) {
      if (q == rank_) continue;
      sent += send_counts[q];
      received += recv_counts[q];
    }
    Count(sent * int64_t{sizeof(float)}, received * int64_t{sizeof(float)});
    MPI_Request request;
    MPI_Ialltoallv(send.data(), send_counts.data(), send_offsets.data(), MPI_FLOAT, recv.data(),
                   recv_counts.data(), recv_offsets.data(), MPI_FLOAT, MPI_COMM_WORLD, &request);
    Wait(request);
  }

  void AllReduceSum(std::span<int64_t> data) override {
    constexpr size_t kMost = size_t{1} << 28;  // values per call (MPI counts are int)
    for (size_t first = 0; first < data.size(); first += kMost) {
      const size_t n = std::min(kMost, data.size() - first);
      const auto bytes = static_cast<int64_t>(n * sizeof(int64_t));
      Count(bytes, bytes);  // about: what a ring or a tree moves per rank
      MPI_Request request;
      MPI_Iallreduce(MPI_IN_PLACE, data.data() + first, static_cast<int>(n), MPI_INT64_T, MPI_SUM,
                     MPI_COMM_WORLD, &request);
      Wait(request);
    }
  }

  std::vector<uint64_t> AllGather(uint64_t value) override {
    std::vector<uint64_t> all(size_);
    Count(int64_t{sizeof(value)} * (size_ - 1), int64_t{sizeof(value)} * (size_ - 1));
    MPI_Request request;
    MPI_Iallgather(&value, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD, &request);
    Wait(request);
    return all;
  }

  bool AnyTrue(bool value) override {
    int mine = value ? 1 : 0, any = 0;
    Count(sizeof(int), sizeof(int));
    MPI_Request request;
    MPI_Iallreduce(&mine, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD, &request);
    Wait(request);
    return any != 0;
  }

 private:
  void AllGatherV(void* data, MPI_Datatype type, int64_t bytes_each, std::span<const int> counts,
                  std::span<const int> offsets) {
    int64_t total = 0;
    for (int c : counts) total += c;
    const int64_t mine = counts[rank_];
    Count(mine * (size_ - 1) * bytes_each, (total - mine) * bytes_each);
    MPI_Request request;
    MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, data, counts.data(), offsets.data(), type,
                    MPI_COMM_WORLD, &request);
    Wait(request);
  }

  // Polls `request` to completion: busily for a few microseconds (the other
  // ranks are usually about done), then with short sleeps, so that a rank that
  // waits leaves its core to the ranks still computing when there are more
  // ranks than cores (a blocking MPI call would spin on it).
  static void Wait(MPI_Request& request) {
    constexpr auto kSpin = std::chrono::microseconds(50);
    const auto start = std::chrono::steady_clock::now();
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    while (done == 0) {
      if (std::chrono::steady_clock::now() - start > kSpin) {
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    }
  }

  int rank_ = 0;
  int size_ = 1;
};

// Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE; MPICH's and Slurm's PMI set
// PMI_SIZE; PMIx launchers (srun --mpi=pmix, prterun) set PMIX_RANK.
bool StartedByLauncher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

}  // namespace

WorldCommunicator::WorldCommunicator() : comm_(&SingleProcess()) {
  if (!StartedByLauncher()) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  owned_ = std::make_unique<MpiCommunicator>();
  comm_ = owned_.get();
}

WorldCommunicator::~WorldCommunicator() {
  if (owned_ == nullptr) return;
  owned_.reset();
  MPI_Finalize();
}

void WorldCommunicator::Abort(int code) {
  if (owned_ != nullptr) MPI_Abort(MPI_COMM_WORLD, code);
}

}  // namespace mtrec

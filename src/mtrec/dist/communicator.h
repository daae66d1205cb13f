// Communicator: how the processes of one data-parallel training job (the
// "ranks", one per process, e.g. started by mpirun or srun) talk to each other.
//
// Every collective below must be called by every rank, in the same order, with
// the same sizes where they are stated to agree; each returns when this rank's
// part is done. A failed transfer does not come back: the implementation ends
// the whole job (an MPI build aborts it with the default error handler), so no
// rank is left waiting. The library depends only on this interface; the MPI
// implementation (mpi_communicator.h) is built with -DMTREC_MPI=ON only, and a
// plain run uses SingleProcess(), for which every collective is a no-op copy.
//
// Thread-safety: one thread calls a communicator at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mtrec {

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;  // in [0, size())
  virtual int size() const = 0;  // the number of ranks, >= 1

  // In place: rank r's part is data[offsets[r], offsets[r] + counts[r]) on
  // entry, and on return every rank holds every rank's part. REQUIRES: counts
  // and offsets have size() entries and agree on every rank; the parts fit in
  // `data`.
  virtual void AllGatherInPlace(std::span<float> data, std::span<const int> counts,
                                std::span<const int> offsets) = 0;
  virtual void AllGatherInPlace(std::span<double> data, std::span<const int> counts,
                                std::span<const int> offsets) = 0;
  // As AllGatherInPlace, but only rank 0 receives the other ranks' parts; on
  // the others `data` outside their own part is not read or written.
  virtual void GatherInPlace(std::span<float> data, std::span<const int> counts,
                             std::span<const int> offsets) = 0;
  // Personalised exchange: rank r sends send[send_offsets[q], + send_counts[q])
  // to rank q, and receives rank q's part for it into recv[recv_offsets[q],
  // + recv_counts[q]). REQUIRES: what q sends to r is as long as what r
  // expects from q; every span holds its parts; counts and offsets have
  // size() entries.
  virtual void AllToAll(std::span<const float> send, std::span<const int> send_counts,
                        std::span<const int> send_offsets, std::span<float> recv,
                        std::span<const int> recv_counts, std::span<const int> recv_offsets) = 0;
  // In place: every rank's `data` becomes the element-wise sum of all ranks'
  // (integers: exact, whatever the order). REQUIRES: the same size on every rank.
  virtual void AllReduceSum(std::span<int64_t> data) = 0;
  // Every rank's `value`, in rank order.
  virtual std::vector<uint64_t> AllGather(uint64_t value) = 0;
  // True on every rank if `value` is true on any.
  virtual bool AnyTrue(bool value) = 0;

  // Bytes this rank has sent and received through the collectives so far
  // (counting each part once per rank that needs it).
  int64_t bytes_sent() const { return bytes_sent_; }
  int64_t bytes_received() const { return bytes_received_; }
  int64_t collectives() const { return collectives_; }

 protected:
  Communicator() = default;
  void Count(int64_t sent, int64_t received) {
    bytes_sent_ += sent;
    bytes_received_ += received;
    ++collectives_;
  }

 private:
  int64_t bytes_sent_ = 0;
  int64_t bytes_received_ = 0;
  int64_t collectives_ = 0;
};

// The communicator of a process that runs alone (rank 0 of 1). Shared, stateless.
Communicator& SingleProcess();

// Splits `n` items into size contiguous ranges, the first n % size one longer;
// rank r gets [begin, end). The same on every rank.
struct RankRange {
  int64_t begin = 0;
  int64_t end = 0;
};
inline RankRange RangeOfRank(int64_t n, int rank, int size) {
  const int64_t base = n / size, extra = n % size;
  const int64_t begin = rank * base + (rank < extra ? rank : extra);
  return {begin, begin + base + (rank < extra ? 1 : 0)};
}

}  // namespace mtrec

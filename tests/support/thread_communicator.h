// ThreadRanks: N ranks of a Communicator inside one process, one thread each,
// for testing data-parallel code without MPI (and under the sanitizers).
// Collectives meet at a barrier and copy through shared memory.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <cstdint>
#include <functional>
#include <span>
#include <thread>
#include <vector>

#include "mtrec/dist/communicator.h"

namespace mtrec::testing {

class ThreadRanks {
 public:
  explicit ThreadRanks(int size)
      : barrier_(size), slots_(size), offsets_(size), counts_(size), size_(size) {}

  // Runs body(comm) on every rank, each in its own thread, and waits.
  void Run(const std::function<void(Communicator&)>& body) {
    std::vector<std::thread> threads;
    for (int r = 0; r < size_; ++r) {
      threads.emplace_back([this, r, &body] {
        Rank rank(this, r);
        body(rank);
      });
    }
    for (std::thread& t : threads) t.join();
  }

 private:
  class Rank final : public Communicator {
   public:
    Rank(ThreadRanks* group, int rank) : group_(group), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return group_->size_; }
    void AllGatherInPlace(std::span<float> data, std::span<const int> counts,
                          std::span<const int> offsets) override {
      Gather(data, counts, offsets);
    }
    void AllGatherInPlace(std::span<double> data, std::span<const int> counts,
                          std::span<const int> offsets) override {
      Gather(data, counts, offsets);
    }
    void GatherInPlace(std::span<float> data, std::span<const int> counts,
                       std::span<const int> offsets) override {
      group_->slots_[rank_] = data.data();
      group_->barrier_.arrive_and_wait();
      for (int r = 1; r < size() && rank_ == 0; ++r) {
        const float* from = static_cast<const float*>(group_->slots_[r]) + offsets[r];
        std::copy(from, from + counts[r], data.data() + offsets[r]);
      }
      group_->barrier_.arrive_and_wait();
    }
    void AllToAll(std::span<const float> send, std::span<const int> send_counts,
                  std::span<const int> send_offsets, std::span<float> recv,
                  std::span<const int> recv_counts, std::span<const int> recv_offsets) override {
      // Each rank publishes its send buffer and offsets, then copies its part from every rank's.
      group_->slots_[rank_] = send.data();
      group_->offsets_[rank_] = send_offsets.data();
      group_->counts_[rank_] = send_counts.data();
      group_->barrier_.arrive_and_wait();
      for (int q = 0; q < size(); ++q) {
        EXPECT_EQ(group_->counts_[q][rank_], recv_counts[q]);
        const float* from =
            static_cast<const float*>(group_->slots_[q]) + group_->offsets_[q][rank_];
        std::copy(from, from + recv_counts[q], recv.data() + recv_offsets[q]);
      }
      group_->barrier_.arrive_and_wait();
    }
    void AllReduceSum(std::span<int64_t> data) override {
      group_->slots_[rank_] = data.data();
      group_->barrier_.arrive_and_wait();
      std::vector<int64_t> sum(data.size(), 0);
      for (int r = 0; r < size(); ++r) {
        const int64_t* from = static_cast<const int64_t*>(group_->slots_[r]);
        for (size_t k = 0; k < sum.size(); ++k) sum[k] += from[k];
      }
      group_->barrier_.arrive_and_wait();  // every rank has read every buffer
      std::copy(sum.begin(), sum.end(), data.begin());
    }
    std::vector<uint64_t> AllGather(uint64_t value) override {
      std::vector<uint64_t> all(size());
      all[rank_] = value;
      std::vector<int> counts(size(), 1), offsets(size());
      for (int r = 0; r < size(); ++r) offsets[r] = r;
      Gather(std::span<uint64_t>(all), counts, offsets);
      return all;
    }
    bool AnyTrue(bool value) override {
      const std::vector<uint64_t> all = AllGather(value ? 1 : 0);
      return std::any_of(all.begin(), all.end(), [](uint64_t v) { return v != 0; });
    }

   private:
    // Each rank publishes its buffer, then copies the others' parts from theirs.
    template <typename T>
    void Gather(std::span<T> data, std::span<const int> counts, std::span<const int> offsets) {
      group_->slots_[rank_] = data.data();
      group_->barrier_.arrive_and_wait();
      for (int r = 0; r < size(); ++r) {
        if (r == rank_) continue;
        const T* from = static_cast<const T*>(group_->slots_[r]) + offsets[r];
        std::copy(from, from + counts[r], data.data() + offsets[r]);
      }
      group_->barrier_.arrive_and_wait();  // nobody reuses its buffer before all have read
    }
    ThreadRanks* group_;
    int rank_;
  };

  std::barrier<> barrier_;
  std::vector<const void*> slots_;
  std::vector<const int*> offsets_, counts_;  // AllToAll's send parts
  int size_;
};

}  // namespace mtrec::testing

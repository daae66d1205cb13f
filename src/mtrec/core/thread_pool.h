// ThreadPool: a fixed set of worker threads that run one parallel job at a time.
//
// Run(num_tasks, fn) calls fn(task, thread) once for every task in [0, num_tasks),
// spread over the caller plus num_threads()-1 workers, and returns when all are
// done. Which thread runs which task is NOT fixed, so for deterministic results a
// task must write only to outputs indexed by `task`; `thread` (in [0, num_threads()))
// may index per-thread scratch space. ParallelFor splits a range into one
// contiguous chunk per thread (ggml's ceil-div split).
//
// Thread-safety: Run must be called from one thread at a time (the owner). fn must
// not throw. Workers spin briefly between jobs, then sleep, so a training loop
// that calls Run thousands of times per second pays no wake-up latency.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mtrec {

class ThreadPool {
 public:
  // REQUIRES: num_threads >= 1 (1 runs everything on the caller).
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }

  using TaskFn = std::function<void(int task, int thread)>;
  void Run(int num_tasks, const TaskFn& fn);

  // Splits [0, n) into num_threads() contiguous ranges (ceil-div) and calls
  // fn(begin, end, thread) for each non-empty one.
  void ParallelFor(int64_t n,
                   const std::function<void(int64_t begin, int64_t end, int thread)>& fn);

 private:
  void WorkerLoop(int thread);
  void Drain(int thread);

  const int num_threads_;
  const bool oversubscribed_;  // more threads than hardware threads
  std::vector<std::thread> workers_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> next_task_{0};
  std::atomic<int> pending_workers_{0};
  int num_tasks_ = 0;
  const TaskFn* fn_ = nullptr;
  bool stop_ = false;
};

// The number of hardware threads this process may run on (its CPU affinity on
// Linux), at least 1.
int HardwareThreads();

}  // namespace mtrec

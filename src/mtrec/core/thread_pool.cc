#include "mtrec/core/thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__linux__)
#include <sched.h>
#endif

#include "mtrec/core/check.h"

namespace mtrec {

namespace {
// How long an idle worker polls for the next job before it goes to sleep.
constexpr auto kSpinTime = std::chrono::microseconds(200);

// Polls made with pause instructions before a spinning thread yields its core.
constexpr int kPausePolls = 64;

// One poll's pause while spinning (`polls` made so far). First a few pause
// instructions: a sched_yield system call per poll cost a tenth of a BPR-only
// step's CPU time on a paravirtualised VM. With more threads than cores, or
// after kPausePolls polls (a CPU quota may leave fewer cores than the affinity
// says), the core is yielded, so that the thread being waited for can run.
void Relax(bool oversubscribed, int polls) {
  if (oversubscribed || polls >= kPausePolls) {
    std::this_thread::yield();
    return;
  }
  for (int k = 0; k < 16; ++k) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }
}
}  // namespace

int HardwareThreads() {
#if defined(__linux__)
  cpu_set_t cpus;  // the CPUs this process may run on (taskset, cpusets)
  CPU_ZERO(&cpus);
  if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0) return std::max(1, CPU_COUNT(&cpus));
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(int num_threads)
    : num_threads_(num_threads), oversubscribed_(num_threads > HardwareThreads()) {
  MTREC_CHECK(num_threads >= 1);
  workers_.reserve(num_threads - 1);
  for (int t = 1; t < num_threads; ++t) workers_.emplace_back([this, t] { WorkerLoop(t); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::Drain(int thread) {
  for (;;) {
    const int task = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (task >= num_tasks_) return;
    (*fn_)(task, thread);
  }
}

void ThreadPool::Run(int num_tasks, const TaskFn& fn) {
  if (num_tasks <= 0) return;
  if (workers_.empty() || num_tasks == 1) {
    for (int task = 0; task < num_tasks; ++task) fn(task, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = &fn;
    num_tasks_ = num_tasks;
    next_task_.store(0, std::memory_order_relaxed);
    pending_workers_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  Drain(0);
  // Wait for every worker to finish its last task (spin first: jobs are short).
  const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
  for (int polls = 0; pending_workers_.load(std::memory_order_acquire) != 0; ++polls) {
    if (std::chrono::steady_clock::now() > spin_until) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return pending_workers_.load(std::memory_order_acquire) == 0; });
      break;
    }
    Relax(oversubscribed_, polls);
  }
  fn_ = nullptr;
}

void ThreadPool::WorkerLoop(int thread) {
  uint64_t seen = 0;
  for (;;) {
    // Spin briefly for the next job, then sleep until notified.
    const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
    for (int polls = 0; generation_.load(std::memory_order_acquire) == seen &&
                        std::chrono::steady_clock::now() < spin_until;
         ++polls) {
      Relax(oversubscribed_, polls);
    }
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      seen = generation_.load(std::memory_order_acquire);
      if (stop_) return;
    }
    Drain(thread);
    if (pending_workers_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
  }
}

void ThreadPool::ParallelFor(
    int64_t n, const std::function<void(int64_t begin, int64_t end, int thread)>& fn) {
  if (n <= 0) return;
  const int64_t chunk = (n + num_threads_ - 1) / num_threads_;
  const int chunks = static_cast<int>((n + chunk - 1) / chunk);
  Run(chunks, [&](int task, int thread) {
    const int64_t begin = task * chunk;
    fn(begin, std::min(n, begin + chunk), thread);
  });
}

}  // namespace mtrec

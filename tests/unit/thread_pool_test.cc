#include "mtrec/core/thread_pool.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <thread>
#include <vector>

namespace mtrec {
namespace {

TEST(ThreadPool, RunsEveryTaskExactlyOnceOverManyJobs) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    for (int job = 0; job < 200; ++job) {
      const int tasks = job % 13;
      std::vector<std::atomic<int>> hits(tasks);
      std::atomic<int> bad_thread{0};
      pool.Run(tasks, [&](int task, int thread) {
        hits[task].fetch_add(1);
        if (thread < 0 || thread >= threads) bad_thread.fetch_add(1);
      });
      for (int t = 0; t < tasks; ++t) ASSERT_EQ(hits[t].load(), 1) << threads << "/" << job;
      ASSERT_EQ(bad_thread.load(), 0);
    }
  }
}

TEST(ThreadPool, ParallelForCoversTheRangeWithContiguousChunks) {
  ThreadPool pool(3);
  for (int64_t n : {0, 1, 2, 3, 10, 1001}) {
    std::vector<int> covered(n, 0);
    pool.ParallelFor(n, [&](int64_t begin, int64_t end, int) {
      ASSERT_LT(begin, end);
      for (int64_t k = begin; k < end; ++k) ++covered[k];
    });
    for (int64_t k = 0; k < n; ++k) ASSERT_EQ(covered[k], 1) << n << " at " << k;
  }
}

}  // namespace
// The default thread count follows the CPUs the process may run on: a thread
// restricted to one CPU (as taskset would) sees 1.
TEST(ThreadPool, HardwareThreadsCountsTheAffinityNotTheMachine) {
  int seen = 0;
  bool restricted = false;
  std::thread probe([&] {
    cpu_set_t all;
    CPU_ZERO(&all);
    if (sched_getaffinity(0, sizeof(all), &all) != 0) return;
    int first = 0;
    while (!CPU_ISSET(first, &all)) ++first;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    restricted = sched_setaffinity(0, sizeof(one), &one) == 0;
    seen = HardwareThreads();
  });
  probe.join();
  ASSERT_TRUE(restricted);
  EXPECT_EQ(seen, 1);
  EXPECT_GE(HardwareThreads(), 1);
}

}  // namespace mtrec

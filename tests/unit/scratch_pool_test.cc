// ScratchPool (src/mtrec/core/scratch_pool.h): a returned object is lent
// again rather than a new one made, at most `limit` exist, waiters are served
// first come, first served, and under many threads no object is ever lent to
// two callers at once.
#include "mtrec/core/scratch_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace mtrec {
namespace {

// A scratch object that counts how many exist and who holds it.
struct PooledScratch {
  static std::atomic<int> made;
  PooledScratch() { made.fetch_add(1); }
  std::atomic<int> holders{0};
};
std::atomic<int> PooledScratch::made{0};

// Spins (yielding) until the pool has `n` waiters.
void UntilPoolWaiting(const ScratchPool<PooledScratch>& pool, int n) {
  while (pool.waiting() != n) std::this_thread::yield();
}

TEST(ScratchPool, AReturnedObjectIsLentAgainAndNoMoreThanTheLimitAreMade) {
  PooledScratch::made = 0;
  ScratchPool<PooledScratch> pool(2);
  PooledScratch* first = nullptr;
  {
    auto lease = pool.Acquire();
    first = &*lease;
  }
  for (int k = 0; k < 5; ++k) {
    auto lease = pool.Acquire();
    EXPECT_EQ(&*lease, first) << "a warm call made a new object";
  }
  {
    auto a = pool.Acquire();
    auto b = pool.Acquire();
    EXPECT_NE(&*a, &*b);
  }
  EXPECT_EQ(PooledScratch::made.load(), 2);
  // A moved lease returns its object once, from where it was moved to.
  {
    auto a = pool.Acquire();
    std::optional<ScratchPool<PooledScratch>::Lease> moved;
    moved.emplace(std::move(a));
  }
  auto a = pool.Acquire();
  auto b = pool.Acquire();
  EXPECT_NE(&*a, &*b);
  EXPECT_EQ(pool.waiting(), 0);
  EXPECT_EQ(PooledScratch::made.load(), 2);
}

TEST(ScratchPool, WaitersAreServedInTheOrderTheyCame) {
  ScratchPool<PooledScratch> pool(1);
  std::optional<ScratchPool<PooledScratch>::Lease> held;
  held.emplace(pool.Acquire());
  std::vector<int> order;  // written by the waiter that holds the one object
  std::vector<std::thread> waiters;
  for (int w = 0; w < 4; ++w) {
    waiters.emplace_back([&pool, &order, w] {
      auto lease = pool.Acquire();
      order.push_back(w);
    });
    UntilPoolWaiting(pool, w + 1);  // queued before the next one starts
  }
  held.reset();  // the longest waiting gets it, then each in turn
  for (std::thread& t : waiters) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(pool.waiting(), 0);
}

TEST(ScratchPool, NoObjectIsLentToTwoThreadsAtOnce) {
  PooledScratch::made = 0;
  constexpr int kLimit = 3, kThreads = 8, kRounds = 3000;
  ScratchPool<PooledScratch> pool(kLimit);
  std::atomic<int> shared{0}, in_use{0}, most_in_use{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r) {
        auto lease = pool.Acquire();
        if (lease->holders.fetch_add(1) != 0) shared.fetch_add(1);
        const int now = in_use.fetch_add(1) + 1;
        int seen = most_in_use.load();
        while (now > seen && !most_in_use.compare_exchange_weak(seen, now)) {
        }
        if (r % 64 == 0) std::this_thread::yield();  // let others queue behind it
        in_use.fetch_sub(1);
        lease->holders.fetch_sub(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(shared.load(), 0);
  EXPECT_LE(most_in_use.load(), kLimit);
  EXPECT_LE(PooledScratch::made.load(), kLimit);
  EXPECT_EQ(pool.waiting(), 0);
  // Every object is back: `limit` leases at once, none waiting.
  std::set<PooledScratch*> objects;
  std::vector<ScratchPool<PooledScratch>::Lease> all;
  for (int k = 0; k < kLimit; ++k) {
    all.push_back(pool.Acquire());
    objects.insert(&*all.back());
  }
  EXPECT_EQ(static_cast<int>(objects.size()), kLimit);
}

}  // namespace
}  // namespace mtrec

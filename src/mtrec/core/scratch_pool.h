// ScratchPool<T>: scratch objects lent to calls that run at once, each call
// its own, kept between calls so that a warm call allocates nothing. At most
// `limit` exist; a call that finds all of them lent waits for one, so the pool
// also bounds how many such calls compute at once (and their memory).
//
// Thread-safety: Acquire and the leases' release may run concurrently.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace mtrec {

template <class T>
class ScratchPool {
 public:
  // REQUIRES: limit >= 1.
  explicit ScratchPool(int limit) : limit_(limit) { free_.reserve(static_cast<size_t>(limit)); }
  ScratchPool(const ScratchPool&) = delete;
  ScratchPool& operator=(const ScratchPool&) = delete;

  // One scratch object, returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(ScratchPool& pool, std::unique_ptr<T> item) : pool_(&pool), item_(std::move(item)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (item_) pool_->Return(std::move(item_));
    }
    T& operator*() const { return *item_; }
    T* operator->() const { return item_.get(); }

   private:
    ScratchPool* pool_;
    std::unique_ptr<T> item_;
  };

  // A free object, a new one while fewer than `limit` exist, or else the
  // first one returned.
  Lease Acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (free_.empty() && created_ < limit_) {
      ++created_;
      lock.unlock();
      return Lease(*this, std::make_unique<T>());
    }
    returned_.wait(lock, [this] { return !free_.empty(); });
    std::unique_ptr<T> item = std::move(free_.back());
    free_.pop_back();
    return Lease(*this, std::move(item));
  }

  int limit() const { return limit_; }

 private:
  void Return(std::unique_ptr<T> item) {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      free_.push_back(std::move(item));  // within the capacity reserved
    }
    returned_.notify_one();
  }

  const int limit_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<T>> free_;
  int created_ = 0;
};

}  // namespace mtrec

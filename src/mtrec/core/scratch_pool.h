// ScratchPool<T>: scratch objects lent to calls that run at once, each call
// its own, kept between calls so that a warm call allocates nothing. At most
// `limit` exist; a call that finds all of them lent waits for one (in arrival
// order), so the pool also bounds how many such calls compute at once (and
// their memory).
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

  // A free object, a new one while fewer than `limit` exist, or else the one
  // returned when every earlier waiter has had its own: waiters are served
  // first come, first served (a returned object is handed to the longest
  // waiting, never taken by a caller that came later), so none starves.
  Lease Acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      std::unique_ptr<T> item = std::move(free_.back());
      free_.pop_back();
      return Lease(*this, std::move(item));
    }
    if (created_ < limit_) {
      ++created_;
      lock.unlock();
      return Lease(*this, std::make_unique<T>());
    }
    Waiter me;  // queued in place: waiting allocates nothing
    (tail_ == nullptr ? head_ : tail_->next) = &me;
    tail_ = &me;
    me.handed.wait(lock, [&me] { return me.item != nullptr; });
    return Lease(*this, std::move(me.item));
  }

  int limit() const { return limit_; }
  // How many Acquire calls wait for an object now (a snapshot).
  int waiting() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    int n = 0;
    for (const Waiter* w = head_; w != nullptr; w = w->next) ++n;
    return n;
  }

 private:
  struct Waiter {
    std::condition_variable handed;
    std::unique_ptr<T> item;
    Waiter* next = nullptr;
  };

  void Return(std::unique_ptr<T> item) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (head_ == nullptr) {
      free_.push_back(std::move(item));  // within the capacity reserved
      return;
    }
    Waiter* first = head_;
    head_ = first->next;
    if (head_ == nullptr) tail_ = nullptr;
    first->item = std::move(item);
    first->handed.notify_one();  // under the lock: the waiter's frame outlives it
  }

  const int limit_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<T>> free_;
  Waiter* head_ = nullptr;  // the waiters, first come first
  Waiter* tail_ = nullptr;
  int created_ = 0;
};

}  // namespace mtrec

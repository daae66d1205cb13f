// ConnectionPool: the HTTP library's task queue with a bound. Each accepted
// connection is a task that holds a worker thread until it closes (the
// library's blocking model); `workers` run at once and at most `waiting`
// more wait for one. A connection beyond that is not queued: it goes to one
// refusing thread, on which Refusing() is true, so HttpServer (connection.h)
// answers it 503 at once and closes it.
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <functional>

namespace mtrec::serve {

class ConnectionPool final : public httplib::TaskQueue {
 public:
  ConnectionPool(size_t workers, size_t waiting);

  void enqueue(std::function<void()> connection) override;
  void shutdown() override;

  // Whether the calling thread is serving a refused connection.
  static bool Refusing();

 private:
  const size_t limit_;         // workers + waiting
  std::atomic<size_t> open_{0};  // connections running or waiting in workers_
  httplib::ThreadPool workers_;
  httplib::ThreadPool refuser_;
};

}  // namespace mtrec::serve

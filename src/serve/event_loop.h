// EventLoop: the server's open connections, multiplexed on a fixed number of
// worker threads. Each worker has its own epoll set; an accepted connection
// joins one (round robin) for its whole life. A worker reads what each ready
// connection has sent into the connection's buffer, hands every whole
// request buffered (request_frame.h) to `serve`, in order, sends the
// replies, and serves every ready connection before it sleeps again. An idle
// keep-alive connection holds a buffer, not a thread.
//
// Bounds: a request must arrive whole within --read_timeout of its first
// byte (a new connection's first byte within --read_timeout too), a reply
// must be taken by the client within --read_timeout, and an idle
// connection is closed after --keep_alive; a request is at most
// max_request_bytes. Deadlines are checked every 100 ms.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mtrec::serve {

struct ConnectionLimits {
  int read_timeout_seconds = 5;  // to send one request, and to read one reply
  int keep_alive_seconds = 5;    // idle between requests
  size_t max_body_bytes = 1 << 20;
  size_t max_request_bytes = (1 << 20) + (64 << 10);  // request line, headers and body
};

class ConnectionStream;

class EventLoop {
 public:
  // Answers one whole request on `stream` (its reply appended to the
  // connection's output); false when the connection must close after it.
  using Serve = std::function<bool(ConnectionStream& stream)>;

  EventLoop(size_t workers, size_t max_connections, const ConnectionLimits& limits, Serve serve);
  ~EventLoop();  // Stop()
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Takes the accepted socket `fd` (and closes it in time); false, with
  // `fd` untouched, when max_connections are open.
  bool Add(int fd);
  // Connections open now (taken by Add, not yet closed).
  size_t open() const { return open_.load(std::memory_order_relaxed); }
  // Stops: idle connections close at once, a request in progress is
  // answered (within its bounds) and its connection closed. Returns when
  // every connection is closed and the workers have ended. Add must not
  // be called during or after it.
  void Stop();

 private:
  struct Connection;
  struct Worker;
  void Run(Worker& worker);
  void ServeConnection(Worker& worker, Connection& c);
  void Close(Worker& worker, Connection& c);

  const ConnectionLimits limits_;
  const size_t max_connections_;
  const Serve serve_;
  std::atomic<size_t> open_{0};
  std::atomic<bool> stopping_{false};
  size_t next_worker_ = 0;  // the accepting thread's alone
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace mtrec::serve

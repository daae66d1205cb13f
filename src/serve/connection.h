// One client connection, served by the HTTP library's request parser but with
// the server's own bounds. The library bounds each recv()/send() alone, so a
// client sending (or reading) a byte a second held a worker for ever, a
// chunked body had no size bound, and its per-request stream lost pipelined
// requests read ahead with the first. Here the whole request has
// --read_timeout seconds and --max_body_kib (plus headers) of bytes, the whole
// reply --read_timeout seconds, and the read buffer lives as long as the
// connection.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace mtrec::serve {

struct ConnectionLimits {
  int read_timeout_seconds = 5;  // to send one request, and to read one reply
  int keep_alive_seconds = 5;    // idle between requests
  size_t max_request_bytes = (1 << 20) + (64 << 10);  // request line, headers and body
};

class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, const ConnectionLimits& limits) : fd_(fd), limits_(limits) {}

  // Waits up to `seconds` for the next request's first byte (one already
  // buffered counts) and starts its deadline; false on timeout, a closed
  // connection, or `stopping()` (checked every 100 ms).
  bool WaitForRequest(int seconds, const std::function<bool()>& stopping);
  // Sends what write() buffered (a reply: the library writes its headers
  // and body apart), within the reply's --read_timeout; false (and
  // exhausted()) when it could not. read() flushes first.
  bool Flush();
  // A request or reply ran out of time or bytes: the connection must close.
  bool exhausted() const { return exhausted_; }
  // Whether the current thread's request ran out of bytes (a 400 that is
  // really 413).
  static bool RequestTooLarge();
  // Ends the current thread's connection after this reply: after a request
  // the library could not parse, where the next one starts is unknown.
  static void CloseAfterReply();

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 private:
  using Clock = std::chrono::steady_clock;
  // Polls for `events` until the deadline; false when it passes.
  bool PollUntilDeadline(short events) const;
  void StartPhase(bool writing);

  const int fd_;
  const ConnectionLimits limits_;
  char buffer_[16 << 10];
  size_t begin_ = 0, end_ = 0;  // buffered, unread bytes
  bool writing_ = false;
  Clock::time_point deadline_{};
  size_t request_bytes_ = 0;  // consumed by the current request
  bool exhausted_ = false;
  std::string out_;  // written, not yet sent
  // The connection's addresses, looked up once (the library asks per request).
  mutable std::string remote_ip_, local_ip_;
  mutable int remote_port_ = -1, local_port_ = -1;
};

// httplib::Server whose connections are ConnectionStreams. A connection the
// ConnectionPool refuses is answered `refusal()` (a 503's JSON body) at once,
// without reading it, and closed: a refused client that sends nothing costs
// the one refusing thread microseconds, not a read timeout.
class HttpServer final : public httplib::Server {
 public:
  HttpServer(const ConnectionLimits& limits, std::function<std::string()> refusal)
      : limits_(limits), refusal_(std::move(refusal)) {}

 private:
  bool process_and_close_socket(socket_t sock) override;

  const ConnectionLimits limits_;
  const std::function<std::string()> refusal_;
};

}  // namespace mtrec::serve

// LoopbackHttpServer: a minimal HTTP/1.1 server on 127.0.0.1 (an ephemeral
// port) for download tests. Serves registered files, honours `Range: bytes=N-`,
// and can misbehave on purpose: answer an error status, send only part of a
// body and close, stall mid-body, or ignore Range. Every request is recorded.
//
// One thread accepts and serves connections one at a time (each response
// closes its connection). Destruction stops the server, ending any stall.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mtrec::testing {

class LoopbackHttpServer {
 public:
  struct Response {
    std::string body;
    int status = 200;
    // Send only the first `truncate_after` body bytes of the next
    // `truncate_times` responses, then close (the length header promises all).
    int64_t truncate_after = -1;
    int truncate_times = 0;
    // Send `stall_after` body bytes, then nothing until the client closes or
    // the server stops.
    int64_t stall_after = -1;
    bool ignore_range = false;  // answer Range requests with 200 and the whole body
  };
  struct Request {
    std::string path;
    std::string range;  // the Range header's value, or ""
  };

  LoopbackHttpServer();
  ~LoopbackHttpServer();
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  // "http://127.0.0.1:PORT"
  std::string url() const;
  // Serves `response` at `path` (e.g. "/ml-10m.zip"); other paths get 404.
  void Serve(const std::string& path, Response response);
  void Serve(const std::string& path, std::string body) { Serve(path, Response{std::move(body)}); }
  std::vector<Request> requests() const;
  // Stops serving (as the destructor): later connections are refused.
  void Stop();

 private:
  void Loop();
  void Handle(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::map<std::string, Response> responses_;
  std::vector<Request> requests_;
  std::thread thread_;
};

}  // namespace mtrec::testing

// One request of a client connection, and the HTTP server whose connections
// the EventLoop (event_loop.h) multiplexes. The HTTP library parses and
// routes each request, but only once the whole request is buffered
// (request_frame.h): it never waits on a client, so a slow or idle client
// holds no thread. The whole request has --read_timeout seconds and
// --max_body_kib (plus headers) of bytes, the reply --read_timeout seconds,
// and the reply goes out in one send.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "serve/event_loop.h"

namespace mtrec::serve {

// A connection's addresses, looked up once (the library asks per request).
struct PeerAddresses {
  std::string remote_ip, local_ip;
  int remote_port = -1, local_port = -1;
};

// One whole, buffered request as the library's Stream: reads return its
// bytes and then fail (never block); writes append to the reply.
class ConnectionStream final : public httplib::Stream {
 public:
  // `request`: the request's bytes (request_frame.h); `too_large`: the
  // request goes on past them, so a read past them is RequestTooLarge().
  // `continue_sent`: the server answered "100 Continue" already, so the
  // library's own is dropped. The reply is appended to `out`.
  ConnectionStream(int fd, std::string_view request, bool too_large, bool continue_sent,
                   std::string& out, PeerAddresses& addresses);

  // Whether the current thread's request ran out of bytes (a 400 that is
  // really 413).
  static bool RequestTooLarge();
  // Ends the current thread's connection after this reply: after a request
  // the library could not parse, where the next one starts is unknown.
  static void CloseAfterReply();
  static bool CloseRequested();

  bool is_readable() const override { return read_ < request_.size(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 private:
  const int fd_;
  const std::string_view request_;
  const bool too_large_;
  bool drop_continue_;
  size_t read_ = 0;
  std::string& out_;
  PeerAddresses& addresses_;
};

// httplib::Server whose accepted connections go to an EventLoop of
// `workers` threads, at most `max_connections` open at once. One beyond
// that is answered `refusal()` (a 503's JSON body) at once, without reading
// it, and closed: a refused client costs the accepting thread microseconds.
class HttpServer final : public httplib::Server {
 public:
  HttpServer(const ConnectionLimits& limits, size_t workers, size_t max_connections,
             std::function<std::string()> refusal);

  // listen_after_bind, with the kernel's longest queue of connections not
  // yet accepted (the library's is 5: a burst of connects overflowed it,
  // and a dropped handshake cost its client a 1 s retransmission).
  bool Listen();
  // Client connections open now.
  size_t open_connections() const { return loop_.open(); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool ServeRequest(ConnectionStream& stream);

  const std::function<std::string()> refusal_;
  EventLoop loop_;
};

}  // namespace mtrec::serve

#include "serve/connection.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "serve/request_frame.h"

namespace mtrec::serve {

namespace {

thread_local bool t_request_too_large = false;
thread_local bool t_close_after_reply = false;

void Address(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t length = sizeof(addr);
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? ::getpeername(fd, sa, &length) : ::getsockname(fd, sa, &length)) != 0) return;
  char host[NI_MAXHOST], service[NI_MAXSERV];
  if (::getnameinfo(sa, length, host, sizeof(host), service, sizeof(service),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return;
  }
  ip = host;
  port = std::atoi(service);
}

// The accepting thread's task queue: a connection is handed to the
// EventLoop (HttpServer::process_and_close_socket) where it is accepted;
// when accepting ends, the loop drains.
class AcceptQueue final : public httplib::TaskQueue {
 public:
  explicit AcceptQueue(EventLoop& loop) : loop_(loop) {}
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override { loop_.Stop(); }

 private:
  EventLoop& loop_;
};

}  // namespace

ConnectionStream::ConnectionStream(int fd, std::string_view request, bool too_large,
                                   bool continue_sent, std::string& out, PeerAddresses& addresses)
    : fd_(fd),
      request_(request),
      too_large_(too_large),
      drop_continue_(continue_sent),
      out_(out),
      addresses_(addresses) {
  t_request_too_large = t_close_after_reply = false;
}

bool ConnectionStream::RequestTooLarge() { return t_request_too_large; }

void ConnectionStream::CloseAfterReply() { t_close_after_reply = true; }

bool ConnectionStream::CloseRequested() { return t_close_after_reply; }

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (read_ == request_.size()) {
    // Past a request framed whole only where the library reads a body it
    // then refuses, or past the bytes bound.
    if (too_large_) t_request_too_large = true;
    return -1;
  }
  const size_t take = std::min(size, request_.size() - read_);
  std::memcpy(ptr, request_.data() + read_, take);
  read_ += take;
  return static_cast<ssize_t>(take);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (drop_continue_ && std::string_view(ptr, size) == kContinueReply) {
    drop_continue_ = false;  // the client has it already
  } else {
    out_.append(ptr, size);
  }
  return static_cast<ssize_t>(size);
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  if (addresses_.remote_port < 0) {
    Address(fd_, /*peer=*/true, addresses_.remote_ip, addresses_.remote_port);
  }
  ip = addresses_.remote_ip;
  port = addresses_.remote_port;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  if (addresses_.local_port < 0) {
    Address(fd_, /*peer=*/false, addresses_.local_ip, addresses_.local_port);
  }
  ip = addresses_.local_ip;
  port = addresses_.local_port;
}

HttpServer::HttpServer(const ConnectionLimits& limits, size_t workers, size_t max_connections,
                       std::function<std::string()> refusal)
    : refusal_(std::move(refusal)),
      loop_(workers, max_connections, limits,
            [this](ConnectionStream& stream) { return ServeRequest(stream); }) {
  new_task_queue = [this] { return new AcceptQueue(loop_); };
}

bool HttpServer::Listen() {
  if (svr_sock_ != INVALID_SOCKET) (void)::listen(svr_sock_, SOMAXCONN);
  return listen_after_bind();
}

bool HttpServer::ServeRequest(ConnectionStream& stream) {
  bool closed = false;
  const bool ok = process_request(stream, /*close_connection=*/false, closed, nullptr);
  return ok && !closed && !ConnectionStream::CloseRequested();
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  if (loop_.Add(sock)) return true;
  const std::string body = refusal_();
  const std::string reply =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  (void)::send(sock, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(sock, SHUT_WR);
  // What the client sent already is read, so that the close does not reset
  // the connection under the reply.
  char sink[4096];
  while (::recv(sock, sink, sizeof(sink), MSG_DONTWAIT) > 0) {
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return true;
}

}  // namespace mtrec::serve

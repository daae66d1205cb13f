#include "serve/connection.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "serve/connection_pool.h"

namespace mtrec::serve {

namespace {

thread_local bool t_request_too_large = false;
thread_local bool t_close_after_reply = false;

// Milliseconds from now to `deadline` (0 if past), at most `cap`.
int MillisecondsUntil(std::chrono::steady_clock::time_point deadline, int cap) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, cap));
}

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

}  // namespace

bool ConnectionStream::RequestTooLarge() { return t_request_too_large; }

void ConnectionStream::CloseAfterReply() { t_close_after_reply = true; }

void ConnectionStream::StartPhase(bool writing) {
  writing_ = writing;
  deadline_ = Clock::now() + std::chrono::seconds(limits_.read_timeout_seconds);
  if (!writing) {
    request_bytes_ = 0;
    t_request_too_large = t_close_after_reply = false;
  }
}

bool ConnectionStream::WaitForRequest(int seconds, const std::function<bool()>& stopping) {
  const auto until = Clock::now() + std::chrono::seconds(seconds);
  while (begin_ == end_) {
    if (stopping()) return false;
    const int wait = MillisecondsUntil(until, 100);
    pollfd p{fd_, POLLIN, 0};
    const int n = ::poll(&p, 1, wait);
    if (n < 0 && errno != EINTR) return false;
    if (n > 0) break;  // readable (or closed: the read says which)
    if (wait == 0) return false;
  }
  StartPhase(/*writing=*/false);
  return true;
}

bool ConnectionStream::PollUntilDeadline(short events) const {
  while (true) {
    const int wait = MillisecondsUntil(deadline_, 1 << 30);
    pollfd p{fd_, events, 0};
    const int n = ::poll(&p, 1, wait);
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

bool ConnectionStream::is_readable() const {
  return begin_ < end_ || PollUntilDeadline(POLLIN);
}

bool ConnectionStream::is_writable() const { return PollUntilDeadline(POLLOUT); }

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  // What was written goes out before reading (e.g. "100 Continue", which the
  // client waits for before sending the body).
  if (!out_.empty() && !Flush()) return -1;
  if (writing_) StartPhase(/*writing=*/false);
  if (request_bytes_ >= limits_.max_request_bytes) {
    t_request_too_large = exhausted_ = true;
    return -1;
  }
  if (begin_ == end_) {
    // Usually the bytes are there (WaitForRequest saw them): no poll first.
    ssize_t n;
    do {
      n = ::recv(fd_, buffer_, sizeof(buffer_), MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!PollUntilDeadline(POLLIN)) {
        exhausted_ = true;
        return -1;
      }
      do {
        n = ::recv(fd_, buffer_, sizeof(buffer_), MSG_DONTWAIT);
      } while (n < 0 && errno == EINTR);
    }
    if (n <= 0) return n;
    begin_ = 0;
    end_ = static_cast<size_t>(n);
  }
  const size_t take =
      std::min({size, end_ - begin_, limits_.max_request_bytes - request_bytes_});
  std::memcpy(ptr, buffer_ + begin_, take);
  begin_ += take;
  request_bytes_ += take;
  return static_cast<ssize_t>(take);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (!writing_) StartPhase(/*writing=*/true);
  out_.append(ptr, size);
  return static_cast<ssize_t>(size);
}

bool ConnectionStream::Flush() {
  size_t sent = 0;
  while (sent < out_.size()) {
    const ssize_t n = ::send(fd_, out_.data() + sent, out_.size() - sent,
                             MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!PollUntilDeadline(POLLOUT)) break;  // the reply's time is up
    } else if (errno != EINTR) {
      break;
    }
  }
  const bool done = sent == out_.size();
  out_.clear();  // keeps its capacity for the next reply
  if (!done) exhausted_ = true;
  return done;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  if (remote_port_ < 0) Address(fd_, /*peer=*/true, remote_ip_, remote_port_);
  ip = remote_ip_;
  port = remote_port_;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  if (local_port_ < 0) Address(fd_, /*peer=*/false, local_ip_, local_port_);
  ip = local_ip_;
  port = local_port_;
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  bool ok = true;
  if (ConnectionPool::Refusing()) {
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
  } else {
    ConnectionStream stream(sock, limits_);
    const auto stopping = [this] { return svr_sock_ == INVALID_SOCKET; };
    // A new connection has --read_timeout to send its first request.
    int wait = limits_.read_timeout_seconds;
    while (stream.WaitForRequest(wait, stopping)) {
      bool closed = false;
      ok = process_request(stream, /*close_connection=*/false, closed, nullptr);
      // The whole reply in one send (and one TCP segment, with TCP_NODELAY):
      // the library writes its headers and its body apart.
      if (!stream.Flush()) ok = false;
      if (!ok || closed || stream.exhausted() || t_close_after_reply) break;
      wait = limits_.keep_alive_seconds;
    }
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace mtrec::serve

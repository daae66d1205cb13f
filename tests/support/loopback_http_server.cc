#include "support/loopback_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace mtrec::testing {

namespace {

bool SendAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

LoopbackHttpServer::LoopbackHttpServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    std::abort();  // a test machine without loopback TCP cannot run these tests
  }
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Loop(); });
}

LoopbackHttpServer::~LoopbackHttpServer() { Stop(); }

void LoopbackHttpServer::Stop() {
  if (stopping_.exchange(true)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
}

std::string LoopbackHttpServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void LoopbackHttpServer::Serve(const std::string& path, Response response) {
  std::lock_guard<std::mutex> lock(mutex_);
  responses_[path] = std::move(response);
}

std::vector<LoopbackHttpServer::Request> LoopbackHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void LoopbackHttpServer::Loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Handle(fd);
    ::close(fd);
  }
}

void LoopbackHttpServer::Handle(int fd) {
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return;
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  Request request;
  const size_t sp1 = head.find(' ');
  const size_t sp2 = head.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) return;
  request.path = head.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string lower = Lower(head);
  if (const size_t r = lower.find("\r\nrange:"); r != std::string::npos) {
    const size_t end = head.find("\r\n", r + 2);
    request.range = head.substr(r + 8, end - r - 8);
    request.range.erase(0, request.range.find_first_not_of(' '));
  }
  Response response;
  bool found = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
    if (auto it = responses_.find(request.path); it != responses_.end()) {
      found = true;
      response = it->second;
      if (it->second.truncate_times > 0) --it->second.truncate_times;
    }
  }
  if (!found) response = Response{"not found\n", 404};
  if (response.status != 200) {
    const std::string reply = "HTTP/1.1 " + std::to_string(response.status) +
                              " Error\r\nContent-Length: " + std::to_string(response.body.size()) +
                              "\r\nConnection: close\r\n\r\n" + response.body;
    SendAll(fd, reply.data(), reply.size());
    return;
  }
  size_t offset = 0;
  std::string status_line = "HTTP/1.1 200 OK\r\n";
  std::string extra;
  if (!request.range.empty() && !response.ignore_range && request.range.rfind("bytes=", 0) == 0) {
    offset = std::strtoull(request.range.c_str() + 6, nullptr, 10);
    if (offset >= response.body.size()) {
      const std::string reply = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" +
                                std::to_string(response.body.size()) +
                                "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      SendAll(fd, reply.data(), reply.size());
      return;
    }
    status_line = "HTTP/1.1 206 Partial Content\r\n";
    extra = "Content-Range: bytes " + std::to_string(offset) + "-" +
            std::to_string(response.body.size() - 1) + "/" + std::to_string(response.body.size()) +
            "\r\n";
  }
  const std::string body = response.body.substr(offset);
  const std::string header = status_line + extra +
                             "Content-Length: " + std::to_string(body.size()) +
                             "\r\nConnection: close\r\n\r\n";
  if (!SendAll(fd, header.data(), header.size())) return;
  size_t send = body.size();
  const bool truncate = response.truncate_after >= 0 && response.truncate_times > 0;
  if (truncate) send = std::min(send, static_cast<size_t>(response.truncate_after));
  if (response.stall_after >= 0) send = std::min(send, static_cast<size_t>(response.stall_after));
  if (!SendAll(fd, body.data(), send)) return;
  if (response.stall_after >= 0) {
    // Send nothing more until the client gives up (closes) or the server stops.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!stopping_ && std::chrono::steady_clock::now() < give_up) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0 && ::recv(fd, buf, sizeof(buf), 0) <= 0) break;
    }
  }
}

}  // namespace mtrec::testing

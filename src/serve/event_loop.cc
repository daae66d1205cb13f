#include "serve/event_loop.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <string_view>
#include <thread>

#include "serve/connection.h"
#include "serve/request_frame.h"

namespace mtrec::serve {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kTickMilliseconds = 100;         // how often deadlines (and Stop) are checked
constexpr size_t kReadBytes = 64 << 10;        // one recv() at most
constexpr size_t kKeptBufferBytes = 64 << 10;  // a larger buffer is freed after its use

}  // namespace

struct EventLoop::Connection {
  explicit Connection(int socket) : fd(socket) {}
  const int fd;
  size_t index = 0;  // in its worker's `connections`
  std::string in;    // received; the unread part is in[begin, end)
  size_t begin = 0;
  std::string out;  // the replies not yet sent are out[sent, end)
  size_t sent = 0;
  uint32_t events = EPOLLIN;  // what the worker's epoll set waits for
  bool close_after_send = false;
  bool continue_sent = false;  // for the request being received
  Clock::time_point deadline;
  PeerAddresses addresses;

  std::string_view unread() const { return std::string_view(in).substr(begin); }
  bool sending() const { return sent < out.size(); }
};

struct EventLoop::Worker {
  int epoll = -1;
  std::thread thread;
  std::vector<Connection*> connections;  // the worker's alone
  std::mutex incoming_mutex;
  std::vector<Connection*> incoming;  // added by Add, not yet in `connections`
  char scratch[kReadBytes];
};

EventLoop::EventLoop(size_t workers, size_t max_connections, const ConnectionLimits& limits,
                     Serve serve)
    : limits_(limits), max_connections_(max_connections), serve_(std::move(serve)) {
  for (size_t i = 0; i < std::max<size_t>(workers, 1); ++i) {
    auto worker = std::make_unique<Worker>();
    worker->epoll = ::epoll_create1(EPOLL_CLOEXEC);
    worker->thread = std::thread([this, w = worker.get()] { Run(*w); });
    workers_.push_back(std::move(worker));
  }
}

EventLoop::~EventLoop() { Stop(); }

bool EventLoop::Add(int fd) {
  if (open_.fetch_add(1) >= max_connections_) {
    open_.fetch_sub(1);
    return false;
  }
  auto* c = new Connection(fd);
  c->deadline = Clock::now() + std::chrono::seconds(limits_.read_timeout_seconds);
  Worker& w = *workers_[next_worker_++ % workers_.size()];
  {
    const std::lock_guard<std::mutex> lock(w.incoming_mutex);
    w.incoming.push_back(c);
  }
  // A failure leaves the connection to its deadline.
  epoll_event event{};
  event.events = c->events;
  event.data.ptr = c;
  (void)::epoll_ctl(w.epoll, EPOLL_CTL_ADD, fd, &event);
  return true;
}

void EventLoop::Stop() {
  stopping_ = true;
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
    if (w->epoll >= 0) ::close(w->epoll);
    w->epoll = -1;
  }
}

void EventLoop::Run(Worker& w) {
  epoll_event events[64];
  const auto take_incoming = [&w] {
    const std::lock_guard<std::mutex> lock(w.incoming_mutex);
    for (Connection* c : w.incoming) {
      c->index = w.connections.size();
      w.connections.push_back(c);
    }
    w.incoming.clear();
  };
  auto next_tick = Clock::now();
  while (true) {
    const int n =
        ::epoll_wait(w.epoll, events, static_cast<int>(std::size(events)), kTickMilliseconds);
    // Every connection an event names is in `connections` from here on.
    take_incoming();
    for (int i = 0; i < n; ++i) ServeConnection(w, *static_cast<Connection*>(events[i].data.ptr));
    const auto now = Clock::now();
    if (now < next_tick && n > 0) continue;
    next_tick = now + std::chrono::milliseconds(kTickMilliseconds);
    const bool stopping = stopping_.load();
    for (size_t i = w.connections.size(); i-- > 0;) {
      Connection& c = *w.connections[i];
      const bool idle = c.unread().empty() && !c.sending();
      if (now >= c.deadline || (stopping && idle)) Close(w, c);
    }
    if (stopping && w.connections.empty()) return;
  }
}

void EventLoop::ServeConnection(Worker& w, Connection& c) {
  const auto set_events = [&](uint32_t events) {
    if (c.events == events) return;
    c.events = events;
    epoll_event event{};
    event.events = events;
    event.data.ptr = &c;
    (void)::epoll_ctl(w.epoll, EPOLL_CTL_MOD, c.fd, &event);
  };
  // Sends what is pending; false when the connection failed.
  const auto send = [&c] {
    while (c.sending()) {
      const ssize_t n =
          ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0) {
        c.sent += static_cast<size_t>(n);
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return true;
      } else if (errno != EINTR) {
        return false;
      }
    }
    c.out.clear();  // keeps its capacity for the next reply, unless large
    if (c.out.capacity() > kKeptBufferBytes) c.out.shrink_to_fit();
    c.sent = 0;
    return true;
  };
  const auto seconds_from_now = [](int seconds) {
    return Clock::now() + std::chrono::seconds(seconds);
  };
  bool received = false;
  while (true) {
    if (!c.out.empty()) {
      if (!send()) return Close(w, c);
      if (c.sending()) {
        // The client is slow to read: it has --read_timeout for the rest.
        if (c.events != EPOLLOUT) c.deadline = seconds_from_now(limits_.read_timeout_seconds);
        set_events(EPOLLOUT);
        return;
      }
      if (c.close_after_send) return Close(w, c);
      // Sent: an idle connection has --keep_alive; a pipelined request
      // already begun, --read_timeout.
      c.deadline = seconds_from_now(c.unread().empty() ? limits_.keep_alive_seconds
                                                       : limits_.read_timeout_seconds);
    }
    set_events(EPOLLIN);
    const std::string_view unread = c.unread();
    const RequestFrame frame =
        FindRequestFrame(unread, limits_.max_body_bytes, limits_.max_request_bytes);
    if (!frame.complete) {
      if (frame.expects_continue && !c.continue_sent) {
        c.continue_sent = true;
        c.out.append(kContinueReply);
        continue;
      }
      if (stopping_.load(std::memory_order_relaxed) && unread.empty()) return Close(w, c);
      // One recv() a turn: a client that answers each reply at once with
      // its next request would otherwise keep the worker from the others
      // (the epoll set reports the connection again while bytes wait).
      if (received) return;
      received = true;
      if (c.begin > 0) {  // the unread bytes to the front, before more
        c.in.erase(0, c.begin);
        c.begin = 0;
      }
      const size_t room = std::min(kReadBytes, limits_.max_request_bytes - c.in.size());
      const ssize_t n = ::recv(c.fd, w.scratch, room, MSG_DONTWAIT);
      if (n > 0) {
        // A request's first byte starts its --read_timeout.
        if (c.in.empty()) c.deadline = seconds_from_now(limits_.read_timeout_seconds);
        c.in.append(w.scratch, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        if (errno == EINTR) continue;
        return;  // all read; the epoll set says when there is more
      }
      return Close(w, c);  // the client closed (or the connection failed)
    }
    // A whole request: answer it, then the next one buffered, if any.
    ConnectionStream stream(c.fd, unread.substr(0, frame.end), frame.too_large, c.continue_sent,
                            c.out, c.addresses);
    const bool keep = serve_(stream);
    c.continue_sent = false;
    c.begin += frame.end;
    if (c.begin == c.in.size()) {
      c.in.clear();
      c.begin = 0;
      if (c.in.capacity() > kKeptBufferBytes) c.in.shrink_to_fit();
    }
    if (!keep) c.close_after_send = true;
    if (c.out.empty() && !keep) return Close(w, c);
  }
}

void EventLoop::Close(Worker& w, Connection& c) {
  ::shutdown(c.fd, SHUT_RDWR);
  ::close(c.fd);  // leaves the epoll set with it
  Connection* last = w.connections.back();
  last->index = c.index;
  w.connections[c.index] = last;
  w.connections.pop_back();
  delete &c;
  open_.fetch_sub(1);
}

}  // namespace mtrec::serve

// ServerMetrics: the counters GET /metrics shows, in the Prometheus text
// format (version 0.0.4): requests by route and status, a latency histogram,
// requests in flight, connections open and refused, and the model's load
// time and checksum. Lock-free: every request updates relaxed atomics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>

namespace mtrec::serve {

class ServedModel;

class ServerMetrics {
 public:
  // `routes`: the route names ("GET /v1/model", ...), indexed as Record's
  // route; one more index, routes.size(), counts requests that matched none.
  explicit ServerMetrics(std::span<const char* const> routes);

  // One finished request.
  void Record(size_t route, int status, double seconds);
  void BeginRequest() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void EndRequest() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  void RecordReload(bool ok) { (ok ? reloads_ : failed_reloads_).fetch_add(1); }
  // A connection answered 503 because the limit of open connections was reached.
  void RecordRefusedConnection() { refused_connections_.fetch_add(1, std::memory_order_relaxed); }

  // The connections the server holds when the text is made.
  struct Connections {
    size_t open = 0;   // open now
    size_t limit = 0;  // at most open at once (--connections + --waiting)
  };
  // The exposition text, with `model`'s load facts.
  std::string Text(const ServedModel& model, const Connections& connections) const;

 private:
  static constexpr size_t kMaxRoutes = 16;
  // The statuses the server answers with; anything else counts as "other".
  static constexpr std::array<int, 11> kStatuses = {200, 400, 401, 403, 404, 405,
                                                    408, 413, 422, 500, 503};
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001,
                                                      0.0025, 0.005,   0.01,   0.025,
                                                      0.05,   0.1,     0.5,    2.5};
  std::span<const char* const> routes_;
  std::array<std::array<std::atomic<uint64_t>, kStatuses.size() + 1>, kMaxRoutes + 1> requests_{};
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> latency_{};  // last: +Inf
  std::atomic<uint64_t> latency_sum_ns_{0};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<uint64_t> reloads_{0}, failed_reloads_{0};
  std::atomic<uint64_t> refused_connections_{0};
};

}  // namespace mtrec::serve

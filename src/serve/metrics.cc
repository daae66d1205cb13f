#include "serve/metrics.h"

#include <algorithm>
#include <cstdio>

#include "serve/served_model.h"

namespace mtrec::serve {

ServerMetrics::ServerMetrics(std::span<const char* const> routes)
    : routes_(routes.first(std::min(routes.size(), kMaxRoutes))) {}

void ServerMetrics::Record(size_t route, int status, double seconds) {
  const size_t r = std::min(route, routes_.size());
  const size_t s = std::find(kStatuses.begin(), kStatuses.end(), status) - kStatuses.begin();
  requests_[r][s].fetch_add(1, std::memory_order_relaxed);
  const size_t b = std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin();
  latency_[b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

std::string ServerMetrics::Text(const ServedModel& model, const Connections& connections) const {
  std::string out;
  char line[512];
  const auto add = [&](const char* format, auto... values) {
    std::snprintf(line, sizeof(line), format, values...);
    out += line;
  };
  out +=
      "# HELP mtrec_http_requests_total HTTP requests answered, by route and status.\n"
      "# TYPE mtrec_http_requests_total counter\n";
  for (size_t r = 0; r <= routes_.size(); ++r) {
    const char* route = r < routes_.size() ? routes_[r] : "unmatched";
    for (size_t s = 0; s <= kStatuses.size(); ++s) {
      const uint64_t n = requests_[r][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      const std::string status = s < kStatuses.size() ? std::to_string(kStatuses[s]) : "other";
      add("mtrec_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n", route, status.c_str(),
          static_cast<unsigned long long>(n));
    }
  }
  out +=
      "# HELP mtrec_http_request_duration_seconds Time from a request's arrival at its handler "
      "to its reply.\n"
      "# TYPE mtrec_http_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t b = 0; b <= kBuckets.size(); ++b) {
    cumulative += latency_[b].load(std::memory_order_relaxed);
    if (b < kBuckets.size()) {
      add("mtrec_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", kBuckets[b],
          static_cast<unsigned long long>(cumulative));
    } else {
      add("mtrec_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
          static_cast<unsigned long long>(cumulative));
    }
  }
  add("mtrec_http_request_duration_seconds_sum %.9f\n",
      static_cast<double>(latency_sum_ns_.load(std::memory_order_relaxed)) * 1e-9);
  add("mtrec_http_request_duration_seconds_count %llu\n",
      static_cast<unsigned long long>(cumulative));
  out +=
      "# HELP mtrec_http_requests_in_flight Requests being handled now.\n"
      "# TYPE mtrec_http_requests_in_flight gauge\n";
  add("mtrec_http_requests_in_flight %lld\n",
      static_cast<long long>(in_flight_.load(std::memory_order_relaxed)));
  out +=
      "# HELP mtrec_http_connections_open Client connections open now.\n"
      "# TYPE mtrec_http_connections_open gauge\n";
  add("mtrec_http_connections_open %zu\n", connections.open);
  out +=
      "# HELP mtrec_http_connections_limit Connections open at most (--connections + "
      "--waiting).\n"
      "# TYPE mtrec_http_connections_limit gauge\n";
  add("mtrec_http_connections_limit %zu\n", connections.limit);
  out +=
      "# HELP mtrec_http_connections_refused_total Connections answered 503 because the limit "
      "was open.\n"
      "# TYPE mtrec_http_connections_refused_total counter\n";
  add("mtrec_http_connections_refused_total %llu\n",
      static_cast<unsigned long long>(refused_connections_.load(std::memory_order_relaxed)));
  out +=
      "# HELP mtrec_model_reloads_total Model reloads, by result.\n"
      "# TYPE mtrec_model_reloads_total counter\n";
  add("mtrec_model_reloads_total{result=\"ok\"} %llu\n",
      static_cast<unsigned long long>(reloads_.load()));
  add("mtrec_model_reloads_total{result=\"refused\"} %llu\n",
      static_cast<unsigned long long>(failed_reloads_.load()));
  out +=
      "# HELP mtrec_model_load_seconds How long loading the served model took.\n"
      "# TYPE mtrec_model_load_seconds gauge\n";
  add("mtrec_model_load_seconds %.6f\n", model.load_seconds());
  out +=
      "# HELP mtrec_model_loaded_timestamp_seconds When the served model was loaded (Unix time).\n"
      "# TYPE mtrec_model_loaded_timestamp_seconds gauge\n";
  add("mtrec_model_loaded_timestamp_seconds %lld\n", static_cast<long long>(model.loaded_at()));
  out +=
      "# HELP mtrec_model_info The served model's checkpoint checksum (value 1).\n"
      "# TYPE mtrec_model_info gauge\n";
  add("mtrec_model_info{checksum=\"%s\"} 1\n", model.checksum().c_str());
  return out;
}

}  // namespace mtrec::serve

// The HTTP API's routes (docs/serving.md): a table of method + path pattern
// -> handler, each a pure function of the request and the served model. An
// unknown path is 404, a known path with another method 405 (with Allow).
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>

#include "mtrec/metrics.h"
#include "mtrec/status.h"
#include "serve/http_types.h"
#include "serve/served_model.h"

namespace mtrec::serve {

// Bounds on what one request may ask (400 beyond them).
struct ApiLimits {
  int max_k = 1000;           // k of every list
  int max_users = 1000;       // users of one POST /v1/recommendations
  int max_batch_items = 100000;  // users x k of one POST /v1/recommendations
  int max_pairs = 10000;      // pairs of one POST /v1/predict
  int max_ratings = 1000;     // ratings of one fold-in
  int max_search = 1000;      // limit of GET /v1/items and of a user's history
};

// What the routes need from the running server.
struct ServerHooks {
  std::function<bool()> ready;                                    // GET /readyz
  std::function<std::string(const ServedModel&)> metrics_text;    // GET /metrics
  // POST /admin/reload: loads `path` ("" the current checkpoint) and swaps it
  // in; the new model's checksum, or why it was refused.
  std::function<Result<std::string>(const std::string& path)> reload;
  std::string admin_token;  // "" disables /admin/reload (404)
};

// The routes' names ("GET /v1/items/{item}/similar"), as /metrics labels them.
std::span<const char* const> RouteNames();

// Answers `request` from `model`; *route is its index in RouteNames(), or
// RouteNames().size() when it matched none.
HttpReply HandleRequest(const HttpRequest& request, const ServedModel& model,
                        const ServerHooks& hooks, const ApiLimits& limits, size_t* route);

}  // namespace mtrec::serve

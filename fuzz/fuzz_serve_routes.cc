// libFuzzer target: `mtrec serve`'s route table and handlers (src/serve/routes.h)
// over a small in-memory model, without sockets. The input is
//   METHOD \n PATH \n QUERY \n AUTHORIZATION \n BODY
// (QUERY as in a URL: name=value pairs joined by '&', percent-encoded, parsed
// as the server parses it). Whatever the request, the reply must be a status
// the API documents with a body of its content type; every error a JSON
// object {"error": "<one line>", "status": <the status>} with a 4xx status
// (a request cannot make the server fail), a 405 naming the allowed methods.
// The same bytes, as a connection's, go through the request framer
// (src/serve/request_frame.h): a frame is within the bytes and the bound,
// never empty, and only incomplete under the bound.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mtrec/dataset.h"
#include "mtrec/model.h"
#include "serve/json_codec.h"
#include "serve/query_string.h"
#include "serve/request_frame.h"
#include "serve/routes.h"
#include "serve/served_model.h"

namespace mtrec::serve {
namespace {

[[noreturn]] void Fail(const char* what, const HttpReply& reply) {
  std::fprintf(stderr, "fuzz_serve_routes: %s: status %d, body: %.400s\n", what, reply.status,
               reply.body.c_str());
  std::abort();
}

// 20 users and 30 items with ids "1".."30", a few ratings each, titles (one
// of them Latin-1, not UTF-8); an untrained model of a few weights (the
// handlers, not the numbers, are under test).
std::shared_ptr<const ServedModel> MakeModel() {
  std::vector<std::string> users, items;
  std::vector<float> ratings;
  for (int u = 1; u <= 20; ++u) {
    for (int k = 0; k < 6; ++k) {
      users.push_back(std::to_string(u));
      items.push_back(std::to_string(1 + (u * 7 + k * 5) % 30));
      ratings.push_back(static_cast<float>(1 + (u + k) % 5));
    }
  }
  Result<Dataset> data = DatasetFromStrings(users, items, ratings);
  if (!data.ok()) std::abort();
  data->path = "in-memory";
  data->item_titles.assign(static_cast<size_t>(data->items.size()), "");
  data->item_titles[0] = "Star Wars (1977)";
  data->item_titles[1] = "Am\xe9lie (2001)";
  ModelOptions options;
  options.model.embedding_dim = 4;
  options.model.hidden_layers = {4};
  options.threads = 1;
  Result<Model> model = Model::Create(options, *data);
  if (!model.ok()) std::abort();
  Result<std::shared_ptr<const ServedModel>> served =
      ServedModel::FromModel(std::move(model).value(), *data);
  if (!served.ok()) std::abort();
  return std::move(served).value();
}

// Small bounds: one input stays fast (a list of every item, a few users).
ApiLimits SmallLimits() {
  ApiLimits limits;
  limits.max_k = 40;
  limits.max_users = 8;
  limits.max_batch_items = 100;
  limits.max_pairs = 16;
  limits.max_ratings = 8;
  limits.max_search = 40;
  return limits;
}

// The next '\n'-ended field of `rest` (the whole rest if none).
std::string_view Field(std::string_view* rest) {
  const size_t end = rest->find('\n');
  const std::string_view field = rest->substr(0, end);
  rest->remove_prefix(end == std::string_view::npos ? rest->size() : end + 1);
  return field;
}

HttpRequest ParseInput(std::string_view input) {
  HttpRequest request;
  request.method = Field(&input);
  request.path = Field(&input);
  request.query = ParseQuery("?" + std::string(Field(&input)));
  request.authorization = Field(&input);
  request.body = input;
  return request;
}

void CheckFrame(std::string_view bytes) {
  constexpr size_t kMaxBody = 64, kMaxRequest = 512;
  const RequestFrame f = FindRequestFrame(bytes, kMaxBody, kMaxRequest);
  const bool ok = f.complete ? f.end > 0 && f.end <= bytes.size() && f.end <= kMaxRequest &&
                                   (!f.too_large || f.end == kMaxRequest) && !f.expects_continue
                             : bytes.size() < kMaxRequest && !f.too_large;
  if (!ok) {
    std::fprintf(stderr, "fuzz_serve_routes: frame complete %d end %zu too_large %d of %zu bytes\n",
                 f.complete, f.end, f.too_large, bytes.size());
    std::abort();
  }
}

void CheckReply(const HttpReply& reply, size_t route) {
  if (reply.status == 200) {
    if (route >= RouteNames().size()) Fail("a 200 from no route", reply);
    if (reply.content_type == "application/json") {
      const Json j = Json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded() || !j.is_object()) Fail("a 200 whose body is no JSON object", reply);
    } else if (reply.content_type.rfind("text/", 0) != 0) {
      Fail("a 200 of an unknown content type", reply);
    }
    return;
  }
  if (reply.status < 400 || reply.status >= 500) Fail("not 200 and not 4xx", reply);
  if (reply.content_type != "application/json") Fail("an error that is not JSON", reply);
  const Json j = Json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) Fail("an error body that is no JSON object", reply);
  const auto error = j.find("error");
  const auto status = j.find("status");
  if (error == j.end() || !error->is_string() || error->get<std::string>().empty() ||
      error->get<std::string>().find('\n') != std::string::npos) {
    Fail("an error without its one-line message", reply);
  }
  if (status == j.end() || *status != reply.status) Fail("an error naming another status", reply);
  if (reply.status == 405 && reply.allow.empty()) Fail("a 405 without Allow", reply);
}

}  // namespace
}  // namespace mtrec::serve

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mtrec::serve;
  static const std::shared_ptr<const ServedModel> model = MakeModel();
  static const ApiLimits limits = SmallLimits();
  static const ServerHooks hooks = [] {
    ServerHooks h;
    h.ready = [] { return true; };
    h.metrics_text = [](const ServedModel&) { return std::string("mtrec_requests_total 0\n"); };
    // No file is read: every reload is refused (a 422), as a bad checkpoint's.
    h.reload = [](const std::string& path) -> mtrec::Result<std::string> {
      return mtrec::Status::NotFound("fuzz: no reload of '" + path + "'");
    };
    h.admin_token = "fuzz-token";
    return h;
  }();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckFrame(bytes);
  const HttpRequest request = ParseInput(bytes);
  size_t route = 0;
  const HttpReply reply = HandleRequest(request, *model, hooks, limits, &route);
  CheckReply(reply, route);
  return 0;
}

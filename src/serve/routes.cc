#include "serve/routes.h"

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "mtrec/config_schema.h"
#include "serve/explorer_page.h"
#include "serve/json_codec.h"

namespace mtrec::serve {

namespace {

constexpr int kDefaultK = 10;
constexpr int kDefaultSearchLimit = 20;
constexpr int kDefaultHistoryLimit = 100;

// What a handler gets: the request, the model, the path's {parameters}.
struct Call {
  const HttpRequest& request;
  const ServedModel& served;
  const ServerHooks& hooks;
  const ApiLimits& limits;
  std::vector<std::string> params;  // the {...} segments of the path, in order
  const Model& model() const { return served.model(); }
};

// A library error as the HTTP status that fits it: an unknown id is 404
// (naming the id), a bad argument 400, anything else 500.
ApiError FromStatus(const Status& s, std::string id = "") {
  switch (s.code()) {
    case Status::Code::kNotFound:
      return {404, s.message(), std::move(id)};
    case Status::Code::kInvalidArgument:
      return {400, s.message(), ""};
    default:
      return {500, s.message(), ""};
  }
}

// Returns the ApiError of an optional error from the codec.
#define SERVE_RETURN_IF_ERROR(expr)                           \
  do {                                                        \
    if (std::optional<ApiError> error_ = (expr)) return ErrorReply(*error_); \
  } while (false)

// {"item": id, "title": ...} (no title where the data set has none).
Json ItemRefJson(const ServedModel& served, ItemId item) {
  Json j;
  j["item"] = served.model().items().Name(item);
  if (const std::string& title = served.Title(item); !title.empty()) j["title"] = title;
  return j;
}

// [{"item": id, "score": s, "rating": r, "title": ...}, ...] (no title where
// the data set has none), written directly (json_codec.h): the busiest reply.
void AppendItems(std::string& out, const ServedModel& served,
                 const std::vector<Recommendation>& recs) {
  out += '[';
  for (const Recommendation& r : recs) {
    out += out.back() == '[' ? "{\"item\":" : ",{\"item\":";
    AppendJson(out, served.model().items().Name(r.item));
    out += ",\"score\":";
    AppendJson(out, r.score);
    out += ",\"rating\":";
    AppendJson(out, r.rating);
    if (const std::string& title = served.Title(r.item); !title.empty()) {
      out += ",\"title\":";
      AppendJson(out, title);
    }
    out += '}';
  }
  out += ']';
}

// A reply body written with AppendJson.
HttpReply WrittenReply(std::string body) { return {200, "application/json", std::move(body), ""}; }

// The user's list appended to `out` as {"user": ..., "items": [...]}, or the
// reply to send instead.
std::optional<HttpReply> UserList(const Call& c, const std::string& user, int k,
                                  bool exclude_seen, std::string& out) {
  const Result<UserId> row = c.model().FindUser(user);
  if (!row.ok()) return ErrorReply(FromStatus(row.status(), user));
  const Result<std::vector<Recommendation>> recs =
      c.model().Recommend(*row, k, /*include_seen=*/!exclude_seen);
  if (!recs.ok()) return ErrorReply(FromStatus(recs.status()));
  out += "{\"user\":";
  AppendJson(out, user);
  out += ",\"items\":";
  AppendItems(out, c.served, *recs);
  out += '}';
  return std::nullopt;
}

// GET /v1/users/{user}/recommendations?k=10&exclude_seen=true
HttpReply UserRecommendations(const Call& c) {
  int k = 0;
  bool exclude_seen = true;
  SERVE_RETURN_IF_ERROR(IntQuery(c.request, "k", kDefaultK, c.limits.max_k, &k));
  SERVE_RETURN_IF_ERROR(BoolQuery(c.request, "exclude_seen", true, &exclude_seen));
  std::string body;
  if (auto failed = UserList(c, c.params[0], k, exclude_seen, body)) return *failed;
  return WrittenReply(std::move(body));
}

// GET /v1/users/{user}/history?limit=100: the user's items in the model's
// known interactions (what exclude_seen leaves out), ascending by id.
HttpReply UserHistory(const Call& c) {
  int limit = 0;
  SERVE_RETURN_IF_ERROR(
      IntQuery(c.request, "limit", kDefaultHistoryLimit, c.limits.max_search, &limit));
  const std::string& user = c.params[0];
  const Result<UserId> row = c.model().FindUser(user);
  if (!row.ok()) return ErrorReply(FromStatus(row.status(), user));
  const Result<std::vector<ItemId>> known = c.model().KnownItems(*row);
  if (!known.ok()) return ErrorReply(FromStatus(known.status()));
  Json items = Json::array();
  for (size_t n = 0; n < known->size() && n < static_cast<size_t>(limit); ++n) {
    items.push_back(ItemRefJson(c.served, (*known)[n]));
  }
  Json j;
  j["user"] = user;
  j["count"] = known->size();
  j["items"] = std::move(items);
  return JsonReply(j);
}

// POST /v1/recommendations {"users": [...], "k": 10, "exclude_seen": true}
HttpReply BatchRecommendations(const Call& c) {
  Json body;
  const Json* users = nullptr;
  int k = 0;
  bool exclude_seen = true;
  SERVE_RETURN_IF_ERROR(ParseObject(c.request.body, &body));
  SERVE_RETURN_IF_ERROR(ArrayMember(body, "users", c.limits.max_users, &users));
  SERVE_RETURN_IF_ERROR(IntMember(body, "k", kDefaultK, c.limits.max_k, &k));
  SERVE_RETURN_IF_ERROR(BoolMember(body, "exclude_seen", true, &exclude_seen));
  if (static_cast<int64_t>(users->size()) * k > c.limits.max_batch_items) {
    return ErrorReply({400,
                       "users x k: at most " + std::to_string(c.limits.max_batch_items) +
                           " items per request, asked " + std::to_string(users->size()) + " x " +
                           std::to_string(k) + "; split the users over several requests",
                       ""});
  }
  std::string out = "{\"results\":[";
  for (const Json& u : *users) {
    std::string user;
    SERVE_RETURN_IF_ERROR(IdOf(u, "users", &user));
    if (out.back() == '}') out += ',';
    if (auto failed = UserList(c, user, k, exclude_seen, out)) return *failed;
  }
  out += "]}";
  return WrittenReply(std::move(out));
}

// POST /v1/recommendations/for-ratings {"ratings": {"50": 5, ...}, "k": 10}
HttpReply ForRatings(const Call& c) {
  Json body;
  int k = 0;
  SERVE_RETURN_IF_ERROR(ParseObject(c.request.body, &body));
  SERVE_RETURN_IF_ERROR(IntMember(body, "k", kDefaultK, c.limits.max_k, &k));
  const auto ratings = body.find("ratings");
  if (ratings == body.end() || !ratings->is_object() || ratings->empty() ||
      static_cast<int>(ratings->size()) > c.limits.max_ratings) {
    return ErrorReply({400,
                       "ratings: expected an object of 1 to " +
                           std::to_string(c.limits.max_ratings) +
                           " item ids and their ratings, e.g. {\"50\": 5}",
                       ""});
  }
  std::vector<RatedItem> rated;
  for (const auto& [id, value] : ratings->items()) {
    if (!value.is_number()) {
      return ErrorReply({400, "ratings: the rating of item '" + id + "' must be a number", ""});
    }
    const Result<ItemId> item = c.model().FindItem(id);
    if (!item.ok()) return ErrorReply(FromStatus(item.status(), id));
    rated.push_back({*item, value.get<float>()});
  }
  const Result<std::vector<Recommendation>> recs = c.model().RecommendForRatings(rated, k);
  if (!recs.ok()) return ErrorReply(FromStatus(recs.status()));
  std::string out = "{\"items\":";
  AppendItems(out, c.served, *recs);
  out += '}';
  return WrittenReply(std::move(out));
}

// GET /v1/items/{item}/similar?k=10
HttpReply SimilarItemsRoute(const Call& c) {
  int k = 0;
  SERVE_RETURN_IF_ERROR(IntQuery(c.request, "k", kDefaultK, c.limits.max_k, &k));
  const std::string& id = c.params[0];
  const Result<ItemId> item = c.model().FindItem(id);
  if (!item.ok()) return ErrorReply(FromStatus(item.status(), id));
  const Result<std::vector<SimilarItem>> similar = c.model().SimilarItems(*item, k);
  if (!similar.ok()) return ErrorReply(FromStatus(similar.status()));
  Json items = Json::array();
  for (const SimilarItem& s : *similar) {
    Json one;
    one["item"] = c.model().items().Name(s.item);
    one["similarity"] = s.similarity;
    if (const std::string& title = c.served.Title(s.item); !title.empty()) one["title"] = title;
    items.push_back(std::move(one));
  }
  Json j;
  j["item"] = id;
  j["items"] = std::move(items);
  return JsonReply(j);
}

// POST /v1/predict {"pairs": [[user, item], ...]}
HttpReply Predict(const Call& c) {
  Json body;
  const Json* pairs = nullptr;
  SERVE_RETURN_IF_ERROR(ParseObject(c.request.body, &body));
  SERVE_RETURN_IF_ERROR(ArrayMember(body, "pairs", c.limits.max_pairs, &pairs));
  Json predictions = Json::array();
  for (const Json& pair : *pairs) {
    if (!pair.is_array() || pair.size() != 2) {
      return ErrorReply({400, "pairs: expected [user, item] arrays, got " + Shown(pair), ""});
    }
    std::string user, item;
    SERVE_RETURN_IF_ERROR(IdOf(pair[0], "pairs: user", &user));
    SERVE_RETURN_IF_ERROR(IdOf(pair[1], "pairs: item", &item));
    const Result<UserId> u = c.model().FindUser(user);
    if (!u.ok()) return ErrorReply(FromStatus(u.status(), user));
    const Result<ItemId> i = c.model().FindItem(item);
    if (!i.ok()) return ErrorReply(FromStatus(i.status(), item));
    const Result<Recommendation> p = c.model().Predict(*u, *i);
    if (!p.ok()) return ErrorReply(FromStatus(p.status()));
    Json one;
    one["user"] = user;
    one["item"] = item;
    one["rating"] = p->rating;
    one["score"] = p->score;
    predictions.push_back(std::move(one));
  }
  Json j;
  j["predictions"] = std::move(predictions);
  return JsonReply(j);
}

// GET /v1/items?search=star%20wars&limit=20
HttpReply Items(const Call& c) {
  int limit = 0;
  std::string search;
  SERVE_RETURN_IF_ERROR(
      IntQuery(c.request, "limit", kDefaultSearchLimit, c.limits.max_search, &limit));
  SERVE_RETURN_IF_ERROR(StringQuery(c.request, "search", &search));
  Json items = Json::array();
  for (ItemId item : c.served.Search(search, limit)) {
    items.push_back(ItemRefJson(c.served, item));
  }
  Json j;
  j["items"] = std::move(items);
  return JsonReply(j);
}

// GET /v1/model
HttpReply ModelInfo(const Call& c) {
  const Model& m = c.model();
  const WeightsState w = m.weights_state();
  ExperimentConfig config;
  config.model = m.options().model;
  config.train = m.options().train;
  Json configuration = Json::object();
  for (const ConfigField& field : ConfigFields()) {
    if (field.part == ConfigPart::kModel || field.part == ConfigPart::kTrain) {
      configuration[field.name] = FieldText(field, config);
    }
  }
  Json j;
  j["checkpoint"] = c.served.path();
  j["checksum"] = c.served.checksum();
  j["dataset"] = c.served.dataset();
  j["users"] = m.num_users();
  j["items"] = m.num_items();
  j["epoch"] = w.epoch;
  j["epochs_trained"] = w.epochs_trained;
  j["best_restored"] = w.best_restored;
  j["backend"] = m.options().backend;
  j["configuration"] = std::move(configuration);
  j["loaded_at"] = c.served.loaded_at();
  j["load_seconds"] = c.served.load_seconds();
  j["ratings"] = nullptr;  // the known interactions' range (null: none known)
  if (const Result<RatingRange> range = m.KnownRatings(); range.ok()) {
    j["ratings"] = {{"min", range->min}, {"max", range->max}};
  }
  j["index"] = nullptr;  // exact recommendations
  if (const std::optional<IndexInfo> index = m.index_info()) {
    j["index"] = {{"kind", index->kind},
                  {"m", index->options.m},
                  {"ef_construction", index->options.ef_construction},
                  {"ef_search", index->options.ef_search},
                  {"items", index->items},
                  {"build_seconds", index->build_seconds},
                  {"memory_bytes", index->memory_bytes}};
  }
  return JsonReply(j);
}

// GET /: the model explorer.
HttpReply Explorer(const Call&) {
  return {200, "text/html; charset=utf-8", std::string(ExplorerPage()), ""};
}

HttpReply Health(const Call&) { return JsonReply(Json{{"status", "ok"}}); }

HttpReply Ready(const Call& c) {
  if (c.hooks.ready && !c.hooks.ready()) {
    return ErrorReply({503, "the server is shutting down", ""});
  }
  return JsonReply(Json{{"status", "ready"}});
}

HttpReply MetricsRoute(const Call& c) {
  HttpReply reply;
  reply.content_type = "text/plain; version=0.0.4";
  reply.body = c.hooks.metrics_text ? c.hooks.metrics_text(c.served) : std::string();
  return reply;
}

// Equal strings, in a time that depends on their lengths only (the token is
// not guessed a byte at a time).
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t k = 0; k < n; ++k) {
    const unsigned char x = k < a.size() ? static_cast<unsigned char>(a[k]) : 0;
    const unsigned char y = k < b.size() ? static_cast<unsigned char>(b[k]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

// POST /admin/reload (Authorization: Bearer TOKEN) [{"model": "PATH"}]
HttpReply Reload(const Call& c) {
  constexpr std::string_view kBearer = "Bearer ";
  const std::string& auth = c.request.authorization;
  if (!auth.starts_with(kBearer) ||
      !ConstantTimeEquals(std::string_view(auth).substr(kBearer.size()), c.hooks.admin_token)) {
    return ErrorReply({401, "POST /admin/reload needs the header 'Authorization: Bearer TOKEN' "
                            "with the server's --admin_token",
                       ""});
  }
  std::string path;
  if (!c.request.body.empty()) {
    Json body;
    SERVE_RETURN_IF_ERROR(ParseObject(c.request.body, &body));
    if (const auto it = body.find("model"); it != body.end()) {
      // A NUL would cut the path short: another file than the one named.
      if (!it->is_string() || it->get<std::string>().empty() ||
          it->get<std::string>().find('\0') != std::string::npos) {
        return ErrorReply({400, "model: expected the path of a checkpoint", ""});
      }
      path = it->get<std::string>();
    }
  }
  const Result<std::string> checksum = c.hooks.reload(path);
  if (!checksum.ok()) {
    return ErrorReply({422, "reload refused, the old model keeps serving: " +
                                checksum.status().message(),
                       ""});
  }
  return JsonReply(Json{{"reloaded", true}, {"checksum", *checksum}});
}

struct Route {
  const char* name;  // "METHOD /path/{param}"
  HttpReply (*handle)(const Call&);
  bool admin = false;  // exists only with an admin token
};

constexpr Route kRoutes[] = {
    {"GET /v1/users/{user}/recommendations", UserRecommendations},
    {"GET /v1/users/{user}/history", UserHistory},
    {"POST /v1/recommendations", BatchRecommendations},
    {"POST /v1/recommendations/for-ratings", ForRatings},
    {"GET /v1/items/{item}/similar", SimilarItemsRoute},
    {"POST /v1/predict", Predict},
    {"GET /v1/items", Items},
    {"GET /v1/model", ModelInfo},
    {"GET /", Explorer},
    {"GET /healthz", Health},
    {"GET /readyz", Ready},
    {"GET /metrics", MetricsRoute},
    {"POST /admin/reload", Reload, /*admin=*/true},
};

constexpr auto kRouteNames = [] {
  std::array<const char*, std::size(kRoutes)> names{};
  for (size_t r = 0; r < std::size(kRoutes); ++r) names[r] = kRoutes[r].name;
  return names;
}();

std::string_view MethodOf(const Route& r) {
  const std::string_view name = r.name;
  return name.substr(0, name.find(' '));
}

// Whether `path` matches the route's pattern; the {...} segments go to *params.
bool MatchPath(const Route& r, std::string_view path, std::vector<std::string>* params) {
  std::string_view pattern = std::string_view(r.name).substr(MethodOf(r).size() + 1);
  params->clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view want = pattern.substr(0, pattern.find('/'));
    const std::string_view have = path.substr(0, path.find('/'));
    if (want.starts_with('{')) {
      if (have.empty()) return false;
      params->emplace_back(have);
    } else if (want != have) {
      return false;
    }
    pattern.remove_prefix(want.size());
    path.remove_prefix(have.size());
  }
  return true;
}

}  // namespace

std::span<const char* const> RouteNames() { return kRouteNames; }

HttpReply HandleRequest(const HttpRequest& request, const ServedModel& model,
                        const ServerHooks& hooks, const ApiLimits& limits, size_t* route) {
  *route = std::size(kRoutes);
  Call call{request, model, hooks, limits, {}};
  std::string allow;
  // HEAD is GET without the body (the HTTP library drops it).
  // (Both arms string_view: a "GET" : std::string conditional is a temporary
  // std::string, and the view outlived it.)
  const std::string_view method =
      request.method == "HEAD" ? std::string_view("GET") : std::string_view(request.method);
  for (size_t r = 0; r < std::size(kRoutes); ++r) {
    const Route& candidate = kRoutes[r];
    if (candidate.admin && hooks.admin_token.empty()) continue;
    if (!MatchPath(candidate, request.path, &call.params)) continue;
    if (MethodOf(candidate) != method) {
      allow += (allow.empty() ? "" : ", ") + std::string(MethodOf(candidate));
      continue;
    }
    *route = r;
    return candidate.handle(call);
  }
  if (!allow.empty()) {
    HttpReply reply = ErrorReply(
        {405, request.method + " is not allowed on " + request.path + " (allowed: " + allow + ")",
         ""});
    reply.allow = allow;
    return reply;
  }
  return ErrorReply({404, "no route " + request.method + " " + request.path +
                              " (see docs/serving.md for the routes)",
                     ""});
}

}  // namespace mtrec::serve

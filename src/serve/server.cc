#include "serve/server.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>

#include "serve/connection.h"
#include "serve/json_codec.h"
#include "serve/metrics.h"
#include "serve/query_string.h"

namespace mtrec::serve {

namespace {

// One line on stderr: "<UTC time> mtrec serve: <message>".
void Log(const std::string& message) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::fprintf(stderr, "%s mtrec serve: %s\n", stamp, message.c_str());
}

HttpRequest ToRequest(const httplib::Request& r) {
  HttpRequest out;
  out.method = r.method;
  out.path = r.path;
  out.query = ParseQuery(r.target);  // every pair, repeated ones too (r.params drops those)
  out.body = r.body;
  out.authorization = r.get_header_value("Authorization");
  return out;
}

void WriteReply(HttpReply reply, httplib::Response& res) {
  res.status = reply.status;
  if (!reply.allow.empty()) res.set_header("Allow", reply.allow);
  // set_content without its copy of the body.
  res.body = std::move(reply.body);
  res.headers.erase("Content-Type");
  res.set_header("Content-Type", reply.content_type);
}

// The reason phrase's words for the statuses the HTTP library answers itself
// (a body too large, a bad request line).
const char* LibraryError(int status) {
  switch (status) {
    case 413: return "the request body is larger than the server's limit";
    case 414: return "the request line is too long";
    case 400: return "the request is not valid HTTP";
    default: return "the request failed";
  }
}

// Why the request's body cannot be delimited (RFC 9112 6.3), if it cannot: a
// Content-Length that is not one run of digits (the library read "-5" as
// 2^64 - 5, a 413, and "abc" as 0), one given twice, or one beside
// Transfer-Encoding (which would decide alone: two readings of one request).
std::optional<ApiError> BodyFramingError(const httplib::Request& req) {
  const size_t count = req.get_header_value_count("Content-Length");
  if (count == 0) return std::nullopt;
  if (count > 1) {
    return ApiError{400, "Content-Length: given " + std::to_string(count) +
                             " times; expected once", ""};
  }
  if (req.has_header("Transfer-Encoding")) {
    return ApiError{400, "Content-Length and Transfer-Encoding: expected one of them, not both",
                    ""};
  }
  const std::string value = req.get_header_value("Content-Length");
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
    constexpr size_t kShown = 40;
    return ApiError{400, "Content-Length: expected a number of bytes (digits only), got '" +
                             value.substr(0, kShown) + (value.size() > kShown ? "...'" : "'"),
                    ""};
  }
  return std::nullopt;
}

// What a request may add to --max_body_kib: its request line and headers.
constexpr size_t kHeaderBytes = 64 << 10;

class Server {
 public:
  Server(const ServeOptions& options, std::shared_ptr<const ServedModel> model)
      : options_(options),
        metrics_(RouteNames()),
        http_(ConnectionLimits{options.read_timeout_seconds, options.keep_alive_seconds,
                               options.max_body_bytes, options.max_body_bytes + kHeaderBytes},
              static_cast<size_t>(options.source.load.threads),
              ConnectionLimit(),  // options_ is initialised first
              [this] { return Refusal(); }) {
    slot_.Set(std::move(model));
    hooks_.ready = [this] { return !stopping_.load(); };
    hooks_.metrics_text = [this](const ServedModel& m) {
      return metrics_.Text(m, {http_.open_connections(), ConnectionLimit()});
    };
    hooks_.reload = [this](const std::string& path) { return Reload(path); };
    hooks_.admin_token = options.admin_token;
  }

  Status Run() {
    Configure();
    int port = options_.port;
    if (port == 0) {
      port = http_.bind_to_any_port(options_.host);
      if (port < 0) return Status::Unavailable("cannot bind " + options_.host + " to a free port");
    } else if (!http_.bind_to_port(options_.host, port)) {
      return Status::Unavailable("cannot bind " + options_.host + ":" + std::to_string(port) +
                                 " (in use, or not an address of this machine)");
    }
    const std::shared_ptr<const ServedModel> model = slot_.Get();
    Log("listening on http://" + options_.host + ":" + std::to_string(port) + " (model " +
        model->path() + ", " + model->checksum() + ", " +
        std::to_string(options_.source.load.threads) + " worker threads, " +
        std::to_string(ConnectionLimit()) + " connections at most)");
    std::thread signals([this] { WaitForSignals(); });
    const bool ok = http_.Listen();
    done_ = true;
    signals.join();
    if (!ok && !stopping_) return Status::Unavailable("the server stopped unexpectedly");
    Log("stopped");
    return Status::Ok();
  }

 private:
  void Configure() {
    http_.set_tcp_nodelay(true);
    http_.set_keep_alive_max_count(1 << 30);
    http_.set_keep_alive_timeout(options_.keep_alive_seconds);
    http_.set_read_timeout(options_.read_timeout_seconds, 0);
    http_.set_write_timeout(options_.read_timeout_seconds, 0);
    http_.set_payload_max_length(options_.max_body_bytes);
    const auto handle = [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res);
    };
    for (const char* any : {".*"}) {
      http_.Get(any, handle);
      http_.Post(any, handle);
      http_.Put(any, handle);
      http_.Delete(any, handle);
      http_.Patch(any, handle);
      http_.Options(any, handle);
    }
    // A POST/PUT/PATCH/DELETE without Content-Length or chunked encoding has
    // no body (`curl -X POST URL`); the library would refuse it as malformed
    // when reading the body, so it is answered before that.
    http_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      // A body that cannot be delimited: 400, and where the next request
      // starts is unknown, so the connection ends here.
      if (const std::optional<ApiError> framing = BodyFramingError(req)) {
        res.set_header("Connection", "close");
        ConnectionStream::CloseAfterReply();
        metrics_.Record(RouteNames().size(), framing->status, 0.0);
        WriteReply(ErrorReply(*framing), res);
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.method == "GET" || req.method == "HEAD" || req.has_header("Content-Length") ||
          req.has_header("Transfer-Encoding")) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      Handle(req, res);
      return httplib::Server::HandlerResponse::Handled;
    });
    // What the library answers itself (413, 400) gets the API's JSON body.
    http_.set_error_handler(httplib::Server::HandlerWithResponse(
        [](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          // A body (chunked, or headers) that ran past the stream's bound.
          if (res.status == 400 && ConnectionStream::RequestTooLarge()) res.status = 413;
          // The request was not read whole (or not understood): where the
          // next one starts is unknown, so the connection ends here.
          res.set_header("Connection", "close");
          ConnectionStream::CloseAfterReply();
          WriteReply(ErrorReply({res.status, LibraryError(res.status), ""}), res);
          return httplib::Server::HandlerResponse::Handled;
        }));
    http_.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          WriteReply(ErrorReply({500, "internal error", ""}), res);
        });
  }

  // The body of the 503 for a connection beyond --connections + --waiting.
  std::string Refusal() {
    metrics_.Record(RouteNames().size(), 503, 0.0);
    metrics_.RecordRefusedConnection();
    return ErrorReply({503,
                       "the server is busy: " + std::to_string(ConnectionLimit()) +
                           " connections open (--connections + --waiting); try again later",
                       ""})
        .body;
  }

  // Connections open at most at once.
  size_t ConnectionLimit() const {
    return static_cast<size_t>(options_.connections) + static_cast<size_t>(options_.waiting);
  }

  void Handle(const httplib::Request& req, httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    metrics_.BeginRequest();
    // The model this request answers from, to its end, whatever a reload does.
    const std::shared_ptr<const ServedModel> model = slot_.Get();
    size_t route = 0;
    HttpReply reply = HandleRequest(ToRequest(req), *model, hooks_, options_.limits, &route);
    const int status = reply.status;
    WriteReply(std::move(reply), res);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_.Record(route, status, seconds);
    metrics_.EndRequest();
    if (options_.log_requests || status >= 500) {
      char line[64];
      std::snprintf(line, sizeof(line), " %d %.3f ms", status, seconds * 1e3);
      Log(req.remote_addr + " " + req.method + " " + req.path + line);
    }
  }

  // Loads `path` ("" the current checkpoint) beside the serving model and
  // swaps it in; one reload at a time.
  Result<std::string> Reload(const std::string& path) {
    const std::lock_guard<std::mutex> one_at_a_time(reload_mutex_);
    ModelSource source = options_.source;
    if (!path.empty()) source.path = path;
    Log("reloading " + source.path);
    Result<std::shared_ptr<const ServedModel>> loaded = ServedModel::Load(source);
    if (!loaded.ok()) {
      metrics_.RecordReload(false);
      Log("reload refused, the old model keeps serving: " + loaded.status().message());
      return loaded.status();
    }
    const std::string checksum = (*loaded)->checksum();
    slot_.Set(std::move(loaded).value());
    options_.source = source;  // a later SIGHUP reloads the new path
    metrics_.RecordReload(true);
    char took[32];
    std::snprintf(took, sizeof(took), "%.3f s", slot_.Get()->load_seconds());
    Log("reloaded " + source.path + " (" + checksum + ", loaded in " + took + ")");
    return checksum;
  }

  // The signal thread: SIGHUP reloads, SIGTERM/SIGINT drain and stop.
  void WaitForSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, s);
    while (!done_) {
      timespec wait{0, 200'000'000};
      const int sig = sigtimedwait(&set, nullptr, &wait);
      if (sig == SIGHUP) {
        (void)Reload("");
      } else if (sig == SIGTERM || sig == SIGINT) {
        Log(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
            ": draining requests in progress");
        stopping_ = true;
        http_.stop();  // no new connections; those open end after their current request
        Drain();
        return;
      }
    }
  }

  // Waits until the server has let every connection finish; past
  // drain_seconds, logs what is left and ends the process (exit 0: asked to stop).
  void Drain() {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(options_.drain_seconds);
    while (!done_ && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!done_) {
      Log("drain: " + std::to_string(metrics_.in_flight()) +
          " requests still in progress after " + std::to_string(options_.drain_seconds) +
          " s; exiting anyway");
      std::fflush(stderr);
      std::_Exit(0);
    }
  }

  ServeOptions options_;
  ServerMetrics metrics_;
  ModelSlot slot_;
  ServerHooks hooks_;
  HttpServer http_;
  std::mutex reload_mutex_;
  std::atomic<bool> stopping_{false}, done_{false};
};

}  // namespace

Status RunServer(const ServeOptions& options) {
  // The signals are taken by the signal thread alone: blocked here, before
  // any thread starts, so every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client gone mid-reply is the write's error, not a signal

  Log("loading " + options.source.path);
  Result<std::shared_ptr<const ServedModel>> model = ServedModel::Load(options.source);
  if (!model.ok()) return model.status();
  char took[64];
  std::snprintf(took, sizeof(took), "%.3f s", (*model)->load_seconds());
  Log("loaded " + options.source.path + " (" + std::to_string((*model)->model().num_users()) +
      " users, " + std::to_string((*model)->model().num_items()) + " items, " +
      (*model)->checksum() + ") in " + took);
  Server server(options, std::move(model).value());
  return server.Run();
}

}  // namespace mtrec::serve

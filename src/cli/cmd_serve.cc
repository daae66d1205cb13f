// mtrec serve: a trained model over HTTP (src/serve/, docs/serving.md).
#include <cstdio>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/model_command.h"
#include "mtrec/config.h"  // ExperimentConfig::kMaxThreads
#include "mtrec/item_index.h"
#include "serve/server.h"

namespace mtrec::cli {

namespace {

constexpr const char* kServeUsage =
    "usage: mtrec serve --model PATH [--dataset NAME|PATH] [--host 127.0.0.1] [--port 8080]\n"
    "                   [--threads N] [--connections 64] [--admin_token TOKEN] [--index hnsw]\n\n"
    "Answers recommendations, similar items and predictions over HTTP (JSON), with ids\n"
    "as the data set's raw ids and titles where the data set has them; the routes are\n"
    "in docs/serving.md. Binds 127.0.0.1 unless told. SIGHUP (or POST /admin/reload\n"
    "with --admin_token) reloads the checkpoint without dropping a request; a checkpoint\n"
    "that does not load is refused and the old model keeps serving. SIGTERM or SIGINT\n"
    "stops accepting, lets the requests in progress finish, and exits 0.\n";

struct ServeFlags {
  serve::ServeOptions options;
  IndexOptions index;
  bool hnsw = false;
  int max_body_kib = 1024;
  bool gpu = false;
};

FlagSet MakeFlags(ServeFlags& f) {
  serve::ServeOptions& o = f.options;
  FlagSet flags;
  flags.AddString("model", &o.source.path, "PATH",
                  "the checkpoint written by mtrec train --save (required)");
  flags.AddString("dataset", &o.source.load.dataset, "NAME|PATH",
                  "where the training data is now, if it moved (default: the path recorded in "
                  "the checkpoint; it must be the same data)");
  flags.AddString("data_dir", &o.source.load.data_dir, "DIR", "where data set names are looked up");
  flags.AddIntInRange("threads", &o.source.load.threads, 1, ExperimentConfig::kMaxThreads,
                      "the server's worker threads, which serve every connection (a "
                      "single-user request is scored on its worker thread), and the model's "
                      "threads, for fold-ins and (with --gpu) scoring");
  flags.SetDefaultText("threads", "every hardware thread");
  flags.AddOptionalBool("gpu", &f.gpu,
                        "score on the GPU (the CUDA backend; needs a build with -DMTREC_CUDA=ON)");
  flags.AddString("host", &o.host, "ADDRESS",
                  "the address to listen on (0.0.0.0: every interface; see the security notes "
                  "in docs/serving.md)");
  flags.AddIntInRange("port", &o.port, 0, 65535, "the TCP port (0: any free port)");
  flags.AddIntInRange("connections", &o.connections, 1, 4096,
                      "connections open at once, with --waiting (an idle one holds no thread)");
  flags.AddIntInRange("waiting", &o.waiting, 0, 1 << 20,
                      "connections open beyond --connections; more are answered 503 and closed");
  flags.AddString("admin_token", &o.admin_token, "TOKEN",
                  "enables POST /admin/reload for requests with 'Authorization: Bearer TOKEN'");
  flags.AddIntInRange("read_timeout", &o.read_timeout_seconds, 1, 3600,
                      "seconds a client may take to send a request (or to read the reply)");
  flags.AddIntInRange("keep_alive", &o.keep_alive_seconds, 1, 3600,
                      "seconds an idle keep-alive connection is kept");
  flags.AddIntInRange("drain_timeout", &o.drain_seconds, 1, 3600,
                      "seconds to wait for requests in progress on SIGTERM/SIGINT");
  flags.AddIntInRange("max_body_kib", &f.max_body_kib, 1, 1 << 20,
                      "the largest request body in KiB (413 beyond it)");
  flags.AddIntInRange("max_k", &o.limits.max_k, 1, 1 << 20,
                      "the largest k (and search limit) a request may ask");
  flags.AddValue("index", "exact|hnsw",
                 "how recommendations find the best items: exact scores every item; hnsw "
                 "builds an approximate index at load and reload (faster on large catalogs, "
                 "recall < 1; docs/serving.md)",
                 "exact", [&f](std::string_view value) {
                   if (value != "exact" && value != "hnsw") {
                     return Status::InvalidArgument("--index: expected exact or hnsw, got '" +
                                                    std::string(value) + "'");
                   }
                   f.hnsw = value == "hnsw";
                   return Status::Ok();
                 });
  flags.AddIntInRange("index_m", &f.index.m, 2, 1024, "--index hnsw: links per node");
  flags.AddIntInRange("index_ef_construction", &f.index.ef_construction, 1, 1 << 20,
                      "--index hnsw: the build's candidate list (recall vs build time)");
  flags.AddIntInRange("index_ef", &f.index.ef_search, 1, 1 << 20,
                      "--index hnsw: each query's candidate list (recall vs speed)");
  flags.AddSwitch("log_requests", "log one stderr line per request (errors are always logged)",
                  [&o] { o.log_requests = true; });
  return flags;
}

}  // namespace

void PrintServeFlagTable() {
  ServeFlags f;
  std::printf("%s", MakeFlags(f).Markdown().c_str());
}

int RunServe(std::span<const std::string> args) {
  ServeFlags f;
  f.options.source.load.threads = HardwareThreads();
  const FlagSet flags = MakeFlags(f);
  if (auto exit = ParseCommandLine("serve", kServeUsage, flags, args)) return *exit;
  serve::ServeOptions& o = f.options;
  if (o.source.path.empty()) {
    return CommandFailure("serve", Status::InvalidArgument("--model PATH is required"));
  }
  ModelFlags model_flags;
  model_flags.model = o.source.path;
  model_flags.gpu = f.gpu;
  if (Status s = ValidateModelFlags(model_flags); !s.ok()) return CommandFailure("serve", s);
  o.source.load.backend = model_flags.backend();
  o.max_body_bytes = static_cast<size_t>(f.max_body_kib) * 1024;
  o.limits.max_search = o.limits.max_k;
  if (f.hnsw) o.source.index = f.index;
  if (Status s = serve::RunServer(o); !s.ok()) return CommandFailure("serve", s);
  return kExitOk;
}

}  // namespace mtrec::cli

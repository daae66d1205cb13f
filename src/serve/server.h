// RunServer: `mtrec serve`'s whole life. Loads the model, binds, answers the
// routes (routes.h) on --threads worker threads (event_loop.h), reloads on
// SIGHUP or POST /admin/reload, and on SIGTERM/SIGINT stops accepting, lets
// the requests in progress finish (bounded by drain_seconds) and returns. Logs one line per
// event to stderr (the library below prints nothing).
#pragma once

#include <string>

#include "mtrec/status.h"
#include "serve/routes.h"
#include "serve/served_model.h"

namespace mtrec::serve {

struct ServeOptions {
  ModelSource source;
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (the "listening" line names it)
  // Connections open at once: connections + waiting (two numbers, as the
  // command line has had them); one more is answered 503 and closed. All
  // are served by source.load.threads worker threads (event_loop.h); an idle
  // keep-alive connection holds no thread.
  int connections = 64;
  int waiting = 1024;
  int read_timeout_seconds = 5;  // a slow or idle client is dropped after it
  int keep_alive_seconds = 5;
  int drain_seconds = 10;       // the longest wait for requests in progress at shutdown
  size_t max_body_bytes = 1 << 20;
  std::string admin_token;  // "" disables POST /admin/reload
  bool log_requests = false;  // one stderr line per request
  ApiLimits limits;
};

// Returns OK after a clean shutdown (SIGTERM/SIGINT); an error when the model
// cannot be loaded or the address cannot be bound.
Status RunServer(const ServeOptions& options);

}  // namespace mtrec::serve

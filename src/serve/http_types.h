// The server's view of one HTTP exchange, independent of the HTTP library:
// what a handler reads (HttpRequest) and what it answers (HttpReply). The
// routes and handlers (routes.h) are pure functions between the two, so they
// are tested and fuzzed without sockets.
#pragma once

#include <map>
#include <string>

namespace mtrec::serve {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query
  std::multimap<std::string, std::string> query;  // decoded ?name=value pairs
  std::string body;
  std::string authorization;  // the Authorization header ("" if absent)
};

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;  // a 405's Allow header: the methods the path has
};

}  // namespace mtrec::serve

// FindRequestFrame: where the HTTP/1.1 request at the start of a connection's
// buffered bytes ends, before the HTTP library parses it, so that the library
// is only ever handed whole requests and never waits for a byte. It reads
// the request as the library (cpp-httplib 0.11) does: lines end at '\n', the
// headers at the first line after the request line that is "\r\n"; a body
// is a single all-digit Content-Length's bytes, or, where the first
// Transfer-Encoding is "chunked" (and no Content-Length), the chunks as the
// library's own loop reads them (hex sizes, no trailers). A request whose
// body the library will refuse without reading it (a Content-Length that is
// not digits, given twice, beside Transfer-Encoding or over `max_body_bytes`;
// a Transfer-Encoding other than chunked) ends with its headers: the library
// answers it 400/413 and the connection closes. A request that needs more
// than `max_request_bytes` ends there, marked too large (the library's read
// past it fails: a 413).
#pragma once

#include <cstddef>
#include <string_view>

namespace mtrec::serve {

struct RequestFrame {
  bool complete = false;          // false: more bytes are needed
  size_t end = 0;                 // the request is buffer[0, end)
  bool too_large = false;         // end is max_request_bytes and the request goes on
  bool expects_continue = false;  // headers read, "Expect: 100-continue", body not
};

// The interim reply to "Expect: 100-continue", which the library writes too.
inline constexpr std::string_view kContinueReply = "HTTP/1.1 100 Continue\r\n\r\n";

RequestFrame FindRequestFrame(std::string_view buffer, size_t max_body_bytes,
                              size_t max_request_bytes);

}  // namespace mtrec::serve

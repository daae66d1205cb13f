#include "serve/request_frame.h"

#include <strings.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace mtrec::serve {

namespace {

constexpr std::string_view kCrlf = "\r\n";

// The line starting at `pos` through its '\n', or nullopt if not all buffered.
std::optional<std::string_view> Line(std::string_view buffer, size_t pos) {
  const size_t newline = buffer.find('\n', pos);
  if (newline == std::string_view::npos) return std::nullopt;
  return buffer.substr(pos, newline + 1 - pos);
}

bool SpaceOrTab(char c) { return c == ' ' || c == '\t'; }

// The headers the frame depends on, read as the library reads them: a line
// "Name: value\r\n", the value without surrounding spaces and tabs.
struct FramingHeaders {
  int content_lengths = 0;
  std::string_view content_length;  // the first
  bool has_transfer_encoding = false;
  bool chunked = false;  // the first Transfer-Encoding is "chunked"
  bool expects_continue = false;
};

void ReadHeader(std::string_view line, FramingHeaders& h) {
  if (line.size() < 2 || line.substr(line.size() - 2) != kCrlf) return;  // the library skips it
  line.remove_suffix(2);
  while (!line.empty() && SpaceOrTab(line.back())) line.remove_suffix(1);
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view name = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && SpaceOrTab(value.front())) value.remove_prefix(1);
  if (value.empty()) return;  // no header, to the library
  const auto is = [name](std::string_view want) {
    return name.size() == want.size() && ::strncasecmp(name.data(), want.data(), want.size()) == 0;
  };
  if (is("Content-Length")) {
    if (h.content_lengths++ == 0) h.content_length = value;
  } else if (is("Transfer-Encoding")) {
    if (!h.has_transfer_encoding) {
      h.chunked = value.size() == 7 && ::strncasecmp(value.data(), "chunked", 7) == 0;
    }
    h.has_transfer_encoding = true;
  } else if (is("Expect")) {
    h.expects_continue = value == "100-continue";
  }
}

// The end of a chunked body starting at `pos`, as cpp-httplib 0.11's
// read_content_chunked reads it; nullopt if more bytes are needed. Where the
// library would fail, the frame ends where it fails (it answers 400).
std::optional<size_t> ChunkedEnd(std::string_view buffer, size_t pos) {
  auto line = Line(buffer, pos);
  if (!line) return std::nullopt;
  pos += line->size();
  unsigned long length = 0;
  while (true) {
    const std::string text(*line);  // strtoul as the library calls it
    char* parsed = nullptr;
    length = std::strtoul(text.c_str(), &parsed, 16);
    if (parsed == text.c_str() || length == ULONG_MAX) return pos;  // the library fails
    if (length == 0) break;
    if (length > buffer.size() - pos) return std::nullopt;
    pos += length;
    if (!(line = Line(buffer, pos))) return std::nullopt;
    pos += line->size();
    if (*line != kCrlf) return pos;  // the library stops reading, the body done
    if (!(line = Line(buffer, pos))) return std::nullopt;
    pos += line->size();
  }
  if (!(line = Line(buffer, pos))) return std::nullopt;  // the terminating "\r\n"
  return pos + line->size();
}

}  // namespace

RequestFrame FindRequestFrame(std::string_view buffer, size_t max_body_bytes,
                              size_t max_request_bytes) {
  RequestFrame frame;
  // The request line, then header lines up to a line that is "\r\n".
  FramingHeaders headers;
  std::optional<size_t> body;  // where the headers end
  for (auto line = Line(buffer, 0); line;) {
    const size_t next = static_cast<size_t>(line->data() - buffer.data()) + line->size();
    if (line->data() != buffer.data()) {
      if (*line == kCrlf) {
        body = next;
        break;
      }
      ReadHeader(*line, headers);
    }
    line = Line(buffer, next);
  }
  std::optional<size_t> end;
  if (body) {
    end = body;
    if (headers.content_lengths == 1 && !headers.has_transfer_encoding &&
        headers.content_length.find_first_not_of("0123456789") == std::string_view::npos) {
      // Digits past max_body_bytes' length are over it whatever they say.
      const std::string_view digits = headers.content_length;
      const size_t length = digits.size() > 18 ? SIZE_MAX : std::stoull(std::string(digits));
      if (length <= max_body_bytes) end = *body + length;
    } else if (headers.content_lengths == 0 && headers.chunked) {
      end = ChunkedEnd(buffer, *body);
    }
  }
  if (end && *end <= buffer.size() && *end <= max_request_bytes) {
    frame.complete = true;
    frame.end = *end;
    return frame;
  }
  if (buffer.size() >= max_request_bytes) {
    frame.complete = frame.too_large = true;
    frame.end = max_request_bytes;
    return frame;
  }
  frame.expects_continue = body && headers.expects_continue;
  return frame;
}

}  // namespace mtrec::serve

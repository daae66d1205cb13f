#include "mtrec/io/http_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>

namespace mtrec {

namespace {

using Clock = std::chrono::steady_clock;
using CurlHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

CurlHandle NewHandle(const std::string& url, const HttpOptions& options, char* error_buffer) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CurlHandle curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return curl;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "mtrec (+libcurl)");
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout_seconds * 1000));
  return curl;
}

bool IsHttp(const std::string& url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

long ResponseCode(CURL* curl) {
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  return code;
}

Status CurlError(const std::string& url, CURLcode code, const char* error_buffer,
                 const HttpOptions& options, bool stalled) {
  if (stalled) {
    return Status::IOError("GET " + url + ": no data for " +
                           std::to_string(static_cast<long>(options.stall_timeout_seconds + 0.5)) +
                           " s, the server stalled (try again later, or raise --download_timeout)");
  }
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  return Status::IOError("GET " + url + ": " + detail);
}

Status HttpError(const std::string& url, long code) {
  const std::string text = "GET " + url + ": HTTP " + std::to_string(code) +
                           (code == 404   ? " Not Found"
                            : code >= 500 ? " (server error)"
                                          : "");
  return code == 404 ? Status::NotFound(text) : Status::IOError(text);
}

// Stall detection (CURLOPT_LOW_SPEED_TIME reacts only after curl's ~5 s speed
// average has decayed): the progress callback, which curl calls at least about
// once a second, aborts when no byte has arrived for the stall timeout.
struct StallWatch {
  double timeout_seconds = 60;
  curl_off_t last_bytes = -1;
  Clock::time_point last_change = Clock::now();
  bool stalled = false;

  // Returns whether to abort.
  bool Check(curl_off_t bytes_now) {
    const Clock::time_point now = Clock::now();
    if (bytes_now != last_bytes) {
      last_bytes = bytes_now;
      last_change = now;
      return false;
    }
    stalled = std::chrono::duration<double>(now - last_change).count() > timeout_seconds;
    return stalled;
  }
};

// State shared with the curl callbacks of one download.
struct FileTransfer {
  CURL* curl = nullptr;
  int fd = -1;
  int64_t offset = 0;  // bytes the file held before this transfer (a resume)
  bool started = false;
  bool http = false;
  long http_code = 0;
  int write_errno = 0;
  int64_t written = 0;
  const HttpOptions* options = nullptr;
  StallWatch stall;
  Clock::time_point start = Clock::now();
  Clock::time_point last_report{};
  bool reported_complete = false;
};

size_t WriteToFile(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<FileTransfer*>(user);
  const size_t n = size * count;
  if (!t->started) {
    t->started = true;
    t->http_code = t->http ? ResponseCode(t->curl) : 200;
    if (t->http_code >= 400) return 0;       // don't store an error page
    if (t->http_code != 206) t->offset = 0;  // the whole file came: start over
    if (::ftruncate(t->fd, t->offset) != 0 || ::lseek(t->fd, t->offset, SEEK_SET) < 0) {
      t->write_errno = errno;
      return 0;
    }
  }
  size_t left = n;
  while (left > 0) {
    const ssize_t w = ::write(t->fd, data + (n - left), left);
    if (w < 0) {
      if (errno == EINTR) continue;
      t->write_errno = errno;
      return 0;
    }
    left -= static_cast<size_t>(w);
  }
  t->written += static_cast<int64_t>(n);
  return n;
}

int ReportProgress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* t = static_cast<FileTransfer*>(user);
  if (t->stall.Check(now)) return 1;
  if (!t->options->on_progress) return 0;
  const Clock::time_point clock = Clock::now();
  const bool complete = total > 0 && now >= total;
  if (complete ? t->reported_complete : clock - t->last_report < std::chrono::milliseconds(100)) {
    return 0;
  }
  t->reported_complete = complete;
  t->last_report = clock;
  TransferProgress p;
  const int64_t base = t->started && t->http_code == 206 ? t->offset : 0;
  p.bytes_done = base + static_cast<int64_t>(now);
  p.bytes_total = total > 0 ? base + static_cast<int64_t>(total) : -1;
  const double seconds = std::chrono::duration<double>(clock - t->start).count();
  p.bytes_per_second = seconds > 0 ? static_cast<double>(now) / seconds : 0;
  if (p.bytes_total > 0 && p.bytes_per_second > 0) {
    p.eta_seconds = static_cast<double>(p.bytes_total - p.bytes_done) / p.bytes_per_second;
  }
  t->options->on_progress(p);
  return 0;
}

bool IsRetryable(CURLcode code) {
  return code == CURLE_PARTIAL_FILE || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR ||
         code == CURLE_GOT_NOTHING || code == CURLE_HTTP2_STREAM;
}

}  // namespace

Status DownloadToFile(const std::string& url, const std::filesystem::path& path,
                      const HttpOptions& options, bool* retryable) {
  *retryable = false;
  // Created new or resumed; never through a link, never a FIFO or a device.
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError(path.string() +
                           ": cannot create the download file: " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IOError(path.string() + ": cannot create the download file: not a regular file");
  }
  const int64_t existing = static_cast<int64_t>(st.st_size);
  Status status;
  for (int attempt = 0; attempt < 2; ++attempt) {
    char error_buffer[CURL_ERROR_SIZE] = {};
    CurlHandle curl = NewHandle(url, options, error_buffer);
    if (!curl) {
      status = Status::IOError("GET " + url + ": cannot initialise libcurl");
      break;
    }
    FileTransfer t;
    t.curl = curl.get();
    t.fd = fd;
    t.http = IsHttp(url);
    t.offset = t.http && attempt == 0 ? existing : 0;
    t.options = &options;
    t.stall.timeout_seconds = options.stall_timeout_seconds;
    if (t.offset > 0) {
      const std::string range = std::to_string(t.offset) + "-";
      curl_easy_setopt(curl.get(), CURLOPT_RANGE, range.c_str());
    }
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &WriteToFile);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, &ReportProgress);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
    const CURLcode code = curl_easy_perform(curl.get());
    const long http_code = t.http ? ResponseCode(curl.get()) : 0;
    if (t.offset > 0 && http_code == 416) continue;  // nothing left to fetch: start over
    if (t.write_errno != 0) {
      status = Status::IOError(path.string() + ": write failed: " + std::strerror(t.write_errno));
    } else if (http_code >= 400) {
      status = HttpError(url, http_code);
    } else if (code != CURLE_OK) {
      status = CurlError(url, code, error_buffer, options, t.stall.stalled);
      *retryable = IsRetryable(code);
    } else if (!t.started && t.offset == 0 && ::ftruncate(fd, 0) != 0) {
      status = Status::IOError(path.string() + ": truncate failed: " + std::strerror(errno));
    } else {
      status = Status::Ok();
    }
    break;
  }
  if (::close(fd) != 0 && status.ok()) {
    status = Status::IOError(path.string() + ": write failed: " + std::strerror(errno));
  }
  return status;
}

Result<std::string> FetchText(const std::string& url, const HttpOptions& options,
                              size_t max_bytes) {
  char error_buffer[CURL_ERROR_SIZE] = {};
  CurlHandle curl = NewHandle(url, options, error_buffer);
  if (!curl) return Status::IOError("GET " + url + ": cannot initialise libcurl");
  struct Sink {
    std::string text;
    size_t max_bytes;
  } sink{{}, max_bytes};
  StallWatch stall;
  stall.timeout_seconds = options.stall_timeout_seconds;
  curl_easy_setopt(
      curl.get(), CURLOPT_XFERINFOFUNCTION,
      +[](void* user, curl_off_t, curl_off_t now, curl_off_t, curl_off_t) {
        return static_cast<StallWatch*>(user)->Check(now) ? 1 : 0;
      });
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &stall);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(
      curl.get(), CURLOPT_WRITEFUNCTION,
      +[](char* data, size_t size, size_t count, void* user) -> size_t {
        auto* s = static_cast<Sink*>(user);
        if (s->text.size() + size * count > s->max_bytes) return 0;
        s->text.append(data, size * count);
        return size * count;
      });
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &sink);
  const CURLcode code = curl_easy_perform(curl.get());
  const long http_code = IsHttp(url) ? ResponseCode(curl.get()) : 0;
  if (http_code >= 400) return HttpError(url, http_code);
  if (code == CURLE_WRITE_ERROR) {
    return Status::Corruption("GET " + url + ": longer than " + std::to_string(max_bytes) +
                              " bytes, not a checksum file");
  }
  if (code != CURLE_OK) return CurlError(url, code, error_buffer, options, stall.stalled);
  return std::move(sink.text);
}

}  // namespace mtrec

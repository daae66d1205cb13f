#include "mtrec/report/tfevents_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "mtrec/io/crc32c.h"
#include "mtrec/io/file_entry.h"
#include "mtrec/io/proto_wire.h"
#include "mtrec/report/run_files.h"

namespace mtrec {

namespace {

double WallTime() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void AppendLittleEndian(std::string& out, uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) out += static_cast<char>((v >> (8 * k)) & 0xFF);
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

std::string EncodeFileVersionEvent(double wall_time) {
  ProtoWriter event;
  event.Double(1, wall_time);
  event.Bytes(3, "brain.Event:2");
  return event.data();
}

std::string EncodeScalarEvent(double wall_time, int64_t step, std::string_view tag, float value) {
  ProtoWriter v;
  v.Bytes(1, tag);
  v.Float(2, value);
  ProtoWriter summary;
  summary.Bytes(1, v.data());
  ProtoWriter event;
  event.Double(1, wall_time);
  if (step != 0) event.Int64(2, step);  // proto3 omits a default value
  event.Bytes(5, summary.data());
  return event.data();
}

std::string FrameTfRecord(std::string_view data) {
  std::string length;
  AppendLittleEndian(length, data.size(), 8);
  std::string out = length;
  AppendLittleEndian(out, MaskCrc32c(Crc32c(length)), 4);
  out += data;
  AppendLittleEndian(out, MaskCrc32c(Crc32c(data)), 4);
  return out;
}

const std::vector<EpochScalar>& OriginalScalars() {
  static const std::vector<EpochScalar> kScalars = {
      {"training/Factorization Loss", [](const EpochStats& s) { return s.losses.factorization; }},
      {"training/MSE", [](const EpochStats& s) { return s.losses.regression; }},
      {"training/Joint Loss", [](const EpochStats& s) { return s.losses.joint; }},
      {"eval/Mean Reciprocal Rank", [](const EpochStats& s) { return s.eval.mrr; }},
      {"eval/MSE", [](const EpochStats& s) { return s.eval.mse; }},
  };
  return kScalars;
}

Result<TfEventsWriter> TfEventsWriter::Create(int dir_fd, const std::filesystem::path& dir) {
  const auto secs = static_cast<long long>(WallTime());
  char stem[64];
  std::snprintf(stem, sizeof(stem), "%010lld.", secs);
  const std::string prefix =
      std::string(kEventFilePrefix) + stem + HostName() + "." + std::to_string(::getpid()) + ".";
  for (int n = 0; n < 1000; ++n) {
    const std::string name = prefix + std::to_string(n);
    const std::filesystem::path path = dir / name;
    const int fd = ::openat(dir_fd, name.c_str(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) {
      return Status::IOError(path.string() +
                             ": cannot create the event file: " + std::strerror(errno));
    }
    TfEventsWriter writer(fd, path);
    MTREC_RETURN_IF_ERROR(writer.Append(FrameTfRecord(EncodeFileVersionEvent(WallTime()))));
    return writer;
  }
  return Status::IOError(dir.string() + ": no free event file name " + prefix + "<n>");
}

TfEventsWriter::TfEventsWriter(TfEventsWriter&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

TfEventsWriter::~TfEventsWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status TfEventsWriter::Append(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(path_.string() + ": write failed: " + std::strerror(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status TfEventsWriter::WriteScalars(int64_t step,
                                    const std::vector<std::pair<std::string, float>>& scalars) {
  const double now = WallTime();
  std::string records;
  for (const auto& [tag, value] : scalars) {
    records += FrameTfRecord(EncodeScalarEvent(now, step, tag, value));
  }
  return Append(records);
}

Status TensorBoardObserver::OnStart(const ExperimentConfig& /*config*/, const RunInfo& /*info*/) {
  if (!folder_.valid()) {
    MTREC_ASSIGN_OR_RETURN(folder_, CreateAndOpenFolder(dir_));
  }
  writer_.reset();
  MTREC_ASSIGN_OR_RETURN(TfEventsWriter writer, TfEventsWriter::Create(folder_.get(), dir_));
  writer_.emplace(std::move(writer));
  return Status::Ok();
}

Status TensorBoardObserver::OnEpoch(const EpochStats& stats) {
  std::vector<std::pair<std::string, float>> scalars;
  for (const EpochScalar& s : OriginalScalars()) {
    scalars.emplace_back(s.tag, static_cast<float>(s.value(stats)));
  }
  return writer_->WriteScalars(stats.epoch - 1, scalars);
}

}  // namespace mtrec

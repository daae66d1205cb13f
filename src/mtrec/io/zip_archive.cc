#include "mtrec/io/zip_archive.h"

#include <zip.h>

#include <algorithm>

namespace mtrec {

namespace {

std::string ZipErrorText(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

class MemberSource final : public ByteSource {
 public:
  MemberSource(std::shared_ptr<zip> archive, zip_file_t* file, std::string name, int64_t size)
      : archive_(std::move(archive)), file_(file), name_(std::move(name)), size_(size) {}
  ~MemberSource() override { zip_fclose(file_); }
  MemberSource(const MemberSource&) = delete;
  MemberSource& operator=(const MemberSource&) = delete;

  Result<size_t> Read(char* buffer, size_t n) override {
    const zip_int64_t got = zip_fread(file_, buffer, n);
    if (got < 0) {
      return Status::Corruption(name_ + ": cannot read the zip member (" +
                                zip_error_strerror(zip_file_get_error(file_)) +
                                "): the archive is corrupt; delete it and download it again");
    }
    return static_cast<size_t>(got);
  }
  int64_t size_hint() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  const std::shared_ptr<zip> archive_;  // keeps the archive open while the member is read
  zip_file_t* const file_;
  const std::string name_;
  const int64_t size_;
};

}  // namespace

Result<ZipArchive> ZipArchive::Open(const std::filesystem::path& path) {
  int code = 0;
  zip_t* raw = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (raw == nullptr) {
    const std::string why = ZipErrorText(code);
    if (code == ZIP_ER_NOENT || code == ZIP_ER_OPEN || code == ZIP_ER_READ) {
      return Status::IOError(path.string() + ": cannot open the zip archive: " + why);
    }
    return Status::Corruption(path.string() + ": not a readable zip archive (" + why +
                              "): it is truncated or corrupt");
  }
  std::shared_ptr<zip> archive(raw, [](zip_t* z) { zip_discard(z); });
  const zip_int64_t count = zip_get_num_entries(raw, 0);
  std::vector<std::string> names;
  names.reserve(static_cast<size_t>(std::max<zip_int64_t>(count, 0)));
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* name = zip_get_name(raw, static_cast<zip_uint64_t>(i), 0);
    if (name != nullptr) names.emplace_back(name);
  }
  return ZipArchive(path, std::move(archive), std::move(names));
}

std::optional<std::string> ZipArchive::FindMember(std::string_view name) const {
  const std::string suffix = "/" + std::string(name);
  const std::string* best = nullptr;
  for (const std::string& n : names_) {
    if (n == name) return n;
    if (n.size() > suffix.size() && n.ends_with(suffix) &&
        (best == nullptr ||
         std::count(n.begin(), n.end(), '/') < std::count(best->begin(), best->end(), '/'))) {
      best = &n;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

Result<std::unique_ptr<ByteSource>> ZipArchive::OpenMember(const std::string& name) const {
  const std::string where = path_.string() + ":" + name;
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(archive_.get(), name.c_str(), 0, &st) != 0) {
    return Status::NotFound(where + ": no such member in the archive");
  }
  zip_file_t* file = zip_fopen(archive_.get(), name.c_str(), 0);
  if (file == nullptr) {
    return Status::Corruption(where + ": cannot open the zip member (" +
                              zip_strerror(archive_.get()) + ")");
  }
  const int64_t size = (st.valid & ZIP_STAT_SIZE) ? static_cast<int64_t>(st.size) : -1;
  return std::unique_ptr<ByteSource>(std::make_unique<MemberSource>(archive_, file, where, size));
}

}  // namespace mtrec

#include "serve/served_model.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

namespace mtrec::serve {

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "sha256:<hex>" of the file's bytes. Only a regular file: a FIFO would block
// the open and a device (/dev/zero) never end, holding the reload lock forever.
Result<std::string> FileChecksum(const std::string& path) {
  struct Fd {
    int fd;
    ~Fd() {
      if (fd >= 0) ::close(fd);
    }
  } const file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  const int fd = file.fd;
  if (fd < 0) return Status::NotFound(path + ": cannot open for reading: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(path + ": not a regular file (a folder, pipe or device)");
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Status::Unavailable("sha256: cannot start a digest");
  }
  std::vector<char> buffer(1 << 20);
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(path + ": read failed: " + std::strerror(errno));
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(n));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  std::string hex = "sha256:";
  for (unsigned int k = 0; k < size; ++k) {
    char pair[3];
    std::snprintf(pair, sizeof(pair), "%02x", digest[k]);
    hex += pair;
  }
  return hex;
}

}  // namespace

Result<std::shared_ptr<ServedModel>> ServedModel::Make(Model model, const Dataset& data,
                                                       const std::optional<IndexOptions>& index) {
  std::shared_ptr<ServedModel> served(new ServedModel(std::move(model)));
  // The known interactions now rather than on the first request.
  MTREC_RETURN_IF_ERROR(served->model_.SetKnownInteractions(data.interactions));
  if (index) MTREC_RETURN_IF_ERROR(served->model_.BuildIndex(*index));
  served->dataset_ = data.path;
  served->titles_ = data.item_titles;
  served->titles_.resize(static_cast<size_t>(served->model_.num_items()));
  const std::set<ItemId> occurring(data.interactions.items.begin(),
                                   data.interactions.items.end());
  for (ItemId item : occurring) {
    served->search_.push_back(
        {item, Lower(served->model_.items().Name(item) + " " + served->titles_[item])});
  }
  served->loaded_at_ = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  return served;
}

Result<std::shared_ptr<const ServedModel>> ServedModel::FromModel(
    Model model, const Dataset& data, const std::optional<IndexOptions>& index) {
  MTREC_ASSIGN_OR_RETURN(std::shared_ptr<ServedModel> served,
                         Make(std::move(model), data, index));
  return std::shared_ptr<const ServedModel>(std::move(served));
}

Result<std::shared_ptr<const ServedModel>> ServedModel::Load(const ModelSource& source) {
  const auto start = std::chrono::steady_clock::now();
  // The checksum first: of the bytes that are then loaded, unless the file is
  // replaced in between (then a later reload sees the new one).
  MTREC_ASSIGN_OR_RETURN(std::string checksum, FileChecksum(source.path));
  MTREC_ASSIGN_OR_RETURN(Model model, Model::Load(source.path, source.load));
  MTREC_ASSIGN_OR_RETURN(const TrainingData* data, model.training_data());
  // `data` lives in the model's state, which moves with it (Impl is held by pointer).
  MTREC_ASSIGN_OR_RETURN(std::shared_ptr<ServedModel> served,
                         Make(std::move(model), data->dataset, source.index));
  served->path_ = source.path;
  served->checksum_ = std::move(checksum);
  served->load_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return std::shared_ptr<const ServedModel>(std::move(served));
}

const std::string& ServedModel::Title(ItemId item) const { return titles_[item]; }

std::vector<ItemId> ServedModel::Search(std::string_view text, int limit) const {
  const std::string needle = Lower(text);
  std::vector<ItemId> out;
  for (const Entry& e : search_) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (needle.empty() || e.text.find(needle) != std::string::npos) out.push_back(e.item);
  }
  return out;
}

}  // namespace mtrec::serve

#include "mtrec/io/file_digest.h"

#include <openssl/evp.h>

#include <memory>
#include <vector>

#include "mtrec/core/check.h"
#include "mtrec/io/byte_source.h"

namespace mtrec {

namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestContext NewContext(DigestAlgorithm algorithm) {
  DigestContext ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  MTREC_CHECK(ctx != nullptr);
  const EVP_MD* md = algorithm == DigestAlgorithm::kMd5 ? EVP_md5() : EVP_sha256();
  MTREC_CHECK(EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1);
  return ctx;
}

std::string FinishHex(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  MTREC_CHECK(EVP_DigestFinal_ex(ctx, digest, &length) == 1);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int k = 0; k < length; ++k) {
    hex += kHex[digest[k] >> 4];
    hex += kHex[digest[k] & 15];
  }
  return hex;
}

}  // namespace

std::string_view DigestName(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kMd5 ? "md5" : "sha256";
}

Result<std::string> FileDigestHex(const std::filesystem::path& path, DigestAlgorithm algorithm) {
  MTREC_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, OpenFileSource(path));
  DigestContext ctx = NewContext(algorithm);
  std::vector<char> buffer(size_t{1} << 20);
  while (true) {
    MTREC_ASSIGN_OR_RETURN(const size_t n, source->Read(buffer.data(), buffer.size()));
    if (n == 0) break;
    MTREC_CHECK(EVP_DigestUpdate(ctx.get(), buffer.data(), n) == 1);
  }
  return FinishHex(ctx.get());
}

std::string DigestHex(std::string_view data, DigestAlgorithm algorithm) {
  DigestContext ctx = NewContext(algorithm);
  MTREC_CHECK(EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1);
  return FinishHex(ctx.get());
}

}  // namespace mtrec

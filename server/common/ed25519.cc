#include "server/common/ed25519.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "absl/strings/str_cat.h"
#include "server/common/files.h"

namespace odr::ed25519 {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

int NoPassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

}  // namespace

absl::StatusOr<PkeyPtr> Generate() {
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (pkey == nullptr) {
    ERR_clear_error();
    return absl::InternalError("Ed25519 key generation failed");
  }
  return pkey;
}

absl::StatusOr<PkeyPtr> FromPrivatePem(absl::string_view pem, size_t max_bytes) {
  if (pem.empty() || pem.size() > max_bytes) {
    return absl::InvalidArgumentError("not a PEM private key");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) {
    ERR_clear_error();
    return absl::InternalError("BIO_new_mem_buf failed");
  }
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  if (pkey == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("not a PEM private key");
  }
  if (EVP_PKEY_is_a(pkey.get(), "ED25519") != 1) {
    return absl::InvalidArgumentError("not an Ed25519 private key");
  }
  return pkey;
}

absl::StatusOr<std::string> Sign(EVP_PKEY* key, absl::string_view message) {
  std::string sig(kSignatureBytes, '\0');
  size_t len = sig.size();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != kSignatureBytes) {
    ERR_clear_error();
    return absl::InternalError("Ed25519 signing failed");
  }
  return sig;
}

bool Verify(EVP_PKEY* key, absl::string_view signature, absl::string_view message) {
  if (signature.size() != kSignatureBytes) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx != nullptr && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::string PrivatePem(EVP_PKEY* key) {
  if (key == nullptr) return {};
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<PkeyPtr> LoadOrCreateKeyFile(const std::string& path) {
  constexpr size_t kMaxPemBytes = 4096;
  absl::StatusOr<std::string> pem =
      files::LoadOrCreateSecretFile(path, kMaxPemBytes, []() -> absl::StatusOr<std::string> {
        absl::StatusOr<PkeyPtr> key = Generate();
        if (!key.ok()) return key.status();
        std::string fresh = PrivatePem(key->get());
        if (fresh.empty()) return absl::InternalError("cannot encode the new key as PEM");
        return fresh;
      });
  if (!pem.ok()) return pem.status();
  absl::StatusOr<PkeyPtr> key = FromPrivatePem(*pem, kMaxPemBytes);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!key.ok()) {
    return absl::Status(key.status().code(), absl::StrCat(path, ": ", key.status().message()));
  }
  return key;
}

}  // namespace odr::ed25519

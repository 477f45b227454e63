#include "server/agreement_signer.h"

#include <filesystem>

namespace odr::server {

std::string AgreementKeyPath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "agreements" / "signing-key.pem").string();
}

absl::StatusOr<AgreementSigner> AgreementSigner::Create(const std::string& key_path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(key_path).parent_path(), ec);
  absl::StatusOr<ed25519::PkeyPtr> key = ed25519::LoadOrCreateKeyFile(key_path);
  if (!key.ok()) return key.status();
  unsigned char raw[32];
  size_t len = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(key->get(), raw, &len) != 1 || len != sizeof(raw)) {
    return absl::InternalError("cannot read the agreement signing key's public key");
  }
  std::string public_key(reinterpret_cast<const char*>(raw), len);
  std::string key_id = domain::Sha256Hex(public_key).substr(0, 16);
  return AgreementSigner(std::move(*key), std::move(public_key), std::move(key_id));
}

absl::StatusOr<std::string> AgreementSigner::Sign(absl::string_view statement) const {
  return ed25519::Sign(key_.get(), statement);
}

bool AgreementSigner::Verify(absl::string_view signature, absl::string_view statement) const {
  return ed25519::Verify(key_.get(), signature, statement);
}

}  // namespace odr::server

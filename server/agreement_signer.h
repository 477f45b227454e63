// The server's agreement-signing key (Ed25519, DATA_DIR/agreements/signing-key.pem, created on
// first start): signs each signer's consent statement (docs/adr/0012-agreement-signatures.md).
// `odrd admin agreement-key` prints the public key that courts pin.
#ifndef ODR_SERVER_AGREEMENT_SIGNER_H_
#define ODR_SERVER_AGREEMENT_SIGNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "server/common/ed25519.h"
#include "server/domain/agreement.h"

namespace odr::server {

// The key path under a data dir.
std::string AgreementKeyPath(const std::string& data_dir);

class AgreementSigner final : public domain::StatementSigner {
 public:
  // Loads the key at `key_path`, creating it if absent. Errors name the file.
  static absl::StatusOr<AgreementSigner> Create(const std::string& key_path);

  absl::StatusOr<std::string> Sign(absl::string_view statement) const override;
  std::string KeyId() const override { return key_id_; }
  std::string PublicKey() const override { return public_key_; }
  // Whether `signature` is this key's signature of `statement`.
  bool Verify(absl::string_view signature, absl::string_view statement) const;

 private:
  AgreementSigner(ed25519::PkeyPtr key, std::string public_key, std::string key_id)
      : key_(std::move(key)), public_key_(std::move(public_key)), key_id_(std::move(key_id)) {}

  ed25519::PkeyPtr key_;
  std::string public_key_;
  std::string key_id_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_AGREEMENT_SIGNER_H_

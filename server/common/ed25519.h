// Ed25519 through OpenSSL 3: key generation, PKCS#8 PEM in and out, signing and verifying. Shared
// by the token-signing keys (server/auth) and the evidence log's key (server/transparency).
// Functions are thread-safe.
#ifndef ODR_SERVER_COMMON_ED25519_H_
#define ODR_SERVER_COMMON_ED25519_H_

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace odr::ed25519 {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// A new key from the OS CSPRNG; INTERNAL if OpenSSL fails.
absl::StatusOr<PkeyPtr> Generate();

// An unencrypted PKCS#8 PEM private key of at most `max_bytes`. INVALID_ARGUMENT ("not a PEM
// private key", "not an Ed25519 private key") otherwise; an encrypted key fails instead of asking
// for a password on the terminal.
absl::StatusOr<PkeyPtr> FromPrivatePem(absl::string_view pem, size_t max_bytes);

inline constexpr size_t kSignatureBytes = 64;

// `key`'s 64-byte signature of `message`; INTERNAL ("Ed25519 signing failed") if OpenSSL fails.
absl::StatusOr<std::string> Sign(EVP_PKEY* key, absl::string_view message);

// Whether `signature` is `key`'s signature of `message` (false for a wrong-size signature).
bool Verify(EVP_PKEY* key, absl::string_view signature, absl::string_view message);

// The key as PKCS#8 PEM, built in a secure-memory BIO (cleared when freed); "" on failure.
std::string PrivatePem(EVP_PKEY* key);

// The key in the PEM file at `path`, created (mode 0600, exclusively) with a new key if absent.
// Errors name the file.
absl::StatusOr<PkeyPtr> LoadOrCreateKeyFile(const std::string& path);

}  // namespace odr::ed25519

#endif  // ODR_SERVER_COMMON_ED25519_H_

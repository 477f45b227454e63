// API keys: generation, and storage only as a salted slow hash (scrypt, OpenSSL 3).
#ifndef ODR_SERVER_AUTH_SECRETS_H_
#define ODR_SERVER_AUTH_SECRETS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace odr::auth {

// A new API key: "odr_" followed by 43 base64url characters (32 bytes from the OS CSPRNG).
std::string NewApiKey();

// Cost of HashSecret. Tests may use cheaper parameters; production uses the defaults.
struct ScryptParams {
  uint64_t n = 1 << 15;
  uint64_t r = 8;
  uint64_t p = 1;
};

// "scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>" with a fresh 16-byte salt and a 32-byte hash.
absl::StatusOr<std::string> HashSecret(absl::string_view secret, ScryptParams params = {});

// True if `secret` matches `encoded` (as made by HashSecret, with the parameters it records).
// Constant-time comparison; false for malformed `encoded`. Thread-safe.
bool VerifySecret(absl::string_view secret, absl::string_view encoded);

}  // namespace odr::auth

#endif  // ODR_SERVER_AUTH_SECRETS_H_

// Bearer tokens: compact JWS (JWT) signed with Ed25519 ("alg":"EdDSA", RFC 8037), with a key id
// for rotation. The algorithm is pinned: a token naming any other "alg" is refused.
#ifndef ODR_SERVER_AUTH_TOKEN_H_
#define ODR_SERVER_AUTH_TOKEN_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace odr::auth {

struct TokenClaims {
  std::string issuer;     // iss
  std::string audience;   // aud (a single string)
  std::string subject;    // sub: the principal id
  std::string token_id;   // jti
  absl::Time issued_at;   // iat
  absl::Time not_before;  // nbf
  absl::Time expires_at;  // exp
};

// Limits on what Verify reads, so hostile input costs little.
inline constexpr size_t kMaxTokenBytes = 4096;

// An Ed25519 key pair with its key id. Movable, not copyable.
class SigningKey {
 public:
  // A fresh key from the OS CSPRNG. `kid`: 1-64 of [A-Za-z0-9_-].
  static absl::StatusOr<SigningKey> Generate(absl::string_view kid);
  // From a PKCS#8 PEM private key. INVALID_ARGUMENT if not an Ed25519 key.
  static absl::StatusOr<SigningKey> FromPrivatePem(absl::string_view kid, absl::string_view pem);
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  const std::string& kid() const { return kid_; }
  std::string PrivatePem() const;

 private:
  friend class KeyRing;
  SigningKey(std::string kid, void* pkey) : kid_(std::move(kid)), pkey_(pkey) {}
  std::string kid_;
  void* pkey_ = nullptr;  // EVP_PKEY*
};

// The keys odrd signs and verifies with. Thread-safe: Sign and Verify may run concurrently with
// each other and with Add.
class KeyRing {
 public:
  KeyRing();
  ~KeyRing();

  // Adds a key for verification; with `current`, new tokens are signed with it.
  // ALREADY_EXISTS if the kid is taken.
  absl::Status Add(SigningKey key, bool current);

  // Signs `claims` with the current key: base64url(header).base64url(payload).base64url(sig),
  // header {"alg":"EdDSA","typ":"JWT","kid":...}. FAILED_PRECONDITION if there is no current key.
  absl::StatusOr<std::string> Sign(const TokenClaims& claims) const;

  // Verifies signature (by kid), alg == "EdDSA", iss == issuer, aud == audience,
  // nbf - leeway <= now < exp + leeway. UNAUTHENTICATED with a short reason otherwise (never
  // echoing the token). Tokens over kMaxTokenBytes are refused before parsing.
  absl::StatusOr<TokenClaims> Verify(absl::string_view token, absl::string_view issuer,
                                     absl::string_view audience, absl::Time now,
                                     absl::Duration leeway) const;

  // Keys in `dir` (created 0700 if absent): one `<kid>.pem` per key (0600), and `current`
  // naming the signing key. Creates a first key if there is none.
  static absl::StatusOr<std::unique_ptr<KeyRing>> LoadOrCreate(const std::string& dir);

  // Generates a new key in `dir`, makes it current (old keys stay for verification until their
  // files are deleted), and returns its kid.
  static absl::StatusOr<std::string> Rotate(const std::string& dir);

 private:
  mutable std::mutex mu_;
  std::map<std::string, SigningKey> keys_;
  std::string current_;
};

}  // namespace odr::auth

#endif  // ODR_SERVER_AUTH_TOKEN_H_

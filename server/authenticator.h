// Authentication: who is calling. A bearer token (Ed25519 JWT, see auth/token.h) in the
// `authorization` metadata, or a client certificate (mutual TLS) whose name maps to a principal.
// A partner app may add `x-odr-on-behalf-of: principals/{citizen}` for a citizen linked to it.
#ifndef ODR_SERVER_AUTHENTICATOR_H_
#define ODR_SERVER_AUTHENTICATOR_H_

#include <grpcpp/grpcpp.h>

#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/auth/token.h"
#include "server/domain/clock.h"
#include "server/domain/principal.h"
#include "storage/principal_store.h"

namespace odr::server {

struct AuthConfig {
  std::string issuer = "odrd";
  std::string audience = "odr";
  absl::Duration token_ttl = absl::Hours(1);
  absl::Duration leeway = absl::Seconds(30);
};

struct IssuedToken {
  std::string token;
  absl::Time expires_at;
  domain::Principal principal;
};

inline constexpr char kAuthorizationHeader[] = "authorization";
inline constexpr char kOnBehalfOfHeader[] = "x-odr-on-behalf-of";

// Thread-safe. Blocks on storage: call on the worker pool.
class Authenticator {
 public:
  // All pointers must outlive the authenticator.
  Authenticator(storage::PrincipalStore* principals, auth::KeyRing* keys, Clock* clock,
                AuthConfig config)
      : principals_(principals), keys_(keys), clock_(clock), config_(std::move(config)) {}

  // The caller of `ctx`: UNAUTHENTICATED without a valid credential (no detail on which part
  // failed beyond a short reason), PERMISSION_DENIED for an on-behalf-of the caller may not use.
  absl::StatusOr<domain::Caller> Authenticate(const grpc::CallbackServerContext* ctx) const;

  // Checks `api_key` against the principal's stored hash and signs a token. UNAUTHENTICATED
  // "invalid principal or API key" for any mismatch; the work is the same whether or not the
  // principal exists.
  absl::StatusOr<IssuedToken> IssueToken(absl::string_view principal_id,
                                         absl::string_view api_key) const;

 private:
  absl::StatusOr<domain::Principal> FromToken(absl::string_view token) const;
  absl::StatusOr<domain::Principal> FromCertificate(const grpc::CallbackServerContext* ctx) const;

  storage::PrincipalStore* principals_;
  auth::KeyRing* keys_;
  Clock* clock_;
  AuthConfig config_;

  // Tokens whose signature verified, until they expire (at most kMaxVerifiedTokens; then the
  // cache starts over).
  struct VerifiedToken {
    std::string subject;
    absl::Time not_before;
    absl::Time expires_at;
  };
  static constexpr size_t kMaxVerifiedTokens = 100'000;
  mutable std::mutex verified_mu_;
  mutable absl::flat_hash_map<std::string, VerifiedToken> verified_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_AUTHENTICATOR_H_

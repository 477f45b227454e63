// Join links for video appointments: a URL from the operator's template with a signed, expiring
// token per participant, so that the video platform admits exactly the people booked, for that
// appointment, around its time. The token is a compact JWS (RFC 7515) signed with Ed25519
// (alg "EdDSA", RFC 8037); the platform verifies it with the public key `odrd admin video-key`
// prints. Claims: iss "odr", aud "odr-video", sub (the participant), apt (the appointment's
// name), nbf (30 minutes before the start), exp (30 minutes after the end).
//
// Thread-safe once constructed.
#ifndef ODR_SERVER_JOIN_TOKEN_H_
#define ODR_SERVER_JOIN_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/common/ed25519.h"

namespace odr::server {

struct JoinClaims {
  std::string appointment;  // cases/{case}/appointments/{a}
  std::string participant;  // applicants/0, principals/{p} ...
  absl::Time not_before;
  absl::Time expires;
};

class JoinTokenSigner {
 public:
  // The key at `key_path` (created if absent) and the link template, which must contain
  // "{token}" and may contain "{appointment}" and "{participant}" (URL-escaped when filled).
  // INVALID_ARGUMENT for a template without {token}.
  static absl::StatusOr<JoinTokenSigner> Create(const std::string& key_path,
                                                std::string url_template);

  // The join link of `participant` for the appointment in `slot`.
  absl::StatusOr<std::string> JoinUri(absl::string_view appointment, absl::string_view participant,
                                      absl::Time start, absl::Time end) const;
  // A signed token with `claims`.
  absl::StatusOr<std::string> Sign(const JoinClaims& claims) const;
  // The claims of a token this signer made, if its signature holds and `now` is inside
  // [nbf, exp); UNAUTHENTICATED otherwise.
  absl::StatusOr<JoinClaims> Verify(absl::string_view token, absl::Time now) const;
  // The public key, PEM (SubjectPublicKeyInfo), for the video platform.
  std::string PublicKeyPem() const;

 private:
  JoinTokenSigner(ed25519::PkeyPtr key, std::string url_template)
      : key_(std::move(key)), template_(std::move(url_template)) {}
  ed25519::PkeyPtr key_;
  std::string template_;
};

// Margins of a token's validity around its appointment.
inline constexpr absl::Duration kJoinEarly = absl::Minutes(30);
inline constexpr absl::Duration kJoinLate = absl::Minutes(30);

}  // namespace odr::server

#endif  // ODR_SERVER_JOIN_TOKEN_H_

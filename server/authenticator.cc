#include "server/authenticator.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/auth/secrets.h"
#include "server/domain/errors.h"

namespace odr::server {
namespace {

absl::Status Unauthenticated(absl::string_view why) {
  return MakeError(absl::StatusCode::kUnauthenticated, "UNAUTHENTICATED", why);
}

std::string Metadata(const grpc::CallbackServerContext* ctx, const char* key, bool* present,
                     bool* repeated) {
  auto range = ctx->client_metadata().equal_range(key);
  *present = range.first != range.second;
  *repeated = *present && std::next(range.first) != range.second;
  if (!*present) return "";
  return std::string(range.first->second.data(), range.first->second.size());
}

// A hash of a random key, verified against when the principal does not exist, so that the
// answer takes as long as for a real principal with a wrong key.
const std::string& DummyHash() {
  static const std::string* hash = new std::string(*auth::HashSecret(auth::NewApiKey()));
  return *hash;
}

}  // namespace

absl::StatusOr<domain::Principal> Authenticator::FromToken(absl::string_view token) const {
  const absl::Time now = clock_->Now();
  std::string subject;
  {
    // A token whose signature was checked before is not checked again while it is valid (the
    // principal is looked up every time, so disabling one still takes effect at once).
    std::lock_guard<std::mutex> lock(verified_mu_);
    auto it = verified_.find(token);
    if (it != verified_.end() && it->second.not_before - config_.leeway <= now &&
        now < it->second.expires_at + config_.leeway) {
      subject = it->second.subject;
    }
  }
  if (subject.empty()) {
    auto claims = keys_->Verify(token, config_.issuer, config_.audience, now, config_.leeway);
    if (!claims.ok()) return Unauthenticated(claims.status().message());
    subject = claims->subject;
    std::lock_guard<std::mutex> lock(verified_mu_);
    if (verified_.size() >= kMaxVerifiedTokens) verified_.clear();
    verified_.emplace(std::string(token),
                      VerifiedToken{claims->subject, claims->not_before, claims->expires_at});
  }
  auto p = principals_->Get(subject);
  if (!p.ok()) {
    if (p.status().code() == absl::StatusCode::kNotFound) {
      return Unauthenticated("the token's principal no longer exists");
    }
    return p.status();
  }
  if (p->disabled) return Unauthenticated("the principal is disabled");
  return p;
}

absl::StatusOr<domain::Principal> Authenticator::FromCertificate(
    const grpc::CallbackServerContext* ctx) const {
  std::shared_ptr<const grpc::AuthContext> auth = ctx->auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) {
    return Unauthenticated("no credentials: send authorization: Bearer <token> (odr auth login)");
  }
  // Subject alternative names; the common name only when there are none (RFC 6125).
  std::vector<std::string> names;
  for (const grpc::string_ref& v : auth->FindPropertyValues("x509_subject_alternative_name")) {
    names.emplace_back(v.data(), v.size());
  }
  if (names.empty()) {
    for (const grpc::string_ref& v : auth->FindPropertyValues("x509_common_name")) {
      names.emplace_back(v.data(), v.size());
    }
  }
  for (const std::string& name : names) {
    auto p = principals_->GetByCertificateName(name);
    if (p.ok() && !p->disabled) return p;
    if (!p.ok() && p.status().code() != absl::StatusCode::kNotFound) return p.status();
  }
  return Unauthenticated("the client certificate is not registered to any principal");
}

absl::StatusOr<domain::Caller> Authenticator::Authenticate(
    const grpc::CallbackServerContext* ctx) const {
  bool present = false, repeated = false;
  std::string header = Metadata(ctx, kAuthorizationHeader, &present, &repeated);
  if (repeated) return Unauthenticated("more than one authorization header");
  absl::StatusOr<domain::Principal> principal;
  if (present) {
    if (header.size() > auth::kMaxTokenBytes + 7) return Unauthenticated("token too large");
    if (!absl::StartsWith(header, "Bearer ")) {
      return Unauthenticated("authorization must be 'Bearer <token>'");
    }
    principal = FromToken(absl::string_view(header).substr(7));
  } else {
    principal = FromCertificate(ctx);
  }
  if (!principal.ok()) return principal.status();

  domain::Caller caller{*principal, std::nullopt};
  std::string on_behalf = Metadata(ctx, kOnBehalfOfHeader, &present, &repeated);
  if (!present) return caller;
  const auto deny = [](absl::string_view why) {
    return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED", why);
  };
  if (repeated || principal->role != domain::Role::kPartnerApp) {
    return deny("only a partner app may act on behalf of a citizen, for one citizen per call");
  }
  if (!absl::StartsWith(on_behalf, "principals/") || on_behalf.size() > 11 + 64) {
    return deny("x-odr-on-behalf-of must be principals/{citizen}");
  }
  const std::string citizen_id = on_behalf.substr(11);
  auto linked = principals_->IsLinked(principal->id, citizen_id);
  if (!linked.ok()) return linked.status();
  auto citizen = *linked ? principals_->Get(citizen_id)
                         : absl::StatusOr<domain::Principal>(absl::NotFoundError(""));
  if (!*linked || !citizen.ok() || citizen->role != domain::Role::kCitizen || citizen->disabled) {
    return deny("this partner app may not act for that citizen");
  }
  return domain::Caller{*citizen, *principal};
}

absl::StatusOr<IssuedToken> Authenticator::IssueToken(absl::string_view principal_id,
                                                      absl::string_view api_key) const {
  auto hash = principals_->GetApiKeyHash(principal_id);
  if (!hash.ok() && hash.status().code() != absl::StatusCode::kNotFound) return hash.status();
  const bool known = hash.ok();
  const bool match = auth::VerifySecret(api_key, known ? *hash : DummyHash());
  if (!known || !match) return Unauthenticated("invalid principal or API key");
  auto p = principals_->Get(principal_id);
  if (!p.ok()) return p.status();
  if (p->disabled) return Unauthenticated("invalid principal or API key");
  const absl::Time now = clock_->Now();
  auth::TokenClaims claims;
  claims.issuer = config_.issuer;
  claims.audience = config_.audience;
  claims.subject = p->id;
  claims.token_id = RandomIdGenerator().NewId();
  claims.issued_at = now;
  claims.not_before = now;
  claims.expires_at = now + config_.token_ttl;
  auto token = keys_->Sign(claims);
  if (!token.ok()) return token.status();
  return IssuedToken{*token, claims.expires_at, *p};
}

}  // namespace odr::server

#include "server/join_token.h"

#include <openssl/bio.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace odr::server {
namespace {

constexpr char kHeader[] = R"({"alg":"EdDSA","typ":"JWT"})";

std::string B64(absl::string_view s) { return absl::WebSafeBase64Escape(s); }

// Percent-encodes all but unreserved characters (RFC 3986).
std::string UrlEscape(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      // Upper-case hex digits, as RFC 3986 recommends.
      absl::StrAppend(&out, "%",
                      absl::AsciiStrToUpper(absl::BytesToHexString(
                          absl::string_view(reinterpret_cast<const char*>(&c), 1))));
    }
  }
  return out;
}

absl::Status Invalid(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("join token rejected: ", why));
}

}  // namespace

absl::StatusOr<JoinTokenSigner> JoinTokenSigner::Create(const std::string& key_path,
                                                        std::string url_template) {
  if (url_template.find("{token}") == std::string::npos) {
    return absl::InvalidArgumentError("--video-url-template must contain {token}");
  }
  absl::StatusOr<ed25519::PkeyPtr> key = ed25519::LoadOrCreateKeyFile(key_path);
  if (!key.ok()) return key.status();
  return JoinTokenSigner(std::move(*key), std::move(url_template));
}

absl::StatusOr<std::string> JoinTokenSigner::Sign(const JoinClaims& claims) const {
  nlohmann::json body = {{"iss", "odr"},
                         {"aud", "odr-video"},
                         {"sub", claims.participant},
                         {"apt", claims.appointment},
                         {"nbf", absl::ToUnixSeconds(claims.not_before)},
                         {"exp", absl::ToUnixSeconds(claims.expires)}};
  const std::string input = absl::StrCat(B64(kHeader), ".", B64(body.dump()));
  absl::StatusOr<std::string> sig = ed25519::Sign(key_.get(), input);
  if (!sig.ok()) return sig.status();
  return absl::StrCat(input, ".", B64(*sig));
}

absl::StatusOr<JoinClaims> JoinTokenSigner::Verify(absl::string_view token, absl::Time now) const {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Invalid("not a compact JWS");
  std::string header, body, sig;
  if (!absl::WebSafeBase64Unescape(parts[0], &header) ||
      !absl::WebSafeBase64Unescape(parts[1], &body) ||
      !absl::WebSafeBase64Unescape(parts[2], &sig)) {
    return Invalid("not base64url");
  }
  // One token, one spelling: base64url without padding and without stray bits in the last
  // character (a lenient decoder would accept several strings for the same bytes).
  if (B64(header) != parts[0] || B64(body) != parts[1] || B64(sig) != parts[2]) {
    return Invalid("not canonical base64url");
  }
  if (header != kHeader) return Invalid("unexpected header");
  if (!ed25519::Verify(key_.get(), sig, absl::StrCat(parts[0], ".", parts[1]))) {
    return Invalid("bad signature");
  }
  try {
    nlohmann::json j = nlohmann::json::parse(body);
    JoinClaims c;
    c.appointment = j.at("apt").get<std::string>();
    c.participant = j.at("sub").get<std::string>();
    c.not_before = absl::FromUnixSeconds(j.at("nbf").get<int64_t>());
    c.expires = absl::FromUnixSeconds(j.at("exp").get<int64_t>());
    if (now < c.not_before) return Invalid("not valid yet");
    if (now >= c.expires) return Invalid("expired");
    return c;
  } catch (const nlohmann::json::exception&) {
    return Invalid("malformed claims");
  }
}

absl::StatusOr<std::string> JoinTokenSigner::JoinUri(absl::string_view appointment,
                                                     absl::string_view participant,
                                                     absl::Time start, absl::Time end) const {
  absl::StatusOr<std::string> token = Sign(
      {std::string(appointment), std::string(participant), start - kJoinEarly, end + kJoinLate});
  if (!token.ok()) return token.status();
  return absl::StrReplaceAll(template_, {{"{token}", *token},
                                         {"{appointment}", UrlEscape(appointment)},
                                         {"{participant}", UrlEscape(participant)}});
}

std::string JoinTokenSigner::PublicKeyPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return "";
  std::string out;
  if (PEM_write_bio_PUBKEY(bio, key_.get()) == 1) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    if (n > 0) out.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  return out;
}

}  // namespace odr::server

// Bearer tokens (server/auth/token.h, KeyRing::Verify) and video join tokens (server/join_token.h,
// JoinTokenSigner::Verify) on hostile input. Invariants: no crash; a token is accepted only if an
// independent Ed25519 check (OpenSSL directly) finds the fixed test key's signature over its first
// two parts, its header names alg EdDSA, every part is canonical base64url, and its claims hold
// (issuer, audience, time); a token signed by the key round-trips its claims, and with any one
// byte changed it is refused.
//
// Input layout: byte 0 picks the mode: verify the rest as a bearer token; as a join token; or
// sign claims taken from the rest (bearer or join), verify, and verify again with one byte changed.
#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "server/auth/token.h"
#include "server/join_token.h"
#include "tests/fuzz/fuzz_util.h"

namespace odr::fuzz {
namespace {

// Test keys, made for this fuzz target only (the corpus holds tokens they signed). Never used
// anywhere else.
constexpr char kBearerKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEICtjP2t332JXbgdz8iVpH8/VCtaK85qPxyu83D2/QP2s\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kJoinKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIF92tawpb5N32kBZxQL84UW8Sj5z0GLFLcf++DkacsXK\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kKid[] = "fuzz-key";
constexpr char kIssuer[] = "odrd";
constexpr char kAudience[] = "odr";
// "Now" for every check: 2026-01-05T00:00:00Z; seeds are valid around it.
const absl::Time kNow = absl::FromUnixSeconds(1767571200);
const absl::Duration kLeeway = absl::Seconds(30);

struct Keys {
  ~Keys() {
    EVP_PKEY_free(bearer_public);
    EVP_PKEY_free(join_public);
  }
  ScratchDir dir;
  auth::KeyRing ring;
  std::unique_ptr<server::JoinTokenSigner> join;
  EVP_PKEY* bearer_public = nullptr;
  EVP_PKEY* join_public = nullptr;
};

Keys* keys = nullptr;

EVP_PKEY* ReadPem(const char* pem) {
  BIO* bio = BIO_new_mem_buf(pem, -1);
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  Check(k != nullptr, "test key PEM");
  return k;
}

// Whether `sig` is `key`'s Ed25519 signature of `message`, by OpenSSL directly.
bool OpenSslVerify(EVP_PKEY* key, const std::string& sig, absl::string_view message) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// The decoded parts of a compact JWS, if each is canonical base64url (no padding, no stray bits).
bool CanonicalParts(absl::string_view token, std::vector<std::string>* parts) {
  std::vector<absl::string_view> p = absl::StrSplit(token, '.');
  if (p.size() != 3) return false;
  parts->clear();
  for (absl::string_view s : p) {
    std::string bytes;
    if (!absl::WebSafeBase64Unescape(s, &bytes) || absl::WebSafeBase64Escape(bytes) != s) {
      return false;
    }
    parts->push_back(bytes);
  }
  return true;
}

// What any accepted token must satisfy, checked independently of the code under test.
void CheckAccepted(absl::string_view token, EVP_PKEY* key, const char* what) {
  std::vector<std::string> parts;
  Check(CanonicalParts(token, &parts), what);
  const size_t signed_len = token.rfind('.');
  Check(OpenSslVerify(key, parts[2], token.substr(0, signed_len)), what);
  const nlohmann::json header = nlohmann::json::parse(parts[0], nullptr, false);
  Check(header.is_object() && header.value("alg", "") == "EdDSA", what);
}

void VerifyBearer(const std::string& token) {
  auto claims = keys->ring.Verify(token, kIssuer, kAudience, kNow, kLeeway);
  if (!claims.ok()) {
    Check(claims.status().code() == absl::StatusCode::kUnauthenticated,
          "a refused bearer token is not UNAUTHENTICATED");
    return;
  }
  CheckAccepted(token, keys->bearer_public, "an accepted bearer token is not signed by the key");
  Check(token.size() <= auth::kMaxTokenBytes, "an over-long bearer token was accepted");
  Check(claims->issuer == kIssuer && claims->audience == kAudience, "bearer: iss/aud not checked");
  Check(kNow < claims->expires_at + kLeeway && kNow >= claims->not_before - kLeeway,
        "bearer: time window not checked");
}

void VerifyJoin(const std::string& token) {
  auto claims = keys->join->Verify(token, kNow);
  if (!claims.ok()) {
    Check(claims.status().code() == absl::StatusCode::kUnauthenticated,
          "a refused join token is not UNAUTHENTICATED");
    return;
  }
  CheckAccepted(token, keys->join_public, "an accepted join token is not signed by the key");
  Check(kNow >= claims->not_before && kNow < claims->expires, "join: time window not checked");
}

// Valid UTF-8 (JSON strings must be): bytes above 0x7f become '?'.
std::string Ascii(std::string s) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) > 0x7f) c = '?';
  }
  return s;
}

absl::Time SomeTime(FuzzedDataProvider* in) {
  return kNow + absl::Seconds(in->ConsumeIntegralInRange<int64_t>(-400000000, 400000000));
}

// Verifies `token` with one byte changed at `at` (to `to`) and checks it is refused, unless the
// change left the same token.
template <typename VerifyFn>
void MutatedRefused(std::string token, size_t at, char to, VerifyFn verify, const char* what) {
  at %= token.size();
  if (token[at] == to) return;
  token[at] = to;
  Check(!verify(token), what);
}

void SignBearer(FuzzedDataProvider* in) {
  auth::TokenClaims c;
  c.issuer = in->ConsumeBool() ? kIssuer : Ascii(in->ConsumeRandomLengthString(20));
  c.audience = in->ConsumeBool() ? kAudience : Ascii(in->ConsumeRandomLengthString(20));
  c.subject = Ascii(in->ConsumeRandomLengthString(80));
  c.token_id = Ascii(in->ConsumeRandomLengthString(40));
  c.issued_at = SomeTime(in);
  c.not_before = SomeTime(in);
  c.expires_at = SomeTime(in);
  const size_t at = in->ConsumeIntegral<size_t>();
  const char to = in->ConsumeIntegral<char>();
  auto token = keys->ring.Sign(c);
  Check(token.ok(), "KeyRing::Sign failed on finite times");
  VerifyBearer(*token);
  auto back = keys->ring.Verify(*token, kIssuer, kAudience, kNow, kLeeway);
  const bool valid = c.issuer == kIssuer && c.audience == kAudience &&
                     kNow < c.expires_at + kLeeway && kNow >= c.not_before - kLeeway &&
                     token->size() <= auth::kMaxTokenBytes;
  Check(back.ok() == valid, "a signed bearer token: accepted exactly when its claims hold");
  if (back.ok()) {
    Check(back->subject == c.subject && back->token_id == c.token_id &&
              back->issued_at == c.issued_at && back->not_before == c.not_before &&
              back->expires_at == c.expires_at,
          "bearer claims do not round-trip");
    MutatedRefused(
        *token, at, to,
        [](const std::string& t) {
          return keys->ring.Verify(t, kIssuer, kAudience, kNow, kLeeway).ok();
        },
        "a bearer token with a byte changed was accepted");
  }
}

void SignJoin(FuzzedDataProvider* in) {
  server::JoinClaims c;
  c.appointment = Ascii(in->ConsumeRandomLengthString(80));
  c.participant = Ascii(in->ConsumeRandomLengthString(40));
  c.not_before = SomeTime(in);
  c.expires = SomeTime(in);
  const size_t at = in->ConsumeIntegral<size_t>();
  const char to = in->ConsumeIntegral<char>();
  auto token = keys->join->Sign(c);
  Check(token.ok(), "JoinTokenSigner::Sign failed");
  VerifyJoin(*token);
  auto back = keys->join->Verify(*token, kNow);
  Check(back.ok() == (kNow >= c.not_before && kNow < c.expires),
        "a signed join token: accepted exactly when its time holds");
  if (back.ok()) {
    Check(back->appointment == c.appointment && back->participant == c.participant &&
              back->not_before == c.not_before && back->expires == c.expires,
          "join claims do not round-trip");
    MutatedRefused(
        *token, at, to, [](const std::string& t) { return keys->join->Verify(t, kNow).ok(); },
        "a join token with a byte changed was accepted");
  }
}

void WriteSeeds(const std::string& dir) {
  auto write = [&](const std::string& name, char mode, const std::string& body) {
    std::ofstream(dir + "/" + name, std::ios::binary) << mode << body;
  };
  auth::TokenClaims c{kIssuer,
                      kAudience,
                      "dev-platform-admin",
                      "jti-1",
                      kNow - absl::Minutes(5),
                      kNow - absl::Minutes(5),
                      kNow + absl::Hours(1)};
  write("bearer-valid", 0, *keys->ring.Sign(c));
  c.expires_at = kNow - absl::Hours(1);
  write("bearer-expired", 0, *keys->ring.Sign(c));
  c = {"other", kAudience, "x", "j", kNow, kNow, kNow + absl::Hours(1)};
  write("bearer-other-issuer", 0, *keys->ring.Sign(c));
  const std::string none_header = absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})");
  write("bearer-alg-none", 0,
        none_header + "." + absl::WebSafeBase64Escape(R"({"sub":"x"})") + ".");
  server::JoinClaims j{"cases/id000001/appointments/id000002", "applicants/0",
                       kNow - absl::Minutes(30), kNow + absl::Hours(2)};
  write("join-valid", 1, *keys->join->Sign(j));
  j.expires = kNow;
  write("join-expired", 1, *keys->join->Sign(j));
  write("sign-bearer", 2, std::string("dev-mediator\0jti\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 30));
  write("sign-join", 3, std::string("cases/a/appointments/b\0applicants/0\0\0\0\0\0\0\0\0", 44));
}

}  // namespace
}  // namespace odr::fuzz

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  using namespace odr::fuzz;
  keys = new Keys();
  auto key = odr::auth::SigningKey::FromPrivatePem(kKid, kBearerKeyPem);
  Check(key.ok(), "bearer test key");
  Check(keys->ring.Add(*std::move(key), /*current=*/true).ok(), "KeyRing::Add");
  const std::string join_path = keys->dir.file("join.pem");
  std::ofstream(join_path) << kJoinKeyPem;
  auto join = odr::server::JoinTokenSigner::Create(join_path, "https://video.invalid/{token}");
  Check(join.ok(), "JoinTokenSigner::Create");
  keys->join = std::make_unique<odr::server::JoinTokenSigner>(*std::move(join));
  keys->bearer_public = ReadPem(kBearerKeyPem);
  keys->join_public = ReadPem(kJoinKeyPem);
  std::atexit([] { delete keys; });  // removes the scratch directory
  // ODR_FUZZ_WRITE_SEEDS=DIR: write the seed inputs (tokens signed by the test keys) to DIR.
  if (const char* dir = std::getenv("ODR_FUZZ_WRITE_SEEDS")) WriteSeeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace odr::fuzz;
  if (size < 1) return 0;
  FuzzedDataProvider in(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      VerifyBearer(in.ConsumeRemainingBytesAsString());
      break;
    case 1:
      VerifyJoin(in.ConsumeRemainingBytesAsString());
      break;
    case 2:
      SignBearer(&in);
      break;
    default:
      SignJoin(&in);
      break;
  }
  return 0;
}

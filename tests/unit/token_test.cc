#include "server/auth/token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;

namespace odr::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr absl::string_view kIss = "odrd";
constexpr absl::string_view kAud = "odr-api";
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

TokenClaims Claims() {
  TokenClaims c;
  c.issuer = std::string(kIss);
  c.audience = std::string(kAud);
  c.subject = "user-1";
  c.token_id = "tok-1";
  c.issued_at = kNow;
  c.not_before = kNow;
  c.expires_at = kNow + absl::Hours(1);
  return c;
}

std::string B64(absl::string_view s) { return absl::WebSafeBase64Escape(s); }

std::string UnB64(absl::string_view s) {
  std::string out;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(s, &out)) << s;
  return out;
}

std::vector<std::string> Parts(absl::string_view token) { return absl::StrSplit(token, '.'); }

// Signs "<b64 header>.<b64 payload>" with `key` directly through OpenSSL, so tests can make
// correctly signed tokens with arbitrary contents.
std::string SignRaw(const SigningKey& key, absl::string_view header, absl::string_view payload) {
  const std::string pem = key.PrivatePem();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EXPECT_NE(pkey, nullptr);
  const std::string input = absl::StrCat(B64(header), ".", B64(payload));
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, pkey), 1);
  EXPECT_EQ(EVP_DigestSign(ctx, sig, &sig_len, reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return absl::StrCat(input, ".",
                      B64(absl::string_view(reinterpret_cast<const char*>(sig), sig_len)));
}

// A PKCS#8 PEM of a freshly generated non-Ed25519 key ("EC", "RSA", "X25519"...).
std::string OtherKeyPem(const char* type, const char* cipher_passphrase = nullptr) {
  EVP_PKEY* pkey = nullptr;
  if (std::string(type) == "EC") {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  } else if (std::string(type) == "RSA") {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  } else {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  }
  EXPECT_NE(pkey, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  const EVP_CIPHER* cipher = cipher_passphrase ? EVP_aes_256_cbc() : nullptr;
  EXPECT_EQ(PEM_write_bio_PrivateKey(
                bio, pkey, cipher, reinterpret_cast<const unsigned char*>(cipher_passphrase),
                cipher_passphrase ? static_cast<int>(std::string(cipher_passphrase).size()) : 0,
                nullptr, nullptr),
            1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(pkey);
  return pem;
}

nlohmann::json Payload() {
  return {{"iss", kIss},       {"aud", kAud},       {"sub", "user-1"},  {"jti", "tok-1"},
          {"iat", 1800000000}, {"nbf", 1800000000}, {"exp", 1800003600}};
}

constexpr absl::string_view kHeader = R"({"alg":"EdDSA","typ":"JWT","kid":"k1"})";

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = SigningKey::Generate("k1");
    ASSERT_THAT(key, IsOk()) << key.status();
    auto copy = SigningKey::FromPrivatePem("k1", key->PrivatePem());
    ASSERT_THAT(copy, IsOk()) << copy.status();
    key1_ = std::make_unique<SigningKey>(*std::move(copy));
    ASSERT_THAT(ring_.Add(*std::move(key), /*current=*/true), IsOk());
  }

  absl::StatusOr<TokenClaims> Verify(absl::string_view token, absl::Time now = kNow,
                                     absl::Duration leeway = absl::ZeroDuration()) const {
    return ring_.Verify(token, kIss, kAud, now, leeway);
  }

  std::string Token(const TokenClaims& c = Claims()) const {
    auto t = ring_.Sign(c);
    EXPECT_THAT(t, IsOk()) << t.status();
    return t.ok() ? *t : "";
  }

  // Expects UNAUTHENTICATED with exactly `reason` (so the token text is never echoed).
  void ExpectRejected(absl::string_view token, absl::string_view reason, absl::Time now = kNow,
                      absl::Duration leeway = absl::ZeroDuration()) const {
    auto r = Verify(token, now, leeway);
    ASSERT_FALSE(r.ok()) << "accepted: " << token;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated) << r.status();
    EXPECT_EQ(r.status().message(), reason) << token;
  }

  KeyRing ring_;
  std::unique_ptr<SigningKey> key1_;  // the same key as ring_'s "k1"
};

TEST_F(TokenTest, RoundTrip) {
  const std::string token = Token();
  EXPECT_THAT(token, Not(HasSubstr("=")));
  EXPECT_LE(token.size(), kMaxTokenBytes);
  const auto parts = Parts(token);
  ASSERT_THAT(parts, SizeIs(3));
  EXPECT_EQ(UnB64(parts[0]), kHeader);
  EXPECT_EQ(UnB64(parts[1]), R"({"iss":"odrd","aud":"odr-api","sub":"user-1","jti":"tok-1",)"
                             R"("iat":1800000000,"nbf":1800000000,"exp":1800003600})");
  EXPECT_EQ(UnB64(parts[2]).size(), 64u);

  auto claims = Verify(token);
  ASSERT_THAT(claims, IsOk()) << claims.status();
  EXPECT_EQ(claims->issuer, kIss);
  EXPECT_EQ(claims->audience, kAud);
  EXPECT_EQ(claims->subject, "user-1");
  EXPECT_EQ(claims->token_id, "tok-1");
  EXPECT_EQ(claims->issued_at, kNow);
  EXPECT_EQ(claims->not_before, kNow);
  EXPECT_EQ(claims->expires_at, kNow + absl::Hours(1));
}

TEST_F(TokenTest, RoundTripWithUnicodeAndQuotesInClaims) {
  TokenClaims c = Claims();
  c.subject = "张三 \"quoted\" \\ /";
  auto claims = Verify(Token(c));
  ASSERT_THAT(claims, IsOk()) << claims.status();
  EXPECT_EQ(claims->subject, c.subject);
}

TEST_F(TokenTest, SignRejectsInvalidUtf8AndInfiniteTimes) {
  TokenClaims c = Claims();
  c.subject = "\xff";
  EXPECT_EQ(ring_.Sign(c).status().code(), absl::StatusCode::kInvalidArgument);
  c = Claims();
  c.expires_at = absl::InfiniteFuture();
  EXPECT_EQ(ring_.Sign(c).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TokenTest, SignRefusesClaimsTooLargeForVerify) {
  TokenClaims c = Claims();
  c.subject = std::string(kMaxTokenBytes, 'a');
  EXPECT_EQ(ring_.Sign(c).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TokenTest, RawSignHelperMakesAcceptedTokens) {
  // Guards the helper the rejection tests rely on.
  EXPECT_THAT(Verify(SignRaw(*key1_, kHeader, Payload().dump())), IsOk());
}

TEST_F(TokenTest, RejectsAlgNoneWithEmptySignature) {
  const std::string token = absl::StrCat(B64(R"({"alg":"none","typ":"JWT","kid":"k1"})"), ".",
                                         B64(Payload().dump()), ".");
  ExpectRejected(token, "token algorithm not allowed");
  ExpectRejected(absl::StrCat(B64(R"({"alg":"none"})"), ".", B64(Payload().dump()), "."),
                 "token algorithm not allowed");
}

TEST_F(TokenTest, RejectsOtherAlgorithmsWithOriginalSignature) {
  const auto parts = Parts(Token());
  for (const char* header : {
           R"({"alg":"HS256","typ":"JWT","kid":"k1"})",
           R"({"alg":"ES256","typ":"JWT","kid":"k1"})",
           R"({"alg":"RS256","typ":"JWT","kid":"k1"})",
           R"({"alg":"none","typ":"JWT","kid":"k1"})",
           R"({"alg":"NONE","typ":"JWT","kid":"k1"})",
           R"({"alg":"eddsa","typ":"JWT","kid":"k1"})",
           R"({"alg":"Ed25519","typ":"JWT","kid":"k1"})",
           R"({"alg":"","typ":"JWT","kid":"k1"})",
           R"({"alg":null,"typ":"JWT","kid":"k1"})",
           R"({"alg":["EdDSA"],"typ":"JWT","kid":"k1"})",
           R"({"typ":"JWT","kid":"k1"})",
       }) {
    SCOPED_TRACE(header);
    ExpectRejected(absl::StrCat(B64(header), ".", parts[1], ".", parts[2]),
                   "token algorithm not allowed");
  }
}

TEST_F(TokenTest, RejectsOtherAlgorithmsEvenWhenProperlySigned) {
  // The alg check does not rely on the signature happening to fail.
  for (const char* header :
       {R"({"alg":"none","typ":"JWT","kid":"k1"})", R"({"alg":"HS256","typ":"JWT","kid":"k1"})"}) {
    SCOPED_TRACE(header);
    ExpectRejected(SignRaw(*key1_, header, Payload().dump()), "token algorithm not allowed");
  }
}

TEST_F(TokenTest, RejectsWrongTypAndCrit) {
  ExpectRejected(SignRaw(*key1_, R"({"alg":"EdDSA","typ":"at+jwt","kid":"k1"})", Payload().dump()),
                 "token type not allowed");
  ExpectRejected(SignRaw(*key1_, R"({"alg":"EdDSA","typ":7,"kid":"k1"})", Payload().dump()),
                 "token type not allowed");
  ExpectRejected(
      SignRaw(*key1_, R"({"alg":"EdDSA","typ":"JWT","kid":"k1","crit":["b64"],"b64":false})",
              Payload().dump()),
      "token header invalid");
  // typ is optional.
  EXPECT_THAT(Verify(SignRaw(*key1_, R"({"alg":"EdDSA","kid":"k1"})", Payload().dump())), IsOk());
}

TEST_F(TokenTest, RejectsTamperedPayload) {
  const std::string token = Token();
  const auto parts = Parts(token);
  // Another subject, same header and signature.
  nlohmann::json p = Payload();
  p["sub"] = "admin";
  ExpectRejected(absl::StrCat(parts[0], ".", B64(p.dump()), ".", parts[2]),
                 "token signature invalid");
  // One character of the encoded payload changed.
  std::string tampered = token;
  const size_t i = parts[0].size() + 5;
  tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
  ExpectRejected(tampered, "token signature invalid");
}

TEST_F(TokenTest, RejectsTamperedSignature) {
  const auto parts = Parts(Token());
  std::string sig = UnB64(parts[2]);
  for (size_t i : {size_t{0}, size_t{31}, size_t{63}}) {
    std::string bad = sig;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    ExpectRejected(absl::StrCat(parts[0], ".", parts[1], ".", B64(bad)), "token signature invalid");
  }
  ExpectRejected(absl::StrCat(parts[0], ".", parts[1], ".", B64(sig.substr(0, 63))),
                 "token signature invalid");
  ExpectRejected(absl::StrCat(parts[0], ".", parts[1], ".", B64(sig + "x")),
                 "token signature invalid");
  ExpectRejected(absl::StrCat(parts[0], ".", parts[1], ".", B64(std::string(64, '\0'))),
                 "token signature invalid");
  ExpectRejected(absl::StrCat(parts[0], ".", parts[1], "."), "token signature invalid");
}

TEST_F(TokenTest, RejectsNonCanonicalSignatureEncoding) {
  // 64 bytes -> 86 characters; the last one carries 4 unused bits that must be zero. Setting one
  // decodes to the same bytes with a lenient decoder, which would make tokens malleable.
  const auto parts = Parts(Token());
  std::string sig = std::string(parts[2]);
  ASSERT_THAT(sig, SizeIs(86));
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const size_t v = alphabet.find(sig.back());
  ASSERT_EQ(v & 0x0F, 0u);
  sig.back() = alphabet[v | 0x01];
  ExpectRejected(absl::StrCat(parts[0], ".", parts[1], ".", sig), "token signature invalid");
  // Padding is not part of base64url in JWS.
  ExpectRejected(absl::StrCat(parts[0], ".", parts[1], ".", parts[2], "=="),
                 "token signature invalid");
}

TEST_F(TokenTest, RejectsUnknownOrMissingKid) {
  ExpectRejected(SignRaw(*key1_, R"({"alg":"EdDSA","typ":"JWT","kid":"k2"})", Payload().dump()),
                 "token key unknown");
  ExpectRejected(SignRaw(*key1_, R"({"alg":"EdDSA","typ":"JWT"})", Payload().dump()),
                 "token key id missing");
  ExpectRejected(SignRaw(*key1_, R"({"alg":"EdDSA","typ":"JWT","kid":1})", Payload().dump()),
                 "token key id missing");
  // Same kid, different key.
  auto other = SigningKey::Generate("k1");
  ASSERT_THAT(other, IsOk());
  ExpectRejected(SignRaw(*other, kHeader, Payload().dump()), "token signature invalid");
}

TEST_F(TokenTest, RejectsWrongIssuerOrAudience) {
  const std::string token = Token();
  auto r = ring_.Verify(token, "other-issuer", kAud, kNow, absl::ZeroDuration());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(r.status().message(), "token issuer mismatch");
  r = ring_.Verify(token, kIss, "other-audience", kNow, absl::ZeroDuration());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(r.status().message(), "token audience mismatch");

  TokenClaims c = Claims();
  c.issuer = "odrd2";
  ExpectRejected(Token(c), "token issuer mismatch");
  c = Claims();
  c.audience = "";
  ExpectRejected(Token(c), "token audience mismatch");
}

TEST_F(TokenTest, ExpiryBoundaries) {
  const std::string token = Token();  // exp = kNow + 1h
  const absl::Time exp = kNow + absl::Hours(1);
  EXPECT_THAT(Verify(token, exp - absl::Seconds(1)), IsOk());
  ExpectRejected(token, "token expired", exp);
  ExpectRejected(token, "token expired", exp + absl::Hours(24));
  // With leeway: valid while now < exp + leeway.
  EXPECT_THAT(Verify(token, exp + absl::Seconds(29), absl::Seconds(30)), IsOk());
  EXPECT_TRUE(
      Verify(token, exp + absl::Seconds(30) - absl::Nanoseconds(1), absl::Seconds(30)).ok());
  ExpectRejected(token, "token expired", exp + absl::Seconds(30), absl::Seconds(30));
  // Negative leeway counts as none.
  EXPECT_THAT(Verify(token, exp - absl::Seconds(1), -absl::Seconds(30)), IsOk());
}

TEST_F(TokenTest, NotBeforeBoundaries) {
  TokenClaims c = Claims();
  c.not_before = kNow + absl::Seconds(10);
  const std::string token = Token(c);
  ExpectRejected(token, "token not yet valid", kNow);
  ExpectRejected(token, "token not yet valid", kNow + absl::Seconds(9));
  EXPECT_THAT(Verify(token, kNow + absl::Seconds(10)), IsOk());
  // With leeway: valid from nbf - leeway on.
  EXPECT_THAT(Verify(token, kNow, absl::Seconds(10)), IsOk());
  ExpectRejected(token, "token not yet valid", kNow - absl::Nanoseconds(1), absl::Seconds(10));
  ExpectRejected(token, "token not yet valid", kNow, absl::Seconds(9));
}

TEST_F(TokenTest, RejectsMissingClaims) {
  for (const char* name : {"iss", "aud", "sub", "jti", "iat", "nbf", "exp"}) {
    SCOPED_TRACE(name);
    nlohmann::json p = Payload();
    p.erase(name);
    ExpectRejected(SignRaw(*key1_, kHeader, p.dump()),
                   absl::StrCat("token claim ", name, " missing"));
  }
}

TEST_F(TokenTest, RejectsClaimsOfWrongType) {
  struct Case {
    const char* name;
    nlohmann::json value;
  };
  const std::vector<Case> cases = {
      {"exp", "1800003600"},
      {"exp", 1800003600.0},
      {"exp", 1.8000036e9},
      {"exp", nullptr},
      {"exp", true},
      {"exp", nlohmann::json::array({1800003600})},
      {"exp", 18446744073709551615ull},  // beyond int64
      {"nbf", "0"},
      {"iat", nlohmann::json::object()},
      {"iss", nullptr},
      {"iss", nlohmann::json::array({"odrd"})},
      {"aud", nlohmann::json::array({"odr-api"})},
      {"sub", 42},
      {"jti", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.name, "=", c.value.dump()));
    nlohmann::json p = Payload();
    p[c.name] = c.value;
    ExpectRejected(SignRaw(*key1_, kHeader, p.dump()),
                   absl::StrCat("token claim ", c.name, " invalid"));
  }
}

TEST_F(TokenTest, RejectsArraysAndNonJson) {
  const auto parts = Parts(Token());
  // Header not an object / not JSON (checked before the signature).
  for (const char* header : {R"(["EdDSA","JWT","k1"])", R"("EdDSA")", "42", "null", "not json",
                             R"({"alg":"EdDSA")", "", "\xff\xfe"}) {
    SCOPED_TRACE(header);
    ExpectRejected(absl::StrCat(B64(header), ".", parts[1], ".", parts[2]), "token header invalid");
  }
  // Payload not an object / not JSON, correctly signed.
  for (const char* payload :
       {R"(["odrd","odr-api"])", "[]", "42", "\"x\"", "not json", R"({"iss":"odrd",)", ""}) {
    SCOPED_TRACE(payload);
    ExpectRejected(SignRaw(*key1_, kHeader, payload), "token payload invalid");
  }
}

TEST_F(TokenTest, RejectsWrongNumberOfParts) {
  const std::string token = Token();
  const auto parts = Parts(token);
  ExpectRejected(absl::StrCat(parts[0], ".", parts[1]), "token malformed");
  ExpectRejected(parts[0], "token malformed");
  ExpectRejected(absl::StrCat(token, ".x"), "token malformed");
  ExpectRejected(absl::StrCat(token, "."), "token malformed");
  ExpectRejected(absl::StrCat(parts[0], ".", parts[1], ".", parts[1], ".", parts[2]),
                 "token malformed");
}

TEST_F(TokenTest, RejectsBadBase64) {
  const auto parts = Parts(Token());
  const std::string header(parts[0]);
  // Standard-alphabet characters, padding, whitespace, impossible length.
  for (const std::string& bad :
       {header + "+", header + "/", header + "=", header + "==", " " + header, header + "\n",
        header.substr(0, header.size() - 1) + "!", std::string("A")}) {
    SCOPED_TRACE(bad);
    ExpectRejected(absl::StrCat(bad, ".", parts[1], ".", parts[2]), "token malformed");
  }
  // The header in standard base64, which here needs padding ("...In0=").
  const std::string padded = absl::Base64Escape(kHeader);
  ASSERT_EQ(padded.back(), '=');
  ExpectRejected(absl::StrCat(padded, ".", parts[1], ".", parts[2]), "token malformed");
  // A header encoding with unused bits set ("In0" -> "In1") decodes leniently to the same bytes.
  ASSERT_EQ(header.substr(header.size() - 3), "In0");
  ExpectRejected(absl::StrCat(header.substr(0, header.size() - 1), "1.", parts[1], ".", parts[2]),
                 "token malformed");
}

TEST_F(TokenTest, RejectsGarbage) {
  for (const std::string& garbage :
       {std::string(""), std::string("."), std::string(".."), std::string("..."),
        std::string("a.b.c"), std::string("not a token"), std::string("Bearer x.y.z"),
        std::string("\xe5\xbc\xa0.\xff.\x00", 7), std::string(100, '.'),
        std::string(kMaxTokenBytes, 'A')}) {
    SCOPED_TRACE(garbage);
    auto r = Verify(garbage);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_THAT(std::string(r.status().message()), StartsWith("token "));
    if (garbage.size() > 3) EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr(garbage)));
  }
}

TEST_F(TokenTest, RejectsOversizedTokensBeforeParsing) {
  // A correctly signed token whose padding pushes it over the limit.
  nlohmann::json p = Payload();
  p["pad"] = std::string(kMaxTokenBytes, 'x');
  ExpectRejected(SignRaw(*key1_, kHeader, p.dump()), "token too large");
  ExpectRejected(std::string(8 * 1024, 'A'), "token too large");
  ExpectRejected(absl::StrCat(std::string(kMaxTokenBytes - 1, 'A'), ".."), "token too large");
  // At the limit, it is parsed (and rejected for something else).
  ExpectRejected(std::string(kMaxTokenBytes, 'A'), "token malformed");
}

TEST_F(TokenTest, SignNeedsCurrentKey) {
  KeyRing ring;
  EXPECT_EQ(ring.Sign(Claims()).status().code(), absl::StatusCode::kFailedPrecondition);
  auto key = SigningKey::Generate("verify-only");
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(ring.Add(*std::move(key), /*current=*/false), IsOk());
  EXPECT_EQ(ring.Sign(Claims()).status().code(), absl::StatusCode::kFailedPrecondition);
  // Empty ring: every token's kid is unknown.
  auto r = ring.Verify(Token(), kIss, kAud, kNow, absl::ZeroDuration());
  EXPECT_EQ(r.status().message(), "token key unknown");
}

TEST_F(TokenTest, AddRefusesDuplicateKidAndEmptyKey) {
  auto dup = SigningKey::Generate("k1");
  ASSERT_THAT(dup, IsOk());
  EXPECT_EQ(ring_.Add(*std::move(dup), true).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(Verify(Token()).ok());  // still signing with the original k1

  auto key = SigningKey::Generate("k2");
  ASSERT_THAT(key, IsOk());
  SigningKey moved = *std::move(key);
  EXPECT_EQ(key->PrivatePem(), "");  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(ring_.Add(std::move(*key), true).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TokenTest, NonCurrentKeysVerifyAndCurrentSwitches) {
  const std::string old_token = Token();
  auto k2 = SigningKey::Generate("k2");
  ASSERT_THAT(k2, IsOk());
  ASSERT_THAT(ring_.Add(*std::move(k2), /*current=*/true), IsOk());
  const std::string new_token = Token();
  EXPECT_EQ(UnB64(Parts(new_token)[0]), R"({"alg":"EdDSA","typ":"JWT","kid":"k2"})");
  EXPECT_THAT(Verify(old_token), IsOk());
  EXPECT_THAT(Verify(new_token), IsOk());
}

TEST(SigningKeyTest, RejectsBadKids) {
  for (const std::string& kid :
       {std::string(""), std::string(65, 'a'), std::string("a/b"), std::string("a.b"),
        std::string("../x"), std::string("a b"), std::string("k\n"), std::string("\xc3\xa9")}) {
    SCOPED_TRACE(kid);
    EXPECT_EQ(SigningKey::Generate(kid).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_THAT(SigningKey::Generate(std::string(64, 'a')), IsOk());
  EXPECT_THAT(SigningKey::Generate("Key_2026-01"), IsOk());
}

TEST(SigningKeyTest, PemRoundTrip) {
  auto key = SigningKey::Generate("a");
  ASSERT_THAT(key, IsOk());
  const std::string pem = key->PrivatePem();
  EXPECT_THAT(pem, StartsWith("-----BEGIN PRIVATE KEY-----\n"));
  EXPECT_THAT(pem, HasSubstr("-----END PRIVATE KEY-----"));
  auto copy = SigningKey::FromPrivatePem("b", pem);
  ASSERT_THAT(copy, IsOk()) << copy.status();
  EXPECT_EQ(copy->kid(), "b");
  EXPECT_EQ(copy->PrivatePem(), pem);
  // Two fresh keys differ.
  auto other = SigningKey::Generate("a");
  ASSERT_THAT(other, IsOk());
  EXPECT_NE(other->PrivatePem(), pem);
}

TEST(SigningKeyTest, MoveAssignment) {
  auto a = SigningKey::Generate("a");
  auto b = SigningKey::Generate("b");
  ASSERT_TRUE(a.ok() && b.ok());
  const std::string pem_b = b->PrivatePem();
  SigningKey x = *std::move(a);
  x = *std::move(b);
  EXPECT_EQ(x.kid(), "b");
  EXPECT_EQ(x.PrivatePem(), pem_b);
}

TEST(SigningKeyTest, FromPrivatePemRejectsOtherKeys) {
  for (const char* type : {"EC", "RSA", "X25519", "ED448"}) {
    SCOPED_TRACE(type);
    const std::string pem = OtherKeyPem(type);
    ASSERT_THAT(pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
    auto key = SigningKey::FromPrivatePem("k", pem);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(key.status().message(), "not an Ed25519 private key");
  }
}

TEST(SigningKeyTest, FromPrivatePemRejectsGarbageAndEncryptedKeys) {
  for (const std::string& pem : {std::string(""), std::string("hello"),
                                 std::string("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                             "-----END PRIVATE KEY-----\n"),
                                 OtherKeyPem("ED25519", "passphrase")}) {
    auto key = SigningKey::FromPrivatePem("k", pem);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(key.status().message()), Not(HasSubstr("AAAA")));
  }
}

TEST(KeyRingConcurrencyTest, SignVerifyAndAddInParallel) {
  KeyRing ring;
  auto key = SigningKey::Generate("k0");
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(ring.Add(*std::move(key), true), IsOk());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto token = ring.Sign(Claims());
        if (!token.ok() || !ring.Verify(*token, kIss, kAud, kNow, absl::ZeroDuration()).ok()) {
          ++failures;
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 1; i <= 20; ++i) {
      auto k = SigningKey::Generate(absl::StrCat("k", i));
      if (!k.ok() || !ring.Add(*std::move(k), true).ok()) ++failures;
    }
  });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// --- Key directory -----------------------------------------------------------------------------

mode_t Mode(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path);
  out << contents;
}

std::set<std::string> PemFiles(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".pem") out.insert(e.path().filename().string());
  }
  return out;
}

std::string KidOf(absl::string_view token) {
  return nlohmann::json::parse(UnB64(Parts(token)[0]))["kid"].get<std::string>();
}

class KeyDirTest : public ::testing::Test {
 protected:
  std::string Dir() const { return tmp_.file("keys"); }
  odr::testing::TempDir tmp_;
};

TEST_F(KeyDirTest, CreatesDirKeyAndCurrent) {
  auto ring = KeyRing::LoadOrCreate(Dir());
  ASSERT_THAT(ring, IsOk()) << ring.status();
  EXPECT_EQ(Mode(Dir()), 0700u);
  const auto pems = PemFiles(Dir());
  ASSERT_THAT(pems, SizeIs(1));
  const std::string file = *pems.begin();
  const std::string kid = file.substr(0, file.size() - 4);
  EXPECT_THAT(kid, StartsWith("k"));
  EXPECT_EQ(Mode(Dir() + "/" + file), 0600u);
  EXPECT_EQ(ReadFile(Dir() + "/current"), kid + "\n");
  EXPECT_THAT(ReadFile(Dir() + "/" + file), StartsWith("-----BEGIN PRIVATE KEY-----"));

  auto token = (*ring)->Sign(Claims());
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(KidOf(*token), kid);

  // Loading again finds the same key and creates nothing.
  auto again = KeyRing::LoadOrCreate(Dir());
  ASSERT_THAT(again, IsOk()) << again.status();
  EXPECT_EQ(PemFiles(Dir()), pems);
  EXPECT_THAT((*again)->Verify(*token, kIss, kAud, kNow, absl::ZeroDuration()), IsOk());
  auto token2 = (*again)->Sign(Claims());
  ASSERT_THAT(token2, IsOk());
  EXPECT_EQ(KidOf(*token2), kid);
}

TEST_F(KeyDirTest, RotateKeepsOldKeysForVerification) {
  auto ring1 = KeyRing::LoadOrCreate(Dir());
  ASSERT_THAT(ring1, IsOk()) << ring1.status();
  auto old_token = (*ring1)->Sign(Claims());
  ASSERT_THAT(old_token, IsOk());

  auto kid2 = KeyRing::Rotate(Dir());
  ASSERT_THAT(kid2, IsOk()) << kid2.status();
  EXPECT_NE(*kid2, KidOf(*old_token));
  EXPECT_EQ(ReadFile(Dir() + "/current"), *kid2 + "\n");
  EXPECT_EQ(Mode(Dir() + "/" + *kid2 + ".pem"), 0600u);

  auto ring2 = KeyRing::LoadOrCreate(Dir());
  ASSERT_THAT(ring2, IsOk()) << ring2.status();
  EXPECT_THAT((*ring2)->Verify(*old_token, kIss, kAud, kNow, absl::ZeroDuration()), IsOk());
  auto new_token = (*ring2)->Sign(Claims());
  ASSERT_THAT(new_token, IsOk());
  EXPECT_EQ(KidOf(*new_token), *kid2);
  // The ring loaded before the rotation does not know the new key.
  auto r = (*ring1)->Verify(*new_token, kIss, kAud, kNow, absl::ZeroDuration());
  EXPECT_EQ(r.status().message(), "token key unknown");

  // Rotations within the same second still get distinct kids.
  auto kid3 = KeyRing::Rotate(Dir());
  auto kid4 = KeyRing::Rotate(Dir());
  ASSERT_TRUE(kid3.ok() && kid4.ok());
  EXPECT_NE(*kid3, *kid4);
  EXPECT_THAT(PemFiles(Dir()), SizeIs(4));
  // No temporary files are left behind.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(Dir())) ++entries;
  EXPECT_EQ(entries, 5);
}

TEST_F(KeyDirTest, RotateCreatesTheDirectory) {
  auto kid = KeyRing::Rotate(Dir());
  ASSERT_THAT(kid, IsOk()) << kid.status();
  EXPECT_EQ(Mode(Dir()), 0700u);
  auto ring = KeyRing::LoadOrCreate(Dir());
  ASSERT_THAT(ring, IsOk()) << ring.status();
  auto token = (*ring)->Sign(Claims());
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(KidOf(*token), *kid);
}

TEST_F(KeyDirTest, LoadsKeysWrittenByHand) {
  ASSERT_EQ(::mkdir(Dir().c_str(), 0700), 0);
  auto a = SigningKey::Generate("alpha");
  auto b = SigningKey::Generate("beta");
  ASSERT_TRUE(a.ok() && b.ok());
  WriteFile(Dir() + "/alpha.pem", a->PrivatePem());
  WriteFile(Dir() + "/beta.pem", b->PrivatePem());
  WriteFile(Dir() + "/current", "alpha\n");
  WriteFile(Dir() + "/README", "not a key");
  auto ring = KeyRing::LoadOrCreate(Dir());
  ASSERT_THAT(ring, IsOk()) << ring.status();
  auto token = (*ring)->Sign(Claims());
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(KidOf(*token), "alpha");

  KeyRing b_only;
  ASSERT_THAT(b_only.Add(*std::move(b), true), IsOk());
  auto b_token = b_only.Sign(Claims());
  ASSERT_THAT(b_token, IsOk());
  EXPECT_THAT((*ring)->Verify(*b_token, kIss, kAud, kNow, absl::ZeroDuration()), IsOk());
}

TEST_F(KeyDirTest, MissingCurrentPicksNewestKid) {
  ASSERT_EQ(::mkdir(Dir().c_str(), 0700), 0);
  for (const char* kid : {"k20250101000000", "k20260101000000"}) {
    auto key = SigningKey::Generate(kid);
    ASSERT_THAT(key, IsOk());
    WriteFile(Dir() + "/" + kid + ".pem", key->PrivatePem());
  }
  auto ring = KeyRing::LoadOrCreate(Dir());
  ASSERT_THAT(ring, IsOk()) << ring.status();
  auto token = (*ring)->Sign(Claims());
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(KidOf(*token), "k20260101000000");
  EXPECT_EQ(ReadFile(Dir() + "/current"), "k20260101000000\n");
}

TEST_F(KeyDirTest, CurrentNamingMissingKeyFails) {
  ASSERT_THAT(KeyRing::LoadOrCreate(Dir()), IsOk());
  WriteFile(Dir() + "/current", "gone\n");
  auto ring = KeyRing::LoadOrCreate(Dir());
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(ring.status().message()), HasSubstr(Dir() + "/current"));

  WriteFile(Dir() + "/current", "../../etc/passwd\n");
  ring = KeyRing::LoadOrCreate(Dir());
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(KeyDirTest, BadKeyFilesFailNamingThePathNotTheContents) {
  ASSERT_THAT(KeyRing::LoadOrCreate(Dir()), IsOk());
  const std::string bad = Dir() + "/bad.pem";
  WriteFile(bad, "-----BEGIN PRIVATE KEY-----\nSECRETSECRETSECRET\n-----END PRIVATE KEY-----\n");
  auto ring = KeyRing::LoadOrCreate(Dir());
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(ring.status().message()), HasSubstr(bad));
  EXPECT_THAT(std::string(ring.status().message()), Not(HasSubstr("SECRET")));

  WriteFile(bad, OtherKeyPem("EC"));
  ring = KeyRing::LoadOrCreate(Dir());
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(ring.status().message()), HasSubstr(bad));
  EXPECT_THAT(std::string(ring.status().message()), HasSubstr("not an Ed25519 private key"));

  std::filesystem::remove(bad);
  WriteFile(Dir() + "/bad name.pem", "x");
  ring = KeyRing::LoadOrCreate(Dir());
  ASSERT_FALSE(ring.ok());
  EXPECT_THAT(std::string(ring.status().message()), HasSubstr("bad name.pem"));
}

TEST_F(KeyDirTest, DirectoryErrorsNameThePath) {
  // A file where the directory should be.
  WriteFile(Dir(), "x");
  auto ring = KeyRing::LoadOrCreate(Dir());
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(ring.status().message()), HasSubstr(Dir()));
  EXPECT_FALSE(KeyRing::Rotate(Dir()).ok());

  // A missing parent.
  const std::string deep = tmp_.file("no/such/keys");
  ring = KeyRing::LoadOrCreate(deep);
  ASSERT_FALSE(ring.ok());
  EXPECT_THAT(std::string(ring.status().message()), HasSubstr(deep));

  EXPECT_FALSE(KeyRing::LoadOrCreate("").ok());
}

}  // namespace
}  // namespace odr::auth

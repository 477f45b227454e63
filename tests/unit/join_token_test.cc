// Join links for video appointments: the signing key file, the link template, and what a token
// proves (the signer's key, the participant and appointment, the time window).
#include "server/join_token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;

namespace odr::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kTemplate[] =
    "https://video.example.com/join?t={token}&a={appointment}&p={participant}";

absl::Time T(int h, int m = 0) {
  return absl::FromCivil(absl::CivilMinute(2031, 3, 10, h, m), absl::FixedTimeZone(8 * 3600));
}

JoinClaims Claims() {
  JoinClaims c;
  c.appointment = "cases/c-1/appointments/a-1";
  c.participant = "applicants/0";
  c.not_before = T(9, 30);
  c.expires = T(11, 30);
  return c;
}

// The query value of `name` in `uri` (no unescaping).
std::string Param(const std::string& uri, const std::string& name) {
  const std::string query = uri.substr(uri.find('?') + 1);
  for (absl::string_view kv : absl::StrSplit(query, '&')) {
    std::pair<std::string, std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    if (p.first == name) return p.second;
  }
  return "";
}

class JoinTokenTest : public ::testing::Test {
 protected:
  JoinTokenSigner Signer(const std::string& url_template = kTemplate) {
    absl::StatusOr<JoinTokenSigner> s = JoinTokenSigner::Create(key_path_, url_template);
    EXPECT_THAT(s, IsOk()) << s.status();
    return std::move(*s);
  }

  odr::testing::TempDir dir_;
  const std::string key_path_ = dir_.file("video.pem");
};

TEST_F(JoinTokenTest, ATemplateWithoutTokenIsInvalid) {
  absl::StatusOr<JoinTokenSigner> s =
      JoinTokenSigner::Create(key_path_, "https://video.example.com/join?a={appointment}");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("{token}"));
  EXPECT_EQ(JoinTokenSigner::Create(key_path_, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(JoinTokenSigner::Create(key_path_, "https://x/{TOKEN}").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(JoinTokenTest, TheKeyFileIsCreatedOnFirstUseAndReused) {
  ASSERT_FALSE(std::filesystem::exists(key_path_));
  JoinTokenSigner first = Signer();
  ASSERT_TRUE(std::filesystem::exists(key_path_));
  const std::string pem = first.PublicKeyPem();
  EXPECT_THAT(pem, StartsWith("-----BEGIN PUBLIC KEY-----"));
  EXPECT_THAT(pem, HasSubstr("-----END PUBLIC KEY-----"));
  // Only the owner may read the private key.
  const auto perms = std::filesystem::status(key_path_).permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);

  JoinTokenSigner second = Signer("https://other.example.com/{token}");
  EXPECT_EQ(second.PublicKeyPem(), pem);
  // A token of one verifies with the other: the same key.
  absl::StatusOr<std::string> token = first.Sign(Claims());
  ASSERT_THAT(token, IsOk()) << token.status();
  EXPECT_THAT(second.Verify(*token, T(10)), IsOk());

  // Another file: another key.
  odr::testing::TempDir other_dir;
  absl::StatusOr<JoinTokenSigner> other =
      JoinTokenSigner::Create(other_dir.file("video.pem"), kTemplate);
  ASSERT_THAT(other, IsOk()) << other.status();
  EXPECT_NE(other->PublicKeyPem(), pem);
}

TEST_F(JoinTokenTest, AKeyFileThatIsNotAKeyIsAnError) {
  {
    std::FILE* f = std::fopen(key_path_.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("not a key\n", f);
    std::fclose(f);
  }
  EXPECT_FALSE(JoinTokenSigner::Create(key_path_, kTemplate).ok());
}

TEST_F(JoinTokenTest, SignAndVerifyRoundTrip) {
  const JoinTokenSigner signer = Signer();
  absl::StatusOr<std::string> token = signer.Sign(Claims());
  ASSERT_THAT(token, IsOk()) << token.status();
  // A compact JWS: three base64url parts, nothing that needs escaping in a URL.
  EXPECT_EQ(std::count(token->begin(), token->end(), '.'), 2);
  for (char ch : *token) {
    EXPECT_TRUE(absl::ascii_isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ||
                ch == '.')
        << ch;
  }
  std::vector<std::string> parts = absl::StrSplit(*token, '.');
  std::string header, body;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[0], &header));
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &body));
  EXPECT_EQ(header, R"({"alg":"EdDSA","typ":"JWT"})");
  EXPECT_THAT(body, HasSubstr(R"("iss":"odr")"));
  EXPECT_THAT(body, HasSubstr(R"("aud":"odr-video")"));
  EXPECT_THAT(body, HasSubstr(R"("sub":"applicants/0")"));
  EXPECT_THAT(body, HasSubstr(R"("apt":"cases/c-1/appointments/a-1")"));
  EXPECT_THAT(body, HasSubstr(absl::StrCat(R"("nbf":)", absl::ToUnixSeconds(T(9, 30)))));
  EXPECT_THAT(body, HasSubstr(absl::StrCat(R"("exp":)", absl::ToUnixSeconds(T(11, 30)))));

  absl::StatusOr<JoinClaims> claims = signer.Verify(*token, T(10));
  ASSERT_THAT(claims, IsOk()) << claims.status();
  EXPECT_EQ(claims->appointment, "cases/c-1/appointments/a-1");
  EXPECT_EQ(claims->participant, "applicants/0");
  EXPECT_EQ(claims->not_before, T(9, 30));
  EXPECT_EQ(claims->expires, T(11, 30));
}

TEST_F(JoinTokenTest, VerifyKeepsToTheTimeWindow) {
  const JoinTokenSigner signer = Signer();
  absl::StatusOr<std::string> token = signer.Sign(Claims());
  ASSERT_THAT(token, IsOk()) << token.status();
  // [nbf, exp).
  EXPECT_EQ(signer.Verify(*token, T(9, 30) - absl::Seconds(1)).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(signer.Verify(*token, T(8)).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(signer.Verify(*token, T(9, 30)), IsOk());
  EXPECT_THAT(signer.Verify(*token, T(11, 30) - absl::Seconds(1)), IsOk());
  EXPECT_EQ(signer.Verify(*token, T(11, 30)).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(signer.Verify(*token, T(12)).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(JoinTokenTest, VerifyRejectsEveryOneCharacterChange) {
  const JoinTokenSigner signer = Signer();
  absl::StatusOr<std::string> token = signer.Sign(Claims());
  ASSERT_THAT(token, IsOk()) << token.status();
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const std::string alphabet(kAlphabet);
  for (size_t i = 0; i < token->size(); ++i) {
    if ((*token)[i] == '.') continue;
    const size_t v = alphabet.find((*token)[i]);
    ASSERT_NE(v, std::string::npos);
    // Flip the lowest and the highest of the character's six bits: the lowest bits of a final
    // character may be padding, which must not be ignored either (a token is one string).
    for (size_t flip : {size_t{1}, size_t{32}}) {
      std::string changed = *token;
      changed[i] = alphabet[v ^ flip];
      absl::StatusOr<JoinClaims> c = signer.Verify(changed, T(10));
      EXPECT_EQ(c.status().code(), absl::StatusCode::kUnauthenticated)
          << "position " << i << " of " << token->size() << ": " << (*token)[i] << " -> "
          << changed[i];
    }
  }
}

TEST_F(JoinTokenTest, VerifyRejectsAPaddedSignature) {
  // Sign makes unpadded base64url (RFC 7515 Section 2); the same signature with "==" is another
  // string for the same token, which a verifier must not accept either.
  const JoinTokenSigner signer = Signer();
  absl::StatusOr<std::string> token = signer.Sign(Claims());
  ASSERT_THAT(token, IsOk()) << token.status();
  EXPECT_EQ(token->find('='), std::string::npos);
  EXPECT_EQ(signer.Verify(*token + "==", T(10)).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(JoinTokenTest, VerifyRejectsMalformedAndForeignTokens) {
  const JoinTokenSigner signer = Signer();
  absl::StatusOr<std::string> token = signer.Sign(Claims());
  ASSERT_THAT(token, IsOk()) << token.status();
  for (const std::string& bad :
       {std::string(""), std::string("a.b"), std::string("a.b.c.d"), *token + ".",
        std::string("!!!.???.***"), *token + "A", token->substr(1)}) {
    EXPECT_EQ(signer.Verify(bad, T(10)).status().code(), absl::StatusCode::kUnauthenticated) << bad;
  }
  // A token of another key.
  odr::testing::TempDir other_dir;
  absl::StatusOr<JoinTokenSigner> other =
      JoinTokenSigner::Create(other_dir.file("video.pem"), kTemplate);
  ASSERT_THAT(other, IsOk()) << other.status();
  absl::StatusOr<std::string> foreign = other->Sign(Claims());
  ASSERT_THAT(foreign, IsOk()) << foreign.status();
  EXPECT_THAT(other->Verify(*foreign, T(10)), IsOk());
  EXPECT_EQ(signer.Verify(*foreign, T(10)).status().code(), absl::StatusCode::kUnauthenticated);
  // Claims of one token with the signature of another.
  JoinClaims longer = Claims();
  longer.expires = T(23);
  absl::StatusOr<std::string> second = signer.Sign(longer);
  ASSERT_THAT(second, IsOk());
  std::vector<std::string> a = absl::StrSplit(*token, '.');
  std::vector<std::string> b = absl::StrSplit(*second, '.');
  EXPECT_EQ(signer.Verify(absl::StrCat(a[0], ".", b[1], ".", a[2]), T(10)).status().code(),
            absl::StatusCode::kUnauthenticated);
  // An unsigned token ("alg":"none").
  const std::string none =
      absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})"), ".", a[1], ".");
  EXPECT_EQ(signer.Verify(none, T(10)).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(JoinTokenTest, JoinUriFillsTheTemplateEscaped) {
  const JoinTokenSigner signer = Signer();
  absl::StatusOr<std::string> uri =
      signer.JoinUri("cases/x/appointments/y", "respondents/0/agents/1", T(10), T(11));
  ASSERT_THAT(uri, IsOk()) << uri.status();
  EXPECT_THAT(*uri, StartsWith("https://video.example.com/join?t="));
  EXPECT_EQ(Param(*uri, "a"), "cases%2Fx%2Fappointments%2Fy");
  EXPECT_EQ(Param(*uri, "p"), "respondents%2F0%2Fagents%2F1");
  EXPECT_THAT(*uri, Not(HasSubstr("{")));
  // The token is valid 30 minutes before the start to 30 minutes after the end, for that
  // participant and appointment.
  absl::StatusOr<JoinClaims> c = signer.Verify(Param(*uri, "t"), T(10));
  ASSERT_THAT(c, IsOk()) << c.status();
  EXPECT_EQ(c->appointment, "cases/x/appointments/y");
  EXPECT_EQ(c->participant, "respondents/0/agents/1");
  EXPECT_EQ(c->not_before, T(10) - kJoinEarly);
  EXPECT_EQ(c->expires, T(11) + kJoinLate);
  EXPECT_EQ(c->not_before, T(9, 30));
  EXPECT_EQ(c->expires, T(11, 30));
  EXPECT_THAT(signer.Verify(Param(*uri, "t"), T(9, 30)), IsOk());
  EXPECT_FALSE(signer.Verify(Param(*uri, "t"), T(11, 30)).ok());
}

TEST_F(JoinTokenTest, JoinUriEscapesAllButUnreservedCharacters) {
  const JoinTokenSigner signer =
      Signer("https://v.example.com/{appointment}/{participant}#{token}");
  absl::StatusOr<std::string> uri =
      signer.JoinUri("a b&c=d?e#f%g.h-i_j~k", "principals/张", T(10), T(11));
  ASSERT_THAT(uri, IsOk()) << uri.status();
  EXPECT_THAT(*uri, StartsWith("https://v.example.com/a%20b%26c%3Dd%3Fe%23f%25g.h-i_j~k/"
                               "principals%2F%E5%BC%A0#"));
  // A template with only {token}, used more than once.
  const JoinTokenSigner twice = Signer("https://v.example.com/{token}/{token}");
  uri = twice.JoinUri("cases/x/appointments/y", "applicants/0", T(10), T(11));
  ASSERT_THAT(uri, IsOk()) << uri.status();
  std::vector<std::string> parts = absl::StrSplit(
      absl::string_view(*uri).substr(std::string("https://v.example.com/").size()), '/');
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], parts[1]);
  EXPECT_THAT(twice.Verify(parts[0], T(10)), IsOk());
}

}  // namespace
}  // namespace odr::server

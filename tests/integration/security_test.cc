// Security properties of the real odrd (issue 3, "Tests"): hostile bearer tokens, API keys never
// stored in clear, mutual TLS, plaintext refused off loopback, per-principal rate limits,
// per-address limits behind a trusted proxy, message-size limits, and the file modes of the data
// dir (issue 17). Every test drives the odrd binary started on port 0 with a temp data dir.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "odr/v1/auth.grpc.pb.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/error.pb.h"
#include "odr/v1/evidence.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "server/auth/token.h"
#include "tests/testing/error_details.h"
#include "tests/testing/evidence_helpers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_auth.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr {
namespace {

using testing::Reason;

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kOpenssl[] = "/usr/bin/openssl";
constexpr char kSqlite3[] = "/usr/bin/sqlite3";

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string Describe(const grpc::Status& s) {
  return absl::StrCat(static_cast<int>(s.error_code()), " ", s.error_message());
}

// A context with a 10 s deadline and the given raw authorization header values (none, one or
// several).
std::unique_ptr<grpc::ClientContext> RawContext(const std::vector<std::string>& authorization) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  for (const std::string& v : authorization) ctx->AddMetadata("authorization", v);
  return ctx;
}

// Claims the server accepts for `subject` (issuer "odrd", audience "odr", valid for an hour).
auth::TokenClaims GoodClaims(const std::string& subject) {
  const absl::Time now = absl::Now();
  auth::TokenClaims c;
  c.issuer = "odrd";
  c.audience = "odr";
  c.subject = subject;
  c.token_id = absl::StrCat("test-", absl::ToUnixNanos(now));
  c.issued_at = now;
  c.not_before = now;
  c.expires_at = now + absl::Hours(1);
  return c;
}

std::string MustSign(const auth::KeyRing& ring, const auth::TokenClaims& claims) {
  auto t = ring.Sign(claims);
  EXPECT_THAT(t, IsOk()) << t.status();
  return t.ok() ? *t : "";
}

std::vector<std::string> Parts(const std::string& token) { return absl::StrSplit(token, '.'); }

std::string B64Decode(absl::string_view in) {
  std::string out;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(in, &out)) << in;
  return out;
}

// ---------------------------------------------------------------------------------------------
// 1. Bearer tokens.

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.file("data");
    alice_key_ = testing::CreatePrincipal(data_, "alice", "org_admin",
                                          {"--organization", "organizations/org-1"});
    testing::CreatePrincipal(data_, "bob", "platform_admin");
    server_ = std::make_unique<testing::OdrdProcess>(data_);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    auth_ = v1::AuthService::NewStub(channel_);
    cases_ = v1::CaseService::NewStub(channel_);
    // The server's own key ring, loaded (not created: odrd made it at start) from DATA_DIR/keys.
    auto ring = auth::KeyRing::LoadOrCreate(data_ + "/keys");
    ASSERT_THAT(ring, IsOk()) << ring.status();
    ring_ = std::move(*ring);
  }

  grpc::Status GetCaller(const std::vector<std::string>& authorization, v1::Principal* out) {
    return auth_->GetCaller(RawContext(authorization).get(), v1::GetCallerRequest(), out);
  }

  grpc::Status ListCases(const std::vector<std::string>& authorization) {
    v1::ListCasesRequest req;
    req.set_page_size(1);
    v1::ListCasesResponse resp;
    return cases_->ListCases(RawContext(authorization).get(), req, &resp);
  }

  // Both an AuthService and a CaseService call with these headers are UNAUTHENTICATED, and the
  // message does not echo the credential.
  void ExpectUnauthenticated(const std::string& what, const std::vector<std::string>& headers) {
    SCOPED_TRACE(what);
    v1::Principal p;
    grpc::Status s = GetCaller(headers, &p);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAUTHENTICATED)) << Describe(s);
    EXPECT_EQ(Reason(s), "UNAUTHENTICATED");
    EXPECT_TRUE(p.name().empty()) << p.name();
    for (const std::string& h : headers) {
      if (h.size() > 24) EXPECT_THAT(s.error_message(), Not(HasSubstr(h.substr(7, 24))));
    }
    grpc::Status c = ListCases(headers);
    EXPECT_THAT(c, StatusIs(grpc::StatusCode::UNAUTHENTICATED)) << Describe(c);
  }

  void ExpectBearerUnauthenticated(const std::string& what, const std::string& token) {
    ExpectUnauthenticated(what, {"Bearer " + token});
  }

  testing::TempDir dir_;
  std::string data_;
  std::string alice_key_;
  std::unique_ptr<testing::OdrdProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<auth::KeyRing> ring_;
};

TEST_F(TokenTest, IssuedTokenWorks) {
  const std::string token = testing::IssueToken(channel_, "alice", alice_key_);
  v1::Principal p;
  grpc::Status s = GetCaller({"Bearer " + token}, &p);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(p.name(), "principals/alice");
  EXPECT_EQ(p.role(), v1::ROLE_ORG_ADMIN);
  EXPECT_EQ(p.organization(), "organizations/org-1");
  EXPECT_THAT(ListCases({"Bearer " + token}), IsOk());
}

// The control for the forged tokens below: a token the test signs with the server's key ring and
// good claims is accepted, so each rejection is due to the one thing changed.
TEST_F(TokenTest, TestSignedTokenWithGoodClaimsWorks) {
  v1::Principal p;
  grpc::Status s = GetCaller({"Bearer " + MustSign(*ring_, GoodClaims("bob"))}, &p);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(p.name(), "principals/bob");
  EXPECT_EQ(p.role(), v1::ROLE_PLATFORM_ADMIN);

  // Expired 10 s ago is still inside the documented 30 s leeway.
  auth::TokenClaims c = GoodClaims("bob");
  c.issued_at = c.not_before = absl::Now() - absl::Hours(1);
  c.expires_at = absl::Now() - absl::Seconds(10);
  s = GetCaller({"Bearer " + MustSign(*ring_, c)}, &p);
  EXPECT_THAT(s, IsOk()) << Describe(s);
}

TEST_F(TokenTest, BadClaimsAreUnauthenticated) {
  const absl::Time now = absl::Now();
  {
    auth::TokenClaims c = GoodClaims("alice");
    c.issued_at = c.not_before = now - absl::Hours(2);
    c.expires_at = now - absl::Minutes(2);  // beyond the 30 s leeway
    ExpectBearerUnauthenticated("expired", MustSign(*ring_, c));
  }
  {
    auth::TokenClaims c = GoodClaims("alice");
    c.not_before = now + absl::Hours(1);
    c.expires_at = now + absl::Hours(2);
    ExpectBearerUnauthenticated("not yet valid", MustSign(*ring_, c));
  }
  {
    auth::TokenClaims c = GoodClaims("alice");
    c.audience = "some-other-service";
    ExpectBearerUnauthenticated("wrong audience", MustSign(*ring_, c));
  }
  {
    auth::TokenClaims c = GoodClaims("alice");
    c.audience = "";
    ExpectBearerUnauthenticated("empty audience", MustSign(*ring_, c));
  }
  {
    auth::TokenClaims c = GoodClaims("alice");
    c.issuer = "evil";
    ExpectBearerUnauthenticated("wrong issuer", MustSign(*ring_, c));
  }
  ExpectBearerUnauthenticated("principal does not exist", MustSign(*ring_, GoodClaims("ghost")));
  ExpectBearerUnauthenticated("empty subject", MustSign(*ring_, GoodClaims("")));
}
TEST_F(TokenTest, ForeignKeysAreUnauthenticated) {
  {
    auth::KeyRing rogue;
    auto key = auth::SigningKey::Generate("rogue");
    ASSERT_THAT(key, IsOk());
    ASSERT_THAT(rogue.Add(*std::move(key), /*current=*/true), IsOk());
    ExpectBearerUnauthenticated("unknown key id", MustSign(rogue, GoodClaims("alice")));
  }
  {
    // A different key that claims the server's own key id.
    std::string kid = ReadBytes(data_ + "/keys/current");
    while (!kid.empty() && (kid.back() == '\n' || kid.back() == '\r')) kid.pop_back();
    ASSERT_FALSE(kid.empty());
    auth::KeyRing rogue;
    auto key = auth::SigningKey::Generate(kid);
    ASSERT_THAT(key, IsOk());
    ASSERT_THAT(rogue.Add(*std::move(key), /*current=*/true), IsOk());
    const std::string token = MustSign(rogue, GoodClaims("alice"));
    ASSERT_THAT(B64Decode(Parts(token)[0]), HasSubstr(kid));
    ExpectBearerUnauthenticated("server's kid, another key", token);
  }
}

TEST_F(TokenTest, TamperedTokensAreUnauthenticated) {
  const std::string token = MustSign(*ring_, GoodClaims("alice"));
  const std::vector<std::string> parts = Parts(token);
  ASSERT_EQ(parts.size(), 3u);
  {
    std::string sig = parts[2];
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    ExpectBearerUnauthenticated("tampered signature",
                                absl::StrCat(parts[0], ".", parts[1], ".", sig));
  }
  {
    ExpectBearerUnauthenticated("truncated signature",
                                absl::StrCat(parts[0], ".", parts[1], ".", parts[2].substr(0, 43)));
  }
  {
    const std::string payload = B64Decode(parts[1]);
    ASSERT_THAT(payload, HasSubstr("\"sub\":\"alice\""));
    const std::string forged =
        absl::StrReplaceAll(payload, {{"\"sub\":\"alice\"", "\"sub\":\"bob\""}});
    ExpectBearerUnauthenticated(
        "tampered payload (sub)",
        absl::StrCat(parts[0], ".", absl::WebSafeBase64Escape(forged), ".", parts[2]));
  }
  {
    // Same payload bytes re-encoded with base64 padding: not the signed text.
    ExpectBearerUnauthenticated("padded payload",
                                absl::StrCat(parts[0], ".", parts[1], "=.", parts[2]));
  }
  ExpectBearerUnauthenticated("extra part", token + ".x");
  ExpectBearerUnauthenticated("two parts", absl::StrCat(parts[0], ".", parts[1]));
}

// HMAC-SHA256 of `data` keyed with `key`, base64url.
std::string HmacSha256(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(mac), len));
}

TEST_F(TokenTest, AlgorithmConfusionIsUnauthenticated) {
  const std::string token = MustSign(*ring_, GoodClaims("alice"));
  const std::vector<std::string> parts = Parts(token);
  ASSERT_EQ(parts.size(), 3u);
  const std::string header = B64Decode(parts[0]);
  ASSERT_THAT(header, HasSubstr("\"alg\":\"EdDSA\""));
  const auto with_alg = [&](const std::string& alg) {
    return absl::WebSafeBase64Escape(absl::StrReplaceAll(
        header, {{"\"alg\":\"EdDSA\"", absl::StrCat("\"alg\":\"", alg, "\"")}}));
  };
  ExpectBearerUnauthenticated("alg none, empty signature",
                              absl::StrCat(with_alg("none"), ".", parts[1], "."));
  ExpectBearerUnauthenticated("alg none, kept signature",
                              absl::StrCat(with_alg("none"), ".", parts[1], ".", parts[2]));
  ExpectBearerUnauthenticated(
      "alg none, no kid",
      absl::StrCat(absl::WebSafeBase64Escape("{\"alg\":\"none\",\"typ\":\"JWT\"}"), ".", parts[1],
                   "."));
  ExpectBearerUnauthenticated("alg HS256, kept signature",
                              absl::StrCat(with_alg("HS256"), ".", parts[1], ".", parts[2]));
  ExpectBearerUnauthenticated("alg eddsa (case)",
                              absl::StrCat(with_alg("eddsa"), ".", parts[1], ".", parts[2]));

  // The classic confusion attack: HS256 keyed with the server's public key, as PEM and raw.
  std::string kid = ReadBytes(data_ + "/keys/current");
  while (!kid.empty() && kid.back() == '\n') kid.pop_back();
  const std::string key_file = absl::StrCat(data_, "/keys/", kid, ".pem");
  testing::CommandResult pem =
      testing::RunCommand({kOpenssl, "pkey", "-in", key_file, "-pubout", "-outform", "PEM"});
  ASSERT_EQ(pem.exit_code, 0) << pem.err;
  testing::CommandResult der =
      testing::RunCommand({kOpenssl, "pkey", "-in", key_file, "-pubout", "-outform", "DER"});
  ASSERT_EQ(der.exit_code, 0) << der.err;
  ASSERT_GE(der.out.size(), 32u);
  const std::string raw = der.out.substr(der.out.size() - 32);
  const std::string signing_input = absl::StrCat(with_alg("HS256"), ".", parts[1]);
  for (const std::string& secret : {pem.out, raw}) {
    ExpectBearerUnauthenticated(
        "alg HS256 keyed with the public key",
        absl::StrCat(signing_input, ".", HmacSha256(secret, signing_input)));
  }
}

TEST_F(TokenTest, GarbageAndOversizedHeadersAreUnauthenticated) {
  ExpectUnauthenticated("no credentials", {});
  ExpectUnauthenticated("Bearer abc", {"Bearer abc"});
  ExpectUnauthenticated("Bearer a.b.c", {"Bearer a.b.c"});
  ExpectUnauthenticated("Bearer ..", {"Bearer .."});
  ExpectUnauthenticated("Basic xyz", {"Basic xyz"});
  ExpectUnauthenticated("Basic with a valid token",
                        {"Basic " + MustSign(*ring_, GoodClaims("alice"))});
  ExpectUnauthenticated("empty Bearer", {"Bearer "});
  ExpectUnauthenticated("Bearer without space", {"Bearer"});
  ExpectUnauthenticated("empty header", {""});
  ExpectUnauthenticated("8 KiB header", {"Bearer " + std::string(8192, 'a')});
  {
    // It reached the authenticator (not refused by the transport).
    v1::Principal p;
    grpc::Status s = GetCaller({"Bearer " + std::string(8192, 'a')}, &p);
    EXPECT_THAT(s.error_message(), HasSubstr("too large"));
  }
  const std::string valid = MustSign(*ring_, GoodClaims("alice"));
  ExpectUnauthenticated("8 KiB after a valid token",
                        {absl::StrCat("Bearer ", valid, std::string(8192 - valid.size(), 'a'))});
}

TEST_F(TokenTest, TwoAuthorizationHeadersAreUnauthenticated) {
  const std::string valid = MustSign(*ring_, GoodClaims("alice"));
  ExpectUnauthenticated("the same valid token twice", {"Bearer " + valid, "Bearer " + valid});
  ExpectUnauthenticated("valid then garbage", {"Bearer " + valid, "Bearer abc"});
  ExpectUnauthenticated("garbage then valid", {"Bearer abc", "Bearer " + valid});
  // Refused as two headers, not as one merged "Bearer x, Bearer x" value.
  v1::Principal p;
  grpc::Status s = GetCaller({"Bearer " + valid, "Bearer " + valid}, &p);
  EXPECT_THAT(s.error_message(), HasSubstr("more than one authorization header"));
}

// Over the server's 16 KiB metadata limit the transport refuses the call (any error will do; gRPC
// also closes that connection, so a call racing on the same channel may see "Socket closed").
// The server keeps serving new connections.
TEST_F(TokenTest, HeaderBeyondMetadataLimitIsRefusedAndServerKeepsServing) {
  v1::Principal p;
  grpc::Status s = GetCaller({"Bearer " + std::string(32 * 1024, 'a')}, &p);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error_code(), grpc::StatusCode::OK);
  EXPECT_TRUE(p.name().empty());
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto fresh =
      grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args);
  s = v1::AuthService::NewStub(fresh)->GetCaller(
      testing::AuthedContext(MustSign(*ring_, GoodClaims("alice"))).get(), {}, &p);
  EXPECT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(p.name(), "principals/alice");
}

// ---------------------------------------------------------------------------------------------
// 2. API keys are stored only as scrypt hashes.

grpc::Status CreateToken(v1::AuthService::Stub* stub, const std::string& principal,
                         const std::string& api_key, v1::CreateTokenResponse* resp) {
  v1::CreateTokenRequest req;
  req.set_principal(principal);
  req.set_api_key(api_key);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return stub->CreateToken(&ctx, req, resp);
}

// Every regular file under `dir`, path -> bytes.
std::vector<std::pair<std::string, std::string>> AllFiles(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.emplace_back(e.path().string(), ReadBytes(e.path().string()));
  }
  return out;
}

TEST(ApiKeyStorageTest, ApiKeysNeverInClearInTheDataDir) {
  testing::TempDir dir;
  const std::string data = dir.file("data");
  struct Account {
    std::string id;
    std::string role;
    std::vector<std::string> extra;
    std::string key;
  };
  std::vector<Account> accounts = {
      {"admin-1", "org_admin", {"--organization", "organizations/org-1"}, ""},
      {"mediator-1", "mediator", {"--organization", "organizations/org-1"}, ""},
      {"court-1", "court", {"--court", "courts/court-1"}, ""},
      {"partner-1", "partner_app", {}, ""},
      {"platform-1", "platform_admin", {}, ""},
      {"citizen-1", "citizen", {"--id-number", "110101199003074514"}, ""},
  };
  for (Account& a : accounts) {
    a.key = testing::CreatePrincipal(data, a.id, a.role, a.extra, testing::KeyHash::kProduction);
    ASSERT_THAT(a.key, StartsWith("odr_")) << a.id;
  }
  testing::CreatePrincipal(
      data, "court-2", "court",
      {"--court", "courts/court-2", "--certificate-name", "court-2.example", "--no-key"});
  // Test and demonstration data only: `--weak-key-hashes`.
  accounts.push_back({"weak-1", "partner_app", {}, ""});
  accounts.back().key = testing::CreatePrincipal(data, "weak-1", "partner_app");

  auto server = std::make_unique<testing::OdrdProcess>(data);
  auto channel = grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials());
  auto stub = v1::AuthService::NewStub(channel);
  for (int round = 0; round < 2; ++round) {
    for (const Account& a : accounts) {
      v1::CreateTokenResponse resp;
      grpc::Status s = CreateToken(stub.get(), "principals/" + a.id, a.key, &resp);
      ASSERT_THAT(s, IsOk()) << a.id << ": " << Describe(s);
      EXPECT_EQ(resp.principal().name(), "principals/" + a.id);
      EXPECT_THAT(resp.access_token(), Not(HasSubstr(a.key.substr(4))));
    }
  }

  // A wrong key for a real principal, a key for a principal with none, and an unknown principal
  // all get the same answer.
  v1::CreateTokenResponse resp;
  const grpc::Status unknown = CreateToken(stub.get(), "principals/ghost", accounts[0].key, &resp);
  EXPECT_THAT(unknown, StatusIs(grpc::StatusCode::UNAUTHENTICATED)) << Describe(unknown);
  EXPECT_FALSE(unknown.error_message().empty());
  EXPECT_EQ(Reason(unknown), "UNAUTHENTICATED");
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {"principals/admin-1", accounts[1].key},            // another principal's key
      {"principals/admin-1", accounts[0].key + "x"},      // one character more
      {"principals/admin-1", accounts[0].key.substr(4)},  // without the odr_ prefix
      {"principals/admin-1", "odr_" + std::string(43, 'A')},
      {"principals/court-2", accounts[0].key},  // a principal without an API key
  };
  for (const auto& [principal, key] : wrong) {
    SCOPED_TRACE(principal + " " + key);
    grpc::Status s = CreateToken(stub.get(), principal, key, &resp);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAUTHENTICATED)) << Describe(s);
    EXPECT_EQ(s.error_message(), unknown.error_message());
    EXPECT_EQ(Reason(s), Reason(unknown));
    EXPECT_THAT(s.error_message(), Not(HasSubstr("admin-1")));
  }

  const auto expect_no_keys = [&](const std::string& when) {
    SCOPED_TRACE(when);
    auto files = AllFiles(data);
    bool saw_db = false;
    for (const auto& [path, bytes] : files) {
      if (absl::EndsWith(path, "/odr.db")) {
        saw_db = true;
        // The hashes themselves are there (in the page, if not yet checkpointed, the WAL).
      }
      for (const Account& a : accounts) {
        EXPECT_EQ(bytes.find(a.key), std::string::npos) << a.id << "'s key in " << path;
        EXPECT_EQ(bytes.find(a.key.substr(4)), std::string::npos)
            << a.id << "'s key body in " << path;
      }
    }
    EXPECT_TRUE(saw_db);
    std::string all;
    for (const auto& [path, bytes] : files) {
      if (absl::StrContains(path, "odr.db")) all += bytes;
    }
    EXPECT_THAT(all, HasSubstr("scrypt$"));
  };
  // While odrd runs (the WAL holds recent pages) and after it stops.
  expect_no_keys("running");
  ASSERT_EQ(server->Stop(), 0);
  expect_no_keys("stopped");

  // Every principal with a key holds an scrypt hash; the certificate-only one holds none.
  testing::CommandResult q = testing::RunCommand(
      {kSqlite3, "-readonly", data + "/odr.db",
       "SELECT id || '|' || ifnull(api_key_hash, 'NULL') FROM principals ORDER BY id"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  std::vector<std::string> rows = absl::StrSplit(q.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), accounts.size() + 1) << q.out;
  for (const std::string& row : rows) {
    std::vector<std::string> f = absl::StrSplit(row, absl::MaxSplits('|', 1));
    ASSERT_EQ(f.size(), 2u) << row;
    if (f[0] == "court-2") {
      EXPECT_EQ(f[1], "NULL");
    } else if (f[0] == "weak-1") {
      EXPECT_THAT(f[1], StartsWith("scrypt$1024$8$1$")) << row;
    } else {
      EXPECT_THAT(f[1], StartsWith("scrypt$32768$8$1$")) << row;  // N = 2^15, r = 8, p = 1
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Mutual TLS.

class MtlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteText(dir_.file("req.cnf"), "[req]\ndistinguished_name = dn\n[dn]\n");
    MakeCa("ca", "odr test CA");
    MakeCa("ca2", "untrusted CA");
    ASSERT_FALSE(HasFatalFailure());
    MakeLeaf("server", "ca", "localhost", "IP:127.0.0.1,DNS:localhost", "serverAuth");
    MakeLeaf("court-x", "ca", "court-x.example", "DNS:court-x.example", "clientAuth");
    MakeLeaf("evil", "ca", "evil.example", "DNS:evil.example", "clientAuth");
    MakeLeaf("court-x-untrusted", "ca2", "court-x.example", "DNS:court-x.example", "clientAuth");
    ASSERT_FALSE(HasFatalFailure());

    data_ = dir_.file("data");
    testing::CreatePrincipal(
        data_, "court-x", "court",
        {"--court", "courts/court-x", "--certificate-name", "court-x.example", "--no-key"});
    admin_key_ = testing::CreatePrincipal(data_, "admin-1", "org_admin",
                                          {"--organization", "organizations/org-1"});
    server_ = std::make_unique<testing::OdrdProcess>(
        data_,
        std::vector<std::string>{"--tls-cert", dir_.file("server.pem"), "--tls-key",
                                 dir_.file("server.key"), "--tls-client-ca", dir_.file("ca.pem")});
  }

  void Openssl(std::vector<std::string> args) {
    args.insert(args.begin(), kOpenssl);
    testing::CommandResult r = testing::RunCommand(args);
    ASSERT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.err;
  }

  void MakeCa(const std::string& name, const std::string& cn) {
    const std::string cnf = dir_.file(name + ".cnf");
    WriteText(cnf, absl::StrCat("[req]\ndistinguished_name = dn\nprompt = no\n"
                                "x509_extensions = v3_ca\n[dn]\nCN = ",
                                cn,
                                "\n[v3_ca]\nbasicConstraints = critical,CA:TRUE\n"
                                "keyUsage = critical,keyCertSign,cRLSign\n"
                                "subjectKeyIdentifier = hash\n"));
    Openssl({"req", "-x509", "-new", "-config", cnf, "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir_.file(name + ".key"), "-out",
             dir_.file(name + ".pem"), "-days", "2"});
  }

  void MakeLeaf(const std::string& name, const std::string& ca, const std::string& cn,
                const std::string& san, const std::string& eku) {
    Openssl({"req", "-new", "-config", dir_.file("req.cnf"), "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir_.file(name + ".key"), "-out",
             dir_.file(name + ".csr"), "-subj", "/CN=" + cn});
    const std::string ext = dir_.file(name + ".ext");
    WriteText(ext,
              absl::StrCat("basicConstraints = critical,CA:FALSE\n"
                           "keyUsage = critical,digitalSignature\n"
                           "extendedKeyUsage = ",
                           eku, "\nsubjectAltName = ", san, "\nauthorityKeyIdentifier = keyid\n"));
    Openssl({"x509", "-req", "-in", dir_.file(name + ".csr"), "-CA", dir_.file(ca + ".pem"),
             "-CAkey", dir_.file(ca + ".key"), "-set_serial", std::to_string(++serial_), "-days",
             "2", "-extfile", ext, "-out", dir_.file(name + ".pem")});
  }

  // A TLS channel that trusts our CA for the server, presenting `client` ("" for none).
  std::shared_ptr<grpc::Channel> TlsChannel(const std::string& client) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadBytes(dir_.file("ca.pem"));
    if (!client.empty()) {
      o.pem_private_key = ReadBytes(dir_.file(client + ".key"));
      o.pem_cert_chain = ReadBytes(dir_.file(client + ".pem"));
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    // No subchannel (and TLS session) shared with the other channels of the test.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(server_->address(), grpc::SslCredentials(o), args);
  }

  grpc::Status GetCaller(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                         v1::Principal* out) {
    return v1::AuthService::NewStub(channel)->GetCaller(testing::AuthedContext(token).get(),
                                                        v1::GetCallerRequest(), out);
  }

  testing::TempDir dir_;
  int serial_ = 1000;
  std::string data_;
  std::string admin_key_;
  std::unique_ptr<testing::OdrdProcess> server_;
};

TEST_F(MtlsTest, TrustedCourtCertificateAuthenticatesAsTheCourt) {
  v1::Principal p;
  grpc::Status s = GetCaller(TlsChannel("court-x"), "", &p);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(p.name(), "principals/court-x");
  EXPECT_EQ(p.role(), v1::ROLE_COURT);
  EXPECT_EQ(p.court(), "courts/court-x");
}

TEST_F(MtlsTest, NoClientCertificateAndNoTokenIsUnauthenticated) {
  v1::Principal p;
  grpc::Status s = GetCaller(TlsChannel(""), "", &p);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAUTHENTICATED)) << Describe(s);
  EXPECT_TRUE(p.name().empty());
}

TEST_F(MtlsTest, CertificateFromUntrustedCaIsRefusedInTheHandshake) {
  v1::Principal p;
  grpc::Status s = GetCaller(TlsChannel("court-x-untrusted"), "", &p);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAVAILABLE)) << Describe(s);
  EXPECT_TRUE(p.name().empty());
}

TEST_F(MtlsTest, TrustedCertificateWithUnregisteredNameIsUnauthenticated) {
  v1::Principal p;
  grpc::Status s = GetCaller(TlsChannel("evil"), "", &p);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAUTHENTICATED)) << Describe(s);
  EXPECT_TRUE(p.name().empty());
}

TEST_F(MtlsTest, BearerTokenWithoutClientCertificateWorks) {
  auto channel = TlsChannel("");
  const std::string token = testing::IssueToken(channel, "admin-1", admin_key_);
  v1::Principal p;
  grpc::Status s = GetCaller(channel, token, &p);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(p.name(), "principals/admin-1");
  EXPECT_EQ(p.role(), v1::ROLE_ORG_ADMIN);
}

// A bad bearer token is not rescued by a good client certificate.
TEST_F(MtlsTest, BadTokenWithGoodCertificateIsUnauthenticated) {
  v1::Principal p;
  grpc::Status s = GetCaller(TlsChannel("court-x"), "abc", &p);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAUTHENTICATED)) << Describe(s);
  EXPECT_TRUE(p.name().empty());
}

TEST_F(MtlsTest, PlaintextClientIsRefused) {
  auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  const std::string token = "irrelevant";
  v1::Principal p;
  grpc::Status s = GetCaller(channel, token, &p);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAVAILABLE)) << Describe(s);
}

// ---------------------------------------------------------------------------------------------
// 4. Plaintext only on loopback.

TEST(PlaintextTest, RefusedOnNonLoopbackAddresses) {
  for (const std::string listen : {"0.0.0.0:0", "[::]:0", ":0", "192.0.2.1:0", "example.com:0"}) {
    SCOPED_TRACE(listen);
    testing::TempDir dir;
    const auto start = std::chrono::steady_clock::now();
    testing::CommandResult r =
        testing::RunCommand({ODRD_PATH, "--listen", listen, "--data-dir", dir.file("data")});
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_THAT(r.err, HasSubstr("start_failed"));
    EXPECT_THAT(r.err, HasSubstr("loopback"));
    EXPECT_THAT(r.err, HasSubstr("--tls-cert"));
  }
}

// A host *name* that starts with "127." is not loopback: DNS may resolve it anywhere, so
// plaintext is refused (".invalid" never resolves).
TEST(PlaintextTest, HostNameStartingWith127IsNotLoopback) {
  testing::TempDir dir;
  testing::CommandResult r = testing::RunCommand(
      {ODRD_PATH, "--listen", "127.0.0.1.invalid:0", "--data-dir", dir.file("data")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("refusing to serve plaintext"));
}

TEST(PlaintextTest, LoopbackStillServesPlaintext) {
  testing::TempDir dir;
  testing::OdrdProcess server(dir.file("data"));
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  v1::Principal p;
  grpc::Status s = v1::AuthService::NewStub(channel)->GetCaller(testing::AuthedContext("").get(),
                                                                v1::GetCallerRequest(), &p);
  // Reachable (the answer is about credentials, not the transport).
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAUTHENTICATED)) << Describe(s);
}

// ---------------------------------------------------------------------------------------------
// 5. Per-principal rate limits.

TEST(RateLimitTest, NoisyPrincipalDoesNotStarveAnother) {
  testing::TempDir dir;
  const std::string data = dir.file("data");
  const std::string noisy_key = testing::CreatePrincipal(data, "noisy", "org_admin",
                                                         {"--organization", "organizations/org-n"});
  const std::string quiet_key = testing::CreatePrincipal(data, "quiet", "org_admin",
                                                         {"--organization", "organizations/org-q"});
  testing::OdrdProcess server(data, {"--rate-limit", "2", "--rate-burst", "5"});
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto stub = v1::AuthService::NewStub(channel);
  const std::string noisy = testing::IssueToken(channel, "noisy", noisy_key);
  const std::string quiet = testing::IssueToken(channel, "quiet", quiet_key);

  int ok = 0, exhausted = 0, quiet_ok = 0;
  std::vector<std::string> quiet_errors;
  const auto quiet_call = [&] {
    v1::Principal p;
    grpc::Status s = stub->GetCaller(testing::AuthedContext(quiet).get(), {}, &p);
    if (s.ok() && p.name() == "principals/quiet") {
      ++quiet_ok;
    } else {
      quiet_errors.push_back(Describe(s));
    }
  };
  for (int i = 0; i < 40; ++i) {
    v1::Principal p;
    grpc::Status s = stub->GetCaller(testing::AuthedContext(noisy).get(), {}, &p);
    if (s.ok()) {
      ++ok;
    } else if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++exhausted;
      EXPECT_EQ(Reason(s), "RATE_LIMITED");
    } else {
      ADD_FAILURE() << "noisy call " << i << ": " << Describe(s);
    }
    if (i == 20) {
      quiet_call();
      quiet_call();
    }
  }
  quiet_call();
  quiet_call();
  EXPECT_GE(exhausted, 20) << ok << " allowed";
  EXPECT_GE(ok, 5);  // the burst
  EXPECT_EQ(quiet_ok, 4) << absl::StrJoin(quiet_errors, "; ");
}

// ---------------------------------------------------------------------------------------------
// 5b. Per-address limits (issue 17, item 4): failed authentication and logins in buckets of their
// own, and the client address a trusted proxy forwards.

// A flood of bad bearer tokens from one address, beyond the failed-authentication limit, leaves
// that address's logins alone.
TEST(AddressLimitTest, GarbageTokensDoNotStarveLogins) {
  testing::TempDir dir;
  const std::string data = dir.file("data");
  const std::string key = testing::CreatePrincipal(data, "admin-1", "org_admin",
                                                   {"--organization", "organizations/org-1"});
  // Buckets of 5, refilled once in 1000 s: per principal, and per address for failed
  // authentication and for logins (which take --rate-limit and --rate-burst unless given their
  // own), so the test does not depend on timing.
  testing::OdrdProcess server(data, {"--rate-limit", "0.001", "--rate-burst", "5"});
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto auth = v1::AuthService::NewStub(channel);

  int unauthenticated = 0, exhausted = 0;
  for (int i = 0; i < 20; ++i) {
    v1::Principal p;
    grpc::Status s = auth->GetCaller(RawContext({absl::StrCat("Bearer garbage.", i)}).get(),
                                     v1::GetCallerRequest(), &p);
    if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      ++unauthenticated;
    } else if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++exhausted;
      EXPECT_EQ(Reason(s), "RATE_LIMITED");
    } else {
      ADD_FAILURE() << "bad token " << i << ": " << Describe(s);
    }
  }
  EXPECT_EQ(unauthenticated, 5);  // the burst
  EXPECT_EQ(exhausted, 15);       // the flood went past the failed-authentication limit

  // A login from the same address still works, and so does its token.
  const auto login = [&](const std::string& api_key, v1::CreateTokenResponse* resp) {
    v1::CreateTokenRequest req;
    req.set_principal("principals/admin-1");
    req.set_api_key(api_key);
    return auth->CreateToken(RawContext({}).get(), req, resp);
  };
  v1::CreateTokenResponse token;
  grpc::Status s = login(key, &token);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  v1::Principal p;
  s = auth->GetCaller(testing::AuthedContext(token.access_token()).get(), v1::GetCallerRequest(),
                      &p);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(p.name(), "principals/admin-1");

  // Logins have a limit of their own: every attempt counts, the successful one above included.
  for (int i = 0; i < 4; ++i) {
    v1::CreateTokenResponse r;
    s = login("odr_wrong", &r);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAUTHENTICATED)) << i << ": " << Describe(s);
  }
  v1::CreateTokenResponse r;
  s = login(key, &r);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED)) << Describe(s);
  EXPECT_EQ(Reason(s), "RATE_LIMITED");
  EXPECT_THAT(s.error_message(), HasSubstr("token requests"));
}

// Behind a trusted proxy, the per-address limits count the client address it forwards in
// x-real-ip: two clients behind it have two buckets (IPv6 clients one per /64). From a peer that is
// not trusted the header is ignored: everyone is the peer.
TEST(AddressLimitTest, TrustedProxyForwardsTheClientAddress) {
  testing::TempDir dir;
  // Failed authentication: buckets of 3, refilled once in 1000 s.
  const std::vector<std::string> limits = {"--auth-failure-rate-limit", "0.001",
                                           "--auth-failure-rate-burst", "3"};
  // A call with a bad token, from `client` (x-real-ip) if not empty.
  const auto bad_call = [](v1::AuthService::Stub* auth, const std::string& client) {
    auto ctx = RawContext({"Bearer garbage"});
    if (!client.empty()) ctx->AddMetadata("x-real-ip", client);
    v1::Principal p;
    return auth->GetCaller(ctx.get(), v1::GetCallerRequest(), &p).error_code();
  };
  constexpr auto kUnauthenticated = grpc::StatusCode::UNAUTHENTICATED;
  constexpr auto kExhausted = grpc::StatusCode::RESOURCE_EXHAUSTED;
  {
    std::vector<std::string> args = limits;
    args.insert(args.end(), {"--trusted-proxy", "10.9.0.0/16", "--trusted-proxy", "127.0.0.1/32"});
    testing::OdrdProcess server(dir.file("trusted"), args);
    auto auth = v1::AuthService::NewStub(
        grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(bad_call(auth.get(), "203.0.113.7"), kUnauthenticated);
    EXPECT_EQ(bad_call(auth.get(), "203.0.113.7"), kExhausted);
    // Another client behind the same proxy: a bucket of its own.
    for (int i = 0; i < 3; ++i) EXPECT_EQ(bad_call(auth.get(), "198.51.100.20"), kUnauthenticated);
    EXPECT_EQ(bad_call(auth.get(), "198.51.100.20"), kExhausted);
    // IPv6 clients count by /64.
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(bad_call(auth.get(), "2001:db8:1:2::a"), kUnauthenticated);
    }
    EXPECT_EQ(bad_call(auth.get(), "2001:db8:1:2::b"), kExhausted);
    EXPECT_EQ(bad_call(auth.get(), "2001:db8:1:3::a"), kUnauthenticated);
    // The proxy's own calls (no header, or one that is not an address) are the proxy's bucket,
    // untouched so far.
    EXPECT_EQ(bad_call(auth.get(), ""), kUnauthenticated);
    EXPECT_EQ(bad_call(auth.get(), "not-an-address"), kUnauthenticated);
    EXPECT_EQ(bad_call(auth.get(), ""), kUnauthenticated);
    EXPECT_EQ(bad_call(auth.get(), ""), kExhausted);
    // A login from a client whose failures are exhausted still works (logins: their own limit).
    v1::CreateTokenRequest req;
    req.set_principal("principals/nobody");
    req.set_api_key("odr_wrong");
    v1::CreateTokenResponse resp;
    auto ctx = RawContext({});
    ctx->AddMetadata("x-real-ip", "203.0.113.7");
    EXPECT_EQ(auth->CreateToken(ctx.get(), req, &resp).error_code(), kUnauthenticated);
  }
  {
    // Without --trusted-proxy: the header is ignored, every call is 127.0.0.1's.
    testing::OdrdProcess server(dir.file("direct"), limits);
    auto auth = v1::AuthService::NewStub(
        grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(bad_call(auth.get(), "203.0.113.7"), kUnauthenticated);
    EXPECT_EQ(bad_call(auth.get(), "198.51.100.20"), kExhausted);
    EXPECT_EQ(bad_call(auth.get(), ""), kExhausted);
  }
}

TEST(AddressLimitTest, TrustedProxyMustBeAnAddressRange) {
  testing::TempDir dir;
  testing::CommandResult r =
      testing::RunCommand({ODRD_PATH, "--listen", "127.0.0.1:0", "--data-dir", dir.file("data"),
                           "--trusted-proxy", "10.1.2.3/8"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("--trusted-proxy"), HasSubstr("10.0.0.0/8")));
  r = testing::RunCommand({ODRD_PATH, "--listen", "127.0.0.1:0", "--data-dir", dir.file("data"),
                           "--trusted-proxy", "nginx.internal"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("nginx.internal"));
}

// ---------------------------------------------------------------------------------------------
// 6. Message-size limit.

TEST(MessageSizeTest, OversizedRequestIsResourceExhaustedAndServerKeepsServing) {
  testing::TempDir dir;
  const std::string data = dir.file("data");
  const std::string key = testing::CreatePrincipal(data, "admin-1", "org_admin",
                                                   {"--organization", "organizations/org-1"});
  testing::OdrdProcess server(data);
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  const std::string token = testing::IssueToken(channel, "admin-1", key);
  auto cases = v1::CaseService::NewStub(channel);
  auto auth = v1::AuthService::NewStub(channel);

  const auto create = [&](size_t summary_bytes) {
    v1::CreateCaseRequest req;
    req.mutable_case_()->set_organization("organizations/org-1");
    req.mutable_case_()->set_summary(std::string(summary_bytes, 'x'));
    v1::Case out;
    return cases->CreateCase(testing::AuthedContext(token).get(), req, &out);
  };
  grpc::Status big = create(5 * 1024 * 1024);
  EXPECT_THAT(big, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED)) << Describe(big);
  // Under the limit the request is parsed (and refused for its content, not its size).
  grpc::Status smaller = create(3 * 1024 * 1024);
  EXPECT_NE(smaller.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << Describe(smaller);
  EXPECT_FALSE(smaller.ok());

  v1::Principal p;
  grpc::Status s = auth->GetCaller(testing::AuthedContext(token).get(), {}, &p);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(p.name(), "principals/admin-1");
}

// ---------------------------------------------------------------------------------------------
// 7. File modes (issue 17, item 9): the data dir holds ID numbers, phones and privileged offers.

// Sets the process's umask (which children inherit) for its lifetime.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t old_;
};

// The mode bits of `path` (-1 if it cannot be read).
int ModeOf(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

// Every directory under `root` (and `root`) that is not 0700 and every other entry that is not
// 0600, with its mode; entries named in `skip` are left out. Entries that vanish meanwhile (an
// upload's staging file) are ignored.
std::vector<std::string> NotPrivate(const std::string& root, const std::set<std::string>& skip) {
  std::vector<std::string> out;
  const auto check = [&out](const std::filesystem::path& p) {
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) return;
    const mode_t want = S_ISDIR(st.st_mode) ? 0700 : 0600;
    if ((st.st_mode & 07777) != want) {
      out.push_back(absl::StrFormat("%s %04o", p.string(), st.st_mode & 07777));
    }
  };
  check(root);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (skip.count(it->path().filename().string()) == 0) check(it->path());
  }
  return out;
}

// A case of zhang (a citizen) before org1 with one uploaded evidence file, on the odrd at
// `address`; `keys` are the API keys of "platform" and "zhang".
void CreateCaseWithEvidence(const std::string& address,
                            const std::map<std::string, std::string>& keys) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  const std::string platform = testing::IssueToken(channel, "platform", keys.at("platform"));
  const std::string zhang = testing::IssueToken(channel, "zhang", keys.at("zhang"));
  v1::Organization org;
  grpc::Status s = v1::RosterService::NewStub(channel)->CreateOrganization(
      testing::AuthedContext(platform).get(), testing::ZhujiOrganization("org1"), &org);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  v1::CreateCaseRequest create;
  *create.mutable_case_() = testing::ZhangAgainstLi("org1");
  v1::Case created;
  s = v1::CaseService::NewStub(channel)->CreateCase(testing::AuthedContext(zhang).get(), create,
                                                    &created);
  ASSERT_THAT(s, IsOk()) << Describe(s);

  const std::string bytes = testing::RandomBytes(5000, 17);
  auto evidence = v1::EvidenceService::NewStub(channel);
  auto ctx = testing::AuthedContext(zhang);
  v1::UploadEvidenceResponse resp;
  auto writer = evidence->UploadEvidence(ctx.get(), &resp);
  v1::UploadEvidenceRequest req;
  v1::UploadEvidenceStart* start = req.mutable_start();
  start->set_parent(created.name());
  start->set_upload_id("u1");
  start->mutable_evidence()->set_file_name("report.pdf");
  start->mutable_evidence()->set_media_type("application/pdf");
  start->set_size_bytes(static_cast<int64_t>(bytes.size()));
  start->set_sha256(testing::Sha256Hex(bytes));
  req.set_write_offset(0);
  req.set_data(bytes);
  req.set_finish_write(true);
  writer->Write(req);
  writer->WritesDone();
  s = writer->Finish();
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(resp.committed_size(), static_cast<int64_t>(bytes.size()));
}

// Under umask 022: `odrd admin` creates the data dir 0700 and odr.db 0600; odrd serving it keeps
// every directory 0700 and every file 0600 (odr.db and its -wal and -shm, keys, evidence blobs,
// the port file); so do `odrd backup` and `odrd restore`.
TEST(FileModeTest, EverythingOdrdCreatesIsPrivateUnderUmask022) {
  ScopedUmask mask(022);
  testing::TempDir dir;
  const std::string data = dir.file("srv/odr");  // neither exists yet
  // Not through testing::OdrdAdmin, which makes the directory itself.
  testing::CommandResult r =
      testing::RunCommand({ODRD_PATH, "admin", "create-principal", "--id", "platform", "--role",
                           "platform_admin", "--data-dir", data});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::string> keys;
  keys["platform"] = r.out.substr(0, r.out.find('\n'));
  EXPECT_EQ(ModeOf(dir.file("srv")), 0700);
  EXPECT_EQ(ModeOf(data), 0700);
  EXPECT_EQ(ModeOf(data + "/odr.db"), 0600);
  keys["zhang"] =
      testing::CreatePrincipal(data, "zhang", "citizen", {"--id-number", testing::kIdZhang});

  // The harness writes its log (odrd.log) into the data dir itself; odrd writes the port file.
  testing::OdrdProcess server(data, {"--rate-limit", "0"});
  CreateCaseWithEvidence(server.address(), keys);
  EXPECT_EQ(ModeOf(data + "/odr.db"), 0600);
  EXPECT_EQ(ModeOf(data + "/odr.db-wal"), 0600);
  EXPECT_EQ(ModeOf(data + "/odr.db-shm"), 0600);
  EXPECT_EQ(ModeOf(data + "/port"), 0600);
  int blobs = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(data + "/evidence/blobs")) {
    if (e.is_regular_file()) ++blobs;
  }
  EXPECT_EQ(blobs, 1);
  EXPECT_THAT(NotPrivate(data, {"odrd.log"}), ::testing::IsEmpty());

  // A backup (taken while odrd serves) and a data dir restored from it.
  r = testing::RunCommand({ODRD_PATH, "backup", "--data-dir", data, dir.file("backups/b1")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ModeOf(dir.file("backups")), 0700);
  EXPECT_THAT(NotPrivate(dir.file("backups/b1"), {}), ::testing::IsEmpty());
  r = testing::RunCommand(
      {ODRD_PATH, "restore", "--data-dir", dir.file("restored/odr"), dir.file("backups/b1")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(NotPrivate(dir.file("restored"), {}), ::testing::IsEmpty());
}

// Under umask 022, odrd serving a data dir that does not exist yet creates it (and its parent)
// 0700, and everything in it private.
TEST(FileModeTest, OdrdCreatesItsDataDirPrivate) {
  ScopedUmask mask(022);
  testing::TempDir dir;
  const std::string data = dir.file("fresh/odr");
  testing::OdrdProcess server(testing::OdrdProcess::RunDir{dir.path()}, data);
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  v1::Principal p;
  grpc::Status s = v1::AuthService::NewStub(channel)->GetCaller(testing::AuthedContext("").get(),
                                                                v1::GetCallerRequest(), &p);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAUTHENTICATED)) << Describe(s);
  EXPECT_EQ(ModeOf(dir.file("fresh")), 0700);
  EXPECT_EQ(ModeOf(data), 0700);
  EXPECT_EQ(ModeOf(data + "/odr.db"), 0600);
  EXPECT_EQ(ModeOf(data + "/odr.db-wal"), 0600);
  EXPECT_EQ(ModeOf(data + "/odr.db-shm"), 0600);
  EXPECT_THAT(NotPrivate(data, {}), ::testing::IsEmpty());
}

// odrd refuses to start on a database others may read, naming the file and the fix; a data dir
// others may enter is a warning in the log.
TEST(FileModeTest, RefusesADatabaseOthersMayRead) {
  constexpr char kTimeout[] = "/usr/bin/timeout";
  if (!std::filesystem::exists(kTimeout)) GTEST_SKIP() << "needs " << kTimeout;
  ScopedUmask mask(022);
  testing::TempDir dir;
  const std::string data = dir.file("data");
  testing::CreatePrincipal(data, "platform", "platform_admin");
  ::chmod(data.c_str(), 0755);
  const std::string db = data + "/odr.db";
  ASSERT_EQ(::chmod(db.c_str(), 0644), 0);
  // (Today's odrd would serve: `timeout` ends it, and the test fails instead of hanging.)
  const auto start = std::chrono::steady_clock::now();
  testing::CommandResult r =
      testing::RunCommand({kTimeout, "-k", "5", "20", ODRD_PATH, "--listen", "127.0.0.1:0",
                           "--data-dir", data, "--shutdown-grace", "1"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("start_failed"), HasSubstr(db), HasSubstr("0644"),
                           HasSubstr("chmod 600")));
  EXPECT_EQ(ModeOf(db), 0644);  // odrd does not change it behind the operator's back

  ASSERT_EQ(::chmod(db.c_str(), 0600), 0);
  {
    testing::OdrdProcess server(data);
    EXPECT_EQ(server.Stop(), 0);
    const std::string log = ReadBytes(server.log_path());
    EXPECT_THAT(
        log, AllOf(HasSubstr("data_dir_mode"), HasSubstr("0755"), HasSubstr("chmod 700 " + data)));
  }
}

}  // namespace
}  // namespace odr

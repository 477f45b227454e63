#include "server/auth/secrets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::auth {
namespace {

using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr ScryptParams kFast{1 << 10, 8, 1};

std::vector<std::string> Fields(absl::string_view encoded) { return absl::StrSplit(encoded, '$'); }

std::string Hash(absl::string_view secret, ScryptParams params = kFast) {
  auto h = HashSecret(secret, params);
  EXPECT_THAT(h, IsOk()) << h.status();
  return h.ok() ? *h : "";
}

// `encoded` with field `i` replaced.
std::string WithField(absl::string_view encoded, size_t i, absl::string_view value) {
  std::vector<std::string> f = Fields(encoded);
  f[i] = std::string(value);
  return absl::StrJoin(f, "$");
}

TEST(NewApiKeyTest, Format) {
  const std::string key = NewApiKey();
  ASSERT_THAT(key, SizeIs(4 + 43));
  EXPECT_THAT(key, StartsWith("odr_"));
  for (char c : key.substr(4)) {
    EXPECT_TRUE(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
  }
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(key.substr(4), &raw));
  EXPECT_THAT(raw, SizeIs(32));
}

TEST(NewApiKeyTest, Unique) {
  std::set<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.insert(NewApiKey());
  EXPECT_THAT(keys, SizeIs(1000));
}

TEST(HashSecretTest, EncodingFormat) {
  const std::string h = Hash("odr_secret");
  const auto f = Fields(h);
  ASSERT_THAT(f, SizeIs(6));
  EXPECT_EQ(f[0], "scrypt");
  EXPECT_EQ(f[1], "1024");
  EXPECT_EQ(f[2], "8");
  EXPECT_EQ(f[3], "1");
  std::string salt, hash;
  ASSERT_TRUE(absl::Base64Unescape(f[4], &salt));
  ASSERT_TRUE(absl::Base64Unescape(f[5], &hash));
  EXPECT_THAT(salt, SizeIs(16));
  EXPECT_THAT(hash, SizeIs(32));
  EXPECT_EQ(h.find("odr_secret"), std::string::npos);
}

TEST(HashSecretTest, SaltedSoEveryHashDiffers) {
  const std::string a = Hash("same secret");
  const std::string b = Hash("same secret");
  EXPECT_NE(a, b);
  EXPECT_NE(Fields(a)[4], Fields(b)[4]);
  EXPECT_NE(Fields(a)[5], Fields(b)[5]);
  EXPECT_TRUE(VerifySecret("same secret", a));
  EXPECT_TRUE(VerifySecret("same secret", b));
}

TEST(HashSecretTest, VerifyTrueAndFalse) {
  const std::string key = NewApiKey();
  const std::string h = Hash(key);
  EXPECT_TRUE(VerifySecret(key, h));
  EXPECT_FALSE(VerifySecret(key + "x", h));
  EXPECT_FALSE(VerifySecret(key.substr(0, key.size() - 1), h));
  EXPECT_FALSE(VerifySecret("", h));
  EXPECT_FALSE(VerifySecret(NewApiKey(), h));
  std::string flipped = key;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifySecret(flipped, h));
}

TEST(HashSecretTest, BinaryAndEmptySecrets) {
  const std::string with_nul("a\0b", 3);
  const std::string h = Hash(with_nul);
  EXPECT_TRUE(VerifySecret(with_nul, h));
  EXPECT_FALSE(VerifySecret(std::string("a\0c", 3), h));
  EXPECT_FALSE(VerifySecret("a", h));

  const std::string empty = Hash("");
  EXPECT_TRUE(VerifySecret("", empty));
  EXPECT_FALSE(VerifySecret(" ", empty));
}

TEST(HashSecretTest, DefaultParams) {
  auto h = HashSecret("odr_default");
  ASSERT_THAT(h, IsOk()) << h.status();
  EXPECT_THAT(*h, StartsWith("scrypt$32768$8$1$"));
  EXPECT_TRUE(VerifySecret("odr_default", *h));
  EXPECT_FALSE(VerifySecret("odr_defaulT", *h));
}

TEST(HashSecretTest, VerifyUsesRecordedParams) {
  const std::string h = Hash("s", ScryptParams{1 << 11, 4, 2});
  EXPECT_THAT(h, StartsWith("scrypt$2048$4$2$"));
  EXPECT_TRUE(VerifySecret("s", h));
  // The same salt and hash under other parameters do not match.
  EXPECT_FALSE(VerifySecret("s", WithField(h, 1, "1024")));
  EXPECT_FALSE(VerifySecret("s", WithField(h, 2, "8")));
  EXPECT_FALSE(VerifySecret("s", WithField(h, 3, "1")));
}

TEST(HashSecretTest, RefusesAbsurdParams) {
  for (const ScryptParams& p :
       {ScryptParams{0, 8, 1}, ScryptParams{1, 8, 1}, ScryptParams{1000, 8, 1},
        ScryptParams{1 << 21, 1, 1}, ScryptParams{1 << 10, 0, 1}, ScryptParams{1 << 10, 17, 1},
        ScryptParams{1 << 10, 8, 0}, ScryptParams{1 << 10, 8, 5}, ScryptParams{1 << 20, 16, 1}}) {
    SCOPED_TRACE(absl::StrCat(p.n, " ", p.r, " ", p.p));
    EXPECT_EQ(HashSecret("s", p).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(VerifySecretTest, MalformedEncodingsAreFalse) {
  const std::string h = Hash("s");
  const auto f = Fields(h);
  std::string hash_unpadded = f[5];
  while (!hash_unpadded.empty() && hash_unpadded.back() == '=') hash_unpadded.pop_back();
  std::string short_salt;
  absl::Base64Escape(std::string(15, 'x'), &short_salt);
  std::string short_hash;
  absl::Base64Escape(std::string(31, 'x'), &short_hash);
  const std::vector<std::string> bad = {
      "",
      "scrypt",
      "$$$$$",
      "scrypt$$$$$",
      WithField(h, 0, "bcrypt"),
      WithField(h, 0, "SCRYPT"),
      absl::StrJoin(std::vector<std::string>(f.begin(), f.end() - 1), "$"),  // 5 fields
      h + "$",                                                               // 7 fields
      h + "$" + f[5],
      WithField(h, 1, "abc"),
      WithField(h, 1, "+1024"),
      WithField(h, 1, " 1024"),
      WithField(h, 1, "1024 "),
      WithField(h, 1, "01024"),
      WithField(h, 1, "-1024"),
      WithField(h, 1, "0x400"),
      WithField(h, 1, ""),
      WithField(h, 2, "8.0"),
      WithField(h, 4, "!!!!"),
      WithField(h, 4, ""),
      WithField(h, 4, short_salt),
      WithField(h, 5, "not base64"),
      WithField(h, 5, ""),
      WithField(h, 5, short_hash),
      WithField(h, 5, f[5].substr(0, 20)),
      WithField(h, 5, hash_unpadded),  // only the canonical (padded) form is accepted
      " " + h,
      h + "\n",
  };
  for (const std::string& e : bad) {
    SCOPED_TRACE(e);
    EXPECT_FALSE(VerifySecret("s", e));
  }
  EXPECT_TRUE(VerifySecret("s", h));
}

TEST(VerifySecretTest, AbsurdParamsAreFalseWithoutTheWork) {
  const std::string h = Hash("s");
  for (const auto& [field, value] : std::vector<std::pair<size_t, std::string>>{
           {1, "2097152"},  // N = 2^21
           {1, "1048576"},  // N = 2^20 with r = 8: 1 GiB
           {1, "1000"},     // not a power of two
           {1, "0"},
           {1, "1"},
           {1, "99999999999999999999"},  // overflows
           {2, "17"},
           {2, "0"},
           {2, "4294967296"},
           {3, "5"},
           {3, "0"},
           {3, "1073741824"},
       }) {
    SCOPED_TRACE(absl::StrCat(field, "=", value));
    EXPECT_FALSE(VerifySecret("s", WithField(h, field, value)));
  }
}

TEST(VerifySecretTest, TamperedSaltOrHashIsFalse) {
  const std::string h = Hash("s");
  const auto f = Fields(h);
  for (size_t field : {size_t{4}, size_t{5}}) {
    std::string raw;
    ASSERT_TRUE(absl::Base64Unescape(f[field], &raw));
    raw[0] = static_cast<char>(raw[0] ^ 0x01);
    EXPECT_FALSE(VerifySecret("s", WithField(h, field, absl::Base64Escape(raw))));
  }
  // Salt and hash from different records.
  const std::string other = Hash("s");
  EXPECT_FALSE(VerifySecret("s", WithField(h, 5, Fields(other)[5])));
}

TEST(VerifySecretTest, ThreadSafe) {
  const std::string h = Hash("shared");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        if (!VerifySecret("shared", h)) ++wrong;
        if (VerifySecret("other", h)) ++wrong;
        auto mine = HashSecret(absl::StrCat("t", t), kFast);
        if (!mine.ok() || !VerifySecret(absl::StrCat("t", t), *mine)) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace odr::auth

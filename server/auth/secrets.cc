#include "server/auth/secrets.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace odr::auth {
namespace {

constexpr absl::string_view kScheme = "scrypt";
constexpr size_t kApiKeyBytes = 32;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
// Upper bounds on the cost a stored encoding may ask for, so a corrupt or hostile record cannot
// make VerifySecret burn unbounded CPU or memory. HashSecret refuses to produce anything beyond
// them, so every hash it makes verifies.
constexpr uint64_t kMaxN = uint64_t{1} << 20;
constexpr uint64_t kMaxR = 16;
constexpr uint64_t kMaxP = 4;
// scrypt needs about 128 * N * r bytes; N = 2^15, r = 8 (the default) needs 32 MiB.
constexpr uint64_t kMaxMem = uint64_t{64} << 20;
// What OpenSSL may allocate: the 128 * N * r above plus its small extra buffers.
constexpr uint64_t kScryptMaxMem = kMaxMem + (uint64_t{1} << 20);

bool ParamsInRange(const ScryptParams& p) {
  const bool n_pow2 = p.n >= 2 && (p.n & (p.n - 1)) == 0;
  return n_pow2 && p.n <= kMaxN && p.r >= 1 && p.r <= kMaxR && p.p >= 1 && p.p <= kMaxP &&
         128 * p.n * p.r <= kMaxMem;
}

// Strict decimal: 1-8 digits, no sign, no leading zero, no whitespace.
bool ParseDecimal(absl::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 8 || (s.size() > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// Standard base64 with padding, accepted only in the canonical form HashSecret writes.
bool DecodeCanonicalBase64(absl::string_view s, size_t want_bytes, std::string* out) {
  if (!absl::Base64Unescape(s, out) || out->size() != want_bytes) return false;
  return absl::Base64Escape(*out) == s;
}

bool Scrypt(absl::string_view secret, absl::string_view salt, const ScryptParams& p,
            unsigned char* out, size_t out_len) {
  if (EVP_PBE_scrypt(secret.data(), secret.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), p.n, p.r,
                     p.p, kScryptMaxMem, out, out_len) != 1) {
    ERR_clear_error();  // leave nothing on this thread's OpenSSL error queue
    return false;
  }
  return true;
}

}  // namespace

std::string NewApiKey() {
  std::array<unsigned char, kApiKeyBytes> buf;
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    // Without the CSPRNG there is no safe key to return; continuing would be worse than stopping.
    std::abort();
  }
  std::string key = absl::StrCat(
      "odr_", absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(buf.data()),
                                                          buf.size())));  // unpadded
  OPENSSL_cleanse(buf.data(), buf.size());
  return key;
}

absl::StatusOr<std::string> HashSecret(absl::string_view secret, ScryptParams params) {
  if (!ParamsInRange(params)) {
    return absl::InvalidArgumentError(
        "scrypt parameters out of range (N a power of two in [2, 2^20], r in [1, 16], p in "
        "[1, 4], 128*N*r <= 64 MiB)");
  }
  std::array<unsigned char, kSaltBytes> salt;
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  const absl::string_view salt_view(reinterpret_cast<const char*>(salt.data()), salt.size());
  std::array<unsigned char, kHashBytes> hash;
  if (!Scrypt(secret, salt_view, params, hash.data(), hash.size())) {
    return absl::InternalError("EVP_PBE_scrypt failed");
  }
  std::string encoded = absl::StrCat(kScheme, "$", params.n, "$", params.r, "$", params.p, "$",
                                     absl::Base64Escape(salt_view), "$",
                                     absl::Base64Escape(absl::string_view(
                                         reinterpret_cast<const char*>(hash.data()), hash.size())));
  OPENSSL_cleanse(hash.data(), hash.size());
  return encoded;
}

bool VerifySecret(absl::string_view secret, absl::string_view encoded) {
  if (encoded.size() > 256) return false;
  const std::vector<absl::string_view> parts = absl::StrSplit(encoded, '$');
  if (parts.size() != 6 || parts[0] != kScheme) return false;
  ScryptParams params;
  if (!ParseDecimal(parts[1], &params.n) || !ParseDecimal(parts[2], &params.r) ||
      !ParseDecimal(parts[3], &params.p) || !ParamsInRange(params)) {
    return false;
  }
  std::string salt, expected;
  if (!DecodeCanonicalBase64(parts[4], kSaltBytes, &salt) ||
      !DecodeCanonicalBase64(parts[5], kHashBytes, &expected)) {
    return false;
  }
  std::array<unsigned char, kHashBytes> actual;
  if (!Scrypt(secret, salt, params, actual.data(), actual.size())) return false;
  const bool match = CRYPTO_memcmp(actual.data(), expected.data(), kHashBytes) == 0;
  OPENSSL_cleanse(actual.data(), actual.size());
  return match;
}

}  // namespace odr::auth

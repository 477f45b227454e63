#include "server/auth/token.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/common/ed25519.h"
#include "server/common/files.h"

namespace odr::auth {
namespace {

using Json = nlohmann::json;

using ed25519::kSignatureBytes;
using ed25519::PkeyPtr;

constexpr size_t kMaxPemBytes = 64 * 1024;
constexpr size_t kMaxCurrentBytes = 1024;
constexpr absl::string_view kCurrentFile = "current";
constexpr absl::string_view kPemSuffix = ".pem";

bool ValidKid(absl::string_view kid) {
  if (kid.empty() || kid.size() > 64) return false;
  for (char c : kid) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

absl::string_view AsChars(const unsigned char* p, size_t n) {
  return absl::string_view(reinterpret_cast<const char*>(p), n);
}

// base64url without padding (RFC 7515 section 2). absl's encoder does not pad.
std::string B64UrlEncode(absl::string_view in) { return absl::WebSafeBase64Escape(in); }

int B64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Strict base64url decoding: alphabet [A-Za-z0-9_-] only, no padding, no whitespace, and unused
// trailing bits zero, so every byte string has exactly one accepted encoding.
bool B64UrlDecode(absl::string_view in, std::string* out) {
  out->clear();
  if (in.size() % 4 == 1) return false;
  out->reserve(in.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = B64UrlValue(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return bits == 0 || (acc & ((1u << bits) - 1)) == 0;
}

absl::Status Unauthenticated(absl::string_view reason) {
  return absl::UnauthenticatedError(reason);
}

// Leaves nothing on this thread's OpenSSL error queue after a failed call.
void ClearOpenSslErrors() { ERR_clear_error(); }

// A reference to the key's EVP_PKEY that outlives the KeyRing lock.
PkeyPtr Ref(void* pkey) {
  auto* p = static_cast<EVP_PKEY*>(pkey);
  if (p == nullptr || EVP_PKEY_up_ref(p) != 1) return nullptr;
  return PkeyPtr(p);
}

// A JSON number that is an integer representable as int64 (not a float, not a string).
bool JsonInt64(const Json& v, int64_t* out) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *out = static_cast<int64_t>(u);
    return true;
  }
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
    return true;
  }
  return false;
}

absl::Status StringClaim(const Json& payload, const char* name, std::string* out) {
  const auto it = payload.find(name);
  if (it == payload.end()) return Unauthenticated(absl::StrCat("token claim ", name, " missing"));
  if (!it->is_string()) return Unauthenticated(absl::StrCat("token claim ", name, " invalid"));
  *out = it->get<std::string>();
  return absl::OkStatus();
}

absl::Status TimeClaim(const Json& payload, const char* name, absl::Time* out) {
  const auto it = payload.find(name);
  if (it == payload.end()) return Unauthenticated(absl::StrCat("token claim ", name, " missing"));
  int64_t seconds = 0;
  if (!JsonInt64(*it, &seconds)) {
    return Unauthenticated(absl::StrCat("token claim ", name, " invalid"));
  }
  *out = absl::FromUnixSeconds(seconds);
  return absl::OkStatus();
}

// --- Files -------------------------------------------------------------------------------------

std::string JoinPath(const std::string& dir, absl::string_view name) {
  if (!dir.empty() && dir.back() == '/') return absl::StrCat(dir, name);
  return absl::StrCat(dir, "/", name);
}

// Creates `dir` with mode 0700 if it does not exist; fails if it exists and is not a directory.
absl::Status EnsureDir(const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("key directory path is empty");
  if (::mkdir(dir.c_str(), 0700) == 0) return absl::OkStatus();
  const int err = errno;
  if (err != EEXIST)
    return files::ErrnoStatus(err, absl::StrCat("cannot create key directory ", dir));
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    return files::ErrnoStatus(errno, absl::StrCat("cannot stat key directory ", dir));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("key directory ", dir, " exists but is not a directory"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RandomHex(size_t bytes) {
  std::array<unsigned char, 16> buf;
  if (bytes > buf.size() || RAND_bytes(buf.data(), static_cast<int>(bytes)) != 1) {
    ClearOpenSslErrors();
    return absl::InternalError("RAND_bytes failed");
  }
  return absl::BytesToHexString(AsChars(buf.data(), bytes));
}

// "k" + UTC yyyymmddHHMMSS + "-" + 8 random hex digits: sorts by creation time, and two keys made
// in the same second do not collide.
absl::StatusOr<std::string> NewKid() {
  auto suffix = RandomHex(4);
  if (!suffix.ok()) return suffix.status();
  return absl::StrCat("k", absl::FormatTime("%Y%m%d%H%M%S", absl::Now(), absl::UTCTimeZone()), "-",
                      *suffix);
}

// Points `dir`/current at `kid`: write a temporary file, then rename it over `current`.
absl::Status WriteCurrent(const std::string& dir, const std::string& kid) {
  auto suffix = RandomHex(8);
  if (!suffix.ok()) return suffix.status();
  const std::string tmp = JoinPath(dir, absl::StrCat(".current.tmp-", *suffix));
  const std::string path = JoinPath(dir, kCurrentFile);
  if (absl::Status s = files::CreateFileExclusively(tmp, absl::StrCat(kid, "\n")); !s.ok()) {
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return files::ErrnoStatus(err, absl::StrCat("cannot rename ", tmp, " to ", path));
  }
  return files::FsyncDir(dir);
}

// Writes `dir`/<kid>.pem (0600, must not exist yet).
absl::Status WriteKeyFile(const std::string& dir, const SigningKey& key) {
  std::string pem = key.PrivatePem();
  if (pem.empty()) return absl::InternalError("cannot encode the new key as PEM");
  const absl::Status s =
      files::CreateFileExclusively(JoinPath(dir, absl::StrCat(key.kid(), kPemSuffix)), pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  return s;
}

absl::StatusOr<SigningKey> CreateKey(const std::string& dir) {
  auto kid = NewKid();
  if (!kid.ok()) return kid.status();
  auto key = SigningKey::Generate(*kid);
  if (!key.ok()) return key.status();
  if (absl::Status s = WriteKeyFile(dir, *key); !s.ok()) return s;
  if (absl::Status s = WriteCurrent(dir, *kid); !s.ok()) return s;
  return key;
}

}  // namespace

// --- SigningKey --------------------------------------------------------------------------------

absl::StatusOr<SigningKey> SigningKey::Generate(absl::string_view kid) {
  if (!ValidKid(kid)) return absl::InvalidArgumentError("key id must be 1-64 of [A-Za-z0-9_-]");
  auto pkey = ed25519::Generate();
  if (!pkey.ok()) return pkey.status();
  return SigningKey(std::string(kid), pkey->release());
}

absl::StatusOr<SigningKey> SigningKey::FromPrivatePem(absl::string_view kid,
                                                      absl::string_view pem) {
  if (!ValidKid(kid)) return absl::InvalidArgumentError("key id must be 1-64 of [A-Za-z0-9_-]");
  auto pkey = ed25519::FromPrivatePem(pem, kMaxPemBytes);
  if (!pkey.ok()) return pkey.status();
  return SigningKey(std::string(kid), pkey->release());
}

SigningKey::SigningKey(SigningKey&& other) noexcept
    : kid_(std::move(other.kid_)), pkey_(std::exchange(other.pkey_, nullptr)) {}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_));
    kid_ = std::move(other.kid_);
    pkey_ = std::exchange(other.pkey_, nullptr);
  }
  return *this;
}

SigningKey::~SigningKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_)); }

std::string SigningKey::PrivatePem() const {
  return ed25519::PrivatePem(static_cast<EVP_PKEY*>(pkey_));
}

// --- KeyRing -----------------------------------------------------------------------------------

KeyRing::KeyRing() = default;
KeyRing::~KeyRing() = default;

absl::Status KeyRing::Add(SigningKey key, bool current) {
  if (key.pkey_ == nullptr) return absl::InvalidArgumentError("empty signing key");
  std::lock_guard<std::mutex> lock(mu_);
  const std::string kid = key.kid_;
  // try_emplace leaves `key` untouched when the kid is taken.
  if (!keys_.try_emplace(kid, std::move(key)).second) {
    return absl::AlreadyExistsError(absl::StrCat("key id ", kid, " is already in the key ring"));
  }
  if (current) current_ = kid;
  return absl::OkStatus();
}

absl::StatusOr<std::string> KeyRing::Sign(const TokenClaims& claims) const {
  PkeyPtr pkey;
  std::string kid;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = keys_.find(current_);
    if (current_.empty() || it == keys_.end()) {
      return absl::FailedPreconditionError("no current signing key");
    }
    pkey = Ref(it->second.pkey_);
    kid = current_;
  }
  if (pkey == nullptr) return absl::InternalError("cannot reference the signing key");

  for (absl::Time t : {claims.issued_at, claims.not_before, claims.expires_at}) {
    if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) {
      return absl::InvalidArgumentError("token times must be finite");
    }
  }
  // ordered_json keeps the members in the order written here.
  const nlohmann::ordered_json header = {{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", kid}};
  const nlohmann::ordered_json payload = {
      {"iss", claims.issuer},
      {"aud", claims.audience},
      {"sub", claims.subject},
      {"jti", claims.token_id},
      {"iat", absl::ToUnixSeconds(claims.issued_at)},
      {"nbf", absl::ToUnixSeconds(claims.not_before)},
      {"exp", absl::ToUnixSeconds(claims.expires_at)},
  };
  std::string header_json, payload_json;
  try {
    header_json = header.dump();
    payload_json = payload.dump();
  } catch (const nlohmann::json::exception&) {
    return absl::InvalidArgumentError("token claims are not valid UTF-8");
  }
  std::string token = absl::StrCat(B64UrlEncode(header_json), ".", B64UrlEncode(payload_json));
  // The signature adds "." and 86 characters; refuse to make a token Verify would refuse.
  if (token.size() + 1 + 86 > kMaxTokenBytes) {
    return absl::InvalidArgumentError("token claims too large");
  }

  absl::StatusOr<std::string> sig = ed25519::Sign(pkey.get(), token);
  if (!sig.ok()) return sig.status();
  absl::StrAppend(&token, ".", B64UrlEncode(*sig));
  return token;
}

absl::StatusOr<TokenClaims> KeyRing::Verify(absl::string_view token, absl::string_view issuer,
                                            absl::string_view audience, absl::Time now,
                                            absl::Duration leeway) const {
  // Length first: nothing else is looked at in an oversized token.
  if (token.size() > kMaxTokenBytes) return Unauthenticated("token too large");
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("token malformed");

  // Header. Everything in it is unauthenticated until the signature checks out.
  std::string header_json;
  if (!B64UrlDecode(parts[0], &header_json)) return Unauthenticated("token malformed");
  const Json header = Json::parse(header_json, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) return Unauthenticated("token header invalid");
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "EdDSA") {
    return Unauthenticated("token algorithm not allowed");
  }
  if (const auto typ = header.find("typ");
      typ != header.end() && (!typ->is_string() || typ->get_ref<const std::string&>() != "JWT")) {
    return Unauthenticated("token type not allowed");
  }
  // No JWS extensions are understood, so any critical one must be refused (RFC 7515 4.1.11).
  if (header.contains("crit")) return Unauthenticated("token header invalid");
  const auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string()) return Unauthenticated("token key id missing");

  PkeyPtr pkey;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = keys_.find(kid->get_ref<const std::string&>());
    if (it == keys_.end()) return Unauthenticated("token key unknown");
    pkey = Ref(it->second.pkey_);
  }
  if (pkey == nullptr) return absl::InternalError("cannot reference the verification key");

  // Signature over "<header>.<payload>" as sent.
  std::string sig;
  if (!B64UrlDecode(parts[2], &sig) || sig.size() != kSignatureBytes) {
    return Unauthenticated("token signature invalid");
  }
  const size_t signed_len = parts[0].size() + 1 + parts[1].size();
  if (!ed25519::Verify(pkey.get(), sig, token.substr(0, signed_len))) {
    return Unauthenticated("token signature invalid");
  }

  // Payload.
  std::string payload_json;
  if (!B64UrlDecode(parts[1], &payload_json)) return Unauthenticated("token malformed");
  const Json payload = Json::parse(payload_json, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded() || !payload.is_object()) {
    return Unauthenticated("token payload invalid");
  }
  TokenClaims claims;
  for (absl::Status s : {
           StringClaim(payload, "iss", &claims.issuer),
           StringClaim(payload, "aud", &claims.audience),
           StringClaim(payload, "sub", &claims.subject),
           StringClaim(payload, "jti", &claims.token_id),
           TimeClaim(payload, "iat", &claims.issued_at),
           TimeClaim(payload, "nbf", &claims.not_before),
           TimeClaim(payload, "exp", &claims.expires_at),
       }) {
    if (!s.ok()) return s;
  }
  if (claims.issuer != issuer) return Unauthenticated("token issuer mismatch");
  if (claims.audience != audience) return Unauthenticated("token audience mismatch");
  const absl::Duration slack = std::max(leeway, absl::ZeroDuration());
  if (now >= claims.expires_at + slack) return Unauthenticated("token expired");
  if (now < claims.not_before - slack) return Unauthenticated("token not yet valid");
  return claims;
}

absl::StatusOr<std::unique_ptr<KeyRing>> KeyRing::LoadOrCreate(const std::string& dir) {
  if (absl::Status s = EnsureDir(dir); !s.ok()) return s;

  std::map<std::string, SigningKey> loaded;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.' || !absl::EndsWith(name, kPemSuffix)) continue;
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;  // follows symlinks
    const std::string path = JoinPath(dir, name);
    const absl::string_view kid =
        absl::string_view(name).substr(0, name.size() - kPemSuffix.size());
    if (!ValidKid(kid)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "key file ", path, ": name is not <kid>.pem with kid 1-64 of [A-Za-z0-9_-]"));
    }
    std::string pem;
    if (absl::Status s = files::ReadSecretFile(path, kMaxPemBytes, &pem); !s.ok()) return s;
    auto key = SigningKey::FromPrivatePem(kid, pem);
    OPENSSL_cleanse(pem.data(), pem.size());
    if (!key.ok()) {
      return absl::Status(key.status().code(),
                          absl::StrCat("key file ", path, ": ", key.status().message()));
    }
    loaded.emplace(std::string(kid), *std::move(key));
  }
  if (ec) {
    return files::ErrnoStatus(ec.value(), absl::StrCat("cannot list key directory ", dir));
  }

  std::string current;
  if (loaded.empty()) {
    auto key = CreateKey(dir);
    if (!key.ok()) return key.status();
    current = key->kid();
    loaded.emplace(current, *std::move(key));
  } else {
    const std::string current_path = JoinPath(dir, kCurrentFile);
    std::string contents;
    const absl::Status s = files::ReadSecretFile(current_path, kMaxCurrentBytes, &contents);
    if (absl::IsNotFound(s)) {
      // A key was written but `current` was not (e.g. a crash in between): the newest kid, by
      // name, becomes current.
      current = loaded.rbegin()->first;
      if (absl::Status w = WriteCurrent(dir, current); !w.ok()) return w;
    } else if (!s.ok()) {
      return s;
    } else {
      current = std::string(absl::StripAsciiWhitespace(contents));
      if (!ValidKid(current)) {
        return absl::FailedPreconditionError(
            absl::StrCat(current_path, " does not hold a valid key id"));
      }
      if (loaded.find(current) == loaded.end()) {
        return absl::FailedPreconditionError(absl::StrCat(current_path, " names key id ", current,
                                                          " but there is no ",
                                                          JoinPath(dir, current), kPemSuffix));
      }
    }
  }

  auto ring = std::make_unique<KeyRing>();
  for (auto& [kid, key] : loaded) {
    const bool is_current = kid == current;
    if (absl::Status s = ring->Add(std::move(key), is_current); !s.ok()) return s;
  }
  return ring;
}

absl::StatusOr<std::string> KeyRing::Rotate(const std::string& dir) {
  if (absl::Status s = EnsureDir(dir); !s.ok()) return s;
  auto key = CreateKey(dir);
  if (!key.ok()) return key.status();
  return key->kid();
}

}  // namespace odr::auth

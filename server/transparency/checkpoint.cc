#include "server/transparency/checkpoint.h"

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
#include <memory>
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
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "server/common/ed25519.h"
#include "server/common/files.h"

namespace odr::transparency {
namespace {

using ed25519::kSignatureBytes;
using ed25519::PkeyPtr;

using PublicKey = std::array<uint8_t, 32>;

constexpr uint8_t kEd25519Type = 0x01;
constexpr size_t kKeyHashBytes = 4;
constexpr size_t kMaxSignatureLines = 100;
constexpr size_t kMaxPemBytes = 64 * 1024;
constexpr size_t kMaxVerifierKeyBytes = 4096;
// U+2014 EM DASH and a space: the start of every signature line.
constexpr absl::string_view kSignaturePrefix = "\xE2\x80\x94 ";

absl::string_view AsChars(const uint8_t* p, size_t n) {
  return absl::string_view(reinterpret_cast<const char*>(p), n);
}

absl::Status Invalid(absl::string_view reason) { return absl::InvalidArgumentError(reason); }

// --- Text --------------------------------------------------------------------------------------

// Decodes the UTF-8 sequence at s[*i], advancing *i. False for anything but the shortest form of
// a scalar value (no surrogates, nothing above U+10FFFF, no truncation).
bool NextCodePoint(absl::string_view s, size_t* i, uint32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(*i);
  int extra;
  uint32_t min;
  if (b0 < 0x80) {
    *cp = b0;
    ++*i;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    extra = 1;
    min = 0x80;
    *cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2;
    min = 0x800;
    *cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3;
    min = 0x10000;
    *cp = b0 & 0x07;
  } else {
    return false;
  }
  if (s.size() - *i <= static_cast<size_t>(extra)) return false;
  for (int k = 1; k <= extra; ++k) {
    const uint8_t b = byte(*i + k);
    if ((b & 0xC0) != 0x80) return false;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return false;
  *i += 1 + extra;
  return true;
}

// Valid UTF-8 with no control character (below U+0020) other than newline.
bool IsNoteText(absl::string_view s) {
  size_t i = 0;
  uint32_t cp = 0;
  while (i < s.size()) {
    if (!NextCodePoint(s, &i, &cp)) return false;
    if (cp < 0x20 && cp != '\n') return false;
  }
  return true;
}

// White space as Unicode defines it (Go's unicode.IsSpace, which the reference verifier uses).
bool IsUnicodeSpace(uint32_t cp) {
  switch (cp) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

// A key name: non-empty UTF-8 without spaces, control characters or '+'.
bool IsValidName(absl::string_view name) {
  if (name.empty()) return false;
  size_t i = 0;
  uint32_t cp = 0;
  while (i < name.size()) {
    if (!NextCodePoint(name, &i, &cp)) return false;
    if (cp < 0x20 || cp == 0x7F || cp == '+' || IsUnicodeSpace(cp)) return false;
  }
  return true;
}

absl::Status CheckName(absl::string_view name) {
  if (!IsValidName(name)) {
    return Invalid("a key name must be non-empty UTF-8 without spaces, control characters or '+'");
  }
  return absl::OkStatus();
}

// Standard padded base64, accepting only the one canonical encoding of the bytes.
bool StrictBase64Decode(absl::string_view in, std::string* out) {
  out->clear();
  if (in.size() % 4 != 0 || !absl::Base64Unescape(in, out)) return false;
  return absl::Base64Escape(*out) == in;
}

// Decimal without sign or leading zeros ("0" itself excepted), within uint64.
bool ParseDecimal(absl::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

uint32_t KeyHash(absl::string_view name, const PublicKey& key) {
  const std::string material =
      absl::StrCat(name, "\n", AsChars(&kEd25519Type, 1), AsChars(key.data(), key.size()));
  const Hash h = Sha256(material);
  return (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | uint32_t{h[3]};
}

std::string KeyHashBytes(uint32_t key_hash) {
  std::string out(kKeyHashBytes, '\0');
  for (size_t i = 0; i < kKeyHashBytes; ++i) {
    out[i] = static_cast<char>((key_hash >> (8 * (kKeyHashBytes - 1 - i))) & 0xFF);
  }
  return out;
}

// --- Keys --------------------------------------------------------------------------------------

bool RawPublicKey(EVP_PKEY* pkey, PublicKey* out) {
  size_t len = out->size();
  if (EVP_PKEY_get_raw_public_key(pkey, out->data(), &len) != 1 || len != out->size()) {
    ERR_clear_error();
    return false;
  }
  return true;
}

}  // namespace

// --- Checkpoint bodies -------------------------------------------------------------------------

std::string FormatCheckpointBody(const Checkpoint& c) {
  std::string out = absl::StrCat(c.origin, "\n", c.size, "\n",
                                 absl::Base64Escape(AsChars(c.root.data(), c.root.size())), "\n");
  for (const std::string& ext : c.extensions) absl::StrAppend(&out, ext, "\n");
  return out;
}

absl::StatusOr<Checkpoint> ParseCheckpointBody(absl::string_view body) {
  if (body.size() > kMaxNoteBytes) return Invalid("checkpoint too large");
  if (!IsNoteText(body)) {
    return Invalid("checkpoint is not UTF-8 text without control characters");
  }
  if (body.empty() || body.back() != '\n') return Invalid("checkpoint does not end in a newline");
  const std::vector<absl::string_view> lines =
      absl::StrSplit(body.substr(0, body.size() - 1), '\n');
  if (lines.size() < 3) return Invalid("checkpoint has fewer than three lines");
  for (absl::string_view line : lines) {
    if (line.empty()) return Invalid("checkpoint has an empty line");
  }
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (!ParseDecimal(lines[1], &c.size)) return Invalid("checkpoint tree size is malformed");
  std::string root;
  if (!StrictBase64Decode(lines[2], &root)) return Invalid("checkpoint root hash is not base64");
  absl::StatusOr<Hash> h = HashFromBytes(root);
  if (!h.ok()) return Invalid("checkpoint root hash is not 32 bytes");
  c.root = *h;
  for (size_t i = 3; i < lines.size(); ++i) c.extensions.emplace_back(lines[i]);
  return c;
}

// --- NoteSigner --------------------------------------------------------------------------------

NoteSigner::NoteSigner(std::string name, void* pkey, const std::array<uint8_t, 32>& public_key)
    : name_(std::move(name)),
      pkey_(pkey),
      public_key_(public_key),
      key_hash_(KeyHash(name_, public_key_)) {}

absl::StatusOr<NoteSigner> NoteSigner::Generate(absl::string_view name) {
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  auto pkey = ed25519::Generate();
  if (!pkey.ok()) return pkey.status();
  PublicKey pub;
  if (!RawPublicKey(pkey->get(), &pub)) return absl::InternalError("cannot read the public key");
  return NoteSigner(std::string(name), pkey->release(), pub);
}

absl::StatusOr<NoteSigner> NoteSigner::FromPrivatePem(absl::string_view name,
                                                      absl::string_view pem) {
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  auto pkey = ed25519::FromPrivatePem(pem, kMaxPemBytes);
  if (!pkey.ok()) return pkey.status();
  PublicKey pub;
  if (!RawPublicKey(pkey->get(), &pub)) return absl::InternalError("cannot read the public key");
  return NoteSigner(std::string(name), pkey->release(), pub);
}

absl::StatusOr<NoteSigner> NoteSigner::LoadOrCreate(const std::string& path,
                                                    absl::string_view name) {
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  if (path.empty()) return Invalid("key file path is empty");
  absl::StatusOr<std::string> pem =
      files::LoadOrCreateSecretFile(path, kMaxPemBytes, [&]() -> absl::StatusOr<std::string> {
        absl::StatusOr<NoteSigner> fresh = Generate(name);
        if (!fresh.ok()) return fresh.status();
        std::string out = fresh->PrivatePem();
        if (out.empty()) return absl::InternalError("cannot encode the new key as PEM");
        return out;
      });
  if (!pem.ok()) return pem.status();
  absl::StatusOr<NoteSigner> signer = FromPrivatePem(name, *pem);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!signer.ok()) {
    return absl::Status(signer.status().code(),
                        absl::StrCat(path, ": ", signer.status().message()));
  }
  return signer;
}

NoteSigner::NoteSigner(NoteSigner&& other) noexcept
    : name_(std::move(other.name_)),
      pkey_(std::exchange(other.pkey_, nullptr)),
      public_key_(other.public_key_),
      key_hash_(other.key_hash_) {}

NoteSigner& NoteSigner::operator=(NoteSigner&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_));
    name_ = std::move(other.name_);
    pkey_ = std::exchange(other.pkey_, nullptr);
    public_key_ = other.public_key_;
    key_hash_ = other.key_hash_;
  }
  return *this;
}

NoteSigner::~NoteSigner() { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_)); }

std::string NoteSigner::PrivatePem() const {
  return ed25519::PrivatePem(static_cast<EVP_PKEY*>(pkey_));
}

std::string NoteSigner::VerifierKey() const {
  std::string key(1, static_cast<char>(kEd25519Type));
  key.append(reinterpret_cast<const char*>(public_key_.data()), public_key_.size());
  return absl::StrCat(name_, "+", absl::StrFormat("%08x", key_hash_), "+", absl::Base64Escape(key));
}

absl::StatusOr<std::string> NoteSigner::Sign(absl::string_view body) const {
  if (pkey_ == nullptr) return absl::FailedPreconditionError("empty note signer");
  if (body.empty() || body.back() != '\n') return Invalid("note text must end in a newline");
  if (!IsNoteText(body)) return Invalid("note text is not UTF-8 without control characters");
  // "\n", the prefix, the name, " ", base64 of 68 bytes (92 characters), "\n".
  const size_t note_size = body.size() + 1 + kSignaturePrefix.size() + name_.size() + 1 + 92 + 1;
  if (note_size > kMaxNoteBytes) return Invalid("note too large");

  absl::StatusOr<std::string> sig = ed25519::Sign(static_cast<EVP_PKEY*>(pkey_), body);
  if (!sig.ok()) return sig.status();
  const std::string blob = absl::StrCat(KeyHashBytes(key_hash_), *sig);
  return absl::StrCat(body, "\n", kSignaturePrefix, name_, " ", absl::Base64Escape(blob), "\n");
}

// --- NoteVerifier ------------------------------------------------------------------------------

absl::StatusOr<NoteVerifier> NoteVerifier::FromVerifierKey(absl::string_view vkey) {
  if (vkey.size() > kMaxVerifierKeyBytes) return Invalid("verifier key too long");
  const size_t plus1 = vkey.find('+');
  const size_t plus2 = plus1 == absl::string_view::npos ? plus1 : vkey.find('+', plus1 + 1);
  if (plus2 == absl::string_view::npos) return Invalid("verifier key is not name+hash+key");
  const absl::string_view name = vkey.substr(0, plus1);
  const absl::string_view hash_hex = vkey.substr(plus1 + 1, plus2 - plus1 - 1);
  const absl::string_view key_b64 = vkey.substr(plus2 + 1);
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  if (hash_hex.size() != 2 * kKeyHashBytes) return Invalid("verifier key hash is not 8 hex digits");
  uint32_t key_hash = 0;
  for (char c : hash_hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return Invalid("verifier key hash is not 8 hex digits");
    }
    const uint32_t digit = absl::ascii_isdigit(static_cast<unsigned char>(c))
                               ? static_cast<uint32_t>(c - '0')
                               : static_cast<uint32_t>(absl::ascii_tolower(c) - 'a' + 10);
    key_hash = (key_hash << 4) | digit;
  }
  std::string key;
  if (!StrictBase64Decode(key_b64, &key) || key.empty()) {
    return Invalid("verifier key material is not base64");
  }
  if (static_cast<uint8_t>(key[0]) != kEd25519Type) return Invalid("verifier key is not Ed25519");
  PublicKey pub;
  if (key.size() != 1 + pub.size()) return Invalid("Ed25519 verifier key is not 32 bytes");
  std::copy(key.begin() + 1, key.end(), pub.begin());
  if (KeyHash(name, pub) != key_hash) return Invalid("verifier key hash does not match the key");
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size()));
  if (pkey == nullptr) {
    ERR_clear_error();
    return Invalid("not an Ed25519 public key");
  }
  return NoteVerifier(std::string(name), pub, key_hash);
}

absl::StatusOr<std::string> NoteVerifier::Open(absl::string_view note) const {
  if (note.size() > kMaxNoteBytes) return Invalid("note too large");
  if (!IsNoteText(note)) return Invalid("note is not UTF-8 text without control characters");
  // The text ends at the last blank line; the signature lines follow it.
  const size_t split = note.rfind("\n\n");
  if (split == absl::string_view::npos) return Invalid("note has no signatures");
  const absl::string_view text = note.substr(0, split + 1);
  const absl::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return Invalid("note has no signatures");
  const std::vector<absl::string_view> lines =
      absl::StrSplit(sigs.substr(0, sigs.size() - 1), '\n');
  if (lines.size() > kMaxSignatureLines) return Invalid("note has too many signatures");

  PkeyPtr pkey;
  bool verified = false;
  std::string blob;
  for (absl::string_view line : lines) {
    if (!absl::ConsumePrefix(&line, kSignaturePrefix)) return Invalid("malformed signature line");
    const size_t space = line.find(' ');
    if (space == absl::string_view::npos) return Invalid("malformed signature line");
    const absl::string_view name = line.substr(0, space);
    if (!IsValidName(name) || !StrictBase64Decode(line.substr(space + 1), &blob) ||
        blob.size() <= kKeyHashBytes) {
      return Invalid("malformed signature line");
    }
    uint32_t key_hash = 0;
    for (size_t i = 0; i < kKeyHashBytes; ++i) {
      key_hash = (key_hash << 8) | static_cast<uint8_t>(blob[i]);
    }
    if (name != name_ || key_hash != key_hash_) continue;  // someone else's signature

    if (blob.size() != kKeyHashBytes + kSignatureBytes) {
      return Invalid("note signature does not verify");
    }
    if (pkey == nullptr) {
      pkey.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key_.data(),
                                             public_key_.size()));
      if (pkey == nullptr) {
        ERR_clear_error();
        return absl::InternalError("cannot load the Ed25519 public key");
      }
    }
    const bool ok = ed25519::Verify(
        pkey.get(), absl::string_view(blob).substr(kKeyHashBytes, kSignatureBytes), text);
    // A bad signature by the pinned key condemns the whole note (signed-note: SHOULD reject).
    if (!ok) return Invalid("note signature does not verify");
    verified = true;
  }
  if (!verified) return Invalid(absl::StrCat("note is not signed by ", name_));
  return std::string(text);
}

absl::StatusOr<Checkpoint> OpenCheckpoint(const NoteVerifier& verifier, absl::string_view note) {
  absl::StatusOr<std::string> body = verifier.Open(note);
  if (!body.ok()) return body.status();
  absl::StatusOr<Checkpoint> c = ParseCheckpointBody(*body);
  if (!c.ok()) return c.status();
  if (c->origin != verifier.name()) {
    return Invalid("checkpoint origin does not match the key name");
  }
  return c;
}

}  // namespace odr::transparency

// Signed checkpoints: the tree head of the log as a C2SP tlog-checkpoint
// (https://c2sp.org/tlog-checkpoint), signed as a C2SP signed note (https://c2sp.org/signed-note)
// with Ed25519.
//
//   <origin>\n<tree size, decimal>\n<base64 root hash>\n[<extension line>\n ...]
//   \n
//   — <key name> <base64(4-byte key hash || 64-byte Ed25519 signature over the body)>\n
//
// The key hash is the first 4 bytes of SHA-256(key name || "\n" || 0x01 || public key), and a
// verifier key is "<key name>+<8 hex digits of the key hash>+<base64(0x01 || public key)>". Key
// names are non-empty UTF-8 without spaces (Unicode's included) or '+'.
#ifndef ODR_SERVER_TRANSPARENCY_CHECKPOINT_H_
#define ODR_SERVER_TRANSPARENCY_CHECKPOINT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/transparency/merkle.h"

namespace odr::transparency {

// The largest note (body, blank line and signatures) Sign makes and Open reads.
inline constexpr size_t kMaxNoteBytes = size_t{1} << 20;

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // extension lines, without their "\n"

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// "<origin>\n<size>\n<base64 root>\n" and one "<extension>\n" per extension. Does not validate:
// fields that are empty or hold control characters make a body ParseCheckpointBody refuses.
std::string FormatCheckpointBody(const Checkpoint& c);

// Parses a checkpoint body strictly. INVALID_ARGUMENT unless: valid UTF-8 without control
// characters other than "\n"; every line (at least three) ends in "\n" and is non-empty; the size
// is decimal without sign or leading zeros and fits in uint64; the root is the canonical padded
// base64 of exactly 32 bytes.
absl::StatusOr<Checkpoint> ParseCheckpointBody(absl::string_view body);

// An Ed25519 note signer. Movable, not copyable; const methods are thread-safe.
class NoteSigner {
 public:
  // A fresh key from the OS CSPRNG. INVALID_ARGUMENT for an invalid key name.
  static absl::StatusOr<NoteSigner> Generate(absl::string_view name);
  // From a PKCS#8 PEM private key. INVALID_ARGUMENT if not an unencrypted Ed25519 key.
  static absl::StatusOr<NoteSigner> FromPrivatePem(absl::string_view name, absl::string_view pem);
  // Reads the PKCS#8 PEM key at `path`, or, if there is no file there, creates one: mode 0600,
  // written to a temporary file in the same directory, fsynced, then linked into place (so a
  // key another process created first is never replaced: that key is loaded instead) and the
  // directory fsynced. The directory must exist.
  static absl::StatusOr<NoteSigner> LoadOrCreate(const std::string& path, absl::string_view name);

  NoteSigner(NoteSigner&&) noexcept;
  NoteSigner& operator=(NoteSigner&&) noexcept;
  ~NoteSigner();

  const std::string& name() const { return name_; }
  // The private key as PKCS#8 PEM; empty on failure (or for a moved-from signer).
  std::string PrivatePem() const;
  // "<name>+<key hash hex>+<base64(0x01 || public key)>".
  std::string VerifierKey() const;
  // The note: `body`, a blank line and this key's signature line. INVALID_ARGUMENT unless the body
  // is non-empty valid UTF-8 ending in "\n" without control characters other than "\n", and the
  // note fits in kMaxNoteBytes.
  absl::StatusOr<std::string> Sign(absl::string_view body) const;

 private:
  NoteSigner(std::string name, void* pkey, const std::array<uint8_t, 32>& public_key);
  std::string name_;
  void* pkey_ = nullptr;  // EVP_PKEY*
  std::array<uint8_t, 32> public_key_{};
  uint32_t key_hash_ = 0;
};

// Verifies notes signed by one pinned key. Copyable; const methods are thread-safe.
class NoteVerifier {
 public:
  // INVALID_ARGUMENT on a malformed key, a key hash that does not match the name and key, or a
  // type byte other than Ed25519's 0x01.
  static absl::StatusOr<NoteVerifier> FromVerifierKey(absl::string_view vkey);

  const std::string& name() const { return name_; }

  // The note's body (the text before the last blank line, with its final "\n") if a signature
  // line by this key (name and key hash both match) verifies. Lines by other keys are ignored, but
  // every line must be well-formed. INVALID_ARGUMENT otherwise: no signature by this key, any
  // signature by this key that does not verify, a malformed note, a note over kMaxNoteBytes or with
  // more than 100 signature lines.
  absl::StatusOr<std::string> Open(absl::string_view note) const;

 private:
  NoteVerifier(std::string name, const std::array<uint8_t, 32>& public_key, uint32_t key_hash)
      : name_(std::move(name)), public_key_(public_key), key_hash_(key_hash) {}
  std::string name_;
  std::array<uint8_t, 32> public_key_{};
  uint32_t key_hash_ = 0;
};

// verifier.Open(note), then ParseCheckpointBody; the checkpoint's origin must equal the key name.
// INVALID_ARGUMENT otherwise.
absl::StatusOr<Checkpoint> OpenCheckpoint(const NoteVerifier& verifier, absl::string_view note);

}  // namespace odr::transparency

#endif  // ODR_SERVER_TRANSPARENCY_CHECKPOINT_H_

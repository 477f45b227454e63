// Sealed blobs: evidence files encrypted at rest with envelope encryption.
//
// Each blob gets a fresh random 256-bit data key (DEK). The DEK is wrapped with AES-256-GCM under
// the master key (a 32-byte key file, see MasterKey). The plaintext is cut into records of
// kRecordPlaintextSize bytes, each sealed with AES-256-GCM under the DEK with its own random
// 96-bit nonce. Every record's additional authenticated data names the blob, the record's index
// and whether it is the last record, so records cannot be reordered, moved between blobs, dropped
// from the end or added after it without failing authentication. Damage of any kind reads as
// DATA_LOSS, and no plaintext byte is returned before the tag of the record holding it has been
// checked.
//
// File format, version 1. Integers are big-endian.
//
//   header (113 bytes):
//     offset  size  field
//          0     8  magic "ODRSEAL1"
//          8     1  format version = 1
//          9     4  record plaintext size R (u32; 65536 for files written by this code)
//         13     8  master key id: the first 8 bytes of SHA-256("odr master key id\n" || key)
//                   (MasterKey::key_id() is these bytes in lowercase hex)
//         21    32  blob id: SHA-256 of the plaintext, as given by the caller
//         53    12  wrap nonce
//         65    32  AES-256-GCM(master key, wrap nonce, DEK), AAD = header bytes [0, 53)
//         97    16  wrap tag
//   records, record k (k = 0, 1, ...) starting at offset 113 + k * (R + 28):
//     nonce (12) || AES-256-GCM(DEK, nonce, plaintext) (n) || tag (16)
//     AAD = blob id (32) || k (u64) || final flag (u8: 1 for the last record, else 0)
//
// Every record but the last holds exactly n = R plaintext bytes; the last one (final flag 1)
// holds 0 <= n <= R bytes. The writer emits each record as soon as it is full, so a plaintext
// whose size is a multiple of R (including 0) ends in an empty final record. The record a
// plaintext offset falls in, and where that record lies in the file, follow from the offset alone.
// A finished file is exactly 113 + k * (R + 28) + (n + 28) bytes for k full records and a final
// record of n bytes; an unfinished one (being written, or left by a crash) has no final record.
//
// Nonces are random: under one DEK a blob of 2 GiB uses 32768 record nonces, and under the
// master key each blob uses one wrap nonce, both far below the 2^32 random-nonce limit for GCM.
#ifndef ODR_STORAGE_SEALED_BLOB_H_
#define ODR_STORAGE_SEALED_BLOB_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace odr::storage {

// SHA-256 of the blob's plaintext.
using BlobId = std::array<uint8_t, 32>;

// Plaintext bytes per record (R above).
inline constexpr size_t kRecordPlaintextSize = 64 * 1024;

// Where keys and nonces come from, so tests can be deterministic. Implementations are
// thread-safe.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills out[0, n) with random bytes, or fails (and the caller gives up).
  virtual absl::Status Fill(uint8_t* out, size_t n) = 0;
};

// The OpenSSL CSPRNG (RAND_bytes). Thread-safe.
class OsRandom final : public RandomSource {
 public:
  absl::Status Fill(uint8_t* out, size_t n) override;
};

// Defined in sealed_blob.cc: the file format's encoding, with access to the key bytes.
class SealedBlobFormat;

// The master key that wraps every blob's data key. Copyable (copies share the key bytes, which
// are zeroed when the last copy dies), immutable, thread-safe.
class MasterKey {
 public:
  static MasterKey FromBytes(const std::array<uint8_t, 32>& key);

  // Reads the key file at `path`: exactly 32 raw bytes, a regular file that neither group nor
  // others have any permission on (FAILED_PRECONDITION otherwise). If `path` does not exist,
  // creates it with 32 bytes from `random`: written to a new 0600 temporary file in the same
  // directory (O_EXCL), fsynced, linked to `path` (which fails rather than replace a file that
  // appeared meanwhile; then that file is loaded instead), and the directory fsynced. Other I/O
  // errors map from errno (PERMISSION_DENIED, NOT_FOUND for a missing directory, INTERNAL).
  static absl::StatusOr<MasterKey> LoadOrCreate(const std::string& path, RandomSource& random);

  // 16 lowercase hex digits: the first 8 bytes of SHA-256("odr master key id\n" || key). Stored
  // in blob headers, so a blob sealed under another master key reads as FAILED_PRECONDITION
  // ("blob sealed with another master key") rather than as corruption. Not secret.
  const std::string& key_id() const;

 private:
  friend class SealedBlobFormat;
  struct Material;
  explicit MasterKey(std::shared_ptr<const Material> material) : material_(std::move(material)) {}
  std::shared_ptr<const Material> material_;
};

// Plaintext bytes in the whole records of an unfinished sealed file `file_size` bytes long: where
// an upload resumes, by the file's length alone (SealedBlobWriter::Resume then authenticates them).
uint64_t UnfinishedPlaintextSize(uint64_t file_size);

// Writes one sealed blob file. Not thread-safe: one upload drives it. `random` must outlive the
// writer. Once an operation fails on I/O or randomness, every later one fails too (the file may
// then hold a torn record; Resume drops it).
class SealedBlobWriter {
 public:
  // Creates `path` (O_CREAT | O_EXCL, mode 0600; ALREADY_EXISTS if present) with a fresh DEK and
  // writes the header (not yet synced). If writing the header fails, the new file is removed.
  static absl::StatusOr<std::unique_ptr<SealedBlobWriter>> Create(const std::string& path,
                                                                  const MasterKey& master,
                                                                  const BlobId& id,
                                                                  RandomSource& random);

  // Reopens an unfinished file written by Create (no final record yet) to append to it. Checks
  // the header, then authenticates records in order and calls `on_plaintext` with each valid
  // whole record's plaintext (the view lives only during the call; the caller rehashes, and
  // discards what it saw if Resume then fails). At the first record that is missing, torn or
  // fails authentication, truncates the file there (a damaged tail after a crash is dropped, not
  // an error), fsyncs it, and positions for appending after the last valid record;
  // size() == durable_size() == the replayed bytes.
  // A final record (a finished file that was never published) is dropped like a damaged tail:
  // the resumed size is then what UnfinishedPlaintextSize says of the file's length, which is what
  // QueryUploadStatus tells a client after a crash.
  // DATA_LOSS if the header is damaged or incomplete (a crash right after Create can leave that;
  // the caller starts over) or names another blob id; FAILED_PRECONDITION if the file is sealed
  // with another master key; NOT_FOUND if it does not exist.
  static absl::StatusOr<std::unique_ptr<SealedBlobWriter>> Resume(
      const std::string& path, const MasterKey& master, const BlobId& id, RandomSource& random,
      const std::function<void(absl::string_view)>& on_plaintext);

  SealedBlobWriter(const SealedBlobWriter&) = delete;
  SealedBlobWriter& operator=(const SealedBlobWriter&) = delete;
  // Closes the file if Finish has not; never deletes it. Zeroes the data key.
  ~SealedBlobWriter();

  // Plaintext bytes accepted so far: those in whole records plus the buffered tail.
  uint64_t size() const { return records_ * kRecordPlaintextSize + buffered_; }
  // Plaintext bytes in whole records that Sync() made durable (or that Resume found); after
  // Finish, size().
  uint64_t durable_size() const { return durable_size_; }

  // Buffers `data`, sealing each record as it fills (as a non-final record); every whole record
  // is written by the time Append returns (records filled by one call go out together, several
  // per write). FAILED_PRECONDITION after Finish or after an earlier failure.
  absl::Status Append(absl::string_view data);

  // Makes the whole records written so far durable (fdatasync; the directory too, the first
  // time); afterwards durable_size() is the plaintext bytes in them. The buffered tail of less
  // than a record is not written: after a crash the caller resends from durable_size().
  absl::Status Sync();

  // Writes the buffered tail (possibly empty) as the final record, fsyncs the file (and the
  // directory, if no Sync did yet) and closes it. After this, only destruction; other calls fail
  // with FAILED_PRECONDITION.
  absl::Status Finish();

 private:
  SealedBlobWriter(int fd, std::string path, std::unique_ptr<SealedBlobFormat> format,
                   RandomSource& random, uint64_t records);
  // Seals `n` bytes from `plaintext` (or, if null, already in place in the slot) into the next
  // free slot of out_, as record records_ (the final record if `final`).
  absl::Status SealRecord(const uint8_t* plaintext, size_t n, bool final);
  // Writes the sealed records in out_ at their place in the file, in one write.
  absl::Status Flush();
  absl::Status Check() const;
  absl::Status Fail(absl::Status status);

  int fd_;
  std::string path_;
  std::unique_ptr<SealedBlobFormat> format_;
  RandomSource& random_;
  // Slots for a few sealed records that go out in one write. Between calls none is pending, and
  // the buffered tail's plaintext waits in place in slot 0.
  std::unique_ptr<uint8_t[]> out_;
  size_t pending_ = 0;           // sealed records in out_ not yet written
  size_t pending_bytes_ = 0;     // their size
  uint64_t writeback_from_ = 0;  // file offset from which writeback has not been started
  uint64_t records_;             // whole (non-final) records sealed
  uint64_t written_;             // records written (the final one included)
  size_t buffered_ = 0;          // plaintext bytes of the tail
  uint64_t durable_size_;
  bool dir_synced_ = false;
  bool finished_ = false;
  absl::Status failed_;
};

// Reads a finished sealed blob. Not thread-safe; open one per reader.
class SealedBlobReader {
 public:
  // Checks the header (magic, version, record size, key id, blob id == `id`, DEK unwrap), that
  // the file length is that of a finished blob, and that its last record authenticates as the
  // final record. DATA_LOSS on any inconsistency, including an unfinished file;
  // FAILED_PRECONDITION if sealed with another master key; NOT_FOUND if the file does not exist.
  static absl::StatusOr<std::unique_ptr<SealedBlobReader>> Open(const std::string& path,
                                                                const MasterKey& master,
                                                                const BlobId& id);

  SealedBlobReader(const SealedBlobReader&) = delete;
  SealedBlobReader& operator=(const SealedBlobReader&) = delete;
  // Closes the file and zeroes the data key.
  ~SealedBlobReader();

  // Plaintext size.
  uint64_t size() const { return size_; }

  // Appends up to `max_bytes` plaintext bytes starting at `offset` to *out (fewer only at the end
  // of the blob; none when offset == size()). OUT_OF_RANGE if offset > size(). Reads, decrypts
  // and authenticates each record touched before appending any of its bytes. DATA_LOSS if one
  // fails (or the file is now shorter); on any error *out is left as it was.
  absl::Status Read(uint64_t offset, size_t max_bytes, std::string* out);

 private:
  SealedBlobReader(int fd, std::string path, std::unique_ptr<SealedBlobFormat> format,
                   uint64_t records, size_t final_size);

  int fd_;
  std::string path_;
  std::unique_ptr<SealedBlobFormat> format_;
  std::unique_ptr<uint8_t[]> rec_;  // one sealed record, opened in place
  uint64_t records_;                // including the final record
  size_t final_size_;               // plaintext bytes in the final record
  uint64_t size_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_SEALED_BLOB_H_

#include "storage/sealed_blob.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "server/common/files.h"

namespace odr::storage {
namespace {

constexpr char kMagic[8] = {'O', 'D', 'R', 'S', 'E', 'A', 'L', '1'};
constexpr uint8_t kVersion = 1;
constexpr size_t kKeySize = 32;
constexpr size_t kKeyIdSize = 8;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
constexpr size_t kRecordOverhead = kNonceSize + kTagSize;
constexpr size_t kSealedRecordSize = kRecordPlaintextSize + kRecordOverhead;
// Records the writer puts out per write: larger writes cost the kernel less per byte.
constexpr size_t kWriteBatch = 4;

// Header layout (see sealed_blob.h).
constexpr size_t kMagicOffset = 0;
constexpr size_t kVersionOffset = 8;
constexpr size_t kRecordSizeOffset = 9;
constexpr size_t kKeyIdOffset = 13;
constexpr size_t kBlobIdOffset = 21;
constexpr size_t kWrapNonceOffset = 53;  // also the length of the wrap AAD
constexpr size_t kWrappedKeyOffset = kWrapNonceOffset + kNonceSize;
constexpr size_t kWrapTagOffset = kWrappedKeyOffset + kKeySize;
constexpr size_t kHeaderSize = kWrapTagOffset + kTagSize;
static_assert(kHeaderSize == 113);

// Record AAD: blob id || u64 index || u8 final flag.
constexpr size_t kRecordAadSize = 32 + 8 + 1;

constexpr char kKeyIdContext[] = "odr master key id\n";

uint64_t RecordOffset(uint64_t index) { return kHeaderSize + index * kSealedRecordSize; }

void PutU32(uint32_t v, uint8_t* p) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
void PutU64(uint64_t v, uint8_t* p) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
uint32_t GetU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// --- Errors and files ---------------------------------------------------------------------------

absl::Status DataLoss(const std::string& path, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("sealed blob ", path, ": ", what));
}

// Opens an existing sealed blob file; NOT_FOUND if absent, FAILED_PRECONDITION if not a regular
// file. Sets *size to its length.
absl::StatusOr<int> OpenBlobFile(const std::string& path, int flags, uint64_t* size) {
  files::Fd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (fd.get() < 0)
    return files::ErrnoStatus(errno, absl::StrCat("cannot open sealed blob ", path));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    return files::ErrnoStatus(errno, absl::StrCat("cannot stat ", path));
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is not a regular file"));
  }
  *size = static_cast<uint64_t>(st.st_size);
  return fd.release();
}

// --- AES-256-GCM --------------------------------------------------------------------------------

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// A context keyed for AES-256-GCM with 96-bit nonces, or null on failure. Reusing it for many
// messages keeps the key schedule; each message only sets its nonce.
CipherCtxPtr NewGcm(const uint8_t* key) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nullptr, 1) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return ctx;
}

// Seals in[0, n) to out[0, n) (out may equal in) and writes the tag. False on an OpenSSL error.
bool GcmSeal(EVP_CIPHER_CTX* ctx, const uint8_t* nonce, const uint8_t* aad, size_t aad_size,
             const uint8_t* in, size_t n, uint8_t* out, uint8_t* tag) {
  int len = 0;
  bool ok = EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce, 1) == 1 &&
            EVP_CipherUpdate(ctx, nullptr, &len, aad, static_cast<int>(aad_size)) == 1 &&
            (n == 0 || EVP_CipherUpdate(ctx, out, &len, in, static_cast<int>(n)) == 1) &&
            EVP_CipherFinal_ex(ctx, out + n, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kTagSize, tag) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

// Opens in[0, n) to out[0, n) (out may equal in) if `tag` authenticates it with `aad`. On false
// out[0, n) holds garbage that must not be used.
bool GcmOpen(EVP_CIPHER_CTX* ctx, const uint8_t* nonce, const uint8_t* aad, size_t aad_size,
             const uint8_t* in, size_t n, const uint8_t* tag, uint8_t* out) {
  int len = 0;
  bool ok =
      EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce, 0) == 1 &&
      EVP_CipherUpdate(ctx, nullptr, &len, aad, static_cast<int>(aad_size)) == 1 &&
      (n == 0 || EVP_CipherUpdate(ctx, out, &len, in, static_cast<int>(n)) == 1) &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kTagSize, const_cast<uint8_t*>(tag)) == 1 &&
      EVP_CipherFinal_ex(ctx, out + n, &len) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace

// --- Randomness ---------------------------------------------------------------------------------

uint64_t UnfinishedPlaintextSize(uint64_t file_size) {
  if (file_size <= kHeaderSize) return 0;
  return (file_size - kHeaderSize) / kSealedRecordSize * kRecordPlaintextSize;
}

absl::Status OsRandom::Fill(uint8_t* out, size_t n) {
  while (n > 0) {
    const size_t chunk = std::min<size_t>(n, INT_MAX);
    if (RAND_bytes(out, static_cast<int>(chunk)) != 1) {
      ERR_clear_error();
      return absl::InternalError("RAND_bytes failed");
    }
    out += chunk;
    n -= chunk;
  }
  return absl::OkStatus();
}

// --- Master key ---------------------------------------------------------------------------------

struct MasterKey::Material {
  std::array<uint8_t, kKeySize> key;
  std::array<uint8_t, kKeyIdSize> id;
  std::string id_hex;
  ~Material() { OPENSSL_cleanse(key.data(), key.size()); }
};

MasterKey MasterKey::FromBytes(const std::array<uint8_t, 32>& key) {
  auto m = std::make_shared<Material>();
  m->key = key;
  std::array<uint8_t, sizeof(kKeyIdContext) - 1 + kKeySize> input;
  std::memcpy(input.data(), kKeyIdContext, sizeof(kKeyIdContext) - 1);
  std::memcpy(input.data() + sizeof(kKeyIdContext) - 1, key.data(), kKeySize);
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest;
  unsigned int digest_size = 0;
  // SHA-256 of a small buffer only fails if OpenSSL itself is broken (no provider, no memory).
  if (EVP_Digest(input.data(), input.size(), digest.data(), &digest_size, EVP_sha256(), nullptr) !=
      1) {
    ERR_clear_error();
    std::abort();
  }
  OPENSSL_cleanse(input.data(), input.size());
  std::memcpy(m->id.data(), digest.data(), kKeyIdSize);
  m->id_hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(m->id.data()), m->id.size()));
  return MasterKey(std::move(m));
}

const std::string& MasterKey::key_id() const { return material_->id_hex; }

namespace {

// Reads an existing key file. NOT_FOUND only if `path` itself does not exist.
absl::StatusOr<std::array<uint8_t, kKeySize>> ReadKeyFile(const std::string& path) {
  files::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0)
    return files::ErrnoStatus(errno, absl::StrCat("cannot open master key file ", path));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    return files::ErrnoStatus(errno, absl::StrCat("cannot stat ", path));
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("master key file ", path, " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        absl::StrFormat("master key file %s has mode %04o: group and others must have no access "
                        "(chmod 600)",
                        path, st.st_mode & 07777));
  }
  std::array<uint8_t, kKeySize + 1> buf;
  auto got = files::PreadUpTo(fd.get(), buf.data(), buf.size(), 0, path);
  if (!got.ok()) return got.status();
  std::array<uint8_t, kKeySize> key;
  std::memcpy(key.data(), buf.data(), kKeySize);
  OPENSSL_cleanse(buf.data(), buf.size());
  if (*got != kKeySize) {
    OPENSSL_cleanse(key.data(), key.size());
    return absl::FailedPreconditionError(
        absl::StrCat("master key file ", path, " must hold exactly ", kKeySize, " bytes"));
  }
  return key;
}

}  // namespace

absl::StatusOr<MasterKey> MasterKey::LoadOrCreate(const std::string& path, RandomSource& random) {
  for (int attempt = 0;; ++attempt) {
    auto key = ReadKeyFile(path);
    if (key.ok()) {
      MasterKey master = FromBytes(*key);
      OPENSSL_cleanse(key->data(), key->size());
      return master;
    }
    if (!absl::IsNotFound(key.status()) || attempt > 0) return key.status();

    std::array<uint8_t, kKeySize> fresh;
    if (absl::Status s = random.Fill(fresh.data(), fresh.size()); !s.ok()) return s;
    absl::Status created = files::CreateFileExclusively(
        path, absl::string_view(reinterpret_cast<const char*>(fresh.data()), fresh.size()));
    if (created.ok()) {
      MasterKey master = FromBytes(fresh);
      OPENSSL_cleanse(fresh.data(), fresh.size());
      return master;
    }
    OPENSSL_cleanse(fresh.data(), fresh.size());
    if (!absl::IsAlreadyExists(created)) return created;
    // Another process created the file first: load that one.
  }
}

// --- Format -------------------------------------------------------------------------------------

// One blob's data key, bound to its blob id: seals and opens its records, and makes and checks
// its header.
class SealedBlobFormat {
 public:
  using Header = std::array<uint8_t, kHeaderSize>;

  // A fresh data key for blob `id`, and the header that carries it wrapped under `master`.
  static absl::StatusOr<std::unique_ptr<SealedBlobFormat>> New(const MasterKey& master,
                                                               const BlobId& id,
                                                               RandomSource& random,
                                                               Header* header) {
    auto format = std::unique_ptr<SealedBlobFormat>(new SealedBlobFormat(id));
    if (absl::Status s = random.Fill(format->dek_.data(), format->dek_.size()); !s.ok()) return s;
    uint8_t* h = header->data();
    std::memcpy(h + kMagicOffset, kMagic, sizeof(kMagic));
    h[kVersionOffset] = kVersion;
    PutU32(kRecordPlaintextSize, h + kRecordSizeOffset);
    std::memcpy(h + kKeyIdOffset, master.material_->id.data(), kKeyIdSize);
    std::memcpy(h + kBlobIdOffset, id.data(), id.size());
    if (absl::Status s = random.Fill(h + kWrapNonceOffset, kNonceSize); !s.ok()) return s;
    CipherCtxPtr wrap = NewGcm(master.material_->key.data());
    if (wrap == nullptr ||
        !GcmSeal(wrap.get(), h + kWrapNonceOffset, h, kWrapNonceOffset, format->dek_.data(),
                 kKeySize, h + kWrappedKeyOffset, h + kWrapTagOffset)) {
      return absl::InternalError("AES-256-GCM key wrap failed");
    }
    if (absl::Status s = format->Init(); !s.ok()) return s;
    return format;
  }

  // Checks `header` (read from `path`) against `master` and `id` and unwraps its data key.
  static absl::StatusOr<std::unique_ptr<SealedBlobFormat>> FromHeader(const Header& header,
                                                                      const MasterKey& master,
                                                                      const BlobId& id,
                                                                      const std::string& path) {
    const uint8_t* h = header.data();
    if (std::memcmp(h + kMagicOffset, kMagic, sizeof(kMagic)) != 0) {
      return DataLoss(path, "bad magic (not a sealed blob, or a damaged header)");
    }
    if (h[kVersionOffset] != kVersion) {
      return DataLoss(path, absl::StrCat("unknown format version ", h[kVersionOffset]));
    }
    if (GetU32(h + kRecordSizeOffset) != kRecordPlaintextSize) {
      return DataLoss(path, absl::StrCat("unexpected record size ", GetU32(h + kRecordSizeOffset)));
    }
    auto format = std::unique_ptr<SealedBlobFormat>(new SealedBlobFormat(id));
    if (std::memcmp(h + kKeyIdOffset, master.material_->id.data(), kKeyIdSize) != 0) {
      // Either another master key sealed it, or the key id bytes are damaged. If the data key
      // unwraps once our key id is put back, the header was ours and is damaged.
      Header ours = header;
      std::memcpy(ours.data() + kKeyIdOffset, master.material_->id.data(), kKeyIdSize);
      if (format->Unwrap(ours, master)) return DataLoss(path, "damaged header (master key id)");
      return absl::FailedPreconditionError(
          absl::StrCat("sealed blob ", path, ": blob sealed with another master key (key id ",
                       absl::BytesToHexString(absl::string_view(
                           reinterpret_cast<const char*>(h + kKeyIdOffset), kKeyIdSize)),
                       ", ours is ", master.key_id(), ")"));
    }
    if (std::memcmp(h + kBlobIdOffset, id.data(), id.size()) != 0) {
      return DataLoss(path, "header names another blob id");
    }
    if (!format->Unwrap(header, master)) {
      return DataLoss(path, "damaged header (data key does not authenticate)");
    }
    if (absl::Status s = format->Init(); !s.ok()) return s;
    return format;
  }

  SealedBlobFormat(const SealedBlobFormat&) = delete;
  SealedBlobFormat& operator=(const SealedBlobFormat&) = delete;
  ~SealedBlobFormat() { OPENSSL_cleanse(dek_.data(), dek_.size()); }

  // Seals plaintext[0, n) as record `index` into record[0, n + kRecordOverhead), whose first
  // kNonceSize bytes already hold a fresh nonce. `plaintext` may be record + kNonceSize.
  bool Seal(uint64_t index, bool final, const uint8_t* plaintext, size_t n, uint8_t* record) {
    SetAad(index, final);
    return GcmSeal(ctx_.get(), record, aad_.data(), aad_.size(), plaintext, n, record + kNonceSize,
                   record + kNonceSize + n);
  }

  // Opens record[0, n + kRecordOverhead) as record `index` in place: on true its plaintext is
  // record[kNonceSize, kNonceSize + n); on false that range is garbage.
  bool Open(uint64_t index, bool final, uint8_t* record, size_t n) {
    SetAad(index, final);
    return GcmOpen(ctx_.get(), record, aad_.data(), aad_.size(), record + kNonceSize, n,
                   record + kNonceSize + n, record + kNonceSize);
  }

 private:
  explicit SealedBlobFormat(const BlobId& id) { std::memcpy(aad_.data(), id.data(), id.size()); }

  absl::Status Init() {
    ctx_ = NewGcm(dek_.data());
    if (ctx_ == nullptr) return absl::InternalError("cannot set up AES-256-GCM");
    return absl::OkStatus();
  }

  // Unwraps the data key in `header` into dek_ if it authenticates under `master`.
  bool Unwrap(const Header& header, const MasterKey& master) {
    CipherCtxPtr wrap = NewGcm(master.material_->key.data());
    if (wrap == nullptr) return false;
    const uint8_t* h = header.data();
    if (!GcmOpen(wrap.get(), h + kWrapNonceOffset, h, kWrapNonceOffset, h + kWrappedKeyOffset,
                 kKeySize, h + kWrapTagOffset, dek_.data())) {
      OPENSSL_cleanse(dek_.data(), dek_.size());
      return false;
    }
    return true;
  }

  void SetAad(uint64_t index, bool final) {
    PutU64(index, aad_.data() + 32);
    aad_[40] = final ? 1 : 0;
  }

  std::array<uint8_t, kKeySize> dek_{};
  std::array<uint8_t, kRecordAadSize> aad_{};  // blob id, then index and flag per record
  CipherCtxPtr ctx_;
};

// --- Writer -------------------------------------------------------------------------------------

SealedBlobWriter::SealedBlobWriter(int fd, std::string path,
                                   std::unique_ptr<SealedBlobFormat> format, RandomSource& random,
                                   uint64_t records)
    : fd_(fd),
      path_(std::move(path)),
      format_(std::move(format)),
      random_(random),
      out_(new uint8_t[kWriteBatch * kSealedRecordSize]),
      records_(records),
      written_(records),
      durable_size_(records * kRecordPlaintextSize) {}

SealedBlobWriter::~SealedBlobWriter() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<std::unique_ptr<SealedBlobWriter>> SealedBlobWriter::Create(const std::string& path,
                                                                           const MasterKey& master,
                                                                           const BlobId& id,
                                                                           RandomSource& random) {
  SealedBlobFormat::Header header;
  auto format = SealedBlobFormat::New(master, id, random, &header);
  if (!format.ok()) return format.status();
  files::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0)
    return files::ErrnoStatus(errno, absl::StrCat("cannot create sealed blob ", path));
  if (absl::Status s = files::PwriteAll(fd.get(), header.data(), header.size(), 0, path); !s.ok()) {
    ::unlink(path.c_str());
    return s;
  }
  return std::unique_ptr<SealedBlobWriter>(
      new SealedBlobWriter(fd.release(), path, *std::move(format), random, 0));
}

absl::StatusOr<std::unique_ptr<SealedBlobWriter>> SealedBlobWriter::Resume(
    const std::string& path, const MasterKey& master, const BlobId& id, RandomSource& random,
    const std::function<void(absl::string_view)>& on_plaintext) {
  uint64_t file_size = 0;
  auto opened = OpenBlobFile(path, O_RDWR, &file_size);
  if (!opened.ok()) return opened.status();
  files::Fd fd(*opened);
  SealedBlobFormat::Header header;
  auto got = files::PreadUpTo(fd.get(), header.data(), header.size(), 0, path);
  if (!got.ok()) return got.status();
  if (*got != header.size()) return DataLoss(path, "incomplete header");
  auto format = SealedBlobFormat::FromHeader(header, master, id, path);
  if (!format.ok()) return format.status();

  auto rec = std::make_unique<uint8_t[]>(kSealedRecordSize);
  uint64_t records = 0;
  for (;; ++records) {
    const uint64_t offset = RecordOffset(records);
    got = files::PreadUpTo(fd.get(), rec.get(), kSealedRecordSize, offset, path);
    if (!got.ok()) return got.status();
    if (*got == kSealedRecordSize &&
        (*format)->Open(records, /*final=*/false, rec.get(), kRecordPlaintextSize)) {
      on_plaintext(absl::string_view(reinterpret_cast<const char*>(rec.get() + kNonceSize),
                                     kRecordPlaintextSize));
      continue;
    }
    // Not a whole valid record: the end of the valid prefix. A final record ending the file (a
    // finished file that was never published: a crash between its last fsync and the rename) is
    // dropped like a damaged tail, so the upload resumes where the file's length says
    // (UnfinishedPlaintextSize) and the client sends its last chunk again.
    break;
  }

  const uint64_t end = RecordOffset(records);
  if (end != file_size && ::ftruncate(fd.get(), static_cast<off_t>(end)) != 0) {
    return files::ErrnoStatus(errno, absl::StrCat("cannot truncate ", path));
  }
  // The records found may have been only in the page cache when the writer died.
  if (::fsync(fd.get()) != 0) return files::ErrnoStatus(errno, absl::StrCat("cannot fsync ", path));
  if (absl::Status s = files::FsyncDir(files::DirOf(path)); !s.ok()) return s;
  std::unique_ptr<SealedBlobWriter> writer(
      new SealedBlobWriter(fd.release(), path, *std::move(format), random, records));
  writer->dir_synced_ = true;
  return writer;
}

absl::Status SealedBlobWriter::Check() const {
  if (finished_) {
    return absl::FailedPreconditionError(absl::StrCat("sealed blob ", path_, " is finished"));
  }
  if (!failed_.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("sealed blob writer for ", path_, " failed earlier: ", failed_.message()));
  }
  return absl::OkStatus();
}

absl::Status SealedBlobWriter::Fail(absl::Status status) {
  failed_ = status;
  return status;
}

absl::Status SealedBlobWriter::SealRecord(const uint8_t* plaintext, size_t n, bool final) {
  uint8_t* slot = out_.get() + pending_ * kSealedRecordSize;
  if (absl::Status s = random_.Fill(slot, kNonceSize); !s.ok()) return Fail(s);
  if (!format_->Seal(records_, final, plaintext != nullptr ? plaintext : slot + kNonceSize, n,
                     slot)) {
    return Fail(absl::InternalError("AES-256-GCM seal failed"));
  }
  ++pending_;
  pending_bytes_ += n + kRecordOverhead;
  if (!final) ++records_;
  return absl::OkStatus();
}

absl::Status SealedBlobWriter::Flush() {
  if (pending_ == 0) return absl::OkStatus();
  if (absl::Status s =
          files::PwriteAll(fd_, out_.get(), pending_bytes_, RecordOffset(written_), path_);
      !s.ok()) {
    return Fail(s);
  }
  written_ += pending_;
  pending_ = 0;
  pending_bytes_ = 0;
  // Start writing back what is written, in 8 MiB steps, so the disk works while the upload
  // goes on and Finish's fsync has little left to do (advisory: errors surface at fsync).
  constexpr uint64_t kWritebackStep = 64 << 20;
  const uint64_t end = RecordOffset(written_);
  if (end - writeback_from_ >= kWritebackStep) {
    ::sync_file_range(fd_, static_cast<off64_t>(writeback_from_),
                      static_cast<off64_t>(end - writeback_from_), SYNC_FILE_RANGE_WRITE);
    writeback_from_ = end;
  }
  return absl::OkStatus();
}

absl::Status SealedBlobWriter::Append(absl::string_view data) {
  if (absl::Status s = Check(); !s.ok()) return s;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t left = data.size();
  uint8_t* tail = out_.get() + kNonceSize;  // slot 0
  if (buffered_ > 0) {
    const size_t take = std::min(left, kRecordPlaintextSize - buffered_);
    std::memcpy(tail + buffered_, p, take);
    buffered_ += take;
    p += take;
    left -= take;
    if (buffered_ < kRecordPlaintextSize) return absl::OkStatus();
    if (absl::Status s = SealRecord(nullptr, kRecordPlaintextSize, false); !s.ok()) return s;
    buffered_ = 0;
  }
  // Whole records straight from the caller's buffer: no copy before encryption.
  absl::Status status;
  for (; status.ok() && left >= kRecordPlaintextSize;
       p += kRecordPlaintextSize, left -= kRecordPlaintextSize) {
    if (pending_ == kWriteBatch) status = Flush();
    if (status.ok()) status = SealRecord(p, kRecordPlaintextSize, false);
  }
  // Records sealed before a failure are written all the same.
  const absl::Status flushed = Flush();
  if (!status.ok()) return status;
  if (!flushed.ok()) return flushed;
  if (left > 0) {
    std::memcpy(tail, p, left);
    buffered_ = left;
  }
  return absl::OkStatus();
}

absl::Status SealedBlobWriter::Sync() {
  if (absl::Status s = Check(); !s.ok()) return s;
  if (::fdatasync(fd_) != 0) {
    return Fail(files::ErrnoStatus(errno, absl::StrCat("cannot fdatasync ", path_)));
  }
  if (!dir_synced_) {
    if (absl::Status s = files::FsyncDir(files::DirOf(path_)); !s.ok()) return Fail(s);
    dir_synced_ = true;
  }
  durable_size_ = records_ * kRecordPlaintextSize;
  return absl::OkStatus();
}

absl::Status SealedBlobWriter::Finish() {
  if (absl::Status s = Check(); !s.ok()) return s;
  if (absl::Status s = SealRecord(nullptr, buffered_, /*final=*/true); !s.ok()) return s;
  if (absl::Status s = Flush(); !s.ok()) return s;
  if (::fsync(fd_) != 0)
    return Fail(files::ErrnoStatus(errno, absl::StrCat("cannot fsync ", path_)));
  if (!dir_synced_) {
    if (absl::Status s = files::FsyncDir(files::DirOf(path_)); !s.ok()) return Fail(s);
    dir_synced_ = true;
  }
  const int rc = ::close(std::exchange(fd_, -1));
  if (rc != 0) return Fail(files::ErrnoStatus(errno, absl::StrCat("cannot close ", path_)));
  durable_size_ = size();
  finished_ = true;
  return absl::OkStatus();
}

// --- Reader -------------------------------------------------------------------------------------

SealedBlobReader::SealedBlobReader(int fd, std::string path,
                                   std::unique_ptr<SealedBlobFormat> format, uint64_t records,
                                   size_t final_size)
    : fd_(fd),
      path_(std::move(path)),
      format_(std::move(format)),
      rec_(new uint8_t[kSealedRecordSize]),
      records_(records),
      final_size_(final_size),
      size_((records - 1) * kRecordPlaintextSize + final_size) {}

SealedBlobReader::~SealedBlobReader() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<std::unique_ptr<SealedBlobReader>> SealedBlobReader::Open(const std::string& path,
                                                                         const MasterKey& master,
                                                                         const BlobId& id) {
  uint64_t file_size = 0;
  auto opened = OpenBlobFile(path, O_RDONLY, &file_size);
  if (!opened.ok()) return opened.status();
  files::Fd fd(*opened);
  SealedBlobFormat::Header header;
  auto got = files::PreadUpTo(fd.get(), header.data(), header.size(), 0, path);
  if (!got.ok()) return got.status();
  if (*got != header.size()) return DataLoss(path, "incomplete header");
  auto format = SealedBlobFormat::FromHeader(header, master, id, path);
  if (!format.ok()) return format.status();

  // body = k * (R + 28) + (n + 28) with 0 <= n <= R: k and n are unique if they exist.
  const uint64_t body = file_size - kHeaderSize;
  if (body < kRecordOverhead) return DataLoss(path, "no final record (unfinished or truncated)");
  const uint64_t full = (body - kRecordOverhead) / kSealedRecordSize;
  const uint64_t final_size = body - kRecordOverhead - full * kSealedRecordSize;
  if (final_size > kRecordPlaintextSize) {
    return DataLoss(path, "file length is not that of a finished blob");
  }
  std::unique_ptr<SealedBlobReader> reader(new SealedBlobReader(
      fd.release(), path, *std::move(format), full + 1, static_cast<size_t>(final_size)));
  const size_t sealed = reader->final_size_ + kRecordOverhead;
  got = files::PreadUpTo(reader->fd_, reader->rec_.get(), sealed, RecordOffset(full), path);
  if (!got.ok()) return got.status();
  if (*got != sealed ||
      !reader->format_->Open(full, /*final=*/true, reader->rec_.get(), reader->final_size_)) {
    return DataLoss(path, "final record does not authenticate (truncated, extended or damaged)");
  }
  return reader;
}

absl::Status SealedBlobReader::Read(uint64_t offset, size_t max_bytes, std::string* out) {
  if (offset > size_) {
    return absl::OutOfRangeError(absl::StrCat("offset ", offset, " is past the end of sealed blob ",
                                              path_, " (size ", size_, ")"));
  }
  uint64_t want = std::min<uint64_t>(max_bytes, size_ - offset);
  const size_t original = out->size();
  out->reserve(original + want);
  while (want > 0) {
    const uint64_t index = offset / kRecordPlaintextSize;
    const size_t within = static_cast<size_t>(offset % kRecordPlaintextSize);
    const bool final = index + 1 == records_;
    const size_t n = final ? final_size_ : kRecordPlaintextSize;
    auto got = files::PreadUpTo(fd_, rec_.get(), n + kRecordOverhead, RecordOffset(index), path_);
    absl::Status error;
    if (!got.ok()) {
      error = got.status();
    } else if (*got != n + kRecordOverhead) {
      error = DataLoss(path_, absl::StrCat("record ", index, " is truncated"));
    } else if (!format_->Open(index, final, rec_.get(), n)) {
      error = DataLoss(path_, absl::StrCat("record ", index, " does not authenticate"));
    }
    if (!error.ok()) {
      out->resize(original);
      return error;
    }
    const size_t take = static_cast<size_t>(std::min<uint64_t>(n - within, want));
    out->append(reinterpret_cast<const char*>(rec_.get() + kNonceSize + within), take);
    offset += take;
    want -= take;
  }
  return absl::OkStatus();
}

}  // namespace odr::storage

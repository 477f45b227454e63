#include "storage/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/common/files.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"
#include "server/transparency/merkle.h"

namespace odr::storage {
namespace {

namespace fs = std::filesystem;

absl::Status MakeDirectory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return files::ErrnoStatus(errno, absl::StrCat("cannot create directory ", dir));
  return absl::OkStatus();
}

absl::StatusOr<BlobId> ParseBlobId(absl::string_view hex) {
  auto h = transparency::HashFromHex(hex);
  if (!h.ok()) return absl::InternalError("blob id is not a SHA-256");
  return *h;
}

bool IsLowerHex(absl::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<BlobStore>> BlobStore::Open(const std::string& root,
                                                           MasterKey master, RandomSource* random) {
  ODR_RETURN_IF_ERROR(MakeDirectory(root));
  ODR_RETURN_IF_ERROR(MakeDirectory(root + "/blobs"));
  ODR_RETURN_IF_ERROR(MakeDirectory(root + "/uploads"));
  return std::unique_ptr<BlobStore>(new BlobStore(root, std::move(master), random));
}

std::string BlobStore::BlobPath(absl::string_view sha256_hex) const {
  return absl::StrCat(root_, "/blobs/", sha256_hex.substr(0, 2), "/", sha256_hex);
}

std::string BlobStore::StagingPath(absl::string_view principal_id,
                                   absl::string_view upload_id) const {
  // Principal ids have no '.', upload ids neither: the name splits back unambiguously.
  return absl::StrCat(root_, "/uploads/", principal_id, ".", upload_id);
}

absl::StatusOr<std::unique_ptr<SealedBlobWriter>> BlobStore::OpenStaging(
    absl::string_view principal_id, absl::string_view upload_id, absl::string_view sha256_hex,
    const std::function<void(absl::string_view)>& on_plaintext) {
  ODR_ASSIGN_OR_RETURN(BlobId id, ParseBlobId(sha256_hex));
  const std::string path = StagingPath(principal_id, upload_id);
  auto resumed = SealedBlobWriter::Resume(path, master_, id, *random_, on_plaintext);
  if (resumed.ok() || !absl::IsNotFound(resumed.status())) {
    if (resumed.ok() ||
        !(absl::IsDataLoss(resumed.status()) || absl::IsFailedPrecondition(resumed.status()))) {
      return resumed;
    }
    // Nothing to resume: the header never made it to disk whole (a crash right after creation)
    // or it is sealed with another master key. Start over.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return files::ErrnoStatus(errno, "unlink staging");
  }
  return SealedBlobWriter::Create(path, master_, id, *random_);
}

absl::StatusOr<int64_t> BlobStore::StagedSize(absl::string_view principal_id,
                                              absl::string_view upload_id) const {
  struct stat st;
  if (::stat(StagingPath(principal_id, upload_id).c_str(), &st) != 0) {
    if (errno == ENOENT) return 0;
    return files::ErrnoStatus(errno, "stat staging");
  }
  return static_cast<int64_t>(UnfinishedPlaintextSize(static_cast<uint64_t>(st.st_size)));
}

absl::Status BlobStore::Publish(absl::string_view principal_id, absl::string_view upload_id,
                                absl::string_view sha256_hex) {
  const std::string staging = StagingPath(principal_id, upload_id);
  const std::string blob = BlobPath(sha256_hex);
  const std::string dir = fs::path(blob).parent_path().string();
  ODR_RETURN_IF_ERROR(MakeDirectory(dir));
  struct stat st;
  if (::stat(blob.c_str(), &st) == 0) {
    // Deduplicated: the same bytes are already stored (and were checked when they were).
    if (::unlink(staging.c_str()) != 0 && errno != ENOENT)
      return files::ErrnoStatus(errno, "unlink staging");
    return files::FsyncDir(root_ + "/uploads");
  }
  if (::rename(staging.c_str(), blob.c_str()) != 0) return files::ErrnoStatus(errno, "rename blob");
  ODR_RETURN_IF_ERROR(files::FsyncDir(dir));
  ODR_RETURN_IF_ERROR(files::FsyncDir(root_ + "/blobs"));
  return files::FsyncDir(root_ + "/uploads");
}

absl::Status BlobStore::DiscardStaging(absl::string_view principal_id,
                                       absl::string_view upload_id) {
  if (::unlink(StagingPath(principal_id, upload_id).c_str()) != 0 && errno != ENOENT) {
    return files::ErrnoStatus(errno, "unlink staging");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SealedBlobReader>> BlobStore::OpenBlob(
    absl::string_view sha256_hex) const {
  ODR_ASSIGN_OR_RETURN(BlobId id, ParseBlobId(sha256_hex));
  return SealedBlobReader::Open(BlobPath(sha256_hex), master_, id);
}

absl::StatusOr<int> BlobStore::CleanOrphans(
    const std::function<absl::StatusOr<bool>(const std::string&)>& referenced,
    const std::function<absl::StatusOr<bool>(const std::string&, const std::string&)>&
        upload_exists) {
  int removed = 0;
  auto remove = [&](const fs::path& p) -> absl::Status {
    if (::unlink(p.c_str()) != 0 && errno != ENOENT)
      return files::ErrnoStatus(errno, "unlink orphan");
    ++removed;
    return absl::OkStatus();
  };
  std::error_code ec;
  for (const auto& shard : fs::directory_iterator(root_ + "/blobs", ec)) {
    if (!shard.is_directory()) {
      ODR_RETURN_IF_ERROR(remove(shard.path()));
      continue;
    }
    for (const auto& f : fs::directory_iterator(shard.path(), ec)) {
      const std::string name = f.path().filename().string();
      bool keep = false;
      if (IsLowerHex(name, 64) && absl::StartsWith(name, shard.path().filename().string())) {
        ODR_ASSIGN_OR_RETURN(keep, referenced(name));
      }
      if (!keep) ODR_RETURN_IF_ERROR(remove(f.path()));
    }
  }
  if (ec) return files::ErrnoStatus(ec.value(), "list blobs");
  for (const auto& f : fs::directory_iterator(root_ + "/uploads", ec)) {
    const std::string name = f.path().filename().string();
    std::vector<std::string> parts = absl::StrSplit(name, '.');
    bool keep = false;
    if (parts.size() == 2 && !parts[0].empty() && !parts[1].empty()) {
      ODR_ASSIGN_OR_RETURN(keep, upload_exists(parts[0], parts[1]));
    }
    if (!keep) ODR_RETURN_IF_ERROR(remove(f.path()));
  }
  if (ec) return files::ErrnoStatus(ec.value(), "list uploads");
  if (removed > 0) {
    ODR_RETURN_IF_ERROR(files::FsyncDir(root_ + "/uploads"));
    ODR_RETURN_IF_ERROR(files::FsyncDir(root_ + "/blobs"));
  }
  return removed;
}

}  // namespace odr::storage

// Evidence bytes on disk, content-addressed by SHA-256 and sealed (storage/sealed_blob.h):
//
//   <root>/blobs/<2 hex>/<64 hex>       finished blobs, one per distinct content (deduplicated)
//   <root>/uploads/<principal>.<upload>  the sealed staging file of an upload in progress
//
// An upload is written to its staging file; when it is finished and its hash checked, the file is
// fsynced and renamed into blobs/ and the directory fsynced, so a half-written blob is never
// visible under its name. Evidence rows are committed in SQLite only after that. A crash between
// the two leaves an unreferenced blob, which CleanOrphans removes at start.
#ifndef ODR_STORAGE_BLOB_STORE_H_
#define ODR_STORAGE_BLOB_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/sealed_blob.h"

namespace odr::storage {

// Safe for concurrent use as long as one upload (principal, upload id) is written by one caller
// at a time. Blocks on disk: call it from the worker pool.
class BlobStore {
 public:
  // Creates the directories (0700) under `root` if absent. `random` must outlive the store.
  static absl::StatusOr<std::unique_ptr<BlobStore>> Open(const std::string& root, MasterKey master,
                                                         RandomSource* random);

  // The staging writer of an upload: resumed if its file exists (replaying the stored plaintext
  // through `on_plaintext`, after dropping a damaged tail), else created. A staging file that
  // cannot be resumed (damaged header, another master key) is replaced by a new
  // one; `on_plaintext` may have seen some of its bytes, so a writer of size 0 means: start the
  // hash over.
  absl::StatusOr<std::unique_ptr<SealedBlobWriter>> OpenStaging(
      absl::string_view principal_id, absl::string_view upload_id, absl::string_view sha256_hex,
      const std::function<void(absl::string_view)>& on_plaintext);
  // Plaintext bytes in whole records of the staging file (0 if there is none): where an upload
  // that is not being written resumes. Not authenticated here; OpenStaging checks them.
  absl::StatusOr<int64_t> StagedSize(absl::string_view principal_id,
                                     absl::string_view upload_id) const;
  // After the writer's Finish: moves the staging file to its blob name and fsyncs the directory.
  // If the blob already exists (same content uploaded before), the staging file is removed.
  absl::Status Publish(absl::string_view principal_id, absl::string_view upload_id,
                       absl::string_view sha256_hex);
  // Removes an upload's staging file, if any.
  absl::Status DiscardStaging(absl::string_view principal_id, absl::string_view upload_id);

  // Opens a blob for reading. NOT_FOUND if absent, DATA_LOSS if damaged.
  absl::StatusOr<std::unique_ptr<SealedBlobReader>> OpenBlob(absl::string_view sha256_hex) const;

  // At start, before serving: removes blobs no evidence references (`referenced`), staging files
  // of uploads that no longer exist (`upload_exists`), and stray temporary files. Returns how
  // many files it removed.
  absl::StatusOr<int> CleanOrphans(
      const std::function<absl::StatusOr<bool>(const std::string& sha256_hex)>& referenced,
      const std::function<absl::StatusOr<bool>(const std::string& principal_id,
                                               const std::string& upload_id)>& upload_exists);

  std::string BlobPath(absl::string_view sha256_hex) const;
  std::string StagingPath(absl::string_view principal_id, absl::string_view upload_id) const;

 private:
  BlobStore(std::string root, MasterKey master, RandomSource* random)
      : root_(std::move(root)), master_(std::move(master)), random_(random) {}
  std::string root_;
  MasterKey master_;
  RandomSource* random_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_BLOB_STORE_H_

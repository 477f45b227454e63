// Evidence records, their upload sessions, and the evidence log: an RFC 6962 Merkle tree whose
// leaves (server/transparency/evidence_leaf.h) are appended in the same transaction as the records,
// with a checkpoint signed at every size. Knows nothing of gRPC or of blob files.
#ifndef ODR_STORAGE_EVIDENCE_STORE_H_
#define ODR_STORAGE_EVIDENCE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/evidence.h"
#include "server/transparency/checkpoint.h"
#include "server/transparency/merkle.h"
#include "storage/access_log.h"
#include "storage/sqlite_db.h"

namespace odr::storage {

// An upload in progress (or finished: evidence_id set), keyed by (principal_id, upload_id).
struct UploadSession {
  std::string principal_id;
  domain::Role uploader_role = domain::Role::kCitizen;
  domain::UploadDeclaration declaration;
  absl::Time create_time;
  std::optional<std::string> evidence_id;
};

// Quotas checked when an upload begins: live evidence plus open uploads' declared sizes.
struct EvidenceQuota {
  int64_t case_bytes = 0;
  int64_t principal_bytes = 0;
};

struct InclusionBundle {
  std::string leaf_data;
  int64_t leaf_index = 0;
  int64_t tree_size = 0;
  std::vector<transparency::Hash> path;
  std::string checkpoint;  // signed note of tree_size
};

struct ConsistencyBundle {
  int64_t from_size = 0;
  int64_t to_size = 0;
  std::vector<transparency::Hash> hashes;
  std::string from_checkpoint;
  std::string to_checkpoint;
};

// Safe for concurrent use; blocks on SQLite, so call it from the worker pool. NOT_FOUND for
// unknown records.
class EvidenceStore {
 public:
  // `signer` signs checkpoints (its name is the log's origin); it must outlive the store.
  EvidenceStore(Database* db, const transparency::NoteSigner* signer) : db_(db), signer_(signer) {}

  // Signs the checkpoint of the empty log if there is none yet. Call once at start.
  absl::Status Initialize(absl::Time now);

  // Returns the session named (s.principal_id, s.declaration.upload_id) if it exists; otherwise
  // creates it, if the case's and the principal's live evidence and open uploads stay within
  // `quota` with it (RESOURCE_EXHAUSTED, reason QUOTA_EXCEEDED, naming which, otherwise).
  absl::StatusOr<UploadSession> BeginUpload(const UploadSession& s, const EvidenceQuota& quota);
  absl::StatusOr<UploadSession> GetUpload(absl::string_view principal_id,
                                          absl::string_view upload_id);
  // Forgets an unfinished upload (its declaration proved false). No-op if already gone.
  absl::Status DeleteUpload(absl::string_view principal_id, absl::string_view upload_id);
  // Unfinished uploads created before `before` (to expire), and all of them (to keep their
  // staging files at start).
  absl::StatusOr<std::vector<UploadSession>> ListOpenUploads(absl::Time before);

  // In one transaction: the evidence row, its log leaf, the completed subtree hashes, the signed
  // checkpoint of the new size, the session marked finished, and an access record of the change.
  // `record.log_index` is assigned. FAILED_PRECONDITION if the session is gone or finished.
  absl::StatusOr<domain::EvidenceRecord> RecordEvidence(domain::EvidenceRecord record,
                                                        const AccessRecord& access);

  absl::StatusOr<domain::EvidenceRecord> GetEvidence(absl::string_view case_id,
                                                     absl::string_view id);
  // By log index, after `after_log_index`, at most `limit`.
  absl::StatusOr<std::vector<domain::EvidenceRecord>> ListEvidence(absl::string_view case_id,
                                                                   int64_t after_log_index,
                                                                   int limit, bool show_withdrawn);
  // Marks the record withdrawn (time, reason) with an access record. FAILED_PRECONDITION if it
  // already is.
  absl::StatusOr<domain::EvidenceRecord> WithdrawEvidence(absl::string_view case_id,
                                                          absl::string_view id,
                                                          absl::string_view reason, absl::Time now,
                                                          const AccessRecord& access);
  // Whether any evidence row names this blob (for cleaning orphans at start).
  absl::StatusOr<bool> IsBlobReferenced(absl::string_view sha256);

  // The log. Sizes of 0 mean "the newest". OUT_OF_RANGE for sizes the log has not reached,
  // INVALID_ARGUMENT for a size that does not cover the leaf / from > to.
  absl::StatusOr<InclusionBundle> ProveInclusion(int64_t leaf_index, int64_t tree_size);
  absl::StatusOr<ConsistencyBundle> ProveConsistency(int64_t from_size, int64_t to_size);
  // The newest signed checkpoint.
  absl::StatusOr<std::string> LatestCheckpoint();

 private:
  Database* db_;
  const transparency::NoteSigner* signer_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_EVIDENCE_STORE_H_

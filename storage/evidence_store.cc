#include "storage/evidence_store.h"

#include "absl/strings/str_cat.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"
#include "server/transparency/evidence_leaf.h"

namespace odr::storage {
namespace {

using domain::EvidenceRecord;
using domain::EvidenceState;
using domain::EvidenceVisibility;
using transparency::Hash;

// The log's complete subtrees, read through the connection of the caller's transaction.
class SqliteSubtrees final : public transparency::SubtreeSource {
 public:
  explicit SqliteSubtrees(Connection* c) : c_(c) {}
  absl::StatusOr<Hash> Subtree(int level, uint64_t index) const override {
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c_->Prepare("SELECT hash FROM evidence_log_nodes WHERE level = ?1 AND idx = ?2"));
    s.Bind(1, int64_t{level}).Bind(2, static_cast<int64_t>(index));
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return absl::InternalError("evidence log: a subtree hash is missing");
    return transparency::HashFromHex(s.ColumnText(0));
  }

 private:
  Connection* c_;
};

absl::StatusOr<int64_t> TreeSize(Connection& c) {
  ODR_ASSIGN_OR_RETURN(
      Statement s, c.Prepare("SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM evidence_log_leaves"));
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.ColumnInt(0) : 0;
}

absl::StatusOr<std::string> CheckpointAt(Connection& c, int64_t size) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare("SELECT note FROM evidence_log_checkpoints WHERE tree_size = ?1"));
  s.Bind(1, size);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return absl::InternalError("evidence log: no checkpoint at this size");
  return s.ColumnText(0);
}

absl::Status SignCheckpoint(Connection& c, const transparency::NoteSigner& signer, int64_t size,
                            const Hash& root) {
  transparency::Checkpoint cp;
  cp.origin = signer.name();
  cp.size = static_cast<uint64_t>(size);
  cp.root = root;
  ODR_ASSIGN_OR_RETURN(std::string note, signer.Sign(transparency::FormatCheckpointBody(cp)));
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare("INSERT INTO evidence_log_checkpoints (tree_size, note) VALUES (?1, ?2)"));
  s.Bind(1, size).Bind(2, note);
  return s.Run();
}

constexpr absl::string_view kRecordColumns =
    "case_id, id, upload_id, uploader_id, uploader_role, file_name, media_type, description,"
    " size_bytes, sha256, visibility, state, create_time_us, withdraw_time_us, withdraw_reason,"
    " log_index";

EvidenceRecord ReadRecord(const Statement& s) {
  EvidenceRecord r;
  r.case_id = s.ColumnText(0);
  r.id = s.ColumnText(1);
  r.upload_id = s.ColumnText(2);
  r.uploader_id = s.ColumnText(3);
  r.uploader_role = domain::RoleFromName(s.ColumnText(4)).value_or(domain::Role::kCitizen);
  r.file_name = s.ColumnText(5);
  r.media_type = s.ColumnText(6);
  r.description = s.ColumnText(7);
  r.size_bytes = s.ColumnInt(8);
  r.sha256 = s.ColumnText(9);
  r.visibility = s.ColumnText(10) == domain::VisibilityName(EvidenceVisibility::kMediatorOnly)
                     ? EvidenceVisibility::kMediatorOnly
                     : EvidenceVisibility::kAllParties;
  r.state = s.ColumnText(11) == "withdrawn" ? EvidenceState::kWithdrawn : EvidenceState::kActive;
  r.create_time = absl::FromUnixMicros(s.ColumnInt(12));
  if (!s.ColumnIsNull(13)) r.withdraw_time = absl::FromUnixMicros(s.ColumnInt(13));
  r.withdraw_reason = s.ColumnText(14);
  r.log_index = s.ColumnInt(15);
  return r;
}

absl::StatusOr<EvidenceRecord> LoadRecord(Connection& c, absl::string_view case_id,
                                          absl::string_view id) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare(absl::StrCat("SELECT ", kRecordColumns,
                                              " FROM evidence WHERE case_id = ?1 AND id = ?2")));
  s.Bind(1, case_id).Bind(2, id);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    return MakeError(absl::StatusCode::kNotFound, kReasonNotFound,
                     absl::StrCat("evidence cases/", case_id, "/evidence/", id, " not found"));
  }
  return ReadRecord(s);
}

constexpr absl::string_view kSessionColumns =
    "principal_id, upload_id, case_id, file_name, media_type, description, size_bytes, sha256,"
    " visibility, uploader_role, create_time_us, evidence_id";

UploadSession ReadSession(const Statement& s) {
  UploadSession u;
  u.principal_id = s.ColumnText(0);
  u.declaration.upload_id = s.ColumnText(1);
  u.declaration.case_id = s.ColumnText(2);
  u.declaration.file_name = s.ColumnText(3);
  u.declaration.media_type = s.ColumnText(4);
  u.declaration.description = s.ColumnText(5);
  u.declaration.size_bytes = s.ColumnInt(6);
  u.declaration.sha256 = s.ColumnText(7);
  u.declaration.visibility =
      s.ColumnText(8) == domain::VisibilityName(EvidenceVisibility::kMediatorOnly)
          ? EvidenceVisibility::kMediatorOnly
          : EvidenceVisibility::kAllParties;
  u.uploader_role = domain::RoleFromName(s.ColumnText(9)).value_or(domain::Role::kCitizen);
  u.create_time = absl::FromUnixMicros(s.ColumnInt(10));
  u.evidence_id = s.ColumnOptionalText(11);
  return u;
}

absl::StatusOr<std::optional<UploadSession>> LoadSession(Connection& c,
                                                         absl::string_view principal_id,
                                                         absl::string_view upload_id) {
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare(absl::StrCat("SELECT ", kSessionColumns,
                             " FROM evidence_uploads WHERE principal_id = ?1 AND upload_id = ?2")));
  s.Bind(1, principal_id).Bind(2, upload_id);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<UploadSession>();
  return std::optional<UploadSession>(ReadSession(s));
}

absl::StatusOr<int64_t> SumInt(Connection& c, absl::string_view sql, absl::string_view key) {
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare(sql));
  s.Bind(1, key);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.ColumnInt(0) : 0;
}

absl::Status QuotaError(absl::string_view what, int64_t used, int64_t limit) {
  return MakeError(absl::StatusCode::kResourceExhausted, "QUOTA_EXCEEDED",
                   absl::StrCat("the ", what, " evidence quota would be exceeded: ", used,
                                " bytes in use or being uploaded, limit ", limit, " bytes"));
}

}  // namespace

absl::Status EvidenceStore::Initialize(absl::Time now) {
  return db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(int64_t size, TreeSize(c));
    if (size > 0) return absl::OkStatus();
    ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT 1 FROM evidence_log_checkpoints"
                                                " WHERE tree_size = 0"));
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) return absl::OkStatus();
    return SignCheckpoint(c, *signer_, 0, transparency::EmptyRoot());
  });
}

absl::StatusOr<UploadSession> EvidenceStore::BeginUpload(const UploadSession& u,
                                                         const EvidenceQuota& quota) {
  UploadSession result;
  absl::Status st = db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(auto existing, LoadSession(c, u.principal_id, u.declaration.upload_id));
    if (existing) {
      result = std::move(*existing);
      return absl::OkStatus();
    }
    const domain::UploadDeclaration& d = u.declaration;
    ODR_ASSIGN_OR_RETURN(
        int64_t case_used,
        SumInt(c,
               "SELECT (SELECT COALESCE(SUM(size_bytes), 0) FROM evidence WHERE case_id = ?1 AND"
               " state = 'active') + (SELECT COALESCE(SUM(size_bytes), 0) FROM evidence_uploads"
               " WHERE case_id = ?1 AND evidence_id IS NULL)",
               d.case_id));
    if (case_used + d.size_bytes > quota.case_bytes) {
      return QuotaError("case's", case_used, quota.case_bytes);
    }
    ODR_ASSIGN_OR_RETURN(
        int64_t principal_used,
        SumInt(c,
               "SELECT (SELECT COALESCE(SUM(size_bytes), 0) FROM evidence WHERE uploader_id = ?1"
               " AND state = 'active') + (SELECT COALESCE(SUM(size_bytes), 0) FROM"
               " evidence_uploads WHERE principal_id = ?1 AND evidence_id IS NULL)",
               u.principal_id));
    if (principal_used + d.size_bytes > quota.principal_bytes) {
      return QuotaError("uploader's", principal_used, quota.principal_bytes);
    }
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare(absl::StrCat("INSERT INTO evidence_uploads (", kSessionColumns,
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULL)")));
    s.Bind(1, u.principal_id).Bind(2, d.upload_id).Bind(3, d.case_id).Bind(4, d.file_name);
    s.Bind(5, d.media_type).Bind(6, d.description).Bind(7, d.size_bytes).Bind(8, d.sha256);
    s.Bind(9, domain::VisibilityName(d.visibility)).Bind(10, domain::RoleName(u.uploader_role));
    s.Bind(11, absl::ToUnixMicros(u.create_time));
    ODR_RETURN_IF_ERROR(s.Run());
    result = u;
    result.evidence_id.reset();
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

absl::StatusOr<UploadSession> EvidenceStore::GetUpload(absl::string_view principal_id,
                                                       absl::string_view upload_id) {
  std::optional<UploadSession> result;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(result, LoadSession(c, principal_id, upload_id));
    return absl::OkStatus();
  }));
  if (!result) {
    return MakeError(absl::StatusCode::kNotFound, kReasonNotFound,
                     absl::StrCat("upload ", upload_id, " not found"));
  }
  return std::move(*result);
}

absl::Status EvidenceStore::DeleteUpload(absl::string_view principal_id,
                                         absl::string_view upload_id) {
  return db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement s,
                         c.Prepare("DELETE FROM evidence_uploads WHERE principal_id = ?1 AND"
                                   " upload_id = ?2 AND evidence_id IS NULL"));
    s.Bind(1, principal_id).Bind(2, upload_id);
    return s.Run();
  });
}

absl::StatusOr<std::vector<UploadSession>> EvidenceStore::ListOpenUploads(absl::Time before) {
  std::vector<UploadSession> result;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement s,
                         c.Prepare(absl::StrCat("SELECT ", kSessionColumns,
                                                " FROM evidence_uploads WHERE evidence_id IS NULL"
                                                " AND create_time_us < ?1")));
    s.Bind(1, absl::ToUnixMicros(before));
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      result.push_back(ReadSession(s));
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<EvidenceRecord> EvidenceStore::RecordEvidence(EvidenceRecord r,
                                                             const AccessRecord& access) {
  absl::Status st = db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(auto session, LoadSession(c, r.uploader_id, r.upload_id));
    if (!session || session->evidence_id) {
      return MakeError(absl::StatusCode::kFailedPrecondition, "UPLOAD_NOT_OPEN",
                       absl::StrCat("upload ", r.upload_id, " is not open"));
    }
    ODR_ASSIGN_OR_RETURN(int64_t index, TreeSize(c));
    r.log_index = index;
    r.create_time = absl::FromUnixMicros(absl::ToUnixMicros(r.create_time));
    transparency::EvidenceLeaf leaf;
    leaf.case_name = absl::StrCat("cases/", r.case_id);
    leaf.evidence_name = absl::StrCat(leaf.case_name, "/evidence/", r.id);
    leaf.sha256 = r.sha256;
    leaf.size_bytes = r.size_bytes;
    leaf.media_type = r.media_type;
    leaf.uploader_role = domain::RoleName(r.uploader_role);
    leaf.time = r.create_time;
    ODR_ASSIGN_OR_RETURN(std::string leaf_data, transparency::FormatEvidenceLeaf(leaf));

    ODR_ASSIGN_OR_RETURN(
        Statement ins,
        c.Prepare(absl::StrCat("INSERT INTO evidence (", kRecordColumns,
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'active',"
                               " ?12, NULL, '', ?13)")));
    ins.Bind(1, r.case_id).Bind(2, r.id).Bind(3, r.upload_id).Bind(4, r.uploader_id);
    ins.Bind(5, domain::RoleName(r.uploader_role)).Bind(6, r.file_name).Bind(7, r.media_type);
    ins.Bind(8, r.description).Bind(9, r.size_bytes).Bind(10, r.sha256);
    ins.Bind(11, domain::VisibilityName(r.visibility)).Bind(12, absl::ToUnixMicros(r.create_time));
    ins.Bind(13, index);
    ODR_RETURN_IF_ERROR(ins.Run());

    ODR_ASSIGN_OR_RETURN(
        Statement leaf_ins,
        c.Prepare("INSERT INTO evidence_log_leaves (leaf_index, leaf_data) VALUES (?1, ?2)"));
    leaf_ins.Bind(1, index).Bind(2, leaf_data);
    ODR_RETURN_IF_ERROR(leaf_ins.Run());

    SqliteSubtrees tree(&c);
    ODR_ASSIGN_OR_RETURN(std::vector<transparency::StoredNode> nodes,
                         transparency::NodesForAppend(tree, static_cast<uint64_t>(index),
                                                      transparency::LeafHash(leaf_data)));
    for (const transparency::StoredNode& n : nodes) {
      ODR_ASSIGN_OR_RETURN(
          Statement node_ins,
          c.Prepare("INSERT INTO evidence_log_nodes (level, idx, hash) VALUES (?1, ?2, ?3)"));
      node_ins.Bind(1, int64_t{n.level}).Bind(2, static_cast<int64_t>(n.index));
      node_ins.Bind(3, transparency::HexHash(n.hash));
      ODR_RETURN_IF_ERROR(node_ins.Run());
    }
    ODR_ASSIGN_OR_RETURN(Hash root, transparency::RootAt(tree, static_cast<uint64_t>(index) + 1));
    ODR_RETURN_IF_ERROR(SignCheckpoint(c, *signer_, index + 1, root));

    ODR_ASSIGN_OR_RETURN(Statement done,
                         c.Prepare("UPDATE evidence_uploads SET evidence_id = ?3 WHERE"
                                   " principal_id = ?1 AND upload_id = ?2"));
    done.Bind(1, r.uploader_id).Bind(2, r.upload_id).Bind(3, r.id);
    ODR_RETURN_IF_ERROR(done.Run());
    return AppendAccessRecord(c, access);
  });
  if (!st.ok()) return st;
  return r;
}

absl::StatusOr<EvidenceRecord> EvidenceStore::GetEvidence(absl::string_view case_id,
                                                          absl::string_view id) {
  EvidenceRecord r;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(r, LoadRecord(c, case_id, id));
    return absl::OkStatus();
  }));
  return r;
}

absl::StatusOr<std::vector<EvidenceRecord>> EvidenceStore::ListEvidence(absl::string_view case_id,
                                                                        int64_t after_log_index,
                                                                        int limit,
                                                                        bool show_withdrawn) {
  std::vector<EvidenceRecord> result;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare(absl::StrCat("SELECT ", kRecordColumns,
                               " FROM evidence WHERE case_id = ?1 AND log_index > ?2 AND"
                               " (?3 OR state = 'active') ORDER BY log_index LIMIT ?4")));
    s.Bind(1, case_id).Bind(2, after_log_index).Bind(3, int64_t{show_withdrawn ? 1 : 0});
    s.Bind(4, int64_t{limit});
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      result.push_back(ReadRecord(s));
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<EvidenceRecord> EvidenceStore::WithdrawEvidence(absl::string_view case_id,
                                                               absl::string_view id,
                                                               absl::string_view reason,
                                                               absl::Time now,
                                                               const AccessRecord& access) {
  EvidenceRecord r;
  ODR_RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(r, LoadRecord(c, case_id, id));
    if (r.state == EvidenceState::kWithdrawn) {
      return MakeError(absl::StatusCode::kFailedPrecondition, "EVIDENCE_WITHDRAWN",
                       "the evidence is already withdrawn");
    }
    ODR_ASSIGN_OR_RETURN(Statement s,
                         c.Prepare("UPDATE evidence SET state = 'withdrawn', withdraw_time_us = ?3,"
                                   " withdraw_reason = ?4 WHERE case_id = ?1 AND id = ?2"));
    s.Bind(1, case_id).Bind(2, id).Bind(3, absl::ToUnixMicros(now)).Bind(4, reason);
    ODR_RETURN_IF_ERROR(s.Run());
    r.state = EvidenceState::kWithdrawn;
    r.withdraw_time = absl::FromUnixMicros(absl::ToUnixMicros(now));
    r.withdraw_reason = std::string(reason);
    return AppendAccessRecord(c, access);
  }));
  return r;
}

absl::StatusOr<bool> EvidenceStore::IsBlobReferenced(absl::string_view sha256) {
  bool found = false;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT 1 FROM evidence WHERE sha256 = ?1"));
    s.Bind(1, sha256);
    ODR_ASSIGN_OR_RETURN(found, s.Step());
    return absl::OkStatus();
  }));
  return found;
}

absl::StatusOr<InclusionBundle> EvidenceStore::ProveInclusion(int64_t leaf_index,
                                                              int64_t tree_size) {
  InclusionBundle b;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(int64_t newest, TreeSize(c));
    const int64_t size = tree_size == 0 ? newest : tree_size;
    if (size > newest) {
      return MakeError(absl::StatusCode::kOutOfRange, "TREE_SIZE_AHEAD",
                       absl::StrCat("the log has ", newest, " entries, fewer than ", size));
    }
    if (leaf_index < 0 || leaf_index >= size) {
      return InvalidFieldError("tree_size", "must be larger than the record's log index");
    }
    ODR_ASSIGN_OR_RETURN(
        Statement s, c.Prepare("SELECT leaf_data FROM evidence_log_leaves WHERE leaf_index = ?1"));
    s.Bind(1, leaf_index);
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return absl::InternalError("evidence log: a leaf is missing");
    b.leaf_data = s.ColumnText(0);
    b.leaf_index = leaf_index;
    b.tree_size = size;
    SqliteSubtrees tree(&c);
    ODR_ASSIGN_OR_RETURN(b.path,
                         transparency::InclusionProof(tree, static_cast<uint64_t>(leaf_index),
                                                      static_cast<uint64_t>(size)));
    ODR_ASSIGN_OR_RETURN(b.checkpoint, CheckpointAt(c, size));
    return absl::OkStatus();
  }));
  return b;
}

absl::StatusOr<ConsistencyBundle> EvidenceStore::ProveConsistency(int64_t from_size,
                                                                  int64_t to_size) {
  ConsistencyBundle b;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(int64_t newest, TreeSize(c));
    const int64_t to = to_size == 0 ? newest : to_size;
    if (to > newest) {
      return MakeError(absl::StatusCode::kOutOfRange, "TREE_SIZE_AHEAD",
                       absl::StrCat("the log has ", newest, " entries, fewer than ", to));
    }
    if (from_size < 1 || from_size > to) {
      return InvalidFieldError("from_tree_size",
                               absl::StrCat("must be from 1 to the newer size (", to, ")"));
    }
    b.from_size = from_size;
    b.to_size = to;
    SqliteSubtrees tree(&c);
    ODR_ASSIGN_OR_RETURN(b.hashes,
                         transparency::ConsistencyProof(tree, static_cast<uint64_t>(from_size),
                                                        static_cast<uint64_t>(to)));
    ODR_ASSIGN_OR_RETURN(b.from_checkpoint, CheckpointAt(c, from_size));
    ODR_ASSIGN_OR_RETURN(b.to_checkpoint, CheckpointAt(c, to));
    return absl::OkStatus();
  }));
  return b;
}

absl::StatusOr<std::string> EvidenceStore::LatestCheckpoint() {
  std::string note;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(int64_t size, TreeSize(c));
    ODR_ASSIGN_OR_RETURN(note, CheckpointAt(c, size));
    return absl::OkStatus();
  }));
  return note;
}

}  // namespace odr::storage

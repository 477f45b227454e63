// The evidence store on a temp SQLite database: the log it keeps agrees with an in-memory RFC 6962
// tree at every size, its tables refuse rewrites, quotas count open uploads, and a record needs
// an open upload.
#include "storage/evidence_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "server/transparency/evidence_leaf.h"
#include "storage/sqlite_case_store.h"
#include "tests/testing/database.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;

namespace odr::storage {
namespace {

using transparency::Hash;

class EvidenceStoreTest : public ::testing::Test {
 protected:
  EvidenceStoreTest()
      : clock_(absl::FromUnixSeconds(1'795'000'000)),
        signer_(*transparency::NoteSigner::Generate("test/evidence-log")),
        verifier_(*transparency::NoteVerifier::FromVerifierKey(signer_.VerifierKey())) {
    db_ = odr::testing::OpenTestDatabase(dir_.file("odr.db"));
    cases_ = std::make_unique<SqliteCaseStore>(db_.get(), &clock_, &ids_);
    store_ = std::make_unique<EvidenceStore>(db_.get(), &signer_);
    EXPECT_THAT(store_->Initialize(clock_.Now()), IsOk());
    auto c = cases_->CreateCase(odr::testing::MedicalCase(), {"tester", "Test", "", ""});
    EXPECT_THAT(c, IsOk()) << c.status();
    case_id_ = c->id;
  }

  UploadSession Session(const std::string& principal, const std::string& upload_id, int64_t size) {
    UploadSession u;
    u.principal_id = principal;
    u.declaration.case_id = case_id_;
    u.declaration.upload_id = upload_id;
    u.declaration.file_name = "a.pdf";
    u.declaration.media_type = "application/pdf";
    u.declaration.size_bytes = size;
    u.declaration.sha256 = std::string(64, 'a');
    u.create_time = clock_.Now();
    return u;
  }

  absl::StatusOr<domain::EvidenceRecord> Record(const UploadSession& u, const std::string& id) {
    domain::EvidenceRecord r;
    r.case_id = case_id_;
    r.id = id;
    r.upload_id = u.declaration.upload_id;
    r.uploader_id = u.principal_id;
    r.file_name = u.declaration.file_name;
    r.media_type = u.declaration.media_type;
    r.size_bytes = u.declaration.size_bytes;
    r.sha256 = u.declaration.sha256;
    r.create_time = clock_.Now();
    AccessRecord a;
    a.time = clock_.Now();
    a.principal_id = u.principal_id;
    a.method = "/test";
    a.resource = "cases/" + case_id_ + "/evidence/" + id;
    a.change = true;
    return store_->RecordEvidence(r, a);
  }

  absl::Status Exec(const std::string& sql) {
    return db_->Write([&](Connection& c) { return c.Exec(sql); });
  }

  odr::testing::TempDir dir_;
  FakeClock clock_;
  SequentialIdGenerator ids_;
  transparency::NoteSigner signer_;
  transparency::NoteVerifier verifier_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<SqliteCaseStore> cases_;
  std::unique_ptr<EvidenceStore> store_;
  std::string case_id_;
};

TEST_F(EvidenceStoreTest, TheLogAgreesWithAnRfc6962TreeAtEverySize) {
  auto empty = store_->LatestCheckpoint();
  ASSERT_THAT(empty, IsOk());
  auto cp0 = transparency::OpenCheckpoint(verifier_, *empty);
  ASSERT_THAT(cp0, IsOk()) << cp0.status();
  EXPECT_EQ(cp0->size, 0u);
  EXPECT_EQ(cp0->root, transparency::EmptyRoot());

  transparency::MemoryTree reference;
  constexpr int kRecords = 21;
  for (int i = 0; i < kRecords; ++i) {
    clock_.Advance(absl::Seconds(1));
    UploadSession u = Session("p", "u" + std::to_string(i), 100 + i);
    ASSERT_THAT(store_->BeginUpload(u, {1 << 30, 1 << 30}), IsOk());
    auto r = Record(u, "e" + std::to_string(i));
    ASSERT_THAT(r, IsOk()) << r.status();
    EXPECT_EQ(r->log_index, i);
    auto proof = store_->ProveInclusion(i, 0);
    ASSERT_THAT(proof, IsOk()) << proof.status();
    reference.Append(proof->leaf_data);
    auto leaf = transparency::ParseEvidenceLeaf(proof->leaf_data);
    ASSERT_THAT(leaf, IsOk());
    EXPECT_EQ(leaf->evidence_name, "cases/" + case_id_ + "/evidence/e" + std::to_string(i));
    EXPECT_EQ(leaf->size_bytes, 100 + i);
    auto cp = transparency::OpenCheckpoint(verifier_, proof->checkpoint);
    ASSERT_THAT(cp, IsOk());
    EXPECT_EQ(cp->size, static_cast<uint64_t>(i + 1));
    EXPECT_EQ(cp->root, *transparency::RootAt(reference, i + 1));
  }
  // Every record against every size that covers it, and every pair of sizes.
  for (int n = 1; n <= kRecords; ++n) {
    const Hash root = *transparency::RootAt(reference, n);
    for (int i = 0; i < n; ++i) {
      auto proof = store_->ProveInclusion(i, n);
      ASSERT_THAT(proof, IsOk()) << proof.status();
      EXPECT_TRUE(transparency::VerifyInclusion(transparency::LeafHash(proof->leaf_data), i, n,
                                                proof->path, root)
                      .ok())
          << i << "/" << n;
    }
    for (int m = 1; m <= n; ++m) {
      auto c = store_->ProveConsistency(m, n);
      ASSERT_THAT(c, IsOk()) << c.status();
      EXPECT_TRUE(transparency::VerifyConsistency(m, n, c->hashes,
                                                  *transparency::RootAt(reference, m), root)
                      .ok())
          << m << "/" << n;
    }
  }
  EXPECT_EQ(store_->ProveInclusion(0, kRecords + 1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store_->ProveInclusion(5, 5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ProveConsistency(0, 3).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ProveConsistency(4, 3).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EvidenceStoreTest, TheLogAndTheRecordsRefuseRewrites) {
  UploadSession u = Session("p", "u", 10);
  ASSERT_THAT(store_->BeginUpload(u, {1000, 1000}), IsOk());
  ASSERT_THAT(Record(u, "e"), IsOk());
  for (const char* sql : {
           "UPDATE evidence_log_leaves SET leaf_data = 'x'",
           "DELETE FROM evidence_log_leaves",
           "UPDATE evidence_log_nodes SET hash = 'x'",
           "DELETE FROM evidence_log_nodes",
           "UPDATE evidence_log_checkpoints SET note = 'x'",
           "DELETE FROM evidence_log_checkpoints",
           "DELETE FROM evidence",
       }) {
    EXPECT_FALSE(Exec(sql).ok()) << sql;
  }
  auto proof = store_->ProveInclusion(0, 0);
  ASSERT_THAT(proof, IsOk());
  EXPECT_THAT(transparency::OpenCheckpoint(verifier_, proof->checkpoint), IsOk());
}

TEST_F(EvidenceStoreTest, QuotasCountLiveEvidenceAndOpenUploads) {
  ASSERT_THAT(store_->BeginUpload(Session("p", "a", 600), {1000, 5000}), IsOk());
  // Open: 600 of the case's 1000.
  auto s = store_->BeginUpload(Session("q", "b", 401), {1000, 5000});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReason(s.status()), "QUOTA_EXCEEDED");
  ASSERT_THAT(store_->BeginUpload(Session("q", "b", 400), {1000, 5000}), IsOk());
  // The same upload again is returned, not counted twice.
  auto again = store_->BeginUpload(Session("p", "a", 600), {1000, 5000});
  ASSERT_THAT(again, IsOk());
  EXPECT_FALSE(again->evidence_id.has_value());
  // A principal's quota across cases: p has 600 open.
  EXPECT_EQ(store_->BeginUpload(Session("p", "c", 1), {1 << 20, 600}).status().code(),
            absl::StatusCode::kResourceExhausted);
  // Forgetting an upload frees its share; withdrawn evidence frees its share.
  ASSERT_THAT(store_->DeleteUpload("q", "b"), IsOk());
  ASSERT_THAT(Record(Session("p", "a", 600), "e1"), IsOk());
  EXPECT_FALSE(store_->BeginUpload(Session("q", "d", 401), {1000, 5000}).ok());
  AccessRecord a;
  a.time = clock_.Now();
  a.principal_id = "p";
  a.method = "/test";
  a.resource = "x";
  a.change = true;
  ASSERT_THAT(store_->WithdrawEvidence(case_id_, "e1", "wrong file", clock_.Now(), a), IsOk());
  EXPECT_EQ(store_->WithdrawEvidence(case_id_, "e1", "again", clock_.Now(), a).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store_->BeginUpload(Session("q", "d", 1000), {1000, 5000}), IsOk());
}

TEST_F(EvidenceStoreTest, ARecordNeedsAnOpenUploadAndWritesNothingOtherwise) {
  UploadSession u = Session("p", "u", 10);
  EXPECT_EQ(Record(u, "e").status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_THAT(store_->BeginUpload(u, {1000, 1000}), IsOk());
  ASSERT_THAT(Record(u, "e"), IsOk());
  EXPECT_EQ(Record(u, "e2").status().code(), absl::StatusCode::kFailedPrecondition);
  auto proof = store_->ProveInclusion(0, 0);
  ASSERT_THAT(proof, IsOk());
  EXPECT_EQ(proof->tree_size, 1);  // the refused record left no leaf
  auto listed = store_->ListEvidence(case_id_, -1, 10, true);
  ASSERT_THAT(listed, IsOk());
  EXPECT_EQ(listed->size(), 1u);
  auto session = store_->GetUpload("p", "u");
  ASSERT_THAT(session, IsOk());
  EXPECT_EQ(session->evidence_id, "e");
  EXPECT_TRUE(*store_->IsBlobReferenced(std::string(64, 'a')));
  EXPECT_FALSE(*store_->IsBlobReferenced(std::string(64, 'b')));
}

}  // namespace
}  // namespace odr::storage

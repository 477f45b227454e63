// The pure rules of evidence: what an upload may declare, chunk sizes, who sees and withdraws
// evidence, and until when a case takes evidence.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/authorization.h"
#include "server/domain/evidence.h"
#include "server/domain/state_machine.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const FieldViolation& v : ErrorFieldViolations(s)) out.push_back(v.field);
  return out;
}

UploadDeclaration Good() {
  UploadDeclaration d;
  d.case_id = "k1";
  d.upload_id = "u-1_A";
  d.file_name = "出院小结.pdf";
  d.media_type = "application/pdf";
  d.size_bytes = 1000;
  d.sha256 = std::string(64, 'A');
  return d;
}

TEST(EvidenceRulesTest, AGoodDeclarationPassesAndItsHashIsLowerCased) {
  UploadDeclaration d = Good();
  EXPECT_THAT(ValidateUploadDeclaration(&d, EvidenceLimits{}), IsOk());
  EXPECT_EQ(d.sha256, std::string(64, 'a'));
}

TEST(EvidenceRulesTest, EachBadFieldIsNamed) {
  struct Case {
    std::function<void(UploadDeclaration*)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](UploadDeclaration* d) { d->case_id = ""; }, "start.parent"},
      {[](UploadDeclaration* d) { d->upload_id = ""; }, "start.upload_id"},
      {[](UploadDeclaration* d) { d->upload_id = "has space"; }, "start.upload_id"},
      {[](UploadDeclaration* d) { d->upload_id = std::string(65, 'a'); }, "start.upload_id"},
      {[](UploadDeclaration* d) { d->file_name = ""; }, "start.evidence.file_name"},
      {[](UploadDeclaration* d) { d->file_name = "a/b.pdf"; }, "start.evidence.file_name"},
      {[](UploadDeclaration* d) { d->file_name = "a\\b.pdf"; }, "start.evidence.file_name"},
      {[](UploadDeclaration* d) { d->file_name = ".."; }, "start.evidence.file_name"},
      {[](UploadDeclaration* d) { d->file_name = "x\u202e.pdf"; }, "start.evidence.file_name"},
      {[](UploadDeclaration* d) { d->file_name = ".bashrc"; }, "start.evidence.file_name"},
      {[](UploadDeclaration* d) { d->file_name = "-rf"; }, "start.evidence.file_name"},
      {[](UploadDeclaration* d) { d->file_name = "a\rb.pdf"; }, "start.evidence.file_name"},
      {[](UploadDeclaration* d) { d->file_name = std::string(256, 'a'); },
       "start.evidence.file_name"},
      {[](UploadDeclaration* d) { d->media_type = ""; }, "start.evidence.media_type"},
      {[](UploadDeclaration* d) { d->media_type = "application/x-msdownload"; },
       "start.evidence.media_type"},
      {[](UploadDeclaration* d) { d->media_type = "APPLICATION/PDF"; },
       "start.evidence.media_type"},
      {[](UploadDeclaration* d) { d->description = std::string(501, 'a'); },
       "start.evidence.description"},
      {[](UploadDeclaration* d) { d->size_bytes = 0; }, "start.size_bytes"},
      {[](UploadDeclaration* d) { d->size_bytes = -5; }, "start.size_bytes"},
      {[](UploadDeclaration* d) { d->size_bytes = (int64_t{2} << 30) + 1; }, "start.size_bytes"},
      {[](UploadDeclaration* d) { d->sha256 = "abc"; }, "start.sha256"},
      {[](UploadDeclaration* d) { d->sha256 = std::string(64, 'g'); }, "start.sha256"},
  };
  for (const Case& c : cases) {
    UploadDeclaration d = Good();
    c.mutate(&d);
    absl::Status s = ValidateUploadDeclaration(&d, EvidenceLimits{});
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument)) << c.field;
    EXPECT_THAT(Fields(s), ElementsAre(c.field));
  }
  UploadDeclaration d = Good();
  d.size_bytes = 2001;
  EvidenceLimits small;
  small.max_file_bytes = 2000;
  EXPECT_THAT(Fields(ValidateUploadDeclaration(&d, small)), ElementsAre("start.size_bytes"));
}

TEST(EvidenceRulesTest, FileNamesAreNotHiddenNotOptionsAndShowWhatTheyAre) {
  for (const std::string good : {"出院小结.pdf", "scan (1).pdf", "a.b.c", "x-y_z.pdf", "_.bashrc",
                                 "a..b", "张三 - 病历.jpg", "\U0001F468\u200D\U0001F469.png"}) {
    EXPECT_EQ(CheckEvidenceFileName(good), "") << good;
  }
  EXPECT_EQ(CheckEvidenceFileName(std::string(255, 'a')), "");
  // Hidden files and what a shell or program would take for options once downloaded.
  for (const std::string bad : {".bashrc", ".", "..", ".x.pdf", "-rf", "--help", "-"}) {
    EXPECT_EQ(CheckEvidenceFileName(bad), "must not start with '.' or '-' (rename the file)")
        << bad;
  }
  // Paths.
  for (const std::string bad : {"a/b.pdf", "/etc/passwd", "a\\b.pdf", "x/"}) {
    EXPECT_EQ(CheckEvidenceFileName(bad), "must be a file name without '/' or '\\'") << bad;
  }
  // Control characters (C0 with tab, CR and LF, DEL, C1), bidirectional formatting, the BOM.
  for (const std::string bad :
       {std::string("a\0b.pdf", 7), std::string("a\tb.pdf"), std::string("a\rb.pdf"),
        std::string("a\nb.pdf"), std::string("\x1b[2J.pdf"), std::string("a\x7f.pdf"),
        std::string("a\u0085.pdf"), std::string("a\u009b31m.pdf"), std::string("\u202egnp.exe"),
        std::string("a\u202a.pdf"), std::string("a\u2066.pdf"), std::string("a\u2069.pdf"),
        std::string("a\u200e.pdf"), std::string("a\u200f.pdf"), std::string("a\u061c.pdf"),
        std::string("\ufeffa.pdf")}) {
    EXPECT_EQ(CheckEvidenceFileName(bad), "must not contain control or text-direction characters")
        << bad;
  }
  EXPECT_EQ(CheckEvidenceFileName(""), "is required");
  EXPECT_EQ(CheckEvidenceFileName("   "), "must not be blank");
  EXPECT_EQ(CheckEvidenceFileName("\xff.pdf"), "is not valid UTF-8");
  EXPECT_THAT(CheckEvidenceFileName(std::string(256, 'a')), HasSubstr("at most 255"));
}

TEST(EvidenceRulesTest, ChunksAreAtMost64KiBAndSmallOnlyAtTheEnd) {
  constexpr int64_t kSize = 200'000;
  EXPECT_EQ(CheckChunk(0, 64 * 1024, kSize), "");
  EXPECT_EQ(CheckChunk(0, 16 * 1024, kSize), "");
  EXPECT_THAT(CheckChunk(0, 64 * 1024 + 1, kSize), HasSubstr("at most"));
  EXPECT_THAT(CheckChunk(0, 1000, kSize), HasSubstr("at least"));
  EXPECT_EQ(CheckChunk(kSize - 1000, 1000, kSize), "");  // the tail
  EXPECT_THAT(CheckChunk(kSize - 1000, 1001, kSize), HasSubstr("past the declared"));
  EXPECT_EQ(CheckChunk(5, 0, kSize), "");  // an empty message (finish only)
}

TEST(EvidenceRulesTest, MediatorOnlyEvidenceIsSeenByUploaderMediatorsAndAdminsOnly) {
  Case k;
  k.id = "k1";
  k.data = odr::testing::MedicalCase();  // applicant kIdZhang; hospital's agent kIdLi
  k.mediator_ids = {"m1"};
  // m1 accepted the case (a mediator only proposed sees no MEDIATOR_ONLY evidence:
  // AuthorizationTest.AProposedMediatorSeesTheCaseButDoesNotRunIt).
  MediatorAssignment accepted;
  accepted.principal_id = "m1";
  accepted.state = AssignmentState::kAccepted;
  k.assignments = {accepted};
  Principal zhang{"zhang", Role::kCitizen};
  zhang.id_number = odr::testing::kIdZhang;
  Principal li{"li", Role::kCitizen};
  li.id_number = odr::testing::kIdLi;
  Principal wang{"wang", Role::kCitizen};
  wang.id_number = odr::testing::kIdWang;
  Principal mediator{"m1", Role::kMediator};
  Principal admin{"a", Role::kOrgAdmin};
  admin.organization_id = k.data.organization_id;
  Principal court{"c", Role::kCourt};
  court.court_id = "court-x";
  k.data.court_diversion = CourtDiversion{"court-x", "ref-1", "2026-11-01", ""};

  EvidenceRecord e;
  e.case_id = "k1";
  e.id = "e1";
  e.uploader_id = "zhang";
  for (const Principal& p : {zhang, li, mediator, admin, court}) {
    EXPECT_TRUE(MaySeeEvidence(p, k, e)) << p.id;
  }
  EXPECT_FALSE(MaySeeEvidence(wang, k, e));
  e.visibility = EvidenceVisibility::kMediatorOnly;
  EXPECT_TRUE(MaySeeEvidence(zhang, k, e));
  EXPECT_TRUE(MaySeeEvidence(mediator, k, e));
  EXPECT_TRUE(MaySeeEvidence(admin, k, e));
  EXPECT_FALSE(MaySeeEvidence(li, k, e));
  EXPECT_FALSE(MaySeeEvidence(court, k, e));
  EXPECT_FALSE(MaySeeEvidence(wang, k, e));

  EXPECT_THAT(AuthorizeWithdrawEvidence(zhang, k, e), IsOk());
  EXPECT_EQ(AuthorizeWithdrawEvidence(mediator, k, e).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(AuthorizeWithdrawEvidence(li, k, e).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(AuthorizeWithdrawEvidence(wang, k, e).code(), absl::StatusCode::kNotFound);

  // Anyone related to the case may add evidence; nobody else.
  for (const Principal& p : {zhang, li, mediator, admin, court}) {
    EXPECT_THAT(AuthorizeCase(p, k, CaseOperation::kAddEvidence), IsOk()) << p.id;
  }
  EXPECT_EQ(AuthorizeCase(wang, k, CaseOperation::kAddEvidence).code(),
            absl::StatusCode::kNotFound);
}

TEST(EvidenceRulesTest, EvidenceIsTakenUntilTheCaseEnds) {
  for (CaseState s : {CaseState::kDraft, CaseState::kSubmitted, CaseState::kAccepted,
                      CaseState::kMediatorProposed, CaseState::kMediatorAssigned}) {
    EXPECT_THAT(CheckCanAddEvidence(s), IsOk());
  }
  for (CaseState s : {CaseState::kWithdrawn, CaseState::kClosed}) {
    absl::Status st = CheckCanAddEvidence(s);
    EXPECT_THAT(st, StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_EQ(ErrorCurrentState(st), ApiStateName(s));
  }
}

}  // namespace
}  // namespace odr::domain

// The record that mediation was voluntary and lawful (server/domain/procedure_record.h): consents
// (OMR Art. 4; 特邀 Art. 11), the notice (特邀 Art. 14), identity, the false-mediation warning and
// the service address (OMR Art. 17), minutes and recording (OMR Art. 22), undisputed facts (OMR
// Art. 18), conflicts and recusal (OMR Art. 13; 特邀 Art. 15), refusing a replacement (OMR Art.
// 14), separate sessions (OMR Art. 16), the presiding mediator (OMR Art. 11) and suspected false
// mediation (特邀 Art. 18), and the pre-check's warnings (CPL Interpretation Art. 358(四)).
#include "server/domain/procedure_record.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "tests/testing/calendar.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

Principal Citizen(const char* id_number) {
  Principal p;
  p.id = "citizen";
  p.role = Role::kCitizen;
  p.id_number = id_number;
  return p;
}

Principal Of(const char* id, Role role) {
  Principal p;
  p.id = id;
  p.role = role;
  return p;
}

MediatorAssignment Assigned(const char* principal, AssignmentState s) {
  MediatorAssignment a;
  a.organization_id = "org-1";
  a.mediator_id = std::string("m-") + principal;
  a.principal_id = principal;
  a.state = s;
  return a;
}

// Applicant 张三 (kIdZhang), respondent hospital with its lawyer (kIdLi); org-1, mediator m1
// accepted; diverted by court-x.
Case TheCase(CaseState state = CaseState::kMediating) {
  Case c;
  c.id = "case-1";
  c.data = odr::testing::MedicalCase();
  c.data.organization_id = "org-1";
  c.data.court_diversion = CourtDiversion{"court-x", "ref-1", "2031-03-01", ""};
  c.state = state;
  c.assignments = {Assigned("m1", AssignmentState::kAccepted)};
  c.mediator_ids = {"m1"};
  return c;
}

ProcedureRecord R(RecordKind k, std::string party = "", std::string mediator = "") {
  ProcedureRecord r;
  r.case_id = "case-1";
  r.kind = k;
  r.party = std::move(party);
  r.mediator = std::move(mediator);
  return r;
}

std::vector<std::string> Reasons(const std::vector<ConfirmationProblem>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.reason);
  return out;
}

TEST(ProcedureRecordTest, KindNamesRoundTripAndCiteTheirArticles) {
  for (int i = 0; i <= static_cast<int>(RecordKind::kFalseMediationSuspected); ++i) {
    const auto k = static_cast<RecordKind>(i);
    EXPECT_EQ(RecordKindFromName(RecordKindName(k)), k);
    EXPECT_STRNE(RecordLegalBasis(k), "");
  }
  EXPECT_STREQ(RecordLegalBasis(RecordKind::kMediationConsent), "OMR Art. 4");
  EXPECT_STREQ(RecordLegalBasis(RecordKind::kNoticeAcknowledged), "特邀 Art. 14");
  EXPECT_STREQ(RecordLegalBasis(RecordKind::kSeparateSessionConsent), "OMR Art. 16");
  EXPECT_FALSE(RecordKindFromName("nope").has_value());
}

// 特邀 Art. 14, OMR Art. 4: a party gives its own consents and acknowledgements, or the staff
// record what it gave; the other side may not.
TEST(ProcedureRecordTest, APartysOwnRecordIsItsOwnOrTheStaffs) {
  const Case c = TheCase();
  const ProcedureRecord consent = R(RecordKind::kMediationConsent, "applicants/0");
  EXPECT_THAT(AuthorizeRecord(Citizen(odr::testing::kIdZhang), c, consent), IsOk());
  EXPECT_THAT(AuthorizeRecord(Of("m1", Role::kMediator), c, consent), IsOk());
  Principal admin = Of("admin", Role::kOrgAdmin);
  admin.organization_id = "org-1";
  EXPECT_THAT(AuthorizeRecord(admin, c, consent), IsOk());
  const absl::Status other = AuthorizeRecord(Citizen(odr::testing::kIdLi), c, consent);
  EXPECT_THAT(other, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(other.message(), HasSubstr("OMR Art. 4"));
  // The hospital's lawyer for the hospital.
  EXPECT_TRUE(AuthorizeRecord(Citizen(odr::testing::kIdLi), c,
                              R(RecordKind::kNoticeAcknowledged, "respondents/0"))
                  .ok());
  // A court only for the consent to its diversion (特邀 Art. 11).
  Principal court = Of("court", Role::kCourt);
  court.court_id = "court-x";
  EXPECT_THAT(AuthorizeRecord(court, c, R(RecordKind::kDiversionConsent, "applicants/0")), IsOk());
  EXPECT_EQ(AuthorizeRecord(court, c, consent).code(), absl::StatusCode::kPermissionDenied);
}

// OMR Art. 17: the platform verifies identity and warns; a party does not verify itself.
TEST(ProcedureRecordTest, StaffRecordIdentityWarningsFactsAndSuspicions) {
  const Case c = TheCase();
  for (RecordKind k : {RecordKind::kIdentityVerified, RecordKind::kFalseMediationWarning,
                       RecordKind::kUndisputedFacts, RecordKind::kFalseMediationSuspected}) {
    ProcedureRecord r = R(k, ShapeOf(k).party ? "applicants/0" : "");
    EXPECT_THAT(AuthorizeRecord(Of("m1", Role::kMediator), c, r), IsOk()) << RecordKindName(k);
    EXPECT_EQ(AuthorizeRecord(Citizen(odr::testing::kIdZhang), c, r).code(),
              absl::StatusCode::kPermissionDenied)
        << RecordKindName(k);
  }
  // A mediator only proposed may disclose (before accepting, OMR Art. 13) but nothing else.
  Case proposed = c;
  proposed.assignments.push_back(Assigned("m2", AssignmentState::kProposed));
  proposed.mediator_ids.push_back("m2");
  EXPECT_TRUE(AuthorizeRecord(Of("m2", Role::kMediator), proposed,
                              R(RecordKind::kConflictDisclosed, "", "m2"))
                  .ok());
  EXPECT_EQ(AuthorizeRecord(Of("m2", Role::kMediator), proposed,
                            R(RecordKind::kConflictDisclosed, "", "m1"))
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(AuthorizeRecord(Of("m2", Role::kMediator), proposed,
                            R(RecordKind::kIdentityVerified, "applicants/0"))
                .code(),
            absl::StatusCode::kPermissionDenied);
  // Recusal is decided by the organization or the court, not the mediator (特邀 Art. 15).
  EXPECT_EQ(AuthorizeRecord(Of("m1", Role::kMediator), c, R(RecordKind::kRecusalDecided, "", "m1"))
                .code(),
            absl::StatusCode::kPermissionDenied);
  Principal court = Of("court", Role::kCourt);
  court.court_id = "court-x";
  EXPECT_THAT(AuthorizeRecord(court, c, R(RecordKind::kRecusalDecided, "", "m1")), IsOk());
}

TEST(ProcedureRecordTest, EachKindTakesItsFieldsNamingTheField) {
  const Case c = TheCase();
  EXPECT_THAT(odr::testing::FieldsOf(CheckRecord(c, R(RecordKind::kMediationConsent), {})),
              ElementsAre("record.party"));
  EXPECT_THAT(
      odr::testing::FieldsOf(CheckRecord(c, R(RecordKind::kMediationConsent, "applicants/3"), {})),
      ElementsAre("record.party"));
  ProcedureRecord id = R(RecordKind::kIdentityVerified, "applicants/0");
  EXPECT_THAT(odr::testing::FieldsOf(CheckRecord(c, id, {})), ElementsAre("record.manner"));
  id.manner = "人脸识别";
  EXPECT_THAT(CheckRecord(c, id, {}), IsOk());
  ProcedureRecord minutes = R(RecordKind::kMinutesConfirmed, "respondents/0");
  minutes.granted = true;
  EXPECT_THAT(odr::testing::FieldsOf(CheckRecord(c, minutes, {})),
              ElementsAre("record.appointment", "record.granted"));
  ProcedureRecord disclosed = R(RecordKind::kConflictDisclosed, "applicants/0", "m9");
  EXPECT_THAT(odr::testing::FieldsOf(CheckRecord(c, disclosed, {})),
              ElementsAre("record.party", "record.mediator", "record.detail"));
  ProcedureRecord facts = R(RecordKind::kUndisputedFacts);
  facts.detail = "2031年3月1日手术";
  facts.manner = "调解会上双方确认";
  EXPECT_THAT(CheckRecord(c, facts, {}), IsOk());
}

TEST(ProcedureRecordTest, RecordsAreAddedUntilTheCaseEnds) {
  const ProcedureRecord consent = R(RecordKind::kMediationConsent, "applicants/0");
  EXPECT_THAT(CheckRecord(TheCase(CaseState::kDraft), consent, {}), IsOk());
  EXPECT_THAT(CheckRecord(TheCase(CaseState::kSettled), consent, {}), IsOk());
  const absl::Status s = CheckRecord(TheCase(CaseState::kClosed), consent, {});
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(s.message(), HasSubstr("STATE_CLOSED"));
}

// 特邀 Art. 11: only a diverted case has a diversion to consent to.
TEST(ProcedureRecordTest, ADiversionConsentNeedsADiversion) {
  Case citizen = TheCase();
  citizen.data.court_diversion.reset();
  const absl::Status s = CheckRecord(citizen, R(RecordKind::kDiversionConsent, "applicants/0"), {});
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ErrorReason(s), "NOT_COURT_DIVERTED");
}

// OMR Art. 13; 特邀 Art. 15: a decision answers a pending request, once.
TEST(ProcedureRecordTest, ARecusalIsDecidedOnlyWhenRequested) {
  const Case c = TheCase();
  ProcedureRecord decided = R(RecordKind::kRecusalDecided, "", "m1");
  EXPECT_EQ(ErrorReason(CheckRecord(c, decided, {})), "NO_RECUSAL_REQUEST");
  ProcedureRecord asked = R(RecordKind::kRecusalRequested, "applicants/0", "m1");
  asked.detail = "调解员与被申请人存在利害关系";
  EXPECT_THAT(CheckRecord(c, asked, {}), IsOk());
  EXPECT_THAT(CheckRecord(c, decided, {asked}), IsOk());
  EXPECT_EQ(ErrorReason(CheckRecord(c, decided, {asked, decided})), "NO_RECUSAL_REQUEST");
}

// OMR Art. 11: a presiding mediator among two or more who accepted.
TEST(ProcedureRecordTest, APresidingMediatorIsOneOfSeveral) {
  Case c = TheCase();
  EXPECT_EQ(ErrorReason(CheckRecord(c, R(RecordKind::kPresidingMediator, "", "m1"), {})),
            "SINGLE_MEDIATOR");
  c.assignments.push_back(Assigned("m2", AssignmentState::kProposed));
  EXPECT_THAT(
      odr::testing::FieldsOf(CheckRecord(c, R(RecordKind::kPresidingMediator, "", "m2"), {})),
      ElementsAre("record.mediator"));
  c.assignments[1].state = AssignmentState::kAccepted;
  EXPECT_THAT(CheckRecord(c, R(RecordKind::kPresidingMediator, "", "m2"), {}), IsOk());
}

// OMR Art. 14: refusing a replacement and to choose is refusing mediation: the case closes.
TEST(ProcedureRecordTest, RefusingAReplacementClosesTheCase) {
  const ProcedureRecord r = R(RecordKind::kReplacementRefused, "respondents/0");
  const std::optional<std::string> why = ClosingReason(r);
  ASSERT_TRUE(why.has_value());
  EXPECT_THAT(*why, HasSubstr("OMR Art. 14"));
  EXPECT_THAT(*why, HasSubstr("respondents/0"));
  EXPECT_FALSE(ClosingReason(R(RecordKind::kMediationConsent, "applicants/0")).has_value());
  // Only after a mediator was replaced, and before settlement.
  EXPECT_EQ(ErrorReason(CheckRecord(TheCase(CaseState::kMediating), r, {})), "NO_REPLACEMENT");
  Case replaced = TheCase(CaseState::kAccepted);
  replaced.assignments[0].state = AssignmentState::kReplaced;
  EXPECT_THAT(CheckRecord(replaced, r, {}), IsOk());
  replaced.state = CaseState::kSettled;
  EXPECT_EQ(ErrorReason(CheckRecord(replaced, r, {})), "NO_REPLACEMENT");
  replaced.state = CaseState::kDraft;  // a draft cannot be closed
  EXPECT_EQ(CheckRecord(replaced, r, {}).code(), absl::StatusCode::kFailedPrecondition);
}

// OMR Art. 13: the mediator whose conflict it is does not record the party's waiver.
TEST(ProcedureRecordTest, AMediatorDoesNotWaiveItsOwnConflict) {
  Case c = TheCase();
  c.assignments.push_back(Assigned("m2", AssignmentState::kAccepted));
  const ProcedureRecord waiver = R(RecordKind::kConflictWaived, "applicants/0", "m1");
  EXPECT_EQ(AuthorizeRecord(Of("m1", Role::kMediator), c, waiver).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(AuthorizeRecord(Of("m2", Role::kMediator), c, waiver), IsOk());
  EXPECT_THAT(AuthorizeRecord(Citizen(odr::testing::kIdZhang), c, waiver), IsOk());
}

// Who sees what of a record: the court all; a party never a suspicion, and the free text only of
// its own parties' records and of records about no party.
TEST(ProcedureRecordTest, VisibilityByCaller) {
  const Case c = TheCase();
  Principal court = Of("court", Role::kCourt);
  court.court_id = "court-x";
  const Principal zhang = Citizen(odr::testing::kIdZhang);
  const ProcedureRecord suspicion = R(RecordKind::kFalseMediationSuspected);
  const ProcedureRecord theirs = R(RecordKind::kIdentityVerified, "respondents/0");
  const ProcedureRecord mine = R(RecordKind::kIdentityVerified, "applicants/0");
  const ProcedureRecord facts = R(RecordKind::kUndisputedFacts);
  EXPECT_EQ(VisibilityOf(court, c, suspicion), RecordVisibility::kFull);
  EXPECT_EQ(VisibilityOf(Of("m1", Role::kMediator), c, suspicion), RecordVisibility::kFull);
  EXPECT_EQ(VisibilityOf(zhang, c, suspicion), RecordVisibility::kHidden);
  EXPECT_EQ(VisibilityOf(zhang, c, theirs), RecordVisibility::kWithoutText);
  EXPECT_EQ(VisibilityOf(zhang, c, mine), RecordVisibility::kFull);
  EXPECT_EQ(VisibilityOf(zhang, c, facts), RecordVisibility::kFull);
}

TEST(ProcedureRecordTest, TheEventTextNamesWhoAndTheArticleButNoFreeText) {
  ProcedureRecord r = R(RecordKind::kIdentityVerified, "applicants/0");
  r.manner = "人脸识别 110101199003074514";
  r.detail = "private";
  const std::string text = RecordEventText(r);
  EXPECT_THAT(text, HasSubstr("applicants/0"));
  EXPECT_THAT(text, HasSubstr("OMR Art. 17"));
  EXPECT_THAT(text, Not(HasSubstr("1101")));
  EXPECT_THAT(text, Not(HasSubstr("private")));
  EXPECT_EQ(RecordAudience(RecordKind::kFalseMediationSuspected), EventAudience::kStaff);
  EXPECT_EQ(RecordAudience(RecordKind::kMinutesConfirmed), EventAudience::kAll);
}

std::vector<ProcedureRecord> Complete(const Case& c) {
  std::vector<ProcedureRecord> out;
  for (const char* party : {"applicants/0", "respondents/0"}) {
    for (RecordKind k : {RecordKind::kMediationConsent, RecordKind::kDiversionConsent,
                         RecordKind::kNoticeAcknowledged, RecordKind::kIdentityVerified,
                         RecordKind::kFalseMediationWarning, RecordKind::kServiceAddressConfirmed,
                         RecordKind::kMinutesConfirmed}) {
      if (k == RecordKind::kDiversionConsent && !c.data.court_diversion) continue;
      out.push_back(R(k, party));
    }
  }
  return out;
}

// CPL Interpretation Art. 358(四): the pre-check warns of each record a court looks for.
TEST(ProcedureRecordTest, WarningsNameEachMissingRecordPerParty) {
  const Case c = TheCase();
  EXPECT_THAT(RecordWarnings(c, Complete(c), 0), IsEmpty());
  std::vector<ProcedureRecord> some = Complete(c);
  some.erase(some.begin());  // applicants/0's consent to online mediation
  const auto w = RecordWarnings(c, some, 0);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].reason, "MISSING_PROCEDURE_RECORD");
  EXPECT_THAT(w[0].description, HasSubstr("applicants/0"));
  EXPECT_THAT(w[0].description, HasSubstr("OMR Art. 4"));
  // Nothing recorded: 7 per party when diverted, 6 for a citizen's own application.
  EXPECT_EQ(RecordWarnings(c, {}, 0).size(), 14u);
  Case citizen = c;
  citizen.data.court_diversion.reset();
  EXPECT_EQ(RecordWarnings(citizen, {}, 0).size(), 12u);
}

// OMR Art. 16: separate sessions only with each party's consent.
TEST(ProcedureRecordTest, SeparateSessionsWithoutEveryPartysConsentWarn) {
  const Case c = TheCase();
  std::vector<ProcedureRecord> records = Complete(c);
  records.push_back(R(RecordKind::kSeparateSessionConsent, "applicants/0"));
  EXPECT_THAT(RecordWarnings(c, records, 0), IsEmpty());
  const auto w = RecordWarnings(c, records, 2);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].reason, "SEPARATE_SESSION_WITHOUT_CONSENT");
  EXPECT_THAT(w[0].description, HasSubstr("respondents/0"));
  records.push_back(R(RecordKind::kSeparateSessionConsent, "respondents/0"));
  EXPECT_THAT(RecordWarnings(c, records, 2), IsEmpty());
}

// OMR Arts. 11, 13; 特邀 Arts. 15, 18.
TEST(ProcedureRecordTest, ConflictsRecusalsPresidingAndSuspicionsWarn) {
  Case c = TheCase();
  std::vector<ProcedureRecord> records = Complete(c);
  records.push_back(R(RecordKind::kConflictDisclosed, "", "m1"));
  records.push_back(R(RecordKind::kConflictWaived, "applicants/0", "m1"));
  EXPECT_THAT(Reasons(RecordWarnings(c, records, 0)), ElementsAre("CONFLICT_NOT_WAIVED"));
  records.push_back(R(RecordKind::kConflictWaived, "respondents/0", "m1"));
  EXPECT_THAT(RecordWarnings(c, records, 0), IsEmpty());

  records.push_back(R(RecordKind::kRecusalRequested, "respondents/0", "m1"));
  EXPECT_THAT(Reasons(RecordWarnings(c, records, 0)), ElementsAre("RECUSAL_PENDING"));
  ProcedureRecord granted = R(RecordKind::kRecusalDecided, "", "m1");
  granted.granted = true;
  records.push_back(granted);
  // Granted, and m1 still mediates.
  EXPECT_THAT(Reasons(RecordWarnings(c, records, 0)), ElementsAre("RECUSAL_PENDING"));
  c.assignments[0].state = AssignmentState::kReplaced;
  c.assignments.push_back(Assigned("m2", AssignmentState::kAccepted));
  EXPECT_THAT(RecordWarnings(c, records, 0), IsEmpty());

  c.assignments.push_back(Assigned("m3", AssignmentState::kAccepted));
  EXPECT_THAT(Reasons(RecordWarnings(c, records, 0)), ElementsAre("PRESIDING_MEDIATOR_MISSING"));
  records.push_back(R(RecordKind::kPresidingMediator, "", "m3"));
  EXPECT_THAT(RecordWarnings(c, records, 0), IsEmpty());

  // A suspicion is never a warning (the parties read them); a request about a mediator who left
  // the case is moot.
  records.push_back(R(RecordKind::kFalseMediationSuspected));
  records.push_back(R(RecordKind::kRecusalRequested, "applicants/0", "m1"));
  EXPECT_THAT(RecordWarnings(c, records, 0), IsEmpty());
}

}  // namespace
}  // namespace odr::domain

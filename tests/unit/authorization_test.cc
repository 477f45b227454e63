#include "server/domain/authorization.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::domain {
namespace {

Principal Citizen(const char* id_number) {
  Principal p;
  p.id = "c";
  p.role = Role::kCitizen;
  p.id_number = id_number;
  return p;
}

Case TheCase() {
  Case k;
  k.id = "k1";
  k.data = odr::testing::MedicalCase();  // applicant kIdZhang; hospital's agent kIdLi
  k.data.court_diversion = CourtDiversion{"court-x", "ref-1", "2026-11-01", ""};
  k.mediator_ids = {"m1"};
  return k;
}

TEST(AuthorizationTest, RelationsFollowIdentityAndRole) {
  const Case k = TheCase();
  EXPECT_TRUE(RelationTo(Citizen(odr::testing::kIdZhang), k).applicant_side);
  EXPECT_TRUE(RelationTo(Citizen(odr::testing::kIdLi), k).respondent_side);  // an agent
  EXPECT_FALSE(RelationTo(Citizen(odr::testing::kIdWang), k).any());
  Principal same_number_other_type = Citizen(odr::testing::kIdZhang);
  same_number_other_type.id_document_type = IdDocumentType::kPassport;
  EXPECT_FALSE(RelationTo(same_number_other_type, k).any());
  Principal m{"m1", Role::kMediator};
  EXPECT_TRUE(RelationTo(m, k).assigned_mediator);
  m.id = "m2";
  EXPECT_FALSE(RelationTo(m, k).any());
  Principal admin{"a", Role::kOrgAdmin};
  admin.organization_id = "org-1";
  EXPECT_TRUE(RelationTo(admin, k).organization_admin);
  admin.organization_id = "org-2";
  EXPECT_FALSE(RelationTo(admin, k).any());
  Principal court{"c", Role::kCourt};
  court.court_id = "court-x";
  EXPECT_TRUE(RelationTo(court, k).diverting_court);
  Principal disabled = Citizen(odr::testing::kIdZhang);
  disabled.disabled = true;
  EXPECT_FALSE(RelationTo(disabled, k).any());
}

TEST(AuthorizationTest, HiddenIsNotFoundVisibleButForbiddenIsPermissionDenied) {
  const Case k = TheCase();
  EXPECT_EQ(AuthorizeCase(Citizen(odr::testing::kIdWang), k, CaseOperation::kRead).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(AuthorizeCase(Citizen(odr::testing::kIdLi), k, CaseOperation::kUpdate).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(AuthorizeCase(Citizen(odr::testing::kIdLi), k, CaseOperation::kRead), IsOk());
  EXPECT_THAT(AuthorizeCase(Citizen(odr::testing::kIdZhang), k, CaseOperation::kWithdraw), IsOk());
  EXPECT_EQ(AuthorizeCase(Citizen(odr::testing::kIdZhang), k, CaseOperation::kAccept).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(AuthorizeCase(Principal{"p", Role::kPlatformAdmin}, k, CaseOperation::kRead).code(),
            absl::StatusCode::kNotFound);
}

// A mediator only proposed may see the case and answer the proposal, nothing that runs it (OMR
// Arts. 12-13: it accepts, declaring no conflict, before it mediates). Issue 17 item 1.
TEST(AuthorizationTest, AProposedMediatorSeesTheCaseButDoesNotRunIt) {
  Case k = TheCase();
  MediatorAssignment a;
  a.organization_id = "org-1";
  a.mediator_id = "med-1";
  a.principal_id = "m1";
  a.state = AssignmentState::kProposed;
  k.assignments = {a};
  const Principal m{"m1", Role::kMediator};
  EXPECT_THAT(AuthorizeCase(m, k, CaseOperation::kRead), IsOk());
  EXPECT_THAT(AuthorizeCase(m, k, CaseOperation::kRespondToAssignment), IsOk());
  for (CaseOperation op :
       {CaseOperation::kUpdate, CaseOperation::kClose, CaseOperation::kReplaceMediator,
        CaseOperation::kAddEvidence, CaseOperation::kBookAppointment,
        CaseOperation::kManageAppointments, CaseOperation::kManageClock,
        CaseOperation::kDraftAgreement, CaseOperation::kSignAgreement,
        CaseOperation::kRecordPerformance, CaseOperation::kRecordOffer}) {
    EXPECT_EQ(AuthorizeCase(m, k, op).code(), absl::StatusCode::kPermissionDenied)
        << static_cast<int>(op);
  }
  EvidenceRecord hidden;
  hidden.case_id = k.id;
  hidden.uploader_id = "someone-else";
  hidden.visibility = EvidenceVisibility::kMediatorOnly;
  EXPECT_FALSE(MaySeeEvidence(m, k, hidden));
  EXPECT_TRUE(MaySeeAudience(m, k, EventAudience::kAll));
  EXPECT_TRUE(MaySeeAudience(m, k, EventAudience::kStaff));
  EXPECT_FALSE(MaySeeAudience(m, k, EventAudience::kApplicantSide));
  EXPECT_FALSE(MaySeeAudience(m, k, EventAudience::kRespondentSide));

  k.assignments[0].state = AssignmentState::kAccepted;
  for (CaseOperation op : {CaseOperation::kUpdate, CaseOperation::kClose,
                           CaseOperation::kAddEvidence, CaseOperation::kDraftAgreement}) {
    EXPECT_THAT(AuthorizeCase(m, k, op), IsOk()) << static_cast<int>(op);
  }
  EXPECT_TRUE(MaySeeEvidence(m, k, hidden));
  EXPECT_TRUE(MaySeeAudience(m, k, EventAudience::kRespondentSide));
}

TEST(AuthorizationTest, CreateRules) {
  CaseData d = odr::testing::MedicalCase();
  EXPECT_THAT(AuthorizeCreate(Citizen(odr::testing::kIdZhang), d), IsOk());
  EXPECT_EQ(AuthorizeCreate(Citizen(odr::testing::kIdLi), d).code(),
            absl::StatusCode::kPermissionDenied);  // a respondent's agent may not file
  Principal admin{"a", Role::kOrgAdmin};
  admin.organization_id = "org-1";
  EXPECT_THAT(AuthorizeCreate(admin, d), IsOk());
  admin.organization_id = "org-2";
  EXPECT_FALSE(AuthorizeCreate(admin, d).ok());
  Principal court{"c", Role::kCourt};
  court.court_id = "court-x";
  EXPECT_FALSE(AuthorizeCreate(court, d).ok());  // not a diversion
  d.court_diversion = CourtDiversion{"court-x", "r", "2026-11-01", ""};
  EXPECT_THAT(AuthorizeCreate(court, d), IsOk());
  EXPECT_FALSE(AuthorizeCreate(Citizen(odr::testing::kIdZhang), d).ok());  // only courts divert
  court.court_id = "court-y";
  EXPECT_FALSE(AuthorizeCreate(court, d).ok());
  EXPECT_FALSE(AuthorizeCreate(Principal{"m", Role::kMediator}, d).ok());
}

TEST(AuthorizationTest, ListScopes) {
  EXPECT_EQ(ListScope(Citizen(odr::testing::kIdZhang))->kind, CaseScope::kParty);
  EXPECT_EQ(ListScope(Principal{"m", Role::kMediator})->value, "m");
  EXPECT_EQ(ListScope(Principal{"p", Role::kPartnerApp}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ListScope(Principal{"p", Role::kPlatformAdmin}).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(AuthorizationTest, RedactionPerRole) {
  Case k = TheCase();
  RedactCase(Citizen(odr::testing::kIdZhang), &k);
  EXPECT_EQ(k.data.applicants[0].id_number, odr::testing::kIdZhang);
  EXPECT_EQ(k.data.respondents[0].id_number, "1233**********000E");
  EXPECT_EQ(k.data.respondents[0].agents[0].phone, "+86**********0000");
  EXPECT_TRUE(k.data.court_diversion->intake_reference.empty());

  k = TheCase();
  RedactCase(Citizen(odr::testing::kIdLi), &k);  // respondent side sees applicants masked
  EXPECT_EQ(k.data.applicants[0].id_number, "1101**********4514");
  EXPECT_EQ(k.data.applicants[0].phone, "138****8000");
  EXPECT_EQ(k.data.respondents[0].id_number, odr::testing::kUsccHospital);

  k = TheCase();
  Principal court{"c", Role::kCourt};
  court.court_id = "court-x";
  RedactCase(court, &k);
  EXPECT_EQ(k.data.court_diversion->intake_reference, "ref-1");
  EXPECT_EQ(k.data.applicants[0].id_number, odr::testing::kIdZhang);
}

TEST(AuthorizationTest, MaskKeepsEnds) {
  EXPECT_EQ(Mask("13800138000", 3, 4), "138****8000");
  EXPECT_EQ(Mask("abc", 3, 4), "***");
  EXPECT_EQ(Mask("", 3, 4), "");
}

TEST(AuthorizationTest, AuditOnlyForPlatformAdmins) {
  EXPECT_THAT(AuthorizeAudit(Principal{"p", Role::kPlatformAdmin}), IsOk());
  EXPECT_FALSE(AuthorizeAudit(Principal{"a", Role::kOrgAdmin}).ok());
}

}  // namespace
}  // namespace odr::domain

namespace odr::domain {
namespace {

// No court reads a confirmation application's events on a case timeline; it follows the
// applications made to it through ConfirmationService once filed (issue 17 item 2).
TEST(AuthorizationTest, CourtsSeeNoConfirmationEventsOnTheTimeline) {
  Case k;
  k.id = "k1";
  k.data = odr::testing::MedicalCase();
  k.data.court_diversion = CourtDiversion{"court-x", "ref-1", "2026-11-01", ""};
  Principal court{"c", Role::kCourt};
  court.court_id = "court-x";
  Principal zhang{"zhang", Role::kCitizen};
  zhang.id_number = odr::testing::kIdZhang;
  CaseEvent applied;
  applied.kind = EventKind::kConfirmationChanged;
  CaseEvent changed;
  changed.kind = EventKind::kStateChange;
  EXPECT_FALSE(MaySeeEvent(court, k, applied));
  EXPECT_TRUE(MaySeeEvent(court, k, changed));
  EXPECT_TRUE(MaySeeEvent(zhang, k, applied));
}

// CPL Art. 62: an agent signs or refuses an agreement, or applies for confirmation, for its party
// only with special authority; the party itself always may; anyone else never.
TEST(AuthorizationTest, AnAgentSettlesOnlyWithSpecialAuthority) {
  Case k = TheCase();  // the hospital's agent 李律师 (kIdLi) has special authority
  const Principal zhang = Citizen(odr::testing::kIdZhang);
  const Principal li = Citizen(odr::testing::kIdLi);
  EXPECT_THAT(*PartiesToSettleFor(zhang, k, "", "party"), ::testing::ElementsAre("applicants/0"));
  EXPECT_THAT(*PartiesToSettleFor(li, k, "", "party"), ::testing::ElementsAre("respondents/0"));
  EXPECT_THAT(*PartiesToSettleFor(li, k, "respondents/0", "party"),
              ::testing::ElementsAre("respondents/0"));
  k.data.respondents[0].agents[0].special_authority = false;
  absl::StatusOr<std::vector<std::string>> denied = PartiesToSettleFor(li, k, "", "party");
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(denied.status()), "NO_SPECIAL_AUTHORITY");
  EXPECT_THAT(denied.status().message(), ::testing::HasSubstr("CPL Art. 62"));
  // Not its party; not a party at all; no such party.
  EXPECT_EQ(ErrorReason(PartiesToSettleFor(zhang, k, "respondents/0", "party").status()),
            "PERMISSION_DENIED");
  EXPECT_EQ(PartiesToSettleFor(Citizen(odr::testing::kIdWang), k, "", "party").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(PartiesToSettleFor(zhang, k, "respondents/7", "party").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace odr::domain

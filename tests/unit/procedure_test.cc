// The three routes into mediation and how each ends (domain/procedure.h; docs/procedure.md):
// OMR Arts. 20-21, 特邀 Arts. 11, 20-21, PML Art. 26.
#include "server/domain/procedure.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/confirmation.h"
#include "server/domain/errors.h"
#include "server/domain/validation.h"
#include "tests/testing/calendar.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr::domain {
namespace {

using ::odr::testing::FieldsOf;
using ::testing::HasSubstr;

Case CaseOn(std::optional<Procedure> procedure, CaseState state) {
  Case c;
  c.id = "case-1";
  c.data = odr::testing::MedicalCase();
  c.state = state;
  if (procedure) {
    CourtDiversion d;
    d.court_id = "court-7";
    d.intake_reference = "(2031)浙0681民初1号";
    d.diversion_date = "2031-03-01";
    d.procedure = *procedure;
    c.data.court_diversion = d;
  }
  return c;
}

TEST(ProcedureTest, TheRouteFollowsTheSourceAndTheProcedure) {
  EXPECT_EQ(RouteOf(CaseOn(std::nullopt, CaseState::kDraft).data), Route::kCitizenApplication);
  EXPECT_EQ(RouteOf(CaseOn(Procedure::kPreFiling, CaseState::kDraft).data),
            Route::kPreFilingDiversion);
  EXPECT_EQ(RouteOf(CaseOn(Procedure::kPostFilingOrdinary, CaseState::kDraft).data),
            Route::kPostFilingEntrustment);
  EXPECT_EQ(RouteOf(CaseOn(Procedure::kPostFilingSimple, CaseState::kDraft).data),
            Route::kPostFilingEntrustment);
  for (Route r :
       {Route::kCitizenApplication, Route::kPreFilingDiversion, Route::kPostFilingEntrustment}) {
    EXPECT_EQ(RouteFromName(RouteName(r)), r);
  }
  EXPECT_EQ(RouteFromName("court"), std::nullopt);
}

// PML Art. 26; OMR Art. 21(二), 21(三): a failure ends differently on each route.
TEST(ProcedureTest, AFailureEndsAsTheRouteSays) {
  EXPECT_EQ(FailureEnding(Route::kCitizenApplication), EndingKind::kOtherRemedies);
  EXPECT_EQ(FailureEnding(Route::kPreFilingDiversion), EndingKind::kReferredForFiling);
  EXPECT_EQ(FailureEnding(Route::kPostFilingEntrustment), EndingKind::kTrialResumed);
  EXPECT_FALSE(IsReferral(EndingKind::kOtherRemedies));
  EXPECT_TRUE(IsReferral(EndingKind::kReferredForFiling));
  EXPECT_TRUE(IsReferral(EndingKind::kTrialResumed));
  EXPECT_FALSE(IsReferral(EndingKind::kMediationStatement));
  for (EndingKind k :
       {EndingKind::kOtherRemedies, EndingKind::kReferredForFiling, EndingKind::kTrialResumed,
        EndingKind::kMediationStatement, EndingKind::kSuitWithdrawn}) {
    EXPECT_EQ(EndingKindFromName(EndingKindName(k)), k);
  }
}

// OMR Art. 21: the ending records why mediation failed and any conduct that raised the other
// side's costs; the referral's event names the court and what it does next.
TEST(ProcedureTest, ClosingRecordsTheReasonAndCostConductWithTheRoutesEnding) {
  const absl::Time now = absl::FromUnixSeconds(1'900'000'000);
  TransitionNote note("the respondent refused every proposal");
  note.cost_conduct = "the respondent missed two sessions without notice";
  Case post = CaseOn(Procedure::kPostFilingOrdinary, CaseState::kClosed);
  std::optional<CaseEnding> e = EndingOf(post, CaseAction::kClose, note, "med-1", now);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, EndingKind::kTrialResumed);
  EXPECT_EQ(e->reason, note.reason);
  EXPECT_EQ(e->cost_conduct, note.cost_conduct);
  EXPECT_EQ(e->actor, "med-1");
  EXPECT_EQ(e->time, now);
  std::optional<EndingEvent> ev = ReferralEvent(post, e->kind);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->kind, EventKind::kReturnedForTrial);
  EXPECT_THAT(ev->text, HasSubstr("courts/court-7"));
  EXPECT_THAT(ev->text, HasSubstr("OMR Art. 21(三)"));

  Case pre = CaseOn(Procedure::kPreFiling, CaseState::kClosed);
  e = EndingOf(pre, CaseAction::kClose, note, "med-1", now);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, EndingKind::kReferredForFiling);
  ev = ReferralEvent(pre, e->kind);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->kind, EventKind::kReferredToLitigation);
  EXPECT_THAT(ev->text, HasSubstr("OMR Art. 21(二)"));

  Case citizen = CaseOn(std::nullopt, CaseState::kClosed);
  e = EndingOf(citizen, CaseAction::kClose, note, "system", now);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, EndingKind::kOtherRemedies);
  EXPECT_FALSE(ReferralEvent(citizen, e->kind).has_value());

  // Withdrawal and confirmation record no ending.
  EXPECT_FALSE(EndingOf(citizen, CaseAction::kWithdraw, note, "c-1", now).has_value());
  EXPECT_FALSE(EndingOf(citizen, CaseAction::kConfirm, note, "c-1", now).has_value());
}

// OMR Art. 20; 特邀 Arts. 20-21: only the court that has the suit concludes it, by a mediation
// statement or the plaintiff's withdrawal, and only once the mediation settled.
TEST(ProcedureTest, OnlyASettledPostFilingCaseIsConcludedByTheCourt) {
  EXPECT_THAT(CheckCanConclude(CaseOn(Procedure::kPostFilingSimple, CaseState::kSettled)), IsOk());
  for (std::optional<Procedure> p :
       {std::optional<Procedure>(), std::optional(Procedure::kPreFiling)}) {
    absl::Status s = CheckCanConclude(CaseOn(p, CaseState::kSettled));
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_EQ(ErrorReason(s), "NOT_POST_FILING");
    EXPECT_THAT(s.message(), HasSubstr("OMR Art. 20"));
  }
  absl::Status s = CheckCanConclude(CaseOn(Procedure::kPostFilingSimple, CaseState::kMediating));
  EXPECT_EQ(ErrorReason(s), "TRANSITION_NOT_ALLOWED");
  EXPECT_EQ(*NextState(CaseState::kSettled, CaseAction::kConclude), CaseState::kConcluded);
  EXPECT_TRUE(IsTerminal(CaseState::kConcluded));

  TransitionNote note("statement served on both parties");
  note.conclusion = EndingKind::kMediationStatement;
  note.court_document = "(2031)浙0681民初1号";
  std::optional<CaseEnding> e =
      EndingOf(CaseOn(Procedure::kPostFilingSimple, CaseState::kConcluded), CaseAction::kConclude,
               note, "clerk-1", absl::UnixEpoch());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, EndingKind::kMediationStatement);
  EXPECT_EQ(e->court_document, note.court_document);
  EXPECT_EQ(e->reason, note.reason);
}

TEST(ProcedureTest, AConclusionNamesItsKindAndDocument) {
  TransitionNote note;
  EXPECT_EQ(FieldsOf(ValidateConclusion(note)), std::vector<std::string>{"conclusion"});
  note.conclusion = EndingKind::kTrialResumed;  // a failure is not a conclusion
  EXPECT_EQ(FieldsOf(ValidateConclusion(note)), std::vector<std::string>{"conclusion"});
  note.conclusion = EndingKind::kSuitWithdrawn;
  EXPECT_EQ(FieldsOf(ValidateConclusion(note)), std::vector<std::string>{"court_document"});
  note.court_document = std::string(Limits::kCourtDocumentChars + 1, '1');
  EXPECT_EQ(FieldsOf(ValidateConclusion(note)), std::vector<std::string>{"court_document"});
  note.court_document = "(2031)浙0681民初1号\n";
  EXPECT_EQ(FieldsOf(ValidateConclusion(note)), std::vector<std::string>{"court_document"});
  note.court_document = "(2031)浙0681民初1号";
  EXPECT_THAT(ValidateConclusion(note), IsOk());
  note.reason = std::string(Limits::kReasonChars + 1, 'x');
  EXPECT_EQ(FieldsOf(ValidateConclusion(note)), std::vector<std::string>{"note"});

  EXPECT_THAT(ValidateCostConduct(""), IsOk());
  EXPECT_EQ(FieldsOf(ValidateCostConduct(std::string(Limits::kReasonChars + 1, 'x'))),
            std::vector<std::string>{"cost_conduct"});
  EXPECT_EQ(FieldsOf(ValidateCostConduct("hid\u202Edocuments")),
            std::vector<std::string>{"cost_conduct"});
}

// OMR Art. 20; 特邀 Arts. 20-21; CPL Art. 205: the pre-check refuses a post-filing case, naming
// the rule, whatever else it finds.
TEST(ProcedureTest, ThePrecheckRefusesAPostFilingSettlement) {
  PrecheckInput in;
  in.c = CaseOn(Procedure::kPostFilingOrdinary, CaseState::kSettled);
  in.now = absl::UnixEpoch();
  std::vector<ConfirmationProblem> problems = Precheck(in);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems.front().reason, kProblemPostFilingCase);
  EXPECT_THAT(problems.front().description, HasSubstr("OMR Art. 20"));
  EXPECT_FALSE(ConfirmationAvailable(Route::kPostFilingEntrustment));
  EXPECT_TRUE(ConfirmationAvailable(Route::kPreFilingDiversion));
  EXPECT_TRUE(ConfirmationAvailable(Route::kCitizenApplication));

  in.c = CaseOn(Procedure::kPreFiling, CaseState::kSettled);
  for (const ConfirmationProblem& p : Precheck(in)) EXPECT_NE(p.reason, kProblemPostFilingCase);
}

// OMR Art. 26: appraisal time is left out of pre-filing mediation only.
TEST(ProcedureTest, OnlyMediationBeforeFilingPausesForAnAppraisal) {
  EXPECT_THAT(CheckAppraisalPause(Route::kCitizenApplication), IsOk());
  EXPECT_THAT(CheckAppraisalPause(Route::kPreFilingDiversion), IsOk());
  const absl::Status s = CheckAppraisalPause(Route::kPostFilingEntrustment);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ErrorReason(s), "APPRAISAL_PAUSE_PRE_FILING_ONLY");
  EXPECT_THAT(s.message(), HasSubstr("OMR Art. 26"));
}

}  // namespace
}  // namespace odr::domain

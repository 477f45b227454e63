// The court's review after filing and what follows its ruling
// (server/domain/confirmation_review.h): withdrawal by ruling and treated as withdrawn (CPL
// Interpretation Art. 357), the materials' deadline (Arts. 354, 356), the joint appearance (Art.
// 356), the ruling period extended with the president's approval (CPL Art. 187), objections (Interp
// Art. 372), mediating again or suing after a rejection (CPL Art. 206; PML Art. 33).
#include "server/domain/confirmation_review.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "server/domain/state_machine.h"
#include "tests/testing/calendar.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::TimeZone kChina = absl::FixedTimeZone(8 * 3600);

absl::Time China(int y, int m, int d, int hh = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), kChina);
}

// An application the court filed (accepted) on 2031-03-03.
Confirmation Filed() {
  Confirmation f;
  f.case_id = "case-1";
  f.id = "cf-1";
  f.state = ConfirmationState::kAccepted;
  f.submit_time = China(2031, 3, 1, 10);
  f.accept_time = China(2031, 3, 3, 10);
  return f;
}

Confirmation Ruled(ConfirmationState s) {
  Confirmation f = Filed();
  f.state = s;
  f.decision_time = China(2031, 3, 20, 10);
  f.ruling_number = "(2031)浙0681民特1号";
  return f;
}

Case SettledCase() {
  Case c;
  c.id = "case-1";
  c.data = odr::testing::MedicalCase();
  c.state = CaseState::kSettled;
  return c;
}

// CPL Interpretation Art. 357: before filing the parties withdraw; after, the court rules.
TEST(WithdrawalTest, AfterFilingAWithdrawalIsARequestTheCourtRulesOn) {
  Confirmation before = Filed();
  before.state = ConfirmationState::kSubmitted;
  before.accept_time.reset();
  EXPECT_FALSE(WithdrawalNeedsRuling(before));
  EXPECT_EQ(*NextConfirmationState(before, ConfirmationAction::kWithdraw),
            ConfirmationState::kWithdrawn);

  Confirmation f = Filed();
  EXPECT_TRUE(WithdrawalNeedsRuling(f));
  // The parties cannot withdraw it by themselves any more.
  absl::StatusOr<ConfirmationState> direct =
      NextConfirmationState(f, ConfirmationAction::kWithdraw);
  ASSERT_FALSE(direct.ok());
  EXPECT_THAT(direct.status().message(), HasSubstr("Art. 357"));

  ASSERT_THAT(RequestWithdrawal(&f, {"applicants/0"}, "settled privately", China(2031, 3, 5)),
              IsOk());
  EXPECT_EQ(f.state, ConfirmationState::kAccepted);
  ASSERT_TRUE(f.withdrawal_request.has_value());
  // One request at a time; and no ruling on the agreement while it is pending.
  EXPECT_EQ(ErrorReason(RequestWithdrawal(&f, {"respondents/0"}, "", China(2031, 3, 5))),
            "WITHDRAWAL_PENDING");
  EXPECT_EQ(ErrorReason(NextConfirmationState(f, ConfirmationAction::kRuleValid).status()),
            "WITHDRAWAL_PENDING");

  // Refused: the review goes on.
  Confirmation refused = f;
  ASSERT_THAT(RuleOnWithdrawal(&refused, WithdrawalRuling::kDeny, "", "", China(2031, 3, 6)),
              IsOk());
  EXPECT_EQ(refused.state, ConfirmationState::kAccepted);
  EXPECT_FALSE(refused.withdrawal_request.has_value());

  // Granted, by a numbered ruling.
  EXPECT_EQ(
      RuleOnWithdrawal(&f, WithdrawalRuling::kGrant, "", "", China(2031, 3, 6)).status().code(),
      absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::string> text = RuleOnWithdrawal(&f, WithdrawalRuling::kGrant, "",
                                                      "(2031)浙0681民特1号之一", China(2031, 3, 6));
  ASSERT_THAT(text, IsOk()) << text.status();
  EXPECT_THAT(*text, HasSubstr("Art. 357"));
  EXPECT_EQ(f.state, ConfirmationState::kWithdrawn);
  EXPECT_EQ(f.withdrawal_kind, WithdrawalKind::kGranted);
}

TEST(WithdrawalTest, NoRulingWithoutARequest) {
  Confirmation f = Filed();
  EXPECT_EQ(
      ErrorReason(
          RuleOnWithdrawal(&f, WithdrawalRuling::kGrant, "", "n", China(2031, 3, 6)).status()),
      "NO_WITHDRAWAL_REQUEST");
}

// Interp Art. 357 para. 2: treated as withdrawn only when the parties missed the court's deadline
// for materials or the joint appearance.
TEST(WithdrawalTest, TreatedAsWithdrawnOnlyWhenThePartiesDefaulted) {
  Confirmation f = Filed();
  EXPECT_EQ(ErrorReason(
                RuleOnWithdrawal(&f, WithdrawalRuling::kDeem, "", "n", China(2031, 3, 6)).status()),
            "NOT_DEFAULTED");
  f.state = ConfirmationState::kMaterialsRequested;
  f.materials_due = China(2031, 3, 11);  // 24:00 of 2031-03-10
  EXPECT_EQ(
      ErrorReason(
          RuleOnWithdrawal(&f, WithdrawalRuling::kDeem, "", "n", China(2031, 3, 10, 12)).status()),
      "NOT_DEFAULTED");
  ASSERT_THAT(RuleOnWithdrawal(&f, WithdrawalRuling::kDeem, "", "n", China(2031, 3, 11, 9)),
              IsOk());
  EXPECT_EQ(f.state, ConfirmationState::kWithdrawn);
  EXPECT_EQ(f.withdrawal_kind, WithdrawalKind::kDeemed);

  Confirmation g = Filed();
  ASSERT_THAT(CallParties(&g, China(2031, 3, 8, 9), "第三法庭", China(2031, 3, 5)), IsOk());
  EXPECT_EQ(
      ErrorReason(
          RuleOnWithdrawal(&g, WithdrawalRuling::kDeem, "", "n", China(2031, 3, 8, 8)).status()),
      "NOT_DEFAULTED");
  EXPECT_THAT(RuleOnWithdrawal(&g, WithdrawalRuling::kDeem, "", "n", China(2031, 3, 8, 10)),
              IsOk());
}

// Interp Arts. 354, 356: "限期" — the court sets the days.
TEST(MaterialsTest, TheDeadlineIsOneToSixtyDays) {
  EXPECT_EQ(CheckMaterialsDueDays(0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(CheckMaterialsDueDays(1), IsOk());
  EXPECT_THAT(CheckMaterialsDueDays(kMaxMaterialsDueDays), IsOk());
  EXPECT_THAT(ErrorFieldViolations(CheckMaterialsDueDays(61)),
              ElementsAre(FieldViolation{"due_days",
                                         "must be 1 to 60: the days the parties have "
                                         "to supply the materials (CPL Interpretation "
                                         "Arts. 354, 356)"}));
}

// Interp Art. 356: both parties called to appear together, while the court reviews.
TEST(AppearanceTest, OnlyWhileUnderReviewAndInTheFuture) {
  Confirmation f = Filed();
  EXPECT_EQ(CallParties(&f, China(2031, 3, 4), "第三法庭", China(2031, 3, 5)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CallParties(&f, China(2031, 3, 8), "", China(2031, 3, 5)).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_THAT(CallParties(&f, China(2031, 3, 8, 9), "第三法庭", China(2031, 3, 5)), IsOk());
  EXPECT_EQ(f.appearance->place, "第三法庭");
  Confirmation submitted = Filed();
  submitted.state = ConfirmationState::kSubmitted;
  submitted.accept_time.reset();
  EXPECT_EQ(ErrorReason(CallParties(&submitted, China(2031, 3, 8), "x", China(2031, 3, 5))),
            "TRANSITION_NOT_ALLOWED");
}

// CPL Art. 187: "有特殊情况需要延长的，由本院院长批准" — recorded with the approval.
TEST(RulingExtensionTest, NeedsThePresidentsApprovalAndARunningReview) {
  Confirmation f = Filed();
  EXPECT_EQ(ExtendRuling(&f, 30, "", China(2031, 3, 20)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExtendRuling(&f, 0, "院长审批 2031-7", China(2031, 3, 20)).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_THAT(ExtendRuling(&f, 30, "院长审批 2031-7", China(2031, 3, 20)), IsOk());
  ASSERT_EQ(f.ruling_extensions.size(), 1u);
  EXPECT_EQ(f.ruling_extensions[0].days, 30);
  Confirmation ruled = Ruled(ConfirmationState::kRuledValid);
  EXPECT_EQ(ErrorReason(ExtendRuling(&ruled, 30, "a", China(2031, 3, 20))),
            "TRANSITION_NOT_ALLOWED");
}

// Interp Art. 372: a party within 15 days of receiving the ruling; an interested person within 6
// months of knowing of the harm, only against a ruling that confirms.
// CPL Art. 86: a party late for a good reason may, within 10 days of the obstacle's end, ask for
// more time; the court decides and sets the new last day.
TEST(PartyTimeTest, ThePartyAppliesWithinTenDaysOfTheObstaclesEnd) {
  const Case c = SettledCase();
  Confirmation f = Filed();
  f.state = ConfirmationState::kMaterialsRequested;
  f.materials_due = China(2031, 3, 14);  // 24:00 of 2031-03-13
  const absl::Time now = China(2031, 3, 17, 9);
  auto ext = [](std::string party, absl::CivilDay until, absl::CivilDay obstacle_end) {
    PartyTimeExtension e;
    e.period = PartyPeriod::kMaterials;
    e.party = std::move(party);
    e.until = until;
    e.reason = "住院治疗";
    e.obstacle_end = obstacle_end;
    return e;
  };
  const absl::CivilDay until(2031, 3, 25), ended(2031, 3, 15);
  EXPECT_THAT(odr::testing::FieldsOf(GrantPartyTime(&f, c, ext("applicants/9", until, ended), now)),
              ElementsAre("party"));
  PartyTimeExtension no_reason = ext("applicants/0", until, ended);
  no_reason.reason.clear();
  EXPECT_THAT(odr::testing::FieldsOf(GrantPartyTime(&f, c, no_reason, now)), ElementsAre("reason"));
  EXPECT_THAT(odr::testing::FieldsOf(GrantPartyTime(
                  &f, c, ext("applicants/0", until, absl::CivilDay(2031, 3, 18)), now)),
              ElementsAre("obstacle_end_date"));
  // The obstacle ended on 03-06: the last day to apply was 03-16.
  const absl::Status late =
      GrantPartyTime(&f, c, ext("applicants/0", until, absl::CivilDay(2031, 3, 6)), now);
  EXPECT_EQ(ErrorReason(late), "APPLICATION_TOO_LATE");
  EXPECT_THAT(late.message(), HasSubstr("2031-03-16"));
  EXPECT_THAT(late.message(), HasSubstr("CPL Art. 86"));
  // The new last day: after the current one (03-13), not before today, at most 60 days ahead.
  Confirmation g = f;
  g.party_time_extensions.clear();
  for (absl::CivilDay bad :
       {absl::CivilDay(2031, 3, 13), absl::CivilDay(2031, 3, 16), absl::CivilDay(2031, 5, 17)}) {
    EXPECT_THAT(
        odr::testing::FieldsOf(GrantPartyTime(&g, c, ext("respondents/0", bad, ended), now)),
        ElementsAre("until_date"))
        << bad;
  }
  EXPECT_THAT(g.party_time_extensions, IsEmpty());
  // The obstacle ended on 03-07: 03-17 is the tenth day, still on time.
  ASSERT_TRUE(
      GrantPartyTime(&g, c, ext("respondents/0", until, absl::CivilDay(2031, 3, 7)), now).ok());
  ASSERT_EQ(g.party_time_extensions.size(), 1u);
  EXPECT_EQ(g.party_time_extensions[0].party, "respondents/0");
  EXPECT_EQ(g.party_time_extensions[0].until, until);
  EXPECT_EQ(g.party_time_extensions[0].time, now);
  EXPECT_EQ(g.update_time, now);
}

TEST(PartyTimeTest, OnlyAPeriodThatRuns) {
  const Case c = SettledCase();
  const absl::Time now = China(2031, 3, 25, 9);
  PartyTimeExtension e;
  e.party = "applicants/0";
  e.until = absl::CivilDay(2031, 4, 20);
  e.reason = "地震";
  e.obstacle_end = absl::CivilDay(2031, 3, 24);
  // Materials: only while the court waits for them.
  Confirmation accepted = Filed();
  e.period = PartyPeriod::kMaterials;
  EXPECT_EQ(ErrorReason(GrantPartyTime(&accepted, c, e, now)), "NO_SUCH_PERIOD");
  // Objections: only once the ruling's service is recorded.
  e.period = PartyPeriod::kObjection;
  Confirmation ruled = Ruled(ConfirmationState::kRuledRejected);
  EXPECT_EQ(ErrorReason(GrantPartyTime(&ruled, c, e, now)), "NO_SUCH_PERIOD");
  EXPECT_EQ(ErrorReason(GrantPartyTime(&accepted, c, e, now)), "NO_SUCH_PERIOD");
  ruled.ruling_service_time = China(2031, 3, 21, 9);
  ruled.objection_due = China(2031, 4, 8);  // 24:00 of 04-07
  ASSERT_THAT(GrantPartyTime(&ruled, c, e, now), IsOk());
  EXPECT_EQ(ruled.party_time_extensions.back().period, PartyPeriod::kObjection);
  EXPECT_STREQ(PartyPeriodName(PartyPeriod::kObjection), "objection");
  EXPECT_EQ(PartyPeriodFromName("materials"), PartyPeriod::kMaterials);
}

TEST(ObjectionTest, APartyObjectsWithinFifteenDaysOfService) {
  Confirmation f = Ruled(ConfirmationState::kRuledValid);
  EXPECT_EQ(RecordRulingService(&f, China(2031, 3, 19), China(2031, 3, 21)).code(),
            absl::StatusCode::kInvalidArgument);  // before the ruling
  EXPECT_EQ(RecordRulingService(&f, China(2031, 3, 22), China(2031, 3, 21)).code(),
            absl::StatusCode::kInvalidArgument);  // in the future
  ASSERT_THAT(RecordRulingService(&f, China(2031, 3, 21, 9), China(2031, 3, 21, 10)), IsOk());
  EXPECT_EQ(ErrorReason(RecordRulingService(&f, China(2031, 3, 21, 9), China(2031, 3, 22))),
            "ALREADY_SERVED");
  f.objection_due = China(2031, 4, 6);  // what the clock sets: 24:00 of 2031-04-05

  Objection o;
  o.party = "respondents/0";
  o.reason = "the agreement was signed under pressure";
  absl::StatusOr<const Objection*> filed = FileObjection(&f, o, China(2031, 4, 5, 23));
  ASSERT_THAT(filed, IsOk()) << filed.status();
  EXPECT_EQ((*filed)->id, "1");
  // The same objector once at a time; and not after the 15 days.
  EXPECT_EQ(ErrorReason(FileObjection(&f, o, China(2031, 4, 5, 23)).status()), "OBJECTION_PENDING");
  o.party = "applicants/0";
  EXPECT_EQ(ErrorReason(FileObjection(&f, o, China(2031, 4, 6, 1)).status()), "OBJECTION_TOO_LATE");
}

TEST(ObjectionTest, AnInterestedPersonWithinSixMonthsOfKnowingAgainstAConfirmation) {
  EXPECT_EQ(InterestedPersonObjectionDue(absl::CivilDay(2031, 3, 10)), China(2031, 9, 11));
  // No 31 September: the month's last day.
  EXPECT_EQ(InterestedPersonObjectionDue(absl::CivilDay(2031, 3, 31)), China(2031, 10, 1));

  Objection o;
  o.interested_person = "王某 (a creditor of the respondent)";
  o.harm_known_date = absl::CivilDay(2031, 3, 10);
  o.reason = "the agreement hides the respondent's assets";
  Confirmation rejected = Ruled(ConfirmationState::kRuledRejected);
  EXPECT_EQ(ErrorReason(FileObjection(&rejected, o, China(2031, 4, 1)).status()), "NOT_RULED");

  Confirmation f = Ruled(ConfirmationState::kRuledValid);
  EXPECT_EQ(ErrorReason(FileObjection(&f, o, China(2031, 9, 11, 1)).status()),
            "OBJECTION_TOO_LATE");
  EXPECT_THAT(FileObjection(&f, o, China(2031, 9, 10, 23)), IsOk());
  Objection missing = o;
  missing.harm_known_date.reset();
  missing.interested_person = "另一人";
  EXPECT_EQ(FileObjection(&f, missing, China(2031, 4, 1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ObjectionTest, UpheldItRevokesAConfirmationOrReopensARejection) {
  Objection o;
  o.party = "respondents/0";
  o.reason = "r";

  Confirmation valid = Ruled(ConfirmationState::kRuledValid);
  ASSERT_THAT(FileObjection(&valid, o, China(2031, 3, 25)), IsOk());
  EXPECT_EQ(DecideObjection(&valid, "9", true, "", "n", CaseState::kConfirmed, China(2031, 4, 1))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  Confirmation dismissed = valid;
  EXPECT_EQ(
      *DecideObjection(&dismissed, "1", false, "", "n2", CaseState::kConfirmed, China(2031, 4, 1)),
      ObjectionEffect::kNone);
  EXPECT_EQ(dismissed.state, ConfirmationState::kRuledValid);
  EXPECT_EQ(dismissed.objections[0].decision, ObjectionDecision::kDismissed);
  EXPECT_EQ(ErrorReason(DecideObjection(&dismissed, "1", true, "", "n3", CaseState::kConfirmed,
                                        China(2031, 4, 2))
                            .status()),
            "OBJECTION_DECIDED");
  EXPECT_EQ(*DecideObjection(&valid, "1", true, "", "n2", CaseState::kConfirmed, China(2031, 4, 1)),
            ObjectionEffect::kRevoked);
  EXPECT_EQ(valid.state, ConfirmationState::kRevoked);

  Confirmation rejected = Ruled(ConfirmationState::kRuledRejected);
  ASSERT_THAT(FileObjection(&rejected, o, China(2031, 3, 25)), IsOk());
  // Once the parties went back to mediation, the court no longer rules on the old agreement.
  Confirmation mediating = rejected;
  EXPECT_EQ(ErrorReason(DecideObjection(&mediating, "1", true, "", "n2", CaseState::kMediating,
                                        China(2031, 4, 1))
                            .status()),
            "PARTIES_MEDIATE_AGAIN");
  EXPECT_EQ(
      *DecideObjection(&rejected, "1", true, "", "n2", CaseState::kSettled, China(2031, 4, 1)),
      ObjectionEffect::kReopened);
  EXPECT_EQ(rejected.state, ConfirmationState::kAccepted);
  EXPECT_THAT(rejected.rejection_grounds, IsEmpty());
}

// CPL Art. 206; PML Art. 33: after a rejection the parties may mediate again — each consenting —
// or sue; the rejection alone does neither.
TEST(AfterRejectionTest, EveryPartyConsentsToMediateAgain) {
  Case c = SettledCase();
  Confirmation valid = Ruled(ConfirmationState::kRuledValid);
  EXPECT_EQ(ErrorReason(ConsentToMediateAgain(&valid, c, {"applicants/0"}).status()),
            "NOT_REJECTED");

  Confirmation f = Ruled(ConfirmationState::kRuledRejected);
  absl::StatusOr<std::vector<std::string>> missing = ConsentToMediateAgain(&f, c, {"applicants/0"});
  ASSERT_THAT(missing, IsOk()) << missing.status();
  EXPECT_THAT(*missing, ElementsAre("respondents/0"));
  // Again is harmless; the last party completes it.
  EXPECT_THAT(*ConsentToMediateAgain(&f, c, {"applicants/0"}), ElementsAre("respondents/0"));
  EXPECT_THAT(*ConsentToMediateAgain(&f, c, {"respondents/0"}), IsEmpty());
  EXPECT_THAT(f.mediate_again_consented, ElementsAre("applicants/0", "respondents/0"));

  Case mediating = c;
  mediating.state = CaseState::kMediating;
  EXPECT_EQ(ErrorReason(ConsentToMediateAgain(&f, mediating, {"applicants/0"}).status()),
            "TRANSITION_NOT_ALLOWED");
}

TEST(AfterRejectionTest, ASettledCaseClosesOnlyAfterARejectionOrRevocation) {
  EXPECT_EQ(ErrorReason(CheckCanEndSettledCase(std::nullopt)), "SETTLED_AGREEMENT_IN_FORCE");
  EXPECT_EQ(ErrorReason(CheckCanEndSettledCase(ConfirmationState::kAccepted)),
            "SETTLED_AGREEMENT_IN_FORCE");
  EXPECT_THAT(CheckCanEndSettledCase(ConfirmationState::kRuledRejected), IsOk());
  EXPECT_THAT(CheckCanEndSettledCase(ConfirmationState::kRevoked), IsOk());
  // The state machine allows the close from SETTLED; the rule above decides when.
  EXPECT_EQ(*NextState(CaseState::kSettled, CaseAction::kClose), CaseState::kClosed);
  // A revoked confirmation reopens a confirmed case; CONFIRMED is still terminal.
  EXPECT_EQ(*NextState(CaseState::kConfirmed, CaseAction::kRevokeConfirmation),
            CaseState::kSettled);
  EXPECT_TRUE(IsTerminal(CaseState::kConfirmed));
}

}  // namespace
}  // namespace odr::domain

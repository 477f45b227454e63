// Judicial confirmation below the API, in simulated time (a FakeClock): the 30 days to apply
// (PML Art. 33) pass and the application is refused naming the deadline; within them a joint
// application is filed with the court's 3 days running and the application deadline met.
#include "storage/confirmation_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "server/domain/roster.h"
#include "server/domain/statutory_clock.h"
#include "server/domain/working_calendar.h"
#include "storage/agreement_store.h"
#include "storage/deadline_rows.h"
#include "storage/roster_store.h"
#include "tests/testing/database.h"
#include "tests/testing/fake_signer.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;

namespace odr::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::TimeZone kChina = absl::FixedTimeZone(8 * 3600);

absl::Time China(int y, int m, int d, int hh = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), kChina);
}

using odr::testing::FakeSigner;

class ConfirmationStoreTest : public ::testing::Test {
 protected:
  ConfirmationStoreTest()
      : clock_(China(2031, 3, 3, 10)),
        statutory_(&calendar_, domain::ClockConfig{}),
        db_(odr::testing::OpenTestDatabase(dir_.file("odr.db"))),
        cases_(db_.get(), &clock_, &ids_, &statutory_),
        roster_(db_.get(), &clock_),
        agreements_(db_.get(), &cases_, &ids_, &statutory_, &signer_),
        confirmations_(db_.get(), &cases_, &clock_, &ids_, &statutory_) {
    domain::Organization org;
    org.id = "org-1";
    org.display_name = "诸暨市医疗纠纷人民调解委员会";
    org.region_code = "330681";
    EXPECT_THAT(roster_.CreateOrganization(org), IsOk());
    domain::Mediator m;
    m.organization_id = "org-1";
    m.id = "m1";
    m.display_name = "调解员";
    m.region_code = "330681";
    m.max_concurrent_cases = 5;
    m.principal_id = "mediator-1";
    m.id_number = "330681197001010016";
    m.phone = "13600000000";
    EXPECT_THAT(roster_.CreateMediator(m), IsOk());
    EXPECT_THAT(CourtStore(db_.get()).Create({"court-x", "诸暨市人民法院", "330681"}), IsOk());
  }

  static domain::MutationContext As(std::string actor) {
    domain::MutationContext m;
    m.actor = std::move(actor);
    return m;
  }

  // A case of zhang against the hospital, settled by an agreement effective now.
  // The hospital declared its main office in Zhuji, where the subject matter is too.
  std::string SettledCase() {
    domain::CaseData data = odr::testing::MedicalCase();
    data.respondents[0].domicile =
        domain::Domicile{"330681", domain::DomicileBasis::kMainOffice, "营业执照"};
    data.subject_matter_region_code = "330681";
    auto k = cases_.CreateCase(data, As("admin-1"));
    EXPECT_THAT(k, IsOk()) << k.status();
    // Stored and read back as declared.
    EXPECT_EQ(cases_.GetCase(k->id)->data, data);
    for (auto a : {domain::CaseAction::kSubmit, domain::CaseAction::kAccept}) {
      EXPECT_THAT(cases_.TransitionCase(k->id, a, std::nullopt, "", As("admin-1")), IsOk());
    }
    AssignmentChange propose;
    propose.kind = AssignmentChange::kPropose;
    propose.organization_id = "org-1";
    propose.mediator_id = "m1";
    EXPECT_THAT(cases_.ChangeAssignment(k->id, propose, As("admin-1")), IsOk());
    AssignmentChange accept;
    accept.kind = AssignmentChange::kAccept;
    EXPECT_THAT(cases_.ChangeAssignment(k->id, accept, As("mediator-1")), IsOk());
    EXPECT_TRUE(cases_
                    .TransitionCase(k->id, domain::CaseAction::kStartMediation, std::nullopt,
                                    "agreed", As("mediator-1"))
                    .ok());
    domain::AgreementContent content;
    content.facts = "申请人术后感染。";
    content.issues = "医院是否存在过错。";
    content.responsibilities = "医院承担主要责任。";
    content.terms.push_back(
        {domain::TermKind::kApology, "书面道歉。", "respondents/0", "书面", "2031-12-31"});
    auto a = agreements_.Create(
        k->id,
        [content](const domain::Case&) -> absl::StatusOr<domain::AgreementContent> {
          return content;
        },
        "", As("mediator-1"));
    EXPECT_THAT(a, IsOk()) << a.status();
    auto signed_by_all = agreements_.Sign(
        k->id, a->id, a->content_hash,
        [](const domain::Case&)
            -> absl::StatusOr<std::vector<std::pair<std::string, domain::SignerRole>>> {
          return std::vector<std::pair<std::string, domain::SignerRole>>{
              {"applicants/0", domain::SignerRole::kParty},
              {"respondents/0", domain::SignerRole::kParty},
              {"principals/mediator-1", domain::SignerRole::kMediator},
              {"organizations/org-1", domain::SignerRole::kOrganization}};
        },
        As("mediator-1"));
    EXPECT_THAT(signed_by_all, IsOk()) << signed_by_all.status();
    EXPECT_EQ(cases_.GetCase(k->id)->state, domain::CaseState::kSettled);
    return k->id;
  }

  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> Apply(
      const std::string& id, std::vector<std::string> parties) {
    return confirmations_.Create(
        id, "court-x", {},
        [parties](const domain::Case&) -> absl::StatusOr<std::vector<std::string>> {
          return parties;
        },
        "", As("citizen"));
  }

  domain::Deadline Deadline(const std::string& case_id, const std::string& id) {
    return odr::testing::LoadDeadline(db_.get(), case_id, id);
  }

  odr::testing::TempDir dir_;
  FakeClock clock_;
  SequentialIdGenerator ids_;
  domain::WorkingCalendar calendar_;
  domain::StatutoryClock statutory_;
  FakeSigner signer_;
  std::unique_ptr<Database> db_;
  SqliteCaseStore cases_;
  SqliteRosterStore roster_;
  AgreementStore agreements_;
  ConfirmationStore confirmations_;
};

TEST_F(ConfirmationStoreTest, AfterThirtyDaysTheApplicationIsRefusedNamingTheDeadline) {
  const std::string id = SettledCase();  // effective 2031-03-03: apply by the end of 04-02
  clock_.Set(China(2031, 4, 2, 23));
  auto pre = confirmations_.Precheck(id, "court-x", {});
  ASSERT_THAT(pre, IsOk()) << pre.status();
  EXPECT_TRUE(pre->problems.empty());
  ASSERT_TRUE(pre->input.apply_by.has_value());
  EXPECT_EQ(*pre->input.apply_by, China(2031, 4, 3));

  clock_.Set(China(2031, 4, 3, 9));
  auto late = Apply(id, {"applicants/0", "respondents/0"});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(late.status()), "CONFIRMATION_DEADLINE_PASSED");
  EXPECT_THAT(std::string(late.status().message()), HasSubstr("2031-04-02"));
  EXPECT_THAT(std::string(late.status().message()), HasSubstr("PML Art. 33"));
  auto list = confirmations_.ListForCase(id, std::nullopt);
  ASSERT_THAT(list, IsOk());
  EXPECT_TRUE(list->first.empty());
}

// The application is made when the last party joins: joining after the 30 days is refused too,
// and nothing is filed.
TEST_F(ConfirmationStoreTest, ALateJoinIsRefusedNamingTheDeadline) {
  const std::string id = SettledCase();  // apply by the end of 2031-04-02
  clock_.Set(China(2031, 3, 31, 10));
  auto first = Apply(id, {"applicants/0"});
  ASSERT_THAT(first, IsOk()) << first.status();
  clock_.Set(China(2031, 4, 5, 10));
  auto late = confirmations_.Join(
      id, first->first.id,
      [](const domain::Case&,
         const domain::Confirmation&) -> absl::StatusOr<std::vector<std::string>> {
        return std::vector<std::string>{"respondents/0"};
      },
      As("lawyer"));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(ErrorReason(late.status()), "CONFIRMATION_DEADLINE_PASSED");
  EXPECT_THAT(std::string(late.status().message()), HasSubstr("2031-04-02"));
  auto list = confirmations_.ListForCase(id, std::nullopt);
  ASSERT_THAT(list, IsOk());
  ASSERT_EQ(list->first.size(), 1u);
  EXPECT_EQ(list->first[0].state, domain::ConfirmationState::kAwaitingParties);
  EXPECT_FALSE(list->first[0].submit_time.has_value());
}

TEST_F(ConfirmationStoreTest, AJointApplicationIsFiledWhenEveryPartyConsented) {
  const std::string id = SettledCase();
  clock_.Advance(absl::Hours(24 * 10));
  auto first = Apply(id, {"applicants/0"});
  ASSERT_THAT(first, IsOk()) << first.status();
  EXPECT_EQ(first->first.state, domain::ConfirmationState::kAwaitingParties);
  // The hospital's declared main office, the subject matter's location and the organization's.
  EXPECT_THAT(first->first.bases, ElementsAre(domain::CompetenceBasis::kPartyDomicile,
                                              domain::CompetenceBasis::kSubjectMatter,
                                              domain::CompetenceBasis::kOrganization));
  EXPECT_EQ(Deadline(id, "confirmation-application").state, domain::DeadlineState::kRunning);

  auto joined = confirmations_.Join(
      id, first->first.id,
      [](const domain::Case&,
         const domain::Confirmation&) -> absl::StatusOr<std::vector<std::string>> {
        return std::vector<std::string>{"respondents/0"};
      },
      As("lawyer"));
  ASSERT_THAT(joined, IsOk()) << joined.status();
  EXPECT_EQ(joined->first.state, domain::ConfirmationState::kSubmitted);
  EXPECT_THAT(joined->first.consented, ElementsAre("applicants/0", "respondents/0"));
  EXPECT_EQ(Deadline(id, "confirmation-application").state, domain::DeadlineState::kMet);
  const domain::Deadline accept =
      Deadline(id, absl::StrCat("confirmation-acceptance-", first->first.id));
  EXPECT_EQ(accept.state, domain::DeadlineState::kRunning);
  EXPECT_EQ(joined->first.accept_due, accept.due);

  auto accepted =
      confirmations_.Accept(id, first->first.id, joined->first.version, nullptr, As("clerk"));
  ASSERT_THAT(accepted, IsOk()) << accepted.status();
  EXPECT_EQ(Deadline(id, absl::StrCat("confirmation-acceptance-", first->first.id)).state,
            domain::DeadlineState::kMet);
  EXPECT_EQ(Deadline(id, absl::StrCat("confirmation-ruling-", first->first.id)).state,
            domain::DeadlineState::kRunning);
  auto stale =
      confirmations_.Accept(id, first->first.id, joined->first.version, nullptr, As("clerk"));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
}

// An application filed and accepted (ACCEPTED) on a case settled at the fixture's start.
// CPL Interpretation Arts. 354, 356, 357: the court's deadline for materials, counted as CPL Art.
// 85 counts; missed, the court may treat the application as withdrawn, not before.
TEST_F(ConfirmationStoreTest, MaterialsNotSuppliedByTheCourtsDeadlineMayBeTreatedAsWithdrawn) {
  const std::string id = SettledCase();
  auto filed = Apply(id, {"applicants/0", "respondents/0"});
  ASSERT_THAT(filed, IsOk()) << filed.status();
  const std::string cf = filed->first.id;
  ASSERT_THAT(confirmations_.Accept(id, cf, std::nullopt, nullptr, As("clerk")), IsOk());
  auto asked = confirmations_.RequestMaterials(id, cf, "请补充产权证明。", 10, std::nullopt,
                                               nullptr, As("clerk"));
  ASSERT_THAT(asked, IsOk()) << asked.status();
  // From 2031-03-03, 10 days: 24:00 of 2031-03-13.
  EXPECT_EQ(asked->first.materials_due, China(2031, 3, 14));
  const domain::Deadline d = Deadline(id, absl::StrCat("confirmation-materials-", cf));
  EXPECT_EQ(d.kind, domain::DeadlineKind::kConfirmationMaterials);
  EXPECT_EQ(d.due, China(2031, 3, 14));
  EXPECT_FALSE(domain::IsBreach(d.kind));  // the parties' time, not a duty breached
  EXPECT_THAT(statutory_.OnExpiry(d, cases_.GetCase(id).value()).message,
              HasSubstr("may treat the application as withdrawn (CPL Interpretation Art. 357)"));

  clock_.Set(China(2031, 3, 13, 23));
  auto early =
      confirmations_.RuleWithdrawal(id, cf, domain::WithdrawalRuling::kDeem, "",
                                    "(2031)浙0681民特1号之一", std::nullopt, nullptr, As("clerk"));
  EXPECT_EQ(odr::ErrorReason(early.status()), "NOT_DEFAULTED");
  clock_.Set(China(2031, 3, 14, 9));
  auto deemed =
      confirmations_.RuleWithdrawal(id, cf, domain::WithdrawalRuling::kDeem, "",
                                    "(2031)浙0681民特1号之一", std::nullopt, nullptr, As("clerk"));
  ASSERT_THAT(deemed, IsOk()) << deemed.status();
  EXPECT_EQ(deemed->first.state, domain::ConfirmationState::kWithdrawn);
  EXPECT_EQ(deemed->first.withdrawal_kind, domain::WithdrawalKind::kDeemed);
  EXPECT_EQ(Deadline(id, absl::StrCat("confirmation-ruling-", cf)).state,
            domain::DeadlineState::kCancelled);
  // The review record survives a reload.
  auto got = confirmations_.Get(id, cf);
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->first.withdrawal_kind, domain::WithdrawalKind::kDeemed);
  EXPECT_EQ(got->first.ruling_number, "(2031)浙0681民特1号之一");
}

// CPL Art. 187 (the ruling period extended with the president's approval) and Interp Art. 372
// (the parties' 15 days from service), on the statutory clock.
TEST_F(ConfirmationStoreTest, AnExtendedRulingPeriodAndTheObjectionWindow) {
  const std::string id = SettledCase();
  auto filed = Apply(id, {"applicants/0", "respondents/0"});
  ASSERT_THAT(filed, IsOk()) << filed.status();
  const std::string cf = filed->first.id;
  auto accepted = confirmations_.Accept(id, cf, std::nullopt, nullptr, As("clerk"));
  ASSERT_THAT(accepted, IsOk());
  // Accepted 2031-03-03: 30 days, 24:00 of 2031-04-02.
  EXPECT_EQ(accepted->first.ruling_due, China(2031, 4, 3));
  auto extended =
      confirmations_.ExtendRuling(id, cf, 30, "院长审批 7", std::nullopt, nullptr, As("clerk"));
  ASSERT_THAT(extended, IsOk()) << extended.status();
  EXPECT_EQ(extended->first.ruling_due, China(2031, 5, 3));
  EXPECT_EQ(Deadline(id, absl::StrCat("confirmation-ruling-", cf)).due, China(2031, 5, 3));
  EXPECT_EQ(Deadline(id, absl::StrCat("confirmation-ruling-", cf)).extension_days, 30);

  clock_.Set(China(2031, 3, 20, 10));
  ASSERT_TRUE(
      confirmations_
          .Rule(id, cf, true, {}, "", "(2031)浙0681民特1号", std::nullopt, nullptr, As("clerk"))
          .ok());
  clock_.Set(China(2031, 3, 21, 10));
  auto served = confirmations_.RecordRulingService(id, cf, China(2031, 3, 21, 9), std::nullopt,
                                                   nullptr, As("clerk"));
  ASSERT_THAT(served, IsOk()) << served.status();
  // Received 2031-03-21: 15 days end on Saturday 2031-04-05, so on Monday 2031-04-07 (CPL Art.
  // 85), at 24:00.
  EXPECT_EQ(served->first.objection_due, China(2031, 4, 8));
  EXPECT_EQ(Deadline(id, absl::StrCat("ruling-objection-", cf)).kind,
            domain::DeadlineKind::kRulingObjection);

  auto object = [&](const std::string& party) {
    return confirmations_.FileObjection(
        id, cf,
        [party](const domain::Case&,
                const domain::Confirmation&) -> absl::StatusOr<domain::Objection> {
          domain::Objection o;
          o.party = party;
          o.reason = "受胁迫签署。";
          return o;
        },
        As("citizen"));
  };
  clock_.Set(China(2031, 4, 7, 23));
  ASSERT_THAT(object("respondents/0"), IsOk());
  clock_.Set(China(2031, 4, 8, 1));
  EXPECT_EQ(odr::ErrorReason(object("applicants/0").status()), "OBJECTION_TOO_LATE");
}

}  // namespace
}  // namespace odr::storage

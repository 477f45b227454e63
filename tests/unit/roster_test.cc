#include "server/domain/roster.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/state_machine.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::domain {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

Mediator M(std::string id) {
  Mediator m;
  m.organization_id = "org-1";
  m.id = std::move(id);
  m.display_name = "调解员";
  m.specialties = {DisputeType::kMedical};
  m.languages = {"zh"};
  m.region_code = "330681";
  m.max_concurrent_cases = 10;
  m.principal_id = "p-" + m.id;
  m.id_number = "330681197001010016";
  m.phone = "13600000000";
  return m;
}

TEST(RankMediatorsTest, ScoreFollowsTheWeights) {
  CaseData c = odr::testing::MedicalCase();  // medical, 330681, zh
  Mediator best = M("best");                 // specialty, same county, speaks zh, idle
  Mediator city = M("city");
  city.region_code = "330602";  // same city (3306)
  Mediator province = M("province");
  province.region_code = "330102";
  Mediator other_type = M("other-type");
  other_type.specialties = {DisputeType::kLabour};
  Mediator busy = M("busy");
  busy.active_cases = 5;
  Mediator dialect = M("dialect");
  dialect.languages = {"zh-wuu"};
  const std::vector<Mediator> all = {province, other_type, busy, city, dialect, best};
  auto r = RankMediators(c, all, {}, 10);
  ASSERT_EQ(r.size(), 6u);
  const MatchWeights w;
  auto score = [&](double spec, double region, double lang, double load, double outcome) {
    return w.specialty * spec + w.region * region + w.language * lang + w.load * load +
           w.outcome * outcome;
  };
  const double outcome = 0.5;  // (0 + 1) / (0 + 2)
  std::map<std::string, double> got;
  for (const auto& x : r) got[x.mediator->id] = x.score;
  EXPECT_DOUBLE_EQ(got["best"], score(1, 1, 1, 1, outcome));
  EXPECT_DOUBLE_EQ(got["city"], score(1, 0.6, 1, 1, outcome));
  EXPECT_DOUBLE_EQ(got["province"], score(1, 0.3, 1, 1, outcome));
  EXPECT_DOUBLE_EQ(got["other-type"], score(0, 1, 1, 1, outcome));
  EXPECT_DOUBLE_EQ(got["busy"], score(1, 1, 1, 0.5, outcome));
  EXPECT_DOUBLE_EQ(got["dialect"], score(1, 1, 0.5, 1, outcome));
  EXPECT_EQ(r[0].mediator->id, "best");
  EXPECT_THAT(r[0].reasons, Contains("specialty: medical"));
  EXPECT_THAT(r[0].reasons, Contains("same county"));
  EXPECT_THAT(r[0].reasons, Contains("load 0/10"));
}

TEST(RankMediatorsTest, LeavesOutSuspendedFullConflictedAndExcluded) {
  CaseData c = odr::testing::MedicalCase();
  Mediator ok = M("ok");
  Mediator suspended = M("suspended");
  suspended.suspended = true;
  Mediator full = M("full");
  full.active_cases = 10;
  Mediator party = M("party");
  party.id_number = odr::testing::kIdZhang;  // the applicant
  Mediator excluded = M("excluded");
  auto r = RankMediators(c, {ok, suspended, full, party, excluded}, {"excluded"}, 10);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].mediator->id, "ok");
}

TEST(RankMediatorsTest, TiesGoToTheLessLoadedThenTheId) {
  CaseData c = odr::testing::MedicalCase();
  Mediator a = M("a"), b = M("b");
  auto r = RankMediators(c, {b, a}, {}, 10);
  EXPECT_EQ(r[0].mediator->id, "a");
  auto one = RankMediators(c, {b, a}, {}, 1);
  EXPECT_EQ(one.size(), 1u);
  EXPECT_TRUE(RankMediators(c, {a}, {}, 0).empty());
}

TEST(ConflictsTest, EachRule) {
  CaseData c = odr::testing::MedicalCase();  // applicant kIdZhang / 13800138000; agent kIdLi
  Mediator m = M("m");
  EXPECT_THAT(ConflictsWith(m, c), IsEmpty());
  m.id_number = odr::testing::kIdZhang;
  EXPECT_THAT(ConflictsWith(m, c), ElementsAre("the mediator is a party or an agent in the case"));
  m = M("m");
  m.id_number = odr::testing::kIdLi;  // the hospital's agent
  EXPECT_THAT(ConflictsWith(m, c), ElementsAre("the mediator is a party or an agent in the case"));
  m = M("m");
  m.phone = "+86 138 0013 8000";
  EXPECT_THAT(ConflictsWith(m, c),
              ElementsAre("the mediator shares a phone number with a party or agent"));
  m = M("m");
  m.related_id_numbers = {odr::testing::kIdZhang};
  EXPECT_THAT(ConflictsWith(m, c),
              ElementsAre("the mediator is recorded as related to a party or agent"));
}

TEST(MediatorValidationTest, NamesFields) {
  Mediator m = M("m");
  Violations v;
  ValidateMediator(m, "mediator", &v);
  EXPECT_TRUE(v.empty());
  m.max_concurrent_cases = 0;
  m.languages = {"xx"};
  m.specialties = {};
  Violations bad;
  ValidateMediator(m, "mediator", &bad);
  std::vector<std::string> fields;
  for (const auto& f : bad.list()) fields.push_back(f.field);
  EXPECT_THAT(fields, ElementsAre("mediator.specialties", "mediator.languages[0]",
                                  "mediator.max_concurrent_cases"));
}

// PML Art. 4: a people's mediation committee charges nothing; other organizations may.
TEST(MediatorValidationTest, ACommitteesMediatorChargesNoFee) {
  Mediator m = M("m");
  m.fee_fen = 10000;
  Violations other;
  ValidateMediatorFee(m, OrganizationKind::kIndustryProfessional, "mediator", &other);
  EXPECT_TRUE(other.empty());
  Violations committee;
  ValidateMediatorFee(m, OrganizationKind::kPeoplesMediationCommittee, "mediator", &committee);
  ASSERT_EQ(committee.list().size(), 1u);
  EXPECT_EQ(committee.list()[0].field, "mediator.fee_fen");
  EXPECT_THAT(committee.list()[0].description, ::testing::HasSubstr("PML Art. 4"));
  m.fee_fen = 0;
  Violations free;
  ValidateMediatorFee(m, OrganizationKind::kPeoplesMediationCommittee, "mediator", &free);
  EXPECT_TRUE(free.empty());
}

TEST(AssignmentStateTest, FollowsTheAssignments) {
  EXPECT_EQ(*StateAfterAssignmentChange(CaseState::kAccepted, CaseAction::kProposeMediator, 1, 0),
            CaseState::kMediatorProposed);
  EXPECT_EQ(*StateAfterAssignmentChange(CaseState::kMediatorProposed, CaseAction::kAcceptAssignment,
                                        0, 1),
            CaseState::kMediatorAssigned);
  EXPECT_EQ(
      *StateAfterAssignmentChange(CaseState::kMediatorAssigned, CaseAction::kProposeMediator, 1, 1),
      CaseState::kMediatorAssigned);  // a second mediator for a complex case
  EXPECT_EQ(
      *StateAfterAssignmentChange(CaseState::kMediatorProposed, CaseAction::kReleaseMediator, 0, 0),
      CaseState::kAccepted);  // back to assignment
  EXPECT_FALSE(
      StateAfterAssignmentChange(CaseState::kSubmitted, CaseAction::kProposeMediator, 1, 0).ok());
  EXPECT_FALSE(
      StateAfterAssignmentChange(CaseState::kClosed, CaseAction::kAcceptAssignment, 0, 1).ok());
  EXPECT_THAT(NextState(CaseState::kMediatorAssigned, CaseAction::kWithdraw), IsOk());
  EXPECT_THAT(NextState(CaseState::kMediatorProposed, CaseAction::kClose), IsOk());
}

TEST(LanguagesTest, Known) {
  EXPECT_TRUE(IsKnownLanguage("zh"));
  EXPECT_TRUE(IsKnownLanguage("zh-wuu"));
  EXPECT_FALSE(IsKnownLanguage("xx"));
  EXPECT_FALSE(IsKnownLanguage(""));
}

}  // namespace
}  // namespace odr::domain

// Judicial confirmation rules: competent courts (CPL Art. 205), the pre-check (PML Art. 33, CPL
// Interpretation Arts. 354-355) in simulated time, and the application's state table.
#include "server/domain/confirmation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "tests/testing/fixtures.h"

namespace odr::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::TimeZone kChina = absl::FixedTimeZone(8 * 3600);

absl::Time China(int y, int m, int d, int hh = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), kChina);
}

// Zhang (ID 110101...: issued in Beijing Dongcheng) against the hospital (legal person, its
// credit code issued in Zhuji) with its lawyer Li, handled in region 330682. Nobody has declared a
// domicile yet.
Case SettledCase() {
  Case c;
  c.id = "case-1";
  c.case_number = "ODR-2026-000001";
  c.data = odr::testing::MedicalCase();
  c.data.region_code = "330682";
  c.state = CaseState::kSettled;
  return c;
}

const std::vector<Court> kCourts = {
    {"beijing-dongcheng", "北京市东城区人民法院", "110101"},
    {"shangyu", "绍兴市上虞区人民法院", "330604"},
    {"zhuji", "诸暨市人民法院", "330681"},
    {"zhuji-2", "诸暨市第二法院", "330682"},
    {"shaoxing-intermediate", "绍兴市中级人民法院", "330600", CourtLevel::kIntermediate},
};

std::vector<std::string> Ids(const std::vector<CompetentCourt>& v) {
  std::vector<std::string> out;
  for (const auto& c : v) out.push_back(c.court.id);
  return out;
}

Domicile Declared(const char* region, DomicileBasis basis, const char* material) {
  return Domicile{region, basis, material};
}

// CPL Interpretation Arts. 3-4: a domicile is what the party declares with its material; an ID
// number or credit code says where it was issued, and makes no court competent.
TEST(CompetentCourtsTest, NoDomicileIsReadFromIdNumbers) {
  std::vector<CompetentCourt> got = CompetentCourts(SettledCase(), "330681", kCourts);
  ASSERT_THAT(Ids(got), ElementsAre("zhuji"));
  EXPECT_THAT(got[0].bases, ElementsAre(CompetenceBasis::kOrganization));
  // The case's region is where it is handled, not the subject matter: zhuji-2 is not competent.
}

// CPL Art. 205(二): the basic courts of the parties' declared domiciles, of the subject matter
// and of the organization, each with every ground and whose domicile it is.
TEST(CompetentCourtsTest, DeclaredDomicilesSubjectMatterAndOrganization) {
  Case c = SettledCase();
  c.data.applicants[0].domicile =
      Declared("330604", DomicileBasis::kHabitualResidence, "居住证");  // lives in Shangyu
  c.data.respondents[0].domicile = Declared("330681", DomicileBasis::kMainOffice, "营业执照");
  c.data.subject_matter_region_code = "330682";
  std::vector<CompetentCourt> got = CompetentCourts(c, "330681", kCourts);
  ASSERT_THAT(Ids(got), ElementsAre("shangyu", "zhuji", "zhuji-2"));
  EXPECT_THAT(got[0].bases, ElementsAre(CompetenceBasis::kPartyDomicile));
  EXPECT_THAT(got[0].domicile_parties, ElementsAre("applicants/0"));
  EXPECT_THAT(got[1].bases,
              ElementsAre(CompetenceBasis::kPartyDomicile, CompetenceBasis::kOrganization));
  EXPECT_THAT(got[1].domicile_parties, ElementsAre("respondents/0"));
  EXPECT_THAT(got[2].bases, ElementsAre(CompetenceBasis::kSubjectMatter));
  EXPECT_THAT(got[2].domicile_parties, IsEmpty());
}

TEST(CompetentCourtsTest, EveryBasisOfOneCourt) {
  Case c = SettledCase();
  c.data.applicants[0].domicile =
      Declared("330681", DomicileBasis::kHouseholdRegistration, "户口簿");
  c.data.respondents[0].domicile = Declared("330681", DomicileBasis::kMainOffice, "营业执照");
  c.data.subject_matter_region_code = "330681";
  std::vector<CompetentCourt> got = CompetentCourts(c, "330681", kCourts);
  ASSERT_THAT(Ids(got), ElementsAre("zhuji"));
  EXPECT_THAT(got[0].bases,
              ElementsAre(CompetenceBasis::kPartyDomicile, CompetenceBasis::kSubjectMatter,
                          CompetenceBasis::kOrganization));
  EXPECT_THAT(got[0].domicile_parties, ElementsAre("applicants/0", "respondents/0"));
}

// CPL Art. 205(二): a dispute that belongs to an intermediate court goes to the intermediate court
// of the prefecture of the same places; no basic court is competent for it, and no intermediate
// court for any other case.
TEST(CompetentCourtsTest, AnIntermediateCourtMatterGoesToTheIntermediateCourt) {
  Case c = SettledCase();
  c.data.respondents[0].domicile = Declared("330681", DomicileBasis::kMainOffice, "营业执照");
  c.data.intermediate_court_matter = true;
  std::vector<CompetentCourt> got = CompetentCourts(c, "330681", kCourts);
  ASSERT_THAT(Ids(got), ElementsAre("shaoxing-intermediate"));
  EXPECT_EQ(got[0].court.level, CourtLevel::kIntermediate);
  EXPECT_THAT(got[0].bases,
              ElementsAre(CompetenceBasis::kPartyDomicile, CompetenceBasis::kOrganization));
  // Outside Shaoxing's prefecture: not competent.
  EXPECT_THAT(CompetentCourts(c, "110101", {kCourts[4]})[0].bases,
              ElementsAre(CompetenceBasis::kPartyDomicile));
  c.data.respondents[0].domicile.reset();
  EXPECT_THAT(CompetentCourts(c, "110101", kCourts), IsEmpty());
  c.data.intermediate_court_matter = false;
  EXPECT_THAT(Ids(CompetentCourts(c, "330681", kCourts)), ElementsAre("zhuji"));
}

TEST(CompetentCourtsTest, CourtLevelNamesRoundTrip) {
  for (CourtLevel l : {CourtLevel::kBasic, CourtLevel::kIntermediate}) {
    EXPECT_EQ(CourtLevelFromName(CourtLevelName(l)), l);
  }
  EXPECT_FALSE(CourtLevelFromName("supreme").has_value());
}

TEST(CompetentCourtsTest, OnlyTheInvitingCourtOfADiversion) {
  Case c = SettledCase();
  c.data.court_diversion = CourtDiversion{"zhuji", "(2026)浙0681诉前调1号", "2026-03-01", ""};
  std::vector<CompetentCourt> got = CompetentCourts(c, "330681", kCourts);
  ASSERT_THAT(Ids(got), ElementsAre("zhuji"));
  EXPECT_THAT(got[0].bases, ElementsAre(CompetenceBasis::kInvitingCourt));
  EXPECT_EQ(got[0].court.display_name, "诸暨市人民法院");
  // Not in the registry: still the inviting court, as the diversion names it.
  c.data.court_diversion->court_id = "elsewhere";
  c.data.court_diversion->court_display_name = "某法院";
  got = CompetentCourts(c, "330681", kCourts);
  ASSERT_THAT(Ids(got), ElementsAre("elsewhere"));
  EXPECT_EQ(got[0].court.display_name, "某法院");
}

Agreement Effective(absl::Time effective) {
  Agreement a;
  a.case_id = "case-1";
  a.id = "agr-1";
  a.state = AgreementState::kEffective;
  a.effective_time = effective;
  a.content.terms.push_back({TermKind::kPayment, "赔偿两万元", "respondents/0", "转账", ""});
  // Every party, the mediator and the organization's seal: its form is complete (OMR Art. 19).
  for (const auto& [signer, role] : {std::pair{"applicants/0", SignerRole::kParty},
                                     std::pair{"respondents/0", SignerRole::kParty},
                                     std::pair{"principals/med-1", SignerRole::kMediator},
                                     std::pair{"organizations/org-1", SignerRole::kOrganization}}) {
    a.signatures.push_back({signer, role, "principals/x", effective});
  }
  return a;
}

EvidenceRecord Evidence(std::string id, EvidenceVisibility v = EvidenceVisibility::kAllParties,
                        EvidenceState s = EvidenceState::kActive) {
  EvidenceRecord e;
  e.case_id = "case-1";
  e.id = std::move(id);
  e.visibility = v;
  e.state = s;
  return e;
}

// Effective on 2026-04-01 10:00; apply by the end of 2026-05-01 (30 days).
PrecheckInput Input() {
  PrecheckInput in;
  in.c = SettledCase();
  in.c.data.applicants[0].domicile =
      Declared("110101", DomicileBasis::kHouseholdRegistration, "户口簿");
  in.c.data.respondents[0].domicile = Declared("330681", DomicileBasis::kMainOffice, "营业执照");
  in.agreement = Effective(China(2026, 4, 1, 10));
  in.apply_by = China(2026, 5, 2);
  in.now = China(2026, 4, 10, 9);
  in.competent = CompetentCourts(in.c, "330681", kCourts);
  in.court_id = "zhuji";
  return in;
}

std::vector<std::string> Reasons(const std::vector<ConfirmationProblem>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(p.reason);
  return out;
}

TEST(PrecheckTest, AValidApplicationHasNoProblems) { EXPECT_THAT(Precheck(Input()), IsEmpty()); }

TEST(PrecheckTest, DeadlinePassedInSimulatedTimeNamesTheDateAndTheLaw) {
  PrecheckInput in = Input();
  in.now = China(2026, 5, 1, 23);  // the last day: still in time
  EXPECT_THAT(Precheck(in), IsEmpty());
  in.now = China(2026, 5, 2, 0);  // 24:00 of the 30th day
  std::vector<ConfirmationProblem> got = Precheck(in);
  ASSERT_THAT(Reasons(got), ElementsAre(kProblemDeadlinePassed));
  EXPECT_THAT(got[0].description, HasSubstr("2026-05-01"));
  EXPECT_THAT(got[0].description, HasSubstr("PML Art. 33"));
  EXPECT_THAT(got[0].description, HasSubstr("2026-04-01"));
}

TEST(PrecheckTest, NoEffectiveAgreement) {
  PrecheckInput in = Input();
  in.agreement->state = AgreementState::kDraft;
  in.c.state = CaseState::kMediating;
  EXPECT_THAT(Reasons(Precheck(in)), ElementsAre(kProblemAgreementNotEffective));
  in.agreement.reset();
  EXPECT_THAT(Reasons(Precheck(in)), ElementsAre(kProblemAgreementNotEffective));
}

TEST(PrecheckTest, CourtNotCompetentNamesTheCompetentCourts) {
  PrecheckInput in = Input();
  in.court_id = "shangyu";
  std::vector<ConfirmationProblem> got = Precheck(in);
  ASSERT_THAT(Reasons(got), ElementsAre(kProblemCourtNotCompetent));
  EXPECT_EQ(got[0].field, "confirmation.court");
  EXPECT_THAT(got[0].description, HasSubstr("courts/zhuji (诸暨市人民法院)"));
  EXPECT_THAT(got[0].description, HasSubstr("courts/beijing-dongcheng"));
  EXPECT_THAT(got[0].description, HasSubstr("CPL Art. 205"));
}

// CPL Interpretation Arts. 3-4: an undeclared domicile is a warning naming the party's field; a
// diverted case needs none (only the inviting court is competent).
TEST(PrecheckTest, AnUndeclaredDomicileIsAWarning) {
  PrecheckInput in = Input();
  EXPECT_THAT(PrecheckWarnings(in), IsEmpty());
  in.c.data.respondents[0].domicile.reset();
  std::vector<ConfirmationProblem> got = PrecheckWarnings(in);
  ASSERT_THAT(Reasons(got), ElementsAre(kProblemDomicileNotDeclared));
  EXPECT_EQ(got[0].field, "case.respondents[0].domicile");
  EXPECT_THAT(got[0].description, HasSubstr("Arts. 3-4"));
  in.c.data.court_diversion = CourtDiversion{"zhuji", "(2026)浙0681诉前调1号", "2026-03-01", ""};
  EXPECT_THAT(PrecheckWarnings(in), IsEmpty());
}

TEST(PrecheckTest, PersonalStatusAndPropertyOwnershipAreNotConfirmable) {
  PrecheckInput in = Input();
  in.agreement->content.terms.push_back({TermKind::kPersonalStatus, "解除收养关系", "", "", ""});
  in.agreement->content.terms.push_back({TermKind::kPropertyOwnership, "房屋归甲所有", "", "", ""});
  std::vector<ConfirmationProblem> got = Precheck(in);
  ASSERT_THAT(Reasons(got), ElementsAre(kProblemPersonalStatus, kProblemPropertyOwnership));
  EXPECT_THAT(got[0].description, HasSubstr("CPL Interpretation Art. 355"));
  EXPECT_THAT(got[1].description, HasSubstr("CPL Interpretation Art. 355"));
}

// CPL Interpretation Art. 354: "当事人未提交上述材料的，人民法院应当要求当事人限期补交" — a
// missing property-right proof gets the court's deadline, not a refusal: a warning only.
TEST(PrecheckTest, AMissingPropertyRightProofIsAWarningNotARefusal) {
  PrecheckInput in = Input();
  in.agreement->content.terms.push_back({TermKind::kPropertyTransfer, "交付车辆", "", "", ""});
  in.materials = {{"ev-1", MaterialKind::kIdentityProof}};
  in.evidence["ev-1"] = Evidence("ev-1");
  EXPECT_THAT(Precheck(in), IsEmpty());
  std::vector<ConfirmationProblem> got = PrecheckWarnings(in);
  ASSERT_THAT(Reasons(got), ElementsAre(kProblemMissingMaterials));
  EXPECT_EQ(got[0].field, "confirmation.materials");
  EXPECT_THAT(got[0].description, HasSubstr("Art. 354"));
  in.materials.push_back({"ev-2", MaterialKind::kPropertyRightProof});
  in.evidence["ev-2"] = Evidence("ev-2");
  EXPECT_THAT(PrecheckWarnings(in), IsEmpty());
}

TEST(PrecheckTest, MaterialsMustBeLiveEvidenceEveryPartySaw) {
  PrecheckInput in = Input();
  in.materials = {{"missing", MaterialKind::kOther},
                  {"hidden", MaterialKind::kOther},
                  {"gone", MaterialKind::kOther},
                  {"fine", MaterialKind::kOther}};
  in.evidence["hidden"] = Evidence("hidden", EvidenceVisibility::kMediatorOnly);
  in.evidence["gone"] =
      Evidence("gone", EvidenceVisibility::kAllParties, EvidenceState::kWithdrawn);
  in.evidence["fine"] = Evidence("fine");
  std::vector<ConfirmationProblem> got = Precheck(in);
  ASSERT_THAT(Reasons(got), ElementsAre(kProblemInvalidMaterial, kProblemInvalidMaterial,
                                        kProblemInvalidMaterial));
  EXPECT_EQ(got[0].field, "confirmation.materials[0].evidence");
  EXPECT_EQ(got[1].field, "confirmation.materials[1].evidence");
  EXPECT_EQ(got[2].field, "confirmation.materials[2].evidence");
}

TEST(PrecheckTest, AnotherOpenApplication) {
  PrecheckInput in = Input();
  in.pending = "cases/case-1/confirmations/c0";
  std::vector<ConfirmationProblem> got = Precheck(in);
  ASSERT_THAT(Reasons(got), ElementsAre(kProblemApplicationPending));
  EXPECT_THAT(got[0].description, HasSubstr("cases/case-1/confirmations/c0"));
}

Confirmation In(ConfirmationState s, bool accepted = false) {
  Confirmation f;
  f.case_id = "case-1";
  f.id = "c1";
  f.state = s;
  if (accepted) f.accept_time = China(2026, 4, 12);
  return f;
}

TEST(ConfirmationStateTest, TheCourtsPath) {
  using A = ConfirmationAction;
  using S = ConfirmationState;
  EXPECT_EQ(*NextConfirmationState(In(S::kAwaitingParties), A::kJoin), S::kAwaitingParties);
  EXPECT_EQ(*NextConfirmationState(In(S::kAwaitingParties), A::kSubmit), S::kSubmitted);
  EXPECT_EQ(*NextConfirmationState(In(S::kSubmitted), A::kAccept), S::kAccepted);
  EXPECT_EQ(*NextConfirmationState(In(S::kSubmitted), A::kRefuse), S::kRefused);
  EXPECT_EQ(*NextConfirmationState(In(S::kSubmitted), A::kRequestMaterials),
            S::kMaterialsRequested);
  EXPECT_EQ(*NextConfirmationState(In(S::kMaterialsRequested), A::kSupplyMaterials), S::kSubmitted);
  EXPECT_EQ(*NextConfirmationState(In(S::kMaterialsRequested, true), A::kSupplyMaterials),
            S::kAccepted);
  EXPECT_EQ(*NextConfirmationState(In(S::kAccepted, true), A::kRuleValid), S::kRuledValid);
  EXPECT_EQ(*NextConfirmationState(In(S::kAccepted, true), A::kRuleRejected), S::kRuledRejected);
  // Before the court files (accepts) it, the parties withdraw; after, the court rules (CPL
  // Interpretation Art. 357).
  for (S s : {S::kAwaitingParties, S::kSubmitted, S::kMaterialsRequested}) {
    EXPECT_EQ(*NextConfirmationState(In(s), A::kWithdraw), S::kWithdrawn);
  }
  for (S s : {S::kAccepted, S::kMaterialsRequested}) {
    EXPECT_FALSE(NextConfirmationState(In(s, true), A::kWithdraw).ok());
    EXPECT_EQ(*NextConfirmationState(In(s, true), A::kGrantWithdrawal), S::kWithdrawn);
    EXPECT_EQ(*NextConfirmationState(In(s, true), A::kDeemWithdrawn), S::kWithdrawn);
  }
  // Objections (Interp Art. 372): a valid ruling revoked, a rejection ruled again.
  EXPECT_EQ(*NextConfirmationState(In(S::kRuledValid, true), A::kRevoke), S::kRevoked);
  EXPECT_EQ(*NextConfirmationState(In(S::kRuledRejected, true), A::kReopen), S::kAccepted);
}

TEST(ConfirmationStateTest, RefusedOnlyBeforeAcceptanceRuledOnlyAfter) {
  using A = ConfirmationAction;
  using S = ConfirmationState;
  absl::StatusOr<S> refuse = NextConfirmationState(In(S::kMaterialsRequested, true), A::kRefuse);
  ASSERT_FALSE(refuse.ok());
  EXPECT_EQ(refuse.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refuse.status().message()), HasSubstr("rules on it instead"));
  absl::StatusOr<S> rule = NextConfirmationState(In(S::kSubmitted), A::kRuleValid);
  ASSERT_FALSE(rule.ok());
  EXPECT_EQ(ErrorCurrentState(rule.status()), "STATE_SUBMITTED");
  EXPECT_THAT(std::string(rule.status().message()), HasSubstr("allowed in STATE_ACCEPTED"));
}

TEST(ConfirmationStateTest, TerminalStatesMoveNoMore) {
  using A = ConfirmationAction;
  using S = ConfirmationState;
  for (S s : {S::kRefused, S::kRuledValid, S::kRuledRejected, S::kWithdrawn, S::kRevoked}) {
    EXPECT_TRUE(IsTerminal(s));
    for (A a : {A::kJoin, A::kSubmit, A::kWithdraw, A::kSupplyMaterials, A::kAccept, A::kRefuse,
                A::kRequestMaterials, A::kRuleValid, A::kRuleRejected}) {
      EXPECT_FALSE(NextConfirmationState(In(s, true), a).ok());
    }
  }
}

TEST(ConfirmationNamesTest, RoundTrip) {
  for (auto s : {ConfirmationState::kAwaitingParties, ConfirmationState::kMaterialsRequested,
                 ConfirmationState::kRuledRejected}) {
    EXPECT_EQ(ConfirmationStateFromName(ConfirmationStateName(s)), s);
  }
  EXPECT_EQ(ApiConfirmationStateName(ConfirmationState::kRuledValid), "STATE_RULED_VALID");
  EXPECT_EQ(CompetenceBasisFromName(CompetenceBasisName(CompetenceBasis::kOrganization)),
            CompetenceBasis::kOrganization);
}

TEST(PartyRefsTest, EveryPartyConsents) {
  EXPECT_THAT(AllPartyRefs(SettledCase()), ElementsAre("applicants/0", "respondents/0"));
}

// OMR Art. 19 para 1: effective once the parties signed, the agreement still needs the mediator's
// signature and the organization's seal before a court can confirm it.
TEST(PrecheckTest, AnAgreementWithoutTheMediatorOrTheSealIsNotYetConfirmable) {
  PrecheckInput in = Input();
  in.agreement->signatures.resize(2);  // the parties only
  const auto problems = Precheck(in);
  ASSERT_THAT(Reasons(problems), ElementsAre(kProblemAgreementFormIncomplete));
  EXPECT_THAT(problems[0].description, HasSubstr("mediator, organizations/org-1"));
  EXPECT_THAT(problems[0].description, HasSubstr("OMR Art. 19"));
}

// Interp Art. 351 (referring to CPL Art. 61): a party is represented by at most two agents in a
// confirmation application; the problem names the party's agents field.
TEST(PrecheckTest, APartyWithMoreThanTwoAgents) {
  PrecheckInput in = Input();
  std::vector<Agent>& agents = in.c.data.respondents[0].agents;
  agents.push_back(agents[0]);
  EXPECT_THAT(Precheck(in), IsEmpty());  // two
  agents.push_back(agents[0]);
  const auto problems = Precheck(in);
  ASSERT_THAT(Reasons(problems), ElementsAre(kProblemTooManyAgents));
  EXPECT_EQ(problems[0].field, "case.respondents[0].agents");
  EXPECT_THAT(problems[0].description, HasSubstr("Interp Art. 351; CPL Art. 61"));
}

}  // namespace
}  // namespace odr::domain

// Settlement agreements, pure rules: validation with field names, the canonical text and its hash
// (stable, unambiguous), who must sign, the signature statement, instalment states and yuan text.
#include "server/domain/agreement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "tests/testing/calendar.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

Case MediatedCase() {
  Case c;
  c.id = "case-1";
  c.case_number = "ODR-2031-000001";
  c.data = odr::testing::MedicalCase();
  c.state = CaseState::kMediating;
  return c;
}

AgreementContent Content() {
  AgreementContent a;
  a.facts = "术后感染。";
  a.issues = "过错与赔偿。";
  a.responsibilities = "医院承担主要责任。";
  a.terms = {{TermKind::kPayment, "医院赔偿两万元。", "respondents/0", "银行转账", "2031-05-31"}};
  a.instalments = {{"2031-04-30", 1'200'000, "respondents/0", "applicants/0"},
                   {"2031-05-31", 800'000, "respondents/0", "applicants/0"}};
  return a;
}

std::vector<std::string> Violated(const AgreementContent& a) {
  Violations v;
  ValidateAgreementContent(a, MediatedCase(), odr::testing::ChinaMinute(2031, 3, 1, 10),
                           "agreement", &v);
  return odr::testing::FieldsOf(v.ToStatus());
}

TEST(AgreementTest, ValidContentHasNoViolations) { EXPECT_THAT(Violated(Content()), IsEmpty()); }

TEST(AgreementTest, EveryBadFieldIsNamed) {
  AgreementContent a = Content();
  a.facts = "   ";
  a.responsibilities = std::string(5001, 'x');
  a.terms[0].obligor = "respondents/1";  // the case has one respondent
  a.terms[0].deadline_date = "2031-02-29";
  a.terms[0].method = "";
  a.instalments[0].amount_fen = -5;
  a.instalments[1].payer = "applicants/0";  // pays itself
  a.instalments[1].due_date = "31/05/2031";
  EXPECT_THAT(
      Violated(a),
      UnorderedElementsAre("agreement.facts", "agreement.responsibilities",
                           "agreement.terms[0].obligor", "agreement.terms[0].deadline_date",
                           "agreement.terms[0].method", "agreement.instalments[0].amount_fen",
                           "agreement.instalments[1].payee", "agreement.instalments[1].due_date"));
}

TEST(AgreementTest, AnInstalmentIsNotDueBeforeToday) {
  AgreementContent a = Content();
  a.instalments[0].due_date = "2031-02-28";  // today is 2031-03-01
  EXPECT_THAT(Violated(a), ElementsAre("agreement.instalments[0].due_date"));
  a.instalments[0].due_date = "2031-03-01";  // today is fine
  EXPECT_THAT(Violated(a), IsEmpty());
}

TEST(AgreementTest, APaymentNeedsASchedule_AndTermsAreRequired) {
  AgreementContent a = Content();
  a.instalments.clear();
  EXPECT_THAT(Violated(a), ElementsAre("agreement.instalments"));
  a.terms.clear();
  EXPECT_THAT(Violated(a), ElementsAre("agreement.terms"));
}

TEST(AgreementTest, PartyRefsAreExact) {
  const Case c = MediatedCase();
  EXPECT_TRUE(IsPartyRef(c, "applicants/0"));
  EXPECT_TRUE(IsPartyRef(c, "respondents/0"));
  for (const char* bad : {"applicants/1", "applicants/00", "applicants/-1", "applicants/",
                          "applicants/0x", "respondent/0", "applicants/0/agents/0", ""}) {
    EXPECT_FALSE(IsPartyRef(c, bad)) << bad;
  }
}

TEST(AgreementTest, CanonicalTextIsStableAndCoversEveryField) {
  const Case c = MediatedCase();
  const auto parties = PartiesOf(c);
  const std::string t1 =
      CanonicalText("cases/case-1/agreements/a1", c.case_number, 1, parties, "org-1", Content());
  const std::string t2 =
      CanonicalText("cases/case-1/agreements/a1", c.case_number, 1, parties, "org-1", Content());
  EXPECT_EQ(t1, t2);
  EXPECT_THAT(t1, HasSubstr("instalment 1: 2031-04-30 respondents/0 pays applicants/0 1200000 fen "
                            "(12,000.00 yuan)\n"));
  EXPECT_THAT(t1, HasSubstr("total: 2000000 fen (20,000.00 yuan)\n"));
  EXPECT_THAT(t1, HasSubstr(c.data.applicants[0].id_number));
  EXPECT_EQ(Sha256Hex(t1).size(), 64u);

  // Any change of content, revision or parties changes the hash.
  AgreementContent changed = Content();
  changed.instalments[1].amount_fen += 1;
  EXPECT_NE(Sha256Hex(CanonicalText("cases/case-1/agreements/a1", c.case_number, 1, parties,
                                    "org-1", changed)),
            Sha256Hex(t1));
  EXPECT_NE(
      CanonicalText("cases/case-1/agreements/a1", c.case_number, 2, parties, "org-1", Content()),
      t1);
}

TEST(AgreementTest, AFieldCannotForgeAnotherLine) {
  // A newline inside a value is indented on the next line, so "facts" cannot fake a term.
  const Case c = MediatedCase();
  AgreementContent a = Content();
  a.facts = "事实\nterm 9 kind: payment";
  const std::string t =
      CanonicalText("cases/case-1/agreements/a1", c.case_number, 1, PartiesOf(c), "org-1", a);
  EXPECT_THAT(t, HasSubstr("facts: 事实\n  term 9 kind: payment\n"));
  EXPECT_THAT(t, ::testing::Not(HasSubstr("\nterm 9 kind")));
}

TEST(AgreementTest, EveryPartyAMediatorAndTheOrganizationSign) {
  const Case c = MediatedCase();
  EXPECT_THAT(RequiredSigners(c),
              ElementsAre("applicants/0", "respondents/0", "mediator", "organizations/org-1"));
  std::vector<AgreementSignature> sigs;
  sigs.push_back({"principals/med-7", SignerRole::kMediator, "principals/med-7", absl::Now()});
  sigs.push_back({"respondents/0", SignerRole::kParty, "principals/lawyer", absl::Now()});
  EXPECT_THAT(PendingSigners(c, sigs), ElementsAre("applicants/0", "organizations/org-1"));
  sigs.push_back({"applicants/0", SignerRole::kParty, "principals/zhang", absl::Now()});
  sigs.push_back({"organizations/org-1", SignerRole::kOrganization, "principals/a", absl::Now()});
  EXPECT_THAT(PendingSigners(c, sigs), IsEmpty());
}

// OMR Art. 19 and 特邀 Art. 24 para 3: court-diverted mediation (and mediation on the platform)
// takes effect when every party has signed; PML Art. 29: before a people's mediation committee on a
// citizen's own application, when the mediator has signed and the committee has sealed too.
TEST(AgreementTest, TheRouteAndTheOrganizationsKindDecideWhenItTakesEffect) {
  EXPECT_EQ(EffectRuleFor(Route::kCitizenApplication, true), EffectRule::kAllSigned);
  EXPECT_EQ(EffectRuleFor(Route::kCitizenApplication, false), EffectRule::kPartiesSigned);
  for (bool committee : {true, false}) {
    EXPECT_EQ(EffectRuleFor(Route::kPreFilingDiversion, committee), EffectRule::kPartiesSigned);
    EXPECT_EQ(EffectRuleFor(Route::kPostFilingEntrustment, committee), EffectRule::kPartiesSigned);
  }
  EXPECT_EQ(EffectRuleFromName(EffectRuleName(EffectRule::kAllSigned)), EffectRule::kAllSigned);
  EXPECT_THAT(EffectRuleText(EffectRule::kAllSigned), HasSubstr("PML Art. 29"));
  EXPECT_THAT(EffectRuleText(EffectRule::kPartiesSigned), HasSubstr("OMR Art. 19"));
}

TEST(AgreementTest, EffectIsTheSignatureThatMetTheRule) {
  const Case c = MediatedCase();
  const absl::Time t0 = odr::testing::ChinaMinute(2031, 3, 1, 10);
  std::vector<AgreementSignature> sigs;
  sigs.push_back({"applicants/0", SignerRole::kParty, "principals/zhang", t0});
  EXPECT_EQ(EffectiveAt(EffectRule::kPartiesSigned, c, sigs), std::nullopt);
  sigs.push_back({"respondents/0", SignerRole::kParty, "principals/li", t0 + absl::Hours(1)});
  // Every party signed: effective at the last party's signature, the mediator and seal pending.
  EXPECT_EQ(EffectiveAt(EffectRule::kPartiesSigned, c, sigs), t0 + absl::Hours(1));
  EXPECT_EQ(EffectiveAt(EffectRule::kAllSigned, c, sigs), std::nullopt);
  sigs.push_back(
      {"principals/med-7", SignerRole::kMediator, "principals/med-7", t0 + absl::Hours(2)});
  EXPECT_EQ(EffectiveAt(EffectRule::kAllSigned, c, sigs), std::nullopt);
  sigs.push_back(
      {"organizations/org-1", SignerRole::kOrganization, "principals/a", t0 + absl::Hours(3)});
  EXPECT_EQ(EffectiveAt(EffectRule::kAllSigned, c, sigs), t0 + absl::Hours(3));
  EXPECT_EQ(EffectiveAt(EffectRule::kPartiesSigned, c, sigs), t0 + absl::Hours(1));
}

// Once effective, only the form it lacks is signed: the mediator's signature, the seal (OMR
// Art. 19 para 1); never a party again, and nothing on an abandoned agreement.
TEST(AgreementTest, AnEffectiveAgreementTakesOnlyTheFormItLacks) {
  const Case c = MediatedCase();
  Agreement a;
  a.state = AgreementState::kDraft;
  EXPECT_TRUE(AcceptsSignatureFrom(a, c, SignerRole::kParty));
  a.state = AgreementState::kEffective;
  a.signatures.push_back({"applicants/0", SignerRole::kParty, "principals/zhang", absl::Now()});
  a.signatures.push_back({"respondents/0", SignerRole::kParty, "principals/li", absl::Now()});
  EXPECT_FALSE(AcceptsSignatureFrom(a, c, SignerRole::kParty));
  EXPECT_TRUE(AcceptsSignatureFrom(a, c, SignerRole::kMediator));
  EXPECT_TRUE(AcceptsSignatureFrom(a, c, SignerRole::kOrganization));
  a.signatures.push_back(
      {"principals/med-7", SignerRole::kMediator, "principals/med-7", absl::Now()});
  EXPECT_FALSE(AcceptsSignatureFrom(a, c, SignerRole::kMediator));
  EXPECT_TRUE(AcceptsSignatureFrom(a, c, SignerRole::kOrganization));
  a.state = AgreementState::kAbandoned;
  EXPECT_FALSE(AcceptsSignatureFrom(a, c, SignerRole::kOrganization));
}

TEST(AgreementTest, WhatMaySignOrRefuseWhen) {
  Case c = MediatedCase();
  Agreement a;
  a.case_id = c.id;
  a.id = "a1";
  EXPECT_THAT(CheckCanSign(a, c, {SignerRole::kParty}), IsOk());
  EXPECT_THAT(CheckCanRefuse(a, c), IsOk());
  c.state = CaseState::kSettled;
  a.state = AgreementState::kEffective;
  a.signatures.push_back({"applicants/0", SignerRole::kParty, "principals/zhang", absl::Now()});
  a.signatures.push_back({"respondents/0", SignerRole::kParty, "principals/li", absl::Now()});
  EXPECT_THAT(CheckCanSign(a, c, {SignerRole::kOrganization}), IsOk());
  const absl::Status party = CheckCanSign(a, c, {SignerRole::kParty});
  EXPECT_EQ(ErrorReason(party), "AGREEMENT_NOT_DRAFT");
  EXPECT_THAT(party.message(), HasSubstr("cases/case-1/agreements/a1 is effective"));
  EXPECT_EQ(ErrorReason(CheckCanRefuse(a, c)), "AGREEMENT_NOT_DRAFT");
  EXPECT_EQ(ErrorReason(CheckCanSign(a, c, {})), "AGREEMENT_NOT_DRAFT");
  // A draft of a case no longer mediated is neither signed nor refused.
  a.state = AgreementState::kDraft;
  c.state = CaseState::kClosed;
  EXPECT_EQ(ErrorReason(CheckCanSign(a, c, {SignerRole::kMediator})), "AGREEMENT_NOT_DRAFT");
  EXPECT_EQ(ErrorReason(CheckCanRefuse(a, c)), "AGREEMENT_NOT_DRAFT");
}

TEST(AgreementTest, ARefusalNamesThePartyAndTheRule) {
  EXPECT_EQ(RefusalText("respondents/0", 2, "不同意赔偿数额。"),
            "respondents/0 refused to sign revision 2 of the agreement, which ends the mediation "
            "(OMR Art. 25(七)): 不同意赔偿数额。");
}

TEST(AgreementTest, TheStatementNamesWhatIsSigned) {
  const std::string s =
      SignatureStatement("cases/c/agreements/a", 3, std::string(64, 'f'), "respondents/0",
                         "principals/li", absl::FromUnixMicros(1'900'000'000'123'456));
  EXPECT_EQ(s, "odr-agreement-signature-v1\ncases/c/agreements/a\n3\n" + std::string(64, 'f') +
                   "\nrespondents/0\nprincipals/li\n2030-03-17T17:46:40.123456Z\n");
}

TEST(AgreementTest, InstalmentsAreDuePaidOrOverdueByTheEndOfTheirDay) {
  Agreement a;
  a.content = Content();
  const absl::Time last_minute = odr::testing::ChinaMinute(2031, 4, 30, 23, 59);
  EXPECT_EQ(InstalmentStateAt(a, 0, last_minute), InstalmentState::kDue);
  EXPECT_EQ(InstalmentStateAt(a, 0, last_minute + absl::Minutes(1)), InstalmentState::kOverdue);
  a.payments.push_back({0, 200'000, last_minute, "med", ""});
  EXPECT_EQ(PaidFen(a, 0), 200'000);
  EXPECT_EQ(InstalmentStateAt(a, 0, last_minute + absl::Hours(1)), InstalmentState::kOverdue);
  a.payments.push_back({0, 1'000'000, last_minute + absl::Hours(2), "med", ""});
  EXPECT_EQ(InstalmentStateAt(a, 0, last_minute + absl::Hours(3)), InstalmentState::kPaid);
  EXPECT_EQ(InstalmentStateAt(a, 1, last_minute), InstalmentState::kDue);
}

TEST(AgreementTest, YuanText) {
  EXPECT_EQ(YuanText(0), "0.00");
  EXPECT_EQ(YuanText(5), "0.05");
  EXPECT_EQ(YuanText(123456), "1,234.56");
  EXPECT_EQ(YuanText(10'000'000'000'000), "100,000,000,000.00");
  EXPECT_EQ(YuanText(-150), "-1.50");
}

}  // namespace
}  // namespace odr::domain

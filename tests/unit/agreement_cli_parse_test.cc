// The odr command line's syntax for settlement agreements, judicial confirmation and courts
// (client/cli_input.h): yuan amounts inside instalment specs, term, instalment and material
// specs, party references, dates, the enum spellings of grounds, states and outcomes, and the
// names of a case's agreements and confirmations. Every error names the flag. No server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/cli_input.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::cli {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// --- Yuan to fen, as the agreement commands use it ---

TEST(AgreementYuanTest, InstalmentAmountsAreExactFen) {
  struct Case {
    const char* yuan;
    int64_t fen;
  };
  for (const Case& c : {Case{"20000", 2'000'000}, Case{"10000.50", 1'000'050}, Case{"12.5", 1250},
                        Case{"0.07", 7}, Case{"0.29", 29}, Case{"1.15", 115}, Case{"4.35", 435},
                        Case{"0.01", 1}, Case{"92233720368547758.07", 9223372036854775807}}) {
    absl::StatusOr<v1::Instalment> in = ParseInstalmentSpec(
        absl::StrCat("2026-12-31:", c.yuan, ":respondents/0:applicants/0"), "--instalment #1");
    ASSERT_THAT(in, IsOk()) << c.yuan << ": " << in.status();
    EXPECT_EQ(in->amount_fen(), c.fen) << c.yuan;
  }
}

TEST(AgreementYuanTest, BadInstalmentAmountsNameTheFlagAndTheField) {
  for (const char* yuan :
       {"12.345", "-5", "1,000", "1e3", "", "abc", "92233720368547758.08", "１２", "12元"}) {
    absl::StatusOr<v1::Instalment> in = ParseInstalmentSpec(
        absl::StrCat("2026-12-31:", yuan, ":respondents/0:applicants/0"), "--instalment #2");
    EXPECT_EQ(in.status().code(), absl::StatusCode::kInvalidArgument) << yuan;
    EXPECT_THAT(in.status().message(), HasSubstr("--instalment #2: AMOUNT_YUAN")) << yuan;
  }
}

TEST(AgreementYuanTest, PaymentAndOfferAmountsNameTheirFlag) {
  EXPECT_EQ(ParseYuanToFen("300.10", "--amount").value(), 30010);
  absl::StatusOr<int64_t> bad = ParseYuanToFen("3.001", "--amount");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("--amount"));
}

// --- Party references and dates ---

TEST(ParsePartyRefTest, AcceptsPartiesCountingFromZero) {
  EXPECT_EQ(ParsePartyRef("applicants/0", "--by").value(), "applicants/0");
  EXPECT_EQ(ParsePartyRef(" respondents/12 ", "--by").value(), "respondents/12");
}

TEST(ParsePartyRefTest, RejectsOtherShapesNamingTheFlag) {
  for (const char* s : {"", "applicants", "applicants/", "applicants/-1", "applicants/x",
                        "applicant/0", "applicant:1", "Applicants/0", "respondents/0/agents/0",
                        "principals/zhang", "applicants/0/", "applicants/12345", "张三"}) {
    absl::StatusOr<std::string> r = ParsePartyRef(s, "--party");
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(r.status().message(), HasSubstr("--party")) << s;
  }
}

TEST(ParsePartyRefTest, DoesNotRepeatTheValue) {
  // Someone may type a name where the party belongs: it is not echoed.
  absl::StatusOr<std::string> r = ParsePartyRef("张三", "--by");
  EXPECT_THAT(r.status().message(), Not(HasSubstr("张三")));
}

TEST(ParseDateFlagTest, AcceptsDatesThatExist) {
  EXPECT_EQ(ParseDateFlag("2026-12-31", "--x").value(), "2026-12-31");
  EXPECT_EQ(ParseDateFlag(" 2028-02-29 ", "--x").value(), "2028-02-29");
}

TEST(ParseDateFlagTest, RejectsDatesThatDoNotExistOrAreWrittenOtherwise) {
  for (const char* s :
       {"2027-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-1-5", "26-01-05",
        "2026/01/05", "20260105", "2026-01-05T00:00", "+2026-01-05", "", "tomorrow"}) {
    absl::StatusOr<std::string> r = ParseDateFlag(s, "--due");
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(r.status().message(), AllOf(HasSubstr("--due"), HasSubstr("YYYY-MM-DD"))) << s;
  }
}

// --- Terms ---

TEST(ParseTermSpecTest, ParsesAllFields) {
  absl::StatusOr<v1::AgreementTerm> t = ParseTermSpec(
      "payment:respondents/0:银行转账:2026-12-31:赔偿医疗费及误工费共计两万元", "--term #1");
  ASSERT_THAT(t, IsOk()) << t.status();
  EXPECT_EQ(t->kind(), v1::AgreementTerm::KIND_PAYMENT);
  EXPECT_EQ(t->obligor(), "respondents/0");
  EXPECT_EQ(t->method(), "银行转账");
  EXPECT_EQ(t->deadline_date(), "2026-12-31");
  EXPECT_EQ(t->description(), "赔偿医疗费及误工费共计两万元");
}

TEST(ParseTermSpecTest, EveryKindInEverySpelling) {
  struct Case {
    const char* text;
    v1::AgreementTerm::Kind kind;
  };
  for (const Case& c : {
           Case{"payment", v1::AgreementTerm::KIND_PAYMENT},
           Case{"performance", v1::AgreementTerm::KIND_PERFORMANCE},
           Case{"property-transfer", v1::AgreementTerm::KIND_PROPERTY_TRANSFER},
           Case{"property_transfer", v1::AgreementTerm::KIND_PROPERTY_TRANSFER},
           Case{"apology", v1::AgreementTerm::KIND_APOLOGY},
           Case{"Property-Ownership", v1::AgreementTerm::KIND_PROPERTY_OWNERSHIP},
           Case{"personal-status", v1::AgreementTerm::KIND_PERSONAL_STATUS},
           Case{"other", v1::AgreementTerm::KIND_OTHER},
           Case{"KIND_PAYMENT", v1::AgreementTerm::KIND_PAYMENT},
           Case{"PERSONAL_STATUS", v1::AgreementTerm::KIND_PERSONAL_STATUS},
       }) {
    absl::StatusOr<v1::AgreementTerm> t =
        ParseTermSpec(absl::StrCat(c.text, ":applicants/0:m:2026-01-31:d"), "--term");
    ASSERT_THAT(t, IsOk()) << c.text << ": " << t.status();
    EXPECT_EQ(t->kind(), c.kind) << c.text;
  }
}

TEST(ParseTermSpecTest, DescriptionMayHoldColons) {
  absl::StatusOr<v1::AgreementTerm> t =
      ParseTermSpec("other:applicants/1:in person:2026-06-01:note: see 10:30 meeting", "--term");
  ASSERT_THAT(t, IsOk()) << t.status();
  EXPECT_EQ(t->method(), "in person");
  EXPECT_EQ(t->description(), "note: see 10:30 meeting");
}

TEST(ParseTermSpecTest, EscapedColonsAndBackslashesInMethod) {
  absl::StatusOr<v1::AgreementTerm> t =
      ParseTermSpec(R"(performance:respondents/0:visit at 9\:00 C\\:2026-06-01:repair)", "--term");
  ASSERT_THAT(t, IsOk()) << t.status();
  EXPECT_EQ(t->method(), R"(visit at 9:00 C\)");
  EXPECT_EQ(t->description(), "repair");
}

TEST(ParseTermSpecTest, SpacesAroundFieldsAreDropped) {
  absl::StatusOr<v1::AgreementTerm> t =
      ParseTermSpec(" apology : respondents/0 : 书面 : 2026-11-30 : 书面道歉 ", "--term");
  ASSERT_THAT(t, IsOk()) << t.status();
  EXPECT_EQ(t->kind(), v1::AgreementTerm::KIND_APOLOGY);
  EXPECT_EQ(t->obligor(), "respondents/0");
  EXPECT_EQ(t->method(), "书面");
  EXPECT_EQ(t->description(), "书面道歉");
}

TEST(ParseTermSpecTest, EmptyMethodOrDescriptionIsLeftToOdrd) {
  absl::StatusOr<v1::AgreementTerm> t = ParseTermSpec("other:applicants/0::2026-01-31:", "--term");
  ASSERT_THAT(t, IsOk()) << t.status();
  EXPECT_EQ(t->method(), "");
  EXPECT_EQ(t->description(), "");
}

TEST(ParseTermSpecTest, TooFewFieldsSaysTheFormat) {
  for (const char* s : {"", "payment", "payment:respondents/0:bank:2026-12-31",
                        "payment:respondents/0:2026-12-31:pay"}) {
    absl::StatusOr<v1::AgreementTerm> t = ParseTermSpec(s, "--term #3");
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(
        t.status().message(),
        AllOf(HasSubstr("--term #3"), HasSubstr("KIND:OBLIGOR:METHOD:YYYY-MM-DD:DESCRIPTION")))
        << s;
  }
}

TEST(ParseTermSpecTest, BadKindNamesTheFlagAndLists) {
  absl::StatusOr<v1::AgreementTerm> t =
      ParseTermSpec("pay:respondents/0:bank:2026-12-31:x", "--term #2");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(),
              AllOf(HasSubstr("--term #2: KIND"), HasSubstr("property-transfer"),
                    HasSubstr("personal-status")));
  // KIND_UNSPECIFIED is not a kind.
  EXPECT_FALSE(ParseTermSpec("unspecified:respondents/0:b:2026-12-31:x", "--term").ok());
  EXPECT_FALSE(ParseTermSpec("KIND_UNSPECIFIED:respondents/0:b:2026-12-31:x", "--term").ok());
}

TEST(ParseTermSpecTest, BadObligorNamesTheFlag) {
  for (const char* obligor : {"respondent:1", "respondents/0/agents/0", "李四", ""}) {
    absl::StatusOr<v1::AgreementTerm> t =
        ParseTermSpec(absl::StrCat("payment:", obligor, ":bank:2026-12-31:x"), "--term #1");
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << obligor;
    EXPECT_THAT(t.status().message(), HasSubstr("--term #1: OBLIGOR")) << obligor;
  }
}

TEST(ParseTermSpecTest, BadDeadlineNamesTheFlagWithoutRepeatingFreeText) {
  // The method and deadline swapped: the error names the field, not the (free) text.
  absl::StatusOr<v1::AgreementTerm> t =
      ParseTermSpec("payment:respondents/0:2026-12-31:银行转账:赔偿", "--term #1");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(),
              AllOf(HasSubstr("--term #1: the deadline"), Not(HasSubstr("银行转账"))));
  EXPECT_FALSE(ParseTermSpec("payment:respondents/0:b:2027-02-29:x", "--term").ok());
}

// --- Instalments ---

TEST(ParseInstalmentSpecTest, ParsesAllFields) {
  absl::StatusOr<v1::Instalment> in =
      ParseInstalmentSpec(" 2026-12-31 : 10000.50 : respondents/0 : applicants/1 ", "--instalment");
  ASSERT_THAT(in, IsOk()) << in.status();
  EXPECT_EQ(in->due_date(), "2026-12-31");
  EXPECT_EQ(in->amount_fen(), 1'000'050);
  EXPECT_EQ(in->payer(), "respondents/0");
  EXPECT_EQ(in->payee(), "applicants/1");
  EXPECT_EQ(in->state(), v1::Instalment::STATE_UNSPECIFIED);
  EXPECT_EQ(in->paid_fen(), 0);
}

TEST(ParseInstalmentSpecTest, WrongFieldCountSaysTheFormat) {
  for (const char* s : {"", "2026-12-31", "2026-12-31:100:respondents/0",
                        "2026-12-31:100:respondents/0:applicants/0:extra",
                        "2026-12-31:100:respondents/0:applicants/0:"}) {
    absl::StatusOr<v1::Instalment> in = ParseInstalmentSpec(s, "--instalment #4");
    EXPECT_EQ(in.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(in.status().message(), AllOf(HasSubstr("--instalment #4"),
                                             HasSubstr("YYYY-MM-DD:AMOUNT_YUAN:PAYER:PAYEE")))
        << s;
  }
}

TEST(ParseInstalmentSpecTest, EachBadFieldIsNamed) {
  struct Case {
    const char* spec;
    const char* field;
  };
  for (const Case& c : {
           Case{"2026-02-30:100:respondents/0:applicants/0", "the due date"},
           Case{"31/12/2026:100:respondents/0:applicants/0", "the due date"},
           Case{"2026-12-31:100:respondent/0:applicants/0", "PAYER"},
           Case{"2026-12-31:100:respondents/0:applicants", "PAYEE"},
       }) {
    absl::StatusOr<v1::Instalment> in = ParseInstalmentSpec(c.spec, "--instalment #1");
    EXPECT_EQ(in.status().code(), absl::StatusCode::kInvalidArgument) << c.spec;
    EXPECT_THAT(in.status().message(), HasSubstr(absl::StrCat("--instalment #1: ", c.field)))
        << c.spec;
  }
}

TEST(ParseInstalmentSpecTest, PayerEqualToPayeeIsLeftToOdrd) {
  // A content rule, not syntax: odrd names the field.
  EXPECT_THAT(ParseInstalmentSpec("2026-12-31:1:applicants/0:applicants/0", "--instalment"),
              IsOk());
}

// --- Materials ---

TEST(ParseMaterialSpecTest, FullEvidenceName) {
  absl::StatusOr<v1::ConfirmationMaterial> m =
      ParseMaterialSpec("cases/c1/evidence/e1:identity", "", "--material #1");
  ASSERT_THAT(m, IsOk()) << m.status();
  EXPECT_EQ(m->evidence(), "cases/c1/evidence/e1");
  EXPECT_EQ(m->kind(), v1::ConfirmationMaterial::KIND_IDENTITY_PROOF);
}

TEST(ParseMaterialSpecTest, BareIdIsOfTheGivenCase) {
  absl::StatusOr<v1::ConfirmationMaterial> m =
      ParseMaterialSpec(" e7 : property-right ", "cases/c1", "--material");
  ASSERT_THAT(m, IsOk()) << m.status();
  EXPECT_EQ(m->evidence(), "cases/c1/evidence/e7");
  EXPECT_EQ(m->kind(), v1::ConfirmationMaterial::KIND_PROPERTY_RIGHT_PROOF);
}

TEST(ParseMaterialSpecTest, FullNameOfAnotherCaseIsPassedOnForOdrdToJudge) {
  absl::StatusOr<v1::ConfirmationMaterial> m =
      ParseMaterialSpec("cases/c2/evidence/e1:other", "cases/c1", "--material");
  ASSERT_THAT(m, IsOk()) << m.status();
  EXPECT_EQ(m->evidence(), "cases/c2/evidence/e1");
}

TEST(ParseMaterialSpecTest, KindSpellings) {
  struct Case {
    const char* text;
    v1::ConfirmationMaterial::Kind kind;
  };
  for (const Case& c : {
           Case{"identity", v1::ConfirmationMaterial::KIND_IDENTITY_PROOF},
           Case{"identity-proof", v1::ConfirmationMaterial::KIND_IDENTITY_PROOF},
           Case{"IDENTITY_PROOF", v1::ConfirmationMaterial::KIND_IDENTITY_PROOF},
           Case{"KIND_IDENTITY_PROOF", v1::ConfirmationMaterial::KIND_IDENTITY_PROOF},
           Case{"property-right", v1::ConfirmationMaterial::KIND_PROPERTY_RIGHT_PROOF},
           Case{"property_right_proof", v1::ConfirmationMaterial::KIND_PROPERTY_RIGHT_PROOF},
           Case{"other", v1::ConfirmationMaterial::KIND_OTHER},
       }) {
    absl::StatusOr<v1::ConfirmationMaterial> m =
        ParseMaterialSpec(absl::StrCat("cases/c/evidence/e:", c.text), "", "--material");
    ASSERT_THAT(m, IsOk()) << c.text << ": " << m.status();
    EXPECT_EQ(m->kind(), c.kind) << c.text;
  }
}

TEST(ParseMaterialSpecTest, ErrorsNameTheFlag) {
  for (const char* s :
       {"", "cases/c/evidence/e", "cases/c/evidence/e:", "cases/c/evidence/e:passport",
        "cases/c/evidence/e:unspecified", "cases/c/appointments/a:identity", "cases/c:identity",
        "c/e:identity", ":identity", "e1:identity"}) {
    // Without a case, a bare id ("e1") is an error too.
    absl::StatusOr<v1::ConfirmationMaterial> m = ParseMaterialSpec(s, "", "--material #2");
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(m.status().message(), HasSubstr("--material #2")) << s;
  }
}

// --- Grounds, states, outcomes ---

TEST(ConfirmationEnumsTest, RefusalGrounds) {
  EXPECT_EQ(ParseRefusalGround("no-jurisdiction", "--ground").value(),
            v1::REFUSAL_GROUND_NO_JURISDICTION);
  EXPECT_EQ(ParseRefusalGround("PERSONAL_STATUS", "--ground").value(),
            v1::REFUSAL_GROUND_PERSONAL_STATUS);
  EXPECT_EQ(ParseRefusalGround("REFUSAL_GROUND_SPECIAL_PROCEDURE", "--ground").value(),
            v1::REFUSAL_GROUND_SPECIAL_PROCEDURE);
  EXPECT_EQ(ParseRefusalGround("property-ownership", "--ground").value(),
            v1::REFUSAL_GROUND_PROPERTY_OWNERSHIP);
  EXPECT_EQ(ParseRefusalGround("other", "--ground").value(), v1::REFUSAL_GROUND_OTHER);
  for (const char* s : {"", "unspecified", "unclear", "jurisdiction"}) {
    absl::StatusOr<v1::RefusalGround> g = ParseRefusalGround(s, "--ground");
    EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(g.status().message(), AllOf(HasSubstr("--ground"), HasSubstr("no-jurisdiction")));
  }
}

TEST(ConfirmationEnumsTest, RejectionGrounds) {
  EXPECT_EQ(ParseRejectionGround("violates-mandatory-law", "--ground #1").value(),
            v1::REJECTION_GROUND_VIOLATES_MANDATORY_LAW);
  EXPECT_EQ(ParseRejectionGround("harms_others_interests", "--ground #1").value(),
            v1::REJECTION_GROUND_HARMS_OTHERS_INTERESTS);
  EXPECT_EQ(ParseRejectionGround("public-order", "--ground #1").value(),
            v1::REJECTION_GROUND_PUBLIC_ORDER);
  EXPECT_EQ(ParseRejectionGround("NOT_VOLUNTARY", "--ground #1").value(),
            v1::REJECTION_GROUND_NOT_VOLUNTARY);
  EXPECT_EQ(ParseRejectionGround("unclear", "--ground #1").value(), v1::REJECTION_GROUND_UNCLEAR);
  EXPECT_EQ(ParseRejectionGround("other", "--ground #1").value(), v1::REJECTION_GROUND_OTHER);
  absl::StatusOr<v1::RejectionGround> g = ParseRejectionGround("no-jurisdiction", "--ground #2");
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(g.status().message(), HasSubstr("--ground #2"));
}

TEST(ConfirmationEnumsTest, States) {
  EXPECT_EQ(ParseConfirmationState("submitted", "--state").value(),
            v1::Confirmation::STATE_SUBMITTED);
  EXPECT_EQ(ParseConfirmationState("awaiting-parties", "--state").value(),
            v1::Confirmation::STATE_AWAITING_PARTIES);
  EXPECT_EQ(ParseConfirmationState("MATERIALS_REQUESTED", "--state").value(),
            v1::Confirmation::STATE_MATERIALS_REQUESTED);
  EXPECT_EQ(ParseConfirmationState("STATE_RULED_VALID", "--state").value(),
            v1::Confirmation::STATE_RULED_VALID);
  EXPECT_EQ(ParseConfirmationState("ruled_rejected", "--state").value(),
            v1::Confirmation::STATE_RULED_REJECTED);
  EXPECT_EQ(ParseConfirmationState("withdrawn", "--state").value(),
            v1::Confirmation::STATE_WITHDRAWN);
  EXPECT_THAT(ParseConfirmationState("draft", "--state").status().message(), HasSubstr("--state"));
}

TEST(ConfirmationEnumsTest, DiversionOutcomes) {
  EXPECT_EQ(ParseDiversionOutcome("pending", "--outcome").value(), v1::DIVERSION_OUTCOME_PENDING);
  EXPECT_EQ(ParseDiversionOutcome("SETTLED", "--outcome").value(), v1::DIVERSION_OUTCOME_SETTLED);
  EXPECT_EQ(ParseDiversionOutcome("DIVERSION_OUTCOME_CONFIRMED", "--outcome").value(),
            v1::DIVERSION_OUTCOME_CONFIRMED);
  EXPECT_EQ(ParseDiversionOutcome("referred", "--outcome").value(), v1::DIVERSION_OUTCOME_REFERRED);
  EXPECT_EQ(ParseDiversionOutcome("ended", "--outcome").value(), v1::DIVERSION_OUTCOME_ENDED);
  EXPECT_THAT(ParseDiversionOutcome("closed", "--outcome").status().message(),
              HasSubstr("--outcome"));
}

TEST(EnumValueShortNameTest, DropsThePrefix) {
  EXPECT_EQ(EnumValueShortName(v1::Agreement::State_descriptor(), v1::Agreement::STATE_EFFECTIVE,
                               "STATE_"),
            "EFFECTIVE");
  EXPECT_EQ(EnumValueShortName(v1::RefusalGround_descriptor(), v1::REFUSAL_GROUND_NO_JURISDICTION,
                               "REFUSAL_GROUND_"),
            "NO_JURISDICTION");
  EXPECT_EQ(EnumValueShortName(v1::Agreement::State_descriptor(), 0, "STATE_"), "");
  EXPECT_EQ(EnumValueShortName(v1::Agreement::State_descriptor(), 99, "STATE_"), "99");
}

// --- Names ---

TEST(CaseChildNameTest, AcceptsOnlyTheCollection) {
  EXPECT_EQ(CaseChildName(" cases/c1/agreements/a1 ", "agreements", "odr agreement list").value(),
            "cases/c1/agreements/a1");
  for (const char* s :
       {"", "a1", "cases/c1", "cases/c1/agreements", "cases/c1/agreements/", "cases//agreements/a1",
        "cases/c1/confirmations/x", "cases/c1/agreements/a1/x", "courts/c/agreements/a"}) {
    absl::StatusOr<std::string> r = CaseChildName(s, "agreements", "odr agreement list");
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(r.status().message(), AllOf(HasSubstr("NAME must be cases/CASE/agreements/ID"),
                                            HasSubstr("odr agreement list")))
        << s;
  }
}

TEST(CaseOfNameTest, TheFirstTwoSegments) {
  EXPECT_EQ(CaseOfName("cases/c1/confirmations/x"), "cases/c1");
  EXPECT_EQ(CaseOfName("cases/c1"), "cases/c1");
  EXPECT_EQ(CaseOfName("courts/c1/referrals/r"), "");
}

}  // namespace
}  // namespace odr::cli

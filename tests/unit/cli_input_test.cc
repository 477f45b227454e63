// The odr command line's own syntax: yuan amounts, party and agent specs, enum spellings, resource
// names (cases, mediators, pools) and loopback targets (client/cli_input.h); its profile file
// (client/cli_config.h, in a temp dir); and its error reports and tables (client/cli_output.h).
// No server.
#include "client/cli_input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>

#include "absl/strings/cord.h"
#include "client/case_client.h"
#include "client/cli_config.h"
#include "client/cli_output.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;

namespace odr::cli {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// --- ParseYuanToFen ---

TEST(ParseYuanToFenTest, WholeYuan) {
  EXPECT_EQ(ParseYuanToFen("20000").value(), 2'000'000);
  EXPECT_EQ(ParseYuanToFen("0").value(), 0);
  EXPECT_EQ(ParseYuanToFen("1").value(), 100);
  EXPECT_EQ(ParseYuanToFen("007").value(), 700);
}

TEST(ParseYuanToFenTest, Decimals) {
  EXPECT_EQ(ParseYuanToFen("12.5").value(), 1250);
  EXPECT_EQ(ParseYuanToFen("12.50").value(), 1250);
  EXPECT_EQ(ParseYuanToFen("0.07").value(), 7);
  EXPECT_EQ(ParseYuanToFen("0.7").value(), 70);
  EXPECT_EQ(ParseYuanToFen("0.00").value(), 0);
  EXPECT_EQ(ParseYuanToFen("19999.99").value(), 1'999'999);
}

TEST(ParseYuanToFenTest, NoFloatingPointRounding) {
  // 0.29 * 100 is 28.999999999999996 in double.
  EXPECT_EQ(ParseYuanToFen("0.29").value(), 29);
  EXPECT_EQ(ParseYuanToFen("1.15").value(), 115);
  EXPECT_EQ(ParseYuanToFen("4.35").value(), 435);
}

TEST(ParseYuanToFenTest, SurroundingSpacesAreIgnored) {
  EXPECT_EQ(ParseYuanToFen(" 12.50 ").value(), 1250);
}

TEST(ParseYuanToFenTest, RejectsEmpty) {
  for (const char* s : {"", " ", "\t"}) {
    auto r = ParseYuanToFen(s);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << "'" << s << "'";
    EXPECT_THAT(r.status().message(), HasSubstr("--amount")) << s;
  }
}

TEST(ParseYuanToFenTest, RejectsNegative) {
  for (const char* s : {"-1", "-0.01", "-0"}) {
    auto r = ParseYuanToFen(s);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(r.status().message(), HasSubstr("negative")) << s;
  }
}

TEST(ParseYuanToFenTest, RejectsThreeOrMoreDecimals) {
  for (const char* s : {"1.234", "0.001", "12.500", "1.0000001"}) {
    auto r = ParseYuanToFen(s);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(r.status().message(), HasSubstr("2 decimals")) << s;
  }
}

TEST(ParseYuanToFenTest, RejectsGarbage) {
  for (const char* s :
       {"abc", "12a", "a12", "1,000", "1 000", "+5", "1.", ".5", ".", "1.2.3", "1e3", "0x10",
        "１２",  // full-width digits
        "12元", "¥12", "1_000", "nan", "inf"}) {
    auto r = ParseYuanToFen(s);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(r.status().message(), HasSubstr("--amount")) << s;
  }
}

TEST(ParseYuanToFenTest, LargestAmounts) {
  // INT64_MAX fen is 92233720368547758.07 yuan.
  EXPECT_EQ(ParseYuanToFen("92233720368547757").value(), kInt64Max - 107);
  EXPECT_EQ(ParseYuanToFen("92233720368547757.99").value(), kInt64Max - 8);
}

// Every amount that fits in int64 fen is accepted, up to exactly INT64_MAX fen.
TEST(ParseYuanToFenTest, AcceptsEveryAmountThatFitsInInt64Fen) {
  EXPECT_EQ(ParseYuanToFen("92233720368547758").value(), kInt64Max - 7);
  EXPECT_EQ(ParseYuanToFen("92233720368547758.07").value(), kInt64Max);
}

TEST(ParseYuanToFenTest, RejectsOverflow) {
  for (const char* s : {"92233720368547758.08", "92233720368547759", "100000000000000000",
                        "99999999999999999999999999", "18446744073709551616"}) {
    auto r = ParseYuanToFen(s);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(r.status().message(), HasSubstr("too large")) << s;
  }
}

// --- FormatFen ---

TEST(FormatFenTest, TwoDecimals) {
  EXPECT_EQ(FormatFen(2'000'000), "20000.00");
  EXPECT_EQ(FormatFen(1250), "12.50");
  EXPECT_EQ(FormatFen(7), "0.07");
  EXPECT_EQ(FormatFen(70), "0.70");
  EXPECT_EQ(FormatFen(0), "0.00");
  EXPECT_EQ(FormatFen(100), "1.00");
  EXPECT_EQ(FormatFen(1'999'999), "19999.99");
}

TEST(FormatFenTest, Negative) {
  EXPECT_EQ(FormatFen(-150), "-1.50");
  EXPECT_EQ(FormatFen(-5), "-0.05");
  EXPECT_EQ(FormatFen(-100), "-1.00");
}

TEST(FormatFenTest, Extremes) {
  EXPECT_EQ(FormatFen(kInt64Max), "92233720368547758.07");
  EXPECT_EQ(FormatFen(kInt64Min), "-92233720368547758.08");
}

TEST(FormatFenTest, RoundTripsWithParse) {
  for (int64_t fen : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{99}, int64_t{100}, int64_t{1250},
                      int64_t{2'000'000}, int64_t{123'456'789'012}}) {
    EXPECT_EQ(ParseYuanToFen(FormatFen(fen)).value(), fen) << fen;
  }
}

// --- ParseDisputeType, DisputeTypeShortName, StateShortName ---

TEST(ParseDisputeTypeTest, FlagSpellings) {
  EXPECT_EQ(ParseDisputeType("medical").value(), v1::DISPUTE_TYPE_MEDICAL);
  EXPECT_EQ(ParseDisputeType("neighbour").value(), v1::DISPUTE_TYPE_NEIGHBOUR);
  EXPECT_EQ(ParseDisputeType("labour").value(), v1::DISPUTE_TYPE_LABOUR);
  EXPECT_EQ(ParseDisputeType("debt-contract").value(), v1::DISPUTE_TYPE_DEBT_CONTRACT);
  EXPECT_EQ(ParseDisputeType("family-inheritance").value(), v1::DISPUTE_TYPE_FAMILY_INHERITANCE);
  EXPECT_EQ(ParseDisputeType("traffic-accident").value(), v1::DISPUTE_TYPE_TRAFFIC_ACCIDENT);
  EXPECT_EQ(ParseDisputeType("property-land").value(), v1::DISPUTE_TYPE_PROPERTY_LAND);
  EXPECT_EQ(ParseDisputeType("consumer-ecommerce").value(), v1::DISPUTE_TYPE_CONSUMER_ECOMMERCE);
  EXPECT_EQ(ParseDisputeType("other").value(), v1::DISPUTE_TYPE_OTHER);
}

TEST(ParseDisputeTypeTest, CaseUnderscoresAndEnumNames) {
  EXPECT_EQ(ParseDisputeType("MEDICAL").value(), v1::DISPUTE_TYPE_MEDICAL);
  EXPECT_EQ(ParseDisputeType("Medical").value(), v1::DISPUTE_TYPE_MEDICAL);
  EXPECT_EQ(ParseDisputeType("DISPUTE_TYPE_MEDICAL").value(), v1::DISPUTE_TYPE_MEDICAL);
  EXPECT_EQ(ParseDisputeType("dispute_type_medical").value(), v1::DISPUTE_TYPE_MEDICAL);
  EXPECT_EQ(ParseDisputeType("dispute-type-labour").value(), v1::DISPUTE_TYPE_LABOUR);
  EXPECT_EQ(ParseDisputeType("debt_contract").value(), v1::DISPUTE_TYPE_DEBT_CONTRACT);
  EXPECT_EQ(ParseDisputeType("DEBT_CONTRACT").value(), v1::DISPUTE_TYPE_DEBT_CONTRACT);
  EXPECT_EQ(ParseDisputeType("DISPUTE_TYPE_CONSUMER_ECOMMERCE").value(),
            v1::DISPUTE_TYPE_CONSUMER_ECOMMERCE);
  EXPECT_EQ(ParseDisputeType("Traffic_Accident").value(), v1::DISPUTE_TYPE_TRAFFIC_ACCIDENT);
  EXPECT_EQ(ParseDisputeType(" other ").value(), v1::DISPUTE_TYPE_OTHER);
}

TEST(ParseDisputeTypeTest, RejectsUnknownAndUnspecified) {
  for (const char* s : {"", "unspecified", "DISPUTE_TYPE_UNSPECIFIED", "medic", "medicalx",
                        "dispute-type-", "debtcontract", "debt contract", "1", "医疗"}) {
    auto r = ParseDisputeType(s);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << s;
    // Names the flag and lists the choices.
    EXPECT_THAT(r.status().message(),
                AllOf(HasSubstr("--type"), HasSubstr("medical"), HasSubstr("consumer-ecommerce")))
        << s;
  }
}

TEST(DisputeTypeShortNameTest, Names) {
  EXPECT_EQ(DisputeTypeShortName(v1::DISPUTE_TYPE_MEDICAL), "MEDICAL");
  EXPECT_EQ(DisputeTypeShortName(v1::DISPUTE_TYPE_DEBT_CONTRACT), "DEBT_CONTRACT");
  EXPECT_EQ(DisputeTypeShortName(v1::DISPUTE_TYPE_OTHER), "OTHER");
  EXPECT_EQ(DisputeTypeShortName(v1::DISPUTE_TYPE_UNSPECIFIED), "");
  // A value from a newer odrd that this build does not know.
  EXPECT_EQ(DisputeTypeShortName(static_cast<v1::DisputeType>(42)), "42");
}

TEST(DisputeTypeShortNameTest, RoundTripsWithParse) {
  for (int i = v1::DisputeType_MIN; i <= v1::DisputeType_MAX; ++i) {
    const auto t = static_cast<v1::DisputeType>(i);
    if (t == v1::DISPUTE_TYPE_UNSPECIFIED) continue;
    EXPECT_EQ(ParseDisputeType(DisputeTypeShortName(t)).value(), t) << i;
    EXPECT_EQ(ParseDisputeType(v1::DisputeType_Name(t)).value(), t) << i;
  }
}

TEST(StateShortNameTest, Names) {
  EXPECT_EQ(StateShortName(v1::Case::STATE_DRAFT), "DRAFT");
  EXPECT_EQ(StateShortName(v1::Case::STATE_SUBMITTED), "SUBMITTED");
  EXPECT_EQ(StateShortName(v1::Case::STATE_ACCEPTED), "ACCEPTED");
  EXPECT_EQ(StateShortName(v1::Case::STATE_WITHDRAWN), "WITHDRAWN");
  EXPECT_EQ(StateShortName(v1::Case::STATE_CLOSED), "CLOSED");
  EXPECT_EQ(StateShortName(v1::Case::STATE_UNSPECIFIED), "");
  EXPECT_EQ(StateShortName(static_cast<v1::Case::State>(77)), "77");
}

// --- ParsePartySpec ---

TEST(ParsePartySpecTest, FullPerson) {
  auto p = ParsePartySpec(
      "kind=person;name=张三;id-type=resident-id;id=110101199003074514;phone=13800138000;"
      "address=zhang@example.com");
  ASSERT_THAT(p, IsOk()) << p.status();
  EXPECT_EQ(p->kind(), v1::PARTY_KIND_NATURAL_PERSON);
  EXPECT_EQ(p->name(), "张三");
  EXPECT_EQ(p->id_document_type(), v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  EXPECT_EQ(p->id_number(), testing::kIdZhang);
  EXPECT_EQ(p->phone(), "13800138000");
  EXPECT_EQ(p->service_address(), "zhang@example.com");
  EXPECT_EQ(p->agents_size(), 0);
}

// CPL Interpretation Arts. 3-4: the declared domicile, REGION:BASIS:MATERIAL.
TEST(ParsePartySpecTest, Domicile) {
  auto p = ParsePartySpec("name=张三;domicile=330681:habitual-residence:居住证:2025年");
  ASSERT_THAT(p, IsOk()) << p.status();
  EXPECT_EQ(p->domicile().region_code(), "330681");
  EXPECT_EQ(p->domicile().basis(), v1::Domicile::BASIS_HABITUAL_RESIDENCE);
  EXPECT_EQ(p->domicile().material(), "居住证:2025年");
  EXPECT_FALSE(ParsePartySpec("name=x;domicile=330681:household").ok());
  auto bad = ParsePartySpec("name=x;domicile=330681:office:营业执照");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("main-office"));
  EXPECT_FALSE(ParsePartySpec("name=x").value().has_domicile());
}

TEST(ParsePartySpecTest, DefaultsArePersonAndResidentId) {
  auto p = ParsePartySpec("name=张三");
  ASSERT_THAT(p, IsOk()) << p.status();
  EXPECT_EQ(p->kind(), v1::PARTY_KIND_NATURAL_PERSON);
  EXPECT_EQ(p->id_document_type(), v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
}

TEST(ParsePartySpecTest, LegalPersonWithUscc) {
  auto p = ParsePartySpec(
      "kind=legal;name=诸暨市人民医院;id-type=uscc;id=12330681470000000E;phone=0575-87000000;"
      "address=浙江省诸暨市暨阳街道");
  ASSERT_THAT(p, IsOk()) << p.status();
  EXPECT_EQ(p->kind(), v1::PARTY_KIND_LEGAL_PERSON);
  EXPECT_EQ(p->name(), "诸暨市人民医院");
  EXPECT_EQ(p->id_document_type(), v1::ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE);
  EXPECT_EQ(p->id_number(), testing::kUsccHospital);
  EXPECT_EQ(p->phone(), "0575-87000000");
  EXPECT_EQ(p->service_address(), "浙江省诸暨市暨阳街道");
}

TEST(ParsePartySpecTest, EveryKindAndIdType) {
  EXPECT_EQ(ParsePartySpec("kind=org").value().kind(), v1::PARTY_KIND_UNINCORPORATED_ORGANIZATION);
  EXPECT_EQ(ParsePartySpec("kind=LEGAL").value().kind(), v1::PARTY_KIND_LEGAL_PERSON);
  EXPECT_EQ(ParsePartySpec("id-type=passport").value().id_document_type(),
            v1::ID_DOCUMENT_TYPE_PASSPORT);
  EXPECT_EQ(ParsePartySpec("id-type=permit").value().id_document_type(),
            v1::ID_DOCUMENT_TYPE_HK_MACAO_TAIWAN_PERMIT);
  EXPECT_EQ(ParsePartySpec("id-type=foreign-resident").value().id_document_type(),
            v1::ID_DOCUMENT_TYPE_FOREIGN_PERMANENT_RESIDENT_ID);
  EXPECT_EQ(ParsePartySpec("id-type=foreign_resident").value().id_document_type(),
            v1::ID_DOCUMENT_TYPE_FOREIGN_PERMANENT_RESIDENT_ID);
  EXPECT_EQ(ParsePartySpec("id-type=USCC").value().id_document_type(),
            v1::ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE);
}

TEST(ParsePartySpecTest, RejectsUnknownKindAndIdType) {
  auto k = ParsePartySpec("kind=company;name=x");
  EXPECT_EQ(k.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(k.status().message(), AllOf(HasSubstr("kind"), HasSubstr("person, legal, org")));
  auto t = ParsePartySpec("id-type=drivers-licence;name=x");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), AllOf(HasSubstr("id-type"), HasSubstr("resident-id")));
}

TEST(ParsePartySpecTest, EscapedSemicolonAndBackslash) {
  auto p = ParsePartySpec(R"(name=A\;B;address=C:\\dir\;x;phone=1)");
  ASSERT_THAT(p, IsOk()) << p.status();
  EXPECT_EQ(p->name(), "A;B");
  EXPECT_EQ(p->service_address(), R"(C:\dir;x)");
  EXPECT_EQ(p->phone(), "1");
}

TEST(ParsePartySpecTest, EscapedBackslashBeforeSeparator) {
  // `\\;` is a backslash, then the separator.
  auto p = ParsePartySpec(R"(name=A\\;phone=2)");
  ASSERT_THAT(p, IsOk()) << p.status();
  EXPECT_EQ(p->name(), R"(A\)");
  EXPECT_EQ(p->phone(), "2");
}

TEST(ParsePartySpecTest, OtherBackslashesStayLiteral) {
  auto p = ParsePartySpec(R"(name=a\b\n;address=end\)");
  ASSERT_THAT(p, IsOk()) << p.status();
  EXPECT_EQ(p->name(), R"(a\b\n)");
  EXPECT_EQ(p->service_address(), R"(end\)");
}

TEST(ParsePartySpecTest, ValueMayContainEquals) {
  auto p = ParsePartySpec("name=x;address=a=b@example.com");
  ASSERT_THAT(p, IsOk()) << p.status();
  EXPECT_EQ(p->service_address(), "a=b@example.com");
}

TEST(ParsePartySpecTest, SpacesAroundKeysAndValuesAndEmptyItems) {
  auto p = ParsePartySpec(" ; name = 张 三 ;; phone = 13800138000 ; ");
  ASSERT_THAT(p, IsOk()) << p.status();
  EXPECT_EQ(p->name(), "张 三");  // Inner spaces stay.
  EXPECT_EQ(p->phone(), "13800138000");
}

TEST(ParsePartySpecTest, KeysIgnoreCase) {
  auto p = ParsePartySpec("NAME=x;Phone=1");
  ASSERT_THAT(p, IsOk()) << p.status();
  EXPECT_EQ(p->name(), "x");
  EXPECT_EQ(p->phone(), "1");
}

TEST(ParsePartySpecTest, MissingKeysAreLeftEmptyForOdrd) {
  auto p = ParsePartySpec("kind=legal");
  ASSERT_THAT(p, IsOk()) << p.status();
  EXPECT_EQ(p->kind(), v1::PARTY_KIND_LEGAL_PERSON);
  EXPECT_EQ(p->name(), "");
  EXPECT_EQ(p->id_number(), "");
  EXPECT_EQ(p->phone(), "");
  EXPECT_EQ(p->service_address(), "");
}

TEST(ParsePartySpecTest, RejectsEmpty) {
  for (const char* s : {"", "   ", ";", " ; ;; "}) {
    auto r = ParsePartySpec(s);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << "'" << s << "'";
    EXPECT_THAT(r.status().message(), HasSubstr("empty")) << s;
  }
}

TEST(ParsePartySpecTest, RejectsUnknownKey) {
  auto r = ParsePartySpec("name=张三;email=zhang@example.com");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), AllOf(HasSubstr("unknown key 'email'"), HasSubstr("address")));
  // Agents' key is not a party key.
  EXPECT_EQ(ParsePartySpec("of=applicant:1").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParsePartySpecTest, RejectsRepeatedKey) {
  auto r = ParsePartySpec("name=张三;phone=1;NAME=李四");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("'name' is given twice"));
}

TEST(ParsePartySpecTest, RejectsItemWithoutEquals) {
  auto r = ParsePartySpec("name=张三;13800138000");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("item 2 is not key=value"));
  EXPECT_FALSE(ParsePartySpec("name").ok());
  // ',' is not a separator.
  EXPECT_EQ(ParsePartySpec("name=x,phone=1").value().name(), "x,phone=1");
}

TEST(ParsePartySpecTest, RejectsItemWithoutKey) {
  auto r = ParsePartySpec("name=x;=y");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("item 2 has no key"));
}

TEST(ParsePartySpecTest, ErrorsDoNotRepeatPersonalData) {
  const std::string id = testing::kIdZhang;
  for (const std::string& spec :
       {"name=张三;id=" + id + ";phone=13800138000;bogus=1", "name=张三;id=" + id + ";13800138000",
        "name=张三;id=" + id + ";name=张三", "name=张三;id=" + id + ";kind=nobody"}) {
    auto r = ParsePartySpec(spec);
    ASSERT_FALSE(r.ok()) << spec;
    EXPECT_THAT(std::string(r.status().message()),
                AllOf(Not(HasSubstr("张三")), Not(HasSubstr(id)), Not(HasSubstr("13800138000"))))
        << spec;
  }
}

// --- ParseAgentSpec ---

TEST(ParseAgentSpecTest, OfApplicant) {
  auto a = ParseAgentSpec(
      "of=applicant:1;name=王律师;id=330681198506120020;phone=13900000000;"
      "address=wang@lawfirm.cn");
  ASSERT_THAT(a, IsOk()) << a.status();
  EXPECT_TRUE(a->of_applicant);
  EXPECT_EQ(a->party_index, 0);
  EXPECT_EQ(a->agent.name(), "王律师");
  EXPECT_EQ(a->agent.id_document_type(), v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  EXPECT_EQ(a->agent.id_number(), testing::kIdLi);
  EXPECT_EQ(a->agent.phone(), "13900000000");
  EXPECT_EQ(a->agent.service_address(), "wang@lawfirm.cn");
}

TEST(ParseAgentSpecTest, OfRespondentCountsFromOne) {
  auto a = ParseAgentSpec("name=李律师;of=respondent:3;id-type=passport;id=E12345678");
  ASSERT_THAT(a, IsOk()) << a.status();
  EXPECT_FALSE(a->of_applicant);
  EXPECT_EQ(a->party_index, 2);
  EXPECT_EQ(a->agent.id_document_type(), v1::ID_DOCUMENT_TYPE_PASSPORT);
  EXPECT_EQ(a->agent.id_number(), "E12345678");
}

// special=yes records the special authority (特别授权, CPL Art. 62) an agent needs to sign or
// refuse an agreement or apply for confirmation; no by default; anything else names the key.
TEST(ParseAgentSpecTest, SpecialAuthorityIsYesOrNo) {
  auto a = ParseAgentSpec("of=respondent:1;name=李律师;special=yes");
  ASSERT_THAT(a, IsOk()) << a.status();
  EXPECT_TRUE(a->agent.special_authority());
  a = ParseAgentSpec("of=respondent:1;name=李律师;special=no");
  ASSERT_THAT(a, IsOk()) << a.status();
  EXPECT_FALSE(a->agent.special_authority());
  a = ParseAgentSpec("of=respondent:1;name=李律师");
  ASSERT_THAT(a, IsOk()) << a.status();
  EXPECT_FALSE(a->agent.special_authority());
  a = ParseAgentSpec("of=respondent:1;name=李律师;special=maybe");
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("special"));
}

TEST(ParseAgentSpecTest, LargeIndexIsLeftToTheCaller) {
  // The spec parser does not know how many parties the case has.
  auto a = ParseAgentSpec("of=applicant:20");
  ASSERT_THAT(a, IsOk()) << a.status();
  EXPECT_EQ(a->party_index, 19);
}

TEST(ParseAgentSpecTest, EscapingWorksAsForParties) {
  auto a = ParseAgentSpec(R"(of=applicant:1;name=王\;律师;address=x\\y)");
  ASSERT_THAT(a, IsOk()) << a.status();
  EXPECT_EQ(a->agent.name(), "王;律师");
  EXPECT_EQ(a->agent.service_address(), R"(x\y)");
}

TEST(ParseAgentSpecTest, RejectsBadOf) {
  for (const char* of : {"applicant:0", "applicant:-1", "respondent:0", "applicant",
                         "applicant:", ":1", "1", "judge:1", "applicant:1x", "applicant:x",
                         "applicant:1.5", "applicants:1", "applicant:99999999999"}) {
    auto r = ParseAgentSpec(std::string("name=x;of=") + of);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << of;
    EXPECT_THAT(r.status().message(), HasSubstr("of")) << of;
  }
  auto r = ParseAgentSpec("of=applicant:0");
  EXPECT_THAT(r.status().message(), HasSubstr("counting from 1"));
}

TEST(ParseAgentSpecTest, RequiresOf) {
  auto r = ParseAgentSpec("name=王律师;id=330681198506120020;phone=13900000000;address=w@x.cn");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), AllOf(HasSubstr("of=applicant:N"), HasSubstr("required")));
  EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr("王律师")));
}

TEST(ParseAgentSpecTest, RejectsKindAndUnknownKeys) {
  auto k = ParseAgentSpec("of=applicant:1;kind=person");
  EXPECT_EQ(k.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(k.status().message(), AllOf(HasSubstr("unknown key 'kind'"), HasSubstr("of, name")));
  EXPECT_EQ(ParseAgentSpec("of=applicant:1;firm=x").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseAgentSpecTest, RejectsRepeatedOfAndEmpty) {
  auto r = ParseAgentSpec("of=applicant:1;of=respondent:1");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("'of' is given twice"));
  EXPECT_EQ(ParseAgentSpec("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseAgentSpec("of").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseAgentSpecTest, RejectsBadIdType) {
  auto r = ParseAgentSpec("of=applicant:1;id-type=bar-card");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("id-type"));
}

// --- CaseName ---

TEST(CaseNameTest, AddsPrefixToBareIds) {
  EXPECT_EQ(CaseName("abc-123"), "cases/abc-123");
  EXPECT_EQ(CaseName("cases/abc-123"), "cases/abc-123");
  // Not checked: odrd reports bad ids.
  EXPECT_EQ(CaseName(""), "cases/");
  EXPECT_EQ(CaseName("cases/"), "cases/");
  EXPECT_EQ(CaseName("Cases/x"), "cases/Cases/x");
}

// --- ResourceName ---

TEST(ResourceNameTest, AddsPrefixToBareIds) {
  EXPECT_EQ(ResourceName("organizations", "dev-org"), "organizations/dev-org");
  EXPECT_EQ(ResourceName("organizations", "organizations/dev-org"), "organizations/dev-org");
  EXPECT_EQ(ResourceName("courts", "zhuji"), "courts/zhuji");
  EXPECT_EQ(ResourceName("principals", "principals/dev-admin"), "principals/dev-admin");
  // Not given stays not given; other collections are odrd's to refuse.
  EXPECT_EQ(ResourceName("principals", ""), "");
  EXPECT_EQ(ResourceName("courts", "organizations/x"), "courts/organizations/x");
}

// --- MediatorName, PoolName ---

TEST(MediatorNameTest, FullAndShortForms) {
  EXPECT_EQ(MediatorName("organizations/dev-org/mediators/wang", "--mediator").value(),
            "organizations/dev-org/mediators/wang");
  EXPECT_EQ(MediatorName("dev-org/wang", "--mediator").value(),
            "organizations/dev-org/mediators/wang");
  EXPECT_EQ(MediatorName(" dev-org/wang ", "--mediator").value(),
            "organizations/dev-org/mediators/wang");
  // The full form is passed on unchecked: odrd reports bad ids.
  EXPECT_EQ(MediatorName("organizations/x", "--mediator").value(), "organizations/x");
}

TEST(MediatorNameTest, BareIdNeedsADefaultOrganization) {
  EXPECT_EQ(MediatorName("wang", "--mediator", "dev-org").value(),
            "organizations/dev-org/mediators/wang");
  EXPECT_EQ(MediatorName("wang", "--mediator", "organizations/dev-org").value(),
            "organizations/dev-org/mediators/wang");
  // The short and full forms win over the default.
  EXPECT_EQ(MediatorName("other/li", "--mediator", "dev-org").value(),
            "organizations/other/mediators/li");
  auto r = MediatorName("wang", "--mediator");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), AllOf(HasSubstr("--mediator"),
                                          HasSubstr("organizations/ORG/mediators/ID or ORG/ID")));
  EXPECT_THAT(MediatorName("", "NAME", "dev-org").status().message(),
              AllOf(HasSubstr("NAME"), HasSubstr("of organizations/dev-org")));
}

TEST(MediatorNameTest, RejectsAccountsAndMalformedNames) {
  // A mediator's account is not its roster entry: say so.
  auto r = MediatorName("principals/dev-mediator", "--mediator");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              AllOf(HasSubstr("principals/ID is an account"), HasSubstr("odr mediator list")));
  for (const char* bad : {"", "/", "a/", "/b", "a/b/c", "cases/x", "mediators/x", "courts/x"}) {
    EXPECT_EQ(MediatorName(bad, "--mediator").status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(PoolNameTest, FullAndShortForms) {
  EXPECT_EQ(PoolName("organizations/o/pools/medical", "--pool").value(),
            "organizations/o/pools/medical");
  EXPECT_EQ(PoolName("o/medical", "--pool").value(), "organizations/o/pools/medical");
  EXPECT_EQ(PoolName("medical", "--pool", "o").value(), "organizations/o/pools/medical");
  auto r = PoolName("medical", "--pool");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("--pool must be organizations/ORG/pools/ID"));
}

// --- Roster enums ---

TEST(ParseOrganizationKindTest, FlagSpellingsAndEnumNames) {
  EXPECT_EQ(ParseOrganizationKind("people").value(),
            v1::ORGANIZATION_KIND_PEOPLES_MEDIATION_COMMITTEE);
  EXPECT_EQ(ParseOrganizationKind("industry").value(), v1::ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL);
  EXPECT_EQ(ParseOrganizationKind("court-invited").value(), v1::ORGANIZATION_KIND_COURT_INVITED);
  EXPECT_EQ(ParseOrganizationKind("Court_Invited").value(), v1::ORGANIZATION_KIND_COURT_INVITED);
  EXPECT_EQ(ParseOrganizationKind("lawyer").value(), v1::ORGANIZATION_KIND_LAWYER);
  EXPECT_EQ(ParseOrganizationKind("administrative").value(), v1::ORGANIZATION_KIND_ADMINISTRATIVE);
  EXPECT_EQ(ParseOrganizationKind("commercial").value(), v1::ORGANIZATION_KIND_COMMERCIAL);
  EXPECT_EQ(ParseOrganizationKind("other").value(), v1::ORGANIZATION_KIND_OTHER);
  EXPECT_EQ(ParseOrganizationKind("PEOPLES_MEDIATION_COMMITTEE").value(),
            v1::ORGANIZATION_KIND_PEOPLES_MEDIATION_COMMITTEE);
  EXPECT_EQ(ParseOrganizationKind("ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL").value(),
            v1::ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL);
  EXPECT_EQ(ParseOrganizationKind("organization-kind-lawyer").value(),
            v1::ORGANIZATION_KIND_LAWYER);
}

TEST(ParseOrganizationKindTest, RejectsUnknownAndUnspecified) {
  for (const char* s : {"", "unspecified", "ORGANIZATION_KIND_UNSPECIFIED", "court", "法院"}) {
    auto r = ParseOrganizationKind(s);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(r.status().message(),
                AllOf(HasSubstr("--kind"), HasSubstr("people"), HasSubstr("court-invited")))
        << s;
  }
}

TEST(OrganizationKindShortNameTest, Names) {
  EXPECT_EQ(OrganizationKindShortName(v1::ORGANIZATION_KIND_COURT_INVITED), "COURT_INVITED");
  EXPECT_EQ(OrganizationKindShortName(v1::ORGANIZATION_KIND_UNSPECIFIED), "");
  EXPECT_EQ(OrganizationKindShortName(static_cast<v1::OrganizationKind>(42)), "42");
  // Every kind round-trips.
  for (int i = v1::OrganizationKind_MIN + 1; i <= v1::OrganizationKind_MAX; ++i) {
    const auto k = static_cast<v1::OrganizationKind>(i);
    EXPECT_EQ(ParseOrganizationKind(OrganizationKindShortName(k)).value(), k);
  }
}

TEST(ParseEmploymentTest, Spellings) {
  EXPECT_EQ(ParseEmployment("full-time").value(), v1::Mediator::EMPLOYMENT_FULL_TIME);
  EXPECT_EQ(ParseEmployment("part_time").value(), v1::Mediator::EMPLOYMENT_PART_TIME);
  EXPECT_EQ(ParseEmployment("EMPLOYMENT_PART_TIME").value(), v1::Mediator::EMPLOYMENT_PART_TIME);
  for (const char* s : {"", "sometimes", "EMPLOYMENT_UNSPECIFIED", "full"}) {
    auto r = ParseEmployment(s);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(r.status().message(), AllOf(HasSubstr("--employment"), HasSubstr("part-time")));
  }
  EXPECT_EQ(EmploymentShortName(v1::Mediator::EMPLOYMENT_FULL_TIME), "FULL_TIME");
  EXPECT_EQ(EmploymentShortName(v1::Mediator::EMPLOYMENT_UNSPECIFIED), "");
}

TEST(ParseIdDocumentTypeTest, SpellingsAsInPartySpecs) {
  EXPECT_EQ(ParseIdDocumentType("resident-id", "--id-type").value(),
            v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  EXPECT_EQ(ParseIdDocumentType("passport", "--id-type").value(), v1::ID_DOCUMENT_TYPE_PASSPORT);
  EXPECT_EQ(ParseIdDocumentType("RESIDENT_ID_CARD", "--id-type").value(),
            v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  auto r = ParseIdDocumentType("bar-card", "--id-type");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), AllOf(HasSubstr("--id-type"), HasSubstr("resident-id")));
}

TEST(RosterEnumShortNamesTest, Names) {
  EXPECT_EQ(MediatorStateShortName(v1::Mediator::STATE_SUSPENDED), "SUSPENDED");
  EXPECT_EQ(MediatorStateShortName(v1::Mediator::STATE_UNSPECIFIED), "");
  EXPECT_EQ(AssignmentStateShortName(v1::MediatorAssignment::STATE_DECLINED), "DECLINED");
  EXPECT_EQ(AssignmentMethodShortName(v1::MediatorAssignment::METHOD_JOINT_CHOICE), "JOINT_CHOICE");
  EXPECT_EQ(AssignmentMethodShortName(v1::MediatorAssignment::METHOD_UNSPECIFIED), "");
  EXPECT_EQ(StateShortName(v1::Case::STATE_MEDIATOR_PROPOSED), "MEDIATOR_PROPOSED");
}

TEST(FlagNamesInMessagesTest, FeeAndSpecialty) {
  auto fee = ParseYuanToFen("1.234", "--fee");
  EXPECT_EQ(fee.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(fee.status().message(), AllOf(HasSubstr("--fee"), Not(HasSubstr("--amount"))));
  EXPECT_THAT(ParseYuanToFen("-1", "--fee").status().message(), HasSubstr("--fee must not"));
  EXPECT_EQ(ParseYuanToFen("300", "--fee").value(), 30000);
  auto t = ParseDisputeType("divorce", "--specialty");
  EXPECT_THAT(t.status().message(), AllOf(HasSubstr("--specialty"), Not(HasSubstr("--type"))));
  EXPECT_EQ(ParseDisputeType("medical", "--specialty").value(), v1::DISPUTE_TYPE_MEDICAL);
}

// --- IsLoopbackTarget ---

TEST(IsLoopbackTargetTest, Loopback) {
  for (const char* t :
       {"127.0.0.1:50051", "127.0.0.1", "127.1.2.3:1", "localhost:50051", "localhost",
        "LOCALHOST:1", "[::1]:50051", "::1", "[::ffff:127.0.0.1]:5", "dns:///localhost:50051",
        "dns:///127.0.0.1:50051", "dns://8.8.8.8/localhost:1", "ipv4:127.0.0.1:1,127.0.0.2:2",
        "ipv6:[::1]:50051", "unix:/run/odrd.sock", "unix-abstract:odrd", "app.localhost:1"}) {
    EXPECT_TRUE(IsLoopbackTarget(t)) << t;
  }
}

TEST(IsLoopbackTargetTest, NotLoopback) {
  for (const char* t : {"10.0.0.1:50051", "0.0.0.0:50051", "128.0.0.1:1", "odr.example.org:443",
                        "[2001:db8::1]:443", "2001:db8::1", "localhost.example.org:1",
                        "ipv4:127.0.0.1:1,10.0.0.1:1", "dns:///odr.example.org:443", "", "[::1",
                        "dns://localhost"}) {
    EXPECT_FALSE(IsLoopbackTarget(t)) << t;
  }
}

// --- The profile file ---

TEST(ConfigFilePathTest, XdgThenHome) {
  EXPECT_EQ(ConfigFilePath("/x/cfg", "/home/u").value(), "/x/cfg/odr/config.json");
  EXPECT_EQ(ConfigFilePath(nullptr, "/home/u").value(), "/home/u/.config/odr/config.json");
  // A relative or empty XDG_CONFIG_HOME is ignored (XDG base directory spec).
  EXPECT_EQ(ConfigFilePath("rel", "/home/u").value(), "/home/u/.config/odr/config.json");
  EXPECT_EQ(ConfigFilePath("", "/home/u").value(), "/home/u/.config/odr/config.json");
  EXPECT_FALSE(ConfigFilePath(nullptr, nullptr).ok());
  EXPECT_FALSE(ConfigFilePath("", "relative").ok());
}

TEST(ValidProfileNameTest, Names) {
  EXPECT_TRUE(ValidProfileName("default"));
  EXPECT_TRUE(ValidProfileName("prod_2.court-x"));
  EXPECT_TRUE(ValidProfileName(std::string(64, 'a')));
  EXPECT_FALSE(ValidProfileName(""));
  EXPECT_FALSE(ValidProfileName(std::string(65, 'a')));
  EXPECT_FALSE(ValidProfileName("a b"));
  EXPECT_FALSE(ValidProfileName("../x"));
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int ModeOf(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

TEST(ConfigTest, MissingFileIsEmpty) {
  testing::TempDir dir;
  absl::StatusOr<Config> c = Config::Load(dir.file("nope/config.json"));
  ASSERT_THAT(c, IsOk()) << c.status();
  EXPECT_FALSE(c->Get("default").has_value());
}

TEST(ConfigTest, SaveCreatesAPrivateDirAndFileAndRoundTrips) {
  testing::TempDir dir;
  const std::string path = dir.file("cfg/odr/config.json");
  Config c = Config::Load(path).value();
  Profile p;
  p.server = "odr.example.org:443";
  p.tls_ca = "/etc/odr/ca.pem";
  p.tls = true;
  p.principal = "principals/dev-admin";
  p.token = "secret-token";
  p.token_expire_time = absl::FromUnixSeconds(1'800'000'000);
  c.Set("work", p);
  ASSERT_THAT(c.Save(), IsOk());
  EXPECT_EQ(ModeOf(path), 0600);
  EXPECT_EQ(ModeOf(dir.file("cfg/odr")), 0700);

  std::optional<Profile> back = Config::Load(path).value().Get("work");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->server, p.server);
  EXPECT_EQ(back->tls_ca, p.tls_ca);
  EXPECT_TRUE(back->tls);
  EXPECT_EQ(back->principal, p.principal);
  EXPECT_EQ(back->token, p.token);
  EXPECT_EQ(back->token_expire_time, p.token_expire_time);
  EXPECT_FALSE(Config::Load(path).value().Get("default").has_value());
}

TEST(ConfigTest, SetKeepsUnknownKeysAndOtherProfilesAndDropsEmptyOnes) {
  testing::TempDir dir;
  const std::string path = dir.file("config.json");
  {
    std::ofstream out(path);
    out << R"({"version": 7, "profiles": {"a": {"server": "x:1", "token": "t", "colour": "red"},
                                          "b": {"server": "y:2"}}})";
  }
  Config c = Config::Load(path).value();
  Profile a = c.Get("a").value();
  EXPECT_EQ(a.token, "t");
  a.token.clear();
  c.Set("a", a);
  ASSERT_THAT(c.Save(), IsOk());
  const std::string text = Slurp(path);
  EXPECT_THAT(text, AllOf(HasSubstr("\"version\": 7"), HasSubstr("\"colour\": \"red\""),
                          HasSubstr("\"y:2\""), Not(HasSubstr("\"token\""))));
  EXPECT_EQ(ModeOf(path), 0600);  // tightened from the umask's default
}

TEST(ConfigTest, CorruptFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  const std::string path = dir.file("config.json");
  for (const char* text : {"{not json", "[1, 2]", R"({"profiles": 3})"}) {
    {
      std::ofstream out(path, std::ios::trunc);
      out << text;
    }
    absl::StatusOr<Config> c = Config::Load(path);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(c.status().message(), HasSubstr(path));
  }
}

TEST(WriteFileAtomicallyTest, ReplacesTheFileWithTheGivenMode) {
  testing::TempDir dir;
  const std::string path = dir.file("f");
  {
    std::ofstream out(path);
    out << "old";
  }
  chmod(path.c_str(), 0644);
  ASSERT_THAT(WriteFileAtomically(path, "new contents", 0600), IsOk());
  EXPECT_EQ(Slurp(path), "new contents");
  EXPECT_EQ(ModeOf(path), 0600);
  // No temp file is left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(e.path().filename(), "f");
  }
  EXPECT_EQ(files, 1);
  EXPECT_FALSE(WriteFileAtomically(dir.file("no/such/dir/f"), "x", 0600).ok());
}

// --- ReportError ---

// A status as odrd sends it: with ErrorDetails attached.
absl::Status FromOdrd(absl::StatusCode code, const std::string& message,
                      const std::string& reason) {
  absl::Status s(code, message);
  v1::ErrorDetails d;
  d.set_reason(reason);
  s.SetPayload(client::kErrorDetailsTypeUrl, absl::Cord(d.SerializeAsString()));
  return s;
}

TEST(ReportErrorTest, UnauthenticatedIsExit4WithTheLoginHint) {
  ErrorContext context;
  context.auth_notes = {"no token was sent"};
  std::ostringstream err;
  EXPECT_EQ(
      ReportError(FromOdrd(absl::StatusCode::kUnauthenticated, "token expired", "UNAUTHENTICATED"),
                  context, err),
      4);
  EXPECT_EQ(err.str(), std::string("error: ") + kNotLoggedInMessage +
                           "\n  odrd: token expired\n  no token was sent\n");

  // On `odr auth login` the key was refused.
  context.login = true;
  std::ostringstream login;
  EXPECT_EQ(ReportError(FromOdrd(absl::StatusCode::kUnauthenticated, "invalid principal or API key",
                                 "UNAUTHENTICATED"),
                        context, login),
            4);
  EXPECT_EQ(login.str(), "error: odrd refused the login: invalid principal or API key\n");
}

TEST(ReportErrorTest, PermissionDeniedIsExit1WithOdrdsMessage) {
  std::ostringstream err;
  EXPECT_EQ(ReportError(FromOdrd(absl::StatusCode::kPermissionDenied,
                                 "a mediator in this case may not accept it", "PERMISSION_DENIED"),
                        ErrorContext{}, err),
            1);
  EXPECT_EQ(err.str(), "error: a mediator in this case may not accept it\n");
}

TEST(ReportErrorTest, RateLimitedIsExit1) {
  std::ostringstream err;
  EXPECT_EQ(
      ReportError(FromOdrd(absl::StatusCode::kResourceExhausted, "too many calls", "RATE_LIMITED"),
                  ErrorContext{}, err),
      1);
  EXPECT_EQ(err.str(), std::string("error: ") + kRateLimitedMessage + "\n");
  // RESOURCE_EXHAUSTED from the gRPC library (e.g. a message too large) keeps its message.
  std::ostringstream local;
  ReportError(absl::ResourceExhaustedError("Received message larger than max"), ErrorContext{},
              local);
  EXPECT_THAT(local.str(), HasSubstr("larger than max"));
}

TEST(RoleShortNameTest, Names) {
  EXPECT_EQ(RoleShortName(v1::ROLE_ORG_ADMIN), "ORG_ADMIN");
  EXPECT_EQ(RoleShortName(v1::ROLE_PLATFORM_ADMIN), "PLATFORM_ADMIN");
  EXPECT_EQ(RoleShortName(v1::ROLE_UNSPECIFIED), "");
}

TEST(PrintCaseTableTest, OrganizationMediatorsAndCourt) {
  v1::Case c;
  c.set_name("cases/a");
  c.set_organization("organizations/dev-org");
  c.add_mediators("principals/m1");
  c.add_mediators("principals/m2");
  v1::CourtDiversion* d = c.mutable_source()->mutable_court_diversion();
  d->set_court("courts/zhuji");
  d->set_court_display_name("诸暨市人民法院");
  d->set_diversion_date("2026-01-05");
  std::ostringstream out;
  PrintCaseTable(c, out);
  EXPECT_THAT(out.str(), AllOf(HasSubstr("Organization:   organizations/dev-org\n"),
                               HasSubstr("Mediators:      principals/m1, principals/m2\n"),
                               HasSubstr("Source:         court diversion, 2026-01-05\n"),
                               HasSubstr("Court:          courts/zhuji (诸暨市人民法院)\n")));
}

TEST(PrintCaseTableTest, LanguageAndAssignments) {
  v1::Case c;
  c.set_name("cases/a");
  c.set_language("zh-wuu");
  v1::MediatorAssignment* first = c.add_mediator_assignments();
  first->set_mediator("organizations/o/mediators/wang");
  first->set_state(v1::MediatorAssignment::STATE_DECLINED);
  first->set_method(v1::MediatorAssignment::METHOD_ORGANIZATION);
  first->set_reason("出差两周");
  v1::MediatorAssignment* second = c.add_mediator_assignments();
  second->set_mediator("organizations/o/mediators/li");
  second->set_state(v1::MediatorAssignment::STATE_PROPOSED);
  second->set_method(v1::MediatorAssignment::METHOD_AUTOMATIC);
  std::ostringstream out;
  PrintCaseTable(c, out);
  EXPECT_THAT(out.str(),
              AllOf(HasSubstr("Language:       zh-wuu\n"),
                    HasSubstr("Assignments:    MEDIATOR                        STATE     METHOD"
                              "        REASON\n"
                              "                organizations/o/mediators/wang  DECLINED  "
                              "ORGANIZATION  出差两周\n"
                              "                organizations/o/mediators/li    PROPOSED  "
                              "AUTOMATIC\n")));
  // The keys keep their width (Amount (yuan) is the longest).
  EXPECT_THAT(out.str(), HasSubstr("Amount (yuan):  0.00\n"));
}

TEST(PrintRecommendationTableTest, RankMediatorScoreReasons) {
  v1::RecommendMediatorsResponse r;
  v1::MediatorRecommendation* a = r.add_recommendations();
  a->set_mediator("organizations/o/mediators/wang");
  a->set_display_name("王调解员");
  a->set_score(0.9126);
  a->add_reasons("specialty: medical");
  a->add_reasons("same county");
  v1::MediatorRecommendation* b = r.add_recommendations();
  b->set_mediator("organizations/o/mediators/li");
  b->set_score(0.25);
  std::ostringstream out;
  PrintRecommendationTable(r, out);
  EXPECT_EQ(out.str(),
            "RANK  MEDIATOR                                   SCORE  REASONS\n"
            "   1  organizations/o/mediators/wang (王调解员)  0.913  specialty: medical; same "
            "county\n"
            "   2  organizations/o/mediators/li               0.250\n");
  std::ostringstream none;
  PrintRecommendationTable(v1::RecommendMediatorsResponse(), none);
  EXPECT_THAT(none.str(), HasSubstr("No mediator is available"));
}

TEST(PrintMediatorTableTest, ShowsLoadButNoPersonalNumbers) {
  v1::Mediator m;
  m.set_name("organizations/o/mediators/wang");
  m.set_display_name("王调解员");
  m.add_specialties(v1::DISPUTE_TYPE_MEDICAL);
  m.add_specialties(v1::DISPUTE_TYPE_LABOUR);
  m.add_languages("zh");
  m.add_languages("zh-wuu");
  m.set_state(v1::Mediator::STATE_ACTIVE);
  m.set_employment(v1::Mediator::EMPLOYMENT_PART_TIME);
  m.set_fee_fen(30000);
  m.set_active_cases(2);
  m.set_max_concurrent_cases(10);
  m.mutable_private_details()->set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  m.mutable_private_details()->set_id_number(testing::kIdWang);
  m.mutable_private_details()->set_phone("13600000006");
  m.mutable_private_details()->add_related_id_numbers(testing::kIdLi);
  std::ostringstream out;
  PrintMediatorTable(m, out);
  EXPECT_THAT(out.str(),
              AllOf(HasSubstr("MEDICAL, LABOUR"), HasSubstr("zh, zh-wuu"), HasSubstr("ACTIVE"),
                    HasSubstr("PART_TIME"), HasSubstr("300.00"), HasSubstr("2 of 10 cases"),
                    HasSubstr("RESIDENT_ID_CARD"), HasSubstr("1 related ID number)")));
  EXPECT_THAT(out.str(), AllOf(Not(HasSubstr(testing::kIdWang)), Not(HasSubstr("13600000006")),
                               Not(HasSubstr(testing::kIdLi))));

  v1::ListMediatorsResponse list;
  *list.add_mediators() = m;
  list.set_next_page_token("tok");
  std::ostringstream table;
  PrintMediatorListTable(list, table);
  EXPECT_THAT(table.str(), AllOf(HasSubstr("LOAD"), HasSubstr("2/10"), HasSubstr("300.00"),
                                 HasSubstr("MEDICAL,LABOUR"), HasSubstr("zh,zh-wuu"),
                                 HasSubstr("--page-token tok")));
}

}  // namespace
}  // namespace odr::cli

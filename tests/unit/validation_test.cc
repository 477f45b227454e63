#include "server/domain/validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 11, 29, 12, 0, 0), absl::FixedTimeZone(8 * 3600));

std::vector<std::string> Fields(const CaseData& c) {
  Violations v;
  ValidateCaseData(c, kNow, "case", &v);
  std::vector<std::string> out;
  for (const auto& f : v.list()) out.push_back(f.field);
  return out;
}

TEST(Utf8Test, AcceptsChineseRejectsMalformed) {
  EXPECT_TRUE(IsValidUtf8("张三 Zhang"));
  EXPECT_TRUE(IsValidUtf8("😀"));
  EXPECT_EQ(Utf8Length("张三"), 2u);
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe5\xbc"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
}

TEST(CheckTextTest, Limits) {
  EXPECT_EQ(CheckText("", 1, 10, false), "is required");
  EXPECT_EQ(CheckText("   ", 1, 10, false), "must not be blank");
  EXPECT_EQ(CheckText("\xe3\x80\x80", 1, 10, false), "must not be blank");  // ideographic space
  EXPECT_EQ(CheckText("张三", 1, 2, false), "");
  EXPECT_THAT(CheckText("张三丰", 1, 2, false), ::testing::HasSubstr("at most 2"));
  EXPECT_EQ(CheckText("a\x01", 1, 10, false),
            "must not contain control or text-direction characters");
  EXPECT_EQ(CheckText("line1\nline2", 1, 20, true), "");
  EXPECT_EQ(CheckText("line1\nline2", 1, 20, false),
            "must not contain control or text-direction characters");
  EXPECT_EQ(CheckText("\xff", 1, 10, false), "is not valid UTF-8");
  EXPECT_EQ(CheckText("", 0, 10, false), "");
}

TEST(CheckTextTest, InvisibleAndDirectionCharacters) {
  // Zero-width characters alone are a blank name.
  EXPECT_EQ(CheckText("\u200b\u200b", 1, 10, false), "must not be blank");
  EXPECT_EQ(CheckText("\u2060", 1, 10, false), "must not be blank");
  // Bidirectional overrides and isolates, C1 controls and the BOM are refused.
  for (const char* bad : {"abc\u202e", "\u2066x", "x\u200fy", "a\u009b31m", "\ufeffname"}) {
    EXPECT_EQ(CheckText(bad, 1, 10, false), "must not contain control or text-direction characters")
        << bad;
  }
  // Emoji sequences with a zero-width joiner are fine inside text.
  EXPECT_EQ(CheckText("张三 \U0001F468\u200D\U0001F469", 1, 20, false), "");
}

TEST(ControlOrBidiTest, ControlsBidiFormattingAndTheBomButNothingElse) {
  // C0 (tab, CR and LF included), DEL, C1, the bidirectional marks, embeddings, overrides and
  // isolates, and the byte-order mark.
  for (int32_t cp : {0x00,   0x07,   0x09,   0x0A,   0x0D,   0x1B,   0x1F,   0x7F,   0x80,
                     0x85,   0x9B,   0x9F,   0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C,
                     0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF}) {
    EXPECT_TRUE(IsControlOrBidiCodePoint(cp)) << std::hex << cp;
  }
  // Printable ASCII and Latin-1, CJK, emoji, and the zero-width joiner of emoji sequences.
  for (int32_t cp : {0x20, 0x41, 0x5C, 0x7E, 0xA0, 0xE9, 0x200D, 0x2029, 0x4E09, 0x1F600}) {
    EXPECT_FALSE(IsControlOrBidiCodePoint(cp)) << std::hex << cp;
  }
  EXPECT_FALSE(IsControlOrBidiCodePoint(-1));
}

TEST(ControlOrBidiTest, DecodeUtf8CodePointAdvancesPastEachCharacterOrBadByte) {
  const std::string s = "a\xe5\xbc\xa0\xff\u202e\U0001F600";  // a, 张, a bad byte, U+202E, 😀
  std::vector<int32_t> got;
  std::vector<size_t> ends;
  for (size_t i = 0; i < s.size();) {
    got.push_back(DecodeUtf8CodePoint(s, &i));
    ends.push_back(i);
  }
  EXPECT_THAT(got, ElementsAre('a', 0x5F20, -1, 0x202E, 0x1F600));
  EXPECT_THAT(ends, ElementsAre(1u, 4u, 5u, 8u, 12u));
  // A truncated sequence: each of its bytes is bad on its own.
  const std::string truncated = "\xe5\xbc";
  size_t i = 0;
  EXPECT_EQ(DecodeUtf8CodePoint(truncated, &i), -1);
  EXPECT_EQ(i, 1u);
  EXPECT_EQ(DecodeUtf8CodePoint(truncated, &i), -1);
  EXPECT_EQ(i, 2u);
}

TEST(CheckPhoneTest, Formats) {
  EXPECT_EQ(CheckPhone("13800138000"), "");
  EXPECT_EQ(CheckPhone("138 0013 8000"), "");
  EXPECT_EQ(CheckPhone("0575-87000000"), "");
  EXPECT_EQ(CheckPhone("+86 139 0000 0000"), "");
  EXPECT_NE(CheckPhone(""), "");
  EXPECT_NE(CheckPhone("12800138000"), "");   // no 12x mobiles
  EXPECT_NE(CheckPhone("1380013800"), "");    // 10 digits
  EXPECT_NE(CheckPhone("138001380001"), "");  // 12 digits
  EXPECT_NE(CheckPhone("phone"), "");
  EXPECT_NE(CheckPhone("+86"), "");
  EXPECT_NE(CheckPhone("1380013800a"), "");
}

TEST(CheckIdNumberTest, ResidentIdCheckDigit) {
  EXPECT_EQ(CheckIdNumber(IdDocumentType::kResidentIdCard, odr::testing::kIdZhang), "");
  EXPECT_EQ(CheckIdNumber(IdDocumentType::kResidentIdCard, odr::testing::kIdLi), "");
  EXPECT_THAT(CheckIdNumber(IdDocumentType::kResidentIdCard, "110101199003074515"),
              ::testing::HasSubstr("check digit"));
  EXPECT_NE(CheckIdNumber(IdDocumentType::kResidentIdCard, "11010119900307451"), "");
  EXPECT_NE(CheckIdNumber(IdDocumentType::kResidentIdCard, "11010119900307451A"), "");
  EXPECT_NE(CheckIdNumber(IdDocumentType::kResidentIdCard, ""), "");
}

TEST(CheckIdNumberTest, OtherDocuments) {
  EXPECT_EQ(CheckIdNumber(IdDocumentType::kUnifiedSocialCreditCode, odr::testing::kUsccHospital),
            "");
  EXPECT_THAT(CheckIdNumber(IdDocumentType::kUnifiedSocialCreditCode, "12330681470000000F"),
              ::testing::HasSubstr("check character"));
  EXPECT_NE(CheckIdNumber(IdDocumentType::kUnifiedSocialCreditCode, "12330681470000000I"), "");
  EXPECT_EQ(CheckIdNumber(IdDocumentType::kPassport, "E12345678"), "");
  EXPECT_NE(CheckIdNumber(IdDocumentType::kPassport, "E1-23"), "");
  EXPECT_EQ(CheckIdNumber(IdDocumentType::kHkMacaoTaiwanPermit, "H12345678"), "");
  EXPECT_EQ(CheckIdNumber(IdDocumentType::kForeignPermanentResidentId, "USA330681900101"), "");
}

TEST(CheckRegionCodeTest, Codes) {
  EXPECT_EQ(CheckRegionCode("330681"), "");
  EXPECT_EQ(CheckRegionCode("110101"), "");
  EXPECT_NE(CheckRegionCode("33068"), "");
  EXPECT_NE(CheckRegionCode("000000"), "");
  EXPECT_NE(CheckRegionCode("99abcd"), "");
}

TEST(CheckDiversionDateTest, Dates) {
  EXPECT_EQ(CheckDiversionDate("2026-11-29", kNow), "");
  EXPECT_EQ(CheckDiversionDate("2026-02-28", kNow), "");
  EXPECT_EQ(CheckDiversionDate("2026-11-30", kNow), "must not be in the future");
  EXPECT_EQ(CheckDiversionDate("2026-02-30", kNow), "is not a real calendar date");
  EXPECT_EQ(CheckDiversionDate("2026/01/01", kNow), "must be a date YYYY-MM-DD");
  EXPECT_EQ(CheckDiversionDate("2026-1-01x", kNow), "must be a date YYYY-MM-DD");
}

TEST(CheckRequestIdTest, Alphabet) {
  EXPECT_EQ(CheckRequestId(""), "");
  EXPECT_EQ(CheckRequestId("0b9e2c4a-6f7d-4a51-9d0e-3c2b1a0f9e8d"), "");
  EXPECT_NE(CheckRequestId("has space"), "");
  EXPECT_NE(CheckRequestId(std::string(65, 'a')), "");
}

TEST(ValidateCaseDataTest, ValidCasePasses) {
  EXPECT_THAT(Fields(odr::testing::MedicalCase()), IsEmpty());
}

TEST(ValidateCaseDataTest, NamesEveryBadField) {
  CaseData c = odr::testing::MedicalCase();
  c.applicants[0].name = "";
  c.applicants[0].phone = "123";
  c.respondents[0].agents[0].id_number = "110101199003074515";
  c.summary = std::string(5001, 'x');
  c.amount_fen = -1;
  c.region_code = "12";
  EXPECT_THAT(Fields(c), ElementsAre("case.applicants[0].name", "case.applicants[0].phone",
                                     "case.respondents[0].agents[0].id_number", "case.summary",
                                     "case.amount_fen", "case.region_code"));
}

TEST(ValidateCaseDataTest, PartiesRequiredAndBounded) {
  CaseData c = odr::testing::MedicalCase();
  c.applicants.clear();
  c.respondents.assign(21, odr::testing::Applicant());
  EXPECT_THAT(Fields(c), ElementsAre("case.applicants", "case.respondents"));
  c = odr::testing::MedicalCase();
  c.respondents[0].agents.assign(6, c.respondents[0].agents[0]);
  EXPECT_THAT(Fields(c), ElementsAre("case.respondents[0].agents"));
}

TEST(ValidateCaseDataTest, CourtDiversion) {
  CaseData c = odr::testing::MedicalCase();
  c.court_diversion =
      CourtDiversion{"zhuji-court", "(2026)浙0681诉前调1234号", "2026-11-01", "诸暨市人民法院"};
  EXPECT_THAT(Fields(c), IsEmpty());
  c.court_diversion = CourtDiversion{"", "ref", "2027-01-01", ""};
  EXPECT_THAT(Fields(c), ElementsAre("case.source.court_diversion.court",
                                     "case.source.court_diversion.diversion_date"));
}

// CPL Interpretation Arts. 3-4: a person's household registration or habitual residence, an
// organization's main office or place of registration, each with its supporting material.
TEST(ValidateCaseDataTest, ADeclaredDomicileAndTheSubjectMattersLocation) {
  CaseData c = odr::testing::MedicalCase();
  c.applicants[0].domicile = Domicile{"330681", DomicileBasis::kHabitualResidence, "居住证"};
  c.respondents[0].domicile = Domicile{"330681", DomicileBasis::kRegisteredPlace, "营业执照"};
  c.subject_matter_region_code = "330682";
  EXPECT_THAT(Fields(c), IsEmpty());
  c.applicants[0].domicile = Domicile{"3306", DomicileBasis::kMainOffice, ""};
  c.respondents[0].domicile = Domicile{"330681", DomicileBasis::kHouseholdRegistration, "x"};
  c.subject_matter_region_code = "99";
  EXPECT_THAT(
      Fields(c),
      ElementsAre("case.applicants[0].domicile.region_code", "case.applicants[0].domicile.basis",
                  "case.applicants[0].domicile.material", "case.respondents[0].domicile.basis",
                  "case.subject_matter_region_code"));
}

TEST(ValidateCaseDataTest, AmountUpperBound) {
  CaseData c = odr::testing::MedicalCase();
  c.amount_fen = Limits::kMaxAmountFen;
  EXPECT_THAT(Fields(c), IsEmpty());
  c.amount_fen = Limits::kMaxAmountFen + 1;
  EXPECT_THAT(Fields(c), ElementsAre("case.amount_fen"));
}

TEST(ErrorsTest, ViolationsRoundTripThroughStatus) {
  Violations v;
  v.Add("case.summary", "is required");
  v.Add("case.applicants[0].phone", "must be a phone number");
  absl::Status s = v.ToStatus();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorReason(s), "INVALID_FIELD");
  EXPECT_THAT(ErrorFieldViolations(s),
              ElementsAre(Field(&FieldViolation::field, "case.summary"),
                          Field(&FieldViolation::field, "case.applicants[0].phone")));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("case.summary: is required"));
  EXPECT_THAT(Violations().ToStatus(), IsOk());
}

}  // namespace
}  // namespace odr::domain

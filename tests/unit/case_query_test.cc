#include "server/domain/case_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::domain {
namespace {

using ::testing::HasSubstr;

TEST(ParseCaseFilterTest, EmptyIsNoCondition) {
  auto f = ParseCaseFilter("");
  ASSERT_THAT(f, IsOk());
  EXPECT_TRUE(f->conditions.empty());
  EXPECT_TRUE(ParseCaseFilter("   ")->conditions.empty());
}

TEST(ParseCaseFilterTest, Conjunction) {
  auto f = ParseCaseFilter(
      "state = SUBMITTED AND dispute_type=DISPUTE_TYPE_MEDICAL AND region_code = \"330681\" AND "
      "create_time >= \"2026-01-01T00:00:00Z\" AND state != closed");
  ASSERT_THAT(f, IsOk()) << f.status();
  ASSERT_EQ(f->conditions.size(), 5u);
  EXPECT_EQ(f->conditions[0].field, FilterField::kState);
  EXPECT_EQ(std::get<CaseState>(f->conditions[0].value), CaseState::kSubmitted);
  EXPECT_EQ(std::get<DisputeType>(f->conditions[1].value), DisputeType::kMedical);
  EXPECT_EQ(std::get<std::string>(f->conditions[2].value), "330681");
  EXPECT_EQ(f->conditions[3].op, FilterOp::kGe);
  EXPECT_EQ(std::get<absl::Time>(f->conditions[3].value),
            absl::FromCivil(absl::CivilSecond(2026, 1, 1, 0, 0, 0), absl::UTCTimeZone()));
  EXPECT_EQ(f->conditions[4].op, FilterOp::kNe);
  EXPECT_EQ(std::get<CaseState>(f->conditions[4].value), CaseState::kClosed);
}

void ExpectFilterError(absl::string_view filter, absl::string_view fragment) {
  auto f = ParseCaseFilter(filter);
  ASSERT_FALSE(f.ok()) << filter;
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(ErrorFieldViolations(f.status()).size(), 1u);
  EXPECT_EQ(ErrorFieldViolations(f.status())[0].field, "filter");
  EXPECT_THAT(std::string(f.status().message()), HasSubstr(std::string(fragment))) << filter;
}

TEST(ParseCaseFilterTest, Errors) {
  ExpectFilterError("state = BOGUS", "unknown state 'BOGUS' at position 9");
  ExpectFilterError("colour = red", "unknown field 'colour'");
  ExpectFilterError("state > SUBMITTED", "supports only = and !=");
  ExpectFilterError("state = SUBMITTED OR state = DRAFT", "expected AND");
  ExpectFilterError("state =", "expected a value");
  ExpectFilterError("state SUBMITTED", "expected an operator");
  ExpectFilterError("create_time > \"yesterday\"", "RFC 3339");
  ExpectFilterError("region_code = \"3306", "unterminated string");
  ExpectFilterError("region_code = 33", "6-digit");
  ExpectFilterError("state = SUBMITTED;", "unexpected character ';'");
  ExpectFilterError("state ! SUBMITTED", "'!' must be followed by '='");
  ExpectFilterError(std::string(1001, 'a'), "at most 1000 bytes");
  ExpectFilterError("region_code = \"\xff\"", "not valid UTF-8");
  // Found by the filter fuzzer: "==" was one operator token that no operator matched.
  ExpectFilterError("create_time == \"2026-01-01T00:00:00Z\"", "unknown operator '=='");
  ExpectFilterError("state == SUBMITTED", "unknown operator '=='");
}

TEST(ParseCaseOrderTest, Fields) {
  EXPECT_EQ(ParseCaseOrder("")->field, OrderField::kCreateTime);
  EXPECT_TRUE(ParseCaseOrder("")->descending);
  EXPECT_FALSE(ParseCaseOrder("create_time")->descending);
  EXPECT_TRUE(ParseCaseOrder("update_time desc")->descending);
  EXPECT_EQ(ParseCaseOrder("case_number asc")->field, OrderField::kCaseNumber);
  EXPECT_FALSE(ParseCaseOrder("summary").ok());
  EXPECT_FALSE(ParseCaseOrder("create_time sideways").ok());
  EXPECT_FALSE(ParseCaseOrder("create_time desc extra").ok());
}

TEST(PageSizeTest, Rules) {
  EXPECT_EQ(*EffectivePageSize(0, 50, 500), 50);
  EXPECT_EQ(*EffectivePageSize(7, 50, 500), 7);
  EXPECT_EQ(*EffectivePageSize(100000, 50, 500), 500);
  auto bad = EffectivePageSize(-1, 50, 500);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(ErrorFieldViolations(bad.status())[0].field, "page_size");
}

TEST(PageTokenTest, RoundTripAndBinding) {
  CaseCursor c{"1764400000000000", "abc123"};
  std::string token = EncodePageToken("state = DRAFT\n", c);
  auto back = DecodePageToken(token, "state = DRAFT\n");
  ASSERT_THAT(back, IsOk()) << back.status();
  EXPECT_EQ(*back, c);

  auto other = DecodePageToken(token, "state = SUBMITTED\n");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(other.status().message()), HasSubstr("different query"));

  for (absl::string_view junk : {"", "!!!", "bm90IGEgdG9rZW4", "MQphYmMKeAp5"}) {
    auto r = DecodePageToken(junk, "state = DRAFT\n");
    EXPECT_FALSE(r.ok()) << junk;
  }
  EXPECT_FALSE(DecodePageToken(std::string(600, 'A'), "").ok());
}

}  // namespace
}  // namespace odr::domain

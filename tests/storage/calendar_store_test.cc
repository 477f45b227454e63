// The calendar store: years as loaded, validation before anything is written, replace on demand.
#include "storage/calendar_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;

namespace odr::storage {
namespace {

using ::testing::ElementsAre;

class CalendarStoreTest : public ::testing::Test {
 protected:
  CalendarStoreTest() {
    Database::Options o;
    o.path = dir_.file("odr.db");
    o.readers = 1;
    db_ = std::move(*Database::Open(o));
    store_ = std::make_unique<CalendarStore>(db_.get());
  }
  odr::testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<CalendarStore> store_;
};

TEST_F(CalendarStoreTest, LoadedYearsCountAfterAReopen) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  ASSERT_TRUE(store_
                  ->SaveYear(R"({"year": 2031, "holidays": ["2031-01-22", "2031-01-23"],
                                 "working_weekends": ["2031-01-19"]})",
                             false, now)
                  .ok());
  ASSERT_THAT(store_->SaveYear(R"({"year": 2030, "holidays": []})", false, now), IsOk());
  EXPECT_THAT(*store_->Years(), ElementsAre(2030, 2031));
  auto calendar = store_->Load();
  ASSERT_THAT(calendar, IsOk()) << calendar.status();
  EXPECT_TRUE(*calendar->IsWorkingDay(absl::CivilDay(2031, 1, 19)));   // adjusted Sunday
  EXPECT_FALSE(*calendar->IsWorkingDay(absl::CivilDay(2031, 1, 22)));  // holiday Wednesday
  EXPECT_EQ(*calendar->AddWorkingDays(absl::CivilDay(2030, 12, 31), 1), absl::CivilDay(2031, 1, 1));
  EXPECT_EQ(calendar->IsWorkingDay(absl::CivilDay(2032, 1, 5)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(CalendarStoreTest, BadOrRepeatedYearsWriteNothing) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  auto bad = store_->SaveYear(R"({"year": 2031, "working_weekends": ["2031-01-20"]})", false, now);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(ErrorFieldViolations(bad.status()).size(), 1u);
  EXPECT_EQ(ErrorFieldViolations(bad.status())[0].field, "working_weekends[0]");
  EXPECT_TRUE(store_->Years()->empty());

  ASSERT_THAT(store_->SaveYear(R"({"year": 2031, "holidays": ["2031-05-01"]})", false, now),
              IsOk());
  EXPECT_EQ(store_->SaveYear(R"({"year": 2031, "holidays": []})", false, now).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(*store_->Load()->IsWorkingDay(absl::CivilDay(2031, 5, 1)));
  ASSERT_THAT(store_->SaveYear(R"({"year": 2031, "holidays": []})", true, now), IsOk());
  EXPECT_TRUE(*store_->Load()->IsWorkingDay(absl::CivilDay(2031, 5, 1)));
}

}  // namespace
}  // namespace odr::storage

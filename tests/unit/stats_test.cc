// The statistics rules (server/domain/stats.h): days in China time, months of a period, what a
// tally counts, rates and nearest-rank percentiles, scopes, and who may see which scope.
#include "server/domain/stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/authorization.h"
#include "server/domain/statutory_clock.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::domain {
namespace {

using ::testing::ElementsAre;

TEST(StatsTest, DaysAreCountedInChinaTime) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  // 2026-01-31 16:30 UTC is 2026-02-01 00:30 in China.
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 1, 31, 16, 30, 0), utc);
  EXPECT_EQ(StatDay(t), *StatDayOf("2026-02-01"));
  EXPECT_EQ(StatDate(*StatDayOf("2026-10-31")), "2026-10-31");
  EXPECT_EQ(*StatDayOf("1970-01-02"), 1);
  EXPECT_FALSE(StatDayOf("2026-02-30"));
  EXPECT_FALSE(StatDayOf("2026-2-3"));
  EXPECT_FALSE(StatDayOf(""));
}

TEST(StatsTest, MonthsOfAPeriodAreClipped) {
  const auto months = MonthsOf(*StatDayOf("2026-01-15"), *StatDayOf("2026-03-02"));
  ASSERT_EQ(months.size(), 3u);
  EXPECT_EQ(months[0].label, "2026-01");
  EXPECT_EQ(months[0].first_day, *StatDayOf("2026-01-15"));
  EXPECT_EQ(months[0].last_day, *StatDayOf("2026-01-31"));
  EXPECT_EQ(months[1].first_day, *StatDayOf("2026-02-01"));
  EXPECT_EQ(months[1].last_day, *StatDayOf("2026-02-28"));
  EXPECT_EQ(months[2].last_day, *StatDayOf("2026-03-02"));
  EXPECT_THAT(MonthsOf(10, 9), ::testing::IsEmpty());
  EXPECT_EQ(MonthsOf(*StatDayOf("2025-12-31"), *StatDayOf("2026-01-01")).size(), 2u);
}

TEST(StatsTest, ATallyCountsOnlyThePeriodAndDerivesRates) {
  const int64_t start = *StatDayOf("2026-03-01");
  StatsTally t(start, *StatDayOf("2026-04-30"));
  t.Add(StatMetric::kPresented, start - 1);  // before the period
  t.Add(StatMetric::kPresented, start, 4);
  t.Add(StatMetric::kDiverted, start + 40, 3);  // April
  t.Add(StatMetric::kDiverted, std::nullopt);   // never diverted
  t.Add(StatMetric::kSettled, start);
  t.Add(StatMetric::kFailed, start + 31);
  t.Add(StatMetric::kWithdrawn, start + 31);
  t.Add(StatMetric::kExpired, start + 61);  // after the period
  for (int d : {2, 5, 9, 30}) t.AddResolution(start + 31, d);
  t.AddResolution(start + 100, 1);  // ended after the period
  const StatsFigures all = t.Total();
  EXPECT_EQ(all.count(StatMetric::kPresented), 4);
  EXPECT_EQ(all.count(StatMetric::kDiverted), 3);
  EXPECT_DOUBLE_EQ(all.guidance_rate, 0.75);
  EXPECT_DOUBLE_EQ(all.success_rate, 1.0 / 3);
  EXPECT_EQ(all.count(StatMetric::kExpired), 0);
  EXPECT_EQ(all.median_days, 5);
  EXPECT_EQ(all.p90_days, 30);
  ASSERT_EQ(t.months().size(), 2u);
  EXPECT_EQ(t.Month(0).count(StatMetric::kPresented), 4);
  EXPECT_EQ(t.Month(0).count(StatMetric::kDiverted), 0);
  EXPECT_DOUBLE_EQ(t.Month(0).guidance_rate, 0);
  EXPECT_EQ(t.Month(1).count(StatMetric::kDiverted), 3);
  EXPECT_EQ(t.Month(1).median_days, 5);
  EXPECT_EQ(t.Month(0).median_days, 0);  // nothing ended in March
}

TEST(StatsTest, PercentilesAreNearestRank) {
  EXPECT_EQ(HistogramPercentile({}, 0.5), 0);
  EXPECT_EQ(HistogramPercentile({0, 1}, 0.5), 1);
  EXPECT_EQ(HistogramPercentile({1, 1, 1, 1}, 0.5), 1);  // rank 2 of 0,1,2,3
  EXPECT_EQ(HistogramPercentile({1, 1, 1, 1}, 0.9), 3);
  EXPECT_EQ(HistogramPercentile({10}, 0.9), 0);
}

TEST(StatsTest, ScopesParseAndRoundTrip) {
  EXPECT_EQ(ParseStatsScope("", "scope")->kind, StatsScope::Kind::kPlatform);
  EXPECT_EQ(ParseStatsScope("courts/zhuji", "scope")->court_id, "zhuji");
  auto m = ParseStatsScope("organizations/org1/mediators/m1", "scope");
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->kind, StatsScope::Kind::kMediator);
  EXPECT_EQ(m->Name(), "organizations/org1/mediators/m1");
  EXPECT_EQ(ParseStatsScope("organizations/org1", "scope")->Name(), "organizations/org1");
  for (const char* bad : {"cases/x", "courts/", "courts/A B", "organizations/o/pools/p",
                          "organizations/o/mediators", "courts/x/y"}) {
    EXPECT_FALSE(ParseStatsScope(bad, "scope").ok()) << bad;
  }
}

TEST(StatsTest, WhoMaySeeWhichScope) {
  Principal admin{.id = "a", .role = Role::kOrgAdmin, .organization_id = "org1"};
  Principal mediator{.id = "med", .role = Role::kMediator, .organization_id = "org1"};
  Principal court{.id = "c", .role = Role::kCourt, .court_id = "zhuji"};
  Principal platform{.id = "p", .role = Role::kPlatformAdmin};
  Principal citizen{.id = "z", .role = Role::kCitizen};
  const StatsScope all;
  const StatsScope org = *ParseStatsScope("organizations/org1", "s");
  const StatsScope med = *ParseStatsScope("organizations/org1/mediators/m1", "s");
  const StatsScope zhuji = *ParseStatsScope("courts/zhuji", "s");
  EXPECT_THAT(AuthorizeStats(platform, all, ""), IsOk());
  EXPECT_THAT(AuthorizeStats(admin, org, ""), IsOk());
  EXPECT_THAT(AuthorizeStats(admin, med, ""), IsOk());
  EXPECT_FALSE(AuthorizeStats(admin, all, "").ok());
  EXPECT_FALSE(AuthorizeStats(admin, *ParseStatsScope("organizations/org2", "s"), "").ok());
  EXPECT_THAT(AuthorizeStats(mediator, med, "med"), IsOk());
  EXPECT_FALSE(AuthorizeStats(mediator, med, "someone-else").ok());
  EXPECT_FALSE(AuthorizeStats(mediator, org, "med").ok());
  EXPECT_THAT(AuthorizeStats(court, zhuji, ""), IsOk());
  EXPECT_FALSE(AuthorizeStats(court, all, "").ok());
  EXPECT_FALSE(AuthorizeStats(citizen, all, "").ok());
  platform.disabled = true;
  EXPECT_FALSE(AuthorizeStats(platform, all, "").ok());
}

TEST(StatsTest, BreachesAreDutiesNotOpportunities) {
  EXPECT_TRUE(IsBreach(DeadlineKind::kMediationPeriod));
  EXPECT_TRUE(IsBreach(DeadlineKind::kInstalmentDue));
  EXPECT_TRUE(IsBreach(DeadlineKind::kConfirmationRuling));
  EXPECT_FALSE(IsBreach(DeadlineKind::kConfirmationApplication));
  EXPECT_FALSE(IsBreach(DeadlineKind::kAppointmentReminder));
}

}  // namespace
}  // namespace odr::domain

// `odr stats` output: thousands grouping, the table's rows, and the SVG chart of monthly trends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "client/stats_commands.h"

namespace odr::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::Statistics ThreeMonths() {
  v1::Statistics s;
  s.set_start_date("2026-01-01");
  s.set_end_date("2026-03-31");
  s.mutable_totals()->set_presented(13560);
  s.mutable_totals()->set_diverted(11591);
  s.mutable_totals()->set_guidance_rate(11591.0 / 13560);
  int i = 0;
  for (const char* month : {"2026-01", "2026-02", "2026-03"}) {
    v1::MonthlyFigures* m = s.add_months();
    m->set_month(month);
    m->mutable_figures()->set_diverted(100 * ++i);
    m->mutable_figures()->set_mediated_successfully(30 * i);
  }
  return s;
}

TEST(StatsOutputTest, ThousandsAreGrouped) {
  EXPECT_EQ(GroupThousands(0), "0");
  EXPECT_EQ(GroupThousands(999), "999");
  EXPECT_EQ(GroupThousands(13560), "13,560");
  EXPECT_EQ(GroupThousands(1000000), "1,000,000");
  EXPECT_EQ(GroupThousands(-2948), "-2,948");
}

TEST(StatsOutputTest, TheTableHasTheTotalsAndAMonthARow) {
  std::ostringstream out;
  PrintStatisticsTable(ThreeMonths(), out);
  EXPECT_THAT(out.str(), HasSubstr("Presented at court intake:  13,560\n"));
  EXPECT_THAT(out.str(), HasSubstr("Guidance rate:              85.48%\n"));
  EXPECT_THAT(out.str(), HasSubstr("(platform)"));
  EXPECT_THAT(out.str(), HasSubstr("2026-02"));
}

TEST(StatsOutputTest, TheChartHasALineASeriesAndEveryMonth) {
  v1::Statistics s = ThreeMonths();
  s.set_scope("organizations/<script>");
  const std::string svg = RenderStatisticsChart(s);
  EXPECT_THAT(svg, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(svg, HasSubstr("</svg>"));
  for (const char* m : {">2026-01<", ">2026-02<", ">2026-03<"}) EXPECT_THAT(svg, HasSubstr(m));
  EXPECT_THAT(svg, HasSubstr("Mediated successfully"));
  EXPECT_THAT(svg, Not(HasSubstr("<script>")));
  EXPECT_THAT(svg, HasSubstr("&lt;script&gt;"));
  // The axis tops out at a round number above the largest value (300): 500.
  EXPECT_THAT(svg, HasSubstr(">500<"));
  // An empty period still draws a valid document.
  v1::Statistics empty;
  EXPECT_THAT(RenderStatisticsChart(empty), HasSubstr("</svg>"));
}

}  // namespace
}  // namespace odr::cli

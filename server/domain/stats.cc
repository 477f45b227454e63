#include "server/domain/stats.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "server/domain/errors.h"
#include "server/domain/validation.h"

namespace odr::domain {
namespace {

const absl::TimeZone& China() {
  static const absl::TimeZone* tz = new absl::TimeZone(absl::FixedTimeZone(8 * 3600));
  return *tz;
}

absl::CivilDay DayToCivil(int64_t day) { return absl::CivilDay(1970, 1, 1) + day; }

// The longest resolution a histogram keeps apart; longer ones count as this many days.
constexpr int64_t kMaxResolutionDays = 3660;

}  // namespace

int64_t StatDay(absl::Time t) { return absl::ToCivilDay(t, China()) - absl::CivilDay(1970, 1, 1); }

std::optional<int64_t> StatDayOf(absl::string_view date) {
  absl::CivilDay d;
  if (date.size() != 10 || !absl::ParseCivilTime(date, &d)) return std::nullopt;
  if (absl::FormatCivilTime(d) != date) return std::nullopt;
  return d - absl::CivilDay(1970, 1, 1);
}

std::string StatDate(int64_t day) { return absl::FormatCivilTime(DayToCivil(day)); }

StatMetric OutcomeMetric(StatOutcome o) {
  switch (o) {
    case StatOutcome::kSettled:
      return StatMetric::kSettled;
    case StatOutcome::kFailed:
      return StatMetric::kFailed;
    case StatOutcome::kWithdrawn:
      return StatMetric::kWithdrawn;
    case StatOutcome::kExpired:
      return StatMetric::kExpired;
  }
  return StatMetric::kFailed;
}

std::optional<StatMetric> EndingMetric(EndingKind k) {
  switch (k) {
    case EndingKind::kReferredForFiling:
      return StatMetric::kReferredForFiling;
    case EndingKind::kTrialResumed:
      return StatMetric::kTrialResumed;
    case EndingKind::kMediationStatement:
    case EndingKind::kSuitWithdrawn:
      return StatMetric::kConcludedByCourt;
    case EndingKind::kOtherRemedies:
      break;
  }
  return std::nullopt;
}

std::string StatsScope::MediatorName() const {
  return absl::StrCat("organizations/", organization_id, "/mediators/", mediator_id);
}

std::string StatsScope::Name() const {
  switch (kind) {
    case Kind::kPlatform:
      return "";
    case Kind::kCourt:
      return absl::StrCat("courts/", court_id);
    case Kind::kOrganization:
      return absl::StrCat("organizations/", organization_id);
    case Kind::kMediator:
      return MediatorName();
  }
  return "";
}

absl::StatusOr<StatsScope> ParseStatsScope(absl::string_view scope, absl::string_view field) {
  StatsScope s;
  if (scope.empty() || scope == "platform") return s;
  const std::vector<absl::string_view> parts = absl::StrSplit(scope, '/');
  const auto bad = [&] {
    return InvalidFieldError(std::string(field),
                             "must be empty (the platform), courts/{court}, "
                             "organizations/{organization} or "
                             "organizations/{organization}/mediators/{mediator}");
  };
  for (absl::string_view p : parts) {
    if (!CheckResourceId(p).empty() && p != "courts" && p != "organizations" && p != "mediators") {
      return bad();
    }
  }
  if (parts.size() == 2 && parts[0] == "courts" && CheckResourceId(parts[1]).empty()) {
    s.kind = StatsScope::Kind::kCourt;
    s.court_id = std::string(parts[1]);
    return s;
  }
  if (parts.size() == 2 && parts[0] == "organizations" && CheckResourceId(parts[1]).empty()) {
    s.kind = StatsScope::Kind::kOrganization;
    s.organization_id = std::string(parts[1]);
    return s;
  }
  if (parts.size() == 4 && parts[0] == "organizations" && parts[2] == "mediators" &&
      CheckResourceId(parts[1]).empty() && CheckResourceId(parts[3]).empty()) {
    s.kind = StatsScope::Kind::kMediator;
    s.organization_id = std::string(parts[1]);
    s.mediator_id = std::string(parts[3]);
    return s;
  }
  return bad();
}

std::vector<StatsMonth> MonthsOf(int64_t start_day, int64_t end_day) {
  std::vector<StatsMonth> out;
  if (end_day < start_day) return out;
  absl::CivilMonth m(DayToCivil(start_day));
  const absl::CivilMonth last(DayToCivil(end_day));
  for (; m <= last; ++m) {
    StatsMonth s;
    s.label = absl::StrFormat("%04d-%02d", m.year(), m.month());
    s.first_day = std::max(start_day, absl::CivilDay(m) - absl::CivilDay(1970, 1, 1));
    s.last_day = std::min(end_day, absl::CivilDay(m + 1) - absl::CivilDay(1970, 1, 1) - 1);
    out.push_back(std::move(s));
  }
  return out;
}

StatsTally::StatsTally(int64_t start_day, int64_t end_day)
    : start_day_(start_day), end_day_(end_day), months_(MonthsOf(start_day, end_day)) {
  if (end_day >= start_day) month_of_day_.resize(end_day - start_day + 1);
  for (size_t i = 0; i < months_.size(); ++i) {
    for (int64_t d = months_[i].first_day; d <= months_[i].last_day; ++d) {
      month_of_day_[d - start_day_] = static_cast<int>(i);
    }
  }
  by_month_.resize(months_.size());
}

int StatsTally::MonthIndex(int64_t day) const {
  if (day < start_day_ || day > end_day_) return -1;
  return month_of_day_[day - start_day_];
}

void StatsTally::Add(StatMetric metric, std::optional<int64_t> day, int64_t n) {
  if (!day) return;
  const int i = MonthIndex(*day);
  if (i < 0) return;
  total_.counts[static_cast<int>(metric)] += n;
  by_month_[i].counts[static_cast<int>(metric)] += n;
}

void StatsTally::AddTo(Bucket& b, int64_t days) {
  if (b.resolution.size() <= static_cast<size_t>(days)) b.resolution.resize(days + 1);
  ++b.resolution[days];
}

void StatsTally::AddResolution(std::optional<int64_t> day, int64_t days) {
  if (!day) return;
  const int i = MonthIndex(*day);
  if (i < 0) return;
  days = std::clamp<int64_t>(days, 0, kMaxResolutionDays);
  AddTo(total_, days);
  AddTo(by_month_[i], days);
}

double HistogramPercentile(const std::vector<int64_t>& histogram, double q) {
  int64_t n = 0;
  for (int64_t c : histogram) n += c;
  if (n == 0) return 0;
  const int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * n)));
  int64_t seen = 0;
  for (size_t d = 0; d < histogram.size(); ++d) {
    seen += histogram[d];
    if (seen >= rank) return static_cast<double>(d);
  }
  return static_cast<double>(histogram.size() - 1);
}

StatsFigures StatsTally::Derive(const Bucket& b) {
  StatsFigures f;
  std::copy(std::begin(b.counts), std::end(b.counts), std::begin(f.counts));
  const int64_t presented = f.count(StatMetric::kPresented);
  if (presented > 0) {
    f.guidance_rate = static_cast<double>(f.count(StatMetric::kDiverted)) / presented;
  }
  const int64_t ended = f.count(StatMetric::kSettled) + f.count(StatMetric::kFailed) +
                        f.count(StatMetric::kWithdrawn) + f.count(StatMetric::kExpired);
  if (ended > 0) f.success_rate = static_cast<double>(f.count(StatMetric::kSettled)) / ended;
  f.median_days = HistogramPercentile(b.resolution, 0.5);
  f.p90_days = HistogramPercentile(b.resolution, 0.9);
  return f;
}

}  // namespace odr::domain

// Statistics: the one place that says what each reported figure counts, on which day, and how the
// rates and percentiles are derived from the counts (docs/statistics.md). Storage feeds a
// StatsTally with the dated facts it keeps per case; the service turns the tally into figures.
//
// Pure functions and values; a StatsTally is not safe for concurrent use.
#ifndef ODR_SERVER_DOMAIN_STATS_H_
#define ODR_SERVER_DOMAIN_STATS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/types.h"

namespace odr::domain {

// Days since 1970-01-01 in China time (UTC+8): the day an event counts on.
int64_t StatDay(absl::Time t);
// The day of a YYYY-MM-DD date; nullopt if it is not a valid date.
std::optional<int64_t> StatDayOf(absl::string_view date);
// YYYY-MM-DD of a day.
std::string StatDate(int64_t day);

// How a case ended, as statistics count it (stored as these numbers).
enum class StatOutcome { kSettled = 1, kFailed = 2, kWithdrawn = 3, kExpired = 4 };

// The counted facts, one per kind.
enum class StatMetric {
  kPresented,
  kDiverted,
  kApplications,
  kAccepted,
  kSettled,
  kFailed,
  kWithdrawn,
  kExpired,
  kConfirmationsApplied,
  kConfirmationsConfirmed,
  kConfirmationsRejected,
  kDeadlineBreaches,
  kReferredForFiling,  // pre-filing failures back to the court for filing (OMR Art. 21(二))
  kTrialResumed,       // post-filing failures back for the trial to resume (OMR Art. 21(三))
  kConcludedByCourt,   // settled post-filing suits the court concluded (OMR Art. 20)
};
inline constexpr int kStatMetrics = 15;

// The metric that an outcome counts as.
StatMetric OutcomeMetric(StatOutcome o);

// The metric a case's ending counts as, on the day it was recorded; nullopt for
// kOtherRemedies (a citizen application's failure counts only as failed or expired).
std::optional<StatMetric> EndingMetric(EndingKind k);

// What a report covers: the platform, one court's intake, one organization, or one mediator
// (`organizations/{o}/mediators/{m}`), optionally narrowed to a dispute type and a region.
struct StatsScope {
  enum class Kind { kPlatform, kCourt, kOrganization, kMediator };
  Kind kind = Kind::kPlatform;
  std::string court_id;         // kCourt
  std::string organization_id;  // kOrganization, kMediator
  std::string mediator_id;      // kMediator: the roster id within the organization
  std::string dispute_type;     // storage name ("medical" ...), empty for all
  std::string region_code;      // empty for all

  // "organizations/{o}/mediators/{m}" for kMediator.
  std::string MediatorName() const;
  // The API's scope string: "", "courts/{c}", "organizations/{o}",
  // "organizations/{o}/mediators/{m}".
  std::string Name() const;
};

// Parses the API's scope string (see StatsScope::Name); INVALID_ARGUMENT naming `field`.
absl::StatusOr<StatsScope> ParseStatsScope(absl::string_view scope, absl::string_view field);

struct StatsFigures {
  int64_t counts[kStatMetrics] = {};
  double guidance_rate = 0;
  double success_rate = 0;
  double median_days = 0;
  double p90_days = 0;

  int64_t count(StatMetric m) const { return counts[static_cast<int>(m)]; }
};

// One calendar month of a period (clipped to it).
struct StatsMonth {
  std::string label;  // YYYY-MM
  int64_t first_day = 0;
  int64_t last_day = 0;
};

// The calendar months that [start_day, end_day] touches, in order.
std::vector<StatsMonth> MonthsOf(int64_t start_day, int64_t end_day);

// Counts facts into the period's total and its months. Facts outside the period are ignored.
class StatsTally {
 public:
  StatsTally(int64_t start_day, int64_t end_day);

  // One fact of `metric` on `day`.
  void Add(StatMetric metric, std::optional<int64_t> day, int64_t n = 1);
  // A case that ended on `day` after `days` days (negative is taken as 0).
  void AddResolution(std::optional<int64_t> day, int64_t days);

  const std::vector<StatsMonth>& months() const { return months_; }
  // The figures of the whole period and of month `i`, rates and percentiles derived.
  StatsFigures Total() const { return Derive(total_); }
  StatsFigures Month(size_t i) const { return Derive(by_month_[i]); }

 private:
  struct Bucket {
    int64_t counts[kStatMetrics] = {};
    std::vector<int64_t> resolution;  // how many cases took d days, index d
  };
  static StatsFigures Derive(const Bucket& b);
  int MonthIndex(int64_t day) const;
  void AddTo(Bucket& b, int64_t days);

  int64_t start_day_;
  int64_t end_day_;
  std::vector<StatsMonth> months_;
  std::vector<int> month_of_day_;  // index day - start_day_
  Bucket total_;
  std::vector<Bucket> by_month_;
};

// The nearest-rank percentile `q` (0 < q <= 1) of a histogram (`histogram[d]` values equal to d);
// 0 when it is empty.
double HistogramPercentile(const std::vector<int64_t>& histogram, double q);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_STATS_H_

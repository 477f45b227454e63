// Statistics storage: the narrow per-case rows that reports read (case_stats), the facts that can
// happen more than once to a case (stat_events: confirmation applications and rulings, deadline
// breaches), the disputes courts record at intake without diverting them (court_intakes), and the
// report itself. What each figure means is server/domain/stats.h.
#ifndef ODR_STORAGE_STATS_STORE_H_
#define ODR_STORAGE_STATS_STORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/clock.h"
#include "server/domain/confirmation.h"
#include "server/domain/state_machine.h"
#include "server/domain/stats.h"
#include "server/domain/types.h"
#include "storage/sqlite_db.h"

namespace odr::storage {

// Row-level helpers that the case, agreement and confirmation stores call inside their own
// write transactions, so a case and its statistics change together. Each is as thread-safe as
// the connection `c`.
namespace stats_rows {

// After a case row is inserted or updated: its organization, court, region, dispute type, its
// mediator (the first accepted one while none is recorded), and for a new diverted case the day
// of diversion.
absl::Status WriteCaseFacts(Connection& c, const domain::Case& k, bool insert);

// After case `k` changed by `action` at `time`: the day it was submitted, accepted or ended and
// how. `by_system` is true when odrd itself acted (the mediation period ran out).
absl::Status RecordTransition(Connection& c, const domain::Case& k, domain::CaseAction action,
                              bool by_system, absl::Time time);

// After case `case_id` recorded its ending (procedure.h): referrals for filing or for the trial to
// resume, and the court's conclusions, count on the day of `ending.time`.
absl::Status RecordEnding(Connection& c, absl::string_view case_id,
                          const domain::CaseEnding& ending);

// After a confirmation application was saved: the day it was filed, and the day of the
// decision. Repeated saves record each fact once.
absl::Status RecordConfirmation(Connection& c, const domain::Confirmation& f);

// A statutory deadline of the case passed unmet (appointment reminders are not deadlines).
absl::Status RecordBreach(Connection& c, absl::string_view case_id, absl::string_view deadline_id,
                          absl::Time due, absl::Time time);

// ALREADY_EXISTS (reason INTAKE_REFERENCE_TAKEN) if court `court_id` recorded an intake with
// `reference` (CourtService.RecordIntake): a diversion may not reuse it.
absl::Status CheckIntakeReferenceFree(Connection& c, absl::string_view court_id,
                                      absl::string_view reference);

}  // namespace stats_rows

// A dispute presented at a court's intake window and not diverted.
struct Intake {
  std::string court_id;
  std::string intake_reference;
  std::string id;  // the {intake} of courts/{court}/intakes/{intake}
  std::string presented_date;
  std::string dispute_type;  // storage name
  std::string region_code;
  std::string disposition;  // "filed", "mediation_declined", "advice_only"
  absl::Time create_time;
};

// Reports and intake records. Thread-safe; blocks on SQLite (call from the worker pool).
class StatsStore {
 public:
  // Pointers must outlive the store.
  StatsStore(Database* db, Clock* clock, IdGenerator* ids) : db_(db), clock_(clock), ids_(ids) {}

  // Records `intake` (id and create_time are set here). Idempotent on (court, reference): the
  // same record again returns the first; another record with the reference, or a reference a
  // diverted case of the court already has, is ALREADY_EXISTS (reason INTAKE_REFERENCE_TAKEN).
  absl::StatusOr<Intake> RecordIntake(const Intake& intake);

  // The figures of [start_day, end_day] for `scope`: one pass over the scope's case rows, the
  // intake rows and the repeated facts, in one read transaction.
  absl::StatusOr<domain::StatsTally> Report(int64_t start_day, int64_t end_day,
                                            const domain::StatsScope& scope);

 private:
  Database* db_;
  Clock* clock_;
  IdGenerator* ids_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_STATS_STORE_H_

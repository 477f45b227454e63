// Row-level helpers of the case tables, shared by the stores that write case events or read cases
// inside their own transactions (SqliteCaseStore, ScheduleStore). Internal to storage/; every
// function runs in the caller's transaction on `c` and is as thread-safe as that connection.
#ifndef ODR_STORAGE_CASE_ROWS_H_
#define ODR_STORAGE_CASE_ROWS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/types.h"
#include "storage/sqlite_db.h"

namespace odr::storage::case_rows {

// DATA_LOSS naming the column whose stored value is not recognised.
absl::Status Corrupt(absl::string_view what);

// The case with its parties and assignments; NOT_FOUND (the same as a hidden case) if absent.
absl::StatusOr<domain::Case> LoadCase(Connection& c, absl::string_view id);

// What an event records besides the state change (defaults: a state change everyone sees).
struct EventInfo {
  domain::EventKind kind = domain::EventKind::kStateChange;
  domain::EventAudience audience = domain::EventAudience::kAll;
  std::string subject;  // "appointments/{a}" or "deadlines/{d}" under the case
};

// Appends the next event of case `id` and notes it for the database's event listener.
absl::Status AppendEvent(Connection& c, absl::string_view id, absl::string_view actor,
                         absl::Time time, std::optional<domain::CaseState> from,
                         domain::CaseState to, absl::string_view reason,
                         const EventInfo& info = {});

// Reads an event row selected as: seq, actor, time_us, from_state, to_state, reason, event_id,
// kind, subject, audience (case_id is the caller's).
absl::Status ReadEventColumns(Statement& stmt, domain::CaseEvent* e);

}  // namespace odr::storage::case_rows

#endif  // ODR_STORAGE_CASE_ROWS_H_

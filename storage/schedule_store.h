// Mediators' availability and the appointments of cases, on the embedded SQLite database.
// Double booking is impossible by construction: a booking checks everyone's busy intervals and
// inserts its own inside one write transaction, and SQLite serializes writers.
#ifndef ODR_STORAGE_SCHEDULE_STORE_H_
#define ODR_STORAGE_SCHEDULE_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/clock.h"
#include "server/domain/schedule.h"
#include "server/domain/statutory_clock.h"
#include "server/domain/types.h"
#include "storage/sqlite_db.h"

namespace odr::storage {

// The busy-interval key of a party or agent: "person:" and the HMAC-SHA256 of its identity
// document under the server's secret, so that one person is not double-booked across cases and
// the key can be neither read nor guessed from the database alone (an ID number has too few
// values for a plain hash).
class PersonKeys {
 public:
  explicit PersonKeys(std::string secret) : secret_(std::move(secret)) {}
  std::string Of(domain::IdDocumentType type, absl::string_view number) const;

 private:
  std::string secret_;
};
// The busy-interval key of a mediator: "principal:{id}".
std::string PrincipalKey(absl::string_view principal_id);

// In the caller's write transaction: cancels the scheduled appointments of case `k` that have not
// started by `now` (domain::CancelledOnRelease) — all of them, or with `mediator` set those of
// that mediator (released from the case) — freeing their slots and dropping their reminders, with
// an APPOINTMENT_CANCELLED event each (actor `actor`). Sessions held or under way stay as they are.
absl::Status CancelScheduledAppointments(Connection& c, const domain::Case& k,
                                         std::optional<std::string> mediator,
                                         absl::string_view reason, absl::string_view actor,
                                         absl::Time now);

struct AppointmentPage {
  std::vector<domain::Appointment> appointments;
  std::optional<std::pair<absl::Time, std::string>> next;  // (start, id) of the last returned
};

// All methods are safe for concurrent use and block on SQLite: call them from a worker pool.
// Every write is one transaction; on error nothing is written.
class ScheduleStore {
 public:
  // Checks the case (as stored, in the write transaction) and the appointment before a booking or
  // a reschedule: authorization, participants, the slot inside the mediator's working hours. May
  // fill in the appointment (mediator, audience). `availability` is the mediator's.
  using BookingCheck = std::function<absl::Status(
      const domain::Case&, const domain::Availability& availability, domain::Appointment*)>;
  // Who changes an appointment: the caller's principal id and the partner app it acts through
  // (empty if none), which the case events record. A plain id converts.
  struct Actor {
    Actor(absl::string_view principal_id, absl::string_view via)
        : id(principal_id), acting_through(via) {}
    Actor(const char* principal_id) : id(principal_id) {}         // NOLINT: implicit
    Actor(const std::string& principal_id) : id(principal_id) {}  // NOLINT: implicit
    Actor(absl::string_view principal_id) : id(principal_id) {}   // NOLINT: implicit
    std::string id;
    std::string acting_through;
  };
  // Whether the caller may read an appointment (of `k`, the case it belongs to): decides whether
  // a SLOT_CONFLICT names the conflicting appointment and its times, or only that the person is
  // busy then. Unset: never.
  using MaySee = std::function<bool(const domain::Case& k, const domain::Appointment&)>;
  // Picks the case's mediator for a booking (FAILED_PRECONDITION when there is none), as
  // (organization id, roster id, principal id).
  using MediatorOf = std::function<absl::StatusOr<std::array<std::string, 3>>(const domain::Case&)>;

  // All pointers must outlive the store.
  ScheduleStore(Database* db, Clock* clock, IdGenerator* ids,
                const domain::StatutoryClock* statutory, PersonKeys persons)
      : db_(db), clock_(clock), ids_(ids), statutory_(statutory), persons_(std::move(persons)) {}

  const PersonKeys& persons() const { return persons_; }

  // The mediator's availability (the default, version 0, if never set). NOT_FOUND if the mediator
  // is not on the roster; *principal_id receives the mediator's account.
  absl::StatusOr<domain::Availability> GetAvailability(absl::string_view organization_id,
                                                       absl::string_view mediator_id,
                                                       std::string* principal_id);
  // Replaces it; ABORTED (STALE_ETAG) when `expected_version` is set and differs. `authorize` sees
  // the mediator's principal id before anything is written.
  absl::StatusOr<domain::Availability> SaveAvailability(
      absl::string_view organization_id, absl::string_view mediator_id,
      const domain::Availability& a, std::optional<int64_t> expected_version,
      const std::function<absl::Status(const std::string&)>& authorize);

  // Books `a` (case_id, kind, slot, participants, location; id may be empty) for the case: `check`
  // runs first, then every person's busy intervals are checked (FAILED_PRECONDITION SLOT_CONFLICT
  // naming the first conflict, with its times only if `may_see` it), then the appointment, its
  // busy intervals, its reminders and the APPOINTMENT_BOOKED event are written. With an id that
  // exists: the same appointment if the booking is the same (`fingerprint`), else, once `check`
  // and the conflicts passed, ALREADY_EXISTS. *replayed (if given) says whether the answer is a
  // booking made before (a retry) rather than a new one.
  // `authorize` sees the case before anything else (so that a caller who may not book learns
  // nothing more about it).
  absl::StatusOr<domain::Appointment> Book(
      domain::Appointment a, absl::string_view fingerprint, const Actor& actor,
      const std::function<absl::Status(const domain::Case&)>& authorize,
      const MediatorOf& mediator_of, const BookingCheck& check, const MaySee& may_see,
      domain::Case* seen = nullptr, bool* replayed = nullptr);
  // Sees the case and the appointment (as stored, in the write transaction) before a change.
  using Authorize = std::function<absl::Status(const domain::Case&, const domain::Appointment&)>;

  // The changes below: NOT_FOUND for an unknown appointment, `authorize` first, ABORTED
  // (STALE_ETAG) when `expected_version` is set and differs, FAILED_PRECONDITION
  // (APPOINTMENT_CANCELLED) for a cancelled one. With `seen`, the case as the transaction read it
  // (for rendering the answer without reading it again).

  // Moves a scheduled appointment to `slot` with the same checks (its own old slot does not
  // conflict); reminders move with it.
  absl::StatusOr<domain::Appointment> Reschedule(absl::string_view case_id, absl::string_view id,
                                                 const domain::Interval& slot,
                                                 std::optional<int64_t> expected_version,
                                                 const Actor& actor, const Authorize& authorize,
                                                 const BookingCheck& check, const MaySee& may_see,
                                                 domain::Case* seen = nullptr);
  // Cancels a scheduled appointment: frees its slot, drops its reminders, records the event.
  absl::StatusOr<domain::Appointment> Cancel(absl::string_view case_id, absl::string_view id,
                                             absl::string_view reason,
                                             std::optional<int64_t> expected_version,
                                             const Actor& actor, const Authorize& authorize,
                                             domain::Case* seen = nullptr);
  // Records a participant's attendance (INVALID_ARGUMENT naming `participant` if not one;
  // FAILED_PRECONDITION before the start).
  absl::StatusOr<domain::Appointment> RecordAttendance(
      absl::string_view case_id, absl::string_view id, absl::string_view participant,
      domain::Attendance attendance, const Actor& actor, const Authorize& authorize,
      domain::Case* seen = nullptr);

  // One appointment; NOT_FOUND if absent.
  absl::StatusOr<domain::Appointment> Get(absl::string_view case_id, absl::string_view id);
  // The case's appointments by start time after `after`, at most `limit`.
  absl::StatusOr<AppointmentPage> List(absl::string_view case_id,
                                       std::optional<std::pair<absl::Time, std::string>> after,
                                       int limit);
  // The scheduled appointments of `persons` overlapping [from, to).
  absl::StatusOr<std::vector<domain::Interval>> BusyIntervals(
      const std::vector<std::string>& persons, absl::Time from, absl::Time to);

 private:
  // One write transaction: load, authorize, etag and state checks, `change` (which records its
  // event), then the row, its busy intervals, a new version and update time.
  absl::StatusOr<domain::Appointment> Change(
      absl::string_view case_id, absl::string_view id, std::optional<int64_t> expected_version,
      absl::string_view acting_through, const Authorize& authorize,
      const std::function<absl::Status(Connection&, const domain::Case&, domain::Appointment&,
                                       absl::Time)>& change,
      domain::Case* seen);

  Database* db_;
  Clock* clock_;
  IdGenerator* ids_;
  const domain::StatutoryClock* statutory_;
  PersonKeys persons_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_SCHEDULE_STORE_H_

// CaseStore: persistence of cases and their timelines, behind an interface so that another engine
// (PostgreSQL for many odrd replicas) can be added without touching the handlers.
#ifndef ODR_STORAGE_CASE_STORE_H_
#define ODR_STORAGE_CASE_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/case_query.h"
#include "server/domain/state_machine.h"
#include "server/domain/statutory_clock.h"
#include "server/domain/types.h"

namespace odr::storage {

struct CasePage {
  std::vector<domain::Case> cases;
  // Set when more rows follow: where the next page starts.
  std::optional<domain::CaseCursor> next;
};

struct AssignmentChange {
  enum Kind { kPropose, kChoose, kAccept, kDecline, kReplace } kind = kPropose;
  std::string organization_id;  // kPropose, kChoose, kReplace: the roster mediator
  std::string mediator_id;
  domain::AssignmentMethod method = domain::AssignmentMethod::kOrganization;  // kPropose
  std::function<std::string(const domain::Case&)> side_of;  // kChoose: "applicant"/"respondent"
  std::string reason;                                       // kDecline, kReplace
  std::optional<int64_t> expected_version;                  // ABORTED if set and stale
};

struct EventPage {
  std::vector<domain::CaseEvent> events;
  std::optional<int64_t> next_after_seq;
};

// All methods are safe for concurrent use and block on I/O: call them from a worker pool. Every
// write is one transaction: on any error nothing is written. Errors: NOT_FOUND (reason NOT_FOUND)
// for an unknown case; ABORTED (STALE_ETAG) when `expected_version` is set and differs;
// FAILED_PRECONDITION (TRANSITION_NOT_ALLOWED) from the state machine; ALREADY_EXISTS
// (REQUEST_ID_REUSED) when a request_id comes back with a different request; UNAVAILABLE when the
// database is busy.
class CaseStore {
 public:
  virtual ~CaseStore() = default;

  // Creates a case in STATE_DRAFT with the next case number of the current year (UTC+8) and a
  // creation event. With ctx.request_id set, a retry within domain::kRequestIdRetention returns
  // the case the first call created as it is now, if ctx.authorize allows it (else its error), and
  // appends an access record of the read.
  virtual absl::StatusOr<domain::Case> CreateCase(const domain::CaseData& data,
                                                  const domain::MutationContext& ctx) = 0;

  virtual absl::StatusOr<domain::Case> GetCase(absl::string_view id) = 0;

  // Rows matching query.filter in query.order, starting after query.after, at most query.limit.
  virtual absl::StatusOr<CasePage> ListCases(const domain::CaseQuery& query) = 0;

  // Replaces the `fields` of the case with those of `values`, if the state allows editing.
  virtual absl::StatusOr<domain::Case> UpdateCase(absl::string_view id,
                                                  const domain::CaseData& values,
                                                  const std::vector<domain::CaseField>& fields,
                                                  std::optional<int64_t> expected_version,
                                                  const domain::MutationContext& ctx) = 0;

  // Applies `action` through the state machine and appends the event, atomically. A close or a
  // court's conclusion also records the case's ending from `note` (domain/procedure.h) and, for a
  // court-diverted case that failed, puts it in the court's referral queue. With
  // ctx.request_id set, a retry of a transition that succeeded (within
  // domain::kRequestIdRetention) returns the case as it is now, if ctx.authorize allows it, with
  // an access record of the read.
  virtual absl::StatusOr<domain::Case> TransitionCase(absl::string_view id,
                                                      domain::CaseAction action,
                                                      std::optional<int64_t> expected_version,
                                                      const domain::TransitionNote& note,
                                                      const domain::MutationContext& ctx) = 0;

  // A change to the case's mediators, through the state machine, with an event, atomically.
  // kPropose: the roster mediator (organization_id, mediator_id) must be of the case's
  // organization, active, below capacity (its load rises by one, or FAILED_PRECONDITION), without
  // conflict (FAILED_PRECONDITION, reason CONFLICT_OF_INTEREST) and never proposed for the case.
  // kChoose: records side_of(case)'s choice; when both sides chose the same mediator, proposes
  // it. kAccept / kDecline: the proposed assignment of principal ctx.actor. kReplace: the active
  // assignment of the roster mediator. Declines and replacements release the mediator's load.
  virtual absl::StatusOr<domain::Case> ChangeAssignment(absl::string_view id,
                                                        const AssignmentChange& change,
                                                        const domain::MutationContext& ctx) = 0;

  // The case's events with seq > after_seq, oldest first, at most `limit`.
  virtual absl::StatusOr<EventPage> ListCaseEvents(absl::string_view id, int64_t after_seq,
                                                   int limit) = 0;

  // Events of every case with event_id > after_event_id (or of case `case_id` when not empty),
  // in event_id order (commit order), at most `limit`. *scanned_to receives the id up to which
  // the read saw everything: the last event returned if `limit` were returned, else the newest
  // event id of the whole database then (so that a stream of a quiet case moves past the others').
  virtual absl::StatusOr<std::vector<domain::CaseEvent>> EventsAfter(absl::string_view case_id,
                                                                     int64_t after_event_id,
                                                                     int limit,
                                                                     int64_t* scanned_to) = 0;

  // --- The statutory clock (with a StatutoryClock configured; else FAILED_PRECONDITION) ---

  // The case's deadlines in start order (no reminders).
  virtual absl::StatusOr<std::vector<domain::Deadline>> ListDeadlines(absl::string_view id) = 0;

  enum class PeriodChange { kPause, kResume, kExtend };
  // Pauses, resumes or extends (by `days`) the case's mediation period, with an event;
  // ctx.authorize sees the case. FAILED_PRECONDITION (reason DEADLINE_NOT_STARTED) before a
  // mediator accepted, or from the clock's rules.
  virtual absl::StatusOr<domain::Deadline> ChangeMediationPeriod(
      absl::string_view id, PeriodChange change, int days, absl::string_view reason,
      const domain::MutationContext& ctx) = 0;

  // Fires up to `limit` deadlines and reminders due at the clock's now, each in its own
  // transaction with its warning or expiry action (exactly once: a row fires only while its next
  // fire time is due, and firing moves it on). Returns how many fired.
  virtual absl::StatusOr<int> FireDueDeadlines(int limit) = 0;
  // When the next deadline or reminder is due, if any.
  virtual absl::StatusOr<std::optional<absl::Time>> NextDeadline() = 0;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_CASE_STORE_H_

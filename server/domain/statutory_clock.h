// The statutory clock: the one place that says which deadlines a case has, when each starts, when
// it is due, when it warns and what happens when it passes (domain.md, "Case lifecycle";
// docs/deadlines.md). Appointment reminders use the same machinery.
//
// Deadlines start and stop with the case's lifecycle (OnCaseChange), are paused, resumed and
// extended here, and are fired by storage (DeadlineStore) in one transaction with their action.
//
// Pure functions of their arguments; a StatutoryClock is safe for concurrent use (it only reads
// the calendar, which must not change while the clock is in use).
#ifndef ODR_SERVER_DOMAIN_STATUTORY_CLOCK_H_
#define ODR_SERVER_DOMAIN_STATUTORY_CLOCK_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/state_machine.h"
#include "server/domain/types.h"
#include "server/domain/working_calendar.h"

namespace odr::domain {

enum class DeadlineKind {
  kMediatorAcceptance,       // OMR Art. 12: 3 working days from the proposal
  kRespondentContact,        // OMR Art. 15: 3 working days from the mediator's acceptance
  kMediationPeriod,          // OMR Arts. 24, 26: 30 / 15 / 7 days from acceptance
  kConfirmationApplication,  // PML Art. 33: 30 days from the agreement taking effect
  kAppointmentReminder,      // 24 h and 1 h before an appointment (not a legal deadline)
  kInstalmentDue,            // PML Art. 31: an instalment of an effective agreement falls due
  kConfirmationAcceptance,   // 2011 司法确认程序若干规定 Art. 4: accepted within 3 days
  kConfirmationRuling,       // CPL Art. 187: the court rules within 30 days of accepting
  kConfirmationMaterials,    // CPL Interp Arts. 354, 356: the court's deadline for materials
  kRulingObjection,          // CPL Interp Art. 372: a party objects within 15 days of service
  kOrganizationAcceptance,   // OMR Art. 12: 3 working days from receiving the application
  kMediatorChoice,           // OMR Art. 10: the parties choose jointly within 2 working days
  kMediatorDesignation,      // OMR Art. 10: else designated within 3 more working days
};
enum class DeadlineState { kRunning, kPaused, kMet, kExpired, kCancelled };

// Whether passing a deadline of `kind` unmet is a breach of a duty (statistics count them): the
// mediator's, the respondent contact's, the mediation period's, a party's instalment, the
// court's. Not the window to apply for confirmation (the parties may let it pass) nor a reminder.
bool IsBreach(DeadlineKind kind);

const char* DeadlineKindName(DeadlineKind k);  // "mediator_acceptance" ...
std::optional<DeadlineKind> DeadlineKindFromName(absl::string_view n);
const char* DeadlineStateName(DeadlineState s);  // "running" ...
std::optional<DeadlineState> DeadlineStateFromName(absl::string_view n);

struct Deadline {
  std::string case_id;
  // Unique within the case: "mediator-acceptance-{principal}", "respondent-contact",
  // "mediation-period", "confirmation-application", "reminder-{24h|1h}-{appointment}-{version}",
  // "instalment-{agreement}-{index}", "confirmation-acceptance-{c}", "confirmation-ruling-{c}",
  // "confirmation-materials-{c}", "ruling-objection-{c}", "organization-acceptance",
  // "mediator-choice", "mediator-designation".
  std::string id;
  DeadlineKind kind = DeadlineKind::kMediationPeriod;
  DeadlineState state = DeadlineState::kRunning;
  // The mediator's principal id (acceptance), the appointment id (reminder), "{agreement}/{index}"
  // (instalment), the confirmation id (the court's deadlines).
  std::string subject;
  absl::Time start;
  int length = 0;  // working days or days; for reminders, minutes before the appointment
  bool working_days = false;
  int extension_days = 0;
  absl::Duration paused = absl::ZeroDuration();  // total time paused, before any current pause
  std::optional<absl::Time> paused_at;           // set while paused
  absl::Time due;
  std::optional<absl::Time> warn_at;  // unset: no warning
  bool warned = false;
  bool provisional = false;  // computed without the holidays of a year not loaded
  int64_t ordinal = 0;       // start order within the case (set by storage)
  absl::Time update_time;

  // When the row must next be looked at: the warning if still to give, else the due time; unset
  // unless running.
  std::optional<absl::Time> NextFire() const;
  // Whole days paused, a part day counting as a day (it favours the parties).
  int PausedDays() const;
  bool open() const { return state == DeadlineState::kRunning || state == DeadlineState::kPaused; }
};

// OMR Art. 10: the parties' working days to choose a mediator jointly from the organization's
// acceptance, then the working days in which it is designated.
inline constexpr int kJointChoiceWorkingDays = 2;
inline constexpr int kDesignationWorkingDays = 3;

// The most days one extension request may add (an input bound, not a legal cap).
inline constexpr int kMaxExtensionRequestDays = 365;

// One party's consent to extend the mediation period, and how it was given (OMR Art. 24).
struct ExtensionConsent {
  std::string party;   // "applicants/0"
  std::string manner;  // e.g. "口头同意，2026-12-07 调解会记录"
};
// Every party of `c` must consent, each once (OMR Art. 24 "各方当事人同意延长的"):
// INVALID_ARGUMENT on "consents" naming the missing, unknown or repeated party, or an empty
// manner. Returns the text the DEADLINE_CHANGED event records.
absl::StatusOr<std::string> CheckExtensionConsents(const Case& c,
                                                   const std::vector<ExtensionConsent>& consents);

struct ClockConfig {
  // How long before its due time a deadline warns; for short periods, at most half the period.
  absl::Duration warning_lead = absl::Hours(72);
  // How long before an appointment its reminders fire.
  std::vector<absl::Duration> reminder_offsets = {absl::Hours(24), absl::Hours(1)};
};

// What a change of a case does to its deadlines.
struct DeadlinePlan {
  std::vector<Deadline> start;  // new deadlines (storage keeps an existing one of the same id)
  struct Stop {
    std::string id;
    DeadlineState state;  // kMet or kCancelled
  };
  std::vector<Stop> stop;  // open deadlines to stop
  bool stop_all = false;   // the case ended: cancel every open deadline and reminder
  // Mediators (principal ids) no longer on the case (declined, replaced, lapsed): their
  // scheduled appointments of the case are cancelled. Empty when stop_all (all are cancelled).
  std::vector<std::string> released_mediators;
  // With stop_all: the instalments of an effective agreement stay due (a confirmed agreement is
  // still to be performed).
  bool keep_instalments = false;
};

// What passing a deadline does, besides the DEADLINE_EXPIRED event.
struct ExpiryEffect {
  std::string message;  // the event's text
  EventAudience audience = EventAudience::kAll;
  // kMediatorAcceptance: the assignment of this principal lapses and the case moves with it.
  std::optional<std::string> lapse_principal;
  // kMediationPeriod: the case closes with `reason` (through the state machine).
  std::optional<CaseAction> action;
  std::string reason;
  // The event recorded: DEADLINE_EXPIRED, or INSTALMENT_OVERDUE for an instalment.
  EventKind event_kind = EventKind::kDeadlineExpired;
};

class StatutoryClock {
 public:
  // `calendar` must outlive the clock and not change while it is used.
  StatutoryClock(const WorkingCalendar* calendar, ClockConfig config)
      : calendar_(calendar), config_(std::move(config)) {}

  const ClockConfig& config() const { return config_; }

  // A running deadline of `kind` for case `c`, starting at `start`, with its due and warning
  // times. Not for reminders (see Reminders).
  Deadline Start(DeadlineKind kind, const Case& c, absl::string_view subject,
                 absl::Time start) const;

  // The deadline of instalment `index` of agreement `agreement_id` due at the end of `due_day`
  // (China time), started at `now`; it warns like the others.
  Deadline Instalment(absl::string_view case_id, absl::string_view agreement_id, int index,
                      absl::CivilDay due_day, absl::Time now) const;

  // The reminders of version `version` of an appointment of case `case_id` starting at `start`,
  // those still ahead of `now`.
  std::vector<Deadline> Reminders(absl::string_view case_id, absl::string_view appointment_id,
                                  int64_t version, absl::Time start, absl::Time now) const;

  // The deadline changes that the change of a case from `before` to `after` at `now` calls for.
  DeadlinePlan OnCaseChange(const Case& before, const Case& after, absl::Time now) const;

  // Appraisal (OMR Art. 26): pauses a running mediation period; FAILED_PRECONDITION otherwise.
  absl::Status Pause(Deadline* d, absl::Time now) const;
  // Resumes a paused mediation period; the due time moves by the whole days paused.
  absl::Status Resume(Deadline* d, absl::Time now) const;
  // Extends an open mediation period by `days` (1-kMaxExtensionRequestDays a request; no cap in
  // all, OMR Art. 24 "不受此限") the parties agreed.
  absl::Status Extend(Deadline* d, int days, absl::Time now) const;
  // Extends an open ruling deadline by `days` approved by the court's president (CPL Art. 187).
  absl::Status ExtendRuling(Deadline* d, int days, absl::Time now) const;
  // Moves the last day of a party's materials or objection deadline to `until` (China time), the
  // court granting a party late for a good reason more time (CPL Art. 86): running again if it
  // had expired; a last day on a holiday moves to the next working day (CPL Art. 85).
  // FAILED_PRECONDITION NO_SUCH_PERIOD for another kind or a met or cancelled deadline;
  // INVALID_ARGUMENT on "until_date" when `until` is not after its current last day.
  absl::Status ExtendPartyPeriod(Deadline* d, absl::CivilDay until, absl::Time now) const;
  // The court's deadline for the materials it asked for on application `confirmation_id`:
  // `days` calendar days from `now` (CPL Interp Arts. 354, 356; counted as CPL Art. 85).
  Deadline MaterialsDeadline(const Case& c, absl::string_view confirmation_id, int days,
                             absl::Time now) const;

  // What happens when `d` passes for case `c`.
  ExpiryEffect OnExpiry(const Deadline& d, const Case& c) const;
  // The text of the warning event of `d`.
  std::string WarningMessage(const Deadline& d) const;
  // The text of the DEADLINE_STARTED event of `d`.
  std::string StartedMessage(const Deadline& d) const;
  // Who sees the events of `d`.
  static EventAudience Audience(DeadlineKind kind);
  // "OMR Art. 12" ...
  static const char* LegalBasis(DeadlineKind kind);
  // The id of instalment deadline `index` of agreement `agreement_id`.
  static std::string InstalmentId(absl::string_view agreement_id, int index);
  // Mediation period length in days for the case's procedure: 30, 15 or 7.
  static int MediationPeriodDays(const Case& c);

 private:
  // Sets due, warn_at and provisional from start, length, extension and pauses; a warning still
  // ahead of `now` is given again.
  void Recompute(Deadline* d, absl::Time now) const;

  const WorkingCalendar* calendar_;
  ClockConfig config_;
};

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_STATUTORY_CLOCK_H_

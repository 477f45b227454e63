// Mediators' working hours and appointment slots: the one place that says when a mediator can
// be booked, how long an appointment may be and which slots are free (docs/appointments.md).
// Pure functions; safe for concurrent use.
#ifndef ODR_SERVER_DOMAIN_SCHEDULE_H_
#define ODR_SERVER_DOMAIN_SCHEDULE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/types.h"
#include "server/domain/working_calendar.h"

namespace odr::domain {

struct ScheduleLimits {
  static constexpr int kMaxWeeklyIntervals = 28;
  static constexpr int kMaxLeave = 100;
  static constexpr int kMaxLeaveDays = 366;
  static constexpr int kLeaveReasonChars = 200;
  static constexpr int kLocationChars = 200;
  static constexpr int kMaxParticipants = 20;
  static constexpr int kMaxSearchDays = 60;
  static constexpr int kDefaultMaxSlots = 10;
  static constexpr int kMaxSlots = 100;
};
// The longest appointment and the shortest one FindSlots looks for.
inline constexpr absl::Duration kMaxAppointment = absl::Hours(8);
inline constexpr absl::Duration kMinAppointment = absl::Minutes(15);
// Slots FindSlots proposes start on multiples of this (China time).
inline constexpr absl::Duration kSlotStep = absl::Minutes(15);

struct Interval {
  absl::Time start;
  absl::Time end;
  bool operator==(const Interval&) const = default;
};

// Working hours on one day of the week: day 1 (Monday) to 7 (Sunday), minutes after local
// midnight, start < end <= 24 * 60.
struct WeeklyHours {
  int day = 1;
  int start_minute = 0;
  int end_minute = 0;
  bool operator==(const WeeklyHours&) const = default;
};

struct LeavePeriod {
  absl::Time start;
  absl::Time end;
  std::string reason;
  bool operator==(const LeavePeriod&) const = default;
};

inline constexpr char kDefaultTimeZone[] = "Asia/Shanghai";

struct Availability {
  std::string time_zone = kDefaultTimeZone;
  std::vector<WeeklyHours> weekly;
  std::vector<LeavePeriod> leave;
  int64_t version = 0;  // 0: never set (the default applies)
  absl::Time update_time;
};

// Monday to Friday, 09:00-12:00 and 13:30-17:30, Asia/Shanghai.
Availability DefaultAvailability();

// "HH:MM" (00:00-23:59, or 24:00 when `allow_24` is set) to minutes after midnight.
std::optional<int> ParseClockTime(absl::string_view text, bool allow_24);
std::string FormatClockTime(int minute);

// INVALID_ARGUMENT naming the field (under `path`, e.g. "availability") for: a time zone other
// than Asia/Shanghai, more than 28 weekly intervals, a day outside 1-7, start not before end,
// intervals of one day overlapping, more than 100 leave periods, leave not after its start,
// longer than 366 days, ending in the past, or a reason over 200 characters.
absl::Status ValidateAvailability(const Availability& a, absl::Time now, absl::string_view path);

// The mediator's working intervals that overlap [from, to), in time order: weekly hours on their
// weekday except public holidays (an adjusted working weekend without hours of its own takes
// Monday's), minus leave. Years not loaded in `calendar` count weekdays only.
std::vector<Interval> WorkingIntervals(const Availability& a, const WorkingCalendar& calendar,
                                       absl::Time from, absl::Time to);

// Checks an appointment slot: INVALID_ARGUMENT naming `<path>.end_time` when the end is not after
// the start or the slot is longer than 8 hours, `<path>.start_time` when it starts before `now` or
// lies outside every one of `working` (it must fit inside one).
absl::Status CheckSlot(const Interval& slot, absl::Time now, const std::vector<Interval>& working,
                       absl::string_view path);

// Up to `max` free slots of `duration` in [from, to): inside one of `working`, overlapping none
// of `busy`, starting on kSlotStep boundaries, earliest first.
std::vector<Interval> FindFreeSlots(const std::vector<Interval>& working,
                                    std::vector<Interval> busy, absl::Time from, absl::Time to,
                                    absl::Duration duration, int max);

enum class AppointmentKind { kJointVideo, kSeparateSession, kOnSite, kPhone };
enum class Attendance { kUnrecorded, kAttended, kNoShow };
const char* AppointmentKindName(AppointmentKind k);  // "joint_video" ...
std::optional<AppointmentKind> AppointmentKindFromName(absl::string_view n);
const char* AttendanceName(Attendance a);  // "unrecorded" ...
std::optional<Attendance> AttendanceFromName(absl::string_view n);

struct AppointmentParticipant {
  std::string participant;  // "applicants/0", ".../agents/1", or "principals/{mediator}"
  Attendance attendance = Attendance::kUnrecorded;
  bool operator==(const AppointmentParticipant&) const = default;
};

struct Appointment {
  std::string case_id;
  std::string id;
  AppointmentKind kind = AppointmentKind::kJointVideo;
  bool cancelled = false;
  Interval slot;
  std::string mediator_principal;
  std::string location;
  std::vector<AppointmentParticipant> participants;  // the mediator first
  EventAudience audience = EventAudience::kAll;      // one side for a separate session
  std::string cancel_reason;
  std::string booked_by;  // principal id
  absl::Time create_time;
  absl::Time update_time;
  int64_t version = 0;
};

// A reference to a party or agent of a case, as appointments name participants.
struct PartyRef {
  bool applicant = true;
  int party = 0;
  std::optional<int> agent;
  bool operator==(const PartyRef&) const = default;
};
// Where an appointment stands: cancelled; held (it took place: attendance was recorded for
// someone); else scheduled.
enum class AppointmentState { kScheduled, kCancelled, kHeld };
AppointmentState StateOf(const Appointment& a);
// When a case ends or its mediator is released, which of its appointments are cancelled: those
// still scheduled that have not started by `now`. A session that took place (or is under way)
// stays on the record as it was (issue 17 item 10).
bool CancelledOnRelease(const Appointment& a, absl::Time now);

// "applicants/0", "respondents/1/agents/0": INVALID_ARGUMENT naming `field` when malformed or not
// a party or agent of `c`.
absl::StatusOr<PartyRef> ParsePartyRef(absl::string_view text, const Case& c,
                                       absl::string_view field);
std::string FormatPartyRef(const PartyRef& r);
// The identity document of the party or agent `r` of `c` (which must exist).
std::pair<IdDocumentType, std::string> PartyDocument(const Case& c, const PartyRef& r);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_SCHEDULE_H_

#include "server/domain/schedule.h"

#include <algorithm>
#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "server/domain/enum_names.h"
#include "server/domain/errors.h"
#include "server/domain/validation.h"

namespace odr::domain {
namespace {

int DayOfWeekNumber(absl::CivilDay d) {
  switch (absl::GetWeekday(d)) {
    case absl::Weekday::monday:
      return 1;
    case absl::Weekday::tuesday:
      return 2;
    case absl::Weekday::wednesday:
      return 3;
    case absl::Weekday::thursday:
      return 4;
    case absl::Weekday::friday:
      return 5;
    case absl::Weekday::saturday:
      return 6;
    case absl::Weekday::sunday:
      return 7;
  }
  return 1;
}

// [a, b) minus every interval of `cut` (sorted by start).
void Subtract(const Interval& iv, const std::vector<Interval>& cut, std::vector<Interval>* out) {
  absl::Time at = iv.start;
  for (const Interval& c : cut) {
    if (c.end <= at || c.start >= iv.end) continue;
    if (c.start > at) out->push_back({at, c.start});
    at = std::max(at, c.end);
    if (at >= iv.end) return;
  }
  if (at < iv.end) out->push_back({at, iv.end});
}

constexpr std::array<std::pair<AppointmentKind, const char*>, 4> kKinds{{
    {AppointmentKind::kJointVideo, "joint_video"},
    {AppointmentKind::kSeparateSession, "separate_session"},
    {AppointmentKind::kOnSite, "on_site"},
    {AppointmentKind::kPhone, "phone"},
}};
constexpr std::array<std::pair<Attendance, const char*>, 3> kAttendance{{
    {Attendance::kUnrecorded, "unrecorded"},
    {Attendance::kAttended, "attended"},
    {Attendance::kNoShow, "no_show"},
}};

}  // namespace

const char* AppointmentKindName(AppointmentKind k) { return NameIn(kKinds, k); }
std::optional<AppointmentKind> AppointmentKindFromName(absl::string_view n) {
  return ValueIn(kKinds, n);
}
const char* AttendanceName(Attendance a) { return NameIn(kAttendance, a); }
std::optional<Attendance> AttendanceFromName(absl::string_view n) {
  return ValueIn(kAttendance, n);
}

Availability DefaultAvailability() {
  Availability a;
  for (int day = 1; day <= 5; ++day) {
    a.weekly.push_back({day, 9 * 60, 12 * 60});
    a.weekly.push_back({day, 13 * 60 + 30, 17 * 60 + 30});
  }
  return a;
}

std::optional<int> ParseClockTime(absl::string_view text, bool allow_24) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() != 2 || parts[0].size() != 2 || parts[1].size() != 2) return std::nullopt;
  int h = 0, m = 0;
  for (char ch : text) {
    if (ch != ':' && !absl::ascii_isdigit(static_cast<unsigned char>(ch))) return std::nullopt;
  }
  if (!absl::SimpleAtoi(parts[0], &h) || !absl::SimpleAtoi(parts[1], &m)) return std::nullopt;
  if (allow_24 && h == 24 && m == 0) return 24 * 60;
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string FormatClockTime(int minute) {
  return absl::StrFormat("%02d:%02d", minute / 60, minute % 60);
}

absl::Status ValidateAvailability(const Availability& a, absl::Time now, absl::string_view path) {
  Violations v;
  const std::string p(path);
  if (a.time_zone != kDefaultTimeZone) {
    v.Add(p + ".time_zone", "must be Asia/Shanghai (the only time zone supported today)");
  }
  if (a.weekly.size() > static_cast<size_t>(ScheduleLimits::kMaxWeeklyIntervals)) {
    v.Add(p + ".weekly_hours", absl::StrCat("has ", a.weekly.size(), " intervals; at most ",
                                            ScheduleLimits::kMaxWeeklyIntervals));
  }
  for (size_t i = 0; i < a.weekly.size(); ++i) {
    const WeeklyHours& w = a.weekly[i];
    const std::string f = absl::StrCat(p, ".weekly_hours[", i, "]");
    if (w.day < 1 || w.day > 7) {
      v.Add(f + ".day", "is required: MONDAY to SUNDAY");
      continue;
    }
    if (w.end_minute <= w.start_minute) {
      v.Add(f + ".end_time", "must be after start_time");
      continue;
    }
    for (size_t j = 0; j < i; ++j) {
      const WeeklyHours& o = a.weekly[j];
      if (o.end_minute <= o.start_minute) continue;  // reported on its own
      if (o.day == w.day && o.start_minute < w.end_minute && w.start_minute < o.end_minute) {
        v.Add(f, absl::StrCat("overlaps weekly_hours[", j, "] on the same day"));
        break;
      }
    }
  }
  if (a.leave.size() > static_cast<size_t>(ScheduleLimits::kMaxLeave)) {
    v.Add(p + ".leave",
          absl::StrCat("has ", a.leave.size(), " periods; at most ", ScheduleLimits::kMaxLeave));
  }
  for (size_t i = 0; i < a.leave.size(); ++i) {
    const LeavePeriod& l = a.leave[i];
    const std::string f = absl::StrCat(p, ".leave[", i, "]");
    if (l.end <= l.start) {
      v.Add(f + ".end_time", "must be after start_time");
    } else if (l.end - l.start > absl::Hours(24 * ScheduleLimits::kMaxLeaveDays)) {
      v.Add(f + ".end_time",
            absl::StrCat("is more than ", ScheduleLimits::kMaxLeaveDays, " days after start_time"));
    } else if (l.end <= now) {
      v.Add(f + ".end_time", "is in the past; drop leave that has ended");
    }
    if (auto e = CheckText(l.reason, 0, ScheduleLimits::kLeaveReasonChars, false); !e.empty()) {
      v.Add(f + ".reason", e);
    }
  }
  return v.ToStatus();
}

std::vector<Interval> WorkingIntervals(const Availability& a, const WorkingCalendar& calendar,
                                       absl::Time from, absl::Time to) {
  std::vector<Interval> hours;
  if (to <= from) return hours;
  const absl::TimeZone tz = ChinaTime();
  const absl::CivilDay first = absl::ToCivilDay(from, tz) - 1;
  const absl::CivilDay last = absl::ToCivilDay(to, tz) + 1;
  for (absl::CivilDay d = first; d <= last; ++d) {
    if (calendar.IsHoliday(d)) continue;
    int day = DayOfWeekNumber(d);
    bool own = false;
    for (const WeeklyHours& w : a.weekly) own = own || w.day == day;
    if (!own && calendar.IsWorkingWeekend(d)) day = 1;  // 调休: works like a Monday
    const absl::Time midnight = absl::FromCivil(d, tz);
    for (const WeeklyHours& w : a.weekly) {
      if (w.day != day) continue;
      Interval iv{midnight + absl::Minutes(w.start_minute), midnight + absl::Minutes(w.end_minute)};
      if (iv.end <= from || iv.start >= to) continue;
      hours.push_back(iv);
    }
  }
  std::sort(hours.begin(), hours.end(),
            [](const Interval& x, const Interval& y) { return x.start < y.start; });
  std::vector<Interval> leave;
  for (const LeavePeriod& l : a.leave) leave.push_back({l.start, l.end});
  std::sort(leave.begin(), leave.end(),
            [](const Interval& x, const Interval& y) { return x.start < y.start; });
  std::vector<Interval> out;
  for (const Interval& iv : hours) Subtract(iv, leave, &out);
  return out;
}

absl::Status CheckSlot(const Interval& slot, absl::Time now, const std::vector<Interval>& working,
                       absl::string_view path) {
  const std::string p = path.empty() ? "" : absl::StrCat(path, ".");
  if (slot.end <= slot.start) {
    return InvalidFieldError(p + "end_time", "must be after start_time");
  }
  if (slot.end - slot.start > kMaxAppointment) {
    return InvalidFieldError(p + "end_time", "is more than 8 hours after start_time");
  }
  if (slot.start < now) {
    return InvalidFieldError(p + "start_time", "is in the past");
  }
  for (const Interval& w : working) {
    if (w.start <= slot.start && slot.end <= w.end) return absl::OkStatus();
  }
  return InvalidFieldError(
      p + "start_time",
      "the slot is outside the mediator's working hours (on working days, outside leave); use "
      "FindSlots to see free slots");
}

std::vector<Interval> FindFreeSlots(const std::vector<Interval>& working,
                                    std::vector<Interval> busy, absl::Time from, absl::Time to,
                                    absl::Duration duration, int max) {
  std::vector<Interval> out;
  std::sort(busy.begin(), busy.end(),
            [](const Interval& x, const Interval& y) { return x.start < y.start; });
  std::vector<Interval> free;
  for (const Interval& w : working) {
    Interval clipped{std::max(w.start, from), std::min(w.end, to)};
    if (clipped.end > clipped.start) Subtract(clipped, busy, &free);
  }
  const absl::Time epoch = absl::FromCivil(absl::CivilDay(2000, 1, 1), ChinaTime());
  for (const Interval& f : free) {
    // The first step boundary at or after f.start.
    absl::Time t = epoch + absl::Ceil(f.start - epoch, kSlotStep);
    for (; t + duration <= f.end; t += kSlotStep) {
      if (static_cast<int>(out.size()) >= max) return out;
      out.push_back({t, t + duration});
    }
  }
  return out;
}

absl::StatusOr<PartyRef> ParsePartyRef(absl::string_view text, const Case& c,
                                       absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  PartyRef r;
  int party = -1, agent = -1;
  // Letters, digits and slashes only: "applicants/+0" or "applicants/ 0" are not names.
  const bool plain = std::all_of(text.begin(), text.end(), [](char ch) {
    return absl::ascii_isalnum(static_cast<unsigned char>(ch)) || ch == '/';
  });
  const bool shape_ok = plain &&
                        (parts.size() == 2 || (parts.size() == 4 && parts[2] == "agents")) &&
                        (parts[0] == "applicants" || parts[0] == "respondents") &&
                        absl::SimpleAtoi(parts[1], &party) && party >= 0 &&
                        (parts.size() == 2 || (absl::SimpleAtoi(parts[3], &agent) && agent >= 0));
  if (!shape_ok) {
    return InvalidFieldError(std::string(field),
                             "must be applicants/{i}, respondents/{i} or .../agents/{j}");
  }
  r.applicant = parts[0] == "applicants";
  const auto& side = r.applicant ? c.data.applicants : c.data.respondents;
  if (party >= static_cast<int>(side.size())) {
    return InvalidFieldError(std::string(field),
                             absl::StrCat("names ", text, ", not a party of the case"));
  }
  r.party = party;
  if (agent >= 0) {
    if (agent >= static_cast<int>(side[party].agents.size())) {
      return InvalidFieldError(std::string(field),
                               absl::StrCat("names ", text, ", not an agent in the case"));
    }
    r.agent = agent;
  }
  return r;
}

std::string FormatPartyRef(const PartyRef& r) {
  std::string s = absl::StrCat(r.applicant ? "applicants/" : "respondents/", r.party);
  if (r.agent) absl::StrAppend(&s, "/agents/", *r.agent);
  return s;
}

std::pair<IdDocumentType, std::string> PartyDocument(const Case& c, const PartyRef& r) {
  const Party& p = (r.applicant ? c.data.applicants : c.data.respondents)[r.party];
  if (r.agent) {
    const Agent& a = p.agents[*r.agent];
    return {a.id_document_type, a.id_number};
  }
  return {p.id_document_type, p.id_number};
}

AppointmentState StateOf(const Appointment& a) {
  if (a.cancelled) return AppointmentState::kCancelled;
  for (const AppointmentParticipant& p : a.participants) {
    if (p.attendance != Attendance::kUnrecorded) return AppointmentState::kHeld;
  }
  return AppointmentState::kScheduled;
}

bool CancelledOnRelease(const Appointment& a, absl::Time now) {
  return !a.cancelled && a.slot.start > now;
}

}  // namespace odr::domain

#include "client/schedule_commands.h"

#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "client/case_client.h"
#include "client/cli_input.h"
#include "client/cli_output.h"

namespace odr::cli {
namespace schedule_commands_impl {

constexpr char kTimeHelp[] = R"(
Times (T): RFC 3339 with an offset, e.g. 2031-03-04T09:00:00+08:00 or 2031-03-04T01:00:00Z, or
  China time without one, 2031-03-04T09:00. odr prints times in China time (+08:00).
)";

constexpr char kDurationHelp[] = R"(
Lengths (D): 90m, 1h, 1h30m ... (15 minutes to 8 hours, whole minutes).
)";

constexpr char kParticipantHelp[] = R"(
Participants (P): a party or agent of the case, counting from 0 as the case lists them:
  applicants/0, respondents/0, applicants/0/agents/0, respondents/1/agents/0. The case's mediator
  always takes part and is added by odrd.
)";

constexpr char kAppointmentNameHelp[] = R"(
NAME is an appointment's full name, cases/CASE/appointments/ID (as 'odr appointment list'
  prints).
)";

// The availability of the mediator given to --mediator: organizations/ORG/mediators/ID or ORG/ID,
// with or without /availability.
absl::StatusOr<std::string> AvailabilityName(absl::string_view mediator) {
  absl::string_view m = absl::StripAsciiWhitespace(mediator);
  absl::ConsumeSuffix(&m, "/availability");
  absl::StatusOr<std::string> name = MediatorName(m, "--mediator");
  if (!name.ok()) return name.status();
  return absl::StrCat(*name, "/availability");
}

// NAME of an appointment command, checked for its shape only.
absl::StatusOr<std::string> AppointmentName(absl::string_view text) {
  return CaseChildName(text, "appointments", "odr appointment list");
}

// Reports a failed appointment call as Session::FailWithReason does (e.g. SLOT_CONFLICT), and
// what to do about a conflict.
int FailScheduling(const Session& s, const absl::Status& status,
                   const std::string& generated_request_id = "") {
  const int code = s.FailWithReason(status, generated_request_id);
  const std::optional<v1::ErrorDetails> details = client::ErrorDetailsOf(status);
  if (details && details->reason() == "SLOT_CONFLICT") {
    const auto& m = details->metadata();
    auto time = [&m](const std::string& key) -> std::string {
      auto it = m.find(key);
      if (it == m.end()) return "";
      absl::StatusOr<absl::Time> t = ParseTimeFlag(it->second, key);
      return t.ok() ? FormatChinaTime(ToTimestamp(*t)) : it->second;
    };
    const auto who = m.find("participant");
    const std::string start = time("conflicting_start_time");
    const std::string end = time("conflicting_end_time");
    if (who == m.end() || start.empty()) {
      std::cerr << "  the mediator or a participant is already booked at an overlapping time\n";
    } else if (!absl::StrContains(status.message(), who->second)) {
      std::cerr << "  " << who->second << " is booked from " << start << " to " << end << '\n';
    }
    std::cerr << "  'odr appointment find-slots' lists free slots\n";
  }
  return code;
}

// --- odr calendar ---

constexpr char kHoursHelp[] = R"(
--hours DAYS=HH:MM-HH:MM[,HH:MM-HH:MM...], once per day or range of days, e.g.
  --hours mon-fri=09:00-12:00,13:30-17:30 --hours sat=09:00-12:00
  DAYS: mon, tue, wed, thu, fri, sat, sun (or monday ... sunday), or a range such as mon-fri.
  Local time of the availability's zone (Asia/Shanghai); an interval may end at 24:00.
  Days not given have no hours. On public holidays nobody works; on an adjusted working weekend
  (调休) without hours of its own the Monday hours apply.
)";

constexpr char kAvailabilityEtagHelp[] = R"(
odr reads the availability, changes it and sends it back with the etag it read: if someone
  changed it in between, odr reads it again and retries. With --etag (as 'odr calendar show'
  prints it) odr refuses instead (exit 1) if the availability changed since that etag. Leave
  that has already ended is dropped when writing.
)";

// Reads `name`, applies `change` and writes it back (see kAvailabilityEtagHelp); prints the
// result.
int ModifyAvailability(const Session& s, const std::string& name, const std::string& etag,
                       const std::function<absl::Status(v1::MediatorAvailability*)>& change) {
  constexpr int kAttempts = 3;
  absl::Status last;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    v1::GetMediatorAvailabilityRequest get;
    get.set_name(name);
    absl::StatusOr<v1::MediatorAvailability> current =
        s.appointments().GetMediatorAvailability(get);
    if (!current.ok()) return s.Fail(current.status());
    v1::UpdateMediatorAvailabilityRequest req;
    v1::MediatorAvailability* a = req.mutable_availability();
    *a = *std::move(current);
    if (absl::Status st = change(a); !st.ok()) return s.Fail(st);
    a->set_name(name);
    if (!etag.empty()) a->set_etag(etag);
    a->clear_update_time();
    const absl::Time now = absl::Now();
    auto* leave = a->mutable_leave();
    for (int i = leave->size() - 1; i >= 0; --i) {
      if (FromTimestamp((*leave)[i].end_time()) <= now) leave->DeleteSubrange(i, 1);
    }
    absl::StatusOr<v1::MediatorAvailability> r = s.appointments().UpdateMediatorAvailability(req);
    if (r.ok()) return s.Print(*r);
    last = r.status();
    if (!absl::IsAborted(last) || !etag.empty()) break;
  }
  return s.Fail(last);
}

void AddCalendarShow(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto mediator = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand("show", "Show a mediator's working hours and leave");
  cmd->add_option("--mediator", *mediator, "the mediator: organizations/ORG/mediators/ID or ORG/ID")
      ->type_name("MEDIATOR")
      ->required();
  cmd->footer(R"(
Without hours of their own a mediator works Monday to Friday, 09:00-12:00 and 13:30-17:30
  (Asia/Shanghai). The mediator and the organization's admins see the reasons for leave.
)");
  out->push_back({cmd, [cmd, mediator, g]() -> int {
                    absl::StatusOr<std::string> name = AvailabilityName(*mediator);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::GetMediatorAvailabilityRequest req;
                    req.set_name(*name);
                    return Send(*g, &Session::appointments,
                                &client::AppointmentClient::GetMediatorAvailability, req);
                  }});
}

void AddCalendarSetHours(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string mediator, etag;
    std::vector<std::string> hours;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "set-hours", "Replace a mediator's weekly working hours, keeping the leave");
  cmd->add_option("--mediator", f->mediator,
                  "the mediator: organizations/ORG/mediators/ID or ORG/ID")
      ->type_name("MEDIATOR")
      ->required();
  cmd->add_option("--hours", f->hours, "working hours of a day or days (below); repeatable")
      ->type_name("DAYS=HOURS")
      ->allow_extra_args(false)
      ->required();
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag (quote it)")
      ->type_name("ETAG");
  cmd->footer(absl::StrCat(kHoursHelp, kAvailabilityEtagHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = AvailabilityName(f->mediator);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    std::vector<v1::WeeklyHours> hours;
                    for (const std::string& spec : f->hours) {
                      auto parsed = ParseWeeklyHoursSpec(spec);
                      if (!parsed.ok()) return UsageError(cmd, parsed.status().message());
                      hours.insert(hours.end(), parsed->begin(), parsed->end());
                    }
                    Session s(*g);
                    return ModifyAvailability(s, *name, f->etag,
                                              [&hours](v1::MediatorAvailability* a) {
                                                a->clear_weekly_hours();
                                                for (const v1::WeeklyHours& h : hours)
                                                  *a->add_weekly_hours() = h;
                                                return absl::OkStatus();
                                              });
                  }});
}

void AddCalendarAddLeave(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string mediator, start, end, reason, etag;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      parent->add_subcommand("add-leave", "Add a period of leave: no appointment overlaps it");
  cmd->add_option("--mediator", f->mediator,
                  "the mediator: organizations/ORG/mediators/ID or ORG/ID")
      ->type_name("MEDIATOR")
      ->required();
  cmd->add_option("--start", f->start, "when the leave starts (T below)")
      ->type_name("T")
      ->required();
  cmd->add_option("--end", f->end, "when it ends, at most 366 days later")
      ->type_name("T")
      ->required();
  cmd->add_option("--reason", f->reason,
                  "optional, at most 200 characters; seen by the mediator and org admins only")
      ->type_name("TEXT");
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag (quote it)")
      ->type_name("ETAG");
  cmd->footer(absl::StrCat(kTimeHelp, R"(
Appointments already booked in the period stay: reschedule or cancel them.
)",
                           kAvailabilityEtagHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = AvailabilityName(f->mediator);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    absl::StatusOr<absl::Time> start = ParseTimeFlag(f->start, "--start");
                    if (!start.ok()) return UsageError(cmd, start.status().message());
                    absl::StatusOr<absl::Time> end = ParseTimeFlag(f->end, "--end");
                    if (!end.ok()) return UsageError(cmd, end.status().message());
                    if (*end <= *start) return UsageError(cmd, "--end must be after --start");
                    v1::Leave leave;
                    *leave.mutable_start_time() = ToTimestamp(*start);
                    *leave.mutable_end_time() = ToTimestamp(*end);
                    leave.set_reason(f->reason);
                    Session s(*g);
                    return ModifyAvailability(s, *name, f->etag,
                                              [&leave](v1::MediatorAvailability* a) {
                                                *a->add_leave() = leave;
                                                return absl::OkStatus();
                                              });
                  }});
}

void AddCalendarRemoveLeave(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string mediator, start, etag;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand("remove-leave", "Remove the leave starting at a time");
  cmd->add_option("--mediator", f->mediator,
                  "the mediator: organizations/ORG/mediators/ID or ORG/ID")
      ->type_name("MEDIATOR")
      ->required();
  cmd->add_option("--start", f->start, "when the leave starts, as 'odr calendar show' prints it")
      ->type_name("T")
      ->required();
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag (quote it)")
      ->type_name("ETAG");
  cmd->footer(absl::StrCat(kTimeHelp, R"(
No leave starting at that time: exit 3, nothing changes.
)",
                           kAvailabilityEtagHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = AvailabilityName(f->mediator);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    absl::StatusOr<absl::Time> start = ParseTimeFlag(f->start, "--start");
                    if (!start.ok()) return UsageError(cmd, start.status().message());
                    const std::string shown = FormatChinaTime(ToTimestamp(*start));
                    Session s(*g);
                    return ModifyAvailability(
                        s, *name, f->etag,
                        [&start, &shown](v1::MediatorAvailability* a) -> absl::Status {
                          auto* leave = a->mutable_leave();
                          const int before = leave->size();
                          for (int i = leave->size() - 1; i >= 0; --i) {
                            if (FromTimestamp((*leave)[i].start_time()) == *start) {
                              leave->DeleteSubrange(i, 1);
                            }
                          }
                          if (leave->size() == before) {
                            return absl::NotFoundError(absl::StrCat("no leave starts at ", shown));
                          }
                          return absl::OkStatus();
                        });
                  }});
}

// --- odr appointment ---

// --start with --end or --duration, for book and reschedule.
struct SlotFlags {
  std::string start, end, duration;

  void Add(CLI::App* cmd) {
    cmd->add_option("--start", start, "when it starts (T below)")->type_name("T")->required();
    CLI::Option* e = cmd->add_option("--end", end, "when it ends (T below)")->type_name("T");
    CLI::Option* d =
        cmd->add_option("--duration", duration, "or how long it lasts (D below)")->type_name("D");
    e->excludes(d);
    d->excludes(e);
  }

  // The slot; without --end and --duration, `default_length` if positive, else an error.
  absl::StatusOr<v1::TimeSlot> Parse(absl::Duration default_length = absl::ZeroDuration()) const {
    absl::StatusOr<absl::Time> s = ParseTimeFlag(start, "--start");
    if (!s.ok()) return s.status();
    absl::Time e;
    if (!end.empty()) {
      absl::StatusOr<absl::Time> parsed = ParseTimeFlag(end, "--end");
      if (!parsed.ok()) return parsed.status();
      e = *parsed;
    } else if (!duration.empty()) {
      absl::StatusOr<absl::Duration> d = ParseDurationFlag(duration, "--duration");
      if (!d.ok()) return d.status();
      e = *s + *d;
    } else if (default_length > absl::ZeroDuration()) {
      e = *s + default_length;
    } else {
      return absl::InvalidArgumentError("give --end or --duration");
    }
    if (e <= *s) return absl::InvalidArgumentError("--end must be after --start");
    v1::TimeSlot slot;
    *slot.mutable_start_time() = ToTimestamp(*s);
    *slot.mutable_end_time() = ToTimestamp(e);
    return slot;
  }
};

void AddFindSlots(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string case_name, duration, from, to;
    std::vector<std::string> participants;
    int max = 0;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "find-slots", "Free slots common to the case's mediator and the participants");
  cmd->add_option("CASE", f->case_name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--duration", f->duration, "how long (D below)")->type_name("D")->required();
  cmd->add_option("--from", f->from, "search from (T below), not before now")
      ->type_name("T")
      ->required();
  cmd->add_option("--to", f->to, "search to, at most 60 days after --from")
      ->type_name("T")
      ->required();
  cmd->add_option("--participant", f->participants,
                  "a participant whose other appointments to avoid (P below); repeatable")
      ->type_name("P")
      ->allow_extra_args(false);
  cmd->add_option("--max", f->max, "at most this many slots; 0: 10; at most 100")
      ->type_name("N")
      ->check(CLI::Range(0, std::numeric_limits<int32_t>::max()));
  cmd->footer(absl::StrCat(kTimeHelp, kDurationHelp, kParticipantHelp, R"(
Earliest first, starting on the quarter hour, inside the mediator's working hours on working
  days and outside leave ('odr calendar show'). -o name prints 'START END' one slot a line.
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::FindSlotsRequest req;
                    req.set_parent(CaseName(f->case_name));
                    absl::StatusOr<absl::Duration> d = ParseDurationFlag(f->duration, "--duration");
                    if (!d.ok()) return UsageError(cmd, d.status().message());
                    *req.mutable_duration() = ToDurationProto(*d);
                    absl::StatusOr<absl::Time> from = ParseTimeFlag(f->from, "--from");
                    if (!from.ok()) return UsageError(cmd, from.status().message());
                    absl::StatusOr<absl::Time> to = ParseTimeFlag(f->to, "--to");
                    if (!to.ok()) return UsageError(cmd, to.status().message());
                    if (*to <= *from) return UsageError(cmd, "--to must be after --from");
                    *req.mutable_start_time() = ToTimestamp(*from);
                    *req.mutable_end_time() = ToTimestamp(*to);
                    for (const std::string& p : f->participants) req.add_participants(p);
                    req.set_max_results(f->max);
                    return Send(*g, &Session::appointments, &client::AppointmentClient::FindSlots,
                                req);
                  }});
}

constexpr char kKindHelp[] = R"(
KIND: joint-video (everyone together by video), separate (背对背: the mediator with one side,
  all of it, by video), on-site (in person at --location, required), phone.
)";

void AddBook(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string case_name, kind, location, id;
    SlotFlags slot;
    std::vector<std::string> participants;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "book", "Book an appointment of the case's mediator with parties or agents");
  cmd->add_option("CASE", f->case_name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--kind", f->kind, "how it is held (KIND below)")->type_name("KIND")->required();
  f->slot.Add(cmd);
  cmd->add_option("--participant", f->participants, "who takes part (P below); repeatable, 1-20")
      ->type_name("P")
      ->allow_extra_args(false)
      ->required();
  cmd->add_option("--location", f->location, "where, for on-site: 1-200 characters")
      ->type_name("TEXT");
  cmd->add_option("--id", f->id,
                  "the appointment's id: 4-63 of a-z, 0-9, '-', starting with a letter; "
                  "default: odrd picks one. Repeating the booking with the same id is safe")
      ->type_name("ID");
  cmd->footer(absl::StrCat(kKindHelp, kTimeHelp, kDurationHelp, kParticipantHelp, R"(
The slot must be in the future, inside the mediator's working hours, at most 8 hours long. If
  the mediator or a participant is already booked at an overlapping time, odrd refuses with
  SLOT_CONFLICT (exit 1): 'odr appointment find-slots' lists free slots.
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::BookAppointmentRequest req;
                    req.set_parent(CaseName(f->case_name));
                    req.set_appointment_id(f->id);
                    v1::Appointment* a = req.mutable_appointment();
                    absl::StatusOr<v1::Appointment::Kind> kind = ParseAppointmentKind(f->kind);
                    if (!kind.ok()) return UsageError(cmd, kind.status().message());
                    a->set_kind(*kind);
                    if (*kind == v1::Appointment::KIND_ON_SITE && f->location.empty()) {
                      return UsageError(cmd, "--location is required for an on-site appointment");
                    }
                    absl::StatusOr<v1::TimeSlot> slot = f->slot.Parse();
                    if (!slot.ok()) return UsageError(cmd, slot.status().message());
                    *a->mutable_start_time() = slot->start_time();
                    *a->mutable_end_time() = slot->end_time();
                    for (const std::string& p : f->participants) {
                      a->add_participants()->set_participant(p);
                    }
                    a->set_location(f->location);
                    return Send(*g, &Session::appointments,
                                &client::AppointmentClient::BookAppointment, req, FailScheduling);
                  }});
}

void AddReschedule(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, etag;
    SlotFlags slot;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "reschedule", "Move a scheduled appointment to another slot (same checks as booking)");
  cmd->add_option("NAME", f->name, "cases/CASE/appointments/ID")->required();
  f->slot.Add(cmd);
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag (quote it)")
      ->type_name("ETAG");
  cmd->footer(absl::StrCat(kAppointmentNameHelp, kTimeHelp, kDurationHelp, R"(
Without --end or --duration the appointment keeps its length.
)",
                           cmd->get_footer()));
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         absl::StatusOr<std::string> name = AppointmentName(f->name);
         if (!name.ok()) return UsageError(cmd, name.status().message());
         Session s(*g);
         absl::Duration length = absl::ZeroDuration();
         if (f->slot.end.empty() && f->slot.duration.empty()) {
           if (absl::Status st = ParseTimeFlag(f->slot.start, "--start").status(); !st.ok()) {
             return UsageError(cmd, st.message());
           }
           v1::GetAppointmentRequest get;
           get.set_name(*name);
           auto current = s.appointments().GetAppointment(get);
           if (!current.ok()) return s.Fail(current.status());
           length = FromTimestamp(current->end_time()) - FromTimestamp(current->start_time());
         }
         absl::StatusOr<v1::TimeSlot> slot = f->slot.Parse(length);
         if (!slot.ok()) return UsageError(cmd, slot.status().message());
         v1::RescheduleAppointmentRequest req;
         req.set_name(*name);
         *req.mutable_start_time() = slot->start_time();
         *req.mutable_end_time() = slot->end_time();
         req.set_etag(f->etag);
         auto r = s.appointments().RescheduleAppointment(req);
         return r.ok() ? s.Print(*r) : FailScheduling(s, r.status());
       }});
}

void AddCancel(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, reason, etag;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "cancel", "Cancel a scheduled appointment: its slot becomes free, its reminders dropped");
  cmd->add_option("NAME", f->name, "cases/CASE/appointments/ID")->required();
  cmd->add_option("--reason", f->reason, "why, 1-500 characters")->type_name("TEXT")->required();
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag (quote it)")
      ->type_name("ETAG");
  cmd->footer(absl::StrCat(kAppointmentNameHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = AppointmentName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::CancelAppointmentRequest req;
                    req.set_name(*name);
                    req.set_reason(f->reason);
                    req.set_etag(f->etag);
                    return Send(*g, &Session::appointments,
                                &client::AppointmentClient::CancelAppointment, req, FailScheduling);
                  }});
}

void AddAppointmentList(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto case_name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand(
      "list", "List the case's appointments you may see, earliest first (every page)");
  cmd->add_option("CASE", *case_name, "the case: cases/ID or just ID")->required();
  cmd->footer(R"(
A party sees the appointments its own side attends; a separate session (背对背) of the other
  side is not shown.
)");
  out->push_back({cmd, [case_name, g]() -> int {
                    v1::ListAppointmentsRequest req;
                    req.set_parent(CaseName(*case_name));
                    return Send(*g, &Session::appointments,
                                &client::AppointmentClient::ListAllAppointments, req);
                  }});
}

void AddAppointmentGet(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand(
      "get", "Show an appointment, with your own join link for a video appointment");
  cmd->add_option("NAME", *name, "cases/CASE/appointments/ID")->required();
  cmd->footer(absl::StrCat(kAppointmentNameHelp, R"(
A join link carries a token that expires 30 minutes after the appointment ends: do not share it.
)"));
  out->push_back({cmd, [cmd, name, g]() -> int {
                    absl::StatusOr<std::string> n = AppointmentName(*name);
                    if (!n.ok()) return UsageError(cmd, n.status().message());
                    v1::GetAppointmentRequest req;
                    req.set_name(*n);
                    return Send(*g, &Session::appointments,
                                &client::AppointmentClient::GetAppointment, req);
                  }});
}

void AddAttend(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, participant;
    bool attended = false, no_show = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "attend", "Record whether a participant attended, once the appointment has started");
  cmd->add_option("NAME", f->name, "cases/CASE/appointments/ID")->required();
  cmd->add_option("--participant", f->participant, "one of its participants (P below)")
      ->type_name("P")
      ->required();
  CLI::Option* attended = cmd->add_flag("--attended", f->attended, "the participant came");
  CLI::Option* no_show = cmd->add_flag("--no-show", f->no_show, "the participant did not come");
  attended->excludes(no_show);
  no_show->excludes(attended);
  cmd->footer(absl::StrCat(kAppointmentNameHelp, kParticipantHelp, R"(
For the case's mediators and the organization's admins.
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = AppointmentName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    if (!f->attended && !f->no_show) {
                      return UsageError(cmd, "give --attended or --no-show");
                    }
                    v1::RecordAttendanceRequest req;
                    req.set_name(*name);
                    req.set_participant(f->participant);
                    req.set_attendance(f->attended ? v1::ATTENDANCE_ATTENDED
                                                   : v1::ATTENDANCE_NO_SHOW);
                    return Send(*g, &Session::appointments,
                                &client::AppointmentClient::RecordAttendance, req, FailScheduling);
                  }});
}

// --- odr deadline ---

constexpr char kDeadlineHelp[] = R"(
The statutory clock (docs/deadlines.md): the organization accepts a submitted case and a
  proposed mediator answers within 3 working days each (OMR Art. 12); the parties choose a
  mediator jointly within 2 working days of that acceptance, else one is designated within 3
  more (OMR Art. 10); the mediator contacts the
  respondent within 3 working days of accepting (OMR Art. 15); mediation ends 30 days after the
  organization accepted (pre-filing; 15 or 7 days after filing, OMR Art. 24), not counting
  appraisals, plus the extensions every party consented to.
)";

void AddDeadlineList(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto case_name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand("list",
                                         "List the case's deadlines, in the order they "
                                         "started");
  cmd->add_option("CASE", *case_name, "the case: cases/ID or just ID")->required();
  cmd->footer(absl::StrCat(kDeadlineHelp, R"(
KIND: ORGANIZATION_ACCEPTANCE, MEDIATOR_CHOICE, MEDIATOR_DESIGNATION, MEDIATOR_ACCEPTANCE,
  RESPONDENT_CONTACT, MEDIATION_PERIOD, CONFIRMATION_APPLICATION, INSTALMENT_DUE, CONFIRMATION_ACCEPTANCE, CONFIRMATION_RULING,
  CONFIRMATION_MATERIALS, RULING_OBJECTION.
STATE: RUNNING, PAUSED, MET (what it waited for happened in time), EXPIRED (its action was
  taken), CANCELLED (no longer applies). -o json prints the enum names (KIND_..., STATE_...).
)"));
  out->push_back({cmd, [case_name, g]() -> int {
                    v1::ListDeadlinesRequest req;
                    req.set_parent(CaseName(*case_name));
                    return Send(*g, &Session::deadlines, &client::DeadlineClient::ListDeadlines,
                                req);
                  }});
}

void AddDeadlinePause(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string case_name, reason;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "pause", "Stop the mediation period while an appraisal runs (OMR Art. 26)");
  cmd->add_option("CASE", f->case_name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--reason", f->reason, "what is being appraised, 1-500 characters")
      ->type_name("TEXT")
      ->required();
  cmd->footer(absl::StrCat(R"(
The time until 'odr deadline resume' does not count. For the case's mediators and the
  organization's admins.
)",
                           cmd->get_footer()));
  out->push_back({cmd, [f, g]() -> int {
                    v1::PauseMediationPeriodRequest req;
                    req.set_name(CaseName(f->case_name));
                    req.set_reason(f->reason);
                    return Send(*g, &Session::deadlines,
                                &client::DeadlineClient::PauseMediationPeriod, req, FailScheduling);
                  }});
}

void AddDeadlineResume(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto case_name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand(
      "resume", "Restart a paused mediation period; its due time moves by the days paused");
  cmd->add_option("CASE", *case_name, "the case: cases/ID or just ID")->required();
  out->push_back({cmd, [case_name, g]() -> int {
                    v1::ResumeMediationPeriodRequest req;
                    req.set_name(CaseName(*case_name));
                    return Send(*g, &Session::deadlines,
                                &client::DeadlineClient::ResumeMediationPeriod, req,
                                FailScheduling);
                  }});
}

void AddDeadlineExtend(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string case_name, reason;
    std::vector<std::string> consents;
    int days = 0;
    bool consented = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "extend", "Extend the mediation period by the days the parties agreed (OMR Art. 24)");
  cmd->add_option("CASE", f->case_name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--days", f->days, "how many days, 1-365 (no cap in all)")
      ->type_name("N")
      ->required()
      ->check(CLI::Range(1, 365));
  cmd->add_flag("--parties-consented", f->consented,
                "required: your statement that every party agreed to the extension");
  cmd->add_option("--consent", f->consents,
                  "each party's consent and how it was given, e.g. "
                  "'applicants/0:在调解会上口头同意'; one per party (repeatable)")
      ->type_name("PARTY:MANNER")
      ->allow_extra_args(false);
  cmd->add_option("--reason", f->reason, "optional, at most 500 characters")->type_name("TEXT");
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         if (!f->consented) {
           return UsageError(cmd,
                             "--parties-consented is required: the mediation period is "
                             "extended only when every party agrees (OMR Art. 24)");
         }
         v1::ExtendMediationPeriodRequest req;
         req.set_name(CaseName(f->case_name));
         req.set_days(f->days);
         req.set_parties_consented(true);
         for (const std::string& c : f->consents) {
           const size_t colon = c.find(':');
           if (colon == std::string::npos) {
             return UsageError(cmd,
                               "--consent is PARTY:MANNER, e.g. "
                               "'respondents/0:书面同意'");
           }
           absl::StatusOr<std::string> party = ParsePartyRef(c.substr(0, colon), "--consent");
           if (!party.ok()) return UsageError(cmd, party.status().message());
           v1::ExtensionConsent* e = req.add_consents();
           e->set_party(*party);
           e->set_manner(c.substr(colon + 1));
         }
         req.set_reason(f->reason);
         return Send(*g, &Session::deadlines, &client::DeadlineClient::ExtendMediationPeriod, req,
                     FailScheduling);
       }});
}

// --- odr events ---

void AddEventsWatch(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string case_name, cursor, until_idle;
    int max = 0;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "watch", "Print a case's events, oldest first, then live as they happen");
  cmd->add_option("CASE", f->case_name,
                  "the case: cases/ID or just ID; '-' for every case you are related to")
      ->required();
  cmd->add_option("--cursor", f->cursor,
                  "continue after the event with this cursor (the last one you received)")
      ->type_name("CURSOR");
  cmd->add_option("--max", f->max, "stop after this many events; 0: never")
      ->type_name("N")
      ->check(CLI::Range(0, std::numeric_limits<int32_t>::max()));
  cmd->add_option("--until-idle", f->until_idle,
                  "stop once no event arrived for this long, e.g. 2s: print what there is and "
                  "exit")
      ->type_name("D");
  cmd->footer(R"(
One line per event as it arrives: TIME  KIND  WHAT  SUBJECT  cursor=CURSOR, where WHAT is
  FROM -> TO for a state change, then the reason (or what happened, in words), and SUBJECT the
  appointment or deadline concerned ('-' if none); with '-' the case's name comes first.
  -o json prints each event (WatchCaseEventsResponse) as JSON on one line; -o name its name.
Runs until interrupted (Ctrl-C), --max events, or --until-idle (2s, 500ms, 1m ...); --timeout
  does not apply. If the connection
  is lost, odr reconnects and continues where it was; if it gives up, it prints the cursor to
  continue from with --cursor: nothing is lost or repeated.
Events you may not see (a separate session of the other side, staff-only alerts) are left out.
)");
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::Duration idle = absl::InfiniteDuration();
                    if (!f->until_idle.empty()) {
                      absl::StatusOr<absl::Duration> d =
                          ParseDurationFlag(f->until_idle, "--until-idle");
                      if (!d.ok()) return UsageError(cmd, d.status().message());
                      idle = *d;
                    }
                    const std::string parent = CaseName(f->case_name);
                    const bool every_case = parent == "cases/-";
                    Session s(*g);
                    int received = 0;
                    std::string last_cursor = f->cursor;
                    absl::Status st = s.cases().WatchCaseEvents(
                        parent, f->cursor,
                        [&](const v1::WatchCaseEventsResponse& r) {
                          s.PrintWatchEvent(r, every_case);
                          if (!r.event().cursor().empty()) last_cursor = r.event().cursor();
                          ++received;
                          return f->max == 0 || received < f->max;
                        },
                        idle);
                    if (st.ok()) return kExitOk;
                    const int code = s.Fail(st);
                    if (!last_cursor.empty()) {
                      std::cerr << "  to continue: odr events watch " << f->case_name
                                << " --cursor " << last_cursor << '\n';
                    }
                    return code;
                  }});
}

}  // namespace schedule_commands_impl

std::vector<Command> AddScheduleCommands(CLI::App* app, const GlobalFlags* globals) {
  using namespace schedule_commands_impl;
  std::vector<Command> out;
  CLI::App* calendar =
      app->add_subcommand("calendar", "Mediators' working hours and leave (for appointments)");
  AddCalendarShow(calendar, globals, &out);
  AddCalendarSetHours(calendar, globals, &out);
  AddCalendarAddLeave(calendar, globals, &out);
  AddCalendarRemoveLeave(calendar, globals, &out);
  CLI::App* appointment = app->add_subcommand(
      "appointment", "Appointments: free slots, booking, rescheduling, attendance");
  AddFindSlots(appointment, globals, &out);
  AddBook(appointment, globals, &out);
  AddReschedule(appointment, globals, &out);
  AddCancel(appointment, globals, &out);
  AddAppointmentList(appointment, globals, &out);
  AddAppointmentGet(appointment, globals, &out);
  AddAttend(appointment, globals, &out);
  CLI::App* deadline = app->add_subcommand(
      "deadline", "The statutory clock: deadlines of a case, pausing and extending mediation");
  AddDeadlineList(deadline, globals, &out);
  AddDeadlinePause(deadline, globals, &out);
  AddDeadlineResume(deadline, globals, &out);
  AddDeadlineExtend(deadline, globals, &out);
  CLI::App* events = app->add_subcommand("events", "Case events as they happen");
  AddEventsWatch(events, globals, &out);
  return out;
}

}  // namespace odr::cli

// The scheduling commands: `odr calendar ...` (mediators' working hours and leave), `odr
// appointment ...` (free slots, booking, rescheduling, cancelling, attendance), `odr deadline ...`
// (the statutory clock) and `odr events watch` (a case's events as they happen)
// (odr.v1.AppointmentService, DeadlineService and CaseService.WatchCaseEvents).
#ifndef ODR_CLIENT_SCHEDULE_COMMANDS_H_
#define ODR_CLIENT_SCHEDULE_COMMANDS_H_

#include <vector>

#include "CLI/CLI.hpp"
#include "client/cli_session.h"

namespace odr::cli {

// Adds `calendar`, `appointment`, `deadline` and `events` and their verbs to `app`, as
// AddCaseCommands does `case`.
std::vector<Command> AddScheduleCommands(CLI::App* app, const GlobalFlags* globals);

}  // namespace odr::cli

#endif  // ODR_CLIENT_SCHEDULE_COMMANDS_H_

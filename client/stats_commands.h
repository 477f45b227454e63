// `odr stats`: the figures of a period and a scope (odr.v1.StatsService) as a table, as JSON, and
// as an SVG chart of the monthly trends (--chart FILE.svg).
#ifndef ODR_CLIENT_STATS_COMMANDS_H_
#define ODR_CLIENT_STATS_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "client/cli_session.h"
#include "odr/v1/stats.pb.h"

namespace odr::cli {

// Adds `stats` to `app`, as AddCaseCommands does `case`.
std::vector<Command> AddStatsCommands(CLI::App* app, const GlobalFlags* globals);

// The totals as labelled rows, then one row per month.
void PrintStatisticsTable(const v1::Statistics& s, std::ostream& out);

// A self-contained SVG line chart of the monthly figures (diverted, accepted, mediated
// successfully, confirmed), with axes, month labels and a legend. Pure.
std::string RenderStatisticsChart(const v1::Statistics& s);

// 13560 -> "13,560".
std::string GroupThousands(int64_t n);

}  // namespace odr::cli

#endif  // ODR_CLIENT_STATS_COMMANDS_H_

#include "client/stats_commands.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "client/cli_input.h"
#include "client/cli_output.h"

namespace odr::cli {
namespace stats_commands_impl {

std::string Percent(double r) { return absl::StrFormat("%.2f%%", r * 100); }

std::string Days(double d) { return absl::StrFormat("%.0f", d); }

struct Series {
  const char* label;
  const char* color;
  int64_t (*value)(const v1::Figures&);
};

const std::vector<Series>& ChartSeries() {
  static const auto* kSeries = new std::vector<Series>{
      {"Diverted", "#1f77b4", [](const v1::Figures& f) { return f.diverted(); }},
      {"Accepted", "#ff7f0e", [](const v1::Figures& f) { return f.accepted(); }},
      {"Mediated successfully", "#2ca02c",
       [](const v1::Figures& f) { return f.mediated_successfully(); }},
      {"Judicially confirmed", "#d62728",
       [](const v1::Figures& f) { return f.confirmations_confirmed(); }},
  };
  return *kSeries;
}

std::string XmlEscape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A round axis maximum at or above `v`: 1, 2 or 5 times a power of ten.
int64_t NiceCeiling(int64_t v) {
  if (v <= 0) return 1;
  int64_t p = 1;
  while (p * 10 <= v) p *= 10;
  for (int64_t m : {1, 2, 5, 10}) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

std::string ScopeLabel(const v1::Statistics& s) {
  std::string label = s.scope().empty() ? "platform" : s.scope();
  if (s.dispute_type() != v1::DISPUTE_TYPE_UNSPECIFIED) {
    absl::StrAppend(&label, ", ", DisputeTypeShortName(s.dispute_type()));
  }
  if (!s.region_code().empty()) absl::StrAppend(&label, ", region ", s.region_code());
  return label;
}

}  // namespace stats_commands_impl

std::string GroupThousands(int64_t n) {
  using namespace stats_commands_impl;
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

void PrintStatisticsTable(const v1::Statistics& s, std::ostream& out) {
  using namespace stats_commands_impl;
  const v1::Figures& t = s.totals();
  out << "Statistics " << s.start_date() << " to " << s.end_date() << " (" << ScopeLabel(s)
      << ")\n\n";
  PrintKeyValues(
      {
          {"Presented at court intake", GroupThousands(t.presented())},
          {"Diverted to mediation", GroupThousands(t.diverted())},
          {"Guidance rate", Percent(t.guidance_rate())},
          {"Applications", GroupThousands(t.applications())},
          {"Accepted", GroupThousands(t.accepted())},
          {"Mediated successfully", GroupThousands(t.mediated_successfully())},
          {"Failed", GroupThousands(t.failed())},
          {"Withdrawn", GroupThousands(t.withdrawn())},
          {"Expired", GroupThousands(t.expired())},
          {"Referred for filing", GroupThousands(t.referred_for_filing())},
          {"Trial resumed", GroupThousands(t.trial_resumed())},
          {"Success rate", Percent(t.success_rate())},
          {"Confirmations applied", GroupThousands(t.confirmations_applied())},
          {"Judicial confirmations", GroupThousands(t.confirmations_confirmed())},
          {"Confirmations rejected", GroupThousands(t.confirmations_rejected())},
          {"Concluded by court", GroupThousands(t.concluded_by_court())},
          {"Median days to resolution", Days(t.median_days_to_resolution())},
          {"P90 days to resolution", Days(t.p90_days_to_resolution())},
          {"Deadline breaches", GroupThousands(t.deadline_breaches())},
      },
      out);
  if (s.months().empty()) return;
  out << "\n"
      << absl::StrFormat("%-8s %10s %10s %10s %10s %10s %10s %10s\n", "MONTH", "PRESENTED",
                         "DIVERTED", "ACCEPTED", "SETTLED", "FAILED", "EXPIRED", "CONFIRMED");
  for (const v1::MonthlyFigures& m : s.months()) {
    const v1::Figures& f = m.figures();
    out << absl::StrFormat("%-8s %10s %10s %10s %10s %10s %10s %10s\n", m.month(),
                           GroupThousands(f.presented()), GroupThousands(f.diverted()),
                           GroupThousands(f.accepted()), GroupThousands(f.mediated_successfully()),
                           GroupThousands(f.failed()), GroupThousands(f.expired()),
                           GroupThousands(f.confirmations_confirmed()));
  }
}

std::string RenderStatisticsChart(const v1::Statistics& s) {
  using namespace stats_commands_impl;
  constexpr int kWidth = 900, kHeight = 480;
  constexpr int kLeft = 70, kRight = 200, kTop = 50, kBottom = 60;
  const int plot_w = kWidth - kLeft - kRight;
  const int plot_h = kHeight - kTop - kBottom;
  const int n = s.months_size();
  int64_t top = 0;
  for (const v1::MonthlyFigures& m : s.months()) {
    for (const Series& series : ChartSeries()) top = std::max(top, series.value(m.figures()));
  }
  top = NiceCeiling(top);
  const auto x = [&](int i) {
    return n <= 1 ? kLeft + plot_w / 2.0 : kLeft + plot_w * static_cast<double>(i) / (n - 1);
  };
  const auto y = [&](int64_t v) {
    return kTop + plot_h - plot_h * static_cast<double>(v) / static_cast<double>(top);
  };
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
      "%d\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
      kWidth, kHeight, kWidth, kHeight);
  absl::StrAppendFormat(&svg,
                        "<text x=\"%d\" y=\"28\" font-size=\"16\">Monthly trends %s to %s "
                        "(%s)</text>\n",
                        kLeft, s.start_date(), s.end_date(), XmlEscape(ScopeLabel(s)));
  // Horizontal grid lines and the value axis: five steps.
  for (int k = 0; k <= 5; ++k) {
    const int64_t v = top * k / 5;
    const double yy = y(v);
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n"
                          "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                          kLeft, yy, kLeft + plot_w, yy, kLeft - 8, yy + 4, GroupThousands(v));
  }
  absl::StrAppendFormat(&svg,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n"
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
                        kLeft, kTop, kLeft, kTop + plot_h, kLeft, kTop + plot_h, kLeft + plot_w,
                        kTop + plot_h);
  for (int i = 0; i < n; ++i) {
    absl::StrAppendFormat(&svg, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                          x(i), kTop + plot_h + 20, XmlEscape(s.months(i).month()));
  }
  int legend_y = kTop + 10;
  for (const Series& series : ChartSeries()) {
    std::string points;
    for (int i = 0; i < n; ++i) {
      absl::StrAppendFormat(&points, "%s%.1f,%.1f", i == 0 ? "" : " ", x(i),
                            y(series.value(s.months(i).figures())));
    }
    absl::StrAppendFormat(&svg,
                          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                          "points=\"%s\"><title>%s</title></polyline>\n",
                          series.color, points, series.label);
    for (int i = 0; i < n; ++i) {
      const int64_t v = series.value(s.months(i).figures());
      absl::StrAppendFormat(&svg,
                            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s %s: "
                            "%s</title></circle>\n",
                            x(i), y(v), series.color, series.label, s.months(i).month(),
                            GroupThousands(v));
    }
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                          "stroke-width=\"2\"/>\n<text x=\"%d\" y=\"%d\">%s</text>\n",
                          kLeft + plot_w + 15, legend_y, kLeft + plot_w + 40, legend_y,
                          series.color, kLeft + plot_w + 46, legend_y + 4, series.label);
    legend_y += 22;
  }
  svg += "</svg>\n";
  return svg;
}

namespace stats_commands_impl {

void AddStats(CLI::App* app, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string from, to, scope, court, organization, mediator, type, region, chart;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app->add_subcommand(
      "stats", "Figures of a period: intake, diversion, mediation outcomes, confirmations");
  cmd->add_option("--from", f->from, "first day, YYYY-MM-DD (default: 1 January this year)");
  cmd->add_option("--to", f->to, "last day, YYYY-MM-DD (default: today, China time)");
  cmd->add_option("--court", f->court, "only disputes presented at this court: courts/ID or ID");
  cmd->add_option("--org", f->organization,
                  "only cases before this organization: organizations/ID or ID");
  cmd->add_option("--mediator", f->mediator,
                  "only cases of this mediator: organizations/ORG/mediators/ID");
  cmd->add_option("--type", f->type, "only disputes of this type (medical, labour ...)");
  cmd->add_option("--region", f->region, "only disputes of this region code (6 digits)");
  cmd->add_option("--chart", f->chart, "also draw the monthly trends into this SVG file")
      ->type_name("FILE.svg");
  cmd->footer(R"(
Each figure counts what happened in the period: disputes presented and diverted on their intake
  day, cases accepted on the day of acceptance, outcomes on the day the case ended. The scope is
  the platform unless --court, --org or --mediator narrows it (one of them); --type and --region
  narrow any scope. docs/statistics.md defines every figure.
Who may ask: platform admins (any scope), org admins (their organization and its mediators), a
  mediator (itself), a court (its own). -o json prints the totals and every month as JSON.
)");
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         v1::GetStatisticsRequest req;
         const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
         req.set_start_date(
             f->from.empty() ? absl::FormatCivilTime(absl::CivilDay(today.year(), 1, 1)) : f->from);
         req.set_end_date(f->to.empty() ? absl::FormatCivilTime(today) : f->to);
         const int scopes = !f->court.empty() + !f->organization.empty() + !f->mediator.empty();
         if (scopes > 1) {
           return UsageError(cmd, "give at most one of --court, --org, --mediator");
         }
         if (!f->court.empty()) req.set_scope(ResourceName("courts", f->court));
         if (!f->organization.empty()) {
           req.set_scope(ResourceName("organizations", f->organization));
         }
         if (!f->mediator.empty()) req.set_scope(f->mediator);
         if (!f->type.empty()) {
           absl::StatusOr<v1::DisputeType> t = ParseDisputeType(f->type, "--type");
           if (!t.ok()) return UsageError(cmd, t.status().message());
           req.set_dispute_type(*t);
         }
         req.set_region_code(f->region);
         Session s(*g);
         absl::StatusOr<v1::Statistics> r = s.stats().GetStatistics(req);
         if (!r.ok()) return s.Fail(r.status());
         if (!f->chart.empty()) {
           if (absl::Status w = WriteFileAtomically(f->chart, RenderStatisticsChart(*r)); !w.ok()) {
             return s.Fail(w);
           }
           std::cerr << "Chart written to " << f->chart << "\n";
         }
         return s.Emit(*r, {}, "", &PrintStatisticsTable);
       }});
}

}  // namespace stats_commands_impl

std::vector<Command> AddStatsCommands(CLI::App* app, const GlobalFlags* globals) {
  using namespace stats_commands_impl;
  std::vector<Command> out;
  AddStats(app, globals, &out);
  return out;
}

}  // namespace odr::cli

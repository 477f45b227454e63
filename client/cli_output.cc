#include "client/cli_output.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "client/case_client.h"
#include "client/cli_input.h"
#include "server/domain/validation.h"

namespace odr::cli {
namespace {

bool IsWide(uint32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
         (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
         (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

bool IsZeroWidth(uint32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE00 && c <= 0xFE0F);
}

std::string PadRight(absl::string_view s, int width) {
  std::string out(s);
  out.append(std::max(0, width - DisplayWidth(s)), ' ');
  return out;
}

std::string PadLeft(absl::string_view s, int width) {
  return absl::StrCat(std::string(std::max(0, width - DisplayWidth(s)), ' '), s);
}

// Replaces line breaks by spaces so that a value stays on its line, and escapes the other control
// and bidirectional characters.
std::string OneLine(absl::string_view s) { return TerminalText(s, /*keep_newlines=*/false); }

std::string Dash(std::string s) { return s.empty() ? "-" : s; }

std::string PartyNames(const google::protobuf::RepeatedPtrField<v1::Party>& parties) {
  std::vector<std::string> names;
  for (const v1::Party& p : parties) {
    std::string n = OneLine(p.name());
    if (p.agents_size() > 0) {
      std::vector<std::string> agents;
      for (const v1::Agent& a : p.agents()) {
        // CPL Art. 62: only such an agent may sign or refuse the agreement for the party.
        agents.push_back(a.special_authority()
                             ? absl::StrCat(OneLine(a.name()), " (special authority)")
                             : OneLine(a.name()));
      }
      absl::StrAppend(&n, " (agent: ", absl::StrJoin(agents, ", "), ")");
    }
    names.push_back(std::move(n));
  }
  return absl::StrJoin(names, ", ");
}

std::string SourceText(const v1::Case& c) {
  if (c.source().has_court_diversion()) {
    const v1::CourtDiversion& d = c.source().court_diversion();
    std::string text = "court diversion";
    // odrd shows the intake reference to court roles only.
    if (!d.intake_reference().empty()) {
      absl::StrAppend(&text, ", intake ref ", OneLine(d.intake_reference()));
    }
    if (!d.diversion_date().empty()) absl::StrAppend(&text, ", ", d.diversion_date());
    return text;
  }
  if (c.source().has_citizen_application()) return "citizen application";
  return "";
}

// "PRE_FILING_DIVERSION" for ROUTE_PRE_FILING_DIVERSION; empty for ROUTE_UNSPECIFIED.
std::string RouteName(v1::Route route) {
  return EnumValueShortName(v1::Route_descriptor(), route, "ROUTE_");
}

// "TRIAL_RESUMED" for CaseEnding::KIND_TRIAL_RESUMED; empty for KIND_UNSPECIFIED.
std::string EndingKindName(v1::CaseEnding::Kind kind) {
  return EnumValueShortName(v1::CaseEnding::Kind_descriptor(), kind, "KIND_");
}

// The rows of a case's ending (when it has one): kind, why it failed or the court's note, the
// cost conduct and the court document when recorded, who recorded it and when.
std::vector<std::pair<std::string, std::string>> EndingRows(const v1::Case& c) {
  if (!c.has_ending()) return {};
  const v1::CaseEnding& e = c.ending();
  const bool by_court = e.kind() == v1::CaseEnding::KIND_MEDIATION_STATEMENT ||
                        e.kind() == v1::CaseEnding::KIND_SUIT_WITHDRAWN;
  std::vector<std::pair<std::string, std::string>> rows = {{"Ending", EndingKindName(e.kind())}};
  if (!e.reason().empty()) {
    rows.push_back({by_court ? "Court's note" : "Why it failed", e.reason()});
  }
  if (!e.cost_conduct().empty()) rows.push_back({"Cost conduct", e.cost_conduct()});
  if (!e.court_document().empty()) rows.push_back({"Document", e.court_document()});
  rows.push_back({"Ended by", e.actor()});
  rows.push_back({"Ended at", FormatTimestamp(e.record_time())});
  return rows;
}

// The diverted-case table's narrow ROUTE column: PRE_FILING, POST_FILING.
std::string RouteColumn(v1::Route route) {
  switch (route) {
    case v1::ROUTE_PRE_FILING_DIVERSION:
      return "PRE_FILING";
    case v1::ROUTE_POST_FILING_ENTRUSTMENT:
      return "POST_FILING";
    default:
      return RouteName(route);
  }
}

// "courts/zhuji (诸暨市人民法院)".
std::string CourtText(const v1::CourtDiversion& d) {
  std::string text = OneLine(d.court());
  if (!d.court_display_name().empty()) {
    absl::StrAppend(&text, " (", OneLine(d.court_display_name()), ")");
  }
  return text;
}

// "CaseService/GetCase" for "/odr.v1.CaseService/GetCase".
std::string ShortMethod(absl::string_view method) {
  absl::ConsumePrefix(&method, "/");
  absl::ConsumePrefix(&method, "odr.v1.");
  return std::string(method);
}

// `cases/abc/events/7` -> `7`.
std::string LastSegment(absl::string_view name) {
  size_t slash = name.rfind('/');
  return std::string(slash == absl::string_view::npos ? name : name.substr(slash + 1));
}

// Every mediator assignment, one a line under a header: MEDIATOR STATE METHOD REASON. Empty if
// there are none.
std::string AssignmentsText(
    const google::protobuf::RepeatedPtrField<v1::MediatorAssignment>& assignments) {
  if (assignments.empty()) return "";
  TextTable table({"MEDIATOR", "STATE", "METHOD", "REASON"});
  for (const v1::MediatorAssignment& a : assignments) {
    table.AddRow({a.mediator(), Dash(AssignmentStateShortName(a.state())),
                  Dash(AssignmentMethodShortName(a.method())), a.reason()});
  }
  std::ostringstream text;
  table.Print(text);
  std::string s = text.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// "MEDICAL, LABOUR".
std::string DisputeTypes(const google::protobuf::RepeatedField<int>& types,
                         absl::string_view separator = ", ") {
  std::vector<std::string> names;
  for (int t : types) names.push_back(DisputeTypeShortName(static_cast<v1::DisputeType>(t)));
  return absl::StrJoin(names, separator);
}

void PrintNextPage(absl::string_view token, std::ostream& out) {
  if (token.empty()) return;
  out << "\nMore: repeat the command with --page-token " << token << " (or with --all)\n";
}

// "field: description; field: description", the way odrd writes INVALID_ARGUMENT messages.
std::string JoinedViolations(const v1::ErrorDetails& details) {
  std::vector<std::string> parts;
  for (const v1::FieldViolation& f : details.field_violations()) {
    parts.push_back(absl::StrCat(f.field(), ": ", f.description()));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kUnauthenticated:
      return kExitUnauthenticated;
    default:
      return kExitFailure;
  }
}

void PrintJson(const google::protobuf::Message& message, std::ostream& out) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) json = "{}";  // Cannot happen for odr.v1 messages.
  out << json;
  if (json.empty() || json.back() != '\n') out << '\n';
}

std::string FormatTimestamp(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  absl::Time time = absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%S%Ez", time, absl::LocalTimeZone());
}

std::string TerminalText(absl::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    const int32_t cp = domain::DecodeUtf8CodePoint(text, &i);
    if (cp < 0) {
      absl::StrAppendFormat(&out, "\\x%02x",
                            static_cast<unsigned>(static_cast<unsigned char>(text[start])));
    } else if (cp == '\r' && i < text.size() && text[i] == '\n') {
      // CR LF is a line break: the LF that follows makes it.
    } else if (cp == '\n') {
      out.push_back(keep_newlines ? '\n' : ' ');
    } else if (!domain::IsControlOrBidiCodePoint(cp)) {
      out.append(text.data() + start, i - start);
    } else if (cp == '\t') {
      out.append("\\t");
    } else if (cp == '\r') {
      out.append("\\r");
    } else if (cp < 0x80) {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned>(cp));
    } else {
      absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned>(cp));
    }
  }
  return out;
}

int DisplayWidth(absl::string_view s) {
  int width = 0;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      ++width;
      ++i;
      continue;
    }
    uint32_t c = len == 1 ? b : b & (0x7F >> len);
    bool valid = true;
    for (int k = 1; k < len; ++k) {
      const auto cont = static_cast<unsigned char>(s[i + k]);
      if ((cont & 0xC0) != 0x80) valid = false;
      c = (c << 6) | (cont & 0x3F);
    }
    if (!valid) {
      ++width;
      ++i;
      continue;
    }
    i += len;
    width += IsZeroWidth(c) ? 0 : IsWide(c) ? 2 : 1;
  }
  return width;
}

TextTable::TextTable(std::vector<std::string> header, std::vector<int> right_aligned)
    : right_aligned_(std::move(right_aligned)) {
  rows_.push_back(std::move(header));
}

void TextTable::AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

void TextTable::Print(std::ostream& out) const {
  const size_t columns = rows_.front().size();
  // Every cell as it is shown: on one line, control and bidirectional characters escaped.
  std::vector<std::vector<std::string>> shown;
  shown.reserve(rows_.size());
  for (const auto& row : rows_) {
    std::vector<std::string> cells(columns);
    for (size_t i = 0; i < columns && i < row.size(); ++i) cells[i] = OneLine(row[i]);
    shown.push_back(std::move(cells));
  }
  std::vector<int> widths(columns, 0);
  for (const auto& row : shown) {
    for (size_t i = 0; i < columns; ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  for (const auto& row : shown) {
    std::string line;
    for (size_t i = 0; i < columns; ++i) {
      const std::string& cell = row[i];
      const bool right = std::find(right_aligned_.begin(), right_aligned_.end(),
                                   static_cast<int>(i)) != right_aligned_.end();
      if (i > 0) line += "  ";
      if (right) {
        line += PadLeft(cell, widths[i]);
      } else if (i + 1 < columns) {
        line += PadRight(cell, widths[i]);
      } else {
        line += cell;
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

void PrintCaseTable(const v1::Case& c, std::ostream& out) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Name", c.name()},
      {"Case number", c.case_number()},
      {"State", StateShortName(c.state())},
      {"Type", DisputeTypeShortName(c.dispute_type())},
      {"Language", c.language()},
      {"Organization", c.organization()},
      {"Mediators", absl::StrJoin(c.mediators(), ", ")},
      {"Assignments", AssignmentsText(c.mediator_assignments())},
      {"Applicants", PartyNames(c.applicants())},
      {"Respondents", PartyNames(c.respondents())},
      {"Amount (yuan)", FormatFen(c.amount_fen())},
      {"Region", c.region_code()},
      {"Source", SourceText(c)},
  };
  if (c.source().has_court_diversion()) {
    rows.push_back({"Court", CourtText(c.source().court_diversion())});
  }
  if (c.route() != v1::ROUTE_UNSPECIFIED) rows.push_back({"Route", RouteName(c.route())});
  for (auto& row : EndingRows(c)) rows.push_back(std::move(row));
  rows.insert(rows.end(), {
                              {"Created", FormatTimestamp(c.create_time())},
                              {"Updated", FormatTimestamp(c.update_time())},
                              {"Etag", c.etag()},
                              {"Summary", c.summary()},
                              {"Claims", c.claims()},
                          });
  PrintKeyValues(rows, out);
}

void PrintRecommendationTable(const v1::RecommendMediatorsResponse& response, std::ostream& out) {
  if (response.recommendations_size() == 0) {
    out << "No mediator is available for this case: suspended and full mediators, those with a "
           "conflict, and those already proposed, declined or replaced for it are left out.\n";
    return;
  }
  TextTable table({"RANK", "MEDIATOR", "SCORE", "REASONS"}, {0, 2});
  int rank = 0;
  for (const v1::MediatorRecommendation& r : response.recommendations()) {
    std::string mediator = r.mediator();
    if (!r.display_name().empty()) absl::StrAppend(&mediator, " (", r.display_name(), ")");
    table.AddRow({absl::StrCat(++rank), mediator, absl::StrFormat("%.3f", r.score()),
                  absl::StrJoin(r.reasons(), "; ")});
  }
  table.Print(out);
}

void PrintOrganizationTable(const v1::Organization& o, std::ostream& out) {
  PrintKeyValues({{"Name", o.name()},
                  {"Display name", o.display_name()},
                  {"Kind", OrganizationKindShortName(o.kind())},
                  {"Region", o.region_code()},
                  {"Court", o.affiliated_court()},
                  {"Created", FormatTimestamp(o.create_time())},
                  {"Etag", o.etag()}},
                 out);
}

void PrintOrganizationListTable(const v1::ListOrganizationsResponse& response, std::ostream& out) {
  if (response.organizations_size() == 0) {
    out << "No organizations found.\n";
  } else {
    TextTable table({"NAME", "DISPLAY NAME", "KIND", "REGION", "COURT"});
    for (const v1::Organization& o : response.organizations()) {
      table.AddRow({o.name(), o.display_name(), OrganizationKindShortName(o.kind()),
                    o.region_code(), Dash(o.affiliated_court())});
    }
    table.Print(out);
  }
  PrintNextPage(response.next_page_token(), out);
}

void PrintMediatorTable(const v1::Mediator& m, std::ostream& out) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Name", m.name()},
      {"Display name", m.display_name()},
      {"State", MediatorStateShortName(m.state())},
      {"Principal", m.principal()},
      {"Specialties", DisputeTypes(m.specialties())},
      {"Languages", absl::StrJoin(m.languages(), ", ")},
      {"Region", m.region_code()},
      {"Employment", EmploymentShortName(m.employment())},
      {"Fee (yuan)", FormatFen(m.fee_fen())},
      {"Load", absl::StrCat(m.active_cases(), " of ", m.max_concurrent_cases(), " cases")},
      {"Recent",
       absl::StrCat(m.recent_settled(), " settled of ", m.recent_ended(), " ended (365 days)")},
  };
  if (m.has_private_details()) {
    const v1::Mediator::PrivateDetails& p = m.private_details();
    absl::string_view type = v1::IdDocumentType_Name(p.id_document_type());
    absl::ConsumePrefix(&type, "ID_DOCUMENT_TYPE_");
    const int related = p.related_id_numbers_size();
    rows.push_back(
        {"Private", absl::StrCat("on file (", type, ", phone, ", related,
                                 related == 1 ? " related ID number)" : " related ID numbers)")});
  }
  rows.push_back({"Etag", m.etag()});
  rows.push_back({"Profile", m.profile()});
  PrintKeyValues(rows, out);
}

void PrintMediatorListTable(const v1::ListMediatorsResponse& response, std::ostream& out) {
  if (response.mediators_size() == 0) {
    out << "No mediators found.\n";
  } else {
    TextTable table({"NAME", "DISPLAY NAME", "STATE", "SPECIALTIES", "LANGUAGES", "REGION", "LOAD",
                     "FEE(YUAN)"},
                    {6, 7});
    for (const v1::Mediator& m : response.mediators()) {
      table.AddRow({m.name(), m.display_name(), MediatorStateShortName(m.state()),
                    DisputeTypes(m.specialties(), ","), absl::StrJoin(m.languages(), ","),
                    m.region_code(), absl::StrCat(m.active_cases(), "/", m.max_concurrent_cases()),
                    FormatFen(m.fee_fen())});
    }
    table.Print(out);
  }
  PrintNextPage(response.next_page_token(), out);
}

void PrintPoolTable(const v1::Pool& p, std::ostream& out) {
  PrintKeyValues(
      {{"Name", p.name()},
       {"Display name", p.display_name()},
       {"Types", p.dispute_types().empty() ? "all" : DisputeTypes(p.dispute_types())},
       {"Regions", p.region_codes().empty() ? "all" : absl::StrJoin(p.region_codes(), ", ")},
       {"Mediators", absl::StrJoin(p.mediators(), "\n")},
       {"Etag", p.etag()}},
      out);
}

void PrintPoolListTable(const v1::ListPoolsResponse& response, std::ostream& out) {
  if (response.pools_size() == 0) {
    out << "No pools found.\n";
  } else {
    TextTable table({"NAME", "DISPLAY NAME", "TYPES", "REGIONS", "MEDIATORS"}, {4});
    for (const v1::Pool& p : response.pools()) {
      table.AddRow({p.name(), p.display_name(),
                    p.dispute_types().empty() ? "all" : DisputeTypes(p.dispute_types(), ","),
                    p.region_codes().empty() ? "all" : absl::StrJoin(p.region_codes(), ","),
                    absl::StrCat(p.mediators_size())});
    }
    table.Print(out);
  }
  PrintNextPage(response.next_page_token(), out);
}

std::string HumanBytes(int64_t bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  return unit == 0 ? absl::StrCat(bytes, " B") : absl::StrFormat("%.1f %s", v, kUnits[unit]);
}

namespace {

std::string EnumShortName(const std::string& name, absl::string_view prefix) {
  absl::string_view short_name = name;
  absl::ConsumePrefix(&short_name, prefix);
  return absl::AsciiStrToLower(short_name);
}

}  // namespace

void PrintEvidenceTable(const v1::Evidence& e, std::ostream& out) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Name", e.name()},
      {"File name", e.file_name()},
      {"Media type", e.media_type()},
      {"Size", absl::StrCat(HumanBytes(e.size_bytes()), " (", e.size_bytes(), " bytes)")},
      {"SHA-256", e.sha256()},
      {"Visibility", EnumShortName(v1::Evidence::Visibility_Name(e.visibility()), "VISIBILITY_")},
      {"State", EnumShortName(v1::Evidence::State_Name(e.state()), "STATE_")},
      {"Uploader", absl::StrCat(e.uploader(), " (", RoleShortName(e.uploader_role()), ")")},
      {"Created", FormatTimestamp(e.create_time())},
      {"Log index", absl::StrCat(e.log_index())}};
  if (!e.description().empty()) rows.insert(rows.begin() + 3, {"Description", e.description()});
  if (e.state() == v1::Evidence::STATE_WITHDRAWN) {
    rows.push_back({"Withdrawn", FormatTimestamp(e.withdraw_time())});
    rows.push_back({"Reason", e.withdraw_reason()});
  }
  PrintKeyValues(rows, out);
}

void PrintEvidenceListTable(const v1::ListEvidenceResponse& response, std::ostream& out) {
  if (response.evidence_size() == 0) {
    out << "No evidence found.\n";
  } else {
    TextTable table({"NAME", "FILE", "TYPE", "SIZE", "VISIBILITY", "STATE", "CREATED"}, {3});
    for (const v1::Evidence& e : response.evidence()) {
      table.AddRow({e.name(), e.file_name(), e.media_type(), HumanBytes(e.size_bytes()),
                    EnumShortName(v1::Evidence::Visibility_Name(e.visibility()), "VISIBILITY_"),
                    EnumShortName(v1::Evidence::State_Name(e.state()), "STATE_"),
                    FormatTimestamp(e.create_time())});
    }
    table.Print(out);
  }
  PrintNextPage(response.next_page_token(), out);
}

std::string FormatChinaTime(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%S%Ez", FromTimestamp(t), ChinaTimeZone());
}

std::string CompactJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.preserve_proto_field_names = false;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) json = "{}";
  while (!json.empty() && json.back() == '\n') json.pop_back();
  return json;
}

namespace {

// "Mon" for a time, in China time.
std::string ChinaWeekday(const google::protobuf::Timestamp& t) {
  static constexpr const char* kNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  const absl::CivilDay day = absl::ToCivilDay(FromTimestamp(t), ChinaTimeZone());
  return kNames[static_cast<int>(absl::GetWeekday(day))];
}

// "1h30m" for the time between two timestamps; empty if either is unset.
std::string Length(const google::protobuf::Timestamp& start,
                   const google::protobuf::Timestamp& end) {
  if (start.seconds() == 0 || end.seconds() == 0) return "";
  return absl::FormatDuration(FromTimestamp(end) - FromTimestamp(start));
}

// "2031-03-04T09:00:00+08:00 to 2031-03-04T10:00:00+08:00".
std::string Span(const google::protobuf::Timestamp& start, const google::protobuf::Timestamp& end) {
  return absl::StrCat(FormatChinaTime(start), " to ", FormatChinaTime(end));
}

std::string WeeklyHoursText(const google::protobuf::RepeatedPtrField<v1::WeeklyHours>& hours) {
  std::vector<std::string> lines;
  for (int day = v1::DAY_OF_WEEK_MONDAY; day <= v1::DAY_OF_WEEK_SUNDAY; ++day) {
    std::vector<std::string> intervals;
    for (const v1::WeeklyHours& h : hours) {
      if (h.day() == day) intervals.push_back(absl::StrCat(h.start_time(), "-", h.end_time()));
    }
    if (!intervals.empty()) {
      lines.push_back(absl::StrCat(DayOfWeekShortName(static_cast<v1::DayOfWeek>(day)), "  ",
                                   absl::StrJoin(intervals, ", ")));
    }
  }
  return lines.empty() ? "none" : absl::StrJoin(lines, "\n");
}

}  // namespace

void PrintAvailabilityTable(const v1::MediatorAvailability& a, std::ostream& out) {
  std::vector<std::string> leave;
  for (const v1::Leave& l : a.leave()) {
    std::string line = Span(l.start_time(), l.end_time());
    if (!l.reason().empty()) absl::StrAppend(&line, "  ", OneLine(l.reason()));
    leave.push_back(std::move(line));
  }
  PrintKeyValues({{"Name", a.name()},
                  {"Time zone", a.time_zone()},
                  {"Weekly hours", WeeklyHoursText(a.weekly_hours())},
                  {"Leave", leave.empty() ? "none" : absl::StrJoin(leave, "\n")},
                  {"Updated", FormatChinaTime(a.update_time())},
                  {"Etag", a.etag()}},
                 out);
}

void PrintSlotsTable(const v1::FindSlotsResponse& response, std::ostream& out) {
  if (response.slots_size() == 0) {
    out << "No free slot in this window: outside the mediator's working hours, on leave, on a "
           "holiday, or booked.\n";
    return;
  }
  TextTable table({"DAY", "START", "END"});
  for (const v1::TimeSlot& slot : response.slots()) {
    table.AddRow({ChinaWeekday(slot.start_time()), FormatChinaTime(slot.start_time()),
                  FormatChinaTime(slot.end_time())});
  }
  table.Print(out);
}

void PrintAppointmentTable(const v1::Appointment& a, std::ostream& out) {
  std::vector<std::string> participants;
  for (const v1::AppointmentParticipant& p : a.participants()) {
    std::string line = p.participant();
    const std::string attendance = AttendanceShortName(p.attendance());
    if (!attendance.empty()) absl::StrAppend(&line, "  ", attendance);
    if (!p.join_uri().empty()) absl::StrAppend(&line, "  join: ", p.join_uri());
    participants.push_back(std::move(line));
  }
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Name", a.name()},
      {"Kind", AppointmentKindShortName(a.kind())},
      {"State", AppointmentStateShortName(a.state())},
      {"Start",
       absl::StrCat(FormatChinaTime(a.start_time()), " (", ChinaWeekday(a.start_time()), ")")},
      {"End", FormatChinaTime(a.end_time())},
      {"Length", Length(a.start_time(), a.end_time())},
  };
  if (!a.location().empty()) rows.push_back({"Location", a.location()});
  rows.insert(rows.end(), {{"Mediator", a.mediator()},
                           {"Participants", absl::StrJoin(participants, "\n")},
                           {"Booked by", a.booked_by()}});
  if (a.state() == v1::Appointment::STATE_CANCELLED) {
    rows.push_back({"Cancel reason", a.cancel_reason()});
  }
  rows.insert(rows.end(), {{"Created", FormatChinaTime(a.create_time())},
                           {"Updated", FormatChinaTime(a.update_time())},
                           {"Etag", a.etag()}});
  PrintKeyValues(rows, out);
}

void PrintAppointmentListTable(const v1::ListAppointmentsResponse& response, std::ostream& out) {
  if (response.appointments_size() == 0) {
    out << "No appointments found.\n";
  } else {
    TextTable table({"NAME", "KIND", "STATE", "START", "END", "PARTICIPANTS"});
    for (const v1::Appointment& a : response.appointments()) {
      std::vector<std::string> participants;
      for (const v1::AppointmentParticipant& p : a.participants()) {
        participants.push_back(p.participant());
      }
      table.AddRow({a.name(), AppointmentKindShortName(a.kind()),
                    AppointmentStateShortName(a.state()), FormatChinaTime(a.start_time()),
                    FormatChinaTime(a.end_time()), absl::StrJoin(participants, ",")});
    }
    table.Print(out);
  }
  PrintNextPage(response.next_page_token(), out);
}

namespace {

// "3 working days", "30 days".
std::string DeadlineLength(const v1::Deadline& d) {
  return absl::StrCat(d.length(), d.working_days() ? " working day" : " day",
                      d.length() == 1 ? "" : "s");
}

}  // namespace

void PrintDeadlineTable(const v1::Deadline& d, std::ostream& out) {
  std::string due = FormatChinaTime(d.due_time());
  if (d.provisional()) {
    absl::StrAppend(&due,
                    " (provisional: counted without the holidays of a year not loaded; "
                    "'odrd admin load-calendar')");
  }
  std::string warn = FormatChinaTime(d.warn_time());
  if (d.warned()) absl::StrAppend(&warn, " (given)");
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Name", d.name()},
      {"Kind", DeadlineKindShortName(d.kind())},
      {"State", DeadlineStateShortName(d.state())},
      {"Legal basis", d.legal_basis()},
      {"Length", DeadlineLength(d)},
      {"Started", FormatChinaTime(d.start_time())},
      {"Due", due},
      {"Warning", warn},
  };
  if (d.extension_days() > 0)
    rows.push_back({"Extended", absl::StrCat(d.extension_days(), " days")});
  if (d.paused_days() > 0) rows.push_back({"Paused", absl::StrCat(d.paused_days(), " days")});
  if (!d.subject().empty()) rows.push_back({"Subject", d.subject()});
  PrintKeyValues(rows, out);
}

void PrintDeadlineListTable(const v1::ListDeadlinesResponse& response, std::ostream& out) {
  if (response.deadlines_size() == 0) {
    out << "No deadlines found.\n";
    return;
  }
  TextTable table({"KIND", "STATE", "STARTED", "DUE", "LENGTH", "BASIS", "NAME"});
  bool provisional = false;
  for (const v1::Deadline& d : response.deadlines()) {
    std::string length = DeadlineLength(d);
    if (d.extension_days() > 0) absl::StrAppend(&length, " +", d.extension_days());
    if (d.paused_days() > 0) absl::StrAppend(&length, " (paused ", d.paused_days(), ")");
    table.AddRow({DeadlineKindShortName(d.kind()), DeadlineStateShortName(d.state()),
                  FormatChinaTime(d.start_time()),
                  absl::StrCat(FormatChinaTime(d.due_time()), d.provisional() ? "*" : ""), length,
                  d.legal_basis(), d.name()});
    provisional = provisional || d.provisional();
  }
  table.Print(out);
  if (provisional) {
    out << "\n* provisional: counted without the public holidays of a year that odrd has not "
           "loaded (weekends only); 'odrd admin load-calendar' loads it.\n";
  }
}

namespace {

// A table as text, without the final newline (a value of PrintKeyValues).
std::string TableText(const TextTable& table) {
  std::ostringstream text;
  table.Print(text);
  std::string s = text.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::string AgreementStateName(v1::Agreement::State state) {
  return EnumValueShortName(v1::Agreement::State_descriptor(), state, "STATE_");
}

std::string ConfirmationStateName(v1::Confirmation::State state) {
  return EnumValueShortName(v1::Confirmation::State_descriptor(), state, "STATE_");
}

// "INVITING_COURT, ORGANIZATION".
std::string BasesText(const google::protobuf::RepeatedField<int>& bases) {
  std::vector<std::string> names;
  for (int b : bases) {
    names.push_back(EnumValueShortName(v1::CompetenceBasis_descriptor(), b, "COMPETENCE_BASIS_"));
  }
  return absl::StrJoin(names, ", ");
}

// "courts/zhuji (诸暨市人民法院)".
std::string CourtWithName(absl::string_view court, absl::string_view display_name) {
  if (display_name.empty()) return std::string(court);
  return absl::StrCat(court, " (", OneLine(display_name), ")");
}

// One line per party: "applicants/0  张三  NATURAL_PERSON  RESIDENT_ID_CARD 110...  phone address".
std::string AgreementPartiesText(const google::protobuf::RepeatedPtrField<v1::AgreementParty>& ps) {
  std::vector<std::string> lines;
  for (const v1::AgreementParty& p : ps) {
    std::vector<std::string> fields = {
        p.party(),
        OneLine(p.name()),
        EnumValueShortName(v1::PartyKind_descriptor(), p.kind(), "PARTY_KIND_"),
        std::string(absl::StripAsciiWhitespace(
            absl::StrCat(EnumValueShortName(v1::IdDocumentType_descriptor(), p.id_document_type(),
                                            "ID_DOCUMENT_TYPE_"),
                         " ", p.id_number()))),
        p.phone(),
        OneLine(p.service_address())};
    for (std::string& f : fields) f = Dash(std::move(f));
    lines.push_back(absl::StrJoin(fields, "  "));
  }
  return absl::StrJoin(lines, "\n");
}

std::string TermsText(const google::protobuf::RepeatedPtrField<v1::AgreementTerm>& terms) {
  if (terms.empty()) return "";
  TextTable table({"#", "KIND", "OBLIGOR", "BY", "METHOD", "DESCRIPTION"}, {0});
  int i = 0;
  for (const v1::AgreementTerm& t : terms) {
    table.AddRow({absl::StrCat(i++),
                  EnumValueShortName(v1::AgreementTerm::Kind_descriptor(), t.kind(), "KIND_"),
                  t.obligor(), t.deadline_date(), t.method(), t.description()});
  }
  return TableText(table);
}

std::string InstalmentsText(const google::protobuf::RepeatedPtrField<v1::Instalment>& instalments) {
  if (instalments.empty()) return "none";
  TextTable table({"#", "DUE", "AMOUNT(YUAN)", "PAID(YUAN)", "PAYER", "PAYEE", "STATE", "PAID ON"},
                  {0, 2, 3});
  int i = 0;
  for (const v1::Instalment& in : instalments) {
    table.AddRow(
        {absl::StrCat(i++), in.due_date(), FormatFen(in.amount_fen()), FormatFen(in.paid_fen()),
         in.payer(), in.payee(),
         Dash(EnumValueShortName(v1::Instalment::State_descriptor(), in.state(), "STATE_")),
         Dash(FormatChinaTime(in.paid_time()))});
  }
  return TableText(table);
}

// One line per signature: signer, role, the account that signed, when, the key.
std::string SignaturesText(
    const google::protobuf::RepeatedPtrField<v1::AgreementSignature>& signatures) {
  if (signatures.empty()) return "none";
  std::vector<std::string> lines;
  for (const v1::AgreementSignature& sig : signatures) {
    std::string line = absl::StrCat(
        sig.signer(), "  ",
        Dash(EnumValueShortName(v1::AgreementSignature::Role_descriptor(), sig.role(), "ROLE_")));
    if (!sig.principal().empty() && sig.principal() != sig.signer()) {
      absl::StrAppend(&line, "  by ", sig.principal());
    }
    absl::StrAppend(&line, "  ", Dash(FormatChinaTime(sig.sign_time())), "  key ",
                    Dash(sig.key_id()));
    lines.push_back(std::move(line));
  }
  return absl::StrJoin(lines, "\n");
}

// "parties signed (OMR Art. 19)" for EFFECT_RULE_PARTIES_SIGNED; empty for UNSPECIFIED; the
// value's short name for one this build does not know.
std::string EffectRuleText(v1::Agreement::EffectRule rule) {
  switch (rule) {
    case v1::Agreement::EFFECT_RULE_PARTIES_SIGNED:
      return "parties signed (OMR Art. 19)";
    case v1::Agreement::EFFECT_RULE_ALL_SIGNED:
      return "all signed (PML Art. 29)";
    default:
      return EnumValueShortName(v1::Agreement::EffectRule_descriptor(), rule, "EFFECT_RULE_");
  }
}

// Who still has to sign: of a draft, everyone who has not; of an effective agreement, the
// mediator's signature or the organization's seal its form still lacks (OMR Art. 19).
std::string PendingText(const v1::Agreement& a) {
  if (a.pending_signers().empty()) return "nobody";
  const std::string who = absl::StrJoin(a.pending_signers(), ", ");
  if (a.state() == v1::Agreement::STATE_EFFECTIVE) return absl::StrCat("form incomplete: ", who);
  return who;
}

}  // namespace

void PrintAgreementTable(const v1::Agreement& a, std::ostream& out) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Name", a.name()},
      {"Revision", absl::StrCat(a.revision())},
      {"State", AgreementStateName(a.state())},
      {"Parties", AgreementPartiesText(a.parties())},
      {"Terms", TermsText(a.terms())},
      {"Instalments", InstalmentsText(a.instalments())},
      {"Signatures", SignaturesText(a.signatures())},
      {"Pending", PendingText(a)},
  };
  if (a.effect_rule() != v1::Agreement::EFFECT_RULE_UNSPECIFIED) {
    rows.push_back({"Effect rule", EffectRuleText(a.effect_rule())});
  }
  rows.insert(rows.end(), {{"Content hash", a.content_hash()},
                           {"Created", FormatChinaTime(a.create_time())},
                           {"Updated", FormatChinaTime(a.update_time())}});
  if (a.has_effective_time()) rows.push_back({"Effective", FormatChinaTime(a.effective_time())});
  if (a.has_service_time()) rows.push_back({"Served", FormatChinaTime(a.service_time())});
  if (a.has_court_filing_time()) {
    rows.push_back({"Filed with court", FormatChinaTime(a.court_filing_time())});
  }
  rows.insert(rows.end(), {{"Etag", a.etag()},
                           {"Facts", a.facts()},
                           {"Issues", a.issues()},
                           {"Responsibilities", a.responsibilities()}});
  PrintKeyValues(rows, out);
}

void PrintAgreementListTable(const v1::ListAgreementsResponse& response, std::ostream& out) {
  if (response.agreements_size() == 0) {
    out << "No agreements found.\n";
    return;
  }
  TextTable table({"NAME", "REV", "STATE", "SIGNED", "UPDATED", "PENDING"}, {1, 3});
  for (const v1::Agreement& a : response.agreements()) {
    table.AddRow({a.name(), absl::StrCat(a.revision()), AgreementStateName(a.state()),
                  absl::StrCat(a.signatures_size()), FormatChinaTime(a.update_time()),
                  Dash(absl::StrJoin(a.pending_signers(), ","))});
  }
  table.Print(out);
}

void PrintOfferTable(const v1::Offer& o, std::ostream& out) {
  PrintKeyValues({{"Name", o.name()},
                  {"Offered by", o.offered_by()},
                  {"Amount (yuan)", o.amount_fen() == 0 ? "none" : FormatFen(o.amount_fen())},
                  {"Recorded by", o.recorded_by()},
                  {"Created", FormatChinaTime(o.create_time())},
                  {"Text", o.text()}},
                 out);
}

void PrintOfferListTable(const v1::ListOffersResponse& response, std::ostream& out) {
  if (response.offers_size() == 0) {
    out << "No offers found.\n";
    return;
  }
  TextTable table({"NAME", "BY", "AMOUNT(YUAN)", "CREATED", "TEXT"}, {2});
  for (const v1::Offer& o : response.offers()) {
    table.AddRow({o.name(), o.offered_by(), o.amount_fen() == 0 ? "-" : FormatFen(o.amount_fen()),
                  FormatChinaTime(o.create_time()), o.text()});
  }
  table.Print(out);
}

void PrintRecordTable(const v1::ProcedureRecord& r, std::ostream& out) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Name", r.name()},
      {"Kind", EnumValueShortName(v1::ProcedureRecord::Kind_descriptor(), r.kind(), "KIND_")}};
  if (!r.party().empty()) rows.push_back({"Party", r.party()});
  if (!r.mediator().empty()) rows.push_back({"Mediator", r.mediator()});
  if (!r.appointment().empty()) rows.push_back({"Appointment", r.appointment()});
  if (r.kind() == v1::ProcedureRecord::KIND_RECUSAL_DECIDED) {
    rows.push_back({"Granted", r.granted() ? "yes" : "no"});
  }
  rows.push_back({"Manner", Dash(r.manner())});
  rows.push_back({"Detail", Dash(r.detail())});
  rows.push_back({"Recorded by", r.recorded_by()});
  rows.push_back({"Recorded", FormatChinaTime(r.record_time())});
  PrintKeyValues(rows, out);
}

void PrintRecordListTable(const v1::ListProcedureRecordsResponse& response, std::ostream& out) {
  if (response.records_size() == 0) {
    out << "No records found.\n";
    return;
  }
  TextTable table({"NAME", "KIND", "PARTY/MEDIATOR", "RECORDED", "BY", "MANNER"}, {5});
  for (const v1::ProcedureRecord& r : response.records()) {
    table.AddRow({r.name(),
                  EnumValueShortName(v1::ProcedureRecord::Kind_descriptor(), r.kind(), "KIND_"),
                  Dash(r.party().empty() ? r.mediator() : r.party()),
                  FormatChinaTime(r.record_time()), r.recorded_by(), Dash(r.manner())});
  }
  table.Print(out);
}

void PrintConfirmationTable(const v1::Confirmation& c, std::ostream& out) {
  std::vector<std::string> materials;
  for (const v1::ConfirmationMaterial& m : c.materials()) {
    materials.push_back(absl::StrCat(
        m.evidence(), "  ",
        Dash(EnumValueShortName(v1::ConfirmationMaterial::Kind_descriptor(), m.kind(), "KIND_"))));
  }
  std::vector<std::pair<std::string, std::string>> rows = {{"Name", c.name()}};
  if (!c.case_number().empty()) rows.push_back({"Case number", c.case_number()});
  rows.insert(rows.end(),
              {
                  {"State", ConfirmationStateName(c.state())},
                  {"Agreement", c.agreement()},
                  {"Court", CourtWithName(c.court(), c.court_display_name())},
                  {"Competence", BasesText(c.bases())},
                  {"Materials", materials.empty() ? "none" : absl::StrJoin(materials, "\n")},
                  {"Consented", absl::StrJoin(c.consented_parties(), ", ")},
                  {"Submitted", FormatChinaTime(c.submit_time())},
                  {"Accept by", FormatChinaTime(c.accept_due_time())},
                  {"Accepted", FormatChinaTime(c.accept_time())},
                  {"Rule by", FormatChinaTime(c.ruling_due_time())},
                  {"Decided", FormatChinaTime(c.decision_time())},
              });
  if (c.refusal_ground() != v1::REFUSAL_GROUND_UNSPECIFIED) {
    rows.push_back({"Refusal ground", EnumValueShortName(v1::RefusalGround_descriptor(),
                                                         c.refusal_ground(), "REFUSAL_GROUND_")});
  }
  if (!c.rejection_grounds().empty()) {
    std::vector<std::string> grounds;
    for (int g : c.rejection_grounds()) {
      grounds.push_back(
          EnumValueShortName(v1::RejectionGround_descriptor(), g, "REJECTION_GROUND_"));
    }
    rows.push_back({"Rejection grounds", absl::StrJoin(grounds, ", ")});
  }
  if (!c.ruling_number().empty()) rows.push_back({"Ruling number", c.ruling_number()});
  if (!c.court_note().empty()) rows.push_back({"Court note", c.court_note()});
  if (c.withdrawal_kind() != v1::Confirmation::WITHDRAWAL_KIND_UNSPECIFIED) {
    rows.push_back({"Withdrawn", EnumValueShortName(v1::Confirmation::WithdrawalKind_descriptor(),
                                                    c.withdrawal_kind(), "WITHDRAWAL_KIND_")});
  }
  if (c.has_withdrawal_request()) {
    rows.push_back({"Withdrawal asked",
                    absl::StrCat(absl::StrJoin(c.withdrawal_request().parties(), ", "), " on ",
                                 FormatChinaTime(c.withdrawal_request().request_time()),
                                 "; awaiting the court's ruling")});
  }
  if (c.has_materials_due_time()) {
    rows.push_back({"Materials by", FormatChinaTime(c.materials_due_time())});
  }
  if (c.has_appearance()) {
    rows.push_back(
        {"Appear together", absl::StrCat(FormatChinaTime(c.appearance().appearance_time()), " at ",
                                         c.appearance().place())});
  }
  for (const v1::RulingExtension& e : c.ruling_extensions()) {
    rows.push_back({"Ruling extended", absl::StrCat("+", e.days(), " days, approval ", e.approval(),
                                                    " (", FormatChinaTime(e.extend_time()), ")")});
  }
  for (const v1::PartyTimeExtension& e : c.party_time_extensions()) {
    rows.push_back(
        {"More time (Art. 86)",
         absl::StrCat(
             e.party(), ": ",
             e.period() == v1::PartyTimeExtension::PERIOD_MATERIALS ? "materials" : "objection",
             " until ", e.until_date(), " (", FormatChinaTime(e.grant_time()), ")")});
  }
  if (c.has_ruling_service_time()) {
    rows.push_back({"Ruling served", FormatChinaTime(c.ruling_service_time())});
    rows.push_back({"Object by", FormatChinaTime(c.objection_due_time())});
  }
  for (const v1::Objection& o : c.objections()) {
    rows.push_back(
        {absl::StrCat("Objection ", o.id()),
         absl::StrCat(o.party().empty() ? "an interested person" : o.party(), ", ",
                      FormatChinaTime(o.file_time()), ": ",
                      o.decision() == v1::Objection::DECISION_UNSPECIFIED
                          ? "awaiting the court"
                          : absl::StrCat(EnumValueShortName(v1::Objection::Decision_descriptor(),
                                                            o.decision(), "DECISION_"),
                                         " by ruling ", o.decision_ruling_number()))});
  }
  if (!c.mediate_again_parties().empty()) {
    rows.push_back({"Mediate again", absl::StrJoin(c.mediate_again_parties(), ", ")});
  }
  rows.insert(rows.end(), {{"Created", FormatChinaTime(c.create_time())},
                           {"Updated", FormatChinaTime(c.update_time())},
                           {"Etag", c.etag()}});
  PrintKeyValues(rows, out);
}

void PrintConfirmationListTable(const v1::ListConfirmationsResponse& response, std::ostream& out) {
  if (response.confirmations_size() == 0) {
    out << "No confirmation applications found.\n";
  } else {
    TextTable table({"NAME", "CASE NUMBER", "STATE", "COURT", "SUBMITTED", "DUE"});
    for (const v1::Confirmation& c : response.confirmations()) {
      std::string due;
      if (c.state() == v1::Confirmation::STATE_SUBMITTED) {
        due = absl::StrCat("accept by ", FormatChinaTime(c.accept_due_time()));
      } else if (c.state() == v1::Confirmation::STATE_ACCEPTED ||
                 c.state() == v1::Confirmation::STATE_MATERIALS_REQUESTED) {
        due = absl::StrCat("rule by ", FormatChinaTime(c.ruling_due_time()));
      }
      table.AddRow({c.name(), Dash(c.case_number()), ConfirmationStateName(c.state()), c.court(),
                    Dash(FormatChinaTime(c.submit_time())), Dash(due)});
    }
    table.Print(out);
  }
  PrintNextPage(response.next_page_token(), out);
}

void PrintPrecheckTable(const v1::PrecheckConfirmationResponse& response, std::ostream& out) {
  if (response.problems_size() == 0) {
    out << "No problems: the application would be filed.\n";
  } else {
    out << "Problems: odrd would refuse the application.\n";
    TextTable problems({"REASON", "FIELD", "DESCRIPTION"});
    for (const v1::ConfirmationProblem& p : response.problems()) {
      problems.AddRow({p.reason(), Dash(p.field()), p.description()});
    }
    problems.Print(out);
  }
  if (response.warnings_size() > 0) {
    out << "\nWarnings: the court will ask for these, but files the application.\n";
    TextTable warnings({"REASON", "FIELD", "DESCRIPTION"});
    for (const v1::ConfirmationProblem& p : response.warnings()) {
      warnings.AddRow({p.reason(), Dash(p.field()), p.description()});
    }
    warnings.Print(out);
  }
  out << '\n';
  if (response.competent_courts_size() == 0) {
    out << "No competent court found.\n";
  } else {
    out << "Competent courts:\n";
    TextTable courts({"COURT", "NAME", "LEVEL", "REGION", "BASES", "DOMICILE OF"});
    for (const v1::CompetentCourt& c : response.competent_courts()) {
      courts.AddRow(
          {c.court(), Dash(c.display_name()),
           Dash(EnumValueShortName(v1::CourtLevel_descriptor(), c.level(), "COURT_LEVEL_")),
           Dash(c.region_code()), BasesText(c.bases()),
           Dash(absl::StrJoin(c.domicile_parties(), ", "))});
    }
    courts.Print(out);
  }
  if (response.has_apply_by_time()) {
    out << "\nApply by: " << FormatChinaTime(response.apply_by_time()) << '\n';
  }
}

void PrintCourtBundleSummary(const v1::CourtBundle& bundle, std::ostream& out) {
  const v1::Confirmation& c = bundle.confirmation();
  const v1::Case& k = bundle.case_();
  const v1::Agreement& a = bundle.agreement();
  std::string evidence = "none";
  if (bundle.evidence_size() > 0) {
    TextTable table({"FILE", "SIZE", "SHA-256", "LOG INDEX", "MATERIAL", "EVIDENCE"}, {1, 3});
    for (const v1::BundleEvidence& e : bundle.evidence()) {
      table.AddRow({e.filename(), HumanBytes(e.size_bytes()), e.sha256(),
                    absl::StrCat(e.log_index(), " of ", e.log_size()),
                    Dash(EnumValueShortName(v1::ConfirmationMaterial::Kind_descriptor(),
                                            e.material_kind(), "KIND_")),
                    e.evidence()});
    }
    evidence = TableText(table);
  }
  std::string timeline = "none";
  if (bundle.timeline_size() > 0) {
    TextTable table({"TIME", "KIND", "FROM", "TO", "ACTOR", "DESCRIPTION"});
    for (const v1::BundleEvent& e : bundle.timeline()) {
      table.AddRow(
          {FormatChinaTime(e.event_time()), Dash(EventKindShortName(e.kind())),
           Dash(StateShortName(e.from_state())), Dash(StateShortName(e.to_state())),
           Dash(e.acting_through().empty() ? e.actor()
                                           : absl::StrCat(e.actor(), " via ", e.acting_through())),
           e.description()});
    }
    timeline = TableText(table);
  }
  std::string key = Dash(bundle.agreement_key_id());
  if (!bundle.agreement_public_key().empty()) {
    absl::StrAppend(&key, " (Ed25519 ", absl::BytesToHexString(bundle.agreement_public_key()), ")");
  }
  PrintKeyValues(
      {
          {"Confirmation", c.name()},
          {"State", ConfirmationStateName(c.state())},
          {"Court", CourtWithName(c.court(), c.court_display_name())},
          {"Case", absl::StrCat(k.name(), k.case_number().empty() ? "" : "  ", k.case_number())},
          {"Case state", StateShortName(k.state())},
          {"Type", DisputeTypeShortName(k.dispute_type())},
          {"Applicants", PartyNames(k.applicants())},
          {"Respondents", PartyNames(k.respondents())},
          {"Organization", bundle.organization()},
          {"Mediators", absl::StrJoin(bundle.mediators(), ", ")},
          {"Agreement", absl::StrCat(a.name(), "  revision ", a.revision(), "  ",
                                     AgreementStateName(a.state()))},
          {"Content hash", a.content_hash()},
          {"Signatures", SignaturesText(a.signatures())},
          {"Signing key", key},
          {"Evidence", evidence},
          {"Timeline", timeline},
          {"Assembled", FormatChinaTime(bundle.create_time())},
      },
      out);
}

void PrintDivertedCaseListTable(const v1::ListDivertedCasesResponse& response, std::ostream& out) {
  if (response.cases_size() == 0) {
    out << "No diverted cases found.\n";
  } else {
    TextTable table({"CASE", "NUMBER", "INTAKE REF", "DIVERTED", "ROUTE", "ORGANIZATION", "STATE",
                     "OUTCOME", "CONFIRMATION"});
    for (const v1::DivertedCase& c : response.cases()) {
      table.AddRow({c.case_(), c.case_number(), c.intake_reference(), c.diversion_date(),
                    Dash(RouteColumn(c.route())), c.organization(), StateShortName(c.state()),
                    Dash(EnumValueShortName(v1::DiversionOutcome_descriptor(), c.outcome(),
                                            "DIVERSION_OUTCOME_")),
                    Dash(ConfirmationStateName(c.confirmation_state()))});
    }
    table.Print(out);
  }
  PrintNextPage(response.next_page_token(), out);
}

void PrintReferralListTable(const v1::ListReferralsResponse& response, std::ostream& out) {
  if (response.referrals_size() == 0) {
    out << "No referrals found.\n";
  } else {
    TextTable table({"NAME", "CASE", "NUMBER", "INTAKE REF", "KIND", "REFERRED", "REASON"});
    for (const v1::Referral& r : response.referrals()) {
      std::string reason = r.reason();
      if (!r.cost_conduct().empty()) {
        absl::StrAppend(&reason, " [cost conduct: ", r.cost_conduct(), "]");
      }
      table.AddRow({r.name(), r.case_(), r.case_number(), Dash(r.intake_reference()),
                    Dash(EndingKindName(r.kind())), FormatChinaTime(r.create_time()),
                    std::move(reason)});
    }
    table.Print(out);
  }
  PrintNextPage(response.next_page_token(), out);
}

std::string FormatWatchEvent(const v1::WatchCaseEventsResponse& response, bool with_case) {
  const v1::CaseEvent& e = response.event();
  std::string what;
  const std::string from = StateShortName(e.from_state());
  const std::string to = StateShortName(e.to_state());
  // Other kinds of events carry the case's state as both: it did not change.
  const bool state_change =
      e.kind() == v1::CaseEvent::KIND_STATE_CHANGE || e.kind() == v1::CaseEvent::KIND_UNSPECIFIED;
  if (state_change && from != to) what = absl::StrCat(Dash(from), " -> ", Dash(to));
  if (!e.reason().empty()) {
    what = what.empty() ? OneLine(e.reason()) : absl::StrCat(what, ": ", OneLine(e.reason()));
  }
  std::vector<std::string> fields;
  if (with_case) fields.push_back(Dash(response.case_()));
  fields.push_back(Dash(FormatChinaTime(e.event_time())));
  fields.push_back(Dash(EventKindShortName(e.kind())));
  fields.push_back(Dash(what));
  fields.push_back(Dash(e.subject()));
  fields.push_back(absl::StrCat("cursor=", e.cursor()));
  return TerminalText(absl::StrJoin(fields, "  "), /*keep_newlines=*/false);
}

std::string RoleShortName(v1::Role role) {
  if (role == v1::ROLE_UNSPECIFIED) return "";
  const std::string& name = v1::Role_Name(role);
  if (name.empty()) return absl::StrCat(static_cast<int>(role));
  absl::string_view short_name = name;
  absl::ConsumePrefix(&short_name, "ROLE_");
  return std::string(short_name);
}

void PrintPrincipalTable(const v1::Principal& p, std::ostream& out,
                         const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Name", p.name()},
      {"Role", RoleShortName(p.role())},
      {"Display name", p.display_name()},
  };
  if (!p.organization().empty()) rows.push_back({"Organization", p.organization()});
  if (!p.court().empty()) rows.push_back({"Court", p.court()});
  if (!p.acting_through().empty()) rows.push_back({"Acting through", p.acting_through()});
  rows.insert(rows.end(), extra.begin(), extra.end());
  PrintKeyValues(rows, out);
}

void PrintAccessRecordTable(const v1::ListAccessRecordsResponse& response, std::ostream& out) {
  if (response.access_records_size() == 0) {
    out << "No access records found.\n";
  } else {
    TextTable table({"SEQ", "TIME", "PRINCIPAL", "VIA", "METHOD", "RESOURCE", "ACTION"}, {0});
    for (const v1::AccessRecord& r : response.access_records()) {
      absl::string_view action = v1::AccessRecord::Action_Name(r.action());
      absl::ConsumePrefix(&action, "ACTION_");
      table.AddRow(
          {LastSegment(r.name()), FormatTimestamp(r.access_time()), r.principal(),
           Dash(r.acting_through()), ShortMethod(r.method()), Dash(r.resource()),
           r.action() == v1::AccessRecord::ACTION_UNSPECIFIED ? "-" : std::string(action)});
    }
    table.Print(out);
  }
  PrintNextPage(response.next_page_token(), out);
}

void PrintKeyValues(const std::vector<std::pair<std::string, std::string>>& rows,
                    std::ostream& out) {
  int key_width = 0;
  for (const auto& [key, value] : rows) {
    key_width = std::max(key_width, DisplayWidth(OneLine(key)) + 1);
  }
  const std::string indent(key_width + 2, ' ');
  for (const auto& [key, value] : rows) {
    out << PadRight(OneLine(key) + ":", key_width) << "  ";
    // Multi-line values (summaries, claims, nested tables) keep their line breaks, each line
    // indented under the first; every line is escaped on its own, so a lone CR cannot return to
    // the start of the line and overwrite what is shown, nor ESC or a bidirectional override
    // change it. CR LF counts as a line break.
    bool first = true;
    for (absl::string_view line : absl::StrSplit(value, '\n')) {
      if (!first) out << '\n' << indent;
      out << OneLine(absl::StripSuffix(line, "\r"));
      first = false;
    }
    out << '\n';
  }
}

void PrintCaseListTable(const v1::ListCasesResponse& response, std::ostream& out) {
  if (response.cases_size() == 0) {
    out << "No cases found.\n";
  } else {
    TextTable table({"NAME", "NUMBER", "STATE", "TYPE", "REGION", "AMOUNT(YUAN)", "CREATED"}, {5});
    for (const v1::Case& c : response.cases()) {
      table.AddRow({c.name(), c.case_number(), StateShortName(c.state()),
                    DisputeTypeShortName(c.dispute_type()), c.region_code(),
                    FormatFen(c.amount_fen()), FormatTimestamp(c.create_time())});
    }
    table.Print(out);
  }
  PrintNextPage(response.next_page_token(), out);
}

void PrintEventTable(const v1::ListCaseEventsResponse& response, std::ostream& out) {
  if (response.events_size() == 0) {
    out << "No events found.\n";
  } else {
    TextTable table({"SEQ", "TIME", "ACTOR", "FROM", "TO", "REASON"}, {0});
    for (const v1::CaseEvent& e : response.events()) {
      // A citizen acting through a partner app shows as "principals/c via principals/app".
      table.AddRow(
          {LastSegment(e.name()), FormatTimestamp(e.event_time()),
           e.acting_through().empty() ? e.actor()
                                      : absl::StrCat(e.actor(), " via ", e.acting_through()),
           Dash(StateShortName(e.from_state())), Dash(StateShortName(e.to_state())), e.reason()});
    }
    table.Print(out);
  }
  PrintNextPage(response.next_page_token(), out);
}

int ReportError(const absl::Status& status, const ErrorContext& context, std::ostream& err) {
  const std::optional<v1::ErrorDetails> details = client::ErrorDetailsOf(status);
  // Without details the error came from the gRPC library on this side, not from odrd.
  const bool local = !details.has_value();
  std::string message(status.message());
  const bool outcome_unknown = local && (status.code() == absl::StatusCode::kUnavailable ||
                                         status.code() == absl::StatusCode::kDeadlineExceeded);
  if (local && status.code() == absl::StatusCode::kUnavailable) {
    message = absl::StrCat("cannot reach odrd at ", context.server,
                           ": is it running? (./tools/run starts it)");
  } else if (local && status.code() == absl::StatusCode::kDeadlineExceeded) {
    message = absl::StrFormat("odrd did not answer within %g s (raise --timeout if it is busy)",
                              absl::ToDoubleSeconds(context.timeout));
  } else if (status.code() == absl::StatusCode::kUnauthenticated) {
    message = context.login     ? absl::StrCat("odrd refused the login: ", message)
              : message.empty() ? std::string(kNotLoggedInMessage)
                                : absl::StrCat(kNotLoggedInMessage, "\n  odrd: ", message);
  } else if (!local && status.code() == absl::StatusCode::kResourceExhausted) {
    message = kRateLimitedMessage;
  } else if (local && status.code() == absl::StatusCode::kUnimplemented) {
    message = absl::StrCat("odrd at ", context.server,
                           " does not know this call: is it an older version?");
  } else if (details && details->field_violations_size() > 0 &&
             message == JoinedViolations(*details)) {
    // odrd's message lists the violations, which follow one per line.
    const int n = details->field_violations_size();
    message = absl::StrCat("odrd refused the request: ", n, n == 1 ? " field is" : " fields are",
                           " invalid");
  } else if (message.empty()) {
    message = absl::StatusCodeToString(status.code());
  }
  err << "error: " << TerminalText(message, /*keep_newlines=*/true) << '\n';
  if (details) {
    for (const v1::FieldViolation& f : details->field_violations()) {
      err << "  " << OneLine(f.field()) << ": " << OneLine(f.description()) << '\n';
    }
    if (status.code() == absl::StatusCode::kFailedPrecondition &&
        !details->current_state().empty()) {
      absl::string_view state = details->current_state();
      absl::ConsumePrefix(&state, "STATE_");
      err << "  current state: " << state << '\n';
    }
  }
  if (status.code() == absl::StatusCode::kUnauthenticated && !context.login) {
    for (const std::string& note : context.auth_notes) err << "  " << note << '\n';
  }
  if (local && status.code() == absl::StatusCode::kUnavailable && context.tls) {
    // Also a TLS handshake failure: a plaintext odrd, or a certificate that the CA (--tls-ca, else
    // the system's roots) does not vouch for, or for another name.
    err << "  over TLS; gRPC says: " << status.message() << '\n';
  }
  if (outcome_unknown && !context.generated_request_id.empty()) {
    err << "  whether odrd made the change is unknown; to retry safely, repeat the command with "
           "--request-id "
        << context.generated_request_id << '\n';
  }
  return ExitCodeFor(status);
}

}  // namespace odr::cli

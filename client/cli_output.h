// What the odr command line prints: protobuf JSON, human tables, and error reports with stable
// exit codes. All functions are thread-safe apart from sharing the given stream.
#ifndef ODR_CLIENT_CLI_OUTPUT_H_
#define ODR_CLIENT_CLI_OUTPUT_H_

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "odr/v1/agreement.pb.h"
#include "odr/v1/appointment.pb.h"
#include "odr/v1/audit.pb.h"
#include "odr/v1/auth.pb.h"
#include "odr/v1/case_service.pb.h"
#include "odr/v1/confirmation.pb.h"
#include "odr/v1/court.pb.h"
#include "odr/v1/deadline.pb.h"
#include "odr/v1/evidence.pb.h"
#include "odr/v1/roster.pb.h"

namespace odr::cli {

// Exit codes of `odr`. Stable: scripts depend on them.
enum ExitCode : int {
  kExitOk = 0,
  // odrd answered with an error (PERMISSION_DENIED and RESOURCE_EXHAUSTED included), could not be
  // reached or did not answer in time, or the profile file could not be read or written.
  kExitFailure = 1,
  // Bad flags or arguments: nothing was sent.
  kExitUsage = 2,
  // odrd answered NOT_FOUND.
  kExitNotFound = 3,
  // odrd answered UNAUTHENTICATED: no token, an expired or refused one, or (on `odr auth login`)
  // a wrong principal or API key.
  kExitUnauthenticated = 4,
};

// What ReportError prints for UNAUTHENTICATED (outside `odr auth login`).
inline constexpr char kNotLoggedInMessage[] =
    "not logged in, or the token expired: run 'odr auth login --principal principals/... "
    "--api-key-file ...'";

// What ReportError prints for RESOURCE_EXHAUSTED from odrd.
inline constexpr char kRateLimitedMessage[] = "odrd is rate-limiting this account; retry shortly";

// The exit code for a failed call: NOT_FOUND 3, UNAUTHENTICATED 4, anything else 1.
int ExitCodeFor(const absl::Status& status);

// Writes `message` as protobuf JSON (lowerCamelCase field names, enums by name, int64 as strings,
// default values omitted), indented, followed by a newline.
void PrintJson(const google::protobuf::Message& message, std::ostream& out);

// Key/value listing of one case: name, case number, state, type, language, organization,
// mediators (their accounts) and every mediator assignment (mediator, state, method, reason),
// parties (with their agents, "(special authority)" after an agent whose power of attorney grants
// it, CPL Art. 62), amount in yuan, region, source and court (for a court diversion: the court's
// name and display name), route, the ending once there is one (kind, why it failed or the court's
// note, cost conduct, court document, who recorded it and when), times (RFC 3339, local time
// zone), etag, then summary and claims.
void PrintCaseTable(const v1::Case& c, std::ostream& out);

// Columns RANK, MEDIATOR (name and display name), SCORE, REASONS (joined by "; ").
void PrintRecommendationTable(const v1::RecommendMediatorsResponse& response, std::ostream& out);

// Key/value listing of an organization: name, display name, kind, region, court, created, etag.
void PrintOrganizationTable(const v1::Organization& o, std::ostream& out);

// Columns NAME, DISPLAY NAME, KIND, REGION, COURT; then the next page hint.
void PrintOrganizationListTable(const v1::ListOrganizationsResponse& response, std::ostream& out);

// Key/value listing of a mediator: the public profile, state, load versus capacity, recent
// outcomes and, when odrd sent them (to the organization's admins), which private details are on
// file (the document type and how many related ID numbers; never the numbers or the phone).
void PrintMediatorTable(const v1::Mediator& m, std::ostream& out);

// Columns NAME, DISPLAY NAME, STATE, SPECIALTIES, LANGUAGES, REGION, LOAD (active/max),
// FEE(YUAN); then the next page hint.
void PrintMediatorListTable(const v1::ListMediatorsResponse& response, std::ostream& out);

// Key/value listing of a pool: name, display name, dispute types, regions, mediators.
void PrintPoolTable(const v1::Pool& p, std::ostream& out);

// Columns NAME, DISPLAY NAME, TYPES, REGIONS, MEDIATORS (how many); then the next page hint.
void PrintPoolListTable(const v1::ListPoolsResponse& response, std::ostream& out);
void PrintEvidenceTable(const v1::Evidence& e, std::ostream& out);
void PrintEvidenceListTable(const v1::ListEvidenceResponse& response, std::ostream& out);
// 1536 -> "1.5 KiB".
std::string HumanBytes(int64_t bytes);

// Columns NAME, NUMBER, STATE, TYPE, REGION, AMOUNT(YUAN), CREATED; then, if there is a next
// page, a line with the --page-token that fetches it.
void PrintCaseListTable(const v1::ListCasesResponse& response, std::ostream& out);

// Columns SEQ, TIME, ACTOR, FROM, TO, REASON; then the next page hint as above.
void PrintEventTable(const v1::ListCaseEventsResponse& response, std::ostream& out);

// Key/value listing of a mediator's availability: name, time zone, the weekly hours one day a
// line (MON 09:00-12:00, 13:30-17:30), the leave one period a line (start to end, reason),
// updated, etag. Times in China time (FormatChinaTime).
void PrintAvailabilityTable(const v1::MediatorAvailability& a, std::ostream& out);

// Columns DAY, START, END (China time); or a line saying that the window has no free slot.
void PrintSlotsTable(const v1::FindSlotsResponse& response, std::ostream& out);

// Key/value listing of an appointment: name, kind, state, start, end, length, location,
// mediator, participants one a line (with attendance and the caller's join link), booked by,
// cancel reason, created, updated, etag. Times in China time.
void PrintAppointmentTable(const v1::Appointment& a, std::ostream& out);

// Columns NAME, KIND, STATE, START, END, PARTICIPANTS; then the next page hint.
void PrintAppointmentListTable(const v1::ListAppointmentsResponse& response, std::ostream& out);

// Key/value listing of a deadline: name, kind, state, legal basis, length, started, due (marked
// provisional when a holiday calendar was missing), warning, extensions, pauses, subject.
void PrintDeadlineTable(const v1::Deadline& d, std::ostream& out);

// Columns KIND, STATE, STARTED, DUE, LENGTH, BASIS, NAME; provisional due times are marked '*'
// and explained under the table.
void PrintDeadlineListTable(const v1::ListDeadlinesResponse& response, std::ostream& out);

// Key/value listing of a settlement agreement: name, revision, state, the parties one a line,
// the terms and the payment schedule as tables (numbered from 0, amounts in yuan), the signatures
// one a line, who still has to sign (of an effective agreement: "form incomplete: " and the
// mediator or seal its form lacks), the effect rule ("parties signed (OMR Art. 19)" or "all
// signed (PML Art. 29)") when set, the content hash, times (China time: created, updated, and
// when set effective, served, filed with court), etag, then facts, issues and responsibilities.
// Not the canonical text ('odr agreement render' prints it).
void PrintAgreementTable(const v1::Agreement& a, std::ostream& out);

// Columns NAME, REV, STATE, SIGNED (how many), UPDATED, PENDING (who still has to sign; of an
// effective agreement, the mediator or seal its form lacks).
void PrintAgreementListTable(const v1::ListAgreementsResponse& response, std::ostream& out);

// Key/value listing of an offer: name, offered by, amount in yuan, recorded by, created, text.
void PrintOfferTable(const v1::Offer& o, std::ostream& out);

// Columns NAME, BY, AMOUNT(YUAN), CREATED, TEXT.
void PrintOfferListTable(const v1::ListOffersResponse& response, std::ostream& out);
// A procedure record (consent, notice, identity ...) and a case's list of them.
void PrintRecordTable(const v1::ProcedureRecord& r, std::ostream& out);
void PrintRecordListTable(const v1::ListProcedureRecordsResponse& response, std::ostream& out);

// Key/value listing of a confirmation application: name, case number, state, agreement, court,
// competence, materials one a line, the parties that consented, the statutory times (submitted,
// accept by, accepted, rule by, decided; China time), the court's decision (refusal ground,
// rejection grounds, ruling number, note) when there is one, created, updated, etag.
void PrintConfirmationTable(const v1::Confirmation& c, std::ostream& out);

// Columns NAME, CASE NUMBER, STATE, COURT, SUBMITTED, DUE (accept by while SUBMITTED, rule by
// while ACCEPTED or MATERIALS_REQUESTED); then the next page hint.
void PrintConfirmationListTable(const v1::ListConfirmationsResponse& response, std::ostream& out);

// The pre-check's verdict: "No problems" or the problems (REASON, FIELD, DESCRIPTION), the
// competent courts (COURT, NAME, REGION, BASES) and the last moment to apply.
void PrintPrecheckTable(const v1::PrecheckConfirmationResponse& response, std::ostream& out);

// A readable summary of what the court receives: the application, the case and its parties (with
// their agents, marked as in PrintCaseTable), the agreement with its hash and signatures and the
// signing key, the evidence (FILE, SIZE, SHA-256, LOG INDEX, MATERIAL) and the timeline (TIME,
// KIND, FROM, TO, DESCRIPTION).
void PrintCourtBundleSummary(const v1::CourtBundle& bundle, std::ostream& out);

// Columns CASE, NUMBER, INTAKE REF, DIVERTED, ROUTE (PRE_FILING or POST_FILING), ORGANIZATION,
// STATE, OUTCOME, CONFIRMATION; then the next page hint.
void PrintDivertedCaseListTable(const v1::ListDivertedCasesResponse& response, std::ostream& out);

// Columns NAME, CASE, NUMBER, INTAKE REF, KIND (REFERRED_FOR_FILING or TRIAL_RESUMED),
// REFERRED, REASON (with the cost conduct in brackets when recorded); then the next page hint.
void PrintReferralListTable(const v1::ListReferralsResponse& response, std::ostream& out);

// One line of `odr events watch` (without the newline): time, kind, what happened (FROM -> TO
// for a change of state, then the reason), the subject, and `cursor=...`, separated by two
// spaces, '-' for what is empty; with `with_case` the case's name first. Line breaks in the
// reason become spaces; other control and bidirectional characters are escaped (TerminalText).
std::string FormatWatchEvent(const v1::WatchCaseEventsResponse& response, bool with_case);

// `message` as protobuf JSON on one line (as PrintJson, without whitespace).
std::string CompactJson(const google::protobuf::Message& message);

// RFC 3339 to the second in China time, e.g. 2031-03-04T09:00:00+08:00, whatever TZ says (the
// scheduling commands: working hours are China's). Empty for an unset timestamp.
std::string FormatChinaTime(const google::protobuf::Timestamp& t);

// Key/value listing of a principal: name, role, display name, organization, court, and the partner
// app it acts through; then the `extra` rows (e.g. the token's expiry) if any.
void PrintPrincipalTable(const v1::Principal& p, std::ostream& out,
                         const std::vector<std::pair<std::string, std::string>>& extra = {});

// Columns SEQ, TIME, PRINCIPAL, VIA (the partner app acting for the principal), METHOD (without
// the /odr.v1. prefix), RESOURCE, ACTION; then the next page hint as above.
void PrintAccessRecordTable(const v1::ListAccessRecordsResponse& response, std::ostream& out);

// "ORG_ADMIN" for ROLE_ORG_ADMIN. Empty for ROLE_UNSPECIFIED.
std::string RoleShortName(v1::Role role);

// Key/value rows, keys padded to one width, multi-line values indented: a value's line breaks
// (LF or CR LF) start a new, indented line, and each line is passed through TerminalText (so a
// lone CR, an escape sequence or a bidirectional override is shown escaped, never acted on).
void PrintKeyValues(const std::vector<std::pair<std::string, std::string>>& rows,
                    std::ostream& out);

// RFC 3339 to the second in the local time zone (TZ), e.g. 2026-03-01T09:30:00+08:00. Empty for
// an unset timestamp.
std::string FormatTimestamp(const google::protobuf::Timestamp& t);

// `text` made safe to print on a terminal, so that what a party wrote cannot move the cursor,
// clear or retitle the screen, or reorder what is shown (Trojan Source): every character of
// domain::IsControlOrBidiCodePoint becomes a visible escape, \t, \r, \x1b (C0 and DEL), \u009b
// (C1), \u202e (bidirectional formatting, U+FEFF); a byte that is not UTF-8 becomes \xNN. A line
// feed (or CR LF) stays a line break with `keep_newlines`, else becomes a space. Backslashes are
// not escaped: the result is meant for reading, not for parsing back, and escaping it again
// changes nothing. Every table and key/value listing below (TextTable, PrintKeyValues),
// FormatWatchEvent and ReportError pass what they print through it; JSON output does not.
std::string TerminalText(absl::string_view text, bool keep_newlines);

// Columns on a terminal that `utf8` takes: 2 for East Asian wide and full-width characters (CJK
// ideographs, kana, hangul, full-width forms), 0 for combining marks, 1 otherwise. Invalid
// UTF-8 bytes count 1 each.
int DisplayWidth(absl::string_view utf8);

// A plain text table: columns separated by two spaces, padded by DisplayWidth, the last column
// not padded. Columns listed in `right_aligned` (0-based) are aligned to the right. Every cell is
// printed as TerminalText(cell, /*keep_newlines=*/false): line breaks become spaces, so that a row
// stays one line, and other control and bidirectional characters are shown escaped.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header, std::vector<int> right_aligned = {});
  void AddRow(std::vector<std::string> row);
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
  std::vector<int> right_aligned_;
};

// What ReportError needs to explain transport failures.
struct ErrorContext {
  std::string server;
  absl::Duration timeout;
  // The request_id that the CLI generated for a mutation, if it did; printed when the outcome
  // is unknown (unreachable, deadline) so that the mediator can repeat the call safely.
  std::string generated_request_id;
  // The connection used TLS: transport failures may be certificate problems.
  bool tls = false;
  // The call was `odr auth login` (CreateToken): UNAUTHENTICATED means a wrong principal or key.
  bool login = false;
  // Lines printed under an UNAUTHENTICATED error: where the token came from, its expiry.
  std::vector<std::string> auth_notes;
};

// Prints `error: <message>` to `err`, then one indented line per field violation, the current
// state for FAILED_PRECONDITION, and hints where they help. odrd's message and violations pass
// through TerminalText. UNAUTHENTICATED is reported as
// kNotLoggedInMessage with odrd's reason and the auth_notes; RESOURCE_EXHAUSTED from odrd as
// kRateLimitedMessage. Returns ExitCodeFor(status).
int ReportError(const absl::Status& status, const ErrorContext& context, std::ostream& err);

}  // namespace odr::cli

#endif  // ODR_CLIENT_CLI_OUTPUT_H_

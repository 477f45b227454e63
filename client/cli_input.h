// Parsing of the odr command line's own syntax: amounts in yuan, party and agent specs, enum
// spellings and case names, and the term, instalment and material specs of agreements and
// judicial confirmation. Checks syntax only; odrd validates content (ID numbers, phones ...).
// Every function is pure and thread-safe. Errors are INVALID_ARGUMENT with a message for a person
// that names the key (spec parsers; the caller adds the flag) or the flag, and never repeats a
// free-text value (names, ID numbers and phones are personal data).
#ifndef ODR_CLIENT_CLI_INPUT_H_
#define ODR_CLIENT_CLI_INPUT_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "odr/v1/agreement.pb.h"
#include "odr/v1/appointment.pb.h"
#include "odr/v1/case.pb.h"
#include "odr/v1/confirmation.pb.h"
#include "odr/v1/court.pb.h"
#include "odr/v1/deadline.pb.h"
#include "odr/v1/roster.pb.h"

namespace odr::cli {

// Converts yuan to fen exactly, without floating point: "20000" -> 2000000, "12.5" -> 1250,
// "0.07" -> 7. Accepts digits with an optional '.' and one or two decimals; rejects signs,
// three or more decimals, grouping separators, and amounts that do not fit in int64 fen.
absl::StatusOr<int64_t> ParseYuanToFen(absl::string_view yuan);
// The same, with messages that name `flag` (e.g. "--fee") instead of --amount.
absl::StatusOr<int64_t> ParseYuanToFen(absl::string_view yuan, absl::string_view flag);

// Formats fen as yuan with two decimals: 2000000 -> "20000.00", -150 -> "-1.50".
std::string FormatFen(int64_t fen);

// Dispute types as the --type flag spells them: medical, neighbour, labour, debt-contract,
// family-inheritance, traffic-accident, property-land, consumer-ecommerce, other. Case and '_'
// versus '-' do not matter, and the enum's own names (DISPUTE_TYPE_MEDICAL, MEDICAL) work too.
absl::StatusOr<v1::DisputeType> ParseDisputeType(absl::string_view text);
// The same, with messages that name `flag` (e.g. "--specialty") instead of --type.
absl::StatusOr<v1::DisputeType> ParseDisputeType(absl::string_view text, absl::string_view flag);

// "MEDICAL" for DISPUTE_TYPE_MEDICAL: the spelling that list filters use. Empty for UNSPECIFIED.
std::string DisputeTypeShortName(v1::DisputeType type);

// "DRAFT" for STATE_DRAFT. Empty for STATE_UNSPECIFIED.
std::string StateShortName(v1::Case::State state);

// Organization kinds as --kind spells them: people (人民调解委员会), industry (行业性、专业性),
// court-invited, lawyer, administrative, commercial, other. Case and '_' versus '-' do not
// matter, and the enum's own names (ORGANIZATION_KIND_COURT_INVITED, COURT_INVITED) work too.
absl::StatusOr<v1::OrganizationKind> ParseOrganizationKind(absl::string_view text);

// "COURT_INVITED" for ORGANIZATION_KIND_COURT_INVITED. Empty for UNSPECIFIED.
std::string OrganizationKindShortName(v1::OrganizationKind kind);

// --employment: full-time or part-time (also FULL_TIME, EMPLOYMENT_PART_TIME ...).
absl::StatusOr<v1::Mediator::Employment> ParseEmployment(absl::string_view text);

// "FULL_TIME" for EMPLOYMENT_FULL_TIME. Empty for UNSPECIFIED.
std::string EmploymentShortName(v1::Mediator::Employment employment);

// "ACTIVE" for STATE_ACTIVE. Empty for UNSPECIFIED.
std::string MediatorStateShortName(v1::Mediator::State state);

// "PROPOSED" for MediatorAssignment::STATE_PROPOSED; "JOINT_CHOICE" for METHOD_JOINT_CHOICE.
// Empty for UNSPECIFIED.
std::string AssignmentStateShortName(v1::MediatorAssignment::State state);
std::string AssignmentMethodShortName(v1::MediatorAssignment::Method method);

// ID document types as `flag` (e.g. "--id-type") spells them, the same as in party specs:
// resident-id, passport, permit, foreign-resident, uscc (or the enum's own names).
absl::StatusOr<v1::IdDocumentType> ParseIdDocumentType(absl::string_view text,
                                                       absl::string_view flag);

// Parses a party spec: `key=value` items separated by ';', e.g.
//   kind=person;name=张三;id-type=resident-id;id=110101199003074514;phone=13800138000;
//   address=zhang@example.com
// Keys: kind (person | legal | org; default person), name, id-type (resident-id | passport |
// permit | foreign-resident | uscc; default resident-id), id, phone, address, domicile
// (REGION:BASIS:MATERIAL, BASIS household | habitual-residence | main-office | registered-place,
// e.g. 330681:household:户口簿; CPL Interpretation Arts. 3-4). `\;` stands for a
// literal ';' and `\\` for '\'. Spaces around keys and values are dropped; empty items are
// ignored. Unknown, repeated or value-less keys are errors; missing keys are left empty for odrd
// to report.
absl::StatusOr<v1::Party> ParsePartySpec(absl::string_view spec);

// An agent spec: the party keys except kind, plus the required `of=applicant:N` or
// `of=respondent:N` naming the represented party (N counts from 1), and `special=yes|no`
// (default no): whether the power of attorney grants special authority (特别授权, CPL Art. 62;
// Agent.special_authority). `special` takes yes or no only (case does not matter); any other
// value is an error naming the key.
struct AgentSpec {
  // true: of=applicant:N; false: of=respondent:N.
  bool of_applicant = true;
  // N - 1.
  int party_index = 0;
  v1::Agent agent;
};
absl::StatusOr<AgentSpec> ParseAgentSpec(absl::string_view spec);

// `cases/ID` unchanged; a bare `ID` becomes `cases/ID`. Does not check the ID.
std::string CaseName(absl::string_view name_or_id);

// The same for other collections: ResourceName("principals", "x") is "principals/x", and
// ResourceName("principals", "principals/x") too. An empty input stays empty (flag not given).
// Does not check the ID.
std::string ResourceName(absl::string_view collection, absl::string_view name_or_id);

// A child resource of an organization, `organizations/{org}/{collection}/{id}`, from the full
// name or the short form `{org}/{id}`; with a non-empty `default_org` (an organization id or
// name), a bare `{id}` names that organization's. The full form is passed on unchecked (odrd
// checks ids). INVALID_ARGUMENT, naming `flag`, for anything else, including an empty value and
// other collections' names (principals/ID: a mediator's account is not the mediator).
absl::StatusOr<std::string> OrganizationChildName(absl::string_view collection,
                                                  absl::string_view text, absl::string_view flag,
                                                  absl::string_view default_org = "");

// OrganizationChildName for mediators (`organizations/o/mediators/m`, `o/m`) and pools.
absl::StatusOr<std::string> MediatorName(absl::string_view text, absl::string_view flag,
                                         absl::string_view default_org = "");
absl::StatusOr<std::string> PoolName(absl::string_view text, absl::string_view flag,
                                     absl::string_view default_org = "");

// China Standard Time (UTC+08:00, no daylight saving): the zone of Asia/Shanghai, in which the
// scheduling commands print times and read times written without an offset.
absl::TimeZone ChinaTimeZone();

// A point in time given to `flag`: RFC 3339 with an offset, "2031-03-04T09:00:00+08:00" or
// "2031-03-04T01:00:00Z" (fractions of a second allowed), or a China time without an offset,
// "2031-03-04T09:00", "2031-03-04T09:00:00" or "2031-03-04 09:00".
absl::StatusOr<absl::Time> ParseTimeFlag(absl::string_view text, absl::string_view flag);

// A positive length of time given to `flag`, as absl::ParseDuration reads it: "90m", "1h30m",
// "1.5h", "45m".
absl::StatusOr<absl::Duration> ParseDurationFlag(absl::string_view text, absl::string_view flag);

// Conversions between absl and the protobuf well-known types.
google::protobuf::Timestamp ToTimestamp(absl::Time t);
absl::Time FromTimestamp(const google::protobuf::Timestamp& t);
google::protobuf::Duration ToDurationProto(absl::Duration d);

// A --hours spec: DAYS=HH:MM-HH:MM[,HH:MM-HH:MM...], e.g. "mon=09:00-12:00,13:30-17:30". DAYS is
// a day (mon, tue, wed, thu, fri, sat, sun, or monday ... sunday; any case) or a range of them
// ("mon-fri"); the end may be 24:00; "9:00" is read as "09:00". One WeeklyHours per day and
// interval, in that order, with times written HH:MM.
// Checks the syntax and that each interval ends after it starts; odrd checks overlaps.
absl::StatusOr<std::vector<v1::WeeklyHours>> ParseWeeklyHoursSpec(absl::string_view spec);

// "MON" for DAY_OF_WEEK_MONDAY. Empty for UNSPECIFIED.
std::string DayOfWeekShortName(v1::DayOfWeek day);

// --kind of an appointment: joint-video, separate (or separate-session), on-site, phone; case
// and '_' versus '-' do not matter, and the enum's names (KIND_JOINT_VIDEO, JOINT_VIDEO) work.
absl::StatusOr<v1::Appointment::Kind> ParseAppointmentKind(absl::string_view text);

// "JOINT_VIDEO" for KIND_JOINT_VIDEO, "SCHEDULED" for STATE_SCHEDULED, "NO_SHOW" for
// ATTENDANCE_NO_SHOW; "MEDIATION_PERIOD" and "RUNNING" for deadlines; "APPOINTMENT_BOOKED" for
// CaseEvent::KIND_APPOINTMENT_BOOKED. Empty for UNSPECIFIED.
std::string AppointmentKindShortName(v1::Appointment::Kind kind);
std::string AppointmentStateShortName(v1::Appointment::State state);
std::string AttendanceShortName(v1::Attendance attendance);
std::string DeadlineKindShortName(v1::Deadline::Kind kind);
std::string DeadlineStateShortName(v1::Deadline::State state);
std::string EventKindShortName(v1::CaseEvent::Kind kind);

// Whether a gRPC target names this machine: 127.0.0.0/8, ::1 and localhost (with or without a
// port, in brackets, or behind dns:///, ipv4: or ipv6:), and unix sockets. Other names, including
// ones that might resolve to a loopback address, are not.
bool IsLoopbackTarget(absl::string_view target);

// --- Settlement agreements, judicial confirmation and courts ---
// The functions below take the flag to name in their errors (e.g. "--term #2"), and never repeat
// a free-text part of the value (a term's method or description).

// A child of a case, `cases/{case}/{collection}/{id}`, checked for its shape only (e.g.
// CaseChildName(t, "agreements", "odr agreement list")); INVALID_ARGUMENT naming NAME and the
// command that lists them otherwise.
absl::StatusOr<std::string> CaseChildName(absl::string_view text, absl::string_view collection,
                                          absl::string_view list_command);

// The case of a child's name: "cases/c1" for "cases/c1/agreements/a1". Empty if `name` does not
// start with cases/.
std::string CaseOfName(absl::string_view name);

// A party of the case as agreements, offers and confirmations name it: `applicants/{i}` or
// `respondents/{i}`, i counting from 0 (as the case lists them). Returns it without surrounding
// spaces; INVALID_ARGUMENT naming `flag` otherwise (an agent is not a party:
// applicants/0/agents/0 is refused).
absl::StatusOr<std::string> ParsePartyRef(absl::string_view text, absl::string_view flag);

// A date that exists, written YYYY-MM-DD (2027-02-29 does not exist); returned as written
// without surrounding spaces. INVALID_ARGUMENT naming `flag` otherwise.
absl::StatusOr<std::string> ParseDateFlag(absl::string_view text, absl::string_view flag);

// Agreement term kinds: payment, performance, property-transfer, apology, property-ownership,
// personal-status, other. Case and '_' versus '-' do not matter, and the enum's own names
// (KIND_PAYMENT, PAYMENT) work too.
absl::StatusOr<v1::AgreementTerm::Kind> ParseTermKind(absl::string_view text,
                                                      absl::string_view flag);

// A --term spec: KIND:OBLIGOR:METHOD:YYYY-MM-DD:DESCRIPTION, e.g.
//   payment:respondents/0:bank transfer:2026-12-31:赔偿医疗费及误工费共计两万元
// KIND as ParseTermKind, OBLIGOR as ParsePartyRef, the deadline as ParseDateFlag. The description
// is everything after the fourth ':' (it may hold ':'); in METHOD write `\:` for a ':' and `\\`
// for a '\'. Spaces around the fields are dropped. Empty METHOD or DESCRIPTION are left for
// odrd to report.
absl::StatusOr<v1::AgreementTerm> ParseTermSpec(absl::string_view spec, absl::string_view flag);

// An --instalment spec: YYYY-MM-DD:AMOUNT_YUAN:PAYER:PAYEE, e.g.
//   2026-12-31:10000.50:respondents/0:applicants/0
// The due date as ParseDateFlag, the amount as ParseYuanToFen (exactly, into fen), payer and
// payee as ParsePartyRef.
absl::StatusOr<v1::Instalment> ParseInstalmentSpec(absl::string_view spec, absl::string_view flag);

// Material kinds of a confirmation: identity (identity-proof), property-right
// (property-right-proof), other; or the enum's names (KIND_IDENTITY_PROOF ...).
absl::StatusOr<v1::ConfirmationMaterial::Kind> ParseMaterialKind(absl::string_view text,
                                                                 absl::string_view flag);

// A --material spec: EVIDENCE:KIND, split at the last ':'. EVIDENCE is the evidence's full name,
// cases/{case}/evidence/{id}, or just {id}, of `case_name` (`cases/{case}`; if empty, only the
// full name works). KIND as ParseMaterialKind.
absl::StatusOr<v1::ConfirmationMaterial> ParseMaterialSpec(absl::string_view spec,
                                                           absl::string_view case_name,
                                                           absl::string_view flag);

// Why a court refuses to accept (--ground of refuse): no-jurisdiction, personal-status,
// special-procedure, property-ownership, other (or REFUSAL_GROUND_... names).
absl::StatusOr<v1::RefusalGround> ParseRefusalGround(absl::string_view text,
                                                     absl::string_view flag);

// Why a court rejects (--ground of rule --rejected): violates-mandatory-law,
// harms-others-interests, public-order, not-voluntary, unclear, other (or REJECTION_GROUND_...).
absl::StatusOr<v1::RejectionGround> ParseRejectionGround(absl::string_view text,
                                                         absl::string_view flag);

// A confirmation's state (--state of list): awaiting-parties, submitted, accepted,
// materials-requested, refused, ruled-valid, ruled-rejected, withdrawn (or STATE_... names).
absl::StatusOr<v1::Confirmation::State> ParseConfirmationState(absl::string_view text,
                                                               absl::string_view flag);

// How a diverted case ended (--outcome): pending, settled, confirmed, referred, ended,
// trial-resumed, mediation-statement, suit-withdrawn (or DIVERSION_OUTCOME_... names).
absl::StatusOr<v1::DiversionOutcome> ParseDiversionOutcome(absl::string_view text,
                                                           absl::string_view flag);

// How the court concluded a settled post-filing suit (--conclusion of court conclude): statement
// (mediation-statement) or withdrawn (suit-withdrawn); or KIND_MEDIATION_STATEMENT,
// KIND_SUIT_WITHDRAWN. No other CaseEnding kind.
absl::StatusOr<v1::CaseEnding::Kind> ParseConclusion(absl::string_view text,
                                                     absl::string_view flag);

// The name of an enum value without `prefix`: "DRAFT" for Agreement::STATE_DRAFT with "STATE_",
// "NO_JURISDICTION" for REFUSAL_GROUND_NO_JURISDICTION with "REFUSAL_GROUND_". Empty for 0 (the
// UNSPECIFIED value); the number for a value this build does not know.
std::string EnumValueShortName(const google::protobuf::EnumDescriptor* descriptor, int value,
                               absl::string_view prefix);

}  // namespace odr::cli

#endif  // ODR_CLIENT_CLI_INPUT_H_

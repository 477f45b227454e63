// The record that mediation was voluntary and lawful: what a court checks before confirming an
// agreement (CPL Interpretation Art. 358(四): voluntariness; OMR Art. 23: false mediation). Each
// record says who gave or did what, when and how; the rules of who may record what, which records
// a case needs, and what recording one does to the case live here. Pure; safe for concurrent use.
#ifndef ODR_SERVER_DOMAIN_PROCEDURE_RECORD_H_
#define ODR_SERVER_DOMAIN_PROCEDURE_RECORD_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/confirmation.h"
#include "server/domain/principal.h"
#include "server/domain/types.h"

namespace odr::domain {

enum class RecordKind {
  kMediationConsent,       // a party consents to online mediation (OMR Art. 4)
  kDiversionConsent,       // a party consents to the court's diversion (特邀 Art. 11)
  kNoticeAcknowledged,     // a party acknowledged the notice of rights and duties (特邀 Art. 14)
  kIdentityVerified,       // a party's identity verified online, and how (OMR Art. 17)
  kFalseMediationWarning,  // a party was warned about false mediation (OMR Art. 17)
  kServiceAddressConfirmed,  // a party confirmed its service_address on the case (OMR Art. 17)
  kMinutesConfirmed,         // a party confirmed a session's electronic minutes (OMR Art. 22)
  kRecordingConsent,         // a party expressly consents to audio/video recording (OMR Art. 22)
  kUndisputedFacts,          // facts the parties confirm as undisputed (OMR Art. 18)
  kConflictDisclosed,        // a mediator disclosed a possible conflict (OMR Art. 13)
  kConflictWaived,           // a party waived a disclosed conflict (OMR Art. 13)
  kRecusalRequested,         // a party asks a mediator to withdraw (OMR Art. 13; 特邀 Art. 15)
  kRecusalDecided,           // the organization or the court decided a recusal request
  kReplacementRefused,       // a party refused a replacement and to choose (OMR Art. 14)
  kSeparateSessionConsent,   // a party consents to staggered (背对背) sessions (OMR Art. 16)
  kPresidingMediator,        // the mediator who presides when several mediate (OMR Art. 11)
  kFalseMediationSuspected,  // the mediator suspends and reports to the court (特邀 Art. 18)
};

const char* RecordKindName(RecordKind k);  // "mediation_consent" ...
std::optional<RecordKind> RecordKindFromName(absl::string_view n);
// The article a kind records compliance with, e.g. "OMR Art. 4".
const char* RecordLegalBasis(RecordKind k);

struct ProcedureRecord {
  std::string case_id;
  std::string id;
  RecordKind kind = RecordKind::kMediationConsent;
  std::string party;     // "applicants/{i}" / "respondents/{i}": the party it concerns
  std::string mediator;  // principal id of the mediator it concerns
  std::string manner;    // how it was given or done (人脸识别, 书面, 调解会上口头 ...)
  std::string detail;    // the facts, the disclosure, the grounds, a note ...
  std::string appointment;  // the session whose minutes were confirmed (appointment id)
  bool granted = false;     // kRecusalDecided: the recusal was granted
  std::string recorded_by;  // principal id
  absl::Time record_time;
};

// Which fields each kind takes: a party, a mediator, a detail, an appointment, a manner.
struct RecordShape {
  bool party = false;
  bool mediator = false;
  bool detail = false;       // required
  bool appointment = false;  // required
  bool manner = false;       // required (otherwise optional)
};
RecordShape ShapeOf(RecordKind k);

inline constexpr size_t kMaxRecordMannerChars = 200;
inline constexpr size_t kMaxRecordDetailChars = 2000;

// Whether principal `p` may record `r` on case `c` (the case is readable to `p`: AuthorizeCase
// kRead passed). A party's own consents, acknowledgements, confirmations and requests: that party
// (or its agent) or the case's staff — an accepted mediator or an organization admin — recording
// what the party gave; a diversion consent also the diverting court. Identity, warnings,
// undisputed facts, a presiding mediator, a suspicion of false mediation: the staff (a presiding
// mediator also the diverting court). A conflict disclosure: the mediator concerned (proposed or
// accepted) or an organization admin. A conflict waiver: not the mediator whose conflict it is. A
// recusal decision: an organization admin or the diverting court. PERMISSION_DENIED naming the rule
// otherwise.
absl::Status AuthorizeRecord(const Principal& p, const Case& c, const ProcedureRecord& r);

// Whether `r` may be added to `c` with the case's earlier records `earlier`: the fields its kind
// takes (INVALID_ARGUMENT naming "record.party" ...), the party and mediator belong to the case, a
// diversion consent only on a court-diverted case, a recusal decision only on a pending request,
// a presiding mediator only among several accepted ones, a refused replacement only after a
// mediator was replaced and before settlement (NO_REPLACEMENT); records are added until the case
// ends (FAILED_PRECONDITION). The appointment's existence is storage's to check.
absl::Status CheckRecord(const Case& c, const ProcedureRecord& r,
                         const std::vector<ProcedureRecord>& earlier);

// What recording `r` does besides being recorded: a refusal of a replacement is a refusal of
// mediation (OMR Art. 14), so the case closes with this reason. nullopt for every other kind.
std::optional<std::string> ClosingReason(const ProcedureRecord& r);

// The text of the case event that records `r`. Never the detail nor the manner (free text that
// may hold personal data).
std::string RecordEventText(const ProcedureRecord& r);

// Who sees the event and the record: everyone related to the case, except a suspicion of false
// mediation, which the staff and the court see (the parties are not tipped off).
EventAudience RecordAudience(RecordKind k);

// How much of record `r` of case `c` principal `p` (who may read the case, or a court reading an
// application's bundle) sees: a court everything; others nothing of a record whose audience they
// may not see (a citizen: a suspicion of false mediation); a citizen the manner and detail only
// of records about no party or about a party it is or acts for.
enum class RecordVisibility { kHidden, kWithoutText, kFull };
RecordVisibility VisibilityOf(const Principal& p, const Case& c, const ProcedureRecord& r);

// What a court checks that the records do not show yet (CPL Interpretation Art. 358(四); OMR Arts.
// 4, 11, 13, 16, 17, 22, 23; 特邀 Arts. 11, 14, 18), as pre-check warnings on `field` (empty):
// for each party, a missing consent to online mediation (and to the diversion, when diverted),
// acknowledgement of the notice, identity verification, false-mediation warning, confirmed service
// address, or confirmation of any session's minutes (MISSING_PROCEDURE_RECORD); separate sessions
// held (`separate_sessions` > 0) without every party's consent (SEPARATE_SESSION_WITHOUT_CONSENT);
// a disclosed conflict not waived by every party (CONFLICT_NOT_WAIVED); an undecided recusal
// request of a mediator still on the case, or a granted one whose mediator still mediates
// (RECUSAL_PENDING); several accepted
// mediators and none presiding (PRESIDING_MEDIATOR_MISSING). Never a suspicion of false mediation:
// the parties read these warnings, and a suspicion is for the staff and the court.
std::vector<ConfirmationProblem> RecordWarnings(const Case& c,
                                                const std::vector<ProcedureRecord>& records,
                                                int separate_sessions);

inline constexpr char kProblemMissingRecord[] = "MISSING_PROCEDURE_RECORD";
inline constexpr char kProblemSeparateSessionWithoutConsent[] = "SEPARATE_SESSION_WITHOUT_CONSENT";
inline constexpr char kProblemConflictNotWaived[] = "CONFLICT_NOT_WAIVED";
inline constexpr char kProblemRecusalPending[] = "RECUSAL_PENDING";
inline constexpr char kProblemPresidingMediatorMissing[] = "PRESIDING_MEDIATOR_MISSING";

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_PROCEDURE_RECORD_H_

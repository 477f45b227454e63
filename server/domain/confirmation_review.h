// The court's review of a filed confirmation application and what follows its ruling, as the
// court runs it (domain.md section 9): a withdrawal after filing is a request the court rules on
// and an application may be treated as withdrawn (CPL Interpretation Art. 357); materials asked
// for carry a deadline (Arts. 354, 356); both parties may be called to appear together (Art. 356);
// the ruling period may be extended with the president's approval (CPL Art. 187); the ruling's
// service opens the objection windows (Interp Art. 372); after a rejection the parties may mediate
// again, each consenting, or sue (CPL Art. 206; PML Art. 33). Each function checks its rule and
// changes only the application it is given; storage saves it with the deadlines and the case.
// Pure functions of their arguments; safe for concurrent use.
#ifndef ODR_SERVER_DOMAIN_CONFIRMATION_REVIEW_H_
#define ODR_SERVER_DOMAIN_CONFIRMATION_REVIEW_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "server/domain/confirmation.h"
#include "server/domain/types.h"

namespace odr::domain {

// Bounds of the court's inputs (not legal caps: the law sets none for these).
inline constexpr int kMaxMaterialsDueDays = 60;
inline constexpr int kMaxRulingExtensionDays = 365;
inline constexpr int kObjectionDays = 15;          // a party's, from receiving the ruling
inline constexpr int kInterestedPersonMonths = 6;  // from knowing of the harm (不变期间)
inline constexpr int kObstacleDays = 10;  // CPL Art. 86: apply within 10 days of the obstacle's end
inline constexpr int kMaxPartyTimeDays = 60;  // how far after today a new last day may be (a bound)

// Whether a withdrawal needs the court's ruling: the court filed (accepted) the application
// (Interp Art. 357). Before that the parties withdraw by themselves.
bool WithdrawalNeedsRuling(const Confirmation& f);

// Records `parties`' request to withdraw a filed application (ACCEPTED or MATERIALS_REQUESTED):
// the state stays, the court rules (RuleOnWithdrawal). FAILED_PRECONDITION when not filed, ruled
// already, or a request is pending (WITHDRAWAL_PENDING).
absl::Status RequestWithdrawal(Confirmation* f, std::vector<std::string> parties,
                               absl::string_view reason, absl::Time now);

enum class WithdrawalRuling { kGrant, kDeny, kDeem };
// The court rules on a withdrawal (Interp Art. 357). kGrant and kDeny need a pending request;
// kGrant withdraws it (WITHDRAWN, kGranted), kDeny clears the request and the review goes on.
// kDeem treats it as withdrawn (para. 2) only when the parties failed the court: the materials'
// deadline passed unmet (MATERIALS_REQUESTED, `materials_due` before `now`) or the time to appear
// together passed (FAILED_PRECONDITION NOT_DEFAULTED otherwise). A grant or a deemed withdrawal
// needs `ruling_number`. Returns the event's text.
absl::StatusOr<std::string> RuleOnWithdrawal(Confirmation* f, WithdrawalRuling ruling,
                                             absl::string_view note,
                                             absl::string_view ruling_number, absl::Time now);

// `due_days` of a materials request: 1-kMaxMaterialsDueDays (Interp Arts. 354, 356: "限期").
// INVALID_ARGUMENT on field "due_days" otherwise.
absl::Status CheckMaterialsDueDays(int due_days);

// Calls both parties to appear together at `time`, at `place` (Interp Art. 356): only a filed
// application under review (ACCEPTED or MATERIALS_REQUESTED); `time` after `now`; replaces an
// earlier call. INVALID_ARGUMENT on "appearance_time"/"place", FAILED_PRECONDITION otherwise.
absl::Status CallParties(Confirmation* f, absl::Time time, absl::string_view place, absl::Time now);

// Records an extension of the ruling period by `days` (1-kMaxRulingExtensionDays) approved by the
// court's president, `approval` naming the approval (CPL Art. 187): only under review. The
// ruling deadline itself is extended by StatutoryClock::ExtendRuling.
absl::Status ExtendRuling(Confirmation* f, int days, absl::string_view approval, absl::Time now);

// Records when the parties received the ruling (RULED_VALID or RULED_REJECTED), once; not before
// the ruling nor after `now`. The parties' objection window (15 days, StatutoryClock) runs from it.
absl::Status RecordRulingService(Confirmation* f, absl::Time served, absl::Time now);

// Files objection `o` to the ruling (Interp Art. 372): a party's (`o.party` set) within 15 days
// of receiving it (before `f.objection_due`; before service is recorded it is on time); an
// interested person's (`o.interested_person`, `o.harm_known_date`) only against a ruling that
// the agreement is valid, within 6 months of the day they knew of the harm. One pending objection
// of the same objector at a time. Sets its id and time; returns a pointer into `f`.
// FAILED_PRECONDITION OBJECTION_TOO_LATE / NOT_RULED, INVALID_ARGUMENT for a missing field.
absl::StatusOr<const Objection*> FileObjection(Confirmation* f, Objection o, absl::Time now);

// The last day an interested person may object: 6 months after `known`, China time, 24:00.
absl::Time InterestedPersonObjectionDue(absl::CivilDay known);

// The court grants party `e.party` of case `c`, late for a good reason, more time (CPL Art. 86):
// the materials' deadline (PartyPeriod::kMaterials, only while MATERIALS_REQUESTED) or the
// parties' objection period (kObjection, only once the ruling's service is recorded) ends on
// `e.until` instead. `e.until` after the period's current last day (`f`'s materials_due or
// objection_due), not before today and at most kMaxPartyTimeDays after it; `e.obstacle_end` not in
// the future and today at most kObstacleDays after it. Records the extension (time `now`); the
// caller moves the deadline (StatutoryClock::ExtendPartyPeriod) and the due time with it.
// INVALID_ARGUMENT naming "party", "reason", "until_date" or "obstacle_end_date";
// FAILED_PRECONDITION NO_SUCH_PERIOD or APPLICATION_TOO_LATE.
absl::Status GrantPartyTime(Confirmation* f, const Case& c, PartyTimeExtension e, absl::Time now);

// What an upheld objection does to the case (Interp Art. 372).
enum class ObjectionEffect {
  kNone,     // dismissed
  kRevoked,  // a valid ruling revoked: the case is no longer confirmed (RevokeConfirmation)
  kReopened  // a rejection set aside: the court rules again, its 30 days anew
};
// The court decides objection `objection_id`: upheld or dismissed, with `note` and the ruling's
// number. Upholding one against a rejection needs the case still SETTLED (`case_state`; the
// parties have not mediated again). NOT_FOUND for an unknown objection, FAILED_PRECONDITION for a
// decided one.
absl::StatusOr<ObjectionEffect> DecideObjection(Confirmation* f, absl::string_view objection_id,
                                                bool upheld, absl::string_view note,
                                                absl::string_view ruling_number,
                                                CaseState case_state, absl::Time now);

// After a rejected or revoked confirmation (`f` the case's latest application), records the
// consent of `parties` to mediate again (CPL Art. 206; PML Art. 33); returns the parties of `c`
// still to consent (empty: mediation resumes). FAILED_PRECONDITION NOT_REJECTED otherwise or when
// the case is not SETTLED.
absl::StatusOr<std::vector<std::string>> ConsentToMediateAgain(
    Confirmation* f, const Case& c, const std::vector<std::string>& parties);

// Whether a SETTLED case may end (CloseCase: a party sues instead, CPL Art. 206): only when its
// latest application was rejected or its ruling revoked (`latest`, nullopt: none).
// FAILED_PRECONDITION SETTLED_AGREEMENT_IN_FORCE otherwise.
absl::Status CheckCanEndSettledCase(std::optional<ConfirmationState> latest);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_CONFIRMATION_REVIEW_H_

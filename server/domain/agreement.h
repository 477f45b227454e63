// Settlement agreements (PML Arts. 28-31): their statutory contents, validation, the canonical
// text a content hash covers, who must sign, and the statement each signature covers. Pure
// functions of their arguments; safe for concurrent use. docs/agreements.md has the rules.
#ifndef ODR_SERVER_DOMAIN_AGREEMENT_H_
#define ODR_SERVER_DOMAIN_AGREEMENT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "server/domain/types.h"
#include "server/domain/validation.h"

namespace odr::domain {

// Stored by name (TermKindName).
enum class TermKind {
  kPayment,
  kPerformance,
  kPropertyTransfer,
  kApology,
  kPropertyOwnership,  // not confirmable (CPL Interpretation Art. 355)
  kPersonalStatus,     // not confirmable (CPL Interpretation Art. 355)
  kOther,
};

struct AgreementTerm {
  TermKind kind = TermKind::kOther;
  std::string description;
  std::string obligor;        // "applicants/0"
  std::string method;         // how it is performed
  std::string deadline_date;  // YYYY-MM-DD
};

struct Instalment {
  std::string due_date;  // YYYY-MM-DD, China time
  int64_t amount_fen = 0;
  std::string payer;  // "respondents/0"
  std::string payee;  // "applicants/0"
};

// What the drafters write; everything else of an agreement is derived or recorded.
struct AgreementContent {
  std::string facts;
  std::string issues;
  std::string responsibilities;
  std::vector<AgreementTerm> terms;
  std::vector<Instalment> instalments;
};

// A party as the agreement names it: a copy of the case's party at the revision.
struct AgreementParty {
  std::string ref;  // "applicants/0"
  PartyKind kind = PartyKind::kNaturalPerson;
  std::string name;
  IdDocumentType id_document_type = IdDocumentType::kResidentIdCard;
  std::string id_number;
  std::string phone;
  std::string service_address;
  bool operator==(const AgreementParty&) const = default;
};

enum class AgreementState { kDraft, kEffective, kAbandoned, kConfirmationRejected };

// When an agreement takes effect (docs/agreements.md). Stored by name (EffectRuleName).
enum class EffectRule {
  // When every party has signed (OMR Art. 19; 特邀 Art. 24 para 3); the mediator's signature
  // and the organization's seal remain required form.
  kPartiesSigned,
  // When the parties, the mediator and the committee's seal are all on it (PML Art. 29).
  kAllSigned,
};
enum class SignerRole { kParty, kMediator, kOrganization };

struct AgreementSignature {
  std::string signer;  // "applicants/0", "principals/{p}", "organizations/{o}"
  SignerRole role = SignerRole::kParty;
  std::string principal;  // the account that signed
  absl::Time time;
  std::string statement;  // what was signed (SignatureStatement)
  std::string signature;  // raw Ed25519, 64 bytes
  std::string key_id;
};

struct Payment {
  int instalment = 0;
  int64_t amount_fen = 0;
  absl::Time time;
  std::string recorded_by;
  std::string note;
};

// One agreement at its current (or a requested) revision.
struct Agreement {
  std::string case_id;
  std::string id;
  int revision = 1;
  AgreementState state = AgreementState::kDraft;
  std::vector<AgreementParty> parties;
  AgreementContent content;
  std::string text;                            // CanonicalText of this revision
  std::string content_hash;                    // lowercase hex SHA-256 of text
  std::vector<AgreementSignature> signatures;  // of this revision
  std::vector<Payment> payments;
  absl::Time create_time;
  absl::Time update_time;
  std::optional<absl::Time> effective_time;
  EffectRule effect_rule = EffectRule::kPartiesSigned;
  // Served on the parties through the platform (OMR Art. 19); filed with the diverting court
  // (特邀 Art. 19). Unset before, and on agreements that took effect before odr recorded them.
  std::optional<absl::Time> service_time;
  std::optional<absl::Time> court_filing_time;
  int64_t version = 1;       // the etag
  std::string name() const;  // "cases/{case}/agreements/{id}"
};

// A privileged offer or concession (OMR Art. 18).
struct Offer {
  std::string case_id;
  std::string id;
  std::string offered_by;  // "applicants/0"
  std::string text;
  int64_t amount_fen = 0;
  std::string recorded_by;
  absl::Time time;
};

const char* TermKindName(TermKind k);
std::optional<TermKind> TermKindFromName(absl::string_view n);
const char* AgreementStateName(AgreementState s);
std::optional<AgreementState> AgreementStateFromName(absl::string_view n);
const char* EffectRuleName(EffectRule r);
std::optional<EffectRule> EffectRuleFromName(absl::string_view n);
const char* SignerRoleName(SignerRole r);
std::optional<SignerRole> SignerRoleFromName(absl::string_view n);

// Limits, in one place.
inline constexpr int kMaxAgreementTextChars = 5000;
inline constexpr int kMaxTerms = 50;
inline constexpr int kMaxInstalments = 120;
inline constexpr int64_t kMaxInstalmentFen = 10'000'000'000'000;  // 10^13 fen
inline constexpr int kMaxOfferChars = 2000;

// Appends a violation per invalid field of `content` for case `c` at `now`, under `path`
// ("agreement"): lengths, party references that exist in the case, dates (instalments not due
// before today, China time), amounts, and that a payment term has a schedule.
void ValidateAgreementContent(const AgreementContent& content, const Case& c, absl::Time now,
                              const std::string& path, Violations* v);
// Whether `a` binds the parties (PML Art. 31) and is performed on: effective, or effective and
// then refused confirmation or revoked (a rejection does not void it, CPL Art. 206).
bool BindsParties(const Agreement& a);

// Whether `ref` ("applicants/0", "respondents/1") names a party of `c`.
bool IsPartyRef(const Case& c, absl::string_view ref);

// The parties of `c` as an agreement names them.
std::vector<AgreementParty> PartiesOf(const Case& c);

// The canonical text of revision `revision` of agreement `name` (`cases/{c}/agreements/{a}`),
// which the content hash covers: UTF-8, LF line ends, fields in a fixed order, amounts in fen
// and yuan. The same inputs give the same bytes on every platform.
std::string CanonicalText(absl::string_view name, absl::string_view case_number, int revision,
                          const std::vector<AgreementParty>& parties,
                          const std::string& organization_id, const AgreementContent& content);
// Lowercase hex SHA-256.
std::string Sha256Hex(absl::string_view bytes);

// Who must sign revision of an agreement of `c`: every party ("applicants/{i}",
// "respondents/{i}"), "mediator" (any accepted mediator) and "organizations/{o}".
std::vector<std::string> RequiredSigners(const Case& c);
// The required signers without a signature in `signatures`.
std::vector<std::string> PendingSigners(const Case& c,
                                        const std::vector<AgreementSignature>& signatures);

// The rule an agreement of a case that came by `route` to an organization of `kind` takes effect
// by: in court-diverted mediation (before or after filing) when every party has signed (特邀
// Art. 24 para 3; OMR Art. 19), whatever the organization; on a citizen's own application, before
// a people's mediation committee when the committee has sealed it too (PML Art. 29), before any
// other organization on the platform when every party has signed (OMR Art. 19).
EffectRule EffectRuleFor(Route route, bool peoples_mediation_committee);

// "every party signed (OMR Art. 19; 特邀 Art. 24)" or the PML Art. 29 equivalent: why it took
// effect, for the timeline.
std::string EffectRuleText(EffectRule rule);

// The timeline's and the ending's text of `party` refusing to sign revision `revision` for
// `reason` (OMR Art. 25(七)).
std::string RefusalText(absl::string_view party, int revision, absl::string_view reason);

// When `signatures` met `rule` for case `c`: the time of the signature that completed it (the
// last party's, or the last of all required), or nullopt while it is not met.
std::optional<absl::Time> EffectiveAt(EffectRule rule, const Case& c,
                                      const std::vector<AgreementSignature>& signatures);

// Whether a signature by `role` is still wanted on `a` for case `c`: any pending signer of a draft;
// of an effective agreement only the form it lacks (the mediator, the organization's seal).
bool AcceptsSignatureFrom(const Agreement& a, const Case& c, SignerRole role);

// Whether signers of `roles` may sign `a` of case `c` now: a draft of a case being mediated, or an
// effective agreement of a settled case that still lacks each role's form (AcceptsSignatureFrom).
// FAILED_PRECONDITION AGREEMENT_NOT_DRAFT naming both states otherwise.
absl::Status CheckCanSign(const Agreement& a, const Case& c, const std::vector<SignerRole>& roles);

// Whether a party may refuse `a` of case `c` (OMR Art. 25(七)): only a draft of a case being
// mediated. FAILED_PRECONDITION AGREEMENT_NOT_DRAFT otherwise.
absl::Status CheckCanRefuse(const Agreement& a, const Case& c);

// The text a signature covers.
std::string SignatureStatement(absl::string_view agreement_name, int revision,
                               absl::string_view content_hash, absl::string_view signer,
                               absl::string_view principal, absl::Time time);

// The instalment's state at `now`: paid in full, overdue after the end of its due day (China
// time), or due.
enum class InstalmentState { kDue, kPaid, kOverdue };
int64_t PaidFen(const Agreement& a, int instalment);
InstalmentState InstalmentStateAt(const Agreement& a, int instalment, absl::Time now);

// Signs agreement statements with the server's agreement key, on the signer's authenticated
// consent (docs/adr/0012-agreement-signatures.md). Implementations are thread-safe.
class StatementSigner {
 public:
  virtual ~StatementSigner() = default;
  // Raw Ed25519 signature (64 bytes) over `statement`.
  virtual absl::StatusOr<std::string> Sign(absl::string_view statement) const = 0;
  // The first 16 hex digits of SHA-256 of the raw public key.
  virtual std::string KeyId() const = 0;
  // The raw 32-byte public key.
  virtual std::string PublicKey() const = 0;
};

// "1,234.56" for 123456 fen.
std::string YuanText(int64_t fen);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_AGREEMENT_H_

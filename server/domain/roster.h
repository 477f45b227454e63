// Mediation organizations, mediators and pools (plain values), their validation, conflict
// screening and the ranking used to recommend mediators. Pure; safe for concurrent use.
#ifndef ODR_SERVER_DOMAIN_ROSTER_H_
#define ODR_SERVER_DOMAIN_ROSTER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/errors.h"
#include "server/domain/types.h"

namespace odr::domain {

enum class OrganizationKind {
  kPeoplesMediationCommittee,
  kIndustryProfessional,
  kCourtInvited,
  kLawyer,
  kAdministrative,
  kCommercial,
  kOther,
};

struct Organization {
  std::string id;
  std::string display_name;
  OrganizationKind kind = OrganizationKind::kOther;
  std::string region_code;
  std::string affiliated_court_id;  // may be empty
  absl::Time create_time;
  int64_t version = 0;
};

enum class Employment { kFullTime, kPartTime };

struct Mediator {
  std::string organization_id;
  std::string id;
  std::string display_name;
  std::string profile;
  std::vector<DisputeType> specialties;
  std::vector<std::string> languages;
  std::string region_code;
  Employment employment = Employment::kFullTime;
  int64_t fee_fen = 0;
  int max_concurrent_cases = 1;
  bool suspended = false;
  int active_cases = 0;  // maintained by the store
  std::string principal_id;
  // Private details (conflict screening).
  IdDocumentType id_document_type = IdDocumentType::kResidentIdCard;
  std::string id_number;
  std::string phone;
  std::vector<std::string> related_id_numbers;
  int recent_settled = 0;
  int recent_ended = 0;
  int64_t version = 0;
};

struct Pool {
  std::string organization_id;
  std::string id;
  std::string display_name;
  std::vector<DisputeType> dispute_types;  // empty: all
  std::vector<std::string> region_codes;   // codes or 2/4-digit prefixes; empty: all
  std::vector<std::string> mediator_ids;   // roster ids in the same organization
  int64_t version = 0;
};

// Language codes odr knows (docs/api.md): zh and Chinese varieties, minority and foreign languages.
bool IsKnownLanguage(absl::string_view code);

void ValidateOrganization(const Organization& o, const std::string& path, Violations* v);
// `creating`: private details are required then.
void ValidateMediator(const Mediator& m, const std::string& path, Violations* v);
// A mediator of an organization of `kind`: a people's mediation committee charges nothing (PML
// Art. 4), so its mediators' `fee_fen` must be 0 (a violation on `{path}.fee_fen`).
void ValidateMediatorFee(const Mediator& m, OrganizationKind kind, const std::string& path,
                         Violations* v);
void ValidatePool(const Pool& p, const std::string& path, Violations* v);

// Grounds for recusal found automatically (OMR Art. 13): the mediator is a party or an agent,
// shares an ID number or phone with one, or is recorded as related to one. Empty: none found.
std::vector<std::string> ConflictsWith(const Mediator& m, const CaseData& c);

// Ranking weights (docs/api.md). They sum to 1, so a score is in [0, 1].
struct MatchWeights {
  double specialty = 0.40;  // the case's dispute type among the mediator's specialties
  double region = 0.20;     // same county 1, same city 0.6, same province 0.3
  double language = 0.15;   // speaks the case's language 1, a variety of it 0.5
  double load = 0.15;       // 1 - active / max: spreads work
  double outcome = 0.10;    // (settled + 1) / (ended + 2) over the last year
};

struct Recommendation {
  const Mediator* mediator = nullptr;
  double score = 0;
  std::vector<std::string> reasons;
};

// Ranks the mediators who can take the case: active, below capacity, without conflict and not
// in `excluded` (roster ids already proposed, declined or replaced for it). Best first; ties go
// to the lower load, then the id. At most `limit`.
std::vector<Recommendation> RankMediators(const CaseData& c, const std::vector<Mediator>& all,
                                          const std::vector<std::string>& excluded, int limit,
                                          const MatchWeights& w = {});

const char* OrganizationKindName(OrganizationKind k);
std::optional<OrganizationKind> OrganizationKindFromName(absl::string_view name);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_ROSTER_H_

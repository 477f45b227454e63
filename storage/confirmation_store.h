// Judicial confirmation applications, the courts registry, and what courts follow (diverted cases,
// referrals), in the case database. Every write runs in the case's write transaction
// (SqliteCaseStore::MutateCaseFor): the application, the agreement, the case's state, its
// deadlines and a CONFIRMATION_CHANGED event change together or not at all. The rules are
// server/domain/confirmation.h.
#ifndef ODR_STORAGE_CONFIRMATION_STORE_H_
#define ODR_STORAGE_CONFIRMATION_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/clock.h"
#include "server/domain/confirmation.h"
#include "server/domain/confirmation_review.h"
#include "server/domain/statutory_clock.h"
#include "storage/sqlite_case_store.h"
#include "storage/sqlite_db.h"

namespace odr::storage {

// The courts registry. Thread-safe; blocks on SQLite.
class CourtStore {
 public:
  explicit CourtStore(Database* db) : db_(db) {}
  // ALREADY_EXISTS if the id is taken; INVALID_ARGUMENT for an id, name or region code that is
  // not valid (region: six digits).
  absl::Status Create(const domain::Court& court);
  // NOT_FOUND if absent.
  absl::StatusOr<domain::Court> Get(absl::string_view id);
  // By id.
  absl::StatusOr<std::vector<domain::Court>> List();

 private:
  Database* db_;
};

// Position in a list: the order key (decimal microseconds) and a tie-breaker id.
struct ListCursor {
  int64_t time_us = 0;
  std::string id;
};

struct ConfirmationPage {
  std::vector<std::pair<domain::Confirmation, domain::Case>> items;
  std::optional<ListCursor> next;
};

// How a diverted case ended, or that it has not (CourtService.DiversionOutcome).
// kReferred: pre-filing failure, to be filed; kTrialResumed: post-filing failure;
// kMediationStatement and kSuitWithdrawn: a settled post-filing suit the court concluded (OMR Arts.
// 20-21).
enum class DiversionOutcome {
  kPending,
  kSettled,
  kConfirmed,
  kReferred,
  kEnded,
  kTrialResumed,
  kMediationStatement,
  kSuitWithdrawn,
};

struct DivertedCaseRow {
  domain::Case c;
  DiversionOutcome outcome = DiversionOutcome::kPending;
  std::optional<domain::ConfirmationState> confirmation_state;  // the latest application's
};
struct DivertedPage {
  std::vector<DivertedCaseRow> rows;
  std::optional<ListCursor> next;
};

struct ReferralRow {
  std::string court_id;
  domain::Case c;
  std::string reason;
  absl::Time time;
  domain::EndingKind kind = domain::EndingKind::kReferredForFiling;  // or kTrialResumed
  std::string cost_conduct;
};
struct ReferralPage {
  std::vector<ReferralRow> rows;
  std::optional<ListCursor> next;
};

// What PrecheckConfirmation and CreateConfirmation look at, read in one snapshot.
struct PrecheckResult {
  domain::PrecheckInput input;
  std::vector<domain::ConfirmationProblem> problems;
  std::vector<domain::ConfirmationProblem> warnings;  // domain::PrecheckWarnings
};

// Thread-safe; every method blocks on SQLite: call it from a worker pool. Errors as CaseStore's;
// NOT_FOUND for a missing application (the same message as a hidden one).
class ConfirmationStore {
 public:
  // Who may do it, seen inside the transaction: the case and the application as stored.
  using Authorize = std::function<absl::Status(const domain::Case&, const domain::Confirmation&)>;
  // The parties ("applicants/0") the caller acts for, seen inside the transaction.
  using PartiesOf = std::function<std::vector<std::string>(const domain::Case&)>;
  // The objection the caller files, authorized and built from the case and application as stored.
  using ObjectionOf = std::function<absl::StatusOr<domain::Objection>(const domain::Case&,
                                                                      const domain::Confirmation&)>;

  // Pointers must outlive the store.
  ConfirmationStore(Database* db, SqliteCaseStore* cases, Clock* clock, IdGenerator* ids,
                    const domain::StatutoryClock* statutory)
      : db_(db), cases_(cases), clock_(clock), ids_(ids), statutory_(statutory) {}

  // The pre-check of an application to `court_id` (empty: no court chosen) with `materials`,
  // at the clock's now. `path` prefixes field names ("confirmation.").
  absl::StatusOr<PrecheckResult> Precheck(
      absl::string_view case_id, absl::string_view court_id,
      const std::vector<domain::ConfirmationMaterial>& materials);

  // Applies with the consent of `parties` (refs of the case, chosen by the caller's
  // `choose_parties` from the case as stored), after ctx.authorize and the pre-check
  // (FAILED_PRECONDITION with the first problem's reason, every problem in the message). When
  // every party has consented, it is filed: SUBMITTED, the court's 3 days start and the
  // confirmation-application deadline is met. `request_key` (empty: none) makes a retry return
  // the first result.
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> Create(
      absl::string_view case_id, absl::string_view court_id,
      const std::vector<domain::ConfirmationMaterial>& materials,
      const std::function<absl::StatusOr<std::vector<std::string>>(const domain::Case&)>&
          choose_parties,
      absl::string_view request_key, const domain::MutationContext& ctx);

  // Adds the consent of the parties `choose_parties` returns; filed when every party consented.
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> Join(
      absl::string_view case_id, absl::string_view id,
      const std::function<absl::StatusOr<std::vector<std::string>>(
          const domain::Case&, const domain::Confirmation&)>& choose_parties,
      const domain::MutationContext& ctx);

  // The court-side and party-side changes. `authorize` runs first; `expected_version` (the
  // etag) is checked next (ABORTED STALE_ETAG). The rules are domain/confirmation_review.h.
  //
  // Withdraws an application the court has not filed (accepted); after filing, records the
  // request of `parties` for the court to rule on (CPL Interpretation Art. 357).
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> Withdraw(
      absl::string_view case_id, absl::string_view id, absl::string_view reason,
      const Authorize& authorize, const PartiesOf& parties, const domain::MutationContext& ctx);
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> SupplyMaterials(
      absl::string_view case_id, absl::string_view id,
      const std::vector<domain::ConfirmationMaterial>& materials, const Authorize& authorize,
      const domain::MutationContext& ctx);
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> Accept(
      absl::string_view case_id, absl::string_view id, std::optional<int64_t> expected_version,
      const Authorize& authorize, const domain::MutationContext& ctx);
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> Refuse(
      absl::string_view case_id, absl::string_view id, domain::RefusalGround ground,
      absl::string_view note, std::optional<int64_t> expected_version, const Authorize& authorize,
      const domain::MutationContext& ctx);
  // Asks for materials by a deadline of `due_days` (a KIND_CONFIRMATION_MATERIALS deadline).
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> RequestMaterials(
      absl::string_view case_id, absl::string_view id, absl::string_view note, int due_days,
      std::optional<int64_t> expected_version, const Authorize& authorize,
      const domain::MutationContext& ctx);
  // VALID: the case is confirmed (terminal; the agreement stays effective and its instalments
  // due). REJECTED (`grounds` not empty): the agreement becomes CONFIRMATION_REJECTED, still
  // binding with its instalments due, and the case stays SETTLED (CPL Art. 206).
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> Rule(
      absl::string_view case_id, absl::string_view id, bool valid,
      const std::vector<domain::RejectionGround>& grounds, absl::string_view note,
      absl::string_view ruling_number, std::optional<int64_t> expected_version,
      const Authorize& authorize, const domain::MutationContext& ctx);

  // Grants, refuses or deems a withdrawal; a withdrawal cancels the open review deadlines.
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> RuleWithdrawal(
      absl::string_view case_id, absl::string_view id, domain::WithdrawalRuling ruling,
      absl::string_view note, absl::string_view ruling_number,
      std::optional<int64_t> expected_version, const Authorize& authorize,
      const domain::MutationContext& ctx);
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> CallParties(
      absl::string_view case_id, absl::string_view id, absl::Time time, absl::string_view place,
      std::optional<int64_t> expected_version, const Authorize& authorize,
      const domain::MutationContext& ctx);
  // Records the president's approval and moves the ruling deadline by `days`.
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> ExtendRuling(
      absl::string_view case_id, absl::string_view id, int days, absl::string_view approval,
      std::optional<int64_t> expected_version, const Authorize& authorize,
      const domain::MutationContext& ctx);
  // Grants a party late for a good reason more time (domain::GrantPartyTime) and moves the
  // materials' or objection deadline to the new last day, running again if it had expired.
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> ExtendPartyTime(
      absl::string_view case_id, absl::string_view id, const domain::PartyTimeExtension& extension,
      std::optional<int64_t> expected_version, const Authorize& authorize,
      const domain::MutationContext& ctx);
  // Records the service of the ruling and starts the parties' 15-day objection deadline.
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> RecordRulingService(
      absl::string_view case_id, absl::string_view id, absl::Time served,
      std::optional<int64_t> expected_version, const Authorize& authorize,
      const domain::MutationContext& ctx);
  // Files the objection `objection` builds (it authorizes the caller).
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> FileObjection(
      absl::string_view case_id, absl::string_view id, const ObjectionOf& objection,
      const domain::MutationContext& ctx);
  // Decides an objection: an upheld one revokes a valid ruling (the case back to SETTLED, the
  // agreement CONFIRMATION_REJECTED) or sets a rejection aside (ACCEPTED, the agreement
  // EFFECTIVE, a new ruling deadline).
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> DecideObjection(
      absl::string_view case_id, absl::string_view id, absl::string_view objection_id, bool upheld,
      absl::string_view note, absl::string_view ruling_number,
      std::optional<int64_t> expected_version, const Authorize& authorize,
      const domain::MutationContext& ctx);
  // Adds the consent of the parties `choose_parties` returns to mediate again after the case's
  // latest application was rejected or revoked; with every party's, the case returns to
  // MEDIATING with a new mediation period (the agreement's instalments stay due).
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> ConsentToMediateAgain(
      absl::string_view case_id, absl::string_view id,
      const std::function<absl::StatusOr<std::vector<std::string>>(
          const domain::Case&, const domain::Confirmation&)>& choose_parties,
      const domain::MutationContext& ctx);

  // The application and its case.
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> Get(absl::string_view case_id,
                                                                    absl::string_view id);
  // A case's applications, newest first, and the case.
  absl::StatusOr<std::pair<std::vector<domain::Confirmation>, domain::Case>> ListForCase(
      absl::string_view case_id, std::optional<domain::ConfirmationState> state);
  // A court's applications, oldest first (a queue), after `after`, at most `limit` (a next
  // cursor if there are more). AWAITING_PARTIES ones are not yet the court's and never listed.
  absl::StatusOr<ConfirmationPage> ListForCourt(absl::string_view court_id,
                                                std::optional<domain::ConfirmationState> state,
                                                const std::optional<ListCursor>& after, int limit);

  // The cases court `court_id` diverted, oldest first, optionally only with `outcome`.
  absl::StatusOr<DivertedPage> ListDiverted(absl::string_view court_id,
                                            std::optional<DiversionOutcome> outcome,
                                            const std::optional<ListCursor>& after, int limit);
  // The court's referrals (failed mediations: pre-filing ones to be filed, post-filing ones for
  // the trial to resume), oldest first.
  absl::StatusOr<ReferralPage> ListReferrals(absl::string_view court_id,
                                             const std::optional<ListCursor>& after, int limit);

  // The competent courts of case `c` with the registry as stored.
  absl::StatusOr<std::vector<domain::CompetentCourt>> CompetentCourts(const domain::Case& c);

 private:
  // One change of an existing application in the case's write transaction: loads it, runs
  // `authorize`, checks the etag, applies `change` (which may move the case), bumps the version,
  // saves it and appends the CONFIRMATION_CHANGED event with `message(conf)`.
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> Change(
      absl::string_view case_id, absl::string_view id, std::optional<int64_t> expected_version,
      const Authorize& authorize, const domain::MutationContext& ctx,
      const std::function<absl::Status(Connection&, domain::Case&, domain::Confirmation&,
                                       absl::Time, std::string*)>& change);

  Database* db_;
  SqliteCaseStore* cases_;
  Clock* clock_;
  IdGenerator* ids_;
  const domain::StatutoryClock* statutory_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_CONFIRMATION_STORE_H_

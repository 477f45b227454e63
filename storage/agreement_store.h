// Settlement agreements, their revisions, signatures and payments, and privileged offers, in the
// case database. Every write runs in the case's write transaction (SqliteCaseStore::MutateCaseFor)
// so that the agreement, the case's state, its deadlines and its events change together.
#ifndef ODR_STORAGE_AGREEMENT_STORE_H_
#define ODR_STORAGE_AGREEMENT_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/agreement.h"
#include "server/domain/clock.h"
#include "server/domain/statutory_clock.h"
#include "storage/sqlite_case_store.h"
#include "storage/sqlite_db.h"

namespace odr::storage {

// Row helpers for the stores that read or change agreements in their own transaction
// (ConfirmationStore). They run on `c` in the caller's transaction.
namespace agreement_rows {
// Agreement `id` of the case at `revision` (0: the current one), with that revision's
// signatures and all payments; NOT_FOUND (reason AGREEMENT_NOT_FOUND) if absent.
absl::StatusOr<domain::Agreement> Load(Connection& c, absl::string_view case_id,
                                       absl::string_view id, int revision = 0);
// The case's open agreement (draft or effective), if any, at its current revision.
absl::StatusOr<std::optional<domain::Agreement>> LoadOpen(Connection& c, absl::string_view case_id);
// Sets the agreement's state (e.g. kConfirmationRejected) and bumps its version.
absl::Status SetState(Connection& c, absl::string_view case_id, absl::string_view id,
                      domain::AgreementState state, absl::Time now);
}  // namespace agreement_rows

// Thread-safe; every method blocks on SQLite: call from a worker pool. Errors as CaseStore's.
// ctx.authorize sees the case as stored, inside the transaction.
class AgreementStore {
 public:
  // Pointers must outlive the store.
  // Times are the case transaction's (SqliteCaseStore's clock).
  AgreementStore(Database* db, SqliteCaseStore* cases, IdGenerator* ids,
                 const domain::StatutoryClock* statutory, const domain::StatementSigner* signer)
      : db_(db), cases_(cases), ids_(ids), statutory_(statutory), signer_(signer) {}

  // The content of a revision, built and validated against the case as stored.
  using ContentFor = std::function<absl::StatusOr<domain::AgreementContent>(const domain::Case&)>;

  // Drafts revision 1 while the case is MEDIATING and has no open agreement (FAILED_PRECONDITION
  // AGREEMENT_EXISTS otherwise). `request_key` (empty: none) makes a retry return the first
  // result.
  absl::StatusOr<domain::Agreement> Create(absl::string_view case_id, const ContentFor& content,
                                           absl::string_view request_key,
                                           const domain::MutationContext& ctx);
  // Agreement `id` (at `revision`, 0: current) and the case it belongs to.
  absl::StatusOr<std::pair<domain::Agreement, domain::Case>> Get(absl::string_view case_id,
                                                                 absl::string_view id,
                                                                 int revision);
  // The case's agreements, newest first, and the case.
  absl::StatusOr<std::pair<std::vector<domain::Agreement>, domain::Case>> List(
      absl::string_view case_id);
  // A new revision of a draft (ABORTED STALE_ETAG if `expected_version` differs); its
  // signatures start empty.
  absl::StatusOr<domain::Agreement> Revise(absl::string_view case_id, absl::string_view id,
                                           const ContentFor& content,
                                           std::optional<int64_t> expected_version,
                                           const domain::MutationContext& ctx);
  // Signs the agreement as each of `signers` (decided by the caller's role: party refs, the
  // mediator's "principals/{p}", or "organizations/{o}") given the hash the signer read
  // (FAILED_PRECONDITION CONTENT_CHANGED if it differs): a draft of a case being mediated, or an
  // effective agreement whose form still lacks that mediator or seal (domain::
  // AcceptsSignatureFrom). When the agreement's effect rule is met (domain::EffectiveAt) it takes
  // effect, is served on the parties, the case is settled, and its instalments' deadlines start;
  // when it is effective with its form complete, a court-diverted case's agreement is filed with
  // the court. `choose_signers` gets the case as stored and returns the signers for the caller.
  absl::StatusOr<domain::Agreement> Sign(
      absl::string_view case_id, absl::string_view id, absl::string_view content_hash,
      const std::function<absl::StatusOr<std::vector<std::pair<std::string, domain::SignerRole>>>(
          const domain::Case&)>& choose_signers,
      const domain::MutationContext& ctx);
  // Party `choose_party(case)` refuses to sign the draft: the agreement is abandoned and the case
  // closed with `reason` as its ending's reason (OMR Art. 25(七)), in one transaction.
  // FAILED_PRECONDITION AGREEMENT_NOT_DRAFT unless it is a draft of a case being mediated.
  absl::StatusOr<domain::Agreement> Refuse(
      absl::string_view case_id, absl::string_view id,
      const std::function<absl::StatusOr<std::string>(const domain::Case&)>& choose_party,
      absl::string_view reason, const domain::MutationContext& ctx);
  // Records a payment of instalment `instalment` of an effective agreement (at most what
  // remains); when paid in full its deadline is met.
  absl::StatusOr<domain::Agreement> RecordPayment(absl::string_view case_id, absl::string_view id,
                                                  int instalment, int64_t amount_fen,
                                                  absl::string_view note,
                                                  const domain::MutationContext& ctx);
  // Records a privileged offer (the case must not have ended).
  absl::StatusOr<domain::Offer> RecordOffer(const domain::Offer& offer,
                                            const domain::MutationContext& ctx);
  // The case's offers, oldest first, and the case.
  absl::StatusOr<std::pair<std::vector<domain::Offer>, domain::Case>> ListOffers(
      absl::string_view case_id);

 private:
  Database* db_;
  SqliteCaseStore* cases_;
  IdGenerator* ids_;
  const domain::StatutoryClock* statutory_;
  const domain::StatementSigner* signer_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_AGREEMENT_STORE_H_

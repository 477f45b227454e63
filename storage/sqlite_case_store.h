#ifndef ODR_STORAGE_SQLITE_CASE_STORE_H_
#define ODR_STORAGE_SQLITE_CASE_STORE_H_

#include <functional>
#include <memory>

#include "server/domain/clock.h"
#include "storage/case_store.h"
#include "storage/sqlite_db.h"

namespace odr::storage {

// CaseStore on an embedded SQLite database. Safe for concurrent use (see Database).
class SqliteCaseStore final : public CaseStore {
 public:
  // `db`, `clock`, `ids` and `statutory` must outlive the store. Without `statutory` no deadline
  // is kept (the deadline methods are FAILED_PRECONDITION).
  SqliteCaseStore(Database* db, Clock* clock, IdGenerator* ids,
                  const domain::StatutoryClock* statutory = nullptr)
      : db_(db), clock_(clock), ids_(ids), statutory_(statutory) {}

  absl::StatusOr<domain::Case> CreateCase(const domain::CaseData& data,
                                          const domain::MutationContext& ctx) override;
  absl::StatusOr<domain::Case> GetCase(absl::string_view id) override;
  absl::StatusOr<CasePage> ListCases(const domain::CaseQuery& query) override;
  absl::StatusOr<domain::Case> UpdateCase(absl::string_view id, const domain::CaseData& values,
                                          const std::vector<domain::CaseField>& fields,
                                          std::optional<int64_t> expected_version,
                                          const domain::MutationContext& ctx) override;
  absl::StatusOr<domain::Case> TransitionCase(absl::string_view id, domain::CaseAction action,
                                              std::optional<int64_t> expected_version,
                                              const domain::TransitionNote& note,
                                              const domain::MutationContext& ctx) override;
  absl::StatusOr<domain::Case> ChangeAssignment(absl::string_view id,
                                                const AssignmentChange& change,
                                                const domain::MutationContext& ctx) override;
  absl::StatusOr<EventPage> ListCaseEvents(absl::string_view id, int64_t after_seq,
                                           int limit) override;
  absl::StatusOr<std::vector<domain::CaseEvent>> EventsAfter(absl::string_view case_id,
                                                             int64_t after_event_id, int limit,
                                                             int64_t* scanned_to) override;
  absl::StatusOr<std::vector<domain::Deadline>> ListDeadlines(absl::string_view id) override;
  absl::StatusOr<domain::Deadline> ChangeMediationPeriod(
      absl::string_view id, PeriodChange change, int days, absl::string_view reason,
      const domain::MutationContext& ctx) override;
  absl::StatusOr<int> FireDueDeadlines(int limit) override;
  absl::StatusOr<std::optional<absl::Time>> NextDeadline() override;

  // For the stores of a case's own resources (agreements, confirmations): runs `mutate` in the
  // case's write transaction exactly as a case change does — ctx.authorize on the case as
  // stored, the etag check, a new case version, the statutory plan of any state change, the
  // access record. ctx.request_id is ignored (those stores keep their own). Thread-safe.
  absl::StatusOr<domain::Case> MutateCaseFor(
      absl::string_view id, std::optional<int64_t> expected_version,
      const domain::MutationContext& ctx,
      const std::function<absl::Status(Connection&, domain::Case&)>& mutate);
  // For those stores' own request keys: a retry answered from one (a resource of case `case_id`)
  // is recorded like a read of the case by ctx.actor through ctx.rpc (nothing if ctx.rpc is
  // empty), in a transaction of its own. Thread-safe.
  absl::Status RecordReplay(const domain::MutationContext& ctx, absl::string_view case_id);
  // Request keys of resources created before this time have expired (domain::kRequestIdRetention).
  absl::Time RequestKeyCutoff() const;
  // Inside such a store's write transaction, before it stores `request_key` on a new row of
  // `table` (agreements or confirmations): clears the key from an older row whose key expired, so
  // that the same key can stand for the new request. Nothing if `request_key` is empty.
  absl::Status ForgetExpiredRequestKey(Connection& c, absl::string_view table,
                                       absl::string_view request_key) const;
  // Inside such a mutation: moves `k` through `action` with its event; a court-diverted case
  // that closes is referred back to its court (OMR Art. 21).
  static absl::Status ApplyAction(Connection& c, domain::Case& k, domain::CaseAction action,
                                  absl::string_view reason, absl::string_view actor);

 private:
  // One write transaction: idempotency lookup, load, etag check, then `mutate` (which may write
  // other rows) on the case with its new version and update time, then the row and the request_id.
  absl::StatusOr<domain::Case> MutateCase(
      absl::string_view id, std::optional<int64_t> expected_version,
      const domain::MutationContext& ctx,
      const std::function<absl::Status(Connection&, domain::Case&)>& mutate);

  // Fires the due deadline (case_id, id) in its own transaction; false if it was not due.
  absl::StatusOr<bool> FireOne(const std::string& case_id, const std::string& id, absl::Time now);
  // The expiry action of `d` on case `k` (loaded in this transaction), with its events.
  absl::Status Expire(Connection& c, const domain::Deadline& d, domain::Case& k, absl::Time now);

  Database* db_;
  Clock* clock_;
  IdGenerator* ids_;
  const domain::StatutoryClock* statutory_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_SQLITE_CASE_STORE_H_

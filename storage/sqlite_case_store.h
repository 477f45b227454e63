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
  // `db`, `clock` and `ids` must outlive the store.
  SqliteCaseStore(Database* db, Clock* clock, IdGenerator* ids)
      : db_(db), clock_(clock), ids_(ids) {}

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
                                              absl::string_view reason,
                                              const domain::MutationContext& ctx) override;
  absl::StatusOr<domain::Case> ChangeAssignment(absl::string_view id,
                                                const AssignmentChange& change,
                                                const domain::MutationContext& ctx) override;
  absl::StatusOr<EventPage> ListCaseEvents(absl::string_view id, int64_t after_seq,
                                           int limit) override;

 private:
  // One write transaction: idempotency lookup, load, etag check, then `mutate` (which may write
  // other rows) on the case with its new version and update time, then the row and the request_id.
  absl::StatusOr<domain::Case> MutateCase(
      absl::string_view id, std::optional<int64_t> expected_version,
      const domain::MutationContext& ctx,
      const std::function<absl::Status(Connection&, domain::Case&)>& mutate);

  Database* db_;
  Clock* clock_;
  IdGenerator* ids_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_SQLITE_CASE_STORE_H_

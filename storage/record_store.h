// The procedure records of a case (domain/procedure_record.h): consents, notices, identity,
// minutes, disclosures and recusals, in the case database. A record is written in the case's write
// transaction (SqliteCaseStore::MutateCaseFor) with its timeline event, and a refusal of a
// replacement closes the case in that same transaction (OMR Art. 14).
#ifndef ODR_STORAGE_RECORD_STORE_H_
#define ODR_STORAGE_RECORD_STORE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/procedure_record.h"
#include "storage/sqlite_case_store.h"
#include "storage/sqlite_db.h"

namespace odr::storage {

// Row helpers for stores that read records in their own transaction (ConfirmationStore's
// pre-check and court bundle). They run on `c` in the caller's transaction.
namespace record_rows {
// The case's records, oldest first.
absl::StatusOr<std::vector<domain::ProcedureRecord>> List(Connection& c, absl::string_view case_id);
// The case's separate (背对背) sessions held: scheduled, not cancelled, started before `now`.
absl::StatusOr<int> SeparateSessionsHeld(Connection& c, absl::string_view case_id, absl::Time now);
}  // namespace record_rows

// Thread-safe; every method blocks on SQLite: call from a worker pool. Errors as CaseStore's.
class RecordStore {
 public:
  // Pointers must outlive the store.
  RecordStore(Database* db, SqliteCaseStore* cases, IdGenerator* ids)
      : db_(db), cases_(cases), ids_(ids) {}

  // Adds `record` (case_id, kind and its fields set) after ctx.authorize and
  // domain::AuthorizeRecord / CheckRecord on the case as stored; a minutes record's appointment
  // must be one of the case's (INVALID_ARGUMENT record.appointment). Appends a
  // KIND_PROCEDURE_RECORDED event and, for a refused replacement, closes the case. Returns the
  // record as stored (id, recorded_by, record_time set).
  absl::StatusOr<domain::ProcedureRecord> Add(const domain::ProcedureRecord& record,
                                              const domain::Principal& who,
                                              const domain::MutationContext& ctx);
  // The case's records, oldest first, and the case (for the caller's authorization).
  absl::StatusOr<std::pair<std::vector<domain::ProcedureRecord>, domain::Case>> List(
      absl::string_view case_id);

 private:
  Database* db_;
  SqliteCaseStore* cases_;
  IdGenerator* ids_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_RECORD_STORE_H_

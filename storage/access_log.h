// The access log (PIPL Art. 28): who read or changed which personal data, and when. Append-only:
// the table refuses UPDATE and DELETE (triggers), and this interface has no way to change a record.
#ifndef ODR_STORAGE_ACCESS_LOG_H_
#define ODR_STORAGE_ACCESS_LOG_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/sqlite_db.h"

namespace odr::storage {

struct AccessRecord {
  int64_t seq = 0;  // assigned on append
  absl::Time time;
  std::string principal_id;
  std::string acting_through;  // partner app principal id, or empty
  std::string method;          // "/odr.v1.CaseService/GetCase"
  std::string resource;        // "cases/abc"
  bool change = false;         // read otherwise
};

struct AccessQuery {
  std::optional<std::string> principal_id;
  std::optional<std::string> resource;
  std::optional<int64_t> before_seq;  // newest first, strictly before this
  int limit = 100;
};

struct AccessPage {
  std::vector<AccessRecord> records;
  std::optional<int64_t> next_before_seq;
};

// Appends within a transaction the caller holds (used by stores to log a change atomically).
absl::Status AppendAccessRecord(Connection& c, const AccessRecord& r);

// Safe for concurrent use; blocks on I/O.
class AccessLog {
 public:
  virtual ~AccessLog() = default;
  // Appends all records in one transaction.
  virtual absl::Status Append(const std::vector<AccessRecord>& records) = 0;
  virtual absl::StatusOr<AccessPage> List(const AccessQuery& q) = 0;
};

class SqliteAccessLog final : public AccessLog {
 public:
  explicit SqliteAccessLog(Database* db) : db_(db) {}
  absl::Status Append(const std::vector<AccessRecord>& records) override;
  absl::StatusOr<AccessPage> List(const AccessQuery& q) override;

 private:
  Database* db_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_ACCESS_LOG_H_

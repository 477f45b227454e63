#include "storage/access_log.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/status_macros.h"

namespace odr::storage {

absl::Status AppendAccessRecord(Connection& c, const AccessRecord& r) {
  ODR_ASSIGN_OR_RETURN(
      Statement stmt,
      c.Prepare("INSERT INTO access_log (time_us, principal_id, acting_through, method, resource,"
                " action) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  stmt.Bind(1, absl::ToUnixMicros(r.time)).Bind(2, r.principal_id).Bind(3, r.acting_through);
  stmt.Bind(4, r.method).Bind(5, r.resource).Bind(6, r.change ? "change" : "read");
  return stmt.Run();
}

absl::Status SqliteAccessLog::Append(const std::vector<AccessRecord>& records) {
  if (records.empty()) return absl::OkStatus();
  return db_->Write([&](Connection& c) -> absl::Status {
    for (const AccessRecord& r : records) ODR_RETURN_IF_ERROR(AppendAccessRecord(c, r));
    return absl::OkStatus();
  });
}

absl::StatusOr<AccessPage> SqliteAccessLog::List(const AccessQuery& q) {
  std::vector<std::string> where;
  if (q.principal_id) where.push_back("principal_id = ?1");
  if (q.resource) where.push_back("resource = ?2");
  if (q.before_seq) where.push_back("seq < ?3");
  std::string sql =
      "SELECT seq, time_us, principal_id, acting_through, method, resource, action FROM "
      "access_log";
  if (!where.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(where, " AND "));
  absl::StrAppend(&sql, " ORDER BY seq DESC LIMIT ?4");
  AccessPage page;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement stmt, c.Prepare(sql));
    if (q.principal_id) stmt.Bind(1, *q.principal_id);
    if (q.resource) stmt.Bind(2, *q.resource);
    if (q.before_seq) stmt.Bind(3, *q.before_seq);
    stmt.Bind(4, static_cast<int64_t>(q.limit) + 1);
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      if (static_cast<int>(page.records.size()) == q.limit) {
        page.next_before_seq = page.records.back().seq;
        break;
      }
      AccessRecord r;
      r.seq = stmt.ColumnInt(0);
      r.time = absl::FromUnixMicros(stmt.ColumnInt(1));
      r.principal_id = stmt.ColumnText(2);
      r.acting_through = stmt.ColumnText(3);
      r.method = stmt.ColumnText(4);
      r.resource = stmt.ColumnText(5);
      r.change = stmt.ColumnText(6) == "change";
      page.records.push_back(std::move(r));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return page;
}

}  // namespace odr::storage

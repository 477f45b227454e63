#include "storage/sqlite_db.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "storage/migrations.h"

namespace odr::storage {

absl::Status SqliteError(int rc, sqlite3* db, absl::string_view what) {
  int primary = rc & 0xff;
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return absl::UnavailableError(absl::StrCat("storage busy (", what, "); retry"));
  }
  if (primary == SQLITE_FULL) {
    return absl::ResourceExhaustedError(
        absl::StrCat("storage full (", what, "); nothing was stored; retry when space is freed"));
  }
  if (primary == SQLITE_IOERR) {
    return absl::UnavailableError(
        absl::StrCat("storage I/O error (", what, "); nothing was stored; retry"));
  }
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    return absl::DataLossError(absl::StrCat("storage damaged (", what, "): ", detail));
  }
  return absl::InternalError(absl::StrCat("storage error in ", what, ": ", detail));
}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::Bind(int i, absl::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  // Reset at once so that the statement can be re-bound and re-run (bindings survive a reset).
  sqlite3_reset(stmt_);
  if (rc == SQLITE_DONE) return false;
  return SqliteError(rc, db_, "step");
}

absl::Status Statement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

std::string Statement::ColumnText(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  int n = sqlite3_column_bytes(stmt_, i);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}

std::optional<std::string> Statement::ColumnOptionalText(int i) const {
  if (ColumnIsNull(i)) return std::nullopt;
  return ColumnText(i);
}

int64_t Statement::ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }

bool Statement::ColumnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                             bool read_only) {
  // SQLite creates a database file 0644 less the umask, and its -wal, -shm and journal with the
  // database file's mode. The database holds personal data: create it 0600 first, so that all of
  // them are private whatever the umask. (If this fails, SQLite's own open reports why.)
  if (!read_only && !path.empty() && path != ":memory:" && !absl::StartsWith(path, "file:")) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX |
              (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status s = SqliteError(rc, db, "open");
    sqlite3_close_v2(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

absl::StatusOr<Statement> Connection::Prepare(absl::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(rc, db_, "prepare");
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  return Statement(db_, it->second);
}

absl::Status Connection::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return SqliteError(rc, db_, "exec");
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const Options& options) {
  std::unique_ptr<Database> db(new Database());
  auto writer = Connection::Open(options.path, /*read_only=*/false);
  if (!writer.ok()) return writer.status();
  db->writer_ = std::move(*writer);
  const std::string pragmas = absl::StrCat(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=",
      options.durability == Durability::kProcessCrash ? "NORMAL" : "FULL",
      "; PRAGMA foreign_keys=ON; PRAGMA journal_size_limit=", options.wal_size_limit_bytes,
      "; PRAGMA busy_timeout=", options.busy_timeout_ms, ";");
  if (absl::Status s = db->writer_->Exec(pragmas); !s.ok()) return s;
  if (absl::Status s = db->Migrate(); !s.ok()) return s;
  for (int i = 0; i < options.readers; ++i) {
    auto reader = Connection::Open(options.path, /*read_only=*/true);
    if (!reader.ok()) return reader.status();
    if (absl::Status s = (*reader)->Exec(absl::StrCat(
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=", options.busy_timeout_ms, ";"));
        !s.ok()) {
      return s;
    }
    db->idle_readers_.push_back(reader->get());
    db->all_readers_.push_back(std::move(*reader));
  }
  return db;
}

Database::~Database() = default;

absl::Status Database::Migrate() {
  if (absl::Status s =
          writer_->Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " version INTEGER PRIMARY KEY, applied_time_us INTEGER NOT NULL) STRICT;");
      !s.ok()) {
    return s;
  }
  const auto& migrations = Migrations();
  // Each step re-reads the version inside its own write transaction, so two processes starting
  // on one data dir cannot both apply the same migration.
  while (true) {
    bool done = false;
    absl::Status s = Write([&](Connection& c) -> absl::Status {
      auto stmt = c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
      if (!stmt.ok()) return stmt.status();
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      const int current = static_cast<int>(stmt->ColumnInt(0));
      if (absl::Status r = stmt->Run(); !r.ok()) return r;
      if (current > static_cast<int>(migrations.size())) {
        return absl::FailedPreconditionError(absl::StrCat("database schema version ", current,
                                                          " is newer than this odrd supports (",
                                                          migrations.size(), "); upgrade odrd"));
      }
      if (current == static_cast<int>(migrations.size())) {
        done = true;
        return absl::OkStatus();
      }
      const int v = current + 1;
      if (absl::Status e = c.Exec(migrations[v - 1]); !e.ok()) {
        return absl::Status(e.code(), absl::StrCat("migration to version ", v, ": ", e.message()));
      }
      auto ins = c.Prepare(
          "INSERT INTO schema_migrations (version, applied_time_us) "
          "VALUES (?1, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))");
      if (!ins.ok()) return ins.status();
      ins->Bind(1, static_cast<int64_t>(v));
      return ins->Run();
    });
    if (!s.ok()) return s;
    if (done) break;
  }
  schema_version_ = static_cast<int>(migrations.size());
  return absl::OkStatus();
}

// The most writes one group commits: bounds how long the first of them waits.
constexpr size_t kMaxGroup = 64;

void Database::CommitGroup(std::vector<PendingWrite*>& group, bool* notify) {
  Connection& c = *writer_;
  absl::Status begun = c.Exec("BEGIN IMMEDIATE");
  if (!begun.ok()) {
    for (PendingWrite* w : group) w->status = begun;
    return;
  }
  c.event_appended_ = false;
  bool any = false;
  absl::Status lost;  // set once SQLite has rolled the whole transaction back (disk full, I/O)
  for (size_t i = 0; i < group.size(); ++i) {
    PendingWrite* w = group[i];
    if (!lost.ok()) {
      w->status = lost;  // not run: a SAVEPOINT now would start a transaction of its own
      continue;
    }
    absl::Status s = c.Exec("SAVEPOINT w");
    if (s.ok()) {
      const bool events_before = c.event_appended_;
      s = (*w->fn)(c);
      if (s.ok()) {
        s = c.Exec("RELEASE w");
        any = any || s.ok();
      } else {
        // Undo this write only; the others of the group stand.
        (void)c.Exec("ROLLBACK TO w");
        (void)c.Exec("RELEASE w");
        c.event_appended_ = events_before;
      }
    }
    w->status = s;
    if (sqlite3_get_autocommit(c.raw())) {
      // On SQLITE_FULL and I/O errors SQLite may roll back the whole transaction: the writes
      // before this one in the group are gone too.
      lost = s.ok() ? absl::UnavailableError("storage transaction rolled back; retry") : s;
      for (size_t j = 0; j <= i; ++j) {
        if (group[j]->status.ok()) group[j]->status = lost;
      }
    }
  }
  if (!lost.ok()) return;
  absl::Status committed = c.Exec("COMMIT");
  if (!committed.ok()) {
    if (!sqlite3_get_autocommit(c.raw())) (void)c.Exec("ROLLBACK");
    for (PendingWrite* w : group) {
      if (w->status.ok()) w->status = committed;
    }
    return;
  }
  *notify = any && c.event_appended_;
}

absl::Status Database::Write(const std::function<absl::Status(Connection&)>& fn) {
  PendingWrite self{&fn, absl::OkStatus(), false};
  bool notify = false;
  {
    std::unique_lock<std::mutex> lock(write_mu_);
    queue_.push_back(&self);
    // Wait until a leader has committed this write, or lead the next group.
    write_cv_.wait(lock, [&] { return self.done || !leader_; });
    if (self.done) return self.status;
    leader_ = true;
    while (!self.done) {
      const size_t n = std::min(queue_.size(), kMaxGroup);
      std::vector<PendingWrite*> group(queue_.begin(), queue_.begin() + n);
      queue_.erase(queue_.begin(), queue_.begin() + n);
      lock.unlock();
      CommitGroup(group, &notify);
      lock.lock();
      for (PendingWrite* w : group) w->done = true;
      write_cv_.notify_all();
    }
    leader_ = false;
    write_cv_.notify_all();  // the next group's leader
  }
  if (notify && event_listener_) event_listener_();
  return self.status;
}

absl::Status Database::Read(const std::function<absl::Status(Connection&)>& fn) {
  Connection* c;
  {
    std::unique_lock<std::mutex> lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return !idle_readers_.empty(); });
    c = idle_readers_.back();
    idle_readers_.pop_back();
  }
  absl::Status s = c->Exec("BEGIN");
  if (s.ok()) {
    s = fn(*c);
    (void)c->Exec("COMMIT");
  }
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    idle_readers_.push_back(c);
  }
  pool_cv_.notify_one();
  return s;
}

}  // namespace odr::storage

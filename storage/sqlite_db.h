// A thin, status-returning wrapper over the SQLite C API: connections, cached prepared statements,
// transactions, and the single-writer / pooled-readers discipline
// (docs/adr/0003-sqlite-storage.md).
#ifndef ODR_STORAGE_SQLITE_DB_H_
#define ODR_STORAGE_SQLITE_DB_H_

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace odr::storage {

// Maps a SQLite result code to a Status: BUSY/LOCKED and IOERR -> UNAVAILABLE (retry the call),
// FULL -> RESOURCE_EXHAUSTED, CORRUPT/NOTADB -> DATA_LOSS, anything else -> INTERNAL. The message
// names `what` but never bound values (they may be personal data).
absl::Status SqliteError(int rc, sqlite3* db, absl::string_view what);

// A prepared statement borrowed from a Connection's cache; reset and unbound on destruction.
// Not thread-safe: used only by the thread that holds the connection.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  ~Statement();

  // Binds 1-based parameter `i`.
  Statement& Bind(int i, absl::string_view v);
  Statement& Bind(int i, int64_t v);
  Statement& BindNull(int i);

  // Steps once: true if a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps to completion, expecting no rows.
  absl::Status Run();

  std::string ColumnText(int i) const;
  std::optional<std::string> ColumnOptionalText(int i) const;
  int64_t ColumnInt(int i) const;
  bool ColumnIsNull(int i) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// One SQLite connection with a prepared-statement cache. Not thread-safe: Database hands each
// connection to one thread at a time.
class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only);
  ~Connection();

  // Returns the cached statement for `sql`, preparing it on first use.
  absl::StatusOr<Statement> Prepare(absl::string_view sql);
  // Runs one or more statements with no parameters and no rows (DDL, pragmas).
  absl::Status Exec(const std::string& sql);
  // Number of rows changed by the last statement.
  int64_t Changes() const { return sqlite3_changes64(db_); }
  sqlite3* raw() { return db_; }
  // Called by whatever appends a case event inside a write transaction: once it commits, the
  // database's event listener runs (Database::SetEventListener).
  void NoteEventAppended() { event_appended_ = true; }
  // The partner app (principal id) through which the caller of the write being run acts, or empty:
  // what the case events it appends record as `acting_through`. Set for one write's duration with
  // ActingThroughScope; only the thread running that write uses it.
  const std::string& acting_through() const { return acting_through_; }

 private:
  friend class Database;
  friend class ActingThroughScope;
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  bool event_appended_ = false;
  std::string acting_through_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

// Sets Connection::acting_through() for the lifetime of the scope (inside one write), and restores
// what it was.
class ActingThroughScope {
 public:
  ActingThroughScope(Connection& c, std::string acting_through)
      : c_(c), previous_(std::exchange(c.acting_through_, std::move(acting_through))) {}
  ~ActingThroughScope() { c_.acting_through_ = std::move(previous_); }
  ActingThroughScope(const ActingThroughScope&) = delete;
  ActingThroughScope& operator=(const ActingThroughScope&) = delete;

 private:
  Connection& c_;
  std::string previous_;
};

// One writer connection (writes are serialized) and a pool of reader connections (WAL lets them run
// beside the writer). All methods are safe for concurrent use; they block the calling thread on
// SQLite, so call them from a worker pool, never from a gRPC reaction.
// What an acknowledged write survives (docs/operations.md, "Durability modes").
enum class Durability {
  // synchronous=FULL: every commit is fsynced before it is acknowledged; survives power loss and
  // kernel crashes. Group commit shares one fsync among the writes that arrive together.
  kPowerLoss,
  // synchronous=NORMAL: commits reach the OS but are fsynced only at checkpoints; survives a
  // crash of odrd (SIGKILL, abort), but a power loss may undo the last acknowledged writes.
  kProcessCrash,
};

class Database {
 public:
  struct Options {
    std::string path;  // the database file; created if absent
    int readers = 4;   // size of the reader pool
    int busy_timeout_ms = 5000;
    Durability durability = Durability::kPowerLoss;
    // The WAL is truncated to this size whenever it is reset (journal_size_limit).
    int64_t wal_size_limit_bytes = int64_t{16} << 20;
  };

  // Opens the database, sets WAL / foreign keys / busy timeout / synchronous (from durability) /
  // journal_size_limit, and applies pending migrations in one transaction each.
  // FAILED_PRECONDITION if the file is from a newer odr.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const Options& options);
  ~Database();

  // Runs `fn` in a write transaction on the writer and returns once it is durable (committed with
  // synchronous=FULL). If `fn` returns an error, or COMMIT fails, nothing `fn` wrote is kept.
  //
  // Group commit (docs/adr/0013-group-commit.md): writes that arrive while one is committing wait
  // and then commit together, each inside its own SAVEPOINT of one BEGIN IMMEDIATE ... COMMIT, so
  // that one fsync serves them all; a failing `fn` rolls back to its savepoint only. `fn` sees the
  // writes of those before it in the group, as it would if they had committed first.
  absl::Status Write(const std::function<absl::Status(Connection&)>& fn);
  // `fn` runs after every committed write transaction that appended a case event, on the writing
  // thread, outside the write lock; it must be quick (wake someone up). Set before serving.
  void SetEventListener(std::function<void()> fn) { event_listener_ = std::move(fn); }
  // Runs `fn` in a read transaction (one consistent snapshot) on a pooled reader.
  absl::Status Read(const std::function<absl::Status(Connection&)>& fn);

  // Schema version after migrations.
  int schema_version() const { return schema_version_; }

 private:
  Database() = default;
  absl::Status Migrate();

  // A write waiting for, or in, a group commit.
  struct PendingWrite {
    const std::function<absl::Status(Connection&)>* fn;
    absl::Status status;
    bool done = false;
  };
  // Commits `group` in one transaction (the caller is the group's leader).
  void CommitGroup(std::vector<PendingWrite*>& group, bool* notify);

  std::mutex write_mu_;  // guards queue_ and leader_
  std::condition_variable write_cv_;
  std::vector<PendingWrite*> queue_;
  bool leader_ = false;                 // a thread is committing a group
  std::unique_ptr<Connection> writer_;  // used by the leader only
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<Connection*> idle_readers_;
  std::vector<std::unique_ptr<Connection>> all_readers_;
  int schema_version_ = 0;
  std::function<void()> event_listener_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_SQLITE_DB_H_

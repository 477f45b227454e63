// `odrd backup`, `odrd restore` and `odrd check`: a consistent copy of a data dir taken while odrd
// serves, its return into a fresh data dir, and a verification of a data dir (or of a backup,
// which has the same layout) that a restore and a crash must both pass. docs/operations.md,
// "Backup, restore and check". All functions block on disk; each is safe to run beside a serving
// odrd (they read through SQLite's WAL snapshots and never write to the source).
#ifndef ODR_SERVER_MAINTENANCE_H_
#define ODR_SERVER_MAINTENANCE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"

namespace odr::server {

struct CheckOptions {
  std::string data_dir;
  // The evidence master key; empty: DATA_DIR/evidence-master.key (as odrd).
  std::string evidence_key_file;
  // Decrypt every blob and compare its SHA-256 with its name (slow for large stores). Without it,
  // each blob's header and last record are authenticated only.
  bool blob_contents = true;
};

struct CheckReport {
  std::string integrity;  // PRAGMA integrity_check: "ok" or its first lines
  int schema_version = 0;
  int64_t cases = 0;
  int64_t evidence = 0;      // evidence rows
  int64_t blobs = 0;         // distinct blobs referenced (all checked)
  int64_t blob_bytes = 0;    // their plaintext bytes
  int64_t orphan_blobs = 0;  // blob files no evidence names (odrd removes them at start)
  int64_t log_size = 0;      // evidence log leaves
  int64_t checkpoints = 0;   // signed checkpoints, each verified against the recomputed tree
  std::string latest_checkpoint;
  std::vector<std::string> problems;  // empty: the data dir is sound
  std::vector<std::string> warnings;  // not damage (e.g. orphans a crash left)
  bool ok() const { return problems.empty(); }
};

// Verifies a data dir: SQLite integrity and foreign keys; every referenced blob present, sealed by
// this master key, authentic and (blob_contents) hashing to its name; the evidence log's leaves
// contiguous, each evidence row's leaf naming its hash, every stored subtree hash recomputed, and
// every checkpoint ever signed verifying under the log key with the recomputed root at its size.
// Reads one SQLite snapshot. Errors (not problems) only if the dir cannot be read at all.
absl::StatusOr<CheckReport> CheckDataDir(const CheckOptions& options);

struct BackupOptions {
  std::string data_dir;
  std::string destination;        // must not exist; written as DESTINATION.partial, then renamed
  std::string evidence_key_file;  // as CheckOptions; an external key file is not copied
};

struct BackupReport {
  int schema_version = 0;
  int64_t database_bytes = 0;
  int64_t blobs = 0;
  int64_t blob_bytes = 0;  // sealed bytes copied
  int64_t files = 0;       // key files and others of the data dir
  int64_t log_size = 0;
  bool evidence_key_included = true;
};

// Copies the database with SQLite's online backup API (one snapshot, taken while odrd writes),
// then every blob that snapshot references (blobs are immutable and published before the rows
// naming them commit, so all are there), then the data dir's key files; writes MANIFEST.json
// (every file's size and SHA-256) and fsyncs everything before the rename that makes the backup
// appear. Uploads in progress are not copied (clients resume them from 0 after a restore).
absl::StatusOr<BackupReport> Backup(const BackupOptions& options);

struct RestoreOptions {
  std::string backup;             // a directory Backup wrote
  std::string data_dir;           // must not exist or be empty
  std::string evidence_key_file;  // for the check after copying, as CheckOptions
};

// Verifies the backup's files against its manifest, copies them into `data_dir` (through
// DATA_DIR.partial and a rename if it does not exist), and runs CheckDataDir on the result.
// FAILED_PRECONDITION if the data dir holds anything, DATA_LOSS if a file does not match the
// manifest or the restored dir fails its check.
absl::StatusOr<CheckReport> Restore(const RestoreOptions& options);

// Adds the `backup`, `restore` and `check` subcommands to `app`. After parsing, if one was chosen,
// *run holds it (returning the exit code); otherwise it stays empty.
void AddMaintenanceCommands(CLI::App* app, std::function<int()>* run);

}  // namespace odr::server

#endif  // ODR_SERVER_MAINTENANCE_H_

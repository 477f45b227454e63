#include "server/maintenance.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "server/common/files.h"
#include "server/domain/status_macros.h"
#include "server/server.h"
#include "server/transparency/checkpoint.h"
#include "server/transparency/evidence_leaf.h"
#include "server/transparency/merkle.h"
#include "storage/sealed_blob.h"
#include "storage/sqlite_db.h"

namespace odr::server {
namespace {

namespace fs = std::filesystem;
using storage::Connection;
using storage::Statement;

constexpr char kDatabaseFile[] = "odr.db";
constexpr char kManifestFile[] = "MANIFEST.json";
constexpr char kBackupFormat[] = "odr-backup/1";
// Problems beyond this many are counted, not listed.
constexpr size_t kMaxListedProblems = 50;

void AddProblem(CheckReport* r, std::string p) {
  if (r->problems.size() < kMaxListedProblems) {
    r->problems.push_back(std::move(p));
  } else if (r->problems.size() == kMaxListedProblems) {
    r->problems.push_back("... (more problems not listed)");
  }
}

std::string MasterKeyPath(const std::string& data_dir, const std::string& key_file) {
  return key_file.empty() ? (fs::path(data_dir) / "evidence-master.key").string() : key_file;
}

std::string BlobPath(const std::string& data_dir, absl::string_view sha256_hex) {
  return absl::StrCat(data_dir, "/evidence/blobs/", sha256_hex.substr(0, 2), "/", sha256_hex);
}

// Streaming SHA-256 over OpenSSL's EVP interface.
class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256Stream() { EVP_MD_CTX_free(ctx_); }
  void Update(const void* p, size_t n) { EVP_DigestUpdate(ctx_, p, n); }
  std::string Hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    transparency::Hash h{};
    std::copy(md, md + 32, h.begin());
    return transparency::HexHash(h);
  }

 private:
  EVP_MD_CTX* ctx_;
};

absl::StatusOr<int64_t> QueryInt(Connection& c, const char* sql) {
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare(sql));
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  const int64_t v = row ? s.ColumnInt(0) : 0;
  ODR_RETURN_IF_ERROR(s.Run());
  return v;
}

// Reads the whole blob through the sealed reader, comparing its plaintext SHA-256 with its name.
absl::Status CheckBlob(const std::string& path, const storage::MasterKey& master,
                       const std::string& sha256_hex, bool contents, int64_t* plaintext_bytes) {
  ODR_ASSIGN_OR_RETURN(transparency::Hash id, transparency::HashFromHex(sha256_hex));
  ODR_ASSIGN_OR_RETURN(std::unique_ptr<storage::SealedBlobReader> reader,
                       storage::SealedBlobReader::Open(path, master, id));
  *plaintext_bytes = static_cast<int64_t>(reader->size());
  if (!contents) return absl::OkStatus();
  Sha256Stream hash;
  std::string buf;
  for (uint64_t offset = 0; offset < reader->size();) {
    buf.clear();
    ODR_RETURN_IF_ERROR(reader->Read(offset, 1 << 20, &buf));
    if (buf.empty()) return absl::DataLossError("blob shorter than its header says");
    hash.Update(buf.data(), buf.size());
    offset += buf.size();
  }
  if (hash.Hex() != sha256_hex) return absl::DataLossError("plaintext does not hash to its name");
  return absl::OkStatus();
}

// The log's verifier, from the signing key in the data dir and the origin of a stored checkpoint.
absl::StatusOr<transparency::NoteVerifier> LogVerifier(const std::string& data_dir,
                                                       absl::string_view some_note) {
  const std::string body(some_note.substr(0, some_note.find('\n')));
  std::string pem;
  ODR_RETURN_IF_ERROR(files::ReadSecretFile(LogSigningKeyPath(data_dir), 64 * 1024, &pem));
  ODR_ASSIGN_OR_RETURN(transparency::NoteSigner signer,
                       transparency::NoteSigner::FromPrivatePem(body, pem));
  return transparency::NoteVerifier::FromVerifierKey(signer.VerifierKey());
}

// Everything CheckDataDir reads from SQLite, inside one read transaction.
absl::Status CheckDatabase(Connection& c, const CheckOptions& o, CheckReport* r,
                           std::set<std::string>* referenced) {
  {
    ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("PRAGMA integrity_check(20)"));
    std::vector<std::string> lines;
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      lines.push_back(s.ColumnText(0));
    }
    r->integrity = absl::StrJoin(lines, "; ");
    if (r->integrity != "ok") AddProblem(r, "database integrity: " + r->integrity);
  }
  {
    ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("PRAGMA foreign_key_check"));
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) AddProblem(r, absl::StrCat("foreign key violation in table ", s.ColumnText(0)));
    ODR_RETURN_IF_ERROR(s.Run());
  }
  ODR_ASSIGN_OR_RETURN(int64_t version,
                       QueryInt(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  r->schema_version = static_cast<int>(version);
  ODR_ASSIGN_OR_RETURN(r->cases, QueryInt(c, "SELECT COUNT(*) FROM cases"));
  ODR_ASSIGN_OR_RETURN(r->evidence, QueryInt(c, "SELECT COUNT(*) FROM evidence"));

  // The log: leaves contiguous from 0, recomputed into a tree.
  transparency::MemoryTree tree;
  std::vector<std::string> leaf_sha;  // the hash each leaf names
  {
    ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT leaf_index, leaf_data FROM "
                                                "evidence_log_leaves ORDER BY leaf_index"));
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      const int64_t index = s.ColumnInt(0);
      if (index != static_cast<int64_t>(tree.size())) {
        AddProblem(
            r, absl::StrCat("evidence log: leaf ", tree.size(), " missing (next is ", index, ")"));
        return absl::OkStatus();  // nothing below can be checked against a broken sequence
      }
      const std::string data = s.ColumnText(1);
      auto leaf = transparency::ParseEvidenceLeaf(data);
      if (!leaf.ok()) AddProblem(r, absl::StrCat("evidence log: leaf ", index, " malformed"));
      leaf_sha.push_back(leaf.ok() ? leaf->sha256 : "");
      tree.Append(data);
    }
  }
  r->log_size = static_cast<int64_t>(tree.size());
  {
    ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT level, idx, hash FROM evidence_log_nodes"));
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      const int level = static_cast<int>(s.ColumnInt(0));
      const int64_t idx = s.ColumnInt(1);
      auto want = tree.Subtree(level, static_cast<uint64_t>(idx));
      auto got = transparency::HashFromHex(s.ColumnText(2));
      if (!want.ok() || !got.ok() || *want != *got) {
        AddProblem(r, absl::StrCat("evidence log: stored subtree (", level, ", ", idx,
                                   ") does not match the leaves"));
      }
    }
  }
  {
    ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT tree_size, note FROM "
                                                "evidence_log_checkpoints ORDER BY tree_size"));
    std::optional<transparency::NoteVerifier> verifier;
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      const int64_t size = s.ColumnInt(0);
      const std::string note = s.ColumnText(1);
      ++r->checkpoints;
      r->latest_checkpoint = note;
      if (!verifier) {
        auto v = LogVerifier(o.data_dir, note);
        if (!v.ok()) {
          AddProblem(r, absl::StrCat("evidence log key: ", v.status().message()));
          break;
        }
        verifier = std::move(*v);
      }
      auto cp = transparency::OpenCheckpoint(*verifier, note);
      if (!cp.ok()) {
        AddProblem(r, absl::StrCat("checkpoint ", size, ": ", cp.status().message()));
        continue;
      }
      if (static_cast<int64_t>(cp->size) != size || size > r->log_size) {
        AddProblem(r, absl::StrCat("checkpoint ", size, ": size beyond the log"));
        continue;
      }
      auto root = transparency::RootAt(tree, static_cast<uint64_t>(size));
      if (!root.ok() || *root != cp->root) {
        AddProblem(r, absl::StrCat("checkpoint ", size, ": root differs from the leaves"));
      }
    }
    if (r->checkpoints == 0) r->warnings.push_back("evidence log: no checkpoint signed yet");
  }
  // Every evidence row: its leaf names its blob.
  {
    ODR_ASSIGN_OR_RETURN(Statement s,
                         c.Prepare("SELECT case_id, id, sha256, log_index FROM evidence"));
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      const std::string sha = s.ColumnText(2);
      const int64_t index = s.ColumnInt(3);
      referenced->insert(sha);
      if (index < 0 || index >= r->log_size || leaf_sha[static_cast<size_t>(index)] != sha) {
        AddProblem(r,
                   absl::StrCat("evidence cases/", s.ColumnText(0), "/evidence/", s.ColumnText(1),
                                ": its log leaf ", index, " is missing or names another file"));
      }
    }
  }
  if (r->evidence != r->log_size) {
    AddProblem(r, absl::StrCat("evidence log holds ", r->log_size, " leaves for ", r->evidence,
                               " evidence rows"));
  }
  return absl::OkStatus();
}

// Creates `path` with `mode`, writes `data` and fsyncs it.
absl::Status WriteFileDurably(const std::string& path, absl::string_view data, mode_t mode) {
  files::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return files::ErrnoStatus(errno, absl::StrCat("cannot create ", path));
  ODR_RETURN_IF_ERROR(files::PwriteAll(fd.get(), reinterpret_cast<const uint8_t*>(data.data()),
                                       data.size(), 0, path));
  if (::fsync(fd.get()) != 0) return files::ErrnoStatus(errno, absl::StrCat("fsync ", path));
  if (fd.Close() != 0) return files::ErrnoStatus(errno, absl::StrCat("close ", path));
  return absl::OkStatus();
}

struct CopiedFile {
  int64_t bytes = 0;
  std::string sha256;
};

// Copies `from` to the new file `to` (mode 0600, whatever the source's: backups and restored data
// dirs hold personal data and keys), fsyncs it, and hashes what it wrote.
absl::StatusOr<CopiedFile> CopyFileDurably(const std::string& from, const std::string& to) {
  files::Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return files::ErrnoStatus(errno, absl::StrCat("cannot open ", from));
  files::Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.get() < 0) return files::ErrnoStatus(errno, absl::StrCat("cannot create ", to));
  std::vector<uint8_t> buf(1 << 20);
  Sha256Stream hash;
  CopiedFile c;
  while (true) {
    ODR_ASSIGN_OR_RETURN(size_t n, files::PreadUpTo(in.get(), buf.data(), buf.size(),
                                                    static_cast<uint64_t>(c.bytes), from));
    if (n == 0) break;
    ODR_RETURN_IF_ERROR(
        files::PwriteAll(out.get(), buf.data(), n, static_cast<uint64_t>(c.bytes), to));
    hash.Update(buf.data(), n);
    c.bytes += static_cast<int64_t>(n);
  }
  if (::fsync(out.get()) != 0) return files::ErrnoStatus(errno, absl::StrCat("fsync ", to));
  if (out.Close() != 0) return files::ErrnoStatus(errno, absl::StrCat("close ", to));
  c.sha256 = hash.Hex();
  return c;
}

absl::StatusOr<CopiedFile> HashFile(const std::string& path) {
  files::Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return files::ErrnoStatus(errno, absl::StrCat("cannot open ", path));
  std::vector<uint8_t> buf(1 << 20);
  Sha256Stream hash;
  CopiedFile c;
  while (true) {
    ODR_ASSIGN_OR_RETURN(size_t n, files::PreadUpTo(in.get(), buf.data(), buf.size(),
                                                    static_cast<uint64_t>(c.bytes), path));
    if (n == 0) break;
    hash.Update(buf.data(), n);
    c.bytes += static_cast<int64_t>(n);
  }
  c.sha256 = hash.Hex();
  return c;
}

// Creates `dir` and its missing parents 0700 (and makes `dir` 0700 if it existed).
absl::Status MakeDir(const std::string& dir) {
  ODR_RETURN_IF_ERROR(CreatePrivateDir(dir));
  ::chmod(dir.c_str(), 0700);
  return absl::OkStatus();
}

// Fsyncs every directory under (and including) `root`, deepest first.
absl::Status FsyncTree(const std::string& root) {
  std::vector<std::string> dirs = {root};
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_directory()) dirs.push_back(e.path().string());
  }
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) ODR_RETURN_IF_ERROR(files::FsyncDir(*it));
  return absl::OkStatus();
}

// Files of a data dir that a backup leaves out: the live database (copied through the backup API),
// blobs (copied by reference), uploads in progress, and what a process leaves behind.
bool SkippedByBackup(const std::string& rel) {
  return rel == kDatabaseFile || absl::StartsWith(rel, "odr.db-") ||
         absl::StartsWith(rel, "evidence/blobs/") || absl::StartsWith(rel, "evidence/uploads/") ||
         absl::EndsWith(rel, ".tmp") || absl::EndsWith(rel, ".port") ||
         absl::EndsWith(rel, ".log") || rel == "port" || rel == kManifestFile;
}

// The online backup: every page of one snapshot of `src_path`, into a new file at `dst_path`.
absl::Status BackupDatabase(const std::string& src_path, const std::string& dst_path) {
  ODR_ASSIGN_OR_RETURN(std::unique_ptr<Connection> src, Connection::Open(src_path, true));
  ODR_RETURN_IF_ERROR(src->Exec("PRAGMA busy_timeout=10000;"));
  ODR_ASSIGN_OR_RETURN(std::unique_ptr<Connection> dst, Connection::Open(dst_path, false));
  sqlite3_backup* b = sqlite3_backup_init(dst->raw(), "main", src->raw(), "main");
  if (b == nullptr) return storage::SqliteError(sqlite3_errcode(dst->raw()), dst->raw(), "backup");
  // All pages in one step: one read transaction, so the copy is one consistent snapshot however
  // much odrd writes meanwhile (a stepwise copy would restart on every write).
  int rc = sqlite3_backup_step(b, -1);
  int finish = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return storage::SqliteError(rc, dst->raw(), "backup");
  if (finish != SQLITE_OK) return storage::SqliteError(finish, dst->raw(), "backup");
  // A self-contained file: no WAL beside it.
  ODR_RETURN_IF_ERROR(dst->Exec("PRAGMA journal_mode=DELETE;"));
  dst.reset();
  ::chmod(dst_path.c_str(), 0600);
  files::Fd fd(::open(dst_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return files::ErrnoStatus(errno, absl::StrCat("fsync ", dst_path));
  }
  return absl::OkStatus();
}

std::string Rel(const fs::path& p, const fs::path& root) {
  return fs::relative(p, root).generic_string();
}

}  // namespace

absl::StatusOr<CheckReport> CheckDataDir(const CheckOptions& o) {
  CheckReport r;
  const std::string db_path = (fs::path(o.data_dir) / kDatabaseFile).string();
  if (!fs::exists(db_path)) return absl::NotFoundError(absl::StrCat("no database at ", db_path));
  ODR_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Connection::Open(db_path, true));
  ODR_RETURN_IF_ERROR(c->Exec("PRAGMA busy_timeout=10000; BEGIN;"));
  std::set<std::string> referenced;
  absl::Status s = CheckDatabase(*c, o, &r, &referenced);
  (void)c->Exec("COMMIT;");
  c.reset();
  ODR_RETURN_IF_ERROR(s);

  // Blobs.
  const std::string key_path = MasterKeyPath(o.data_dir, o.evidence_key_file);
  std::optional<storage::MasterKey> master;
  if (!fs::exists(key_path)) {
    if (!referenced.empty()) AddProblem(&r, "evidence master key missing: " + key_path);
  } else {
    storage::OsRandom unused;  // LoadOrCreate only creates a key if there is none
    auto m = storage::MasterKey::LoadOrCreate(key_path, unused);
    if (!m.ok()) {
      AddProblem(&r, absl::StrCat("evidence master key: ", m.status().message()));
    } else {
      master = std::move(*m);
    }
  }
  for (const std::string& sha : referenced) {
    ++r.blobs;
    if (!master) continue;
    int64_t bytes = 0;
    absl::Status b = CheckBlob(BlobPath(o.data_dir, sha), *master, sha, o.blob_contents, &bytes);
    if (!b.ok()) {
      AddProblem(&r, absl::StrCat("blob ", sha, ": ", b.message()));
    } else {
      r.blob_bytes += bytes;
    }
  }
  const fs::path blob_root = fs::path(o.data_dir) / "evidence" / "blobs";
  std::error_code ec;
  if (fs::exists(blob_root, ec)) {
    for (const auto& e : fs::recursive_directory_iterator(blob_root)) {
      if (!e.is_regular_file()) continue;
      const std::string name = e.path().filename().string();
      if (referenced.count(name) == 0) {
        ++r.orphan_blobs;
        r.warnings.push_back(absl::StrCat("orphan blob ", Rel(e.path(), o.data_dir),
                                          " (no evidence names it; odrd removes it at start)"));
      }
    }
  }
  return r;
}

absl::StatusOr<BackupReport> Backup(const BackupOptions& o) {
  BackupReport report;
  const fs::path src(o.data_dir);
  if (!fs::exists(src / kDatabaseFile)) {
    return absl::NotFoundError(absl::StrCat("no database at ", (src / kDatabaseFile).string()));
  }
  if (fs::exists(o.destination)) {
    return absl::AlreadyExistsError(absl::StrCat(o.destination, " exists; back up to a new path"));
  }
  const fs::path partial = o.destination + ".partial";
  std::error_code ec;
  fs::remove_all(partial, ec);  // a backup that died half way
  ODR_RETURN_IF_ERROR(MakeDir(partial.string()));

  nlohmann::json manifest;
  manifest["format"] = kBackupFormat;
  manifest["created"] = absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone());
  nlohmann::json files = nlohmann::json::array();

  // 1. The database snapshot.
  const std::string db_copy = (partial / kDatabaseFile).string();
  ODR_RETURN_IF_ERROR(BackupDatabase((src / kDatabaseFile).string(), db_copy));

  // 2. The blobs the snapshot references.
  std::set<std::string> referenced;
  {
    ODR_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Connection::Open(db_copy, true));
    ODR_ASSIGN_OR_RETURN(int64_t version,
                         QueryInt(*c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    report.schema_version = static_cast<int>(version);
    ODR_ASSIGN_OR_RETURN(report.log_size, QueryInt(*c, "SELECT COUNT(*) FROM evidence_log_leaves"));
    ODR_ASSIGN_OR_RETURN(Statement s, c->Prepare("SELECT DISTINCT sha256 FROM evidence"));
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      referenced.insert(s.ColumnText(0));
    }
  }
  {
    ODR_ASSIGN_OR_RETURN(CopiedFile db, HashFile(db_copy));
    report.database_bytes = db.bytes;
    files.push_back({{"path", kDatabaseFile}, {"bytes", db.bytes}, {"sha256", db.sha256}});
  }
  for (const std::string& sha : referenced) {
    const std::string rel = absl::StrCat("evidence/blobs/", sha.substr(0, 2), "/", sha);
    ODR_RETURN_IF_ERROR(MakeDir((partial / rel).parent_path().string()));
    ODR_ASSIGN_OR_RETURN(CopiedFile f, CopyFileDurably((src / rel).string(), (partial / rel)));
    ++report.blobs;
    report.blob_bytes += f.bytes;
    files.push_back({{"path", rel}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  }

  // 3. Keys and the other files of the data dir.
  for (auto it = fs::recursive_directory_iterator(src); it != fs::recursive_directory_iterator();
       ++it) {
    const std::string rel = Rel(it->path(), src);
    if (it->is_directory()) {
      if (rel == "evidence/blobs" || rel == "evidence/uploads") it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || SkippedByBackup(rel)) continue;
    ODR_RETURN_IF_ERROR(MakeDir((partial / rel).parent_path().string()));
    ODR_ASSIGN_OR_RETURN(CopiedFile f, CopyFileDurably(it->path().string(), (partial / rel)));
    ++report.files;
    files.push_back({{"path", rel}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  }
  report.evidence_key_included = o.evidence_key_file.empty();
  manifest["schema_version"] = report.schema_version;
  manifest["evidence_log_size"] = report.log_size;
  manifest["evidence_key_included"] = report.evidence_key_included;
  manifest["files"] = std::move(files);
  ODR_RETURN_IF_ERROR(
      WriteFileDurably((partial / kManifestFile).string(), manifest.dump(2) + "\n", 0600));
  ODR_RETURN_IF_ERROR(FsyncTree(partial.string()));
  if (::rename(partial.c_str(), o.destination.c_str()) != 0) {
    return files::ErrnoStatus(errno, absl::StrCat("rename to ", o.destination));
  }
  ODR_RETURN_IF_ERROR(files::FsyncDir(files::DirOf(o.destination)));
  return report;
}

absl::StatusOr<CheckReport> Restore(const RestoreOptions& o) {
  const fs::path backup(o.backup);
  std::string text;
  ODR_RETURN_IF_ERROR(files::ReadSecretFile((backup / kManifestFile).string(), 64 << 20, &text));
  nlohmann::json manifest = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (manifest.is_discarded() || manifest.value("format", "") != kBackupFormat ||
      !manifest.contains("files") || !manifest["files"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(o.backup, ": not an odr backup (", kManifestFile,
                                                   " missing or unknown format)"));
  }
  std::error_code ec;
  const bool exists = fs::exists(o.data_dir, ec);
  if (exists && !fs::is_empty(o.data_dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(o.data_dir, " is not empty; restore into a new data dir"));
  }
  const fs::path target = exists ? fs::path(o.data_dir) : fs::path(o.data_dir + ".partial");
  if (!exists) {
    fs::remove_all(target, ec);
    ODR_RETURN_IF_ERROR(MakeDir(target.string()));
  }
  for (const nlohmann::json& f : manifest["files"]) {
    const std::string rel = f.value("path", "");
    if (rel.empty() || rel[0] == '/' || rel.find("..") != std::string::npos) {
      return absl::DataLossError(absl::StrCat("manifest names a bad path: ", rel));
    }
    ODR_RETURN_IF_ERROR(MakeDir((target / rel).parent_path().string()));
    ODR_ASSIGN_OR_RETURN(CopiedFile c, CopyFileDurably((backup / rel).string(), (target / rel)));
    if (c.sha256 != f.value("sha256", "") || c.bytes != f.value("bytes", int64_t{-1})) {
      return absl::DataLossError(absl::StrCat(rel, ": differs from the backup's manifest"));
    }
  }
  ODR_RETURN_IF_ERROR(FsyncTree(target.string()));
  if (!exists) {
    if (::rename(target.c_str(), o.data_dir.c_str()) != 0) {
      return files::ErrnoStatus(errno, absl::StrCat("rename to ", o.data_dir));
    }
    ODR_RETURN_IF_ERROR(files::FsyncDir(files::DirOf(o.data_dir)));
  }
  CheckOptions check;
  check.data_dir = o.data_dir;
  check.evidence_key_file = o.evidence_key_file;
  ODR_ASSIGN_OR_RETURN(CheckReport report, CheckDataDir(check));
  if (!report.ok()) {
    return absl::DataLossError(
        absl::StrCat("the restored data dir fails its check: ", report.problems.front()));
  }
  return report;
}

namespace {

void PrintReport(const CheckReport& r) {
  std::cout << "integrity:        " << r.integrity << "\n"
            << "schema version:   " << r.schema_version << "\n"
            << "cases:            " << r.cases << "\n"
            << "evidence:         " << r.evidence << "\n"
            << "blobs checked:    " << r.blobs << " (" << r.blob_bytes << " bytes)\n"
            << "orphan blobs:     " << r.orphan_blobs << "\n"
            << "evidence log:     " << r.log_size << " leaves, " << r.checkpoints
            << " checkpoints verified\n";
  for (const std::string& w : r.warnings) std::cout << "warning: " << w << "\n";
  for (const std::string& p : r.problems) std::cout << "PROBLEM: " << p << "\n";
  std::cout << (r.ok() ? "check: ok\n" : "check: FAILED\n");
}

int Failed(absl::string_view command, const absl::Status& s) {
  std::cerr << "odrd " << command << ": " << s.message() << "\n";
  return 1;
}

}  // namespace

void AddMaintenanceCommands(CLI::App* app, std::function<int()>* run) {
  struct Flags {
    std::string data_dir = "./var";
    std::string evidence_key_file;
    std::string destination;
    std::string from;
    bool quick = false;
  };
  auto f = std::make_shared<Flags>();
  auto add_common = [f](CLI::App* sub) {
    sub->add_option("--data-dir", f->data_dir, "the data dir odrd uses")
        ->envname("ODR_DATA_DIR")
        ->capture_default_str();
    sub->add_option("--evidence-key-file", f->evidence_key_file,
                    "the evidence master key, if odrd keeps it outside the data dir")
        ->envname("ODR_EVIDENCE_KEY_FILE");
  };

  CLI::App* backup = app->add_subcommand(
      "backup", "Copy the data dir, consistently, while odrd serves (docs/operations.md)");
  add_common(backup);
  backup->add_option("destination", f->destination, "a new directory for the backup")->required();
  backup->callback([f, run] {
    *run = [f] {
      BackupOptions o{f->data_dir, f->destination, f->evidence_key_file};
      auto r = Backup(o);
      if (!r.ok()) return Failed("backup", r.status());
      std::cout << "backup: " << f->destination << ": database " << r->database_bytes
                << " bytes (schema " << r->schema_version << "), " << r->blobs << " blobs ("
                << r->blob_bytes << " bytes), " << r->files << " key and other files, evidence log "
                << r->log_size << " leaves\n";
      if (!r->evidence_key_included) {
        std::cout << "backup: the evidence master key is outside the data dir and NOT in the "
                     "backup; keep it with the backup, or the blobs cannot be read\n";
      }
      return 0;
    };
  });

  CLI::App* restore = app->add_subcommand(
      "restore", "Restore a backup into a new data dir, then check it (docs/operations.md)");
  add_common(restore);
  restore->add_option("backup", f->from, "a directory `odrd backup` wrote")->required();
  restore->callback([f, run] {
    *run = [f] {
      RestoreOptions o{f->from, f->data_dir, f->evidence_key_file};
      auto r = Restore(o);
      if (!r.ok()) return Failed("restore", r.status());
      PrintReport(*r);
      std::cout << "restore: " << f->from << " -> " << f->data_dir << "\n";
      return 0;
    };
  });

  CLI::App* check = app->add_subcommand(
      "check", "Verify a data dir or a backup: database, blobs, evidence log (exit 1 on damage)");
  add_common(check);
  check->add_flag("--quick", f->quick,
                  "authenticate each blob's header and last record instead of decrypting it all");
  check->callback([f, run] {
    *run = [f] {
      CheckOptions o{f->data_dir, f->evidence_key_file, !f->quick};
      auto r = CheckDataDir(o);
      if (!r.ok()) return Failed("check", r.status());
      PrintReport(*r);
      return r->ok() ? 0 : 1;
    };
  });
}

}  // namespace odr::server

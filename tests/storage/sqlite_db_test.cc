// storage::Database under storage errors: the mapping of SQLite's result codes to Status codes,
// and group commit when the disk fills up in the middle of a group (a database capped with
// max_page_count fails exactly as a full disk does, with SQLITE_FULL): every write answered OK is
// stored, every other one is not, and the database takes writes again once there is room.
#include "storage/sqlite_db.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/testing/database.h"
#include "tests/testing/temp_dir.h"

namespace odr::storage {
namespace {

TEST(SqliteErrorTest, FullIsResourceExhaustedIoIsUnavailableCorruptIsDataLoss) {
  EXPECT_EQ(SqliteError(SQLITE_FULL, nullptr, "commit").code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_NE(SqliteError(SQLITE_FULL, nullptr, "commit").message().find("nothing was stored"),
            std::string::npos);
  EXPECT_EQ(SqliteError(SQLITE_IOERR_FSYNC, nullptr, "commit").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(SqliteError(SQLITE_IOERR_WRITE, nullptr, "commit").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(SqliteError(SQLITE_BUSY, nullptr, "begin").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(SqliteError(SQLITE_CORRUPT, nullptr, "step").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(SqliteError(SQLITE_CONSTRAINT, nullptr, "step").code(), absl::StatusCode::kInternal);
}

int64_t Count(Database* db) {
  int64_t n = -1;
  EXPECT_TRUE(db->Read([&](Connection& c) -> absl::Status {
                  auto s = c.Prepare("SELECT COUNT(*) FROM t");
                  if (!s.ok()) return s.status();
                  auto row = s->Step();
                  if (!row.ok()) return row.status();
                  n = s->ColumnInt(0);
                  return s->Run();
                }).ok());
  return n;
}

TEST(GroupCommitTest, AFullDiskFailsExactlyTheWritesThatWereNotStored) {
  testing::TempDir dir;
  auto db = testing::OpenTestDatabase(dir.file("odr.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Write([](Connection& c) {
                  return c.Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL) STRICT;");
                }).ok());
  // Room for a few rows only.
  ASSERT_TRUE(db->Write([](Connection& c) -> absl::Status {
                  auto s = c.Prepare("PRAGMA page_count");
                  if (!s.ok()) return s.status();
                  auto row = s->Step();
                  if (!row.ok()) return row.status();
                  const int64_t pages = s->ColumnInt(0);
                  if (absl::Status r = s->Run(); !r.ok()) return r;
                  return c.Exec(absl::StrCat("PRAGMA max_page_count = ", pages + 12, ";"));
                }).ok());

  constexpr int kThreads = 8, kPerThread = 12;
  std::vector<std::vector<absl::Status>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = absl::StrCat(t, "-", i);
        results[t].push_back(db->Write([&](Connection& c) -> absl::Status {
          auto s = c.Prepare("INSERT INTO t (k, v) VALUES (?1, ?2)");
          if (!s.ok()) return s.status();
          s->Bind(1, key).Bind(2, std::string(3000, 'x'));
          return s->Run();
        }));
      }
    });
  }
  for (auto& th : threads) th.join();

  int ok = 0, full = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const absl::Status& s = results[t][i];
      const std::string key = absl::StrCat(t, "-", i);
      bool stored = false;
      ASSERT_TRUE(db->Read([&](Connection& c) -> absl::Status {
                      auto q = c.Prepare("SELECT 1 FROM t WHERE k = ?1");
                      if (!q.ok()) return q.status();
                      q->Bind(1, key);
                      auto row = q->Step();
                      if (!row.ok()) return row.status();
                      stored = *row;
                      return q->Run();
                    }).ok());
      if (s.ok()) {
        ++ok;
        EXPECT_TRUE(stored) << key << " was acknowledged but is not stored";
      } else {
        ++full;
        EXPECT_FALSE(stored) << key << " failed (" << s << ") but is stored";
        EXPECT_TRUE(s.code() == absl::StatusCode::kResourceExhausted ||
                    s.code() == absl::StatusCode::kUnavailable)
            << s;
      }
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(full, 0) << "the cap was never reached";
  EXPECT_EQ(Count(db.get()), ok);

  // Room again: writes succeed without reopening the database.
  ASSERT_TRUE(
      db->Write([](Connection& c) { return c.Exec("PRAGMA max_page_count = 1000000;"); }).ok());
  EXPECT_TRUE(db->Write([](Connection& c) {
                  return c.Exec("INSERT INTO t (k, v) VALUES ('after', 'room');");
                }).ok());
  EXPECT_EQ(Count(db.get()), ok + 1);
}

}  // namespace
}  // namespace odr::storage

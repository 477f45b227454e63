// A test database: the real SQLite Database on a file, migrated, with a small reader pool.
#ifndef ODR_TESTS_TESTING_DATABASE_H_
#define ODR_TESTS_TESTING_DATABASE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "server/domain/statutory_clock.h"
#include "storage/deadline_rows.h"
#include "storage/sqlite_db.h"

namespace odr::testing {

// Opens (creating and migrating) the database at `path`; a failed test and nullptr on error.
inline std::unique_ptr<storage::Database> OpenTestDatabase(const std::string& path) {
  storage::Database::Options o;
  o.path = path;
  o.readers = 2;
  auto db = storage::Database::Open(o);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

// Deadline `id` of case `case_id` as stored; a failed test (and an empty deadline) if absent.
inline domain::Deadline LoadDeadline(storage::Database* db, const std::string& case_id,
                                     const std::string& id) {
  domain::Deadline out;
  EXPECT_TRUE(db->Read([&](storage::Connection& c) -> absl::Status {
                  auto d = storage::deadline_rows::Load(c, case_id, id);
                  if (!d.ok()) return d.status();
                  out = *d;
                  return absl::OkStatus();
                }).ok())
      << case_id << "/" << id;
  return out;
}

}  // namespace odr::testing

#endif  // ODR_TESTS_TESTING_DATABASE_H_

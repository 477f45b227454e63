// A test database: the real SQLite Database on a file, migrated, with a small reader pool.
#ifndef ODR_TESTS_TESTING_DATABASE_H_
#define ODR_TESTS_TESTING_DATABASE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

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

}  // namespace odr::testing

#endif  // ODR_TESTS_TESTING_DATABASE_H_

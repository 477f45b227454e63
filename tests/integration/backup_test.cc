// `odrd backup`, `odrd restore` and `odrd check` together, on the real binaries: a backup taken
// while three clients write restores into a fresh data dir that passes its check and serves every
// write acknowledged before the backup began, with the same content and hashes; damage to a
// backup is found by `check` and refused by `restore`; nothing is overwritten.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "odr/v1/roster.grpc.pb.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/workload.h"

using ::odr::testing::IsOk;

namespace odr {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

testing::CommandResult Odrd(std::vector<std::string> args) {
  args.insert(args.begin(), ODRD_PATH);
  return testing::RunCommand(args);
}

// The first blob file under `dir`.
std::string SomeBlob(const std::string& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir + "/evidence/blobs")) {
    if (e.is_regular_file()) return e.path().string();
  }
  return "";
}

void FlipByte(const std::string& path, std::streamoff at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x40);
  f.seekp(at);
  f.write(&c, 1);
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.file("data");
    zhang_ =
        testing::CreatePrincipal(data_, "zhang", "citizen", {"--id-number", testing::kIdZhang});
    platform_ = testing::CreatePrincipal(data_, "platform", "platform_admin");
    odrd_ = std::make_unique<testing::OdrdProcess>(data_, args_);
    auto channel = grpc::CreateChannel(odrd_->address(), grpc::InsecureChannelCredentials());
    testing::CreateWorkloadOrganization(odrd_->address(), "platform", platform_, "org1");
    ASSERT_FALSE(::testing::Test::HasFailure());
    load_.Connect(odrd_->address(), testing::IssueToken(channel, "zhang", zhang_));
  }

  // Runs three writers until `stop`.
  void StartLoad() {
    stop_ = false;
    for (int w = 0; w < 3; ++w) {
      workers_.emplace_back([this, w] {
        std::mt19937 rng(1000 + w);
        while (!stop_) {
          grpc::Status s = load_.Step(rng, w);
          EXPECT_THAT(s, IsOk()) << s.error_message();
        }
      });
    }
  }
  void StopLoad() {
    stop_ = true;
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  testing::TempDir dir_;
  std::string data_, zhang_, platform_;
  const std::vector<std::string> args_ = {"--rate-limit", "0", "--workers", "4"};
  std::unique_ptr<testing::OdrdProcess> odrd_;
  testing::Workload load_{"org1"};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> workers_;
};

TEST_F(BackupTest, ABackupTakenUnderLoadRestoresEveryWriteAcknowledgedBeforeIt) {
  StartLoad();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  // Everything acknowledged by now must be in the backup; the writers go on meanwhile.
  const size_t cases = load_.acked_cases();
  const size_t files = load_.acked_files();
  const std::string backup = dir_.file("backup");
  testing::CommandResult b = Odrd({"backup", "--data-dir", data_, backup});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  StopLoad();
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_THAT(b.out, HasSubstr("backup: " + backup));
  ASSERT_GT(cases, 0u);
  ASSERT_GT(files, 0u);
  EXPECT_GT(load_.acked_cases(), cases) << "the load did not run during the backup";
  EXPECT_FALSE(fs::exists(backup + ".partial"));
  EXPECT_TRUE(fs::exists(backup + "/MANIFEST.json"));
  EXPECT_FALSE(fs::exists(backup + "/odr.db-wal"));

  // The backup checks as a data dir.
  testing::CommandResult c = Odrd({"check", "--data-dir", backup});
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_THAT(c.out, HasSubstr("orphan blobs:     0"));

  // Restored into a fresh dir, checked, and served by odrd.
  const std::string restored = dir_.file("restored");
  testing::CommandResult r = Odrd({"restore", "--data-dir", restored, backup});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("check: ok"));
  load_.Disconnect();
  odrd_.reset();
  testing::OdrdProcess served(restored, args_);
  {
    auto channel = grpc::CreateChannel(served.address(), grpc::InsecureChannelCredentials());
    // The restored data dir authenticates the same API keys and verifies the same log.
    load_.Connect(served.address(), testing::IssueToken(channel, "zhang", zhang_));
  }
  load_.VerifyPrefix(cases, files);
  // Every checkpoint handed out before the backup is in it.
  load_.VerifyCheckpoints(/*up_to_newest=*/true);
  // And it takes new writes.
  for (int i = 0; i < 5; ++i)
    EXPECT_THAT(load_.CreateOne("after-restore-" + std::to_string(i)), IsOk());
  load_.Disconnect();
}

TEST_F(BackupTest, DamageIsFoundByCheckAndRefusedByRestore) {
  StartLoad();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  StopLoad();
  ASSERT_GT(load_.acked_files(), 0u);
  const std::string backup = dir_.file("backup");
  ASSERT_EQ(Odrd({"backup", "--data-dir", data_, backup}).exit_code, 0);

  // A backup is never written over an existing path.
  testing::CommandResult again = Odrd({"backup", "--data-dir", data_, backup});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("exists"));
  // Nor restored into a data dir that holds anything.
  testing::CommandResult over = Odrd({"restore", "--data-dir", data_, backup});
  EXPECT_EQ(over.exit_code, 1);
  EXPECT_THAT(over.err, HasSubstr("not empty"));

  // One flipped bit in a sealed blob: check names the blob; restore refuses the copy.
  const std::string blob = SomeBlob(backup);
  ASSERT_FALSE(blob.empty());
  FlipByte(blob, static_cast<std::streamoff>(fs::file_size(blob) - 10));
  testing::CommandResult c = Odrd({"check", "--data-dir", backup});
  EXPECT_EQ(c.exit_code, 1) << c.out;
  EXPECT_THAT(c.out, HasSubstr("PROBLEM: blob " + fs::path(blob).filename().string()));
  EXPECT_THAT(c.out, HasSubstr("check: FAILED"));
  testing::CommandResult r = Odrd({"restore", "--data-dir", dir_.file("restored"), backup});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("differs from the backup's manifest"));
  EXPECT_FALSE(fs::exists(dir_.file("restored")));

  // A blob missing from a data dir, and a rewritten log leaf, are problems too.
  const std::string copy = dir_.file("copy");
  load_.Disconnect();
  odrd_.reset();
  fs::copy(data_, copy, fs::copy_options::recursive);
  fs::remove(SomeBlob(copy));
  c = Odrd({"check", "--quick", "--data-dir", copy});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_THAT(c.out, HasSubstr("No such file"));
  // Rewrite the first leaf (bypassing the append-only trigger) so the log no longer matches.
  testing::CommandResult tamper = testing::RunCommand(
      {"/usr/bin/sqlite3", copy + "/odr.db",
       "DROP TRIGGER evidence_log_leaves_no_update; UPDATE evidence_log_leaves SET leaf_data = "
       "leaf_data || ' ' WHERE leaf_index = 0;"});
  ASSERT_EQ(tamper.exit_code, 0) << tamper.err;
  c = Odrd({"check", "--quick", "--data-dir", copy});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_THAT(c.out, HasSubstr("root differs from the leaves"));
}

}  // namespace
}  // namespace odr

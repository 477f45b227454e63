// Disk full and I/O errors under the real odrd, injected with libfiu (Debian's fiu-utils): odrd
// runs with libfiu's POSIX preload, and the test turns failure points on and off while it serves.
// While pwrite fails with ENOSPC every write answers RESOURCE_EXHAUSTED, while fdatasync/fsync fail
// with EIO it answers UNAVAILABLE; nothing is acknowledged that was not stored; when the disk
// recovers, odrd serves writes again by itself (no restart), every retried request completes
// exactly once, and the data dir passes `odrd check` after a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "odr/v1/roster.grpc.pb.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/workload.h"

using ::odr::testing::IsOk;

namespace odr {
namespace {

using ::testing::HasSubstr;

constexpr char kFiuLib[] = "/usr/lib/fiu";

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(std::string(kFiuLib) + "/fiu_posix_preload.so")) {
      GTEST_FAIL() << "libfiu's preload libraries are missing: tools/install-deps installs "
                      "fiu-utils";
    }
    data_ = dir_.file("data");
    fifo_ = dir_.file("fiu");
    zhang_ =
        testing::CreatePrincipal(data_, "zhang", "citizen", {"--id-number", testing::kIdZhang});
    platform_ = testing::CreatePrincipal(data_, "platform", "platform_admin");
  }

  void Launch(bool with_fiu) {
    std::vector<std::string> env;
    if (with_fiu) {
      env = {std::string("LD_PRELOAD=") + kFiuLib + "/fiu_run_preload.so " + kFiuLib +
                 "/fiu_posix_preload.so",
             "FIU_CTRL_FIFO=" + fifo_, "FIU_ENABLE="};
    }
    odrd_ = std::make_unique<testing::OdrdProcess>(
        data_, std::vector<std::string>{"--rate-limit", "0", "--workers", "4"}, env);
    auto channel = grpc::CreateChannel(odrd_->address(), grpc::InsecureChannelCredentials());
    load_.Connect(odrd_->address(), testing::IssueToken(channel, "zhang", zhang_));
  }

  // Runs a libfiu remote-control command in odrd ("enable name=...,failinfo=28").
  void Fiu(const std::string& command) {
    testing::CommandResult r = testing::RunCommand(
        {"/usr/bin/fiu-ctrl", "-f", fifo_, "-c", command, std::to_string(odrd_->pid())});
    ASSERT_EQ(r.exit_code, 0) << command << ": " << r.err;
  }

  // `n` workload steps while a fault is on: each must fail with `code`. Returns their messages.
  std::string StepsFailWith(int n, grpc::StatusCode code) {
    std::mt19937 rng(n);
    std::string messages;
    for (int i = 0; i < n; ++i) {
      grpc::Status s = load_.Step(rng, 0);
      EXPECT_FALSE(s.ok()) << "a write was acknowledged while the disk failed";
      EXPECT_EQ(s.error_code(), code) << s.error_message();
      messages += s.error_message() + "\n";
    }
    return messages;
  }

  void StepsSucceed(int n) {
    std::mt19937 rng(100 + n);
    for (int i = 0; i < n; ++i) {
      grpc::Status s = load_.Step(rng, 1);
      ASSERT_THAT(s, IsOk()) << s.error_code() << " " << s.error_message();
    }
  }

  testing::TempDir dir_;
  std::string data_, fifo_, zhang_, platform_;
  std::unique_ptr<testing::OdrdProcess> odrd_;
  testing::Workload load_{"org1"};
};

TEST_F(FaultTest, DiskFullAndIoErrorsFailCleanlyAndOdrdRecoversByItself) {
  Launch(/*with_fiu=*/true);
  testing::CreateWorkloadOrganization(odrd_->address(), "platform", platform_, "org1");
  ASSERT_FALSE(HasFailure());
  StepsSucceed(12);

  // Disk full: every pwrite (SQLite's WAL, sealed blob files) fails with ENOSPC.
  Fiu("enable name=posix/io/rw/pwrite,failinfo=28");
  EXPECT_THAT(StepsFailWith(8, grpc::StatusCode::RESOURCE_EXHAUSTED), HasSubstr("storage full"));
  Fiu("disable name=posix/io/rw/pwrite");
  // Space is back: no restart, the same odrd takes writes, and the retries complete once.
  StepsSucceed(6);
  load_.RetryUnacknowledged();
  EXPECT_EQ(load_.unacked(), 0u);

  // I/O errors: fsync and fdatasync fail with EIO.
  Fiu("enable name=posix/io/sync/fdatasync,failinfo=5");
  Fiu("enable name=posix/io/sync/fsync,failinfo=5");
  EXPECT_THAT(StepsFailWith(8, grpc::StatusCode::UNAVAILABLE), HasSubstr("I/O error"));
  Fiu("disable name=posix/io/sync/fdatasync");
  Fiu("disable name=posix/io/sync/fsync");
  StepsSucceed(6);
  load_.RetryUnacknowledged();
  EXPECT_EQ(load_.unacked(), 0u);
  std::mt19937 rng(3);
  load_.VerifyAcknowledged(rng, 0);
  load_.VerifyCheckpoints();

  // After a restart without faults: all there, exactly once, and the data dir is sound.
  load_.Disconnect();
  ASSERT_EQ(odrd_->Stop(), 0);
  testing::CommandResult check = testing::RunCommand({ODRD_PATH, "check", "--data-dir", data_});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(testing::CheckFigure(check.out, "cases:"), static_cast<int64_t>(load_.acked_cases()))
      << check.out;
  EXPECT_EQ(testing::CheckFigure(check.out, "evidence:"), static_cast<int64_t>(load_.acked_files()))
      << check.out;
  Launch(/*with_fiu=*/false);
  load_.VerifyPrefix(load_.acked_cases(), load_.acked_files());
  load_.Disconnect();
}

}  // namespace
}  // namespace odr

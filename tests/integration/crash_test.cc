// The crash suite: three clients create cases, submit them and upload evidence, every request with
// a request_id or upload id, while odrd is killed with SIGKILL at random moments. After every
// restart: `odrd check` passes (SQLite integrity, every blob's hash, the evidence log against
// every checkpoint it signed) with no orphan blob; every acknowledged write is readable with the
// same content and hash; every unacknowledged request, retried, completes exactly once (the
// database holds as many cases and evidence files as were acknowledged); every checkpoint a client
// was given is still consistent with the log.
//
// ODR_CRASH_KILLS sets the number of kills (default 20; `tools/reliability` runs 200) and
// ODR_CRASH_SEED the random seed (default: time; printed, to replay a failure).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <thread>

#include "odr/v1/roster.grpc.pb.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/workload.h"

namespace odr {
namespace {

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

TEST(CrashTest, NoAcknowledgedWriteIsLostAcrossSigkills) {
  const int kills = EnvInt("ODR_CRASH_KILLS", 20);
  const unsigned seed = static_cast<unsigned>(
      EnvInt("ODR_CRASH_SEED", static_cast<int>(std::random_device{}() & 0x7fffffff)));
  std::printf("crash suite: %d kills, ODR_CRASH_SEED=%u\n", kills, seed);
  std::mt19937 rng(seed);

  testing::TempDir dir;
  const std::string data = dir.file("data");
  const std::string zhang =
      testing::CreatePrincipal(data, "zhang", "citizen", {"--id-number", testing::kIdZhang});
  const std::string platform = testing::CreatePrincipal(data, "platform", "platform_admin");
  const std::vector<std::string> args = {"--rate-limit", "0", "--workers", "4"};
  {
    testing::OdrdProcess odrd(data, args);
    testing::CreateWorkloadOrganization(odrd.address(), "platform", platform, "org1");
    ASSERT_FALSE(::testing::Test::HasFailure());
  }

  testing::Workload load("org1");
  constexpr int kWorkers = 3;
  int64_t unacked_total = 0;
  for (int round = 0; round < kills; ++round) {
    testing::OdrdProcess odrd(data, args);
    {
      auto channel = grpc::CreateChannel(odrd.address(), grpc::InsecureChannelCredentials());
      load.Connect(odrd.address(), testing::IssueToken(channel, "zhang", zhang));
    }
    // After the restart (and before new load): what the last kill must not have broken.
    if (round > 0) {
      testing::CommandResult check = testing::RunCommand({ODRD_PATH, "check", "--data-dir", data});
      ASSERT_EQ(check.exit_code, 0) << "round " << round << ":\n" << check.out << check.err;
      EXPECT_NE(check.out.find("integrity:        ok"), std::string::npos) << check.out;
      EXPECT_EQ(testing::CheckFigure(check.out, "orphan blobs:"), 0) << check.out;
      load.VerifyAcknowledged(rng, 20);
      load.VerifyCheckpoints();
      load.RetryUnacknowledged();
      ASSERT_EQ(load.unacked(), 0u) << "round " << round;
      check = testing::RunCommand({ODRD_PATH, "check", "--quick", "--data-dir", data});
      ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
      // Exactly once: as many cases and files as were acknowledged, no more.
      EXPECT_EQ(testing::CheckFigure(check.out, "cases:"), static_cast<int64_t>(load.acked_cases()))
          << "round " << round << "\n"
          << check.out;
      EXPECT_EQ(testing::CheckFigure(check.out, "evidence:"),
                static_cast<int64_t>(load.acked_files()))
          << "round " << round << "\n"
          << check.out;
      if (::testing::Test::HasFailure()) return;
    }

    std::atomic<bool> stop{false};
    std::vector<std::thread> workers;
    std::atomic<int> unexpected{0};
    for (int w = 0; w < kWorkers; ++w) {
      workers.emplace_back([&, w, wseed = static_cast<unsigned>(rng())] {
        std::mt19937 wrng(wseed);
        while (!stop.load()) {
          grpc::Status s = load.Step(wrng, w);
          if (s.ok()) continue;
          if (!testing::IsUnacknowledgedOutcome(s.error_code())) {
            ++unexpected;
            ADD_FAILURE() << "round " << round << ": " << s.error_code() << " "
                          << s.error_message();
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      });
    }
    // Kill at a random moment: early (during start-up work) to well into the load.
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 1200));
    odrd.Kill();
    stop = true;
    for (auto& t : workers) t.join();
    load.Disconnect();
    unacked_total += static_cast<int64_t>(load.unacked());
    ASSERT_EQ(unexpected.load(), 0);
  }

  // The last kill, checked the same way.
  testing::OdrdProcess odrd(data, args);
  {
    auto channel = grpc::CreateChannel(odrd.address(), grpc::InsecureChannelCredentials());
    load.Connect(odrd.address(), testing::IssueToken(channel, "zhang", zhang));
  }
  testing::CommandResult check = testing::RunCommand({ODRD_PATH, "check", "--data-dir", data});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(testing::CheckFigure(check.out, "orphan blobs:"), 0) << check.out;
  load.VerifyAcknowledged(rng, 1000);
  load.VerifyCheckpoints();
  load.RetryUnacknowledged();
  check = testing::RunCommand({ODRD_PATH, "check", "--quick", "--data-dir", data});
  EXPECT_EQ(testing::CheckFigure(check.out, "cases:"), static_cast<int64_t>(load.acked_cases()));
  EXPECT_EQ(testing::CheckFigure(check.out, "evidence:"), static_cast<int64_t>(load.acked_files()));
  std::printf(
      "crash suite: %d kills, %zu cases and %zu files acknowledged, %lld requests "
      "unacknowledged at a kill and retried\n",
      kills, load.acked_cases(), load.acked_files(), static_cast<long long>(unacked_total));
  EXPECT_GT(load.acked_cases(), static_cast<size_t>(kills));
  EXPECT_GT(load.acked_files(), 0u);
  load.Disconnect();
}

}  // namespace
}  // namespace odr

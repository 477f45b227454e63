// The soak: the real odrd under a fixed mixed rate (40 calls/s: writes of cases, submissions and
// evidence; reads of cases) for ODR_SOAK_SECONDS (default 60 in the suite; `tools/reliability` runs
// 1800), while a reader holds one SQLite read transaction open for 15 s from the middle of the run
// (no checkpoint can pass it, so every write meanwhile stays in the WAL: about 2.7 MB/s at this
// rate, docs/operations.md). No call may fail; odrd's RSS may grow less than 10 % from the end of
// the first quarter to the end; its open file descriptors stay flat; the WAL stays under 64 MiB
// throughout and is truncated again once the reader ends.
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "odr/v1/roster.grpc.pb.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/workload.h"

namespace odr {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int64_t RssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

int OpenFds(pid_t pid) {
  int n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       it != fs::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

int64_t FileSize(const std::string& path) {
  std::error_code ec;
  auto n = fs::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

TEST(SoakTest, AFixedMixedRateRunsWithoutErrorsLeaksOrAnUnboundedWal) {
  const char* env = std::getenv("ODR_SOAK_SECONDS");
  const int seconds = env != nullptr && *env != '\0' ? std::atoi(env) : 60;
  constexpr int kWorkers = 2;
  constexpr int kCallsPerSecondPerWorker = 20;  // 40 calls/s in all, half of them writes

  testing::TempDir dir;
  const std::string data = dir.file("data");
  const std::string zhang =
      testing::CreatePrincipal(data, "zhang", "citizen", {"--id-number", testing::kIdZhang});
  const std::string platform = testing::CreatePrincipal(data, "platform", "platform_admin");
  testing::OdrdProcess odrd(data, {"--rate-limit", "0", "--workers", "4"});
  auto channel = grpc::CreateChannel(odrd.address(), grpc::InsecureChannelCredentials());
  testing::CreateWorkloadOrganization(odrd.address(), "platform", platform, "org1");
  ASSERT_FALSE(::testing::Test::HasFailure());
  testing::Workload load("org1");
  load.Connect(odrd.address(), testing::IssueToken(channel, "zhang", zhang));

  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  std::atomic<int64_t> calls{0}, errors{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      std::mt19937 rng(w + 1);
      const auto period = std::chrono::microseconds(1000000 / kCallsPerSecondPerWorker);
      auto next = Clock::now();
      while (Clock::now() < end) {
        grpc::Status s = (rng() % 2 == 0) ? load.Step(rng, w) : load.Read(rng);
        ++calls;
        if (!s.ok()) {
          ++errors;
          ADD_FAILURE() << s.error_code() << " " << s.error_message();
        }
        next += period;
        std::this_thread::sleep_until(next);
      }
    });
  }

  // The long reader: one read transaction of kReaderSeconds from the middle of the run.
  constexpr double kReaderSeconds = 15;
  const std::string db = data + "/odr.db";
  const std::string wal = db + "-wal";
  sqlite3* reader = nullptr;
  bool reading = false, read_done = false;
  int64_t rss_base = -1, rss_last = -1, rss_max = 0, wal_max = 0;
  int fds_base = -1, fds_last = -1;
  while (Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double t = std::chrono::duration<double>(Clock::now() - start).count() / seconds;
    if (!reading && !read_done && t >= 0.5) {
      ASSERT_EQ(sqlite3_open_v2(db.c_str(), &reader, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
      ASSERT_EQ(
          sqlite3_exec(reader, "BEGIN; SELECT COUNT(*) FROM cases;", nullptr, nullptr, nullptr),
          SQLITE_OK);
      reading = true;
    }
    if (reading && (t - 0.5) * seconds >= kReaderSeconds) {
      sqlite3_exec(reader, "COMMIT;", nullptr, nullptr, nullptr);
      sqlite3_close(reader);
      reader = nullptr;
      reading = false;
      read_done = true;
    }
    const int64_t rss = RssKiB(odrd.pid());
    const int fds = OpenFds(odrd.pid());
    if (rss_base < 0 && t >= 0.25) {
      rss_base = rss;
      fds_base = fds;
    }
    rss_last = rss;
    fds_last = fds;
    rss_max = std::max(rss_max, rss);
    wal_max = std::max(wal_max, FileSize(wal));
  }
  for (auto& t : workers) t.join();
  if (reader != nullptr) sqlite3_close(reader);
  // Once the reader is gone, a few more writes checkpoint the WAL and truncate it.
  std::mt19937 rng(99);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(load.Step(rng, 7).ok());
  const int64_t wal_after = FileSize(wal);

  std::printf(
      "soak: %d s, %lld calls, %lld errors; RSS %lld -> %lld KiB (max %lld); fds %d -> %d;"
      " WAL max %lld bytes, %lld after the reader\n",
      seconds, static_cast<long long>(calls.load()), static_cast<long long>(errors.load()),
      static_cast<long long>(rss_base), static_cast<long long>(rss_last),
      static_cast<long long>(rss_max), fds_base, fds_last, static_cast<long long>(wal_max),
      static_cast<long long>(wal_after));
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(calls.load(), static_cast<int64_t>(seconds) * kWorkers * kCallsPerSecondPerWorker / 2)
      << "the rate was not kept";
  ASSERT_GT(rss_base, 0);
  EXPECT_LT(rss_last, rss_base + rss_base / 10) << "RSS grew 10 % or more";
  EXPECT_LE(fds_last, fds_base + 4) << "file descriptors leak";
  EXPECT_LT(wal_max, int64_t{64} << 20) << "the WAL grew past 64 MiB";
  EXPECT_LE(wal_after, int64_t{16} << 20) << "the WAL was not truncated after the reader ended";
  std::mt19937 vrng(1);
  load.VerifyAcknowledged(vrng, 0);
  load.Disconnect();
}

}  // namespace
}  // namespace odr

// tools/seed-zhuji's data set, built through the real odrd's API in simulated time, and `odr stats`
// over January to October printing exactly the four figures of the Zhuji report: 13,560 disputes
// presented at court intake, 11,591 diverted, 3,470 mediated successfully, 2,948 judicial
// confirmations. Slow (about two minutes): one test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "tests/testing/grpc_auth.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/temp_dir.h"

namespace odr {
namespace {

using ::testing::HasSubstr;

TEST(ZhujiSeedTest, OdrStatsPrintsTheReportsFigures) {
  testing::TempDir dir;
  const std::string data = dir.file("zhuji");
  testing::CommandResult seed =
      testing::RunCommand({SEED_PATH, "--odrd", ODRD_PATH, "--data-dir", data});
  ASSERT_EQ(seed.exit_code, 0) << seed.err;

  // The seeded data dir served as usual (in real time), read with the odr binary.
  testing::OdrdProcess odrd(data);
  std::ifstream key_file(data + "/seed-keys/zj-platform.key");
  std::string key;
  std::getline(key_file, key);
  auto channel = grpc::CreateChannel(odrd.address(), grpc::InsecureChannelCredentials());
  const std::string token = testing::IssueToken(channel, "zj-platform", key);
  testing::CommandResult r =
      testing::RunCommand({ODR_CLI_PATH, "--server", odrd.address(), "-o", "table", "stats",
                           "--from", "2026-01-01", "--to", "2026-10-31"},
                          "", {"ODR_TOKEN=" + token, "XDG_CONFIG_HOME=" + dir.file("config")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Presented at court intake:  13,560\n"));
  EXPECT_THAT(r.out, HasSubstr("Diverted to mediation:      11,591\n"));
  EXPECT_THAT(r.out, HasSubstr("Guidance rate:              85.48%\n"));
  EXPECT_THAT(r.out, HasSubstr("Mediated successfully:      3,470\n"));
  EXPECT_THAT(r.out, HasSubstr("Judicial confirmations:     2,948\n"));
  // 127 organizations with their 648 mediators.
  testing::CommandResult orgs = testing::RunCommand(
      {ODR_CLI_PATH, "--server", odrd.address(), "-o", "name", "org", "list", "--all"}, "",
      {"ODR_TOKEN=" + token, "XDG_CONFIG_HOME=" + dir.file("config")});
  ASSERT_EQ(orgs.exit_code, 0) << orgs.err;
  EXPECT_EQ(std::count(orgs.out.begin(), orgs.out.end(), '\n'), 127);
  channel.reset();
}

}  // namespace
}  // namespace odr

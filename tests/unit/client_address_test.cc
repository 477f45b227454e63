// The client address per-address limits count: address and range parsing, gRPC peer strings, and
// which address a call is counted under with and without trusted proxies (issue 17, item 4).
#include "server/auth/client_address.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::auth {
namespace {

using ::testing::HasSubstr;

std::string Formatted(absl::string_view text) {
  std::optional<IpAddress> a = ParseIpAddress(text);
  return a ? FormatIpAddress(*a) : "(none)";
}

TEST(ParseIpAddressTest, LiteralsOnly) {
  EXPECT_EQ(Formatted("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(Formatted("2001:DB8:0:0::1"), "2001:db8::1");
  EXPECT_EQ(Formatted("::1"), "::1");
  // An IPv4-mapped IPv6 address is the IPv4 address.
  EXPECT_EQ(Formatted("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_FALSE(ParseIpAddress("::ffff:203.0.113.7")->v6);
  for (const char* bad :
       {"", "localhost", "203.0.113", "203.0.113.7:80", "[::1]", " 203.0.113.7", "203.0.113.7 ",
        "203.0.113.256", "fe80::1%eth0", "203.0.113.7, 10.0.0.1", "unknown"}) {
    EXPECT_FALSE(ParseIpAddress(bad).has_value()) << bad;
  }
}

TEST(ParsePeerAddressTest, GrpcPeerStrings) {
  const auto peer = [](absl::string_view p) {
    std::optional<IpAddress> a = ParsePeerAddress(p);
    return a ? FormatIpAddress(*a) : "(none)";
  };
  EXPECT_EQ(peer("ipv4:127.0.0.1:54321"), "127.0.0.1");
  EXPECT_EQ(peer("ipv6:[::1]:54321"), "::1");
  EXPECT_EQ(peer("ipv6:%5B::1%5D:54321"), "::1");
  EXPECT_EQ(peer("ipv6:%5b2001:db8::7%5d:443"), "2001:db8::7");
  EXPECT_EQ(peer("ipv6:%5B::ffff:10.1.2.3%5D:443"), "10.1.2.3");
  EXPECT_EQ(peer("ipv6:%5Bfe80::1%25eth0%5D:443"), "fe80::1");
  EXPECT_EQ(peer("unix:/run/odrd.sock"), "(none)");
  EXPECT_EQ(peer("ipv4:127.0.0.1"), "(none)");  // no port: not what gRPC writes
  EXPECT_EQ(peer("ipv6:::1:443"), "(none)");
  EXPECT_EQ(peer("ipv6:%5B::1%5"), "(none)");
  EXPECT_EQ(peer(""), "(none)");
}

TEST(ParseCidrTest, RangesAndSingleAddresses) {
  auto n = ParseCidr("10.0.0.0/8");
  ASSERT_THAT(n, IsOk()) << n.status();
  EXPECT_EQ(n->prefix, 8);
  EXPECT_TRUE(n->Contains(*ParseIpAddress("10.255.1.2")));
  EXPECT_FALSE(n->Contains(*ParseIpAddress("11.0.0.1")));
  EXPECT_FALSE(n->Contains(*ParseIpAddress("::ffff:11.0.0.1")));
  EXPECT_TRUE(n->Contains(*ParseIpAddress("::ffff:10.0.0.1")));  // mapped: IPv4
  EXPECT_FALSE(n->Contains(*ParseIpAddress("a00::1")));          // IPv6 never matches IPv4

  n = ParseCidr("127.0.0.1");
  ASSERT_THAT(n, IsOk()) << n.status();
  EXPECT_EQ(n->prefix, 32);
  EXPECT_TRUE(n->Contains(*ParseIpAddress("127.0.0.1")));
  EXPECT_FALSE(n->Contains(*ParseIpAddress("127.0.0.2")));

  n = ParseCidr("172.16.0.0/12");
  ASSERT_THAT(n, IsOk()) << n.status();
  EXPECT_TRUE(n->Contains(*ParseIpAddress("172.31.255.255")));
  EXPECT_FALSE(n->Contains(*ParseIpAddress("172.32.0.0")));

  n = ParseCidr("2001:db8::/32");
  ASSERT_THAT(n, IsOk()) << n.status();
  EXPECT_TRUE(n->Contains(*ParseIpAddress("2001:db8:ffff::1")));
  EXPECT_FALSE(n->Contains(*ParseIpAddress("2001:db9::1")));

  n = ParseCidr("0.0.0.0/0");
  ASSERT_THAT(n, IsOk()) << n.status();
  EXPECT_TRUE(n->Contains(*ParseIpAddress("198.51.100.1")));
  EXPECT_FALSE(n->Contains(*ParseIpAddress("::1")));

  n = ParseCidr("::ffff:10.0.0.0/104");  // mapped: 10.0.0.0/8
  ASSERT_THAT(n, IsOk()) << n.status();
  EXPECT_EQ(n->prefix, 8);
  EXPECT_TRUE(n->Contains(*ParseIpAddress("10.1.1.1")));
}

TEST(ParseCidrTest, RefusesWhatIsNotARange) {
  for (const char* bad :
       {"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8",
        "10.0.0.0/08x", "::/129", "nginx.internal", "10.0.0.0 /8", "::ffff:10.0.0.0/95"}) {
    auto n = ParseCidr(bad);
    EXPECT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  // Bits past the prefix: a likely typo, refused with the range that was probably meant.
  auto n = ParseCidr("10.1.2.3/8");
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(n.status().message(), HasSubstr("10.0.0.0/8"));
  EXPECT_THAT(n.status().message(), HasSubstr("10.1.2.3/8"));
  EXPECT_FALSE(ParseCidr("2001:db8::1/32").ok());
}

TEST(AddressKeyTest, IPv4ByAddressIPv6BySlash64) {
  EXPECT_EQ(AddressKey(*ParseIpAddress("203.0.113.7")), "203.0.113.7");
  EXPECT_EQ(AddressKey(*ParseIpAddress("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
  EXPECT_EQ(AddressKey(*ParseIpAddress("2001:db8:1:2::ffff")), "2001:db8:1:2::/64");
  EXPECT_NE(AddressKey(*ParseIpAddress("2001:db8:1:3::1")), "2001:db8:1:2::/64");
}

TEST(TrustedProxiesTest, ParseNamesTheBadEntry) {
  auto t = TrustedProxies::Parse({"127.0.0.1/32", " 10.0.0.0/8 ", "fd00::/8"});
  ASSERT_THAT(t, IsOk()) << t.status();
  EXPECT_EQ(t->size(), 3u);
  EXPECT_TRUE(t->Trusts(*ParseIpAddress("10.2.3.4")));
  EXPECT_TRUE(t->Trusts(*ParseIpAddress("fd12::1")));
  EXPECT_FALSE(t->Trusts(*ParseIpAddress("192.0.2.1")));
  t = TrustedProxies::Parse({"127.0.0.1/32", "proxy.example"});
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("proxy.example"));
  t = TrustedProxies::Parse({});
  ASSERT_THAT(t, IsOk());
  EXPECT_TRUE(t->empty());
}

TEST(TrustedProxiesTest, WithoutTrustedProxiesEveryCallIsItsPeer) {
  const TrustedProxies none{};
  EXPECT_EQ(none.ClientKey("ipv4:127.0.0.1:5000", {"203.0.113.7"}), "127.0.0.1");
  EXPECT_EQ(none.ClientKey("ipv4:198.51.100.9:5000", {}), "198.51.100.9");
  EXPECT_EQ(none.ClientKey("ipv6:%5B2001:db8:1:2::9%5D:5000", {"203.0.113.7"}),
            "2001:db8:1:2::/64");
  EXPECT_EQ(none.ClientKey("unix:/run/odrd.sock", {"203.0.113.7"}), "unix:/run/odrd.sock");
}

TEST(TrustedProxiesTest, ATrustedProxyNamesTheClient) {
  auto parsed = TrustedProxies::Parse({"10.0.0.0/8", "::1/128"});
  ASSERT_THAT(parsed, IsOk()) << parsed.status();
  const TrustedProxies& t = *parsed;
  // From a trusted proxy: the address it forwards.
  EXPECT_EQ(t.ClientKey("ipv4:10.1.1.1:5000", {"203.0.113.7"}), "203.0.113.7");
  EXPECT_EQ(t.ClientKey("ipv4:10.1.1.1:5001", {"198.51.100.20"}), "198.51.100.20");
  EXPECT_EQ(t.ClientKey("ipv6:%5B::1%5D:5000", {"203.0.113.7"}), "203.0.113.7");
  EXPECT_EQ(t.ClientKey("ipv4:10.1.1.1:5000", {"::ffff:203.0.113.7"}), "203.0.113.7");
  EXPECT_EQ(t.ClientKey("ipv4:10.1.1.1:5000", {"2001:db8:1:2::7"}), "2001:db8:1:2::/64");
  // Nothing usable forwarded: the proxy itself.
  EXPECT_EQ(t.ClientKey("ipv4:10.1.1.1:5000", {}), "10.1.1.1");
  EXPECT_EQ(t.ClientKey("ipv4:10.1.1.1:5000", {"unknown"}), "10.1.1.1");
  EXPECT_EQ(t.ClientKey("ipv4:10.1.1.1:5000", {"203.0.113.7, 10.1.1.1"}), "10.1.1.1");
  EXPECT_EQ(t.ClientKey("ipv4:10.1.1.1:5000", {"203.0.113.7", "198.51.100.20"}), "10.1.1.1");
  // From anyone else the header is ignored: a client cannot pick its own bucket.
  EXPECT_EQ(t.ClientKey("ipv4:192.0.2.50:5000", {"203.0.113.7"}), "192.0.2.50");
  EXPECT_EQ(t.ClientKey("ipv4:11.0.0.1:5000", {"10.1.1.1"}), "11.0.0.1");
}

}  // namespace
}  // namespace odr::auth

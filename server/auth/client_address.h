// The client address that odrd's per-address limits count (failed authentications, CreateToken):
// the TCP peer of the call, or, when that peer is a reverse proxy the operator trusts
// (`odrd --trusted-proxy CIDR`), the address the proxy forwards in the `x-real-ip` header
// (nginx: `grpc_set_header X-Real-IP $remote_addr;`, docs/operations.md). A header from any other
// peer is ignored: a client cannot choose its own bucket. Pure functions, no I/O; thread-safe.
#ifndef ODR_SERVER_AUTH_CLIENT_ADDRESS_H_
#define ODR_SERVER_AUTH_CLIENT_ADDRESS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace odr::auth {

// The metadata key a trusted proxy names the client in (HTTP/2 header names are lower case).
inline constexpr char kRealIpHeader[] = "x-real-ip";

// An IPv4 or IPv6 address. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is held as IPv4.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4: the first 4

  int bits() const { return v6 ? 128 : 32; }
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// A literal address: "203.0.113.7", "2001:db8::1", "::ffff:203.0.113.7" (IPv4). nullopt for
// anything else (host names, ports, brackets, zone ids, whitespace).
std::optional<IpAddress> ParseIpAddress(absl::string_view text);

// The canonical text of `a` ("203.0.113.7", "2001:db8::1").
std::string FormatIpAddress(const IpAddress& a);

// The address of a gRPC peer string: "ipv4:127.0.0.1:5555", "ipv6:[::1]:5555", or the same with
// the brackets percent-encoded ("ipv6:%5B::1%5D:5555"). nullopt for any other peer (a unix socket).
std::optional<IpAddress> ParsePeerAddress(absl::string_view peer);

// An address range.
struct IpNetwork {
  IpAddress address;  // with every bit past `prefix` zero
  int prefix = 0;

  bool Contains(const IpAddress& a) const;
};

// "10.0.0.0/8", "2001:db8::/32", or one address ("127.0.0.1" is 127.0.0.1/32). INVALID_ARGUMENT
// naming `text` for anything else, including bits set past the prefix ("10.0.0.1/8").
absl::StatusOr<IpNetwork> ParseCidr(absl::string_view text);

// The key per-address limits count `a` under: IPv4 by address ("203.0.113.7"), IPv6 by its /64
// ("2001:db8:1:2::/64"), since one IPv6 subscriber usually holds a whole /64.
std::string AddressKey(const IpAddress& a);

// The reverse proxies whose forwarded client address odrd believes.
class TrustedProxies {
 public:
  // None: every call is counted under its TCP peer.
  TrustedProxies() = default;

  // Each of `cidrs` as ParseCidr reads it; INVALID_ARGUMENT naming the first bad one.
  static absl::StatusOr<TrustedProxies> Parse(const std::vector<std::string>& cidrs);

  bool empty() const { return networks_.empty(); }
  size_t size() const { return networks_.size(); }
  bool Trusts(const IpAddress& a) const;

  // The limit key of a call from gRPC peer `peer` whose x-real-ip header had the values
  // `real_ip` (none, one or several). When the peer is a trusted proxy and forwards exactly one
  // well-formed address: that address's key. Otherwise the peer's own key (a trusted proxy that
  // forwards nothing usable counts as one client, as without this setting). A peer that is not
  // an IP address (a unix socket) is counted under its peer string.
  std::string ClientKey(absl::string_view peer, const std::vector<std::string>& real_ip) const;

 private:
  std::vector<IpNetwork> networks_;
};

}  // namespace odr::auth

#endif  // ODR_SERVER_AUTH_CLIENT_ADDRESS_H_

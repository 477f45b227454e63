#include "server/auth/client_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace odr::auth {
namespace {

// ::ffff:a.b.c.d
bool IsV4Mapped(const std::array<uint8_t, 16>& b) {
  for (int i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

IpAddress V4(const uint8_t* four) {
  IpAddress a;
  std::memcpy(a.bytes.data(), four, 4);
  return a;
}

// %XX escapes decoded; nullopt for a malformed one.
std::optional<std::string> PercentDecode(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || !absl::ascii_isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !absl::ascii_isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      return std::nullopt;
    }
    const auto hex = [](char c) {
      return c <= '9' ? c - '0' : absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    };
    out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
    i += 2;
  }
  return out;
}

// Keeps the first `prefix` bits of `a`, zeroing the rest.
IpAddress Masked(IpAddress a, int prefix) {
  for (int i = 0; i < 16; ++i) {
    const int keep = prefix - 8 * i;
    if (keep >= 8) continue;
    a.bytes[i] = keep <= 0 ? 0 : static_cast<uint8_t>(a.bytes[i] & (0xff << (8 - keep)));
  }
  return a;
}

}  // namespace

std::optional<IpAddress> ParseIpAddress(absl::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  uint8_t buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return V4(buf);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    IpAddress a;
    a.v6 = true;
    std::memcpy(a.bytes.data(), buf, 16);
    if (IsV4Mapped(a.bytes)) return V4(buf + 12);
    return a;
  }
  return std::nullopt;
}

std::string FormatIpAddress(const IpAddress& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof(buf)) == nullptr) {
    return "";
  }
  return buf;
}

std::optional<IpAddress> ParsePeerAddress(absl::string_view peer) {
  if (absl::ConsumePrefix(&peer, "ipv4:")) {
    const size_t colon = peer.rfind(':');
    if (colon == absl::string_view::npos) return std::nullopt;
    std::optional<IpAddress> a = ParseIpAddress(peer.substr(0, colon));
    if (a && a->v6) return std::nullopt;
    return a;
  }
  if (absl::ConsumePrefix(&peer, "ipv6:")) {
    std::optional<std::string> decoded = PercentDecode(peer);
    if (!decoded) return std::nullopt;
    absl::string_view host = *decoded;
    if (!absl::ConsumePrefix(&host, "[")) return std::nullopt;
    const size_t close = host.find(']');
    if (close == absl::string_view::npos) return std::nullopt;
    host = host.substr(0, close);
    host = host.substr(0, host.find('%'));  // a zone id (fe80::1%eth0)
    return ParseIpAddress(host);
  }
  return std::nullopt;
}

bool IpNetwork::Contains(const IpAddress& a) const {
  return a.v6 == address.v6 && Masked(a, prefix) == address;
}

absl::StatusOr<IpNetwork> ParseCidr(absl::string_view text) {
  const auto bad = [text](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not an address range (CIDR such as 10.0.0.0/8, ",
                     "2001:db8::/32 or 127.0.0.1): ", why));
  };
  absl::string_view address_text = text, prefix_text;
  const size_t slash = text.find('/');
  if (slash != absl::string_view::npos) {
    address_text = text.substr(0, slash);
    prefix_text = text.substr(slash + 1);
  }
  // A mapped IPv4 address is held as IPv4; its prefix then counts the IPv6 bits.
  const std::string address_string(address_text);
  std::array<uint8_t, 16> v6{};
  const bool mapped = inet_pton(AF_INET6, address_string.c_str(), v6.data()) == 1 && IsV4Mapped(v6);
  std::optional<IpAddress> address = ParseIpAddress(address_text);
  if (!address) return bad("not an IP address");
  IpNetwork n;
  n.prefix = address->bits();
  if (slash != absl::string_view::npos) {
    int prefix = -1;
    if (prefix_text.empty() || prefix_text.size() > 3 ||
        !std::all_of(prefix_text.begin(), prefix_text.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) ||
        !absl::SimpleAtoi(prefix_text, &prefix)) {
      return bad("the prefix length is not a number");
    }
    if (mapped) prefix -= 96;
    if (prefix < 0 || prefix > address->bits()) return bad("the prefix length is out of range");
    n.prefix = prefix;
  }
  if (Masked(*address, n.prefix) != *address) {
    return bad(absl::StrCat("bits are set past the prefix (did you mean ",
                            FormatIpAddress(Masked(*address, n.prefix)), "/", n.prefix, "?)"));
  }
  n.address = *address;
  return n;
}

std::string AddressKey(const IpAddress& a) {
  if (!a.v6) return FormatIpAddress(a);
  return absl::StrCat(FormatIpAddress(Masked(a, 64)), "/64");
}

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& cidrs) {
  TrustedProxies t;
  for (const std::string& c : cidrs) {
    absl::StatusOr<IpNetwork> n = ParseCidr(absl::StripAsciiWhitespace(c));
    if (!n.ok()) return n.status();
    t.networks_.push_back(*n);
  }
  return t;
}

bool TrustedProxies::Trusts(const IpAddress& a) const {
  for (const IpNetwork& n : networks_) {
    if (n.Contains(a)) return true;
  }
  return false;
}

std::string TrustedProxies::ClientKey(absl::string_view peer,
                                      const std::vector<std::string>& real_ip) const {
  const std::optional<IpAddress> direct = ParsePeerAddress(peer);
  if (!direct) return std::string(peer);
  if (real_ip.size() == 1 && Trusts(*direct)) {
    if (std::optional<IpAddress> forwarded = ParseIpAddress(real_ip.front())) {
      return AddressKey(*forwarded);
    }
  }
  return AddressKey(*direct);
}

}  // namespace odr::auth

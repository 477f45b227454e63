#include "server/domain/clock.h"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <stdexcept>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"

namespace odr {

std::string RandomIdGenerator::NewId() {
  std::array<unsigned char, 12> bytes;
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // The CSPRNG failing is not recoverable; ids must never repeat.
    std::fprintf(stderr, "RAND_bytes failed\n");
    std::abort();
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string SequentialIdGenerator::NewId() {
  std::lock_guard<std::mutex> lock(mu_);
  return absl::StrFormat("id%06d", next_++);
}

}  // namespace odr

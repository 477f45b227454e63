// Time and randomness come through these interfaces so that tests are deterministic.
#ifndef ODR_SERVER_DOMAIN_CLOCK_H_
#define ODR_SERVER_DOMAIN_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace odr {

// Source of the current time. Implementations are safe for concurrent use.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
};

class SystemClock final : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
};

// Simulated time for tests: starts at `start`, moves only when told.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(absl::ToUnixMicros(start)) {}
  absl::Time Now() override { return absl::FromUnixMicros(now_.load()); }
  void Advance(absl::Duration d) { now_ += absl::ToInt64Microseconds(d); }
  void Set(absl::Time t) { now_ = absl::ToUnixMicros(t); }

 private:
  std::atomic<int64_t> now_;
};

// Source of resource ids. Implementations are safe for concurrent use.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // A new id of lower-case letters and digits, unique with overwhelming probability.
  virtual std::string NewId() = 0;
};

// 96 random bits from the OS CSPRNG (OpenSSL RAND_bytes), hex-encoded: 24 characters.
class RandomIdGenerator final : public IdGenerator {
 public:
  std::string NewId() override;
};

// Deterministic ids for tests: "id000001", "id000002" ...
class SequentialIdGenerator final : public IdGenerator {
 public:
  std::string NewId() override;

 private:
  std::mutex mu_;
  int64_t next_ = 1;
};

}  // namespace odr

#endif  // ODR_SERVER_DOMAIN_CLOCK_H_

// Per-principal token buckets: each key may make `rate` calls a second on average, in bursts of up
// to `burst`. One noisy caller drains only its own bucket. Thread-safe.
#ifndef ODR_SERVER_RATE_LIMITER_H_
#define ODR_SERVER_RATE_LIMITER_H_

#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/clock.h"

namespace odr::server {

class RateLimiter {
 public:
  // rate <= 0 disables limiting. `clock` must outlive the limiter.
  RateLimiter(double rate, double burst, Clock* clock)
      : rate_(rate), burst_(burst), clock_(clock) {}

  // Takes one token from `key`'s bucket; false if it is empty.
  bool Allow(absl::string_view key);

 private:
  struct Bucket {
    double tokens;
    absl::Time last;
  };
  const double rate_;
  const double burst_;
  Clock* clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_RATE_LIMITER_H_

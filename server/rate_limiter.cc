#include "server/rate_limiter.h"

#include <algorithm>

namespace odr::server {

bool RateLimiter::Allow(absl::string_view key) {
  if (rate_ <= 0) return true;
  const absl::Time now = clock_->Now();
  std::lock_guard<std::mutex> lock(mu_);
  // Forget full buckets now and then so that the map does not grow without bound.
  if (buckets_.size() > 100000) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      if (now - it->second.last > absl::Seconds(burst_ / rate_)) {
        it = buckets_.erase(it);
      } else {
        ++it;
      }
    }
  }
  auto [it, inserted] = buckets_.try_emplace(std::string(key), Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    b.tokens = std::min(burst_, b.tokens + absl::ToDoubleSeconds(now - b.last) * rate_);
    b.last = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace odr::server

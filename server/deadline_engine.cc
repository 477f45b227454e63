#include "server/deadline_engine.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>

#include "server/log.h"

namespace odr::server {
namespace {

constexpr int kBatch = 100;
constexpr absl::Duration kRetryAfterError = absl::Seconds(5);

}  // namespace

DeadlineEngine::DeadlineEngine(storage::CaseStore* store, Clock* clock, absl::Duration max_sleep)
    : store_(store), clock_(clock), max_sleep_(max_sleep), timer_(io_) {}

DeadlineEngine::~DeadlineEngine() { Stop(); }

void DeadlineEngine::Start() {
  if (thread_) return;
  io_.restart();  // after a Stop()
  thread_.emplace([this] {
    auto guard = boost::asio::make_work_guard(io_);
    boost::asio::post(io_, [this] { Pass(); });
    io_.run();
  });
}

void DeadlineEngine::Stop() {
  if (!thread_) return;
  io_.stop();
  thread_->join();
  thread_.reset();
}

void DeadlineEngine::Wake() {
  boost::asio::post(io_, [this] { Pass(); });
}

absl::StatusOr<int> DeadlineEngine::FireDue() {
  int total = 0;
  while (true) {
    absl::StatusOr<int> n = store_->FireDueDeadlines(kBatch);
    if (!n.ok()) return n.status();
    total += *n;
    fired_ += *n;
    if (*n < kBatch) return total;
  }
}

void DeadlineEngine::Pass() {
  absl::StatusOr<int> n = FireDue();
  absl::Duration wait = max_sleep_;
  if (!n.ok()) {
    log::Error("deadline_engine_failed", {{"error", std::string(n.status().message())}});
    wait = std::min(wait, kRetryAfterError);
  } else {
    if (*n > 0) log::Info("deadlines_fired", {{"count", *n}});
    absl::StatusOr<std::optional<absl::Time>> next = store_->NextDeadline();
    if (next.ok() && next->has_value()) {
      wait = std::clamp(**next - clock_->Now(), absl::ZeroDuration(), max_sleep_);
      // Nothing fired although something looks due (a row changed under us): do not spin.
      if (*n == 0 && wait == absl::ZeroDuration()) wait = absl::Milliseconds(100);
    }
  }
  ++passes_;
  Arm(wait);
}

void DeadlineEngine::Arm(absl::Duration wait) {
  timer_.expires_after(std::chrono::microseconds(absl::ToInt64Microseconds(wait)));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Pass();  // cancelled by a newer Arm: that one will look
  });
}

}  // namespace odr::server

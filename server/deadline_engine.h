// The deadline engine: fires statutory deadlines and appointment reminders when they fall due.
// What is due is decided by the injected Clock and the deadlines table (storage fires each row in
// one transaction with its action, so a deadline fires once, also across restarts: a deadline due
// while odrd was down fires at the next start). A Boost.Asio timer on the engine's own thread
// only decides when to look again: at the next due time, at least every `max_sleep` (so a clock
// that jumps is noticed), and at once on Wake().
//
// Thread-safe: Wake() may be called from any thread. SQLite work runs on the engine's thread,
// never on a gRPC thread.
#ifndef ODR_SERVER_DEADLINE_ENGINE_H_
#define ODR_SERVER_DEADLINE_ENGINE_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/clock.h"
#include "storage/case_store.h"

namespace odr::server {

class DeadlineEngine {
 public:
  // `store` and `clock` must outlive the engine.
  DeadlineEngine(storage::CaseStore* store, Clock* clock,
                 absl::Duration max_sleep = absl::Minutes(1));
  ~DeadlineEngine();
  DeadlineEngine(const DeadlineEngine&) = delete;
  DeadlineEngine& operator=(const DeadlineEngine&) = delete;

  // Starts the engine's thread, which fires what is already due at once.
  void Start();
  // Stops the thread (what is being fired finishes first). Idempotent.
  void Stop();
  // Look again now: deadlines changed or (in tests) the simulated clock moved.
  void Wake();

  // Fires everything due at the clock's now, in batches; returns how many fired. The engine's
  // thread calls it; tests without Start() may call it directly.
  absl::StatusOr<int> FireDue();

  // Deadlines and reminders fired since construction.
  int64_t fired() const { return fired_.load(); }
  // Completed looks (each Wake() or timer leads to one), for tests that wait for the engine.
  int64_t passes() const { return passes_.load(); }

 private:
  void Pass();
  void Arm(absl::Duration wait);

  storage::CaseStore* store_;
  Clock* clock_;
  absl::Duration max_sleep_;
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_;
  std::optional<std::thread> thread_;
  std::atomic<int64_t> fired_{0};
  std::atomic<int64_t> passes_{0};
};

}  // namespace odr::server

#endif  // ODR_SERVER_DEADLINE_ENGINE_H_

// Wakes the WatchCaseEvents streams when case events are committed. Listeners are called on the
// committing thread and must only schedule work. Thread-safe; Unsubscribe returns only when the
// listener is no longer running, so a listener may then be destroyed.
#ifndef ODR_SERVER_EVENT_HUB_H_
#define ODR_SERVER_EVENT_HUB_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace odr::server {

class EventHub {
 public:
  using Listener = std::function<void()>;

  int64_t Subscribe(Listener l) {
    std::lock_guard<std::mutex> lock(mu_);
    listeners_[next_] = std::move(l);
    return next_++;
  }
  void Unsubscribe(int64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    listeners_.erase(id);
  }
  // Calls every listener (which must not Subscribe or Unsubscribe).
  void Notify() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, l] : listeners_) l();
  }
  // The server is shutting down: from now on closed() is true; listeners are called once more so
  // that their streams end.
  void Close() {
    closed_ = true;
    Notify();
  }
  bool closed() const { return closed_.load(); }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return listeners_.size();
  }

 private:
  std::mutex mu_;
  std::map<int64_t, Listener> listeners_;
  int64_t next_ = 1;
  std::atomic<bool> closed_{false};
};

}  // namespace odr::server

#endif  // ODR_SERVER_EVENT_HUB_H_

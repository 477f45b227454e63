// CaseService.WatchCaseEvents: a server stream of case events, resumable from a cursor.
//
// Events get a service-wide id in commit order (storage/migrations.cc, version 7), and the stream
// keeps the id of the last event it read as its cursor: a read after a commit signal returns
// every event committed since, so nothing is lost; events are sent in id order and the cursor
// only moves forward, so nothing is repeated. Each event is checked against the caller's view of
// its case as the case is when the event is read.
#include <deque>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "server/case_mapper.h"
#include "server/case_service.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"

namespace odr::server {
namespace {

constexpr char kWatchMethod[] = "/odr.v1.CaseService/WatchCaseEvents";
constexpr int kBatch = 100;

}  // namespace

class CaseServiceImpl::WatchReactor final
    : public grpc::ServerWriteReactor<v1::WatchCaseEventsResponse> {
 public:
  WatchReactor(CaseServiceImpl* svc, grpc::CallbackServerContext* ctx,
               const v1::WatchCaseEventsRequest* req)
      : svc_(svc), ctx_(ctx), req_(req), start_(std::chrono::steady_clock::now()) {
    call_.method = kWatchMethod;
    std::lock_guard<std::recursive_mutex> lock(mu_);
    PostLocked([this] { Open(); });
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(absl::CancelledError("the client stopped reading"));
      return;
    }
    PumpLocked();
  }

  void OnCancel() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    // Before Open() has run, the context and request are still in use by it: Open finishes.
    if (!opened_) {
      cancelled_before_open_ = true;
      return;
    }
    FinishLocked(absl::CancelledError("the client cancelled the watch"));
  }

  void OnDone() override {
    int64_t subscription;
    {
      std::lock_guard<std::recursive_mutex> lock(mu_);
      subscription = subscription_;
    }
    // Outside mu_: the hub holds its lock while calling our listener, which takes mu_.
    if (subscription != 0) svc_->hub_->Unsubscribe(subscription);
    std::unique_lock<std::recursive_mutex> lock(mu_);
    done_ = true;
    if (pending_ == 0) {
      lock.unlock();
      delete this;
    }
  }

 private:
  // Runs `fn` on the pool; OnDone waits for it before deleting the reactor. mu_ held.
  template <typename Fn>
  void PostLocked(Fn fn) {
    ++pending_;
    boost::asio::post(*svc_->runner_->pool(), [this, fn = std::move(fn)]() mutable {
      fn();
      bool last;
      {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        --pending_;
        last = done_ && pending_ == 0;
      }
      if (last) delete this;
    });
  }

  absl::Status Check() {
    ODR_RETURN_IF_ERROR(svc_->runner_->Prepare(ctx_, *req_, &call_));
    const domain::Principal& who = call_.caller.principal;
    ODR_ASSIGN_OR_RETURN(cursor_, ParseEventCursor(req_->cursor(), "cursor"));
    if (req_->parent() == "cases/-") {
      // Every case the caller is related to: roles that see no cases are refused here.
      ODR_RETURN_IF_ERROR(domain::ListScope(who).status());
    } else {
      ODR_ASSIGN_OR_RETURN(case_id_, ParseCaseName(req_->parent(), "parent"));
      ODR_ASSIGN_OR_RETURN(domain::Case k, svc_->store_->GetCase(case_id_));
      ODR_RETURN_IF_ERROR(domain::AuthorizeCase(who, k, domain::CaseOperation::kRead));
    }
    // The stream is one read of what it shows, recorded when it opens.
    return svc_->access_->Append(
        {AccessRecordFor(call_, req_->parent(), /*change=*/false, svc_->clock_->Now())});
  }

  void Open() {
    absl::Status s = Check();
    std::lock_guard<std::recursive_mutex> lock(mu_);
    opened_ = true;
    if (!s.ok()) {
      FinishLocked(s);
      return;
    }
    if (cancelled_before_open_) {
      FinishLocked(absl::CancelledError("the client cancelled the watch"));
      return;
    }
    // Subscribing under mu_ is safe: the hub calls only listeners already subscribed.
    if (svc_->hub_ != nullptr) {
      subscription_ = svc_->hub_->Subscribe([this] {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        SignalLocked();
      });
    }
    SignalLocked();
  }

  // Something was committed (or the stream just opened): read again when idle.
  void SignalLocked() {
    if (finished_) return;
    if (svc_->hub_ != nullptr && svc_->hub_->closed()) {
      FinishLocked(
          absl::UnavailableError("the server is shutting down; reconnect with the cursor"));
      return;
    }
    dirty_ = true;
    PumpLocked();
  }

  // Writes the next queued event, or starts a read when the queue is empty and more may exist.
  void PumpLocked() {
    if (finished_ || writing_) return;
    if (!queue_.empty()) {
      resp_ = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
      StartWrite(&resp_);
      return;
    }
    if (dirty_ && !reading_) {
      dirty_ = false;
      reading_ = true;
      PostLocked([this] { Read(); });
    }
  }

  void Read() {
    int64_t after;
    {
      std::lock_guard<std::recursive_mutex> lock(mu_);
      after = cursor_;
    }
    int64_t scanned_to = after;
    absl::StatusOr<std::vector<domain::CaseEvent>> events =
        svc_->store_->EventsAfter(case_id_, after, kBatch, &scanned_to);
    std::deque<v1::WatchCaseEventsResponse> visible;
    if (events.ok()) {
      std::map<std::string, std::optional<domain::Case>> cases;
      const domain::Principal& who = call_.caller.principal;
      for (const domain::CaseEvent& e : *events) {
        auto it = cases.find(e.case_id);
        if (it == cases.end()) {
          absl::StatusOr<domain::Case> k = svc_->store_->GetCase(e.case_id);
          std::optional<domain::Case> seen;
          if (k.ok() && domain::AuthorizeCase(who, *k, domain::CaseOperation::kRead).ok()) {
            seen = std::move(*k);
          }
          it = cases.emplace(e.case_id, std::move(seen)).first;
        }
        if (!it->second || !domain::MaySeeEvent(who, *it->second, e)) continue;
        v1::WatchCaseEventsResponse r;
        EventToProto(e, r.mutable_event());
        r.set_case_(absl::StrCat("cases/", e.case_id));
        visible.push_back(std::move(r));
      }
    }
    std::lock_guard<std::recursive_mutex> lock(mu_);
    reading_ = false;
    if (!events.ok()) {
      FinishLocked(events.status());
      return;
    }
    cursor_ = std::max(cursor_, scanned_to);
    if (static_cast<int>(events->size()) == kBatch) dirty_ = true;  // more to read
    for (auto& r : visible) queue_.push_back(std::move(r));
    PumpLocked();
  }

  void FinishLocked(const absl::Status& s) {
    if (finished_) return;
    finished_ = true;
    queue_.clear();
    Finish(svc_->runner_->Complete(call_, s, start_));
  }

  CaseServiceImpl* svc_;
  grpc::CallbackServerContext* ctx_;
  const v1::WatchCaseEventsRequest* req_;
  std::chrono::steady_clock::time_point start_;
  CallContext call_;
  std::string case_id_;  // empty: every case the caller may see
  int64_t subscription_ = 0;

  std::recursive_mutex mu_;
  int64_t cursor_ = 0;  // the last event read (sent or skipped)
  std::deque<v1::WatchCaseEventsResponse> queue_;
  v1::WatchCaseEventsResponse resp_;
  bool writing_ = false;
  bool reading_ = false;
  bool dirty_ = false;
  bool finished_ = false;
  bool done_ = false;
  bool opened_ = false;                 // Open() ran: ctx_ and req_ are no longer used
  bool cancelled_before_open_ = false;  // OnCancel came first: Open() finishes the call
  int pending_ = 0;
};

grpc::ServerWriteReactor<v1::WatchCaseEventsResponse>* CaseServiceImpl::WatchCaseEvents(
    grpc::CallbackServerContext* ctx, const v1::WatchCaseEventsRequest* req) {
  return new WatchReactor(this, ctx, req);
}

}  // namespace odr::server

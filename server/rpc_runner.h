// Every RPC goes through RpcRunner::Run: on the worker pool it checks the request parsed, looks up
// the method's rule (a method without one is refused: fail closed), authenticates the caller,
// applies the rate limits (per principal; per client address for CreateToken and, separately,
// for failed authentication), then runs the handler's work and finishes the call with one
// access-log line. Handlers then authorize objects through domain/authorization.h.
#ifndef ODR_SERVER_RPC_RUNNER_H_
#define ODR_SERVER_RPC_RUNNER_H_

#include <grpcpp/grpcpp.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/auth/client_address.h"
#include "server/authenticator.h"
#include "server/domain/authorization.h"
#include "server/domain/errors.h"
#include "server/log.h"
#include "server/rate_limiter.h"
#include "server/request_check.h"
#include "server/rpc_status.h"
#include "storage/access_log.h"

namespace odr::server {

struct MethodRule {
  const char* method;   // "/odr.v1.CaseService/GetCase"
  bool authenticated;   // false only for AuthService/CreateToken
  const char* summary;  // who may call it, for docs and the authorization matrix test
};

// Every RPC odrd serves. Safe for concurrent use.
const std::vector<MethodRule>& MethodRules();
// nullptr if `method` has no rule.
const MethodRule* FindMethodRule(absl::string_view method);

struct CallContext {
  domain::Caller caller;  // empty principal for unauthenticated methods
  std::string method;     // the full RPC name
  std::string peer;
};

// The access-log record of `call` touching `resource` ("cases/abc") at `now`: a read, or a change.
storage::AccessRecord AccessRecordFor(const CallContext& call, std::string resource, bool change,
                                      absl::Time now);

// A change of a case (or of what hangs under it) by the caller: recorded in the access log,
// authorized for `op` on the case as stored, inside the store's transaction. `call` must outlive
// the context.
domain::MutationContext CaseChangeBy(const CallContext& call, domain::CaseOperation op);

// The rate limits every call passes, each its own set of buckets (docs/security.md, "Limits").
// The per-address ones count the client address of `proxies` (auth/client_address.h).
struct RpcLimits {
  RateLimiter* per_principal = nullptr;  // authenticated calls, per principal (a partner app's own)
  RateLimiter* logins = nullptr;         // CreateToken (the unauthenticated method), per address
  RateLimiter* auth_failures = nullptr;  // failed authentication of other calls, per address
  const auth::TrustedProxies* proxies = nullptr;  // whose x-real-ip names the client
};

class RpcRunner {
 public:
  // Pointers (also those in `limits`, all set) must outlive the runner and all calls in flight.
  RpcRunner(boost::asio::thread_pool* pool, const Authenticator* authenticator, RpcLimits limits)
      : pool_(pool), authenticator_(authenticator), limits_(limits) {}

  // `work` is absl::Status(const CallContext&); it runs on the pool. The request and response
  // stay valid until the call finishes.
  // `method` is the full RPC name, "/odr.v1.CaseService/GetCase" (grpc++ 1.51 does not expose
  // it on the callback context).
  template <typename Work>
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* ctx, const char* method,
                                const google::protobuf::Message* request, Work work) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    auto start = std::chrono::steady_clock::now();
    boost::asio::post(
        *pool_, [this, ctx, method, reactor, request, start, work = std::move(work)]() mutable {
          CallContext call;
          call.method = method;
          absl::Status s = Prepare(ctx, *request, &call);
          if (s.ok()) s = work(static_cast<const CallContext&>(call));
          reactor->Finish(Complete(call, s, start));
        });
    return reactor;
  }

  // For streaming calls, which drive their own reactors (on the pool): the checks Run does
  // before the work, given the call's first request; `call->method` must be set.
  absl::Status Prepare(grpc::CallbackServerContext* ctx, const google::protobuf::Message& request,
                       CallContext* call);
  // Logs the call's one line and returns the status to finish it with.
  grpc::Status Complete(const CallContext& call, const absl::Status& s,
                        std::chrono::steady_clock::time_point start);

  boost::asio::thread_pool* pool() const { return pool_; }

 private:
  // The key the per-address limits count the call of `ctx` under.
  std::string ClientKey(const grpc::CallbackServerContext* ctx) const;

  boost::asio::thread_pool* pool_;
  const Authenticator* authenticator_;
  RpcLimits limits_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_RPC_RUNNER_H_

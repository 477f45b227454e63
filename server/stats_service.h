// StatsService on the gRPC callback API: the figures of a period and a scope (docs/statistics.md),
// from storage::StatsStore on the worker pool. What a figure counts is server/domain/stats.h; who
// may see which scope is domain::AuthorizeStats.
#ifndef ODR_SERVER_STATS_SERVICE_H_
#define ODR_SERVER_STATS_SERVICE_H_

#include "odr/v1/simulation.grpc.pb.h"
#include "odr/v1/stats.grpc.pb.h"
#include "server/deadline_engine.h"
#include "server/rpc_runner.h"
#include "storage/roster_store.h"
#include "storage/stats_store.h"

namespace odr::server {

// The longest period a report covers, in days (ten years).
inline constexpr int64_t kMaxStatsPeriodDays = 3660;

class StatsServiceImpl final : public v1::StatsService::CallbackService {
 public:
  // Pointers must outlive the service and any call in flight.
  StatsServiceImpl(RpcRunner* runner, storage::StatsStore* stats, storage::RosterStore* roster)
      : runner_(runner), stats_(stats), roster_(roster) {}

  grpc::ServerUnaryReactor* GetStatistics(grpc::CallbackServerContext* ctx,
                                          const v1::GetStatisticsRequest* req,
                                          v1::Statistics* resp) override;

 private:
  RpcRunner* runner_;
  storage::StatsStore* stats_;
  storage::RosterStore* roster_;
};

// SimulationService: moves a simulated clock (odrd --simulated-time) and fires what falls due.
// Only registered in simulated-time mode.
class SimulationServiceImpl final : public v1::SimulationService::CallbackService {
 public:
  // Pointers must outlive the service and any call in flight.
  SimulationServiceImpl(RpcRunner* runner, FakeClock* clock, DeadlineEngine* engine)
      : runner_(runner), clock_(clock), engine_(engine) {}

  grpc::ServerUnaryReactor* AdvanceClock(grpc::CallbackServerContext* ctx,
                                         const v1::AdvanceClockRequest* req,
                                         v1::AdvanceClockResponse* resp) override;

 private:
  RpcRunner* runner_;
  FakeClock* clock_;
  DeadlineEngine* engine_;
  std::mutex mu_;  // one advance at a time
};

}  // namespace odr::server

#endif  // ODR_SERVER_STATS_SERVICE_H_

#include "server/stats_service.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/case_mapper.h"
#include "server/domain/authorization.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"

namespace odr::server {
namespace {

using domain::StatMetric;
using google::protobuf::util::TimeUtil;

void FiguresToProto(const domain::StatsFigures& f, v1::Figures* out) {
  out->set_presented(f.count(StatMetric::kPresented));
  out->set_diverted(f.count(StatMetric::kDiverted));
  out->set_guidance_rate(f.guidance_rate);
  out->set_applications(f.count(StatMetric::kApplications));
  out->set_accepted(f.count(StatMetric::kAccepted));
  out->set_mediated_successfully(f.count(StatMetric::kSettled));
  out->set_failed(f.count(StatMetric::kFailed));
  out->set_withdrawn(f.count(StatMetric::kWithdrawn));
  out->set_expired(f.count(StatMetric::kExpired));
  out->set_success_rate(f.success_rate);
  out->set_confirmations_applied(f.count(StatMetric::kConfirmationsApplied));
  out->set_confirmations_confirmed(f.count(StatMetric::kConfirmationsConfirmed));
  out->set_confirmations_rejected(f.count(StatMetric::kConfirmationsRejected));
  out->set_median_days_to_resolution(f.median_days);
  out->set_p90_days_to_resolution(f.p90_days);
  out->set_deadline_breaches(f.count(StatMetric::kDeadlineBreaches));
  out->set_referred_for_filing(f.count(StatMetric::kReferredForFiling));
  out->set_trial_resumed(f.count(StatMetric::kTrialResumed));
  out->set_concluded_by_court(f.count(StatMetric::kConcludedByCourt));
}

}  // namespace

grpc::ServerUnaryReactor* StatsServiceImpl::GetStatistics(grpc::CallbackServerContext* ctx,
                                                          const v1::GetStatisticsRequest* req,
                                                          v1::Statistics* resp) {
  return runner_->Run(
      ctx, "/odr.v1.StatsService/GetStatistics", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        Violations v;
        const std::optional<int64_t> start = domain::StatDayOf(req->start_date());
        const std::optional<int64_t> end = domain::StatDayOf(req->end_date());
        if (!start) v.Add("start_date", "is required: a date, YYYY-MM-DD");
        if (!end) v.Add("end_date", "is required: a date, YYYY-MM-DD");
        if (start && end && *end < *start) v.Add("end_date", "must not be before start_date");
        if (start && end && *end - *start >= kMaxStatsPeriodDays) {
          v.Add("end_date",
                absl::StrCat("must be within ", kMaxStatsPeriodDays, " days of start_date"));
        }
        absl::StatusOr<domain::StatsScope> scope = domain::ParseStatsScope(req->scope(), "scope");
        if (!scope.ok()) v.Add("scope", std::string(scope.status().message()));
        std::string type;
        if (req->dispute_type() != v1::DISPUTE_TYPE_UNSPECIFIED) {
          std::optional<domain::DisputeType> t = DisputeTypeFromApi(req->dispute_type());
          if (!t) {
            v.Add("dispute_type", "is not a DisputeType");
          } else {
            type = domain::DisputeTypeName(*t);
          }
        }
        if (!req->region_code().empty()) {
          if (std::string e = domain::CheckRegionCode(req->region_code()); !e.empty()) {
            v.Add("region_code", e);
          }
        }
        ODR_RETURN_IF_ERROR(v.ToStatus());
        scope->dispute_type = type;
        scope->region_code = req->region_code();
        // A mediator sees its own figures: the roster entry says whose account it is.
        std::string mediator_principal;
        const domain::Principal& who = call.caller.principal;
        if (scope->kind == domain::StatsScope::Kind::kMediator &&
            who.role == domain::Role::kMediator) {
          absl::StatusOr<domain::Mediator> m =
              roster_->GetMediator(scope->organization_id, scope->mediator_id);
          if (m.ok()) mediator_principal = m->principal_id;
        }
        ODR_RETURN_IF_ERROR(domain::AuthorizeStats(who, *scope, mediator_principal));
        ODR_ASSIGN_OR_RETURN(domain::StatsTally tally, stats_->Report(*start, *end, *scope));
        resp->set_start_date(req->start_date());
        resp->set_end_date(req->end_date());
        resp->set_scope(scope->Name());
        resp->set_dispute_type(req->dispute_type());
        resp->set_region_code(req->region_code());
        FiguresToProto(tally.Total(), resp->mutable_totals());
        for (size_t i = 0; i < tally.months().size(); ++i) {
          v1::MonthlyFigures* m = resp->add_months();
          m->set_month(tally.months()[i].label);
          FiguresToProto(tally.Month(i), m->mutable_figures());
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* SimulationServiceImpl::AdvanceClock(grpc::CallbackServerContext* ctx,
                                                              const v1::AdvanceClockRequest* req,
                                                              v1::AdvanceClockResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.SimulationService/AdvanceClock", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        if (call.caller.principal.role != domain::Role::kPlatformAdmin ||
            call.caller.principal.disabled) {
          return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                           "only platform admins move the simulated clock");
        }
        if (!req->has_time()) return InvalidFieldError("time", "is required");
        const absl::Time to = absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(req->time()));
        std::lock_guard<std::mutex> lock(mu_);
        if (to < clock_->Now()) {
          return InvalidFieldError("time", "must not be before the simulated time now");
        }
        clock_->Set(to);
        // Fire what fell due before answering, so the caller sees its effects.
        int fired = 0;
        while (true) {
          ODR_ASSIGN_OR_RETURN(int n, engine_->FireDue());
          if (n == 0) break;
          fired += n;
        }
        resp->mutable_time()->CopyFrom(TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(to)));
        resp->set_deadlines_fired(fired);
        return absl::OkStatus();
      });
}

}  // namespace odr::server

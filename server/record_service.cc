// CaseService's procedure records (domain/procedure_record.h): the record that mediation was
// voluntary and lawful, made and listed through the case.
#include "absl/strings/str_cat.h"
#include "server/case_mapper.h"
#include "server/case_service.h"
#include "server/domain/authorization.h"
#include "server/domain/status_macros.h"

namespace odr::server {

grpc::ServerUnaryReactor* CaseServiceImpl::RecordProcedure(grpc::CallbackServerContext* ctx,
                                                           const v1::RecordProcedureRequest* req,
                                                           v1::ProcedureRecord* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CaseService/RecordProcedure", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        Violations v;
        domain::ProcedureRecord r = RecordFromProto(req->record(), id, &v);
        ODR_RETURN_IF_ERROR(v.ToStatus());
        // Reading the case is checked with the change; who may record which kind, inside it.
        ODR_ASSIGN_OR_RETURN(domain::ProcedureRecord saved,
                             records_->Add(r, call.caller.principal,
                                           CaseChangeBy(call, domain::CaseOperation::kRead)));
        RecordToProto(saved, /*full=*/true, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListProcedureRecords(
    grpc::CallbackServerContext* ctx, const v1::ListProcedureRecordsRequest* req,
    v1::ListProcedureRecordsResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CaseService/ListProcedureRecords", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        ODR_ASSIGN_OR_RETURN(auto found, records_->List(id));
        const domain::Principal& who = call.caller.principal;
        const domain::Case& k = found.second;
        ODR_RETURN_IF_ERROR(domain::AuthorizeCase(who, k, domain::CaseOperation::kRead));
        ODR_RETURN_IF_ERROR(access_->Append({AccessRecordFor(
            call, absl::StrCat("cases/", id, "/records"), /*change=*/false, clock_->Now())}));
        for (const domain::ProcedureRecord& r : found.first) {
          const domain::RecordVisibility seen = domain::VisibilityOf(who, k, r);
          if (seen == domain::RecordVisibility::kHidden) continue;
          RecordToProto(r, seen == domain::RecordVisibility::kFull, resp->add_records());
        }
        return absl::OkStatus();
      });
}

}  // namespace odr::server

#include "server/rpc_runner.h"

#include "absl/strings/str_cat.h"

namespace odr::server {

const std::vector<MethodRule>& MethodRules() {
  static const auto* kRules = new std::vector<MethodRule>{
      {"/odr.v1.AppointmentService/GetMediatorAvailability", true,
       "the mediator and the organization's admins"},
      {"/odr.v1.AppointmentService/UpdateMediatorAvailability", true,
       "the mediator and the organization's admins"},
      {"/odr.v1.AppointmentService/FindSlots", true,
       "parties, accepted mediators, org admins (not the court)"},
      {"/odr.v1.AppointmentService/BookAppointment", true,
       "parties (what their side attends), accepted mediators, org admins"},
      {"/odr.v1.AppointmentService/GetAppointment", true,
       "anyone related to the case who may see the appointment"},
      {"/odr.v1.AppointmentService/ListAppointments", true,
       "anyone related to the case (the appointments they may see)"},
      {"/odr.v1.AppointmentService/RescheduleAppointment", true,
       "accepted mediators, org admins, whoever booked it"},
      {"/odr.v1.AppointmentService/CancelAppointment", true,
       "accepted mediators, org admins, whoever booked it"},
      {"/odr.v1.AppointmentService/RecordAttendance", true, "accepted mediators, org admins"},
      {"/odr.v1.AuthService/CreateToken", false, "anyone with a principal's API key"},
      {"/odr.v1.AuthService/GetCaller", true, "any authenticated caller"},
      {"/odr.v1.AuditService/ListAccessRecords", true, "platform admins"},
      {"/odr.v1.CaseService/CreateCase", true,
       "citizens as applicant; org admins for their organization; courts for their diversions"},
      {"/odr.v1.CaseService/GetCase", true, "anyone related to the case"},
      {"/odr.v1.CaseService/ListCases", true, "the cases the caller is related to"},
      {"/odr.v1.CaseService/UpdateCase", true, "applicant side, accepted mediators, org admins"},
      {"/odr.v1.CaseService/SubmitCase", true, "applicant side, org admins, diverting court"},
      {"/odr.v1.CaseService/AcceptCase", true, "org admins"},
      {"/odr.v1.CaseService/WithdrawCase", true, "applicant side, org admins"},
      {"/odr.v1.CaseService/CloseCase", true, "accepted mediators, org admins"},
      {"/odr.v1.CaseService/ListCaseEvents", true, "anyone related to the case"},
      {"/odr.v1.CaseService/AssignCaseMediator", true, "org admins"},
      {"/odr.v1.CaseService/RecommendMediators", true, "org admins"},
      {"/odr.v1.CaseService/AutoAssignMediator", true, "org admins"},
      {"/odr.v1.CaseService/ChooseMediator", true, "parties (either side)"},
      {"/odr.v1.CaseService/AcceptAssignment", true, "the proposed mediator"},
      {"/odr.v1.CaseService/DeclineAssignment", true, "the proposed mediator"},
      {"/odr.v1.CaseService/ReplaceMediator", true,
       "parties, org admins, and a mediator for themself"},
      {"/odr.v1.CaseService/WatchCaseEvents", true,
       "anyone related to the case (the events they may see)"},
      {"/odr.v1.CaseService/RecordProcedure", true,
       "by kind: the party or its agent, accepted mediators, org admins, the diverting court"},
      {"/odr.v1.CaseService/ListProcedureRecords", true,
       "anyone related to the case (the records they may see)"},
      {"/odr.v1.DeadlineService/ListDeadlines", true, "anyone related to the case"},
      {"/odr.v1.DeadlineService/PauseMediationPeriod", true, "accepted mediators, org admins"},
      {"/odr.v1.DeadlineService/ResumeMediationPeriod", true, "accepted mediators, org admins"},
      {"/odr.v1.DeadlineService/ExtendMediationPeriod", true, "accepted mediators, org admins"},
      {"/odr.v1.DeadlineService/RecordRespondentContact", true, "accepted mediators, org admins"},
      {"/odr.v1.AgreementService/CreateAgreement", true, "accepted mediators, org admins"},
      {"/odr.v1.AgreementService/GetAgreement", true,
       "anyone related to the case (a confirming court reads it in the court bundle)"},
      {"/odr.v1.AgreementService/ListAgreements", true, "anyone related to the case"},
      {"/odr.v1.AgreementService/UpdateAgreement", true, "accepted mediators, org admins"},
      {"/odr.v1.AgreementService/SignAgreement", true,
       "parties and agents, accepted mediators, org admins"},
      {"/odr.v1.AgreementService/RefuseAgreement", true,
       "parties and agents with special authority"},
      {"/odr.v1.AgreementService/RenderAgreement", true, "anyone related to the case"},
      {"/odr.v1.AgreementService/RecordPayment", true, "accepted mediators, org admins"},
      {"/odr.v1.AgreementService/RecordOffer", true, "accepted mediators, org admins"},
      {"/odr.v1.AgreementService/ListOffers", true,
       "mediators, org admins, the side that made the offer"},
      {"/odr.v1.ConfirmationService/PrecheckConfirmation", true, "parties and agents"},
      {"/odr.v1.ConfirmationService/CreateConfirmation", true, "parties and agents"},
      {"/odr.v1.ConfirmationService/JoinConfirmation", true, "parties and agents"},
      {"/odr.v1.ConfirmationService/GetConfirmation", true,
       "anyone related to the case; the application's court"},
      {"/odr.v1.ConfirmationService/ListConfirmations", true,
       "anyone related to the case; a court for its own queue"},
      {"/odr.v1.ConfirmationService/WithdrawConfirmation", true, "parties and agents"},
      {"/odr.v1.ConfirmationService/SupplyMaterials", true, "parties and agents"},
      {"/odr.v1.ConfirmationService/GetCourtBundle", true,
       "parties, mediators, org admins; the application's court once filed"},
      {"/odr.v1.ConfirmationService/AcceptConfirmation", true, "the application's court"},
      {"/odr.v1.ConfirmationService/RefuseConfirmation", true, "the application's court"},
      {"/odr.v1.ConfirmationService/RequestMaterials", true, "the application's court"},
      {"/odr.v1.ConfirmationService/RuleConfirmation", true, "the application's court"},
      {"/odr.v1.ConfirmationService/CallParties", true, "the application's court"},
      {"/odr.v1.ConfirmationService/ExtendRulingPeriod", true, "the application's court"},
      {"/odr.v1.ConfirmationService/ExtendPartyTime", true, "the application's court"},
      {"/odr.v1.ConfirmationService/RuleWithdrawal", true, "the application's court"},
      {"/odr.v1.ConfirmationService/RecordRulingService", true, "the application's court"},
      {"/odr.v1.ConfirmationService/DecideObjection", true, "the application's court"},
      {"/odr.v1.ConfirmationService/FileObjection", true,
       "parties and agents; the application's court for an interested person"},
      {"/odr.v1.ConfirmationService/ConsentToMediateAgain", true, "parties and agents"},
      {"/odr.v1.CourtService/DivertCase", true, "courts, for their own court"},
      {"/odr.v1.CourtService/ListDivertedCases", true, "courts, for their own court"},
      {"/odr.v1.CourtService/ListReferrals", true, "courts, for their own court"},
      {"/odr.v1.CourtService/ConcludeCase", true, "the court that entrusted the suit"},
      {"/odr.v1.CourtService/RecordIntake", true, "courts, for their own court"},
      {"/odr.v1.SimulationService/AdvanceClock", true,
       "platform admins, when odrd runs with --simulated-time"},
      {"/odr.v1.StatsService/GetStatistics", true,
       "platform admins; org admins (their organization and mediators); a mediator (itself); "
       "courts (their own)"},
      {"/odr.v1.EvidenceService/UploadEvidence", true,
       "anyone related to the case (a mediator once it accepted), until it ends"},
      {"/odr.v1.EvidenceService/QueryUploadStatus", true, "the uploader (uploads are per caller)"},
      {"/odr.v1.EvidenceService/GetEvidence", true,
       "anyone related to the case; mediator-only evidence: uploader, accepted mediators, org "
       "admins"},
      {"/odr.v1.EvidenceService/ListEvidence", true,
       "anyone related to the case; mediator-only evidence: uploader, accepted mediators, org "
       "admins"},
      {"/odr.v1.EvidenceService/DownloadEvidence", true, "whoever may get the evidence"},
      {"/odr.v1.EvidenceService/WithdrawEvidence", true, "the uploader"},
      {"/odr.v1.EvidenceService/GetEvidenceProof", true, "whoever may get the evidence"},
      {"/odr.v1.EvidenceService/GetConsistencyProof", true, "any authenticated caller"},
      {"/odr.v1.EvidenceService/GetLogCheckpoint", true, "any authenticated caller"},
      {"/odr.v1.RosterService/CreateOrganization", true, "platform admins"},
      {"/odr.v1.RosterService/GetOrganization", true, "any authenticated caller"},
      {"/odr.v1.RosterService/ListOrganizations", true, "any authenticated caller"},
      {"/odr.v1.RosterService/CreateMediator", true, "the organization's admins"},
      {"/odr.v1.RosterService/GetMediator", true, "any authenticated caller (public roster)"},
      {"/odr.v1.RosterService/ListMediators", true, "any authenticated caller (public roster)"},
      {"/odr.v1.RosterService/UpdateMediator", true, "the organization's admins"},
      {"/odr.v1.RosterService/SuspendMediator", true, "the organization's admins"},
      {"/odr.v1.RosterService/ReactivateMediator", true, "the organization's admins"},
      {"/odr.v1.RosterService/CreatePool", true, "the organization's admins"},
      {"/odr.v1.RosterService/GetPool", true, "any authenticated caller"},
      {"/odr.v1.RosterService/ListPools", true, "any authenticated caller"},
  };
  return *kRules;
}

const MethodRule* FindMethodRule(absl::string_view method) {
  for (const MethodRule& r : MethodRules()) {
    if (method == r.method) return &r;
  }
  return nullptr;
}

std::string RpcRunner::ClientKey(const grpc::CallbackServerContext* ctx) const {
  std::vector<std::string> real_ip;
  if (!limits_.proxies->empty()) {
    auto range = ctx->client_metadata().equal_range(auth::kRealIpHeader);
    for (auto it = range.first; it != range.second; ++it) {
      real_ip.emplace_back(it->second.data(), it->second.size());
    }
  }
  return limits_.proxies->ClientKey(ctx->peer(), real_ip);
}

absl::Status RpcRunner::Prepare(grpc::CallbackServerContext* ctx,
                                const google::protobuf::Message& request, CallContext* call) {
  call->peer = ctx->peer();
  const MethodRule* rule = FindMethodRule(call->method);
  if (rule == nullptr) {
    return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                     "this method has no authorization rule");
  }
  if (rule->authenticated) {
    auto caller = authenticator_->Authenticate(ctx);
    if (!caller.ok()) {
      // Failed attempts count against the client address, so guessing floods are throttled. They
      // have buckets of their own: a flood of bad tokens never uses up the address's logins.
      if (!limits_.auth_failures->Allow(ClientKey(ctx))) {
        return MakeError(absl::StatusCode::kResourceExhausted, "RATE_LIMITED",
                         "too many failed authentications from this address; retry later");
      }
      return caller.status();
    }
    call->caller = std::move(*caller);
    const std::string& key =
        call->caller.partner ? call->caller.partner->id : call->caller.principal.id;
    if (!limits_.per_principal->Allow(key)) {
      return MakeError(absl::StatusCode::kResourceExhausted, "RATE_LIMITED",
                       "too many calls from this caller; slow down and retry in a second");
    }
  } else if (!limits_.logins->Allow(ClientKey(ctx))) {
    // CreateToken: every attempt counts (it is checked before the deliberately slow key hash),
    // whether or not it then succeeds.
    return MakeError(absl::StatusCode::kResourceExhausted, "RATE_LIMITED",
                     "too many token requests from this address; retry later");
  }
  // After authentication: an unauthenticated caller learns nothing from the request's shape.
  return CheckParsed(request);
}

grpc::Status RpcRunner::Complete(const CallContext& call, const absl::Status& s,
                                 std::chrono::steady_clock::time_point start) {
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json fields = {
      {"method", call.method}, {"code", absl::StatusCodeToString(s.code())}, {"duration_ms", ms}};
  if (!call.caller.principal.id.empty()) fields["principal"] = call.caller.principal.id;
  if (call.caller.partner) fields["acting_through"] = call.caller.partner->id;
  if (!s.ok()) {
    std::string reason = ErrorReason(s);
    if (!reason.empty()) fields["reason"] = reason;
  }
  if (s.code() == absl::StatusCode::kInternal || s.code() == absl::StatusCode::kDataLoss ||
      s.code() == absl::StatusCode::kUnknown) {
    fields["error"] = std::string(s.message());  // storage messages never carry bound values
    log::Error("rpc", std::move(fields));
  } else {
    log::Info("rpc", std::move(fields));
  }
  return ToGrpcStatus(s);
}

domain::MutationContext CaseChangeBy(const CallContext& call, domain::CaseOperation op) {
  domain::MutationContext m;
  m.actor = call.caller.principal.id;
  if (call.caller.partner) m.acting_through = call.caller.partner->id;
  m.rpc = call.method;
  const domain::Principal* who = &call.caller.principal;
  m.authorize = [who, op](const domain::Case& k) { return domain::AuthorizeCase(*who, k, op); };
  return m;
}

storage::AccessRecord AccessRecordFor(const CallContext& call, std::string resource, bool change,
                                      absl::Time now) {
  storage::AccessRecord r;
  r.time = now;
  r.principal_id = call.caller.principal.id;
  if (call.caller.partner) r.acting_through = call.caller.partner->id;
  r.method = call.method;
  r.resource = std::move(resource);
  r.change = change;
  return r;
}

}  // namespace odr::server

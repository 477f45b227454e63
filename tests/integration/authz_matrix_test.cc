// The authorization matrix: every RPC of every odr.v1 service, enumerated from the descriptor
// pool, called through the real odrd by each kind of caller, against one case that a court
// diverted, an organization accepted and assigned to a mediator. An RPC without an expectation
// here fails the test, so no RPC can be added without deciding who may call it.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <functional>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "odr/v1/agreement.pb.h"
#include "odr/v1/appointment.grpc.pb.h"
#include "odr/v1/audit.grpc.pb.h"
#include "odr/v1/auth.grpc.pb.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/confirmation.pb.h"
#include "odr/v1/court.pb.h"
#include "odr/v1/deadline.grpc.pb.h"
#include "odr/v1/error.pb.h"
#include "odr/v1/evidence.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "odr/v1/simulation.grpc.pb.h"
#include "odr/v1/stats.grpc.pb.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_auth.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;

namespace odr {
namespace {

struct Caller {
  std::string label;
  std::string principal;     // whose token
  std::string on_behalf_of;  // for partner apps
};

// The callers of the matrix, as the issue lists them, plus the case's own organization admin,
// the platform admin and an anonymous caller.
const std::vector<Caller>& Callers() {
  static const auto* kCallers = new std::vector<Caller>{
      {"citizen A", "citizen-a", ""},
      {"citizen B", "citizen-b", ""},
      {"assigned mediator", "mediator-1", ""},
      {"another mediator", "mediator-2", ""},
      {"admin of the case's organization", "admin-1", ""},
      {"admin of another organization", "admin-2", ""},
      {"court X", "court-x", ""},
      {"court Y", "court-y", ""},
      {"partner P for citizen A", "partner-p", "principals/citizen-a"},
      {"partner Q for citizen B", "partner-q", "principals/citizen-b"},
      {"partner P for itself", "partner-p", ""},
      {"platform admin", "platform", ""},
      {"anonymous", "", ""},
  };
  return *kCallers;
}

// Who may: the callers allowed per RPC. Everyone else must be denied.
const std::map<std::string, std::set<std::string>>& Expectations() {
  const std::set<std::string> authenticated = {"citizen A",
                                               "citizen B",
                                               "assigned mediator",
                                               "another mediator",
                                               "admin of the case's organization",
                                               "admin of another organization",
                                               "court X",
                                               "court Y",
                                               "partner P for citizen A",
                                               "partner Q for citizen B",
                                               "partner P for itself",
                                               "platform admin"};
  const std::set<std::string> related = {"citizen A", "assigned mediator",
                                         "admin of the case's organization", "court X",
                                         "partner P for citizen A"};
  // Parties (what their side attends), the case's mediators and its organization's admins book;
  // the court follows the case but does not book.
  const std::set<std::string> booking = {"citizen A", "assigned mediator",
                                         "admin of the case's organization",
                                         "partner P for citizen A"};
  const std::set<std::string> staff = {"assigned mediator", "admin of the case's organization"};
  // Case X's mediator is only proposed: it sees the case but runs nothing (OMR Arts. 12-13).
  const std::set<std::string> related_not_proposed = {
      "citizen A", "admin of the case's organization", "court X", "partner P for citizen A"};
  static const auto* kExpect = new std::map<std::string, std::set<std::string>>{
      // The mediator m1's availability: the mediator and the organization's admins.
      {"/odr.v1.AppointmentService/GetMediatorAvailability", staff},
      {"/odr.v1.AppointmentService/UpdateMediatorAvailability", staff},
      {"/odr.v1.AppointmentService/FindSlots", booking},
      {"/odr.v1.AppointmentService/BookAppointment", booking},
      // The appointment of case Y (below), booked by the organization's admin, seen by everyone
      // related to the case.
      {"/odr.v1.AppointmentService/GetAppointment", related},
      {"/odr.v1.AppointmentService/ListAppointments", related},
      {"/odr.v1.AppointmentService/RescheduleAppointment", staff},
      {"/odr.v1.AppointmentService/CancelAppointment", staff},
      {"/odr.v1.AppointmentService/RecordAttendance", staff},
      {"/odr.v1.CaseService/WatchCaseEvents", related},
      {"/odr.v1.DeadlineService/ListDeadlines", related},
      {"/odr.v1.DeadlineService/PauseMediationPeriod", staff},
      {"/odr.v1.DeadlineService/ResumeMediationPeriod", staff},
      {"/odr.v1.DeadlineService/ExtendMediationPeriod", staff},
      {"/odr.v1.DeadlineService/RecordRespondentContact", staff},
      // Agreements and offers on case X (not being mediated; its mediator only proposed): the
      // organization's admin passes authorization (and meets the case's state); the proposed
      // mediator may not yet act. Methods on an agreement or a confirmation that case X does not
      // have are NOT_FOUND for everyone: a missing and a hidden one read the same.
      {"/odr.v1.AgreementService/CreateAgreement", {"admin of the case's organization"}},
      {"/odr.v1.AgreementService/GetAgreement", {}},
      // Courts receive the agreement only in the court bundle, never drafts.
      {"/odr.v1.AgreementService/ListAgreements",
       {"citizen A", "assigned mediator", "admin of the case's organization",
        "partner P for citizen A"}},
      {"/odr.v1.AgreementService/UpdateAgreement", {}},
      {"/odr.v1.AgreementService/SignAgreement", {}},
      {"/odr.v1.AgreementService/RefuseAgreement", {}},
      {"/odr.v1.AgreementService/RenderAgreement", {}},
      {"/odr.v1.AgreementService/RecordPayment", {}},
      {"/odr.v1.AgreementService/RecordOffer", {"admin of the case's organization"}},
      // Privileged offers: never a court.
      {"/odr.v1.AgreementService/ListOffers",
       {"citizen A", "assigned mediator", "admin of the case's organization",
        "partner P for citizen A"}},
      // Judicial confirmation: the parties apply; the court sees its own applications only.
      {"/odr.v1.ConfirmationService/PrecheckConfirmation",
       {"citizen A", "partner P for citizen A"}},
      {"/odr.v1.ConfirmationService/CreateConfirmation", {"citizen A", "partner P for citizen A"}},
      {"/odr.v1.ConfirmationService/JoinConfirmation", {}},
      {"/odr.v1.ConfirmationService/GetConfirmation", {}},
      {"/odr.v1.ConfirmationService/ListConfirmations", related},
      {"/odr.v1.ConfirmationService/WithdrawConfirmation", {}},
      {"/odr.v1.ConfirmationService/SupplyMaterials", {}},
      {"/odr.v1.ConfirmationService/GetCourtBundle", {}},
      {"/odr.v1.ConfirmationService/AcceptConfirmation", {}},
      {"/odr.v1.ConfirmationService/RefuseConfirmation", {}},
      {"/odr.v1.ConfirmationService/RequestMaterials", {}},
      {"/odr.v1.ConfirmationService/RuleConfirmation", {}},
      {"/odr.v1.ConfirmationService/CallParties", {}},
      {"/odr.v1.ConfirmationService/ExtendRulingPeriod", {}},
      {"/odr.v1.ConfirmationService/ExtendPartyTime", {}},
      {"/odr.v1.ConfirmationService/RuleWithdrawal", {}},
      {"/odr.v1.ConfirmationService/RecordRulingService", {}},
      {"/odr.v1.ConfirmationService/FileObjection", {}},
      {"/odr.v1.ConfirmationService/DecideObjection", {}},
      {"/odr.v1.ConfirmationService/ConsentToMediateAgain", {}},
      // The court's intake: court X for courts/court-x.
      {"/odr.v1.CourtService/DivertCase", {"court X"}},
      {"/odr.v1.CourtService/ListDivertedCases", {"court X"}},
      {"/odr.v1.CourtService/ListReferrals", {"court X"}},
      {"/odr.v1.CourtService/RecordIntake", {"court X"}},
      // Only the court that has the suit concludes it (OMR Art. 20): court X passes
      // authorization and is then refused because case X is a pre-filing case (NOT_POST_FILING).
      {"/odr.v1.CourtService/ConcludeCase", {"court X"}},
      // Statistics of mediator m1 (account mediator-1) of org-1.
      {"/odr.v1.StatsService/GetStatistics",
       {"assigned mediator", "admin of the case's organization", "platform admin"}},
      {"/odr.v1.SimulationService/AdvanceClock", {"platform admin"}},
      {"/odr.v1.AuthService/CreateToken",
       {"citizen A", "citizen B", "assigned mediator", "another mediator",
        "admin of the case's organization", "admin of another organization", "court X", "court Y",
        "partner P for citizen A", "partner Q for citizen B", "partner P for itself",
        "platform admin", "anonymous"}},
      {"/odr.v1.AuthService/GetCaller",
       {"citizen A", "citizen B", "assigned mediator", "another mediator",
        "admin of the case's organization", "admin of another organization", "court X", "court Y",
        "partner P for citizen A", "partner Q for citizen B", "partner P for itself",
        "platform admin"}},
      {"/odr.v1.AuditService/ListAccessRecords", {"platform admin"}},
      {"/odr.v1.CaseService/CreateCase",
       {"citizen A", "admin of the case's organization", "partner P for citizen A"}},
      {"/odr.v1.CaseService/GetCase", related},
      {"/odr.v1.CaseService/ListCases", related},  // allowed = case X is in the list
      {"/odr.v1.CaseService/ListCaseEvents", related},
      // A consent of applicants/0 (OMR Art. 4): the party itself (or through its app) or the
      // staff — not the mediator only proposed, not the court (only a diversion consent).
      {"/odr.v1.CaseService/RecordProcedure",
       {"citizen A", "partner P for citizen A", "admin of the case's organization"}},
      {"/odr.v1.CaseService/ListProcedureRecords", related},
      {"/odr.v1.CaseService/UpdateCase",
       {"citizen A", "admin of the case's organization", "partner P for citizen A"}},
      {"/odr.v1.CaseService/SubmitCase",
       {"citizen A", "admin of the case's organization", "court X", "partner P for citizen A"}},
      {"/odr.v1.CaseService/AcceptCase", {"admin of the case's organization"}},
      {"/odr.v1.CaseService/WithdrawCase",
       {"citizen A", "admin of the case's organization", "partner P for citizen A"}},
      {"/odr.v1.CaseService/CloseCase", {"admin of the case's organization"}},
      {"/odr.v1.CaseService/AssignCaseMediator", {"admin of the case's organization"}},
      {"/odr.v1.CaseService/RecommendMediators", {"admin of the case's organization"}},
      {"/odr.v1.CaseService/AutoAssignMediator", {"admin of the case's organization"}},
      {"/odr.v1.CaseService/ChooseMediator", {"citizen A", "partner P for citizen A"}},
      {"/odr.v1.CaseService/AcceptAssignment", {"assigned mediator"}},
      {"/odr.v1.CaseService/DeclineAssignment", {"assigned mediator"}},
      {"/odr.v1.CaseService/ReplaceMediator",
       {"citizen A", "admin of the case's organization", "partner P for citizen A"}},
      // Evidence of case X, uploaded by citizen A for all parties. Those who may see the case may
      // add evidence to it (the case's state decides only whether that then succeeds), but for its
      // mediator that is only proposed.
      {"/odr.v1.EvidenceService/UploadEvidence", related_not_proposed},
      // Any authenticated caller may ask, but upload ids are per caller: only citizen A (and a
      // partner acting for citizen A) has the upload asked about; the others get NOT_FOUND.
      {"/odr.v1.EvidenceService/QueryUploadStatus", {"citizen A", "partner P for citizen A"}},
      {"/odr.v1.EvidenceService/GetEvidence", related},
      {"/odr.v1.EvidenceService/ListEvidence", related},  // allowed = the evidence is listed
      {"/odr.v1.EvidenceService/DownloadEvidence", related},
      // The uploader only: others who see it get PERMISSION_DENIED, the rest NOT_FOUND.
      {"/odr.v1.EvidenceService/WithdrawEvidence", {"citizen A", "partner P for citizen A"}},
      {"/odr.v1.EvidenceService/GetEvidenceProof", related},
      {"/odr.v1.EvidenceService/GetConsistencyProof", authenticated},
      {"/odr.v1.EvidenceService/GetLogCheckpoint", authenticated},
      {"/odr.v1.RosterService/CreateOrganization", {"platform admin"}},
      {"/odr.v1.RosterService/GetOrganization", authenticated},
      {"/odr.v1.RosterService/ListOrganizations", authenticated},
      {"/odr.v1.RosterService/CreateMediator", {"admin of the case's organization"}},
      {"/odr.v1.RosterService/GetMediator", authenticated},
      {"/odr.v1.RosterService/ListMediators", authenticated},
      {"/odr.v1.RosterService/UpdateMediator", {"admin of the case's organization"}},
      {"/odr.v1.RosterService/SuspendMediator", {"admin of the case's organization"}},
      {"/odr.v1.RosterService/ReactivateMediator", {"admin of the case's organization"}},
      {"/odr.v1.RosterService/CreatePool", {"admin of the case's organization"}},
      {"/odr.v1.RosterService/GetPool", authenticated},
      {"/odr.v1.RosterService/ListPools", authenticated},
  };
  return *kExpect;
}

v1::Party Person(const char* name, const char* id) {
  v1::Party p;
  p.set_kind(v1::PARTY_KIND_NATURAL_PERSON);
  p.set_name(name);
  p.set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  p.set_id_number(id);
  p.set_phone("13800138000");
  p.set_service_address("someone@example.com");
  return p;
}

v1::Case CaseBody() {
  v1::Case c;
  c.set_dispute_type(v1::DISPUTE_TYPE_MEDICAL);
  *c.add_applicants() = Person("张三", testing::kIdZhang);
  v1::Party* hospital = c.add_respondents();
  *hospital = Person("诸暨市人民医院", testing::kUsccHospital);
  hospital->set_kind(v1::PARTY_KIND_LEGAL_PERSON);
  hospital->set_id_document_type(v1::ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE);
  hospital->set_phone("0575-87000000");
  *hospital->add_agents() = [] {
    v1::Agent a;
    a.set_name("李律师");
    a.set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
    a.set_id_number(testing::kIdLi);
    a.set_phone("13900000000");
    a.set_service_address("lawyer@example.com");
    return a;
  }();
  c.set_summary("术后感染");
  c.set_claims("赔偿两万元");
  c.set_amount_fen(2000000);
  c.set_region_code("330681");
  c.set_organization("organizations/org-1");
  return c;
}

v1::Mediator MediatorBody(const std::string& account, const std::string& id_number) {
  v1::Mediator m;
  m.set_display_name("调解员");
  m.add_specialties(v1::DISPUTE_TYPE_MEDICAL);
  m.add_languages("zh");
  m.set_region_code("330681");
  m.set_employment(v1::Mediator::EMPLOYMENT_FULL_TIME);
  m.set_max_concurrent_cases(10);
  m.set_principal("principals/" + account);
  m.mutable_private_details()->set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  m.mutable_private_details()->set_id_number(id_number);
  m.mutable_private_details()->set_phone("13600000000");
  return m;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(d), n));
}

// A whole upload of `bytes` (under 64 KiB) to `case_name` in one message.
v1::UploadEvidenceRequest WholeUpload(const std::string& case_name, const std::string& upload_id,
                                      const std::string& bytes,
                                      v1::Evidence::Visibility visibility) {
  v1::UploadEvidenceRequest r;
  v1::UploadEvidenceStart* start = r.mutable_start();
  start->set_parent(case_name);
  start->set_upload_id(upload_id);
  start->mutable_evidence()->set_file_name(upload_id + ".txt");
  start->mutable_evidence()->set_media_type("text/plain");
  start->mutable_evidence()->set_visibility(visibility);
  start->set_size_bytes(static_cast<int64_t>(bytes.size()));
  start->set_sha256(Sha256Hex(bytes));
  r.set_write_offset(0);
  r.set_data(bytes);
  r.set_finish_write(true);
  return r;
}

// Whether the method `/package.Service/Method` streams requests or responses.
bool IsStreaming(const std::string& method) {
  const google::protobuf::MethodDescriptor* md =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          absl::StrReplaceAll(method.substr(1), {{"/", "."}}));
  return md != nullptr && (md->client_streaming() || md->server_streaming());
}

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// A call of a streaming method (client, server or both) with one request message: sends it,
// half-closes, and reads every response until the server ends the call.
class OneRequestStream final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  OneRequestStream(grpc::GenericStub* stub, grpc::ClientContext* ctx, const std::string& method,
                   const grpc::ByteBuffer& request)
      : request_(request) {
    stub->PrepareBidiStreamingCall(ctx, method, grpc::StubOptions(), this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    responses_.append(Flatten(response_));
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& s) override { done_.set_value(s); }

  // The call's status and its responses, serialized one after the other.
  std::pair<grpc::Status, std::string> Await() {
    grpc::Status s = done_.get_future().get();
    return {s, responses_};
  }

 private:
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::string responses_;
  std::promise<grpc::Status> done_;
};

class AuthzMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const std::string data = dir_->file("data");
    auto add = [&](const std::string& id, const std::string& role,
                   std::vector<std::string> extra = {}) {
      keys_[id] = testing::CreatePrincipal(data, id, role, std::move(extra));
    };
    add("citizen-a", "citizen", {"--id-number", testing::kIdZhang});
    add("citizen-b", "citizen", {"--id-number", testing::kIdWang});
    add("mediator-1", "mediator", {"--organization", "organizations/org-1"});
    add("mediator-2", "mediator", {"--organization", "organizations/org-1"});
    add("admin-1", "org_admin", {"--organization", "organizations/org-1"});
    add("admin-2", "org_admin", {"--organization", "organizations/org-2"});
    add("court-x", "court", {"--court", "courts/court-x"});
    add("court-y", "court", {"--court", "courts/court-y"});
    add("partner-p", "partner_app");
    add("partner-q", "partner_app");
    add("platform", "platform_admin");
    testing::OdrdAdmin(
        data, {"link", "--partner", "principals/partner-p", "--citizen", "principals/citizen-a"});
    testing::OdrdAdmin(
        data, {"link", "--partner", "principals/partner-q", "--citizen", "principals/citizen-b"});
    // Simulated time (starting now), so that SimulationService is served and checked too.
    server_ = new testing::OdrdProcess(
        data, {"--simulated-time",
               absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone())});
    channel_ = new std::shared_ptr<grpc::Channel>(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
    for (const auto& [id, key] : keys_) tokens_[id] = testing::IssueToken(*channel_, id, key);

    // The roster: org-1 with mediators m1 (account mediator-1) and m2 (mediator-2), and an
    // empty pool.
    auto roster = v1::RosterService::NewStub(*channel_);
    v1::CreateOrganizationRequest org;
    org.set_organization_id("org-1");
    org.mutable_organization()->set_display_name("诸暨市医疗纠纷人民调解委员会");
    org.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL);
    org.mutable_organization()->set_region_code("330681");
    v1::Organization created_org;
    Must(roster->CreateOrganization(testing::AuthedContext(tokens_["platform"]).get(), org,
                                    &created_org));
    for (const auto& [mid, account, id_number] :
         {std::tuple{"m1", "mediator-1", "330681197001010016"},
          std::tuple{"m2", "mediator-2", "330681197202020026"}}) {
      v1::CreateMediatorRequest req;
      req.set_parent("organizations/org-1");
      req.set_mediator_id(mid);
      *req.mutable_mediator() = MediatorBody(account, id_number);
      v1::Mediator out;
      Must(roster->CreateMediator(testing::AuthedContext(tokens_["admin-1"]).get(), req, &out));
    }
    v1::CreatePoolRequest pool;
    pool.set_parent("organizations/org-1");
    pool.set_pool_id("empty");
    pool.mutable_pool()->set_display_name("No one");
    v1::Pool out_pool;
    Must(roster->CreatePool(testing::AuthedContext(tokens_["admin-1"]).get(), pool, &out_pool));

    // Case X: diverted by court X, submitted, accepted by org-1, mediator m1 proposed.
    auto stub = v1::CaseService::NewStub(*channel_);
    v1::CreateCaseRequest create;
    *create.mutable_case_() = CaseBody();
    auto* d = create.mutable_case_()->mutable_source()->mutable_court_diversion();
    d->set_court("courts/court-x");
    d->set_court_display_name("诸暨市人民法院");
    d->set_intake_reference("(2026)浙0681诉前调7号");
    d->set_diversion_date("2026-11-02");
    v1::Case k;
    Must(stub->CreateCase(testing::AuthedContext(tokens_["court-x"]).get(), create, &k));
    v1::SubmitCaseRequest submit;
    submit.set_name(k.name());
    Must(stub->SubmitCase(testing::AuthedContext(tokens_["court-x"]).get(), submit, &k));
    v1::AcceptCaseRequest accept;
    accept.set_name(k.name());
    Must(stub->AcceptCase(testing::AuthedContext(tokens_["admin-1"]).get(), accept, &k));
    v1::AssignCaseMediatorRequest assign;
    assign.set_name(k.name());
    assign.set_mediator("organizations/org-1/mediators/m1");
    Must(stub->AssignCaseMediator(testing::AuthedContext(tokens_["admin-1"]).get(), assign, &k));
    case_x_ = new v1::Case(k);

    // Case Y: the same parties and court, with m1 accepted and an appointment the organization's
    // admin booked next week (the default hours: weekdays from 09:00 China time).
    v1::Case y;
    Must(stub->CreateCase(testing::AuthedContext(tokens_["court-x"]).get(), create, &y));
    submit.set_name(y.name());
    Must(stub->SubmitCase(testing::AuthedContext(tokens_["court-x"]).get(), submit, &y));
    accept.set_name(y.name());
    Must(stub->AcceptCase(testing::AuthedContext(tokens_["admin-1"]).get(), accept, &y));
    assign.set_name(y.name());
    Must(stub->AssignCaseMediator(testing::AuthedContext(tokens_["admin-1"]).get(), assign, &y));
    v1::AcceptAssignmentRequest yes;
    yes.set_name(y.name());
    yes.set_no_conflict_declared(true);
    Must(stub->AcceptAssignment(testing::AuthedContext(tokens_["mediator-1"]).get(), yes, &y));
    auto appointments = v1::AppointmentService::NewStub(*channel_);
    v1::BookAppointmentRequest book;
    book.set_parent(y.name());
    book.mutable_appointment()->set_kind(v1::Appointment::KIND_JOINT_VIDEO);
    const absl::Time start = testing::NextWeekdayAt(absl::Now() + absl::Hours(24 * 7), 9, 0);
    book.mutable_appointment()->mutable_start_time()->set_seconds(absl::ToUnixSeconds(start));
    book.mutable_appointment()->mutable_end_time()->set_seconds(
        absl::ToUnixSeconds(start + absl::Hours(1)));
    book.mutable_appointment()->add_participants()->set_participant("applicants/0");
    book.mutable_appointment()->add_participants()->set_participant("respondents/0");
    v1::Appointment appointment;
    Must(appointments->BookAppointment(testing::AuthedContext(tokens_["admin-1"]).get(), book,
                                       &appointment));
    appointment_ = new v1::Appointment(appointment);

    // Evidence of case X, both uploaded by citizen A: one for all parties, one for the mediators
    // only.
    auto evidence = v1::EvidenceService::NewStub(*channel_);
    for (const auto& [upload_id, visibility, out] :
         {std::tuple{"matrix-evidence", v1::Evidence::VISIBILITY_ALL_PARTIES, &evidence_},
          std::tuple{"matrix-private", v1::Evidence::VISIBILITY_MEDIATOR_ONLY,
                     &private_evidence_}}) {
      auto ctx = testing::AuthedContext(tokens_["citizen-a"]);
      v1::UploadEvidenceResponse resp;
      auto writer = evidence->UploadEvidence(ctx.get(), &resp);
      writer->Write(WholeUpload(k.name(), upload_id, std::string("证据 ") + upload_id, visibility));
      writer->WritesDone();
      Must(writer->Finish());
      ASSERT_TRUE(resp.has_evidence()) << upload_id;
      *out = new v1::Evidence(resp.evidence());
    }
  }

  static void TearDownTestSuite() {
    delete server_;
    delete channel_;
    delete case_x_;
    delete evidence_;
    delete private_evidence_;
    delete appointment_;
    delete dir_;
  }

  static void Must(const grpc::Status& s) {
    ASSERT_THAT(s, IsOk()) << s.error_code() << " " << s.error_message();
  }

  // The request each RPC gets: aimed at case X where it takes a case.
  static std::string RequestFor(const std::string& method) {
    const std::string name = case_x_->name();
    if (auto r = AgreementOrCourtRequest(method, name)) return *r;
    if (method == "/odr.v1.AuthService/CreateToken") {
      v1::CreateTokenRequest r;
      r.set_principal("principals/citizen-a");
      r.set_api_key(keys_["citizen-a"]);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AuthService/GetCaller")
      return v1::GetCallerRequest().SerializeAsString();
    if (method == "/odr.v1.AuditService/ListAccessRecords") {
      return v1::ListAccessRecordsRequest().SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/CreateCase") {
      v1::CreateCaseRequest r;
      *r.mutable_case_() = CaseBody();
      r.mutable_case_()->mutable_source()->mutable_citizen_application();
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/GetCase") {
      v1::GetCaseRequest r;
      r.set_name(name);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/ListCases") {
      v1::ListCasesRequest r;
      r.set_page_size(500);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/RecordProcedure") {
      v1::RecordProcedureRequest r;
      r.set_parent(name);
      r.mutable_record()->set_kind(v1::ProcedureRecord::KIND_MEDIATION_CONSENT);
      r.mutable_record()->set_party("applicants/0");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/ListProcedureRecords") {
      v1::ListProcedureRecordsRequest r;
      r.set_parent(name);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/ListCaseEvents") {
      v1::ListCaseEventsRequest r;
      r.set_parent(name);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/UpdateCase") {
      v1::UpdateCaseRequest r;
      r.mutable_case_()->set_name(name);
      r.mutable_case_()->set_summary("更新");
      r.mutable_update_mask()->add_paths("summary");
      return r.SerializeAsString();
    }
    // Requests that would change who is related to case X name a mediator that is not on the
    // roster (or an empty pool): they pass authorization and then fail, and the matrix stays
    // about who may ask.
    const std::string ghost = "organizations/org-1/mediators/ghost";
    if (method == "/odr.v1.CaseService/AssignCaseMediator") {
      v1::AssignCaseMediatorRequest r;
      r.set_name(name);
      r.set_mediator(ghost);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/RecommendMediators") {
      v1::RecommendMediatorsRequest r;
      r.set_name(name);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/AutoAssignMediator") {
      v1::AutoAssignMediatorRequest r;
      r.set_name(name);
      r.set_pool("organizations/org-1/pools/empty");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/ChooseMediator") {
      v1::ChooseMediatorRequest r;
      r.set_name(name);
      r.set_mediator(ghost);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/AcceptAssignment") {
      v1::AcceptAssignmentRequest r;
      r.set_name(name);
      r.set_no_conflict_declared(true);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/DeclineAssignment") {
      v1::DeclineAssignmentRequest r;
      r.set_name(name);
      r.set_reason("matrix");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/ReplaceMediator") {
      v1::ReplaceMediatorRequest r;
      r.set_name(name);
      r.set_mediator(ghost);
      r.set_reason("matrix");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.RosterService/CreateOrganization") {
      v1::CreateOrganizationRequest r;
      r.set_organization_id("org-3");
      r.mutable_organization()->set_display_name("第三调委会");
      r.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_OTHER);
      r.mutable_organization()->set_region_code("330681");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.RosterService/GetOrganization") {
      v1::GetOrganizationRequest r;
      r.set_name("organizations/org-1");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.RosterService/ListOrganizations") {
      return v1::ListOrganizationsRequest().SerializeAsString();
    }
    if (method == "/odr.v1.RosterService/CreateMediator") {
      v1::CreateMediatorRequest r;
      r.set_parent("organizations/org-1");
      r.set_mediator_id("m3");
      *r.mutable_mediator() = MediatorBody("mediator-2", "330681197202020026");  // taken account
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.RosterService/GetMediator" ||
        method == "/odr.v1.RosterService/ReactivateMediator") {
      v1::GetMediatorRequest r;  // the same shape as ReactivateMediatorRequest
      r.set_name("organizations/org-1/mediators/m2");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.RosterService/ListMediators") {
      v1::ListMediatorsRequest r;
      r.set_parent("organizations/-");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.RosterService/UpdateMediator") {
      v1::UpdateMediatorRequest r;
      r.mutable_mediator()->set_name("organizations/org-1/mediators/m2");
      r.mutable_mediator()->set_display_name("王调解员");
      r.mutable_update_mask()->add_paths("display_name");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.RosterService/SuspendMediator") {
      v1::SuspendMediatorRequest r;
      r.set_name("organizations/org-1/mediators/m2");
      r.set_reason("matrix");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.RosterService/CreatePool") {
      v1::CreatePoolRequest r;
      r.set_parent("organizations/org-1");
      r.set_pool_id("p2");
      r.mutable_pool()->set_display_name("医疗");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.RosterService/GetPool") {
      v1::GetPoolRequest r;
      r.set_name("organizations/org-1/pools/empty");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.RosterService/ListPools") {
      v1::ListPoolsRequest r;
      r.set_parent("organizations/org-1");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.EvidenceService/UploadEvidence") {
      return WholeUpload(name, "matrix-upload", "matrix", v1::Evidence::VISIBILITY_ALL_PARTIES)
          .SerializeAsString();
    }
    if (method == "/odr.v1.EvidenceService/QueryUploadStatus") {
      v1::QueryUploadStatusRequest r;
      r.set_upload_id("matrix-evidence");  // citizen A's upload of evidence_
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.EvidenceService/GetEvidence") {
      v1::GetEvidenceRequest r;
      r.set_name(evidence_->name());
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.EvidenceService/ListEvidence") {
      v1::ListEvidenceRequest r;
      r.set_parent(name);
      r.set_page_size(500);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.EvidenceService/DownloadEvidence") {
      v1::DownloadEvidenceRequest r;
      r.set_name(evidence_->name());
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.EvidenceService/WithdrawEvidence") {
      v1::WithdrawEvidenceRequest r;
      r.set_name(evidence_->name());
      r.set_reason("matrix");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.EvidenceService/GetEvidenceProof") {
      v1::GetEvidenceProofRequest r;
      r.set_name(evidence_->name());
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.EvidenceService/GetConsistencyProof") {
      v1::GetConsistencyProofRequest r;
      r.set_from_tree_size(1);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.EvidenceService/GetLogCheckpoint") {
      return v1::GetLogCheckpointRequest().SerializeAsString();
    }
    const std::string availability = "organizations/org-1/mediators/m1/availability";
    if (method == "/odr.v1.AppointmentService/GetMediatorAvailability") {
      v1::GetMediatorAvailabilityRequest r;
      r.set_name(availability);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AppointmentService/UpdateMediatorAvailability") {
      v1::UpdateMediatorAvailabilityRequest r;
      r.mutable_availability()->set_name(availability);
      v1::WeeklyHours* h = r.mutable_availability()->add_weekly_hours();
      h->set_day(v1::DAY_OF_WEEK_MONDAY);
      h->set_start_time("09:00");
      h->set_end_time("17:00");
      return r.SerializeAsString();
    }
    // The mediation itself (slots, bookings, the clock) on case Y, whose mediator accepted: a
    // mediator that only was proposed may not run it (ProposedMediatorMayNotMediateYet).
    const std::string case_y =
        appointment_->name().substr(0, appointment_->name().find("/appointments/"));
    if (method == "/odr.v1.AppointmentService/FindSlots") {
      v1::FindSlotsRequest r;
      r.set_parent(case_y);
      r.mutable_duration()->set_seconds(3600);
      r.mutable_start_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(1)));
      r.mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 8)));
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AppointmentService/BookAppointment") {
      // The slot of the existing appointment: an allowed caller gets SLOT_CONFLICT.
      v1::BookAppointmentRequest r;
      r.set_parent(case_y);
      r.mutable_appointment()->set_kind(v1::Appointment::KIND_PHONE);
      *r.mutable_appointment()->mutable_start_time() = appointment_->start_time();
      *r.mutable_appointment()->mutable_end_time() = appointment_->end_time();
      r.mutable_appointment()->add_participants()->set_participant("applicants/0");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AppointmentService/GetAppointment") {
      v1::GetAppointmentRequest r;
      r.set_name(appointment_->name());
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AppointmentService/ListAppointments") {
      v1::ListAppointmentsRequest r;
      r.set_parent(case_y);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AppointmentService/RescheduleAppointment") {
      // Into the past: allowed callers get INVALID_ARGUMENT and the appointment stays.
      v1::RescheduleAppointmentRequest r;
      r.set_name(appointment_->name());
      r.mutable_start_time()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(48)));
      r.mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(47)));
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AppointmentService/CancelAppointment") {
      v1::CancelAppointmentRequest r;
      r.set_name(appointment_->name());
      r.set_reason("matrix");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AppointmentService/RecordAttendance") {
      v1::RecordAttendanceRequest r;
      r.set_name(appointment_->name());
      r.set_participant("applicants/0");
      r.set_attendance(v1::ATTENDANCE_NO_SHOW);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/WatchCaseEvents") {
      v1::WatchCaseEventsRequest r;
      r.set_parent(name);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.DeadlineService/ListDeadlines") {
      v1::ListDeadlinesRequest r;
      r.set_parent(name);
      return r.SerializeAsString();
    }
    // On case Y: the first allowed caller pauses (resumes, extends), the next finds it done.
    if (method == "/odr.v1.DeadlineService/PauseMediationPeriod") {
      v1::PauseMediationPeriodRequest r;
      r.set_name(case_y);
      r.set_reason("matrix");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.DeadlineService/ResumeMediationPeriod") {
      v1::ResumeMediationPeriodRequest r;
      r.set_name(case_y);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.DeadlineService/ExtendMediationPeriod") {
      v1::ExtendMediationPeriodRequest r;
      r.set_name(case_y);
      r.set_days(5);
      r.set_parties_consented(true);
      for (const char* p : {"applicants/0", "respondents/0"}) {
        v1::ExtensionConsent* c = r.add_consents();
        c->set_party(p);
        c->set_manner("matrix");
      }
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.DeadlineService/RecordRespondentContact") {
      // The first allowed caller records it (MEDIATING); the next gets FAILED_PRECONDITION.
      v1::RecordRespondentContactRequest r;
      r.set_name(case_y);
      r.set_outcome(v1::RecordRespondentContactRequest::OUTCOME_AGREED);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CaseService/CloseCase") {
      v1::CloseCaseRequest r;
      r.set_name(name);
      r.set_reason("matrix");
      return r.SerializeAsString();
    }
    // Submit, Accept, Withdraw: a name is all they need.
    v1::SubmitCaseRequest r;
    r.set_name(name);
    return r.SerializeAsString();
  }

  // Requests of the agreement, confirmation and court services: on case X, or on an agreement
  // or confirmation it does not have, or for courts/court-x.
  static std::optional<std::string> AgreementOrCourtRequest(const std::string& method,
                                                            const std::string& name) {
    const std::string agreement = name + "/agreements/none";
    const std::string confirmation = name + "/confirmations/none";
    v1::Agreement content;
    content.set_facts("事实");
    content.set_issues("争议");
    content.set_responsibilities("责任");
    v1::AgreementTerm* t = content.add_terms();
    t->set_kind(v1::AgreementTerm::KIND_APOLOGY);
    t->set_description("道歉");
    t->set_obligor("respondents/0");
    t->set_method("书面");
    t->set_deadline_date("2035-01-01");
    if (method == "/odr.v1.AgreementService/CreateAgreement") {
      v1::CreateAgreementRequest r;
      r.set_parent(name);
      *r.mutable_agreement() = content;
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AgreementService/UpdateAgreement") {
      v1::UpdateAgreementRequest r;
      *r.mutable_agreement() = content;
      r.mutable_agreement()->set_name(agreement);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AgreementService/SignAgreement") {
      v1::SignAgreementRequest r;
      r.set_name(agreement);
      r.set_content_hash(std::string(64, 'a'));
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AgreementService/RefuseAgreement") {
      v1::RefuseAgreementRequest r;
      r.set_name(agreement);
      r.set_reason("不同意。");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AgreementService/RecordPayment") {
      v1::RecordPaymentRequest r;
      r.set_name(agreement);
      r.set_amount_fen(100);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AgreementService/RecordOffer") {
      v1::RecordOfferRequest r;
      r.set_parent(name);
      r.mutable_offer()->set_offered_by("respondents/0");
      r.mutable_offer()->set_text("让步");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AgreementService/GetAgreement" ||
        method == "/odr.v1.AgreementService/RenderAgreement") {
      v1::GetAgreementRequest r;  // RenderAgreementRequest has the same field 1
      r.set_name(agreement);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.AgreementService/ListAgreements" ||
        method == "/odr.v1.AgreementService/ListOffers") {
      v1::ListAgreementsRequest r;  // ListOffersRequest has the same field 1
      r.set_parent(name);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/PrecheckConfirmation" ||
        method == "/odr.v1.ConfirmationService/CreateConfirmation") {
      v1::CreateConfirmationRequest r;  // PrecheckConfirmationRequest has fields 1 and 2 alike
      r.set_parent(name);
      r.mutable_confirmation()->set_court("courts/court-x");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/ListConfirmations") {
      v1::ListConfirmationsRequest r;
      r.set_parent(name);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/SupplyMaterials") {
      v1::SupplyMaterialsRequest r;
      r.set_name(confirmation);
      v1::ConfirmationMaterial* m = r.add_materials();
      m->set_evidence(evidence_->name());
      m->set_kind(v1::ConfirmationMaterial::KIND_OTHER);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/RefuseConfirmation") {
      v1::RefuseConfirmationRequest r;
      r.set_name(confirmation);
      r.set_ground(v1::REFUSAL_GROUND_OTHER);
      r.set_note("matrix");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/RequestMaterials") {
      v1::RequestMaterialsRequest r;
      r.set_name(confirmation);
      r.set_note("matrix");
      r.set_due_days(10);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/CallParties") {
      v1::CallPartiesRequest r;
      r.set_name(confirmation);
      r.mutable_appearance_time()->set_seconds(4102444800);  // 2100-01-01
      r.set_place("matrix");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/ExtendRulingPeriod") {
      v1::ExtendRulingPeriodRequest r;
      r.set_name(confirmation);
      r.set_days(10);
      r.set_approval("matrix");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/ExtendPartyTime") {
      v1::ExtendPartyTimeRequest r;
      r.set_name(confirmation);
      r.set_period(v1::PartyTimeExtension::PERIOD_MATERIALS);
      r.set_party("applicants/0");
      r.set_until_date("2100-01-01");
      r.set_reason("matrix");
      r.set_obstacle_end_date("2026-01-01");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/RuleWithdrawal") {
      v1::RuleWithdrawalRequest r;
      r.set_name(confirmation);
      r.set_outcome(v1::RuleWithdrawalRequest::OUTCOME_REFUSED);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/RecordRulingService") {
      v1::RecordRulingServiceRequest r;
      r.set_name(confirmation);
      r.mutable_service_time()->set_seconds(1735689600);  // 2025-01-01
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/FileObjection") {
      v1::FileObjectionRequest r;
      r.set_name(confirmation);
      r.set_party("applicants/0");
      r.set_reason("matrix");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/DecideObjection") {
      v1::DecideObjectionRequest r;
      r.set_name(confirmation);
      r.set_objection("1");
      r.set_ruling_number("(2026)浙0681民特1号");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.ConfirmationService/RuleConfirmation") {
      v1::RuleConfirmationRequest r;
      r.set_name(confirmation);
      r.set_outcome(v1::RuleConfirmationRequest::OUTCOME_VALID);
      r.set_ruling_number("(2026)浙0681民特1号");
      return r.SerializeAsString();
    }
    if (method.rfind("/odr.v1.ConfirmationService/", 0) == 0) {
      v1::GetConfirmationRequest r;  // Join, Get, Withdraw, GetCourtBundle, Accept: field 1
      r.set_name(confirmation);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CourtService/DivertCase") {
      v1::DivertCaseRequest r;
      *r.mutable_case_() = CaseBody();
      v1::CourtDiversion* d = r.mutable_case_()->mutable_source()->mutable_court_diversion();
      d->set_court("courts/court-x");
      d->set_intake_reference("(2026)浙0681诉前调99号");
      d->set_diversion_date("2026-11-02");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CourtService/ConcludeCase") {
      v1::ConcludeCaseRequest r;
      r.set_name(name);
      r.set_conclusion(v1::CaseEnding::KIND_MEDIATION_STATEMENT);
      r.set_court_document("(2026)浙0681民初99号");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.CourtService/RecordIntake") {
      v1::RecordIntakeRequest r;
      r.set_parent("courts/court-x");
      v1::Intake* in = r.mutable_intake();
      in->set_intake_reference("(2026)浙0681诉登99号");
      in->set_presented_date("2026-11-02");
      in->set_dispute_type(v1::DISPUTE_TYPE_LABOUR);
      in->set_region_code("330681");
      in->set_disposition(v1::INTAKE_DISPOSITION_FILED);
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.StatsService/GetStatistics") {
      v1::GetStatisticsRequest r;
      r.set_start_date("2026-01-01");
      r.set_end_date("2026-12-31");
      r.set_scope("organizations/org-1/mediators/m1");
      return r.SerializeAsString();
    }
    if (method == "/odr.v1.SimulationService/AdvanceClock") {
      v1::AdvanceClockRequest r;
      r.mutable_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) + 1);
      return r.SerializeAsString();
    }
    if (method.rfind("/odr.v1.CourtService/", 0) == 0) {
      v1::ListReferralsRequest r;  // ListDivertedCases has parent as field 1 too
      r.set_parent("courts/court-x");
      return r.SerializeAsString();
    }
    return std::nullopt;
  }

  struct Result {
    grpc::Status status;
    std::string body;
  };

  // Calls `method` with the serialized `request` as `c`. A streaming method gets `request` as its
  // only request message; its body is every response, serialized one after the other.
  static Result Call(const std::string& method, const std::string& request, const Caller& c) {
    grpc::GenericStub generic(*channel_);
    grpc::Slice slice(request);
    grpc::ByteBuffer req(&slice, 1);
    std::string token = c.principal.empty() ? "" : tokens_[c.principal];
    auto ctx = testing::AuthedContext(token, c.on_behalf_of);
    if (IsStreaming(method)) {
      // A watch never ends by itself: a caller who may watch runs into the deadline.
      if (method == "/odr.v1.CaseService/WatchCaseEvents") {
        ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(700));
      }
      OneRequestStream stream(&generic, ctx.get(), method, req);
      auto [status, body] = stream.Await();
      return Result{status, status.ok() ? body : ""};
    }
    grpc::ByteBuffer resp;
    std::promise<grpc::Status> done;
    generic.UnaryCall(ctx.get(), method, grpc::StubOptions(), &req, &resp,
                      [&](grpc::Status s) { done.set_value(s); });
    Result r{done.get_future().get(), ""};
    if (r.status.ok()) r.body = Flatten(resp);
    return r;
  }

  // Allowed: passed authentication and authorization (the call may still fail for another
  // reason, e.g. FAILED_PRECONDITION for a state change the case's state does not allow).
  static bool Allowed(const std::string& method, const Result& r) {
    const grpc::StatusCode code = r.status.error_code();
    if (code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED ||
        code == grpc::StatusCode::NOT_FOUND) {
      return false;
    }
    if (method == "/odr.v1.CaseService/ListCases") {
      v1::ListCasesResponse list;
      if (!r.status.ok() || !list.ParseFromString(r.body)) return false;
      for (const v1::Case& c : list.cases()) {
        if (c.name() == case_x_->name()) return true;
      }
      return false;
    }
    if (method == "/odr.v1.EvidenceService/ListEvidence") {
      v1::ListEvidenceResponse list;
      if (!r.status.ok() || !list.ParseFromString(r.body)) return false;
      for (const v1::Evidence& e : list.evidence()) {
        if (e.name() == evidence_->name()) return true;
      }
      return false;
    }
    return true;
  }

  static testing::TempDir* dir_;
  static testing::OdrdProcess* server_;
  static std::shared_ptr<grpc::Channel>* channel_;
  static std::map<std::string, std::string> keys_;
  static std::map<std::string, std::string> tokens_;
  static v1::Case* case_x_;
  static v1::Evidence* evidence_;          // of case X, for all parties
  static v1::Evidence* private_evidence_;  // of case X, for the mediators only
  static v1::Appointment* appointment_;    // of case Y (m1 accepted), booked by admin-1
};

testing::TempDir* AuthzMatrixTest::dir_ = nullptr;
testing::OdrdProcess* AuthzMatrixTest::server_ = nullptr;
std::shared_ptr<grpc::Channel>* AuthzMatrixTest::channel_ = nullptr;
std::map<std::string, std::string> AuthzMatrixTest::keys_;
std::map<std::string, std::string> AuthzMatrixTest::tokens_;
v1::Case* AuthzMatrixTest::case_x_ = nullptr;
v1::Evidence* AuthzMatrixTest::evidence_ = nullptr;
v1::Evidence* AuthzMatrixTest::private_evidence_ = nullptr;
v1::Appointment* AuthzMatrixTest::appointment_ = nullptr;

// Every method of every service in the API's files (the list CMake compiles).
std::vector<std::string> AllMethods() {
  // Files without services are linked only if referenced; these are the API's.
  (void)v1::ErrorDetails::descriptor();
  (void)v1::Agreement::descriptor();
  (void)v1::Confirmation::descriptor();
  (void)v1::DivertedCase::descriptor();
  std::vector<std::string> out;
  for (absl::string_view file : absl::StrSplit(ODR_PROTO_FILES, ',')) {
    const google::protobuf::FileDescriptor* fd =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(std::string(file));
    EXPECT_NE(fd, nullptr) << file << " is not linked into this test: reference one of its types";
    if (fd == nullptr) continue;
    for (int s = 0; s < fd->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* svc = fd->service(s);
      for (int m = 0; m < svc->method_count(); ++m) {
        out.push_back("/" + svc->full_name() + "/" + svc->method(m)->name());
      }
    }
  }
  return out;
}

TEST_F(AuthzMatrixTest, EveryRpcEveryCaller) {
  const std::vector<std::string> methods = AllMethods();
  ASSERT_GE(methods.size(), 40u);
  // Read-only methods first, so that state changes by allowed callers come last; allowed or
  // denied never depends on the case's state, only on who asks. Evidence changes come before the
  // case's: they leave case X as it is, and uploads to it succeed only while it is open.
  std::vector<std::string> ordered;
  for (const std::string& m : methods) {
    if (m.find("/Get") != std::string::npos || m.find("/List") != std::string::npos) {
      ordered.push_back(m);
    }
  }
  for (const std::string& m : methods) {
    if (m.rfind("/odr.v1.EvidenceService/", 0) == 0 &&
        std::find(ordered.begin(), ordered.end(), m) == ordered.end()) {
      ordered.push_back(m);
    }
  }
  for (const std::string& m : methods) {
    if (std::find(ordered.begin(), ordered.end(), m) == ordered.end()) ordered.push_back(m);
  }
  for (const std::string& method : ordered) {
    auto expected = Expectations().find(method);
    ASSERT_NE(expected, Expectations().end())
        << method << " has no authorization expectation: add it to Expectations()";
    const std::string request = RequestFor(method);
    for (const Caller& c : Callers()) {
      Result r = Call(method, request, c);
      const bool want = expected->second.count(c.label) > 0;
      EXPECT_EQ(Allowed(method, r), want)
          << method << " by " << c.label << ": got " << r.status.error_code() << " "
          << r.status.error_message();
      if (!want && c.principal.empty()) {
        EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method;
      }
    }
  }
}

// Mediator-only evidence of case X: of those related to the case, only its uploader (citizen A,
// also through partner P) and the organization's admins see it — and the case's mediators once
// they accepted; case X's mediator is only proposed, so not it (issue 17 item 1). To everyone
// else it does not exist. Only the uploader may withdraw it.
TEST_F(AuthzMatrixTest, MediatorOnlyEvidence) {
  const std::set<std::string> may_see = {"citizen A", "partner P for citizen A",
                                         "admin of the case's organization"};
  const std::string name = private_evidence_->name();
  v1::GetEvidenceRequest get;
  get.set_name(name);
  v1::DownloadEvidenceRequest download;
  download.set_name(name);
  v1::GetEvidenceProofRequest proof;
  proof.set_name(name);
  v1::ListEvidenceRequest list;
  list.set_parent(case_x_->name());
  list.set_page_size(500);
  for (const Caller& c : Callers()) {
    const bool want = may_see.count(c.label) > 0;
    const grpc::StatusCode hidden =
        c.principal.empty() ? grpc::StatusCode::UNAUTHENTICATED : grpc::StatusCode::NOT_FOUND;
    for (const auto& [method, request] :
         {std::pair{"/odr.v1.EvidenceService/GetEvidence", get.SerializeAsString()},
          std::pair{"/odr.v1.EvidenceService/DownloadEvidence", download.SerializeAsString()},
          std::pair{"/odr.v1.EvidenceService/GetEvidenceProof", proof.SerializeAsString()}}) {
      Result r = Call(method, request, c);
      EXPECT_EQ(r.status.error_code(), want ? grpc::StatusCode::OK : hidden)
          << method << " by " << c.label << ": " << r.status.error_message();
    }
    Result r = Call("/odr.v1.EvidenceService/GetEvidence", get.SerializeAsString(), c);
    if (want) {
      v1::Evidence e;
      ASSERT_TRUE(e.ParseFromString(r.body));
      EXPECT_EQ(e.visibility(), v1::Evidence::VISIBILITY_MEDIATOR_ONLY);
    }
    // Listing the case: those related to it who may not see the evidence get the list without it.
    r = Call("/odr.v1.EvidenceService/ListEvidence", list.SerializeAsString(), c);
    v1::ListEvidenceResponse listed;
    if (r.status.ok()) ASSERT_TRUE(listed.ParseFromString(r.body)) << c.label;
    bool found = false;
    for (const v1::Evidence& e : listed.evidence()) found = found || e.name() == name;
    EXPECT_EQ(found, want) << c.label;
  }
  // Withdrawal: citizen A first (it succeeds), then everyone else: the partner acting for citizen
  // A finds it already withdrawn, those who see it are refused, the others do not find it.
  v1::WithdrawEvidenceRequest withdraw;
  withdraw.set_name(name);
  withdraw.set_reason("matrix");
  for (const Caller& c : Callers()) {
    grpc::StatusCode want = grpc::StatusCode::NOT_FOUND;
    if (c.label == "citizen A") {
      want = grpc::StatusCode::OK;
    } else if (c.label == "partner P for citizen A") {
      want = grpc::StatusCode::FAILED_PRECONDITION;
    } else if (may_see.count(c.label) > 0) {
      want = grpc::StatusCode::PERMISSION_DENIED;
    } else if (c.principal.empty()) {
      want = grpc::StatusCode::UNAUTHENTICATED;
    }
    Result r = Call("/odr.v1.EvidenceService/WithdrawEvidence", withdraw.SerializeAsString(), c);
    EXPECT_EQ(r.status.error_code(), want) << c.label << ": " << r.status.error_message();
  }
}

// A mediator that was only proposed (case X) may see the case but not run the mediation: no
// slots, bookings or changes of the period until it accepts and declares no conflict.
TEST_F(AuthzMatrixTest, ProposedMediatorMayNotMediateYet) {
  const Caller& proposed = Callers()[2];
  ASSERT_EQ(proposed.label, "assigned mediator");
  v1::FindSlotsRequest find;
  find.set_parent(case_x_->name());
  find.mutable_duration()->set_seconds(3600);
  find.mutable_start_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(1)));
  find.mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(48)));
  v1::PauseMediationPeriodRequest pause;
  pause.set_name(case_x_->name());
  pause.set_reason("matrix");
  v1::GetCaseRequest get;
  get.set_name(case_x_->name());
  EXPECT_EQ(
      Call("/odr.v1.CaseService/GetCase", get.SerializeAsString(), proposed).status.error_code(),
      grpc::StatusCode::OK);
  // Issue 17 item 1: it could update and close the case (closing a diverted case even referred it
  // back to the court).
  v1::UpdateCaseRequest update;
  update.mutable_case_()->set_name(case_x_->name());
  update.mutable_case_()->set_summary("changed by a mediator only proposed");
  update.mutable_update_mask()->add_paths("summary");
  EXPECT_EQ(Call("/odr.v1.CaseService/UpdateCase", update.SerializeAsString(), proposed)
                .status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::CloseCaseRequest close;
  close.set_name(case_x_->name());
  close.set_reason("closed by a mediator only proposed");
  EXPECT_EQ(Call("/odr.v1.CaseService/CloseCase", close.SerializeAsString(), proposed)
                .status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Call("/odr.v1.CaseService/GetCase", get.SerializeAsString(), proposed).status.error_code(),
      grpc::StatusCode::OK);
  EXPECT_EQ(Call("/odr.v1.AppointmentService/FindSlots", find.SerializeAsString(), proposed)
                .status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Call("/odr.v1.DeadlineService/PauseMediationPeriod", pause.SerializeAsString(), proposed)
          .status.error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

// A caller who may not see a case cannot tell it from a case that does not exist.
TEST_F(AuthzMatrixTest, HiddenCaseLooksMissing) {
  const Caller& b = Callers()[1];
  ASSERT_EQ(b.label, "citizen B");
  v1::GetCaseRequest hidden;
  hidden.set_name(case_x_->name());
  v1::GetCaseRequest missing;
  missing.set_name("cases/0123456789abcdef01234567");
  Result r1 = Call("/odr.v1.CaseService/GetCase", hidden.SerializeAsString(), b);
  Result r2 = Call("/odr.v1.CaseService/GetCase", missing.SerializeAsString(), b);
  EXPECT_EQ(r1.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(r2.status.error_code(), grpc::StatusCode::NOT_FOUND);
  // The same words but for the id asked about.
  std::string m1 = r1.status.error_message(), m2 = r2.status.error_message();
  m1.replace(m1.find(case_x_->name()), case_x_->name().size(), "X");
  m2.replace(m2.find(missing.name()), missing.name().size(), "X");
  EXPECT_EQ(m1, m2);
}

// Field-level rules: a party sees the other side's ID numbers and phones masked; only the court
// sees its intake reference.
TEST_F(AuthzMatrixTest, FieldsAreRedactedPerRole) {
  auto get = [&](const Caller& c) {
    v1::GetCaseRequest req;
    req.set_name(case_x_->name());
    Result r = Call("/odr.v1.CaseService/GetCase", req.SerializeAsString(), c);
    EXPECT_THAT(r.status, IsOk()) << c.label << ": " << r.status.error_message();
    v1::Case k;
    k.ParseFromString(r.body);
    return k;
  };
  v1::Case as_citizen = get(Callers()[0]);
  EXPECT_EQ(as_citizen.applicants(0).id_number(), testing::kIdZhang);  // their own: clear
  EXPECT_EQ(as_citizen.respondents(0).id_number(), "1233**********000E");
  EXPECT_EQ(as_citizen.respondents(0).phone(), "057******0000");
  EXPECT_EQ(as_citizen.respondents(0).agents(0).id_number(), "3306**********0020");
  EXPECT_EQ(as_citizen.respondents(0).agents(0).phone(), "139****0000");
  EXPECT_TRUE(as_citizen.source().court_diversion().intake_reference().empty());

  v1::Case as_partner = get(Callers()[8]);  // acts for citizen A: the same view
  EXPECT_EQ(as_partner.respondents(0).id_number(), "1233**********000E");

  v1::Case as_court = get(Callers()[6]);
  EXPECT_EQ(as_court.source().court_diversion().intake_reference(), "(2026)浙0681诉前调7号");
  EXPECT_EQ(as_court.respondents(0).id_number(), testing::kUsccHospital);

  v1::Case as_mediator = get(Callers()[2]);
  EXPECT_EQ(as_mediator.respondents(0).id_number(), testing::kUsccHospital);
  EXPECT_TRUE(as_mediator.source().court_diversion().intake_reference().empty());
}

// The timeline names every actor as `principals/{p}` and records the partner app a citizen acted
// through (issue 17 items 12 and 13).
TEST_F(AuthzMatrixTest, TheTimelineNamesPrincipalsAndThePartnerApp) {
  const Caller& partner = Callers()[8];
  ASSERT_EQ(partner.label, "partner P for citizen A");
  Result created =
      Call("/odr.v1.CaseService/CreateCase", RequestFor("/odr.v1.CaseService/CreateCase"), partner);
  ASSERT_THAT(created.status, IsOk()) << created.status.error_message();
  v1::Case k;
  ASSERT_TRUE(k.ParseFromString(created.body));
  v1::ListCaseEventsRequest list;
  list.set_parent(k.name());
  Result r = Call("/odr.v1.CaseService/ListCaseEvents", list.SerializeAsString(), Callers()[0]);
  ASSERT_THAT(r.status, IsOk()) << r.status.error_message();
  v1::ListCaseEventsResponse events;
  ASSERT_TRUE(events.ParseFromString(r.body));
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).actor(), "principals/citizen-a");
  EXPECT_EQ(events.events(0).acting_through(), "principals/partner-p");
  // The setup's events, made by principals directly, name them and no app.
  list.set_parent(case_x_->name());
  r = Call("/odr.v1.CaseService/ListCaseEvents", list.SerializeAsString(), Callers()[4]);
  ASSERT_THAT(r.status, IsOk()) << r.status.error_message();
  ASSERT_TRUE(events.ParseFromString(r.body));
  ASSERT_GT(events.events_size(), 0);
  for (const auto& e : events.events()) {
    EXPECT_TRUE(e.actor() == "system" || e.actor().rfind("principals/", 0) == 0) << e.actor();
    EXPECT_EQ(e.acting_through(), "");
  }
}

// Every read and change of a case is in the access log, with the partner app it came through.
TEST_F(AuthzMatrixTest, AccessLogRecordsReadsAndChanges) {
  v1::GetCaseRequest get;
  get.set_name(case_x_->name());
  ASSERT_TRUE(
      Call("/odr.v1.CaseService/GetCase", get.SerializeAsString(), Callers()[8]).status.ok());
  v1::ListAccessRecordsRequest list;
  list.set_resource(case_x_->name());
  list.set_page_size(1000);
  Result r =
      Call("/odr.v1.AuditService/ListAccessRecords", list.SerializeAsString(), Callers()[11]);
  ASSERT_THAT(r.status, IsOk()) << r.status.error_message();
  v1::ListAccessRecordsResponse records;
  ASSERT_TRUE(records.ParseFromString(r.body));
  ASSERT_GT(records.access_records_size(), 0);
  // Newest first: the partner's read just now.
  const v1::AccessRecord& newest = records.access_records(0);
  EXPECT_EQ(newest.principal(), "principals/citizen-a");
  EXPECT_EQ(newest.acting_through(), "principals/partner-p");
  EXPECT_EQ(newest.method(), "/odr.v1.CaseService/GetCase");
  EXPECT_EQ(newest.action(), v1::AccessRecord::ACTION_READ);
  // The setup's changes are there too: court X created and submitted, admin-1 accepted.
  std::set<std::string> changes;
  for (const auto& rec : records.access_records()) {
    if (rec.action() == v1::AccessRecord::ACTION_CHANGE) {
      changes.insert(rec.principal() + " " + rec.method());
    }
  }
  EXPECT_THAT(changes, ::testing::IsSupersetOf(
                           {"principals/court-x /odr.v1.CaseService/CreateCase",
                            "principals/court-x /odr.v1.CaseService/SubmitCase",
                            "principals/admin-1 /odr.v1.CaseService/AcceptCase",
                            "principals/admin-1 /odr.v1.CaseService/AssignCaseMediator"}));
}

// Disabling a principal locks it out at once, tokens already issued included.
TEST_F(AuthzMatrixTest, DisabledPrincipalIsLockedOut) {
  const Caller& admin2 = Callers()[5];
  ASSERT_EQ(admin2.principal, "admin-2");
  const std::string req = v1::GetCallerRequest().SerializeAsString();
  ASSERT_THAT(Call("/odr.v1.AuthService/GetCaller", req, admin2).status, IsOk());
  testing::OdrdAdmin(dir_->file("data"), {"disable", "--id", "principals/admin-2"});
  EXPECT_EQ(Call("/odr.v1.AuthService/GetCaller", req, admin2).status.error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  testing::OdrdAdmin(dir_->file("data"), {"enable", "--id", "admin-2"});
  EXPECT_THAT(Call("/odr.v1.AuthService/GetCaller", req, admin2).status, IsOk());
}

}  // namespace
}  // namespace odr

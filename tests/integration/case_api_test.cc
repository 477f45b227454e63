// Drives the real odrd, started on port 0 with a temp data dir, through the generated stub.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "nlohmann/json.hpp"
#include "odr/v1/audit.grpc.pb.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/error.pb.h"
#include "tests/testing/error_details.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_auth.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr {
namespace {

using testing::Details;
using testing::ViolatedFields;

using ::testing::Contains;
using ::testing::HasSubstr;

v1::Party ProtoApplicant() {
  v1::Party p;
  p.set_kind(v1::PARTY_KIND_NATURAL_PERSON);
  p.set_name("张三");
  p.set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  p.set_id_number(testing::kIdZhang);
  p.set_phone("13800138000");
  p.set_service_address("zhangsan@example.com");
  return p;
}

v1::Party ProtoHospital() {
  v1::Party p;
  p.set_kind(v1::PARTY_KIND_LEGAL_PERSON);
  p.set_name("诸暨市人民医院");
  p.set_id_document_type(v1::ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE);
  p.set_id_number(testing::kUsccHospital);
  p.set_phone("0575-87000000");
  p.set_service_address("浙江省诸暨市暨阳街道");
  v1::Agent* a = p.add_agents();
  a->set_name("李律师");
  a->set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  a->set_id_number(testing::kIdLi);
  a->set_phone("13900000000");
  a->set_service_address("lawyer@example.com");
  return p;
}

v1::CreateCaseRequest ValidCreate() {
  v1::CreateCaseRequest req;
  v1::Case* c = req.mutable_case_();
  c->set_dispute_type(v1::DISPUTE_TYPE_MEDICAL);
  *c->add_applicants() = ProtoApplicant();
  *c->add_respondents() = ProtoHospital();
  c->set_summary("术后感染，申请人认为医院存在过错。");
  c->set_claims("赔偿医疗费及误工费共计两万元。");
  c->set_amount_fen(2000000);
  c->set_region_code("330681");
  c->mutable_source()->mutable_citizen_application();
  c->set_organization("organizations/org-1");
  return req;
}

class CaseApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The organization's administrator may do everything these tests do with org-1's cases.
    api_key_ = testing::CreatePrincipal(dir_.file("data"), "org-admin", "org_admin",
                                        {"--organization", "organizations/org-1"});
    Start();
  }

  void Start() {
    server_ = std::make_unique<testing::OdrdProcess>(dir_.file("data"));
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    stub_ = v1::CaseService::NewStub(channel_);
    token_ = testing::IssueToken(channel_, "org-admin", api_key_);
  }

  std::unique_ptr<grpc::ClientContext> Ctx() { return testing::AuthedContext(token_); }

  grpc::Status Create(const v1::CreateCaseRequest& req, v1::Case* out) {
    return stub_->CreateCase(Ctx().get(), req, out);
  }

  v1::Case MustCreate(v1::CreateCaseRequest req = ValidCreate()) {
    v1::Case out;
    grpc::Status s = Create(req, &out);
    EXPECT_THAT(s, IsOk()) << s.error_message();
    return out;
  }

  int CountCases() {
    v1::ListCasesRequest req;
    req.set_page_size(500);
    v1::ListCasesResponse resp;
    grpc::Status s = stub_->ListCases(Ctx().get(), req, &resp);
    EXPECT_THAT(s, IsOk()) << s.error_message();
    return resp.cases_size();
  }

  testing::TempDir dir_;
  std::string api_key_;
  std::string token_;
  std::unique_ptr<testing::OdrdProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CaseService::Stub> stub_;
};

TEST_F(CaseApiTest, CreateGetListTransitionsEvents) {
  v1::Case created = MustCreate();
  EXPECT_THAT(created.name(), ::testing::StartsWith("cases/"));
  EXPECT_THAT(created.case_number(), ::testing::MatchesRegex("ODR-20[0-9][0-9]-000001"));
  EXPECT_EQ(created.state(), v1::Case::STATE_DRAFT);
  EXPECT_EQ(created.applicants(0).name(), "张三");
  EXPECT_EQ(created.respondents(0).agents(0).name(), "李律师");
  EXPECT_TRUE(created.source().has_citizen_application());
  EXPECT_FALSE(created.etag().empty());

  v1::GetCaseRequest get;
  get.set_name(created.name());
  v1::Case got;
  ASSERT_THAT(stub_->GetCase(Ctx().get(), get, &got), IsOk());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  v1::Case k = created;
  auto transition = [&](auto method, auto req) {
    req.set_name(k.name());
    req.set_etag(k.etag());
    v1::Case out;
    grpc::Status s = (stub_.get()->*method)(Ctx().get(), req, &out);
    EXPECT_THAT(s, IsOk()) << s.error_message();
    k = out;
  };
  transition(&v1::CaseService::Stub::SubmitCase, v1::SubmitCaseRequest());
  EXPECT_EQ(k.state(), v1::Case::STATE_SUBMITTED);
  transition(&v1::CaseService::Stub::AcceptCase, v1::AcceptCaseRequest());
  EXPECT_EQ(k.state(), v1::Case::STATE_ACCEPTED);
  v1::CloseCaseRequest close;
  close.set_reason("被申请人拒绝调解 (OMR Art. 25)");
  transition(&v1::CaseService::Stub::CloseCase, close);
  EXPECT_EQ(k.state(), v1::Case::STATE_CLOSED);

  v1::ListCaseEventsRequest ev;
  ev.set_parent(k.name());
  v1::ListCaseEventsResponse events;
  ASSERT_THAT(stub_->ListCaseEvents(Ctx().get(), ev, &events), IsOk());
  // Created, submitted, the organization's 3 working days to accept started (OMR Art. 12),
  // accepted, the mediation period started from that acceptance (OMR Art. 24), the parties' time
  // to choose a mediator and the designation's (OMR Art. 10), closed.
  ASSERT_EQ(events.events_size(), 8);
  EXPECT_EQ(events.events(0).from_state(), v1::Case::STATE_UNSPECIFIED);
  EXPECT_EQ(events.events(0).to_state(), v1::Case::STATE_DRAFT);
  EXPECT_EQ(events.events(2).kind(), v1::CaseEvent::KIND_DEADLINE_STARTED);
  EXPECT_THAT(events.events(2).reason(), HasSubstr("organization_acceptance: 3 working days"));
  EXPECT_EQ(events.events(3).to_state(), v1::Case::STATE_ACCEPTED);
  EXPECT_EQ(events.events(4).kind(), v1::CaseEvent::KIND_DEADLINE_STARTED);
  EXPECT_THAT(events.events(4).reason(), HasSubstr("mediation_period: 30 days"));
  EXPECT_THAT(events.events(5).reason(), HasSubstr("mediator_choice: 2 working days"));
  EXPECT_THAT(events.events(6).reason(), HasSubstr("mediator_designation: 5 working days"));
  EXPECT_EQ(events.events(7).from_state(), v1::Case::STATE_ACCEPTED);
  EXPECT_EQ(events.events(7).to_state(), v1::Case::STATE_CLOSED);
  EXPECT_EQ(events.events(7).reason(), "被申请人拒绝调解 (OMR Art. 25)");
  EXPECT_EQ(events.events(7).actor(), "principals/org-admin");
  EXPECT_EQ(events.events(7).name(), k.name() + "/events/8");

  // Events page too.
  ev.set_page_size(5);
  ASSERT_THAT(stub_->ListCaseEvents(Ctx().get(), ev, &events), IsOk());
  EXPECT_EQ(events.events_size(), 5);
  ASSERT_FALSE(events.next_page_token().empty());
  ev.set_page_token(events.next_page_token());
  ASSERT_THAT(stub_->ListCaseEvents(Ctx().get(), ev, &events), IsOk());
  EXPECT_EQ(events.events_size(), 3);
  EXPECT_TRUE(events.next_page_token().empty());
}

TEST_F(CaseApiTest, ListPagesAndFilters) {
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) names.push_back(MustCreate().name());
  v1::CreateCaseRequest labour = ValidCreate();
  labour.mutable_case_()->set_dispute_type(v1::DISPUTE_TYPE_LABOUR);
  labour.mutable_case_()->set_region_code("330602");
  MustCreate(labour);
  MustCreate(labour);

  v1::ListCasesRequest req;
  req.set_page_size(3);
  std::set<std::string> seen;
  int pages = 0;
  while (true) {
    v1::ListCasesResponse resp;
    ASSERT_THAT(stub_->ListCases(Ctx().get(), req, &resp), IsOk());
    ++pages;
    for (const auto& c : resp.cases()) seen.insert(c.name());
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 7u);

  v1::ListCasesRequest f;
  f.set_filter("dispute_type = LABOUR AND region_code = \"330602\"");
  v1::ListCasesResponse resp;
  ASSERT_THAT(stub_->ListCases(Ctx().get(), f, &resp), IsOk());
  EXPECT_EQ(resp.cases_size(), 2);

  v1::SubmitCaseRequest submit;
  submit.set_name(names[0]);
  v1::Case out;
  ASSERT_THAT(stub_->SubmitCase(Ctx().get(), submit, &out), IsOk());
  f.set_filter("state = STATE_SUBMITTED");
  ASSERT_THAT(stub_->ListCases(Ctx().get(), f, &resp), IsOk());
  ASSERT_EQ(resp.cases_size(), 1);
  EXPECT_EQ(resp.cases(0).name(), names[0]);

  f.set_filter("create_time >= \"2000-01-01T00:00:00Z\" AND state != SUBMITTED");
  f.set_order_by("case_number");
  ASSERT_THAT(stub_->ListCases(Ctx().get(), f, &resp), IsOk());
  ASSERT_EQ(resp.cases_size(), 6);
  EXPECT_LT(resp.cases(0).case_number(), resp.cases(5).case_number());
}

TEST_F(CaseApiTest, IdempotentRetryReturnsSameCase) {
  v1::CreateCaseRequest req = ValidCreate();
  req.set_request_id("8d6f1c2e-1111-4a6b-9c1d-000000000001");
  v1::Case a = MustCreate(req);
  v1::Case b = MustCreate(req);
  EXPECT_EQ(a.name(), b.name());
  EXPECT_EQ(a.case_number(), b.case_number());
  EXPECT_EQ(CountCases(), 1);

  req.mutable_case_()->set_summary("a different request under the same key");
  v1::Case c;
  grpc::Status s = Create(req, &c);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_EQ(Details(s).reason(), "REQUEST_ID_REUSED");
  EXPECT_THAT(s.error_message(), HasSubstr("request_id"));
  EXPECT_EQ(CountCases(), 1);
}

// A retry is answered with the case as it is now, so it is authorized again against the case as
// it is now and recorded like a read (issue 17 item 3): a citizen who filed as the applicant's
// agent and was then removed from the case gets NOT_FOUND, not the parties' unmasked details.
TEST_F(CaseApiTest, ARetryIsAuthorizedAgainAndRecordedAsARead) {
  server_.reset();
  const std::string li_key =
      testing::CreatePrincipal(dir_.file("data"), "li", "citizen", {"--id-number", testing::kIdLi});
  const std::string auditor_key =
      testing::CreatePrincipal(dir_.file("data"), "auditor", "platform_admin");
  Start();
  const std::string li = testing::IssueToken(channel_, "li", li_key);
  const std::string auditor = testing::IssueToken(channel_, "auditor", auditor_key);

  v1::CreateCaseRequest req = ValidCreate();
  v1::Case* c = req.mutable_case_();
  c->mutable_respondents(0)->clear_agents();
  v1::Agent* agent = c->mutable_applicants(0)->add_agents();
  agent->set_name("李律师");
  agent->set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  agent->set_id_number(testing::kIdLi);
  agent->set_phone("13900000000");
  agent->set_service_address("lawyer@example.com");
  req.set_request_id("agent-filed-1");
  v1::Case first, again;
  grpc::Status s = stub_->CreateCase(testing::AuthedContext(li).get(), req, &first);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  s = stub_->CreateCase(testing::AuthedContext(li).get(), req, &again);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  EXPECT_EQ(again.name(), first.name());

  // The organization removes the agent.
  v1::UpdateCaseRequest update;
  *update.mutable_case_() = first;
  update.mutable_case_()->mutable_applicants(0)->clear_agents();
  update.mutable_update_mask()->add_paths("applicants");
  v1::Case updated;
  s = stub_->UpdateCase(Ctx().get(), update, &updated);
  ASSERT_THAT(s, IsOk()) << s.error_message();

  v1::Case leaked;
  s = stub_->CreateCase(testing::AuthedContext(li).get(), req, &leaked);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << s.error_message();
  EXPECT_EQ(leaked.applicants_size(), 0);
  EXPECT_EQ(CountCases(), 1);

  // The access log, newest first: li's one answered retry (a read) and its creation (a change);
  // the refused retry read nothing.
  auto audit = v1::AuditService::NewStub(channel_);
  v1::ListAccessRecordsRequest list;
  list.set_principal("principals/li");
  list.set_resource(first.name());
  v1::ListAccessRecordsResponse records;
  s = audit->ListAccessRecords(testing::AuthedContext(auditor).get(), list, &records);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  std::vector<std::pair<std::string, v1::AccessRecord::Action>> got;
  for (const auto& r : records.access_records()) got.emplace_back(r.method(), r.action());
  EXPECT_THAT(got, ::testing::ElementsAre(
                       std::pair<std::string, v1::AccessRecord::Action>(
                           "/odr.v1.CaseService/CreateCase", v1::AccessRecord::ACTION_READ),
                       std::pair<std::string, v1::AccessRecord::Action>(
                           "/odr.v1.CaseService/CreateCase", v1::AccessRecord::ACTION_CHANGE)));
}

// The message of a reused request_id names the method, never the internal key.
TEST_F(CaseApiTest, AReusedRequestIdNamesTheMethodNotTheKey) {
  v1::CreateCaseRequest req = ValidCreate();
  req.set_request_id("reused-key-1");
  v1::Case a = MustCreate(req);
  v1::SubmitCaseRequest submit;
  submit.set_name(a.name());
  submit.set_request_id("reused-key-1");
  v1::Case out;
  grpc::Status s = stub_->SubmitCase(Ctx().get(), submit, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_EQ(Details(s).reason(), "REQUEST_ID_REUSED");
  EXPECT_THAT(s.error_message(), HasSubstr("SubmitCase"));
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("principal:")));
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("org-admin")));
}

TEST_F(CaseApiTest, StaleEtagIsAborted) {
  v1::Case k = MustCreate();
  v1::UpdateCaseRequest u;
  *u.mutable_case_() = k;
  u.mutable_case_()->set_summary("第一次修改");
  u.mutable_update_mask()->add_paths("summary");
  v1::Case updated;
  ASSERT_THAT(stub_->UpdateCase(Ctx().get(), u, &updated), IsOk());
  EXPECT_EQ(updated.summary(), "第一次修改");
  EXPECT_NE(updated.etag(), k.etag());

  u.mutable_case_()->set_summary("基于旧版本的修改");  // still carries k's etag
  v1::Case out;
  grpc::Status s = stub_->UpdateCase(Ctx().get(), u, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::ABORTED));
  EXPECT_EQ(Details(s).reason(), "STALE_ETAG");

  v1::SubmitCaseRequest submit;
  submit.set_name(k.name());
  submit.set_etag(k.etag());
  EXPECT_EQ(stub_->SubmitCase(Ctx().get(), submit, &out).error_code(), grpc::StatusCode::ABORTED);

  v1::GetCaseRequest get;
  get.set_name(k.name());
  ASSERT_THAT(stub_->GetCase(Ctx().get(), get, &out), IsOk());
  EXPECT_EQ(out.summary(), "第一次修改");
  EXPECT_EQ(out.state(), v1::Case::STATE_DRAFT);
}

TEST_F(CaseApiTest, UpdateMaskRules) {
  v1::Case k = MustCreate();
  v1::UpdateCaseRequest u;
  *u.mutable_case_() = k;
  v1::Case out;
  // No mask.
  grpc::Status s = stub_->UpdateCase(Ctx().get(), u, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), Contains("update_mask"));
  // Output-only field.
  u.mutable_update_mask()->add_paths("state");
  s = stub_->UpdateCase(Ctx().get(), u, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(s.error_message(), HasSubstr("'state' cannot be updated"));
  // Only masked fields are validated: a bad phone outside the mask is not looked at, inside is.
  u.mutable_update_mask()->Clear();
  u.mutable_update_mask()->add_paths("amount_fen");
  u.mutable_case_()->set_amount_fen(123);
  u.mutable_case_()->mutable_applicants(0)->set_phone("bad");
  ASSERT_THAT(stub_->UpdateCase(Ctx().get(), u, &out), IsOk());
  EXPECT_EQ(out.amount_fen(), 123);
  EXPECT_EQ(out.applicants(0).phone(), "13800138000");
  u.mutable_case_()->set_etag(out.etag());
  u.mutable_update_mask()->add_paths("applicants");
  s = stub_->UpdateCase(Ctx().get(), u, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), Contains("case.applicants[0].phone"));
}

TEST_F(CaseApiTest, DisallowedTransitionNamesState) {
  v1::Case k = MustCreate();
  v1::AcceptCaseRequest accept;
  accept.set_name(k.name());
  v1::Case out;
  grpc::Status s = stub_->AcceptCase(Ctx().get(), accept, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_THAT(s.error_message(), HasSubstr("STATE_DRAFT"));
  EXPECT_EQ(Details(s).current_state(), "STATE_DRAFT");
  EXPECT_EQ(Details(s).reason(), "TRANSITION_NOT_ALLOWED");

  v1::WithdrawCaseRequest w;
  w.set_name(k.name());
  ASSERT_THAT(stub_->WithdrawCase(Ctx().get(), w, &out), IsOk());
  v1::UpdateCaseRequest u;
  *u.mutable_case_() = out;
  u.mutable_update_mask()->add_paths("summary");
  s = stub_->UpdateCase(Ctx().get(), u, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_THAT(s.error_message(), HasSubstr("STATE_WITHDRAWN"));

  v1::CloseCaseRequest close;  // also: reason is required
  close.set_name(k.name());
  s = stub_->CloseCase(Ctx().get(), close, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), Contains("reason"));
}

TEST_F(CaseApiTest, NotFoundAndMalformedNames) {
  v1::GetCaseRequest get;
  get.set_name("cases/doesnotexist");
  v1::Case out;
  grpc::Status s = stub_->GetCase(Ctx().get(), get, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND));
  EXPECT_THAT(s.error_message(), HasSubstr("cases/doesnotexist"));
  for (const char* bad :
       {"", "doesnotexist", "cases/", "cases/UPPER", "cases/a/b", "organizations/x"}) {
    get.set_name(bad);
    s = stub_->GetCase(Ctx().get(), get, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << bad;
    EXPECT_THAT(ViolatedFields(s), Contains("name")) << bad;
  }
  v1::ListCaseEventsRequest ev;
  ev.set_parent("cases/doesnotexist");
  v1::ListCaseEventsResponse events;
  EXPECT_EQ(stub_->ListCaseEvents(Ctx().get(), ev, &events).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

struct BadCreate {
  const char* what;
  std::function<void(v1::CreateCaseRequest*)> mutate;
  const char* field;
};

TEST_F(CaseApiTest, BadCreateInputIsRejectedAndWritesNothing) {
  const std::vector<BadCreate> cases = {
      {"empty name", [](auto* r) { r->mutable_case_()->mutable_applicants(0)->set_name(""); },
       "case.applicants[0].name"},
      {"blank name", [](auto* r) { r->mutable_case_()->mutable_applicants(0)->set_name("  "); },
       "case.applicants[0].name"},
      {"long name",
       [](auto* r) { r->mutable_case_()->mutable_applicants(0)->set_name(std::string(101, 'a')); },
       "case.applicants[0].name"},
      {"malformed phone",
       [](auto* r) { r->mutable_case_()->mutable_applicants(0)->set_phone("12345"); },
       "case.applicants[0].phone"},
      {"bad ID check digit",
       [](auto* r) {
         r->mutable_case_()->mutable_applicants(0)->set_id_number("110101199003074515");
       },
       "case.applicants[0].id_number"},
      {"bad agent ID",
       [](auto* r) {
         r->mutable_case_()->mutable_respondents(0)->mutable_agents(0)->set_id_number("x");
       },
       "case.respondents[0].agents[0].id_number"},
      {"negative amount", [](auto* r) { r->mutable_case_()->set_amount_fen(-1); },
       "case.amount_fen"},
      {"unknown dispute type",
       [](auto* r) { r->mutable_case_()->set_dispute_type(static_cast<v1::DisputeType>(99)); },
       "case.dispute_type"},
      {"unspecified dispute type",
       [](auto* r) { r->mutable_case_()->set_dispute_type(v1::DISPUTE_TYPE_UNSPECIFIED); },
       "case.dispute_type"},
      {"unknown id type",
       [](auto* r) {
         r->mutable_case_()->mutable_applicants(0)->set_id_document_type(
             static_cast<v1::IdDocumentType>(42));
       },
       "case.applicants[0].id_document_type"},
      {"unknown party kind",
       [](auto* r) {
         r->mutable_case_()->mutable_applicants(0)->set_kind(static_cast<v1::PartyKind>(7));
       },
       "case.applicants[0].kind"},
      {"no respondents", [](auto* r) { r->mutable_case_()->clear_respondents(); },
       "case.respondents"},
      {"summary too long", [](auto* r) { r->mutable_case_()->set_summary(std::string(5001, 'x')); },
       "case.summary"},
      {"summary control chars",
       [](auto* r) {
         r->mutable_case_()->set_summary(
             "a\x07"
             "b");
       },
       "case.summary"},
      {"missing claims", [](auto* r) { r->mutable_case_()->set_claims(""); }, "case.claims"},
      {"bad region", [](auto* r) { r->mutable_case_()->set_region_code("3306"); },
       "case.region_code"},
      {"missing source", [](auto* r) { r->mutable_case_()->clear_source(); }, "case.source"},
      {"future diversion",
       [](auto* r) {
         auto* d = r->mutable_case_()->mutable_source()->mutable_court_diversion();
         d->set_court("诸暨市人民法院");
         d->set_intake_reference("(2026)浙0681诉前调1号");
         d->set_diversion_date("2999-01-01");
       },
       "case.source.court_diversion.diversion_date"},
      {"bad request_id", [](auto* r) { r->set_request_id("not a valid key!"); }, "request_id"},
      {"no case", [](auto* r) { r->clear_case_(); }, "case"},
  };
  for (const BadCreate& bc : cases) {
    v1::CreateCaseRequest req = ValidCreate();
    bc.mutate(&req);
    v1::Case out;
    grpc::Status s = Create(req, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << bc.what;
    EXPECT_THAT(ViolatedFields(s), Contains(bc.field)) << bc.what << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(bc.field)) << bc.what;
    EXPECT_EQ(Details(s).reason(), "INVALID_FIELD") << bc.what;
  }
  EXPECT_EQ(CountCases(), 0);
}

TEST_F(CaseApiTest, InvalidUtf8IsInvalidArgument) {
  v1::CreateCaseRequest req = ValidCreate();
  req.mutable_case_()->mutable_applicants(0)->set_name("\xe5\xbc\xa0\xff");
  v1::Case out;
  grpc::Status s = Create(req, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << s.error_message();
  EXPECT_THAT(ViolatedFields(s), Contains("case.applicants[0].name"));
  EXPECT_EQ(Details(s).reason(), "INVALID_FIELD");
  EXPECT_EQ(CountCases(), 0);
}

TEST_F(CaseApiTest, BadListInput) {
  MustCreate();
  MustCreate();
  v1::ListCasesRequest req;
  v1::ListCasesResponse resp;
  req.set_page_size(-1);
  grpc::Status s = stub_->ListCases(Ctx().get(), req, &resp);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), Contains("page_size"));

  req.set_page_size(1);
  ASSERT_THAT(stub_->ListCases(Ctx().get(), req, &resp), IsOk());
  ASSERT_FALSE(resp.next_page_token().empty());
  req.set_page_token(resp.next_page_token());
  req.set_filter("state = DRAFT");  // another query
  s = stub_->ListCases(Ctx().get(), req, &resp);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), Contains("page_token"));

  req.set_page_token("garbage");
  req.clear_filter();
  s = stub_->ListCases(Ctx().get(), req, &resp);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));

  req.clear_page_token();
  req.set_filter("state = NOPE");
  s = stub_->ListCases(Ctx().get(), req, &resp);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), Contains("filter"));

  req.clear_filter();
  req.set_order_by("summary");
  s = stub_->ListCases(Ctx().get(), req, &resp);
  EXPECT_THAT(ViolatedFields(s), Contains("order_by"));

  req.clear_order_by();
  req.set_page_size(100000);  // clamped, not an error
  ASSERT_THAT(stub_->ListCases(Ctx().get(), req, &resp), IsOk());
  EXPECT_EQ(resp.cases_size(), 2);
}

TEST_F(CaseApiTest, DataSurvivesRestartAndSigtermExitsZero) {
  v1::Case k = MustCreate();
  EXPECT_EQ(server_->Stop(), 0);
  Start();
  v1::GetCaseRequest get;
  get.set_name(k.name());
  v1::Case out;
  ASSERT_THAT(stub_->GetCase(Ctx().get(), get, &out), IsOk());
  EXPECT_EQ(out.case_number(), k.case_number());
  EXPECT_EQ(MustCreate().case_number().substr(9), "000002");
}

// Every line odrd logs is one JSON object, and none carries the parties' personal data, even
// after creates, updates, errors (including a string that is not UTF-8) and a shutdown.
TEST_F(CaseApiTest, LogsAreJsonWithoutPersonalData) {
  v1::Case k = MustCreate();
  v1::UpdateCaseRequest u;
  *u.mutable_case_() = k;
  u.mutable_case_()->mutable_applicants(0)->set_phone("13912345678");
  u.mutable_update_mask()->add_paths("applicants");
  v1::Case out;
  ASSERT_THAT(stub_->UpdateCase(Ctx().get(), u, &out), IsOk());
  v1::CreateCaseRequest bad = ValidCreate();
  bad.mutable_case_()->mutable_applicants(0)->set_phone("bad 13800138000 phone");
  EXPECT_FALSE(Create(bad, &out).ok());
  bad = ValidCreate();
  bad.mutable_case_()->mutable_applicants(0)->set_name("\xe5\xbc\xa0\xff");
  EXPECT_FALSE(Create(bad, &out).ok());
  EXPECT_EQ(server_->Stop(), 0);

  std::ifstream in(server_->log_path());
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    auto j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(j.is_object()) << line;
    for (const char* secret : {"张三", "诸暨市人民医院", "李律师", testing::kIdZhang,
                               testing::kIdLi, testing::kUsccHospital, "13800138000", "13912345678",
                               "zhangsan@example.com", "术后感染"}) {
      EXPECT_EQ(line.find(secret), std::string::npos) << secret << " in: " << line;
    }
    EXPECT_EQ(line.find(token_), std::string::npos) << "token in: " << line;
  }
  EXPECT_GT(lines, 5);
}

// SIGTERM while calls are in flight: odrd exits 0, and every create it acknowledged is there after
// a restart (calls it did not take fail cleanly instead).
TEST_F(CaseApiTest, SigtermDrainsCallsInFlight) {
  constexpr int kCalls = 60;
  struct Call {
    grpc::ClientContext ctx;
    v1::CreateCaseRequest req;
    v1::Case resp;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Call>> calls;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  for (int i = 0; i < kCalls; ++i) {
    auto c = std::make_unique<Call>();
    c->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    c->ctx.AddMetadata("authorization", "Bearer " + token_);
    c->req = ValidCreate();
    c->req.set_request_id("drain-" + std::to_string(i));
    Call* raw = c.get();
    stub_->async()->CreateCase(&raw->ctx, &raw->req, &raw->resp, [&, raw](grpc::Status s) {
      std::lock_guard<std::mutex> lock(mu);
      raw->status = s;
      ++done;
      cv.notify_all();
    });
    calls.push_back(std::move(c));
  }
  {
    // Stop while the rest are in flight: after the first answer.
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return done >= 1; }));
  }
  EXPECT_EQ(server_->Stop(), 0);
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return done == kCalls; }));
  }
  Start();
  int acknowledged = 0;
  for (const auto& c : calls) {
    if (!c->status.ok()) {
      EXPECT_THAT(c->status.error_code(),
                  ::testing::AnyOf(grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::CANCELLED))
          << c->status.error_message();
      continue;
    }
    ++acknowledged;
    v1::GetCaseRequest get;
    get.set_name(c->resp.name());
    v1::Case out;
    grpc::Status s = stub_->GetCase(Ctx().get(), get, &out);
    EXPECT_THAT(s, IsOk()) << "acknowledged " << c->resp.name() << " lost: " << s.error_message();
  }
  RecordProperty("acknowledged", acknowledged);
  // A create may commit and lose its answer to the shutdown deadline; a retry with its request_id
  // would return it. None may be lost the other way round.
  EXPECT_GE(CountCases(), acknowledged);
  EXPECT_GT(acknowledged, 0);
}

// odrd takes its listen address, data dir and log level from the environment.
TEST(OdrdEnvironmentTest, ConfiguredByEnvironment) {
  testing::TempDir dir;
  const std::string data = dir.file("envdata");
  const std::string key = testing::CreatePrincipal(data, "org-admin", "org_admin",
                                                   {"--organization", "organizations/org-1"});
  testing::OdrdProcess server(
      data, {}, {"ODR_LISTEN=127.0.0.1:0", "ODR_DATA_DIR=" + data, "ODR_LOG_LEVEL=warn"});
  EXPECT_NE(server.port(), 50051) << "ODR_LISTEN (port 0) was ignored";
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  // The token works only if odrd opened the data dir that holds the principal.
  const std::string token = testing::IssueToken(channel, "org-admin", key);
  auto stub = v1::CaseService::NewStub(channel);
  v1::ListCasesRequest req;
  v1::ListCasesResponse resp;
  EXPECT_THAT(stub->ListCases(testing::AuthedContext(token).get(), req, &resp), IsOk());
  EXPECT_EQ(server.Stop(), 0);
  std::ifstream in(server.log_path());
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_EQ(line.find("\"level\":\"info\""), std::string::npos) << "warn level logged: " << line;
  }
}

// grpc.health.v1.Health/Check with an empty HealthCheckRequest; the response is
// HealthCheckResponse{status: SERVING} = field 1 varint 1.
TEST_F(CaseApiTest, HealthServing) {
  grpc::GenericStub generic(channel_);
  grpc::ByteBuffer request;  // empty message
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  generic.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) { done.set_value(s); });
  grpc::Status s = done.get_future().get();
  ASSERT_THAT(s, IsOk()) << s.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_THAT(response.Dump(&slices), IsOk());
  std::string bytes;
  for (auto& sl : slices) bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
}

// On SIGTERM, health turns NOT_SERVING before the server goes away: a Watch sees SERVING, then
// NOT_SERVING (HealthCheckResponse.status 2).
TEST_F(CaseApiTest, HealthTurnsNotServingOnSigterm) {
  grpc::GenericStub generic(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto call = generic.PrepareCall(&ctx, "/grpc.health.v1.Health/Watch", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::Slice empty("");
  grpc::ByteBuffer req(&empty, 1);
  call->WriteLast(req, grpc::WriteOptions(), reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  auto read = [&](std::string* out) {
    grpc::ByteBuffer resp;
    call->Read(&resp, reinterpret_cast<void*>(3));
    if (!cq.Next(&tag, &ok) || !ok) return false;
    std::vector<grpc::Slice> slices;
    if (!resp.Dump(&slices).ok()) return false;
    out->clear();
    for (auto& sl : slices) out->append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    return true;
  };
  std::string msg;
  ASSERT_TRUE(read(&msg));
  EXPECT_EQ(msg, std::string("\x08\x01", 2));  // SERVING
  std::thread stopper([&] { EXPECT_EQ(server_->Stop(), 0); });
  bool saw_not_serving = false;
  while (read(&msg)) {
    if (msg == std::string("\x08\x02", 2)) saw_not_serving = true;
  }
  stopper.join();
  EXPECT_TRUE(saw_not_serving);
  grpc::Status st;
  call->Finish(&st, reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

// grpc.reflection.v1alpha.ServerReflection lists CaseService.
TEST_F(CaseApiTest, ReflectionListsServices) {
  grpc::GenericStub generic(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto call = generic.PrepareCall(
      &ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  // ServerReflectionRequest{list_services: ""} = field 7, length-delimited, empty.
  grpc::Slice req(std::string("\x3a\x00", 2));
  grpc::ByteBuffer req_buf(&req, 1);
  call->Write(req_buf, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer resp;
  call->Read(&resp, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  ASSERT_THAT(resp.Dump(&slices), IsOk());
  std::string bytes;
  for (auto& sl : slices) bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  EXPECT_THAT(bytes, HasSubstr("odr.v1.CaseService"));
  EXPECT_THAT(bytes, HasSubstr("grpc.health.v1.Health"));
  call->WritesDone(reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  grpc::Status st;
  call->Finish(&st, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace odr

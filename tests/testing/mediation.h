// A real odrd with organizations/org1, its admin "orgadmin", mediator "med" (roster m1), the
// citizens zhang (applicant), li (respondent) and wang (outsider), and helpers that take a case
// of zhang against li to mediation and to an effective settlement agreement. Shared by the
// agreement and confirmation integration tests.
#ifndef ODR_TESTS_TESTING_MEDIATION_H_
#define ODR_TESTS_TESTING_MEDIATION_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "odr/v1/agreement.grpc.pb.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/deadline.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "tests/testing/evidence_helpers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_auth.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/temp_dir.h"

namespace odr::testing {

class MediationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.file("data");
    keys_ = CreateZhangLiWang(data_);
    keys_["orgadmin"] =
        CreatePrincipal(data_, "orgadmin", "org_admin", {"--organization", "organizations/org1"});
    keys_["med"] =
        CreatePrincipal(data_, "med", "mediator", {"--organization", "organizations/org1"});
    keys_["platform"] = CreatePrincipal(data_, "platform", "platform_admin");
    AddPrincipals();
    Launch();
    auto roster = v1::RosterService::NewStub(channel_);
    v1::Organization o;
    ASSERT_TRUE(roster->CreateOrganization(As("platform").get(), Org1(), &o).ok());
    const v1::CreateMediatorRequest m = ZhujiMediator("org1", "m1", "med");
    v1::Mediator created;
    ASSERT_TRUE(roster->CreateMediator(As("orgadmin").get(), m, &created).ok());
  }

  void TearDown() override { Stop(); }

  // Hooks for subclasses: more principals (keys_) before odrd starts; odrd's flags; more stubs
  // once connected (reset them in an override of Stop).
  virtual void AddPrincipals() {}
  virtual std::vector<std::string> ServerFlags() const { return {"--rate-limit", "0"}; }
  virtual void Connected() {}
  // organizations/org1 as created (default: ZhujiOrganization, an industry organization).
  virtual v1::CreateOrganizationRequest Org1() const { return ZhujiOrganization("org1"); }

  // Starts odrd on the data dir with ServerFlags() and `extra`, and connects.
  void Launch(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = ServerFlags();
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<OdrdProcess>(data_, args);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    cases_ = v1::CaseService::NewStub(channel_);
    agreements_ = v1::AgreementService::NewStub(channel_);
    deadlines_ = v1::DeadlineService::NewStub(channel_);
    for (const auto& [id, key] : keys_) tokens_[id] = IssueToken(channel_, id, key);
    Connected();
  }

  // SIGTERM, after closing this client's connection (an idle connection would hold shutdown).
  virtual void Stop() {
    if (server_ == nullptr) return;
    cases_.reset();
    agreements_.reset();
    deadlines_.reset();
    channel_.reset();
    EXPECT_EQ(server_->Stop(), 0);
    server_.reset();
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& who) {
    auto ctx = AuthedContext(tokens_.at(who));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    return ctx;
  }

  // A case `c` (default: zhang against li before org1) created by `creator`, accepted by org1,
  // m1 accepted: STATE_MEDIATOR_ASSIGNED.
  std::string AssignedCase(v1::Case c = ZhangAgainstLi("org1"),
                           const std::string& creator = "zhang") {
    v1::CreateCaseRequest create;
    *create.mutable_case_() = c;
    v1::Case k;
    grpc::Status s = cases_->CreateCase(As(creator).get(), create, &k);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v1::SubmitCaseRequest submit;
    submit.set_name(k.name());
    EXPECT_TRUE(cases_->SubmitCase(As(creator).get(), submit, &k).ok());
    v1::AcceptCaseRequest accept;
    accept.set_name(k.name());
    EXPECT_TRUE(cases_->AcceptCase(As("orgadmin").get(), accept, &k).ok());
    v1::AssignCaseMediatorRequest assign;
    assign.set_name(k.name());
    assign.set_mediator("organizations/org1/mediators/m1");
    EXPECT_TRUE(cases_->AssignCaseMediator(As("orgadmin").get(), assign, &k).ok());
    v1::AcceptAssignmentRequest yes;
    yes.set_name(k.name());
    yes.set_no_conflict_declared(true);
    s = cases_->AcceptAssignment(As("med").get(), yes, &k);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(k.state(), v1::Case::STATE_MEDIATOR_ASSIGNED);
    return k.name();
  }

  // AssignedCase, and the respondent agreed to mediation: STATE_MEDIATING.
  std::string MediatingCase(v1::Case c = ZhangAgainstLi("org1"),
                            const std::string& creator = "zhang") {
    const std::string name = AssignedCase(std::move(c), creator);
    v1::RecordRespondentContactRequest contact;
    contact.set_name(name);
    contact.set_outcome(v1::RecordRespondentContactRequest::OUTCOME_AGREED);
    v1::Case after;
    grpc::Status s = deadlines_->RecordRespondentContact(As("med").get(), contact, &after);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(after.state(), v1::Case::STATE_MEDIATING);
    return name;
  }

  // The content of a typical agreement: li pays zhang 20,000 yuan in two instalments.
  static v1::Agreement SampleAgreement(
      v1::AgreementTerm::Kind kind = v1::AgreementTerm::KIND_PAYMENT) {
    v1::Agreement a;
    a.set_facts("张三于2026年3月在医院手术后感染。");
    a.set_issues("感染是否由医院过错造成及赔偿数额。");
    a.set_responsibilities("被申请人对感染承担主要责任。");
    v1::AgreementTerm* t = a.add_terms();
    t->set_kind(kind);
    t->set_description("李四向张三支付赔偿款人民币两万元。");
    t->set_obligor("respondents/0");
    t->set_method("银行转账");
    t->set_deadline_date("2035-02-28");
    for (const auto& [date, fen] :
         {std::pair{"2035-01-31", 1'200'000}, std::pair{"2035-02-28", 800'000}}) {
      v1::Instalment* in = a.add_instalments();
      in->set_due_date(date);
      in->set_amount_fen(fen);
      in->set_payer("respondents/0");
      in->set_payee("applicants/0");
    }
    return a;
  }

  // Drafts `content` on `case_name` as the mediator.
  v1::Agreement Draft(const std::string& case_name, const v1::Agreement& content) {
    v1::CreateAgreementRequest req;
    req.set_parent(case_name);
    *req.mutable_agreement() = content;
    v1::Agreement a;
    grpc::Status s = agreements_->CreateAgreement(As("med").get(), req, &a);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return a;
  }

  grpc::Status Sign(const std::string& who, const v1::Agreement& a, v1::Agreement* out) {
    v1::SignAgreementRequest req;
    req.set_name(a.name());
    req.set_content_hash(a.content_hash());
    return agreements_->SignAgreement(As(who).get(), req, out);
  }

  // A mediating case with `content` drafted and signed by zhang, li, the mediator and the
  // organization: the agreement is effective and the case STATE_SETTLED.
  v1::Agreement EffectiveAgreement(const std::string& case_name,
                                   const v1::Agreement& content = SampleAgreement()) {
    v1::Agreement a = Draft(case_name, content);
    for (const char* who : {"zhang", "li", "med", "orgadmin"}) {
      grpc::Status s = Sign(who, a, &a);
      EXPECT_TRUE(s.ok()) << who << ": " << s.error_message();
    }
    EXPECT_EQ(a.state(), v1::Agreement::STATE_EFFECTIVE);
    return a;
  }

  v1::Case GetCase(const std::string& name, const std::string& who = "orgadmin") {
    v1::GetCaseRequest req;
    req.set_name(name);
    v1::Case k;
    EXPECT_TRUE(cases_->GetCase(As(who).get(), req, &k).ok());
    return k;
  }

  TempDir dir_;
  std::string data_;
  std::map<std::string, std::string> keys_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<OdrdProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::AgreementService::Stub> agreements_;
  std::unique_ptr<v1::DeadlineService::Stub> deadlines_;
};

}  // namespace odr::testing

#endif  // ODR_TESTS_TESTING_MEDIATION_H_

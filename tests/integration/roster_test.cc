// Organizations, rosters and pools, matching, capacity-safe assignment, conflict screening and
// the assignment flows, through the real odrd (started on port 0 with a temp data dir) and the
// generated stubs. Each test starts its own server with the accounts it needs.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/deadline.grpc.pb.h"
#include "odr/v1/error.pb.h"
#include "odr/v1/roster.grpc.pb.h"
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

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// A resident ID card number: the 17 digits and their ISO 7064 MOD 11-2 check digit.
std::string Rid(const std::string& first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + "10X98765432"[sum % 11];
}

// A distinct valid ID number for the n-th mediator of a test.
std::string MediatorIdNumber(int n) { return Rid("33068119700101" + std::to_string(100 + n)); }

std::string Describe(const grpc::Status& s) {
  return std::to_string(s.error_code()) + " " + s.error_message() + " [" + Details(s).reason() +
         "]";
}

// The parties every case here has: applicant 张三 (kIdZhang, 13800138000); respondents the
// hospital with its lawyer 李律师 (kIdLi) as agent, and 王五 (kIdWang, 13700137000).
v1::Party Zhang() {
  v1::Party p;
  p.set_kind(v1::PARTY_KIND_NATURAL_PERSON);
  p.set_name("张三");
  p.set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  p.set_id_number(testing::kIdZhang);
  p.set_phone("13800138000");
  p.set_service_address("zhangsan@example.com");
  return p;
}

v1::Agent Agent(const std::string& name, const std::string& id_number, const std::string& phone) {
  v1::Agent a;
  a.set_name(name);
  a.set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  a.set_id_number(id_number);
  a.set_phone(phone);
  a.set_service_address("agent@example.com");
  return a;
}

v1::Party Hospital() {
  v1::Party p;
  p.set_kind(v1::PARTY_KIND_LEGAL_PERSON);
  p.set_name("诸暨市人民医院");
  p.set_id_document_type(v1::ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE);
  p.set_id_number(testing::kUsccHospital);
  p.set_phone("0575-87000000");
  p.set_service_address("浙江省诸暨市暨阳街道");
  *p.add_agents() = Agent("李律师", testing::kIdLi, "13900000000");
  return p;
}

v1::Party Wang() {
  v1::Party p = Zhang();
  p.set_name("王五");
  p.set_id_number(testing::kIdWang);
  p.set_phone("13700137000");
  p.set_service_address("wangwu@example.com");
  return p;
}

v1::Case CaseBody(const std::string& org, const std::string& language) {
  v1::Case c;
  c.set_dispute_type(v1::DISPUTE_TYPE_MEDICAL);
  *c.add_applicants() = Zhang();
  *c.add_respondents() = Hospital();
  *c.add_respondents() = Wang();
  c.set_summary("术后感染，申请人认为医院存在过错。");
  c.set_claims("赔偿医疗费及误工费共计两万元。");
  c.set_amount_fen(2000000);
  c.set_region_code("330681");
  c.mutable_source()->mutable_citizen_application();
  c.set_organization("organizations/" + org);
  c.set_language(language);
  return c;
}

// What a test varies of a mediator; the rest is a medical mediator in Zhuji speaking Wu.
struct MediatorSpec {
  std::vector<v1::DisputeType> specialties = {v1::DISPUTE_TYPE_MEDICAL};
  std::vector<std::string> languages = {"zh-wuu"};
  std::string region = "330681";
  int max = 10;
  std::string id_number;  // empty: MediatorIdNumber(n) of the creating call
  std::string phone = "13600000000";
  std::vector<std::string> related;
};

v1::Mediator MediatorBody(const std::string& account, const MediatorSpec& s) {
  v1::Mediator m;
  m.set_display_name("调解员 " + account);
  m.set_profile("二十年医疗纠纷调解经验");
  for (auto t : s.specialties) m.add_specialties(t);
  for (const auto& l : s.languages) m.add_languages(l);
  m.set_region_code(s.region);
  m.set_employment(v1::Mediator::EMPLOYMENT_FULL_TIME);
  m.set_max_concurrent_cases(s.max);
  m.set_principal("principals/" + account);
  auto* p = m.mutable_private_details();
  p->set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  p->set_id_number(s.id_number);
  p->set_phone(s.phone);
  for (const auto& r : s.related) p->add_related_id_numbers(r);
  return m;
}

std::string MediatorName(const std::string& org, const std::string& id) {
  return "organizations/" + org + "/mediators/" + id;
}

class RosterTest : public ::testing::Test {
 protected:
  struct Account {
    std::string id, role;
    std::vector<std::string> extra;
  };
  static Account Admin(const std::string& id, const std::string& org) {
    return {id, "org_admin", {"--organization", "organizations/" + org}};
  }
  static Account MediatorAccount(const std::string& id, const std::string& org) {
    return {id, "mediator", {"--organization", "organizations/" + org}};
  }
  static Account Citizen(const std::string& id, const std::string& id_number) {
    return {id, "citizen", {"--id-number", id_number}};
  }

  // Creates the accounts (and a platform admin, "platform"), starts odrd without a rate limit
  // (the tests make hundreds of calls a second as one admin) and issues everyone a token.
  void Start(std::vector<Account> accounts) {
    const std::string data = dir_.file("data");
    accounts.push_back({"platform", "platform_admin", {}});
    std::map<std::string, std::string> keys;
    for (auto& a : accounts) keys[a.id] = testing::CreatePrincipal(data, a.id, a.role, a.extra);
    server_ =
        std::make_unique<testing::OdrdProcess>(data, std::vector<std::string>{"--rate-limit", "0"});
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    roster_ = v1::RosterService::NewStub(channel_);
    cases_ = v1::CaseService::NewStub(channel_);
    for (const auto& [id, key] : keys) tokens_[id] = testing::IssueToken(channel_, id, key);
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& who) {
    auto it = tokens_.find(who);
    EXPECT_NE(it, tokens_.end()) << who;
    return testing::AuthedContext(it == tokens_.end() ? "" : it->second);
  }

  // --- Roster ---

  grpc::Status TryCreateOrg(const std::string& who, const std::string& id,
                            const std::string& region, v1::Organization* out) {
    v1::CreateOrganizationRequest req;
    req.set_organization_id(id);
    req.mutable_organization()->set_display_name("调解委员会 " + id);
    req.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL);
    req.mutable_organization()->set_region_code(region);
    return roster_->CreateOrganization(As(who).get(), req, out);
  }

  v1::Organization CreateOrg(const std::string& id, const std::string& region = "330681") {
    v1::Organization out;
    grpc::Status s = TryCreateOrg("platform", id, region, &out);
    EXPECT_THAT(s, IsOk()) << id << ": " << Describe(s);
    return out;
  }

  grpc::Status TryCreateMediator(const std::string& admin, const std::string& org,
                                 const std::string& id, const v1::Mediator& body,
                                 v1::Mediator* out) {
    v1::CreateMediatorRequest req;
    req.set_parent("organizations/" + org);
    req.set_mediator_id(id);
    *req.mutable_mediator() = body;
    return roster_->CreateMediator(As(admin).get(), req, out);
  }

  // Creates `id` in `org` with account `account`; returns its resource name.
  std::string CreateMediator(const std::string& admin, const std::string& org,
                             const std::string& id, const std::string& account,
                             MediatorSpec spec = {}) {
    if (spec.id_number.empty()) spec.id_number = MediatorIdNumber(++mediators_created_);
    v1::Mediator out;
    grpc::Status s = TryCreateMediator(admin, org, id, MediatorBody(account, spec), &out);
    EXPECT_THAT(s, IsOk()) << id << ": " << Describe(s);
    EXPECT_EQ(out.name(), MediatorName(org, id));
    return out.name();
  }

  v1::Mediator GetMediator(const std::string& who, const std::string& name) {
    v1::GetMediatorRequest req;
    req.set_name(name);
    v1::Mediator out;
    grpc::Status s = roster_->GetMediator(As(who).get(), req, &out);
    EXPECT_THAT(s, IsOk()) << name << ": " << Describe(s);
    return out;
  }

  int Load(const std::string& admin, const std::string& name) {
    return GetMediator(admin, name).active_cases();
  }

  grpc::Status Suspend(const std::string& admin, const std::string& name) {
    v1::SuspendMediatorRequest req;
    req.set_name(name);
    req.set_reason("暂停接案：年度考核");
    v1::Mediator out;
    return roster_->SuspendMediator(As(admin).get(), req, &out);
  }

  // Every mediator of the (paged) listing, by name.
  std::vector<std::string> ListNames(const std::string& who, v1::ListMediatorsRequest req) {
    std::vector<std::string> out;
    for (int page = 0; page < 100; ++page) {
      v1::ListMediatorsResponse resp;
      grpc::Status s = roster_->ListMediators(As(who).get(), req, &resp);
      EXPECT_THAT(s, IsOk()) << Describe(s);
      if (!s.ok()) break;
      for (const auto& m : resp.mediators()) out.push_back(m.name());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return out;
  }

  // --- Cases ---

  // A case before `org`, filed, submitted and accepted by its admin.
  v1::Case AcceptedCase(const std::string& admin, const std::string& org,
                        const std::string& language = "zh-wuu") {
    v1::CreateCaseRequest create;
    *create.mutable_case_() = CaseBody(org, language);
    v1::Case k;
    grpc::Status s = cases_->CreateCase(As(admin).get(), create, &k);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    v1::SubmitCaseRequest submit;
    submit.set_name(k.name());
    s = cases_->SubmitCase(As(admin).get(), submit, &k);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    v1::AcceptCaseRequest accept;
    accept.set_name(k.name());
    s = cases_->AcceptCase(As(admin).get(), accept, &k);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(k.state(), v1::Case::STATE_ACCEPTED);
    return k;
  }

  v1::Case GetCase(const std::string& who, const std::string& name) {
    v1::GetCaseRequest req;
    req.set_name(name);
    v1::Case k;
    grpc::Status s = cases_->GetCase(As(who).get(), req, &k);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    return k;
  }

  grpc::Status Assign(const std::string& admin, const std::string& case_name,
                      const std::string& mediator, v1::Case* out = nullptr) {
    v1::AssignCaseMediatorRequest req;
    req.set_name(case_name);
    req.set_mediator(mediator);
    v1::Case ignored;
    return cases_->AssignCaseMediator(As(admin).get(), req, out ? out : &ignored);
  }

  grpc::Status AcceptAssignment(const std::string& mediator_account, const std::string& case_name,
                                bool declared, v1::Case* out = nullptr) {
    v1::AcceptAssignmentRequest req;
    req.set_name(case_name);
    req.set_no_conflict_declared(declared);
    v1::Case ignored;
    return cases_->AcceptAssignment(As(mediator_account).get(), req, out ? out : &ignored);
  }

  grpc::Status Decline(const std::string& mediator_account, const std::string& case_name,
                       const std::string& reason, v1::Case* out = nullptr) {
    v1::DeclineAssignmentRequest req;
    req.set_name(case_name);
    req.set_reason(reason);
    v1::Case ignored;
    return cases_->DeclineAssignment(As(mediator_account).get(), req, out ? out : &ignored);
  }

  grpc::Status Replace(const std::string& who, const std::string& case_name,
                       const std::string& mediator, const std::string& reason,
                       v1::Case* out = nullptr) {
    v1::ReplaceMediatorRequest req;
    req.set_name(case_name);
    req.set_mediator(mediator);
    req.set_reason(reason);
    v1::Case ignored;
    return cases_->ReplaceMediator(As(who).get(), req, out ? out : &ignored);
  }

  grpc::Status Choose(const std::string& who, const std::string& case_name,
                      const std::string& mediator, v1::Case* out = nullptr) {
    v1::ChooseMediatorRequest req;
    req.set_name(case_name);
    req.set_mediator(mediator);
    v1::Case ignored;
    return cases_->ChooseMediator(As(who).get(), req, out ? out : &ignored);
  }

  v1::RecommendMediatorsResponse Recommend(const std::string& admin, const std::string& case_name,
                                           int max_results = 0, const std::string& pool = "") {
    v1::RecommendMediatorsRequest req;
    req.set_name(case_name);
    req.set_max_results(max_results);
    req.set_pool(pool);
    v1::RecommendMediatorsResponse out;
    grpc::Status s = cases_->RecommendMediators(As(admin).get(), req, &out);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    return out;
  }

  static std::vector<std::string> Names(const v1::RecommendMediatorsResponse& r) {
    std::vector<std::string> out;
    for (const auto& m : r.recommendations()) out.push_back(m.mediator());
    return out;
  }

  std::vector<v1::CaseEvent> Events(const std::string& who, const std::string& case_name) {
    v1::ListCaseEventsRequest req;
    req.set_parent(case_name);
    req.set_page_size(1000);
    v1::ListCaseEventsResponse resp;
    grpc::Status s = cases_->ListCaseEvents(As(who).get(), req, &resp);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    return {resp.events().begin(), resp.events().end()};
  }

  static std::vector<std::string> EventReasons(const std::vector<v1::CaseEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.reason());
    return out;
  }

  // The assignment of `mediator` in `k` (the last, if several).
  static v1::MediatorAssignment AssignmentOf(const v1::Case& k, const std::string& mediator) {
    v1::MediatorAssignment out;
    for (const auto& a : k.mediator_assignments()) {
      if (a.mediator() == mediator) out = a;
    }
    EXPECT_FALSE(out.mediator().empty()) << mediator << " has no assignment in " << k.name();
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::OdrdProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RosterService::Stub> roster_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::map<std::string, std::string> tokens_;
  int mediators_created_ = 0;
};

// ---------------------------------------------------------------------------------------------
// 1. Roster CRUD and the public roster.

TEST_F(RosterTest, OrganizationsMediatorsAndPools) {
  Start({Admin("admin-a", "org-a"), Admin("admin-b", "org-b"), MediatorAccount("med-a1", "org-a"),
         MediatorAccount("med-a2", "org-a"), MediatorAccount("med-a3", "org-a"),
         MediatorAccount("med-b1", "org-b"), Citizen("citizen-z", testing::kIdZhang)});

  // Organizations: platform admins create them; anyone signed in reads them.
  {
    v1::CreateOrganizationRequest req;
    req.set_organization_id("org-a");
    auto* o = req.mutable_organization();
    o->set_display_name("诸暨市医疗纠纷人民调解委员会");
    o->set_kind(v1::ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL);
    o->set_region_code("330681");
    o->set_affiliated_court("courts/zhuji");
    v1::Organization created;
    grpc::Status s = roster_->CreateOrganization(As("platform").get(), req, &created);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(created.name(), "organizations/org-a");
    EXPECT_EQ(created.display_name(), "诸暨市医疗纠纷人民调解委员会");
    EXPECT_EQ(created.kind(), v1::ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL);
    EXPECT_EQ(created.region_code(), "330681");
    EXPECT_EQ(created.affiliated_court(), "courts/zhuji");
    EXPECT_FALSE(created.etag().empty());
    EXPECT_GT(created.create_time().seconds(), 0);

    v1::GetOrganizationRequest get;
    get.set_name("organizations/org-a");
    v1::Organization got;
    s = roster_->GetOrganization(As("citizen-z").get(), get, &got);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
  }
  CreateOrg("org-b", "330106");
  {
    v1::Organization out;
    grpc::Status s = TryCreateOrg("admin-a", "org-c", "330681", &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);

    v1::ListOrganizationsRequest list;
    list.set_region_prefix("3306");
    v1::ListOrganizationsResponse resp;
    s = roster_->ListOrganizations(As("citizen-z").get(), list, &resp);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    ASSERT_EQ(resp.organizations_size(), 1);
    EXPECT_EQ(resp.organizations(0).name(), "organizations/org-a");
    list.clear_region_prefix();
    v1::ListOrganizationsResponse all;
    s = roster_->ListOrganizations(As("citizen-z").get(), list, &all);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    ASSERT_EQ(all.organizations_size(), 2);
    EXPECT_EQ(all.organizations(1).name(), "organizations/org-b");
  }

  // Mediators, by each organization's own admin.
  const std::string a1_id = MediatorIdNumber(1);
  {
    v1::Mediator body = MediatorBody(
        "med-a1", {.specialties = {v1::DISPUTE_TYPE_MEDICAL, v1::DISPUTE_TYPE_TRAFFIC_ACCIDENT},
                   .languages = {"zh", "zh-wuu"},
                   .max = 5,
                   .id_number = a1_id,
                   .phone = "13611112222",
                   .related = {testing::kIdWang}});
    body.set_fee_fen(20000);
    v1::Mediator created;
    grpc::Status s = TryCreateMediator("admin-a", "org-a", "a1", body, &created);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(created.name(), MediatorName("org-a", "a1"));
    EXPECT_EQ(created.state(), v1::Mediator::STATE_ACTIVE);
    EXPECT_EQ(created.active_cases(), 0);
    EXPECT_EQ(created.principal(), "principals/med-a1");
    EXPECT_EQ(created.fee_fen(), 20000);
    EXPECT_FALSE(created.etag().empty());
    EXPECT_EQ(created.private_details().id_number(), a1_id);
  }
  const std::string a1 = MediatorName("org-a", "a1");
  const std::string a2 = CreateMediator(
      "admin-a", "org-a", "a2", "med-a2",
      {.specialties = {v1::DISPUTE_TYPE_LABOUR}, .languages = {"zh", "en"}, .region = "330602"});
  const std::string a3 = CreateMediator("admin-a", "org-a", "a3", "med-a3", {.languages = {"zh"}});
  const std::string b1 =
      CreateMediator("admin-b", "org-b", "b1", "med-b1", {.languages = {"zh"}, .region = "330106"});

  // Private details: only for the organization's admins.
  {
    v1::Mediator as_admin = GetMediator("admin-a", a1);
    ASSERT_TRUE(as_admin.has_private_details());
    EXPECT_EQ(as_admin.private_details().id_document_type(), v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
    EXPECT_EQ(as_admin.private_details().id_number(), a1_id);
    EXPECT_EQ(as_admin.private_details().phone(), "13611112222");
    EXPECT_THAT(as_admin.private_details().related_id_numbers(), ElementsAre(testing::kIdWang));
    for (const std::string who : {"citizen-z", "admin-b", "med-a2"}) {
      v1::Mediator m = GetMediator(who, a1);
      EXPECT_FALSE(m.has_private_details()) << who;
      // The public profile is all there.
      EXPECT_EQ(m.display_name(), as_admin.display_name()) << who;
      EXPECT_EQ(m.profile(), as_admin.profile()) << who;
      EXPECT_THAT(m.specialties(),
                  ElementsAre(v1::DISPUTE_TYPE_MEDICAL, v1::DISPUTE_TYPE_TRAFFIC_ACCIDENT));
      EXPECT_THAT(m.languages(), ElementsAre("zh", "zh-wuu")) << who;
      EXPECT_EQ(m.region_code(), "330681") << who;
      EXPECT_EQ(m.fee_fen(), 20000) << who;
      EXPECT_EQ(m.max_concurrent_cases(), 5) << who;
      EXPECT_EQ(m.employment(), v1::Mediator::EMPLOYMENT_FULL_TIME) << who;
    }
  }

  // The public roster and its filters.
  auto list = [&](const std::string& parent, auto configure) {
    v1::ListMediatorsRequest req;
    req.set_parent(parent);
    configure(req);
    return ListNames("citizen-z", req);
  };
  auto none = [](v1::ListMediatorsRequest&) {};
  EXPECT_THAT(list("organizations/-", none), ElementsAre(a1, a2, a3, b1));
  EXPECT_THAT(list("organizations/org-a", none), ElementsAre(a1, a2, a3));
  EXPECT_THAT(list("organizations/org-b", none), ElementsAre(b1));
  EXPECT_THAT(
      list("organizations/org-a", [](auto& r) { r.set_specialty(v1::DISPUTE_TYPE_MEDICAL); }),
      ElementsAre(a1, a3));
  EXPECT_THAT(
      list("organizations/-", [](auto& r) { r.set_specialty(v1::DISPUTE_TYPE_TRAFFIC_ACCIDENT); }),
      ElementsAre(a1));
  EXPECT_THAT(list("organizations/-", [](auto& r) { r.set_region_prefix("330681"); }),
              ElementsAre(a1, a3));
  EXPECT_THAT(list("organizations/-", [](auto& r) { r.set_region_prefix("3306"); }),
              ElementsAre(a1, a2, a3));
  EXPECT_THAT(list("organizations/-", [](auto& r) { r.set_region_prefix("33"); }),
              ElementsAre(a1, a2, a3, b1));
  EXPECT_THAT(list("organizations/-", [](auto& r) { r.set_language("zh-wuu"); }), ElementsAre(a1));
  EXPECT_THAT(list("organizations/-", [](auto& r) { r.set_language("en"); }), ElementsAre(a2));
  EXPECT_THAT(list("organizations/-",
                   [](auto& r) {
                     r.set_specialty(v1::DISPUTE_TYPE_MEDICAL);
                     r.set_language("zh");
                     r.set_region_prefix("3306");
                   }),
              ElementsAre(a1, a3));
  EXPECT_THAT(list("organizations/-", [](auto& r) { r.set_accepting_cases(true); }),
              ElementsAre(a1, a2, a3, b1));
  ASSERT_THAT(Suspend("admin-a", a3), IsOk());
  EXPECT_EQ(GetMediator("citizen-z", a3).state(), v1::Mediator::STATE_SUSPENDED);
  EXPECT_THAT(list("organizations/-", [](auto& r) { r.set_accepting_cases(true); }),
              ElementsAre(a1, a2, b1));
  {
    v1::ReactivateMediatorRequest req;
    req.set_name(a3);
    v1::Mediator out;
    grpc::Status s = roster_->ReactivateMediator(As("admin-a").get(), req, &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Mediator::STATE_ACTIVE);
  }
  EXPECT_THAT(list("organizations/-", [](auto& r) { r.set_accepting_cases(true); }),
              ElementsAre(a1, a2, a3, b1));

  // Paging, one at a time: every mediator once, then no token.
  {
    v1::ListMediatorsRequest req;
    req.set_parent("organizations/-");
    req.set_page_size(1);
    std::vector<std::string> seen;
    int pages = 0;
    while (true) {
      v1::ListMediatorsResponse resp;
      grpc::Status s = roster_->ListMediators(As("citizen-z").get(), req, &resp);
      ASSERT_THAT(s, IsOk()) << Describe(s);
      ++pages;
      ASSERT_EQ(resp.mediators_size(), 1) << "page " << pages;
      seen.push_back(resp.mediators(0).name());
      if (resp.next_page_token().empty()) break;
      ASSERT_LT(pages, 10);
      req.set_page_token(resp.next_page_token());
    }
    EXPECT_EQ(pages, 4);
    EXPECT_THAT(seen, ElementsAre(a1, a2, a3, b1));
  }

  // In the listing too, private details only for the organization's own admins.
  {
    v1::ListMediatorsRequest req;
    req.set_parent("organizations/-");
    v1::ListMediatorsResponse resp;
    ASSERT_THAT(roster_->ListMediators(As("admin-a").get(), req, &resp), IsOk());
    ASSERT_EQ(resp.mediators_size(), 4);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(resp.mediators(i).has_private_details()) << i;
    EXPECT_FALSE(resp.mediators(3).has_private_details());
    v1::ListMediatorsResponse as_citizen;
    ASSERT_THAT(roster_->ListMediators(As("citizen-z").get(), req, &as_citizen), IsOk());
    ASSERT_EQ(as_citizen.mediators_size(), 4);
    for (const auto& m : as_citizen.mediators()) {
      EXPECT_FALSE(m.has_private_details()) << m.name();
    }
  }
  {
    v1::ListMediatorsRequest req;
    req.set_parent("organizations/-");
    req.set_language("xx");
    v1::ListMediatorsResponse resp;
    grpc::Status s = roster_->ListMediators(As("citizen-z").get(), req, &resp);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("language"));
  }

  // An update by the admin, with the etag; a stale etag is ABORTED.
  {
    v1::Mediator current = GetMediator("admin-a", a2);
    v1::UpdateMediatorRequest req;
    *req.mutable_mediator() = current;
    req.mutable_mediator()->set_display_name("王调解员");
    req.mutable_mediator()->set_max_concurrent_cases(8);
    req.mutable_update_mask()->add_paths("display_name");
    req.mutable_update_mask()->add_paths("max_concurrent_cases");
    v1::Mediator updated;
    grpc::Status s = roster_->UpdateMediator(As("admin-a").get(), req, &updated);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(updated.display_name(), "王调解员");
    EXPECT_EQ(updated.max_concurrent_cases(), 8);
    EXPECT_EQ(updated.languages_size(), 2);
    EXPECT_NE(updated.etag(), current.etag());
    s = roster_->UpdateMediator(As("admin-a").get(), req, &updated);  // current.etag is stale
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::ABORTED)) << Describe(s);
    s = roster_->UpdateMediator(As("admin-b").get(), req, &updated);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  }

  // Pools.
  {
    v1::CreatePoolRequest req;
    req.set_parent("organizations/org-a");
    req.set_pool_id("zhuji-medical");
    auto* p = req.mutable_pool();
    p->set_display_name("诸暨医疗纠纷");
    p->add_dispute_types(v1::DISPUTE_TYPE_MEDICAL);
    p->add_region_codes("3306");
    p->add_mediators(a1);
    p->add_mediators(a3);
    v1::Pool created;
    grpc::Status s = roster_->CreatePool(As("admin-a").get(), req, &created);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(created.name(), "organizations/org-a/pools/zhuji-medical");
    EXPECT_EQ(created.display_name(), "诸暨医疗纠纷");
    EXPECT_THAT(created.dispute_types(), ElementsAre(v1::DISPUTE_TYPE_MEDICAL));
    EXPECT_THAT(created.region_codes(), ElementsAre("3306"));
    EXPECT_THAT(created.mediators(), ElementsAre(a1, a3));
    EXPECT_FALSE(created.etag().empty());

    v1::GetPoolRequest get;
    get.set_name(created.name());
    v1::Pool got;
    s = roster_->GetPool(As("citizen-z").get(), get, &got);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

    s = roster_->CreatePool(As("admin-a").get(), req, &created);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::ALREADY_EXISTS)) << Describe(s);

    v1::CreatePoolRequest labour;
    labour.set_parent("organizations/org-a");
    labour.set_pool_id("labour");
    labour.mutable_pool()->set_display_name("劳动争议");
    labour.mutable_pool()->add_mediators(a2);
    s = roster_->CreatePool(As("admin-a").get(), labour, &created);
    ASSERT_THAT(s, IsOk()) << Describe(s);

    v1::ListPoolsRequest lp;
    lp.set_parent("organizations/org-a");
    v1::ListPoolsResponse pools;
    s = roster_->ListPools(As("citizen-z").get(), lp, &pools);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    ASSERT_EQ(pools.pools_size(), 2);
    EXPECT_EQ(pools.pools(0).name(), "organizations/org-a/pools/labour");
    EXPECT_EQ(pools.pools(1).name(), "organizations/org-a/pools/zhuji-medical");
    lp.set_parent("organizations/org-b");
    s = roster_->ListPools(As("citizen-z").get(), lp, &pools);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(pools.pools_size(), 0);

    // A pool holds only its organization's mediators; only that organization's admins make one.
    v1::CreatePoolRequest foreign = labour;
    foreign.set_pool_id("mixed");
    foreign.mutable_pool()->add_mediators(b1);
    s = roster_->CreatePool(As("admin-a").get(), foreign, &created);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("pool.mediators[1]"));
    foreign.mutable_pool()->set_mediators(1, MediatorName("org-a", "nobody"));
    s = roster_->CreatePool(As("admin-a").get(), foreign, &created);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("pool.mediators[1]"));
    labour.set_pool_id("labour-2");
    s = roster_->CreatePool(As("admin-b").get(), labour, &created);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Bad input: the right code, and the field (or reason) named.

TEST_F(RosterTest, BadInputNamesTheField) {
  Start({Admin("admin-a", "org-a"), Admin("admin-b", "org-b"), Admin("admin-ghost", "org-ghost"),
         MediatorAccount("med-a1", "org-a"), MediatorAccount("med-a2", "org-a"),
         MediatorAccount("med-a3", "org-a"), MediatorAccount("med-b1", "org-b"),
         MediatorAccount("med-ghost", "org-ghost"), Citizen("citizen-z", testing::kIdZhang)});
  CreateOrg("org-a");
  CreateOrg("org-b");

  // Organizations.
  {
    v1::Organization out;
    grpc::Status s = TryCreateOrg("platform", "org-a", "330681", &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::ALREADY_EXISTS)) << Describe(s);
    EXPECT_EQ(Details(s).reason(), "ALREADY_EXISTS");
    EXPECT_THAT(s.error_message(), HasSubstr("organizations/org-a"));

    s = TryCreateOrg("platform", "Org_A", "330681", &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("organization_id"));
    s = TryCreateOrg("platform", "org-z", "990681", &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("organization.region_code"));

    v1::CreateOrganizationRequest req;
    req.set_organization_id("org-y");
    req.mutable_organization()->set_region_code("330681");
    s = roster_->CreateOrganization(As("platform").get(), req, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s),
                AllOf(Contains("organization.kind"), Contains("organization.display_name")));

    v1::GetOrganizationRequest get;
    get.set_name("organizations/org-ghost");
    s = roster_->GetOrganization(As("citizen-z").get(), get, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);
  }

  const std::string a1 = CreateMediator("admin-a", "org-a", "a1", "med-a1");
  auto try_create = [&](const std::string& admin, const std::string& org, const std::string& id,
                        const v1::Mediator& body) {
    v1::Mediator out;
    return TryCreateMediator(admin, org, id, body, &out);
  };
  const MediatorSpec ok_spec{.id_number = MediatorIdNumber(50)};

  // Unknown organization (the caller is that organization's admin, the account its mediator).
  {
    grpc::Status s =
        try_create("admin-ghost", "org-ghost", "g1", MediatorBody("med-ghost", ok_spec));
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);
    EXPECT_EQ(Details(s).reason(), "NOT_FOUND");
    EXPECT_THAT(s.error_message(), HasSubstr("organizations/org-ghost"));
  }
  // Duplicate mediator id.
  {
    grpc::Status s = try_create("admin-a", "org-a", "a1", MediatorBody("med-a2", ok_spec));
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::ALREADY_EXISTS)) << Describe(s);
    EXPECT_EQ(Details(s).reason(), "ALREADY_EXISTS");
    EXPECT_THAT(s.error_message(), HasSubstr(a1));
  }
  // Field by field.
  struct BadCase {
    const char* what;
    std::function<void(v1::Mediator*)> mutate;
    const char* field;
  };
  const std::vector<BadCase> bad = {
      {"capacity 0", [](v1::Mediator* m) { m->set_max_concurrent_cases(0); },
       "mediator.max_concurrent_cases"},
      {"capacity 201", [](v1::Mediator* m) { m->set_max_concurrent_cases(201); },
       "mediator.max_concurrent_cases"},
      {"unknown language", [](v1::Mediator* m) { m->set_languages(0, "xx"); },
       "mediator.languages[0]"},
      {"second language unknown", [](v1::Mediator* m) { m->add_languages("klingon"); },
       "mediator.languages[1]"},
      {"no language", [](v1::Mediator* m) { m->clear_languages(); }, "mediator.languages"},
      {"unknown specialty",
       [](v1::Mediator* m) { m->set_specialties(0, static_cast<v1::DisputeType>(99)); },
       "mediator.specialties[0]"},
      {"no specialty", [](v1::Mediator* m) { m->clear_specialties(); }, "mediator.specialties"},
      {"bad region", [](v1::Mediator* m) { m->set_region_code("33068"); }, "mediator.region_code"},
      {"no employment", [](v1::Mediator* m) { m->clear_employment(); }, "mediator.employment"},
      {"negative fee", [](v1::Mediator* m) { m->set_fee_fen(-1); }, "mediator.fee_fen"},
      {"no display name", [](v1::Mediator* m) { m->clear_display_name(); },
       "mediator.display_name"},
      {"bad id number",
       [](v1::Mediator* m) { m->mutable_private_details()->set_id_number("330681197001011234"); },
       "mediator.private_details.id_number"},
      {"no private details", [](v1::Mediator* m) { m->clear_private_details(); },
       "mediator.private_details.phone"},
      {"bad phone", [](v1::Mediator* m) { m->mutable_private_details()->set_phone("12345"); },
       "mediator.private_details.phone"},
      {"mediator of another organization",
       [](v1::Mediator* m) { m->set_principal("principals/med-b1"); }, "mediator.principal"},
      {"a citizen's account", [](v1::Mediator* m) { m->set_principal("principals/citizen-z"); },
       "mediator.principal"},
      {"no such account", [](v1::Mediator* m) { m->set_principal("principals/nobody"); },
       "mediator.principal"},
      {"account already on the roster",
       [](v1::Mediator* m) { m->set_principal("principals/med-a1"); }, "mediator.principal"},
      {"no account", [](v1::Mediator* m) { m->clear_principal(); }, "mediator.principal"},
  };
  for (const BadCase& b : bad) {
    v1::Mediator body = MediatorBody("med-a2", ok_spec);
    b.mutate(&body);
    grpc::Status s = try_create("admin-a", "org-a", "a2", body);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << b.what << ": " << Describe(s);
    EXPECT_EQ(Details(s).reason(), "INVALID_FIELD") << b.what;
    EXPECT_THAT(ViolatedFields(s), Contains(b.field)) << b.what << ": " << Describe(s);
  }
  {
    grpc::Status s = try_create("admin-a", "org-a", "A_2", MediatorBody("med-a2", ok_spec));
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("mediator_id"));
  }
  // Another organization's admin, a citizen, a mediator: not theirs to manage.
  for (const std::string who : {"admin-b", "citizen-z", "med-a1", "platform"}) {
    grpc::Status s = try_create(who, "org-a", "a2", MediatorBody("med-a2", ok_spec));
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << who << ": " << Describe(s);
  }
  // Nothing above was created.
  {
    v1::ListMediatorsRequest req;
    req.set_parent("organizations/-");
    EXPECT_THAT(ListNames("citizen-z", req), ElementsAre(a1));
  }

  // Updates are validated the same way.
  {
    v1::UpdateMediatorRequest req;
    req.mutable_mediator()->set_name(a1);
    req.mutable_mediator()->set_max_concurrent_cases(0);
    req.mutable_update_mask()->add_paths("max_concurrent_cases");
    v1::Mediator out;
    grpc::Status s = roster_->UpdateMediator(As("admin-a").get(), req, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("mediator.max_concurrent_cases"));
    req.mutable_mediator()->add_languages("xx");
    req.mutable_update_mask()->set_paths(0, "languages");
    s = roster_->UpdateMediator(As("admin-a").get(), req, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("mediator.languages[0]"));
    req.mutable_update_mask()->set_paths(0, "state");
    s = roster_->UpdateMediator(As("admin-a").get(), req, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("update_mask"));
    EXPECT_EQ(GetMediator("admin-a", a1).max_concurrent_cases(), 10);
  }
  // Suspension needs a reason.
  {
    v1::SuspendMediatorRequest req;
    req.set_name(a1);
    v1::Mediator out;
    grpc::Status s = roster_->SuspendMediator(As("admin-a").get(), req, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("reason"));
  }

  // Proposals: a suspended mediator, one not on the roster, one of another organization.
  const std::string a3 = CreateMediator("admin-a", "org-a", "a3", "med-a3");
  const std::string b1 = CreateMediator("admin-b", "org-b", "b1", "med-b1");
  ASSERT_THAT(Suspend("admin-a", a3), IsOk());
  const v1::Case k = AcceptedCase("admin-a", "org-a");
  {
    grpc::Status s = Assign("admin-a", k.name(), a3);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
    EXPECT_EQ(Details(s).reason(), "MEDIATOR_SUSPENDED");
    EXPECT_THAT(s.error_message(), HasSubstr(a3));

    s = Assign("admin-a", k.name(), MediatorName("org-a", "nobody"));
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("mediator"));
    s = Assign("admin-a", k.name(), b1);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("mediator"));
    s = Assign("admin-a", k.name(), "m1");
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("mediator"));
  }
  // Nothing changed: the case is still waiting, the suspended mediator holds no case, and only
  // a1 is recommended.
  EXPECT_EQ(GetCase("admin-a", k.name()).state(), v1::Case::STATE_ACCEPTED);
  EXPECT_EQ(Load("admin-a", a3), 0);
  EXPECT_THAT(Names(Recommend("admin-a", k.name())), ElementsAre(a1));
  {
    v1::RecommendMediatorsRequest req;
    req.set_name(k.name());
    req.set_pool("organizations/org-b/pools/any");
    v1::RecommendMediatorsResponse out;
    grpc::Status s = cases_->RecommendMediators(As("admin-a").get(), req, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("pool"));
    req.clear_pool();
    req.set_max_results(-1);
    s = cases_->RecommendMediators(As("admin-a").get(), req, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("max_results"));
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Ranking follows the documented weights (domain::MatchWeights).

// The score RankMediators documents: specialty 0.40, region 0.20 x {1, 0.6, 0.3}, language
// 0.15 x {1, 0.5}, load 0.15 x (1 - active/max), outcome 0.10 x (settled + 1) / (ended + 2).
double ExpectedScore(bool specialty, double region, double language, int active, int max,
                     int settled, int ended) {
  double s = 0;
  s += specialty ? 0.40 : 0;
  s += 0.20 * region;
  s += 0.15 * language;
  s += 0.15 * (1.0 - static_cast<double>(active) / max);
  s += 0.10 * (settled + 1.0) / (ended + 2.0);
  return s;
}

TEST_F(RosterTest, RankingFollowsTheDocumentedWeights) {
  const std::vector<std::string> ids = {"base", "nospec", "city",    "prov", "other", "zh",
                                        "en",   "load",   "outcome", "susp", "full",  "conf"};
  std::vector<Account> accounts = {Admin("admin-r", "org-r")};
  for (const auto& id : ids) accounts.push_back(MediatorAccount("med-" + id, "org-r"));
  Start(accounts);
  CreateOrg("org-r");
  auto name = [](const std::string& id) { return MediatorName("org-r", id); };
  // Each differs from "base" (medical, Zhuji 330681, zh-wuu, 0 of 10 cases, nothing ended) in
  // one factor.
  CreateMediator("admin-r", "org-r", "base", "med-base");
  CreateMediator("admin-r", "org-r", "nospec", "med-nospec",
                 {.specialties = {v1::DISPUTE_TYPE_LABOUR, v1::DISPUTE_TYPE_NEIGHBOUR}});
  CreateMediator("admin-r", "org-r", "city", "med-city", {.region = "330602"});    // Shaoxing
  CreateMediator("admin-r", "org-r", "prov", "med-prov", {.region = "330106"});    // Hangzhou
  CreateMediator("admin-r", "org-r", "other", "med-other", {.region = "110101"});  // Beijing
  CreateMediator("admin-r", "org-r", "zh", "med-zh", {.languages = {"zh"}});
  CreateMediator("admin-r", "org-r", "en", "med-en", {.languages = {"en"}});
  CreateMediator("admin-r", "org-r", "load", "med-load");
  CreateMediator("admin-r", "org-r", "outcome", "med-outcome");
  CreateMediator("admin-r", "org-r", "susp", "med-susp");
  CreateMediator("admin-r", "org-r", "full", "med-full", {.max = 1});
  CreateMediator("admin-r", "org-r", "conf", "med-conf", {.related = {testing::kIdZhang}});
  ASSERT_THAT(Suspend("admin-r", name("susp")), IsOk());

  // Load: "load" holds 2 cases, "full" its only one. Outcome: "outcome" accepted a case that
  // then ended (withdrawn), so 0 settled of 1 ended.
  for (int i = 0; i < 2; ++i) {
    ASSERT_THAT(Assign("admin-r", AcceptedCase("admin-r", "org-r").name(), name("load")), IsOk());
  }
  ASSERT_THAT(Assign("admin-r", AcceptedCase("admin-r", "org-r").name(), name("full")), IsOk());
  {
    const v1::Case ended = AcceptedCase("admin-r", "org-r");
    ASSERT_THAT(Assign("admin-r", ended.name(), name("outcome")), IsOk());
    grpc::Status s = AcceptAssignment("med-outcome", ended.name(), true);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    v1::WithdrawCaseRequest w;
    w.set_name(ended.name());
    v1::Case out;
    s = cases_->WithdrawCase(As("admin-r").get(), w, &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
  }
  {
    v1::Mediator load = GetMediator("admin-r", name("load"));
    EXPECT_EQ(load.active_cases(), 2);
    v1::Mediator outcome = GetMediator("admin-r", name("outcome"));
    EXPECT_EQ(outcome.active_cases(), 0);
    EXPECT_EQ(outcome.recent_ended(), 1);
    EXPECT_EQ(outcome.recent_settled(), 0);
    EXPECT_EQ(Load("admin-r", name("full")), 1);
  }

  // The case: medical, in Zhuji (330681), the parties speak Wu (zh-wuu).
  const v1::Case k = AcceptedCase("admin-r", "org-r", "zh-wuu");
  struct Expected {
    std::string id;
    double score;
    std::vector<std::string> reasons;  // each must appear
    std::vector<std::string> absent;   // substrings no reason may contain
  };
  const std::vector<Expected> expected = {
      {"base",
       ExpectedScore(true, 1, 1, 0, 10, 0, 0),
       {"specialty: medical", "same county", "speaks zh-wuu", "load 0/10",
        "settled 0 of 0 ended in the last year"},
       {}},
      {"outcome",
       ExpectedScore(true, 1, 1, 0, 10, 0, 1),
       {"specialty: medical", "same county", "speaks zh-wuu",
        "settled 0 of 1 ended in the last year"},
       {}},
      {"load",
       ExpectedScore(true, 1, 1, 2, 10, 0, 0),
       {"specialty: medical", "same county", "load 2/10"},
       {}},
      {"zh",
       ExpectedScore(true, 1, 0.5, 0, 10, 0, 0),
       {"specialty: medical", "same county", "speaks a variety of zh-wuu"},
       {}},
      {"city",
       ExpectedScore(true, 0.6, 1, 0, 10, 0, 0),
       {"specialty: medical", "same city", "speaks zh-wuu"},
       {"county"}},
      {"prov",
       ExpectedScore(true, 0.3, 1, 0, 10, 0, 0),
       {"specialty: medical", "same province"},
       {"county", "same city"}},
      {"en", ExpectedScore(true, 1, 0, 0, 10, 0, 0), {"same county"}, {"speaks"}},
      {"other",
       ExpectedScore(true, 0, 1, 0, 10, 0, 0),
       {"specialty: medical", "speaks zh-wuu"},
       {"same "}},
      {"nospec",
       ExpectedScore(false, 1, 1, 0, 10, 0, 0),
       {"same county", "speaks zh-wuu"},
       {"specialty"}},
  };
  // The expectations are themselves in score order, without ties.
  for (size_t i = 1; i < expected.size(); ++i) {
    ASSERT_GT(expected[i - 1].score, expected[i].score) << expected[i].id;
  }

  const v1::RecommendMediatorsResponse r = Recommend("admin-r", k.name(), 20);
  std::vector<std::string> want_order;
  for (const auto& e : expected) want_order.push_back(name(e.id));
  ASSERT_THAT(Names(r), ElementsAreArray(want_order));  // susp, full and conf are absent
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& got = r.recommendations(static_cast<int>(i));
    const auto& e = expected[i];
    EXPECT_NEAR(got.score(), e.score, 1e-9) << e.id;
    EXPECT_EQ(got.display_name(), "调解员 med-" + e.id);
    std::vector<std::string> reasons(got.reasons().begin(), got.reasons().end());
    for (const auto& want : e.reasons) EXPECT_THAT(reasons, Contains(want)) << e.id;
    for (const auto& no : e.absent) {
      EXPECT_THAT(reasons, Not(Contains(HasSubstr(no)))) << e.id;
    }
  }
  // The score is in [0, 1] and the top score is the sum of the weights but the outcome's half.
  EXPECT_NEAR(r.recommendations(0).score(), 0.95, 1e-9);

  // max_results cuts the same order; a pool narrows it to its members.
  EXPECT_THAT(Names(Recommend("admin-r", k.name(), 3)),
              ElementsAre(name("base"), name("outcome"), name("load")));
  EXPECT_EQ(Recommend("admin-r", k.name()).recommendations_size(), 9);  // default 10
  {
    v1::CreatePoolRequest req;
    req.set_parent("organizations/org-r");
    req.set_pool_id("nearby");
    req.mutable_pool()->set_display_name("周边");
    for (const char* id : {"prov", "city", "susp", "conf"})
      req.mutable_pool()->add_mediators(name(id));
    v1::Pool pool;
    grpc::Status s = roster_->CreatePool(As("admin-r").get(), req, &pool);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    const auto pooled = Recommend("admin-r", k.name(), 0, pool.name());
    EXPECT_THAT(Names(pooled), ElementsAre(name("city"), name("prov")));
  }

  // Automatic assignment proposes the first recommendation; it is not recommended again.
  {
    v1::AutoAssignMediatorRequest req;
    req.set_name(k.name());
    v1::Case out;
    grpc::Status s = cases_->AutoAssignMediator(As("admin-r").get(), req, &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_PROPOSED);
    ASSERT_EQ(out.mediator_assignments_size(), 1);
    EXPECT_EQ(out.mediator_assignments(0).mediator(), name("base"));
    EXPECT_EQ(out.mediator_assignments(0).principal(), "principals/med-base");
    EXPECT_EQ(out.mediator_assignments(0).method(), v1::MediatorAssignment::METHOD_AUTOMATIC);
    EXPECT_EQ(out.mediator_assignments(0).state(), v1::MediatorAssignment::STATE_PROPOSED);
    EXPECT_THAT(out.mediators(), ElementsAre("principals/med-base"));
    EXPECT_EQ(Load("admin-r", name("base")), 1);
    const auto after = Recommend("admin-r", k.name(), 20);
    EXPECT_THAT(Names(after), Not(Contains(name("base"))));
    EXPECT_EQ(after.recommendations_size(), 8);
    EXPECT_EQ(after.recommendations(0).mediator(), name("outcome"));
  }
  // For another case, base's new load is in its score: 0.15 x (1 - 1/10).
  {
    const v1::Case k2 = AcceptedCase("admin-r", "org-r", "zh-wuu");
    const auto r2 = Recommend("admin-r", k2.name(), 1);
    ASSERT_EQ(r2.recommendations_size(), 1);
    EXPECT_EQ(r2.recommendations(0).mediator(), name("base"));
    EXPECT_NEAR(r2.recommendations(0).score(), ExpectedScore(true, 1, 1, 1, 10, 0, 0), 1e-9);
    EXPECT_THAT(r2.recommendations(0).reasons(), Contains("load 1/10"));
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Capacity under concurrency.

TEST_F(RosterTest, ConcurrentAssignmentsNeverExceedCapacity) {
  Start({Admin("admin-c", "org-c"), MediatorAccount("med-c1", "org-c")});
  CreateOrg("org-c");
  const std::string c1 = CreateMediator("admin-c", "org-c", "c1", "med-c1", {.max = 3});
  constexpr int kCallers = 32;
  std::vector<v1::Case> ks;
  for (int i = 0; i < kCallers; ++i) ks.push_back(AcceptedCase("admin-c", "org-c"));
  ASSERT_FALSE(HasFailure());

  // Each caller has its own connection, ready before the start.
  struct Caller {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::CaseService::Stub> stub;
    grpc::Status status;
  };
  std::vector<Caller> callers(kCallers);
  for (int i = 0; i < kCallers; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    callers[i].channel =
        grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args);
    ASSERT_TRUE(callers[i].channel->WaitForConnected(std::chrono::system_clock::now() +
                                                     std::chrono::seconds(10)));
    callers[i].stub = v1::CaseService::NewStub(callers[i].channel);
  }
  const std::string token = tokens_["admin-c"];
  auto all_at_once = [&](auto call) {
    std::latch start(kCallers);
    std::vector<std::thread> threads;
    for (int i = 0; i < kCallers; ++i) {
      threads.emplace_back([&, i] {
        auto ctx = testing::AuthedContext(token);
        ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        start.arrive_and_wait();
        callers[i].status = call(*callers[i].stub, ctx.get(), ks[i].name());
      });
    }
    for (auto& t : threads) t.join();
  };

  all_at_once([&](v1::CaseService::Stub& stub, grpc::ClientContext* ctx, const std::string& k) {
    v1::AssignCaseMediatorRequest req;
    req.set_name(k);
    req.set_mediator(c1);
    v1::Case out;
    return stub.AssignCaseMediator(ctx, req, &out);
  });
  std::vector<int> won;
  for (int i = 0; i < kCallers; ++i) {
    const grpc::Status& s = callers[i].status;
    if (s.ok()) {
      won.push_back(i);
      continue;
    }
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << i << ": " << Describe(s);
    EXPECT_EQ(Details(s).reason(), "MEDIATOR_AT_CAPACITY") << i << ": " << Describe(s);
  }
  ASSERT_EQ(won.size(), 3u);
  EXPECT_EQ(Load("admin-c", c1), 3);
  for (int i = 0; i < kCallers; ++i) {
    const bool assigned = std::find(won.begin(), won.end(), i) != won.end();
    EXPECT_EQ(GetCase("admin-c", ks[i].name()).state(),
              assigned ? v1::Case::STATE_MEDIATOR_PROPOSED : v1::Case::STATE_ACCEPTED)
        << i;
  }
  {
    v1::ListMediatorsRequest req;
    req.set_parent("organizations/org-c");
    req.set_accepting_cases(true);
    EXPECT_THAT(ListNames("admin-c", req), IsEmpty());
  }
  for (int i = 0; i < kCallers; ++i) {
    if (std::find(won.begin(), won.end(), i) != won.end()) continue;
    // A case still waiting: the full mediator is not recommended for it.
    EXPECT_EQ(Recommend("admin-c", ks[i].name()).recommendations_size(), 0);
    break;
  }

  // The capacity cannot go below the load.
  {
    v1::UpdateMediatorRequest req;
    req.mutable_mediator()->set_name(c1);
    req.mutable_mediator()->set_max_concurrent_cases(2);
    req.mutable_update_mask()->add_paths("max_concurrent_cases");
    v1::Mediator out;
    grpc::Status s = roster_->UpdateMediator(As("admin-c").get(), req, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
    EXPECT_THAT(s.error_message(), HasSubstr("3"));
    EXPECT_EQ(GetMediator("admin-c", c1).max_concurrent_cases(), 3);
  }

  // Declining releases one place.
  const std::string declined = ks[won[0]].name();
  {
    v1::Case out;
    grpc::Status s = Decline("med-c1", declined, "本月已满负荷", &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Case::STATE_ACCEPTED);
  }
  EXPECT_EQ(Load("admin-c", c1), 2);

  // 32 automatic assignments at once fill that one place and no more.
  all_at_once([&](v1::CaseService::Stub& stub, grpc::ClientContext* ctx, const std::string& k) {
    v1::AutoAssignMediatorRequest req;
    req.set_name(k);
    v1::Case out;
    return stub.AutoAssignMediator(ctx, req, &out);
  });
  int auto_won = 0;
  for (int i = 0; i < kCallers; ++i) {
    const grpc::Status& s = callers[i].status;
    if (s.ok()) {
      ++auto_won;
      EXPECT_NE(ks[i].name(), declined);  // c1 may not be proposed there again
      continue;
    }
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << i << ": " << Describe(s);
    EXPECT_THAT(Details(s).reason(),
                ::testing::AnyOf("MEDIATOR_AT_CAPACITY", "NO_MEDIATOR_AVAILABLE"))
        << i << ": " << Describe(s);
  }
  EXPECT_EQ(auto_won, 1);
  v1::Mediator after = GetMediator("admin-c", c1);
  EXPECT_EQ(after.active_cases(), 3);
  EXPECT_LE(after.active_cases(), after.max_concurrent_cases());
}

// ---------------------------------------------------------------------------------------------
// 5. Conflict screening.

TEST_F(RosterTest, EachConflictRuleRefusesTheProposal) {
  Start({Admin("admin-k", "org-k"), MediatorAccount("med-party", "org-k"),
         MediatorAccount("med-agent", "org-k"), MediatorAccount("med-phone", "org-k"),
         MediatorAccount("med-related", "org-k"), MediatorAccount("med-clean", "org-k"),
         MediatorAccount("med-late", "org-k"), Citizen("citizen-z", testing::kIdZhang),
         Citizen("citizen-w", testing::kIdWang)});
  CreateOrg("org-k");
  auto name = [](const std::string& id) { return MediatorName("org-k", id); };
  // The mediator is the applicant; is the hospital's lawyer; shares the applicant's phone in
  // another format; is recorded as related to the hospital.
  CreateMediator("admin-k", "org-k", "party", "med-party", {.id_number = testing::kIdZhang});
  CreateMediator("admin-k", "org-k", "agent", "med-agent", {.id_number = testing::kIdLi});
  CreateMediator("admin-k", "org-k", "phone", "med-phone", {.phone = "+86 138 0013 8000"});
  CreateMediator("admin-k", "org-k", "related", "med-related",
                 {.related = {Rid("44030119800101001"), testing::kUsccHospital}});
  const std::string clean_id = MediatorIdNumber(77);
  CreateMediator("admin-k", "org-k", "clean", "med-clean", {.id_number = clean_id});
  CreateMediator("admin-k", "org-k", "late", "med-late", {.phone = "13500135000"});

  const v1::Case k = AcceptedCase("admin-k", "org-k");
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"party", "is a party or an agent"},
      {"agent", "is a party or an agent"},
      {"phone", "shares a phone number"},
      {"related", "recorded as related"},
  };
  for (const auto& [id, why] : refused) {
    grpc::Status s = Assign("admin-k", k.name(), name(id));
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << id << ": " << Describe(s);
    EXPECT_EQ(Details(s).reason(), "CONFLICT_OF_INTEREST") << id;
    EXPECT_THAT(s.error_message(), HasSubstr(why)) << id;
    EXPECT_EQ(Load("admin-k", name(id)), 0) << id;
    // Nor does the parties' joint choice get them: the applicant's choice is only recorded,
    // the respondent's agreement would propose and is refused.
    s = Choose("citizen-z", k.name(), name(id));
    ASSERT_THAT(s, IsOk()) << Describe(s);
    s = Choose("citizen-w", k.name(), name(id));
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << id << ": " << Describe(s);
    EXPECT_EQ(Details(s).reason(), "CONFLICT_OF_INTEREST") << id;
  }
  EXPECT_THAT(Names(Recommend("admin-k", k.name(), 20)),
              UnorderedElementsAre(name("clean"), name("late")));
  EXPECT_EQ(GetCase("admin-k", k.name()).state(), v1::Case::STATE_ACCEPTED);

  // A clean mediator is proposed and accepts.
  {
    v1::Case out;
    grpc::Status s = Assign("admin-k", k.name(), name("clean"), &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    s = AcceptAssignment("med-clean", k.name(), true, &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_ASSIGNED);
  }

  // Who handled the case may never act in it as an agent, on either side.
  v1::UpdateCaseRequest update;
  *update.mutable_case_() = CaseBody("org-k", "zh-wuu");
  update.mutable_case_()->set_name(k.name());
  update.mutable_update_mask()->add_paths("applicants");
  *update.mutable_case_()->mutable_applicants(0)->add_agents() =
      Agent("陈调解员", clean_id, "13511112222");
  {
    v1::Case out;
    grpc::Status s = cases_->UpdateCase(As("admin-k").get(), update, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
    EXPECT_EQ(Details(s).reason(), "MEDIATOR_AS_AGENT");
    s = cases_->UpdateCase(As("citizen-z").get(), update, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
    EXPECT_EQ(Details(s).reason(), "MEDIATOR_AS_AGENT");

    v1::UpdateCaseRequest respondents;
    *respondents.mutable_case_() = CaseBody("org-k", "zh-wuu");
    respondents.mutable_case_()->set_name(k.name());
    respondents.mutable_update_mask()->add_paths("respondents");
    *respondents.mutable_case_()->mutable_respondents(1)->add_agents() =
        Agent("陈调解员", clean_id, "13511112222");
    s = cases_->UpdateCase(As("admin-k").get(), respondents, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
    EXPECT_EQ(Details(s).reason(), "MEDIATOR_AS_AGENT");
    EXPECT_EQ(GetCase("admin-k", k.name()).applicants(0).agents_size(), 0);
  }
  // Another agent is fine.
  {
    update.mutable_case_()->mutable_applicants(0)->mutable_agents(0)->set_id_number(
        Rid("33068119910505002"));
    v1::Case out;
    grpc::Status s = cases_->UpdateCase(As("admin-k").get(), update, &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.applicants(0).agents_size(), 1);
  }

  // Screening again on acceptance: "late" is proposed as a second mediator, then the applicant's
  // phone changes to late's; late may no longer accept.
  {
    v1::Case out;
    grpc::Status s = Assign("admin-k", k.name(), name("late"), &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_ASSIGNED);
    update.mutable_case_()->mutable_applicants(0)->set_phone("135-0013-5000");
    s = cases_->UpdateCase(As("admin-k").get(), update, &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    s = AcceptAssignment("med-late", k.name(), true, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
    EXPECT_EQ(Details(s).reason(), "CONFLICT_OF_INTEREST");
    EXPECT_EQ(AssignmentOf(GetCase("admin-k", k.name()), name("late")).state(),
              v1::MediatorAssignment::STATE_PROPOSED);
  }
}

// ---------------------------------------------------------------------------------------------
// 6. Assignment flows.

TEST_F(RosterTest, AssignmentDeclineRecusalAndReplacement) {
  Start({Admin("admin-f", "org-f"), MediatorAccount("med-f1", "org-f"),
         MediatorAccount("med-f2", "org-f"), MediatorAccount("med-f3", "org-f"),
         Citizen("citizen-z", testing::kIdZhang), Citizen("citizen-w", testing::kIdWang)});
  CreateOrg("org-f");
  const std::string f1 = CreateMediator("admin-f", "org-f", "f1", "med-f1");
  const std::string f2 = CreateMediator("admin-f", "org-f", "f2", "med-f2");
  const std::string f3 = CreateMediator("admin-f", "org-f", "f3", "med-f3");
  const v1::Case k = AcceptedCase("admin-f", "org-f");
  v1::Case out;

  // The organization proposes f1.
  ASSERT_THAT(Assign("admin-f", k.name(), f1, &out), IsOk());
  EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_PROPOSED);
  EXPECT_THAT(out.mediators(), ElementsAre("principals/med-f1"));
  EXPECT_EQ(AssignmentOf(out, f1).state(), v1::MediatorAssignment::STATE_PROPOSED);
  EXPECT_EQ(AssignmentOf(out, f1).method(), v1::MediatorAssignment::METHOD_ORGANIZATION);
  EXPECT_EQ(AssignmentOf(out, f1).principal(), "principals/med-f1");
  EXPECT_EQ(Load("admin-f", f1), 1);

  // Only the proposed mediator answers; accepting needs the declaration, declining a reason.
  {
    grpc::Status s = AcceptAssignment("med-f2", k.name(), true);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);
    s = AcceptAssignment("med-f1", k.name(), false);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("no_conflict_declared"));
    s = Decline("med-f1", k.name(), "");
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("reason"));
    EXPECT_EQ(GetCase("admin-f", k.name()).state(), v1::Case::STATE_MEDIATOR_PROPOSED);
  }
  // f1 declines: the case returns to assignment, f1's place is free, f1 is not proposed again.
  ASSERT_THAT(Decline("med-f1", k.name(), "与被申请人医院有业务往来", &out), IsOk());
  EXPECT_EQ(out.state(), v1::Case::STATE_ACCEPTED);
  EXPECT_THAT(out.mediators(), IsEmpty());
  EXPECT_EQ(AssignmentOf(out, f1).state(), v1::MediatorAssignment::STATE_DECLINED);
  EXPECT_EQ(AssignmentOf(out, f1).reason(), "与被申请人医院有业务往来");
  EXPECT_EQ(Load("admin-f", f1), 0);
  {
    grpc::Status s = Assign("admin-f", k.name(), f1);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
    EXPECT_EQ(Details(s).reason(), "ALREADY_PROPOSED");
    EXPECT_THAT(Names(Recommend("admin-f", k.name())), UnorderedElementsAre(f2, f3));
    // No longer the case's mediator: f1 cannot see it.
    v1::GetCaseRequest get;
    get.set_name(k.name());
    s = cases_->GetCase(As("med-f1").get(), get, &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);
  }

  // f2 is proposed and accepts, declaring no conflict.
  ASSERT_THAT(Assign("admin-f", k.name(), f2), IsOk());
  {
    grpc::Status s = AcceptAssignment("med-f2", k.name(), true, &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_ASSIGNED);
    EXPECT_EQ(AssignmentOf(out, f2).state(), v1::MediatorAssignment::STATE_ACCEPTED);
    s = AcceptAssignment("med-f2", k.name(), true);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
    EXPECT_EQ(Details(s).reason(), "NO_PENDING_ASSIGNMENT");
  }
  // A complex case: a second mediator joins; the case stays assigned throughout.
  ASSERT_THAT(Assign("admin-f", k.name(), f3, &out), IsOk());
  EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_ASSIGNED);
  EXPECT_THAT(out.mediators(), UnorderedElementsAre("principals/med-f2", "principals/med-f3"));
  ASSERT_THAT(AcceptAssignment("med-f3", k.name(), true, &out), IsOk());
  EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_ASSIGNED);
  EXPECT_EQ(Load("admin-f", f2), 1);
  EXPECT_EQ(Load("admin-f", f3), 1);

  // A mediator recuses only themself.
  {
    grpc::Status s = Replace("med-f2", k.name(), f3, "另一位调解员与当事人相识");
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
    EXPECT_EQ(AssignmentOf(GetCase("admin-f", k.name()), f3).state(),
              v1::MediatorAssignment::STATE_ACCEPTED);
    s = Replace("med-f3", k.name(), f3, "");
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("reason"));
    s = Replace("med-f3", k.name(), f3, "本人与申请人系远亲，申请回避", &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_ASSIGNED);  // f2 still mediates
    EXPECT_EQ(AssignmentOf(out, f3).state(), v1::MediatorAssignment::STATE_REPLACED);
    EXPECT_EQ(AssignmentOf(out, f3).reason(), "本人与申请人系远亲，申请回避");
    EXPECT_THAT(out.mediators(), ElementsAre("principals/med-f2"));
    EXPECT_EQ(Load("admin-f", f3), 0);
  }
  // The applicant asks for another mediator: f2 is replaced and the case returns to assignment.
  {
    grpc::Status s = Replace("citizen-z", k.name(), f2, "", &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    s = Replace("citizen-z", k.name(), f1, "f1 早已拒绝", &out);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("mediator"));
    s = Replace("citizen-z", k.name(), f2, "调解员多次未按约定时间联系", &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Case::STATE_ACCEPTED);
    EXPECT_EQ(AssignmentOf(out, f2).state(), v1::MediatorAssignment::STATE_REPLACED);
    EXPECT_EQ(AssignmentOf(out, f2).reason(), "调解员多次未按约定时间联系");
    EXPECT_THAT(out.mediators(), IsEmpty());
    EXPECT_EQ(Load("admin-f", f2), 0);
    s = Assign("admin-f", k.name(), f2);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
    EXPECT_EQ(Details(s).reason(), "ALREADY_PROPOSED");
    EXPECT_THAT(Names(Recommend("admin-f", k.name())), IsEmpty());
  }
  // Every mediator ever proposed, in order, with what became of it.
  {
    const v1::Case now = GetCase("citizen-z", k.name());
    ASSERT_EQ(now.mediator_assignments_size(), 3);
    EXPECT_EQ(now.mediator_assignments(0).mediator(), f1);
    EXPECT_EQ(now.mediator_assignments(0).state(), v1::MediatorAssignment::STATE_DECLINED);
    EXPECT_EQ(now.mediator_assignments(1).mediator(), f2);
    EXPECT_EQ(now.mediator_assignments(2).mediator(), f3);
  }
  // The timeline.
  {
    const auto events = Events("citizen-z", k.name());
    std::vector<std::string> reasons = EventReasons(events);
    EXPECT_THAT(reasons, Contains("proposed " + f1 + " (organization)"));
    EXPECT_THAT(reasons, Contains(f1 + " declined: 与被申请人医院有业务往来"));
    EXPECT_THAT(reasons, Contains(f2 + " accepted, declaring no conflict"));
    EXPECT_THAT(reasons, Contains(f3 + " replaced: 本人与申请人系远亲，申请回避"));
    EXPECT_THAT(reasons, Contains(f2 + " replaced: 调解员多次未按约定时间联系"));
    auto find = [&](const std::string& r) {
      for (const auto& e : events) {
        if (e.reason() == r) return e;
      }
      return v1::CaseEvent();
    };
    const v1::CaseEvent decline = find(f1 + " declined: 与被申请人医院有业务往来");
    EXPECT_EQ(decline.from_state(), v1::Case::STATE_MEDIATOR_PROPOSED);
    EXPECT_EQ(decline.to_state(), v1::Case::STATE_ACCEPTED);
    EXPECT_EQ(decline.actor(), "principals/med-f1");
    const v1::CaseEvent replaced = find(f2 + " replaced: 调解员多次未按约定时间联系");
    EXPECT_EQ(replaced.from_state(), v1::Case::STATE_MEDIATOR_ASSIGNED);
    EXPECT_EQ(replaced.to_state(), v1::Case::STATE_ACCEPTED);
    EXPECT_EQ(replaced.actor(), "principals/citizen-z");
    const v1::CaseEvent accepted = find(f2 + " accepted, declaring no conflict");
    EXPECT_EQ(accepted.from_state(), v1::Case::STATE_MEDIATOR_PROPOSED);
    EXPECT_EQ(accepted.to_state(), v1::Case::STATE_MEDIATOR_ASSIGNED);
    // Oldest first.
    auto index = [&](const std::string& r) {
      return std::find(reasons.begin(), reasons.end(), r) - reasons.begin();
    };
    EXPECT_LT(index("proposed " + f1 + " (organization)"),
              index(f1 + " declined: 与被申请人医院有业务往来"));
    EXPECT_LT(index(f1 + " declined: 与被申请人医院有业务往来"),
              index(f2 + " accepted, declaring no conflict"));
  }
}

TEST_F(RosterTest, JointChoiceAutomaticAssignmentAndWithdrawal) {
  Start({Admin("admin-f", "org-f"), MediatorAccount("med-f1", "org-f"),
         MediatorAccount("med-f2", "org-f"), MediatorAccount("med-f3", "org-f"),
         Citizen("citizen-z", testing::kIdZhang), Citizen("citizen-w", testing::kIdWang)});
  CreateOrg("org-f");
  const std::string f1 = CreateMediator("admin-f", "org-f", "f1", "med-f1");
  const std::string f2 = CreateMediator("admin-f", "org-f", "f2", "med-f2", {.region = "330602"});
  const std::string f3 = CreateMediator("admin-f", "org-f", "f3", "med-f3", {.languages = {"zh"}});
  v1::Case out;
  // OMR Art. 10: the parties' 2 working days to choose jointly and the 3 more to designate, as a
  // party sees them (the designation is the organization's: staff only) and as the admin does.
  auto deadlines = v1::DeadlineService::NewStub(channel_);
  auto choice_deadlines = [&](const std::string& who, const std::string& case_name) {
    v1::ListDeadlinesRequest req;
    req.set_parent(case_name);
    v1::ListDeadlinesResponse resp;
    grpc::Status s = deadlines->ListDeadlines(As(who).get(), req, &resp);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    std::map<v1::Deadline::Kind, v1::Deadline> out;
    for (const v1::Deadline& d : resp.deadlines()) {
      if (d.kind() == v1::Deadline::KIND_MEDIATOR_CHOICE ||
          d.kind() == v1::Deadline::KIND_MEDIATOR_DESIGNATION) {
        out[d.kind()] = d;
      }
    }
    return out;
  };

  // Joint choice: one side's choice is recorded on the timeline; agreement proposes.
  {
    const v1::Case k = AcceptedCase("admin-f", "org-f");
    auto running = choice_deadlines("admin-f", k.name());
    ASSERT_EQ(running.size(), 2u);
    const v1::Deadline choice = running[v1::Deadline::KIND_MEDIATOR_CHOICE];
    EXPECT_EQ(choice.state(), v1::Deadline::STATE_RUNNING);
    EXPECT_EQ(choice.length(), 2);
    EXPECT_TRUE(choice.working_days());
    EXPECT_EQ(choice.legal_basis(), "OMR Art. 10");
    const v1::Deadline designation = running[v1::Deadline::KIND_MEDIATOR_DESIGNATION];
    EXPECT_EQ(designation.state(), v1::Deadline::STATE_RUNNING);
    EXPECT_EQ(designation.length(), 5);
    EXPECT_GT(designation.due_time().seconds(), choice.due_time().seconds());
    EXPECT_EQ(choice_deadlines("citizen-z", k.name()).size(), 1u);  // the parties' own
    grpc::Status s = Choose("citizen-z", k.name(), f2, &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Case::STATE_ACCEPTED);
    EXPECT_EQ(out.mediator_assignments_size(), 0);
    auto events = Events("citizen-w", k.name());
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().reason(), "applicant side chose " + f2);
    EXPECT_EQ(events.back().from_state(), v1::Case::STATE_ACCEPTED);
    EXPECT_EQ(events.back().to_state(), v1::Case::STATE_ACCEPTED);
    EXPECT_EQ(events.back().actor(), "principals/citizen-z");
    EXPECT_EQ(Load("admin-f", f2), 0);

    // The respondent prefers f3 first: no agreement yet.
    ASSERT_THAT(Choose("citizen-w", k.name(), f3, &out), IsOk());
    EXPECT_EQ(out.state(), v1::Case::STATE_ACCEPTED);
    EXPECT_EQ(Events("citizen-z", k.name()).back().reason(), "respondent side chose " + f3);
    // Only the parties choose; a mediator of another organization is not on this roster.
    s = Choose("admin-f", k.name(), f2);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
    s = Choose("citizen-w", k.name(), MediatorName("org-x", "f2"));
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);

    // Then the same as the applicant: proposed by joint choice.
    s = Choose("citizen-w", k.name(), f2, &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_PROPOSED);
    ASSERT_EQ(out.mediator_assignments_size(), 1);
    EXPECT_EQ(out.mediator_assignments(0).mediator(), f2);
    EXPECT_EQ(out.mediator_assignments(0).method(), v1::MediatorAssignment::METHOD_JOINT_CHOICE);
    EXPECT_EQ(out.mediator_assignments(0).state(), v1::MediatorAssignment::STATE_PROPOSED);
    EXPECT_EQ(Load("admin-f", f2), 1);
    EXPECT_THAT(EventReasons(Events("citizen-z", k.name())),
                Contains("proposed " + f2 + " (joint_choice)"));
    auto chosen = choice_deadlines("admin-f", k.name());
    EXPECT_EQ(chosen[v1::Deadline::KIND_MEDIATOR_CHOICE].state(), v1::Deadline::STATE_MET);
    EXPECT_EQ(chosen[v1::Deadline::KIND_MEDIATOR_DESIGNATION].state(), v1::Deadline::STATE_MET);
    ASSERT_THAT(AcceptAssignment("med-f2", k.name(), true, &out), IsOk());
    EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_ASSIGNED);
  }

  // Automatic assignment proposes the top recommendation; a second mediator joins; withdrawing
  // the case releases both.
  {
    const v1::Case k = AcceptedCase("admin-f", "org-f");
    const auto recommended = Recommend("admin-f", k.name());
    ASSERT_GE(recommended.recommendations_size(), 2);
    EXPECT_EQ(recommended.recommendations(0).mediator(), f1);  // county, Wu, no load
    v1::AutoAssignMediatorRequest req;
    req.set_name(k.name());
    grpc::Status s = cases_->AutoAssignMediator(As("admin-f").get(), req, &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_PROPOSED);
    ASSERT_EQ(out.mediator_assignments_size(), 1);
    EXPECT_EQ(out.mediator_assignments(0).mediator(), recommended.recommendations(0).mediator());
    EXPECT_EQ(out.mediator_assignments(0).method(), v1::MediatorAssignment::METHOD_AUTOMATIC);
    // The organization designated before the parties chose: their time is over, the
    // designation made (OMR Art. 10).
    auto designated = choice_deadlines("admin-f", k.name());
    EXPECT_EQ(designated[v1::Deadline::KIND_MEDIATOR_CHOICE].state(),
              v1::Deadline::STATE_CANCELLED);
    EXPECT_EQ(designated[v1::Deadline::KIND_MEDIATOR_DESIGNATION].state(), v1::Deadline::STATE_MET);
    ASSERT_THAT(AcceptAssignment("med-f1", k.name(), true), IsOk());
    ASSERT_THAT(Assign("admin-f", k.name(), f3, &out), IsOk());
    EXPECT_EQ(out.state(), v1::Case::STATE_MEDIATOR_ASSIGNED);
    EXPECT_EQ(Load("admin-f", f1), 1);
    EXPECT_EQ(Load("admin-f", f3), 1);
    EXPECT_EQ(GetMediator("admin-f", f1).recent_ended(), 0);

    v1::WithdrawCaseRequest w;
    w.set_name(k.name());
    w.set_reason("双方已自行和解");
    s = cases_->WithdrawCase(As("citizen-z").get(), w, &out);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Case::STATE_WITHDRAWN);
    EXPECT_EQ(Load("admin-f", f1), 0);
    EXPECT_EQ(Load("admin-f", f3), 0);
    // The accepted mediator ended a case; the merely proposed one did not.
    EXPECT_EQ(GetMediator("admin-f", f1).recent_ended(), 1);
    EXPECT_EQ(GetMediator("admin-f", f3).recent_ended(), 0);
    EXPECT_EQ(Load("admin-f", f2), 1);  // the other case is untouched
  }
}

// ---------------------------------------------------------------------------------------------
// Regressions: each of these once failed against the server.

// AssignCaseMediator honours its etag: a stale one is ABORTED and nothing changes.
TEST_F(RosterTest, AssignWithStaleEtagIsAborted) {
  Start({Admin("admin-e", "org-e"), MediatorAccount("med-e1", "org-e")});
  CreateOrg("org-e");
  const std::string e1 = CreateMediator("admin-e", "org-e", "e1", "med-e1");
  const v1::Case k = AcceptedCase("admin-e", "org-e");
  // Someone else changes the case after `k` was read.
  v1::UpdateCaseRequest update;
  update.mutable_case_()->set_name(k.name());
  update.mutable_case_()->set_summary("补充：术后第三天出现高热。");
  update.mutable_update_mask()->add_paths("summary");
  v1::Case updated;
  ASSERT_THAT(cases_->UpdateCase(As("admin-e").get(), update, &updated), IsOk());
  ASSERT_NE(updated.etag(), k.etag());

  v1::AssignCaseMediatorRequest req;
  req.set_name(k.name());
  req.set_mediator(e1);
  req.set_etag(k.etag());
  v1::Case out;
  grpc::Status s = cases_->AssignCaseMediator(As("admin-e").get(), req, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::ABORTED)) << Describe(s);
  EXPECT_EQ(Load("admin-e", e1), 0);
}

// A resident ID's check character compares without case: ...108x is ...108X.
TEST_F(RosterTest, ConflictIgnoresCaseOfTheCheckCharacter) {
  Start({Admin("admin-x", "org-x"), MediatorAccount("med-x1", "org-x")});
  CreateOrg("org-x");
  const std::string id_upper = "33068119880808108X";
  ASSERT_EQ(Rid("33068119880808108"), id_upper);
  const std::string x1 =
      CreateMediator("admin-x", "org-x", "x1", "med-x1", {.id_number = id_upper});
  v1::CreateCaseRequest create;
  *create.mutable_case_() = CaseBody("org-x", "zh-wuu");
  create.mutable_case_()->mutable_respondents(1)->set_id_number("33068119880808108x");
  v1::Case k;
  grpc::Status s = cases_->CreateCase(As("admin-x").get(), create, &k);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  v1::SubmitCaseRequest submit;
  submit.set_name(k.name());
  ASSERT_THAT(cases_->SubmitCase(As("admin-x").get(), submit, &k), IsOk());
  v1::AcceptCaseRequest accept;
  accept.set_name(k.name());
  ASSERT_THAT(cases_->AcceptCase(As("admin-x").get(), accept, &k), IsOk());

  s = Assign("admin-x", k.name(), x1);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
  EXPECT_EQ(Details(s).reason(), "CONFLICT_OF_INTEREST");
}

// A landline in international form (+86 575 ...) is the same number as 0575-...
TEST_F(RosterTest, SharedLandlineInInternationalFormIsAConflict) {
  Start({Admin("admin-l", "org-l"), MediatorAccount("med-l1", "org-l")});
  CreateOrg("org-l");
  const std::string l1 =
      CreateMediator("admin-l", "org-l", "l1", "med-l1", {.phone = "+86 575 8700 0000"});
  const v1::Case k = AcceptedCase("admin-l", "org-l");
  grpc::Status s = Assign("admin-l", k.name(), l1);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
  EXPECT_EQ(Details(s).reason(), "CONFLICT_OF_INTEREST");
}

// UpdateMediator refuses unknown enum values in the fields it updates, like CreateMediator.
TEST_F(RosterTest, UpdateMediatorRejectsUnknownSpecialty) {
  Start({Admin("admin-u", "org-u"), MediatorAccount("med-u1", "org-u")});
  CreateOrg("org-u");
  const std::string u1 = CreateMediator("admin-u", "org-u", "u1", "med-u1");
  v1::UpdateMediatorRequest req;
  req.mutable_mediator()->set_name(u1);
  req.mutable_mediator()->add_specialties(v1::DISPUTE_TYPE_MEDICAL);
  req.mutable_mediator()->add_specialties(static_cast<v1::DisputeType>(99));
  req.mutable_update_mask()->add_paths("specialties");
  v1::Mediator out;
  grpc::Status s = roster_->UpdateMediator(As("admin-u").get(), req, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
  EXPECT_THAT(ViolatedFields(s), Contains("mediator.specialties[1]"));
}

}  // namespace
}  // namespace odr

// Judicial confirmation and the court's side through the real odrd: a joint application to a
// competent court, acceptance and the ruling (valid: the case is confirmed; rejected: the
// agreement stands and the parties mediate again or sue), the court's review after filing and
// objections after the ruling, withdrawal, pre-check refusals, the court bundle without privileged
// offers, courts that cannot see each other's applications, and court diversion with its follow-up.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "odr/v1/agreement.grpc.pb.h"
#include "odr/v1/appointment.grpc.pb.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/confirmation.grpc.pb.h"
#include "odr/v1/court.grpc.pb.h"
#include "odr/v1/deadline.grpc.pb.h"
#include "odr/v1/evidence.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "odr/v1/stats.grpc.pb.h"
#include "tests/testing/error_details.h"
#include "tests/testing/evidence_helpers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_auth.h"
#include "tests/testing/mediation.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string Describe(const grpc::Status& s) {
  return absl::StrCat(s.error_code(), " ", s.error_message(), " [", testing::Reason(s), "]");
}

constexpr char kOfferText[] = "PRIVILEGED-OFFER-医院愿意再让步五千元";

class ConfirmationTest : public testing::MediationTest {
 protected:
  // Clerks of two courts that both serve Zhuji (330681): both are competent for the cases here.
  void AddPrincipals() override {
    keys_["clerk-x"] =
        testing::CreatePrincipal(data_, "clerk-x", "court", {"--court", "courts/court-x"});
    keys_["clerk-y"] =
        testing::CreatePrincipal(data_, "clerk-y", "court", {"--court", "courts/court-y"});
    testing::OdrdAdmin(data_, {"create-court", "--id", "court-x", "--name", "诸暨市人民法院",
                               "--region", "330681"});
    // Shaoxing's intermediate court: competent only for intermediate-court matters.
    testing::OdrdAdmin(data_, {"create-court", "--id", "court-z", "--name", "绍兴市中级人民法院",
                               "--region", "330600", "--level", "intermediate"});
    testing::OdrdAdmin(data_, {"create-court", "--id", "court-y", "--name", "诸暨市第二人民法院",
                               "--region", "330681"});
  }

  void Connected() override {
    confirmations_ = v1::ConfirmationService::NewStub(channel_);
    courts_ = v1::CourtService::NewStub(channel_);
    evidence_ = v1::EvidenceService::NewStub(channel_);
  }

  void Stop() override {
    confirmations_.reset();
    courts_.reset();
    evidence_.reset();
    MediationTest::Stop();
  }

  // Drafts an agreement with an apology term and `extra` terms, and has everyone sign it.
  v1::Agreement Settle(const std::string& case_name,
                       std::vector<v1::AgreementTerm::Kind> extra = {}) {
    v1::Agreement a;
    a.set_facts("申请人术后感染。");
    a.set_issues("医院是否存在过错。");
    a.set_responsibilities("医院承担主要责任。");
    std::vector<v1::AgreementTerm::Kind> kinds = {v1::AgreementTerm::KIND_APOLOGY};
    kinds.insert(kinds.end(), extra.begin(), extra.end());
    for (auto kind : kinds) {
      v1::AgreementTerm* t = a.add_terms();
      t->set_kind(kind);
      t->set_description("被申请人向申请人书面道歉并履行约定。");
      t->set_obligor("respondents/0");
      t->set_method("书面");
      t->set_deadline_date("2099-12-31");
    }
    return EffectiveAgreement(case_name, a);
  }

  v1::Evidence Upload(const std::string& case_name, const std::string& who,
                      const std::string& upload_id) {
    const std::string bytes =
        testing::RandomBytes(5000, static_cast<uint32_t>(std::hash<std::string>()(upload_id)));
    v1::UploadEvidenceStart start;
    start.set_parent(case_name);
    start.set_upload_id(upload_id);
    start.mutable_evidence()->set_file_name("产权证明.pdf");
    start.mutable_evidence()->set_media_type("application/pdf");
    start.set_size_bytes(static_cast<int64_t>(bytes.size()));
    start.set_sha256(testing::Sha256Hex(bytes));
    v1::UploadEvidenceResponse resp;
    auto ctx = As(who);
    auto writer = evidence_->UploadEvidence(ctx.get(), &resp);
    v1::UploadEvidenceRequest req;
    *req.mutable_start() = start;
    req.set_data(bytes);
    req.set_finish_write(true);
    writer->Write(req);
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    EXPECT_THAT(s, IsOk()) << Describe(s);
    return resp.evidence();
  }

  grpc::Status Apply(
      const std::string& case_name, const std::string& who, const std::string& court,
      v1::Confirmation* out,
      std::vector<std::pair<std::string, v1::ConfirmationMaterial::Kind>> materials = {}) {
    v1::CreateConfirmationRequest req;
    req.set_parent(case_name);
    req.mutable_confirmation()->set_court(court);
    for (const auto& [e, kind] : materials) {
      v1::ConfirmationMaterial* m = req.mutable_confirmation()->add_materials();
      m->set_evidence(e);
      m->set_kind(kind);
    }
    return confirmations_->CreateConfirmation(As(who).get(), req, out);
  }

  // An application of both parties to court-x, filed (SUBMITTED).
  v1::Confirmation Filed(const std::string& case_name) {
    v1::Confirmation c;
    grpc::Status s = Apply(case_name, "zhang", "courts/court-x", &c);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(c.state(), v1::Confirmation::STATE_AWAITING_PARTIES);
    EXPECT_THAT(c.consented_parties(), ElementsAre("applicants/0"));
    v1::JoinConfirmationRequest join;
    join.set_name(c.name());
    s = confirmations_->JoinConfirmation(As("li").get(), join, &c);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(c.state(), v1::Confirmation::STATE_SUBMITTED);
    EXPECT_THAT(c.consented_parties(), ElementsAre("applicants/0", "respondents/0"));
    return c;
  }

  v1::Confirmation Accept(const v1::Confirmation& c) {
    v1::AcceptConfirmationRequest req;
    req.set_name(c.name());
    req.set_etag(c.etag());
    v1::Confirmation out;
    grpc::Status s = confirmations_->AcceptConfirmation(As("clerk-x").get(), req, &out);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.state(), v1::Confirmation::STATE_ACCEPTED);
    return out;
  }

  // A filed suit (ordinary procedure) entrusted by court-x to org1 after filing.
  static v1::Case PostFilingCase(const std::string& reference) {
    v1::Case c = PreFilingCase(reference);
    c.mutable_source()->mutable_court_diversion()->set_procedure(
        v1::PROCEDURE_POST_FILING_ORDINARY);
    return c;
  }

  // A dispute court-x diverted to org1 before filing.
  static v1::Case PreFilingCase(const std::string& reference) {
    v1::Case c = testing::ZhangAgainstLi("org1");
    v1::CourtDiversion* d = c.mutable_source()->mutable_court_diversion();
    d->set_court("courts/court-x");
    d->set_intake_reference(reference);
    d->set_diversion_date("2026-01-05");
    return c;
  }

  // `who` uploads `file` to `case_name` and supplies it to application `confirmation` as the
  // proof of a property right the court asked for.
  grpc::Status SupplyProof(const std::string& case_name, const std::string& confirmation,
                           const std::string& who, const std::string& file, v1::Confirmation* out) {
    v1::Evidence proof = Upload(case_name, who, file);
    v1::SupplyMaterialsRequest supply;
    supply.set_name(confirmation);
    v1::ConfirmationMaterial* m = supply.add_materials();
    m->set_evidence(proof.name());
    m->set_kind(v1::ConfirmationMaterial::KIND_PROPERTY_RIGHT_PROOF);
    return confirmations_->SupplyMaterials(As(who).get(), supply, out);
  }

  // The latest deadline of `kind` of `case_name` as `who` sees it; empty if none.
  v1::Deadline DeadlineOf(const std::string& case_name, v1::Deadline::Kind kind,
                          const std::string& who) {
    v1::ListDeadlinesRequest req;
    req.set_parent(case_name);
    v1::ListDeadlinesResponse deadlines;
    grpc::Status s = deadlines_->ListDeadlines(As(who).get(), req, &deadlines);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    v1::Deadline found;
    for (const v1::Deadline& d : deadlines.deadlines()) {
      if (d.kind() == kind) found = d;
    }
    return found;
  }

  // How many events of `kind` the case's timeline has, as its organization sees it.
  int EventsOfKind(const std::string& case_name, v1::CaseEvent::Kind kind) {
    v1::ListCaseEventsRequest req;
    req.set_parent(case_name);
    req.set_page_size(1000);
    v1::ListCaseEventsResponse events;
    grpc::Status s = cases_->ListCaseEvents(As("orgadmin").get(), req, &events);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    int n = 0;
    for (const v1::CaseEvent& e : events.events()) n += e.kind() == kind;
    return n;
  }

  // This year's figures of `scope`, read by court-x's clerk.
  v1::Figures Figures(const std::string& scope) {
    auto stats = v1::StatsService::NewStub(channel_);
    v1::GetStatisticsRequest req;
    const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
    req.set_start_date(absl::StrFormat("%04d-01-01", today.year()));
    req.set_end_date(absl::StrFormat("%04d-12-31", today.year()));
    req.set_scope(scope);
    v1::Statistics out;
    grpc::Status s = stats->GetStatistics(As("clerk-x").get(), req, &out);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    return out.totals();
  }

  std::unique_ptr<v1::ConfirmationService::Stub> confirmations_;
  std::unique_ptr<v1::CourtService::Stub> courts_;
  std::unique_ptr<v1::EvidenceService::Stub> evidence_;
};

TEST_F(ConfirmationTest, AppliedJointlyAcceptedRuledValidCaseConfirmed) {
  // Li declares his household registration in Zhuji; the subject matter is there too (CPL
  // Interpretation Arts. 3-4; CPL Art. 205).
  v1::Case declared = testing::ZhangAgainstLi("org1");
  v1::Domicile* d = declared.mutable_respondents(0)->mutable_domicile();
  d->set_region_code("330681");
  d->set_basis(v1::Domicile::BASIS_HOUSEHOLD_REGISTRATION);
  d->set_material("户口簿");
  declared.set_subject_matter_region_code("330681");
  const std::string k = MediatingCase(declared);
  EXPECT_EQ(GetCase(k).respondents(0).domicile().material(), "户口簿");
  Settle(k);
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_SETTLED);

  v1::PrecheckConfirmationRequest pre;
  pre.set_parent(k);
  v1::PrecheckConfirmationResponse found;
  grpc::Status s = confirmations_->PrecheckConfirmation(As("zhang").get(), pre, &found);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_THAT(found.problems(), IsEmpty());
  ASSERT_EQ(found.competent_courts_size(), 2);
  EXPECT_EQ(found.competent_courts(0).court(), "courts/court-x");
  EXPECT_THAT(found.competent_courts(0).bases(),
              ElementsAre(v1::COMPETENCE_BASIS_PARTY_DOMICILE, v1::COMPETENCE_BASIS_SUBJECT_MATTER,
                          v1::COMPETENCE_BASIS_ORGANIZATION));
  EXPECT_THAT(found.competent_courts(0).domicile_parties(), ElementsAre("respondents/0"));
  EXPECT_EQ(found.competent_courts(0).level(), v1::COURT_LEVEL_BASIC);
  // Zhang declared no domicile: a warning naming his field, not a refusal.
  bool undeclared = false;
  for (const auto& w : found.warnings()) {
    undeclared = undeclared || (w.reason() == "DOMICILE_NOT_DECLARED" &&
                                w.field() == "case.applicants[0].domicile");
  }
  EXPECT_TRUE(undeclared);
  EXPECT_TRUE(found.has_apply_by_time());

  v1::Confirmation c = Filed(k);
  EXPECT_EQ(c.court_display_name(), "诸暨市人民法院");
  EXPECT_TRUE(c.has_accept_due_time());

  // A party may not accept; the court does, with the etag it read.
  v1::AcceptConfirmationRequest accept;
  accept.set_name(c.name());
  v1::Confirmation out;
  s = confirmations_->AcceptConfirmation(As("zhang").get(), accept, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  accept.set_etag("W/\"99\"");
  s = confirmations_->AcceptConfirmation(As("clerk-x").get(), accept, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::ABORTED)) << Describe(s);
  c = Accept(c);
  EXPECT_TRUE(c.has_ruling_due_time());

  v1::RuleConfirmationRequest rule;
  rule.set_name(c.name());
  rule.set_outcome(v1::RuleConfirmationRequest::OUTCOME_VALID);
  s = confirmations_->RuleConfirmation(As("clerk-x").get(), rule, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("ruling_number"));
  rule.set_ruling_number("(2026)浙0681民特123号");
  s = confirmations_->RuleConfirmation(As("clerk-x").get(), rule, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Confirmation::STATE_RULED_VALID);
  EXPECT_EQ(out.ruling_number(), "(2026)浙0681民特123号");
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_CONFIRMED);
}

// In court-diverted mediation the agreement takes effect when every party has signed (OMR Art. 19;
// 特邀 Art. 24) and is served on the parties then; the mediator's signature and the organization's
// seal remain required form — the pre-check waits for them (AGREEMENT_FORM_INCOMPLETE) — and once
// the form is complete the agreement is filed with the diverting court (特邀 Art. 19).
TEST_F(ConfirmationTest, ACourtDivertedAgreementIsServedThenFiledWithItsCourt) {
  const std::string k = MediatingCase(PreFilingCase("(2026)浙0681诉前调21号"), "clerk-x");
  v1::Agreement a = Draft(k, SampleAgreement());
  EXPECT_EQ(a.effect_rule(), v1::Agreement::EFFECT_RULE_PARTIES_SIGNED);
  ASSERT_THAT(Sign("zhang", a, &a), IsOk());
  ASSERT_THAT(Sign("li", a, &a), IsOk());
  EXPECT_EQ(a.state(), v1::Agreement::STATE_EFFECTIVE);
  EXPECT_EQ(a.service_time(), a.effective_time());
  EXPECT_FALSE(a.has_court_filing_time());
  EXPECT_THAT(a.pending_signers(), ElementsAre("mediator", "organizations/org1"));
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_SETTLED);
  EXPECT_EQ(EventsOfKind(k, v1::CaseEvent::KIND_AGREEMENT_SERVED), 1);
  EXPECT_EQ(EventsOfKind(k, v1::CaseEvent::KIND_AGREEMENT_FILED), 0);

  v1::PrecheckConfirmationRequest pre;
  pre.set_parent(k);
  pre.mutable_confirmation()->set_court("courts/court-x");
  v1::PrecheckConfirmationResponse found;
  grpc::Status s = confirmations_->PrecheckConfirmation(As("zhang").get(), pre, &found);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(found.problems_size(), 1);
  EXPECT_EQ(found.problems(0).reason(), "AGREEMENT_FORM_INCOMPLETE");
  EXPECT_THAT(found.problems(0).description(), HasSubstr("OMR Art. 19"));

  ASSERT_THAT(Sign("med", a, &a), IsOk());
  EXPECT_FALSE(a.has_court_filing_time());
  ASSERT_THAT(Sign("orgadmin", a, &a), IsOk());
  EXPECT_TRUE(a.pending_signers().empty());
  EXPECT_TRUE(a.has_court_filing_time());
  EXPECT_EQ(EventsOfKind(k, v1::CaseEvent::KIND_AGREEMENT_FILED), 1);
  s = confirmations_->PrecheckConfirmation(As("zhang").get(), pre, &found);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(found.problems_size(), 0) << found.DebugString();
}

// CPL Art. 62: an agent signs the agreement or applies for confirmation for its party only with
// special authority recorded on the case; a confirmation application admits at most two agents a
// party (Interp Art. 351; CPL Art. 61), though mediation admits more.
TEST_F(ConfirmationTest, AnAgentWithoutSpecialAuthorityNeitherSignsNorApplies) {
  v1::Case c = testing::ZhangAgainstLi("org1");
  v1::Party* li = c.mutable_respondents(0);
  for (const auto& [name, number] : {std::pair{"王五", "E11111111"}, std::pair{"赵六", "E22222222"},
                                     std::pair{"钱七", "E33333333"}}) {
    v1::Agent* agent = li->add_agents();
    agent->set_name(name);
    agent->set_id_document_type(v1::ID_DOCUMENT_TYPE_PASSPORT);
    agent->set_id_number(number);
    agent->set_phone("13700137000");
    agent->set_service_address("agent@example.com");
  }
  v1::Agent* wang = li->add_agents();
  *wang = li->agents(0);
  wang->set_name("王律师");
  wang->set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  wang->set_id_number(testing::kIdWang);
  const std::string k = MediatingCase(c);
  EXPECT_FALSE(GetCase(k).respondents(0).agents(3).special_authority());
  v1::Agreement a = Draft(k, SampleAgreement());
  v1::Agreement out;
  grpc::Status s = Sign("wang", a, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(testing::Reason(s), "NO_SPECIAL_AUTHORITY");
  EXPECT_THAT(s.error_message(), HasSubstr("CPL Art. 62"));
  v1::RefuseAgreementRequest refuse;
  refuse.set_name(a.name());
  refuse.set_reason("不同意。");
  s = agreements_->RefuseAgreement(As("wang").get(), refuse, &out);
  EXPECT_EQ(testing::Reason(s), "NO_SPECIAL_AUTHORITY");
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_MEDIATING);

  ASSERT_THAT(Sign("zhang", a, &a), IsOk());
  ASSERT_TRUE(Sign("li", a, &a).ok());  // the party itself
  ASSERT_THAT(Sign("med", a, &a), IsOk());
  ASSERT_THAT(Sign("orgadmin", a, &a), IsOk());
  // Four agents of respondents/0: the pre-check names the field.
  v1::PrecheckConfirmationRequest pre;
  pre.set_parent(k);
  pre.mutable_confirmation()->set_court("courts/court-x");
  v1::PrecheckConfirmationResponse found;
  s = confirmations_->PrecheckConfirmation(As("zhang").get(), pre, &found);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(found.problems_size(), 1) << found.DebugString();
  EXPECT_EQ(found.problems(0).reason(), "TOO_MANY_AGENTS");
  EXPECT_EQ(found.problems(0).field(), "case.respondents[0].agents");
  v1::Confirmation filed;
  s = Apply(k, "zhang", "courts/court-x", &filed);
  EXPECT_EQ(testing::Reason(s), "TOO_MANY_AGENTS") << Describe(s);
  s = Apply(k, "wang", "courts/court-x", &filed);
  EXPECT_EQ(testing::Reason(s), "NO_SPECIAL_AUTHORITY") << Describe(s);
}

// A party refusing to sign ends post-filing mediation too (OMR Art. 25(七)); the suit goes back
// for the trial to resume (OMR Art. 21(三)), the refusal recorded as why mediation failed.
TEST_F(ConfirmationTest, APostFilingRefusalToSignReturnsTheSuitForTrial) {
  const std::string k = MediatingCase(PostFilingCase("(2026)浙0681民初31号"), "clerk-x");
  v1::Agreement a = Draft(k, SampleAgreement());
  v1::RefuseAgreementRequest refuse;
  refuse.set_name(a.name());
  refuse.set_reason("不接受分期付款。");
  v1::Agreement out;
  grpc::Status s = agreements_->RefuseAgreement(As("zhang").get(), refuse, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  const v1::Case closed = GetCase(k);
  EXPECT_EQ(closed.state(), v1::Case::STATE_CLOSED);
  EXPECT_EQ(closed.ending().kind(), v1::CaseEnding::KIND_TRIAL_RESUMED);
  EXPECT_THAT(closed.ending().reason(), HasSubstr("applicants/0 refused to sign"));
  EXPECT_EQ(EventsOfKind(k, v1::CaseEvent::KIND_RETURNED_FOR_TRIAL), 1);
  EXPECT_EQ(EventsOfKind(k, v1::CaseEvent::KIND_AGREEMENT_REFUSED), 1);
}

// OMR Art. 26: appraisal time is left out of pre-filing mediation only; an entrusted suit's 15
// days run on.
TEST_F(ConfirmationTest, APostFilingPeriodDoesNotPauseForAnAppraisal) {
  const std::string k = MediatingCase(PostFilingCase("(2026)浙0681民初41号"), "clerk-x");
  v1::PauseMediationPeriodRequest pause;
  pause.set_name(k);
  pause.set_reason("伤残等级鉴定");
  v1::Deadline out;
  grpc::Status s = deadlines_->PauseMediationPeriod(As("med").get(), pause, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
  EXPECT_EQ(testing::Reason(s), "APPRAISAL_PAUSE_PRE_FILING_ONLY");
  EXPECT_THAT(s.error_message(), HasSubstr("OMR Art. 26"));
  // Before filing it pauses.
  pause.set_name(MediatingCase());
  s = deadlines_->PauseMediationPeriod(As("med").get(), pause, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Deadline::STATE_PAUSED);
}

TEST_F(ConfirmationTest, AnotherCourtCannotSeeTheApplication) {
  const std::string k = MediatingCase();
  Settle(k);
  v1::Confirmation c = Filed(k);

  v1::GetConfirmationRequest get;
  get.set_name(c.name());
  v1::Confirmation out;
  grpc::Status s = confirmations_->GetConfirmation(As("clerk-y").get(), get, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);
  v1::GetConfirmationRequest missing;
  missing.set_name(absl::StrCat(k, "/confirmations/nope"));
  grpc::Status m = confirmations_->GetConfirmation(As("clerk-y").get(), missing, &out);
  EXPECT_THAT(m, StatusIs(grpc::StatusCode::NOT_FOUND));
  v1::GetCourtBundleRequest bundle;
  bundle.set_name(c.name());
  v1::CourtBundle b;
  s = confirmations_->GetCourtBundle(As("clerk-y").get(), bundle, &b);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND));
  v1::AcceptConfirmationRequest accept;
  accept.set_name(c.name());
  s = confirmations_->AcceptConfirmation(As("clerk-y").get(), accept, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);

  v1::ListConfirmationsRequest list;
  list.set_parent("courts/court-y");
  v1::ListConfirmationsResponse page;
  s = confirmations_->ListConfirmations(As("clerk-y").get(), list, &page);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_THAT(page.confirmations(), IsEmpty());
  list.set_parent("courts/court-x");
  s = confirmations_->ListConfirmations(As("clerk-y").get(), list, &page);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED));
  list.set_state(v1::Confirmation::STATE_SUBMITTED);
  s = confirmations_->ListConfirmations(As("clerk-x").get(), list, &page);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(page.confirmations_size(), 1);
  EXPECT_EQ(page.confirmations(0).name(), c.name());
  s = confirmations_->GetConfirmation(As("clerk-x").get(), get, &out);
  EXPECT_THAT(s, IsOk()) << Describe(s);
}

// The court that diverted a case sees an application for its confirmation only once every party
// has consented (2011 Arts. 2-3: a joint application): before that, it is missing to the court in
// every read (issue 17 item 2).
TEST_F(ConfirmationTest, TheDivertingCourtSeesNoApplicationBeforeEveryPartyConsented) {
  v1::Case diverted = testing::ZhangAgainstLi("org1");
  v1::CourtDiversion* d = diverted.mutable_source()->mutable_court_diversion();
  d->set_court("courts/court-x");
  d->set_intake_reference("(2026)浙0681诉前调7号");
  d->set_diversion_date("2026-01-05");
  d->set_court_display_name("诸暨市人民法院");
  const std::string k = MediatingCase(diverted, "clerk-x");
  Settle(k);
  v1::Confirmation c;
  grpc::Status s = Apply(k, "zhang", "courts/court-x", &c);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(c.state(), v1::Confirmation::STATE_AWAITING_PARTIES);

  v1::GetConfirmationRequest get;
  get.set_name(c.name());
  v1::Confirmation out;
  s = confirmations_->GetConfirmation(As("clerk-x").get(), get, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);
  v1::GetCourtBundleRequest bundle;
  bundle.set_name(c.name());
  v1::CourtBundle b;
  s = confirmations_->GetCourtBundle(As("clerk-x").get(), bundle, &b);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);
  v1::ListConfirmationsRequest of_case;
  of_case.set_parent(k);
  v1::ListConfirmationsResponse page;
  s = confirmations_->ListConfirmations(As("clerk-x").get(), of_case, &page);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_THAT(page.confirmations(), IsEmpty());
  v1::ListDivertedCasesRequest diverted_list;
  diverted_list.set_parent("courts/court-x");
  v1::ListDivertedCasesResponse followed;
  s = courts_->ListDivertedCases(As("clerk-x").get(), diverted_list, &followed);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(followed.cases_size(), 1);
  EXPECT_EQ(followed.cases(0).confirmation_state(), v1::Confirmation::STATE_UNSPECIFIED);
  // Nor does its timeline tell of the application.
  auto confirmation_events = [&](const std::string& who) {
    v1::ListCaseEventsRequest events_req;
    events_req.set_parent(k);
    events_req.set_page_size(1000);
    v1::ListCaseEventsResponse events;
    EXPECT_THAT(cases_->ListCaseEvents(As(who).get(), events_req, &events), IsOk());
    int n = 0;
    for (const auto& e : events.events()) {
      n += e.kind() == v1::CaseEvent::KIND_CONFIRMATION_CHANGED;
    }
    return n;
  };
  EXPECT_EQ(confirmation_events("clerk-x"), 0);
  EXPECT_GT(confirmation_events("li"), 0);
  // The parties see their application meanwhile.
  s = confirmations_->ListConfirmations(As("li").get(), of_case, &page);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(page.confirmations_size(), 1);

  v1::JoinConfirmationRequest join;
  join.set_name(c.name());
  s = confirmations_->JoinConfirmation(As("li").get(), join, &c);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(c.state(), v1::Confirmation::STATE_SUBMITTED);
  s = confirmations_->GetConfirmation(As("clerk-x").get(), get, &out);
  EXPECT_THAT(s, IsOk()) << Describe(s);
  s = confirmations_->GetCourtBundle(As("clerk-x").get(), bundle, &b);
  EXPECT_THAT(s, IsOk()) << Describe(s);
  s = confirmations_->ListConfirmations(As("clerk-x").get(), of_case, &page);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(page.confirmations_size(), 1);
  s = courts_->ListDivertedCases(As("clerk-x").get(), diverted_list, &followed);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(followed.cases_size(), 1);
  EXPECT_EQ(followed.cases(0).confirmation_state(), v1::Confirmation::STATE_SUBMITTED);
}

// OMR Arts. 15, 25(三): a respondent who cannot be reached ends online mediation, the mediator
// writing down why; a court-diverted case's materials go back to the court.
TEST_F(ConfirmationTest, AnUnreachableRespondentEndsMediationAndTheCaseGoesBack) {
  const std::string k = AssignedCase(PreFilingCase("(2026)浙0681诉前调41号"), "clerk-x");

  v1::RecordRespondentContactRequest contact;
  contact.set_name(k);
  contact.set_outcome(v1::RecordRespondentContactRequest::OUTCOME_UNREACHABLE);
  v1::Case out;
  grpc::Status s = deadlines_->RecordRespondentContact(As("med").get(), contact, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("note"));
  contact.set_note("三日内电话五次未接通，短信未回复。");
  s = deadlines_->RecordRespondentContact(As("med").get(), contact, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Case::STATE_CLOSED);
  EXPECT_EQ(out.ending().kind(), v1::CaseEnding::KIND_REFERRED_FOR_FILING);
  EXPECT_THAT(out.ending().reason(), HasSubstr("could not be reached"));
  EXPECT_THAT(out.ending().reason(), HasSubstr("电话五次未接通"));
  v1::ListReferralsRequest refs;
  refs.set_parent("courts/court-x");
  v1::ListReferralsResponse referrals;
  ASSERT_THAT(courts_->ListReferrals(As("clerk-x").get(), refs, &referrals), IsOk());
  bool referred = false;
  for (const auto& r : referrals.referrals()) referred = referred || r.case_() == k;
  EXPECT_TRUE(referred);
}

// CPL Art. 206; PML Art. 33: a rejection does not void the agreement. It binds as before (its
// instalments stay due) and the case stays SETTLED until every party consents to mediate again;
// a new agreement then replaces it.
TEST_F(ConfirmationTest, ARejectionLeavesTheAgreementAndThePartiesChooseToMediateAgain) {
  const std::string k = MediatingCase();
  v1::Agreement first = EffectiveAgreement(k);  // with two instalments
  v1::Confirmation c = Accept(Filed(k));
  v1::RuleConfirmationRequest rule;
  rule.set_name(c.name());
  rule.set_outcome(v1::RuleConfirmationRequest::OUTCOME_REJECTED);
  rule.set_ruling_number("(2026)浙0681民特124号");
  v1::Confirmation out;
  grpc::Status s = confirmations_->RuleConfirmation(As("clerk-x").get(), rule, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("grounds", "note"));
  rule.add_grounds(v1::REJECTION_GROUND_NOT_VOLUNTARY);
  rule.set_note("被申请人称签署时受到胁迫。");
  s = confirmations_->RuleConfirmation(As("clerk-x").get(), rule, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Confirmation::STATE_RULED_REJECTED);
  EXPECT_THAT(out.rejection_grounds(), ElementsAre(v1::REJECTION_GROUND_NOT_VOLUNTARY));
  // The rejection alone neither reopens mediation nor cancels the instalments.
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_SETTLED);
  auto count = [&](v1::Deadline::Kind kind, v1::Deadline::State state) {
    v1::ListDeadlinesRequest dl;
    dl.set_parent(k);
    v1::ListDeadlinesResponse deadlines;
    EXPECT_THAT(deadlines_->ListDeadlines(As("zhang").get(), dl, &deadlines), IsOk());
    int n = 0;
    for (const v1::Deadline& d : deadlines.deadlines()) {
      n += d.kind() == kind && d.state() == state;
    }
    return n;
  };
  EXPECT_EQ(count(v1::Deadline::KIND_INSTALMENT_DUE, v1::Deadline::STATE_RUNNING), 2);
  v1::GetAgreementRequest get;
  get.set_name(first.name());
  v1::Agreement a;
  ASSERT_THAT(agreements_->GetAgreement(As("zhang").get(), get, &a), IsOk());
  EXPECT_EQ(a.state(), v1::Agreement::STATE_CONFIRMATION_REJECTED);
  // It still binds: a payment is recorded on it (PML Art. 31).
  v1::RecordPaymentRequest pay;
  pay.set_name(first.name());
  pay.set_instalment(0);
  pay.set_amount_fen(100);
  ASSERT_THAT(agreements_->RecordPayment(As("med").get(), pay, &a), IsOk());

  // Each party consents to mediate again; the court and the case's staff cannot for them.
  v1::ConsentToMediateAgainRequest again;
  again.set_name(out.name());
  s = confirmations_->ConsentToMediateAgain(As("med").get(), again, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  s = confirmations_->ConsentToMediateAgain(As("clerk-x").get(), again, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  s = confirmations_->ConsentToMediateAgain(As("zhang").get(), again, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_THAT(out.mediate_again_parties(), ElementsAre("applicants/0"));
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_SETTLED);
  s = confirmations_->ConsentToMediateAgain(As("li").get(), again, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_THAT(out.mediate_again_parties(), ElementsAre("applicants/0", "respondents/0"));
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_MEDIATING);
  // Mediating again: a new mediation period runs; the old instalments are still due.
  EXPECT_EQ(count(v1::Deadline::KIND_MEDIATION_PERIOD, v1::Deadline::STATE_RUNNING), 1);
  EXPECT_EQ(count(v1::Deadline::KIND_INSTALMENT_DUE, v1::Deadline::STATE_RUNNING), 2);

  // A new agreement changes the old one: its instalments are no longer tracked, and the new
  // agreement's 30 days to apply start afresh.
  Settle(k);
  EXPECT_EQ(count(v1::Deadline::KIND_INSTALMENT_DUE, v1::Deadline::STATE_RUNNING), 0);
  EXPECT_EQ(count(v1::Deadline::KIND_CONFIRMATION_APPLICATION, v1::Deadline::STATE_RUNNING), 1);
  v1::Confirmation again_applied;
  s = Apply(k, "zhang", "courts/court-x", &again_applied);
  EXPECT_THAT(s, IsOk()) << Describe(s);
}

// CPL Art. 206: instead of mediating again a party may sue; the organization closes the case and
// a pre-filing diversion goes back to its court for filing. A settled case without a rejection
// cannot be closed: its agreement is in force.
TEST_F(ConfirmationTest, AfterARejectionAPartySuesAndTheCaseCloses) {
  const std::string k = MediatingCase();
  Settle(k);
  v1::CloseCaseRequest close;
  close.set_name(k);
  close.set_reason("申请人起诉");
  v1::Case closed;
  grpc::Status s = cases_->CloseCase(As("med").get(), close, &closed);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
  EXPECT_EQ(testing::Reason(s), "SETTLED_AGREEMENT_IN_FORCE");

  v1::Confirmation c = Accept(Filed(k));
  v1::RuleConfirmationRequest rule;
  rule.set_name(c.name());
  rule.set_outcome(v1::RuleConfirmationRequest::OUTCOME_REJECTED);
  rule.add_grounds(v1::REJECTION_GROUND_UNCLEAR);
  rule.set_note("协议内容不明确。");
  rule.set_ruling_number("(2026)浙0681民特125号");
  ASSERT_THAT(confirmations_->RuleConfirmation(As("clerk-x").get(), rule, &c), IsOk());
  s = cases_->CloseCase(As("med").get(), close, &closed);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(closed.state(), v1::Case::STATE_CLOSED);
  // Mediating again is no longer possible.
  v1::ConsentToMediateAgainRequest again;
  again.set_name(c.name());
  s = confirmations_->ConsentToMediateAgain(As("zhang").get(), again, &c);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
}

// CPL Interpretation Art. 357: before the court files it, the parties withdraw by themselves;
// after, they ask and the court grants or refuses by ruling.
TEST_F(ConfirmationTest, AfterFilingTheCourtRulesOnAWithdrawal) {
  const std::string k = MediatingCase();
  Settle(k);
  v1::Confirmation c = Accept(Filed(k));
  v1::WithdrawConfirmationRequest w;
  w.set_name(c.name());
  w.set_reason("双方已自动履行完毕。");
  v1::Confirmation out;
  grpc::Status s = confirmations_->WithdrawConfirmation(As("clerk-x").get(), w, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  s = confirmations_->WithdrawConfirmation(As("wang").get(), w, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);
  s = confirmations_->WithdrawConfirmation(As("zhang").get(), w, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Confirmation::STATE_ACCEPTED);
  ASSERT_TRUE(out.has_withdrawal_request());
  EXPECT_THAT(out.withdrawal_request().parties(), ElementsAre("applicants/0"));
  s = confirmations_->WithdrawConfirmation(As("zhang").get(), w, &out);
  EXPECT_EQ(testing::Reason(s), "WITHDRAWAL_PENDING") << Describe(s);
  // No ruling on the agreement while the request waits.
  v1::RuleConfirmationRequest rule;
  rule.set_name(c.name());
  rule.set_outcome(v1::RuleConfirmationRequest::OUTCOME_VALID);
  rule.set_ruling_number("(2026)浙0681民特126号");
  s = confirmations_->RuleConfirmation(As("clerk-x").get(), rule, &out);
  EXPECT_EQ(testing::Reason(s), "WITHDRAWAL_PENDING") << Describe(s);

  v1::RuleWithdrawalRequest ruling;
  ruling.set_name(c.name());
  ruling.set_outcome(v1::RuleWithdrawalRequest::OUTCOME_GRANTED);
  s = confirmations_->RuleWithdrawal(As("zhang").get(), ruling, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);  // no number
  ruling.set_ruling_number("(2026)浙0681民特126号之一");
  s = confirmations_->RuleWithdrawal(As("zhang").get(), ruling, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  s = confirmations_->RuleWithdrawal(As("clerk-y").get(), ruling, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);
  s = confirmations_->RuleWithdrawal(As("clerk-x").get(), ruling, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Confirmation::STATE_WITHDRAWN);
  EXPECT_EQ(out.withdrawal_kind(), v1::Confirmation::WITHDRAWAL_KIND_GRANTED);
  EXPECT_EQ(out.ruling_number(), "(2026)浙0681民特126号之一");
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_SETTLED);

  // Before filing: withdrawn at once.
  const std::string k2 = MediatingCase();
  Settle(k2);
  v1::Confirmation c2 = Filed(k2);
  w.set_name(c2.name());
  s = confirmations_->WithdrawConfirmation(As("li").get(), w, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Confirmation::STATE_WITHDRAWN);
  EXPECT_EQ(out.withdrawal_kind(), v1::Confirmation::WITHDRAWAL_KIND_BY_PARTIES);
}

// The court's review as it runs it: materials by a deadline (Interp Arts. 354, 356), both
// parties called to appear (Art. 356), the ruling period extended with the president's approval
// (CPL Art. 187), the ruling served and objected to (Interp Art. 372).
TEST_F(ConfirmationTest, TheCourtsReviewDeadlinesAppearanceExtensionAndObjections) {
  const std::string k = MediatingCase();
  Settle(k);
  v1::Confirmation c = Accept(Filed(k));
  // The case's mediator sees the court's deadlines too (staff).
  auto deadline = [&](v1::Deadline::Kind kind) { return DeadlineOf(k, kind, "med"); };

  v1::RequestMaterialsRequest more;
  more.set_name(c.name());
  more.set_note("请补充房屋产权证明。");
  v1::Confirmation out;
  grpc::Status s = confirmations_->RequestMaterials(As("clerk-x").get(), more, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("due_days"));
  more.set_due_days(61);
  s = confirmations_->RequestMaterials(As("clerk-x").get(), more, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("due_days"));
  more.set_due_days(10);
  s = confirmations_->RequestMaterials(As("clerk-x").get(), more, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Confirmation::STATE_MATERIALS_REQUESTED);
  ASSERT_TRUE(out.has_materials_due_time());
  v1::Deadline materials = deadline(v1::Deadline::KIND_CONFIRMATION_MATERIALS);
  EXPECT_EQ(materials.state(), v1::Deadline::STATE_RUNNING);
  EXPECT_EQ(materials.length(), 10);
  EXPECT_EQ(materials.due_time().seconds(), out.materials_due_time().seconds());
  EXPECT_EQ(materials.legal_basis(), "CPL Interpretation Arts. 354, 356");
  // Deemed withdrawn only once the deadline has passed.
  v1::RuleWithdrawalRequest deem;
  deem.set_name(c.name());
  deem.set_outcome(v1::RuleWithdrawalRequest::OUTCOME_DEEMED_WITHDRAWN);
  deem.set_ruling_number("(2026)浙0681民特127号之一");
  s = confirmations_->RuleWithdrawal(As("clerk-x").get(), deem, &out);
  EXPECT_EQ(testing::Reason(s), "NOT_DEFAULTED") << Describe(s);

  s = SupplyProof(k, c.name(), "zhang", "proof-1", &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Confirmation::STATE_ACCEPTED);
  EXPECT_FALSE(out.has_materials_due_time());
  EXPECT_EQ(deadline(v1::Deadline::KIND_CONFIRMATION_MATERIALS).state(), v1::Deadline::STATE_MET);

  v1::CallPartiesRequest call;
  call.set_name(c.name());
  call.mutable_appearance_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(48)));
  s = confirmations_->CallParties(As("clerk-x").get(), call, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("place"));
  call.set_place("诸暨市人民法院第三法庭");
  s = confirmations_->CallParties(As("zhang").get(), call, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  s = confirmations_->CallParties(As("clerk-x").get(), call, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.appearance().place(), "诸暨市人民法院第三法庭");

  const int64_t due_before = out.ruling_due_time().seconds();
  v1::ExtendRulingPeriodRequest extend;
  extend.set_name(c.name());
  extend.set_days(30);
  s = confirmations_->ExtendRulingPeriod(As("clerk-x").get(), extend, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("approval"));
  extend.set_approval("院长审批表 2026-17");
  s = confirmations_->ExtendRulingPeriod(As("clerk-x").get(), extend, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(out.ruling_extensions_size(), 1);
  EXPECT_EQ(out.ruling_extensions(0).approval(), "院长审批表 2026-17");
  // 30 more days (a weekend at the end moves it on, CPL Art. 85).
  EXPECT_GE(out.ruling_due_time().seconds() - due_before, 30 * 86400);
  EXPECT_LE(out.ruling_due_time().seconds() - due_before, 33 * 86400);
  v1::Deadline ruling = deadline(v1::Deadline::KIND_CONFIRMATION_RULING);
  EXPECT_EQ(ruling.extension_days(), 30);
  EXPECT_EQ(ruling.due_time().seconds(), out.ruling_due_time().seconds());

  v1::RuleConfirmationRequest rule;
  rule.set_name(c.name());
  rule.set_outcome(v1::RuleConfirmationRequest::OUTCOME_VALID);
  rule.set_ruling_number("(2026)浙0681民特127号");
  ASSERT_THAT(confirmations_->RuleConfirmation(As("clerk-x").get(), rule, &out), IsOk());
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_CONFIRMED);

  // Served; the parties' 15 days run (CPL Interpretation Art. 372).
  v1::RecordRulingServiceRequest served;
  served.set_name(c.name());
  served.mutable_service_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(1)));
  s = confirmations_->RecordRulingService(As("clerk-x").get(), served, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);  // future
  absl::SleepFor(absl::Seconds(1));  // whole seconds below: not before the ruling's time
  served.mutable_service_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  s = confirmations_->RecordRulingService(As("clerk-x").get(), served, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_TRUE(out.has_objection_due_time());
  v1::Deadline window = deadline(v1::Deadline::KIND_RULING_OBJECTION);
  EXPECT_EQ(window.state(), v1::Deadline::STATE_RUNNING);
  EXPECT_EQ(window.length(), 15);
  EXPECT_EQ(window.due_time().seconds(), out.objection_due_time().seconds());

  // A party objects for itself; another party's name is refused; the court records an
  // interested person's.
  v1::FileObjectionRequest object;
  object.set_name(c.name());
  object.set_party("applicants/0");
  object.set_reason("被申请人隐瞒了财产状况。");
  s = confirmations_->FileObjection(As("li").get(), object, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
  object.set_party("respondents/0");
  s = confirmations_->FileObjection(As("li").get(), object, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(out.objections_size(), 1);
  EXPECT_EQ(out.objections(0).party(), "respondents/0");
  EXPECT_EQ(out.objections(0).decision(), v1::Objection::DECISION_UNSPECIFIED);
  v1::FileObjectionRequest third;
  third.set_name(c.name());
  third.set_interested_person("王某（被申请人的债权人）");
  third.set_harm_known_date(absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()));
  third.set_reason("协议转移了被申请人的财产。");
  s = confirmations_->FileObjection(As("zhang").get(), third, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  s = confirmations_->FileObjection(As("clerk-x").get(), third, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(out.objections_size(), 2);

  v1::DecideObjectionRequest decide;
  decide.set_name(c.name());
  decide.set_objection("2");
  decide.set_upheld(false);
  decide.set_ruling_number("(2026)浙0681民特127号之二");
  s = confirmations_->DecideObjection(As("clerk-x").get(), decide, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.objections(1).decision(), v1::Objection::DECISION_DISMISSED);
  EXPECT_EQ(out.state(), v1::Confirmation::STATE_RULED_VALID);
  // Upheld: the confirmation is revoked; the case is settled again and the parties may mediate
  // again or sue.
  decide.set_objection("1");
  decide.set_upheld(true);
  decide.set_ruling_number("(2026)浙0681民特127号之三");
  s = confirmations_->DecideObjection(As("clerk-x").get(), decide, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Confirmation::STATE_REVOKED);
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_SETTLED);
  v1::ConsentToMediateAgainRequest again;
  again.set_name(c.name());
  ASSERT_THAT(confirmations_->ConsentToMediateAgain(As("zhang").get(), again, &out), IsOk());
  ASSERT_THAT(confirmations_->ConsentToMediateAgain(As("li").get(), again, &out), IsOk());
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_MEDIATING);
}

// CPL Art. 86: a party late for a good reason asks, within 10 days of the obstacle's end, for
// more time; the court of the application sets the new last day of the materials' deadline or of
// the objection period, and the deadline moves with it.
TEST_F(ConfirmationTest, TheCourtGivesAPartyLateForAGoodReasonMoreTime) {
  const std::string k = MediatingCase();
  Settle(k);
  v1::Confirmation c = Accept(Filed(k));
  const absl::TimeZone china = absl::FixedTimeZone(8 * 3600);
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), china);
  auto day = [](absl::CivilDay d) { return absl::FormatCivilTime(d); };
  auto deadline = [&](v1::Deadline::Kind kind) { return DeadlineOf(k, kind, "zhang"); };

  v1::ExtendPartyTimeRequest more_time;
  more_time.set_name(c.name());
  more_time.set_period(v1::PartyTimeExtension::PERIOD_MATERIALS);
  more_time.set_party("respondents/0");
  more_time.set_until_date(day(today + 20));
  more_time.set_reason("被申请人住院治疗，出院证明附后。");
  more_time.set_obstacle_end_date(day(today - 2));
  v1::Confirmation out;
  // Nothing was asked for yet: no materials' period to extend.
  grpc::Status s = confirmations_->ExtendPartyTime(As("clerk-x").get(), more_time, &out);
  EXPECT_EQ(testing::Reason(s), "NO_SUCH_PERIOD") << Describe(s);

  v1::RequestMaterialsRequest ask;
  ask.set_name(c.name());
  ask.set_note("请补充房屋产权证明。");
  ask.set_due_days(10);
  ASSERT_THAT(confirmations_->RequestMaterials(As("clerk-x").get(), ask, &out), IsOk());
  const int64_t due_before = out.materials_due_time().seconds();

  // Bad input names its field; a party and another court cannot grant it.
  v1::ExtendPartyTimeRequest bad = more_time;
  bad.clear_period();
  bad.set_until_date("2026-13-01");
  bad.clear_reason();
  s = confirmations_->ExtendPartyTime(As("clerk-x").get(), bad, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("period", "until_date", "reason"));
  bad = more_time;
  bad.set_party("respondents/7");
  s = confirmations_->ExtendPartyTime(As("clerk-x").get(), bad, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("party"));
  bad = more_time;
  bad.set_until_date(day(today + 5));  // not after the current last day (today + 10)
  s = confirmations_->ExtendPartyTime(As("clerk-x").get(), bad, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("until_date"));
  bad = more_time;
  bad.set_obstacle_end_date(day(today - 11));
  s = confirmations_->ExtendPartyTime(As("clerk-x").get(), bad, &out);
  EXPECT_EQ(testing::Reason(s), "APPLICATION_TOO_LATE") << Describe(s);
  EXPECT_THAT(s.error_message(), HasSubstr("CPL Art. 86"));
  s = confirmations_->ExtendPartyTime(As("li").get(), more_time, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  s = confirmations_->ExtendPartyTime(As("clerk-y").get(), more_time, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);

  s = confirmations_->ExtendPartyTime(As("clerk-x").get(), more_time, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Confirmation::STATE_MATERIALS_REQUESTED);
  ASSERT_EQ(out.party_time_extensions_size(), 1);
  const v1::PartyTimeExtension& granted = out.party_time_extensions(0);
  EXPECT_EQ(granted.period(), v1::PartyTimeExtension::PERIOD_MATERIALS);
  EXPECT_EQ(granted.party(), "respondents/0");
  EXPECT_EQ(granted.until_date(), day(today + 20));
  EXPECT_EQ(granted.obstacle_end_date(), day(today - 2));
  EXPECT_EQ(granted.reason(), "被申请人住院治疗，出院证明附后。");
  // The end of the new last day, or of the next working day (CPL Art. 85).
  EXPECT_GT(out.materials_due_time().seconds(), due_before);
  EXPECT_GE(out.materials_due_time().seconds(),
            absl::ToUnixSeconds(absl::FromCivil(today + 21, china)));
  v1::Deadline materials = deadline(v1::Deadline::KIND_CONFIRMATION_MATERIALS);
  EXPECT_EQ(materials.state(), v1::Deadline::STATE_RUNNING);
  EXPECT_EQ(materials.due_time().seconds(), out.materials_due_time().seconds());
  EXPECT_EQ(materials.extension_days(), 10);
  // The timeline tells everyone the new last day, not the party's circumstances.
  v1::ListCaseEventsRequest ev;
  ev.set_parent(k);
  ev.set_page_size(1000);
  v1::ListCaseEventsResponse events;
  ASSERT_THAT(cases_->ListCaseEvents(As("zhang").get(), ev, &events), IsOk());
  int told = 0;
  for (const v1::CaseEvent& e : events.events()) {
    EXPECT_THAT(e.reason(), Not(HasSubstr("住院")));
    if (absl::StrContains(e.reason(), "CPL Art. 86")) {
      ++told;
      EXPECT_THAT(e.reason(), HasSubstr("respondents/0"));
    }
  }
  EXPECT_EQ(told, 1);
  // The other kind of period is not running: refused.
  bad = more_time;
  bad.set_period(v1::PartyTimeExtension::PERIOD_OBJECTION);
  s = confirmations_->ExtendPartyTime(As("clerk-x").get(), bad, &out);
  EXPECT_EQ(testing::Reason(s), "NO_SUCH_PERIOD") << Describe(s);

  // The objection period, once the ruling is served.
  ASSERT_THAT(SupplyProof(k, c.name(), "li", "proof-86", &out), IsOk());
  v1::RuleConfirmationRequest rule;
  rule.set_name(c.name());
  rule.set_outcome(v1::RuleConfirmationRequest::OUTCOME_VALID);
  rule.set_ruling_number("(2026)浙0681民特186号");
  ASSERT_THAT(confirmations_->RuleConfirmation(As("clerk-x").get(), rule, &out), IsOk());
  absl::SleepFor(absl::Seconds(1));  // whole seconds below: not before the ruling's time
  v1::RecordRulingServiceRequest served;
  served.set_name(c.name());
  served.mutable_service_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  ASSERT_THAT(confirmations_->RecordRulingService(As("clerk-x").get(), served, &out), IsOk());
  more_time.set_period(v1::PartyTimeExtension::PERIOD_OBJECTION);
  more_time.set_party("applicants/0");
  more_time.set_until_date(day(today + 40));
  more_time.set_etag(out.etag());
  s = confirmations_->ExtendPartyTime(As("clerk-x").get(), more_time, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(out.party_time_extensions_size(), 2);
  EXPECT_EQ(out.party_time_extensions(1).period(), v1::PartyTimeExtension::PERIOD_OBJECTION);
  v1::Deadline window = deadline(v1::Deadline::KIND_RULING_OBJECTION);
  EXPECT_EQ(window.state(), v1::Deadline::STATE_RUNNING);
  EXPECT_EQ(window.due_time().seconds(), out.objection_due_time().seconds());
  EXPECT_GE(out.objection_due_time().seconds(),
            absl::ToUnixSeconds(absl::FromCivil(today + 41, china)));
  // A stale etag is refused.
  s = confirmations_->ExtendPartyTime(As("clerk-x").get(), more_time, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::ABORTED)) << Describe(s);
}

TEST_F(ConfirmationTest, PrecheckRefusals) {
  {
    const std::string k = MediatingCase();
    v1::Confirmation c;
    grpc::Status s = Apply(k, "zhang", "courts/court-x", &c);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
    EXPECT_EQ(testing::Reason(s), "AGREEMENT_NOT_EFFECTIVE") << Describe(s);
    Settle(k, {v1::AgreementTerm::KIND_PERSONAL_STATUS});
    s = Apply(k, "zhang", "courts/court-x", &c);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
    EXPECT_EQ(testing::Reason(s), "PERSONAL_STATUS_MATTER") << Describe(s);
    EXPECT_THAT(s.error_message(), HasSubstr("CPL Interpretation Art. 355"));
  }
  {
    const std::string k = MediatingCase();
    Settle(k, {v1::AgreementTerm::KIND_PROPERTY_OWNERSHIP});
    v1::Confirmation c;
    grpc::Status s = Apply(k, "zhang", "courts/court-x", &c);
    EXPECT_EQ(testing::Reason(s), "PROPERTY_OWNERSHIP_MATTER") << Describe(s);
  }
  {
    const std::string k = MediatingCase();
    v1::Evidence id = Upload(k, "zhang", "u-id");
    v1::Evidence proof = Upload(k, "li", "u-proof");
    Settle(k, {v1::AgreementTerm::KIND_PROPERTY_TRANSFER});
    v1::Confirmation c;
    // A missing property-right proof is a warning, not a refusal: the court asks for it by a
    // deadline (CPL Interpretation Art. 354).
    v1::PrecheckConfirmationRequest pre;
    pre.set_parent(k);
    pre.mutable_confirmation()->set_court("courts/court-x");
    v1::ConfirmationMaterial* idm = pre.mutable_confirmation()->add_materials();
    idm->set_evidence(id.name());
    idm->set_kind(v1::ConfirmationMaterial::KIND_IDENTITY_PROOF);
    v1::PrecheckConfirmationResponse checked;
    grpc::Status s = confirmations_->PrecheckConfirmation(As("zhang").get(), pre, &checked);
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_THAT(checked.problems(), IsEmpty());
    // The undeclared domiciles (2 parties), the materials' warning, then the procedure records'
    // (none are recorded here).
    ASSERT_GE(checked.warnings_size(), 3);
    EXPECT_EQ(checked.warnings(0).reason(), "DOMICILE_NOT_DECLARED");
    EXPECT_EQ(checked.warnings(1).reason(), "DOMICILE_NOT_DECLARED");
    EXPECT_EQ(checked.warnings(2).reason(), "MISSING_MATERIALS");
    for (int i = 3; i < checked.warnings_size(); ++i) {
      EXPECT_EQ(checked.warnings(i).reason(), "MISSING_PROCEDURE_RECORD");
    }
    EXPECT_THAT(checked.warnings(2).description(), HasSubstr("Art. 354"));
    // Unknown court, the wrong field names.
    s = Apply(k, "zhang", "courts/nowhere", &c);
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
    EXPECT_THAT(s.error_message(), HasSubstr("COURT_NOT_COMPETENT"));
    EXPECT_THAT(s.error_message(), HasSubstr("courts/court-x"));
    s = Apply(k, "zhang", "", &c);
    EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("confirmation.court"));
    s = Apply(k, "zhang", "courts/court-x", &c,
              {{"cases/other/evidence/e1", v1::ConfirmationMaterial::KIND_OTHER}});
    EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("confirmation.materials[0].evidence"));
    s = Apply(k, "zhang", "courts/court-x", &c,
              {{id.name(), v1::ConfirmationMaterial::KIND_IDENTITY_PROOF},
               {proof.name(), v1::ConfirmationMaterial::KIND_PROPERTY_RIGHT_PROOF}});
    ASSERT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(c.materials_size(), 2);
    // One open application at a time.
    v1::Confirmation second;
    s = Apply(k, "li", "courts/court-x", &second);
    EXPECT_EQ(testing::Reason(s), "APPLICATION_PENDING") << Describe(s);
  }
}

TEST_F(ConfirmationTest, TheBundleHasEvidenceProofsAndTimelineButNoOffers) {
  const std::string k = MediatingCase();
  v1::Evidence e = Upload(k, "zhang", "u1");
  v1::RecordOfferRequest offer;
  offer.set_parent(k);
  offer.mutable_offer()->set_offered_by("respondents/0");
  offer.mutable_offer()->set_text(kOfferText);
  offer.mutable_offer()->set_amount_fen(500000);
  v1::Offer recorded;
  grpc::Status s = agreements_->RecordOffer(As("med").get(), offer, &recorded);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  v1::Agreement a = Settle(k);
  v1::Confirmation c = Filed(k);

  v1::GetCourtBundleRequest req;
  req.set_name(c.name());
  v1::CourtBundle b;
  s = confirmations_->GetCourtBundle(As("clerk-x").get(), req, &b);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(b.confirmation().name(), c.name());
  EXPECT_EQ(b.agreement().name(), a.name());
  EXPECT_EQ(b.agreement().content_hash(), a.content_hash());
  EXPECT_EQ(b.agreement().signatures_size(), 4);
  EXPECT_EQ(b.agreement_public_key().size(), 32u);
  EXPECT_FALSE(b.agreement_key_id().empty());
  // The court sees the parties unmasked.
  EXPECT_EQ(b.case_().respondents(0).id_number(), testing::kIdLi);
  ASSERT_EQ(b.evidence_size(), 1);
  EXPECT_EQ(b.evidence(0).evidence(), e.name());
  EXPECT_EQ(b.evidence(0).sha256().size(), 64u);
  EXPECT_EQ(b.evidence(0).root_hash().size(), 64u);
  EXPECT_GE(b.evidence(0).log_size(), 1);
  EXPECT_FALSE(b.timeline().empty());
  EXPECT_EQ(b.organization(), "organizations/org1");
  EXPECT_THAT(b.mediators(), ElementsAre("organizations/org1/mediators/m1"));
  const std::string bytes = b.SerializeAsString();
  EXPECT_THAT(bytes, Not(HasSubstr(kOfferText)));
  EXPECT_THAT(bytes, Not(HasSubstr("PRIVILEGED-OFFER")));
  // A party may read it too; another court may not.
  s = confirmations_->GetCourtBundle(As("li").get(), req, &b);
  EXPECT_THAT(s, IsOk()) << Describe(s);
}

// The court's bundle verifies offline with nothing but the two pinned keys (issue 17 item 11):
// `odr-verify bundle` checks every signature, the content hash and every evidence item's leaf and
// inclusion proof against its signed checkpoint, and refuses any change to any of them.
TEST_F(ConfirmationTest, TheBundleVerifiesOfflineAndAnyChangeIsCaught) {
  const std::string k = MediatingCase();
  Upload(k, "zhang", "v1");
  Upload(k, "li", "v2");
  Settle(k);
  v1::Confirmation c = Filed(k);
  v1::GetCourtBundleRequest req;
  req.set_name(c.name());
  v1::CourtBundle b;
  grpc::Status s = confirmations_->GetCourtBundle(As("clerk-x").get(), req, &b);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(b.evidence_size(), 2);
  for (const auto& e : b.evidence()) {
    EXPECT_EQ(e.uploader_role(), v1::ROLE_CITIZEN);
    EXPECT_EQ(e.proof().evidence(), e.evidence());
    EXPECT_THAT(e.proof().leaf_data(), HasSubstr(e.sha256()));
    EXPECT_EQ(e.proof().tree_size(), e.log_size());
    EXPECT_FALSE(e.proof().checkpoint().empty());
  }

  testing::TempDir tmp;
  const std::string log_key = tmp.file("log.key");
  const std::string agreement_key = tmp.file("agreement.key");
  {
    std::ofstream(log_key) << testing::OdrdAdmin(data_, {"log-key"});
    std::ofstream(agreement_key) << testing::OdrdAdmin(data_, {"agreement-key"});
  }
  int n = 0;
  auto verify = [&](const v1::CourtBundle& bundle,
                    const std::string& akey) -> testing::CommandResult {
    std::string json;
    EXPECT_THAT(google::protobuf::util::MessageToJsonString(bundle, &json), IsOk());
    const std::string path = tmp.file(absl::StrCat("bundle-", ++n, ".json"));
    std::ofstream(path) << json;
    return testing::RunCommand(
        {ODR_VERIFY_PATH, "bundle", path, "--log-key", log_key, "--agreement-key", akey});
  };
  testing::CommandResult ok = verify(b, agreement_key);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("VERIFIED"));
  EXPECT_THAT(ok.out, HasSubstr("4 signatures"));
  EXPECT_THAT(ok.out, HasSubstr("2 evidence items"));

  std::vector<std::pair<std::string, std::function<void(v1::CourtBundle*)>>> tampered = {
      {"agreement text",
       [](v1::CourtBundle* x) { x->mutable_agreement()->mutable_text()->append("x"); }},
      {"a signature",
       [](v1::CourtBundle* x) {
         std::string* sig = x->mutable_agreement()->mutable_signatures(1)->mutable_signature();
         (*sig)[5] = static_cast<char>((*sig)[5] ^ 1);
       }},
      {"a signer",
       [](v1::CourtBundle* x) {
         x->mutable_agreement()->mutable_signatures(0)->set_signer("applicants/1");
       }},
      {"the bundle's key",
       [](v1::CourtBundle* x) { x->set_agreement_public_key(std::string(32, '\x07')); }},
      {"an evidence hash",
       [](v1::CourtBundle* x) { x->mutable_evidence(1)->set_sha256(std::string(64, 'a')); }},
      {"a leaf",
       [](v1::CourtBundle* x) {
         std::string* leaf = x->mutable_evidence(0)->mutable_proof()->mutable_leaf_data();
         leaf->replace(leaf->find("size: ") + 6, 1, "9");
       }},
      {"an audit path",
       [](v1::CourtBundle* x) {
         auto* proof = x->mutable_evidence(0)->mutable_proof();
         if (proof->inclusion_path_size() > 0) {
           (*proof->mutable_inclusion_path(0))[0] ^= 1;
         } else {
           proof->set_leaf_index(proof->leaf_index() + 1);
         }
       }},
      {"a checkpoint",
       [](v1::CourtBundle* x) {
         std::string* cp = x->mutable_evidence(0)->mutable_proof()->mutable_checkpoint();
         cp->replace(cp->find('\n') + 1, 1, "9");
       }},
      {"an uploader role",
       [](v1::CourtBundle* x) { x->mutable_evidence(0)->set_uploader_role(v1::ROLE_MEDIATOR); }},
      {"the case", [](v1::CourtBundle* x) { x->mutable_case_()->set_name("cases/another"); }},
      {"the application's agreement",
       [](v1::CourtBundle* x) {
         x->mutable_confirmation()->set_agreement(x->case_().name() + "/agreements/other");
       }},
  };
  for (const auto& [what, change] : tampered) {
    v1::CourtBundle bad = b;
    change(&bad);
    testing::CommandResult r = verify(bad, agreement_key);
    EXPECT_EQ(r.exit_code, 1) << what << ": " << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("NOT VERIFIED")) << what;
  }
  // Another agreement key than the one pinned.
  testing::CommandResult other =
      verify(b, std::string("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="));
  EXPECT_EQ(other.exit_code, 1) << other.out << other.err;
  testing::CommandResult usage = verify(b, "not-a-key");
  EXPECT_EQ(usage.exit_code, 2) << usage.out << usage.err;
}

TEST_F(ConfirmationTest, CourtDivertsAndFollowsItsCases) {
  v1::DivertCaseRequest divert;
  v1::Case* body = divert.mutable_case_();
  *body = testing::ZhangAgainstLi("org1");
  v1::CourtDiversion* d = body->mutable_source()->mutable_court_diversion();
  d->set_court("courts/court-x");
  d->set_intake_reference("(2026)浙0681诉前调1号");
  d->set_diversion_date("2026-01-05");
  d->set_court_display_name("诸暨市人民法院");
  v1::Case k;
  grpc::Status s = courts_->DivertCase(As("clerk-x").get(), divert, &k);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(k.state(), v1::Case::STATE_SUBMITTED);
  v1::Case again;
  s = courts_->DivertCase(As("clerk-x").get(), divert, &again);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(again.name(), k.name());
  s = courts_->DivertCase(As("clerk-y").get(), divert, &again);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED));

  v1::ListDivertedCasesRequest list;
  list.set_parent("courts/court-x");
  v1::ListDivertedCasesResponse page;
  s = courts_->ListDivertedCases(As("clerk-x").get(), list, &page);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(page.cases_size(), 1);
  EXPECT_EQ(page.cases(0).case_(), k.name());
  EXPECT_EQ(page.cases(0).outcome(), v1::DIVERSION_OUTCOME_PENDING);
  EXPECT_EQ(page.cases(0).intake_reference(), "(2026)浙0681诉前调1号");
  list.set_parent("courts/court-y");
  s = courts_->ListDivertedCases(As("clerk-x").get(), list, &page);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED));

  // The organization ends it without settlement: referred back to the court's queue.
  v1::CloseCaseRequest close;
  close.set_name(k.name());
  close.set_reason("申请人未到场，调解不成。");
  s = cases_->CloseCase(As("orgadmin").get(), close, &k);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  v1::ListReferralsRequest refs;
  refs.set_parent("courts/court-x");
  v1::ListReferralsResponse referrals;
  s = courts_->ListReferrals(As("clerk-x").get(), refs, &referrals);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(referrals.referrals_size(), 1);
  EXPECT_EQ(referrals.referrals(0).case_(), k.name());
  EXPECT_THAT(referrals.referrals(0).reason(), HasSubstr("调解不成"));
  list.set_parent("courts/court-x");
  list.set_outcome(v1::DIVERSION_OUTCOME_REFERRED);
  s = courts_->ListDivertedCases(As("clerk-x").get(), list, &page);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(page.cases_size(), 1);
  list.set_outcome(v1::DIVERSION_OUTCOME_PENDING);
  s = courts_->ListDivertedCases(As("clerk-x").get(), list, &page);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_THAT(page.cases(), IsEmpty());
  // The pre-filing route (OMR Art. 21(二)): the ending says the court files the case.
  EXPECT_EQ(k.route(), v1::ROUTE_PRE_FILING_DIVERSION);
  EXPECT_EQ(k.ending().kind(), v1::CaseEnding::KIND_REFERRED_FOR_FILING);
  EXPECT_EQ(k.ending().reason(), "申请人未到场，调解不成。");
  EXPECT_EQ(k.ending().actor(), "principals/orgadmin");
  EXPECT_EQ(referrals.referrals(0).kind(), v1::CaseEnding::KIND_REFERRED_FOR_FILING);
  EXPECT_EQ(EventsOfKind(k.name(), v1::CaseEvent::KIND_REFERRED_TO_LITIGATION), 1);
  EXPECT_EQ(EventsOfKind(k.name(), v1::CaseEvent::KIND_RETURNED_FOR_TRIAL), 0);
}

// A court's post-filing entrustment (委托调解): the court already has the suit, so the settlement
// is never judicially confirmed — the pre-check refuses it and no 30-day window runs — and the
// court concludes it by a mediation statement or the plaintiff's withdrawal (OMR Art. 20; 特邀
// Arts. 20-21; issue 18 item 1).
TEST_F(ConfirmationTest, APostFilingSettlementIsConcludedByTheCourtNotConfirmed) {
  const std::string k = MediatingCase(PostFilingCase("(2026)浙0681民初7号"), "clerk-x");
  Settle(k);
  v1::Case settled = GetCase(k);
  EXPECT_EQ(settled.route(), v1::ROUTE_POST_FILING_ENTRUSTMENT);
  EXPECT_EQ(settled.state(), v1::Case::STATE_SETTLED);
  EXPECT_FALSE(settled.has_ending());
  v1::ListDeadlinesRequest deadlines;
  deadlines.set_parent(k);
  v1::ListDeadlinesResponse running;
  grpc::Status s = deadlines_->ListDeadlines(As("orgadmin").get(), deadlines, &running);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  for (const v1::Deadline& d : running.deadlines()) {
    EXPECT_NE(d.kind(), v1::Deadline::KIND_CONFIRMATION_APPLICATION) << d.name();
  }
  // The pre-check and the application refuse it, naming the rule.
  v1::Confirmation c;
  s = Apply(k, "zhang", "courts/court-x", &c);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
  EXPECT_EQ(testing::Reason(s), "POST_FILING_CASE");
  EXPECT_THAT(s.error_message(), HasSubstr("OMR Art. 20"));
  v1::PrecheckConfirmationRequest pre;
  pre.set_parent(k);
  pre.mutable_confirmation()->set_court("courts/court-x");
  v1::PrecheckConfirmationResponse found;
  s = confirmations_->PrecheckConfirmation(As("zhang").get(), pre, &found);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_GE(found.problems_size(), 1);
  EXPECT_EQ(found.problems(0).reason(), "POST_FILING_CASE");

  // Only the court that has the suit concludes it, with the kind and the document.
  v1::ConcludeCaseRequest conclude;
  conclude.set_name(k);
  conclude.set_conclusion(v1::CaseEnding::KIND_MEDIATION_STATEMENT);
  conclude.set_court_document("(2026)浙0681民初7号");
  conclude.set_note("调解书已送达双方。");
  conclude.set_request_id("conclude-1");
  v1::Case out;
  s = courts_->ConcludeCase(As("clerk-y").get(), conclude, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::NOT_FOUND)) << Describe(s);
  s = courts_->ConcludeCase(As("zhang").get(), conclude, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  v1::ConcludeCaseRequest bad = conclude;
  bad.set_conclusion(v1::CaseEnding::KIND_TRIAL_RESUMED);
  s = courts_->ConcludeCase(As("clerk-x").get(), bad, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("conclusion"));
  bad = conclude;
  bad.clear_court_document();
  s = courts_->ConcludeCase(As("clerk-x").get(), bad, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("court_document"));
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_SETTLED);  // nothing half-written

  s = courts_->ConcludeCase(As("clerk-x").get(), conclude, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Case::STATE_CONCLUDED);
  EXPECT_EQ(out.ending().kind(), v1::CaseEnding::KIND_MEDIATION_STATEMENT);
  EXPECT_EQ(out.ending().court_document(), "(2026)浙0681民初7号");
  EXPECT_EQ(out.ending().reason(), "调解书已送达双方。");
  EXPECT_EQ(out.ending().actor(), "principals/clerk-x");
  // A retry answers from its request_id; the parties see the same ending.
  v1::Case again;
  s = courts_->ConcludeCase(As("clerk-x").get(), conclude, &again);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(again.etag(), out.etag());
  EXPECT_EQ(GetCase(k, "li").ending().kind(), v1::CaseEnding::KIND_MEDIATION_STATEMENT);
  // Concluded is terminal: a second conclusion is refused.
  conclude.set_request_id("conclude-2");
  conclude.set_conclusion(v1::CaseEnding::KIND_SUIT_WITHDRAWN);
  s = courts_->ConcludeCase(As("clerk-x").get(), conclude, &again);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);

  // The court follows the outcome; statistics count it.
  v1::ListDivertedCasesRequest list;
  list.set_parent("courts/court-x");
  list.set_outcome(v1::DIVERSION_OUTCOME_MEDIATION_STATEMENT);
  v1::ListDivertedCasesResponse page;
  s = courts_->ListDivertedCases(As("clerk-x").get(), list, &page);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(page.cases_size(), 1);
  EXPECT_EQ(page.cases(0).case_(), k);
  EXPECT_EQ(page.cases(0).route(), v1::ROUTE_POST_FILING_ENTRUSTMENT);
  EXPECT_EQ(Figures("courts/court-x").concluded_by_court(), 1);
}

// A pre-filing settlement is not the court's to conclude: it is confirmed (CPL Art. 205).
TEST_F(ConfirmationTest, OnlyAPostFilingCaseIsConcluded) {
  const std::string k = MediatingCase(PreFilingCase("(2026)浙0681诉前调8号"), "clerk-x");
  Settle(k);
  v1::ConcludeCaseRequest conclude;
  conclude.set_name(k);
  conclude.set_conclusion(v1::CaseEnding::KIND_SUIT_WITHDRAWN);
  conclude.set_court_document("(2026)浙0681民初8号");
  v1::Case out;
  grpc::Status s = courts_->ConcludeCase(As("clerk-x").get(), conclude, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
  EXPECT_EQ(testing::Reason(s), "NOT_POST_FILING");
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_SETTLED);
}

// A post-filing mediation that fails goes back for the trial to resume, not to filing, with why it
// failed and the conduct that raised the other side's costs (OMR Art. 21, 21(三)).
TEST_F(ConfirmationTest, APostFilingFailureReturnsForTrialWithTheCostConduct) {
  const std::string k = MediatingCase(PostFilingCase("(2026)浙0681民初9号"), "clerk-x");
  v1::CloseCaseRequest close;
  close.set_name(k);
  close.set_reason("被申请人拒绝调解方案，调解不成。");
  close.set_cost_conduct(std::string(1001, 'x'));
  v1::Case out;
  grpc::Status s = cases_->CloseCase(As("med").get(), close, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("cost_conduct"));
  EXPECT_EQ(GetCase(k).state(), v1::Case::STATE_MEDIATING);
  close.set_cost_conduct("被申请人两次无故缺席调解。");
  s = cases_->CloseCase(As("med").get(), close, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(out.state(), v1::Case::STATE_CLOSED);
  EXPECT_EQ(out.ending().kind(), v1::CaseEnding::KIND_TRIAL_RESUMED);
  EXPECT_EQ(out.ending().reason(), "被申请人拒绝调解方案，调解不成。");
  EXPECT_EQ(out.ending().cost_conduct(), "被申请人两次无故缺席调解。");
  EXPECT_EQ(out.ending().actor(), "principals/med");
  EXPECT_EQ(EventsOfKind(k, v1::CaseEvent::KIND_RETURNED_FOR_TRIAL), 1);
  EXPECT_EQ(EventsOfKind(k, v1::CaseEvent::KIND_REFERRED_TO_LITIGATION), 0);

  v1::ListReferralsRequest refs;
  refs.set_parent("courts/court-x");
  v1::ListReferralsResponse referrals;
  s = courts_->ListReferrals(As("clerk-x").get(), refs, &referrals);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(referrals.referrals_size(), 1);
  EXPECT_EQ(referrals.referrals(0).kind(), v1::CaseEnding::KIND_TRIAL_RESUMED);
  EXPECT_EQ(referrals.referrals(0).cost_conduct(), "被申请人两次无故缺席调解。");
  v1::ListDivertedCasesRequest list;
  list.set_parent("courts/court-x");
  list.set_outcome(v1::DIVERSION_OUTCOME_TRIAL_RESUMED);
  v1::ListDivertedCasesResponse page;
  s = courts_->ListDivertedCases(As("clerk-x").get(), list, &page);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(page.cases_size(), 1);
  const v1::Figures f = Figures("courts/court-x");
  EXPECT_EQ(f.trial_resumed(), 1);
  EXPECT_EQ(f.referred_for_filing(), 0);
  EXPECT_EQ(f.failed(), 1);
}

// Issue 18 item 5: the record that mediation was voluntary and lawful (CPL Interpretation Art.
// 358(四); OMR Arts. 4, 13, 17, 22; 特邀 Arts. 11, 14, 18). Each record is on the timeline, the
// pre-check warns of what is missing until it is all there, and the court's bundle carries them.
TEST_F(ConfirmationTest, TheVoluntarinessRecordsShowInTimelinePrecheckAndBundle) {
  const std::string k = MediatingCase(PreFilingCase("(2026)浙0681诉前调91号"), "clerk-x");
  auto record = [&](const std::string& who, v1::ProcedureRecord::Kind kind,
                    const std::string& party, v1::ProcedureRecord* out = nullptr,
                    const std::function<void(v1::ProcedureRecord*)>& more = nullptr) {
    v1::RecordProcedureRequest req;
    req.set_parent(k);
    req.mutable_record()->set_kind(kind);
    req.mutable_record()->set_party(party);
    if (more) more(req.mutable_record());
    v1::ProcedureRecord got;
    grpc::Status s = cases_->RecordProcedure(As(who).get(), req, out ? out : &got);
    return s;
  };
  auto warnings = [&]() {
    v1::PrecheckConfirmationRequest pre;
    pre.set_parent(k);
    v1::PrecheckConfirmationResponse found;
    grpc::Status s = confirmations_->PrecheckConfirmation(As("zhang").get(), pre, &found);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    std::vector<std::string> out;
    for (const auto& w : found.warnings()) out.push_back(w.reason() + ": " + w.description());
    return out;
  };
  // Nothing recorded: 7 records for each of the 2 parties of a diverted case.
  EXPECT_EQ(warnings().size(), 14u);

  // The applicant consents itself; the mediator records the respondent's consent and how.
  v1::ProcedureRecord consent;
  grpc::Status s =
      record("zhang", v1::ProcedureRecord::KIND_MEDIATION_CONSENT, "applicants/0", &consent);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(consent.name().rfind(k + "/records/", 0), 0u);
  EXPECT_EQ(consent.recorded_by(), "principals/zhang");
  EXPECT_TRUE(consent.has_record_time());
  // The other side may not consent for the applicant (OMR Art. 4).
  s = record("li", v1::ProcedureRecord::KIND_MEDIATION_CONSENT, "applicants/0");
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
  ASSERT_TRUE(record("med", v1::ProcedureRecord::KIND_MEDIATION_CONSENT, "respondents/0", nullptr,
                     [](v1::ProcedureRecord* r) { r->set_manner("电话中口头同意"); })
                  .ok());
  // The court records the consents to its diversion (特邀 Art. 11).
  for (const char* party : {"applicants/0", "respondents/0"}) {
    s = record("clerk-x", v1::ProcedureRecord::KIND_DIVERSION_CONSENT, party);
    ASSERT_THAT(s, IsOk()) << Describe(s);
  }
  // Bad input names the field.
  s = record("med", v1::ProcedureRecord::KIND_IDENTITY_VERIFIED, "applicants/0");
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("record.manner"));
  s = record("med", v1::ProcedureRecord::KIND_NOTICE_ACKNOWLEDGED, "respondents/7");
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("record.party"));
  s = record("med", v1::ProcedureRecord::KIND_UNSPECIFIED, "applicants/0");
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("record.kind"));
  s = record("med", v1::ProcedureRecord::KIND_MINUTES_CONFIRMED, "applicants/0", nullptr,
             [&](v1::ProcedureRecord* r) { r->set_appointment(k + "/appointments/nope"); });
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("record.appointment"));

  // A session, whose minutes both parties confirm (OMR Art. 22).
  auto appointments = v1::AppointmentService::NewStub(channel_);
  v1::BookAppointmentRequest book;
  book.set_parent(k);
  book.mutable_appointment()->set_kind(v1::Appointment::KIND_JOINT_VIDEO);
  const absl::Time start = testing::NextWeekdayAt(absl::Now() + absl::Hours(24 * 6), 9, 0);
  *book.mutable_appointment()->mutable_start_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(start));
  *book.mutable_appointment()->mutable_end_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(start + absl::Hours(1)));
  book.mutable_appointment()->add_participants()->set_participant("applicants/0");
  book.mutable_appointment()->add_participants()->set_participant("respondents/0");
  v1::Appointment session;
  s = appointments->BookAppointment(As("med").get(), book, &session);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  for (const char* party : {"applicants/0", "respondents/0"}) {
    s = record("med", v1::ProcedureRecord::KIND_MINUTES_CONFIRMED, party, nullptr,
               [&](v1::ProcedureRecord* r) { r->set_appointment(session.name()); });
    ASSERT_THAT(s, IsOk()) << Describe(s);
  }
  // The notice, identity, the warning and the service address for each party (特邀 Art. 14; OMR
  // Art. 17): the identity with how it was verified (the ID number must never reach the timeline).
  for (const char* party : {"applicants/0", "respondents/0"}) {
    ASSERT_THAT(record("med", v1::ProcedureRecord::KIND_NOTICE_ACKNOWLEDGED, party), IsOk());
    ASSERT_TRUE(record("med", v1::ProcedureRecord::KIND_IDENTITY_VERIFIED, party, nullptr,
                       [](v1::ProcedureRecord* r) {
                         r->set_manner(std::string("人脸识别 ") + testing::kIdLi);
                       })
                    .ok());
    ASSERT_THAT(record("med", v1::ProcedureRecord::KIND_FALSE_MEDIATION_WARNING, party), IsOk());
  }
  EXPECT_EQ(warnings().size(), 2u);  // the service addresses
  ASSERT_TRUE(
      record("zhang", v1::ProcedureRecord::KIND_SERVICE_ADDRESS_CONFIRMED, "applicants/0").ok());
  ASSERT_TRUE(
      record("li", v1::ProcedureRecord::KIND_SERVICE_ADDRESS_CONFIRMED, "respondents/0").ok());
  EXPECT_THAT(warnings(), IsEmpty());

  // A disclosure the respondent has not waived warns (OMR Art. 13); a suspicion of false
  // mediation (特邀 Art. 18) warns and is hidden from the parties.
  s = record("med", v1::ProcedureRecord::KIND_CONFLICT_DISCLOSED, "", nullptr,
             [](v1::ProcedureRecord* r) {
               r->set_mediator("principals/med");
               r->set_detail("调解员曾在被申请人单位实习");
             });
  ASSERT_THAT(s, IsOk()) << Describe(s);
  s = record("zhang", v1::ProcedureRecord::KIND_CONFLICT_WAIVED, "applicants/0", nullptr,
             [](v1::ProcedureRecord* r) { r->set_mediator("principals/med"); });
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(warnings().size(), 1u);
  EXPECT_THAT(warnings()[0], HasSubstr("CONFLICT_NOT_WAIVED"));
  s = record("med", v1::ProcedureRecord::KIND_FALSE_MEDIATION_SUSPECTED, "", nullptr,
             [](v1::ProcedureRecord* r) { r->set_detail("双方疑似串通损害第三人利益"); });
  ASSERT_THAT(s, IsOk()) << Describe(s);
  // Never a warning: the parties read them (特邀 Art. 18: the report is for the court).
  EXPECT_THAT(warnings(), ElementsAre(HasSubstr("CONFLICT_NOT_WAIVED")));

  // The timeline: one event per record, naming the party and the article, never the free text.
  EXPECT_EQ(EventsOfKind(k, v1::CaseEvent::KIND_PROCEDURE_RECORDED), 17);
  v1::ListCaseEventsRequest ev;
  ev.set_parent(k);
  ev.set_page_size(1000);
  v1::ListCaseEventsResponse zhang_events;
  ASSERT_THAT(cases_->ListCaseEvents(As("zhang").get(), ev, &zhang_events), IsOk());
  int seen = 0;
  for (const v1::CaseEvent& e : zhang_events.events()) {
    if (e.kind() != v1::CaseEvent::KIND_PROCEDURE_RECORDED) continue;
    ++seen;
    EXPECT_THAT(e.reason(), Not(HasSubstr(testing::kIdLi)));
    EXPECT_THAT(e.reason(), Not(HasSubstr("串通")));
    EXPECT_EQ(e.subject().rfind(k + "/records/", 0), 0u);
  }
  EXPECT_EQ(seen, 16);  // not the suspicion
  // The list: a party sees the other side's records without their manner; never the suspicion.
  v1::ListProcedureRecordsRequest list;
  list.set_parent(k);
  v1::ListProcedureRecordsResponse mine, staff;
  ASSERT_THAT(cases_->ListProcedureRecords(As("zhang").get(), list, &mine), IsOk());
  ASSERT_THAT(cases_->ListProcedureRecords(As("orgadmin").get(), list, &staff), IsOk());
  EXPECT_EQ(staff.records_size(), 17);
  EXPECT_EQ(mine.records_size(), 16);
  for (const v1::ProcedureRecord& r : mine.records()) {
    EXPECT_NE(r.kind(), v1::ProcedureRecord::KIND_FALSE_MEDIATION_SUSPECTED);
    if (r.party() == "respondents/0") EXPECT_THAT(r.manner(), IsEmpty()) << r.DebugString();
  }

  // The bundle carries every record in full.
  Settle(k);
  v1::Confirmation c = Filed(k);
  v1::GetCourtBundleRequest breq;
  breq.set_name(c.name());
  v1::CourtBundle b;
  s = confirmations_->GetCourtBundle(As("clerk-x").get(), breq, &b);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(b.records_size(), 17);
  EXPECT_EQ(b.records(0).name(), consent.name());
  bool suspicion = false;
  for (const v1::ProcedureRecord& r : b.records()) {
    if (r.kind() == v1::ProcedureRecord::KIND_IDENTITY_VERIFIED) {
      EXPECT_THAT(r.manner(), HasSubstr("人脸识别"));
    }
    suspicion = suspicion || (r.kind() == v1::ProcedureRecord::KIND_FALSE_MEDIATION_SUSPECTED &&
                              r.detail() == "双方疑似串通损害第三人利益");
  }
  EXPECT_TRUE(suspicion);
  // A party reading the bundle gets what the list shows it: no suspicion, no other side's manner.
  v1::CourtBundle party_bundle;
  s = confirmations_->GetCourtBundle(As("zhang").get(), breq, &party_bundle);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(party_bundle.records_size(), 16);
  for (const v1::ProcedureRecord& r : party_bundle.records()) {
    EXPECT_NE(r.kind(), v1::ProcedureRecord::KIND_FALSE_MEDIATION_SUSPECTED);
    if (r.party() == "respondents/0") EXPECT_THAT(r.manner(), IsEmpty()) << r.DebugString();
  }
  EXPECT_THAT(party_bundle.SerializeAsString(), Not(HasSubstr("串通")));
  // The court of the diversion may decide a recusal, not record a party's consent to mediate.
  s = record("clerk-x", v1::ProcedureRecord::KIND_MEDIATION_CONSENT, "applicants/0");
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED)) << Describe(s);
}

// OMR Art. 14: a party that refuses a replacement mediator and to choose another is deemed to
// refuse mediation: recording it ends the mediation and the diverted case goes back to its court.
TEST_F(ConfirmationTest, RefusingAReplacementEndsTheMediation) {
  const std::string k = MediatingCase(PreFilingCase("(2026)浙0681诉前调92号"), "clerk-x");
  v1::RecordProcedureRequest req;
  req.set_parent(k);
  req.mutable_record()->set_kind(v1::ProcedureRecord::KIND_REPLACEMENT_REFUSED);
  req.mutable_record()->set_party("respondents/0");
  v1::ProcedureRecord out;
  // Only once a replacement is due: after a mediator was replaced.
  grpc::Status s = cases_->RecordProcedure(As("li").get(), req, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
  EXPECT_THAT(s.error_message(), HasSubstr("OMR Art. 14"));
  v1::ReplaceMediatorRequest replace;
  replace.set_name(k);
  replace.set_mediator("organizations/org1/mediators/m1");
  replace.set_reason("调解员与申请人相识");
  v1::Case replaced;
  s = cases_->ReplaceMediator(As("zhang").get(), replace, &replaced);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  s = cases_->RecordProcedure(As("li").get(), req, &out);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  v1::GetCaseRequest get;
  get.set_name(k);
  v1::Case got;
  ASSERT_THAT(cases_->GetCase(As("orgadmin").get(), get, &got), IsOk());
  EXPECT_EQ(got.state(), v1::Case::STATE_CLOSED);
  EXPECT_THAT(got.ending().reason(), HasSubstr("OMR Art. 14"));
  EXPECT_EQ(got.ending().kind(), v1::CaseEnding::KIND_REFERRED_FOR_FILING);
  // Nothing more is recorded on an ended case.
  req.mutable_record()->set_kind(v1::ProcedureRecord::KIND_MEDIATION_CONSENT);
  s = cases_->RecordProcedure(As("li").get(), req, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << Describe(s);
}

// CPL Art. 205(二): a dispute that belongs to an intermediate court is confirmed by the
// intermediate court of the organization's (or a party's, or the subject matter's) prefecture;
// the basic courts are then not competent.
TEST_F(ConfirmationTest, AnIntermediateCourtMatterGoesToTheIntermediateCourt) {
  v1::Case c = testing::ZhangAgainstLi("org1");
  c.set_intermediate_court_matter(true);
  const std::string k = MediatingCase(c);
  Settle(k);
  v1::PrecheckConfirmationRequest pre;
  pre.set_parent(k);
  pre.mutable_confirmation()->set_court("courts/court-x");
  v1::PrecheckConfirmationResponse found;
  grpc::Status s = confirmations_->PrecheckConfirmation(As("zhang").get(), pre, &found);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  ASSERT_EQ(found.competent_courts_size(), 1);
  EXPECT_EQ(found.competent_courts(0).court(), "courts/court-z");
  EXPECT_EQ(found.competent_courts(0).level(), v1::COURT_LEVEL_INTERMEDIATE);
  EXPECT_THAT(found.competent_courts(0).bases(), ElementsAre(v1::COMPETENCE_BASIS_ORGANIZATION));
  ASSERT_EQ(found.problems_size(), 1);
  EXPECT_EQ(found.problems(0).reason(), "COURT_NOT_COMPETENT");
  EXPECT_THAT(found.problems(0).description(), HasSubstr("courts/court-z"));
  v1::Confirmation applied;
  s = Apply(k, "zhang", "courts/court-z", &applied);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(applied.court(), "courts/court-z");
}

}  // namespace
}  // namespace odr

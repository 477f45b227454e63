// Settlement agreements through the real odrd: drafting with the statutory contents, revisions
// that void signatures, signatures over the content hash by every party, the mediator and the
// organization (verified with the server's Ed25519 key), the case settling, performance, the
// printable rendering, privileged offers, bad input named by field, and who may do what.
#include "server/domain/agreement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/agreement_signer.h"
#include "tests/testing/error_details.h"
#include "tests/testing/mediation.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class AgreementTest : public testing::MediationTest {
 protected:
  void SetUp() override {
    MediationTest::SetUp();
    case_ = MediatingCase();
  }
  std::string case_;
};

TEST_F(AgreementTest, DraftSignedByAllTakesEffectAndSettlesTheCase) {
  v1::Agreement a = Draft(case_, SampleAgreement());
  EXPECT_EQ(a.state(), v1::Agreement::STATE_DRAFT);
  EXPECT_EQ(a.revision(), 1);
  EXPECT_EQ(a.content_hash(), domain::Sha256Hex(a.text()));
  EXPECT_THAT(a.text(), HasSubstr("李四向张三支付赔偿款人民币两万元。"));
  EXPECT_THAT(a.text(), HasSubstr("total: 2000000 fen (20,000.00 yuan)"));
  EXPECT_THAT(a.pending_signers(),
              ElementsAre("applicants/0", "respondents/0", "mediator", "organizations/org1"));
  ASSERT_EQ(a.parties_size(), 2);
  EXPECT_EQ(a.parties(0).name(), "张三");

  // A signature is consent to exactly the text read: a different hash is refused.
  v1::SignAgreementRequest stale;
  stale.set_name(a.name());
  stale.set_content_hash(std::string(64, '0'));
  v1::Agreement out;
  grpc::Status s = agreements_->SignAgreement(As("li").get(), stale, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(testing::Reason(s), "CONTENT_CHANGED");

  // org1 is not a people's mediation committee and the dispute came by the citizen's own
  // application: the agreement takes effect when every party has signed (OMR Art. 19).
  EXPECT_EQ(a.effect_rule(), v1::Agreement::EFFECT_RULE_PARTIES_SIGNED);
  for (const char* who : {"med", "zhang"}) {
    ASSERT_THAT(Sign(who, a, &a), IsOk()) << who;
    EXPECT_EQ(a.state(), v1::Agreement::STATE_DRAFT);
    EXPECT_EQ(GetCase(case_).state(), v1::Case::STATE_MEDIATING);
  }
  EXPECT_EQ(testing::Reason(Sign("zhang", a, &out)), "ALREADY_SIGNED");
  ASSERT_THAT(Sign("li", a, &a), IsOk());
  EXPECT_EQ(a.state(), v1::Agreement::STATE_EFFECTIVE);
  EXPECT_EQ(a.effective_time(), a.signatures(2).sign_time());  // li's, the last party's
  EXPECT_EQ(a.service_time(), a.effective_time());             // served on the parties then
  EXPECT_FALSE(a.has_court_filing_time());                     // no court diverted it
  EXPECT_EQ(GetCase(case_).state(), v1::Case::STATE_SETTLED);
  // The seal is still required form (OMR Art. 19 para 1): the organization adds it now; a party
  // cannot sign again, nor the mediator twice.
  EXPECT_THAT(a.pending_signers(), ElementsAre("organizations/org1"));
  EXPECT_EQ(testing::Reason(Sign("zhang", a, &out)), "AGREEMENT_NOT_DRAFT");
  EXPECT_EQ(testing::Reason(Sign("med", a, &out)), "AGREEMENT_NOT_DRAFT");
  const google::protobuf::Timestamp effective = a.effective_time();
  ASSERT_THAT(Sign("orgadmin", a, &a), IsOk());
  EXPECT_EQ(a.state(), v1::Agreement::STATE_EFFECTIVE);
  EXPECT_EQ(a.effective_time(), effective);  // the seal does not move the effective time
  EXPECT_TRUE(a.pending_signers().empty());
  EXPECT_EQ(GetCase(case_).state(), v1::Case::STATE_SETTLED);
  EXPECT_EQ(testing::Reason(Sign("orgadmin", a, &out)), "AGREEMENT_NOT_DRAFT");

  // Each signature is the server's Ed25519 signature of a statement naming the agreement, its
  // revision, the content hash and the signer.
  auto key = server::AgreementSigner::Create(server::AgreementKeyPath(data_));
  ASSERT_THAT(key, IsOk());
  std::vector<std::string> signers;
  for (const auto& sig : a.signatures()) {
    signers.push_back(sig.signer());
    EXPECT_EQ(sig.key_id(), key->KeyId());
    EXPECT_THAT(sig.statement(), HasSubstr(a.content_hash()));
    EXPECT_THAT(sig.statement(), HasSubstr(a.name()));
    EXPECT_TRUE(key->Verify(sig.signature(), sig.statement())) << sig.signer();
    std::string forged = sig.statement();
    forged[forged.size() - 2] ^= 1;
    EXPECT_FALSE(key->Verify(sig.signature(), forged));
  }
  EXPECT_THAT(signers, UnorderedElementsAre("applicants/0", "respondents/0", "principals/med",
                                            "organizations/org1"));

  // The clock: 30 days to apply for confirmation, and each instalment falls due.
  v1::ListDeadlinesRequest dl;
  dl.set_parent(case_);
  v1::ListDeadlinesResponse deadlines;
  ASSERT_THAT(deadlines_->ListDeadlines(As("zhang").get(), dl, &deadlines), IsOk());
  int instalments = 0;
  bool confirmation = false;
  for (const auto& d : deadlines.deadlines()) {
    if (d.kind() == v1::Deadline::KIND_INSTALMENT_DUE) ++instalments;
    if (d.kind() == v1::Deadline::KIND_CONFIRMATION_APPLICATION) {
      confirmation = d.state() == v1::Deadline::STATE_RUNNING;
    }
    if (d.kind() == v1::Deadline::KIND_MEDIATION_PERIOD) {
      EXPECT_EQ(d.state(), v1::Deadline::STATE_MET);
    }
  }
  EXPECT_EQ(instalments, 2);
  EXPECT_TRUE(confirmation);

  // A settled case has one open agreement: no second draft.
  v1::CreateAgreementRequest again;
  again.set_parent(case_);
  *again.mutable_agreement() = SampleAgreement();
  s = agreements_->CreateAgreement(As("med").get(), again, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
}

// Before a people's mediation committee, on a citizen's own application, the agreement takes
// effect only when the mediator has signed and the committee has sealed too (PML Art. 29).
class PeoplesCommitteeAgreementTest : public AgreementTest {
 protected:
  v1::CreateOrganizationRequest Org1() const override {
    v1::CreateOrganizationRequest req = testing::ZhujiOrganization("org1");
    req.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_PEOPLES_MEDIATION_COMMITTEE);
    return req;
  }
};

TEST_F(PeoplesCommitteeAgreementTest, ItTakesEffectWithTheMediatorAndTheCommitteesSeal) {
  v1::Agreement a = Draft(case_, SampleAgreement());
  EXPECT_EQ(a.effect_rule(), v1::Agreement::EFFECT_RULE_ALL_SIGNED);
  for (const char* who : {"zhang", "li", "med"}) {
    ASSERT_THAT(Sign(who, a, &a), IsOk()) << who;
    EXPECT_EQ(a.state(), v1::Agreement::STATE_DRAFT) << who;
    EXPECT_FALSE(a.has_service_time());
    EXPECT_EQ(GetCase(case_).state(), v1::Case::STATE_MEDIATING);
  }
  EXPECT_THAT(a.pending_signers(), ElementsAre("organizations/org1"));
  ASSERT_THAT(Sign("orgadmin", a, &a), IsOk());
  EXPECT_EQ(a.state(), v1::Agreement::STATE_EFFECTIVE);
  EXPECT_EQ(a.effective_time(), a.signatures(3).sign_time());  // the seal's
  EXPECT_EQ(a.service_time(), a.effective_time());
  EXPECT_EQ(GetCase(case_).state(), v1::Case::STATE_SETTLED);
}

// A people's mediation committee charges no fee (PML Art. 4): its mediator's fee stays 0.
TEST_F(PeoplesCommitteeAgreementTest, ItsMediatorsChargeNoFee) {
  auto roster = v1::RosterService::NewStub(channel_);
  v1::UpdateMediatorRequest req;
  req.mutable_mediator()->set_name("organizations/org1/mediators/m1");
  req.mutable_mediator()->set_fee_fen(5000);
  req.mutable_update_mask()->add_paths("fee_fen");
  v1::Mediator out;
  grpc::Status s = roster->UpdateMediator(As("orgadmin").get(), req, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("mediator.fee_fen"));
  EXPECT_THAT(s.error_message(), HasSubstr("PML Art. 4"));
  v1::CreateMediatorRequest create = testing::ZhujiMediator("org1", "m2", "med");
  create.mutable_mediator()->set_fee_fen(1);
  s = roster->CreateMediator(As("orgadmin").get(), create, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("mediator.fee_fen"));
  req.mutable_mediator()->set_fee_fen(0);
  s = roster->UpdateMediator(As("orgadmin").get(), req, &out);
  EXPECT_THAT(s, IsOk()) << s.error_message();
}

// A party refusing to sign ends the mediation (OMR Art. 25(七)): the agreement is abandoned and
// the case closed with the refusal as its ending; only a party (or an agent with special
// authority) refuses, only a draft, and the reason is required.
TEST_F(AgreementTest, APartyRefusingToSignEndsTheMediation) {
  v1::Agreement a = Draft(case_, SampleAgreement());
  ASSERT_THAT(Sign("zhang", a, &a), IsOk());
  v1::RefuseAgreementRequest refuse;
  refuse.set_name(a.name());
  v1::Agreement out;
  grpc::Status s = agreements_->RefuseAgreement(As("li").get(), refuse, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("reason"));
  refuse.set_reason("赔偿数额过高，不同意签字。");
  s = agreements_->RefuseAgreement(As("med").get(), refuse, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED));
  s = agreements_->RefuseAgreement(As("wang").get(), refuse, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);  // not related: the case is hidden
  refuse.set_party("applicants/0");
  s = agreements_->RefuseAgreement(As("li").get(), refuse, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(GetCase(case_).state(), v1::Case::STATE_MEDIATING);  // nothing half-written

  refuse.clear_party();
  s = agreements_->RefuseAgreement(As("li").get(), refuse, &out);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  EXPECT_EQ(out.state(), v1::Agreement::STATE_ABANDONED);
  const v1::Case k = GetCase(case_, "zhang");
  EXPECT_EQ(k.state(), v1::Case::STATE_CLOSED);
  EXPECT_EQ(k.ending().kind(), v1::CaseEnding::KIND_OTHER_REMEDIES);  // a citizen's application
  EXPECT_THAT(k.ending().reason(), HasSubstr("respondents/0 refused to sign revision 1"));
  EXPECT_THAT(k.ending().reason(), HasSubstr("OMR Art. 25(七)"));
  EXPECT_THAT(k.ending().reason(), HasSubstr("赔偿数额过高"));
  EXPECT_EQ(k.ending().actor(), "principals/li");
  v1::ListCaseEventsRequest events;
  events.set_parent(case_);
  v1::ListCaseEventsResponse timeline;
  ASSERT_THAT(cases_->ListCaseEvents(As("zhang").get(), events, &timeline), IsOk());
  int refused = 0;
  for (const auto& e : timeline.events()) {
    refused += e.kind() == v1::CaseEvent::KIND_AGREEMENT_REFUSED;
  }
  EXPECT_EQ(refused, 1);
  // Done is done: a second refusal, or a signature, finds no draft of a case being mediated.
  s = agreements_->RefuseAgreement(As("zhang").get(), refuse, &out);
  EXPECT_EQ(testing::Reason(s), "AGREEMENT_NOT_DRAFT");
  EXPECT_EQ(testing::Reason(Sign("li", a, &out)), "AGREEMENT_NOT_DRAFT");
}

TEST_F(AgreementTest, ARevisionVoidsEarlierSignaturesAndKeepsTheOldText) {
  v1::Agreement a = Draft(case_, SampleAgreement());
  const std::string first_hash = a.content_hash();
  ASSERT_THAT(Sign("zhang", a, &a), IsOk());
  EXPECT_EQ(a.signatures_size(), 1);

  v1::UpdateAgreementRequest up;
  *up.mutable_agreement() = SampleAgreement();
  up.mutable_agreement()->set_name(a.name());
  up.mutable_agreement()->set_etag(a.etag());
  up.mutable_agreement()->set_facts("改写后的事实。");
  v1::Agreement b;
  ASSERT_THAT(agreements_->UpdateAgreement(As("med").get(), up, &b), IsOk());
  EXPECT_EQ(b.revision(), 2);
  EXPECT_NE(b.content_hash(), first_hash);
  EXPECT_EQ(b.signatures_size(), 0);
  EXPECT_THAT(b.text(), HasSubstr("改写后的事实。"));

  // The old etag is stale; zhang's consent to revision 1 does not sign revision 2.
  v1::Agreement out;
  grpc::Status s = agreements_->UpdateAgreement(As("med").get(), up, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::ABORTED));
  EXPECT_EQ(testing::Reason(Sign("zhang", a, &out)), "CONTENT_CHANGED");

  v1::GetAgreementRequest old;
  old.set_name(a.name());
  old.set_revision(1);
  ASSERT_THAT(agreements_->GetAgreement(As("li").get(), old, &out), IsOk());
  EXPECT_EQ(out.content_hash(), first_hash);
  EXPECT_EQ(out.state(), v1::Agreement::STATE_ABANDONED);
  EXPECT_EQ(out.signatures_size(), 1);
}

// The text names the parties as they were: when the case's parties change, nobody signs the old
// text until it is revised.
TEST_F(AgreementTest, ChangedPartiesMustBeRevisedBeforeSigning) {
  v1::Agreement a = Draft(case_, SampleAgreement());
  ASSERT_THAT(Sign("li", a, &a), IsOk());
  v1::UpdateCaseRequest up;
  *up.mutable_case_() = GetCase(case_, "zhang");
  up.mutable_case_()->mutable_applicants(0)->set_phone("13800138999");
  up.mutable_update_mask()->add_paths("applicants");
  v1::Case k;
  grpc::Status s = cases_->UpdateCase(As("zhang").get(), up, &k);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  v1::Agreement out;
  s = Sign("zhang", a, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(testing::Reason(s), "PARTIES_CHANGED");

  v1::UpdateAgreementRequest revise;
  *revise.mutable_agreement() = SampleAgreement();
  revise.mutable_agreement()->set_name(a.name());
  revise.mutable_agreement()->set_etag(a.etag());
  v1::Agreement b;
  ASSERT_THAT(agreements_->UpdateAgreement(As("med").get(), revise, &b), IsOk());
  EXPECT_THAT(b.text(), HasSubstr("13800138999"));
  EXPECT_EQ(b.signatures_size(), 0);  // li signed the old text only
  ASSERT_THAT(Sign("zhang", b, &b), IsOk());
}

TEST_F(AgreementTest, BadContentIsRefusedNamingEveryField) {
  v1::Agreement bad = SampleAgreement();
  bad.set_facts("");
  bad.mutable_terms(0)->set_obligor("respondents/7");
  bad.mutable_terms(0)->set_deadline_date("2035-02-30");
  bad.mutable_instalments(1)->set_amount_fen(0);
  bad.mutable_instalments(1)->set_payee("respondents/0");
  v1::CreateAgreementRequest req;
  req.set_parent(case_);
  *req.mutable_agreement() = bad;
  v1::Agreement out;
  grpc::Status s = agreements_->CreateAgreement(As("med").get(), req, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(testing::ViolatedFields(s),
              UnorderedElementsAre("agreement.facts", "agreement.terms[0].obligor",
                                   "agreement.terms[0].deadline_date",
                                   "agreement.instalments[1].amount_fen",
                                   "agreement.instalments[1].payee"));

  v1::Agreement no_schedule = SampleAgreement();
  no_schedule.clear_instalments();
  *req.mutable_agreement() = no_schedule;
  s = agreements_->CreateAgreement(As("med").get(), req, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("agreement.instalments"));
  // Nothing was written.
  v1::ListAgreementsRequest list;
  list.set_parent(case_);
  v1::ListAgreementsResponse all;
  ASSERT_THAT(agreements_->ListAgreements(As("med").get(), list, &all), IsOk());
  EXPECT_EQ(all.agreements_size(), 0);
}

TEST_F(AgreementTest, WhoMayDraftSignAndRead) {
  v1::CreateAgreementRequest req;
  req.set_parent(case_);
  *req.mutable_agreement() = SampleAgreement();
  v1::Agreement out;
  EXPECT_EQ(agreements_->CreateAgreement(As("zhang").get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(agreements_->CreateAgreement(As("wang").get(), req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::Agreement a = Draft(case_, SampleAgreement());

  // zhang signs only for zhang's own party.
  v1::SignAgreementRequest as_li;
  as_li.set_name(a.name());
  as_li.set_content_hash(a.content_hash());
  as_li.set_party("respondents/0");
  EXPECT_EQ(agreements_->SignAgreement(As("zhang").get(), as_li, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Sign("wang", a, &out).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::GetAgreementRequest get;
  get.set_name(a.name());
  EXPECT_EQ(agreements_->GetAgreement(As("wang").get(), get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The other side's ID number and phone are masked in the structured parties.
  ASSERT_THAT(agreements_->GetAgreement(As("zhang").get(), get, &out), IsOk());
  EXPECT_EQ(out.parties(0).id_number(), testing::kIdZhang);
  EXPECT_NE(out.parties(1).id_number(), testing::kIdLi);
  EXPECT_THAT(out.parties(1).id_number(), HasSubstr("****"));
}

TEST_F(AgreementTest, PaymentsAreTrackedPerInstalment) {
  v1::Agreement a = EffectiveAgreement(case_);
  EXPECT_EQ(a.instalments(0).state(), v1::Instalment::STATE_DUE);
  v1::RecordPaymentRequest pay;
  pay.set_name(a.name());
  pay.set_instalment(0);
  pay.set_amount_fen(200'000);
  pay.set_note("转账 1");
  ASSERT_THAT(agreements_->RecordPayment(As("med").get(), pay, &a), IsOk());
  EXPECT_EQ(a.instalments(0).paid_fen(), 200'000);
  EXPECT_EQ(a.instalments(0).state(), v1::Instalment::STATE_DUE);

  pay.set_amount_fen(1'000'001);  // more than the 1,000,000 that remain
  v1::Agreement out;
  grpc::Status s = agreements_->RecordPayment(As("med").get(), pay, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("amount_fen"));
  pay.set_instalment(5);
  EXPECT_THAT(testing::ViolatedFields(agreements_->RecordPayment(As("med").get(), pay, &out)),
              ElementsAre("instalment"));
  EXPECT_EQ(agreements_->RecordPayment(As("zhang").get(), pay, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  pay.set_instalment(0);
  pay.set_amount_fen(1'000'000);
  ASSERT_THAT(agreements_->RecordPayment(As("orgadmin").get(), pay, &a), IsOk());
  EXPECT_EQ(a.instalments(0).state(), v1::Instalment::STATE_PAID);
  EXPECT_TRUE(a.instalments(0).has_paid_time());
  EXPECT_EQ(a.instalments(1).state(), v1::Instalment::STATE_DUE);

  v1::ListDeadlinesRequest dl;
  dl.set_parent(case_);
  v1::ListDeadlinesResponse deadlines;
  ASSERT_THAT(deadlines_->ListDeadlines(As("zhang").get(), dl, &deadlines), IsOk());
  std::vector<v1::Deadline::State> states;
  for (const auto& d : deadlines.deadlines()) {
    if (d.kind() == v1::Deadline::KIND_INSTALMENT_DUE) states.push_back(d.state());
  }
  EXPECT_THAT(states, UnorderedElementsAre(v1::Deadline::STATE_MET, v1::Deadline::STATE_RUNNING));
}

TEST_F(AgreementTest, RenderingIsPrintableAndEscaped) {
  v1::Agreement content = SampleAgreement();
  content.set_issues("<script>alert(1)</script> & 其他");
  v1::Agreement a = Draft(case_, content);
  v1::RenderAgreementRequest req;
  req.set_name(a.name());
  req.set_format(v1::RenderAgreementRequest::FORMAT_HTML);
  v1::RenderAgreementResponse html;
  ASSERT_THAT(agreements_->RenderAgreement(As("li").get(), req, &html), IsOk());
  EXPECT_EQ(html.content_type(), "text/html; charset=utf-8");
  EXPECT_THAT(html.content(), Not(HasSubstr("<script>")));
  EXPECT_THAT(html.content(), HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; &amp; 其他"));
  EXPECT_THAT(html.content(), HasSubstr(a.content_hash()));
  req.set_format(v1::RenderAgreementRequest::FORMAT_TEXT);
  v1::RenderAgreementResponse text;
  ASSERT_THAT(agreements_->RenderAgreement(As("li").get(), req, &text), IsOk());
  EXPECT_THAT(text.content(), HasSubstr(a.text()));
  EXPECT_THAT(text.content(), HasSubstr("applicants/0: not signed yet"));
}

TEST_F(AgreementTest, OffersArePrivilegedAndSeenOnlyByTheirSideAndStaff) {
  v1::RecordOfferRequest req;
  req.set_parent(case_);
  req.mutable_offer()->set_offered_by("respondents/0");
  req.mutable_offer()->set_text("医院愿意让步，先付一万五。");
  req.mutable_offer()->set_amount_fen(1'500'000);
  v1::Offer offer;
  ASSERT_THAT(agreements_->RecordOffer(As("med").get(), req, &offer), IsOk());
  EXPECT_EQ(offer.recorded_by(), "principals/med");
  v1::Offer out;
  EXPECT_EQ(agreements_->RecordOffer(As("zhang").get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  req.mutable_offer()->set_offered_by("respondents/3");
  grpc::Status s = agreements_->RecordOffer(As("med").get(), req, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("offer.offered_by"));

  v1::ListOffersRequest list;
  list.set_parent(case_);
  for (const auto& [who, count] :
       {std::pair{"med", 1}, std::pair{"orgadmin", 1}, std::pair{"li", 1}, std::pair{"zhang", 0}}) {
    v1::ListOffersResponse offers;
    ASSERT_THAT(agreements_->ListOffers(As(who).get(), list, &offers), IsOk()) << who;
    EXPECT_EQ(offers.offers_size(), count) << who;
  }
  v1::ListOffersResponse none;
  EXPECT_EQ(agreements_->ListOffers(As("wang").get(), list, &none).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Offers never go into the agreement.
  v1::Agreement a = Draft(case_, SampleAgreement());
  EXPECT_THAT(a.text(), Not(HasSubstr("先付一万五")));
}

TEST_F(AgreementTest, CreateIsIdempotentPerRequestId) {
  v1::CreateAgreementRequest req;
  req.set_parent(case_);
  req.set_request_id("draft-1");
  *req.mutable_agreement() = SampleAgreement();
  v1::Agreement first, second;
  ASSERT_THAT(agreements_->CreateAgreement(As("med").get(), req, &first), IsOk());
  ASSERT_THAT(agreements_->CreateAgreement(As("med").get(), req, &second), IsOk());
  EXPECT_EQ(first.name(), second.name());
  req.set_request_id("draft-2");
  grpc::Status s = agreements_->CreateAgreement(As("med").get(), req, &second);
  EXPECT_EQ(testing::Reason(s), "AGREEMENT_EXISTS");
}

}  // namespace
}  // namespace odr

#include "storage/sqlite_case_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "server/domain/authorization.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"
#include "storage/access_log.h"
#include "storage/migrations.h"
#include "storage/principal_store.h"
#include "tests/testing/database.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;

namespace odr::storage {
namespace {

using domain::CaseAction;
using domain::CaseState;
using ::testing::ElementsAre;

const absl::TimeZone kChina = absl::FixedTimeZone(8 * 3600);

// Returns the ids it is told to, for fault injection (a duplicate id makes the INSERT fail).
class ScriptedIds final : public IdGenerator {
 public:
  std::string NewId() override { return ids_.empty() ? fallback_.NewId() : Pop(); }
  void Push(std::string id) { ids_.push_back(std::move(id)); }

 private:
  std::string Pop() {
    std::string id = ids_.front();
    ids_.erase(ids_.begin());
    return id;
  }
  std::vector<std::string> ids_;
  SequentialIdGenerator fallback_;
};

class SqliteCaseStoreTest : public ::testing::Test {
 protected:
  SqliteCaseStoreTest()
      : clock_(absl::FromCivil(absl::CivilSecond(2026, 11, 29, 9, 0, 0), kChina)) {
    Reopen();
  }

  void Reopen() {
    store_.reset();
    db_.reset();
    db_ = odr::testing::OpenTestDatabase(dir_.file("odr.db"));
    ASSERT_NE(db_, nullptr);
    store_ = std::make_unique<SqliteCaseStore>(db_.get(), &clock_, &ids_);
  }

  domain::MutationContext Ctx(std::string request_id = "", std::string fingerprint = "") {
    return {"tester", "Test", std::move(request_id), std::move(fingerprint)};
  }

  domain::Case MustCreate(domain::CaseData data = odr::testing::MedicalCase()) {
    auto c = store_->CreateCase(data, Ctx());
    EXPECT_THAT(c, IsOk()) << c.status();
    return *c;
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](Connection& c) {
                     auto stmt = c.Prepare(sql);
                     if (!stmt.ok()) return stmt.status();
                     auto row = stmt->Step();
                     if (!row.ok()) return row.status();
                     n = stmt->ColumnInt(0);
                     return absl::OkStatus();
                   })
                    .ok());
    return n;
  }

  odr::testing::TempDir dir_;
  FakeClock clock_;
  ScriptedIds ids_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<SqliteCaseStore> store_;
};

TEST_F(SqliteCaseStoreTest, MigrationsAppliedOnceAndRecorded) {
  const int latest = static_cast<int>(Migrations().size());
  EXPECT_GE(latest, 4);
  EXPECT_EQ(db_->schema_version(), latest);
  Reopen();
  EXPECT_EQ(db_->schema_version(), latest);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"), latest);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
}

// Version 14 adds the columns with the values rows written before it get: an agreement that took
// effect took it when all had signed ('all_signed'), its effective time untouched and no service
// or filing time; an agent has no special authority recorded (CPL Art. 62).
TEST_F(SqliteCaseStoreTest, Migration14RecordsOldAgreementsAsAllSignedAndAgentsWithoutAuthority) {
  const auto column = [&](const std::string& table, const std::string& name) {
    return Count("SELECT COUNT(*) FROM pragma_table_info('" + table + "') WHERE name = '" + name +
                 "'");
  };
  EXPECT_EQ(Count("SELECT COUNT(*) FROM pragma_table_info('agreements') WHERE name ="
                  " 'effect_rule' AND dflt_value = '''all_signed''' AND \"notnull\" = 1"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM pragma_table_info('agreements') WHERE name IN"
                  " ('service_time_us', 'court_filing_time_us') AND dflt_value IS NULL"),
            2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM pragma_table_info('case_parties') WHERE name ="
                  " 'special_authority' AND dflt_value = '0'"),
            1);
  EXPECT_EQ(column("agreements", "effective_time_us"), 1);
  // A stored agent keeps what it was given; one stored without authority reads as none.
  domain::CaseData data = odr::testing::MedicalCase();
  domain::Case k = MustCreate(data);
  auto got = store_->GetCase(k.id);
  ASSERT_THAT(got, IsOk()) << got.status();
  EXPECT_TRUE(got->data.respondents[0].agents[0].special_authority);
  ASSERT_TRUE(db_->Write([&](Connection& c) {
                   return c.Exec("UPDATE case_parties SET special_authority = 0");
                 })
                  .ok());
  got = store_->GetCase(k.id);
  ASSERT_THAT(got, IsOk()) << got.status();
  EXPECT_FALSE(got->data.respondents[0].agents[0].special_authority);
}

// Migration 15: the court's review record (CPL Interpretation Arts. 354-357, 372). An application
// withdrawn before it was withdrawn by the parties themselves; any other keeps an empty record.
TEST_F(SqliteCaseStoreTest, Migration15RecordsOldWithdrawalsAsByTheParties) {
  domain::Case k = MustCreate(odr::testing::MedicalCase());
  ASSERT_TRUE(db_->Write([&](Connection& c) -> absl::Status {
                   ODR_RETURN_IF_ERROR(c.Exec("ALTER TABLE confirmations DROP COLUMN review_json"));
                   for (const char* row : {"('w', 'withdrawn')", "('r', 'ruled_rejected')"}) {
                     ODR_RETURN_IF_ERROR(c.Exec(absl::StrCat(
                         "INSERT INTO confirmations (case_id, id, state, agreement_id, court_id,"
                         " bases, consented, materials_json, create_time_us, update_time_us,"
                         " version) SELECT '",
                         k.id,
                         "', v.column1, v.column2, 'a', 'court-x', '', '', '[]', 1, 1, 1"
                         " FROM (VALUES ",
                         row, ") v")));
                   }
                   return c.Exec(Migrations()[14]);
                 })
                  .ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM confirmations WHERE id = 'w' AND review_json ="
                  " '{\"withdrawal_kind\":\"by_parties\"}'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM confirmations WHERE id = 'r' AND review_json = '{}'"), 1);
}

// Issue 18 item 3 (CPL Interpretation Arts. 3-4): version 17 derives no domicile for existing
// parties (they declare it; ID numbers say nothing of it), no subject-matter location, and makes
// existing courts basic courts.
TEST_F(SqliteCaseStoreTest, Migration17DerivesNoDomicileAndMakesCourtsBasic) {
  domain::Case k = MustCreate(odr::testing::MedicalCase());
  ASSERT_TRUE(db_->Write([&](Connection& c) -> absl::Status {
                   for (const char* sql :
                        {"ALTER TABLE case_parties DROP COLUMN domicile_region",
                         "ALTER TABLE case_parties DROP COLUMN domicile_basis",
                         "ALTER TABLE case_parties DROP COLUMN domicile_material",
                         "ALTER TABLE cases DROP COLUMN subject_matter_region",
                         "ALTER TABLE cases DROP COLUMN intermediate_court_matter",
                         "ALTER TABLE courts DROP COLUMN level",
                         "INSERT INTO courts (id, display_name, region_code) VALUES ('zhuji',"
                         " '诸暨市人民法院', '330681')"}) {
                     ODR_RETURN_IF_ERROR(c.Exec(sql));
                   }
                   return c.Exec(Migrations()[16]);
                 })
                  .ok());
  auto got = store_->GetCase(k.id);
  ASSERT_THAT(got, IsOk()) << got.status();
  EXPECT_FALSE(got->data.applicants[0].domicile.has_value());
  EXPECT_FALSE(got->data.respondents[0].domicile.has_value());
  EXPECT_EQ(got->data.subject_matter_region_code, "");
  EXPECT_FALSE(got->data.intermediate_court_matter);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM courts WHERE id = 'zhuji' AND level = 'basic'"), 1);
}

// The three routes end differently (OMR Arts. 20-21, PML Art. 26): a close records the ending
// its route gives, and cases closed before version 12 get theirs from the migration (issue 18
// item 1: existing cases get their route's ending; post-filing referrals become TRIAL_RESUMED).
TEST_F(SqliteCaseStoreTest, ClosingRecordsTheRoutesEndingAndTheMigrationDerivesOldOnes) {
  auto closed_case = [&](std::optional<domain::Procedure> procedure, const std::string& ref) {
    domain::CaseData data = odr::testing::MedicalCase();
    if (procedure) {
      data.court_diversion =
          domain::CourtDiversion{"zhuji-court", ref, "2026-11-01", "诸暨市人民法院", *procedure};
    }
    domain::Case k = MustCreate(data);
    EXPECT_THAT(store_->TransitionCase(k.id, CaseAction::kSubmit, std::nullopt, "", Ctx()), IsOk());
    EXPECT_THAT(store_->TransitionCase(k.id, CaseAction::kAccept, std::nullopt, "", Ctx()), IsOk());
    domain::TransitionNote note("调解不成: " + ref);
    note.cost_conduct = "无故缺席";
    auto closed = store_->TransitionCase(k.id, CaseAction::kClose, std::nullopt, note, Ctx());
    EXPECT_THAT(closed, IsOk()) << closed.status();
    return k.id;
  };
  const std::string citizen = closed_case(std::nullopt, "");
  const std::string pre = closed_case(domain::Procedure::kPreFiling, "pre-1");
  const std::string post = closed_case(domain::Procedure::kPostFilingSimple, "post-1");
  auto ending_of = [&](const std::string& id) {
    auto k = store_->GetCase(id);
    EXPECT_THAT(k, IsOk()) << k.status();
    return k.ok() ? k->ending : std::nullopt;
  };
  auto check = [&](bool live) {
    std::optional<domain::CaseEnding> e = ending_of(citizen);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->kind, domain::EndingKind::kOtherRemedies);
    EXPECT_EQ(e->reason, "调解不成: ");
    EXPECT_EQ(e->actor, "tester");
    EXPECT_EQ(e->time, clock_.Now());
    // The migration cannot know the cost conduct: it was never recorded before.
    EXPECT_EQ(e->cost_conduct, live ? "无故缺席" : "");
    e = ending_of(pre);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->kind, domain::EndingKind::kReferredForFiling);
    e = ending_of(post);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->kind, domain::EndingKind::kTrialResumed);
    EXPECT_EQ(e->reason, "调解不成: post-1");
    EXPECT_EQ(Count("SELECT COUNT(*) FROM court_referrals WHERE kind = 'trial_resumed' AND"
                    " case_id = '" +
                    post + "'"),
              1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM court_referrals WHERE kind = 'referred_for_filing'"
                    " AND case_id = '" +
                    pre + "'"),
              1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM case_stats WHERE ending IS NOT NULL AND"
                    " ending_day IS NOT NULL"),
              3);
  };
  check(/*live=*/true);
  // The rows as a version 11 database held them; then version 13's statements, as an upgrade
  // runs them (later versions add columns and cannot run twice).
  ASSERT_TRUE(
      db_->Write([](Connection& c) {
           return c.Exec(
               "DELETE FROM case_endings;"
               " UPDATE court_referrals SET kind = 'referred_for_filing', cost_conduct = '';"
               " UPDATE case_stats SET ending = NULL, ending_day = NULL;");
         })
          .ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_endings"), 0);
  ASSERT_THAT(db_->Write([](Connection& c) { return c.Exec(Migrations()[12]); }), IsOk());
  Reopen();
  EXPECT_EQ(db_->schema_version(), static_cast<int>(Migrations().size()));
  check(/*live=*/false);
}

TEST_F(SqliteCaseStoreTest, RefusesDatabaseFromNewerVersion) {
  ASSERT_TRUE(db_->Write([](Connection& c) {
                   return c.Exec("INSERT INTO schema_migrations VALUES (999, 0)");
                 })
                  .ok());
  store_.reset();
  db_.reset();
  Database::Options o;
  o.path = dir_.file("odr.db");
  auto db = Database::Open(o);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(SqliteCaseStoreTest, CreateGetRoundTripSurvivesRestart) {
  domain::CaseData data = odr::testing::MedicalCase();
  data.court_diversion = domain::CourtDiversion{"zhuji-court", "(2026)浙0681诉前调1234号",
                                                "2026-11-01", "诸暨市人民法院"};
  domain::Case created = MustCreate(data);
  EXPECT_EQ(created.state, CaseState::kDraft);
  EXPECT_EQ(created.case_number, "ODR-2026-000001");
  EXPECT_EQ(created.version, 1);

  Reopen();
  auto got = store_->GetCase(created.id);
  ASSERT_THAT(got, IsOk()) << got.status();
  EXPECT_EQ(got->data, data);
  EXPECT_EQ(got->case_number, created.case_number);
  EXPECT_EQ(got->create_time, clock_.Now());
  auto events = store_->ListCaseEvents(created.id, 0, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->events.size(), 1u);
  EXPECT_FALSE(events->events[0].from_state.has_value());
  EXPECT_EQ(events->events[0].actor, "tester");
}

TEST_F(SqliteCaseStoreTest, GetUnknownIsNotFound) {
  auto got = store_->GetCase("nope");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(got.status()), "NOT_FOUND");
  EXPECT_EQ(store_->ListCaseEvents("nope", 0, 10).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteCaseStoreTest, CaseNumbersAreSequentialPerChinaYear) {
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 12, 31, 23, 59, 0), kChina));
  EXPECT_EQ(MustCreate().case_number, "ODR-2026-000001");
  EXPECT_EQ(MustCreate().case_number, "ODR-2026-000002");
  // 2027-01-01 00:30 in China is still 2026-12-31 in UTC: the year follows China time.
  clock_.Set(absl::FromCivil(absl::CivilSecond(2027, 1, 1, 0, 30, 0), kChina));
  EXPECT_EQ(MustCreate().case_number, "ODR-2027-000001");
}

TEST_F(SqliteCaseStoreTest, IdempotentCreate) {
  auto a = store_->CreateCase(odr::testing::MedicalCase(), Ctx("req-1", "fp-a"));
  auto b = store_->CreateCase(odr::testing::MedicalCase(), Ctx("req-1", "fp-a"));
  ASSERT_THAT(a, IsOk()) << a.status().ToString();
  ASSERT_THAT(b, IsOk()) << b.status();
  EXPECT_EQ(a->id, b->id);
  EXPECT_EQ(a->case_number, b->case_number);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 1);

  auto c = store_->CreateCase(odr::testing::MedicalCase(), Ctx("req-1", "fp-other"));
  EXPECT_EQ(c.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorReason(c.status()), "REQUEST_ID_REUSED");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 1);
}

// request_ids are remembered for domain::kRequestIdRetention (7 days, AIP-155), then forgotten: the
// same key is a new request, and expired keys are deleted by later writes (issue 17 item 3).
TEST_F(SqliteCaseStoreTest, RequestIdsExpireAfterTheRetentionPeriod) {
  auto a = store_->CreateCase(odr::testing::MedicalCase(), Ctx("req-1", "fp-a"));
  ASSERT_THAT(a, IsOk()) << a.status();
  clock_.Advance(domain::kRequestIdRetention - absl::Seconds(1));
  auto b = store_->CreateCase(odr::testing::MedicalCase(), Ctx("req-1", "fp-a"));
  ASSERT_THAT(b, IsOk()) << b.status();
  EXPECT_EQ(b->id, a->id);
  clock_.Advance(absl::Seconds(2));
  auto c = store_->CreateCase(odr::testing::MedicalCase(), Ctx("req-1", "fp-a"));
  ASSERT_THAT(c, IsOk()) << c.status();
  EXPECT_NE(c->id, a->id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 2);
  // The key now stands for the new case; the expired record was replaced.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys"), 1);
  auto d = store_->CreateCase(odr::testing::MedicalCase(), Ctx("req-1", "fp-a"));
  ASSERT_THAT(d, IsOk()) << d.status();
  EXPECT_EQ(d->id, c->id);
  // Another key, written after the first expired, deletes it.
  ASSERT_THAT(store_->CreateCase(odr::testing::MedicalCase(), Ctx("req-2", "fp-b")), IsOk());
  clock_.Advance(domain::kRequestIdRetention + absl::Seconds(1));
  ASSERT_THAT(store_->CreateCase(odr::testing::MedicalCase(), Ctx("req-3", "fp-c")), IsOk());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys"), 1);
}

// A permanent key (a court's intake reference, DivertCase) never expires and is never purged.
TEST_F(SqliteCaseStoreTest, APermanentRequestKeyNeverExpires) {
  domain::MutationContext court = Ctx("(2026)浙0681诉前调1号", "fp-court");
  court.method = "court:court-x:DivertCase";
  court.request_id_permanent = true;
  auto a = store_->CreateCase(odr::testing::MedicalCase(), court);
  ASSERT_THAT(a, IsOk()) << a.status();
  clock_.Advance(domain::kRequestIdRetention * 10);
  ASSERT_THAT(store_->CreateCase(odr::testing::MedicalCase(), Ctx("req-9", "fp-9")), IsOk());
  auto again = store_->CreateCase(odr::testing::MedicalCase(), court);
  ASSERT_THAT(again, IsOk()) << again.status();
  EXPECT_EQ(again->id, a->id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys WHERE permanent = 1"), 1);
}

// A retry is authorized again against the case as it is now (ctx.authorize) and appends a read
// record when ctx.rpc is set.
TEST_F(SqliteCaseStoreTest, ARetryIsAuthorizedAgainAndRecordedAsARead) {
  domain::MutationContext ctx = Ctx("req-1", "fp-a");
  ctx.rpc = "/odr.v1.CaseService/CreateCase";
  bool allow = true;
  ctx.authorize = [&allow](const domain::Case& k) {
    return allow ? absl::OkStatus() : domain::CaseNotFoundError(k.id);
  };
  auto a = store_->CreateCase(odr::testing::MedicalCase(), ctx);
  ASSERT_THAT(a, IsOk()) << a.status();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM access_log WHERE action = 'change'"), 1);
  ASSERT_THAT(store_->CreateCase(odr::testing::MedicalCase(), ctx), IsOk());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM access_log WHERE action = 'read'"), 1);
  allow = false;
  auto denied = store_->CreateCase(odr::testing::MedicalCase(), ctx);
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM access_log WHERE action = 'read'"), 1);
}

TEST_F(SqliteCaseStoreTest, FailedCreateWritesNothing) {
  domain::Case first = MustCreate();
  ids_.Push(first.id);  // the next insert collides on the primary key, after the counter moved
  auto dup = store_->CreateCase(odr::testing::MedicalCase(), Ctx("req-x", "fp"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_events"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_parties"), 3);  // applicant, hospital, its agent
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys"), 0);
  // The case-number counter rolled back too: no gap.
  EXPECT_EQ(MustCreate().case_number, "ODR-2026-000002");
}

TEST_F(SqliteCaseStoreTest, TransitionsAppendEventsAtomically) {
  domain::Case k = MustCreate();
  clock_.Advance(absl::Minutes(5));
  auto s = store_->TransitionCase(k.id, CaseAction::kSubmit, k.version, "", Ctx());
  ASSERT_THAT(s, IsOk()) << s.status();
  EXPECT_EQ(s->state, CaseState::kSubmitted);
  EXPECT_EQ(s->version, 2);
  EXPECT_EQ(s->update_time, clock_.Now());
  auto a = store_->TransitionCase(k.id, CaseAction::kAccept, std::nullopt, "", Ctx());
  ASSERT_THAT(a, IsOk());
  auto c =
      store_->TransitionCase(k.id, CaseAction::kClose, std::nullopt, "被申请人拒绝调解", Ctx());
  ASSERT_THAT(c, IsOk());

  auto events = store_->ListCaseEvents(k.id, 0, 100);
  ASSERT_THAT(events, IsOk());
  std::vector<CaseState> to;
  for (const auto& e : events->events) to.push_back(e.to_state);
  EXPECT_THAT(to, ElementsAre(CaseState::kDraft, CaseState::kSubmitted, CaseState::kAccepted,
                              CaseState::kClosed));
  EXPECT_EQ(events->events[3].from_state, CaseState::kAccepted);
  EXPECT_EQ(events->events[3].reason, "被申请人拒绝调解");

  // Paging through events.
  auto p1 = store_->ListCaseEvents(k.id, 0, 3);
  ASSERT_THAT(p1, IsOk());
  EXPECT_EQ(p1->events.size(), 3u);
  ASSERT_TRUE(p1->next_after_seq.has_value());
  auto p2 = store_->ListCaseEvents(k.id, *p1->next_after_seq, 3);
  ASSERT_EQ(p2->events.size(), 1u);
  EXPECT_FALSE(p2->next_after_seq.has_value());
}

TEST_F(SqliteCaseStoreTest, StaleVersionAndBadTransitionWriteNothing) {
  domain::Case k = MustCreate();
  auto stale = store_->TransitionCase(k.id, CaseAction::kSubmit, k.version + 1, "", Ctx());
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ErrorReason(stale.status()), "STALE_ETAG");
  auto bad = store_->TransitionCase(k.id, CaseAction::kAccept, std::nullopt, "", Ctx("r1", "f"));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorCurrentState(bad.status()), "STATE_DRAFT");
  auto now = store_->GetCase(k.id);
  EXPECT_EQ(now->version, 1);
  EXPECT_EQ(now->state, CaseState::kDraft);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_events"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys"), 0);
}

TEST_F(SqliteCaseStoreTest, IdempotentTransitionRetryReturnsCase) {
  domain::Case k = MustCreate();
  auto a = store_->TransitionCase(k.id, CaseAction::kSubmit, std::nullopt, "", Ctx("s-1", "f"));
  auto b = store_->TransitionCase(k.id, CaseAction::kSubmit, std::nullopt, "", Ctx("s-1", "f"));
  ASSERT_TRUE(a.ok() && b.ok()) << b.status();
  EXPECT_EQ(b->state, CaseState::kSubmitted);
  EXPECT_EQ(b->version, a->version);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_events"), 2);
}

// Nobody may be (or act for) both sides: one person would sign and apply for both.
TEST_F(SqliteCaseStoreTest, UpdateRefusesAPersonOnBothSides) {
  domain::Case k = MustCreate();
  domain::CaseData values;
  values.respondents = k.data.respondents;
  domain::Agent agent;
  agent.name = "张三";
  agent.id_document_type = k.data.applicants[0].id_document_type;
  agent.id_number = k.data.applicants[0].id_number;
  agent.phone = "13800138000";
  agent.service_address = "zhangsan@example.com";
  values.respondents[0].agents.push_back(agent);
  auto u = store_->UpdateCase(k.id, values, {domain::CaseField::kRespondents}, k.version, Ctx());
  ASSERT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ErrorFieldViolations(u.status()),
              ::testing::Contains(::testing::Field(&FieldViolation::field,
                                                   "case.respondents[0].agents[1].id_number")));
  EXPECT_EQ(store_->GetCase(k.id)->version, k.version);  // nothing written
}

TEST_F(SqliteCaseStoreTest, UpdateReplacesMaskedFieldsOnly) {
  domain::Case k = MustCreate();
  domain::CaseData values;
  values.summary = "更新后的摘要";
  domain::Party other = odr::testing::Applicant();
  other.id_number = odr::testing::kIdWang;
  values.respondents = {other};
  values.claims = "ignored because not in the mask";
  auto u = store_->UpdateCase(k.id, values,
                              {domain::CaseField::kSummary, domain::CaseField::kRespondents},
                              k.version, Ctx());
  ASSERT_THAT(u, IsOk()) << u.status();
  auto got = store_->GetCase(k.id);
  EXPECT_EQ(got->data.summary, "更新后的摘要");
  EXPECT_EQ(got->data.claims, k.data.claims);
  EXPECT_EQ(got->data.respondents, values.respondents);
  EXPECT_EQ(got->data.applicants, k.data.applicants);
  EXPECT_EQ(got->version, 2);

  auto stale = store_->UpdateCase(k.id, values, {domain::CaseField::kSummary}, 1, Ctx());
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
}

TEST_F(SqliteCaseStoreTest, UpdateRefusedInTerminalState) {
  domain::Case k = MustCreate();
  ASSERT_THAT(store_->TransitionCase(k.id, CaseAction::kWithdraw, std::nullopt, "", Ctx()), IsOk());
  domain::CaseData values;
  values.summary = "x";
  auto u = store_->UpdateCase(k.id, values, {domain::CaseField::kSummary}, std::nullopt, Ctx());
  EXPECT_EQ(u.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetCase(k.id)->data.summary, k.data.summary);
}

TEST_F(SqliteCaseStoreTest, ListFiltersAndPagesWithTies) {
  // 7 cases at the same instant (ties broken by id), then 3 later, different types and regions.
  for (int i = 0; i < 7; ++i) MustCreate();
  clock_.Advance(absl::Hours(1));
  for (int i = 0; i < 3; ++i) {
    domain::CaseData d = odr::testing::MedicalCase();
    d.dispute_type = domain::DisputeType::kLabour;
    d.region_code = "330602";
    MustCreate(d);
  }
  domain::CaseQuery q;
  q.limit = 3;
  std::vector<std::string> seen;
  std::set<std::string> unique;
  for (int page = 0; page < 10; ++page) {
    auto p = store_->ListCases(q);
    ASSERT_THAT(p, IsOk()) << p.status();
    for (const auto& k : p->cases) {
      seen.push_back(k.id);
      unique.insert(k.id);
    }
    if (!p->next) break;
    q.after = p->next;
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(unique.size(), 10u);

  // Newest first by default: the three labour cases come first.
  domain::CaseQuery first;
  first.limit = 3;
  auto p = store_->ListCases(first);
  for (const auto& k : p->cases) EXPECT_EQ(k.data.dispute_type, domain::DisputeType::kLabour);

  auto labour = domain::ParseCaseFilter("dispute_type = LABOUR AND region_code = \"330602\"");
  ASSERT_THAT(labour, IsOk());
  domain::CaseQuery fq;
  fq.filter = *labour;
  fq.limit = 50;
  EXPECT_EQ(store_->ListCases(fq)->cases.size(), 3u);

  auto before = domain::ParseCaseFilter(
      absl::StrCat("create_time < \"",
                   absl::FormatTime(absl::RFC3339_full, clock_.Now(), absl::UTCTimeZone()), "\""));
  ASSERT_THAT(before, IsOk());
  fq.filter = *before;
  EXPECT_EQ(store_->ListCases(fq)->cases.size(), 7u);

  domain::CaseQuery by_number;
  by_number.order = {domain::OrderField::kCaseNumber, false};
  by_number.limit = 4;
  auto n1 = store_->ListCases(by_number);
  EXPECT_EQ(n1->cases[0].case_number, "ODR-2026-000001");
  by_number.after = n1->next;
  EXPECT_EQ(store_->ListCases(by_number)->cases[0].case_number, "ODR-2026-000005");
}

TEST_F(SqliteCaseStoreTest, CaseNumbersPastAMillionKeepTheirOrder) {
  ASSERT_TRUE(db_->Write([](Connection& c) {
                   return c.Exec("INSERT INTO case_number_counters VALUES (2026, 999998)");
                 })
                  .ok());
  EXPECT_EQ(MustCreate().case_number, "ODR-2026-999999");
  EXPECT_EQ(MustCreate().case_number, "ODR-2026-1000000");
  EXPECT_EQ(MustCreate().case_number, "ODR-2026-1000001");
  domain::CaseQuery q;
  q.order = {domain::OrderField::kCaseNumber, false};
  q.limit = 2;
  auto p1 = store_->ListCases(q);
  ASSERT_THAT(p1, IsOk()) << p1.status();
  ASSERT_EQ(p1->cases.size(), 2u);
  EXPECT_EQ(p1->cases[0].case_number, "ODR-2026-999999");
  EXPECT_EQ(p1->cases[1].case_number, "ODR-2026-1000000");
  q.after = p1->next;
  auto p2 = store_->ListCases(q);
  ASSERT_EQ(p2->cases.size(), 1u);
  EXPECT_EQ(p2->cases[0].case_number, "ODR-2026-1000001");
  q = {};
  q.order = {domain::OrderField::kCaseNumber, true};
  EXPECT_EQ(store_->ListCases(q)->cases[0].case_number, "ODR-2026-1000001");
}

TEST_F(SqliteCaseStoreTest, ConcurrentCreatesGetDistinctNumbers) {
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> numbers;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto c = store_->CreateCase(odr::testing::MedicalCase(), Ctx());
        ASSERT_THAT(c, IsOk()) << c.status();
        std::lock_guard<std::mutex> lock(mu);
        numbers.insert(c->case_number);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(numbers.size(), 40u);
  EXPECT_EQ(*numbers.rbegin(), "ODR-2026-000040");
}

TEST_F(SqliteCaseStoreTest, AccessLogIsAppendOnly) {
  SqliteAccessLog log(db_.get());
  AccessRecord r{0,          clock_.Now(), "citizen-a", "partner-p", "/odr.v1.CaseService/GetCase",
                 "cases/k1", false};
  ASSERT_THAT(log.Append({r, r}), IsOk());
  auto page = log.List({});
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->records.size(), 2u);
  EXPECT_EQ(page->records[0].acting_through, "partner-p");
  absl::Status update = db_->Write(
      [](Connection& c) { return c.Exec("UPDATE access_log SET principal_id = 'someone'"); });
  EXPECT_FALSE(update.ok());
  absl::Status del = db_->Write([](Connection& c) { return c.Exec("DELETE FROM access_log"); });
  EXPECT_FALSE(del.ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM access_log WHERE principal_id = 'citizen-a'"), 2);
}

TEST_F(SqliteCaseStoreTest, ChangesAreLoggedInTheSameTransaction) {
  domain::MutationContext ctx = Ctx();
  ctx.rpc = "/odr.v1.CaseService/CreateCase";
  auto k = store_->CreateCase(odr::testing::MedicalCase(), ctx);
  ASSERT_THAT(k, IsOk());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM access_log WHERE action = 'change'"), 1);
  // A change refused by authorization writes neither the change nor a record.
  ctx.rpc = "/odr.v1.CaseService/SubmitCase";
  ctx.authorize = [](const domain::Case&) { return absl::PermissionDeniedError("no"); };
  EXPECT_EQ(
      store_->TransitionCase(k->id, CaseAction::kSubmit, std::nullopt, "", ctx).status().code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->GetCase(k->id)->state, CaseState::kDraft);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM access_log"), 1);
}

TEST_F(SqliteCaseStoreTest, PrincipalsAndLinks) {
  SqlitePrincipalStore principals(db_.get(), &clock_);
  domain::Principal c;
  c.id = "citizen-a";
  c.role = domain::Role::kCitizen;
  c.id_number = odr::testing::kIdZhang;
  ASSERT_THAT(principals.Create(c, "scrypt$hash"), IsOk());
  domain::Principal p;
  p.id = "partner-p";
  p.role = domain::Role::kPartnerApp;
  p.certificate_name = "partner.example";
  ASSERT_THAT(principals.Create(p, ""), IsOk());
  EXPECT_EQ(principals.Create(p, "").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(principals.Get("citizen-a")->id_number, odr::testing::kIdZhang);
  EXPECT_EQ(principals.GetByCertificateName("partner.example")->id, "partner-p");
  EXPECT_EQ(*principals.GetApiKeyHash("citizen-a"), "scrypt$hash");
  EXPECT_EQ(principals.GetApiKeyHash("partner-p").status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(*principals.IsLinked("partner-p", "citizen-a"));
  ASSERT_THAT(principals.Link("partner-p", "citizen-a"), IsOk());
  EXPECT_TRUE(*principals.IsLinked("partner-p", "citizen-a"));
  EXPECT_EQ(principals.List()->size(), 2u);
}

}  // namespace
}  // namespace odr::storage

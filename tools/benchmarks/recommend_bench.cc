// Benchmark of RecommendMediators with a national-scale roster (issue 4: "with 100,000 mediators
// in 10,000 organizations loaded, RecommendMediators p99 < 5 ms on this 2-core machine").
//
// 1. Bulk-loads 10,000 organizations and 100,000 mediators (each with its principals row, role
//    mediator, no API key) straight into DATA_DIR/odr.db in one transaction, with a skewed size
//    distribution: most organizations have 5-10 mediators, a few hundred 11-60, 25 have 200-1000;
//    "big" has exactly 1,000 and "medium" 100. Specialties, languages, regions, capacities, loads,
//    suspensions and past outcomes are random (fixed seed).
// 2. Adds an org_admin principal with an API key for "big" and for "medium".
// 3. Starts the real server in-process (OdrServer::Start on 127.0.0.1:0, rate limiting off) and,
//    as those admins, creates --cases cases (half per organization) and moves each to
//    STATE_ACCEPTED through the API (CreateCase, SubmitCase, AcceptCase).
// 4. Calls RecommendMediators through the generated stub and records each call's latency: the
//    wall time of the blocking stub call (client serialization, loopback HTTP/2, authentication,
//    GetCase, ListMediators of the case's organization, ranking, the access-log append, the reply),
//    with client and server in this one process.
//
// Reports p50/p90/p99/max as Google Benchmark counters (microseconds) and as a summary in
// milliseconds at the end. It never fails on the target: it only reports.
//
// Flags (besides --benchmark_*): --calls=N (mixed run, default 2000), --cases=N (default 200),
// --seed=N, --keep-data (keep the temp dir: odr.db and the server log).
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "odr/v1/auth.grpc.pb.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "server/auth/secrets.h"
#include "server/domain/clock.h"
#include "server/domain/principal.h"
#include "server/domain/roster.h"
#include "server/domain/types.h"
#include "server/log.h"
#include "server/server.h"
#include "storage/principal_store.h"
#include "storage/sqlite_db.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_auth.h"

namespace odr::bench {
namespace {

using Ms = std::chrono::duration<double, std::milli>;
using SteadyClock = std::chrono::steady_clock;

constexpr int kOrganizations = 10000;
constexpr int kMediators = 100000;
constexpr int kBigIndex = 4321;  // in the middle of the id order, not at an edge of the B-tree
constexpr int kMediumIndex = 7777;
constexpr int kBigSize = 1000;
constexpr int kMediumSize = 100;
constexpr int kLargeOrgs = 25;  // besides "big": 200-1000 mediators
constexpr int kMidOrgs = 300;   // 11-60 mediators
constexpr double kTargetP99Ms = 5.0;

struct Flags {
  int calls = 2000;
  int cases = 200;
  uint64_t seed = 20260401;
  bool keep_data = false;
};

[[noreturn]] void Die(absl::string_view what, absl::string_view detail) {
  std::cout << "odr_bench_recommend: " << what << ": " << detail << std::endl;
  std::exit(1);
}

void Check(const absl::Status& s, absl::string_view what) {
  if (!s.ok()) Die(what, s.ToString());
}

void Check(const grpc::Status& s, absl::string_view what) {
  if (!s.ok()) Die(what, absl::StrCat(s.error_code(), " ", s.error_message()));
}

std::string OrgId(int i) {
  if (i == kBigIndex) return "big";
  if (i == kMediumIndex) return "medium";
  return absl::StrFormat("org-%05d", i);
}

// ---------------------------------------------------------------------------------------------
// Synthetic roster.

constexpr int kProvinces[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41,
                              42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65};
constexpr const char* kDialects[] = {"zh-wuu", "zh-yue", "zh-hak", "zh-nan",
                                     "zh-gan", "zh-hsn", "zh-cjy", "zh-cdo"};
constexpr const char* kOtherLanguages[] = {"bo", "ug", "mn", "ii", "za", "kk", "ko", "en",
                                           "ja", "ru", "fr", "de", "es", "ar", "vi"};
constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵",
                                     "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"};
constexpr const char* kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军",
                                  "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞"};
constexpr const char* kOrgKindNames[] = {"peoples_mediation_committee",
                                         "industry_professional",
                                         "court_invited",
                                         "lawyer",
                                         "administrative",
                                         "commercial",
                                         "other"};
// How common each dispute type is among specialties (neighbour and family disputes dominate
// people's mediation; medical is rare and specialised).
constexpr std::pair<domain::DisputeType, int> kSpecialtyWeights[] = {
    {domain::DisputeType::kNeighbour, 25},
    {domain::DisputeType::kFamilyInheritance, 20},
    {domain::DisputeType::kDebtContract, 15},
    {domain::DisputeType::kLabour, 12},
    {domain::DisputeType::kTrafficAccident, 10},
    {domain::DisputeType::kPropertyLand, 8},
    {domain::DisputeType::kConsumerEcommerce, 5},
    {domain::DisputeType::kMedical, 3},
    {domain::DisputeType::kOther, 2},
};

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T, size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[Int(0, static_cast<int>(N) - 1)];
  }
  std::string Region() {
    return absl::StrFormat("%02d%02d%02d", Pick(kProvinces), Int(1, 15), Int(1, 20));
  }
  // Same county mostly, else another county of the city, else another city of the province.
  std::string Near(const std::string& region, double same, double same_city) {
    const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (r < same) return region;
    if (r < same + same_city) return absl::StrFormat("%s%02d", region.substr(0, 4), Int(1, 20));
    return absl::StrFormat("%s%02d%02d", region.substr(0, 2), Int(1, 15), Int(1, 20));
  }
  domain::DisputeType Specialty() {
    int total = 0;
    for (const auto& [t, w] : kSpecialtyWeights) total += w;
    int r = Int(0, total - 1);
    for (const auto& [t, w] : kSpecialtyWeights) {
      if (r < w) return t;
      r -= w;
    }
    return domain::DisputeType::kOther;
  }
  std::string Name() { return absl::StrCat(Pick(kSurnames), Pick(kGiven), Pick(kGiven)); }

 private:
  std::mt19937_64 rng_;
};

// Mediators per organization: kBigSize and kMediumSize for the two measured ones, kLargeOrgs of
// 200-1000, kMidOrgs of 11-60, the rest 5-10; nudged (within those ranges) to total kMediators.
std::vector<int> OrganizationSizes(Gen& g) {
  std::vector<int> size(kOrganizations, 0);
  std::vector<int> lo(kOrganizations), hi(kOrganizations);
  std::vector<int> order;
  for (int i = 0; i < kOrganizations; ++i) {
    if (i != kBigIndex && i != kMediumIndex) order.push_back(i);
  }
  std::shuffle(order.begin(), order.end(), std::mt19937_64(g.Int(0, 1 << 30)));
  for (size_t k = 0; k < order.size(); ++k) {
    const int i = order[k];
    if (k < kLargeOrgs) {
      lo[i] = 200, hi[i] = 1000;
    } else if (k < kLargeOrgs + kMidOrgs) {
      lo[i] = 11, hi[i] = 60;
    } else {
      lo[i] = 5, hi[i] = 10;
    }
    size[i] = g.Int(lo[i], hi[i]);
  }
  lo[kBigIndex] = hi[kBigIndex] = size[kBigIndex] = kBigSize;
  lo[kMediumIndex] = hi[kMediumIndex] = size[kMediumIndex] = kMediumSize;
  long total = 0;
  for (int s : size) total += s;
  // Small organizations first (most of them), then the rest, until the total is exact.
  for (int pass = 0; pass < 3 && total != kMediators; ++pass) {
    for (size_t k = order.size(); k-- > 0 && total != kMediators;) {
      const int i = order[k];
      if (total < kMediators) {
        const int add = std::min<long>(hi[i] - size[i], kMediators - total);
        size[i] += add, total += add;
      } else {
        const int sub = std::min<long>(size[i] - lo[i], total - kMediators);
        size[i] -= sub, total -= sub;
      }
    }
  }
  if (total != kMediators) Die("organization sizes", "cannot reach the mediator total");
  return size;
}

struct LoadStats {
  double seconds = 0;
  int organizations = 0;
  int mediators = 0;
  int suspended = 0;
  int at_capacity = 0;
  std::vector<int> sizes;
  std::vector<std::string> regions;  // per organization
};

LoadStats BulkLoad(storage::Database* db, uint64_t seed) {
  const auto start = SteadyClock::now();
  Gen g(seed);
  LoadStats stats;
  stats.sizes = OrganizationSizes(g);
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  Check(db->Write([&](storage::Connection& c) -> absl::Status {
    constexpr char kOrgSql[] =
        "INSERT INTO organizations (id, display_name, kind, region_code, affiliated_court,"
        " create_time_us, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)";
    constexpr char kMediatorSql[] =
        "INSERT INTO mediators (organization_id, id, display_name, profile, specialties,"
        " languages, region_code, employment, fee_fen, max_concurrent_cases, active_cases,"
        " suspended, principal_id, id_document_type, id_number, phone, related_id_numbers,"
        " recent_settled, recent_ended, create_time_us, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, 1)";
    constexpr char kPrincipalSql[] =
        "INSERT INTO principals (id, role, display_name, organization_id, court_id,"
        " id_document_type, id_number, certificate_name, api_key_hash, disabled, create_time_us)"
        " VALUES (?1, 'mediator', ?2, ?3, '', 'resident_id_card', ?4, NULL, NULL, 0, ?5)";
    int64_t serial = 0;
    for (int o = 0; o < kOrganizations; ++o) {
      const std::string org = OrgId(o);
      const std::string org_region = g.Region();
      stats.regions.push_back(org_region);
      const char* kind = g.Pick(kOrgKindNames);
      {
        auto s = c.Prepare(kOrgSql);
        if (!s.ok()) return s.status();
        s->Bind(1, org).Bind(2, absl::StrCat(org_region, " 人民调解委员会 ", o));
        s->Bind(3, kind).Bind(4, org_region);
        s->Bind(5, g.Chance(0.3) ? absl::StrCat("court-", org_region) : "");
        s->Bind(6, now_us);
        if (absl::Status st = s->Run(); !st.ok()) return st;
      }
      ++stats.organizations;
      const bool free_of_charge = absl::string_view(kind) == "peoples_mediation_committee";
      for (int k = 0; k < stats.sizes[o]; ++k, ++serial) {
        const std::string id = absl::StrFormat("m%04d", k);
        const std::string principal = absl::StrFormat("med-%05d-%04d", o, k);
        const std::string name = g.Name();
        // Never a fixture party's number or phone (those are the cases' parties).
        const std::string id_number = absl::StrFormat("9%017d", serial);
        const std::string phone = absl::StrFormat("17%09d", serial);
        std::vector<std::string> specialties;
        for (int n = g.Int(1, 3); n > 0; --n) {
          std::string t = domain::DisputeTypeName(g.Specialty());
          if (std::find(specialties.begin(), specialties.end(), t) == specialties.end()) {
            specialties.push_back(t);
          }
        }
        std::vector<std::string> languages;
        if (g.Chance(0.97)) languages.push_back("zh");
        if (g.Chance(0.35)) languages.push_back(g.Pick(kDialects));
        if (g.Chance(0.05) || languages.empty()) languages.push_back(g.Pick(kOtherLanguages));
        std::vector<std::string> related;
        if (g.Chance(0.02)) related.push_back(absl::StrFormat("8%017d", g.Int(0, 1 << 30)));
        // A few are related to the benchmark cases' applicant: conflict screening drops them.
        if (g.Chance(0.002)) related.push_back(testing::kIdZhang);
        const bool part_time = g.Chance(0.4);
        const int capacity = part_time ? g.Int(2, 10) : g.Int(5, 30);
        const int active = g.Chance(0.08) ? capacity : g.Int(0, capacity);
        const bool suspended = g.Chance(0.03);
        const int ended = g.Int(0, 60);
        const int settled = g.Int(0, ended);
        stats.suspended += suspended ? 1 : 0;
        stats.at_capacity += active == capacity ? 1 : 0;
        auto s = c.Prepare(kMediatorSql);
        if (!s.ok()) return s.status();
        s->Bind(1, org).Bind(2, id).Bind(3, name);
        s->Bind(4, absl::StrCat(name, "，从事人民调解工作", g.Int(1, 30), "年，擅长",
                                specialties[0], "类纠纷的调解，熟悉相关法律法规。"));
        s->Bind(5, absl::StrCat(",", absl::StrJoin(specialties, ","), ","));
        s->Bind(6, absl::StrCat(",", absl::StrJoin(languages, ","), ","));
        s->Bind(7, g.Near(org_region, 0.8, 0.12));
        s->Bind(8, part_time ? "part_time" : "full_time");
        s->Bind(9, static_cast<int64_t>(free_of_charge ? 0 : g.Int(200, 5000) * 100));
        s->Bind(10, static_cast<int64_t>(capacity)).Bind(11, static_cast<int64_t>(active));
        s->Bind(12, static_cast<int64_t>(suspended ? 1 : 0)).Bind(13, principal);
        s->Bind(14, "resident_id_card").Bind(15, id_number).Bind(16, phone);
        s->Bind(17, absl::StrJoin(related, "\n"));
        s->Bind(18, static_cast<int64_t>(settled)).Bind(19, static_cast<int64_t>(ended));
        s->Bind(20, now_us);
        if (absl::Status st = s->Run(); !st.ok()) return st;
        auto p = c.Prepare(kPrincipalSql);
        if (!p.ok()) return p.status();
        p->Bind(1, principal).Bind(2, name).Bind(3, org).Bind(4, id_number).Bind(5, now_us);
        if (absl::Status st = p->Run(); !st.ok()) return st;
        ++stats.mediators;
      }
    }
    return absl::OkStatus();
  }),
        "bulk load");
  stats.seconds = Ms(SteadyClock::now() - start).count() / 1000;
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Cases, through the API.

std::string IssueToken(const std::shared_ptr<grpc::Channel>& channel, const std::string& principal,
                       const std::string& api_key) {
  auto stub = v1::AuthService::NewStub(channel);
  v1::CreateTokenRequest req;
  req.set_principal("principals/" + principal);
  req.set_api_key(api_key);
  v1::CreateTokenResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  Check(stub->CreateToken(&ctx, req, &resp), "CreateToken");
  return resp.access_token();
}

v1::CreateCaseRequest CaseRequest(Gen& g, const std::string& org, const std::string& org_region) {
  static constexpr v1::DisputeType kTypes[] = {v1::DISPUTE_TYPE_MEDICAL,
                                               v1::DISPUTE_TYPE_NEIGHBOUR,
                                               v1::DISPUTE_TYPE_LABOUR,
                                               v1::DISPUTE_TYPE_DEBT_CONTRACT,
                                               v1::DISPUTE_TYPE_FAMILY_INHERITANCE,
                                               v1::DISPUTE_TYPE_TRAFFIC_ACCIDENT,
                                               v1::DISPUTE_TYPE_PROPERTY_LAND,
                                               v1::DISPUTE_TYPE_CONSUMER_ECOMMERCE,
                                               v1::DISPUTE_TYPE_OTHER};
  v1::CreateCaseRequest req;
  v1::Case* c = req.mutable_case_();
  c->set_dispute_type(g.Pick(kTypes));
  v1::Party* a = c->add_applicants();
  a->set_kind(v1::PARTY_KIND_NATURAL_PERSON);
  a->set_name("张三");
  a->set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  a->set_id_number(testing::kIdZhang);
  a->set_phone("13800138000");
  a->set_service_address("zhangsan@example.com");
  v1::Party* r = c->add_respondents();
  r->set_kind(v1::PARTY_KIND_LEGAL_PERSON);
  r->set_name("某某有限公司");
  r->set_id_document_type(v1::ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE);
  r->set_id_number(testing::kUsccHospital);
  r->set_phone("0575-87000000");
  r->set_service_address("浙江省诸暨市暨阳街道");
  v1::Agent* agent = r->add_agents();
  agent->set_name("李律师");
  agent->set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  agent->set_id_number(testing::kIdLi);
  agent->set_phone("13900000000");
  agent->set_service_address("lawyer@example.com");
  c->set_summary("双方因合同履行发生争议，申请人请求调解。");
  c->set_claims("请求被申请人支付欠款及利息。");
  c->set_amount_fen(g.Int(0, 100000) * 100);
  c->set_region_code(g.Near(org_region, 0.6, 0.25));
  c->set_language(g.Chance(0.85) ? "zh" : (g.Chance(0.7) ? "zh-wuu" : "en"));
  c->mutable_source()->mutable_citizen_application();
  c->set_organization("organizations/" + org);
  return req;
}

// ---------------------------------------------------------------------------------------------
// Measurement.

struct Target {
  std::string token;
  std::string case_name;
};

struct Env {
  std::unique_ptr<v1::CaseService::Stub> stub;
  std::vector<Target> big, medium, mixed;  // mixed alternates big and medium
};
Env* g_env = nullptr;

struct Summary {
  std::string name;
  size_t calls = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;  // ms
};
std::mutex g_summaries_mu;
std::vector<Summary> g_summaries;

double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  // Nearest rank.
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// One blocking RecommendMediators call; its latency in ms. Fails the run on an error or an empty
// answer.
double CallOnce(const Target& t, std::string* error) {
  v1::RecommendMediatorsRequest req;
  req.set_name(t.case_name);
  v1::RecommendMediatorsResponse resp;
  auto ctx = testing::AuthedContext(t.token);
  const auto start = SteadyClock::now();
  grpc::Status s = g_env->stub->RecommendMediators(ctx.get(), req, &resp);
  const double ms = Ms(SteadyClock::now() - start).count();
  if (!s.ok()) {
    *error = absl::StrCat("RecommendMediators(", t.case_name, "): ", s.error_code(), " ",
                          s.error_message());
  } else if (resp.recommendations_size() == 0) {
    *error = absl::StrCat("RecommendMediators(", t.case_name, ") recommended nobody");
  }
  return ms;
}

void BM_RecommendMediators(benchmark::State& state, const std::string& label,
                           const std::vector<Target>* targets) {
  static std::mutex mu;
  static std::vector<double> shared;
  if (state.thread_index() == 0) {
    std::lock_guard<std::mutex> lock(mu);
    shared.clear();
  }
  std::vector<double> mine;
  mine.reserve(static_cast<size_t>(state.max_iterations));
  size_t i = static_cast<size_t>(state.thread_index());
  std::string error;
  for (auto _ : state) {
    const double ms = CallOnce((*targets)[i++ % targets->size()], &error);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
    state.SetIterationTime(ms / 1000);
    mine.push_back(ms);
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    shared.insert(shared.end(), mine.begin(), mine.end());
  }
  if (state.thread_index() != 0 || !error.empty()) return;
  // The threads leave the loop together but merge their samples afterwards: thread 0 waits for
  // all of them (each adds max_iterations).
  const size_t expected = static_cast<size_t>(state.max_iterations) * state.threads();
  std::vector<double> all;
  for (int spin = 0; spin < 10000; ++spin) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (shared.size() >= expected) {
        all = shared;
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (all.empty()) return;
  std::sort(all.begin(), all.end());
  Summary sum;
  sum.name = label;
  sum.calls = all.size();
  for (double v : all) sum.mean += v;
  sum.mean /= static_cast<double>(all.size());
  sum.p50 = Percentile(all, 0.50);
  sum.p90 = Percentile(all, 0.90);
  sum.p99 = Percentile(all, 0.99);
  sum.max = all.back();
  state.counters["p50_us"] = sum.p50 * 1000;
  state.counters["p90_us"] = sum.p90 * 1000;
  state.counters["p99_us"] = sum.p99 * 1000;
  state.counters["max_us"] = sum.max * 1000;
  std::lock_guard<std::mutex> lock(g_summaries_mu);
  g_summaries.push_back(sum);
}

bool ParseFlag(absl::string_view arg, absl::string_view name, std::string* value) {
  if (!absl::ConsumePrefix(&arg, name)) return false;
  if (!absl::ConsumePrefix(&arg, "=")) return false;
  *value = std::string(arg);
  return true;
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view a = argv[i];
    std::string v;
    if (a == "--keep-data") {
      f.keep_data = true;
    } else if (ParseFlag(a, "--calls", &v) && absl::SimpleAtoi(v, &f.calls) && f.calls > 0) {
    } else if (ParseFlag(a, "--cases", &v) && absl::SimpleAtoi(v, &f.cases) && f.cases >= 2) {
    } else if (ParseFlag(a, "--seed", &v) && absl::SimpleAtoi(v, &f.seed)) {
    } else {
      Die("unknown or bad flag", a);
    }
  }
  return f;
}

int Main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const Flags flags = ParseFlags(argc, argv);
  std::cout.setf(std::ios::unitbuf);

  std::string tmpl =
      (std::filesystem::temp_directory_path() / "odr-bench-recommend-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp", tmpl);
  const std::string root = tmpl;
  const std::string data_dir = root + "/data";
  std::filesystem::create_directories(data_dir);
  std::cout << "data dir: " << data_dir << "\n";

  // 1-2. Roster and admins, straight into SQLite.
  LoadStats load;
  double admins_s = 0;
  SystemClock clock;
  RandomIdGenerator ids;
  const std::string big_key = auth::NewApiKey(), medium_key = auth::NewApiKey();
  {
    storage::Database::Options o;
    o.path = data_dir + "/odr.db";
    o.readers = 1;
    auto db = storage::Database::Open(o);
    Check(db.status(), "open database");
    load = BulkLoad(db->get(), flags.seed);
    std::cout << absl::StrFormat(
        "bulk load: %d organizations, %d mediators (+%d principals) in %.2f s; %d suspended, %d "
        "at capacity\n",
        load.organizations, load.mediators, load.mediators, load.seconds, load.suspended,
        load.at_capacity);
    std::vector<int> sorted = load.sizes;
    std::sort(sorted.begin(), sorted.end());
    std::cout << absl::StrFormat(
        "mediators per organization: min %d, median %d, p90 %d, p99 %d, max %d; big=%d medium=%d\n",
        sorted.front(), sorted[sorted.size() / 2], sorted[sorted.size() * 9 / 10],
        sorted[sorted.size() * 99 / 100], sorted.back(), load.sizes[kBigIndex],
        load.sizes[kMediumIndex]);
    const auto start = SteadyClock::now();
    storage::SqlitePrincipalStore principals(db->get(), &clock);
    for (const auto& [id, org, key] : {std::tuple{"admin-big", "big", big_key},
                                       std::tuple{"admin-medium", "medium", medium_key}}) {
      domain::Principal p;
      p.id = id;
      p.role = domain::Role::kOrgAdmin;
      p.display_name = absl::StrCat(org, " administrator");
      p.organization_id = org;
      auto hash = auth::HashSecret(key);
      Check(hash.status(), "HashSecret");
      Check(principals.Create(p, *hash), "create admin");
    }
    admins_s = Ms(SteadyClock::now() - start).count() / 1000;
  }

  // The server logs one JSON line per call on stderr, as odrd does; send it to a file.
  const std::string log_path = root + "/odrd.log";
  std::cout << "server log: " << log_path << "\n";
  if (std::freopen(log_path.c_str(), "a", stderr) == nullptr) Die("redirect stderr", log_path);
  Check(log::Init("info"), "log level");

  // 3. The real server, in-process.
  auto start = SteadyClock::now();
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir;
  options.rate_limit = 0;
  auto server = server::OdrServer::Start(options, &clock, &ids);
  Check(server.status(), "start server");
  const double start_s = Ms(SteadyClock::now() - start).count() / 1000;
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                                     grpc::InsecureChannelCredentials());
  Env env;
  env.stub = v1::CaseService::NewStub(channel);
  g_env = &env;

  start = SteadyClock::now();
  const std::string big_token = IssueToken(channel, "admin-big", big_key);
  const std::string medium_token = IssueToken(channel, "admin-medium", medium_key);
  const std::string& big_region = load.regions[kBigIndex];
  const std::string& medium_region = load.regions[kMediumIndex];
  Gen g(flags.seed + 1);
  for (int i = 0; i < flags.cases; ++i) {
    const bool big = i % 2 == 0;
    const std::string& token = big ? big_token : medium_token;
    v1::Case k;
    Check(env.stub->CreateCase(
              testing::AuthedContext(token).get(),
              CaseRequest(g, big ? "big" : "medium", big ? big_region : medium_region), &k),
          "CreateCase");
    v1::SubmitCaseRequest submit;
    submit.set_name(k.name());
    Check(env.stub->SubmitCase(testing::AuthedContext(token).get(), submit, &k), "SubmitCase");
    v1::AcceptCaseRequest accept;
    accept.set_name(k.name());
    Check(env.stub->AcceptCase(testing::AuthedContext(token).get(), accept, &k), "AcceptCase");
    if (k.state() != v1::Case::STATE_ACCEPTED) Die("AcceptCase", "case not in STATE_ACCEPTED");
    (big ? env.big : env.medium).push_back({token, k.name()});
  }
  for (size_t i = 0; i < std::max(env.big.size(), env.medium.size()); ++i) {
    if (i < env.big.size()) env.mixed.push_back(env.big[i]);
    if (i < env.medium.size()) env.mixed.push_back(env.medium[i]);
  }
  const double cases_s = Ms(SteadyClock::now() - start).count() / 1000;
  std::cout << absl::StrFormat(
      "admins (2 scrypt hashes) %.2f s; server start %.2f s; 2 tokens + %d cases to "
      "STATE_ACCEPTED (%zu big, %zu medium) through the API %.2f s\n",
      admins_s, start_s, flags.cases, env.big.size(), env.medium.size(), cases_s);

  // Warm-up (not measured): the first calls fill the SQLite page caches of the reader
  // connections and the server's thread pool.
  std::string error;
  const double first_ms = CallOnce(env.mixed[0], &error);
  if (!error.empty()) Die("warm-up", error);
  for (int i = 1; i < 100; ++i) {
    CallOnce(env.mixed[static_cast<size_t>(i) % env.mixed.size()], &error);
    if (!error.empty()) Die("warm-up", error);
  }
  std::cout << absl::StrFormat("first (cold) call %.2f ms; 100 warm-up calls not measured\n",
                               first_ms);

  const std::string mixed_label = absl::StrFormat(
      "mixed: alternating big (%d) and medium (%d), 1 caller", kBigSize, kMediumSize);
  const std::string big_label = absl::StrFormat("big org only (%d mediators), 1 caller", kBigSize);
  const std::string medium_label =
      absl::StrFormat("medium org only (%d mediators), 1 caller", kMediumSize);
  const std::string concurrent_label =
      absl::StrFormat("mixed, 2 concurrent callers (%d calls each)", flags.calls / 4);
  benchmark::RegisterBenchmark("RecommendMediators/mixed", BM_RecommendMediators, mixed_label,
                               &env.mixed)
      ->Iterations(flags.calls)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("RecommendMediators/big_org", BM_RecommendMediators, big_label,
                               &env.big)
      ->Iterations(std::max(1, flags.calls / 4))
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("RecommendMediators/medium_org", BM_RecommendMediators, medium_label,
                               &env.medium)
      ->Iterations(std::max(1, flags.calls / 4))
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("RecommendMediators/mixed_2_callers", BM_RecommendMediators,
                               concurrent_label, &env.mixed)
      ->Iterations(std::max(1, flags.calls / 4))
      ->Threads(2)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);

  benchmark::ConsoleReporter reporter(isatty(STDOUT_FILENO)
                                          ? benchmark::ConsoleReporter::OO_ColorTabular
                                          : benchmark::ConsoleReporter::OO_Tabular);
  reporter.SetOutputStream(&std::cout);
  reporter.SetErrorStream(&std::cout);  // stderr is the server log
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  (*server)->Shutdown(absl::Seconds(5));
  server->reset();
  g_env = nullptr;

  std::cout << "\nRecommendMediators latency per call (ms), blocking stub call over loopback, "
               "client and server in one process:\n";
  std::cout << absl::StrFormat("  %-58s %6s %7s %7s %7s %7s %7s\n", "run", "calls", "mean", "p50",
                               "p90", "p99", "max");
  for (const Summary& s : g_summaries) {
    std::cout << absl::StrFormat("  %-58s %6zu %7.3f %7.3f %7.3f %7.3f %7.3f\n", s.name, s.calls,
                                 s.mean, s.p50, s.p90, s.p99, s.max);
  }
  for (const Summary& s : g_summaries) {
    if (s.name != mixed_label) continue;
    std::cout << absl::StrFormat(
        "RESULT p50=%.3fms p90=%.3fms p99=%.3fms max=%.3fms calls=%zu (target p99 < %.0f ms: "
        "%s)\n",
        s.p50, s.p90, s.p99, s.max, s.calls, kTargetP99Ms,
        s.p99 < kTargetP99Ms ? "met" : "NOT met");
  }
  std::cout << absl::StrFormat(
      "RESULT load=%.2fs (SQLite bulk load of %d organizations, %d "
      "mediators and their principals)\n",
      load.seconds, load.organizations, load.mediators);

  if (flags.keep_data) {
    std::cout << "kept " << root << "\n";
  } else {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  return 0;
}

}  // namespace
}  // namespace odr::bench

int main(int argc, char** argv) { return odr::bench::Main(argc, argv); }

// odr-seed-zhuji: builds a realistic data set like the Zhuji (Zhejiang) platform's first ten
// months through odrd's public API, on a fresh data dir, in simulated time (docs/statistics.md).
//
// Accounts come from `odrd admin create-principals` and `create-court` (accounts are provisioned
// offline by design); everything else is an RPC: organizations, mediators, court diversions and
// intake records, acceptance, assignment, mediation, agreements and their signatures, payments,
// judicial confirmation. odrd runs with --simulated-time; the seed moves its clock one day at a
// time (SimulationService.AdvanceClock), so durations, deadlines and expiries are real.
//
// The plan is drawn from a fixed random seed, so two runs give the same figures: for 2026-01-01
// to 2026-10-31, 13,560 disputes presented at court intake, 11,591 diverted, 3,470 mediated
// successfully and 2,948 judicial confirmations.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "odr/v1/agreement.grpc.pb.h"
#include "odr/v1/auth.grpc.pb.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/confirmation.grpc.pb.h"
#include "odr/v1/court.grpc.pb.h"
#include "odr/v1/deadline.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "odr/v1/simulation.grpc.pb.h"
#include "odr/v1/stats.grpc.pb.h"

namespace {

namespace fs = std::filesystem;
using odr::v1::Case;

// The report this data set reproduces.
constexpr int kOrganizations = 127;
constexpr int kMediators = 648;
constexpr int kPresented = 13'560;
constexpr int kDiverted = 11'591;
constexpr int kSettled = 3'470;
constexpr int kConfirmed = 2'948;
// Settled cases that applied for confirmation late in October: still before the court.
constexpr int kConfirmationsPending = 260;
constexpr int kYear = 2026;
constexpr int kDays = 304;  // 1 January to 31 October
constexpr char kCourt[] = "zhuji";
constexpr char kRegion[] = "330681";

const absl::TimeZone& China() {
  static const absl::TimeZone* tz = new absl::TimeZone(absl::FixedTimeZone(8 * 3600));
  return *tz;
}

absl::CivilDay DayOf(int d) { return absl::CivilDay(kYear, 1, 1) + d; }
std::string DateOf(int d) { return absl::FormatCivilTime(DayOf(d)); }
absl::Time NineAm(int d) {
  const absl::CivilDay c = DayOf(d);
  return absl::FromCivil(absl::CivilSecond(c.year(), c.month(), c.day(), 9, 0, 0), China());
}
bool WorkingDay(int d) {
  const absl::Weekday w = absl::GetWeekday(DayOf(d));
  return w != absl::Weekday::saturday && w != absl::Weekday::sunday;
}

// A resident ID number of Zhuji with its ISO 7064 MOD 11-2 check digit; `n` makes it unique.
std::string ResidentId(int n) {
  const absl::CivilDay birth = absl::CivilDay(1950, 1, 1) + (n / 900) * 7 % 20000;
  std::string id = absl::StrFormat("%s%04d%02d%02d%03d", kRegion, birth.year(), birth.month(),
                                   birth.day(), 100 + n % 900);
  static const int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (id[i] - '0') * kWeights[i];
  id += "10X98765432"[sum % 11];
  return id;
}

const char* const kSurnames[] = {"王", "陈", "张", "李", "赵", "周", "吴", "徐", "孙", "杨",
                                 "何", "钱", "郭", "楼", "宣", "斯", "俞", "蔡", "金", "冯"};
const char* const kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强",   "磊",   "军",   "洋",
                              "勇", "艳", "杰", "涛", "明", "超", "秀英", "建国", "海燕", "志强"};
const char* const kTowns[] = {"暨阳", "浣东", "陶朱", "枫桥", "店口", "大唐", "次坞", "应店",
                              "璜山", "牌头", "安华", "草塔", "五泄", "赵家", "东和", "马剑"};

struct TypeShare {
  odr::v1::DisputeType type;
  int weight;
  const char* summary;
};
const TypeShare kTypes[] = {
    {odr::v1::DISPUTE_TYPE_DEBT_CONTRACT, 34, "借款到期未还。"},
    {odr::v1::DISPUTE_TYPE_NEIGHBOUR, 12, "宅基地相邻通行纠纷。"},
    {odr::v1::DISPUTE_TYPE_FAMILY_INHERITANCE, 10, "遗产分割纠纷。"},
    {odr::v1::DISPUTE_TYPE_LABOUR, 11, "拖欠劳动报酬。"},
    {odr::v1::DISPUTE_TYPE_TRAFFIC_ACCIDENT, 11, "交通事故损害赔偿。"},
    {odr::v1::DISPUTE_TYPE_PROPERTY_LAND, 7, "土地承包经营权纠纷。"},
    {odr::v1::DISPUTE_TYPE_CONSUMER_ECOMMERCE, 8, "网购商品质量纠纷。"},
    {odr::v1::DISPUTE_TYPE_MEDICAL, 4, "术后感染，认为医院存在过错。"},
    {odr::v1::DISPUTE_TYPE_OTHER, 3, "其他民事纠纷。"},
};
// Diversions by month, January to October (the Spring Festival empties February).
const int kMonthWeights[] = {95, 70, 100, 100, 105, 105, 100, 100, 105, 100};

enum class Outcome { kSettled, kFailedAtContact, kClosed, kWithdrawn, kExpired };

struct Plan {
  int day = 0;  // diverted
  int org = 0;
  int mediator = 0;  // global mediator index
  int type = 0;
  Outcome outcome = Outcome::kExpired;
  int end_day = 0;                      // settled, closed, withdrawn (or contact day)
  int applicant = -1, respondent = -1;  // citizen principals (-1: no account needed)
  int applicant_id = 0, respondent_id = 0;
  bool confirm = false, confirm_pending = false;
  int apply_day = -1, accept_day = -1, rule_day = -1;
  int due_day = -1, pay_day = -1;
  int64_t amount_fen = 0;
  // Filled in as the simulation runs.
  std::string name, agreement, content_hash, confirmation;
};

struct Intake {
  int day;
  int type;
  odr::v1::IntakeDisposition disposition;
};

enum class Step { kDivert, kContact, kClose, kWithdraw, kSettle, kPay, kApply, kAccept, kRule };

struct Options {
  std::string odrd, data_dir;
  int callers = 16;
  uint32_t seed = 20261031;
};

// odrd as a child process.
class Odrd {
 public:
  Odrd(const std::string& path, std::vector<std::string> args) {
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> argv{const_cast<char*>(path.c_str())};
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(path.c_str(), argv.data());
      _exit(127);
    }
  }
  ~Odrd() { Stop(); }
  int Stop() {
    if (pid_ <= 0) return 0;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  }
  bool alive() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

int RunCommand(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const auto& a : argv) absl::StrAppend(&cmd, "'", a, "' ");
  absl::StrAppend(&cmd, ">/dev/null");
  return std::system(cmd.c_str());
}

std::string ReadFirstLine(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}

class Seeder {
 public:
  explicit Seeder(Options o) : o_(std::move(o)), rng_(o_.seed) {}

  int Run();

 private:
  void MakePlan();
  int CreateAccounts();
  bool Connect();
  bool CreateRoster();
  bool Simulate();
  bool Verify();

  std::unique_ptr<grpc::ClientContext> As(const std::string& principal,
                                          const std::string& on_behalf_of = "") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    ctx->AddMetadata("authorization", "Bearer " + tokens_.at(principal));
    if (!on_behalf_of.empty()) ctx->AddMetadata("x-odr-on-behalf-of", on_behalf_of);
    return ctx;
  }
  std::unique_ptr<grpc::ClientContext> Citizen(int citizen) {
    return As("zj-app", absl::StrCat("principals/", CitizenId(citizen)));
  }
  static std::string OrgId(int o) { return absl::StrFormat("zj-org-%03d", o + 1); }
  static std::string OrgAdmin(int o) { return absl::StrFormat("zj-org-%03d-admin", o + 1); }
  static std::string MediatorPrincipal(int m) { return absl::StrFormat("zj-med-%03d", m + 1); }
  static std::string MediatorRosterId(int m) { return absl::StrFormat("m%03d", m + 1); }
  static std::string CitizenId(int c) { return absl::StrFormat("zj-cit-%05d", c + 1); }
  int OrgOfMediator(int m) const { return mediator_org_[m]; }

  bool Ok(const grpc::Status& s, const char* what, size_t case_index) {
    if (s.ok()) return true;
    std::lock_guard<std::mutex> lock(error_mu_);
    if (++errors_ <= 20) {
      std::cerr << "seed-zhuji: " << what << " (case " << case_index << ", "
                << (case_index < plans_.size() ? plans_[case_index].name : "")
                << "): " << s.error_code() << " " << s.error_message() << "\n";
    }
    return false;
  }
  void RunStep(size_t i, Step step, int day);
  Case NewCase(size_t i, int day) const;

  Options o_;
  std::mt19937 rng_;
  std::vector<Plan> plans_;
  std::vector<Intake> intakes_;
  std::vector<int> mediator_org_;
  std::vector<std::vector<int>> org_mediators_;
  int citizens_ = 0;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<Odrd> odrd_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<odr::v1::CaseService::Stub> cases_;
  std::unique_ptr<odr::v1::CourtService::Stub> courts_;
  std::unique_ptr<odr::v1::DeadlineService::Stub> deadlines_;
  std::unique_ptr<odr::v1::AgreementService::Stub> agreements_;
  std::unique_ptr<odr::v1::ConfirmationService::Stub> confirmations_;
  std::mutex error_mu_;
  int errors_ = 0;
  std::atomic<int64_t> calls_{0};
};

void Seeder::MakePlan() {
  // Mediators: 5 or 6 per organization.
  org_mediators_.resize(kOrganizations);
  for (int m = 0; m < kMediators; ++m) {
    const int org = m % kOrganizations;
    mediator_org_.push_back(org);
    org_mediators_[org].push_back(m);
  }
  // Working days of each month, and how many disputes each takes.
  std::vector<std::vector<int>> month_days(10);
  for (int d = 0; d < kDays; ++d) {
    if (WorkingDay(d)) month_days[DayOf(d).month() - 1].push_back(d);
  }
  const auto spread = [&](int total) {
    std::vector<int> days;
    int weight_sum = 0;
    for (int w : kMonthWeights) weight_sum += w;
    int given = 0;
    for (int m = 0; m < 10; ++m) {
      const int n = m == 9 ? total - given : total * kMonthWeights[m] / weight_sum;
      given += n;
      for (int k = 0; k < n; ++k) days.push_back(month_days[m][k % month_days[m].size()]);
    }
    std::sort(days.begin(), days.end());
    return days;
  };
  int type_weights = 0;
  for (const auto& t : kTypes) type_weights += t.weight;
  const auto draw_type = [&] {
    int r = static_cast<int>(rng_() % type_weights);
    for (int i = 0;; ++i) {
      r -= kTypes[i].weight;
      if (r < 0) return i;
    }
  };
  // Busy town committees take more: organization weights fall off like 1/(1 + rank/10).
  std::vector<double> org_weight;
  for (int o = 0; o < kOrganizations; ++o) org_weight.push_back(1.0 / (1.0 + o / 10.0));
  std::discrete_distribution<int> draw_org(org_weight.begin(), org_weight.end());

  for (int d : spread(kDiverted)) {
    Plan p;
    p.day = d;
    p.org = draw_org(rng_);
    const auto& meds = org_mediators_[p.org];
    p.mediator = meds[rng_() % meds.size()];
    p.type = draw_type();
    p.amount_fen = 100'000 * (5 + static_cast<int64_t>(rng_() % 400));
    plans_.push_back(p);
  }
  // Settled: a fixed number of the cases diverted early enough to settle by 31 October; of these
  // the earliest settled are confirmed, some later ones are still before the court.
  std::vector<size_t> order(plans_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng_);
  std::vector<size_t> settled;
  for (size_t i : order) {
    if (static_cast<int>(settled.size()) == kSettled) break;
    if (plans_[i].day + 28 <= kDays - 1) settled.push_back(i);
  }
  std::sort(settled.begin(), settled.end(),
            [&](size_t a, size_t b) { return plans_[a].day < plans_[b].day; });
  std::normal_distribution<double> duration(13, 5);
  for (size_t i : settled) {
    Plan& p = plans_[i];
    p.outcome = Outcome::kSettled;
    p.end_day = p.day + std::clamp(static_cast<int>(duration(rng_)), 4, 27);
  }
  int confirmed = 0, pending = 0;
  for (size_t i : settled) {
    Plan& p = plans_[i];
    const int apply = p.end_day + 1 + static_cast<int>(rng_() % 6);
    const int accept = apply + 1;
    const int rule = accept + 2 + static_cast<int>(rng_() % 10);
    if (confirmed < kConfirmed && rule <= kDays - 1) {
      p.confirm = true;
      ++confirmed;
    } else if (pending < kConfirmationsPending && accept <= kDays - 1 && rule > kDays - 1) {
      p.confirm_pending = true;
      ++pending;
    } else {
      continue;
    }
    p.apply_day = apply;
    p.accept_day = accept;
    p.rule_day = rule;
  }
  // The rest fail at contact, are closed by the mediator, are withdrawn, or run out of time.
  for (Plan& p : plans_) {
    if (p.outcome == Outcome::kSettled) continue;
    const int r = static_cast<int>(rng_() % 100);
    if (r < 22) {
      p.outcome = Outcome::kFailedAtContact;
      p.end_day = p.day + 1;
    } else if (r < 62) {
      p.outcome = Outcome::kClosed;
      p.end_day = p.day + 5 + static_cast<int>(rng_() % 22);
    } else if (r < 80) {
      p.outcome = Outcome::kWithdrawn;
      p.end_day = p.day + 2 + static_cast<int>(rng_() % 18);
    } else {
      p.outcome = Outcome::kExpired;
    }
  }
  // Citizens' accounts, through the partner app, for those who act themselves.
  int id_seq = 0;
  for (Plan& p : plans_) {
    p.applicant_id = id_seq++;
    p.respondent_id = id_seq++;
    if (p.outcome == Outcome::kSettled || p.outcome == Outcome::kWithdrawn) {
      p.applicant = citizens_++;
    }
    if (p.outcome == Outcome::kSettled) p.respondent = citizens_++;
    if (p.outcome == Outcome::kSettled) {
      p.due_day = p.end_day + 20 + static_cast<int>(rng_() % 40);
      // Most pay two days early; some never do (their instalment goes overdue).
      if (rng_() % 100 < 92) p.pay_day = p.due_day - 2;
    }
  }
  // Presented at intake and not diverted.
  for (int d : spread(kPresented - kDiverted)) {
    const int r = static_cast<int>(rng_() % 100);
    intakes_.push_back({d, draw_type(),
                        r < 55   ? odr::v1::INTAKE_DISPOSITION_MEDIATION_DECLINED
                        : r < 90 ? odr::v1::INTAKE_DISPOSITION_FILED
                                 : odr::v1::INTAKE_DISPOSITION_ADVICE_ONLY});
  }
}

int Seeder::CreateAccounts() {
  const fs::path dir(o_.data_dir);
  const fs::path file = dir / "seed-principals.jsonl";
  {
    std::ofstream out(file);
    const auto line = [&](const std::string& id, const std::string& role, const std::string& extra,
                          bool key) {
      out << "{\"id\":\"" << id << "\",\"role\":\"" << role << "\"" << extra
          << ",\"key\":" << (key ? "true" : "false") << "}\n";
    };
    line("zj-platform", "platform_admin", "", true);
    line("zj-court-clerk", "court", absl::StrCat(",\"court\":\"courts/", kCourt, "\""), true);
    line("zj-app", "partner_app", "", true);
    for (int o = 0; o < kOrganizations; ++o) {
      line(OrgAdmin(o), "org_admin",
           absl::StrCat(",\"organization\":\"organizations/", OrgId(o), "\""), true);
    }
    for (int m = 0; m < kMediators; ++m) {
      line(MediatorPrincipal(m), "mediator",
           absl::StrCat(",\"organization\":\"organizations/", OrgId(OrgOfMediator(m)), "\""), true);
    }
    for (const Plan& p : plans_) {
      if (p.applicant >= 0) {
        line(CitizenId(p.applicant), "citizen",
             absl::StrCat(",\"id_number\":\"", ResidentId(p.applicant_id),
                          "\",\"partner\":\"principals/zj-app\""),
             false);
      }
      if (p.respondent >= 0) {
        line(CitizenId(p.respondent), "citizen",
             absl::StrCat(",\"id_number\":\"", ResidentId(p.respondent_id),
                          "\",\"partner\":\"principals/zj-app\""),
             false);
      }
    }
  }
  const std::string keys = (dir / "seed-keys").string();
  if (RunCommand({o_.odrd, "admin", "--data-dir", o_.data_dir, "create-principals", "--file",
                  file.string(), "--keys-out", keys, "--weak-key-hashes"}) != 0) {
    std::cerr << "seed-zhuji: odrd admin create-principals failed\n";
    return 1;
  }
  if (RunCommand({o_.odrd, "admin", "--data-dir", o_.data_dir, "create-court", "--id", kCourt,
                  "--name", "诸暨市人民法院", "--region", kRegion}) != 0) {
    std::cerr << "seed-zhuji: odrd admin create-court failed\n";
    return 1;
  }
  return 0;
}

bool Seeder::Connect() {
  const fs::path port_file = fs::path(o_.data_dir) / "seed-odrd.port";
  fs::remove(port_file);
  odrd_ = std::make_unique<Odrd>(
      o_.odrd, std::vector<std::string>{"--data-dir", o_.data_dir, "--listen", "127.0.0.1:0",
                                        "--port-file", port_file.string(), "--rate-limit", "0",
                                        "--log-level", "warn", "--simulated-time",
                                        absl::FormatTime(absl::RFC3339_sec, NineAm(0), China())});
  for (int i = 0; i < 600 && !fs::exists(port_file); ++i) {
    if (!odrd_->alive()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!fs::exists(port_file)) {
    std::cerr << "seed-zhuji: odrd did not start\n";
    return false;
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 << 20);
  channel_ = grpc::CreateCustomChannel("127.0.0.1:" + ReadFirstLine(port_file),
                                       grpc::InsecureChannelCredentials(), args);
  cases_ = odr::v1::CaseService::NewStub(channel_);
  courts_ = odr::v1::CourtService::NewStub(channel_);
  deadlines_ = odr::v1::DeadlineService::NewStub(channel_);
  agreements_ = odr::v1::AgreementService::NewStub(channel_);
  confirmations_ = odr::v1::ConfirmationService::NewStub(channel_);
  // Tokens for every account with a key, on all callers (verifying a key is deliberately slow).
  std::vector<std::string> ids;
  for (const auto& e : fs::directory_iterator(fs::path(o_.data_dir) / "seed-keys")) {
    ids.push_back(e.path().stem().string());
  }
  std::vector<std::string> tokens(ids.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  auto auth = odr::v1::AuthService::NewStub(channel_);
  for (int t = 0; t < o_.callers; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < ids.size(); i = next++) {
        odr::v1::CreateTokenRequest req;
        req.set_principal("principals/" + ids[i]);
        req.set_api_key(ReadFirstLine(fs::path(o_.data_dir) / "seed-keys" / (ids[i] + ".key")));
        odr::v1::CreateTokenResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
        grpc::Status s = auth->CreateToken(&ctx, req, &resp);
        if (!s.ok()) {
          std::cerr << "seed-zhuji: CreateToken(" << ids[i] << "): " << s.error_message() << "\n";
          failed = true;
          return;
        }
        tokens[i] = resp.access_token();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < ids.size(); ++i) tokens_[ids[i]] = tokens[i];
  return !failed;
}

bool Seeder::CreateRoster() {
  auto roster = odr::v1::RosterService::NewStub(channel_);
  for (int o = 0; o < kOrganizations; ++o) {
    odr::v1::CreateOrganizationRequest req;
    req.set_organization_id(OrgId(o));
    odr::v1::Organization* org = req.mutable_organization();
    org->set_display_name(o < 16 ? absl::StrCat("诸暨市", kTowns[o], "人民调解委员会")
                                 : absl::StrFormat("诸暨市第%d人民调解委员会", o + 1));
    org->set_kind(o % 9 == 8 ? odr::v1::ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL
                             : odr::v1::ORGANIZATION_KIND_PEOPLES_MEDIATION_COMMITTEE);
    org->set_region_code(kRegion);
    org->set_affiliated_court(absl::StrCat("courts/", kCourt));
    odr::v1::Organization out;
    if (!Ok(roster->CreateOrganization(As("zj-platform").get(), req, &out), "CreateOrganization",
            static_cast<size_t>(-1))) {
      return false;
    }
  }
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int t = 0; t < o_.callers; ++t) {
    threads.emplace_back([&] {
      for (int m = next++; m < kMediators; m = next++) {
        odr::v1::CreateMediatorRequest req;
        req.set_parent(absl::StrCat("organizations/", OrgId(OrgOfMediator(m))));
        req.set_mediator_id(MediatorRosterId(m));
        odr::v1::Mediator* body = req.mutable_mediator();
        body->set_display_name(absl::StrCat(kSurnames[m % 20], "调解员"));
        for (const auto& t : kTypes) body->add_specialties(t.type);
        body->add_languages("zh");
        body->add_languages("zh-wuu");
        body->set_region_code(kRegion);
        body->set_employment(m % 3 == 0 ? odr::v1::Mediator::EMPLOYMENT_FULL_TIME
                                        : odr::v1::Mediator::EMPLOYMENT_PART_TIME);
        body->set_max_concurrent_cases(60);
        body->set_principal("principals/" + MediatorPrincipal(m));
        auto* priv = body->mutable_private_details();
        priv->set_id_document_type(odr::v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
        priv->set_id_number(ResidentId(900'000 + m));
        priv->set_phone(absl::StrFormat("136%08d", m));
        odr::v1::Mediator out;
        if (!Ok(roster->CreateMediator(As(OrgAdmin(OrgOfMediator(m))).get(), req, &out),
                "CreateMediator", static_cast<size_t>(-1))) {
          failed = true;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return !failed;
}

Case Seeder::NewCase(size_t i, int day) const {
  const Plan& p = plans_[i];
  const auto person = [&](int id_seq, int salt) {
    odr::v1::Party party;
    party.set_kind(odr::v1::PARTY_KIND_NATURAL_PERSON);
    party.set_name(absl::StrCat(kSurnames[(id_seq * 7 + salt) % 20], kGiven[(id_seq / 3) % 20]));
    party.set_id_document_type(odr::v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
    party.set_id_number(ResidentId(id_seq));
    party.set_phone(absl::StrFormat("13%d%08d", 5 + id_seq % 5, id_seq));
    party.set_service_address(absl::StrFormat("party%d@example.com", id_seq));
    return party;
  };
  Case c;
  c.set_dispute_type(kTypes[p.type].type);
  *c.add_applicants() = person(p.applicant_id, 1);
  *c.add_respondents() = person(p.respondent_id, 3);
  c.set_summary(kTypes[p.type].summary);
  c.set_claims(absl::StrFormat("请求对方支付人民币%d元。", p.amount_fen / 100));
  c.set_amount_fen(p.amount_fen);
  c.set_region_code(kRegion);
  c.set_organization(absl::StrCat("organizations/", OrgId(p.org)));
  odr::v1::CourtDiversion* d = c.mutable_source()->mutable_court_diversion();
  d->set_court(absl::StrCat("courts/", kCourt));
  d->set_intake_reference(absl::StrFormat("(%d)浙0681诉前调%d号", kYear, i + 1));
  d->set_diversion_date(DateOf(day));
  d->set_court_display_name("诸暨市人民法院");
  d->set_procedure(odr::v1::PROCEDURE_PRE_FILING);
  return c;
}

void Seeder::RunStep(size_t i, Step step, int day) {
  Plan& p = plans_[i];
  const std::string org_admin = OrgAdmin(p.org);
  const std::string mediator = MediatorPrincipal(p.mediator);
  Case k;
  switch (step) {
    case Step::kDivert: {
      odr::v1::DivertCaseRequest divert;
      *divert.mutable_case_() = NewCase(i, day);
      if (!Ok(courts_->DivertCase(As("zj-court-clerk").get(), divert, &k), "DivertCase", i)) {
        return;
      }
      p.name = k.name();
      odr::v1::AcceptCaseRequest accept;
      accept.set_name(p.name);
      if (!Ok(cases_->AcceptCase(As(org_admin).get(), accept, &k), "AcceptCase", i)) return;
      odr::v1::AssignCaseMediatorRequest assign;
      assign.set_name(p.name);
      assign.set_mediator(absl::StrCat("organizations/", OrgId(p.org), "/mediators/",
                                       MediatorRosterId(p.mediator)));
      if (!Ok(cases_->AssignCaseMediator(As(org_admin).get(), assign, &k), "AssignCaseMediator",
              i)) {
        return;
      }
      odr::v1::AcceptAssignmentRequest yes;
      yes.set_name(p.name);
      yes.set_no_conflict_declared(true);
      Ok(cases_->AcceptAssignment(As(mediator).get(), yes, &k), "AcceptAssignment", i);
      calls_ += 4;
      return;
    }
    case Step::kContact: {
      odr::v1::RecordRespondentContactRequest contact;
      contact.set_name(p.name);
      contact.set_outcome(p.outcome == Outcome::kFailedAtContact
                              ? odr::v1::RecordRespondentContactRequest::OUTCOME_REFUSED
                              : odr::v1::RecordRespondentContactRequest::OUTCOME_AGREED);
      contact.set_note(p.outcome == Outcome::kFailedAtContact ? "被申请人不同意调解" : "");
      Ok(deadlines_->RecordRespondentContact(As(mediator).get(), contact, &k),
         "RecordRespondentContact", i);
      calls_ += 1;
      return;
    }
    case Step::kClose: {
      odr::v1::CloseCaseRequest close;
      close.set_name(p.name);
      close.set_reason("双方分歧较大，调解不成");
      Ok(cases_->CloseCase(As(mediator).get(), close, &k), "CloseCase", i);
      calls_ += 1;
      return;
    }
    case Step::kWithdraw: {
      odr::v1::WithdrawCaseRequest withdraw;
      withdraw.set_name(p.name);
      withdraw.set_reason("双方已自行和解");
      Ok(cases_->WithdrawCase(Citizen(p.applicant).get(), withdraw, &k), "WithdrawCase", i);
      calls_ += 1;
      return;
    }
    case Step::kSettle: {
      odr::v1::CreateAgreementRequest create;
      create.set_parent(p.name);
      odr::v1::Agreement* a = create.mutable_agreement();
      a->set_facts(kTypes[p.type].summary);
      a->set_issues("赔偿及履行方式。");
      a->set_responsibilities("被申请人承担主要责任。");
      odr::v1::AgreementTerm* t = a->add_terms();
      t->set_kind(odr::v1::AgreementTerm::KIND_PAYMENT);
      t->set_description(absl::StrFormat("被申请人向申请人支付人民币%d元。", p.amount_fen / 200));
      t->set_obligor("respondents/0");
      t->set_method("银行转账");
      t->set_deadline_date(DateOf(p.due_day));
      odr::v1::Instalment* in = a->add_instalments();
      in->set_due_date(DateOf(p.due_day));
      in->set_amount_fen(p.amount_fen / 2);
      in->set_payer("respondents/0");
      in->set_payee("applicants/0");
      odr::v1::Agreement out;
      if (!Ok(agreements_->CreateAgreement(As(mediator).get(), create, &out), "CreateAgreement",
              i)) {
        return;
      }
      p.agreement = out.name();
      for (int who = 0; who < 4; ++who) {
        odr::v1::SignAgreementRequest sign;
        sign.set_name(out.name());
        sign.set_content_hash(out.content_hash());
        auto ctx = who == 0   ? Citizen(p.applicant)
                   : who == 1 ? Citizen(p.respondent)
                   : who == 2 ? As(mediator)
                              : As(org_admin);
        if (!Ok(agreements_->SignAgreement(ctx.get(), sign, &out), "SignAgreement", i)) return;
      }
      calls_ += 5;
      return;
    }
    case Step::kPay: {
      odr::v1::RecordPaymentRequest pay;
      pay.set_name(p.agreement);
      pay.set_instalment(0);
      pay.set_amount_fen(p.amount_fen / 2);
      pay.set_note("银行转账");
      odr::v1::Agreement out;
      Ok(agreements_->RecordPayment(As(mediator).get(), pay, &out), "RecordPayment", i);
      calls_ += 1;
      return;
    }
    case Step::kApply: {
      odr::v1::CreateConfirmationRequest create;
      create.set_parent(p.name);
      create.mutable_confirmation()->set_court(absl::StrCat("courts/", kCourt));
      odr::v1::Confirmation c;
      if (!Ok(confirmations_->CreateConfirmation(Citizen(p.applicant).get(), create, &c),
              "CreateConfirmation", i)) {
        return;
      }
      p.confirmation = c.name();
      odr::v1::JoinConfirmationRequest join;
      join.set_name(c.name());
      Ok(confirmations_->JoinConfirmation(Citizen(p.respondent).get(), join, &c),
         "JoinConfirmation", i);
      calls_ += 2;
      return;
    }
    case Step::kAccept: {
      odr::v1::AcceptConfirmationRequest accept;
      accept.set_name(p.confirmation);
      odr::v1::Confirmation c;
      Ok(confirmations_->AcceptConfirmation(As("zj-court-clerk").get(), accept, &c),
         "AcceptConfirmation", i);
      calls_ += 1;
      return;
    }
    case Step::kRule: {
      odr::v1::RuleConfirmationRequest rule;
      rule.set_name(p.confirmation);
      rule.set_outcome(odr::v1::RuleConfirmationRequest::OUTCOME_VALID);
      rule.set_ruling_number(absl::StrFormat("(%d)浙0681民特%d号", kYear, i + 1));
      odr::v1::Confirmation c;
      Ok(confirmations_->RuleConfirmation(As("zj-court-clerk").get(), rule, &c), "RuleConfirmation",
         i);
      calls_ += 1;
      return;
    }
  }
}

bool Seeder::Simulate() {
  // What each day brings, per case in order.
  std::vector<std::map<size_t, std::vector<Step>>> steps(kDays);
  const auto add = [&](int day, size_t i, Step s) {
    if (day >= 0 && day < kDays) steps[day][i].push_back(s);
  };
  for (size_t i = 0; i < plans_.size(); ++i) {
    const Plan& p = plans_[i];
    add(p.day, i, Step::kDivert);
    add(p.day + 1, i, Step::kContact);
    switch (p.outcome) {
      case Outcome::kSettled:
        add(p.end_day, i, Step::kSettle);
        if (p.pay_day >= 0) add(p.pay_day, i, Step::kPay);
        if (p.apply_day >= 0) {
          add(p.apply_day, i, Step::kApply);
          add(p.accept_day, i, Step::kAccept);
          add(p.rule_day, i, Step::kRule);
        }
        break;
      case Outcome::kClosed:
        add(p.end_day, i, Step::kClose);
        break;
      case Outcome::kWithdrawn:
        add(p.end_day, i, Step::kWithdraw);
        break;
      case Outcome::kFailedAtContact:
      case Outcome::kExpired:
        break;
    }
  }
  std::vector<std::vector<size_t>> intakes_by_day(kDays);
  for (size_t i = 0; i < intakes_.size(); ++i) intakes_by_day[intakes_[i].day].push_back(i);

  auto simulation = odr::v1::SimulationService::NewStub(channel_);
  const auto started = std::chrono::steady_clock::now();
  for (int day = 0; day < kDays; ++day) {
    if (day > 0) {
      odr::v1::AdvanceClockRequest req;
      *req.mutable_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(NineAm(day)));
      odr::v1::AdvanceClockResponse resp;
      if (!Ok(simulation->AdvanceClock(As("zj-platform").get(), req, &resp), "AdvanceClock",
              static_cast<size_t>(-1))) {
        return false;
      }
    }
    std::vector<std::pair<size_t, std::vector<Step>>> work(steps[day].begin(), steps[day].end());
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < o_.callers; ++t) {
      threads.emplace_back([&] {
        for (size_t w = next++; w < work.size() + intakes_by_day[day].size(); w = next++) {
          if (w >= work.size()) {
            const size_t n = intakes_by_day[day][w - work.size()];
            odr::v1::RecordIntakeRequest req;
            req.set_parent(absl::StrCat("courts/", kCourt));
            odr::v1::Intake* in = req.mutable_intake();
            in->set_intake_reference(absl::StrFormat("(%d)浙0681诉登%d号", kYear, n + 1));
            in->set_presented_date(DateOf(day));
            in->set_dispute_type(kTypes[intakes_[n].type].type);
            in->set_region_code(kRegion);
            in->set_disposition(intakes_[n].disposition);
            odr::v1::Intake out;
            Ok(courts_->RecordIntake(As("zj-court-clerk").get(), req, &out), "RecordIntake", n);
            calls_ += 1;
            continue;
          }
          for (Step s : work[w].second) RunStep(work[w].first, s, day);
        }
      });
    }
    for (auto& t : threads) t.join();
    if (day % 30 == 29 || day == kDays - 1) {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::cerr << "seed-zhuji: " << DateOf(day) << " done, " << calls_.load() << " calls in "
                << static_cast<int>(secs) << " s (" << static_cast<int>(calls_.load() / secs)
                << "/s), " << errors_ << " errors\n";
    }
    if (errors_ > 0) return false;
  }
  return true;
}

bool Seeder::Verify() {
  auto stats = odr::v1::StatsService::NewStub(channel_);
  odr::v1::GetStatisticsRequest req;
  req.set_start_date(DateOf(0));
  req.set_end_date(DateOf(kDays - 1));
  odr::v1::Statistics s;
  if (!Ok(stats->GetStatistics(As("zj-platform").get(), req, &s), "GetStatistics",
          static_cast<size_t>(-1))) {
    return false;
  }
  const auto& t = s.totals();
  std::cerr << absl::StrFormat(
      "seed-zhuji: %s to %s: presented %d, diverted %d, mediated successfully %d, judicial "
      "confirmations %d\n",
      req.start_date(), req.end_date(), t.presented(), t.diverted(), t.mediated_successfully(),
      t.confirmations_confirmed());
  return t.presented() == kPresented && t.diverted() == kDiverted &&
         t.mediated_successfully() == kSettled && t.confirmations_confirmed() == kConfirmed;
}

int Seeder::Run() {
  if (fs::exists(fs::path(o_.data_dir) / "odr.db")) {
    std::cerr << "seed-zhuji: " << o_.data_dir << " already has a database; use a fresh one\n";
    return 2;
  }
  fs::create_directories(o_.data_dir);
  const auto t0 = std::chrono::steady_clock::now();
  MakePlan();
  if (int rc = CreateAccounts(); rc != 0) return rc;
  if (!Connect() || !CreateRoster()) return 1;
  std::cerr << "seed-zhuji: " << kOrganizations << " organizations, " << kMediators
            << " mediators, " << citizens_ << " citizens' accounts; simulating " << DateOf(0)
            << " to " << DateOf(kDays - 1) << "\n";
  if (!Simulate()) return 1;
  const bool ok = Verify();
  const int rc = odrd_->Stop();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cerr << "seed-zhuji: done in " << static_cast<int>(secs) << " s; odrd exited " << rc << "\n";
  if (!ok) std::cerr << "seed-zhuji: the figures do not match the Zhuji report\n";
  return ok && rc == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Seed a data dir with the Zhuji platform's first ten months, through odrd's API"};
  app.add_option("--odrd", o.odrd, "the odrd binary")->required();
  app.add_option("--data-dir", o.data_dir, "a fresh data dir")->required();
  app.add_option("--callers", o.callers, "concurrent callers")->capture_default_str();
  app.add_option("--seed", o.seed, "random seed of the plan")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);
  return Seeder(o).Run();
}

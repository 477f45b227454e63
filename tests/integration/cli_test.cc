// Drives the real `odr` binary (ODR_CLI_PATH) against the real odrd (ODRD_PATH), started on port 0
// in a temp data dir with the development accounts of `odrd admin bootstrap-dev` for each test:
// output formats, exit codes, error reports and the login profile as a script sees them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/temp_dir.h"

namespace odr {
namespace {

using ::nlohmann::json;
using ::testing::AllOf;
using testing::CommandResult;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

const std::string& kApplicant = testing::kCliApplicant;
const std::string& kHospital = testing::kCliHospital;
const std::string& kHospitalLawyer = testing::kCliHospitalLawyer;
const std::string kCompany =
    "kind=legal;name=某某科技有限公司;id-type=uscc;id=91330681MA2BXXXXXP;phone=13700000000;"
    "address=hr@example.com";

std::string Describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

// The arguments of `case create` for a valid medical case. Flags in `extra` that take one value
// (--type, --summary, --claims, --amount, --region, --organization) replace the default; the
// others are added.
std::vector<std::string> CreateArgs(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"case",           "create",
                                   "--organization", "organizations/dev-org",
                                   "--type",         "medical",
                                   "--applicant",    kApplicant,
                                   "--respondent",   kHospital,
                                   "--agent",        kHospitalLawyer,
                                   "--summary",      "术后感染，申请人认为医院存在过错。",
                                   "--claims",       "赔偿医疗费及误工费共计两万元。",
                                   "--amount",       "20000",
                                   "--region",       "330681"};
  for (size_t i = 0; i < extra.size(); ++i) {
    const bool single = extra[i] == "--type" || extra[i] == "--summary" || extra[i] == "--claims" ||
                        extra[i] == "--amount" || extra[i] == "--region" ||
                        extra[i] == "--organization";
    auto it = std::find(args.begin(), args.end(), extra[i]);
    if (single && it != args.end() && i + 1 < extra.size()) {
      *(it + 1) = extra[++i];
    } else {
      args.push_back(extra[i]);
    }
  }
  return args;
}

// A labour case against a company.
std::vector<std::string> LabourArgs() {
  return {"case",        "create",   "--organization", "dev-org", "--type",    "labour",
          "--applicant", kApplicant, "--respondent",   kCompany,  "--summary", "拖欠工资",
          "--claims",    "支付工资", "--amount",       "8000.5",  "--region",  "330602"};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// What `odrd admin bootstrap-dev` puts on organizations/dev-org's roster: a mediator of medical,
// labour, neighbour and debt disputes in Zhuji (330681) speaking zh and zh-wuu, taking up to 20
// cases, whose account is principals/dev-mediator.
constexpr char kDevMediator[] = "organizations/dev-org/mediators/dev-mediator";

// The message of exit code 4.
constexpr char kNotLoggedIn[] =
    "not logged in, or the token expired: run 'odr auth login --principal principals/... "
    "--api-key-file ...'";

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // odr must not read or write the real user's profile: HOME points into the temp dir, and
    // every run gets XDG_CONFIG_HOME (see OdrRaw).
    if (const char* home = std::getenv("HOME")) saved_home_ = home;
    setenv("HOME", dir_.file("home").c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");
    CommandResult r = testing::RunCommand({ODRD_PATH, "admin", "bootstrap-dev", "--weak-key-hashes",
                                           "--data-dir", dir_.file("data")});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    StartServer();
    ASSERT_EQ(Login("dev-admin").exit_code, 0);
  }

  void TearDown() override {
    if (saved_home_) {
      setenv("HOME", saved_home_->c_str(), 1);
    } else {
      unsetenv("HOME");
    }
  }

  void StartServer(std::vector<std::string> extra_args = {}) {
    server_.reset();
    server_ = std::make_unique<testing::OdrdProcess>(dir_.file("data"), std::move(extra_args));
  }

  // Runs `odrd admin args... --data-dir <data>`.
  CommandResult Admin(std::vector<std::string> args) {
    args.insert(args.begin(), {ODRD_PATH, "admin", "--data-dir", dir_.file("data")});
    return testing::RunCommand(args);
  }

  // The API key file that bootstrap-dev wrote for principals/`id`.
  std::string KeyFile(const std::string& id) const {
    return dir_.file("data") + "/dev-keys/" + id + ".key";
  }
  std::string ConfigHome() const { return dir_.file("config"); }
  std::string ConfigFile() const { return ConfigHome() + "/odr/config.json"; }

  // `odr --profile <profile> auth login --principal principals/<id> --api-key-file <its key>`.
  CommandResult Login(const std::string& id, const std::string& profile = "default") {
    CommandResult r = Odr({"--profile", profile, "auth", "login", "--principal", "principals/" + id,
                           "--api-key-file", KeyFile(id)});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return r;
  }

  // The token that profile `profile` holds (read from the file: odr never prints it).
  std::string TokenOf(const std::string& profile = "default") const {
    json config = json::parse(ReadFile(ConfigFile()), nullptr, false);
    if (config.is_discarded()) return "";
    return config["profiles"][profile].value("token", "");
  }

  // Runs `odr --server <odrd> args...`.
  CommandResult Odr(const std::vector<std::string>& args, const std::string& stdin_data = "",
                    const std::vector<std::string>& env = {}) {
    std::vector<std::string> argv = {"--server", server_->address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return OdrRaw(argv, env, stdin_data);
  }

  // Runs `odr args...` with no --server added. Variables in `env` come first, so that they win
  // over the XDG_CONFIG_HOME that every run gets.
  CommandResult OdrRaw(const std::vector<std::string>& args, std::vector<std::string> env = {},
                       const std::string& stdin_data = "") {
    std::vector<std::string> argv = {ODR_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    env.push_back("XDG_CONFIG_HOME=" + ConfigHome());
    return testing::RunCommand(argv, stdin_data, env);
  }

  // Runs `odr --server <odrd> -o json args...`, expects exit 0 and returns the parsed stdout
  // (null, after a test failure, if it is not JSON).
  json Json(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    std::vector<std::string> argv = {"-o", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult r = Odr(argv, stdin_data);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_THAT(r.err, IsEmpty());
    json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON:\n" << r.out;
    return j.is_discarded() ? json() : j;
  }

  json Create(std::vector<std::string> extra = {}) { return Json(CreateArgs(std::move(extra))); }

  // Every case, through `case list --all`.
  json AllCases() {
    json j = Json({"case", "list", "--all"});
    return j.value("cases", json::array());
  }

  // `mediator create dev-org <id>` for a medical mediator in Zhuji speaking zh and zh-wuu, as
  // principals/<principal>. Flags in `extra` that take one value (and --specialty, --language)
  // replace the default; the others are added.
  std::vector<std::string> MediatorArgs(const std::string& id, const std::string& principal,
                                        const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {
        "mediator",     "create",         "dev-org",     id,           "--name",      "王调解员",
        "--specialty",  "medical",        "--language",  "zh,zh-wuu",  "--region",    "330681",
        "--employment", "full-time",      "--max-cases", "5",          "--principal", principal,
        "--id-number",  testing::kIdWang, "--phone",     "13600000006"};
    for (size_t i = 0; i < extra.size(); ++i) {
      const bool single =
          extra[i] == "--name" || extra[i] == "--region" || extra[i] == "--employment" ||
          extra[i] == "--max-cases" || extra[i] == "--principal" || extra[i] == "--id-number" ||
          extra[i] == "--phone" || extra[i] == "--language" || extra[i] == "--specialty";
      auto it = std::find(args.begin(), args.end(), extra[i]);
      if (single && it != args.end() && i + 1 < extra.size()) {
        *(it + 1) = extra[++i];
      } else {
        args.push_back(extra[i]);
      }
    }
    return args;
  }

  // A mediator account of dev-org, principals/<id>, logged in as profile <id>.
  void AddMediatorAccount(const std::string& id) {
    CommandResult r = Admin({"create-principal", "--id", id, "--role", "mediator", "--organization",
                             "organizations/dev-org"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    r = Odr({"--profile", id, "auth", "login", "--principal", id, "--api-key-stdin"}, r.out);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  // A second mediator on dev-org's roster, `<id>` with the account principals/mediator-<id>
  // (logged in as profile mediator-<id>); `extra` as for MediatorArgs. Returns its name.
  std::string AddMediator(const std::string& id, const std::vector<std::string>& extra = {}) {
    AddMediatorAccount("mediator-" + id);
    return Json(MediatorArgs(id, "principals/mediator-" + id, extra)).value("name", "");
  }

  // A medical case in ACCEPTED, its parties speaking `language`.
  std::string AcceptedCase(const std::string& language = "zh-wuu") {
    const std::string name = Create({"--language", language})["name"];
    EXPECT_EQ(Odr({"case", "submit", name}).exit_code, 0);
    EXPECT_EQ(Odr({"case", "accept", name}).exit_code, 0);
    return name;
  }

  testing::TempDir dir_;
  std::optional<std::string> saved_home_;
  std::unique_ptr<testing::OdrdProcess> server_;
};

TEST_F(CliTest, CreatePrintsTheCaseAsProtobufJson) {
  std::vector<std::string> args = {"-o", "json"};
  for (const std::string& a : CreateArgs()) args.push_back(a);
  CommandResult r = Odr(args);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.err, IsEmpty());
  const json c = json::parse(r.out);

  EXPECT_THAT(c["name"].get<std::string>(), MatchesRegex("cases/[a-z0-9-]+"));
  EXPECT_THAT(c["caseNumber"].get<std::string>(), MatchesRegex("ODR-20[0-9][0-9]-000001"));
  EXPECT_EQ(c["state"], "STATE_DRAFT");
  EXPECT_EQ(c["disputeType"], "DISPUTE_TYPE_MEDICAL");
  EXPECT_EQ(c["amountFen"], "2000000");  // int64 is a JSON string.
  EXPECT_EQ(c["regionCode"], "330681");
  EXPECT_EQ(c["summary"], "术后感染，申请人认为医院存在过错。");
  EXPECT_EQ(c["claims"], "赔偿医疗费及误工费共计两万元。");
  EXPECT_TRUE(c["source"].contains("citizenApplication")) << c.dump();
  EXPECT_FALSE(c["etag"].get<std::string>().empty());
  EXPECT_TRUE(c.contains("createTime"));

  ASSERT_EQ(c["applicants"].size(), 1u);
  const json& a = c["applicants"][0];
  EXPECT_EQ(a["kind"], "PARTY_KIND_NATURAL_PERSON");
  EXPECT_EQ(a["name"], "张三");
  EXPECT_EQ(a["idDocumentType"], "ID_DOCUMENT_TYPE_RESIDENT_ID_CARD");
  EXPECT_EQ(a["idNumber"], testing::kIdZhang);
  EXPECT_EQ(a["phone"], "13800138000");
  EXPECT_EQ(a["serviceAddress"], "zhangsan@example.com");
  EXPECT_FALSE(a.contains("agents"));

  ASSERT_EQ(c["respondents"].size(), 1u);
  const json& h = c["respondents"][0];
  EXPECT_EQ(h["kind"], "PARTY_KIND_LEGAL_PERSON");
  EXPECT_EQ(h["name"], "诸暨市人民医院");
  EXPECT_EQ(h["idDocumentType"], "ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE");
  EXPECT_EQ(h["idNumber"], testing::kUsccHospital);
  EXPECT_EQ(h["serviceAddress"], "浙江省诸暨市暨阳街道");
  ASSERT_EQ(h["agents"].size(), 1u);
  EXPECT_EQ(h["agents"][0]["name"], "李律师");
  EXPECT_EQ(h["agents"][0]["idNumber"], testing::kIdLi);
  EXPECT_EQ(h["agents"][0]["idDocumentType"], "ID_DOCUMENT_TYPE_RESIDENT_ID_CARD");

  // Numbers are sequential.
  EXPECT_THAT(Create()["caseNumber"].get<std::string>(), MatchesRegex("ODR-20[0-9][0-9]-000002"));
}

TEST_F(CliTest, JsonIsTheDefaultWhenStdoutIsNotATerminal) {
  CommandResult r = Odr(CreateArgs());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(json::parse(r.out)["state"], "STATE_DRAFT");
}

TEST_F(CliTest, DecimalAmountsAndCourtDiversion) {
  // Only the diverting court files a diversion.
  Login("dev-court", "court");
  const json c = Create({"--profile", "court", "--amount", "12.5", "--court", "courts/dev-court",
                         "--court-name", "诸暨市人民法院", "--intake-ref", "(2026)浙0681诉前调1号",
                         "--diversion-date", "2026-01-05"});
  EXPECT_EQ(c["amountFen"], "1250");
  EXPECT_EQ(c["organization"], "organizations/dev-org");
  const json& d = c["source"]["courtDiversion"];
  EXPECT_EQ(d["court"], "courts/dev-court");
  EXPECT_EQ(d["courtDisplayName"], "诸暨市人民法院");
  EXPECT_EQ(d["intakeReference"], "(2026)浙0681诉前调1号");
  EXPECT_EQ(d["diversionDate"], "2026-01-05");
  EXPECT_FALSE(c["source"].contains("citizenApplication"));

  // A bare court id works too; the organization admin sees the court but not its intake ref.
  const json bare = Create({"--profile", "court", "--court", "dev-court", "--intake-ref", "R-2",
                            "--diversion-date", "2026-01-06"});
  EXPECT_EQ(bare["source"]["courtDiversion"]["court"], "courts/dev-court");
  CommandResult r = Odr({"-o", "table", "case", "get", c["name"].get<std::string>()});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out,
              AllOf(HasSubstr("courts/dev-court (诸暨市人民法院)"), HasSubstr("court diversion"),
                    HasSubstr("2026-01-05"), Not(HasSubstr("浙0681诉前调1号"))));
  // The route follows the procedure (issue 18 item 1; docs/procedure.md).
  EXPECT_EQ(c["route"], "ROUTE_PRE_FILING_DIVERSION");
  EXPECT_THAT(r.out, HasSubstr("PRE_FILING_DIVERSION"));
  // Only a post-filing suit is the court's to conclude (OMR Art. 20); a bad kind is a usage error.
  const std::string case_name = c["name"].get<std::string>();
  r = Odr({"--profile", "court", "court", "conclude", case_name, "--conclusion", "statement",
           "--document", "(2026)浙0681民初1号"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("OMR Art. 20"));
  r = Odr({"--profile", "court", "court", "conclude", case_name, "--conclusion", "trial",
           "--document", "(2026)浙0681民初1号"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  // Closed without settlement: referred back for filing, with why and the cost conduct (OMR Art.
  // 21).
  r = Odr({"--profile", "court", "case", "submit", case_name});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  r = Odr({"case", "close", case_name, "--reason", "调解不成", "--cost-conduct", "无故缺席两次"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const json closed = json::parse(r.out);
  EXPECT_EQ(closed["ending"]["kind"], "KIND_REFERRED_FOR_FILING");
  EXPECT_EQ(closed["ending"]["reason"], "调解不成");
  EXPECT_EQ(closed["ending"]["costConduct"], "无故缺席两次");
  r = Odr({"-o", "table", "case", "get", case_name});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("REFERRED_FOR_FILING"), HasSubstr("无故缺席两次")));

  // An organization admin may not file a diversion.
  r = Odr(CreateArgs(
      {"--court", "dev-court", "--intake-ref", "R-3", "--diversion-date", "2026-01-06"}));
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("court"));
}

TEST_F(CliTest, GetByBareIdAndByName) {
  const json created = Create();
  const std::string name = created["name"];
  const std::string id = name.substr(std::string("cases/").size());
  EXPECT_EQ(Json({"case", "get", id}), created);
  EXPECT_EQ(Json({"case", "get", name}), created);
}

TEST_F(CliTest, ListFilterPageSizeAndAll) {
  const std::string m1 = Create()["name"];
  const std::string m2 = Create()["name"];
  const std::string labour = Json(LabourArgs())["name"];

  json filtered = Json({"case", "list", "--filter", "dispute_type = LABOUR"});
  ASSERT_EQ(filtered["cases"].size(), 1u) << filtered.dump(2);
  EXPECT_EQ(filtered["cases"][0]["name"], labour);
  EXPECT_EQ(filtered["cases"][0]["amountFen"], "800050");
  EXPECT_FALSE(filtered.contains("nextPageToken"));

  json medical = Json({"case", "list", "--filter", "dispute_type = MEDICAL AND state = DRAFT"});
  ASSERT_EQ(medical["cases"].size(), 2u);

  json none = Json({"case", "list", "--filter", "state = CLOSED"});
  EXPECT_FALSE(none.contains("cases")) << none.dump();

  // Newest first, one per page.
  json page1 = Json({"case", "list", "--page-size", "1"});
  ASSERT_EQ(page1["cases"].size(), 1u);
  EXPECT_EQ(page1["cases"][0]["name"], labour);
  ASSERT_TRUE(page1.contains("nextPageToken"));
  json page2 = Json({"case", "list", "--page-size", "1", "--page-token",
                     page1["nextPageToken"].get<std::string>()});
  ASSERT_EQ(page2["cases"].size(), 1u);
  EXPECT_EQ(page2["cases"][0]["name"], m2);

  json all = Json({"case", "list", "--page-size", "1", "--all"});
  ASSERT_EQ(all["cases"].size(), 3u);
  EXPECT_EQ(all["cases"][0]["name"], labour);
  EXPECT_EQ(all["cases"][1]["name"], m2);
  EXPECT_EQ(all["cases"][2]["name"], m1);
  EXPECT_FALSE(all.contains("nextPageToken"));

  json oldest_first = Json({"case", "list", "--order-by", "case_number", "--all"});
  ASSERT_EQ(oldest_first["cases"].size(), 3u);
  EXPECT_EQ(oldest_first["cases"][0]["name"], m1);
}

TEST_F(CliTest, BadListFilterIsRefusedByOdrd) {
  CommandResult r = Odr({"-o", "json", "case", "list", "--filter", "colour = RED"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr("filter")));
  EXPECT_THAT(r.out, IsEmpty());
}

TEST_F(CliTest, SubmitAcceptCloseAndEvents) {
  const json created = Create();
  const std::string name = created["name"];
  const std::string id = name.substr(6);

  json submitted = Json({"case", "submit", id});
  EXPECT_EQ(submitted["state"], "STATE_SUBMITTED");
  EXPECT_NE(submitted["etag"], created["etag"]);
  // Etags work on transitions too.
  json accepted = Json({"case", "accept", name, "--etag", submitted["etag"].get<std::string>()});
  EXPECT_EQ(accepted["state"], "STATE_ACCEPTED");
  json closed = Json({"case", "close", id, "--reason", "被申请人拒绝调解 (OMR Art. 25)"});
  EXPECT_EQ(closed["state"], "STATE_CLOSED");

  json events = Json({"case", "events", id});
  // With the organization's acceptance deadline (OMR Art. 12) after the submission and the
  // mediation period (OMR Art. 24), the joint choice and the designation (OMR Art. 10) after the
  // acceptance.
  ASSERT_EQ(events["events"].size(), 8u) << events.dump(2);
  const json& e = events["events"];
  EXPECT_FALSE(e[0].contains("fromState"));  // STATE_UNSPECIFIED is the default: omitted.
  EXPECT_EQ(e[0]["toState"], "STATE_DRAFT");
  EXPECT_EQ(e[1]["fromState"], "STATE_DRAFT");
  EXPECT_EQ(e[1]["toState"], "STATE_SUBMITTED");
  // The actor is the authenticated principal.
  EXPECT_THAT(e[1]["actor"].get<std::string>(), HasSubstr("dev-admin"));
  EXPECT_EQ(e[2]["kind"], "KIND_DEADLINE_STARTED");
  EXPECT_EQ(e[3]["fromState"], "STATE_SUBMITTED");
  EXPECT_EQ(e[3]["toState"], "STATE_ACCEPTED");
  EXPECT_EQ(e[4]["kind"], "KIND_DEADLINE_STARTED");
  EXPECT_EQ(e[5]["kind"], "KIND_DEADLINE_STARTED");
  EXPECT_EQ(e[6]["kind"], "KIND_DEADLINE_STARTED");
  EXPECT_EQ(e[7]["fromState"], "STATE_ACCEPTED");
  EXPECT_EQ(e[7]["toState"], "STATE_CLOSED");
  EXPECT_EQ(e[7]["reason"], "被申请人拒绝调解 (OMR Art. 25)");
  EXPECT_THAT(e[7]["actor"].get<std::string>(), HasSubstr("dev-admin"));
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(e[i]["name"], name + "/events/" + std::to_string(i + 1));
  }
  EXPECT_FALSE(events.contains("nextPageToken"));

  json paged = Json({"case", "events", name, "--page-size", "3", "--all"});
  EXPECT_EQ(paged, events);
  json first3 = Json({"case", "events", name, "--page-size", "3"});
  EXPECT_EQ(first3["events"].size(), 3u);
  EXPECT_TRUE(first3.contains("nextPageToken"));

  // A closed case cannot be withdrawn.
  CommandResult r = Odr({"case", "withdraw", id});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("current state: CLOSED"));
}

TEST_F(CliTest, CloseRequiresReason) {
  const std::string id = Create()["name"];
  CommandResult r = Odr({"case", "close", id});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("--reason"));
}

TEST_F(CliTest, WithdrawAnotherCase) {
  const std::string keep = Create()["name"];
  const std::string gone = Create()["name"];
  json w = Json({"case", "withdraw", gone, "--reason", "双方已自行和解"});
  EXPECT_EQ(w["state"], "STATE_WITHDRAWN");
  EXPECT_EQ(Json({"case", "get", keep})["state"], "STATE_DRAFT");
  json events = Json({"case", "events", gone});
  ASSERT_EQ(events["events"].size(), 2u);
  EXPECT_EQ(events["events"][1]["toState"], "STATE_WITHDRAWN");
  EXPECT_EQ(events["events"][1]["reason"], "双方已自行和解");
}

// The competent court's facts (CPL Art. 205; CPL Interpretation Arts. 3-4): a party's declared
// domicile, the subject matter's location and whether it is an intermediate-court matter.
TEST_F(CliTest, DomicileSubjectMatterAndIntermediateCourtFlags) {
  const json created = Create();
  const std::string name = created["name"];
  const std::string zhang = std::string("name=张三;id=") + testing::kIdZhang +
                            ";phone=13800138000;address=zhang@example.com";
  json updated = Json({"case", "update", name, "--etag", created["etag"].get<std::string>(),
                       "--applicant", zhang + ";domicile=330681:household:户口簿",
                       "--subject-matter-region", "330682", "--intermediate-court", "yes"});
  EXPECT_EQ(updated["applicants"][0]["domicile"], json({{"regionCode", "330681"},
                                                        {"basis", "BASIS_HOUSEHOLD_REGISTRATION"},
                                                        {"material", "户口簿"}}))
      << updated.dump(2);
  EXPECT_EQ(updated["subjectMatterRegionCode"], "330682");
  EXPECT_EQ(updated["intermediateCourtMatter"], true);
  const std::string etag = updated["etag"];
  // A person's domicile is not a main office: odrd names the field.
  CommandResult r = Odr({"case", "update", name, "--etag", etag, "--applicant",
                         zhang + ";domicile=330681:main-office:执照"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("case.applicants[0].domicile.basis"));
  r = Odr({"case", "update", name, "--etag", etag, "--intermediate-court", "maybe"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
}

TEST_F(CliTest, UpdateWithEtagThenStaleEtagFails) {
  const json created = Create();
  const std::string name = created["name"];
  const std::string etag = created["etag"];

  json updated = Json({"case", "update", name, "--summary", "新的案情摘要", "--etag", etag});
  EXPECT_EQ(updated["summary"], "新的案情摘要");
  EXPECT_NE(updated["etag"], etag);
  EXPECT_EQ(updated["claims"], created["claims"]);  // Untouched.
  EXPECT_EQ(updated["state"], "STATE_DRAFT");

  CommandResult r = Odr({"case", "update", name, "--summary", "又一个摘要", "--etag", etag});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr("etag"), HasSubstr("stale")));
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(Json({"case", "get", name})["summary"], "新的案情摘要");

  // A stale etag on a transition too.
  r = Odr({"case", "submit", name, "--etag", etag});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("stale"));
  EXPECT_EQ(Json({"case", "get", name})["state"], "STATE_DRAFT");
}

TEST_F(CliTest, UpdateRequiresEtagAndAField) {
  const std::string name = Create()["name"];
  CommandResult r = Odr({"case", "update", name, "--summary", "x"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("--etag is required"));
  r = Odr({"case", "update", name, "--etag", "W/\"1\""});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("nothing to update"));
  // An update replaces whole party lists, so an agent needs its list in the same command.
  const std::string agent = std::string("of=applicant:1;name=王律师;id=") + testing::kIdWang +
                            ";phone=13900000000;address=wang@lawfirm.cn";
  r = Odr({"case", "update", name, "--etag", "W/\"1\"", "--agent", agent});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("give the applicants too"));
  EXPECT_EQ(Json({"case", "get", name})["etag"], "W/\"1\"");

  json updated = Json(
      {"case", "update", name, "--etag", "W/\"1\"", "--applicant", kApplicant, "--agent", agent});
  ASSERT_EQ(updated["applicants"].size(), 1u);
  ASSERT_EQ(updated["applicants"][0]["agents"].size(), 1u);
  EXPECT_EQ(updated["applicants"][0]["agents"][0]["name"], "王律师");
  EXPECT_EQ(updated["respondents"][0]["agents"][0]["name"], "李律师");  // Untouched.

  // A malformed etag is odrd's to refuse.
  r = Odr({"case", "update", name, "--etag", "xyz", "--summary", "x"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("case.etag"));
}

TEST_F(CliTest, UpdateFromEditedGetOutput) {
  const json created = Create();
  const std::string name = created["name"];
  json edited = Json({"case", "get", name});
  edited["summary"] = "从文件修改的摘要";
  edited["amountFen"] = "150";
  json updated = Json({"case", "update", name, "--file", "-"}, edited.dump());
  EXPECT_EQ(updated["summary"], "从文件修改的摘要");
  EXPECT_EQ(updated["amountFen"], "150");
  EXPECT_EQ(updated["applicants"], created["applicants"]);
  EXPECT_EQ(updated["respondents"], created["respondents"]);
}

TEST_F(CliTest, ServerFromEnvironment) {
  const std::string env = "ODR_SERVER=" + server_->address();
  CommandResult r = OdrRaw(CreateArgs(), {env, "ODR_OUTPUT=json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string name = json::parse(r.out)["name"];

  r = OdrRaw({"-o", "json", "case", "get", name}, {env});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(json::parse(r.out)["name"], name);

  // ODR_PROFILE picks the profile, and so the principal.
  Login("dev-mediator", "mediator");
  r = OdrRaw({"-o", "json", "auth", "whoami"}, {env, "ODR_PROFILE=mediator", "ODR_TIMEOUT=5"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(json::parse(r.out)["name"], "principals/dev-mediator");
  // The profile remembers the server: no ODR_SERVER needed.
  r = OdrRaw({"-o", "json", "case", "get", name});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(json::parse(r.out)["name"], name);

  // The environment is checked like the flags.
  r = OdrRaw({"case", "list"}, {env, "ODR_TIMEOUT=0"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  r = OdrRaw({"case", "list"}, {env, "ODR_OUTPUT=xml"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);

  // The flag wins over the environment.
  r = OdrRaw({"--server", server_->address(), "-o", "json", "case", "get", name},
             {"ODR_SERVER=127.0.0.1:1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
}

TEST_F(CliTest, TableOutput) {
  const json c = Create();
  const std::string name = c["name"];
  const std::string number = c["caseNumber"];

  CommandResult r = Odr({"-o", "table", "case", "get", name});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(
      r.out,
      AllOf(HasSubstr(name), HasSubstr(number), HasSubstr("DRAFT"), Not(HasSubstr("STATE_DRAFT")),
            HasSubstr("MEDICAL"), Not(HasSubstr("DISPUTE_TYPE_")), HasSubstr("张三"),
            HasSubstr("诸暨市人民医院 (agent: 李律师 (special authority))"), HasSubstr("20000.00"),
            HasSubstr("术后感染"), HasSubstr("citizen application"), HasSubstr("Organization:"),
            HasSubstr("organizations/dev-org"), HasSubstr("Mediators:")));
  EXPECT_THAT(r.out, Not(HasSubstr("{")));

  r = Odr({"-o", "table", "case", "list"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out,
              AllOf(HasSubstr("NUMBER"), HasSubstr("STATE"), HasSubstr(number), HasSubstr("DRAFT"),
                    Not(HasSubstr("STATE_DRAFT")), HasSubstr("20000.00")));

  ASSERT_EQ(Odr({"case", "submit", name}).exit_code, 0);
  r = Odr({"-o", "table", "case", "events", name});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("SEQ"), HasSubstr("DRAFT"), HasSubstr("SUBMITTED"),
                           Not(HasSubstr("STATE_"))));

  r = Odr({"-o", "table", "case", "list", "--filter", "state = CLOSED"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("No cases found."));
}

// Issue 17 item 8: what a party wrote cannot act on the terminal of whoever reads it. A CR (which
// odrd takes in multi-line text) would return to the start of the line and let the rest overwrite
// what the mediator sees; ESC starts a terminal command; U+202E reverses what follows. Tables
// show them escaped; JSON carries them as they are.
TEST_F(CliTest, TableOutputEscapesControlAndBidiCharacters) {
  const std::string summary = "申请人要求赔偿两万元\r被申请人同意全额赔偿";
  const json c = Create({"--summary", summary, "--claims", "赔偿医疗费\r\n第二行\t完"});
  const std::string name = c["name"];
  ASSERT_EQ(c["summary"], summary);
  // odrd refuses ESC and bidirectional characters in any text, so they are put in the database
  // directly, as a record from before that rule (or from another tool) would hold them.
  const std::string id = name.substr(name.rfind('/') + 1);
  CommandResult q = testing::RunCommand(
      {"/usr/bin/sqlite3", "-cmd", ".timeout 10000", dir_.file("data") + "/odr.db",
       "UPDATE cases SET claims = claims || char(27) || '[2J' || char(8238) || '元万两' || "
       "char(155) WHERE id = '" +
           id + "'; SELECT changes();"});
  ASSERT_EQ(q.exit_code, 0) << Describe(q);
  ASSERT_EQ(q.out, "1\n") << Describe(q);

  CommandResult r = Odr({"-o", "table", "case", "get", name});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("申请人要求赔偿两万元\\r被申请人同意全额赔偿\n"),
                           HasSubstr("赔偿医疗费\n"),
                           HasSubstr("第二行\\t完\\x1b[2J\\u202e元万两\\u009b\n")));
  for (const std::string raw : {"\r", "\x1b", "\t", "\u202e", "\u009b"}) {
    EXPECT_EQ(r.out.find(raw), std::string::npos) << "a raw control in:\n" << r.out;
  }

  // JSON is unaffected: the values as odrd holds them.
  const json got = Json({"case", "get", name});
  EXPECT_EQ(got["summary"], summary);
  EXPECT_EQ(got["claims"], "赔偿医疗费\r\n第二行\t完\x1b[2J\u202e元万两\u009b");
}

TEST_F(CliTest, NameOutputForScripts) {
  std::vector<std::string> create = {"-o", "name"};
  for (const std::string& a : CreateArgs()) create.push_back(a);
  CommandResult r = Odr(create);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, MatchesRegex("cases/[a-z0-9-]+\n"));
  const std::string first = r.out.substr(0, r.out.size() - 1);

  r = Odr(create);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string second = r.out.substr(0, r.out.size() - 1);

  // The printed name feeds the next command.
  r = Odr({"-o", "name", "case", "submit", first});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, first + "\n");

  r = Odr({"-o", "name", "case", "list", "--all", "--page-size", "1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, second + "\n" + first + "\n");

  r = Odr({"-o", "name", "case", "events", first});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  // Created, submitted, and the organization's acceptance deadline started (OMR Art. 12).
  EXPECT_EQ(r.out, first + "/events/1\n" + first + "/events/2\n" + first + "/events/3\n");

  // Without --all a truncated list says so on stderr; stdout stays names only.
  r = Odr({"-o", "name", "case", "list", "--page-size", "1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, second + "\n");
  EXPECT_THAT(r.err, HasSubstr("--page-token"));

  r = Odr({"-o", "name", "case", "list", "--filter", "state = CLOSED"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, IsEmpty());

  // Errors are reported as with the other formats.
  r = Odr({"-o", "name", "case", "get", "nope"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_THAT(r.out, IsEmpty());
}

TEST_F(CliTest, BadFlagIsUsageError) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"case", "create", "--frobnicate"},
           {"--bogus", "case", "list"},
           {"case", "frob"},
           {"case"},
           {},
           {"-o", "yaml", "case", "list"},
           {"--timeout", "0", "case", "list"},
           {"case", "list", "--page-size", "-1"},
           {"case", "get"},
           // Gone: odrd takes the caller from the token.
           {"--actor", "张三", "case", "list"},
           {"--profile", "a b", "case", "list"},
           {"--tls-cert", "c.pem", "case", "list"},
           {"--tls-ca", "/nonexistent/ca.pem", "case", "list"},
           {"auth", "login", "--principal", "dev-admin"},
           {"auth", "login", "--api-key-file", "k"},
           {"auth", "login", "--principal", "dev-admin", "--api-key-file", "/nonexistent/k.key"},
           {"case", "assign", "x"},
           {"case", "assign", "x", "--mediator", "principals/dev-mediator"},
           {"case", "assign", "x", "--mediator", "wang"},
           {"case", "recommend", "x", "--max", "-1"},
           {"case", "recommend", "x", "--pool", "medical"},
           {"case", "auto-assign", "x", "--pool", "a/b/c"},
           {"case", "choose", "x"},
           {"case", "accept-assignment", "x"},
           {"case", "decline", "x"},
           {"case", "recuse", "x", "--reason", "r"},
           {"case", "recuse", "x", "--mediator", "dev-org/wang"},
           {"org"},
           {"org", "create", "x", "--name", "n", "--kind", "court", "--region", "330681"},
           {"org", "create", "x", "--name", "n", "--region", "330681"},
           {"org", "list", "--page-size", "-1"},
           {"mediator", "get", "wang"},
           {"mediator", "list", "--specialty", "divorce"},
           {"mediator", "update", "dev-org/wang", "--max-cases", "3"},
           {"mediator", "update", "dev-org/wang", "--etag", "W/\"1\""},
           {"mediator", "update", "dev-org/wang", "--etag", "W/\"1\"", "--fee", "1.234"},
           {"mediator", "suspend", "dev-org/wang"},
           {"mediator", "reactivate", "principals/dev-mediator"},
           {"pool", "create", "dev-org", "p", "--name", "n"},
           {"pool", "create", "dev-org", "p", "--name", "n", "--mediator", "wang", "--dispute-type",
            "divorce"},
           {"pool", "get", "medical"},
           {"pool", "list"},
           {"audit", "list", "--page-size", "-1"}}) {
    CommandResult r = Odr(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << "\n" << Describe(r);
    EXPECT_THAT(r.err, AllOf(HasSubstr("error"), HasSubstr("--help"))) << joined;
    EXPECT_THAT(r.out, IsEmpty()) << joined;
  }
  EXPECT_THAT(AllCases(), IsEmpty());
}

TEST_F(CliTest, MalformedInputSendsNothing) {
  struct Bad {
    std::vector<std::string> extra;
    std::string message;
  };
  const std::vector<Bad> bad = {
      {{"--applicant", "name张三"}, "--applicant #2: item 1 is not key=value"},
      {{"--applicant", "name=张三;email=x@example.com"}, "unknown key 'email'"},
      {{"--respondent", "kind=robot;name=x"}, "--respondent #2"},
      {{"--agent", "name=王律师;phone=13900000000"}, "--agent #2: of=applicant:N"},
      {{"--agent", "of=respondent:2;name=王律师"},
       "--agent #2: of=respondent:2 but the case has 1"},
      {{"--agent", "of=applicant:2;name=王律师"}, "of=applicant:2 but the case has 1 applicant"},
      {{"--agent", "of=applicant:0;name=王律师"}, "counting from 1"},
      {{"--amount", "1.234"}, "more than 2 decimals"},
      {{"--amount", "1,000"}, "--amount"},
      {{"--amount", "-5"}, "--amount must not be negative"},
      {{"--type", "divorce"}, "--type must be one of"},
      {{"--court", "dev-court"}, "--intake-ref"},
      {{"--court-name", "诸暨市人民法院"}, "--court"},
      {{"--file", "/nonexistent/case.json"}, "--file"},
  };
  for (const Bad& b : bad) {
    CommandResult r = Odr(CreateArgs(b.extra));
    EXPECT_EQ(r.exit_code, 2) << b.message << "\n" << Describe(r);
    EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr(b.message)));
    EXPECT_THAT(r.out, IsEmpty());
    // The error does not repeat personal data.
    EXPECT_THAT(r.err, AllOf(Not(HasSubstr("王律师")), Not(HasSubstr(testing::kIdZhang))))
        << b.message;
  }
  // (The specs above are #2: CreateArgs already gives one applicant, respondent and agent.)
  EXPECT_THAT(AllCases(), IsEmpty());
}

TEST_F(CliTest, MalformedJsonFileIsUsageError) {
  CommandResult r = Odr({"case", "create", "--file", "-"}, "{\"summary\": 5, \"nope\": 1}");
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("not a Case in protobuf JSON"));
  EXPECT_THAT(AllCases(), IsEmpty());
}

TEST_F(CliTest, CreateFromFileWithFlagOverride) {
  json source = Create();
  CommandResult r =
      Odr({"-o", "json", "case", "create", "--file", "-", "--summary", "覆盖"}, source.dump());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  json copy = json::parse(r.out);
  EXPECT_NE(copy["name"], source["name"]);  // Output-only fields of the file are ignored.
  EXPECT_THAT(copy["caseNumber"].get<std::string>(), HasSubstr("-000002"));
  EXPECT_EQ(copy["summary"], "覆盖");
  EXPECT_EQ(copy["respondents"], source["respondents"]);
}

TEST_F(CliTest, ServerValidationNamesTheField) {
  CommandResult r =
      Odr({"case", "create", "--organization", "dev-org", "--type", "medical", "--applicant",
           "name=张三;id=110101199003074514;phone=123;address=zhang@example.com", "--respondent",
           kHospital, "--summary", "s", "--claims", "c", "--region", "330681"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr("case.applicants[0].phone")));
  EXPECT_THAT(r.out, IsEmpty());

  // Several violations, one line each.
  r = Odr({"case", "create", "--organization", "dev-org", "--type", "medical", "--applicant",
           "name=张三;id=1;phone=123", "--respondent", kHospital, "--summary", "s", "--claims",
           "c"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(HasSubstr("\n  case.applicants[0].id_number"),
                           HasSubstr("\n  case.applicants[0].phone"),
                           HasSubstr("\n  case.applicants[0].service_address"),
                           HasSubstr("\n  case.region_code")));
  EXPECT_THAT(AllCases(), IsEmpty());
}

TEST_F(CliTest, GetUnknownCaseIsNotFound) {
  for (const char* name : {"cases/nope", "nope"}) {
    CommandResult r = Odr({"case", "get", name});
    EXPECT_EQ(r.exit_code, 3) << Describe(r);
    EXPECT_THAT(r.err, StartsWith("error: "));
    EXPECT_THAT(r.out, IsEmpty());
  }
  EXPECT_EQ(Odr({"case", "submit", "nope"}).exit_code, 3);
  EXPECT_EQ(Odr({"case", "events", "nope"}).exit_code, 3);
  // A malformed name is not "not found" but an invalid argument.
  CommandResult r = Odr({"case", "get", "Not_An_Id"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("name"));
}

TEST_F(CliTest, AcceptingADraftReportsTheCurrentState) {
  const std::string name = Create()["name"];
  CommandResult r = Odr({"case", "accept", name});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr("current state: DRAFT")));
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(Json({"case", "get", name})["state"], "STATE_DRAFT");
}

TEST_F(CliTest, UnreachableServer) {
  const auto start = std::chrono::steady_clock::now();
  CommandResult r = OdrRaw({"--server", "127.0.0.1:1", "--timeout", "2", "case", "list"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr("cannot reach odrd"),
                           HasSubstr("127.0.0.1:1")));
  EXPECT_THAT(r.out, IsEmpty());

  // A mutation whose outcome is unknown tells how to retry it safely.
  std::vector<std::string> create = {"--server", "127.0.0.1:1", "--timeout", "2"};
  for (auto& a : CreateArgs()) create.push_back(a);
  r = OdrRaw(create);
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(HasSubstr("cannot reach odrd"), HasSubstr("--request-id ")));
  // With the caller's own key there is nothing to add.
  create.push_back("--request-id");
  create.push_back("my-key-1");
  r = OdrRaw(create);
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, Not(HasSubstr("--request-id")));

  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(20));
}

TEST_F(CliTest, RequestIdMakesCreateIdempotent) {
  const json first = Create({"--request-id", "same-key"});
  const json second = Create({"--request-id", "same-key"});
  EXPECT_EQ(first["name"], second["name"]);
  EXPECT_EQ(first["caseNumber"], second["caseNumber"]);
  const json all = AllCases();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["name"], first["name"]);

  // The same key with a different request is refused, and creates nothing.
  CommandResult r = Odr(CreateArgs({"--request-id", "same-key", "--amount", "1"}));
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(AllCases().size(), 1u);
  // Without a key, each call creates a case.
  Create();
  Create();
  EXPECT_EQ(AllCases().size(), 3u);
}

TEST_F(CliTest, RequestIdMakesTransitionsIdempotent) {
  const std::string name = Create()["name"];
  json a = Json({"case", "submit", name, "--request-id", "submit-1"});
  json b = Json({"case", "submit", name, "--request-id", "submit-1"});
  EXPECT_EQ(a, b);
  // Created, submitted once, and one organization's acceptance deadline (OMR Art. 12).
  EXPECT_EQ(Json({"case", "events", name})["events"].size(), 3u);
  // Without the key the second submit is a transition from SUBMITTED.
  CommandResult r = Odr({"case", "submit", name});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("current state: SUBMITTED"));
}

TEST_F(CliTest, HelpMentionsExitCodes) {
  CommandResult r = OdrRaw({"--help"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out,
              AllOf(HasSubstr("Exit codes"), HasSubstr("3  not found"), HasSubstr("2  usage error"),
                    HasSubstr("4  not authenticated"), HasSubstr("ODR_SERVER"),
                    HasSubstr("ODR_TOKEN"), HasSubstr("--server"), HasSubstr("--profile"),
                    HasSubstr("--tls-ca"), HasSubstr("case"), HasSubstr("auth"), HasSubstr("audit"),
                    HasSubstr("org"), HasSubstr("mediator"), HasSubstr("pool")));
  EXPECT_THAT(r.err, IsEmpty());

  r = OdrRaw({"case", "create", "--help"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("--applicant"), HasSubstr("of=applicant:N"),
                           HasSubstr("consumer-ecommerce"), HasSubstr("--request-id")));
  // Help sends nothing, so it works without a server.
  r = OdrRaw({"--server", "127.0.0.1:1", "case", "list", "--help"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("--filter"));
}

TEST_F(CliTest, HelpCommandMentionsExitCodes) {
  CommandResult r = OdrRaw({"help"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("Exit codes"), HasSubstr("3  not found")));
}

// `odr help` prints the same top-level help as `odr --help`, not the help of `help`.
TEST_F(CliTest, HelpCommandPrintsTheTopLevelHelp) {
  CommandResult help = OdrRaw({"help"});
  CommandResult flag = OdrRaw({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, AllOf(HasSubstr("Usage: odr [OPTIONS]"), HasSubstr("--server"),
                              HasSubstr("--timeout"), HasSubstr("Mediation cases")));
  EXPECT_EQ(help.out, flag.out);
}

// --- Authentication, authorization and the profile ---

TEST_F(CliTest, LoginThenWhoami) {
  // (SetUp logged in as dev-admin.)
  json who = Json({"auth", "whoami"});
  EXPECT_EQ(who["name"], "principals/dev-admin");
  EXPECT_EQ(who["role"], "ROLE_ORG_ADMIN");
  EXPECT_EQ(who["organization"], "organizations/dev-org");
  EXPECT_FALSE(who.contains("actingThrough"));

  CommandResult r = Odr({"-o", "table", "auth", "whoami"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("principals/dev-admin"), HasSubstr("ORG_ADMIN"),
                           HasSubstr("organizations/dev-org"), HasSubstr("Token expires")));
  r = Odr({"-o", "name", "auth", "whoami"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "principals/dev-admin\n");

  // Login prints who, and when the token expires, but neither the token nor the key.
  const std::string key(absl::StripAsciiWhitespace(ReadFile(KeyFile("dev-court"))));
  r = Odr({"-o", "json", "--profile", "court", "auth", "login", "--principal", "dev-court",
           "--api-key-stdin"},
          key + "\n");
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  json login = json::parse(r.out);
  EXPECT_EQ(login["principal"]["name"], "principals/dev-court");
  EXPECT_EQ(login["principal"]["role"], "ROLE_COURT");
  EXPECT_EQ(login["principal"]["court"], "courts/dev-court");
  EXPECT_TRUE(login.contains("expireTime"));
  EXPECT_FALSE(login.contains("accessToken"));
  const std::string token = TokenOf("court");
  ASSERT_FALSE(token.empty());
  EXPECT_THAT(r.out + r.err, AllOf(Not(HasSubstr(token)), Not(HasSubstr(key))));
  r = Odr({"-o", "table", "--profile", "court", "auth", "login", "--principal", "dev-court",
           "--api-key-file", KeyFile("dev-court")});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("principals/dev-court"), HasSubstr("COURT")));
  EXPECT_THAT(r.out + r.err,
              AllOf(Not(HasSubstr(TokenOf("court"))), Not(HasSubstr(key)), Not(HasSubstr("eyJ"))));
  EXPECT_EQ(Json({"--profile", "court", "auth", "whoami"})["name"], "principals/dev-court");
}

TEST_F(CliTest, ProfileFileIsPrivateAndHoldsNoApiKey) {
  struct stat st;
  ASSERT_EQ(stat(ConfigFile().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(stat((ConfigHome() + "/odr").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);

  const std::string text = ReadFile(ConfigFile());
  const std::string key(absl::StripAsciiWhitespace(ReadFile(KeyFile("dev-admin"))));
  ASSERT_FALSE(key.empty());
  EXPECT_THAT(text, Not(HasSubstr(key)));
  const json config = json::parse(text);
  const json& p = config["profiles"]["default"];
  EXPECT_EQ(p["server"], server_->address());
  EXPECT_EQ(p["principal"], "principals/dev-admin");
  EXPECT_FALSE(p.value("token", "").empty());
  EXPECT_TRUE(p.contains("token_expire_time"));

  // A second login rewrites the file (atomically: no temp file stays) and keeps it private,
  // whatever the umask, and keeps the other profiles and unknown keys.
  json edited = config;
  edited["profiles"]["default"]["note"] = "mine";
  edited["profiles"]["other"] = {{"server", "example.org:443"}};
  {
    std::ofstream out(ConfigFile(), std::ios::trunc);
    out << edited.dump();
  }
  chmod(ConfigFile().c_str(), 0644);
  Login("dev-admin");
  ASSERT_EQ(stat(ConfigFile().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  const json again = json::parse(ReadFile(ConfigFile()));
  EXPECT_EQ(again["profiles"]["default"]["note"], "mine");
  EXPECT_EQ(again["profiles"]["other"]["server"], "example.org:443");
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(ConfigHome() + "/odr")) {
    ++files;
    EXPECT_EQ(e.path().filename(), "config.json");
  }
  EXPECT_EQ(files, 1);
}

TEST_F(CliTest, ProfileFallsBackToHomeConfig) {
  // An empty XDG_CONFIG_HOME (first in the environment, so it wins) means ~/.config.
  CommandResult r = Odr(
      {"auth", "login", "--principal", "dev-mediator", "--api-key-file", KeyFile("dev-mediator")},
      "", {"XDG_CONFIG_HOME="});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string file = dir_.file("home") + "/.config/odr/config.json";
  struct stat st;
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  r = Odr({"-o", "name", "auth", "whoami"}, "", {"XDG_CONFIG_HOME="});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "principals/dev-mediator\n");
}

TEST_F(CliTest, NotLoggedInExitsWith4) {
  const std::vector<std::string> fresh = {"XDG_CONFIG_HOME=" + dir_.file("fresh")};
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"case", "list"}, {"case", "get", "nope"}, {"auth", "whoami"}, {"audit", "list"}}) {
    CommandResult r = Odr(args, "", fresh);
    EXPECT_EQ(r.exit_code, 4) << Describe(r);
    EXPECT_THAT(r.err,
                AllOf(StartsWith(std::string("error: ") + kNotLoggedIn), HasSubstr("odrd: ")));
    EXPECT_THAT(r.out, IsEmpty());
  }
  // A mutation too, and nothing was created.
  CommandResult r = Odr(CreateArgs(), "", fresh);
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr(kNotLoggedIn));
  EXPECT_THAT(AllCases(), IsEmpty());
  // An unknown profile holds no token either.
  r = Odr({"--profile", "nobody", "case", "list"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("profile 'nobody'"));
}

TEST_F(CliTest, LogoutThenNextCallExitsWith4) {
  ASSERT_EQ(Odr({"case", "list"}).exit_code, 0);
  CommandResult r = Odr({"auth", "logout"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("removed the token"));
  EXPECT_THAT(ReadFile(ConfigFile()), Not(HasSubstr("\"token\"")));

  r = Odr({"case", "list"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr(kNotLoggedIn));
  // The profile keeps the server: no --server needed to log in again.
  r = OdrRaw({"auth", "logout"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("holds no token"));
  r = OdrRaw({"auth", "login", "--principal", "dev-admin", "--api-key-file", KeyFile("dev-admin")});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(OdrRaw({"case", "list"}).exit_code, 0);
}

TEST_F(CliTest, OdrTokenWorksWithoutAProfile) {
  const std::string token = TokenOf();
  ASSERT_FALSE(token.empty());
  const std::vector<std::string> env = {"XDG_CONFIG_HOME=" + dir_.file("empty"),
                                        "ODR_TOKEN=" + token};
  CommandResult r = Odr({"-o", "json", "auth", "whoami"}, "", env);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(json::parse(r.out)["name"], "principals/dev-admin");
  r = Odr({"-o", "name", "case", "create", "--organization", "dev-org", "--type", "labour",
           "--applicant", kApplicant, "--respondent", kCompany, "--summary", "s", "--claims", "c",
           "--region", "330602"},
          "", env);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_FALSE(std::filesystem::exists(dir_.file("empty")));  // nothing written

  // ODR_TOKEN wins over the profile, even when it is bad.
  r = Odr({"case", "list"}, "", {"ODR_TOKEN=not-a-token"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_THAT(r.err, AllOf(HasSubstr(kNotLoggedIn), HasSubstr("ODR_TOKEN")));
}

TEST_F(CliTest, TokenIsNotSentToAnotherServer) {
  // The profile's token was issued through 127.0.0.1:PORT; localhost:PORT is another name.
  CommandResult r =
      OdrRaw({"--server", "localhost:" + std::to_string(server_->port()), "case", "list"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_THAT(r.err, AllOf(HasSubstr(kNotLoggedIn), HasSubstr("holds a token for"),
                           HasSubstr(server_->address())));
}

TEST_F(CliTest, WrongApiKeyOnLoginExitsWith4) {
  const std::string before = TokenOf();
  CommandResult r = Odr({"auth", "login", "--principal", "principals/dev-admin", "--api-key-file",
                         KeyFile("dev-court")});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr("invalid principal or API key")));
  EXPECT_THAT(r.out, IsEmpty());
  r = Odr({"auth", "login", "--principal", "nobody", "--api-key-stdin"}, "some-key\n");
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("invalid principal or API key"));
  // The profile keeps its token.
  EXPECT_EQ(TokenOf(), before);
  EXPECT_EQ(Odr({"case", "list"}).exit_code, 0);
}

TEST_F(CliTest, AssignedMediatorSeesTheCaseButMayNotAcceptIt) {
  const std::string name = Create()["name"];
  const std::string other = Create()["name"];
  Login("dev-mediator", "mediator");
  // Not assigned yet: the mediator sees nothing, and a case it may not see is "not found".
  EXPECT_FALSE(Json({"--profile", "mediator", "case", "list"}).contains("cases"));
  CommandResult r = Odr({"--profile", "mediator", "case", "get", name});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);

  // Only ACCEPTED cases take mediators.
  r = Odr({"case", "assign", name, "--mediator", kDevMediator});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("current state: DRAFT"));
  ASSERT_EQ(Odr({"case", "submit", name}).exit_code, 0);
  ASSERT_EQ(Odr({"case", "accept", name}).exit_code, 0);
  json assigned = Json({"case", "assign", name, "--mediator", kDevMediator});
  EXPECT_EQ(assigned["state"], "STATE_MEDIATOR_PROPOSED");
  ASSERT_EQ(assigned["mediators"].size(), 1u);
  EXPECT_EQ(assigned["mediators"][0], "principals/dev-mediator");
  r = Odr({"-o", "table", "case", "get", name});
  EXPECT_THAT(r.out, AllOf(HasSubstr("principals/dev-mediator"), HasSubstr(kDevMediator)));
  // An account is not a roster entry: a usage error, nothing sent.
  r = Odr({"case", "assign", name, "--mediator", "principals/dev-mediator"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, AllOf(HasSubstr("principals/ID is an account"), HasSubstr("--help")));
  // Not on the roster: odrd names the field.
  r = Odr({"case", "assign", name, "--mediator", "dev-org/nobody"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(HasSubstr("\n  mediator: "), HasSubstr("not on the roster")));

  json seen = Json({"--profile", "mediator", "case", "list"});
  ASSERT_EQ(seen["cases"].size(), 1u) << seen.dump(2);
  EXPECT_EQ(seen["cases"][0]["name"], name);
  EXPECT_EQ(Json({"--profile", "mediator", "case", "get", name})["name"], name);

  // Seeing is not accepting the case (nor assigning): PERMISSION_DENIED is exit 1 with odrd's
  // message.
  r = Odr({"--profile", "mediator", "case", "accept", name});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, StartsWith("error: "));
  r = Odr({"--profile", "mediator", "case", "assign", name, "--mediator", "dev-org/dev-mediator"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  // The other case stays hidden.
  EXPECT_EQ(Odr({"--profile", "mediator", "case", "get", other}).exit_code, 3);
  // Once assigned, the mediator may close it.
  ASSERT_EQ(
      Odr({"--profile", "mediator", "case", "accept-assignment", name, "--no-conflict"}).exit_code,
      0);
  EXPECT_EQ(Json({"--profile", "mediator", "case", "close", name, "--reason", "调解成功"})["state"],
            "STATE_CLOSED");
}

TEST_F(CliTest, AuditListIsForPlatformAdmins) {
  const std::string name = Create()["name"];
  Json({"case", "get", name});
  Login("dev-platform-admin", "platform");

  json records = Json({"--profile", "platform", "audit", "list", "--resource", name});
  ASSERT_GE(records["accessRecords"].size(), 2u) << records.dump(2);
  const json& newest = records["accessRecords"][0];
  EXPECT_EQ(newest["principal"], "principals/dev-admin");
  EXPECT_EQ(newest["method"], "/odr.v1.CaseService/GetCase");
  EXPECT_EQ(newest["resource"], name);
  EXPECT_EQ(newest["action"], "ACTION_READ");
  EXPECT_THAT(newest["name"].get<std::string>(), StartsWith("accessRecords/"));
  EXPECT_EQ(records["accessRecords"].back()["method"], "/odr.v1.CaseService/CreateCase");

  CommandResult r = Odr({"--profile", "platform", "-o", "table", "audit", "list", "--principal",
                         "principals/dev-admin"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out,
              AllOf(HasSubstr("SEQ"), HasSubstr("TIME"), HasSubstr("PRINCIPAL"), HasSubstr("VIA"),
                    HasSubstr("METHOD"), HasSubstr("RESOURCE"), HasSubstr("ACTION"),
                    HasSubstr("CaseService/GetCase"), HasSubstr("READ"), HasSubstr(name)));
  r = Odr({"--profile", "platform", "-o", "name", "audit", "list", "--all", "--page-size", "1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, MatchesRegex("(accessRecords/[0-9]+\n){2,}"));
  r = Odr({"--profile", "platform", "-o", "table", "audit", "list", "--principal", "nobody"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("No access records found."));

  // Platform admins see no case content.
  EXPECT_EQ(Odr({"--profile", "platform", "case", "get", name}).exit_code, 3);

  // Anyone else: PERMISSION_DENIED, exit 1 with odrd's message.
  r = Odr({"audit", "list"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr("platform administrators")));
  EXPECT_THAT(r.out, IsEmpty());
}

TEST_F(CliTest, PartnerAppActsOnBehalfOfItsCitizen) {
  CommandResult r = Admin({"create-principal", "--id", "citizen-zhang", "--role", "citizen",
                           "--id-number", testing::kIdZhang, "--no-key"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  r = Admin({"create-principal", "--id", "partner-p", "--role", "partner_app"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string partner_key(absl::StripAsciiWhitespace(r.out));
  ASSERT_FALSE(partner_key.empty());
  r = Admin({"link", "--partner", "principals/partner-p", "--citizen", "principals/citizen-zhang"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string name = Create()["name"];  // 张三 is the applicant

  r = Odr({"--profile", "partner", "auth", "login", "--principal", "partner-p", "--api-key-stdin"},
          partner_key);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  json who = Json(
      {"--profile", "partner", "--on-behalf-of", "principals/citizen-zhang", "auth", "whoami"});
  EXPECT_EQ(who["name"], "principals/citizen-zhang");
  EXPECT_EQ(who["role"], "ROLE_CITIZEN");
  EXPECT_EQ(who["actingThrough"], "principals/partner-p");

  // ODR_ON_BEHALF_OF does the same; a bare id works.
  r = Odr({"-o", "json", "--profile", "partner", "case", "list"}, "",
          {"ODR_ON_BEHALF_OF=citizen-zhang"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  json cases = json::parse(r.out);
  ASSERT_EQ(cases["cases"].size(), 1u);
  EXPECT_EQ(cases["cases"][0]["name"], name);

  // On its own, the partner sees no cases; and only partners may act for someone.
  r = Odr({"--profile", "partner", "case", "list"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  r = Odr({"--on-behalf-of", "principals/citizen-zhang", "case", "list"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("partner app"));

  // The access log names both.
  Login("dev-platform-admin", "platform");
  r = Odr(
      {"--profile", "platform", "-o", "table", "audit", "list", "--principal", "citizen-zhang"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("principals/citizen-zhang"), HasSubstr("principals/partner-p"),
                           HasSubstr("ListCases")));
}

TEST_F(CliTest, RateLimitedIsExit1WithAHint) {
  // Buckets of 2 calls, refilled once in 1000 s: logins count per address, calls per principal.
  StartServer({"--rate-limit", "0.001", "--rate-burst", "2"});
  Login("dev-admin");  // the new server has a new port
  Login("dev-mediator", "mediator");
  ASSERT_EQ(Odr({"auth", "whoami"}).exit_code, 0);
  ASSERT_EQ(Odr({"auth", "whoami"}).exit_code, 0);
  CommandResult r = Odr({"auth", "whoami"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, StartsWith("error: odrd is rate-limiting this account; retry shortly"));
  // Per account: another principal still gets through.
  EXPECT_EQ(Odr({"--profile", "mediator", "auth", "whoami"}).exit_code, 0);
}

TEST_F(CliTest, CreateNeedsAnOrganization) {
  std::vector<std::string> args = CreateArgs();
  args.erase(args.begin() + 2, args.begin() + 4);  // --organization organizations/dev-org
  CommandResult r = Odr(args);
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("--organization is required"));
  // Another organization's: refused by odrd.
  r = Odr(CreateArgs({"--organization", "organizations/other-org"}));
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(AllCases(), IsEmpty());
  // From a file that has one.
  json source = Create();
  source.erase("name");
  r = Odr({"-o", "json", "case", "create", "--file", "-"}, source.dump());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(json::parse(r.out)["organization"], "organizations/dev-org");
}

// Writes a test CA, a certificate for odrd (127.0.0.1, localhost) and a client certificate with
// CN `client_name`, all signed by the CA, into `dir`. False if openssl is missing or fails.
bool MakeCertificates(const std::string& dir, const std::string& client_name) {
  const std::string openssl = "/usr/bin/openssl";
  if (!std::filesystem::exists(openssl)) return false;
  {
    std::ofstream ext(dir + "/server.ext");
    ext << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  }
  const std::vector<std::vector<std::string>> steps = {
      {openssl,
       "req",
       "-x509",
       "-newkey",
       "ec",
       "-pkeyopt",
       "ec_paramgen_curve:prime256v1",
       "-nodes",
       "-keyout",
       dir + "/ca.key",
       "-out",
       dir + "/ca.pem",
       "-days",
       "2",
       "-subj",
       "/CN=odr test CA",
       "-addext",
       "basicConstraints=critical,CA:TRUE",
       "-addext",
       "keyUsage=critical,keyCertSign,cRLSign"},
      {openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
       "-keyout", dir + "/server.key", "-out", dir + "/server.csr", "-subj", "/CN=localhost"},
      {openssl, "x509", "-req", "-in", dir + "/server.csr", "-CA", dir + "/ca.pem", "-CAkey",
       dir + "/ca.key", "-set_serial", "2", "-days", "2", "-extfile", dir + "/server.ext", "-out",
       dir + "/server.pem"},
      {openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
       "-keyout", dir + "/client.key", "-out", dir + "/client.csr", "-subj", "/CN=" + client_name},
      {openssl, "x509", "-req", "-in", dir + "/client.csr", "-CA", dir + "/ca.pem", "-CAkey",
       dir + "/ca.key", "-set_serial", "3", "-days", "2", "-out", dir + "/client.pem"},
  };
  for (const auto& step : steps) {
    CommandResult r = testing::RunCommand(step);
    if (r.exit_code != 0) {
      ADD_FAILURE() << "openssl failed: " << Describe(r);
      return false;
    }
  }
  return true;
}

TEST_F(CliTest, TlsWithACaFileAndMutualTls) {
  const std::string certs = dir_.file("certs");
  std::filesystem::create_directories(certs);
  if (!MakeCertificates(certs, "court-x.example")) GTEST_SKIP() << "no openssl";
  CommandResult r = Admin({"create-principal", "--id", "court-x", "--role", "court", "--court",
                           "courts/x", "--certificate-name", "court-x.example", "--no-key"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  StartServer({"--tls-cert", certs + "/server.pem", "--tls-key", certs + "/server.key",
               "--tls-client-ca", certs + "/ca.pem"});

  // Plaintext (the default to a loopback address) cannot talk to a TLS odrd.
  const std::vector<std::string> login = {"auth",      "login",          "--principal",
                                          "dev-admin", "--api-key-file", KeyFile("dev-admin")};
  std::vector<std::string> args = {"--timeout", "3"};
  args.insert(args.end(), login.begin(), login.end());
  r = Odr(args);
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("cannot reach odrd"));
  // Nor TLS with the system's roots, which do not know the test CA.
  args.insert(args.begin(), "--tls");
  r = Odr(args);
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("TLS"));

  // --tls-ca: logged in; the profile keeps the CA (as an absolute path) and the server.
  args = {"--tls-ca", certs + "/ca.pem"};
  args.insert(args.end(), login.begin(), login.end());
  r = Odr(args);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(json::parse(ReadFile(ConfigFile()))["profiles"]["default"]["tls_ca"],
            certs + "/ca.pem");
  r = OdrRaw({"-o", "name", "auth", "whoami"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "principals/dev-admin\n");
  // ODR_TLS_CA works like the flag.
  r = Odr({"-o", "name", "--profile", "none", "auth", "whoami"}, "",
          {"ODR_TLS_CA=" + certs + "/ca.pem"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);  // connected, but no token in that profile

  // Mutual TLS: the client certificate is the credential of a court system.
  r = Odr({"-o", "json", "--profile", "none", "--tls-ca", certs + "/ca.pem", "--tls-cert",
           certs + "/client.pem", "--tls-key", certs + "/client.key", "auth", "whoami"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  json who = json::parse(r.out);
  EXPECT_EQ(who["name"], "principals/court-x");
  EXPECT_EQ(who["role"], "ROLE_COURT");
  r = Odr({"-o", "name", "--profile", "none", "auth", "whoami"}, "",
          {"ODR_TLS_CA=" + certs + "/ca.pem", "ODR_CLIENT_CERT=" + certs + "/client.pem",
           "ODR_CLIENT_KEY=" + certs + "/client.key"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "principals/court-x\n");
}

// --- Organizations, the roster and pools ---

TEST_F(CliTest, OrganizationsAreCreatedByPlatformAdmins) {
  // An organization admin may not create organizations.
  CommandResult r = Odr(
      {"org", "create", "zhuji-medical", "--name", "x", "--kind", "people", "--region", "330681"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr("platform administrators")));

  Login("dev-platform-admin", "platform");
  const json org =
      Json({"--profile", "platform", "org", "create", "zhuji-medical", "--name",
            "诸暨市医疗纠纷人民调解委员会", "--kind", "industry", "--region", "330681"});
  EXPECT_EQ(org["name"], "organizations/zhuji-medical");
  EXPECT_EQ(org["displayName"], "诸暨市医疗纠纷人民调解委员会");
  EXPECT_EQ(org["kind"], "ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL");
  EXPECT_EQ(org["regionCode"], "330681");
  EXPECT_FALSE(org.contains("affiliatedCourt"));
  // Court-invited, with the court as a bare id; -o name prints the name.
  r = Odr({"--profile", "platform", "-o", "name", "org", "create", "zhuji-court-invited", "--name",
           "诸暨市法院特邀调解组织", "--kind", "court-invited", "--region", "330681", "--court",
           "dev-court"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "organizations/zhuji-court-invited\n");
  json hz = Json({"--profile", "platform", "org", "create", "hz-people", "--name",
                  "杭州某街道人民调解委员会", "--kind", "PEOPLES_MEDIATION_COMMITTEE", "--region",
                  "330102"});
  EXPECT_EQ(hz["kind"], "ORGANIZATION_KIND_PEOPLES_MEDIATION_COMMITTEE");

  // Anyone logged in reads them; bootstrap-dev made dev-org.
  EXPECT_EQ(Json({"org", "get", "zhuji-medical"}), org);
  EXPECT_EQ(Json({"org", "get", "organizations/zhuji-court-invited"})["affiliatedCourt"],
            "courts/dev-court");
  EXPECT_EQ(Json({"org", "get", "dev-org"})["name"], "organizations/dev-org");
  r = Odr({"org", "get", "nope"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);

  r = Odr({"-o", "name", "org", "list", "--all", "--page-size", "1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(
      r.out, AllOf(HasSubstr("organizations/dev-org\n"), HasSubstr("organizations/zhuji-medical\n"),
                   HasSubstr("organizations/hz-people\n"),
                   HasSubstr("organizations/zhuji-court-invited\n")));
  json zhuji = Json({"org", "list", "--region-prefix", "3306"});
  EXPECT_EQ(zhuji["organizations"].size(), 3u) << zhuji.dump(2);
  r = Odr({"-o", "table", "org", "list", "--region-prefix", "3301"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out,
              AllOf(HasSubstr("NAME"), HasSubstr("KIND"), HasSubstr("organizations/hz-people"),
                    HasSubstr("PEOPLES_MEDIATION_COMMITTEE"), Not(HasSubstr("zhuji"))));
  r = Odr({"-o", "table", "org", "get", "zhuji-medical"});
  EXPECT_THAT(r.out, AllOf(HasSubstr("Kind:"), HasSubstr("INDUSTRY_PROFESSIONAL"),
                           HasSubstr("诸暨市医疗纠纷人民调解委员会")));

  // A duplicate id, and odrd's validation naming the field.
  r = Odr({"--profile", "platform", "org", "create", "dev-org", "--name", "x", "--kind", "other",
           "--region", "330681"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("organizations/dev-org already exists"));
  r = Odr({"--profile", "platform", "org", "create", "bad-region", "--name", "x", "--kind", "other",
           "--region", "12"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("organization.region_code"));
  EXPECT_EQ(Odr({"org", "get", "bad-region"}).exit_code, 3);
}

TEST_F(CliTest, MediatorRosterCreateListUpdateSuspend) {
  // As dev-admin, a traffic-accident mediator in Yuecheng (330602) speaking zh and en.
  AddMediatorAccount("mediator-wang");
  const json m = Json(MediatorArgs(
      "wang", "principals/mediator-wang",
      {"--specialty", "traffic-accident", "--language", "zh,en", "--region", "330602", "--fee", "0",
       "--public-profile", "二十年交通事故纠纷调解经验", "--related-id", "E99999999"}));
  EXPECT_EQ(m["name"], "organizations/dev-org/mediators/wang");
  EXPECT_EQ(m["displayName"], "王调解员");
  EXPECT_EQ(m["profile"], "二十年交通事故纠纷调解经验");
  EXPECT_EQ(m["specialties"], json::array({"DISPUTE_TYPE_TRAFFIC_ACCIDENT"}));
  EXPECT_EQ(m["languages"], json::array({"zh", "en"}));
  EXPECT_EQ(m["regionCode"], "330602");
  EXPECT_EQ(m["employment"], "EMPLOYMENT_FULL_TIME");
  EXPECT_EQ(m["maxConcurrentCases"], 5);
  EXPECT_EQ(m["state"], "STATE_ACTIVE");
  EXPECT_EQ(m["principal"], "principals/mediator-wang");
  // The organization's admin sees the private details.
  EXPECT_EQ(m["privateDetails"]["idDocumentType"], "ID_DOCUMENT_TYPE_RESIDENT_ID_CARD");
  EXPECT_EQ(m["privateDetails"]["idNumber"], testing::kIdWang);
  EXPECT_EQ(m["privateDetails"]["phone"], "13600000006");
  EXPECT_EQ(m["privateDetails"]["relatedIdNumbers"], json::array({"E99999999"}));

  // By short form and full name; others see the public profile only.
  EXPECT_EQ(Json({"mediator", "get", "dev-org/wang"}), m);
  json seen = Json(
      {"--profile", "mediator-wang", "mediator", "get", "organizations/dev-org/mediators/wang"});
  EXPECT_EQ(seen["displayName"], "王调解员");
  EXPECT_FALSE(seen.contains("privateDetails")) << seen.dump(2);
  CommandResult r = Odr({"-o", "table", "mediator", "get", "dev-org/wang"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("王调解员"), HasSubstr("TRAFFIC_ACCIDENT"),
                           HasSubstr("zh, en"), HasSubstr("0 of 5 cases"), HasSubstr("FULL_TIME"),
                           HasSubstr("1 related ID number)"), Not(HasSubstr(testing::kIdWang)),
                           Not(HasSubstr("13600000006")), Not(HasSubstr("E99999999"))));
  r = Odr({"mediator", "get", "dev-org/nobody"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  // The same id again.
  r = Odr(MediatorArgs("wang", "principals/mediator-wang"));
  EXPECT_EQ(r.exit_code, 1) << Describe(r);

  // The public roster, of every organization by default.
  const std::string both = std::string(kDevMediator) + "\norganizations/dev-org/mediators/wang\n";
  r = Odr({"-o", "name", "mediator", "list"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, both);
  struct Filter {
    std::vector<std::string> flags;
    std::string names;
  };
  for (const Filter& f : std::vector<Filter>{
           {{"--org", "dev-org"}, both},
           {{"--org", "organizations/dev-org", "--all", "--page-size", "1"}, both},
           {{"--accepting"}, both},
           {{"--specialty", "traffic-accident"}, "organizations/dev-org/mediators/wang\n"},
           {{"--specialty", "medical"}, std::string(kDevMediator) + "\n"},
           {{"--language", "en"}, "organizations/dev-org/mediators/wang\n"},
           {{"--language", "zh-wuu"}, std::string(kDevMediator) + "\n"},
           {{"--region-prefix", "330602"}, "organizations/dev-org/mediators/wang\n"},
           {{"--region-prefix", "3306", "--specialty", "traffic-accident", "--accepting"},
            "organizations/dev-org/mediators/wang\n"},
           {{"--specialty", "family-inheritance"}, ""},
           {{"--region-prefix", "3301"}, ""},
       }) {
    std::vector<std::string> args = {"-o", "name", "mediator", "list"};
    args.insert(args.end(), f.flags.begin(), f.flags.end());
    r = Odr(args);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(r.out, f.names) << f.flags[0] << " " << f.flags[1];
  }
  r = Odr({"-o", "table", "mediator", "list", "--specialty", "traffic-accident"});
  EXPECT_THAT(r.out, AllOf(HasSubstr("LOAD"), HasSubstr("0/5"), HasSubstr("ACTIVE"),
                           HasSubstr("zh,en"), HasSubstr("TRAFFIC_ACCIDENT")));

  // Update: only the fields given change; the private details are merged with odrd's.
  json updated = Json({"mediator", "update", "dev-org/wang", "--etag", m["etag"].get<std::string>(),
                       "--max-cases", "8", "--specialty", "traffic-accident", "--specialty",
                       "labour", "--phone", "13600000007"});
  EXPECT_EQ(updated["maxConcurrentCases"], 8);
  EXPECT_EQ(updated["specialties"],
            json::array({"DISPUTE_TYPE_TRAFFIC_ACCIDENT", "DISPUTE_TYPE_LABOUR"}));
  EXPECT_EQ(updated["languages"], m["languages"]);
  EXPECT_EQ(updated["profile"], m["profile"]);
  EXPECT_EQ(updated["privateDetails"]["phone"], "13600000007");
  EXPECT_EQ(updated["privateDetails"]["idNumber"], testing::kIdWang);
  EXPECT_EQ(updated["privateDetails"]["relatedIdNumbers"], m["privateDetails"]["relatedIdNumbers"]);
  EXPECT_NE(updated["etag"], m["etag"]);
  // --related-id '' empties the list.
  updated = Json({"mediator", "update", "dev-org/wang", "--etag",
                  updated["etag"].get<std::string>(), "--related-id", ""});
  EXPECT_FALSE(updated["privateDetails"].contains("relatedIdNumbers")) << updated.dump(2);
  EXPECT_EQ(updated["privateDetails"]["phone"], "13600000007");
  // A stale etag changes nothing.
  r = Odr({"mediator", "update", "dev-org/wang", "--etag", m["etag"].get<std::string>(), "--name",
           "王某"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("etag"));
  EXPECT_EQ(Json({"mediator", "get", "dev-org/wang"})["displayName"], "王调解员");
  // Only the organization's admins manage the roster.
  r = Odr({"--profile", "mediator-wang", "mediator", "update", "dev-org/wang", "--etag",
           updated["etag"].get<std::string>(), "--name", "王某"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  r = Odr({"--profile", "mediator-wang", "mediator", "suspend", "dev-org/dev-mediator", "--reason",
           "x"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);

  // Suspended: off the accepting roster until reactivated.
  json suspended = Json({"mediator", "suspend", "dev-org/wang", "--reason", "年度考核未通过"});
  EXPECT_EQ(suspended["state"], "STATE_SUSPENDED");
  r = Odr({"-o", "name", "mediator", "list", "--accepting"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, std::string(kDevMediator) + "\n");
  r = Odr({"-o", "name", "mediator", "list"});
  EXPECT_EQ(r.out, both);
  EXPECT_EQ(Json({"mediator", "reactivate", "organizations/dev-org/mediators/wang"})["state"],
            "STATE_ACTIVE");
  r = Odr({"-o", "name", "mediator", "list", "--accepting"});
  EXPECT_EQ(r.out, both);
}

TEST_F(CliTest, MediatorBadInput) {
  AddMediatorAccount("mediator-wang");
  const std::string principal = "principals/mediator-wang";
  // Caught by odr: exit 2, nothing sent.
  struct Usage {
    std::vector<std::string> extra;
    std::string message;
  };
  for (const Usage& u : std::vector<Usage>{
           {{"--specialty", "divorce"}, "--specialty must be one of"},
           {{"--employment", "sometimes"}, "--employment must be one of"},
           {{"--fee", "1.234"}, "--fee has more than 2 decimals"},
           {{"--fee", "-3"}, "--fee must not be negative"},
           {{"--max-cases", "many"}, "--max-cases"},
           {{"--id-type", "bar-card"}, "--id-type must be one of"},
       }) {
    CommandResult r = Odr(MediatorArgs("wang", principal, u.extra));
    EXPECT_EQ(r.exit_code, 2) << u.message << "\n" << Describe(r);
    EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr(u.message), HasSubstr("--help")));
  }
  std::vector<std::string> no_principal = MediatorArgs("wang", "x");
  no_principal.erase(std::find(no_principal.begin(), no_principal.end(), "--principal"),
                     std::find(no_principal.begin(), no_principal.end(), "--principal") + 2);
  CommandResult r = Odr(no_principal);
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("--principal"));

  // Refused by odrd: exit 1, naming the field.
  struct Server {
    std::vector<std::string> extra;
    std::string field;
  };
  for (const Server& v : std::vector<Server>{
           {{"--max-cases", "0"}, "mediator.max_concurrent_cases"},
           {{"--max-cases", "201"}, "mediator.max_concurrent_cases"},
           {{"--language", "zh,xx-nope"}, "mediator.languages[1]"},
           {{"--region", "33068"}, "mediator.region_code"},
           {{"--phone", "123"}, "mediator.private_details.phone"},
           {{"--id-number", "110101199003074515"}, "mediator.private_details.id_number"},
           // An account already on the roster.
           {{"--principal", "principals/dev-mediator"}, "mediator.principal"},
       }) {
    r = Odr(MediatorArgs("wang", principal, v.extra));
    EXPECT_EQ(r.exit_code, 1) << v.field << "\n" << Describe(r);
    EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr(v.field)));
    EXPECT_THAT(r.out, IsEmpty());
  }
  // The account must be a mediator of the organization.
  r = Odr(MediatorArgs("wang", "principals/dev-court"));
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("principal"));
  // Another organization's roster is not this admin's to manage.
  std::vector<std::string> elsewhere = MediatorArgs("wang", principal);
  elsewhere[2] = "organizations/nope";
  r = Odr(elsewhere);
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("organizations/nope"));

  r = Odr({"-o", "name", "mediator", "list"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, std::string(kDevMediator) + "\n");
}

TEST_F(CliTest, PoolsOfMediators) {
  const std::string wang = AddMediator("wang");
  json pool = Json({"pool", "create", "dev-org", "zhuji-medical", "--name", "诸暨医疗纠纷",
                    "--dispute-type", "medical", "--region", "3306,330681", "--mediator", "wang"});
  EXPECT_EQ(pool["name"], "organizations/dev-org/pools/zhuji-medical");
  EXPECT_EQ(pool["displayName"], "诸暨医疗纠纷");
  EXPECT_EQ(pool["disputeTypes"], json::array({"DISPUTE_TYPE_MEDICAL"}));
  EXPECT_EQ(pool["regionCodes"], json::array({"3306", "330681"}));
  EXPECT_EQ(pool["mediators"], json::array({wang}));
  EXPECT_EQ(Json({"pool", "get", "dev-org/zhuji-medical"}), pool);
  json all = Json({"pool", "create", "organizations/dev-org", "all", "--name", "全部", "--mediator",
                   "dev-org/wang", "--mediator", kDevMediator});
  EXPECT_EQ(all["mediators"], json::array({wang, kDevMediator}));
  EXPECT_FALSE(all.contains("disputeTypes"));

  CommandResult r = Odr({"-o", "name", "pool", "list", "dev-org"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("organizations/dev-org/pools/zhuji-medical\n"),
                           HasSubstr("organizations/dev-org/pools/all\n")));
  r = Odr({"-o", "table", "pool", "list", "dev-org"});
  EXPECT_THAT(r.out,
              AllOf(HasSubstr("MEDIATORS"), HasSubstr("诸暨医疗纠纷"), HasSubstr("MEDICAL")));
  r = Odr({"-o", "table", "pool", "get", "organizations/dev-org/pools/zhuji-medical"});
  EXPECT_THAT(r.out, AllOf(HasSubstr("Mediators:"), HasSubstr(wang)));
  r = Odr({"pool", "get", "dev-org/nope"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);

  // odrd names the wrong field.
  r = Odr(
      {"pool", "create", "dev-org", "bad", "--name", "x", "--region", "123", "--mediator", "wang"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("pool.region_codes[0]"));

  // Recommendations and automatic assignment from a pool.
  const std::string name = AcceptedCase();
  r = Odr({"-o", "name", "case", "recommend", name});
  EXPECT_THAT(r.out, AllOf(HasSubstr(wang), HasSubstr(kDevMediator)));
  r = Odr({"-o", "name", "case", "recommend", name, "--pool", "dev-org/zhuji-medical"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, wang + "\n");
  json proposed = Json({"case", "auto-assign", name, "--pool", "dev-org/zhuji-medical"});
  EXPECT_EQ(proposed["mediatorAssignments"][0]["mediator"], wang);
}

// --- Assigning mediators to cases ---

TEST_F(CliTest, RecommendAssignAndAcceptTheAssignment) {
  const std::string name = AcceptedCase("zh-wuu");
  EXPECT_EQ(Json({"case", "get", name})["language"], "zh-wuu");

  json rec = Json({"case", "recommend", name});
  ASSERT_EQ(rec["recommendations"].size(), 1u) << rec.dump(2);
  const json& first = rec["recommendations"][0];
  EXPECT_EQ(first["mediator"], kDevMediator);
  EXPECT_EQ(first["displayName"], "Development mediator");
  EXPECT_GT(first["score"].get<double>(), 0.5);
  std::string reasons;
  for (const json& why : first["reasons"]) reasons += why.get<std::string>() + "\n";
  EXPECT_THAT(reasons, AllOf(HasSubstr("specialty"), HasSubstr("same county"),
                             HasSubstr("speaks zh-wuu"), HasSubstr("load 0/20")));
  CommandResult r = Odr({"-o", "table", "case", "recommend", name, "--max", "3"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(StartsWith("RANK"), HasSubstr("MEDIATOR"), HasSubstr("SCORE"),
                           HasSubstr("REASONS"),
                           HasSubstr(std::string(kDevMediator) + " (Development mediator)"),
                           HasSubstr("same county; ")));
  r = Odr({"-o", "name", "case", "recommend", name});
  EXPECT_EQ(r.out, std::string(kDevMediator) + "\n");

  // Assigned by the organization (short form): proposed until the mediator accepts.
  json proposed = Json({"case", "assign", name, "--mediator", "dev-org/dev-mediator"});
  EXPECT_EQ(proposed["state"], "STATE_MEDIATOR_PROPOSED");
  EXPECT_EQ(proposed["mediators"], json::array({"principals/dev-mediator"}));
  ASSERT_EQ(proposed["mediatorAssignments"].size(), 1u) << proposed.dump(2);
  const json& a = proposed["mediatorAssignments"][0];
  EXPECT_EQ(a["mediator"], kDevMediator);
  EXPECT_EQ(a["principal"], "principals/dev-mediator");
  EXPECT_EQ(a["state"], "STATE_PROPOSED");
  EXPECT_EQ(a["method"], "METHOD_ORGANIZATION");
  EXPECT_EQ(Json({"mediator", "get", kDevMediator}).value("activeCases", -1), 1);
  // Proposing the same mediator again is refused.
  r = Odr({"case", "assign", name, "--mediator", kDevMediator});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);

  // Only the proposed mediator accepts, and only with the declaration.
  r = Odr({"case", "accept-assignment", name, "--no-conflict"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  Login("dev-mediator", "mediator");
  r = Odr({"--profile", "mediator", "case", "accept-assignment", name});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, AllOf(HasSubstr("--no-conflict is required"), HasSubstr("OMR Art. 13")));
  EXPECT_EQ(Json({"case", "get", name})["state"], "STATE_MEDIATOR_PROPOSED");
  json assigned =
      Json({"--profile", "mediator", "case", "accept-assignment", name, "--no-conflict"});
  EXPECT_EQ(assigned["state"], "STATE_MEDIATOR_ASSIGNED");
  EXPECT_EQ(assigned["mediatorAssignments"][0]["state"], "STATE_ACCEPTED");

  r = Odr({"-o", "table", "case", "get", name});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("MEDIATOR_ASSIGNED"), HasSubstr("Language:"),
                           HasSubstr("zh-wuu"), HasSubstr("Assignments:"), HasSubstr(kDevMediator),
                           HasSubstr("ACCEPTED"), HasSubstr("ORGANIZATION")));
  json events = Json({"case", "events", name});
  std::vector<std::string> to;
  for (const json& e : events["events"]) to.push_back(e["toState"]);
  EXPECT_THAT(to, ::testing::Contains("STATE_MEDIATOR_PROPOSED"));
  EXPECT_EQ(to.back(), "STATE_MEDIATOR_ASSIGNED");
  // The roster shows the load.
  r = Odr({"-o", "table", "mediator", "list", "--accepting"});
  EXPECT_THAT(r.out, HasSubstr("1/20"));
}

TEST_F(CliTest, DeclineReturnsTheCaseToAssignment) {
  const std::string name = AcceptedCase();
  ASSERT_EQ(Odr({"case", "assign", name, "--mediator", kDevMediator}).exit_code, 0);
  Login("dev-mediator", "mediator");
  CommandResult r = Odr({"--profile", "mediator", "case", "decline", name});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("--reason"));

  json declined = Json({"--profile", "mediator", "case", "decline", name, "--reason", "出差两周"});
  EXPECT_EQ(declined["state"], "STATE_ACCEPTED");
  ASSERT_EQ(declined["mediatorAssignments"].size(), 1u);
  EXPECT_EQ(declined["mediatorAssignments"][0]["state"], "STATE_DECLINED");
  EXPECT_EQ(declined["mediatorAssignments"][0]["reason"], "出差两周");
  r = Odr({"-o", "table", "case", "get", name});
  EXPECT_THAT(r.out, AllOf(HasSubstr("DECLINED"), HasSubstr("出差两周"), HasSubstr(kDevMediator)));
  // The mediator is free again, but not for this case.
  EXPECT_EQ(Json({"mediator", "get", kDevMediator}).value("activeCases", 0), 0);  // 0 is omitted
  r = Odr({"-o", "name", "mediator", "list", "--accepting"});
  EXPECT_EQ(r.out, std::string(kDevMediator) + "\n");
  json rec = Json({"case", "recommend", name});
  EXPECT_FALSE(rec.contains("recommendations")) << rec.dump(2);
  r = Odr({"-o", "table", "case", "recommend", name});
  EXPECT_THAT(r.out, HasSubstr("No mediator is available"));
  r = Odr({"case", "assign", name, "--mediator", kDevMediator});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  // Having declined, the mediator no longer sees the case (nor declines it twice).
  r = Odr({"--profile", "mediator", "case", "decline", name, "--reason", "again"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(Odr({"--profile", "mediator", "case", "get", name}).exit_code, 3);
}

TEST_F(CliTest, RecuseReleasesTheMediatorForGood) {
  const std::string name = AcceptedCase();
  ASSERT_EQ(Odr({"case", "assign", name, "--mediator", kDevMediator}).exit_code, 0);
  Login("dev-mediator", "mediator");
  ASSERT_EQ(
      Odr({"--profile", "mediator", "case", "accept-assignment", name, "--no-conflict"}).exit_code,
      0);

  CommandResult r =
      Odr({"--profile", "mediator", "case", "recuse", name, "--mediator", kDevMediator});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  json recused = Json({"--profile", "mediator", "case", "recuse", name, "--mediator",
                       "dev-org/dev-mediator", "--reason", "发现与被申请人代理人系同学"});
  EXPECT_EQ(recused["state"], "STATE_ACCEPTED");
  ASSERT_EQ(recused["mediatorAssignments"].size(), 1u);
  EXPECT_EQ(recused["mediatorAssignments"][0]["state"], "STATE_REPLACED");
  EXPECT_EQ(recused["mediatorAssignments"][0]["reason"], "发现与被申请人代理人系同学");
  r = Odr({"-o", "table", "case", "get", name});
  EXPECT_THAT(r.out, AllOf(HasSubstr("REPLACED"), HasSubstr("发现与被申请人代理人系同学")));

  // A replaced mediator may not be proposed again for this case.
  r = Odr({"case", "assign", name, "--mediator", kDevMediator});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, StartsWith("error: "));
  EXPECT_EQ(Json({"case", "get", name})["state"], "STATE_ACCEPTED");
  // Another mediator takes over automatically; a party's replacement request goes the same way.
  const std::string li = AddMediator("li", {"--name", "李调解员", "--id-type", "passport",
                                            "--id-number", "E12345678", "--phone", "13600000008"});
  json auto_assigned = Json({"case", "auto-assign", name});
  EXPECT_EQ(auto_assigned["state"], "STATE_MEDIATOR_PROPOSED");
  ASSERT_EQ(auto_assigned["mediatorAssignments"].size(), 2u);
  EXPECT_EQ(auto_assigned["mediatorAssignments"][1]["mediator"], li);
  EXPECT_EQ(auto_assigned["mediatorAssignments"][1]["method"], "METHOD_AUTOMATIC");
  json replaced = Json(
      {"case", "recuse", name, "--mediator", "dev-org/li", "--reason", "当事人申请更换调解员"});
  EXPECT_EQ(replaced["state"], "STATE_ACCEPTED");
  EXPECT_EQ(replaced["mediatorAssignments"][1]["state"], "STATE_REPLACED");
}

TEST_F(CliTest, AutoAssignRespectsCapacityAndSpreadsWork) {
  // The development mediator takes one case at most.
  const json dev = Json({"mediator", "get", kDevMediator});
  ASSERT_EQ(Odr({"mediator", "update", kDevMediator, "--etag", dev["etag"].get<std::string>(),
                 "--max-cases", "1"})
                .exit_code,
            0);
  const std::string first = AcceptedCase();
  const std::string second = AcceptedCase();
  json a = Json({"case", "auto-assign", first});
  EXPECT_EQ(a["state"], "STATE_MEDIATOR_PROPOSED");
  EXPECT_EQ(a["mediatorAssignments"][0]["mediator"], kDevMediator);
  EXPECT_EQ(a["mediatorAssignments"][0]["method"], "METHOD_AUTOMATIC");
  // Full: off the accepting roster, and nobody is left for the second case.
  CommandResult r = Odr({"-o", "name", "mediator", "list", "--accepting"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, IsEmpty());
  r = Odr({"case", "auto-assign", second});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  r = Odr({"case", "assign", second, "--mediator", kDevMediator});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(Json({"case", "get", second})["state"], "STATE_ACCEPTED");

  // Another mediator: the second case goes to the one with room.
  const std::string li = AddMediator("li", {"--name", "李调解员", "--id-type", "passport",
                                            "--id-number", "E12345678", "--phone", "13600000008"});
  json b = Json({"case", "auto-assign", second});
  EXPECT_EQ(b["mediatorAssignments"][0]["mediator"], li);
}

TEST_F(CliTest, ConflictedMediatorIsRefused) {
  // Recorded as related to the respondent's lawyer (kIdLi, an agent in CreateArgs).
  const std::string wang = AddMediator("wang", {"--related-id", testing::kIdLi});
  const std::string name = AcceptedCase();
  CommandResult r = Odr({"case", "assign", name, "--mediator", wang});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr("related")));
  // Left out of the recommendations.
  r = Odr({"-o", "name", "case", "recommend", name});
  EXPECT_EQ(r.out, std::string(kDevMediator) + "\n");
  // Sharing a phone with a party is a conflict too.
  const std::string zhao =
      AddMediator("zhao", {"--name", "赵调解员", "--id-type", "passport", "--id-number",
                           "E87654321", "--phone", "+86 138 0013 8000"});
  r = Odr({"case", "assign", name, "--mediator", zhao});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("phone"));
  EXPECT_EQ(Json({"case", "get", name})["state"], "STATE_ACCEPTED");
}

TEST_F(CliTest, SuspendedMediatorIsRefused) {
  const std::string name = AcceptedCase();
  ASSERT_EQ(Odr({"mediator", "suspend", kDevMediator, "--reason", "停职调查"}).exit_code, 0);
  CommandResult r = Odr({"case", "assign", name, "--mediator", kDevMediator});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr("suspended")));
  EXPECT_FALSE(Json({"case", "recommend", name}).contains("recommendations"));
  r = Odr({"case", "auto-assign", name});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  ASSERT_EQ(Odr({"mediator", "reactivate", kDevMediator}).exit_code, 0);
  EXPECT_EQ(Json({"case", "assign", name, "--mediator", kDevMediator})["state"],
            "STATE_MEDIATOR_PROPOSED");
}

TEST_F(CliTest, PartiesChooseTheSameMediatorJointly) {
  const std::string name = AcceptedCase();
  // The applicant (张三) and the respondent's lawyer (李律师), as citizens.
  for (const auto& [id, number] : std::vector<std::pair<std::string, std::string>>{
           {"citizen-zhang", testing::kIdZhang}, {"citizen-li", testing::kIdLi}}) {
    CommandResult r =
        Admin({"create-principal", "--id", id, "--role", "citizen", "--id-number", number});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    r = Odr({"--profile", id, "auth", "login", "--principal", id, "--api-key-stdin"}, r.out);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }
  // The organization may not choose for the parties.
  CommandResult r = Odr({"case", "choose", name, "--mediator", kDevMediator});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);

  json one = Json(
      {"--profile", "citizen-zhang", "case", "choose", name, "--mediator", "dev-org/dev-mediator"});
  EXPECT_EQ(one["state"], "STATE_ACCEPTED");  // one side only
  json both = Json({"--profile", "citizen-li", "case", "choose", name, "--mediator", kDevMediator});
  EXPECT_EQ(both["state"], "STATE_MEDIATOR_PROPOSED");
  ASSERT_EQ(both["mediatorAssignments"].size(), 1u) << both.dump(2);
  EXPECT_EQ(both["mediatorAssignments"][0]["method"], "METHOD_JOINT_CHOICE");
}

}  // namespace
}  // namespace odr

namespace odr {
namespace {

// Issue 6 groundwork: the operator loads the working-day calendar per year.
TEST_F(CliTest, OdrdAdminLoadsTheWorkingDayCalendarPerYear) {
  const std::string file = dir_.file("2031.json");
  std::ofstream(file) << R"({"year": 2031, "holidays": ["2031-01-22", "2031-01-23"],
                            "working_weekends": ["2031-01-19"]})";
  CommandResult r = Admin({"load-calendar", "--file", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("2031"));
  r = Admin({"load-calendar", "--file", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--replace"));
  EXPECT_EQ(Admin({"load-calendar", "--file", file, "--replace"}).exit_code, 0);
  const std::string bad = dir_.file("bad.json");
  std::ofstream(bad) << R"({"year": 2032, "working_weekends": ["2032-01-05"]})";
  r = Admin({"load-calendar", "--file", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("working_weekends[0]"));
  r = Admin({"list-calendars"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2031\n");
}

}  // namespace
}  // namespace odr

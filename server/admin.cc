#include "server/admin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/auth/secrets.h"
#include "server/auth/token.h"
#include "server/case_mapper.h"
#include "server/domain/clock.h"
#include "server/domain/principal.h"
#include "server/domain/validation.h"
#include "server/server.h"
#include "server/transparency/checkpoint.h"
#include "storage/calendar_store.h"
#include "storage/confirmation_store.h"
#include "storage/principal_store.h"
#include "storage/roster_store.h"
#include "storage/sqlite_db.h"

namespace odr::server {
namespace {

struct AdminFlags {
  std::string data_dir = "./var";
  std::string id, role, display_name, organization, court, id_type = "resident_id_card", id_number,
                                                           certificate_name;
  bool no_key = false;
  std::string partner, citizen;
  std::string keys_out;
  std::string log_origin = "odr/evidence-log";
  std::string calendar_file;
  bool replace = false;
  std::string court_name, region, court_level = "basic";
  std::string principals_file;
  bool weak_keys = false;
};

int Fail(absl::string_view message) {
  std::cerr << "odrd admin: " << message << "\n";
  return 1;
}

struct Stores {
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<storage::SqlitePrincipalStore> principals;
};

absl::StatusOr<Stores> Open(const AdminFlags& f, Clock* clock) {
  // A new data dir is private (0700), as odrd makes it; the database in it is 0600.
  if (absl::Status st = CreatePrivateDir(f.data_dir); !st.ok()) return st;
  storage::Database::Options o;
  o.path = (std::filesystem::path(f.data_dir) / "odr.db").string();
  o.readers = 1;
  auto db = storage::Database::Open(o);
  if (!db.ok()) return db.status();
  Stores s;
  s.db = std::move(*db);
  s.principals = std::make_unique<storage::SqlitePrincipalStore>(s.db.get(), clock);
  return s;
}

// Writes `key` to `path` with mode 0600, refusing to overwrite.
absl::Status WriteSecretFile(const std::string& path, const std::string& key) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return absl::FailedPreconditionError(absl::StrCat("cannot create ", path));
  std::string line = key + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  return ok ? absl::OkStatus() : absl::DataLossError(absl::StrCat("cannot write ", path));
}

absl::StatusOr<domain::Principal> PrincipalFromFlags(const AdminFlags& f) {
  domain::Principal p;
  if (auto e = domain::CheckResourceId(f.id); !e.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--id ", e));
  }
  p.id = f.id;
  auto role = domain::RoleFromName(f.role);
  if (!role) {
    return absl::InvalidArgumentError(
        "--role must be citizen, mediator, org_admin, court, partner_app or platform_admin");
  }
  p.role = *role;
  p.display_name = f.display_name;
  p.organization_id = ResourceId(f.organization, "organizations/");
  p.court_id = ResourceId(f.court, "courts/");
  p.certificate_name = f.certificate_name;
  const bool needs_org = p.role == domain::Role::kMediator || p.role == domain::Role::kOrgAdmin;
  if (needs_org != !p.organization_id.empty()) {
    return absl::InvalidArgumentError(
        "--organization is required for (and only for) mediator "
        "and org_admin");
  }
  if (needs_org && !domain::CheckResourceId(p.organization_id).empty()) {
    return absl::InvalidArgumentError("--organization must be organizations/{id}");
  }
  if ((p.role == domain::Role::kCourt) != !p.court_id.empty()) {
    return absl::InvalidArgumentError("--court is required for (and only for) court");
  }
  if (!p.court_id.empty() && !domain::CheckResourceId(p.court_id).empty()) {
    return absl::InvalidArgumentError("--court must be courts/{id}");
  }
  if (p.role == domain::Role::kCitizen) {
    auto type = domain::IdDocumentTypeFromName(f.id_type);
    if (!type) return absl::InvalidArgumentError("--id-type is not a known document type");
    p.id_document_type = *type;
    if (auto e = domain::CheckIdNumber(*type, f.id_number); !e.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--id-number ", e));
    }
    p.id_number = absl::AsciiStrToUpper(f.id_number);
  } else if (!f.id_number.empty()) {
    return absl::InvalidArgumentError("--id-number is only for citizens");
  }
  return p;
}

// The hash of API key `key`: scrypt with the default parameters, or N=2^10 for test and
// demonstration data (`--weak-key-hashes`).
absl::StatusOr<std::string> HashKey(const std::string& key, bool weak) {
  return weak ? auth::HashSecret(key, auth::ScryptParams{1 << 10, 8, 1}) : auth::HashSecret(key);
}

constexpr char kWeakKeyHashesHelp[] =
    "test and demonstration data only: hash the keys with scrypt N=2^10 instead of 2^15 (fast to "
    "create and to check, and as fast to guess)";

// Creates `p` and returns its API key (empty with no_key).
absl::StatusOr<std::string> Create(storage::PrincipalStore& store, const domain::Principal& p,
                                   bool no_key, bool weak) {
  std::string key, hash;
  if (!no_key) {
    key = auth::NewApiKey();
    auto h = HashKey(key, weak);
    if (!h.ok()) return h.status();
    hash = *h;
  }
  if (auto s = store.Create(p, hash); !s.ok()) return s;
  return key;
}

int CreatePrincipal(const AdminFlags& f) {
  SystemClock clock;
  auto p = PrincipalFromFlags(f);
  if (!p.ok()) return Fail(p.status().message());
  auto stores = Open(f, &clock);
  if (!stores.ok()) return Fail(stores.status().message());
  auto key = Create(*stores->principals, *p, f.no_key, f.weak_keys);
  if (!key.ok()) return Fail(key.status().message());
  std::cerr << "created principals/" << p->id << " (" << domain::RoleName(p->role) << ")\n";
  if (!key->empty()) {
    std::cerr << "its API key follows; it is shown once and stored only as a hash:\n";
    std::cout << *key << "\n";
  }
  return 0;
}

int IssueKey(const AdminFlags& f) {
  SystemClock clock;
  auto stores = Open(f, &clock);
  if (!stores.ok()) return Fail(stores.status().message());
  std::string key = auth::NewApiKey();
  auto hash = auth::HashSecret(key);
  if (!hash.ok()) return Fail(hash.status().message());
  if (auto s = stores->principals->SetApiKeyHash(f.id, *hash); !s.ok()) return Fail(s.message());
  std::cerr << "new API key for principals/" << f.id << " (the old one no longer works):\n";
  std::cout << key << "\n";
  return 0;
}

int SetDisabled(const AdminFlags& f, bool disabled) {
  SystemClock clock;
  auto stores = Open(f, &clock);
  if (!stores.ok()) return Fail(stores.status().message());
  const std::string id(absl::StripPrefix(f.id, "principals/"));
  if (auto s = stores->principals->SetDisabled(id, disabled); !s.ok()) {
    return Fail(s.message());
  }
  std::cerr << "principals/" << f.id
            << (disabled ? " is disabled: its tokens stop working now\n" : " is enabled\n");
  return 0;
}

int Link(const AdminFlags& f) {
  SystemClock clock;
  auto stores = Open(f, &clock);
  if (!stores.ok()) return Fail(stores.status().message());
  auto partner = stores->principals->Get(ResourceId(f.partner, "principals/"));
  auto citizen = stores->principals->Get(ResourceId(f.citizen, "principals/"));
  if (!partner.ok() || partner->role != domain::Role::kPartnerApp) {
    return Fail("--partner must name a partner_app principal");
  }
  if (!citizen.ok() || citizen->role != domain::Role::kCitizen) {
    return Fail("--citizen must name a citizen principal");
  }
  if (auto s = stores->principals->Link(partner->id, citizen->id); !s.ok()) {
    return Fail(s.message());
  }
  std::cerr << "principals/" << partner->id << " may now act for principals/" << citizen->id
            << "\n";
  return 0;
}

// Bulk onboarding: one principal per line of JSON (the create-principal flags as keys, plus
// "key": whether to issue an API key, "partner": a partner app that may act for the citizen).
// Every line is checked before anything is written; keys go to KEYS_OUT/{id}.key (mode 0600).
int CreatePrincipals(const AdminFlags& f) {
  std::ifstream in(f.principals_file);
  if (!in) return Fail(absl::StrCat("cannot read ", f.principals_file));
  struct Row {
    domain::Principal p;
    bool key = false;
    std::string partner;
  };
  std::vector<Row> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return Fail(absl::StrCat(f.principals_file, ":", n, ": not a JSON object"));
    AdminFlags one = f;
    const auto text = [&](const char* key, std::string* out) {
      if (j.contains(key) && j[key].is_string()) *out = j[key].get<std::string>();
    };
    text("id", &one.id);
    text("role", &one.role);
    text("display_name", &one.display_name);
    text("organization", &one.organization);
    text("court", &one.court);
    text("id_type", &one.id_type);
    text("id_number", &one.id_number);
    Row r;
    auto p = PrincipalFromFlags(one);
    if (!p.ok()) return Fail(absl::StrCat(f.principals_file, ":", n, ": ", p.status().message()));
    r.p = *std::move(p);
    r.key = j.value("key", false);
    text("partner", &r.partner);
    r.partner = ResourceId(r.partner, "principals/");
    rows.push_back(std::move(r));
  }
  if (!f.keys_out.empty()) {
    std::filesystem::create_directories(f.keys_out);
    ::chmod(f.keys_out.c_str(), 0700);
  }
  // scrypt dominates: hash the keys on every core.
  std::vector<std::string> keys(rows.size()), hashes(rows.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::max(1u, std::thread::hardware_concurrency()); ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < rows.size(); i = next++) {
        if (!rows[i].key) continue;
        keys[i] = auth::NewApiKey();
        auto h = HashKey(keys[i], f.weak_keys);
        if (!h.ok()) {
          failed = true;
          return;
        }
        hashes[i] = *h;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed) return Fail("hashing API keys failed");
  if (std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.key; }) &&
      f.keys_out.empty()) {
    return Fail("--keys-out is required when a line asks for a key");
  }
  SystemClock clock;
  auto stores = Open(f, &clock);
  if (!stores.ok()) return Fail(stores.status().message());
  // A partner acts only for citizens, and must be a partner app (of the file or already there).
  std::set<std::string> partners;
  for (const Row& r : rows) {
    if (r.p.role == domain::Role::kPartnerApp) partners.insert(r.p.id);
  }
  for (const Row& r : rows) {
    if (r.partner.empty()) continue;
    if (r.p.role != domain::Role::kCitizen) {
      return Fail(absl::StrCat("principals/", r.p.id, ": partner is only for citizens"));
    }
    if (!partners.contains(r.partner)) {
      auto existing = stores->principals->Get(r.partner);
      if (!existing.ok() || existing->role != domain::Role::kPartnerApp) {
        return Fail(absl::StrCat("principals/", r.p.id, ": partner principals/", r.partner,
                                 " is not a partner_app principal"));
      }
      partners.insert(r.partner);
    }
  }
  std::vector<storage::SqlitePrincipalStore::NewPrincipal> all;
  for (size_t i = 0; i < rows.size(); ++i) all.push_back({rows[i].p, hashes[i], rows[i].partner});
  if (auto st = stores->principals->CreateMany(all); !st.ok()) return Fail(st.message());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].key) continue;
    if (auto st = WriteSecretFile(
            (std::filesystem::path(f.keys_out) / (rows[i].p.id + ".key")).string(), keys[i]);
        !st.ok()) {
      return Fail(st.message());
    }
  }
  std::cerr << "created " << rows.size() << " principals"
            << (f.keys_out.empty() ? "" : absl::StrCat("; API keys in ", f.keys_out, "/")) << "\n";
  return 0;
}

int RotateSigningKey(const AdminFlags& f) {
  auto kid = auth::KeyRing::Rotate((std::filesystem::path(f.data_dir) / "keys").string());
  if (!kid.ok()) return Fail(kid.status().message());
  std::cerr << "new signing key " << *kid
            << " is current once odrd restarts; tokens signed with older keys stay valid until "
               "their key files are deleted from keys/\n";
  return 0;
}

int LogKey(const AdminFlags& f) {
  // Never a new key here: a mistyped --data-dir must not print a key someone could pin.
  if (!std::filesystem::exists(LogSigningKeyPath(f.data_dir))) {
    return Fail(absl::StrCat("no evidence log key in ", f.data_dir,
                             " (odrd creates it when it first starts there)"));
  }
  auto signer = transparency::NoteSigner::LoadOrCreate(LogSigningKeyPath(f.data_dir), f.log_origin);
  if (!signer.ok()) return Fail(signer.status().message());
  std::cout << signer->VerifierKey() << "\n";
  return 0;
}

int VideoKey(const AdminFlags& f) {
  // As for the log key: never a new key here.
  if (!std::filesystem::exists(JoinKeyPath(f.data_dir))) {
    return Fail(absl::StrCat("no video join-token key in ", f.data_dir,
                             " (odrd creates it when it first starts there)"));
  }
  auto signer = JoinTokenSigner::Create(JoinKeyPath(f.data_dir), "{token}");
  if (!signer.ok()) return Fail(signer.status().message());
  std::cout << signer->PublicKeyPem();
  return 0;
}

int AgreementKey(const AdminFlags& f) {
  // As for the other keys: never a new key here.
  if (!std::filesystem::exists(AgreementKeyPath(f.data_dir))) {
    return Fail(absl::StrCat("no agreement signing key in ", f.data_dir,
                             " (odrd creates it when it first starts there)"));
  }
  auto signer = AgreementSigner::Create(AgreementKeyPath(f.data_dir));
  if (!signer.ok()) return Fail(signer.status().message());
  std::cout << "key_id " << signer->KeyId() << "\ned25519 "
            << absl::Base64Escape(signer->PublicKey()) << "\n";
  return 0;
}

int LoadCalendar(const AdminFlags& f) {
  std::ifstream in(f.calendar_file, std::ios::binary);
  if (!in) return Fail(absl::StrCat("cannot read ", f.calendar_file));
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  SystemClock clock;
  auto stores = Open(f, &clock);
  if (!stores.ok()) return Fail(stores.status().message());
  storage::CalendarStore calendars(stores->db.get());
  auto year = calendars.SaveYear(json, f.replace, clock.Now());
  if (!year.ok()) return Fail(year.status().message());
  std::cerr << "the working-day calendar of " << year->year
            << " is loaded: " << year->holidays.size() << " holidays, "
            << year->working_weekends.size()
            << " adjusted working weekend days (restart odrd to use it)\n";
  return 0;
}

int ListCalendars(const AdminFlags& f) {
  SystemClock clock;
  auto stores = Open(f, &clock);
  if (!stores.ok()) return Fail(stores.status().message());
  storage::CalendarStore calendars(stores->db.get());
  auto years = calendars.Years();
  if (!years.ok()) return Fail(years.status().message());
  for (int y : *years) std::cout << y << "\n";
  return 0;
}

int ListPrincipals(const AdminFlags& f) {
  SystemClock clock;
  auto stores = Open(f, &clock);
  if (!stores.ok()) return Fail(stores.status().message());
  auto all = stores->principals->List();
  if (!all.ok()) return Fail(all.status().message());
  for (const domain::Principal& p : *all) {
    std::cout << "principals/" << p.id << "\t" << domain::RoleName(p.role) << "\t"
              << (p.organization_id.empty() ? "-" : "organizations/" + p.organization_id) << "\t"
              << (p.court_id.empty() ? "-" : "courts/" + p.court_id)
              << (p.disabled ? "\tdisabled" : "") << "\n";
  }
  return 0;
}

// A court that confirms agreements, with its level and the region it serves (CPL Art. 205).
int CreateCourt(const AdminFlags& f) {
  auto level = domain::CourtLevelFromName(f.court_level);
  if (!level) return Fail("--level must be basic or intermediate");
  SystemClock clock;
  auto stores = Open(f, &clock);
  if (!stores.ok()) return Fail(stores.status().message());
  domain::Court court{std::string(absl::StripPrefix(f.id, "courts/")), f.court_name, f.region,
                      *level};
  if (auto s = storage::CourtStore(stores->db.get()).Create(court); !s.ok()) {
    return Fail(s.message());
  }
  std::cerr << "courts/" << court.id << " (" << court.display_name << ", "
            << domain::CourtLevelName(court.level) << ") serves region " << court.region_code
            << "\n";
  return 0;
}

// Development accounts for ./tools/run: created once, keys written under `keys_out` (0600).
int BootstrapDev(const AdminFlags& f) {
  SystemClock clock;
  auto stores = Open(f, &clock);
  if (!stores.ok()) return Fail(stores.status().message());
  auto all = stores->principals->List();
  if (!all.ok()) return Fail(all.status().message());
  if (!all->empty()) return 0;  // already bootstrapped (or real accounts exist)
  const std::string dir =
      f.keys_out.empty() ? (std::filesystem::path(f.data_dir) / "dev-keys").string() : f.keys_out;
  std::filesystem::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  struct Dev {
    const char* id;
    domain::Role role;
    const char* org;
    const char* court;
    const char* name;
  };
  const Dev devs[] = {
      {"dev-admin", domain::Role::kOrgAdmin, "dev-org", "", "Development organization admin"},
      {"dev-mediator", domain::Role::kMediator, "dev-org", "", "Development mediator"},
      {"dev-court", domain::Role::kCourt, "", "dev-court", "Development court clerk"},
      {"dev-platform-admin", domain::Role::kPlatformAdmin, "", "", "Development platform admin"},
  };
  for (const Dev& d : devs) {
    domain::Principal p;
    p.id = d.id;
    p.role = d.role;
    p.organization_id = d.org;
    p.court_id = d.court;
    p.display_name = d.name;
    auto key = Create(*stores->principals, p, false, f.weak_keys);
    if (!key.ok()) return Fail(key.status().message());
    if (auto s = WriteSecretFile((std::filesystem::path(dir) / (std::string(d.id) + ".key")), *key);
        !s.ok()) {
      return Fail(s.message());
    }
  }
  // The development organization and the dev mediator on its roster.
  storage::SqliteRosterStore roster(stores->db.get(), &clock);
  domain::Organization org;
  org.id = "dev-org";
  org.display_name = "Development mediation committee";
  org.kind = domain::OrganizationKind::kPeoplesMediationCommittee;
  org.region_code = "330681";
  org.affiliated_court_id = "dev-court";
  if (auto o = roster.CreateOrganization(org); !o.ok()) return Fail(o.status().message());
  // The development court: it diverts disputes and confirms agreements of region 330681.
  if (auto c = storage::CourtStore(stores->db.get())
                   .Create({"dev-court", "Development court (诸暨市人民法院)", "330681"});
      !c.ok()) {
    return Fail(c.message());
  }
  domain::Mediator m;
  m.organization_id = "dev-org";
  m.id = "dev-mediator";
  m.display_name = "Development mediator";
  m.specialties = {domain::DisputeType::kMedical, domain::DisputeType::kLabour,
                   domain::DisputeType::kNeighbour, domain::DisputeType::kDebtContract};
  m.languages = {"zh", "zh-wuu"};
  m.region_code = "330681";
  m.max_concurrent_cases = 20;
  m.principal_id = "dev-mediator";
  m.id_number = "330681197001010016";  // a made-up resident ID with a valid check digit
  m.phone = "13600000000";
  if (auto c = roster.CreateMediator(m); !c.ok()) return Fail(c.status().message());
  std::cerr << "development accounts created; API keys in " << dir << "/ (mode 0600); "
            << "organizations/dev-org has mediator organizations/dev-org/mediators/dev-mediator\n";
  return 0;
}

}  // namespace

void AddAdminCommands(CLI::App* app, std::function<int()>* run) {
  auto f = std::make_shared<AdminFlags>();
  CLI::App* admin = app->add_subcommand("admin", "Account administration on a data dir");
  admin->require_subcommand(1);
  admin->fallthrough();  // --data-dir may also follow the subcommand
  admin->add_option("--data-dir", f->data_dir, "the data dir odrd uses")
      ->envname("ODR_DATA_DIR")
      ->capture_default_str();

  CLI::App* create = admin->add_subcommand("create-principal",
                                           "Create an account; prints its API key once on stdout");
  create->add_option("--id", f->id, "the {principal} of principals/{principal}")->required();
  create
      ->add_option("--role", f->role,
                   "citizen | mediator | org_admin | court | partner_app | platform_admin")
      ->required();
  create->add_option("--display-name", f->display_name, "how to address the principal");
  create->add_option("--organization", f->organization, "organizations/{id} (mediator, org_admin)");
  create->add_option("--court", f->court, "courts/{id} (court)");
  create->add_option("--id-type", f->id_type, "citizen's document type (resident_id_card ...)")
      ->capture_default_str();
  create->add_option("--id-number", f->id_number,
                     "citizen's document number: links the citizen to cases naming it");
  create->add_option("--certificate-name", f->certificate_name,
                     "client certificate name (SAN DNS or CN) that authenticates it (mutual TLS)");
  create->add_flag("--no-key", f->no_key, "no API key (e.g. certificate-only court systems)");
  create->add_flag("--weak-key-hashes", f->weak_keys, kWeakKeyHashesHelp);
  create->callback([f, run] { *run = [f] { return CreatePrincipal(*f); }; });

  CLI::App* issue = admin->add_subcommand("issue-key", "Replace a principal's API key");
  issue->add_option("--id", f->id, "the principal")->required();
  issue->callback([f, run] { *run = [f] { return IssueKey(*f); }; });

  CLI::App* disable =
      admin->add_subcommand("disable", "Disable a principal (its tokens stop working at once)");
  disable->add_option("--id", f->id, "the principal")->required();
  disable->callback([f, run] { *run = [f] { return SetDisabled(*f, true); }; });
  CLI::App* enable = admin->add_subcommand("enable", "Enable a disabled principal");
  enable->add_option("--id", f->id, "the principal")->required();
  enable->callback([f, run] { *run = [f] { return SetDisabled(*f, false); }; });

  CLI::App* bulk = admin->add_subcommand(
      "create-principals", "Create many principals from JSON lines (bulk onboarding)");
  bulk->add_option("--file", f->principals_file,
                   "one JSON object a line: id, role, display_name, organization, court, "
                   "id_type, id_number (as create-principal), key (bool), partner")
      ->required();
  bulk->add_option("--keys-out", f->keys_out, "directory for the API keys, {id}.key (mode 0600)");
  bulk->add_flag("--weak-key-hashes", f->weak_keys, kWeakKeyHashesHelp);
  bulk->callback([f, run] { *run = [f] { return CreatePrincipals(*f); }; });
  CLI::App* link = admin->add_subcommand("link", "Let a partner app act for a citizen");
  link->add_option("--partner", f->partner, "principals/{partner app}")->required();
  link->add_option("--citizen", f->citizen, "principals/{citizen}")->required();
  link->callback([f, run] { *run = [f] { return Link(*f); }; });

  CLI::App* rotate =
      admin->add_subcommand("rotate-signing-key", "New token-signing key (restart odrd after)");
  rotate->callback([f, run] { *run = [f] { return RotateSigningKey(*f); }; });

  CLI::App* log_key =
      admin->add_subcommand("log-key", "Print the evidence log's verifier key, for courts to pin");
  log_key->add_option("--log-origin", f->log_origin, "odrd's --log-origin")->capture_default_str();
  log_key->callback([f, run] { *run = [f] { return LogKey(*f); }; });

  CLI::App* video_key = admin->add_subcommand(
      "video-key", "Print the public key (PEM) that verifies video join tokens, for the platform");
  video_key->callback([f, run] { *run = [f] { return VideoKey(*f); }; });
  CLI::App* agreement_key = admin->add_subcommand(
      "agreement-key",
      "Print the key id and public key (base64, raw Ed25519) that verify agreement signatures");
  agreement_key->callback([f, run] { *run = [f] { return AgreementKey(*f); }; });

  CLI::App* load_calendar = admin->add_subcommand(
      "load-calendar",
      "Load one year of the working-day calendar: public holidays and adjusted working weekends");
  load_calendar
      ->add_option("--file", f->calendar_file,
                   "JSON: {\"year\": 2026, \"holidays\": [\"2026-01-01\", ...], "
                   "\"working_weekends\": [\"2026-01-04\", ...]}")
      ->required();
  load_calendar->add_flag("--replace", f->replace, "replace a year already loaded");
  load_calendar->callback([f, run] { *run = [f] { return LoadCalendar(*f); }; });
  CLI::App* list_calendars =
      admin->add_subcommand("list-calendars", "List the years of the working-day calendar");
  list_calendars->callback([f, run] { *run = [f] { return ListCalendars(*f); }; });

  CLI::App* create_court = admin->add_subcommand(
      "create-court", "Register a court that confirms agreements, with the region it serves");
  create_court->add_option("--id", f->id, "the {court} of courts/{court}")->required();
  create_court->add_option("--name", f->court_name, "the court's name, e.g. 诸暨市人民法院")
      ->required();
  create_court
      ->add_option("--region", f->region,
                   "the six-digit administrative division it serves: a county for a basic "
                   "court (330681), a prefecture for an intermediate court (330600)")
      ->required();
  create_court
      ->add_option("--level", f->court_level,
                   "basic (default) or intermediate: an intermediate court confirms only "
                   "intermediate-court matters (CPL Art. 205(二))")
      ->check(CLI::IsMember({"basic", "intermediate"}));
  create_court->callback([f, run] { *run = [f] { return CreateCourt(*f); }; });

  CLI::App* list = admin->add_subcommand("list-principals", "List accounts (no personal data)");
  list->callback([f, run] { *run = [f] { return ListPrincipals(*f); }; });

  CLI::App* dev = admin->add_subcommand(
      "bootstrap-dev", "Create development accounts if there are none (used by ./tools/run)");
  dev->add_option("--keys-out", f->keys_out,
                  "where to write their keys (default DATA_DIR/dev-keys)");
  dev->add_flag("--weak-key-hashes", f->weak_keys, kWeakKeyHashesHelp);
  dev->callback([f, run] { *run = [f] { return BootstrapDev(*f); }; });
}

}  // namespace odr::server

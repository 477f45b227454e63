#include "server/server.h"

#include <arpa/inet.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "server/common/files.h"
#include "server/log.h"
#include "storage/calendar_store.h"

namespace odr::server {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read ", what, " ", path));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A duration as a channel argument: whole milliseconds, at most INT_MAX (gRPC's "unlimited").
int ChannelArgMillis(absl::Duration d) {
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d), INT_MAX));
}

absl::Status CheckTransportLimits(const TransportLimits& t) {
  if (t.max_concurrent_streams < 1) {
    return absl::InvalidArgumentError("max_concurrent_streams must be at least 1");
  }
  if (t.memory_quota_bytes < (int64_t{16} << 20)) {
    return absl::InvalidArgumentError("the memory quota must be at least 16 MiB");
  }
  if (t.max_threads < 4) return absl::InvalidArgumentError("max_threads must be at least 4");
  for (absl::Duration d :
       {t.max_connection_idle, t.max_connection_age, t.max_connection_age_grace, t.keepalive_time,
        t.keepalive_timeout, t.min_client_ping_interval, t.handshake_timeout}) {
    if (d < absl::Seconds(1)) {
      return absl::InvalidArgumentError("connection timeouts must be at least 1s");
    }
  }
  if (t.max_ping_strikes < 1) return absl::InvalidArgumentError("max_ping_strikes must be >= 1");
  return absl::OkStatus();
}

}  // namespace

bool IsLoopbackAddress(absl::string_view listen) {
  absl::string_view host = listen;
  if (absl::ConsumePrefix(&host, "[")) {
    host = host.substr(0, host.find(']'));
  } else if (size_t colon = host.rfind(':'); colon != absl::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host == "localhost" || host == "::1") return true;
  // Only a literal IPv4 address in 127.0.0.0/8: a host *name* such as 127.0.0.1.example.com
  // could resolve anywhere.
  in_addr v4;
  const std::string literal(host);
  return inet_pton(AF_INET, literal.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

absl::Status CreatePrivateDir(const std::string& dir) {
  namespace fs = std::filesystem;
  fs::path path(dir);
  if (!path.has_filename()) path = path.parent_path();  // "data/"
  std::error_code ec;
  // The missing directories, innermost first.
  std::vector<fs::path> missing;
  for (fs::path p = path; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot create directory ", it->string(), ": ",
                       std::error_code(errno, std::generic_category()).message()));
    }
  }
  if (!fs::is_directory(path, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(dir, " is not a directory"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> CheckDataDirModes(const std::string& data_dir) {
  struct stat st;
  std::vector<std::string> open_files, paths;
  for (const char* name : {"odr.db", "odr.db-wal", "odr.db-shm", "odr.db-journal"}) {
    const std::string path = (std::filesystem::path(data_dir) / name).string();
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot stat ", path, ": ", std::error_code(errno, std::generic_category()).message()));
    }
    if ((st.st_mode & 077) != 0) {
      open_files.push_back(absl::StrFormat("%s (mode %04o)", path, st.st_mode & 07777));
      paths.push_back(path);
    }
  }
  if (!open_files.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to start: group or others may access the database, which holds personal data: ",
        absl::StrJoin(open_files, ", "), "; fix: chmod 600 ", absl::StrJoin(paths, " ")));
  }
  std::vector<std::string> warnings;
  if (::stat(data_dir.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    warnings.push_back(absl::StrFormat(
        "data dir %s has mode %04o: group or others may list or enter it; fix: chmod 700 %s",
        data_dir, st.st_mode & 07777, data_dir));
  }
  return warnings;
}

std::string JoinKeyPath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "appointments" / "join-signing-key.pem").string();
}

std::string LogSigningKeyPath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "evidence" / "log-signing-key.pem").string();
}

absl::StatusOr<std::unique_ptr<OdrServer>> OdrServer::Start(const ServerOptions& options,
                                                            Clock* clock, IdGenerator* ids) {
  if (options.workers < 1 || options.workers > 256) {
    return absl::InvalidArgumentError("workers must be between 1 and 256");
  }
  if (absl::Status st = CheckTransportLimits(options.transport); !st.ok()) return st;
  // The data dir holds personal data and keys: odrd creates it and every directory in it 0700, and
  // files 0600 (main() also sets the umask to 077). It refuses a database others may read.
  if (absl::Status st = CreatePrivateDir(options.data_dir); !st.ok()) return st;
  auto mode_warnings = CheckDataDirModes(options.data_dir);
  if (!mode_warnings.ok()) return mode_warnings.status();
  for (const std::string& w : *mode_warnings) log::Warn("data_dir_mode", {{"warning", w}});
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  if (options.tls_cert_file.empty()) {
    if (!options.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError("--tls-client-ca needs --tls-cert and --tls-key");
    }
    if (!IsLoopbackAddress(options.listen)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to serve plaintext on ", options.listen,
          ": pass --tls-cert and --tls-key, or listen on a loopback address (development mode)"));
    }
    credentials = grpc::InsecureServerCredentials();
  } else {
    grpc::SslServerCredentialsOptions ssl;
    auto cert = ReadFile(options.tls_cert_file, "TLS certificate");
    if (!cert.ok()) return cert.status();
    auto key = ReadFile(options.tls_key_file, "TLS key");
    if (!key.ok()) return key.status();
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    if (!options.tls_client_ca_file.empty()) {
      auto ca = ReadFile(options.tls_client_ca_file, "client CA");
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = *ca;
      ssl.client_certificate_request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    credentials = grpc::SslServerCredentials(ssl);
  }
  std::unique_ptr<OdrServer> s(new OdrServer());
  storage::Database::Options db_options;
  db_options.path = (std::filesystem::path(options.data_dir) / "odr.db").string();
  db_options.readers = options.workers;
  db_options.durability = options.durability;
  auto db = storage::Database::Open(db_options);
  if (!db.ok()) return db.status();
  s->db_ = std::move(*db);
  // The statutory clock counts in the working-day calendar the operator loaded (odrd admin
  // load-calendar); years not loaded count weekdays only and their deadlines say so.
  auto calendar = storage::CalendarStore(s->db_.get()).Load();
  if (!calendar.ok()) return calendar.status();
  s->calendar_ = std::move(*calendar);
  s->statutory_ = std::make_unique<domain::StatutoryClock>(
      &s->calendar_, domain::ClockConfig{options.deadline_warning, options.reminder_offsets});
  s->store_ =
      std::make_unique<storage::SqliteCaseStore>(s->db_.get(), clock, ids, s->statutory_.get());
  // The secret that keys parties' busy intervals (HMAC of their identity documents).
  if (absl::Status st =
          CreatePrivateDir((std::filesystem::path(options.data_dir) / "appointments").string());
      !st.ok()) {
    return st;
  }
  auto person_secret = files::LoadOrCreateSecretFile(
      (std::filesystem::path(options.data_dir) / "appointments" / "person-key").string(), 64,
      [&s]() -> absl::StatusOr<std::string> {
        std::string secret(32, '\0');
        if (absl::Status r =
                s->random_.Fill(reinterpret_cast<uint8_t*>(secret.data()), secret.size());
            !r.ok()) {
          return r;
        }
        return secret;
      });
  if (!person_secret.ok()) return person_secret.status();
  s->schedule_ = std::make_unique<storage::ScheduleStore>(
      s->db_.get(), clock, ids, s->statutory_.get(), storage::PersonKeys(*person_secret));
  s->principals_ = std::make_unique<storage::SqlitePrincipalStore>(s->db_.get(), clock);
  s->access_ = std::make_unique<storage::SqliteAccessLog>(s->db_.get());
  auto keys =
      auth::KeyRing::LoadOrCreate((std::filesystem::path(options.data_dir) / "keys").string());
  if (!keys.ok()) return keys.status();
  s->keys_ = std::move(*keys);
  // Tokens expire and rate limits refill in wall time, also when case time is simulated.
  Clock* wall = options.simulated_clock != nullptr ? &s->wall_clock_ : clock;
  s->authenticator_ =
      std::make_unique<Authenticator>(s->principals_.get(), s->keys_.get(), wall, options.auth);
  // Three sets of buckets: per principal; and per client address, CreateToken apart from failed
  // authentication, so that a flood of bad tokens does not lock an address out of logging in.
  const auto or_default = [](double value, double fallback) {
    return value < 0 ? fallback : value;
  };
  s->limiter_ = std::make_unique<RateLimiter>(options.rate_limit, options.rate_burst, wall);
  s->login_limiter_ =
      std::make_unique<RateLimiter>(or_default(options.login_rate_limit, options.rate_limit),
                                    or_default(options.login_rate_burst, options.rate_burst), wall);
  s->auth_failure_limiter_ = std::make_unique<RateLimiter>(
      or_default(options.auth_failure_rate_limit, options.rate_limit),
      or_default(options.auth_failure_rate_burst, options.rate_burst), wall);
  s->trusted_proxies_ = options.trusted_proxies;
  s->pool_ = std::make_unique<boost::asio::thread_pool>(options.workers);
  s->runner_ =
      std::make_unique<RpcRunner>(s->pool_.get(), s->authenticator_.get(),
                                  RpcLimits{s->limiter_.get(), s->login_limiter_.get(),
                                            s->auth_failure_limiter_.get(), &s->trusted_proxies_});
  s->roster_ = std::make_unique<storage::SqliteRosterStore>(s->db_.get(), clock);
  s->records_ = std::make_unique<storage::RecordStore>(s->db_.get(), s->store_.get(), ids);
  s->case_service_ = std::make_unique<CaseServiceImpl>(
      s->runner_.get(), s->store_.get(), s->principals_.get(), s->roster_.get(), s->access_.get(),
      s->records_.get(), clock, &s->hub_);
  auto join = JoinTokenSigner::Create(JoinKeyPath(options.data_dir), options.video_url_template);
  if (!join.ok()) return join.status();
  s->join_ = std::make_unique<JoinTokenSigner>(std::move(*join));
  s->appointment_service_ = std::make_unique<AppointmentServiceImpl>(
      s->runner_.get(), s->store_.get(), s->schedule_.get(), s->access_.get(), &s->calendar_,
      s->join_.get(), clock);
  s->deadline_service_ = std::make_unique<DeadlineServiceImpl>(s->runner_.get(), s->store_.get(),
                                                               s->access_.get(), clock);
  s->engine_ = std::make_unique<DeadlineEngine>(s->store_.get(), clock);
  // Settlement agreements: signatures by the server's key on each signer's consent (ADR 0012).
  if (absl::Status st = CreatePrivateDir(
          std::filesystem::path(AgreementKeyPath(options.data_dir)).parent_path().string());
      !st.ok()) {
    return st;
  }
  auto agreement_signer = AgreementSigner::Create(AgreementKeyPath(options.data_dir));
  if (!agreement_signer.ok()) return agreement_signer.status();
  s->agreement_signer_ = std::make_unique<AgreementSigner>(std::move(*agreement_signer));
  s->agreements_ = std::make_unique<storage::AgreementStore>(
      s->db_.get(), s->store_.get(), ids, s->statutory_.get(), s->agreement_signer_.get());
  s->agreement_service_ = std::make_unique<AgreementServiceImpl>(
      s->runner_.get(), s->agreements_.get(), s->access_.get(), clock);
  // Every commit that appended a case event wakes the watch streams and the deadline engine
  // (a new deadline or reminder may be due sooner than the engine's next look).
  s->db_->SetEventListener([srv = s.get()] {
    srv->hub_.Notify();
    srv->engine_->Wake();
  });
  s->roster_service_ =
      std::make_unique<RosterServiceImpl>(s->runner_.get(), s->roster_.get(), s->principals_.get());
  s->auth_service_ = std::make_unique<AuthServiceImpl>(s->runner_.get(), s->authenticator_.get());
  s->audit_service_ = std::make_unique<AuditServiceImpl>(s->runner_.get(), s->access_.get());

  // Evidence: the log's signing key, the master key, the blob directory; then recovery of what a
  // crash left, before any call is served.
  const std::filesystem::path data_dir(options.data_dir);
  if (absl::Status st = CreatePrivateDir((data_dir / "evidence").string()); !st.ok()) return st;
  auto signer = transparency::NoteSigner::LoadOrCreate(LogSigningKeyPath(options.data_dir),
                                                       options.log_origin);
  if (!signer.ok()) return signer.status();
  s->log_signer_ = std::make_unique<transparency::NoteSigner>(std::move(*signer));
  auto master = storage::MasterKey::LoadOrCreate(options.evidence_key_file.empty()
                                                     ? (data_dir / "evidence-master.key").string()
                                                     : options.evidence_key_file,
                                                 s->random_);
  if (!master.ok()) return master.status();
  auto blobs =
      storage::BlobStore::Open((data_dir / "evidence").string(), std::move(*master), &s->random_);
  if (!blobs.ok()) return blobs.status();
  s->blobs_ = std::move(*blobs);
  s->evidence_ = std::make_unique<storage::EvidenceStore>(s->db_.get(), s->log_signer_.get());
  if (absl::Status st = s->evidence_->Initialize(clock->Now()); !st.ok()) return st;
  s->evidence_service_ = std::make_unique<EvidenceServiceImpl>(
      s->runner_.get(), s->store_.get(), s->evidence_.get(), s->blobs_.get(), s->access_.get(),
      s->log_signer_.get(), clock, ids, options.evidence);
  if (absl::Status st = s->evidence_service_->Recover(); !st.ok()) return st;
  // Judicial confirmation and the courts' side (reads agreements and evidence proofs).
  s->confirmations_ = std::make_unique<storage::ConfirmationStore>(s->db_.get(), s->store_.get(),
                                                                   clock, ids, s->statutory_.get());
  s->confirmation_service_ = std::make_unique<ConfirmationServiceImpl>(
      s->runner_.get(), s->store_.get(), s->confirmations_.get(), s->agreements_.get(),
      s->evidence_.get(), s->records_.get(), s->access_.get(), s->agreement_signer_.get(), clock);
  s->stats_ = std::make_unique<storage::StatsStore>(s->db_.get(), clock, ids);
  s->court_service_ =
      std::make_unique<CourtServiceImpl>(s->runner_.get(), s->store_.get(), s->confirmations_.get(),
                                         s->stats_.get(), s->access_.get(), clock);
  s->stats_service_ =
      std::make_unique<StatsServiceImpl>(s->runner_.get(), s->stats_.get(), s->roster_.get());
  if (options.simulated_clock != nullptr) {
    s->simulation_service_ = std::make_unique<SimulationServiceImpl>(
        s->runner_.get(), options.simulated_clock, s->engine_.get());
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, credentials, &s->port_);
  builder.RegisterService(s->case_service_.get());
  builder.RegisterService(s->auth_service_.get());
  builder.RegisterService(s->audit_service_.get());
  builder.RegisterService(s->roster_service_.get());
  builder.RegisterService(s->evidence_service_.get());
  builder.RegisterService(s->appointment_service_.get());
  builder.RegisterService(s->deadline_service_.get());
  builder.RegisterService(s->agreement_service_.get());
  builder.RegisterService(s->confirmation_service_.get());
  builder.RegisterService(s->court_service_.get());
  builder.RegisterService(s->stats_service_.get());
  if (s->simulation_service_) builder.RegisterService(s->simulation_service_.get());
  // Explicit size limits: a larger message is RESOURCE_EXHAUSTED before it is parsed. Metadata
  // may be up to 16 KiB so that an oversized token reaches the authenticator and gets
  // UNAUTHENTICATED rather than a transport error.
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, 16 * 1024);
  // Limits on what one client can hold (docs/operations.md); 1.51 has no fix for HTTP/2 Rapid
  // Reset (CVE-2023-44487), against which only a patched proxy in front helps.
  const TransportLimits& limits = options.transport;
  // Streams open at once on one connection: more are refused (REFUSED_STREAM); gRPC clients queue
  // them. Bounds the calls (reactors, buffers) a single connection can pin.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, limits.max_concurrent_streams);
  // Memory of all transports and calls in gRPC: under pressure gRPC cancels streams (
  // RESOURCE_EXHAUSTED) and closes idle connections instead of growing. Threads: gRPC's sync
  // server threads (reflection), so that a flood of such calls cannot spawn threads without end.
  grpc::ResourceQuota quota("odrd");
  quota.Resize(static_cast<size_t>(limits.memory_quota_bytes));
  quota.SetMaxThreads(limits.max_threads);
  builder.SetResourceQuota(quota);
  // A connection with no call for this long gets GOAWAY: idle connections do not pile up.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             ChannelArgMillis(limits.max_connection_idle));
  // Every connection gets GOAWAY at this age, and calls still open after the grace are cancelled:
  // bounds how long an idle upload or a forgotten watch stream holds its stream (clients resume).
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             ChannelArgMillis(limits.max_connection_age));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             ChannelArgMillis(limits.max_connection_age_grace));
  // odrd pings quiet connections and drops those that do not answer: a vanished peer (no FIN)
  // does not hold its streams, staging files and upload locks until the age limit.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, ChannelArgMillis(limits.keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             ChannelArgMillis(limits.keepalive_timeout));
  // Ping floods: a client pinging more often than this (without data) gets a strike, and after
  // max_ping_strikes a GOAWAY (ENHANCE_YOUR_CALM).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             ChannelArgMillis(limits.min_client_ping_interval));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, limits.max_ping_strikes);
  // Slow or half-done TLS handshakes (slowloris) release their socket after this.
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             ChannelArgMillis(limits.handshake_timeout));
  // HTTP/2 frames and the HPACK dynamic table at the protocol's minimum defaults, stated: a
  // client cannot make odrd buffer bigger frames or keep a bigger header table per connection.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_FRAME_SIZE, 16 * 1024);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_HPACK_TABLE_SIZE_DECODER, 4096);
  // A second odrd must fail to bind a port in use, not silently share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    s->pool_->join();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  s->server_->GetHealthCheckService()->SetServingStatus(true);
  if (options.run_deadline_engine) s->engine_->Start();
  log::Info("started", {{"listen", options.listen},
                        {"port", s->port_},
                        {"schema_version", s->db_->schema_version()},
                        {"workers", options.workers},
                        {"tls", !options.tls_cert_file.empty()},
                        {"mutual_tls", !options.tls_client_ca_file.empty()},
                        {"trusted_proxies", options.trusted_proxies.size()}});
  return s;
}

void OdrServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  log::Info("shutting_down", {{"grace_ms", absl::ToInt64Milliseconds(grace)}});
  server_->GetHealthCheckService()->SetServingStatus(false);
  engine_->Stop();
  hub_.Close();  // ends the watch streams, so that they do not hold up the shutdown
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
  pool_->join();
  log::Info("stopped");
}

OdrServer::~OdrServer() {
  if (server_ != nullptr) Shutdown(absl::Seconds(5));
}

}  // namespace odr::server

// OdrServer: the gRPC server with its services, health and reflection, the worker pool, and the
// database. odrd's main() and in-process tests both use it.
#ifndef ODR_SERVER_SERVER_H_
#define ODR_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/agreement_service.h"
#include "server/agreement_signer.h"
#include "server/appointment_service.h"
#include "server/auth/client_address.h"
#include "server/auth/token.h"
#include "server/auth_service.h"
#include "server/authenticator.h"
#include "server/case_service.h"
#include "server/confirmation_service.h"
#include "server/court_service.h"
#include "server/deadline_engine.h"
#include "server/deadline_service.h"
#include "server/domain/clock.h"
#include "server/domain/statutory_clock.h"
#include "server/domain/working_calendar.h"
#include "server/event_hub.h"
#include "server/evidence_service.h"
#include "server/join_token.h"
#include "server/rate_limiter.h"
#include "server/roster_service.h"
#include "server/rpc_runner.h"
#include "server/stats_service.h"
#include "storage/access_log.h"
#include "storage/blob_store.h"
#include "storage/evidence_store.h"
#include "storage/principal_store.h"
#include "storage/roster_store.h"
#include "storage/schedule_store.h"
#include "storage/sqlite_case_store.h"
#include "storage/sqlite_db.h"

namespace odr::server {

// Transport limits that bound what one hostile or broken client can hold: streams, memory,
// idle and long-lived connections, pings, handshakes (docs/operations.md). Debian's gRPC 1.51 has
// no fix for HTTP/2 Rapid Reset (CVE-2023-44487): in production odrd sits behind a patched proxy.
struct TransportLimits {
  // Streams open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS).
  int max_concurrent_streams = 100;
  // gRPC's resource quota: memory for all connections and calls, and gRPC's own server threads.
  int64_t memory_quota_bytes = int64_t{256} << 20;
  int max_threads = 64;
  // A connection without calls for this long is closed (GOAWAY).
  absl::Duration max_connection_idle = absl::Minutes(5);
  // Every connection is closed after about this long (GOAWAY, +-10% jitter); calls still open
  // after the grace are cancelled.
  absl::Duration max_connection_age = absl::Minutes(30);
  absl::Duration max_connection_age_grace = absl::Minutes(5);
  // odrd pings a connection this quiet, and drops it if the ping is not answered in the timeout.
  absl::Duration keepalive_time = absl::Minutes(1);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // A client may ping at most this often without sending data; more than max_ping_strikes
  // pings faster and odrd closes the connection (GOAWAY ENHANCE_YOUR_CALM).
  absl::Duration min_client_ping_interval = absl::Seconds(30);
  int max_ping_strikes = 2;
  // A connection must finish its TLS handshake and HTTP/2 preface within this.
  absl::Duration handshake_timeout = absl::Seconds(10);
};

struct ServerOptions {
  std::string listen = "127.0.0.1:50051";  // host:port; port 0 picks a free one
  std::string data_dir = "./var";          // created if absent; holds odr.db and keys/
  int workers = 16;  // threads for storage work (they mostly wait on the disk)
  // What an acknowledged write survives: power loss (synchronous=FULL, the default) or only a
  // crash of odrd (synchronous=NORMAL). docs/operations.md, "Durability modes".
  storage::Durability durability = storage::Durability::kPowerLoss;
  // TLS. Without a certificate odrd serves plaintext, and only on a loopback address
  // (development mode); with tls_client_ca it asks clients for certificates and verifies them
  // (mutual TLS for court systems; clients without one authenticate with tokens).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  AuthConfig auth;
  double rate_limit = 50;   // calls a second per principal; <= 0 disables
  double rate_burst = 100;  // bucket size
  // Per client address, each in buckets of its own: CreateToken calls (every attempt), and failed
  // authentications of the other methods. Negative: rate_limit and rate_burst; <= 0 disables.
  double login_rate_limit = -1;
  double login_rate_burst = -1;
  double auth_failure_rate_limit = -1;
  double auth_failure_rate_burst = -1;
  // Reverse proxies whose x-real-ip header names the client that the per-address limits count;
  // none by default (every client is its TCP peer). docs/operations.md, "Behind nginx".
  auth::TrustedProxies trusted_proxies;
  int max_message_bytes = 4 * 1024 * 1024;
  TransportLimits transport;
  EvidenceOptions evidence;
  // The 32-byte master key that wraps evidence data keys; created if absent. Empty: in data_dir
  // ("evidence-master.key"). In production keep it off the data volume (docs/evidence.md).
  std::string evidence_key_file;
  // The evidence log's origin: the first line of its checkpoints and the name of its key.
  std::string log_origin = "odr/evidence-log";
  // Join links of video appointments: must contain {token}; may contain {appointment} and
  // {participant} (docs/appointments.md).
  std::string video_url_template = "https://video.invalid/join/{appointment}?token={token}";
  // How long before a statutory deadline it warns (at most half the period), and when the
  // reminders of an appointment fire.
  absl::Duration deadline_warning = absl::Hours(72);
  std::vector<absl::Duration> reminder_offsets = {absl::Hours(24), absl::Hours(1)};
  // Whether to run the deadline engine (tests that drive it themselves turn it off).
  bool run_deadline_engine = true;
  // Simulated-time mode (test and demonstration data only): the same clock as Start's `clock`;
  // SimulationService moves it. Tokens and rate limits keep to wall time.
  FakeClock* simulated_clock = nullptr;
};

// Where the key that signs video join tokens lives in a data dir.
std::string JoinKeyPath(const std::string& data_dir);

// Where the evidence log's signing key lives in a data dir.
std::string LogSigningKeyPath(const std::string& data_dir);

// True for 127.0.0.0/8, ::1 and localhost (with a port).
bool IsLoopbackAddress(absl::string_view listen);

// Creates directory `dir` and any missing parents, each with mode 0700 (whatever the umask), if
// it does not exist. FAILED_PRECONDITION naming `dir` if it cannot, or if it is not a directory.
// For data dirs, their subdirectories and backups: they hold personal data and keys.
absl::Status CreatePrivateDir(const std::string& dir);

// The database files of `data_dir` (odr.db, odr.db-wal, odr.db-shm, odr.db-journal) that exist
// must give group and others no access: FAILED_PRECONDITION naming each that does, with its mode,
// and the fix (chmod 600 FILE...). SQLite creates -wal and -shm with the database's mode.
// Returns warnings for the log: the data dir itself when group or others may access it (chmod 700
// DIR). odrd checks this at start (docs/operations.md, "File modes").
absl::StatusOr<std::vector<std::string>> CheckDataDirModes(const std::string& data_dir);

class OdrServer {
 public:
  // Opens (and migrates) the database and the signing keys, starts listening, and sets health to
  // SERVING. FAILED_PRECONDITION for plaintext on a non-loopback address. `clock` and `ids` must
  // outlive the server.
  static absl::StatusOr<std::unique_ptr<OdrServer>> Start(const ServerOptions& options,
                                                          Clock* clock, IdGenerator* ids);
  ~OdrServer();

  // The port actually bound.
  int port() const { return port_; }

  // Turns health NOT_SERVING, stops accepting calls, lets calls in flight finish for up to
  // `grace` (then cancels them), and joins the worker pool. Idempotent; call from one thread.
  void Shutdown(absl::Duration grace);

  // The deadline engine (for tests in simulated time: Wake() after moving the clock).
  DeadlineEngine* deadline_engine() { return engine_.get(); }

 private:
  OdrServer() = default;

  int port_ = 0;
  bool shut_down_ = false;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<storage::SqliteCaseStore> store_;
  std::unique_ptr<storage::SqlitePrincipalStore> principals_;
  std::unique_ptr<storage::SqliteAccessLog> access_;
  std::unique_ptr<storage::SqliteRosterStore> roster_;
  std::unique_ptr<auth::KeyRing> keys_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<RateLimiter> login_limiter_;
  std::unique_ptr<RateLimiter> auth_failure_limiter_;
  auth::TrustedProxies trusted_proxies_;
  std::unique_ptr<boost::asio::thread_pool> pool_;
  std::unique_ptr<RpcRunner> runner_;
  std::unique_ptr<CaseServiceImpl> case_service_;
  std::unique_ptr<AuthServiceImpl> auth_service_;
  std::unique_ptr<AuditServiceImpl> audit_service_;
  std::unique_ptr<RosterServiceImpl> roster_service_;
  storage::OsRandom random_;
  std::unique_ptr<transparency::NoteSigner> log_signer_;
  std::unique_ptr<storage::BlobStore> blobs_;
  std::unique_ptr<storage::EvidenceStore> evidence_;
  std::unique_ptr<EvidenceServiceImpl> evidence_service_;
  domain::WorkingCalendar calendar_;
  std::unique_ptr<domain::StatutoryClock> statutory_;
  std::unique_ptr<storage::ScheduleStore> schedule_;
  std::unique_ptr<JoinTokenSigner> join_;
  EventHub hub_;
  std::unique_ptr<AppointmentServiceImpl> appointment_service_;
  std::unique_ptr<DeadlineServiceImpl> deadline_service_;
  std::unique_ptr<DeadlineEngine> engine_;
  std::unique_ptr<AgreementSigner> agreement_signer_;
  std::unique_ptr<storage::AgreementStore> agreements_;
  std::unique_ptr<storage::RecordStore> records_;
  std::unique_ptr<AgreementServiceImpl> agreement_service_;
  std::unique_ptr<storage::ConfirmationStore> confirmations_;
  std::unique_ptr<ConfirmationServiceImpl> confirmation_service_;
  std::unique_ptr<storage::StatsStore> stats_;
  std::unique_ptr<StatsServiceImpl> stats_service_;
  std::unique_ptr<SimulationServiceImpl> simulation_service_;
  SystemClock wall_clock_;
  std::unique_ptr<CourtServiceImpl> court_service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_SERVER_H_

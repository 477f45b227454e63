// odrd: the odr daemon.
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "server/admin.h"
#include "server/auth/client_address.h"
#include "server/domain/clock.h"
#include "server/log.h"
#include "server/maintenance.h"
#include "server/server.h"

int main(int argc, char** argv) {
  // Everything odrd creates (the data dir and what is in it: the database and SQLite's -wal and
  // -shm, keys, blobs; backups; the port file) is for its own user only: directories 0700, files
  // 0600, in every subcommand. docs/operations.md, "File modes".
  ::umask(077);
  CLI::App app{"odrd: online dispute resolution case-management service"};
  odr::server::ServerOptions options;
  std::string log_level = "info";
  std::string port_file;
  double grace_seconds = 10;
  app.add_option("--listen", options.listen, "address to listen on, host:port (port 0: any)")
      ->envname("ODR_LISTEN")
      ->capture_default_str();
  app.add_option("--data-dir", options.data_dir, "directory for the database (created if absent)")
      ->envname("ODR_DATA_DIR")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "debug, info, warn or error")
      ->envname("ODR_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--workers", options.workers, "threads for storage work")
      ->envname("ODR_WORKERS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--durability", options.durability,
                 "what an acknowledged write survives: power-loss (fsync every commit) or "
                 "process-crash (fsync at checkpoints only); docs/operations.md")
      ->envname("ODR_DURABILITY")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, odr::storage::Durability>{
              {"power-loss", odr::storage::Durability::kPowerLoss},
              {"process-crash", odr::storage::Durability::kProcessCrash}},
          CLI::ignore_case))
      ->capture_default_str();
  app.add_option("--shutdown-grace", grace_seconds,
                 "seconds that calls in flight may take to finish on SIGTERM")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_option("--port-file", port_file, "write the bound port to this file once serving");
  app.add_option("--tls-cert", options.tls_cert_file, "PEM certificate chain for TLS")
      ->envname("ODR_TLS_CERT");
  app.add_option("--tls-key", options.tls_key_file, "PEM private key for TLS")
      ->envname("ODR_TLS_KEY");
  app.add_option("--tls-client-ca", options.tls_client_ca_file,
                 "PEM CA bundle: request and verify client certificates (mutual TLS)")
      ->envname("ODR_TLS_CLIENT_CA");
  double token_ttl_seconds = 3600;
  app.add_option("--token-ttl", token_ttl_seconds, "lifetime of issued bearer tokens, seconds")
      ->check(CLI::Range(60.0, 86400.0))
      ->capture_default_str();
  app.add_option("--token-issuer", options.auth.issuer, "iss of issued tokens")
      ->capture_default_str();
  app.add_option("--rate-limit", options.rate_limit,
                 "calls a second per principal (token bucket); 0 disables")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  app.add_option("--rate-burst", options.rate_burst, "bucket size of the rate limit")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  // Per client address, in buckets of their own (docs/security.md, "Limits").
  app.add_option("--login-rate-limit", options.login_rate_limit,
                 "CreateToken calls a second per client address, successful or not; 0 disables "
                 "(default: --rate-limit)")
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--login-rate-burst", options.login_rate_burst,
                 "bucket size of the login limit (default: --rate-burst)")
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--auth-failure-rate-limit", options.auth_failure_rate_limit,
                 "failed authentications a second per client address; 0 disables (default: "
                 "--rate-limit)")
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--auth-failure-rate-burst", options.auth_failure_rate_burst,
                 "bucket size of the failed-authentication limit (default: --rate-burst)")
      ->check(CLI::Range(1.0, 1e6));
  std::vector<std::string> trusted_proxies;
  app.add_option("--trusted-proxy", trusted_proxies,
                 "a reverse proxy's address range (CIDR, e.g. 127.0.0.1/32): calls from it are "
                 "counted under the client address it sends in x-real-ip; repeatable; default none")
      ->type_name("CIDR")
      ->allow_extra_args(false)
      ->delimiter(',')
      ->envname("ODR_TRUSTED_PROXIES");
  // HTTP/2 limits against hostile clients (docs/operations.md).
  odr::server::TransportLimits& transport = options.transport;
  app.add_option("--max-concurrent-streams", transport.max_concurrent_streams,
                 "calls open at once on one client connection")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  int64_t memory_quota_mib = transport.memory_quota_bytes >> 20;
  app.add_option("--grpc-memory-quota-mib", memory_quota_mib,
                 "memory gRPC may use for connections and calls, MiB")
      ->check(CLI::Range(int64_t{16}, int64_t{1} << 20))
      ->capture_default_str();
  struct DurationFlag {
    const char* name;
    const char* help;
    absl::Duration* value;
    std::string text;
  };
  DurationFlag duration_flags[] = {
      {"--max-connection-idle", "a connection with no call is closed after this",
       &transport.max_connection_idle, ""},
      {"--max-connection-age", "every connection is closed (GOAWAY) after about this",
       &transport.max_connection_age, ""},
      {"--max-connection-age-grace", "then calls still open get this long to end",
       &transport.max_connection_age_grace, ""},
      {"--keepalive-time", "a quiet connection is pinged after this (and dropped if silent)",
       &transport.keepalive_time, ""},
  };
  for (DurationFlag& f : duration_flags) {
    f.text = absl::FormatDuration(*f.value);
    app.add_option(f.name, f.text, f.help)->capture_default_str();
  }
  app.add_option("--evidence-key-file", options.evidence_key_file,
                 "32-byte master key wrapping evidence data keys (created if absent; default "
                 "DATA_DIR/evidence-master.key)")
      ->envname("ODR_EVIDENCE_KEY_FILE");
  app.add_option("--evidence-max-file-bytes", options.evidence.limits.max_file_bytes,
                 "largest evidence file")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--evidence-case-quota-bytes", options.evidence.limits.case_quota_bytes,
                 "live evidence per case")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 50))
      ->capture_default_str();
  app.add_option("--evidence-principal-quota-bytes", options.evidence.limits.principal_quota_bytes,
                 "live evidence one principal uploaded")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 50))
      ->capture_default_str();
  app.add_option("--log-origin", options.log_origin,
                 "origin line of the evidence log's checkpoints and name of its key")
      ->capture_default_str();
  app.add_option("--video-url-template", options.video_url_template,
                 "join link of video appointments; {token} (required), {appointment}, "
                 "{participant} are filled in")
      ->capture_default_str();
  std::string deadline_warning = "72h";
  app.add_option("--deadline-warning", deadline_warning,
                 "how long before a statutory deadline it warns (at most half the period)")
      ->capture_default_str();
  std::string reminders = "24h,1h";
  app.add_option("--appointment-reminders", reminders,
                 "when reminders fire before an appointment, comma-separated durations")
      ->capture_default_str();
  std::string simulated_time;
  app.add_option("--simulated-time", simulated_time,
                 "test and demonstration data only: case time starts at this RFC 3339 instant and "
                 "moves only by SimulationService.AdvanceClock (platform admins)");
  std::function<int()> admin;
  odr::server::AddAdminCommands(&app, &admin);
  odr::server::AddMaintenanceCommands(&app, &admin);
  CLI11_PARSE(app, argc, argv);
  if (admin) return admin();
  options.auth.token_ttl = absl::Seconds(token_ttl_seconds);
  if (auto proxies = odr::auth::TrustedProxies::Parse(trusted_proxies); proxies.ok()) {
    options.trusted_proxies = *std::move(proxies);
  } else {
    std::cerr << "--trusted-proxy: " << proxies.status().message() << "\n";
    return 2;
  }
  if (!absl::ParseDuration(deadline_warning, &options.deadline_warning) ||
      options.deadline_warning < absl::ZeroDuration()) {
    std::cerr << "--deadline-warning: not a duration (e.g. 72h)\n";
    return 2;
  }
  transport.memory_quota_bytes = memory_quota_mib << 20;
  for (DurationFlag& f : duration_flags) {
    if (!absl::ParseDuration(f.text, f.value) || *f.value < absl::Seconds(1)) {
      std::cerr << f.name << ": not a duration of at least 1s (e.g. 30m)\n";
      return 2;
    }
  }
  options.reminder_offsets.clear();
  for (absl::string_view r : absl::StrSplit(reminders, ',', absl::SkipEmpty())) {
    absl::Duration d;
    if (!absl::ParseDuration(absl::StripAsciiWhitespace(r), &d) || d <= absl::ZeroDuration()) {
      std::cerr << "--appointment-reminders: not a list of durations (e.g. 24h,1h)\n";
      return 2;
    }
    options.reminder_offsets.push_back(d);
  }

  if (auto s = odr::log::Init(log_level); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }

  // Block the termination signals in every thread; this one waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  odr::SystemClock system_clock;
  std::unique_ptr<odr::FakeClock> simulated;
  odr::Clock* clock = &system_clock;
  if (!simulated_time.empty()) {
    absl::Time start;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, simulated_time, &start, &error)) {
      std::cerr << "--simulated-time: not an RFC 3339 time (e.g. 2026-01-05T09:00:00+08:00)\n";
      return 2;
    }
    simulated = std::make_unique<odr::FakeClock>(start);
    clock = simulated.get();
    options.simulated_clock = simulated.get();
  }
  odr::RandomIdGenerator ids;
  auto server = odr::server::OdrServer::Start(options, clock, &ids);
  if (!server.ok()) {
    odr::log::Error("start_failed", {{"error", std::string(server.status().message())}});
    return 1;
  }
  if (!port_file.empty()) {
    std::string tmp = port_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << (*server)->port() << "\n";
    }
    std::rename(tmp.c_str(), port_file.c_str());
  }
  int sig = 0;
  sigwait(&signals, &sig);
  odr::log::Info("signal", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*server)->Shutdown(absl::Milliseconds(static_cast<int64_t>(grace_seconds * 1000)));
  return 0;
}

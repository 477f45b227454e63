// The odr command line's profiles: named sets of settings (odrd's address, its CA, and the bearer
// token of `odr auth login`) in $XDG_CONFIG_HOME/odr/config.json (else ~/.config/odr/config.json),
// a file only its owner may read. Not thread-safe; meant for one command run.
//
// File format (keys this version does not know are kept when the file is rewritten):
//   {"profiles": {"default": {"server": "127.0.0.1:50051", "tls_ca": "/abs/ca.pem", "tls": true,
//                             "principal": "principals/dev-admin", "token": "...",
//                             "token_expire_time": "2026-03-01T10:00:00Z"}}}
#ifndef ODR_CLIENT_CLI_CONFIG_H_
#define ODR_CLIENT_CLI_CONFIG_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace odr::cli {

// One profile's settings. Empty strings are absent.
struct Profile {
  // odrd's address, host:port.
  std::string server;
  // Absolute path of the PEM CA bundle that odrd's certificate chains to.
  std::string tls_ca;
  // Use TLS (with the system's roots unless tls_ca) even to a loopback address.
  bool tls = false;
  // Whom the token stands for, principals/{id}.
  std::string principal;
  // The bearer token from AuthService.CreateToken. Secret: never printed.
  std::string token;
  std::optional<absl::Time> token_expire_time;
};

// The config file for these environment values (either may be null): $XDG_CONFIG_HOME/odr/
// config.json when XDG_CONFIG_HOME is an absolute path, else $HOME/.config/odr/config.json.
// FAILED_PRECONDITION when neither is usable.
absl::StatusOr<std::string> ConfigFilePath(const char* xdg_config_home, const char* home);

// Profile names: 1-64 of A-Z a-z 0-9 . _ -.
bool ValidProfileName(absl::string_view name);

// Writes `contents` to `path` so that readers see the old or the new file, never a part: a new
// file beside it (O_CREAT|O_EXCL, `mode`, fchmod'ed to `mode` whatever the umask), fsync, rename.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents, int mode);

class Config {
 public:
  // Reads the file at `path`; a missing file is an empty config. FAILED_PRECONDITION (naming the
  // file) for one that cannot be read or is not a JSON object of the format above.
  static absl::StatusOr<Config> Load(const std::string& path);

  const std::string& path() const { return path_; }

  // The profile `name`, or nullopt if the file has none.
  std::optional<Profile> Get(absl::string_view name) const;
  // Replaces the known settings of profile `name` (creating it), keeping unknown keys.
  void Set(absl::string_view name, const Profile& profile);

  // Writes the file atomically with mode 0600, creating its directory with mode 0700 (and
  // tightening an existing one to 0700).
  absl::Status Save() const;

 private:
  Config(std::string path, nlohmann::json json) : path_(std::move(path)), json_(std::move(json)) {}

  std::string path_;
  nlohmann::json json_;
};

}  // namespace odr::cli

#endif  // ODR_CLIENT_CLI_CONFIG_H_

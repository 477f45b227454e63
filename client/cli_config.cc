#include "client/cli_config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"

namespace odr::cli {
namespace {

using nlohmann::json;

std::string Errno(int e) { return std::strerror(e); }

std::string StringAt(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

void SetOrErase(json& object, const char* key, const std::string& value) {
  if (value.empty()) {
    object.erase(key);
  } else {
    object[key] = value;
  }
}

}  // namespace

absl::StatusOr<std::string> ConfigFilePath(const char* xdg_config_home, const char* home) {
  // The XDG base directory spec: a relative XDG_CONFIG_HOME is invalid and ignored.
  if (xdg_config_home != nullptr && xdg_config_home[0] == '/') {
    return (std::filesystem::path(xdg_config_home) / "odr" / "config.json").string();
  }
  if (home != nullptr && home[0] == '/') {
    return (std::filesystem::path(home) / ".config" / "odr" / "config.json").string();
  }
  return absl::FailedPreconditionError(
      "cannot locate the odr config file: set XDG_CONFIG_HOME or HOME to an absolute path");
}

bool ValidProfileName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents, int mode) {
  const std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  ::unlink(tmp.c_str());  // a leftover of a crashed run of this pid
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot create ", tmp, ": ", Errno(errno)));
  }
  bool ok = ::fchmod(fd, mode) == 0;
  for (size_t done = 0; ok && done < contents.size();) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) {
    // Make the rename durable too (best effort).
    const std::string dir = std::filesystem::path(path).parent_path().string();
    const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
    return absl::OkStatus();
  }
  const int e = ok ? errno : saved;
  ::unlink(tmp.c_str());
  return absl::FailedPreconditionError(absl::StrCat("cannot write ", path, ": ", Errno(e)));
}

absl::StatusOr<Config> Config::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) return Config(path, json::object());
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() ||
      (j.contains("profiles") && !j["profiles"].is_object())) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not an odr config file (a JSON object with \"profiles\"); fix ",
                     "or delete it"));
  }
  return Config(path, std::move(j));
}

std::optional<Profile> Config::Get(absl::string_view name) const {
  auto profiles = json_.find("profiles");
  if (profiles == json_.end()) return std::nullopt;
  auto it = profiles->find(std::string(name));
  if (it == profiles->end() || !it->is_object()) return std::nullopt;
  Profile p;
  p.server = StringAt(*it, "server");
  p.tls_ca = StringAt(*it, "tls_ca");
  auto tls = it->find("tls");
  p.tls = tls != it->end() && tls->is_boolean() && tls->get<bool>();
  p.principal = StringAt(*it, "principal");
  p.token = StringAt(*it, "token");
  absl::Time t;
  std::string error;
  const std::string expiry = StringAt(*it, "token_expire_time");
  if (!expiry.empty() && absl::ParseTime(absl::RFC3339_full, expiry, &t, &error)) {
    p.token_expire_time = t;
  }
  return p;
}

void Config::Set(absl::string_view name, const Profile& p) {
  json& profiles = json_["profiles"];
  if (!profiles.is_object()) profiles = json::object();
  json& out = profiles[std::string(name)];
  if (!out.is_object()) out = json::object();
  SetOrErase(out, "server", p.server);
  SetOrErase(out, "tls_ca", p.tls_ca);
  if (p.tls) {
    out["tls"] = true;
  } else {
    out.erase("tls");
  }
  SetOrErase(out, "principal", p.principal);
  SetOrErase(out, "token", p.token);
  SetOrErase(out, "token_expire_time",
             p.token_expire_time
                 ? absl::FormatTime(absl::RFC3339_sec, *p.token_expire_time, absl::UTCTimeZone())
                 : "");
}

absl::Status Config::Save() const {
  const std::filesystem::path file(path_);
  const std::filesystem::path dir = file.parent_path();
  std::error_code ec;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", dir.string(), ": ", Errno(errno)));
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot make ", dir.string(), " private: ", Errno(errno)));
  }
  return WriteFileAtomically(path_, json_.dump(2) + "\n", 0600);
}

}  // namespace odr::cli

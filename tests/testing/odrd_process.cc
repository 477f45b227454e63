#include "tests/testing/odrd_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

extern char** environ;

namespace odr::testing {
namespace {

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

OdrdProcess::OdrdProcess(const std::string& data_dir, std::vector<std::string> extra_args,
                         std::vector<std::string> extra_env) {
  std::filesystem::create_directories(data_dir);
  Start(data_dir, data_dir + "/port", data_dir + "/odrd.log", std::move(extra_args),
        std::move(extra_env));
}

OdrdProcess::OdrdProcess(const RunDir& run_dir, const std::string& data_dir,
                         std::vector<std::string> extra_args) {
  Start(data_dir, run_dir.path + "/odrd.port", run_dir.path + "/odrd.log", std::move(extra_args),
        {});
}

void OdrdProcess::Start(const std::string& data_dir, const std::string& port_file,
                        const std::string& log_path, std::vector<std::string> extra_args,
                        std::vector<std::string> extra_env) {
  std::filesystem::remove(port_file);
  log_path_ = log_path;
  std::vector<std::string> args = {ODRD_PATH,    "--listen",         "127.0.0.1:0",
                                   "--data-dir", data_dir,           "--port-file",
                                   port_file,    "--shutdown-grace", "5"};
  if (std::find(extra_args.begin(), extra_args.end(), "--workers") == extra_args.end()) {
    args.insert(args.end(), {"--workers", "2"});
  }
  for (auto& a : extra_args) args.push_back(std::move(a));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  auto argv = CStrings(args);
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (auto& e : extra_env) env.push_back(std::move(e));
  auto envp = CStrings(env);
  if (posix_spawn(&pid_, ODRD_PATH, &fa, nullptr, argv.data(), envp.data()) != 0) {
    std::fprintf(stderr, "cannot spawn %s\n", ODRD_PATH);
    std::abort();
  }
  posix_spawn_file_actions_destroy(&fa);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    if (in >> port_ && port_ > 0) return;
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      std::fprintf(stderr, "odrd exited early (%d):\n%s\n", ExitCode(status),
                   ReadFile(log_path_).c_str());
      std::abort();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::fprintf(stderr, "odrd did not start in 20 s:\n%s\n", ReadFile(log_path_).c_str());
  kill(pid_, SIGKILL);
  std::abort();
}

OdrdProcess::~OdrdProcess() {
  if (pid_ > 0) Stop();
}

int OdrdProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return ExitCode(status);
}

void OdrdProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

CommandResult RunCommand(const std::vector<std::string>& argv_in, const std::string& stdin_data,
                         const std::vector<std::string>& extra_env) {
  std::filesystem::path dir = std::filesystem::temp_directory_path();
  std::string base =
      (dir / ("odr-cmd-" + std::to_string(getpid()) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())))
          .string();
  const std::string in_path = base + ".in", out_path = base + ".out", err_path = base + ".err";
  {
    std::ofstream in(in_path, std::ios::binary);
    in << stdin_data;
  }
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    // The tests decide the CLI's configuration explicitly.
    if (kv.rfind("ODR_", 0) == 0) continue;
    env.push_back(kv);
  }
  for (const auto& e : extra_env) env.push_back(e);
  std::vector<std::string> args = argv_in;
  auto argv = CStrings(args);
  auto envp = CStrings(env);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  CommandResult r;
  if (posix_spawn(&pid, args[0].c_str(), &fa, nullptr, argv.data(), envp.data()) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = ExitCode(status);
  }
  posix_spawn_file_actions_destroy(&fa);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  std::filesystem::remove(in_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return r;
}

std::string OdrdAdmin(const std::string& data_dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {ODRD_PATH, "admin"};
  for (auto& a : args) argv.push_back(std::move(a));
  argv.push_back("--data-dir");
  argv.push_back(data_dir);
  std::filesystem::create_directories(data_dir);
  CommandResult r = RunCommand(argv);
  if (r.exit_code != 0) {
    std::fprintf(stderr, "odrd admin failed (%d): %s\n", r.exit_code, r.err.c_str());
    std::abort();
  }
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

std::string CreatePrincipal(const std::string& data_dir, const std::string& id,
                            const std::string& role, std::vector<std::string> extra, KeyHash hash) {
  std::vector<std::string> args = {"create-principal", "--id", id, "--role", role};
  for (auto& a : extra) args.push_back(std::move(a));
  if (hash == KeyHash::kWeak) args.push_back("--weak-key-hashes");
  return OdrdAdmin(data_dir, std::move(args));
}

}  // namespace odr::testing

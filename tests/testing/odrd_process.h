// Starts the real odrd binary on 127.0.0.1:0 with a data dir, waits until it serves, and stops it
// with SIGTERM. Used by integration tests; one instance per test, not thread-safe.
#ifndef ODR_TESTS_TESTING_ODRD_PROCESS_H_
#define ODR_TESTS_TESTING_ODRD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace odr::testing {

class OdrdProcess {
 public:
  // With `extra_env` ("NAME=value"), odrd also gets those environment variables; a listen address
  // or data dir given there replaces the flags (to test configuration by environment).
  // Starts odrd (path from the ODRD_PATH compile definition) with --data-dir `data_dir` and
  // --workers 2 unless `extra_args` names --workers; returns
  // once the port file appears (aborts the test binary after 20 s). Log goes to
  // `data_dir`/odrd.log.
  explicit OdrdProcess(const std::string& data_dir, std::vector<std::string> extra_args = {},
                       std::vector<std::string> extra_env = {});
  // Where the port file and the log go when odrd is to create its data dir itself.
  struct RunDir {
    std::string path;  // an existing directory outside the data dir
  };
  // Like the constructor above, but nothing is created in or for `data_dir` beforehand (odrd
  // creates it): the port file and the log (odrd.log) go to `run_dir.path`. The child inherits
  // this process's umask. (`run_dir` comes first so that a braced list never picks this one.)
  OdrdProcess(const RunDir& run_dir, const std::string& data_dir,
              std::vector<std::string> extra_args = {});
  // Stops the server if still running.
  ~OdrdProcess();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log_path() const { return log_path_; }

  // Sends SIGTERM and waits; returns the exit code (or 128 + signal).
  int Stop();
  // Sends SIGKILL (a crash: nothing is flushed or finished) and waits.
  void Kill();

 private:
  // Spawns odrd on data_dir (port file and stderr log where given) and waits for its port; aborts
  // the test if it exits or does not listen within 20 s.
  void Start(const std::string& data_dir, const std::string& port_file, const std::string& log_path,
             std::vector<std::string> extra_args, std::vector<std::string> extra_env);
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

// Runs `argv` (argv[0] a path), feeding `stdin_data`; returns exit code and captured output.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& stdin_data = "",
                         const std::vector<std::string>& extra_env = {});

// Runs `odrd admin <args> --data-dir data_dir`; aborts the test on failure. Returns stdout
// (for create-principal and issue-key: the API key, trailing newline removed).
std::string OdrdAdmin(const std::string& data_dir, std::vector<std::string> args);

// How create-principal hashes the API key: scrypt N=2^10 (`--weak-key-hashes`, fast to create
// and to check: most tests) or odrd's production parameters (the tests of key storage).
enum class KeyHash { kWeak, kProduction };

// odrd admin create-principal --id ID --role ROLE <extra...>; returns the API key.
std::string CreatePrincipal(const std::string& data_dir, const std::string& id,
                            const std::string& role, std::vector<std::string> extra = {},
                            KeyHash hash = KeyHash::kWeak);

}  // namespace odr::testing

#endif  // ODR_TESTS_TESTING_ODRD_PROCESS_H_

// The `odr case ...` commands: flags, requests built from them, and output.
#ifndef ODR_CLIENT_CASE_COMMANDS_H_
#define ODR_CLIENT_CASE_COMMANDS_H_

#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "client/cli_session.h"
#include "odr/v1/case.pb.h"

namespace odr::cli {

// Adds `case` and its verbs to `app`. The returned commands read `globals` (which must outlive
// them) only when run, that is after parsing and ResolveGlobals(). Not thread-safe; meant for
// main().
std::vector<Command> AddCaseCommands(CLI::App* app, const GlobalFlags* globals);

// The flags from which a new case is built: the case fields (--type, --summary, --claims,
// --amount, --region, --applicant, --respondent, --agent, or a Case in protobuf JSON with
// --file), --organization, --language and the court diversion (--court, --court-name,
// --intake-ref, --diversion-date). Shared by the commands that create cases: `odr case create`
// and `odr court divert`. Not thread-safe; meant for main().
class NewCaseFlags {
 public:
  // Whether the case must be a court diversion: kOptional (without the court flags, a citizen
  // application) or kRequired (from the court flags or the --file's source).
  enum class Diversion { kOptional, kRequired };

  NewCaseFlags();
  ~NewCaseFlags();
  NewCaseFlags(const NewCaseFlags&) = delete;
  NewCaseFlags& operator=(const NewCaseFlags&) = delete;

  // Adds the flags to `cmd`; their values live in this object, which must outlive the parse.
  void Add(CLI::App* cmd, Diversion diversion);

  // After parsing: the case the flags (over the --file, if given) describe, without output-only
  // fields. INVALID_ARGUMENT, naming the flag, for a usage error.
  absl::StatusOr<v1::Case> Build() const;

  // The help on TYPE and on the SPECs of parties and agents, for a command's footer.
  static std::string Help();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Diversion diversion_ = Diversion::kOptional;
};

}  // namespace odr::cli

#endif  // ODR_CLIENT_CASE_COMMANDS_H_

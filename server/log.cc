#include "server/log.h"

#include <google/protobuf/stubs/logging.h>
#include <grpc/support/log.h>

#include <memory>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace odr::log {
namespace {

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_logger_mt("odr");
    l->set_pattern("%v");
    l->flush_on(spdlog::level::info);
    return l;
  }();
  return logger;
}

void Write(spdlog::level::level_enum level, absl::string_view event, nlohmann::json fields) {
  if (!Logger()->should_log(level)) return;
  nlohmann::json line = nlohmann::json::object();
  line["time"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = spdlog::level::to_string_view(level).data();
  line["event"] = std::string(event);
  if (fields.is_object()) {
    for (auto& [k, v] : fields.items()) line[k] = v;
  }
  // Replace invalid UTF-8 rather than throwing: a log line must never take the server down.
  Logger()->log(level, "{}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Routes the protobuf runtime's messages (e.g. a request string that is not UTF-8: they name the
// field, never its value) into the JSON log.
void ProtobufLog(google::protobuf::LogLevel level, const char* file, int line,
                 const std::string& message) {
  Write(level >= google::protobuf::LOGLEVEL_ERROR ? spdlog::level::warn : spdlog::level::debug,
        "protobuf", {{"message", message}});
}

// gRPC core's own messages (bind failures, transport errors) as JSON lines too.
void GrpcLog(gpr_log_func_args* args) {
  spdlog::level::level_enum level = spdlog::level::debug;
  if (args->severity == GPR_LOG_SEVERITY_ERROR) level = spdlog::level::err;
  if (args->severity == GPR_LOG_SEVERITY_INFO) level = spdlog::level::info;
  Write(level, "grpc", {{"message", args->message}});
}

}  // namespace

absl::Status Init(absl::string_view level) {
  spdlog::level::level_enum l;
  if (level == "debug") {
    l = spdlog::level::debug;
  } else if (level == "info") {
    l = spdlog::level::info;
  } else if (level == "warn") {
    l = spdlog::level::warn;
  } else if (level == "error") {
    l = spdlog::level::err;
  } else {
    return absl::InvalidArgumentError("log level must be debug, info, warn or error");
  }
  Logger()->set_level(l);
  google::protobuf::SetLogHandler(&ProtobufLog);
  gpr_set_log_function(&GrpcLog);
  return absl::OkStatus();
}

void Debug(absl::string_view e, nlohmann::json f) { Write(spdlog::level::debug, e, std::move(f)); }
void Info(absl::string_view e, nlohmann::json f) { Write(spdlog::level::info, e, std::move(f)); }
void Warn(absl::string_view e, nlohmann::json f) { Write(spdlog::level::warn, e, std::move(f)); }
void Error(absl::string_view e, nlohmann::json f) { Write(spdlog::level::err, e, std::move(f)); }

}  // namespace odr::log

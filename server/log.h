// Structured logging: one JSON object per line on stderr. Callers pass only non-personal fields
// (ids, codes, durations); never names, ID numbers, phones, tokens or evidence bytes.
#ifndef ODR_SERVER_LOG_H_
#define ODR_SERVER_LOG_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace odr::log {

// Sets the level ("debug", "info", "warn", "error"). INVALID_ARGUMENT for another word. Call once
// at start-up, before other threads log.
absl::Status Init(absl::string_view level);

// Thread-safe.
void Debug(absl::string_view event, nlohmann::json fields = nlohmann::json::object());
void Info(absl::string_view event, nlohmann::json fields = nlohmann::json::object());
void Warn(absl::string_view event, nlohmann::json fields = nlohmann::json::object());
void Error(absl::string_view event, nlohmann::json fields = nlohmann::json::object());

}  // namespace odr::log

#endif  // ODR_SERVER_LOG_H_

#include "server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "server/log.h"

namespace odr::server {

absl::StatusOr<std::unique_ptr<OdrServer>> OdrServer::Start(const ServerOptions& options,
                                                            Clock* clock, IdGenerator* ids) {
  if (options.workers < 1 || options.workers > 256) {
    return absl::InvalidArgumentError("workers must be between 1 and 256");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data dir ", options.data_dir, ": ", ec.message()));
  }
  std::unique_ptr<OdrServer> s(new OdrServer());
  storage::Database::Options db_options;
  db_options.path = (std::filesystem::path(options.data_dir) / "odr.db").string();
  db_options.readers = options.workers;
  auto db = storage::Database::Open(db_options);
  if (!db.ok()) return db.status();
  s->db_ = std::move(*db);
  s->store_ = std::make_unique<storage::SqliteCaseStore>(s->db_.get(), clock, ids);
  s->pool_ = std::make_unique<boost::asio::thread_pool>(options.workers);
  s->case_service_ = std::make_unique<CaseServiceImpl>(s->store_.get(), clock, s->pool_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &s->port_);
  builder.RegisterService(s->case_service_.get());
  builder.SetMaxReceiveMessageSize(4 * 1024 * 1024);
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    s->pool_->join();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  s->server_->GetHealthCheckService()->SetServingStatus(true);
  log::Info("started", {{"listen", options.listen},
                        {"port", s->port_},
                        {"schema_version", s->db_->schema_version()},
                        {"workers", options.workers}});
  return s;
}

void OdrServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  log::Info("shutting_down", {{"grace_ms", absl::ToInt64Milliseconds(grace)}});
  server_->GetHealthCheckService()->SetServingStatus(false);
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
  pool_->join();
  log::Info("stopped");
}

OdrServer::~OdrServer() {
  if (server_ != nullptr) Shutdown(absl::Seconds(5));
}

}  // namespace odr::server

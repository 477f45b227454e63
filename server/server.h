// OdrServer: the gRPC server with its services, health and reflection, the worker pool, and the
// database. odrd's main() and in-process tests both use it.
#ifndef ODR_SERVER_SERVER_H_
#define ODR_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/case_service.h"
#include "server/domain/clock.h"
#include "storage/sqlite_case_store.h"
#include "storage/sqlite_db.h"

namespace odr::server {

struct ServerOptions {
  std::string listen = "127.0.0.1:50051";  // host:port; port 0 picks a free one
  std::string data_dir = "./var";          // created if absent; holds odr.db
  int workers = 4;                         // threads for storage work
};

class OdrServer {
 public:
  // Opens (and migrates) the database, starts listening, and sets health to SERVING. `clock` and
  // `ids` must outlive the server.
  static absl::StatusOr<std::unique_ptr<OdrServer>> Start(const ServerOptions& options,
                                                          Clock* clock, IdGenerator* ids);
  ~OdrServer();

  // The port actually bound.
  int port() const { return port_; }

  // Turns health NOT_SERVING, stops accepting calls, lets calls in flight finish for up to
  // `grace` (then cancels them), and joins the worker pool. Idempotent; call from one thread.
  void Shutdown(absl::Duration grace);

 private:
  OdrServer() = default;

  int port_ = 0;
  bool shut_down_ = false;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<storage::SqliteCaseStore> store_;
  std::unique_ptr<boost::asio::thread_pool> pool_;
  std::unique_ptr<CaseServiceImpl> case_service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_SERVER_H_

// Organizations, mediators and pools.
#ifndef ODR_STORAGE_ROSTER_STORE_H_
#define ODR_STORAGE_ROSTER_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/clock.h"
#include "server/domain/roster.h"
#include "storage/sqlite_db.h"

namespace odr::storage {

struct MediatorQuery {
  std::optional<std::string> organization_id;  // empty: all organizations
  std::optional<domain::DisputeType> specialty;
  std::optional<std::string> region_prefix;
  std::optional<std::string> language;
  bool accepting_cases = false;
  std::optional<std::pair<std::string, std::string>> after;  // (organization, id)
  int limit = 50;
};

// Safe for concurrent use; blocks on I/O. NOT_FOUND for unknown resources, ALREADY_EXISTS for
// taken ids, ABORTED for a stale version.
class RosterStore {
 public:
  virtual ~RosterStore() = default;
  virtual absl::StatusOr<domain::Organization> CreateOrganization(domain::Organization o) = 0;
  virtual absl::StatusOr<domain::Organization> GetOrganization(absl::string_view id) = 0;
  // Ordered by id, after `after_id`, at most limit + 1 (the caller pages).
  virtual absl::StatusOr<std::vector<domain::Organization>> ListOrganizations(
      absl::string_view region_prefix, absl::string_view after_id, int limit) = 0;

  // FAILED_PRECONDITION if the organization does not exist or the principal is already a
  // mediator.
  virtual absl::StatusOr<domain::Mediator> CreateMediator(domain::Mediator m) = 0;
  virtual absl::StatusOr<domain::Mediator> GetMediator(absl::string_view organization_id,
                                                       absl::string_view id) = 0;
  virtual absl::StatusOr<std::vector<domain::Mediator>> ListMediators(const MediatorQuery& q) = 0;
  // Replaces the client-settable fields with those of `m` (by organization and id) if
  // `expected_version` matches. FAILED_PRECONDITION if max_concurrent_cases would fall below the
  // current load.
  virtual absl::StatusOr<domain::Mediator> UpdateMediator(
      const domain::Mediator& m, std::optional<int64_t> expected_version) = 0;
  virtual absl::StatusOr<domain::Mediator> SetSuspended(absl::string_view organization_id,
                                                        absl::string_view id, bool suspended) = 0;

  virtual absl::StatusOr<domain::Pool> CreatePool(domain::Pool p) = 0;
  virtual absl::StatusOr<domain::Pool> GetPool(absl::string_view organization_id,
                                               absl::string_view id) = 0;
  virtual absl::StatusOr<std::vector<domain::Pool>> ListPools(
      absl::string_view organization_id) = 0;
};

class SqliteRosterStore final : public RosterStore {
 public:
  SqliteRosterStore(Database* db, Clock* clock) : db_(db), clock_(clock) {}
  absl::StatusOr<domain::Organization> CreateOrganization(domain::Organization o) override;
  absl::StatusOr<domain::Organization> GetOrganization(absl::string_view id) override;
  absl::StatusOr<std::vector<domain::Organization>> ListOrganizations(
      absl::string_view region_prefix, absl::string_view after_id, int limit) override;
  absl::StatusOr<domain::Mediator> CreateMediator(domain::Mediator m) override;
  absl::StatusOr<domain::Mediator> GetMediator(absl::string_view organization_id,
                                               absl::string_view id) override;
  absl::StatusOr<std::vector<domain::Mediator>> ListMediators(const MediatorQuery& q) override;
  absl::StatusOr<domain::Mediator> UpdateMediator(const domain::Mediator& m,
                                                  std::optional<int64_t> expected_version) override;
  absl::StatusOr<domain::Mediator> SetSuspended(absl::string_view organization_id,
                                                absl::string_view id, bool suspended) override;
  absl::StatusOr<domain::Pool> CreatePool(domain::Pool p) override;
  absl::StatusOr<domain::Pool> GetPool(absl::string_view organization_id,
                                       absl::string_view id) override;
  absl::StatusOr<std::vector<domain::Pool>> ListPools(absl::string_view organization_id) override;

 private:
  Database* db_;
  Clock* clock_;
};

// Shared with the case store: loads a mediator within a transaction the caller holds.
absl::StatusOr<domain::Mediator> LoadMediator(Connection& c, absl::string_view organization_id,
                                              absl::string_view id);
absl::StatusOr<std::optional<domain::Mediator>> LoadMediatorByPrincipal(
    Connection& c, absl::string_view principal_id);

}  // namespace odr::storage

#endif  // ODR_STORAGE_ROSTER_STORE_H_

// Principals (accounts), their API-key hashes and partner-citizen links.
#ifndef ODR_STORAGE_PRINCIPAL_STORE_H_
#define ODR_STORAGE_PRINCIPAL_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/clock.h"
#include "server/domain/principal.h"
#include "storage/sqlite_db.h"

namespace odr::storage {

// Safe for concurrent use; blocks on I/O. NOT_FOUND for an unknown principal.
class PrincipalStore {
 public:
  virtual ~PrincipalStore() = default;
  virtual absl::StatusOr<domain::Principal> Get(absl::string_view id) = 0;
  virtual absl::StatusOr<domain::Principal> GetByCertificateName(absl::string_view name) = 0;
  // The stored hash of the principal's API key; NOT_FOUND if it has none.
  virtual absl::StatusOr<std::string> GetApiKeyHash(absl::string_view id) = 0;
  // ALREADY_EXISTS if the id (or certificate name) is taken. `api_key_hash` may be empty.
  virtual absl::Status Create(const domain::Principal& p, absl::string_view api_key_hash) = 0;
  virtual absl::Status SetApiKeyHash(absl::string_view id, absl::string_view hash) = 0;
  // A disabled principal cannot authenticate; its tokens stop working on the next call.
  virtual absl::Status SetDisabled(absl::string_view id, bool disabled) = 0;
  // Lets partner app `partner_id` act for citizen `citizen_id`.
  virtual absl::Status Link(absl::string_view partner_id, absl::string_view citizen_id) = 0;
  virtual absl::StatusOr<bool> IsLinked(absl::string_view partner_id,
                                        absl::string_view citizen_id) = 0;
  virtual absl::StatusOr<std::vector<domain::Principal>> List() = 0;
};

class SqlitePrincipalStore final : public PrincipalStore {
 public:
  SqlitePrincipalStore(Database* db, Clock* clock) : db_(db), clock_(clock) {}
  absl::StatusOr<domain::Principal> Get(absl::string_view id) override;
  absl::StatusOr<domain::Principal> GetByCertificateName(absl::string_view name) override;
  absl::StatusOr<std::string> GetApiKeyHash(absl::string_view id) override;
  absl::Status Create(const domain::Principal& p, absl::string_view api_key_hash) override;
  absl::Status SetApiKeyHash(absl::string_view id, absl::string_view hash) override;
  absl::Status SetDisabled(absl::string_view id, bool disabled) override;
  absl::Status Link(absl::string_view partner_id, absl::string_view citizen_id) override;
  absl::StatusOr<bool> IsLinked(absl::string_view partner_id,
                                absl::string_view citizen_id) override;
  absl::StatusOr<std::vector<domain::Principal>> List() override;

  struct NewPrincipal {
    domain::Principal principal;
    std::string api_key_hash;  // may be empty
    std::string partner_id;    // a partner app that may act for the citizen; may be empty
  };
  // Bulk onboarding: creates them all and their links in one transaction, or none (the first
  // error, e.g. ALREADY_EXISTS, names the principal).
  absl::Status CreateMany(const std::vector<NewPrincipal>& all);

 private:
  absl::Status Insert(Connection& c, const domain::Principal& p, absl::string_view api_key_hash);
  static absl::Status InsertLink(Connection& c, absl::string_view partner_id,
                                 absl::string_view citizen_id);
  absl::StatusOr<domain::Principal> GetWhere(const char* sql, absl::string_view value);
  Database* db_;
  Clock* clock_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_PRINCIPAL_STORE_H_

// The schema, as an ordered list of forward-only migrations. Never edit a released migration:
// append a new one.
#ifndef ODR_STORAGE_MIGRATIONS_H_
#define ODR_STORAGE_MIGRATIONS_H_

#include <string>
#include <vector>

namespace odr::storage {

// Migration i (0-based) brings the schema to version i + 1.
const std::vector<std::string>& Migrations();

}  // namespace odr::storage

#endif  // ODR_STORAGE_MIGRATIONS_H_

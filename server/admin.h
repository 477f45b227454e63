// `odrd admin ...`: offline account administration on a data dir (safe while odrd runs: SQLite
// WAL). Creates principals and prints their API keys once, links partner apps to citizens,
// rotates the token-signing key, and bootstraps development accounts.
#ifndef ODR_SERVER_ADMIN_H_
#define ODR_SERVER_ADMIN_H_

#include <functional>

#include "CLI/CLI.hpp"

namespace odr::server {

// Adds `admin` and its subcommands to `app`. After parsing, if an admin command was chosen,
// *run holds it (returning the exit code); otherwise it stays empty.
void AddAdminCommands(CLI::App* app, std::function<int()>* run);

}  // namespace odr::server

#endif  // ODR_SERVER_ADMIN_H_

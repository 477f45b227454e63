// Who calls odr: principals and their roles. Plain values, no storage, no gRPC.
#ifndef ODR_SERVER_DOMAIN_PRINCIPAL_H_
#define ODR_SERVER_DOMAIN_PRINCIPAL_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "server/domain/types.h"

namespace odr::domain {

enum class Role { kCitizen, kMediator, kOrgAdmin, kCourt, kPartnerApp, kPlatformAdmin };

struct Principal {
  std::string id;  // the {principal} of principals/{principal}
  Role role = Role::kCitizen;
  std::string display_name;
  std::string organization_id;  // kMediator, kOrgAdmin
  std::string court_id;         // kCourt
  // kCitizen: the identity document that links the citizen to cases where it appears as a party
  // or an agent (personal data: never logged).
  IdDocumentType id_document_type = IdDocumentType::kResidentIdCard;
  std::string id_number;
  // kCourt (or any): the certificate name (SAN DNS name or CN) that authenticates it over mutual
  // TLS; empty if none.
  std::string certificate_name;
  bool disabled = false;
};

// The caller of one RPC: the principal the checks apply to, and the partner app it acts through.
struct Caller {
  Principal principal;
  std::optional<Principal> partner;
};

const char* RoleName(Role r);  // "citizen", "mediator", "org_admin", "court", "partner_app", ...
std::optional<Role> RoleFromName(absl::string_view name);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_PRINCIPAL_H_

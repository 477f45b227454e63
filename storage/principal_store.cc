#include "storage/principal_store.h"

#include "absl/strings/str_cat.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"

namespace odr::storage {
namespace {

constexpr char kColumns[] =
    "id, role, display_name, organization_id, court_id, id_document_type, id_number,"
    " certificate_name, disabled";

absl::StatusOr<domain::Principal> Read(const Statement& stmt) {
  domain::Principal p;
  p.id = stmt.ColumnText(0);
  auto role = domain::RoleFromName(stmt.ColumnText(1));
  auto id_type = domain::IdDocumentTypeFromName(stmt.ColumnText(5));
  if (!role || !id_type) return absl::DataLossError("stored principal is not recognised");
  p.role = *role;
  p.display_name = stmt.ColumnText(2);
  p.organization_id = stmt.ColumnText(3);
  p.court_id = stmt.ColumnText(4);
  p.id_document_type = *id_type;
  p.id_number = stmt.ColumnText(6);
  p.certificate_name = stmt.ColumnOptionalText(7).value_or("");
  p.disabled = stmt.ColumnInt(8) != 0;
  return p;
}

absl::Status PrincipalNotFound(absl::string_view id) {
  return MakeError(absl::StatusCode::kNotFound, kReasonNotFound,
                   absl::StrCat("principal principals/", id, " not found"));
}

}  // namespace

absl::StatusOr<domain::Principal> SqlitePrincipalStore::GetWhere(const char* where,
                                                                 absl::string_view value) {
  domain::Principal out;
  const std::string sql = absl::StrCat("SELECT ", kColumns, " FROM principals WHERE ", where);
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement stmt, c.Prepare(sql));
    stmt.Bind(1, value);
    ODR_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return PrincipalNotFound(value);
    ODR_ASSIGN_OR_RETURN(out, Read(stmt));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<domain::Principal> SqlitePrincipalStore::Get(absl::string_view id) {
  return GetWhere("id = ?1", id);
}

absl::StatusOr<domain::Principal> SqlitePrincipalStore::GetByCertificateName(
    absl::string_view name) {
  return GetWhere("certificate_name = ?1", name);
}

absl::StatusOr<std::string> SqlitePrincipalStore::GetApiKeyHash(absl::string_view id) {
  std::string hash;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement stmt,
                         c.Prepare("SELECT api_key_hash FROM principals WHERE id = ?1"));
    stmt.Bind(1, id);
    ODR_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row || stmt.ColumnIsNull(0)) return PrincipalNotFound(id);
    hash = stmt.ColumnText(0);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return hash;
}

absl::Status SqlitePrincipalStore::Insert(Connection& c, const domain::Principal& p,
                                          absl::string_view api_key_hash) {
  {
    ODR_ASSIGN_OR_RETURN(Statement exists, c.Prepare("SELECT 1 FROM principals WHERE id = ?1 OR"
                                                     " (?2 != '' AND certificate_name = ?2)"));
    exists.Bind(1, p.id).Bind(2, p.certificate_name);
    ODR_ASSIGN_OR_RETURN(bool row, exists.Step());
    if (row) {
      return MakeError(
          absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
          absl::StrCat("principals/", p.id, " or its certificate name is already taken"));
    }
  }
  ODR_ASSIGN_OR_RETURN(
      Statement stmt,
      c.Prepare("INSERT INTO principals (id, role, display_name, organization_id, court_id,"
                " id_document_type, id_number, certificate_name, api_key_hash, disabled,"
                " create_time_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  stmt.Bind(1, p.id).Bind(2, domain::RoleName(p.role)).Bind(3, p.display_name);
  stmt.Bind(4, p.organization_id).Bind(5, p.court_id);
  stmt.Bind(6, domain::IdDocumentTypeName(p.id_document_type)).Bind(7, p.id_number);
  if (p.certificate_name.empty()) {
    stmt.BindNull(8);
  } else {
    stmt.Bind(8, p.certificate_name);
  }
  if (api_key_hash.empty()) {
    stmt.BindNull(9);
  } else {
    stmt.Bind(9, api_key_hash);
  }
  stmt.Bind(10, int64_t{p.disabled ? 1 : 0}).Bind(11, absl::ToUnixMicros(clock_->Now()));
  return stmt.Run();
}

absl::Status SqlitePrincipalStore::Create(const domain::Principal& p,
                                          absl::string_view api_key_hash) {
  return db_->Write([&](Connection& c) { return Insert(c, p, api_key_hash); });
}

absl::Status SqlitePrincipalStore::CreateMany(const std::vector<NewPrincipal>& all) {
  return db_->Write([&](Connection& c) -> absl::Status {
    for (const NewPrincipal& n : all) {
      ODR_RETURN_IF_ERROR(Insert(c, n.principal, n.api_key_hash));
      if (!n.partner_id.empty()) ODR_RETURN_IF_ERROR(InsertLink(c, n.partner_id, n.principal.id));
    }
    return absl::OkStatus();
  });
}

absl::Status SqlitePrincipalStore::SetApiKeyHash(absl::string_view id, absl::string_view hash) {
  return db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement stmt,
                         c.Prepare("UPDATE principals SET api_key_hash = ?2 WHERE id = ?1"));
    stmt.Bind(1, id).Bind(2, hash);
    ODR_RETURN_IF_ERROR(stmt.Run());
    if (c.Changes() == 0) return PrincipalNotFound(id);
    return absl::OkStatus();
  });
}

absl::Status SqlitePrincipalStore::SetDisabled(absl::string_view id, bool disabled) {
  return db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement stmt,
                         c.Prepare("UPDATE principals SET disabled = ?2 WHERE id = ?1"));
    stmt.Bind(1, id).Bind(2, int64_t{disabled ? 1 : 0});
    ODR_RETURN_IF_ERROR(stmt.Run());
    if (c.Changes() == 0) return PrincipalNotFound(id);
    return absl::OkStatus();
  });
}

absl::Status SqlitePrincipalStore::Link(absl::string_view partner_id,
                                        absl::string_view citizen_id) {
  return db_->Write([&](Connection& c) { return InsertLink(c, partner_id, citizen_id); });
}

absl::Status SqlitePrincipalStore::InsertLink(Connection& c, absl::string_view partner_id,
                                              absl::string_view citizen_id) {
  ODR_ASSIGN_OR_RETURN(Statement stmt,
                       c.Prepare("INSERT OR IGNORE INTO partner_citizens (partner_id,"
                                 " citizen_id) VALUES (?1, ?2)"));
  stmt.Bind(1, partner_id).Bind(2, citizen_id);
  return stmt.Run();
}

absl::StatusOr<bool> SqlitePrincipalStore::IsLinked(absl::string_view partner_id,
                                                    absl::string_view citizen_id) {
  bool linked = false;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement stmt,
                         c.Prepare("SELECT 1 FROM partner_citizens WHERE partner_id = ?1 AND"
                                   " citizen_id = ?2"));
    stmt.Bind(1, partner_id).Bind(2, citizen_id);
    ODR_ASSIGN_OR_RETURN(linked, stmt.Step());
    ODR_RETURN_IF_ERROR(stmt.Run());
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return linked;
}

absl::StatusOr<std::vector<domain::Principal>> SqlitePrincipalStore::List() {
  std::vector<domain::Principal> out;
  const std::string sql = absl::StrCat("SELECT ", kColumns, " FROM principals ORDER BY id");
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement stmt, c.Prepare(sql));
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      ODR_ASSIGN_OR_RETURN(domain::Principal p, Read(stmt));
      out.push_back(std::move(p));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace odr::storage

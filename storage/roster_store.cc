#include "storage/roster_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"

namespace odr::storage {
namespace {

using domain::Mediator;
using domain::Organization;
using domain::Pool;

absl::Status NotFound(absl::string_view what) {
  return MakeError(absl::StatusCode::kNotFound, kReasonNotFound, absl::StrCat(what, " not found"));
}

absl::Status Stale(absl::string_view what) {
  return MakeError(absl::StatusCode::kAborted, kReasonStaleEtag,
                   absl::StrCat("etag is stale: ", what, " was changed; get it again and retry"));
}

// ",a,b," so that LIKE '%,a,%' finds a member.
std::string Set(const std::vector<std::string>& v) {
  return v.empty() ? "," : absl::StrCat(",", absl::StrJoin(v, ","), ",");
}
std::vector<std::string> Unset(absl::string_view s) {
  return absl::StrSplit(s, ',', absl::SkipEmpty());
}
std::string TypeSet(const std::vector<domain::DisputeType>& v) {
  std::vector<std::string> names;
  for (auto t : v) names.push_back(domain::DisputeTypeName(t));
  return Set(names);
}
std::vector<domain::DisputeType> TypeUnset(absl::string_view s) {
  std::vector<domain::DisputeType> out;
  for (const std::string& n : Unset(s)) {
    if (auto t = domain::DisputeTypeFromName(n)) out.push_back(*t);
  }
  return out;
}

constexpr char kMediatorColumns[] =
    "organization_id, id, display_name, profile, specialties, languages, region_code, employment,"
    " fee_fen, max_concurrent_cases, active_cases, suspended, principal_id, id_document_type,"
    " id_number, phone, related_id_numbers, recent_settled, recent_ended, version";

Mediator ReadMediator(const Statement& s) {
  Mediator m;
  m.organization_id = s.ColumnText(0);
  m.id = s.ColumnText(1);
  m.display_name = s.ColumnText(2);
  m.profile = s.ColumnText(3);
  m.specialties = TypeUnset(s.ColumnText(4));
  m.languages = Unset(s.ColumnText(5));
  m.region_code = s.ColumnText(6);
  m.employment = s.ColumnText(7) == "part_time" ? domain::Employment::kPartTime
                                                : domain::Employment::kFullTime;
  m.fee_fen = s.ColumnInt(8);
  m.max_concurrent_cases = static_cast<int>(s.ColumnInt(9));
  m.active_cases = static_cast<int>(s.ColumnInt(10));
  m.suspended = s.ColumnInt(11) != 0;
  m.principal_id = s.ColumnText(12);
  m.id_document_type = domain::IdDocumentTypeFromName(s.ColumnText(13))
                           .value_or(domain::IdDocumentType::kResidentIdCard);
  m.id_number = s.ColumnText(14);
  m.phone = s.ColumnText(15);
  m.related_id_numbers = absl::StrSplit(s.ColumnText(16), '\n', absl::SkipEmpty());
  m.recent_settled = static_cast<int>(s.ColumnInt(17));
  m.recent_ended = static_cast<int>(s.ColumnInt(18));
  m.version = s.ColumnInt(19);
  return m;
}

Organization ReadOrganization(const Statement& s) {
  Organization o;
  o.id = s.ColumnText(0);
  o.display_name = s.ColumnText(1);
  o.kind =
      domain::OrganizationKindFromName(s.ColumnText(2)).value_or(domain::OrganizationKind::kOther);
  o.region_code = s.ColumnText(3);
  o.affiliated_court_id = s.ColumnText(4);
  o.create_time = absl::FromUnixMicros(s.ColumnInt(5));
  o.version = s.ColumnInt(6);
  return o;
}

constexpr char kOrganizationColumns[] =
    "id, display_name, kind, region_code, affiliated_court, create_time_us, version";

absl::StatusOr<Organization> LoadOrganization(Connection& c, absl::string_view id) {
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare(absl::StrCat("SELECT ", kOrganizationColumns,
                                                           " FROM organizations WHERE id = ?1")));
  s.Bind(1, id);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound(absl::StrCat("organizations/", id));
  Organization o = ReadOrganization(s);
  ODR_RETURN_IF_ERROR(s.Run());
  return o;
}

absl::Status BindMediator(Statement& s, const Mediator& m) {
  s.Bind(1, m.organization_id).Bind(2, m.id).Bind(3, m.display_name).Bind(4, m.profile);
  s.Bind(5, TypeSet(m.specialties)).Bind(6, Set(m.languages)).Bind(7, m.region_code);
  s.Bind(8, m.employment == domain::Employment::kPartTime ? "part_time" : "full_time");
  s.Bind(9, m.fee_fen).Bind(10, static_cast<int64_t>(m.max_concurrent_cases));
  s.Bind(11, m.principal_id).Bind(12, domain::IdDocumentTypeName(m.id_document_type));
  s.Bind(13, m.id_number).Bind(14, m.phone).Bind(15, absl::StrJoin(m.related_id_numbers, "\n"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Mediator> LoadMediator(Connection& c, absl::string_view organization_id,
                                      absl::string_view id) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare(absl::StrCat("SELECT ", kMediatorColumns,
                                              " FROM mediators WHERE organization_id = ?1 AND"
                                              " id = ?2")));
  s.Bind(1, organization_id).Bind(2, id);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound(absl::StrCat("organizations/", organization_id, "/mediators/", id));
  Mediator m = ReadMediator(s);
  ODR_RETURN_IF_ERROR(s.Run());
  return m;
}

absl::StatusOr<std::optional<Mediator>> LoadMediatorByPrincipal(Connection& c,
                                                                absl::string_view principal_id) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare(absl::StrCat("SELECT ", kMediatorColumns,
                                              " FROM mediators WHERE principal_id = ?1")));
  s.Bind(1, principal_id);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Mediator>();
  Mediator m = ReadMediator(s);
  ODR_RETURN_IF_ERROR(s.Run());
  return std::optional<Mediator>(std::move(m));
}

absl::StatusOr<Organization> SqliteRosterStore::CreateOrganization(Organization o) {
  absl::Status st = db_->Write([&](Connection& c) -> absl::Status {
    if (LoadOrganization(c, o.id).ok()) {
      return MakeError(absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
                       absl::StrCat("organizations/", o.id, " already exists"));
    }
    o.create_time = clock_->Now();
    o.version = 1;
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare(
            "INSERT INTO organizations (id, display_name, kind, region_code,"
            " affiliated_court, create_time_us, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    s.Bind(1, o.id).Bind(2, o.display_name).Bind(3, domain::OrganizationKindName(o.kind));
    s.Bind(4, o.region_code).Bind(5, o.affiliated_court_id);
    s.Bind(6, absl::ToUnixMicros(o.create_time)).Bind(7, o.version);
    return s.Run();
  });
  if (!st.ok()) return st;
  return o;
}

absl::StatusOr<Organization> SqliteRosterStore::GetOrganization(absl::string_view id) {
  Organization o;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(o, LoadOrganization(c, id));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return o;
}

absl::StatusOr<std::vector<Organization>> SqliteRosterStore::ListOrganizations(
    absl::string_view region_prefix, absl::string_view after_id, int limit) {
  std::vector<Organization> out;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare(absl::StrCat("SELECT ", kOrganizationColumns,
                               " FROM organizations WHERE id > ?1 AND region_code LIKE ?2"
                               " ORDER BY id LIMIT ?3")));
    s.Bind(1, after_id).Bind(2, absl::StrCat(region_prefix, "%"));
    s.Bind(3, static_cast<int64_t>(limit) + 1);
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(ReadOrganization(s));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<Mediator> SqliteRosterStore::CreateMediator(Mediator m) {
  absl::Status st = db_->Write([&](Connection& c) -> absl::Status {
    auto org = LoadOrganization(c, m.organization_id);
    if (!org.ok()) {
      return MakeError(absl::StatusCode::kNotFound, kReasonNotFound,
                       absl::StrCat("organizations/", m.organization_id, " not found"));
    }
    if (LoadMediator(c, m.organization_id, m.id).ok()) {
      return MakeError(absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
                       absl::StrCat("organizations/", m.organization_id, "/mediators/", m.id,
                                    " already exists"));
    }
    ODR_ASSIGN_OR_RETURN(std::optional<Mediator> same, LoadMediatorByPrincipal(c, m.principal_id));
    if (same) {
      return InvalidFieldError("mediator.principal", "is already the account of another mediator");
    }
    m.version = 1;
    m.active_cases = 0;
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare("INSERT INTO mediators (organization_id, id, display_name, profile, specialties,"
                  " languages, region_code, employment, fee_fen, max_concurrent_cases,"
                  " principal_id, id_document_type, id_number, phone, related_id_numbers,"
                  " create_time_us, version, suspended) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                  " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, 1, ?17)"));
    ODR_RETURN_IF_ERROR(BindMediator(s, m));
    s.Bind(16, absl::ToUnixMicros(clock_->Now())).Bind(17, int64_t{m.suspended ? 1 : 0});
    return s.Run();
  });
  if (!st.ok()) return st;
  return m;
}

absl::StatusOr<Mediator> SqliteRosterStore::GetMediator(absl::string_view organization_id,
                                                        absl::string_view id) {
  Mediator m;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(m, LoadMediator(c, organization_id, id));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return m;
}

absl::StatusOr<std::vector<Mediator>> SqliteRosterStore::ListMediators(const MediatorQuery& q) {
  std::vector<std::string> where;
  std::vector<std::string> params;
  auto param = [&](std::string v) {
    params.push_back(std::move(v));
    return absl::StrCat("?", params.size());
  };
  if (q.organization_id) where.push_back("organization_id = " + param(*q.organization_id));
  if (q.specialty) {
    where.push_back(
        absl::StrCat("specialties LIKE ",
                     param(absl::StrCat("%,", domain::DisputeTypeName(*q.specialty), ",%"))));
  }
  if (q.region_prefix) where.push_back("region_code LIKE " + param(*q.region_prefix + "%"));
  if (q.language) where.push_back("languages LIKE " + param(absl::StrCat("%,", *q.language, ",%")));
  if (q.accepting_cases) where.push_back("suspended = 0 AND active_cases < max_concurrent_cases");
  if (q.after) {
    std::string o = param(q.after->first), i = param(q.after->second);
    where.push_back(absl::StrCat("(organization_id > ", o, " OR (organization_id = ", o,
                                 " AND id > ", i, "))"));
  }
  std::string sql = absl::StrCat("SELECT ", kMediatorColumns, " FROM mediators");
  if (!where.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(where, " AND "));
  absl::StrAppend(&sql, " ORDER BY organization_id, id LIMIT ", q.limit + 1);
  std::vector<Mediator> out;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare(sql));
    for (size_t i = 0; i < params.size(); ++i) {
      s.Bind(static_cast<int>(i + 1), absl::string_view(params[i]));
    }
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(ReadMediator(s));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<Mediator> SqliteRosterStore::UpdateMediator(
    const Mediator& m, std::optional<int64_t> expected_version) {
  Mediator result;
  absl::Status st = db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Mediator current, LoadMediator(c, m.organization_id, m.id));
    const std::string what = absl::StrCat("organizations/", m.organization_id, "/mediators/", m.id);
    if (expected_version && *expected_version != current.version) return Stale(what);
    if (m.max_concurrent_cases < current.active_cases) {
      return MakeError(absl::StatusCode::kFailedPrecondition, "OVER_CAPACITY",
                       absl::StrCat("max_concurrent_cases cannot go below the ",
                                    current.active_cases, " cases the mediator has now"));
    }
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare("UPDATE mediators SET display_name = ?3, profile = ?4, specialties = ?5,"
                  " languages = ?6, region_code = ?7, employment = ?8, fee_fen = ?9,"
                  " max_concurrent_cases = ?10, principal_id = ?11, id_document_type = ?12,"
                  " id_number = ?13, phone = ?14, related_id_numbers = ?15,"
                  " version = version + 1 WHERE organization_id = ?1 AND id = ?2"));
    Mediator next = m;
    next.principal_id = current.principal_id;  // immutable
    ODR_RETURN_IF_ERROR(BindMediator(s, next));
    ODR_RETURN_IF_ERROR(s.Run());
    ODR_ASSIGN_OR_RETURN(result, LoadMediator(c, m.organization_id, m.id));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

absl::StatusOr<Mediator> SqliteRosterStore::SetSuspended(absl::string_view organization_id,
                                                         absl::string_view id, bool suspended) {
  Mediator result;
  absl::Status st = db_->Write([&](Connection& c) -> absl::Status {
    ODR_RETURN_IF_ERROR(LoadMediator(c, organization_id, id).status());
    ODR_ASSIGN_OR_RETURN(Statement s,
                         c.Prepare("UPDATE mediators SET suspended = ?3, version = version + 1"
                                   " WHERE organization_id = ?1 AND id = ?2"));
    s.Bind(1, organization_id).Bind(2, id).Bind(3, int64_t{suspended ? 1 : 0});
    ODR_RETURN_IF_ERROR(s.Run());
    ODR_ASSIGN_OR_RETURN(result, LoadMediator(c, organization_id, id));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

absl::StatusOr<Pool> SqliteRosterStore::CreatePool(Pool p) {
  absl::Status st = db_->Write([&](Connection& c) -> absl::Status {
    ODR_RETURN_IF_ERROR(LoadOrganization(c, p.organization_id).status());
    for (size_t i = 0; i < p.mediator_ids.size(); ++i) {
      if (!LoadMediator(c, p.organization_id, p.mediator_ids[i]).ok()) {
        return InvalidFieldError(absl::StrCat("pool.mediators[", i, "]"),
                                 "is not a mediator of the pool's organization");
      }
    }
    ODR_ASSIGN_OR_RETURN(Statement exists,
                         c.Prepare("SELECT 1 FROM pools WHERE organization_id = ?1 AND id = ?2"));
    exists.Bind(1, p.organization_id).Bind(2, p.id);
    ODR_ASSIGN_OR_RETURN(bool row, exists.Step());
    ODR_RETURN_IF_ERROR(exists.Run());
    if (row) {
      return MakeError(
          absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
          absl::StrCat("organizations/", p.organization_id, "/pools/", p.id, " already exists"));
    }
    p.version = 1;
    ODR_ASSIGN_OR_RETURN(Statement s,
                         c.Prepare("INSERT INTO pools (organization_id, id, display_name,"
                                   " dispute_types, region_codes, mediator_ids, version)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)"));
    s.Bind(1, p.organization_id).Bind(2, p.id).Bind(3, p.display_name);
    s.Bind(4, TypeSet(p.dispute_types)).Bind(5, Set(p.region_codes)).Bind(6, Set(p.mediator_ids));
    return s.Run();
  });
  if (!st.ok()) return st;
  return p;
}

namespace {
constexpr char kPoolColumns[] =
    "organization_id, id, display_name, dispute_types, region_codes, mediator_ids, version";
Pool ReadPool(const Statement& s) {
  Pool p;
  p.organization_id = s.ColumnText(0);
  p.id = s.ColumnText(1);
  p.display_name = s.ColumnText(2);
  p.dispute_types = TypeUnset(s.ColumnText(3));
  p.region_codes = Unset(s.ColumnText(4));
  p.mediator_ids = Unset(s.ColumnText(5));
  p.version = s.ColumnInt(6);
  return p;
}
}  // namespace

absl::StatusOr<Pool> SqliteRosterStore::GetPool(absl::string_view organization_id,
                                                absl::string_view id) {
  Pool p;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(
        Statement s, c.Prepare(absl::StrCat("SELECT ", kPoolColumns,
                                            " FROM pools WHERE organization_id = ?1 AND id = ?2")));
    s.Bind(1, organization_id).Bind(2, id);
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return NotFound(absl::StrCat("organizations/", organization_id, "/pools/", id));
    p = ReadPool(s);
    return s.Run();
  });
  if (!st.ok()) return st;
  return p;
}

absl::StatusOr<std::vector<Pool>> SqliteRosterStore::ListPools(absl::string_view organization_id) {
  std::vector<Pool> out;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement s,
                         c.Prepare(absl::StrCat("SELECT ", kPoolColumns,
                                                " FROM pools WHERE organization_id = ?1 ORDER BY id"
                                                " LIMIT 1000")));
    s.Bind(1, organization_id);
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(ReadPool(s));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace odr::storage

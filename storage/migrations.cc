#include "storage/migrations.h"

namespace odr::storage {

const std::vector<std::string>& Migrations() {
  static const auto* kMigrations = new std::vector<std::string>{
      // 1: cases, their parties, their timeline, case numbers, idempotency keys.
      R"sql(
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  case_number TEXT NOT NULL UNIQUE,
  dispute_type TEXT NOT NULL,
  summary TEXT NOT NULL,
  claims TEXT NOT NULL,
  amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
  region_code TEXT NOT NULL,
  diversion_court TEXT,
  diversion_intake_reference TEXT,
  diversion_date TEXT,
  state TEXT NOT NULL,
  create_time_us INTEGER NOT NULL,
  update_time_us INTEGER NOT NULL,
  version INTEGER NOT NULL
) STRICT;
CREATE INDEX cases_by_create_time ON cases (create_time_us, id);
CREATE INDEX cases_by_update_time ON cases (update_time_us, id);
CREATE INDEX cases_by_state ON cases (state, create_time_us, id);
CREATE INDEX cases_by_region ON cases (region_code, create_time_us, id);

-- A party (agent_ordinal 0) or one of its agents (1..n).
CREATE TABLE case_parties (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  side TEXT NOT NULL CHECK (side IN ('applicant', 'respondent')),
  ordinal INTEGER NOT NULL,
  agent_ordinal INTEGER NOT NULL,
  kind TEXT,
  name TEXT NOT NULL,
  id_document_type TEXT NOT NULL,
  id_number TEXT NOT NULL,
  phone TEXT NOT NULL,
  service_address TEXT NOT NULL,
  PRIMARY KEY (case_id, side, ordinal, agent_ordinal)
) STRICT, WITHOUT ROWID;

CREATE TABLE case_events (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  actor TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (case_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE case_number_counters (
  year INTEGER PRIMARY KEY,
  last_value INTEGER NOT NULL
) STRICT;

CREATE TABLE idempotency_keys (
  method TEXT NOT NULL,
  request_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  case_id TEXT NOT NULL,
  create_time_us INTEGER NOT NULL,
  PRIMARY KEY (method, request_id)
) STRICT, WITHOUT ROWID;
)sql",
  };
  return *kMigrations;
}

}  // namespace odr::storage

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
      // 2: identity and access. Cases gain their organization, court ids and mediators;
      // principals, partner links, and the append-only access log.
      R"sql(
ALTER TABLE cases ADD COLUMN organization_id TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN diversion_court_display_name TEXT;
-- Up to version 1 diversion_court held the court's display name; from 2 it holds the court id.
UPDATE cases SET diversion_court_display_name = diversion_court, diversion_court = 'unknown'
  WHERE diversion_court IS NOT NULL;
CREATE INDEX cases_by_organization ON cases (organization_id, create_time_us, id);
CREATE INDEX cases_by_court ON cases (diversion_court, create_time_us, id);
CREATE INDEX case_parties_by_document ON case_parties (id_number, id_document_type);

CREATE TABLE case_mediators (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  mediator_id TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  assigned_time_us INTEGER NOT NULL,
  PRIMARY KEY (case_id, mediator_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_mediators_by_mediator ON case_mediators (mediator_id, case_id);

CREATE TABLE principals (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  display_name TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  court_id TEXT NOT NULL,
  id_document_type TEXT NOT NULL,
  id_number TEXT NOT NULL,
  certificate_name TEXT,
  api_key_hash TEXT,
  disabled INTEGER NOT NULL DEFAULT 0,
  create_time_us INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX principals_by_certificate ON principals (certificate_name)
  WHERE certificate_name IS NOT NULL;

CREATE TABLE partner_citizens (
  partner_id TEXT NOT NULL REFERENCES principals (id),
  citizen_id TEXT NOT NULL REFERENCES principals (id),
  PRIMARY KEY (partner_id, citizen_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE access_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time_us INTEGER NOT NULL,
  principal_id TEXT NOT NULL,
  acting_through TEXT NOT NULL,
  method TEXT NOT NULL,
  resource TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('read', 'change'))
) STRICT;
CREATE INDEX access_log_by_principal ON access_log (principal_id, seq);
CREATE INDEX access_log_by_resource ON access_log (resource, seq);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
  BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
  BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
)sql",
      // 3: organizations, mediators (capacity enforced by a CHECK), pools; assignments of
      // mediators to cases with their state; the parties' joint choices; the case's language.
      R"sql(
CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  region_code TEXT NOT NULL,
  affiliated_court TEXT NOT NULL,
  create_time_us INTEGER NOT NULL,
  version INTEGER NOT NULL
) STRICT;
CREATE INDEX organizations_by_region ON organizations (region_code, id);

CREATE TABLE mediators (
  organization_id TEXT NOT NULL REFERENCES organizations (id),
  id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  profile TEXT NOT NULL,
  specialties TEXT NOT NULL,  -- ',medical,labour,'
  languages TEXT NOT NULL,    -- ',zh,zh-wuu,'
  region_code TEXT NOT NULL,
  employment TEXT NOT NULL,
  fee_fen INTEGER NOT NULL,
  max_concurrent_cases INTEGER NOT NULL CHECK (max_concurrent_cases >= 1),
  active_cases INTEGER NOT NULL DEFAULT 0
    CHECK (active_cases >= 0 AND active_cases <= max_concurrent_cases),
  suspended INTEGER NOT NULL DEFAULT 0,
  principal_id TEXT NOT NULL UNIQUE,
  id_document_type TEXT NOT NULL,
  id_number TEXT NOT NULL,
  phone TEXT NOT NULL,
  related_id_numbers TEXT NOT NULL,  -- one a line
  recent_settled INTEGER NOT NULL DEFAULT 0,
  recent_ended INTEGER NOT NULL DEFAULT 0,
  create_time_us INTEGER NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (organization_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX mediators_by_region ON mediators (region_code);
CREATE INDEX mediators_by_id_number ON mediators (id_number);

CREATE TABLE pools (
  organization_id TEXT NOT NULL REFERENCES organizations (id),
  id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  dispute_types TEXT NOT NULL,
  region_codes TEXT NOT NULL,
  mediator_ids TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (organization_id, id)
) STRICT, WITHOUT ROWID;

ALTER TABLE case_mediators ADD COLUMN mediator_org TEXT NOT NULL DEFAULT '';
ALTER TABLE case_mediators ADD COLUMN roster_id TEXT NOT NULL DEFAULT '';
ALTER TABLE case_mediators ADD COLUMN status TEXT NOT NULL DEFAULT 'accepted';
ALTER TABLE case_mediators ADD COLUMN method TEXT NOT NULL DEFAULT 'organization';
ALTER TABLE case_mediators ADD COLUMN reason TEXT NOT NULL DEFAULT '';

CREATE TABLE case_mediator_choices (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  side TEXT NOT NULL CHECK (side IN ('applicant', 'respondent')),
  mediator_org TEXT NOT NULL,
  roster_id TEXT NOT NULL,
  PRIMARY KEY (case_id, side)
) STRICT, WITHOUT ROWID;

ALTER TABLE cases ADD COLUMN language TEXT NOT NULL DEFAULT 'zh';
)sql",
      // 4: numeric ordering of case numbers. ODR-2026-1000000 must sort after ODR-2026-999999,
      // which text ordering does not do; "2026-0001000000" does.
      R"sql(
ALTER TABLE cases ADD COLUMN case_sort TEXT GENERATED ALWAYS AS (
  substr(case_number, 5, 4) || '-' || printf('%010d', CAST(substr(case_number, 10) AS INTEGER))
) VIRTUAL;
CREATE INDEX cases_by_case_sort ON cases (case_sort, id);
)sql",
      // 5: evidence and its uploads; the evidence log (RFC 6962): leaves, the hashes of complete
      // subtrees, signed checkpoints. The log tables are append-only (triggers).
      R"sql(
CREATE TABLE evidence_uploads (
  principal_id TEXT NOT NULL,
  upload_id TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases (id),
  file_name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  description TEXT NOT NULL,
  size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
  sha256 TEXT NOT NULL,
  visibility TEXT NOT NULL,
  uploader_role TEXT NOT NULL,
  create_time_us INTEGER NOT NULL,
  evidence_id TEXT,
  PRIMARY KEY (principal_id, upload_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX evidence_uploads_open_by_case ON evidence_uploads (case_id) WHERE evidence_id IS NULL;

CREATE TABLE evidence (
  case_id TEXT NOT NULL REFERENCES cases (id),
  id TEXT NOT NULL,
  upload_id TEXT NOT NULL,
  uploader_id TEXT NOT NULL,
  uploader_role TEXT NOT NULL,
  file_name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  description TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  visibility TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'withdrawn')),
  create_time_us INTEGER NOT NULL,
  withdraw_time_us INTEGER,
  withdraw_reason TEXT NOT NULL DEFAULT '',
  log_index INTEGER NOT NULL UNIQUE,
  PRIMARY KEY (case_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX evidence_by_case_log ON evidence (case_id, log_index);
CREATE INDEX evidence_by_sha256 ON evidence (sha256);
CREATE INDEX evidence_by_uploader ON evidence (uploader_id) WHERE state = 'active';

CREATE TABLE evidence_log_leaves (
  leaf_index INTEGER PRIMARY KEY,
  leaf_data TEXT NOT NULL
) STRICT;
CREATE TABLE evidence_log_nodes (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;
CREATE TABLE evidence_log_checkpoints (
  tree_size INTEGER PRIMARY KEY,
  note TEXT NOT NULL
) STRICT;
CREATE TRIGGER evidence_log_leaves_no_update BEFORE UPDATE ON evidence_log_leaves
  BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER evidence_log_leaves_no_delete BEFORE DELETE ON evidence_log_leaves
  BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER evidence_log_nodes_no_update BEFORE UPDATE ON evidence_log_nodes
  BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER evidence_log_nodes_no_delete BEFORE DELETE ON evidence_log_nodes
  BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER evidence_log_checkpoints_no_update BEFORE UPDATE ON evidence_log_checkpoints
  BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER evidence_log_checkpoints_no_delete BEFORE DELETE ON evidence_log_checkpoints
  BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
  BEGIN SELECT RAISE(ABORT, 'evidence is withdrawn, never deleted'); END;
)sql",
      // 6: the working-day calendar, one row per year as the operator loaded it (the JSON of
      // domain::ParseCalendarYear).
      R"sql(
CREATE TABLE calendar_years (
  year INTEGER PRIMARY KEY,
  definition TEXT NOT NULL,
  load_time_us INTEGER NOT NULL
) STRICT;
)sql",
      // 7: appointments and the statutory clock (issue 6). Case events get a service-wide id in
      // commit order (the watch cursor), a kind, a subject and an audience.
      R"sql(
CREATE TABLE case_events_v7 (
  event_id INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  audience TEXT NOT NULL CHECK (audience IN ('all', 'applicant', 'respondent', 'staff')),
  actor TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL,
  UNIQUE (case_id, seq)
) STRICT;
INSERT INTO case_events_v7 (case_id, seq, kind, subject, audience, actor, time_us, from_state,
                            to_state, reason)
  SELECT case_id, seq, 'state_change', '', 'all', actor, time_us, from_state, to_state, reason
  FROM case_events ORDER BY time_us, case_id, seq;
DROP TABLE case_events;
ALTER TABLE case_events_v7 RENAME TO case_events;

ALTER TABLE cases ADD COLUMN diversion_procedure TEXT;

-- A mediator's working hours and leave: the JSON of domain::Availability (leave in UTC).
CREATE TABLE mediator_availability (
  organization_id TEXT NOT NULL,
  mediator_id TEXT NOT NULL,
  definition TEXT NOT NULL,
  version INTEGER NOT NULL,
  update_time_us INTEGER NOT NULL,
  PRIMARY KEY (organization_id, mediator_id),
  FOREIGN KEY (organization_id, mediator_id) REFERENCES mediators (organization_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE appointments (
  case_id TEXT NOT NULL REFERENCES cases (id),
  id TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('scheduled', 'cancelled')),
  start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL CHECK (end_us > start_us),
  mediator_principal TEXT NOT NULL,
  location TEXT NOT NULL,
  participants TEXT NOT NULL,  -- JSON [{"participant": ..., "attendance": ...}]
  audience TEXT NOT NULL,
  cancel_reason TEXT NOT NULL,
  booked_by TEXT NOT NULL,
  request_fingerprint TEXT NOT NULL,
  create_time_us INTEGER NOT NULL,
  update_time_us INTEGER NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (case_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX appointments_by_start ON appointments (case_id, start_us, id);

-- Who is booked when, one row per person of a scheduled appointment: the check against it runs in
-- the booking's write transaction, so two bookings of one person at overlapping times cannot both
-- commit. person: 'principal:{id}' for mediators, 'person:{sha256 of document type and number}'
-- for parties and agents (no personal data in clear).
CREATE TABLE busy_intervals (
  person TEXT NOT NULL,
  start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL,
  case_id TEXT NOT NULL,
  appointment_id TEXT NOT NULL,
  PRIMARY KEY (person, start_us, case_id, appointment_id),
  FOREIGN KEY (case_id, appointment_id) REFERENCES appointments (case_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX busy_intervals_by_appointment ON busy_intervals (case_id, appointment_id);

-- Statutory deadlines and appointment reminders. A row fires (warning, then expiry) when
-- next_fire_us has passed; firing updates the row and takes the action in one transaction, so
-- each fires once, also across restarts.
CREATE TABLE deadlines (
  case_id TEXT NOT NULL REFERENCES cases (id),
  id TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'met', 'expired', 'cancelled')),
  subject TEXT NOT NULL,
  start_us INTEGER NOT NULL,
  length INTEGER NOT NULL,
  working_days INTEGER NOT NULL,
  extension_days INTEGER NOT NULL,
  paused_us INTEGER NOT NULL,
  paused_at_us INTEGER,
  due_us INTEGER NOT NULL,
  warn_us INTEGER,
  warned INTEGER NOT NULL,
  provisional INTEGER NOT NULL,
  next_fire_us INTEGER,
  ordinal INTEGER NOT NULL,
  update_time_us INTEGER NOT NULL,
  PRIMARY KEY (case_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX deadlines_by_next_fire ON deadlines (next_fire_us) WHERE next_fire_us IS NOT NULL;

-- Cases referred back to the diverting court for filing as litigation (OMR Art. 21).
CREATE TABLE court_referrals (
  court_id TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases (id),
  reason TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  PRIMARY KEY (court_id, case_id)
) STRICT, WITHOUT ROWID;
)sql",
      // 8: a case's events in id order, for the event stream of one case.
      R"sql(
CREATE INDEX case_events_by_case ON case_events (case_id, event_id);
)sql",
      // 9: settlement agreements (revisions, signatures, payments), privileged offers (apart from
      // everything a court receives), courts, judicial confirmation applications.
      R"sql(
CREATE TABLE agreements (
  case_id TEXT NOT NULL REFERENCES cases (id),
  id TEXT NOT NULL,
  revision INTEGER NOT NULL CHECK (revision >= 1),
  state TEXT NOT NULL CHECK (state IN ('draft', 'effective', 'abandoned',
    'confirmation_rejected')),
  create_time_us INTEGER NOT NULL,
  update_time_us INTEGER NOT NULL,
  effective_time_us INTEGER,
  version INTEGER NOT NULL,
  request_key TEXT UNIQUE,
  PRIMARY KEY (case_id, id)
) STRICT, WITHOUT ROWID;

-- Every revision's content (JSON), its canonical text and the hash of that text.
CREATE TABLE agreement_revisions (
  case_id TEXT NOT NULL,
  agreement_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  content_json TEXT NOT NULL,
  parties_json TEXT NOT NULL,
  text TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  create_time_us INTEGER NOT NULL,
  PRIMARY KEY (case_id, agreement_id, revision),
  FOREIGN KEY (case_id, agreement_id) REFERENCES agreements (case_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE agreement_signatures (
  case_id TEXT NOT NULL,
  agreement_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  signer TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('party', 'mediator', 'organization')),
  principal_id TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  statement TEXT NOT NULL,
  signature_b64 TEXT NOT NULL,
  key_id TEXT NOT NULL,
  PRIMARY KEY (case_id, agreement_id, revision, signer),
  FOREIGN KEY (case_id, agreement_id, revision)
    REFERENCES agreement_revisions (case_id, agreement_id, revision)
) STRICT, WITHOUT ROWID;

CREATE TABLE agreement_payments (
  case_id TEXT NOT NULL,
  agreement_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  instalment INTEGER NOT NULL CHECK (instalment >= 0),
  amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
  time_us INTEGER NOT NULL,
  recorded_by TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (case_id, agreement_id, seq),
  FOREIGN KEY (case_id, agreement_id) REFERENCES agreements (case_id, id)
) STRICT, WITHOUT ROWID;

-- Offers and concessions made during mediation are privileged (OMR Art. 18): nothing that
-- assembles what a court receives reads this table.
CREATE TABLE privileged_offers (
  case_id TEXT NOT NULL REFERENCES cases (id),
  id TEXT NOT NULL,
  offered_by TEXT NOT NULL,
  text TEXT NOT NULL,
  amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
  recorded_by TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  PRIMARY KEY (case_id, id)
) STRICT, WITHOUT ROWID;

-- Basic courts that confirm agreements, with the region they serve (odrd admin create-court).
CREATE TABLE courts (
  id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  region_code TEXT NOT NULL
) STRICT;
CREATE INDEX courts_by_region ON courts (region_code, id);

CREATE TABLE confirmations (
  case_id TEXT NOT NULL REFERENCES cases (id),
  id TEXT NOT NULL,
  agreement_id TEXT NOT NULL,
  court_id TEXT NOT NULL,
  bases TEXT NOT NULL,
  state TEXT NOT NULL,
  consented TEXT NOT NULL,
  materials_json TEXT NOT NULL,
  submit_time_us INTEGER,
  accept_due_us INTEGER,
  accept_time_us INTEGER,
  ruling_due_us INTEGER,
  decision_time_us INTEGER,
  refusal_ground TEXT NOT NULL DEFAULT '',
  rejection_grounds TEXT NOT NULL DEFAULT '',
  court_note TEXT NOT NULL DEFAULT '',
  ruling_number TEXT NOT NULL DEFAULT '',
  create_time_us INTEGER NOT NULL,
  update_time_us INTEGER NOT NULL,
  version INTEGER NOT NULL,
  request_key TEXT UNIQUE,
  PRIMARY KEY (case_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX confirmations_by_court ON confirmations (court_id, create_time_us, case_id, id);

CREATE INDEX cases_by_diversion_court ON cases (diversion_court, create_time_us, id);
)sql",
      // 10: statistics (docs/statistics.md). Days are whole days since 1970-01-01 in China time
      // (UTC+8). One narrow row per case, kept in the case's own transactions, so that a report
      // reads one small row per case and no case data.
      R"sql(
CREATE TABLE case_stats (
  case_id TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
  organization_id TEXT NOT NULL,
  court_id TEXT NOT NULL,
  region_code TEXT NOT NULL,
  dispute_type TEXT NOT NULL,
  mediator TEXT NOT NULL DEFAULT '',
  diverted_day INTEGER,
  submitted_day INTEGER,
  accepted_day INTEGER,
  ended_day INTEGER,
  outcome INTEGER CHECK (outcome BETWEEN 1 AND 4),
  resolution_days INTEGER
) STRICT;
CREATE INDEX case_stats_by_organization ON case_stats (organization_id);
CREATE INDEX case_stats_by_court ON case_stats (court_id) WHERE court_id != '';
CREATE INDEX case_stats_by_mediator ON case_stats (mediator) WHERE mediator != '';
CREATE INDEX case_stats_by_region ON case_stats (region_code);

-- What may happen more than once to a case: confirmation applications and rulings, breaches.
CREATE TABLE stat_events (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('confirmation_applied', 'confirmation_confirmed',
                                     'confirmation_rejected', 'deadline_breach')),
  subject TEXT NOT NULL,
  day INTEGER NOT NULL,
  PRIMARY KEY (case_id, kind, subject)
) STRICT, WITHOUT ROWID;
CREATE INDEX stat_events_by_day ON stat_events (day, kind);

-- Disputes presented at a court's intake window and not diverted (CourtService.RecordIntake).
CREATE TABLE court_intakes (
  court_id TEXT NOT NULL,
  intake_reference TEXT NOT NULL,
  id TEXT NOT NULL UNIQUE,
  presented_date TEXT NOT NULL,
  presented_day INTEGER NOT NULL,
  dispute_type TEXT NOT NULL,
  region_code TEXT NOT NULL,
  disposition TEXT NOT NULL,
  create_time_us INTEGER NOT NULL,
  PRIMARY KEY (court_id, intake_reference)
) STRICT, WITHOUT ROWID;
CREATE INDEX court_intakes_by_day ON court_intakes (presented_day);

-- Cases that exist already.
INSERT INTO case_stats (case_id, organization_id, court_id, region_code, dispute_type, mediator,
                        diverted_day, submitted_day, accepted_day, ended_day, outcome)
  SELECT k.id, k.organization_id, COALESCE(k.diversion_court, ''), k.region_code, k.dispute_type,
    COALESCE((SELECT 'organizations/' || m.mediator_org || '/mediators/' || m.roster_id
              FROM case_mediators m WHERE m.case_id = k.id AND m.status = 'accepted'
              AND m.roster_id != '' LIMIT 1), ''),
    CASE WHEN k.diversion_date IS NULL THEN NULL
         ELSE CAST(julianday(k.diversion_date) - 2440587.5 AS INTEGER) END,
    (SELECT MIN(e.time_us / 1000000 + 28800) / 86400 FROM case_events e
     WHERE e.case_id = k.id AND e.kind = 'state_change' AND e.to_state = 'submitted'),
    (SELECT MIN(e.time_us / 1000000 + 28800) / 86400 FROM case_events e
     WHERE e.case_id = k.id AND e.kind = 'state_change' AND e.to_state = 'accepted'),
    CASE WHEN k.state IN ('withdrawn', 'closed', 'settled', 'confirmed') THEN
      (SELECT MAX(e.time_us / 1000000 + 28800) / 86400 FROM case_events e
       WHERE e.case_id = k.id AND e.kind = 'state_change'
       AND e.to_state IN ('withdrawn', 'closed', 'settled') AND e.from_state != e.to_state)
    END,
    CASE k.state WHEN 'settled' THEN 1 WHEN 'confirmed' THEN 1 WHEN 'withdrawn' THEN 3
      WHEN 'closed' THEN
        CASE WHEN (SELECT e.actor FROM case_events e WHERE e.case_id = k.id
                   AND e.kind = 'state_change' AND e.to_state = 'closed'
                   ORDER BY e.seq DESC LIMIT 1) = 'system' THEN 4 ELSE 2 END
    END
  FROM cases k;
UPDATE case_stats SET resolution_days = ended_day - submitted_day
  WHERE ended_day IS NOT NULL AND submitted_day IS NOT NULL;
INSERT OR IGNORE INTO stat_events (case_id, kind, subject, day)
  SELECT case_id, 'confirmation_applied', id, (submit_time_us / 1000000 + 28800) / 86400
  FROM confirmations WHERE submit_time_us IS NOT NULL;
INSERT OR IGNORE INTO stat_events (case_id, kind, subject, day)
  SELECT case_id, CASE state WHEN 'ruled_valid' THEN 'confirmation_confirmed'
                  ELSE 'confirmation_rejected' END, id,
         (COALESCE(decision_time_us, update_time_us) / 1000000 + 28800) / 86400
  FROM confirmations WHERE state IN ('ruled_valid', 'ruled_rejected', 'refused');
INSERT OR IGNORE INTO stat_events (case_id, kind, subject, day)
  SELECT case_id, 'deadline_breach', id || ':' || due_us, (due_us / 1000000 + 28800) / 86400
  FROM deadlines WHERE state = 'expired'
    AND kind NOT IN ('appointment_reminder', 'confirmation_application');
)sql",
      // 11: request_ids expire after domain::kRequestIdRetention (AIP-155); the index finds
      // the expired ones.
      R"sql(
-- Natural keys (a court's intake reference for DivertCase) never expire.
ALTER TABLE idempotency_keys ADD COLUMN permanent INTEGER NOT NULL DEFAULT 0
  CHECK (permanent IN (0, 1));
UPDATE idempotency_keys SET permanent = 1 WHERE method LIKE 'court:%';
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (create_time_us) WHERE permanent = 0;

-- The partner app through which a citizen caused an event (principal id; '' when none, and for
-- every event before this version, which did not record it).
ALTER TABLE case_events ADD COLUMN acting_through TEXT NOT NULL DEFAULT '';
)sql",
      // 12: the three routes end differently (OMR Arts. 20-21; docs/procedure.md): each closed or
      // concluded case records its ending, a referral says whether the court files the case or
      // resumes the trial, and statistics count both and the court's conclusions.
      R"sql(
CREATE TABLE case_endings (
  case_id TEXT PRIMARY KEY REFERENCES cases (id),
  kind TEXT NOT NULL CHECK (kind IN ('other_remedies', 'referred_for_filing', 'trial_resumed',
                                     'mediation_statement', 'suit_withdrawn')),
  reason TEXT NOT NULL,
  cost_conduct TEXT NOT NULL,
  court_document TEXT NOT NULL,
  actor TEXT NOT NULL,
  time_us INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

ALTER TABLE court_referrals ADD COLUMN kind TEXT NOT NULL DEFAULT 'referred_for_filing'
  CHECK (kind IN ('referred_for_filing', 'trial_resumed'));
ALTER TABLE court_referrals ADD COLUMN cost_conduct TEXT NOT NULL DEFAULT '';
ALTER TABLE case_stats ADD COLUMN ending TEXT;
ALTER TABLE case_stats ADD COLUMN ending_day INTEGER;
)sql",
      // 13: the data of cases that ended before version 12, in a step of its own (statements
      // that may run again on the rows they already fixed).
      R"sql(
-- Post-filing failures were referred "for filing"; the law returns them for the trial to resume.
UPDATE court_referrals SET kind = 'trial_resumed' WHERE case_id IN (
  SELECT id FROM cases WHERE diversion_procedure IN ('post_filing_ordinary', 'post_filing_simple'));

-- Cases closed before this version: the ending their route gives, with the closing reason.
INSERT OR IGNORE INTO case_endings (case_id, kind, reason, cost_conduct, court_document, actor,
                                    time_us)
  SELECT k.id,
         CASE WHEN k.diversion_court IS NULL THEN 'other_remedies'
              WHEN COALESCE(k.diversion_procedure, 'pre_filing') = 'pre_filing'
                THEN 'referred_for_filing'
              ELSE 'trial_resumed' END,
         e.reason, '', '', e.actor, e.time_us
  FROM cases k JOIN case_events e ON e.case_id = k.id
  WHERE k.state = 'closed' AND e.kind = 'state_change' AND e.to_state = 'closed'
    AND e.from_state IS NOT 'closed';

UPDATE case_stats SET
  ending = (SELECT kind FROM case_endings WHERE case_endings.case_id = case_stats.case_id),
  ending_day = (SELECT (time_us / 1000000 + 28800) / 86400 FROM case_endings
                WHERE case_endings.case_id = case_stats.case_id)
  WHERE ending IS NULL;
)sql",
      // 14: when an agreement takes effect and what follows (OMR Art. 19; 特邀 Arts. 19, 24;
      // PML Art. 29), and an agent's special authority (CPL Art. 62).
      R"sql(
-- The rule each agreement takes effect by. Agreements before this version took effect when
-- every party, a mediator and the organization had signed: recorded as such, with their
-- effective time unchanged and no service or filing time (odr did not record them).
ALTER TABLE agreements ADD COLUMN effect_rule TEXT NOT NULL DEFAULT 'all_signed'
  CHECK (effect_rule IN ('parties_signed', 'all_signed'));
ALTER TABLE agreements ADD COLUMN service_time_us INTEGER;
ALTER TABLE agreements ADD COLUMN court_filing_time_us INTEGER;

-- 1 when the agent's power of attorney grants special authority; agents recorded before this
-- version have none recorded.
ALTER TABLE case_parties ADD COLUMN special_authority INTEGER NOT NULL DEFAULT 0
  CHECK (special_authority IN (0, 1));
)sql",
      // 15: the court's review after filing and what follows its ruling (CPL Interpretation
      // Arts. 354-357, 372; CPL Art. 187), one JSON record an application.
      R"sql(
ALTER TABLE confirmations ADD COLUMN review_json TEXT NOT NULL DEFAULT '{}';
-- Applications withdrawn before this version were withdrawn by the parties themselves.
UPDATE confirmations SET review_json = '{"withdrawal_kind":"by_parties"}'
  WHERE state = 'withdrawn';
)sql",
      // 16: the record that mediation was voluntary and lawful (CPL Interpretation Art. 358(四);
      // OMR Arts. 4, 11, 13, 14, 16-18, 22, 23; 特邀 Arts. 11, 14, 15, 18). Cases before this
      // version have no records; the pre-check warns of what is missing.
      R"sql(
CREATE TABLE procedure_records (
  case_id TEXT NOT NULL REFERENCES cases (id),
  id TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  kind TEXT NOT NULL,
  party TEXT NOT NULL,
  mediator TEXT NOT NULL,
  manner TEXT NOT NULL,
  detail TEXT NOT NULL,
  appointment TEXT NOT NULL,
  granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
  recorded_by TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  PRIMARY KEY (case_id, id),
  UNIQUE (case_id, ordinal)
) STRICT, WITHOUT ROWID;
)sql",
      // 17: the competent court (CPL Art. 205; CPL Interpretation Arts. 3-4): each party's
      // declared domicile, the subject matter's location, intermediate-court matters and court
      // levels. Domiciles used to be read from ID numbers; none is derived for existing parties
      // (they declare it), nor a subject-matter location for existing cases. Existing courts are
      // basic courts.
      R"sql(
ALTER TABLE case_parties ADD COLUMN domicile_region TEXT NOT NULL DEFAULT '';
ALTER TABLE case_parties ADD COLUMN domicile_basis TEXT NOT NULL DEFAULT ''
  CHECK (domicile_basis IN ('', 'household_registration', 'habitual_residence', 'main_office',
                            'registered_place'));
ALTER TABLE case_parties ADD COLUMN domicile_material TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN subject_matter_region TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN intermediate_court_matter INTEGER NOT NULL DEFAULT 0
  CHECK (intermediate_court_matter IN (0, 1));
ALTER TABLE courts ADD COLUMN level TEXT NOT NULL DEFAULT 'basic'
  CHECK (level IN ('basic', 'intermediate'));
)sql",
  };
  return *kMigrations;
}

}  // namespace odr::storage

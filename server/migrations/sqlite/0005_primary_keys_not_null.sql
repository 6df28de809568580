-- Primary-key columns NOT NULL, as they are on PostgreSQL (tests/tests/schema_parity.rs). SQLite lets a PRIMARY KEY
-- column that is not INTEGER PRIMARY KEY hold NULL unless it says NOT NULL, and cannot add NOT NULL to a column:
-- each table is rebuilt (https://sqlite.org/lang_altertable.html#otheralter) with the same columns, constraints,
-- indexes and triggers, rows copied as they are (the audit trail's hash chain is untouched). db.rs runs SQLite's
-- migrations with foreign keys off and checks them afterwards, as a rebuild requires. PostgreSQL's 0005 is a
-- different change (trigger names); PostgreSQL needs none of this.

CREATE TABLE organisations_new (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('sponsor', 'cmo')),
    created_at TEXT NOT NULL
);
INSERT INTO organisations_new (id, name, kind, created_at)
    SELECT id, name, kind, created_at FROM organisations;
DROP TABLE organisations;
ALTER TABLE organisations_new RENAME TO organisations;

CREATE TABLE sites_new (
    id TEXT NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    location TEXT NOT NULL
);
INSERT INTO sites_new (id, organisation_id, name, location)
    SELECT id, organisation_id, name, location FROM sites;
DROP TABLE sites;
ALTER TABLE sites_new RENAME TO sites;
CREATE INDEX sites_organisation ON sites (organisation_id);

CREATE TABLE users_new (
    id TEXT NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'tech_transfer_lead', 'qa', 'operator', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO users_new (id, organisation_id, email, display_name, role, password_hash, created_at)
    SELECT id, organisation_id, email, display_name, role, password_hash, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE transfers_new (
    id TEXT NOT NULL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    product TEXT NOT NULL,
    product_form TEXT NOT NULL,
    sponsor_org_id TEXT NOT NULL REFERENCES organisations (id),
    cmo_org_id TEXT NOT NULL REFERENCES organisations (id),
    sending_site_id TEXT NOT NULL REFERENCES sites (id),
    receiving_site_id TEXT NOT NULL REFERENCES sites (id),
    stage TEXT NOT NULL,
    started_on TEXT NOT NULL,
    target_completion TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
INSERT INTO transfers_new (
    id, code, product, product_form, sponsor_org_id, cmo_org_id, sending_site_id, receiving_site_id, stage,
    started_on, target_completion, created_at, updated_at, version)
    SELECT
        id, code, product, product_form, sponsor_org_id, cmo_org_id, sending_site_id, receiving_site_id, stage,
        started_on, target_completion, created_at, updated_at, version
    FROM transfers;
DROP TABLE transfers;
ALTER TABLE transfers_new RENAME TO transfers;
CREATE INDEX transfers_sponsor ON transfers (sponsor_org_id);
CREATE INDEX transfers_cmo ON transfers (cmo_org_id);

CREATE TABLE sessions_new (
    id TEXT NOT NULL PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
INSERT INTO sessions_new (id, data, expires_at)
    SELECT id, data, expires_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE login_throttle_new (
    key TEXT NOT NULL PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT
);
INSERT INTO login_throttle_new (key, failures, window_start, locked_until)
    SELECT key, failures, window_start, locked_until FROM login_throttle;
DROP TABLE login_throttle;
ALTER TABLE login_throttle_new RENAME TO login_throttle;

CREATE TABLE partnerships_new (
    id TEXT NOT NULL PRIMARY KEY,
    sponsor_org_id TEXT NOT NULL REFERENCES organisations (id),
    cmo_org_id TEXT NOT NULL REFERENCES organisations (id),
    created_at TEXT NOT NULL,
    UNIQUE (sponsor_org_id, cmo_org_id)
);
INSERT INTO partnerships_new (id, sponsor_org_id, cmo_org_id, created_at)
    SELECT id, sponsor_org_id, cmo_org_id, created_at FROM partnerships;
DROP TABLE partnerships;
ALTER TABLE partnerships_new RENAME TO partnerships;

CREATE TABLE agreements_new (
    id TEXT NOT NULL PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    title TEXT NOT NULL,
    grantor_org_id TEXT NOT NULL REFERENCES organisations (id),
    grantee_org_id TEXT NOT NULL REFERENCES organisations (id),
    all_products BIGINT NOT NULL,
    all_transfers BIGINT NOT NULL,
    permission TEXT NOT NULL CHECK (permission IN ('view', 'comment', 'contribute', 'download')),
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    activated_at TEXT,
    revoked_at TEXT,
    revocation_reason TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    row_version BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    supersedes_id TEXT REFERENCES agreements (id)
);
INSERT INTO agreements_new (
    id, partnership_id, title, grantor_org_id, grantee_org_id, all_products, all_transfers, permission,
    valid_from, valid_until, content_hash, activated_at, revoked_at, revocation_reason, created_by, created_at,
    updated_at, row_version, version, supersedes_id)
    SELECT
        id, partnership_id, title, grantor_org_id, grantee_org_id, all_products, all_transfers, permission,
        valid_from, valid_until, content_hash, activated_at, revoked_at, revocation_reason, created_by, created_at,
        updated_at, row_version, version, supersedes_id
    FROM agreements;
DROP TABLE agreements;
ALTER TABLE agreements_new RENAME TO agreements;
CREATE INDEX agreements_grantee ON agreements (grantee_org_id, grantor_org_id);
CREATE TRIGGER agreements_no_delete BEFORE DELETE ON agreements
BEGIN
    SELECT RAISE(ABORT, 'agreements are never deleted');
END;

CREATE TABLE signatures_new (
    id TEXT NOT NULL PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    signer_id TEXT NOT NULL REFERENCES users (id),
    signer_name TEXT NOT NULL,
    signer_org_id TEXT NOT NULL REFERENCES organisations (id),
    organisation_name TEXT NOT NULL,
    meaning TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
INSERT INTO signatures_new (
    id, record_type, record_id, signer_id, signer_name, signer_org_id, organisation_name, meaning, content_hash,
    signed_at)
    SELECT
        id, record_type, record_id, signer_id, signer_name, signer_org_id, organisation_name, meaning, content_hash,
        signed_at
    FROM signatures;
DROP TABLE signatures;
ALTER TABLE signatures_new RENAME TO signatures;
CREATE INDEX signatures_record ON signatures (record_type, record_id);
CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures
BEGIN
    SELECT RAISE(ABORT, 'signatures are permanent');
END;
CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
BEGIN
    SELECT RAISE(ABORT, 'signatures are permanent');
END;

CREATE TABLE audit_log_new (
    seq BIGINT NOT NULL PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    actor_org_id TEXT,
    owner_org_id TEXT,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    old_values TEXT,
    new_values TEXT,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
INSERT INTO audit_log_new (
    seq, at, actor_id, actor_name, actor_org_id, owner_org_id, action, record_type, record_id, old_values,
    new_values, reason, prev_hash, hash)
    SELECT
        seq, at, actor_id, actor_name, actor_org_id, owner_org_id, action, record_type, record_id, old_values,
        new_values, reason, prev_hash, hash
    FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_record ON audit_log (record_type, record_id);
CREATE INDEX audit_actor_org ON audit_log (actor_org_id, seq);
CREATE INDEX audit_owner_org ON audit_log (owner_org_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE audit_head_new (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head_new (id, seq, hash)
    SELECT id, seq, hash FROM audit_head;
DROP TABLE audit_head;
ALTER TABLE audit_head_new RENAME TO audit_head;

CREATE TABLE quality_agreements_new (
    id TEXT NOT NULL PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    version BIGINT NOT NULL,
    rows_json TEXT NOT NULL,
    reason TEXT,
    content_hash TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (partnership_id, version)
);
INSERT INTO quality_agreements_new (
    id, partnership_id, version, rows_json, reason, content_hash, created_by, created_by_name, created_at)
    SELECT
        id, partnership_id, version, rows_json, reason, content_hash, created_by, created_by_name, created_at
    FROM quality_agreements;
DROP TABLE quality_agreements;
ALTER TABLE quality_agreements_new RENAME TO quality_agreements;
CREATE TRIGGER quality_agreements_no_update BEFORE UPDATE ON quality_agreements
BEGIN
    SELECT RAISE(ABORT, 'quality agreement versions are immutable');
END;
CREATE TRIGGER quality_agreements_no_delete BEFORE DELETE ON quality_agreements
BEGIN
    SELECT RAISE(ABORT, 'quality agreement versions are immutable');
END;

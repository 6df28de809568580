-- Organisations, users, sessions and transfers: the walking skeleton.
-- Ids are UUID text and times ISO-8601 UTC text, so that one set of queries runs on SQLite and PostgreSQL.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('sponsor', 'cmo')),
    created_at TEXT NOT NULL
);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    location TEXT NOT NULL
);
CREATE INDEX sites_organisation ON sites (organisation_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'tech_transfer_lead', 'qa', 'operator', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE transfers (
    id TEXT PRIMARY KEY,
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
CREATE INDEX transfers_sponsor ON transfers (sponsor_org_id);
CREATE INDEX transfers_cmo ON transfers (cmo_org_id);

-- Server-side sessions (tower-sessions records, JSON-encoded).
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed-login counters per account ("account:<email>") and per client address ("address:<ip>").
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT
);

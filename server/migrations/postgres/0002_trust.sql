-- Partnerships, data-sharing agreements, e-signatures and the append-only, hash-chained audit trail.

CREATE TABLE partnerships (
    id TEXT PRIMARY KEY,
    sponsor_org_id TEXT NOT NULL REFERENCES organisations (id),
    cmo_org_id TEXT NOT NULL REFERENCES organisations (id),
    created_at TEXT NOT NULL,
    UNIQUE (sponsor_org_id, cmo_org_id)
);

-- Agreements are never deleted. Scope lives in the child tables so list queries can filter on it.
-- activated_at is set in the transaction that adds the second party's valid approval.
CREATE TABLE agreements (
    id TEXT PRIMARY KEY,
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
    row_version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX agreements_grantee ON agreements (grantee_org_id, grantor_org_id);

CREATE TABLE agreement_products (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    product TEXT NOT NULL,
    PRIMARY KEY (agreement_id, product)
);
CREATE TABLE agreement_transfers (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    transfer_id TEXT NOT NULL REFERENCES transfers (id),
    PRIMARY KEY (agreement_id, transfer_id)
);
CREATE TABLE agreement_data_classes (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    data_class TEXT NOT NULL,
    PRIMARY KEY (agreement_id, data_class)
);

CREATE TABLE signatures (
    id TEXT PRIMARY KEY,
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
CREATE INDEX signatures_record ON signatures (record_type, record_id);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
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
CREATE INDEX audit_record ON audit_log (record_type, record_id);
CREATE INDEX audit_actor_org ON audit_log (actor_org_id, seq);
CREATE INDEX audit_owner_org ON audit_log (owner_org_id, seq);

-- The chain's head. Every write transaction updates this row first, which serialises writers on both engines
-- (SQLite's write lock, PostgreSQL's row lock), so the chain can never fork.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION baton_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER signatures_no_change BEFORE UPDATE OR DELETE ON signatures
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER agreements_no_delete BEFORE DELETE ON agreements
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();

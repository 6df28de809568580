-- Quality agreements: immutable versions of a partnership's RACI matrix, signed by both parties' QA.
CREATE TABLE quality_agreements (
    id TEXT PRIMARY KEY,
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

CREATE TRIGGER quality_agreements_no_update BEFORE UPDATE ON quality_agreements
BEGIN
    SELECT RAISE(ABORT, 'quality agreement versions are immutable');
END;
CREATE TRIGGER quality_agreements_no_delete BEFORE DELETE ON quality_agreements
BEGIN
    SELECT RAISE(ABORT, 'quality agreement versions are immutable');
END;

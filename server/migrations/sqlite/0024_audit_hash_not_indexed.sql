-- An entry's hash no longer carries a UNIQUE index. The chain already makes every hash depend on all before it,
-- `seq` is the key, and `baton audit verify` finds any copied, moved or edited entry; the index protected nothing
-- more, and because hashes are random it cost every append a write to a random page of a growing index (about
-- half of the pages each group commit wrote). SQLite drops a column constraint only by rebuilding the table,
-- as 0005 did; rows are copied as they are, so the chain is untouched.
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
    hash TEXT NOT NULL
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

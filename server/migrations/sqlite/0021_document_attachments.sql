-- Documents on a method, a batch or a deviation. A batch or deviation outside any transfer (a commercial batch)
-- still belongs to its sponsor–CMO partnership and product, and so does a document on it: `transfer_id` may be
-- empty, and the partnership is the attached record's. SQLite cannot drop NOT NULL from a column, so the table is
-- rebuilt (as in 0005: db.rs runs SQLite's migrations with foreign keys off and checks them afterwards) with the
-- same rows, index and no-delete trigger.
CREATE TABLE documents_new (
    id TEXT NOT NULL PRIMARY KEY,
    transfer_id TEXT REFERENCES transfers (id),
    owner_org_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    data_class TEXT NOT NULL,
    stage_id TEXT REFERENCES transfer_stages (id),
    deliverable_id TEXT REFERENCES deliverables (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    method_id TEXT REFERENCES methods (id),
    batch_id TEXT REFERENCES batches (id),
    deviation_id TEXT REFERENCES deviations (id)
);
INSERT INTO documents_new (id, transfer_id, owner_org_id, title, data_class, stage_id, deliverable_id, created_by,
        created_at)
    SELECT id, transfer_id, owner_org_id, title, data_class, stage_id, deliverable_id, created_by, created_at
    FROM documents;
DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;
CREATE INDEX documents_transfer ON documents (transfer_id, created_at);
CREATE INDEX documents_method ON documents (method_id);
CREATE INDEX documents_batch ON documents (batch_id);
CREATE INDEX documents_deviation ON documents (deviation_id);
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
BEGIN
    SELECT RAISE(ABORT, 'documents are never deleted');
END;

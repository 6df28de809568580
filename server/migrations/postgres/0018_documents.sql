-- Versioned documents inside a transfer, owned by the uploader's organisation and shared by their data class. Each
-- version's file lives in the document store under `storage_key`; its row appears only once the file is complete.
-- Regulated records: never deleted.
CREATE TABLE documents (
    id TEXT NOT NULL PRIMARY KEY,
    transfer_id TEXT NOT NULL REFERENCES transfers (id),
    owner_org_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    data_class TEXT NOT NULL,
    stage_id TEXT REFERENCES transfer_stages (id),
    deliverable_id TEXT REFERENCES deliverables (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX documents_transfer ON documents (transfer_id, created_at);

CREATE TABLE document_versions (
    id TEXT NOT NULL PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    number BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    status TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at TEXT NOT NULL,
    UNIQUE (document_id, number)
);

CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER documents_no_truncate BEFORE TRUNCATE ON documents
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER document_versions_no_delete BEFORE DELETE ON document_versions
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER document_versions_no_truncate BEFORE TRUNCATE ON document_versions
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refuse_change();

-- Discussion beside any record: comments in threads (a reply names its thread's first comment), mentions, threads
-- resolved or open. Comments are never deleted; an edit keeps the text it replaces in comment_versions.
CREATE TABLE comments (
    id TEXT NOT NULL PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    parent_id TEXT REFERENCES comments (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    -- The mentioned users' ids, a JSON list: whom a mention notifies.
    mentions_json TEXT NOT NULL,
    resolved BIGINT NOT NULL,
    resolved_by TEXT REFERENCES users (id),
    resolved_at TEXT,
    row_version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    edited_at TEXT
);
CREATE INDEX comments_record ON comments (record_type, record_id, created_at);

-- Every text a comment has had, version 1 the text first posted.
CREATE TABLE comment_versions (
    comment_id TEXT NOT NULL REFERENCES comments (id),
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (comment_id, version)
);

CREATE TRIGGER comments_no_delete BEFORE DELETE ON comments
BEGIN
    SELECT RAISE(ABORT, 'comments are never deleted');
END;
CREATE TRIGGER comment_versions_no_delete BEFORE DELETE ON comment_versions
BEGIN
    SELECT RAISE(ABORT, 'comment versions are never deleted');
END;
CREATE TRIGGER comment_versions_no_update BEFORE UPDATE ON comment_versions
BEGIN
    SELECT RAISE(ABORT, 'comment versions are never changed');
END;

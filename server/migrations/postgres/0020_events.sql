-- Live updates and notifications (issue 9). Every change to a record writes one row to events in the change's own
-- transaction (kernel/unit_of_work.rs); its id is the change's audit entry's seq, so ids grow in commit order (every
-- writer holds the audit chain's lock) and a reconnecting stream resumes after the last id it saw without gaps.
CREATE TABLE events (
    id BIGINT NOT NULL PRIMARY KEY,
    at TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    owner_org_id TEXT,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL
);
-- The records a user follows: what they created or changed.
CREATE TABLE follows (
    user_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (user_id, record_type, record_id)
);
CREATE INDEX follows_record ON follows (record_type, record_id);
-- A user's inbox. The key names what a notification is about ("change:<event id>", "gate:<stage id>", ...), so a
-- reminder computed again is the same notification and keeps its read state.
CREATE TABLE notifications (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    actor_name TEXT,
    at TEXT NOT NULL,
    read_at TEXT,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);

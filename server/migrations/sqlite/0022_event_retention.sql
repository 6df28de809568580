-- Events are a delivery log, not the record (the audit trail is): `baton serve` keeps them for
-- --event-retention-days and prunes the oldest in small batches. through_id is the highest id pruned so far, raised
-- before the rows go: a stream resuming from an id below it may have missed events, and is told to reload instead.
CREATE TABLE events_pruned (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    through_id BIGINT NOT NULL
);
INSERT INTO events_pruned (id, through_id) VALUES (1, 0);

-- A transfer's risk register (FMEA). Ratings are stored; RPN and band are computed by the shared crate, never stored.
CREATE TABLE risks (
    id TEXT NOT NULL PRIMARY KEY,
    transfer_id TEXT NOT NULL REFERENCES transfers (id),
    step TEXT NOT NULL,
    failure_mode TEXT NOT NULL,
    effect TEXT NOT NULL,
    cause TEXT NOT NULL,
    controls TEXT NOT NULL,
    severity BIGINT NOT NULL CHECK (severity BETWEEN 1 AND 10),
    occurrence BIGINT NOT NULL CHECK (occurrence BETWEEN 1 AND 10),
    detection BIGINT NOT NULL CHECK (detection BETWEEN 1 AND 10),
    mitigation TEXT NOT NULL,
    residual_severity BIGINT CHECK (residual_severity BETWEEN 1 AND 10),
    residual_occurrence BIGINT CHECK (residual_occurrence BETWEEN 1 AND 10),
    residual_detection BIGINT CHECK (residual_detection BETWEEN 1 AND 10),
    mitigation_deliverable_id TEXT REFERENCES deliverables (id),
    row_version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX risks_transfer ON risks (transfer_id);

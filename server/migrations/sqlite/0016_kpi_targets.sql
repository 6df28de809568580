-- A partnership's agreed KPI targets (an annex of its quality agreement): versions of every KPI's target and amber
-- limit, signed by both parties' QA (signatures, record type 'kpi_targets'). A version is edited only until its first
-- signature; versions are never deleted; every change is on the audit trail.
CREATE TABLE kpi_targets (
    id TEXT NOT NULL PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    version BIGINT NOT NULL,
    targets_json TEXT NOT NULL,
    reason TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (partnership_id, version)
);

CREATE TRIGGER kpi_targets_no_delete BEFORE DELETE ON kpi_targets
BEGIN
    SELECT RAISE(ABORT, 'KPI target versions are never deleted');
END;
CREATE TRIGGER kpi_targets_signed_immutable BEFORE UPDATE ON kpi_targets
WHEN EXISTS (SELECT 1 FROM signatures WHERE record_type = 'kpi_targets' AND record_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'a signed KPI target version cannot change');
END;

-- The transfer workspace: each transfer's stages (with their gates) and deliverables, its team, and each
-- organisation's stage template. A transfer's current stage is no longer stored: it is its first stage whose gate
-- is open.
CREATE TABLE transfer_stages (
    id TEXT NOT NULL PRIMARY KEY,
    transfer_id TEXT NOT NULL REFERENCES transfers (id),
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    planned_start TEXT,
    planned_end TEXT,
    actual_start TEXT,
    actual_end TEXT,
    gate_state TEXT NOT NULL CHECK (gate_state IN ('open', 'passed')),
    gate_round BIGINT NOT NULL,
    gate_passed_at TEXT,
    row_version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (transfer_id, number)
);

CREATE TABLE deliverables (
    id TEXT NOT NULL PRIMARY KEY,
    stage_id TEXT NOT NULL REFERENCES transfer_stages (id),
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_org_id TEXT NOT NULL REFERENCES organisations (id),
    owner_user_id TEXT REFERENCES users (id),
    due_on TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    row_version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX deliverables_stage ON deliverables (stage_id);

CREATE TABLE transfer_team (
    transfer_id TEXT NOT NULL REFERENCES transfers (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    responsibility TEXT NOT NULL,
    PRIMARY KEY (transfer_id, user_id)
);

-- One template per organisation: its stages and their default deliverables as JSON, replaced whole on each change.
CREATE TABLE stage_templates (
    organisation_id TEXT NOT NULL PRIMARY KEY REFERENCES organisations (id),
    name TEXT NOT NULL,
    stages TEXT NOT NULL,
    row_version BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TRIGGER transfer_stages_no_delete BEFORE DELETE ON transfer_stages
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER deliverables_no_delete BEFORE DELETE ON deliverables
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER transfer_stages_no_truncate BEFORE TRUNCATE ON transfer_stages
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER deliverables_no_truncate BEFORE TRUNCATE ON deliverables
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refuse_change();

-- Existing transfers get the standard stages; the gates before their stored stage count as passed.
INSERT INTO transfer_stages (id, transfer_id, number, name, gate_state, gate_round, row_version, updated_at)
    SELECT gen_random_uuid()::text, t.id, s.number, s.name,
        CASE WHEN s.number < (CASE t.stage WHEN 'initiation' THEN 1 WHEN 'planning' THEN 2
            WHEN 'knowledge_transfer' THEN 3 WHEN 'analytical_method_transfer' THEN 4
            WHEN 'engineering_batches' THEN 5 WHEN 'ppq' THEN 6 WHEN 'regulatory_filing' THEN 7 ELSE 8 END)
            THEN 'passed' ELSE 'open' END,
        0, 1, t.updated_at
    FROM transfers t CROSS JOIN (
        SELECT 1 AS number, 'Initiation & feasibility' AS name UNION ALL SELECT 2, 'Planning'
        UNION ALL SELECT 3, 'Knowledge transfer' UNION ALL SELECT 4, 'Analytical method transfer'
        UNION ALL SELECT 5, 'Engineering batches' UNION ALL SELECT 6, 'PPQ batches'
        UNION ALL SELECT 7, 'Regulatory filing' UNION ALL SELECT 8, 'Close-out') s;
ALTER TABLE transfers DROP COLUMN stage;

-- Change controls: a change one party of a partnership proposes, that both parties assess and the party the quality
-- agreement makes accountable for "Change approval" approves; owned by the party that raised it, seen in full by
-- both. Regulated records: never deleted; every change goes to the audit trail with its old and new values.
CREATE TABLE change_controls (
    id TEXT NOT NULL PRIMARY KEY,
    number TEXT NOT NULL,
    owner_org_id TEXT NOT NULL REFERENCES organisations (id),
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    sponsor_org_id TEXT NOT NULL REFERENCES organisations (id),
    cmo_org_id TEXT NOT NULL REFERENCES organisations (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    transfer_id TEXT REFERENCES transfers (id),
    site_id TEXT REFERENCES sites (id),
    change_type TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    justification TEXT NOT NULL,
    proposed_implementation TEXT NOT NULL,
    status TEXT NOT NULL,
    raised_by TEXT NOT NULL REFERENCES users (id),
    raised_at TEXT NOT NULL,
    decision TEXT,
    decision_reason TEXT NOT NULL,
    decided_at TEXT,
    implemented_on TEXT,
    implementation_note TEXT NOT NULL,
    implemented_by TEXT REFERENCES users (id),
    implemented_at TEXT,
    effectiveness TEXT NOT NULL,
    closed_at TEXT,
    row_version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (owner_org_id, number)
);
CREATE INDEX change_controls_sponsor_raised ON change_controls (sponsor_org_id, raised_at);
CREATE INDEX change_controls_cmo_raised ON change_controls (cmo_org_id, raised_at);

-- One impact assessment per party of the change control's partnership; a revision replaces it (the audit trail keeps
-- the old values and the reason).
CREATE TABLE change_control_assessments (
    change_control_id TEXT NOT NULL REFERENCES change_controls (id),
    party_org_id TEXT NOT NULL REFERENCES organisations (id),
    product_quality TEXT NOT NULL,
    regulatory TEXT NOT NULL,
    validation_needed BIGINT NOT NULL,
    validation TEXT NOT NULL,
    documents_json TEXT NOT NULL,
    risk TEXT NOT NULL,
    assessed_by TEXT NOT NULL REFERENCES users (id),
    assessed_at TEXT NOT NULL,
    PRIMARY KEY (change_control_id, party_org_id)
);

CREATE TRIGGER change_controls_no_delete BEFORE DELETE ON change_controls
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER change_controls_no_truncate BEFORE TRUNCATE ON change_controls
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER change_control_assessments_no_delete BEFORE DELETE ON change_control_assessments
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER change_control_assessments_no_truncate BEFORE TRUNCATE ON change_control_assessments
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refuse_change();

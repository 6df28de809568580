-- Batches, their results and deliveries (the CMO's records), deviations and CAPAs (their raiser's). Regulated
-- records: never deleted; every change goes to the audit trail. Cached values (out_of_spec, yield_ratio,
-- on_time_in_full) are computed by the shared crate on write, for the KPI aggregation; never typed in.
CREATE TABLE batches (
    id TEXT NOT NULL PRIMARY KEY,
    number TEXT NOT NULL,
    batch_type TEXT NOT NULL,
    site_id TEXT NOT NULL REFERENCES sites (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    transfer_id TEXT REFERENCES transfers (id),
    sponsor_org_id TEXT NOT NULL REFERENCES organisations (id),
    cmo_org_id TEXT NOT NULL REFERENCES organisations (id),
    planned_start TEXT NOT NULL,
    planned_end TEXT NOT NULL,
    actual_start TEXT,
    actual_end TEXT,
    theoretical_yield TEXT,
    actual_yield TEXT,
    yield_unit TEXT NOT NULL,
    yield_ratio DOUBLE PRECISION,
    disposition TEXT,
    disposition_reason TEXT NOT NULL,
    disposition_at TEXT,
    row_version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (cmo_org_id, number)
);
CREATE INDEX batches_partnership_disposition ON batches (sponsor_org_id, cmo_org_id, disposition_at);
CREATE INDEX batches_partnership_end ON batches (sponsor_org_id, cmo_org_id, actual_end);
CREATE INDEX batches_transfer ON batches (transfer_id);

CREATE TABLE batch_results (
    id TEXT NOT NULL PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES batches (id),
    position BIGINT NOT NULL,
    test TEXT NOT NULL,
    value_json TEXT NOT NULL,
    out_of_spec BIGINT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX batch_results_batch ON batch_results (batch_id, position);

CREATE TABLE deliveries (
    id TEXT NOT NULL PRIMARY KEY,
    reference TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    sponsor_org_id TEXT NOT NULL REFERENCES organisations (id),
    cmo_org_id TEXT NOT NULL REFERENCES organisations (id),
    promised_on TEXT NOT NULL,
    promised_quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    delivered_on TEXT,
    delivered_quantity TEXT,
    on_time_in_full BIGINT,
    row_version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX deliveries_partnership_promised ON deliveries (sponsor_org_id, cmo_org_id, promised_on);

CREATE TABLE deviations (
    id TEXT NOT NULL PRIMARY KEY,
    number TEXT NOT NULL,
    owner_org_id TEXT NOT NULL REFERENCES organisations (id),
    sponsor_org_id TEXT NOT NULL REFERENCES organisations (id),
    cmo_org_id TEXT NOT NULL REFERENCES organisations (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    batch_id TEXT REFERENCES batches (id),
    transfer_id TEXT REFERENCES transfers (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    location TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    classification TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    due_on TEXT NOT NULL,
    investigation TEXT NOT NULL,
    impact TEXT NOT NULL,
    root_cause TEXT,
    closed_at TEXT,
    raised_by TEXT NOT NULL REFERENCES users (id),
    row_version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (owner_org_id, number)
);
CREATE INDEX deviations_batch ON deviations (batch_id);
CREATE INDEX deviations_partnership_opened ON deviations (sponsor_org_id, cmo_org_id, opened_at);
CREATE INDEX deviations_partnership_closed ON deviations (sponsor_org_id, cmo_org_id, closed_at);

CREATE TABLE capas (
    id TEXT NOT NULL PRIMARY KEY,
    number TEXT NOT NULL,
    owner_org_id TEXT NOT NULL REFERENCES organisations (id),
    sponsor_org_id TEXT NOT NULL REFERENCES organisations (id),
    cmo_org_id TEXT NOT NULL REFERENCES organisations (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    due_on TEXT NOT NULL,
    kpi_json TEXT,
    actions_json TEXT NOT NULL,
    effectiveness_check TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    row_version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (owner_org_id, number)
);
CREATE INDEX capas_partnership_due ON capas (sponsor_org_id, cmo_org_id, due_on);

CREATE TABLE capa_deviations (
    capa_id TEXT NOT NULL REFERENCES capas (id),
    deviation_id TEXT NOT NULL REFERENCES deviations (id),
    PRIMARY KEY (capa_id, deviation_id)
);
CREATE INDEX capa_deviations_deviation ON capa_deviations (deviation_id);

CREATE TRIGGER batches_no_delete BEFORE DELETE ON batches
BEGIN
    SELECT RAISE(ABORT, 'batches are never deleted');
END;
CREATE TRIGGER batch_results_no_delete BEFORE DELETE ON batch_results
BEGIN
    SELECT RAISE(ABORT, 'batch results are never deleted');
END;
CREATE TRIGGER deliveries_no_delete BEFORE DELETE ON deliveries
BEGIN
    SELECT RAISE(ABORT, 'deliveries are never deleted');
END;
CREATE TRIGGER deviations_no_delete BEFORE DELETE ON deviations
BEGIN
    SELECT RAISE(ABORT, 'deviations are never deleted');
END;
CREATE TRIGGER capas_no_delete BEFORE DELETE ON capas
BEGIN
    SELECT RAISE(ABORT, 'CAPAs are never deleted');
END;
CREATE TRIGGER capa_deviations_no_delete BEFORE DELETE ON capa_deviations
BEGIN
    SELECT RAISE(ABORT, 'CAPA links are never deleted');
END;

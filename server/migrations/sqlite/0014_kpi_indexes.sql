-- Covering indexes for the KPI aggregation (store/kpi.rs): each of its queries reads one index, not the wide rows.
CREATE INDEX kpi_batches_disposition ON batches (sponsor_org_id, cmo_org_id, disposition_at, site_id, product_id, disposition, id);
CREATE INDEX kpi_batches_end ON batches (sponsor_org_id, cmo_org_id, actual_end, site_id, product_id, yield_ratio);
CREATE INDEX kpi_deviations_opened ON deviations (sponsor_org_id, cmo_org_id, opened_at, site_id, product_id);
CREATE INDEX kpi_deviations_closed ON deviations (sponsor_org_id, cmo_org_id, closed_at, opened_at, due_on, site_id, product_id);
CREATE INDEX kpi_capas_due ON capas (sponsor_org_id, cmo_org_id, due_on, closed_at, product_id, id);
CREATE INDEX kpi_deviation_sites ON deviations (id, site_id);

-- The partnership KPIs' facts of finished months, kept so that the scorecard does not sum ten years of records on
-- every view (store/kpi_months.rs). kpi_months says, per partnership and month, whether kpi_facts holds that month's
-- facts (cached = 1) and counts the changes to its records (generation). The triggers below mark every month a
-- written record counts in (before and after the change) as changed, in the transaction that writes it, so no write
-- path can forget; a reader caches a month it summed only if its generation is still the one it saw before summing.
CREATE TABLE kpi_months (
    sponsor_org_id TEXT NOT NULL,
    cmo_org_id TEXT NOT NULL,
    month TEXT NOT NULL,
    generation BIGINT NOT NULL,
    cached BIGINT NOT NULL,
    PRIMARY KEY (sponsor_org_id, cmo_org_id, month)
);
-- One row per month, site and product with data: the serialised KpiFacts (domain/src/kpi/facts.rs).
CREATE TABLE kpi_facts (
    sponsor_org_id TEXT NOT NULL,
    cmo_org_id TEXT NOT NULL,
    month TEXT NOT NULL,
    site_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    facts TEXT NOT NULL,
    PRIMARY KEY (sponsor_org_id, cmo_org_id, month, site_id, product_id)
);

-- Marks one month of a partnership as changed (nothing for a record that counts in no month).
CREATE FUNCTION baton_kpi_mark(p_sponsor TEXT, p_cmo TEXT, p_month TEXT) RETURNS void AS $$
BEGIN
    IF p_sponsor IS NOT NULL AND p_month IS NOT NULL THEN
        INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
        VALUES (p_sponsor, p_cmo, p_month, 1, 0)
        ON CONFLICT (sponsor_org_id, cmo_org_id, month)
        DO UPDATE SET generation = kpi_months.generation + 1, cached = 0;
    END IF;
END $$ LANGUAGE plpgsql;

-- Batches count in the months of their disposition and of their end.
CREATE FUNCTION baton_kpi_batches() RETURNS trigger AS $$
BEGIN
    PERFORM baton_kpi_mark(NEW.sponsor_org_id, NEW.cmo_org_id, substr(NEW.disposition_at, 1, 7));
    PERFORM baton_kpi_mark(NEW.sponsor_org_id, NEW.cmo_org_id, substr(NEW.actual_end, 1, 7));
    IF TG_OP = 'UPDATE' THEN
        PERFORM baton_kpi_mark(OLD.sponsor_org_id, OLD.cmo_org_id, substr(OLD.disposition_at, 1, 7));
        PERFORM baton_kpi_mark(OLD.sponsor_org_id, OLD.cmo_org_id, substr(OLD.actual_end, 1, 7));
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER batches_kpi_insert AFTER INSERT ON batches FOR EACH ROW EXECUTE FUNCTION baton_kpi_batches();
CREATE TRIGGER batches_kpi_update AFTER UPDATE ON batches FOR EACH ROW EXECUTE FUNCTION baton_kpi_batches();

-- Deviations in the months they were opened and closed, and in their batch's disposition month (right first time).
CREATE FUNCTION baton_kpi_deviations() RETURNS trigger AS $$
BEGIN
    PERFORM baton_kpi_mark(NEW.sponsor_org_id, NEW.cmo_org_id, substr(NEW.opened_at, 1, 7));
    PERFORM baton_kpi_mark(NEW.sponsor_org_id, NEW.cmo_org_id, substr(NEW.closed_at, 1, 7));
    PERFORM baton_kpi_mark(b.sponsor_org_id, b.cmo_org_id, substr(b.disposition_at, 1, 7))
        FROM batches b WHERE b.id = NEW.batch_id;
    IF TG_OP = 'UPDATE' THEN
        PERFORM baton_kpi_mark(OLD.sponsor_org_id, OLD.cmo_org_id, substr(OLD.opened_at, 1, 7));
        PERFORM baton_kpi_mark(OLD.sponsor_org_id, OLD.cmo_org_id, substr(OLD.closed_at, 1, 7));
        PERFORM baton_kpi_mark(b.sponsor_org_id, b.cmo_org_id, substr(b.disposition_at, 1, 7))
            FROM batches b WHERE b.id = OLD.batch_id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER deviations_kpi_insert AFTER INSERT ON deviations FOR EACH ROW EXECUTE FUNCTION baton_kpi_deviations();
CREATE TRIGGER deviations_kpi_update AFTER UPDATE ON deviations FOR EACH ROW EXECUTE FUNCTION baton_kpi_deviations();

-- CAPAs in their due month; linking a deviation can move a CAPA's site.
CREATE FUNCTION baton_kpi_capas() RETURNS trigger AS $$
BEGIN
    PERFORM baton_kpi_mark(NEW.sponsor_org_id, NEW.cmo_org_id, substr(NEW.due_on, 1, 7));
    IF TG_OP = 'UPDATE' THEN
        PERFORM baton_kpi_mark(OLD.sponsor_org_id, OLD.cmo_org_id, substr(OLD.due_on, 1, 7));
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER capas_kpi_insert AFTER INSERT ON capas FOR EACH ROW EXECUTE FUNCTION baton_kpi_capas();
CREATE TRIGGER capas_kpi_update AFTER UPDATE ON capas FOR EACH ROW EXECUTE FUNCTION baton_kpi_capas();
CREATE FUNCTION baton_kpi_capa_deviations() RETURNS trigger AS $$
BEGIN
    PERFORM baton_kpi_mark(k.sponsor_org_id, k.cmo_org_id, substr(k.due_on, 1, 7)) FROM capas k WHERE k.id = NEW.capa_id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER capa_deviations_kpi_insert AFTER INSERT ON capa_deviations
    FOR EACH ROW EXECUTE FUNCTION baton_kpi_capa_deviations();

-- Deliveries in their promised month.
CREATE FUNCTION baton_kpi_deliveries() RETURNS trigger AS $$
BEGIN
    PERFORM baton_kpi_mark(NEW.sponsor_org_id, NEW.cmo_org_id, substr(NEW.promised_on, 1, 7));
    IF TG_OP = 'UPDATE' THEN
        PERFORM baton_kpi_mark(OLD.sponsor_org_id, OLD.cmo_org_id, substr(OLD.promised_on, 1, 7));
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER deliveries_kpi_insert AFTER INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION baton_kpi_deliveries();
CREATE TRIGGER deliveries_kpi_update AFTER UPDATE ON deliveries FOR EACH ROW EXECUTE FUNCTION baton_kpi_deliveries();

-- Transfer stages in the month their gate was passed, for their transfer's partnership.
CREATE FUNCTION baton_kpi_transfer_stages() RETURNS trigger AS $$
BEGIN
    PERFORM baton_kpi_mark(t.sponsor_org_id, t.cmo_org_id, substr(NEW.gate_passed_at, 1, 7))
        FROM transfers t WHERE t.id = NEW.transfer_id;
    IF TG_OP = 'UPDATE' THEN
        PERFORM baton_kpi_mark(t.sponsor_org_id, t.cmo_org_id, substr(OLD.gate_passed_at, 1, 7))
            FROM transfers t WHERE t.id = OLD.transfer_id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER transfer_stages_kpi_insert AFTER INSERT ON transfer_stages
    FOR EACH ROW EXECUTE FUNCTION baton_kpi_transfer_stages();
CREATE TRIGGER transfer_stages_kpi_update AFTER UPDATE ON transfer_stages
    FOR EACH ROW EXECUTE FUNCTION baton_kpi_transfer_stages();

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

-- Batches count in the months of their disposition and of their end.
CREATE TRIGGER batches_kpi_insert AFTER INSERT ON batches
BEGIN
    INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
    SELECT sponsor, cmo, month, 1, 0 FROM (SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.disposition_at, 1, 7) AS month
        UNION SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.actual_end, 1, 7) AS month) WHERE month IS NOT NULL
    ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET generation = generation + 1, cached = 0;
END;
CREATE TRIGGER batches_kpi_update AFTER UPDATE ON batches
BEGIN
    INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
    SELECT sponsor, cmo, month, 1, 0 FROM (SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.disposition_at, 1, 7) AS month
        UNION SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.actual_end, 1, 7) AS month
        UNION SELECT OLD.sponsor_org_id AS sponsor, OLD.cmo_org_id AS cmo, substr(OLD.disposition_at, 1, 7) AS month
        UNION SELECT OLD.sponsor_org_id AS sponsor, OLD.cmo_org_id AS cmo, substr(OLD.actual_end, 1, 7) AS month) WHERE month IS NOT NULL
    ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET generation = generation + 1, cached = 0;
END;
-- Deviations in the months they were opened and closed, and in their batch's disposition month (right first time).
CREATE TRIGGER deviations_kpi_insert AFTER INSERT ON deviations
BEGIN
    INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
    SELECT sponsor, cmo, month, 1, 0 FROM (SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.opened_at, 1, 7) AS month
        UNION SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.closed_at, 1, 7) AS month
        UNION SELECT b.sponsor_org_id, b.cmo_org_id, substr(b.disposition_at, 1, 7) FROM batches b WHERE b.id = NEW.batch_id) WHERE month IS NOT NULL
    ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET generation = generation + 1, cached = 0;
END;
CREATE TRIGGER deviations_kpi_update AFTER UPDATE ON deviations
BEGIN
    INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
    SELECT sponsor, cmo, month, 1, 0 FROM (SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.opened_at, 1, 7) AS month
        UNION SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.closed_at, 1, 7) AS month
        UNION SELECT b.sponsor_org_id, b.cmo_org_id, substr(b.disposition_at, 1, 7) FROM batches b WHERE b.id = NEW.batch_id
        UNION SELECT OLD.sponsor_org_id AS sponsor, OLD.cmo_org_id AS cmo, substr(OLD.opened_at, 1, 7) AS month
        UNION SELECT OLD.sponsor_org_id AS sponsor, OLD.cmo_org_id AS cmo, substr(OLD.closed_at, 1, 7) AS month
        UNION SELECT b.sponsor_org_id, b.cmo_org_id, substr(b.disposition_at, 1, 7) FROM batches b WHERE b.id = OLD.batch_id) WHERE month IS NOT NULL
    ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET generation = generation + 1, cached = 0;
END;
-- CAPAs in their due month; linking a deviation can move a CAPA's site.
CREATE TRIGGER capas_kpi_insert AFTER INSERT ON capas
BEGIN
    INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
    SELECT sponsor, cmo, month, 1, 0 FROM (SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.due_on, 1, 7) AS month) WHERE month IS NOT NULL
    ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET generation = generation + 1, cached = 0;
END;
CREATE TRIGGER capas_kpi_update AFTER UPDATE ON capas
BEGIN
    INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
    SELECT sponsor, cmo, month, 1, 0 FROM (SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.due_on, 1, 7) AS month
        UNION SELECT OLD.sponsor_org_id AS sponsor, OLD.cmo_org_id AS cmo, substr(OLD.due_on, 1, 7) AS month) WHERE month IS NOT NULL
    ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET generation = generation + 1, cached = 0;
END;
CREATE TRIGGER capa_deviations_kpi_insert AFTER INSERT ON capa_deviations
BEGIN
    INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
    SELECT sponsor, cmo, month, 1, 0 FROM (SELECT k.sponsor_org_id AS sponsor, k.cmo_org_id AS cmo, substr(k.due_on, 1, 7) AS month FROM capas k WHERE k.id = NEW.capa_id) WHERE month IS NOT NULL
    ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET generation = generation + 1, cached = 0;
END;
-- Deliveries in their promised month.
CREATE TRIGGER deliveries_kpi_insert AFTER INSERT ON deliveries
BEGIN
    INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
    SELECT sponsor, cmo, month, 1, 0 FROM (SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.promised_on, 1, 7) AS month) WHERE month IS NOT NULL
    ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET generation = generation + 1, cached = 0;
END;
CREATE TRIGGER deliveries_kpi_update AFTER UPDATE ON deliveries
BEGIN
    INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
    SELECT sponsor, cmo, month, 1, 0 FROM (SELECT NEW.sponsor_org_id AS sponsor, NEW.cmo_org_id AS cmo, substr(NEW.promised_on, 1, 7) AS month
        UNION SELECT OLD.sponsor_org_id AS sponsor, OLD.cmo_org_id AS cmo, substr(OLD.promised_on, 1, 7) AS month) WHERE month IS NOT NULL
    ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET generation = generation + 1, cached = 0;
END;
-- Transfer stages in the month their gate was passed, for their transfer's partnership.
CREATE TRIGGER transfer_stages_kpi_insert AFTER INSERT ON transfer_stages
BEGIN
    INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
    SELECT sponsor, cmo, month, 1, 0 FROM (SELECT t.sponsor_org_id AS sponsor, t.cmo_org_id AS cmo, substr(NEW.gate_passed_at, 1, 7) AS month FROM transfers t WHERE t.id = NEW.transfer_id) WHERE month IS NOT NULL
    ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET generation = generation + 1, cached = 0;
END;
CREATE TRIGGER transfer_stages_kpi_update AFTER UPDATE ON transfer_stages
BEGIN
    INSERT INTO kpi_months (sponsor_org_id, cmo_org_id, month, generation, cached)
    SELECT sponsor, cmo, month, 1, 0 FROM (SELECT t.sponsor_org_id AS sponsor, t.cmo_org_id AS cmo, substr(NEW.gate_passed_at, 1, 7) AS month FROM transfers t WHERE t.id = NEW.transfer_id
        UNION SELECT t.sponsor_org_id AS sponsor, t.cmo_org_id AS cmo, substr(OLD.gate_passed_at, 1, 7) AS month FROM transfers t WHERE t.id = OLD.transfer_id) WHERE month IS NOT NULL
    ON CONFLICT (sponsor_org_id, cmo_org_id, month) DO UPDATE SET generation = generation + 1, cached = 0;
END;

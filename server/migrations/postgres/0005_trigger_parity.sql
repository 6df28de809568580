-- One guard trigger per table and event, named as on SQLite, so that the two engines' schemas can be compared
-- name for name (tests/tests/schema_parity.rs). And a statement-level TRUNCATE guard on every protected table:
-- TRUNCATE skips row triggers, so until now only audit_log refused it. (SQLite has no TRUNCATE; its DELETE
-- without WHERE runs the row triggers.) SQLite needs no counterpart of this migration.

DROP TRIGGER audit_log_no_update ON audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();

DROP TRIGGER signatures_no_change ON signatures;
CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER signatures_no_truncate BEFORE TRUNCATE ON signatures
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refuse_change();

CREATE TRIGGER agreements_no_truncate BEFORE TRUNCATE ON agreements
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refuse_change();

DROP TRIGGER quality_agreements_immutable ON quality_agreements;
CREATE TRIGGER quality_agreements_no_update BEFORE UPDATE ON quality_agreements
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER quality_agreements_no_delete BEFORE DELETE ON quality_agreements
    FOR EACH ROW EXECUTE FUNCTION baton_refuse_change();
CREATE TRIGGER quality_agreements_no_truncate BEFORE TRUNCATE ON quality_agreements
    FOR EACH STATEMENT EXECUTE FUNCTION baton_refuse_change();

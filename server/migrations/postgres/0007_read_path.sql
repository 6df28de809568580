-- The read path's lookups. The user a session belongs to, beside its encoded record, so that the session and its
-- user (with the user's organisation) are read in one query on every request.
ALTER TABLE sessions ADD COLUMN user_id TEXT;
CREATE INDEX sessions_user ON sessions (user_id);
-- The agreements scoped on a transfer, found from the transfer (not by scanning a partner's every agreement).
CREATE INDEX agreement_transfers_transfer ON agreement_transfers (transfer_id);
-- And the partner's agreements covering all its transfers, without reading those scoped on others.
CREATE INDEX agreements_all_transfers ON agreements (grantee_org_id, grantor_org_id, all_transfers);

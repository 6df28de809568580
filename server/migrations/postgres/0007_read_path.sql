-- The read path's lookups. The user a session belongs to, beside its encoded record, so that the session and its
-- user (with the user's organisation) are read in one query on every request.
ALTER TABLE sessions ADD COLUMN user_id TEXT;
CREATE INDEX sessions_user ON sessions (user_id);
-- The agreements scoped on a transfer, found from the transfer (not by scanning a partner's every agreement).
CREATE INDEX agreement_transfers_transfer ON agreement_transfers (transfer_id);

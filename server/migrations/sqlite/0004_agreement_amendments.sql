-- Amendments: a new agreement record that supersedes an active one when it takes effect.
ALTER TABLE agreements ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE agreements ADD COLUMN supersedes_id TEXT REFERENCES agreements (id);

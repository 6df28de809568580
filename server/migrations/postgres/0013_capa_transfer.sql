-- A CAPA may belong to a transfer, as deviations and batches do: the transfer is one of the access facts the rule
-- decides on (agreements may be scoped on transfers), so it is stored, not inferred from the deviations linked.
ALTER TABLE capas ADD COLUMN transfer_id TEXT REFERENCES transfers (id);
CREATE INDEX capas_transfer ON capas (transfer_id);

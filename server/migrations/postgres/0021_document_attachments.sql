-- Documents on a method, a batch or a deviation. A batch or deviation outside any transfer (a commercial batch)
-- still belongs to its sponsor–CMO partnership and product, and so does a document on it: `transfer_id` may be
-- empty, and the partnership is the attached record's.
ALTER TABLE documents ALTER COLUMN transfer_id DROP NOT NULL;
ALTER TABLE documents ADD COLUMN method_id TEXT REFERENCES methods (id);
ALTER TABLE documents ADD COLUMN batch_id TEXT REFERENCES batches (id);
ALTER TABLE documents ADD COLUMN deviation_id TEXT REFERENCES deviations (id);
CREATE INDEX documents_method ON documents (method_id);
CREATE INDEX documents_batch ON documents (batch_id);
CREATE INDEX documents_deviation ON documents (deviation_id);

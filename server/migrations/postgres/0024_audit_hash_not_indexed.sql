-- An entry's hash no longer carries a UNIQUE index. The chain already makes every hash depend on all before it,
-- `seq` is the key, and `baton audit verify` finds any copied, moved or edited entry; the index protected nothing
-- more, and because hashes are random it cost every append a write to a random page of a growing index.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_hash_key;

-- Analytical methods under transfer: the method and its acceptance criteria (the sponsor's data, as JSON of the
-- shared crate's AnalyticalMethod, decimals as written), and each site's results (each site's own data).
CREATE TABLE methods (
    id TEXT NOT NULL PRIMARY KEY,
    transfer_id TEXT NOT NULL REFERENCES transfers (id),
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    row_version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX methods_transfer ON methods (transfer_id);

CREATE TABLE method_results (
    method_id TEXT NOT NULL REFERENCES methods (id),
    site TEXT NOT NULL CHECK (site IN ('su', 'ru')),
    results TEXT NOT NULL,
    row_version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (method_id, site)
);

-- Process parameters of a transfer, both sides in one table: the sending unit's ('su', the sponsor's data) and
-- the receiving unit's proposals ('ru', the CMO's). Rows pair across sides by `pair_key` (unit operation and
-- parameter, folded). Decimals are stored as written text ("7.20"), never as binary floating point.
CREATE TABLE process_parameters (
    id TEXT NOT NULL PRIMARY KEY,
    transfer_id TEXT NOT NULL REFERENCES transfers (id),
    side TEXT NOT NULL CHECK (side IN ('su', 'ru')),
    position BIGINT NOT NULL,
    unit_operation TEXT NOT NULL,
    parameter TEXT NOT NULL,
    pair_key TEXT NOT NULL,
    setpoint TEXT,
    nor_low TEXT,
    nor_high TEXT,
    par_low TEXT,
    par_high TEXT,
    unit TEXT NOT NULL,
    criticality TEXT CHECK (criticality IN ('cpp', 'non_cpp')),
    quality_attributes TEXT NOT NULL,
    scale_value TEXT,
    scale_unit TEXT,
    row_version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (transfer_id, side, pair_key)
);
CREATE INDEX process_parameters_order ON process_parameters (transfer_id, side, position);

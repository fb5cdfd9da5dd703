-- The information asset register (情報資産台帳). Each asset's own
-- classification (levels) and the classification it is handled at
-- (effective: raised to the strictest of what it holds, 藤枝市
-- 第2章5(2)④ウ, or its original's for a copy, 藤枝市 第2章5(2)①イ) are JSON
-- objects {axis: level}, so that any profile's axes fit; the row, and so
-- the event log's hash of it, carries both. keep_until is the asset's
-- 保存期限 (the date its information must be kept until); assets are not
-- purged by it.

CREATE TABLE assets (
    tenant_id          INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id                 INTEGER NOT NULL,
    number             TEXT NOT NULL,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL,
    unit_id            INTEGER NOT NULL,
    levels             TEXT NOT NULL DEFAULT '{}',
    effective          TEXT NOT NULL DEFAULT '{}',
    unclassified       BOOLEAN NOT NULL DEFAULT FALSE,
    personal           BOOLEAN NOT NULL DEFAULT FALSE,
    specific_personal  BOOLEAN NOT NULL DEFAULT FALSE,
    segment            TEXT NOT NULL DEFAULT '',
    location           TEXT NOT NULL DEFAULT '',
    control_area       TEXT NOT NULL DEFAULT '',
    parent_id          INTEGER,
    copy_of            INTEGER,
    state              TEXT NOT NULL,
    keep_until         DATETIME,
    notes              TEXT NOT NULL DEFAULT '',
    created_at         DATETIME NOT NULL,
    created_by         INTEGER NOT NULL,
    updated_at         DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES assets (tenant_id, id),
    FOREIGN KEY (tenant_id, copy_of) REFERENCES assets (tenant_id, id)
);
-- The list filters and sorts at 100,000 assets per tenant: each index
-- leads with tenant_id and ends with the sort key it serves; an index
-- most rows would not be in is partial. The id at the end lets a bounded
-- count probe the level index without reading the table.
CREATE INDEX assets_unit ON assets (tenant_id, unit_id, number, id);
CREATE INDEX assets_kind ON assets (tenant_id, kind, number, id);
CREATE INDEX assets_name ON assets (tenant_id, name, id);
CREATE INDEX assets_updated ON assets (tenant_id, updated_at, id);
CREATE INDEX assets_location ON assets (tenant_id, location);
CREATE INDEX assets_parent ON assets (tenant_id, parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX assets_copy_of ON assets (tenant_id, copy_of) WHERE copy_of IS NOT NULL;
CREATE INDEX assets_unclassified ON assets (tenant_id, unit_id, number) WHERE unclassified;
CREATE INDEX assets_specific ON assets (tenant_id, number) WHERE specific_personal;
CREATE INDEX assets_segment ON assets (tenant_id, segment, number) WHERE segment <> '';

-- asset_levels is a search index of assets.effective, one row per axis,
-- rewritten in the same transaction as the asset: the list filters on a
-- level without reading JSON. It holds nothing the assets row does not,
-- and it has no foreign keys: the store writes it only beside its asset,
-- and checking a reference for each of the three rows per asset would
-- cost an import of 100,000 assets 300,000 lookups.
CREATE TABLE asset_levels (
    tenant_id  INTEGER NOT NULL,
    asset_id   INTEGER NOT NULL,
    axis       TEXT NOT NULL,
    level      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, asset_id, axis)
) WITHOUT ROWID;
CREATE INDEX asset_levels_level ON asset_levels (tenant_id, axis, level, asset_id);

-- An uploaded register between the import's steps (columns, values,
-- preview, commit), so that any server can continue it. Short-lived:
-- removed on commit and after a day.
CREATE TABLE asset_uploads (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id          TEXT NOT NULL,
    person_id   INTEGER NOT NULL,
    filename    TEXT NOT NULL,
    data        BLOB NOT NULL,
    options     TEXT NOT NULL DEFAULT '{}',
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX asset_uploads_expiry ON asset_uploads (tenant_id, expires_at);

-- The information asset register (情報資産台帳). Each asset's own
-- classification (levels) and the classification it is handled at
-- (effective: raised to the strictest of what it holds, 藤枝市
-- 第2章5(2)④ウ, or its original's for a copy, 藤枝市 第2章5(2)①イ) are JSON
-- objects {axis: level}, so that any profile's axes fit; the row, and so
-- the event log's hash of it, carries both. keep_until is the asset's
-- 保存期限 (the date its information must be kept until); assets are not
-- purged by it. levels and effective are text, not jsonb: the row is
-- hashed as stored, and jsonb would reorder keys.

CREATE TABLE assets (
    tenant_id          bigint NOT NULL REFERENCES tenants (tenant_id),
    id                 bigint NOT NULL,
    number             text COLLATE "C" NOT NULL,
    name               text COLLATE "C" NOT NULL,
    kind               text NOT NULL,
    unit_id            bigint NOT NULL,
    levels             text NOT NULL DEFAULT '{}',
    effective          text NOT NULL DEFAULT '{}',
    unclassified       boolean NOT NULL DEFAULT false,
    personal           boolean NOT NULL DEFAULT false,
    specific_personal  boolean NOT NULL DEFAULT false,
    segment            text NOT NULL DEFAULT '',
    location           text COLLATE "C" NOT NULL DEFAULT '',
    control_area       text NOT NULL DEFAULT '',
    parent_id          bigint,
    copy_of            bigint,
    state              text NOT NULL,
    keep_until         timestamptz,
    notes              text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL,
    created_by         bigint NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES assets (tenant_id, id),
    FOREIGN KEY (tenant_id, copy_of) REFERENCES assets (tenant_id, id)
);
SELECT mamori_scope('assets');
-- The list filters and sorts at 100,000 assets per tenant: each index
-- leads with tenant_id and ends with the sort key it serves (the unique
-- constraint serves the sort by number). Numbers, names and locations
-- compare bytewise (collation "C"), as on SQLite, so that the order is the
-- same on both and a prefix search can use the index.
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
    tenant_id  bigint NOT NULL,
    asset_id   bigint NOT NULL,
    axis       text NOT NULL,
    level      text NOT NULL,
    PRIMARY KEY (tenant_id, asset_id, axis)
);
SELECT mamori_scope('asset_levels');
CREATE INDEX asset_levels_level ON asset_levels (tenant_id, axis, level, asset_id);

-- An uploaded register between the import's steps (columns, values,
-- preview, commit), so that any server can continue it. Short-lived:
-- removed on commit and after a day.
CREATE TABLE asset_uploads (
    tenant_id   bigint NOT NULL REFERENCES tenants (tenant_id),
    id          text NOT NULL,
    person_id   bigint NOT NULL,
    filename    text NOT NULL,
    data        bytea NOT NULL,
    options     text NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
SELECT mamori_scope('asset_uploads');
CREATE INDEX asset_uploads_expiry ON asset_uploads (tenant_id, expires_at);

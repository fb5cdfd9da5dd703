-- Requests and approvals (申請・承認): a request for a permission the
-- policy requires, the policy's decision and the version it was taken
-- under, its approval steps, the assets it concerns, and the reports filed
-- after it was granted (execution, return, start, end). Times are UTC.
--
-- The records the policy requires to be kept (藤枝市 第2章5(2)⑪ウ,
-- 6(1)③イ: five years) carry keep_until and retention_clause on every
-- row; a request's rows all share its keep-until, which only grows. The
-- children's foreign keys to requests are checked at commit, so that the
-- purge of expired records, which deletes each table's expired rows in no
-- set order within one transaction, never trips on the order.
--
-- Unit and asset ids are kept without foreign keys: a request is a record
-- of what was asked about, and stays when a unit is reorganized away or
-- the asset is disposed of and leaves the register (request_assets keeps
-- its name and levels as they were).

CREATE TABLE requests (
    tenant_id          INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id                 INTEGER NOT NULL,
    kind               TEXT NOT NULL,
    kind_name_ja       TEXT NOT NULL,
    kind_name_en       TEXT NOT NULL DEFAULT '',
    action             TEXT NOT NULL,
    applicant_id       INTEGER NOT NULL,
    unit_id            INTEGER,
    owner_unit_id      INTEGER,
    fields             TEXT NOT NULL DEFAULT '{}',
    status             TEXT NOT NULL,
    round              INTEGER NOT NULL DEFAULT 1,
    step               INTEGER NOT NULL DEFAULT 0,
    step_since         DATETIME,
    effect             TEXT NOT NULL,
    rules              TEXT NOT NULL DEFAULT '[]',
    clauses            TEXT NOT NULL DEFAULT '[]',
    reason_ja          TEXT NOT NULL DEFAULT '',
    reason_en          TEXT NOT NULL DEFAULT '',
    record_type        TEXT NOT NULL DEFAULT '',
    facts              TEXT NOT NULL DEFAULT '{}',
    by_default         BOOLEAN NOT NULL DEFAULT FALSE,
    policy_version_id  INTEGER NOT NULL,
    policy_version     TEXT NOT NULL,
    due_at             DATETIME,
    executed_at        DATETIME,
    returned_at        DATETIME,
    keep_until         DATETIME,
    retention_clause   TEXT NOT NULL DEFAULT '',
    submitted_at       DATETIME NOT NULL,
    decided_at         DATETIME,
    reminded_at        DATETIME,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, applicant_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, policy_version_id) REFERENCES policy_versions (tenant_id, id)
);
CREATE INDEX requests_applicant ON requests (tenant_id, applicant_id, id);
CREATE INDEX requests_status ON requests (tenant_id, status, step_since);
CREATE INDEX requests_due ON requests (tenant_id, due_at) WHERE returned_at IS NULL;

-- The assets a request concerns, per round (a resubmission may change
-- them), as they were when it was submitted.
CREATE TABLE request_assets (
    tenant_id         INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id                INTEGER NOT NULL,
    request_id        INTEGER NOT NULL,
    round             INTEGER NOT NULL,
    asset_id          INTEGER NOT NULL,
    name              TEXT NOT NULL,
    owner_unit_id     INTEGER,
    levels            TEXT NOT NULL DEFAULT '{}',
    keep_until        DATETIME,
    retention_clause  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, request_id, round, asset_id),
    FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX request_assets_asset ON request_assets (tenant_id, asset_id);

-- One approval step of one round: the role that decides, the unit it is
-- resolved for, and who decided, in which role and in whose place.
CREATE TABLE request_steps (
    tenant_id         INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id                INTEGER NOT NULL,
    request_id        INTEGER NOT NULL,
    round             INTEGER NOT NULL,
    idx               INTEGER NOT NULL,
    role              TEXT NOT NULL,
    scope             TEXT NOT NULL,
    unit_id           INTEGER,
    escalated_from    TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    decided_by        INTEGER,
    acting_role       TEXT NOT NULL DEFAULT '',
    for_person_id     INTEGER,
    decided_at        DATETIME,
    comment           TEXT NOT NULL DEFAULT '',
    keep_until        DATETIME,
    retention_clause  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, request_id, round, idx),
    FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (tenant_id, decided_by) REFERENCES people (tenant_id, id)
);
CREATE INDEX request_steps_decider ON request_steps (tenant_id, decided_by);

-- A report filed after a request was granted: one of each kind per
-- request (the unique key also stops a report filed twice at once).
CREATE TABLE request_reports (
    tenant_id         INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id                INTEGER NOT NULL,
    request_id        INTEGER NOT NULL,
    kind              TEXT NOT NULL,
    at                DATETIME NOT NULL,
    performer_id      INTEGER NOT NULL,
    content           TEXT NOT NULL DEFAULT '',
    fields            TEXT NOT NULL DEFAULT '{}',
    created_at        DATETIME NOT NULL,
    created_by        INTEGER NOT NULL,
    keep_until        DATETIME,
    retention_clause  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, request_id, kind),
    FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (tenant_id, performer_id) REFERENCES people (tenant_id, id)
);

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
    tenant_id          bigint NOT NULL REFERENCES tenants (tenant_id),
    id                 bigint NOT NULL,
    kind               text NOT NULL,
    kind_name_ja       text NOT NULL,
    kind_name_en       text NOT NULL DEFAULT '',
    action             text NOT NULL,
    applicant_id       bigint NOT NULL,
    unit_id            bigint,
    owner_unit_id      bigint,
    fields             text NOT NULL DEFAULT '{}',
    status             text NOT NULL,
    round              integer NOT NULL DEFAULT 1,
    step               integer NOT NULL DEFAULT 0,
    step_since         timestamptz,
    effect             text NOT NULL,
    rules              text NOT NULL DEFAULT '[]',
    clauses            text NOT NULL DEFAULT '[]',
    reason_ja          text NOT NULL DEFAULT '',
    reason_en          text NOT NULL DEFAULT '',
    record_type        text NOT NULL DEFAULT '',
    facts              text NOT NULL DEFAULT '{}',
    by_default         boolean NOT NULL DEFAULT false,
    policy_version_id  bigint NOT NULL,
    policy_version     text NOT NULL,
    due_at             timestamptz,
    executed_at        timestamptz,
    returned_at        timestamptz,
    keep_until         timestamptz,
    retention_clause   text NOT NULL DEFAULT '',
    submitted_at       timestamptz NOT NULL,
    decided_at         timestamptz,
    reminded_at        timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, applicant_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, policy_version_id) REFERENCES policy_versions (tenant_id, id)
);
CREATE INDEX requests_applicant ON requests (tenant_id, applicant_id, id);
CREATE INDEX requests_status ON requests (tenant_id, status, step_since);
CREATE INDEX requests_due ON requests (tenant_id, due_at) WHERE returned_at IS NULL;
SELECT mamori_scope('requests');

-- The assets a request concerns, per round (a resubmission may change
-- them), as they were when it was submitted.
CREATE TABLE request_assets (
    tenant_id         bigint NOT NULL REFERENCES tenants (tenant_id),
    id                bigint NOT NULL,
    request_id        bigint NOT NULL,
    round             integer NOT NULL,
    asset_id          bigint NOT NULL,
    name              text NOT NULL,
    owner_unit_id     bigint,
    levels            text NOT NULL DEFAULT '{}',
    keep_until        timestamptz,
    retention_clause  text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, request_id, round, asset_id),
    FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX request_assets_asset ON request_assets (tenant_id, asset_id);
SELECT mamori_scope('request_assets');

-- One approval step of one round: the role that decides, the unit it is
-- resolved for, and who decided, in which role and in whose place.
CREATE TABLE request_steps (
    tenant_id         bigint NOT NULL REFERENCES tenants (tenant_id),
    id                bigint NOT NULL,
    request_id        bigint NOT NULL,
    round             integer NOT NULL,
    idx               integer NOT NULL,
    role              text NOT NULL,
    scope             text NOT NULL,
    unit_id           bigint,
    escalated_from    text NOT NULL DEFAULT '',
    status            text NOT NULL,
    decided_by        bigint,
    acting_role       text NOT NULL DEFAULT '',
    for_person_id     bigint,
    decided_at        timestamptz,
    comment           text NOT NULL DEFAULT '',
    keep_until        timestamptz,
    retention_clause  text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, request_id, round, idx),
    FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (tenant_id, decided_by) REFERENCES people (tenant_id, id)
);
CREATE INDEX request_steps_decider ON request_steps (tenant_id, decided_by);
SELECT mamori_scope('request_steps');

-- A report filed after a request was granted: one of each kind per
-- request (the unique key also stops a report filed twice at once).
CREATE TABLE request_reports (
    tenant_id         bigint NOT NULL REFERENCES tenants (tenant_id),
    id                bigint NOT NULL,
    request_id        bigint NOT NULL,
    kind              text NOT NULL,
    at                timestamptz NOT NULL,
    performer_id      bigint NOT NULL,
    content           text NOT NULL DEFAULT '',
    fields            text NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL,
    created_by        bigint NOT NULL,
    keep_until        timestamptz,
    retention_clause  text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, request_id, kind),
    FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (tenant_id, performer_id) REFERENCES people (tenant_id, id)
);
SELECT mamori_scope('request_reports');

-- Incidents (internal/incident): reports from staff and from the public
-- form, the reporting chain of the active policy with who was told when
-- and when they acknowledged, the append-only timeline of handling, and
-- the reports owed to outside bodies with their deadlines.

-- mamori_append_only refuses changes to a table that keeps a record as it
-- was written (the incident timeline, the versions of the response plan).
CREATE FUNCTION mamori_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;

CREATE TABLE incidents (
    tenant_id          bigint NOT NULL REFERENCES tenants (tenant_id),
    id                 bigint NOT NULL,
    receipt_no         text NOT NULL,
    source             text NOT NULL,
    category           text NOT NULL,
    title              text NOT NULL,
    description        text NOT NULL,
    reporter_id        bigint,
    reporter_unit_id   bigint,
    reporter_name      text NOT NULL DEFAULT '',
    reporter_contact   text NOT NULL DEFAULT '',
    form_nonce         text,
    unit_id            bigint,
    occurred_at        timestamptz,
    discovered_at      timestamptz NOT NULL,
    reported_at        timestamptz NOT NULL,
    status             text NOT NULL,
    triage             text NOT NULL DEFAULT '',
    severity           text NOT NULL DEFAULT '',
    personal_info      boolean NOT NULL DEFAULT false,
    malicious          boolean NOT NULL DEFAULT false,
    triaged_at         timestamptz,
    triaged_by         bigint,
    what_happened      text NOT NULL DEFAULT '',
    cause              text NOT NULL DEFAULT '',
    damage             text NOT NULL DEFAULT '',
    impact_scope       text NOT NULL DEFAULT '',
    chain_step         integer NOT NULL DEFAULT 0,
    policy_version_id  bigint NOT NULL DEFAULT 0,
    closed_at          timestamptz,
    closed_by          bigint,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, receipt_no),
    UNIQUE (tenant_id, form_nonce),
    FOREIGN KEY (tenant_id, reporter_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);
CREATE INDEX incidents_status ON incidents (tenant_id, status, id);
SELECT mamori_scope('incidents');

-- The timeline. Append-only: a correction is a new entry that names the
-- one it corrects; the trigger refuses any UPDATE or DELETE.
CREATE TABLE incident_entries (
    tenant_id      bigint NOT NULL REFERENCES tenants (tenant_id),
    id             bigint NOT NULL,
    incident_id    bigint NOT NULL,
    at             timestamptz NOT NULL,
    kind           text NOT NULL,
    step           text NOT NULL DEFAULT '',
    body           text NOT NULL DEFAULT '',
    data           text NOT NULL DEFAULT '{}',
    actor_id       bigint NOT NULL,
    actor_label    text NOT NULL,
    corrects       bigint,
    attachment_id  bigint,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id)
);
CREATE INDEX incident_entries_incident ON incident_entries (tenant_id, incident_id, id);
CREATE TRIGGER incident_entries_append_only BEFORE UPDATE OR DELETE ON incident_entries
    FOR EACH ROW EXECUTE FUNCTION mamori_append_only();
SELECT mamori_scope('incident_entries');

-- Who was told, at which step of the policy's reporting chain, as which
-- role (a substitute names the absent holder), and when they acknowledged.
CREATE TABLE incident_notices (
    tenant_id        bigint NOT NULL REFERENCES tenants (tenant_id),
    id               bigint NOT NULL,
    incident_id      bigint NOT NULL,
    step             integer NOT NULL,
    role             text NOT NULL,
    as_role          text NOT NULL,
    unit_id          bigint,
    person_id        bigint NOT NULL,
    for_person_id    bigint,
    clause           text NOT NULL DEFAULT '',
    notified_at      timestamptz NOT NULL,
    acknowledged_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, incident_id, step, role, person_id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX incident_notices_person ON incident_notices (tenant_id, person_id, incident_id);
SELECT mamori_scope('incident_notices');

-- Reports owed to outside bodies (個人情報保護委員会, 総務省, 都道府県,
-- police, the press) with their deadlines.
CREATE TABLE incident_reports (
    tenant_id     bigint NOT NULL REFERENCES tenants (tenant_id),
    id            bigint NOT NULL,
    incident_id   bigint NOT NULL,
    kind          text NOT NULL,
    policy_id     text NOT NULL DEFAULT '',
    target        text NOT NULL,
    target_en     text NOT NULL DEFAULT '',
    due_at        timestamptz,
    status        text NOT NULL,
    submitted_at  timestamptz,
    reference     text NOT NULL DEFAULT '',
    note          text NOT NULL DEFAULT '',
    clause        text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id)
);
CREATE INDEX incident_reports_due ON incident_reports (tenant_id, status, due_at);
SELECT mamori_scope('incident_reports');

-- The key that signs the public report form's tokens, shared by every
-- server of the deployment (bookkeeping).
CREATE TABLE public_form_keys (
    tenant_id   bigint NOT NULL REFERENCES tenants (tenant_id),
    key         text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id)
);
SELECT mamori_scope('public_form_keys');

-- Fixed-window counters that rate-limit the public form per client
-- address and per organization, shared by every server (bookkeeping).
CREATE TABLE rate_buckets (
    tenant_id     bigint NOT NULL REFERENCES tenants (tenant_id),
    bucket        text NOT NULL,
    window_start  timestamptz NOT NULL,
    hits          integer NOT NULL,
    PRIMARY KEY (tenant_id, bucket)
);
SELECT mamori_scope('rate_buckets');

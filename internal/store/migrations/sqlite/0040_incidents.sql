-- Incidents (internal/incident): reports from staff and from the public
-- form, the reporting chain of the active policy with who was told when
-- and when they acknowledged, the append-only timeline of handling, and
-- the reports owed to outside bodies with their deadlines. Times are UTC.

CREATE TABLE incidents (
    tenant_id          INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id                 INTEGER NOT NULL,
    receipt_no         TEXT NOT NULL,
    source             TEXT NOT NULL,
    category           TEXT NOT NULL,
    title              TEXT NOT NULL,
    description        TEXT NOT NULL,
    reporter_id        INTEGER,
    reporter_unit_id   INTEGER,
    reporter_name      TEXT NOT NULL DEFAULT '',
    reporter_contact   TEXT NOT NULL DEFAULT '',
    form_nonce         TEXT,
    unit_id            INTEGER,
    occurred_at        DATETIME,
    discovered_at      DATETIME NOT NULL,
    reported_at        DATETIME NOT NULL,
    status             TEXT NOT NULL,
    triage             TEXT NOT NULL DEFAULT '',
    severity           TEXT NOT NULL DEFAULT '',
    personal_info      BOOLEAN NOT NULL DEFAULT FALSE,
    malicious          BOOLEAN NOT NULL DEFAULT FALSE,
    triaged_at         DATETIME,
    triaged_by         INTEGER,
    what_happened      TEXT NOT NULL DEFAULT '',
    cause              TEXT NOT NULL DEFAULT '',
    damage             TEXT NOT NULL DEFAULT '',
    impact_scope       TEXT NOT NULL DEFAULT '',
    chain_step         INTEGER NOT NULL DEFAULT 0,
    policy_version_id  INTEGER NOT NULL DEFAULT 0,
    closed_at          DATETIME,
    closed_by          INTEGER,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, receipt_no),
    UNIQUE (tenant_id, form_nonce),
    FOREIGN KEY (tenant_id, reporter_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);
CREATE INDEX incidents_status ON incidents (tenant_id, status, id);

-- The timeline. Append-only: a correction is a new entry that names the
-- one it corrects; the triggers refuse any UPDATE or DELETE, so that not
-- even a bug (or a hand with a SQL shell) rewrites the record.
CREATE TABLE incident_entries (
    tenant_id      INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id             INTEGER NOT NULL,
    incident_id    INTEGER NOT NULL,
    at             DATETIME NOT NULL,
    kind           TEXT NOT NULL,
    step           TEXT NOT NULL DEFAULT '',
    body           TEXT NOT NULL DEFAULT '',
    data           TEXT NOT NULL DEFAULT '{}',
    actor_id       INTEGER NOT NULL,
    actor_label    TEXT NOT NULL,
    corrects       INTEGER,
    attachment_id  INTEGER,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id)
);
CREATE INDEX incident_entries_incident ON incident_entries (tenant_id, incident_id, id);
CREATE TRIGGER incident_entries_no_update BEFORE UPDATE ON incident_entries
BEGIN SELECT RAISE(ABORT, 'incident_entries is append-only'); END;
CREATE TRIGGER incident_entries_no_delete BEFORE DELETE ON incident_entries
BEGIN SELECT RAISE(ABORT, 'incident_entries is append-only'); END;

-- Who was told, at which step of the policy's reporting chain, as which
-- role (a substitute names the absent holder), and when they acknowledged.
CREATE TABLE incident_notices (
    tenant_id        INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id               INTEGER NOT NULL,
    incident_id      INTEGER NOT NULL,
    step             INTEGER NOT NULL,
    role             TEXT NOT NULL,
    as_role          TEXT NOT NULL,
    unit_id          INTEGER,
    person_id        INTEGER NOT NULL,
    for_person_id    INTEGER,
    clause           TEXT NOT NULL DEFAULT '',
    notified_at      DATETIME NOT NULL,
    acknowledged_at  DATETIME,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, incident_id, step, role, person_id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX incident_notices_person ON incident_notices (tenant_id, person_id, incident_id);

-- Reports owed to outside bodies (個人情報保護委員会, 総務省, 都道府県,
-- police, the press) with their deadlines.
CREATE TABLE incident_reports (
    tenant_id     INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id            INTEGER NOT NULL,
    incident_id   INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    policy_id     TEXT NOT NULL DEFAULT '',
    target        TEXT NOT NULL,
    target_en     TEXT NOT NULL DEFAULT '',
    due_at        DATETIME,
    status        TEXT NOT NULL,
    submitted_at  DATETIME,
    reference     TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    clause        TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id)
);
CREATE INDEX incident_reports_due ON incident_reports (tenant_id, status, due_at);

-- The key that signs the public report form's tokens, shared by every
-- server of the deployment (bookkeeping).
CREATE TABLE public_form_keys (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (tenant_id),
    key         TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (tenant_id)
);

-- Fixed-window counters that rate-limit the public form per client
-- address and per organization, shared by every server (bookkeeping).
CREATE TABLE rate_buckets (
    tenant_id     INTEGER NOT NULL REFERENCES tenants (tenant_id),
    bucket        TEXT NOT NULL,
    window_start  DATETIME NOT NULL,
    hits          INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, bucket)
);

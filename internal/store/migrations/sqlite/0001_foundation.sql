-- Foundation: tenants, policy versions, the event log, and the people and
-- sessions that sign-in needs. Every table leads its primary key with
-- tenant_id. Times are UTC, stored as fixed-width ISO 8601 text.

CREATE TABLE tenants (
    tenant_id   INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  DATETIME NOT NULL
);

CREATE TABLE event_heads (
    tenant_id  INTEGER PRIMARY KEY REFERENCES tenants (tenant_id),
    seq        INTEGER NOT NULL,
    hash       TEXT NOT NULL
);

CREATE TABLE events (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (tenant_id),
    seq          INTEGER NOT NULL,
    at           DATETIME NOT NULL,
    actor_id     INTEGER NOT NULL,
    actor_label  TEXT NOT NULL,
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    INTEGER NOT NULL,
    data         TEXT NOT NULL,
    state_hash   TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    client_addr  TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX events_object ON events (tenant_id, object_type, object_id, seq);

CREATE TABLE policy_versions (
    tenant_id     INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id            INTEGER NOT NULL,
    profile       TEXT NOT NULL,
    version       TEXT NOT NULL,
    source_hash   TEXT NOT NULL,
    source        TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    DATETIME NOT NULL,
    created_by    INTEGER NOT NULL,
    activated_at  DATETIME,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX policy_versions_one_active ON policy_versions (tenant_id) WHERE active;

CREATE TABLE units (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id          INTEGER NOT NULL,
    parent_id   INTEGER,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    sort        INTEGER NOT NULL DEFAULT 0,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES units (tenant_id, id)
);

CREATE TABLE people (
    tenant_id     INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id            INTEGER NOT NULL,
    staff_no      TEXT NOT NULL,
    name          TEXT NOT NULL,
    kana          TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL,
    unit_id       INTEGER,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    status        TEXT NOT NULL DEFAULT 'active',
    needs_review  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, staff_no),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);

-- One sign-in account per person; id is the person's id.
CREATE TABLE accounts (
    tenant_id            INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id                   INTEGER NOT NULL,
    login                TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    must_change          BOOLEAN NOT NULL DEFAULT TRUE,
    password_changed_at  DATETIME NOT NULL,
    failed_count         INTEGER NOT NULL DEFAULT 0,
    locked_until         DATETIME,
    totp_secret          TEXT NOT NULL DEFAULT '',
    totp_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, login),
    FOREIGN KEY (tenant_id, id) REFERENCES people (tenant_id, id)
);

-- A role of the active policy held by a person; unit_id scopes a per-unit
-- role (each section's 情報セキュリティ管理者) to the unit it is held for.
CREATE TABLE role_assignments (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id           INTEGER NOT NULL,
    person_id    INTEGER NOT NULL,
    role_id      TEXT NOT NULL,
    unit_id      INTEGER,
    valid_from   DATETIME NOT NULL,
    valid_until  DATETIME,
    created_at   DATETIME NOT NULL,
    created_by   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);
CREATE INDEX role_assignments_person ON role_assignments (tenant_id, person_id);
CREATE INDEX role_assignments_role ON role_assignments (tenant_id, role_id, unit_id);

-- Sessions live in the database so that several servers share them. id is
-- the SHA-256 of the cookie's token; the token itself is never stored.
CREATE TABLE sessions (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id          TEXT NOT NULL,
    person_id   INTEGER NOT NULL,
    created_at  DATETIME NOT NULL,
    seen_at     DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    mfa_done    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE UNIQUE INDEX sessions_token ON sessions (id);

CREATE TABLE api_tokens (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id           INTEGER NOT NULL,
    person_id    INTEGER NOT NULL,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    permissions  TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    revoked_at   DATETIME,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);

-- Files attached to records: disposal certificates, incident evidence. A
-- record the policy requires to be kept carries keep_until and the clause
-- that demands it.
CREATE TABLE attachments (
    tenant_id         INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id                INTEGER NOT NULL,
    owner_type        TEXT NOT NULL,
    owner_id          INTEGER NOT NULL,
    filename          TEXT NOT NULL,
    content_type      TEXT NOT NULL,
    size              INTEGER NOT NULL,
    sha256            TEXT NOT NULL,
    data              BLOB NOT NULL,
    keep_until        DATETIME,
    retention_clause  TEXT NOT NULL DEFAULT '',
    created_at        DATETIME NOT NULL,
    created_by        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX attachments_owner ON attachments (tenant_id, owner_type, owner_id);

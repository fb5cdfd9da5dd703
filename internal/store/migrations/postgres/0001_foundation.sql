-- Foundation: tenants, policy versions, the event log, and the people and
-- sessions that sign-in needs. Every table leads its primary key with
-- tenant_id, and row-level security scopes every row to the tenant the
-- application set for the transaction (mamori.tenant), as a second line
-- behind the application's own scoping. mamori.system = 'on' is set only
-- by the few operations that span tenants (listing tenants, finding a
-- session by its token, verifying every chain).

CREATE FUNCTION mamori_tenant() RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('mamori.tenant', true), '')::bigint $$;

CREATE FUNCTION mamori_system() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('mamori.system', true), '') = 'on' $$;

-- mamori_scope enables row-level security on a tenant table.
CREATE FUNCTION mamori_scope(t regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_scope ON %s USING (tenant_id = mamori_tenant() OR mamori_system()) WITH CHECK (tenant_id = mamori_tenant() OR mamori_system())', t);
END $$;

CREATE TABLE tenants (
    tenant_id   bigint PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL
);
SELECT mamori_scope('tenants');

CREATE TABLE event_heads (
    tenant_id  bigint PRIMARY KEY REFERENCES tenants (tenant_id),
    seq        bigint NOT NULL,
    hash       text NOT NULL
);
SELECT mamori_scope('event_heads');

CREATE TABLE events (
    tenant_id    bigint NOT NULL REFERENCES tenants (tenant_id),
    seq          bigint NOT NULL,
    at           timestamptz NOT NULL,
    actor_id     bigint NOT NULL,
    actor_label  text NOT NULL,
    action       text NOT NULL,
    object_type  text NOT NULL,
    object_id    bigint NOT NULL,
    data         text NOT NULL,
    state_hash   text NOT NULL,
    request_id   text NOT NULL,
    client_addr  text NOT NULL,
    prev_hash    text NOT NULL,
    hash         text NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX events_object ON events (tenant_id, object_type, object_id, seq);
SELECT mamori_scope('events');

CREATE TABLE policy_versions (
    tenant_id     bigint NOT NULL REFERENCES tenants (tenant_id),
    id            bigint NOT NULL,
    profile       text NOT NULL,
    version       text NOT NULL,
    source_hash   text NOT NULL,
    source        text NOT NULL,
    active        boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    created_by    bigint NOT NULL,
    activated_at  timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX policy_versions_one_active ON policy_versions (tenant_id) WHERE active;
SELECT mamori_scope('policy_versions');

CREATE TABLE units (
    tenant_id   bigint NOT NULL REFERENCES tenants (tenant_id),
    id          bigint NOT NULL,
    parent_id   bigint,
    code        text NOT NULL,
    name        text NOT NULL,
    name_en     text NOT NULL DEFAULT '',
    kind        text NOT NULL,
    body        text NOT NULL DEFAULT '',
    sort        integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES units (tenant_id, id)
);
SELECT mamori_scope('units');

CREATE TABLE people (
    tenant_id     bigint NOT NULL REFERENCES tenants (tenant_id),
    id            bigint NOT NULL,
    staff_no      text NOT NULL,
    name          text NOT NULL,
    kana          text NOT NULL DEFAULT '',
    email         text NOT NULL DEFAULT '',
    kind          text NOT NULL,
    unit_id       bigint,
    is_admin      boolean NOT NULL DEFAULT false,
    status        text NOT NULL DEFAULT 'active',
    needs_review  boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, staff_no),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);
SELECT mamori_scope('people');

CREATE TABLE accounts (
    tenant_id            bigint NOT NULL REFERENCES tenants (tenant_id),
    id                   bigint NOT NULL,
    login                text NOT NULL,
    password_hash        text NOT NULL,
    must_change          boolean NOT NULL DEFAULT true,
    password_changed_at  timestamptz NOT NULL,
    failed_count         integer NOT NULL DEFAULT 0,
    locked_until         timestamptz,
    totp_secret          text NOT NULL DEFAULT '',
    totp_enabled         boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, login),
    FOREIGN KEY (tenant_id, id) REFERENCES people (tenant_id, id)
);
SELECT mamori_scope('accounts');

-- A role of the active policy held by a person; unit_id scopes a per-unit
-- role (each section's 情報セキュリティ管理者) to the unit it is held for.
CREATE TABLE role_assignments (
    tenant_id    bigint NOT NULL REFERENCES tenants (tenant_id),
    id           bigint NOT NULL,
    person_id    bigint NOT NULL,
    role_id      text NOT NULL,
    unit_id      bigint,
    valid_from   timestamptz NOT NULL,
    valid_until  timestamptz,
    created_at   timestamptz NOT NULL,
    created_by   bigint NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);
CREATE INDEX role_assignments_person ON role_assignments (tenant_id, person_id);
CREATE INDEX role_assignments_role ON role_assignments (tenant_id, role_id, unit_id);
SELECT mamori_scope('role_assignments');

CREATE TABLE sessions (
    tenant_id   bigint NOT NULL REFERENCES tenants (tenant_id),
    id          text NOT NULL,
    person_id   bigint NOT NULL,
    created_at  timestamptz NOT NULL,
    seen_at     timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    mfa_done    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE UNIQUE INDEX sessions_token ON sessions (id);
SELECT mamori_scope('sessions');

CREATE TABLE api_tokens (
    tenant_id    bigint NOT NULL REFERENCES tenants (tenant_id),
    id           bigint NOT NULL,
    person_id    bigint NOT NULL,
    name         text NOT NULL,
    token_hash   text NOT NULL,
    permissions  text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
SELECT mamori_scope('api_tokens');

CREATE TABLE attachments (
    tenant_id         bigint NOT NULL REFERENCES tenants (tenant_id),
    id                bigint NOT NULL,
    owner_type        text NOT NULL,
    owner_id          bigint NOT NULL,
    filename          text NOT NULL,
    content_type      text NOT NULL,
    size              bigint NOT NULL,
    sha256            text NOT NULL,
    data              bytea NOT NULL,
    keep_until        timestamptz,
    retention_clause  text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    created_by        bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX attachments_owner ON attachments (tenant_id, owner_type, owner_id);
SELECT mamori_scope('attachments');

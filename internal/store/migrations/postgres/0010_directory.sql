-- Directory and sign-in: absences and substitution, personnel transfers,
-- password history, TOTP recovery codes, and the network segments a person
-- works in (for the policy's multi-factor rules). Times are UTC.

-- A person absent for a period; while it lasts, the substitutes the policy
-- names act in their roles (下條村 第2章3(2)イ, 天草 第6条2).
CREATE TABLE absences (
    tenant_id   bigint NOT NULL REFERENCES tenants (tenant_id),
    id          bigint NOT NULL,
    person_id   bigint NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    reason      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    created_by  bigint NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
SELECT mamori_scope('absences');
CREATE INDEX absences_person ON absences (tenant_id, person_id, ends_at);

-- A personnel transfer (人事異動): a batch of moves and role changes
-- effective on one date, applied all at once by the server.
CREATE TABLE transfers (
    tenant_id     bigint NOT NULL REFERENCES tenants (tenant_id),
    id            bigint NOT NULL,
    title         text NOT NULL,
    effective_at  timestamptz NOT NULL,
    status        text NOT NULL,
    source        text NOT NULL DEFAULT '',
    error         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    created_by    bigint NOT NULL,
    updated_at    timestamptz NOT NULL,
    applied_at    timestamptz,
    PRIMARY KEY (tenant_id, id)
);
SELECT mamori_scope('transfers');
CREATE INDEX transfers_due ON transfers (tenant_id, status, effective_at);

CREATE TABLE transfer_items (
    tenant_id     bigint NOT NULL REFERENCES tenants (tenant_id),
    id            bigint NOT NULL,
    transfer_id   bigint NOT NULL,
    line          bigint NOT NULL DEFAULT 0,
    staff_no      text NOT NULL,
    person_id     bigint NOT NULL,
    from_unit_id  bigint,
    to_unit_id    bigint,
    add_roles     text NOT NULL DEFAULT '[]',
    end_roles     text NOT NULL DEFAULT '[]',
    end_all       boolean NOT NULL DEFAULT false,
    note          text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, transfer_id) REFERENCES transfers (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, to_unit_id) REFERENCES units (tenant_id, id)
);
SELECT mamori_scope('transfer_items');
CREATE INDEX transfer_items_transfer ON transfer_items (tenant_id, transfer_id, line);

-- Passwords a person has chosen, newest last, so that the policy's "no
-- reuse" rule can be checked (下條村 第2章7(7)5). Only argon2id hashes.
CREATE TABLE password_history (
    tenant_id      bigint NOT NULL REFERENCES tenants (tenant_id),
    id             bigint NOT NULL,
    person_id      bigint NOT NULL,
    password_hash  text NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
SELECT mamori_scope('password_history');
CREATE INDEX password_history_person ON password_history (tenant_id, person_id, id);

-- One row per person (id is the person's id): the SHA-256 hashes of their
-- unused TOTP recovery codes, space-separated. A used code is removed.
CREATE TABLE recovery_codes (
    tenant_id    bigint NOT NULL REFERENCES tenants (tenant_id),
    id           bigint NOT NULL,
    code_hashes  text NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, id) REFERENCES people (tenant_id, id)
);
SELECT mamori_scope('recovery_codes');

-- The network segments of the policy a person works in (個人番号利用事務系
-- …): the policy may require multi-factor sign-in for them (下條村
-- 第2章5(1)①).
CREATE TABLE person_segments (
    tenant_id   bigint NOT NULL REFERENCES tenants (tenant_id),
    id          bigint NOT NULL,
    person_id   bigint NOT NULL,
    segment_id  text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, person_id, segment_id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
SELECT mamori_scope('person_segments');

CREATE INDEX people_unit ON people (tenant_id, unit_id);
CREATE INDEX units_parent ON units (tenant_id, parent_id);

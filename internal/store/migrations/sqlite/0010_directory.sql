-- Directory and sign-in: absences and substitution, personnel transfers,
-- password history, TOTP recovery codes, and the network segments a person
-- works in (for the policy's multi-factor rules). Times are UTC.

-- A person absent for a period; while it lasts, the substitutes the policy
-- names act in their roles (下條村 第2章3(2)イ, 天草 第6条2).
CREATE TABLE absences (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id          INTEGER NOT NULL,
    person_id   INTEGER NOT NULL,
    starts_at   DATETIME NOT NULL,
    ends_at     DATETIME NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    created_by  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX absences_person ON absences (tenant_id, person_id, ends_at);

-- A personnel transfer (人事異動): a batch of moves and role changes
-- effective on one date, applied all at once by the server.
CREATE TABLE transfers (
    tenant_id     INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id            INTEGER NOT NULL,
    title         TEXT NOT NULL,
    effective_at  DATETIME NOT NULL,
    status        TEXT NOT NULL,
    source        TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    created_by    INTEGER NOT NULL,
    updated_at    DATETIME NOT NULL,
    applied_at    DATETIME,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX transfers_due ON transfers (tenant_id, status, effective_at);

CREATE TABLE transfer_items (
    tenant_id     INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id            INTEGER NOT NULL,
    transfer_id   INTEGER NOT NULL,
    line          INTEGER NOT NULL DEFAULT 0,
    staff_no      TEXT NOT NULL,
    person_id     INTEGER NOT NULL,
    from_unit_id  INTEGER,
    to_unit_id    INTEGER,
    add_roles     TEXT NOT NULL DEFAULT '[]',
    end_roles     TEXT NOT NULL DEFAULT '[]',
    end_all       BOOLEAN NOT NULL DEFAULT FALSE,
    note          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, transfer_id) REFERENCES transfers (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, to_unit_id) REFERENCES units (tenant_id, id)
);
CREATE INDEX transfer_items_transfer ON transfer_items (tenant_id, transfer_id, line);

-- Passwords a person has chosen, newest last, so that the policy's "no
-- reuse" rule can be checked (下條村 第2章7(7)5). Only argon2id hashes.
CREATE TABLE password_history (
    tenant_id      INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id             INTEGER NOT NULL,
    person_id      INTEGER NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX password_history_person ON password_history (tenant_id, person_id, id);

-- One row per person (id is the person's id): the SHA-256 hashes of their
-- unused TOTP recovery codes, space-separated. A used code is removed.
CREATE TABLE recovery_codes (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id           INTEGER NOT NULL,
    code_hashes  TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, id) REFERENCES people (tenant_id, id)
);

-- The network segments of the policy a person works in (個人番号利用事務系
-- …): the policy may require multi-factor sign-in for them (下條村
-- 第2章5(1)①).
CREATE TABLE person_segments (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id          INTEGER NOT NULL,
    person_id   INTEGER NOT NULL,
    segment_id  TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, person_id, segment_id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);

CREATE INDEX people_unit ON people (tenant_id, unit_id);
CREATE INDEX units_parent ON units (tenant_id, parent_id);

-- Violations of the policy by a member of staff (下條村 第2章9(6), 天草
-- 第39条): the record, the instruction to correct it, the result, and the
-- suspension of the person's rights when it is not corrected.
CREATE TABLE violations (
    tenant_id          INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id                 INTEGER NOT NULL,
    person_id          INTEGER NOT NULL,
    unit_id            INTEGER,
    incident_id        INTEGER,
    description        TEXT NOT NULL,
    clause             TEXT NOT NULL DEFAULT '',
    found_at           DATETIME NOT NULL,
    recorded_by        INTEGER NOT NULL,
    status             TEXT NOT NULL,
    instruction        TEXT NOT NULL DEFAULT '',
    instructed_by      INTEGER,
    instructed_at      DATETIME,
    result             TEXT NOT NULL DEFAULT '',
    result_by          INTEGER,
    result_at          DATETIME,
    suspension_reason  TEXT NOT NULL DEFAULT '',
    suspended_by       INTEGER,
    suspended_at       DATETIME,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id)
);
CREATE INDEX violations_person ON violations (tenant_id, person_id, id);

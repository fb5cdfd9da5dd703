-- Violations of the policy by a member of staff (下條村 第2章9(6), 天草
-- 第39条): the record, the instruction to correct it, the result, and the
-- suspension of the person's rights when it is not corrected.
CREATE TABLE violations (
    tenant_id          bigint NOT NULL REFERENCES tenants (tenant_id),
    id                 bigint NOT NULL,
    person_id          bigint NOT NULL,
    unit_id            bigint,
    incident_id        bigint,
    description        text NOT NULL,
    clause             text NOT NULL DEFAULT '',
    found_at           timestamptz NOT NULL,
    recorded_by        bigint NOT NULL,
    status             text NOT NULL,
    instruction        text NOT NULL DEFAULT '',
    instructed_by      bigint,
    instructed_at      timestamptz,
    result             text NOT NULL DEFAULT '',
    result_by          bigint,
    result_at          timestamptz,
    suspension_reason  text NOT NULL DEFAULT '',
    suspended_by       bigint,
    suspended_at       timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id)
);
CREATE INDEX violations_person ON violations (tenant_id, person_id, id);
SELECT mamori_scope('violations');

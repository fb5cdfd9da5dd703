-- The emergency response plan (緊急時対応計画, 下條村 第2章9(2)): each
-- saved version is a row of its own that is never changed, so that an
-- incident can be read against the plan as it stood.
CREATE TABLE response_plans (
    tenant_id     INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id            INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    contacts      TEXT NOT NULL,
    report_items  TEXT NOT NULL,
    responses     TEXT NOT NULL,
    prevention    TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    created_by    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, version)
);
CREATE TRIGGER response_plans_no_update BEFORE UPDATE ON response_plans
BEGIN SELECT RAISE(ABORT, 'response_plans is append-only'); END;
CREATE TRIGGER response_plans_no_delete BEFORE DELETE ON response_plans
BEGIN SELECT RAISE(ABORT, 'response_plans is append-only'); END;

-- The emergency response plan (緊急時対応計画, 下條村 第2章9(2)): each
-- saved version is a row of its own that is never changed, so that an
-- incident can be read against the plan as it stood.
CREATE TABLE response_plans (
    tenant_id     bigint NOT NULL REFERENCES tenants (tenant_id),
    id            bigint NOT NULL,
    version       integer NOT NULL,
    contacts      text NOT NULL,
    report_items  text NOT NULL,
    responses     text NOT NULL,
    prevention    text NOT NULL,
    note          text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    created_by    bigint NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, version)
);
CREATE TRIGGER response_plans_append_only BEFORE UPDATE OR DELETE ON response_plans
    FOR EACH ROW EXECUTE FUNCTION mamori_append_only();
SELECT mamori_scope('response_plans');

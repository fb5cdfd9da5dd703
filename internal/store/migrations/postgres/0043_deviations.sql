-- Deviations from the policy (逸脱管理, 下條村 第2章9(4)): reported by a
-- manager with period, reason and alternative measures, reviewed by the
-- 統括情報セキュリティ責任者, approved or rejected by the committee, and
-- expiring on their end date.
CREATE TABLE deviations (
    tenant_id       bigint NOT NULL REFERENCES tenants (tenant_id),
    id              bigint NOT NULL,
    unit_id         bigint,
    submitted_by    bigint NOT NULL,
    provision       text NOT NULL,
    clause          text NOT NULL DEFAULT '',
    reason          text NOT NULL,
    alternatives    text NOT NULL,
    starts_on       timestamptz NOT NULL,
    ends_on         timestamptz NOT NULL,
    status          text NOT NULL,
    review_opinion  text NOT NULL DEFAULT '',
    review_note     text NOT NULL DEFAULT '',
    reviewed_by     bigint,
    reviewed_at     timestamptz,
    decision_note   text NOT NULL DEFAULT '',
    decided_by      bigint,
    decided_at      timestamptz,
    reminders_sent  integer NOT NULL DEFAULT 0,
    ended_at        timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);
CREATE INDEX deviations_status ON deviations (tenant_id, status, ends_on);
SELECT mamori_scope('deviations');

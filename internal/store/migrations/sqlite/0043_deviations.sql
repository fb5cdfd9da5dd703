-- Deviations from the policy (逸脱管理, 下條村 第2章9(4)): reported by a
-- manager with period, reason and alternative measures, reviewed by the
-- 統括情報セキュリティ責任者, approved or rejected by the committee, and
-- expiring on their end date.
CREATE TABLE deviations (
    tenant_id       INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id              INTEGER NOT NULL,
    unit_id         INTEGER,
    submitted_by    INTEGER NOT NULL,
    provision       TEXT NOT NULL,
    clause          TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL,
    alternatives    TEXT NOT NULL,
    starts_on       DATETIME NOT NULL,
    ends_on         DATETIME NOT NULL,
    status          TEXT NOT NULL,
    review_opinion  TEXT NOT NULL DEFAULT '',
    review_note     TEXT NOT NULL DEFAULT '',
    reviewed_by     INTEGER,
    reviewed_at     DATETIME,
    decision_note   TEXT NOT NULL DEFAULT '',
    decided_by      INTEGER,
    decided_at      DATETIME,
    reminders_sent  INTEGER NOT NULL DEFAULT 0,
    ended_at        DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);
CREATE INDEX deviations_status ON deviations (tenant_id, status, ends_on);

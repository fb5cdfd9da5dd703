-- Notifications (internal/notify): the in-app inbox, one row per person
-- told, and the mail outbox that the background sender delivers over SMTP.
-- Both are bookkeeping (untracked): the change that caused a notification
-- is what the event log vouches for. Times are UTC.

CREATE TABLE notifications (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id          INTEGER NOT NULL,
    person_id   INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    subject_ja  TEXT NOT NULL,
    subject_en  TEXT NOT NULL,
    body_ja     TEXT NOT NULL,
    body_en     TEXT NOT NULL,
    link        TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    read_at     DATETIME,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX notifications_person ON notifications (tenant_id, person_id, id);

-- One mail per notification whose person has an address; the sender
-- composes it from the notification when it sends. The sender
-- claims due rows by setting claimed_until (a lease) in a locking
-- statement, so that two servers never send the same mail at once.
CREATE TABLE mail_outbox (
    tenant_id        INTEGER NOT NULL REFERENCES tenants (tenant_id),
    id               INTEGER NOT NULL,
    notification_id  INTEGER NOT NULL,
    to_addr          TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_at          DATETIME NOT NULL,
    claimed_until    DATETIME,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    sent_at          DATETIME,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, notification_id) REFERENCES notifications (tenant_id, id)
);
CREATE INDEX mail_outbox_due ON mail_outbox (tenant_id, status, next_at);

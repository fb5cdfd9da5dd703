-- Notifications (internal/notify): the in-app inbox, one row per person
-- told, and the mail outbox that the background sender delivers over SMTP.
-- Both are bookkeeping (untracked): the change that caused a notification
-- is what the event log vouches for.

CREATE TABLE notifications (
    tenant_id   bigint NOT NULL REFERENCES tenants (tenant_id),
    id          bigint NOT NULL,
    person_id   bigint NOT NULL,
    kind        text NOT NULL,
    subject_ja  text NOT NULL,
    subject_en  text NOT NULL,
    body_ja     text NOT NULL,
    body_en     text NOT NULL,
    link        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    read_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX notifications_person ON notifications (tenant_id, person_id, id);
SELECT mamori_scope('notifications');

-- One mail per notification whose person has an address; the sender
-- composes it from the notification when it sends. The sender
-- claims due rows with FOR UPDATE SKIP LOCKED and a lease
-- (claimed_until), so that two servers never send the same mail at once.
CREATE TABLE mail_outbox (
    tenant_id        bigint NOT NULL REFERENCES tenants (tenant_id),
    id               bigint NOT NULL,
    notification_id  bigint NOT NULL,
    to_addr          text NOT NULL,
    status           text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_at          timestamptz NOT NULL,
    claimed_until    timestamptz,
    last_error       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, notification_id) REFERENCES notifications (tenant_id, id)
);
CREATE INDEX mail_outbox_due ON mail_outbox (tenant_id, status, next_at);
SELECT mamori_scope('mail_outbox');

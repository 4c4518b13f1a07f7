-- Usage and throttling alarms: rules, states, webhooks and the notification outbox.

-- One alarm rule per (account, code); '' stands for every account or
-- every quota.
CREATE TABLE alarm_rules (
    account          TEXT NOT NULL,
    code             TEXT NOT NULL,
    warning          REAL NOT NULL,
    critical         REAL NOT NULL,
    hysteresis       REAL NOT NULL,
    off              INTEGER NOT NULL,
    throttle_count   INTEGER NOT NULL,
    throttle_minutes INTEGER NOT NULL,
    updated          INTEGER NOT NULL,
    PRIMARY KEY (account, code)
) WITHOUT ROWID;

-- The level of each alarm that has moved at least once; a missing row is OK.
CREATE TABLE alarm_states (
    account   TEXT NOT NULL,
    code      TEXT NOT NULL,
    scope     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    level     TEXT NOT NULL,
    value     INTEGER NOT NULL,
    applied   REAL NOT NULL,
    ratio     REAL NOT NULL,
    threshold REAL NOT NULL,
    since     INTEGER NOT NULL,
    updated   INTEGER NOT NULL,
    PRIMARY KEY (account, code, scope, kind)
) WITHOUT ROWID;

CREATE TABLE webhooks (
    id      TEXT NOT NULL PRIMARY KEY,
    url     TEXT NOT NULL,
    secret  TEXT NOT NULL,
    account TEXT NOT NULL,
    created INTEGER NOT NULL
) WITHOUT ROWID;

-- The notification outbox, written in the transaction of each transition.
CREATE TABLE notifications (
    id           TEXT NOT NULL PRIMARY KEY,
    webhook      TEXT NOT NULL,
    body         BLOB NOT NULL,
    attempts     INTEGER NOT NULL,
    next_attempt INTEGER NOT NULL,
    created      INTEGER NOT NULL,
    state        TEXT NOT NULL,
    last_error   TEXT NOT NULL,
    updated      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX notifications_due ON notifications (state, next_attempt);
CREATE INDEX notifications_webhook ON notifications (webhook);
CREATE INDEX notifications_updated ON notifications (state, updated);

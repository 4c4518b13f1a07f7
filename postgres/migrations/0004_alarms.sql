-- Usage and throttling alarms: rules, states, webhooks and the notification outbox.

-- One alarm rule per (account, code); '' stands for every account or
-- every quota.
CREATE TABLE alarm_rules (
    account          TEXT COLLATE "C" NOT NULL,
    code             TEXT COLLATE "C" NOT NULL,
    warning          DOUBLE PRECISION NOT NULL,
    critical         DOUBLE PRECISION NOT NULL,
    hysteresis       DOUBLE PRECISION NOT NULL,
    off              BOOLEAN NOT NULL,
    throttle_count   BIGINT NOT NULL,
    throttle_minutes INTEGER NOT NULL,
    updated          BIGINT NOT NULL,
    PRIMARY KEY (account, code)
);

-- The level of each alarm that has moved at least once; a missing row is OK.
CREATE TABLE alarm_states (
    account   TEXT COLLATE "C" NOT NULL,
    code      TEXT COLLATE "C" NOT NULL,
    scope     TEXT COLLATE "C" NOT NULL,
    kind      TEXT COLLATE "C" NOT NULL,
    level     TEXT COLLATE "C" NOT NULL,
    value     BIGINT NOT NULL,
    applied   DOUBLE PRECISION NOT NULL,
    ratio     DOUBLE PRECISION NOT NULL,
    threshold DOUBLE PRECISION NOT NULL,
    since     BIGINT NOT NULL,
    updated   BIGINT NOT NULL,
    PRIMARY KEY (account, code, scope, kind)
);

CREATE TABLE webhooks (
    id      TEXT COLLATE "C" PRIMARY KEY,
    url     TEXT COLLATE "C" NOT NULL,
    secret  TEXT COLLATE "C" NOT NULL,
    account TEXT COLLATE "C" NOT NULL,
    created BIGINT NOT NULL
);

-- The notification outbox, written in the transaction of each transition.
CREATE TABLE notifications (
    id           TEXT COLLATE "C" PRIMARY KEY,
    webhook      TEXT COLLATE "C" NOT NULL,
    body         BYTEA NOT NULL,
    attempts     INTEGER NOT NULL,
    next_attempt BIGINT NOT NULL,
    created      BIGINT NOT NULL,
    state        TEXT COLLATE "C" NOT NULL,
    last_error   TEXT COLLATE "C" NOT NULL,
    updated      BIGINT NOT NULL
);
CREATE INDEX notifications_due ON notifications (state, next_attempt);
CREATE INDEX notifications_webhook ON notifications (webhook);
CREATE INDEX notifications_updated ON notifications (state, updated);

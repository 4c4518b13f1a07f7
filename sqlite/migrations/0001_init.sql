-- Headroom store schema, version 1.
--
-- Times are unix nanoseconds (INTEGER); the zero time is -9223372036854775808.
-- Lists of strings are JSON arrays, or '' for an empty list.

CREATE TABLE accounts (
    id      TEXT PRIMARY KEY,
    created INTEGER NOT NULL,
    partner TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- seq keeps creation order for listing.
CREATE TABLE access_keys (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    id      TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL REFERENCES accounts (id),
    secret  TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE INDEX access_keys_account ON access_keys (account, seq);

CREATE TABLE tokens (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,
    hash     BLOB NOT NULL UNIQUE,
    accounts TEXT NOT NULL,
    created  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE overrides (
    account    TEXT NOT NULL REFERENCES accounts (id),
    code       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    value      REAL,
    allow      TEXT NOT NULL,
    deny       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account, code, scope)
) WITHOUT ROWID;

-- Count and cumulative usage. A counter at zero has no row.
CREATE TABLE counts (
    account TEXT NOT NULL,
    code    TEXT NOT NULL,
    scope   TEXT NOT NULL,
    used    INTEGER NOT NULL,
    PRIMARY KEY (account, code, scope)
) WITHOUT ROWID;

-- One row per idempotency key of an account: the change it made, and when.
CREATE TABLE idempotency_keys (
    account  TEXT NOT NULL,
    key      TEXT NOT NULL,
    op       TEXT NOT NULL,
    code     TEXT NOT NULL,
    scope    TEXT NOT NULL,
    amount   INTEGER NOT NULL,
    recorded INTEGER NOT NULL,
    PRIMARY KEY (account, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_recorded ON idempotency_keys (recorded);

-- Leases of concurrency quotas. A lease whose expires is not after now holds
-- no slot; the next change of its key, or a purge, deletes it.
CREATE TABLE leases (
    account  TEXT NOT NULL,
    code     TEXT NOT NULL,
    scope    TEXT NOT NULL,
    lease_id TEXT NOT NULL,
    expires  INTEGER NOT NULL,
    PRIMARY KEY (account, code, scope, lease_id)
) WITHOUT ROWID;
-- Finds a key's expired leases without reading its live ones.
CREATE INDEX leases_key_expires ON leases (account, code, scope, expires);
-- Finds every expired lease, for purges.
CREATE INDEX leases_expires ON leases (expires);

-- The number of rows in leases per key, kept by the triggers below, so that
-- taking a slot costs the same however many leases a key holds.
CREATE TABLE lease_counts (
    account TEXT NOT NULL,
    code    TEXT NOT NULL,
    scope   TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (account, code, scope)
) WITHOUT ROWID;

CREATE TRIGGER leases_insert AFTER INSERT ON leases BEGIN
    INSERT INTO lease_counts (account, code, scope, n) VALUES (new.account, new.code, new.scope, 1)
        ON CONFLICT (account, code, scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER leases_delete AFTER DELETE ON leases BEGIN
    UPDATE lease_counts SET n = n - 1 WHERE account = old.account AND code = old.code AND scope = old.scope;
    DELETE FROM lease_counts WHERE account = old.account AND code = old.code AND scope = old.scope AND n <= 0;
END;

CREATE TABLE change_requests (
    id                   TEXT PRIMARY KEY,
    type                 TEXT NOT NULL,
    account              TEXT NOT NULL REFERENCES accounts (id),
    code                 TEXT NOT NULL,
    scope                TEXT NOT NULL,
    desired_value        REAL,
    granted_value        REAL,
    allow                TEXT NOT NULL,
    deny                 TEXT NOT NULL,
    details              TEXT NOT NULL,
    status               TEXT NOT NULL,
    case_id              TEXT NOT NULL,
    support_case_allowed INTEGER NOT NULL,
    requester            TEXT NOT NULL,
    created              INTEGER NOT NULL,
    last_updated         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX change_requests_account_status ON change_requests (account, status, code, scope);
CREATE INDEX change_requests_created ON change_requests (created, id);

CREATE TABLE transitions (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id    TEXT NOT NULL REFERENCES change_requests (id),
    from_status   TEXT NOT NULL,
    to_status     TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            INTEGER NOT NULL,
    note          TEXT NOT NULL,
    case_id       TEXT NOT NULL,
    granted_value REAL
);
CREATE INDEX transitions_request ON transitions (request_id, seq);

-- The audit log: append-only, ids increasing and never reused.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    time    INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    account TEXT NOT NULL,
    action  TEXT NOT NULL,
    code    TEXT NOT NULL,
    scope   TEXT NOT NULL,
    detail  TEXT NOT NULL
);
CREATE INDEX audit_account ON audit (account, id);
CREATE INDEX audit_code ON audit (code, id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Headroom PostgreSQL store schema, version 1. Every table lives in the
-- schema the connection's search_path names first (current_schema()).
--
-- Times are unix nanoseconds (BIGINT); the zero time is
-- -9223372036854775808, as in the SQLite store. Lists of strings are JSON
-- arrays, or '' for an empty list. A float NULL is NaN.

CREATE TABLE accounts (
    id      TEXT COLLATE "C" PRIMARY KEY,
    created BIGINT NOT NULL,
    partner TEXT COLLATE "C" NOT NULL DEFAULT ''
);

-- seq keeps creation order for listing.
CREATE TABLE access_keys (
    seq     BIGSERIAL PRIMARY KEY,
    id      TEXT COLLATE "C" NOT NULL UNIQUE,
    account TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    secret  TEXT COLLATE "C" NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX access_keys_account ON access_keys (account, seq);

CREATE TABLE tokens (
    id       TEXT COLLATE "C" PRIMARY KEY,
    name     TEXT COLLATE "C" NOT NULL,
    role     TEXT COLLATE "C" NOT NULL,
    hash     BYTEA NOT NULL UNIQUE,
    accounts TEXT COLLATE "C" NOT NULL,
    created  BIGINT NOT NULL
);

CREATE TABLE overrides (
    account    TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    code       TEXT COLLATE "C" NOT NULL,
    scope      TEXT COLLATE "C" NOT NULL,
    value      DOUBLE PRECISION,
    allow      TEXT COLLATE "C" NOT NULL,
    deny       TEXT COLLATE "C" NOT NULL,
    updated_by TEXT COLLATE "C" NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account, code, scope)
);

-- Count and cumulative usage. A counter at zero has no row.
CREATE TABLE counts (
    account TEXT COLLATE "C" NOT NULL,
    code    TEXT COLLATE "C" NOT NULL,
    scope   TEXT COLLATE "C" NOT NULL,
    used    BIGINT NOT NULL,
    PRIMARY KEY (account, code, scope)
);

-- One row per idempotency key of an account: the change it made, and when.
CREATE TABLE idempotency_keys (
    account  TEXT COLLATE "C" NOT NULL,
    key      TEXT COLLATE "C" NOT NULL,
    op       TEXT COLLATE "C" NOT NULL,
    code     TEXT COLLATE "C" NOT NULL,
    scope    TEXT COLLATE "C" NOT NULL,
    amount   BIGINT NOT NULL,
    recorded BIGINT NOT NULL,
    PRIMARY KEY (account, key)
);
CREATE INDEX idempotency_keys_recorded ON idempotency_keys (recorded);

-- Leases of concurrency quotas. A lease whose expires is not after now
-- holds no slot; the next change of its key, or a purge, deletes it.
CREATE TABLE leases (
    account  TEXT COLLATE "C" NOT NULL,
    code     TEXT COLLATE "C" NOT NULL,
    scope    TEXT COLLATE "C" NOT NULL,
    lease_id TEXT COLLATE "C" NOT NULL,
    expires  BIGINT NOT NULL,
    PRIMARY KEY (account, code, scope, lease_id)
);
CREATE INDEX leases_key_expires ON leases (account, code, scope, expires);
CREATE INDEX leases_expires ON leases (expires);

CREATE TABLE change_requests (
    id                   TEXT COLLATE "C" PRIMARY KEY,
    type                 TEXT COLLATE "C" NOT NULL,
    account              TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    code                 TEXT COLLATE "C" NOT NULL,
    scope                TEXT COLLATE "C" NOT NULL,
    desired_value        DOUBLE PRECISION,
    granted_value        DOUBLE PRECISION,
    allow                TEXT COLLATE "C" NOT NULL,
    deny                 TEXT COLLATE "C" NOT NULL,
    details              TEXT COLLATE "C" NOT NULL,
    status               TEXT COLLATE "C" NOT NULL,
    case_id              TEXT COLLATE "C" NOT NULL,
    support_case_allowed BOOLEAN NOT NULL,
    requester            TEXT COLLATE "C" NOT NULL,
    created              BIGINT NOT NULL,
    last_updated         BIGINT NOT NULL
);
CREATE INDEX change_requests_account_status ON change_requests (account, status, code, scope);
CREATE INDEX change_requests_created ON change_requests (created, id);

CREATE TABLE transitions (
    seq           BIGSERIAL PRIMARY KEY,
    request_id    TEXT COLLATE "C" NOT NULL REFERENCES change_requests (id),
    from_status   TEXT COLLATE "C" NOT NULL,
    to_status     TEXT COLLATE "C" NOT NULL,
    actor         TEXT COLLATE "C" NOT NULL,
    at            BIGINT NOT NULL,
    note          TEXT COLLATE "C" NOT NULL,
    case_id       TEXT COLLATE "C" NOT NULL,
    granted_value DOUBLE PRECISION
);
CREATE INDEX transitions_request ON transitions (request_id, seq);

-- The audit log: append-only; entries may be removed by retention only.
CREATE TABLE audit (
    id      BIGSERIAL PRIMARY KEY,
    time    BIGINT NOT NULL,
    actor   TEXT COLLATE "C" NOT NULL,
    account TEXT COLLATE "C" NOT NULL,
    action  TEXT COLLATE "C" NOT NULL,
    code    TEXT COLLATE "C" NOT NULL,
    scope   TEXT COLLATE "C" NOT NULL,
    detail  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_account ON audit (account, id);
CREATE INDEX audit_code ON audit (code, id);
CREATE INDEX audit_time ON audit (time);

CREATE FUNCTION audit_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION audit_no_update();

-- The organization's quota request template, one row per quota and region.
CREATE TABLE template_entries (
    service       TEXT COLLATE "C" NOT NULL,
    code          TEXT COLLATE "C" NOT NULL,
    region        TEXT COLLATE "C" NOT NULL,
    desired_value DOUBLE PRECISION,
    PRIMARY KEY (service, code, region)
);

-- Store-wide settings by name, such as whether the template is associated,
-- the check value of the secret key, and keys all nodes share.
CREATE TABLE settings (
    name  TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);

-- Tags on resources (quotas, by ARN) of an account.
CREATE TABLE tags (
    account  TEXT COLLATE "C" NOT NULL,
    resource TEXT COLLATE "C" NOT NULL,
    key      TEXT COLLATE "C" NOT NULL,
    value    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account, resource, key)
);

-- Resources of the emulated APIs. name is '' for an unnamed resource;
-- parent is '' for a top-level one.
CREATE TABLE resources (
    account TEXT COLLATE "C" NOT NULL,
    kind    TEXT COLLATE "C" NOT NULL,
    id      TEXT COLLATE "C" NOT NULL,
    parent  TEXT COLLATE "C" NOT NULL,
    name    TEXT COLLATE "C" NOT NULL,
    data    BYTEA NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    uses    TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (account, kind, id)
);
CREATE UNIQUE INDEX resources_name ON resources (account, kind, parent, name) WHERE name <> '';
CREATE INDEX resources_list ON resources (account, kind, parent, created, id);
CREATE INDEX resources_order ON resources (account, kind, created, id);
CREATE INDEX resources_parent ON resources (account, parent);

CREATE TABLE resource_uses (
    account   TEXT COLLATE "C" NOT NULL,
    kind      TEXT COLLATE "C" NOT NULL,
    id        TEXT COLLATE "C" NOT NULL,
    used_kind TEXT COLLATE "C" NOT NULL,
    used_id   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account, kind, id, used_kind, used_id)
);
CREATE INDEX resource_uses_used ON resource_uses (account, used_kind, used_id);

CREATE TABLE resource_tokens (
    account TEXT COLLATE "C" NOT NULL,
    key     TEXT COLLATE "C" NOT NULL,
    hash    TEXT COLLATE "C" NOT NULL,
    kind    TEXT COLLATE "C" NOT NULL,
    id      TEXT COLLATE "C" NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    PRIMARY KEY (account, key)
);
CREATE INDEX resource_tokens_resource ON resource_tokens (account, kind, id);
CREATE INDEX resource_tokens_created ON resource_tokens (created);
CREATE INDEX resource_tokens_expires ON resource_tokens (expires);

-- Plain counters without a limit, such as breach metrics.
CREATE TABLE counters (
    account TEXT COLLATE "C" NOT NULL,
    code    TEXT COLLATE "C" NOT NULL,
    scope   TEXT COLLATE "C" NOT NULL,
    value   BIGINT NOT NULL,
    PRIMARY KEY (account, code, scope)
);

-- The Headroom nodes sharing this store, each with when it last recorded
-- that it is alive (unix nanoseconds of the database's clock).
CREATE TABLE nodes (
    id   TEXT COLLATE "C" PRIMARY KEY,
    seen BIGINT NOT NULL
);

-- Headroom store schema, version 4: resource versions and uses, resource
-- tokens, plain counters and audit retention.

-- Every resource carries a version, so that an update applies only to the
-- version it was read at (compare-and-swap), whichever node makes it.
ALTER TABLE resources ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- The resources a resource uses, as JSON, returned with it; resource_uses
-- below indexes them the other way round.
ALTER TABLE resources ADD COLUMN uses TEXT NOT NULL DEFAULT '';

-- One row per use of a resource by another of the same account, so that a
-- delete can refuse, in its own transaction, a resource still in use.
CREATE TABLE resource_uses (
    account   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    id        TEXT NOT NULL,
    used_kind TEXT NOT NULL,
    used_id   TEXT NOT NULL,
    PRIMARY KEY (account, kind, id, used_kind, used_id)
) WITHOUT ROWID;
CREATE INDEX resource_uses_used ON resource_uses (account, used_kind, used_id);

-- One row per resource token (such as Amazon Connect's ClientToken) of an
-- account: the hash of the request that used it and the resource it created,
-- written in the same transaction as the resource.
CREATE TABLE resource_tokens (
    account TEXT NOT NULL,
    key     TEXT NOT NULL,
    hash    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    PRIMARY KEY (account, key)
) WITHOUT ROWID;
-- Finds the tokens that name a resource, when it is deleted.
CREATE INDEX resource_tokens_resource ON resource_tokens (account, kind, id);
CREATE INDEX resource_tokens_expires ON resource_tokens (expires);

-- Plain counters without a limit, such as breach metrics.
CREATE TABLE counters (
    account TEXT NOT NULL,
    code    TEXT NOT NULL,
    scope   TEXT NOT NULL,
    value   INTEGER NOT NULL,
    PRIMARY KEY (account, code, scope)
) WITHOUT ROWID;

-- The audit log is never changed, but old entries may be removed by the
-- retention setting.
DROP TRIGGER audit_no_delete;
CREATE INDEX audit_time ON audit (time);

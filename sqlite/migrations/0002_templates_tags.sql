-- Headroom store schema, version 2: the quota request template and tags.

-- The organization's quota request template, one row per quota and region.
CREATE TABLE template_entries (
    service       TEXT NOT NULL,
    code          TEXT NOT NULL,
    region        TEXT NOT NULL,
    desired_value REAL,
    PRIMARY KEY (service, code, region)
) WITHOUT ROWID;

-- Store-wide settings by name, such as whether the template is associated.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Tags on resources (quotas, by ARN) of an account.
CREATE TABLE tags (
    account  TEXT NOT NULL,
    resource TEXT NOT NULL,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (account, resource, key)
) WITHOUT ROWID;

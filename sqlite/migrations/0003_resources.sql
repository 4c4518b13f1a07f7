-- Headroom store schema, version 3: resources of the emulated APIs.

-- One row per resource, such as an Amazon Connect instance, user or contact.
-- A resource is inserted in the same transaction as the reserve of the quota
-- slot it holds and deleted in the same transaction as the release. data is
-- the emulated API's JSON, so the table keeps rowids: WITHOUT ROWID suits
-- small rows only. name is '' for an unnamed resource; parent is '' for a
-- top-level one.
CREATE TABLE resources (
    account TEXT NOT NULL,
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    parent  TEXT NOT NULL,
    name    TEXT NOT NULL,
    data    BLOB NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL
);
CREATE UNIQUE INDEX resources_id ON resources (account, kind, id);
-- Names are unique among the children of one parent; unnamed resources
-- are not in the index.
CREATE UNIQUE INDEX resources_name ON resources (account, kind, parent, name) WHERE name <> '';
-- Lists the children of a parent in (created, id) order without sorting.
CREATE INDEX resources_list ON resources (account, kind, parent, created, id);

-- Usage history: minute samples for 48 hours, hourly rollups for 90 days.
--
-- A series is one usage counter (account, code, scope), stored once and
-- named by its id in the rows, so that a row is a few small integers.
-- Series are never deleted: a counter that comes back reuses its id.
CREATE TABLE history_series (
    id      INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    code    TEXT NOT NULL,
    scope   TEXT NOT NULL,
    UNIQUE (account, code, scope)
);

-- One row per series and minute (minutes since the Unix epoch): the highest
-- value sampled in it, and the rate decisions counted in it by every node.
-- Zero counts take no bytes in a SQLite record.
CREATE TABLE history_minutes (
    series    INTEGER NOT NULL,
    minute    INTEGER NOT NULL,
    used      INTEGER NOT NULL,
    allowed   INTEGER NOT NULL,
    throttled INTEGER NOT NULL,
    PRIMARY KEY (series, minute)
) WITHOUT ROWID;

-- One row per series and hour (hours since the Unix epoch), rolled up from
-- the minute rows: the highest value, the mean over 60 minutes and the
-- rate decisions.
CREATE TABLE history_hours (
    series    INTEGER NOT NULL,
    hour      INTEGER NOT NULL,
    max       INTEGER NOT NULL,
    mean      REAL NOT NULL,
    allowed   INTEGER NOT NULL,
    throttled INTEGER NOT NULL,
    PRIMARY KEY (series, hour)
) WITHOUT ROWID;

-- Customer360 grain storage on SQLite (the embedded default).
--
-- The server runs this whole file as one batch on first start; running it again is harmless
-- and refreshes the stored query texts, so an upgrade takes effect on the next start.
-- Run it outside an explicit transaction: SQLite cannot switch to WAL inside one.
--
-- Orleans' ADO.NET storage provider (invariant "System.Data.SQLite", which loads
-- Microsoft.Data.Sqlite) reads its query texts from OrleansQuery at start-up and binds these
-- parameters: @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
-- @GrainIdExtensionString, @ServiceId, plus @GrainStateVersion (write, clear, delete) and
-- @PayloadBinary (write). GrainTypeString holds the state name given to [PersistentState].

-- WAL lets readers run while the single writer commits. The mode is stored in the file.
PRAGMA journal_mode = WAL;

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

-- One row per (service, state name, grain identity).
-- Text columns use the BINARY collation: "abc" and "ABC" are different keys.
-- A row whose PayloadBinary is NULL was cleared; its Version still counts on, so a stale
-- writer is refused after a clear too.
CREATE TABLE IF NOT EXISTS Customer360GrainState
(
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL COLLATE BINARY,
    GrainIdExtensionString TEXT    NULL     COLLATE BINARY,
    ServiceId              TEXT    NOT NULL COLLATE BINARY,
    PayloadBinary          BLOB    NULL,
    ModifiedOn             TEXT    NOT NULL,
    Version                INTEGER NULL
);

-- Lookup index: the hashes narrow a search to a handful of rows.
CREATE INDEX IF NOT EXISTS IX_Customer360GrainState_Hashes
    ON Customer360GrainState (GrainIdHash, GrainTypeHash);

-- Integrity: at most one row per full identity. The extension string is nullable, and NULL
-- must count as one value here, so the index keys on "is it NULL" plus its text.
CREATE UNIQUE INDEX IF NOT EXISTS UX_Customer360GrainState_Identity
    ON Customer360GrainState
    (
        GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString,
        (GrainIdExtensionString IS NULL), IFNULL(GrainIdExtensionString, '')
    );

-- Read: zero rows means "never written". One row gives the payload (NULL after a clear)
-- and the version that becomes the grain's ETag.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM Customer360GrainState
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND ServiceId = @ServiceId;
');

-- Write with optimistic concurrency. Exactly one of the two statements can apply:
--   * @GrainStateVersion is NULL (the grain has never seen a row): insert with Version 1.
--     If a row already exists, the unique index turns the insert into a no-op.
--   * otherwise: update only the row whose Version equals @GrainStateVersion, to Version + 1.
-- The statement that applied returns NewGrainStateVersion. When neither applies no row comes
-- back, and the provider reports a version conflict (InconsistentStateException).
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey', '
UPDATE Customer360GrainState
SET PayloadBinary = @PayloadBinary,
    ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''),
    Version = Version + 1
WHERE @GrainStateVersion IS NOT NULL
  AND Version = @GrainStateVersion
  AND GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND ServiceId = @ServiceId
RETURNING Version AS NewGrainStateVersion;

INSERT INTO Customer360GrainState
(
    GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
    GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version
)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
       @GrainIdExtensionString, @ServiceId, @PayloadBinary,
       strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''), 1
WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING Version AS NewGrainStateVersion;
');

-- Clear: keep the row, drop the payload and move the version on, so that a writer holding
-- the old version is still refused. Returns the new version; no row means a conflict.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES
('ClearStorageKey', '
UPDATE Customer360GrainState
SET PayloadBinary = NULL,
    ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''),
    Version = Version + 1
WHERE @GrainStateVersion IS NOT NULL
  AND Version = @GrainStateVersion
  AND GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND ServiceId = @ServiceId
RETURNING Version AS NewGrainStateVersion;
');

-- Delete (used instead of Clear when the provider runs with DeleteStateOnClear = true):
-- remove the row if the version matches. The provider treats a returned value equal to the
-- grain's own version as a conflict, so a successful delete returns the next version number.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES
('DeleteStorageKey', '
DELETE FROM Customer360GrainState
WHERE @GrainStateVersion IS NOT NULL
  AND Version = @GrainStateVersion
  AND GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND ServiceId = @ServiceId
RETURNING Version + 1 AS NewGrainStateVersion;
');

-- ---------------------------------------------------------------------------------------
-- The customer log, snapshots and checkpoints (Customer360's own store; not Orleans').
-- Every row belongs to a service (the Orleans ServiceId), so that several deployments can
-- share a database as Orleans' own tables allow.
-- ---------------------------------------------------------------------------------------

-- Each customer of each service, numbered: customer_key is the rowid. The log refers to
-- customers by that key rather than by their ids, so each of the log's index entries holds a
-- small integer instead of the service id and the customer id as text, and a batch dirties
-- fewer index pages. A customer's row is written in the same transaction as its first log
-- entry and its key never changes.
--   erased_ticks:   when the customer was erased (a right-to-be-forgotten request), in 100 ns
--                   ticks since 0001-01-01 UTC; NULL if never. Its snapshot is deleted, its log
--                   entries blanked (see the log's kind), and the row stays as a suppression record: a touchpoint whose event
--                   time is at or before it is refused.
--   erased_version: the version the erasure took, one above every version the customer had; a
--                   new history of the id is numbered on from there.
-- (A file made before erasure gets the last two columns at start-up.)
CREATE TABLE IF NOT EXISTS customer360_customer
(
    customer_key   INTEGER PRIMARY KEY,
    service_id     TEXT    NOT NULL COLLATE BINARY,
    customer_id    TEXT    NOT NULL COLLATE BINARY,
    erased_ticks   INTEGER NULL,
    erased_version INTEGER NULL,
    UNIQUE (service_id, customer_id)
);

-- Every touchpoint and profile change, the source of truth. A customer's entries are
-- numbered 1, 2, 3... by sequence, which equals the customer's version after the entry.
-- position (the rowid) orders all entries in commit order; start-up recovery finds the
-- customers changed after a checkpoint by it.
--   customer_key:   the customer's key in customer360_customer (and so its service)
--   kind:           1 touchpoint, 2 profile change, 0 erased: an erasure blanks its
--                   customer's entries (every column but customer_key, sequence and position
--                   emptied) and adds one at its own version, so that a writer that had not
--                   heard of it (a second activation, for a moment while a cluster
--                   reconfigures) finds the sequence taken instead of writing into the
--                   erased history
--   event_id:       the sender's idempotency key (touchpoints only; NULL for profile changes)
--   occurred_ticks: event time in 100 ns ticks since 0001-01-01 UTC (touchpoints only)
--   recorded_ticks: when the engine accepted the entry; replay applies it as of this time
--   fingerprint:    digest of the touchpoint's content; the same event id with another
--                   fingerprint is refused as a conflict
--   payload:        the touchpoint or profile change as JSON
--   touchpoint_kind: the touchpoint's kind as in the API (1 purchase, 2 return, ...), NULL for
--                   profile changes
--   amount:         the touchpoint's amount in the reporting currency as decimal text, NULL if
--                   it has none; with touchpoint_kind, what the lifetime-value models are
--                   fitted on.
-- A database made by an earlier version, whose log was keyed by service and customer id as
-- text, has it moved to this one when the server starts, every entry and position kept.
CREATE TABLE IF NOT EXISTS customer360_log
(
    position        INTEGER PRIMARY KEY,
    customer_key    INTEGER NOT NULL,
    sequence        INTEGER NOT NULL,
    kind            INTEGER NOT NULL,
    event_id        TEXT    NULL COLLATE BINARY,
    occurred_ticks  INTEGER NULL,
    recorded_ticks  INTEGER NOT NULL,
    fingerprint     INTEGER NOT NULL,
    payload         TEXT    NOT NULL,
    touchpoint_kind INTEGER NULL,
    amount          TEXT    NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS ux_customer360_log_sequence
    ON customer360_log (customer_key, sequence);

-- Exactly once: an event id is taken once per customer. NULLs (profile changes) are distinct.
CREATE UNIQUE INDEX IF NOT EXISTS ux_customer360_log_event
    ON customer360_log (customer_key, event_id);

-- Paging a customer's touchpoints newest first by event time. Ties on the same tick are put in
-- event id order by a sort of just those rows, which keeps the event id out of the index.
CREATE INDEX IF NOT EXISTS ix_customer360_log_time
    ON customer360_log (customer_key, occurred_ticks) WHERE kind = 1;

-- The newest position (of any service: positions are shared) is the last rowid, and a
-- service's customers changed after a position come from a forward scan of the rowids from it.
-- No index of its own.

-- The latest snapshot of each customer: the customer serialized at version. A cache of the
-- log; deleting a row only makes the next activation replay more.
CREATE TABLE IF NOT EXISTS customer360_snapshot
(
    service_id  TEXT    NOT NULL COLLATE BINARY,
    customer_id TEXT    NOT NULL COLLATE BINARY,
    version     INTEGER NOT NULL,
    payload     BLOB    NOT NULL,
    -- The customer's value summary at this version: what scoring and segments need, so that
    -- the re-scoring sweep can rescore a customer that is not in memory. summary_purchase_days
    -- is NULL in snapshots written before summaries were kept; the purchase days (UTC day
    -- numbers) are NULL before a first purchase; values are decimal text. (A database made
    -- before these columns existed gets them when the server starts.)
    summary_purchase_days         INTEGER NULL,
    summary_first_purchase_day    INTEGER NULL,
    summary_last_purchase_day     INTEGER NULL,
    summary_repeat_occasion_value TEXT    NULL,
    summary_occasion_value        TEXT    NULL,
    summary_net_spend             TEXT    NULL,
    summary_preferred_channel     INTEGER NULL,
    PRIMARY KEY (service_id, customer_id)
) WITHOUT ROWID;

-- Named log positions. "segments@<silo>": as far as that silo can tell, every entry at or
-- below it is reflected in the stored segment figures; recovery at start-up begins from the
-- lowest. ("segments" alone is the one checkpoint per service of earlier versions.)
CREATE TABLE IF NOT EXISTS customer360_checkpoint
(
    service_id TEXT    NOT NULL COLLATE BINARY,
    name       TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (service_id, name)
);

-- ---------------------------------------------------------------------------------------
-- Segments: a header row per segment, and its members spread over buckets by a stable hash
-- of the customer id, each bucket one row holding its members encoded by the engine. A
-- segment writes the buckets that changed since its previous write, together with its
-- header, in one transaction. (An earlier version kept one row per member in
-- customer360_segment_member, and before that every member in Orleans grain state; a
-- segment's first activation moves them to buckets and clears the old rows.)
-- ---------------------------------------------------------------------------------------

-- The figures' version (it counts every change; watchers wait on it), when they last
-- changed (ISO 8601, UTC), how many buckets the members are spread over, and the writer
-- token: each activation of the segment bumps it on opening, and a write is stored only with
-- the current token, so an older activation cannot overwrite a newer one's buckets. (A file
-- made before buckets gets the last two columns at start-up.)
CREATE TABLE IF NOT EXISTS customer360_segment
(
    service_id   TEXT    NOT NULL COLLATE BINARY,
    segment_id   TEXT    NOT NULL COLLATE BINARY,
    version      INTEGER NOT NULL,
    updated_at   TEXT    NOT NULL,
    bucket_count INTEGER NOT NULL DEFAULT 0,
    writer       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, segment_id)
) WITHOUT ROWID;

-- One bucket of a segment's members, written whole. Each member is its customer id, the
-- (customer version, score revision) of its latest update, whether it is a member (a leave
-- is remembered, so that an older join arriving late cannot bring the customer back), and
-- its exact net spend and value score.
CREATE TABLE IF NOT EXISTS customer360_segment_bucket
(
    service_id TEXT    NOT NULL COLLATE BINARY,
    segment_id TEXT    NOT NULL COLLATE BINARY,
    bucket     INTEGER NOT NULL CHECK (bucket >= 0),
    members    BLOB    NOT NULL,
    PRIMARY KEY (service_id, segment_id, bucket)
) WITHOUT ROWID;

-- Members as an earlier version stored them, one row each (money as decimal text); read
-- once and emptied by the segment's first write in buckets.
CREATE TABLE IF NOT EXISTS customer360_segment_member
(
    service_id       TEXT    NOT NULL COLLATE BINARY,
    segment_id       TEXT    NOT NULL COLLATE BINARY,
    customer_id      TEXT    NOT NULL COLLATE BINARY,
    customer_version INTEGER NOT NULL,
    score_revision   INTEGER NOT NULL,
    is_member        INTEGER NOT NULL,
    net_spend        TEXT    NOT NULL,
    value_score      TEXT    NOT NULL,
    PRIMARY KEY (service_id, segment_id, customer_id)
) WITHOUT ROWID;

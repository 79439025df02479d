-- Customer360 on PostgreSQL: Orleans ADO.NET grain storage and cluster membership.
--
-- Apply with deploy/postgres/apply-schema.sh (psql, one transaction). Running it again is
-- harmless and refreshes the stored query texts, so an upgrade takes effect on the next
-- silo start. Providers use the invariant "Npgsql".
--
-- Orleans reads every query text from OrleansQuery; all other table names appear only in
-- those texts. Identifiers are unquoted, so PostgreSQL folds them to lower case; the
-- providers' own SQL is unquoted too, and column lookups by name ignore case.
--
-- Time columns are timestamptz: the providers pass UTC DateTime values, and Npgsql writes
-- those only to timestamptz.

-- Serialise concurrent runs (for example several silos deploying at once).
SELECT pg_advisory_xact_lock(hashtext('customer360-schema'));

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

------------------------------------------------------------------------------------------
-- Grain storage
--
-- Parameters bound by the provider: @GrainIdHash (int), @GrainIdN0 (bigint),
-- @GrainIdN1 (bigint), @GrainTypeHash (int), @GrainTypeString (text, the state name),
-- @GrainIdExtensionString (text or NULL), @ServiceId (text); @GrainStateVersion (int or NULL)
-- for write, clear and delete; @PayloadBinary (bytea) for write.
------------------------------------------------------------------------------------------

-- One row per (service, state name, grain identity). Text columns use the "C" collation so
-- that comparisons are exact, byte for byte, whatever the database default: "abc" and "ABC"
-- are different keys. A NULL PayloadBinary marks a cleared row whose Version still counts on.
CREATE TABLE IF NOT EXISTS Customer360GrainState
(
    GrainIdHash            integer     NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainTypeHash          integer     NOT NULL,
    GrainTypeString        text        COLLATE "C" NOT NULL,
    GrainIdExtensionString text        COLLATE "C" NULL,
    ServiceId              text        COLLATE "C" NOT NULL,
    PayloadBinary          bytea       NULL,
    ModifiedOn             timestamptz NOT NULL,
    Version                integer     NULL
);

-- Lookup index: the hashes narrow a search to a handful of rows.
CREATE INDEX IF NOT EXISTS IX_Customer360GrainState_Hashes
    ON Customer360GrainState (GrainIdHash, GrainTypeHash);

-- Integrity: at most one row per full identity, also when two first writes race. NULL in the
-- extension string must count as one value, hence the "is NULL" flag next to its text.
-- (btree entries are limited to about 2.7 kB, far above any state name plus grain key used here.)
CREATE UNIQUE INDEX IF NOT EXISTS UX_Customer360GrainState_Identity
    ON Customer360GrainState
    (
        GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString,
        (GrainIdExtensionString IS NULL), COALESCE(GrainIdExtensionString, '')
    );

-- Read: zero rows means "never written"; one row gives the payload (NULL after a clear) and
-- the version that becomes the grain's ETag.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', $query$
SELECT PayloadBinary, Version
FROM Customer360GrainState
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Write with optimistic concurrency, as one statement:
--   * @GrainStateVersion NULL: insert with Version 1; if the row already exists, the unique
--     index turns the insert into a no-op.
--   * otherwise: update only the row whose Version equals @GrainStateVersion, to Version + 1
--     (a concurrent writer waits for the row lock, then finds the version moved on).
-- Returns NewGrainStateVersion when something was written, and no row when nothing was,
-- which the provider reports as a version conflict (InconsistentStateException).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', $query$
WITH updated AS
(
    UPDATE Customer360GrainState
    SET PayloadBinary = @PayloadBinary,
        ModifiedOn = now(),
        Version = Version + 1
    WHERE @GrainStateVersion IS NOT NULL
      AND Version = @GrainStateVersion
      AND GrainIdHash = @GrainIdHash
      AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
      AND ServiceId = @ServiceId
    RETURNING Version
),
inserted AS
(
    INSERT INTO Customer360GrainState
    (
        GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
        GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version
    )
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
           @GrainIdExtensionString, @ServiceId, @PayloadBinary, now(), 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version
)
SELECT Version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT Version FROM inserted
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Clear: keep the row, drop the payload and move the version on, so a writer holding the
-- old version is still refused. Returns the new version; no row means a conflict.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', $query$
UPDATE Customer360GrainState
SET PayloadBinary = NULL,
    ModifiedOn = now(),
    Version = Version + 1
WHERE @GrainStateVersion IS NOT NULL
  AND Version = @GrainStateVersion
  AND GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId
RETURNING Version AS NewGrainStateVersion
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Delete (used instead of Clear when the provider runs with DeleteStateOnClear = true):
-- remove the row if the version matches. The provider treats a returned value equal to the
-- grain's own version as a conflict, so a successful delete returns the next version number.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', $query$
DELETE FROM Customer360GrainState
WHERE @GrainStateVersion IS NOT NULL
  AND Version = @GrainStateVersion
  AND GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId
RETURNING Version + 1 AS NewGrainStateVersion
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

------------------------------------------------------------------------------------------
-- Cluster membership
--
-- DeploymentId is the Orleans ClusterId. Every change to a member row moves the cluster's
-- Version on by one, and only from the version the silo last read (@Version); a silo that
-- read an older table is refused and reads again.
--
-- Parameters bound by the provider: @DeploymentId (text), @Address (text), @Port,
-- @Generation, @Status, @ProxyPort, @Version (int), @SiloName, @HostName,
-- @SuspectTimes (text or NULL), @StartTime, @IAmAliveTime (UTC timestamps).
-- Status 3 is Active; 6 is Dead.
------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS Customer360MembershipVersion
(
    DeploymentId varchar(150) NOT NULL PRIMARY KEY,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS Customer360Membership
(
    DeploymentId varchar(150) NOT NULL REFERENCES Customer360MembershipVersion (DeploymentId),
    Address      varchar(45)  NOT NULL,
    Port         integer      NOT NULL,
    Generation   integer      NOT NULL,
    SiloName     varchar(150) NOT NULL,
    HostName     varchar(150) NOT NULL,
    Status       integer      NOT NULL,
    ProxyPort    integer      NOT NULL,
    SuspectTimes text         NULL,
    StartTime    timestamptz  NOT NULL,
    IAmAliveTime timestamptz  NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

-- Creates the cluster's version row if missing. Returns one boolean: whether it was created.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', $query$
WITH created AS
(
    INSERT INTO Customer360MembershipVersion (DeploymentId, Timestamp, Version)
    VALUES (@DeploymentId, now(), 0)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created)
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Adds a member if the table is still at @Version and the member is new, and moves the
-- version on. Returns one boolean: whether the member was added.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', $query$
WITH bumped AS
(
    UPDATE Customer360MembershipVersion
    SET Version = Version + 1,
        Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND NOT EXISTS
      (
          SELECT 1 FROM Customer360Membership
          WHERE DeploymentId = @DeploymentId
            AND Address = @Address
            AND Port = @Port
            AND Generation = @Generation
      )
    RETURNING DeploymentId
),
added AS
(
    INSERT INTO Customer360Membership
    (
        DeploymentId, Address, Port, Generation, SiloName, HostName,
        Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime
    )
    SELECT DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
           @Status, @ProxyPort, NULL, @StartTime, @IAmAliveTime
    FROM bumped
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM added)
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Changes a member's status, suspicions and liveness if the table is still at @Version, and
-- moves the version on. Returns one boolean: whether the member was updated.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', $query$
WITH bumped AS
(
    UPDATE Customer360MembershipVersion
    SET Version = Version + 1,
        Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND EXISTS
      (
          SELECT 1 FROM Customer360Membership
          WHERE DeploymentId = @DeploymentId
            AND Address = @Address
            AND Port = @Port
            AND Generation = @Generation
      )
    RETURNING DeploymentId
),
changed AS
(
    UPDATE Customer360Membership
    SET Status = @Status,
        SuspectTimes = @SuspectTimes,
        IAmAliveTime = @IAmAliveTime
    WHERE DeploymentId = @DeploymentId
      AND Address = @Address
      AND Port = @Port
      AND Generation = @Generation
      AND EXISTS (SELECT 1 FROM bumped)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM changed)
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Liveness heartbeat; deliberately does not move the version on.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', $query$
UPDATE Customer360Membership
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId
  AND Address = @Address
  AND Port = @Port
  AND Generation = @Generation
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- One member plus the table version. The version row is always returned (member columns are
-- NULL when the member is unknown): the provider takes the version from the first row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', $query$
SELECT v.DeploymentId, v.Version,
       m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime
FROM Customer360MembershipVersion v
LEFT JOIN Customer360Membership m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address
      AND m.Port = @Port
      AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- All members plus the table version, shaped as above.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', $query$
SELECT v.DeploymentId, v.Version,
       m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime
FROM Customer360MembershipVersion v
LEFT JOIN Customer360Membership m
       ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Gateways clients may connect to: members in status @Status (Active) with a gateway port.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', $query$
SELECT Address, ProxyPort, Generation
FROM Customer360Membership
WHERE DeploymentId = @DeploymentId
  AND Status = @Status
  AND ProxyPort > 0
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Removes a whole cluster's membership (members first, then the version row).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', $query$
DELETE FROM Customer360Membership WHERE DeploymentId = @DeploymentId;
DELETE FROM Customer360MembershipVersion WHERE DeploymentId = @DeploymentId;
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Removes members that are no longer active and have not reported since @IAmAliveTime.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', $query$
DELETE FROM Customer360Membership
WHERE DeploymentId = @DeploymentId
  AND IAmAliveTime < @IAmAliveTime
  AND Status <> 3
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

------------------------------------------------------------------------------------------
-- The customer log, snapshots and checkpoints (Customer360's own store; not Orleans').
-- Every row belongs to a service (the Orleans ServiceId), so that several deployments can
-- share a database as Orleans' own tables allow.
------------------------------------------------------------------------------------------

-- Every customer of a service, numbered once with a customer key. The log refers to its
-- customers by that key rather than by their ids, so each of the log's index entries holds
-- eight bytes of customer instead of the service id and the customer id as text. A customer's
-- row is written in the same transaction as its first log entry (sequence 1); its key never changes.
CREATE TABLE IF NOT EXISTS customer360_customer
(
    customer_key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id   text   COLLATE "C" NOT NULL,
    customer_id  text   COLLATE "C" NOT NULL,
    UNIQUE (service_id, customer_id)
);

-- Erasure (a right-to-be-forgotten request): the customer's snapshot is deleted, its log entries
-- are blanked (see the log's kind below), and its row stays as a suppression record, so that a till's late retry or a re-import of an
-- old file cannot bring the erased history back, and so that the key never changes (silos cache
-- keys). erased_ticks is when it was erased (100 ns ticks since 0001-01-01 UTC, as the log's
-- times); a touchpoint whose event time is at or before it is refused. erased_version is the
-- version the erasure took, one above every version the customer had: a new history of the id
-- is numbered on from there. Both NULL for a customer never erased. Added here rather than in
-- the CREATE TABLE above because existing databases have the table.
ALTER TABLE customer360_customer
    ADD COLUMN IF NOT EXISTS erased_ticks   bigint NULL,
    ADD COLUMN IF NOT EXISTS erased_version bigint NULL;

-- Logs written before customers had keys (text-keyed by service and customer id) are moved
-- aside here, once, and copied into the keyed log further down.
DO $upgrade$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'customer360_log'
                 AND column_name = 'service_id') THEN
        -- Renaming a table keeps its indexes' names, which the keyed log reuses.
        DROP INDEX IF EXISTS ux_customer360_log_event, ix_customer360_log_time, ix_customer360_log_position;
        ALTER TABLE customer360_log RENAME CONSTRAINT customer360_log_pkey TO customer360_log_text_keyed_pkey;
        ALTER TABLE customer360_log RENAME TO customer360_log_text_keyed;
    END IF;
END
$upgrade$;

-- Every touchpoint and profile change, the source of truth. A customer's entries are
-- numbered 1, 2, 3... by sequence, which equals the customer's version after the entry.
-- position orders all entries in commit order within a silo; start-up recovery finds the
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
--   amount:         the touchpoint's amount in the reporting currency, NULL if it has none;
--                   with touchpoint_kind, what the lifetime-value models are fitted on
-- There is no foreign key to customer360_customer: the engine writes a customer's row with its
-- first entry, and checking the key on every insert would cost an index probe per entry.
CREATE TABLE IF NOT EXISTS customer360_log
(
    customer_key    bigint   NOT NULL,
    sequence        bigint   NOT NULL,
    position        bigint   GENERATED ALWAYS AS IDENTITY,
    kind            smallint NOT NULL,
    event_id        text     COLLATE "C" NULL,
    occurred_ticks  bigint   NULL,
    recorded_ticks  bigint   NOT NULL,
    fingerprint     bigint   NOT NULL,
    payload         text     NOT NULL,
    touchpoint_kind smallint NULL,
    amount          numeric  NULL,
    PRIMARY KEY (customer_key, sequence)
);

-- Exactly once: an event id is taken once per customer. NULLs (profile changes) are distinct.
CREATE UNIQUE INDEX IF NOT EXISTS ux_customer360_log_event
    ON customer360_log (customer_key, event_id);

-- Paging a customer's touchpoints newest first by event time. Ties on the same tick are put in
-- event id order by a sort of just those rows, which keeps the event id out of the index.
CREATE INDEX IF NOT EXISTS ix_customer360_log_time
    ON customer360_log (customer_key, occurred_ticks) WHERE kind = 1;

-- A service's newest position, and its customers changed after a position (checkpoints and
-- recovery), without scanning the log. A backward scan of commit order stops at the newest
-- entry, which is near the end in practice.
CREATE INDEX IF NOT EXISTS ix_customer360_log_position
    ON customer360_log (position);

-- The move from the text-keyed log, completed: every customer gets its key, every entry keeps
-- its sequence and its position (checkpoints refer to positions), and the position identity
-- continues after the highest one copied. Logs from before touchpoint_kind and amount existed
-- get both from their payloads on the way.
DO $upgrade$
DECLARE
    has_amount boolean;
BEGIN
    IF to_regclass('customer360_log_text_keyed') IS NULL THEN
        RETURN;
    END IF;

    INSERT INTO customer360_customer (service_id, customer_id)
    SELECT service_id, customer_id FROM customer360_log_text_keyed
    GROUP BY service_id, customer_id
    ORDER BY service_id, customer_id
    ON CONFLICT (service_id, customer_id) DO NOTHING;

    SELECT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'customer360_log_text_keyed'
                     AND column_name = 'touchpoint_kind')
    INTO has_amount;
    IF NOT has_amount THEN
        ALTER TABLE customer360_log_text_keyed ADD COLUMN touchpoint_kind smallint NULL, ADD COLUMN amount numeric NULL;
        UPDATE customer360_log_text_keyed
        SET touchpoint_kind = (payload::jsonb ->> 'kind')::smallint,
            amount = (payload::jsonb ->> 'reportingAmount')::numeric
        WHERE kind = 1;
    END IF;

    INSERT INTO customer360_log (customer_key, sequence, position, kind, event_id, occurred_ticks, recorded_ticks,
                                 fingerprint, payload, touchpoint_kind, amount)
    OVERRIDING SYSTEM VALUE
    SELECT c.customer_key, l.sequence, l.position, l.kind, l.event_id, l.occurred_ticks, l.recorded_ticks,
           l.fingerprint, l.payload, l.touchpoint_kind, l.amount
    FROM customer360_log_text_keyed AS l
    JOIN customer360_customer AS c ON c.service_id = l.service_id AND c.customer_id = l.customer_id
    ORDER BY l.position;

    PERFORM setval(pg_get_serial_sequence('customer360_log', 'position'),
                   GREATEST((SELECT MAX(position) FROM customer360_log), 1),
                   (SELECT MAX(position) FROM customer360_log) IS NOT NULL);

    DROP TABLE customer360_log_text_keyed;
    ANALYZE customer360_customer;
    ANALYZE customer360_log;
END
$upgrade$;

-- The latest snapshot of each customer: the customer serialized at version. A cache of the
-- log; deleting a row only makes the next activation replay more.
CREATE TABLE IF NOT EXISTS customer360_snapshot
(
    service_id  text   COLLATE "C" NOT NULL,
    customer_id text   COLLATE "C" NOT NULL,
    version     bigint NOT NULL,
    payload     bytea  NOT NULL,
    PRIMARY KEY (service_id, customer_id)
);

-- The customer's value summary at the snapshot's version: what scoring and segments need, so
-- that the re-scoring sweep can rescore a customer that is not in memory without restoring it.
-- summary_purchase_days is NULL in snapshots written before summaries were kept; the first and
-- last purchase days (UTC day numbers, days since 0001-01-01) are NULL before a first purchase.
-- Added here rather than in the CREATE TABLE above because existing databases have the table.
ALTER TABLE customer360_snapshot
    ADD COLUMN IF NOT EXISTS summary_purchase_days         integer  NULL,
    ADD COLUMN IF NOT EXISTS summary_first_purchase_day    integer  NULL,
    ADD COLUMN IF NOT EXISTS summary_last_purchase_day     integer  NULL,
    ADD COLUMN IF NOT EXISTS summary_repeat_occasion_value numeric  NULL,
    ADD COLUMN IF NOT EXISTS summary_occasion_value        numeric  NULL,
    ADD COLUMN IF NOT EXISTS summary_net_spend             numeric  NULL,
    ADD COLUMN IF NOT EXISTS summary_preferred_channel     smallint NULL;

-- Named log positions. "segments@<silo>": as far as that silo can tell, every entry at or
-- below it is reflected in the stored segment figures; recovery at start-up begins from the
-- lowest. ("segments" alone is the one checkpoint per service of earlier versions.)
CREATE TABLE IF NOT EXISTS customer360_checkpoint
(
    service_id text   COLLATE "C" NOT NULL,
    name       text   NOT NULL,
    position   bigint NOT NULL,
    PRIMARY KEY (service_id, name)
);

-- ---------------------------------------------------------------------------------------
-- Segments: a header row per segment, and its members spread over buckets by a stable hash
-- of the customer id, each bucket one row holding its members encoded by the engine. A
-- segment writes the buckets that changed since its previous write, together with its
-- header, in one statement. (An earlier version kept one row per member in
-- customer360_segment_member, and before that every member in Customer360GrainState; a
-- segment's first activation moves them to buckets and clears the old rows.)
-- ---------------------------------------------------------------------------------------

-- The figures' version (it counts every change; watchers wait on it), when they last
-- changed, how many buckets the members are spread over, and the writer token: each
-- activation of the segment bumps it on opening, and a write is stored only with the
-- current token, so an older activation cannot overwrite a newer one's buckets.
CREATE TABLE IF NOT EXISTS customer360_segment
(
    service_id   text        COLLATE "C" NOT NULL,
    segment_id   text        COLLATE "C" NOT NULL,
    version      bigint      NOT NULL,
    updated_at   timestamptz NOT NULL,
    bucket_count integer     NOT NULL DEFAULT 0,
    writer       bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, segment_id)
);

ALTER TABLE customer360_segment ADD COLUMN IF NOT EXISTS bucket_count integer NOT NULL DEFAULT 0;
ALTER TABLE customer360_segment ADD COLUMN IF NOT EXISTS writer bigint NOT NULL DEFAULT 0;

-- One bucket of a segment's members, written whole. Each member is its customer id, the
-- (customer version, score revision) of its latest update, whether it is a member (a leave
-- is remembered, so that an older join arriving late cannot bring the customer back), and
-- its exact net spend and value score.
CREATE TABLE IF NOT EXISTS customer360_segment_bucket
(
    service_id text    COLLATE "C" NOT NULL,
    segment_id text    COLLATE "C" NOT NULL,
    bucket     integer NOT NULL CHECK (bucket >= 0),
    members    bytea   NOT NULL,
    PRIMARY KEY (service_id, segment_id, bucket)
);

-- Members as an earlier version stored them, one row each; read once and emptied by the
-- segment's first write in buckets.
CREATE TABLE IF NOT EXISTS customer360_segment_member
(
    service_id       text    COLLATE "C" NOT NULL,
    segment_id       text    COLLATE "C" NOT NULL,
    customer_id      text    COLLATE "C" NOT NULL,
    customer_version bigint  NOT NULL,
    score_revision   bigint  NOT NULL,
    is_member        boolean NOT NULL,
    net_spend        numeric NOT NULL,
    value_score      numeric NOT NULL,
    PRIMARY KEY (service_id, segment_id, customer_id)
);
